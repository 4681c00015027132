"""A streaming XML reader on expat that refuses any DTD / entity declaration
(billion laughs, external entities) and hands back one subtree at a time, so a
huge document part is never held whole.  One subtree holds at most
``SUBTREE_CAP`` characters of text and attribute values and ``SUBTREE_ELEMENTS``
elements, and one piece of markup (a tag with its attributes, a comment, a processing
instruction) takes at most ``MAX_MARKUP`` bytes, which expat would rescan for every
block it is fed (a single paragraph or row of gigabytes, millions of empty elements, a
tag of hundreds of megabytes are refused with MemoryError, which the dispatcher reports
as too_large). ``stream`` runs other handlers under the same refusals (``sheetxml``'s);
``subtrees`` gives the same subtrees faster, built in C, and leaves to ``Subtrees`` any part it
could not read within those bounds."""
from __future__ import annotations

import operator
import xml.etree.ElementTree as ET
from typing import BinaryIO, Callable, Iterator
from xml.parsers import expat

_READ = 1 << 16
SUBTREE_CAP = 16 * 1024 * 1024        # characters of text in one emitted subtree
SUBTREE_ELEMENTS = 1_000_000          # elements in one emitted subtree
MAX_MARKUP = 4 * 1024 * 1024          # bytes of one tag, comment or processing instruction
MAX_NAMES = 10_000                    # element and attribute names ``Subtrees`` keeps one str object of,
MAX_NAME_CHARS = 1_000_000            # and their characters (one name may be as long as a tag)


class UnsafeXML(ValueError):
    """A DTD or entity declaration: refused (billion laughs, external entities)."""


class MalformedXML(ValueError):
    """XML that is not well formed; ``at``: the byte of the stream where expat found it wrong."""

    def __init__(self, message: str, at: int):
        super().__init__(message)
        self.at = at


def _qn(name: str) -> str:
    return "{" + name if "}" in name else name


class Subtrees:
    """expat handlers: elements shallower than ``emit_depth`` become ("start", tag,
    attrs, depth) events, each subtree rooted at ``emit_depth`` one ("elem", Element)."""

    def __init__(self, emit_depth: int):
        self.emit_depth = emit_depth
        self.names: dict = {}          # expat's name -> its ElementTree form (shared, not one per element)
        self.name_chars = 0            # the characters of the names in it
        self.depth = 0
        self.builder = None
        self.out: list = []
        self.chars = 0                 # text and attribute values in the subtree being built
        self.elements = 0

    def _name(self, name: str) -> str:
        """An element or attribute name in ElementTree's form, one str object per name (the
        table starts afresh past ``MAX_NAMES`` names or ``MAX_NAME_CHARS`` characters: a hostile
        document of millions of distinct names, or of long ones, would grow it without end; a
        real one has a few hundred short ones)."""
        qn = self.names.get(name)
        if qn is None:
            self.name_chars += len(name)
            if len(self.names) >= MAX_NAMES or self.name_chars > MAX_NAME_CHARS:
                self.names.clear()
                self.name_chars = len(name)
            qn = self.names[name] = _qn(name)
        return qn

    def start(self, name, attrs):
        # (called for every element of a document: the names are looked up once, inline)
        self.depth += 1
        names = self.names
        tag = names.get(name) or self._name(name)
        if attrs:
            attrs = {names.get(k) or self._name(k): v for k, v in attrs.items()}
        else:
            attrs = {}
        builder = self.builder
        if self.depth == self.emit_depth:
            builder = self.builder = ET.TreeBuilder()
            self.chars = self.elements = 0
        if builder is not None:
            self.elements += 1
            if attrs:
                self.chars += sum(map(len, attrs.values()))
            if self.elements > SUBTREE_ELEMENTS or self.chars > SUBTREE_CAP:
                raise MemoryError("XML element with too many descendants or too much text")
            builder.start(tag, attrs)
        else:
            self.out.append(("start", tag, attrs, self.depth))

    def end(self, name):
        builder = self.builder
        if builder is not None:
            builder.end(self.names.get(name) or self._name(name))
            if self.depth == self.emit_depth:
                self.out.append(("elem", builder.close()))
                self.builder = None
        self.depth -= 1

    def data(self, text):
        if self.builder is not None:
            self.chars += len(text)
            if self.chars > SUBTREE_CAP:
                raise MemoryError("XML element with too much text")
            self.builder.data(text)


def _refuse(*_a):
    raise UnsafeXML("DTD or entity declaration")


def _parser(start, end, data):
    """An expat parser with these element and text handlers (names as ``uri}local``, text
    buffered) that refuses DTDs and entity declarations."""
    # (names not interned, a lookup per element saved: the handlers compare them or keep a table of their own)
    parser = expat.ParserCreate(namespace_separator="}", intern=None)
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    return parser


def stream(fh: BinaryIO, handlers) -> Iterator:
    """Parse ``fh`` with ``handlers.start``, ``.end`` and ``.data`` (expat's element and text
    handlers; names as ``uri}local``, text buffered), DTDs refused, each piece of markup at most
    ``MAX_MARKUP`` bytes; yield what the handlers put in their list ``out``, after each block
    (and before ``MalformedXML``, what they put there before the fault).
    Handlers that keep a part's subtrees bound each one as ``Subtrees`` does (``SUBTREE_CAP``,
    ``SUBTREE_ELEMENTS``)."""
    parser = _parser(handlers.start, handlers.end, handlers.data)
    out = handlers.out
    fed = 0
    while True:
        block = fh.read(_READ)
        fed += len(block)
        try:
            parser.Parse(block, not block)
        except expat.ExpatError as exc:
            yield from out              # (what the block gave before the fault: its reader keeps it)
            out.clear()
            raise MalformedXML(f"malformed XML ({expat.ErrorString(exc.code)})", parser.ErrorByteIndex) from None
        if fed - parser.CurrentByteIndex > MAX_MARKUP:      # where the token not yet complete starts
            raise MemoryError("XML markup larger than allowed")
        if out:
            yield from out
            out.clear()
        if not block:
            return


def iter_xml(fh: BinaryIO, emit_depth: int) -> Iterator[tuple]:
    """Stream an XML document: yield ("start", tag, attrs, depth) for elements
    shallower than ``emit_depth`` and ("elem", Element) for each complete
    subtree rooted at ``emit_depth`` (the root element has depth 1)."""
    return stream(fh, Subtrees(emit_depth))


# Blocks a subtree (or the text around it) may stay open in ``_built_in_c``'s tree before the part
# is read again ``Subtrees``' way: a subtree it gives spans at most (_PATIENCE + 2) * _READ bytes
# (it may open at a block's start and close in the block after the last one allowed: 1.1 MiB),
# fewer characters than SUBTREE_CAP and, each element taking three bytes at least ("<a>"),
# fewer elements than SUBTREE_ELEMENTS: it never gives what ``Subtrees`` refuses
# (``subtrees`` leaves every part to ``Subtrees`` under bounds lower than that).
_PATIENCE = 15


class _Slow(Exception):
    """``_built_in_c`` gives up on a part: ``subtrees`` reads it ``Subtrees``' way."""


def subtrees(open_part: Callable[[], BinaryIO], emit_depth: int) -> Iterator[ET.Element]:
    """The subtrees at ``emit_depth`` (2 or more) of the document ``open_part()`` opens, those of
    ``iter_xml``'s "elem" events. Built by ElementTree's C TreeBuilder straight from expat (no
    Python call per element: a document's paragraphs in about 0.6 of the time), its
    subtrees detached once complete; a part that C path gives up on (a subtree open
    longer than ``_PATIENCE`` blocks; an error of any kind: malformed, a DTD, markup too large) is
    opened again and read by ``Subtrees``, whose bounds and errors stand, the subtrees already
    given skipped."""
    given = 0
    if (_PATIENCE + 2) * _READ <= min(SUBTREE_CAP, 3 * SUBTREE_ELEMENTS):
        try:
            with open_part() as fh:
                for el in _built_in_c(fh, emit_depth):
                    yield el
                    given += 1
            return
        except _Slow:
            pass
    with open_part() as fh:
        for ev in iter_xml(fh, emit_depth):
            if ev[0] == "elem":
                if given:
                    given -= 1
                    continue
                yield ev[1]


def _built_in_c(fh: BinaryIO, emit_depth: int) -> Iterator[ET.Element]:
    """``subtrees``' C path: after each block, the subtrees at ``emit_depth`` known complete (all
    but an element's last child, until the document ends) are taken out of the tree, their
    names given ElementTree's form (``Subtrees``' name table); _Slow when the open path through
    the tree has stayed the same for more than ``_PATIENCE`` blocks, or on any error."""
    builder, names, root = ET.TreeBuilder(), Subtrees(emit_depth), []

    def first(name, attrs):
        root.append(builder.start(name, attrs))
        parser.StartElementHandler = builder.start

    parser = _parser(first, builder.end, builder.data)
    fed, path, same = 0, [], 0
    while True:
        try:        # (a read error too: ``Subtrees`` gives the subtrees complete before it, then raises it)
            block = fh.read(_READ)
            fed += len(block)
            parser.Parse(block, not block)
        except Exception:                   # noqa: BLE001 - ``Subtrees`` reads it and says what is wrong
            raise _Slow from None
        if fed - parser.CurrentByteIndex > MAX_MARKUP:
            raise _Slow
        done: list = []
        if root:
            now = _harvest(root[0], 1, emit_depth, not block, done)
            same = same + 1 if len(now) == len(path) and all(map(operator.is_, now, path)) else 0
            if same > _PATIENCE:
                raise _Slow
            path = now
        for el in done:
            el.tail = None                  # (text after it, outside any subtree: ``Subtrees`` has none)
            _rename(el, names)
        yield from done
        if not block:
            return


def _harvest(parent: ET.Element, depth: int, emit_depth: int, closed: bool, out: list) -> list:
    """Move the complete subtrees at ``emit_depth`` under ``parent`` (at ``depth``) to ``out``
    and drop the complete elements above them; an element's last child may be open unless
    the element is ``closed``. Returns the path of elements still in the tree below ``parent``."""
    kids = len(parent)
    if not kids:
        return []
    complete = kids if closed else kids - 1
    if depth + 1 == emit_depth:
        out.extend(parent[:complete])
    else:
        for el in parent[:complete]:
            _harvest(el, depth + 1, emit_depth, True, out)
    path = [] if closed else [parent[-1]]
    if not closed and depth + 1 < emit_depth:
        path += _harvest(parent[-1], depth + 1, emit_depth, False, out)
    del parent[:complete]
    return path


def _rename(tree: ET.Element, names: Subtrees) -> None:
    """Element and attribute names from expat's form (``uri}local``) to ElementTree's. (``items``,
    not ``attrib``: that makes a dict for each element without attributes, most of them.)"""
    get = names.names.get
    for el in tree.iter():
        tag = el.tag
        el.tag = get(tag) or names._name(tag)
        attrs = el.items()
        if attrs:
            el.attrib = {get(k) or names._name(k): v for k, v in attrs}


def parse_xml(fh: BinaryIO) -> ET.Element:
    """Whole (small) document, with the same refusal of DTDs."""
    for ev in iter_xml(fh, 1):
        if ev[0] == "elem":
            return ev[1]
    raise ValueError("empty XML")

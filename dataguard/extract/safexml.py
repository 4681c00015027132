"""A streaming XML reader on expat that refuses any DTD / entity declaration
(billion laughs, external entities) and hands back one subtree at a time, so a
huge document part is never held whole.  One subtree holds at most
``SUBTREE_CAP`` characters of text and attribute values and ``SUBTREE_ELEMENTS``
elements, and one piece of markup (a tag with its attributes, a comment, a processing
instruction) takes at most ``MAX_MARKUP`` bytes, which expat would rescan for every
block it is fed (a single paragraph or row of gigabytes, millions of empty elements, a
tag of hundreds of megabytes are refused with MemoryError, which the dispatcher reports
as too_large). ``stream`` runs other handlers under the same refusals (``sheetxml``'s)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import BinaryIO, Iterator
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


def stream(fh: BinaryIO, handlers) -> Iterator:
    """Parse ``fh`` with ``handlers.start``, ``.end`` and ``.data`` (expat's element and text
    handlers; names as ``uri}local``, text buffered), DTDs refused, each piece of markup at most
    ``MAX_MARKUP`` bytes; yield what the handlers put in their list ``out``, after each block
    (and before ``MalformedXML``, what they put there before the fault).
    Handlers that keep a part's subtrees bound each one as ``Subtrees`` does (``SUBTREE_CAP``,
    ``SUBTREE_ELEMENTS``)."""
    # (names not interned, a lookup per element saved: the handlers compare them or keep a table of their own)
    parser = expat.ParserCreate(namespace_separator="}", intern=None)
    parser.buffer_text = True
    parser.StartElementHandler = handlers.start
    parser.EndElementHandler = handlers.end
    parser.CharacterDataHandler = handlers.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
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


def parse_xml(fh: BinaryIO) -> ET.Element:
    """Whole (small) document, with the same refusal of DTDs."""
    for ev in iter_xml(fh, 1):
        if ev[0] == "elem":
            return ev[1]
    raise ValueError("empty XML")

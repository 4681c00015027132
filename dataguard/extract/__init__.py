"""Turn the bytes of one item into text chunks with locations.

``extract()`` sniffs the content once, hands the stream to the family's
extractor (registered in ``FAMILIES``) with an ``ExtractContext`` carrying the
sniffed family, and guards it: no exception escapes this layer (it becomes a
Problem of kind ``corrupt``) and an item that runs past its time budget becomes
``timeout``.  Containers (archives, mail, embedded objects) extract their
members through ``ctx.recurse``, which is this dispatcher one level deeper:
the nesting limit is checked here and nowhere else.

Import graph (one way): base <- safezip (<- sniff), safexml (<- opc), chunks <- the families
(text, pdf, ooxml with xlsx and slides, odf, mail, rtf, archive) <- this module.
"""
from __future__ import annotations

import functools
import logging
import lzma
import posixpath
import time
import warnings
import zipfile
import zlib
from typing import Callable, Iterator, NamedTuple, Optional

from dataguard.extract import archive, mail, odf, ooxml, pdf, rtf, text
from dataguard.extract.base import ExtractContext, Opener, Piece, describe
from dataguard.extract.sniff import HEAD_BYTES, sniff
from dataguard.extract.safexml import UnsafeXML
from dataguard.names import as_text
from dataguard.types import NAME_PART, Anchor, Chunk, Limits, Pointer, Problem, Unit

NAME_POINTER = Pointer(part=NAME_PART)

__all__ = ["CONTENT_ERRORS", "ExtractContext", "FAMILIES", "Family", "describe", "extract", "family_of",
           "make_context", "quiet_parsers"]

log = logging.getLogger(__name__)
clock = time.monotonic       # what the time budget is measured with (tests put a fake clock here)

# Exceptions that mean "this content cannot be parsed" whatever the family (a zip member's
# compressed stream that does not decompress, or whose header names a method zipfile has not:
# zlib.error, lzma.LZMAError, NotImplementedError)
CONTENT_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
                  AssertionError, RecursionError, UnicodeError, LookupError, OverflowError, ArithmeticError,
                  zlib.error, lzma.LZMAError, NotImplementedError)


def _pdf_errors() -> tuple:
    from pypdf.errors import PyPdfError
    return (PyPdfError, NotImplementedError)      # pypdf: an unsupported filter or encryption


def _msg_errors() -> tuple:
    from extract_msg.exceptions import ExMsgBaseException
    return (ExMsgBaseException,)


class Family(NamedTuple):
    """An extractor ``extract(unit, opener, name, ctx)`` and the exceptions of its
    parsing library that also mean corrupt content (loaded when first needed)."""
    extract: Callable[..., Iterator[Piece]]
    errors: Callable[[], tuple] = tuple


_ARCHIVE = Family(archive.extract)
_OOXML = Family(ooxml.extract)
_MAIL = Family(mail.extract, _msg_errors)

# sniffed family -> extractor
FAMILIES: dict = {
    "text": Family(text.extract),
    "pdf": Family(pdf.extract, _pdf_errors),
    "docx": _OOXML, "xlsx": _OOXML, "pptx": _OOXML,
    "odf": Family(odf.extract),
    "eml": _MAIL, "mbox": _MAIL, "msg": _MAIL,
    "rtf": Family(rtf.extract),
    "zip": _ARCHIVE, "tar": _ARCHIVE, "gz": _ARCHIVE, "bz2": _ARCHIVE, "xz": _ARCHIVE,
}


def family_of(opener: Opener, name: str, limits: Limits = Limits()) -> str:
    return _sniffed(opener, name, limits)[0]


def _sniffed(opener: Opener, name: str, limits: Limits) -> tuple:
    """(family, size in bytes or None when the stream cannot tell it cheaply)."""
    with opener() as fh:
        head = fh.read(HEAD_BYTES)
        seekable = getattr(fh, "seekable", lambda: False)()
        family = sniff(head, name, fh if seekable else None, limits)
        size = None
        if seekable and family in _EXPANDING:
            try:
                size = fh.seek(0, 2)
            except (OSError, ValueError):
                size = None
        return family, size


# the text a document may give: at most max_compression_ratio times its size in characters,
# and never less than this (a small document's text may well be longer than its zipped XML)
EXPANSION_FLOOR_CHARS = 16 * 1024**2
# the families whose text is bounded so: documents. Not plain text (never longer than its
# file), not archives (their members' sizes and ratios are bounded as they are copied out, and
# repetitive logs compress 300:1 with xz), not mail (its parts are bounded as members)
_EXPANDING = frozenset({"docx", "xlsx", "pptx", "odf", "pdf", "rtf"})


def make_context(limits: Limits, family: str, depth: int = 0, names: bool = False) -> ExtractContext:
    """The context a family extractor runs with at ``depth``."""
    return ExtractContext(limits=limits, family=family, depth=depth,
                          recurse=functools.partial(_recurse, limits, depth, names),
                          too_deep=functools.partial(_too_deep, limits, depth), names=names)


def _too_deep(limits: Limits, depth: int, member: Unit) -> Optional[Problem]:
    """The nesting limit: a member of an item at ``depth`` lies at ``depth + 1``."""
    if depth + 1 > limits.max_archive_depth:
        return Problem(describe(member), "too_large", f"nesting deeper than {limits.max_archive_depth}")
    return None


def _recurse(limits: Limits, depth: int, names: bool, member: Unit, opener: Opener, name: str) -> Iterator[Piece]:
    """Extract a member (archive entry, attachment, embedded object) one level deeper."""
    problem = _too_deep(limits, depth, member)
    if problem is not None:
        yield problem
        return
    yield from extract(member, opener, posixpath.basename(name) or name, limits, depth + 1, names=names)


# families sniffing names and no extractor reads: (problem kind, message, skipped)
_NOT_READ = {
    "binary": ("binary", "binary content", True),
    "encrypted_office": ("encrypted", "password-protected Office document", False),
    "legacy_office": ("unsupported", "Office 97-2003 document (.doc, .xls, .ppt): not read", True),
    # (a database file among documents: its tables are read when it is a target of its own)
    "sqlite": ("unsupported", "SQLite database: not read as a file; scan it as a target (sqlite:///PATH)", True),
}


def extract(unit: Unit, opener: Opener, name: str, limits: Limits, depth: int = 0,
            names: bool = False) -> Iterator[Piece]:
    """Yield the chunks of one item (or member); never raises for bad content. With
    ``names`` (what a scan asks for), the item's and each member's own name come first, as
    a chunk of its unit (``part="name"``): names are data.

    Time budget: ``limits.item_timeout_s`` of extraction time (reading and parsing, summed
    over the chunks; not the time the consumer spends on detection between chunks), so a
    parser stuck on a pathological file is stopped while a 2 GB log that streams steadily
    is read to its end."""
    where = describe(unit)
    quiet_parsers()
    named = name_chunk(unit, name) if names else None
    if named is not None:
        yield named
    try:
        family, size = _sniffed(opener, name, limits)
    except OSError as exc:
        yield Problem(where, "unreadable", _safe_os_message(exc))
        return
    if family in _NOT_READ:
        kind, message, skipped = _NOT_READ[family]
        yield Problem(where, kind, message, skipped=skipped)
        return
    chosen = FAMILIES.get(family)
    if chosen is None:
        yield Problem(where, "unsupported", f"no extractor for {family}", skipped=True)
        return
    gen = chosen.extract(unit, opener, name, make_context(limits, family, depth, names))
    try:
        yield from _timed(_bounded(gen, where, size, limits), where, limits.item_timeout_s)
    except MemoryError:
        yield Problem(where, "too_large", "item needs more memory than allowed")
    except UnsafeXML:
        yield Problem(where, "corrupt", f"cannot parse {family}: its XML declares a DTD or entities (refused: "
                                        "entity expansion, external entities)")
    except CONTENT_ERRORS + chosen.errors() as exc:
        yield Problem(where, "corrupt", f"cannot parse {family}: {type(exc).__name__}")
    except OSError as exc:
        yield Problem(where, "unreadable", _safe_os_message(exc))
    except Exception as exc:  # noqa: BLE001 - the extractor layer must never let one item kill a scan
        # (not naming the item: its error does, masked with what was found in its names)
        log.debug("extractor %s failed: %s", family, type(exc).__name__, exc_info=False)
        yield Problem(where, "corrupt", f"cannot parse {family}: {type(exc).__name__}")


# Parsing libraries that log what they parse (a cell, a name, a property): silenced in
# every process that extracts; with no handler on the root logger, Python's last-resort
# handler would print their warnings to stderr.
PARSER_LOGGERS = ("pypdf", "extract_msg", "olefile", "compressed_rtf", "RTFDE",
                  "striprtf", "charset_normalizer", "email", "PIL", "fontTools", "tnefparse", "chardet")
_quiet = False


def quiet_parsers() -> None:
    """Drop what parsing libraries log (their messages can quote content); idempotent."""
    global _quiet
    if _quiet:
        return
    _quiet = True
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    for name in PARSER_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _step(gen: Iterator[Piece]) -> Piece:
    """The next piece, with every Python warning the parsing raises dropped (a library's
    warning can quote the cell, name or property it is about)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return next(gen)


NAME_CHARS = 1024           # a name longer than this is scanned by its first characters


def name_chunk(unit: Unit, name: str) -> Optional[Chunk]:
    """The item's or member's own name as a chunk (``part="name"``): names are data. A name
    with an extension or an underscore is followed by a line that reads it (``name_reading``):
    ``jane@un.org.txt`` holds an e-mail address that the extension would otherwise spoil,
    ``Jane_Roe_CV.docx`` and ``card_4111111111111111.csv`` values that underscores glue to words."""
    base = posixpath.basename(name.replace("\\", "/")) or name
    text = as_text(base)[:NAME_CHARS]
    if not text.strip():
        return None
    reading = name_reading(text)
    if reading != text:
        text = f"{text}\n{reading}"
    return Chunk(unit=unit, text=text, first_line=None, anchors=(Anchor(0, NAME_POINTER),))


def name_reading(name: str) -> str:
    """A name as its words read: without its extension, its underscores as spaces (one character
    for one: a value found there is at the same place in the name)."""
    stem, _, ext = name.rpartition(".")
    if stem.strip(".") and ext.isalnum() and len(ext) <= 5:
        name = stem
    return name.replace("_", " ")


def _timed(gen: Iterator[Piece], where: str, budget_s: float) -> Iterator[Piece]:
    """``gen``'s pieces until the time spent inside it passes ``budget_s`` (then a timeout)."""
    spent = 0.0
    while True:
        started = clock()
        try:
            out = _step(gen)
        except StopIteration:
            return
        spent += clock() - started
        yield out
        if spent > budget_s:
            yield Problem(where, "timeout", f"item exceeded its time budget of {budget_s:g}s")
            gen.close()
            return


def _bounded(gen: Iterator[Piece], where: str, size: Optional[int], limits: Limits) -> Iterator[Piece]:
    """``gen``'s pieces until the text of its chunks passes what a document of ``size`` bytes
    may give (``EXPANSION_FLOOR_CHARS``, or ``max_compression_ratio`` times its size): then a
    bomb. A cell repeated ten thousand times, one shared string in every cell of a sheet,
    expand a few kilobytes to gigabytes of text that no other limit counts (``_EXPANDING``:
    documents only)."""
    if not size:
        yield from gen
        return
    cap = max(EXPANSION_FLOOR_CHARS, int(limits.max_compression_ratio * size))
    chars = 0
    for piece in gen:
        text = getattr(piece, "text", None)
        if text is not None:        # (the keep window: the overlap around it is counted once)
            chars += piece.keep_end - piece.keep_start if piece.keep_end is not None else len(text)
            if chars > cap:
                gen.close()
                yield Problem(where, "bomb", f"its text expands past {limits.max_compression_ratio:g} times its size")
                return
        yield piece


def _safe_os_message(exc: OSError) -> str:
    # strerror only: never the library's message, which may echo content.
    return exc.strerror or type(exc).__name__

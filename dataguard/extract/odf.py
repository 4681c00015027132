"""OpenDocument: odt (text), ods (spreadsheet), odp (presentation) from content.xml.

Read with the streaming, DTD-refusing XML reader of ``safexml`` straight from the
zip (no odfpy tree of the whole document).

* odt: paragraphs / headings / lists in order; table rows (cells joined "\\t")
  part="table"; lines counted over the extracted text.
* ods: one anchor per cell ``Pointer(sheet=table name, cell="B7")``, rows joined
  "\\n", cells "\\t", hint "structured"; float/percentage/currency cells use
  their stored value (so 4111111111111111 is not shown as 4.11E+15), dates the
  ISO stored date; repeated empty rows/columns only advance the position.
  A table whose XML is broken is a ``corrupt`` Problem "cannot parse sheet N of M" (by place:
  names are data) and the tables after it are read (``_OdsTables``).
* odp: page = slide number, part="slide" / "notes".
* meta.xml: initial creator / creator (part="properties").
An encrypted document (encryption-data in the manifest) -> Problem "encrypted".
"""
from __future__ import annotations

import re
import zipfile
from typing import Iterator

from dataguard.extract.base import ExtractContext, Piece, describe, sheet_name_chunk
from dataguard.extract.chunks import ChunkBuilder, SheetHeader, column_letter, render_value
from dataguard.extract.safexml import UnsafeXML, iter_xml, parse_xml
from dataguard.extract.safezip import open_zip
from dataguard.extract.sniff import mimetype as package_mimetype
from dataguard.types import Chunk, Pointer, Problem, Unit

OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
PRES = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"
DC = "{http://purl.org/dc/elements/1.1/}"
MAX_REPEAT = 100          # repeated non-empty cells/rows rendered at most this often
MAX_SPACES = 16           # a <text:s text:c="N"/> run gives at most this many spaces
MANIFEST_BYTES = 1024 * 1024    # of META-INF/manifest.xml searched for encryption data
REPEAT_BUDGET = 100_000   # cells a spreadsheet may add by repetition, beyond which repeats render once
MAX_BROKEN_SHEETS = 20    # read on past this many broken tables (each one costs a re-reading of content.xml)
HEAD_BYTES = 1024 * 1024  # of content.xml: where the table prefix is declared, and the opening before its first table


def _text(el, out: list) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag
        if tag == TEXT + "s":
            out.append(" " * _count(child.get(TEXT + "c"), MAX_SPACES))
        elif tag == TEXT + "tab":
            out.append("\t")
        elif tag == TEXT + "line-break":
            out.append("\n")
        elif tag in (OFFICE + "annotation",):
            out.append(" ")
            _text(child, out)
            out.append(" ")
        elif tag in (TEXT + "note-citation",):
            pass
        else:
            _text(child, out)
        if child.tail:
            out.append(child.tail)


def _declared(raw) -> int:
    """A repeat attribute (``text:c``, ``number-*-repeated``) as a count of at least 1
    (a position only: what is rendered from it is capped by its user)."""
    raw = (raw or "1").strip()
    return max(1, int(raw[:12])) if raw.isdecimal() else 1


def _count(raw, cap: int) -> int:
    return min(_declared(raw), cap)


def _para(el) -> str:
    out: list = []
    _text(el, out)
    return "".join(out)


def _cell_text(cell) -> str:
    vtype = cell.get(OFFICE + "value-type")
    if vtype in ("float", "percentage", "currency"):
        raw = cell.get(OFFICE + "value")
        try:
            return render_value(float(raw))
        except (TypeError, ValueError):
            pass
    if vtype == "date":
        raw = cell.get(OFFICE + "date-value") or ""
        if raw:
            return raw[:10] if raw[11:16] in ("", "00:00") else f"{raw[:10]} {raw[11:16]}"
    paras = [_para(p) for p in cell if p.tag in (TEXT + "p", TEXT + "h", TEXT + "list")]
    text = " ".join(p for p in paras if p)
    return text or cell.get(OFFICE + "string-value") or ""


def _text_block(el, part) -> Iterator[tuple]:
    tag = el.tag
    if tag in (TEXT + "p", TEXT + "h"):
        yield _para(el), Pointer(part=part)
    elif tag == TABLE + "table":
        for row in el.iter(TABLE + "table-row"):
            cells = [_cell_text(c) for c in row if c.tag == TABLE + "table-cell"]
            yield "\t".join(c.replace("\n", " ") for c in cells), Pointer(part="table")   # (empty cells too)
    else:
        for child in el:
            yield from _text_block(child, part)


def _odt(unit, zf, limits) -> Iterator[Chunk]:
    b = ChunkBuilder(unit, limits)
    with zf.open("content.xml") as fh:
        # document-content(1) > body(2) > text(3) > blocks(4)
        for ev in iter_xml(fh, 4):
            if ev[0] == "elem":
                for text, ptr in _text_block(ev[1], None):
                    if text.strip():
                        yield from b.text(text, ptr)
    yield from _meta(zf, b)
    yield from b.flush()


def _rows(el):
    if el.tag == TABLE + "table-row":
        yield el
    elif el.tag in (TABLE + "table-header-rows", TABLE + "table-row-group", TABLE + "table-rows"):
        for child in el:
            yield from _rows(child)


class _Sheet:
    """The position in one ods table and what repetition may still add (``budget``)."""

    def __init__(self, unit, limits, name: str, budget: list):
        self.b = ChunkBuilder(unit, limits, hint="structured", lines=False)
        self.name = name
        self.row_no = 0
        self.header = SheetHeader()
        self.budget = budget          # [cells]: shared by the document's tables

    def _repeats(self, declared: int, cells: int) -> int:
        """How often a repeated run of ``cells`` cells is rendered (at least once)."""
        times = min(declared, MAX_REPEAT)
        if times > 1 and self.budget[0] < cells * (times - 1):
            times = 1
        self.budget[0] -= cells * (times - 1)
        return times

    def row(self, row) -> Iterator[Chunk]:
        rrep = _declared(row.get(TABLE + "number-rows-repeated"))
        cols, col = [], 0
        for cell in row:
            if cell.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                continue
            crep = _declared(cell.get(TABLE + "number-columns-repeated"))
            text = _cell_text(cell)
            if text:
                cols.extend((col + k + 1, text) for k in range(self._repeats(crep, 1)))
            col += crep
        if cols:
            for k in range(self._repeats(rrep, len(cols))):
                yield from self._emit(cols, self.row_no + k + 1)
        self.row_no += rrep

    def _emit(self, cols: list, r: int) -> Iterator[Chunk]:
        pieces = [(t, Pointer(sheet=self.name, cell=f"{column_letter(c)}{r}")) for c, t in cols]
        if not self.header.done:
            self.header.see([t for t, _ in pieces], [column_letter(c) for c, _ in cols])
            self.b.context = self.header.context
        yield from self.b.add(pieces)


def _ods(unit, zf, ctx: ExtractContext) -> Iterator[Piece]:
    """Each table's rows as structured chunks, one anchor per cell; a table whose XML is broken is
    a ``corrupt`` Problem naming it by its place (its name is data), and the tables after it are
    read (``_OdsTables``); then the document's properties."""
    yield from _OdsTables(unit, zf, ctx).read()
    mb = ChunkBuilder(unit, ctx.limits)
    yield from _meta(zf, mb)
    yield from mb.flush()


class _OdsTables:
    """The tables of content.xml, read on past a broken one. All tables are in one XML stream,
    which expat cannot read beyond a fault: the reading goes on with the document's opening (up
    to its first table) followed by its bytes from the next table's start tag after the fault
    (found in the raw bytes, by the prefix the document binds to the table namespace)."""

    def __init__(self, unit, zf, ctx: ExtractContext):
        self.unit, self.zf, self.ctx = unit, zf, ctx
        self.budget = [REPEAT_BUDGET]       # shared by the document's tables
        self.count = 0                      # tables met
        self.broken: list = []              # (place, exception name) of the tables that broke
        self.head = b""                     # the opening read before the spliced bytes (none at first)
        self.offset = 0                     # where in content.xml the bytes after ``head`` start
        self.lost = False                   # the reading could not go on past a break (tables after it unknown)

    def read(self) -> Iterator[Piece]:
        fh, at = self.zf.open("content.xml"), None
        while fh is not None:
            with fh:
                at = yield from self._tables(fh)
            fh = None if at is None or len(self.broken) >= MAX_BROKEN_SHEETS else self._resume(at)
        capped = at is not None and len(self.broken) >= MAX_BROKEN_SHEETS
        for k, (place, name) in enumerate(self.broken, 1):
            yield Problem(describe(self.unit), "corrupt", self._message(k, place, name, capped))

    def _message(self, k: int, place: int, name: str, capped: bool) -> str:
        """The problem of the ``k``-th broken table: by its place among all the tables, or, when
        the reading stopped before the end (how many tables there are: unknown), by its place alone."""
        if not (capped or self.lost):
            return f"cannot parse sheet {place} of {self.count}: {name}"
        if k < len(self.broken):
            return f"cannot parse sheet {place}: {name}"
        return f"cannot parse sheet {place}: {name}; " + (f"{k} broken sheets: " if capped else "") + \
            "reading stopped there"

    def _tables(self, fh) -> Iterator[Chunk]:
        """The tables of one reading; returns where in content.xml it broke (None: it did not)."""
        sheet = None
        try:
            # document-content(1) > body(2) > spreadsheet(3) > table(4) > rows(5)
            for ev in iter_xml(fh, 5):
                if ev[0] == "start":
                    if ev[1] == TABLE + "table" and ev[3] == 4:
                        if sheet is not None:
                            yield from sheet.b.flush()
                        self.count += 1
                        sheet = _Sheet(self.unit, self.ctx.limits, ev[2].get(TABLE + "name", ""), self.budget)
                        yield from sheet_name_chunk(self.ctx, self.unit, sheet.name)
                    continue
                if sheet is not None:
                    for row in _rows(ev[1]):
                        yield from sheet.row(row)
        except (MemoryError, OSError, UnsafeXML, zipfile.BadZipFile):
            raise                           # (the document's: too large, unreadable, refused)
        except Exception as exc:  # noqa: BLE001 - one broken table never hides the others
            if sheet is None:
                raise                       # (before any table: the document's)
            yield from sheet.b.flush()      # (the rows read before the fault stand)
            self.broken.append((self.count, type(exc).__name__))
            at = getattr(exc, "at", None)
            return None if at is None or at < len(self.head) else at - len(self.head) + self.offset
        if sheet is not None:
            yield from sheet.b.flush()
        return None

    def _resume(self, at: int):
        """content.xml spliced: its opening, then its bytes from the first table start tag after
        byte ``at``; None when there is no such table (or no table prefix to find it by)."""
        tag = _table_tag(self.zf)
        if tag is None:
            self.lost = True
            return None
        if not self.head:
            first = _find(self.zf, tag, 0)
            if first is None or first > HEAD_BYTES:
                self.lost = True
                return None
            with self.zf.open("content.xml") as fh:
                self.head = fh.read(first)
        following = _find(self.zf, tag, max(at, self.offset + 1))
        if following is None:
            return None
        self.offset = following
        return _Spliced(self.zf, self.head, following)


class _Spliced:
    """A file-like reading ``head``, then content.xml from byte ``start`` on."""

    def __init__(self, zf, head: bytes, start: int):
        self.head = head
        self.fh = zf.open("content.xml")
        _skip(self.fh, start)

    def read(self, n: int = -1) -> bytes:
        if self.head:
            n = len(self.head) if n < 0 else n
            out, self.head = self.head[:n], self.head[n:]
            return out
        return self.fh.read(n)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _skip(fh, n: int) -> None:
    while n > 0:
        block = fh.read(min(n, 1 << 16))
        if not block:
            return
        n -= len(block)


def _table_tag(zf):
    """A pattern of a table's start tag, with the prefix the document's root binds to the table
    namespace (read from the opening of content.xml); None when it binds none."""
    with zf.open("content.xml") as fh:
        opening = fh.read(HEAD_BYTES)
    m = re.search(rb'xmlns:([A-Za-z_][\w.-]{0,31})\s*=\s*["\']' + re.escape(TABLE[1:-1].encode()) + rb'["\']',
                  opening)
    return None if m is None else re.compile(rb"<" + re.escape(m.group(1)) + rb":table[\s/>]")


def _find(zf, tag, start: int):
    """The byte offset of the first match of ``tag`` in content.xml at or after ``start``; None if none."""
    with zf.open("content.xml") as fh:
        _skip(fh, start)
        pos, tail = start, b""
        while True:
            block = fh.read(1 << 16)
            if not block:
                return None
            data = tail + block
            m = tag.search(data)
            if m is not None:
                return pos - len(tail) + m.start()
            tail = data[-48:]
            pos += len(block)


def _odp(unit, zf, limits) -> Iterator[Chunk]:
    b = ChunkBuilder(unit, limits)
    page = 0
    with zf.open("content.xml") as fh:
        # document-content(1) > body(2) > presentation(3) > draw:page(4)
        for ev in iter_xml(fh, 4):
            if ev[0] != "elem" or ev[1].tag != DRAW + "page":
                continue
            page += 1
            yield from _odp_walk(ev[1], page, "slide", b)
    yield from _meta(zf, b)
    yield from b.flush()


def _odp_walk(el, page, part, b) -> Iterator[Chunk]:
    for child in el:
        if child.tag == PRES + "notes":
            yield from _odp_walk(child, page, "notes", b)
        elif child.tag in (TEXT + "p", TEXT + "h"):
            text = _para(child)
            if text.strip():
                yield from b.text(text, Pointer(page=page, part=part))
        elif child.tag == TABLE + "table":
            for text, _ in _text_block(child, part):
                if text.strip():
                    yield from b.text(text, Pointer(page=page, part="table"))
        else:
            yield from _odp_walk(child, page, part, b)


def _meta(zf, b) -> Iterator[Chunk]:
    try:
        fh = zf.open("meta.xml")
    except KeyError:
        return
    with fh:
        root = parse_xml(fh)
    seen = set()
    for tag, label in ((META + "initial-creator", "Author"), (DC + "creator", "Last modified by")):
        for el in root.iter(tag):
            value = (el.text or "").strip()
            if value and (label, value) not in seen:
                seen.add((label, value))
                yield from b.text(f"{label}: {value}", Pointer(part="properties"))


def _encrypted(zf) -> bool:
    """Whether the manifest (its first MANIFEST_BYTES) declares encrypted members."""
    try:
        with zf.open("META-INF/manifest.xml") as fh:
            return b"encryption-data" in fh.read(MANIFEST_BYTES)
    except KeyError:
        return False


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    where = describe(unit)
    with open_zip(opener, ctx.limits, where) as z:
        if z.problem is not None:
            yield z.problem
            return
        zf = z.zf
        if _encrypted(zf):
            yield Problem(where, "encrypted", "document is password protected")
            return
        mimetype = package_mimetype(zf)
        ext = name.rsplit(".", 1)[-1].lower()
        if "spreadsheet" in mimetype or (not mimetype and ext == "ods"):
            yield from _ods(unit, zf, ctx)
        elif "presentation" in mimetype or (not mimetype and ext == "odp"):
            yield from _odp(unit, zf, ctx.limits)
        else:
            yield from _odt(unit, zf, ctx.limits)

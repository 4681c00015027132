"""Office Open XML: docx (Word), xlsx/xlsm (Excel), pptx (PowerPoint).

Also home of the small helpers the other document extractors share:

* ``ChunkBuilder`` - turns a sequence of located text segments into bounded,
  self-contained chunks (split at segment boundaries; a single segment longer
  than a chunk is cut into overlapping windows).
* ``iter_xml`` - a streaming XML reader on expat that refuses any DTD / entity
  declaration (billion laughs, external entities) and hands back one subtree
  at a time, so a huge part is never held whole.
* ``zip_guard`` - declared sizes / compression ratios of a zip container
  checked before anything is decompressed (a docx can be a zip bomb too).
* ``seekable`` - a seekable view of an opener's stream (spooled when needed).

docx parts: body paragraphs and tables (part="table"), headers, footers,
comments, footnotes/endnotes (part="footnote"), core properties author /
last modified by (part="properties").  Lines are counted over the whole
extracted text of the document, in the order emitted (body, headers, footers,
footnotes, comments, properties).

xlsx: every worksheet, hidden ones included; one chunk per block of rows, cells
joined by "\\t", rows by "\\n", one anchor per cell (sheet, cell); hint
"structured"; the sheet's first non-empty row is the chunk context.

pptx: per slide (page = slide number) its text frames (part="slide"),
table rows (part="table") and notes (part="notes").

Embedded objects (``word|xl|ppt/embeddings/*``: an xlsx in a docx, ...) are
members named by their path in the package, extracted with depth + 1 (OLE
``.bin`` objects end up as skipped binary).
"""
from __future__ import annotations

import datetime as _dt
import decimal
import io
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from contextlib import contextmanager
from typing import BinaryIO, Iterable, Iterator, Optional, Sequence, Union
from xml.parsers import expat

from dataguard.types import Anchor, Chunk, Limits, Pointer, Problem, Unit

SPOOL_MEMORY = 8 * 1024 * 1024
BOMB_MIN_BYTES = 10 * 1024 * 1024      # below this, a high ratio is just a repetitive file
_READ = 1 << 16


def describe(unit: Unit) -> str:
    return unit.uri if not unit.member else f"{unit.uri}!/{unit.member}"


def read_whole(unit: Unit, opener, limits: Limits, what: str) -> Union[bytes, Problem]:
    """The bytes of an item parsed whole in memory (RTF, e-mail), or a too_large Problem
    beyond Limits.parse_cap (never read further than that)."""
    cap = limits.parse_cap
    with opener() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        return Problem(describe(unit), "too_large", f"{what} larger than {cap} bytes", skipped=True)
    return data


# ---------------------------------------------------------------- chunks
class ChunkBuilder:
    """Accumulates located segments (one per line of output) into chunks.

    ``add(pieces)`` appends one output line made of ``(text, pointer)`` pieces
    joined by ``sep``; each piece gets an anchor.  Chunks are flushed at line
    boundaries once ``limits.chunk_chars`` would be exceeded.
    """

    def __init__(self, unit: Unit, limits: Limits, hint: Optional[str] = None, lines: bool = True,
                 context: tuple = ()):
        self.unit = unit
        self.limit = max(1, limits.chunk_chars)
        self.overlap = max(0, limits.overlap_chars)
        self.hint = hint
        self.lines = lines
        self.context = context
        self.line = 1
        self._parts: list[str] = []
        self._anchors: list[Anchor] = []
        self._size = 0

    def _anchor(self, offset: int, pointer: Pointer) -> None:
        if self._anchors and self._anchors[-1].pointer == pointer:
            return
        if self._anchors and self._anchors[-1].offset == offset:
            self._anchors[-1] = Anchor(offset, pointer)
            return
        self._anchors.append(Anchor(offset, pointer))

    def add(self, pieces: Sequence[tuple], sep: str = "\t") -> Iterator[Chunk]:
        pieces = [(t, p) for t, p in pieces if t]
        if not pieces:
            return
        length = sum(len(t) for t, _ in pieces) + len(sep) * (len(pieces) - 1)
        if length > self.limit:
            yield from self.flush()
            if len(pieces) == 1:
                yield from self._long(pieces[0][0], pieces[0][1])
                return
            # A very long row: one line per piece keeps every piece located.
            for text, ptr in pieces:
                yield from self.add([(text, ptr)])
            return
        if self._parts and self._size + length + 1 > self.limit:
            yield from self.flush()
        offset = self._size
        for i, (text, ptr) in enumerate(pieces):
            self._anchor(offset, ptr)
            offset += len(text) + (len(sep) if i < len(pieces) - 1 else 0)
        self._parts.append(sep.join(t for t, _ in pieces))
        self._size += length + 1

    def text(self, text: str, pointer: Pointer) -> Iterator[Chunk]:
        """Add free text (may contain newlines) under one pointer."""
        yield from self.add([(text, pointer)])

    def _long(self, text: str, pointer: Pointer) -> Iterator[Chunk]:
        start = 0
        first = self.line
        while start < len(text):
            end = min(len(text), start + self.limit)
            if end < len(text):
                nl = text.rfind("\n", start + int(self.limit * 0.9), end)
                if nl != -1:
                    end = nl + 1
            lo = max(0, start - self.overlap)
            hi = min(len(text), end + self.overlap)
            piece = text[lo:hi]
            yield Chunk(unit=self.unit, text=piece, keep_start=start - lo, keep_end=end - lo,
                        first_line=(first + text.count("\n", 0, lo)) if self.lines else None,
                        anchors=(Anchor(0, pointer),), context=self.context, hint=self.hint,
                        first_col=lo - text.rfind("\n", 0, lo))
            start = end
        self.line = first + text.count("\n") + 1

    def flush(self) -> Iterator[Chunk]:
        if not self._parts:
            return
        text = "\n".join(self._parts)
        yield Chunk(unit=self.unit, text=text, keep_start=0, keep_end=None,
                    first_line=self.line if self.lines else None, anchors=tuple(self._anchors),
                    context=self.context, hint=self.hint)
        self.line += text.count("\n") + 1
        self._parts, self._anchors, self._size = [], [], 0


# ---------------------------------------------------------------- safe XML
class UnsafeXML(ValueError):
    """A DTD or entity declaration: refused (billion laughs, external entities)."""


def _qn(name: str) -> str:
    return "{" + name if "}" in name else name


def iter_xml(fh: BinaryIO, emit_depth: int) -> Iterator[tuple]:
    """Stream an XML document: yield ("start", tag, attrs, depth) for elements
    shallower than ``emit_depth`` and ("elem", Element) for each complete
    subtree rooted at ``emit_depth`` (the root element has depth 1)."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    out: list = []
    state = {"depth": 0, "builder": None}

    def start(name, attrs):
        state["depth"] += 1
        tag = _qn(name)
        attrs = {_qn(k): v for k, v in attrs.items()}
        if state["depth"] == emit_depth:
            state["builder"] = ET.TreeBuilder()
        b = state["builder"]
        if b is not None:
            b.start(tag, attrs)
        else:
            out.append(("start", tag, attrs, state["depth"]))

    def end(name):
        b = state["builder"]
        if b is not None:
            b.end(_qn(name))
            if state["depth"] == emit_depth:
                out.append(("elem", b.close()))
                state["builder"] = None
        state["depth"] -= 1

    def data(text):
        b = state["builder"]
        if b is not None:
            b.data(text)

    def refuse(*_a):
        raise UnsafeXML("DTD or entity declaration")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    while True:
        block = fh.read(_READ)
        try:
            parser.Parse(block, not block)
        except expat.ExpatError as exc:
            raise ValueError(f"malformed XML ({expat.ErrorString(exc.code)})") from None
        if out:
            yield from out
            out.clear()
        if not block:
            return


def parse_xml(fh: BinaryIO) -> ET.Element:
    """Whole (small) document, with the same refusal of DTDs."""
    for ev in iter_xml(fh, 1):
        if ev[0] == "elem":
            return ev[1]
    raise ValueError("empty XML")


# ---------------------------------------------------------------- containers
def zip_guard(zf: zipfile.ZipFile, archive_size: Optional[int], limits: Limits, where: str) -> Optional[Problem]:
    """A Problem when the declared content of a zip container is a bomb or too big."""
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        return Problem(where, "too_large", f"more than {limits.max_archive_members} members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > BOMB_MIN_BYTES and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            return Problem(where, "bomb", f"member expands {info.file_size // max(info.compress_size, 1)}x "
                                          f"(limit {limits.max_compression_ratio:g}x)")
    if archive_size and total > BOMB_MIN_BYTES and total > limits.max_compression_ratio * archive_size:
        return Problem(where, "bomb", f"archive expands {total // max(archive_size, 1)}x "
                                      f"(limit {limits.max_compression_ratio:g}x)")
    if total > limits.max_archive_total_bytes:
        return Problem(where, "too_large", f"expands to more than {limits.max_archive_total_bytes} bytes")
    return None


def stream_size(fh: BinaryIO) -> Optional[int]:
    try:
        pos = fh.tell()
        size = fh.seek(0, io.SEEK_END)
        fh.seek(pos)
        return size
    except (OSError, AttributeError, ValueError):
        return None


@contextmanager
def seekable(opener, limits: Optional[Limits] = None):
    """The opener's stream if seekable, else a spooled private copy."""
    fh = opener()
    try:
        if getattr(fh, "seekable", lambda: False)():
            yield fh
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            cap = limits.max_item_bytes if limits and limits.max_item_bytes else None
            copied = 0
            while True:
                block = fh.read(1 << 20)
                if not block:
                    break
                copied += len(block)
                if cap is not None and copied > cap:
                    raise MemoryError("item larger than max_item_bytes")
                spool.write(block)
            spool.seek(0)
            yield spool
    finally:
        fh.close()


@contextmanager
def open_zip(opener, limits: Limits, where: str):
    """(ZipFile, Problem-or-None) for an office container."""
    with seekable(opener, limits) as fh:
        size = stream_size(fh)
        with zipfile.ZipFile(fh) as zf:
            yield zf, zip_guard(zf, size, limits, where)


def _zip_part(zf: zipfile.ZipFile, name: str) -> Optional[BinaryIO]:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    return zf.open(info)


# ---------------------------------------------------------------- value rendering
def render_value(value) -> str:
    """A cell value as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    if isinstance(value, _dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, _dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, _dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)


def header_context(values: Iterable[str]) -> tuple:
    names = [v.strip()[:40] for v in values if v and v.strip()]
    return tuple(names[:50])


# ---------------------------------------------------------------- docx
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


def _wtext(el: ET.Element, out: list) -> None:
    for child in el:
        tag = child.tag
        if tag == _MC_FALLBACK or tag == W + "instrText" or tag == W + "rPr" or tag == W + "pPr":
            continue
        if tag == W + "t" or tag == W + "delText":
            out.append(child.text or "")
        elif tag == W + "tab":
            out.append("\t")
        elif tag in (W + "br", W + "cr"):
            out.append("\n")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "p":
            if out and out[-1] != "\n":
                out.append("\n")
            _wtext(child, out)
        else:
            _wtext(child, out)


def _para_text(el: ET.Element) -> str:
    out: list = []
    _wtext(el, out)
    return "".join(out).strip("\n")


def _cell_text(tc: ET.Element) -> str:
    paras = [_para_text(p) for p in tc if p.tag in (W + "p", W + "tbl", W + "sdt")]
    return " ".join(p for p in paras if p)


def _block_lines(el: ET.Element, part: Optional[str]) -> Iterator[tuple]:
    """(text, Pointer) lines of one block-level element (paragraph, table, content control)."""
    tag = el.tag
    if tag == W + "p":
        yield _para_text(el), Pointer(part=part)
    elif tag == W + "tbl":
        for tr in el.iter(W + "tr"):
            cells = [_cell_text(tc) for tc in tr if tc.tag == W + "tc"]
            row = "\t".join(c.replace("\n", " ") for c in cells if c)
            yield row, Pointer(part=part or "table") if part else Pointer(part="table")
    elif tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins", W + "del", W + "smartTag"):
        for child in el:
            if child.tag in (W + "sdtPr", W + "sdtEndPr"):
                continue
            yield from _block_lines(child, part)
    elif tag in (W + "comment", W + "footnote", W + "endnote", W + "txbxContent"):
        for child in el:
            yield from _block_lines(child, part)


def _docx_part(zf, name, emit_depth, part, b: ChunkBuilder) -> Iterator[Chunk]:
    fh = _zip_part(zf, name)
    if fh is None:
        return
    with fh:
        for ev in iter_xml(fh, emit_depth):
            if ev[0] != "elem":
                continue
            for text, ptr in _block_lines(ev[1], part):
                if text.strip():
                    yield from b.text(text, ptr)


def _docx(unit: Unit, zf: zipfile.ZipFile, limits: Limits) -> Iterator[Chunk]:
    b = ChunkBuilder(unit, limits)
    names = zf.namelist()
    main = "word/document.xml"
    if main not in names:
        raise KeyError("word/document.xml")
    # document(1) > body(2) > block elements(3)
    yield from _docx_part(zf, main, 3, None, b)
    for prefix, part in (("word/header", "header"), ("word/footer", "footer")):
        for name in sorted(n for n in names if n.startswith(prefix) and n.endswith(".xml")):
            yield from _docx_part(zf, name, 2, part, b)
    for name in ("word/footnotes.xml", "word/endnotes.xml"):
        yield from _docx_part(zf, name, 2, "footnote", b)
    yield from _docx_part(zf, "word/comments.xml", 2, "comment", b)
    yield from _core_properties(zf, b)
    yield from b.flush()


def _core_properties(zf, b: ChunkBuilder) -> Iterator[Chunk]:
    fh = _zip_part(zf, "docProps/core.xml")
    if fh is None:
        return
    with fh:
        root = parse_xml(fh)
    for tag, label in ((_DC + "creator", "Author"), (_CP + "lastModifiedBy", "Last modified by")):
        el = root.find(tag)
        if el is not None and (el.text or "").strip():
            yield from b.text(f"{label}: {el.text.strip()}", Pointer(part="properties"))


# ---------------------------------------------------------------- xlsx
def _xlsx(unit: Unit, fh: BinaryIO, limits: Limits) -> Iterator[Chunk]:
    import openpyxl
    wb = openpyxl.load_workbook(fh, read_only=True, data_only=True, keep_links=False)
    try:
        for ws in wb.worksheets:
            try:
                ws.reset_dimensions()
            except AttributeError:
                pass
            b = ChunkBuilder(unit, limits, hint="structured", lines=False)
            sheet = ws.title
            header_done = False
            for row in ws.iter_rows():
                pieces = []
                for cell in row:
                    value = getattr(cell, "value", None)
                    if value is None:
                        continue
                    text = render_value(value)
                    if not text:
                        continue
                    pieces.append((text, Pointer(sheet=sheet, cell=cell.coordinate)))
                if not pieces:
                    continue
                if not header_done:
                    b.context = header_context(t for t, _ in pieces)
                    header_done = True
                yield from b.add(pieces)
            yield from b.flush()
    finally:
        wb.close()


# ---------------------------------------------------------------- pptx
def _shape_lines(shapes, page: int) -> Iterator[tuple]:
    for sh in shapes:
        if hasattr(sh, "shapes"):          # group shape
            yield from _shape_lines(sh.shapes, page)
            continue
        if getattr(sh, "has_text_frame", False) and sh.has_text_frame:
            yield sh.text_frame.text.replace("\v", "\n"), Pointer(page=page, part="slide")
        if getattr(sh, "has_table", False) and sh.has_table:
            for row in sh.table.rows:
                cells = [c.text.replace("\n", " ").replace("\v", " ") for c in row.cells]
                yield "\t".join(c for c in cells if c), Pointer(page=page, part="table")


def _pptx(unit: Unit, fh: BinaryIO, limits: Limits) -> Iterator[Chunk]:
    from pptx import Presentation
    prs = Presentation(fh)
    b = ChunkBuilder(unit, limits)
    for page, slide in enumerate(prs.slides, 1):
        for text, ptr in _shape_lines(slide.shapes, page):
            if text.strip():
                yield from b.text(text, ptr)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None and frame.text.strip():
                yield from b.text(frame.text.replace("\v", "\n"), Pointer(page=page, part="notes"))
    yield from b.flush()


# ---------------------------------------------------------------- entry point
def _kind(zf: zipfile.ZipFile, name: str) -> str:
    names = set(zf.namelist())
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    ext = name.rsplit(".", 1)[-1].lower()
    return {"docx": "docx", "docm": "docx", "xlsx": "xlsx", "xlsm": "xlsx", "pptx": "pptx"}.get(ext, "docx")


def extract(unit: Unit, opener, name: str, limits: Limits, depth: int = 0) -> Iterator[Union[Chunk, Problem]]:
    where = describe(unit)
    with seekable(opener, limits) as fh:
        size = stream_size(fh)
        with zipfile.ZipFile(fh) as zf:
            problem = zip_guard(zf, size, limits, where)
            if problem is not None:
                yield problem
                return
            kind = _kind(zf, name)
            if kind == "docx":
                yield from _docx(unit, zf, limits)
        if kind != "docx":
            fh.seek(0)
            if kind == "xlsx":
                yield from _xlsx(unit, fh, limits)
            else:
                yield from _pptx(unit, fh, limits)
        fh.seek(0)
        yield from _embedded(unit, fh, limits, depth)


def _embedded(unit: Unit, fh: BinaryIO, limits: Limits, depth: int) -> Iterator[Union[Chunk, Problem]]:
    """Embedded packages (an xlsx inside a docx, ...) are members: ``word/embeddings/x.xlsx``."""
    from dataguard.extract.archive import run_member
    with zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            parts = info.filename.split("/")
            if len(parts) < 3 or parts[1] != "embeddings" or info.is_dir():
                continue
            child = unit.child(info.filename)
            if info.file_size > limits.parse_cap:
                yield Problem(describe(child), "too_large", f"embedded object larger than {limits.parse_cap} bytes",
                              skipped=True)
                continue
            try:
                data = zf.read(info)
            except Exception as exc:  # noqa: BLE001 - one bad object never hides the document
                yield Problem(describe(child), "corrupt", f"cannot read embedded object: {type(exc).__name__}")
                continue
            yield from run_member(child, lambda data=data: io.BytesIO(data), info.filename, limits, depth + 1)

"""Office Open XML: docx (Word), xlsx/xlsm (Excel), pptx (PowerPoint).

docx parts: body paragraphs and tables (part="table"), headers, footers,
comments, footnotes/endnotes (part="footnote"), core properties author /
last modified by (part="properties").  Lines are counted over the whole
extracted text of the document, in the order emitted (body, headers, footers,
footnotes, comments, properties).

xlsx (``xlsx.py``): every worksheet, hidden ones included; one chunk per block of
rows, cells joined by "\\t", rows by "\\n", one anchor per cell (sheet, cell); hint
"structured"; the sheet's first non-empty row is the chunk context.

pptx (``slides.py``): per slide (page = slide number) its text frames (part="slide"),
table rows (part="table") and notes (part="notes"), read shape by shape from the XML.

Embedded objects (``word|xl|ppt/embeddings/*``: an xlsx in a docx, ...) are
members named by their path in the package, extracted with depth + 1 (OLE
``.bin`` objects end up as skipped binary).
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Iterator, Optional

from dataguard.extract.base import ExtractContext, Piece, describe
from dataguard.extract.chunks import ChunkBuilder
from dataguard.extract.opc import children, part_info
from dataguard.extract.safexml import parse_xml
from dataguard.extract.safezip import open_zip
from dataguard.extract.slides import pptx_chunks
from dataguard.extract.xlsx import xlsx_chunks
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit

__all__ = ["ChunkBuilder", "extract"]


# ---------------------------------------------------------------- docx
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"


# (names built once: ``W + "t"`` in a comparison built a string for every element compared)
_W_SKIPPED = frozenset((_MC_FALLBACK, W + "instrText", W + "rPr", W + "pPr"))
_W_TEXT = frozenset((W + "t", W + "delText"))
_W_SIGNS = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}
_W_P, _W_TBL, _W_TR, _W_TC = W + "p", W + "tbl", W + "tr", W + "tc"
_W_CELL_BLOCKS = frozenset((_W_P, _W_TBL, W + "sdt"))
_W_WRAPPERS = frozenset(W + n for n in ("sdt", "customXml", "sdtContent", "ins", "del", "smartTag"))
_W_WRAPPER_PROPERTIES = frozenset((W + "sdtPr", W + "sdtEndPr"))
_W_NOTES = frozenset(W + n for n in ("comment", "footnote", "endnote", "txbxContent"))


def _wtext(el: ET.Element, out: list) -> None:
    for child in el:
        tag = child.tag
        if tag in _W_SKIPPED:
            continue
        if tag in _W_TEXT:
            out.append(child.text or "")
        elif tag in _W_SIGNS:
            out.append(_W_SIGNS[tag])
        elif tag == _W_P:
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
    paras = [_para_text(p) for p in tc if p.tag in _W_CELL_BLOCKS]
    return " ".join(p for p in paras if p)


def _block_lines(el: ET.Element, part: Optional[str]) -> Iterator[tuple]:
    """(text, Pointer) lines of one block-level element (paragraph, table, content control)."""
    tag = el.tag
    if tag == _W_P:
        yield _para_text(el), Pointer(part=part)
    elif tag == _W_TBL:
        for tr in el.iter(_W_TR):
            cells = [_cell_text(tc) for tc in tr if tc.tag == _W_TC]
            row = "\t".join(c.replace("\n", " ") for c in cells)      # (an empty cell too: columns stay aligned)
            yield row, Pointer(part=part or "table") if part else Pointer(part="table")
    elif tag in _W_WRAPPERS:
        for child in el:
            if child.tag in _W_WRAPPER_PROPERTIES:
                continue
            yield from _block_lines(child, part)
    elif tag in _W_NOTES:
        for child in el:
            yield from _block_lines(child, part)


def _docx_part(zf, name, emit_depth, part, b: ChunkBuilder) -> Iterator[Chunk]:
    for el in children(zf, name, emit_depth):
        for text, ptr in _block_lines(el, part):
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
    info = part_info(zf, "docProps/core.xml")
    if info is None:
        return
    with zf.open(info) as fh:
        root = parse_xml(fh)
    for tag, label in ((_DC + "creator", "Author"), (_CP + "lastModifiedBy", "Last modified by")):
        el = root.find(tag)
        if el is not None and (el.text or "").strip():
            yield from b.text(f"{label}: {el.text.strip()}", Pointer(part="properties"))


# ---------------------------------------------------------------- entry point
def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    """``ctx.family``: docx, xlsx or pptx (as sniffed)."""
    with open_zip(opener, ctx.limits, describe(unit)) as z:
        if z.problem is not None:
            yield z.problem
            return
        if ctx.family == "docx":
            yield from _docx(unit, z.zf, ctx.limits)
        elif ctx.family == "xlsx":
            yield from xlsx_chunks(unit, z.zf, ctx)
        else:
            yield from pptx_chunks(unit, z.zf, ctx.limits)
        yield from _embedded(unit, z.zf, ctx)


def _embedded(unit: Unit, zf: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[Piece]:
    """Embedded packages (an xlsx inside a docx, ...) are members: ``word/embeddings/x.xlsx``."""
    limits = ctx.limits
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
        yield from ctx.recurse(child, lambda data=data: io.BytesIO(data), info.filename)

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
from typing import BinaryIO, Iterator, Optional

from dataguard.extract.base import ExtractContext, Piece, describe
from dataguard.extract.chunks import ChunkBuilder
from dataguard.extract.opc import children
from dataguard.extract.safexml import parse_xml
from dataguard.extract.safezip import open_zip
from dataguard.extract.slides import pptx_chunks
from dataguard.extract.xlsx import xlsx_chunks
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit

__all__ = ["ChunkBuilder", "extract"]


def _zip_part(zf: zipfile.ZipFile, name: str) -> Optional[BinaryIO]:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    return zf.open(info)


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
            row = "\t".join(c.replace("\n", " ") for c in cells)      # (an empty cell too: columns stay aligned)
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
    fh = _zip_part(zf, "docProps/core.xml")
    if fh is None:
        return
    with fh:
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

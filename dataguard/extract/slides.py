"""PowerPoint (pptx) read straight from the package's XML, one shape at a time: per
slide in the presentation's order (page = slide number), the text of its text frames
(part="slide"; paragraphs one per line, group shapes included), its table rows (cells
joined by "\\t", part="table") and its notes (part="notes").

Only the presentation, its slides, their notes and relationships are parsed (media and
layouts never read); each shape is one XML subtree bounded by ``safexml``; a slide named
twice is read once."""
from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from typing import Iterator, Optional

from dataguard.extract.chunks import ChunkBuilder
from dataguard.extract.opc import children, relationships
from dataguard.types import Chunk, Limits, Pointer, Unit

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PRESENTATION = "ppt/presentation.xml"
_NOTES = "/notesSlide"


def _paragraph(p: ET.Element) -> str:
    out = []
    for el in p:
        if el.tag in (A + "r", A + "fld"):
            out.append(el.findtext(A + "t") or "")
        elif el.tag == A + "br":
            out.append("\n")
    return "".join(out)


def _frame_text(body: ET.Element) -> str:
    return "\n".join(_paragraph(p) for p in body.iter(A + "p"))


def _table_rows(frame: ET.Element) -> Iterator[str]:
    for tr in frame.iter(A + "tr"):
        cells = []
        for tc in tr.iter(A + "tc"):
            body = tc.find(A + "txBody")
            cells.append(_frame_text(body).replace("\n", " ") if body is not None else "")
        yield "\t".join(cells)          # (an empty cell too: columns stay aligned)


def _shape_lines(shape: ET.Element, page: int) -> Iterator[tuple]:
    """(text, Pointer) of one shape of a slide's tree (a group: its shapes in order)."""
    if shape.tag == P + "grpSp":
        for child in shape:
            yield from _shape_lines(child, page)
    elif shape.tag == P + "sp":
        body = shape.find(P + "txBody")
        if body is not None:
            yield _frame_text(body), Pointer(page=page, part="slide")
    elif shape.tag == P + "graphicFrame":
        for row in _table_rows(shape):
            yield row, Pointer(page=page, part="table")


def _is_notes_body(shape: ET.Element) -> bool:
    ph = shape.find(f"{P}nvSpPr/{P}nvPr/{P}ph")
    return shape.tag == P + "sp" and ph is not None and ph.get("type") == "body"


def _notes_text(zf: zipfile.ZipFile, part: Optional[str]) -> str:
    if part is None:
        return ""
    for shape in children(zf, part, 4):           # notes(1) > cSld(2) > spTree(3) > shape(4)
        body = shape.find(P + "txBody")
        if _is_notes_body(shape) and body is not None:
            return _frame_text(body)
    return ""


def _slide_parts(zf: zipfile.ZipFile) -> Iterator[str]:
    rels = relationships(zf, PRESENTATION)
    seen: set = set()
    for lst in children(zf, PRESENTATION, 2):     # presentation(1) > sldIdLst(2) > sldId
        if lst.tag != P + "sldIdLst":
            continue
        for sld in lst.iter(P + "sldId"):
            _, part = rels.get(sld.get(R + "id"), ("", None))
            if part is not None and part not in seen:
                seen.add(part)
                yield part


def pptx_chunks(unit: Unit, zf: zipfile.ZipFile, limits: Limits) -> Iterator[Chunk]:
    b = ChunkBuilder(unit, limits)
    for page, part in enumerate(_slide_parts(zf), 1):
        for shape in children(zf, part, 4):       # sld(1) > cSld(2) > spTree(3) > shape(4)
            for text, ptr in _shape_lines(shape, page):
                if text.strip():
                    yield from b.text(text, ptr)
        notes = next((p for kind, p in relationships(zf, part).values() if kind.endswith(_NOTES)), None)
        text = _notes_text(zf, notes)
        if text.strip():
            yield from b.text(text, Pointer(page=page, part="notes"))
    yield from b.flush()

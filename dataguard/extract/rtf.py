"""RTF via striprtf; lines counted in the plain text."""
from __future__ import annotations

from typing import Iterator

from dataguard.extract.base import ExtractContext, Piece, read_whole
from dataguard.extract.chunks import ChunkBuilder
from dataguard.types import Pointer, Problem, Unit


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    from striprtf.striprtf import rtf_to_text
    data = read_whole(unit, opener, ctx.limits, "RTF")
    if isinstance(data, Problem):
        yield data
        return
    raw = data.decode("latin-1")
    try:
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except TypeError:
        text = rtf_to_text(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return
    b = ChunkBuilder(unit, ctx.limits)
    yield from b.text(text, Pointer())
    yield from b.flush()

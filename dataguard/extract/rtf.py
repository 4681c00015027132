"""RTF via striprtf; lines counted in the plain text.

striprtf keeps one stack entry per open group: a file whose groups nest deeper than
``MAX_DEPTH`` (a 40 MB file of nested braces took 1.8 GB) is too_large."""
from __future__ import annotations

from typing import Iterator

from dataguard.extract.base import ExtractContext, Piece, describe, read_whole
from dataguard.extract.chunks import ChunkBuilder
from dataguard.types import Pointer, Problem, Unit


MAX_DEPTH = 10_000
_WINDOW = 4096


def _nests_too_deep(data: bytes) -> bool:
    """Whether groups may nest deeper than MAX_DEPTH: the depth at each window's start plus
    the groups opened in it, an upper bound off by at most one window (escaped braces count)."""
    depth = 0
    for at in range(0, len(data), _WINDOW):
        window = data[at:at + _WINDOW]
        opened = window.count(b"{")
        if depth + opened > MAX_DEPTH:
            return True
        depth = max(0, depth + opened - window.count(b"}"))
    return False


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    from striprtf.striprtf import rtf_to_text
    data = read_whole(unit, opener, ctx.limits, "RTF")
    if isinstance(data, Problem):
        yield data
        return
    if _nests_too_deep(data):
        yield Problem(describe(unit), "too_large", f"groups nested deeper than {MAX_DEPTH}")
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

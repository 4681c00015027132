"""RTF via striprtf; lines counted in the plain text."""
from __future__ import annotations

from typing import Iterator, Union

from dataguard.extract.ooxml import ChunkBuilder
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit


def extract(unit: Unit, opener, name: str, limits: Limits, depth: int = 0) -> Iterator[Union[Chunk, Problem]]:
    from striprtf.striprtf import rtf_to_text
    cap = limits.parse_cap
    with opener() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        yield Problem(unit.uri if not unit.member else f"{unit.uri}!/{unit.member}", "too_large",
                      f"RTF larger than {cap} bytes", skipped=True)
        return
    raw = data.decode("latin-1")
    try:
        text = rtf_to_text(raw, encoding="cp1252", errors="replace")
    except TypeError:
        text = rtf_to_text(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return
    b = ChunkBuilder(unit, limits)
    yield from b.text(text, Pointer())
    yield from b.flush()

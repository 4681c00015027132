"""What every extractor family shares: the ExtractContext it is handed, how an item
is named in problems, and bounded ways to read an item (a capped whole read, a
seekable view).

A family is a function ``extract(unit, opener, name, ctx)`` yielding Chunk or
Problem.  ``ctx`` carries the limits, the family the dispatcher sniffed, the
nesting depth, and the dispatcher's ``recurse(unit, opener, name)`` for members
(archive entries, attachments, embedded objects).
"""
from __future__ import annotations

import io
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator, Optional, Union

from dataguard.types import Chunk, Limits, Problem, Unit

Opener = Callable[[], BinaryIO]
Piece = Union[Chunk, Problem]
SPOOL_MEMORY = 8 * 1024 * 1024


def describe(unit: Unit) -> str:
    """Display string for a unit in problems: uri plus member path."""
    return unit.uri if not unit.member else f"{unit.uri}!/{unit.member}"


@dataclass(frozen=True)
class ExtractContext:
    """Handed by the dispatcher to a family: ``recurse`` extracts a member one level
    deeper (or yields the nesting Problem); ``too_deep`` is that same check, for a
    family that wants to skip copying a member that would not be extracted."""
    limits: Limits
    family: str
    depth: int
    recurse: Callable[[Unit, Opener, str], Iterator[Piece]]
    too_deep: Callable[[Unit], Optional[Problem]]


def read_whole(unit: Unit, opener: Opener, limits: Limits, what: str) -> Union[bytes, Problem]:
    """The bytes of an item parsed whole in memory (RTF, e-mail), or a too_large Problem
    beyond Limits.parse_cap (never read further than that)."""
    cap = limits.parse_cap
    with opener() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        return Problem(describe(unit), "too_large", f"{what} larger than {cap} bytes", skipped=True)
    return data


def stream_size(fh: BinaryIO) -> Optional[int]:
    try:
        pos = fh.tell()
        size = fh.seek(0, io.SEEK_END)
        fh.seek(pos)
        return size
    except (OSError, AttributeError, ValueError):
        return None


@contextmanager
def seekable(opener: Opener, limits: Optional[Limits] = None):
    """The opener's stream if seekable, else a spooled private copy (at most
    ``limits.max_item_bytes``: beyond, MemoryError)."""
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

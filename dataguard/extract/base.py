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
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator, Optional, Union

from dataguard.types import NAME_PART, Anchor, Chunk, Limits, Pointer, Problem, Unit

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
    names: bool = False       # the scan wants names (sheets...) as chunks: see sheet_name_chunk


def sheet_name_chunk(ctx: ExtractContext, unit: Unit, sheet: str) -> Iterator[Chunk]:
    """A sheet's name as a chunk (``part="name"``) when the scan asks for names."""
    if ctx.names and sheet.strip():
        yield Chunk(unit=unit, text=sheet[:1024], first_line=None,
                    anchors=(Anchor(0, Pointer(sheet=sheet, part=NAME_PART)),))


def read_whole(unit: Unit, opener: Opener, limits: Limits, what: str) -> Union[bytes, Problem]:
    """The bytes of an item parsed whole in memory (RTF, e-mail), or a too_large Problem
    beyond Limits.parse_cap (never read further than that)."""
    cap = limits.parse_cap
    with opener() as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        return Problem(describe(unit), "too_large", f"{what} larger than {cap} bytes", skipped=True)
    return data


LINE_WINDOW = 1 << 20


def bounded_lines(fh: BinaryIO, window: int = LINE_WINDOW) -> Iterator[tuple]:
    """``(piece, starts_line)`` over a stream's lines, each piece at most ``window`` bytes: a
    line longer than that (a file without newlines) comes in several pieces, of which only
    the first starts a line."""
    starts = True
    while True:
        piece = fh.readline(window)
        if not piece:
            return
        yield piece, starts
        starts = piece.endswith(b"\n")


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


class Spool:
    """Where one member's bytes go (an archive entry, an attachment): memory up to
    ``SPOOL_MEMORY``, then a file in a private ``TempDir``; ``opener()`` reads them back."""

    def __init__(self, tmp: "TempDir", index: int):
        self.tmp = tmp
        self.index = index
        self.buf = bytearray()
        self.path: Optional[str] = None
        self.fh = None

    def write(self, data: bytes):
        if self.fh is None and len(self.buf) + len(data) <= SPOOL_MEMORY:
            self.buf += data
            return
        if self.fh is None:
            self.path = os.path.join(self.tmp.path(), f"m{self.index}")
            self.fh = open(self.path, "wb")
            self.fh.write(self.buf)
            self.buf = bytearray()
        self.fh.write(data)

    def opener(self):
        if self.fh is not None:
            self.fh.close()
            path = self.path
            return lambda: open(path, "rb")
        data = bytes(self.buf)
        return lambda: io.BytesIO(data)

    def discard(self):
        if self.fh is not None:
            self.fh.close()
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)
        self.buf = bytearray()


class TempDir:
    def __init__(self):
        self._td = None

    def path(self) -> str:
        if self._td is None:
            self._td = tempfile.TemporaryDirectory(prefix="dataguard-")
        return self._td.name

    def cleanup(self):
        if self._td is not None:
            self._td.cleanup()
            self._td = None

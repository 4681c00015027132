"""Chunk building shared by the document families, and how a cell value is shown.

``ChunkBuilder`` turns a sequence of located text segments into bounded,
self-contained chunks (split at segment boundaries; a single segment longer
than a chunk is cut into overlapping windows).
"""
from __future__ import annotations

import datetime as _dt
import decimal
import re
from typing import Iterator, Optional, Sequence

from dataguard.types import Anchor, Chunk, Limits, Pointer, Unit


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
        # a tab-separated table of prose (a Word table) open at the last line: (tabs, its first
        # line's names); a chunk beginning inside it has them as context (its rows' header)
        self._table: Optional[tuple] = None
        self._carried: tuple = ()

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
        line = sep.join(t for t, _ in pieces)
        if self.hint != "structured":
            self._follow_table(line)
        offset = self._size
        for i, (text, ptr) in enumerate(pieces):
            self._anchor(offset, ptr)
            offset += len(text) + (len(sep) if i < len(pieces) - 1 else 0)
        self._parts.append(line)
        self._size += length + 1

    def _follow_table(self, line: str) -> None:
        """Keep the header line of the tab-separated table the prose is in (``_table``; a first
        line holding values, ``is_header``, gives none: its cells stay in place, empty ones too)."""
        tabs = line.count("\t")
        if not tabs or "\n" in line:
            self._table = None
        elif self._table is None or self._table[0] != tabs:
            names = tuple(n.strip()[:HEADER_CELL_CHARS] for n in line.split("\t"))
            self._table = (tabs, names if is_header(names) else ())

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
                    context=self.context or self._carried, hint=self.hint)
        self.line += text.count("\n") + 1
        self._parts, self._anchors, self._size = [], [], 0
        # (the next chunk begins inside a table: its header's names)
        self._carried = self._table[1] if self._table is not None and len(self._table[1]) <= HEADER_CELLS else ()


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


# a cell that is a value, not a column name: five digits or more and no letter (a number, date,
# amount, card or phone number written alone: "12/04/1975", "+44 20 7946 0958"), or an e-mail
# address; years ("2023") and headers with digits ("Revenue 2023/24", "Q1 2024") are names
_EMAIL_CELL = re.compile(r"[^\s@]@[^\s@]+\.[^\s@]")
# what of a first row is a header (as header_in_place keeps): HR and finance exports run to
# 60-200 columns, and a table wider than the names kept gets none of its columns named
HEADER_CELLS, HEADER_CELL_CHARS = 250, 40


def _value_cell(cell: str) -> bool:
    cell = cell[:HEADER_CELL_CHARS]
    if "@" in cell and _EMAIL_CELL.search(cell):
        return True
    return sum(c.isdigit() for c in cell) >= 5 and not any(c.isalpha() for c in cell)


def is_header(names: Sequence[str]) -> bool:
    """Whether a first row names its columns: no cell of it is a value (``_value_cell``). A
    headerless table's first row is data, and its values must be scanned as such."""
    names = list(names)[:HEADER_CELLS]
    return bool(names) and not any(_value_cell(n.strip()) for n in names)


TITLE_ROWS = 6          # rows after a sheet's title (and a reference line or two) looked at for its header
# a tool's names for columns it was not told the names of ("Column1" of Power Query, pandas'
# "Unnamed: 3", "Field2"): a row of them stands above the real header
_PLACEHOLDER = re.compile(r"(?i)(?:column|col|field|unnamed:?)[ _]?\d{1,4}")


def placeholder_names(names) -> bool:
    """Whether every name of a header row is a tool's placeholder ("Column1", "Unnamed: 3")."""
    names = [n.strip() for n in names if n and n.strip()]
    return len(names) >= 2 and all(_PLACEHOLDER.fullmatch(n) for n in names)


class SheetHeader:
    """A sheet's header row, found as its rows stream: its first non-empty row, unless that one
    is a title (one cell written: "UNHQ staff directory - extract") above a wider table, or a
    tool's placeholders ("Column1"): then the first row of two cells or more among the next
    ``TITLE_ROWS`` (reference lines of one cell between them are passed over); a row of groups
    above the header ("HOUSEHOLD", "HEAD OF HOUSEHOLD" over merged cells) gives way to the row
    under it when that one names twice as many columns. A sheet of one column keeps its first
    row. ``see`` each row's cell texts and their columns' letters; ``context``: the header's
    names so far (``header_in_place``), each in its column's place from column A ("" for a
    column without a name: a later chunk's cells are named by their letters), () for a table
    without one."""
    __slots__ = ("context", "done", "_after", "_wide")

    def __init__(self):
        self.context, self.done, self._after, self._wide = (), False, -1, 0

    def see(self, values, columns: Sequence[str]) -> None:
        if self.done:
            return
        written = [v for v in values if v and v.strip()]
        if not written:
            return
        if self._wide:                  # the row under a header of several cells
            names = header_in_place(values, columns) if len(written) >= 2 * self._wide else ()
            self.context = names or self.context
            self.done = True
            return
        if placeholder_names(written) and self._after < TITLE_ROWS:
            self._after += 1            # ("Column1", "Column2", ...: the header is below)
            return
        if len(written) > 1 or self._after < 0:
            self.context = header_in_place(values, columns)      # (a lone first cell: the header until a wider row)
            self._wide = len(written) if len(written) > 1 else 0
            self._after += 1
            return
        self._after += 1            # one cell under a lone first one: a reference line, or a column's value
        self.done = self._after >= TITLE_ROWS


def header_in_place(values, columns: Optional[Sequence[str]] = None) -> tuple:
    """A header row's names (each cut to ``HEADER_CELL_CHARS``, ``HEADER_CELLS`` at most) each in
    its column's place, "" for a column without one; () for a row of values (``is_header``). ``columns``: the cells' column letters
    (a sheet's row, its names from column A to its last named one); None: each value is its
    own column (a CSV line, its blank names at the end kept: the rows below have their fields)."""
    names = [v.strip()[:HEADER_CELL_CHARS] if v else "" for v in values]
    if not is_header([n for n in names if n]):
        return ()
    if columns is None:
        return tuple(names[:HEADER_CELLS])
    by_column = {}
    for name, letters in zip(names, columns):
        n = column_number(letters)
        if name and 0 < n <= HEADER_CELLS:
            by_column[n] = name
    return tuple(by_column.get(n, "") for n in range(1, max(by_column, default=0) + 1))


def column_number(letters: str) -> int:
    """A spreadsheet column's 1-based number from its letters (A -> 1, AA -> 27); 0 for none."""
    n = 0
    for ch in letters:
        if not "A" <= ch <= "Z":
            return 0
        n = n * 26 + ord(ch) - 64
    return n


def column_letter(n: int) -> str:
    """A spreadsheet column's letters from its 1-based number (1 -> A, 27 -> AA)."""
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s

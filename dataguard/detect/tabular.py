"""Tables: the columns of a structured chunk (spreadsheet rows, database columns, CSV/TSV
text) and their header names; the cells of the Markdown and fixed-width tables in prose, of
an HTML page's tables, and its form fields' values.
What the names mean is ``columns``' job."""
from __future__ import annotations

import bisect
import copy
import re
from typing import Optional

from dataguard.types import Chunk

_DELIMS = ("\t", ",", ";", "|")
_FIELD_RX = {d: re.compile(r' *"(?:[^"]|""){0,4000}"[^%s\n]*|[^%s\n]*' % (re.escape(d), re.escape(d)))
             for d in _DELIMS}
_FIELD_RX[""] = re.compile(r"[^\n]*")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)$")
GUESS_ROWS = 60                 # the first rows of delimited text that choose its delimiter


def _field_text(text: str, s: int, e: int) -> str:
    return text[s:e].strip(" \"'\r")


class Layout:
    """The columns of a structured chunk: ``fields`` sorted (start, end, column) spans,
    ``headers`` column -> header name (None: not known), ``header_rows`` spans of header rows.

    * spreadsheet rows (cell anchors): one field per anchor, the column is the cell's letters;
    * a database column chunk: the whole chunk is one column (named by ``Chunk.column`` or ``unit.column``);
    * CSV/TSV text: rows on newlines, cells on the delimiter most rows agree on (tab, comma,
      semicolon, pipe; double-quoted fields may hold delimiters and newlines); only rows with
      the usual number of fields, and only whole rows of the keep window, get a column.
    """
    __slots__ = ("fields", "headers", "header_rows", "single", "width", "_starts")

    def __init__(self, chunk: Chunk):
        self.fields, self.headers, self.header_rows, self.single = [], None, [], False
        self.width = 0                  # delimited text: the fields of each row (its rows have as many)
        if chunk.anchors and any(a.pointer.cell for a in chunk.anchors):
            self._sheet(chunk)
        elif chunk.unit.source == "database" or chunk.unit.column is not None:
            self.single = True
        else:
            self._delimited(chunk)
        self._starts = None

    def column_of(self, pos: int):
        if self.single:
            return 0
        if self._starts is None:
            self._starts = [f[0] for f in self.fields]
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.fields[i][1]:
            return self.fields[i][2]
        return None

    def in_header(self, pos: int) -> bool:
        for s, e in self.header_rows:
            if s <= pos < e:
                return True
        return False

    def without_header(self) -> "Layout":
        """The layout with its header's row as data (a headerless table's first row): no names, no
        header row. A copy: the layout read is shared (``parsed``)."""
        other = copy.copy(self)
        other.headers, other.header_rows = None, []
        return other

    def row_pairs(self, text: str, first=None) -> list:
        """The first cell of each row and the next, where that one is in the column right after
        the first's (no empty cell between): [((start, end), (start, end))] in the text's order,
        without spaces and quotes around (``cell_span``); none in a header row, none empty.
        ``first``: a test of a first cell's text, the rows whose first cell it refuses left out."""
        fields, out = self.fields, []
        if self.width == 1:
            return out
        if self.width:          # (a delimited text's rows: ``width`` fields each)
            pairs = zip(fields[0::self.width], fields[1::self.width])
        else:                   # (a sheet's: a row's cells on a line, empty ones left out)
            from dataguard.extract.chunks import column_number
            pairs = ((a, b) for a, b in zip(fields, fields[1:])
                     if (a[0] == 0 or text[a[0] - 1] == "\n") and text[a[1]] != "\n"
                     and column_number(b[2]) == column_number(a[2]) + 1)
        for a, b in pairs:
            if first is not None and not first(text[a[0]:a[1]]) or self.header_rows and self.in_header(a[0]):
                continue
            key, value = cell_span(text, a[0], a[1]), cell_span(text, b[0], b[1])
            if key[1] > key[0] and value[1] > value[0]:
                out.append((key, value))
        return out

    def _sheet(self, chunk: Chunk) -> None:
        text, anchors = chunk.text, chunk.anchors
        rows, fields, match = {}, self.fields, _CELL_REF.match
        ends = [a.offset - 1 for a in anchors[1:]]      # (a cell ends before the next one's anchor)
        ends.append(len(text))
        for a, end in zip(anchors, ends):
            m = match(a.pointer.cell or "")
            if m is None or end <= a.offset:
                continue
            letters, row = m.groups()
            field = (a.offset, end, letters)
            fields.append(field)
            rows.setdefault(int(row), []).append(field)
        fields.sort()
        context = tuple(chunk.context)
        if not context or not rows:
            return
        # (the header's names in their columns' places from column A: ``chunks.SheetHeader``)
        folded = tuple(c.casefold() for c in context)
        from dataguard.extract.chunks import HEADER_CELL_CHARS, TITLE_ROWS, column_letter, header_in_place
        for n in sorted(rows)[:TITLE_ROWS + 1]:     # (a title's rows may stand above it)
            row = rows[n]
            names = header_in_place([text[s:e] for s, e, _ in row], [c for _, _, c in row])
            if tuple(x.casefold() for x in names) == folded:   # the header row is here
                self.header_rows.append((row[0][0], row[-1][1]))
                self.headers = {c: text[s:e].strip()[:HEADER_CELL_CHARS] for s, e, c in row}
                return
        letters = {c for _, _, c in self.fields}
        if len(context) > 1 or len(letters) == 1:     # (one name: a one-column sheet's, or a title's)
            self.headers = {column_letter(k + 1): name for k, name in enumerate(context) if name}

    def _delimited(self, chunk: Chunk) -> None:
        text = chunk.text
        ks = chunk.keep_start
        ke = len(text) if chunk.keep_end is None else chunk.keep_end
        if ks > 0 and text[ks - 1] != "\n":
            nl = text.find("\n", ks, ke)
            if nl == -1:
                return
            ks = nl + 1
        # the delimiter: the one giving most of the first rows the same number (>= 2) of fields
        head = text[ks:ks + 8000]
        delim, best, first = "", (0, 0), ([], [])
        for d in _DELIMS:
            if d not in head:
                continue
            rows = _rows(text, ks, ke, d, GUESS_ROWS)
            width, agree = _usual_width(rows)
            if width >= 2 and agree * 2 > len(rows[1]) and (agree, width) > best:
                delim, best, first = d, (agree, width), rows
        # (the chosen delimiter's first rows, read for the guess, are not read again: the rest
        # follows the last of them, as it would in one reading from the start)
        if not first[1]:
            rows = _rows(text, ks, ke, delim)
        elif len(first[1]) < GUESS_ROWS:
            rows = first            # (the guess stopped where the whole reading stops)
        else:
            rest = _rows(text, first[0][-1][1] + 1, ke, delim)
            rows = first[0] + rest[0], first[1] + rest[1]
        width, _ = _usual_width(rows)
        if not width:
            return
        self.width = width
        self._keep_rows(chunk, rows, width)

    def _keep_rows(self, chunk: Chunk, rows: tuple, width: int) -> None:
        """The fields of the rows of ``width`` fields (``_rows``' (fields, sizes)), the header's
        names and the header row."""
        from dataguard.extract.chunks import HEADER_CELL_CHARS, HEADER_CELLS
        text, (fields, sizes) = chunk.text, rows
        # the header's names, one per column ("" for a column without one); a table wider than
        # the names kept has its first columns named
        context = tuple(chunk.context)
        if context and (len(context) == width or len(context) == HEADER_CELLS < width):
            self.headers = {i: name for i, name in enumerate(context) if name}
        header = bool(context) and chunk.first_line == 1
        if not header and sizes.count(width) == len(sizes):
            self.fields = fields        # (every row of the usual width: all of them, as read)
            return
        folded = tuple(c.casefold() for c in context)
        at = 0
        for size in sizes:
            if size == width:
                row = fields[at:at + size]
                # the header row: the first row of the file's first chunk that holds the header's
                # names (comment lines may come before it)
                if header and not self.header_rows and tuple(_field_text(text, s, e)[:HEADER_CELL_CHARS].casefold()
                                                             for s, e, _ in row[:HEADER_CELLS]) == folded:
                    self.header_rows.append((row[0][0], row[-1][1]))
                self.fields += row      # (a row's fields are (start, end, column) already)
            at += size


# what the NER planner and the column judge read of a chunk's tables, read once for both: id(chunk)
# -> (the chunk, {reader: what it read}); the judge, the last reader, forgets it (``forget``)
_PARSED: dict = {}
PARSED_CHUNKS = 64      # chunks kept at most (the planner reads a batch's, 32, before the judge)


def parsed(chunk: Chunk, read):
    """``read(chunk)`` (``Layout``, a JSON file's pairs), read once for the NER planner and the
    column judge, which read the same chunk's tables. What it gives is theirs to read, not to
    change (``Layout.without_header``). The chunk is kept with it: its id names no other."""
    entry = _PARSED.get(id(chunk))
    if entry is None or entry[0] is not chunk:
        if len(_PARSED) >= PARSED_CHUNKS:
            try:                                    # (the oldest: a reader that did not forget it)
                del _PARSED[next(iter(_PARSED))]
            except (KeyError, RuntimeError, StopIteration):    # (another thread of a Dask worker took it)
                pass
        entry = _PARSED[id(chunk)] = (chunk, {})
    got = entry[1].get(read)
    if got is None:
        got = entry[1][read] = read(chunk)
    return got


def forget(chunk: Chunk) -> None:
    """What was read of a chunk's tables (``parsed``) is no longer needed."""
    entry = _PARSED.get(id(chunk))
    if entry is not None and entry[0] is chunk:
        _PARSED.pop(id(chunk), None)


def cell_span(text: str, s: int, e: int) -> tuple:
    """A field's span without spaces and quotes around (a cell's value, as the columns hold it)."""
    while s < e and text[s] in " \"'":
        s += 1
    while e > s and text[e - 1] in " \"'\r":
        e -= 1
    return s, e


def _rows(text: str, start: int, stop: int, delim: str, max_rows: int = 0) -> tuple:
    """The rows of delimited text from ``start`` (a row start) until the row holding ``stop - 1``,
    as (their fields one after the other, (start, end, column number) each: ``_row``; how many
    each row has): one list, not a list a row (the collector would go through thousands of
    them); a last row cut by the end of the text (not the end of the data) is left out."""
    rx = _FIELD_RX[delim]
    fields, sizes, pos, n = [], [], start, len(text)
    while pos < stop:
        row, pos = _row(text, pos, delim, rx)
        if row[-1][0] >= stop:
            break                       # a field of it starts at or after stop: left out
        if pos >= n and stop < n:
            break                       # runs into the cut end of the overlap
        fields += row
        sizes.append(len(row))
        pos += 1
        if max_rows and len(sizes) >= max_rows:
            break
    return fields, sizes


def _row(text: str, pos: int, delim: str, rx) -> tuple:
    """(the fields of the row starting at ``pos``, (start, end, column number) each, where it
    ends). The fields before the next double quote of a line are split off as they are; a field
    starting with one (after spaces) is read by ``rx``: it may hold delimiters and newlines."""
    row, n = [], len(text)
    eol = -1
    while True:
        if eol < pos:
            eol = text.find("\n", pos)
            if eol == -1:
                eol = n
        if not delim:
            row.append((pos, eol, 0))
            return row, eol
        q = text.find('"', pos, eol)
        pieces = text[pos:eol if q == -1 else q].split(delim)
        k = len(row)
        for piece in pieces[:-1]:
            e = pos + len(piece)
            row.append((pos, e, k))
            pos = e + 1
            k += 1
        if q == -1:
            row.append((pos, eol, k))
            return row, eol
        if pieces[-1].strip(" "):       # a quote inside an unquoted field: it ends at the next delimiter
            e = text.find(delim, q, eol)
            if e == -1:
                row.append((pos, eol, k))
                return row, eol
            row.append((pos, e, k))
            pos = e + 1
            continue
        m = rx.match(text, pos)
        row.append((pos, m.end(), k))
        pos = m.end()
        if pos < n and text[pos] == delim:
            pos += 1
            continue
        return row, pos


def _usual_width(rows: tuple) -> tuple:
    """(most common number of fields of the non-blank rows (``_rows``' (fields, sizes)), how many rows have it)."""
    fields, counts, at = rows[0], {}, 0
    for size in rows[1]:
        if size > 1 or fields[at][1] > fields[at][0]:
            counts[size] = counts.get(size, 0) + 1
        at += size
    if not counts:
        return 0, 0
    width = max(counts, key=lambda k: (counts[k], k))
    return width, counts[width]


# a Markdown (pipe) table: a header row, its separator row ("|---|:--:|"), then its rows
_MD_TABLE = re.compile(r"^[ \t]*\|(?P<head>[^\n]*)\|[ \t]*\r?\n[ \t]*\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?:\r?\n|$)"
                       r"(?P<rows>(?:[ \t]*\|[^\n]*\|[ \t]*(?:\r?\n|$))*)", re.M)
_MD_ROW = re.compile(r"[^\n]+")
_MD_BAR = re.compile(r"\|")


def markdown_cells(text: str) -> tuple:
    """The cells of the Markdown tables in a text: ([(start, end, column name)], [table spans]);
    a cell without its spaces and emphasis (``**Colin Mayhew**``)."""
    cells, tables = [], []
    for m in _MD_TABLE.finditer(text):
        tables.append(m.span())
        head = [h.strip(" \t*_") for h in m["head"].split("|")]
        for row in _MD_ROW.finditer(text, m.start("rows"), m.end("rows")):
            for k, (a, b) in enumerate(_md_row_cells(text, row.start(), row.end())):
                if b > a:
                    cells.append((a, b, head[k] if k < len(head) else ""))
    return cells, tables


def _md_row_cells(text: str, start: int, end: int) -> list:
    """The (start, end) of a Markdown table row's cells, without spaces and emphasis (an empty one: start == end)."""
    bars = [b.start() for b in _MD_BAR.finditer(text, start, end)]
    out = []
    for a, b in zip(bars, bars[1:]):
        a += 1
        while a < b and text[a] in " \t*_":
            a += 1
        while b > a and text[b - 1] in " \t*_":
            b -= 1
        out.append((a, b))
    return out


def markdown_pairs(text: str, first=None) -> list:
    """The first two cells of each row of the Markdown tables in a text ("| api_key | ak_9f8e... |":
    a wiki page's settings), as ``tab_pairs`` gives a tab-separated text's: [((start, end),
    (start, end))], none empty, without quotes around; ``first``: a test of a first cell's text,
    the rows it refuses left out."""
    out: list = []
    if "|" not in text:
        return out
    for m in _MD_TABLE.finditer(text):
        for row in _MD_ROW.finditer(text, m.start("rows"), m.end("rows")):
            cells = _md_row_cells(text, row.start(), row.end())
            if len(cells) < 2 or first is not None and not first(text[cells[0][0]:cells[0][1]]):
                continue
            key, value = cell_span(text, *cells[0]), cell_span(text, *cells[1])
            if key[1] > key[0] and value[1] > value[0]:
                out.append((key, value))
    return out


# a fixed-width report (a payroll register, a distribution list printed by a mainframe or a
# spreadsheet): a header line of three column names or more, apart by two spaces or more, then
# rows aligned under it (a rule line of dashes, equal signs or tildes may stand between them)
_FW_FIELD = r"(?:[^\W\d_]|[#№])[\w.°#№/()'’&-]*(?: (?:[^\W\d_]|[(/&+])[\w.°#№/()'’&-]*){0,3}"
_FW_HEADER = re.compile(r"^[ \t]{0,12}%s(?:  +%s){2,} *\r?$" % (_FW_FIELD, _FW_FIELD), re.M)
_FW_RULE = re.compile(r"[ \t]*[-=~_*+#]{8,}[ \t]*\r?")
_FW_GAP = re.compile(r"\S+(?: \S+)*")           # a row's pieces: apart by two spaces or more
FW_MAX_TABLES = 50                               # headers looked at in one text
FW_MAX_COLUMNS = 40                              # more names: no header (each row's piece is placed among them)
FW_MIN_ROWS = 2
FW_WRAPPED = 3                                  # lines of a wrapped cell's text a row may have under it


# a line whose first word is a footer's ends a fixed-width table ("TOTAL HH   2   12", "Printed by")
_FW_FOOTER = frozenset("total totals subtotal sub-total grand sous-total printed page imprimé imprime end fin "
                       "signature signed prepared checked approved certified generated report run".split())


def fixed_width_cells(text: str, header_ok=None) -> tuple:
    """The cells of the fixed-width tables of a text: ([(start, end, column name)], [table
    spans]). A row's pieces are its text between runs of two spaces or more, cut again where a
    column's name starts after a single space ("0001 Olawale, Folake" under "SEQ  NAME"); a
    piece belongs to the column it is aligned with, left (under the name's start) or right
    (ending where the name ends: an amount). Rows follow the header (after a rule line) down to
    a blank line, a rule line, a footer ("Total", "Printed by") or a line whose first piece
    does not start under the first column (but up to ``FW_WRAPPED`` lines of a cell's text
    wrapped under a later column); a table needs two rows. ``header_ok`` (the
    header's names -> bool): whether a line of names is a header (the caller's vocabulary knows
    one of them: a roster's first row of persons' names is none)."""
    if "   " not in text:
        return [], []
    cells, tables = [], []
    for looked, m in enumerate(_FW_HEADER.finditer(text)):
        if looked >= FW_MAX_TABLES:
            break
        line = m.group().rstrip("\r")
        names = [(h.start(), h.end(), h.group()) for h in _FW_GAP.finditer(line)]
        if not 3 <= len(names) <= FW_MAX_COLUMNS or tables and m.start() < tables[-1][1] \
                or header_ok is not None and not header_ok([n for _, _, n in names]):
            continue
        starts = [s for s, _, _ in names]
        found, pos, end, rows = [], m.end() + 1, m.end(), 0
        rule_seen, wrapped = False, 0
        while pos < len(text):
            nl = text.find("\n", pos)
            stop = len(text) if nl == -1 else nl
            row = text[pos:stop].rstrip("\r")
            if _FW_RULE.fullmatch(row):
                if found or rule_seen:
                    break
                rule_seen = True
            elif not row.strip():
                break
            else:
                pieces = [(p.start(), p.end()) for p in _FW_GAP.finditer(row)]
                if rows and pieces[0][0] > starts[0] + 2 and len(pieces) * 2 <= len(names) and wrapped < FW_WRAPPED \
                        and any(abs(a - c) <= 2 for a, _ in pieces for c in starts[1:]):
                    wrapped += 1            # a cell's text wrapped onto a line of its own, under its column
                    pos = stop + 1
                    continue
                if abs(pieces[0][0] - starts[0]) > 2 or not 2 <= len(pieces) <= 2 * len(names) \
                        or row[pieces[0][0]:pieces[0][1]].split()[0].lower().rstrip(":") in _FW_FOOTER:
                    break
                wrapped = 0
                for a, b in _cut_at_columns(row, pieces, starts):
                    found.append((pos + a, pos + b, names[_column_at(names, a, b)][2]))
                end, rows = stop, rows + 1
            pos = stop + 1
        if rows >= FW_MIN_ROWS:
            cells += found
            tables.append((m.start(), end))
    return cells, tables


# a table a document's extractor wrote with a tab between its cells (a Word, Writer or
# PowerPoint table, a spreadsheet pasted into a memo): lines of as many tabs, the first its header
_TAB_NAME = re.compile(r"(?:[^\W\d_]|[#№])[^\t]{0,59}")


def _tab_lines(text: str):
    """(start, end) of each line of a text that holds a tab, found by ``str.find`` from tab to
    tab (a pattern anchored at the lines' starts is tried at each character of the text)."""
    find, rfind, n = text.find, text.rfind, len(text)
    tab = find("\t")
    while tab != -1:
        end = find("\n", tab)
        end = n if end == -1 else end
        yield rfind("\n", 0, tab) + 1, end
        tab = find("\t", end)


def tab_table_cells(text: str, header_ok=None, context: tuple = (), carried: Optional[list] = None) -> tuple:
    """The cells of the tab-separated tables of a prose text: ([(start, end, column name)],
    [table spans]). A table is a run of consecutive lines with the same number of tabs (one to
    ``FW_MAX_COLUMNS`` - 1), a header (its first line: names, no digit opening one, ``header_ok``
    of them true) and ``FW_MIN_ROWS`` rows or more; not a form's table, whose first column holds
    labels (``header_ok`` true of half its lines or more: "Full name", "Position", "Mobile"); a
    cell is its field without spaces around (an empty cell keeps its place: the extractors
    write every cell of a row)."""
    if "\t" not in text:
        return [], []
    cells, tables = [], []
    block: list = []

    def flush() -> None:
        if not block or len(tables) >= FW_MAX_TABLES:
            return
        names = [f.strip() for f in text[block[0][0]:block[0][1]].split("\t")]
        rows = block[1:]
        if block[0][0] == 0 and len(context) == len(names) and tuple(names) != tuple(context):
            names, rows = list(context), block      # (a table begun in an earlier chunk: its header)
            if carried is not None:
                carried.append(block[0][0])
        elif len(block) <= FW_MIN_ROWS:
            return
        if not 2 <= len(names) <= FW_MAX_COLUMNS or not all(n == "" or _TAB_NAME.fullmatch(n) for n in names) \
                or sum(bool(n) for n in names) < 2 or header_ok is not None and not header_ok([n for n in names if n]):
            return
        if header_ok is not None:       # a form's table: labels down its first column ("Position", "Mobile")
            firsts = [f for f in (text[s:e].split("\t", 1)[0].strip() for s, e in block) if f]
            if 2 * sum(bool(header_ok([f])) for f in firsts) >= len(firsts):
                return
        for s, e in rows:
            for k, field in enumerate(text[s:e].split("\t")):
                a, b = s, s + len(field)
                while a < b and text[a] in " \u00a0":
                    a += 1
                while b > a and text[b - 1] in " \u00a0\r":
                    b -= 1
                if b > a:
                    cells.append((a, b, names[k]))
                s += len(field) + 1
        tables.append((block[0][0], block[-1][1]))
    last_end, width = -2, 0
    for s, e in _tab_lines(text):
        n = text.count("\t", s, e)
        if not (block and s == last_end + 1 and n == width):
            flush()
            block, width = [], n
        block.append((s, e))
        last_end = e
    flush()
    return cells, tables


def tab_pairs(text: str, first=None) -> list:
    """The first two fields of each line of a prose text that holds a tab ("api_key<TAB>ak_9f8e...":
    a key/value export, a Word table's row), a run of tabs one separator, as
    ``Layout.row_pairs`` gives a table's: [((start, end), (start, end))], without spaces and
    quotes around, none empty; ``first``: a test of a first field's text, the lines it refuses left out."""
    out: list = []
    if "\t" not in text:
        return out
    for s, e in _tab_lines(text):
        t = text.index("\t", s, e)
        if first is not None and not first(text[s:t]):
            continue
        v = t
        while v < e and text[v] == "\t":
            v += 1
        u = text.find("\t", v, e)
        key, value = cell_span(text, s, t), cell_span(text, v, e if u == -1 else u)
        if key[1] > key[0] and value[1] > value[0]:
            out.append((key, value))
    return out


def prose_table_cells(text: str, header_ok=None, context: tuple = ()) -> tuple:
    """The cells and spans of a prose text's fixed-width and tab-separated tables
    (``fixed_width_cells``, ``tab_table_cells``; ``context``: the header of a tab-separated
    table the text begins inside, from an earlier chunk), in the text's order, and the spans of
    their header lines."""
    fw = fixed_width_cells(text, header_ok)
    carried: list = []
    tab = tab_table_cells(text, header_ok, context, carried)
    cells, tables = sorted(fw[0] + tab[0]), sorted(fw[1] + tab[1])
    headers = []
    for s, _ in tables:
        if s not in carried:         # (a table begun in an earlier chunk has no header line here)
            e = text.find("\n", s)
            headers.append((s, len(text) if e == -1 else e))
    return cells, tables, headers


def _cut_at_columns(row: str, pieces: list, starts: list) -> list:
    """The pieces, each cut where a column starts inside it after a single space."""
    out = []
    for a, b in pieces:
        for c in starts:
            if a < c < b and row[c - 1] == " " and row[c] != " ":
                out.append((a, c - 1))
                a = c
        out.append((a, b))
    return out


def _column_at(names: list, a: int, b: int) -> int:
    """The column a piece is aligned with: the least of its start's distance to a name's start
    and its end's to a name's end."""
    return min(range(len(names)), key=lambda i: (min(abs(a - names[i][0]), abs(b - names[i][1])), i))


# HTML: a tag (its name in "t", "/" in "c" for a closing one), a comment's opening, a declaration
# or processing instruction
_HTML_TAG = re.compile(r"<(?P<c>/?)(?P<t>[A-Za-z][A-Za-z0-9]{0,15})(?=[\s/>])[^<>]{0,4000}>|<!--|<![^<>]{0,1000}>|"
                       r"<\?[^<>]{0,1000}>")
_HTML_RAW = {"script": re.compile(r"</script\s*>", re.I), "style": re.compile(r"</style\s*>", re.I)}
_HTML_COLSPAN = re.compile(r"""colspan\s*=\s*["']?(\d{1,3})""", re.I)
_HTML_ROWSPAN = re.compile(r"""rowspan\s*=\s*["']?(\d{1,5})""", re.I)
_HTML_SPACE = re.compile(r"\s+")
HTML_MAX_COLUMNS = 100          # a cell further right (by its columns and spans) is in no column
HTML_MAX_NESTING = 20           # tables inside tables followed


class _HtmlTable:
    __slots__ = ("start", "number", "header", "row", "cell", "in_head", "above")

    def __init__(self, start: int, number: int):
        self.start, self.number = start, number
        self.header = None      # [column name], once a header row is met
        self.row = None         # [(kind, colspan, [(start, end) of its text runs], rowspan)] of the row being read
        self.cell = None        # the cell being read
        self.in_head = False
        self.above: dict = {}   # column number -> rows a cell above still spans (rowspan)


class _HtmlReader:
    """``html_cells``' reading of one text: the tables open (innermost last), the cells, tables
    and markup found."""

    def __init__(self, text: str):
        self.text = text
        self.stack: list = []
        self.count = 0
        self.cells: list = []
        self.tables: list = []
        self.markup: list = []

    def run(self, s: int, e: int) -> None:
        """Text between tags: a run of the cell being read."""
        text = self.text
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and self.stack and self.stack[-1].cell is not None:
            self.stack[-1].cell[2].append((s, e))

    @staticmethod
    def end_cell(t: _HtmlTable) -> None:
        if t.cell is not None:
            if t.row is None:
                t.row = []
            t.row.append(t.cell)
            t.cell = None

    def end_row(self, t: _HtmlTable) -> None:
        """A row read: the table's header, or its cells under their columns."""
        import html as _html

        from dataguard.extract.chunks import is_header
        self.end_cell(t)
        row, t.row = t.row, None
        if not row:
            return
        text = self.text
        names = [_HTML_SPACE.sub(" ", _html.unescape(" ".join(text[s:e] for s, e in runs))).strip()[:200]
                 for _, _, runs, _ in row]
        if len(row) >= 2 and row[0][0] == "th" and all(cell[0] == "td" for cell in row[1:]) and not t.in_head:
            for _, _, runs, _ in row[1:]:      # a form's row: its label, then its value ("Full name | Zawadi")
                if runs:
                    self.cells.append((*runs[0], names[0] or None, (t.number, "row", names[0])))
            return
        first = not self.cells or self.cells[-1][3][0] != t.number
        if t.header is None and (t.in_head or all(cell[0] == "th" for cell in row) or first and is_header(names)):
            t.header = []
            for name, (_, span, _, _) in zip(names, row):
                t.header.extend([name] * span)
            return
        k, above, below = 0, t.above, {}
        for _, span, runs, down in row:
            while above.get(k, 0) > 0:          # a column a cell of a row above still spans
                k += 1
            if runs and k < HTML_MAX_COLUMNS:
                s, e = runs[0]
                name = t.header[k] if t.header is not None and k < len(t.header) else None
                self.cells.append((s, e, name or None, (t.number, k)))
            if down > 1:
                below.update((c, down - 1) for c in range(k, min(k + span, HTML_MAX_COLUMNS)))
            k += span
        below.update((c, n - 1) for c, n in above.items() if n > 1 and c not in below)
        t.above = below

    def tag(self, m) -> int:
        """A tag, comment or declaration read; where the text goes on (past a script's or style's body)."""
        text, end = self.text, m.end()
        if m.group() == "<!--":
            close = text.find("-->", end)
            return len(text) if close == -1 else close + 3
        if m["t"] is None:
            return end
        tag, closing = m["t"].lower(), bool(m["c"])
        if tag in _HTML_RAW and not closing:
            close = _HTML_RAW[tag].search(text, end)
            return len(text) if close is None else close.end()
        if tag == "table":
            if not closing and len(self.stack) < HTML_MAX_NESTING:
                self.stack.append(_HtmlTable(m.start(), self.count))
                self.count += 1
            elif closing and self.stack:
                t = self.stack.pop()
                self.end_row(t)
                self.tables.append((t.start, end))
            return end
        if self.stack:
            self.in_table(self.stack[-1], tag, closing, m.group())
        return end

    def in_table(self, t: _HtmlTable, tag: str, closing: bool, source: str) -> None:
        """A row's, a cell's or a table section's tag in the innermost table open."""
        if tag == "tr":
            self.end_row(t)
            if not closing:
                t.row = []
        elif tag in ("td", "th"):
            self.end_cell(t)
            if not closing:
                span, down = _HTML_COLSPAN.search(source), _HTML_ROWSPAN.search(source)
                t.cell = (tag, max(1, min(HTML_MAX_COLUMNS, int(span.group(1)))) if span else 1, [],
                          max(1, int(down.group(1))) if down else 1)
        elif tag in ("thead", "tbody", "tfoot"):
            self.end_row(t)
            t.in_head = tag == "thead" and not closing


def html_cells(text: str) -> tuple:
    """The cells of a text's HTML tables and the markup around its text: ([(start, end, column
    name or None, (table number, column number))], [table spans], [markup spans]). A cell's
    value is its first run of text between tags (a name before its ``<br>`` and phone); a table's
    header is its first row of ``th`` cells (or in ``thead``), else a first row of ``td`` cells
    none of which is a value (``extract.chunks.is_header``); a row of a ``th`` then ``td`` cells is
    a form's field, its values under its label (column key ``(table, "row", label)``). Markup: tags, comments, declarations,
    scripts and styles whole; what lies between is text. Tags are read without nesting rules
    (an unclosed cell ends at the next cell, row or table), tables nest ``HTML_MAX_NESTING`` deep."""
    reader = _HtmlReader(text)
    pos, n = 0, len(text)
    while pos < n:
        m = _HTML_TAG.search(text, pos)
        if m is None:
            reader.run(pos, n)
            break
        reader.run(pos, m.start())
        end = reader.tag(m)
        reader.markup.append((m.start(), end))
        pos = end
    while reader.stack:            # tables open at the end of the text
        t = reader.stack.pop()
        reader.end_row(t)
        reader.tables.append((t.start, n))
    return reader.cells, sorted(reader.tables), reader.markup


# a form's field with its value, as a saved page holds it: <input name="full_name" value="...">
_INPUT = re.compile(r"<input\b[^<>]{1,2000}>", re.I)
_INPUT_ATTR = re.compile(r"""(?<![\w-])(name|value)\s*=\s*(?:"([^"<>]{0,500})"|'([^'<>]{0,500})')""", re.I)


def form_fields(text: str) -> list:
    """(start, end, field name) of the values of a page's form fields (``<input name="full_name"
    value="Margaret Ellison">``, the attributes in any order): each a column named by its field."""
    out = []
    for tag in _INPUT.finditer(text):
        attrs = {}
        for m in _INPUT_ATTR.finditer(text, tag.start(), tag.end()):
            group = 2 if m.group(2) is not None else 3
            attrs.setdefault(m.group(1).lower(), (m.group(group), m.span(group)))
        if "name" in attrs and "value" in attrs and attrs["value"][0].strip():
            (s, e), name = attrs["value"][1], attrs["name"][0]
            out.append((s, e, name))
    return out

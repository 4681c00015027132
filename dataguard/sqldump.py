"""Reading SQL dumps (mysqldump, pg_dump, SQLite's .dump) as text: the statements that name a
table's columns (CREATE TABLE, INSERT INTO ... VALUES, COPY ... FROM stdin) and the values of
INSERT tuples, each character read once, whatever the text (a statement cut anywhere, strings
and comments left open). ``detect.columns`` reads a chunk's values by their columns with it;
``extract.text`` follows a dump window by window (``Statements``) so that a chunk that begins
inside a long INSERT or COPY knows its columns."""
from __future__ import annotations

import itertools
import re
from typing import Optional

_NAME = r'(?:[`"\[]?[\w$]{1,64}[`"\]]?\.){0,2}[`"\[]?(?P<t>[\w$]{1,64})[`"\]]?'
CREATE = re.compile(r"(?i)\bCREATE\s+(?:TEMPORARY\s+|UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _NAME
                         + r"\s*\(")
INSERT = re.compile(r"(?i)\b(?:INSERT|REPLACE)\s+(?:(?:LOW_PRIORITY|DELAYED|HIGH_PRIORITY|IGNORE)\s+)*INTO\s+"
                         + _NAME + r"\s*(?:\((?P<cols>[^()]{1,8000})\)\s*)?"
                         r"(?:OVERRIDING\s+(?:SYSTEM|USER)\s+VALUE\s+)?VALUES?\s*")
COPY = re.compile(r"(?i)^COPY\s+" + _NAME + r"\s*\((?P<cols>[^()]{1,8000})\)\s+FROM\s+stdin[^\n]*\n", re.M)
_COLUMN = re.compile(r'\s*[`"\[]?([\w$]{1,64})[`"\]]?')
# a string literal's prefix: N'...' (national), E'...' (escapes), X'...' / B'...' (hex, bits), _utf8mb4'...'
_PREFIX = re.compile(r"(?:[NnEeXxBb]|_\w{1,30}\s*)(?=')")
_NOT_COLUMN = frozenset("primary key unique index constraint foreign check fulltext spatial exclude".split())
MAX_ROWS = 100_000          # tuples read per INSERT statement in a chunk (a statement may fill many chunks)


def column_names(listing: str) -> list:
    """The column names of an INSERT's or a COPY's column list ("id, `full_name`, \"City\"")."""
    out = []
    for part in listing.split(","):
        m = _COLUMN.match(part)
        out.append(m.group(1) if m else None)
    return out


def _skip(text: str, i: int, n: int) -> int:
    """Past spaces and comments ("-- ..." and MySQL's "# ..." to the end of the line, "/* ... */")."""
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#" or c == "-" and text.startswith("--", i):
            j = text.find("\n", i, n)
            i = n if j == -1 else j + 1
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2, n)
            i = n if j == -1 else j + 2
        else:
            break
    return i


def _quoted(text: str, i: int, n: int) -> tuple:
    """((start, end) inside the quotes of the string opening at ``i``, where it ends): doubled
    quotes and backslashes escape; an unclosed string runs to ``n``."""
    q, j = text[i], i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == q:
            if j + 1 < n and text[j + 1] == q:
                j += 2
                continue
            return (i + 1, j), j + 1
        j += 1
    return (i + 1, n), n


def _part_end(text: str, i: int, n: int) -> int:
    """Where the part of a list from ``i`` ends: at a comma or a closing bracket of its depth
    (strings, quoted names, comments and bracketed arguments read over), or at ``n``."""
    depth = 0
    while i < n:
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
        elif c in "'\"`":
            i = _quoted(text, i, n)[1]
            continue
        elif c in "-#/":
            j = _skip(text, i, n)
            if j > i:
                i = j
                continue
        i += 1
    return n


def table_columns(text: str, at: int) -> tuple:
    """(the column names of a CREATE TABLE whose body opens at ``at``: the first name of each
    part, not a key or a constraint; where the body ends)."""
    names, i, n = [], at, min(len(text), at + 50_000)
    while True:
        end = _part_end(text, i, n)
        m = _COLUMN.match(_COMMENTS.sub(" ", text[i:end]))
        if m and m.group(1).lower() not in _NOT_COLUMN:
            names.append(m.group(1))
        if end >= n or text[end] == ")":
            return names, end
        i = end + 1


_COMMENTS = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?(?:\*/|\Z)", re.S)


def value_end(text: str, i: int, n: int) -> tuple:
    """(start, end) of the value at ``i`` (a string: inside its quotes, without its prefix), and
    where it ends."""
    if text[i] in "'\"":
        return _quoted(text, i, n)
    m = _PREFIX.match(text, i, n)
    if m is not None:
        return _quoted(text, m.end(), n)
    j = e = _part_end(text, i, n)
    while e > i and text[e - 1].isspace():
        e -= 1
    return (i, e), j


def tuples(text: str, i: int, arity: int = 0) -> tuple:
    """(the values of the tuples of an INSERT from ``i``, after VALUES: [(column index, start,
    end)]; where they end). Each character is read once. With ``arity``, the tuples read up to
    the first one that does not hold that many values (none when the first does not: ``i`` was
    not where a tuple begins)."""
    n, rows, out = len(text), 0, []
    while i < n and rows < MAX_ROWS:
        row_start = len(out)
        i = _skip(text, i, n)
        if i >= n or text[i] != "(":
            break
        i += 1
        k = 0
        while i < n:
            i = _skip(text, i, n)
            if i >= n:
                break
            if text[i] == ")":
                i += 1
                break
            (s, e), i = value_end(text, i, n)
            if e > s and text[s:e].upper() != "NULL":
                out.append((k, s, e))
            i = _skip(text, i, n)
            if i < n and text[i] == ",":
                i += 1
            elif i < n and text[i] != ")":
                i += 1              # (not a value SQL writes: step on)
            k += 1
        if arity and k != arity:
            del out[row_start:]
            break
        rows += 1
        i = _skip(text, i, n)
        if i >= n or text[i] != ",":
            break
        i += 1
    return out, i


def first_statement(text: str) -> int:
    """Where the first statement naming columns (CREATE TABLE, INSERT, COPY) begins in the text
    (its length when none does)."""
    at = len(text)
    for rx in (CREATE, INSERT, COPY):
        m = rx.search(text)
        if m is not None and m.start() < at:
            at = m.start()
    return at


_NEXT_TUPLE = re.compile(r"\)\s*,\s*\(")
_RESYNC_TRIES = 16          # places a chunk's first whole tuple is looked for ("), (" inside a string too)


def _rows(values: list) -> int:
    """How many tuples ``tuples`` read values of (a tuple's column indexes increase)."""
    rows, last = 0, None
    for k, _, _ in values:
        if last is None or k <= last:
            rows += 1
        last = k
    return rows


def continued_values(text: str, lead: tuple, end: int) -> list:
    """The values of ``text[:end]`` when the text begins inside the statement ``lead`` names
    (``Statements``): [(column index, start, end)]. An INSERT's tuples from the first one that
    begins in the text ("), (" before it), each with as many values as the statement has
    columns, two of them at least or up to the statement's end (a "), (" inside a string value
    is passed over: what follows it is no such tuples); a COPY's rows from the first whole
    line, each with as many fields, to its end ("\\.")."""
    kind, _table, names = lead
    out: list = []
    if kind == "insert":
        part = text[:end]
        for m in itertools.islice(_NEXT_TUPLE.finditer(part), _RESYNC_TRIES):
            out, i = tuples(part, m.end() - 1, arity=len(names))
            if out and (_rows(out) >= 2 or i >= len(part) or part[i] == ";"):
                return out
        return []
    pos = text.find("\n", 0, end) + 1
    while 0 < pos < end and not text.startswith("\\.", pos):
        eol = text.find("\n", pos, end)
        if eol == -1:
            break
        fields = text[pos:eol].split("\t")
        if len(fields) != len(names):
            break
        at = pos
        for k, value in enumerate(fields):
            if value and value != "\\N":
                out.append((k, at, at + len(value)))
            at += len(value) + 1
        pos = eol + 1
    return out


class Statements:
    """Follows a dump window by window (``extract.text.windows``: each window's text and where
    it begins in the file): the statement a window's text may begin inside, as ``(kind, table,
    column names)`` ("insert" or "copy"): the last INSERT's or COPY's header before it, with its
    column list or, without one, its table's CREATE TABLE. Whether that statement still goes on
    where the window begins is for ``continued_values`` to tell (a tuple or a row must begin
    there). Bounded: the column lists of ``MAX_TABLES`` tables, the headers of one window."""

    MAX_TABLES = 1000

    def __init__(self):
        self._created: dict = {}        # table (lower case) -> column names
        self._ahead: list = []          # (where it begins in the file, lead) of headers not yet passed
        self._last: Optional[tuple] = None

    def lead(self, text: str, at: int) -> Optional[tuple]:
        """The statement the window ``text``, which begins at ``at`` in the file, may begin
        inside; then the headers in it are remembered for the windows after it."""
        while self._ahead and self._ahead[0][0] < at:
            self._last = self._ahead.pop(0)[1]
        lead = self._last
        known = {p for p, _ in self._ahead}
        found = []
        for m in CREATE.finditer(text):
            if len(self._created) < self.MAX_TABLES or m["t"].lower() in self._created:
                self._created[m["t"].lower()] = tuple(table_columns(text, m.end())[0])
        for rx, kind in ((INSERT, "insert"), (COPY, "copy")):
            for m in rx.finditer(text):
                names = tuple(column_names(m["cols"])) if m["cols"] else self._created.get(m["t"].lower(), ())
                if at + m.start() not in known and names and all(names):
                    found.append((at + m.start(), (kind, m["t"], names)))
        self._ahead.extend(sorted(found, key=lambda f: f[0]))
        return lead

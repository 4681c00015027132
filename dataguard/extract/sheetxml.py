"""expat handlers (for ``safexml.stream``) that read a worksheet's cells and a shared-string
table's strings as they stream, without building an ElementTree of each row or string (that,
and walking it, was most of the time a workbook took).

They read what those trees hold (``tests/test_sheetxml.py`` reads both ways and compares): of
each ``row`` at depth 3 (worksheet > sheetData > row), its ``c`` children; of a cell, its first
``v``'s text, or for an inline string (``t="inlineStr"``) the text of its first ``is``; a
string item's text is that of its ``t`` children and of the ``t`` elements inside its runs
(``r``), phonetic guides (``rPh``) left out. An element's text is what it holds before its
first child, as ElementTree's ``text``. Each subtree at the depth they read (a row, or any
other element there; a string item) is bounded as ``safexml.Subtrees`` bounds one:
``SUBTREE_ELEMENTS`` elements, ``SUBTREE_CAP`` characters of text and attribute values
(beyond: MemoryError, which the dispatcher reports as too_large).
"""
from __future__ import annotations

from dataguard.extract.safexml import SUBTREE_CAP, SUBTREE_ELEMENTS

SPREADSHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS = SPREADSHEET + "}"                       # expat's names: uri}local
_ROW, _C, _V, _IS, _T, _R = (_NS + n for n in ("row", "c", "v", "is", "t", "r"))
INLINE = "inlineStr"


class SheetRows:
    """A worksheet's rows: ``out`` gets ``(r, cells)`` for each row, ``r`` its ``r`` attribute
    (None when absent), each cell ``[r, t, s, parts]``: its attributes (None when absent) and
    the pieces of its value's text (None when it has no ``v``, or no ``is`` for an inline
    string)."""

    def __init__(self):
        self.out: list = []
        self.depth = 0
        self.elements = self.chars = 0     # in the subtree at depth 3 being read
        self.row = None                    # (r, cells) of the row being read
        self.cell = None                   # the cell being read
        self.parts = None                  # where the text being read goes
        self.capture = False               # whether text now is read: an element's own, before its first child
        self.inline = self.run = False     # inside a cell's first ``is``; inside a run of it (``r``)

    def start(self, name, attrs):
        depth = self.depth = self.depth + 1
        self.capture = False
        if depth < 3:
            return
        if depth == 3:
            self.elements = self.chars = 0
            self.row = (attrs.get("r"), []) if name == _ROW else None
        self.elements += 1
        if attrs:
            self.chars += sum(map(len, attrs.values()))
        if self.elements > SUBTREE_ELEMENTS or self.chars > SUBTREE_CAP:
            raise MemoryError("XML element with too many descendants or too much text")
        if self.row is None or depth == 3:
            return
        if depth == 4:
            self.cell = [attrs.get("r"), attrs.get("t"), attrs.get("s"), None] if name == _C else None
            if self.cell is not None:
                self.row[1].append(self.cell)
            return
        cell = self.cell
        if cell is None:
            return
        if depth == 5:
            if cell[3] is None and name == (_IS if cell[1] == INLINE else _V):
                cell[3] = self.parts = []
                self.capture = name == _V
                self.inline = name == _IS
        elif self.inline:
            if depth == 6:
                self.capture = name == _T
                self.run = name == _R
            elif self.run and name == _T:
                self.capture = True

    def end(self, name):
        self.capture = False
        depth = self.depth
        self.depth = depth - 1
        if depth == 3:
            if self.row is not None:
                self.out.append(self.row)
                self.row = None
        elif depth == 5:
            self.inline = False

    def data(self, text):
        if self.depth >= 3:
            self.chars += len(text)
            if self.chars > SUBTREE_CAP:
                raise MemoryError("XML element with too much text")
            if self.capture:
                self.parts.append(text)


class StringItems:
    """A shared-string table: ``out`` gets the text of each element at depth 2 (sst > si)."""

    def __init__(self):
        self.out: list = []
        self.depth = 0
        self.elements = self.chars = 0     # in the item being read
        self.parts: list = []
        self.capture = self.run = False    # as in SheetRows

    def start(self, name, attrs):
        depth = self.depth = self.depth + 1
        self.capture = False
        if depth < 2:
            return
        if depth == 2:
            self.elements = self.chars = 0
            self.parts = []
        self.elements += 1
        if attrs:
            self.chars += sum(map(len, attrs.values()))
        if self.elements > SUBTREE_ELEMENTS or self.chars > SUBTREE_CAP:
            raise MemoryError("XML element with too many descendants or too much text")
        if depth == 3:
            self.capture = name == _T
            self.run = name == _R
        elif depth > 3 and self.run and name == _T:
            self.capture = True

    def end(self, name):
        self.capture = False
        depth = self.depth
        self.depth = depth - 1
        if depth == 2:
            self.out.append("".join(self.parts))

    def data(self, text):
        if self.depth >= 2:
            self.chars += len(text)
            if self.chars > SUBTREE_CAP:
                raise MemoryError("XML element with too much text")
            if self.capture:
                self.parts.append(text)

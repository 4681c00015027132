"""``sheetxml``'s handlers read what the ElementTree of each row or string item holds, as
``xlsx`` read it from ``safexml.iter_xml``'s subtrees (the reference below), bounded as
``safexml.Subtrees`` bounds a subtree: the same rows, the same values, the same refusals, and
the same MemoryError after the same rows, whatever the blocks the part is read in."""
from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataguard.extract import extract, safexml, sheetxml
from dataguard.extract.chunks import column_letter
from dataguard.extract.safexml import UnsafeXML, iter_xml, stream
from dataguard.extract.sheetxml import SPREADSHEET, SheetRows, StringItems
from dataguard.extract.xlsx import _col_number
from dataguard.types import Limits, Problem, Unit

MAIN = "{" + SPREADSHEET + "}"
OTHER = "urn:other"


# ---------------------------------------------------------------- the reference: ElementTree subtrees
def _text_of(el) -> str:
    """A string item's text, as ``xlsx`` read it from its tree before ``sheetxml``."""
    parts = []
    for child in el:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            parts.extend(t.text or "" for t in child.iter(MAIN + "t"))
    return "".join(parts)


def _tree_rows(xml: bytes):
    """Each row's r and its cells' (r, t, s, text of the first v, or of the first is for an inline
    string), as ``xlsx`` read them from the row's tree before ``sheetxml``."""
    for ev in iter_xml(io.BytesIO(xml), 3):
        if ev[0] != "elem" or ev[1].tag != MAIN + "row":
            continue
        cells = []
        for c in ev[1]:
            if c.tag != MAIN + "c":
                continue
            if c.get("t") == "inlineStr":
                el = c.find(MAIN + "is")
                raw = None if el is None else _text_of(el)
            else:
                raw = c.findtext(MAIN + "v")
            cells.append((c.get("r"), c.get("t"), c.get("s"), raw))
        yield ev[1].get("r"), cells


def _handler_rows(xml: bytes):
    for r, cells in stream(io.BytesIO(xml), SheetRows()):
        yield r, [(ref, t, s, None if parts is None else "".join(parts)) for ref, t, s, parts in cells]


def _tree_strings(xml: bytes):
    return (_text_of(ev[1]) for ev in iter_xml(io.BytesIO(xml), 2) if ev[0] == "elem")


def _handler_strings(xml: bytes):
    return stream(io.BytesIO(xml), StringItems())


def _outcome(items) -> tuple:
    """What a reader yields, and the error it stops with."""
    got = []
    try:
        for item in items:
            got.append(item)
    except (MemoryError, ValueError) as exc:
        return got, type(exc).__name__
    return got, None


def _sheet(rows: str) -> bytes:
    """(attributes above the rows too: they count in no subtree)"""
    return (f'<worksheet xmlns="{SPREADSHEET}" xmlns:m="{SPREADSHEET}" xmlns:o="{OTHER}" a="above"><sheetData '
            f'b="above">{rows}</sheetData></worksheet>').encode()


def _sst(items: str) -> bytes:
    return f'<sst xmlns="{SPREADSHEET}" xmlns:m="{SPREADSHEET}" xmlns:o="{OTHER}" count="12345">{items}</sst>'.encode()


# ---------------------------------------------------------------- cases written out
ROWS = [
    '<row r="1"><c r="A1" t="s" s="2"><v>0</v></c><c><v>1.5</v></c><c r="C1" t="b"/></row>',
    '<row><c t="inlineStr"><is><t>a</t><r><rPr/><t>b</t></r><rPh><t>phonetic</t></rPh><x><t>no</t></x></is></c></row>',
    '<row><c t="inlineStr"><v>v</v><is><t>first</t></is><is><t>second</t></is></c><c t="inlineStr"/></row>',
    '<row><c t="inlineStr"><is><t>o<t>inner</t>tail</t><r><t>o<t>in</t>t</t><x><t>deep</t>x</x></r></is></c></row>',
    '<row><c t="inlineStr"><is>direct<r>run text<rPh><t>in a run</t></rPh></r></is></c></row>',
    '<row><c><v>12<x/>34</v><v>2</v></c><c><f>A1</f></c><c><x><v>no</v></x></c><c><v/></c></row>',
    '<row><c><v>1<!--c-->2<?pi?>3</v></c><c><v><![CDATA[<4>]]>&amp;&#65;</v></c><c><v>\r\n5 </v></c></row>',
    '<row>\n  <c r="A1">\n    <v>1</v>\n  </c>\n  tail\n</row>',
    '<row><c r="A1"><v>1</v><c r="B1"><v>nested</v></c></c><x><v>x</v></x><row><c><v>inner row</v></c></row></row>',
    '<m:row r="2"><m:c r="A2" m:t="s" t="n"><m:v>3</m:v></m:c><c><m:v>4</m:v></c><o:c><o:v>other</o:v></o:c></m:row>',
    '<o:row><o:c><o:v>a row of another namespace</o:v></o:c></o:row><cols/>',
    '<row><c t="inlineStr" xmlns="urn:other"><is><t>other</t></is></c>'
    f'<c xmlns="{SPREADSHEET}" t="inlineStr"><is xmlns:q="{SPREADSHEET}"><q:t>q</q:t></is></c></row>',
]
STRINGS = [
    '<si><t>plain</t></si><si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>ph</t></rPh></si>',
    '<si>direct<t>t</t>tail</si><si/><extLst><ext><t>x</t></ext></extLst><m:si><m:t>prefixed</m:t></m:si>',
    '<si><t>a<x>b</x>c</t><r><x><t>deep</t></x>tail</r><o:t>other</o:t></si><si><t>&amp;&#10;<![CDATA[c]]></t></si>',
]


@pytest.mark.parametrize("rows", ROWS)
def test_a_sheets_cells_read_as_from_their_tree(rows):
    xml = _sheet(rows)
    assert list(_handler_rows(xml)) == list(_tree_rows(xml))


@pytest.mark.parametrize("items", STRINGS)
def test_shared_strings_read_as_from_their_tree(items):
    xml = _sst(items)
    assert list(_handler_strings(xml)) == list(_tree_strings(xml))


def test_a_prefixed_sheet_reads_as_the_same_sheet_unprefixed():
    plain = _sheet('<row r="1"><c r="A1" t="inlineStr"><is><r><t>x</t></r></is></c><c r="B1"><v>2</v></c></row>')
    prefixed = (f'<x:worksheet xmlns:x="{SPREADSHEET}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is>'
                '<x:r><x:t>x</x:t></x:r></x:is></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row></x:sheetData>'
                '</x:worksheet>').encode()
    assert list(_handler_rows(prefixed)) == list(_handler_rows(plain)) == [("1", [("A1", "inlineStr", None, "x"),
                                                                                 ("B1", None, None, "2")])]


@pytest.mark.parametrize("handlers", [SheetRows, StringItems])
@pytest.mark.parametrize("doctype", ['<!DOCTYPE w [<!ENTITY a "aaaa">]>', '<!DOCTYPE w SYSTEM "http://x/y.dtd">'])
def test_a_dtd_is_refused(handlers, doctype):
    xml = f'<?xml version="1.0"?>{doctype}<w xmlns="{SPREADSHEET}"><x><row><c><v>1</v></c></row></x></w>'
    with pytest.raises(UnsafeXML):
        list(stream(io.BytesIO(xml.encode()), handlers()))


def test_a_matching_reference_names_its_column_as_column_letter_does():
    """``xlsx`` keeps a matching cell reference as the cell's name: the letters of every column
    come back from its number."""
    letters = [chr(65 + i) for i in range(26)]
    names = letters + [a + b for a in letters for b in letters] + [a + b + c for a in letters for b in letters
                                                                   for c in letters]
    assert all(column_letter(_col_number(name)) == name for name in names)


# ---------------------------------------------------------------- random documents, small bounds and blocks
# the tags each level of a document is drawn from (a sheet's from its rows down, a table's from its items)
SHEET_LEVELS = [["row", "row", "x"], ["c", "c", "x"], ["v", "is", "x"], ["t", "r", "rPh", "x"], ["t", "r", "x"],
                ["t", "x"]]
STRING_LEVELS = [["si", "si", "x"], ["t", "r", "rPh", "x"], ["t", "r", "x"], ["t", "x"]]
TEXT = st.sampled_from(["", "1", "a b", " ", "&amp;", "&#66;", "<![CDATA[<c>]]>", "<!--n-->", "\n", "é"])
ATTRS = st.dictionaries(st.sampled_from(["r", "t", "s", "m:t", "o:x"]),
                        st.sampled_from(["", "A1", "inlineStr", "inlineStr", "s", "1", "XFD9"]), max_size=3)


def _nodes(levels, level=0):
    """Elements as (tag, attributes, children), children text or elements of the next level."""
    tag = st.tuples(st.sampled_from(["", "", "m:", "o:"]), st.sampled_from(levels[level])).map("".join)
    inner = TEXT if level + 1 == len(levels) else st.one_of(TEXT, _nodes(levels, level + 1))
    return st.builds(lambda t, a, c: (t, a, c), tag, ATTRS, st.lists(inner, max_size=3))


def _xml(node) -> str:
    if isinstance(node, str):
        return node
    tag, attrs, children = node
    attributes = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return f"<{tag}{attributes}>{''.join(map(_xml, children))}</{tag}>"


def _bounded(monkeypatch, read: int, elements: int, chars: int) -> None:
    """Blocks of ``read`` bytes, subtrees of at most ``elements`` elements and ``chars`` characters."""
    monkeypatch.setattr(safexml, "_READ", read)
    for module in (safexml, sheetxml):
        monkeypatch.setattr(module, "SUBTREE_ELEMENTS", elements)
        monkeypatch.setattr(module, "SUBTREE_CAP", chars)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(st.one_of(TEXT, _nodes(SHEET_LEVELS)), max_size=4), read=st.integers(1, 64),
       elements=st.integers(1, 30), chars=st.integers(0, 40))
def test_random_sheets_read_and_stop_as_from_their_trees(monkeypatch, nodes, read, elements, chars):
    _bounded(monkeypatch, read, elements, chars)
    xml = _sheet("".join(map(_xml, nodes)))
    assert _outcome(_handler_rows(xml)) == _outcome(_tree_rows(xml))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(st.one_of(TEXT, _nodes(STRING_LEVELS)), max_size=4), read=st.integers(1, 64),
       elements=st.integers(1, 30), chars=st.integers(0, 40))
def test_random_string_tables_read_and_stop_as_from_their_trees(monkeypatch, nodes, read, elements, chars):
    _bounded(monkeypatch, read, elements, chars)
    xml = _sst("".join(map(_xml, nodes)))
    assert _outcome(_handler_strings(xml)) == _outcome(_tree_strings(xml))


@pytest.mark.parametrize("extra, stops", [("", None), ("<c/>", "MemoryError")])
def test_a_row_of_one_element_too_many_is_refused(monkeypatch, extra, stops):
    _bounded(monkeypatch, 1 << 16, 5, 1000)
    xml = _sheet('<row r="1"><c><v>1</v></c></row><row r="2"><c/><c/><c/><c/>' + extra + "</row>")
    assert _outcome(_handler_rows(xml))[1] == stops


@pytest.mark.parametrize("text, stops", [("x" * 8, None), ("x" * 9, "MemoryError")])
def test_a_row_of_one_character_too_many_is_refused(monkeypatch, text, stops):
    _bounded(monkeypatch, 1 << 16, 1000, 9)
    xml = _sheet(f'<row r="2"><c><v>{text}</v></c></row>')       # the row's r and its text: 1 + 8 is 9
    assert _outcome(_handler_rows(xml))[1] == stops


# ---------------------------------------------------------------- whole workbooks
def _workbook(path, sheet: bytes, shared: bytes = b"") -> None:
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    rels = f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        zf.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                    'Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{SPREADSHEET}" xmlns:r="{rel}"><sheets><sheet name="S" '
                    'sheetId="1" r:id="rId1"/></sheets></workbook>')
        if shared:
            rels += f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            zf.writestr("xl/sharedStrings.xml", shared)
        zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}">{rels}</Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml", sheet)


def _read(path):
    return list(extract(Unit(str(path.parent), str(path), path.name), lambda: open(path, "rb"), path.name, Limits()))


def test_a_prefixed_workbook_reads_as_the_same_workbook_unprefixed(tmp_path):
    x = f'xmlns:x="{SPREADSHEET}"'
    _workbook(tmp_path / "plain.xlsx", _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is>'
                                              '<t>Ana Diaz</t></is></c><c r="C1"><v>4111111111111111</v></c></row>'),
              _sst('<si><r><t>card </t></r><r><t>number</t></r><rPh><t>x</t></rPh></si>'))
    _workbook(tmp_path / "prefixed.xlsx",
              f'<x:worksheet {x}><x:sheetData><x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" '
              't="inlineStr"><x:is><x:t>Ana Diaz</x:t></x:is></x:c><x:c r="C1"><x:v>4111111111111111</x:v></x:c>'
              '</x:row></x:sheetData></x:worksheet>'.encode(),
              f'<x:sst {x}><x:si><x:r><x:t>card </x:t></x:r><x:r><x:t>number</x:t></x:r><x:rPh><x:t>x</x:t></x:rPh>'
              '</x:si></x:sst>'.encode())
    plain, prefixed = _read(tmp_path / "plain.xlsx"), _read(tmp_path / "prefixed.xlsx")
    assert [(c.text, c.anchors) for c in prefixed] == [(c.text, c.anchors) for c in plain]
    assert plain[0].text == "card number\tAna Diaz\t4111111111111111"


@pytest.mark.parametrize("part", ["sheet", "shared strings"])
def test_a_row_or_shared_string_past_the_bounds_is_too_large(tmp_path, monkeypatch, part):
    monkeypatch.setattr(sheetxml, "SUBTREE_ELEMENTS", 50)
    many = "<c/>" * 60 if part == "sheet" else ""
    shared = _sst("<si>" + "<r/>" * (60 if part == "shared strings" else 1) + "</si>")
    _workbook(tmp_path / "big.xlsx", _sheet(f'<row r="1"><c><v>1</v></c>{many}</row>'), shared)
    assert [p.kind for p in _read(tmp_path / "big.xlsx") if isinstance(p, Problem)] == ["too_large"]


def test_a_workbook_with_a_dtd_is_refused(tmp_path):
    _workbook(tmp_path / "dtd.xlsx", b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaa">]>'
              + _sheet('<row><c><v>&a;</v></c></row>'))
    assert [p.kind for p in _read(tmp_path / "dtd.xlsx") if isinstance(p, Problem)] == ["corrupt"]


def test_digits_that_are_no_decimal_digits_lose_a_cell_not_the_workbook(tmp_path):
    """A row number, style or shared-string index written with a digit that is no decimal digit
    ('²': ``str.isdigit`` says yes, ``int`` refuses it) reads as absent (the row counted on, no
    date style, no string); the other cells are read as usual. Decimal digits of other scripts
    read as ``int`` reads them."""
    _workbook(tmp_path / "odd.xlsx",
              _sheet('<row r="\u00b2"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>\u00b9</v></c>'
                     '<c r="C1" s="\u00b3"><v>45000</v></c></row><row r="\u0663"><c t="s"><v>\u0660</v></c></row>'),
              _sst("<si><t>Amina Diallo</t></si>"))
    out = _read(tmp_path / "odd.xlsx")
    assert not [p for p in out if isinstance(p, Problem)]
    [chunk] = out
    assert chunk.text == "Amina Diallo\t45000\nAmina Diallo"
    assert [a.pointer.cell for a in chunk.anchors] == ["A1", "C1", "A3"]


@pytest.mark.parametrize("bound, value", [("MAX_NAMES", 50), ("MAX_NAME_CHARS", 5000)])
def test_the_table_of_names_stays_bounded_and_the_subtrees_unchanged(monkeypatch, bound, value):
    """``Subtrees`` keeps one str object per element name, at most ``MAX_NAMES`` names and
    ``MAX_NAME_CHARS`` characters of them (a document of millions of distinct names, or of
    long ones, would grow the table without end): past a bound the table starts afresh, and
    the subtrees read are those read without a bound."""
    names = "".join(f'<n{i}{"x" * 60} a{i}="v"><x>t{i}</x></n{i}{"x" * 60}>' for i in range(300))
    xml = f"<root><list>{names}</list><list>{names}</list></root>".encode()

    def read():
        handlers = safexml.Subtrees(3)
        out = [(ev[1].tag, ev[1].attrib, ev[1][0].text) for ev in stream(io.BytesIO(xml), handlers) if ev[0] == "elem"]
        return out, len(handlers.names), sum(map(len, handlers.names))
    unbounded, kept, chars = read()
    monkeypatch.setattr(safexml, bound, value)
    bounded, kept_bounded, chars_bounded = read()
    assert bounded == unbounded and len(unbounded) == 600 and kept > 600 and chars > 300 * 60
    assert kept_bounded <= 50 if bound == "MAX_NAMES" else chars_bounded <= 5000


def _pieces_read_cell_by_cell(book, cells, sheet, row_no):
    """``xlsx._row_pieces`` as it read a row before it skipped column numbers nobody asks for
    and inline strings' way through ``_Book.value``: every cell's column, every value by ``value``."""
    from dataguard.extract.xlsx import _REF
    from dataguard.types import Pointer
    pieces, col = [], 0
    for ref, kind, style, parts in cells:
        m = _REF.match(ref or "")
        col = _col_number(m.group(1)) if m else col + 1
        text = book.value(kind, style, None if parts is None else "".join(parts))
        if text:
            pieces.append((text, Pointer(sheet=sheet, cell=m.group() if m else f"{column_letter(col)}{row_no}")))
    return pieces


_CELL = st.tuples(st.sampled_from([None, "", "A1", "B7", "XFD3", "a1", "AAAA1", "C1x", "ZZ12"]),
                  st.sampled_from([None, "s", "n", "b", "str", "e", "d", "inlineStr", "x"]),
                  st.sampled_from([None, "0", "1", "x"]),
                  st.one_of(st.none(), st.lists(st.sampled_from(["", "0", "1", " 2", "3.5", "x", "é"]), max_size=3)))


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELL, max_size=12))
def test_a_rows_pieces_are_those_read_cell_by_cell(cells):
    from dataguard.extract.xlsx import WINDOWS_1900, _Book, _row_pieces
    book = _Book.__new__(_Book)
    book.strings, book.dates, book.epoch, book.row_cap = ["one", "", "three"], [False, True], WINDOWS_1900, 10**6
    cells = [[r, t, s, None if p is None else list(p)] for r, t, s, p in cells]
    assert _row_pieces(book, cells, "S", 9) == _pieces_read_cell_by_cell(book, cells, "S", 9)

"""Workbook cells in a date or time format read as openpyxl reads them, without importing it.

``dataguard.extract.xlsx`` has its own ``from_serial`` and ``is_date_format`` (openpyxl's import
costs every worker process some 0.3 s); openpyxl, a test dependency, is the reference."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.numbers import is_date_format as reference_is_date
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from dataguard.extract.xlsx import MAC_1904, WINDOWS_1900, from_serial, is_date_format

CALENDARS = [(WINDOWS_1900, CALENDAR_WINDOWS_1900), (MAC_1904, CALENDAR_MAC_1904)]


def _outcome(convert, value, epoch):
    try:
        return convert(value, epoch)
    except (OverflowError, ValueError, ArithmeticError) as exc:
        return type(exc).__name__


@pytest.mark.parametrize("ours, theirs", CALENDARS)
@pytest.mark.parametrize("value", [0, 0.5, 0.999999, 0.9999999999, 1, 1.25, 59, 59.75, 60, 60.5, 61, 366, 45000,
                                   45000.0000001, 45000.5, 2958465, 2958465.9999, 2958466, 10**7, -1, -0.5, -693593,
                                   -700000, 4275331112223339, float("nan"), float("inf"),
                                   float("-inf"), 1e308, -1e308])
def test_serials_read_as_openpyxl_reads_them(ours, theirs, value):
    assert ours == theirs
    assert _outcome(from_serial, value, ours) == _outcome(from_excel, value, theirs)


def test_the_1900_calendar_counts_a_29_february_that_never_was():
    assert from_serial(1, WINDOWS_1900).date().isoformat() == "1900-01-01"
    assert from_serial(59, WINDOWS_1900).date().isoformat() == "1900-02-28"
    assert from_serial(61, WINDOWS_1900).date().isoformat() == "1900-03-01"
    assert from_serial(45000, WINDOWS_1900).date().isoformat() == "2023-03-15"
    assert from_serial(45000, MAC_1904).date().isoformat() == "2027-03-16"
    assert from_serial(0.75, WINDOWS_1900).isoformat() == "18:00:00"


@settings(max_examples=400, deadline=None)
@given(st.floats(min_value=-800_000, max_value=3_000_000, allow_nan=False), st.sampled_from(CALENDARS))
def test_any_serial_reads_as_openpyxl_reads_it(value, calendar):
    ours, theirs = calendar
    assert _outcome(from_serial, value, ours) == _outcome(from_excel, value, theirs)


FORMATS = sorted(set(BUILTIN_FORMATS.values())) + [
    "yyyy-mm-dd", "dd/mm/yyyy;@", "[$-409]mmmm d, yyyy;@", "[h]:mm:ss", "[mm]:ss", "[ss].00", "[HH]:MM",
    '"Date: "0', '"day"0.00', "[Red]0.00", "[Blue]#,##0;[Red]-#,##0", "0.00_);(0.00)", "\\d0", "_d0", "0;dd",
    "#,##0 \"days\"", "[<=9999999]###-####;(###) ###-####", "@", "General", "", "0.000E+00", "[$€-2] #,##0.00",
    "mmm-yy", "h AM/PM", "[s]", "\"unclosed 0", "[unclosed d", "dd\"", "yyyy\\-mm", "\\y\\y\\y\\y",
]


@pytest.mark.parametrize("code", FORMATS)
def test_date_formats_as_openpyxl_tells_them(code):
    assert is_date_format(code) == reference_is_date(code)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='dmhysDMHYS0#.,;:"[]\\_-@ $€-/HEa', max_size=30))
def test_any_format_as_openpyxl_tells_it(code):
    assert is_date_format(code) == reference_is_date(code)


def test_reading_a_workbook_imports_no_openpyxl(tmp_path):
    """The point of the two functions: extracting a workbook with dates loads no openpyxl."""
    path = tmp_path / "dates.xlsx"
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        zf.writestr("xl/workbook.xml", f'<workbook {ns} {rel}><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                    '</sheets></workbook>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        zf.writestr("xl/styles.xml", f'<styleSheet {ns}><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
                    '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="20"/></cellXfs>'
                    '</styleSheet>')
        zf.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}><sheetData><row r="1"><c r="A1" s="1"><v>45000'
                    '</v></c><c r="B1" s="2"><v>0.3958333333</v></c><c r="C1"><v>45000</v></c></row></sheetData>'
                    '</worksheet>')
    code = f"""
import sys
from dataguard.extract import extract
from dataguard.types import Chunk, Limits, Unit
unit = Unit(target={str(path)!r}, uri={str(path)!r}, path="dates.xlsx")
out = [c.text for c in extract(unit, lambda: open({str(path)!r}, "rb"), "dates.xlsx", Limits()) if isinstance(c, Chunk)]
print(repr(out), sorted(m for m in sys.modules if m.split(".")[0] == "openpyxl"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['2023-03-15\\t09:30\\t45000'] []"

"""Excel workbooks (xlsx/xlsm) read straight from the package's XML, one row at a time.

Every worksheet, hidden ones included, and its notes (comments); only the cells a row holds are read (a row
whose single cell lies at column XFD costs one cell, not 16,384), the declared
dimensions are ignored, and nothing of the workbook but sheet names, relationships,
the date flag, number formats and shared strings is parsed (defined names, custom
properties and the like are never read, so no parsing library can warn about them).

Values as a person reads them: shared and inline strings, cached formula results,
TRUE/FALSE, numbers (integers exactly), and numbers in a date or time format as
the date or time, unless the number lies outside the calendar (then the number: a
card number formatted as a date is still a card number).

Bounds: the shared-string table holds at most ``MAX_SHARED_STRINGS`` strings and
``Limits.parse_cap`` characters, the style table ``MAX_STYLES`` number formats and
``MAX_STYLES`` cell styles, read one at a time (beyond:
MemoryError, reported as too_large); a row, as a shared string, is one XML subtree, bounded
as ``safexml`` bounds one (``sheetxml`` reads both), and its values (a shared string counts
each time a cell names it) at most ``Limits.parse_cap`` characters.
"""
from __future__ import annotations

import datetime as _dt
import functools
import posixpath
import re
import zipfile
from typing import Iterator, Optional, Union

from dataguard.extract.base import ExtractContext, describe, sheet_name_chunk
from dataguard.extract.chunks import ChunkBuilder, SheetHeader, column_letter, column_number, render_value
from dataguard.extract.opc import children, events, parsed, relationships
from dataguard.extract.sheetxml import INLINE, SPREADSHEET, SheetRows, StringItems
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit

MAIN = "{" + SPREADSHEET + "}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_SHARED_STRINGS = 1_000_000
MAX_STYLES = 65_536
MAX_FORMAT_CODE = 256
_BUILTIN_DATES = set(range(14, 23)) | {45, 46, 47}
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")

# Excel's two calendars (ECMA-376 18.17.4.1). In the 1900 system serial 1 is 1900-01-01 and
# serial 60 the 29 February 1900 that never was (read as the 28th); from serial 61 on, days
# count from 1899-12-30. These few lines read cells as openpyxl's ``from_excel`` and
# ``is_date_format`` do (``tests/test_xlsx_dates.py`` compares them) without importing openpyxl,
# which costs some 0.3 s in every worker process that opens a workbook.
WINDOWS_1900 = _dt.datetime(1899, 12, 30)
MAC_1904 = _dt.datetime(1904, 1, 1)
# a format's first section, without its quoted text and its brackets (colours, conditions,
# locales), elapsed-time brackets ([h], [mm], [ss]) kept
_FORMAT_NOISE = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")      # not escaped, not after '_' (a space as wide as it)


def is_date_format(code: str) -> bool:
    """Whether a number format code shows a date or time: a date or time letter in its first
    section outside quoted text and brackets, not escaped."""
    return _DATE_LETTER.search(_FORMAT_NOISE.sub("", code.split(";")[0])) is not None


def from_serial(value: float, epoch: _dt.datetime):
    """The date and time of an Excel serial number in a calendar (``WINDOWS_1900``,
    ``MAC_1904``), to the millisecond; a time of day alone for 0 <= value < 1. Raises
    OverflowError or ValueError outside Python's calendar."""
    day, fraction = divmod(value, 1)
    diff = _dt.timedelta(milliseconds=round(fraction * 86_400_000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        return _dt.time(minutes // 60, minutes % 60, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_1900:
        day += 1                        # before the 29 February 1900 Excel counts
    return epoch + _dt.timedelta(days=day) + diff


def _shared_strings(zf: zipfile.ZipFile, name: str, limits: Limits) -> list:
    strings, chars, cap = [], 0, limits.parse_cap
    for text in parsed(zf, name, StringItems()):
        chars += len(text)
        strings.append(text)
        if len(strings) > MAX_SHARED_STRINGS or chars > cap:
            raise MemoryError("shared-string table larger than allowed")
    return strings


def _date_styles(zf: zipfile.ZipFile, name: str) -> list:
    """For each cell style index, whether its number format shows a date or time (read one
    format at a time: at most MAX_STYLES of each)."""
    custom, styles, section = {}, [], None
    for ev in events(zf, name, 3):           # styleSheet(1) > numFmts, cellXfs(2) > numFmt, xf(3)
        if ev[0] == "start":
            section = ev[1] if ev[3] == 2 else section
            continue
        el = ev[1]
        if max(len(custom), len(styles)) >= MAX_STYLES:
            raise MemoryError("style table larger than allowed")
        if section == MAIN + "numFmts" and el.tag == MAIN + "numFmt":
            custom[el.get("numFmtId")] = is_date_format((el.get("formatCode") or "")[:MAX_FORMAT_CODE])
        elif section == MAIN + "cellXfs" and el.tag == MAIN + "xf":
            fid = el.get("numFmtId") or "0"
            styles.append(custom[fid] if fid in custom else fid.isdecimal() and int(fid) in _BUILTIN_DATES)
    return styles


class _Book:
    """What the cells of a workbook need: shared strings, date styles, the epoch."""

    def __init__(self, zf: zipfile.ZipFile, limits: Limits):
        targets = {rid: part for rid, (_, part) in relationships(zf, "xl/workbook.xml").items()}
        self.sheets: list = []        # (name, part)
        self.epoch = WINDOWS_1900
        for el in children(zf, "xl/workbook.xml", 2):
            if el.tag == MAIN + "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = MAC_1904
            elif el.tag == MAIN + "sheets":
                for sh in el.iter(MAIN + "sheet"):
                    part = targets.get(sh.get(REL + "id"))
                    if part:
                        self.sheets.append((sh.get("name") or "", part))
        parts = {posixpath.basename(part).lower(): part for part in targets.values()}
        self.strings = _shared_strings(zf, parts.get("sharedstrings.xml", "xl/sharedStrings.xml"), limits)
        self.row_cap = limits.parse_cap
        self.dates = _date_styles(zf, parts.get("styles.xml", "xl/styles.xml"))

    def value(self, kind: Optional[str], style: Optional[str], raw: Optional[str]) -> str:
        """A cell's value from its type and style attributes and its value's text (``sheetxml``)."""
        kind = kind or "n"
        if kind == INLINE:
            return raw or ""
        if raw is None:
            return ""
        if kind == "s":
            index = int(raw) if raw.strip().isdecimal() else -1
            return self.strings[index] if 0 <= index < len(self.strings) else ""
        if kind == "b":
            return "TRUE" if raw.strip() in ("1", "true") else "FALSE"
        if kind == "n":
            return self._number(raw.strip(), style)
        if kind == "d":
            try:
                return render_value(_dt.datetime.fromisoformat(raw.strip()))
            except ValueError:
                return raw
        return raw                     # str (formula text), e (error value)

    def _number(self, raw: str, style: Optional[str]) -> str:
        try:
            number = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
        except ValueError:
            return raw
        s = int(style) if style and style.isdecimal() else 0
        if s < len(self.dates) and self.dates[s]:
            try:
                return render_value(from_serial(number, self.epoch))
            except (OverflowError, ValueError, ArithmeticError):
                pass                     # outside the calendar: the number itself
        return render_value(number)


def _row_pieces(book: _Book, cells: list, sheet: str, row_no: int) -> list:
    """A row's cell values with their cells (``SheetRows``); MemoryError (too_large) past
    ``book.row_cap`` characters: cells that name a shared string cost their row its length
    each, and the row is joined whole."""
    pieces, col, chars, named = [], 0, 0, None
    for ref, kind, style, parts in cells:
        m = _REF.match(ref or "")
        if m:
            named = m                   # (its column is only wanted if a cell without a name follows)
        else:
            col = (_col_number(named.group(1)) if named else col) + 1
            named = None
        if kind == INLINE:
            text = "".join(parts) if parts else ""
        else:
            text = book.value(kind, style, None if parts is None else "".join(parts))
        if text:
            chars += len(text)
            if chars > book.row_cap:
                raise MemoryError("row larger than allowed")
            # (a reference that matches is the cell's name: column_letter(col) gives its letters back)
            pieces.append((text, Pointer(sheet=sheet, cell=m.group() if m else f"{column_letter(col)}{row_no}")))
    return pieces


# (at most 18,278 names: one to three letters)
_col_number = functools.lru_cache(maxsize=None)(column_number)


def _letters(cell: str) -> str:
    """A cell reference's column letters ("AB12": "AB")."""
    return cell.rstrip("0123456789")


def xlsx_chunks(unit: Unit, zf: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[Union[Chunk, Problem]]:
    """Each worksheet's rows as structured chunks, one anchor per cell. A worksheet whose part
    cannot be parsed (broken XML, a missing part) is recorded as a ``corrupt`` Problem of the
    workbook, naming it by its place ("sheet 2 of 3": a sheet's name is data), and the other
    sheets are read; what it gave before it broke stands. Too large (MemoryError) and an
    unreadable file (OSError) are the workbook's, as before."""
    book = _Book(zf, ctx.limits)
    for n, (sheet, part) in enumerate(book.sheets, 1):
        yield from sheet_name_chunk(ctx, unit, sheet)
        try:
            yield from _sheet_chunks(book, unit, zf, sheet, part, ctx.limits)
        except (MemoryError, OSError):
            raise
        except Exception as exc:  # noqa: BLE001 - one broken sheet never hides the others
            yield Problem(describe(unit), "corrupt",
                          f"cannot parse sheet {n} of {len(book.sheets)}: {type(exc).__name__}")


def _sheet_chunks(book: _Book, unit: Unit, zf: zipfile.ZipFile, sheet: str, part: str,
                  limits: Limits) -> Iterator[Chunk]:
    """A worksheet's rows, then its notes (the rows read before an error are given first)."""
    b = ChunkBuilder(unit, limits, hint="structured", lines=False)
    header, row_no = SheetHeader(), 0
    try:
        for r, cells in parsed(zf, part, SheetRows()):
            r = r or ""
            row_no = int(r) if r.isdecimal() and len(r) < 8 else row_no + 1
            pieces = _row_pieces(book, cells, sheet, row_no)
            if not pieces:
                continue
            if not header.done:
                header.see([t for t, _ in pieces], [_letters(p.cell) for _, p in pieces])
                b.context = header.context
            yield from b.add(pieces)
    except Exception:
        yield from b.flush()
        raise
    yield from b.flush()
    yield from _notes(unit, zf, part, sheet, limits)


def _notes(unit: Unit, zf: zipfile.ZipFile, part: str, sheet: str, limits: Limits) -> Iterator[Chunk]:
    """A worksheet's notes (its comments part, which Excel also writes for a threaded comment:
    "[Threaded comment] ..."), each as prose at its cell (``part="comment"``)."""
    b = ChunkBuilder(unit, limits, lines=False)       # (where: the sheet and the cell)
    for kind, target in relationships(zf, part).values():
        if not kind.endswith("/comments"):
            continue
        for note in children(zf, target, 3):          # comments > commentList > comment
            if note.tag != MAIN + "comment":
                continue
            text = "".join(t.text or "" for t in note.iter(MAIN + "t"))
            if text.strip():
                yield from b.text(text, Pointer(sheet=sheet, cell=note.get("ref"), part="comment"))
    yield from b.flush()

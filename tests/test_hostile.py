"""The hostile corpus: each file is generated here (never committed) and extracted in a
child process; each case asserts its outcome (the errors kind, what was read) and its
peak memory (the child's maximum resident set), never a duration."""
from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import zipfile
import zlib

import pytest

MEMORY_BUDGET_KB = 1024 * 1024          # 1 GB

_CHILD = """
import json, resource, sys
from dataguard.extract import extract
from dataguard.types import Chunk, Limits, Unit
path, name, limits = sys.argv[1], sys.argv[2], Limits(**json.loads(sys.argv[3]))
unit = Unit(target=path, uri=path, path=name)
problems, chunks, chars = [], 0, 0
for piece in extract(unit, lambda: open(path, "rb"), name, limits):
    if isinstance(piece, Chunk):
        chunks += 1
        chars += piece.keep_end - piece.keep_start if piece.keep_end is not None else len(piece.text)
    else:
        problems.append([piece.uri[len(path):], piece.kind])
try:        # this process's own high-water mark (ru_maxrss also counts the parent's, copied at fork)
    peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1])
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"problems": problems, "chunks": chunks, "chars": chars, "peak_kb": peak}))
"""


def extract_in_child(path, limits: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), path.name, json.dumps(limits or {})],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert result["peak_kb"] < MEMORY_BUDGET_KB, f"peak RSS {result['peak_kb']} KB"
    return result


# ------------------------------------------------------------------ zip member counts
def _central_directory_zip(count: int, declared: int | None = None) -> bytes:
    """A zip of ``count`` empty stored members ``f<i>``, written by hand (zipfile would take
    minutes); its end record declares ``declared`` members (default: the truth)."""
    crc = zlib.crc32(b"")
    header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, 0, 0, 8, 0)
    entry = struct.Struct("<4s6H3L5H2L8s")
    size = len(header) + 8
    local = b"".join(header + b"f%07d" % i for i in range(count))
    cd = b"".join(entry.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, 0, 0, 8, 0, 0, 0, 0, 0, i * size,
                             b"f%07d" % i) for i in range(count))
    offset = len(local)
    n = min(declared if declared is not None else count, 0xFFFF)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(cd), offset, 0)
    if (declared if declared is not None else count) > 0xFFFF:
        total = declared if declared is not None else count
        zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, total, total, len(cd), offset)
        locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(cd), 1)
        end = zip64 + locator + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                                             0xFFFFFFFF, 0)
    return local + cd + end


def test_zip_with_a_million_members_is_refused_from_its_end_record(tmp_path):
    path = tmp_path / "many.zip"
    path.write_bytes(_central_directory_zip(1_000_000))
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["chunks"] == 0


def test_zip_lying_about_its_member_count_is_refused_by_its_directory_size(tmp_path):
    path = tmp_path / "liar.zip"
    path.write_bytes(_central_directory_zip(700_000, declared=10))      # 37 MB of central directory
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["chunks"] == 0


def test_zip_of_many_small_members_within_the_limits_is_read(tmp_path):
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(300):
            zf.writestr(f"d/{i}.txt", f"line {i}\n")
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chunks"] == 300


def test_tar_of_directories_counts_every_member(tmp_path):
    path = tmp_path / "dirs.tar"
    with tarfile.open(path, "w") as tf:
        for i in range(50):
            info = tarfile.TarInfo(f"d{i}")
            info.type = tarfile.DIRTYPE
            tf.addfile(info)
    result = extract_in_child(path, {"max_archive_members": 20})
    assert result["problems"] == [["", "too_large"]]


# ------------------------------------------------------------------ xlsx
_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
       'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
       '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(path, rows_xml: str, shared: list | None = None, styles: str = "") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}" xmlns:r="{_R}"><definedNames><definedName '
                    'name="_xlnm.Print_Area" localSheetId="0">Data!$A$1:$B$2</definedName></definedNames><sheets>'
                    '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
        rels = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/worksheet" Target="worksheets/sheet1.xml"/>')
        if shared is not None:
            rels += ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/sharedStrings" Target="sharedStrings.xml"/>')
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">' + "".join(shared) + "</sst>")
        if styles:
            rels += ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/styles" Target="styles.xml"/>')
            zf.writestr("xl/styles.xml", f'<styleSheet xmlns="{_MAIN}">{styles}</styleSheet>')
        zf.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                    f'2006/relationships">{rels}</Relationships>')
        zf.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{_MAIN}"><dimension ref="A1:XFD1048576"/>'
                    f"<sheetData>{rows_xml}</sheetData></worksheet>")


def test_xlsx_sparse_rows_at_column_xfd_cost_one_cell_each(tmp_path):
    path = tmp_path / "sparse.xlsx"
    _xlsx(path, "".join(f'<row r="{i}"><c r="XFD{i}"/></row>' for i in range(1, 400_001))
          + '<row r="400001"><c r="XFD400001" t="inlineStr"><is><t>last</t></is></c></row>')
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] == len("last")


def test_xlsx_with_millions_of_shared_strings_is_too_large(tmp_path):
    path = tmp_path / "strings.xlsx"
    _xlsx(path, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared=[f"<si><t>{i:x}</t></si>" for i in range(3_000_000)])
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_text_expanding_far_past_the_items_size_is_a_bomb(tmp_path, kind):
    """A few kilobytes that are gigabytes of text, counted by no other limit: one 4 MB shared
    string in every cell of a sheet, a 900,000-character cell repeated 100 x 100 times. The
    text is read up to 200 times the document's size (at least 16 MiB), then the item is a
    bomb: bounded, not a five-minute timeout."""
    from dataguard.extract import EXPANSION_FLOOR_CHARS
    path = tmp_path / f"amp.{kind}"
    if kind == "xlsx":
        _xlsx(path, "".join(f'<row r="{i}">' + '<c t="s"><v>0</v></c>' * 10 + "</row>" for i in range(1, 201)),
              shared=["<si><t>" + "word " * (800 * 1024) + "</t></si>"])
    elif kind == "ods":
        cell = ('<table:table-cell table:number-columns-repeated="100"><text:p>' + "word " * (180 * 1024)
                + "</text:p></table:table-cell>")
        _odf(path, "application/vnd.oasis.opendocument.spreadsheet",
             '<office:spreadsheet><table:table table:name="T">'
             + f'<table:table-row table:number-rows-repeated="100">{cell}</table:table-row>'
             + "</table:table></office:spreadsheet>")
    cap = max(EXPANSION_FLOOR_CHARS, 200 * path.stat().st_size)
    result = extract_in_child(path)
    assert result["problems"][-1] == ["", "bomb"]
    assert result["chars"] <= cap


def test_an_xlsx_row_naming_one_huge_shared_string_in_every_cell_is_too_large(tmp_path):
    """The row is joined whole: 2,000 cells naming one 4 MB string would be 8 GB."""
    path = tmp_path / "wide.xlsx"
    _xlsx(path, '<row r="1">' + '<c t="s"><v>0</v></c>' * 2000 + "</row>",
          shared=["<si><t>" + "word " * (800 * 1024) + "</t></si>"])
    assert extract_in_child(path)["problems"] == [["", "too_large"]]


def test_an_archive_of_repetitive_logs_compressing_past_200_to_1_is_read_whole(tmp_path):
    """Rotated heartbeat logs compress 300:1 with xz: an archive's members are bounded as they
    are copied out, not by the text-expansion cap of documents."""
    path = tmp_path / "logs.tar.xz"
    with tarfile.open(path, "w:xz") as tf:
        for i in range(3):
            data = "".join(f"2025-01-0{i + 1}T{h:02d}:{m:02d}:00Z heartbeat ok node=web-{i}\n"
                           for h in range(24) for m in range(60)).encode() * 120
            info = tarfile.TarInfo(f"heartbeat.log.{i}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    result = extract_in_child(path)
    assert [k for _, k in result["problems"]] == [] and result["chars"] > 3 * 7_000_000


def test_a_document_whose_text_is_many_times_its_size_within_the_limit_is_read(tmp_path):
    path = tmp_path / "words.xlsx"
    _xlsx(path, "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c></row>' for i in range(1, 101)),
          shared=["<si><t>" + "word " * 20_000 + "</t></si>"])
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] >= 100 * 100_000


def test_xlsx_card_number_in_a_date_format_stays_a_number(tmp_path):
    path = tmp_path / "date.xlsx"
    styles = '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>'
    _xlsx(path, '<row r="1"><c r="A1" s="1"><v>4275331112223339</v></c><c r="B1" s="1"><v>45000</v></c></row>',
          styles=styles)
    from dataguard.extract import extract
    from dataguard.types import Chunk, Limits, Unit
    unit = Unit(target=str(path), uri=str(path), path=path.name)
    [chunk] = [c for c in extract(unit, lambda: open(path, "rb"), path.name, Limits()) if isinstance(c, Chunk)]
    assert chunk.text == "4275331112223339\t2023-03-15"


def test_xlsx_with_900_000_number_formats_is_too_large(tmp_path):
    """A 4.6 MB workbook whose style sheet declares 900,000 number formats (held as one
    subtree: 700 MB)."""
    path = tmp_path / "formats.xlsx"
    formats = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="0.{i:06d}"/>' for i in range(900_000))
    _xlsx(path, '<row r="1"><c r="A1" s="1"><v>4111111111111111</v></c></row>',
          styles=f'<numFmts>{formats}</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="165"/></cellXfs>')
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["peak_kb"] < 256 * 1024


# ------------------------------------------------------------------ OpenDocument
_ODT_CONTENT = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>{}</office:body>'
                '</office:document-content>')


def _odf(path, mimetype: str, body: str) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", _ODT_CONTENT.format(body))


def test_odt_space_run_of_300_million_is_capped(tmp_path):
    path = tmp_path / "spaces.odt"
    _odf(path, "application/vnd.oasis.opendocument.text",
         '<office:text><text:p>a<text:s text:c="300000000"/>b</text:p></office:text>')
    assert path.stat().st_size < 1000
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] < 100


def test_ods_repeated_rows_and_columns_are_capped(tmp_path):
    path = tmp_path / "repeat.ods"
    cells = '<table:table-cell table:number-columns-repeated="1000000"><text:p>x</text:p></table:table-cell>' * 50
    rows = f'<table:table-row table:number-rows-repeated="1000000000">{cells}</table:table-row>' * 20
    _odf(path, "application/vnd.oasis.opendocument.spreadsheet",
         f'<office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet>')
    result = extract_in_child(path)
    assert result["problems"] == [] and 0 < result["chars"] < 2_000_000


def test_docx_paragraph_of_gigantic_text_is_too_large(tmp_path):
    path = tmp_path / "long.docx"
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT.replace("spreadsheetml.sheet", "wordprocessingml.document"))
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>'
                    + os.urandom(10_000_000).hex() * 2 + "</w:t></w:r></w:p></w:body></w:document>")
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


# ------------------------------------------------------------------ lines without newlines
def test_sparse_gigabyte_mbox_without_newlines(tmp_path):
    path = tmp_path / "huge.mbox"
    with open(path, "wb") as fh:
        fh.write(b"From a@b Thu Jan  1 00:00:00 2026\nSubject: x\n\n")
        fh.truncate(1 << 30)
    result = extract_in_child(path)
    assert ["!/1.eml", "too_large"] in result["problems"]


def test_text_line_of_200_mb_is_streamed(tmp_path):
    path = tmp_path / "line.txt"
    with open(path, "wb") as fh:
        fh.write(b"card 4111 1111 1111 1111 ")
        for _ in range(200):
            fh.write(b"z" * (1 << 20))
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] == path.stat().st_size


def test_tar_member_names_of_undecodable_bytes_are_text(tmp_path):
    path = tmp_path / "names.tar"
    data = b"mail x@example.org\n"
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tf:
        info = tarfile.TarInfo("caf\xe9.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    from dataguard.extract import extract
    from dataguard.types import Chunk, Limits, Unit
    unit = Unit(target=str(path), uri=str(path), path=path.name)
    chunks = [c for c in extract(unit, lambda: open(path, "rb"), path.name, Limits(), names=True)
              if isinstance(c, Chunk)]
    assert {c.unit.member for c in chunks} == {None, "caf\\xe9.txt"}
    assert [c.text for c in chunks if c.is_name] == [
        "names.tar\nnames", "caf\\xe9.txt\ncaf\\xe9"]
    json.dumps([c.unit.member for c in chunks], ensure_ascii=False).encode("utf-8")


# ------------------------------------------------------------------ rule packs' patterns
def test_catastrophic_user_pattern_is_stopped_by_its_time_limit(monkeypatch):
    from dataguard.detect import Detector
    from dataguard.detect import registry
    from dataguard.types import Chunk, PatternSpec, RecognizerSpec, Unit
    monkeypatch.setattr(registry, "PATTERN_TIMEOUT_S", 0.05)
    evil = RecognizerSpec(entity="EVIL", patterns=(PatternSpec("evil", r"(\w+\s?)*$", 0.9),), pack="p")
    detector = Detector(entities={"EVIL"}, custom=(evil,), ner=False)
    unit = Unit(target="x", uri="x", path="x")
    with pytest.raises(registry.PatternTimeout):
        list(detector.analyze([Chunk(unit=unit, text="ab cd " * 5000 + "!")]))
    fine = RecognizerSpec(entity="EVIL", patterns=(PatternSpec("case", r"CASE-\d+", 0.9),), pack="p")
    detector = Detector(entities={"EVIL"}, custom=(fine,), ner=False)
    [(_, matches)] = detector.analyze([Chunk(unit=unit, text="see case-123 here")])
    assert [(m.start, m.end) for m in matches] == [(4, 12)]


@pytest.mark.parametrize("text", [
    "1 March" + " " * 60_000 + "x", "Date of birth: 3" + " " * 60_000 + "x", "born " + "3 " * 30_000,
    "Nom : " + "Ab " * 20_000 + "1", "the client " + "Aa-" * 20_000])
def test_no_built_in_pattern_backtracks_on_long_runs(text):
    """Every pattern of the built-in packs finishes on long runs of spaces, digits and name-like
    words far within its time limit (2 s here; they take milliseconds): one line of a file must
    not turn the whole file into a timeout."""
    from dataguard.detect.bounded import BoundedPattern
    from dataguard.defaults import PACK_FLAGS
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs
    for pack in load_packs(None, known_entities()):
        for rec in pack.recognizers:
            for p in rec.patterns:
                list(BoundedPattern(p.regex, PACK_FLAGS, 2.0).finditer(text))      # PatternTimeout: a failure


@pytest.mark.parametrize("junk", ["\n" * 4000, "a:x\r\n" * 32])
def test_a_private_keys_opening_before_long_runs_is_read_in_time(junk):
    """dataguard's own private-key pattern (Python's re, no time limit, over the whole chunk) reads
    a run of whitespace or of CRLF header lines after "BEGIN PRIVATE KEY" one way only: a run of
    4,000 newlines took minutes (three runs splitting one between them, cubic), as did 32 CRLF
    lines (each line read two ways). A separate process, stopped after a minute, reads them."""
    from tests.conftest import ROOT
    code = ("import sys; from dataguard.detect.recognizers import private_key_recognizer\n"
            "rx = private_key_recognizer('en').recognizer._regexes[0].rx\n"
            "print(rx.search(sys.stdin.read()) is None)")
    text = "-----BEGIN PRIVATE KEY-----\n" + junk + "!"
    done = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True, text=True, timeout=60,
                          cwd=str(ROOT))
    assert done.stdout.strip() == "True", done.stderr[-500:]


def test_a_password_after_long_runs_of_key_characters_is_found_in_time():
    """The password assignment pattern reads a run of "pwd." or of dots once, not from each of
    its characters 64 characters either side (a second per 100 KB; under the regex module's
    time limit here, ten times what it takes now), and finds the password after it."""
    import regex

    from dataguard.detect.recognizers import _pw_regexes
    rx = regex.compile(_pw_regexes()[0].rx.pattern)
    assert rx.search("pwd." * 250_000, timeout=5.0) is None          # (9.5 s before, 0.5 s now)
    text = "pwd " + "." * 100_000 + "\npassword = Tr0ub4dor&3\n"
    m = rx.search(text, timeout=5.0)
    assert m is not None and (m.group("v") or m.group("v2") or m.group("v3")) == "Tr0ub4dor&3"


# ------------------------------------------------------------------ what libraries say
def test_warnings_and_output_of_parsing_libraries_never_reach_the_terminal(tmp_path, monkeypatch):
    """A family whose library warns and logs what it parses: none of it shows."""
    import logging
    import warnings

    from dataguard import extract as dispatcher
    canary = "wl.canary@acme-mail.org"
    text = dispatcher.FAMILIES["text"].extract

    def chatty(unit, opener, name, ctx):
        warnings.warn(f"cell {canary} out of range")
        logging.getLogger("pypdf").warning("object %s", canary)
        yield from text(unit, opener, name, ctx)

    monkeypatch.setitem(dispatcher.FAMILIES, "text", dispatcher.Family(chatty))
    path = tmp_path / "a.txt"
    path.write_text("hello\n")
    from dataguard.types import Limits, Unit
    unit = Unit(target=str(path), uri=str(path), path="a.txt")
    records: list = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger().addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            pieces = list(dispatcher.extract(unit, lambda: open(path, "rb"), "a.txt", Limits()))
    finally:
        logging.getLogger().removeHandler(handler)
    assert seen == [] and records == [] and [p.text for p in pieces] == ["hello\n"]


def test_undecodable_names_are_kept_losslessly():
    from dataguard.names import as_text, os_name
    for name in ("caf\udce9 x\\y.txt", "plain.txt", "\udcff\udcfe.bin"):
        text = as_text(name)
        text.encode("utf-8")
        assert os_name(text) == name


# ------------------------------------------------------------------ tar header extensions
def _tar_header(name: str, kind: bytes, size: int, patch: dict | None = None) -> bytes:
    info = tarfile.TarInfo(name)
    info.type, info.size = kind, size
    block = bytearray(info.tobuf(format=tarfile.GNU_FORMAT))
    for at, value in (patch or {}).items():
        block[at:at + len(value)] = value
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def _gz_tar(path, head: bytes, body_blocks, count: int) -> None:
    """A .tar.gz: ``head``, then ``body_blocks`` (bytes) ``count`` times, then one small
    text member holding a card number, then the end of the archive."""
    import gzip
    data = b"card 4111 1111 1111 1111\n"
    with gzip.open(path, "wb", compresslevel=1) as gz:
        gz.write(head)
        for _ in range(count):
            gz.write(body_blocks)
        gz.write(_tar_header("after.txt", tarfile.REGTYPE, len(data)) + data.ljust(512, b"\0") + b"\0" * 1024)


@pytest.mark.parametrize("kind", [tarfile.GNUTYPE_LONGNAME, tarfile.XHDTYPE])
def test_tar_long_name_or_pax_record_of_hundreds_of_megabytes_is_too_large(tmp_path, kind):
    """tarfile reads a GNU long name or a pax header whole: a 1 MB gzip of a 512 MB one."""
    path = tmp_path / "long.tar.gz"
    size = 512 * 1024 * 1024
    value = b"%d comment=" % size if kind == tarfile.XHDTYPE else b""
    _gz_tar(path, _tar_header("././@LongLink", kind, size) + value, b"a" * (1 << 20), size >> 20)
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["chunks"] == 0
    assert result["peak_kb"] < 256 * 1024


def test_tar_sparse_map_of_millions_of_entries_is_too_large(tmp_path):
    """An old-GNU sparse member whose map goes on for 2 million extension blocks."""
    path = tmp_path / "sparse.tar.gz"
    head = _tar_header("sparse.bin", tarfile.GNUTYPE_SPARSE, 0, {482: b"\1"})
    entry = b"00000000001\0" * 2
    _gz_tar(path, head, entry * 21 + b"\1".ljust(8, b"\0"), 2_000_000)
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["chunks"] == 0
    assert result["peak_kb"] < 256 * 1024


def test_tar_with_ordinary_long_names_and_pax_records_is_read(tmp_path):
    path = tmp_path / "names.tar"
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for i, fmt in enumerate((tarfile.PAX_FORMAT, tarfile.GNU_FORMAT)):
            data = b"mail x@example.org\n"
            info = tarfile.TarInfo("d/" + "n" * 300 + f"{i}.txt")
            info.size, info.pax_headers = len(data), {"comment": "c" * 50_000}
            tf.format = fmt
            tf.addfile(info, io.BytesIO(data))
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chunks"] == 2


# ------------------------------------------------------------------ pptx and package relationships
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_SLIDE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide"


def _pptx(path, shapes, media: int = 0) -> None:
    """A one-slide pptx whose shape tree is ``shapes`` (an iterable of XML strings, written
    as they come), with ``media`` bytes of incompressible picture beside it."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT.replace("spreadsheetml.sheet", "presentationml.presentation"))
        zf.writestr("ppt/presentation.xml", f'<p:presentation xmlns:p="{_P}" xmlns:r="{_R}"><p:sldIdLst>'
                    '<p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>')
        zf.writestr("ppt/_rels/presentation.xml.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                    f'Type="{_SLIDE}" Target="slides/slide1.xml"/></Relationships>')
        with zf.open("ppt/slides/slide1.xml", "w", force_zip64=True) as w:
            w.write(f'<p:sld xmlns:p="{_P}" xmlns:a="{_A}"><p:cSld><p:spTree>'.encode())
            for shape in shapes:
                w.write(shape.encode())
            w.write(b"</p:spTree></p:cSld></p:sld>")
        if media:
            zf.writestr("ppt/media/image1.png", os.urandom(media), compress_type=zipfile.ZIP_STORED)


def _text_shape(text: str) -> str:
    return f"<p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"


def test_pptx_shape_of_millions_of_runs_is_too_large(tmp_path):
    """A 4 MB pptx whose one paragraph holds 3 million runs (a parser holding the slide
    whole takes gigabytes)."""
    path = tmp_path / "runs.pptx"
    runs = "".join(f"<a:r><a:t>{i % 97:02d}</a:t></a:r>" for i in range(100_000))
    _pptx(path, ["<p:sp><p:txBody><a:p>", *[runs] * 30, "</a:p></p:txBody></p:sp>", _text_shape("after")])
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


def test_pptx_of_many_shapes_and_large_media_is_read_shape_by_shape(tmp_path):
    path = tmp_path / "shapes.pptx"
    _pptx(path, (_text_shape(f"shape {i}") for i in range(300_000)), media=200 * 1024 * 1024)
    result = extract_in_child(path)
    text = sum(len(f"shape {i}\n") for i in range(300_000)) - 1
    assert result["problems"] == [] and text - result["chunks"] <= result["chars"] <= text   # newlines between chunks
    assert result["peak_kb"] < 256 * 1024


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_xlsx_with_millions_of_relationships_is_too_large(tmp_path):
    path = tmp_path / "rels.xlsx"
    _xlsx(path, '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>')
    rels = "".join(f'<Relationship Id="r{i}" Type="t" Target="worksheets/s{i}.xml"/>' for i in range(2_000_000))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}">{rels}</Relationships>')
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


# ------------------------------------------------------------------ what sniffing reads
def test_zip_of_two_million_members_is_refused_before_sniffing_builds_its_directory(tmp_path):
    path = tmp_path / "many.docx"
    path.write_bytes(_central_directory_zip(2_000_000))
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["chunks"] == 0
    assert result["peak_kb"] < 256 * 1024        # (1 GB when sniffing built every entry)


def _odt_with_huge_member(path, member: str, block: bytes, count: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("mimetype", "w", force_zip64=True) as w:
            w.write(b"application/vnd.oasis.opendocument.text")
            if member == "mimetype":
                for _ in range(count):
                    w.write(block)
        if member != "mimetype":
            with zf.open(member, "w", force_zip64=True) as w:
                for _ in range(count):
                    w.write(block)
        zf.writestr("content.xml", _ODT_CONTENT.format("<office:text><text:p>hello</text:p></office:text>"))


def test_odf_mimetype_of_400_mb_is_not_read_whole(tmp_path):
    path = tmp_path / "mime.odt"
    _odt_with_huge_member(path, "mimetype", b"\0" * (1 << 20), 400)
    result = extract_in_child(path)
    assert result["problems"] == [["", "bomb"]] and result["peak_kb"] < 256 * 1024


def test_odf_manifest_of_400_mb_is_not_read_whole(tmp_path):
    path = tmp_path / "manifest.odt"
    block = b"".join(os.urandom(8) + b"<e/>" * 16 for _ in range(1 << 14))      # ~20x compression
    _odt_with_huge_member(path, "META-INF/manifest.xml", block, (400 << 20) // len(block))
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] == len("hello")
    assert result["peak_kb"] < 256 * 1024


# ------------------------------------------------------------------ mail headers
@pytest.mark.parametrize("header", ["Subject", "To"])
def test_mail_header_of_thousands_of_encoded_words_is_parsed_by_its_start(tmp_path, header):
    """The header parser needs memory quadratic in a header's length (300 KB: 600 MB)."""
    import base64
    if header == "Subject":
        value = b" ".join(b"=?utf-8?b?" + base64.b64encode(b"x" * 45) + b"?=" for _ in range(8000))
    else:
        value = b", ".join(b"=?utf-8?q?J=C3=A9r=C3=B4me?= <user%d@example.org>" % i for i in range(8000))
    path = tmp_path / "header.eml"
    path.write_bytes(b"From: a@b.org\n" + header.encode() + b": " + value + b"\nMIME-Version: 1.0\n\nhello\n")
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] > 30_000        # its first 64 K characters
    assert result["peak_kb"] < 256 * 1024


# ------------------------------------------------------------------ XML markup
@pytest.mark.parametrize("opening, closing", [(b'<w:p w:x="', b'"/>'), (b"<!--", b"-->"), (b"<?pi ", b"?>")])
def test_docx_tag_comment_or_instruction_of_32_mb_is_too_large(tmp_path, opening, closing):
    """expat rescans a token it has not seen the end of for every block it is fed: a 28 MB
    docx holding one 700 MB attribute took hours of one core."""
    path = tmp_path / "markup.docx"
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    block = b"".join(os.urandom(1).hex().encode() + b"a" * 62 for _ in range(1 << 14))    # ~1 MB, ~20x
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CT.replace("spreadsheetml.sheet", "wordprocessingml.document"))
        with zf.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(f'<w:document xmlns:w="{w}"><w:body>'.encode() + opening)
            for _ in range(32):
                out.write(block)
            out.write(closing + b"</w:body></w:document>")
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


# ------------------------------------------------------------------ xz dictionaries
def _xz_declaring_a_huge_dictionary(pieces) -> bytes:
    """An xz stream of ``pieces`` compressed with a 4 KB dictionary, whose block header then
    declares 1.5 GB (decoding is the same; the decoder's memory grows with the output)."""
    import lzma
    comp = lzma.LZMACompressor(format=lzma.FORMAT_XZ, filters=[{"id": lzma.FILTER_LZMA2, "dict_size": 4096,
                                                                   "preset": 0}])
    data = bytearray(b"".join(comp.compress(p) for p in pieces) + comp.flush())
    size = (data[12] + 1) * 4                    # the block header after the 12-byte stream header
    header = data[12:12 + size]
    assert header[1] == 0 and header[2:4] == b"\x21\x01"      # no sizes; filter LZMA2, 1 property byte
    header[4] = 37                                              # dictionary 1.5 GiB
    header[-4:] = struct.pack("<I", zlib.crc32(bytes(header[:-4])))
    data[12:12 + size] = header
    return bytes(data)


@pytest.mark.parametrize("name", ["big.txt.xz", "big.tar.xz"])
def test_xz_declaring_a_dictionary_of_gigabytes_is_refused(tmp_path, name):
    block = b"".join(bytes([97 + b % 26]) + b"a" * 29 for b in os.urandom(1 << 15))    # ~1 MB, ~40x
    count = 300
    head = [b"card 4111 1111 1111 1111\n"]
    if name.endswith(".tar.xz"):
        head = [_tar_header("big.txt", tarfile.REGTYPE, 25 + count * len(block))] + head
    path = tmp_path / name
    path.write_bytes(_xz_declaring_a_huge_dictionary(head + [block] * count))
    result = extract_in_child(path)
    assert result["problems"] == [["", "corrupt"]] and result["peak_kb"] < 256 * 1024


def test_zip_member_compressed_with_lzma_beyond_128_mb_is_too_large(tmp_path):
    path = tmp_path / "lzma.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_LZMA) as zf:
        with zf.open("big.txt", "w", force_zip64=True) as out:
            block = b"".join(bytes([97 + b % 26]) + b"a" * 29 for b in os.urandom(1 << 15))
            for _ in range(140):
                out.write(block)
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]]


def test_messages_attached_five_deep_hold_one_level_in_memory(tmp_path):
    """Each attached message is stored and its parent released before it is read (a 39 MB
    message attached six deep held 600 MB)."""
    message = b"From: a@b.org\nSubject: leaf\n\n" + (b"card 4111 1111 1111 1111 " + b"x" * 50 + b"\n") * 550_000
    for level in range(6):
        message = (b"From: a@b.org\nSubject: level %d\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
                   b'boundary="b%d"\n\n--b%d\nContent-Type: message/rfc822\n\n' % (level, level, level)
                   + message + b"\n--b%d--\n" % level)
    path = tmp_path / "nested.eml"
    path.write_bytes(message)
    result = extract_in_child(path)
    assert result["problems"] == [["!/1.eml" * 6, "too_large"]] and result["chunks"] == 6
    assert result["peak_kb"] < 384 * 1024


# ------------------------------------------------------------------ RTF
def test_rtf_of_ten_million_nested_groups_is_too_large(tmp_path):
    path = tmp_path / "deep.rtf"
    path.write_bytes(b"{\\rtf1 " + b"{" * 10_000_000 + b"card 4111 1111 1111 1111" + b"}" * 10_000_000 + b"}")
    result = extract_in_child(path)
    assert result["problems"] == [["", "too_large"]] and result["peak_kb"] < 256 * 1024


def test_rtf_of_many_shallow_groups_is_read(tmp_path):
    path = tmp_path / "groups.rtf"
    path.write_bytes(b"{\\rtf1 " + b"{\\b x}{\\i y}" * 500_000 + b"{\\b card 4111 1111 1111 1111}}")
    result = extract_in_child(path)
    assert result["problems"] == [] and result["chars"] == 1_000_000 + len("card 4111 1111 1111 1111")


def test_tar_of_a_thousand_members_named_by_a_megabyte_each_keeps_short_names(tmp_path):
    """Every error or finding about a member carries its name: 1,000 names of a megabyte
    (a 1 MB .tar.gz) were a gigabyte of errors."""
    import gzip
    path = tmp_path / "names.tar.gz"
    with gzip.open(path, "wb", compresslevel=1) as gz:
        for i in range(1000):
            name = b"%06d" % i + b"n" * 1_000_000 + b"\0"
            gz.write(_tar_header("././@LongLink", tarfile.GNUTYPE_LONGNAME, len(name))
                     + name.ljust(-(-len(name) // 512) * 512, b"\0") + _tar_header("x", tarfile.SYMTYPE, 0))
        gz.write(b"\0" * 1024)
    result = extract_in_child(path)
    assert [kind for _, kind in result["problems"]] == ["symlink"] * 1000
    assert {len(member) for member, _ in result["problems"]} == {len("!/") + 4096}
    assert result["peak_kb"] < 256 * 1024


def test_a_message_of_many_text_part_headers_is_located_in_linear_time(tmp_path):
    """A message of 40,000 "Content-Type: text/plain" lines and one blank line at its end: each
    part header's end is looked for once (it took minutes when every one searched to the end)."""
    from dataguard.extract.mail import _Layout
    data = b"From: a@un-juba.org\nSubject: x\n\n" + b"Content-Type: text/plain\n" * 40_000 + b"\n\nend\n"
    layout = _Layout(data)
    assert layout._lines[:1] == [4] and len(layout._lines) <= 2


def test_numbers_written_with_digits_that_are_no_decimal_digits_never_raise():
    """'²' is a digit to ``str.isdigit`` and no number to ``int``: an ODF repeat count, an MRZ
    field and a URI's port holding one read as no number (the count 1, the digit 0, no port)
    instead of raising; decimal digits of other scripts read as ``int`` reads them."""
    from dataguard.checksums import mrz_check_digit
    from dataguard.extract.odf import _declared
    from dataguard.sources.uri import split_uri
    assert _declared("\u00b2") == 1 and _declared("\u0663") == 3 and _declared("12") == 12
    assert mrz_check_digit("L898902C<\u00b2") == mrz_check_digit("L898902C<<") != mrz_check_digit("L898902C<3")
    assert split_uri("smb://host:\u00b2/share").port is None and split_uri("smb://host:445/share").port == 445

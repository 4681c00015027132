"""What detection finds in names (a person's name found by NER in the name of a file, an
archive member, a table or a column) is masked wherever those names are shown: the report's
locations, errors and target info, progress and log lines, rescans from the state; in every
report format. ``--show-data`` shows them."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile

import pytest

from dataguard.hashing import Hasher
from dataguard.extract import name_chunk
from dataguard.names import TOO_MANY, NameMasker, mask_values
from dataguard.rules import load_packs
from dataguard.scanner import ProgressSink, ScanOptions, run_scan
from dataguard.scanner.aggregate import NAME_VALUES_CAP, Aggregator
from dataguard.scanner.sink import Sink, name_values
from dataguard.sources import SourceOptions
from dataguard.state import _summary_from_json, _summary_to_json
from dataguard.types import Anchor, Chunk, ItemMeta, Match, Pointer, Unit, UnitSummary
from dataguard.vocab import FORMATS
from tests import fakes

# ------------------------------------------------------------------ the masker


def test_masker_masks_every_occurrence_in_every_name():
    mask = NameMasker({"Ahmed Benali": "A**** B*****", "John Smith": "J*** S****"})
    assert mask("/srv/Ahmed Benali files.zip") == "/srv/A**** B***** files.zip"
    assert mask("Ahmed Benali/John Smith notes (Ahmed Benali).txt") == \
        "A**** B*****/J*** S**** notes (A**** B*****).txt"
    assert mask("/srv/nothing.txt") == "/srv/nothing.txt"
    assert mask(None) is None and mask("") == ""


def test_masker_longest_value_first_and_overlaps_masked_together():
    mask = NameMasker({"Dupont": "D*****", "Jean Dupont": "J*** D*****", "Dupont Marie": "D***** M****"})
    assert mask("x Jean Dupont y") == "x J*** D***** y"           # "Dupont" inside the longer value
    assert mask("Dupont.txt") == "D*****.txt"
    assert mask("Jean Dupont Marie.txt") == "**** ****** *****.txt"  # two values overlap
    assert mask("Jean Dupont and Dupont Marie") == "J*** D***** and D***** M****"


def test_masker_then_masks_the_patterns_of_mask_values():
    mask = NameMasker({"Jean Dupont": "J*** D*****"})
    shown = mask("Jean Dupont jane.doe@un.org 4111111111111111.txt")
    assert shown.startswith("J*** D***** ") and "jane.doe" not in shown and "4111111111111111" not in shown
    assert NameMasker({"J": "*"})("J.txt") == "J.txt"                # one letter: not a value to mask
    assert NameMasker()("a 4111111111111111") == NameMasker({})("a 4111111111111111") != "a 4111111111111111"


def test_digit_runs_are_never_joined_across_a_path_separator():
    assert mask_values("/tmp/a1/078-05-1120 notes.txt") == "/tmp/a1/***-**-1120 notes.txt"
    assert mask_values("\\\\fs\\a1\\078-05-1120 notes.txt") == "\\\\fs\\a1\\***-**-1120 notes.txt"
    assert mask_values("/srv/1234/56789/0123.txt") == "/srv/1234/56789/0123.txt"     # no run of 9 digits
    assert NameMasker({"notes": "n****"})("/tmp/a1/078-05-1120 notes.txt") == "/tmp/a1/***-**-1120 n****.txt"


def test_a_targets_server_is_shown_and_its_path_masked():
    """A database or share URI's server is no value found in data: 'reader@db01.kakuma.lan' was
    masked as an e-mail address, and the reader of a report could not tell the server."""
    assert mask_values("postgresql://fo_reader@pg01.kakuma.lan:55432/hr?hostaddr=10.120.255.1") == \
        "postgresql://fo_reader@pg01.kakuma.lan:55432/hr?hostaddr=**.***.255.1"
    assert mask_values("mysql+pymysql://u@10.120.255.1:3306/hr") == "mysql+pymysql://u@10.120.255.1:3306/hr"
    # a user name that is an e-mail address is masked as one; the path's values as always
    assert mask_values("smb://jane.doe@corp.org@fs01/share/jane.doe@corp.org.pdf") == \
        "smb://j*******@****.org@fs01/share/j*******@****.***.pdf"
    assert mask_values("file:///srv/a1/078-05-1120.txt") == "file:///srv/a1/***-**-1120.txt"


# ------------------------------------------------------------------ aggregation and storage

def _name_chunk(unit: Unit, text: str) -> Chunk:
    return Chunk(unit=unit, text=text, first_line=None, anchors=(Anchor(0, Pointer(part="name")),))


def test_values_found_in_names_are_kept_bounded_and_survive_the_state():
    agg = Aggregator(Hasher(b"k" * 32), evidence_cap=5, show_data=False)
    unit = Unit(target="/t", uri="/t/x", path="x")
    text = " ".join(f"v{i:03}" for i in range(100))
    matches = [Match("PERSON", i * 5, i * 5 + 4, 0.85) for i in range(100)]
    summaries: dict = {}
    agg.add(summaries, ItemMeta(), _name_chunk(unit, text), matches)
    content = Chunk(unit=unit, text="Jane Roe")                      # content: not a name
    agg.add(summaries, ItemMeta(), content, [Match("PERSON", 0, 8, 0.85)])
    (summary,) = summaries.values()
    assert len(summary.name_values) == NAME_VALUES_CAP + 1 and TOO_MANY in summary.name_values
    assert summary.name_values["v000"] == "v***" and "Jane Roe" not in summary.name_values
    back = _summary_from_json(json.loads(json.dumps(_summary_to_json(summary))), ItemMeta())
    assert back.name_values == summary.name_values


def test_a_value_in_a_name_and_in_the_name_without_its_extension_counts_once():
    """A name chunk is the name then the name without its extension (extract.name_chunk): a
    value found on both lines is one value; two values in the name are two."""
    agg = Aggregator(Hasher(b"k" * 32), evidence_cap=5, show_data=False)
    unit = Unit(target="/t", uri="/t/x", path="x")
    card = "4111 1111 1111 1111"
    for name, count in ((f"pay {card}.txt", 1), (f"{card} {card}.txt", 2), (f"pay {card}", 1)):
        text = name_chunk(unit, name).text
        matches = [Match("CREDIT_CARD", m.start(), m.end(), 1.0) for m in re.finditer(card, text)]
        summaries: dict = {}
        agg.add(summaries, ItemMeta(), _name_chunk(unit, text), matches)
        (summary,) = summaries.values()
        agg_card = summary.entities["CREDIT_CARD"]
        assert (sum(agg_card.scores.values()), len(agg_card.evidence)) == (count, count), name
        assert summary.name_values == {card: "4111 **** **** 1111"}
    # overlapping matches of one value (the extension spoils it on the first line): the second line's is kept
    text = name_chunk(unit, "jane@un.org.txt").text
    summaries = {}
    agg.add(summaries, ItemMeta(), _name_chunk(unit, text), [Match("EMAIL_ADDRESS", 0, 15, 1.0),
                                                            Match("EMAIL_ADDRESS", 16, 27, 1.0)])
    (summary,) = summaries.values()
    assert [e.masked for e in summary.entities["EMAIL_ADDRESS"].evidence] == ["j***@**.org"]
    assert set(summary.name_values) == {"jane@un.org.txt", "jane@un.org"}       # both still masked


def _sheet_chunk(unit: Unit, sheet: str) -> Chunk:
    return Chunk(unit=unit, text=sheet, first_line=None, anchors=(Anchor(0, Pointer(sheet=sheet, part="name")),))


def test_a_value_past_the_cap_of_its_unit_is_never_shown():
    """A workbook with a sheet per person: the names of the sheets past the cap are masked too."""
    agg = Aggregator(Hasher(b"k" * 32), evidence_cap=5, show_data=False)
    unit = Unit(target="/t", uri="/t/staff.xlsx", path="staff.xlsx")
    summaries: dict = {}
    sheets = [f"Person{i:03}" for i in range(NAME_VALUES_CAP + 6)]
    for sheet in sheets:
        agg.add(summaries, ItemMeta(), _sheet_chunk(unit, sheet), [Match("PERSON", 0, len(sheet), 0.85)])
    masker = Sink(lambda s: [], show_data=False).masker(name_values(summaries.values()))
    assert not any(sheet in masker(f"sheet {sheet} of /t/staff.xlsx") for sheet in sheets)


def test_a_value_past_the_cap_of_its_item_is_never_shown():
    """An archive with more members holding values in their names than an item keeps."""
    summaries = [UnitSummary(unit=Unit(target="/t", uri="/t/a.zip", path="a.zip", member=f"m{i}"), meta=ItemMeta(),
                             name_values={f"Person{i}": "P******"}) for i in range(3)]
    values = name_values(summaries, cap=2)
    sink = Sink(lambda s: [], show_data=False)
    masker = sink.masker(values)
    assert not any(f"Person{i}" in masker(f"/t/a.zip!Person{i}.txt") for i in range(3))
    assert "Person0" not in sink.scan_masker()("Person0")


# ------------------------------------------------------------------ one process (chunk pipeline)

class _PersonDetector(fakes.FakeDetector):
    """The fake detector, finding the person "Jean Dupont" too."""

    def analyze(self, chunks):
        for chunk, matches in super().analyze(chunks):
            people = [Match("PERSON", m.start(), m.end(), 0.85, "fake") for m in re.finditer("Jean Dupont", chunk.text)]
            yield chunk, sorted(matches + people, key=lambda m: m.start)


PERSON_PACK = """
pack: people
rules:
  - {id: P-1, title: people, severity: low, measure: CM-INVENTORY, match: {entities: [PERSON, EMAIL_ADDRESS]}}
"""


class _Recorder(ProgressSink):
    """The names a scan's progress hears of (items done, problems with their messages)."""

    def __init__(self):
        self.events = []

    def done(self, uri, size, findings, unchanged=False, name_only=False, failed=False):
        self.events.append(uri)

    def problem(self, problem):
        self.events.append(problem.uri + " " + problem.message)


def test_in_process_scan_masks_an_items_names_and_problems(tmp_path):
    root = tmp_path / "share"
    root.mkdir()
    (root / "Jean Dupont passport.txt").write_text("nothing\n")
    (root / "Jean Dupont contract.docx").write_bytes(b"PK\x03\x04 not a zip")
    with zipfile.ZipFile(root / "Jean Dupont.zip", "w") as zf:
        zf.writestr("mail of Jean Dupont.txt", "x@un.org\n")
    pack = tmp_path / "p.yaml"
    pack.write_text(PERSON_PACK)
    recorder = _Recorder()
    events = recorder.events

    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=load_packs([pack], {"PERSON", "EMAIL_ADDRESS"}))
    result = run_scan(opts, Hasher(b"k" * 32), detector=_PersonDetector(), progress=recorder)
    shown = [f.unit for f in result.findings]
    assert {(u.path, u.member) for u in shown} == {
        ("J*** D***** passport.txt", None), ("J*** D***** contract.docx", None), ("J*** D*****.zip", None),
        ("J*** D*****.zip", "mail of J*** D*****.txt")}
    assert [(p.uri.rsplit("/", 1)[-1], p.kind) for p in result.errors] == [("J*** D***** contract.docx", "corrupt")]
    assert len(events) == 4 and not any("Jean" in e or "Dupont" in e for e in events)
    raw = run_scan(ScanOptions(targets=opts.targets, packs=opts.packs, show_data=True), Hasher(b"k" * 32),
                   detector=_PersonDetector())
    assert {f.unit.member for f in raw.unmasked.findings} == {None, "mail of Jean Dupont.txt"}   # (JSON only)
    assert [f.unit for f in raw.findings] == shown and list(raw.errors) == list(result.errors)


class _KillingExecutor:
    """Local items executor whose worker is killed on every item: a timeout, nothing back."""
    takes, workers, window, batch_items, batch_bytes = "items", 1, 2, 4, 1 << 20

    @staticmethod
    def item_ref(target, options, item):
        from dataguard.scanner.supervised import local_ref
        return local_ref(target, options, item)

    def start(self):
        pass

    def submit(self, batch):
        from dataguard.scanner.remote import failed_outcome      # what the supervisor reports then
        return [failed_outcome(ref, "timeout", "item exceeded its time budget of 1s") for ref in batch]

    def result(self, handle):
        return handle

    def close(self, cancel=False):
        pass


def test_the_name_of_an_item_detection_never_looked_at_is_masked(tmp_path):
    """A worker killed on an item (timeout, crash) or a scan stopped before it returns nothing
    of the item: its own name, never scanned, is masked whole in its errors and progress."""
    root = tmp_path / "share"
    root.mkdir()
    (root / "Jean Dupont passport.txt").write_text("nothing\n")
    recorder = _Recorder()
    events = recorder.events

    pack = tmp_path / "p.yaml"
    pack.write_text(PERSON_PACK)
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=load_packs([pack], {"PERSON", "EMAIL_ADDRESS"}))
    result = run_scan(opts, Hasher(b"k" * 32), executor=_KillingExecutor(), progress=recorder)
    assert [p.kind for p in result.errors] == ["timeout"]
    assert result.errors[0].uri == f"{root}/**** ****** ********.txt"
    assert len(events) == 2 and not any("Jean" in e or "passport" in e for e in events), events


# ------------------------------------------------------------------ the command line, the real model

# the people whose names the files, members, table and column are named after (NER finds each)
PEOPLE = ("Jean", "Dupont", "Maria", "Gonzalez", "Lopez", "Pierre", "Martin", "Ahmed", "Benali",
          "John", "Smith", "Fatima", "Haddad", "Laura", "Bianchi", "Thomas", "Keller")


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    root = tmp_path_factory.mktemp("named")
    files = root / "files"
    files.mkdir()
    (files / "Jean Dupont passport.txt").write_text("nothing to see\n")
    (files / "Maria Gonzalez-Lopez medical record.txt").write_text("nothing either\n")
    (files / "Pierre Martin contrat.docx").write_bytes(b"PK\x03\x04 not a zip")          # corrupt
    with zipfile.ZipFile(files / "Ahmed Benali files.zip", "w") as zf:
        zf.writestr("John Smith notes.txt", "clean text\n")
        zf.writestr("Fatima Zahra Haddad.txt", "clean text\n")
    con = sqlite3.connect(root / "db.sqlite")
    con.execute('CREATE TABLE "Laura Bianchi records" (id INTEGER PRIMARY KEY, "Thomas Keller notes" TEXT)')
    con.execute('INSERT INTO "Laura Bianchi records" VALUES (1, ?)', ("nothing here",))
    con.commit()
    con.close()
    return root


def _run(root, *args, cwd) -> tuple:
    """(exit code, stdout, stderr) of ``dataguard scan FILES DB ARGS`` in a child process."""
    p = subprocess.run([sys.executable, "-m", "dataguard", "scan", str(root / "files"),
                        f"sqlite:///{root / 'db.sqlite'}", *args], capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def _leaks(*channels: bytes) -> list:
    return [w for data in channels for w in PEOPLE if w.encode() in data]


def _named_findings(report: dict) -> set:
    """(where, masked name) of the PERSON values found in names."""
    out = set()
    for f in report["findings"]:
        loc = f["location"]
        where = loc["column"] or loc["member"] or loc["table"] or loc["path"]
        out |= {(where, e["masked"]) for e in f["evidence"] if e["entity_type"] == "PERSON" and e["part"] == "name"}
    return out


FOUND = {("J*** D***** passport.txt", "J*** D*****"),
         ("M**** G************* medical record.txt", "M**** G*************"),
         ("P***** M***** contrat.docx", "P***** M*****"), ("A**** B***** files.zip", "A**** B*****"),
         ("J*** S**** notes.txt", "J*** S****"), ("F***** Z**** H*****.txt", "F***** Z**** H*****"),
         ("main.L**** B****** records", "L**** B******"), ("T***** K***** notes", "T***** K*****")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_name_found_by_ner_in_any_output(named, tmp_path, fmt):
    log, out = tmp_path / "scan.log", tmp_path / f"report.{fmt}"
    code, stdout, stderr = _run(named, "--format", fmt, "-v", "--log-file", str(log), "-o", str(out), cwd=tmp_path)
    assert code == 1, stderr.decode(errors="replace")
    assert _leaks(stdout, stderr, log.read_bytes(), out.read_bytes()) == []
    assert b"P***** M***** contrat.docx" in log.read_bytes()          # its error and its line, masked
    if fmt == "json":
        report = json.loads(out.read_text())
        assert _named_findings(report) == FOUND
        assert [(e["uri"].rsplit("/", 1)[-1], e["kind"]) for e in report["errors"]] == \
            [("P***** M***** contrat.docx", "corrupt")]
        (db,) = [t for t in report["scan"]["targets"] if t["uri"].startswith("sqlite")]
        assert [t["table"] for t in db["info"]["tables"]] == ["main.L**** B****** records"]


def test_show_data_shows_the_names(named, tmp_path):
    log = tmp_path / "scan.log"
    code, stdout, stderr = _run(named, "--format", "json", "-v", "--log-file", str(log), "--show-data", cwd=tmp_path)
    assert code == 1, stderr.decode(errors="replace")
    report = json.loads(stdout)
    paths = {f["location"]["member"] or f["location"]["column"] or f["location"]["path"] for f in report["findings"]}
    assert {"Jean Dupont passport.txt", "John Smith notes.txt", "Thomas Keller notes"} <= paths
    assert report["errors"][0]["uri"].endswith("/Pierre Martin contrat.docx")
    assert _leaks(stderr, log.read_bytes()) == []                     # the log never shows them
    assert b"P***** M***** contrat.docx" in log.read_bytes()


def test_rescans_from_the_state_mask_the_names(named, tmp_path, every_entity_pack):
    state, log = tmp_path / "state.db", tmp_path / "scan.log"
    # first scan; its 4 files unchanged (a table is read again); unchanged and evaluated again (another
    # site); other rules (all scanned again)
    runs = [((), 0), ((), 4), (("--site", "elsewhere"), 4), (("--rules", str(every_entity_pack)), 0)]
    for extra, unchanged in runs:
        code, stdout, stderr = _run(named, "--format", "json", "--state", str(state), "-v", "--log-file", str(log),
                                    *extra, cwd=tmp_path)
        assert code == 1, stderr.decode(errors="replace")
        assert _leaks(stdout, stderr, log.read_bytes()) == []
        report = json.loads(stdout)
        assert FOUND <= _named_findings(report)
        assert report["errors"][0]["uri"].endswith("/P***** M***** contrat.docx")
        assert report["scan"]["stats"]["items_unchanged"] == unchanged


# ------------------------------------------------------------------ values in file names, end to end

SSN_MAIL = "078-05-1120 jane.doe@gmail.com.txt"
SSN_MAIL_SHOWN = "***-**-1120 j*******@*****.com.txt"


def _scan(*args, cwd) -> tuple:
    p = subprocess.run([sys.executable, "-m", "dataguard", "scan", "--no-ner", *args], capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory):
    root = tmp_path_factory.mktemp("mailbox") / "t1"
    root.mkdir()
    (root / SSN_MAIL).write_text("hi\n")
    return root


@pytest.mark.parametrize("fmt", ["table", "csv", "sarif", "html"])
def test_show_data_leaves_the_names_masked_outside_the_json_formats(mailbox, tmp_path, fmt):
    """--show-data shows raw values in the JSON and JSONL reports only: the other formats and the
    log mask names as they do without it."""
    shown = {}
    for extra in ((), ("--show-data",)):
        log, out = tmp_path / f"scan{len(extra)}.log", tmp_path / f"report{len(extra)}.{fmt}"
        code, stdout, stderr = _scan(str(mailbox), "--format", fmt, "-o", str(out), "-v", "--log-file", str(log),
                                     *extra, cwd=tmp_path)
        assert code == 1, stderr.decode(errors="replace")
        for data in (stdout, stderr, log.read_bytes(), out.read_bytes()):
            assert b"jane.doe" not in data and b"078-05-1120" not in data and b"gmail" not in data
        assert f"scanned {mailbox}/{SSN_MAIL_SHOWN} ".encode() in log.read_bytes()
        text = out.read_text()
        if fmt == "csv":
            (row,) = list(csv.DictReader(io.StringIO(text)))
            shown[extra] = (row["path"], row["uri"], row["evidence"])
        elif fmt == "html":
            shown[extra] = text.count(SSN_MAIL_SHOWN)
        elif fmt == "sarif":
            (result,) = json.loads(text)["runs"][0]["results"]
            shown[extra] = result["locations"][0]["physicalLocation"]["artifactLocation"]
        else:
            shown[extra] = [line for line in text.splitlines() if "1120" in line]
    assert shown[()] == shown[("--show-data",)]
    if fmt == "csv":
        assert shown[()] == (SSN_MAIL_SHOWN, f"{mailbox}/{SSN_MAIL_SHOWN}", "part name")


def test_show_data_shows_the_names_in_the_json_formats(mailbox, tmp_path):
    for fmt in ("json", "jsonl"):
        out = tmp_path / f"report.{fmt}"
        code, _, stderr = _scan(str(mailbox), "--format", fmt, "-o", str(out), "--show-data", cwd=tmp_path)
        assert code == 1, stderr.decode(errors="replace")
        finding = json.loads(out.read_text().splitlines()[0] if fmt == "jsonl" else out.read_text())
        location = finding["location"] if fmt == "jsonl" else finding["findings"][0]["location"]
        assert (location["path"], location["uri"]) == (SSN_MAIL, f"{mailbox}/{SSN_MAIL}")


def test_reports_read_back_show_a_show_data_reports_names_masked(mailbox, tmp_path):
    """report html, report diff and baseline create read a --show-data JSON report: what they
    write shows its names as a report without --show-data does, and no raw value."""
    for fmt in ("json", "jsonl"):
        report = tmp_path / f"raw.{fmt}"
        code, _, stderr = _scan(str(mailbox), "--format", fmt, "-o", str(report), "--show-data", cwd=tmp_path)
        assert code == 1 and b"jane.doe" in report.read_bytes(), stderr.decode(errors="replace")
        page = tmp_path / f"page-{fmt}.html"
        p = subprocess.run([sys.executable, "-m", "dataguard", "report", "html", str(report), "-o", str(page)],
                           capture_output=True, cwd=tmp_path)
        assert p.returncode == 0, p.stderr.decode(errors="replace")
        assert b"jane.doe" not in page.read_bytes() and b"078-05-1120" not in page.read_bytes()
        assert SSN_MAIL_SHOWN in page.read_text()
    raw = tmp_path / "raw.json"
    for command in (["report", "diff", str(raw), str(raw)], ["report", "diff", "--format", "json", str(raw), str(raw)],
                    ["baseline", "create", str(raw)]):
        p = subprocess.run([sys.executable, "-m", "dataguard", *command], capture_output=True, cwd=tmp_path)
        assert p.returncode in (0, 1), p.stderr.decode(errors="replace")
        for data in (p.stdout, p.stderr):
            assert b"jane.doe" not in data and b"078-05-1120" not in data and b"gmail" not in data
    from dataguard.names import without_raw_data
    doc = json.loads(raw.read_text())
    shown = without_raw_data(doc)
    assert shown["findings"][0]["location"]["path"] == SSN_MAIL_SHOWN
    assert all("value" not in e for f in shown["findings"] for e in f["evidence"])
    assert doc["findings"][0]["location"]["path"] == SSN_MAIL          # (the report read is left as it is)
    plain = tmp_path / "plain.json"
    _scan(str(mailbox), "--format", "json", "-o", str(plain), cwd=tmp_path)
    assert without_raw_data(json.loads(plain.read_text())) == json.loads(plain.read_text())


def test_masking_a_name_never_reaches_into_its_target(tmp_path):
    """The digits of a folder are not joined to those of the file in it: every uri starts with
    its target, and SARIF has one base per target."""
    target = tmp_path / "a1"
    target.mkdir()
    (target / "078-05-1120 notes.txt").write_text("card 4111 1111 1111 1111\n")
    reports = {}
    for fmt in ("json", "sarif"):
        out = tmp_path / f"r.{fmt}"
        code, _, stderr = _scan(str(target), "--format", fmt, "-o", str(out), cwd=tmp_path)
        assert code == 1, stderr.decode(errors="replace")
        reports[fmt] = json.loads(out.read_text())
    locations = [f["location"] for f in reports["json"]["findings"]]
    assert locations and {(loc["target"], loc["uri"], loc["path"]) for loc in locations} == \
        {(str(target), f"{target}/***-**-1120 notes.txt", "***-**-1120 notes.txt")}
    assert list(reports["sarif"]["runs"][0]["originalUriBaseIds"]) == ["TARGET1"]


def test_a_value_in_a_file_name_counts_once(tmp_path):
    """A card or a person's name in a file's name is one value, as the same card in its content is."""
    root = tmp_path / "t7"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "pay 4111 1111 1111 1111.txt").write_text("hi\n")
    (root / "John Smith passport.txt").write_text("hi\n")
    (root / "content.txt").write_text("pay 4111 1111 1111 1111\n")
    out = tmp_path / "r.json"
    p = subprocess.run([sys.executable, "-m", "dataguard", "scan", str(root), "-o", str(out)], capture_output=True,
                       cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode(errors="replace")
    counts = {}
    for f in json.loads(out.read_text())["findings"]:
        for entity in ("CREDIT_CARD", "PERSON"):
            if entity in f["entities"]:
                evidence = [(e["part"], e["masked"]) for e in f["evidence"] if e["entity_type"] == entity]
                counts[(f["location"]["path"], entity)] = (f["entities"][entity]["count"], evidence)
    assert counts == {
        ("sub/pay 4111 **** **** 1111.txt", "CREDIT_CARD"): (1, [("name", "4111 **** **** 1111")]),
        ("J*** S**** passport.txt", "PERSON"): (1, [("name", "J*** S****")]),
        ("content.txt", "CREDIT_CARD"): (1, [(None, "4111 **** **** 1111")])}


def test_a_value_underscores_glue_to_words_in_a_file_name_is_found_and_masked(tmp_path):
    """File names join words with underscores ("pay_4111...", "John_Smith_passport"): they are read
    as spaces, and the value is masked in the name as it is written."""
    root = tmp_path / "t8"
    root.mkdir()
    (root / "pay_4111111111111111.txt").write_text("hi\n")
    (root / "John_Smith_passport.txt").write_text("hi\n")
    (root / "report_2024_q3_final.txt").write_text("hi\n")        # (no value: no finding)
    out = tmp_path / "r.json"
    p = subprocess.run([sys.executable, "-m", "dataguard", "scan", str(root), "-o", str(out)], capture_output=True,
                       cwd=tmp_path)
    assert p.returncode == 1, p.stderr.decode(errors="replace")
    report = out.read_text()
    assert "4111111111111111" not in report and "John" not in report and "Smith" not in report
    counts = {}
    for f in json.loads(report)["findings"]:
        for entity, agg in f["entities"].items():
            evidence = [(e["part"], e["masked"]) for e in f["evidence"] if e["entity_type"] == entity]
            counts[(f["location"]["path"], entity)] = (agg["count"], evidence)
    assert counts == {
        ("pay_4111********1111.txt", "CREDIT_CARD"): (1, [("name", "4111********1111")]),
        ("J*********_passport.txt", "PERSON"): (1, [("name", "J*** S****")])}     # (masked as written)


def test_show_data_leaves_row_keys_hashed_outside_the_json_formats(tmp_path):
    """A primary key can be a value: --show-data shows it raw in the JSON report only."""
    db = tmp_path / "k.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (email TEXT PRIMARY KEY, card TEXT)")
    con.execute("INSERT INTO t VALUES ('zed.roe@gmail.com', '4111 1111 1111 1111')")
    con.commit()
    con.close()
    rows = {}
    for fmt, extra in (("csv", ()), ("csv", ("--show-data",)), ("html", ("--show-data",)),
                       ("sarif", ("--show-data",)), ("json", ("--show-data",))):
        out = tmp_path / f"r{len(extra)}.{fmt}"
        code, _, stderr = _scan(f"sqlite:///{db}", "--format", fmt, "-o", str(out), *extra, cwd=tmp_path)
        assert code == 1, stderr.decode(errors="replace")
        text = out.read_text()
        assert ("zed.roe" in text) == (fmt == "json"), fmt
        if fmt == "csv":
            rows[extra] = sorted(r["evidence"] for r in csv.DictReader(io.StringIO(text)))
    assert rows[()] == rows[("--show-data",)] and all(re.fullmatch(r"row key:[0-9a-f]{16}", e) for e in rows[()])

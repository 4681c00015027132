"""The reports people read and tools import: SARIF (against the SARIF 2.1.0 schema, with format
checks, and read back by sarif-tools), spreadsheet-safe CSV, the terminal table."""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urljoin

import jsonschema
import pytest
from wcwidth import wcswidth

from dataguard.report import render
from dataguard.report.csvfile import safe_cell, write_csv_doc
from dataguard.report.sarif import sarif_document
from dataguard.report.terminal import fit, write_table_doc
from dataguard.report.formats import doc_of
from dataguard.report.view import ReportDoc, load_doc
from dataguard.types import Problem
from tests.report_data import (ARABIC_DIR, ARABIC_NAME, ESCAPE_NAME, FORMULA_NAME, MEMBER, RAW_VALUES, SCRIPT_NAME,
                               hostile_scan)

SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json"


@pytest.fixture
def scan(tmp_path):
    return hostile_scan(tmp_path)


# ---------------------------------------------------------------- SARIF
@pytest.fixture(scope="module")
def sarif_validator():
    validator_cls = jsonschema.Draft7Validator
    checker = validator_cls.FORMAT_CHECKER
    # the format checks only run where their libraries are installed: make sure they do
    assert {"uri", "uri-reference", "date-time"} <= set(checker.checkers)
    return validator_cls(json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=checker)


def _errors(validator, doc) -> list:
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]


def test_sarif_validates_with_format_checks(scan, sarif_validator):
    doc = json.loads(render(scan, "sarif"))
    assert _errors(sarif_validator, doc) == []
    # the check has teeth: a raw file name is not a uri-reference, a raw base is not a uri
    bad = json.loads(json.dumps(doc))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "a b/ملف.txt"
    assert any("uri-reference" in e for e in _errors(sarif_validator, bad))


def test_sarif_locations_are_relative_percent_encoded_and_resolve_to_the_files(scan):
    run = json.loads(render(scan, "sarif"))["runs"][0]
    bases = run["originalUriBaseIds"]
    assert list(bases) == ["TARGET1"] and bases["TARGET1"]["uri"].startswith("file:///")
    assert bases["TARGET1"]["uri"].endswith("/")
    root = Path(scan.targets[0].uri)
    resolved = {}
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert loc["uriBaseId"] == "TARGET1" and not loc["uri"].startswith("/")
        assert all(ord(c) < 128 and c not in " #%\x1b\n" or c == "%" for c in loc["uri"])
        resolved[unquote(urljoin(bases["TARGET1"]["uri"], loc["uri"]))[len("file://"):]] = r
    assert set(resolved) == {str(root / n) for n in (SCRIPT_NAME, "archive.zip", ESCAPE_NAME,
                                                     f"{ARABIC_DIR}/{ARABIC_NAME}", FORMULA_NAME)}
    arabic = resolved[str(root / ARABIC_DIR / ARABIC_NAME)]
    assert arabic["locations"][0]["physicalLocation"]["region"] == {"startLine": 2, "startColumn": 10, "endColumn": 29}
    member = resolved[str(root / "archive.zip")]["locations"][0]
    assert member["logicalLocations"][0]["fullyQualifiedName"] == f"archive.zip!/{MEMBER}"
    assert "region" not in member["physicalLocation"]          # a line inside a member is not a line of the zip


def test_sarif_rules_invocation_automation_and_fingerprints(scan):
    run = json.loads(render(scan, "sarif"))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    card = rules["T-001"]
    assert card["shortDescription"]["text"] == "Card numbers" and "CM-ENCRYPT" in card["fullDescription"]["text"]
    assert card["help"]["text"].startswith("Encrypt the file")
    assert {"CM-ENCRYPT", "CREDIT_CARD"} <= set(card["properties"]["tags"])
    assert float(card["properties"]["security-severity"]) >= 7.0
    assert float(rules["T-002"]["properties"]["security-severity"]) < 7.0
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert [r["partialFingerprints"]["dataguard/v1"] for r in run["results"]] == [f.fingerprint for f in scan.findings]
    assert run["automationDetails"]["id"] == f"dataguard/{scan.site.name}/{scan.scan_id}"
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is True and inv["startTimeUtc"] == scan.started_at
    notes = {n["descriptor"]["id"]: n for n in inv["toolExecutionNotifications"]}
    assert notes["error/corrupt"]["level"] == "error" and notes["skipped/binary"]["level"] == "note"
    text = render(scan, "sarif")
    assert not any(v in text for v in RAW_VALUES)


def test_sarif_incomplete_scan_is_not_successful_and_says_why(tmp_path, sarif_validator):
    res = hostile_scan(tmp_path, complete=False)
    res.targets[0].status, res.targets[0].error = "partial", "connection lost"
    doc = json.loads(render(res, "sarif"))
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert any(n["descriptor"]["id"] == "target/partial" and "connection lost" in n["message"]["text"]
               for n in inv["toolExecutionNotifications"])
    assert _errors(sarif_validator, doc) == []


def _db_doc() -> ReportDoc:
    head = {"schema_version": 1, "scan": {
        "id": "s-1", "site": "HQ", "complete": True, "started_at": "2026-01-01T00:00:00Z",
        "finished_at": "2026-01-01T00:01:00Z",
        "targets": [{"uri": "postgresql://scanner@db.example:5432/hr", "status": "ok", "error": None},
                    {"uri": "/srv/exports/staff list.csv", "status": "ok", "error": None, "info": {"type": "file"}}]}}
    col = {"fingerprint": "f1", "rule_id": "R-1", "title": "Card numbers", "severity": "critical", "measure": "CM-X",
           "location": {"target": "postgresql://scanner@db.example:5432/hr", "source": "database",
                        "uri": "postgresql://scanner@db.example:5432/hr#public.staff", "path": "public.staff",
                        "table": "public.staff", "column": "card no"},
           "entities": {"CREDIT_CARD": {"count": 4, "max_score": 1.0}},
           "evidence": [{"entity_type": "CREDIT_CARD", "row": "17", "masked": "4111********1111"}],
           "remediation": "Encrypt the column."}
    csv_hit = {"fingerprint": "f2", "rule_id": "R-2", "title": "Mails", "severity": "low", "measure": "CM-Y",
               "location": {"target": "/srv/exports/staff list.csv", "source": "file",
                            "uri": "/srv/exports/staff list.csv", "path": "staff list.csv"},
               "entities": {"EMAIL_ADDRESS": {"count": 3, "max_score": 1.0}},
               "evidence": [{"entity_type": "EMAIL_ADDRESS", "line": 4, "col": 12, "end_col": 27, "masked": "a***"}],
               "remediation": ""}
    errors = [{"uri": "postgresql://scanner@db.example:5432/hr#public.audit", "kind": "unreadable", "message": "denied"}]
    return ReportDoc(head=head, findings=[col, csv_hit], errors=errors, skipped=[])


def test_sarif_database_columns_are_logical_locations_and_columns_give_a_region(sarif_validator):
    from dataguard.report.formats import _slot, _write_doc
    doc, arrays = sarif_document(_db_doc(), _slot)
    out = io.StringIO()
    _write_doc(out, doc, arrays, ensure_ascii=True)
    sarif = json.loads(out.getvalue())
    assert _errors(sarif_validator, sarif) == []
    run = sarif["runs"][0]
    assert {b["uri"] for b in run["originalUriBaseIds"].values()} == {
        "postgresql://scanner@db.example:5432/hr/", "file:///srv/exports/"}
    col, hit = run["results"]
    assert col["locations"][0]["logicalLocations"] == [
        {"name": "card no", "fullyQualifiedName": "public.staff.card no", "kind": "column"}]
    assert col["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "public.staff"
    assert hit["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 12, "endColumn": 27}
    assert hit["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "staff%20list.csv"
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "public.audit"


def test_sarif_tools_reads_it_back(scan, tmp_path):
    from sarif import loader
    path = tmp_path / "scan.sarif"
    path.write_text(render(scan, "sarif"), encoding="utf-8")
    sarif = loader.load_sarif_file(str(path))
    assert sarif.get_result_count() == len(scan.findings)
    assert sarif.get_distinct_tool_names() == ["dataguard"]
    records = sarif.get_records()
    assert sorted(r["Code"] for r in records) == sorted(f.rule_id for f in scan.findings)
    assert {r["Severity"] for r in records} == {"error", "warning"}


# ---------------------------------------------------------------- CSV
def test_csv_cells_never_start_a_formula_and_hostile_names_round_trip(scan):
    text = render(scan, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(scan.findings)
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    by_path = {r["path"]: r for r in rows}
    formula = by_path["'" + FORMULA_NAME]                     # shown as text, the name intact after the quote
    assert formula["site"] == scan.site.name and formula["scan_id"] == scan.scan_id
    assert formula["severity"] == "medium" and formula["measure"] == "CM-MINIMISE" and formula["rule_id"] == "T-002"
    assert formula["entities"] == "EMAIL_ADDRESS=3" and formula["evidence"] == "line 1, col 1-12"
    assert formula["remediation"].startswith("Delete the list")
    member = next(r for r in rows if r["path"] == "archive.zip")
    assert member["member"] == "'" + MEMBER.replace("\u202e", "\\u202e")    # a bidi override shown as its escape
    assert by_path[SCRIPT_NAME]["severity"] == "high"
    assert not any(v in text for v in RAW_VALUES)
    assert "\x1b" not in text and "\x07" not in text          # a name's controls drive no terminal


@pytest.mark.parametrize("cell,want", [("=1+2", "'=1+2"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
                                       ("\tx", "'\tx"), ("\rx", "\\rx"), ("a=b", "a=b"), (None, ""), (3, "3"), (-3, "-3"), (-0.5, "-0.5"),
                                       (True, "True"),
                                       ("esc\x1b[31mred\x07\nnext", "esc\\x1b[31mred\\x07\nnext")])
def test_safe_cell(cell, want):
    assert safe_cell(cell) == want


def test_csv_columns_for_a_database_finding():
    out = io.StringIO()
    write_csv_doc(_db_doc(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (rows[0]["table"], rows[0]["column"], rows[0]["evidence"]) == ("public.staff", "card no", "row 17")
    assert rows[1]["evidence"] == "line 4, col 12-27"


# ---------------------------------------------------------------- terminal table
def _table(doc, width=80, colour=False) -> str:
    out = io.StringIO()
    write_table_doc(doc, out, width=width, colour=colour)
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 60, 132])
def test_table_fits_the_width_and_no_name_reaches_the_terminal_raw(scan, width):
    text = _table(doc_of(scan), width)
    lines = text.split("\n")
    assert all(wcswidth(ln) <= width for ln in lines), [ln for ln in lines if wcswidth(ln) > width]
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\r" not in text
    assert not any(ln.startswith("next.txt") for ln in lines)     # the newline in a name did not break a line
    assert "\\x1b[31mred" in text and "\\u202e" in text            # shown escaped
    assert "By severity: high 4, medium 1" in text
    assert "CM-ENCRYPT" in text and "CM-MINIMISE" in text
    assert "onerror=alert(2)>.docx (corrupt)" in text              # unreadable items are named
    assert lines[-2].startswith("See everything: --format json")
    assert not any(v in text for v in RAW_VALUES)


def test_table_shows_the_scan_id_whole_in_80_columns(scan):
    """The scan id ties the table to the JSON report: never cut."""
    doc = doc_of(scan)
    assert doc.scan["id"] and f"scan {doc.scan['id']}" in _table(doc, 80)


def test_table_shows_the_scan_times_and_key_id_whole_in_80_columns(scan):
    """The start and end times and the HMAC key id (32 hex digits) are each whole in 80 columns."""
    doc = doc_of(scan)
    table = _table(doc, 80)
    assert f"{doc.scan['started_at']} to {doc.scan['finished_at']}" in table
    assert doc.key_id and f"HMAC key id {doc.key_id}" in table


def test_table_top_locations_by_severity_then_volume(scan):
    lines = _table(doc_of(scan), 80).split("\n")
    i = next(n for n, ln in enumerate(lines) if ln.startswith("Top locations"))
    sevs = [ln.split()[0] for ln in lines[i + 2:] if ln[:1].strip()][:5]
    assert sevs == ["high", "high", "high", "high", "medium"]


def test_table_truncates_long_paths_in_the_middle():
    assert fit("a" * 50 + "MIDDLE" + "z" * 50, 21) == "a" * 9 + "..." + "z" * 9
    assert fit("日本語のファイル名.txt", 10) == "日本...txt"        # wide characters count two columns
    assert wcswidth(fit("日本語のファイル名はとても長い.txt", 11)) <= 11


def test_table_names_the_first_unreadable_items_then_counts_the_rest(scan):
    doc = doc_of(replace(scan, errors=[Problem(uri=f"/share/bad {i}.pdf", kind="corrupt") for i in range(9)]))
    text = _table(doc)
    assert "Could not read 9 item(s): corrupt 9" in text
    assert "/share/bad 4.pdf" in text and "/share/bad 5.pdf" not in text and "  and 4 more" in text


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_table_colours_only_on_a_terminal_without_no_color(scan, monkeypatch):
    doc = doc_of(scan)
    monkeypatch.delenv("NO_COLOR", raising=False)
    plain, tty = io.StringIO(), _Tty()
    write_table_doc(doc, plain, width=80)
    write_table_doc(doc, tty, width=80)
    assert "\x1b[" not in plain.getvalue() and "\x1b[31m" in tty.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    tty = _Tty()
    write_table_doc(doc, tty, width=80)
    assert "\x1b" not in tty.getvalue()


def test_table_width_from_the_terminal_or_80(scan, monkeypatch):
    monkeypatch.setenv("COLUMNS", "64")
    assert max(wcswidth(ln) for ln in render(scan, "table").split("\n")) <= 64
    monkeypatch.delenv("COLUMNS")
    assert max(wcswidth(ln) for ln in render(scan, "table").split("\n")) <= 80


# ---------------------------------------------------------------- reports read back
def test_json_and_jsonl_reports_read_back_as_the_same_document(scan, tmp_path):
    j, jl = tmp_path / "r.json", tmp_path / "r.jsonl"
    j.write_text(render(scan, "json"), encoding="utf-8")
    jl.write_text(render(scan, "jsonl"), encoding="utf-8")
    a, b = load_doc(str(j)), load_doc(str(jl))
    assert a.head == b.head and list(a.findings) == list(b.findings) and a.errors == b.errors
    assert _table(a) == _table(doc_of(scan))
    assert os.path.getsize(j) > 0


def test_the_json_report_is_laid_out_as_json_dumps_lays_it_out(scan):
    """The findings are written by orjson (compiled), the rest by ``json``: the text is the one
    ``json.dumps(report, indent=2, ensure_ascii=False)`` gives (Arabic, control characters,
    quotes and backslashes in names), and a value orjson refuses (a lone surrogate) falls back."""
    from dataguard.report.formats import _indented, to_dict
    text = render(scan, "json")
    assert text == json.dumps(to_dict(scan), indent=2, ensure_ascii=False) + "\n"
    assert ARABIC_NAME in text and len(to_dict(scan)["findings"]) >= 3
    odd = {"path": "caf\udce9.txt", "n": [1, {}], 3: None, "s": 0.85}
    assert _indented(odd, 2, False) == json.dumps(odd, indent=2, ensure_ascii=False)


@pytest.mark.integration
@pytest.mark.model
def test_sarif_of_a_share_and_a_database_validates(run_cli, sarif_validator, monkeypatch, tmp_path):
    from tests.conftest import require_env
    host, port, user, password, pg = require_env(
        "DATAGUARD_TEST_SMB_HOST", "DATAGUARD_TEST_SMB_PORT", "DATAGUARD_TEST_SMB_USER",
        "DATAGUARD_TEST_SMB_PASSWORD", "DATAGUARD_TEST_PG_URL")
    monkeypatch.setenv("DATAGUARD_SMB_PASSWORD", password)
    out = tmp_path / "r.sarif"
    res = run_cli("scan", f"smb://{user}@{host}:{port}/public", pg, "--no-ner", "--workers", "1",
                  "--format", "sarif", "-o", out)
    assert res.exit_code == 1, res.stderr
    text = out.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert _errors(sarif_validator, doc) == []
    run = doc["runs"][0]
    assert sorted(b["uri"].split(":", 1)[0] for b in run["originalUriBaseIds"].values()) == ["postgresql", "smb"]
    assert password not in text and len(run["originalUriBaseIds"]) == 2
    kinds = {loc.get("kind") for r in run["results"] for loc in r["locations"][0].get("logicalLocations", [])}
    assert "column" in kinds
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"].get("uriBaseId") for r in run["results"])


def test_sarif_messages_do_not_turn_names_into_links():
    from dataguard.report.formats import _slot
    doc = _db_doc()
    doc.findings[1]["location"]["path"] = "[click](https://evil.example).csv"
    sarif, arrays = sarif_document(doc, _slot)
    results = list(arrays["results"])
    assert "\\[click\\](https://evil.example).csv" in results[1]["message"]["text"]


@pytest.mark.parametrize("fmt", ["table", "csv", "sarif", "html"])
def test_only_the_json_formats_carry_raw_values_even_with_show_data(tmp_path, fmt):
    res = hostile_scan(tmp_path, show_data=True)
    assert any(v in render(res, "json", show_data=True) for v in RAW_VALUES)
    text = render(res, fmt, show_data=True)
    assert not any(v in text for v in RAW_VALUES)


def test_a_jsonl_report_without_findings_reads_back(tmp_path, scan):
    empty = replace(scan, findings=[])
    path = tmp_path / "r.jsonl"
    path.write_text(render(empty, "jsonl"), encoding="utf-8")
    doc = load_doc(str(path))
    assert doc.findings == [] and doc.scan["id"] == scan.scan_id and len(doc.errors) == 1

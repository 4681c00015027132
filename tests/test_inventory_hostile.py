"""The inventory against hostile reports and names: impossible or future times, numbers too
large for the database, empty identities, formula and control characters in names (CSV,
SARIF, tables), and reports no trusted key signed (refused before they are parsed)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import unquote, urljoin

import jsonschema
import pytest

from dataguard.report import render
from tests.report_data import ARABIC_DIR, ARABIC_NAME, ESCAPE_NAME, FORMULA_NAME, SCRIPT_NAME, hostile_scan

SITE = "Kabul\x1b[31m\u202eoffice"        # a site name with an escape sequence and a bidi override
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def doc(tmp_path) -> dict:
    """A report of a scan over hostile names, its findings critical (they count in every KPI)."""
    d = json.loads(render(hostile_scan(tmp_path, site=SITE), "json"))
    for f in d["findings"]:
        f["severity"] = "critical"
    return d


def _write(path: Path, doc: dict, **scan) -> Path:
    path.write_text(json.dumps({**doc, "scan": {**doc["scan"], **scan}}), encoding="utf-8")
    return path


def _ingest(run_cli, db, *reports):
    return run_cli("inventory", "ingest", *reports, "--db", db)


def _raw_controls(text: str) -> bool:
    return "\x1b" in text or "\u202e" in text or "\x07" in text


# ------------------------------------------------------------------------------ times (D1, D2)
@pytest.mark.parametrize("field,value", [("started_at", "2026-02-30T00:00:00Z"),
                                         ("finished_at", "2026-13-45T99:99:99Z")])
def test_a_report_with_an_impossible_time_is_refused_by_every_reader(doc, run_cli, tmp_path, field, value):
    bad = _write(tmp_path / "bad.json", doc, id="bad-time", **{field: value})
    good = _write(tmp_path / "good.json", doc)
    res = _ingest(run_cli, str(tmp_path / "inv.db"), bad, good)
    assert res.exit_code == 2 and f"scan/{field}" in res.stderr and value not in res.stderr
    assert "good.json: ingested" in res.stdout
    for args in (("report", "diff", good, bad), ("report", "html", bad, "-o", tmp_path / "p.html"),
                 ("baseline", "create", bad, "-o", tmp_path / "b.yaml")):
        res = run_cli(*args)
        assert res.exit_code == 2 and f"scan/{field}" in res.stderr, args
    assert run_cli("inventory", "kpi", "--db", tmp_path / "inv.db").exit_code == 0


def test_an_impossible_acceptance_expiry_is_refused(doc, run_cli, tmp_path):
    doc["findings"][0]["status"] = "accepted"
    doc["findings"][0]["acceptance"] = {"reason": "r", "owner": "o", "reviewer": "v", "expires": "2027-02-30"}
    res = _ingest(run_cli, str(tmp_path / "inv.db"), _write(tmp_path / "bad.json", doc))
    assert res.exit_code == 2 and "findings/0/acceptance/expires" in res.stderr


def test_kpis_leave_out_an_impossible_time_already_in_the_inventory(doc, run_cli, tmp_path):
    """An inventory that took such a report in before ingest refused them still gives its KPIs."""
    from sqlalchemy import update

    from dataguard.inventory import open_inventory
    from dataguard.inventory.schema import findings
    db = str(tmp_path / "inv.db")
    assert _ingest(run_cli, db, _write(tmp_path / "r.json", doc)).exit_code == 0
    engine = open_inventory(db)
    with engine.begin() as conn:
        conn.execute(update(findings).values(first_seen="2026-02-30T00:00:00Z"))
    engine.dispose()
    res = run_cli("inventory", "kpi", "--db", db, "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert all(row["oldest_open_critical_days"] is None for row in json.loads(res.stdout))


def _loaded(path: Path):
    from dataguard.reportfile import load_report
    return load_report(str(path))


def test_a_scan_from_the_future_or_ending_before_it_starts_is_refused(doc, tmp_path):
    from dataguard.inventory import InventoryError, ingest_report, open_inventory
    engine = open_inventory(str(tmp_path / "inv.db"))
    now = "2026-01-15T12:00:00Z"                          # this host's clock, injected
    try:
        ahead = _write(tmp_path / "ahead.json", doc, id="ahead", started_at="2026-01-16T12:00:01Z",
                       finished_at="2026-01-16T13:00:00Z")
        backwards = _write(tmp_path / "backwards.json", doc, id="backwards", started_at="2026-01-15T10:00:00Z",
                           finished_at="2026-01-15T09:59:59Z")
        for path, what in ((ahead, "more than 24 hours after this host's clock"), (backwards, "finished_at is before")):
            with pytest.raises(InventoryError, match=what):
                ingest_report(engine, _loaded(path), now=now)
        # a site's clock a little ahead of this host's is fine
        skewed = _write(tmp_path / "skewed.json", doc, id="skewed", started_at="2026-01-16T12:00:00Z",
                        finished_at="2026-01-16T12:00:00Z")
        assert ingest_report(engine, _loaded(skewed), now=now) == "ingested"
    finally:
        engine.dispose()


def test_a_future_report_is_one_error_line_and_the_others_are_ingested(doc, run_cli, tmp_path):
    future = _write(tmp_path / "future.json", doc, id="future", started_at="2099-01-01T00:00:00Z",
                    finished_at="2099-01-01T01:00:00Z")
    res = _ingest(run_cli, str(tmp_path / "inv.db"), future, _write(tmp_path / "good.json", doc))
    assert res.exit_code == 2 and res.stderr.count("dataguard: error:") == 1 and "future.json" in res.stderr
    assert "good.json: ingested" in res.stdout


# ------------------------------------------------------------------------------ numbers, identity (D3, D10)
@pytest.mark.parametrize("change", [
    lambda d: d["scan"]["stats"].update(items_scanned=10 ** 30),
    lambda d: d["findings"][0]["evidence"][0].update(line=2 ** 63),
    lambda d: d["scan"].update(id=""),
    lambda d: d["scan"].update(site=""),
], ids=["items_scanned", "line", "empty id", "empty site"])
def test_numbers_too_large_and_empty_identities_fail_the_schema(doc, run_cli, tmp_path, change):
    bad = json.loads(json.dumps(doc))
    change(bad)
    res = _ingest(run_cli, str(tmp_path / "inv.db"), _write(tmp_path / "bad.json", bad),
                  _write(tmp_path / "good.json", doc, id="good"))
    assert res.exit_code == 2 and "report schema" in res.stderr and "Traceback" not in res.stderr
    assert "good.json: ingested" in res.stdout


def test_a_report_the_database_cannot_store_is_refused_and_the_others_ingested(doc, run_cli, tmp_path, monkeypatch):
    from dataguard.inventory import ingest
    real, calls = ingest._insert_scan, []

    def overflowing(conn, report, site, now):
        calls.append(report.path)
        if len(calls) == 1:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real(conn, report, site, now)
    monkeypatch.setattr(ingest, "_insert_scan", overflowing)
    res = _ingest(run_cli, str(tmp_path / "inv.db"), _write(tmp_path / "a.json", doc, id="a"),
                  _write(tmp_path / "b.json", doc, id="b"))
    assert res.exit_code == 2 and "a.json: the inventory database refused the report (OverflowError)" in res.stderr
    assert "b.json: ingested" in res.stdout and "a.json: ingested" not in res.stdout


# ------------------------------------------------------------------------------ names (D4, D5, D11)
@pytest.fixture
def inventory(doc, run_cli, tmp_path) -> str:
    """Two scans of the hostile site: the first without findings, the second with all of them."""
    db = str(tmp_path / "inv.db")
    first = _write(tmp_path / "first.json", {**doc, "findings": []}, id="first", started_at="2026-01-01T00:00:00Z",
                   finished_at="2026-01-01T00:10:00Z")
    assert _ingest(run_cli, db, first, _write(tmp_path / "second.json", doc)).exit_code == 0
    return db


def test_export_csv_cells_never_start_a_formula_nor_hold_raw_controls(inventory, run_cli):
    res = run_cli("inventory", "export", "--db", inventory, "--format", "csv")
    assert res.exit_code == 0 and not _raw_controls(res.stdout)
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and all(not cell.startswith(FORMULA_START) for row in rows for cell in row.values())
    assert "'" + FORMULA_NAME in {r["location"] for r in rows}
    assert {r["site"] for r in rows} == {SITE.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")}


def test_export_sarif_locations_are_valid_and_resolve_to_the_files(inventory, run_cli, doc):
    res = run_cli("inventory", "export", "--db", inventory, "--format", "sarif")
    assert res.exit_code == 0
    sarif = json.loads(res.stdout)
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")), format_checker=checker)
    assert [e.message for e in validator.iter_errors(sarif)] == []
    run = sarif["runs"][0]
    bases = {k: v["uri"] for k, v in run["originalUriBaseIds"].items()}
    resolved = set()
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
        resolved.add(unquote(urljoin(bases[loc["uriBaseId"]], loc["uri"]))[len("file://"):])
    root = doc["scan"]["targets"][0]["uri"]
    assert resolved == {f"{root}/{n}" for n in (SCRIPT_NAME, "archive.zip", ESCAPE_NAME, f"{ARABIC_DIR}/{ARABIC_NAME}",
                                                 FORMULA_NAME)}


def test_diff_and_kpi_tables_show_controls_escaped(inventory, run_cli, tmp_path):
    for args in (("inventory", "diff", "--site", SITE, "--db", inventory),
                 ("report", "diff", tmp_path / "first.json", tmp_path / "second.json"),
                 ("inventory", "kpi", "--db", inventory), ("inventory", "kpi", "--db", inventory, "--format", "csv")):
        res = run_cli(*args)
        assert res.exit_code in (0, 1), res.stderr
        assert not _raw_controls(res.stdout) and "\\u202e" in res.stdout, args
    assert "esc\\x1b[31mred" in run_cli("report", "diff", tmp_path / "first.json", tmp_path / "second.json").stdout


# ------------------------------------------------------------------------------ signatures (D12)
def test_a_report_no_trusted_key_signed_is_refused_before_it_is_parsed(doc, run_cli, tmp_path, monkeypatch):
    from dataguard import reportfile
    from dataguard.reportfile import ReportError, load_report
    from dataguard.signing import load_private_key, load_trusted_keys, sign_report
    keys = tmp_path / "keys"
    for site in ("Juba", "Rogue"):
        assert run_cli("keys", "create", "--site", site, "--out-dir", keys).exit_code == 0
    trusted_file = tmp_path / "trusted.yaml"
    trusted_file.write_text("Juba: [keys/Juba.pub]\n")
    trusted = load_trusted_keys(str(trusted_file))
    unsigned = _write(tmp_path / "unsigned.json", doc, site="Juba")
    rogue = _write(tmp_path / "rogue.json", doc, site="Juba")
    sign_report(str(rogue), load_private_key(str(keys / "Rogue.key")))
    forged = _write(tmp_path / "forged.json", doc, site="Juba")
    sign_report(str(forged), load_private_key(str(keys / "Juba.key")))
    forged.write_text(forged.read_text() + " ")
    good = _write(tmp_path / "good.json", doc, site="Juba")
    sign_report(str(good), load_private_key(str(keys / "Juba.key")))

    parsed = []                     # the reports json.loads was given (the signature files aside)
    real_loads = json.loads
    monkeypatch.setattr(reportfile.json, "loads",
                        lambda raw: (b'"findings"' in raw and parsed.append(1)) or real_loads(raw))
    for path, what in ((unsigned, "unsigned"), (rogue, "not a trusted key of any site"),
                       (forged, "changed after signing")):
        with pytest.raises(ReportError, match=what):
            load_report(str(path), trusted)
    assert parsed == []
    assert load_report(str(good), trusted).signed_by and parsed == [1]

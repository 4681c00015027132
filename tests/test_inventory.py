"""Signed reports, report diff, acceptance baselines and the findings inventory (SQLite and
PostgreSQL), on reports of real scans of small generated trees that change between scans."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

from tests.conftest import reachable_folder, require_env

CARD = "4111 1111 1111 1111"
KEY = "inventory-test-hmac-key-0123456789"


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


class Scenario:
    """Site Juba, two folder targets, four signed scans:
    1. complete: share1 {a, b}, share2 {x}, all with a card number;
    2. complete: a fixed, c added, x deleted;
    3. incomplete (share2 unreachable): b deleted;
    4. complete (share2 back, empty).
    Site Nairobi: one scan of its own share."""

    def __init__(self, root: Path, run_cli):
        self.root, self.run_cli = root, run_cli
        self.share1, self.share2 = root / "share1", root / "share2"
        self.keys = root / "keys"
        for site in ("Juba", "Nairobi", "Rogue"):
            assert run_cli("keys", "create", "--site", site, "--out-dir", self.keys).exit_code == 0
        self.trusted = root / "trusted.yaml"
        self.trusted.write_text("Juba: [keys/Juba.pub]\nNairobi: [keys/Nairobi.pub]\n")
        self.reports = []

    def scan(self, name: str, targets, site="Juba", expect=1, *extra) -> Path:
        out = self.root / f"{name}.json"
        res = self.run_cli("scan", *targets, "--no-ner", "--workers", "1", "--site", site, "--format", "json",
                           "--signing-key", self.keys / f"{site}.key", "--output", out, "-q", *extra)
        assert res.exit_code == expect, res.stderr
        self._set_clock(out, site)
        return out

    def _set_clock(self, out: Path, site: str) -> None:
        """Scans here run within a second: give each report its own hour of a fake day (the
        order of a site's scans is their start time), then sign it again."""
        from dataguard.signing import load_private_key, sign_report
        doc = _doc(out)
        hour = len(self.reports) + 1
        self.reports.append(out)
        doc["scan"]["started_at"] = f"2026-01-15T{hour:02d}:00:00Z"
        doc["scan"]["finished_at"] = f"2026-01-15T{hour:02d}:30:00Z"
        out.write_text(json.dumps(doc, indent=2))
        sign_report(str(out), load_private_key(str(self.keys / f"{site}.key")))

    def build(self) -> None:
        _write(self.share1, "a.txt", f"card {CARD}\n")
        _write(self.share1, "b.txt", f"paid with {CARD}\n")
        _write(self.share2, "x.txt", f"card {CARD}\n")
        self.r1 = self.scan("r1", [self.share1, self.share2])
        (self.share1 / "a.txt").write_text("card removed\n")
        _write(self.share1, "c.txt", f"new card {CARD}\n")
        (self.share2 / "x.txt").unlink()
        self.r2 = self.scan("r2", [self.share1, self.share2])
        (self.share1 / "b.txt").unlink()
        shutil.rmtree(self.share2)
        self.r3 = self.scan("r3", [self.share1, self.share2], "Juba", 3)
        self.share2.mkdir()
        self.r4 = self.scan("r4", [self.share1, self.share2])
        nbo = self.root / "nbo"
        _write(nbo, "pay.txt", f"{CARD}\n")
        self.n1 = self.scan("n1", [nbo], "Nairobi")
        self.reports = [self.r1, self.r2, self.r3, self.r4]
        self.first_day = "2026-01-15"


@pytest.fixture(scope="module")
def scenario(run_cli):
    # a folder others can reach: the cards are broadly readable, so their findings are critical
    with reachable_folder() as root, pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        s = Scenario(root, run_cli)
        s.build()
        yield s


def _doc(path) -> dict:
    return json.loads(Path(path).read_text())


def _fps(path, name=None) -> set:
    return {f["fingerprint"] for f in _doc(path)["findings"] if name is None or f["location"]["path"] == name}


def _severity(path, fp) -> str:
    return next(f["severity"] for f in _doc(path)["findings"] if f["fingerprint"] == fp)


def _copy(src: Path, dst: Path, with_sig=True) -> Path:
    shutil.copy(src, dst)
    if with_sig:
        shutil.copy(str(src) + ".sig", str(dst) + ".sig")
    return dst


# ------------------------------------------------------------------------------ identity
def test_reports_carry_identity(scenario, run_cli, tmp_path):
    from dataguard.hashing import key_id
    scan = _doc(scenario.r1)["scan"]
    assert scan["site"] == "Juba" and scan["key_id"] == key_id(KEY.encode())
    assert KEY not in json.dumps(scan) and scan["rule_packs"][0]["version"]
    assert key_id(KEY.encode()) != key_id(b"another-key-0123456789")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        jl = run_cli("scan", scenario.share1, "--no-ner", "--workers", "1", "--site", "S", "--format", "jsonl")
        csv_run = run_cli("scan", scenario.share1, "--no-ner", "--workers", "1", "--site", "S", "--format", "csv")
    lines = [json.loads(x) for x in jl.stdout.splitlines() if x.strip()]
    assert all(x["site"] == "S" and x["scan_id"] == lines[-1]["scan"]["id"] for x in lines[:-1])
    rows = csv_run.stdout.splitlines()
    assert rows[0].startswith("site,scan_id,") and rows[0].endswith(",status")
    assert rows[1:] and all(r.startswith("S,") and r.rstrip().endswith(",open") for r in rows[1:])


# ------------------------------------------------------------------------------ signatures
def test_signature_verifies_and_names_what_is_wrong(scenario, run_cli, tmp_path):
    ok = run_cli("keys", "verify", scenario.r1, "--trusted-keys", scenario.trusted)
    assert ok.exit_code == 0 and "signature OK" in ok.stdout
    changed = _copy(scenario.r1, tmp_path / "changed.json")
    raw = changed.read_bytes()
    changed.write_bytes(raw.replace(b'"complete": true', b'"complete": false', 1))
    unsigned = _copy(scenario.r1, tmp_path / "unsigned.json", with_sig=False)
    cases = {changed: "changed after signing", unsigned: "unsigned"}
    for path, what in cases.items():
        res = run_cli("keys", "verify", path, "--trusted-keys", scenario.trusted)
        assert res.exit_code == 2 and what in res.stderr
    # a report of Nairobi signed with Juba's key: wrong key
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        out = tmp_path / "rogue.json"
        run_cli("scan", scenario.root / "nbo", "--no-ner", "--workers", "1", "--site", "Nairobi", "-o", out,
                "--signing-key", scenario.keys / "Rogue.key", "-q")
    res = run_cli("keys", "verify", out, "--trusted-keys", scenario.trusted)
    assert res.exit_code == 2 and "wrong key" in res.stderr


def test_signing_needs_an_output_file(scenario, run_cli):
    res = run_cli("scan", scenario.share1, "--no-ner", "--signing-key", scenario.keys / "Juba.key")
    assert res.exit_code == 2 and "--output" in res.stderr


# ------------------------------------------------------------------------------ report diff
def _diff(run_cli, old, new, *extra):
    res = run_cli("report", "diff", old, new, "--format", "json", *extra)
    return res.exit_code, json.loads(res.stdout)


def _set(items) -> set:
    return {f["fingerprint"] for f in items}


def test_report_diff_new_resolved_unchanged(scenario, run_cli):
    s = scenario
    code, d = _diff(run_cli, s.r1, s.r2)
    assert code == 1
    assert _set(d["new"]) == _fps(s.r2, "c.txt") and _fps(s.r2, "c.txt")
    assert _set(d["resolved"]) == _fps(s.r1, "a.txt") | _fps(s.r1, "x.txt")
    assert _set(d["unchanged"]) == _fps(s.r1, "b.txt")
    assert d["not_rescanned"] == {"targets": [], "findings": []}
    assert _diff(run_cli, s.r1, s.r2, "--fail-on", "never")[0] == 0


def test_report_diff_shows_resolved_findings_as_resolved(scenario, run_cli):
    """The Resolved table (and JSON) showed each resolved finding with the old scan's status, 'open'."""
    s = scenario
    _, d = _diff(run_cli, s.r1, s.r2)
    assert d["resolved"] and {f["status"] for f in d["resolved"]} == {"resolved"}
    assert {f["status"] for f in d["new"] + d["unchanged"]} == {"open"}
    table = run_cli("report", "diff", s.r1, s.r2).stdout
    resolved = table.split("\nResolved\n", 1)[1]
    rows = [line.split() for line in resolved.splitlines()[2:] if line.strip()]
    assert len(rows) == len(d["resolved"]) and {r[-1] for r in rows} == {"resolved"}, table


def test_incomplete_scan_resolves_nothing(scenario, run_cli):
    s = scenario
    code, d = _diff(run_cli, s.r2, s.r3)
    assert code == 0 and d["new"] == [] and d["resolved"] == []
    assert _set(d["not_rescanned"]["findings"]) == _fps(s.r2, "b.txt")
    assert str(s.share2) in d["not_rescanned"]["targets"]
    table = run_cli("report", "diff", s.r2, s.r3).stdout
    assert "Not rescanned" in table and "INCOMPLETE" in table


def test_report_diff_rejects_a_schema_invalid_report(scenario, run_cli, tmp_path):
    bad = tmp_path / "bad.json"
    doc = _doc(scenario.r1)
    del doc["scan"]["complete"]
    bad.write_text(json.dumps(doc))
    res = run_cli("report", "diff", scenario.r1, bad)
    assert res.exit_code == 2 and "schema" in res.stderr and res.stderr.count("\n") == 1


# ------------------------------------------------------------------------------ baselines
def _baseline(path: Path, entries: list, site=None) -> Path:
    import yaml
    path.write_text(yaml.safe_dump({"site": site, "accepted": [
        {"fingerprint": fp, "reason": "kept by law", "owner": "hr", "reviewer": "dpo", "expires": exp}
        for fp, exp in entries]}))
    return path


def test_baseline_create_drafts_every_finding_and_a_draft_is_refused(scenario, run_cli, tmp_path):
    out = tmp_path / "draft.yaml"
    assert run_cli("baseline", "create", scenario.r2, "-o", out).exit_code == 0
    import yaml
    draft = yaml.safe_load(out.read_text())
    assert {e["fingerprint"] for e in draft["accepted"]} == _fps(scenario.r2) and draft["site"] == "Juba"
    res = run_cli("scan", scenario.share1, "--no-ner", "--baseline", out)
    assert res.exit_code == 2 and "reason" in res.stderr


def test_a_draft_has_no_aliases_and_its_first_entry_can_be_deleted(scenario, run_cli, tmp_path):
    """The entries share their expiry date: written as YAML anchor and aliases, deleting the
    entry holding the anchor broke every other one."""
    out = tmp_path / "draft.yaml"
    assert run_cli("baseline", "create", scenario.r2, "-o", out).exit_code == 0
    text = out.read_text()
    assert "&" not in text and "*" not in text and text.count("- fingerprint:") >= 2
    entries = text.split("- fingerprint:")
    kept = entries[0] + "- fingerprint:" + "- fingerprint:".join(entries[2:])
    for name in ("reason", "owner", "reviewer"):
        kept = kept.replace(f"{name}: ''", f"{name}: checked")
    reviewed = tmp_path / "reviewed.yaml"
    reviewed.write_text(kept)
    from dataguard.baseline import load_baseline
    assert len(load_baseline(str(reviewed)).accepted) == len(entries) - 2


def test_a_baseline_yaml_error_names_line_and_column(tmp_path, run_cli):
    bad = tmp_path / "bl.yaml"
    bad.write_text("site: Juba\naccepted:\n  - fingerprint: " + "a" * 64 + "\n    expires: *id001\n")
    res = run_cli("scan", tmp_path, "--no-ner", "--baseline", bad)
    assert res.exit_code == 2
    assert f"baseline {bad}: line 4, column 14: not valid YAML" in res.stderr and "id001" not in res.stderr


def test_scan_with_baseline_keeps_accepted_findings_out_of_the_exit_code(scenario, run_cli, tmp_path):
    share = tmp_path / "s"
    _write(share, "only.txt", f"card {CARD}\n")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        first = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json")
        fps = sorted(f["fingerprint"] for f in first.report["findings"])
        accepted = _baseline(tmp_path / "b.yaml", [(fp, "2999-12-31") for fp in fps])
        res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--baseline", accepted)
        assert res.exit_code == 0
        assert {f["status"] for f in res.report["findings"]} == {"accepted"}
        assert all(f["acceptance"]["reviewer"] == "dpo" for f in res.report["findings"])
        expired = _baseline(tmp_path / "e.yaml", [(fps[0], "2000-01-01"), (fps[1], "2999-12-31")])
        res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--baseline", expired)
    assert res.exit_code == 1
    assert sorted(f["status"] for f in res.report["findings"]) == ["accepted", "expired"]


# ------------------------------------------------------------------------------ inventory
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "inv.db")
        return
    (pg_url,) = require_env("DATAGUARD_TEST_PG_URL")
    from sqlalchemy import create_engine, text
    schema = "dg_inventory_test_" + uuid.uuid4().hex[:10]
    admin = create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{pg_url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _ingest(run_cli, db, *reports, trusted=None, baseline=None):
    args = ["inventory", "ingest", *reports, "--db", db]
    if trusted:
        args += ["--trusted-keys", trusted]
    if baseline:
        args += ["--baseline", baseline]
    return run_cli(*args)


def _snapshot(db) -> dict:
    from sqlalchemy import select

    from dataguard.inventory import open_inventory
    from dataguard.inventory.schema import metadata
    engine = open_inventory(db)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
                    for t in metadata.sorted_tables}
    finally:
        engine.dispose()


def _export(run_cli, db, *extra) -> list:
    res = run_cli("inventory", "export", "--db", db, "--format", "json", *extra)
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def _reference(reports) -> dict:
    """Tracking computed independently from the JSON reports: fingerprint -> (status, finding)."""
    tracked = {}
    for path in reports:
        doc = _doc(path)
        seen = {f["fingerprint"] for f in doc["findings"]}
        for f in doc["findings"]:
            tracked[f["fingerprint"]] = ("open", f)
        if doc["scan"]["complete"]:
            done = {t["uri"] for t in doc["scan"]["targets"] if t["status"] == "ok"}
            for fp, (st, f) in tracked.items():
                if st == "open" and fp not in seen and f["location"]["target"] in done:
                    tracked[fp] = ("resolved", f)
    return tracked


def test_ingest_tracks_findings_across_scans(scenario, run_cli, db):
    s = scenario
    res = _ingest(run_cli, db, *s.reports, s.n1, trusted=s.trusted)
    assert res.exit_code == 0, res.stderr
    rows = {(r["site"], r["fingerprint"]): r for r in _export(run_cli, db)}
    ref = _reference(s.reports)
    assert {fp: r["status"] for (site, fp), r in rows.items() if site == "Juba"} == {
        fp: st for fp, (st, _) in ref.items()}
    # b.txt vanished in the incomplete scan 3: still open then, resolved by scan 4
    assert {rows[("Juba", fp)]["status"] for fp in _fps(s.r2, "b.txt")} == {"resolved"}
    assert {("Nairobi", fp) for fp in _fps(s.n1)} <= set(rows)
    first = _doc(s.r1)["scan"]["started_at"]
    assert {rows[("Juba", fp)]["first_seen"] for fp in _fps(s.r1, "b.txt")} == {first}

    # the inventory's diff of the site's last two scans is the diff of their reports
    d = json.loads(run_cli("inventory", "diff", "--site", "Juba", "--db", db, "--format", "json").stdout)
    assert d == _diff(run_cli, s.r3, s.r4)[1] and _set(d["unchanged"]) == _fps(s.r4)


def test_ingest_is_idempotent_and_order_independent(scenario, run_cli, db, tmp_path):
    s = scenario
    assert _ingest(run_cli, db, s.r1, s.r2).exit_code == 0
    before = _snapshot(db)
    again = _ingest(run_cli, db, s.r2, s.r1)
    assert again.exit_code == 0 and again.stdout.count("already ingested") == 2
    assert _snapshot(db) == before
    other = str(tmp_path / "other.db")
    assert _ingest(run_cli, other, s.r4, s.r2, s.r3, s.r1).exit_code == 0
    assert _ingest(run_cli, db, s.r3, s.r4).exit_code == 0
    assert _export(run_cli, db) == _export(run_cli, other)


def test_rejected_reports_add_nothing(scenario, run_cli, db, tmp_path):
    s = scenario
    assert _ingest(run_cli, db, s.r1, trusted=s.trusted).exit_code == 0
    before = _snapshot(db)
    changed = _copy(s.r2, tmp_path / "changed.json")
    changed.write_bytes(changed.read_bytes().replace(b'"site": "Juba"', b'"site": "Juba" ', 1))
    unsigned = _copy(s.r2, tmp_path / "unsigned.json", with_sig=False)
    invalid = tmp_path / "invalid.json"
    doc = _doc(s.r2)
    doc["findings"][0]["severity"] = "catastrophic"
    invalid.write_text(json.dumps(doc))
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"findings": [')
    expect = {changed: "changed after signing", unsigned: "unsigned", invalid: "schema", garbage: "not valid JSON"}
    for path, what in expect.items():
        # (with trusted keys the signature is checked first, on the bytes: garbage is unsigned)
        res = _ingest(run_cli, db, path, trusted=s.trusted if path not in (invalid, garbage) else None)
        assert res.exit_code == 2 and what in res.stderr and res.stderr.count("\n") == 1, (path, res.stderr)
        assert _snapshot(db) == before


def test_acceptances_and_kpis(scenario, run_cli, db, tmp_path):
    s = scenario
    # c.txt: its low finding accepted, its critical one accepted until long ago (expired: open)
    c_fps = sorted(_fps(s.r2, "c.txt"), key=lambda fp: _severity(s.r2, fp) == "critical")
    base = _baseline(tmp_path / "b.yaml", [(c_fps[0], "2999-12-31"), (c_fps[1], "2000-01-01")], site="Juba")
    assert _ingest(run_cli, db, *s.reports, s.n1, baseline=base).exit_code == 0
    statuses = {r["fingerprint"]: r["status"] for r in _export(run_cli, db, "--site", "Juba")}
    assert statuses[c_fps[0]] == "accepted" and statuses[c_fps[1]] == "expired"
    res = run_cli("inventory", "kpi", "--db", db, "--format", "json", "--as-of", "2030-01-01")
    rows = {(r["site"], r["measure"]): r for r in json.loads(res.stdout)}
    ref = _reference(s.reports)
    opened = [f for fp, (st, f) in ref.items() if st == "open" and fp != c_fps[0]]
    juba = rows[("Juba", "ALL")]
    assert juba["open_total"] == len(opened)
    for sev in ("critical", "high", "medium", "low", "info"):
        assert juba[f"open_{sev}"] == sum(f["severity"] == sev for f in opened)
    assert juba["accepted"] == 1 and juba["expired"] == 1
    last = _doc(s.r4)
    assert juba["new"] == 0 and juba["resolved"] == len(_fps(s.r2, "b.txt"))
    items = last["scan"]["stats"]["items_scanned"] + last["scan"]["stats"]["items_unchanged"]
    assert juba["items_scanned"] == items and juba["items_failed"] == len(last["errors"])
    assert juba["broad_open_share"] == round(sum(f["exposure"] == "broad" for f in opened) / len(opened), 4)
    assert [t["findings"] for t in juba["trend"]] == [len(_doc(p)["findings"]) for p in s.reports]
    assert [t["complete"] for t in juba["trend"]] == [True, True, False, True]
    import datetime as dt
    assert any(f["severity"] == "critical" for f in opened)
    assert juba["oldest_open_critical_days"] == (dt.date(2030, 1, 1) - dt.date.fromisoformat(s.first_day)).days
    measures = {m for (site, m) in rows if site == "Juba"} - {"ALL"}
    assert sum(rows[("Juba", m)]["open_total"] for m in measures) == juba["open_total"]
    since = run_cli("inventory", "kpi", "--db", db, "--site", "Juba", "--since", "2000-01-01", "--format", "json")
    all_row = json.loads(since.stdout)[-1]
    assert all_row["new"] == len(ref) and all_row["resolved"] == sum(st == "resolved" for st, _ in ref.values())
    for fmt in ("csv", "table"):
        out = run_cli("inventory", "kpi", "--db", db, "--format", fmt).stdout
        assert "Nairobi" in out and "Juba" in out


def test_export_formats(scenario, run_cli, db, tmp_path):
    s = scenario
    assert _ingest(run_cli, db, s.r1, s.r2).exit_code == 0
    out = tmp_path / "inv.sarif"
    assert run_cli("inventory", "export", "--db", db, "--format", "sarif", "-o", out).exit_code == 0
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    sarif = json.loads(out.read_text())
    states = {r["partialFingerprints"]["dataguard/v1"]: r["baselineState"] for r in sarif["runs"][0]["results"]}
    assert {fp for fp, st in states.items() if st == "new"} == _fps(s.r2, "c.txt")
    assert {fp for fp, st in states.items() if st == "absent"} == _fps(s.r1, "a.txt") | _fps(s.r1, "x.txt")
    csv_text = run_cli("inventory", "export", "--db", db, "--format", "csv", "--status", "resolved").stdout
    assert len(csv_text.strip().splitlines()) == 1 + len(_fps(s.r1, "a.txt") | _fps(s.r1, "x.txt"))


def test_migrations_match_the_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dataguard.inventory import open_inventory
    from dataguard.inventory.schema import metadata
    engine = open_inventory(str(tmp_path / "m.db"))
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_concurrent_ingests_into_one_sqlite_file_queue(scenario, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from dataguard.inventory import ingest_report, open_inventory
    from dataguard.reportfile import load_report
    db = str(tmp_path / "shared.db")

    def one(path):
        engine = open_inventory(db)
        try:
            return ingest_report(engine, load_report(str(path)))
        finally:
            engine.dispose()
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(one, [*scenario.reports, scenario.n1]))
    assert outcomes == ["ingested"] * 5
    assert _snapshot(db)["scans"] and len(_snapshot(db)["scans"]) == 5


def test_readers_refuse_a_missing_inventory(run_cli, tmp_path):
    missing = tmp_path / "nope.db"
    res = run_cli("inventory", "kpi", "--db", missing)
    assert res.exit_code == 2 and "no inventory" in res.stderr and not missing.exists()


def test_free_text_of_any_length_is_stored_alike_on_both_databases(scenario, run_cli, db, tmp_path):
    doc = _doc(scenario.n1)
    doc["scan"]["site"] = "N" * 500
    doc["scan"]["id"] = "x" * 300
    long = tmp_path / "long.json"
    long.write_text(json.dumps(doc))
    assert _ingest(run_cli, db, long).exit_code == 0
    assert {r["site"] for r in _export(run_cli, db)} == {"N" * 500}


def test_inventory_report_shows_a_sites_current_picture(scenario, run_cli, db, validate_report, tmp_path):
    s = scenario
    assert _ingest(run_cli, db, s.r1, s.r2, s.r3).exit_code == 0
    res = run_cli("inventory", "report", "--site", "Juba", "--db", db, "--format", "json")
    doc = validate_report(json.loads(res.stdout))
    # after the incomplete scan 3, b.txt is still open though scan 3 did not report it
    assert {f["fingerprint"] for f in doc["findings"]} == _fps(s.r2) and doc["scan"]["id"] == _doc(s.r3)["scan"]["id"]
    page = tmp_path / "juba.html"
    assert run_cli("inventory", "report", "--site", "Juba", "--db", db, "-o", page).exit_code == 0
    assert "Juba" in page.read_text() and "b.txt" in page.read_text()
    assert run_cli("inventory", "report", "--site", "Nowhere", "--db", db).exit_code == 2


def test_ingest_says_when_sites_hash_under_different_keys(scenario, run_cli, tmp_path):
    db = str(tmp_path / "k.db")
    doc = _doc(scenario.n1)
    doc["scan"].update(key_id="f" * 32, id="other-key-scan")
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc))
    same = _ingest(run_cli, db, scenario.r1)
    assert same.exit_code == 0 and "HMAC keys" not in same.stderr
    mixed = _ingest(run_cli, db, other)
    assert mixed.exit_code == 0 and "2 HMAC keys" in mixed.stderr and "f" * 32 in mixed.stderr


def test_config_signing_key_signs_and_pruned_reports_lose_their_signatures(scenario, run_cli, tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    old = [f"dataguard-Juba-2025010{i}T010000Z.json" for i in (1, 2)]
    for name in old:
        (reports / name).write_text("{}")
        (reports / (name + ".sig")).write_text("{}")
    cfg = tmp_path / "dataguard.yaml"
    shutil.copy(scenario.keys / "Juba.key", tmp_path / "site.key")
    cfg.write_text(f"site: {{name: Juba}}\ntargets: [{{uri: {scenario.share1}}}]\nsigning_key: site.key\n"
                   f"output: {{folder: {reports}, keep_last: 2}}\n")
    res = run_cli("scan", "--config", cfg, "--workers", "1", "--no-ner", "-q")
    assert res.exit_code == 1, res.stderr
    names = sorted(p.name for p in reports.iterdir())
    assert old[0] not in names and old[0] + ".sig" not in names and old[1] + ".sig" in names
    new = next(n for n in names if n.endswith(".json") and n != old[1])
    ok = run_cli("keys", "verify", reports / new, "--trusted-keys", scenario.trusted)
    assert ok.exit_code == 0, ok.stderr


def test_keys_are_never_overwritten_and_bad_signature_files_are_named(scenario, run_cli, tmp_path):
    from dataguard.signing import load_private_key, sign_report
    again = run_cli("keys", "create", "--site", "Juba", "--out-dir", scenario.keys)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert oct(os.stat(scenario.keys / "Juba.key").st_mode & 0o777) == "0o600"
    report = _copy(scenario.r1, tmp_path / "r.json")
    Path(str(report) + ".sig").write_text("not a signature")
    res = run_cli("keys", "verify", report, "--trusted-keys", scenario.trusted)
    assert res.exit_code == 2 and "is not a dataguard-signature-v1 signature" in res.stderr
    only_nairobi = tmp_path / "trusted.yaml"
    only_nairobi.write_text(f"Nairobi: [{scenario.keys / 'Nairobi.pub'}]\n")
    res = run_cli("keys", "verify", scenario.r1, "--trusted-keys", only_nairobi)
    assert res.exit_code == 2 and "not a trusted key of any site (wrong key)" in res.stderr
    by_nairobi = _copy(scenario.r1, tmp_path / "by_nairobi.json", with_sig=False)
    sign_report(str(by_nairobi), load_private_key(str(scenario.keys / "Nairobi.key")))
    res = run_cli("keys", "verify", by_nairobi, "--trusted-keys", only_nairobi)
    assert res.exit_code == 2 and "no trusted public key for site 'Juba'" in res.stderr


def test_raw_values_of_a_show_data_report_are_never_stored(scenario, run_cli, tmp_path):
    out = tmp_path / "raw.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        run_cli("scan", scenario.share1, "--no-ner", "--workers", "1", "--show-data", "-o", out, "-q")
    assert CARD in out.read_text()
    db = tmp_path / "raw.db"
    assert _ingest(run_cli, str(db), out).exit_code == 0
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("raw.db"))
    assert CARD.encode() not in stored and CARD.replace(" ", "").encode() not in stored
    assert CARD not in json.dumps(_export(run_cli, str(db)))


def test_kpi_of_an_unknown_site_is_an_error(scenario, run_cli, tmp_path):
    db = str(tmp_path / "u.db")
    assert _ingest(run_cli, db, scenario.r1).exit_code == 0
    res = run_cli("inventory", "kpi", "--db", db, "--site", "Atlantis")
    assert res.exit_code == 2 and "Atlantis" in res.stderr
    # an export of a misspelt site was an empty file and exit 0: a site without findings
    for fmt in ("csv", "json", "sarif"):
        res = run_cli("inventory", "export", "--db", db, "--site", "Atlantis", "--format", fmt)
        assert res.exit_code == 2 and "Atlantis" in res.stderr and not res.stdout, fmt
    assert run_cli("inventory", "export", "--db", db, "--site", "Juba").exit_code == 0
    assert "different sites" in run_cli("report", "diff", scenario.r1, scenario.n1).stderr


def test_an_unreachable_database_is_one_line_without_its_password(run_cli):
    res = run_cli("inventory", "kpi", "--db", "postgresql://hq:s3cretPw@127.0.0.1:1/inventory")
    assert res.exit_code == 2 and "cannot open inventory postgresql://hq@127.0.0.1:1/inventory" in res.stderr
    assert "s3cretPw" not in res.stderr and res.stderr.count("\n") == 1


def test_a_scan_cut_short_by_its_time_budget_resolves_nothing(scenario, run_cli, tmp_path):
    """--max-duration with a fake clock (each reading 10 s later than the last): the scan
    stops early, its target is partial, and neither diff nor inventory resolves anything."""
    import itertools

    from dataguard.report import write_atomic, write_report
    from dataguard.scanner import Clock, run_scan
    from dataguard.settings import Flags, build_settings, prepare
    flags = Flags(targets=(str(scenario.share1),), site="Juba", no_ner=True, workers=1, max_duration="15")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        settings = build_settings(flags, stdout_is_tty=False)
        ticks = itertools.count(0, 10)
        result = run_scan(settings.scan, prepare(settings), clock=Clock(monotonic=lambda: next(ticks)))
    assert not result.complete and [t.status for t in result.targets] == ["partial"]
    cut = tmp_path / "cut.json"
    write_atomic(str(cut), lambda out: write_report(result, "json", out))
    code, d = _diff(run_cli, scenario.r2, cut)
    assert d["resolved"] == [] and str(scenario.share1) in d["not_rescanned"]["targets"]
    assert _set(d["unchanged"]) == _fps(scenario.r2) & _fps(cut)
    assert _set(d["not_rescanned"]["findings"]) == _fps(scenario.r2) - _fps(cut) != set()
    db = str(tmp_path / "cut.db")
    assert _ingest(run_cli, db, scenario.r1, scenario.r2, cut).exit_code == 0
    rows = {r["fingerprint"]: r["status"] for r in _export(run_cli, db)}
    assert {rows[fp] for fp in _fps(scenario.r2)} == {"open"}


def test_a_new_baseline_applies_to_reports_already_ingested(scenario, run_cli, tmp_path):
    db = str(tmp_path / "b.db")
    assert _ingest(run_cli, db, scenario.r2).exit_code == 0
    fp = sorted(_fps(scenario.r2, "c.txt"))[0]
    base = _baseline(tmp_path / "b.yaml", [(fp, "2999-12-31")])
    again = _ingest(run_cli, db, scenario.r2, baseline=base)
    assert again.exit_code == 0 and "already ingested" in again.stdout
    assert {r["fingerprint"]: r["status"] for r in _export(run_cli, db)}[fp] == "accepted"
    other = _baseline(tmp_path / "o.yaml", [(fp, "2999-12-31")], site="Goma")
    res = _ingest(run_cli, db, scenario.r2, baseline=other)
    assert res.exit_code == 0 and "not applied" in res.stderr


def test_a_report_ingested_again_with_a_baseline_keeps_the_acceptances_it_carries(run_cli, tmp_path):
    """A report scanned with a baseline carries accepted and expired findings; ingesting it again
    with a reviewed baseline adds that baseline's acceptances to them, as ingesting both at once does."""
    share = tmp_path / "s"
    _write(share, "a.txt", f"card {CARD}\n")
    _write(share, "b.txt", f"paid with {CARD}\n")
    report = tmp_path / "blr.json"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        first = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json")
        fps = sorted(f["fingerprint"] for f in first.report["findings"])
        assert len(fps) >= 3
        carried = _baseline(tmp_path / "b1.yaml", [(fps[0], "2999-12-31"), (fps[1], "2000-01-01")])
        run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--baseline", carried,
                "--output", report)
    assert sorted(f["status"] for f in _doc(report)["findings"] if f["fingerprint"] in fps[:2]) == ["accepted",
                                                                                                  "expired"]
    reviewed = _baseline(tmp_path / "b3.yaml", [(fps[-1], "2999-12-31")])
    again, fresh = str(tmp_path / "again.db"), str(tmp_path / "fresh.db")
    assert _ingest(run_cli, again, report).exit_code == 0
    res = _ingest(run_cli, again, report, baseline=reviewed)
    assert res.exit_code == 0 and "already ingested" in res.stdout
    assert _ingest(run_cli, fresh, report, baseline=reviewed).exit_code == 0
    expected = {fps[0]: "accepted", fps[1]: "expired", fps[-1]: "accepted"}
    for db in (fresh, again):
        statuses = {r["fingerprint"]: r["status"] for r in _export(run_cli, db)}
        assert {fp: statuses[fp] for fp in expected} == expected, db
        assert {st for fp, st in statuses.items() if fp not in expected} <= {"open"}


def test_a_baseline_ingested_with_several_reports_of_a_site_keeps_what_each_carries(run_cli, tmp_path):
    """`inventory ingest r1 r2 --baseline b`: the baseline replaces the site's acceptances once;
    the acceptances r1 carries are not wiped when r2 is ingested."""
    share = tmp_path / "s"
    _write(share, "a.txt", f"card {CARD}\n")
    _write(share, "b.txt", f"paid with {CARD}\n")
    reports = [tmp_path / "r1.json", tmp_path / "r2.json"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        first = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json")
        fps = sorted(f["fingerprint"] for f in first.report["findings"])
        assert len(fps) >= 3
        for i, report in enumerate(reports):
            carried = _baseline(tmp_path / f"b{i}.yaml", [(fps[i], "2999-12-31")])
            run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--baseline", carried,
                    "--output", report)
    reviewed = _baseline(tmp_path / "reviewed.yaml", [(fps[-1], "2999-12-31")])
    db = str(tmp_path / "inv.db")
    assert _ingest(run_cli, db, *reports, baseline=reviewed).exit_code == 0
    statuses = {r["fingerprint"]: r["status"] for r in _export(run_cli, db)}
    assert {fp: statuses[fp] for fp in (fps[0], fps[1], fps[-1])} == dict.fromkeys((fps[0], fps[1], fps[-1]),
                                                                                   "accepted")


def test_inventory_html_shows_every_site_on_one_page(scenario, run_cli, tmp_path):
    db = str(tmp_path / "h.db")
    assert _ingest(run_cli, db, scenario.r2, scenario.n1).exit_code == 0
    page = tmp_path / "all.html"
    assert run_cli("inventory", "report", "--db", db, "-o", page).exit_code == 0
    text = page.read_text()
    assert "Juba" in text and "Nairobi" in text and "c.txt" in text and "pay.txt" in text
    res = run_cli("inventory", "report", "--db", db, "--format", "json")
    assert res.exit_code == 2 and "--site" in res.stderr


def test_accepted_findings_are_suppressed_in_a_scans_sarif(scenario, run_cli, tmp_path):
    fps = sorted(_fps(scenario.r2, "c.txt"))
    base = _baseline(tmp_path / "b.yaml", [(fps[0], "2999-12-31")])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATAGUARD_HMAC_KEY", KEY)
        res = run_cli("scan", scenario.share1, "--no-ner", "--workers", "1", "--format", "sarif", "--baseline", base)
    results = json.loads(res.stdout)["runs"][0]["results"]
    suppressed = {r["partialFingerprints"]["dataguard/v1"] for r in results if r.get("suppressions")}
    assert suppressed == {fps[0]}
    assert all(r["suppressions"][0]["justification"] == "kept by law" for r in results if r.get("suppressions"))


def test_keys_create_names_files_safely_and_prints_a_line_yaml_reads_back(run_cli, tmp_path):
    """A site named NO (Norway) was read back by YAML as False; '../evil' wrote '..key';
    'Juba.Field' lost '.Field' to the file suffix."""
    from dataguard.signing import load_trusted_keys
    keys, lines = tmp_path / "keys", []
    for site in ("NO", "../evil", "Juba.Field", "2027-02-30"):
        res = run_cli("keys", "create", "--site", site, "--out-dir", keys)
        assert res.exit_code == 0, res.stderr
        lines.append(res.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in keys.iterdir()) == sorted(
        f"{n}.{ext}" for n in ("NO", "___evil", "Juba.Field", "2027-02-30") for ext in ("key", "pub"))
    trusted = tmp_path / "trusted.yaml"
    trusted.write_text("\n".join(lines) + "\n")
    assert set(load_trusted_keys(str(trusted))) == {"NO", "../evil", "Juba.Field", "2027-02-30"}
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text(f"NO: [{keys / 'NO.pub'}]\n")         # as a person writes it by hand
    assert set(load_trusted_keys(str(unquoted))) == {"NO"}


def test_keys_create_prints_absolute_paths_a_trusted_keys_file_anywhere_reads(run_cli, tmp_path, monkeypatch):
    """'--out-dir keys' printed 'keys/Juba.pub', relative to the current folder, while a
    trusted-keys file reads its paths relative to its own folder."""
    from dataguard.signing import load_trusted_keys
    monkeypatch.chdir(tmp_path)
    res = run_cli("keys", "create", "--site", "Juba", "--out-dir", "keys")
    assert res.exit_code == 0, res.stderr
    printed = dict(line.split(":", 1) for line in res.stdout.splitlines()[:3])
    pub = printed["public key"].strip()
    assert os.path.isabs(pub) and Path(pub) == tmp_path / "keys" / "Juba.pub"
    assert printed["private key"].strip().startswith(str(tmp_path / "keys" / "Juba.key"))
    hq = tmp_path / "hq"
    hq.mkdir()
    (hq / "trusted.yaml").write_text(res.stdout.strip().splitlines()[-1] + "\n")
    assert list(load_trusted_keys(str(hq / "trusted.yaml"))["Juba"]) == [printed["key id"].strip()]


def test_a_baseline_names_every_field_to_fix_each_on_its_own_error_line(tmp_path, run_cli):
    """A reviewer fixing a draft sees every empty field and bad entry at once, by its place in the
    list (accepted[1].owner), never the value written there."""
    bad = tmp_path / "bl.yaml"
    bad.write_text("accepted:\n"
                   "  - {fingerprint: " + "a" * 64 + ", reason: ok, owner: me, reviewer: dpo, expires: 2027-02-30}\n"
                   "  - {fingerprint: " + "b" * 64 + ", reason: '', owner: ' ', reviewer: dpo, expires: 2027-01-01,"
                   " sekrit_Xk9mP2: 1}\n")
    res = run_cli("scan", tmp_path, "--no-ner", "--baseline", bad)
    assert res.exit_code == 2
    lines = [line.removeprefix(f"dataguard: error: baseline {bad}: ") for line in res.stderr.splitlines()]
    assert [line.split(":")[0] for line in lines] == ["accepted[0].expires", "accepted[1].reason",
                                                      "accepted[1].owner", "accepted[1].sekrit_Xk9mP2"]
    assert lines[1] == "accepted[1].reason: must be filled in" and lines[3].endswith("unknown key")


def test_a_folder_or_missing_file_among_the_reports_is_refused_alone(scenario, run_cli, db, tmp_path):
    """'ingest /srv/incoming/*' over a folder holding a subfolder (an archive of old reports)
    refused the whole command as bad usage: no report of the night was ingested."""
    folder = tmp_path / "archive"
    folder.mkdir()
    res = _ingest(run_cli, db, scenario.r1, folder, tmp_path / "missing.json", scenario.r2)
    assert res.exit_code == 2 and res.stdout.count(": ingested") == 2, (res.stdout, res.stderr)
    errors = res.stderr.splitlines()
    assert len(errors) == 2 and errors[0].startswith(f"dataguard: error: {folder}: cannot read"), errors


def test_report_diff_says_when_the_newer_report_was_given_first(scenario, run_cli):
    """Given in the wrong order, the findings removed since are listed as 'new': a note says so."""
    s = scenario
    swapped = run_cli("report", "diff", s.r2, s.r1, "--format", "json")
    assert "NEW" in swapped.stderr and "started before" in swapped.stderr
    assert _set(json.loads(swapped.stdout)["new"]) == _fps(s.r1, "a.txt") | _fps(s.r1, "x.txt")
    assert "started before" not in run_cli("report", "diff", s.r1, s.r2).stderr


def test_kpi_csv_writes_numbers_as_numbers(scenario, run_cli, tmp_path):
    """The KPI CSV writes its numbers as the JSON gives them (the age on the as-of date). (That a
    negative number gets no formula guard is ``test_safe_cell``'s: no KPI is negative now.)"""
    import csv
    db = str(tmp_path / "k.db")
    assert _ingest(run_cli, db, scenario.r1).exit_code == 0
    res = run_cli("inventory", "kpi", "--db", db, "--format", "csv", "--as-of", "2026-01-20")
    row = [r for r in csv.DictReader(res.stdout.splitlines()) if r["measure"] == "ALL"][0]
    assert row["oldest_open_critical_days"] == "5" and float(row["broad_open_share"]) >= 0


def test_kpi_as_of_before_a_first_sighting_gives_no_negative_age(scenario, run_cli, tmp_path):
    """--as-of 2026-01-01 before findings first seen 2026-01-15 gave oldest_open_critical_days -14:
    a finding not yet seen on the as-of date has no age on it and is left out of the age (null
    when no open critical finding had been seen); the counts stay the inventory's."""
    db = str(tmp_path / "k.db")
    assert _ingest(run_cli, db, scenario.r1).exit_code == 0

    def all_row(as_of):
        res = run_cli("inventory", "kpi", "--db", db, "--site", "Juba", "--format", "json", "--as-of", as_of)
        return json.loads(res.stdout)[-1]
    before, same_day, after = all_row("2026-01-01"), all_row(scenario.first_day), all_row("2026-02-14")
    assert before["open_critical"] > 0 and before["oldest_open_critical_days"] is None
    assert same_day["oldest_open_critical_days"] == 0 and after["oldest_open_critical_days"] == 30
    assert before["open_total"] == same_day["open_total"] == after["open_total"]

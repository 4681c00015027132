"""Databases end to end with the real model: per-column findings, sampling recorded,
the last-rows table, read-only proof, credentials never shown."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest

from tests.conftest import require_env

pytestmark = pytest.mark.model


def cols(report, rule="DG-031"):
    return sorted((f["location"]["table"], f["location"]["column"], tuple(sorted(f["entities"])))
                  for f in report["findings"] if f["rule_id"] == rule)


@pytest.fixture
def sqlite_db(tmp_path):
    db = tmp_path / "registry.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE beneficiaries (id INTEGER PRIMARY KEY, nom TEXT, email TEXT, telefono TEXT, "
                "iban TEXT, registered_at TEXT, active INTEGER, household_size INTEGER, notes TEXT)")
    rows = [(1, "Amina Yusuf", "amina.yusuf@unhcr-field.org", "+211 912 345 678", "GB82 WEST 1234 5698 7654 32",
             "2024-01-02", 1, 4, "Follow-up visit planned with the family next week."),
            (2, "Peter Okello", "peter.okello@un-juba.org", "+254 712 345 678", "DE89370400440532013000",
             "2024-02-03", 1, 2, "Referred to the clinic by the protection officer."),
            (3, "Grace Achieng", "grace.achieng@mission-ss.org", "+256 772 123 456", None, "2024-03-04", 0, 6, None)]
    con.executemany("INSERT INTO beneficiaries VALUES (?,?,?,?,?,?,?,?,?)", rows)
    con.execute("CREATE TABLE lookup (code TEXT PRIMARY KEY, label TEXT, version TEXT, ref TEXT)")
    con.executemany("INSERT INTO lookup VALUES (?,?,?,?)", [
        ("R", "Red", "2.14.1", "550e8400-e29b-41d4-a716-446655440000"),
        ("G", "Green", "3.8.0", "ORD-2024-000123"), ("B", "Blue", "1.0.7", "4111111111111112")])
    con.commit()
    con.close()
    return db


def test_sqlite_columns_and_read_only(sqlite_db, run_cli):
    before = hashlib.sha256(sqlite_db.read_bytes()).hexdigest()
    res = run_cli("scan", f"sqlite:///{sqlite_db}", "--workers", "1", "--format", "json")
    assert res.exit_code == 1, res.stderr
    assert cols(res.report) == [
        ("main.beneficiaries", "email", ("EMAIL_ADDRESS",)),
        ("main.beneficiaries", "iban", ("IBAN_CODE",)),
        ("main.beneficiaries", "nom", ("PERSON",)),
        ("main.beneficiaries", "telefono", ("PHONE_NUMBER",)),
    ]
    ev = [f for f in res.report["findings"] if f["rule_id"] == "DG-031" and f["location"]["column"] == "iban"][0]
    assert sorted(e["row"] for e in ev["evidence"]) == ["1", "2"]
    assert hashlib.sha256(sqlite_db.read_bytes()).hexdigest() == before
    assert not list(sqlite_db.parent.glob("*.db-journal")) and not list(sqlite_db.parent.glob("*.db-wal"))
    tables = {t["table"]: t for t in res.report["scan"]["targets"][0]["info"]["tables"]}
    assert tables["main.beneficiaries"]["rows_read"] == 3


def test_postgres_findings_sampling_and_last_rows(run_cli):
    (url,) = require_env("DATAGUARD_TEST_PG_URL")
    res = run_cli("scan", url, "--workers", "1", "--format", "json")
    assert res.exit_code == 1, res.stderr
    found = cols(res.report)
    for want in [("hr.employees", "card_numeric", ("CREDIT_CARD",)), ("hr.employees", "iban", ("IBAN_CODE",)),
                 ("hr.employees", "ssn", ("US_SSN",)), ("hr.employees", "telefono", ("PHONE_NUMBER",)),
                 ("sales.payments", "card_number", ("CREDIT_CARD",))]:
        assert want in found
    assert not [c for c in found if c[0] in ("sales.decoys", "public.clean_lookup")]
    assert not [c for c in found if c[0] == "public.big_events"], "default sample should miss the last rows"
    info = {t["table"]: t for t in res.report["scan"]["targets"][0]["info"]["tables"]}
    big = info["public.big_events"]
    assert big["method"].startswith("tablesample") and big["rows_read"] < 200_000 and big["seed"] == 42
    assert "password" not in res.report["scan"]["targets"][0]["uri"] and ":dg-" not in res.stdout

    full = run_cli("scan", url, "--workers", "1", "--format", "json", "--sample-rows", "all",
                   "--include", "public.big_events")
    assert ("public.big_events", "message", ("EMAIL_ADDRESS",)) in cols(full.report)
    assert {t["table"]: t for t in full.report["scan"]["targets"][0]["info"]["tables"]}[
        "public.big_events"]["rows_read"] == 200_000


def test_mariadb_findings(run_cli):
    (url,) = require_env("DATAGUARD_TEST_MYSQL_URL")
    res = run_cli("scan", url, "--workers", "1", "--format", "json")
    assert res.exit_code == 1, res.stderr
    found = cols(res.report)
    assert any(c[1] == "card_number" and c[2] == ("CREDIT_CARD",) for c in found)


def test_wrong_password_exit_3_without_password(run_cli):
    (url,) = require_env("DATAGUARD_TEST_PG_URL")
    from sqlalchemy.engine import make_url
    bad = make_url(url).set(password="Not-The-Pw-98765").render_as_string(hide_password=False)
    res = run_cli("scan", bad, "--workers", "1", "--format", "json")
    assert res.exit_code == 3
    assert "Not-The-Pw-98765" not in res.stdout + res.stderr
    assert res.report["scan"]["targets"][0]["status"] == "error"

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


def _health_tables(con_execute) -> None:
    """A clinic's visits (names beside notes of health terms) and its stock (the same notes, no
    person in the table)."""
    con_execute("CREATE TABLE visits (id INTEGER PRIMARY KEY, patient_name VARCHAR(80), seen_on VARCHAR(10), "
                "notes VARCHAR(200))")
    con_execute("INSERT INTO visits VALUES (1, 'Amina Yusuf', '2024-03-01', 'Type 2 diabetes, insulin adjusted'), "
                "(2, 'Peter Okello', '2024-03-02', 'Follow-up for tuberculosis treatment'), "
                "(3, 'Grace Achieng', '2024-03-03', 'HIV test counselling done')")
    con_execute("CREATE TABLE stock (id INTEGER PRIMARY KEY, item VARCHAR(80), notes VARCHAR(200))")
    con_execute("INSERT INTO stock VALUES (1, 'Insulin pens', 'For diabetes patients'), "
                "(2, 'Rifampicin', 'Tuberculosis treatment kits'), (3, 'Test kits', 'HIV rapid tests')")


def _health_findings(report) -> list:
    return sorted((f["location"]["table"].rsplit(".", 1)[-1], f["location"]["column"], f["entities"]["PERSON"].get("same_table"))
                  for f in report["findings"] if f["rule_id"] == "DG-021")


@pytest.mark.parametrize("ner", [True, False])
def test_sqlite_health_notes_beside_a_names_column_are_health_data_about_named_persons(tmp_path, run_cli, ner):
    """A table's notes of health terms beside its names column: DG-021 (health information about
    named persons) on the notes column, the persons counted in the table's other columns, as the
    same table exported to a CSV file gives; the same notes in a table without persons: none."""
    db = tmp_path / "clinic.db"
    con = sqlite3.connect(db)
    _health_tables(con.execute)
    con.commit()
    con.close()
    res = run_cli("scan", f"sqlite:///{db}", "--workers", "1", "--format", "json", *([] if ner else ["--no-ner"]))
    assert res.exit_code == 1, res.stderr
    assert _health_findings(res.report) == [("visits", "notes", True)]


def test_postgres_health_notes_beside_a_names_column(run_cli):
    """The same on a real server (its own schema, dropped after)."""
    (url,) = require_env("DATAGUARD_TEST_PG_URL")
    import sqlalchemy as sa
    engine = sa.create_engine(url)
    with engine.begin() as con:
        con.execute(sa.text("DROP SCHEMA IF EXISTS clinic_t CASCADE"))
        con.execute(sa.text("CREATE SCHEMA clinic_t"))
        con.execute(sa.text("SET search_path TO clinic_t"))
        _health_tables(lambda sql: con.execute(sa.text(sql)))
    try:
        res = run_cli("scan", url, "--workers", "1", "--format", "json", "--no-ner", "--include", "clinic_t.*")
        assert res.exit_code == 1, res.stderr
        assert _health_findings(res.report) == [("visits", "notes", True)]
    finally:
        with engine.begin() as con:
            con.execute(sa.text("DROP SCHEMA IF EXISTS clinic_t CASCADE"))
        engine.dispose()

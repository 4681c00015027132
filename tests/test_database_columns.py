"""Databases judged per (table, column, entity type), as a person would (real model, every
entity): the crm tables (PostgreSQL: schema crm of tests/fixtures_db/postgres.sql; MariaDB:
crm_* of mysql.sql; SQLite: built here with the same rows) give exactly the expected
triples - credential and hash columns, a DATE date-of-birth column, JSON key paths
(``profile.dob``), INET, document blobs - and nothing in look-alike code columns, dates,
arrays, user agents, memos or images."""
from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import require_env

pytestmark = pytest.mark.model

# (table without schema or prefix, column, entity)
EXPECTED = {
    ("customers", "full_name", "PERSON"), ("customers", "email", "EMAIL_ADDRESS"),
    ("customers", "phone", "PHONE_NUMBER"), ("customers", "date_of_birth", "DATE_OF_BIRTH"),
    ("customers", "national_id", "NATIONAL_ID"), ("customers", "profile", "DATE_OF_BIRTH"),
    ("customers", "profile", "PHONE_NUMBER"), ("customers", "last_ip", "IP_ADDRESS"),
    ("app_users", "password_hash", "PASSWORD_HASH"), ("app_users", "legacy_password", "SECRET_PASSWORD"),
    ("app_users", "api_key", "SECRET_TOKEN"), ("app_users", "aws_secret_access_key", "SECRET_AWS_KEY"),
    ("documents", "file", "IBAN_CODE"), ("documents", "file", "PHONE_NUMBER"),
}
BCRYPT = "$2b$12$KIXQJvW1nBqYdV1cDUu1ZeUo0o5CnqJ9oMGm8e1o/3kMzU6pQ2x8K"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
PBKDF2 = "pbkdf2_sha256$600000$Dx8uSbZdTQ2n$Zb1JzJ8cJ0f3v3w6rV0o7ZQ3m7Vt3s2tq8bq9m3dQ4E="
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff6100000000")
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def _profile(dob, mobile, lang, loyalty):
    return json.dumps({"dob": dob, "contact": {"mobile": mobile}, "prefs": {"newsletter": True, "language": lang},
                       "loyalty_no": loyalty})


def _pdf() -> bytes:
    import io

    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, pageCompression=0)
    c.drawString(72, 720, "Payslip May 2024")
    c.drawString(72, 700, "Employee: Maria Fernandes")
    c.drawString(72, 680, "Bank account IBAN GB82 WEST 1234 5698 7654 32")
    c.showPage()
    c.save()
    return buf.getvalue()


def build_sqlite(path: str) -> str:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, phone TEXT,
            date_of_birth DATE, national_id TEXT, profile JSON, last_ip TEXT, tags JSON, user_agent TEXT,
            notes TEXT, created_at TIMESTAMP, avatar BLOB);
        CREATE TABLE orders (order_id TEXT PRIMARY KEY, invoice_no TEXT, sku TEXT, customer_ref INTEGER,
            amount NUMERIC(10,2), tracking_number TEXT, memo TEXT, ordered_at TIMESTAMP);
        CREATE TABLE app_users (id INTEGER PRIMARY KEY, username TEXT, password_hash TEXT, legacy_password TEXT,
            api_key TEXT, aws_secret_access_key TEXT, password_changed_at TIMESTAMP, mfa_enabled BOOLEAN);
        CREATE TABLE documents (id INTEGER PRIMARY KEY, title TEXT, file BLOB);
    """)
    con.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", [
        (4505577104, "Amina Yusuf", "amina.yusuf@mailbox.org", "+254 712 345 678", "1980-04-12", "27845193",
         _profile("1980-04-12", "+254 733 111 222", "en", "4505577104"), "41.202.219.70", '["vip", "newsletter"]',
         UA, "Paid invoice 2950184726 by bank transfer. Prefers morning calls.", "2024-05-01 10:00:00", PNG),
        (2950184726, "John Okello", "john.okello@mailbox.org", "0712 345 679", "1975-11-02", "31562048",
         _profile("1975-11-02", "+256 772 123 456", "sw", "2950184726"), "196.201.214.33", '["newsletter"]',
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)",
         "Refund for order 9434765919 approved on 3 May.", "2024-05-02 11:30:00", None),
        (9434765919, "Maria Fernandes", "maria.fernandes@mailbox.org", "+41 22 917 1234", "1990-02-03", "29374615",
         _profile("03/02/1990", "+41 79 555 12 34", "fr", "9434765919"), "102.89.34.7", "[]", "curl/8.4.0",
         "Item 7700900123 out of stock until June.", "2024-05-03 09:15:00", None),
        (7700900123, "David Mensah", "david.mensah@mailbox.org", "+233 24 123 4567", "1968-11-30", None,
         '{"prefs": {"newsletter": false}}', None, None, "okhttp/4.9.0", "Delivery slot moved to Friday.",
         "2024-05-04 16:45:00", None)])
    codes = ["4505577104", "2950184726", "9434765919", "7700900123"]
    con.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?)", [
        (codes[i], codes[(i + 1) % 4], codes[(i + 2) % 4], int(codes[i]), 12.5, codes[(i + 3) % 4], memo,
         "2024-05-01 10:00:00")
        for i, memo in enumerate(["Paid invoice 2950184726 by transfer", "Refund for order 4505577104 approved",
                                  "Item 7700900123 back-ordered", "Gift wrap requested"])])
    con.executemany("INSERT INTO app_users VALUES (?,?,?,?,?,?,?,?)", [
        (1, "amina.y", BCRYPT, "hunter2!", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
         "2024-01-10 08:00:00", 1),
        (2, "john.o", ARGON2, "Tr0ub4dor&3", "sk_live_9fG72KpQwErTyUiOp1aSdF3g", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
         "2023-11-02 14:20:00", 0),
        (3, "maria.f", PBKDF2, "********", None, None, "2024-03-15 09:45:00", 1)])
    con.executemany("INSERT INTO documents VALUES (?,?,?)", [
        (1, "Payslip May 2024", _pdf()), (2, "Contact list", b"name,phone\nJohn Okello,+256 772 123 456\n"),
        (3, "Logo", PNG)])
    con.commit()
    con.close()
    return path


def _triples(report: dict) -> dict:
    """(table without schema or prefix, column, entity) -> the evidence entries."""
    out: dict = {}
    for f in report["findings"]:
        table = f["location"]["table"].split(".", 1)[1].removeprefix("crm_")
        for ev in f["evidence"]:
            out.setdefault((table, f["location"]["column"], ev["entity_type"]), []).append(ev)
    return out


def _scan(run_cli, pack, url: str, *include) -> dict:
    args = [a for pattern in include for a in ("--include", pattern)]
    res = run_cli("scan", url, *args, "--rules", pack, "--no-default-rules", "--workers", "1", "--format", "json", "--max-evidence", "all",
                  "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    return _triples(res.report)


def _check(found: dict) -> None:
    assert set(found) == EXPECTED
    reasons = {k: {ev["reason"] for ev in evs} for k, evs in found.items()}
    assert reasons[("customers", "date_of_birth", "DATE_OF_BIRTH")] == {"column_name"}
    assert reasons[("app_users", "password_hash", "PASSWORD_HASH")] == {"value_and_column_name"}
    assert reasons[("customers", "email", "EMAIL_ADDRESS")] == {"value_and_column_name"}
    parts = {ev["part"] for ev in found[("customers", "profile", "DATE_OF_BIRTH")]}
    assert parts == {"profile.dob"}
    assert {ev["part"] for ev in found[("customers", "profile", "PHONE_NUMBER")]} == {"profile.contact.mobile"}
    assert len(found[("customers", "profile", "DATE_OF_BIRTH")]) == 3
    pdf = [ev for ev in found[("documents", "file", "IBAN_CODE")]]
    assert [(ev["row"], ev["page"]) for ev in pdf] == [("1", 1)]          # the document in row 1, its page 1
    for evs in found.values():
        for ev in evs:
            assert ev["row"] is not None


def test_sqlite_columns(tmp_path, run_cli, every_entity_pack):
    db = build_sqlite(str(tmp_path / "crm.db"))
    _check(_scan(run_cli, every_entity_pack, f"sqlite:///{db}"))


@pytest.mark.integration
def test_postgresql_columns(run_cli, every_entity_pack):
    (url,) = require_env("DATAGUARD_TEST_PG_URL")
    _check(_scan(run_cli, every_entity_pack, url, "crm.*"))


@pytest.mark.integration
def test_mariadb_columns(run_cli, every_entity_pack):
    (url,) = require_env("DATAGUARD_TEST_MYSQL_URL")
    _check(_scan(run_cli, every_entity_pack, url, "*.crm_*"))

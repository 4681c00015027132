"""Database source: SQLite (built here) and real PostgreSQL / MariaDB (scripts/start-databases.sh).

These tests exercise the source's items and chunks directly (no detector)."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import time
import warnings

import pytest
import sqlalchemy as sa

from dataguard.sources import SourceOptions, TargetError, open_target
from dataguard.sources.database import DatabaseSource
from dataguard.types import Chunk, Limits, Problem

from conftest import require_env


# ------------------------------------------------------------------ helpers
def collect(src):
    """{(table, column): [(value, row)]}, the chunks and the problems of a whole source (the
    chunks of table and column names in ``collect.names``)."""
    out, chunks, problems, names = {}, [], [], []
    collect.names = names
    for item in src.items():
        if isinstance(item, Problem):
            problems.append(item)
            continue
        for c in item.chunks(Limits()):
            if isinstance(c, Problem):
                problems.append(c)
                continue
            assert isinstance(c, Chunk)
            if c.is_name:
                names.append((c.unit.table, c.unit.column, c.text))
                continue
            chunks.append(c)
            offs = [a.offset for a in c.anchors] + [len(c.text) + 1]
            for a, end in zip(c.anchors, offs[1:]):
                out.setdefault((c.unit.table, c.unit.column), []).append((c.text[a.offset:end - 1], a.pointer.row))
    return out, chunks, problems


def values(cols, table, column):
    return [v for v, _ in cols.get((table, column), [])]


def no_password_anywhere(exc: BaseException, password: str) -> None:
    seen = set()
    e = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        assert password not in str(e)
        e = e.__cause__
    assert exc.__cause__ is None


PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff6100000000")


def build_sqlite(path, big_rows=30_000):
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE people (
            id INTEGER PRIMARY KEY, full_name TEXT, email VARCHAR(200), telefono VARCHAR(40),
            active BOOLEAN, created_at TIMESTAMP, salary NUMERIC(10,2), rating REAL,
            card_numeric NUMERIC(20,0), doc BLOB, meta JSON, notes TEXT);
        CREATE TABLE audit_log (id INTEGER PRIMARY KEY, message TEXT);
        CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
        CREATE TABLE big (id INTEGER PRIMARY KEY, message TEXT);
        CREATE VIEW v_people AS SELECT full_name, email FROM people;
    """)
    con.execute("INSERT INTO people VALUES (1, 'Jane Doe', 'jane.doe@example.org', '+1 212 555 0143', 1,"
                " '2024-01-01 10:00', 5123.5, 4.5, 4111111111111111, ?, ?, ?)",
                (b"Scanned letter. Contact: letters.jane@example.org",
                 json.dumps({"contact": {"email": "jd.private@example.net", "phone": "+44 20 7946 0958"},
                             "ids": [123456789, 12], "flag": True}),
                 "Spoke with Maria Gonzalez about her medical leave; write to maria.gonzalez@example.com please."))
    con.execute("INSERT INTO people VALUES (2, 'John Smith', 'john.smith@example.org', NULL, 0, '2024-01-02', 1.0,"
                " 3.0, 5500005555555559, ?, NULL, 'Short note.')", (PNG,))
    con.execute("INSERT INTO audit_log VALUES (1, 'login by admin@example.org')")
    con.executemany("INSERT INTO codes VALUES (?, ?)", [("R", "Red"), ("G", "Green")])
    con.executemany("INSERT INTO big VALUES (?, ?)",
                    ((i, f"batch job {i % 97} finished") for i in range(1, big_rows - 4)))
    con.executemany("INSERT INTO big VALUES (?, ?)",
                    ((i, f"contact last.row.{i}@registry-juba.org") for i in range(big_rows - 4, big_rows + 1)))
    con.commit()
    con.close()
    return path


@pytest.fixture
def sqlite_db(tmp_path):
    return build_sqlite(str(tmp_path / "fixture.db"))


# ================================================================== SQLite
def test_sqlite_discovery_chunks_and_types(sqlite_db):
    src = open_target(f"sqlite:///{sqlite_db}", SourceOptions())
    assert isinstance(src, DatabaseSource)
    assert src.kind == "database"
    assert src.display_uri == f"sqlite:///{sqlite_db}"
    cols, chunks, problems = collect(src)
    assert not problems
    tables = {c.unit.table for c in chunks}
    assert tables == {"main.people", "main.audit_log", "main.codes", "main.big"}   # the view is not scanned
    c0 = next(c for c in chunks if c.unit.column == "email")
    assert c0.unit.uri == f"sqlite:///{sqlite_db}#main.people" and c0.unit.path == "main.people"
    assert c0.unit.source == "database" and c0.first_line is None
    assert "email" in c0.context and "people" in c0.context
    assert c0.hint == "structured"
    # per-column values with their primary key as row pointer
    assert cols[("main.people", "email")] == [("jane.doe@example.org", "1"), ("john.smith@example.org", "2")]
    assert ("Jane Doe", "1") in cols[("main.people", "full_name")]
    # numeric column holding a card number: included as digits
    assert "4111111111111111" in values(cols, "main.people", "card_numeric")
    # JSON leaves (strings and identifier-like numbers), keys as context
    meta = values(cols, "main.people", "meta")
    assert "jd.private@example.net" in meta and "+44 20 7946 0958" in meta and "123456789" in meta
    assert "12" not in meta and "True" not in meta and not any("{" in v for v in meta)
    meta_chunk = next(c for c in chunks if c.unit.column == "meta" and c.column == "meta.contact.email")
    assert "contact" in meta_chunk.context and "email" in meta_chunk.context
    assert meta_chunk.pointer_at(0).part == "meta.contact.email"     # each key path is its own column
    assert {c.column for c in chunks if c.unit.column == "meta"} == {"meta.contact.email", "meta.contact.phone",
                                                                      "meta.ids"}
    # BLOB: text analysed, binary skipped
    assert values(cols, "main.people", "doc") == ["Scanned letter. Contact: letters.jane@example.org"]
    # free text is prose
    notes_chunk = next(c for c in chunks if c.unit.column == "notes")
    assert notes_chunk.hint == "prose"
    # dates are read (a date-of-birth column is personal data: column semantics decide)
    assert values(cols, "main.people", "created_at") == ["2024-01-01 10:00", "2024-01-02"]
    # never sent: boolean, fractional decimal, float, surrogate integer key
    sent = {c.unit.column for c in chunks if c.unit.table == "main.people"}
    assert not sent & {"active", "salary", "rating", "id"}
    skipped = {(s["table"], s["column"]): s["reason"] for s in src.info["skipped_columns"]}
    assert skipped[("main.people", "active")] == "boolean"
    # WITHOUT ROWID table is read too
    assert ("Red", "R") in cols[("main.codes", "label")]
    src.close()


def test_sqlite_sparse_keys_are_sampled_in_windows(tmp_path):
    """10-digit scattered integer keys (rowids): random rowid values would all miss."""
    path = str(tmp_path / "sparse.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, email TEXT)")
    con.executemany("INSERT INTO customers VALUES (?, ?)",
                    ((4_000_000_000 + i * 104_729, f"user{i}@mailbox.org") for i in range(5000)))
    con.commit()
    con.close()

    def run(seed):
        src = DatabaseSource(f"sqlite:///{path}", SourceOptions(sample_rows=500, sample_seed=seed))
        cols, _, _ = collect(src)
        src.close()
        return src.info["tables"][0], [int(r) for _, r in cols[("main.customers", "email")]]

    rec, rows = run(3)
    assert rec["method"] == "rowid-range" and rec["rows_estimate"] == 5000 and rec["rows_read"] == 500 == len(rows)
    assert max(rows) - min(rows) > 250_000_000           # spread over the key range
    assert run(3)[1] == rows and run(4)[1] != rows       # seeded


def test_sqlite_sampling_recorded_and_reproducible(sqlite_db):
    def run(**kw):
        src = DatabaseSource(f"sqlite:///{sqlite_db}", SourceOptions(include=("main.big",), **kw))
        cols, _, _ = collect(src)
        rec = next(t for t in src.info["tables"] if t["table"] == "main.big")
        src.close()
        return src, cols, rec

    src, cols, rec = run(sample_rows=1000, sample_seed=7)
    assert rec["method"] == "rowid" and rec["seed"] == 7
    assert 0 < rec["rows_read"] <= 1000 and rec["rows_estimate"] == 30_000
    assert src.rows_sampled == rec["rows_read"]
    rows = [r for _, r in cols[("main.big", "message")]]
    assert len(rows) == rec["rows_read"]
    assert max(int(r) for r in rows) > 15_000          # spread over the table, not the first rows
    _, cols2, _ = run(sample_rows=1000, sample_seed=7)
    assert cols2 == cols                               # same seed, same sample
    _, cols3, _ = run(sample_rows=1000, sample_seed=8)
    assert cols3 != cols
    # everything: the last rows (the only personal data) are read
    src, cols, rec = run(sample_rows=None)
    assert rec["method"] == "all" and rec["rows_read"] == 30_000 and src.rows_sampled == 30_000
    assert "contact last.row.30000@registry-juba.org" in values(cols, "main.big", "message")


def test_sqlite_read_only(sqlite_db):
    before = hashlib.sha256(open(sqlite_db, "rb").read()).hexdigest()
    src = DatabaseSource(f"sqlite:///{sqlite_db}", SourceOptions(sample_rows=None))
    collect(src)
    with pytest.raises(sa.exc.OperationalError):
        with src.engine.connect() as con:
            con.execute(sa.text("INSERT INTO audit_log VALUES (99, 'x')"))
            con.commit()
    src.close()
    assert hashlib.sha256(open(sqlite_db, "rb").read()).hexdigest() == before
    assert not os.path.exists(sqlite_db + "-journal") and not os.path.exists(sqlite_db + "-wal")


def _wal_db(path: str):
    """A WAL database with one row, and the application's connection to it (still open)."""
    app = sqlite3.connect(path)
    app.execute("PRAGMA journal_mode=WAL")
    app.execute("PRAGMA wal_autocheckpoint=0")     # the rows stay in the -wal file while it is open
    app.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)")
    app.execute("INSERT INTO t VALUES (1, 'wal.first@example.org')")
    app.commit()
    return app


@contextlib.contextmanager
def read_only_folder(folder):
    """``folder`` cannot be written, even by root (chattr +i); skip where that is not possible."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only for root here (chattr)")
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        os.chmod(folder, 0o755)


def test_sqlite_wal_database_leaves_no_file_beside_it(tmp_path):
    path = str(tmp_path / "w.db")
    _wal_db(path).close()
    assert os.listdir(tmp_path) == ["w.db"]
    before = hashlib.sha256(open(path, "rb").read()).hexdigest()
    src = DatabaseSource(f"sqlite:///{path}", SourceOptions())
    cols, _, problems = collect(src)
    src.close()
    assert not problems and values(cols, "main.t", "email") == ["wal.first@example.org"]
    assert os.listdir(tmp_path) == ["w.db"]                 # no -wal / -shm left behind
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == before


def test_sqlite_wal_database_in_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    _wal_db(str(folder / "w.db")).close()
    with read_only_folder(folder):
        src = DatabaseSource(f"sqlite:///{folder}/w.db", SourceOptions())
        cols, _, problems = collect(src)
        src.close()
    assert not problems and values(cols, "main.t", "email") == ["wal.first@example.org"]
    assert os.listdir(folder) == ["w.db"]


def test_sqlite_wal_database_in_use_is_read_through_its_wal(tmp_path):
    path = str(tmp_path / "w.db")
    app = _wal_db(path)
    app.execute("INSERT INTO t VALUES (2, 'wal.second@example.org')")
    app.commit()                                            # committed, still only in w.db-wal
    src = DatabaseSource(f"sqlite:///{path}", SourceOptions())
    cols, _, problems = collect(src)
    src.close()
    assert not problems and values(cols, "main.t", "email") == ["wal.first@example.org", "wal.second@example.org"]
    app.execute("INSERT INTO t VALUES (3, 'wal.third@example.org')")     # the application is undisturbed
    app.commit()
    app.close()


def test_sqlite_wal_files_unusable_is_said(tmp_path):
    """A -wal file to read through, no -shm, and a folder that cannot be written: SQLite cannot
    open it; the message says why, not just the exception's class."""
    app = _wal_db(str(tmp_path / "w.db"))
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(tmp_path / "w.db", folder / "w.db")
    shutil.copy(tmp_path / "w.db-wal", folder / "w.db-wal")
    app.close()
    with read_only_folder(folder), pytest.raises(TargetError) as info:
        DatabaseSource(f"sqlite:///{folder}/w.db", SourceOptions())
    assert str(info.value).endswith("cannot open the file read-only (it cannot be read, or it is a WAL database "
                                    "whose -wal and -shm files cannot be used)")


def test_sqlite_include_exclude(sqlite_db):
    def tables(**kw):
        src = DatabaseSource(f"sqlite:///{sqlite_db}", SourceOptions(**kw))
        names = sorted(i.unit.table for i in src.items() if not isinstance(i, Problem))
        src.close()
        return names
    assert tables(include=("main.people",)) == ["main.people"]
    assert tables(exclude=("main.big", "audit_*")) == ["main.codes", "main.people"]
    assert tables(include=("MAIN.P*",)) == ["main.people"]


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_sqlite_without_a_file_is_a_malformed_target(url, run_cli):
    """Bad usage (exit 2) before any work, not an unreachable target (exit 3)."""
    from dataguard.sources import BadTarget, check_target_uri
    with pytest.raises(BadTarget, match="no SQLite database file given"):
        check_target_uri(url)
    assert run_cli("scan", url, "--format", "json").exit_code == 2


def test_sqlite_missing_file_is_target_error(tmp_path):
    with pytest.raises(TargetError):
        DatabaseSource(f"sqlite:///{tmp_path}/nope.db", SourceOptions())
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(TargetError):
        DatabaseSource(f"sqlite:///{bad}", SourceOptions())


def test_long_value_is_split_with_keep_windows(tmp_path):
    path = str(tmp_path / "long.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO t VALUES (5, ?)", ("word " * 3000 + "mail me: x.y@example.org",))
    con.commit()
    con.close()
    src = DatabaseSource(f"sqlite:///{path}", SourceOptions())
    item = next(iter(src.items()))
    chunks = [c for c in item.chunks(Limits(chunk_chars=4000, overlap_chars=100)) if not c.is_name]
    assert len(chunks) > 1 and all(c.pointer_at(c.keep_start).row == "5" for c in chunks)
    kept = "".join(c.text[c.keep_start:c.keep_end] for c in chunks)
    assert kept.endswith("x.y@example.org") and len(kept) == 15000 + len("mail me: x.y@example.org")
    src.close()


# ================================================================== servers
SERVERS = {
    "pg": ("DATAGUARD_TEST_PG_URL", {"emp": "hr.employees", "pay": "sales.payments", "dec": "sales.decoys",
                                     "big": "public.big_events", "clean": "public.clean_lookup",
                                     "nopk": "public.no_pk_notes"}),
    "mysql": ("DATAGUARD_TEST_MYSQL_URL", {"emp": "dataguard_test.hr_employees", "pay": "dataguard_test.sales_payments",
                                           "dec": "dataguard_test.sales_decoys", "big": "dataguard_test.big_events",
                                           "clean": "dataguard_test.clean_lookup",
                                           "nopk": "dataguard_test.no_pk_notes"}),
}


@pytest.fixture(params=sorted(SERVERS))
def server(request):
    var, names = SERVERS[request.param]
    (url,) = require_env(var)
    return request.param, url, names


def _password(url: str) -> str:
    return sa.engine.make_url(url).password


@pytest.mark.integration
def test_server_discovery_and_columns(server):
    kind, url, T = server
    src = open_target(url, SourceOptions(exclude=("*big_events", "crm.*", "*.crm_*")))   # crm: test_database_columns
    assert _password(url) not in src.display_uri and "@127.0.0.1" in src.display_uri
    cols, chunks, problems = collect(src)
    assert not problems
    assert {c.unit.table for c in chunks} == {T[k] for k in ("emp", "pay", "dec", "clean", "nopk")}  # no view
    emp = T["emp"]
    assert ("jane.doe@example.org", "1") in cols[(emp, "email")]
    assert "GB82WEST12345698765432" in values(cols, emp, "iban")
    assert "536-22-8843" in values(cols, emp, "ssn")
    assert "+1 212 555 0143" in values(cols, emp, "telefono")
    assert set(values(cols, emp, "card_numeric")) == {"4111111111111111", "5500005555555559"}
    profile = values(cols, emp, "profile")
    assert "jd.private@example.net" in profile and "+44 20 7946 0958" in profile and "123456789" in profile
    assert not any("{" in v for v in profile)
    assert values(cols, emp, "photo") == ["Scanned letter. Contact: letters.jane@example.org"]
    notes = next(c for c in chunks if c.unit.column == "notes")
    assert notes.hint == "prose" and "notes" in notes.context
    tel = next(c for c in chunks if c.unit.column == "telefono")
    assert tel.hint == "structured" and "telefono" in tel.context
    sent = {c.unit.column for c in chunks if c.unit.table == emp}
    assert not sent & {"active", "salary", "rating", "badge", "id"}
    assert values(cols, emp, "birth_date") == ["1980-04-12", "1975-11-02"]     # DATE: ISO dates
    assert values(cols, emp, "hired_at") == ["2020-01-01T09:00:00"] * 3        # TIMESTAMP / DATETIME: ISO 8601
    assert {c.column for c in chunks if c.unit.column == "profile"} == {
        "profile.contact.email", "profile.contact.phone", "profile.tags", "profile.ids.passport_no"}
    skipped = {(s["table"], s["column"]) for s in src.info["skipped_columns"]}
    assert (emp, "active") in skipped
    pay = cols[(T["pay"], "card_number")]
    assert ("4111111111111111", "PAY-0001") in pay
    # table without a primary key: row numbers
    assert cols[(T["nopk"], "body")][0][1] == "1"
    recs = {t["table"]: t for t in src.info["tables"]}
    assert recs[emp]["method"] == "all" and recs[emp]["rows_read"] == 3
    src.close()


@pytest.mark.integration
def test_server_include_exclude(server):
    kind, url, T = server
    schema = T["emp"].split(".")[0]
    src = DatabaseSource(url, SourceOptions(include=(T["emp"], f"{schema}.sales_*" if kind == "mysql" else "sales.*"),
                                            exclude=(T["dec"],)))
    names = sorted(i.unit.table for i in src.items() if not isinstance(i, Problem))
    assert names == sorted([T["emp"], T["pay"]])
    src.close()


@pytest.mark.integration
def test_server_sampling_large_table(server):
    kind, url, T = server
    big = T["big"]

    def run(**kw):
        src = DatabaseSource(url, SourceOptions(include=(big,), **kw))
        cols, _, problems = collect(src)
        assert not problems
        rec = next(t for t in src.info["tables"] if t["table"] == big)
        total = src.rows_sampled
        src.close()
        return cols, rec, total

    cols, rec, total = run()
    assert rec["method"] in (("tablesample-system", "tablesample-bernoulli") if kind == "pg" else ("pk-range",))
    assert rec["seed"] == 42 and rec["rows_estimate"] > 100_000
    assert 2_000 <= rec["rows_read"] <= 12_000 and total == rec["rows_read"]
    cols2, rec2, _ = run()
    assert cols2 == cols and rec2["rows_read"] == rec["rows_read"]       # seeded: reproducible
    _, rec3, _ = run(sample_seed=1)
    assert rec3["seed"] == 1
    cols_all, rec_all, total_all = run(sample_rows=None)
    assert rec_all["method"] == "all" and rec_all["rows_read"] == 200_000 and total_all == 200_000
    msgs = values(cols_all, big, "message")
    assert "contact last.row.200000@registry-juba.org" in msgs and "contact last.row.199996@registry-juba.org" in msgs


@pytest.mark.integration
def test_server_read_only(server):
    kind, url, T = server
    plain = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))

    def counters():
        """A digest of every row of every user table (no statistics collector to wait for)."""
        if kind != "pg":
            return None
        with plain.connect() as con:
            tables = con.execute(sa.text("SELECT schemaname, relname FROM pg_stat_user_tables "
                                         "ORDER BY schemaname, relname")).all()
            return [(s, t, con.execute(sa.text(
                f'SELECT count(*), md5(coalesce(string_agg(x::text, \',\' ORDER BY x::text), \'\')) '
                f'FROM "{s}"."{t}" x')).one()) for s, t in tables]
    before = counters()
    src = DatabaseSource(url, SourceOptions(exclude=("*big_events",)))
    collect(src)
    table = T["clean"].split(".")[1]
    with pytest.raises(sa.exc.DBAPIError) as info:
        with src.engine.connect() as con:
            con.execute(sa.text(f"INSERT INTO {table} (code, label) VALUES ('X', 'Xenon')"))
            con.commit()
    assert "read" in str(info.value).lower() and "only" in str(info.value).lower()
    src.close()
    if kind == "pg":
        assert counters() == before
    with plain.connect() as con:
        assert con.execute(sa.text(f"SELECT count(*) FROM {table} WHERE code = 'X'")).scalar() == 0
    plain.dispose()


@pytest.mark.integration
def test_server_wrong_password_and_password_sources(server, monkeypatch):
    kind, url, T = server
    good = _password(url)
    u = sa.engine.make_url(url)
    wrong = "Wr0ng-Secret-Value-917"
    bad_url = u.set(password=wrong).render_as_string(hide_password=False)
    with pytest.raises(TargetError) as info:
        DatabaseSource(bad_url, SourceOptions())
    msg = str(info.value)
    assert wrong not in msg and good not in msg and "authentication" in msg
    no_password_anywhere(info.value, wrong)
    # password from options, then from the environment
    bare = u._replace(password=None).render_as_string(hide_password=False)
    src = DatabaseSource(bare, SourceOptions(db_password=good))
    assert src.info["server_version"]
    src.close()
    monkeypatch.setenv("DATAGUARD_DB_PASSWORD", good)
    src = DatabaseSource(bare, SourceOptions())
    src.close()


@pytest.mark.integration
def test_server_login_failures_in_dataguard_words(server, monkeypatch):
    """No password: the message names what to set; a wrong password that is a common word is
    not "redacted" inside the server's text (which would reveal it): the text is not used."""
    kind, url, T = server
    u = sa.engine.make_url(url)
    monkeypatch.delenv("DATAGUARD_DB_PASSWORD", raising=False)
    with pytest.raises(TargetError) as info:
        DatabaseSource(u._replace(password=None).render_as_string(hide_password=False), SourceOptions())
    msg = str(info.value)
    assert "no password given" in msg and "DATAGUARD_DB_PASSWORD" in msg and "password_env" in msg
    with pytest.raises(TargetError) as info:
        DatabaseSource(u.set(password="password").render_as_string(hide_password=False), SourceOptions())
    assert str(info.value).endswith(f"authentication failed (wrong user or password for {u.username})")
    assert "***" not in str(info.value)


@contextlib.contextmanager
def pg_schema(*statements):
    """(URL, schema): a schema of its own on the test server, built by ``statements`` (``{s}``:
    the schema), dropped afterwards."""
    (url,) = require_env("DATAGUARD_TEST_PG_URL")
    s = f"dg_tmp_{os.getpid()}"
    plain = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with plain.begin() as con:
            for sql in (f"CREATE SCHEMA {s}",) + statements:
                con.execute(sa.text(sql.format(s=s)))
        yield url, s
    finally:
        with plain.begin() as con:
            con.execute(sa.text(f"DROP SCHEMA IF EXISTS {s} CASCADE"))
        plain.dispose()


@pytest.mark.integration
def test_pg_partitions_read_once_materialized_views_read():
    """A partitioned table is read through its partitions (not also as the parent: every value
    would count twice), a table's inheriting tables once, materialized views read, views not."""
    with pg_schema("CREATE TABLE {s}.visits (id int, seen date, email text) PARTITION BY RANGE (seen)",
                   "CREATE TABLE {s}.visits_2023 PARTITION OF {s}.visits "
                   "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
                   "CREATE TABLE {s}.visits_2024 PARTITION OF {s}.visits "
                   "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                   "INSERT INTO {s}.visits VALUES (1, '2023-05-01', 'v.one@example.org'), "
                   "(2, '2024-05-01', 'v.two@example.org')",
                   "CREATE TABLE {s}.people (id int PRIMARY KEY, email text)",
                   "CREATE TABLE {s}.people_old () INHERITS ({s}.people)",
                   "INSERT INTO {s}.people VALUES (1, 'p.now@example.org')",
                   "INSERT INTO {s}.people_old VALUES (2, 'p.old@example.org')",
                   "CREATE MATERIALIZED VIEW {s}.people_copy AS SELECT id, email FROM {s}.people",
                   "CREATE VIEW {s}.people_view AS SELECT email FROM {s}.people") as (url, s):
        src = DatabaseSource(url, SourceOptions(include=(f"{s}.*",)))
        cols, chunks, problems = collect(src)
        src.close()
        # the partitioned table's name selects its partitions, and excludes them
        parent = DatabaseSource(url, SourceOptions(include=(f"{s}.visits",)))
        _, parent_chunks, _ = collect(parent)
        parent.close()
        excluded = DatabaseSource(url, SourceOptions(include=(f"{s}.*",), exclude=(f"{s}.visits",)))
        _, excluded_chunks, _ = collect(excluded)
        excluded.close()
    assert {c.unit.table for c in parent_chunks} == {f"{s}.visits_2023", f"{s}.visits_2024"}
    assert not {c.unit.table for c in excluded_chunks} & {f"{s}.visits_2023", f"{s}.visits_2024"}
    assert not problems
    assert {c.unit.table for c in chunks} == {f"{s}.{t}" for t in ("visits_2023", "visits_2024", "people",
                                                                   "people_old", "people_copy")}
    assert values(cols, f"{s}.visits_2023", "email") == ["v.one@example.org"]
    assert values(cols, f"{s}.visits_2024", "email") == ["v.two@example.org"]
    assert values(cols, f"{s}.people", "email") == ["p.now@example.org"]
    assert values(cols, f"{s}.people_old", "email") == ["p.old@example.org"]
    assert sorted(values(cols, f"{s}.people_copy", "email")) == ["p.now@example.org", "p.old@example.org"]


@pytest.mark.integration
def test_pg_unknown_column_type_is_read_without_a_library_warning():
    """SQLAlchemy warns about types it does not know (xml): the column is read as text, the
    warning (a source path and the column's name) is not printed."""
    with pg_schema("CREATE TABLE {s}.docs (id int PRIMARY KEY, body xml)",
                   "INSERT INTO {s}.docs VALUES (1, '<c><mail>x.ml@example.org</mail></c>')") as (url, s):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            src = DatabaseSource(url, SourceOptions(include=(f"{s}.*",)))
            cols, _, problems = collect(src)
            src.close()
    assert not problems and not [str(w.message) for w in caught]
    assert any("x.ml@example.org" in v for v in values(cols, f"{s}.docs", "body"))


@pytest.mark.integration
def test_server_unreachable_is_quick_target_error(server):
    kind, url, T = server
    u = sa.engine.make_url(url).set(port=1)     # closed port on loopback
    with pytest.raises(TargetError) as info:
        DatabaseSource(u.render_as_string(hide_password=False), SourceOptions())
    assert _password(url) not in str(info.value)
    assert "unreachable" in str(info.value)
    no_password_anywhere(info.value, _password(url))


@pytest.mark.integration
def test_mariadb_database_missing_or_not_granted_is_not_a_password_error():
    (url,) = require_env("DATAGUARD_TEST_MYSQL_URL")
    u = sa.engine.make_url(url)
    with pytest.raises(TargetError) as info:     # MariaDB: error 1044, access denied to that database
        DatabaseSource(u.set(database="dg_no_such_db").render_as_string(hide_password=False), SourceOptions())
    assert str(info.value).endswith("the database does not exist or the user may not connect to it (not granted)")
    no_password_anywhere(info.value, u.password)


@pytest.mark.parametrize("scheme", ["mysql+pymysql", "postgresql"])
def test_server_that_never_answers_times_out(scheme):
    """A port that accepts connections but never speaks: both dialects give up after the
    connect timeout and say so (not "unreachable", not after the statement timeout)."""
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)                  # the kernel accepts; nobody answers
        port = mute.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(TargetError) as info:
            DatabaseSource(f"{scheme}://u:S3cretPw@127.0.0.1:{port}/db", SourceOptions(statement_timeout_s=2))
        took = time.monotonic() - start
    assert str(info.value) == f"cannot connect to {scheme}://u@127.0.0.1:{port}/db: connection timed out"
    assert took < 10


def test_pg_connect_privilege_refused_is_said():
    """The server's text quotes the database: it is read for the kind, never shown."""
    import psycopg
    from dataguard.sources.database.errors import connect_message
    exc = psycopg.OperationalError('connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
                                   'permission denied for database "hq_secret_db"\nDETAIL:  User does not have '
                                   'CONNECT privilege.')
    msg = connect_message(exc, "postgresql://u@127.0.0.1/hq", "u", True)
    assert msg == "cannot connect to postgresql://u@127.0.0.1/hq: permission denied for the database (no CONNECT " \
                  "privilege)"


def test_unreachable_without_servers():
    for url in ("postgresql://u:S3cretPw@127.0.0.1:1/db", "mysql+pymysql://u:S3cretPw@127.0.0.1:1/db"):
        with pytest.raises(TargetError) as info:
            DatabaseSource(url, SourceOptions())
        assert "S3cretPw" not in str(info.value) and info.value.__cause__ is None
        assert "u@127.0.0.1:1/db" in str(info.value)


@pytest.mark.parametrize("url,password", [
    ("postgresql://bob:Pg@Pw_Secret@127.0.0.1:1/db", "Pg@Pw_Secret"),
    ("mysql+pymysql://bob:Pg@Pw_Secret@127.0.0.1:1/db", "Pg@Pw_Secret"),
    ("postgresql://bob:Pg@ss/Pw_Secret@127.0.0.1:1/db", "Pg@ss/Pw_Secret"),       # '/' after an '@'
    ("mariadb://bob:Pg#Pw_Secret@2024/x@127.0.0.1:1/db", "Pg#Pw_Secret@2024/x"),
    ("postgresql://bob:Pg?Pw_Secret@127.0.0.1:1/db?sslmode=disable", "Pg?Pw_Secret"),
    ("postgresql://bob:Pg_Pw_Secret@127.0.0.1:1/db?application_name=ops@corp", "Pg_Pw_Secret"),
    ("mysql://bob:Pg@Pw_Secret@127.0.0.1:1/db?init_command=SET%20@x%3D1", "Pg@Pw_Secret"),
])
def test_password_with_at_sign_is_never_shown(url, password):
    """The user part ends at the last '@': no piece of the password is taken for the host or
    the database, whatever '@', '/', '#' or '?' it holds."""
    from dataguard.sources.database.engine import parse_url
    db = parse_url(url)
    assert db.url.password == password and db.url.host == "127.0.0.1" and db.url.database == "db"
    assert db.display.split("?")[0] == url.replace(f":{password}@", "@").split("?")[0]
    with pytest.raises(TargetError) as info:
        DatabaseSource(url, SourceOptions())
    for piece in ("Pg", "Pw_Secret"):
        assert piece not in str(info.value)
        no_password_anywhere(info.value, piece)


@pytest.mark.parametrize("url,user,host", [
    ("postgresql://u@127.0.0.1:1/db?password=Pg@Pw_Secret", "u", "127.0.0.1"),
    ("postgresql://127.0.0.1:1/db?user=alice@corp", None, "127.0.0.1"),
])
def test_an_at_sign_in_a_parameter_is_no_user_part(url, user, host):
    """'?password=Pg@Pw_Secret' was read as a user part ending there: the host 'Pw_Secret', the
    password's pieces shown in the display form."""
    from dataguard.sources.database.engine import parse_url
    db = parse_url(url)
    assert db.url.username == user and db.url.host == host and db.url.database == "db"
    assert "Pw_Secret" not in db.display and "Pg" not in db.display.split("?")[0]


def test_json_keys_that_are_data_never_reach_a_key_path():
    from dataguard.sources.database.values import cell_texts
    doc = {"contacts": {"jane.doe@example.org": {"phone": "+44 20 7946 0958"}, "4111111111111111": "x"},
           "k" * 300: "long", "dob": "1980-04-12"}
    assert cell_texts("json", doc) == [("contacts.*.phone", "+44 20 7946 0958"), ("contacts.*", "x"), ("*", "long"),
                                       ("dob", "1980-04-12")]


def test_sqlite_rowid_sample_at_half_density_reads_about_the_sample(tmp_path):
    path = str(tmp_path / "half.db")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", ((2 * i + 1, f"u{i}@mailbox.org") for i in range(4000)))
    con.commit()
    con.close()
    src = DatabaseSource(f"sqlite:///{path}", SourceOptions(sample_rows=400, sample_seed=1))
    cols, _, _ = collect(src)
    src.close()
    rec = src.info["tables"][0]
    assert rec["method"] == "rowid" and 300 <= rec["rows_read"] <= 400        # about the sample, never more
    assert len(cols[("main.t", "email")]) == rec["rows_read"]

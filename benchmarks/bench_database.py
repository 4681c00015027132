"""Time database source iteration: default sample vs all rows.

Builds a 1,000,000-row SQLite table (cached under the temp folder) and, when
DATAGUARD_TEST_PG_URL is set (scripts/start-databases.sh), a 1,000,000-row
PostgreSQL table (``bench.people_1m``, created with the admin rights of the test
user; the scan itself is read-only).  Detection timing is added by the lead.

    .venv/bin/python benchmarks/bench_database.py [--rows N] [--no-all]
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import resource
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataguard.sources import SourceOptions  # noqa: E402
from dataguard.sources.database import DatabaseSource  # noqa: E402
from dataguard.types import Limits  # noqa: E402


def build_sqlite(path: Path, rows: int) -> None:
    if path.exists():
        con = sqlite3.connect(path)
        try:
            if con.execute("SELECT max(rowid) FROM people").fetchone()[0] == rows:
                return
        except sqlite3.Error:
            pass
        finally:
            con.close()
        path.unlink()
    t0 = time.monotonic()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT, phone TEXT, "
                "active BOOLEAN, created_at TIMESTAMP, card NUMERIC(20,0), notes TEXT)")
    con.execute("""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
        INSERT INTO people
        SELECT n, 'Person ' || n, 'user' || n || '@example.org', '+1 212 555 ' || substr('0000' || (n % 10000), -4),
               n % 2, '2024-01-01', CASE WHEN n % 1000 = 0 THEN 4111111111111111 ELSE n END,
               'Visited on day ' || (n % 365) || ' and discussed the case with the family at length.'
        FROM seq""", (rows,))
    con.commit()
    con.close()
    print(f"built {path} ({rows:,} rows) in {time.monotonic() - t0:.1f}s", file=sys.stderr)


def build_pg(url: str, rows: int) -> None:
    import sqlalchemy as sa
    eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with eng.begin() as con:
        con.execute(sa.text("CREATE SCHEMA IF NOT EXISTS bench"))
        n = con.execute(sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('bench.people_1m')")).scalar()
        if n is not None and abs(n - rows) < rows * 0.05:
            eng.dispose()
            return
        t0 = time.monotonic()
        con.execute(sa.text("DROP TABLE IF EXISTS bench.people_1m"))
        con.execute(sa.text("""
            CREATE TABLE bench.people_1m AS
            SELECT n AS id, 'Person ' || n AS full_name, 'user' || n || '@example.org' AS email,
                   '+1 212 555 ' || lpad((n % 10000)::text, 4, '0') AS phone, (n % 2 = 0) AS active,
                   timestamp '2024-01-01' AS created_at,
                   (CASE WHEN n % 1000 = 0 THEN 4111111111111111 ELSE n END)::numeric(20,0) AS card,
                   'Visited on day ' || (n % 365) || ' and discussed the case with the family at length.' AS notes
            FROM generate_series(1, :rows) AS n"""), {"rows": rows})
        con.execute(sa.text("ALTER TABLE bench.people_1m ADD PRIMARY KEY (id)"))
        con.execute(sa.text("ANALYZE bench.people_1m"))
        print(f"built bench.people_1m ({rows:,} rows) in {time.monotonic() - t0:.1f}s", file=sys.stderr)
    eng.dispose()


def iterate(url: str, include: tuple, sample_rows) -> dict:
    t0 = time.monotonic()
    src = DatabaseSource(url, SourceOptions(include=include, sample_rows=sample_rows, statement_timeout_s=600))
    chunks = values = chars = 0
    for item in src.items():
        for c in item.chunks(Limits()):
            if hasattr(c, "text"):
                chunks += 1
                values += len(c.anchors)
                chars += len(c.text)
    src.close()
    dt = time.monotonic() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # process peak RSS
    rec = src.info["tables"][0]
    return {"method": rec["method"], "rows_read": rec["rows_read"], "chunks": chunks, "values": values,
            "chars": chars, "seconds": round(dt, 2), "rows_per_s": int(rec["rows_read"] / dt) if dt else 0,
            "peak_rss_mb": round(peak / 1e6, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-all", action="store_true", help="skip the full reads")
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench table afterwards")
    args = ap.parse_args()
    results = []
    path = Path(tempfile.gettempdir()) / f"dataguard-bench-{args.rows}.db"
    build_sqlite(path, args.rows)
    targets = [("sqlite", f"sqlite:///{path}", ("main.people",))]
    pg = os.environ.get("DATAGUARD_TEST_PG_URL")
    if pg:
        build_pg(pg, args.rows)
        targets.append(("postgresql", pg, ("bench.people_1m",)))
    else:
        print("DATAGUARD_TEST_PG_URL not set: PostgreSQL skipped", file=sys.stderr)
    for name, url, include in targets:
        for label, n in (("sample 10000", 10_000), ("all rows", None)):
            if n is None and args.no_all:
                continue
            r = iterate(url, include, n)
            results.append((name, label, r))
            print(f"{name:<11} {label:<13} " + "  ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    if pg and not args.keep:
        # the test database must not keep the bench table (the integration tests list its tables)
        import sqlalchemy as sa
        eng = sa.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.begin() as con:
            con.execute(sa.text("DROP SCHEMA IF EXISTS bench CASCADE"))
        eng.dispose()


if __name__ == "__main__":
    main()

"""Time a database target: source iteration, then the complete dataguard scan.

Builds a 1,000,000-row SQLite table (cached under the temp folder) and, when
DATAGUARD_TEST_PG_URL is set (scripts/start-databases.sh), a 1,000,000-row
PostgreSQL table (``bench.people_1m``, created with the admin rights of the test
user; the scan itself is read-only).  Rows hold realistic personal data: names,
e-mail addresses on ordinary domains, Kenyan mobile numbers (+254 7xx xxx xxx), a
test card number every 1,000 rows, and a notes column naming the person.

For each table it times
  * the source iteration alone: default sample (10,000 rows) and all rows;
  * the complete scan (detection + rules, in process, as ``dataguard scan`` runs
    it, --workers = number of cores):
      (a) default sample (10,000 rows), with NER (the default),
      (b) --sample-rows all --no-ner,
      (c) --sample-rows all with NER, only with --full-ner (slow: NER on every row).
Each line gives seconds, rows read, rows/s, findings and the sampling method
recorded for the table.

    .venv/bin/python benchmarks/bench_database.py [--rows N] [--no-all] [--no-scan] [--full-ner]
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

# first names x last names (16 x 16): about 256 distinct full names
_FIRST = ["Amina", "Brian", "Chloe", "Daniel", "Esther", "Felix", "Grace", "Hassan",
          "Irene", "James", "Wanjiru", "Kevin", "Lucy", "Mohamed", "Njeri", "Otieno"]
_LAST = ["Achieng", "Baker", "Chebet", "Dubois", "Evans", "Fischer", "Garcia", "Hughes",
         "Kamau", "Mwangi", "Novak", "Odhiambo", "Patel", "Rossi", "Schmidt", "Wambui"]
_DATA_VERSION = "v2"     # bump when the generated rows change (invalidates the cached tables)


def _names_cte() -> str:
    fn = ", ".join(f"({i}, '{v}')" for i, v in enumerate(_FIRST))
    ln = ", ".join(f"({i}, '{v}')" for i, v in enumerate(_LAST))
    return f"fn(i, f) AS (VALUES {fn}), ln(j, l) AS (VALUES {ln})"


_DOMAIN = ("CASE n % 5 WHEN 0 THEN 'gmail.com' WHEN 1 THEN 'yahoo.co.uk' WHEN 2 THEN 'mailbox.co.ke' "
           "WHEN 3 THEN 'outlook.com' ELSE 'kenyaweb.net' END")


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
    con.execute(f"""
        WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?), {_names_cte()}
        INSERT INTO people
        SELECT n, f || ' ' || l, lower(f) || '.' || lower(l) || n || '@' || {_DOMAIN},
               '+254 7' || (10 + n % 20) || ' ' || substr('000' || ((n / 20) % 1000), -3)
                   || ' ' || substr('000' || ((n * 7) % 1000), -3),
               n % 2, '2024-01-01', CASE WHEN n % 1000 = 0 THEN 4111111111111111 ELSE n END,
               'Visited ' || f || ' ' || l || ' on day ' || (n % 365)
                   || ' and discussed the case with the family at length.'
        FROM seq JOIN fn ON fn.i = n % 16 JOIN ln ON ln.j = (n / 16) % 16""", (rows,))
    con.commit()
    con.close()
    print(f"built {path} ({rows:,} rows) in {time.monotonic() - t0:.1f}s", file=sys.stderr)


def build_pg(url: str, rows: int) -> None:
    import sqlalchemy as sa
    eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with eng.begin() as con:
        con.execute(sa.text("CREATE SCHEMA IF NOT EXISTS bench"))
        n = con.execute(sa.text("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass('bench.people_1m')")).scalar()
        version = con.execute(sa.text("SELECT obj_description(to_regclass('bench.people_1m'), 'pg_class')")).scalar() \
            if n is not None else None
        if n is not None and abs(n - rows) < rows * 0.05 and version == _DATA_VERSION:
            eng.dispose()
            return
        t0 = time.monotonic()
        con.execute(sa.text("DROP TABLE IF EXISTS bench.people_1m"))
        con.execute(sa.text(f"""
            CREATE TABLE bench.people_1m AS
            WITH {_names_cte()}
            SELECT n AS id, f || ' ' || l AS full_name, lower(f) || '.' || lower(l) || n || '@' || {_DOMAIN} AS email,
                   '+254 7' || (10 + n % 20) || ' ' || lpad(((n / 20) % 1000)::text, 3, '0')
                       || ' ' || lpad(((n * 7) % 1000)::text, 3, '0') AS phone,
                   (n % 2 = 0) AS active, timestamp '2024-01-01' AS created_at,
                   (CASE WHEN n % 1000 = 0 THEN 4111111111111111 ELSE n END)::numeric(20,0) AS card,
                   'Visited ' || f || ' ' || l || ' on day ' || (n % 365)
                       || ' and discussed the case with the family at length.' AS notes
            FROM generate_series(1, :rows) AS n JOIN fn ON fn.i = n % 16 JOIN ln ON ln.j = (n / 16) % 16"""),
            {"rows": rows})
        con.execute(sa.text("ALTER TABLE bench.people_1m ADD PRIMARY KEY (id)"))
        con.execute(sa.text(f"COMMENT ON TABLE bench.people_1m IS '{_DATA_VERSION}'"))
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


def scan(url: str, include: tuple, sample_rows, ner: bool, workers: int) -> dict:
    """The complete scan (detection + rules) in process, as ``dataguard scan`` runs it."""
    from dataguard.detect import known_entities
    from dataguard.hashing import Hasher
    from dataguard.rules import load_packs, needed_entities
    from dataguard.scanner import ScanOptions, run_scan
    packs = load_packs(None, known_entities())
    opts = ScanOptions(targets=[(url, SourceOptions(include=include, sample_rows=sample_rows,
                                                    statement_timeout_s=600))],
                       packs=packs, workers=workers,
                       detector_kwargs=dict(entities=needed_entities(packs), ner=ner,
                                            custom=tuple(r for p in packs for r in p.recognizers)))
    t0 = time.perf_counter()
    res = run_scan(opts, Hasher(b"benchmark-key-0123456789"))
    dt = time.perf_counter() - t0
    rows = res.stats["rows_sampled"]
    t = res.targets[0]
    tables = t.info.get("tables") or [{}]
    return {"method": tables[0].get("method"), "status": t.status, "rows_read": rows,
            "seconds": round(dt, 2), "rows_per_s": int(rows / dt) if dt else 0,
            "findings": len(res.findings),
            "entities": ",".join(sorted({e for f in res.findings for e in f.entities})),
            "errors": res.stats.get("errors", 0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--no-all", action="store_true", help="skip the full reads")
    ap.add_argument("--no-scan", action="store_true", help="time the source iteration only")
    ap.add_argument("--full-ner", action="store_true",
                    help="also time --sample-rows all with NER (slow: the model runs on every row)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench table afterwards")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; rows: {args.rows:,}; workers: {args.workers}", flush=True)
    results = []
    path = Path(tempfile.gettempdir()) / f"dataguard-bench-{_DATA_VERSION}-{args.rows}.db"
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
            print(f"{name:<11} iterate {label:<22} " + "  ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    if not args.no_scan:
        for name, url, include in targets:
            runs = [("scan (a) sample 10000", 10_000, True)]
            if not args.no_all:
                runs.append(("scan (b) all --no-ner", None, False))
                if args.full_ner:
                    runs.append(("scan (c) all NER", None, True))
            for label, n, ner in runs:
                r = scan(url, include, n, ner, args.workers)
                results.append((name, label, r))
                print(f"{name:<11} {label:<30} " + "  ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    if pg and not args.keep:
        # the test database must not keep the bench table (the integration tests list its tables)
        import sqlalchemy as sa
        eng = sa.create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
        with eng.begin() as con:
            con.execute(sa.text("DROP SCHEMA IF EXISTS bench CASCADE"))
        eng.dispose()


if __name__ == "__main__":
    main()

"""PostgreSQL sampler: a big table (planner estimate above the sample size) is read
with ``TABLESAMPLE SYSTEM (pct) REPEATABLE (seed)`` (``tablesample-system``: whole
pages, cheap) or, when it has few pages, ``BERNOULLI`` (``tablesample-bernoulli``);
a small one whole (``all``).  Each table is read ``ONLY``: the rows of the tables that
inherit from it are read as theirs, not twice."""
from __future__ import annotations

import json
from typing import Iterator, Optional

import sqlalchemy as sa

from dataguard.sources.database.sampling import select_list, stream, whole_or_first


def estimate(con, qualified: str) -> Optional[int]:
    plan = con.execute(sa.text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {qualified}")).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def partitioned_tables(con, schema: str) -> list:
    """The partitioned tables of ``schema``: their rows are those of their partitions."""
    return list(con.execute(sa.text("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                    "WHERE n.nspname = :s AND c.relkind = 'p'"), {"s": schema}).scalars())


def partition_parents(con, schema: str) -> dict:
    """``{partition: "schema.parent"}`` for the partitions of ``schema`` (a partition of a
    partition names its top parent's: a parent named in ``include`` selects them all)."""
    rows = con.execute(sa.text(
        "WITH RECURSIVE up(child, parent) AS ("
        " SELECT i.inhrelid, i.inhparent FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent"
        " WHERE p.relkind = 'p'"
        " UNION ALL SELECT up.child, i.inhparent FROM up JOIN pg_inherits i ON i.inhrelid = up.parent)"
        " SELECT c.relname, pn.nspname || '.' || p.relname FROM up"
        " JOIN pg_class c ON c.oid = up.child JOIN pg_namespace n ON n.oid = c.relnamespace"
        " JOIN pg_class p ON p.oid = up.parent JOIN pg_namespace pn ON pn.oid = p.relnamespace"
        " WHERE n.nspname = :s AND NOT EXISTS (SELECT 1 FROM pg_inherits g WHERE g.inhrelid = up.parent)"),
        {"s": schema})
    return {child: parent for child, parent in rows}


def read_rows(src, item, record: dict) -> Iterator[tuple]:
    n = src.sample_rows
    qn = src.qualified(item.schema, item.table)
    rel = f"ONLY {qn}"
    sel, npk = select_list(src, item, item.pk)
    with src.engine.connect() as con:
        est = estimate(con, rel)
        record["rows_estimate"] = item.estimate = est
        if n is None or est is None or est <= n:
            sql = whole_or_first(record, f"SELECT {sel} FROM {rel}", n, True)
        else:
            pages = con.execute(sa.text("SELECT relpages FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                {"t": qn}).scalar() or 0
            pct = min(100.0, 100.0 * n / est)
            # SYSTEM samples whole pages: cheap, but lumpy on small tables
            method = "SYSTEM" if pages >= 1000 and pct < 50 else "BERNOULLI"
            record["method"] = f"tablesample-{method.lower()}"
            record["percent"] = round(pct, 6)
            sql = (f"SELECT {sel} FROM {rel} TABLESAMPLE {method} ({pct:.6f}) "
                   f"REPEATABLE ({int(src.sample_seed)}) LIMIT {n}")
        yield from stream(con, sql, npk)

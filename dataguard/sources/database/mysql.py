"""MariaDB/MySQL sampler.  A small table (estimate at most the sample size) is read
whole (``all``; in keyset pages when it has an integer primary key, so each
statement stays short under ``max_statement_time``).  A big one with an integer
primary key: seeded random windows of ``sampling.WINDOW_ROWS`` rows over [min, max]
of the key (``pk-range``); without one: ``WHERE RAND(seed) < p`` (``rand-filter``)."""
from __future__ import annotations

from typing import Iterator, Optional

import sqlalchemy as sa

from dataguard.sources.database.sampling import key_windows, keyed, select_list, stream

KEYSET_PAGE = 5000


def estimate(con, schema: str, table: str) -> Optional[int]:
    est = con.execute(sa.text("SELECT TABLE_ROWS FROM information_schema.TABLES "
                              "WHERE TABLE_SCHEMA = :s AND TABLE_NAME = :t"), {"s": schema, "t": table}).scalar()
    return None if est is None else int(est)


def read_rows(src, item, record: dict) -> Iterator[tuple]:
    n = src.sample_rows
    qn = src.qualified(item.schema, item.table)
    sel, npk = select_list(src, item, item.pk)
    with src.engine.connect() as con:
        est = estimate(con, item.schema, item.table)
        record["rows_estimate"] = item.estimate = est
        int_pk = npk == 1 and isinstance(item.col_types.get(item.pk[0]), sa.Integer)
        if n is None or est is None or est <= n:
            record["method"] = "all"
            if int_pk:
                yield from _keyset(con, f"SELECT {sel} FROM {qn}", src.quote(item.pk[0]), n)
            else:
                yield from stream(con, f"SELECT {sel} FROM {qn}" + ("" if n is None else f" LIMIT {n}"), npk)
        elif not int_pk:
            record["method"] = "rand-filter"
            p = min(1.0, n / max(1, est) * 1.1)
            yield from stream(con, f"SELECT {sel} FROM {qn} WHERE RAND({int(src.sample_seed)}) < {p:.8f} LIMIT {n}",
                              npk)
        else:
            record["method"] = "pk-range"
            qpk = src.quote(item.pk[0])
            lo, hi = con.execute(sa.text(f"SELECT MIN({qpk}), MAX({qpk}) FROM {qn}")).one()
            if lo is not None:
                yield from key_windows(con, f"SELECT {sel} FROM {qn}", qpk, (int(lo), int(hi)), n, src.sample_seed,
                                       npk)


def _keyset(con, select: str, qpk: str, n: Optional[int]) -> Iterator[tuple]:
    """Every row (at most ``n``) in pages ordered by the integer key ``qpk``."""
    last, read = None, 0
    while n is None or read < n:
        want = KEYSET_PAGE if n is None else min(KEYSET_PAGE, n - read)
        where = "" if last is None else f" WHERE {qpk} > :last"
        rows = con.execute(sa.text(f"{select}{where} ORDER BY {qpk} LIMIT {want}"),
                           {} if last is None else {"last": last}).all()
        yield from keyed(rows, 1)
        read += len(rows)
        if len(rows) < want:
            break
        last = int(tuple(rows[-1])[0])

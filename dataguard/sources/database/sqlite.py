"""SQLite sampler. A table of at most the sample size is read whole (``all``). A bigger
one: a seeded random rowid set when its rowids are dense (``rowid``), seeded random
windows of rows over [min, max] of the rowid when they are sparse (``rowid-range``:
large or scattered integer keys, where random rowid values would mostly miss);
WITHOUT ROWID tables: the first rows (``first-rows``)."""
from __future__ import annotations

import random
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from dataguard.sources.database.sampling import FETCH_BATCH, key_windows, keyed, select_list, stream, whole_or_first

DENSE = 4            # at most this many rowid values per row: a random rowid set hits often enough


def read_rows(src, item, record: dict) -> Iterator[tuple]:
    qn = src.qualified(item.schema, item.table)
    n = src.sample_rows
    with src.engine.connect() as con:
        try:
            lo, hi = con.execute(sa.text(f"SELECT min(rowid), max(rowid) FROM {qn}")).one()
        except SQLAlchemyError:       # WITHOUT ROWID table
            yield from _without_rowid(src, con, item, record)
            return
        sel, npk = select_list(src, item, item.pk)
        if not item.pk:
            sel, npk = "rowid, " + sel, 1
        rows = None if n is None else con.execute(sa.text(f"SELECT count(*) FROM (SELECT 1 FROM {qn} LIMIT {n + 1})")).scalar()
        if n is None or rows <= n:
            record["rows_estimate"] = item.estimate = rows
            record["method"] = "all"
            yield from stream(con, f"SELECT {sel} FROM {qn}", npk)
            return
        count = con.execute(sa.text(f"SELECT count(*) FROM {qn}")).scalar()
        record["rows_estimate"] = item.estimate = count
        lo, hi = int(lo), int(hi)
        if (hi - lo + 1) > DENSE * count:
            record["method"] = "rowid-range"
            yield from key_windows(con, f"SELECT {sel} FROM {qn}", "rowid", (lo, hi), n, src.sample_seed, npk)
            return
        record["method"] = "rowid"
        want = min(hi - lo + 1, -(-n * (hi - lo + 1) // count))      # about n rows at this density
        ids = sorted(random.Random(src.sample_seed).sample(range(lo, hi + 1), want))
        for i in range(0, len(ids), FETCH_BATCH):
            part = ",".join(str(x) for x in ids[i:i + FETCH_BATCH])
            yield from keyed(con.execute(sa.text(f"SELECT {sel} FROM {qn} WHERE rowid IN ({part}) ORDER BY rowid")),
                             npk)


def _without_rowid(src, con, item, record: dict) -> Iterator[tuple]:
    n = src.sample_rows
    qn = src.qualified(item.schema, item.table)
    sel, npk = select_list(src, item, item.pk)
    small = n is not None and con.execute(
        sa.text(f"SELECT count(*) FROM (SELECT 1 FROM {qn} LIMIT {n + 1})")).scalar() <= n
    yield from stream(con, whole_or_first(record, f"SELECT {sel} FROM {qn}", n, small), npk)

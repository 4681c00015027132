"""SQLite sampler: a seeded random rowid set of a big table (``rowid``), every row of
a small one (``all``); WITHOUT ROWID tables: the first rows (``first-rows``)."""
from __future__ import annotations

import random
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from dataguard.sources.database.sampling import FETCH_BATCH, keyed, select_list, stream, whole_or_first


def read_rows(src, item, record: dict) -> Iterator[tuple]:
    qn = src.qualified(item.schema, item.table)
    with src.engine.connect() as con:
        try:
            max_rowid = con.execute(sa.text(f"SELECT max(rowid) FROM {qn}")).scalar()
        except SQLAlchemyError:       # WITHOUT ROWID table
            yield from _without_rowid(src, con, item, record)
            return
        max_rowid = int(max_rowid or 0)
        record["rows_estimate"] = item.estimate = max_rowid
        n = src.sample_rows
        sel, npk = select_list(src, item, item.pk)
        if not item.pk:
            sel, npk = "rowid, " + sel, 1
        if n is None or max_rowid <= n:
            record["method"] = "all"
            yield from stream(con, f"SELECT {sel} FROM {qn}", npk)
            return
        record["method"] = "rowid"
        ids = sorted(random.Random(src.sample_seed).sample(range(1, max_rowid + 1), n))
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

"""What the per-dialect samplers share: the statement pieces and the row stream.

A sampler is ``read_rows(src, item, record)`` yielding ``(row_id or None,
values of item.columns)`` for the sampled rows of one table, and writing the
method it used (and the estimate it relied on) into ``record``."""
from __future__ import annotations

import math
import random
from typing import Iterator, Optional

import sqlalchemy as sa

FETCH_BATCH = 500
WINDOW_ROWS = 100             # rows per seeded key window


def select_list(src, item, key_columns: list) -> tuple:
    """(SQL select list: the key columns first, then the analysed ones; how many keys)."""
    first = [src.quote(p) for p in key_columns]
    return ", ".join(first + [src.quote(c) for c, _ in item.columns]), len(first)


def row_id(values: tuple, npk: int) -> Optional[str]:
    if npk == 0:
        return None
    return ",".join("" if v is None else str(v) for v in values[:npk])


def keyed(rows, npk: int) -> Iterator[tuple]:
    """(row id, analysed values) of each row whose first ``npk`` values are its key."""
    for row in rows:
        row = tuple(row)
        yield row_id(row, npk), row[npk:]


def stream(con, sql: str, npk: int, params: Optional[dict] = None) -> Iterator[tuple]:
    """The rows of ``sql`` as ``keyed`` pairs, fetched in batches (never all in memory)."""
    res = con.execution_options(stream_results=True, yield_per=FETCH_BATCH).execute(sa.text(sql), params or {})
    try:
        yield from keyed(res, npk)
    finally:
        res.close()


def whole_or_first(record: dict, select: str, n: Optional[int], small: bool) -> str:
    """The statement reading every row (``n`` None), or at most ``n``; ``small``: the
    table holds no more than ``n`` rows, so that is all of it too."""
    record["method"] = "all" if n is None or small else "first-rows"
    return select if n is None else f"{select} LIMIT {n}"


def key_windows(con, select: str, key: str, span: tuple, n: int, seed: int, npk: int) -> Iterator[tuple]:
    """About ``n`` rows in seeded random windows of ``WINDOW_ROWS`` rows over ``span`` (lo, hi)
    of an integer ``key`` (a primary key, SQLite's rowid): right for sparse keys too, where a
    random set of key values would mostly miss. ``select`` ends with ``FROM table``."""
    lo, hi = span
    windows = max(1, math.ceil(n / WINDOW_ROWS))
    starts = sorted(random.Random(seed).sample(range(lo, hi + 1), min(windows, hi - lo + 1)))
    read, last = 0, lo - 1
    for s in starts:
        start = max(s, last + 1)
        if read >= n or start > hi:
            break
        want = min(WINDOW_ROWS, n - read)
        sql = select.replace(" FROM ", f", {key} FROM ", 1) + f" WHERE {key} >= :s ORDER BY {key} LIMIT {want}"
        for row in con.execute(sa.text(sql), {"s": start}):
            row = tuple(row)
            last = int(row[-1])
            read += 1
            yield row_id(row, npk), row[npk:-1]

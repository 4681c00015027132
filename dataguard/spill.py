"""A list that does not live in memory: what a scan collects (findings, errors,
skipped items) grows with the number of files, the memory of a scan must not.

``SpillList`` keeps its items encoded (pickled, unless the list is given its own
codec) in a private temporary SQLite database (``sqlite3.connect("")``): SQLite
holds it in a page cache of bounded size and moves the rest to a temporary file
it deletes itself (the file has no name in the file system once opened) when the
list is closed or garbage-collected. Nothing else can open it; the items are only
ever decoded by this process.
"""
from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Sequence
from typing import Any, Callable, Iterable, Iterator, Optional

CACHE_KIB = 8 * 1024        # SQLite page cache per list: the memory a list may take
_FETCH = 256                # rows read at a time while iterating
_PENDING = 512              # rows inserted at a time


def _pickle(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


class SpillList(Sequence):
    """An append-only sequence stored outside the Python heap.

    With ``key`` (a function returning a tuple of ints and strings), ``sort()``
    orders the items as ``list.sort(key=key)`` would (stable), inside SQLite.
    Items are stored as ``encode(item)`` (default: pickle) and read back with
    ``decode``; ``append_encoded`` takes an item already encoded (and its key)."""

    def __init__(self, items: Iterable = (), key: Optional[Callable[[Any], tuple]] = None,
                 cache_kib: int = CACHE_KIB, encode: Callable[[Any], Any] = None, decode: Callable[[Any], Any] = None):
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._key = key
        self._encode = encode or _pickle
        self._decode = decode or pickle.loads
        self._arity: Optional[int] = None     # key columns, known at the first append
        self._created = False
        self._pending: list = []
        self._len = 0
        self._sorted = False
        self.extend(items)

    # -- writing (rows are buffered and inserted PENDING at a time: one statement per row
    # would cost more than the rest of a rescan)
    def append(self, obj: Any) -> None:
        self.append_encoded(self._encode(obj), None if self._key is None else tuple(self._key(obj)))

    def append_encoded(self, data, key: Optional[tuple] = None) -> None:
        """Append an item given as ``encode(item)``, with its sort key (when the list has one)."""
        if self._sorted:
            raise RuntimeError("SpillList: append after sort()")
        if self._key is None:
            row = (data,)
        else:
            if self._arity is None:
                self._arity = len(key)
            if len(key) != self._arity:
                raise ValueError("SpillList: sort keys must all have the same length")
            row = (data, *key)
        self._pending.append(row)
        self._len += 1
        if len(self._pending) >= _PENDING:
            self._flush()

    def extend_encoded(self, pairs: Iterable) -> None:
        """``append_encoded`` for each (encoded item, sort key) pair."""
        for data, key in pairs:
            self.append_encoded(data, key)

    def extend(self, objs: Iterable) -> None:
        for obj in objs:
            self.append(obj)

    def _flush(self) -> None:
        if not self._pending:
            return
        if not self._created:
            cols = "".join(f", k{i}" for i in range(self._arity or 0))
            self._db.execute(f"CREATE TABLE items (data{cols})")
            self._created = True
        marks = ", ?" * (self._arity or 0)
        self._db.executemany(f"INSERT INTO items VALUES (?{marks})", self._pending)
        self._pending = []

    def sort(self) -> None:
        """Order the items by ``key`` (ties keep their insertion order); the list is then read-only."""
        if self._key is None or self._sorted:
            return
        self._flush()
        self._sorted = True
        if self._created:
            order = "".join(f"k{i}, " for i in range(self._arity)) + "rowid"
            # an order table of references (rowids follow the order of the SELECT: 1..n in
            # sorted order), so the items themselves are not copied
            self._db.execute("CREATE TABLE sorted (src INTEGER)")
            self._db.execute(f"INSERT INTO sorted (src) SELECT rowid FROM items ORDER BY {order}")

    # -- reading
    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator:
        if not self._len:
            return
        self._flush()
        cur = self._db.execute(self._select("ORDER BY rowid"))
        while True:
            rows = cur.fetchmany(_FETCH)
            if not rows:
                return
            for (data,) in rows:
                yield self._decode(data)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._len)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            if start >= stop:
                return []
            self._flush()
            rows = self._db.execute(self._select("WHERE rowid > ? AND rowid <= ? ORDER BY rowid"),
                                    (start, stop)).fetchall()
            return [self._decode(d) for (d,) in rows]
        i = index.__index__()
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("SpillList index out of range")
        self._flush()
        (data,) = self._db.execute(self._select("WHERE rowid = ?"), (i + 1,)).fetchone()
        return self._decode(data)

    def __eq__(self, other) -> bool:
        """Equal to a list, tuple or SpillList holding equal items in the same order."""
        if not isinstance(other, (list, tuple, SpillList)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None     # mutable

    def _select(self, where: str) -> str:
        """SELECT of the items' data, positions being the rowids of ``where`` (in sorted order once sorted)."""
        if self._sorted:
            return f"SELECT (SELECT data FROM items WHERE items.rowid = sorted.src) FROM sorted {where}"
        return f"SELECT data FROM items {where}"

    def __repr__(self) -> str:
        return f"<SpillList of {self._len} items>"

    def close(self) -> None:
        """Free the storage now (the list is then empty)."""
        self._db.close()
        self._len = 0
        self._pending = []

    def __getstate__(self):
        raise TypeError("a SpillList is not picklable (its storage belongs to this process)")

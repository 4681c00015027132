"""A list that does not live in memory: what a scan collects (findings, errors,
skipped items) grows with the number of files, the memory of a scan must not.

``SpillList`` keeps its items pickled in a private temporary SQLite database
(``sqlite3.connect("")``): SQLite holds it in a page cache of bounded size and
moves the rest to a temporary file it deletes itself (the file has no name in
the file system once opened) when the list is closed or garbage-collected.
Nothing else can open it; the items are only ever unpickled by this process.
"""
from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Sequence
from typing import Any, Callable, Iterable, Iterator, Optional

CACHE_KIB = 8 * 1024        # SQLite page cache per list: the memory a list may take
_FETCH = 256                # rows read at a time while iterating


class SpillList(Sequence):
    """An append-only sequence stored outside the Python heap.

    With ``key`` (a function returning a tuple of ints and strings), ``sort()``
    orders the items as ``list.sort(key=key)`` would (stable), inside SQLite."""

    def __init__(self, items: Iterable = (), key: Optional[Callable[[Any], tuple]] = None,
                 cache_kib: int = CACHE_KIB):
        self._db = sqlite3.connect("", check_same_thread=False)
        self._db.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._key = key
        self._arity: Optional[int] = None     # key columns, known at the first append
        self._table = "items"
        self._len = 0
        self._sorted = False
        self.extend(items)

    # -- writing
    def append(self, obj: Any) -> None:
        if self._sorted:
            raise RuntimeError("SpillList: append after sort()")
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        if self._key is None:
            self._create(0)
            self._db.execute("INSERT INTO items (data) VALUES (?)", (data,))
        else:
            k = tuple(self._key(obj))
            self._create(len(k))
            if len(k) != self._arity:
                raise ValueError("SpillList: sort keys must all have the same length")
            self._db.execute(f"INSERT INTO items VALUES (?{', ?' * len(k)})", (data, *k))
        self._len += 1

    def extend(self, objs: Iterable) -> None:
        for obj in objs:
            self.append(obj)

    def _create(self, arity: int) -> None:
        if self._arity is None:
            cols = "".join(f", k{i}" for i in range(arity))
            self._db.execute(f"CREATE TABLE items (data BLOB{cols})")
            self._arity = arity

    def sort(self) -> None:
        """Order the items by ``key`` (ties keep their insertion order); the list is then read-only."""
        if self._sorted or self._key is None or self._arity is None:
            self._sorted = self._sorted or self._key is not None
            return
        order = "".join(f"k{i}, " for i in range(self._arity)) + "rowid"
        self._db.execute("CREATE TABLE sorted (data BLOB)")
        # rowids follow the order of the SELECT: 1..n in sorted order
        self._db.execute(f"INSERT INTO sorted (data) SELECT data FROM items ORDER BY {order}")
        self._db.execute("DROP TABLE items")
        self._table = "sorted"
        self._sorted = True

    # -- reading
    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator:
        if self._arity is None:
            return
        cur = self._db.execute(f"SELECT data FROM {self._table} ORDER BY rowid")
        while True:
            rows = cur.fetchmany(_FETCH)
            if not rows:
                return
            for (data,) in rows:
                yield pickle.loads(data)

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._len)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            if start >= stop:
                return []
            rows = self._db.execute(f"SELECT data FROM {self._table} WHERE rowid > ? AND rowid <= ? ORDER BY rowid",
                                    (start, stop)).fetchall()
            return [pickle.loads(d) for (d,) in rows]
        i = index.__index__()
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("SpillList index out of range")
        (data,) = self._db.execute(f"SELECT data FROM {self._table} WHERE rowid = ?", (i + 1,)).fetchone()
        return pickle.loads(data)

    def __eq__(self, other) -> bool:
        """Equal to a list, tuple or SpillList holding equal items in the same order."""
        if not isinstance(other, (list, tuple, SpillList)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None     # mutable

    def __repr__(self) -> str:
        return f"<SpillList of {self._len} items>"

    def close(self) -> None:
        """Free the storage now (the list is then empty)."""
        self._db.close()
        self._len = 0
        self._arity = None

    def __getstate__(self):
        raise TypeError("a SpillList is not picklable (its storage belongs to this process)")

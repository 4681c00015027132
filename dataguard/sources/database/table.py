"""One database table as a scan item: its chunks are per column (the location unit
of a database finding is a column), values batched with one anchor per value
pointing at the row's primary key (or rowid / row number)."""
from __future__ import annotations

from typing import Iterator, Optional

from dataguard.sources.database.errors import error_kind, short_error
from dataguard.sources.database.values import cell_texts, is_prose, words
from dataguard.types import Anchor, Chunk, ItemMeta, Limits, Pointer, Problem, Unit

VALUES_PER_CHUNK = 200


class _Column:
    __slots__ = ("name", "mode", "context", "texts", "anchors", "chars", "keys")

    def __init__(self, name: str, mode: str, context: tuple):
        self.name, self.mode, self.context = name, mode, context
        self.texts: list = []
        self.anchors: list = []
        self.chars = 0
        self.keys: list = []


class DatabaseTable:
    """One table (an Item); its chunks are per column."""

    def __init__(self, source, schema: str, table: str, columns: list, pk: list, col_types: dict):
        self.source = source
        self.schema = schema
        self.table = table
        self.name = f"{schema}.{table}"
        self.columns = columns        # [(name, mode)] of analysed columns
        self.pk = pk                  # [name]
        self.col_types = col_types    # {name: SQLAlchemy type} of every column
        self.estimate: Optional[int] = None
        self.unit = Unit(target=source.display_uri, uri=f"{source.display_uri}#{self.name}", path=self.name,
                         table=self.name, column=None, source="database")
        # no mtime: database tables are never taken from the incremental-rescan cache;
        # no size: ItemMeta.size counts bytes, and rows are not bytes (see info["tables"]).
        self.meta = ItemMeta()

    def column_unit(self, column: str) -> Unit:
        return Unit(target=self.unit.target, uri=self.unit.uri, path=self.name, table=self.name,
                    column=column, source="database")

    # -------------------------------------------------------------- chunks
    def chunks(self, limits: Optional[Limits] = None) -> Iterator[Chunk | Problem]:
        limits = limits or Limits()
        src = self.source
        record = {"table": self.name, "method": None, "seed": src.sample_seed,
                  "rows_read": 0, "rows_estimate": self.estimate}
        src.info["tables"].append(record)
        if not self.columns:
            record["method"] = "none"
            record["note"] = "no column that can hold personal data"
            return
        table_words = words(self.table)
        cols = [_Column(name, mode, tuple(words(name)) + tuple(w for w in table_words if w not in words(name)))
                for name, mode in self.columns]
        max_chars = max(1000, int(limits.chunk_chars))
        rows = 0
        try:
            for row_id, values in src.read_rows(self, record):
                rows += 1
                record["rows_read"] = rows
                ptr_row = row_id if row_id is not None else str(rows)
                for col, v in zip(cols, values):
                    texts = cell_texts(col.mode, v, col.keys)
                    for t in texts:
                        if len(t) > max_chars:
                            yield from self._flush(col, limits)
                            yield from self._long_value(col, t, ptr_row, limits)
                            continue
                        if col.chars + len(t) + 1 > max_chars:
                            yield from self._flush(col, limits)
                        col.anchors.append(col.chars)
                        col.texts.append((t, ptr_row))
                        col.chars += len(t) + 1
                        if len(col.texts) >= VALUES_PER_CHUNK:
                            yield from self._flush(col, limits)
            for col in cols:
                yield from self._flush(col, limits)
        except Exception as exc:  # noqa: BLE001 - per-table failure: record and go on
            kind = error_kind(exc)
            record["error"] = kind
            if kind == "unreachable":
                src.info["incomplete"] = True
                src.info["incomplete_reason"] = "database connection lost during the scan"
            for col in cols:   # what was read before the failure is still analysed
                yield from self._flush(col, limits)
            yield Problem(uri=self.unit.uri, kind=kind,
                          message=f"cannot read table {self.name}: {short_error(exc)}")

    def _flush(self, col: _Column, limits: Limits) -> Iterator[Chunk]:
        if not col.texts:
            return
        texts = [t for t, _ in col.texts]
        anchors = tuple(Anchor(off, Pointer(row=r)) for off, (_, r) in zip(col.anchors, col.texts))
        context = col.context
        if col.keys:
            extra = []
            for k in col.keys:
                for w in words(k):
                    if w not in context and w not in extra:
                        extra.append(w)
            context = context + tuple(extra[:32])
        chunk = Chunk(unit=self.column_unit(col.name), text="\n".join(texts), first_line=None,
                      anchors=anchors, context=context, hint="prose" if is_prose(texts) else "structured")
        col.texts, col.anchors, col.chars, col.keys = [], [], 0, []
        yield chunk

    def _long_value(self, col: _Column, text: str, row: str, limits: Limits) -> Iterator[Chunk]:
        """A value longer than one chunk: windows with overlap (keep windows do not overlap)."""
        size = max(1000, int(limits.chunk_chars))
        ov = max(0, int(limits.overlap_chars))
        unit = self.column_unit(col.name)
        for start in range(0, len(text), size):
            lo = max(0, start - ov)
            hi = min(len(text), start + size + ov)
            yield Chunk(unit=unit, text=text[lo:hi], keep_start=start - lo, keep_end=min(start + size, len(text)) - lo,
                        first_line=None, anchors=(Anchor(0, Pointer(row=row)),), context=col.context, hint="prose")

"""One database table as a scan item: its chunks are per column (the location unit
of a database finding is a column), values batched with one anchor per value
pointing at the row's primary key (or rowid / row number). A JSON column gives one
batch per key path (``Chunk.column`` and the evidence's ``part``: ``profile.dob``), so
each path is judged by its own name; a document stored in a blob is extracted like a file."""
from __future__ import annotations

import io
from dataclasses import replace
from typing import Iterator, Optional

from dataguard.extract import extract
from dataguard.sources.database.errors import error_kind, short_error
from dataguard.sources.database.values import MAX_PATHS, blob_bytes, cell_texts, is_prose, words
from dataguard.types import NAME_PART, Anchor, Chunk, ItemMeta, Limits, Pointer, Problem, Unit

VALUES_PER_CHUNK = 200
NAME = Pointer(part=NAME_PART)
MAX_BLOB_DOCUMENTS = 1000     # document blobs (PDF, office files, archives) extracted per column


class _Part:
    """The values of one column (``path`` None) or of one JSON key path inside it, batched."""
    __slots__ = ("path", "texts", "anchors", "chars")

    def __init__(self, path: Optional[str]):
        self.path = path
        self.texts: list = []      # (text, row)
        self.anchors: list = []
        self.chars = 0


class _Column:
    __slots__ = ("name", "mode", "context", "parts", "documents")

    def __init__(self, name: str, mode: str, context: tuple):
        self.name, self.mode, self.context = name, mode, context
        self.parts: dict = {}      # key path (None: the column itself) -> _Part
        self.documents = 0

    def part(self, path: Optional[str]) -> _Part:
        p = self.parts.get(path)
        if p is None:
            if path is not None and len(self.parts) >= MAX_PATHS:
                return self.part(None)
            p = self.parts[path] = _Part(path)
        return p


MAX_SIBLINGS = 200          # a table's column names a column's chunks carry (its neighbours' meaning)


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
        self.siblings = tuple(col_types)[:MAX_SIBLINGS]     # what each column's chunks carry
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
        yield from self.name_chunks()
        if not self.columns:
            record["method"] = "none"
            record["note"] = "no column that can hold personal data"
            return
        table_words = words(self.table)
        cols = [_Column(name, mode, tuple(words(name)) + tuple(w for w in table_words if w not in words(name)))
                for name, mode in self.columns]
        rows = 0
        try:
            for row_id, values in src.read_rows(self, record):
                rows += 1
                record["rows_read"] = rows
                row = row_id if row_id is not None else str(rows)
                for col, v in zip(cols, values):
                    yield from self._cell(col, v, row, limits, record)
            for col in cols:
                yield from self._flush_all(col)
        except Exception as exc:  # noqa: BLE001 - per-table failure: record and go on
            kind = error_kind(exc)
            record["error"] = kind
            if kind == "unreachable":
                src.info["incomplete"] = True
                src.info["incomplete_reason"] = "database connection lost during the scan"
            for col in cols:   # what was read before the failure is still analysed
                yield from self._flush_all(col)
            yield Problem(uri=self.unit.uri, kind=kind,
                          message=f"cannot read table {self.name}: {short_error(exc)}")

    def name_chunks(self) -> Iterator[Chunk]:
        """The table's and its columns' names, each a chunk of its unit (names are data)."""
        yield Chunk(unit=self.unit, text=self.table, first_line=None, anchors=(Anchor(0, NAME),))
        for column in self.col_types:
            yield Chunk(unit=self.column_unit(column), text=column, first_line=None, anchors=(Anchor(0, NAME),))

    def _cell(self, col: _Column, v, row: str, limits: Limits, record: dict) -> Iterator[Chunk]:
        """The chunks one cell completes: its texts batched per key path; a document blob extracted."""
        data = blob_bytes(v)
        if data is not None:
            yield from self._document(col, data, row, limits, record)
            return
        max_chars = max(1000, int(limits.chunk_chars))
        for path, t in cell_texts(col.mode, v):
            part = col.part(path)
            if len(t) > max_chars:
                yield from self._flush(col, part)
                yield from self._long_value(col, part, t, row, limits)
                continue
            if part.chars + len(t) + 1 > max_chars:
                yield from self._flush(col, part)
            part.anchors.append(part.chars)
            part.texts.append((t, row))
            part.chars += len(t) + 1
            if len(part.texts) >= VALUES_PER_CHUNK:
                yield from self._flush(col, part)

    def _document(self, col: _Column, data: bytes, row: str, limits: Limits, record: dict) -> Iterator[Chunk]:
        """A blob that is a document (PDF, office file, archive, mail): its text through the
        extractors, every chunk pointing at the row; images and other binaries give nothing."""
        if col.documents >= MAX_BLOB_DOCUMENTS or len(data) > limits.parse_cap:
            record["blobs_not_read"] = record.get("blobs_not_read", 0) + 1
            return
        col.documents += 1
        unit = self.column_unit(col.name)
        for piece in extract(unit, lambda: io.BytesIO(data), col.name, limits, depth=1):
            if isinstance(piece, Chunk):
                yield _at_row(piece, row)
            elif not piece.skipped:
                record["blobs_unreadable"] = record.get("blobs_unreadable", 0) + 1

    def _flush_all(self, col: _Column) -> Iterator[Chunk]:
        for part in list(col.parts.values()):
            yield from self._flush(col, part)

    def _flush(self, col: _Column, part: _Part) -> Iterator[Chunk]:
        if not part.texts:
            return
        texts = [t for t, _ in part.texts]
        path = f"{col.name}.{part.path}" if part.path else None
        anchors = tuple(Anchor(off, Pointer(row=r, part=path)) for off, (_, r) in zip(part.anchors, part.texts))
        yield Chunk(unit=self.column_unit(col.name), text="\n".join(texts), first_line=None, anchors=anchors,
                    context=_context(col, part.path), hint="prose" if is_prose(texts) else "structured",
                    column=path, siblings=self.siblings)
        part.texts, part.anchors, part.chars = [], [], 0

    def _long_value(self, col: _Column, part: _Part, text: str, row: str, limits: Limits) -> Iterator[Chunk]:
        """A value longer than one chunk: windows with overlap (keep windows do not overlap)."""
        size = max(1000, int(limits.chunk_chars))
        ov = max(0, int(limits.overlap_chars))
        unit = self.column_unit(col.name)
        path = f"{col.name}.{part.path}" if part.path else None
        for start in range(0, len(text), size):
            lo = max(0, start - ov)
            hi = min(len(text), start + size + ov)
            yield Chunk(unit=unit, text=text[lo:hi], keep_start=start - lo, keep_end=min(start + size, len(text)) - lo,
                        first_line=None, anchors=(Anchor(0, Pointer(row=row, part=path)),),
                        context=_context(col, part.path), hint="prose", column=path,
                        siblings=self.siblings)


def _context(col: _Column, path: Optional[str]) -> tuple:
    """Context words: those of the key path (if any), then the column's and the table's."""
    if not path:
        return col.context
    own = [w for k in path.split(".") for w in words(k)]
    return tuple(dict.fromkeys(own + list(col.context)))[:48]


def _at_row(chunk: Chunk, row: str) -> Chunk:
    """A chunk of a document stored in a blob, every location in it also pointing at the row."""
    anchors = tuple(Anchor(a.offset, replace(a.pointer, row=row)) for a in chunk.anchors)
    if not anchors or anchors[0].offset > 0:
        anchors = (Anchor(0, Pointer(row=row)),) + anchors
    return replace(chunk, anchors=anchors)

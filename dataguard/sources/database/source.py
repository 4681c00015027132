"""The database source: connects read-only, lists the tables the include / exclude
globs select, classifies their columns and hands each table to its dialect's sampler."""
from __future__ import annotations

import os
import sqlite3
import warnings
from typing import Iterator, Optional, Union

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from dataguard.sources.base import Source, SourceOptions, TargetError, table_selected
from dataguard.sources.database.mysql import read_rows as mysql_rows
from dataguard.sources.database.postgresql import partition_parents, partitioned_tables, read_rows as postgresql_rows
from dataguard.sources.database.sqlite import read_rows as sqlite_rows
from dataguard.sources.database.engine import EngineState, make_engine, parse_url, sqlite_path
from dataguard.sources.database.errors import connect_message, error_kind, short_error
from dataguard.sources.database.table import DatabaseTable
from dataguard.sources.database.values import classify
from dataguard.types import ItemMeta, Problem, Unit

SKIPPED_COLUMNS_CAP = 2000
SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
SAMPLERS = {"sqlite": sqlite_rows, "postgresql": postgresql_rows, "mysql": mysql_rows}


class DatabaseSource(Source):
    kind = "database"

    def __init__(self, url: str, options: Optional[SourceOptions] = None):
        super().__init__()
        self.options = options = options or SourceOptions()
        db = parse_url(url)
        self._url, self.display_uri, self.backend = db.url, db.display, db.backend
        self.sample_rows: Optional[int] = None if options.sample_rows is None else max(1, int(options.sample_rows))
        self.sample_seed: int = int(options.sample_seed or 0)
        self.statement_timeout_s: float = float(options.statement_timeout_s or 300.0)
        self.include = tuple(options.include or ())
        self.exclude = tuple(options.exclude or ())
        self._parent_of: dict = {}      # PostgreSQL: "schema.partition" -> "schema.partitioned table"
        self.info: dict = {"dialect": self.backend, "sample_rows": self.sample_rows, "sample_seed": self.sample_seed,
                           "read_only": True, "tables": [], "skipped_columns": [], "excluded_tables": 0}
        self._skipped_columns_total = 0
        self._state = EngineState()
        if self.backend == "sqlite":
            self.path = sqlite_path(db)
        self.engine = make_engine(db, self._password(), self.statement_timeout_s, self._state)
        self._check_connection()

    @property
    def rows_sampled(self) -> int:
        return sum(int(t.get("rows_read") or 0) for t in self.info.get("tables", ()))

    def _password(self) -> Optional[str]:
        return self._url.password or self.options.db_password or os.environ.get("DATAGUARD_DB_PASSWORD") or None

    def _check_connection(self) -> None:
        try:
            with self.engine.connect() as con:
                version = con.execute(sa.text("SELECT sqlite_version()" if self.backend == "sqlite"
                                              else "SELECT version()")).scalar()
                self.info["server_version"] = str(version)[:120]
                if self.backend == "sqlite":   # reads the header: "file is not a database" shows here
                    con.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar()
                    return
                self.info["dialect"] = "mariadb" if self._state.is_mariadb else self.backend
                if self.backend == "postgresql":
                    ro = con.execute(sa.text("SHOW transaction_read_only")).scalar()
                    if str(ro).lower() != "on":
                        raise TargetError(f"{self.display_uri}: could not make the session read-only")
        except SQLAlchemyError as exc:
            msg = connect_message(exc, self.display_uri, self._url.username, bool(self._password()))
            self.engine.dispose()
            raise TargetError(msg) from None
        except sqlite3.Error as exc:
            self.engine.dispose()
            raise TargetError(f"{self.display_uri}: cannot open database ({type(exc).__name__})") from None

    def close(self) -> None:
        try:
            self.engine.dispose()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------ what the samplers use
    def quote(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def qualified(self, schema: str, table: str) -> str:
        return f"{self.quote(schema)}.{self.quote(table)}"

    def read_rows(self, item: DatabaseTable, record: dict) -> Iterator[tuple]:
        """(row id or None, values of item.columns) of the sampled rows (see the samplers)."""
        return SAMPLERS[self.backend](self, item, record)

    # ------------------------------------------------------------ discovery
    def _schemas(self, insp) -> list:
        if self.backend == "sqlite":
            return ["main"]
        if self.backend == "mysql" and self._url.database:
            return [self._url.database]
        names = insp.get_schema_names()
        return [s for s in names if s.lower() not in SYSTEM_SCHEMAS
                and not s.lower().startswith(("pg_temp_", "pg_toast_temp_"))]

    def _tables(self, insp, schema: str) -> list:
        """The relations of ``schema`` that hold rows: tables and PostgreSQL materialized views
        (stored copies of data), not views; a partitioned table is read through its partitions
        (listed too: reading both would count every value twice)."""
        names = insp.get_table_names(schema=schema)
        if self.backend != "postgresql":
            return names
        with self.engine.connect() as con:
            parents = set(partitioned_tables(con, schema))
            self._parent_of.update({f"{schema}.{t}": p for t, p in partition_parents(con, schema).items()})
        return [t for t in names if t not in parents] + insp.get_materialized_view_names(schema=schema)

    def _selected(self, name: str) -> bool:
        """include / exclude for a table; a partition also by its partitioned table's name (a
        parent named in ``include`` selects its partitions, an excluded one drops them)."""
        parent = self._parent_of.get(name)
        if parent is None:
            return table_selected(name, self.include, self.exclude)
        return (table_selected(name, self.include, self.exclude) or table_selected(parent, self.include, ())) \
            and table_selected(parent, (), self.exclude)

    def items(self) -> Iterator[Union[DatabaseTable, Problem]]:
        try:
            insp = sa.inspect(self.engine)
            schemas = self._schemas(insp)
        except SQLAlchemyError as exc:
            raise TargetError(connect_message(exc, self.display_uri, self._url.username,
                                              bool(self._password()))) from None
        for schema in schemas:
            try:
                tables = sorted(self._tables(insp, schema))
            except SQLAlchemyError as exc:
                yield Problem(uri=f"{self.display_uri}#{schema}", kind=error_kind(exc),
                              message=f"cannot list tables of schema {schema}: {short_error(exc)}")
                continue
            for table in tables:
                name = f"{schema}.{table}"
                if not self._selected(name):
                    self.info["excluded_tables"] += 1
                    continue
                try:
                    yield self._table_item(insp, schema, table)
                except Exception as exc:  # noqa: BLE001
                    yield Problem(uri=f"{self.display_uri}#{name}", kind=error_kind(exc),
                                  message=f"cannot inspect table {name}: {short_error(exc)}")

    def reopen(self, unit: Unit, meta: ItemMeta, name: str) -> DatabaseTable:
        schema, _, table = name.partition(".")
        return self._table_item(sa.inspect(self.engine), schema, table)

    def _skip_column(self, table: str, column: str, coltype, reason: str) -> None:
        self._skipped_columns_total += 1
        self.info["skipped_columns_total"] = self._skipped_columns_total
        if len(self.info["skipped_columns"]) < SKIPPED_COLUMNS_CAP:
            try:
                tname = str(coltype)
            except Exception:  # noqa: BLE001
                tname = type(coltype).__name__
            self.info["skipped_columns"].append({"table": table, "column": column, "type": tname, "reason": reason})

    def _table_item(self, insp, schema: str, table: str) -> DatabaseTable:
        name = f"{schema}.{table}"
        with warnings.catch_warnings():     # SAWarning on a type it does not know (xml): read as "auto"
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            cols = insp.get_columns(table, schema=schema)
        try:
            pk = list((insp.get_pk_constraint(table, schema=schema) or {}).get("constrained_columns") or [])
        except SQLAlchemyError:
            pk = []
        analysed = []
        for c in cols:
            mode, reason = classify(c["type"])
            if mode == "number" and len(pk) == 1 and c["name"] == pk[0] and isinstance(c["type"], sa.Integer):
                mode, reason = "skip", "surrogate integer primary key"
            if mode == "skip":
                self._skip_column(name, c["name"], c["type"], reason)
                continue
            analysed.append((c["name"], mode))
        return DatabaseTable(self, schema, table, analysed, pk, {c["name"]: c["type"] for c in cols})

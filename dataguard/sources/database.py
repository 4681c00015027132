"""Database targets: SQLite, PostgreSQL, MariaDB/MySQL through SQLAlchemy.

One item per table; its chunks are PER COLUMN (the location unit of a database
finding is a column).  Values of one column are batched into chunks (one
``Anchor`` per value pointing at the row's primary key, or the rowid / row
number), with the column and table names as context words.

Everything is read-only and bounded:

* SQLite is opened with ``mode=ro`` (the file is never written);
* PostgreSQL sessions run with ``default_transaction_read_only=on`` and a
  ``statement_timeout``;
* MariaDB/MySQL sessions run ``SET SESSION TRANSACTION READ ONLY`` and
  ``max_statement_time`` (MariaDB) / ``max_execution_time`` (MySQL).

Sampling (``options.sample_rows``, default 10000; None reads every row) is
seeded (``options.sample_seed``) and never sorts a big table:

=====================  ======================================================
method                 used for
=====================  ======================================================
``all``                table estimated at <= N rows (read with LIMIT N)
``tablesample-system`` PostgreSQL big tables (``TABLESAMPLE SYSTEM (pct) REPEATABLE (seed)``)
``tablesample-bernoulli`` PostgreSQL big tables with few pages
``pk-range``           MariaDB/MySQL big tables with an integer primary key:
                       seeded random windows over [min(pk), max(pk)]
``rand-filter``        MariaDB/MySQL big tables without one: ``WHERE RAND(seed) < p``
``rowid``              SQLite big tables: seeded random rowid set
``first-rows``         fallback (SQLite WITHOUT ROWID tables): the first N rows
=====================  ======================================================

Each table read is recorded in ``info["tables"]`` (method, seed, rows_read,
rows_estimate); ``rows_sampled`` is the total number of rows read.
"""
from __future__ import annotations

import fnmatch
import ipaddress
import json
import math
import os
import random
import re
import sqlite3
import time
import urllib.parse
from decimal import Decimal
from typing import Any, Iterator, Optional, Union

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from dataguard.types import Anchor, Chunk, ItemMeta, Limits, Pointer, Problem, Unit

try:  # the shared base class (written in parallel); standalone otherwise
    from dataguard.sources.base import Source as _SourceBase  # type: ignore
except Exception:  # noqa: BLE001
    _SourceBase = object

DEFAULT_SAMPLE_ROWS = 10_000
VALUES_PER_CHUNK = 200
FETCH_BATCH = 500
KEYSET_PAGE = 5000
PK_WINDOW_ROWS = 100          # rows per seeded primary-key window (MariaDB/MySQL)
CONNECT_TIMEOUT_S = 10
SKIPPED_COLUMNS_CAP = 2000
MIN_ID_DIGITS = 6             # integers shorter than this cannot be identifiers we look for

SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
_SECRET_QUERY_KEYS = {"password", "passwd", "pwd", "sslpassword", "secret", "token", "api_key", "apikey"}


def _target_error(message: str) -> Exception:
    """The shared TargetError (looked up at raise time: sources/__init__ may import us first)."""
    try:
        from dataguard.sources import TargetError  # type: ignore
    except Exception:  # noqa: BLE001
        try:
            from dataguard.sources.base import TargetError  # type: ignore
        except Exception:  # noqa: BLE001
            TargetError = _FallbackTargetError
    return TargetError(message)


class _FallbackTargetError(Exception):
    pass


def _opt(options, name, default):
    if options is None:
        return default
    return getattr(options, name, default)


# ----------------------------------------------------------------- URLs
def _normalise_url(raw: str):
    """(connect URL with the driver to use, display URL string without password)."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise _target_error(f"invalid database URL ({type(exc).__name__})") from None
    backend = url.get_backend_name()
    driver = url.get_driver_name() if "+" in url.drivername else ""
    if backend in ("postgresql", "postgres"):
        if driver not in ("psycopg",):
            url = url.set(drivername="postgresql+psycopg")
    elif backend in ("mysql", "mariadb"):
        if driver not in ("pymysql",):
            url = url.set(drivername=f"{backend}+pymysql")
    elif backend != "sqlite":
        raise _target_error(f"unsupported database kind: {backend}")
    query = {k: v for k, v in url.query.items() if k.lower() not in _SECRET_QUERY_KEYS}
    shown = make_url(raw).set(query=query)
    try:
        # URL.set(password=None) means "leave unchanged": drop the field itself
        shown = shown._replace(password=None)
        display = shown.render_as_string(hide_password=False)
    except Exception:  # noqa: BLE001
        display = shown.render_as_string(hide_password=True).replace(":***@", "@")
    if shown.password is not None or (url.password and str(url.password) in display):
        display = shown.render_as_string(hide_password=True).replace(":***@", "@")
    return url, display


def redact_db_url(raw: str) -> str:
    """The URL without its password (best effort, never raises)."""
    try:
        return _normalise_url(raw)[1]
    except Exception:  # noqa: BLE001
        return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1@", raw)


# ----------------------------------------------------------------- helpers
def _words(name: str) -> list:
    """Context words of an identifier: the name itself plus its parts (snake/camel case)."""
    name = str(name)
    parts = re.split(r"[_\W]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name))
    out = [name.lower()]
    out += [p.lower() for p in parts if p and not p.isdigit() and p.lower() != name.lower()]
    if len(parts) > 1:
        out.append(" ".join(p.lower() for p in parts if p))
    seen, res = set(), []
    for w in out:
        if w and w not in seen:
            seen.add(w)
            res.append(w)
    return res


def _glob_match(name: str, patterns) -> bool:
    """``schema.table`` against globs (case-insensitive); a pattern without a dot also matches the bare table name."""
    lname = name.lower()
    table = lname.split(".", 1)[1] if "." in lname else lname
    for p in patterns or ():
        lp = str(p).lower()
        if fnmatch.fnmatchcase(lname, lp) or ("." not in lp and fnmatch.fnmatchcase(table, lp)):
            return True
    return False


def _classify(coltype) -> tuple:
    """(mode, reason): mode is text | json | blob | number | array | auto | skip."""
    t = coltype
    name = type(t).__name__.upper()
    try:
        from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
    except Exception:  # noqa: BLE001
        PG_ARRAY = ()
    if isinstance(t, sa.Boolean):
        return "skip", "boolean"
    if isinstance(t, (sa.Date, sa.DateTime, sa.Time, sa.Interval)) or name in ("YEAR", "TIMESTAMP", "DATETIME"):
        return "skip", "date/time"
    if isinstance(t, sa.Uuid) or name == "UUID":
        return "skip", "uuid"
    if isinstance(t, sa.Enum):
        return "skip", "enum"
    if isinstance(t, sa.JSON) or name in ("JSON", "JSONB"):
        return "json", ""
    if isinstance(t, sa.ARRAY) or (PG_ARRAY and isinstance(t, PG_ARRAY)):
        return "array", ""
    if isinstance(t, sa.Float) or name in ("REAL", "DOUBLE", "DOUBLE_PRECISION", "FLOAT"):
        return "skip", "float"
    if isinstance(t, sa.SmallInteger) or name in ("TINYINT", "SMALLINT", "MEDIUMINT", "BIT"):
        return "skip", "small integer"
    if isinstance(t, sa.Integer):
        return "number", ""
    if isinstance(t, sa.Numeric):
        scale = getattr(t, "scale", None)
        precision = getattr(t, "precision", None)
        if scale:
            return "skip", "decimal with fraction"
        if precision is not None and precision < MIN_ID_DIGITS:
            return "skip", "numeric too short for an identifier"
        return "number", ""
    if isinstance(t, (sa.LargeBinary, getattr(sa.types, "_Binary", sa.LargeBinary))) or name in ("BYTEA", "BLOB", "LONGBLOB", "MEDIUMBLOB",
                                                               "TINYBLOB", "VARBINARY", "BINARY"):
        return "blob", ""
    if isinstance(t, (sa.String, sa.Text)):
        return "text", ""
    return "auto", ""


def _digits(v) -> Optional[str]:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        s = str(abs(v))
    elif isinstance(v, Decimal):
        if not v.is_finite() or v != v.to_integral_value():
            return None
        s = str(abs(int(v)))
    else:
        return None
    return s if len(s) >= MIN_ID_DIGITS else None


def _blob_text(v) -> Optional[str]:
    if isinstance(v, memoryview):
        v = v.tobytes()
    if not isinstance(v, (bytes, bytearray)) or not v:
        return None
    data = bytes(v)
    try:
        from dataguard.extract.sniff import looks_textual
        if not looks_textual(data[:8192]):
            return None
    except Exception:  # noqa: BLE001
        if b"\x00" in data[:8192]:
            return None
    for enc in ("utf-8", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:1_000_000]).best()
        if best is not None:
            return str(best)
    except Exception:  # noqa: BLE001
        pass
    return data.decode("latin-1")


def _json_leaves(obj, keys: list, depth: int = 0) -> Iterator[str]:
    """String (and identifier-like number) leaves of a parsed JSON document; keys go to ``keys``."""
    if depth > 64:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if len(keys) < 64:
                keys.append(str(k))
            yield from _json_leaves(v, keys, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _json_leaves(v, keys, depth + 1)
    elif isinstance(obj, str):
        if obj.strip():
            yield obj
    elif isinstance(obj, (int, Decimal)) and not isinstance(obj, bool):
        d = _digits(obj)
        if d:
            yield d
    elif isinstance(obj, float) and obj.is_integer():
        d = _digits(int(obj))
        if d:
            yield d


def _values(mode: str, v, keys: list) -> list:
    """The texts one cell contributes (possibly none)."""
    if v is None:
        return []
    if mode == "text":
        if isinstance(v, (bytes, bytearray, memoryview)):
            t = _blob_text(v)
            return [t] if t and t.strip() else []
        s = v if isinstance(v, str) else str(v)
        if s[:1] in "{[" and s.rstrip()[-1:] in "}]" and len(s) < 5_000_000:
            try:    # JSON kept in a text column (MariaDB's JSON is LONGTEXT): walk its leaves
                return list(_json_leaves(json.loads(s), keys))
            except ValueError:
                pass
        return [s] if s.strip() else []
    if mode == "number":
        d = _digits(v)
        if d is None and isinstance(v, str) and v.strip().isdigit() and len(v.strip()) >= MIN_ID_DIGITS:
            d = v.strip()
        return [d] if d else []
    if mode == "blob":
        t = _blob_text(v)
        return [t] if t and t.strip() else []
    if mode in ("json", "array"):
        if isinstance(v, (bytes, bytearray, memoryview)):
            v = _blob_text(v) or ""
        if isinstance(v, str):
            try:
                v = json.loads(v)
            except ValueError:
                return [v] if v.strip() else []
        return list(_json_leaves(v, keys))
    # auto: decide by the Python type of the value
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, (bytes, bytearray, memoryview)):
        return _values("blob", v, keys)
    if isinstance(v, (dict, list, tuple)):
        return list(_json_leaves(v, keys))
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        d = _digits(v)
        return [d] if d else []
    if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface,
                      ipaddress.IPv6Interface, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return [str(v)]
    return []


def _is_prose(texts: list) -> bool:
    if not texts:
        return False
    total = sum(len(t) for t in texts)
    if total / len(texts) > 40:
        return True
    # free text: most values have several words made of letters (a phone number's groups are not words);
    # judged on a few values spread over the batch (cheap)
    step = max(1, len(texts) // 24)
    probe = texts[::step]
    wordy = sum(1 for t in probe if sum(1 for w in t.split(None, 8)[:8] if not w.isdigit() and any(c.isalpha() for c in w)) >= 4)
    return wordy * 2 > len(probe)


def _error_kind(exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if code == "57014":
        return "timeout"
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in (1969, 3024, 1317):
        return "timeout"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "unreachable"
    return "unreadable"


def _short_error(exc: BaseException) -> str:
    """Exception type (and SQL state / error code) only: library messages may echo data."""
    orig = getattr(exc, "orig", None) or exc
    bits = [type(orig).__name__]
    code = getattr(orig, "sqlstate", None)
    if code:
        bits.append(f"SQLSTATE {code}")
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int):
        bits.append(f"error {args[0]}")
    return " ".join(bits)


# ----------------------------------------------------------------- the item
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

    def __init__(self, source: "DatabaseSource", schema: str, table: str, columns: list, pk: list,
                 estimate: Optional[int]):
        self.source = source
        self.schema = schema
        self.table = table
        self.name = f"{schema}.{table}"
        self.columns = columns        # [(name, mode)] of analysed columns
        self.pk = pk                  # [name]
        self.estimate = estimate
        self.unit = Unit(target=source.display_uri, uri=f"{source.display_uri}#{self.name}", path=self.name,
                         table=self.name, column=None, source="database")
        # no mtime: database tables are never taken from the incremental-rescan cache;
        # no size: ItemMeta.size counts bytes, and rows are not bytes (see info["tables"]).
        self.meta = ItemMeta()

    def column_unit(self, column: str) -> Unit:
        return Unit(target=self.unit.target, uri=self.unit.uri, path=self.name, table=self.name,
                    column=column, source="database")

    # -------------------------------------------------------------- chunks
    def chunks(self, limits: Optional[Limits] = None) -> Iterator[Union[Chunk, Problem]]:
        limits = limits or Limits()
        src = self.source
        record = {"table": self.name, "method": None, "seed": src.sample_seed,
                  "rows_read": 0, "rows_estimate": self.estimate}
        src.info["tables"].append(record)
        if not self.columns:
            record["method"] = "none"
            record["note"] = "no column that can hold personal data"
            return
        table_words = _words(self.table)
        cols = [_Column(name, mode, tuple(_words(name)) + tuple(w for w in table_words if w not in _words(name)))
                for name, mode in self.columns]
        max_chars = max(1000, int(limits.chunk_chars))
        rows = 0
        try:
            for row_id, values in src._read_rows(self, record):
                rows += 1
                record["rows_read"] = rows
                ptr_row = row_id if row_id is not None else str(rows)
                for col, v in zip(cols, values):
                    texts = _values(col.mode, v, col.keys)
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
            kind = _error_kind(exc)
            record["error"] = kind
            if kind == "unreachable":
                src.info["incomplete"] = True
                src.info["incomplete_reason"] = "database connection lost during the scan"
            for col in cols:   # what was read before the failure is still analysed
                yield from self._flush(col, limits)
            yield Problem(uri=self.unit.uri, kind=kind,
                          message=f"cannot read table {self.name}: {_short_error(exc)}")

    def _flush(self, col: _Column, limits: Limits) -> Iterator[Chunk]:
        if not col.texts:
            return
        texts = [t for t, _ in col.texts]
        anchors = tuple(Anchor(off, Pointer(row=r)) for off, (_, r) in zip(col.anchors, col.texts))
        context = col.context
        if col.keys:
            extra = []
            for k in col.keys:
                for w in _words(k):
                    if w not in context and w not in extra:
                        extra.append(w)
            context = context + tuple(extra[:32])
        chunk = Chunk(unit=self.column_unit(col.name), text="\n".join(texts), first_line=None,
                      anchors=anchors, context=context, hint="prose" if _is_prose(texts) else "structured")
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


# ----------------------------------------------------------------- the source
class DatabaseSource(_SourceBase):
    kind = "database"

    def __init__(self, url: str, options=None):
        super().__init__()
        self.options = options
        self._url, self.display_uri = _normalise_url(url)
        self.backend = self._url.get_backend_name()
        if self.backend == "postgres":
            self.backend = "postgresql"
        elif self.backend == "mariadb":
            self.backend = "mysql"      # same code path; info["dialect"] tells them apart
        sample = _opt(options, "sample_rows", DEFAULT_SAMPLE_ROWS)
        self.sample_rows: Optional[int] = None if sample is None else max(1, int(sample))
        self.sample_seed: int = int(_opt(options, "sample_seed", 42) or 0)
        self.statement_timeout_s: float = float(_opt(options, "statement_timeout_s", 300.0) or 300.0)
        self.include = tuple(_opt(options, "include", ()) or ())
        self.exclude = tuple(_opt(options, "exclude", ()) or ())
        self.info: dict = {"dialect": self.backend, "sample_rows": self.sample_rows, "sample_seed": self.sample_seed,
                           "read_only": True, "tables": [], "skipped_columns": [], "excluded_tables": 0}
        self._skipped_columns_total = 0
        self._is_mariadb = False
        self.engine = self._make_engine(url)
        self._check_connection()

    # ------------------------------------------------------------ rows_sampled
    @property
    def rows_sampled(self) -> int:
        return sum(int(t.get("rows_read") or 0) for t in self.info.get("tables", ()))

    # ------------------------------------------------------------ engine
    def _password(self) -> Optional[str]:
        if self._url.password:
            return self._url.password
        pw = _opt(self.options, "db_password", None)
        if pw:
            return pw
        return os.environ.get("DATAGUARD_DB_PASSWORD") or None

    def _make_engine(self, raw: str):
        timeout_s = self.statement_timeout_s
        if self.backend == "sqlite":
            path = self._url.database
            if not path or path == ":memory:":
                raise _target_error(f"{self.display_uri}: no SQLite database file given")
            if path.startswith("file:"):
                path = path[5:].split("?", 1)[0]
            if not os.path.isfile(path):
                raise _target_error(f"{self.display_uri}: database file not found")
            self.path = os.path.abspath(path)
            uri = "file:" + urllib.parse.quote(self.path) + "?mode=ro"

            def creator():
                con = sqlite3.connect(uri, uri=True, timeout=min(timeout_s, 30.0), check_same_thread=False)
                con.execute("PRAGMA query_only = ON")
                return con
            return sa.create_engine("sqlite://", creator=creator, poolclass=sa.pool.NullPool)

        url = self._url
        pw = self._password()
        if pw:
            url = url.set(password=pw)
        connect_timeout = int(max(1, min(CONNECT_TIMEOUT_S, math.ceil(timeout_s))))
        if self.backend == "postgresql":
            ms = int(timeout_s * 1000)
            connect_args = {"connect_timeout": connect_timeout, "application_name": "dataguard",
                            "options": f"-c default_transaction_read_only=on -c statement_timeout={ms}"}
            engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=False, pool_size=2,
                                      max_overflow=2)

            @event.listens_for(engine, "connect")
            def _pg_ro(dbapi_con, _rec):  # belt and braces (poolers may drop startup options)
                with dbapi_con.cursor() as cur:
                    cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
                    cur.execute(f"SET statement_timeout = {ms}")
                dbapi_con.commit()
            return engine

        # MariaDB / MySQL
        if "charset" not in url.query:
            url = url.update_query_dict({"charset": "utf8mb4"})
        connect_args = {"connect_timeout": connect_timeout, "read_timeout": int(timeout_s) + 30,
                        "write_timeout": int(timeout_s) + 30}
        engine = sa.create_engine(url, connect_args=connect_args, pool_size=2, max_overflow=2)
        source = self

        @event.listens_for(engine, "connect")
        def _my_ro(dbapi_con, _rec):
            cur = dbapi_con.cursor()
            try:
                cur.execute("SELECT VERSION()")
                version = str(cur.fetchone()[0])
                source._is_mariadb = "mariadb" in version.lower()
                cur.execute("SET SESSION TRANSACTION READ ONLY")
                if source._is_mariadb:
                    cur.execute(f"SET SESSION max_statement_time = {float(timeout_s):.3f}")
                else:
                    try:
                        cur.execute(f"SET SESSION max_execution_time = {int(timeout_s * 1000)}")
                    except Exception:  # noqa: BLE001 - very old servers
                        pass
            finally:
                cur.close()
            dbapi_con.commit()
        return engine

    def _check_connection(self) -> None:
        try:
            with self.engine.connect() as con:
                version = con.execute(sa.text("SELECT sqlite_version()" if self.backend == "sqlite"
                                              else "SELECT version()")).scalar()
                self.info["server_version"] = str(version)[:120]
                if self.backend == "sqlite":   # reads the header: "file is not a database" shows here
                    con.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar()
                if self.backend != "sqlite":
                    self.info["dialect"] = "mariadb" if self._is_mariadb else self.backend
                    if self.backend == "postgresql":
                        ro = con.execute(sa.text("SHOW transaction_read_only")).scalar()
                        if str(ro).lower() != "on":
                            raise _target_error(f"{self.display_uri}: could not make the session read-only")
        except SQLAlchemyError as exc:
            msg = self._connect_message(exc)
            self.engine.dispose()
            raise _target_error(msg) from None
        except sqlite3.Error as exc:
            self.engine.dispose()
            raise _target_error(f"{self.display_uri}: cannot open database ({type(exc).__name__})") from None

    def _connect_message(self, exc: BaseException) -> str:
        orig = getattr(exc, "orig", None) or exc
        text = str(orig).lower()
        pw = self._password()
        if "password" in text and "authentication" in text or "access denied" in text \
                or "authentication failed" in text or getattr(orig, "args", (None,))[0] == 1045:
            why = "authentication failed (wrong user or password)"
        elif "timeout" in text or "timed out" in text:
            why = "connection timed out"
        elif "refused" in text or "can't connect" in text or "could not connect" in text \
                or "unreachable" in text or "no route" in text or "name or service" in text \
                or "could not translate host" in text or "nodename" in text or "failed to resolve" in text:
            why = "server unreachable (connection refused or host unknown)"
        elif "does not exist" in text or "unknown database" in text:
            why = "database does not exist"
        elif "not a database" in text or "file is encrypted" in text:
            why = "not a database file"
        else:
            why = f"connection failed ({_short_error(exc)})"
        msg = f"cannot connect to {self.display_uri}: {why}"
        if pw and pw in msg:      # paranoia: never let a password through
            msg = msg.replace(pw, "***")
        return msg

    def close(self) -> None:
        try:
            self.engine.dispose()
        except Exception:  # noqa: BLE001
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ discovery
    def _q(self, name: str) -> str:
        return self.engine.dialect.identifier_preparer.quote(name)

    def _qualified(self, schema: str, table: str) -> str:
        return f"{self._q(schema)}.{self._q(table)}"

    def _schemas(self, insp) -> list:
        if self.backend == "sqlite":
            return ["main"]
        if self.backend == "mysql" and self._url.database:
            return [self._url.database]
        names = insp.get_schema_names()
        return [s for s in names if s.lower() not in SYSTEM_SCHEMAS
                and not s.lower().startswith(("pg_temp_", "pg_toast_temp_"))]

    def items(self) -> Iterator[Union[DatabaseTable, Problem]]:
        try:
            insp = sa.inspect(self.engine)
            schemas = self._schemas(insp)
        except SQLAlchemyError as exc:
            raise _target_error(self._connect_message(exc)) from None
        for schema in schemas:
            try:
                tables = sorted(insp.get_table_names(schema=schema))
            except SQLAlchemyError as exc:
                yield Problem(uri=f"{self.display_uri}#{schema}", kind=_error_kind(exc),
                              message=f"cannot list tables of schema {schema}: {_short_error(exc)}")
                continue
            for table in tables:
                name = f"{schema}.{table}"
                if (self.include and not _glob_match(name, self.include)) or _glob_match(name, self.exclude):
                    self.info["excluded_tables"] += 1
                    continue
                try:
                    item = self._table_item(insp, schema, table)
                except Exception as exc:  # noqa: BLE001
                    yield Problem(uri=f"{self.display_uri}#{name}", kind=_error_kind(exc),
                                  message=f"cannot inspect table {name}: {_short_error(exc)}")
                    continue
                yield item

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
        cols = insp.get_columns(table, schema=schema)
        try:
            pk = list((insp.get_pk_constraint(table, schema=schema) or {}).get("constrained_columns") or [])
        except SQLAlchemyError:
            pk = []
        analysed = []
        for c in cols:
            mode, reason = _classify(c["type"])
            if mode == "number" and len(pk) == 1 and c["name"] == pk[0] and isinstance(c["type"], sa.Integer):
                mode, reason = "skip", "surrogate integer primary key"
            if mode == "skip":
                self._skip_column(name, c["name"], c["type"], reason)
                continue
            analysed.append((c["name"], mode))
        col_types = {c["name"]: c["type"] for c in cols}
        item = DatabaseTable(self, schema, table, analysed, pk, None)
        item._col_types = col_types
        return item

    # ------------------------------------------------------------ reading
    def _estimate(self, con, item: DatabaseTable) -> Optional[int]:
        qn = self._qualified(item.schema, item.table)
        if self.backend == "postgresql":
            plan = con.execute(sa.text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {qn}")).scalar()
            if isinstance(plan, str):
                plan = json.loads(plan)
            return int(plan[0]["Plan"]["Plan Rows"])
        if self.backend == "mysql":
            est = con.execute(sa.text("SELECT TABLE_ROWS FROM information_schema.TABLES "
                                      "WHERE TABLE_SCHEMA = :s AND TABLE_NAME = :t"),
                              {"s": item.schema, "t": item.table}).scalar()
            return None if est is None else int(est)
        return None

    def _read_rows(self, item: DatabaseTable, record: dict) -> Iterator[tuple]:
        """Yield (row_id or None, [values of item.columns]) for the sampled rows."""
        if self.backend == "sqlite":
            yield from self._read_sqlite(item, record)
        elif self.backend == "postgresql":
            yield from self._read_pg(item, record)
        else:
            yield from self._read_mysql(item, record)

    def _select_list(self, item: DatabaseTable, extra_first: list) -> str:
        return ", ".join(extra_first + [self._q(c) for c, _ in item.columns])

    def _stream(self, con, sql: str, params: Optional[dict] = None):
        res = con.execution_options(stream_results=True, yield_per=FETCH_BATCH).execute(sa.text(sql), params or {})
        try:
            for row in res:
                yield tuple(row)
        finally:
            res.close()

    @staticmethod
    def _row_id(values: tuple, npk: int) -> Optional[str]:
        if npk == 0:
            return None
        return ",".join("" if v is None else str(v) for v in values[:npk])

    def _read_sqlite(self, item: DatabaseTable, record: dict):
        N = self.sample_rows
        qn = self._qualified(item.schema, item.table)
        pk = item.pk
        with self.engine.connect() as con:
            has_rowid = True
            try:
                max_rowid = con.execute(sa.text(f"SELECT max(rowid) FROM {qn}")).scalar()
            except SQLAlchemyError:
                has_rowid = False
                max_rowid = None
            if has_rowid:
                max_rowid = int(max_rowid or 0)
                record["rows_estimate"] = item.estimate = max_rowid
                first = [self._q(p) for p in pk] if pk else ["rowid"]
                npk = len(first)
                sel = self._select_list(item, first)
                if N is None or max_rowid <= N:
                    record["method"] = "all"
                    for row in self._stream(con, f"SELECT {sel} FROM {qn}"):
                        yield self._row_id(row, npk), row[npk:]
                    return
                record["method"] = "rowid"
                rng = random.Random(self.sample_seed)
                ids = sorted(rng.sample(range(1, max_rowid + 1), N))
                for i in range(0, len(ids), FETCH_BATCH):
                    part = ",".join(str(x) for x in ids[i:i + FETCH_BATCH])
                    for row in con.execute(sa.text(f"SELECT {sel} FROM {qn} WHERE rowid IN ({part}) ORDER BY rowid")):
                        row = tuple(row)
                        yield self._row_id(row, npk), row[npk:]
                return
            # WITHOUT ROWID table
            npk = len(pk)
            sel = self._select_list(item, [self._q(p) for p in pk])
            if N is None:
                record["method"] = "all"
                sql = f"SELECT {sel} FROM {qn}"
            else:
                cnt = con.execute(sa.text(f"SELECT count(*) FROM (SELECT 1 FROM {qn} LIMIT {N + 1})")).scalar()
                record["method"] = "all" if cnt <= N else "first-rows"
                sql = f"SELECT {sel} FROM {qn} LIMIT {N}"
            for row in self._stream(con, sql):
                yield self._row_id(row, npk), row[npk:]

    def _read_pg(self, item: DatabaseTable, record: dict):
        N = self.sample_rows
        qn = self._qualified(item.schema, item.table)
        npk = len(item.pk)
        sel = self._select_list(item, [self._q(p) for p in item.pk])
        with self.engine.connect() as con:
            est = self._estimate(con, item)
            record["rows_estimate"] = item.estimate = est
            if N is None:
                record["method"] = "all"
                sql = f"SELECT {sel} FROM {qn}"
            elif est is None or est <= N:
                record["method"] = "all"
                sql = f"SELECT {sel} FROM {qn} LIMIT {N}"
            else:
                pages = con.execute(sa.text("SELECT relpages FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                                    {"t": qn}).scalar() or 0
                pct = min(100.0, 100.0 * N / est)
                # SYSTEM samples whole pages: cheap, but lumpy on small tables
                method = "SYSTEM" if pages >= 1000 and pct < 50 else "BERNOULLI"
                record["method"] = f"tablesample-{method.lower()}"
                record["percent"] = round(pct, 6)
                sql = (f"SELECT {sel} FROM {qn} TABLESAMPLE {method} ({pct:.6f}) "
                       f"REPEATABLE ({int(self.sample_seed)}) LIMIT {N}")
            for row in self._stream(con, sql):
                yield self._row_id(row, npk), row[npk:]

    def _read_mysql(self, item: DatabaseTable, record: dict):
        N = self.sample_rows
        qn = self._qualified(item.schema, item.table)
        npk = len(item.pk)
        sel = self._select_list(item, [self._q(p) for p in item.pk])
        types = getattr(item, "_col_types", {})
        with self.engine.connect() as con:
            est = self._estimate(con, item)
            record["rows_estimate"] = item.estimate = est
            int_pk = npk == 1 and isinstance(types.get(item.pk[0]), sa.Integer)
            if N is None or est is None or est <= N:
                record["method"] = "all"
                if int_pk:
                    # keyset pages: short statements (max_statement_time applies per page)
                    qpk = self._q(item.pk[0])
                    last, read = None, 0
                    while N is None or read < N:
                        want = KEYSET_PAGE if N is None else min(KEYSET_PAGE, N - read)
                        where = "" if last is None else f" WHERE {qpk} > :last"
                        rows = con.execute(sa.text(f"SELECT {sel} FROM {qn}{where} ORDER BY {qpk} LIMIT {want}"),
                                           {} if last is None else {"last": last}).all()
                        for row in rows:
                            row = tuple(row)
                            yield self._row_id(row, npk), row[npk:]
                        read += len(rows)
                        if len(rows) < want:
                            break
                        last = int(tuple(rows[-1])[0])
                    return
                sql = f"SELECT {sel} FROM {qn}" + ("" if N is None else f" LIMIT {N}")
                for row in self._stream(con, sql):
                    yield self._row_id(row, npk), row[npk:]
                return
            if not int_pk:
                record["method"] = "rand-filter"
                p = min(1.0, N / max(1, est) * 1.1)
                sql = f"SELECT {sel} FROM {qn} WHERE RAND({int(self.sample_seed)}) < {p:.8f} LIMIT {N}"
                for row in self._stream(con, sql):
                    yield self._row_id(row, npk), row[npk:]
                return
            record["method"] = "pk-range"
            qpk = self._q(item.pk[0])
            lo, hi = con.execute(sa.text(f"SELECT MIN({qpk}), MAX({qpk}) FROM {qn}")).one()
            if lo is None:
                return
            lo, hi = int(lo), int(hi)
            rng = random.Random(self.sample_seed)
            windows = max(1, math.ceil(N / PK_WINDOW_ROWS))
            span = hi - lo + 1
            starts = sorted(rng.sample(range(lo, hi + 1), min(windows, span)))
            read = 0
            last = lo - 1
            for s in starts:
                if read >= N:
                    break
                start = max(s, last + 1)
                if start > hi:
                    break
                want = min(PK_WINDOW_ROWS, N - read)
                res = con.execute(sa.text(f"SELECT {sel} FROM {qn} WHERE {qpk} >= :s ORDER BY {qpk} LIMIT {want}"),
                                  {"s": start})
                for row in res:
                    row = tuple(row)
                    last = int(row[0])
                    read += 1
                    yield self._row_id(row, npk), row[npk:]

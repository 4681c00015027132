"""Database URLs and read-only engines.

``parse_url`` splits the URL's credentials with the sources' one URI parser
(``sources.uri``: the password may hold '@' or '/'), picks the driver and gives
the display form (no password, no secret query parameter) used in every unit,
message and report.  ``make_engine`` opens each dialect read-only and bounded:

* SQLite with ``mode=ro`` (``immutable=1`` for a closed WAL database) and ``PRAGMA
  query_only`` (neither the file nor anything beside it is written);
* PostgreSQL sessions with ``default_transaction_read_only=on`` and a ``statement_timeout``;
* MariaDB/MySQL sessions with ``SET SESSION TRANSACTION READ ONLY`` and
  ``max_statement_time`` (MariaDB) / ``max_execution_time`` (MySQL).
"""
from __future__ import annotations

import math
import os
import sqlite3
import urllib.parse
from dataclasses import dataclass
from typing import NamedTuple, Optional

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from dataguard.sources.base import BadTarget, TargetError
from dataguard.sources.uri import SECRET_QUERY_KEYS, split_uri

CONNECT_TIMEOUT_S = 10


class DbUrl(NamedTuple):
    url: URL            # what to connect with (driver chosen; password as given in the URL)
    display: str        # shown everywhere: no password, no secret query parameter
    backend: str        # sqlite | postgresql | mysql  (mariadb is served as mysql)


def _unambiguous(raw: str) -> str:
    """``raw`` with user, password and any '@' after the host percent-encoded, so that
    SQLAlchemy reads the authority the way ``sources.uri`` splits it."""
    parts = split_uri(raw)
    if parts is None:
        return raw
    tail = parts.tail.replace("@", "%40")      # an '@' of a parameter ('application_name=ops@corp')
    if parts.user is None and parts.password is None:
        return f"{parts.scheme}://{parts.hostport}{tail}"
    q = urllib.parse.quote
    user = q(urllib.parse.unquote(parts.user or ""), safe="")
    password = "" if parts.password is None else ":" + q(urllib.parse.unquote(parts.password), safe="")
    return f"{parts.scheme}://{user}{password}@{parts.hostport}{tail}"


def parse_url(raw: str) -> DbUrl:
    try:
        url = make_url(_unambiguous(raw))
    except (ArgumentError, ValueError) as exc:
        raise BadTarget(f"invalid database URL ({type(exc).__name__})") from None
    backend = url.get_backend_name()
    driver = url.get_driver_name() if "+" in url.drivername else ""
    shown = url
    if backend in ("postgresql", "postgres"):
        backend = "postgresql"
        if driver != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
    elif backend in ("mysql", "mariadb"):
        if driver != "pymysql":
            url = url.set(drivername=f"{backend}+pymysql")
        backend = "mysql"       # same code path; info["dialect"] tells them apart
    elif backend != "sqlite":
        raise BadTarget(f"unsupported database kind: {backend}")
    query = {k: v for k, v in shown.query.items() if k.lower() not in SECRET_QUERY_KEYS}
    # URL.set(password=None) means "leave unchanged": drop the field itself
    display = shown.set(query=query)._replace(password=None).render_as_string(hide_password=False)
    if url.port is not None and not 1 <= url.port <= 65535:
        # SQLAlchemy takes any integer (99999, -1): a bad port is a malformed URL, not an unreachable server
        raise BadTarget(f"invalid database URL {display}: invalid port")
    if backend == "sqlite" and (not url.database or url.database == ":memory:"):
        raise BadTarget(f"invalid database URL {display}: no SQLite database file given")
    return DbUrl(url, display, backend)


@dataclass
class EngineState:
    """What the engine learns on connecting."""
    is_mariadb: bool = False


def sqlite_path(db: DbUrl) -> str:
    """The absolute path of an existing SQLite database file (TargetError otherwise)."""
    path = db.url.database
    if path.startswith("file:"):
        path = path[5:].split("?", 1)[0]
    if not os.path.isfile(path):
        raise TargetError(f"{db.display}: database file not found")
    return os.path.abspath(path)


def make_engine(db: DbUrl, password: Optional[str], timeout_s: float, state: EngineState):
    """A read-only engine for ``db``; the MariaDB/MySQL one records in ``state`` what server it met."""
    if db.backend == "sqlite":
        return _sqlite_engine(sqlite_path(db), timeout_s)
    url = db.url.set(password=password) if password else db.url
    connect_timeout = int(max(1, min(CONNECT_TIMEOUT_S, math.ceil(timeout_s))))
    if db.backend == "postgresql":
        return _pg_engine(url, timeout_s, connect_timeout)
    return _mysql_engine(url, timeout_s, connect_timeout, state)


def _sqlite_uri(path: str) -> str:
    """``mode=ro``, except for a WAL database without a -wal file (nobody has it open: every
    commit is in the file), opened ``immutable=1``: ``mode=ro`` would create -wal and -shm
    files beside it, and fail where the folder cannot be written (sqlite.org/wal.html,
    read-only databases).  A WAL database with a -wal file is read through it (``mode=ro``)."""
    try:
        with open(path, "rb") as f:
            wal = f.read(20)[18:20] == b"\x02\x02"      # header: read/write format versions 2 = WAL
    except OSError:
        wal = False
    immutable = wal and not os.path.exists(path + "-wal")
    return "file:" + urllib.parse.quote(path) + ("?immutable=1" if immutable else "?mode=ro")


def _sqlite_engine(path: str, timeout_s: float):
    uri = _sqlite_uri(path)

    def creator():
        con = sqlite3.connect(uri, uri=True, timeout=min(timeout_s, 30.0), check_same_thread=False)
        con.execute("PRAGMA query_only = ON")
        return con
    return sa.create_engine("sqlite://", creator=creator, poolclass=sa.pool.NullPool)


def _pg_engine(url: URL, timeout_s: float, connect_timeout: int):
    ms = int(timeout_s * 1000)
    connect_args = {"connect_timeout": connect_timeout, "application_name": "dataguard",
                    "options": f"-c default_transaction_read_only=on -c statement_timeout={ms}"}
    engine = sa.create_engine(url, connect_args=connect_args, pool_pre_ping=False, pool_size=2, max_overflow=2)

    @event.listens_for(engine, "connect")
    def _pg_ro(dbapi_con, _rec):  # belt and braces (poolers may drop startup options)
        with dbapi_con.cursor() as cur:
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            cur.execute(f"SET statement_timeout = {ms}")
        dbapi_con.commit()
    return engine


def _mysql_engine(url: URL, timeout_s: float, connect_timeout: int, state: EngineState):
    if "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    # the handshake is read with read_timeout: connect_timeout until connected, then the statements' bound
    connect_args = {"connect_timeout": connect_timeout, "read_timeout": connect_timeout,
                    "write_timeout": int(timeout_s) + 30}
    engine = sa.create_engine(url, connect_args=connect_args, pool_size=2, max_overflow=2)

    @event.listens_for(engine, "connect")
    def _my_ro(dbapi_con, _rec):
        dbapi_con._read_timeout = int(timeout_s) + 30     # pymysql has no setter; read() applies it
        cur = dbapi_con.cursor()
        try:
            cur.execute("SELECT VERSION()")
            state.is_mariadb = "mariadb" in str(cur.fetchone()[0]).lower()
            cur.execute("SET SESSION TRANSACTION READ ONLY")
            if state.is_mariadb:
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

"""Opening the inventory database: an SQLite file or a PostgreSQL URL, migrated to the newest
schema with Alembic on every open (a no-op when it is up to date)."""
from __future__ import annotations

import contextlib
import os

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from dataguard.defaults import INVENTORY_DB as DEFAULT_DB, INVENTORY_DB_ENV as ENV_DB  # noqa: F401 - public

_MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")


class InventoryError(Exception):
    """The inventory cannot be opened or a report cannot be ingested (exit 2); one line."""


def database_url(value: str):
    """A path (SQLite file) or an SQLAlchemy URL (sqlite:///…, postgresql://…) -> URL."""
    if "://" not in value:
        return make_url("sqlite:///" + os.path.abspath(value))
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise InventoryError("invalid inventory database URL") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise InventoryError(f"unsupported inventory database: {backend} (use an SQLite file or PostgreSQL)")
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None      # transactions begun by _sqlite_begin, not by the driver
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def open_inventory(value: str, create: bool = True) -> Engine:
    """An engine on the inventory, its schema upgraded to the newest migration. ``create``:
    make a new SQLite file when there is none (ingest); readers refuse a missing file."""
    from dataguard.sources.uri import redact_uri
    url = database_url(value)
    if url.get_backend_name() == "sqlite" and url.database and not os.path.exists(url.database):
        if not create:
            raise InventoryError(f"no inventory at {url.database} (ingest reports first, or give --db)")
        try:   # the inventory names files and sites: readable by its owner only
            os.close(os.open(url.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:      # created meanwhile by another ingest
            pass
        except OSError as exc:
            raise InventoryError(f"cannot create inventory {url.database}: {exc.strerror}") from None
    sqlite = url.get_backend_name() == "sqlite"
    # SQLite: a second ingest waits for the first one's transaction (up to 10 minutes)
    engine = create_engine(url, connect_args={"timeout": 600} if sqlite else {})
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        # take the write lock when a transaction begins: two ingests queue instead of failing
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with _migration_lock(url.database if sqlite else None):
            migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0][:200]
        raise InventoryError(f"cannot open inventory {redact_uri(str(value))}: {reason}") from None
    return engine


@contextlib.contextmanager
def _migration_lock(path):
    """Processes opening one SQLite inventory at once migrate it one after the other. SQLite
    itself would refuse ("database is locked", without waiting) the one whose first
    connection finds another switching a new file to WAL or migrating it."""
    if not path or path == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:          # not POSIX: SQLite's own locking only
        yield
        return
    fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def migrate(engine: Engine, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", _MIGRATIONS)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)

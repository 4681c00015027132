"""Database errors classified: the Problem kind of a failure and a short description
that never holds a library message (they may echo data or credentials)."""
from __future__ import annotations

import socket
from typing import Optional

from sqlalchemy.exc import DBAPIError


def error_kind(exc: BaseException) -> str:
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


def short_error(exc: BaseException) -> str:
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


# driver error codes -> what went wrong, in dataguard's words
_PG_STATES = {"28P01": "auth", "28000": "auth", "3D000": "no_database", "57P03": "unreachable",
              "53300": "busy"}
_MYSQL_CODES = {1045: "auth", 1044: "no_access", 1698: "auth", 1049: "no_database", 2003: "unreachable",
                2005: "unreachable", 2013: "unreachable", 1040: "busy", 1203: "busy"}
_WORDS = {"no_database": "database does not exist", "no_access": "the database does not exist or the user may "
          "not connect to it (not granted)", "unreachable": "server unreachable (connection refused or "
          "host unknown)", "timeout": "connection timed out", "busy": "the server refuses more connections",
          "not_db": "not a database file", "denied": "permission denied for the database (no CONNECT "
          "privilege)", "read_only": "cannot open the file read-only (it cannot be read, or it is "
          "a WAL database whose -wal and -shm files cannot be used)"}


def _failure(orig) -> str:
    """The kind of a connection failure from the driver's error code, else its class of
    message (read, never repeated)."""
    state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
    if state in _PG_STATES:
        return _PG_STATES[state]
    # pymysql reports a socket timeout as 2003 (connecting) or 2013 (reading the handshake)
    if isinstance(getattr(orig, "original_exception", None) or orig.__context__, socket.timeout):
        return "timeout"
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_CODES:
        return _MYSQL_CODES[args[0]]
    text = str(orig).lower()
    for kind, words in (("auth", ("no password supplied", "password authentication failed", "authentication")),
                        ("denied", ("permission denied for database",)),
                        ("timeout", ("timeout", "timed out")),
                        ("unreachable", ("refused", "could not connect", "can't connect", "unreachable", "no route",
                                         "name or service", "could not translate host", "nodename", "resolve")),
                        ("no_database", ("does not exist", "unknown database")),
                        ("not_db", ("not a database", "file is encrypted")),
                        ("read_only", ("readonly database", "unable to open database file"))):
        if any(w in text for w in words):
            return kind
    return ""


def connect_message(exc: BaseException, display_uri: str, user: Optional[str], has_password: bool) -> str:
    """Why connecting to ``display_uri`` failed, in dataguard's words: never the server's
    text (it can quote the user, the database or the password)."""
    kind = _failure(getattr(exc, "orig", None) or exc)
    if kind == "auth" and not has_password:
        why = (f"authentication failed: no password given for {user or 'the user'} (set DATAGUARD_DB_PASSWORD, "
               f"or name a variable in the target's 'password_env' in the configuration)")
    elif kind == "auth":
        why = f"authentication failed (wrong user or password for {user or 'the user'})"
    else:
        why = _WORDS.get(kind) or f"connection failed ({short_error(exc)})"
    return f"cannot connect to {display_uri}: {why}"

"""Database errors classified: the Problem kind of a failure and a short description
that never holds a library message (they may echo data or credentials)."""
from __future__ import annotations

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


def connect_message(exc: BaseException, display_uri: str, password: Optional[str]) -> str:
    """Why connecting to ``display_uri`` failed, in words (never the password)."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
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
        why = f"connection failed ({short_error(exc)})"
    msg = f"cannot connect to {display_uri}: {why}"
    if password and password in msg:      # paranoia: never let a password through
        msg = msg.replace(password, "***")
    return msg

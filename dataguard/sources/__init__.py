"""Sources: one adapter per target kind, chosen by URI scheme."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from dataguard.sources.base import FileItem, Source, path_selected  # noqa: F401


class TargetError(Exception):
    """The whole target cannot be reached or read. The message never holds credentials."""


class UnsupportedTarget(TargetError):
    """The target URI names a kind of target dataguard does not read (bad usage, not unreachable)."""


@dataclass(frozen=True)
class SourceOptions:
    include: tuple = ()
    exclude: tuple = ()
    follow_symlinks: bool = False
    sample_rows: Optional[int] = 10_000     # None: all rows
    sample_seed: int = 42
    statement_timeout_s: float = 30.0
    smb_username: Optional[str] = None
    smb_password: Optional[str] = field(default=None, repr=False)
    db_password: Optional[str] = field(default=None, repr=False)
    extra: dict = field(default_factory=dict)


_DB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


def scheme_of(uri: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", uri)
    return m.group(1).lower() if m else ""


_SECRET_QUERY_KEYS = {"password", "passwd", "pwd", "pass", "secret", "token", "access_token",
                      "sslpassword", "api_key", "apikey"}


def redact_uri(uri: str) -> str:
    """``uri`` without a password: ``postgresql://u:secret@h/db`` -> ``postgresql://u@h/db``,
    ``smb://u:p@h/s`` -> ``smb://u@h/s``.  The user is kept; password-like query
    parameters (``?password=...``) are dropped.  Errs on the side of removing too
    much: the user part ends at the last '@' of the authority, and when the
    authority looks like ``user:pass`` cut by an unencoded '/' the password runs up
    to the next '@' (as SQLAlchemy reads it)."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)(.*)$", uri, re.S)
    if not m:
        return uri
    prefix, rest = m.groups()
    cut = len(rest)
    for ch in "/?#":
        k = rest.find(ch)
        if k != -1:
            cut = min(cut, k)
    authority, tail = rest[:cut], rest[cut:]
    if "@" in authority:
        at = authority.rfind("@")
        user = authority[:at].split(":", 1)[0]
        authority = f"{user}@{authority[at + 1:]}"
    elif ":" in authority and "@" in tail:
        user, after = authority.split(":", 1)
        if not after.isdigit():
            # 'user:pa/ss@host/...': a password with an unencoded '/'
            at = rest.find("@")
            authority, tail = f"{user}@", rest[at + 1:]
    if "?" in tail:
        path, _, query = tail.partition("?")
        frag = ""
        if "#" in query:
            query, _, frag = query.partition("#")
            frag = "#" + frag
        kept = [kv for kv in re.split(r"[&;]", query)
                if kv and kv.split("=", 1)[0].strip().lower() not in _SECRET_QUERY_KEYS]
        tail = path + ("?" + "&".join(kept) if kept else "") + frag
    return prefix + authority + tail


def check_target_uri(uri: str) -> None:
    """Raise UnsupportedTarget unless ``uri`` is a path, file://, smb:// or a supported
    database URL. Reads nothing and connects to nothing."""
    scheme = scheme_of(uri)
    if scheme not in ("", "file") and scheme.split("+", 1)[0] not in ("smb",) + _DB_SCHEMES:
        raise UnsupportedTarget(f"unsupported target {redact_uri(uri)}: use a path, file://, smb:// or a "
                                f"database URL ({', '.join(s + '://' for s in _DB_SCHEMES)})")


def open_target(uri: str, options: SourceOptions) -> Source:
    check_target_uri(uri)
    scheme = scheme_of(uri)
    base = scheme.split("+", 1)[0]
    if scheme in ("", "file"):
        from dataguard.sources.local import LocalSource
        return LocalSource(uri, options)
    if base == "smb":
        from dataguard.sources.smb import SmbSource
        return SmbSource(uri, options)
    from dataguard.sources.database import DatabaseSource
    return DatabaseSource(uri, options)

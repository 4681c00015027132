"""Sources: one adapter per target kind, chosen by URI scheme."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from dataguard.sources.base import FileItem, Source, path_selected  # noqa: F401


class TargetError(Exception):
    """The whole target cannot be reached or read. The message never holds credentials."""


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


_DB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql")


def scheme_of(uri: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", uri)
    return m.group(1).lower() if m else ""


def redact_uri(uri: str) -> str:
    """Drop the password from ``scheme://user:password@host/...`` (user kept)."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/@:]*):[^/@]*@", r"\1\2@", uri)


def open_target(uri: str, options: SourceOptions) -> Source:
    scheme = scheme_of(uri)
    base = scheme.split("+", 1)[0]
    if scheme in ("", "file"):
        from dataguard.sources.local import LocalSource
        return LocalSource(uri, options)
    if base == "smb":
        from dataguard.sources.smb import SmbSource
        return SmbSource(uri, options)
    if base in _DB_SCHEMES:
        from dataguard.sources.database import DatabaseSource
        return DatabaseSource(uri, options)
    raise TargetError(f"unsupported target {redact_uri(uri)}: use a path, file://, smb:// or a database URL")

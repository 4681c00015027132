"""Sources: one adapter per target kind, chosen by URI scheme.

The interface, options and errors live in ``sources.base`` and URI handling in
``sources.uri``; they are re-exported here for callers.  Adapters import those
modules, never this one.
"""
from __future__ import annotations

from dataguard.sources.base import FileItem, Source, SourceOptions, TargetError, path_selected
from dataguard.sources.uri import redact_uri, scheme_of

__all__ = ["FileItem", "Source", "SourceOptions", "TargetError", "open_target", "path_selected", "redact_uri",
           "scheme_of"]

_DB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql")


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

"""Sources: one adapter per target kind, chosen by URI scheme.

The interface, options and errors live in ``sources.base`` and URI handling in
``sources.uri``; they are re-exported here for callers.  Adapters import those
modules, never this one.
"""
from __future__ import annotations

from dataguard.sources.base import FileItem, Source, SourceOptions, TargetError, BadTarget, path_selected
from dataguard.sources.uri import redact_uri, scheme_of

__all__ = ["FileItem", "Source", "SourceOptions", "TargetError", "BadTarget", "check_target_uri",
           "open_target", "path_selected", "redact_uri", "scheme_of"]

_DB_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb")


def check_target_uri(uri: str) -> None:
    """Raise BadTarget unless ``uri`` is a path, a well-formed file:// or smb:// URI or a
    supported database URL. Reads nothing and connects to nothing."""
    scheme = scheme_of(uri)
    base = scheme.split("+", 1)[0]
    if scheme in ("", "file"):
        from dataguard.sources.local import LocalSource
        LocalSource.check_uri(uri)
    elif base == "smb":
        from dataguard.sources.smb import parse_smb_uri
        parse_smb_uri(uri)
    elif base in _DB_SCHEMES:
        from dataguard.sources.database.engine import parse_url
        parse_url(uri)
    else:
        raise BadTarget(f"unsupported target {redact_uri(uri)}: use a path, file://, smb:// or a "
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

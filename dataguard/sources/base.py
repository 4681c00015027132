"""What every source shares: the Source interface, its options and errors, file items
and path selection."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterator, Optional, Union

from dataguard.globs import normalise_path, selection_globs
from dataguard.types import Chunk, ItemMeta, Limits, Problem, Unit


class TargetError(Exception):
    """The whole target cannot be reached or read. The message never holds credentials."""


class BadTarget(TargetError):
    """The target URI is malformed or names a kind of target dataguard does not read (bad
    usage, exit 2; not unreachable)."""


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
    smb_require_encryption: bool = False    # force SMB3 encryption
    smb_connect_timeout_s: float = 15.0
    smb_retry_delays: tuple = (1.0, 2.0, 4.0)   # back-off after a lost connection
    smb_exposure: bool = True               # read each file's security descriptor
    smb_probe_guest: bool = True            # try a guest session on the share
    db_password: Optional[str] = field(default=None, repr=False)


class Source:
    """A scan target. ``items()`` streams items (or Problems) and never raises for a
    single bad item; a whole unreachable target raises TargetError."""
    display_uri: str = ""
    kind: str = "file"

    def __init__(self):
        self.info: dict = {}

    def items(self) -> Iterator[Union["FileItem", Problem]]:
        raise NotImplementedError

    def reopen(self, unit: Unit, meta: ItemMeta, name: str):
        """The item ``items()`` gave as (unit, meta, name), opened again by this process (a
        cluster worker handed the item by reference). Raises NotImplementedError for a
        source whose items cannot be reached that way."""
        raise NotImplementedError(f"{type(self).__name__} items cannot be opened by reference")

    def target_lost(self) -> bool:
        """Asked when one of its items could not be read: True (and ``info["incomplete"]`` set)
        when the whole target has gone since the scan began."""
        return False

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass(frozen=True)
class FileItem:
    """A file of a local or remote file system; ``opener()`` returns a fresh binary stream."""
    unit: Unit
    meta: ItemMeta
    opener: Callable[[], BinaryIO]
    name: str

    def chunks(self, limits: Limits) -> Iterator[Union[Chunk, Problem]]:
        from dataguard.extract import extract
        return extract(self.unit, self.opener, self.name, limits, names=True)


@functools.lru_cache(maxsize=1024)
def _selection(pattern: str) -> re.Pattern:
    return selection_globs([pattern])


def glob_match(path: str, pattern: str) -> bool:
    """Match a relative path with ``dataguard.globs``' path-selection dialect (a pattern
    without '/' also matches the base name anywhere, like .gitignore, so ``*.log``
    excludes every log file; case-insensitive)."""
    return bool(_selection(pattern).match(normalise_path(path)))


def path_selected(relpath: str, include, exclude) -> bool:
    """True when relpath is not excluded and (no include given, or it matches one)."""
    if any(glob_match(relpath, p) for p in exclude or ()):
        return False
    if include:
        return any(glob_match(relpath, p) for p in include)
    return True


def dir_excluded(reldir: str, exclude) -> bool:
    """A folder is pruned when it matches an exclude pattern, or a ``PATTERN/**`` one."""
    for p in exclude or ():
        if glob_match(reldir, p) or (p.endswith("/**") and glob_match(reldir, p[:-3])):
            return True
    return False


def table_selected(name: str, include, exclude) -> bool:
    """``schema.table`` against include / exclude globs (the same dialect, with ``.`` as
    the separator); a pattern without a dot also matches the bare table name."""
    if include and not _table_match(name, include):
        return False
    return not _table_match(name, exclude)


def _table_match(name: str, patterns) -> bool:
    return any(glob_match(name.replace(".", "/"), str(p).replace(".", "/")) for p in patterns or ())

"""Local or mounted folders and files.

URIs: when the target is a plain path, ``unit.uri`` is the absolute path of the
file (``/srv/share/hr/a.txt``) and ``unit.target`` the absolute path of the
target; when the target was given as ``file:///srv/share``, both are ``file://``
URIs (``file:///srv/share/hr/a.txt``).  Paths are not percent-encoded.
``unit.path`` is the POSIX path relative to the target; for a target that is a
single file it is the file's name.
"""
from __future__ import annotations

import errno
import functools
import os
import stat
from typing import Iterator, Union
from urllib.parse import unquote, urlparse

from dataguard.names import os_name
from dataguard.sources.base import (BadTarget, FileItem, Source, SourceOptions, TargetError, dir_excluded, glob_match,
                                    path_selected)
from dataguard.sources.exposure import LocalExposure
from dataguard.sources.uri import redact_uri
from dataguard.types import ItemMeta, Problem, Unit


@functools.lru_cache(maxsize=4096)
def _owner(uid: int) -> str:
    try:
        import pwd
        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)


def _open_regular(path: str):
    """``path`` opened for reading, refused (OSError) unless it is a regular file: a FIFO or
    device put in a file's place after the walk is never waited on or read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _opener(path: str):
    return functools.partial(_open_regular, path)


def _strerror(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class LocalSource(Source):
    """Walks a folder (or takes one file) with os.scandir, depth first, entries of
    each folder sorted by name.

    Symlinks are skipped (reason ``symlink``) unless ``follow_symlinks``; then every
    folder's (st_dev, st_ino) is remembered and a folder reached again is skipped,
    so link loops end.  Hidden files are scanned.  FIFOs, sockets and devices are
    never opened (reason ``unsupported``).  Excluded folders are pruned silently;
    excluded files are listed as skipped (reason ``excluded``).
    """
    kind = "file"

    def __init__(self, uri: str, options: SourceOptions):
        super().__init__()
        self.options = options
        self._exposure = LocalExposure()
        self._file_scheme = uri[:7].lower() == "file://"
        path = self.check_uri(uri)
        self.root = os.path.abspath(os.path.expanduser(path))
        self.display_uri = self._uri(self.root)
        try:
            self._root_st = os.stat(self.root)
        except OSError as exc:
            raise TargetError(f"cannot read {self.display_uri}: {_strerror(exc)}") from None
        mode = self._root_st.st_mode
        if stat.S_ISDIR(mode):
            try:
                with os.scandir(self.root):
                    pass
            except OSError as exc:
                raise TargetError(f"cannot read {self.display_uri}: {_strerror(exc)}") from None
            self.info = {"type": "folder"}
        elif stat.S_ISREG(mode):
            self.info = {"type": "file"}
        else:
            raise TargetError(f"{self.display_uri} is neither a folder nor a regular file")

    @staticmethod
    def check_uri(uri: str) -> str:
        """The local path a target names; BadTarget for a file:// URI naming another host
        or an empty path."""
        path = uri
        if uri[:7].lower() == "file://":
            parsed = urlparse(uri)
            if parsed.netloc not in ("", "localhost"):
                raise BadTarget(f"cannot read {redact_uri(uri)}: only local file:// URIs (file:///path) are supported")
            path = unquote(parsed.path)
        if not path:
            raise BadTarget("empty target path")
        return path

    def _uri(self, abspath: str) -> str:
        return ("file://" + abspath) if self._file_scheme else abspath

    def _item(self, abspath: str, rel: str, st: os.stat_result) -> FileItem:
        name = os.path.basename(abspath)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else None
        access = self._exposure.of(abspath, st)
        meta = ItemMeta(size=st.st_size, mtime=st.st_mtime, identity=f"{st.st_dev}:{st.st_ino}",
                        owner=_owner(st.st_uid), exposure=access.exposure, exposure_reason=access.reason,
                        extension=ext)
        unit = Unit(target=self.display_uri, uri=self._uri(abspath), path=rel)
        return FileItem(unit=unit, meta=meta, opener=_opener(abspath), name=name)

    def reopen(self, unit: Unit, meta: ItemMeta, name: str) -> FileItem:
        path = unquote(urlparse(unit.uri).path) if self._file_scheme else unit.uri
        if not os.path.lexists(path):           # a name of undecodable bytes, given as text
            path, name = os_name(path), os_name(name)
        return FileItem(unit=unit, meta=meta, opener=_opener(path), name=name)

    def items(self) -> Iterator[Union[FileItem, Problem]]:
        opts = self.options
        if stat.S_ISREG(self._root_st.st_mode):
            name = os.path.basename(self.root)
            if not path_selected(name, opts.include, opts.exclude):
                yield Problem(self.display_uri, "excluded", "excluded by --include/--exclude", skipped=True)
                return
            yield self._item(self.root, name, self._root_st)
            return
        visited = {(self._root_st.st_dev, self._root_st.st_ino)}
        # Explicit stack of iterators (no recursion: deep trees are fine).
        stack = [self._listing(self.root, "")]
        while stack:
            try:
                entry, rel = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            if isinstance(entry, Problem):
                if self.target_lost():
                    yield self._lost(entry.uri)
                    return
                yield entry
                continue
            abspath = entry.path
            uri = self._uri(abspath)
            try:
                if entry.is_symlink() and not opts.follow_symlinks:
                    if any(glob_match(rel, p) for p in opts.exclude or ()):
                        yield Problem(uri, "excluded", "excluded by --include/--exclude", skipped=True)
                    else:
                        yield Problem(uri, "symlink", "symbolic link not followed", skipped=True)
                    continue
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:   # dangling link, permission, vanished
                if self.target_lost():
                    yield self._lost(uri)
                    return
                yield Problem(uri, "unreadable", _strerror(exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                if dir_excluded(rel, opts.exclude):
                    continue
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    yield Problem(uri, "symlink", "folder already visited (link loop)", skipped=True)
                    continue
                visited.add(key)
                stack.append(self._listing(abspath, rel))
            elif stat.S_ISREG(st.st_mode):
                if not path_selected(rel, opts.include, opts.exclude):
                    yield Problem(uri, "excluded", "excluded by --include/--exclude", skipped=True)
                    continue
                yield self._item(abspath, rel, st)
            else:   # FIFOs, sockets, devices: never opened (a FIFO would block)
                yield Problem(uri, "unsupported", "not a regular file", skipped=True)

    def target_lost(self) -> bool:
        """True, and the target marked incomplete, when its path no longer leads to the folder or
        file found at the start (moved, deleted, its file system unmounted): its items' read errors
        then do not mean that the rest of it was scanned."""
        try:
            st = os.stat(self.root)
        except OSError:
            st = None
        if st is not None and (st.st_dev, st.st_ino) == (self._root_st.st_dev, self._root_st.st_ino):
            return False
        self.info["incomplete"] = True
        self.info["incomplete_reason"] = f"target {self.info['type']} moved, deleted or unmounted during the scan"
        return True

    def _lost(self, uri: str) -> Problem:
        return Problem(uri, "unreachable", self.info["incomplete_reason"])

    def _listing(self, folder: str, rel_folder: str):
        """(DirEntry, relative path) of one folder, sorted by name; a Problem when unreadable."""
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Problem(self._uri(folder), "unreadable", _strerror(exc)), rel_folder
            return
        for entry in entries:
            yield entry, (f"{rel_folder}/{entry.name}" if rel_folder else entry.name)

"""Local or mounted folders and files."""
from __future__ import annotations

import os
import stat
from typing import Iterator, Union
from urllib.parse import unquote, urlparse

from dataguard.sources import SourceOptions, TargetError
from dataguard.sources.base import FileItem, Source, dir_excluded, path_selected
from dataguard.types import ItemMeta, Problem, Unit


def _owner(uid: int) -> str:
    try:
        import pwd
        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)


def _opener(path: str):
    def _open():
        return open(path, "rb")
    return _open


class LocalSource(Source):
    """Walks a folder (or takes one file) with os.scandir, in sorted order.

    ``unit.uri`` is the absolute path, prefixed with ``file://`` when the target was
    given as a file:// URI. Symlinks are not followed unless asked; with
    follow_symlinks, folders already visited (device, inode) are not entered again,
    so loops end.
    """
    kind = "file"

    def __init__(self, uri: str, options: SourceOptions):
        super().__init__()
        self.options = options
        self._file_scheme = uri.startswith("file://")
        path = unquote(urlparse(uri).path) if self._file_scheme else uri
        self.root = os.path.abspath(os.path.expanduser(path))
        self.display_uri = ("file://" + self.root) if self._file_scheme else self.root
        try:
            self._root_st = os.stat(self.root)
        except OSError as exc:
            raise TargetError(f"cannot read {self.display_uri}: {exc.strerror}") from None

    def _uri(self, abspath: str) -> str:
        return ("file://" + abspath) if self._file_scheme else abspath

    def _item(self, abspath: str, rel: str, st: os.stat_result) -> FileItem:
        name = os.path.basename(abspath)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else None
        meta = ItemMeta(size=st.st_size, mtime=st.st_mtime, identity=f"{st.st_dev}:{st.st_ino}",
                        owner=_owner(st.st_uid),
                        exposure="broad" if st.st_mode & stat.S_IROTH else "restricted", extension=ext)
        unit = Unit(target=self.display_uri, uri=self._uri(abspath), path=rel)
        return FileItem(unit=unit, meta=meta, opener=_opener(abspath), name=name)

    def items(self) -> Iterator[Union[FileItem, Problem]]:
        if stat.S_ISREG(self._root_st.st_mode):
            yield self._item(self.root, os.path.basename(self.root), self._root_st)
            return
        if not stat.S_ISDIR(self._root_st.st_mode):
            raise TargetError(f"{self.display_uri} is neither a folder nor a regular file")
        visited = {(self._root_st.st_dev, self._root_st.st_ino)}
        yield from self._walk(self.root, "", visited)

    def _walk(self, folder: str, rel_folder: str, visited: set):
        opts = self.options
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Problem(self._uri(folder), "unreadable", exc.strerror or type(exc).__name__)
            return
        for entry in entries:
            rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
            abspath = entry.path
            try:
                is_link = entry.is_symlink()
                if is_link and not opts.follow_symlinks:
                    yield Problem(self._uri(abspath), "symlink", "symbolic link not followed", skipped=True)
                    continue
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:   # dangling link, permission, vanished
                yield Problem(self._uri(abspath), "unreadable", exc.strerror or type(exc).__name__)
                continue
            if stat.S_ISDIR(st.st_mode):
                if dir_excluded(rel, opts.exclude):
                    continue
                key = (st.st_dev, st.st_ino)
                if key in visited:
                    yield Problem(self._uri(abspath), "symlink", "folder already visited (link loop)", skipped=True)
                    continue
                visited.add(key)
                yield from self._walk(abspath, rel, visited)
            elif stat.S_ISREG(st.st_mode):
                if not path_selected(rel, opts.include, opts.exclude):
                    yield Problem(self._uri(abspath), "excluded", "excluded by --include/--exclude", skipped=True)
                    continue
                yield self._item(abspath, rel, st)
            else:   # FIFOs, sockets, devices: never opened (a FIFO would block)
                yield Problem(self._uri(abspath), "unsupported", "not a regular file", skipped=True)

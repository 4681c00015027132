"""What every source shares: the Source interface, file items and path selection."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator, Union

from dataguard.types import Chunk, ItemMeta, Limits, Problem, Unit


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
        return extract(self.unit, self.opener, self.name, limits)


@functools.lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern:
    """Glob with ``**`` crossing folders, ``*``/``?`` within one path segment."""
    pat = pattern.strip().replace("\\", "/")
    while pat.startswith("./"):
        pat = pat[2:]
    pat = pat.lstrip("/")
    out, i = [], 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1:j]
                neg = body.startswith("!")
                if neg:
                    body = body[1:]
                body = body.replace("\\", "\\\\").replace("[", "\\[")
                cls = f"[^/{body}]" if neg else f"[{body}]"
                try:
                    re.compile(cls)
                except re.error:      # e.g. [z-a]: take the brackets literally
                    cls = re.escape(pat[i:j + 1])
                out.append(cls)
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.S)


def glob_match(path: str, pattern: str) -> bool:
    """Match a relative POSIX path; a pattern without '/' also matches the base name
    anywhere (like .gitignore), so ``*.log`` excludes every log file."""
    if "/" not in pattern.strip("/") and not pattern.startswith("**"):
        base = path.rsplit("/", 1)[-1]
        if _glob_regex(pattern).match(base):
            return True
    return bool(_glob_regex(pattern).match(path))


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

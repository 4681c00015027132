"""Rule-pack patterns that compiled before: a per-user cache that shortens start-up.

Validating a pack's patterns (``model.checked_regex``) compiles each with ``re`` and with the
``regex`` module: a third of the start-up of a scan of a small folder, and the same pattern
compiles the same way under the same Python, ``regex`` module and dataguard. The digest of
each pattern that compiled (SHA-256 of ``REVISION``, those versions, the packs' flags and the
pattern) is kept in ``validated-patterns`` in the cache folder: ``$DATAGUARD_CACHE_DIR``, else
the user's cache folder (platformdirs: ``~/.cache/dataguard`` on Linux;
``DATAGUARD_CACHE_DIR=""``: no cache). A pattern found there is not compiled at load; the
detector compiles it when it is first searched. The size and nesting checks (``risky``) run on
every pattern every time, and triggers are not cached (``TriggerSet`` compiles them at once
anyway). Only digests are kept, never a pattern.

The cache is trusted only when no one else can write it: the folder must be a real folder (not
a symbolic link) and the file a regular file, both owned by the user and writable by no group
or other; otherwise there is no cache (nothing is read or written). The file is replaced
atomically, mode 0600, and holds the newest ``MAX_DIGESTS``; a missing or malformed file is an
empty cache, a folder that cannot be written no cache: nothing else changes.
"""
from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import stat
import tempfile
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

CACHE_ENV = "DATAGUARD_CACHE_DIR"
FILE_NAME = "validated-patterns"
MAX_DIGESTS = 5000
# bump when what a pattern must pass at load changes (compilers, flags): earlier digests lapse
REVISION = 1
_DIGEST = re.compile(r"[0-9a-f]{64}")

_known: Optional[set] = None        # digests read from the file (None: not read yet)
_new: dict = {}                     # digests that passed in this process, in order (not saved yet)


def cache_dir() -> Optional[Path]:
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value) if value else None
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("dataguard", appauthor=False))


def digest(pattern: str, flags: int) -> str:
    import regex

    from dataguard import __version__
    versions = f"{platform.python_version()}\0{getattr(regex, '__version__', '?')}\0{__version__}"
    text = f"{REVISION}\0{versions}\0{flags}\0{pattern}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _private(st) -> bool:
    """Owned by this user and writable by no one else."""
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trusted_folder(create: bool = False) -> Optional[Path]:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if create:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = os.lstat(folder)
    except OSError:
        return None
    return folder if stat.S_ISDIR(st.st_mode) and _private(st) else None


def _read() -> set:
    folder = _trusted_folder()
    if folder is None:
        return set()
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / FILE_NAME, flags)
    except OSError:
        return set()
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _private(st):
            return set()
        data = os.read(fd, 80 * MAX_DIGESTS)
    except OSError:
        return set()
    finally:
        os.close(fd)
    lines = data.decode("ascii", "replace").splitlines()
    return {line.strip() for line in lines if _DIGEST.fullmatch(line.strip())}


def passed_before(key: str) -> bool:
    global _known
    if _known is None:
        _known = _read()
    return key in _known or key in _new


def passed(key: str) -> None:
    _new[key] = None


def save() -> None:
    """Write the digests that passed in this process (with those read, newest last)."""
    global _known
    if not _new:
        return
    folder = _trusted_folder(create=True)
    if folder is None:
        log.debug("validated-pattern cache not used: its folder is missing, shared or a link")
        return
    known = _read() if _known is None else _known
    digests = ([d for d in known if d not in _new] + list(_new))[-MAX_DIGESTS:]
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{FILE_NAME}.")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write("".join(f"{d}\n" for d in digests))
            os.chmod(tmp, 0o600)
            os.replace(tmp, folder / FILE_NAME)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.debug("validated-pattern cache not written: %s", type(exc).__name__)
        return
    _known = set(digests)
    _new.clear()

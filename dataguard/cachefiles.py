"""The per-user cache folder: private files that shorten start-up and warm-up.

The folder is ``$DATAGUARD_CACHE_DIR``, else the user's cache folder (platformdirs:
``~/.cache/dataguard`` on Linux); ``DATAGUARD_CACHE_DIR=""`` turns every cache off. Its users:
``rules.validated`` (the digests of rule-pack patterns that compiled),
``detect.triggers`` (Hyperscan's databases of the triggers) and ``detect.compiled`` (the
compiled form of the regexes that are slow to compile).

A cache is trusted only when no one else can write it: the folder must be a real folder (not
a symbolic link) and each file a regular file, both owned by the user and writable by no group
or other; otherwise nothing is read or written. Files are replaced atomically, mode 0600. A
missing, unreadable or malformed file reads as no file, and a folder that cannot be written
is no cache: nothing else changes. Nothing in a cache file is a scanned value.
"""
from __future__ import annotations

import hashlib
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

CACHE_ENV = "DATAGUARD_CACHE_DIR"


def cache_dir() -> Optional[Path]:
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value) if value else None
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("dataguard", appauthor=False))


def _private(st) -> bool:
    """Owned by this user and writable by no one else."""
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def trusted_folder(create: bool = False) -> Optional[Path]:
    """The cache folder if it is private (made, mode 0700, with ``create``); None otherwise."""
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


def read(name: str, limit: int) -> Optional[bytes]:
    """The first ``limit`` bytes of the cache file ``name``; None when there is no trusted one
    (no folder, not private, not a regular file, a link, unreadable)."""
    folder = trusted_folder()
    if folder is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(folder / name, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _private(st):
            return None
        chunks, left = [], limit
        while left > 0:
            data = os.read(fd, min(left, 1 << 20))
            if not data:
                break
            chunks.append(data)
            left -= len(data)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def write(name: str, data: bytes) -> bool:
    """Replace the cache file ``name`` with ``data`` (atomically, mode 0600); False when the
    folder is not trusted or cannot be written."""
    folder = trusted_folder(create=True)
    if folder is None:
        log.debug("cache %s not written: its folder is missing, shared or a link", name)
        return False
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o600)
            os.replace(tmp, folder / name)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        log.debug("cache %s not written: %s", name, type(exc).__name__)
        return False
    return True


def seal(magic: bytes, key: str, payload: bytes) -> bytes:
    """A cache file's content: ``magic``, then the SHA-256 of the rest, the key and the payload
    (which may hold more lines), a line each."""
    rest = key.encode() + b"\n" + payload
    return magic + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest


def unseal(magic: bytes, key: str, data: Optional[bytes]) -> Optional[bytes]:
    """The payload of content ``seal`` made for ``key``; None for anything else (no file, another
    magic, a digest that does not match, another key)."""
    if not data or not data.startswith(magic):
        return None
    digest, _, rest = data[len(magic):].partition(b"\n")
    if hashlib.sha256(rest).hexdigest().encode() != digest:
        return None
    recorded, _, payload = rest.partition(b"\n")
    return payload if recorded == key.encode() else None


STALE_TEMP_S = 3600     # a temporary file older than this was left by a process that was stopped while writing


def keep_newest(prefix: str, keep: int) -> None:
    """Delete all but the ``keep`` most recently written cache files whose names begin with
    ``prefix`` (regular files only), and the temporary files of such names that a stopped
    process left behind (``write``'s, older than ``STALE_TEMP_S``)."""
    folder = trusted_folder()
    if folder is None:
        return
    try:
        now = time.time()
        entries, stale = [], []
        for e in os.scandir(folder):
            if not e.is_file(follow_symlinks=False):
                continue
            if e.name.startswith(prefix):
                entries.append(e)
            elif e.name.startswith("." + prefix) and now - e.stat(follow_symlinks=False).st_mtime > STALE_TEMP_S:
                stale.append(e)
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns, reverse=True)
        for e in entries[keep:] + stale:
            os.unlink(e.path)
    except OSError as exc:
        log.debug("cache files %s* not pruned: %s", prefix, type(exc).__name__)

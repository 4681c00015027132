"""Rule-pack patterns that compiled before: a per-user cache that shortens start-up.

Validating a pack's patterns (``model.checked_regex``) compiles each with ``re`` and with the
``regex`` module: a third of the start-up of a scan of a small folder, and the same pattern
compiles the same way under the same Python, ``regex`` module and dataguard. The digest of
each pattern that compiled (SHA-256 of ``REVISION``, those versions, the packs' flags and the
pattern) is kept in ``validated-patterns`` in the cache folder. A pattern found there is not
compiled at load; the detector compiles it when it is first searched. The size and nesting checks (``risky``) run on
every pattern every time. Only digests are kept, never a pattern.

The file lives in the cache folder (``dataguard.cachefiles``: trusted only when no one else can
write it) and holds the newest ``MAX_DIGESTS``; a missing or malformed file is an empty cache.
"""
from __future__ import annotations

import hashlib
import platform
import re
from typing import Optional

from dataguard import cachefiles
from dataguard.cachefiles import CACHE_ENV  # noqa: F401 - the setting's name, for callers

FILE_NAME = "validated-patterns"
MAX_DIGESTS = 5000
# bump when what a pattern must pass at load changes (compilers, flags): earlier digests lapse
REVISION = 1
_DIGEST = re.compile(r"[0-9a-f]{64}")

_known: Optional[set] = None        # digests read from the file (None: not read yet)
_new: dict = {}                     # digests that passed in this process, in order (not saved yet)


def digest(pattern: str, flags: int) -> str:
    import regex

    from dataguard import __version__
    versions = f"{platform.python_version()}\0{getattr(regex, '__version__', '?')}\0{__version__}"
    text = f"{REVISION}\0{versions}\0{flags}\0{pattern}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read() -> set:
    data = cachefiles.read(FILE_NAME, 80 * MAX_DIGESTS)
    if data is None:
        return set()
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
    known = _read() if _known is None else _known
    digests = ([d for d in known if d not in _new] + list(_new))[-MAX_DIGESTS:]
    if not cachefiles.write(FILE_NAME, "".join(f"{d}\n" for d in digests).encode("ascii")):
        return
    _known = set(digests)
    _new.clear()

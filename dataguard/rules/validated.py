"""Rule-pack regexes that passed validation before: a per-user cache that shortens start-up.

Validating a pack's patterns (``model.checked_regex``: re's and the regex module's compilers
and ``risky``'s size check) is a third of the start-up of a scan of a small folder, and the
same pattern passes the same way under the same Python and regex module. The digest of each
pattern that passed (SHA-256 of the pattern, its compilers, the packs' flags and those
versions) is kept in ``validated-patterns`` in the cache folder: ``$DATAGUARD_CACHE_DIR``,
else the user's cache folder (platformdirs: ``~/.cache/dataguard`` on Linux, or under
``$XDG_CACHE_HOME``; ``DATAGUARD_CACHE_DIR=""``: no cache). A pattern found there is not
compiled at load; the detector compiles it when it is first searched. Only patterns that
passed are kept (a bad one is checked and named on every run) and no pattern is: digests only. The file is replaced atomically, mode 0600, and holds
the newest ``MAX_DIGESTS``; a missing, unreadable or malformed file is an empty cache, and a
folder that cannot be written is no cache (nothing else changes).
"""
from __future__ import annotations

import hashlib
import logging
import os
import platform
import re
import tempfile
from pathlib import Path
from typing import Optional

log = logging.getLogger(__name__)

CACHE_ENV = "DATAGUARD_CACHE_DIR"
FILE_NAME = "validated-patterns"
MAX_DIGESTS = 5000
_DIGEST = re.compile(r"[0-9a-f]{64}")

_known: Optional[set] = None        # digests read from the file (None: not read yet)
_new: dict = {}                     # digests that passed in this process, in order (not saved yet)


def cache_dir() -> Optional[Path]:
    value = os.environ.get(CACHE_ENV)
    if value is not None:
        return Path(value) if value else None
    from platformdirs import user_cache_dir
    return Path(user_cache_dir("dataguard", appauthor=False))


def digest(pattern: str, scan_compiler: bool, flags: int) -> str:
    import regex
    versions = f"{platform.python_version()}\0{getattr(regex, '__version__', '?')}"
    text = f"{int(scan_compiler)}\0{flags}\0{versions}\0{pattern}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read() -> set:
    folder = cache_dir()
    if folder is None:
        return set()
    try:
        with open(folder / FILE_NAME, encoding="ascii") as fh:
            return {line.strip() for line in fh.read(80 * MAX_DIGESTS).splitlines() if _DIGEST.fullmatch(line.strip())}
    except (OSError, UnicodeDecodeError, ValueError):
        return set()


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
    folder = cache_dir()
    if not _new or folder is None:
        return
    known = _read() if _known is None else _known
    digests = [d for d in known if d not in _new] + list(_new)
    digests = digests[-MAX_DIGESTS:]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
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

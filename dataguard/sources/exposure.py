"""Effective exposure of a local file: can people other than its owner and group read it?

A file is ``broad`` when everyone on the system can read it *and* reach it:

- read: the "other" permission bits, or a POSIX ACL entry (``system.posix_acl_access``,
  read through ``os.getxattr``, limited by the ACL mask) or the owning group giving read
  to a group that holds every user (``BROAD_GROUPS``);
- reach: every folder from the file's up to ``/`` can be entered (``x``) by the same
  people. A world-readable file inside a folder that others cannot enter (``0700``) is
  ``restricted``.

Everything else is ``restricted``. Each verdict carries the reason, in words, that the
report shows as ``exposure_reason``. Folder verdicts are cached per source.
"""
from __future__ import annotations

import functools
import os
import stat
import struct
from typing import NamedTuple, Optional

from dataguard.vocab import Exposure

# groups that, by convention, hold every user of the machine or the domain
BROAD_GROUPS = frozenset({"users", "everyone", "domain users", "authenticated users"})

_ACL_XATTR = "system.posix_acl_access"
_ACL_VERSION = 2
_ACL_GROUP_OBJ, _ACL_GROUP, _ACL_MASK, _ACL_OTHER = 0x04, 0x08, 0x10, 0x20
_ACL_ENTRY = struct.Struct("<HHI")
_MAX_ACL_ENTRIES = 1024


class Access(NamedTuple):
    exposure: str           # vocab.Exposure
    reason: str


def posix_acl(path: str) -> list:
    """(tag, perm, id) entries of the file's access ACL; [] when it has none (or the
    file system has no ACLs)."""
    getxattr = getattr(os, "getxattr", None)      # Linux only
    if getxattr is None:
        return []
    try:
        data = getxattr(path, _ACL_XATTR)
    except OSError:
        return []
    if len(data) < 4 or struct.unpack_from("<I", data)[0] != _ACL_VERSION:
        return []
    count = min((len(data) - 4) // _ACL_ENTRY.size, _MAX_ACL_ENTRIES)
    return [_ACL_ENTRY.unpack_from(data, 4 + i * _ACL_ENTRY.size) for i in range(count)]


@functools.lru_cache(maxsize=1024)
def _group_name(gid: int) -> str:
    try:
        import grp
        return grp.getgrgid(gid).gr_name
    except (KeyError, ImportError):
        return str(gid)


def _broad_grant(path: str, st: os.stat_result, bit: int) -> Optional[str]:
    """How everyone gets permission ``bit`` (4 read, 1 enter) on ``path``, or None."""
    if st.st_mode & (bit * stat.S_IXOTH):
        return f"others have {'read' if bit == 4 else 'enter'} permission (mode {stat.S_IMODE(st.st_mode):04o})"
    acl = posix_acl(path)
    mask = next((perm for tag, perm, _ in acl if tag == _ACL_MASK), 7)
    group_perm = (st.st_mode >> 3) & 7
    if acl:
        group_perm = next((perm for tag, perm, _ in acl if tag == _ACL_GROUP_OBJ), group_perm) & mask
    named = [(st.st_gid, group_perm, "owning group")]
    named += [(gid, perm & mask, "ACL") for tag, perm, gid in acl if tag == _ACL_GROUP]
    for gid, perm, how in named:
        name = _group_name(gid)
        if perm & bit and name.lower() in BROAD_GROUPS:
            return f"{how} gives group {name!r} (every user) {'read' if bit == 4 else 'enter'} permission"
    return None


class LocalExposure:
    """Exposure of the files of one walk; the folders' verdicts are cached."""

    def __init__(self):
        self._blockers: dict = {}

    def of(self, path: str, st: os.stat_result) -> Access:
        grant = _broad_grant(path, st, 4)
        if grant is None:
            return Access(Exposure.RESTRICTED, f"others cannot read it (mode {stat.S_IMODE(st.st_mode):04o})")
        blocker = self.blocker(os.path.dirname(os.path.abspath(path)))
        if blocker is not None:
            return Access(Exposure.RESTRICTED, f"{grant}, but {blocker}")
        return Access(Exposure.BROAD, f"{grant} and every folder above it can be entered by others")

    def blocker(self, folder: str) -> Optional[str]:
        """Why others cannot reach the inside of ``folder`` (it or a folder above it, links
        resolved), or None."""
        if folder not in self._blockers:
            self._blockers[folder] = self._chain(os.path.realpath(folder))
        return self._blockers[folder]

    def _chain(self, real: str) -> Optional[str]:
        chain = [real]                      # the folder and its ancestors, nearest first
        while os.path.dirname(chain[-1]) != chain[-1]:
            chain.append(os.path.dirname(chain[-1]))
        reason = None
        for folder in reversed(chain):      # from / down: the first folder that blocks
            key = "\0" + folder            # real paths, apart from the walk's own paths
            if key not in self._blockers:
                self._blockers[key] = reason if reason is not None else _folder_blocks(folder)
            reason = self._blockers[key]
        return reason


def _folder_blocks(folder: str) -> Optional[str]:
    try:
        st = os.stat(folder)
    except OSError:
        return None          # cannot tell: do not claim it is restricted
    if _broad_grant(folder, st, 1) is None:
        return f"folder {folder} cannot be entered by others (mode {stat.S_IMODE(st.st_mode):04o})"
    return None

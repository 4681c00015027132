"""Who can read a file on an SMB share: the share's own permissions, the file's security
descriptor and whether a guest can connect, combined into one exposure with its reason.

Windows gives a user the *intersection* of the share permissions and the file (NTFS)
permissions, so a file is ``broad`` only when both let a broad group (Everyone,
Authenticated Users, Anonymous, BUILTIN\\Users, BUILTIN\\Guests, Domain Users/Guests)
read it, or when a guest session (no password) can connect to the share.

- The file's DACL is read by the SMB source (QUERY_INFO, READ_CONTROL).
- The share's security descriptor comes from the server's share-information RPC
  (srvsvc ``NetrShareGetInfo`` level 502, through impacket). Servers give it only to
  some callers (Windows: administrators; Samba: when a share ACL is set); when it is
  not given the share permissions are unknown and the file's decide.
"""
from __future__ import annotations

import logging
from typing import NamedTuple, Optional

from dataguard.vocab import Exposure

log = logging.getLogger(__name__)

# access mask bits that allow reading data
_FILE_READ_DATA = 0x00000001
_GENERIC_ALL = 0x10000000
_GENERIC_READ = 0x80000000
READ_BITS = _FILE_READ_DATA | _GENERIC_READ | _GENERIC_ALL

ACE_ALLOWED = 0x00
ACE_DENIED = 0x01
_INHERIT_ONLY = 0x08
_SE_DACL_PRESENT = 0x0004

BROAD_SIDS = {
    "S-1-1-0": "Everyone",
    "S-1-5-7": "Anonymous",
    "S-1-5-11": "Authenticated Users",
    "S-1-5-32-545": "BUILTIN\\Users",
    "S-1-5-32-546": "BUILTIN\\Guests",
}
_BROAD_DOMAIN_RIDS = {"513": "Domain Users", "514": "Domain Guests"}   # S-1-5-21-x-y-z-RID


class Access(NamedTuple):
    exposure: Optional[str]     # vocab.Exposure, None: unknown
    reason: Optional[str]


def broad_name(sid: str) -> Optional[str]:
    """The name of a broad group's SID, None for any other SID."""
    if sid in BROAD_SIDS:
        return BROAD_SIDS[sid]
    parts = sid.split("-")
    if sid.startswith("S-1-5-21-") and len(parts) == 8:
        return _BROAD_DOMAIN_RIDS.get(parts[-1])
    return None


def dacl_access(aces, what: str) -> Access:
    """``aces``: (ace_type, ace_flags, sid, mask) in DACL order, or None for a NULL DACL
    (everyone has every right). Windows evaluates ACEs in order; for each broad group the
    first ACE that mentions read access decides (a deny before an allow wins)."""
    if aces is None:
        return Access(Exposure.BROAD, f"the {what} has no access list (everyone has full access)")
    decided: dict = {}
    for ace_type, flags, sid, mask in aces:
        name = broad_name(sid)
        if flags & _INHERIT_ONLY or name is None or name in decided or not mask & READ_BITS:
            continue
        if ace_type in (ACE_ALLOWED, ACE_DENIED):
            decided[name] = ace_type == ACE_ALLOWED
    allowed = sorted(n for n, ok in decided.items() if ok)
    if allowed:
        return Access(Exposure.BROAD, f"the {what} lets {', '.join(allowed)} read")
    return Access(Exposure.RESTRICTED, f"the {what} lets no broad group read")


def combine(file: Access, share: Access, guest: Optional[bool]) -> Access:
    """The effective exposure of a file from its own, its share's and the guest probe's."""
    if guest:
        return Access(Exposure.BROAD, "a guest (no password) can connect to the share")
    if share.exposure == Exposure.RESTRICTED:
        return share
    if file.exposure is None:
        return Access(None, "the file's permissions could not be read")
    share_part = share.reason if share.exposure is not None else "the share's permissions are not known"
    return Access(file.exposure, f"{file.reason}; {share_part}")


def sd_aces(data: bytes):
    """The DACL's (ace_type, ace_flags, sid, mask) of a self-relative security descriptor;
    None for a NULL DACL."""
    from impacket.ldap.ldaptypes import SR_SECURITY_DESCRIPTOR
    sd = SR_SECURITY_DESCRIPTOR(data=data)
    if not sd["Control"] & _SE_DACL_PRESENT or not sd["Dacl"]:
        return None
    return [(ace["AceType"], ace["AceFlags"], ace["Ace"]["Sid"].formatCanonical(), ace["Ace"]["Mask"]["Mask"])
                  for ace in sd["Dacl"].aces]


def share_access(host: str, port: int, share: str, username: Optional[str], password: Optional[str],
                 timeout: float) -> Access:
    """The share permissions' verdict, read with srvsvc NetrShareGetInfo level 502; unknown
    (``Access(None, None)``) when the server does not give them or the call fails."""
    if not username or not password:
        return Access(None, None)
    try:
        from impacket.dcerpc.v5 import srvs, transport
        from impacket.smbconnection import SMBConnection
    except ImportError:          # pragma: no cover - impacket is a dependency
        return Access(None, None)
    domain, _, user = username.rpartition("\\")
    conn = None
    try:
        conn = SMBConnection(host, host, sess_port=port, timeout=timeout)
        conn.login(user, password, domain)
        rpc = transport.SMBTransport(host, port, r"\srvsvc", smb_connection=conn)
        dce = rpc.get_dce_rpc()
        dce.connect()
        dce.bind(srvs.MSRPC_UUID_SRVS)
        info = srvs.hNetrShareGetInfo(dce, share + "\x00", 502)["InfoStruct"]["ShareInfo502"]
        data = b"".join(info["shi502_security_descriptor"] or [])
        if not data:
            return Access(None, None)
        return dacl_access(sd_aces(data), "share's permission list")
    except Exception as exc:  # noqa: BLE001 - any failure: the share permissions stay unknown
        log.debug("share permissions of %s not read: %s", share, type(exc).__name__)
        return Access(None, None)
    finally:
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass

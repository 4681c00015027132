"""SMB exposure: the file's DACL, the share's permissions and the guest probe combined."""
from __future__ import annotations

import pytest

from dataguard.sources.smb_access import Access, combine, dacl_access, sd_aces, share_access
from tests.conftest import require_env

DOM = "S-1-5-21-1-2-3-"
READ, FULL = 0x1200A9, 0x1F01FF


def _sd(*aces) -> bytes:
    from impacket.ldap import ldaptypes
    sd = ldaptypes.SR_SECURITY_DESCRIPTOR()
    sd["Revision"], sd["Sbz1"], sd["Control"] = b"\x01", b"\x00", 0x8004      # self-relative, DACL present
    sd["OwnerSid"] = sd["GroupSid"] = sd["Sacl"] = b""
    acl = ldaptypes.ACL()
    acl["AclRevision"], acl["Sbz1"], acl["Sbz2"], acl.aces = 2, 0, 0, []
    for sid, mask in aces:
        ace, body = ldaptypes.ACE(), ldaptypes.ACCESS_ALLOWED_ACE()
        ace["AceType"], ace["AceFlags"] = ldaptypes.ACCESS_ALLOWED_ACE.ACE_TYPE, 0
        body["Mask"] = ldaptypes.ACCESS_MASK()
        body["Mask"]["Mask"] = mask
        body["Sid"] = ldaptypes.LDAP_SID()
        body["Sid"].fromCanonical(sid)
        ace["Ace"] = body
        acl.aces.append(ace)
    sd["Dacl"] = acl
    return sd.getData()


def test_dacl_verdicts_with_reasons():
    assert dacl_access([(0, 0, "S-1-1-0", READ)], "file").reason == "the file lets Everyone read"
    assert dacl_access([(0, 0, DOM + "513", 0x80000000)], "file").exposure == "broad"
    assert dacl_access([(0, 0, "S-1-5-11", 0x10000000)], "file").exposure == "broad"
    restricted = dacl_access([(0, 0, DOM + "1105", FULL), (0, 0, "S-1-1-0", 0)], "file")
    assert restricted == Access("restricted", "the file lets no broad group read")
    assert dacl_access([(1, 0, "S-1-1-0", 0x1), (0, 0, "S-1-1-0", 0x1)], "file").exposure == "restricted"
    assert dacl_access([(0, 0x08, "S-1-1-0", 0x1)], "file").exposure == "restricted"     # inherit-only
    assert dacl_access(None, "file").exposure == "broad"                                 # NULL DACL


def test_share_security_descriptor_parsed():
    assert sd_aces(_sd(("S-1-5-32-544", FULL), ("S-1-1-0", READ))) == [
        (0, 0, "S-1-5-32-544", FULL), (0, 0, "S-1-1-0", READ)]
    one_user = dacl_access(sd_aces(_sd((DOM + "1105", READ))), "share's permission list")
    assert one_user.exposure == "restricted"


@pytest.mark.parametrize("file, share, guest, expected", [
    ("broad", "restricted", False, "restricted"),     # a share for one team hides a file readable by Everyone
    ("broad", "broad", False, "broad"),
    ("broad", None, False, "broad"),                   # share permissions unknown: the file's decide
    ("restricted", "broad", False, "restricted"),
    ("restricted", "restricted", True, "broad"),       # a guest can connect
    (None, None, False, None),
])
def test_combined_exposure(file, share, guest, expected):
    got = combine(Access(file, f"file {file}"), Access(share, f"share {share}" if share else None), guest)
    assert got.exposure == expected and got.reason


@pytest.mark.integration
def test_share_permissions_from_the_server():
    host, port, user, password = require_env("DATAGUARD_TEST_SMB_HOST", "DATAGUARD_TEST_SMB_PORT",
                                             "DATAGUARD_TEST_SMB_USER", "DATAGUARD_TEST_SMB_PASSWORD")
    got = share_access(host, int(port), "restricted", user, password, timeout=10)
    # Samba gives a share's descriptor only when a share ACL is set (sharesec): unknown or restricted
    assert got.exposure in (None, "restricted")
    assert share_access(host, int(port), "restricted", user, "wrong-" + password, timeout=10) == Access(None, None)

"""Effective SMB exposure against a private Samba server started for this module: a share
whose permissions admit one account hides world-readable files; a guest share exposes them."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import textwrap

import pytest

from dataguard.sources.smb_access import share_access

pytestmark = pytest.mark.integration

SAMBA_TOOLS = ("smbd", "smbpasswd", "sharesec")
DCERPCD = "/usr/libexec/samba/samba-dcerpcd"
PASSWORD = "dg-private-Test-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(root, port: int) -> str:
    dirs = {d: root / d for d in ("private", "lock", "state", "cache", "pid", "log", "ncalrpc")}
    for d in dirs.values():
        d.mkdir()
    shares = ""
    for name, extra in (("team", "valid users = root"), ("open", ""), ("guest", "guest ok = yes")):
        (root / name).mkdir()
        (root / name / "notes.txt").write_text("hello\n")
        os.chmod(root / name / "notes.txt", 0o644)
        shares += f"[{name}]\n   path = {root / name}\n   read only = yes\n   {extra}\n"
    return textwrap.dedent(f"""\
        [global]
           server role = standalone server
           interfaces = lo 127.0.0.1
           bind interfaces only = yes
           smb ports = {port}
           disable netbios = yes
           server min protocol = SMB2
           map to guest = Bad User
           guest account = nobody
           passdb backend = tdbsam:{dirs['private']}/passdb.tdb
           private dir = {dirs['private']}
           lock directory = {dirs['lock']}
           state directory = {dirs['state']}
           cache directory = {dirs['cache']}
           pid directory = {dirs['pid']}
           ncalrpc dir = {dirs['ncalrpc']}
           log file = {dirs['log']}/log.%m
           logging = file
           load printers = no
           printing = bsd
           printcap name = /dev/null
           disable spoolss = yes
           usershare max shares = 0
           rpc start on demand helpers = no
        """) + shares


def _wait_for_port(port: int, proc) -> None:
    """Wait until smbd listens on ``port``. A free port of the ephemeral range with nothing
    listening may still accept a connection: from itself (the client given that port as its own,
    TCP's simultaneous open), which does not count."""
    for _ in range(400):
        if proc.poll() is not None:
            pytest.fail("private smbd exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.05) as conn:
                if conn.getsockname()[1] != port:
                    return
        except OSError:
            pass
        try:
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            pass
    pytest.fail("private smbd did not listen")


@pytest.fixture(scope="module")
def private_samba(tmp_path_factory):
    """(host, port, user, password) of a private smbd with shares team (share permissions:
    the account root only), open (no share ACL) and guest (guest ok); world-readable files."""
    if os.geteuid() != 0 or not all(shutil.which(t) or shutil.which(t, path="/usr/sbin") for t in SAMBA_TOOLS) \
            or not os.path.exists(DCERPCD):
        pytest.skip("needs root and Samba (smbd, smbpasswd, sharesec, samba-dcerpcd)")
    root = tmp_path_factory.mktemp("samba")
    port = _free_port()
    conf = root / "smb.conf"
    conf.write_text(_config(root, port))
    tool = (lambda name: shutil.which(name) or shutil.which(name, path="/usr/sbin"))
    subprocess.run([tool("smbpasswd"), "-c", str(conf), "-a", "-s", "root"], input=f"{PASSWORD}\n{PASSWORD}\n",
                   text=True, check=True, capture_output=True)
    subprocess.run([tool("sharesec"), "-s", str(conf), "team", "--replace", "S-1-22-1-0:ALLOWED/0/FULL"],
                   check=True, capture_output=True)
    ready_r, ready_w = os.pipe()
    rpcd = subprocess.Popen([DCERPCD, f"--configfile={conf}", "--libexec-rpcds", "--foreground",
                             f"--ready-signal-fd={ready_w}"], pass_fds=(ready_w,), start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(ready_w)
    smbd = None
    try:
        os.read(ready_r, 1)            # samba-dcerpcd writes one byte when it serves
        os.close(ready_r)
        smbd = subprocess.Popen([tool("smbd"), "--foreground", "--no-process-group", "-s", str(conf)],
                                start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(port, smbd)
        yield "127.0.0.1", port, "root", PASSWORD
    finally:
        for proc in (smbd, rpcd):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def test_share_permissions_read_by_rpc(private_samba):
    host, port, user, password = private_samba
    team = share_access(host, port, "team", user, password, timeout=10)
    assert team.exposure == "restricted" and "lets no broad group read" in team.reason
    opened = share_access(host, port, "open", user, password, timeout=10)
    assert opened.exposure == "broad" and "Everyone" in opened.reason


def _exposures(private_samba, share: str) -> set:
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Problem
    host, port, user, password = private_samba
    with open_target(f"smb://{user}@{host}:{port}/{share}", SourceOptions(smb_password=password)) as src:
        return {(it.meta.exposure, it.meta.exposure_reason) for it in src.items() if not isinstance(it, Problem)}


def test_a_share_for_one_account_hides_world_readable_files(private_samba):
    (exposure, reason), = _exposures(private_samba, "team")
    assert exposure == "restricted" and reason == "the share's permission list lets no broad group read"


def test_guest_share_and_open_share_are_broad(private_samba):
    (exposure, reason), = _exposures(private_samba, "guest")
    assert exposure == "broad" and "guest" in reason
    (exposure, reason), = _exposures(private_samba, "open")
    assert exposure == "broad" and "file's permission list lets Everyone read" in reason
    assert "share's permission list lets Everyone read" in reason

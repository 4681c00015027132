"""SMB share source against the loopback Samba of scripts/start-samba.sh.

Shares: ``public`` (guest ok, files 0644 -> broad) and ``restricted``
(valid users = dgsmbtest, files 0600 -> restricted), both holding the same tree
(fixtures/share + tests/fixtures_smb) under $DATAGUARD_TEST_SMB_ROOT/<share>.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from conftest import require_env
from dataguard.types import Chunk, Limits, Problem, Unit

pytestmark = pytest.mark.integration

ENV = ("DATAGUARD_TEST_SMB_HOST", "DATAGUARD_TEST_SMB_PORT", "DATAGUARD_TEST_SMB_USER",
       "DATAGUARD_TEST_SMB_PASSWORD", "DATAGUARD_TEST_SMB_ROOT")


@pytest.fixture(scope="module")
def smb():
    host, port, user, password, root = require_env(*ENV)
    return dict(host=host, port=int(port), user=user, password=password, root=Path(root))


def _open(smb, share, password=None, port=None, **opts):
    from dataguard.sources import SourceOptions, open_target
    uri = f"smb://{smb['user']}@{smb['host']}:{port or smb['port']}/{share}"
    return open_target(uri, SourceOptions(smb_password=password or smb["password"], **opts))


def _texts(item_or_unit, opener=None, name=None):
    from dataguard.extract import extract
    if opener is None:
        out = list(item_or_unit.chunks(Limits()))
    else:
        out = list(extract(item_or_unit, opener, name, Limits(), names=True))
    # an SMB item gives its name first, like a local file (names are data)
    return [c.text for c in out if isinstance(c, Chunk)], sorted(p.kind for p in out if isinstance(p, Problem))


def _local_tree(root: Path) -> dict:
    out = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for f in sorted(files):
            p = Path(folder) / f
            rel = p.relative_to(root).as_posix()
            unit = Unit(target=str(root), uri=str(p), path=rel)
            out[rel] = (p.stat().st_size, *_texts(unit, (lambda p=p: open(p, "rb")), f))
    return out


def _scan(src) -> tuple[dict, list, dict]:
    items, problems, metas = {}, [], {}
    for it in src.items():
        if isinstance(it, Problem):
            problems.append(it)
            continue
        items[it.unit.path] = (it.meta.size, *_texts(it))
        metas[it.unit.path] = (it.meta, it.unit)
    return items, problems, metas


@pytest.mark.parametrize("share", ["public", "restricted"])
def test_walk_matches_local_tree(smb, share):
    with _open(smb, share) as src:
        items, problems, metas = _scan(src)
    local = _local_tree(smb["root"] / share)
    assert problems == []
    assert sorted(items) == sorted(local)
    for rel in local:
        assert items[rel] == local[rel], rel
    assert ".hidden_notes.txt" in items              # hidden files are scanned
    meta, unit = metas["archive/old_payroll_2015.txt"]
    assert unit.uri == f"smb://{smb['host']}:{smb['port']}/{share}/archive/old_payroll_2015.txt"
    assert unit.target == f"smb://{smb['user']}@{smb['host']}:{smb['port']}/{share}"
    assert meta.identity and meta.extension == "txt"
    assert any("STRICTLY CONFIDENTIAL" in t for t in items["archive/old_payroll_2015.txt"][1])


def test_exposure_and_owner(smb):
    with _open(smb, "public") as src:
        pub = [it for it in src.items() if not isinstance(it, Problem)]
        assert src.info.get("guest_access") is True
    with _open(smb, "restricted") as src:
        res = [it for it in src.items() if not isinstance(it, Problem)]
        assert src.info.get("guest_access") is False
    assert pub and res
    assert {it.meta.exposure for it in pub} == {"broad"}
    assert {it.meta.exposure for it in res} == {"restricted"}
    assert all(it.meta.owner and it.meta.owner.startswith("S-1-") for it in pub + res)


def test_exposure_from_dacl_without_guest_share(smb):
    """The 0644 files alone (Everyone: read ACE) are broad, even with the guest probe off."""
    with _open(smb, "public", smb_probe_guest=False) as src:
        exp = {it.meta.exposure for it in src.items() if not isinstance(it, Problem)}
    assert exp == {"broad"}


def test_mtime_preserved(smb):
    with _open(smb, "public") as src:
        metas = {it.unit.path: it.meta for it in src.items() if not isinstance(it, Problem)}
    local = smb["root"] / "public" / "archive" / "old_payroll_2015.txt"
    m = metas["archive/old_payroll_2015.txt"].mtime
    assert abs(m - local.stat().st_mtime) < 0.01
    assert time.time() - m > 9 * 365 * 86400


def test_scan_never_modifies_files(smb):
    root = smb["root"] / "restricted"

    def snapshot():
        return {p: (p.stat().st_size, p.stat().st_mtime_ns, p.stat().st_ctime_ns)
                for p in sorted(root.rglob("*")) if p.is_file()}
    before = snapshot()
    with _open(smb, "restricted") as src:
        _scan(src)
    assert snapshot() == before


def test_include_exclude(smb):
    with _open(smb, "public", include=("hr/**", "**/*.md"), exclude=("medical/**",)) as src:
        out = list(src.items())
    paths = {it.unit.path for it in out if not isinstance(it, Problem)}
    assert paths and all(p.startswith("hr/") or p.endswith(".md") for p in paths)
    assert "hr/contacts_export.txt" in paths and "notice.md" in paths
    assert not any(p.startswith("medical/") for p in paths)
    skipped = [p for p in out if isinstance(p, Problem)]
    assert skipped and all(p.skipped and p.kind == "excluded" for p in skipped)


def test_subfolder_and_single_file_targets(smb):
    from dataguard.sources import SourceOptions, open_target
    base = f"smb://{smb['user']}@{smb['host']}:{smb['port']}/public"
    with open_target(base + "/hr", SourceOptions(smb_password=smb["password"])) as src:
        paths = [it.unit.path for it in src.items()]
    assert "contacts_export.txt" in paths
    with open_target(base + "/archive/old_payroll_2015.txt", SourceOptions(smb_password=smb["password"])) as src:
        items = list(src.items())
    assert len(items) == 1 and items[0].unit.uri.endswith("/public/archive/old_payroll_2015.txt")


def test_password_from_environment(smb, monkeypatch):
    from dataguard.sources import SourceOptions, open_target
    monkeypatch.setenv("DATAGUARD_SMB_PASSWORD", smb["password"])
    with open_target(f"smb://{smb['user']}@{smb['host']}:{smb['port']}/restricted", SourceOptions()) as src:
        assert any(not isinstance(it, Problem) for it in src.items())


def test_wrong_password(smb):
    from dataguard.sources import TargetError
    bad = "Wrong-Pa55word-xyz"
    with pytest.raises(TargetError) as ei:
        _open(smb, "restricted", password=bad)
    assert "authentication failed" in str(ei.value)
    assert bad not in str(ei.value) and bad not in repr(ei.value)
    assert ei.value.__cause__ is None and ei.value.__suppress_context__


def test_missing_password_names_what_to_set(smb, monkeypatch):
    from dataguard.sources import SourceOptions, TargetError, open_target
    monkeypatch.delenv("DATAGUARD_SMB_PASSWORD", raising=False)
    with pytest.raises(TargetError) as ei:
        open_target(f"smb://{smb['user']}@{smb['host']}:{smb['port']}/restricted", SourceOptions())
    assert "no password given" in str(ei.value) and "DATAGUARD_SMB_PASSWORD" in str(ei.value)
    assert "password_env" in str(ei.value)


def test_common_word_password_is_not_masked_in_the_message(smb):
    from dataguard.sources import TargetError
    with pytest.raises(TargetError) as ei:
        _open(smb, "restricted", password="password")
    assert str(ei.value).endswith(f"authentication failed (wrong user or password for {smb['user']})")


def test_unknown_share(smb):
    from dataguard.sources import TargetError
    with pytest.raises(TargetError) as ei:
        _open(smb, "no-such-share")
    assert smb["password"] not in str(ei.value)


def test_unreachable_port_fails_fast(smb):
    from dataguard.sources import TargetError
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(TargetError) as ei:
        _open(smb, "public", port=port)
    assert "cannot connect" in str(ei.value) and smb["password"] not in str(ei.value)


# ------------------------------------------------------------------ connection loss
class _Proxy:
    """A loopback TCP proxy to Samba that can drop every connection (and stop listening)."""

    def __init__(self, port):
        self.target = port
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.conns = []
        self.listening = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.listening:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            if not self.listening:
                c.close()
                return
            u = socket.create_connection(("127.0.0.1", self.target))
            self.conns += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def drop(self, stop_listening=False):
        if stop_listening:
            self.listening = False
            self.lsock.close()
        for s in self.conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.conns = []


def _count_files(root: Path) -> int:
    return sum(len(f) for _, _, f in os.walk(root))


def test_connection_loss_recovers(smb):
    proxy = _Proxy(smb["port"])
    try:
        with _open(smb, "public", port=proxy.port, smb_retry_delays=(0.1, 0.2, 0.4), smb_probe_guest=False) as src:
            out = []
            for i, it in enumerate(src.items()):
                if i == 5:
                    proxy.drop()                    # server "restarts": connections gone, port still open
                out.append(it)
            items = [it for it in out if not isinstance(it, Problem)]
            texts = [_texts(it) for it in items]   # reads after the drop reconnect too
            assert not src.info.get("incomplete")
        assert len(items) == _count_files(smb["root"] / "public")
        assert not [p for p in out if isinstance(p, Problem)]
        assert all("unreachable" not in kinds for _, kinds in texts)   # documents may be encrypted/no_text
    finally:
        proxy.drop(stop_listening=True)


def test_connection_loss_reports_unreachable(smb):
    proxy = _Proxy(smb["port"])
    try:
        with _open(smb, "public", port=proxy.port, smb_retry_delays=(0.05, 0.05, 0.05), smb_probe_guest=False) as src:
            out = []
            for i, it in enumerate(src.items()):
                if i == 3:
                    proxy.drop(stop_listening=True)   # server gone for good
                out.append(it)
            assert src.info.get("incomplete") is True
        unreachable = [p for p in out if isinstance(p, Problem) and p.kind == "unreachable"]
        assert unreachable and not any(p.skipped for p in unreachable)
        assert all(smb["password"] not in p.message for p in unreachable)
        # every file is accounted for: yielded before the loss, or reported (itself or its folder)
        got = {it.unit.path for it in out if not isinstance(it, Problem)}
        prefix = f"smb://{smb['host']}:{proxy.port}/public/"
        lost = [p.uri[len(prefix):] for p in unreachable]
        for f in (p.relative_to(smb["root"] / "public").as_posix()
                  for p in (smb["root"] / "public").rglob("*") if p.is_file()):
            assert f in got or any(f == l or f.startswith(l + "/") for l in lost), f
        # an item yielded before the loss but read afterwards reports unreachable, not a silent gap
        first = next(it for it in out if not isinstance(it, Problem))
        texts, kinds = _texts(first)
        assert kinds == ["unreachable"]
    finally:
        proxy.drop(stop_listening=True)


def test_the_installed_command_reaches_smb_past_scripts_named_like_modules(tmp_path):
    """The ``dataguard`` console script runs with its bin/ folder first on sys.path, where impacket
    installs smbclient.py: the scan must still use smbprotocol's smbclient (here: a refused
    connection is exit 3 with one error line, not a traceback)."""
    import subprocess
    import sys
    from pathlib import Path
    command = Path(sys.executable).parent / "dataguard"
    assert command.exists()       # (and impacket's smbclient.py next to it, as installed)
    out = subprocess.run([str(command), "scan", "smb://u@127.0.0.1:1/share", "-o", str(tmp_path / "r.json"), "-q"],
                         cwd=str(tmp_path), capture_output=True, text=True, timeout=300)
    assert out.returncode == 3, out.stderr[-2000:]
    assert "Traceback" not in out.stderr and "connection refused" in out.stderr


def test_a_script_named_smbclient_first_on_the_path_is_passed_over(tmp_path, monkeypatch):
    import sys
    from dataguard.sources import smb
    (tmp_path / "smbclient.py").write_text("SHADOW = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "smbclient", raising=False)
    client = smb.smbclient_package()
    assert hasattr(client, "register_session") and not hasattr(client, "SHADOW")
    assert str(tmp_path) not in sys.path

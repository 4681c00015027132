"""Scanning on a Dask cluster (LocalCluster on loopback, worker processes, mutual TLS):
the same findings as a local scan, a worker killed mid-scan, the scheduler lost or
unreachable, the address policy and the certificates."""
from __future__ import annotations

import functools
import json
import os
import signal
import socket
import stat
import threading
from dataclasses import replace

import pytest

pytest.importorskip("distributed")

from dataguard.hashing import Hasher, load_key  # noqa: E402
from dataguard.report import render  # noqa: E402
from dataguard.scanner import Clock, ScanOptions, run_scan  # noqa: E402
from dataguard.scanner.cluster import DaskExecutor  # noqa: E402
from dataguard.scanner.executors import ExecutorUnavailable  # noqa: E402
from dataguard.scanner.tls import ClusterSecurityError, check_address, make_certs, security  # noqa: E402
from dataguard.sources import SourceOptions  # noqa: E402
from tests.fakes import FakeDetector, Gate, signal_ready  # noqa: E402
from tests.test_scanner import CARD, packs  # noqa: E402,F401 (packs: a fixture)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certs") / "tls"
    make_certs(folder)
    return folder


@pytest.fixture(scope="module")
def cluster(certs):
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security(certs, "cluster"), dashboard_address=":0") as c:
        yield c


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for d in range(4):
        (root / f"d{d}").mkdir(parents=True)
        for i in range(10):
            body = f"card {CARD}\n" if (d + i) % 3 == 0 else "a@un.org b@un.org c@un.org\n" if i % 4 == 0 else "x\n"
            (root / f"d{d}" / f"f{i}.txt").write_text(f"file {d}/{i}\n" + body)
    return root


def _hasher():
    return Hasher(load_key())


def _findings(res) -> str:
    return render(res, "json").split('"findings"')[1]


def _dask(cluster, certs, opts, detector=FakeDetector):
    return DaskExecutor.for_scan(opts, _hasher(), cluster.scheduler_address, security(certs), new_detector=detector)


def test_the_cluster_gives_the_findings_of_a_local_scan(cluster, certs, corpus, packs, tmp_path):
    assert cluster.scheduler_address.startswith("tls://")
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    remote = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts))
    assert remote.complete and remote.stats["items_scanned"] == 40
    assert _findings(remote) == _findings(local) and len(local.findings) > 10


def test_the_state_stays_in_the_scanning_process(cluster, certs, corpus, packs, tmp_path):
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs, state_path=str(tmp_path / "st.db"))
    first = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts))
    (corpus / "d0" / "f1.txt").write_text(f"now a card {CARD}\n")
    again = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts))
    assert again.stats["items_unchanged"] == 39 and again.stats["items_scanned"] == 1
    assert len(again.findings) == len(first.findings) + 1


class BlocksOnce(FakeDetector):
    """The first analysis anywhere connects to the test's ``Gate`` (a Unix socket), sends its
    process id and waits until the gate lets it go; every later one (the task run again
    elsewhere) analyses at once."""

    def __init__(self, gate: str):
        super().__init__()
        self.gate = gate

    def analyze(self, chunks):
        try:
            fd = os.open(self.gate + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            yield from super().analyze(chunks)
            return
        os.close(fd)
        signal_ready(self.gate, str(os.getpid()))
        yield from super().analyze(chunks)


def _scan_in_thread(opts, executor) -> tuple:
    out = {}
    thread = threading.Thread(target=lambda: out.update(res=run_scan(opts, _hasher(), executor=executor)))
    thread.start()
    return thread, out


def test_a_worker_killed_mid_scan_changes_nothing(cluster, certs, corpus, packs, tmp_path):
    gate = Gate(tmp_path / "gate")
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    executor = _dask(cluster, certs, opts, functools.partial(BlocksOnce, gate.path))
    thread, out = _scan_in_thread(opts, executor)
    try:
        pid = int(gate.ready(thread.is_alive))
        assert pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
    finally:
        gate.release()
        thread.join()
    res = out["res"]
    assert res.complete and _findings(res) == _findings(local)
    cluster.wait_for_workers(2)


def test_the_scheduler_lost_mid_scan_gives_a_partial_report(certs, corpus, packs, tmp_path):
    from distributed import LocalCluster
    gate = Gate(tmp_path / "gate")
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security(certs, "cluster"), dashboard_address=":0") as doomed:
        executor = DaskExecutor.for_scan(opts, _hasher(), doomed.scheduler_address, security(certs),
                                         connect_timeout=3,
                                         new_detector=functools.partial(BlocksOnce, gate.path))
        thread, out = _scan_in_thread(opts, executor)
        try:
            gate.ready(thread.is_alive)
            doomed.close()
        finally:
            gate.release()
            thread.join()
    res = out["res"]
    assert not res.complete and res.targets[0].status == "partial"
    assert "lost the Dask scheduler" in res.targets[0].error


def test_a_client_that_raises_as_it_closes_leaves_the_scans_result(packs, tmp_path):
    """With the scheduler gone, the Dask client's last reconnect can raise as it closes
    ("IOStream is not idle; cannot convert to SSL"): closing the executor does not, so the scan
    still gives its partial report."""
    class Closing:
        status = "closing"
        closed = False

        def close(self):
            self.closed = True
            raise ValueError("IOStream is not idle; cannot convert to SSL")
    opts = ScanOptions(targets=[(str(tmp_path), SourceOptions())], packs=packs)
    executor = DaskExecutor.for_scan(opts, _hasher(), "tls://127.0.0.1:1")
    executor._client = client = Closing()
    executor.close()
    assert client.closed and executor._client is None


class DiesOnPoison(FakeDetector):
    """Kills its worker process on an item that says POISON, wherever it runs."""

    def analyze(self, chunks):
        for chunk in chunks:
            if "POISON" in chunk.text:
                os.kill(os.getpid(), signal.SIGKILL)
            yield from super().analyze([chunk])


def test_an_item_that_keeps_killing_its_workers_is_an_error_and_the_others_are_scanned(certs, corpus, packs):
    """The scheduler gives up on a task whose workers keep dying (KilledWorker): its batch runs again
    item by item, the item that still kills its worker is an error, every other item is scanned."""
    import dask
    from distributed import LocalCluster
    (corpus / "d1" / "f5.txt").write_text("POISON\n")
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):   # give up at the first death
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                          security=security(certs, "cluster"), dashboard_address=":0") as fragile:
            res = run_scan(opts, _hasher(), executor=DaskExecutor.for_scan(
                opts, _hasher(), fragile.scheduler_address, security(certs), new_detector=DiesOnPoison))
    # the poison item is an error; giving up at the first death, Dask may also give up on an item
    # that waited on the same worker when it died (with its default of 3 failures it would not)
    assert {(e.kind, e.message) for e in res.errors} == {("corrupt", "the Dask workers scanning it kept dying")}
    assert any(e.uri.endswith("/d1/**.txt") for e in res.errors) and len(res.errors) <= 3
    assert res.complete and res.stats["items_scanned"] == 40
    local_paths = {f.unit.path for f in local.findings}
    remote_paths = {f.unit.path for f in res.findings}
    assert remote_paths <= local_paths and len(local_paths - remote_paths) <= len(res.errors) - 1
    assert len(local.findings) > 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_reported_before_scanning(certs, corpus, packs):
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    executor = DaskExecutor.for_scan(opts, _hasher(), f"tls://127.0.0.1:{_free_port()}", security(certs),
                                     connect_timeout=1)
    with pytest.raises(ExecutorUnavailable, match="cannot reach the Dask scheduler"):
        executor.start()


def test_the_time_budget_stops_a_cluster_scan(cluster, certs, corpus, packs):
    ticks = []
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs, max_duration_s=10)

    def monotonic():
        ticks.append(1)            # one tick per question: the budget runs out after ten
        return len(ticks)
    res = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts), clock=Clock(monotonic=monotonic))
    assert not res.complete and res.targets[0].status == "partial"
    assert 0 < res.stats["items_scanned"] < 40


def test_a_remote_scheduler_without_tls_is_refused():
    with pytest.raises(ClusterSecurityError, match="--insecure-scheduler"):
        check_address("tcp://10.1.2.3:8786", None, insecure=False)
    with pytest.raises(ClusterSecurityError):
        check_address("scheduler.example.org:8786", None, insecure=False)
    assert check_address("10.1.2.3:8786", None, insecure=True) == "tcp://10.1.2.3:8786"
    assert check_address("127.0.0.1:8786", None, insecure=False) == "tcp://127.0.0.1:8786"
    assert check_address("scheduler.example.org:8786", "/etc/dg/tls", False) == "tls://scheduler.example.org:8786"
    with pytest.raises(ClusterSecurityError, match="certificates"):
        check_address("tls://127.0.0.1:8786", None, insecure=False)


def test_certificates_are_signed_by_the_ca_and_keys_private(certs):
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec
    ca = x509.load_pem_x509_certificate((certs / "ca.pem").read_bytes())
    for role in ("scheduler", "worker", "client"):
        cert = x509.load_pem_x509_certificate((certs / f"{role}.pem").read_bytes())
        ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        assert stat.S_IMODE(os.stat(certs / f"{role}-key.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(certs / "ca-key.pem").st_mode) == 0o600


# ---------------------------------------------------------------- the command line
def _strip(report) -> str:
    return json.dumps(report["findings"], sort_keys=True)


@pytest.mark.model
def test_cli_cluster_scan_of_the_fixture_share_equals_a_local_scan(cluster, certs, tmp_path, run_cli):
    from tests.test_e2e import TEXT_SHARE, copy_tree
    share = copy_tree(TEXT_SHARE, tmp_path / "share")
    local = run_cli("scan", share, "--workers", "1", "--format", "json")
    remote = run_cli("scan", share, "--executor", "dask", "--scheduler", cluster.scheduler_address,
                     "--cluster-tls", certs, "--format", "json")
    assert remote.exit_code == local.exit_code == 1, remote.stderr
    assert remote.report["scan"]["complete"] and _strip(remote.report) == _strip(local.report)
    assert remote.report["errors"] == local.report["errors"] and remote.report["skipped"] == local.report["skipped"]


def test_cli_unreachable_scheduler_exits_3_with_one_line(certs, corpus, run_cli):
    import dask.config
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        res = run_cli("scan", corpus, "--executor", "dask", "--scheduler", f"127.0.0.1:{_free_port()}", "-q",
                      "--no-ner")
    assert res.exit_code == 3
    assert [l for l in res.stderr.splitlines() if l.strip()] == [
        l for l in res.stderr.splitlines() if "cannot reach the Dask scheduler" in l] != []


def test_cli_refuses_a_remote_scheduler_without_tls(corpus, run_cli):
    res = run_cli("scan", corpus, "--executor", "dask", "--scheduler", "tcp://192.0.2.10:8786", "--no-ner")
    assert res.exit_code == 2 and "--insecure-scheduler" in res.stderr


def test_cli_cluster_certs(tmp_path, run_cli):
    res = run_cli("cluster", "certs", tmp_path / "tls", "--host", "scheduler.example.org")
    assert res.exit_code == 0
    assert {p.name for p in (tmp_path / "tls").iterdir()} == {
        f"{r}{s}" for r in ("ca", "scheduler", "worker", "client") for s in (".pem", "-key.pem")}


def test_problems_are_listed_in_the_order_of_a_local_scan(cluster, certs, corpus, packs):
    """Items' own problems come back from the workers later than the walk meets the next
    entries: the report lists them in walk order all the same."""
    for d in range(4):
        (corpus / f"d{d}" / "empty.zip").write_bytes(b"PK\x03\x04 truncated")
        (corpus / f"d{d}" / "z.bin").write_bytes(bytes(range(256)) * 8)
        os.mkfifo(corpus / f"d{d}" / "pipe")
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    remote = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts))
    assert [(p.uri, p.kind) for p in remote.errors] == [(p.uri, p.kind) for p in local.errors] != []
    assert [(p.uri, p.kind) for p in remote.skipped] == [(p.uri, p.kind) for p in local.skipped] != []
    assert _findings(remote) == _findings(local)


@pytest.mark.model
def test_sigterm_stops_a_cluster_scan_with_a_partial_report(cluster, certs, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT, scan_started
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate
    generate(str(tmp_path / "corpus"), 3.0)
    out, log = tmp_path / "partial.json", tmp_path / "scan.log"
    proc = subprocess.Popen([sys.executable, "-m", "dataguard", "scan", str(tmp_path / "corpus"), "--executor", "dask",
                             "--scheduler", cluster.scheduler_address, "--cluster-tls", str(certs), "--format", "json",
                             "-o", str(out), "-q", "--log-file", str(log)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    scan_started(proc, log)        # ready: signal handlers installed, the target being scanned
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 3, err.decode()[-2000:]
    report = json.loads(out.read_text())
    assert report["scan"]["complete"] is False and report["scan"]["targets"][0]["status"] == "partial"
    assert "signal SIGTERM" in report["scan"]["targets"][0]["error"]


# ---------------------------------------------------------------- SMB shares and databases
def test_an_item_reference_holds_no_credentials(tmp_path):
    import pickle

    from dataguard.scanner.remote import item_ref
    from dataguard.types import ItemMeta, Unit

    class Item:
        unit = Unit(target="smb://u@fs/share", uri="smb://u@fs/share/a.txt", path="a.txt")
        meta = ItemMeta(size=1, mtime=1.0)
        name = "a.txt"
    for uri, opts in [("smb://u:S3cret-pw@fs/share", SourceOptions(smb_password="S3cret-pw")),
                      ("postgresql://u:S3cret-pw@db/x", SourceOptions(db_password="S3cret-pw"))]:
        ref = item_ref(uri, opts, Item())
        assert b"S3cret-pw" not in pickle.dumps(ref) and "S3cret-pw" not in repr(ref)


@pytest.mark.integration
def test_smb_and_database_items_are_opened_by_the_workers(certs, packs, tmp_path, monkeypatch):
    """The workers open the share and the database themselves, with credentials from their own
    environment (a worker configuration file for SMB, DATAGUARD_DB_PASSWORD for the database):
    the same findings and the same sampling record as a local scan."""
    from distributed import LocalCluster
    from sqlalchemy.engine import make_url

    from dataguard.scanner.remote import ENV_WORKER_CONFIG
    from tests.conftest import require_env
    host, port, user, password, pg_url = require_env(
        "DATAGUARD_TEST_SMB_HOST", "DATAGUARD_TEST_SMB_PORT", "DATAGUARD_TEST_SMB_USER",
        "DATAGUARD_TEST_SMB_PASSWORD", "DATAGUARD_TEST_PG_URL")
    smb_uri = f"smb://{user}@{host}:{port}/restricted"
    (tmp_path / "worker.yaml").write_text(f"targets:\n  - uri: {smb_uri}\n    password_env: DG_WORKER_SMB_PW\n")
    monkeypatch.delenv("DATAGUARD_SMB_PASSWORD", raising=False)
    monkeypatch.setenv("DG_WORKER_SMB_PW", password)
    monkeypatch.setenv("DG_WORKER_SMB_WRONG_PW", "not-the-password")
    monkeypatch.setenv(ENV_WORKER_CONFIG, str(tmp_path / "worker.yaml"))
    monkeypatch.setenv("DATAGUARD_DB_PASSWORD", make_url(pg_url).password or "")
    targets = [(smb_uri, SourceOptions(smb_password=password)), (pg_url, SourceOptions(sample_rows=500))]
    opts = ScanOptions(targets=targets, packs=packs)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security(certs, "cluster"), dashboard_address=":0") as c:
        remote = run_scan(opts, _hasher(), executor=_dask(c, certs, opts))
        # a worker whose credentials are wrong cannot open the share: its items are unreachable
        (tmp_path / "worker.yaml").write_text(f"targets:\n  - uri: {smb_uri}\n    password_env: DG_WORKER_SMB_WRONG_PW\n")
        denied = run_scan(replace(opts, targets=targets[:1]), _hasher(), executor=_dask(c, certs, opts))
    assert not denied.complete and denied.targets[0].status == "partial"
    assert {p.kind for p in denied.errors} == {"unreachable"} and "authentication" in denied.targets[0].error
    assert password not in repr(list(denied.errors)) + denied.targets[0].error
    assert remote.complete, [(t.uri, t.status, t.error) for t in remote.targets]
    assert _findings(remote) == _findings(local) and len(local.findings) > 0
    assert [t.info.get("tables") for t in remote.targets] == [t.info.get("tables") for t in local.targets]
    assert remote.stats["rows_sampled"] == local.stats["rows_sampled"] > 0
    assert [(p.uri, p.kind) for p in remote.errors] == [(p.uri, p.kind) for p in local.errors]


def test_workers_with_another_hmac_key_are_refused_before_scanning(cluster, certs, corpus, packs):
    opts = ScanOptions(targets=[(str(corpus), SourceOptions())], packs=packs)
    executor = DaskExecutor.for_scan(opts, Hasher(b"another key, not the workers' one"), cluster.scheduler_address,
                                     security(certs), new_detector=FakeDetector)
    with pytest.raises(ExecutorUnavailable, match="HMAC key"):
        executor.start()


def test_test_values_found_on_the_cluster_are_counted(cluster, certs, packs, tmp_path):
    """The test values the Dask workers find come back with each item's outcome, as local workers'."""
    from tests.test_scanner import MarksTestValues
    root = tmp_path / "tv"
    root.mkdir()
    for i in range(6):
        (root / f"t{i}.txt").write_text(f"n{i}@example.org and x@un.org\n")
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs)
    local = run_scan(opts, _hasher(), detector=MarksTestValues())
    remote = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts, MarksTestValues))
    assert remote.complete and remote.stats["test_values_ignored"] == local.stats["test_values_ignored"] == 6


def test_a_large_file_goes_to_the_workers_in_parts(cluster, certs, packs, tmp_path, monkeypatch):
    """A file of 1 MB or more goes out in one part per worker (``remote.in_part`` on each), and
    the parts' results make the findings of a local scan, every value at its line."""
    from dataguard.scanner import pipeline
    from tests.test_parts import CARDS, LINES, _share
    root = _share(tmp_path, [CARDS[0]] * len(LINES))
    parts, real = [], pipeline.split
    monkeypatch.setattr(pipeline, "split", lambda item, workers: parts.append(real(item, workers)) or parts[-1])
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, max_evidence=None)
    local = run_scan(opts, _hasher(), detector=FakeDetector())
    remote = run_scan(opts, _hasher(), executor=_dask(cluster, certs, opts))
    assert sorted(parts) == [1, 2] and remote.complete
    assert _findings(remote) == _findings(local)
    assert sorted(e.pointer.line for f in remote.findings if f.unit.path == "big.txt" for e in f.evidence) == list(LINES)

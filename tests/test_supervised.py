"""The local executor's time budget: an item whose worker is stuck becomes a timeout error and
the scan goes on; SIGTERM ends a scan whatever a worker is doing. Readiness comes from a
marker file the stuck worker writes; the deadline is read from a fake clock."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Optional

import pytest

from dataguard.hashing import Hasher
from dataguard.scanner import ScanOptions, SupervisedExecutor, run_scan
from dataguard.scanner.remote import ScanSetup
from dataguard.sources import SourceOptions
from dataguard.types import Limits
from tests.fakes import FakeDetector, Gate, load_test_pack, signal_ready

ROOT = Path(__file__).resolve().parents[1]
PACK = """
pack: test
rules:
  - id: T-001
    title: Card numbers
    severity: high
    measure: CM-ENCRYPT
    match: {entities: [CREDIT_CARD]}
"""
CARD = "4111 1111 1111 1111"


class HangsOnStuck(FakeDetector):
    """Never returns from a chunk of ``stuck.txt``; says so first by adding a line to ``marker``
    and, with a ``gate``, by telling the test's ``Gate``."""

    def __init__(self, marker: str, gate: Optional[str] = None, **kwargs):
        super().__init__(**kwargs)
        self.marker, self.gate = marker, gate

    def analyze(self, chunks):
        for chunk in chunks:
            if chunk.unit.path == "stuck.txt":
                with open(self.marker, "a") as fh:
                    fh.write("stuck\n")
                if self.gate:
                    signal_ready(self.gate, "stuck")
                threading.Event().wait()
            yield from super().analyze([chunk])


class ReadyClock:
    """A monotonic clock that stands still, and jumps a day each time a worker gets stuck
    (a line in ``marker``)."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __call__(self) -> float:
        return 86_400.0 * (self.marker.read_text().count("\n") if self.marker.exists() else 0)


@pytest.fixture
def packs(tmp_path):
    return load_test_pack(tmp_path, PACK)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "share"
    root.mkdir()
    for name in ("a.txt", "stuck.txt", "z.txt"):
        (root / name).write_text(f"card {CARD}\n")
    return root


def _executor(marker: Path, workers: int, gate: Optional[str] = None, **kw) -> SupervisedExecutor:
    import functools
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="",
                      new_detector=functools.partial(HangsOnStuck, str(marker), gate))
    return SupervisedExecutor(workers, setup, Hasher(b"k" * 32), **kw)


def test_a_stuck_item_is_a_timeout_and_the_scan_goes_on(tree, packs, tmp_path, monkeypatch):
    """The three items are the walk's last group: they go out one by one, and only the stuck
    one is a timeout."""
    workers = 1
    import tempfile
    marker, temp = tmp_path / "stuck", tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=workers)
    res = run_scan(opts, Hasher(b"k" * 32), executor=_executor(marker, workers, clock=ReadyClock(marker)))
    assert res.complete
    assert [(e.uri.rsplit("/", 1)[1], e.kind) for e in res.errors] == [("*****.txt", "timeout")]   # never scanned: masked
    assert sorted(f.unit.path for f in res.findings) == ["a.txt", "z.txt"]
    assert list(temp.iterdir()) == []          # the killed workers' temporary folders are gone too
    assert marker.read_text() == "stuck\n"       # alone, once


_SCRIPT = """
import functools, json, sys
sys.path.insert(0, {root!r})
from dataguard.hashing import Hasher
from dataguard.rules import load_packs
from dataguard.scanner import ScanOptions, run_scan
from dataguard.sources import SourceOptions
from tests.test_supervised import _executor
from pathlib import Path
opts = ScanOptions(targets=[({tree!r}, SourceOptions())], packs=load_packs([{pack!r}], {{"CREDIT_CARD"}}), workers=1)
res = run_scan(opts, Hasher(b"k" * 32), executor=_executor(Path({marker!r}), 1, {gate!r}), install_signal_handlers=True)
print(json.dumps({{"complete": res.complete, "errors": [e.kind for e in res.errors],
                  "targets": [t.status for t in res.targets]}}))
"""


def test_sigterm_ends_a_scan_whose_worker_is_stuck(tree, tmp_path):
    marker, pack, gate = tmp_path / "stuck", tmp_path / "pack.yaml", Gate(tmp_path / "gate")
    pack.write_text(PACK)
    script = _SCRIPT.format(root=str(ROOT), tree=str(tree), pack=str(pack), marker=str(marker), gate=gate.path)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert gate.ready(lambda: proc.poll() is None) == "stuck"   # ready: the worker is stuck in the item
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    finally:
        gate.release()
    assert proc.returncode == 0, err.decode()[-2000:]
    result = json.loads(out)
    assert result == {"complete": False, "errors": [], "targets": ["partial"]}


class Greedy(FakeDetector):
    """Asks for more memory than a worker may use on ``stuck.txt``."""

    def analyze(self, chunks):
        for chunk in chunks:
            if chunk.unit.path == "stuck.txt":
                bytearray(4 * 1024**3)
            yield from super().analyze([chunk])


class DiesOnStuck(FakeDetector):
    def analyze(self, chunks):
        for chunk in chunks:
            if chunk.unit.path == "stuck.txt":
                os._exit(1)
            yield from super().analyze([chunk])


@pytest.mark.parametrize("detector, workers, kind", [(Greedy, 1, "too_large"), (DiesOnStuck, 2, "corrupt")])
def test_an_item_whose_worker_fails_is_an_error_and_the_others_are_scanned(tree, packs, detector, workers, kind):
    """A worker past its memory cap (too_large) or dead (corrupt) on one item: that item is an
    error, the others are scanned."""
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=detector)
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=workers)
    res = run_scan(opts, Hasher(b"k" * 32), executor=SupervisedExecutor(workers, setup, Hasher(b"k" * 32)))
    assert [(e.uri.rsplit("/", 1)[1], e.kind) for e in res.errors] == [("*****.txt", kind)]
    assert sorted(f.unit.path for f in res.findings) == ["a.txt", "z.txt"] and res.complete
    if kind == "corrupt":
        assert res.errors[0].message == "the process scanning it died (exit code 1)"


def test_a_worker_dead_before_it_is_given_a_task_is_replaced(tree, packs):
    """A worker that died before its task was sent (the pipe is broken): the scan does not end
    on the broken pipe; the worker is replaced and every item scanned."""
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(1, setup, Hasher(b"k" * 32))
    executor.start()
    dead = executor._pool[0]
    dead.proc.kill()
    dead.proc.join()
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=1)
    res = run_scan(opts, Hasher(b"k" * 32), executor=executor)
    assert res.errors == [] and res.complete
    assert sorted(f.unit.path for f in res.findings) == ["a.txt", "stuck.txt", "z.txt"]


def test_a_batch_gets_one_items_base_budget_plus_each_items_size_allowance():
    """A stuck item of a batch of four holds its worker as long as it would alone (then the
    batch runs again item by item), not four base budgets."""
    from types import SimpleNamespace
    from dataguard.scanner.supervised import MIN_RATE
    limits = Limits(item_timeout_s=300)
    setup = ScanSetup("test", {}, limits, 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(2, setup, Hasher(b"k" * 32))
    refs = [SimpleNamespace(meta=SimpleNamespace(size=MIN_RATE)) for _ in range(4)]
    assert executor._budget(refs) == 300 + 4
    assert executor._budget(refs[:1]) == 300 + 1


class _IdleWorker:
    """A pool slot that records the task it is given (no process)."""

    def __init__(self):
        self.task = None

    def give(self, ids, refs, deadline):
        self.task = (ids, refs, deadline)


@pytest.mark.parametrize("groups, given, left", [
    # as many groups queued as workers or fewer (the end of the walk): the next group goes out item by item
    ([["a", "b", "c", "d"]], [["a"], ["b"]], [["c"], ["d"]]),
    ([["a", "b"], ["c"]], [["a"], ["b"]], [["c"]]),
    # more groups than workers (the walk ahead of the workers): whole groups, one detector call each
    ([["a", "b"], ["c", "d"], ["e"], ["f"]], [["a", "b"], ["c", "d"]], [["e"], ["f"]]),
])
def test_the_last_groups_go_out_item_by_item_so_that_no_worker_idles(groups, given, left):
    from types import SimpleNamespace
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(2, setup, Hasher(b"k" * 32))
    executor._pool = [_IdleWorker(), _IdleWorker()]
    for names in groups:
        executor._queue.append(([n for n in names], [SimpleNamespace(name=n, meta=SimpleNamespace(size=1))
                                                      for n in names]))
    executor._dispatch()
    assert [[r.name for r in w.task[1]] for w in executor._pool] == given
    assert [w.task[0] for w in executor._pool] == given          # each item keeps its task id
    assert [ids for ids, _ in executor._queue] == left


def test_once_the_walk_is_over_every_item_goes_out_alone_the_largest_first():
    """A large item handed out last would hold one worker while the others have nothing left."""
    from types import SimpleNamespace
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(2, setup, Hasher(b"k" * 32))
    executor._pool = [_IdleWorker(), _IdleWorker()]
    sizes = {"a": 5, "b": 1, "c": 9, "d": 2, "e": 9, "f": 3}
    for names in (["a", "b"], ["c", "d", "e"], ["f"]):
        executor._queue.append(([n for n in names], [SimpleNamespace(name=n, meta=SimpleNamespace(size=sizes[n]))
                                                      for n in names]))
    executor.finishing()
    assert [w.task[0] for w in executor._pool] == [["c"], ["e"]]      # (equal sizes: the older first)
    assert [ids for ids, _ in executor._queue] == [["a"], ["b"], ["d"], ["f"]]
    executor._pool[0].task = None
    executor._dispatch()
    assert executor._pool[0].task[0] == ["a"]
    executor.submit([SimpleNamespace(name="g", meta=SimpleNamespace(size=1))])     # more work: in order again
    assert [[r.name for r in refs] for _, refs in executor._queue][-1] == ["g"] and not executor._finishing


class _FakeProcessWorker(_IdleWorker):
    """A pool slot standing for a worker process: ``stop`` records that it was stopped."""

    def __init__(self, *args):
        super().__init__()
        self.stopped = False

    def stop(self):
        self.stopped = True


def _fake_pool_executor(monkeypatch, workers: int = 1) -> SupervisedExecutor:
    from dataguard.scanner import supervised
    monkeypatch.setattr(supervised, "_Worker", _FakeProcessWorker)
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(workers, setup, Hasher(b"k" * 32))
    executor._pool = [_FakeProcessWorker() for _ in range(workers)]
    return executor


def _refs(names):
    from types import SimpleNamespace
    return [SimpleNamespace(name=n, unit=SimpleNamespace(uri=f"/share/{n}", member=None), meta=SimpleNamespace(size=1),
                            part=None)
            for n in names]


def test_a_group_past_its_deadline_runs_again_item_by_item_and_a_lone_item_is_an_error(monkeypatch):
    executor = _fake_pool_executor(monkeypatch)
    worker = executor._pool[0]
    worker.give([0, 1, 2], _refs("abc"), 10.0)
    executor._replace(worker, "timeout", "item exceeded its time budget")
    assert worker.stopped and executor._pool[0] is not worker
    assert [ids for ids, _ in executor._queue] == [[0], [1], [2]] and executor._done == {}
    executor._queue.clear()
    lone = executor._pool[0]
    lone.give([1], _refs("b"), 10.0)
    executor._replace(lone, "timeout", "item exceeded its time budget")
    assert list(executor._queue) == [] and [p.kind for p in executor._done[1].problems] == ["timeout"]


def test_an_item_alone_whose_worker_died_runs_once_more_then_is_an_error(monkeypatch):
    """The death may not be the item's doing (a worker killed for another process's memory,
    or dead before its task reached it): the item runs once more, alone; a second death makes
    it an error. An item that ran alone after its group failed has had that second chance."""
    executor = _fake_pool_executor(monkeypatch)
    dead = executor._pool[0]
    dead.give([7], _refs("a"), 10.0)
    executor._replace(dead, "corrupt", "the process scanning it died")
    assert [ids for ids, _ in executor._queue] == [[7]] and executor._done == {}
    executor._dispatch()
    again = executor._pool[0]
    assert again.task[0] == [7]
    executor._replace(again, "corrupt", "the process scanning it died")
    assert list(executor._queue) == [] and [p.kind for p in executor._done[7].problems] == ["corrupt"]
    group = executor._pool[0]
    group.give([8, 9], _refs("bc"), 10.0)
    executor._replace(group, "corrupt", "the process scanning it died")
    executor._queue.popleft()
    executor._dispatch()
    alone = executor._pool[0]
    assert alone.task[0] == [9]
    executor._replace(alone, "corrupt", "the process scanning it died")
    assert list(executor._queue) == [] and [p.kind for p in executor._done[9].problems] == ["corrupt"]


def test_temporary_folders_of_killed_scans_are_removed_and_no_others(tmp_path):
    """A scan killed with its workers leaves their folders (they may hold extracted content):
    the next scan removes the unlocked ones, whatever process id they name (a container
    restarted with the same one), and leaves a running scan's (locked), a link, another name's
    and an older version's name (no process id) alone."""
    from dataguard.scanner.supervised import TMP_PREFIX, _hold, sweep_stale_folders
    tmp_path.chmod(0o700)
    dead = tmp_path / f"{TMP_PREFIX}4194000-abc123"
    (dead / "member").mkdir(parents=True)
    (dead / "member" / "extracted.txt").write_text("Card " + CARD)
    reused = tmp_path / f"{TMP_PREFIX}{os.getpid()}-ghi789"      # (this id runs: this test)
    reused.mkdir()
    running = tmp_path / f"{TMP_PREFIX}{os.getpid()}-def456"
    running.mkdir()
    held = _hold(str(running))
    assert held is not None
    old_style = tmp_path / f"{TMP_PREFIX}12345678"
    old_style.mkdir()
    other = tmp_path / "someone-else-12345"
    other.mkdir()
    target = tmp_path / "not-ours"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    link = tmp_path / f"{TMP_PREFIX}4194001-link"
    link.symlink_to(target, target_is_directory=True)
    try:
        assert sweep_stale_folders(str(tmp_path)) == 2
        assert not dead.exists() and not reused.exists()
        assert running.is_dir() and old_style.is_dir() and other.is_dir() and link.is_symlink()
        assert (target / "keep.txt").read_text() == "x"
        assert sweep_stale_folders(str(tmp_path)) == 0
    finally:
        os.close(held)
    assert sweep_stale_folders(str(tmp_path)) == 1 and not running.exists()


def test_nothing_is_removed_from_a_shared_folder_without_the_sticky_bit(tmp_path):
    from dataguard.scanner.supervised import TMP_PREFIX, sweep_stale_folders
    (tmp_path / f"{TMP_PREFIX}4194000-abc123").mkdir()
    tmp_path.chmod(0o777)
    try:
        assert sweep_stale_folders(str(tmp_path)) == 0
        tmp_path.chmod(0o1777)
        assert sweep_stale_folders(str(tmp_path)) == 1
    finally:
        tmp_path.chmod(0o700)


def test_a_workers_folder_is_named_after_its_scanning_process():
    from dataguard.scanner.supervised import TMP_PREFIX, sweep_stale_folders
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=FakeDetector)
    executor = SupervisedExecutor(1, setup, Hasher(b"k" * 32))
    executor.start()
    folder = executor._pool[0].tmp
    try:
        assert os.path.basename(folder).startswith(f"{TMP_PREFIX}{os.getpid()}-") and os.path.isdir(folder)
        sweep_stale_folders(os.path.dirname(folder))
        assert os.path.isdir(folder)        # (locked: its scan runs)
    finally:
        executor.close()
    assert not os.path.exists(folder)

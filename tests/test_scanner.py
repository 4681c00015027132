"""Scanner orchestration with a fake detector: aggregation, state, stops, reports."""
from __future__ import annotations

import functools
import json
import os
import shutil
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest

from dataguard.hashing import Hasher
from dataguard.report import render, write_atomic
from dataguard.report.formats import to_dict
from dataguard.rules import load_packs
from dataguard.scanner import Clock, Executor, ScanOptions, SupervisedExecutor, make_executor, run_scan
from dataguard.scanner.remote import ScanSetup
from dataguard.sources import SourceOptions
from dataguard.state import StateLocked, StateStore
from dataguard.types import Limits
from tests.fakes import FakeDetector, load_test_pack

PACK = """
pack: test
version: 1
rules:
  - id: T-001
    title: Card numbers
    severity: high
    measure: CM-ENCRYPT
    match: {entities: [CREDIT_CARD], min_count: 1, min_score: 0.5}
    remediation: encrypt
  - id: T-002
    title: Many e-mail addresses
    severity: medium
    measure: CM-MINIMISE
    match: {entities: [EMAIL_ADDRESS], min_count: 3}
    remediation: minimise
"""
CARD = "4111 1111 1111 1111"


@pytest.fixture
def packs(tmp_path):
    return load_test_pack(tmp_path, PACK)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "share"
    (root / "a").mkdir(parents=True)
    (root / "a" / "cards.txt").write_text(f"line one\ncard {CARD}\n")
    (root / "a" / "mails.txt").write_text("x@un.org\ny@un.org\nz@un.org\n")
    (root / "b.txt").write_text("only x@un.org\n")
    (root / "clean.txt").write_text("nothing here\n")
    return root


def _scan(root, packs, **kw):
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, **kw)
    return run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector())


def test_findings_per_unit_with_exact_locations(tree, packs, validate_report):
    res = _scan(tree, packs)
    got = sorted((f.unit.path, f.rule_id) for f in res.findings)
    assert got == [("a/cards.txt", "T-001"), ("a/mails.txt", "T-002")]
    card = next(f for f in res.findings if f.rule_id == "T-001")
    assert [e.pointer.line for e in card.evidence] == [2]
    assert [(e.col, e.end_col, e.reason) for e in card.evidence] == [(card.evidence[0].col, card.evidence[0].col + 19,
                                                                      "value")]
    assert card.entities == {"CREDIT_CARD": {"count": 1, "max_score": 1.0, "reasons": ["value"]}}
    doc = validate_report(to_dict(res))
    text = json.dumps(doc)
    assert CARD not in text and "x@un.org" not in text
    assert res.complete and res.stats["items_scanned"] == 4


def test_show_data_is_the_only_way_to_raw_values(tree, packs):
    res = _scan(tree, packs, show_data=True)
    assert CARD in render(res, "json", show_data=True)
    assert CARD not in render(res, "json", show_data=False)


def test_evidence_cap_and_truncation(tmp_path, packs):
    root = tmp_path / "s"
    root.mkdir()
    (root / "m.txt").write_text("".join(f"u{i}@un.org\n" for i in range(30)))
    res = _scan(root, packs, max_evidence=5)
    f = res.findings[0]
    assert len(f.evidence) == 5 and f.evidence_truncated and f.entities["EMAIL_ADDRESS"]["count"] == 30
    res_all = _scan(root, packs, max_evidence=None)
    assert len(res_all.findings[0].evidence) == 30 and not res_all.findings[0].evidence_truncated


def test_match_across_chunk_boundary_found_once(tmp_path, packs):
    root = tmp_path / "s"
    root.mkdir()
    text = "x" * 95 + " " + CARD + " " + "y" * 300 + "\n"
    (root / "c.txt").write_text(text)
    res = _scan(root, packs, limits=Limits(chunk_chars=100, overlap_chars=40))
    assert [f.entities["CREDIT_CARD"]["count"] for f in res.findings] == [1]


def test_fingerprints_stable_when_lines_move(tmp_path, packs):
    root = tmp_path / "s"
    root.mkdir()
    (root / "c.txt").write_text(f"{CARD}\n")
    fp1 = _scan(root, packs).findings[0].fingerprint
    (root / "c.txt").write_text(f"\n\n\nnew header\n{CARD}\n")
    fp2 = _scan(root, packs).findings[0].fingerprint
    assert fp1 == fp2


def test_state_reuses_unchanged_items_and_drops_deleted(tree, packs, tmp_path):
    state = str(tmp_path / "state.db")
    first = _scan(tree, packs, state_path=state)
    assert first.stats["items_unchanged"] == 0
    second = _scan(tree, packs, state_path=state)
    assert second.stats["items_unchanged"] == 4 and second.stats["items_scanned"] == 0
    assert [(f.unit.path, f.rule_id, f.fingerprint) for f in second.findings] == \
           [(f.unit.path, f.rule_id, f.fingerprint) for f in first.findings]
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    (tree / "a" / "cards.txt").write_text("no card any more\n")
    os.utime(tree / "a" / "cards.txt", (1, 1))
    (tree / "b.txt").unlink()
    third = _scan(tree, packs, state_path=state)
    assert third.stats["items_unchanged"] == 2 and third.stats["items_scanned"] == 1
    assert [f.rule_id for f in third.findings] == ["T-002"]


AGE_PACK = """
pack: age
version: 1
rules:
  - id: A-001
    title: Old card files
    severity: low
    measure: CM-RETAIN
    match: {entities: [CREDIT_CARD]}
    scope: {min_age_days: 30}
    escalate:
      - {exposure: [broad], severity: high}
"""


def test_rescan_reuses_findings_unless_what_the_rules_read_changed(tree, tmp_path, monkeypatch, open_tmp):
    """An unchanged item's findings are reused as stored (rules not evaluated again) while its
    evaluation inputs are the same; a change of exposure (chmod: mtime unchanged), of site, or
    an age threshold crossed with time evaluates its stored summaries again."""
    from dataguard import rules as rules_mod
    p = tmp_path / "age.yaml"
    p.write_text(AGE_PACK)
    packs = load_packs([p], {"CREDIT_CARD", "EMAIL_ADDRESS"})
    state = str(tmp_path / "state.db")
    tree = shutil.move(str(tree), str(open_tmp / "share"))        # others can reach it: exposure by mode
    card = Path(tree) / "a" / "cards.txt"
    os.chmod(card, 0o640)
    os.utime(card, (time.time() - 40 * 86400,) * 2)
    calls = []
    real = rules_mod.evaluate

    def counting(*a, **k):
        calls.append(a[1].unit.path)
        return real(*a, **k)
    monkeypatch.setattr(rules_mod, "evaluate", counting)

    def scan(clock=Clock(), **kw):
        calls.clear()
        opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, state_path=state, **kw)
        return run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector(), clock=clock)

    first = scan()
    assert [(f.unit.path, f.severity) for f in first.findings] == [("a/cards.txt", "low")] and calls
    before = open(state, "rb").read()
    again = scan()
    assert calls == [] and again.stats["items_unchanged"] == 4
    assert open(state, "rb").read() == before              # a rescan of an unchanged tree writes nothing
    assert render(again, "json").split('"findings"')[1] == render(first, "json").split('"findings"')[1]
    os.chmod(card, 0o644)                                   # now readable by everyone: same mtime
    broad = scan()
    assert calls == ["a/cards.txt"] and broad.stats["items_unchanged"] == 4
    assert [(f.unit.path, f.severity, f.exposure) for f in broad.findings] == [("a/cards.txt", "high", "broad")]
    scan()
    assert calls == []                                      # the new findings were stored
    later = scan()
    assert calls == []
    young = scan(Clock(wall=lambda: os.stat(card).st_mtime + 10 * 86400))   # "now": 10 days after the mtime
    assert calls == ["a/cards.txt"] and young.findings == [] and later.findings != []


def test_state_is_invalidated_when_rules_change(tree, packs, tmp_path):
    state = str(tmp_path / "state.db")
    _scan(tree, packs, state_path=state)
    p = tmp_path / "pack2.yaml"
    p.write_text(PACK.replace("min_count: 3", "min_count: 1"))
    packs2 = load_packs([p], {"CREDIT_CARD", "EMAIL_ADDRESS"})
    res = _scan(tree, packs2, state_path=state)
    assert res.stats["items_unchanged"] == 0
    assert ("b.txt", "T-002") in [(f.unit.path, f.rule_id) for f in res.findings]


def test_state_lock_prevents_overlapping_runs(tmp_path, packs, tree):
    state = str(tmp_path / "state.db")
    holder = StateStore(state, "x")
    try:
        with pytest.raises(StateLocked):
            _scan(tree, packs, state_path=state)
    finally:
        holder.close()
    assert _scan(tree, packs, state_path=state).complete


def _slow_detector():
    """(a fake detector each chunk of which takes 0.05 s of the scan's clock, that clock)."""
    ticks = []

    class Slow(FakeDetector):
        def analyze(self, chunks):
            for c, m in super().analyze(chunks):
                ticks.append(0.05)
                yield c, m
    return Slow(), Clock(monotonic=lambda: sum(ticks))


def test_max_duration_gives_partial_report_then_continues(tmp_path, packs):
    root = tmp_path / "s"
    root.mkdir()
    for i in range(40):
        (root / f"f{i:02d}.txt").write_text(f"{CARD}\n")
    state = str(tmp_path / "state.db")

    slow, clock = _slow_detector()
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, state_path=state, max_duration_s=0.5)
    res = run_scan(opts, Hasher(b"k" * 32), detector=slow, clock=clock)
    assert not res.complete and res.targets[0].status == "partial"
    done = len(res.findings)
    assert 0 < done < 40
    res2 = run_scan(ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, state_path=state),
                    Hasher(b"k" * 32), detector=FakeDetector())
    assert res2.complete and len(res2.findings) == 40 and res2.stats["items_unchanged"] >= done


def test_targets_a_stopped_scan_did_not_reach_are_listed(tmp_path, packs):
    """Every target asked for is in the report: those after the budget ran out as ``partial``,
    not scanned, so that a report never reads as a scan of fewer targets."""
    roots = []
    for name in ("a", "b", "c"):
        root = tmp_path / name
        root.mkdir()
        for i in range(20):
            (root / f"f{i:02d}.txt").write_text(f"{CARD}\n")
        roots.append(root)
    slow, clock = _slow_detector()
    opts = ScanOptions(targets=[(str(r), SourceOptions()) for r in roots], packs=packs, max_duration_s=0.5)
    res = run_scan(opts, Hasher(b"k" * 32), detector=slow, clock=clock)
    assert not res.complete
    assert [t.uri for t in res.targets] == [str(r) for r in roots]
    assert [t.status for t in res.targets] == ["partial"] * 3
    assert [t.error for t in res.targets[1:]] == ["not scanned: time budget (--max-duration) exhausted"] * 2
    assert {f.unit.target for f in res.findings} == {str(roots[0])}


def test_unreachable_target_is_incomplete(tmp_path, packs):
    res = _scan(tmp_path / "missing", packs)
    assert not res.complete and res.targets[0].status == "error"


def test_binary_and_empty_files(tmp_path, packs):
    root = tmp_path / "s"
    root.mkdir()
    (root / "empty.txt").write_bytes(b"")
    (root / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    res = _scan(root, packs)
    assert [(p.uri.rsplit("/", 1)[-1], p.kind) for p in res.skipped] == [("img.png", "binary")]
    assert res.errors == [] and res.complete


def test_write_atomic_mode_0600(tmp_path):
    out = tmp_path / "r.json"
    write_atomic(str(out), "{}")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600 and out.read_text() == "{}"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table", "csv", "sarif", "html"])
def test_every_format_renders_without_raw_values(tree, packs, fmt):
    res = _scan(tree, packs)
    out = render(res, fmt)
    assert out and CARD not in out and "x@un.org" not in out


class DiesOnce(FakeDetector):
    """The first analysis, in whichever process comes first, ends that process."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker = marker

    def analyze(self, chunks):
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            yield from super().analyze(chunks)
            return
        os._exit(1)


EXPECTED_TREE = [("a/cards.txt", "T-001"), ("a/mails.txt", "T-002")]


def supervised(workers: int, new_detector, **kw) -> SupervisedExecutor:
    """Local worker processes with a fake detector."""
    setup = ScanSetup("test", {}, Limits(), 10, False, 16, key_check="", new_detector=new_detector)
    return SupervisedExecutor(workers, setup, Hasher(b"k" * 32), **kw)


def test_local_workers_give_the_findings_of_one_process(tree, packs):
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=2)
    res = run_scan(opts, Hasher(b"k" * 32), executor=supervised(2, FakeDetector))
    assert sorted((f.unit.path, f.rule_id) for f in res.findings) == EXPECTED_TREE
    assert render(res, "json").split('"findings"')[1] == render(_scan(tree, packs), "json").split('"findings"')[1]


def test_a_worker_that_dies_once_loses_nothing(tree, packs, tmp_path):
    """A worker process that dies (killed for memory...) is replaced and its items run
    again one by one."""
    marker = tmp_path / "died"
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=2)
    res = run_scan(opts, Hasher(b"k" * 32), executor=supervised(2, functools.partial(DiesOnce, str(marker))))
    assert marker.exists() and res.complete and res.errors == []
    assert sorted((f.unit.path, f.rule_id) for f in res.findings) == EXPECTED_TREE


def test_a_detector_object_is_not_silently_ignored_with_several_workers(tree, packs):
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, workers=2)
    with pytest.raises(ValueError, match="workers=1"):
        run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector())
    assert isinstance(make_executor(replace(opts, workers=1), FakeDetector()), Executor)


def test_lookups_in_batches_keep_order_and_problems(tmp_path, packs):
    """With a state, items are looked up LOOKUP_BATCH at a time: on a tree larger than a batch
    (with unreadable entries among the files) the rescan reuses every file, in walk order,
    with the same problems."""
    from dataguard import state as state_mod
    root = tmp_path / "many"
    root.mkdir()
    for i in range(state_mod.LOOKUP_BATCH + 40):
        (root / f"f{i:04d}.txt").write_text(f"card {CARD}\n" if i % 7 == 0 else "x@un.org y@un.org z@un.org\n")
    os.mkfifo(root / "pipe")
    st = str(tmp_path / "state.db")
    first = _scan(root, packs, state_path=st)
    again = _scan(root, packs, state_path=st)
    assert again.stats["items_unchanged"] == state_mod.LOOKUP_BATCH + 40 and again.stats["items_scanned"] == 0
    assert render(again, "json").split('"findings"')[1] == render(first, "json").split('"findings"')[1]
    assert [(p.uri, p.kind) for p in again.skipped] == [(p.uri, p.kind) for p in first.skipped] != []


def test_a_show_data_run_leaves_the_state_as_it_is(tree, packs, tmp_path, caplog):
    st = str(tmp_path / "state.db")
    _scan(tree, packs, state_path=st)
    with caplog.at_level("WARNING", logger="dataguard.scanner"):
        shown = _scan(tree, packs, state_path=st, show_data=True)
    assert shown.stats["items_unchanged"] == 0 and shown.stats["items_scanned"] == 4
    # said, not silent: a cron job with --show-data and --max-duration would never get further
    assert any("--show-data: the state file is neither read nor written" in r.getMessage() for r in caplog.records)
    assert _scan(tree, packs, state_path=st).stats["items_unchanged"] == 4


def test_progress_hears_of_every_item_and_problem(tree, packs):
    from dataguard.scanner import ProgressSink
    os.symlink(tree / "b.txt", tree / "link.txt")

    class Recorder(ProgressSink):
        def __init__(self):
            self.events = []

        def item(self, size):
            self.events.append(("item", size))

        def done(self, uri, size, findings, unchanged=False, name_only=False, failed=False):
            self.events.append(("done", os.path.basename(uri), findings, unchanged, name_only))

        def problem(self, problem):
            self.events.append(("problem", os.path.basename(problem.uri), problem.kind))
    (tree / "blob.bin").write_bytes(bytes(range(256)) * 8)
    seen = Recorder()
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs)
    result = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector(), progress=seen)
    done = [e for e in seen.events if e[0] == "done"]
    assert sorted(e[1] for e in done) == ["b.txt", "blob.bin", "cards.txt", "clean.txt", "mails.txt"]
    assert [e[1] for e in done if e[4]] == ["blob.bin"]          # skipped whole: only its name was scanned
    assert ("problem", "blob.bin", "binary") in seen.events
    assert sum(e[2] for e in done) == len(result.findings)
    assert ("problem", "link.txt", "symlink") in seen.events
    assert [e for e in seen.events if e[0] == "item"][0][1] > 0


def test_a_waiting_executor_keeps_the_progress_ticking_and_hears_the_stop(tree, packs):
    """While an executor waits for long work it asks whether to stop: each time, the progress
    hears a tick (the heartbeat of a scan stuck on one big item), and the answer is the deadline's."""
    from dataguard.scanner import InProcessExecutor, ProgressSink

    class Ticks(ProgressSink):
        count = 0

        def tick(self):
            self.count += 1

    class Waiting(InProcessExecutor):
        answers: list = []

        def watch(self, stop):
            self._stop = stop

        def result(self, handle):
            self.answers.append(self._stop())
            return super().result(handle)
    ticks, executor = Ticks(), Waiting(FakeDetector)
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs)
    run_scan(opts, Hasher(b"k" * 32), executor=executor, progress=ticks)
    assert ticks.count == len(executor.answers) > 0 and not any(executor.answers)


def test_write_atomic_writes_into_a_fifo_or_device_in_place(tmp_path):
    """``-o /dev/null`` or a FIFO: renaming a temporary file over it would replace the device
    with a regular file (as root, for every program on the machine)."""
    import stat
    import threading

    from dataguard.report import write_atomic
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_atomic(str(fifo), "report\n")
    reader.join()
    assert got == ["report\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]        # no temporary file left


def test_items_out_when_the_executor_is_lost_are_done_with_their_problems(tmp_path, packs):
    """The executor goes away with items in flight: they are done, cut short, and what the walk
    met after them (a named pipe, skipped) is still recorded."""
    from dataguard.scanner.executors import ExecutorLost, InProcessExecutor

    class Lost(InProcessExecutor):
        def result(self, handle):
            raise ExecutorLost("gone")

    root = tmp_path / "share"
    root.mkdir()
    (root / "a.txt").write_text("x@un.org\n")
    os.mkfifo(root / "b.pipe")
    (root / "c.txt").write_text("y@un.org\n")
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, batch_chunks=1)
    result = run_scan(opts, Hasher(b"k" * 32), executor=Lost(FakeDetector))
    assert not result.complete and result.targets[0].status == "partial"
    assert [p.uri.rsplit("/", 1)[-1] for p in result.skipped] == ["b.pipe"]


class MarksTestValues(FakeDetector):
    """Addresses at example.org are test values, as the Detector marks them (``vocab.TEST_VALUE``)."""

    def analyze(self, chunks):
        from dataguard.vocab import TEST_VALUE
        for chunk, matches in super().analyze(chunks):
            yield chunk, [replace(m, entity_type=TEST_VALUE) if chunk.text[m.start:m.end].endswith("@example.org")
                          else m for m in matches]


def test_test_values_found_in_worker_processes_are_counted(tmp_path, packs):
    """The test values a worker process finds come back with each item's outcome and are summed
    in the report, as those found in the scanning process are."""
    root = tmp_path / "tv"
    root.mkdir()
    (root / "test.txt").write_text("bob@example.org\nalice@example.org\nx@un.org\n")
    (root / "more.txt").write_text("eve@example.org\n")
    (root / "none.txt").write_text("nothing here\n")
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, workers=2)
    workers = run_scan(opts, Hasher(b"k" * 32), executor=supervised(2, MarksTestValues))
    here = run_scan(replace(opts, workers=1), Hasher(b"k" * 32), detector=MarksTestValues())
    assert workers.stats["test_values_ignored"] == here.stats["test_values_ignored"] == 3
    assert workers.stats["items_scanned"] == 3 and len(workers.findings) == len(here.findings) == 0


class StopsAfterFirstItem:
    """A progress sink that sends the scanning process SIGTERM (``kill -TERM``) when the first
    item is done, and records what it hears of the others."""

    def __init__(self):
        self.scanned, self.not_scanned = [], []

    def item(self, size):
        pass

    def tick(self):
        pass

    def problem(self, problem):
        pass

    def done(self, uri, size, findings, unchanged=False, name_only=False, failed=False):
        self.scanned.append(os.path.basename(uri))
        if len(self.scanned) == 1:
            import signal
            signal.raise_signal(signal.SIGTERM)

    def stopped(self, uri, size, findings):
        self.not_scanned.append(os.path.basename(uri))


def test_items_not_analysed_when_a_scan_is_stopped_are_not_counted_nor_stored(tmp_path, packs):
    """SIGTERM once the first task (4 items) of one worker process is back: the items still out are
    not analysed; they are neither counted nor heard of as scanned, and the state does not keep
    them: the next run scans them and reuses the 4 others."""
    root = tmp_path / "s"
    root.mkdir()
    for i in range(10):
        (root / f"f{i:02d}.txt").write_text(f"card {CARD}\n")
    state = str(tmp_path / "state.db")
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=packs, workers=1, state_path=state)
    progress = StopsAfterFirstItem()
    first = run_scan(opts, Hasher(b"k" * 32), executor=supervised(1, FakeDetector), progress=progress,
                     install_signal_handlers=True)
    assert not first.complete and first.targets[0].error == "interrupted by signal SIGTERM"
    scanned = ["f00.txt", "f01.txt", "f02.txt", "f03.txt"]
    assert progress.scanned == scanned
    assert len(progress.not_scanned) == 6 and not set(progress.not_scanned) & set(scanned)
    assert first.stats["items_scanned"] == 4 and len(first.findings) == 4
    assert first.stats["bytes_scanned"] == sum((root / n).stat().st_size for n in scanned)
    again = run_scan(replace(opts, workers=1), Hasher(b"k" * 32), executor=supervised(1, FakeDetector))
    assert again.complete and len(again.findings) == 10
    assert again.stats["items_unchanged"] == 4 and again.stats["items_scanned"] == 6


def test_state_keeps_no_error_that_may_not_happen_again(tmp_path):
    """A file unreadable today (a permission given since does not change its modification time)
    or whose worker process was killed is read again by the next run; a corrupt file is not."""
    from types import SimpleNamespace
    from dataguard.types import ItemMeta, Problem, Unit
    from dataguard.vocab import WORKER_DIED
    store = StateStore(str(tmp_path / "s.db"), "x")
    try:
        cases = {"unreadable.txt": Problem("u1", "unreadable", "permission denied"),
                 "killed.txt": Problem("u2", "corrupt", f"{WORKER_DIED} (exit code -9)"),
                 "corrupt.docx": Problem("u3", "corrupt", "not a zip file")}
        items = []
        for name, problem in cases.items():
            item = SimpleNamespace(unit=Unit(target=str(tmp_path), uri=str(tmp_path / name), path=name),
                                   meta=ItemMeta(size=10, mtime=1.0, identity="1"))
            store.record(item, [], [problem], "k", [], {})
            items.append(item)
        kept = [item.unit.path for item, cached in zip(items, store.lookup_many(items)) if cached is not None]
    finally:
        store.close()
    assert kept == ["corrupt.docx"]


def test_state_is_invalidated_when_the_hmac_key_changes(tree, packs, tmp_path):
    """Stored value hashes are made with the key: a new key's run must not reuse them."""
    state = str(tmp_path / "state.db")
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs, state_path=state)
    first = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector())
    again = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector())
    rotated = run_scan(opts, Hasher(b"r" * 32), detector=FakeDetector())
    assert again.stats["items_unchanged"] == 4 and rotated.stats["items_unchanged"] == 0
    fresh = run_scan(replace(opts, state_path=None), Hasher(b"r" * 32), detector=FakeDetector())
    def hashes(res):
        return [e.value_hash for f in res.findings for e in f.evidence]
    assert hashes(rotated) == hashes(fresh) and not set(hashes(rotated)) & set(hashes(first))


def test_a_state_path_naming_another_programs_database_is_refused_and_left_alone(tmp_path, tree, packs):
    import sqlite3
    from dataguard.state import StateError
    shop = tmp_path / "shop.db"
    con = sqlite3.connect(shop)
    con.execute("CREATE TABLE items (sku TEXT, price REAL)")
    con.executemany("INSERT INTO items VALUES (?, ?)", [(f"S{i}", i) for i in range(100)])
    con.commit()
    con.close()
    os.chmod(shop, 0o644)
    before = shop.read_bytes()
    with pytest.raises(StateError, match="not a dataguard state file"):
        _scan(tree, packs, state_path=str(shop))
    assert shop.read_bytes() == before and stat.S_IMODE(os.stat(shop).st_mode) == 0o644



def test_a_damaged_state_file_says_what_to_do_and_is_left_alone(tmp_path, tree, packs):
    """A state file cut by a full disk failed every night with 'file is not a database' alone."""
    from dataguard.state import StateError
    st = str(tmp_path / "state.db")
    _scan(tree, packs, state_path=st)
    with open(st, "r+b") as fh:
        fh.write(b"\0" * 100)                 # its header gone
    before = open(st, "rb").read()
    with pytest.raises(StateError, match="delete it, and the next run reads every item again"):
        _scan(tree, packs, state_path=st)
    assert open(st, "rb").read() == before

def test_a_folder_target_gone_before_its_items_are_read_is_incomplete(tree, packs, monkeypatch):
    """Every item listed, then the folder moved away (or unmounted) before they are read: their
    read errors do not make a complete scan ('report diff' would resolve every finding of it)."""
    import dataguard.sources
    from dataguard.sources.local import LocalSource

    class MovedAfterTheWalk(LocalSource):
        def items(self):
            listed = list(super().items())
            os.rename(self.root, self.root + ".moved")
            yield from listed
    monkeypatch.setattr(dataguard.sources, "open_target", MovedAfterTheWalk)
    res = run_scan(ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs), Hasher(b"k" * 32),
                   detector=FakeDetector())
    assert not res.complete and not res.findings and {e.kind for e in res.errors} == {"unreadable"}
    assert [(t.status, t.error) for t in res.targets] == [
        ("partial", "target folder moved, deleted or unmounted during the scan")]


def test_signals_stay_handled_for_good_after_a_stop(tree, packs):
    """A second SIGTERM (or SIGINT) after the one that stopped the scan ended the process (exit
    143: no partial report, its temporary file left behind). After a stop the handlers stay; after
    a scan no signal stopped, the previous ones are back."""
    import signal
    before = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}
    for sig, handler in before.items():      # (an earlier test's scan stopped by a signal kept its own)
        signal.signal(sig, handler)
    opts = ScanOptions(targets=[(str(tree), SourceOptions())], packs=packs)
    try:
        done = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector(), install_signal_handlers=True)
        assert done.complete and {sig: signal.getsignal(sig) for sig in before} == before
        stopped = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector(), progress=StopsAfterFirstItem(),
                           install_signal_handlers=True)
        assert not stopped.complete and stopped.targets[0].error == "interrupted by signal SIGTERM"
        for sig in before:
            assert signal.getsignal(sig) not in (before[sig], signal.SIG_DFL)
            signal.raise_signal(sig)            # changes nothing
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def test_an_item_nothing_was_read_of_is_an_error_not_a_scanned_item(tree, packs):
    """items_scanned counted unreadable and encrypted items too: the inventory's coverage, scanned /
    (scanned + failed), showed 50% where nothing was read. An item read in part (a broken page,
    a corrupt member) stays scanned."""
    from pypdf import PdfWriter
    w = PdfWriter()
    w.add_blank_page(100, 100)
    w.encrypt("s3cret-pw")
    w.write(str(tree / "locked.pdf"))
    (tree / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip archive")
    res = _scan(tree, packs)
    assert sorted((e.uri.rsplit("/", 1)[-1], e.kind) for e in res.errors) == [
        ("broken.docx", "corrupt"), ("locked.pdf", "encrypted")]
    assert res.stats["items_scanned"] == 5
    assert res.stats["bytes_scanned"] == sum(p.stat().st_size for p in tree.rglob("*") if p.name != "locked.pdf"
                                             and p.is_file())


def test_a_state_file_cut_short_at_its_creation_is_used(tmp_path, tree, packs):
    """A run stopped between creating the state's meta table and writing its fingerprint (a full
    disk) left a file every later run refused as 'not a dataguard state file'."""
    import sqlite3
    state = tmp_path / "state.db"
    con = sqlite3.connect(state)
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.commit()
    con.close()
    assert _scan(tree, packs, state_path=str(state)).complete
    assert _scan(tree, packs, state_path=str(state)).stats["items_unchanged"] == 4

"""``run_scan``: the targets in order, the state, signals, and the ``ScanResult``."""
from __future__ import annotations

import contextlib
import functools
import posixpath
import logging
import os
import signal
import threading
import uuid
from datetime import datetime, timezone
from typing import Optional

from dataguard.hashing import Hasher
from dataguard.scanner.aggregate import Aggregator
from dataguard.scanner.deadline import Clock, Deadline
from dataguard.scanner.events import ProgressSink
from dataguard.scanner.executors import Executor, InProcessExecutor
from dataguard.scanner.options import ScanOptions
from dataguard.scanner.sink import Sink
from dataguard.scanner.stream import SourceScanner
from dataguard.types import ScanResult, TargetStatus

log = logging.getLogger("dataguard.scanner")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


FORCE_AFTER = 3        # times one signal comes before the process exits at once (a stop hanging on a stalled write)


@contextlib.contextmanager
def _stop_on_signals(deadline: Deadline, install: bool):
    """While the scan runs, SIGTERM and SIGINT stop it cleanly (partial report). After a signal
    the handler stays (the process is ending): a second signal, or one while the caller writes
    the partial report, changes nothing (it ended the process, no report, its temporary file
    left behind); the ``FORCE_AFTER``-th ends the process at once. Without a signal the previous
    handlers come back when the scan ends."""
    old, signalled = {}, []
    if install and threading.current_thread() is threading.main_thread():
        def on_signal(signum, frame):
            signalled.append(signum)
            if signalled.count(signum) >= FORCE_AFTER:     # the operator insists (a stop that hangs): no report
                log.error("signal %s received %d times: exiting at once, without a report",
                          signal.Signals(signum).name, signalled.count(signum))
                logging.shutdown()
                os._exit(128 + signum)
            deadline.stop("interrupted by signal %s" % signal.Signals(signum).name)
        for sig in (signal.SIGTERM, signal.SIGINT):
            old[sig] = signal.signal(sig, on_signal)
        log.debug("SIGTERM and SIGINT now stop the scan with a partial report")
    try:
        yield
    finally:
        if not signalled:
            for sig, handler in old.items():
                signal.signal(sig, handler)


def make_executor(opts, detector=None, hasher=None) -> Executor:
    """The executor of ``opts``: its Dask cluster (``opts.cluster``, connected now: raises
    ExecutorUnavailable), else ``opts.workers`` local processes. A ``detector`` object given by
    the caller runs in this process: it cannot be combined with several workers or a cluster."""
    if detector is not None:
        if opts.workers > 1 or opts.cluster is not None:
            raise ValueError(f"a detector object runs in the scanning process only: use workers=1 "
                             f"(not {opts.workers}) and no cluster, or pass an executor built with a detector factory")
        return InProcessExecutor(lambda: detector)
    if opts.cluster is not None:
        from dataguard.scanner.cluster import DaskExecutor
        executor = DaskExecutor.for_scan(opts, hasher)
        executor.start()
        return executor
    from dataguard.scanner.remote import ScanSetup
    from dataguard.scanner.supervised import SupervisedExecutor
    setup = ScanSetup("local", opts.detector_kwargs, opts.limits, opts.max_evidence, opts.show_data,
                      opts.batch_chunks, key_check="")
    return SupervisedExecutor(opts.workers, setup, hasher)


def _waiting(progress: ProgressSink, deadline: Deadline) -> bool:
    """What a waiting executor asks now and then: the progress hears the run is alive (a
    heartbeat while one long item is being read), and the answer is whether to stop."""
    progress.tick()
    return deadline.expired()


def run_scan(opts: ScanOptions, hasher: Hasher, *, detector=None, executor: Optional[Executor] = None,
             progress: Optional[ProgressSink] = None, install_signal_handlers: bool = False,
             clock: Clock = Clock()) -> ScanResult:
    """Run a whole scan. Per-item failures become records; only whole-target failures mark a
    target as errored. Never raises for content problems. Detection runs on ``executor``
    (default: ``make_executor(opts, detector, hasher)``; a ``detector`` object needs ``workers == 1``).
    Raises ExecutorUnavailable if the cluster of ``opts.cluster`` cannot be reached.
    ``install_signal_handlers`` (main thread only): SIGTERM and SIGINT stop the scan (an incomplete
    result); once one has come they stay handled for good (the process is ending: a second one
    while the report is written changes nothing)."""
    from dataguard.rules import evaluate, evaluation_keyer

    deadline = Deadline(opts.max_duration_s, clock)
    started_at = now = clock.wall()
    sink = Sink(lambda summary, table=(): evaluate(opts.packs, summary, opts.site, max_evidence=opts.max_evidence,
                                                   now=now, table=table),
                show_data=opts.show_data, hasher=hasher)
    progress = progress or ProgressSink()
    if executor is None:
        executor = make_executor(opts, detector, hasher)
    if hasattr(executor, "watch"):         # an executor that blocks on long work listens for the stop
        executor.watch(functools.partial(_waiting, progress, deadline))
    with _stop_on_signals(deadline, install_signal_handlers):
        try:
            aggregator = Aggregator.for_scan(hasher, opts.detector_kwargs, opts.max_evidence, opts.show_data)
            targets = _scan_with_state(opts, sink, executor, aggregator, deadline,
                                       evaluation_keyer(opts.packs, opts.site, now), progress, hasher.key_id)
        finally:
            executor.close(cancel=deadline.stopped)
    sink.stats["test_values_ignored"] += aggregator.test_values    # (plus those the workers sent back with items)
    stats = sink.close_stats(deadline.elapsed())
    complete = not deadline.stopped and all(t.status == "ok" for t in targets)
    return sink.with_unmasked(ScanResult(
        scan_id=str(uuid.uuid4()), site=opts.site, started_at=_iso(started_at), finished_at=_iso(clock.wall()),
        complete=complete, targets=targets,
        rule_packs=[{"pack": p.name, "version": str(p.version), "sha256": p.sha256} for p in opts.packs],
        stats=stats, findings=sink.findings, errors=sink.errors, skipped=sink.skipped, key_id=hasher.key_id))


def _scan_with_state(opts, sink, executor, aggregator, deadline, keyer, progress, key_id: str) -> list:
    """Scan every target with the state (if any) open; returns the targets' statuses."""
    from dataguard.state import StateStore, config_fingerprint
    # raises StateLocked if another run holds it
    state = StateStore(opts.state_path, config_fingerprint(opts, key_id)) if opts.state_path else None
    try:
        # a --show-data run holds the state's lock but neither reads, records nor prunes it
        active = None if opts.show_data else state
        if state is not None and active is None:
            log.warning("--show-data: the state file is neither read nor written (it never holds raw values): "
                        "every item is read, and a stopped run is not continued")
        scanner = SourceScanner(opts, sink, executor, aggregator, deadline, active, keyer, progress)
        targets = []
        for uri, source_opts in opts.targets:
            if deadline.expired():          # (listed all the same: a report shows every target asked for)
                targets.append(_not_reached(uri, sink, deadline))
                continue
            targets.append(_scan_target(uri, source_opts, scanner, sink, deadline))
        if active is not None and not deadline.stopped and all(t.status == "ok" for t in targets):
            active.prune_unseen()
        return targets
    finally:
        if state is not None:
            state.close()


def _scan_target(uri: str, source_opts, scanner: SourceScanner, sink: Sink, deadline: Deadline) -> TargetStatus:
    """Scan one target; its status as the report shows it (``Sink.shown_target``)."""
    from dataguard.sources import TargetError, open_target, redact_uri
    try:
        source = open_target(uri, source_opts)
    except TargetError as exc:
        return sink.shown_target(TargetStatus(uri=redact_uri(uri), status="error", error=str(exc)))
    status = TargetStatus(uri=source.display_uri)
    log.info("scanning target %s", _started(source, sink))
    try:
        scanner.scan(source, uri, source_opts)
    except TargetError as exc:
        status.status, status.error = "error", str(exc)
    finally:
        status.info = dict(getattr(source, "info", {}) or {})
        sink.stats["rows_sampled"] += int(getattr(source, "rows_sampled", 0) or 0)
        if status.info.get("incomplete") and status.status == "ok":
            status.status = "partial"
            status.error = status.info.get("incomplete_reason") or "target became unreachable during the scan"
        with contextlib.suppress(Exception):
            source.close()
    if deadline.stopped and status.status == "ok":
        status.status, status.error = "partial", deadline.reason
    return sink.shown_target(status)


def _not_reached(uri: str, sink: Sink, deadline: Deadline) -> TargetStatus:
    """A target the scan stopped before (a signal, ``--max-duration``): ``partial``, nothing read."""
    from dataguard.sources import redact_uri
    return sink.shown_target(TargetStatus(uri=redact_uri(uri), status="partial",
                                          error=f"not scanned: {deadline.reason}"))


def _started(source, sink: Sink) -> str:
    """A target as the line that starts its scan shows it: a target that is one file is an
    item whose name is not scanned yet, shown by its folder."""
    shown = sink.shown(source.display_uri, sink.scan_masker())
    if (getattr(source, "info", None) or {}).get("type") == "file":
        return "a file in " + posixpath.dirname(shown)
    return shown

"""Orchestration: targets -> items -> chunks -> detections -> unit summaries -> findings.

Extraction and aggregation run in this process; detection (the expensive part)
runs in ``workers`` processes, each with its own model, fed with bounded
batches of chunks and read back in submission order, so the result of a scan
does not depend on the number of workers.
"""
from __future__ import annotations

import collections
import itertools
import logging
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Iterable, Iterator, Optional

from dataguard.hashing import Hasher, mask
from dataguard.spill import SpillList
from dataguard.types import (Chunk, EntityAgg, Evidence, ItemMeta, Limits, Problem, ScanResult, Site,
                             TargetStatus, Unit, UnitSummary, encode_finding, decode_finding, severity_rank)

log = logging.getLogger(__name__)

HASHES_CAP = 10_000          # distinct value hashes kept per entity and unit


@dataclass
class ScanOptions:
    targets: list                          # list[(uri, SourceOptions)]
    packs: list                            # list[RulePack]
    site: Site = field(default_factory=Site)
    limits: Limits = field(default_factory=Limits)
    max_evidence: Optional[int] = 10       # None: all
    show_data: bool = False
    detector_kwargs: dict = field(default_factory=dict)   # for dataguard.detect.Detector
    workers: int = 1
    batch_chunks: int = 16
    state_path: Optional[str] = None
    max_duration_s: Optional[float] = None


class ProgressSink:
    """What a scan reports as it goes (``dataguard.progress`` draws it); this one ignores it all.
    ``item``: an item is being read; ``done``: it is finished (``unchanged``: reused from the
    state without reading); ``problem``: an error or a skipped item was recorded."""

    def item(self, uri: str, size: int) -> None:
        pass

    def done(self, uri: str, size: int, findings: int, unchanged: bool = False) -> None:
        pass

    def problem(self, problem: Problem) -> None:
        pass


class _Stop:
    """Why a scan stopped early (signal or time budget); None while running."""

    def __init__(self):
        self.reason: Optional[str] = None


# ---------------------------------------------------------------- detection in workers
_WORKER_DETECTOR = None


def _worker_init(detector_kwargs: dict) -> None:
    global _WORKER_DETECTOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides how to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (a forked worker inherits the parent's handler)
    from dataguard.detect import Detector
    _WORKER_DETECTOR = Detector(**detector_kwargs)


def _worker_analyze(chunks: list) -> list:
    return [matches for _, matches in _WORKER_DETECTOR.analyze(chunks)]


_DETECTORS: dict = {}


def _cached_detector(detector_kwargs: dict):
    """One Detector per distinct configuration per process (a model load takes seconds)."""
    key = repr(sorted((k, sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in detector_kwargs.items()))
    det = _DETECTORS.get(key)
    if det is None:
        from dataguard.detect import Detector
        det = _DETECTORS[key] = Detector(**detector_kwargs)
    return det


def _worker_ready() -> bool:
    return _WORKER_DETECTOR is not None


def _mp_context():
    """How worker processes start. On Linux, while this process has no other thread, a plain
    fork: workers inherit the modules already imported (Presidio, spaCy: seconds per worker
    otherwise) and there is no lock another thread could hold. Otherwise a fork server (or
    spawn where there is none), which starts each worker from a clean process."""
    import multiprocessing as mp
    methods = mp.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")


class _InlineFuture:
    def __init__(self, value):
        self._value = value

    def result(self):
        return self._value


class _Pool:
    """Runs detection batches inline (1 worker) or in a process pool, results in order.

    Nothing starts before ``start()`` (or the first batch): a rescan in which every item is
    unchanged loads no model and forks no worker."""

    def __init__(self, detector_kwargs: dict, workers: int, detector=None):
        self.workers = max(1, workers)
        self._kwargs = detector_kwargs
        self._executor = None
        self._detector = detector
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self.workers == 1:
            if self._detector is None:
                self._detector = _cached_detector(self._kwargs)
        else:
            self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_mp_context(),
                                                 initializer=_worker_init, initargs=(self._kwargs,))
            # start the workers now: they load their detectors while this process reads the first items
            self._executor.submit(_worker_ready)

    def submit(self, chunks: list):
        self.start()
        if self._executor is None:
            return _InlineFuture([m for _, m in self._detector.analyze(chunks)])
        try:
            return self._executor.submit(_worker_analyze, chunks)
        except BrokenProcessPool:
            return self._fall_back(chunks)

    def result(self, future, chunks: list) -> list:
        """The batch's matches; if a worker process died (e.g. killed for memory), the
        batch is analysed again in this process and the scan goes on without the pool."""
        try:
            return future.result()
        except BrokenProcessPool:
            return self._fall_back(chunks).result()

    def _fall_back(self, chunks: list):
        if self._executor is not None:
            log.warning("a detection worker process died; continuing in the main process")
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
            self.workers = 1
        if self._detector is None:
            self._detector = _cached_detector(self._kwargs)
        return _InlineFuture([m for _, m in self._detector.analyze(chunks)])

    def close(self, cancel: bool = False):
        if self._executor is not None:
            self._executor.shutdown(wait=not cancel, cancel_futures=cancel)


# ---------------------------------------------------------------- aggregation
class _Aggregator:
    """Collects matches of the units of the items in flight into UnitSummary objects."""

    def __init__(self, hasher: Hasher, evidence_cap: Optional[int], show_data: bool):
        self.hasher = hasher
        self.evidence_cap = evidence_cap
        self.show_data = show_data

    def add(self, summaries: dict, meta: ItemMeta, chunk: Chunk, matches: list) -> None:
        if not matches:
            return
        summary = summaries.get(chunk.unit.key)
        if summary is None:
            summary = summaries[chunk.unit.key] = UnitSummary(unit=chunk.unit, meta=meta)
        cap = self.evidence_cap
        for m in matches:
            agg = summary.entities.get(m.entity_type)
            if agg is None:
                agg = summary.entities[m.entity_type] = EntityAgg()
            score = round(m.score, 2)
            agg.scores[score] = agg.scores.get(score, 0) + 1
            keep_hash = len(agg.hashes) < HASHES_CAP
            keep_evidence = cap is None or len(agg.evidence) < cap
            if not (keep_hash or keep_evidence):
                continue        # counted; nothing more is kept of it
            value = chunk.text[m.start:m.end]
            vhash = self.hasher.hash(m.entity_type, value)
            if keep_hash:
                agg.hashes.add(vhash)
            if keep_evidence:
                agg.evidence.append(Evidence(
                    entity_type=m.entity_type, score=score, pointer=chunk.pointer_at(m.start),
                    masked=mask(m.entity_type, value), value_hash=vhash,
                    value=value if self.show_data else None))


def _now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _finding_sort_key(f):
    u = f.unit
    return (-severity_rank(f.severity), u.uri, u.member or "", u.table or "", u.column or "", f.rule_id)


# ---------------------------------------------------------------- the scan
def run_scan(opts: ScanOptions, hasher: Hasher, *, detector=None,
             progress: Optional[ProgressSink] = None,
             install_signal_handlers: bool = False) -> ScanResult:
    """Run a whole scan. Per-item failures become records; only whole-target
    failures mark a target as errored. Never raises for content problems."""
    from dataguard.rules import evaluate, evaluation_keyer
    from dataguard.sources import TargetError, open_target
    from dataguard.state import StateStore, config_fingerprint

    started = time.monotonic()
    started_at = _now_iso()
    stop = _Stop()
    deadline = started + opts.max_duration_s if opts.max_duration_s else None
    old_handlers = {}
    if install_signal_handlers and threading.current_thread() is threading.main_thread():
        def _on_signal(signum, frame):
            stop.reason = "interrupted by signal %s" % signal.Signals(signum).name
        for sig in (signal.SIGTERM, signal.SIGINT):
            old_handlers[sig] = signal.signal(sig, _on_signal)

    # what a scan collects grows with the number of items: kept out of memory
    findings = SpillList(key=_finding_sort_key, encode=encode_finding, decode=decode_finding)
    errors, skipped = SpillList(), SpillList()
    targets = []
    stats = {"items_scanned": 0, "items_skipped": 0, "items_unchanged": 0, "bytes_scanned": 0,
             "rows_sampled": 0, "errors": 0, "duration_s": 0.0}
    agg = _Aggregator(hasher, opts.max_evidence, opts.show_data)
    progress = progress or ProgressSink()
    now = time.time()
    pool = None
    state = None
    try:
        pool = _Pool(opts.detector_kwargs, opts.workers, detector=detector)
        if opts.state_path:
            fp = config_fingerprint(opts)
            state = StateStore(opts.state_path, fp)   # raises StateLocked if another run holds it
        keyer = evaluation_keyer(opts.packs, opts.site, now)
        # a --show-data run holds the state's lock but neither reads, records nor prunes it
        active = None if opts.show_data else state
        for target_uri, source_opts in opts.targets:
            if stop.reason:
                break
            try:
                source = open_target(target_uri, source_opts)
            except TargetError as exc:
                from dataguard.sources import redact_uri
                targets.append(TargetStatus(uri=redact_uri(target_uri), status="error", error=str(exc)))
                continue
            status = TargetStatus(uri=source.display_uri)
            targets.append(status)
            try:
                _scan_source(source, opts, pool, agg, evaluate, keyer, active, now, stop, deadline,
                             findings, errors, skipped, stats, progress)
            except TargetError as exc:
                status.status, status.error = "error", str(exc)
            finally:
                status.info = dict(getattr(source, "info", {}) or {})
                stats["rows_sampled"] += int(getattr(source, "rows_sampled", 0) or 0)
                if status.info.get("incomplete") and status.status == "ok":
                    status.status = "partial"
                    status.error = status.info.get("incomplete_reason") or "target became unreachable during the scan"
                try:
                    source.close()
                except Exception:  # noqa: BLE001
                    pass
            if stop.reason and status.status == "ok":
                status.status = "partial"
                status.error = stop.reason
        if active is not None and not stop.reason and all(t.status == "ok" for t in targets):
            state.prune_unseen()
    finally:
        if pool is not None:
            pool.close(cancel=bool(stop.reason))
        if state is not None:
            state.close()
        for sig, h in old_handlers.items():
            signal.signal(sig, h)

    findings.sort()
    stats["errors"] = len(errors)
    stats["items_skipped"] = len(skipped)
    stats["duration_s"] = round(time.monotonic() - started, 3)
    complete = not stop.reason and all(t.status == "ok" for t in targets)
    return ScanResult(scan_id=str(uuid.uuid4()), site=opts.site, started_at=started_at,
                      finished_at=_now_iso(), complete=complete, targets=targets,
                      rule_packs=[{"pack": p.name, "sha256": p.sha256} for p in opts.packs],
                      stats=stats, findings=findings, errors=errors, skipped=skipped)


def _looked_up(entries: Iterable, state) -> Iterator[tuple]:
    """(entry, what the state holds of it or None). With a state, entries are read
    LOOKUP_BATCH ahead (their metadata only) and looked up with one query."""
    if state is None:
        for entry in entries:
            yield entry, None
        return
    from dataguard.state import LOOKUP_BATCH
    it = iter(entries)
    while True:
        block = list(itertools.islice(it, LOOKUP_BATCH))
        if not block:
            return
        where = [i for i, e in enumerate(block) if not isinstance(e, Problem)]
        cached = dict(zip(where, state.lookup_many([block[i] for i in where])))
        for i, entry in enumerate(block):
            yield entry, cached.get(i)


def _scan_source(source, opts, pool, agg, evaluate, evaluation_key, state, now, stop, deadline,
                 findings, errors, skipped, stats, progress):
    """Stream one source's items through detection, keeping a bounded window of batches in flight.
    An item unchanged since the state's last run is not read: its findings are reused as they
    were if its evaluation key is unchanged too, else its stored summaries are evaluated again."""

    def evaluated(summaries) -> list:
        """(encoded finding, sort key) of the summaries' findings, added to ``findings``."""
        out = []
        for summary in summaries:
            for f in evaluate(opts.packs, summary, opts.site, max_evidence=opts.max_evidence, now=now):
                key, data = _finding_sort_key(f), encode_finding(f)
                findings.append_encoded(data, key)
                out.append((data, key))
        return out
    inflight: collections.deque = collections.deque()   # (future, [(item_idx, chunk)])
    items: dict = {}        # item_idx -> [item, summaries, chunks_pending, done_reading, problems, cut_short]
    max_inflight = max(2, pool.workers * 2)

    def finish_item(idx: int) -> None:
        item, summaries, _, _, problems, cut_short = items.pop(idx)
        item_findings = evaluated(summaries.values())
        if state is not None and not cut_short:
            state.record(item, list(summaries.values()), problems,
                         evaluation_key(item.meta), item_findings)
        progress.done(item.unit.uri, item.meta.size or 0, len(item_findings))

    def drain(until: int) -> None:
        while len(inflight) > until:
            fut, batch = inflight.popleft()
            results = pool.result(fut, [c for _, c in batch])
            for (idx, chunk), matches in zip(batch, results):
                entry = items[idx]
                agg.add(entry[1], entry[0].meta, chunk, matches)
                entry[2] -= 1
            for idx in sorted({i for i, _ in batch}):
                entry = items.get(idx)
                if entry is not None and entry[2] == 0 and entry[3]:
                    finish_item(idx)

    def record_problem(p: Problem, problems: Optional[list] = None) -> None:
        (skipped if p.skipped else errors).append(p)
        progress.problem(p)
        if problems is not None:
            problems.append(p)

    batch: list = []
    idx = 0
    for entry, cached in _looked_up(source.items(), state):
        if stop.reason is None and deadline is not None and time.monotonic() > deadline:
            stop.reason = "time budget (--max-duration) exhausted"
        if stop.reason:
            break
        if isinstance(entry, Problem):
            record_problem(entry)
            continue
        item = entry
        if cached is not None:
            for p in cached.problems:
                record_problem(p)
            key = evaluation_key(item.meta)
            if cached.eval_key == key:
                findings.extend_encoded(cached.findings)
            else:
                state.refresh_findings(cached, key, evaluated(cached.summaries()))
            stats["items_unchanged"] += 1
            progress.done(item.unit.uri, item.meta.size or 0, len(cached.findings), unchanged=True)
            continue
        progress.item(item.unit.uri, item.meta.size or 0)
        idx += 1
        pool.start()
        items[idx] = [item, {}, 0, False, [], False]
        stats["items_scanned"] += 1
        stats["bytes_scanned"] += int(item.meta.size or 0)
        for piece in item.chunks(opts.limits):
            if stop.reason is None and deadline is not None and time.monotonic() > deadline:
                stop.reason = "time budget (--max-duration) exhausted"
            if stop.reason:
                items[idx][5] = True          # cut short: never cached as if complete
                break
            if isinstance(piece, Problem):
                record_problem(piece, items[idx][4])
                continue
            items[idx][2] += 1
            batch.append((idx, piece))
            if len(batch) >= opts.batch_chunks:
                inflight.append((pool.submit([c for _, c in batch]), batch))
                batch = []
                drain(max_inflight)
        items[idx][3] = True
        if items[idx][2] == 0:
            finish_item(idx)
    if batch:
        inflight.append((pool.submit([c for _, c in batch]), batch))
    drain(0)

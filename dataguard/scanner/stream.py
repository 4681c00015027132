"""One source's items: an item unchanged since the state's last run is not read (its findings
are reused as they were if its evaluation key is unchanged too, else its stored summaries are
evaluated again); the others go through a pipeline to the executor. What detection found
in the names of an item masks every name and problem of that item that is shown."""
from __future__ import annotations

import functools
import itertools
import logging
from typing import Callable, Iterable, Iterator

from dataguard.scanner.aggregate import Aggregator
from dataguard.scanner.deadline import Deadline
from dataguard.scanner.events import ProgressSink
from dataguard.scanner.executors import Executor
from dataguard.scanner.pipeline import ChunkPipeline, InFlightItem, ItemPipeline
from dataguard.names import NameMasker, unscanned
from dataguard.scanner.sink import UNMASKED, Sink, name_values
from dataguard.types import Problem
from dataguard.vocab import UNREAD_KINDS, ProblemKind

log = logging.getLogger("dataguard.scanner")


def looked_up(entries: Iterable, state) -> Iterator[tuple]:
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


def _merge_info(source, delta: dict) -> None:
    """What a worker's copy of the source learnt while scanning an item, into ours."""
    if delta.get("tables"):
        source.info.setdefault("tables", []).extend(delta["tables"])
    if delta.get("incomplete"):
        source.info["incomplete"] = True
        source.info["incomplete_reason"] = delta.get("incomplete_reason") or source.info.get("incomplete_reason")


class SourceScanner:
    """Scans sources one after the other into ``sink``. ``state`` (a StateStore or None)
    supplies unchanged items and records the scanned ones under ``evaluation_key(meta)``;
    ``progress`` hears of each item and problem."""

    def __init__(self, opts, sink: Sink, executor: Executor, aggregator: Aggregator, deadline: Deadline,
                 state, evaluation_key: Callable, progress: ProgressSink):
        self._opts, self._sink, self._executor, self._agg = opts, sink, executor, aggregator
        self._deadline, self._state, self._key, self._progress = deadline, state, evaluation_key, progress

    def scan(self, source, target: str, source_opts) -> None:
        """Scan ``source``, opened from ``target`` with ``source_opts``."""
        pipeline = self._pipeline(source, target, source_opts)
        for entry, cached in looked_up(source.items(), self._state):
            if self._deadline.expired():
                break
            if isinstance(entry, Problem):
                pipeline.defer(functools.partial(self._problem, entry))
            elif cached is not None:
                pipeline.defer(functools.partial(self._reuse, entry, cached))
            else:
                self._progress.item(entry.meta.bytes)
                pipeline.feed(entry)
        pipeline.finish()

    def _pipeline(self, source, target: str, source_opts):
        if self._executor.takes == "items":
            from dataguard.scanner.remote import item_ref
            ref = getattr(self._executor, "item_ref", item_ref)     # a local executor keeps credentials
            return ItemPipeline(self._executor, lambda item: ref(target, source_opts, item), self._deadline,
                                functools.partial(self._done, source), functools.partial(_merge_info, source),
                                self._agg.evidence_cap)
        return ChunkPipeline(self._executor, self._agg, self._opts.limits, self._opts.batch_chunks,
                             self._deadline, functools.partial(self._done, source))

    def _problem(self, p: Problem, masker: NameMasker = UNMASKED) -> None:
        """Record a problem (of the item of ``masker``: what was found in its names masks it)."""
        self._progress.problem(self._sink.problem(p, masker))

    def _reuse(self, item, cached) -> None:
        masker = self._sink.masker(cached.name_values)
        for p in cached.problems:
            self._problem(p, masker)
        key = self._key(item.meta)
        findings = cached.findings
        if cached.eval_key == key:
            self._sink.reuse(findings)
        else:
            findings = self._sink.evaluated(cached.summaries(), masker)
            self._state.refresh_findings(cached, key, findings)
        self._sink.stats["items_unchanged"] += 1
        self._progress.done(self._sink.shown(item.unit.uri, masker), item.meta.bytes, len(findings),
                            unchanged=True)

    def _done(self, source, entry: InFlightItem) -> None:
        summaries = list(entry.summaries.values())
        values = name_values(summaries)
        if not entry.names_seen:    # a worker killed on it, a scan stopped first: its name may hold anything
            values.update(unscanned(getattr(entry.item, "name", None)))
        masker = self._sink.masker(values)
        for p in entry.problems:
            self._problem(p, masker)
        if any(p.kind == ProblemKind.UNREADABLE for p in entry.problems):
            source.target_lost()        # the target itself gone (moved, unmounted): it ends incomplete
        findings = self._sink.evaluated(summaries, masker)
        size = entry.item.meta.bytes
        self._sink.stats["test_values_ignored"] += entry.test_values
        if entry.cut_short:         # the scan stopped before it was analysed (whole): not scanned, not stored
            self._progress.stopped(self._sink.shown(entry.item.unit.uri, masker), size, len(findings))
            return
        # an item nothing could be read of (unreadable, encrypted) is an error, not a scanned item
        # (the inventory's coverage is scanned / (scanned + failed)); errors after part of it was
        # read (a broken page, a timeout, too many members) leave it scanned; one skipped whole
        # (binary, unsupported) had only its name scanned: the log says so
        failed = any(p.kind in UNREAD_KINDS and p.uri == entry.item.unit.uri for p in entry.problems)
        if not failed:
            self._sink.stats["items_scanned"] += 1
            self._sink.stats["bytes_scanned"] += size
        if self._state is not None:
            self._state.record(entry.item, summaries, entry.problems, self._key(entry.item.meta), findings, values)
        name_only = any(p.skipped and p.uri == entry.item.unit.uri for p in entry.problems)
        self._progress.done(self._sink.shown(entry.item.unit.uri, masker), size, len(findings), name_only=name_only,
                            failed=failed)

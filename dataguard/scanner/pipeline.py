"""The items in flight. Work goes out to an executor in batches; results come back in
submission order and are added to their item's summaries; an item is done when all its
work is read and back. At most the executor's ``window`` batches are in flight. An item's
problems are kept with it and handed over when it is done (with what detection found in
its names, which masks them); what the walk meets meanwhile waits for the items before it.

``ChunkPipeline`` extracts items in this process and sends their chunks (local executors);
``ItemPipeline`` sends the items by reference (a cluster executor: the workers extract)."""
from __future__ import annotations

import collections
import logging
from dataclasses import dataclass, field, replace
from typing import Callable, Optional

from dataguard.scanner.aggregate import Aggregator, merge_summary
from dataguard.scanner.deadline import Deadline
from dataguard.scanner.executors import Executor, ExecutorLost
from dataguard.types import Item, Problem

log = logging.getLogger(__name__)

SPLIT_BYTES = 512 * 1024     # a file of twice this size or more goes out in parts (ItemPipeline.split)
MAX_PARTS = 4


@dataclass(eq=False)
class InFlightItem:
    """An item being scanned."""
    item: Item
    summaries: dict = field(default_factory=dict)   # unit key -> UnitSummary
    problems: list = field(default_factory=list)    # its problems (reported and stored when it is done)
    pending: int = 0          # pieces of work submitted whose results are not back yet
    read: bool = False        # all its work has been handed out (or the item was cut short)
    cut_short: bool = False   # stopped early: never stored as if complete
    after: list = field(default_factory=list)       # what the walk met after it: run once it is done
    names_seen: bool = False  # what detection found in its names came back (its name is its first chunk)
    test_values: int = 0      # test values a worker found in it (an executor taking items; else the Aggregator's)
    held: list = field(default_factory=list)        # [(part, ItemOutcome)] of its parts, until it is done

    @property
    def done(self) -> bool:
        return self.read and self.pending == 0


class _Window:
    """Batches of (InFlightItem, work) submitted in order, results absorbed in order.
    ``on_done(InFlightItem)`` receives each finished item, with its problems. If the
    executor is lost, the deadline stops the scan and the items out are done, cut short."""

    def __init__(self, executor: Executor, deadline: Deadline, on_done: Callable[[InFlightItem], None]):
        self._executor, self._deadline = executor, deadline
        self._on_done = on_done
        self._batch: list = []                                     # [(InFlightItem, work)]
        self._inflight: collections.deque = collections.deque()   # (handle, batch)
        self._lost = False
        self._last = None           # the last item fed

    def finish(self) -> None:
        """Wait for everything in flight. An executor that can tell is told that nothing more
        comes before then (it may hand the work out in another order)."""
        self._submit()
        if hasattr(self._executor, "finishing"):
            self._executor.finishing()
        self._drain(0)

    def defer(self, event: Callable[[], None]) -> None:
        """Run ``event`` (what the walk met after the items fed so far: a problem, an unchanged
        item) in walk order: at once, unless the last item fed is not done yet."""
        if self._last is not None and not self._last.done:
            self._last.after.append(event)
        else:
            event()

    def _finished(self, entry: InFlightItem) -> None:
        self._on_done(entry)
        for event in entry.after:
            event()

    def _add(self, entry: InFlightItem, work, batch_size: int, full: bool = False) -> None:
        """Add work to the batch; a batch of ``batch_size`` (or ``full``) goes out."""
        if self._lost:
            return
        entry.pending += 1
        self._batch.append((entry, work))
        if full or len(self._batch) >= batch_size:
            self._submit()
            self._drain(self._executor.window)

    def _submit(self) -> None:
        if self._batch and not self._lost:
            self._inflight.append((self._executor.submit([w for _, w in self._batch]), self._batch))
        self._batch = []

    def _drain(self, until: int) -> None:
        while len(self._inflight) > until:
            handle, batch = self._inflight.popleft()
            try:
                results = self._executor.result(handle)
            except ExecutorLost as exc:
                log.error("%s: the scan stops (partial report)", exc)
                self._deadline.stop(str(exc))
                self._lost = True
                self._abandon([batch] + [b for _, b in self._inflight])
                return
            for (entry, work), result in zip(batch, results):
                self._absorb(entry, work, result)
                entry.pending -= 1
                if entry.done:              # its last piece of work: items finish in submission order
                    self._finished(entry)

    def _abandon(self, batches: list) -> None:
        """The executor is lost: the items of ``batches`` are done with what came back."""
        self._inflight.clear()
        entries = list({id(entry): entry for batch in batches for entry, _ in batch}.values())
        for entry in entries:
            entry.pending, entry.cut_short = 0, True
        for entry in entries:
            if entry.done:                  # (one still being read is done when its reading stops)
                self._finished(entry)

    def _absorb(self, entry: InFlightItem, work, result) -> None:
        raise NotImplementedError


class ChunkPipeline(_Window):
    """Extracts items in this process and has their chunks analysed by the executor."""

    def __init__(self, executor: Executor, aggregator: Aggregator, limits, batch_chunks: int, deadline: Deadline,
                 on_done: Callable[[InFlightItem], None]):
        super().__init__(executor, deadline, on_done)
        self._agg, self._limits, self._batch_chunks = aggregator, limits, batch_chunks

    def feed(self, item: Item) -> None:
        """Read the item's chunks into batches (stops early if the deadline says so)."""
        self._executor.start()
        entry = self._last = InFlightItem(item)
        for piece in item.chunks(self._limits):
            if self._deadline.expired():
                entry.cut_short = True
                break
            if isinstance(piece, Problem):
                entry.problems.append(piece)
                continue
            self._add(entry, piece, self._batch_chunks)
        entry.read = True
        if entry.done:
            self._finished(entry)

    def _absorb(self, entry: InFlightItem, chunk, matches) -> None:
        entry.names_seen = True
        self._agg.add(entry.summaries, entry.item.meta, chunk, matches)


class ItemPipeline(_Window):
    """Hands items by reference (``ref(item) -> ItemRef``) to a cluster executor whose
    workers open, extract and analyse them and return their summaries and problems.

    A large item is handed out in parts (``split``): each worker reads the item up to the end
    of its part and analyses that part's chunks (``remote.in_part``), so that one large log or
    export keeps every worker busy, not one of them while the others wait at the end of the
    scan. The parts' results come back in order and make the item's (``merge_summary``)."""

    def __init__(self, executor: Executor, ref: Callable, deadline: Deadline,
                 on_done: Callable[[InFlightItem], None], on_source_info: Callable[[dict], None],
                 evidence_cap: Optional[int] = None):
        super().__init__(executor, deadline, on_done)
        self._ref, self._on_source_info = ref, on_source_info
        self._evidence_cap = evidence_cap
        self._bytes = 0             # bytes of the items of the open batch

    def feed(self, item: Item) -> None:
        self._executor.start()
        parts = split(item, self._executor.workers)
        if parts > 1:
            self._feed_parts(item, parts)
            return
        entry = InFlightItem(item, read=True)
        self._bytes = (self._bytes if self._batch else 0) + item.meta.bytes
        self._add(entry, self._ref(item), self._executor.batch_items, full=self._bytes >= self._executor.batch_bytes)
        self._last = entry

    def _feed_parts(self, item: Item, parts: int) -> None:
        """The item's parts, each a batch of its own (the open batch goes out first)."""
        self._submit()
        entry = self._last = InFlightItem(item)
        ref = self._ref(item)
        for k in range(parts):
            self._add(entry, replace(ref, part=(k, parts)), 1, full=True)
        entry.read = True
        if entry.done:
            self._finished(entry)

    def _absorb(self, entry: InFlightItem, ref, outcome) -> None:
        if ref.part is None:
            self._take(entry, outcome)
        else:
            entry.held.append((ref.part, outcome))      # (the parts are read together: _finished)

    def _finished(self, entry: InFlightItem) -> None:
        self._take_parts(entry)
        super()._finished(entry)

    def _take_parts(self, entry: InFlightItem) -> None:
        """The outcomes of an item's parts (those that came back), in order. A worker of an older
        version, which does not read parts, gives the whole item for the part it was handed
        (its outcome does not say the part): that outcome alone is the item's, once."""
        held, entry.held = entry.held, []
        whole = [(part, o) for part, o in held if getattr(o, "part", None) != part]
        for k, (_, outcome) in enumerate(whole[:1] or held):
            self._take(entry, outcome, later=k > 0)

    def _take(self, entry: InFlightItem, outcome, later: bool = False) -> None:
        """An outcome's summaries, problems and counts added to its item's (``later``: of a part
        after the first, whose problems said again by an earlier part are said once)."""
        meta = entry.item.meta      # the scanning process's view of the item
        for summary in outcome.summaries:
            merge_summary(entry.summaries, _with_meta(summary, meta), self._evidence_cap)
        entry.problems.extend(p for p in outcome.problems if not (later and p in entry.problems))
        if not later:               # (the item's name is its first chunk: the first part's)
            entry.names_seen = outcome.names_seen
        entry.test_values += getattr(outcome, "test_values", 0)     # (a worker of an older version: none)
        if outcome.source_info:
            self._on_source_info(outcome.source_info)


def split(item: Item, workers: int) -> int:
    """In how many parts a file of this machine goes out: one per ``SPLIT_BYTES``, at most one per
    worker and ``MAX_PARTS`` (each part reads the item from its start: the reading grows with
    them). A share's file is read whole by one worker: each part would fetch it again."""
    size, uri = item.meta.bytes, item.unit.uri
    if item.unit.source != "file" or item.unit.member is not None or size < 2 * SPLIT_BYTES \
            or "://" in uri and not uri.lower().startswith("file://"):
        return 1
    return max(1, min(workers, MAX_PARTS, size // SPLIT_BYTES))


def _with_meta(summary, meta):
    summary.meta = meta
    return summary

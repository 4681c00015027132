"""The items in flight: their chunks go out to an executor in batches, the matches come back
in submission order and are added to the item's summaries; an item is done when all its
chunks are read and back. At most about two batches per worker are in flight."""
from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Callable

from dataguard.scanner.aggregate import Aggregator
from dataguard.scanner.deadline import Deadline
from dataguard.scanner.executors import Executor
from dataguard.types import Item, Problem


@dataclass(eq=False)
class InFlightItem:
    """An item being scanned."""
    item: Item
    summaries: dict = field(default_factory=dict)   # unit key -> UnitSummary
    problems: list = field(default_factory=list)    # its problems, for the state
    pending: int = 0          # chunks submitted whose matches are not back yet
    read: bool = False        # every chunk has been read (or the item was cut short)
    cut_short: bool = False   # stopped early: never stored as if complete

    @property
    def done(self) -> bool:
        return self.read and self.pending == 0


class ChunkPipeline:
    """Extracts items in this process and has their chunks analysed by ``executor``.
    ``on_problem(problem)`` receives each per-item problem, ``on_done(InFlightItem)`` each
    finished item."""

    def __init__(self, executor: Executor, aggregator: Aggregator, limits, batch_chunks: int,
                 deadline: Deadline, on_problem: Callable[[Problem], None],
                 on_done: Callable[[InFlightItem], None]):
        self._executor, self._agg, self._limits = executor, aggregator, limits
        self._batch_chunks, self._deadline = batch_chunks, deadline
        self._on_problem, self._on_done = on_problem, on_done
        self._batch: list = []                          # [(InFlightItem, Chunk)]
        self._inflight: collections.deque = collections.deque()   # (handle, batch)

    def feed(self, item: Item) -> None:
        """Read the item's chunks into batches (stops early if the deadline says so)."""
        self._executor.start()
        entry = InFlightItem(item)
        for piece in item.chunks(self._limits):
            if self._deadline.expired():
                entry.cut_short = True
                break
            if isinstance(piece, Problem):
                self._on_problem(piece)
                entry.problems.append(piece)
                continue
            entry.pending += 1
            self._batch.append((entry, piece))
            if len(self._batch) >= self._batch_chunks:
                self._submit()
                self._drain(max(2, self._executor.workers * 2))
        entry.read = True
        if entry.done:
            self._on_done(entry)

    def finish(self) -> None:
        """Wait for everything in flight."""
        self._submit()
        self._drain(0)

    def _submit(self) -> None:
        if self._batch:
            self._inflight.append((self._executor.submit([c for _, c in self._batch]), self._batch))
            self._batch = []

    def _drain(self, until: int) -> None:
        while len(self._inflight) > until:
            handle, batch = self._inflight.popleft()
            for (entry, chunk), matches in zip(batch, self._executor.result(handle)):
                self._agg.add(entry.summaries, entry.item.meta, chunk, matches)
                entry.pending -= 1
            for entry in dict.fromkeys(e for e, _ in batch):     # each once, in submission order
                if entry.done:
                    self._on_done(entry)

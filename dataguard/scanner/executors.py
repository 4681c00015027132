"""Where detection runs: the ``Executor`` interface and its local implementations.

An executor takes batches of work and gives back, for each batch, one result per element
in the batch's order; the scanner reads batches back in the order it submitted them, so a
scan's result does not depend on the executor or on its number of workers. Nothing starts
before ``start()`` (or the first batch): a rescan in which every item is unchanged loads no
model and starts no process.

The local executors take batches of chunks (extracted in the scanning process) and return
each chunk's matches.
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Optional, Protocol, runtime_checkable

log = logging.getLogger(__name__)

DetectorFactory = Callable[[], Any]     # () -> an object with Detector.analyze


class ExecutorUnavailable(Exception):
    """The executor cannot start (e.g. its scheduler is unreachable): the scan cannot run."""


class ExecutorLost(Exception):
    """The executor went away during the scan: what is done so far is a partial result."""


@runtime_checkable
class Executor(Protocol):
    # what a batch holds: "chunks" (-> matches), or "items" (ItemRef -> ItemOutcome; such an
    # executor also says how many items and bytes make a batch: batch_items, batch_bytes)
    takes: str
    workers: int            # parallel workers
    window: int             # batches kept in flight

    def start(self) -> None:
        """Start what the executor needs (processes, models); idempotent."""

    def submit(self, batch: list) -> Any:
        """Hand over a batch; returns a handle for ``result``."""

    def result(self, handle: Any) -> list:
        """The results of a submitted batch, one per element, in order (blocks). Raises
        ``ExecutorLost`` if the executor went away."""

    def close(self, cancel: bool = False) -> None:
        """Release everything; with ``cancel`` drop the work not started yet."""


_DETECTORS: dict = {}


def cached_detector(detector_kwargs: dict):
    """One Detector per distinct configuration per process (a model load takes seconds)."""
    key = repr(sorted((k, sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in detector_kwargs.items()))
    det = _DETECTORS.get(key)
    if det is None:
        from dataguard.detect import Detector
        det = _DETECTORS[key] = Detector(**detector_kwargs)
    return det


def _analyze(detector, chunks: list) -> list:
    return [matches for _, matches in detector.analyze(chunks)]


class InProcessExecutor:
    """Detection in the scanning process, one batch at a time."""

    takes = "chunks"
    workers = 1
    window = 2

    def __init__(self, new_detector: DetectorFactory):
        self._new_detector = new_detector
        self._detector = None

    def start(self) -> None:
        if self._detector is None:
            self._detector = self._new_detector()

    def submit(self, batch: list) -> list:
        self.start()
        return _analyze(self._detector, batch)

    def result(self, handle: list) -> list:
        return handle

    def close(self, cancel: bool = False) -> None:
        pass


# ---------------------------------------------------------------- the local process pool
_WORKER_DETECTOR = None


def _worker_init(new_detector: DetectorFactory) -> None:
    global _WORKER_DETECTOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides how to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # (a forked worker inherits the parent's handler)
    _WORKER_DETECTOR = new_detector()


def _worker_analyze(chunks: list) -> list:
    return _analyze(_WORKER_DETECTOR, chunks)


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


class LocalPoolExecutor:
    """Detection in ``workers`` processes of this machine, each with its own detector made by
    ``new_detector`` (a picklable callable). If a worker process dies (e.g. killed for memory),
    its batch is analysed again in this process and the scan goes on without the pool."""

    takes = "chunks"

    def __init__(self, workers: int, new_detector: DetectorFactory):
        self.workers = max(1, workers)
        self.window = max(2, 2 * self.workers)       # chunk batches are of one size: two per worker suffice
        self._new_detector = new_detector
        self._pool: Optional[ProcessPoolExecutor] = None
        self._inline: Optional[InProcessExecutor] = None

    def start(self) -> None:
        if self._pool is not None or self._inline is not None:
            return
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_mp_context(),
                                         initializer=_worker_init, initargs=(self._new_detector,))
        # start the workers now: they load their detectors while this process reads the first items
        self._pool.submit(_worker_ready)

    def submit(self, batch: list):
        self.start()
        if self._inline is None:
            try:
                return self._pool.submit(_worker_analyze, batch), batch
            except BrokenProcessPool:
                self._fall_back()
        return None, self._inline.submit(batch)

    def result(self, handle) -> list:
        future, batch = handle
        if future is None:
            return batch          # analysed in this process already
        try:
            return future.result()
        except BrokenProcessPool:
            self._fall_back()
            return self._inline.submit(batch)

    def _fall_back(self) -> None:
        if self._inline is None:
            log.warning("a detection worker process died; continuing in the main process")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._inline = InProcessExecutor(self._new_detector)

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=not cancel, cancel_futures=cancel)

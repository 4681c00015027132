"""Where detection runs: the ``Executor`` interface and its local implementations.

An executor takes batches of work and gives back, for each batch, one result per element
in the batch's order; the scanner reads batches back in the order it submitted them, so a
scan's result does not depend on the executor or on its number of workers. Nothing starts
before ``start()`` (or the first batch): a rescan in which every item is unchanged loads no
model and starts no process.

``InProcessExecutor`` takes batches of chunks (extracted in the scanning process) and
returns each chunk's matches: it runs a detector object a caller gives (tests, embedding).
A scan's own local executor is ``supervised.SupervisedExecutor`` (items in worker
processes under a hard deadline).
"""
from __future__ import annotations

import logging
import sys
import threading
from typing import Any, Callable, Protocol, runtime_checkable

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


def cached_detector(detector_kwargs: dict, load_models: bool = True):
    """One Detector per distinct configuration per process (a model load takes seconds);
    ``load_models=False``: its NER model not loaded yet (see ``Detector``)."""
    key = repr(sorted((k, sorted(v) if isinstance(v, (set, frozenset)) else v) for k, v in detector_kwargs.items()))
    det = _DETECTORS.get(key)
    if det is None:
        from dataguard.detect import Detector
        det = _DETECTORS[key] = Detector(**detector_kwargs, load_models=load_models)
    elif load_models:
        det.load_models()
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


def mp_context():
    """How worker processes start. On Linux, while this process has no other thread, a plain
    fork: workers inherit the modules already imported (Presidio, spaCy: seconds per worker
    otherwise) and there is no lock another thread could hold. Otherwise a fork server (or
    spawn where there is none), which starts each worker from a clean process."""
    import multiprocessing as mp
    methods = mp.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return mp.get_context("fork")
    return mp.get_context("forkserver" if "forkserver" in methods else "spawn")

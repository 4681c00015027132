"""The local executor: each item opened, extracted and analysed in a worker process of this
machine, under a hard deadline, so that a stuck parser or a catastrophic pattern costs one
item and never the scan.

Items go to the workers by reference (``remote.ItemRef``, handled by the same worker code
as on a cluster), a few per task. The scanning process hands an idle worker the next
task and waits on every busy worker's pipe with a short timeout. An item's deadline is
``Limits.item_timeout_s`` plus ``1 s per MIN_RATE bytes`` of its size, a task's the sum
of its items'; a task past it has its worker stopped and replaced and its items run
again one by one: an item past its own deadline becomes an ``errors`` entry of kind
``timeout``, an item whose worker dies a ``corrupt`` entry; a worker's address space is capped at
``WORKER_MEMORY`` (an item needing more is ``too_large``); the scan goes on.
When the scan must stop (a signal, ``--max-duration``), the wait notices within
``POLL_S`` and the items in progress are abandoned (``ExecutorLost``: partial report).

A worker's temporary files live in a folder the scanning process creates and removes, so
nothing is left behind by a worker that had to be killed. Workers start with ``fork``
while the scanning process has no other thread, else from a fork server. Forked workers
inherit the detector the scanning process builds just before it starts them (imports and
recognizers: most of a worker's start-up, paid once; each worker loads the NER model
itself), so a replaced worker is ready at once. Over this local pipe a reference keeps
its target's credentials: the worker is this process's own child.
"""
from __future__ import annotations

import gc
import itertools
import logging
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from typing import Callable, Optional

from dataguard.scanner.executors import ExecutorLost, mp_context
from dataguard.scanner.remote import ItemRef, ScanSetup, failed_outcome, prebuild
from dataguard.vocab import WORKER_DIED

log = logging.getLogger(__name__)

POLL_S = 0.25                  # how often a waiting scanning process looks whether the scan must stop
GRACE_S = 2.0                  # a stopped worker's time to clean up before it is killed
MIN_RATE = 2 * 1024**2         # bytes per second an item is granted beyond its base budget
WORKER_MEMORY = 2 * 1024**3    # address space of a worker (a model with NER takes ~320 MB)
PARENT_CHECK_S = 1.0           # how often a worker looks whether the scanning process is still there
TMP_PREFIX = "dataguard-worker-"    # a worker's temporary folder: this, the scanning process's id, '-'


def _limit_memory(limit: int) -> None:
    """Cap this process's address space: past it an allocation fails with MemoryError (the
    item is a too_large error) instead of the machine running out of memory."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):     # not on this platform: the deadline still holds
        pass


def local_ref(target: str, options, item) -> ItemRef:
    """An item by reference for a worker of this machine (credentials kept: a local pipe)."""
    return ItemRef(target=target, options=options, unit=item.unit, meta=item.meta,
                   name=getattr(item, "name", None) or item.unit.path)


def _size(ref: ItemRef) -> int:
    return int(ref.meta.size or 0)


def _stop_worker(signum, frame):
    raise SystemExit(0)            # unwinds: the item's temporary files are removed


def _silence_output() -> None:
    """A worker prints nothing: what a parsing library writes on stdout or stderr (it can
    quote what it parses) goes nowhere. Its log records still reach a --log-file."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def _exit_with_parent(owner: Optional[int], tmp: str) -> None:
    """End this worker when its parent is gone: the scanning process killed (SIGKILL, the OOM
    killer) or ended at once by a third signal, which stop no worker. An orphan would wait
    on its pipe, or go on parsing, for ever (a forked worker holds the scanning process's
    end of the pipe too: it never reads an end of file). ``owner``: the scanning process,
    the parent of a forked or spawned worker (None: started by a fork server, the parent,
    which ends with the scanning process). Its temporary folder ``tmp``, which the scanning
    process removes when it stops the worker, goes with it."""
    def leave() -> None:
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(0)

    parent = os.getppid()
    if owner is not None and parent != owner:
        leave()                     # gone before this worker started

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        leave()
    threading.Thread(target=watch, name="dataguard-parent-watch", daemon=True).start()


def _serve(conn, setup: ScanSetup, hasher, tmp: str, environ: dict, owner: Optional[int]) -> None:
    """A worker process: [ItemRef] in, [ItemOutcome] out, until the pipe closes or the scanning
    process is gone. It sees the scanning process's environment as it was when the worker
    started (a fork server's would be older), where sources find their passwords."""
    _exit_with_parent(owner, tmp)
    signal.signal(signal.SIGINT, signal.SIG_IGN)          # the scanning process decides how to stop
    signal.signal(signal.SIGTERM, _stop_worker)
    _silence_output()
    os.environ.clear()
    os.environ.update(environ)
    tempfile.tempdir = tmp
    _limit_memory(WORKER_MEMORY)
    from dataguard.scanner.remote import worker_scan
    scan = worker_scan(setup, hasher)
    # what the worker holds to start (the detector, Presidio, phonenumbers' metadata) lives as
    # long as it: the collector's full passes walk only what the scan makes from now on
    gc.freeze()
    # detection makes many short-lived containers (results, spans, cells, rows): the young
    # generations are collected less often (the first after 20,000 allocations, not 700), which
    # spares the passes over what lives a chunk long (about 3% less CPU on dense text)
    gc.set_threshold(20_000, 20, 20)
    while True:
        try:
            refs = conn.recv()
        except EOFError:
            return
        conn.send(scan.scan_group(refs))


class _Worker:
    """One worker process, its pipe, its temporary folder and the task it holds: a group of
    items, their ids and the group's deadline."""

    def __init__(self, setup: ScanSetup, hasher):
        ctx = mp_context()
        self.tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        self._held = _hold(self.tmp)               # (sweep_stale_folders leaves it while the scan runs)
        self.conn, child = ctx.Pipe()
        owner = None if ctx.get_start_method() == "forkserver" else os.getpid()   # (the worker's parent)
        self.proc = ctx.Process(target=_serve, args=(child, setup, hasher, self.tmp, dict(os.environ), owner),
                                daemon=True)
        self.proc.start()
        child.close()
        self.task: Optional[tuple] = None          # ([task id], [ItemRef], deadline)

    def give(self, ids: list, refs: list, until: float) -> None:
        self.task = (ids, refs, until)
        try:
            self.conn.send(refs)
        except OSError:         # (BrokenPipeError) it died: its sentinel tells, and it is replaced
            log.debug("a worker died before it was given its task")

    def stop(self) -> None:
        self.end()
        self.reap()

    def end(self) -> None:
        """Ask the process to end (SIGTERM: its temporary files are removed as it unwinds)."""
        if self.proc.is_alive():
            self.proc.terminate()

    def reap(self) -> None:
        """Wait for the process asked to end (killed past ``GRACE_S``); its pipe and folder go."""
        self.proc.join(GRACE_S)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self._held is not None:
            os.close(self._held)
            self._held = None


def sweep_stale_folders(root: Optional[str] = None) -> int:
    """Remove the temporary folders that workers of a scan now gone left behind (a scan killed
    with its workers, by SIGKILL or the memory killer: nothing else removes them, and they may
    hold what was extracted from archives); how many were removed. A scan's folders are locked
    (``_hold``) as long as one of its processes lives, in whatever process namespace: a folder is
    removed only if it can be locked, is named ``TMP_PREFIX`` + a process id + '-' + more,
    stands directly in ``root`` (the temporary folder), is a directory (not a link) and is
    owned by this user. Nothing is removed from a folder others may write in without the
    sticky bit (they could swap an entry between the checks and the removal), nor where locks
    are not known (no ``fcntl``)."""
    root = root or tempfile.gettempdir()
    try:
        import fcntl  # noqa: F401 - (no locks known: nothing is removed)
        mode = os.stat(root).st_mode
        if mode & 0o022 and not mode & stat.S_ISVTX:
            return 0
        names = [e.name for e in os.scandir(root) if e.name.startswith(TMP_PREFIX)]
    except (ImportError, OSError):
        return 0
    removed = 0
    for name in names:
        pid, dash, rest = name[len(TMP_PREFIX):].partition("-")
        if not (dash and rest and pid.isascii() and pid.isdigit()):
            continue                # (another name, or an older version's: left alone)
        path = os.path.join(root, name)
        fd = _hold(path, follow=False)          # (None: its scan runs, or it is a link)
        if fd is None:
            continue
        try:
            if os.fstat(fd).st_uid == os.getuid():
                shutil.rmtree(path, ignore_errors=True)
                removed += not os.path.lexists(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    if removed:
        log.info("removed %d temporary folder(s) of scans that were killed", removed)
    return removed


def _hold(folder: str, follow: bool = True) -> Optional[int]:
    """A descriptor of the folder holding an exclusive lock on it (inherited by the processes
    forked after: the lock lasts as long as one of them lives); None when another holds it,
    where locks are not known, or (``follow`` False) when the folder is a link."""
    try:
        import fcntl
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | (0 if follow else os.O_NOFOLLOW))
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _died(worker: _Worker) -> str:
    """Why a worker's items failed: its process ended (with its exit code, once it is known)."""
    worker.proc.join(GRACE_S)
    return f"{WORKER_DIED} (exit code {worker.proc.exitcode})"


class SupervisedExecutor:
    """``workers`` supervised worker processes; batches of ``ItemRef`` -> ``ItemOutcome``s.
    A batch is one task (its items' chunks analysed together: fewer, larger detector
    calls) whose deadline is one item's base budget plus its items' size allowances; a task
    that passes it, or whose worker dies, is split: each of its items runs again alone, so
    only the culprit becomes an error. When no more tasks are queued than there are workers
    (the end of the walk), the next group goes out item by item: no worker idles while
    another scans a whole group. Once the caller says it submits nothing more before it has
    read every result (``finishing``), every queued item goes out alone, the largest first.
    ``clock`` measures deadlines; ``watch(stop)``: ``stop()`` true means the scan must end
    (asked while waiting; ``run_scan`` hands its deadline's ``expired``)."""

    takes = "items"
    batch_items, batch_bytes = 4, 1024**2          # small tasks: the workers stay evenly busy to the end
    item_ref = staticmethod(local_ref)

    def __init__(self, workers: int, setup: ScanSetup, hasher, clock: Callable[[], float] = time.monotonic):
        self.workers = max(1, workers)
        # (four tasks a worker: what is still queued when the walk ends, handed out largest first, evens out the end)
        self.window = 4 * self.workers + 1
        self._setup, self._hasher, self._clock = setup, hasher, clock
        self._stop: Callable[[], bool] = lambda: False
        self._pool: list = []
        self._queue: deque = deque()               # ([task id], [ItemRef]) not handed out yet
        self._done: dict = {}                      # item's task id -> ItemOutcome
        self._retried: set = set()                 # ids of the items that ran again alone
        self._ids = itertools.count()
        self._finishing = False                    # nothing more is submitted until the queue is empty

    def watch(self, stop: Callable[[], bool]) -> None:
        self._stop = stop

    def start(self) -> None:
        if not self._pool:
            sweep_stale_folders()
        if not self._pool and mp_context().get_start_method() == "fork":
            prebuild(self._setup)                  # inherited by every worker, replacements too
        while len(self._pool) < self.workers:
            self._pool.append(_Worker(self._setup, self._hasher))

    def submit(self, batch: list) -> list:
        self.start()
        ids = [next(self._ids) for _ in batch]
        self._finishing = False
        self._queue.append((ids, list(batch)))
        self._dispatch()
        return ids

    def finishing(self) -> None:
        """The caller submits nothing more before it has read every result back (the end of a
        target's walk): the order of what is queued no longer matters to it."""
        self._finishing = True
        self._dispatch()

    def result(self, handle: list) -> list:
        while any(i not in self._done for i in handle):
            if self._stop():
                raise ExecutorLost("the scan was stopped with items in progress")
            self._wait()
        return [self._done.pop(i) for i in handle]

    def close(self, cancel: bool = False) -> None:
        for worker in self._pool:       # every worker asked first: they end together, not one after the other
            worker.end()
        for worker in self._pool:
            worker.reap()
        self._pool.clear()
        self._queue.clear()

    # ------------------------------------------------------------ supervision
    def _budget(self, refs: list) -> float:
        """One item's base budget for the whole task (its items are small ones: ``batch_bytes``)
        plus each one's size allowance: a stuck item of a batch holds its worker no longer than
        when alone, before the batch runs again item by item."""
        return self._setup.limits.item_timeout_s + sum(_size(r) / MIN_RATE for r in refs)

    def _dispatch(self) -> None:
        for worker in self._pool:
            if worker.task is None and self._queue:
                ids, refs = self._next_task()
                worker.give(ids, refs, self._clock() + self._budget(refs))

    def _next_task(self) -> tuple:
        """The task the next idle worker gets: the oldest, but the largest item once the
        caller is finishing (a large item handed out last held one worker for its whole
        length while the others had nothing left: a fifth of a second of a 5 s scan)."""
        if self._finishing:
            alone = [([i], [r]) for ids, refs in self._queue for i, r in zip(ids, refs)]
            largest = max(range(len(alone)), key=lambda n: _size(alone[n][1][0]))
            task = alone.pop(largest)
            self._queue = deque(alone)
            return task
        if len(self._queue) <= len(self._pool) and len(self._queue[0][0]) > 1:
            # few tasks left (the end of the walk, or a walk slower than the workers): the
            # next group goes out item by item, so that no worker idles while another
            # scans a whole group alone
            self._queue_alone(*self._queue.popleft())
        return self._queue.popleft()

    def _wait(self) -> None:
        """Wait for a result, a death or a deadline (at most POLL_S), then hand out more work."""
        busy = [w for w in self._pool if w.task is not None]
        if not busy:
            self._dispatch()
            return
        soonest = min(w.task[2] for w in busy) - self._clock()
        ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], max(0.0, min(POLL_S, soonest)))
        for worker in busy:
            if worker.conn in ready:
                self._receive(worker)
            elif worker.proc.sentinel in ready:
                self._replace(worker, "corrupt", _died(worker))
            elif self._clock() > worker.task[2]:
                self._replace(worker, "timeout", f"item exceeded its time budget of {self._budget(worker.task[1]):g}s")
        self._dispatch()

    def _receive(self, worker: _Worker) -> None:
        ids, _, _ = worker.task
        try:
            outcomes = worker.conn.recv()
        except (EOFError, OSError):
            self._replace(worker, "corrupt", _died(worker))
            return
        self._done.update(zip(ids, outcomes))
        self._retried.difference_update(ids)
        worker.task = None

    def _replace(self, worker: _Worker, kind: str, message: str) -> None:
        """Stop the worker and start another. A group runs again item by item; an item alone
        whose worker died runs once more (the death may not be its doing: a worker killed for
        another process's memory, or dead before its task reached it), then it is an error,
        as is an item alone past its time budget."""
        ids, refs, _ = worker.task
        worker.stop()
        self._pool[self._pool.index(worker)] = _Worker(self._setup, self._hasher)
        if len(refs) > 1:
            if kind == "corrupt":
                self._retried.update(ids)       # (each has its run alone after the death)
            self._queue_alone(ids, refs)
            return
        if kind == "corrupt" and ids[0] not in self._retried:
            self._retried.add(ids[0])
            self._queue.appendleft((ids, refs))
            return
        log.warning("%s: %s", kind, message)
        self._retried.discard(ids[0])
        self._done[ids[0]] = failed_outcome(refs[0], kind, message)

    def _queue_alone(self, ids: list, refs: list) -> None:
        """A group's items at the front of the queue, each a task of its own, in order."""
        self._queue.extendleft(reversed([([i], [r]) for i, r in zip(ids, refs)]))

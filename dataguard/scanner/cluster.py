"""The Dask executor: items handed by reference to the workers of a Dask cluster.

The scanning process walks the targets, decides what is unchanged (the state), and hands
new items to the workers in batches of ``ItemRef`` (see ``remote``); each batch comes back
as one ``ItemOutcome`` per item, read in submission order. A worker that dies has its
tasks run again elsewhere by the scheduler. A batch whose workers keep dying (the scheduler
gives up on it: ``KilledWorker``) runs again item by item, and an item that still kills its
worker is recorded as an error, as the local executor does; a scheduler that goes away stops
the scan (``ExecutorLost``: partial report).
"""
from __future__ import annotations

import logging
import sys
import uuid
from concurrent.futures import CancelledError
from typing import Optional

from distributed import WorkerPlugin

from dataguard.scanner.executors import ExecutorLost, ExecutorUnavailable
from dataguard.scanner.remote import (KEY_CHECK, ScanSetup, WorkerSetupError, check_setup, failed_outcome, install,
                                      scan_batch, uninstall)

log = logging.getLogger(__name__)

ITEMS_PER_TASK = 8
BYTES_PER_TASK = 32 * 1024**2   # a task holds fewer items when they are large
TASK_RETRIES = 2           # a task whose worker died is run again anyway; this is for other failures


def _reason(exc: BaseException) -> str:
    """A short reason for a connection failure (exception texts of the transport can be long)."""
    return type(exc).__name__ + (f": {exc}" if len(str(exc)) < 200 else "")


def _config_connect_timeout() -> float:
    """Dask's connection timeout (``distributed.comm.timeouts.connect``, e.g. from the environment
    variable DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT), also used to wait for a first worker."""
    import dask.config
    from dask.utils import parse_timedelta
    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"), default="s"))


def _mute_dask_stderr() -> None:
    """Importing ``distributed`` gives its loggers a handler on stderr; dataguard reports what
    matters itself (scheduler unreachable or lost, workers refused) in one line."""
    for handler in logging.getLogger("distributed").handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is sys.stderr:
            handler.setLevel(logging.CRITICAL + 1)


class ScanPlugin(WorkerPlugin):
    """Registered on every worker (and on workers joining later): sets the worker up for the
    scan (``remote.install``: model loaded once per worker process, HMAC key checked)."""
    idempotent = False

    def __init__(self, setup: ScanSetup):
        self.scan_setup = setup

    def setup(self, worker=None) -> None:
        install(self.scan_setup)

    def teardown(self, worker=None) -> None:
        uninstall(self.scan_setup.setup_id)


class DaskExecutor:
    """Batches of ``ItemRef`` -> lists of ``ItemOutcome`` on a Dask cluster."""

    takes = "items"
    batch_items, batch_bytes = ITEMS_PER_TASK, BYTES_PER_TASK

    def __init__(self, address, setup: ScanSetup, security=None, connect_timeout: Optional[float] = None):
        self.address, self._setup, self._security = address, setup, security
        self._timeout = connect_timeout or _config_connect_timeout()
        self._client = None
        self._plugin = f"dataguard-{setup.setup_id}"
        self.workers, self.window = 1, 4

    @classmethod
    def for_scan(cls, opts, hasher, address=None, security=None, connect_timeout: Optional[float] = None,
                 new_detector=None):
        """The executor of the scan ``opts`` on the scheduler at ``address`` (default: ``opts.cluster``'s)."""
        if address is None:
            from dataguard.scanner.tls import security as tls_security
            address, connect_timeout = opts.cluster.scheduler, opts.cluster.connect_timeout_s
            security = tls_security(opts.cluster.tls_folder) if opts.cluster.tls_folder else None
        setup = ScanSetup(uuid.uuid4().hex, opts.detector_kwargs, opts.limits, opts.max_evidence, opts.show_data,
                          opts.batch_chunks, hasher.hash(*KEY_CHECK), new_detector)
        return cls(address, setup, security, connect_timeout)

    def start(self) -> None:
        """Connect, wait for a worker, set the workers up (model loaded once per worker)."""
        if self._client is not None:
            return
        from distributed import Client
        _mute_dask_stderr()
        try:
            self._client = Client(self.address, security=self._security, timeout=self._timeout,
                                  set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ExecutorUnavailable(f"cannot reach the Dask scheduler at {self.address}: {_reason(exc)}") from None
        try:
            self._client.wait_for_workers(1, timeout=self._timeout)
            self._client.register_plugin(ScanPlugin(self._setup), name=self._plugin)
            refusals = {w: why for w, why in self._client.run(check_setup, self._setup.setup_id).items() if why}
        except (OSError, TimeoutError) as exc:
            self.close(cancel=True)
            raise ExecutorUnavailable(f"no Dask worker ready at {self.address}: {_reason(exc)}") from None
        if refusals:
            self.close(cancel=True)
            worker, why = sorted(refusals.items())[0]
            raise ExecutorUnavailable(f"{len(refusals)} Dask worker(s) cannot scan (e.g. {worker}: {why})")
        self.workers = max(1, sum(self._client.nthreads().values()))
        # item batches differ in size and come back in order: a long one must not idle the others
        self.window = 4 * self.workers
        dashboard = self._client.dashboard_link if "dashboard" in self._client.scheduler_info().get("services", {}) \
            else "none"
        log.info("Dask cluster at %s: %d worker thread(s); dashboard: %s", self.address, self.workers, dashboard)

    def submit(self, batch: list):
        self.start()
        return self._client.submit(scan_batch, self._setup.setup_id, batch, pure=False, retries=TASK_RETRIES), batch

    def result(self, handle) -> list:
        from distributed import KilledWorker
        future, batch = handle
        try:
            return self._wait(future)
        except KilledWorker:
            pass
        if len(batch) == 1:
            log.warning("corrupt: the Dask workers scanning an item kept dying")
            return [failed_outcome(batch[0], "corrupt", "the Dask workers scanning it kept dying")]
        # which item kills its workers is unknown: each runs alone, the others are scanned
        return [out for handle in [self.submit([ref]) for ref in batch] for out in self.result(handle)]

    def _wait(self, future) -> list:
        from distributed.comm import CommClosedError
        try:
            return future.result()
        except WorkerSetupError as exc:         # a worker that joined later, set up badly
            raise ExecutorLost(f"a Dask worker cannot scan: {exc}") from None
        except (CancelledError, CommClosedError, OSError, TimeoutError) as exc:   # (cancelled: scheduler gone)
            raise ExecutorLost(f"lost the Dask scheduler at {self.address}: {_reason(exc)}") from None

    def close(self, cancel: bool = False) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            if client.status == "running":
                client.unregister_worker_plugin(self._plugin)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            client.close()
        except Exception as exc:  # noqa: BLE001 - the scheduler gone, the client's reconnect can raise as it
            # closes ("IOStream is not idle"): the scan's result stands, partial
            log.debug("closing the Dask client: %s", type(exc).__name__)

"""The worker side of a cluster scan: what runs inside a Dask worker process.

A worker receives items by reference (``ItemRef``: the target's URI without credentials,
its options without passwords, the item's unit and metadata), opens each item itself
(a local path; SMB and database targets with the worker's own connection and credentials,
from its environment or its own configuration file: ``DATAGUARD_WORKER_CONFIG``), extracts,
detects and aggregates, and returns each item's unit summaries and problems. The model
is loaded once per worker process (``ScanSetup``, a worker plugin, at registration) and
the HMAC key comes from the worker's environment (``DATAGUARD_HMAC_KEY`` or
``DATAGUARD_HMAC_KEY_FILE``): it must be the scanning process's key, which is checked.
Rules, report and state stay in the scanning process.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field, replace
from typing import Optional

from dataguard.types import ItemMeta, Limits, Problem, Unit

KEY_CHECK = ("DATAGUARD_KEY_CHECK", "dataguard")      # (entity, value) hashed to compare keys
ENV_WORKER_CONFIG = "DATAGUARD_WORKER_CONFIG"


class WorkerSetupError(Exception):
    """A worker cannot scan for this client (different HMAC key, missing model...)."""


@dataclass(frozen=True)
class ItemRef:
    """An item by reference: what a worker needs to open it itself. Never credentials."""
    target: str              # the target's URI, credentials removed
    options: object          # its SourceOptions, passwords removed
    unit: Unit
    meta: ItemMeta
    name: str


def item_ref(target: str, options, item) -> ItemRef:
    """The reference of ``item`` of the target ``target`` (a URI that may hold credentials)."""
    from dataguard.sources import redact_uri
    return ItemRef(target=redact_uri(target), options=strip_secrets(options), unit=item.unit, meta=item.meta,
                   name=getattr(item, "name", None) or item.unit.path)


def strip_secrets(options):
    return replace(options, smb_password=None, db_password=None)


@dataclass
class ItemOutcome:
    summaries: list = field(default_factory=list)    # [UnitSummary]
    problems: list = field(default_factory=list)     # [Problem]


# ---------------------------------------------------------------- opening items on a worker
def _local_path(uri: str) -> Optional[str]:
    from urllib.parse import unquote, urlparse

    from dataguard.sources import scheme_of
    scheme = scheme_of(uri)
    if scheme == "":
        return uri
    return unquote(urlparse(uri).path) if scheme == "file" else None


def _with_worker_credentials(target: str, options):
    """The target's options with the credentials this worker's configuration file gives it."""
    path = os.environ.get(ENV_WORKER_CONFIG)
    if not path:
        return options
    from dataguard.config import load_config
    from dataguard.sources import redact_uri
    cfg = load_config(path)
    for ct in cfg.targets:
        if redact_uri(ct.uri) == target:
            extra = {k: v for k, v in cfg.source_options_for(ct).items() if k in ("smb_username", "smb_password",
                                                                                  "db_password")}
            return replace(options, **extra)
    return options


@functools.lru_cache(maxsize=16)
def _source(target: str, options):
    """One open source per target and options per worker process (its own connection)."""
    from dataguard.sources import open_target
    return open_target(target, _with_worker_credentials(target, options))


def reopen(ref: ItemRef):
    """The item ``ref`` refers to, opened by this process."""
    path = _local_path(ref.unit.uri)
    if path is not None:
        from dataguard.sources.base import FileItem

        def opener():
            return open(path, "rb")
        return FileItem(unit=ref.unit, meta=ref.meta, opener=opener, name=ref.name)
    return _source(ref.target, ref.options).reopen(ref.unit, ref.meta, ref.name)


# ---------------------------------------------------------------- the scan set-up of a worker
_SETUPS: dict = {}


class _WorkerScan:
    def __init__(self, setup: "ScanSetup"):
        from dataguard.hashing import Hasher, load_key
        from dataguard.scanner.aggregate import Aggregator
        from dataguard.scanner.executors import cached_detector
        hasher = Hasher(load_key())
        if hasher.hash(*KEY_CHECK) != setup.key_check:
            raise WorkerSetupError("this worker's HMAC key (DATAGUARD_HMAC_KEY or DATAGUARD_HMAC_KEY_FILE) "
                                   "differs from the scanning process's key")
        self.setup = setup
        self.aggregator = Aggregator(hasher, setup.evidence_cap, setup.show_data)
        self.detector = (setup.new_detector or functools.partial(cached_detector, setup.detector_kwargs))()

    def scan(self, ref: ItemRef) -> ItemOutcome:
        out, summaries, batch = ItemOutcome(), {}, []
        for piece in reopen(ref).chunks(self.setup.limits):
            if isinstance(piece, Problem):
                out.problems.append(piece)
                continue
            batch.append(piece)
            if len(batch) >= self.setup.batch_chunks:
                self._analyze(batch, summaries, ref.meta)
                batch = []
        self._analyze(batch, summaries, ref.meta)
        out.summaries = list(summaries.values())
        return out

    def _analyze(self, chunks: list, summaries: dict, meta: ItemMeta) -> None:
        if chunks:
            for chunk, matches in self.detector.analyze(chunks):
                self.aggregator.add(summaries, meta, chunk, matches)


try:
    from distributed import WorkerPlugin as _PluginBase
except ImportError:          # dask not installed: the local executors still work
    _PluginBase = object


class ScanSetup(_PluginBase):
    """Registered on every worker (and on workers joining later): loads the model once per
    worker process and checks the worker's HMAC key. Holds no secret. ``new_detector``
    (a picklable callable) replaces the Detector of ``detector_kwargs`` (tests)."""
    idempotent = False

    def __init__(self, setup_id: str, detector_kwargs: dict, limits: Limits, evidence_cap: Optional[int],
                 show_data: bool, batch_chunks: int, key_check: str, new_detector=None):
        self.setup_id, self.detector_kwargs, self.limits = setup_id, detector_kwargs, limits
        self.evidence_cap, self.show_data, self.batch_chunks = evidence_cap, show_data, batch_chunks
        self.key_check, self.new_detector = key_check, new_detector

    def setup(self, worker=None) -> None:
        try:
            _SETUPS[self.setup_id] = _WorkerScan(self)
        except Exception as exc:  # noqa: BLE001 - reported to the client by the first task
            _SETUPS[self.setup_id] = WorkerSetupError(f"{type(exc).__name__}: {exc}")

    def teardown(self, worker=None) -> None:
        _SETUPS.pop(self.setup_id, None)


def scan_batch(setup_id: str, refs: list) -> list:
    """The task: [ItemRef] -> [ItemOutcome], in order."""
    scan = _SETUPS.get(setup_id)
    if scan is None:
        raise WorkerSetupError("this worker has not been set up for the scan (plugin not registered)")
    if isinstance(scan, Exception):
        raise scan
    return [scan.scan(ref) for ref in refs]

"""The worker side of a cluster scan: what runs inside a Dask worker process.

A worker receives items by reference (``ItemRef``: the target's URI without credentials,
its options without passwords, the item's unit and metadata), opens the target itself
once per scan (``Source.reopen`` then gives the item: a local path; an SMB share and a
database with the worker's own connection and credentials, from its environment or its
own configuration file: ``DATAGUARD_WORKER_CONFIG``), extracts,
detects and aggregates, and returns each item's unit summaries and problems. The model
is loaded once per worker process (``install``, called by the cluster's worker plugin,
``cluster.ScanPlugin``, at registration) and the HMAC key comes from the worker's
environment (``DATAGUARD_HMAC_KEY`` or ``DATAGUARD_HMAC_KEY_FILE``): it must be the
scanning process's key, which is checked. Rules, report and state stay in the scanning
process. This module imports nothing of Dask: the local executor's workers run it too.
"""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field, replace
from typing import Optional

from dataguard.types import ItemMeta, Limits, Problem, Unit

log = logging.getLogger(__name__)

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
    part: Optional[tuple] = None    # (k, n): only the k-th of n parts of its chunks (``in_part``)


def part_of(index: int, parts: int, chars: float, chunk_chars: int) -> int:
    """Which of an item's ``parts`` analyses its chunk ``index`` (0-based, in extraction order):
    contiguous runs of chunks, about equal for plain text of about ``chars`` characters (a chunk
    holds up to ``chunk_chars`` of them, cut at a line's end in its last tenth), so that the
    parts' results read in part order are the chunks' in order."""
    estimate = max(parts, int(chars / (0.95 * max(1, chunk_chars))) + 1)
    return min(parts - 1, index * parts // estimate)


def in_part(ref: ItemRef, item, pieces, limits: Limits):
    """The pieces (chunks and problems) of ``ref``'s part of the item: a problem belongs to the
    part of the chunk after it, so each is reported once; and to a part whose reading ended
    before its chunks, since what stopped that reading (a read error past the parts before it,
    which read without one) cost it its chunks (``ItemPipeline`` reports it once). A part stops
    reading where the next one begins. Only plain text is split: an item of another family (a
    document, an archive: parsed whole, each part would parse it again) is its first part's."""
    if ref.part is None:
        yield from pieces
        return
    k, n = ref.part
    family, chars_per_byte = _text_shape(item, limits)
    if family != "text":
        if k == 0:
            yield from pieces
        return
    index, chars, trailing = 0, ref.meta.bytes * chars_per_byte, []
    try:
        for piece in pieces:
            owner = part_of(index, n, chars, limits.chunk_chars)
            if owner > k:
                return
            if owner == k:
                yield piece
            elif isinstance(piece, Problem):
                trailing.append(piece)
            if not isinstance(piece, Problem):
                index, trailing = index + 1, []
        yield from trailing
    finally:
        getattr(pieces, "close", lambda: None)()


def _text_shape(item, limits: Limits) -> tuple:
    """(the item's sniffed family, characters per byte of its head when it is text: UTF-16 has
    two bytes a character, Cyrillic UTF-8 nearly so). A file whose head cannot be read is taken
    as text: each part then reads it, and the error that stops a part's reading is reported."""
    opener = getattr(item, "opener", None)
    if opener is None:
        return "", 1.0
    from dataguard.extract import family_of
    from dataguard.extract.text import HEAD_BYTES, detect_encoding
    try:
        family = family_of(opener, item.name, limits)
        if family != "text":
            return family, 1.0
        with opener() as fh:
            head = fh.read(HEAD_BYTES)
        return family, len(head.decode(detect_encoding(head), "replace")) / len(head) if head else 1.0
    except Exception:  # noqa: BLE001 - read as text: each part's reading reports the error
        return "text", 1.0


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
    source_info: dict = field(default_factory=dict)  # what the item added to its source's info (see _info_delta)
    names_seen: bool = True     # False: the item failed as a whole, what detection found in its names is lost
    test_values: int = 0        # test values found in it and not reported (stats.test_values_ignored)
    part: Optional[tuple] = None    # the part of the item it holds (ItemRef.part; None: all of it)


def failed_outcome(ref: ItemRef, kind: str, message: str) -> ItemOutcome:
    """The outcome of an item the executor could not scan (its worker died, its time ran out)."""
    from dataguard.extract import describe
    return ItemOutcome(problems=[Problem(describe(ref.unit), kind, message)], names_seen=False, part=ref.part)


# ---------------------------------------------------------------- opening items on a worker
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


class _Sources:
    """The sources a worker has opened for one scan (its own connections), by target."""

    def __init__(self):
        self._open: dict = {}

    def get(self, target: str, options):
        key = (target, repr(options))
        if key not in self._open:
            from dataguard.sources import open_target
            self._open[key] = open_target(target, _with_worker_credentials(target, options))
        return self._open[key]

    def close(self) -> None:
        for source in self._open.values():
            try:
                source.close()
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        self._open.clear()


def _info_delta(source, tables_before: int) -> dict:
    """What scanning one item added to its source's ``info`` (a table's sampling record, the
    target found incomplete), for the scanning process's copy of the source."""
    delta = {}
    tables = source.info.get("tables")
    if tables and len(tables) > tables_before:
        delta["tables"] = tables[tables_before:]
    if source.info.get("incomplete"):
        delta["incomplete"] = True
        delta["incomplete_reason"] = source.info.get("incomplete_reason")
    return delta


# ---------------------------------------------------------------- the scan set-up of a worker
_SETUPS: dict = {}


class _WorkerScan:
    """``hasher``: the scanning process's own (a local worker); None: the worker's key, from
    its environment, checked against the scanning process's."""

    def __init__(self, setup: "ScanSetup", hasher=None):
        from dataguard.hashing import Hasher, load_key
        from dataguard.scanner.aggregate import Aggregator
        from dataguard.scanner.executors import cached_detector
        if hasher is None:
            hasher = Hasher(load_key())
            if hasher.hash(*KEY_CHECK) != setup.key_check:
                raise WorkerSetupError("this worker's HMAC key (DATAGUARD_HMAC_KEY or DATAGUARD_HMAC_KEY_FILE) "
                                       "differs from the scanning process's key")
        self.setup = setup
        self.aggregator = Aggregator.for_scan(hasher, setup.detector_kwargs, setup.evidence_cap, setup.show_data)
        self.detector = (setup.new_detector or functools.partial(cached_detector, setup.detector_kwargs))()
        self.sources = _Sources()

    def scan(self, refs: list) -> list:
        """[ItemRef] -> [ItemOutcome]. The chunks of all the items go to the detector in batches
        of ``batch_chunks`` (one call per small file would cost more than its detection)."""
        outs, summaries, batch = [], [], []
        for ref in refs:
            out, found = ItemOutcome(part=ref.part), {}
            outs.append(out)
            summaries.append(found)
            for piece in self._chunks(ref, out):
                batch.append((out, found, ref.meta, piece))
                if len(batch) >= self.setup.batch_chunks:
                    self._analyze(batch)
                    batch = []
        self._analyze(batch)
        for out, found in zip(outs, summaries):
            out.summaries = list(found.values())
        return outs

    def scan_group(self, refs: list) -> list:
        """[ItemRef] -> [ItemOutcome] like ``scan``; if the group fails, item by item."""
        try:
            return self.scan(refs)
        except Exception:  # noqa: BLE001 - the culprit is found item by item
            return [self.scan_one(ref) for ref in refs]

    def scan_one(self, ref: ItemRef) -> ItemOutcome:
        """One item; a rule pack's pattern past its time limit makes it a timeout, and no
        failure of one item escapes (its exception's type only: library texts may echo data)."""
        from dataguard.detect.registry import PatternTimeout
        from dataguard.extract import describe
        try:
            return self.scan([ref])[0]
        except PatternTimeout as exc:
            return ItemOutcome(problems=[Problem(describe(ref.unit), "timeout", str(exc))], names_seen=False)
        except MemoryError:
            return ItemOutcome(problems=[Problem(describe(ref.unit), "too_large",
                                                 "item needs more memory than a worker may use")], names_seen=False)
        except Exception as exc:  # noqa: BLE001 - one item never stops the worker
            return ItemOutcome(problems=[Problem(describe(ref.unit), "corrupt",
                                                 f"scanning failed: {type(exc).__name__}")], names_seen=False)

    def _chunks(self, ref: ItemRef, out: ItemOutcome):
        """The item's chunks; its problems and what it added to its source's info go to ``out``."""
        from dataguard.sources import TargetError
        try:
            source = self.sources.get(ref.target, ref.options)
            item = source.reopen(ref.unit, ref.meta, ref.name)
        except TargetError as exc:           # its message holds no credential
            why = f"this worker cannot open the target: {exc}"
            out.problems.append(Problem(ref.unit.uri, "unreachable", why))
            out.source_info = {"incomplete": True, "incomplete_reason": why}
            return
        except Exception as exc:  # noqa: BLE001 - the type only: library texts may echo data
            out.problems.append(Problem(ref.unit.uri, "unreadable",
                                        f"this worker cannot open the item ({type(exc).__name__})"))
            return
        tables_before = len(source.info.get("tables") or ())
        for piece in in_part(ref, item, item.chunks(self.setup.limits), self.setup.limits):
            if isinstance(piece, Problem):
                out.problems.append(piece)
            else:
                yield piece
        out.source_info = _info_delta(source, tables_before)

    def _analyze(self, batch: list) -> None:
        """[(outcome, summaries, meta, chunk)]: the chunks' matches added to their item's summaries,
        the test values among them counted in its outcome (they go back to the scanning process)."""
        if batch:
            results = self.detector.analyze([chunk for _, _, _, chunk in batch])
            for (out, found, meta, _), (chunk, matches) in zip(batch, results):
                before = self.aggregator.test_values
                self.aggregator.add(found, meta, chunk, matches)
                out.test_values += self.aggregator.test_values - before


class ScanSetup:
    """What a worker needs to scan for this client: the detector's settings, the limits, how
    evidence is kept, and the scanning process's key check. Holds no secret. On a Dask
    cluster it travels inside ``cluster.ScanPlugin`` (the worker plugin that calls
    ``install`` on every worker); a local worker builds its scan from it directly.
    ``new_detector`` (a picklable callable) replaces the Detector of ``detector_kwargs`` (tests)."""

    def __init__(self, setup_id: str, detector_kwargs: dict, limits: Limits, evidence_cap: Optional[int],
                 show_data: bool, batch_chunks: int, key_check: str, new_detector=None):
        self.setup_id, self.detector_kwargs, self.limits = setup_id, detector_kwargs, limits
        self.evidence_cap, self.show_data, self.batch_chunks = evidence_cap, show_data, batch_chunks
        self.key_check, self.new_detector = key_check, new_detector


def install(setup: ScanSetup) -> None:
    """Set this (Dask) worker process up for the scan: the model loaded, the worker's HMAC key
    checked; a failure is kept and reported to the client by the first task."""
    try:
        _SETUPS[setup.setup_id] = _WorkerScan(setup)
    except Exception as exc:  # noqa: BLE001 - reported to the client by the first task
        _SETUPS[setup.setup_id] = WorkerSetupError(f"{type(exc).__name__}: {exc}")


def uninstall(setup_id: str) -> None:
    """The scan is over: its set-up dropped and its sources closed."""
    scan = _SETUPS.pop(setup_id, None)
    if isinstance(scan, _WorkerScan):
        scan.sources.close()


def prebuild(setup: ScanSetup) -> None:
    """Build the scan's detector in this process, its NER model not loaded: workers forked
    from it afterwards inherit the imports and the recognizers (most of a worker's start-up,
    then paid once, not once per worker) and each loads the model itself (it stays out of
    the scanning process). A detector that cannot be built here is left to the workers, which
    report it as they always did."""
    if setup.new_detector is not None:
        return
    from dataguard.scanner.executors import cached_detector
    try:
        cached_detector(setup.detector_kwargs, load_models=False)
    except Exception as exc:  # noqa: BLE001 - the workers build it again and fail as before
        log.debug("detector not built before the workers start: %s", type(exc).__name__)


def worker_scan(setup: "ScanSetup", hasher) -> _WorkerScan:
    """The scan set-up of a local worker process, with the scanning process's hasher."""
    return _WorkerScan(setup, hasher)


def _set_up(setup_id: str) -> "_WorkerScan":
    scan = _SETUPS.get(setup_id)
    if scan is None:
        raise WorkerSetupError("this worker has not been set up for the scan (plugin not registered)")
    if isinstance(scan, Exception):
        raise scan
    return scan


def check_setup(setup_id: str) -> Optional[str]:
    """Run on every worker at the start of a scan: None, or why this worker cannot scan."""
    try:
        _set_up(setup_id)
    except WorkerSetupError as exc:
        return str(exc)
    return None


def scan_batch(setup_id: str, refs: list) -> list:
    """The task: [ItemRef] -> [ItemOutcome], in order."""
    return _set_up(setup_id).scan(refs)

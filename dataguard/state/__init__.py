"""Incremental rescans: what was scanned before, in a SQLite file.

An item whose identity, size and modification time are unchanged is not read:
its findings are reused as stored if what the rules read besides its content
(site, exposure, owner, age thresholds crossed: ``rules.evaluation_keyer``) is
unchanged too, else its stored unit summaries are evaluated again. Summaries and
findings hold keyed hashes, masked previews and counts - never raw values of the
content (``--show-data`` runs do not use the state); the file holds the items' paths,
and the values detection found in those names (to mask them in what a rescan shows). Everything that could change results (dataguard
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

from dataguard import __version__
from dataguard.types import EntityAgg, ItemMeta, Problem, Unit, UnitSummary, evidence_from_dict, evidence_to_dict
from dataguard.vocab import RETRIED_KINDS, WORKER_DIED

_COMMIT_EVERY_S = 2.0
LOOKUP_BATCH = 256       # items looked up per query (SQLite allows 32766 parameters)


class StateLocked(Exception):
    """Another run holds the state file."""


class StateError(Exception):
    """The state file cannot be used."""


def config_fingerprint(opts, key_id: str = "") -> str:
    """Digest of everything that affects an item's stored results (``key_id``: the HMAC key's,
    which the stored value hashes are made with)."""
    from dataguard.detect import detector_fingerprint
    parts = {
        "key": key_id,
        # detection code revision, dataguard, Presidio, spaCy, model and library versions
        "detector": detector_fingerprint(**opts.detector_kwargs),
        "dataguard": __version__,
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
                 "hashes": sorted(a.hashes), "reasons": sorted(a.reasons),
                 "evidence": [evidence_to_dict(e) for e in a.evidence]}
            for et, a in s.entities.items()},
        "names": s.name_values,
    }


def _summary_from_json(d: dict, meta: ItemMeta) -> UnitSummary:
    entities = {}
    for et, a in d["entities"].items():
        entities[et] = EntityAgg(
            scores={float(k): int(v) for k, v in a["scores"]},
            hashes=set(a["hashes"]), reasons=set(a.get("reasons", ())),
            evidence=[evidence_from_dict(e) for e in a["evidence"]])
    return UnitSummary(unit=Unit(**d["unit"]), meta=meta, entities=entities, name_values=d["names"])


_SCHEMA = 4     # layout of the items table; a different one is dropped and created again


def _pack_findings(pairs: list) -> str:
    """[(encoded finding, sort key)] as one text: the keys as a JSON line, then one encoded
    finding per line (JSON text never holds a raw newline), so reading it back needs no
    unescaping of JSON inside JSON."""
    return "\n".join([json.dumps([list(k) for _, k in pairs], ensure_ascii=False)] + [d for d, _ in pairs])


def _unpack_findings(text: str) -> list:
    keys, *datas = text.split("\n")
    return [(d, tuple(k)) for d, k in zip(datas, json.loads(keys))]


class Cached:
    """What the state holds of an unchanged item: its problems, its findings as evaluated
    last time (with the evaluation key they were evaluated under), the values found in its
    names (``scanner.sink.name_values``) and, decoded only on demand, its unit summaries."""
    __slots__ = ("problems", "eval_key", "findings", "name_values", "rowid", "_db", "_meta")

    def __init__(self, db, rowid: int, meta: ItemMeta, problems: list, eval_key: str, findings: list,
                 name_values: dict):
        self._db, self.rowid, self._meta = db, rowid, meta
        self.problems, self.eval_key, self.findings = problems, eval_key, findings
        self.name_values = name_values

    def summaries(self) -> list:
        (payload,) = self._db.execute("SELECT payload FROM items WHERE rowid = ?", (self.rowid,)).fetchone()
        return [_summary_from_json(d, self._meta) for d in json.loads(payload)]


def _locked_message(path: str) -> str:
    return f"another dataguard run is using the state file {path}"


def check_unlocked(path: str) -> None:
    """Raise StateLocked if another run holds the state file now (a quick look before the
    expensive set-up; StateStore takes the lock itself). Creates nothing."""
    try:
        fh = open(path + ".lock", "r")
    except OSError:
        return          # no lock file: nobody holds it (an unwritable place is reported elsewhere)
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateLocked(_locked_message(path)) from None
        fcntl.flock(fh, fcntl.LOCK_UN)


class StateStore:
    def __init__(self, path: str, fingerprint: str):
        self.path = path
        self._lock_fh = open(path + ".lock", "a+")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_fh.close()
            raise StateLocked(_locked_message(path)) from None
        fingerprint = f"{fingerprint}/{_SCHEMA}"
        try:
            os.chmod(path + ".lock", 0o600)
            self.db = sqlite3.connect(path)
            tables = {t for (t,) in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            ours = "meta" in tables and self.db.execute(
                "SELECT 1 FROM meta WHERE key='fingerprint'").fetchone() is not None
            if tables - {"meta", "items"} or "items" in tables and not ours:    # (meta alone: one cut short)
                self.db.close()
                self._release()
                raise StateError(f"{path} is not a dataguard state file (it holds other tables): left as it is")
            os.chmod(path, 0o600)
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = self.db.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            if row is None or row[0] != fingerprint:
                self.db.execute("DROP TABLE IF EXISTS items")
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
                self.db.commit()
            # findings: _pack_findings of the item's findings (types.encode_finding) as evaluated
            # under eval_key (rules.evaluation_keyer); names: the values found in its names
            self.db.execute("CREATE TABLE IF NOT EXISTS items (uri TEXT PRIMARY KEY, size INTEGER, mtime REAL,"
                            " identity TEXT, payload TEXT, problems TEXT, eval_key TEXT, findings TEXT,"
                            " names TEXT)")
            # the items this run saw (for pruning deleted ones), in a private temporary table:
            # a rescan of an unchanged tree writes nothing to the state file
            self.db.execute("CREATE TEMP TABLE seen (id INTEGER PRIMARY KEY)")
        except sqlite3.Error as exc:
            self._release()
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
            raise StateError(f"cannot use state file {path}: {exc}" + (
                " (a damaged state file, after a crash or a full disk: delete it, and the next run reads every item"
                " again)" if damaged else "")) from None
        self._last_commit = time.monotonic()
        self._seen: list = []

    def lookup_many(self, items: list) -> list:
        """For each item, what is stored of it if it is unchanged (same size, modification time
        and identity), else None; one query per LOOKUP_BATCH items."""
        out: list = [None] * len(items)
        wanted = {}
        for i, item in enumerate(items):
            if item.meta.mtime is not None and item.meta.size is not None:
                wanted.setdefault(item.unit.uri, []).append(i)
        uris = list(wanted)
        for b in range(0, len(uris), LOOKUP_BATCH):
            part = uris[b:b + LOOKUP_BATCH]
            # (the summaries are not read: only if the findings must be evaluated again)
            rows = self.db.execute("SELECT uri, size, mtime, identity, rowid, problems, eval_key, findings, names"
                                   f" FROM items WHERE uri IN ({', '.join('?' * len(part))})", part).fetchall()
            for uri, size, mtime, identity, rowid, problems, eval_key, findings, names in rows:
                for i in wanted[uri]:
                    m = items[i].meta
                    if size != m.size or mtime != m.mtime or identity != m.identity:
                        continue
                    self._seen.append((rowid,))
                    out[i] = Cached(self.db, rowid, m,
                                    [Problem(**p) for p in json.loads(problems)] if problems != "[]" else [],
                                    eval_key, _unpack_findings(findings), json.loads(names))
        if len(self._seen) >= 1000:
            self._flush_seen()
        return out

    def _flush_seen(self) -> None:
        if self._seen:
            self.db.executemany("INSERT OR IGNORE INTO temp.seen VALUES (?)", self._seen)
            self._seen = []

    def record(self, item, summaries: list, problems: list, eval_key: str, findings: list,
               name_values: dict) -> None:
        """Store a scanned item: its summaries and problems, its findings ([(encoded finding,
        sort key)]) as evaluated under ``eval_key``, and the values found in its names."""
        m = item.meta
        if m.mtime is None or m.size is None:
            return
        if any(p.kind in RETRIED_KINDS or p.message.startswith(WORKER_DIED) for p in problems):
            return   # a failure that may not happen again (a permission given since) is retried next time
        cur = self.db.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (item.unit.uri, m.size, m.mtime, m.identity,
                               json.dumps([_summary_to_json(s) for s in summaries]),
                               json.dumps([dataclasses.asdict(p) for p in problems]),
                               eval_key, _pack_findings(findings), json.dumps(name_values, ensure_ascii=False)))
        self._seen.append((cur.lastrowid,))
        self._maybe_commit()

    def refresh_findings(self, cached: Cached, eval_key: str, findings: list) -> None:
        """An unchanged item evaluated again (its evaluation key changed): keep the new findings."""
        self.db.execute("UPDATE items SET eval_key = ?, findings = ? WHERE rowid = ?",
                        (eval_key, _pack_findings(findings), cached.rowid))
        self._maybe_commit()

    def _maybe_commit(self) -> None:
        if time.monotonic() - self._last_commit > _COMMIT_EVERY_S:
            self._flush_seen()
            self.db.commit()
            self._last_commit = time.monotonic()

    def prune_unseen(self) -> None:
        """After a complete run: items not seen any more (deleted) drop out."""
        self._flush_seen()
        self.db.execute("DELETE FROM items WHERE rowid NOT IN (SELECT id FROM temp.seen)")

    def close(self) -> None:
        try:
            self._flush_seen()
            self.db.commit()
            self.db.close()
        finally:
            self._release()

    def _release(self) -> None:
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
        finally:
            self._lock_fh.close()

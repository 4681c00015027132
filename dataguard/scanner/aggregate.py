"""Matches -> unit summaries: counts per score, capped value hashes and evidence.

A database row is pointed at by its primary key, which can be a value (an e-mail, a card
number, a composite of both): unless ``--show-data``, a key other than a short integer is
shown as ``key:`` and the first 16 hex digits of its HMAC under the scan's key (the same
key value hashes alike in every report).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from dataguard.hashing import Hasher, keyword_entities, mask
from dataguard.names import TOO_MANY
from dataguard.types import Chunk, EntityAgg, Evidence, ItemMeta, UnitSummary
from dataguard.vocab import TEST_VALUE

HASHES_CAP = 10_000          # distinct value hashes kept per entity and unit
NAME_VALUES_CAP = 64         # distinct values found in names kept per unit (to mask them: names.NameMasker)
ROW_DIGITS_SHOWN = 8         # a row key of at most this many digits is shown as it is
ROW_KEY = "ROW_KEY"          # the entity name row keys are hashed under


def shown_row(hasher: Hasher, row: Optional[str]) -> Optional[str]:
    """A database row key as the reports show it (the JSON ones only without ``--show-data``):
    a short integer as it is, else ``key:`` and the first 16 hex digits of its HMAC."""
    if row is None or (row.isdigit() and len(row) <= ROW_DIGITS_SHOWN):
        return row
    return "key:" + hasher.hash(ROW_KEY, row)[:16]


def _stem_line(text: str) -> int:
    """Where, in the text of a name chunk, the line that reads the name starts (``extract.name_chunk``:
    ``NAME\\nREADING``, READING being ``extract.name_reading(NAME)``); -1 if none does."""
    from dataguard.extract import name_reading
    at = text.find("\n")
    while at >= 0:
        if name_reading(text[:at]) == text[at + 1:]:
            return at + 1
        at = text.find("\n", at + 1)
    return -1


def _once_in_name(at: int, matches: list) -> list:
    """The matches of a name chunk, each value counted once: a match on the name overlapping one
    of the same entity at the same place of the line that reads it (``at``: ``_stem_line``) is
    left out (that line's match is kept: the extension cannot spoil it)."""
    if at < 0:
        return matches
    on_stem = [(m.entity_type, m.start - at, m.end - at) for m in matches if m.start >= at]
    return [m for m in matches
            if m.start >= at or not any(e == m.entity_type and s < m.end and m.start < t for e, s, t in on_stem)]


def merge_summary(summaries: dict, summary: UnitSummary, evidence_cap: Optional[int]) -> None:
    """Add ``summary`` (of a later part of an item: ``remote.in_part``) to the summaries (unit key
    -> UnitSummary) of its earlier parts, as if one Aggregator had read the parts' chunks in
    order: counts and reasons add up, evidence is the first ``evidence_cap`` entries in order.
    (Past ``HASHES_CAP`` distinct values of an entity in a unit, which of the later part's are
    kept is not told by its set; their number is the same.)"""
    have = summaries.get(summary.unit.key)
    if have is None:
        summaries[summary.unit.key] = summary
        return
    for entity, agg in summary.entities.items():
        mine = have.entities.get(entity)
        if mine is None:
            have.entities[entity] = agg
            continue
        for score, n in agg.scores.items():
            mine.scores[score] = mine.scores.get(score, 0) + n
        mine.reasons |= agg.reasons
        room = HASHES_CAP - len(mine.hashes)
        mine.hashes |= agg.hashes if len(agg.hashes) <= room else set(sorted(agg.hashes - mine.hashes)[:room])
        mine.evidence.extend(agg.evidence if evidence_cap is None else agg.evidence[:max(0, evidence_cap - len(mine.evidence))])
    for value, masked in summary.name_values.items():
        if len(have.name_values) >= NAME_VALUES_CAP and value not in have.name_values:
            have.name_values[TOO_MANY] = ""
            break
        have.name_values[value] = masked


class Aggregator:
    """Adds the matches of a chunk to the summaries (unit key -> UnitSummary) of its item;
    test values (``vocab.TEST_VALUE`` matches) are only counted, in ``test_values``."""

    def __init__(self, hasher: Hasher, evidence_cap: Optional[int], show_data: bool, keywords: frozenset = frozenset()):
        self.hasher = hasher
        self.keywords = keywords        # the rule packs' keyword (deny-list) entities: masked like markings
        self.evidence_cap = evidence_cap
        self.show_data = show_data
        self.test_values = 0

    @classmethod
    def for_scan(cls, hasher: Hasher, detector_kwargs: dict, evidence_cap: Optional[int],
                 show_data: bool) -> "Aggregator":
        """The aggregator of a scan (in the scanning process or on a cluster worker)."""
        return cls(hasher, evidence_cap, show_data, keyword_entities(detector_kwargs))

    def add(self, summaries: dict, meta: ItemMeta, chunk: Chunk, matches: list) -> None:
        found = matches
        at = _stem_line(chunk.text) if chunk.is_name else -1     # (-1: no line reads a name)
        matches = _once_in_name(at, matches)
        real = [m for m in matches if m.entity_type != TEST_VALUE]
        self.test_values += len(matches) - len(real)
        matches = real
        if not matches:
            return
        summary = summaries.get(chunk.unit.key)
        if summary is None:
            summary = summaries[chunk.unit.key] = UnitSummary(unit=chunk.unit, meta=meta)
        cap = self.evidence_cap
        if chunk.is_name:       # (every value found masks the names, those counted once included)
            self._name_values(summary, chunk, at, [m for m in found if m.entity_type != TEST_VALUE])
        for m in matches:
            agg = summary.entities.get(m.entity_type)
            if agg is None:
                agg = summary.entities[m.entity_type] = EntityAgg()
            score = round(m.score, 2)
            agg.scores[score] = agg.scores.get(score, 0) + 1
            agg.reasons.add(m.reason)
            keep_hash = len(agg.hashes) < HASHES_CAP
            keep_evidence = cap is None or len(agg.evidence) < cap
            if not (keep_hash or keep_evidence):
                continue        # counted; nothing more is kept of it
            value = chunk.text[m.start:m.end]
            vhash = self.hasher.hash(m.entity_type, value)
            if keep_hash:
                agg.hashes.add(vhash)
            if keep_evidence:
                col, end_col = chunk.columns_of(m.start, m.end)
                agg.evidence.append(Evidence(
                    entity_type=m.entity_type, score=score, pointer=self._pointer(chunk, m.start),
                    masked=self._mask(m.entity_type, value), value_hash=vhash,
                    value=value if self.show_data else None, col=col, end_col=end_col, reason=m.reason))

    def _mask(self, entity: str, value: str) -> str:
        return mask(entity, value, keyword=entity in self.keywords)

    def _name_values(self, summary: UnitSummary, chunk: Chunk, at: int, matches: list) -> None:
        """Keep the values found in a name, with their masked previews: wherever the names of
        the item are shown, they are masked (``names.NameMasker``). Past the cap, ``TOO_MANY``
        says values were left out: every name of the item is then masked whole."""
        kept = summary.name_values
        for m in matches:
            values = chunk.text[m.start:m.end].split("\n")     # a name chunk's lines: the name, its reading
            if 0 <= at <= m.start:      # a value on the reading: as the name writes it too ("Jane_Roe")
                values.append(chunk.text[m.start - at:m.end - at])
            for value in values:
                if not value.strip() or value in kept:
                    continue
                if len(kept) >= NAME_VALUES_CAP:
                    kept[TOO_MANY] = ""
                    return
                kept[value] = self._mask(m.entity_type, value)

    def _pointer(self, chunk: Chunk, offset: int):
        """Where a match is; a database row key that may be a value, hashed."""
        pointer = chunk.pointer_at(offset)
        row = pointer.row if self.show_data else shown_row(self.hasher, pointer.row)
        return pointer if row == pointer.row else replace(pointer, row=row)

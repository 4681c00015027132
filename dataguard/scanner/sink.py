"""The one place a scan's findings, problems and counters are collected.

What a scan collects grows with the number of items: findings, errors and skipped items
are kept out of memory (``SpillList``). Findings are kept encoded with their sort key, so
an unchanged item's stored findings are added without being decoded."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Optional

from dataguard.hashing import Hasher
from dataguard.names import TOO_MANY, NameMasker
from dataguard.scanner.aggregate import shown_row
from dataguard.spill import SpillList
from dataguard.types import (Finding, Problem, ScanResult, TargetStatus, Unit, UnitSummary, decode_finding,
                             encode_finding, severity_rank)


def finding_sort_key(f) -> tuple:
    u = f.unit
    return (-severity_rank(f.severity), u.uri, u.member or "", u.table or "", u.column or "", f.rule_id)


_UNIT_NAMES = ("target", "uri", "path", "member", "table", "column")
ITEM_NAME_VALUES_CAP = 65_536      # values found in the names of one item, masked in all its names
SCAN_NAME_VALUES_CAP = 65_536      # values found in names scan-wide (database tables in a target's info)
UNMASKED = NameMasker()            # no value found in a name: mask_values only


def shown_unit(unit: Unit, masker: NameMasker = UNMASKED) -> Unit:
    """A unit as reports show it: the values its names hold masked (names.py)."""
    return replace(unit, **{k: masker(getattr(unit, k)) for k in _UNIT_NAMES if getattr(unit, k)})


def _shown_finding(f: Finding, masker: NameMasker, hasher: Optional[Hasher] = None) -> Finding:
    """A finding with its names masked: its unit's, its evidence's sheets and parts (a JSON
    column's key path); with ``hasher`` (a ``--show-data`` scan: row keys are kept raw), its row
    keys as a scan without ``--show-data`` shows them."""
    def shown(e):
        p = e.pointer
        row = p.row if hasher is None else shown_row(hasher, p.row)
        if not (p.sheet or p.part or row != p.row):
            return e
        return replace(e, pointer=replace(p, sheet=masker(p.sheet), part=masker(p.part), row=row))
    return replace(f, unit=shown_unit(f.unit, masker), evidence=tuple(shown(e) for e in f.evidence))


def name_values(summaries: Iterable[UnitSummary], cap: int = ITEM_NAME_VALUES_CAP) -> dict:
    """The values found in the names of ``summaries`` (value -> masked preview), at most ``cap``;
    with ``TOO_MANY`` if there were more (then every name of the item is masked whole)."""
    out: dict = {}
    for summary in summaries:
        for value, preview in summary.name_values.items():
            if value not in out and len(out) >= cap:
                out[TOO_MANY] = ""
                return out
            out.setdefault(value, preview)
    return out


class Sink:
    """``evaluate(summary[, table]) -> [Finding]`` turns a unit summary into findings (the rules;
    ``table``: a database column's, the summaries of its table).
    What it collects shows names masked where they hold values, as every report and the log
    show them: the names of an item are masked by the item's ``masker`` (what was found in its
    names). With ``show_data`` it also keeps them as they are (``raw_*``), for the JSON formats
    only (``with_unmasked``); what it shows has the raw row keys then kept by the aggregator
    hashed under ``hasher``, as without ``show_data``."""

    def __init__(self, evaluate: Callable[[UnitSummary], list], show_data: bool = False,
                 hasher: Optional[Hasher] = None):
        if show_data and hasher is None:
            raise ValueError("a show_data sink needs the scan's hasher (to show row keys)")
        self._evaluate = evaluate
        self.show_data = show_data
        self._hasher = hasher if show_data else None        # (without show_data, rows come hashed)
        self.findings = SpillList(key=finding_sort_key, encode=encode_finding, decode=decode_finding)
        self.errors, self.skipped = SpillList(), SpillList()
        # with show_data: the same with the names as they are (ScanResult.unmasked), else None
        self.raw_findings = self.raw_errors = self.raw_skipped = self.raw_targets = None
        if show_data:
            self.raw_findings = SpillList(key=finding_sort_key, encode=encode_finding, decode=decode_finding)
            self.raw_errors, self.raw_skipped, self.raw_targets = SpillList(), SpillList(), []
        self.stats = {"items_scanned": 0, "items_skipped": 0, "items_unchanged": 0, "bytes_scanned": 0,
                      "rows_sampled": 0, "errors": 0, "duration_s": 0.0, "test_values_ignored": 0}
        self._scan_values: dict = {}        # what was found in names scan-wide (SCAN_NAME_VALUES_CAP)

    def masker(self, values: dict) -> NameMasker:
        """The masker of an item whose names hold ``values`` (``name_values``)."""
        for value in values:
            if value not in self._scan_values:
                if len(self._scan_values) >= SCAN_NAME_VALUES_CAP:
                    value = TOO_MANY        # more than kept: the target statuses are masked whole
                self._scan_values[value] = values[value] if value else ""
        return NameMasker(values) if values else UNMASKED

    def shown(self, text: Optional[str], masker: NameMasker = UNMASKED) -> Optional[str]:
        """A name or message (of the item of ``masker``) as the reports and the log show it."""
        return masker(text) if text else text

    def shown_target(self, status: TargetStatus) -> TargetStatus:
        """A target's status as the report shows it, once the target is scanned: its uri,
        error and the names of its tables (read or with skipped columns) masked with the values
        found in names scan-wide (a target that is one file is named by its item's name; a
        table's name is its item's). With ``show_data``, the status as it is is kept too."""
        if self.show_data:
            self.raw_targets.append(status)
        masker = self.scan_masker()
        info = dict(status.info)
        for listed in ("tables", "skipped_columns"):
            if info.get(listed):
                info[listed] = [dict(t, **{k: masker(t[k]) for k in ("table", "column") if t.get(k)})
                                for t in info[listed]]
        return replace(status, uri=masker(status.uri), error=masker(status.error), info=info)

    def scan_masker(self) -> NameMasker:
        """What was found in names so far, scan-wide, as a masker."""
        return NameMasker(self._scan_values)

    def problem(self, p: Problem, masker: NameMasker = UNMASKED) -> Problem:
        """Record a problem (of the item of ``masker``); returns it as shown."""
        if self.show_data:
            (self.raw_skipped if p.skipped else self.raw_errors).append(p)
        p = replace(p, uri=masker(p.uri), message=masker(p.message))
        (self.skipped if p.skipped else self.errors).append(p)
        return p

    def evaluated(self, summaries: Iterable[UnitSummary], masker: NameMasker = UNMASKED) -> list:
        """Add the findings of ``summaries`` (of the item of ``masker``); returns them as
        (encoded finding, sort key) pairs. A database column's rules see its table's other
        columns (``evaluate(summary, table)``): the item is the table."""
        out = []
        summaries = list(summaries)
        for summary in summaries:
            found = self._evaluate(summary, summaries) if summary.unit.source == "database" else self._evaluate(summary)
            for f in found:
                if self.show_data:
                    self.raw_findings.append(f)
                f = _shown_finding(f, masker, self._hasher)
                pair = (encode_finding(f), finding_sort_key(f))
                self.findings.append_encoded(*pair)
                out.append(pair)
        return out

    def reuse(self, pairs: list) -> None:
        """Add findings stored earlier, as (encoded finding, sort key) pairs."""
        self.findings.extend_encoded(pairs)

    def close_stats(self, duration_s: float) -> dict:
        """Sort the findings (the list is read-only from then on); the final counters."""
        self.findings.sort()
        if self.show_data:
            self.raw_findings.sort()
        self.stats["errors"] = len(self.errors)
        self.stats["items_skipped"] = len(self.skipped)
        self.stats["duration_s"] = round(duration_s, 3)
        return self.stats

    def with_unmasked(self, result: ScanResult) -> ScanResult:
        """``result`` (what was collected, names masked) with, under ``show_data``, the same scan
        with its names as they are (``ScanResult.unmasked``, for the JSON formats only)."""
        if not self.show_data:
            return result
        return replace(result, unmasked=replace(result, targets=self.raw_targets, findings=self.raw_findings,
                                                errors=self.raw_errors, skipped=self.raw_skipped))

"""The one place a scan's findings, problems and counters are collected.

What a scan collects grows with the number of items: findings, errors and skipped items
are kept out of memory (``SpillList``). Findings are kept encoded with their sort key, so
an unchanged item's stored findings are added without being decoded."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Optional

from dataguard.names import mask_values
from dataguard.spill import SpillList
from dataguard.types import Finding, Problem, Unit, UnitSummary, decode_finding, encode_finding, severity_rank


def finding_sort_key(f) -> tuple:
    u = f.unit
    return (-severity_rank(f.severity), u.uri, u.member or "", u.table or "", u.column or "", f.rule_id)


def shown_unit(unit: Unit) -> Unit:
    """A unit as reports show it: the values its names hold masked (names.py)."""
    return replace(unit, **{k: mask_values(getattr(unit, k)) for k in ("target", "uri", "path", "member", "table",
                                                                        "column") if getattr(unit, k)})


def _shown_finding(f: Finding) -> Finding:
    """A finding with its names masked: its unit's, its evidence's sheets and parts (a JSON
    column's key path)."""
    evidence = tuple(replace(e, pointer=replace(e.pointer, sheet=mask_values(e.pointer.sheet),
                                                part=mask_values(e.pointer.part)))
                     if e.pointer.sheet or e.pointer.part else e for e in f.evidence)
    return replace(f, unit=shown_unit(f.unit), evidence=evidence)


class Sink:
    """``evaluate(summary) -> [Finding]`` turns a unit summary into findings (the rules).
    What it collects shows names masked where they hold values, unless ``show_data``."""

    def __init__(self, evaluate: Callable[[UnitSummary], list], show_data: bool = False):
        self._evaluate = evaluate
        self.show_data = show_data
        self.findings = SpillList(key=finding_sort_key, encode=encode_finding, decode=decode_finding)
        self.errors, self.skipped = SpillList(), SpillList()
        self.stats = {"items_scanned": 0, "items_skipped": 0, "items_unchanged": 0, "bytes_scanned": 0,
                      "rows_sampled": 0, "errors": 0, "duration_s": 0.0}

    def shown(self, text: Optional[str]) -> Optional[str]:
        """A name or message as the report and the log show it."""
        return text if self.show_data or not text else mask_values(text)

    def shown_info(self, info: dict) -> dict:
        """A target's info as the report shows it: its tables' names masked."""
        if info.get("tables") and not self.show_data:
            info["tables"] = [dict(t, table=self.shown(t.get("table"))) for t in info["tables"]]
        return info

    def problem(self, p: Problem) -> None:
        if not self.show_data:
            p = replace(p, uri=mask_values(p.uri), message=mask_values(p.message))
        (self.skipped if p.skipped else self.errors).append(p)

    def evaluated(self, summaries: Iterable[UnitSummary]) -> list:
        """Add the findings of ``summaries``; returns them as (encoded finding, sort key) pairs."""
        out = []
        for summary in summaries:
            for f in self._evaluate(summary):
                f = f if self.show_data else _shown_finding(f)
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
        self.stats["errors"] = len(self.errors)
        self.stats["items_skipped"] = len(self.skipped)
        self.stats["duration_s"] = round(duration_s, 3)
        return self.stats

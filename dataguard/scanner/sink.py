"""The one place a scan's findings, problems and counters are collected.

What a scan collects grows with the number of items: findings, errors and skipped items
are kept out of memory (``SpillList``). Findings are kept encoded with their sort key, so
an unchanged item's stored findings are added without being decoded."""
from __future__ import annotations

from typing import Callable, Iterable

from dataguard.spill import SpillList
from dataguard.types import Problem, UnitSummary, decode_finding, encode_finding, severity_rank


def finding_sort_key(f) -> tuple:
    u = f.unit
    return (-severity_rank(f.severity), u.uri, u.member or "", u.table or "", u.column or "", f.rule_id)


class Sink:
    """``evaluate(summary) -> [Finding]`` turns a unit summary into findings (the rules)."""

    def __init__(self, evaluate: Callable[[UnitSummary], list]):
        self._evaluate = evaluate
        self.findings = SpillList(key=finding_sort_key, encode=encode_finding, decode=decode_finding)
        self.errors, self.skipped = SpillList(), SpillList()
        self.stats = {"items_scanned": 0, "items_skipped": 0, "items_unchanged": 0, "bytes_scanned": 0,
                      "rows_sampled": 0, "errors": 0, "duration_s": 0.0}

    def problem(self, p: Problem) -> None:
        (self.skipped if p.skipped else self.errors).append(p)

    def evaluated(self, summaries: Iterable[UnitSummary]) -> list:
        """Add the findings of ``summaries``; returns them as (encoded finding, sort key) pairs."""
        out = []
        for summary in summaries:
            for f in self._evaluate(summary):
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

"""What the human-facing reports (HTML, CSV, SARIF, terminal table) read: a report as dicts.

A ``ReportDoc`` is the JSON report's content (head, findings, errors, skipped) whatever it was
made from: a ScanResult just scanned (``formats.doc_of``: findings serialised one at a time,
never all in memory) or a JSON/JSONL report file read back (``load_doc``). The writers only ever see masked evidence: raw values are
for the JSON formats with ``--show-data``.
"""
from __future__ import annotations

import heapq
import json
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

from dataguard.names import printable, without_raw_data  # noqa: F401  (printable: the writers' escape)
from dataguard.report.schema import schema_problem
from dataguard.vocab import SEVERITIES

# evidence pointer fields, in the order they are shown ("col"/"end_col" where a reader gives them)
POINTER_FIELDS = ("page", "sheet", "cell", "line", "col", "row", "part")


class Mapped:
    """``map(fn, items)`` that can be iterated more than once (when ``items`` can)."""

    def __init__(self, fn: Callable, items: Iterable):
        self._fn, self._items = fn, items

    def __iter__(self) -> Iterator:
        return map(self._fn, self._items)


@dataclass
class ReportDoc:
    head: dict                  # {"schema_version", "tool", "scan": {...}} (+ "key_id" where given)
    findings: Iterable          # finding dicts, re-iterable
    errors: Iterable            # problem dicts {"uri", "kind", "message"}
    skipped: Iterable           # problem dicts {"uri", "reason", "message"}

    @property
    def scan(self) -> dict:
        return self.head.get("scan") or {}

    @property
    def site(self) -> str:
        return self.scan.get("site") or ""

    @property
    def key_id(self) -> Optional[str]:
        return self.head.get("key_id") or self.scan.get("key_id")


class ReportFileError(ValueError):
    """A file that is not a dataguard JSON or JSONL report."""


def load_doc(path: str) -> ReportDoc:
    """A JSON report (``--format json``) or JSONL report (``--format jsonl``: findings, one per
    line, then the scan line) read back."""
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [json.loads(x) for x in fh if x.strip()] if _is_jsonl(fh) else [json.load(fh)]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ReportFileError(f"cannot read report {path}: {getattr(exc, 'strerror', None) or type(exc).__name__}") \
            from None
    data = lines[-1] if lines else None
    # JSONL finding lines also name their site and scan (the scan line says it once for all)
    findings = data.get("findings", [_without_identity(x) for x in lines[:-1]]) if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("scan"), dict) or not isinstance(findings, list):
        raise ReportFileError(f"{path} is not a dataguard JSON or JSONL report")
    data = {**data, "findings": findings}
    problem = schema_problem(data, path)          # (what the page shows is what a scan writes)
    if problem is not None:
        raise ReportFileError(problem)
    data = without_raw_data(data)
    head = {k: v for k, v in data.items() if k not in ("findings", "errors", "skipped")}
    return ReportDoc(head=head, findings=data["findings"], errors=data.get("errors") or [],
                     skipped=data.get("skipped") or [])


def _without_identity(line):
    return {k: v for k, v in line.items() if k not in ("site", "scan_id")} if isinstance(line, dict) else line


def _is_jsonl(fh) -> bool:
    """JSONL when the first line is a whole JSON value (the JSON report is indented)."""
    first = fh.readline()
    fh.seek(0)
    try:
        json.loads(first)
        return True
    except json.JSONDecodeError:
        return False


# ---------------------------------------------------------------- texts shared by the writers
def location_text(loc: dict) -> str:
    """Where a finding is: ``path!/member`` for files, ``schema.table.column`` for databases."""
    if loc.get("column"):
        return f"{loc.get('table')}.{loc['column']}"
    s = loc.get("path") or loc.get("uri") or ""
    if loc.get("member"):
        s += "!/" + loc["member"]
    return s


def pointer_text(ev: dict) -> str:
    """One evidence pointer: ``page 2, line 14, col 5-17`` (no value, masked or raw)."""
    parts = []
    for k in POINTER_FIELDS:
        v = ev.get(k)
        if v is None or v == "":
            continue
        if k == "col" and ev.get("end_col") is not None:
            v = f"{v}-{ev['end_col']}"
        parts.append(f"{k} {v}")
    return ", ".join(parts)


def first_pointer(finding: dict) -> str:
    for ev in finding.get("evidence") or ():
        text = pointer_text(ev)
        if text:
            return text
    return ""


def entities_text(entities: dict, sep: str = ", ", fmt: str = "{k} x{n}") -> str:
    return sep.join(fmt.format(k=k, n=v.get("count", 0)) for k, v in sorted(entities.items()))


def volume(finding: dict) -> int:
    """How many values a finding counts (all entity types)."""
    return sum(int(v.get("count") or 0) for v in (finding.get("entities") or {}).values())


def severity_rank(name: str) -> int:
    return SEVERITIES.index(name) if name in SEVERITIES else -1


SEVERITIES_DESC = tuple(reversed(SEVERITIES))


# ---------------------------------------------------------------- one pass of counting
class Summary:
    """Counts over the findings of one or more reports, and the top locations
    (most severe first, then most values), in one streaming pass."""

    def __init__(self, top: int = 10):
        self.total = 0
        self.by_severity: Counter = Counter()
        self.by_measure: dict = {}            # measure -> Counter(severity)
        self.by_site: dict = {}               # site -> Counter(severity)
        self._top: list = []                  # heap of (rank, volume, -n, site, finding)
        self._top_n = top

    def add(self, finding: dict, site: str = "") -> None:
        sev = finding.get("severity", "")
        self.total += 1
        self.by_severity[sev] += 1
        self.by_measure.setdefault(finding.get("measure") or "", Counter())[sev] += 1
        self.by_site.setdefault(site, Counter())[sev] += 1
        entry = (severity_rank(sev), volume(finding), -self.total, site, finding)
        if len(self._top) < self._top_n:
            heapq.heappush(self._top, entry)
        elif entry[:3] > self._top[0][:3]:
            heapq.heapreplace(self._top, entry)

    def add_doc(self, doc: ReportDoc) -> "Summary":
        for f in doc.findings:
            self.add(f, doc.site)
        return self

    def top(self) -> list:
        """[(site, finding)] most severe first, then most values, then in report order."""
        return [(e[3], e[4]) for e in sorted(self._top, key=lambda e: e[:3], reverse=True)]

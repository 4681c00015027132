"""The HTML report: one self-contained page (no external resource: it works offline and as a mail
attachment) over one or more reports: header per scan, charts, a findings table to sort and
filter, remediation, masked evidence with its position, errors and skipped items.

Every text from the scanned data is escaped by the template engine (autoescape). A
Content-Security-Policy allows no request at all and only the page's own script and style
(by hash), so even a name that slipped through could not run or fetch anything.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator, TextIO

from dataguard import __version__
from dataguard.report.view import (SEVERITIES_DESC, ReportDoc, Summary, entities_text, location_text, pointer_text,
                                   printable, severity_rank, volume)
from dataguard.vocab import Reason

MAX_ROWS = 20_000          # findings listed in the table (all are counted in the summary and charts)
MAX_PROBLEMS = 2_000       # errors, and skipped items, listed
MAX_EVIDENCE = 5           # evidence entries listed per finding
# evidence[].reason other than the value alone, as the page says it
_REASONS = {Reason.COLUMN_NAME: "found by its column's name", Reason.BOTH: "value and column name"}


@dataclass
class ProblemList:
    items: list = field(default_factory=list)     # [(site, problem dict)]
    total: int = 0

    def add(self, site: str, problem: dict) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append((site, problem))


def _asset(name: str) -> str:
    return resources.files("dataguard.report").joinpath("templates", name).read_text(encoding="utf-8")


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _template():
    from jinja2 import Environment, StrictUndefined
    env = Environment(autoescape=True, undefined=StrictUndefined)
    env.filters["printable"] = printable
    return env.from_string(_asset("dashboard.html"))


def _row(site: str, f: dict) -> dict:
    loc = f.get("location") or {}
    evidence = f.get("evidence") or []
    return {"severity": f.get("severity", ""), "rank": severity_rank(f.get("severity", "")),
            "measure": f.get("measure") or "", "site": printable(site), "rule_id": f.get("rule_id") or "",
            "title": f.get("title") or "", "where": printable(location_text(loc)), "volume": volume(f),
            "entities": entities_text(f.get("entities") or {}), "remediation": f.get("remediation") or "",
            "exposure": f.get("exposure"), "owner": f.get("owner"),
            # with a baseline: open, accepted (until its expiry) or expired, and who accepted it why
            "status": f.get("status") or "", "acceptance": f.get("acceptance") or {},
            "evidence": [{"entity_type": e.get("entity_type"), "masked": e.get("masked") or "",
                          "pointer": pointer_text(e), "reason": _REASONS.get(e.get("reason"), "")}
                         for e in evidence[:MAX_EVIDENCE]],
            "more": len(evidence) > MAX_EVIDENCE or bool(f.get("evidence_truncated"))}


def _rows(docs: list) -> Iterator[dict]:
    n = 0
    for doc in docs:
        for f in doc.findings:
            if n >= MAX_ROWS:
                return
            n += 1
            yield _row(doc.site, f)


def _scan_header(doc: ReportDoc) -> dict:
    s = doc.scan
    return {"site": printable(doc.site), "site_kind": s.get("site_kind"), "scan_id": s.get("id"),
            "started_at": s.get("started_at"), "finished_at": s.get("finished_at"), "complete": s.get("complete"),
            "key_id": doc.key_id, "stats": s.get("stats") or {}, "rule_packs": s.get("rule_packs") or [],
            "targets": s.get("targets") or []}


def _coverage(docs: Iterable[ReportDoc]) -> dict:
    by_site: dict = {}
    for doc in docs:
        acc = by_site.setdefault(printable(doc.site) or "(no site name)", {})
        for k, v in (doc.scan.get("stats") or {}).items():
            if isinstance(v, (int, float)):
                acc[k] = acc.get(k, 0) + v
    return by_site


def write_html_docs(docs: list, out: TextIO) -> None:
    """The dashboard over ``docs`` (ReportDoc), streamed: two passes over the findings
    (counting, then the table), one finding in memory at a time."""
    from dataguard.report.charts import charts
    summary = Summary()
    errors, skipped = ProblemList(), ProblemList()
    for doc in docs:
        summary.add_doc(doc)
        for p in doc.errors:
            errors.add(doc.site, p)
        for p in doc.skipped:
            skipped.add(doc.site, p)
    style, script = _asset("dashboard.css"), _asset("dashboard.js")
    sites = sorted({printable(d.site) for d in docs})
    title = ", ".join(s or "(no site name)" for s in sites)
    page = _template().generate(
        title=title, version=__version__, reports=[_scan_header(d) for d in docs], total=summary.total,
        shown=min(summary.total, MAX_ROWS),
        by_severity=[(s, summary.by_severity[s]) for s in SEVERITIES_DESC if summary.by_severity[s]],
        measures=sorted(summary.by_measure), sites=sites, charts=charts(summary, _coverage(docs)),
        rows=_rows(docs), errors=errors, skipped=skipped,
        style=_markup(style), script=_markup(script), style_hash=_csp_hash(style), script_hash=_csp_hash(script))
    for piece in page:
        out.write(piece)


def _markup(text: str):
    from markupsafe import Markup
    return Markup(text)

"""Writing the inventory out: KPIs as table/CSV/JSON; the findings as CSV, JSON or SARIF
(streamed: one finding in memory at a time). Names are written as the scan's reports write
them: CSV cells through ``csvfile.safe_cell`` (no formula, control characters escaped), the
table through ``printable``, SARIF locations relative to a base and percent-encoded."""
from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from dataguard import __version__
from dataguard.names import printable
from dataguard.report.csvfile import safe_cell
from dataguard.report.sarif import FINGERPRINT_KEY, LEVEL, UriBases, artifact_location

KPI_COLUMNS = ["site", "measure", "open_critical", "open_high", "open_medium", "open_low", "open_info", "open_total",
               "new", "resolved", "oldest_open_critical_days", "items_scanned", "items_failed", "coverage",
               "broad_open_share", "accepted", "expired", "trend"]
EXPORT_COLUMNS = ["site", "fingerprint", "status", "severity", "rule_id", "measure", "title", "location", "target",
                  "exposure", "first_seen", "last_seen", "resolved_at", "accepted_reason", "accepted_owner",
                  "accepted_reviewer", "accepted_expires", "entities"]


def trend_text(trend: list) -> str:
    """'12 10 7*': findings reported by each scan, oldest first; * marks an incomplete scan."""
    return " ".join(f"{t['findings']}{'' if t['complete'] else '*'}" for t in trend)


def _flat(row: dict) -> list:
    return [trend_text(row[c]) if c == "trend" else ("" if row[c] is None else row[c]) for c in KPI_COLUMNS]


def write_kpis(rows: list, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        out.write(json.dumps(rows, indent=2) + "\n")
    elif fmt == "csv":
        w = csv.writer(out)
        w.writerow(KPI_COLUMNS)
        w.writerows([safe_cell(v) for v in _flat(r)] for r in rows)
    else:
        from tabulate import tabulate
        short = [c.replace("open_", "") if c.startswith("open_") else c for c in KPI_COLUMNS]
        table = [[printable(v) if isinstance(v, str) else v for v in _flat(r)] for r in rows]
        out.write(tabulate(table, headers=short) + "\n")


def _entities_text(entities: dict) -> str:
    return ";".join(f"{k}={v['count']}" for k, v in sorted(entities.items()))


def _json_array(out: TextIO, items: Iterable[dict], ensure_ascii: bool = False) -> None:
    first = True
    for d in items:
        out.write(("[\n" if first else ",\n") + json.dumps(d, ensure_ascii=ensure_ascii))
        first = False
    out.write("[]" if first else "\n]")


def write_export(rows: Iterable[dict], fmt: str, out: TextIO) -> None:
    if fmt == "json":
        _json_array(out, rows)
        out.write("\n")
    elif fmt == "csv":
        w = csv.writer(out)
        w.writerow(EXPORT_COLUMNS)
        for r in rows:
            acc = r["acceptance"] or {}
            cells = [r["site"], r["fingerprint"], r["status"], r["severity"], r["rule_id"], r["measure"],
                     r["title"], r["location"], r["target"], r["exposure"], r["first_seen"], r["last_seen"],
                     r["resolved_at"], acc.get("reason"), acc.get("owner"), acc.get("reviewer"),
                     acc.get("expires"), _entities_text(r["entities"])]
            w.writerow([safe_cell(v) for v in cells])
    else:
        write_sarif(rows, out)


def _sarif_result(r: dict, bases: UriBases) -> dict:
    line = next((e.get("line") for e in r["evidence"] if e.get("line")), None)
    where = {"uri": r["uri"], "path": r["path"], "source": r["source"], "target": r["target"]}
    bases.learn(where)
    loc = {"physicalLocation": {"artifactLocation": artifact_location(where, bases),
                                **({"region": {"startLine": line}} if line else {})}}
    res = {"ruleId": r["rule_id"], "level": LEVEL[r["severity"]],
           "message": {"text": f"{r['title']}: {_entities_text(r['entities'])}"},
           "locations": [loc], "partialFingerprints": {FINGERPRINT_KEY: r["fingerprint"]},
           "baselineState": ("absent" if r["status"] == "resolved"
                             else "new" if r["first_in_latest_scan"] else "unchanged"),
           "properties": {k: r[k] for k in ("site", "status", "severity", "measure", "location", "first_seen",
                                            "last_seen", "resolved_at", "acceptance")}}
    if r["status"] == "accepted":
        res["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": r["acceptance"]["reason"]}]
    return res


def write_sarif(rows: Iterable[dict], out: TextIO) -> None:
    """SARIF 2.1.0, one run; ``baselineState`` says new/unchanged/absent (resolved), accepted
    findings carry an external suppression with the acceptance's reason; locations are relative
    to the ``originalUriBaseIds`` (one per base the findings were seen under: written after them)."""
    head = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json"}
    bases = UriBases()
    out.write(json.dumps(head)[:-1] + ', "runs": [{"tool": {"driver": '
              + json.dumps({"name": "dataguard", "version": __version__}) + '}, "results": ')
    _json_array(out, (_sarif_result(r, bases) for r in rows), ensure_ascii=True)
    out.write(', "originalUriBaseIds": ' + json.dumps(bases.original(), ensure_ascii=True) + "}]}\n")

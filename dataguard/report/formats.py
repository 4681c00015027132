"""Output formats. Only ``Evidence.value`` is raw data, and it is emitted only with show_data."""
from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter

from tabulate import tabulate

from dataguard import __version__
from dataguard.types import SEVERITIES, ScanResult

_POINTER_FIELDS = ("line", "page", "sheet", "cell", "row")


def _evidence_dict(e, show_data: bool) -> dict:
    d = {"entity_type": e.entity_type, "score": e.score}
    for k in _POINTER_FIELDS:
        d[k] = getattr(e.pointer, k)
    d["part"] = e.pointer.part
    d["masked"] = e.masked
    d["value_hash"] = e.value_hash
    if show_data and e.value is not None:
        d["value"] = e.value
    return d


def finding_dict(f, show_data: bool = False) -> dict:
    u = f.unit
    return {
        "fingerprint": f.fingerprint, "rule_id": f.rule_id, "title": f.title,
        "severity": f.severity, "measure": f.measure,
        "location": {"target": u.target, "uri": u.uri, "path": u.path, "member": u.member,
                     "table": u.table, "column": u.column, "source": u.source},
        "entities": f.entities,
        "evidence": [_evidence_dict(e, show_data) for e in f.evidence],
        "evidence_truncated": f.evidence_truncated,
        "remediation": f.remediation,
        "exposure": f.exposure, "owner": f.owner,
    }


def scan_dict(r: ScanResult) -> dict:
    return {
        "id": r.scan_id, "site": r.site.name, "site_kind": r.site.kind,
        "started_at": r.started_at, "finished_at": r.finished_at, "complete": r.complete,
        "targets": [{"uri": t.uri, "status": t.status, "error": t.error, **({"info": t.info} if t.info else {})}
                    for t in r.targets],
        "rule_packs": r.rule_packs,
        "stats": r.stats,
    }


def _problem_dict(p) -> dict:
    if p.skipped:
        return {"uri": p.uri, "reason": p.kind, "message": p.message}
    return {"uri": p.uri, "kind": p.kind, "message": p.message}


def to_dict(r: ScanResult, show_data: bool = False) -> dict:
    return {
        "schema_version": 1,
        "tool": {"name": "dataguard", "version": __version__},
        "scan": scan_dict(r),
        "findings": [finding_dict(f, show_data) for f in r.findings],
        "errors": [_problem_dict(p) for p in r.errors],
        "skipped": [_problem_dict(p) for p in r.skipped],
    }


def render_json(r: ScanResult, show_data: bool = False) -> str:
    return json.dumps(to_dict(r, show_data), indent=2, ensure_ascii=False) + "\n"


def render_jsonl(r: ScanResult, show_data: bool = False) -> str:
    d = to_dict(r, show_data)
    lines = [json.dumps(f, ensure_ascii=False) for f in d["findings"]]
    tail = {"schema_version": 1, "tool": d["tool"], "scan": d["scan"], "errors": d["errors"], "skipped": d["skipped"]}
    lines.append(json.dumps(tail, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _entities_text(f) -> str:
    return ", ".join(f"{k} x{v['count']}" for k, v in sorted(f.entities.items()))


def _where(f) -> str:
    u = f.unit
    s = u.path or u.uri
    if u.member:
        s += "!/" + u.member
    if u.column:
        s = f"{u.table}.{u.column}"
    return s


def render_table(r: ScanResult, show_data: bool = False, top: int = 20) -> str:
    out = io.StringIO()
    status = "complete" if r.complete else "INCOMPLETE"
    st = r.stats
    out.write(f"dataguard scan {status}: {st['items_scanned']} items scanned, {st['items_unchanged']} unchanged, "
              f"{st['items_skipped']} skipped, {st['errors']} errors, {len(r.findings)} findings "
              f"in {st['duration_s']:.1f}s\n")
    for t in r.targets:
        if t.status != "ok":
            out.write(f"  target {t.uri}: {t.status} - {t.error}\n")
    if r.findings:
        sev = Counter(f.severity for f in r.findings)
        out.write("\nBy severity\n")
        out.write(tabulate([[s, sev[s]] for s in reversed(SEVERITIES) if sev[s]], headers=["severity", "findings"]))
        meas = Counter((f.measure, f.severity) for f in r.findings)
        rows = []
        for m in sorted({f.measure for f in r.findings}):
            rows.append([m] + [meas[(m, s)] or "" for s in reversed(SEVERITIES)])
        out.write("\n\nBy critical measure\n")
        out.write(tabulate(rows, headers=["measure"] + list(reversed(SEVERITIES))))
        out.write(f"\n\nTop locations (of {len(r.findings)} findings)\n")
        rows = []
        for f in r.findings[:top]:
            ents = ", ".join(f"{k}x{v['count']}" for k, v in sorted(f.entities.items()))
            rows.append([f.severity, f.rule_id, f.measure, _where(f)[:70], ents[:60]])
        out.write(tabulate(rows, headers=["severity", "rule", "measure", "location", "entities"]))
        out.write("\n")
    else:
        out.write("\nNo findings.\n")
    if r.errors:
        kinds = Counter(p.kind for p in r.errors)
        out.write("\nErrors: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + "\n")
    return out.getvalue()


def render_csv(r: ScanResult, show_data: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["fingerprint", "severity", "rule_id", "measure", "title", "uri", "member", "table", "column",
                "entities", "exposure"])
    for f in r.findings:
        u = f.unit
        w.writerow([f.fingerprint, f.severity, f.rule_id, f.measure, f.title, u.uri, u.member or "",
                    u.table or "", u.column or "",
                    ";".join(f"{k}={v['count']}" for k, v in sorted(f.entities.items())), f.exposure or ""])
    return buf.getvalue()


_SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def render_sarif(r: ScanResult, show_data: bool = False) -> str:
    rules = {}
    results = []
    for f in r.findings:
        rules.setdefault(f.rule_id, {"id": f.rule_id, "shortDescription": {"text": f.title},
                                     "properties": {"measure": f.measure}})
        region = {}
        first_line = next((e.pointer.line for e in f.evidence if e.pointer.line), None)
        if first_line:
            region = {"region": {"startLine": first_line}}
        results.append({
            "ruleId": f.rule_id, "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.title}: {_entities_text(f)}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.unit.uri}, **region}}],
            "partialFingerprints": {"dataguard/v1": f.fingerprint},
            "properties": {"severity": f.severity, "member": f.unit.member, "table": f.unit.table,
                           "column": f.unit.column},
        })
    doc = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
           "runs": [{"tool": {"driver": {"name": "dataguard", "version": __version__, "rules": list(rules.values())}},
                     "results": results}]}
    return json.dumps(doc, indent=2) + "\n"


def render_html(r: ScanResult, show_data: bool = False) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(f.severity)}</td><td>{esc(f.rule_id)}</td><td>{esc(f.measure)}</td>"
        f"<td>{esc(_where(f))}</td><td>{esc(_entities_text(f))}</td></tr>"
        for f in r.findings)
    return ("<!doctype html><meta charset='utf-8'><title>dataguard report</title>"
            f"<h1>dataguard report</h1><p>Scan {esc(r.scan_id)} - {'complete' if r.complete else 'incomplete'} - "
            f"{len(r.findings)} findings, {r.stats['errors']} errors</p>"
            "<table border=1><tr><th>severity</th><th>rule</th><th>measure</th><th>location</th><th>entities</th></tr>"
            f"{rows}</table>\n")

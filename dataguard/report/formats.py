"""Output formats. Only ``Evidence.value`` is raw data, and it is emitted only with show_data."""
from __future__ import annotations

import csv
import html
import json
import re
import secrets
from collections import Counter
from typing import Optional, TextIO

from tabulate import tabulate

from dataguard import __version__
from dataguard.types import ScanResult, finding_to_dict
from dataguard.vocab import SEVERITIES, Severity

SCHEMA_VERSION = 1     # of the findings JSON; raised on any rename or removal (docs/SPEC.md)


def scan_dict(r: ScanResult) -> dict:
    return {
        "id": r.scan_id, "site": r.site.name, "site_kind": r.site.kind,
        "started_at": r.started_at, "finished_at": r.finished_at, "complete": r.complete, "key_id": r.key_id,
        "targets": [{"uri": t.uri, "status": t.status, "error": t.error, **({"info": t.info} if t.info else {})}
                    for t in r.targets],
        "rule_packs": r.rule_packs,
        "stats": r.stats,
    }


def _problem_dict(p) -> dict:
    if p.skipped:
        return {"uri": p.uri, "reason": p.kind, "message": p.message}
    return {"uri": p.uri, "kind": p.kind, "message": p.message}


def _head(r: ScanResult) -> dict:
    return {"schema_version": SCHEMA_VERSION, "tool": {"name": "dataguard", "version": __version__}, "scan": scan_dict(r)}


def to_dict(r: ScanResult, show_data: bool = False) -> dict:
    """The whole report as one dict (in memory: for tests and small results; the
    writers below stream)."""
    return {**_head(r),
            "findings": [finding_to_dict(f, show_data) for f in r.findings],
            "errors": [_problem_dict(p) for p in r.errors],
            "skipped": [_problem_dict(p) for p in r.skipped]}


def _write_doc(out: TextIO, doc: dict, arrays: dict, indent: Optional[int] = 2, ensure_ascii: bool = False) -> None:
    """Write ``doc`` as ``json.dumps(doc, indent=indent)`` would, where each value that is
    ``slots[name]`` stands for the array ``arrays[name]`` (an iterable of dicts), written one
    element at a time: a report's size never has to fit in memory."""
    text = json.dumps(doc, indent=indent, ensure_ascii=ensure_ascii)
    pos = 0
    for m in _SLOT.finditer(text):
        out.write(text[pos:m.start()])
        line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
        _json_array(out, arrays[m.group(1)], len(line) - len(line.lstrip(" ")), indent, ensure_ascii)
        pos = m.end()
    out.write(text[pos:] + "\n")


def _json_array(out: TextIO, items, depth: int, indent: Optional[int], ensure_ascii: bool) -> None:
    """``items`` as a JSON array laid out as ``json.dumps`` lays it out at ``depth`` spaces."""
    if indent is None:
        out.write("[")
        for i, d in enumerate(items):
            out.write((", " if i else "") + json.dumps(d, ensure_ascii=ensure_ascii))
        out.write("]")
        return
    pad, inner = " " * depth, " " * (depth + indent)
    first = True
    for d in items:
        body = json.dumps(d, indent=indent, ensure_ascii=ensure_ascii).replace("\n", "\n" + inner)
        out.write(("[\n" if first else ",\n") + inner + body)
        first = False
    out.write("[]" if first else "\n" + pad + "]")


# a placeholder value (never a real one: a per-process nonce, NUL characters) for _write_doc
_NONCE = secrets.token_hex(8)
_SLOT = re.compile(r'"\\u0000' + _NONCE + r':(\w+)\\u0000"')


def _slot(name: str) -> str:
    return f"\x00{_NONCE}:{name}\x00"


def write_json(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """The findings JSON (docs/SPEC.md), streamed: one finding in memory at a time."""
    _write_doc(out, {**_head(r), "findings": _slot("findings"), "errors": _slot("errors"), "skipped": _slot("skipped")},
               {"findings": (finding_to_dict(f, show_data) for f in r.findings),
                "errors": (_problem_dict(p) for p in r.errors),
                "skipped": (_problem_dict(p) for p in r.skipped)})


def write_jsonl(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """One finding per line, then one line with the scan, its errors and skipped items."""
    ident = {"site": r.site.name, "scan_id": r.scan_id}
    for f in r.findings:
        out.write(json.dumps({**finding_to_dict(f, show_data), **ident}, ensure_ascii=False) + "\n")
    _write_doc(out, {**_head(r), "errors": _slot("errors"), "skipped": _slot("skipped")},
               {"errors": (_problem_dict(p) for p in r.errors), "skipped": (_problem_dict(p) for p in r.skipped)},
               indent=None)


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


def identity_line(r: ScanResult) -> str:
    """Which scan this is: site, scan id, times, key id (table and HTML heads)."""
    return (f"site {r.site.name or '-'} ({r.site.kind or '-'}), scan {r.scan_id}, {r.started_at} - {r.finished_at}, "
            f"dataguard {__version__}, HMAC key id {r.key_id or '-'}")


def write_table(r: ScanResult, out: TextIO, show_data: bool = False, top: int = 20) -> None:
    """The terminal summary: counts by severity and measure, the top locations."""
    status = "complete" if r.complete else "INCOMPLETE"
    st = r.stats
    out.write(identity_line(r) + "\n")
    out.write(f"dataguard scan {status}: {st['items_scanned']} items scanned, {st['items_unchanged']} unchanged, "
              f"{st['items_skipped']} skipped, {st['errors']} errors, {len(r.findings)} findings "
              f"in {st['duration_s']:.1f}s\n")
    for t in r.targets:
        if t.status != "ok":
            out.write(f"  target {t.uri}: {t.status} - {t.error}\n")
    if r.findings:
        sev: Counter = Counter()
        meas: Counter = Counter()
        for f in r.findings:
            sev[f.severity] += 1
            meas[(f.measure, f.severity)] += 1
        out.write("\nBy severity\n")
        out.write(tabulate([[s, sev[s]] for s in reversed(SEVERITIES) if sev[s]], headers=["severity", "findings"]))
        rows = []
        for m in sorted({m for m, _ in meas}):
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


def write_csv(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    w = csv.writer(out)
    w.writerow(["fingerprint", "severity", "rule_id", "measure", "title", "uri", "member", "table", "column",
                "entities", "exposure", "status", "site", "scan_id", "key_id"])
    for f in r.findings:
        u = f.unit
        w.writerow([f.fingerprint, f.severity, f.rule_id, f.measure, f.title, u.uri, u.member or "",
                    u.table or "", u.column or "",
                    ";".join(f"{k}={v['count']}" for k, v in sorted(f.entities.items())), f.exposure or "",
                    f.status, r.site.name or "", r.scan_id, r.key_id or ""])


_SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
                Severity.INFO: "note"}


def _sarif_result(f) -> dict:
    region = {}
    first_line = next((e.pointer.line for e in f.evidence if e.pointer.line), None)
    if first_line:
        region = {"region": {"startLine": first_line}}
    return {
        "ruleId": f.rule_id, "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.title}: {_entities_text(f)}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": f.unit.uri}, **region}}],
        "partialFingerprints": {"dataguard/v1": f.fingerprint},
        "properties": {"severity": f.severity, "member": f.unit.member, "table": f.unit.table,
                       "column": f.unit.column},
    }


def write_sarif(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """SARIF 2.1.0: one result per finding (two passes over the findings: rules, then results)."""
    rules: dict = {}
    for f in r.findings:
        rules.setdefault(f.rule_id, {"id": f.rule_id, "shortDescription": {"text": f.title},
                                     "properties": {"measure": f.measure}})
    run = {"tool": {"driver": {"name": "dataguard", "version": __version__, "rules": list(rules.values())}},
           "results": _slot("results"), "properties": {"dataguard_scan": scan_dict(r)}}
    doc = {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": [run]}
    _write_doc(out, doc, {"results": (_sarif_result(f) for f in r.findings)}, ensure_ascii=True)


def write_html(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    esc = html.escape
    out.write("<!doctype html><meta charset='utf-8'><title>dataguard report</title>"
              f"<h1>dataguard report</h1><p>{esc(identity_line(r))} - {'complete' if r.complete else 'incomplete'} - "
              f"{len(r.findings)} findings, {r.stats['errors']} errors</p>"
              "<table border=1><tr><th>severity</th><th>rule</th><th>measure</th><th>location</th><th>entities</th></tr>")
    for f in r.findings:
        out.write(f"<tr><td>{esc(f.severity)}</td><td>{esc(f.rule_id)}</td><td>{esc(f.measure)}</td>"
                  f"<td>{esc(_where(f))}</td><td>{esc(_entities_text(f))}</td></tr>")
    out.write("</table>\n")

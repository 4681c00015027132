"""Output formats. Only ``Evidence.value`` and the names of ``ScanResult.unmasked`` are raw data, and
they are emitted only with show_data, and only in the JSON formats: the table, CSV, SARIF and HTML
never carry a raw value."""
from __future__ import annotations

import json
import re
import secrets
from typing import Optional, TextIO

from dataguard import __version__
from dataguard.report.view import Mapped, ReportDoc
from dataguard.types import ScanResult, finding_to_dict

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


def _for_json(r: ScanResult, show_data: bool) -> ScanResult:
    """What the JSON formats show of ``r``: with ``show_data``, its names as they are (when the
    scan kept them: a ``--show-data`` scan)."""
    return r.unmasked if show_data and r.unmasked is not None else r


def to_dict(r: ScanResult, show_data: bool = False) -> dict:
    """The whole report as one dict (in memory: for tests and small results; the
    writers below stream)."""
    r = _for_json(r, show_data)
    return {**_head(r),
            "findings": [finding_to_dict(f, show_data) for f in r.findings],
            "errors": [_problem_dict(p) for p in r.errors],
            "skipped": [_problem_dict(p) for p in r.skipped]}


def doc_of(r: ScanResult) -> ReportDoc:
    """The report of a scan just run as the human-facing writers read it (findings serialised
    lazily, without raw values)."""
    return ReportDoc(head=_head(r), findings=Mapped(finding_to_dict, r.findings),
                     errors=Mapped(_problem_dict, r.errors), skipped=Mapped(_problem_dict, r.skipped))


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
        body = _indented(d, indent, ensure_ascii).replace("\n", "\n" + inner)
        out.write(("[\n" if first else ",\n") + inner + body)
        first = False
    out.write("[]" if first else "\n" + pad + "]")


def _indented(d, indent: int, ensure_ascii: bool) -> str:
    """``json.dumps(d, indent=indent, ensure_ascii=ensure_ascii)``: by orjson where it writes the
    same layout (two spaces, non-ASCII as it is), five times faster than ``json``'s Python
    encoder, which is the one an indented dump takes (a 6 MB report: 0.2 s of every rescan).
    Numbers may be written otherwise (``1e-05`` as ``0.00001``: the same value; a NaN, which no
    report holds and JSON has not, as null). A lone surrogate (orjson refuses it), a key that is
    no string, or no orjson on the platform: ``json``, as before."""
    if indent == 2 and not ensure_ascii:
        try:
            import orjson
            return orjson.dumps(d, option=orjson.OPT_INDENT_2).decode("utf-8")
        except (TypeError, ImportError):
            pass
    return json.dumps(d, indent=indent, ensure_ascii=ensure_ascii)


# a placeholder value (never a real one: a per-process nonce, NUL characters) for _write_doc
_NONCE = secrets.token_hex(8)
_SLOT = re.compile(r'"\\u0000' + _NONCE + r':(\w+)\\u0000"')


def _slot(name: str) -> str:
    return f"\x00{_NONCE}:{name}\x00"


def write_json(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """The findings JSON (docs/SPEC.md), streamed: one finding in memory at a time."""
    r = _for_json(r, show_data)
    _write_doc(out, {**_head(r), "findings": _slot("findings"), "errors": _slot("errors"), "skipped": _slot("skipped")},
               {"findings": (finding_to_dict(f, show_data) for f in r.findings),
                "errors": (_problem_dict(p) for p in r.errors),
                "skipped": (_problem_dict(p) for p in r.skipped)})


def write_jsonl(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """One finding per line, then one line with the scan, its errors and skipped items."""
    r = _for_json(r, show_data)
    ident = {"site": r.site.name, "scan_id": r.scan_id}
    for f in r.findings:
        out.write(json.dumps({**finding_to_dict(f, show_data), **ident}, ensure_ascii=False) + "\n")
    _write_doc(out, {**_head(r), "errors": _slot("errors"), "skipped": _slot("skipped")},
               {"errors": (_problem_dict(p) for p in r.errors), "skipped": (_problem_dict(p) for p in r.skipped)},
               indent=None)


def write_table(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """The terminal summary (fits the terminal's width; see report.terminal)."""
    from dataguard.report.terminal import write_table_doc
    write_table_doc(doc_of(r), out)


def write_csv(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """One row per finding, spreadsheet-safe (see report.csvfile)."""
    from dataguard.report.csvfile import write_csv_doc
    write_csv_doc(doc_of(r), out)


def write_sarif(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """SARIF 2.1.0 (see report.sarif), streamed: rules and bases from a first pass over the
    findings, results written one at a time in a second."""
    from dataguard.report.sarif import sarif_document
    doc, arrays = sarif_document(doc_of(r), _slot)
    _write_doc(out, doc, arrays, ensure_ascii=True)


def write_html(r: ScanResult, out: TextIO, show_data: bool = False) -> None:
    """The self-contained HTML dashboard (see report.dashboard)."""
    from dataguard.report.dashboard import write_html_docs
    write_html_docs([doc_of(r)], out)

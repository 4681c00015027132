"""CSV: one row per finding, safe to open in a spreadsheet.

A cell a spreadsheet would run as a formula (one starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return: a file or archive-member name can) is neutralised as OWASP recommends: prefixed
with a single quote, so it is shown as text.
"""
from __future__ import annotations

import csv
from typing import TextIO

from dataguard.names import printable
from dataguard.report.view import ReportDoc, entities_text, first_pointer

COLUMNS = ("site", "scan_id", "severity", "measure", "rule_id", "title", "path", "member", "table", "column",
           "entities", "evidence", "remediation", "exposure", "owner", "uri", "fingerprint", "status")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, a leading formula character defused with a single quote, and control
    characters of names (ESC, BEL, CR, bidi overrides: ``names.printable``) shown as escapes, so
    that printing the file drives no terminal; line breaks and tabs stay (the CSV quoting holds them).
    A number (a KPI's count, days or share) is written as it is: ``-3`` is no formula."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    if not text.isprintable():
        text = "\n".join("\t".join(map(printable, line.split("\t"))) for line in text.split("\n"))
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(doc: ReportDoc, f: dict) -> list:
    loc = f.get("location") or {}
    return [doc.site, doc.scan.get("id"), f.get("severity"), f.get("measure"), f.get("rule_id"), f.get("title"),
            loc.get("path"), loc.get("member"), loc.get("table"), loc.get("column"),
            entities_text(f.get("entities") or {}, sep="; ", fmt="{k}={n}"), first_pointer(f), f.get("remediation"),
            f.get("exposure"), f.get("owner"), loc.get("uri"), f.get("fingerprint"), f.get("status", "open")]


def write_csv_doc(doc: ReportDoc, out: TextIO) -> None:
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for f in doc.findings:
        w.writerow([safe_cell(v) for v in _row(doc, f)])

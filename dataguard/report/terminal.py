"""The terminal summary: fits the terminal's width, never wraps, never lets a name from the
scanned data drive the terminal.

Every name (path, member, target, site, rule text) goes through ``printable``: control characters
(ESC, newline, bidi overrides, ...) are shown as escapes. Long paths are cut in the middle.
Colours only when writing to a terminal and ``NO_COLOR`` is not set.
"""
from __future__ import annotations

import os
import shutil
from collections import Counter
from typing import Optional, TextIO

from wcwidth import wcwidth

from dataguard.report.view import (SEVERITIES_DESC, ReportDoc, Summary, entities_text, location_text, printable,
                                   volume)

TOP = 10            # top locations shown
NAMES = 5           # unreadable items named before "and N more"
MIN_WIDTH = 40
_COLOURS = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": "2"}
ELLIPSIS = "..."


def _width(text: str) -> int:
    return sum(max(wcwidth(c), 0) for c in text)


def fit(text, width: int) -> str:
    """``printable(text)`` cut in the middle to at most ``width`` columns."""
    s = printable(text)
    if _width(s) <= width:
        return s
    if width <= len(ELLIPSIS):
        return ELLIPSIS[:max(width, 0)]
    room = width - len(ELLIPSIS)
    head, tail = _take(s, room - room // 2), _take(s[::-1], room // 2)[::-1]
    return head + ELLIPSIS + tail


def _take(s: str, width: int) -> str:
    used = 0
    for i, c in enumerate(s):
        used += max(wcwidth(c), 0)
        if used > width:
            return s[:i]
    return s


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def terminal_width() -> int:
    return max(shutil.get_terminal_size((80, 24)).columns, MIN_WIDTH)


class _Out:
    def __init__(self, out: TextIO, width: int, colour: bool):
        self.out, self.width, self.colour = out, width, colour

    def line(self, text: str = "", sev: Optional[str] = None) -> None:
        """One line, already printable; cut at the width, coloured by severity if asked."""
        text = text if _width(text) <= self.width else _take(text, self.width)
        if sev and self.colour and sev in _COLOURS:
            text = f"\x1b[{_COLOURS[sev]}m{text}\x1b[0m"
        self.out.write(text + "\n")


def _use_colour(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def write_table_doc(doc: ReportDoc, out: TextIO, width: Optional[int] = None, colour: Optional[bool] = None) -> None:
    o = _Out(out, max(width or terminal_width(), MIN_WIDTH), _use_colour(out) if colour is None else colour)
    summary = Summary(top=TOP).add_doc(doc)
    _head(o, doc, summary.total)
    if summary.total:
        _counts(o, summary)
        _top(o, summary)
    else:
        o.line()
        o.line("No findings.")
    _problems(o, doc)
    o.line()
    o.line(fit("See everything: --format json, or --format html -o report.html", o.width))


def _head(o: _Out, doc: ReportDoc, total: int) -> None:
    scan, st = doc.scan, doc.scan.get("stats") or {}
    status = "complete" if scan.get("complete") else "INCOMPLETE"
    o.line(fit(f"dataguard scan {status}: {doc.site or '(no site name)'}", o.width),
           None if scan.get("complete") else "high")
    o.line(fit(f"scan {scan.get('id')}", o.width))         # (whole in 80 columns: it ties the table to the JSON)
    # (two lines: in 80 columns the key id would cut the finishing time)
    o.line(fit(f"{scan.get('started_at', '')} to {scan.get('finished_at', '')}", o.width))
    o.line(fit(f"HMAC key id {doc.key_id or '-'}", o.width))
    o.line(fit(f"{st.get('items_scanned', 0)} items scanned, {st.get('items_unchanged', 0)} unchanged, "
               f"{st.get('items_skipped', 0)} skipped, {st.get('errors', 0)} errors, {total} findings "
               f"in {float(st.get('duration_s', 0)):.1f}s", o.width))
    for t in scan.get("targets") or ():
        if t.get("status") != "ok":
            o.line(fit(f"  target {printable(t.get('uri'))}: {t.get('status')} - {printable(t.get('error'))}",
                       o.width), "high")


def _counts(o: _Out, s: Summary) -> None:
    o.line()
    o.line("By severity: " + ", ".join(f"{sev} {s.by_severity[sev]}" for sev in SEVERITIES_DESC
                                       if s.by_severity[sev]))
    sevs = [sev for sev in SEVERITIES_DESC if s.by_severity[sev]]
    cols = [max(len(sev), 5) for sev in sevs]
    name_w = max(8, min(o.width - sum(c + 1 for c in cols), max(_width(printable(m)) for m in s.by_measure)))
    o.line()
    o.line("By critical measure")
    o.line(_pad("measure", name_w) + "".join(" " + _pad(sev, c, True) for sev, c in zip(sevs, cols)))
    for m in sorted(s.by_measure):
        counts = s.by_measure[m]
        o.line(_pad(fit(m or "-", name_w), name_w)
               + "".join(" " + _pad(str(counts[sev] or "."), c, True) for sev, c in zip(sevs, cols)))


def _top(o: _Out, s: Summary) -> None:
    top = s.top()
    o.line()
    o.line(fit(f"Top locations ({len(top)} of {s.total} findings: most severe, then most values)", o.width))
    rows = [(f.get("severity", ""), str(volume(f)), printable(f.get("rule_id")), f) for _, f in top]
    w_sev = max(len("severity"), *(len(r[0]) for r in rows))
    w_n = max(len("values"), *(len(r[1]) for r in rows))
    w_rule = min(max(len("rule"), *(_width(r[2]) for r in rows)), 16)
    w_loc = max(o.width - w_sev - w_n - w_rule - 3, 10)
    o.line(_pad("severity", w_sev) + " " + _pad("values", w_n, True) + " " + _pad("rule", w_rule) + " location")
    for sev, n, rule, f in rows:
        loc = location_text(f.get("location") or {})
        ents = entities_text(f.get("entities") or {}, fmt="{k}")
        text = f"{_pad(sev, w_sev)} {_pad(n, w_n, True)} {_pad(fit(rule, w_rule), w_rule)} {fit(loc, w_loc)}"
        o.line(text, sev)
        if ents:
            o.line(" " * (w_sev + w_n + w_rule + 3) + fit(ents, w_loc))


def _problems(o: _Out, doc: ReportDoc) -> None:
    shown, kinds, n = [], Counter(), 0
    for p in doc.errors:
        n += 1
        kinds[p.get("kind")] += 1
        if len(shown) < NAMES:
            shown.append(p)
    if n:
        o.line()
        o.line(fit(f"Could not read {n} item(s): " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items())),
                   o.width), "medium")
        roots = sorted(((t.get("uri") or "").rstrip("/") + "/" for t in doc.scan.get("targets") or ()), key=len)
        for p in shown:
            uri = p.get("uri") or ""
            uri = next((uri[len(r):] for r in reversed(roots) if uri.startswith(r) and len(uri) > len(r)), uri)
            o.line("  " + fit(uri, o.width - 5 - len(str(p.get("kind")))) + f" ({p.get('kind')})")
        if n > len(shown):
            o.line(f"  and {n - len(shown)} more")
    reasons = Counter(p.get("reason") or p.get("kind") for p in doc.skipped)
    if reasons:
        o.line()
        o.line(fit("Skipped: " + ", ".join(f"{k} {c}" for k, c in sorted(reasons.items())), o.width))

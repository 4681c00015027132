"""The HTML report's charts: SVG drawn by matplotlib (no network, no JavaScript), embedded as
``data:`` images so that each chart's styles and ids stay its own."""
from __future__ import annotations

import base64
import io
import warnings

from dataguard.report.view import SEVERITIES_DESC, Summary

COLOURS = {"critical": "#991b1b", "high": "#ea580c", "medium": "#ca8a04", "low": "#2563eb", "info": "#6b7280"}
COVERAGE = (("scanned", "items_scanned", "#16a34a"), ("unchanged", "items_unchanged", "#86efac"),
            ("skipped", "items_skipped", "#9ca3af"), ("errors", "errors", "#dc2626"))
MAX_BARS = 15          # measures or sites drawn; the rest are summed as "others"
_LABEL = 38            # characters of a label kept


def _label(text: str) -> str:
    text = text or "-"
    return text if len(text) <= _LABEL else text[:_LABEL - 3] + "..."


def _rc() -> dict:
    # text kept as text (the browser's fonts), no "$...$" maths in names, stable ids, no date
    return {"svg.fonttype": "none", "svg.hashsalt": "dataguard", "text.parse_math": False,
            "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}


def _data_uri(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": "dataguard"})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _axes(ax, xlabel: str, title: str, legend: bool) -> None:
    from matplotlib.ticker import MaxNLocator
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def _stacked(title: str, groups: dict, by_size: bool = True) -> str:
    """Horizontal bars, one per group (largest first, or in the given order), stacked by severity."""
    from matplotlib.figure import Figure
    names = sorted(groups, key=lambda g: -sum(groups[g].values())) if by_size else list(groups)
    if len(names) > MAX_BARS:
        rest = names[MAX_BARS - 1:]
        others: dict = {}
        for g in rest:
            for sev, n in groups[g].items():
                others[sev] = others.get(sev, 0) + n
        groups = {**{g: groups[g] for g in names[:MAX_BARS - 1]}, f"{len(rest)} others": others}
        names = names[:MAX_BARS - 1] + [f"{len(rest)} others"]
    fig = Figure(figsize=(6.4, 0.9 + 0.32 * max(len(names), 1)))
    ax = fig.subplots()
    left = [0] * len(names)
    ys = list(range(len(names)))[::-1]
    for sev in SEVERITIES_DESC:
        widths = [groups[g].get(sev, 0) for g in names]
        if any(widths):
            ax.barh(ys, widths, left=left, color=COLOURS[sev], label=sev)
            left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(ys, [_label(g) for g in names])
    _axes(ax, "findings", title, legend=by_size and bool(names))
    return _data_uri(fig)


def _coverage(stats_by_site: dict) -> str:
    from matplotlib.figure import Figure
    names = list(stats_by_site)[:MAX_BARS]
    fig = Figure(figsize=(6.4, 0.9 + 0.32 * max(len(names), 1)))
    ax = fig.subplots()
    ys = list(range(len(names)))[::-1]
    left = [0] * len(names)
    for label, key, colour in COVERAGE:
        widths = [int((stats_by_site[s] or {}).get(key) or 0) for s in names]
        ax.barh(ys, widths, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(ys, [_label(s) for s in names])
    _axes(ax, "items", "Coverage: items scanned, unchanged, skipped, errors", legend=True)
    return _data_uri(fig)


def charts(summary: Summary, stats_by_site: dict) -> list:
    """[(title, data URI)] of the dashboard's charts."""
    import matplotlib
    with matplotlib.rc_context(_rc()), warnings.catch_warnings():
        # the browser draws the text (svg.fonttype none): a glyph matplotlib's own font lacks
        # (Arabic, CJK site names) only makes its width estimate rough, not worth a warning
        warnings.simplefilter("ignore", UserWarning)
        return [("Findings by severity", _stacked("Findings by severity",
                                                  {s: {s: summary.by_severity[s]} for s in SEVERITIES_DESC
                                                   if summary.by_severity[s]}, by_size=False)),
                ("Findings by critical measure", _stacked("Findings by critical measure", summary.by_measure)),
                ("Findings by site", _stacked("Findings by site", summary.by_site)),
                ("Coverage", _coverage(stats_by_site))]

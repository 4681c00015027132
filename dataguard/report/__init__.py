"""Renderers: one per output format, each a pure function of a ScanResult."""
from __future__ import annotations

import os
import re
import tempfile
from typing import Callable

from dataguard.report.formats import (render_csv, render_html, render_json, render_jsonl, render_sarif,
                                      render_table, to_dict)

FORMATS: dict[str, Callable] = {
    "json": render_json,
    "jsonl": render_jsonl,
    "table": render_table,
    "csv": render_csv,
    "sarif": render_sarif,
    "html": render_html,
}


def render(result, fmt: str, show_data: bool = False) -> str:
    return FORMATS[fmt](result, show_data=show_data)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` via a 0600 temporary file in the same folder and rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".dataguard-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def prune_reports(latest: str, keep: int) -> list:
    """Delete the oldest reports of the series ``latest`` belongs to
    (``dataguard-<site>-<UTC stamp>.<ext>`` in its folder), keeping the newest ``keep``.
    Returns the deleted paths."""
    folder, name = os.path.split(os.path.abspath(latest))
    m = re.fullmatch(r"(dataguard-.*-)\d{8}T\d{6}Z(\.\w+)", name)
    if m is None or keep < 1:
        return []
    series = re.compile(re.escape(m.group(1)) + r"\d{8}T\d{6}Z" + re.escape(m.group(2)))
    names = sorted(n for n in os.listdir(folder) if series.fullmatch(n))   # the stamp sorts by time
    deleted = []
    for old in names[:-keep]:
        try:
            os.unlink(os.path.join(folder, old))
            deleted.append(os.path.join(folder, old))
        except OSError:
            pass
    return deleted


def schema_path() -> str:
    return os.path.join(os.path.dirname(__file__), "findings.schema.json")


__all__ = ["render", "write_atomic", "prune_reports", "to_dict", "FORMATS", "schema_path"]

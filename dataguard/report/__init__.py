"""Report writers: one per output format, each streams a ScanResult to a text file."""
from __future__ import annotations

import io
import os
import re
import tempfile
from typing import Callable, TextIO, Union

from dataguard.report.formats import (SCHEMA_VERSION, to_dict, write_csv, write_html, write_json, write_jsonl,
                                      write_sarif, write_table)
from dataguard.report.schema import schema_path
from dataguard.vocab import OutputFormat

FORMATS: dict[str, Callable] = {
    OutputFormat.JSON: write_json,
    OutputFormat.JSONL: write_jsonl,
    OutputFormat.TABLE: write_table,
    OutputFormat.CSV: write_csv,
    OutputFormat.SARIF: write_sarif,
    OutputFormat.HTML: write_html,
}


def write_report(result, fmt: str, out: TextIO, show_data: bool = False) -> None:
    """Write the report to ``out`` piece by piece: its size never has to fit in memory."""
    FORMATS[fmt](result, out, show_data=show_data)


def render(result, fmt: str, show_data: bool = False) -> str:
    """The report as one string (small results, tests)."""
    buf = io.StringIO()
    write_report(result, fmt, buf, show_data=show_data)
    return buf.getvalue()


def write_atomic(path: str, content: Union[str, Callable[[TextIO], None]]) -> None:
    """Write ``content`` (a string, or a function writing to the file it is given) to ``path``
    via a 0600 temporary file in the same folder, renamed over ``path`` once complete.
    A path that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO) is
    written to in place: renaming over it would replace the device with a file."""
    if os.path.exists(path) and not os.path.isfile(path):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            content(fh) if callable(content) else fh.write(content)
        return
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".dataguard-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if callable(content):
                content(fh)
            else:
                fh.write(content)
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


__all__ = ["render", "write_report", "write_atomic", "prune_reports", "to_dict", "FORMATS", "schema_path",
           "SCHEMA_VERSION"]

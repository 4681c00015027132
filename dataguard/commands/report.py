"""``dataguard report ...``: work with reports already written."""
from __future__ import annotations

import json
import sys

import click

from dataguard.commands.common import fail
from dataguard.vocab import FAIL_ON_CHOICES

FAIL_ON = list(FAIL_ON_CHOICES)


@click.group("report")
def report() -> None:
    """Work with written reports (JSON or JSONL)."""


@report.command("html")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False),
              help="The HTML page to write (atomically, mode 0600).")
def report_html(reports, output):
    """One self-contained HTML page over REPORT... (JSON or JSONL reports written by
    `dataguard scan`, of one or several sites): charts, a findings table to sort and filter,
    errors and skipped items. Exit 0 when written, 2 when a report cannot be read."""
    from dataguard.report import write_atomic
    from dataguard.report.dashboard import write_html_docs
    from dataguard.report.view import ReportFileError, load_doc
    try:
        docs = [load_doc(path) for path in reports]
    except ReportFileError as exc:
        fail(str(exc))
    try:
        write_atomic(output, lambda fh: write_html_docs(docs, fh))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
    click.echo(f"{output}: {len(docs)} report(s), "
               f"{sum(len(d.findings) for d in docs)} findings", err=True)


def show_diff(result: dict, fmt: str, fail_on: str) -> "NoReturn":  # noqa: F821
    """Print a diff and exit: 1 if it has new findings at or above ``fail_on``, else 0."""
    from dataguard.diff import new_at_or_above, render_table
    if fmt == "json":
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(render_table(result), nl=False)
    sys.exit(1 if new_at_or_above(result, fail_on) else 0)


@report.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, exists=True))
@click.argument("new", type=click.Path(dir_okay=False, exists=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Lowest severity of a new finding that makes the exit code 1.")
def report_diff(old, new, fmt, fail_on):
    """New, resolved and unchanged findings between two JSON reports of a site, by fingerprint.
    Findings of targets the NEW scan did not complete are 'not rescanned', never resolved.
    Exit 0: no new finding at or above --fail-on; 1: there are; 2: a report cannot be read."""
    from dataguard.diff import compact, diff_scans
    from dataguard.report.schema import parse_timestamp
    from dataguard.reportfile import ReportError, load_report
    try:
        a, b = load_report(old), load_report(new)
    except ReportError as exc:
        fail(str(exc))
    if a.scan["site"] != b.scan["site"]:
        click.echo(f"dataguard: note: the reports name different sites ({a.scan['site']!r}, {b.scan['site']!r})",
                   err=True)
    if parse_timestamp(b.scan["started_at"]) < parse_timestamp(a.scan["started_at"]):
        click.echo(f"dataguard: note: NEW ({new}) is a scan started before OLD's ({old}): what it lists as new "
                   f"and resolved is the other way round in time (give the older report first)", err=True)
    show_diff(diff_scans(a.scan, map(compact, a.doc["findings"]), b.scan, map(compact, b.doc["findings"])),
              fmt, fail_on)

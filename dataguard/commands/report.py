"""``dataguard report ...``: work with reports already written."""
from __future__ import annotations

import sys

import click

EXIT_USAGE = 2


def _fail(message: str) -> "NoReturn":  # noqa: F821
    click.echo(f"dataguard: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


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
        _fail(str(exc))
    try:
        write_atomic(output, lambda fh: write_html_docs(docs, fh))
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")
    click.echo(f"{output}: {len(docs)} report(s), "
               f"{sum(len(d.findings) for d in docs)} findings", err=True)

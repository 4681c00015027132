"""``dataguard baseline``: acceptance baselines."""
from __future__ import annotations

import datetime as dt

import click

from dataguard.commands.common import emit, fail


@click.group()
def baseline() -> None:
    """Acceptance baselines: reviewed lists of accepted findings."""


@baseline.command("create")
@click.argument("report", type=click.Path(dir_okay=False, exists=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the draft here (never overwrites).")
def baseline_create(report, output):
    """Draft a baseline from a JSON REPORT: every finding, with reason, owner and reviewer to
    fill in and an expiry date 90 days ahead. Keep only what you accept."""
    from dataguard.baseline import BaselineError, draft, write_draft
    from dataguard.reportfile import ReportError, load_report
    try:
        text = draft(load_report(report).doc, dt.datetime.now(dt.timezone.utc).date())
        if output:
            write_draft(output, text)
        else:
            emit(lambda out: out.write(text), None)
    except (ReportError, BaselineError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")

"""Command groups of the command line, each in its own module, added to ``dataguard.cli.main``;
and the one way a command reports an error and exits (``fail``)."""
from __future__ import annotations

import logging
import sys

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
log = logging.getLogger("dataguard")


def fail(message: str, code: int = EXIT_USAGE) -> "NoReturn":  # noqa: F821
    """The error as one ``dataguard: error:`` line on stderr (and in --log-file, once logging
    is set up: the stderr log handler leaves ``file_only`` records out), then exit."""
    if log.handlers:
        log.error("%s", message, extra={"file_only": True})
    click.echo(f"dataguard: error: {message}", err=True)
    sys.exit(code)

"""What the command groups share: one way to fail, one way to write output."""
from __future__ import annotations

import logging
import sys

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
log = logging.getLogger("dataguard")


def fail(message: str, code: int = EXIT_USAGE) -> "NoReturn":  # noqa: F821
    """The error as ``dataguard: error:`` lines on stderr, one per problem the message lists on
    its lines (a configuration file's several problems), and in --log-file once logging is set
    up (the stderr log handler leaves ``file_only`` records out); then exit."""
    for line in str(message).splitlines() or [""]:
        if log.handlers:
            log.error("%s", line, extra={"file_only": True})
        click.echo(f"dataguard: error: {line}", err=True)
    sys.exit(code)


def emit(write, output) -> None:
    """Run ``write(stream)`` onto stdout, or into ``output`` atomically (mode 0600)."""
    if output:
        from dataguard.report import write_atomic
        try:
            write_atomic(output, write)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror}")
    elif sys.stdout is None:        # (started with stdout closed: click.echo would drop it all)
        fail("standard output is closed: give --output FILE")
    else:
        write(_Stdout())


class _Stdout:
    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)

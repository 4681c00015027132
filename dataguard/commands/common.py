"""What the command groups share: one way to fail, one way to write output."""
from __future__ import annotations

import sys

import click


def fail(message: str, code: int = 2) -> "NoReturn":  # noqa: F821
    click.echo(f"dataguard: error: {message}", err=True)
    sys.exit(code)


def emit(write, output) -> None:
    """Run ``write(stream)`` onto stdout, or into ``output`` atomically (mode 0600)."""
    if output:
        from dataguard.report import write_atomic
        try:
            write_atomic(output, write)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror}")
    else:
        write(_Stdout())


class _Stdout:
    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)

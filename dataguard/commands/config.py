"""``dataguard config``: the site configuration file."""
from __future__ import annotations

import click

from dataguard.commands.common import EXIT_USAGE, fail


@click.group()
def config() -> None:
    """Work with site configuration files (dataguard.yaml)."""


@config.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
def config_check(path):
    """Check a site configuration without scanning: the file, its password variables, target
    URIs, HMAC key file, state and report places, rule packs and NLP model. Exit 0 if all is
    well, 2 otherwise (one line per problem)."""
    from dataguard.settings import check_config
    problems = check_config(path)
    if problems:
        for message in problems[:-1]:
            click.echo(f"dataguard: error: {message}", err=True)
        fail(problems[-1], EXIT_USAGE)
    click.echo(f"{path}: OK")

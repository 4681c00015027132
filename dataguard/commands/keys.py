"""``dataguard keys``: the keys dataguard uses."""
from __future__ import annotations

import click

from dataguard.commands import fail


@click.group()
def keys() -> None:
    """Create the keys dataguard uses."""


@keys.group()
def hmac() -> None:
    """The key of the value hashes (the same key at every site makes hashes comparable)."""


@hmac.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def hmac_create(path):
    """Write a new random HMAC key to PATH (mode 0600); never replaces an existing file.

    Use it with --hmac-key-file PATH, hmac_key_file in dataguard.yaml or DATAGUARD_HMAC_KEY_FILE.
    """
    from dataguard.hashing import create_key_file
    try:
        create_key_file(path)
    except FileExistsError:
        fail(f"{path} exists; a key is never replaced (remove it first if you mean to)")
    except OSError as exc:
        fail(f"cannot create {path}: {exc.strerror}")
    click.echo(f"HMAC key written to {path} (mode 0600)")

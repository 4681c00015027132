"""``dataguard keys``: site signing keys, report signatures and the HMAC key."""
from __future__ import annotations

import json
import sys

import click

from dataguard.commands.common import fail


@click.group()
def keys() -> None:
    """Site signing keys (Ed25519), report signatures and the HMAC key of the value hashes."""


@keys.command("create")
@click.option("--site", required=True, help="Site the key pair signs for (names the files).")
@click.option("--out-dir", default=".", show_default=True, type=click.Path(file_okay=False),
              help="Folder for SITE.key (private, mode 0600) and SITE.pub (public).")
def keys_create(site, out_dir):
    """Create a site's signing key pair. The private key stays at the site (scan --signing-key);
    the public key goes to Headquarters' trusted-keys file."""
    from dataguard.signing import SigningError, create_keypair
    try:
        priv, pub, key_id = create_keypair(site, out_dir)
    except (SigningError, OSError) as exc:
        fail(str(exc))
    click.echo(f"private key: {priv} (keep it at the site, mode 0600)\npublic key:  {pub}\nkey id:      {key_id}\n"
               f"Headquarters adds to its trusted-keys file:\n  {json.dumps(site)}: [{json.dumps(pub)}]")


@keys.command("verify")
@click.argument("report", type=click.Path(dir_okay=False, exists=True))
@click.option("--trusted-keys", required=True, envvar="DATAGUARD_TRUSTED_KEYS", type=click.Path(dir_okay=False),
              help="YAML: site name -> public key files.")
def keys_verify(report, trusted_keys):
    """Check REPORT's signature (REPORT.sig) against the keys trusted for the site it names:
    exit 0 if it verifies, 2 naming the problem otherwise."""
    from dataguard.reportfile import ReportError, load_report
    from dataguard.signing import SigningError, load_trusted_keys
    try:
        loaded = load_report(report, load_trusted_keys(trusted_keys))
    except (SigningError, ReportError) as exc:
        fail(str(exc))
    click.echo(f"{report}: signature OK (site {loaded.scan['site']!r}, key {loaded.signed_by})")
    sys.exit(0)


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

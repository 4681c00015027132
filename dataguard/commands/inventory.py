"""``dataguard inventory``: the findings database of all sites and scans."""
from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager

import click

from dataguard.commands.common import emit, fail
from dataguard.commands.report import FAIL_ON, show_diff
from dataguard.defaults import INVENTORY_DB as DEFAULT_DB, INVENTORY_DB_ENV as ENV_DB
from dataguard.vocab import FORMATS

_db = click.option("--db", default=DEFAULT_DB, envvar=ENV_DB, show_default=True,
                   help=f"SQLite file or PostgreSQL URL (postgresql://user@host/db; also ${ENV_DB}).")
_site = click.option("--site", help="Only this site.")
_as_of = click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]),
                      help="Judge acceptance expiry on this date (default: today, UTC).")


def _day(value) -> str:
    return (value.date() if value else dt.datetime.now(dt.timezone.utc).date()).isoformat()


@contextmanager
def _connected(db: str):
    from dataguard.inventory import InventoryError, open_inventory
    try:
        engine = open_inventory(db, create=False)
    except InventoryError as exc:
        fail(str(exc))
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@click.group()
def inventory() -> None:
    """The findings inventory: reports of many sites in one database, tracked over time."""


@inventory.command("ingest")
@click.argument("reports", nargs=-1, required=True, type=click.Path())     # (a folder: refused alone)
@_db
@click.option("--trusted-keys", envvar="DATAGUARD_TRUSTED_KEYS", type=click.Path(dir_okay=False),
              help="YAML: site name -> public key files. Then every report must carry a valid signature.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Acceptance baseline: replaces the acceptances of the site(s) it applies to.")
def inventory_ingest(reports, db, trusted_keys, baseline_path):
    """Load JSON REPORTS into the inventory, each in one transaction. A report already
    ingested changes nothing; a report that is unreadable, fails the schema or (with
    --trusted-keys) its signature adds nothing: one error line each, exit 2."""
    from dataguard.baseline import BaselineError, load_baseline
    from dataguard.inventory import InventoryError, ingest_report, open_inventory
    from dataguard.reportfile import ReportError, load_report
    from dataguard.signing import SigningError, load_trusted_keys
    try:
        trusted = load_trusted_keys(trusted_keys) if trusted_keys else None
        base = load_baseline(baseline_path) if baseline_path else None
        engine = open_inventory(db)
    except (SigningError, BaselineError, InventoryError) as exc:
        fail(str(exc))
    failed, seen = 0, set()
    try:
        for path in reports:
            try:
                loaded = load_report(path, trusted)
                # the baseline replaces a site's acceptances once: those of its reports before are kept
                outcome = ingest_report(engine, loaded, base, replace=(loaded.scan["site"] or "") not in seen)
            except (ReportError, InventoryError) as exc:
                click.echo(f"dataguard: error: {exc}", err=True)
                failed += 1
                continue
            s = loaded.scan
            seen.add(s["site"] or "")
            click.echo(f"{path}: {outcome} (site {s['site']!r}, scan {s['id']}, {len(loaded.doc['findings'])} "
                       f"findings{'' if s['complete'] else ', INCOMPLETE scan'})")
        _warn_mixed_keys(engine)
        if base is not None and base.site is not None and not any(site == base.site for site in seen):
            click.echo(f"dataguard: note: the baseline is for site {base.site!r}, which none of the reports "
                       "names: it was not applied", err=True)
    finally:
        engine.dispose()
    sys.exit(2 if failed else 0)


def _warn_mixed_keys(engine) -> None:
    """Value hashes are comparable across sites only under one HMAC key: say when they are not."""
    from dataguard.inventory.queries import key_ids
    with engine.connect() as conn:
        keys = key_ids(conn)
    if len(keys) > 1:
        listed = "; ".join(f"{k}: {', '.join(repr(s) for s in v)}" for k, v in sorted(keys.items()))
        click.echo(f"dataguard: note: the inventory holds reports hashed under {len(keys)} HMAC keys "
                   f"({listed}): value hashes are comparable only within one key", err=True)


@inventory.command("diff")
@click.option("--site", required=True, help="The site whose last two scans are compared.")
@_db
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="low", show_default=True,
              help="Lowest severity of a new finding that makes the exit code 1.")
def inventory_diff(site, db, fmt, fail_on):
    """New, resolved, unchanged and not rescanned findings between the site's last two scans
    (as `dataguard report diff` on their reports)."""
    from dataguard.inventory import InventoryError
    from dataguard.inventory.queries import site_diff
    with _connected(db) as conn:
        try:
            result = site_diff(conn, site)
        except InventoryError as exc:
            fail(str(exc))
    show_diff(result, fmt, fail_on)


@inventory.command("kpi")
@_db
@_site
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="new/resolved since this date (default: since the previous scan); trend from this date.")
@click.option("--last", default=5, show_default=True, type=click.IntRange(min=1), help="Scans in the trend.")
@_as_of
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (mode 0600).")
def inventory_kpi(db, site, since, last, as_of, fmt, output):
    """Key performance indicators per site and critical measure (definitions: README)."""
    from dataguard.inventory import InventoryError
    from dataguard.inventory.output import write_kpis
    from dataguard.inventory.queries import kpis
    with _connected(db) as conn:
        try:
            rows = kpis(conn, _day(as_of), site=site, since=since.date().isoformat() if since else None, last=last)
        except InventoryError as exc:
            fail(str(exc))
    emit(lambda out: write_kpis(rows, fmt, out), output)


@inventory.command("export")
@_db
@_site
@click.option("--status", type=click.Choice(["open", "accepted", "expired", "resolved"]), help="Only this status.")
@_as_of
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "sarif"]), default="json",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (mode 0600).")
def inventory_export(db, site, status, as_of, fmt, output):
    """Every tracked finding with its status, first/last seen and acceptance: CSV for a
    spreadsheet, JSON for a SIEM, SARIF for a vulnerability-management tool."""
    from dataguard.inventory import InventoryError
    from dataguard.inventory.output import write_export
    from dataguard.inventory.queries import check_site, export_rows
    with _connected(db) as conn:
        try:
            check_site(conn, site)
        except InventoryError as exc:
            fail(str(exc))
        emit(lambda out: write_export(export_rows(conn, _day(as_of), site=site, status=status), fmt, out), output)


@inventory.command("report")
@click.option("--site", "names", multiple=True,
              help="Site to show (repeatable; default: every site, which needs --format html).")
@_db
@_as_of
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
              help="Any report format; html is the same page as a scan's HTML report, over one or more sites.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (mode 0600).")
def inventory_report(names, db, as_of, fmt, output):
    """Each site's current picture as a report: its open, accepted and expired findings from
    all its scans (resolved ones left out) under the head of its latest scan."""
    from dataguard.inventory import InventoryError
    from dataguard.inventory.queries import sites
    from dataguard.inventory.view import site_view
    from dataguard.report import write_report
    from dataguard.report.dashboard import write_html_docs
    from dataguard.report.formats import doc_of
    with _connected(db) as conn:
        names = list(names) or sites(conn)
        if fmt != "html" and len(names) != 1:
            fail(f"--format {fmt} shows one site: name it with --site (HTML can show several)")
        try:
            results = [site_view(conn, name, _day(as_of)) for name in names]
        except InventoryError as exc:
            fail(str(exc))
    if fmt == "html":
        emit(lambda out: write_html_docs([doc_of(r) for r in results], out), output)
    else:
        emit(lambda out: write_report(results[0], fmt, out), output)

"""Loading reports into the inventory: one transaction per report, idempotent.

Tracking, per site and fingerprint, in the order of the site's scans (start time, end
time, then ingest order):

- a finding a scan reports is ``open``: first seen by its first scan, last seen by its latest;
- an open finding a later **complete** scan does not report, on a target that scan covered
  (status ``ok``), becomes ``resolved`` by that scan; an incomplete scan resolves nothing;
- a resolved finding reported again is open again (its first-seen time is kept).

A report older than the site's newest scan makes the site's tracking be replayed from its
stored observations, so the order of ingestion does not matter. A report whose scan ends
before it starts, or starts more than ``MAX_CLOCK_AHEAD`` after this host's clock, is refused:
it would be the site's newest scan for good.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Optional

from sqlalchemy import and_, delete, exists, insert, literal, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import Integer, String

from dataguard.diff import covered_targets
from dataguard.inventory.db import InventoryError
from dataguard.inventory.schema import acceptances, findings, observations, scans
from dataguard.report.schema import TIMESTAMP, parse_timestamp

BATCH = 5000
MAX_CLOCK_AHEAD = dt.timedelta(hours=24)     # a site's clock may be this far ahead of this host's


def ingest_report(engine, report, baseline=None, now: Optional[str] = None, replace: bool = True) -> str:
    """Ingest one ``reportfile.LoadedReport``. Returns "ingested" or "already ingested".
    ``baseline``: a ``baseline.Baseline`` whose acceptances replace the site's (only when it
    names no site or the report's site); ``replace=False``: they were replaced already by this
    ingest of several reports, and the acceptances the reports before carried are kept."""
    scan = report.scan
    site = scan["site"] or ""
    now = now or dt.datetime.now(dt.timezone.utc).strftime(TIMESTAMP)
    check_times(report, now)
    try:
        with engine.begin() as conn:
            _lock_site(conn, site)
            row = conn.execute(select(scans.c.report_sha256).where(scans.c.scan_id == scan["id"])).first()
            if row is not None and row.report_sha256 != report.sha256:
                raise InventoryError(f"{report.path}: scan {scan['id']} is already in the inventory "
                                     "from a different report")
            carried = {f["fingerprint"]: f["acceptance"] for f in report.doc["findings"] if f.get("acceptance")}
            if baseline is not None and baseline.site in (None, site):
                # acceptances are read with the findings, not tracked: the site's list is replaced,
                # and those the report carries (scanned with a baseline) are added, as when it was first
                # ingested: re-ingesting a report with a reviewed baseline gives what ingesting both does
                if replace:
                    conn.execute(delete(acceptances).where(acceptances.c.site == site))
                    _put_acceptances(conn, site, {a.fingerprint: a.as_dict() for a in baseline.accepted})
                if row is not None:
                    _put_acceptances(conn, site, carried)
            if row is not None:
                return "already ingested"
            pk = _insert_scan(conn, report, site, now)
            _insert_observations(conn, pk, report.doc["findings"])
            _put_acceptances(conn, site, carried)
            if _is_newest(conn, pk, site, scan):
                apply_scan(conn, pk, site, scan["started_at"], covered_targets(scan))
            else:
                replay_site(conn, site)
    # e.g. the same scan id under another site, a number the database cannot hold: the report adds nothing
    except (SQLAlchemyError, OverflowError, engine.dialect.dbapi.Error) as exc:
        raise InventoryError(f"{report.path}: the inventory database refused the report "
                             f"({type(getattr(exc, 'orig', None) or exc).__name__})") from None
    return "ingested"


def check_times(report, now: str) -> None:
    """InventoryError when the report's scan finished before it started, or started more than
    ``MAX_CLOCK_AHEAD`` after ``now`` (this host's time)."""
    started, finished = (parse_timestamp(report.scan[k]) for k in ("started_at", "finished_at"))
    if finished < started:
        raise InventoryError(f"{report.path}: scan finished_at is before its started_at: refused")
    if started - parse_timestamp(now) > MAX_CLOCK_AHEAD:
        raise InventoryError(f"{report.path}: scan started_at {report.scan['started_at']} is more than "
                             f"{MAX_CLOCK_AHEAD.total_seconds() / 3600:.0f} hours after this host's clock "
                             f"({now}): refused (is the site's clock wrong?)")


def _lock_site(conn, site: str) -> None:
    """Serialise ingests of one site (PostgreSQL: a transaction-scoped advisory lock; SQLite
    allows one writer at a time anyway)."""
    if conn.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"dataguard-site\0" + site.encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _insert_scan(conn, report, site: str, now: str) -> int:
    scan, st = report.scan, report.scan["stats"]
    res = conn.execute(insert(scans).values(
        scan_id=scan["id"], site=site, site_kind=scan["site_kind"], started_at=scan["started_at"],
        finished_at=scan["finished_at"], complete=scan["complete"], tool_version=report.doc["tool"]["version"],
        key_id=scan.get("key_id"), signed_by=report.signed_by, report_sha256=report.sha256,
        targets=json.dumps([{k: t.get(k) for k in ("uri", "status", "error")} for t in scan["targets"]]),
        rule_packs=json.dumps(scan["rule_packs"]), stats=json.dumps(st), items_scanned=st["items_scanned"],
        items_unchanged=st["items_unchanged"], items_skipped=st["items_skipped"], errors=len(report.doc["errors"]),
        findings=len(report.doc["findings"]), ingested_at=now))
    return res.inserted_primary_key[0]


_OBS_COLUMNS = [c.name for c in observations.columns]


def _observation(pk: int, f: dict) -> tuple:
    """One observations row, in the order of ``_OBS_COLUMNS``."""
    from dataguard.report.view import location_text
    detail = f
    if any("value" in e for e in f["evidence"]):    # never keep a raw value (a --show-data report)
        detail = {**f, "evidence": [{k: v for k, v in e.items() if k != "value"} for e in f["evidence"]]}
    loc = f["location"]
    return (pk, f["fingerprint"], loc["target"], f["severity"], f["rule_id"], f["measure"], location_text(loc),
            f.get("exposure"), f.get("status", "open"), json.dumps(detail, ensure_ascii=False, separators=(",", ":")))


def _insert_observations(conn, pk: int, items: list) -> None:
    """Bulk insert through the driver, in the connection's transaction: COPY on PostgreSQL,
    executemany in batches on SQLite (statement by statement through SQLAlchemy costs
    several times more per row)."""
    cursor = conn.connection.driver_connection.cursor()
    names = ", ".join(_OBS_COLUMNS)
    if conn.dialect.name == "postgresql":
        with cursor.copy(f"COPY {observations.name} ({names}) FROM STDIN") as copy:
            for f in items:
                copy.write_row(_observation(pk, f))
        return
    sql = f"INSERT INTO {observations.name} ({names}) VALUES ({', '.join('?' * len(_OBS_COLUMNS))})"
    for i in range(0, len(items), BATCH):
        cursor.executemany(sql, [_observation(pk, f) for f in items[i:i + BATCH]])


def _put_acceptances(conn, site: str, accepted: dict) -> None:
    """Insert or replace the site's acceptances of these fingerprints."""
    fps = list(accepted)
    for i in range(0, len(fps), BATCH):
        chunk = fps[i:i + BATCH]
        conn.execute(delete(acceptances).where(acceptances.c.site == site, acceptances.c.fingerprint.in_(chunk)))
        conn.execute(insert(acceptances), [{"site": site, "fingerprint": fp, **accepted[fp]} for fp in chunk])


def _is_newest(conn, pk: int, site: str, scan: dict) -> bool:
    s = scans.c
    later = conn.execute(select(s.id).where(
        s.site == site, s.id != pk,
        or_(s.started_at > scan["started_at"],
            and_(s.started_at == scan["started_at"], s.finished_at > scan["finished_at"]))).limit(1)).first()
    return later is None


def apply_scan(conn, pk: int, site: str, started_at: str, covered: set) -> None:
    """Update the site's tracked findings with scan ``pk`` (newer than every scan applied before)."""
    o, f = observations, findings
    same = {c: getattr(o.c, c) for c in ("target", "severity", "rule_id", "measure", "location", "exposure")}
    conn.execute(update(f).where(f.c.site == site, f.c.fingerprint == o.c.fingerprint, o.c.scan_pk == pk)
                 .values(**same, last_seen=started_at, last_scan=pk, status="open", resolved_at=None,
                         resolved_scan=None))
    stamp, scan_no = literal(started_at, String), literal(pk, Integer)
    fresh = select(literal(site, String), o.c.fingerprint, *same.values(), stamp, stamp, scan_no, scan_no,
                   literal("open", String)).where(
        o.c.scan_pk == pk, ~exists().where(f.c.site == site, f.c.fingerprint == o.c.fingerprint))
    conn.execute(insert(f).from_select(["site", "fingerprint", *same, "first_seen", "last_seen", "first_scan",
                                        "last_scan", "status"], fresh))
    if covered:
        conn.execute(update(f).where(f.c.site == site, f.c.status == "open", f.c.last_scan != pk,
                                     f.c.target.in_(sorted(covered)))
                     .values(status="resolved", resolved_at=started_at, resolved_scan=pk))


def site_scans(conn, site: str, columns=None) -> list:
    """The site's scans, oldest first."""
    s = scans.c
    cols = columns or [s.id, s.scan_id, s.site, s.started_at, s.finished_at, s.complete, s.targets]
    return conn.execute(select(*cols).where(s.site == site).order_by(s.started_at, s.finished_at, s.id)).all()


def scan_dict(row) -> dict:
    """A stored scan as the head of a report (what diff and tracking read)."""
    return {"id": row.scan_id, "site": getattr(row, "site", None), "started_at": row.started_at,
            "finished_at": row.finished_at, "complete": bool(row.complete), "targets": json.loads(row.targets)}


def replay_site(conn, site: str) -> None:
    """Rebuild the site's tracked findings from its stored observations, scan by scan."""
    conn.execute(delete(findings).where(findings.c.site == site))
    for row in site_scans(conn, site):
        apply_scan(conn, row.id, site, row.started_at, covered_targets(scan_dict(row)))

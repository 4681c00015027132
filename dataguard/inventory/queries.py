"""Reading the inventory: a site's diff, the KPIs, the export rows.

The status a reader sees is the tracked one (``open``/``resolved``) combined with the site's
acceptances on the reference date ``as_of``: an open finding with an acceptance is
``accepted`` up to and including its expiry date, ``expired`` after it (and counted as open).
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Iterator, Optional

from sqlalchemy import and_, case, func, select

from dataguard.diff import diff_scans
from dataguard.inventory.db import InventoryError
from dataguard.inventory.ingest import scan_dict, site_scans
from dataguard.inventory.schema import acceptances, findings, observations, scans
from dataguard.vocab import SEVERITIES, Exposure

OPEN = ("open", "expired")
ALL_MEASURES = "ALL"


def _status(as_of: str):
    f, a = findings.c, acceptances.c
    return case((f.status == "resolved", "resolved"), (a.expires.is_(None), "open"),
                (a.expires >= as_of, "accepted"), else_="expired")


def _tracked():
    f, a = findings.c, acceptances.c
    return findings.outerjoin(acceptances, and_(a.site == f.site, a.fingerprint == f.fingerprint))


def key_ids(conn) -> dict:
    """HMAC key id -> sites whose reports use it (reports without a key id left out)."""
    out: dict = defaultdict(list)
    for key, site in conn.execute(select(scans.c.key_id, scans.c.site).distinct()
                                  .where(scans.c.key_id.is_not(None)).order_by(scans.c.site)):
        out[key].append(site)
    return dict(out)


def sites(conn) -> list:
    return [r[0] for r in conn.execute(select(scans.c.site).distinct().order_by(scans.c.site))]


def _observed(conn, pk: int) -> list:
    o = observations.c
    rows = conn.execute(select(o.fingerprint, o.severity, o.rule_id, o.measure, o.target, o.location, o.status)
                        .where(o.scan_pk == pk))
    return [dict(r._mapping) for r in rows]


def site_diff(conn, site: str) -> dict:
    """New, resolved, unchanged and not rescanned findings between the site's last two scans."""
    runs = site_scans(conn, site)
    if len(runs) < 2:
        raise InventoryError(f"site {site!r} has {len(runs)} scan(s) in the inventory: a diff needs two")
    old, new = runs[-2], runs[-1]
    return diff_scans(scan_dict(old), _observed(conn, old.id), scan_dict(new), _observed(conn, new.id))


# ------------------------------------------------------------------------------------ KPIs
def _blank(site: str, measure: str) -> dict:
    row = {"site": site, "measure": measure}
    row.update({f"open_{s}": 0 for s in reversed(SEVERITIES)})
    row.update({"open_total": 0, "new": 0, "resolved": 0, "oldest_open_critical_days": None,
                "items_scanned": None, "items_failed": None, "coverage": None, "broad_open_share": None,
                "accepted": 0, "expired": 0, "trend": []})
    return row


def _state_counts(conn, site: str, as_of: str, rows) -> None:
    f = findings.c
    t = (select(f.measure, f.severity, _status(as_of).label("st"), f.exposure, f.first_seen)
         .select_from(_tracked()).where(f.site == site).subquery())
    is_broad = (t.c.exposure == Exposure.BROAD.value).label("broad")
    q = (select(t.c.measure, t.c.severity, t.c.st, is_broad, func.count().label("n"),
                func.min(t.c.first_seen).label("first")).group_by(t.c.measure, t.c.severity, t.c.st, t.c.exposure))
    broad: Counter = Counter()
    oldest: dict = {}
    day = dt.date.fromisoformat(as_of)
    for r in conn.execute(q):
        for m in (r.measure, ALL_MEASURES):
            row = rows[m]
            if r.st in ("accepted", "expired"):
                row[r.st] += r.n
            if r.st in OPEN:
                row[f"open_{r.severity}"] += r.n
                row["open_total"] += r.n
                broad[m] += r.n if r.broad else 0
                first = _date(r.first)
                # (one first seen after the as-of date has no age on it: left out, never negative)
                if r.severity == "critical" and first is not None and first <= day:
                    oldest[m] = min(oldest.get(m, first), first)
    for m, row in rows.items():
        if row["open_total"]:
            row["broad_open_share"] = round(broad[m] / row["open_total"], 4)
        if m in oldest:
            row["oldest_open_critical_days"] = (day - oldest[m]).days


def _date(stamp: str) -> Optional[dt.date]:
    """The date of a stored time; None for one that is no real date (an inventory that took in
    such a report before ingest refused them): left out of the KPIs rather than failing them."""
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _changes(conn, site: str, latest: int, since: Optional[str], rows) -> None:
    """new: first seen by the site's latest scan (or, with ``since``, by a scan started since
    that date); resolved: resolved by the latest scan (or by a scan started since the date)."""
    f = findings.c
    if since is None:
        windows = {"new": f.first_scan == latest, "resolved": f.resolved_scan == latest}
    else:
        windows = {"new": f.first_seen >= since, "resolved": and_(f.status == "resolved", f.resolved_at >= since)}
    for key, cond in windows.items():
        for measure, n in conn.execute(select(f.measure, func.count()).where(f.site == site, cond)
                                       .group_by(f.measure)):
            rows[measure][key] += n
            rows[ALL_MEASURES][key] += n


def _trend(conn, runs: list, rows) -> None:
    o = observations.c
    by_scan = defaultdict(Counter)
    pks = [r.id for r in runs]
    for pk, measure, n in conn.execute(select(o.scan_pk, o.measure, func.count()).where(o.scan_pk.in_(pks))
                                       .group_by(o.scan_pk, o.measure)):
        by_scan[pk][measure] += n
        by_scan[pk][ALL_MEASURES] += n
    for m, row in rows.items():
        row["trend"] = [{"scan_id": r.scan_id, "started_at": r.started_at, "complete": bool(r.complete),
                         "findings": by_scan[r.id][m]} for r in runs]


def site_kpis(conn, site: str, as_of: str, since: Optional[str] = None, last: int = 5) -> list:
    """One row per critical measure of the site, then the site's ``ALL`` row."""
    s = scans.c
    runs = site_scans(conn, site, [s.id, s.scan_id, s.site, s.started_at, s.finished_at, s.complete, s.targets,
                                   s.items_scanned, s.items_unchanged, s.errors])
    if not runs:
        return []
    rows = _Rows(site)
    _state_counts(conn, site, as_of, rows)
    _changes(conn, site, runs[-1].id, since, rows)
    window = [r for r in runs if since is None or r.started_at >= since][-last:]
    _trend(conn, window, rows)
    latest = rows[ALL_MEASURES]
    items = runs[-1].items_scanned + runs[-1].items_unchanged
    latest.update(items_scanned=items, items_failed=runs[-1].errors,
                  coverage=round(items / (items + runs[-1].errors), 4) if items + runs[-1].errors else None)
    return [rows[m] for m in sorted(rows) if m != ALL_MEASURES] + [latest]


class _Rows(dict):
    """measure -> KPI row, created on first use."""

    def __init__(self, site: str):
        super().__init__()
        self.site = site
        self[ALL_MEASURES] = _blank(site, ALL_MEASURES)

    def __missing__(self, measure: str) -> dict:
        self[measure] = _blank(self.site, measure)
        return self[measure]


def check_site(conn, site: Optional[str]) -> list:
    """The inventory's sites; InventoryError when ``site`` is given and is not one of them (a
    misspelt site would read as a site without findings)."""
    known = sites(conn)
    if site is not None and site not in known:
        raise InventoryError(f"site {site!r} has no scan in the inventory")
    return known


def kpis(conn, as_of: str, site: Optional[str] = None, since: Optional[str] = None, last: int = 5) -> list:
    known = check_site(conn, site)
    names = [site] if site is not None else known
    return [row for name in names for row in site_kpis(conn, name, as_of, since, last)]


# ---------------------------------------------------------------------------------- export
def tracked_rows(conn, as_of: str, site: Optional[str] = None, status: Optional[str] = None) -> Iterator[dict]:
    """The tracked findings with their status, acceptance and ``detail`` (the finding as its
    latest report gave it), one at a time."""
    f, a, o = findings.c, acceptances.c, observations.c
    st = _status(as_of).label("status")
    latest = {name: site_scans(conn, name, [scans.c.id])[-1].id for name in sites(conn)}
    q = (select(f.site, f.fingerprint, st, f.severity, f.rule_id, f.measure, f.target, f.location, f.exposure,
                f.first_seen, f.last_seen, f.resolved_at, f.first_scan, a.reason, a.owner, a.reviewer, a.expires,
                o.detail)
         .select_from(_tracked().join(observations, and_(o.scan_pk == f.last_scan, o.fingerprint == f.fingerprint)))
         .order_by(f.site, f.fingerprint))
    if site is not None:
        q = q.where(f.site == site)
    if status is not None:
        q = q.where(st == status)
    for r in conn.execution_options(yield_per=2000).execute(q):
        d = dict(r._mapping)
        d["first_in_latest_scan"] = d.pop("first_scan") == latest[d["site"]]
        d["detail"] = json.loads(d["detail"])
        acc = {k: d.pop(k) for k in ("reason", "owner", "reviewer", "expires")}
        d["acceptance"] = acc if acc["expires"] else None
        yield d


def export_rows(conn, as_of: str, site: Optional[str] = None, status: Optional[str] = None) -> Iterator[dict]:
    """The export form of ``tracked_rows``: with the finding's title, entities, masked
    evidence, URI, path and source instead of its whole detail."""
    for d in tracked_rows(conn, as_of, site, status):
        detail = d.pop("detail")
        loc = detail["location"]
        d.update(title=detail["title"], entities=detail["entities"], evidence=detail["evidence"],
                 uri=loc["uri"], path=loc["path"], source=loc.get("source"))
        yield d

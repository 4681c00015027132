"""A site's current picture as a report: its tracked findings that are not resolved (open,
accepted, expired), under the head of its latest scan, so that every report writer (table,
JSON, CSV, SARIF, HTML) can show the inventory."""
from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select

from dataguard.inventory.db import InventoryError
from dataguard.inventory.queries import tracked_rows
from dataguard.inventory.schema import scans
from dataguard.types import ScanResult, Site, TargetStatus, finding_from_dict
from dataguard.vocab import severity_rank


def site_view(conn, site: str, as_of: str) -> ScanResult:
    s = scans.c
    head = conn.execute(select(s.scan_id, s.site_kind, s.started_at, s.finished_at, s.complete, s.targets,
                               s.rule_packs, s.stats, s.key_id).where(s.site == site)
                        .order_by(s.started_at.desc(), s.finished_at.desc(), s.id.desc()).limit(1)).first()
    if head is None:
        raise InventoryError(f"site {site!r} has no scan in the inventory")
    findings = []
    for row in tracked_rows(conn, as_of, site=site):
        if row["status"] != "resolved":
            f = finding_from_dict(row["detail"])
            findings.append(dataclasses.replace(f, status=row["status"], acceptance=row["acceptance"]))
    findings.sort(key=lambda f: (-severity_rank(f.severity), f.unit.uri, f.unit.member or "", f.rule_id))
    return ScanResult(scan_id=head.scan_id, site=Site(name=site, kind=head.site_kind), started_at=head.started_at,
                      finished_at=head.finished_at, complete=bool(head.complete),
                      targets=[TargetStatus(uri=t["uri"], status=t["status"], error=t["error"])
                               for t in json.loads(head.targets)],
                      rule_packs=json.loads(head.rule_packs), stats=json.loads(head.stats), findings=findings,
                      errors=[], skipped=[], key_id=head.key_id)

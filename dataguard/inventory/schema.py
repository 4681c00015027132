"""The inventory's tables (SQLAlchemy Core), one schema for SQLite and PostgreSQL.

This module describes the schema at the newest migration (``migrations/versions``); the
database is created and upgraded by those migrations, never by ``create_all``.

- ``scans``: one row per ingested report (its head, SHA-256 and signing key).
- ``observations``: one row per finding per scan (what each report said).
- ``findings``: one row per site and fingerprint, tracked across scans: first/last seen,
  ``open`` or ``resolved`` (by which scan).
- ``acceptances``: the accepted findings of each site (from baselines and from reports
  scanned with ``--baseline``); a finding is ``accepted`` or ``expired`` when read.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

SITE = Text               # free text in reports: no length limit, the same on both databases
FP = String(128)
STAMP = String(20)          # ISO 8601 UTC, second resolution: sorts as text

scans = Table(
    "scans", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", Text, nullable=False, unique=True),
    Column("site", SITE, nullable=False),
    Column("site_kind", String(10)),
    Column("started_at", STAMP, nullable=False),
    Column("finished_at", STAMP, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("tool_version", Text, nullable=False),
    Column("key_id", String(32)),
    Column("signed_by", String(32)),
    Column("report_sha256", String(64), nullable=False),
    Column("targets", Text, nullable=False),          # JSON: [{uri, status, error}]
    Column("rule_packs", Text, nullable=False),       # JSON
    Column("stats", Text, nullable=False),            # JSON: the report's scan.stats
    Column("items_scanned", Integer, nullable=False),
    Column("items_unchanged", Integer, nullable=False),
    Column("items_skipped", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("ingested_at", STAMP, nullable=False),
    Index("ix_scans_site_order", "site", "started_at", "finished_at", "id"),
)

def _what_and_where() -> list:
    """The columns that say what a finding is and where (an observation and a tracked finding
    both carry them; a Column belongs to one table, so each gets its own)."""
    return [Column("target", Text, nullable=False), Column("severity", String(10), nullable=False),
            Column("rule_id", Text, nullable=False), Column("measure", Text, nullable=False),
            Column("location", Text, nullable=False), Column("exposure", String(12))]


observations = Table(
    "observations", metadata,
    Column("scan_pk", Integer, primary_key=True),
    Column("fingerprint", FP, primary_key=True),
    *_what_and_where(),
    Column("status", String(10), nullable=False),     # as the report said: open | accepted | expired
    Column("detail", Text, nullable=False),           # the finding as JSON (never a raw value)
)

findings = Table(
    "findings", metadata,
    Column("site", SITE, primary_key=True),
    Column("fingerprint", FP, primary_key=True),
    *_what_and_where(),
    Column("first_seen", STAMP, nullable=False),
    Column("last_seen", STAMP, nullable=False),
    Column("first_scan", Integer, nullable=False),
    Column("last_scan", Integer, nullable=False),
    Column("status", String(10), nullable=False),     # open | resolved
    Column("resolved_at", STAMP),
    Column("resolved_scan", Integer),
    Index("ix_findings_site_status", "site", "status", "measure"),
    Index("ix_findings_site_target", "site", "target"),
)

acceptances = Table(
    "acceptances", metadata,
    Column("site", SITE, primary_key=True),
    Column("fingerprint", FP, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("expires", String(10), nullable=False),    # ISO date, accepted up to and including it
)

"""The first inventory schema: scans, observations, tracked findings, acceptances.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _cols(*specs):
    """(name, type, nullable[, primary key]) -> Columns."""
    return [sa.Column(s[0], s[1], nullable=s[2], primary_key=bool(s[3:] and s[3])) for s in specs]


def upgrade() -> None:
    site, fp, stamp, text = sa.Text(), sa.String(128), sa.String(20), sa.Text()
    op.create_table("scans", sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True), *_cols(
        ("scan_id", text, False), ("site", site, False), ("site_kind", sa.String(10), True),
        ("started_at", stamp, False), ("finished_at", stamp, False), ("complete", sa.Boolean(), False),
        ("tool_version", text, False), ("key_id", sa.String(32), True), ("signed_by", sa.String(32), True),
        ("report_sha256", sa.String(64), False), ("targets", text, False), ("rule_packs", text, False),
        ("stats", text, False), ("items_scanned", sa.Integer(), False), ("items_unchanged", sa.Integer(), False),
        ("items_skipped", sa.Integer(), False), ("errors", sa.Integer(), False), ("findings", sa.Integer(), False),
        ("ingested_at", stamp, False)), sa.UniqueConstraint("scan_id"))
    op.create_index("ix_scans_site_order", "scans", ["site", "started_at", "finished_at", "id"])
    finding_cols = (("target", text, False), ("severity", sa.String(10), False), ("rule_id", text, False),
                    ("measure", text, False), ("location", text, False), ("exposure", sa.String(12), True))
    op.create_table("observations", *_cols(("scan_pk", sa.Integer(), False, True), ("fingerprint", fp, False, True),
                                           *finding_cols, ("status", sa.String(10), False), ("detail", text, False)))
    op.create_table("findings", *_cols(
        ("site", site, False, True), ("fingerprint", fp, False, True), *finding_cols,
        ("first_seen", stamp, False), ("last_seen", stamp, False), ("first_scan", sa.Integer(), False),
        ("last_scan", sa.Integer(), False), ("status", sa.String(10), False), ("resolved_at", stamp, True),
        ("resolved_scan", sa.Integer(), True)))
    op.create_index("ix_findings_site_status", "findings", ["site", "status", "measure"])
    op.create_index("ix_findings_site_target", "findings", ["site", "target"])
    op.create_table("acceptances", *_cols(
        ("site", site, False, True), ("fingerprint", fp, False, True), ("reason", text, False),
        ("owner", text, False), ("reviewer", text, False), ("expires", sa.String(10), False)))


def downgrade() -> None:
    for name in ("acceptances", "findings", "observations", "scans"):
        op.drop_table(name)

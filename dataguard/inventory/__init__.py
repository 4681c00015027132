"""The findings inventory: reports of many sites and scans in one database (SQLite or
PostgreSQL), each finding tracked by fingerprint across scans.

``open_inventory(path or URL) -> Engine``, ``ingest_report(engine, LoadedReport, baseline)``,
``queries.site_diff / kpis / export_rows``, ``output.write_kpis / write_export``.
"""
from dataguard.inventory.db import DEFAULT_DB, ENV_DB, InventoryError, open_inventory
from dataguard.inventory.ingest import ingest_report

__all__ = ["DEFAULT_DB", "ENV_DB", "InventoryError", "open_inventory", "ingest_report"]

"""Ingest speed of the findings inventory (SQLite): synthetic reports of several sites, each
site scanned repeatedly with findings appearing and disappearing between scans.

    python benchmarks/bench_inventory.py                 # 200 reports, 1,000,000 findings
    python benchmarks/bench_inventory.py --reports 20 --findings 2000

Prints the time to read and check the reports (JSON + schema), the time to ingest them
(tracking included) and findings per second for each.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SEVERITIES = ("critical", "high", "medium", "low", "info")
MEASURES = ("CM-ENCRYPT", "CM-ACCESS", "CM-MINIMISE", "CM-RETAIN", "CM-INVENTORY", "CM-SECRETS")


def _finding(site: str, n: int, rng: random.Random) -> dict:
    path = f"dept{n % 40}/folder{n % 997}/file{n}.xlsx"
    return {
        "fingerprint": hashlib.sha256(f"{site}/{n}".encode()).hexdigest(), "rule_id": f"DG-{n % 30:03d}",
        "title": "Personal data stored in clear", "severity": SEVERITIES[n % 5], "measure": MEASURES[n % 6],
        "location": {"target": f"smb://fs.{site}.example.org/share", "uri": f"smb://fs.{site}.example.org/share/{path}",
                     "path": path, "member": None, "table": None, "column": None, "source": "file"},
        "entities": {"EMAIL_ADDRESS": {"count": 1 + n % 9, "max_score": 1.0}},
        "evidence": [{"entity_type": "EMAIL_ADDRESS", "score": 1.0, "line": None, "page": None, "sheet": "Staff",
                      "cell": f"C{2 + n % 500}", "row": None, "part": None, "masked": "j*****@*******.org",
                      "value_hash": hashlib.sha256(f"v{n}".encode()).hexdigest()}],
        "evidence_truncated": False, "remediation": "Restrict or delete.",
        "exposure": "broad" if rng.random() < 0.3 else "restricted", "owner": None, "status": "open",
    }


def _report(site: str, k: int, ids: list, rng: random.Random, complete: bool) -> dict:
    stamp = f"2026-{1 + k // 28:02d}-{1 + k % 28:02d}T01:30:00Z"
    return {"schema_version": 1, "tool": {"name": "dataguard", "version": "bench"}, "scan": {
        "id": f"{site}-{k}", "site": site, "site_kind": "field", "started_at": stamp,
        "finished_at": stamp.replace("01:30", "03:30"), "complete": complete, "key_id": "0" * 32,
        "targets": [{"uri": f"smb://fs.{site}.example.org/share", "status": "ok" if complete else "partial",
                     "error": None}],
        "rule_packs": [{"pack": "bench", "version": "1", "sha256": "0" * 64}],
        "stats": {"items_scanned": len(ids) * 3, "items_skipped": 0, "items_unchanged": 0, "bytes_scanned": 0,
                  "rows_sampled": 0, "errors": 0, "duration_s": 1.0}},
        "findings": [_finding(site, n, rng) for n in ids], "errors": [], "skipped": []}


def generate(folder: str, reports: int, findings: int, sites: int, seed: int = 7) -> list:
    """``reports`` reports over ``sites`` sites, ``findings`` findings in all; between two scans
    of a site 5% of its findings are fixed and as many new ones appear; every 10th scan is
    incomplete."""
    rng = random.Random(seed)
    per_report = findings // reports
    paths = []
    live = {s: list(range(per_report)) for s in range(sites)}
    nxt = {s: per_report for s in range(sites)}
    for k in range(reports):
        s = k % sites
        ids = live[s]
        churn = per_report // 20
        for _ in range(churn):
            ids.pop(rng.randrange(len(ids)))
        ids.extend(range(nxt[s], nxt[s] + churn))
        nxt[s] += churn
        path = os.path.join(folder, f"r{k:04d}.json")
        with open(path, "w") as fh:
            json.dump(_report(f"site{s:02d}", k // sites, ids, rng, complete=(k // sites) % 10 != 9), fh)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--findings", type=int, default=1_000_000, help="findings in all reports together")
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--db", help="inventory (default: a temporary SQLite file)")
    args = ap.parse_args()

    from dataguard.inventory import ingest_report, open_inventory
    from dataguard.reportfile import load_report
    with tempfile.TemporaryDirectory() as tmp:
        t = time.monotonic()
        paths = generate(tmp, args.reports, args.findings, args.sites)
        print(f"generated {len(paths)} reports in {time.monotonic() - t:.1f}s")
        engine = open_inventory(args.db or os.path.join(tmp, "inventory.db"))
        read_s = ingest_s = 0.0
        total = 0
        for p in paths:
            t0 = time.monotonic()
            loaded = load_report(p)
            t1 = time.monotonic()
            ingest_report(engine, loaded)
            read_s += t1 - t0
            ingest_s += time.monotonic() - t1
            total += len(loaded.doc["findings"])
        engine.dispose()
        print(f"{total:,} findings in {len(paths)} reports, {args.sites} sites")
        print(f"read + schema check: {read_s:.1f}s ({total / read_s:,.0f} findings/s)")
        print(f"ingest (insert + tracking): {ingest_s:.1f}s ({total / ingest_s:,.0f} rows/s)")
        print(f"end to end: {total / (read_s + ingest_s):,.0f} findings/s")


if __name__ == "__main__":
    main()

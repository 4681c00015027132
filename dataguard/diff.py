"""What changed between two scans of a site, by finding fingerprint.

- new: in the newer scan, not in the older one;
- unchanged: in both;
- resolved: in the older scan only, and its target was covered by the newer scan: the newer
  scan is complete and that target's status is ``ok``;
- not rescanned: in the older scan only, on a target the newer scan did not complete (an
  incomplete scan never resolves anything).
"""
from __future__ import annotations

from typing import Iterable

from dataguard.names import printable
from dataguard.vocab import FAIL_NEVER, TargetStatusName, severity_rank


def covered_targets(scan: dict) -> set:
    """Targets whose findings a scan can resolve: all its ``ok`` targets if it is complete, none otherwise."""
    if not scan.get("complete"):
        return set()
    return {t["uri"] for t in scan.get("targets", []) if t.get("status") == TargetStatusName.OK}


def compact(f: dict) -> dict:
    """The fields of a report finding a diff shows."""
    from dataguard.report.view import location_text
    return {"fingerprint": f["fingerprint"], "severity": f["severity"], "rule_id": f["rule_id"],
            "measure": f["measure"], "target": f["location"]["target"], "location": location_text(f["location"]),
            "status": f.get("status", "open")}


def diff_scans(old_scan: dict, old: Iterable[dict], new_scan: dict, new: Iterable[dict]) -> dict:
    """``old``/``new``: compact findings (see ``compact``) of the two scans. A finding's ``status``
    is its status in the newer scan: ``resolved`` for a resolved one; the older scan's for one
    not rescanned (nothing says it changed)."""
    old_by = {f["fingerprint"]: f for f in old}
    new_by = {f["fingerprint"]: f for f in new}
    covered = covered_targets(new_scan)
    gone = [f for fp, f in old_by.items() if fp not in new_by]
    all_targets = {t["uri"] for t in old_scan.get("targets", []) + new_scan.get("targets", [])}
    all_targets |= {f["target"] for f in gone}
    return {
        "old_scan": _scan_head(old_scan), "new_scan": _scan_head(new_scan),
        "new": _sorted(f for fp, f in new_by.items() if fp not in old_by),
        "resolved": _sorted({**f, "status": "resolved"} for f in gone if f["target"] in covered),
        "unchanged": _sorted(f for fp, f in new_by.items() if fp in old_by),
        "not_rescanned": {"targets": sorted(all_targets - covered),
                          "findings": _sorted(f for f in gone if f["target"] not in covered)},
    }


def _scan_head(scan: dict) -> dict:
    return {k: scan.get(k) for k in ("id", "site", "started_at", "finished_at", "complete")}


def _sorted(findings: Iterable[dict]) -> list:
    return sorted(findings, key=lambda f: (-severity_rank(f["severity"]), f["location"], f["rule_id"]))


def new_at_or_above(result: dict, fail_on: str) -> int:
    """How many new, not accepted findings are at or above ``fail_on`` (exit code 1 if any)."""
    if fail_on == FAIL_NEVER:
        return 0
    threshold = severity_rank(fail_on)
    return sum(1 for f in result["new"] if f["status"] != "accepted" and severity_rank(f["severity"]) >= threshold)


def render_table(result: dict) -> str:
    """The diff for a terminal; names (sites, locations, targets, ids) with their control
    characters escaped (``names.printable``)."""
    from tabulate import tabulate
    o, n = result["old_scan"], result["new_scan"]
    lines = [f"old: scan {printable(o['id'])} of {printable(o['site'] or '-')} at {o['started_at']}"
             f"{'' if o['complete'] else ' (INCOMPLETE)'}",
             f"new: scan {printable(n['id'])} of {printable(n['site'] or '-')} at {n['started_at']}"
             f"{'' if n['complete'] else ' (INCOMPLETE: resolves nothing)'}",
             f"{len(result['new'])} new, {len(result['resolved'])} resolved, {len(result['unchanged'])} unchanged, "
             f"{len(result['not_rescanned']['findings'])} not rescanned"]
    for title in ("new", "resolved"):
        if result[title]:
            rows = [[f["severity"], printable(f["rule_id"]), f["measure"], printable(f["location"])[:80],
                     f["status"]] for f in result[title]]
            lines += ["", title.capitalize(), tabulate(rows, headers=["severity", "rule", "measure", "location",
                                                                       "status"])]
    nr = result["not_rescanned"]
    if nr["targets"]:
        lines += ["", "Not rescanned (the new scan did not complete these targets; their findings are not "
                      "counted as resolved)"] + [f"  {printable(t)}" for t in nr["targets"]]
    return "\n".join(lines) + "\n"

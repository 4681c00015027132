"""Time rule evaluation: the default packs against one rich unit summary.

    .venv/bin/python benchmarks/bench_rules.py [--rounds N]
"""
from __future__ import annotations

import argparse
import time

from dataguard.detect import known_entities
from dataguard.rules import evaluate, load_packs
from dataguard.types import EntityAgg, Evidence, ItemMeta, Pointer, Site, Unit, UnitSummary

DAY = 86400.0


def _agg(etype: str, score: float, count: int, n_evidence: int) -> EntityAgg:
    ev = [Evidence(etype, score, Pointer(line=i + 1), "***", f"h{i}") for i in range(n_evidence)]
    return EntityAgg(scores={score: count}, evidence=ev, hashes={f"h{i}" for i in range(count)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20_000)
    args = ap.parse_args()
    packs = load_packs(None, known_entities())
    now = time.time()
    summary = UnitSummary(unit=Unit(target="/t", uri="/t/a/b/c/contacts.csv", path="a/b/c/contacts.csv"),
                          meta=ItemMeta(exposure="broad", mtime=now - 10 * DAY, size=1000),
                          entities={"EMAIL_ADDRESS": _agg("EMAIL_ADDRESS", 1.0, 20, 10),
                                    "PERSON": _agg("PERSON", 0.85, 3, 3)})
    site = Site(name="Juba", kind="field")
    t = time.perf_counter()
    for _ in range(args.rounds):
        found = evaluate(packs, summary, site, max_evidence=10, now=now)
    secs = time.perf_counter() - t
    print(f"{args.rounds} evaluations, {len(found)} findings each: {secs:.2f}s, "
          f"{args.rounds / secs:,.0f} units/s")


if __name__ == "__main__":
    main()

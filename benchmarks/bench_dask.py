"""Scan throughput on a Dask cluster against the local executor, on one generated corpus.

    python benchmarks/bench_dask.py [--size-mb 10] [--corpus DIR] [--no-ner] [--repeat 2]

Measures, in one run, on the same corpus (benchmarks/corpus.py) and with the default
rule pack:
  * the local executor with --workers = the number of cores (detection in forked processes);
  * a LocalCluster (worker processes, one thread each, mutual TLS on loopback, Dask's
    profiler off as in examples/cluster/) of 1 worker, then of 2 workers, through
    ``--executor dask``.
Each cluster is started and its workers load their model during a warm-up scan of a few
files, which is timed apart (the local executor starts its worker processes, which build
their detectors, within each scan, as every local run does): the start-up cost (per cluster, and per worker: the workers
load in parallel) is printed separately from the throughput. Prints MB/s of each run, the
ratio of the 2-worker cluster to the local executor, the scaling from 1 to 2 workers,
and whether the findings of every run are identical. Each scan is repeated (--repeat)
and the fastest counts: on a shared machine the others are the disturbed ones.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from corpus import generate  # noqa: E402

KEY = "benchmark-key-0123456789abcdef"


def options(root: str, ner: bool, workers: int, cluster=None):
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs, needed_entities
    from dataguard.scanner import ScanOptions
    from dataguard.sources import SourceOptions
    packs = load_packs(None, known_entities())
    return ScanOptions(targets=[(root, SourceOptions(exclude=("planted.json",)))], packs=packs, workers=workers,
                       cluster=cluster, detector_kwargs=dict(entities=needed_entities(packs), ner=ner,
                                                             custom=tuple(r for p in packs for r in p.recognizers)))


def scan(opts) -> tuple:
    """(seconds, bytes scanned, findings as JSON) of one scan."""
    from dataguard.hashing import Hasher
    from dataguard.report import render
    from dataguard.scanner import run_scan
    t0 = time.perf_counter()
    res = run_scan(opts, Hasher(KEY.encode()))
    dt = time.perf_counter() - t0
    assert res.complete, res.targets
    return dt, res.stats["bytes_scanned"], json.loads(render(res, "json"))["findings"]


def best(opts, repeat: int) -> tuple:
    """The fastest of ``repeat`` scans: (seconds, bytes, findings)."""
    return min((scan(opts) for _ in range(repeat)), key=lambda r: r[0])


def on_cluster(root: str, warm: str, ner: bool, n_workers: int, certs: str, repeat: int) -> tuple:
    """(start-up seconds, scan seconds, bytes, findings) on a fresh LocalCluster of n workers."""
    from distributed import LocalCluster

    from dataguard.scanner import ClusterOptions
    from dataguard.scanner.tls import security
    t0 = time.perf_counter()
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, protocol="tls", host="127.0.0.1",
                      security=security(certs, "cluster"), dashboard_address=":0") as cluster:
        cluster_opts = ClusterOptions(scheduler=cluster.scheduler_address, tls_folder=certs)
        scan(options(warm, ner, 1, cluster_opts))               # the workers load their model
        startup = time.perf_counter() - t0
        dt, nbytes, findings = best(options(root, ner, 1, cluster_opts), repeat)
    return startup, dt, nbytes, findings


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=10.0)
    ap.add_argument("--corpus", help="reuse/generate the corpus in this folder")
    ap.add_argument("--no-ner", action="store_true", help="pattern recognizers only")
    ap.add_argument("--repeat", type=int, default=2, help="scans per configuration; the fastest counts")
    a = ap.parse_args()
    os.environ["DATAGUARD_HMAC_KEY"] = KEY          # the workers read the key from their environment
    os.environ["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] = "False"   # as examples/cluster/ deploys them
    from dataguard.scanner.tls import make_certs
    tmp = tempfile.mkdtemp(prefix="dataguard-bench-dask-")
    root = a.corpus or os.path.join(tmp, "corpus")
    if not os.path.exists(os.path.join(root, "planted.json")):
        generate(root, a.size_mb)
    warm = os.path.join(tmp, "warm")
    os.makedirs(warm)
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names if f != "planted.json")
    for i, path in enumerate(files[:3]):
        shutil.copy(path, os.path.join(warm, f"{i}-{os.path.basename(path)}"))
    certs = os.path.join(tmp, "tls")
    make_certs(certs)
    ner = not a.no_ner
    cores = os.cpu_count() or 1
    print(f"corpus: {root}; machine: {cores} cores; NER: {ner}")

    scan(options(warm, ner, cores))                        # modules imported, model cached
    l_dt, l_bytes, l_find = best(options(root, ner, cores), a.repeat)
    l_rate = l_bytes / l_dt / 1e6
    print(f"local executor ({cores} workers)  : {l_bytes / 1e6:6.2f} MB in {l_dt:6.1f}s = {l_rate:6.3f} MB/s")
    rates, same = {}, True
    for n in (1, 2):
        startup, dt, nbytes, findings = on_cluster(root, warm, ner, n, certs, a.repeat)
        rates[n] = nbytes / dt / 1e6
        same = same and findings == l_find
        print(f"Dask LocalCluster, {n} worker(s) : {nbytes / 1e6:6.2f} MB in {dt:6.1f}s = {rates[n]:6.3f} MB/s "
              f"(start-up and model load: {startup:.1f}s)")
    print(f"2 Dask workers / local executor: {rates[2] / l_rate:.2f}x; scaling 1 -> 2 workers: "
          f"{rates[2] / rates[1]:.2f}x; identical findings: {same}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

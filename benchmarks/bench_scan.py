"""Throughput and recall on dense, diverse data: dataguard against plain Presidio, in one run.

    python benchmarks/bench_scan.py [--size-mb 8] [--bands 20,100,400,1000] [--workers N]
                                    [--baseline-kb 120] [--corpus DIR] [--seed N] [--quick] [--no-rescan]

Generates a corpus (benchmarks/corpus.py: one folder per density band, planted values per MB,
every value fresh, txt/csv/json/log/docx/xlsx, decoys; a new seed each run unless --seed gives
one: the seed is printed, so that a run can be repeated on the same corpus), then measures on the same machine and
in the same run, band by band:
  * dataguard --no-ner and full mode (NER), --workers N, as the CLI scans: each band in its
    own scan, and the whole corpus in one scan (the line "all"); every scan pays its
    start-up (worker processes, recognizers, spaCy model), printed first;
  * plain Presidio as it is usually used: one AnalyzerEngine with its default recognizers and
    the same spaCy model (offline), ``analyze`` once per file, one process, on the first
    --baseline-kb of each band's text files (txt, csv, json, log in turn; it runs at some
    15 KB/s per core); dataguard's recall is also given on that same subset;
  * recall per entity type (names, e-mails, phones, cards, IBANs, IPs, SSNs; a planted value
    counts as found when a finding of its type in its file holds it);
  * --no-ner on the densest band with the trigger pass in Python regexes instead of Hyperscan;
  * --no-ner CLI scans of the densest band with the slow regexes compiled in every process
    against loaded from the cache folder (CPU seconds, alternated);
  * where the time goes: cProfile of --no-ner and of full detection over the densest band,
    in one process, top functions by own time;
  * start-up: a --no-ner scan of a small folder by the CLI (best of three, with the load
    average), the slowest imports (``python -X importtime``) and whether it imported any of
    Dask, SQLAlchemy or matplotlib (it should not);
  * a rescan of the unchanged corpus with --state (best of three) against the first scan, in
    process (full mode) and by the CLI (--no-ner: process start to exit).
--quick: a 1 MB corpus, a small baseline, no rescan (a smoke test of this script).
"""
from __future__ import annotations

import argparse
import atexit
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from corpus import CORE, generate  # noqa: E402

TEXT_EXTS = (".txt", ".csv", ".json", ".log")


def _norm(v: str) -> str:
    return "".join(c for c in v.lower() if c.isalnum())


def recall_by_entity(planted, found) -> dict:
    """entity -> (found, planted); found: set of (path, entity, normalised value)."""
    by_key: dict = {}
    for f in found:
        by_key.setdefault(f[:2], set()).add(f[2])
    out: dict = {}
    for p in planted:
        if p["entity_type"] not in CORE:
            continue
        want = _norm(p["value"])
        got = by_key.get((p["path"], p["entity_type"]), ())
        hit = want in got or any(g and (want in g or g in want) for g in got)
        a, b = out.get(p["entity_type"], (0, 0))
        out[p["entity_type"]] = (a + hit, b + 1)
    return out


def _fmt_recall(rec: dict) -> str:
    hit = sum(a for a, _ in rec.values())
    total = sum(b for _, b in rec.values())
    parts = " ".join(f"{e.split('_')[0][:5].lower()} {a / b:.2f}" for e, (a, b) in sorted(rec.items()))
    return f"{hit / max(total, 1):.3f} ({parts})"


def files_of(root, band=None):
    out = []
    for d, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            rel = os.path.relpath(os.path.join(d, f), root)
            if f != "planted.json" and (band is None or rel.startswith(band + os.sep)):
                out.append(rel)
    return out


# ------------------------------------------------------------------ plain Presidio
def offline_tldextract() -> None:
    """Presidio's EmailRecognizer checks domains with tldextract, which would fetch the public
    suffix list on first use: make it read the snapshot bundled with tldextract."""
    import tldextract
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    tldextract.extract = offline       # Presidio's recognizer calls tldextract.extract(...) when it runs
    tldextract.tldextract.TLD_EXTRACTOR = offline


def presidio_engine():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from dataguard.detect.models import MODELS
    offline_tldextract()
    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODELS["en"]}]}).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    engine.analyze("warm up John Smith", language="en")
    return engine


def _spread(files: list) -> list:
    """The text files, taking each format in turn (the subset gets every format, not the first)."""
    by_ext: dict = {}
    for rel in files:
        if rel.endswith(TEXT_EXTS):
            by_ext.setdefault(os.path.splitext(rel)[1], []).append(rel)
    out = []
    while any(by_ext.values()):
        for ext in sorted(by_ext):
            if by_ext[ext]:
                out.append(by_ext[ext].pop(0))
    return out


def run_presidio(engine, root, files, budget_bytes):
    found, used, nbytes = set(), set(), 0
    t0 = time.perf_counter()
    for rel in _spread(files):
        if nbytes >= budget_bytes:
            break
        text = open(os.path.join(root, rel), encoding="utf-8").read()
        for r in engine.analyze(text, language="en"):
            found.add((rel, r.entity_type, _norm(text[r.start:r.end])))
        nbytes += len(text.encode())
        used.add(rel)
    return nbytes, time.perf_counter() - t0, found, used


# ------------------------------------------------------------------ dataguard
def _packs_and_kwargs(ner: bool):
    """The rule packs and detector settings of ``dataguard scan`` with its defaults (and
    ``--no-ner`` unless ``ner``): the packs' recognizers, column signals and context words,
    the default countries' phone regions, the language of each chunk."""
    from dataguard.settings import Flags, build_settings
    settings = build_settings(Flags(targets=(HERE,), no_ner=not ner), stdout_is_tty=False)
    return settings.scan.packs, settings.scan.detector_kwargs


def run_dataguard(root, workers, ner, state=None, rel_to=None):
    """One scan as the CLI runs it; without --state, with every evidence value shown (recall is
    computed from them); with --state, with the CLI's defaults (10 evidence entries per finding,
    no values: --show-data disables --state). Paths are relative to ``rel_to`` (default root)."""
    from dataguard.hashing import Hasher
    from dataguard.scanner import ScanOptions, run_scan
    from dataguard.sources import SourceOptions
    packs, kwargs = _packs_and_kwargs(ner)
    opts = ScanOptions(targets=[(root, SourceOptions(exclude=("planted.json",)))], packs=packs,
                       max_evidence=None if state is None else 10, show_data=state is None, workers=workers,
                       state_path=state, detector_kwargs=kwargs)
    t0 = time.perf_counter()
    res = run_scan(opts, Hasher(b"benchmark-key-0123456789"))
    dt = time.perf_counter() - t0
    prefix = os.path.relpath(root, rel_to) if rel_to else ""
    found = set()
    for f in res.findings:
        for e in f.evidence:
            if e.value is not None:
                found.add((os.path.normpath(os.path.join(prefix, f.unit.path)), e.entity_type, _norm(e.value)))
    return res.stats["bytes_scanned"], dt, found, res


# ------------------------------------------------------------------ profile, start-up, rescan
def profile_detection(root, band, ner, top):
    """cProfile of one process detecting over the band's chunks (extraction not profiled)."""
    from dataguard.detect import Detector
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    chunks = []
    for item in open_target(os.path.join(root, band), SourceOptions()).items():
        if hasattr(item, "chunks"):
            chunks.extend(c for c in item.chunks(Limits()) if hasattr(c, "text"))
    _, kwargs = _packs_and_kwargs(ner)
    det = Detector(**kwargs)
    size = sum(len(c.text[c.keep_start:c.keep_end].encode()) for c in chunks)
    from dataguard.detect import ner as ner_module
    through, pipe = [0], ner_module.pipe

    def counted(nlp, texts):
        through[0] += sum(map(len, texts))
        return pipe(nlp, texts)
    ner_module.pipe = counted
    prof = cProfile.Profile()
    t0 = time.process_time()
    prof.enable()
    try:
        for _ in det.analyze(chunks):
            pass
    finally:
        prof.disable()
        ner_module.pipe = pipe
    cpu = time.process_time() - t0
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    lines = [l for l in out.getvalue().splitlines() if re.match(r"\s+\d", l) and "function calls" not in l]
    spacy = f", {through[0] / max(1, sum(len(c.text) for c in chunks)):.0%} of the text through spaCy" if ner else ""
    print(f"  profile {'full' if ner else '--no-ner'} on {band} ({size / 1e6:.2f} MB, 1 process, "
          f"{cpu:.1f} s CPU = {size / cpu / 1e6:.2f} MB/s per core under cProfile{spacy}); top by own time:")
    print("   ncalls  tottime  percall  cumtime  percall filename:lineno(function)")
    for l in lines[:top]:
        print("  " + re.sub(r"/\S*/(site-packages|dataguard)/", r"\1/", l.strip()))


def scan_startup(workdir, workers, ner) -> float:
    """In-process time of a scan of a one-file folder (best of two): what every scan pays once."""
    small = os.path.join(workdir, "one")
    os.makedirs(small, exist_ok=True)
    with open(os.path.join(small, "note.txt"), "w") as fh:
        fh.write("Nothing to see here.\n")
    return min(run_dataguard(small, workers, ner)[1] for _ in range(2))


# modules a local --no-ner scan of a folder has no use for (Dask, the inventory's SQLAlchemy, HTML charts,
# spaCy: Presidio's packages are imported name by name, dataguard.detect.lazy_presidio)
NOT_NEEDED = ("distributed", "dask", "sqlalchemy", "alembic", "matplotlib", "spacy", "thinc")


def _cli_env() -> dict:
    """The environment of the CLI runs: this checkout's package, a fixed hashing key."""
    return dict(os.environ, PYTHONPATH=os.path.dirname(HERE), DATAGUARD_HMAC_KEY="0" * 64)


def _byte_compiled() -> None:
    """dataguard's byte code written, as pip writes it when it installs the package: run from a
    source checkout where PYTHONDONTWRITEBYTECODE is set, every CLI process would compile the
    modules again (about 0.3 s of each start), which no installed dataguard pays."""
    import compileall

    import dataguard
    compileall.compile_dir(os.path.dirname(dataguard.__file__), quiet=1)


def startup(workdir):
    """Wall time of a --no-ner CLI scan of a small folder (the default number of workers), the
    slowest imports, and the modules it should not import (``python -X importtime``: the
    scanning process builds the detector its workers inherit, so Presidio's imports show)."""
    small = os.path.join(workdir, "small")
    os.makedirs(small, exist_ok=True)
    with open(os.path.join(small, "note.txt"), "w") as fh:
        fh.write("Call Jane Doe on +41 44 668 18 00 or jane.doe@unhcr-field.org.\n")
    env = _cli_env()
    cmd = [sys.executable, "-m", "dataguard", "scan", "--no-ner", small, "-q", "-o", os.path.join(workdir, "small.json")]
    load = os.getloadavg()[0]
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True)
        runs.append(time.perf_counter() - t0)
    p = subprocess.run([sys.executable, "-X", "importtime"] + cmd[1:], env=env, capture_output=True, text=True)
    rows = []
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), len(m.group(3)), m.group(4)))
    tops = sorted((r for r in rows if r[1] == 1), reverse=True)[:6]
    t0 = time.perf_counter()        # the baseline: Presidio imported whole, as its own __init__ modules do
    subprocess.run([sys.executable, "-c", "import presidio_analyzer"], env=env, capture_output=True)
    whole = time.perf_counter() - t0
    loaded = sorted({name.split(".")[0] for _, _, name in rows} & set(NOT_NEEDED))
    print(f"start-up: --no-ner scan of a one-file folder, {os.cpu_count()} workers: {min(runs):.2f} s wall "
          f"(best of 3: {', '.join(f'{r:.2f}' for r in runs)}; load average {load:.2f}); imports "
          f"{sum(us for us, depth, _ in rows if depth == 1) / 1e6:.2f} s, the slowest top-level ones: "
          + ", ".join(f"{name} {us / 1e6:.2f} s" for us, _, name in tops)
          + f"; imported and not needed: {', '.join(loaded) or 'none'} (of {', '.join(NOT_NEEDED)}); "
          f"for comparison, a Python process that imports all of Presidio: {whole:.2f} s")


def without_hyperscan(root, band, workers):
    """--no-ner on one band with the trigger pass in Python regexes, against Hyperscan built at once."""
    from dataguard.detect import triggers
    if triggers._hs is None:
        print("triggers: Python regexes (the hyperscan wheel is not installed)")
        return
    after, triggers.HYPERSCAN_AFTER = triggers.HYPERSCAN_AFTER, 0       # (a scan builds them after 200 KB)
    try:
        n, dt, found, _ = run_dataguard(os.path.join(root, band), workers, False, rel_to=root)
    finally:
        triggers.HYPERSCAN_AFTER = after
    hs, triggers._hs = triggers._hs, None
    try:
        p_n, p_dt, p_found, _ = run_dataguard(os.path.join(root, band), workers, False, rel_to=root)
    finally:
        triggers._hs = hs
    print(f"triggers on {band}, --no-ner: Hyperscan {n / dt / 1e6:.2f} MB/s, Python regexes "
          f"{p_n / p_dt / 1e6:.2f} MB/s, same values found: {p_found == found}")


def kept_compiled(root, band):
    """What keeping the slow regexes compiled saves (``dataguard.detect.compiled``): a --no-ner
    CLI scan of one band, three times with the compiled regexes removed from the cache folder
    before each run and three times with them there, alternated (the Hyperscan databases stay
    in both): CPU seconds of the scan's processes (the workers compile in each), medians."""
    import resource
    from dataguard.detect.compiled import PREFIX
    cache = _scratch("dataguard-bench-cache-")
    env = dict(_cli_env(), DATAGUARD_CACHE_DIR=cache)
    cmd = [sys.executable, "-m", "dataguard", "scan", "--no-ner", os.path.join(root, band), "-q",
           "--format", "json", "-o", os.path.join(_scratch("dataguard-bench-report-"), "r.json")]

    def cpu_of_run() -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        code = subprocess.run(cmd, env=env, capture_output=True).returncode
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert code in (0, 1), f"the CLI scan failed (exit {code}): {' '.join(cmd)}"
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    cpu_of_run()            # (the Hyperscan databases and the compiled regexes made once)
    cold, warm = [], []
    for _ in range(3):
        for name in os.listdir(cache):
            if name.startswith(PREFIX):
                os.unlink(os.path.join(cache, name))
        cold.append(cpu_of_run())
        warm.append(cpu_of_run())
    c, w = statistics.median(cold), statistics.median(warm)
    print(f"slow regexes kept compiled, --no-ner CLI scan of {band} (CPU s of all its processes, medians of 3, "
          f"alternated): {c:.2f} compiling them in each process, {w:.2f} loading them = {c / w:.2f}x, "
          f"{c - w:.2f} CPU s saved")


def _scratch(prefix: str) -> str:
    """A temporary folder removed when the benchmark ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def rescan(root, workers):
    from dataguard.report import render
    state = os.path.join(_scratch("dataguard-state-"), "state.db")
    _, s1, _, res1 = run_dataguard(root, workers, True, state=state)
    rescans = [run_dataguard(root, workers, True, state=state) for _ in range(3)]
    s2 = min(r[1] for r in rescans)
    first = json.loads(render(res1, "json"))["findings"]
    same = all(json.loads(render(r[3], "json"))["findings"] == first for r in rescans)
    print(f"rescan with --state: first {s1:.1f} s, unchanged rescan {s2:.2f} s (best of 3) = {s1 / s2:.1f}x faster "
          f"({rescans[0][3].stats['items_unchanged']} items unchanged, identical findings: {same})")
    cli_rescan(root)


def cli_rescan(root):
    """The same by the CLI, as a cron job runs it (process start to exit, the report written):
    a --no-ner first scan with --state (the stricter ratio: full mode's first scan is slower),
    then three unchanged rescans. Python's start, the imports, the rule packs' validation and the
    report's writing are paid by every rescan."""
    work = _scratch("dataguard-cli-rescan-")
    env = _cli_env()
    cmd = [sys.executable, "-m", "dataguard", "scan", "--no-ner", root, "--exclude", "planted.json", "-q",
           "--state", os.path.join(work, "state.db"), "--format", "json", "-o", os.path.join(work, "r.json")]
    runs = []
    for _ in range(4):
        t0 = time.perf_counter()
        code = subprocess.run(cmd, env=env, capture_output=True).returncode
        runs.append(time.perf_counter() - t0)
        assert code in (0, 1), f"the CLI scan failed (exit {code}): {' '.join(cmd)}"
    print(f"rescan by the CLI (--no-ner, --state): first {runs[0]:.1f} s, unchanged rescan {min(runs[1:]):.2f} s "
          f"(best of 3) = {runs[0] / min(runs[1:]):.1f}x faster")


def _args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=8.0)
    ap.add_argument("--bands", default="20,100,400,1000")
    ap.add_argument("--baseline-kb", type=float, default=120.0, help="plain Presidio's share of each band")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--corpus", help="reuse/generate the corpus in this folder")
    ap.add_argument("--seed", type=int, help="the corpus generator's seed (default: a new one, printed)")
    ap.add_argument("--top", type=int, default=14, help="functions shown per profile")
    ap.add_argument("--quick", action="store_true", help="1 MB, small baseline, no rescan")
    ap.add_argument("--no-rescan", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.size_mb, a.baseline_kb, a.no_rescan, a.top = min(a.size_mb, 1.0), min(a.baseline_kb, 30.0), True, 8
    return a


def bands_table(root, bands, planted, a) -> dict:
    """One line per band and one for all: MB/s of each mode, recall on Presidio's subset.
    Returns what each dataguard mode found in the whole corpus."""
    engine = presidio_engine()
    totals = {"presidio": [0, 0.0]}
    all_found = {}
    sub_planted, sub_presidio, sub_full = [], set(), set()
    print(f"{'band (values/MB)':>17} | {'--no-ner MB/s':>13} | {'full MB/s':>9} | {'Presidio MB/s':>13} | "
          f"{'full/Presidio':>13} | recall on Presidio's subset: full vs Presidio")
    for density in bands:
        band = f"d{density}"
        p_bytes, p_dt, p_found, used = run_presidio(engine, root, files_of(root, band), a.baseline_kb * 1e3)
        rates = {}
        for mode, ner in (("no-ner", False), ("full", True)):
            n, dt, found, _ = run_dataguard(os.path.join(root, band), a.workers, ner, rel_to=root)
            rates[mode] = n / dt / 1e6
            if mode == "full":
                full_sub = {f for f in found if f[0] in used}
        totals["presidio"][0] += p_bytes
        totals["presidio"][1] += p_dt
        sub = [p for p in planted if p["path"] in used]
        sub_planted += sub
        sub_presidio |= p_found
        sub_full |= full_sub
        p_rate = p_bytes / p_dt / 1e6
        print(f"{density:>17} | {rates['no-ner']:13.2f} | {rates['full']:9.3f} | {p_rate:13.4f} | "
              f"{rates['full'] / p_rate:12.1f}x | {_fmt_recall(recall_by_entity(sub, full_sub))} vs "
              f"{_fmt_recall(recall_by_entity(sub, p_found))}")
    for mode, ner in (("no-ner", False), ("full", True)):
        n, dt, all_found[mode], _ = run_dataguard(root, a.workers, ner)
        totals[mode] = [n, dt]
    rate = {m: b / t / 1e6 for m, (b, t) in totals.items()}
    print(f"{'all':>17} | {rate['no-ner']:13.2f} | {rate['full']:9.3f} | {rate['presidio']:13.4f} | "
          f"{rate['full'] / rate['presidio']:12.1f}x | {_fmt_recall(recall_by_entity(sub_planted, sub_full))} vs "
          f"{_fmt_recall(recall_by_entity(sub_planted, sub_presidio))}")
    return all_found


def main():
    a = _args()
    bands = [int(b) for b in a.bands.split(",")]
    root = a.corpus or _scratch("dataguard-bench-")
    if not os.path.exists(os.path.join(root, "planted.json")):
        seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1, 10 ** 6)
        print(f"generating the corpus with seed {seed} (--seed {seed} draws the same values again)")
        generate(root, a.size_mb, tuple(bands), seed)
    planted = json.load(open(os.path.join(root, "planted.json")))
    size = sum(os.path.getsize(os.path.join(root, f)) for f in files_of(root))
    print(f"corpus: {root}, {len(files_of(root))} files, {size / 1e6:.1f} MB, {len(planted)} planted values "
          f"({len({p['value'] for p in planted})} distinct); {a.workers} workers, "
          f"machine: {os.cpu_count()} cores")
    _byte_compiled()
    startup(_scratch("dataguard-startup-"))
    work = _scratch("dataguard-bench-work-")
    t0 = {"no-ner": scan_startup(work, a.workers, False), "full": scan_startup(work, a.workers, True)}
    print(f"scan start-up in process (modules loaded): --no-ner {t0['no-ner']:.2f} s, full {t0['full']:.2f} s")
    found = bands_table(root, bands, planted, a)
    no_person = [p for p in planted if p["entity_type"] != "PERSON"]
    print(f"recall on the whole corpus: full {_fmt_recall(recall_by_entity(planted, found['full']))}; "
          f"--no-ner {_fmt_recall(recall_by_entity(no_person, found['no-ner']))}")
    densest = f"d{max(bands)}"
    without_hyperscan(root, densest, a.workers)
    kept_compiled(root, densest)
    profile_detection(root, densest, False, a.top)
    profile_detection(root, densest, True, a.top)
    if not a.no_rescan:
        rescan(root, a.workers)

if __name__ == "__main__":
    main()

"""Peak memory of a real ``dataguard scan``: bounded whatever the file sizes and the number of files.

    python benchmarks/bench_memory.py [--size-gb 2] [--long-line-mb 16] [--files 100000]
                                      [--per-folder 1000] [--modes default,no-ner] [--workers N]
                                      [--cases huge,long-line,json-line,tree] [--dir DIR]
                                      [--interval 0.2] [--budget-mb 1000]

Goal (issue "bounded memory"): with the default settings, the peak RSS of the whole
scan stays under 1 GB (--budget-mb, 1 GB = 1000 MB here) whatever the sizes and the
number of files.

Generates (in --dir, else a temporary folder removed at the end unless --keep; a
folder generated before with the same parameters is reused):
  * huge     one plain-text log of --size-gb: office documents and log excerpts from
             benchmarks/corpus.py (memos, payment notes, HR lists, request logs,
             decoy-only text) one after the other, with their planted values;
             written as it is generated (never built in memory);
  * long-line  one file of --long-line-mb holding a single line (the same text with
             every newline replaced by " | "), 0 to skip;
  * json-line  one file of --long-line-mb holding a minified JSON export of staff
             records (name, e-mail, phone, office, note) on a single line, as
             exported by many tools: a name in every ~150 characters and no newline;
  * tree     --files small files (0.3-1 KB: a few planted values and filler) in
             folders of --per-folder files (--per-folder equal to --files gives one
             flat folder), to check memory does not grow with the number of files.

Then runs the real CLI (``python -m dataguard scan CASE --format json -o REPORT
--quiet``, same interpreter unless --python) once per case and mode: ``default``
(NER on, the default settings) and ``no-ner`` (--no-ner); --workers is passed only
when given (the default is one worker per core).  Every --interval seconds it sums
the RSS (VmRSS) of the whole process tree (the CLI process, its detection workers,
a fork server or resource tracker if any), and the PSS (proportional set size, from
smaps_rollup: pages shared by forked workers are counted once) as well.  Prints per
run: input size, elapsed time, MB/s, exit code, findings, errors, peak total RSS (and
its ratio to the budget), peak total PSS, the peak RSS of each process (its VmHWM,
so peaks between two samples are not missed), and the peak total RSS in each quarter
of the run (a rise from quarter to quarter means memory grows with the input).

Notes: the sum of RSS over-counts pages shared by forked workers: it is the
conservative number compared with the budget (PSS is printed beside it).  Memory of
the detection workers adds up: the total grows with --workers (default: the number
of cores).  MB/s is the generated size over the wall time of the whole CLI run
(start-up, model load and report included).  Should an item record a ``timeout``
error (it was not read to its end), the line says so.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import corpus  # noqa: E402

MB = 1_000_000
HMAC_KEY = "bench-memory-key-0123456789abcdef"
DATA_VERSION = 2         # bump when the generated data changes


# ------------------------------------------------------------------ generation (streamed)
OFFICES = ["Geneva", "Nairobi", "Juba", "Amman", "Dhaka", "New York", "Bangkok", "Kabul", "Dakar", "Bogota"]


def _stream_docs(seed: int):
    """Endless stream of (document text, planted count): memos, CSV exports and logs of
    benchmarks/corpus.py at densities from 20 to 1,000 values per MB, every value fresh."""
    v = corpus.Values(seed)
    rng = v.rng
    while True:
        doc = corpus.Doc(v, rng.choice([20, 100, 400, 1000]))
        target = rng.randint(2_000, 40_000)
        kind = rng.randrange(3)
        if kind == 0:
            text = "\n\n".join(corpus._prose(doc, target))
        elif kind == 1:
            rows = corpus._rows(doc, target)
            text = "\n".join([",".join(corpus.COLUMNS)] + [",".join(r[c] for c in corpus.COLUMNS) for r in rows])
        else:
            lines = []
            while doc.size < target:
                lines.append(doc.log_line())
            text = "\n".join(lines)
        yield text + "\n", len(doc.planted)


def _stream_records(seed: int):
    """Endless stream of (JSON record + ",", planted count): a minified export of staff records."""
    v = corpus.Values(seed)
    i = 0
    yield "[", 0
    while True:
        name = v.person()
        rec = {"id": i, "name": name, "email": v.email(name), "phone": v.phone(),
               "office": v.rng.choice(OFFICES), "note": v.rng.choice(corpus.FILLER)}
        i += 1
        yield json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + ",", 3


def write_big(path: str, size_bytes: int, seed: int, one_line: bool, records: bool = False) -> tuple:
    """Write documents (or JSON records) until size_bytes; returns (bytes, planted values).
    Holds one document at a time."""
    total = planted = 0
    with open(path, "w", encoding="utf-8", buffering=1 << 20) as fh:
        for text, n in (_stream_records(seed) if records else _stream_docs(seed)):
            if one_line:
                text = text.replace("\n", " | ")
            data = text.encode("utf-8")
            if total + len(data) > size_bytes:       # last piece: cut to the exact size (at a character)
                data = data[:size_bytes - total].decode("utf-8", "ignore").encode("utf-8")
                fh.write(data.decode("utf-8"))
                total += len(data)
                break
            fh.write(text)
            total += len(data)
            planted += n
    return total, planted


def _small_doc(v) -> tuple:
    """A small file (a few planted values and filler, or decoys only) from corpus.Values ``v``."""
    rng = v.rng
    lines, planted = [], 0
    k = rng.randrange(4)
    name = v.person()
    if k == 0:
        other = v.person()
        lines += [f"To: {name}", f"Please contact {other} at {v.email(other)} or on {v.phone()}."]
        planted += 4
    elif k == 1:
        lines += [f"The corporate card {v.card()} was charged.", f"Transfer to IBAN {v.iban()} was approved."]
        planted += 2
    elif k == 2:
        lines += ["Name,Email,Phone,SSN", f"{name},{v.email(name)},{v.phone()},{v.ssn()}"]
        planted += 4
    else:   # decoys only
        lines.append(corpus.Doc(v, 0).fill(rng.choice(corpus.DECOY_SENTENCES)))
        lines.append(f"Card {v.card(valid=False)} was declined; IBAN {v.iban(valid=False)} rejected.")
    lines += rng.sample(corpus.FILLER, rng.randint(1, 5))
    rng.shuffle(lines)
    return "\n".join(lines) + "\n", planted


def write_tree(root: str, files: int, per_folder: int, seed: int) -> tuple:
    v = corpus.Values(seed)
    total = planted = 0
    per_folder = max(1, per_folder)
    for i in range(files):
        folder = os.path.join(root, f"d{i // per_folder:05d}")
        if i % per_folder == 0:
            os.makedirs(folder, exist_ok=True)
        text, n = _small_doc(v)
        data = text.encode("utf-8")
        with open(os.path.join(folder, f"f{i:07d}.txt"), "wb") as fh:
            fh.write(data)
        total += len(data)
        planted += n
    return total, planted


def prepare(base: str, case: str, a) -> dict:
    """Generate the case's data under base/case (reused when the parameters match)."""
    params = {"v": DATA_VERSION, "case": case, "seed": a.seed}
    if case == "huge":
        params["bytes"] = int(a.size_gb * 1e9)
    elif case in ("long-line", "json-line"):
        params["bytes"] = int(a.long_line_mb * MB)
    else:
        params.update(files=a.files, per_folder=a.per_folder)
    folder = os.path.join(base, case)
    marker = os.path.join(base, f"{case}.json")
    if os.path.exists(marker):
        with open(marker) as fh:
            info = json.load(fh)
        if info.get("params") == params:
            return info
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    t0 = time.perf_counter()
    if case == "huge":
        nbytes, planted = write_big(os.path.join(folder, "huge.log"), params["bytes"], a.seed, one_line=False)
        target, nfiles = os.path.join(folder, "huge.log"), 1
    elif case == "long-line":
        nbytes, planted = write_big(os.path.join(folder, "one-line.txt"), params["bytes"], a.seed + 1, one_line=True)
        target, nfiles = os.path.join(folder, "one-line.txt"), 1
    elif case == "json-line":
        nbytes, planted = write_big(os.path.join(folder, "staff.json"), params["bytes"], a.seed + 2, one_line=True,
                                    records=True)
        target, nfiles = os.path.join(folder, "staff.json"), 1
    else:
        nbytes, planted = write_tree(folder, a.files, a.per_folder, a.seed)
        target, nfiles = folder, a.files
    info = {"params": params, "target": target, "bytes": nbytes, "files": nfiles, "planted": planted,
            "generated_s": round(time.perf_counter() - t0, 1)}
    with open(marker, "w") as fh:
        json.dump(info, fh)
    return info


# ------------------------------------------------------------------ process tree sampling (/proc)
def _read_status(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:", "PPid:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])          # kB (PPid: a pid)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list:
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    kids += [int(x) for x in fh.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


_HAVE_CHILDREN_FILE = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def process_tree(root: int) -> list:
    """root and all its descendants."""
    if _HAVE_CHILDREN_FILE:
        out, todo = [], [root]
        while todo:
            p = todo.pop()
            out.append(p)
            todo += _children(p)
        return out
    parent = {}
    for name in os.listdir("/proc"):          # kernel without CONFIG_PROC_CHILDREN: PPid of every process
        if name.isdigit():
            try:
                parent[int(name)] = _read_status(int(name)).get("PPid")
            except OSError:
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += [c for c, pp in parent.items() if pp == p]
    return out


def _role(pid: int, root: int) -> str:
    if pid == root:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return "?"
    if "forkserver" in cmd:
        return "forkserver"
    if "resource_tracker" in cmd:
        return "resource_tracker"
    return "worker"


class Sampler:
    def __init__(self, root: int):
        self.root = root
        self.samples = []              # (t, total_rss_kB, total_pss_kB)
        self.per_pid = {}              # pid -> [role, peak VmHWM kB]

    def sample(self, t: float, with_pss: bool = True) -> None:
        rss = pss = 0
        for pid in process_tree(self.root):
            try:
                st = _read_status(pid)
            except OSError:             # exited between listing and reading
                continue
            if "VmRSS" not in st:       # zombie
                continue
            rss += st["VmRSS"]
            if with_pss:
                pss += _pss_kb(pid)
            entry = self.per_pid.get(pid)
            if entry is None:
                entry = self.per_pid[pid] = [_role(pid, self.root), 0]
            entry[1] = max(entry[1], st.get("VmHWM", 0), st["VmRSS"])
        self.samples.append((t, rss, pss))

    def peak_rss(self) -> int:
        return max((s[1] for s in self.samples), default=0)

    def peak_pss(self) -> int:
        return max((s[2] for s in self.samples), default=0)

    def quarters(self, elapsed: float) -> list:
        q = [0, 0, 0, 0]
        for t, rss, _ in self.samples:
            i = min(3, int(4 * t / elapsed)) if elapsed > 0 else 0
            q[i] = max(q[i], rss)
        return q


# ------------------------------------------------------------------ one run
def run_cli(a, info: dict, mode: str, work: str) -> dict:
    report = os.path.join(work, f"report-{os.getpid()}-{mode}.json")
    cmd = [a.python, "-m", "dataguard", "scan", info["target"], "--format", "json", "-o", report, "--quiet"]
    if mode == "no-ner":
        cmd.append("--no-ner")
    if a.workers:
        cmd += ["--workers", str(a.workers)]
    env = dict(os.environ, DATAGUARD_HMAC_KEY=HMAC_KEY)   # no key file created in the user's state folder
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    err_path = os.path.join(work, f"stderr-{mode}.txt")
    with open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=repo)
        sampler = Sampler(proc.pid)
        while proc.poll() is None:
            try:
                sampler.sample(time.perf_counter() - t0, with_pss=not a.no_pss)
            except OSError:
                pass
            time.sleep(a.interval)
        elapsed = time.perf_counter() - t0
    out = {"mode": mode, "exit": proc.returncode, "elapsed": elapsed, "sampler": sampler}
    try:
        with open(report) as fh:
            rep = json.load(fh)
        os.unlink(report)
    except (OSError, ValueError):
        rep = None
    if rep is not None:
        out["findings"] = len(rep.get("findings", []))
        out["errors"] = [e.get("kind") for e in rep.get("errors", [])]
        out["skipped"] = len(rep.get("skipped", []))
        out["scan_s"] = rep.get("scan", {}).get("stats", {}).get("duration_s") or rep.get("stats", {}).get("duration_s")
    with open(err_path, "rb") as fh:
        out["stderr"] = fh.read()[-2000:].decode("utf-8", "replace")
    return out


def _mb(kb: int) -> float:
    return kb * 1024 / MB


def print_run(case: str, info: dict, r: dict, budget_mb: float) -> float:
    s = r["sampler"]
    rss, pss = _mb(s.peak_rss()), _mb(s.peak_pss())
    errs = r.get("errors") or []
    kinds = {}
    for k in errs:
        kinds[k] = kinds.get(k, 0) + 1
    desc = {"huge": f"huge file {info['bytes']/1e9:.2f} GB", "long-line": f"one line {info['bytes']/MB:.1f} MB",
            "json-line": f"one-line JSON {info['bytes']/MB:.1f} MB",
            "tree": f"{info['files']} files {info['bytes']/MB:.1f} MB"}[case]
    rate = info["bytes"] / r["elapsed"] / MB
    print(f"{desc:26s} {r['mode']:8s}: {r['elapsed']:7.1f}s = {rate:6.2f} MB/s, exit {r['exit']}, "
          f"{r.get('findings', '?')} findings, {len(errs)} errors{' ' + json.dumps(kinds) if kinds else ''}; "
          f"peak RSS total {rss:6.0f} MB = {rss / budget_mb:4.2f} x budget, PSS total {pss:6.0f} MB")
    roles = {}
    for pid, (role, hwm) in sorted(s.per_pid.items()):
        roles.setdefault(role, []).append(_mb(hwm))
    per = ", ".join(f"{role} " + "/".join(f"{v:.0f}" for v in vals) for role, vals in roles.items())
    q = " / ".join(f"{_mb(v):.0f}" for v in s.quarters(r["elapsed"]))
    print(f"  peak RSS per process (MB): {per}; total by quarter of the run (MB): {q}; {len(s.samples)} samples")
    if "timeout" in kinds:
        print("  WARNING: the item hit its time budget (timeout): it was not read to the end, MB/s is not meaningful")
    if r["exit"] not in (0, 1) or r.get("findings") is None:
        print("  stderr (end):\n    " + r["stderr"].strip().replace("\n", "\n    "))
    return rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-gb", type=float, default=2.0, help="size of the huge log file (default 2)")
    ap.add_argument("--long-line-mb", type=float, default=16.0, help="size of each single-line file (0: skip them)")
    ap.add_argument("--files", type=int, default=100_000, help="number of small files in the tree case")
    ap.add_argument("--per-folder", type=int, default=1000, help="files per folder in the tree case")
    ap.add_argument("--cases", default="huge,long-line,json-line,tree",
                    help="comma-separated: huge, long-line, json-line, tree")
    ap.add_argument("--modes", default="default,no-ner", help="comma-separated: default (NER on), no-ner")
    ap.add_argument("--workers", type=int, help="passed as --workers (default: the CLI's default, one per core)")
    ap.add_argument("--dir", help="generate (or reuse) the data in this folder (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    ap.add_argument("--interval", type=float, default=0.2, help="sampling interval in seconds")
    ap.add_argument("--budget-mb", type=float, default=1000.0, help="memory budget (default 1 GB = 1000 MB)")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs dataguard (default: this one)")
    ap.add_argument("--no-pss", action="store_true", help="do not read smaps_rollup (PSS) at each sample")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    cases = [c.strip() for c in a.cases.split(",") if c.strip()]
    modes = [m.strip() for m in a.modes.split(",") if m.strip()]
    for c in cases:
        if c not in ("huge", "long-line", "json-line", "tree"):
            ap.error(f"unknown case {c!r}")
    for m in modes:
        if m not in ("default", "no-ner"):
            ap.error(f"unknown mode {m!r}")
    if a.long_line_mb <= 0:
        cases = [c for c in cases if c not in ("long-line", "json-line")]

    base = a.dir or tempfile.mkdtemp(prefix="dataguard-bench-mem-")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="dataguard-bench-mem-out-")
    print(f"data: {base}; machine: {os.cpu_count()} cores; workers: {a.workers or 'CLI default (cores)'}; "
          f"budget {a.budget_mb:.0f} MB; sampling every {a.interval:g}s (MB = 10^6 bytes)")
    worst = 0.0
    try:
        for case in cases:
            info = prepare(base, case, a)
            print(f"{case}: {info['target']}: {info['files']} file(s), {info['bytes']/MB:.1f} MB, "
                  f"{info['planted']} planted values (generated in {info['generated_s']}s)")
            for mode in modes:
                r = run_cli(a, info, mode, work)
                worst = max(worst, print_run(case, info, r, a.budget_mb))
        print(f"worst peak RSS total: {worst:.0f} MB = {worst / a.budget_mb:.2f} x the {a.budget_mb:.0f} MB budget: "
              f"{'within' if worst < a.budget_mb else 'OVER'} budget")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not a.dir and not a.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

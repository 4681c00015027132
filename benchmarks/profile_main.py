"""Main-process cost of a scan, without detection.

    python benchmarks/profile_main.py record CORPUS      # once: real --no-ner detection, matches saved
    python benchmarks/profile_main.py extract CORPUS     # items + sniffing + decoding + chunking only
    python benchmarks/profile_main.py scan CORPUS        # whole run_scan, detection replayed from the record
    python benchmarks/profile_main.py scan CORPUS --profile   # same under pyinstrument

Everything a scan does in its main process (item iteration, sniffing, decoding,
chunking, aggregation, rule evaluation) is timed in CPU seconds; detection is
replayed from the matches ``record`` saved (handed out in the order the chunks
come, as a scan is deterministic), so the numbers do not depend on the speed of
the detector.  ``record`` also saves a digest of every chunk and the findings:
``extract`` and ``scan`` check that they come out identical (behaviour must not
change when the code gets faster).  Re-record after a change of the detector.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dataguard.hashing import Hasher  # noqa: E402
from dataguard.scanner import ScanOptions, run_scan  # noqa: E402
from dataguard.sources import SourceOptions, open_target  # noqa: E402
from dataguard.types import Limits  # noqa: E402

KEY = b"profile-main-fixed-key-0123456789"


def _chunk_key(chunk) -> tuple:
    return (chunk.unit.key, chunk.keep_start, chunk.keep_end, chunk.first_line,
            hashlib.sha1(chunk.text.encode("utf-8", "surrogatepass")).hexdigest(),
            chunk.anchors, chunk.context, chunk.hint)


def iterate(root: str) -> list:
    """Every chunk and every problem, in scan order (no detection)."""
    out = []
    for item in open_target(root, SourceOptions()).items():
        if hasattr(item, "chunks"):
            out.extend(item.chunks(Limits()))
        else:
            out.append(item)
    return out


def keys(pieces: list) -> list:
    return [_chunk_key(p) if hasattr(p, "text") else ("problem", p) for p in pieces]


class ReplayDetector:
    """Hands out the recorded matches in the order the chunks were analysed (a scan is deterministic)."""
    ner_enabled = False

    def __init__(self, matches: list):
        self.matches = iter(matches)

    def analyze(self, chunks):
        for c in chunks:
            yield c, next(self.matches)

    def fingerprint(self) -> str:
        return "replay"


def _packs_and_kwargs():
    """The rule packs and detector settings of ``dataguard scan --no-ner`` with its defaults."""
    from dataguard.settings import Flags, build_settings
    settings = build_settings(Flags(targets=(os.path.dirname(os.path.abspath(__file__)),), no_ner=True),
                              stdout_is_tty=False)
    return settings.scan.packs, settings.scan.detector_kwargs


def _scan(root: str, detector, packs, kwargs) -> object:
    opts = ScanOptions(targets=[(root, SourceOptions())], packs=packs, detector_kwargs=kwargs, workers=1,
                       max_evidence=10)
    return run_scan(opts, Hasher(KEY), detector=detector)


def _findings_digest(res) -> list:
    """What must not change: findings with their evidence, errors and skipped items."""
    return ([repr((f.fingerprint, f.rule_id, f.severity, sorted(f.entities.items()), f.evidence,
                   f.evidence_truncated)) for f in res.findings]
            + [repr(p) for p in [*res.errors, *res.skipped]])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["record", "extract", "scan"])
    ap.add_argument("corpus")
    ap.add_argument("--record-file", default="/tmp/dataguard-profile-main.pkl")
    ap.add_argument("--profile", action="store_true", help="run under pyinstrument and print its report")
    args = ap.parse_args()
    root = os.path.abspath(args.corpus)

    if args.mode == "record":
        from dataguard.detect import Detector
        packs, kwargs = _packs_and_kwargs()
        det = Detector(**kwargs)
        matches = []

        class Recorder:
            ner_enabled = False

            def analyze(self, chunks):
                for c, ms in det.analyze(chunks):
                    matches.append(ms)
                    yield c, ms
        res = _scan(root, Recorder(), packs, kwargs)
        rec = {"chunks": keys(iterate(root)), "matches": matches, "findings": _findings_digest(res)}
        with open(args.record_file, "wb") as fh:
            pickle.dump(rec, fh)
        print(f"recorded {len(rec['chunks'])} chunks/problems, {sum(map(len, matches))} matches, "
              f"{len(res.findings)} findings")
        return

    with open(args.record_file, "rb") as fh:
        rec = pickle.load(fh)
    packs, kwargs = _packs_and_kwargs()      # (not timed: imports and rule loading happen once per scan)
    profiler = None
    if args.profile:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.0005)
        profiler.start()
    t0 = time.process_time()
    if args.mode == "extract":
        out = iterate(root)
    else:
        out = _scan(root, ReplayDetector(rec["matches"]), packs, kwargs)
    cpu = time.process_time() - t0
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.mode == "extract":
        same = keys(out) == rec["chunks"]
    else:
        same = _findings_digest(out) == rec["findings"]
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)
    print(f"{args.mode}: {cpu:.2f} s CPU for {size / 1e6:.1f} MB ({cpu / (size / 1e7):.2f} s per 10 MB); "
          f"identical to record: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()

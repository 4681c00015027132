"""Large inputs are streamed: a 50 MB log and a 5 MB single line, scanned completely with
bounded memory, values at the very end found, line numbers exact."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.model

CARD = "4111 1111 1111 1111"


def _scan_subprocess(target, *args):
    """A scan in a new interpreter: exit code, report, and the peak RSS of the scanning process
    (its own high-water mark: ``ru_maxrss`` would carry the test runner's across exec) or of
    its largest worker."""
    code = (
        "import resource, sys, runpy\n"
        "sys.argv = ['dataguard'] + sys.argv[1:]\n"
        "try:\n"
        "    runpy.run_module('dataguard', run_name='__main__')\n"
        "finally:\n"
        "    own = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "    print('PEAK_RSS_KB', max(own, workers), file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code, "scan", str(target), "--format", "json", "--workers", "1",
                        "--max-evidence", "all", "-q", *args], capture_output=True, text=True, timeout=900)
    peak = int(p.stderr.rsplit("PEAK_RSS_KB", 1)[1].split()[0])
    return p.returncode, json.loads(p.stdout), peak


def test_50mb_log_scanned_completely_with_bounded_memory(tmp_path):
    log = tmp_path / "big.log"
    line = "2026-11-02T08:14:07Z INFO worker heartbeat ok queue=reports latency_ms=12 status=green\n"
    n = 50 * 1024 * 1024 // len(line)
    with open(log, "w") as fh:
        fh.write(f"start card {CARD}\n")
        for i in range(n):
            fh.write(line)
            if i == n // 2:
                fh.write(f"middle card {CARD}\n")
        fh.write(f"end card {CARD}\n")
    total_lines = n + 3
    code, report, peak_kb = _scan_subprocess(log, "--no-ner")
    assert code == 1
    card = [f for f in report["findings"] if f["rule_id"] == "DG-009"][0]
    assert [e["line"] for e in card["evidence"]] == [1, n // 2 + 3, total_lines]
    assert report["scan"]["stats"]["bytes_scanned"] == log.stat().st_size
    assert peak_kb < 1024 * 1024, f"peak RSS {peak_kb} KB"


def test_5mb_single_line_with_ner(tmp_path):
    f = tmp_path / "one_line.json"
    filler = '{"k": "the quick brown fox jumps over the lazy dog"}, '
    body = filler * (5 * 1024 * 1024 // len(filler))
    f.write_text("[" + body + f'{{"card": "{CARD}"}}, ' + body + f'{{"owner": "Amina Yusuf", "card": "{CARD}"}}]')
    code, report, peak_kb = _scan_subprocess(f)
    assert code == 1
    card = [x for x in report["findings"] if x["rule_id"] == "DG-009"][0]
    assert card["entities"]["CREDIT_CARD"]["count"] == 2
    assert all(e["line"] == 1 for e in card["evidence"])
    assert peak_kb < 1024 * 1024

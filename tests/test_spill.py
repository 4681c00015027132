"""SpillList (what a scan collects, kept out of memory) and the streamed report writers."""
from __future__ import annotations

import json
import pickle
import random
import re
import tracemalloc

import pytest

from dataguard import __version__
from dataguard.report import render, write_atomic, write_report
from dataguard.report.formats import to_dict
from dataguard.report.sarif import LEVEL
from dataguard.spill import SpillList
from dataguard.types import Evidence, Finding, Pointer, Problem, ScanResult, Site, TargetStatus, Unit


def test_a_spill_list_behaves_like_a_list():
    items = [{"n": i, "s": "é" * (i % 3)} for i in range(1000)]
    sl = SpillList(items[:10])
    sl.extend(items[10:])
    assert len(sl) == 1000 and sl and list(sl) == items and sl == items and items == sl
    assert sl[0] == items[0] and sl[-1] == items[-1] and sl[500] == items[500]
    assert sl[10:20] == items[10:20] and sl[:0] == [] and sl[990:5000] == items[990:]
    assert sl[-3:] == items[-3:] and sl[::100] == items[::100] and sl[5:2] == []
    with pytest.raises(IndexError):
        sl[1000]
    with pytest.raises(IndexError):
        sl[-1001]
    assert items[3] in sl and {"n": -1} not in sl
    assert sl != items[:-1] and sl != "not a list"
    empty = SpillList()
    assert len(empty) == 0 and not empty and list(empty) == [] and empty == [] and empty[:5] == []
    sl.close()
    assert len(sl) == 0 and list(sl) == []


def test_sort_orders_like_python_and_keeps_ties_in_insertion_order():
    rng = random.Random(7)
    words = ["", "a", "ab", "a\x00b", "b", "B", "é", "z", "\U0001F600", "日本", "a b"]
    rows = [(rng.randint(-3, 3), rng.choice(words), rng.choice(words), i) for i in range(3000)]

    def key(r):
        return (-r[0], r[1], r[2])

    sl = SpillList(rows, key=key)
    sl.sort()
    assert list(sl) == sorted(rows, key=key)        # Python's sort is stable: so must this be
    assert sl[0] == sorted(rows, key=key)[0] and sl[-1] == sorted(rows, key=key)[-1]
    with pytest.raises(RuntimeError):
        sl.append((0, "", "", -1))
    with pytest.raises(ValueError):
        SpillList([1, 2], key=lambda x: (x,) * x)


def test_items_are_not_kept_on_the_python_heap():
    """100 MB of items appended: the Python heap grows by a small fraction of it (SQLite's page
    cache is bounded separately and spills to a temporary file)."""
    tracemalloc.start()
    try:
        sl = SpillList(key=lambda x: (x[0],))
        base = tracemalloc.get_traced_memory()[0]
        for i in range(50_000):
            sl.append((i % 97, "x" * 2000))
        sl.sort()
        assert sum(1 for _ in sl) == 50_000
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000, peak
    assert sl[0][0] == 0 and sl[-1][0] == 96


# ---------------------------------------------------------------- streamed reports
def _result(n_findings: int, n_errors: int = 3) -> ScanResult:
    findings = SpillList()
    for i in range(n_findings):
        unit = Unit(target="/share", uri=f"/share/dossier {i}/note\u00e9 \"{i}\".txt", path=f"dossier {i}/x.txt",
                    member="a.zip!/b\nc.txt" if i % 2 else None)
        ev = tuple(Evidence(entity_type="EMAIL_ADDRESS", score=0.9, pointer=Pointer(line=j + 1, part="body"),
                            masked="j***@un.org", value_hash=f"h{i}-{j}", value=f"raw{i}-{j}@un.org")
                   for j in range(i % 4))
        findings.append(Finding(fingerprint=f"fp{i}", rule_id=f"R-{i % 3}", title="Titre « e-mail »\tx",
                                severity=("high", "medium", "low")[i % 3], measure="CM-MINIMISE", unit=unit,
                                entities={"EMAIL_ADDRESS": {"count": i % 4, "max_score": 0.9}}, evidence=ev,
                                evidence_truncated=bool(i % 2), remediation="réduire", exposure=None, owner="o"))
    errors = SpillList(Problem(uri=f"/share/bad{i}.pdf", kind="corrupt", message="cannot read\n") for i in range(n_errors))
    skipped = SpillList([Problem(uri="/share/img.png", kind="binary", skipped=True)])
    return ScanResult(scan_id="id-1", site=Site("Field office", "field"), started_at="2026-01-01T00:00:00Z",
                      finished_at="2026-01-01T00:01:00Z", complete=True,
                      targets=[TargetStatus(uri="/share", info={"k": [1, 2]})],
                      rule_packs=[{"pack": "p", "sha256": "0" * 64}],
                      stats={"items_scanned": 5, "items_unchanged": 0, "items_skipped": 1, "errors": n_errors,
                             "duration_s": 1.0}, findings=findings, errors=errors, skipped=skipped)


@pytest.mark.parametrize("n", [0, 1, 7])
@pytest.mark.parametrize("show_data", [False, True])
def test_streamed_json_is_the_report_as_one_document(n, show_data):
    r = _result(n, n_errors=n % 2 * 3)
    text = render(r, "json", show_data=show_data)
    assert text == json.dumps(to_dict(r, show_data), indent=2, ensure_ascii=False) + "\n"
    assert ("raw1-0@un.org" in text) == (show_data and n > 1)


@pytest.mark.parametrize("n", [0, 5])
def test_streamed_jsonl_has_one_finding_per_line_then_the_scan(n):
    r = _result(n)
    lines = render(r, "jsonl").splitlines()
    assert len(lines) == n + 1
    d = to_dict(r)
    ident = {"site": d["scan"]["site"], "scan_id": d["scan"]["id"]}
    assert [json.loads(x) for x in lines[:-1]] == [{**f, **ident} for f in d["findings"]]
    tail = json.loads(lines[-1])
    assert tail == {"schema_version": 1, "tool": d["tool"], "scan": d["scan"], "errors": d["errors"],
                    "skipped": d["skipped"]}
    assert lines[-1] == json.dumps(tail, ensure_ascii=False)       # laid out as json.dumps lays it out


@pytest.mark.parametrize("n", [0, 6])
def test_streamed_sarif_is_the_whole_sarif_document(n):
    r = _result(n)
    doc = json.loads(render(r, "sarif"))
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "dataguard" and run["tool"]["driver"]["version"] == __version__
    assert [x["id"] for x in run["tool"]["driver"]["rules"]] == list(dict.fromkeys(f.rule_id for f in r.findings))
    assert [x["partialFingerprints"]["dataguard/v1"] for x in run["results"]] == [f.fingerprint for f in r.findings]
    assert [x["level"] for x in run["results"]] == [LEVEL[f.severity] for f in r.findings]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == len(r.errors) + len(r.skipped)
    assert render(r, "sarif") == json.dumps(doc, indent=2) + "\n"     # byte for byte the document, ASCII-escaped


def test_table_csv_html_count_every_finding():
    r = _result(9)
    table = render(r, "table")
    assert "9 findings" in table and "Top locations (9 of 9 findings" in table
    assert "By severity: high 3, medium 3, low 3" in table
    assert render(r, "csv").count("\r\n") == 10
    assert render(r, "html").count("<tr data-severity=") == 9


def test_write_atomic_streams_a_writer_into_the_file(tmp_path):
    r = _result(4)
    out = tmp_path / "report.json"
    write_atomic(str(out), lambda fh: write_report(r, "json", fh))
    assert out.read_text(encoding="utf-8") == render(r, "json")
    assert (out.stat().st_mode & 0o777) == 0o600
    # a writer that fails leaves neither a partial report nor a temporary file
    def broken(fh):
        fh.write("{")
        raise RuntimeError("disk gone")
    with pytest.raises(RuntimeError):
        write_atomic(str(out), broken)
    assert out.read_text(encoding="utf-8") == render(r, "json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_extend_encoded_is_append_encoded_in_bulk():
    a = SpillList(key=lambda x: (x % 3,))
    b = SpillList(key=lambda x: (x % 3,))
    for i in range(20):
        a.append(i)
    b.extend_encoded([(pickle.dumps(i), [i % 3]) for i in range(20)])
    a.sort()
    b.sort()
    assert list(a) == list(b) == sorted(range(20), key=lambda x: x % 3)
    with pytest.raises(ValueError):
        SpillList(key=lambda x: (x,)).extend_encoded([(b"x", (1,)), (b"y", (1, 2))])

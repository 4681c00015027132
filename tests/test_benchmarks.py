"""The benchmark scripts still run against the code and the corpus generator they use: each
imports, and the memory benchmark's generators write what they say (its data once came from
corpus functions that had been renamed, and it failed before measuring anything)."""
from __future__ import annotations

import importlib
import json
import sys

import pytest

from tests.conftest import ROOT

BENCHMARKS = sorted(p.stem for p in (ROOT / "benchmarks").glob("*.py"))


@pytest.fixture(scope="module")
def benchmarks_path():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    yield
    sys.path.remove(str(ROOT / "benchmarks"))


@pytest.mark.parametrize("name", BENCHMARKS)
def test_every_benchmark_imports(benchmarks_path, name):
    module = importlib.import_module(name)
    assert module.__doc__, f"benchmarks/{name}.py says what it measures"


def test_the_memory_benchmark_writes_its_documents_records_and_files(benchmarks_path, tmp_path):
    import bench_memory
    size, planted = bench_memory.write_big(str(tmp_path / "huge.log"), 200_000, seed=3, one_line=False)
    text = (tmp_path / "huge.log").read_text(encoding="utf-8")
    assert size == len(text.encode("utf-8")) <= 200_000 and size > 190_000
    assert planted > 10 and "\n" in text
    size, planted = bench_memory.write_big(str(tmp_path / "line.txt"), 50_000, seed=3, one_line=True)
    assert "\n" not in (tmp_path / "line.txt").read_text(encoding="utf-8") and planted > 0
    size, planted = bench_memory.write_big(str(tmp_path / "export.json"), 20_000, seed=3, one_line=True, records=True)
    records = (tmp_path / "export.json").read_text(encoding="utf-8")
    first = json.loads(records[1:records.index("},") + 1])
    assert set(first) == {"id", "name", "email", "phone", "office", "note"} and planted > 30
    size, planted = bench_memory.write_tree(str(tmp_path / "tree"), 12, 5, seed=3)
    files = sorted((tmp_path / "tree").rglob("*.txt"))
    assert len(files) == 12 and len({f.parent for f in files}) == 3
    assert size == sum(f.stat().st_size for f in files) and planted > 0


def test_the_kinds_benchmark_writes_each_kind_and_measures_it(benchmarks_path, tmp_path):
    """Each kind of file is written at about the size asked, every value fresh, and measured."""
    bench_kinds = importlib.import_module("bench_kinds")
    done = bench_kinds.generate(str(tmp_path), mb=0.02, only={"ledger_csv", "hr_csv", "prose_ar"})
    assert sorted(done) == ["hr_csv", "ledger_csv", "prose_ar"]
    ledger = (tmp_path / "ledger_csv" / "ledger.csv").read_text().splitlines()
    assert len(ledger) > 100 and len(set(ledger)) == len(ledger)
    rows = {k: (mb, found) for k, mb, _, found in bench_kinds.measure(str(tmp_path), done)}
    assert all(0.015 < mb < 0.05 for mb, _ in rows.values()) and rows["hr_csv"][1] > 50

"""End to end with the real model: the CLI on the fixture share, exit codes, no leaks."""
from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, scan_started

pytestmark = pytest.mark.model

TEXT_SHARE = FIXTURES / "share"
EXPECTED = json.loads((FIXTURES / "expected_findings.json").read_text())
PLANTED = [l.strip() for l in (FIXTURES / "planted_values.txt").read_text().splitlines()
           if l.strip() and not l.startswith("#")]


def copy_tree(src: Path, dst: Path, mode: int = 0o640, skip=("documents",)) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*skip))
    for p in dst.rglob("*"):
        if p.is_file():
            p.chmod(mode)
    return dst


def triples(report) -> list:
    return sorted([f["location"]["path"] + ("!/" + f["location"]["member"] if f["location"]["member"] else ""),
                   f["rule_id"], sorted(f["entities"])] for f in report["findings"])


@pytest.fixture(scope="module")
def share_report(tmp_path_factory, run_cli):
    tmp = tmp_path_factory.mktemp("e2e")
    share = copy_tree(TEXT_SHARE, tmp / "share")
    out = tmp / "report.json"
    res = run_cli("scan", share, "--workers", "1", "--format", "json", "--output", out)
    return res, out


def test_fixture_share_gives_exactly_the_expected_findings(share_report):
    res, _ = share_report
    assert res.exit_code == 1, res.stderr
    assert triples(res.report) == sorted(EXPECTED["restricted"])


def test_decoys_and_clean_files_give_nothing(share_report):
    res, _ = share_report
    paths = {f["location"]["path"] for f in res.report["findings"]}
    assert not {p for p in paths if p.startswith("clean/")}


def test_no_planted_value_anywhere_in_the_report(share_report):
    _, out = share_report
    text = out.read_text()
    leaked = [v for v in PLANTED if v in text]
    assert leaked == []


def test_report_written_atomically_with_mode_0600(share_report):
    _, out = share_report
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".dataguard-")] == []


def test_evidence_locations_are_exact(share_report):
    res, _ = share_report
    by = {(f["location"]["path"], f["rule_id"]): f for f in res.report["findings"]}
    cards = by[("finance/payments.txt", "DG-009")]
    assert [(e["entity_type"], e["line"], e["masked"]) for e in cards["evidence"]] == [
        ("CREDIT_CARD", 3, "4111 **** **** 1111"), ("CREDIT_CARD", 4, "5500-****-****-5559")]
    secrets = by[("it/app.env", "DG-010")]
    assert sorted((e["entity_type"], e["line"]) for e in secrets["evidence"]) == [
        ("SECRET_AWS_KEY", 6), ("SECRET_AWS_KEY", 7), ("SECRET_PASSWORD", 5)]
    nhs = by[("ids/nhs_patients.xml", "DG-005")]          # UTF-16 file
    assert sorted(e["line"] for e in nhs["evidence"]) == [3, 4]


def test_show_data_reveals_values_only_when_asked(tmp_path, run_cli):
    share = copy_tree(TEXT_SHARE / "finance", tmp_path / "fin")
    res = run_cli("scan", share, "--workers", "1", "--format", "json", "--show-data")
    assert "4111 1111 1111 1111" in res.stdout
    res = run_cli("scan", share, "--workers", "1", "--format", "json")
    assert "4111 1111 1111 1111" not in res.stdout


def test_clean_folder_exits_0(tmp_path, run_cli):
    clean = copy_tree(TEXT_SHARE / "clean", tmp_path / "clean")
    res = run_cli("scan", clean, "--workers", "1", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.report["findings"] == [] and res.report["scan"]["complete"] is True
    assert [s["reason"] for s in res.report["skipped"]] == ["binary"]


def test_fail_on_threshold(tmp_path, run_cli):
    share = copy_tree(TEXT_SHARE / "hr", tmp_path / "hr")      # medium/low findings only
    assert run_cli("scan", share, "--workers", "1", "--format", "json").exit_code == 1
    assert run_cli("scan", share, "--workers", "1", "--format", "json", "--fail-on", "critical").exit_code == 0
    assert run_cli("scan", share, "--workers", "1", "--format", "json", "--fail-on", "never").exit_code == 0


def test_malformed_rule_pack_exit_2_names_file_rule_field(tmp_path, run_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: x\nversion: 1\nrules:\n  - id: X-1\n    title: t\n    severity: urgent\n"
                   "    measure: CM-ENCRYPT\n    match: {entities: [CREDIT_CARD]}\n")
    res = run_cli("scan", TEXT_SHARE / "clean", "--rules", bad, "--workers", "1")
    assert res.exit_code == 2
    assert str(bad) in res.stderr and "X-1" in res.stderr and "severity" in res.stderr
    res = run_cli("rules", "validate", bad)
    assert res.exit_code == 2 and "X-1" in res.stderr


def test_rules_validate_default_and_custom_pack(run_cli):
    res = run_cli("rules", "validate", ROOT / "rules", FIXTURES / "packs")
    assert res.exit_code == 0, res.stderr
    assert "OK" in res.stdout


def test_custom_pattern_from_a_rule_pack(tmp_path, run_cli):
    share = copy_tree(TEXT_SHARE / "custom", tmp_path / "custom")
    res = run_cli("scan", share, "--rules", FIXTURES / "packs" / "custom-case-numbers.yaml", "--workers", "1",
                  "--format", "json")
    assert res.exit_code == 1
    assert triples(res.report) == [["case_register.txt", "JUB-001", ["CASE_NUMBER"]]]
    assert res.report["findings"][0]["entities"]["CASE_NUMBER"]["count"] == 2


def test_missing_model_exit_2_and_no_ner_still_runs(tmp_path, run_cli, monkeypatch):
    from dataguard.detect import engine
    monkeypatch.setitem(engine.MODELS, "en", "dataguard_no_such_model")
    res = run_cli("scan", TEXT_SHARE / "finance", "--workers", "1")
    assert res.exit_code == 2 and "not installed" in res.stderr and "--no-ner" in res.stderr
    share = copy_tree(TEXT_SHARE / "finance", tmp_path / "fin")
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json")
    assert res.exit_code == 1
    assert ["payments.txt", "DG-009", ["CREDIT_CARD"]] in triples(res.report)


def test_jsonl_format(tmp_path, run_cli):
    share = copy_tree(TEXT_SHARE / "finance", tmp_path / "fin")
    res = run_cli("scan", share, "--workers", "1", "--format", "jsonl")
    lines = [json.loads(l) for l in res.stdout.splitlines()]
    assert "scan" in lines[-1] and all("rule_id" in l for l in lines[:-1]) and len(lines) > 1


def test_broad_exposure_raises_severity(open_tmp, run_cli):
    share = copy_tree(TEXT_SHARE, open_tmp / "share", mode=0o644)
    res = run_cli("scan", share, "--workers", "1", "--format", "json")
    got = triples(res.report)
    assert got == sorted(EXPECTED["broad"])
    sev = {(f["location"]["path"], f["rule_id"]): f["severity"] for f in res.report["findings"]}
    assert sev[("finance/payments.txt", "DG-009")] == "critical"
    assert sev[("legal/investigation_memo.txt", "DG-011")] == "critical"


def test_one_and_two_workers_give_identical_findings(tmp_path, run_cli):
    share = copy_tree(TEXT_SHARE, tmp_path / "share")
    one = run_cli("scan", share, "--workers", "1", "--format", "json").report
    two = run_cli("scan", share, "--workers", "2", "--format", "json").report
    strip = lambda r: json.dumps(r["findings"], sort_keys=True)  # noqa: E731
    assert strip(one) == strip(two)


def test_sigterm_writes_partial_report_and_exits_3(tmp_path):
    corpus = tmp_path / "corpus"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import generate
    generate(str(corpus), 3.0)
    out, log = tmp_path / "partial.json", tmp_path / "scan.log"
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "dataguard", "scan", str(corpus), "--workers", "1",
                             "--format", "json", "-o", str(out), "-q", "--log-file", str(log)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    scan_started(proc, log)        # ready: signal handlers installed, the target being scanned
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 3, err.decode()[-2000:]
    report = json.loads(out.read_text())
    assert report["scan"]["complete"] is False
    assert report["scan"]["targets"][0]["status"] == "partial"


def test_default_pack_is_in_the_wheel(tmp_path):
    """A plain (non-editable) install carries the default rule pack."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True)
    import zipfile
    wheel = next(tmp_path.glob("dataguard-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "dataguard/packs/default.yaml" in names and "dataguard/packs/un-identifiers.yaml" in names
    assert "dataguard/report/findings.schema.json" in names
    # every module of the source tree (a package left out of setup.cfg works only in a checkout)
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "dataguard").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules - set(names) == set()
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True)
    code = ("import dataguard.rules as r; p = r.default_pack_paths(); "
            "print(p[0]); assert 'site' in str(p[0]) and p[0].name == 'default.yaml'")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(target)},
                         cwd=str(tmp_path), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr

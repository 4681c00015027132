"""The real Samba server end to end (issue: SMB, exposure and age in the rules):
same findings over SMB as locally, exposure-driven severity, retention, bad credentials."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import require_env

pytestmark = [pytest.mark.integration, pytest.mark.model]


@pytest.fixture(scope="module")
def smb():
    host, port, user, password, root = require_env(
        "DATAGUARD_TEST_SMB_HOST", "DATAGUARD_TEST_SMB_PORT", "DATAGUARD_TEST_SMB_USER",
        "DATAGUARD_TEST_SMB_PASSWORD", "DATAGUARD_TEST_SMB_ROOT")
    return {"host": host, "port": port, "user": user, "password": password, "root": Path(root)}


def _comparable(report):
    out = []
    for f in report["findings"]:
        loc = f["location"]
        ev = sorted(tuple(str(e[k]) for k in ("entity_type", "line", "page", "sheet", "cell", "masked", "value_hash"))
                    for e in f["evidence"])
        out.append((loc["path"], loc["member"], f["rule_id"], f["severity"],
                    tuple(sorted((k, v["count"]) for k, v in f["entities"].items())), tuple(ev), f["exposure"]))
    return sorted(out, key=repr)


def _scan_smb(run_cli, smb, share, monkeypatch, *extra):
    monkeypatch.setenv("DATAGUARD_SMB_PASSWORD", smb["password"])
    uri = f"smb://{smb['user']}@{smb['host']}:{smb['port']}/{share}"
    return run_cli("scan", uri, "--workers", "1", "--format", "json", *extra)


@pytest.mark.parametrize("share", ["restricted", "public"])
def test_share_gives_the_same_findings_as_the_local_tree(run_cli, smb, share, monkeypatch):
    remote = _scan_smb(run_cli, smb, share, monkeypatch)
    local = run_cli("scan", smb["root"] / share, "--workers", "1", "--format", "json")
    assert remote.exit_code == local.exit_code == 1, remote.stderr
    assert remote.report["findings"], "the share holds planted values"
    assert _comparable(remote.report) == _comparable(local.report)
    uris = {f["location"]["uri"] for f in remote.report["findings"]}
    assert all(u.startswith(f"smb://{smb['host']}:{smb['port']}/{share}/") for u in uris)
    assert smb["password"] not in remote.stdout


def test_everyone_readable_share_is_broad_and_raises_severity(run_cli, smb, monkeypatch):
    pub = _scan_smb(run_cli, smb, "public", monkeypatch).report
    res = _scan_smb(run_cli, smb, "restricted", monkeypatch).report
    sev = lambda r, p, rule: {(f["location"]["path"], f["rule_id"]): f["severity"] for f in r["findings"]}.get((p, rule))  # noqa: E731
    assert sev(pub, "finance/payments.txt", "DG-009") == "critical"
    assert sev(res, "finance/payments.txt", "DG-009") == "high"
    assert {f["exposure"] for f in pub["findings"]} == {"broad"}
    assert {f["exposure"] for f in res["findings"]} == {"restricted"}
    assert ("finance/payments.txt", "DG-033") in {(f["location"]["path"], f["rule_id"]) for f in pub["findings"]}
    assert "DG-033" not in {f["rule_id"] for f in res["findings"]}
    assert sev(pub, "legal/investigation_memo.txt", "DG-011") == "critical"


def test_old_file_triggers_the_retention_rule(run_cli, smb, monkeypatch):
    rep = _scan_smb(run_cli, smb, "restricted", monkeypatch).report
    hits = [f for f in rep["findings"] if f["rule_id"] == "DG-014"]
    assert [f["location"]["path"] for f in hits] == ["archive/old_payroll_2015.txt"]


def test_wrong_password_exit_3_without_the_password(run_cli, smb, monkeypatch):
    monkeypatch.setenv("DATAGUARD_SMB_PASSWORD", "Wr0ng-Pa55word-xyz")
    uri = f"smb://{smb['user']}@{smb['host']}:{smb['port']}/restricted"
    res = run_cli("scan", uri, "--workers", "1", "--format", "json")
    assert res.exit_code == 3
    assert res.report["scan"]["complete"] is False
    assert res.report["scan"]["targets"][0]["status"] == "error"
    assert "Wr0ng-Pa55word-xyz" not in res.stdout + res.stderr


def test_unreachable_server_exit_3(run_cli, monkeypatch):
    monkeypatch.setenv("DATAGUARD_SMB_PASSWORD", "whatever-secret-1")
    res = run_cli("scan", "smb://someone@127.0.0.1:1/share", "--workers", "1", "--format", "json")
    assert res.exit_code == 3 and "whatever-secret-1" not in res.stdout + res.stderr


def test_config_file_drives_an_smb_scan(run_cli, smb, tmp_path, monkeypatch):
    monkeypatch.setenv("DG_TEST_SMB_PW", smb["password"])
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"""
site: {{name: Juba, kind: field}}
targets:
  - uri: smb://{smb['host']}:{smb['port']}/restricted
    username: {smb['user']}
    password_env: DG_TEST_SMB_PW
    include: ["finance/**"]
fail_on: critical
""")
    res = run_cli("scan", "--config", cfg, "--workers", "1", "--format", "json")
    assert res.exit_code == 0, res.stderr          # high findings only; fail_on critical
    assert res.report["scan"]["site"] == "Juba" and res.report["scan"]["site_kind"] == "field"
    assert {f["location"]["path"] for f in res.report["findings"]} == {"finance/payments.txt"}

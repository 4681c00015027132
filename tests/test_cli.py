"""CLI behaviour for unattended runs: help texts, lock, time budget, log file, bad usage."""
from __future__ import annotations

import os
import stat

import click
import pytest

from dataguard.cli import main
from tests.conftest import FIXTURES


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [p for p, _ in _commands(main)], ids=lambda p: " ".join(p))
def test_every_command_has_help(path, run_cli):
    res = run_cli(*path, "--help")
    assert res.exit_code == 0 and "Usage:" in res.stdout
    cmd = dict(_commands(main))[path]
    assert cmd.help, f"{path} has no help text"
    for param in cmd.params:
        if isinstance(param, click.Option):
            assert param.help, f"{path} option {param.name} has no help"


def test_no_target_is_usage_error(run_cli):
    res = run_cli("scan")
    assert res.exit_code == 2 and "no target" in res.stderr


@pytest.mark.model
def test_second_run_on_same_state_exits_3(tmp_path, run_cli):
    from dataguard.state import StateStore
    state = tmp_path / "state.db"
    holder = StateStore(str(state), "held")
    try:
        res = run_cli("scan", FIXTURES / "share" / "clean", "--state", state, "--no-ner", "--workers", "1")
        assert res.exit_code == 3 and "another dataguard run" in res.stderr
    finally:
        holder.close()


@pytest.mark.model
def test_log_file_and_state_rescan(tmp_path, run_cli):
    share = tmp_path / "s"
    share.mkdir()
    (share / "cards.txt").write_text("card 4111 1111 1111 1111\n")
    log = tmp_path / "dg.log"
    state = tmp_path / "state.db"
    args = ("scan", share, "--no-ner", "--workers", "1", "--state", state, "--log-file", log, "--format", "json")
    first = run_cli(*args)
    second = run_cli(*args)
    assert first.exit_code == second.exit_code == 1
    assert second.report["scan"]["stats"]["items_unchanged"] == 1
    assert [f["fingerprint"] for f in first.report["findings"]] == [f["fingerprint"] for f in second.report["findings"]]
    text = log.read_text()
    assert "scan complete" in text and "4111" not in text
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600


def test_config_output_folder_keeps_the_last_reports(tmp_path, run_cli):
    """output.keep_last: the oldest reports of the site's series are deleted, others untouched."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "note.txt").write_text("Contact jane.doe@unhcr.org about the visit.\n")
    reports = tmp_path / "reports"
    reports.mkdir()
    old = [f"dataguard-Juba-2025010{i}T010000Z.json" for i in range(1, 4)]
    others = ["dataguard-Goma-20250101T010000Z.json", "notes.txt"]
    for name in old + others:
        (reports / name).write_text("{}")
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"site: {{name: Juba, kind: field}}\ntargets: [{{uri: {tmp_path / 'data'}}}]\n"
                   f"output: {{folder: {reports}, format: json, keep_last: 2}}\n")
    res = run_cli("scan", "--config", cfg, "--workers", "1", "--no-ner")
    assert res.exit_code == 1, res.stderr
    left = sorted(p.name for p in reports.iterdir())
    juba = [n for n in left if n.startswith("dataguard-Juba-")]
    assert len(juba) == 2 and old[-1] in juba and old[0] not in juba and old[1] not in juba
    new = next(n for n in juba if n != old[-1])
    assert (reports / new).stat().st_mode & 0o777 == 0o600 and '"findings"' in (reports / new).read_text()
    assert set(others) <= set(left)

"""CLI behaviour for unattended runs: help texts, lock, time budget, log file, bad usage."""
from __future__ import annotations

import os
import stat

import click
import pytest

from dataguard.cli import main, parse_duration
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


def test_parse_duration():
    assert [parse_duration(x) for x in ("90", "90s", "45m", "2h", "1h30m")] == [90, 90, 2700, 7200, 5400]
    with pytest.raises(click.BadParameter):
        parse_duration("soon")


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

"""Flags + configuration file -> ScanSettings; building reads only, prepare() writes."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from dataguard import defaults
from dataguard.config import load_config
from dataguard.settings import Flags, SettingsError, build_settings, prepare
from dataguard.vocab import FORMATS

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _config(tmp_path, text: str):
    path = tmp_path / "dataguard.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_when_nothing_is_given(tmp_path):
    s = build_settings(Flags(targets=(str(tmp_path),), no_ner=True), stdout_is_tty=False, now=NOW)
    assert s.fmt == "json" and s.output is None and s.fail_on == defaults.FAIL_ON
    assert s.scan.max_evidence == defaults.MAX_EVIDENCE and s.scan.limits.sample_rows == defaults.SAMPLE_ROWS
    (uri, opts), = s.scan.targets
    assert uri == str(tmp_path) and opts.sample_rows == defaults.SAMPLE_ROWS
    assert opts.statement_timeout_s == defaults.STATEMENT_TIMEOUT_S and opts.sample_seed == defaults.SAMPLE_SEED
    assert build_settings(Flags(targets=("x",), no_ner=True), stdout_is_tty=True).fmt == "table"


def test_flags_override_the_file(tmp_path):
    cfg = _config(tmp_path, "fail_on: high\nmax_evidence: 3\nsample_rows: all\nmax_duration: 90m\nno_ner: true\n"
                            f"targets: [{{uri: {tmp_path}}}]\n")
    s = build_settings(Flags(config_path=cfg), stdout_is_tty=False)
    assert (s.fail_on, s.scan.max_evidence, s.scan.limits.sample_rows, s.scan.max_duration_s) == ("high", 3, None, 5400)
    s = build_settings(Flags(config_path=cfg, fail_on="info", max_evidence="all", sample_rows="5",
                             max_duration="2h"), stdout_is_tty=False)
    assert (s.fail_on, s.scan.max_evidence, s.scan.limits.sample_rows, s.scan.max_duration_s) == ("info", None, 5, 7200)


@pytest.mark.parametrize("flags, word", [
    (dict(max_evidence="many"), "--max-evidence"), (dict(sample_rows="-1"), "--sample-rows"),
    (dict(max_duration="soon"), "--max-duration"), (dict(targets=()), "no target")])
def test_bad_flags_are_settings_errors(flags, word):
    with pytest.raises(SettingsError, match=word):
        build_settings(Flags(**{"targets": ("x",), "no_ner": True, **flags}), stdout_is_tty=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_config_accepts_every_output_format(tmp_path, fmt):
    cfg = _config(tmp_path, f"output: {{folder: reports, format: {fmt}}}\nno_ner: true\nsite: {{name: Juba}}\n")
    assert load_config(cfg).output.format == fmt
    s = build_settings(Flags(targets=("x",), config_path=cfg), stdout_is_tty=False, now=NOW)
    ext = "txt" if fmt == "table" else fmt
    assert s.fmt == fmt and s.output == str(tmp_path / "reports" / f"dataguard-Juba-20260102T030405Z.{ext}")


def test_building_writes_nothing_prepare_creates_folder_and_key(tmp_path):
    cfg = _config(tmp_path, "output: {folder: out/reports, keep_last: 2}\nno_ner: true\n")
    key = tmp_path / "hmac.key"
    key.write_text("k" * 32, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    s = build_settings(Flags(targets=("x",), config_path=cfg, hmac_key_file=str(key)), stdout_is_tty=False)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    assert s.output_folder == str(tmp_path / "out" / "reports") and s.keep_last == 2
    hasher = prepare(s)
    assert (tmp_path / "out" / "reports").is_dir() and (tmp_path / "out" / "reports").stat().st_mode & 0o777 == 0o700
    assert hasher.hash("EMAIL_ADDRESS", "a@b.org") != hasher.hash("EMAIL_ADDRESS", "c@d.org")


def test_prepare_reports_a_bad_key_file(tmp_path):
    s = build_settings(Flags(targets=("x",), no_ner=True, hmac_key_file=str(tmp_path / "missing")),
                       stdout_is_tty=False)
    with pytest.raises(SettingsError, match="HMAC key"):
        prepare(s)


def test_flags_of_ignores_non_flag_parameters():
    assert Flags.of({"targets": ("a",), "quiet": True, "log_file": None}) == Flags(targets=("a",))


def test_countries_reach_the_detector(tmp_path):
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text("countries: [ML, CO]\nphone_regions: [SN, ML]\n")
    kw = build_settings(Flags(targets=("x",), config_path=cfg, no_ner=True), stdout_is_tty=False).scan.detector_kwargs
    assert kw["countries"] == ("ML", "CO") and kw["phone_regions"] == ("ML", "CO", "SN")
    assert any(entity == "PHONE_NUMBER" and "teléfono" in words for entity, words in kw["context"])
    default = build_settings(Flags(targets=("x",), no_ner=True), stdout_is_tty=False).scan.detector_kwargs
    assert default["countries"] == default["phone_regions"] == ("US", "GB", "FR", "CH", "KE")


def test_pack_paths_add_site_packs_to_the_built_in_ones(tmp_path):
    from dataguard.rules import default_pack_paths
    from dataguard.settings import pack_paths
    built_in = [str(p) for p in default_pack_paths()]
    site = str(tmp_path / "site.yaml")
    assert [str(p) for p in pack_paths([site])] == built_in + [site]
    assert [str(p) for p in pack_paths([site, "default"])] == [site] + built_in
    assert [str(p) for p in pack_paths([site], no_default_rules=True)] == [site]
    assert [str(p) for p in pack_paths(["default", "default"], no_default_rules=True)] == built_in
    with pytest.raises(SettingsError, match="no rule pack"):
        pack_paths([], no_default_rules=True)


def test_checks_before_any_work_name_the_place(tmp_path):
    target = str(tmp_path)
    with pytest.raises(SettingsError, match="is a folder"):
        build_settings(Flags(targets=(target,), no_ner=True, output=str(tmp_path)), stdout_is_tty=False)
    with pytest.raises(SettingsError, match="state file .*does not exist"):
        build_settings(Flags(targets=(target,), no_ner=True, state_path=str(tmp_path / "x" / "s.db")),
                       stdout_is_tty=False)
    cfg = _config(tmp_path, "output: {folder: new/reports}\nno_ner: true\n")
    s = build_settings(Flags(targets=(target,), config_path=cfg), stdout_is_tty=False, now=NOW)
    assert s.output.startswith(str(tmp_path / "new" / "reports")) and not (tmp_path / "new").exists()


def test_a_site_name_with_a_slash_names_one_file_in_the_output_folder(tmp_path):
    """'Juba/Field 1' made the report path a folder that does not exist: the whole scan ran, then
    'cannot write report', exit 2."""
    cfg = _config(tmp_path, "output: {folder: reports}\nno_ner: true\nsite: {name: 'Juba/Field 1'}\n")
    s = build_settings(Flags(targets=("x",), config_path=cfg), stdout_is_tty=False, now=NOW)
    assert s.output == str(tmp_path / "reports" / "dataguard-Juba_Field_1-20260102T030405Z.json")


def test_a_very_long_site_name_still_names_a_file(tmp_path):
    cfg = _config(tmp_path, "output: {folder: reports}\nno_ner: true\nsite: {name: '" + "K" * 300 + "'}\n")
    s = build_settings(Flags(targets=("x",), config_path=cfg), stdout_is_tty=False, now=NOW)
    assert len(os.path.basename(s.output)) < 255


@pytest.mark.parametrize("text, field", [
    ("state: nowhere/state.db\n", "state"),
    ("hmac_key_file: keys/missing.key\n", "hmac_key_file"),
    ("baseline: missing-baseline.yaml\n", "baseline"),
    ("signing_key: missing.key\noutput: {folder: reports}\n", "signing_key"),
    ("rules: [missing-pack.yaml]\n", "rules"),
    ("targets: [{uri: /data}, {uri: 'ftp://fs01/x'}]\n", "targets[1].uri"),
])
def test_a_bad_place_from_the_configuration_names_the_file_and_its_field(tmp_path, text, field):
    """A cron job's scan says which line of which file to fix, as 'dataguard config check' does."""
    cfg = _config(tmp_path, "no_ner: true\n" + text)
    targets = () if "targets" in text else (str(tmp_path),)
    with pytest.raises(SettingsError) as ei:
        prepare(build_settings(Flags(targets=targets, config_path=cfg), stdout_is_tty=False, now=NOW))
    assert str(ei.value).startswith(f"{cfg}: {field}: "), str(ei.value)


def test_a_bad_place_from_a_flag_names_the_flag_value_not_the_configuration(tmp_path):
    cfg = _config(tmp_path, "no_ner: true\nstate: s.db\n")
    with pytest.raises(SettingsError) as ei:
        build_settings(Flags(targets=(str(tmp_path),), config_path=cfg, state_path=str(tmp_path / "x" / "s.db")),
                       stdout_is_tty=False, now=NOW)
    assert str(ei.value).startswith("state file ") and str(cfg) not in str(ei.value)

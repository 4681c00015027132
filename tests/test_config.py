"""Site configuration file: strict validation, env-var passwords, examples."""
from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

EXAMPLE_ENV = {
    "DATAGUARD_JUBA_SMB_PASSWORD": "juba-Secret-123",
    "DATAGUARD_HQ_SMB_PASSWORD": "hq-Secret-456",
    "DATAGUARD_HQ_PG_PASSWORD": "pg-Secret-789",
    "DATAGUARD_HQ_MYSQL_PASSWORD": "my-Secret-000",
}


def _write(tmp_path, text, name="dataguard.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture
def example_env(monkeypatch):
    for k, v in EXAMPLE_ENV.items():
        monkeypatch.setenv(k, v)


def test_field_example_validates(example_env):
    cfg = load_config(EXAMPLES / "dataguard-field.yaml")
    assert cfg.site.kind == "field"
    assert cfg.countries == ["SS", "KE", "UG"] and cfg.phone_regions == ["SD"]
    smb = cfg.targets[0]
    opts = cfg.source_options_for(smb)
    assert opts["smb_username"] == "svc-dataguard"
    assert opts["smb_password"] == EXAMPLE_ENV["DATAGUARD_JUBA_SMB_PASSWORD"]
    assert "**/*.iso" in opts["exclude"]
    assert "smb_password" not in cfg.source_options_for(cfg.targets[1])
    assert cfg.max_duration_seconds == 7200


def test_hq_example_validates(example_env):
    cfg = load_config(EXAMPLES / "dataguard-hq.yaml")
    assert cfg.site.kind == "hq"
    kinds = [t.uri.split("://")[0] for t in cfg.targets]
    assert kinds == ["smb", "smb", "postgresql", "mysql+pymysql"]
    assert cfg.source_options_for(cfg.targets[2])["db_password"] == EXAMPLE_ENV["DATAGUARD_HQ_PG_PASSWORD"]
    assert cfg.source_options_for(cfg.targets[0])["smb_require_encryption"] is True
    assert cfg.output.format == "jsonl"


def test_examples_work_with_source_options(example_env):
    from dataguard.sources import SourceOptions
    for name in ("dataguard-field.yaml", "dataguard-hq.yaml"):
        cfg = load_config(EXAMPLES / name)
        for t in cfg.targets:
            opts = SourceOptions(**cfg.source_options_for(t))
            assert opts.include == tuple(t.include) and opts.exclude == tuple(t.exclude)
            if t.is_smb:
                assert opts.smb_username == t.username and opts.db_password is None


def test_password_never_in_repr_or_dump(example_env):
    for name in ("dataguard-field.yaml", "dataguard-hq.yaml"):
        cfg = load_config(EXAMPLES / name)
        shown = repr(cfg) + str(cfg) + cfg.model_dump_json() + repr(cfg.targets) + str(cfg.targets[0])
        for secret in EXAMPLE_ENV.values():
            assert secret not in shown


def test_unknown_key_names_field(tmp_path):
    p = _write(tmp_path, "site: {name: X, kind: field}\ntargets:\n  - uri: /data\n  - uri: /other\n    pasword_env: X\n")
    with pytest.raises(ConfigError) as ei:
        load_config(p)
    msg = str(ei.value)
    assert "dataguard.yaml" in msg and "targets[1].pasword_env" in msg and "unknown key" in msg


def test_unknown_top_level_key(tmp_path):
    p = _write(tmp_path, "sites: {name: X}\n")
    with pytest.raises(ConfigError, match=r"dataguard\.yaml: sites: unknown key"):
        load_config(p)


def _problems(tmp_path, text: str) -> list:
    """The problems ``load_config`` finds in a configuration file of ``text``, one a line, without the file's name."""
    with pytest.raises(ConfigError) as ei:
        load_config(_write(tmp_path, text))
    return [line.split("dataguard.yaml: ")[1] for line in str(ei.value).splitlines()]


def test_a_field_of_several_types_gets_one_message_and_a_key_named_like_a_type_keeps_its_name(tmp_path):
    lines = _problems(tmp_path, "site: {name: X}\ntargets: [{uri: /data}]\nmax_duration: [1]\nstr: 5\n")
    assert lines == ["max_duration: Input should be a valid string, or a valid integer, or a valid number",
                     "str: unknown key"]


def test_missing_env_var_named_not_value(tmp_path, monkeypatch):
    monkeypatch.delenv("DG_TEST_MISSING_PW", raising=False)
    p = _write(tmp_path, "targets:\n  - uri: /data\n  - uri: smb://u@h/s\n    password_env: DG_TEST_MISSING_PW\n")
    with pytest.raises(ConfigError) as ei:
        load_config(p)
    assert "targets[1].password_env" in str(ei.value)
    assert "DG_TEST_MISSING_PW" in str(ei.value)


def test_bad_kind(tmp_path):
    p = _write(tmp_path, "site: {name: X, kind: branch}\n")
    with pytest.raises(ConfigError, match=r"site\.kind"):
        load_config(p)


@pytest.mark.parametrize("text,field", [
    ("language: de\n", "language"),
    ("output: {folder: r, format: xml}\n", "output.format"),
    ("max_duration: soon\n", "max_duration"),
    ("phone_regions: [KEN]\n", "phone_regions"),
    ("countries: [KEN]\n", "countries"),
    ("workers: 0\n", "workers"),
    ("fail_on: urgent\n", "fail_on"),
    ("targets:\n  - uri: smb://u:hunter2@h/s\n", "targets[0].uri"),
    ("targets:\n  - uri: /x\n    password_env: 'not a name'\n", "targets[0].password_env"),
    ("targets:\n  - username: x\n", "targets[0].uri"),
    ("targets:\n  - uri: /x\n    include: ['[z-a]']\n", "targets[0].include[0]"),
    ("exclude: ['**/[z-a]']\n", "exclude[0]"),
])
def test_bad_values_name_field(tmp_path, text, field):
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as ei:
        load_config(p)
    assert f": {field}" in str(ei.value)
    assert "hunter2" not in str(ei.value)


def test_unset_password_variables_are_listed_with_the_other_problems(tmp_path):
    """Every problem at once: a bad value elsewhere does not hide the password variable not set."""
    p = _write(tmp_path, "countries: [UK]\ntargets:\n  - uri: /data\n  - uri: smb://u@h/s\n"
                         "    password_env: DG_TEST_MISSING_PW\n  - uri: /x\n    password_env: 'not a name'\n")
    with pytest.raises(ConfigError) as ei:
        load_config(p, environ={})
    fields = [line.split(": ")[1] for line in str(ei.value).splitlines()]
    assert sorted(fields) == ["countries", "targets[1].password_env", "targets[2].password_env"]
    assert "DG_TEST_MISSING_PW is not set" in str(ei.value)


@pytest.mark.parametrize("text, field, says", [
    ("countries: [UK]\n", "countries", "GB"),           # the EU's abbreviation: no United Kingdom at all
    ("countries: [KE, XX]\n", "countries", "not an ISO 3166 country code"),
    ("phone_regions: [ZZ]\n", "phone_regions", "not an ISO 3166 country code"),
    ("countries: [EL]\n", "countries", "GR"),
])
def test_countries_must_be_iso_3166(tmp_path, text, field, says):
    """Two letters are not enough: an unknown code would switch a country's recognizers off silently."""
    with pytest.raises(ConfigError) as ei:
        load_config(_write(tmp_path, text))
    assert f": {field}" in str(ei.value) and says in str(ei.value)


def test_every_iso_country_is_taken(tmp_path):
    """Codes of every kind of territory: a numbering plan shared with another (AX, VA), one of its
    own (XK, SS), none (AQ, BV)."""
    cfg = load_config(_write(tmp_path, "countries: [gb, AX, VA, XK, SS, AQ, BV, UM]\n"))
    assert cfg.countries == ["GB", "AX", "VA", "XK", "SS", "AQ", "BV", "UM"]


def test_bad_yaml_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match="line"):
        load_config(_write(tmp_path, "site: [unclosed\n"))
    with pytest.raises(ConfigError, match="mapping"):
        load_config(_write(tmp_path, "- a\n- b\n"))


def test_relative_paths_resolved_against_config_folder(tmp_path):
    sub = tmp_path / "conf"
    sub.mkdir()
    p = _write(sub, "rules: [packs/a.yaml]\noutput: {folder: reports}\nstate: st.db\nhmac_key_file: k.key\n"
                    "max_evidence: all\nsample_rows: 50\nmax_duration: 90m\n")
    cfg = load_config(p)
    assert cfg.rules == [str(sub / "packs" / "a.yaml")]
    assert cfg.output.folder == str(sub / "reports")
    assert cfg.state == str(sub / "st.db")
    assert cfg.hmac_key_file == str(sub / "k.key")
    assert cfg.max_evidence == "all" and cfg.sample_rows == 50 and cfg.max_duration_seconds == 5400


def test_empty_file_is_valid(tmp_path):
    cfg = load_config(_write(tmp_path, ""))
    assert cfg.targets == [] and cfg.site is None


def test_an_impossible_date_names_its_field_in_every_yaml_file(tmp_path):
    """YAML reads an unquoted 2027-02-30 as a date and raised a bare ValueError (a traceback,
    exit 1): dates stay strings for the schemas, which name the field."""
    from dataguard.baseline import BaselineError, load_baseline
    from dataguard.rules.loader import load_packs
    with pytest.raises(ConfigError, match=r": retention_years: "):
        load_config(_write(tmp_path, "retention_years: 2027-02-30\n"))
    fp = "ab" * 16
    bad = tmp_path / "b.yaml"
    bad.write_text(f"accepted:\n  - {{fingerprint: {fp}, reason: r, owner: o, reviewer: v, expires: 2027-02-30}}\n")
    with pytest.raises(BaselineError, match=r"accepted\[0\]\.expires: .*date"):
        load_baseline(str(bad))
    good = tmp_path / "g.yaml"
    good.write_text(f"accepted:\n  - {{fingerprint: {fp}, reason: r, owner: o, reviewer: v, expires: 2027-06-30}}\n")
    assert str(load_baseline(str(good)).accepted[0].expires) == "2027-06-30"
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\nversion: 2027-02-30\nrules: []\n")
    from dataguard.detect.entities import known_entities
    assert load_packs([str(pack)], known_entities())[0].version == "2027-02-30"


def test_a_config_file_that_is_not_utf8_is_named(tmp_path):
    p = tmp_path / "dataguard.yaml"
    p.write_bytes("site: {name: Café}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(p)


def test_yaml_errors_show_the_punctuation_expected_never_the_data(tmp_path):
    with pytest.raises(ConfigError) as ei:
        load_config(_write(tmp_path, "site: {name: X\ntargets: [/a\n"))
    assert "not valid YAML (did not find expected ',' or '}')" in str(ei.value)
    with pytest.raises(ConfigError) as ei:        # (a scalar the file quotes is data: never shown)
        load_config(_write(tmp_path, "site: {name: 'S3cr3t-\\x' x}\n"))
    assert "S3cr3t" not in str(ei.value) and "not valid YAML" in str(ei.value)


def test_a_key_given_twice_is_named_not_silently_replaced(tmp_path):
    """The second 'targets:' replaced the first: a scan without the first targets, and no word."""
    with pytest.raises(ConfigError, match=r"line 3: not valid YAML \(duplicate key\)"):
        load_config(_write(tmp_path, "targets:\n  - uri: /srv/a\ntargets:\n  - uri: /srv/b\n"))


def test_yaml_merge_keys_still_work_and_a_list_as_a_key_is_named(tmp_path):
    cfg = load_config(_write(tmp_path, "targets:\n  - &smb {uri: /srv/a, exclude: ['*.tmp']}\n"
                                       "  - {<<: *smb, uri: /srv/b}\n"))
    assert [(t.uri, t.exclude) for t in cfg.targets] == [("/srv/a", ["*.tmp"]), ("/srv/b", ["*.tmp"])]
    with pytest.raises(ConfigError, match="line 1: not valid YAML"):
        load_config(_write(tmp_path, "? [a]\n: 1\n"))


def test_a_count_that_is_neither_a_number_nor_all_gets_one_message(tmp_path):
    lines = _problems(tmp_path, "max_evidence: many\nsample_rows: lots\n")
    assert lines == ["max_evidence: Input should be a valid integer, or 'all'",
                     "sample_rows: Input should be a valid integer, or 'all'"]

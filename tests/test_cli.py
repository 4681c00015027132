"""CLI behaviour for unattended runs: help texts, lock, time budget, log file, bad usage."""
from __future__ import annotations

import json
import os
import stat
import signal
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.parametrize("flag, what", [("--state", "state file"), ("--log-file", "--log-file"),
                                        ("--output", "report")])
def test_a_place_in_a_missing_folder_fails_before_scanning(tmp_path, run_cli, flag, what):
    res = run_cli("scan", FIXTURES / "share" / "clean", "--no-ner", flag, tmp_path / "missing" / "file")
    assert res.exit_code == 2
    assert res.stderr.strip().count("\n") == 0 and what in res.stderr and "does not exist" in res.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("uri, words", [
    ("ftp://fs01/share", "unsupported target"), ("mssql+pyodbc://sa:Secret-1@db01/hr", "unsupported target"),
    ("http://x/y", "unsupported target"), ("smb://fs01", "no share name"),
    ("smb://u:Secret-1@fs01:99999/hr", "invalid port"), ("smb://u:Secret-1@fs01:0/hr", "invalid port"),
    ("postgresql://u:Secret-1@db01:port/hr", "invalid database URL"),
    ("postgresql://u:Secret-1@db01:99999/hr", "invalid port"), ("mysql+pymysql://u:Secret-1@db01:-1/hr", "invalid port"),
    ("file://fs01/srv", "only local file://")])
def test_unsupported_or_malformed_target_is_bad_usage(run_cli, uri, words):
    res = run_cli("scan", uri, "--no-ner")
    assert res.exit_code == 2 and words in res.stderr and "Secret-1" not in res.stderr
    assert res.stderr.startswith("dataguard: error: ") and res.stderr.strip().count("\n") == 0


def test_unreachable_target_is_incomplete(tmp_path, run_cli):
    res = run_cli("scan", tmp_path / "not-there", "--no-ner", "--workers", "1", "--format", "json")
    assert res.exit_code == 3 and res.report["scan"]["complete"] is False


def test_locked_state_is_refused_before_rules_and_model(tmp_path, run_cli, monkeypatch):
    from dataguard import settings
    from dataguard.state import StateStore

    def not_now(*args):
        raise AssertionError("rule packs loaded before the lock was checked")
    monkeypatch.setattr(settings, "_load_packs", not_now)
    state = tmp_path / "state.db"
    holder = StateStore(str(state), "held")
    try:
        res = run_cli("scan", FIXTURES / "share" / "clean", "--state", state)
        assert res.exit_code == 3 and "another dataguard run" in res.stderr
    finally:
        holder.close()


def test_errors_reach_the_log_file(tmp_path, run_cli):
    log = tmp_path / "dg.log"
    res = run_cli("scan", "ftp://fs01/x", "--log-file", log)
    assert res.exit_code == 2 and "unsupported target" in log.read_text()
    assert res.stderr.count("unsupported target") == 1


def test_hmac_key_create(tmp_path, run_cli):
    key = tmp_path / "keys" / "hmac.key"
    res = run_cli("keys", "hmac", "create", key)
    assert res.exit_code == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) == 64 and str(key.read_text().strip()) not in res.stdout
    before = key.read_bytes()
    again = run_cli("keys", "hmac", "create", key)
    assert again.exit_code == 2 and "exists" in again.stderr and key.read_bytes() == before


def test_config_check_lists_every_problem_without_scanning(tmp_path, run_cli, monkeypatch):
    monkeypatch.delenv("DG_TEST_PW", raising=False)
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text("targets:\n  - {uri: 'postgresql://ro@db01/hr', password_env: DG_TEST_PW}\n"
                   "  - {uri: 'ftp://fs01/x'}\n"
                   "hmac_key_file: keys/hmac.key\nstate: nowhere/state.db\nno_ner: true\n"
                   "rules: [missing-pack.yaml]\n")
    res = run_cli("config", "check", cfg)
    assert res.exit_code == 2
    for word in ("DG_TEST_PW", "ftp://fs01/x", "dataguard keys hmac create", "nowhere", "missing-pack.yaml"):
        assert word in res.stderr, word
    (tmp_path / "nowhere").mkdir()
    (tmp_path / "pack.yaml").write_text("pack: site\nversion: 1\nrules: []\n")
    monkeypatch.setenv("DG_TEST_PW", "pw")
    assert run_cli("keys", "hmac", "create", tmp_path / "keys" / "hmac.key").exit_code == 0
    cfg.write_text("targets:\n  - {uri: 'postgresql://ro@db01/hr', password_env: DG_TEST_PW}\n"
                   "hmac_key_file: keys/hmac.key\nstate: nowhere/state.db\nno_ner: true\nrules: [pack.yaml]\n")
    res = run_cli("config", "check", cfg)
    assert res.exit_code == 0, res.stderr


def test_config_check_accepts_a_signing_key_without_output_as_the_scan_with_output_does(tmp_path, run_cli):
    """A site's cron job gives the report file with -o: 'config check' refused the same file
    ('a signing key needs --output') that 'scan --config ... -o r.json' ran with."""
    assert run_cli("keys", "create", "--site", "Juba", "--out-dir", tmp_path).exit_code == 0
    (tmp_path / "data").mkdir()
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"targets: [{{uri: {tmp_path / 'data'}}}]\nsigning_key: Juba.key\nno_ner: true\n")
    check = run_cli("config", "check", cfg)
    assert check.exit_code == 0 and check.stdout == f"{cfg}: OK\n", check.stderr
    scan = run_cli("scan", "--config", cfg, "--workers", "1", "-q", "-o", tmp_path / "r.json")
    assert scan.exit_code == 0 and (tmp_path / "r.json.sig").exists(), scan.stderr
    unsigned = run_cli("scan", "--config", cfg, "--workers", "1", "-q")      # no report file: refused
    assert unsigned.exit_code == 2 and f"{cfg}: signing_key: " in unsigned.stderr and "--output" in unsigned.stderr
    (tmp_path / "Juba.key").write_text("not a key")                          # a bad key is still found
    bad = run_cli("config", "check", cfg)
    assert bad.exit_code == 2 and bad.stderr.startswith(f"dataguard: error: {cfg}: signing_key: "), bad.stderr


@pytest.mark.parametrize("where", ["file", "proc"])
def test_config_check_refuses_an_output_folder_the_scan_cannot_create(tmp_path, run_cli, where):
    """A folder under a regular file, or under /proc (root's permission bits let it pass), was
    'OK' to config check; the scan then failed with 'cannot create report folder'."""
    if where == "proc" and not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    (tmp_path / "afile").write_text("x")
    folder = tmp_path / "afile" / "reports" if where == "file" else Path("/proc") / "dataguard-test" / "reports"
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"targets: [{{uri: {tmp_path}}}]\noutput: {{folder: {folder}}}\nno_ner: true\n")
    res = run_cli("config", "check", cfg)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"dataguard: error: {cfg}: output.folder: ") and str(folder) in res.stderr
    scan = run_cli("scan", "--config", cfg, "--workers", "1", "-q")          # as the scan says
    assert scan.exit_code == 2 and f"{cfg}: output.folder: " in scan.stderr


def test_config_check_refuses_a_state_file_in_a_folder_the_scan_cannot_write(tmp_path, run_cli):
    """A state file under /proc passed config check as root (permission bits); the scan then failed."""
    if not os.path.isdir("/proc/self") or os.geteuid() != 0:
        pytest.skip("needs /proc and root (the permission bits already refuse it otherwise)")
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"targets: [{{uri: {tmp_path}}}]\nstate: /proc/dataguard-state.db\nno_ner: true\n")
    res = run_cli("config", "check", cfg)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1, res.stderr
    assert res.stderr.startswith(f"dataguard: error: {cfg}: state: "), res.stderr


def test_config_check_prints_every_problem_of_a_baseline_on_its_own_error_line(tmp_path, run_cli):
    """A baseline's problems are a line each; each is a ``dataguard: error:`` line naming the
    configuration file and its field, a later step's problem too."""
    (tmp_path / "bl.yaml").write_text("accepted:\n  - {fingerprint: abc}\n  - {fingerprint: def}\n")
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"targets: [{{uri: {tmp_path}}}]\nbaseline: {tmp_path / 'bl.yaml'}\nno_ner: true\n"
                   f"rules: [{tmp_path / 'missing.yaml'}]\n")
    res = run_cli("config", "check", cfg)
    lines = res.stderr.splitlines()
    assert res.exit_code == 2 and len(lines) > 3, res.stderr
    assert all(line.startswith(f"dataguard: error: {cfg}: ") for line in lines), res.stderr
    assert sum(f"{cfg}: baseline: " in line for line in lines) == len(lines) - 1


def test_config_check_leaves_a_good_output_folder_as_it_was(tmp_path, run_cli):
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text(f"targets: [{{uri: {tmp_path}}}]\noutput: {{folder: new/reports}}\nno_ner: true\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    res = run_cli("config", "check", cfg)
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before          # nothing created, no probe left


def test_site_packs_add_to_the_default_pack(tmp_path, run_cli):
    import json
    pack = FIXTURES / "packs" / "custom-case-numbers.yaml"
    default_ids = {r["id"] for r in json.loads(run_cli("rules", "list", "--format", "json").stdout)}
    both = json.loads(run_cli("rules", "list", "--rules", pack, "--format", "json").stdout)
    only = json.loads(run_cli("rules", "list", "--rules", pack, "--no-default-rules", "--format", "json").stdout)
    named = json.loads(run_cli("rules", "list", "--rules", "default", "--rules", pack, "--format", "json").stdout)
    site_ids = {r["id"] for r in only}
    assert site_ids and not site_ids & default_ids
    assert {r["id"] for r in both} == default_ids | site_ids == {r["id"] for r in named}
    rule = both[0]
    assert {"entities", "scope", "escalate", "remediation"} <= set(rule) | set(rule["match"])
    assert run_cli("rules", "list", "--no-default-rules").exit_code == 2


def test_verbose_logs_each_item_and_problem_to_the_log_file(tmp_path, run_cli):
    share = tmp_path / "s"
    share.mkdir()
    (share / "cards.txt").write_text("card 4111 1111 1111 1111\n")
    (share / "broken.docx").write_bytes(b"PK\x03\x04 not really a document")
    log = tmp_path / "dg.log"
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "-v", "--log-file", log, "--format", "json")
    assert res.exit_code == 1
    text = log.read_text()
    assert f"scanned {share / 'cards.txt'}" in text and f"{share / 'broken.docx'}: corrupt" in text
    assert "4111" not in text


# What a scan imports (in a fresh interpreter): only what its targets, executor and format need.
_IMPORTS = """
import json, os, sys
before = dict(os.environ)
from dataguard.cli import main
imported = dict(os.environ)
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "top": sorted({m.split(".")[0] for m in sys.modules}),
                  "presidio": sorted(m for m in sys.modules if m.startswith("presidio_analyzer.")),
                  "detect": sorted(m for m in sys.modules if m.startswith("dataguard.detect.")),
                  "env_set_by_import": sorted(k for k in imported if k not in before),
                  "env_set_by_command": sorted(k for k in os.environ if k not in imported)}))
"""


def _imports_of(*args) -> dict:
    """Run ``dataguard ARGS`` in a new interpreter: its exit code and its top-level modules."""
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    proc = subprocess.run([sys.executable, "-c", _IMPORTS, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"exit": out["exit"], "top": set(out["top"]), "presidio": set(out["presidio"]), "detect": set(out["detect"]),
            "env_set_by_import": out["env_set_by_import"], "env_set_by_command": out["env_set_by_command"]}


@pytest.mark.model
def test_a_local_no_ner_scan_imports_neither_dask_nor_sqlalchemy_nor_a_model(tmp_path):
    share = tmp_path / "s"
    share.mkdir()
    (share / "a.txt").write_text("write to jane.doe@unhcr-field.org\n")
    run = _imports_of("scan", share, "--no-ner", "-q", "--format", "json", "-o", tmp_path / "r.json")
    report = json.loads((tmp_path / "r.json").read_text())
    assert run["exit"] == 1 and {e for f in report["findings"] for e in f["entities"]} == {"EMAIL_ADDRESS"}
    assert "presidio_analyzer" in run["top"]          # the detector was built here, for the forked workers
    from dataguard.detect import MODELS
    assert not run["top"] & {"distributed", "dask", "sqlalchemy", "alembic", "matplotlib", "spacy", "thinc",
                             *MODELS.values()}
    # the command (not the import of the module, which a program may do) turns pydantic's plugin
    # look-up off: it would read every installed distribution's entry points
    assert run["env_set_by_import"] == [] and "PYDANTIC_DISABLE_PLUGINS" in run["env_set_by_command"]
    # the e-mail domain check reads publicsuffixlist's list (in the worker): neither tldextract
    # nor the HTTP client it imports is loaded
    assert not run["top"] & {"tldextract", "requests", "urllib3"}
    # Presidio's packages are imported name by name: only the recognizers the rules need are loaded
    assert "presidio_analyzer.predefined_recognizers.country_specific.us.us_ssn_recognizer" in run["presidio"]
    assert "dataguard.detect.ner" not in run["detect"]        # (NER's module, its regexes: not without NER)
    assert not {m.rsplit(".", 1)[-1] for m in run["presidio"]} & {
        "url_recognizer", "nlp_engine", "spacy_recognizer", "iban_recognizer", "phone_recognizer", "analyzer_engine",
        "za_phone_number_recognizer", "recognizer_registry"}


@pytest.mark.parametrize("ner", [False, True])
def test_ners_module_is_imported_with_the_detector_that_runs_it_only(ner):
    """A detector without NER does not import ``detect.ner`` (its regexes: some 0.02 s of a --no-ner
    scan's start-up); one with NER imports it as it is built, its model not loaded (in the
    scanning process, before the workers that inherit it fork)."""
    code = ("import sys; from dataguard.detect import Detector; Detector(ner=%r, load_models=False); "
            "print('dataguard.detect.ner' in sys.modules)" % ner)
    root = str(Path(__file__).resolve().parents[1])
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": root})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == str(ner)


@pytest.mark.model
def test_an_unchanged_rescan_loads_no_recognizer(tmp_path):
    """With ``--state``, a rescan in which no item changed reports the findings kept and builds
    no detector: neither Presidio nor dataguard's recognizer modules are imported."""
    share = tmp_path / "s"
    share.mkdir()
    (share / "a.txt").write_text("write to jane.doe@unhcr-field.org or +41 22 917 12 34\n")
    args = ("scan", share, "--no-ner", "-q", "--state", tmp_path / "st.db", "--format", "json", "-o", tmp_path / "r.json")
    first = _imports_of(*args)
    found = json.loads((tmp_path / "r.json").read_text())["findings"]
    again = _imports_of(*args)
    report = json.loads((tmp_path / "r.json").read_text())
    assert first["exit"] == again["exit"] == 1 and report["findings"] == found and found
    assert report["scan"]["stats"]["items_unchanged"] == 1
    assert "presidio_analyzer" in first["top"] and "dataguard.detect.phone" in first["detect"]  # (seen)
    assert not again["top"] & {"presidio_analyzer", "spacy", "hyperscan"}
    # what a rescan needs of the package: the entities' traits (hashing, masking), the
    # detector's configuration (the state's fingerprint), JSON escapes (hashing)
    assert again["detect"] <= {"dataguard.detect.entities", "dataguard.detect.config", "dataguard.detect.json_escapes",
                               "dataguard.detect.lazy_presidio"}


def test_a_locked_state_is_refused_before_any_heavy_import(tmp_path):
    from dataguard.state import StateStore
    state = tmp_path / "state.db"
    holder = StateStore(str(state), "held")
    try:
        run = _imports_of("scan", FIXTURES / "share" / "clean", "--state", state, "-q")
    finally:
        holder.close()
    assert run["exit"] == 3
    assert not run["top"] & {"presidio_analyzer", "spacy", "phonenumbers", "distributed", "sqlalchemy"}


def test_names_with_control_characters_are_escaped_in_the_log(tmp_path, run_cli):
    """A terminal escape (set title, clear screen), a newline (a forged line) and a bidi
    override in file names reach neither stderr nor the log file raw."""
    share = tmp_path / "s"
    share.mkdir()
    names = ["\x1b]0;pwned\x07\x1b[2Jesc.txt", "line\n2026-01-01 00:00:00,000 INFO forged.txt", "\u202etxt.exe"]
    for name in names:
        (share / name).write_text("hello\n")
    log = tmp_path / "dg.log"
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "-v", "--log-file", log, "--format", "json")
    assert res.exit_code == 0
    for channel in (log.read_text(), res.stderr):
        lines = channel.splitlines()
        assert all(line.isprintable() for line in lines)
        assert not any(line.startswith("2026-01-01") for line in lines)
        assert "scanned " + str(share / "\\x1b]0;pwned\\x07\\x1b[2Jesc.txt") in channel
        assert "\\u202etxt.exe" in channel


def test_test_values_found_by_the_worker_processes_are_counted_and_logged(tmp_path, run_cli):
    share = tmp_path / "tv"
    share.mkdir()
    (share / "test.txt").write_text("bob@example.org\nAKIAIOSFODNN7EXAMPLE\n")
    log = tmp_path / "dg.log"
    res = run_cli("scan", share, "--no-ner", "--workers", "2", "--log-file", log, "--format", "json")
    assert res.exit_code == 0 and res.report["scan"]["stats"]["test_values_ignored"] == 2
    text = log.read_text()
    assert "2 test values (example.org addresses, ...EXAMPLE keys) found and not reported" in text
    assert "bob@" not in text and "AKIA" not in text


def test_a_report_that_cannot_be_written_to_stdout_is_a_clear_error(tmp_path):
    """'dataguard scan clean > /dev/full' was a traceback and exit 1 (findings, to cron)."""
    (tmp_path / "a.txt").write_text("nothing to see\n")
    with open(os.devnull if not os.path.exists("/dev/full") else "/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "dataguard", "scan", "--no-ner", "-q", "--workers", "1",
                              "--format", "json", str(tmp_path)], stdout=full, stderr=subprocess.PIPE, text=True)
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "cannot write the report to standard output" in res.stderr



def test_a_scan_started_with_stdout_closed_writes_its_report_file_or_says_why_not(tmp_path):
    """A daemon or timer that closes stdout (Python then has sys.stdout None): the scan was a
    traceback before anything was scanned, even with --output."""
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "a.txt").write_text("card 4111 1111 1111 1111\n")
    base = [sys.executable, "-m", "dataguard", "scan", "--no-ner", "-q", "--workers", "1", str(tmp_path / "s")]
    closed = dict(stderr=subprocess.PIPE, text=True, preexec_fn=lambda: os.close(1))
    res = subprocess.run(base + ["-o", str(tmp_path / "r.json")], **closed)
    assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
    assert json.loads((tmp_path / "r.json").read_text())["findings"]
    res = subprocess.run(base, **closed)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.startswith("dataguard: error: standard output is closed: give --output FILE")
    db = ["--db", str(tmp_path / "i.db")]     # an export to a closed stdout was lost, exit 0
    subprocess.run([sys.executable, "-m", "dataguard", "inventory", "ingest", str(tmp_path / "r.json"), *db], check=True)
    res = subprocess.run([sys.executable, "-m", "dataguard", "inventory", "export", *db], **closed)
    assert res.returncode == 2 and "standard output is closed" in res.stderr, res.stderr

_TWO_SIGNALS = """
import os, signal, sys
import dataguard.report, dataguard.scanner.stream as stream
sig = getattr(signal, sys.argv[1])
done, write_report = stream.SourceScanner._done, dataguard.report.write_report

def first_item_done(self, *args):           # the first signal: the scan stops
    done(self, *args)
    if not getattr(first_item_done, "sent", False):
        first_item_done.sent = True
        os.kill(os.getpid(), sig)

def writing(*args, **kwargs):               # another one while the report is written
    os.kill(os.getpid(), sig)
    return write_report(*args, **kwargs)

stream.SourceScanner._done, dataguard.report.write_report = first_item_done, writing
from dataguard.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_second_signal_while_the_partial_report_is_written_changes_nothing(tmp_path, sig):
    """It ended the process (exit 143 for SIGTERM, no report, its temporary file left behind)."""
    share, out = tmp_path / "s", tmp_path / "out"
    share.mkdir()
    out.mkdir()
    for i in range(3):
        (share / f"f{i}.txt").write_text("card 4111 1111 1111 1111\n")
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    proc = subprocess.run([sys.executable, "-c", _TWO_SIGNALS, sig, "scan", str(share), "--no-ner", "-q",
                           "--workers", "1", "--format", "json", "-o", str(out / "r.json")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 3, proc.stderr[-2000:]
    report = json.loads((out / "r.json").read_text())
    assert report["scan"]["complete"] is False
    assert report["scan"]["targets"][0]["error"] == f"interrupted by signal {sig}"
    assert sorted(os.listdir(out)) == ["r.json"]


_THREE_SIGNALS = """
import os, signal, sys
import dataguard.report, dataguard.scanner.stream as stream
done = stream.SourceScanner._done

def first_item_done(self, *args):           # three signals: the scan stops, then the operator insists
    done(self, *args)
    if not getattr(first_item_done, "sent", False):
        first_item_done.sent = True
        for _ in range(3):
            os.kill(os.getpid(), signal.SIGTERM)

stream.SourceScanner._done = first_item_done
from dataguard.cli import main
main(sys.argv[1:])
"""


def test_the_third_signal_ends_a_stop_at_once(tmp_path):
    """After a signal the handler stays (a second one changes nothing): a stop hanging on a
    stalled write could only be ended by SIGKILL."""
    share, out = tmp_path / "s", tmp_path / "out"
    share.mkdir()
    out.mkdir()
    for i in range(3):
        (share / f"f{i}.txt").write_text("card 4111 1111 1111 1111\n")
    root = str(Path(__file__).resolve().parents[1])
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
           "TMPDIR": str(temp)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    proc = subprocess.run([sys.executable, "-c", _THREE_SIGNALS, "scan", str(share), "--no-ner", "-q",
                           "--workers", "1", "--format", "json", "-o", str(out / "r.json")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr[-2000:]
    assert "exiting at once, without a report" in proc.stderr and os.listdir(out) == []
    # its worker does not outlive it (an orphan waited on its pipe for ever): a forked worker
    # runs the same command line; each one left is waited for until it ends (its pidfd becomes
    # readable), the 300 s only a guard against a hang
    import select
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit() and _runs_with(p, str(share))]:
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue                # (ended already)
        try:
            assert select.select([fd], [], [], 300)[0], f"worker {pid} outlived the scan"
        finally:
            os.close(fd)
    assert list(temp.iterdir()) == []       # nor does its temporary folder


def _runs_with(pid: str, arg: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return arg.encode() in fh.read().split(b"\0")
    except OSError:
        return False


def test_every_problem_of_a_configuration_is_its_own_error_line(tmp_path, run_cli):
    """A cron log is read line by line: each problem of the file starts with 'dataguard: error:'."""
    cfg = tmp_path / "dataguard.yaml"
    cfg.write_text("bogus: 1\nworkers: 0\ntargets: [{uri: /data, password_env: DG_TEST_UNSET_PW}]\n")
    for args in (("scan", "--config", cfg, "--format", "json"), ("config", "check", cfg)):
        res = run_cli(*args)
        lines = res.stderr.splitlines()
        assert res.exit_code == 2 and len(lines) == 3, res.stderr
        assert all(line.startswith(f"dataguard: error: {cfg}: ") for line in lines), res.stderr


def test_a_scan_in_a_callers_process_leaves_its_collector_as_it_was(run_cli, tmp_path):
    """The scan command turns the garbage collector off while it starts and freezes what start-up
    made: a caller running scans in its own process finds its collector as it left it (on, or
    off; what it froze still frozen, nothing more)."""
    import gc
    share = tmp_path / "share"
    share.mkdir()
    (share / "a.txt").write_text("card 4111 1111 1111 1111\n")
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            assert run_cli("scan", share, "--no-ner", "--workers", "1", "-q").exit_code == 1
            assert gc.isenabled() is enabled and gc.get_freeze_count() == 0
        gc.enable()
        gc.freeze()
        frozen = gc.get_freeze_count()
        assert run_cli("scan", share, "--no-ner", "--workers", "1", "-q").exit_code == 1
        assert 0 < gc.get_freeze_count() <= frozen and gc.isenabled()      # (some frozen ones freed)
    finally:
        gc.unfreeze()
        gc.enable()

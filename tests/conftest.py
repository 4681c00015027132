"""Shared test fixtures.

* The network is unreachable for every test: any connection to a non-loopback
  address fails, so code that tries to download (models, public suffix list)
  fails loudly instead of passing on a connected machine.
* Every report produced through ``run_cli`` is validated against the shipped
  JSON Schema.
"""
from __future__ import annotations

import atexit
import contextlib
import ipaddress
import json
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# A fixed HMAC key: tests never write a key into the user's state directory.
os.environ.setdefault("DATAGUARD_HMAC_KEY", "test-key-0123456789abcdef-not-secret")
# The validated-pattern cache (dataguard/rules/validated.py) of the session: not the user's,
# removed when the session ends (the workers of a parallel run inherit the controller's).
if "DATAGUARD_CACHE_DIR" not in os.environ:
    os.environ["DATAGUARD_CACHE_DIR"] = tempfile.mkdtemp(prefix="dataguard-test-cache-")
    atexit.register(shutil.rmtree, os.environ["DATAGUARD_CACHE_DIR"], True)

# ------------------------------------------------------------------ no network
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if isinstance(address, (str, bytes)):       # AF_UNIX
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback


class NetworkBlocked(OSError):
    pass


def _guarded_connect(self, address):
    if not _is_local(address):
        raise NetworkBlocked(101, "network is unreachable (blocked by the test suite)")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        return 101
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex


# ------------------------------------------------------------------ helpers
@pytest.fixture(scope="session")
def findings_schema():
    from dataguard.report import schema_path
    return json.loads(Path(schema_path()).read_text())


@pytest.fixture(scope="session")
def validate_report(findings_schema):
    import jsonschema

    validator = jsonschema.Draft202012Validator(findings_schema)

    def _validate(doc: dict) -> dict:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, "report does not match the schema: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])
        return doc
    return _validate


class CliRun:
    def __init__(self, exit_code, stdout, stderr, report):
        self.exit_code, self.stdout, self.stderr, self.report = exit_code, stdout, stderr, report


@pytest.fixture(scope="session")
def run_cli(validate_report, tmp_path_factory):
    """Run ``dataguard ARGS`` in-process; a JSON report (--format json) is parsed and validated."""
    from click.testing import CliRunner

    from dataguard.cli import main

    def _run(*args, input=None) -> CliRun:
        args = [str(a) for a in args]
        runner = CliRunner()
        res = runner.invoke(main, args, input=input, catch_exceptions=False)
        report = None
        out = res.stdout
        if "scan" in args[:1] and "--help" not in args:
            fmt = args[args.index("--format") + 1] if "--format" in args else "json"
            text = out
            if "--output" in args:
                text = Path(args[args.index("--output") + 1]).read_text() if res.exit_code != 2 else ""
            if fmt == "json" and text.strip():
                report = validate_report(json.loads(text))
            elif fmt == "jsonl" and text.strip():
                lines = [json.loads(l) for l in text.splitlines() if l.strip()]
                tail = lines[-1]
                doc = {"schema_version": tail["schema_version"], "tool": tail["tool"], "scan": tail["scan"],
                       "findings": lines[:-1], "errors": tail["errors"], "skipped": tail["skipped"]}
                report = validate_report(doc)
        return CliRun(res.exit_code, out, res.stderr, report)
    return _run


def pack_context() -> tuple:
    """The built-in rule packs' context words for built-in recognizers (as a scan passes them)."""
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs
    return tuple(c for p in load_packs(None, known_entities()) for c in p.entity_context)


@contextlib.contextmanager
def reachable_folder():
    """A fresh folder that every user can reach (pytest's own temporary folders are 0700,
    which makes every file in them restricted): for tests about broad exposure."""
    import shutil
    import tempfile

    from dataguard.sources.exposure import LocalExposure
    path = Path(tempfile.mkdtemp(prefix="dataguard-test-"))
    path.chmod(0o755)
    try:
        if LocalExposure().blocker(str(path)) is not None:
            pytest.skip(f"the temporary folder {path.parent} cannot be entered by other users")
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def open_tmp():
    with reachable_folder() as path:
        yield path


@pytest.fixture(scope="session")
def every_entity_pack(tmp_path_factory):
    """A rule pack reporting every entity of every location unit (what a measurement counts)."""
    pack = tmp_path_factory.mktemp("pack") / "everything.yaml"
    pack.write_text('pack: everything\nrules:\n  - {id: ALL, title: every entity, severity: low, '
                    'measure: CM-INVENTORY, match: {entities: ["*"]}}\n')
    return pack


@pytest.fixture(scope="session")
def offline_tldextract():
    """tldextract reading the public suffix list bundled with it (it would fetch one on first
    use): Presidio's e-mail check, which dataguard's is compared with."""
    import tldextract
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


@pytest.fixture(scope="session")
def detector():
    """The real English model with all entities (loaded once for the session)."""
    from dataguard.detect import Detector
    return Detector(ner=True, language="en", context=pack_context())


def require_env(*names):
    """Integration tests: the services' variables, else skip (or fail under CI)."""
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        msg = f"service not available: {', '.join(missing)} not set (run the tests with scripts/test)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return [os.environ[n] for n in names]


def scan_started(proc, log: Path, poll_s: float = 0.05) -> None:
    """Return once the scan run by ``proc`` (with ``--log-file log``) is scanning its target:
    its signal handlers are installed and its work has begun (the readiness a signal test waits
    for). Returns early if the process ends first; the caller's assertions tell why."""
    import time
    while proc.poll() is None and "scanning target" not in (log.read_text() if log.exists() else ""):
        time.sleep(poll_s)

"""Command line. With ``dataguard/commands/``, the only modules that print or exit."""
from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import os
import sys
from typing import Optional

import click

from dataguard import __version__, defaults
from dataguard.commands.common import EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_OK, EXIT_USAGE, fail as _fail  # noqa: F401
from dataguard.vocab import FAIL_NEVER, FAIL_ON_CHOICES, FORMATS, LANGUAGES, OutputFormat, SiteKind, severity_rank, values  # noqa: E501

log = logging.getLogger("dataguard")


class _OneLineFormatter(logging.Formatter):
    """Each record one line of printable text on stderr and in the log file: a name holding
    terminal escapes, a newline (a forged line) or a bidi override is shown escaped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        from dataguard.names import printable
        return printable(super().formatMessage(record))


def _setup_logging(log_file: Optional[str], quiet: bool, verbose: bool) -> None:
    """Logging to stderr (INFO; only errors with --quiet; DEBUG with -v) and, with
    ``log_file``, everything from INFO (DEBUG with -v) to that file, mode 0600."""
    level = logging.DEBUG if verbose else logging.INFO
    root = logging.getLogger("dataguard")
    for old in list(root.handlers):      # a previous run in this process (tests)
        root.removeHandler(old)
        if getattr(old, "stream", None) not in (sys.stderr, sys.__stderr__):
            old.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = _OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.ERROR if quiet else level)
    err.setFormatter(fmt)
    err.addFilter(lambda record: not getattr(record, "file_only", False))   # _fail prints its own line
    root.addHandler(err)
    if log_file:
        try:
            fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            _fail(f"--log-file {log_file}: {exc.strerror}")
        fh = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
        fh.setLevel(logging.DEBUG if verbose else logging.INFO)
        fh.setFormatter(fmt)
        root.addHandler(fh)
    # Third-party libraries may log content (e.g. parser warnings quoting text): keep them quiet.
    for noisy in ("presidio-analyzer", "presidio_analyzer", "pypdf", "extract_msg", "smbprotocol",
                  "spnego", "sqlalchemy", "charset_normalizer", "filelock", "distributed", "tornado"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)


class _Echo:
    """A text stream onto stdout through click.echo (which copes with the terminal's encoding)."""

    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)

    @staticmethod
    def isatty() -> bool:
        return _isatty(sys.stdout)


def _isatty(stream) -> bool:
    """Whether ``stream`` is a terminal: not when it is closed (a daemon started with stdout or
    stderr closed has None there)."""
    return stream is not None and stream.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataguard")
def main() -> None:
    """dataguard: find personal and sensitive data on file shares and in databases,
    and map it to data-protection critical measures."""
    # pydantic reads every installed distribution's entry points for its plugins when it builds
    # the first model (a twentieth of a second at every start); the command line uses none.
    # (Set when a command runs, before any model is built: not in a program importing this module.)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Site configuration file (dataguard.yaml).")
@click.option("--rules", "rules", multiple=True,
              help="Rule pack file or folder (repeatable), added to the built-in packs; 'default' names those.")
@click.option("--no-default-rules", is_flag=True, default=None, help="Leave the built-in rule packs out.")
@click.option("--site", help="Site name recorded in the report.")
@click.option("--site-kind", type=click.Choice(values(SiteKind)), help="Kind of site.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format. Default: table on a terminal, json otherwise.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file (atomically, mode 0600).")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES),
              help=f"Lowest severity that makes the exit code 1 (default: {defaults.FAIL_ON}).")
@click.option("--max-evidence", help=f"Evidence entries per finding: a number (default {defaults.MAX_EVIDENCE}) or 'all'.")
@click.option("--show-data", is_flag=True, default=None, help="Include raw matched values in the output (handle the report as sensitive!).")
@click.option("--no-ner", is_flag=True, default=None, help="Pattern recognizers only: no spaCy model, much faster, no PERSON/LOCATION.")
@click.option("--workers", type=click.IntRange(min=1), help="Detection processes (default: number of cores).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), help="SQLite state for incremental rescans and checkpoints.")
@click.option("--include", multiple=True, help="Only scan paths (or schema.table) matching this glob (repeatable).")
@click.option("--exclude", multiple=True, help="Skip paths (or schema.table) matching this glob (repeatable).")
@click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symbolic links (loops are detected).")
@click.option("--sample-rows", help=f"Rows sampled per database table: a number (default {defaults.SAMPLE_ROWS}) or 'all'.")
@click.option("--max-duration", help="Stop cleanly after this long (e.g. 90m, 2h): partial report, exit 3; --state continues next run.")
@click.option("--language", type=click.Choice(LANGUAGES), help=f"NER model: auto (each chunk's language's), en or fr (default {defaults.LANGUAGE}).")
@click.option("--hmac-key-file", type=click.Path(dir_okay=False), help="Key for value hashes (default: $DATAGUARD_HMAC_KEY or a per-user key).")
@click.option("--signing-key", type=click.Path(dir_okay=False), help="Ed25519 private key: sign the report (REPORT.sig).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Acceptance baseline (YAML): matching findings are 'accepted'.")
@click.option("--executor", type=click.Choice(["local", "dask"]), help="Where detection runs: this machine (default) or a Dask cluster.")
@click.option("--scheduler", help="Dask scheduler address for --executor dask (tls://host:8786).")
@click.option("--cluster-tls", type=click.Path(file_okay=False), help="Folder of the cluster's TLS certificates (see: dataguard cluster certs).")
@click.option("--insecure-scheduler", is_flag=True, default=None, help="DANGEROUS: allow a remote Dask scheduler without TLS (anyone reaching it can run code on the workers).")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Append everything logged to stderr (and -v's details) to this file, mode 0600; never values.")
@click.option("--heartbeat", help="Without a terminal: a progress line in the log this often (default 60s; e.g. 5m).")
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr; no progress bar.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging: each item scanned and each error or skipped item.")
def scan(**params):
    """Scan TARGET... (folders, files, smb:// shares, database URLs) and report findings.

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 could not run,
    3 scan incomplete (unreachable target, interrupted, out of time).
    """
    # at exit, the collector's last passes skip what the scan leaves (Presidio, spaCy, the
    # recognizers: ~0.15 s of walking); the report is written and everything else closed by then
    atexit.unregister(gc.freeze)          # once, however many scans a caller runs in one process
    atexit.register(gc.freeze)
    quiet = params["quiet"]
    # what start-up makes (modules, settings, rule packs) lives as long as the scan: the
    # collector's passes over it found nothing (a tenth of the CPU before the workers start,
    # and a full pass in the middle of the scan that held up the handing out of work). None
    # runs while the settings are built; what is there then is frozen, out of the scan's
    # passes (and given back to them when the command ends: a caller may run several). A
    # caller's own collector settings are left as they were: off stays off, and what it froze
    # itself stays frozen (nothing is frozen then).
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        settings, hasher = _prepared(params, quiet)
    finally:
        if enabled:
            gc.enable()
    if not frozen:
        gc.freeze()
    try:
        log.info("dataguard %s scanning %d target(s)", __version__, len(settings.scan.targets))
        result = _run(settings, hasher, quiet)
        if settings.baseline is not None:
            from dataguard.baseline import apply_baseline
            apply_baseline(result, settings.baseline)
        _write_output(result, settings, quiet)
        _log_outcome(result)
        sys.exit(exit_code(result, settings.fail_on))
    finally:
        if not frozen:
            gc.unfreeze()


def _prepared(params: dict, quiet: bool) -> tuple:
    """The scan's (settings, hasher), logging set up; what stops the scan from starting exits."""
    from dataguard.settings import Flags, SettingsError, build_settings, check_writable, prepare
    from dataguard.state import StateLocked
    try:
        if params["log_file"]:
            check_writable(params["log_file"], "--log-file")
        _setup_logging(params["log_file"], quiet, params["verbose"])
        settings = build_settings(Flags.of(params), stdout_is_tty=_isatty(sys.stdout))
        if settings.output is None and sys.stdout is None:
            raise SettingsError("standard output is closed: give --output FILE for the report")
        return settings, prepare(settings)
    except SettingsError as exc:
        _fail(str(exc))
    except StateLocked as exc:
        _fail(str(exc), EXIT_INCOMPLETE)


def _log_outcome(result) -> None:
    """The end of a scan in the log: unreachable targets, counts, errors by kind, test values."""
    from collections import Counter
    for t in result.targets:
        if t.status != "ok":
            log.error("target %s: %s: %s", t.uri, t.status, t.error)
    log.info("scan %s: %d findings, %d errors, %d skipped, %.1fs", "complete" if result.complete else "INCOMPLETE",
             len(result.findings), result.stats["errors"], result.stats["items_skipped"], result.stats["duration_s"])
    if result.stats["errors"]:
        kinds = Counter(p.kind for p in result.errors)
        log.warning("items not read: %s (the report's errors list them; -v logs each)",
                    ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    if result.stats.get("test_values_ignored"):
        log.info("%d test values (example.org addresses, ...EXAMPLE keys) found and not reported",
                 result.stats["test_values_ignored"])


def _run(settings, hasher, quiet: bool):
    """run_scan with a progress display or heartbeat, its failures turned into exit codes."""
    from dataguard.progress import progress_sink
    from dataguard.scanner import ExecutorUnavailable, run_scan
    from dataguard.state import StateError, StateLocked
    try:
        with progress_sink(settings.scan.targets, quiet=quiet, tty=_isatty(sys.stderr), stream=sys.stderr,
                           heartbeat_s=settings.heartbeat_s) as progress:
            return run_scan(settings.scan, hasher, progress=progress, install_signal_handlers=True)
    except (StateLocked, ExecutorUnavailable) as exc:
        _fail(str(exc), EXIT_INCOMPLETE)
    except StateError as exc:
        _fail(str(exc))
    except Exception as exc:  # model problems surface here for worker pools
        from dataguard.detect import ModelMissing
        if isinstance(exc, ModelMissing):
            _fail(str(exc))
        raise


def _write_output(result, settings, quiet: bool) -> None:
    """The report to --output (atomically; old reports pruned per output.keep_last) or stdout."""
    from dataguard.report import prune_reports, render, write_atomic, write_report

    def write(out) -> None:
        write_report(result, settings.fmt, out, show_data=settings.scan.show_data)
    if not settings.output:
        try:
            write(_Echo())
            sys.stdout.flush()
        except OSError as exc:      # a full disk, a closed pipe: stdout is gone for the rest of the run too
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            _fail(f"cannot write the report to standard output: {exc.strerror or type(exc).__name__}")
        return
    try:
        write_atomic(settings.output, write)
    except OSError as exc:
        _fail(f"cannot write report {settings.output}: {exc.strerror}")
    log.info("report written to %s", settings.output)
    if settings.signing_key is not None:
        from dataguard.signing import sign_report
        log.info("signature written to %s", sign_report(settings.output, settings.signing_key))
    if settings.keep_last:
        for old in prune_reports(settings.output, settings.keep_last):
            log.info("old report removed (output.keep_last = %d): %s", settings.keep_last, old)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(old + ".sig")       # its signature, if it was signed
    if _isatty(sys.stdout) and settings.fmt != OutputFormat.TABLE and not quiet:
        click.echo(render(result, OutputFormat.TABLE))


def exit_code(result, fail_on: str) -> int:
    """3 for an incomplete scan, else 1 when a finding reaches ``fail_on``, else 0."""
    if not result.complete:
        return EXIT_INCOMPLETE
    if fail_on == FAIL_NEVER or not result.findings:
        return EXIT_OK
    from dataguard.baseline import worst_severity
    worst = worst_severity(result.findings)
    return EXIT_FINDINGS if worst and severity_rank(worst) >= severity_rank(fail_on) else EXIT_OK


@main.group()
def rules() -> None:
    """Work with rule packs."""


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--no-default-rules", is_flag=True,
              help="Check the packs alone, as a scan with --no-default-rules loads them.")
def rules_validate(paths, no_default_rules):
    """Validate rule pack files or folders, together with the built-in packs as a scan loads
    them: exit 0 if all are valid, 2 otherwise (every problem listed)."""
    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, pattern_warnings, validate_packs
    try:
        packs = validate_packs(list(paths), known_entities(), with_default=not no_default_rules)
    except RuleError as exc:
        _fail(str(exc))
    for warning in pattern_warnings(packs):
        click.echo(f"warning: {warning}", err=True)
    for p in packs:
        click.echo(f"{p.path}: pack {p.name} v{p.version}: {len(p.rules)} rules, {len(p.recognizers)} recognizers: OK")
    sys.exit(EXIT_OK)


@rules.command("list")
@click.option("--rules", "paths", multiple=True,
              help="Rule pack file or folder (repeatable), added to the built-in packs; 'default' names those.")
@click.option("--no-default-rules", is_flag=True, help="Leave the built-in rule packs out.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: one line per rule; json: every rule with its entities, scope, escalation and remediation.")
def rules_list(paths, no_default_rules, fmt):
    """List the rules of the built-in packs and the given ones."""
    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, load_packs
    from dataguard.settings import SettingsError, pack_paths
    try:
        packs = load_packs(pack_paths(paths, no_default_rules), known_entities())
    except (RuleError, SettingsError) as exc:
        _fail(str(exc))
    if fmt == "json":
        import json
        click.echo(json.dumps([_rule_dict(p, r) for p in packs for r in p.rules], indent=2))
        return
    from tabulate import tabulate
    import textwrap
    rows = [[r.id, r.severity, r.measure, textwrap.shorten(", ".join(r.entities), 40, placeholder=" …"), p.name,
             r.title] for p in packs for r in p.rules]
    click.echo(tabulate(rows, headers=["id", "severity", "measure", "entities", "pack", "title"]))


def _rule_dict(pack, rule) -> dict:
    """One rule as ``rules list --format json`` shows it (the keys of a rule pack, SPEC.md)."""
    import dataclasses

    def plain(obj) -> dict:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)
                if not f.name.endswith("_rx") and getattr(obj, f.name) not in ((), None)}
    return {"id": rule.id, "pack": pack.name, "pack_version": pack.version, "title": rule.title,
            "severity": str(rule.severity), "measure": rule.measure,
            "match": {"entities": list(rule.entities), "all": list(rule.all), "none": list(rule.none),
                      "min_count": rule.min_count, "min_distinct": rule.min_distinct, "min_score": rule.min_score,
                      "min_scores": dict(rule.min_scores)},
            "scope": plain(rule.scope), "escalate": [plain(e) for e in rule.escalate],
            "remediation": rule.remediation, "description": rule.description}


@main.group()
def cluster() -> None:
    """Set up a Dask cluster for --executor dask."""


@cluster.command("certs")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--host", "hosts", multiple=True, help="Scheduler host name or address for the certificates (repeatable).")
def cluster_certs(folder, hosts):
    """Write a private CA and scheduler, worker and client certificates (mutual TLS) into FOLDER."""
    from dataguard.scanner.tls import make_certs
    for path in make_certs(folder, hosts):
        click.echo(str(path))
    click.echo("Copy ca.pem and the role's .pem/-key.pem to each machine; keep ca-key.pem offline.")
    sys.exit(EXIT_OK)


from dataguard.commands import register  # noqa: E402  (keys, baseline, report, inventory, config)

register(main)

if __name__ == "__main__":      # python -m dataguard.cli (python -m dataguard is the same)
    main()

"""Command line. The only module that prints or exits."""
from __future__ import annotations

import logging
import os
import re
import sys
from typing import Optional

import click

from dataguard import __version__
from dataguard.types import SEVERITIES, Limits, Site, severity_rank

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
FORMATS = ("table", "json", "jsonl", "sarif", "csv", "html")
log = logging.getLogger("dataguard")


def _fail(message: str, code: int = EXIT_USAGE) -> "NoReturn":  # noqa: F821
    click.echo(f"dataguard: error: {message}", err=True)
    sys.exit(code)


def parse_duration(text: str) -> float:
    """'90', '90s', '45m', '2h', '1h30m' -> seconds."""
    t = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    parts = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?", t)
    if not parts or not any(parts.groups()):
        raise click.BadParameter(f"cannot read duration {text!r} (use e.g. 90s, 45m, 2h)")
    h, m, s = (int(x or 0) for x in parts.groups())
    return float(h * 3600 + m * 60 + s)


def _max_evidence(value: str) -> Optional[int]:
    if value == "all":
        return None
    try:
        n = int(value)
        if n < 0:
            raise ValueError
        return n
    except ValueError:
        raise click.BadParameter("must be a non-negative number or 'all'") from None


def _setup_logging(log_file: Optional[str], quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    root = logging.getLogger("dataguard")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.ERROR if quiet else level)
    err.setFormatter(fmt)
    root.addHandler(err)
    if log_file:
        fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fh = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8"))
        fh.setLevel(logging.DEBUG if verbose else logging.INFO)
        fh.setFormatter(fmt)
        root.addHandler(fh)
    # Third-party libraries may log content (e.g. parser warnings quoting text): keep them quiet.
    for noisy in ("presidio-analyzer", "presidio_analyzer", "pypdf", "openpyxl", "extract_msg", "smbprotocol",
                  "spnego", "sqlalchemy", "charset_normalizer", "tldextract", "filelock"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)


class _Echo:
    """A text stream onto stdout through click.echo (which copes with the terminal's encoding)."""

    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dataguard")
def main() -> None:
    """dataguard: find personal and sensitive data on file shares and in databases,
    and map it to data-protection critical measures."""


@main.command()
@click.argument("targets", nargs=-1)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Site configuration file (dataguard.yaml).")
@click.option("--rules", "rules", multiple=True, help="Rule pack file or folder (repeatable). Default: the built-in pack.")
@click.option("--site", help="Site name recorded in the report.")
@click.option("--site-kind", type=click.Choice(["hq", "field"]), help="Kind of site.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format. Default: table on a terminal, json otherwise.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file (atomically, mode 0600).")
@click.option("--fail-on", type=click.Choice(list(reversed(SEVERITIES)) + ["never"]), help="Lowest severity that makes the exit code 1 (default: low).")
@click.option("--max-evidence", help="Evidence entries per finding: a number (default 10) or 'all'.")
@click.option("--show-data", is_flag=True, default=None, help="Include raw matched values in the output (handle the report as sensitive!).")
@click.option("--no-ner", is_flag=True, default=None, help="Pattern recognizers only: no spaCy model, much faster, no PERSON/LOCATION.")
@click.option("--workers", type=click.IntRange(min=1), help="Detection processes (default: number of cores).")
@click.option("--state", "state_path", type=click.Path(dir_okay=False), help="SQLite state for incremental rescans and checkpoints.")
@click.option("--include", multiple=True, help="Only scan paths (or schema.table) matching this glob (repeatable).")
@click.option("--exclude", multiple=True, help="Skip paths (or schema.table) matching this glob (repeatable).")
@click.option("--follow-symlinks", is_flag=True, default=None, help="Follow symbolic links (loops are detected).")
@click.option("--sample-rows", help="Rows sampled per database table: a number (default 10000) or 'all'.")
@click.option("--max-duration", help="Stop cleanly after this long (e.g. 90m, 2h): partial report, exit 3; --state continues next run.")
@click.option("--language", type=click.Choice(["en", "fr"]), help="Language of the NLP model (default en).")
@click.option("--hmac-key-file", type=click.Path(dir_okay=False), help="Key for value hashes (default: $DATAGUARD_HMAC_KEY or a per-user key).")
@click.option("--signing-key", type=click.Path(dir_okay=False), help="Ed25519 private key: sign the report (REPORT.sig).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Acceptance baseline (YAML): matching findings are 'accepted'.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Append logs to this file (never contains sensitive values).")
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr; no progress bar.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
def scan(targets, config_path, rules, site, site_kind, fmt, output, fail_on, max_evidence, show_data, no_ner,
         workers, state_path, include, exclude, follow_symlinks, sample_rows, max_duration, language,
         hmac_key_file, signing_key, baseline, log_file, quiet, verbose):
    """Scan TARGET... (folders, files, smb:// shares, database URLs) and report findings.

    Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 could not run,
    3 scan incomplete (unreachable target, interrupted, out of time).
    """
    from dataguard.settings import ScanSettings, SettingsError, build_settings
    _setup_logging(log_file, quiet, verbose)
    try:
        settings: ScanSettings = build_settings(
            targets=targets, config_path=config_path, rules=rules, site=site, site_kind=site_kind, fmt=fmt,
            output=output, fail_on=fail_on, max_evidence=max_evidence, show_data=show_data, no_ner=no_ner,
            workers=workers, state_path=state_path, include=include, exclude=exclude,
            follow_symlinks=follow_symlinks, sample_rows=sample_rows, max_duration=max_duration,
            language=language, hmac_key_file=hmac_key_file, stdout_is_tty=sys.stdout.isatty(),
            signing_key=signing_key, baseline=baseline)
    except SettingsError as exc:
        _fail(str(exc))
    except click.BadParameter as exc:
        _fail(exc.format_message())

    from dataguard.scanner import run_scan
    from dataguard.state import StateError, StateLocked

    progress = None
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm
        bar = tqdm(unit=" items", file=sys.stderr, leave=False)

        def progress(_uri: str) -> None:
            bar.update(1)
    log.info("dataguard %s scanning %d target(s)", __version__, len(settings.scan.targets))
    try:
        result = run_scan(settings.scan, settings.hasher, progress=progress, install_signal_handlers=True)
    except StateLocked as exc:
        _fail(str(exc), EXIT_INCOMPLETE)
    except StateError as exc:
        _fail(str(exc))
    except Exception as exc:  # model problems surface here for worker pools
        from dataguard.detect import ModelMissing
        if isinstance(exc, ModelMissing):
            _fail(str(exc))
        raise
    finally:
        if bar is not None:
            bar.close()

    from dataguard.report import render, write_atomic, write_report
    if settings.baseline is not None:
        from dataguard.baseline import MarkedFindings, report_date
        result.findings = MarkedFindings(result.findings, settings.baseline, report_date(result.finished_at))

    def write(out) -> None:
        write_report(result, settings.fmt, out, show_data=settings.scan.show_data)
    if settings.output:
        try:
            write_atomic(settings.output, write)
        except OSError as exc:
            _fail(f"cannot write report {settings.output}: {exc.strerror}")
        log.info("report written to %s", settings.output)
        if settings.signing_key is not None:
            from dataguard.signing import sign_report
            log.info("signature written to %s", sign_report(settings.output, settings.signing_key))
        if settings.keep_last:
            from dataguard.report import prune_reports
            for old in prune_reports(settings.output, settings.keep_last):
                log.info("old report removed (output.keep_last = %d): %s", settings.keep_last, old)
        if sys.stdout.isatty() and settings.fmt != "table" and not quiet:
            click.echo(render(result, "table"))
    else:
        write(_Echo())

    for t in result.targets:
        if t.status != "ok":
            log.error("target %s: %s: %s", t.uri, t.status, t.error)
    log.info("scan %s: %d findings, %d errors, %d skipped, %.1fs", "complete" if result.complete else "INCOMPLETE",
             len(result.findings), result.stats["errors"], result.stats["items_skipped"], result.stats["duration_s"])
    if not result.complete:
        sys.exit(EXIT_INCOMPLETE)
    if settings.fail_on != "never":
        threshold = severity_rank(settings.fail_on)
        # findings are sorted by severity, highest first: the first one decides (the others
        # are not read back from the findings store a second time)
        worst = result.findings[0].severity if result.findings else None
        if settings.baseline is not None:
            from dataguard.baseline import worst_unaccepted
            worst = worst_unaccepted(result.findings)
        if worst and severity_rank(worst) >= threshold:
            sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


@main.group()
def rules() -> None:
    """Work with rule packs."""


@rules.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def rules_validate(paths):
    """Validate rule pack files or folders: exit 0 if all are valid, 2 otherwise."""
    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, load_packs
    try:
        packs = load_packs(list(paths), known_entities())
    except RuleError as exc:
        _fail(str(exc))
    for p in packs:
        click.echo(f"{p.path}: pack {p.name} v{p.version}: {len(p.rules)} rules, {len(p.recognizers)} recognizers: OK")
    sys.exit(EXIT_OK)


@rules.command("list")
@click.option("--rules", "paths", multiple=True, help="Rule pack file or folder (default: the built-in pack).")
def rules_list(paths):
    """List the rules of the given (or the default) packs."""
    from tabulate import tabulate

    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, load_packs
    try:
        packs = load_packs(list(paths) or None, known_entities())
    except RuleError as exc:
        _fail(str(exc))
    rows = [[r.id, r.severity, r.measure, r.title] for p in packs for r in p.rules]
    click.echo(tabulate(rows, headers=["id", "severity", "measure", "title"]))


from dataguard.commands import register  # noqa: E402  (keys, baseline, report, inventory)

register(main)

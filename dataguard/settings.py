"""Turn command-line flags and the site configuration file into one ScanSettings.

Command-line flags override the file; the file overrides the built-in defaults
(``dataguard/defaults.py``). ``build_settings`` only reads (the configuration, the
rule packs, the NLP model's presence) and checks, before anything expensive, that every
target URI is one dataguard reads, that every file the run will write (report, state and
its lock) can be written, and that no other run holds the state file. ``prepare`` then
does what changes the disk: it creates the report folder and loads, or creates on first
use, the HMAC key.
"""
from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Optional

from dataguard import defaults
from dataguard.durations import parse_duration
from dataguard.names import file_part
from dataguard.types import Limits, Site
from dataguard.vocab import OutputFormat, report_extension


class SettingsError(Exception):
    """Bad usage, configuration or rule packs (exit 2)."""


@dataclass(frozen=True)
class Flags:
    """The ``dataguard scan`` command line (None / empty: not given)."""
    targets: tuple = ()
    config_path: Optional[str] = None
    rules: tuple = ()
    no_default_rules: Optional[bool] = None
    site: Optional[str] = None
    site_kind: Optional[str] = None
    fmt: Optional[str] = None
    output: Optional[str] = None
    fail_on: Optional[str] = None
    max_evidence: Optional[str] = None
    show_data: Optional[bool] = None
    no_ner: Optional[bool] = None
    workers: Optional[int] = None
    state_path: Optional[str] = None
    include: tuple = ()
    exclude: tuple = ()
    follow_symlinks: Optional[bool] = None
    sample_rows: Optional[str] = None
    max_duration: Optional[str] = None
    language: Optional[str] = None
    hmac_key_file: Optional[str] = None
    heartbeat: Optional[str] = None
    signing_key: Optional[str] = None
    baseline: Optional[str] = None
    executor: Optional[str] = None
    scheduler: Optional[str] = None
    cluster_tls: Optional[str] = None
    insecure_scheduler: Optional[bool] = None

    @classmethod
    def of(cls, params: dict) -> "Flags":
        """The flags among ``params`` (click's parameters: other keys are ignored)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in params.items() if k in names})


@dataclass
class ScanSettings:
    scan: object                         # dataguard.scanner.ScanOptions
    fmt: str
    output: Optional[str]
    fail_on: str
    hmac_key_file: Optional[str] = None  # None: $DATAGUARD_HMAC_KEY(_FILE) or the per-user key
    output_folder: Optional[str] = None  # the configured report folder (created by prepare)
    keep_last: Optional[int] = None      # reports of this site kept in the output folder
    heartbeat_s: float = defaults.HEARTBEAT_S   # progress log line interval without a terminal
    signing_key: object = None           # Ed25519 private key: the report is signed (REPORT.sig)
    baseline: object = None              # dataguard.baseline.Baseline applied to the findings
    named: dict = field(default_factory=dict)   # setting -> "FILE: field" when the configuration gave it


@contextmanager
def _naming(where: Optional[str]):
    """A SettingsError raised inside starts with ``where``: the configuration file and the field
    the value came from (``dataguard.yaml: state``); as it is when a flag gave the value (None)."""
    try:
        yield
    except SettingsError as exc:
        if where is None:
            raise
        raise SettingsError("\n".join(f"{where}: {line}" for line in str(exc).splitlines())) from None


def _where(flags: "Flags", name: str, flag_value, cfg_value) -> Optional[str]:
    """``FILE: name`` when the configuration file gave the value (no flag did), else None."""
    if _pick(flag_value) is not None or _pick(cfg_value) is None or not flags.config_path:
        return None
    return f"{flags.config_path}: {name}"


def _pick(*values):
    for v in values:
        if v is not None and v != () and v != []:
            return v
    return None


def _int_or_all(value, what: str, default: Optional[int]) -> Optional[int]:
    """A count from a flag or the file: a number, 'all' (None), or not given (``default``)."""
    if value is None:
        return default
    if isinstance(value, int):
        return value
    if str(value).strip().lower() == "all":
        return None
    try:
        n = int(value)
    except ValueError:
        raise SettingsError(f"{what} must be a number or 'all', not {value!r}") from None
    if n < 0:
        raise SettingsError(f"{what} must not be negative")
    return n


def _load_config(path: Optional[str]):
    if not path:
        return None
    from dataguard.config import ConfigError, load_config
    try:
        return load_config(path)
    except ConfigError as exc:
        raise SettingsError(str(exc)) from None
    except OSError as exc:
        raise SettingsError(f"cannot read config {path}: {exc.strerror}") from None


def pack_paths(rules, no_default_rules: bool = False) -> list:
    """The rule pack files and folders to load: the built-in packs (unless
    ``no_default_rules``) followed by ``rules``; the word ``default`` in ``rules`` places the
    built-in packs there instead (and keeps them even with ``no_default_rules``)."""
    from dataguard.config import DEFAULT_PACKS
    from dataguard.rules import default_pack_paths
    rules = [str(r) for r in rules or ()]
    if DEFAULT_PACKS not in rules and not no_default_rules:
        rules.insert(0, DEFAULT_PACKS)
    out: list = []
    for r in rules:
        for p in (default_pack_paths() if r == DEFAULT_PACKS else [r]):
            if str(p) not in map(str, out):
                out.append(p)
    if not out:
        raise SettingsError("no rule pack: --no-default-rules needs --rules FILE (or 'rules' in the configuration)")
    return out


def _load_packs(flags: Flags, cfg) -> list:
    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, load_packs
    paths = pack_paths(list(flags.rules) or list(getattr(cfg, "rules", None) or []),
                       bool(_pick(flags.no_default_rules, getattr(cfg, "no_default_rules", None), False)))
    try:
        return load_packs(paths, known_entities())
    except RuleError as exc:
        raise SettingsError(str(exc)) from None
    except OSError as exc:
        raise SettingsError(f"cannot read rule pack: {exc.filename}: {exc.strerror}") from None


def _merge_target(cfg, ct, base: dict) -> dict:
    """SourceOptions fields for one configured target (credentials resolved by the config module)."""
    opts = dict(base)
    for k, v in (cfg.source_options_for(ct) or {}).items():
        if k in ("include", "exclude"):
            opts[k] = tuple(opts.get(k, ())) + tuple(v or ())
        elif v is not None:
            opts[k] = v
    return opts


def _targets(flags: Flags, cfg, sample_rows: Optional[int]) -> list:
    """[(uri, SourceOptions)]: the targets named on the command line, else the configured ones."""
    from dataguard.sources import SourceOptions
    for uri in flags.targets:
        check_target(uri)
    for i, ct in enumerate([] if flags.targets else getattr(cfg, "targets", None) or []):
        with _naming(f"{flags.config_path}: targets[{i}].uri"):
            check_target(ct.uri)
    base = dict(include=tuple(flags.include), exclude=tuple(flags.exclude) + tuple(getattr(cfg, "exclude", ()) or ()),
                follow_symlinks=bool(_pick(flags.follow_symlinks, getattr(cfg, "follow_symlinks", None), False)),
                sample_rows=sample_rows, sample_seed=defaults.SAMPLE_SEED,
                statement_timeout_s=defaults.STATEMENT_TIMEOUT_S)
    configured = list(getattr(cfg, "targets", None) or [])
    if flags.targets:
        by_uri = {}
        for ct in configured:
            by_uri.setdefault(ct.uri, ct)
        return [(t, SourceOptions(**(_merge_target(cfg, by_uri[t], base) if t in by_uri else base)))
                for t in flags.targets]
    if configured:
        return [(ct.uri, SourceOptions(**_merge_target(cfg, ct, base))) for ct in configured]
    raise SettingsError("no target given: name folders, shares or database URLs, or use --config")


def check_target(uri: str) -> None:
    """SettingsError unless dataguard reads targets of this kind (reads and connects to nothing)."""
    from dataguard.sources import BadTarget, check_target_uri
    try:
        check_target_uri(uri)
    except BadTarget as exc:
        raise SettingsError(str(exc)) from None


def check_writable(path: str, what: str, *, create_folders: bool = False) -> None:
    """SettingsError unless ``path`` can be written: an existing file that is writable, or a
    new file in a writable folder (with ``create_folders``: in a folder that can be created)."""
    full = os.path.abspath(os.path.expanduser(str(path)))
    if os.path.isdir(full):
        raise SettingsError(f"{what} {path} is a folder, not a file")
    if os.path.exists(full):
        if not os.access(full, os.W_OK):
            raise SettingsError(f"{what} {path}: permission denied")
        return
    folder = os.path.dirname(full)
    if create_folders:
        folder = _existing_parent(folder)
        if os.path.lexists(folder) and not os.path.isdir(folder):
            raise SettingsError(f"{what} {path}: folder {os.path.dirname(full)} cannot be created: "
                                f"{folder} is not a folder")
    if not os.path.isdir(folder):
        raise SettingsError(f"{what} {path}: folder {os.path.dirname(full)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise SettingsError(f"{what} {path}: cannot write in folder {folder} (permission denied)")


def _existing_parent(folder: str) -> str:
    """``folder`` itself if something is there, else the nearest of its parents that is."""
    while not os.path.lexists(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder


def check_folder_creatable(folder: str, what: str) -> None:
    """SettingsError unless files can be made in ``folder`` (created when missing, as a scan does):
    tried by making, and removing at once, an empty folder in it or in its nearest existing parent,
    since the permission bits do not tell (root may write anywhere but in /proc, /sys or a
    read-only mount)."""
    import tempfile
    full = os.path.abspath(os.path.expanduser(str(folder)))
    place = _existing_parent(full)
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".dataguard-check-", dir=place))
    except OSError as exc:
        raise SettingsError(f"{what} {folder}: cannot {'write in' if place == full else 'be created in'} "
                            f"{place} ({exc.strerror})") from None


def _check_outputs(report: Optional[str], state: Optional[str], created_folder: bool) -> None:
    """Every file the scan will write can be written, and no other run holds the state file
    (StateLocked) - checked before the rule packs and the NLP model are loaded."""
    if report:
        check_writable(report, "report", create_folders=created_folder)
    if state:
        check_writable(state, "state file")
        check_writable(state + ".lock", "state lock file")
        from dataguard.state import check_unlocked
        check_unlocked(state)


def _check_globs(targets: list) -> None:
    """Every --include/--exclude pattern compiles (dataguard.globs' dialect), before any work."""
    from dataguard.globs import GlobError, selection_globs
    for _, opts in targets:
        for which in ("include", "exclude"):
            for pattern in getattr(opts, which) or ():
                try:
                    selection_globs([pattern])
                except GlobError as exc:
                    raise SettingsError(f"--{which}: {exc}") from None


def _detector_kwargs(flags: Flags, cfg, packs: list) -> dict:
    """Settings of dataguard.detect.Detector; checks that the NLP model is installed when needed."""
    from dataguard.rules import column_signals, needed_entities
    ner = not bool(_pick(flags.no_ner, getattr(cfg, "no_ner", None), False))
    lang = _pick(flags.language, getattr(cfg, "language", None), defaults.LANGUAGE)
    countries = tuple(getattr(cfg, "countries", None) or defaults.COUNTRIES)
    extra_regions = tuple(getattr(cfg, "phone_regions", None) or ())
    kwargs = dict(entities=needed_entities(packs), custom=tuple(r for p in packs for r in p.recognizers),
                  columns=column_signals(packs), ner=ner, language=lang, countries=countries,
                  phone_regions=tuple(dict.fromkeys(countries + extra_regions)),
                  context=tuple(c for p in packs for c in p.entity_context))
    if ner:
        from dataguard.detect import ModelMissing, check_model
        try:
            check_model(lang)
        except ModelMissing as exc:
            raise SettingsError(str(exc)) from None
    return kwargs


def _report_place(flags: Flags, cfg, site: Site, stdout_is_tty: bool, now: datetime) -> tuple:
    """(format, output path, output folder, keep_last). A configured output folder, without
    --output, names the report ``dataguard-<site>-<UTC stamp>.<ext>`` in that folder."""
    cfg_out = getattr(cfg, "output", None)
    fmt = _pick(flags.fmt, getattr(cfg_out, "format", None))
    path, folder, keep_last = flags.output, None, None
    if path is None and cfg_out is not None and getattr(cfg_out, "folder", None):
        folder = cfg_out.folder
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        name = file_part(site.name, "scan")       # ("Juba/Field 1": one file in the folder, not a path)
        path = os.path.join(folder, f"dataguard-{name}-{stamp}.{report_extension(fmt or 'json')}")
        keep_last = getattr(cfg_out, "keep_last", None)
    if fmt is None:
        fmt = OutputFormat.JSON if path or not stdout_is_tty else OutputFormat.TABLE
    return str(fmt), path, folder, keep_last


def _duration(flags: Flags, cfg, name: str) -> Optional[float]:
    """A duration flag (or the configuration key of the same name) in seconds; None if not given."""
    value = _pick(getattr(flags, name), getattr(cfg, name, None))
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise SettingsError(f"--{name.replace('_', '-')}: {exc}") from None


def _cluster_options(flags: Flags, cfg):
    """ClusterOptions for ``--executor dask`` (None for local); the scheduler address checked."""
    g = (lambda name: getattr(cfg, name, None))
    scheduler = _pick(flags.scheduler, g("scheduler"))
    if _pick(flags.executor, g("executor"), "local") != "dask":
        if scheduler:
            raise SettingsError("--scheduler needs --executor dask")
        return None
    if not scheduler:
        raise SettingsError("--executor dask needs --scheduler ADDRESS (e.g. tls://scheduler.example.org:8786)")
    import importlib.util
    if importlib.util.find_spec("distributed") is None:
        raise SettingsError("--executor dask needs the cluster extra: pip install 'dataguard[cluster]'")
    from dataguard.scanner.tls import ClusterSecurityError, check_address
    tls_folder = _pick(flags.cluster_tls, g("cluster_tls"))
    try:
        address = check_address(scheduler, tls_folder, bool(_pick(flags.insecure_scheduler,
                                                                 g("insecure_scheduler"), False)))
    except ClusterSecurityError as exc:
        raise SettingsError(str(exc)) from None
    from dataguard.scanner import ClusterOptions
    return ClusterOptions(scheduler=address, tls_folder=tls_folder)


def build_settings(flags: Flags, *, stdout_is_tty: bool, now: Optional[datetime] = None) -> ScanSettings:
    """ScanSettings from the flags and the configuration file they name. Reads files; writes none.
    Raises SettingsError (bad usage) or ``state.StateLocked`` (another run holds the state)."""
    from dataguard.scanner import ScanOptions
    cfg = _load_config(flags.config_path)
    g = (lambda name: getattr(cfg, name, None))
    site = Site(name=_pick(flags.site, getattr(g("site"), "name", None), socket.gethostname() or None),
                kind=_pick(flags.site_kind, getattr(g("site"), "kind", None)))
    sample_rows = _int_or_all(_pick(flags.sample_rows, g("sample_rows")), "--sample-rows", defaults.SAMPLE_ROWS)
    max_evidence = _int_or_all(_pick(flags.max_evidence, g("max_evidence")), "--max-evidence", defaults.MAX_EVIDENCE)
    max_duration_s = _duration(flags, cfg, "max_duration")
    heartbeat_s = _duration(flags, cfg, "heartbeat") or defaults.HEARTBEAT_S
    targets = _targets(flags, cfg, sample_rows)
    _check_globs(targets)
    cluster = _cluster_options(flags, cfg)
    fmt, out_path, folder, keep_last = _report_place(flags, cfg, site, stdout_is_tty,
                                                     now or datetime.now(timezone.utc))
    state_path = _pick(flags.state_path, g("state"))
    named = {name: _where(flags, name, flag, g(name.split(".")[0])) for name, flag in (
        ("output.folder", flags.output), ("state", flags.state_path), ("rules", flags.rules),
        ("hmac_key_file", flags.hmac_key_file), ("signing_key", flags.signing_key), ("baseline", flags.baseline))}
    with _naming(named["output.folder"]):
        _check_outputs(out_path, None, created_folder=bool(folder))
    with _naming(named["state"]):
        _check_outputs(None, state_path, False)
    with _naming(named["rules"]):
        packs = _load_packs(flags, cfg)
    detector_kwargs = _detector_kwargs(flags, cfg, packs)
    scan = ScanOptions(
        targets=targets, packs=packs, site=site, limits=Limits(sample_rows=sample_rows),
        max_evidence=max_evidence, show_data=bool(_pick(flags.show_data, False)), detector_kwargs=detector_kwargs,
        workers=int(_pick(flags.workers, g("workers"), os.cpu_count() or 1)),
        state_path=state_path, max_duration_s=max_duration_s, cluster=cluster)
    return ScanSettings(scan=scan, fmt=fmt, output=out_path, fail_on=str(_pick(flags.fail_on, g("fail_on"),
                                                                                   defaults.FAIL_ON)),
                        hmac_key_file=_pick(flags.hmac_key_file, g("hmac_key_file")), output_folder=folder,
                        keep_last=keep_last, heartbeat_s=heartbeat_s, named=named,
                        signing_key=_signing_key(_pick(flags.signing_key, g("signing_key")), out_path,
                                                 named["signing_key"]),
                        baseline=_baseline(_pick(flags.baseline, g("baseline")), named["baseline"]))


def _load_signing_key(key_path):
    """The Ed25519 private key at ``key_path``; SettingsError naming what is wrong with it."""
    from dataguard.signing import SigningError, load_private_key
    try:
        return load_private_key(key_path)
    except SigningError as exc:
        raise SettingsError(str(exc)) from None


def _signing_key(key_path, out_path, where: Optional[str] = None):
    """The site's signing key, read (None without one); a signature needs a report file."""
    if not key_path:
        return None
    with _naming(where):
        key = _load_signing_key(key_path)
        if not out_path:
            raise SettingsError("a signing key needs --output (or output.folder in the configuration): "
                                "the signature is a file next to the report")
    return key


def _baseline(path, where: Optional[str] = None):
    """The acceptance baseline, read (None without one)."""
    from dataguard.baseline import BaselineError, load_baseline
    if not path:
        return None
    with _naming(where):
        try:
            return load_baseline(path)
        except BaselineError as exc:
            raise SettingsError(str(exc)) from None


def prepare(settings: ScanSettings):
    """The side effects a scan needs before it starts: create the report folder (mode 0700)
    and load, or create on first use, the HMAC key. Returns the ``Hasher``."""
    from dataguard.hashing import Hasher, HmacKeyError, load_key
    if settings.output_folder:
        try:
            os.makedirs(settings.output_folder, mode=0o700, exist_ok=True)
        except OSError as exc:
            with _naming(settings.named.get("output.folder")):
                raise SettingsError(f"cannot create report folder {settings.output_folder}: {exc.strerror}") from None
    with _naming(settings.named.get("hmac_key_file")):
        try:
            return Hasher(load_key(settings.hmac_key_file))
        except HmacKeyError as exc:
            raise SettingsError(str(exc)) from None


def _check_steps(cfg) -> list:
    """(what, check) pairs of ``check_config``: each check raises on a problem."""
    from dataguard.hashing import load_key
    steps = [(f"targets[{i}].uri", (lambda uri=t.uri: check_target(uri))) for i, t in enumerate(cfg.targets)]
    if cfg.hmac_key_file:
        steps.append(("hmac_key_file", lambda: load_key(cfg.hmac_key_file)))
    if cfg.state:
        # (SQLite writes its journal beside the file: its folder must take new files)
        steps.append(("state", lambda: (_check_outputs(None, cfg.state, False), check_folder_creatable(
            os.path.dirname(os.path.abspath(os.path.expanduser(str(cfg.state)))), "state file's folder"))))
    if cfg.output is not None:
        steps.append(("output.folder", lambda: (
            check_writable(os.path.join(cfg.output.folder, "report"), "report in output.folder", create_folders=True),
            check_folder_creatable(cfg.output.folder, "report folder"))))
    if cfg.signing_key:
        # (without output.folder the key is still right: the scan's --output names the report file)
        steps.append(("signing_key", lambda: _load_signing_key(cfg.signing_key)))
    if cfg.baseline:
        steps.append(("baseline", lambda: _baseline(cfg.baseline)))
    flags = Flags(no_default_rules=cfg.no_default_rules, no_ner=cfg.no_ner)
    steps.append(("rules", lambda: _detector_kwargs(flags, cfg, _load_packs(flags, cfg))))
    return steps


def check_config(path: str, environ: Optional[dict] = None) -> list:
    """Every problem of a site configuration a scan would meet before it starts, without
    scanning or connecting: the file itself, its environment variables, target URIs, key
    file, state and report places, rule packs and the NLP model. [] when all is well."""
    from dataguard.config import ConfigError, load_config
    from dataguard.hashing import HmacKeyError
    from dataguard.state import StateLocked
    problems: list = []
    try:
        cfg = load_config(path, environ, unset_env=problems)
    except ConfigError as exc:
        return str(exc).splitlines()
    except OSError as exc:
        return [f"cannot read config {path}: {exc.strerror}"]
    for what, check in _check_steps(cfg):
        try:
            check()
        except (SettingsError, HmacKeyError, StateLocked) as exc:
            # (one line per problem: a baseline's error names each of its fields on a line)
            problems += [f"{path}: {what}: {line}" for line in str(exc).splitlines()]
    return problems

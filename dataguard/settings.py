"""Turn command-line flags and the site configuration file into one ScanOptions.

Command-line flags override the file; the file overrides built-in defaults.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Optional

from dataguard.types import Limits, Site


class SettingsError(Exception):
    """Bad usage, configuration or rule packs (exit 2)."""


@dataclass
class ScanSettings:
    scan: object            # dataguard.scanner.ScanOptions
    hasher: object          # dataguard.hashing.Hasher
    fmt: str
    output: Optional[str]
    fail_on: str
    keep_last: Optional[int] = None    # reports of this site kept in the config's output folder
    signing_key: object = None         # Ed25519 private key: the report is signed (REPORT.sig)
    baseline: object = None            # dataguard.baseline.Baseline applied to the findings


def _pick(*values):
    for v in values:
        if v is not None and v != () and v != []:
            return v
    return None


def _int_or_all(value, what: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if str(value).strip().lower() == "all":
        return -1
    try:
        n = int(value)
    except ValueError:
        raise SettingsError(f"{what} must be a number or 'all', not {value!r}") from None
    if n < 0:
        raise SettingsError(f"{what} must not be negative")
    return n


def build_settings(*, targets, config_path, rules, site, site_kind, fmt, output, fail_on, max_evidence, show_data,
                   no_ner, workers, state_path, include, exclude, follow_symlinks, sample_rows, max_duration,
                   language, hmac_key_file, stdout_is_tty, signing_key=None, baseline=None) -> ScanSettings:
    from dataguard.cli import parse_duration
    from dataguard.hashing import Hasher, HmacKeyError, load_key
    from dataguard.scanner import ScanOptions
    from dataguard.sources import SourceOptions

    cfg = None
    if config_path:
        from dataguard.config import ConfigError, load_config
        try:
            cfg = load_config(config_path)
        except ConfigError as exc:
            raise SettingsError(str(exc)) from None
        except OSError as exc:
            raise SettingsError(f"cannot read config {config_path}: {exc.strerror}") from None

    g = (lambda name, default=None: getattr(cfg, name, default) if cfg is not None else default)
    cfg_site = g("site")
    import socket
    site_obj = Site(name=_pick(site, getattr(cfg_site, "name", None), socket.gethostname() or None),
                    kind=_pick(site_kind, getattr(cfg_site, "kind", None)))

    # rule packs ------------------------------------------------------------
    from dataguard.detect import known_entities
    from dataguard.rules import RuleError, load_packs, needed_entities
    rule_paths = list(rules) or list(g("rules") or []) or None
    try:
        packs = load_packs(rule_paths, known_entities())
    except RuleError as exc:
        raise SettingsError(str(exc)) from None
    except OSError as exc:
        raise SettingsError(f"cannot read rule pack: {exc.filename}: {exc.strerror}") from None

    # targets -----------------------------------------------------------------
    global_exclude = tuple(exclude) + tuple(g("exclude") or ())
    sample = _int_or_all(_pick(sample_rows, g("sample_rows")), "--sample-rows")
    sample_rows_v = None if sample == -1 else (10_000 if sample is None else sample)
    base = dict(include=tuple(include), exclude=global_exclude,
                follow_symlinks=bool(_pick(follow_symlinks, g("follow_symlinks"), False)),
                sample_rows=sample_rows_v)
    pairs = []
    if targets:
        for t in targets:
            opts = dict(base)
            if cfg is not None and hasattr(cfg, "source_options_for"):
                match = [ct for ct in (cfg.targets or []) if ct.uri == t]
                if match:
                    opts.update(_merge_target(cfg, match[0], base))
            pairs.append((t, SourceOptions(**opts)))
    elif cfg is not None and g("targets"):
        for ct in cfg.targets:
            pairs.append((ct.uri, SourceOptions(**_merge_target(cfg, ct, base))))
    else:
        raise SettingsError("no target given: name folders, shares or database URLs, or use --config")

    # detection ---------------------------------------------------------------
    ner = not bool(_pick(no_ner, g("no_ner"), False))
    lang = _pick(language, g("language"), "en")
    regions = g("phone_regions")
    custom = tuple(r for p in packs for r in p.recognizers)
    detector_kwargs = dict(entities=needed_entities(packs), custom=custom, ner=ner, language=lang)
    if regions:
        detector_kwargs["phone_regions"] = tuple(regions)
    if ner:
        from dataguard.detect import ModelMissing, check_model
        try:
            check_model(lang)
        except ModelMissing as exc:
            raise SettingsError(str(exc)) from None

    # output ------------------------------------------------------------------
    cfg_out = g("output")
    out_fmt = _pick(fmt, getattr(cfg_out, "format", None))
    out_path = output
    if out_path is None and cfg_out is not None and getattr(cfg_out, "folder", None):
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        os.makedirs(cfg_out.folder, mode=0o700, exist_ok=True)
        ext = {"jsonl": "jsonl", "table": "txt"}.get(out_fmt or "json", out_fmt or "json")
        out_path = os.path.join(cfg_out.folder, f"dataguard-{site_obj.name or 'scan'}-{stamp}.{ext}")
        keep_last = getattr(cfg_out, "keep_last", None)
    else:
        keep_last = None
    if out_fmt is None:
        out_fmt = "json" if out_path or not stdout_is_tty else "table"

    me = _int_or_all(_pick(max_evidence, g("max_evidence")), "--max-evidence")
    max_ev = None if me == -1 else (10 if me is None else me)
    dur = _pick(max_duration, g("max_duration"))
    try:
        max_dur = parse_duration(str(dur)) if dur is not None else None
    except Exception as exc:  # click.BadParameter
        raise SettingsError(getattr(exc, "message", str(exc))) from None

    try:
        hasher = Hasher(load_key(_pick(hmac_key_file, g("hmac_key_file"))))
    except HmacKeyError as exc:
        raise SettingsError(str(exc)) from None

    scan = ScanOptions(
        targets=pairs, packs=packs, site=site_obj, limits=Limits(sample_rows=sample_rows_v),
        max_evidence=max_ev, show_data=bool(_pick(show_data, False)),
        detector_kwargs=detector_kwargs,
        workers=int(_pick(workers, g("workers"), os.cpu_count() or 1)),
        state_path=_pick(state_path, g("state")), max_duration_s=max_dur)
    return ScanSettings(scan=scan, hasher=hasher, fmt=out_fmt, output=out_path,
                        fail_on=_pick(fail_on, g("fail_on"), "low"), keep_last=keep_last,
                        **_signing_and_baseline(_pick(signing_key, g("signing_key")), _pick(baseline, g("baseline")),
                                                out_path))


def _signing_and_baseline(key_path, baseline_path, out_path) -> dict:
    from dataguard.baseline import BaselineError, load_baseline
    from dataguard.signing import SigningError, load_private_key
    if key_path and not out_path:
        raise SettingsError("a signing key needs --output (or output.folder in the configuration): "
                            "the signature is a file next to the report")
    try:
        return {"signing_key": load_private_key(key_path) if key_path else None,
                "baseline": load_baseline(baseline_path) if baseline_path else None}
    except (SigningError, BaselineError) as exc:
        raise SettingsError(str(exc)) from None


def _merge_target(cfg, ct, base: dict) -> dict:
    """SourceOptions fields for one configured target (credentials resolved by the config module)."""
    opts = dict(base)
    extra = cfg.source_options_for(ct) or {}
    for k, v in extra.items():
        if k in ("include", "exclude"):
            opts[k] = tuple(opts.get(k, ())) + tuple(v or ())
        elif v is not None:
            opts[k] = v
    return opts

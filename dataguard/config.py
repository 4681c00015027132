"""The site configuration file (``dataguard.yaml``), validated strictly.

    site: {name: Juba, kind: field}              # kind: hq | field
    targets:
      - uri: smb://fs01.example.org/shared
        username: svc-dataguard                   # SMB user (or in the URI: smb://user@host/share)
        password_env: DATAGUARD_FS01_PASSWORD     # name of an environment variable, never the password
        include: ["**"]                           # globs on the path inside the target
        exclude: ["**/*.iso"]
        require_encryption: false                 # SMB only: force SMB3 encryption
      - uri: /srv/data
    rules: [packs/site-pack.yaml]                 # files or folders, relative to this file's folder, added
                                                  # to the built-in packs ("default" names those)
    no_default_rules: false                       # true: only the packs listed in rules
    exclude: ["**/.git/**"]                       # global excludes, added to every target's
    output: {folder: reports, format: json, keep_last: 30}   # format: table|json|jsonl|sarif|csv|html
    hmac_key_file: /etc/dataguard/hmac.key
    countries: [SS, KE, UG]                       # ISO 3166 codes of the duty station(s)
    phone_regions: [SD]                           # more phone regions (besides the countries)
    language: auto                                # auto (per chunk) | en | fr
    fail_on: low                                  # critical|high|medium|low|info|never
    max_evidence: 10                              # or "all"
    workers: 4
    state: /var/lib/dataguard/state.db
    max_duration: 2h                              # "90m", "1h30m", "45s" or seconds
    heartbeat: 5m                                 # progress line in the log this often (no terminal)
    sample_rows: 10000                            # or "all"
    no_ner: false
    follow_symlinks: false
    retention_years: 7                            # informational; recorded, not used by rules
    executor: dask                                # local (default) | dask
    scheduler: tls://scheduler.example.org:8786   # the Dask scheduler (executor: dask)
    cluster_tls: /etc/dataguard/cluster-tls       # ca.pem, client.pem, client-key.pem
    insecure_scheduler: false                     # true: allow a remote scheduler without TLS

Unknown keys are errors. Every error raises ``ConfigError`` whose message names the
file and the field path (``dataguard.yaml: targets[1].password_env: ...``). Passwords
are read from the environment at load time into a private attribute that no repr,
str, dump or error message ever shows. Relative paths (rules, output folder, key file,
state, cluster_tls) are resolved against the folder of the configuration file.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, List, Literal, Optional, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from dataguard import defaults
from dataguard.durations import parse_duration
from dataguard.globs import check_glob
from dataguard.validation import iso_country, load_yaml, problem_lines, without_quotes
from dataguard.vocab import FAIL_ON_CHOICES, FORMATS, LANGUAGES, SiteKind, values


class ConfigError(Exception):
    """Bad site configuration (exit 2). The message names the file and the field."""


DEFAULT_PACKS = "default"     # in ``rules``: the built-in packs
Glob = Annotated[str, AfterValidator(check_glob)]     # (as a rule pack's scope globs)
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class SiteSection(_Strict):
    name: str = Field(min_length=1)
    kind: Optional[Literal[values(SiteKind)]] = None


class TargetConfig(_Strict):
    uri: str = Field(min_length=1)
    username: Optional[str] = None
    password_env: Optional[str] = None
    include: List[Glob] = Field(default_factory=list)
    exclude: List[Glob] = Field(default_factory=list)
    require_encryption: Optional[bool] = None
    _password: Optional[str] = PrivateAttr(default=None)

    @field_validator("uri")
    @classmethod
    def _no_password_in_uri(cls, v: str) -> str:
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@", v):
            raise ValueError("the URI must not contain a password: name an environment variable in password_env")
        return v

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and not _ENV_NAME.match(v):
            raise ValueError("must be the name of an environment variable (letters, digits, underscore)")
        return v

    @property
    def is_smb(self) -> bool:
        return self.uri.lower().startswith("smb://")


class OutputSection(_Strict):
    folder: str = Field(min_length=1)
    format: Literal[FORMATS] = "json"
    keep_last: Optional[int] = Field(default=None, ge=1)


class SiteConfig(_Strict):
    site: Optional[SiteSection] = None
    targets: List[TargetConfig] = Field(default_factory=list)
    rules: List[str] = Field(default_factory=list)
    output: Optional[OutputSection] = None
    hmac_key_file: Optional[str] = None
    signing_key: Optional[str] = None      # Ed25519 private key (dataguard keys create): signs each report
    baseline: Optional[str] = None         # acceptance baseline (YAML) applied to each scan
    exclude: List[Glob] = Field(default_factory=list)
    countries: List[str] = Field(default_factory=list)
    phone_regions: List[str] = Field(default_factory=list)
    language: Literal[LANGUAGES] = defaults.LANGUAGE
    fail_on: Optional[Literal[FAIL_ON_CHOICES]] = None
    max_evidence: Optional[Union[int, Literal["all"]]] = None
    workers: Optional[int] = Field(default=None, ge=1)
    state: Optional[str] = None
    max_duration: Optional[Union[str, int, float]] = None
    heartbeat: Optional[Union[str, int, float]] = None
    sample_rows: Optional[Union[int, Literal["all"]]] = None
    no_ner: Optional[bool] = None
    no_default_rules: Optional[bool] = None
    follow_symlinks: Optional[bool] = None
    retention_years: Optional[int] = Field(default=None, ge=1)
    executor: Optional[Literal["local", "dask"]] = None
    scheduler: Optional[str] = None
    cluster_tls: Optional[str] = None
    insecure_scheduler: Optional[bool] = None

    @field_validator("countries", "phone_regions")
    @classmethod
    def _regions(cls, v: List[str]) -> List[str]:
        return [iso_country(code) for code in v]

    @field_validator("max_evidence", "sample_rows")
    @classmethod
    def _non_negative(cls, v):
        if isinstance(v, int) and not isinstance(v, bool) and v < 0:
            raise ValueError("must not be negative")
        return v

    @field_validator("max_duration", "heartbeat")
    @classmethod
    def _duration(cls, v):
        if v is not None:
            parse_duration(v)
        return v

    @property
    def max_duration_seconds(self) -> Optional[float]:
        return None if self.max_duration is None else parse_duration(self.max_duration)

    def source_options_for(self, target: TargetConfig) -> dict:
        """SourceOptions fields for one configured target (its own include/exclude and
        credentials; the caller adds the global ``exclude``)."""
        opts: dict = {"include": tuple(target.include), "exclude": tuple(target.exclude)}
        if target.is_smb:
            if target.username:
                opts["smb_username"] = target.username
            if target._password is not None:
                opts["smb_password"] = target._password
            if target.require_encryption is not None:
                opts["smb_require_encryption"] = target.require_encryption
        elif target._password is not None:
            opts["db_password"] = target._password
        return opts


def _resolve(base: Path, value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    p = Path(os.path.expanduser(value))
    return str(p if p.is_absolute() else (base / p).resolve())


def _unset_passwords(shown: str, targets: list, env) -> list:
    """An error for each (number, password_env, username) of a target whose variable is not set."""
    return [f"{shown}: targets[{i}].password_env: environment variable {name} is not set "
            f"(set it to the password of {user if isinstance(user, str) and user else 'the target'}: "
            f"never write the password in the file)" for i, name, user in targets if name and not env.get(name)]


def load_config(path, environ: Optional[dict] = None, *, unset_env: Optional[list] = None) -> SiteConfig:
    """Read and validate a dataguard.yaml; raise ConfigError naming the file and field.
    A ``password_env`` variable that is not set is an error too, unless ``unset_env`` is a
    list: then its message is appended there and the configuration is returned."""
    env = os.environ if environ is None else environ
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")    # OSError propagates (caller reports it)
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text (save the file as UTF-8)") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "YAML"
        problem = without_quotes(getattr(exc, "problem", None) or "syntax error")
        raise ConfigError(f"{shown}: {where}: not valid YAML ({problem})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{shown}: the file must hold a mapping of keys (site, targets, ...)")
    try:
        cfg = SiteConfig.model_validate(data)
    except ValidationError as exc:
        # never echo input values: they could hold secrets
        msgs = problem_lines(shown, exc, most=None)
        # (and the unset password variables of the targets as written: every problem at once)
        targets = data.get("targets") if isinstance(data.get("targets"), list) else []
        written = [(i, t.get("password_env"), t.get("username")) for i, t in enumerate(targets) if isinstance(t, dict)]
        msgs += _unset_passwords(shown, [(i, e, u) for i, e, u in written
                                         if isinstance(e, str) and _ENV_NAME.match(e)], env)
        raise ConfigError("\n".join(msgs)) from None

    base = Path(path).resolve().parent
    cfg.rules = [r if r == DEFAULT_PACKS else _resolve(base, r) for r in cfg.rules]
    cfg.hmac_key_file = _resolve(base, cfg.hmac_key_file)
    cfg.signing_key = _resolve(base, cfg.signing_key)
    cfg.baseline = _resolve(base, cfg.baseline)
    cfg.state = _resolve(base, cfg.state)
    cfg.cluster_tls = _resolve(base, cfg.cluster_tls)
    if cfg.output is not None:
        cfg.output.folder = _resolve(base, cfg.output.folder)
    for t in cfg.targets:
        if t.uri.startswith("~") or (t.uri.startswith(".") and "://" not in t.uri):
            t.uri = _resolve(base, t.uri)
        if t.password_env:
            t._password = env.get(t.password_env) or None
    unset = _unset_passwords(shown, [(i, t.password_env, t.username) for i, t in enumerate(cfg.targets)], env)
    if unset and unset_env is None:
        raise ConfigError("\n".join(unset))
    if unset_env is not None:
        unset_env.extend(unset)
    return cfg

"""Load and validate rule packs (YAML) into frozen Rule / RulePack objects."""
from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

import yaml
from pydantic import ValidationError

from dataguard.types import ColumnSignal, PatternSpec, RecognizerSpec
from dataguard.validation import field_path, plain_message, shown_name, without_quotes
from dataguard.vocab import SEVERITIES

from dataguard.globs import GlobError, compile_globs
from .model import PackModel, context_words

WILDCARDS = frozenset({"*", "ALL"})


class RuleError(Exception):
    """Invalid rule pack(s). ``problems`` holds one message per problem, each
    "<file>: rule <id or ->: <field path>: <message>"; str() joins them by lines."""

    def __init__(self, problems):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Escalation:
    severity: str
    exposure: tuple = ()
    min_count: Optional[int] = None
    min_distinct: Optional[int] = None
    sites: tuple = ()          # lower-case


@dataclass(frozen=True)
class Scope:
    sources: tuple = ()
    include: tuple = ()
    exclude: tuple = ()
    exposure: tuple = ()
    min_age_days: Optional[float] = None
    extensions: tuple = ()     # lower-case, without dot
    min_size: Optional[int] = None
    sites: tuple = ()          # lower-case
    include_rx: Optional[re.Pattern] = field(default=None, compare=False, repr=False)
    exclude_rx: Optional[re.Pattern] = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    measure: str
    entities: tuple            # ("*",) for any entity
    min_count: int = 1
    min_score: float = 0.5
    min_scores: tuple = ()     # ((ENTITY, score), ...)
    all: tuple = ()
    none: tuple = ()
    min_distinct: Optional[int] = None
    scope: Scope = Scope()
    escalate: tuple = ()       # tuple[Escalation, ...]
    remediation: str = ""
    description: str = ""
    pack: str = ""

    @functools.cached_property
    def wildcard(self) -> bool:
        return any(e in WILDCARDS for e in self.entities)

    def score_for(self, entity: str) -> float:
        for e, s in self.min_scores:
            if e == entity:
                return s
        return self.min_score


@dataclass(frozen=True)
class RulePack:
    name: str
    version: Union[int, str]
    path: str
    sha256: str
    rules: tuple               # tuple[Rule, ...]
    recognizers: tuple = ()    # tuple[RecognizerSpec, ...]
    entity_context: tuple = ()  # ((ENTITY, (word, ...)), ...): context words for built-in recognizers
    column_signals: tuple = () # tuple[ColumnSignal, ...]


# ------------------------------------------------------------------ YAML
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's where PyYAML has it: several times faster on the built-in
    packs) that refuses a key given twice in one mapping."""


def _construct_mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "duplicate key", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def default_pack_paths() -> list[Path]:
    """The packs shipped with dataguard (``rules/*.yaml``, packaged as ``dataguard.packs``)."""
    try:
        from importlib.resources import files
        root = files("dataguard.packs")
        found = sorted((Path(str(p)) for p in root.iterdir()
                        if p.name.endswith((".yaml", ".yml")) and p.is_file()), key=lambda p: p.name)
        if found:
            return found
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        pass
    here = Path(__file__).resolve().parents[2] / "rules"
    return sorted(p for p in here.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def _expand(paths) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file()))
        else:
            out.append(p)
    return out


def _pydantic_problems(fname: str, raw: dict, exc: ValidationError) -> list[str]:
    probs = []
    rules_raw = raw.get("rules") if isinstance(raw, dict) else None
    for err in exc.errors(include_input=False):
        loc = list(err["loc"])
        rid = "-"
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            r = rules_raw[loc[1]] if isinstance(rules_raw, list) and loc[1] < len(rules_raw) else None
            if isinstance(r, dict):
                rid = _rule_label(r.get("id"), loc[1])
                loc = loc[2:]
        probs.append(f"{fname}: rule {rid}: {field_path(loc)}: {_problem(err, loc)}")
    return probs


_RULE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")


def _rule_label(rid, index: int) -> str:
    """A rule as errors name it: its id when it is a valid one, else its position."""
    return rid if isinstance(rid, str) and _RULE_ID.fullmatch(rid) and len(rid) <= 64 else f"#{index + 1}"


def _problem(err: dict, loc: list) -> str:
    """What is wrong with a field, without its value."""
    typ = err.get("type", "")
    if typ == "extra_forbidden":
        return f"unknown key {shown_name(loc[-1], '') if loc else ''}".rstrip()
    if typ == "literal_error" and loc and loc[-1] == "severity":
        return f"unknown severity (expected {'|'.join(reversed(SEVERITIES))})"
    if typ == "string_pattern_mismatch" and loc and loc[-1] == "measure":
        return "bad measure (expected CM-UPPERCASE, e.g. CM-ENCRYPT)"
    if typ == "missing":
        return "required field missing"
    return plain_message(err.get("msg", "invalid"))


def _parse_file(path: Path):
    """-> (PackModel | None, raw bytes, problems)"""
    fname = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, b"", [f"{fname}: rule -: -: cannot read file: {exc.strerror or type(exc).__name__}"]
    model, problems = _parse_bytes(fname, data)
    return model, data, list(problems)


@functools.lru_cache(maxsize=16)
def _parse_bytes(fname: str, data: bytes):
    """-> (PackModel | None, problems); a pack read twice (the built-in ones: by ``load_packs``
    and for the column vocabulary) is parsed once. The model is only read, never changed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [f"{fname}: rule -: -: not UTF-8 text"]
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "-"
        problem = without_quotes(getattr(exc, "problem", None) or type(exc).__name__)
        return None, [f"{fname}: rule -: {where}: YAML syntax error: {problem}"]
    if not isinstance(raw, dict):
        return None, [f"{fname}: rule -: -: a rule pack must be a mapping with 'pack' and 'rules'"]
    try:
        model = PackModel.model_validate(raw)
    except ValidationError as exc:
        return None, _pydantic_problems(fname, raw, exc)
    return model, ()


def _build_rule(fname: str, pack: str, rm) -> tuple[Optional[Rule], list[str]]:
    probs = []
    rx = {}
    for key in ("include", "exclude"):
        pats = getattr(rm.scope, key)
        for i, p in enumerate(pats):
            try:
                compile_globs([p])
            except GlobError as exc:
                probs.append(f"{fname}: rule {rm.id}: scope.{key}[{i}]: {exc}")
        if not probs:
            rx[key] = compile_globs(pats)
    if probs:
        return None, probs
    sc = rm.scope
    scope = Scope(sources=tuple(sc.sources), include=tuple(sc.include), exclude=tuple(sc.exclude),
                  exposure=tuple(sc.exposure), min_age_days=sc.min_age_days,
                  extensions=tuple(sc.extensions), min_size=sc.min_size,
                  sites=tuple(s.lower() for s in sc.sites),
                  include_rx=rx.get("include"), exclude_rx=rx.get("exclude"))
    esc = tuple(Escalation(severity=e.severity, exposure=tuple(e.exposure), min_count=e.min_count,
                           min_distinct=e.min_distinct, sites=tuple(s.lower() for s in e.sites))
                for e in rm.escalate)
    m = rm.match
    ents = tuple("*" if e in WILDCARDS else e for e in m.entities)
    return Rule(id=rm.id, title=rm.title, severity=rm.severity, measure=rm.measure,
                entities=ents, min_count=m.min_count, min_score=m.min_score,
                min_scores=tuple(sorted(m.min_scores.items())), all=tuple(m.all), none=tuple(m.none),
                min_distinct=m.min_distinct, scope=scope, escalate=esc,
                remediation=rm.remediation.strip(), description=rm.description.strip(), pack=pack), []


def _spec(r, pack: str) -> RecognizerSpec:
    return RecognizerSpec(entity=r.entity, patterns=tuple(PatternSpec(p.name, p.regex, p.score) for p in r.patterns),
                          context=tuple(r.context_words), deny_list=tuple(r.deny_list), pack=pack,
                          validator=r.validator or "", countries=tuple(r.countries), needs_context=r.needs_context,
                          trigger=tuple(r.trigger) if isinstance(r.trigger, list) else (),
                          trigger_regex=r.trigger if isinstance(r.trigger, str) else "")


def _unknown(fname, rid, where, name, known) -> str:
    hint = difflib.get_close_matches(name, sorted(known), n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else ""
    return f"{fname}: rule {rid}: {where}: unknown entity {shown_name(name, '')}".rstrip() + extra


def _check_signals(fname: str, signals, known) -> list:
    """Entities named by column signals must be known (like a rule's)."""
    probs = []
    for i, c in enumerate(signals):
        for where, name in ([("entity", c.entity)] if c.entity else []) + [(f"lower[{j}]", e) for j, e in enumerate(c.lower)]:
            if name not in known:
                probs.append(_unknown(fname, "-", f"column_signals[{i}].{where}", name, known))
    return probs


def _signal(c, pack: str) -> ColumnSignal:
    return ColumnSignal(names=tuple(c.names), entity=c.entity, values=c.values, lower=tuple(c.lower), exact=c.exact,
                        unless=tuple(c.unless), score=c.score, pack=pack)


@functools.lru_cache(maxsize=1)
def default_column_signals() -> tuple:
    """The column-name signals of the built-in pack(s): the vocabulary the loaded packs'
    signals extend."""
    out = []
    for path in default_pack_paths():
        model, _, problems = _parse_file(path)
        if model is None:
            raise RuleError(problems)
        out.extend(_signal(c, model.pack) for c in model.column_signals)
    return tuple(out)


def column_signals(packs) -> tuple:
    """The loaded packs' column-name signals (they extend the built-in vocabulary)."""
    return tuple(s for p in packs for s in p.column_signals)


def load_packs(paths: Optional[Sequence[Union[str, Path]]], known_entities) -> list[RulePack]:
    """Load rule packs from files or folders (folders: every *.yaml / *.yml, sorted);
    ``None`` (or empty) -> the default pack. Raises RuleError listing every problem."""
    files = _expand(paths) if paths else default_pack_paths()
    if not files:
        raise RuleError(["-: rule -: -: no rule pack files found"])
    problems: list[str] = []
    parsed = []
    for path in files:
        model, data, probs = _parse_file(path)
        problems.extend(probs)
        if model is not None:
            parsed.append((path, model, data))
    declared = {r.entity for _, m, _ in parsed for r in m.recognizers}
    known = set(known_entities or ()) | declared
    seen_ids: dict[str, str] = {}
    packs = []
    for path, model, data in parsed:
        fname = str(path)
        rules = []
        for i, rm in enumerate(model.rules):
            if rm.id in seen_ids:
                problems.append(f"{fname}: rule {_rule_label(rm.id, i)}: id: duplicate rule id "
                                f"(also in {seen_ids[rm.id]})")
            else:
                seen_ids[rm.id] = fname
            m = rm.match
            for key, names in (("match.entities", m.entities), ("match.all", m.all), ("match.none", m.none),
                               ("match.min_scores", list(m.min_scores))):
                for j, name in enumerate(names):
                    if name in WILDCARDS and key == "match.entities":
                        continue
                    if name not in known:
                        where = f"{key}[{j}]" if key != "match.min_scores" else f"{key}.{shown_name(name, '(key)')}"
                        problems.append(_unknown(fname, rm.id, where, name, known))
            if any(e in WILDCARDS for e in m.entities) and len(m.entities) > 1:
                problems.append(f"{fname}: rule {rm.id}: match.entities: '*' cannot be combined with other entities")
            rule, probs = _build_rule(fname, model.pack, rm)
            problems.extend(probs)
            if rule is not None:
                rules.append(rule)
        problems.extend(_unknown(fname, "-", f"entities.{name}", name, known)
                        for name in model.entities if name not in known)
        problems.extend(_check_signals(fname, model.column_signals, known))
        packs.append(RulePack(name=model.pack, version=model.version, path=fname,
                              sha256=hashlib.sha256(data).hexdigest(), rules=tuple(rules),
                              recognizers=tuple(_spec(r, model.pack) for r in model.recognizers),
                              entity_context=tuple((name, tuple(context_words(e.context)))
                                                   for name, e in model.entities.items() if e.context),
                              column_signals=tuple(_signal(c, model.pack) for c in model.column_signals)))
    if problems:
        raise RuleError(problems)
    return packs

"""Load and validate rule packs (YAML) into frozen Rule / RulePack objects."""
from __future__ import annotations

import difflib
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Optional, Sequence, Union

import yaml
from pydantic import ValidationError

from dataguard.types import ColumnSignal, PatternSpec, RecognizerSpec
from dataguard.validation import field_path, plain_message, shown_name, union_errors, without_quotes, yaml_loader
from dataguard.vocab import SEVERITIES

from dataguard.globs import compile_globs
from .validated import save as save_validated
from .model import MatchModel, PackModel, context_words

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
    """The pack files of ``paths`` (folders: their *.yaml / *.yml, sorted), each once: a pack
    named twice (``rules/`` after the built-in ``rules/default.yaml``) is loaded once."""
    out, seen = [], set()
    for p in paths:
        p = Path(p)
        found = sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file()) if p.is_dir() else [p]
        for q in found:
            if _same_file_key(q) not in seen:
                seen.add(_same_file_key(q))
                out.append(q)
    return out


def _same_file_key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path)


def _pydantic_problems(fname: str, raw: dict, exc: ValidationError) -> list[str]:
    probs = []
    rules_raw = raw.get("rules") if isinstance(raw, dict) else None
    for err in union_errors(exc.errors(include_input=False)):
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


@dataclass(frozen=True)
class _Parsed:
    """A pack file as read. With ``problems`` (schema errors) it is never loaded: ``model``
    then holds only the parts that passed the schema (rules, recognizers, entities, column
    signals), so that their later checks (entities, globs, duplicate ids) are reported in the
    same run; ``model`` is None when the file is no pack at all (unreadable, not YAML, not a
    mapping)."""
    model: Optional[PackModel]
    problems: tuple = ()
    broken_rules: tuple = ()        # ((index, raw rule), ...): the rules that failed the schema
    broken_entities: tuple = ()     # entity names of recognizers that failed the schema


def _parse_file(path: Path):
    """-> (_Parsed, raw bytes)"""
    fname = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _Parsed(None, (f"{fname}: rule -: -: cannot read file: {exc.strerror or type(exc).__name__}",)), b""
    return _parse_bytes(fname, data), data


@functools.lru_cache(maxsize=16)
def _parse_bytes(fname: str, data: bytes) -> _Parsed:
    """A pack read twice (the built-in ones: by ``load_packs`` and for the column vocabulary)
    is parsed once. The model is only read, never changed."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _Parsed(None, (f"{fname}: rule -: -: not UTF-8 text",))
    try:
        raw = yaml.load(text, Loader=yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "-"
        problem = without_quotes(getattr(exc, "problem", None) or type(exc).__name__)
        return _Parsed(None, (f"{fname}: rule -: {where}: YAML syntax error: {problem}",))
    if not isinstance(raw, dict):
        return _Parsed(None, (f"{fname}: rule -: -: a rule pack must be a mapping with 'pack' and 'rules'",))
    try:
        return _Parsed(PackModel.model_validate(raw))
    except ValidationError as exc:
        return _partial(raw, tuple(_pydantic_problems(fname, raw, exc)))


def _valid_part(key: str, item) -> Optional[PackModel]:
    """A pack holding only ``item`` of the list (or mapping) ``key``, if that item passes the schema."""
    try:
        return PackModel.model_validate({"pack": "-", key: item})
    except ValidationError:
        return None


def _partial(raw: dict, problems: tuple) -> _Parsed:
    """The parts of a pack that failed the schema that pass it on their own (see _Parsed)."""
    parts = {"rules": [], "recognizers": [], "column_signals": []}
    broken_rules, broken_entities = [], []
    for key, found in parts.items():
        items = raw.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            one = _valid_part(key, [item])
            if one is not None:
                found.extend(getattr(one, key))
            elif key == "rules":
                broken_rules.append((i, item))
            elif key == "recognizers" and isinstance(item, dict) and isinstance(item.get("entity"), str):
                broken_entities.append(item["entity"])
    entities = {}
    if isinstance(raw.get("entities"), dict):
        for name, entity in raw["entities"].items():
            one = _valid_part("entities", {name: entity})
            if one is not None:
                entities.update(one.entities)
    pack = raw.get("pack") if isinstance(raw.get("pack"), str) and raw.get("pack") else "-"
    model = PackModel.model_construct(pack=pack, version=1, description="", entities=entities, **parts)
    return _Parsed(model, problems, tuple(broken_rules), tuple(broken_entities))


def _build_rule(pack: str, rm) -> Rule:
    sc = rm.scope           # (its globs compile: the schema checks them, ``model.Glob``)
    rx = {"include": compile_globs(sc.include), "exclude": compile_globs(sc.exclude)}
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
                remediation=rm.remediation.strip(), description=rm.description.strip(), pack=pack)


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
        parsed, _ = _parse_file(path)
        if parsed.problems:
            raise RuleError(parsed.problems)
        out.extend(_signal(c, parsed.model.pack) for c in parsed.model.column_signals)
    return tuple(out)


def column_signals(packs) -> tuple:
    """The loaded packs' column-name signals (they extend the built-in vocabulary)."""
    return tuple(s for p in packs for s in p.column_signals)


def _rule_indices(valid_rules, broken_rules) -> list:
    """The rules that passed the schema with their index in the pack's list of rules."""
    broken = {i for i, _ in broken_rules}
    indices = (i for i in range(len(valid_rules) + len(broken)) if i not in broken)
    return list(zip(indices, valid_rules))


def _valid(model, raw):
    """``raw`` as ``model`` if it passes the schema on its own, else None."""
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _match_names(raw) -> Optional[SimpleNamespace]:
    """The entity names of a rule's ``match`` that failed the schema (``min_score: 1.5``), as
    written: its unknown names are listed with the schema's problems, not once those are
    mended. A list holding anything but names is left out (the schema names it)."""
    if not isinstance(raw, dict):
        return None

    def names(key: str) -> list:
        v = raw.get(key)
        return v if isinstance(v, list) and all(isinstance(n, str) for n in v) else []
    scores = raw.get("min_scores")
    keys = [k for k in scores if isinstance(k, str)] if isinstance(scores, dict) else []
    return SimpleNamespace(entities=names("entities"), all=names("all"), none=names("none"), min_scores=keys)


def _rule_problems(fname: str, label: str, rid: Optional[str], match, known, seen_ids: dict,
                   id_label: Optional[str] = None) -> list[str]:
    """The checks of a rule (named ``label`` in errors) beyond the schema: a duplicate id
    (``rid``, None when it is not a valid id) and unknown entities in ``match`` (its scope's
    globs are the schema's: ``model.Glob``)."""
    probs = []
    if rid is not None:
        if rid in seen_ids:
            probs.append(f"{fname}: rule {id_label or label}: id: duplicate rule id (also in {seen_ids[rid]})")
        else:
            seen_ids[rid] = fname
    if match is not None:
        for key, names in (("match.entities", match.entities), ("match.all", match.all), ("match.none", match.none),
                           ("match.min_scores", list(match.min_scores))):
            for j, name in enumerate(names):
                if name in WILDCARDS and key == "match.entities":
                    continue
                if name not in known:
                    where = f"{key}[{j}]" if key != "match.min_scores" else f"{key}.{shown_name(name, '(key)')}"
                    probs.append(_unknown(fname, label, where, name, known))
        if any(e in WILDCARDS for e in match.entities) and len(match.entities) > 1:
            probs.append(f"{fname}: rule {label}: match.entities: '*' cannot be combined with other entities")
    return probs


def load_packs(paths: Optional[Sequence[Union[str, Path]]], known_entities) -> list[RulePack]:
    """Load rule packs from files or folders (folders: every *.yaml / *.yml, sorted);
    ``None`` (or empty) -> the default pack. Raises RuleError listing every problem."""
    files = _expand(paths) if paths else default_pack_paths()
    if not files:
        raise RuleError(["-: rule -: -: no rule pack files found"])
    problems: list[str] = []
    parsed = []
    for path in files:
        p, data = _parse_file(path)
        problems.extend(p.problems)
        if p.model is not None:
            parsed.append((path, p, data))
    save_validated()
    # every problem of every pack in one run: the parts of a pack that failed the schema
    # are checked further too (its problems are already listed, so it is never loaded)
    declared = {r.entity for _, p, _ in parsed for r in p.model.recognizers} | {
        e for _, p, _ in parsed for e in p.broken_entities}
    known = set(known_entities or ()) | declared
    seen_ids: dict[str, str] = {}
    packs = []
    for path, p, data in parsed:
        fname, model = str(path), p.model
        rules = []
        entries = [(i, rm, None) for i, rm in _rule_indices(model.rules, p.broken_rules)]
        entries += [(i, None, raw if isinstance(raw, dict) else {}) for i, raw in p.broken_rules]
        for i, rm, raw in sorted(entries, key=lambda entry: entry[0]):
            if rm is None:      # failed the schema: check the parts that pass it on their own
                rid = raw.get("id")
                rid = rid if isinstance(rid, str) and _RULE_ID.fullmatch(rid) else None
                problems.extend(_rule_problems(fname, _rule_label(raw.get("id"), i), rid,
                                               _valid(MatchModel, raw.get("match")) or _match_names(raw.get("match")),
                                               known, seen_ids))
                continue
            problems.extend(_rule_problems(fname, rm.id, rm.id, rm.match, known, seen_ids,
                                           _rule_label(rm.id, i)))
            rules.append(_build_rule(model.pack, rm))
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


def validate_packs(paths: Sequence[Union[str, Path]], known_entities, with_default: bool = True) -> list[RulePack]:
    """Check the packs of ``paths`` as a scan loads them: after the built-in packs (unless
    ``with_default`` is false), so that the ids of those count as taken. -> the packs of
    ``paths``; raises RuleError listing every problem (as ``load_packs``)."""
    given = _expand(paths)
    if not given:
        raise RuleError(["-: rule -: -: no rule pack files found"])
    wanted = {_same_file_key(p): p for p in given}
    files = given
    if with_default:    # the built-in packs first; one named in ``paths`` is loaded once, in its place
        files = [wanted.get(_same_file_key(p), p) for p in default_pack_paths()] + given
    packs = load_packs(files, known_entities)
    return [p for p in packs if _same_file_key(Path(p.path)) in wanted]

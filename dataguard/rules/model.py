"""Pydantic models of the rule-pack YAML (strict: unknown keys and wrong types are errors).

The format is documented in docs/SPEC.md ("Rule packs"); in short, every key optional
unless the SPEC says otherwise:

match:
  entities: [A, B]      any of these (``["*"]`` = any entity); counts are summed
  min_count: 1          instances (score >= min_score) within one location unit
  min_score: 0.5        default 0.5
  min_scores: {PERSON: 0.85}   per-entity override of min_score (entities/all/none/evidence)
  all: [PERSON]         every one of these must ALSO be present (co-occurrence)
  none: [CLASSIFICATION_MARKING]   the rule holds only if none of these is present
  min_distinct: 10      at least N distinct values across the matched ``entities``
scope:
  sources: [file, database]
  include: ["**"]       globs on the path inside the target (see globs.py)
  exclude: []
  exposure: [broad]     ItemMeta.exposure must be one of these (unknown -> no)
  min_age_days: 2555    last modified at least N days before the scan (unknown -> no)
  extensions: [sql, bak]   file (or archive member) name ends with ".<ext>"
  min_size: 1048576     item size in bytes (unknown -> no)
  sites: [field, Juba]  Site.kind or Site.name (case-insensitive; unknown -> no)
escalate:               raise (never lower) the severity when a step's conditions all hold
  - {severity: critical, exposure: [broad]}
  - {severity: high, min_count: 1000}
  # shorthand: escalate: {exposure_broad: critical}
recognizers[].deny_list: [words]   keyword recognizer (case-insensitive exact words)
recognizers[].context: [words] or {en: [..], fr: [..], es: [..], ar: [..]}
recognizers[].validator: iban | bic | luhn | mrz | international_phone | stdnum:<cc>.<module>   check digits / format
recognizers[].countries: [TR]      runs only where the site's ``countries`` name one of these
recognizers[].needs_context: true  reported only with a context word near (runs only around them)
recognizers[].trigger: [words] or 'regex'   runs only around these words (any case) or the hits of
                        this regex (case-sensitive unless (?i)), which every match holds or follows
recognizers[].examples: {match: [text or {text, value}], nomatch: [text]}   run by the tests
entities: {PHONE_NUMBER: {context: {en: [..], ...}, examples: {...}}}   context words (and
                        examples) for the built-in recognizers of an entity
column_signals:         column-name signals (docs/SPEC.md, "Column-name signals")
  - {entity: DATE_OF_BIRTH, values: date, names: [dob, date of birth, fecha de nacimiento]}
  - {lower: [PHONE_NUMBER, UK_NHS], names: [invoice, order id, sku]}
"""
from __future__ import annotations

import re
import warnings
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from dataguard.checksums import validator as find_validator
from dataguard.defaults import PACK_FLAGS
from dataguard.globs import check_glob
from dataguard.rules.validated import digest as validated_digest, passed, passed_before
from dataguard.rules.risky import MAX_EXPANDED, nested_quantifier, too_large
from dataguard.validation import iso_country, leading_words
from dataguard.vocab import CONTEXT_LANGUAGES, SEVERITIES, Exposure, SourceKind, ValueKind, values

SeverityName = Literal[tuple(reversed(SEVERITIES))]
ExposureName = Literal[values(Exposure)]
SourceName = Literal[values(SourceKind)]
LanguageName = Literal[CONTEXT_LANGUAGES]
ValueKindName = Literal[values(ValueKind)]
EntityName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
ColumnWord = Annotated[str, Field(min_length=1, max_length=60, pattern=r"[^\W_]")]   # a letter or digit, any script


Glob = Annotated[str, AfterValidator(check_glob)]


def checked_regex(v: str, scan_compiler: bool) -> str:
    """A rule pack's regex, compiled as the scan compiles it (a pattern: with the ``regex``
    module and the packs' flags, as ``detect.bounded`` does; a trigger: with ``re``), after a
    check of its size (``risky.too_large``: counted repeats nested a thousand times a
    thousand are gigabytes to compile). The message never quotes the pattern. The size and
    nesting checks run every time; a pattern (not a trigger: ``TriggerSet`` compiles those at
    once anyway) that compiled before under the same versions is not compiled again
    (``validated``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # (re's FutureWarning on '[[' and the like)
        if too_large(v):
            raise ValueError(f"regex too large: its counted repeats make more than {MAX_EXPANDED:,} items")
        if not scan_compiler and nested_quantifier(v):
            raise ValueError("a trigger must not repeat a group that holds a repeat ('(a+)+'): triggers "
                             "run without a time limit")
        key = validated_digest(v, PACK_FLAGS) if scan_compiler else None
        if key is not None and passed_before(key):
            return v
        import regex as rx
        compilers = [(re.compile, re.error)] + ([(rx.compile, rx.error)] if scan_compiler else [])
        for compile_, error in compilers:
            try:
                compile_(v, PACK_FLAGS)
            except error as exc:
                where = f" at position {exc.pos}" if exc.pos is not None else ""
                raise ValueError(f"bad regex: {leading_words(str(exc.msg))}{where}") from None
    if key is not None:
        passed(key)
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PatternModel(_Strict):
    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    score: float = Field(ge=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        return checked_regex(v, scan_compiler=True)


def _words(v: list, kind: str = "context") -> list:
    out = []
    for w in v:
        w = w.strip()
        if not w:
            raise ValueError(f"an empty {kind} word")
        out.append(w)
    return out


ContextWords = Annotated[list[str], AfterValidator(_words)]
DenyWords = Annotated[list[str], AfterValidator(lambda v: _words(v, "deny_list"))]
TriggerWords = Annotated[list[str], AfterValidator(lambda v: _words(v, "trigger"))]


class ExampleModel(_Strict):
    text: str = Field(min_length=1)
    value: Optional[str] = None       # the value the recognizer must report (default: any)

    @model_validator(mode="after")
    def _value_in_text(self):
        if self.value is not None and self.value not in self.text:
            raise ValueError("the example's value is not in its text")
        return self


def _example(v):
    return {"text": v} if isinstance(v, str) else v


class ExamplesModel(_Strict):
    match: list[Annotated[ExampleModel, BeforeValidator(_example)]] = Field(default_factory=list)
    nomatch: list[str] = Field(default_factory=list)


Country = Annotated[str, AfterValidator(iso_country)]


class RecognizerModel(_Strict):
    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    patterns: list[PatternModel] = Field(default_factory=list)
    context: Union[ContextWords, dict[LanguageName, ContextWords]] = Field(default_factory=list)
    deny_list: DenyWords = Field(default_factory=list)
    validator: Optional[str] = None
    countries: list[Country] = Field(default_factory=list)
    needs_context: bool = False
    trigger: Union[TriggerWords, str] = Field(default_factory=list)
    examples: ExamplesModel = Field(default_factory=ExamplesModel)

    @field_validator("trigger")
    @classmethod
    def _trigger_compiles(cls, v):
        if isinstance(v, str):
            checked_regex(v, scan_compiler=False)
        return v

    @field_validator("validator")
    @classmethod
    def _known_validator(cls, v: Optional[str]) -> Optional[str]:
        if v is not None and find_validator(v) is None:
            raise ValueError("unknown validator (iban, bic, luhn, mrz, international_phone or stdnum:<cc>.<module>)")
        return v

    @model_validator(mode="after")
    def _something(self):
        if not self.patterns and not self.deny_list:
            raise ValueError("a recognizer needs 'patterns' or 'deny_list'")
        if self.needs_context and not self.context_words:
            raise ValueError("'needs_context' needs 'context' words")
        return self

    @property
    def context_words(self) -> list:
        return context_words(self.context)


def context_words(context) -> list:
    """A context list, or the words of every language of a per-language mapping (in order, once)."""
    words = context if isinstance(context, list) else [w for ws in context.values() for w in ws]
    return list(dict.fromkeys(words))


class EntityModel(_Strict):
    """Context words and examples for an entity's built-in recognizers."""
    context: Union[ContextWords, dict[LanguageName, ContextWords]] = Field(default_factory=list)
    examples: ExamplesModel = Field(default_factory=ExamplesModel)


class MatchModel(_Strict):
    entities: list[str] = Field(min_length=1)
    min_count: int = Field(default=1, ge=1)
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    min_scores: dict[str, float] = Field(default_factory=dict)
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    min_distinct: Optional[int] = Field(default=None, ge=1)

    @field_validator("min_scores")
    @classmethod
    def _scores(cls, v: dict) -> dict:
        for k, s in v.items():
            if not 0.0 <= s <= 1.0:
                raise ValueError("every score must be between 0 and 1")
        return v


class ScopeModel(_Strict):
    sources: list[SourceName] = Field(default_factory=list)
    include: list[Glob] = Field(default_factory=list)
    exclude: list[Glob] = Field(default_factory=list)
    exposure: list[ExposureName] = Field(default_factory=list)
    min_age_days: Optional[float] = Field(default=None, ge=0)
    extensions: list[str] = Field(default_factory=list)
    min_size: Optional[int] = Field(default=None, ge=0)
    sites: list[str] = Field(default_factory=list)

    @field_validator("extensions")
    @classmethod
    def _ext(cls, v: list) -> list:
        out = []
        for e in v:
            e = e.strip().lower().lstrip(".")
            if not e or "/" in e:
                raise ValueError("an extension must be a non-empty name without '/'")
            out.append(e)
        return out


class EscalateModel(_Strict):
    severity: SeverityName
    exposure: list[ExposureName] = Field(default_factory=list)
    min_count: Optional[int] = Field(default=None, ge=1)
    min_distinct: Optional[int] = Field(default=None, ge=1)
    sites: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_condition(self):
        if not (self.exposure or self.min_count or self.min_distinct or self.sites):
            raise ValueError("an escalation step needs a condition (exposure, min_count, min_distinct or sites)")
        return self


_SHORTHAND = {"exposure_broad": {"exposure": ["broad"]},
              "exposure_restricted": {"exposure": ["restricted"]}}


class RuleModel(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    title: str = Field(min_length=1)
    severity: SeverityName
    measure: str = Field(pattern=r"^CM-[A-Z]+$")
    match: MatchModel
    scope: ScopeModel = Field(default_factory=ScopeModel)
    escalate: list[EscalateModel] = Field(default_factory=list)
    remediation: str = ""
    description: str = ""

    @field_validator("escalate", mode="before")
    @classmethod
    def _shorthand(cls, v):
        if isinstance(v, dict):
            steps = []
            for k, sev in v.items():
                if k not in _SHORTHAND:
                    raise ValueError("unknown escalation shorthand (use exposure_broad, exposure_restricted, "
                                     "or a list of steps)")
                steps.append({"severity": sev, **_SHORTHAND[k]})
            return steps
        return v


class ColumnSignalModel(_Strict):
    """A column-name signal: positive (``entity``, optionally ``values``) or negative (``lower``)."""
    names: list[ColumnWord] = Field(min_length=1)
    entity: Optional[EntityName] = None
    values: Optional[ValueKindName] = None
    lower: list[EntityName] = Field(default_factory=list)
    exact: bool = False
    unless: list[ColumnWord] = Field(default_factory=list)
    score: float = Field(default=0.8, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.entity is None) == (not self.lower):
            raise ValueError("a column signal has either 'entity' (positive) or 'lower' (negative)")
        if self.values is not None and self.entity is None:
            raise ValueError("'values' goes with 'entity'")
        return self


class PackModel(_Strict):
    pack: str = Field(min_length=1)
    version: Union[int, str] = 1
    description: str = ""
    recognizers: list[RecognizerModel] = Field(default_factory=list)
    entities: dict[Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")], EntityModel] = Field(default_factory=dict)
    column_signals: list[ColumnSignalModel] = Field(default_factory=list)
    rules: list[RuleModel] = Field(default_factory=list)

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
column_signals:         column-name signals (docs/SPEC.md, "Column-name signals")
  - {entity: DATE_OF_BIRTH, values: date, names: [dob, date of birth, fecha de nacimiento]}
  - {lower: [PHONE_NUMBER, UK_NHS], names: [invoice, order id, sku]}
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from dataguard.globs import GlobError, glob_to_regex
from dataguard.vocab import SEVERITIES, Exposure, SourceKind, ValueKind, values

SeverityName = Literal[tuple(reversed(SEVERITIES))]
ExposureName = Literal[values(Exposure)]
SourceName = Literal[values(SourceKind)]
ValueKindName = Literal[values(ValueKind)]
EntityName = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]*$")]
ColumnWord = Annotated[str, Field(min_length=1, max_length=60, pattern=r"[A-Za-z0-9\u00C0-\u024F]")]


def _check_glob(v: str) -> str:
    try:
        glob_to_regex(v)
    except GlobError as exc:
        raise ValueError(str(exc)) from None
    return v


Glob = Annotated[str, AfterValidator(_check_glob)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class PatternModel(_Strict):
    name: str = Field(min_length=1)
    regex: str = Field(min_length=1)
    score: float = Field(ge=0.0, le=1.0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"bad regex: {exc}") from None
        return v


class RecognizerModel(_Strict):
    entity: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$")
    patterns: list[PatternModel] = Field(default_factory=list)
    context: list[str] = Field(default_factory=list)
    deny_list: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self):
        if not self.patterns and not self.deny_list:
            raise ValueError("a recognizer needs 'patterns' or 'deny_list'")
        return self


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
                raise ValueError(f"score for {k} must be between 0 and 1")
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
                raise ValueError(f"bad extension {e!r}")
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
                    raise ValueError(f"unknown escalation shorthand {k!r} (use exposure_broad, or a list of steps)")
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
    column_signals: list[ColumnSignalModel] = Field(default_factory=list)
    rules: list[RuleModel] = Field(default_factory=list)

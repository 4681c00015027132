"""Acceptance baselines: a reviewed YAML file of accepted findings.

::

    site: Juba                     # optional: the site the acceptances are for (any site if absent)
    accepted:
      - fingerprint: 3f2a...       # the finding's fingerprint (rule + location)
        reason: payroll archive kept 7 years by law, share restricted to HR
        owner: hr-head@example.org
        reviewer: dpo@example.org
        expires: 2027-06-30        # accepted up to and including this date

A finding whose fingerprint is listed is ``accepted`` until its expiry date, then
``expired`` (counted as open again, and reported as expired). Every field is required
and non-empty: a drafted file (``dataguard baseline create``) must be filled in and
reviewed before it can be used.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dataguard.validation import load_yaml, problem_lines
from dataguard.vocab import severity_rank

MAX_BYTES = 64 * 1024 * 1024
DRAFT_DAYS = 90


class BaselineError(Exception):
    """The baseline file cannot be read or is not valid (exit 2)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Acceptance(_Strict):
    fingerprint: str = Field(pattern=r"^[0-9a-f]{16,128}$")
    reason: str                        # (filled in: _filled below)
    owner: str
    reviewer: str
    expires: dt.date
    rule_id: Optional[str] = None      # informational, for the reviewer
    location: Optional[str] = None     # informational, for the reviewer

    @field_validator("reason", "owner", "reviewer")
    @classmethod
    def _filled(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must be filled in")
        return v.strip()

    def as_dict(self) -> dict:
        return {"reason": self.reason, "owner": self.owner, "reviewer": self.reviewer,
                "expires": self.expires.isoformat()}


class Baseline(_Strict):
    site: Optional[str] = None
    accepted: list[Acceptance] = Field(default_factory=list)

    def index(self) -> dict:
        return {a.fingerprint: a for a in self.accepted}


def load_baseline(path: str) -> Baseline:
    import yaml
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise BaselineError(f"baseline {path} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        data = load_yaml(raw) or {}
        base = Baseline.model_validate(data)
    except yaml.YAMLError as exc:
        raise BaselineError(f"baseline {path}: {_yaml_problem(exc)}") from None
    except ValidationError as exc:
        raise BaselineError("\n".join(problem_lines(f"baseline {path}", exc))) from None
    seen = set()
    for a in base.accepted:
        if a.fingerprint in seen:
            raise BaselineError(f"baseline {path}: fingerprint {a.fingerprint} is listed twice")
        seen.add(a.fingerprint)
    return base


def _yaml_problem(exc) -> str:
    """Where and what a YAML error is (``line 4, column 3: not valid YAML: found undefined
    alias``), without what the message quotes (it may be data)."""
    from dataguard.validation import without_quotes
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None)
    return f"{where}not valid YAML" + (f": {without_quotes(problem)}" if problem else "")


def status_of(acceptance: Optional[Acceptance], today: dt.date) -> str:
    if acceptance is None:
        return "open"
    return "accepted" if acceptance.expires >= today else "expired"


def draft(report: dict, today: dt.date) -> str:
    """A baseline to review: every finding of ``report`` with empty reason, owner and reviewer."""
    import yaml

    from dataguard.report.view import location_text
    expires = today + dt.timedelta(days=DRAFT_DAYS)
    entries = [{"fingerprint": f["fingerprint"], "rule_id": f["rule_id"],
                "location": location_text(f["location"]), "reason": "", "owner": "", "reviewer": "",
                "expires": expires} for f in report.get("findings", [])]
    head = ("# dataguard acceptance baseline (draft): keep only the findings you accept, fill in reason,\n"
            "# owner and reviewer for each, and check the expiry date. Empty fields are refused.\n")
    body = {"site": (report.get("scan") or {}).get("site"), "accepted": entries}
    return head + yaml.dump(body, Dumper=_plain_dumper(), sort_keys=False, allow_unicode=True)


def _plain_dumper():
    import yaml

    class PlainDumper(yaml.SafeDumper):
        """No anchors and aliases: the entries share their expiry date, and a reviewer who
        deletes the entry holding the anchor must not break the others."""

        def ignore_aliases(self, data) -> bool:
            return True
    return PlainDumper


class MarkedFindings(Sequence):
    """The findings of a scan as the baseline sees them: each with its status and acceptance
    (read lazily from the underlying sequence, one finding at a time)."""

    def __init__(self, findings, baseline: Baseline, today: dt.date):
        self._findings, self._index, self._today = findings, baseline.index(), today

    def _mark(self, f):
        acc = self._index.get(f.fingerprint)
        if acc is None:
            return f
        return dataclasses.replace(f, status=status_of(acc, self._today), acceptance=acc.as_dict())

    def __len__(self) -> int:
        return len(self._findings)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._mark(f) for f in self._findings[i]]
        return self._mark(self._findings[i])

    def __iter__(self):
        return (self._mark(f) for f in self._findings)


    def worst_unaccepted(self) -> Optional[str]:
        """The highest severity among the findings that are not accepted (None if none is)."""
        worst = None
        for f in self:
            if f.status != "accepted" and (worst is None or severity_rank(f.severity) > severity_rank(worst)):
                worst = f.severity
        return worst


def apply_baseline(result, baseline: Baseline) -> None:
    """Mark the scan's findings accepted/expired (judged on the date the scan finished), as
    every report shows them and, with ``--show-data``, as the JSON formats do."""
    for shown in (result, result.unmasked):
        if shown is not None:
            shown.findings = MarkedFindings(shown.findings, baseline, report_date(result.finished_at))


def worst_severity(findings) -> Optional[str]:
    """The severity that decides the exit code: the highest one not accepted. Findings are
    sorted by severity, so without a baseline the first one decides (the others are not
    read back from the findings store)."""
    if isinstance(findings, MarkedFindings):
        return findings.worst_unaccepted()
    return findings[0].severity if len(findings) else None


def report_date(finished_at: str) -> dt.date:
    """The UTC date of a report's ``finished_at`` (acceptances are judged on the scan's date)."""
    return dt.date.fromisoformat(finished_at[:10])


def write_draft(path: str, text: str) -> None:
    if Path(path).exists():
        raise BaselineError(f"{path} already exists: not overwritten")
    from dataguard.report import write_atomic
    write_atomic(path, text)

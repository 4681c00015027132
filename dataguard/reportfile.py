"""Reading a JSON report back (diff, baseline, inventory): bounded, checked against the
shipped JSON Schema, and, when trusted keys are given, against its signature."""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Optional

from dataguard.names import without_raw_data

MAX_REPORT_BYTES = 4 * 1024 ** 3     # a report is parsed whole: 4 GiB at most


class ReportError(Exception):
    """The report cannot be used: unreadable, not JSON, not a dataguard report, bad signature."""


@dataclass
class LoadedReport:
    path: str
    doc: dict
    sha256: str
    signed_by: Optional[str] = None     # key id of the verified signature

    @property
    def scan(self) -> dict:
        return self.doc["scan"]


def check_report(doc, path: str) -> None:
    """ReportError unless ``doc`` is a report as the schema describes it, its fingerprints unique."""
    from dataguard.report.schema import schema_problem
    problem = schema_problem(doc, path)
    if problem is not None:
        raise ReportError(problem)


def load_report(path: str, trusted: Optional[dict] = None) -> LoadedReport:
    """Read, parse and check a JSON report; with ``trusted`` (signing.load_trusted_keys) its
    signature must verify for the site it names: on its bytes before they are parsed (a report
    no trusted key signed costs no more than its size), then for its site. Raises ReportError
    with one clear line."""
    from dataguard.signing import SigningError, check_signature, check_signer
    try:
        size = os.path.getsize(path)
        if size > MAX_REPORT_BYTES:
            raise ReportError(f"{path}: larger than {MAX_REPORT_BYTES >> 30} GiB")
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ReportError(f"{path}: cannot read: {exc.strerror}") from None
    digest = hashlib.sha256(raw).hexdigest()
    try:
        signed_by = None if trusted is None else check_signature(path, trusted, digest=digest)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError):
            raise ReportError(f"{path}: not valid JSON (a JSON report is needed: --format json)") from None
        del raw
        check_report(doc, path)
        if trusted is not None:
            check_signer(signed_by, doc["scan"]["site"], trusted)
    except SigningError as exc:
        raise ReportError(f"{path}: {exc}") from None
    return LoadedReport(path=path, doc=without_raw_data(doc), sha256=digest, signed_by=signed_by)

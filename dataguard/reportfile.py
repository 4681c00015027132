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
_validator = None


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


def _schema_validator():
    """The report schema compiled by jsonschema-rs (a compiled validator: ~100 times faster than
    the pure-Python one on a million findings)."""
    global _validator
    if _validator is None:
        import jsonschema_rs

        from dataguard.report import schema_path
        with open(schema_path(), encoding="utf-8") as fh:
            _validator = jsonschema_rs.validator_for(json.load(fh))
    return _validator


def check_report(doc, path: str) -> None:
    """ReportError unless ``doc`` is a report as the schema describes it, its fingerprints unique."""
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise ReportError(f"{path}: not a dataguard JSON report (no findings array)")
    err = next(iter(_schema_validator().iter_errors(doc)), None)
    if err is not None:
        where = "/".join(str(p) for p in err.instance_path) or "(top)"
        # the schema's message can quote the offending value: name the field and the check only
        raise ReportError(f"{path}: does not match the report schema at {where} ({err.schema_path[-1]} check failed)")
    seen = set()
    for f in doc["findings"]:
        if f["fingerprint"] in seen:
            raise ReportError(f"{path}: fingerprint {f['fingerprint']} appears twice")
        seen.add(f["fingerprint"])


def load_report(path: str, trusted: Optional[dict] = None) -> LoadedReport:
    """Read, parse and check a JSON report; with ``trusted`` (signing.load_trusted_keys) its
    signature must verify for the site it names. Raises ReportError with one clear line."""
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
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise ReportError(f"{path}: not valid JSON (a JSON report is needed: --format json)") from None
    del raw
    check_report(doc, path)
    signed_by = None
    if trusted is not None:
        from dataguard.signing import SigningError, verify_report
        try:
            signed_by = verify_report(path, doc["scan"]["site"], trusted, digest=digest)
        except SigningError as exc:
            raise ReportError(f"{path}: {exc}") from None
    return LoadedReport(path=path, doc=without_raw_data(doc), sha256=digest, signed_by=signed_by)


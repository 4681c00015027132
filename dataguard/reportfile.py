"""Reading a JSON report back (diff, baseline, inventory): bounded, checked against the
shipped JSON Schema, and, when trusted keys are given, against its signature."""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from typing import Optional

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


def _check(doc, path: str) -> None:
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
    _check(doc, path)
    signed_by = None
    if trusted is not None:
        from dataguard.signing import SigningError, verify_report
        try:
            signed_by = verify_report(path, doc["scan"]["site"], trusted, digest=digest)
        except SigningError as exc:
            raise ReportError(f"{path}: {exc}") from None
    return LoadedReport(path=path, doc=without_raw_data(doc), sha256=digest, signed_by=signed_by)


_ROW_NUMBER = re.compile(r"\d{1,8}")


def without_raw_data(doc: dict) -> dict:
    """A report as every reader but the JSON formats may show it: its names (locations, evidence
    sheets and parts, errors, skipped items, targets) masked as a scan without ``--show-data``
    masks them, as far as the report tells how: by the values its evidence found in names
    (their masked previews), then ``mask_values``. A ``--show-data`` report (evidence with raw
    ``value``s) also has its values dropped, and a row key that is not a row number shown as
    ``key:`` and stars (its HMAC needs the scan's key). What the report does not tell stays as
    written: values found in names beyond ``--max-evidence``, the names of items never analysed
    (which a scan masks whole). A report without ``--show-data`` comes out the same: its names
    are masked already, and masking them again changes nothing."""
    findings = doc.get("findings") or []
    evidence_of = [e for f in findings for e in f.get("evidence") or [] if isinstance(e, dict)]
    raw = any("value" in e for e in evidence_of)
    values = {e["value"]: e.get("masked") or "*" for e in evidence_of
              if isinstance(e.get("value"), str) and e.get("part") == "name"}
    from dataguard.names import NameMasker
    mask = NameMasker(values)

    def names(d: Optional[dict], keys) -> Optional[dict]:
        if not isinstance(d, dict):
            return d
        return {**d, **{k: mask(d[k]) for k in keys if isinstance(d.get(k), str)}}

    def evidence(e: dict) -> dict:
        e = names({k: v for k, v in e.items() if k != "value"}, ("sheet", "part"))
        row = e.get("row")
        if raw and isinstance(row, str) and not _ROW_NUMBER.fullmatch(row):
            e["row"] = "key:" + "*" * 16
        return e

    out = dict(doc)
    out["findings"] = [{**f, "location": names(f.get("location"), ("target", "uri", "path", "member", "table", "column")),
                        "evidence": [evidence(e) for e in f.get("evidence") or []]} for f in findings]
    for listed in ("errors", "skipped"):
        if isinstance(doc.get(listed), list):
            out[listed] = [names(p, ("uri", "message")) for p in doc[listed]]
    scan = doc.get("scan")
    if isinstance(scan, dict) and isinstance(scan.get("targets"), list):
        out["scan"] = {**scan, "targets": [names(t, ("uri", "error")) for t in scan["targets"]]}
    return out

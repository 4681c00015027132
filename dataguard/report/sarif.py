"""SARIF 2.1.0, as code-scanning and vulnerability-management tools import it.

- each target is a ``uriBaseId`` (``TARGET1``, ...) whose absolute URI is in ``originalUriBaseIds``;
  a result's ``artifactLocation.uri`` is relative to it and percent-encoded (RFC 3986), so any file
  name (spaces, accents, Arabic, ``#``, ``%``) is a valid ``uri-reference``;
- an archive member or mail attachment, and a database column, is a ``logicalLocation``;
- ``region`` (startLine, startColumn/endColumn) where the first evidence gives a line in the file
  itself (not inside a member);
- rules carry shortDescription, fullDescription, help (remediation), tags (measure, entity types)
  and ``security-severity``; ``invocations`` tells whether the scan was complete, with its errors
  and skipped items as notifications; ``automationDetails.id`` names site and scan.
No value is written, raw or masked: only where the values are.
"""
from __future__ import annotations

import os
import re
from pathlib import PurePosixPath
from typing import Iterator, Optional
from urllib.parse import quote

from dataguard import __version__
from dataguard.report.view import POINTER_FIELDS, ReportDoc, entities_text, location_text, severity_rank

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# GitHub's scale: critical > 9.0 >= high >= 7.0 > medium >= 4.0 > low > 0
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.5"}
FINGERPRINT_KEY = "dataguard/v1"
_SAFE_NETLOC = "@:[]!$&'()*+,;=%"


def _text(text: str) -> dict:
    """A plain-text SARIF message: "[" and "]" escaped, so that a name such as ``[x](https://...)``
    is not read as an embedded link by SARIF viewers."""
    return {"text": re.sub(r"([\\\[\]])", r"\\\1", text)}


def encode_path(path: str) -> str:
    """A relative path as a percent-encoded RFC 3986 relative reference (each segment encoded)."""
    return "/".join(quote(seg, safe="") for seg in path.split("/"))


def _absolute_base(display: str, source: str) -> str:
    """The absolute URI (ending with "/") of a base given as a display URI or a local path."""
    if source == "database":
        url = display.split("?", 1)[0].rstrip("#")
        scheme, _, rest = url.partition("://")
        return f"{scheme}://{quote(rest, safe='/' + _SAFE_NETLOC)}/"
    if display.lower().startswith("smb://"):
        netloc, _, path = display[6:].partition("/")
        path = path.strip("/")
        return f"smb://{quote(netloc, safe=_SAFE_NETLOC)}/" + (encode_path(path) + "/" if path else "")
    if display.lower().startswith("file://"):
        display = display[7:]
    path = PurePosixPath(os.path.abspath(display) if display else "/")
    uri = path.as_uri()
    return uri if uri.endswith("/") else uri + "/"


class UriBases:
    """The uriBaseIds of a run: one per scan target (and per base seen in its findings; without
    ``doc``, as the inventory's export, only those)."""

    def __init__(self, doc: Optional[ReportDoc] = None):
        self.ids: dict = {}        # display prefix -> (base id, absolute uri, description)
        for t in (doc.scan.get("targets") if doc else None) or ():
            uri = t.get("uri") or ""
            info = t.get("info") or {}
            source = "database" if "://" in uri and not uri.lower().startswith(("smb://", "file://")) else "file"
            if source == "database":
                prefix = uri + "#"
            elif info.get("type") == "file":
                prefix = uri.rsplit("/", 1)[0] + "/"
            else:
                prefix = uri.rstrip("/") + "/"
            if prefix.lower().startswith("smb://"):     # items are named without the user
                netloc, _, path = prefix[6:].partition("/")
                prefix = f"smb://{netloc.rpartition('@')[2]}/{path}"
            self._add(prefix, source, uri)

    def _add(self, prefix: str, source: str, description: str) -> None:
        if prefix not in self.ids:
            self.ids[prefix] = (f"TARGET{len(self.ids) + 1}", _absolute_base(prefix, source), description)

    def learn(self, loc: dict) -> None:
        """A finding's unit tells its target's base exactly: its display URI minus its relative path."""
        uri, path = loc.get("uri") or "", loc.get("path") or ""
        if loc.get("source") == "database":
            self._add(uri[:len(uri) - len(path)] if path and uri.endswith("#" + path) else uri + "#",
                      "database", loc.get("target") or uri)
        elif path and uri.endswith("/" + path):
            self._add(uri[:len(uri) - len(path)], "file", loc.get("target") or uri)

    def locate(self, display: str) -> Optional[dict]:
        """artifactLocation of a display URI (the container of ``a.zip!/member``), or None."""
        best = max((p for p in self.ids if display.startswith(p)), key=len, default=None)
        if best is None:
            return None
        rel = display[len(best):].split("!/", 1)[0]
        return {"uri": encode_path(rel), "uriBaseId": self.ids[best][0]} if rel else None

    def original(self) -> dict:
        return {bid: {"uri": uri, "description": {"text": desc}} for bid, uri, desc in self.ids.values()}


def _rules(doc: ReportDoc, bases: UriBases) -> list:
    rules: dict = {}
    for f in doc.findings:
        bases.learn(f.get("location") or {})
        r = rules.setdefault(f["rule_id"], {"f": f, "severity": f.get("severity"), "entities": set()})
        r["entities"].update(f.get("entities") or {})
        if severity_rank(f.get("severity")) > severity_rank(r["severity"]):
            r["severity"] = f.get("severity")
    return [_rule(rid, r["f"], r["severity"], sorted(r["entities"])) for rid, r in rules.items()]


def _rule(rule_id: str, f: dict, severity: str, entities: list) -> dict:
    measure = f.get("measure") or ""
    full = (f"{f.get('title')}: personal or sensitive data ({', '.join(entities) or 'none'}) "
            f"under critical measure {measure}, severity {severity}.")
    remediation = f.get("remediation") or "Review the data, remove or protect it."
    return {"id": rule_id, "name": rule_id, "shortDescription": {"text": f.get("title") or rule_id},
            "fullDescription": {"text": full}, "help": {"text": remediation, "markdown": remediation},
            "defaultConfiguration": {"level": LEVEL.get(severity, "warning")},
            "properties": {"tags": ["privacy", "data-protection", measure, *entities],
                           "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
                           "measure": measure, "severity": severity}}


def _region(f: dict) -> dict:
    loc = f.get("location") or {}
    if loc.get("member") or loc.get("source") == "database":
        return {}
    ev = next((e for e in f.get("evidence") or () if e.get("line")), None)
    if ev is None:
        return {}
    region = {"startLine": int(ev["line"])}
    if ev.get("col"):
        region["startColumn"] = int(ev["col"])
        if ev.get("end_col") and int(ev["end_col"]) > int(ev["col"]):
            region["endColumn"] = int(ev["end_col"])
    return {"region": region}


def _logical(loc: dict) -> list:
    if loc.get("column"):
        return [{"name": loc["column"], "fullyQualifiedName": f"{loc.get('table')}.{loc['column']}",
                 "kind": "column"}]
    if loc.get("member"):
        return [{"name": loc["member"].rsplit("!/", 1)[-1].rsplit("/", 1)[-1],
                 "fullyQualifiedName": f"{loc.get('path')}!/{loc['member']}", "kind": "resource"}]
    return []


def artifact_location(loc: dict, bases: UriBases) -> dict:
    """A finding's ``artifactLocation``: its path relative to its base, percent-encoded."""
    return bases.locate(loc.get("uri") or "") or {"uri": encode_path(loc.get("path") or "")}


def _result(f: dict, index: dict, bases: UriBases) -> dict:
    loc = f.get("location") or {}
    location: dict = {"physicalLocation": {"artifactLocation": artifact_location(loc, bases), **_region(f)}}
    if _logical(loc):
        location["logicalLocations"] = _logical(loc)
    evidence = [{"entity_type": e.get("entity_type"),
                 **{k: e[k] for k in (*POINTER_FIELDS, "end_col", "reason") if e.get(k)}}
                for e in f.get("evidence") or ()]
    result = {
        "ruleId": f["rule_id"], "ruleIndex": index[f["rule_id"]], "kind": "fail",
        "level": LEVEL.get(f.get("severity"), "warning"),
        "message": _text(f"{f.get('title')}: {entities_text(f.get('entities') or {})} in {location_text(loc)}"),
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: f["fingerprint"]},
        "properties": {"severity": f.get("severity"), "measure": f.get("measure"), "member": loc.get("member"),
                       "table": loc.get("table"), "column": loc.get("column"), "entities": f.get("entities"),
                       "evidence": evidence, "evidence_truncated": f.get("evidence_truncated"),
                       "exposure": f.get("exposure"), "owner": f.get("owner"), "status": f.get("status", "open")},
    }
    if f.get("status") == "accepted":      # accepted in an acceptance baseline (scan --baseline)
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": (f.get("acceptance") or {}).get("reason", "")}]
    return result


def _notifications(doc: ReportDoc, bases: UriBases) -> Iterator[dict]:
    for t in doc.scan.get("targets") or ():
        if t.get("status") != "ok":
            yield {"level": "error", "descriptor": {"id": f"target/{t.get('status')}"},
                   "message": _text(f"target {t.get('uri')}: {t.get('status')}: {t.get('error') or ''}")}
    for p in doc.errors:
        yield _notification(p, "error", f"error/{p.get('kind')}", bases)
    for p in doc.skipped:
        yield _notification(p, "note", f"skipped/{p.get('reason') or p.get('kind')}", bases)


def _notification(p: dict, level: str, descriptor: str, bases: UriBases) -> dict:
    n = {"level": level, "descriptor": {"id": descriptor},
         "message": _text(f"{descriptor.split('/', 1)[1]}: {p.get('uri')}"
                          + (f": {p['message']}" if p.get("message") else ""))}
    where = bases.locate(p.get("uri") or "")
    if where:
        n["locations"] = [{"physicalLocation": {"artifactLocation": where}}]
    return n


def sarif_document(doc: ReportDoc, slot) -> tuple:
    """The SARIF log with ``slot(name)`` placeholders, and the arrays (generators) they stand for."""
    bases = UriBases(doc)
    rules = _rules(doc, bases)
    index = {r["id"]: i for i, r in enumerate(rules)}
    scan = doc.scan
    site = (doc.site or "unnamed").replace("/", "_")
    invocation = {"executionSuccessful": bool(scan.get("complete")),
                  "toolExecutionNotifications": slot("notifications")}
    for key, field in (("startTimeUtc", "started_at"), ("endTimeUtc", "finished_at")):
        if scan.get(field):
            invocation[key] = scan[field]
    run = {"tool": {"driver": {"name": "dataguard", "version": __version__, "semanticVersion": __version__,
                               "rules": rules}},
           "automationDetails": {"id": f"dataguard/{site}/{scan.get('id')}"},
           "originalUriBaseIds": bases.original(),
           "invocations": [invocation],
           "columnKind": "unicodeCodePoints",
           "properties": {"site": doc.site, "site_kind": scan.get("site_kind"), "scan_id": scan.get("id"),
                          "complete": bool(scan.get("complete")), "key_id": doc.key_id,
                          "targets": [{k: t.get(k) for k in ("uri", "status", "error")}
                                      for t in scan.get("targets") or ()]},
           "results": slot("results")}
    arrays = {"notifications": _notifications(doc, bases),
              "results": (_result(f, index, bases) for f in doc.findings)}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, arrays



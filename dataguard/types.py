"""Small frozen types that flow between the pipeline stages.

target -> items -> chunks (text with locations) -> matches -> unit summaries
-> findings -> scan result.  Nothing here holds a raw sensitive value except
``Evidence.value``, which is only filled when the user passed ``--show-data``.
"""
from __future__ import annotations

import bisect
import functools
import json
from dataclasses import dataclass, field, replace
from typing import Iterator, Optional, Protocol, Sequence, Union

from dataguard import defaults
from dataguard.names import as_text

from dataguard.vocab import SEVERITIES, Reason, severity_rank  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Pointer:
    """Where inside a location unit a value sits (all optional)."""
    line: Optional[int] = None     # 1-based line in the extracted text
    page: Optional[int] = None     # PDF page, 1-based
    sheet: Optional[str] = None    # spreadsheet sheet name
    cell: Optional[str] = None     # A1 cell reference
    row: Optional[str] = None      # database primary key / row number (as text)
    part: Optional[str] = None     # document part: "header", "footer", "comment", "table", "notes", "properties", "subject", ...


@dataclass(frozen=True)
class Unit:
    """A location unit: one file, one archive member, or one database column.

    Findings are evaluated per unit.  ``uri`` and ``target`` never carry credentials.
    """
    target: str                    # display URI of the scan target
    uri: str                       # display URI of the item (file / table)
    path: str                      # path relative to the target (the file name for a file target); "schema.table" for DBs
    member: Optional[str] = None   # path inside archive / mail attachment, nested joined with "!/"
    table: Optional[str] = None    # "schema.table" for databases
    column: Optional[str] = None
    source: str = "file"           # vocab.SourceKind: "file" | "database"

    def __post_init__(self):
        # every name is valid text (a file system's undecodable bytes as \xNN): see names.py
        for name in ("target", "uri", "path", "member", "table", "column"):
            value = getattr(self, name)
            if value is not None and not value.isascii():
                object.__setattr__(self, name, as_text(value))

    @property
    def key(self) -> tuple:
        return (self.uri, self.member, self.table, self.column)

    def child(self, member_name: str) -> "Unit":
        """The unit of a member inside this unit (archive member, mail attachment)."""
        member = member_name if self.member is None else f"{self.member}!/{member_name}"
        return replace(self, member=member)


@dataclass(frozen=True)
class Anchor:
    """From ``offset`` (in Chunk.text) on, the pointer fields in ``pointer`` apply."""
    offset: int
    pointer: Pointer


_NOWHERE = Pointer()
NAME_PART = "name"           # Pointer.part of a value found in a name (names are data)
_LINE_BLOCK = 4096     # Chunk.pointer_at counts lines per block of this many characters


def _anchor_offset(anchor: Anchor) -> int:
    return anchor.offset


@dataclass(frozen=True)
class Chunk:
    """A bounded piece of extracted text, with enough to locate any offset in it.

    Only matches whose start lies in ``[keep_start, keep_end)`` are kept: the text
    around that window is overlap with the neighbouring chunks (context and
    boundary safety), whose matches belong to those neighbours.
    """
    unit: Unit
    text: str
    keep_start: int = 0
    keep_end: Optional[int] = None          # None: len(text)
    first_line: Optional[int] = 1           # line number of text[0]; None when lines don't apply
    anchors: tuple[Anchor, ...] = ()        # sorted by offset
    context: tuple[str, ...] = ()           # extra context words (column name, CSV header, ...)
    hint: Optional[str] = None              # "prose" | "structured" | None: lets the detector decide on NER
    first_col: int = 1                      # 1-based column of text[0] in its line (lines only)
    column: Optional[str] = None            # the field all the text belongs to: a database column, or a
                                            # key path inside one ("profile.dob"); None: see unit.column
    statement: Optional[tuple] = None       # a SQL dump's: the statement its text may begin inside,
                                            # (kind, table, column names) (``sqldump.Statements``)
    siblings: tuple[str, ...] = ()          # a database column's: the names of its table's columns

    @property
    def is_name(self) -> bool:
        """The chunk holds the name of its unit (file, member, sheet, table, column), not content."""
        return bool(self.anchors) and self.anchors[0].pointer.part == NAME_PART

    def keeps(self, start: int) -> bool:
        end = len(self.text) if self.keep_end is None else self.keep_end
        return self.keep_start <= start < end

    def pointer_at(self, offset: int) -> Pointer:
        ptr = _NOWHERE
        if self.anchors:
            i = bisect.bisect_right(self.anchors, offset, key=_anchor_offset) - 1
            if i >= 0:
                ptr = self.anchors[i].pointer
        if self.first_line is not None and ptr.line is None:
            line = self.first_line + self._newlines_before(offset)
            ptr = Pointer(line=line) if ptr is _NOWHERE else replace(ptr, line=line)
        return ptr

    def columns_of(self, start: int, end: int) -> tuple:
        """(col, end_col) of text[start:end] in its decoded line: 1-based, end exclusive; a value
        running over several lines ends at the end of its first line. (None, None) without lines."""
        if self.first_line is None:
            return None, None
        nl = self.text.rfind("\n", 0, start)
        col = (self.first_col + start) if nl == -1 else start - nl
        stop = self.text.find("\n", start, end)
        if stop != -1:
            end = stop - 1 if stop > start and self.text[stop - 1] == "\r" else stop
        return col, col + max(0, end - start)

    def _newlines_before(self, offset: int) -> int:
        """``text.count("\\n", 0, offset)`` in at most one block's time, whatever the
        chunk size: the counts per block are taken once, on the first call."""
        offset = min(offset, len(self.text))
        block = offset // _LINE_BLOCK
        return self._newlines_before_block[block] + self.text.count("\n", block * _LINE_BLOCK, offset)

    @functools.cached_property
    def _newlines_before_block(self) -> list:
        """Number of "\\n" in the text before each block of ``_LINE_BLOCK`` characters."""
        counts = [0]
        for start in range(0, len(self.text), _LINE_BLOCK):
            counts.append(counts[-1] + self.text.count("\n", start, start + _LINE_BLOCK))
        return counts


@dataclass(frozen=True)
class Match:
    """dataguard's own detection result (never Presidio's type)."""
    entity_type: str
    start: int
    end: int
    score: float
    recognizer: str = ""
    reason: str = Reason.VALUE


@dataclass(frozen=True)
class Evidence:
    entity_type: str
    score: float
    pointer: Pointer
    masked: str
    value_hash: str
    value: Optional[str] = None   # only with --show-data
    col: Optional[int] = None     # 1-based column of the value in its line (line-based sources)
    end_col: Optional[int] = None # column just after the value (end exclusive)
    reason: str = Reason.VALUE    # vocab.Reason: what led to the match


@dataclass(frozen=True)
class ItemMeta:
    size: Optional[int] = None
    mtime: Optional[float] = None        # POSIX seconds
    identity: Optional[str] = None       # inode / file id, for incremental rescans
    owner: Optional[str] = None
    exposure: Optional[str] = None       # vocab.Exposure: "broad" | "restricted" | None (unknown)
    extension: Optional[str] = None      # lower-case, without dot
    exposure_reason: Optional[str] = None   # why broad or restricted, in words (no content, no credentials)

    @property
    def bytes(self) -> int:
        """The size in bytes, 0 when not known (what progress, budgets and splitting count)."""
        return int(self.size or 0)


@dataclass(frozen=True)
class Problem:
    """An item that was tried and failed (kind) or deliberately not scanned (reason)."""
    uri: str
    kind: str                  # errors: a vocab.ProblemKind; skipped: a vocab.SkipReason
    message: str = ""          # never contains a raw sensitive value or a credential
    skipped: bool = False      # True -> goes to "skipped" (kind is the reason), else "errors"

    def __post_init__(self):
        for name in ("uri", "message"):
            value = getattr(self, name)
            if not value.isascii():
                object.__setattr__(self, name, as_text(value))


class Item(Protocol):
    """One thing a source yields: a file (or a database table)."""
    unit: Unit
    meta: ItemMeta

    def chunks(self, limits: "Limits") -> Iterator[Union[Chunk, Problem]]:
        """Stream the item's text. Per-item failures are yielded as Problem, never raised."""
        ...


@dataclass(frozen=True)
class Limits:
    chunk_chars: int = 64_000          # characters per chunk's keep window
    overlap_chars: int = 512           # context on each side of the keep window
    max_item_bytes: Optional[int] = None   # None: no limit for plain text (streamed)
    max_parsed_bytes: int = 64 * 1024**2   # formats parsed whole in memory (RTF, e-mail, .msg, embedded objects)
    max_archive_depth: int = 5
    max_archive_total_bytes: int = 2 * 1024**3
    max_archive_members: int = 100_000
    max_compression_ratio: float = 200.0
    item_timeout_s: float = defaults.ITEM_TIMEOUT_S
    sample_rows: Optional[int] = defaults.SAMPLE_ROWS    # None: all rows
    sample_seed: int = defaults.SAMPLE_SEED

    @property
    def parse_cap(self) -> int:
        """Largest item read whole into memory to be parsed (beyond it: too_large)."""
        return min(self.max_parsed_bytes, self.max_item_bytes or self.max_parsed_bytes)


@dataclass(frozen=True)
class Site:
    name: Optional[str] = None
    kind: Optional[str] = None     # vocab.SiteKind: "hq" | "field" | None


@dataclass
class EntityAgg:
    """Aggregated detections of one entity type in one unit."""
    scores: dict = field(default_factory=dict)   # score rounded to 2 decimals -> count
    evidence: list = field(default_factory=list) # list[Evidence], first ones found, capped
    hashes: set = field(default_factory=set)     # distinct value hashes (capped)
    reasons: set = field(default_factory=set)    # vocab.Reason values of its matches

    def count(self, min_score: float = 0.0) -> int:
        return sum(n for s, n in self.scores.items() if s >= min_score - 1e-9)

    def max_score(self, min_score: float = 0.0) -> float:
        ok = [s for s in self.scores if s >= min_score - 1e-9]
        return max(ok) if ok else 0.0


@dataclass
class UnitSummary:
    """Everything the rule evaluator needs about one location unit."""
    unit: Unit
    meta: ItemMeta
    entities: dict = field(default_factory=dict)  # entity_type -> EntityAgg
    name_values: dict = field(default_factory=dict)   # value found in a name -> its masked preview (names.py)


@dataclass(frozen=True)
class Finding:
    fingerprint: str
    rule_id: str
    title: str
    severity: str
    measure: str
    unit: Unit
    entities: dict                 # entity_type -> {"count": int, "max_score": float}
    evidence: tuple                # tuple[Evidence, ...]
    evidence_truncated: bool
    remediation: str = ""
    exposure: Optional[str] = None
    owner: Optional[str] = None
    exposure_reason: Optional[str] = None
    status: str = "open"                   # open | accepted | expired (an acceptance baseline, after the scan)
    acceptance: Optional[dict] = None      # {reason, owner, reviewer, expires} of the matching baseline entry


@dataclass(frozen=True)
class PatternSpec:
    name: str
    regex: str
    score: float


@dataclass(frozen=True)
class RecognizerSpec:
    """A custom pattern recognizer declared in a rule pack."""
    entity: str
    patterns: tuple = ()            # tuple[PatternSpec, ...]
    context: tuple = ()             # tuple[str, ...]
    deny_list: tuple = ()           # optional: exact words/phrases (keyword recognizer), case-insensitive
    pack: str = ""
    validator: str = ""             # checksums.validator name: candidates it rejects are dropped
    countries: tuple = ()           # ISO codes: runs only for these countries (empty: everywhere)
    needs_context: bool = False     # reported only with a context word near
    trigger: tuple = ()             # words: the recognizer runs only around them
    trigger_regex: str = ""         # or a regex: only around its hits

    def runs_for(self, countries) -> bool:
        """Does this recognizer run at a site of these countries?"""
        return not self.countries or any(c in countries for c in self.countries)


@dataclass(frozen=True)
class ColumnSignal:
    """A column-name signal declared in a rule pack (``column_signals``).

    Positive (``entity`` set): a column whose name holds one of ``names`` holds that entity;
    with ``values`` (a value kind, see ``detect.columns``) its plausible values are findings
    even when no recognizer matched them. Negative (``lower`` set): in such a column the
    ``lower`` entities are dropped unless strongly validated. ``exact``: the whole column
    name must be one of ``names`` (else a run of its words); ``unless``: words that cancel
    the signal ("password_hint")."""
    names: tuple
    entity: Optional[str] = None
    values: Optional[str] = None
    lower: tuple = ()
    exact: bool = False
    unless: tuple = ()
    score: float = 0.8
    pack: str = ""


@dataclass
class TargetStatus:
    uri: str                        # display URI, no credentials
    status: str = "ok"              # vocab.TargetStatusName: "ok" | "error" | "partial"
    error: Optional[str] = None
    info: dict = field(default_factory=dict)   # source-specific extras, e.g. {"tables": [...sampling...]}


@dataclass
class ScanResult:
    scan_id: str
    site: Site
    started_at: str
    finished_at: str
    complete: bool
    targets: list                   # list[TargetStatus]
    rule_packs: list                # list[{"pack": name, "sha256": hex}]
    stats: dict
    findings: Sequence              # of Finding, sorted (a SpillList from run_scan: not in memory)
    errors: Sequence                # of Problem
    skipped: Sequence               # of Problem
    key_id: Optional[str] = None    # public fingerprint of the HMAC key (hashing.key_id)
    # with --show-data: this scan with its names as they are, for the JSON formats only (the
    # targets, findings, errors and skipped items above show them masked, as every other report
    # and the log do)
    unmasked: Optional["ScanResult"] = None


# ---------------------------------------------------------------- findings as data
# Two forms, both defined here and nowhere else:
# * the report form (``finding_to_dict`` / ``evidence_to_dict`` and their ``*_from_dict``
#   inverses): the dicts of the findings JSON, ``schema_version`` 1;
# * the storage form (``encode_finding`` / ``decode_finding``): compact JSON text, never
#   pickle, kept by the temporary findings store and the ``--state`` file.
POINTER_FIELDS = ("line", "page", "sheet", "cell", "row", "part")
_EVIDENCE_EXTRA = ("col", "end_col", "reason")
UNIT_FIELDS = ("target", "uri", "path", "member", "table", "column", "source")


def evidence_to_dict(e: Evidence, show_data: bool = False) -> dict:
    """Report form of one evidence entry: the pointer fields flattened in; ``value`` only
    with ``show_data`` (and only when it was kept)."""
    d = {"entity_type": e.entity_type, "score": e.score}
    for k in POINTER_FIELDS:
        d[k] = getattr(e.pointer, k)
    for k in _EVIDENCE_EXTRA:
        d[k] = getattr(e, k)
    d["masked"] = e.masked
    d["value_hash"] = e.value_hash
    if show_data and e.value is not None:
        d["value"] = e.value
    return d


def evidence_from_dict(d: dict) -> Evidence:
    return Evidence(entity_type=d["entity_type"], score=d["score"],
                    pointer=Pointer(**{k: d.get(k) for k in POINTER_FIELDS}),
                    masked=d["masked"], value_hash=d["value_hash"], value=d.get("value"),
                    col=d.get("col"), end_col=d.get("end_col"), reason=d.get("reason") or Reason.VALUE)


def finding_to_dict(f: Finding, show_data: bool = False) -> dict:
    """Report form of one finding (``findings[]`` in the findings JSON)."""
    return {
        "fingerprint": f.fingerprint, "rule_id": f.rule_id, "title": f.title,
        "severity": f.severity, "measure": f.measure,
        "location": {k: getattr(f.unit, k) for k in UNIT_FIELDS},
        "entities": f.entities,
        "evidence": [evidence_to_dict(e, show_data) for e in f.evidence],
        "evidence_truncated": f.evidence_truncated,
        "remediation": f.remediation,
        "exposure": f.exposure, "exposure_reason": f.exposure_reason, "owner": f.owner,
        "status": f.status, **({"acceptance": f.acceptance} if f.acceptance else {}),
    }


def finding_from_dict(d: dict) -> Finding:
    return Finding(fingerprint=d["fingerprint"], rule_id=d["rule_id"], title=d["title"], severity=d["severity"],
                   measure=d["measure"], unit=Unit(**d["location"]), entities=d["entities"],
                   evidence=tuple(evidence_from_dict(e) for e in d["evidence"]),
                   evidence_truncated=d["evidence_truncated"], remediation=d.get("remediation", ""),
                   exposure=d.get("exposure"), owner=d.get("owner"), status=d.get("status", "open"),
                   acceptance=d.get("acceptance"), exposure_reason=d.get("exposure_reason"))


def encode_finding(f: Finding) -> str:
    """Storage form: the fields as one compact JSON array (units and pointers positional)."""
    return json.dumps([
        f.fingerprint, f.rule_id, f.title, f.severity, f.measure,
        [getattr(f.unit, k) for k in UNIT_FIELDS], f.entities,
        [[e.entity_type, e.score, [getattr(e.pointer, k) for k in POINTER_FIELDS], e.masked, e.value_hash, e.value,
          e.col, e.end_col, e.reason] for e in f.evidence],
        f.evidence_truncated, f.remediation, f.exposure, f.owner, f.exposure_reason], ensure_ascii=False,
        separators=(",", ":"))


def decode_finding(text: str) -> Finding:
    fp, rule_id, title, severity, measure, u, entities, ev, truncated, remediation, exposure, owner, *rest = \
        json.loads(text)
    evidence = tuple(Evidence(t, s, Pointer(*p), m, h, v, *extra) for t, s, p, m, h, v, *extra in ev)
    return Finding(fingerprint=fp, rule_id=rule_id, title=title, severity=severity, measure=measure, unit=Unit(*u),
                   entities=entities, evidence=evidence, evidence_truncated=truncated, remediation=remediation,
                   exposure=exposure, owner=owner, exposure_reason=rest[0] if rest else None)

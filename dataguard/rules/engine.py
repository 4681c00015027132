"""Rule evaluation: one call per location unit, no parsing, globs precompiled."""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Optional, Sequence

from dataguard.types import Finding, Site, UnitSummary
from dataguard.vocab import severity_rank

from dataguard.globs import normalise_path
from .loader import Rule, RulePack

_DAY = 86400.0
BESIDE = "same_table"     # a finding's entity entry: counted in the other columns of its table


def _iter_rules(packs_or_rules):
    if isinstance(packs_or_rules, (RulePack, Rule)):
        packs_or_rules = (packs_or_rules,)
    for x in packs_or_rules:
        if isinstance(x, RulePack):
            yield from x.rules
        else:
            yield x


def needed_entities(packs) -> Optional[set]:
    """Entity types the detector must look for; None means all of them."""
    out: set = set()
    for p in ([packs] if isinstance(packs, RulePack) else packs):
        if isinstance(p, RulePack):
            out.update(r.entity for r in p.recognizers)
            rules = p.rules
        else:
            rules = (p,)
        for r in rules:
            if r.wildcard:
                return None
            out.update(r.entities)
            out.update(r.all)
            out.update(r.none)
    return out


def fingerprint(rule_id: str, unit) -> str:
    key = "\x1f".join([rule_id, unit.target or "", unit.path or "", unit.member or "",
                       unit.table or "", unit.column or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _unit_name(unit) -> str:
    if unit.member:
        return unit.member.rsplit("!/", 1)[-1]
    return unit.path or unit.uri


def _path_candidates(unit) -> list:
    path = normalise_path(unit.path or "")
    if not path and unit.source == "file":
        path = normalise_path(unit.uri).rsplit("/", 1)[-1]
    cands = [path]
    if unit.member:
        cands.append(f"{path}!/{normalise_path(unit.member)}")
    if unit.source == "database" and unit.column:
        cands.append(f"{unit.table or path}.{unit.column}")
    return cands


def _site_ok(sites: tuple, site: Optional[Site]) -> bool:
    if site is None:
        return False
    return (site.name or "").lower() in sites or (site.kind or "").lower() in sites


def _scope_ok(scope, unit, meta, site, now) -> bool:
    if scope.sources and unit.source not in scope.sources:
        return False
    if scope.exposure and meta.exposure not in scope.exposure:
        return False
    if scope.sites and not _site_ok(scope.sites, site):
        return False
    if scope.min_size is not None and (meta.size is None or meta.size < scope.min_size):
        return False
    if scope.min_age_days is not None:
        if meta.mtime is None or now - meta.mtime < scope.min_age_days * _DAY:
            return False
    if scope.extensions:
        name = _unit_name(unit).lower()
        ok = any(name.endswith("." + e) for e in scope.extensions)
        if not ok and unit.member:
            # a member of a container of that kind (a message inside an .mbox, a table in a .mdf)
            ok = any(unit.path.lower().endswith("." + e) for e in scope.extensions)
        if not ok and not unit.member and meta.extension:
            ok = meta.extension.lower() in scope.extensions
        if not ok:
            return False
    if scope.include_rx is not None or scope.exclude_rx is not None:
        cands = _path_candidates(unit)
        if scope.include_rx is not None and not any(scope.include_rx.match(c) for c in cands):
            return False
        if scope.exclude_rx is not None and any(scope.exclude_rx.match(c) for c in cands):
            return False
    return True


def _pointer_key(ev):
    p = ev.pointer
    return (p.page or 0, p.line or 0)


def evaluation_keyer(packs_or_rules, site: Optional[Site], now: float) -> Callable[[Any], str]:
    """``key(meta)``: everything besides the unit summary, the rules and max_evidence that
    ``evaluate`` reads. Equal keys (for an unchanged summary) give equal findings, so a rescan
    may reuse them. The summary covers the unit; size and extension are in the key anyway."""
    ages = tuple(r.scope.min_age_days * _DAY for r in _iter_rules(packs_or_rules) if r.scope.min_age_days is not None)
    where = f"{site.name if site else None}\x1f{site.kind if site else None}"

    def key(meta) -> str:
        old = "".join("1" if meta.mtime is not None and now - meta.mtime >= a else "0" for a in ages)
        return (f"{where}\x1f{meta.exposure}\x1f{meta.exposure_reason}\x1f{meta.owner}\x1f{meta.extension}"
                f"\x1f{meta.size}\x1f{old}")
    return key


def _matched(rule, ents: dict, beside: tuple = ()) -> Optional[tuple]:
    """(counts of the matched ``entities``, the ``all`` co-occurrences: type -> (count, EntityAgg,
    whether counted beside)) when the rule's match conditions hold (``min_distinct`` aside), else
    None. ``beside``: the summaries of the columns of a database column's table (``_beside``)."""
    types = list(ents) if rule.wildcard else [t for t in rule.entities if t in ents]
    matched = {}
    for t in types:
        c = ents[t].count(rule.score_for(t))
        if c:
            matched[t] = c
    if not types or sum(matched.values()) < rule.min_count:
        return None
    also = {}
    for t in rule.all:
        agg = ents.get(t)
        c = agg.count(rule.score_for(t)) if agg is not None else 0
        also[t] = (c, agg, False) if c else _beside(t, rule.score_for(t), beside)
        if also[t] is None:
            return None
    if any(t in ents and ents[t].count(rule.score_for(t)) for t in rule.none):
        return None
    return matched, also


def _beside(entity: str, min_score: float, beside: tuple) -> Optional[tuple]:
    """(count, EntityAgg, True) of ``entity`` in the other columns of a database column's table (the
    same rows' other fields: a notes column of health terms beside a names column holds health
    information about named persons, as the same table exported to one CSV file does); the agg
    of the column holding the most, None when none holds it."""
    counted = [(agg.count(min_score), agg) for s in beside for agg in (s.entities.get(entity),) if agg is not None]
    counted = [(c, agg) for c, agg in counted if c]
    if not counted:
        return None
    return sum(c for c, _ in counted), max(counted, key=lambda x: x[0])[1], True



def _distinct(rule, ents: dict, matched: dict) -> Optional[int]:
    """Distinct values across the matched entities, when the rule or an escalation asks."""
    if rule.min_distinct is None and not any(e.min_distinct for e in rule.escalate):
        return None
    hs: set = set()
    for t in matched:
        hs |= ents[t].hashes
    return len(hs)


def _severity(rule, meta, site: Optional[Site], total: int, distinct: Optional[int]) -> str:
    """The rule's severity, raised (never lowered) by every escalation step that holds."""
    severity = rule.severity
    for step in rule.escalate:
        if step.exposure and meta.exposure not in step.exposure:
            continue
        if step.min_count is not None and total < step.min_count:
            continue
        if step.min_distinct is not None and (distinct or 0) < step.min_distinct:
            continue
        if step.sites and not _site_ok(step.sites, site):
            continue
        if severity_rank(step.severity) > severity_rank(severity):
            severity = step.severity
    return severity


def _evidence(rule, ents: dict, counts: dict, cap: Optional[int]) -> list:
    """Up to ``cap`` evidence entries: round-robin across the entity types, then in document order."""
    lists = []
    for t in counts:
        thr = rule.score_for(t) - 1e-9
        lists.append([e for e in ents[t].evidence if e.score >= thr])
    shown: list = []
    i = 0
    while any(i < len(lst) for lst in lists):
        for lst in lists:
            if i < len(lst):
                if cap is not None and len(shown) >= cap:
                    break
                shown.append(lst[i])
        if cap is not None and len(shown) >= cap:
            break
        i += 1
    shown.sort(key=_pointer_key)
    return shown


def _entity(agg, count: int, min_score: float) -> dict:
    """A finding's entry for one entity: count, best score, and what led to its matches."""
    out = {"count": count, "max_score": agg.max_score(min_score)}
    if agg.reasons:
        out["reasons"] = sorted(agg.reasons)
    return out


def _finding(rule, summary: UnitSummary, site: Optional[Site], max_evidence: Optional[int],
             matched: dict, also: dict, distinct: Optional[int]) -> Finding:
    """(``also``: the co-occurrences of ``_matched``; one counted in the other columns of the
    table says so, ``same_table``, and shows no evidence: the finding is this column's.)"""
    ents, unit, meta = summary.entities, summary.unit, summary.meta
    entities = {t: _entity(ents[t], c, rule.score_for(t)) for t, c in matched.items()}
    counts = dict(matched)
    for t, (c, agg, beside) in also.items():
        if t not in entities:
            entities[t] = _entity(agg, c, rule.score_for(t))
            if beside:
                entities[t][BESIDE] = True
            else:
                counts[t] = c
    shown = _evidence(rule, ents, counts, max_evidence)
    return Finding(
        fingerprint=fingerprint(rule.id, unit), rule_id=rule.id, title=rule.title,
        severity=_severity(rule, meta, site, sum(matched.values()), distinct), measure=rule.measure, unit=unit,
        entities=entities, evidence=tuple(shown), evidence_truncated=sum(counts.values()) > len(shown),
        remediation=rule.remediation, exposure=meta.exposure, owner=meta.owner,
        exposure_reason=meta.exposure_reason)


def evaluate(packs_or_rules, summary: UnitSummary, site: Optional[Site], *,
             max_evidence: Optional[int], now: float, table: Sequence[UnitSummary] = ()) -> list:
    """Findings of every rule that holds for this unit: its entities match (cheap dict
    lookups first), then its scope; the severity is escalated where a step holds.
    ``table``: a database column's, the summaries of its table's columns (itself among them or
    not): a rule's ``all`` co-occurrence may be in another of them (``_beside``)."""
    ents = summary.entities
    if not ents:
        return []
    # (itself among them counts nothing: they are read only for a co-occurrence it does not hold)
    beside = table if summary.unit.source == "database" else ()
    findings = []
    for rule in _iter_rules(packs_or_rules):
        hit = _matched(rule, ents, beside)
        if hit is None:
            continue
        matched, also = hit
        distinct = _distinct(rule, ents, matched)
        if rule.min_distinct is not None and distinct < rule.min_distinct:
            continue
        if not _scope_ok(rule.scope, summary.unit, summary.meta, site, now):
            continue
        findings.append(_finding(rule, summary, site, max_evidence, matched, also, distinct))
    return findings

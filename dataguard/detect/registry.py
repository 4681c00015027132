"""Which recognizers a detector runs: only those the requested entities need.

In order (the first of equal scores names the finding): the card recognizer (``cards``),
Presidio's predefined pattern recognizers (``entities.TABLE``, with dataguard's faster
e-mail check), the phone recognizer, dataguard's own (``recognizers``), then the rule
packs' custom ones.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from dataguard.detect.entities import BUILT_IN, TABLE
from dataguard.detect.windows import Triggered

DENY_LIST_PAD = 60       # a deny-list match is the word itself


def known_entities() -> frozenset:
    """Every entity the built-in recognizers and NER can report."""
    return BUILT_IN


def _predefined(entities: Iterable[str], language: str) -> list:
    from presidio_analyzer import predefined_recognizers as pr

    from dataguard.detect.recognizers import fast_email_class
    out = []
    for t in TABLE.values():
        if t.presidio is None or t.name not in entities:
            continue
        cls = fast_email_class() if t.presidio == "EmailRecognizer" else getattr(pr, t.presidio, None)
        if cls is None:
            continue
        try:
            rec = cls(supported_language=language)
        except TypeError:
            rec = cls()
        out.append(Triggered(rec))
    return out


def _custom(spec, language: str) -> Triggered:
    from presidio_analyzer import Pattern, PatternRecognizer
    patterns = [Pattern(p.name, p.regex, p.score) for p in spec.patterns]
    rec = PatternRecognizer(
        supported_entity=spec.entity, name=f"pack-{spec.pack}-{spec.entity}", patterns=patterns or None,
        context=list(spec.context) or None, deny_list=list(spec.deny_list) or None, supported_language=language)
    if spec.deny_list and not spec.patterns:
        return Triggered(rec, words=tuple(spec.deny_list), pad=DENY_LIST_PAD)
    return Triggered(rec)


def build(entities: frozenset, language: str, phone_regions: Sequence[str], custom: Sequence) -> list:
    """The ``Triggered`` recognizers for ``entities``."""
    from dataguard.detect.cards import card_recognizer
    from dataguard.detect.phone import fast_phone_recognizer
    from dataguard.detect.recognizers import OWN_RECOGNIZERS
    out = _predefined(entities, language)
    if "CREDIT_CARD" in entities:
        out.insert(0, card_recognizer(language))
    if "PHONE_NUMBER" in entities:
        out.append(fast_phone_recognizer(language, phone_regions))
    for make in OWN_RECOGNIZERS:
        t = make(language)
        if set(t.entities) & entities:
            out.append(t)
    out.extend(_custom(spec, language) for spec in custom if spec.entity in entities)
    return out

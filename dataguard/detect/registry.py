"""Which recognizers a detector runs: only those the requested entities need.

In order (the first of equal scores names the finding): the card recognizer (``cards``),
Presidio's predefined pattern recognizers (``entities.TABLE``, with dataguard's faster
e-mail and IP address checks and its IBAN recognizer, which does not import spaCy), the phone recognizer,
dataguard's own (``recognizers``), then the rule packs' custom ones. A country-specific recognizer (``Traits.country``, a pack recognizer's ``countries``) is built
only when the site's countries name its country; the packs' context words for an entity are
added to every recognizer of that entity.
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Iterable, Sequence

from dataguard.checksums import validator
from dataguard.defaults import PACK_FLAGS, PATTERN_TIMEOUT_S
from dataguard.detect.config import DetectorConfig
from dataguard.detect.context import near_words
from dataguard.detect.entities import TABLE, TIGHT_PAD, traits
from dataguard.detect.filters import NAME_PATTERN_KEY
from dataguard.detect.bounded import PatternTimeout  # noqa: F401 - public
from dataguard.detect.windows import Triggered

DENY_LIST_PAD = 60       # a deny-list match is the word itself
CONTEXT_PAD = 100        # a value needing a context word is within a few words after it
TRIGGER_PAD = 120        # a pack recognizer's match is within this of its trigger word
# a pack validator's verdicts kept per recognizer (a payments export repeats its banks' BICs and
# its own IBAN on every row: 48,000 checks of 27 values in a 24 MB test share)
VERDICTS_KEPT = 4096
PRESIDIO_LANGUAGE = "en"   # the language Presidio's recognizers are declared for (dataguard calls them directly)


def _predefined(entities: Iterable[str], language: str, countries: tuple, extra: dict) -> list:
    """Presidio's predefined recognizers of the entities at a site of ``countries``; ``extra``:
    the packs' words by entity (``_words_by_entity``), among those a context-only recognizer runs near."""
    from presidio_analyzer import predefined_recognizers as pr

    from dataguard.detect.recognizers import FastIbanRecognizer, fast_email_class, fast_ip_class
    own = {"EmailRecognizer": fast_email_class, "IbanRecognizer": lambda: FastIbanRecognizer,
           "IpRecognizer": fast_ip_class}
    out = []
    for t in TABLE.values():
        if t.presidio is None or t.name not in entities or (t.country is not None and t.country not in countries):
            continue
        cls = own[t.presidio]() if t.presidio in own else getattr(pr, t.presidio, None)
        if cls is None:
            continue
        try:
            rec = cls(supported_language=language)
        except TypeError:
            rec = cls()
        if t.name in CONTEXT_ONLY:      # reported only with a context word: run only near one (a pack's too)
            words = near_words([*rec.context, *extra.get(t.name, ())])
            out.append(Triggered(rec, words=words, pad=CONTEXT_PAD, needs_context=True))
        elif t.tight:       # its matches are its trigger's: narrow windows
            out.append(Triggered(rec, pad=TIGHT_PAD))
        else:       # (a recognizer that reads its trigger's hits itself: READS_HITS)
            out.append(Triggered(rec, self_windowed=getattr(rec, "READS_HITS", False)))
    return out


# built-in recognizers whose matches count only with a context word near (or in the column's
# name): a US bank account number is 8 to 17 digits, as are most numbers of dense text
CONTEXT_ONLY = frozenset({"US_BANK_NUMBER"})


def _custom(spec, language: str) -> list:
    """A pack recognizer's ``Triggered`` recognizers: its deny list (Presidio's PatternRecognizer,
    a keyword recognizer) and its patterns (dataguard's regex recognizer: value group ``v``,
    validator), each with the pack's gates (``_gated``): one of each when it has both."""
    from presidio_analyzer import PatternRecognizer
    from dataguard.detect.recognizers import RegexRecognizer, Rx
    if spec.deny_list and spec.patterns:        # (the trigger is the patterns': a listed word is its own)
        return _custom(dataclasses.replace(spec, patterns=(), trigger=(), trigger_regex=""), language) + \
            _custom(dataclasses.replace(spec, deny_list=()), language)
    # unique per recognizer (triggers are found by name): the entity and its first pattern or word
    name = f"pack-{spec.pack}-{spec.entity}-{spec.patterns[0].name if spec.patterns else spec.deny_list[0]}"
    if spec.deny_list:
        rec = PatternRecognizer(supported_entity=spec.entity, name=name, context=list(spec.context) or None,
                                deny_list=list(spec.deny_list), supported_language=language)
        return [_gated(spec, rec, tuple(spec.deny_list))]
    check = functools.lru_cache(maxsize=VERDICTS_KEPT)(validator(spec.validator)) if spec.validator else None
    rec = RegexRecognizer(name, [spec.entity], [Rx(p.regex, p.score, check, flags=PACK_FLAGS, timeout_s=PATTERN_TIMEOUT_S)
                                                for p in spec.patterns],
                          language, context=list(spec.context) or None,
                          metadata={NAME_PATTERN_KEY: True} if spec.entity == "PERSON" else None)
    return [_gated(spec, rec)]


def _gated(spec, rec, words: tuple = ()) -> Triggered:
    """A pack recognizer where it runs: around its trigger, else near its context words when it
    needs them (``needs_context``: reported only with one near, trigger or not), around its
    deny list's ``words``, else over the whole text (its entity's built-in trigger, an e-mail's
    '@', a card's run of digits, need not be in its matches, "jane at unicef dot org")."""
    if spec.trigger or spec.trigger_regex:
        return Triggered(rec, words=spec.trigger, regex=spec.trigger_regex or None, pad=TRIGGER_PAD,
                         needs_context=spec.needs_context)
    if spec.needs_context:
        return Triggered(rec, words=near_words(spec.context), pad=CONTEXT_PAD, needs_context=True)
    if words:
        return Triggered(rec, words=words, pad=DENY_LIST_PAD)
    return Triggered(rec, entity_gated=False)


def _add_context(recs: list, extra: dict) -> None:
    """The packs' context words of an entity (``entities:``, by entity), added to each of its recognizers."""
    for t in recs:
        words = [w for e in t.entities for w in extra.get(e, ())]
        if words:
            t.recognizer.context = list(dict.fromkeys(list(t.recognizer.context or []) + words))


def _words_by_entity(context: tuple) -> dict:
    """The packs' ``(entity, words)`` pairs: entity -> [words]."""
    out: dict = {}
    for entity, words in context:
        out.setdefault(entity, []).extend(words)
    return out


def build(entities: frozenset, config: DetectorConfig) -> list:
    """The ``Triggered`` recognizers for ``entities`` at a site of ``config.countries``."""
    from dataguard.detect.cards import card_recognizer
    from dataguard.detect.phone import fast_phone_recognizer
    from dataguard.detect.recognizers import OWN_RECOGNIZERS
    language = PRESIDIO_LANGUAGE
    extra = _words_by_entity(config.context)
    out = _predefined(entities, language, config.countries, extra)
    if "CREDIT_CARD" in entities:
        out.insert(0, card_recognizer(language))
    if "PHONE_NUMBER" in entities:
        out.append(fast_phone_recognizer(language, config.phone_regions))
    for make in OWN_RECOGNIZERS:
        t = make(language)
        if set(t.entities) & entities and traits(t.entities[0]).country in (None, *config.countries):
            out.append(t)
    # the packs' words for an entity (``entities:``) go to its built-in recognizers; to a pack's
    # recognizers only for an entity that has none (a pack's own entity): a pack's recognizer of
    # a built-in entity reads its own words ("line" and "office" stand before budget lines' and
    # memos' references: the pack's phone numbers without a '+' are read after words of telephony)
    _add_context(out, extra)
    served = {e for t in out for e in t.entities}     # (DATE_OF_BIRTH, PASSPORT_NUMBER: no built-in one reads text)
    out.extend(t for spec in config.custom if spec.entity in entities and spec.runs_for(config.countries)
               for t in _custom(_with_context(spec, extra.get(spec.entity, ()) if spec.entity not in served else ()),
                                language))
    return out


def _with_context(spec, words: Sequence[str]):
    """A pack recognizer's spec with more context words (as its own: they open its windows if it needs them)."""
    if not words:
        return spec
    return dataclasses.replace(spec, context=tuple(dict.fromkeys((*spec.context, *words))))

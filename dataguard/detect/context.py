"""Context-word boosting: Presidio's lemma context rule, on raw words."""
from __future__ import annotations

import re

_WORD = re.compile(r"[\w'-]+")
_LOOK_BACK = 80


def with_context(words: frozenset, r, text: str, ext_context: list) -> float:
    """The score of result ``r`` given the recognizer's context ``words``: a context word among
    the five words before the match (or in the chunk's external context: column names, CSV
    header) raises the score by 0.35, to at least 0.4; a context word among the three words
    right before the value is a label ("Passport no. C03005988", "tel. 020 7946 0321"): to
    at least 0.5, the default threshold of the rules."""
    if not words or r.score >= 1.0:
        return r.score
    before = [w.lower() for w in _WORD.findall(text[max(0, r.start - _LOOK_BACK):r.start])[-5:]]
    if any(w in words for w in before[-3:]):
        return min(1.0, max(r.score + 0.35, 0.5))
    hit = any(w in words for w in before)
    if not hit and ext_context:
        hit = any(w in c or c in w for c in ext_context for w in words)
    if not hit:
        # multi-word context phrases ("social security", "case number")
        tail = text[max(0, r.start - _LOOK_BACK):r.start].lower()
        hit = any(" " in w and w in tail for w in words)
    if hit:
        return min(1.0, max(r.score + 0.35, 0.4))
    return r.score

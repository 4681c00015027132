"""A regex detector with the Detector interface, for tests that need no model."""
from __future__ import annotations

import re

from dataguard.types import Match

PATTERNS = {
    "EMAIL_ADDRESS": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    "CREDIT_CARD": re.compile(r"\b4111[ -]?1111[ -]?1111[ -]?1111\b"),
}


class FakeDetector:
    ner_enabled = False

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def analyze(self, chunks):
        for chunk in chunks:
            out = []
            for entity, rx in PATTERNS.items():
                for m in rx.finditer(chunk.text):
                    if chunk.keeps(m.start()):
                        out.append(Match(entity, m.start(), m.end(), 1.0, "fake"))
            yield chunk, sorted(out, key=lambda m: m.start)

    def fingerprint(self) -> str:
        return "fake"

"""A regex detector with the Detector interface, for tests that need no model
(``tests/test_detect_interface.py`` keeps the two in step)."""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

from dataguard.detect import DetectorConfig
from dataguard.types import Chunk, Match

PATTERNS = {
    "EMAIL_ADDRESS": re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    "CREDIT_CARD": re.compile(r"\b4111[ -]?1111[ -]?1111[ -]?1111\b"),
}


class FakeDetector:
    def __init__(self, config: Optional[DetectorConfig] = None, *, load_models: bool = True, **kwargs):
        self.config = config or DetectorConfig.from_kwargs(**kwargs)
        self.entities = frozenset(PATTERNS)

    @classmethod
    def from_kwargs(cls, **kwargs) -> "FakeDetector":
        return cls(DetectorConfig.from_kwargs(**kwargs))

    def load_models(self) -> None:
        pass

    @property
    def ner_enabled(self) -> bool:
        return False

    def fingerprint(self) -> str:
        return "fake"

    def analyze(self, chunks: Iterable[Chunk]) -> Iterator[tuple]:
        for chunk in chunks:
            out = []
            for entity, rx in PATTERNS.items():
                for m in rx.finditer(chunk.text):
                    if chunk.keeps(m.start()):
                        out.append(Match(entity, m.start(), m.end(), 1.0, "fake"))
            yield chunk, sorted(out, key=lambda m: m.start)


def load_test_pack(tmp_path, text: str, entities=("CREDIT_CARD", "EMAIL_ADDRESS")) -> list:
    """The rule packs of a test: ``text`` written as a pack file and loaded."""
    from dataguard.rules import load_packs
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    return load_packs([path], set(entities))

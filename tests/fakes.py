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


class Gate:
    """A readiness signal between a test and a process it waits for (a worker stuck on an
    item, a scan mid-way): the process connects to this Unix socket and sends a word
    (``signal_ready``); the test returns from ``ready`` as soon as it does; ``release``
    closes the connection, which lets a process waiting on it go on."""

    def __init__(self, path):
        import socket
        self.path = str(path)
        self._server = socket.socket(socket.AF_UNIX)
        self._server.bind(self.path)
        self._server.listen(1)
        self._conn = None

    def ready(self, alive) -> str:
        """What the process sent, once it has connected; ``alive()`` false first: a failure."""
        import select
        while not select.select([self._server], [], [], 1.0)[0]:
            assert alive(), "the process ended before it was ready"
        self._conn, _ = self._server.accept()
        return self._conn.recv(64).decode()

    def release(self) -> None:
        for s in (self._conn, self._server):
            if s is not None:
                s.close()


def signal_ready(path: str, word: str) -> None:
    """Tell the test's ``Gate`` at ``path``, and wait until it releases (closes) the connection."""
    import socket
    with socket.socket(socket.AF_UNIX) as conn:
        conn.connect(path)
        conn.sendall(word.encode())
        conn.recv(1)

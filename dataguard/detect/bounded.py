"""User-supplied (rule-pack) patterns under a time limit: the ``regex`` module stops a
search that runs too long (catastrophic backtracking), and the item becomes a timeout."""
from __future__ import annotations


class PatternTimeout(Exception):
    """A rule pack's pattern ran past its time limit on a chunk: the item is a timeout error."""


class BoundedPattern:
    """A rule pack's compiled pattern whose every search is stopped by the ``regex`` module
    after ``timeout_s`` (Presidio's own limit is a minute, and it then goes on silently)."""

    def __init__(self, regex: str, flags: int, timeout_s: float):
        import regex as rx
        self._compiled = rx.compile(regex, flags=flags)
        self._timeout_s = timeout_s

    @property
    def groupindex(self):
        return self._compiled.groupindex

    def finditer(self, text: str, timeout=None):
        try:
            yield from self._compiled.finditer(text, timeout=self._timeout_s)
        except TimeoutError:
            raise PatternTimeout(f"a rule pack's pattern ran longer than {self._timeout_s:g}s on one chunk") from None

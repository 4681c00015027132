"""User-supplied (rule-pack) patterns under a time limit: the ``regex`` module stops a
search that runs too long (catastrophic backtracking), and the item becomes a timeout."""
from __future__ import annotations

import re
from typing import Optional, Sequence

# what does not keep its meaning when a pattern becomes one branch of a larger one: group
# references by number or name, conditionals, branch resets, recursion, inline global flags
# (and the version flag), backtracking verbs
_NOT_A_BRANCH = re.compile(r"\\[0-9gk]|\(\*|\(\?(?:P=|P>|[(|&R]|[+-]?[0-9]|[a-zA-Z0-9^]*-?[a-zA-Z0-9]*\))")


class PatternTimeout(Exception):
    """A rule pack's pattern ran past its time limit on a chunk: the item is a timeout error."""


class BoundedPattern:
    """A rule pack's compiled pattern whose every search is stopped by the ``regex`` module
    after ``timeout_s`` (Presidio's own limit is a minute, and it then goes on silently)."""

    def __init__(self, regex: str, flags: int, timeout_s: float):
        import regex as rx
        self._compiled = rx.compile(regex, flags=flags)
        self._flags = flags
        self._timeout_s = timeout_s

    @property
    def groupindex(self):
        return self._compiled.groupindex

    def finditer(self, text: str, pos: int = 0, endpos: Optional[int] = None, timeout=None):
        try:
            yield from self._compiled.finditer(text, pos, len(text) if endpos is None else endpos,
                                               timeout=self._timeout_s)
        except TimeoutError:
            raise PatternTimeout(f"a rule pack's pattern ran longer than {self._timeout_s:g}s on one chunk") from None

    def may_match(self, text: str) -> bool:
        """False only if the pattern matches nowhere in ``text`` (a search stopped by the time limit says True)."""
        try:
            return self._compiled.search(text, timeout=self._timeout_s) is not None
        except TimeoutError:
            return True

    @classmethod
    def any_of(cls, patterns: Sequence["BoundedPattern"]) -> Optional["BoundedPattern"]:
        """One pattern matching where any of ``patterns`` (same flags and limit) matches: a text
        it finds nothing in holds no match of any of them, found in one search instead of one
        each. None when they cannot be joined (see ``_NOT_A_BRANCH``) or compile no longer."""
        sources = [p._compiled.pattern for p in patterns]
        if len({(p._flags, p._timeout_s) for p in patterns}) != 1 or any(_NOT_A_BRANCH.search(s) for s in sources):
            return None
        try:
            return cls("|".join(f"(?:{s})" for s in sources), patterns[0]._flags, patterns[0]._timeout_s)
        except Exception:  # noqa: BLE001 - e.g. a group name used twice: no joined pattern, each is searched
            return None

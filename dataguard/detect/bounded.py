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
        # compiled when first searched, in the process that searches with it: a detector built
        # before the workers fork compiles none (most run only around their trigger words), and
        # a pack's pattern validated before is not compiled at all to start (``rules.validated``)
        self._source = regex
        self._flags = int(flags)        # (see defaults.PACK_FLAGS)
        self._timeout_s = timeout_s
        self._rx = None

    def _compile(self):
        if self._rx is None:
            from dataguard.detect.compiled import regex_compile
            self._rx = regex_compile(self._source, self._flags)
        return self._rx

    @property
    def _compiled(self):
        return self._compile()

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
        """False only if the pattern matches nowhere in ``text`` (a search stopped by the time
        limit, or a joined pattern that does not compile, says True)."""
        compiled = self._rx
        if compiled is None:
            try:
                compiled = self._compile()
            except Exception:  # noqa: BLE001 - e.g. a group name used twice: joined, it says nothing
                self.may_match = lambda text: True
                return True
        try:
            return compiled.search(text, timeout=self._timeout_s) is not None
        except TimeoutError:
            return True

    @classmethod
    def any_of(cls, patterns: Sequence["BoundedPattern"]) -> Optional["BoundedPattern"]:
        """One pattern matching where any of ``patterns`` (same flags and limit) matches: a text
        it finds nothing in holds no match of any of them, found in one search instead of one
        each. None when they cannot be joined (see ``_NOT_A_BRANCH``); if the joined pattern does
        not compile, ``may_match`` says True and each pattern is searched."""
        sources = [p._source for p in patterns]
        if len({(p._flags, p._timeout_s) for p in patterns}) != 1 or any(_NOT_A_BRANCH.search(s) for s in sources):
            return None
        return cls("|".join(f"(?:{s})" for s in sources), patterns[0]._flags, patterns[0]._timeout_s)

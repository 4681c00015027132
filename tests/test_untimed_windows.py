"""Presidio's built-in patterns searched on windows without the regex module's time limit where
a bound of their backtracking says no search there can run long (``windows._untimed_length``,
``risky.backtracking_steps``), with it everywhere else."""
import random
import re

import pytest

from dataguard.detect import windows
from dataguard.rules.risky import backtracking_steps

PRESIDIO_FLAGS = int(re.DOTALL | re.MULTILINE | re.IGNORECASE)


@pytest.mark.parametrize("regex,steps", [
    (r"\b[0-9]{9}\b", 11),                                  # 1 way, 11 items (\b, 9 digits, \b)
    (r"\b[0-9]{8,17}\b", 10 * 19),                          # 10 round counts
    (r"\b([0-9]{3})[- ]?([0-9]{3})[- ]?([0-9]{4})\b", 4 * 14),     # two optional separators
    (r"(?:ab|c){2}", 4 * 6),                                 # 2 ways a round, 2 rounds; both branches written out twice
    (r"(?=[0-9]{2}|x)[0-9]", 2 * 4),                         # a lookaround's ways multiply, its items count
    (r"[0-9]{2,5}?", 4 * 5),                                 # lazy
    (r"[0-9]{2,5}+", 4 * 5),                                 # possessive (counted as if it backtracked)
    (r"(?>ab|c)d", 2 * 4),                                   # atomic
    (r"(?<=[a-z]{2})[0-9]{0,0}x", 1 * 4),                    # fixed-width look-behind; no rounds (its body counted once)
])
def test_backtracking_steps_counts_ways_times_items(regex, steps):
    assert backtracking_steps(regex) == steps


@pytest.mark.parametrize("regex,flags", [
    (r"\w+@", 0),                   # unbounded repeat
    (r"[0-9]*", 0),
    (r"(\d)\1", 0),                 # back-reference
    (r"(a)?(?(1)b|c)", 0),          # conditional
    (r"(a|a){1,60}", 0),            # ways beyond the cap
    (r"\p{L}{3}", 0),               # the regex module's own syntax
    (r"[0-9]{3}", 0x2000),          # a flag of the regex module's (VERSION0)
    (r"[0-9]{3}", 0x100),           # re.ASCII: the regex module's VERSION1
    (r"(?x)(?:a|a){ 22 }b", 0),     # verbose: the regex module reads "{ 22 }" as a count, Python as text
    (r"(?:a|a){ 22 }b", int(re.VERBOSE)),
    (r"(?:[0-9]{30}){e<=12}Q", 0),  # fuzzy matching: "{e<=12}" is text to Python
    (r"(?:a|bc){0,4294967294}d", 0),        # over the cap, found without summing the rounds
    (r"(?:\B){100001}(?:\B){3000000}b", 0),  # more items than _size counts
])
def test_backtracking_steps_has_no_bound_for(regex, flags):
    assert backtracking_steps(regex, flags) is None


@pytest.mark.parametrize("regex", ["", "(?:)", "(?=)", "()", "(?:){5}"])
def test_an_empty_pattern_has_a_bound_and_any_window_length(regex):
    assert backtracking_steps(regex) == 0
    assert windows._untimed_length(regex, PRESIDIO_FLAGS) == windows.UNTIMED_STEPS


def test_untimed_length_keeps_the_limit_for_unbounded_and_explosive_patterns():
    assert windows._untimed_length(r"\b[0-9]{9}\b", PRESIDIO_FLAGS) == windows.UNTIMED_STEPS // 11
    assert windows._untimed_length(r"\w+@\w+", PRESIDIO_FLAGS) == 0
    # bounded, but 2**30 ways: no window is short enough
    assert windows._untimed_length(r"(?:a|a){30}", PRESIDIO_FLAGS) == 0


class _Recording:
    """A compiled pattern whose finditer records whether it was given a time limit."""

    def __init__(self, compiled, calls):
        self._compiled, self._calls = compiled, calls

    def finditer(self, *args, **kwargs):
        self._calls.append((args[1:], "timeout" in kwargs))
        return self._compiled.finditer(*args, **kwargs)


def _recognizer(regex: str):
    from presidio_analyzer import Pattern, PatternRecognizer
    return PatternRecognizer(supported_entity="THING", name="ThingRecognizer", patterns=[Pattern("thing", regex, 0.5)])


def test_a_window_longer_than_the_untimed_length_is_searched_with_the_time_limit(monkeypatch):
    rec = _recognizer(r"\b[0-9]{9}\b")
    text = "id 123456789 " * 40
    windows.patterns_on_windows(rec, text, [(0, 10)])          # compiles the pattern
    calls: list = []
    pattern = rec.patterns[0]
    pattern.compiled_regex = _Recording(pattern.compiled_regex, calls)
    monkeypatch.setattr(windows, "_untimed_length", lambda regex, flags: 50)
    out = windows.patterns_on_windows(rec, text, [(0, 40), (100, 160)])
    assert calls == [((0, 40), False), ((100, 160), True)]
    assert [(r.start, r.end) for r in out] == [(3, 12), (16, 25), (29, 38), (107, 116), (120, 129), (133, 142),
                                               (146, 155)]


def test_windows_give_the_same_results_with_and_without_the_time_limit(monkeypatch):
    """The built-in recognizers that run on windows, on generated digit-dense text: identical
    results whichever way each window is searched."""
    from presidio_analyzer.predefined_recognizers import (IpRecognizer, NhsRecognizer, UsBankRecognizer,
                                                           UsSsnRecognizer, UsPassportRecognizer)
    rnd = random.Random(7)
    pieces = ["NHS", "ssn", "acct", "ip", "10.0.0.", "943 476 5919", "078-05-1120", "-", ".", " ", "\n", "::1", "fe80::"]
    text = "".join(rnd.choice(pieces) if rnd.random() < 0.3 else str(rnd.randrange(10 ** rnd.randrange(1, 12)))
                   + rnd.choice(" .-/") for _ in range(3000))
    wins = windows.windows(sorted((m.start(), m.end()) for m in re.finditer(r"[0-9]{3,}", text)), text, 40)
    real = windows._untimed_length
    for cls in (NhsRecognizer, UsBankRecognizer, UsSsnRecognizer, UsPassportRecognizer, IpRecognizer):
        rec = cls()
        # (some window of each is searched untimed: of IP addresses, only by the pattern of "::")
        assert any(e - s <= real(p.regex, int(rec.global_regex_flags)) for p in rec.patterns
                   for s, e in wins), cls.__name__
        monkeypatch.setattr(windows, "_untimed_length", lambda regex, flags: 0)
        timed = [(r.entity_type, r.start, r.end, r.score) for r in windows.patterns_on_windows(rec, text, wins)]
        monkeypatch.setattr(windows, "_untimed_length", real)
        untimed = [(r.entity_type, r.start, r.end, r.score) for r in windows.patterns_on_windows(rec, text, wins)]
        assert timed == untimed and timed, cls.__name__

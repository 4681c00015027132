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
    (r"[0-9]{3}", 0x2000),          # a flag of the regex module's (VERSION1)
])
def test_backtracking_steps_has_no_bound_for(regex, flags):
    assert backtracking_steps(regex, flags) is None


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
        monkeypatch.setattr(windows, "_untimed_length", lambda regex, flags: 0)
        timed = [(r.entity_type, r.start, r.end, r.score) for r in windows.patterns_on_windows(rec, text, wins)]
        monkeypatch.setattr(windows, "_untimed_length", real)
        untimed = [(r.entity_type, r.start, r.end, r.score) for r in windows.patterns_on_windows(rec, text, wins)]
        assert timed == untimed and timed, cls.__name__

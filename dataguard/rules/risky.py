"""Patterns of rule packs that can take exponential time: a repeated group that itself
holds an unbounded repeat (``(\\w+\\s?)*``, ``(a+)+``). ``rules validate`` warns about
them; at scan time every rule-pack pattern runs under a time limit anyway."""
from __future__ import annotations

try:                                   # Python 3.11+
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:                    # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from dataguard.validation import shown_name

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None))
_WIDE = 16                             # a repeat allowing more than this many rounds counts as unbounded


def _repeats(tokens, inside_repeat: bool) -> bool:
    """True when a wide repeat lies inside another wide repeat."""
    for op, arg in tokens:
        if op in _REPEATS and op is not None:
            low, high, body = arg
            wide = high == _sre.MAXREPEAT or high > _WIDE
            if wide and inside_repeat:
                return True
            if _repeats(body, inside_repeat or wide):
                return True
        elif op == _sre.SUBPATTERN:
            if _repeats(arg[-1], inside_repeat):
                return True
        elif op == _sre.BRANCH:
            if any(_repeats(branch, inside_repeat) for branch in arg[1]):
                return True
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            if _repeats(arg[1], inside_repeat):
                return True
    return False


def nested_quantifier(regex: str) -> bool:
    """Whether ``regex`` repeats a group that holds an unbounded repeat."""
    try:
        return _repeats(_sre_parse.parse(regex), False)
    except Exception:  # noqa: BLE001 - what cannot be parsed is reported by validation
        return False


def pattern_warnings(packs) -> list:
    """One line per rule-pack pattern with a nested quantifier (its pack, entity and name)."""
    out = []
    for pack in packs:
        for rec in pack.recognizers:
            for p in rec.patterns:
                if nested_quantifier(p.regex):
                    out.append(f"{pack.path}: recognizer {rec.entity}: pattern {shown_name(p.name)}: nested quantifier "
                               "(a repeated group holding a repeat) can take exponential time; it is stopped "
                               "after its time limit and the item reported as a timeout")
    return out

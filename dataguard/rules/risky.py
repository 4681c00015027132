"""Patterns of rule packs that can take exponential time: a repeated group that itself
holds an unbounded repeat (``(\\w+\\s?)*``, ``(a+)+``). ``rules validate`` warns about
them; at scan time every rule-pack pattern runs under a time limit anyway. Patterns the
``regex`` module would build too large to compile (``(?:(?:a{1000}){1000}){1000}``: it writes
out counted repeats) are refused (``expanded_size``)."""
from __future__ import annotations

try:                                   # Python 3.11+
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:                    # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from dataguard.validation import shown_name

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None))
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", object())     # (Python 3.11+: '(?>...)')
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
        elif op == _ATOMIC:
            if _repeats(arg, inside_repeat):
                return True
        elif op == _sre.GROUPREF_EXISTS:
            if any(_repeats(branch, inside_repeat) for branch in arg[1:] if branch):
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


MAX_EXPANDED = 100_000                 # counted repeats written out when the regex module compiles


def _size(tokens) -> int:
    """How many items a compiler writing out counted repeats makes of ``tokens``: a repeat
    counts its body as many times as its upper bound (its lower one when unbounded)."""
    total = 0
    for op, arg in tokens:
        if op in _REPEATS and op is not None:
            low, high, body = arg
            inner = _size(body)         # (once: nested repeats would otherwise double it per level)
            total += max(1, low if high == _sre.MAXREPEAT else high) * inner
        elif op == _sre.SUBPATTERN:
            total += _size(arg[-1])
        elif op == _sre.BRANCH:
            total += sum(_size(b) for b in arg[1])      # (every branch is written out)
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            total += _size(arg[1])
        elif op == _ATOMIC:
            total += _size(arg)
        elif op == _sre.GROUPREF_EXISTS:
            total += sum(_size(b) for b in arg[1:] if b)
        else:
            total += 1
        if total > MAX_EXPANDED:
            return total
    return total


def expanded_size(regex: str) -> int:
    """The size ``_size`` gives a pattern; 0 for one Python's parser cannot read (its
    compilation with ``re``, which validation also asks for, then says why)."""
    try:
        return _size(_sre_parse.parse(regex))
    except Exception:  # noqa: BLE001 - reported by the compilation
        return 0

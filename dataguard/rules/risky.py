"""Patterns of rule packs that can take exponential time: a repeated group that itself
holds an unbounded repeat (``(\\w+\\s?)*``, ``(a+)+``). ``rules validate`` warns about
them; at scan time every rule-pack pattern runs under a time limit anyway. Patterns the
``regex`` module would build too large to compile (``(?:(?:a{1000}){1000}){1000}``: it writes
out counted repeats) are refused (``expanded_size``). ``backtracking_steps`` bounds the steps a
search can take at one position, which lets the detector search a short window of a bounded
pattern without the time limit's cost (``detect.windows``)."""
from __future__ import annotations

import re

from dataguard.regex_tree import REPEATS, items, parser, sre, subpatterns
from dataguard.validation import shown_name

_WIDE = 16                             # a repeat allowing more than this many rounds counts as unbounded


def _wide(op, arg) -> bool:
    """Whether an item is a repeat allowing more than ``_WIDE`` rounds."""
    return op in REPEATS and (arg[1] == sre.MAXREPEAT or arg[1] > _WIDE)


def _repeats(tokens) -> bool:
    """True when a wide repeat lies inside another wide repeat. (The wide repeats whose bodies are
    read never nest, the first that would ends it: each item is read at most twice.)"""
    return any(_wide(op, arg) and any(_wide(*item) for item in items(arg[2])) for op, arg in items(tokens))


def nested_quantifier(regex: str) -> bool:
    """Whether ``regex`` repeats a group that holds an unbounded repeat."""
    try:
        return _repeats(parser.parse(regex))
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
_STEPS_CAP = 10**12
_MOST_ROUNDS = 40               # (a repeat of 2 ways or more and more rounds than this is over the cap)
# the flags Python's parser reads a regex with as the regex module does (version 0, its default;
# not ASCII, whose value is the regex module's VERSION1, nor VERBOSE: see backtracking_steps)
_PYTHON_FLAGS = int(re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE)
_BRACE = ord("{")


def backtracking_steps(regex: str, flags: int = 0):
    """An upper bound of the steps a backtracking engine (``re``, the ``regex`` module) can take
    trying ``regex`` at one position of a text, whatever the text: the ways through it (each
    repeat's number of rounds, each branch; a lookaround's ways multiply those of the way
    reaching it) times the most items one way passes (``_size``: its counted repeats written
    out). None when there is no such bound: an unbounded repeat, a back-reference, a
    conditional, more than ``_STEPS_CAP`` steps or ``MAX_EXPANDED`` items; and wherever Python's
    parser may read the regex otherwise than the regex module: a flag it does not read, verbose
    mode (the regex module reads "{ 22 }" as a count), a literal '{' (the regex module's fuzzy
    matching, "{e<=2}"), a construct it does not parse."""
    if flags & ~_PYTHON_FLAGS or _VERBOSE.search(regex):
        return None
    try:
        tokens = parser.parse(regex, flags)
    except Exception:  # noqa: BLE001 - the regex module's own syntax: no bound known
        return None
    if any(op is sre.LITERAL and arg == _BRACE for op, arg in items(tokens)):
        return None
    size = _size(tokens)
    ways = _ways(tokens) if size <= MAX_EXPANDED else None       # (_size stops counting past it)
    return None if ways is None or ways * size > _STEPS_CAP else ways * size


def _rounds(inner: int, low: int, high: int):
    """The ways through a repeat of ``low`` to ``high`` rounds of a body of ``inner`` ways, None above the cap."""
    if inner == 1:
        return high - low + 1
    if low > _MOST_ROUNDS:
        return None
    total = 0
    for k in range(low, high + 1):
        total += inner ** k
        if total > _STEPS_CAP:
            return None
    return total


def _ways(tokens):
    """The ways through parsed ``tokens`` (``backtracking_steps``), None when unbounded (or above the cap)."""
    total = 1
    for op, arg in tokens:
        if op in REPEATS:
            low, high, body = arg
            inner = _ways(body)
            if high == sre.MAXREPEAT or inner is None:
                return None
            n = _rounds(inner, low, high)
        elif op is sre.GROUPREF or op is sre.GROUPREF_EXISTS:
            return None
        else:
            subs = subpatterns(op, arg)
            if subs is None:
                n = 1
            else:
                parts = [_ways(sub) for sub in subs]
                n = None if any(p is None for p in parts) else sum(parts) if op is sre.BRANCH else parts[0]
        if n is None:
            return None
        total *= n
        if total > _STEPS_CAP:
            return None
    return total


def _size(tokens) -> int:
    """How many items a compiler writing out counted repeats makes of ``tokens``: a repeat
    counts its body as many times as its upper bound (its lower one when unbounded)."""
    total = 0
    for op, arg in tokens:
        if op in REPEATS:
            low, high, body = arg
            inner = _size(body)         # (once: nested repeats would otherwise double it per level)
            total += max(1, low if high == sre.MAXREPEAT else high) * inner
        else:
            subs = subpatterns(op, arg)     # (every branch is written out)
            total += 1 if subs is None else sum(_size(sub) for sub in subs)
        if total > MAX_EXPANDED:
            return total
    return total


# a counted repeat, or braces the parser reads as a literal (then the bound below is only looser)
_COUNTED = re.compile(r"\{(\d*)(?:,(\d*))?\}")
# a verbose-mode flag, and braces holding digits, commas, spaces and comments: the ``regex`` module
# that compiles pack patterns reads "(?x)a{ 1000 }" as a{1000} (Python's parser, as literal text)
_VERBOSE = re.compile(r"\(\?[a-zA-Z]*x")
_SPACED_COUNT = re.compile(r"\{(?:[\d,\s]|#[^\n]*(?:\n|$))*\}")
_FEWEST_DIGITS_TOO_MANY = 10        # a count of more digits is over any limit (and int() refuses 4,300)


def _as_compiled(regex: str) -> str:
    """The pattern with its counts written as the ``regex`` module reads them in verbose mode
    (without spaces or comments inside the braces), wherever such a flag appears: a count outside
    the flag's reach is then counted too, which only makes the size larger."""
    if not _VERBOSE.search(regex):
        return regex
    return _SPACED_COUNT.sub(lambda m: re.sub(r"#[^\n]*(?:\n|$)|\s", "", m.group()), regex)


def too_large(regex: str) -> bool:
    """Whether ``expanded_size(regex)`` exceeds ``MAX_EXPANDED``, without parsing the regex when a
    bound read off its text already says no (every built-in pattern: the parse was most of the
    time of loading the packs, paid by every scan and rescan), first the loose one below, then
    ``_nested_bound``. Every item ``_size`` counts comes
    from at least one character of the text, and a repeat multiplies what it holds by at most the
    largest number in its braces (by one for '*', '+' and '?'): the size is at most the text's
    length times the product of those numbers."""
    regex = _as_compiled(regex)
    bound = len(regex)
    for m in _COUNTED.finditer(regex):
        bound *= _largest_count(m)
        if bound > MAX_EXPANDED:
            nested = _nested_bound(regex)
            return (nested is None or nested > MAX_EXPANDED) and _expanded(regex) > MAX_EXPANDED
    return False


def _largest_count(m) -> int:
    """The largest number in a ``_COUNTED`` match (1 if none): how many times a repeat's body counts at most."""
    return max([1, *(int(g) if len(g) < _FEWEST_DIGITS_TOO_MANY else MAX_EXPANDED + 1 for g in m.groups() if g)])


# what ``_nested_bound`` reads: an escape, a class, a bracket, a counted repeat ("{}" is two
# characters to Python's parser, not a repeat), other characters
_TOKENS = re.compile(r"(\\.)|(\[\^?\]?(?:\\.|[^\]\\])*\])|(\()|(\))|(\{(?:\d+(?:,\d*)?|,\d*)\})|([^\\\[(){]+)|(.)", re.S)
# where brackets or braces may not be what they seem to a reader of the text alone: verbose
# mode (comments, spaces inside counts) and inline comments
_OPAQUE = re.compile(r"\(\?#|\(\?[a-zA-Z]*x")


def _nested_bound(regex: str):
    """A bound on ``_size`` read off the text in one pass, the groups' nesting followed: each
    character counts as one item, and a counted repeat multiplies only what it follows (the
    last character, escape or class, or the group that just closed). ``too_large``'s bound
    multiplies every count of a pattern together, so a long pattern with a few sibling counts
    ("[A-Z]{2}[0-9]{2}...") was parsed (a third of loading the built-in packs); this one is
    no smaller than ``_size`` (extra characters such as "?:" only make it larger), or some number
    past ``MAX_EXPANDED`` once the count passes it. None when the text alone cannot be read so
    (verbose mode, a comment, brackets that do not pair)."""
    if _OPAQUE.search(regex):
        return None
    stack, total, last = [], 0, 0
    for m in _TOKENS.finditer(regex):
        kind = m.lastindex
        if kind == 3:                       # '(': the group's items counted apart
            stack.append(total)
            total = 0
        elif kind == 4:                     # ')': the group is the item a repeat may follow
            if not stack:
                return None
            last, total = total, stack.pop() + total
        elif kind == 5 and last:            # a counted repeat of the item before it
            count = _largest_count(_COUNTED.match(m.group()))
            total += last * (count - 1)
            last *= count
        else:                               # characters, an escape, a class (or braces with nothing before)
            total += len(m.group()) if kind in (5, 6) else 1
            last = 1
        if total > MAX_EXPANDED:
            return total
    return None if stack else total


def expanded_size(regex: str) -> int:
    """The size ``_size`` gives a pattern (its counts read as the ``regex`` module reads them:
    ``_as_compiled``); 0 for one Python's parser cannot read (its compilation with ``re``, which
    validation also asks for, then says why)."""
    return _expanded(_as_compiled(regex))


def _expanded(regex: str) -> int:
    """``expanded_size`` of a pattern already read by ``_as_compiled``."""
    try:
        return _size(parser.parse(regex))
    except Exception:  # noqa: BLE001 - reported by the compilation
        return 0

"""Python's parse tree of a regex: its parser, constants and compiler (``re._parser``,
``re._constants``, ``re._compiler``: the one place that reaches into ``re``'s private modules),
the sub-patterns each item holds and every item at any depth."""
from __future__ import annotations

from typing import Iterator, Optional, Sequence, Tuple

from re import _compiler as compiler, _constants as sre, _parser as parser  # noqa: F401 - compiler: for detect.compiled

REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def subpatterns(op, av) -> Optional[Sequence]:
    """The parsed sub-patterns an item holds (a repeat's, a group's, a lookaround's body, each
    branch, each way of a conditional '(?(1)...|...)'); None for an item that holds none (a
    literal, a class, an anchor, a back-reference...)."""
    if op in REPEATS:
        return (av[2],)
    if op is sre.SUBPATTERN:
        return (av[-1],)
    if op is sre.BRANCH:
        return av[1]
    if op is sre.ASSERT or op is sre.ASSERT_NOT:
        return (av[1],)
    if op is sre.ATOMIC_GROUP:
        return (av,)
    if op is sre.GROUPREF_EXISTS:
        return [way for way in av[1:] if way]
    return None


def items(tree) -> Iterator[Tuple]:
    """Every (op, av) item of parsed regex items and of the sub-patterns they hold, at any depth."""
    for op, av in tree:
        yield op, av
        for sub in subpatterns(op, av) or ():
            yield from items(sub)

"""dataguard's one glob dialect: path globs with ``**``, compiled once to regular expressions.

Used by rule scopes (``scope.include`` / ``scope.exclude``) and meant for every other
place that selects paths by glob (``--include`` / ``--exclude``, configured targets).

Syntax (on ``/``-separated paths relative to the scan target; ``\\`` in paths and
patterns is treated as ``/``; matching is case-insensitive, since Windows/SMB
shares are):

* ``*``   any run of characters except ``/`` (within one path segment)
* ``?``   one character except ``/``
* ``[abc]``, ``[a-z]``, ``[!abc]``  a character class (``!`` negates)
* ``**``  as a whole segment: any number (including zero) of segments, so
  ``**/x.sql`` matches ``x.sql`` and ``a/b/x.sql``; ``a/**`` matches everything
  under ``a``; ``**`` alone matches every path.

A pattern without ``**`` is anchored at the target root: ``*.sql`` matches
``dump.sql`` but not ``db/dump.sql`` (write ``**/*.sql`` for any depth).
A leading ``/`` or ``./`` is ignored.

Path selection (``--include`` / ``--exclude``) uses the same dialect with one addition
(``selection_globs``): a pattern without ``/`` also matches the file name at any depth,
as in ``.gitignore``, so ``*.log`` is read as ``**/*.log``.
"""
from __future__ import annotations

import re


class GlobError(ValueError):
    pass


def _segment_regex(seg: str, pattern: str) -> str:
    if "**" in seg:
        raise GlobError("bad glob: '**' must be a whole path segment (e.g. 'a/**/b')")
    out = []
    i, n = 0, len(seg)
    while i < n:
        c = seg[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and seg[j] == "!":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 1
            if j >= n:
                raise GlobError("bad glob: unclosed '['")
            body = seg[i + 1:j]
            neg = body.startswith("!")
            if neg:
                body = body[1:]
            if not body:
                raise GlobError("bad glob: empty character class")
            body = body.replace("\\", "\\\\")
            out.append("[^/" + body + "]" if neg else "[" + body + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def glob_to_regex(pattern: str) -> str:
    """Translate a glob to a regular expression (to be used with fullmatch)."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise GlobError("bad glob: empty pattern")
    p = pattern.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    p = p.lstrip("/")
    if not p:
        raise GlobError("bad glob: empty pattern")
    segs = [s for s in p.split("/") if s != ""]
    # collapse consecutive '**'
    collapsed: list[str] = []
    for s in segs:
        if s == "**" and collapsed and collapsed[-1] == "**":
            continue
        collapsed.append(s)
    segs = collapsed
    rx = ""
    last = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0:
                rx += ".*" if i == last else "(?:.*/)?"
            else:
                rx += "(?:/.*)?" if i == last else "/(?:.*/)?"
        else:
            if i > 0 and segs[i - 1] != "**":
                rx += "/"
            rx += _segment_regex(seg, pattern)
    return rx


def check_glob(pattern: str) -> str:
    """``pattern``, or GlobError (a ValueError: a validator of the config and rule-pack schemas;
    never quoting the pattern) unless it is a glob that compiles (a reversed class range
    '[z-a]' fails only then)."""
    try:
        re.compile(glob_to_regex(pattern))
    except re.error as exc:
        raise GlobError(f"bad glob: {exc.msg}") from None
    return pattern


def compile_globs(patterns) -> "re.Pattern | None":
    """One regex matching any of the patterns (None when there are none)."""
    parts = [glob_to_regex(p) for p in patterns]
    if not parts:
        return None
    try:
        return re.compile("(?:" + "|".join(f"(?:{r})" for r in parts) + r")\Z", re.IGNORECASE | re.DOTALL)
    except re.error as exc:            # e.g. a reversed class range [z-a]
        raise GlobError(f"bad glob in {list(patterns)!r}: {exc.msg}") from None


def normalise_path(path: str) -> str:
    p = path.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.lstrip("/")


def glob_match(pattern: str, path: str) -> bool:
    """Whether ``path`` matches ``pattern`` (pattern first, then path, unlike ``fnmatch``:
    the argument order of every function in this module is pattern(s), then path)."""
    rx = compile_globs([pattern])
    return bool(rx.match(normalise_path(path)))


def selection_pattern(pattern: str) -> str:
    """The rule form of a path-selection pattern: one without ``/`` matches at any depth."""
    p = pattern.strip().replace("\\", "/")
    if "/" in p.strip("/") or p.startswith("**"):
        return p
    return "**/" + p.lstrip("/")


def selection_globs(patterns) -> "re.Pattern | None":
    """``compile_globs`` for path-selection patterns (see ``selection_pattern``)."""
    return compile_globs([selection_pattern(p) for p in patterns])

"""Phone numbers at regex speed, with the results of Presidio's PhoneRecognizer.

Presidio runs libphonenumber's ``PhoneNumberMatcher`` over the whole text once per region:
it walks from candidate to candidate (a compiled regex) and parses each one and its inner
pieces, which on digit-dense text costs more than everything else. ``PhoneFinder`` makes
the same walk but parses a candidate only for the regions where ``PhoneGate`` (lengths and
leading digits from libphonenumber's metadata, cached per candidate) says it can hold a
valid number.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
import sys
import unicodedata
from typing import Sequence

from dataguard.detect.compiled import re_compile
from dataguard.detect.windows import Triggered
from dataguard.regex_tree import parser, sre

_TRAILING = re.compile(r"[^\w#]+$")
_GAP = re.compile(r"[ \u00a0\u3000]{2,}")           # a gap between columns, not a separator of a number's groups
_compiled = functools.lru_cache(maxsize=None)(re.compile)
_kept = functools.lru_cache(maxsize=None)(re_compile)     # (the gate's unions, slow to compile: kept compiled)
_NON_DIGIT = re.compile(r"\D")
_ASCII_GROUPS = re.compile(r"[0-9]+")
_PLAIN = frozenset(" \t\r\n,;\"'|")     # separators next to which libphonenumber rejects nothing
_LOOKS_AROUND = re.compile(r"\(\?[^:]|[$^]|\\[AZbBzG]")     # in a regex: lookaround, anchor or flag group
_SHAPE = str.maketrans("0123456789", "0" * 10)
_BYTE_SHAPE = bytes.maketrans(b"0123456789", b"0" * 10)     # (an ASCII run's shape as bytes: cheaper to make)
_SHAPED_RUN = 40            # longer runs are cut afresh: the cache's entries stay small (a crafted run has many cuts)
_DIGIT_LITERAL = re.compile(r"[0-9]")
_QUANTIFIERS = re.compile(r"\{\d*,?\d*\}")
_PLUS = ("+", "\uff0b")                 # libphonenumber's plus signs (ASCII, full-width)
OPENING = " ([\uff08\uff3b"             # what may stand before one: brackets (ASCII, full-width), spaces


def _of_lengths(lengths: Sequence[int]) -> str:
    """A regex of the ASCII digit strings of the given lengths (sorted): ranges as ``[0-9]{a,b}``."""
    runs: list = []
    for n in lengths:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    parts = [f"[0-9]{{{a}}}" if a == b else f"[0-9]{{{a},{b}}}" for a, b in runs]
    return parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"


# No valid number anywhere has fewer digits after '+' (country code and national number: 6 in
# libphonenumber's metadata, checked by tests/test_fast_paths.py; a constant, so that a
# detector does not load the metadata of every country to start).
FEWEST_INTERNATIONAL = 5


def shortest_number(md):
    """The fewest digits of a valid national number of a region (None: no number type)."""
    lengths = [n for t in PhoneGate._TYPES for d in (getattr(md, t, None),)
               if d is not None and d.national_number_pattern for n in (d.possible_length or (1,))]
    return min(lengths) if lengths else None


def country_code_metadata(cc: int) -> list:
    """The metadata of the regions (and non-geographic entity) of a country calling code, its
    main region first."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
    mds = [PhoneMetadata.metadata_for_nongeo_region(cc) if r == "001" else PhoneMetadata.metadata_for_region(r)
           for r in COUNTRY_CODE_TO_REGION_CODE.get(cc, ())]
    return [md for md in mds if md is not None]


def shortest_of_country_code(cc: int):
    """The fewest digits of a valid national number of any region of a country calling code
    (a number read with one region's settings is valid if it is valid in any region sharing
    its code: a 7-digit number read as a US one can be another +1 region's); None: not known."""
    lengths = [shortest_number(md) for md in country_code_metadata(cc)]
    return None if not lengths or None in lengths else min(lengths)


def added_by_prefix_rule(md) -> int | None:
    """How many digits a region's national prefix transform rule can add to a number ("268\\1":
    3): its literal digits, the one group it copies being part of what its prefix pattern
    consumed (``re.sub`` at the start of the number, where the pattern matched). None when
    that is not sure: a rule copying several groups (they may nest) or a prefix pattern with
    a lookaround (a group may lie past what it consumed). 0 without a rule."""
    rule = md.national_prefix_transform_rule or ""
    if not rule:
        return 0
    if len(re.findall(r"\\\d", rule)) > 1 or re.search(r"\(\?[=!<]", md.national_prefix_for_parsing or ""):
        return None
    return len(re.sub(r"\\\d", "", rule))


def national_prefix_present(digits: str, main, raw: Sequence[str] = ()) -> bool:
    """libphonenumber's matcher (leniency VALID) refuses a number written the national way
    (no '+', no international prefix, no country code in front) whose format in its country
    requires the national prefix when it is written without one: ``20171225`` is a Nairobi
    number only as ``020 171225``. ``digits``, read as written, is the national significant
    number; ``main`` is the metadata of its country code's main region. The matcher looks for
    the prefix in the digits of the whole text it parsed, an extension's included: ``raw``, the
    digits of each candidate that may be (``digits`` too). True when the matcher would not
    refuse it for that reason (the matcher's own test, on the same helpers)."""
    from dataguard.detect.phonelib import (_choose_formatting_pattern_for_number,
                                           _formatting_rule_has_first_group_only,
                                           _maybe_strip_national_prefix_carrier_code)
    rule = _choose_formatting_pattern_for_number(main.number_format, digits)
    if rule is None or not rule.national_prefix_formatting_rule or rule.national_prefix_optional_when_formatting:
        return True
    if _formatting_rule_has_first_group_only(rule.national_prefix_formatting_rule):
        return True
    return any(_maybe_strip_national_prefix_carrier_code(r, main)[2] for r in {digits, *raw})


def _first_class(items) -> tuple:
    """(the sources of a character class of every character a match of the parsed regex items
    can begin with, whether they can match nothing); None for the class when not known (an
    anchor, a lookaround, a negated class, a group with flags of its own...)."""
    categories = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
                  sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W"}
    out: list = []
    for op, av in items:
        if op is sre.LITERAL:
            return out + [re.escape(chr(av))], False
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.LITERAL:
                    out.append(re.escape(chr(value)))
                elif kind is sre.RANGE:
                    out.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                elif kind is sre.CATEGORY and value in categories:
                    out.append(categories[value])
                else:
                    return None, False
            return out, False
        if op is sre.SUBPATTERN:
            if av[1] or av[2]:          # (?i:...) and the like: the class would not carry its flags
                return None, False
            first, empty = _first_class(av[3])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            first, empty = _first_class(av[2])
            empty = empty or av[0] == 0
        elif op is sre.BRANCH:
            first, empty = [], False
            for branch in av[1]:
                f, e = _first_class(branch)
                if f is None:
                    return None, False
                first, empty = first + f, empty or e
        else:
            return None, False
        if first is None:
            return None, False
        out += first
        if not empty:
            return out, False
    return out, True


def _class_end(source: str, i: int) -> int:
    """Where the character class opening at ``source[i]`` ends, its closing bracket included (one
    right after '[' or '[^' is literal)."""
    n = len(source)
    i += 2 if source.startswith("[^", i) else 1
    i += source[i:i + 1] == "]"
    while i < n and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _top_groups(source: str) -> list:
    """(start, end) of each parenthesised group at the top level of a regex source."""
    out, depth, i, n = [], 0, 0, len(source)
    while i < n:
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":                # a class: up to its closing bracket
            i = _class_end(source, i) - 1
        elif c == "(":
            if depth == 0:
                start = i
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                out.append((start, i + 1))
        i += 1
    return out


_UP_TO = re.compile(r"\{0,(\d+)\}")
_DIGITS_RUN = re.compile(r"\\d\{(\d+),(\d+)\}")


def _opening_consumed(items: list, source: str):
    """libphonenumber's pattern opens with up to k opening characters (a bracket, a plus sign), each
    with a few separators after it, then a run of digits: ``(?:[open]S){0,k}\\d{lo,hi}``. The same
    matches, tried in the same order, from a source that begins with the class of the characters a
    match can begin with, what follows it told apart by a look-behind at it:
    ``[open\\d](?:(?<=\\d)\\d{lo-1,hi-1}|(?<=[open])S(?:[open]S){0,k-1}\\d{lo,hi})``. A search for a
    pattern that begins with a class skips to a character of it in a C loop; one led by a
    look-ahead tries the pattern at every character (a sixth of the walk's time on dense text).
    (that source, the length of the source it stands for); None when the pattern does not open so."""
    (op0, av0), (op1, av1) = items[:2]
    if op0 is not sre.MAX_REPEAT or av0[0] != 0 or av0[1] < 1 or op1 is not sre.MAX_REPEAT or av1[0] < 1 \
            or list(av1[2]) != [(sre.IN, [(sre.CATEGORY, sre.CATEGORY_DIGIT)])]:
        return None
    first, *_ = av0[2]
    if first[0] is not sre.IN or any(kind is not sre.LITERAL or chr(v).isdecimal() for kind, v in first[1]):
        return None         # (an opening character must be no digit: the look-behinds tell them apart)
    if not source.startswith("(?:[") or source.startswith("(?:[^"):
        return None
    end = _class_end(source, 3)
    group = _top_groups(source)[0]
    times, run = _UP_TO.match(source, group[1]), None
    if times is not None:
        run = _DIGITS_RUN.match(source, times.end())
    if group[0] != 0 or run is None or int(times.group(1)) != av0[1] or (int(run[1]), int(run[2])) != av1[:2]:
        return None
    opening, rest, k, lo, hi = source[3:end], source[end:group[1] - 1], av0[1], av1[0], av1[1]
    return (f"[{opening[1:-1]}\\d](?:(?<=\\d)\\d{{{lo - 1},{hi - 1}}}|"
            f"(?<={opening}){rest}(?:{opening}{rest}){{0,{k - 1}}}\\d{{{lo},{hi}}})"), run.end()


_REPEAT = re.compile(r"\{(?:\d+,?\d*|,\d+)\}")      # a counted repeat ("{}" is literal)


def _possessive(body: str) -> str:
    """``body`` possessive when it is one repeated group (``(?:...){0,20}``) followed only by what
    always matches (the optional extension, the end): the pattern then takes the repeat its greedy
    way, never back, and possessive it is searched without keeping a place to backtrack to at
    each of its turns (a tenth of the walk's time). ``body`` as it is otherwise, and when the
    group can match nothing or is not known (a repeat stops at an empty turn in its own way)."""
    if sys.version_info < (3, 11, 5):       # (possessive groups could match wrongly before: gh-106052)
        return body
    groups = _top_groups(body)
    if len(groups) != 1 or groups[0][0] != 0 or not body.startswith("(?:") \
            or _REPEAT.fullmatch(body, groups[0][1]) is None:
        return body
    first, empty = _first_class(list(parser.parse(body[:groups[0][1]])))
    return body + "+" if first is not None and not empty else body


def _leads(items) -> list | None:
    """[(prefix, class)]: where a match of the parsed items can begin, told by more than its first
    character where it begins with repeats of a class (the prefix: those repeats' source; then
    the class of the character after them); a pair for each branch of an alternation. None when
    not known (a construct ``_first_class`` does not know, a branch that can match nothing)."""
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        leads = [_leads(branch) for branch in items[0][1][1]]
        return None if None in leads else [lead for branch in leads for lead in branch]
    prefix = ""
    for i, (op, av) in enumerate(items):
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and len(av[2]) == 1 and av[2][0][0] in (sre.IN, sre.LITERAL):
            cls, _ = _first_class(av[2])
            if cls is None:
                return None
            prefix += f"[{''.join(cls)}]{{{av[0]},{'' if av[1] == sre.MAXREPEAT else av[1]}}}"
            continue
        first, empty = _first_class(items[i:])
        return None if first is None or empty else [(prefix, first)]
    return None


def _lead(items, first: list) -> str:
    """The source of a look-ahead at where a match of the parsed items can begin (``first``: the
    class of its first characters). libphonenumber's extension, tried at the end of every
    candidate, begins with spaces or commas before its words (``[ \t,]*(?:e?xt...|int...)``,
    ``[- ]+`` before its digits): the class of its first characters lets through every space
    and comma after a number, the spaces then the class of the words' first letters few of
    them (" and", " EUR": a necessary condition, ``_leads``), each branch after the same repeats
    tried as one (the spaces read once). The class first: it turns most places away in one test."""
    by_prefix: dict = {}
    for prefix, cls in _leads(items) or []:
        by_prefix.setdefault(prefix, []).extend(cls)
    lead = f"(?=[{''.join(first)}])"
    if by_prefix and list(by_prefix) != [""]:
        lead += "(?=" + "|".join(f"{prefix}[{''.join(cls)}]" for prefix, cls in by_prefix.items()) + ")"
    return lead


def walk_pattern(pattern):
    """libphonenumber's candidate pattern, searched faster with the same matches: led by the
    class of the characters a match can begin with (an opening bracket, a plus sign, a digit:
    a search then skips the characters in between at C speed instead of trying the pattern at
    each; ``_opening_consumed``, else a look-ahead of them), and with its optional extension
    (``;ext=12``, `` x 12``, `` ext. 12``...) tried only before a character an extension can
    begin with (at the end of every candidate, the extension's alternatives are most of the
    pattern's cost), its groups of digits before that taken possessively (``_possessive``).
    The pattern itself when its shape is not the one expected (another libphonenumber version)."""
    try:
        items = list(parser.parse(pattern.pattern, pattern.flags))
        lead, lead_empty = _first_class(items)
        if lead is None or lead_empty:
            return pattern
        source = pattern.pattern
        groups = _top_groups(source)
        op, av = items[-1]
        tail = None
        if groups and groups[-1][1] == len(source) - 1 and source.endswith("?") and \
                op is sre.MAX_REPEAT and av[:2] == (0, 1):
            first, empty = _first_class(av[2])
            if first is not None and not empty:
                tail = groups[-1][0], _lead(av[2], first)
        opening = _opening_consumed(items, source)
        head, start = opening if opening is not None else (f"(?=[{''.join(lead)}])", 0)
        if tail is None:
            fast = f"{head}(?:{_possessive(source[start:])})"
        else:
            at, lead = tail
            if at < start:
                return pattern
            fast = f"{head}(?:{_possessive(source[start:at])}(?:{lead}{source[at:-1]})?)"
        compiled = re.compile(fast, pattern.flags)
        return compiled if compiled.groups == pattern.groups else pattern
    except Exception:  # noqa: BLE001 - a construct not foreseen: the pattern as it is
        return pattern


def ascii_digits(pattern):
    """The pattern with ASCII digits for ``\\d``: the same matches in a text without a decimal
    digit beyond ASCII, as each ``\\d`` then takes the characters ``[0-9]`` takes there, found
    sooner (``\\d`` asks each character's Unicode category: a quarter of the walk's time). The
    pattern itself when it holds a ``\\D`` (no class of ASCII digits stands for it inside a class)."""
    source, out, i, end = pattern.pattern, [], 0, 0
    while i < len(source):
        if source[i] == "[" and i >= end:
            end = _class_end(source, i)       # (inside a class up to there)
        pair = source[i:i + 2] if source[i] == "\\" else source[i]
        if pair == "\\D":
            return pattern
        out.append(("0-9" if i < end else "[0-9]") if pair == "\\d" else pair)
        i += len(pair)
    return re.compile("".join(out), pattern.flags)


def occurs_in(pattern):
    """A test of whether ``pattern`` occurs in a text, as one search per character of the class it
    begins with when that is a few characters (libphonenumber's ``[\\\\/] *x``): a search for a
    pattern led by one character skips to it at memchr speed, one led by a class tests each
    character of the text (a fifth of the walk's time). The pattern's own search otherwise."""
    try:
        (op, av), *_ = parser.parse(pattern.pattern, pattern.flags)
        source = pattern.pattern
        if op is sre.IN and source.startswith("[") and not source.startswith("[^") and len(av) <= 4 \
                and all(kind is sre.LITERAL for kind, _ in av):
            rest = source[_class_end(source, 0):]
            searches = [re.compile(f"{re.escape(chr(v))}(?:{rest})", pattern.flags).search for _, v in av]
            return lambda text: any(search(text) is not None for search in searches)
    except Exception:  # noqa: BLE001 - a construct not foreseen: the pattern's own search
        pass
    return lambda text: pattern.search(text) is not None


class PhoneGate:
    """A cheap necessary condition for libphonenumber to find a valid number in a run of digits.

    The matcher (Leniency.VALID) tries a candidate, then its "inner matches" (the part
    before a separator, the part after a slash or bracket, a single token between spaces
    or dots, ...), and accepts one only if it parses to a valid number: its national
    significant number matches the general pattern and the pattern of some number type
    (fixed line, mobile, toll free, ...) of a region with its country code. The gate
    takes the same candidates (with libphonenumber's own inner-match patterns) and
    checks that condition for each reading: international after ``+`` or the region's
    international prefix, otherwise national in each configured region (as written,
    after the national prefix, after the region's own country code). Only the regions
    where some reading fits are asked; a run where none fits is not given to the
    matcher at all. (An ASCII run without '+' that the early refusal lets through is asked in
    the regions whose quick regex takes a digit string of it, ``plain_regions``: those, and
    seldom one more, where the matcher then finds nothing.) A region whose parsing rewrites
    digits (a national-prefix transform rule) is not judged by readings: it passes every run
    with the digits a reading there needs (``least_digits``). ``tests/test_triggers.py`` checks that the gate never hides a
    number the matcher finds; ``tests/test_fast_paths.py`` that ``PhoneFinder`` finds what
    the unrestricted matcher finds.
    """

    MAX_DIGITS = 20
    # (most numbers are fixed lines and mobiles: tried first, they end the tests of a valid one sooner)
    _TYPES = ("fixed_line", "mobile", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager",
              "uan", "voicemail")

    def __init__(self, regions: Sequence[str]):
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
        try:
            from phonenumbers.phonenumbermatcher import _INNER_MATCHES
            self._inner = list(_INNER_MATCHES)
        except ImportError:       # another libphonenumber port: every cut at a separator
            self._inner = [re.compile(r"[^\d+]+(.+)"), re.compile(r"(?<=\d)[^\d]+(\d[\d\s]*)")]
        self._cc_regions = COUNTRY_CODE_TO_REGION_CODE
        try:
            from phonenumbers.phonenumberutil import _EXTN_PATTERN
            self._extension = _EXTN_PATTERN
        except ImportError:
            self._extension = re.compile(r"(?i)[ \t,]*(?:e?xt(?:ension)?n?|[x#~]|int)[:.]?[ \t,-]*\d{1,20}#?$")
        self._cc_cache: dict = {}
        self.regions = []        # (region, unjudged, cc, national_prefix_rx, idd_rx)
        self._quick = {}         # region -> (the source of) one regex every national reading that fits there matches
        self._main = {}          # country code -> metadata of its main region (national prefix rules)
        self._quick_lengths = {}  # region -> lengths of the digit strings its _quick regex can take (None: any)
        self._tests: dict = {}    # region -> _national_tests
        self._loose: set = set()  # regions whose _quick regex lacks a national-prefix rule they need (_readings)
        self._plans: dict = {}    # an ASCII run's shape (_BYTE_SHAPE) -> _separated's (digits, groups, plan)
        for region in regions:
            info = None
            from phonenumbers import PhoneMetadata
            md = PhoneMetadata.metadata_for_region(region)
            if md is None:
                self.regions.append((region, True, "", None, None))
                continue
            info = self._cc_info(md.country_code)
            idd = _compiled(md.international_prefix) if md.international_prefix else None
            # a region whose own prefix rule rewrites digits ("758" in front of a 7-digit number of
            # Saint Lucia) is not judged by readings, even when the main region of its country code
            # has no such rule
            unjudged = info[0] or bool(md.national_prefix_transform_rule)
            self.regions.append((region, unjudged, str(md.country_code), info[1], idd))
            main = self._cc_regions.get(md.country_code, (region,))[0]
            self._main[str(md.country_code)] = PhoneMetadata.metadata_for_region(main) or md
            if not unjudged:
                front, rule, types = self._readings(md.country_code, info, self._main[str(md.country_code)])
                # (the number types first: most digit strings fail them, before the rule's lookaheads run)
                self._quick[region] = f"(?:{front})(?:{types})|(?=(?:{types})\\Z)(?:{rule})[0-9]*" if rule \
                    else f"(?:{front})?(?:{types})"     # compiled when first needed
                self._quick_lengths[region] = self._lengths(md.country_code, info)
                if not rule and self._national_tests(region, str(md.country_code))[1] is not None:
                    self._loose.add(region)     # (a prefix its _quick regex does not check: plain_regions)
        self._unjudged = [region for region, unjudged, *_ in self.regions if unjudged]
        # the fewest digits of a run in which an unjudged region can find a national number
        self.least_digits = {region: self._least_digits(region) for region in self._unjudged}
        branches = self._branches()          # (what both tests are made of)
        self._refusal, self._taking = self._refusal_test(branches), self._taking_test(branches)
        # the fewest digits a string must have for some region's _quick regex to take it
        self._shortest_taken = next((n for n, t in enumerate(self._refusal[0]) if t is not None),
                                    self.MAX_DIGITS + 1) if self._refusal is not None else 0
        idds = [idd.pattern for _, _, _, _, idd in self.regions if idd is not None]
        # (?<=.): only a prefix of at least one digit counts, as in _after_idd
        self._any_idd = re.compile(f"(?:{'|'.join(f'(?:{p})' for p in idds)})(?<=.)").match if idds else None
        # libphonenumber's cuts of a run depend on where its digits are, not on which they are
        # (no cut pattern names a digit): cached per shape, the run's ASCII digits made 0
        self._shapes: dict | None = {} if not any(_DIGIT_LITERAL.search(_QUANTIFIERS.sub("", rx.pattern))
                                                  for rx in (*self._inner, self._extension) if rx is not None) else None

    def _least_digits(self, region: str) -> int:
        """The fewest digits of a run in which an unjudged region (its national prefix rule
        rewrites digits) can find a number read the national way, 1 when not known. A
        valid number has at least the digits of the shortest of its country code. A reading has
        at most the run's digits plus those the region's rule adds; read after the country
        code, less that code's digits plus what the rule of the code's main region adds too (the
        parse applies it again). Read after the region's international prefix, it needs the
        digits of that prefix (``_opens_with_idd``)."""
        from phonenumbers import PhoneMetadata
        md = PhoneMetadata.metadata_for_region(region)
        if md is None:
            return 1
        main = self._main.get(str(md.country_code))
        added = added_by_prefix_rule(md)
        again = added_by_prefix_rule(main) if main is not None else None
        shortest = shortest_of_country_code(md.country_code)
        if added is None or again is None or shortest is None:
            return 1
        grows = max(added, added + again - len(str(md.country_code)))
        return max(1, shortest - grows)

    def _unjudged_for(self, run: str) -> list:
        """The unjudged regions which can find a number in the run: all of them for a
        run with a '+' or digits beyond ASCII; otherwise those whose fewest digits it has, or
        whose international prefix opens it at one of its digit groups."""
        if not self._unjudged:
            return []
        if "+" in run or not run.isascii():
            return list(self._unjudged)
        groups = _ASCII_GROUPS.findall(run)
        digits = sum(map(len, groups))
        out = []
        for region, unjudged, _, _, idd in self.regions:
            if unjudged and (digits >= self.least_digits[region] or self._opens_with_idd(idd, groups)):
                out.append(region)
        return out

    @staticmethod
    def _opens_with_idd(idd, groups: list) -> bool:
        """Whether the international prefix ``idd`` opens the digits from one of the groups on
        (every piece the matcher reads is some consecutive groups); True for a prefix pattern
        with a lookaround or an anchor (its match on a piece is not its match here)."""
        if idd is None:
            return False
        if _LOOKS_AROUND.search(idd.pattern):
            return True
        for i in range(len(groups)):
            m = idd.match("".join(groups[i:]))
            if m and m.end():
                return True
        return False

    _LITERAL_PREFIXES = re.compile(r"\d+(?:\|\d+)*")

    @classmethod
    def _readings(cls, cc: int, info, main) -> tuple:
        """Three regex sources for a region, (front, rule, types), that take every national
        reading ``_readings_fit`` accepts there (a necessary condition): ``front types`` the
        digits after a national prefix, or after the country code and up to two national prefixes
        (a national prefix before the country code is no reading of libphonenumber's: "046 ..." in
        Sweden); ``rule types`` the digits as written, where ``rule`` (zero-width, matched at the
        start) is the national-prefix rule (``national_prefix_present``): the number has the
        prefix, or no format of its country that requires the prefix takes it, or the first format
        that takes it (the one the matcher chooses) does not require it. The rule is empty (any
        number that fits) when the prefix is not a plain list of digit strings."""
        npfp, types = info[1], info[2].source
        if npfp is None:
            return f"(?:{cc})", "", types
        # after the country code the prefix may be stripped twice (once while the code is taken off,
        # once more by the parse: "92 0 0 22..." is a number of Pakistan)
        front = f"(?:(?:{npfp.pattern})|(?:{cc})(?:{npfp.pattern})?(?:{npfp.pattern})?)"
        if main is None or not cls._LITERAL_PREFIXES.fullmatch(main.national_prefix_for_parsing or ""):
            return front, "", types
        def takes(f) -> str:
            lead = f"(?=(?:{f.leading_digits_pattern[-1]}))" if f.leading_digits_pattern else ""
            return f"{lead}(?:{f.pattern})\\Z"

        from dataguard.detect.phonelib import prefix_required as requires
        nprefix = main.national_prefix_for_parsing
        longest = max(map(len, nprefix.split("|")))
        # the prefix, or no format requiring it takes the number, or the first format taking it does
        # not require it (the one libphonenumber chooses: no format requiring it comes before)
        ok, before = [f"(?=(?:{nprefix}))"], ""
        for f in main.number_format:
            if requires(f):
                before += f"(?!{takes(f)})"
            else:
                ok.append(f"{before}(?={takes(f)})")
        ok.insert(1, before)
        if longest > 1:
            ok.append(f"(?=\\d{{0,{longest - 1}}}\\Z)")   # a prefix may begin in digits read after it
        return front, f"(?:{'|'.join(ok)})", types

    @classmethod
    def _lengths(cls, cc: int, info):
        """The lengths of the digit strings a region's ``_quick`` regex can take: a valid
        number's length plus what may stand in front (national prefix, country code, both);
        None when they are not known (any length, a national prefix that is not a list of
        digit strings)."""
        npfp, lengths = info[1], getattr(info[2], "lengths", None)
        if lengths is None:
            return None
        prefixes = [0]
        if npfp is not None:
            if not cls._LITERAL_PREFIXES.fullmatch(npfp.pattern):
                return None
            prefixes += [len(p) for p in npfp.pattern.split("|")]
        fronts = {a + c + b + (d if c else 0) for a in prefixes for c in (0, len(str(cc))) for b in prefixes
                  for d in prefixes}
        return frozenset(n + f for n in lengths for f in fronts)

    def _branches(self) -> list:
        """(region, the lengths of digit strings it can take, the source of a regex taking them: its
        ``_quick`` regex behind a test of those lengths) of each configured region judged by
        readings that can take a string of 2 to ``MAX_DIGITS`` digits."""
        out = []
        for region, unjudged, *_ in self.regions:
            if unjudged:
                continue
            lengths = self._quick_lengths[region]
            if lengths is None:
                out.append((region, set(range(2, self.MAX_DIGITS + 1)), f"(?:{self._quick[region]})"))
                continue
            lengths = sorted(n for n in lengths if 2 <= n <= self.MAX_DIGITS)
            if lengths:
                out.append((region, set(lengths), f"(?={_of_lengths(lengths)}\\Z)(?:{self._quick[region]})"))
        return out

    @staticmethod
    def _taking_test(branches: list) -> tuple:
        """(the source of one regex telling which judged regions take a digit string, [(the name of
        its group set when a region's branch takes the string, region)]): each region's branch
        (``_branches``) in a look-ahead that sets its group when the branch takes the string whole,
        or nothing (the string is read for every region in one call; it matches, empty, when some
        region takes it). None when no judged region can take a string of 2 to ``MAX_DIGITS`` digits."""
        if not branches:
            return None
        names = [(f"r{i}", region) for i, (region, _, _) in enumerate(branches)]
        source, chain = "", "(?!)"
        for (name, _), (_, _, branch) in zip(names, branches):
            source += f"(?:(?=(?:{branch})\\Z(?P<{name}>))|)"
        for name, _ in reversed(names):
            chain = f"(?({name})|{chain})"      # (no region's group set: no match)
        return source + chain, names

    def taking(self, digits: str) -> frozenset:
        """The judged regions whose ``_quick`` regex takes a digit string, of a length it can take
        (``_branches``): one regex call for them all."""
        if self._taking is None:
            return _NONE
        source, names = self._taking
        if source.__class__ is str:         # (compiled when first needed)
            self._taking = _kept(source).match, names
            source = self._taking[0]
        m = source(digits)
        if m is None:
            return _NONE
        return frozenset([region for name, region in names if m.group(name) is not None])

    def _refusal_test(self, branches: list):
        """What ``_refused`` needs, over the configured regions judged by readings: per
        length of a digit string, the source of one regex of those regions' ``_quick`` regexes,
        each behind a test of the lengths it can take (a list indexed by length, None where no
        region can take it; every length shares one regex, compiled when ``_length_test`` first
        needs it), one regex of their international prefixes, and whether that regex opens
        every digit string that begins with one it opens (no lookaround, no anchor: then it is
        tried once on the longest string from each group). None when every region is
        unjudged (nothing is refused early). An unjudged region is asked apart
        (``_unjudged_for``): with Brazil or Argentina configured, the others are still gated.
        (One regex of all regions, not one per length of the regions that take it: compiled
        once, not once per set of regions, in every process.) ``branches``: ``_branches``."""
        gated = [(region, idd) for region, unjudged, _, _, idd in self.regions if not unjudged]
        if not gated:
            return None
        taken = set().union(*(lengths for _, lengths, _ in branches))
        source = "|".join(branch for _, _, branch in branches)
        by_length = [source if n in taken else None for n in range(self.MAX_DIGITS + 1)]
        idds = "|".join(f"(?:{idd.pattern})" for _, idd in gated if idd is not None)
        monotone = not _LOOKS_AROUND.search(idds)
        # (?<=.): only a prefix of at least one digit counts, as in regions_for
        return by_length, idds and re.compile(f"(?:{idds})(?<=.)").match, monotone

    def _length_test(self, n: int):
        """The fullmatch of the ``_quick`` regexes of the regions that can take ``n`` digits (None: none can)."""
        tests = self._refusal[0]
        test = tests[n] if n < len(tests) else None
        if isinstance(test, str):       # every length shares one compiled regex
            test = tests[n] = _kept(test).fullmatch
        return test

    def _may_fit(self, digits: str) -> bool:
        """Whether some configured region's ``_quick`` regex takes a digit string, or some
        region's international prefix opens it (``_refusal`` must be set)."""
        test = self._length_test(len(digits))
        idd = self._refusal[1]
        return test is not None and test(digits) is not None or bool(idd and idd(digits))

    def refuses_digits(self, run: str) -> bool:
        """``_refused`` for a run of ASCII digits (no region unjudged), in fewer calls: most
        candidates of dense text are such runs."""
        if self._refusal is None or self._unjudged:
            return False
        n = len(run)
        if not 2 <= n <= self.MAX_DIGITS:
            return True
        tests, idd, _ = self._refusal
        test = tests[n]
        if test.__class__ is str:       # (not compiled yet)
            test = self._length_test(n)
        return (test is None or test(run) is None) and not (idd and idd(run))

    _MOST_GROUPS = 8

    def _refused(self, run: str) -> bool:
        """True when ``regions_for`` surely admits no region but unjudged ones, decided
        by a few regex calls (most candidates in dense text are dates, amounts and codes). Every
        piece the matcher cuts from a run is cut at non-digits, so its digits are some
        consecutive groups of the run's digits; a national reading of a piece (as written, after
        a prefix or country code) fits a region only if that region's ``_quick`` regex takes the
        piece's digits, or the piece opens with an international prefix. When no concatenation
        of consecutive groups passes, no reading fits. Which concatenations to try depends on
        the lengths of the groups alone (``_plan``), or, tighter, only those of the pieces the
        matcher cuts (``_cut_plan``, where the cuts depend on the run's shape alone): a run's plan
        is kept for its shape (``_separated``). A '+', non-ASCII characters or many groups: not
        decided here."""
        if self._refusal is None or "+" in run or not run.isascii():
            return False
        if run.isdigit():           # most candidates: one run of digits, its own only piece
            return not (2 <= len(run) <= self.MAX_DIGITS and self._may_fit(run))
        _, groups, plan = self._separated(run)
        return plan is not None and self._refused_groups(run, groups, plan)

    @property
    def judges_all(self) -> bool:
        """Whether every configured region is judged by its readings (none unjudged)."""
        return not self._unjudged

    def refuses_separated(self, run: str, fewest: int = 0) -> bool:
        """Whether ``PhoneFinder.admitted`` refuses an ASCII run of digits and separators without a
        '+' by its digits: fewer than ``fewest``, or ``_refused`` (no region unjudged). (``_separated``
        and ``_refused_groups`` written out for the shapes seen before: most runs of dense text are
        such, each a new one, and each call costs.)"""
        entry = self._plans.get(run.encode().translate(_BYTE_SHAPE)) if len(run) <= _SHAPED_RUN else None
        digits, groups, plan = self._separated(run) if entry is None else entry
        if digits < fewest:
            return True
        if plan is None or self._unjudged:
            return False
        joined = "".join(groups(run))
        for start, end, test in plan:
            if test(joined[start:end]) is not None:
                return False
        return True

    def plain_regions(self, run: str):
        """The regions in which ``PhoneFinder`` extracts an ASCII run without a '+' that ``_refused``
        lets through, when every region is judged by readings: those whose ``_quick`` regex takes
        one of the digit strings of its plan (``_separated``: those of the pieces the matcher cuts
        from it, or more), in one regex call per string (``taking``). They hold every region
        ``regions_for`` admits (whose readings must also pass ``_quick``), and are most often the
        same: nearly every such run in dense text is a number, which the extraction then reads in
        each of them anyway, so its readings are not tried twice. A region more than
        ``regions_for`` gives costs one extraction that finds nothing, which counts as the
        matcher's failed tries (one, and one per inner piece it reads), not as one skipped
        candidate: where a text reaches the matcher's limit of tries, the finder stops nearer to
        where the matcher does. None when ``regions_for`` must decide: an international prefix
        opens a string of the plan, the run has no plan, a region it gives is ``_loose`` (its quick
        regex takes many numbers lacking a national prefix the region requires: a prefix that is
        a pattern, Australia's, Korea's), or every judged region is."""
        loose = self._loose
        if self._refusal is None or self._unjudged or len(loose) == len(self._quick):
            return None
        idd = self._refusal[1]
        if run.isdigit():
            out = None if idd and idd(run) else self.taking(run)
            return None if out is None or loose and not loose.isdisjoint(out) else out
        _, groups, plan = self._separated(run)
        if plan is None:
            return None
        joined, out = "".join(groups(run)), set()
        for start, end, test in plan:
            if test is idd:
                if idd(joined[start:end]):
                    return None
            else:
                taken = self.taking(joined[start:end])
                if loose and not loose.isdisjoint(taken):
                    return None
                out |= taken
        return frozenset(out)

    @staticmethod
    def _refused_groups(run: str, groups, plan) -> bool:
        """``_refused`` for an ASCII run without a '+' that is not digits alone, by its plan."""
        joined = "".join(groups(run))
        for start, end, test in plan:
            if test(joined[start:end]) is not None:
                return False
        return True

    def _separated(self, run: str) -> tuple:
        """(the number of its digits, a getter of its digit groups, ``_refused``'s plan) of an
        ASCII run that is not digits alone. All three depend on the run's shape alone (its digits
        made 0): they are kept per shape (the shapes of dates, amounts, coordinates and codes come
        back), so that a run's digits are one C call away (a regex substitution costs more than
        the plan's first test) and a run with too few of them is refused without them. The plan is
        None when not decided here (no early refusal, too many groups)."""
        key = run.encode().translate(_BYTE_SHAPE) if len(run) <= _SHAPED_RUN else None
        entry = self._plans.get(key) if key is not None else None
        if entry is None:
            spans = [m.span() for m in _ASCII_GROUPS.finditer(run)]
            plan = None
            if self._refusal is not None and len(spans) <= self._MOST_GROUPS:
                plan = tuple(self._plan([b - a for a, b in spans]) if self._shapes is None else self._cut_plan(run))
            groups = operator.itemgetter(*(slice(a, b) for a, b in spans or [(0, 0)]))    # (one: a string)
            entry = sum(b - a for a, b in spans), groups, plan
            if key is not None:
                if len(self._plans) > 5_000:
                    self._plans.clear()
                self._plans[key] = entry
        return entry

    def _cut_plan(self, run: str):
        """``_plan`` for the digit strings of the pieces the matcher cuts from the run (``_cuts``: the
        run and its inner matches, each with and without an extension), the only strings
        ``regions_for`` reads: an ISBN's "978-7-287-17033-1" is read whole, not as "7287170331",
        which the concatenations of its groups hold. Only where the cuts depend on the run's shape
        alone (``_shapes`` kept), as the plan is kept per shape. A prefix test is tried only on the
        longest of the strings that begin at one digit when the prefixes' regex opens every string
        that begins with one it opens (``monotone``)."""
        tests, idd, monotone = self._refusal
        most, short = self.MAX_DIGITS, max(2, self._shortest_taken)
        before = list(itertools.accumulate(map(str.isdigit, run), initial=0))     # digits before each character
        longest: dict = {}            # (monotone prefixes) start -> the end of the longest string from it
        for start, end in sorted({(before[s], before[e]) for s, e in self._cuts(run)}):
            n = end - start
            if n > most:
                continue
            if n >= short and tests[n] is not None:
                yield start, end, self._length_test(n)
            # (a prefix and an international number need more than FEWEST_INTERNATIONAL digits: _international)
            if idd and n > FEWEST_INTERNATIONAL:
                if monotone:
                    longest[start] = max(longest.get(start, end), end)
                else:
                    yield start, end, idd
        for start, end in longest.items():
            yield start, end, idd

    def _plan(self, sizes: list):
        """The (start, end, test) of the digit strings ``_refused`` tries in a run whose digit
        groups have the given sizes, one by one (start and end: offsets in the run's digits;
        test: the fullmatch of the ``_quick`` regexes taking that length, or the international
        prefixes' match; a string passing one is not refused)."""
        tests, idd, monotone = self._refusal
        most, short = self.MAX_DIGITS, max(2, self._shortest_taken)
        ends = list(itertools.accumulate(sizes))
        size = ends[-1] if ends else 0
        start = 0
        for i in range(len(sizes)):
            if size - start >= short or idd and not monotone and size - start > FEWEST_INTERNATIONAL:
                last = start          # the end of the longest string from this group
                for end in ends[i:]:
                    n = end - start
                    if n > most:
                        break
                    last = end
                    if n >= short and tests[n] is not None:
                        yield start, end, self._length_test(n)
                    if idd and not monotone and n > FEWEST_INTERNATIONAL:
                        yield start, end, idd
            else:       # (no string from here is long enough for a national reading)
                last = size
            # (the longest string from this group: it opens the shorter ones' way; a prefix and
            # an international number need more than FEWEST_INTERNATIONAL digits: see _international)
            if idd and monotone and last - start > FEWEST_INTERNATIONAL:
                yield start, last, idd
            start = ends[i]

    @staticmethod
    def _desc(desc):
        """(possible lengths, pattern source): patterns are compiled when first needed."""
        if desc is None or not desc.national_number_pattern:
            return None
        return frozenset(desc.possible_length or ()), desc.national_number_pattern

    def _cc_info(self, cc: int):
        """(unjudged, national_prefix_rx, fits) of a country calling code; ``fits(nsn)`` tells
        whether a national significant number is valid in a region (or non-geographic entity)
        sharing it."""
        info = self._cc_cache.get(cc)
        if info is not None:
            return info
        mds = country_code_metadata(cc)
        main = mds[0] if mds else None
        unjudged = main is None or bool(main.national_prefix_transform_rule)
        npfp = _compiled(main.national_prefix_for_parsing) if main is not None and main.national_prefix_for_parsing else None
        regions = []
        for m in mds:
            general = self._desc(m.general_desc)
            types = [d for d in (self._desc(getattr(m, t, None)) for t in self._TYPES) if d] if general else []
            if general and types:
                regions.append((m, types))      # otherwise it validates nothing
        info = self._cc_cache[cc] = (unjudged, npfp, self._validator(regions))
        return info

    @staticmethod
    def _validator(regions: list):
        """Whether a national significant number is valid in one of a country code's ``regions``
        ((metadata, its number types' (lengths, pattern)) each: libphonenumber's test,
        ``phonelib.valid_in``), behind two cheap necessary conditions: a length some number type allows, and one regex of all number types (one C call instead of one per type).
        A pattern is in that regex once: the 25 regions of +1 repeat each other's (toll-free,
        premium...), and each region's source regex is compiled by every process on first use.
        The patterns are grouped by the lengths their types allow, each group behind a test of
        them: most digit strings have a length few types take (+1's: 10 digits, a Canadian 7;
        a date's 8 digits go through none), and the regex is also the ``_quick`` regexes' test
        of a reading's number types."""
        lengths, any_length, patterns = set(), False, {}
        for _, types in regions:
            for tl, tp in types:
                any_length = any_length or not tl
                lengths |= tl
                key = "(?:%s)" % tp
                known = patterns.get(key, tl)           # (a pattern of several types: their lengths together)
                patterns[key] = frozenset() if not (tl and known) else known | tl
        if not patterns:
            def nothing(nsn: str) -> bool:
                return False
            nothing.source = "(?!)"
            return nothing
        groups: dict = {}            # allowed lengths (empty: any) -> the patterns allowing them
        for key, tl in patterns.items():
            groups.setdefault(tl, []).append(key)
        source = "|".join(f"(?={_of_lengths(sorted(tl))}\\Z)(?:{'|'.join(keys)})" if tl else "|".join(keys)
                          for tl, keys in groups.items())        # compiled when first needed
        allowed = None if any_length else frozenset(lengths)

        from dataguard.detect.phonelib import valid_in

        def fits(nsn: str) -> bool:
            if allowed is not None and len(nsn) not in allowed or _kept(source).fullmatch(nsn) is None:
                return False
            return any(valid_in(md, nsn) for md, _ in regions)
        fits.source = source
        fits.lengths = allowed
        return fits

    def _readings_fit(self, digits: str, npfp, fits, cc: str = "", main=None, raw: Sequence[str] = ()) -> bool:
        """Whether some reading of ``digits`` is a valid national significant number: as
        written, after the national prefix, after the country code ``cc`` (and then the
        national prefix, once or twice). With ``main`` (the metadata of the country code's main region: a
        number written the national way), the reading as written must also not lack a
        national prefix the region requires (``national_prefix_present``, ``raw``: the digits of
        the candidates it may be read from)."""
        if digits and fits(digits) and (main is None or national_prefix_present(digits, main, raw)):
            return True
        readings = []
        m = npfp.match(digits) if npfp is not None else None
        if m and m.end():
            readings.append(digits[m.end():])
        if cc and digits.startswith(cc):
            rest = digits[len(cc):]
            readings.append(rest)
            for _ in range(2):      # the prefix is stripped while the code is taken off, then by the parse
                m = npfp.match(rest) if npfp is not None else None
                if not (m and m.end()):
                    break
                rest = rest[m.end():]
                readings.append(rest)
        return any(r and fits(r) for r in readings)

    def _after_idd(self, idd, digits: str) -> bool:
        """Whether ``digits`` open with the international prefix ``idd`` and go on as a valid international number."""
        m = idd.match(digits)
        return bool(m and m.end()) and self._international(digits[m.end():])

    def _international(self, digits: str) -> bool:
        """Whether the digits after a '+' or an international prefix can be an international
        number: a country code and a valid number of it, and at least FEWEST_INTERNATIONAL digits
        (fewer: ``PhoneFinder.admitted`` refuses the candidate, and the matcher finds nothing)."""
        if len(digits) < FEWEST_INTERNATIONAL or digits[:1] == "0":
            return False            # no country code begins with 0 ("+00 44 ...": see regions_for)
        for k in (1, 2, 3):
            if int(digits[:k] or 0) in self._cc_regions:
                unjudged, npfp, fits = self._cc_info(int(digits[:k]))
                return unjudged or self._readings_fit(digits[k:], npfp, fits)
        return False

    def candidates(self, run: str) -> list:
        """The run and its inner matches, as libphonenumber cuts them (with leading '+' kept),
        each also without an extension ("x12", "ext. 4": the parser sets it aside). A run of
        digits alone is its only candidate (every cut and extension needs another character)."""
        if run.isdigit():
            return [run]
        if self._shapes is None or not run.isascii() or len(run) > _SHAPED_RUN:
            return list({run[s:e] for s, e in self._cuts(run)})
        shape = run.translate(_SHAPE)
        spans = self._shapes.get(shape)
        if spans is None:
            if len(self._shapes) > 5_000:
                self._shapes.clear()
            spans = self._shapes[shape] = self._cuts(shape)
        return list({run[s:e] for s, e in spans})

    def _cuts(self, run: str) -> tuple:
        """The (start, end) of the run's non-empty cuts (``candidates``)."""
        out = {(0, len(run))}
        for rx in self._inner:
            m = rx.search(run)
            if m is None:
                continue
            out.add((0, m.start()))
            while m is not None:
                out.add(m.span(1))
                m = rx.search(run, m.start() + 1)
        if self._extension is not None:
            for s, e in list(out):
                m = self._extension.search(_TRAILING.sub("", run[s:e]))
                if m is not None:
                    out.add((s, s + m.start()))
        return tuple((s, e) for s, e in out if e > s)

    def regions_for(self, run: str, not_refused: bool = False) -> list:
        """The configured regions in which the run (digits and separators, with a '+' or '('
        in front if the text has one) or one of its inner matches could be a valid number
        (``not_refused``: ``_refused`` said False already)."""
        if not not_refused and self._refused(run):
            return self._unjudged_for(run)
        unjudged_here = self._unjudged_for(run)
        readings = []
        for c in self.candidates(run):
            digits = _NON_DIGIT.sub("", c)
            if not digits.isascii():      # Arabic-Indic, full-width...: read as libphonenumber reads them
                digits = "".join(str(unicodedata.decimal(ch)) for ch in digits)
            if 2 <= len(digits) <= self.MAX_DIGITS:
                readings.append((c.lstrip(OPENING).startswith(_PLUS), digits, c))
        out, after_plus = [], []
        for plus, d, c in readings:
            if not plus:
                continue
            if not self._international(d):
                after_plus.append(d)        # "+00 44 ...": read again without the '+' (IDD, country code)
                continue
            if self.regions and not out:
                out.append(self.regions[0][0])     # an international number: any region parses it
            if c != run:
                # an international number inside a longer run: which cut the matcher tries
                # first depends on the region, and it goes on after the number: ask them all
                return [r[0] for r in self.regions]
        readings = [(plus, d) for plus, d, _ in readings]
        national = [d for plus, d in readings if not plus]
        if self._refusal is not None:          # only the digit strings some region may take
            national = [d for d in national if self._may_fit(d)]
        # the digit strings some region's international prefix opens (most open with none)
        opened = [d for d in after_plus + national if self._any_idd(d)] if self._any_idd is not None else []
        if not national and not opened and not unjudged_here:
            return out              # (no reading left for any region)
        raw = {d: [r for _, r in readings if r.startswith(d)] for d in national}   # d with its extension
        taken = {d: self.taking(d) for d in national}       # (one regex call tells every region's quick)
        tests = self._tests
        for region, unjudged, cc, npfp, idd in self.regions:
            if region in out:
                continue
            if unjudged:
                if region in unjudged_here:
                    out.append(region)
                continue
            if idd is not None and opened and any(self._after_idd(idd, d) for d in opened):
                out.append(region)        # its international prefix, then a valid international number
                continue
            fits, main = tests.get(region) or self._national_tests(region, cc)
            # (a length it takes and quick first: they rule out most digit strings)
            if any(region in taken[d] and self._readings_fit(d, npfp, fits, cc, main, raw[d]) for d in national):
                out.append(region)
        return out

    def _national_tests(self, region: str, cc: str) -> tuple:
        """(fits, the ``main`` of ``_readings_fit``) of a region judged by readings: ``main`` is None
        when no format of its country requires the national prefix (+1's: the test would pass
        every number)."""
        tests = self._tests.get(region)
        if tests is None:
            from dataguard.detect.phonelib import prefix_required
            main = self._main[cc]
            tests = self._tests[region] = (self._cc_info(int(cc))[2],
                                           main if any(map(prefix_required, main.number_format)) else None)
        return tests


_CLOSING = {"(": ")", "[": "]", "（": "）", "［": "］"}


def unclosed_opening(raw: str) -> bool:
    """Whether a number's text opens with a bracket its closing one does not match within it
    ("(+254 709 876 543" of "(+254 709 876 543)", "(+44 (0)20 7946 0018" of "(+44 (0)20 7946
    0018)"), full-width and square ones too; "(020) 7946 0018" keeps its area code's."""
    close = _CLOSING.get(raw[:1])
    return close is not None and raw.count(close) < raw.count(raw[0])


_NONE = frozenset()
_MAX_TRIES = 65535      # PhoneNumberMatcher's: it gives up after so many candidates that were no number


class PhoneFinder:
    """What libphonenumber's ``PhoneNumberMatcher`` finds in a text for each region, without
    parsing what cannot be a number.

    The matcher walks the text from candidate to candidate (its own candidate pattern, a
    compiled regex) and parses each one, then its inner matches; after a match it goes on at
    the match's end. This walk is the same here, and the candidate search from a position is
    shared by the regions (the walks of all regions pass the same positions except after a
    match). A candidate is handed to the matcher's own extraction (``_extract_match``, same
    text, same offsets: the characters around it are checked as usual) only for the regions
    the gate admits; the others skip it as the matcher would after a failed parse.
    """

    def __init__(self, regions: Sequence[str], leniency: int = 1):
        import phonenumbers
        from phonenumbers.phonenumbermatcher import _PATTERN, _SECOND_NUMBER_START_PATTERN
        # libphonenumber compiles its metadata's patterns as it uses them (re.compile at each
        # use): kept once compiled, they are neither looked up in re's cache at each use nor
        # compiled again when more than its 512 entries are in use (a scan's numbers of many
        # countries, 150 compiles per 24 MB). (Since phonenumbers 9.0.43, the oldest setup.cfg allows.)
        phonenumbers.enable_pattern_cache()
        try:        # a candidate holding a date written with slashes: the matcher gives up on it at once
            from phonenumbers.phonenumbermatcher import _SLASH_SEPARATED_DATES
            self._slash_date = _SLASH_SEPARATED_DATES.search
        except ImportError:
            self._slash_date = None
        try:        # a log's time stamp ("2024-03-19 22" before ":14"): given up at once too
            from phonenumbers.phonenumbermatcher import _TIME_STAMPS, _TIME_STAMPS_SUFFIX
            self._stamp, self._stamp_end = _TIME_STAMPS.search, _TIME_STAMPS_SUFFIX.match
        except ImportError:
            self._stamp = None
        self.regions = tuple(regions)
        self.leniency = leniency
        self.gate = PhoneGate(self.regions)
        self._second = _SECOND_NUMBER_START_PATTERN
        self._second_anywhere = occurs_in(_SECOND_NUMBER_START_PATTERN)
        self._fast = walk_pattern(_PATTERN)      # the same matches, found faster
        self._fast_latin = ascii_digits(self._fast)     # the same in a text of Latin-1 characters (_walker)
        self._walked: tuple = (None, self._fast)         # (the last text walked, its pattern)
        self._verdicts: dict = {}
        self._dead: dict = {}            # (region, candidate) -> the tries the matcher spends finding nothing there
        self._found: dict = {}           # (region, candidate) -> (tries spent, what it finds) between plain separators
        self._fewest = self._fewest_digits()
        # the fewest characters of a candidate ``admitted`` admits: its digits, and the '+' of an international one
        self._fewest_characters = min(self._fewest[0], self._fewest[1] + 1)

    def _fewest_digits(self) -> tuple:
        """(digits, digits after '+'): fewer in a candidate and no reading of it, nor of a
        piece of it, can be a valid number of the configured regions (national format) or
        of any country (international format: ``FEWEST_INTERNATIONAL``)."""
        from phonenumbers import PhoneMetadata
        plain = []
        for region, unjudged, cc, npfp, idd in self.gate.regions:
            md = PhoneMetadata.metadata_for_region(region)
            if md is None:
                return 1, 1
            n = self.gate.least_digits[region] if unjudged else shortest_of_country_code(md.country_code)
            if n is None:
                return 1, 1
            plain.append(min(n, 1 + FEWEST_INTERNATIONAL if idd is not None else n))  # an international prefix: 1+ digits
        return min(plain, default=1), FEWEST_INTERNATIONAL

    def admitted(self, candidate: str) -> frozenset:
        """The configured regions whose matcher could find a number in the candidate (cached)."""
        v = self._verdicts.get(candidate)
        if v is None:
            if len(self._verdicts) > 100_000:
                self._verdicts.clear()
            checked = False
            if candidate.isascii() and candidate.isdigit():     # most candidates: a run of digits
                refused = len(candidate) < self._fewest[0] or self.gate.refuses_digits(candidate)
            elif candidate.isascii() and "+" not in candidate:     # then amounts, dates, codes, addresses
                refused = "/" in candidate and self._slash_dated(candidate) \
                    or self.gate.refuses_separated(candidate, self._fewest[0])
                checked = not refused and self.gate.judges_all
            else:
                # with a '+': international, or (the '+' cut off by an inner match) national
                fewest = min(self._fewest) if "+" in candidate or "\uff0b" in candidate else self._fewest[0]
                refused = len(_NON_DIGIT.sub("", candidate)) < fewest or self._slash_dated(candidate)
            if refused:
                v = _NONE
            else:
                # (an ASCII run without '+': the regions its plan's digit strings may be read in)
                v = self.gate.plain_regions(candidate) if candidate.isascii() and "+" not in candidate else None
                if v is None:
                    v = frozenset(self.gate.regions_for(candidate, checked))
            self._verdicts[candidate] = v
        return v

    def _slash_dated(self, candidate: str) -> bool:
        """Whether the matcher gives the candidate up at once as a date written with slashes."""
        return "/" in candidate and self._slash_date is not None and self._slash_date(candidate) is not None

    def _time_stamp(self, text: str, start: int, cand: str) -> bool:
        """Whether the matcher gives the candidate up as a time stamp, inner matches and all (a
        log line's "2024-03-19 22" before ":14:05"): every hour of a log is a new candidate
        the gate would read in every region."""
        return self._stamp is not None and self._stamp(cand) is not None \
            and self._stamp_end(text, start + len(cand)) is not None

    def _walk(self, text: str, index: int = 0):
        """The matcher's walk from ``index`` when nothing matches: (index, start, candidate) steps
        (its pattern's matches found with ``_walker``'s: the same from any index)."""
        finditer, second = self._walker(text).finditer, self._second.search
        while True:
            for m in finditer(text, index):     # each match searched from the end of the one before
                cand = m.group()
                cut = second(cand) if "x" in cand else None      # (the pattern needs an 'x')
                if cut is not None:             # the walk goes on inside the match: search again from there
                    cand = cand[:cut.start()]
                    yield index, m.start(), cand
                    index = m.start() + len(cand)
                    break
                yield index, m.start(), cand
                index = m.end()
            else:
                return

    def _steps(self, text: str, shortest: int = 0) -> list:
        """The matcher's walk over the whole text when nothing matches: [(index, start, candidate)].
        Without a second number's start in the text ("/ x": the walk would go on inside a match),
        the walk is the pattern's successive matches, taken in one pass (``walk_pattern``), and
        the steps of fewer than ``shortest`` characters are left out (each step's index is still
        where the walk searched from)."""
        if self._second_anywhere(text):
            return list(self._walk(text))
        steps, index = [], 0
        append = steps.append
        for m in self._walker(text).finditer(text):
            start, end = m.span()
            if end - start >= shortest:
                append((index, start, m.group()))
            index = end
        return steps

    def _walker(self, text: str):
        """The walk's pattern for a text: with ASCII digits (``ascii_digits``) in a text of Latin-1
        characters alone, which holds no other decimal digit (a text of other characters is not
        searched for one: that search costs more than the walk it would speed up). The last
        text's is kept: ``_resync`` walks the same text again after each match inside a candidate."""
        if text is not self._walked[0]:
            try:
                text.encode("latin-1")      # (a copy of a text held as Latin-1, at memcpy speed)
                self._walked = (text, self._fast_latin)
            except UnicodeEncodeError:
                self._walked = (text, self._fast)
        return self._walked[1]

    def _long_steps(self, text: str) -> list:
        """``_steps`` but those of fewer characters than an admitted candidate has, in a text shorter
        than the matcher's tries (a candidate skipped counts as one failed try: see ``find``): the
        steps after a match find their way back to the walk at the next step kept (``_resync``)."""
        return self._steps(text, self._fewest_characters if len(text) < _MAX_TRIES else 0)

    def find(self, text: str, apart: bool = False) -> list:
        """[(region, PhoneNumberMatch)] in the order Presidio's recognizer lists them: what each
        region's ``PhoneNumberMatcher`` over the whole text finds; with ``apart``, then the
        numbers standing apart in a candidate where it found none (``_apart``). The matcher stops
        after 65,535 failed tries, each candidate and each inner piece of one a try; a candidate
        the gate skips counts as one: where the matcher stops reading (a text of thousands of
        candidates of many groups, "94 44 89 66 5 68 88"), the finder reads on, and finds more."""
        from dataguard.detect.phonelib import Matcher
        steps = self._long_steps(text)
        todos: dict = {}                 # region -> the steps it admits, in order
        admitted, known, shortest = self.admitted, self._verdicts.get, min(self._fewest)
        gapped = []                      # the candidates that may hold two numbers apart (_apart)
        for k, (_, start, c) in enumerate(steps):
            if len(c) >= shortest and not (" " in c and self._time_stamp(text, start, c)):
                # (fewer characters: fewer digits than any number has)
                if len(c) >= 2 * shortest and ("  " in c or not c.isascii()):
                    gapped.append(steps[k])     # (an ASCII candidate's gap is two spaces: _GAP)
                regions = known(c)
                if regions is None:
                    regions = admitted(c)
                for region in regions:
                    todos.setdefault(region, []).append(k)
        out, at = [], None
        for region in self.regions:
            todo = todos.get(region)
            if not todo:
                continue
            matcher = Matcher(text, region, leniency=self.leniency)
            k, i = 0, 0
            while i < len(todo) and matcher._max_tries > 0:
                if todo[i] < k:
                    i += 1
                    continue
                matcher._max_tries -= todo[i] - k          # the candidates skipped: failed tries
                k = todo[i]
                if matcher._max_tries <= 0:     # (the matcher stops before this candidate)
                    break
                _, start, cand = steps[k]
                match = self._extract(matcher, region, text, cand, start)
                if match is None:
                    matcher._max_tries -= 1
                    k += 1
                    continue
                out.append((region, match))
                if match.end == start + len(cand):      # the walk goes on from the candidate's end
                    k += 1
                    continue
                if at is None:
                    at = {index: n for n, (index, _, _) in enumerate(steps)}
                k = self._resync(text, match.end, at, steps, region, matcher, out)
        return self._apart(text, gapped, out) if apart else out

    def _apart(self, text: str, steps: list, out: list) -> list:
        """``out`` and the numbers standing apart: the matcher's candidate takes digits separated
        by up to four spaces, so two numbers in a contact sheet's or a fixed-width report's
        columns ("+250 793 126 631   00243 854 305455") are one candidate, which is no number,
        and it finds neither (or only the one an inner match reaches). In a candidate holding a
        run of two spaces or more, each piece between such runs where the matcher found nothing
        is read alone (the matcher's extraction, at its place in the text). ``steps``: the walk's
        steps, at least those of twice the fewest characters a number has that hold a gap."""
        from dataguard.detect.phonelib import Matcher
        found = sorted((m.start, m.end) for _, m in out)
        starts = [s for s, _ in found]
        shortest = min(self._fewest)
        extra = []
        for _, start, cand in steps:
            if len(cand) < 2 * shortest or _GAP.search(cand) is None:
                continue
            for a, b in _pieces(cand):
                i = bisect.bisect_left(starts, start + b) - 1
                if i >= 0 and found[i][1] > start + a:
                    continue                # the matcher found a number there: its reading stands
                piece = cand[a:b]
                regions = self.admitted(piece) if len(piece) >= shortest else ()
                for region in self.regions:
                    if region in regions:
                        match = self._extract(Matcher(text, region, leniency=self.leniency), region,
                                              text, piece, start + a)
                        if match is not None:
                            extra.append((region, match))
        return out + extra

    def _extract(self, matcher, region: str, text: str, cand: str, start: int):
        """The matcher's extraction of a candidate (itself or an inner piece), skipped for a
        candidate known to hold nothing in the region. The matcher's checks around a
        candidate only ever reject (a letter, currency sign or '%' next to it, a time after
        it): a candidate that gives nothing between plain separators gives nothing anywhere.
        Between plain separators what it gives depends on the candidate alone (every other
        character the matcher looks at is inside it): a number seen again there (a signature's
        or a help desk's in every mail of an archive) is not parsed again. The tries the matcher
        spends on the inner pieces are spent again each time (near its limit of tries, a text
        then gives what the matcher gives, whatever the finder read before)."""
        key = (region, cand)
        spent = self._dead.get(key)
        if spent is not None:
            matcher._max_tries -= spent         # (each inner piece it fails on is a try)
            return None
        end = start + len(cand)
        plain = (start == 0 or text[start - 1] in _PLAIN) and (end == len(text) or text[end] in _PLAIN)
        if plain:
            seen = self._found.get(key)
            if seen is not None and matcher._max_tries > seen[0]:      # (tries left for its pieces)
                matcher._max_tries -= seen[0]
                return _match_at(start, *seen[1:])
        before = matcher._max_tries
        match = matcher._extract_match(cand, start)
        spent = before - matcher._max_tries
        # (kept only when the matcher read every piece it would: with no try left it stopped
        # early, and the candidate may hold a number after all)
        if plain and matcher._max_tries > 0:
            if match is None:
                if len(self._dead) > 200_000:
                    self._dead.clear()
                self._dead[key] = spent
            else:
                if len(self._found) > 50_000:
                    self._found.clear()
                self._found[key] = (spent, match.start - start, match.raw_string, _copy(match.number))
        return match

    def _resync(self, text, index, at, steps, region, matcher, out) -> int:
        """After a match that ends inside its candidate, the matcher's walk goes its own way from
        the match's end until it meets the shared walk again: follow it; the shared step then."""
        while index not in at:
            for index, start, cand in self._walk(text, index):
                if index in at:
                    break
                if matcher._max_tries <= 0:     # (the matcher stops before this candidate)
                    return len(steps)
                match = self._extract(matcher, region, text, cand, start) \
                    if cand and region in self.admitted(cand) else None
                if match is not None:
                    out.append((region, match))
                    index = match.end
                    break
                matcher._max_tries -= 1 if cand else 0
            else:
                return len(steps)
        return at[index]



def _pieces(cand: str) -> list:
    """(start, end) of the pieces of a candidate between its gaps (``_GAP``), without spaces around."""
    out, at = [], 0
    for g in [*_GAP.finditer(cand), None]:
        stop = len(cand) if g is None else g.start()
        piece = cand[at:stop]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            out.append((at + lead, at + len(piece.rstrip())))
        at = stop if g is None else g.end()
    return out


def _copy(number):
    from phonenumbers import PhoneNumber
    copy = PhoneNumber()
    copy.merge_from(number)
    return copy


def _match_at(start: int, offset: int, raw: str, number):
    """A match of the matcher found again at ``start`` (with its own copy of the number)."""
    from phonenumbers import PhoneNumberMatch
    return PhoneNumberMatch(start + offset, raw, _copy(number))


FORMATTED_SCORE = 0.6       # a number written the way phone numbers are written (Presidio gives every one 0.4)
FORMATTED_KEY = "written_as_a_phone_number"     # recognition metadata of such a match: True
_GROUPS = re.compile(r"\d+")
_INTERNATIONAL_OPENINGS = (*_PLUS, "00")


def _cuts(groups: list, offset: int = 0) -> set:
    """Where a number's digits are cut into its groups (positions in its digit string)."""
    out, at = set(), offset
    for g in groups[:-1]:
        at += len(g)
        out.add(at)
    return out


def written_as_a_phone_number(raw: str, number) -> bool:
    """Whether a matched number is written as phone numbers are: in international format
    ('+', '00'), or in groups of digits cut at least where its country's national or international
    format cuts them ("(201) 555-6245", "0121 238 6808", "0712 345 678"; an international
    prefix or trunk digit in front as a group of its own). A bare run of digits
    ("2035507946", as likely an order or account number) or groups no format has
    ("201555 6245") is not. (The formats are libphonenumber's, made by ``phonelib.formatted``.)"""
    from dataguard.detect.phonelib import formatted
    if not raw.isascii():       # (an ASCII digit is its own decimal)
        raw = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in raw)
    if raw.lstrip(OPENING).startswith(_INTERNATIONAL_OPENINGS):
        return True                 # international format, valid: hardly a random number
    groups = _GROUPS.findall(raw)
    if len(groups) < 2:
        return False
    digits, cuts = "".join(groups), _cuts(groups)
    for glued in (False, True):      # national, then international: "0041 44 ...", prefix and code as one
        want = _GROUPS.findall(formatted(number, not glued))
        whole = "".join(want)
        if len(want) < 2 or not digits.endswith(whole):
            continue
        front = len(digits) - len(whole)        # an international prefix ("0041"), a trunk digit
        if front <= 4 and (front == 0 or glued or front in cuts) and _cuts(want, front) <= cuts:
            return True
    return False


# Presidio's context words of phone numbers but "number", which also stands before order, account
# and invoice numbers (the packs add theirs)
PHONE_CONTEXT = ("phone", "telephone", "cell", "cellphone", "mobile", "call")


def fast_phone_recognizer(language: str, regions: Sequence[str]) -> Triggered:
    """Presidio's PhoneRecognizer (same matches, leniency and score; its context words but
    "number", the packs add theirs), finding its numbers with ``PhoneFinder``, without importing Presidio's NLP
    engine (and with it spaCy), which its module does; it runs over the whole text (the
    finder's walk is its own trigger). Presidio scores every number 0.4, under the rules' usual
    minimum without a context word; a number written as phone numbers are written
    (``written_as_a_phone_number``) scores ``FORMATTED_SCORE``. A number's span leaves out the
    spaces libphonenumber keeps before a number cut after a slash (Presidio's span holds them).
    A phonenumbers release without the private parts the finder reads: Presidio's own
    recognizer (``_presidio_phone_recognizer``)."""
    from presidio_analyzer import EntityRecognizer, LocalRecognizer, RecognizerResult
    try:
        from dataguard.detect.phonelib import check     # (libphonenumber's private parts it reads, loaded now)
        check()
        finder = PhoneFinder(regions)
    except (ImportError, AttributeError) as exc:
        return _presidio_phone_recognizer(language, regions, exc)

    class FastPhoneRecognizer(LocalRecognizer):
        SCORE = 0.4

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            results = []
            for _region, m in finder.find(text, apart=True):
                # (libphonenumber's piece after a slash keeps the space before it: " 0033 1 42 ...";
                # a number in brackets keeps the opening one: "(+254 709 876 543" of "Kwame (+254 ...)",
                # which would hash apart from the same number written plainly)
                raw = m.raw_string.lstrip()
                start = m.start + len(m.raw_string) - len(raw)
                if unclosed_opening(raw):
                    start += 1
                r = RecognizerResult("PHONE_NUMBER", start, m.end, self.SCORE, recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                if written_as_a_phone_number(m.raw_string, m.number):
                    r.score = FORMATTED_SCORE
                    r.recognition_metadata[FORMATTED_KEY] = True
                results.append(r)
            return EntityRecognizer.remove_duplicates(results)

    return Triggered(FastPhoneRecognizer(supported_entities=["PHONE_NUMBER"], supported_language=language,
                                         context=list(PHONE_CONTEXT), name="PhoneRecognizer"))


def _presidio_phone_recognizer(language: str, regions: Sequence[str], exc: Exception) -> Triggered:
    """Presidio's PhoneRecognizer (libphonenumber's matcher over every region, several times
    slower), for a phonenumbers release that lacks a private part the finder reads: setup.cfg
    allows any 9.x, whose internals may change."""
    import logging
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer
    logging.getLogger("dataguard.detect").warning(
        "this phonenumbers release lacks a part the fast phone finder reads (%s): phone numbers are found by "
        "Presidio's recognizer, more slowly, and scored 0.4 without a context word", exc)
    return Triggered(PhoneRecognizer(supported_language=language, supported_regions=list(regions),
                                     context=list(PHONE_CONTEXT)))

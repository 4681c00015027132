r"""One pass over a chunk that finds where each recognizer is worth running.

Detection is cheap first: a recognizer runs only on small windows around the hits
of a cheap trigger (a regex for its entity, or the literal words it needs). All
triggers are found in one pass: with Hyperscan (a multi-pattern regex engine, used
where its wheel is installed) the whole set costs about as much as reading the text
once; without it each trigger is a compiled Python regex. Both give the same
windows: Hyperscan reports every match end with its leftmost start, which covers the
non-overlapping matches Python's ``finditer`` reports, and hit spans that overlap are
merged.

Offsets: Hyperscan scans bytes. The text is encoded to Latin-1 with every other
character replaced by ``?`` (one byte per character), so byte offsets are character
offsets. Trigger regexes are ASCII/Latin-1 patterns; one naming a symbol beyond Latin-1
(a bullet '•', a dash '–') is given to Hyperscan with '?' in its place, which finds it and any
other character beyond Latin-1 there (more windows, the same findings; a letter beyond Latin-1
keeps its regex in Python). In a text holding digits outside ASCII (Arabic-Indic,
Devanagari, full-width) each is read as its ASCII digit (one character for one: the offsets
stay), by Hyperscan and by Python's regexes alike: \d, \w and \b take it as Python's
Unicode-aware regexes take the digit, and a class of ASCII digits ("[0-9]{10}") takes it too;
a regex with a negated class of ASCII digits ("[^0-9]", which the digit is, its ASCII digit
not) reads the text as it is, with Python's Unicode-aware regex. A regex ignoring case is read
over the lower-cased text (one ignoring it only in part, over both), where a capital beyond ASCII
is its small letter: Hyperscan and the ASCII classes ignore case in ASCII only ('PRÉSENTS',
'MİNUTES'). A trigger's \w or \b next to a letter beyond ASCII is written so that its ASCII
reading finds more, never less ("[^\s.]" for \w before a dot leader). Of a
word list, the Latin-1 words go to Hyperscan and the others (Arabic context words) to one
Python regex under the same name, run only when one search for all such words finds one.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import platform
import re
import sys
import unicodedata
from typing import Dict, List, Optional, Sequence, Tuple

from dataguard.regex_tree import items, parser, sre

log = logging.getLogger(__name__)

try:  # optional accelerator (x86-64 wheels); the Python path gives the same windows
    import hyperscan as _hs
except Exception:  # noqa: BLE001 - ImportError, or a wheel that does not load on this CPU
    _hs = None

# the characters a process scans before it builds Hyperscan's databases (TriggerSet.hyperscan_after).
# On dense text Python's regexes find the triggers in about 0.9 CPU-s per MB, Hyperscan in 0.05;
# building its databases takes 0.15-0.3 s: they pay for themselves after some 200 KB, and a
# scan of a few small files (a cron job's folder, the start-up) never builds them
HYPERSCAN_AFTER = 200_000
# Hyperscan's databases, once built, are kept in the cache folder (``dataguard.cachefiles``):
# a process that finds them there loads them at once (milliseconds) instead of building them
_DB_CACHE_PREFIX = "hyperscan-"
_DB_CACHE_KEEP = 24         # the newest database files kept (up to four per set of rule packs and mode)
_DB_CACHE_REVISION = 4      # bump when what a database holds or how it is built changes
_DB_MAGIC = b"dataguard hyperscan database\n"
_DB_CACHE_MAX = 64 * 1024**2        # a larger file is not read (the default packs' databases: about 2.5 MB)
# A long regex (an alternation of many words: a label before a name, a verb before "by", a
# salutation) costs Hyperscan five times as much when it reports where each match starts (some
# 0.06 CPU-s instead of 0.01 on 17.7 MB of dense text), and such phrases are rare: each kind's
# main database only sights them (the ends of their matches), and a text where one is sighted is
# read again by a database of these alone, its locator, which reports their starts (``_Databases``)
_SIGHTED_LENGTH = 200
_NON_ASCII_DIGIT = re.compile(r"[^\x00-\x7f\D]")      # a digit beyond ASCII (one character class: a fast search)
_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff]")
Spans = List[Tuple[int, int]]


def lower_aligned(text: str) -> str:
    """``text`` lower-cased, each character in its place: 'İ' (the one character whose lower
    case is two, 'i' and a combining dot) becomes 'i', so that hits on the lower-cased text are
    offsets in ``text`` (Turkish text is full of it)."""
    low = text.lower()
    return low if len(low) == len(text) else text.replace("\u0130", "i").lower()


def _merge(spans: Spans) -> Spans:
    spans.sort()
    out: Spans = []
    if not spans:
        return out
    start, end = spans[0]
    for s, e in spans:
        if s > end:
            out.append((start, end))
            start, end = s, e
        elif e > end:
            end = e
    out.append((start, end))
    return out


class TriggerSet:
    """Named triggers: regexes run over the text, literal word lists over its lower-cased form.

    ``find(text, low)`` -> {name: merged hit spans}; names without hits are absent.
    """

    def __init__(self, regexes: Dict[str, str], words: Dict[str, Sequence[str]], use_hyperscan: bool = True,
                 hyperscan_after: Optional[int] = 0):
        """``hyperscan_after``: the characters this process scans with Python's regexes before it
        builds the Hyperscan databases (0: at once; None: ``HYPERSCAN_AFTER``)."""
        if hyperscan_after is None:
            hyperscan_after = HYPERSCAN_AFTER
        self.names = list(regexes) + list(words)
        # A regex ignoring case is read (also) over the lower-cased text, where a capital beyond ASCII
        # is its small letter ('PRÉSENTS' is "présents", 'MİNUTES' "minutes"): Hyperscan and the ASCII
        # classes ignore case in ASCII only. One ignoring case throughout is read there alone; one
        # ignoring it in part (a "(?i:...)" group) over both texts (its windows: both readings')
        self._low_names = [n for n, p in regexes.items() if _ignores_case(p)]
        self._text_names = [n for n, p in regexes.items() if not (n in self._low_names and _ignores_case_throughout(p))]
        self._hs_text = self._hs_low = None
        self._hs_names: List[str] = []
        # what Hyperscan has not taken (its databases pop what they take), compiled once they are made
        self._py_only_rx: Dict[str, object] = {n: regexes[n] for n in self._text_names}
        self._py_only_low: Dict[str, object] = {n: regexes[n] for n in self._low_names}
        self._py_only_words: Dict[str, object] = {n: ws for n, ws in words.items() if ws}
        self._beyond_latin1: Dict[str, re.Pattern] = {}     # looked for only in text holding one of their words
        self._beyond_any: Optional[re.Pattern] = None        # any of those words (one search tells)
        self._sources = (regexes, words)
        self._hs_due: Optional[int] = hyperscan_after if use_hyperscan and _hs is not None else None
        self._looked_in_cache: Optional[int] = None     # the process that last looked for them there
        if self._hs_due == 0:
            self._accelerate()
        elif self._hs_due is not None:
            self._looked_in_cache = os.getpid()
            self._accelerate(cached_only=True)      # (at once if it costs nothing)
        # the Python regexes of a kind Hyperscan does not read yet, compiled now (before a scanning
        # process forks its workers, which then share them); with the databases loaded from the
        # cache folder at once (the usual start-up) they are never compiled
        if self._hs_text is None:
            _ = self._py_ascii
        if self._hs_low is None:
            _ = self._py_ascii_low, self._py_words

    # As Hyperscan reads a text without digits beyond ASCII (\d, \w, \b, \s and case in ASCII; a
    # character beyond Latin-1 is '?' to it, which these classes treat alike): the windows of a scan's
    # first megabytes are those it gives once Hyperscan is built ("3532é": no word boundary to
    # Python's Unicode \b, one to Hyperscan's)
    @functools.cached_property
    def _py_ascii(self) -> Dict[str, re.Pattern]:
        return {n: _ascii(self._sources[0][n]) for n in self._text_names}

    @functools.cached_property
    def _py_ascii_low(self) -> Dict[str, re.Pattern]:
        return {n: _ascii(self._sources[0][n]) for n in self._low_names}

    @functools.cached_property
    def _py_words(self) -> Dict[str, re.Pattern]:
        return {n: _alternation(ws) for n, ws in self._sources[1].items() if ws}

    @functools.cached_property
    def _not_digit_classes(self) -> Dict[str, re.Pattern]:
        """The regexes that a digit beyond ASCII and its ASCII digit may not match alike (Unicode-aware:
        they read a text holding such digits as it is). Made when a text first holds one."""
        return {n: re.compile(p) for n, p in self._sources[0].items() if _refuses_ascii_digits(p)}

    def _accelerate(self, cached_only: bool = False) -> bool:
        """Build the Hyperscan databases (or load them from the cache folder): from now on the
        triggers they take are found by them. ``cached_only``: only if every database is in
        the cache (loading them costs milliseconds); False when one is not."""
        regexes, words = self._sources
        latin = {n: [w for w in ws if _latin1(w)] for n, ws in words.items()}
        # (the regexes read over the lower-cased text go with the words, named "\0" + their name)
        lowered = {n: list(ws) for n, ws in latin.items() if ws}
        lowered.update({_LOW + n: regexes[n] for n in self._low_names})
        kinds = [({n: regexes[n] for n in self._text_names}, False, self._py_only_rx),
                 (lowered, True, _Pending(self._py_only_words, self._py_only_low))]
        loaded: list = [None] * 4       # (each kind's locator, then its main database)
        if cached_only:
            base = 0                # (a match's id: its name's index in _hs_names, over all databases)
            for k, (items, literal, _) in enumerate(kinds):
                located: list = []      # (the names the locator takes: the main database sights them)
                for stage in (0, 1):
                    encoded = _encoded(_sighted(items) if stage == 0 else _sighting(items, located), literal)
                    if encoded:
                        got = loaded[2 * k + stage] = _cached(encoded, base)
                        if got is None:
                            return False
                        located, base = got[1], base + len(got[1])
        self._hs_due = None
        # (the databases are published last: until then a find() of another thread of a Dask
        # worker reads every trigger with the Python readings, all compiled, not the pending ones)
        text = self._compile_kind(*kinds[0], cached=loaded[0:2])
        low = self._compile_kind(*kinds[1], cached=loaded[2:4])
        # (a regex Hyperscan does not take over the lower-cased text: Python's, over the text as it is)
        self._py_only_rx = {n: re.compile(regexes[n]) for n in [*self._py_only_rx, *self._py_only_low]}
        self._py_only_low = {}
        beyond: List[str] = []
        for n, ws in words.items():      # words Hyperscan cannot take: Python, only on text holding one
            rest = [w for w in ws if not _latin1(w)]
            if rest and len(rest) == len(ws):
                self._py_only_words.pop(n, None)
            if rest and n not in self._py_only_words:
                self._beyond_latin1[n] = _alternation(rest)
                beyond.extend(rest)
        if beyond:
            self._beyond_any = _alternation(beyond)
        self._py_only_words = {n: _alternation(ws) for n, ws in self._py_only_words.items()}
        self._hs_text, self._hs_low = text, low
        return True

    @property
    def accelerated(self) -> bool:
        return self._hs_text is not None or self._hs_low is not None

    def _compile_kind(self, items: dict, literal: bool, pending: dict, cached: list) -> Optional["_Databases"]:
        """A kind's databases: the locator of its long regexes, then its main database, which
        sights those the locator took (``cached``: what ``_compile`` is given for each)."""
        start = len(self._hs_names)
        locator, located = self._compile(_sighted(items), literal, pending, cached[0])
        main, _ = self._compile(_sighting(items, located), literal, pending, cached[1])
        if locator is None and main is None:
            return None
        sightings = [i for i in range(start, len(self._hs_names)) if self._hs_names[i].startswith(_SIGHT)]
        # (a sighting copy Hyperscan refused: its regex is located in every text)
        return _Databases(main, locator, sightings, always=len(sightings) < len(located))

    def _compile(self, items: dict, literal: bool, pending: dict, cached=None):
        """A Hyperscan database for the items it can take, and their names (in id order); those
        it cannot take stay in ``pending``.
        ``cached``: (database, names) already loaded from the cache folder, which is otherwise
        looked in first. All are compiled at once; only if Hyperscan refuses that is each tried
        alone (to keep the ones it takes): a compile per expression costs as much again."""
        asked = _encoded(items, literal)
        if not asked:
            return None, []
        base = len(self._hs_names)         # a match's id: its name's index in _hs_names (all databases)
        cached = cached or _cached(asked, base)
        if cached is not None:
            db, taken = cached
            encoded = {n: asked[n] for n in taken}
        else:
            encoded = asked
            db = _database(encoded, base)
            if db is None:
                encoded = {n: e for n, e in encoded.items() if _database({n: e}) is not None}
                db = _database(encoded, base)
            _keep(asked, base, db, list(encoded))
        if db is None:
            return None, []
        for name in encoded:
            self._hs_names.append(name[len(_LOW):] if name.startswith(_LOW) else name)
            pending.pop(name, None)
        return db, list(encoded)

    def find(self, text: str, low: Optional[str] = None) -> Dict[str, Spans]:
        if self._hs_due is not None:
            self._hs_due -= len(text)
            if self._hs_due <= 0:
                self._accelerate()
            elif self._looked_in_cache != os.getpid():
                # a process's first text: the databases may have reached the cache since this set
                # was made (a worker forked from a scanning process that made it before)
                self._looked_in_cache = os.getpid()
                self._accelerate(cached_only=True)
        low = lower_aligned(text) if low is None else low
        found: Dict[str, Spans] = {}
        # a text of Latin-1 (most that are not ASCII: French, Spanish) holds no digit beyond ASCII
        # and, lower-cased, no character beyond Latin-1: none of the words only Python looks for
        try:
            data: Optional[bytes] = text.encode("latin-1")      # (what Hyperscan reads of it)
        except UnicodeEncodeError:
            data = None
        latin1 = data is not None
        unicode_digits = not latin1 and _NON_ASCII_DIGIT.search(text) is not None
        # (each digit beyond ASCII read as its ASCII digit: Hyperscan and Python's ASCII classes take it)
        read = text.translate(_ascii_digits()) if unicode_digits else text
        read_low = low.translate(_ascii_digits()) if unicode_digits else low
        if not latin1 and ("\u0131" in low or "\u017f" in low):
            # (the two small letters Python's regexes ignoring case take for 'i' and 's': 'ı', 'ſ')
            read_low = read_low.translate(_SMALL_AS_ASCII)
        if self.accelerated:
            # (a list of hits per trigger: all databases' ids index them)
            hits: List[Spans] = [[] for _ in self._hs_names]
            if self._hs_text is not None:
                self._hs_text.scan(data if latin1 else read.encode("latin-1", "replace"), hits)
            if self._hs_low is not None:
                self._hs_low.scan(read_low.encode("latin-1", "replace"), hits)
            for name, spans in zip(self._hs_names, hits):
                if spans and not name.startswith(_SIGHT):       # (a sighting's hits have no start)
                    found.setdefault(name, []).extend(spans)
        if self._hs_text is not None:
            py_rx = self._py_only_rx
        else:
            py_rx = self._py_ascii
        if self._hs_low is not None:
            py_words, py_low = self._py_only_words, self._py_only_low
        else:
            py_words, py_low = self._py_words, self._py_ascii_low
        _read(py_rx, read, found)
        _read(py_low, read_low, found)
        if unicode_digits:          # (these read the text as it is: their hits replace the others)
            for name in self._not_digit_classes:
                found.pop(name, None)
            _read(self._not_digit_classes, text, found)
        if self._beyond_any is not None and not latin1 and self._beyond_any.search(low):
            py_words = {**py_words, **self._beyond_latin1}
        _read(py_words, low, found)
        return {n: _merge(s) for n, s in found.items()}


def _read(regexes: dict, text: str, found: dict) -> None:
    """Each regex's hits in ``text``, added to ``found`` under its name."""
    for name, rx in regexes.items():
        spans = [m.span() for m in rx.finditer(text)]
        if spans:
            found.setdefault(name, []).extend(spans)


def _refuses_ascii_digits(pattern: str) -> bool:
    """Whether a regex may refuse an ASCII digit where it takes another script's digit: an ASCII
    digit named in a negated class ("[^0-9]", "[^!->]"), a "not this character" or a negative
    lookaround ("(?![0-9])"). (``\\d``, ``\\D`` and ``\\w`` take both alike.) True when in doubt."""
    try:
        tree = parser.parse(pattern)
    except Exception:  # noqa: BLE001 - Python's regex for it fails anyway; in doubt
        return True

    def names_digit(members) -> bool:
        for op, av in members:
            if op in (sre.LITERAL, sre.NOT_LITERAL) and 48 <= av <= 57 or op is sre.RANGE and av[0] <= 57 and av[1] >= 48:
                return True
        return False

    def refuses(op, av, negative: bool) -> bool:
        """(``negative``: inside a negative lookaround)"""
        return (op is sre.NOT_LITERAL and 48 <= av <= 57
                or op is sre.IN and (negative or av[:1] == [(sre.NEGATE, None)]) and names_digit(av)
                or (op is sre.LITERAL or op is sre.RANGE) and negative and names_digit([(op, av)])
                or op is sre.GROUPREF_EXISTS)      # (in doubt)

    return any(refuses(op, av, False) or op is sre.ASSERT_NOT and any(refuses(*item, True) for item in items(av[1]))
               for op, av in items(tree))


_SMALL_AS_ASCII = {0x131: "i", 0x17F: "s"}
_LOW = "\0"       # (the key, in the database of the lower-cased text, of a regex read there)
_SIGHT = "\1"     # (the key, in a main database, of a regex it only sights: ``_SIGHTED_LENGTH``)


def _sighted(items: dict) -> dict:
    """A kind's regexes (not its word lists) long enough to be sighted first (``_SIGHTED_LENGTH``)."""
    return {n: p for n, p in items.items() if isinstance(p, str) and len(p) > _SIGHTED_LENGTH}


def _sighting(items: dict, located: Sequence[str]) -> dict:
    """A kind's items for its main database: those not sighted first, and a sighting copy of
    each regex its locator took (one it refused stays with Python, as any other)."""
    sighted = _sighted(items)
    return {**{n: p for n, p in items.items() if n not in sighted}, **{_SIGHT + n: items[n] for n in located}}


def _scan(db, data: bytes, hits: list) -> None:
    """Each match's (start, end) added to ``hits[i]``, the list of its trigger (``_hs_names[i]``)."""
    def on_match(i, start, end, _flags, _ctx):
        hits[i].append((start, end))

    db.scan(data, match_event_handler=on_match)


class _Databases:
    """A kind's Hyperscan databases (the text's, the lower-cased text's): the main one, and the
    locator of the regexes it only sights, which reads a text where one of them is sighted
    (``sightings``: the ids of their sighting copies; ``always``: it reads every text)."""

    def __init__(self, main, locator, sightings: list, always: bool):
        self.main, self.locator, self.sightings, self.always = main, locator, sightings, always

    def scan(self, data: bytes, hits: list) -> None:
        if self.main is not None:
            _scan(self.main, data, hits)
        if self.locator is not None and (self.always or any(hits[i] for i in self.sightings)):
            _scan(self.locator, data, hits)


class _Pending:
    """The words and the regexes read over the lower-cased text that Hyperscan has not taken."""

    def __init__(self, words: dict, regexes: dict):
        self.words, self.regexes = words, regexes

    def pop(self, name: str, default=None):
        if name.startswith(_LOW):
            return self.regexes.pop(name[len(_LOW):], default)
        return self.words.pop(name, default)


_INLINE_ICASE = re.compile(r"\(\?[aiLmsux]*i[aiLmsux]*(?:-[imsx]*)?[:)]")
_INLINE_CASED = re.compile(r"\(\?[aiLmsux]*-[msx]*i")


def _ignores_case(pattern: str) -> bool:
    """Whether a regex ignores case anywhere ("(?i)", "(?i:...)")."""
    return _INLINE_ICASE.search(pattern) is not None


def _ignores_case_throughout(pattern: str) -> bool:
    """Whether a regex ignores case throughout (a leading "(?i)", no "(?-i:...)"): it finds in the
    lower-cased text (each character in its place) all it finds in the text."""
    try:
        flags = re.compile(pattern).flags
    except re.error:
        return False
    return bool(flags & re.IGNORECASE) and _INLINE_CASED.search(pattern) is None


# The digit zeros beyond ASCII of Unicode 14.0.0 (Python 3.11's ``unicodedata``): Unicode encodes
# every decimal digit in a run of ten code points, 0 to 9 (tests/test_triggers.py checks the list)
_DIGIT_ZEROS_UNICODE = "14.0.0"
_DIGIT_ZEROS = (
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6, 0xE50, 0xED0,
    0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50,
    0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50,
    0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950,
    0x1FBF0,
)


def _digit_zeros() -> Sequence[int]:
    """The code point of each digit zero beyond ASCII: the list above for its version of Unicode,
    otherwise found by reading every tenth code point (one in each run of ten digits, whose value
    tells where the run begins)."""
    if unicodedata.unidata_version == _DIGIT_ZEROS_UNICODE:
        return _DIGIT_ZEROS
    every_tenth = "".join(map(chr, range(0x80, sys.maxunicode + 1, 10)))
    return [0x80 + 10 * m.start() - unicodedata.decimal(m.group()) for m in _NON_ASCII_DIGIT.finditer(every_tenth)]


@functools.lru_cache(maxsize=1)
def _ascii_digits() -> dict:
    """A ``str.translate`` table taking each digit beyond ASCII to its ASCII digit (made once: a
    table of the text's own digits took a string a digit)."""
    return {zero + d: 48 + d for zero in _digit_zeros() for d in range(10)}


def _ascii(pattern: str) -> re.Pattern:
    """The pattern with ASCII classes (the Unicode one if it cannot take them: an inline (?u),
    which ``re`` refuses with re.ASCII as a ValueError, not an re.error)."""
    try:
        return re.compile(pattern, re.ASCII)
    except (re.error, ValueError):
        return re.compile(pattern)


def _encoded(items: dict, literal: bool) -> Dict[str, bytes]:
    """What Hyperscan is given for each item (a regex, or a word list as one alternation of
    literals), in Latin-1. A regex's symbols beyond Latin-1 ('•', '–') become '?', as the text's
    characters beyond Latin-1 do (``TriggerSet.find``): it then finds them and everything else
    Hyperscan reads as '?' (more windows, never fewer: ``_symbols_only``). Another regex that is
    not Latin-1, and a word list that is not, are left out (they stay with Python)."""
    encoded = {}
    for name, pat in items.items():
        # (a regex among the words: a string, not a list)
        lit = literal and not isinstance(pat, str)
        if lit and not pat:
            continue
        try:
            # (the words in one order: the same database, and cache file, in every process)
            encoded[name] = b"|".join(re.escape(w).encode("latin-1") for w in sorted(set(pat))) if lit \
                else pat.encode("latin-1")
        except UnicodeEncodeError:
            if lit or not _symbols_only(pat):
                continue
            encoded[name] = _BEYOND_LATIN1.sub(r"\\?", pat).encode("latin-1")
    return encoded


def _symbols_only(pattern: str) -> bool:
    """Whether every character of a regex beyond Latin-1 may be read as '?' by Hyperscan without
    it finding less than Python: a symbol, a punctuation mark or a space (no case, no word
    character: '?' is neither), written as itself (not escaped), not the end of a range, and not
    in a negated class (a negated class of Latin-1 characters takes '?' as it takes them)."""
    if any(_BEYOND_LATIN1.search(c) for c in _negated_classes(pattern)):
        return False
    for m in _BEYOND_LATIN1.finditer(pattern):
        c, at = m.group(), m.start()
        if unicodedata.category(c)[0] not in "PSZ" or c.lower() != c.upper():
            return False
        if pattern[at - 1:at] in ("\\", "-") or pattern[at + 1:at + 2] == "-":
            return False
    return True


def _negated_classes(pattern: str) -> List[str]:
    """The negated classes of a regex, as written ("[^...]")."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
        elif c == "[":
            start, i = i, i + 1
            negated = pattern[i:i + 1] == "^"
            i += negated
            if pattern[i:i + 1] == "]":          # (a ']' first is itself)
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
            if negated:
                out.append(pattern[start:i + 1])
            i += 1
        else:
            i += 1
    return out


def _cache_key(encoded: Dict[str, bytes], base: int) -> str:
    """A digest of everything a database of these expressions depends on: the expressions, their
    names and order (an expression's flags follow from its name's prefix: a long one's are not
    the others'), the first id, the mode, Hyperscan's binding and the CPU architecture (each part
    length-prefixed: no two sets of expressions share it)."""
    parts = [str(_DB_CACHE_REVISION), str(getattr(_hs, "__version__", "?")), platform.machine(), str(base),
             str(_hs.HS_FLAG_SOM_LEFTMOST), str(_hs.HS_MODE_BLOCK)]
    parts += [x for name, expr in encoded.items() for x in (name, expr.decode("latin-1"))]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=True).encode("ascii")).hexdigest()


def _cache_name(encoded: Dict[str, bytes], base: int) -> str:
    return _DB_CACHE_PREFIX + _cache_key(encoded, base)


def _cached(encoded: Dict[str, bytes], base: int = 0):
    """(database, names it takes, in id order) from the cache folder; None when it is not
    there, not whole (its digest), made for other expressions (the key it records), naming
    other triggers than these (each at most once, in their order), or Hyperscan refuses it
    (another version or CPU). A file someone else could write is not read (``cachefiles``)."""
    if _hs is None or not encoded:
        return None
    from dataguard import cachefiles
    key = _cache_key(encoded, base)
    payload = cachefiles.unseal(_DB_MAGIC, key, cachefiles.read(_DB_CACHE_PREFIX + key, _DB_CACHE_MAX))
    if payload is None:
        return None
    header, _, blob = payload.partition(b"\n")
    try:
        taken = json.loads(header)
        asked = list(encoded)
        if not isinstance(taken, list) or not taken or len(set(taken)) != len(taken) \
                or not all(isinstance(n, str) and n in encoded for n in taken) \
                or taken != [n for n in asked if n in set(taken)]:
            return None
        db = _hs.loadb(blob, _hs.HS_MODE_BLOCK)
        db.scratch = _hs.Scratch(db)
    except Exception:  # noqa: BLE001 - malformed header, hyperscan.error (version, platform, damage)
        return None
    return db, taken


def _keep(encoded: Dict[str, bytes], base: int, db, taken: list) -> None:
    """Save a database just built (and the names it takes) in the cache folder."""
    if db is None or not taken:
        return
    from dataguard import cachefiles
    try:
        blob = _hs.dumpb(db)
    except Exception:  # noqa: BLE001 - hyperscan.error
        return
    key = _cache_key(encoded, base)
    data = cachefiles.seal(_DB_MAGIC, key, json.dumps(taken).encode("utf-8", "surrogatepass") + b"\n" + blob)
    if len(data) > _DB_CACHE_MAX:       # (the whole file: a longer one is read cut, and refused)
        return
    if cachefiles.write(_DB_CACHE_PREFIX + key, data):
        cachefiles.keep_newest(_DB_CACHE_PREFIX, _DB_CACHE_KEEP)
    else:
        log.debug("Hyperscan databases not cached")


def _database(encoded: Dict[str, bytes], base: int = 0):
    """A Hyperscan database of the expressions (ids from ``base`` in order, leftmost start of
    match but for a sighting copy's), or None if there are none or Hyperscan refuses one (a
    construct it lacks)."""
    if not encoded:
        return None
    exprs = list(encoded.values())
    db = _hs.Database()
    try:
        db.compile(expressions=exprs, ids=list(range(base, base + len(exprs))), elements=len(exprs),
                   flags=[0 if n.startswith(_SIGHT) else _hs.HS_FLAG_SOM_LEFTMOST for n in encoded])
    except Exception:  # noqa: BLE001 - hyperscan.error: a construct Hyperscan lacks
        return None
    return db


def _latin1(word: str) -> bool:
    try:
        word.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _alternation(words: Sequence[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))

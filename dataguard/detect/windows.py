"""Triggers and windows: each recognizer declares, once, where it is worth running.

A ``Triggered`` wraps a Presidio recognizer with its trigger: literal words (any case),
exact words (as written) or a regex over the text, and the window padding around their
hits. A recognizer without its own trigger runs around the hits of its entity's trigger
regex (``entities.TABLE``). All triggers of a detector are found in one ``TriggerSet``
pass per chunk.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from dataguard.detect.entities import PATTERN_NEEDS, TRIGGERS, WINDOW_EDGE, WINDOW_PAD, need_regex, traits
from dataguard.detect.triggers import TriggerSet, lower_aligned

_EXACT = "/exact"      # trigger name of a recognizer's case-sensitive words and regex
_SPACE = re.compile(r"\s")
log = logging.getLogger("dataguard.detect")


@dataclass(frozen=True)
class Triggered:
    """A recognizer and its trigger. With ``words``/``exact``/``regex``, it runs only if one of
    them occurs (and, with ``pad``, only on windows of +-pad characters around them; without,
    ``pad`` and ``edge`` are those of the windows around its entity's trigger hits, instead of
    the entity's own);
    ``self_windowed`` recognizers get their entity's trigger hits and read them as they need (the
    card recognizer: each hit a run of digit groups; the IBAN recognizer: where an IBAN begins);
    a ``needs_context`` recognizer's results count only with one of its context words near
    (its trigger words are those words, unless it has a trigger of its own)."""
    recognizer: object
    words: tuple = ()                   # literal words, matched in any case
    exact: tuple = ()                   # literal words, matched as written ("STI", not "still")
    regex: Optional[str] = None         # a regex over the text, with its own inline flags (not with exact)
    pad: Optional[int] = None
    self_windowed: bool = False
    needs_context: bool = False
    trigger_regex: Optional[str] = None  # its entity's trigger regex, when not the table's (phone regions)
    # runs only around its entity's trigger hits (a built-in recognizer: the trigger holds each of
    # its matches); False for a pack's recognizer, whose patterns may match without it
    entity_gated: bool = True
    # how far a window may widen to whitespace on each side (None: as far as it takes): a value
    # that has no whitespace and no bound on its length (a JWT after "eyJ", a key's value) is
    # then never cut by a window edge
    edge: Optional[int] = WINDOW_EDGE

    def __post_init__(self):
        if self.exact and self.regex:
            raise ValueError("a trigger has exact words or a regex, not both")

    @property
    def name(self) -> str:
        return self.recognizer.name

    @property
    def entities(self) -> list:
        return self.recognizer.supported_entities

    @property
    def gated(self) -> bool:
        return bool(self.words or self.exact or self.regex)

    @property
    def text_regex(self) -> Optional[str]:
        """The regex over the text: ``regex``, or one for the exact words (None: neither)."""
        if self.regex:
            return self.regex
        # (longest first; in one order in every process: the regex is a key of Hyperscan's cache)
        return "|".join(re.escape(w) for w in sorted(set(self.exact), key=lambda w: (-len(w), w))) or None

    @functools.cached_property
    def context(self) -> frozenset:
        """The recognizer's context words, lower-cased."""
        return frozenset(lower_aligned(w) for w in (self.recognizer.context or []))      # (as the text is read)

    @property
    def entity_trigger(self) -> Optional[str]:
        ents = self.entities
        return ents[0] if self.entity_gated and len(ents) == 1 and ents[0] in TRIGGERS else None


def trigger_set(recs: Sequence[Triggered], use_hyperscan: bool = True,
                hyperscan_after: Optional[int] = None) -> TriggerSet:
    """One pass for every trigger the recognizers need (with Hyperscan once a process has
    scanned ``hyperscan_after`` characters, default ``triggers.HYPERSCAN_AFTER``)."""
    entities = {t.entity_trigger for t in recs} - {None}
    regexes = {e: TRIGGERS[e] for e in sorted(entities)}
    regexes.update({t.entity_trigger: t.trigger_regex for t in recs if t.entity_trigger and t.trigger_regex})
    words = {}
    for t in recs:
        if t.words:
            words[t.name] = [lower_aligned(w) for w in t.words]      # (as the text is: "İ" is "i")
        if t.text_regex:
            regexes[t.name + _EXACT] = t.text_regex
    return TriggerSet(regexes, words, use_hyperscan, hyperscan_after)


def windows(spans: list, text: str, pad: int, edge: Optional[int] = WINDOW_EDGE) -> list:
    """Merged windows of +-pad characters around hit spans (sorted), widened to whitespace
    (at most ``edge`` more characters, None: no limit) so that no window edge cuts a word. (A
    scan has tens of thousands of hits: the window being built is kept in locals, not in a
    tuple rebuilt at each hit reaching it, and its end is widened in line.)"""
    n = len(text)
    out = []
    search = _SPACE.search
    ws = we = 0
    building = False        # whether (ws, we) is a window, open to the hits that reach it
    for hs, he in spans:
        s = hs - pad if hs > pad else 0
        e = he + pad if he + pad < n else n
        if building and s <= we:
            if e <= we:
                continue            # (inside the window)
        else:
            lo = 0 if edge is None else (s - edge if s > edge else 0)
            if building and we > lo:
                lo = we             # (reaching the window before: they merge)
            if s > lo and not text[s - 1].isspace():
                s -= len(text[lo:s].rsplit(None, 1)[-1])        # back to a whitespace, or to lo
        if edge is None:            # the end, on to a whitespace
            m = search(text, e)
            e = n if m is None else m.start()
        else:
            hi = e + edge if e + edge < n else n
            m = search(text, e, hi)
            e = hi if m is None else m.start()
        if building and s <= we:
            if e > we:
                we = e
        else:
            if building:
                out.append((ws, we))
            ws, we, building = s, e, True
    if building:
        out.append((ws, we))
    return out


def _on_windows(rec, text: str, wins: list) -> list:
    if _plain_patterns(type(rec)):
        return patterns_on_windows(rec, text, wins)
    ents = rec.supported_entities
    out = []
    for s, e in wins:
        for r in rec.analyze(text[s:e], ents, None):
            r.start += s
            r.end += s
            out.append(r)
    return out


@functools.lru_cache(maxsize=None)
def _plain_patterns(cls) -> bool:
    """Whether a recognizer class is Presidio's PatternRecognizer with its own ``analyze`` (its
    subclasses change only their patterns, ``validate_result`` and ``invalidate_result``)."""
    from presidio_analyzer import PatternRecognizer
    return issubclass(cls, PatternRecognizer) and cls.analyze is PatternRecognizer.analyze


def patterns_on_windows(rec, text: str, wins: list) -> list:
    """What ``PatternRecognizer.analyze`` gives on each window, from one search per pattern and
    window over the text itself (``pos``/``endpos``: no copy of the window, a look-behind sees
    what stands before it, as on the whole text), without its per-call bookkeeping (timing
    logs, an explanation object per match, which nothing here reads). Its rules: an empty
    match is skipped; a validated match scores 1.0, one failing validation or invalidated 0;
    only scores above 0 are kept; duplicates and contained matches go
    (``remove_duplicates``). A pattern with a need (``entities.PATTERN_NEEDS``) skips the
    windows that do not hold it (``_holding``)."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult
    from presidio_analyzer.pattern_recognizer import REGEX_TIMEOUT_SECONDS
    flags = rec.global_regex_flags
    entity = rec.supported_entities[0]
    meta = {RecognizerResult.RECOGNIZER_NAME_KEY: rec.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: rec.id}
    validate, invalidate = rec.validate_result, rec.invalidate_result
    needs = _needs(rec.name)
    out, held = [], {}
    for pattern in rec.patterns:
        if not pattern.compiled_regex or pattern.compiled_with_flags != flags:
            from dataguard.detect.compiled import regex_compile
            pattern.compiled_with_flags = flags
            pattern.compiled_regex = regex_compile(pattern.regex, int(flags))   # (defaults.PACK_FLAGS)
        finditer, need = pattern.compiled_regex.finditer, needs.get(pattern.name)
        untimed = _untimed_length(pattern.regex, int(flags))
        for s, e in (wins if need is None else _holding(need, text, wins, held)):
            try:
                for m in (finditer(text, s, e) if e - s <= untimed else
                          finditer(text, s, e, timeout=REGEX_TIMEOUT_SECONDS)):
                    start, end = m.span()
                    if start == end:
                        continue
                    value = text[start:end]
                    score = pattern.score
                    valid = validate(value)
                    if valid is not None:
                        score = EntityRecognizer.MAX_SCORE if valid else EntityRecognizer.MIN_SCORE
                    if invalidate(value):
                        score = EntityRecognizer.MIN_SCORE
                    if score > EntityRecognizer.MIN_SCORE:
                        out.append(RecognizerResult(entity, start, end, score, recognition_metadata=dict(meta)))
            except TimeoutError:        # as Presidio does: the pattern is skipped (its name logged, no text)
                log.warning("pattern %r of %s ran past %s s on a window: skipped", pattern.name, rec.name,
                            REGEX_TIMEOUT_SECONDS)
    return EntityRecognizer.remove_duplicates(out) if len(out) > 1 else out     # (a single match stays as it is)


# A window is searched without the regex module's time limit when a bound of its pattern's steps
# there (``risky.backtracking_steps`` at each of its positions) is below this: some 0.1 CPU s
UNTIMED_STEPS = 10_000_000


@functools.lru_cache(maxsize=None)
def _untimed_length(regex: str, flags: int) -> int:
    """The longest window a pattern recognizer's pattern (Presidio's built-in ones, a pack's deny
    list) is searched in without the regex module's time limit, which costs about 2 µs a search,
    more than most searches of a window take (the patterns of NHS numbers, bank accounts, SSNs,
    passports); 0 for a pattern without a bound of its backtracking (an unbounded repeat: the
    e-mail pattern keeps its limit everywhere) or with a bound too large for any window (IPv4's
    and IPv6's alternatives of counted repeats: longer than their windows)."""
    from dataguard.rules.risky import backtracking_steps
    steps = backtracking_steps(regex, flags)
    return 0 if steps is None else UNTIMED_STEPS // max(steps, 1)


@functools.lru_cache(maxsize=None)
def _needs(name: str) -> dict:
    """pattern name -> whether text[s:e] holds what its matches hold (``entities.PATTERN_NEEDS``):
    "::" found as a string, the groups searched only in a window holding as many colons (the
    windows of dotted addresses in logs and JSON hold a few or none)."""
    return {p: _need_search(groups) for p, groups in PATTERN_NEEDS.get(name, {}).items()}


def _need_search(groups: int):
    search = re.compile(need_regex(groups)).search

    def need(text: str, s: int, e: int):
        if text.find("::", s, e) >= 0:
            return True
        return search(text, s, e) if groups and text.count(":", s, e) >= groups else None
    need.groups = groups
    return need


def _holding(need, text: str, wins: list, held: dict) -> list:
    """The windows of ``wins`` that hold ``need``, kept in ``held`` by its number of groups for
    the recognizer's other patterns: a need of more groups is looked for only in the windows
    holding one of fewer (seven hex groups before colons hold six, "::" holds either; "::" alone,
    0, is looked for in every window)."""
    groups = need.groups
    if groups not in held:
        fewer = [g for g in held if 0 < g < groups]
        held[groups] = [(s, e) for s, e in (held[max(fewer)] if fewer else wins) if need(text, s, e) is not None]
    return held[groups]


def run_windowed(t: Triggered, text: str, hits: dict, ungated: bool = False) -> list:
    """Run a recognizer where its triggers (``TriggerSet`` hits of the chunk) say it can match;
    on the whole text when the text is short, or when ``ungated`` (its context words are in the
    chunk's column name or header, not in the text)."""
    rec, ents = t.recognizer, t.entities
    if ungated:
        return rec.analyze(text, ents, None)
    if t.gated:
        spans = hits.get(t.name, []) + hits.get(t.name + _EXACT, [])
        if not spans:
            return []
        spans.sort()
        if t.pad is not None and len(text) >= 4 * t.pad:
            return _on_windows(rec, text, windows(spans, text, t.pad, t.edge))
    if t.self_windowed:
        return rec.analyze(text, ents, None, hits=hits.get(ents[0], []))
    trig = t.entity_trigger
    if trig is None:
        return rec.analyze(text, ents, None)
    spans = hits.get(trig)
    if not spans:
        return []           # (its trigger is in each of its matches: a short text too, a file's name, needs it)
    if len(text) < 4 * WINDOW_PAD:
        return rec.analyze(text, ents, None)
    pad, edge = (traits(trig).pad, traits(trig).edge) if t.pad is None else (t.pad, t.edge)
    return _on_windows(rec, text, windows(spans, text, pad, edge))


class RunPlan:
    """Which recognizers ``run_windowed`` may run on a chunk, read off its trigger hits: a
    recognizer with trigger words or a regex of its own needs a hit of one of them, one run
    around its entity's trigger needs that trigger's hit, the others run on every chunk; one
    that needs context runs on the whole text when its words are in the chunk's column name or
    header (``headed``). The engine asks for every chunk, and most chunks (a file's name, a
    short file) hold the triggers of a few recognizers of dozens: one call for each was most of
    the detection of a small file."""

    def __init__(self, recs: Sequence[Triggered]):
        self.recs = list(recs)
        self.always: list = []          # indices of the recognizers that may run on any chunk
        self.by_name: dict = {}         # trigger name -> indices of the recognizers its hit lets run
        self.needing_context = [i for i, t in enumerate(self.recs) if t.needs_context]
        for i, t in enumerate(self.recs):
            names = self._needed(t)
            if names is None:
                self.always.append(i)
            for n in names or ():
                self.by_name.setdefault(n, []).append(i)

    @staticmethod
    def _needed(t: Triggered) -> Optional[tuple]:
        """The trigger names one of which must have a hit for ``run_windowed`` to run ``t`` on a
        chunk not ``headed`` (None: it may run on any)."""
        if t.gated:
            return (t.name, t.name + _EXACT)
        if t.self_windowed or t.entity_trigger is None:
            return None
        return (t.entity_trigger,)

    def runnable(self, hits: dict, headed: bool) -> list:
        """The recognizers that may find something in a chunk with these trigger hits, in order."""
        chosen = set(self.always)
        by_name = self.by_name
        for name, spans in hits.items():
            if spans and name in by_name:
                chosen.update(by_name[name])
        if headed:
            chosen.update(self.needing_context)
        recs = self.recs
        return [recs[i] for i in sorted(chosen)]

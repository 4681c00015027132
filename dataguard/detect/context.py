"""Context-word boosting: Presidio's lemma context rule, on raw words."""
from __future__ import annotations

import functools
import re
import unicodedata

from dataguard.detect.triggers import lower_aligned

_WORD = re.compile(r"[\w'-]+")        # words, and keys: nhs_number, NHS-No
_LOOK_BACK = 80
# between a context phrase and a value, what makes it another's: a number, or a sentence's end (a
# word of five letters or more, then '.', '!' or '?' and a space: "Prof. ", "no. " are abbreviations;
# a Chinese or Japanese full stop)
_OTHER_VALUE = re.compile(r"\d|[^\W\d_]{5}[.!?]\s|[。！？]")


# ---------------------------------------------------------------- names
# Arabic spellings that vary from writer to writer: alef maqsura written for yaa, taa marbuta
# for haa, tatweel (a stretching stroke); hamza and vowel marks go with the accents (NFKD)
_ARABIC_FOLD = str.maketrans({"\u0649": "\u064a", "\u0629": "\u0647", "\u0640": None})


@functools.lru_cache(maxsize=8192)
def name_words(name: str, split_case: bool = True) -> tuple:
    """``"dateOfBirth"``, ``"Date of birth"``, ``"date_de_naissance"``, ``"Téléphone2"``,
    ``"رقم_الهاتف"`` -> lower-case words (letters of any script) without accents, split on
    case changes (unless ``split_case`` is false: ``"WhatsApp"`` is one word; not before a
    capital ending a word: ``"HoH_NM"`` is "hoh nm", head of household's name), digits and
    punctuation; Arabic spelling variants folded (``_ARABIC_FOLD``). (Cached: a file's keys and
    columns are named again in each of its chunks.)"""
    s = "".join(c for c in unicodedata.normalize("NFKD", name[:200]) if not unicodedata.combining(c))
    s = s.translate(_ARABIC_FOLD)
    if split_case:
        s = _CASE_CHANGE.sub(r"\1 \2", s)
        s = _ACRONYM_END.sub(r"\1 \2", s)
    s = _DIGITS_AND_LETTERS.sub(r"\1\3 \2\4", s)
    return tuple(w for w in _NOT_A_WORD.split(s.lower()) if w)


_CASE_CHANGE = re.compile(r"([a-z])([A-Z])(?![\W_]|$)")      # not before a word's last capital: "HoH", "PoC"
_ACRONYM_END = re.compile(r"([A-Z]+)([A-Z][a-z])")
_DIGITS_AND_LETTERS = re.compile(r"([A-Za-z])(\d)|(\d)([A-Za-z])")
_NOT_A_WORD = re.compile(r"[\W_]+")


def with_context(words: frozenset, r, text: str, ext_context: list, own: bool = False) -> float:
    """The score of result ``r`` given the recognizer's context ``words``: a context word among
    the five words before the match (or in the chunk's external context: column names, CSV
    header) raises the score by 0.35, to at least 0.4; a context word among the three words
    right before the value is a label ("Passport no. C03005988", "tel. 020 7946 0321"): to
    at least 0.5, the default threshold of the rules. ``own``: see ``context_found``."""
    if not words or r.score >= 1.0:
        return r.score
    found = context_found(words, r, text, ext_context, own=own)
    if found == _LABEL:
        return min(1.0, max(r.score + 0.35, 0.5))
    if found:
        return min(1.0, max(r.score + 0.35, 0.4))
    return r.score


_NEAR, _LABEL = 1, 2
_PARTS = re.compile(r"[_'-]+|(?<=[a-z])(?=[A-Z])")


@functools.lru_cache(maxsize=8192)
def _forms(word: str) -> tuple:
    """A word and, for a key (``nhs_number``, ``NHS-No``, ``nhsNumber``) or an elision
    (``d'identité``, ``l'IBAN``), its parts, lower case. (Cached: the words before values
    repeat, "tel", "phone", a column's key.)"""
    low = lower_aligned(word)
    if "_" not in word and "-" not in word and "'" not in word and (word == low or word.isupper() or word.istitle()):
        return (low,)
    return (low, *(lower_aligned(p) for p in _PARTS.split(word) if p))


def context_found(words: frozenset, r, text: str, ext_context: list, since: int = 0, own: bool = False) -> int:
    """0: no context word for result ``r``; ``_NEAR``: one among the five words before it or in the
    external context; ``_LABEL``: one among the three words right before it, or a phrase of several
    words in the look-back before it with no other value nor line end between (near: a line
    end between).
    ``since``: the text before it is read from there on (a table's header rows left out).
    ``own`` (a recognizer whose matches are its entity only with a context word: a date is a date
    of birth only after its label): a single word counts only with no other value between it
    and the match, as a phrase (the label of "DOB: 1990-03-15\nJoined: 2024-03-15" is not the
    second date's; a phone's "tel" stays the label of every number of "Tel: 0612345678 / 0698765432")."""
    if not words:
        return 0
    lo = max(since, r.start - _LOOK_BACK)
    probe = _probe(words)
    if probe is not None and next(probe(_folded_sigma(lower_aligned(text[lo:r.start]))), None) is None:
        return _NEAR if in_external(words, ext_context) else 0      # (no word's start in the look-back)
    last = list(_WORD.finditer(text, lo, r.start))[-5:]
    before = [_forms(m.group()) for m in last]
    if own:         # (the words after another value are left out)
        before = [forms for m, forms in zip(last, before) if not _OTHER_VALUE.search(text, m.end(), r.start)]
    if any(f in words for forms in before[-3:] for f in forms):
        return _LABEL
    if any(f in words for forms in before for f in forms) or in_external(words, ext_context):
        return _NEAR
    # multi-word context phrases ("social security", "passport number"), as whole words: as
    # telling as a label anywhere in the look-back when neither another number, a sentence's
    # end nor a line's end stands between ("the social security no. of Prof. Fatima Haddad
    # El-Amin is 528646352"); near with a line's end between (a form's label on the line above
    # its value, "Date of birth\n12/03/1984"); not at all with another number or a sentence's
    # end (not the badge of "Social Security Number: 796 44 2044; employee badge 709898936" nor
    # of "Social security number: not provided. Employee badge 709898936")
    tail = _SPACING.sub(" ", lower_aligned(text[lo:r.start]))      # (a key's words: "staff_number", "staff-number")
    found = 0
    for w, whole in _phrases(words):
        at = tail.rfind(w)
        while at != -1 and whole(tail, at) is None:      # (not "staff no" of "staff notes")
            at = tail.rfind(w, 0, at + len(w) - 1)
        if at != -1 and not _OTHER_VALUE.search(tail, at + len(w)):
            if "\n" not in tail[at + len(w):]:
                return _LABEL
            found = _NEAR
    return found


@functools.lru_cache(maxsize=1024)
def _probe(words: frozenset):
    """A quick necessary test (most values have no context word before them: a table's cells,
    a log's numbers): the ``iter`` of an automaton of each context word's first piece (a word,
    a phrase's first word); a look-back holding none has no context word, neither as a word,
    nor as a key's part, nor as a phrase. (Lower case here as in ``_forms``, final sigma folded:
    the one letter whose lower case depends on what follows.) None: a word without a piece."""
    import ahocorasick
    pieces = {_folded_sigma(next((p for p in _SPACING.split(w) if p), "")) for w in words}
    if "" in pieces:
        return None
    automaton = ahocorasick.Automaton()
    for p in pieces:
        automaton.add_word(p, p)
    automaton.make_automaton()
    return automaton.iter


def _folded_sigma(s: str) -> str:
    return s.replace("\u03c2", "\u03c3") if "\u03c2" in s else s


@functools.lru_cache(maxsize=1024)
def _phrases(words: frozenset) -> tuple:
    """The context words of more than one word, or with a sign a word does not hold ("n°",
    "tel."), each with a test of a place in a text where it stands as whole words (the
    ``match`` of a regex there)."""
    phrases = {_SPACING.sub(" ", w) for w in words if " " in w or not _WORD.fullmatch(w) or _CJK.search(w)}
    # (Chinese and Japanese write no space between words: a word of theirs stands anywhere, "出生于"
    # of "张伟出生于1985年3月14日")
    return tuple((w, re.compile(re.escape(w) if _CJK.search(w) else rf"(?<!\w){re.escape(w)}(?!\w)").match)
                 for w in sorted(phrases))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_SPACING = re.compile(r"[ \t_-]+")      # between a phrase's words: spaces, tabs, a key's underscores or hyphens


def near_words(words) -> tuple:
    """The trigger words of a recognizer that runs only near its context words: those words, and
    each phrase also as a key writes it ("staff_number", "staff-number": ``_SPACING`` reads them so)."""
    out = dict.fromkeys(words)
    for w in words:
        if " " in w.strip():
            out.update(dict.fromkeys(("_".join(w.split()), "-".join(w.split()))))
    return tuple(out)


def in_external(words: frozenset, ext_context: list) -> bool:
    """Is one of the context ``words`` in the chunk's external context (column name words, CSV
    header)? As whole words ("at" of ``registered_at`` is not in "date of birth"), or inside
    one name when the word is long enough to mean it ("phone" in ``phonenumber``). (Asked for
    every result of a chunk, with the same header: cached.)"""
    return bool(ext_context) and _in_external(words, tuple(ext_context))


@functools.lru_cache(maxsize=4096)
def _in_external(words: frozenset, ext_context: tuple) -> bool:
    """(Also as words without accents, as column names are read: "sécurité sociale" is in
    ``numero_securite_sociale``, "date of birth" in ``date_of_birth``.)"""
    names = [" ".join(name_words(c)) for c in ext_context]
    joined = " " + " ".join(ext_context) + " " + " ".join(names) + " "
    return any(f" {w} " in joined or (len(w) >= 4 and any(w in c for c in (*ext_context, *names)))
               for w in _word_forms(words))


@functools.lru_cache(maxsize=1024)
def _word_forms(words: frozenset) -> frozenset:
    """Context words as written and as words without accents (a new header costs no folding)."""
    return frozenset(w for word in words for w in (word, " ".join(name_words(word))) if w)

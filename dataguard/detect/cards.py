"""Payment card numbers: every current brand range and length, with the Luhn check.

One compiled pattern finds runs of at least 12 digits in groups (``4111 1111 1111 1111``,
``3782-822463-10005``, ``5018123456789``); a run is a card number when its leading digits
fall in a brand's range for its length and its last digit is the Luhn digit. A run that is
not (a card number followed by a year, a reference in front of it) is tried again without
its first or last groups. Verdicts are cached per digit string. The runs are the
recognizer's trigger (``entities.TABLE``), found with the others in one pass: the recognizer
reads each hit as a run.
"""
from __future__ import annotations

import functools
import re
from typing import List, Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult

from dataguard.detect.windows import Triggered

# (brand, lowest and highest leading digits (same number of digits), card lengths); sources: the
# card networks' published IIN ranges (ISO/IEC 7812), as listed by the networks in 2024-2026
_ANY = tuple(range(16, 20))
CARD_RANGES = (
    ("Visa", "4", "4", (13, 16, 19)),
    ("Mastercard", "51", "55", (16,)),
    ("Mastercard", "2221", "2720", (16,)),
    ("American Express", "34", "34", (15,)),
    ("American Express", "37", "37", (15,)),
    ("Discover", "6011", "6011", _ANY),
    ("Discover", "644", "649", _ANY),
    ("Discover", "65", "65", _ANY),
    ("Diners Club", "300", "305", tuple(range(14, 20))),
    ("Diners Club", "3095", "3095", tuple(range(14, 20))),
    ("Diners Club", "36", "36", tuple(range(14, 20))),
    ("Diners Club", "38", "39", tuple(range(14, 20))),
    ("JCB", "3528", "3589", _ANY),
    ("Maestro", "5018", "5018", tuple(range(12, 20))),
    ("Maestro", "5020", "5020", tuple(range(12, 20))),
    ("Maestro", "5038", "5038", tuple(range(12, 20))),
    ("Maestro", "5893", "5893", tuple(range(12, 20))),
    ("Maestro", "6304", "6304", tuple(range(12, 20))),
    ("Maestro", "6759", "6759", tuple(range(12, 20))),
    ("Maestro", "6761", "6763", tuple(range(12, 20))),
    ("Maestro", "56", "58", tuple(range(12, 20))),
    ("UnionPay", "62", "62", _ANY),
    ("UnionPay", "81", "81", _ANY),
    ("Mir", "2200", "2204", _ANY),
    ("RuPay", "60", "60", (16,)),
    ("RuPay", "508", "508", (16,)),
    ("RuPay", "353", "353", (16,)),
    ("RuPay", "356", "356", (16,)),
    ("RuPay", "82", "82", (16,)),
    ("Verve", "506099", "506198", (16, 18, 19)),
    ("Verve", "507865", "507964", (16, 18, 19)),
    ("Verve", "650002", "650027", (16, 18, 19)),
    ("InterPayment", "636", "636", _ANY),
    ("InstaPayment", "637", "639", (16,)),
    ("Troy", "9792", "9792", (16,)),
)
CARD_CONTEXT = ["credit", "card", "visa", "mastercard", "cc", "amex", "discover", "jcb", "diners", "maestro",
                "unionpay", "carte", "cb", "tarjeta", "payment", "debit"]
# a whole run of digit groups (single spaces or dashes between them) holding at least 12 digits
# (led by a digit, so that the search skips to the next digit at C speed)
CARD_RUN = re.compile(r"\d(?<!\d\d)(?:[ -]?\d){11,}")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i & 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _ranges_by_lead() -> dict:
    """(first digit, length) -> the ranges of CARD_RANGES that hold such numbers, in order."""
    out: dict = {}
    for brand, lo, hi, lengths in CARD_RANGES:
        for first in range(int(lo[0]), int(hi[0]) + 1):
            for n in lengths:
                out.setdefault((str(first), n), []).append((brand, lo, hi))
    return out


_BY_LEAD = _ranges_by_lead()
_LEADS = frozenset(first for first, _ in _BY_LEAD)      # the digits a card number may open with


@functools.lru_cache(maxsize=65536)
def card_brand(digits: str) -> Optional[str]:
    """The brand of a card number (digits only) in range and length with a right Luhn digit, else None."""
    for brand, lo, hi in _BY_LEAD.get((digits[:1], len(digits)), ()):
        if lo <= digits[:len(lo)] <= hi:
            return brand if luhn_ok(digits) else None
    return None


def card_spans(text: str, start: int = 0, end: Optional[int] = None) -> List[tuple]:
    """(start, end) of every card number in text[start:end]."""
    return cards_in_runs(text, [m.span() for m in CARD_RUN.finditer(text, start, len(text) if end is None else end)])


def cards_in_runs(text: str, runs: list) -> List[tuple]:
    """(start, end) of every card number in the runs (``CARD_RUN``'s matches); a run of groups
    that is no card number is tried without groups at either end (the longest valid piece first)."""
    out = []
    for s, e in runs:
        run = text[s:e]
        if " " not in run and "-" not in run:       # one group: the card number is the whole run or none
            if card_brand(run):
                out.append((s, e))
            continue
        groups = _groups(s, run)
        sizes = tuple(b - a for a, b in groups)
        if sizes in CARD_LAYOUTS:     # written as one card number: that or none
            if card_brand(run.replace(" ", "").replace("-", "")):
                out.append((s, e))
            continue
        if len(groups) >= 5 and set(sizes[:-1]) == {4} and sum(sizes) > 19:
            # one number in fours, longer than any card ("9432 8455 5629 6396 7192 93", a parcel's
            # tracking number): a card number opens it or none is in it (a card and its CVV)
            first = _best_piece_at(text, groups, 0)
            if first is not None:
                out.append(first[:2])
            continue
        out.extend(_best_pieces(text, groups))
    return out


def _groups(s: int, run: str) -> list:
    """(start, end) of each group of digits of a run starting at ``s`` (one space or dash between
    two groups, as ``CARD_RUN`` takes them): read with ``str.split``, no match object a group."""
    out, at = [], s
    for piece in run.replace("-", " ").split(" "):
        out.append((at, at + len(piece)))
        at += len(piece) + 1
    return out


# how card numbers are written in groups (16 digits in fours, American Express's 4-6-5, Diners'
# 4-6-4; not 4-4-4-4-3, a card and its CVV as often as 19 digits): a run so written is one number, valid or not, never a
# shorter card number inside a longer one that fails its check ("5125 5846 3716 7472")
CARD_LAYOUTS = frozenset({(4, 4, 4, 4), (4, 6, 5), (4, 6, 4)})


def _best_pieces(text: str, groups: list) -> list:
    """Valid card numbers made of whole consecutive groups, left to right, longest first
    (at most 19 digits: a few tries per group, however long the run)."""
    out, i, last = [], 0, _openings(groups)
    while i < last:
        found = _best_piece_at(text, groups, i)
        if found:
            out.append(found[:2])
            i = found[2]
        else:
            i += 1
    return out


def _openings(groups: list) -> int:
    """How many of the groups a piece may open at: those with 12 digits or more (the shortest
    card's) from them to the run's end (a phone number's "0712 345 678" at its first group only)."""
    left = 0
    for k in range(len(groups) - 1, -1, -1):
        left += groups[k][1] - groups[k][0]
        if left >= 12:
            return k + 1
    return 0


def _best_piece_at(text: str, groups: list, i: int):
    """(start, end, the group after it) of the longest valid card number of whole groups
    opening at group ``i`` (at most 19 digits), None: none. A number of two groups or more opens
    with four digits or more, as every way of writing a card number does (4-4-4-4, 4-6-5, 4-6-4,
    4-3-3-3, 8-8): "301 301 219 12785", a log line's status codes and sizes, is none."""
    a = groups[i][0]
    first = text[a]
    if first not in _LEADS or groups[i][1] - a < 4:
        # (no card number opens with it: "0722 ...", "1999 ...", "7946 ..."; a group of fewer than
        # four digits opens no number of two groups or more, and alone is shorter than any)
        return None
    j, n = i, 0
    while j < len(groups) and n + groups[j][1] - groups[j][0] <= 19:
        n += groups[j][1] - groups[j][0]
        j += 1
    # (``n``: the piece's digits, its groups' sizes, one sign between two groups; a piece whose
    # first digit and length no card range has is passed over without its digits read)
    while j > i:
        if n < 12:
            return None
        b = groups[j - 1][1]
        if (first, n) in _BY_LEAD and card_brand(text[a:b].replace(" ", "").replace("-", "")):
            return a, b, j
        n -= b - groups[j - 1][0]
        j -= 1
    return None


class CardRecognizer(EntityRecognizer):
    """CREDIT_CARD: card numbers of every brand range and length with a right Luhn digit (score 1.0)."""

    READS_HITS = True       # its trigger's hits are runs it reads itself (``windows.Triggered.self_windowed``)

    def __init__(self, language: str = "en"):
        super().__init__(supported_entities=["CREDIT_CARD"], name="dataguard-card", supported_language=language,
                         context=CARD_CONTEXT)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities, nlp_artifacts=None, hits: Optional[list] = None) -> list:
        """The card numbers of the text, or of the runs ``hits`` (its trigger's hits: ``CARD_RUN``'s matches)."""
        meta = {RecognizerResult.RECOGNIZER_NAME_KEY: self.name, RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id}
        return [RecognizerResult("CREDIT_CARD", s, e, 1.0, recognition_metadata=dict(meta))
                for s, e in (card_spans(text) if hits is None else cards_in_runs(text, hits))]


def card_recognizer(language: str) -> Triggered:
    rec = CardRecognizer(language)
    return Triggered(rec, self_windowed=rec.READS_HITS)

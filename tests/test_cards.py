"""Payment card numbers: every brand range and length (a test per range), Luhn, groupings,
decoys; and the card pass against a brute-force reference on generated text."""
from __future__ import annotations

import random

import pytest

from dataguard.detect import Detector
from dataguard.detect.cards import CARD_RANGES, card_brand, card_spans, luhn_ok
from dataguard.types import Chunk, Unit

UNIT = Unit(target="/t", uri="/t/f.txt", path="f.txt")


def luhn_complete(body: str) -> str:
    """body + the digit that makes the Luhn sum right."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def numbers_of(lo: str, hi: str, length: int, rnd: random.Random) -> list:
    """Card numbers at both ends and in the middle of a range, of one length."""
    out = []
    for prefix in {lo, hi, str(rnd.randint(int(lo), int(hi))).zfill(len(lo))}:
        body = prefix + "".join(rnd.choice("0123456789") for _ in range(length - len(prefix) - 1))
        out.append(luhn_complete(body))
    return out


def grouped(digits: str, sep: str = " ") -> str:
    if len(digits) == 15:
        return sep.join((digits[:4], digits[4:10], digits[10:]))       # Amex style 4-6-5
    if len(digits) == 14:
        return sep.join((digits[:4], digits[4:10], digits[10:]))       # Diners style 4-6-4
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))


@pytest.fixture(scope="module")
def cards():
    return Detector(entities={"CREDIT_CARD"}, ner=False)


def found(det, text):
    [(_, matches)] = list(det.analyze([Chunk(unit=UNIT, text=text)]))
    return [(m.start, m.end) for m in matches if m.entity_type == "CREDIT_CARD"]


@pytest.mark.parametrize("brand,lo,hi,lengths", CARD_RANGES, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in CARD_RANGES])
def test_every_range_and_length(cards, brand, lo, hi, lengths):
    rnd = random.Random(lo + hi)
    for n in lengths:
        for digits in numbers_of(lo, hi, n, rnd):
            assert card_brand(digits) is not None, (brand, digits)
            for value in (digits, grouped(digits), grouped(digits, "-")):
                text = f"Paid with card {value} on 12 May."
                start = text.index(value)
                assert found(cards, text) == [(start, start + len(value))], (brand, value)
            bad = digits[:-1] + str((int(digits[-1]) + 3) % 10)
            assert card_brand(bad) is None
            if not _has_valid_piece(grouped(bad)):    # (its first 16 of 18 digits may be a number)
                assert found(cards, f"Paid with card {grouped(bad)} on 12 May.") == []


@pytest.mark.parametrize("digits", [
    luhn_complete("222099999999999"),    # just below Mastercard's 2-series
    luhn_complete("272100000000000"),    # just above it
    luhn_complete("56000000000"),        # a 12-digit Maestro
])
def test_edges_of_ranges(digits):
    if digits.startswith("56"):
        assert card_brand(digits) == "Maestro"
    else:
        assert card_brand(digits) is None


def test_sixteen_digit_visa_and_twelve_digit_maestro_and_fourteen_digit_diners(cards):
    text = "Visa 4111 1111 1111 1111, Maestro 5018 0000 0009, Diners 3056 930902 5904; Mastercard 2223 0000 4841 0010."
    values = ["4111 1111 1111 1111", "5018 0000 0009", "3056 930902 5904", "2223 0000 4841 0010"]
    assert luhn_ok("501800000009")
    assert found(cards, text) == [(text.index(v), text.index(v) + len(v)) for v in values]


@pytest.mark.parametrize("text", [
    "Order 4111 1111 1111 1112 was refused.",            # Luhn wrong
    "Tracking 1Z999AA10123456784 and 7123 4567 8901 2349.",   # no brand starts with 7
    "Id 4111111111111111111111 is a long number.",       # 22 digits: no card
    "UUID 4111-1111-1111-1111-111111111111",            # part of a longer token
    "Version 4.1.1.1 build 1111",
])
def test_decoys(cards, text):
    assert found(cards, text) == []


def test_card_followed_by_a_year_or_preceded_by_a_reference(cards):
    text = "card 4111 1111 1111 1111 2026 expires; ref 12 5500 0055 5555 5559"
    assert found(cards, text) == [(5, 24), (text.index("5500"), len(text))]


def _has_valid_piece(value: str) -> bool:
    groups = value.replace("-", " ").split()
    return any(card_brand("".join(groups[i:j])) for i in range(len(groups)) for j in range(i + 1, len(groups) + 1))


def test_card_pass_finds_exactly_the_valid_numbers_in_generated_text():
    rnd = random.Random(5)
    text, want = "", set()
    for _ in range(3000):
        brand, lo, hi, lengths = rnd.choice(CARD_RANGES)
        digits = rnd.choice(numbers_of(lo, hi, rnd.choice(lengths), rnd))
        valid = rnd.random() < 0.7
        if not valid:
            digits = digits[:-1] + str((int(digits[-1]) + 1) % 10)
        value = rnd.choice([digits, grouped(digits), grouped(digits, "-")])
        if not valid and _has_valid_piece(value):
            continue          # a wrong number holding a right one (its first 16 of 17 digits): not a decoy
        if valid:
            want.add((len(text), len(text) + len(value)))
        text += value + rnd.choice([", ", "\n", " / ", "; ", " (tel 020 7946 0958) "])
    assert set(card_spans(text)) == want
    assert len(want) > 1500


@pytest.mark.parametrize("digits", [
    luhn_complete("4" * 14),             # a 15-digit Visa: Visa has 13, 16 and 19
    luhn_complete("51" + "0" * 14),      # a 17-digit Mastercard
    luhn_complete("34" + "0" * 13),      # a 16-digit American Express
    luhn_complete("5018" + "0" * 6),     # an 11-digit Maestro: too short for any card
    luhn_complete("6011" + "0" * 15),    # a 20-digit Discover: too long for any card
    luhn_complete("1" + "0" * 14),       # a 16-digit number of no brand range
])
def test_numbers_of_a_length_their_brand_does_not_issue_are_no_card(digits):
    assert luhn_ok(digits)
    assert card_brand(digits) is None


def test_a_number_written_as_one_card_number_gives_no_shorter_one_inside():
    """"5125 5846 3716 7472" fails its check; its last twelve digits pass one by chance (a
    Maestro length): written in fours, it is one number, no card. Digits inside an IBAN (its
    check digits wrong) are none either, Portugal's 21-digit account by the IBAN registry too."""
    cards = Detector(entities={"CREDIT_CARD", "IBAN_CODE"}, ner=False)
    assert card_brand("584637167472") and not card_brand("5125584637167472")
    text = "ref 5125 5846 3716 7472; old account PT54 3944 5661 9218 7043 4837 7; card 4111 1111 1111 1111."
    [(_, matches)] = list(cards.analyze([Chunk(unit=UNIT, text=text)]))
    assert [(m.entity_type, text[m.start:m.end]) for m in matches] == [("CREDIT_CARD", "4111 1111 1111 1111")]


def test_a_card_followed_by_its_three_digit_code_is_found():
    """"4111 1111 1111 1111 123": a card and its CVV (or a currency code), not a 19-digit number."""
    text = "card 4111 1111 1111 1111 123 exp 12/27"
    assert card_spans(text) == [(5, 24)]


def test_a_longer_number_in_fours_holds_a_card_only_at_its_start():
    """A parcel's tracking number written in fours ("9432 8455 5629 6396 7192 93", 22 digits)
    is one number: pieces of it that pass a card's check by chance are none; a card followed by
    another group of four (a year) is still found."""
    text = ("label 9432 8455 5629 6396 7192 93 printed; label 9409 5739 1738 5875 4125 98 printed; "
            "tracking number 9447 4825 6273 3866 7095 41.")
    assert card_brand("56296396719293") and card_brand("573917385875412598")      # pieces that pass
    assert card_spans(text) == []
    text = "card 4111 1111 1111 1111 2026 expires"
    assert card_spans(text) == [(5, 24)]


@pytest.mark.parametrize("hyperscan", [False, True])
def test_the_card_trigger_finds_the_runs_the_card_pattern_finds(hyperscan, monkeypatch):
    """The card recognizer reads its trigger's hits as runs: on text full of digit groups, with
    single and double separators, long runs, letters and digits beyond ASCII, the trigger's hits
    (Python's regexes or Hyperscan) are ``CARD_RUN``'s matches, and the recognizer run on them
    gives what it gives on the whole text."""
    from dataguard.detect import triggers
    from dataguard.detect.cards import CARD_RUN, CardRecognizer
    from dataguard.detect.entities import TRIGGERS
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    if hyperscan and triggers._hs is None:
        pytest.skip("hyperscan wheel not installed on this platform")
    rnd = random.Random(4)
    pieces = ["4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "12", "  ", " ", "-", "--", "x", "\u0664",
              "\n", "2024", "6011000990139424", "1234 5678 9012 3456 7890 12"]
    text = "".join(rnd.choice(pieces + [str(rnd.randint(0, 10 ** rnd.randint(1, 20)))]) for _ in range(20000))
    ts = triggers.TriggerSet({"CREDIT_CARD": TRIGGERS["CREDIT_CARD"]}, {}, use_hyperscan=hyperscan, hyperscan_after=0)
    assert ts.accelerated == hyperscan
    for part in (text, text.replace("\u0664", "")):       # (digits beyond ASCII: Python's regexes read them)
        hits = ts.find(part).get("CREDIT_CARD", [])
        assert hits == [m.span() for m in CARD_RUN.finditer(part)] and len(hits) > 100
        rec = CardRecognizer()
        assert [(r.start, r.end) for r in rec.analyze(part, ["CREDIT_CARD"], hits=hits)] == \
            [(r.start, r.end) for r in rec.analyze(part, ["CREDIT_CARD"])]


def test_numbers_in_groups_a_card_is_never_written_in_are_no_card():
    """A load balancer's log line ("0.000 301 301 219 12785", status codes and sizes) joins groups
    that pass a Diners check by chance; a card number written in groups opens with four digits or
    more (4-4-4-4, 4-6-5, 4-6-4, Visa's old 4-3-3-3, 8-8): those are found, in the same text."""
    assert card_brand("30130121912785") and card_brand("4044041851761")
    text = ("0.008 0.049 0.000 301 301 219 12785 \"DELETE https://api.example.be\"\n"
            "0.003 0.024 0.000 404 404 185 1761 \"GET /\"\n"
            "paid with 3056 930902 5904, 3782 822463 10005 and 4222 222 222 222\n"
            "card 41111111 11111111, card 411111 1111111111\n")
    want = ["3056 930902 5904", "3782 822463 10005", "4222 222 222 222", "41111111 11111111", "411111 1111111111"]
    assert card_spans(text) == [(text.index(v), text.index(v) + len(v)) for v in want]


def test_a_runs_groups_and_the_groups_a_card_may_open_at_are_read_as_the_full_search_reads_them():
    """The groups of a run read with ``str.split`` are the runs of digits a regex finds (digits of
    other scripts too), and no card number opens at a group past ``_openings`` (fewer than twelve
    digits from it to the run's end): the longest-piece search tried at every group finds none there."""
    import re

    from dataguard.detect.cards import CARD_RUN, _best_piece_at, _groups, _openings
    rnd = random.Random(11)
    checked = 0
    for _ in range(3000):
        digits = "0123456789" if rnd.random() < 0.9 else "0123456789٠١٢٣٤٥٦٧٨٩"
        run = rnd.choice(" -").join("".join(rnd.choice(digits) for _ in range(rnd.choice([1, 2, 3, 4, 4, 4, 5, 6, 8])))
                                    for _ in range(rnd.randint(2, 9)))
        if CARD_RUN.fullmatch(run) is None:
            continue
        text = "ref " + run + " end"
        groups = _groups(4, run)
        assert groups == [(4 + m.start(), 4 + m.end()) for m in re.finditer(r"\d+", run)]
        assert all(_best_piece_at(text, groups, i) is None for i in range(_openings(groups), len(groups)))
        assert _openings(groups) == 0 or sum(b - a for a, b in groups[_openings(groups) - 1:]) >= 12
        checked += 1
    assert checked > 1000

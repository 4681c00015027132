"""Fast paths against their reference paths, on generated text.

* phone numbers: dataguard's phone recognizer (a candidate pass, the gate, libphonenumber only
  on what survives) finds exactly what Presidio's PhoneRecognizer finds, which runs
  libphonenumber's PhoneNumberMatcher unrestricted over the whole text for each region;
* dataguard's IBAN recognizer finds what Presidio's IbanRecognizer finds, with its score and
  context words (it is written again so that a scan without NER does not import spaCy);
* the trigger pass never loses a match of the recognizers it gates;
* NER on regions around name candidates finds the persons the model finds in the whole text.
"""
from __future__ import annotations

import random
import re
import sys

import phonenumbers
import pytest

from phonenumbers import PhoneNumberFormat, PhoneNumberType

REGIONS = ("US", "GB", "FR", "CH", "KE")
MANY = ["US", "GB", "FR", "DE", "CH", "KE", "UG", "SS", "ET", "NG", "ZA", "IN", "PK", "JO", "LB", "TR", "IT", "ES",
        "BR", "MX", "AU", "CA", "PH", "SO", "CD", "AR", "CN", "JP", "RU", "EG"]


def phone_number(rnd: random.Random) -> str:
    """A number of one of many regions (valid or not), in one of the ways people write them."""
    region = rnd.choice(MANY)
    kind = rnd.choice([PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE])
    ex = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    nsn = str(ex.national_number)
    keep = max(1, len(nsn) - rnd.randint(2, 7))
    nsn = nsn[:keep] + "".join(rnd.choice("0123456789") for _ in range(len(nsn) - keep + rnd.choice([0, 0, 0, -1, 1])))
    num = phonenumbers.PhoneNumber(country_code=ex.country_code, national_number=int(nsn or "0"))
    fmt = rnd.choice([PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164, PhoneNumberFormat.NATIONAL,
                      PhoneNumberFormat.RFC3966])
    text = phonenumbers.format_number(num, fmt).replace("tel:", "")
    r = rnd.random()
    if r < 0.1:
        text = "00" + text.lstrip("+")
    elif r < 0.2:
        text = text.replace(" ", rnd.choice([".", "-", "", "  ", " / "]))
    elif r < 0.25:
        text = "(" + text[:4] + ") " + text[4:]
    return text


def decoy(rnd: random.Random) -> str:
    return rnd.choice([
        f"{rnd.randint(1950, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
        f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{rnd.randint(1950, 2026)}",
        f"INV-{rnd.randint(2019, 2026)}-{rnd.randint(0, 999999):06d}", str(rnd.randint(10 ** 8, 10 ** 13)),
        f"{rnd.randint(100, 899):03d}-{rnd.randint(1, 99):02d}-{rnd.randint(1, 9999):04d}",
        " ".join(str(rnd.randint(1000, 9999)) for _ in range(4)),
        f"{rnd.randint(1, 223)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}",
        f"USD {rnd.randint(10, 999999):,}.{rnd.randint(0, 99):02d}", f"v{rnd.randint(1, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 99)}",
        f"GB{rnd.randint(10, 99)} WEST {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)} 32",
        f"{rnd.randint(1, 12)}:{rnd.randint(0, 59):02d}", f"PO {rnd.randint(100, 999)} {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}",
    ])


def generated_text(seed: int, n: int) -> str:
    rnd = random.Random(seed)
    parts = []
    for _ in range(n):
        parts.append(rnd.choice(["Call ", "tel. ", "Mobile: ", "", "ref ", "on ", "fax ", ",", "\t", "(", "n° "]))
        parts.append(phone_number(rnd) if rnd.random() < 0.5 else decoy(rnd))
        parts.append(rnd.choice([" today. ", ", ", "\n", " / ", ";", " or ", ") ", " x12 ", " ext. 4 ", " "]))
    return "".join(parts)


@pytest.fixture(scope="module")
def recognizers():
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from dataguard.detect.phone import fast_phone_recognizer
    return fast_phone_recognizer("en", REGIONS).recognizer, PhoneRecognizer(supported_regions=list(REGIONS))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_phone_recognizer_finds_what_the_unrestricted_matcher_finds(recognizers, seed):
    fast, reference = recognizers
    text = generated_text(seed, 1500)
    # (without the spaces libphonenumber keeps before a number cut after a slash: " 0033 1 42 ...",
    # nor an opening bracket it keeps without the closing one: "(+254 709 876 543")
    from dataguard.detect.phone import unclosed_opening

    def trimmed(start, end):
        raw = text[start:end].lstrip()
        start = end - len(raw)
        return (start + 1 if unclosed_opening(raw) else start), end
    want = {trimmed(r.start, r.end) for r in reference.analyze(text, ["PHONE_NUMBER"])}
    got = {(r.start, r.end) for r in fast.analyze(text, ["PHONE_NUMBER"])}
    assert got == want
    assert len(want) > 300


def test_a_phone_numbers_span_holds_no_space_before_it(recognizers):
    fast, _ = recognizers
    text = "x 01 42 68 53 02 / 0033 1 42 68 53 03"
    got = {(r.start, r.end) for r in fast.analyze(text, ["PHONE_NUMBER"])}
    assert got == {(2, 16), (text.index("0033"), len(text))}


def test_a_phone_number_in_brackets_is_the_number_alone(recognizers):
    """libphonenumber keeps the opening bracket of "(+254 709 876 543)" and not the closing one:
    the span is the number, which then hashes as the same number written plainly; a bracketed
    area code stays ("(020) 7946 0018")."""
    fast, _ = recognizers
    text = ("Kwame (+254 709 876 543) and the office (020) 7946 0018, or +254 709 876 543; Ama （+254 709 876 544）,"
            " Kofi [+254 709 876 545], Office (+44 (0)20 7946 0018).")
    got = {text[r.start:r.end] for r in fast.analyze(text, ["PHONE_NUMBER"])}
    assert got == {"+254 709 876 543", "(020) 7946 0018", "+254 709 876 544", "+254 709 876 545",
                   "+44 (0)20 7946 0018"}


def test_the_phone_recognizer_has_presidios_score_context_and_name(recognizers):
    """Presidio's context words but "number", which stands before order and account numbers too."""
    fast, reference = recognizers
    assert (fast.name, fast.supported_entities, fast.context, fast.SCORE) == \
        ("PhoneRecognizer", reference.supported_entities, [w for w in reference.context if w != "number"],
         reference.SCORE)
    assert "number" in reference.context


def iban_text(seed: int, n: int) -> str:
    """IBANs of many countries, valid and not, grouped or not, among text that continues them."""
    from faker import Faker
    rnd = random.Random(seed)
    fakers = [Faker(loc) for loc in ("en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_PT", "de_CH",
                                     "en_IE", "fr_BE", "de_AT", "sv_SE", "da_DK", "fi_FI", "no_NO", "ro_RO", "tr_TR")]
    for i, f in enumerate(fakers):
        f.seed_instance(seed * 100 + i)
    parts = []
    for _ in range(n):
        iban = rnd.choice(fakers).iban()
        r = rnd.random()
        if r < 0.3:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        elif r < 0.4:
            iban = "-".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        elif r < 0.5:
            iban = iban[:-1] + rnd.choice("0123456789")        # a wrong check, most of the time
        elif r < 0.55:
            iban = iban[:rnd.randint(8, len(iban) - 1)]         # cut short
        elif r < 0.6:
            iban = iban.lower()
        parts.append(rnd.choice(["IBAN ", "to ", "", "(", "compte: ", "\n", "IBAN:", "x"]))
        parts.append(iban)
        parts.append(rnd.choice([" today. ", ", ", "\n", " 2 days", ") ", "X ", " AB12 ", "-9 ", "  ", " 12 ", "7 "]))
    return "".join(parts)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_iban_recognizer_finds_what_presidios_finds(seed):
    """The IBANs in capitals Presidio's recognizer finds, the same; and those written in small letters
    ("de89 3704 ...", which Presidio's engine reports, its recognizer alone not), each one Presidio's
    recognizer finds whole once written in capitals."""
    from presidio_analyzer.predefined_recognizers import IbanRecognizer as PresidioIban

    from dataguard.detect.recognizers import FastIbanRecognizer
    ours, reference = FastIbanRecognizer(), PresidioIban()
    text = iban_text(seed, 600)
    want = {(r.start, r.end, r.score) for r in reference.analyze(text, ["IBAN_CODE"])}
    got = {(r.start, r.end, r.score) for r in ours.analyze(text, ["IBAN_CODE"])}
    small = {g for g in got if any(c.islower() for c in text[g[0]:g[1]])}
    assert got - small == want
    assert len(want) > 300 and len({(s, e) for s, e, _ in want}) == len(want)
    assert len(small) > 10
    for s, e, _ in small:
        value = text[s:e].upper()
        assert [(r.start, r.end) for r in reference.analyze(f" {value} ", ["IBAN_CODE"])] == [(1, 1 + len(value))]
    assert (ours.name, ours.supported_entities, ours.context) == \
        (reference.name, reference.supported_entities, reference.context)


@pytest.mark.parametrize("use_hyperscan", [False, True])
@pytest.mark.parametrize("seed", [4, 5])
def test_the_iban_recognizer_reading_its_triggers_hits_finds_what_it_finds_in_the_whole_text(seed, use_hyperscan):
    """Given its trigger's hits (the IBAN_CODE trigger found in one pass with the others), the
    recognizer reads only the text from each on, and finds what it finds over the whole text:
    IBANs grouped, glued to text (after a small letter, a capital, a digit, a letter beyond ASCII:
    the trigger fires only where an IBAN can open), in mixed case, cut short, one after the other."""
    from dataguard.detect.entities import TRIGGERS
    from dataguard.detect.recognizers import FastIbanRecognizer
    from dataguard.detect.triggers import TriggerSet
    rnd = random.Random(seed)
    rec = FastIbanRecognizer()
    text = " ".join(rnd.choice(["", "", "", "x", "X", "7", "é", "_", "Ş", "٣"]) + (p.title() if rnd.random() < 0.05 else p)
                    for p in iban_text(seed, 600).split(" "))
    hits = TriggerSet({"IBAN_CODE": TRIGGERS["IBAN_CODE"]}, {}, use_hyperscan=use_hyperscan,
                      hyperscan_after=0).find(text).get("IBAN_CODE", [])
    whole = [(r.start, r.end, r.score) for r in rec.analyze(text, ["IBAN_CODE"])]
    assert [(r.start, r.end, r.score) for r in rec.analyze(text, ["IBAN_CODE"], hits=hits)] == whole
    assert len(whole) > 200
    # a hit ending where an IBAN opens takes the character the IBAN's own hit begins with (Python's
    # regexes find hits that do not overlap): the IBAN is read from that hit's end
    for chained in ("Zahlung AB12 abcd wxyzGB82WEST12345698765432 ok", "xy12 abcd efghDE89370400440532013000 \u0663"):
        hits = TriggerSet({"IBAN_CODE": TRIGGERS["IBAN_CODE"]}, {}, use_hyperscan=use_hyperscan,
                          hyperscan_after=0).find(chained).get("IBAN_CODE", [])
        whole = [(r.start, r.end) for r in rec.analyze(chained, ["IBAN_CODE"])]
        assert [(r.start, r.end) for r in rec.analyze(chained, ["IBAN_CODE"], hits=hits)] == whole and len(whole) == 1


def test_ibans_presidios_layouts_refuse_but_the_registry_allows_are_found():
    """Jordan's and Pakistan's account numbers may hold letters (the IBAN registry, python-stdnum's
    copy of it); Presidio's layouts say digits only there. A wrong check digit, a length the
    country does not have: no IBAN."""
    from presidio_analyzer.predefined_recognizers import IbanRecognizer as PresidioIban

    from dataguard.detect.recognizers import FastIbanRecognizer
    planted = ["JO81CBJO0010000000ABC131000302", "PK76 SCBL 0000 00AB 2345 6702", "JO94CBJO0010000000000131000302"]
    decoys = ["JO82CBJO0010000000ABC131000302", "PK76SCBL000000AB2345670", "PK77SCBL000000AB23456702"]
    text = "Pay " + " or ".join(planted[:2]) + "; old account " + planted[2] + ". Not: " + ", ".join(decoys) + "."
    got = {(r.start, r.end) for r in FastIbanRecognizer().analyze(text, ["IBAN_CODE"])}
    assert got == {(text.index(v), text.index(v) + len(v)) for v in planted}
    presidio = {text[r.start:r.end] for r in PresidioIban().analyze(text, ["IBAN_CODE"])}
    assert presidio == {planted[2]}          # (what it misses)


def _with_check_digits(country: str, bban: str) -> str:
    numbers = (bban + country + "00").translate({ord(c): str(i) for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")})
    return f"{country}{98 - int(numbers) % 97:02d}{bban}"


def test_national_ibans_outside_the_registry_are_found_with_their_check_digits():
    """West and Central African banks (the BCEAO's UEMOA, the BEAC's CEMAC) and others issue
    IBANs that SWIFT's registry does not list, nor Presidio's layouts: found when their check
    digits and length are right; a wrong check digit, a missing digit, a letter where the
    country has digits: none."""
    from dataguard.detect.filters import NATIONAL_IBANS
    from dataguard.detect.recognizers import FastIbanRecognizer
    rnd = random.Random(7)
    planted, decoys = [], []
    for country, layout in sorted(NATIONAL_IBANS.items()):
        n = int(layout.rsplit("{", 1)[1].rstrip("}"))
        head = (country if layout.startswith("[A-Z0-9]{2}") else "")
        bban = head + "".join(rnd.choice("0123456789") for _ in range(n))
        iban = _with_check_digits(country, bban)
        planted.append(" ".join(iban[i:i + 4] for i in range(0, len(iban), 4)) if len(planted) % 2 else iban)
        wrong = iban[:2] + f"{(int(iban[2:4]) + 1) % 100:02d}" + iban[4:]
        decoys += [wrong, iban[:-1]]
        if not head:
            decoys.append(_with_check_digits(country, "AB" + bban[2:]))
    text = "Virements : " + " ; ".join(planted) + ".\nRejetés : " + " ; ".join(decoys) + ".\n"
    got = {text[r.start:r.end] for r in FastIbanRecognizer().analyze(text, ["IBAN_CODE"])}
    assert got == set(planted)
    assert {"SN", "CI", "ML", "BF", "CM", "CD"} - {v[:2] for v in got} == {"CD"}     # (Congo-Kinshasa has none)


@pytest.mark.parametrize("digits", ["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "０１２３４５６７８９"])
def test_numbers_written_in_other_digits_are_found_as_presidio_finds_them(recognizers, digits):
    """Arabic-Indic, Eastern Arabic-Indic (Persian, Urdu) and full-width digits: libphonenumber
    reads them as ASCII digits, and so does the gate."""
    fast, reference = recognizers
    from dataguard.detect.phone import unclosed_opening
    text = generated_text(6, 500).translate(str.maketrans("0123456789", digits))
    # (an opening bracket whose closing one the number leaves out is trimmed: see below)
    want = {(r.start + unclosed_opening(text[r.start:r.end]), r.end)
            for r in reference.analyze(text, ["PHONE_NUMBER"])}
    assert {(r.start, r.end) for r in fast.analyze(text, ["PHONE_NUMBER"])} == want
    assert len(want) > 100


def test_phone_scores_are_presidios_but_for_numbers_written_as_phone_numbers(recognizers):
    """Presidio scores every number 0.4; dataguard gives a number written as phone numbers are
    (international format, or its country's grouping) 0.6, a bare run of digits 0.4."""
    from dataguard.detect.phone import FORMATTED_SCORE
    fast, reference = recognizers
    text = ("Call +41 44 668 18 00 or 020 7946 0958 today; (212) 555-0143, 0712 345 678, 201.555.6245, "
            "0044 20 7946 0958; order 2035507946, ref 201555 6245, code 12 01 555 6245.")
    want = {(r.start, r.end): r.score for r in reference.analyze(text, ["PHONE_NUMBER"])}
    got = {(r.start, r.end): r.score for r in fast.analyze(text, ["PHONE_NUMBER"])}
    assert set(got) == set(want) and set(want.values()) == {0.4}
    formatted = {text[s:e] for (s, e), score in got.items() if score == FORMATTED_SCORE}
    assert formatted == {"+41 44 668 18 00", "020 7946 0958", "(212) 555-0143", "0712 345 678", "201.555.6245",
                         "0044 20 7946 0958"}
    assert {text[s:e] for (s, e), score in got.items() if score == 0.4} == {"2035507946", "201555 6245",
                                                                          "12 01 555 6245"}


# ------------------------------------------------------------------ the gate alone
GATE_REGIONS = ["US", "GB", "FR", "CH", "KE", "DE", "IN", "SS"]


def _random_texts(n: int, seed: int):
    rnd = random.Random(seed)
    seps = [" ", "-", ".", " - ", "/", "(", ") ", "  ", "", " x", " ext. "]
    prefixes = ["", "+", "00", "0", "1", "(", "+1 ", "+44 ", "+41 ", "+254 ", "+33 ", "011 ", "+49 ", "+91 "]
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 6)):
            parts.append("".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 5))))
            parts.append(rnd.choice(seps))
        yield "tel " + rnd.choice(prefixes) + "".join(parts[:-1]) + " end"


KNOWN = ["Call +254 722 123 456 now", "ring 020 7946 0958 today", "tel (212) 555-0143 x12", "appelez le 01 42 68 53 00",
         "0712 345 678 / 0733 456 789", "+41 44 668 18 00", "Rufnummer 030 901820", "numero 011 4321-5678 ahora",
         "+91 98765 43210", "1-800-555-0199", "0044 7400 129663 x12 (8111 5423 2100 3504"]


@pytest.mark.parametrize("region", [r for r in MANY if (phonenumbers.PhoneMetadata.metadata_for_region(r).national_prefix
                                                     or "").isdigit()])
def test_a_country_code_written_without_plus_before_national_prefixes_is_read_as_the_matcher_reads_it(region):
    """Without '+', libphonenumber takes the region's own country code off a number too long for it
    and strips the national prefix then, and again while parsing: "9200 2233 6714 32" is a number
    of Pakistan. The finder reads it so too, with one prefix, two or none."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    cc, prefix = str(md.country_code), md.national_prefix
    rnd = random.Random(region)
    lines = []
    for kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE):
        ex = phonenumbers.example_number_for_type(region, kind)
        if ex is None:
            continue
        nsn = str(ex.national_number)
        for k in (0, 1, 2):
            digits = cc + prefix * k + nsn
            spaced = " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
            lines += [f"n° {digits} ok", f"tel {spaced}.", f"ref {digits[:-1]}{rnd.randint(0, 9)} x"]
    text = "\n".join(lines)
    regions = (region, "US") if region != "US" else ("US", "GB")
    want = sorted((r, m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1))
    got = sorted((r, m.start, m.end) for r, m in PhoneFinder(regions).find(text))
    assert got == want
    assert want


ALL_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
ALL_TYPES = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE,
             PhoneNumberType.VOIP, PhoneNumberType.SHARED_COST, PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.UAN]


def number_anywhere(rnd: random.Random, regions: list) -> str:
    """A number (valid or not) of a configured region or of any region, written in one of the ways
    people write them: formatted, with the country code but no '+', after an international prefix
    (once with a '+' in front too), after the national prefix; separators moved, an extension."""
    region = rnd.choice(regions if rnd.random() < 0.7 else ALL_REGIONS)
    md = phonenumbers.PhoneMetadata.metadata_for_region(region)
    ex = phonenumbers.example_number_for_type(region, rnd.choice(ALL_TYPES)) or phonenumbers.example_number(region)
    if ex is None:
        return str(rnd.randint(10, 99999))
    nsn = str(ex.national_number)
    if rnd.random() < 0.6:
        keep = max(1, len(nsn) - rnd.randint(1, 6))
        nsn = nsn[:keep] + "".join(rnd.choice("0123456789") for _ in range(len(nsn) - keep + rnd.choice([0, 0, 0, -1, 1])))
    num = phonenumbers.PhoneNumber(country_code=ex.country_code, national_number=int(nsn or "0"),
                                   italian_leading_zero=ex.italian_leading_zero)
    cc, prefix = str(ex.country_code), md.national_prefix or ""
    r = rnd.random()
    if r < 0.15:
        text = cc + prefix * rnd.randint(0, 2) + nsn
    elif r < 0.25:
        idd = phonenumbers.PhoneMetadata.metadata_for_region(rnd.choice(regions)).preferred_international_prefix
        text = rnd.choice(["", "+"]) + (idd if idd and idd.isdigit() else "00") + cc + rnd.choice(["", prefix]) + nsn
    elif r < 0.35:
        text = prefix + nsn
    else:
        text = phonenumbers.format_number(num, rnd.choice([PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164,
                                                           PhoneNumberFormat.NATIONAL, PhoneNumberFormat.RFC3966]))
        text = text.replace("tel:", "")
    r = rnd.random()
    if r < 0.2:
        text = text.replace(" ", rnd.choice([".", "-", "", "  ", " / ", "\u00a0"]))
    elif r < 0.3 and len(text) > 6:
        i = rnd.randint(1, len(text) - 2)
        text = text[:i] + rnd.choice([" ", "-", ".", ") ", " ("]) + text[i:]
    elif r < 0.35:
        text = "(" + text[:3] + ") " + text[3:]
    if rnd.random() < 0.1:
        text += rnd.choice([" x12", " ext. 45", ";ext=7", " #3"])
    return text


@pytest.mark.parametrize("seed", [21, 22])
def test_the_finder_finds_what_the_matcher_finds_for_any_regions_and_any_writing(seed):
    """Random sets of regions out of all of libphonenumber's, numbers of every type and region
    written every way: the finder finds the spans the unrestricted matchers find."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    rnd = random.Random(seed)
    found = 0
    for _ in range(40):
        regions = tuple(rnd.sample(ALL_REGIONS, rnd.randint(1, 6)))
        parts = []
        for _ in range(30):
            parts.append(rnd.choice(["Call ", "tel. ", "", "ref ", ",", "\t", "(", "n° ", "Fax: ", "+"]))
            parts.append(number_anywhere(rnd, list(regions)))
            parts.append(rnd.choice([" today. ", ", ", "\n", " / ", ";", " or ", ") ", " ", "-", "/"]))
        text = "".join(parts)
        want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        got = {(m.start, m.end) for _, m in PhoneFinder(regions).find(text)}
        assert got == want, (regions, [text[s:e] for s, e in want ^ got])
        found += len(want)
    assert found > 500


def test_a_logs_time_stamps_are_given_up_as_the_matcher_gives_them_up():
    """A time stamp followed by its minutes ("2024-03-19 22" before ":14:05") is no candidate for
    the matcher, inner matches and all: the finder does not ask the gate about it (every hour
    of a log is a new one), and finds what the matcher finds, numbers after time stamps
    included; one not followed by minutes is read as usual."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    rnd = random.Random(5)
    lines = []
    for i in range(200):
        stamp = f"20{rnd.randint(10, 29)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d} {rnd.randint(0, 23):02d}"
        after = rnd.choice([f":{rnd.randint(0, 59):02d}:{rnd.randint(0, 59):02d}", " h", ""])
        number = rnd.choice(["0712 345 678", "020 7946 0958", "+41 44 668 18 00", "(201) 555-0123", "4711"])
        lines.append(f"{stamp}{after} INFO sms to {number} ok")
    text = "\n".join(lines)
    regions = ("US", "GB", "FR", "CH", "KE")
    finder = PhoneFinder(regions)
    asked = []
    gate = finder.admitted
    finder.admitted = lambda c: asked.append(c) or gate(c)
    got = {(m.start, m.end) for _, m in finder.find(text)}
    assert got == {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
    assert len(got) > 100
    stamps = [c for c in asked if re.fullmatch(r"20\d\d-\d\d-\d\d \d\d", c)]
    assert stamps and all(not text.startswith(":", text.index(c) + len(c)) for c in stamps if text.count(c) == 1)


@pytest.mark.parametrize("regions, text, span", [
    (("LC",), "tel 234 5678 ok", (4, 12)),              # Saint Lucia's own rule: 758 in front of 7 digits
    (("US", "TC"), "tel 7121234 ok", (4, 11)),          # Turks and Caicos: 649 in front (US has no such rule)
    (("US", "SG"), "dial +0011 767 420 1234 now", (5, 23)),  # a "+", then the international prefix of SG (001)
    (("TA",), "see +(851) 1 now", (5, 12)),             # the '+' cut off: a national number of 4 digits
])
def test_numbers_the_gate_once_refused(regions, text, span):
    """A region whose own national-prefix rule rewrites digits when the main region of its country
    code has none; a '+' written before an international prefix; a national number inside a
    candidate with a '+'."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
    assert want == {span}
    assert {(m.start, m.end) for _, m in PhoneFinder(regions).find(text)} == want


def test_the_gate_never_stops_a_candidate_the_matcher_accepts():
    """Every candidate of libphonenumber's walk that the gate refuses for a region gives
    nothing when that region's matcher extracts it, or (an international number, which every
    region reads alike) the same match as a region it admits."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(GATE_REGIONS)
    checked = refused = 0
    for text in list(_random_texts(1500, seed=7)) + KNOWN:
        for _, start, cand in finder._walk(text):
            if not cand:
                continue
            admitted = finder.admitted(cand)
            for region in GATE_REGIONS:
                checked += 1
                if region not in admitted:
                    refused += 1
                    m = PhoneNumberMatcher(text, region, leniency=1)._extract_match(cand, start)
                    alike = [PhoneNumberMatcher(text, r, leniency=1)._extract_match(cand, start) for r in admitted]
                    assert m is None or any(a is not None and (a.start, a.end) == (m.start, m.end) for a in alike), \
                        (text, cand, region)
    assert checked > 5000 and 0 < refused < checked     # it lets some through, and it stops some


def test_the_quick_refusal_only_refuses_what_the_gate_refuses():
    """``PhoneGate._refused`` (a few regex calls on the digit groups, the national-prefix rule
    included) never refuses a candidate in which the whole gate admits a region, and the gate
    with its early refusals admits the same regions as without them."""
    from dataguard.detect.phone import PhoneFinder, PhoneGate
    regions = GATE_REGIONS + ["BY"]            # BY: a national prefix that is a pattern ("0|80?")
    fast, whole = PhoneGate(regions), PhoneGate(regions)
    whole._refusal = None                      # no early refusal: every reading is tried
    rnd = random.Random(11)
    texts = list(_random_texts(1500, seed=9)) + KNOWN + [
        " ".join(rnd.choice([decoy(rnd), phone_number(rnd), f"0{rnd.randint(10 ** 5, 10 ** 10)}",
                             f"{rnd.randint(1950, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"])
                 for _ in range(40)) for _ in range(60)]
    walker = PhoneFinder(regions)
    refused = admitted = 0
    for text in texts:
        for _, _, cand in walker._walk(text):
            if cand and fast._refused(cand):
                refused += 1
                assert whole.regions_for(cand) == [], cand
            elif cand:
                admitted += 1
                assert fast.regions_for(cand) == whole.regions_for(cand), cand
    assert refused > 300 and admitted > 300


@pytest.mark.parametrize("regions", [GATE_REGIONS, ["US", "GB", "FR", "CH", "KE"], ["BR", "US"], ["SG", "AU"]])
def test_the_refusal_of_a_run_of_digits_is_the_quick_refusal(regions):
    """``PhoneGate.refuses_digits`` (a run of ASCII digits, fewer calls) refuses what ``_refused``
    refuses, and nothing when a region is unjudged (Brazil: its national prefix rule)."""
    from dataguard.detect.phone import PhoneGate
    gate, rnd = PhoneGate(regions), random.Random(8)
    runs = [str(rnd.randint(0, 10 ** rnd.randint(1, 22))).zfill(rnd.choice([0, 0, 3, 12])) for _ in range(20000)]
    runs += [p + str(rnd.randint(0, 10 ** 9)) for p in ("00", "011", "001", "0011", "000") for _ in range(500)]
    got = [gate.refuses_digits(r) for r in runs]
    assert got == [bool(gate._refused(r)) and not gate._unjudged for r in runs]
    assert any(got) == (not gate._unjudged) and not all(got)


@pytest.mark.parametrize("regions", [GATE_REGIONS, ["US", "GB", "FR", "CH", "KE"], ["BR", "US"], ["SG", "AU"]])
def test_the_refusal_of_a_separated_run_is_the_quick_refusal(regions):
    """``PhoneGate.refuses_separated`` (an ASCII run of digits and separators without a '+')
    refuses what ``_refused`` refuses, and nothing when a region is unjudged, and a run of fewer
    digits than it is told a number has; the finder's verdict on such a run is the whole gate's."""
    from dataguard.detect.phone import PhoneFinder, PhoneGate
    gate, rnd = PhoneGate(regions), random.Random(12)
    runs = [rnd.choice(["-", ".", " ", "/", "(", ") "]).join(str(rnd.randint(0, 10 ** rnd.randint(1, 6)))
                                                            for _ in range(rnd.randint(2, 9))) for _ in range(20000)]
    runs += [f"{rnd.randint(1950, 2026)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}" for _ in range(500)]
    runs += [f"{rnd.randint(0, 99999)}.{rnd.randint(0, 99):02d}" for _ in range(500)]
    runs += [f"0{rnd.randint(10, 99)} {rnd.randint(100, 999)} {rnd.randint(1000, 9999)}" for _ in range(500)]
    got = [gate.refuses_separated(r) for r in runs]
    assert got == [bool(gate._refused(r)) and not gate._unjudged for r in runs]
    assert [gate.refuses_separated(r, 6) for r in runs] == [g or sum(ch.isdigit() for ch in r) < 6
                                                            for g, r in zip(got, runs)]
    assert any(got) == (not gate._unjudged) and not all(got)
    finder, whole = PhoneFinder(regions), PhoneGate(regions)
    whole._refusal = None                      # no early refusal: every reading is tried
    for r in runs[::10]:
        digits = sum(ch.isdigit() for ch in r)
        expected = frozenset() if digits < finder._fewest[0] or "/" in r and finder._slash_date(r) is not None \
            else frozenset(whole.regions_for(r))
        got = finder.admitted(r)
        assert got >= expected, r
        # (more only as plain_regions gives them: test_the_regions_of_a_plain_run_hold_the_gates)
        assert got == expected or got == finder.gate.plain_regions(r), r


@pytest.mark.parametrize("regions", [GATE_REGIONS, ["US", "GB", "FR", "CH", "KE"], ["AT", "US"], ["SG", "AU"],
                                     ["KR", "CN", "BY", "CO"], ["SE", "RU", "UG"]])
def test_the_regions_of_a_plain_run_hold_the_gates(regions):
    """``PhoneGate.plain_regions`` (the regions of an ASCII run without '+' the refusal lets through,
    from the digit strings of its plan, without trying each reading) holds every region the
    whole gate admits, a region more only where the matcher finds nothing, and seldom one more
    (a region whose national prefix its quick regex does not check is left to ``regions_for``)."""
    from phonenumbers import PhoneMetadata, PhoneNumberMatcher, country_code_for_region

    from dataguard.detect.phone import PhoneFinder, PhoneGate
    gate, whole, rnd = PhoneGate(regions), PhoneGate(regions), random.Random(53)
    whole._refusal = None                      # no early refusal: every reading is tried
    runs = [str(rnd.randint(0, 10 ** rnd.randint(5, 14))).zfill(rnd.choice([0, 0, 8, 11])) for _ in range(3000)]
    runs += [rnd.choice(["-", ".", " ", "/", "(", ") "]).join(str(rnd.randint(0, 10 ** rnd.randint(1, 5)))
                                                             for _ in range(rnd.randint(2, 5))) for _ in range(3000)]
    runs += [decoy(rnd) for _ in range(1000)] + [phone_number(rnd).lstrip("+") for _ in range(3000)]
    for region in regions:          # a national prefix before the country code, or twice: no reading of the matcher's
        prefix, cc = PhoneMetadata.metadata_for_region(region).national_prefix, str(country_code_for_region(region))
        if prefix:
            runs += [f"{prefix}{cc} {rnd.randint(10 ** 6, 10 ** 9)}" for _ in range(300)]
            runs += [f"{prefix} {prefix}{rnd.randint(10 ** 6, 10 ** 10)}" for _ in range(300)]
    walker = PhoneFinder(regions)
    for text in list(_random_texts(300, seed=59)) + KNOWN:
        runs += [c for _, _, c in walker._steps(text) if c]
    fast = more = 0
    for run in dict.fromkeys(runs):
        if not run.isascii() or "+" in run or gate._refused(run):
            continue
        got = gate.plain_regions(run)
        if got is None:
            continue
        fast += 1
        want = frozenset(whole.regions_for(run))
        assert got >= want, run
        for region in got - want:
            more += 1
            assert PhoneNumberMatcher(run, region, leniency=1)._extract_match(run, 0) is None, (run, region)
    assert more <= fast / 20
    assert (fast > 500) == (not set(regions) & {"AU", "KR"})       # (Australia's, Korea's prefix: _loose)


@pytest.mark.parametrize("groups, matcher_reads_to_the_end", [(1000, True), (70000, False)])
def test_where_the_matcher_stops_reading_the_finder_reads_on(groups, matcher_reads_to_the_end):
    """The matcher stops after 65,535 failed tries, each inner piece of a candidate a try: after
    thousands of candidates of many groups it finds nothing more; the finder counts one try per
    candidate it skips and finds the numbers after them too. Before that point they find the same."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    rnd = random.Random(groups)
    text = " ".join(str(rnd.randint(0, 99)) for _ in range(groups)) + " call 020 7946 0958 or +41 44 668 18 00 now"
    regions = ("US", "GB", "FR", "CH", "KE")
    want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
    got = {(m.start, m.end) for _, m in PhoneFinder(regions).find(text)}
    assert len(got) == 2 and got >= want
    assert (got == want) == matcher_reads_to_the_end


@pytest.mark.parametrize("candidates", [65_534, 65_535])
def test_the_finder_stops_where_the_matcher_has_no_try_left(candidates):
    """Each candidate the gate skips counts as one of the matcher's 65,535 tries: after 65,534 of
    them a number is still read, after 65,535 the matcher reads nothing more, nor does the finder
    (it extracted one candidate more once the tries were used up)."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    text = "; ".join(["12"] * candidates) + "; call 020 7946 0958 today"
    want = [(m.start, m.end) for m in PhoneNumberMatcher(text, "GB", leniency=1)]
    got = [(m.start, m.end) for _, m in PhoneFinder(("GB",)).find(text)]
    assert got == want
    assert len(got) == (1 if candidates < 65_535 else 0)


@pytest.mark.parametrize("candidates, numbers", [(65_533, 2), (65_534, 1)])
def test_the_finder_stops_where_the_matcher_has_no_try_left_after_a_match_inside_a_candidate(candidates, numbers):
    """Two numbers in one candidate: the matcher finds the first among its inner pieces (one of
    them tried and failed first, a try), then goes on from its end inside the candidate, where
    the finder follows it (``_resync``). With one try left before the candidate, that failed
    piece uses it and the matcher reads nothing more: nor does the finder (it read the second
    number)."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    text = "; ".join(["12"] * candidates) + "; call (415) 555-2671 (415) 555-2672 today"
    want = [(m.start, m.end) for m in PhoneNumberMatcher(text, "US", leniency=1)]
    got = [(m.start, m.end) for _, m in PhoneFinder(("US",)).find(text)]
    assert got == want
    assert len(got) == numbers


def test_a_text_that_reaches_the_try_limit_changes_nothing_for_the_next_texts():
    """The finder keeps what a candidate gives between plain separators; a candidate the
    matcher gave up on because its tries ran out among the candidate's inner pieces holds a
    number after all: the next text, far from the limit, finds it as the matcher does (the
    finder found nothing there once the first text had filed it as holding nothing)."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    run = "3324451 99 4155552671"       # whole: no number; its pieces "3324451", "99" fail, then the number
    finder = PhoneFinder(("US",))
    for text in ("; ".join(["12"] * 65_533) + "; call " + run + " today", "call " + run + " today"):
        want = [(m.start, m.end) for m in PhoneNumberMatcher(text, "US", leniency=1)]
        assert [(m.start, m.end) for _, m in finder.find(text)] == want
    assert want == [(16, 26)]


def test_cuts_cached_by_the_shape_of_a_run_are_the_cuts_of_the_run():
    """``PhoneGate.candidates`` cuts a run as libphonenumber does, cached per shape (its ASCII
    digits made 0): the same cuts as cutting each run itself, extensions and every separator
    included, and runs that differ only in their digits share one entry."""
    from dataguard.detect.phone import PhoneFinder, PhoneGate
    cached, fresh = PhoneGate(GATE_REGIONS), PhoneGate(GATE_REGIONS)
    assert cached._shapes is not None
    fresh._shapes = None
    rnd = random.Random(31)
    seps = [" ", "-", ".", "/", " / ", "(", ") ", " - ", "\u2013", "\u00a0", "\uff0d", " x", " ext. ", ";ext=", "#", ", "]
    runs = []
    for _ in range(3000):
        parts = [str(rnd.randint(0, 10 ** rnd.randint(1, 5)))]
        for _ in range(rnd.randint(0, 5)):
            parts += [rnd.choice(seps), str(rnd.randint(0, 10 ** rnd.randint(1, 5)))]
        runs.append(rnd.choice(["", "+", "(", "[", "+("]) + "".join(parts) + rnd.choice(["", "#", " ", ")"]))
    walker = PhoneFinder(GATE_REGIONS)
    for text in _random_texts(300, seed=37):
        runs += [c for _, _, c in walker._steps(text) if c]
    for run in runs:
        assert sorted(cached.candidates(run)) == sorted(fresh.candidates(run)), run
    assert 0 < len(cached._shapes) < len({r for r in runs if not r.isdigit() and r.isascii()})
    cached.candidates("(212) 555-0143 x12")
    shapes = len(cached._shapes)
    assert "(000) 000-0000 x00" in cached._shapes
    assert sorted(cached.candidates("(999) 123-4567 x98")) == sorted(fresh.candidates("(999) 123-4567 x98"))
    assert "(999) 123-4567" in cached.candidates("(999) 123-4567 x98") and len(cached._shapes) == shapes


def test_the_quick_refusal_planned_per_shape_is_the_refusal_of_each_run():
    """``PhoneGate._refused`` plans which digit strings to try once per shape of a run (its ASCII
    digits made 0): runs that differ only in their digits share the plan, and each gets the
    answer a gate planning it afresh gives."""
    from dataguard.detect.phone import PhoneFinder, PhoneGate
    cached, fresh = PhoneGate(GATE_REGIONS), PhoneGate(GATE_REGIONS)
    rnd = random.Random(23)
    runs = [f"{rnd.randint(0, 99):02d}.{rnd.randint(0, 99999):05d}" for _ in range(300)]
    runs += [f"{rnd.randint(1, 9999)}-{rnd.randint(0, 999999):06d}" for _ in range(300)]
    runs += ["-".join(str(rnd.randint(0, 99)) for _ in range(rnd.randint(2, 11))) for _ in range(300)]
    walker = PhoneFinder(GATE_REGIONS)
    for text in list(_random_texts(300, seed=29)) + KNOWN:
        runs += [c for _, _, c in walker._steps(text) if c]
    refused = 0
    for run in runs:
        fresh._plans.clear()
        got = cached._refused(run)
        assert got == fresh._refused(run), run
        refused += got
    assert 0 < refused < len(runs)
    shaped = {r for r in runs if not r.isdigit() and r.isascii() and "+" not in r}
    assert 0 < len(cached._plans) < len(shaped) / 2


@pytest.mark.parametrize("regions", [GATE_REGIONS + ["BY", "SG"], ["US", "GB", "FR", "CH", "KE"]])
def test_the_refusal_planned_on_the_matchers_cuts_refuses_only_what_the_gate_refuses(regions):
    """``PhoneGate._cut_plan`` tries only the digit strings of the pieces the matcher cuts from a
    run (not every concatenation of its groups): it never refuses a run in which the gate without
    early refusal admits a region, it refuses runs the plan of groups lets through (an ISBN read
    whole: "978-7-287-17033-1", not its "7287170331"), and a gate whose cuts may depend on the
    digits themselves (no shapes kept) plans by groups."""
    from dataguard.detect.phone import PhoneFinder, PhoneGate
    cut, grouped, whole = PhoneGate(regions), PhoneGate(regions), PhoneGate(regions)
    assert cut._shapes is not None
    grouped._shapes = None                  # (the plan by groups, as for another libphonenumber)
    whole._refusal = None                   # no early refusal: every reading is tried
    rnd = random.Random(43)
    seps = [" ", "-", ".", "/", " / ", "(", ") ", " - ", "\u2013", "\u00a0", " x", " ext. ", ";ext=", "#", "  ", "~"]
    runs = [f"978-{rnd.randint(0, 9)}-{rnd.randint(100, 9999)}-{rnd.randint(100, 99999)}-{rnd.randint(0, 9)}"
            for _ in range(300)]
    for _ in range(4000):
        parts = [rnd.choice(["", "0", "00", "011", "(0", "1"]) + str(rnd.randint(0, 10 ** rnd.randint(1, 5)))]
        for _ in range(rnd.randint(1, 6)):
            parts += [rnd.choice(seps), str(rnd.randint(0, 10 ** rnd.randint(1, 5)))]
        runs.append("".join(parts) + rnd.choice(["", "#", ")"]))
    walker = PhoneFinder(regions)
    for text in list(_random_texts(400, seed=47)) + KNOWN:
        runs += [c for _, _, c in walker._steps(text) if c]
    runs = [r for r in dict.fromkeys(runs) if r.isascii() and "+" not in r and not r.isdigit()]
    more = 0
    for run in runs:
        if cut._refused(run):
            assert whole.regions_for(run) == [], run
            more += not grouped._refused(run)
        else:
            assert not grouped._refused(run), run          # (the cuts' strings are some of the groups')
    assert more > 100
    assert cut._refused("978-7-287-17033-1") and not grouped._refused("978-7-287-17033-1")


def test_an_international_prefix_needs_digits_enough_after_it():
    """A run whose digits after an international prefix are too few for an international number
    ("0110" in the date 1969-01-10: the US prefix 011, then one digit) is refused early, and a
    country code with too few digits after one ("0055 12": Brazil's code, whose numbers the gate
    does not judge) admits no region; the finder still finds what the matchers find in such runs and in real
    numbers dialled with a prefix."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import FEWEST_INTERNATIONAL, PhoneFinder, PhoneGate
    gate = PhoneGate(["US", "GB", "FR", "CH", "KE"])
    for run in ("1969-01-10", "2026-01-18", "00.096", "0110-1"):
        assert gate._refused(run) and gate.regions_for(run) == [], run
    assert gate.regions_for("0055 12") == [] and gate.regions_for("0055 11 98765 4321") != []
    assert not gate._international("5512") and not gate._international("0044207")
    assert gate._international("442079460958") and gate._international("5511987654321")
    assert FEWEST_INTERNATIONAL == 5
    rnd = random.Random(41)
    regions = ["US", "GB", "BR", "AR", "KE", "SG"]
    finder = PhoneFinder(regions)
    for _ in range(300):
        parts = []
        for _ in range(8):
            prefix = rnd.choice(["00", "011", "001", "0011", "000"])
            parts.append(rnd.choice([
                f"{prefix} {rnd.choice(['1', '44', '55', '54', '254', '65'])} {rnd.randint(0, 10 ** rnd.randint(0, 4))}",
                f"{rnd.randint(1950, 2026)}-{rnd.choice(['01', '00', '10'])}-{rnd.randint(1, 28):02d}",
                f"{prefix}{rnd.randint(0, 99)}.{rnd.randint(0, 999)}",
                f"{prefix} 44 20 7946 {rnd.randint(1000, 9999)}", f"{prefix} 1 212 555 {rnd.randint(1000, 9999)}",
                f"{prefix} 55 11 9{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}"]))
        text = " ; ".join(parts)
        want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        assert {(m.start, m.end) for _, m in finder.find(text)} == want, text


def _matchers_walk(text: str) -> list:
    """The steps of the matcher's walk when nothing matches, as it takes them: a search of its
    pattern from each index, the candidate cut before a second number's start."""
    from phonenumbers.phonenumbermatcher import _PATTERN, _SECOND_NUMBER_START_PATTERN
    steps, index = [], 0
    while (m := _PATTERN.search(text, index)) is not None:
        cut = _SECOND_NUMBER_START_PATTERN.search(m.group())
        cand = m.group() if cut is None else m.group()[:cut.start()]
        steps.append((index, m.start(), cand))
        index = m.start() + len(cand)
    return steps


def test_the_walk_in_one_pass_is_the_matchers_walk():
    """``PhoneFinder._steps`` (the candidate pattern's successive matches, in one pass) and
    ``_walk`` give the steps of the matcher's walk, with or without a second number's start
    ("/ x"), in a text of Latin-1 characters or not."""
    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(GATE_REGIONS)
    rnd = random.Random(5)
    texts = list(_random_texts(300, seed=21)) + KNOWN + [
        f"call {phone_number(rnd)} / x{rnd.randint(10, 99)} or {phone_number(rnd)}/x 12 then {decoy(rnd)}"
        for _ in range(50)]
    texts += [f"\u0661\u0662 {text} \u2019" for text in texts[:100]]
    seconds = 0
    for text in texts:
        seconds += finder._second.search(text) is not None
        assert finder._steps(text) == list(finder._walk(text)) == _matchers_walk(text), text
    assert seconds >= 50


def test_the_faster_walk_pattern_matches_what_libphonenumbers_pattern_matches():
    """``walk_pattern`` (libphonenumber's candidate pattern begun by the class of its first
    characters, what follows told apart by a look-behind, its extension tried only before a
    character one can begin with) finds the same successive matches as the pattern itself, on
    numbers with extensions written every way libphonenumber reads (any case, full-width,
    Cyrillic), next to every separator and after one or two opening brackets or plus signs; a
    pattern of another shape is kept as it is."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    from dataguard.detect.phone import walk_pattern
    fast = walk_pattern(_PATTERN)
    assert fast is not _PATTERN and fast.pattern.startswith("[") and "(?<=" in fast.pattern
    # the repeated groups before the extension: possessive (where Python reads possessive groups right)
    assert ("){0,20}+" in fast.pattern) == (sys.version_info >= (3, 11, 5))
    rnd = random.Random(43)
    extensions = [" ext. 12", ";ext=345", " x 12", "x12", " X 9", " EXT 7", "\u00a0ext:4", ",ext 8", " extension 77",
                  " extensión 5", " extensio\u0301n 5", " EXTN 6", " \uff45\uff58\uff54 3", " \u0434\u043e\u0431 21",
                  " \u0414\u041e\u0411 21", " anexo 4", " Anexo 4", " #12", " ~ 3", " int 4", " \uff49\uff4e\uff54 4",
                  " - 123#", "-12#", " # ", " x", "\t, ext. 9", "; ext=1", "x 1234567890", ",", ",,", " ,x2"]
    texts = []
    for _ in range(400):
        parts = []
        for _ in range(rnd.randint(1, 8)):
            parts.append(rnd.choice([phone_number(rnd), decoy(rnd), str(rnd.randint(0, 10 ** 9)), "(0)", "+", "[1]",
                                     "+(44) 20 7946", "((12))", "[+1] 212", "(- 34", "\uff08\uff0b33\uff09 1 42",
                                     "+ ( ( 7", "(((5"]))
            parts.append(rnd.choice(extensions + ["", "", " ", ",", ";", "\n", " / ", "a", "E", "д"]))
        texts.append("".join(parts))
    matched = extended = 0
    for text in texts + KNOWN:
        want = [(m.start(), m.end()) for m in _PATTERN.finditer(text)]
        assert [(m.start(), m.end()) for m in fast.finditer(text)] == want, text
        matched += len(want)
        extended += sum(m.lastindex is not None for m in _PATTERN.finditer(text))
    assert matched > 1000 and extended > 100
    behind = re.compile(r"(?<=a)\d+")
    assert walk_pattern(behind) is behind            # a lookaround first: not known, kept
    other = re.compile(r"(?:\d+-)?\d+(?:x\d)?")         # another shape: led by digits, an optional end
    for text in ("a 12-34 5", "1-2x3 x4 -5x", "9x9x9"):
        assert [m.span() for m in walk_pattern(other).finditer(text)] == [m.span() for m in other.finditer(text)]
    repeated = re.compile(r"(?:-?\d){1,4}(?:x\d)?")     # a repeat before an optional end: possessive
    assert ("){1,4}+" in walk_pattern(repeated).pattern) == (sys.version_info >= (3, 11, 5))
    for text in ("1-2-3-4-5x6", "12x", "1--2", "-1-2x3x4"):
        assert [m.span() for m in walk_pattern(repeated).finditer(text)] == [m.span() for m in repeated.finditer(text)]


def test_the_extension_is_looked_for_after_its_spaces():
    """The walk's look-ahead at an extension reads the spaces and commas before its words and
    then their first letters (``_lead``): words that begin no extension after a number (" and",
    " EUR", ", in") turn it away, and the walk finds what libphonenumber's pattern finds next to
    every such word, any case, and next to the extensions; a pattern whose optional end begins
    with repeats of a class is looked at the same way."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    from dataguard.detect.phone import walk_pattern
    fast = walk_pattern(_PATTERN)
    assert "(?=[;]|" in fast.pattern
    rnd = random.Random(61)
    words = [" and", " EUR", ", in", " a", " Anexo 4", " AnD", "  , ext 12", " e", " ex", " x", " int", " i 3", " -",
             " - 7#", "--7#", " -x", ",,", " \uff45\uff58\uff54 3", " \u0434\u043e\u0431 2", " \u0434a", "\t#1", " ~",
             "; ext=4", ";", " 12", "\u00a0x9", " \u00a0 ext.5"]
    for _ in range(1500):
        text = "".join(rnd.choice([phone_number(rnd), str(rnd.randint(0, 10 ** 9)), "(0)", "+1 "]) + rnd.choice(words)
                       for _ in range(rnd.randint(1, 6)))
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in _PATTERN.finditer(text)], text
    other = re.compile(r"\d+(?:[ ,]*(?:ab|x)\d|-+\d|;)?", re.I)
    assert r"(?=[\ ,]{0,}[ax]|[\-]{1,}[\d]|[;])" in walk_pattern(other).pattern     # (the spaces read once)
    for _ in range(500):
        text = "".join(rnd.choice(["12", " ", ",", "ab", "AB", "x", "-", "3", ";", "a", "b"]) for _ in range(12))
        assert [m.span() for m in walk_pattern(other).finditer(text)] == [m.span() for m in other.finditer(text)], text


def test_the_walk_with_ascii_digits_matches_in_a_text_of_latin_1_characters():
    """``ascii_digits`` (``[0-9]`` for ``\\d``, inside a class too) finds what the walk's pattern
    finds in a text without a decimal digit beyond ASCII (Latin-1 has none); the finder walks
    such a text with it, and any other with the pattern itself."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    from dataguard.detect.phone import PhoneFinder, ascii_digits, walk_pattern
    fast = walk_pattern(_PATTERN)
    latin = ascii_digits(fast)
    assert "\\d" not in latin.pattern and latin.groups == fast.groups
    rnd = random.Random(53)
    pieces = ["+", "(", "[", ")", "-", " ", ".", "/", "x", " ext. ", "a", "\n", "\u00a0", "\u00b2", "\u00bd", "é",
              "\u00ad", "12", "3", "4567", "890 12", "#", ";ext=", "\t"]
    for _ in range(500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        assert [m.span() for m in latin.finditer(text)] == [m.span() for m in fast.finditer(text)], text
    assert ascii_digits(re.compile(r"[\d-]+\\d")).pattern == r"[0-9-]+\\d"     # (an escaped backslash, then d)
    other = re.compile(r"\D\d")
    assert ascii_digits(other) is other
    finder = PhoneFinder(("US", "GB"))
    assert finder._walker("tél. 020 7946 0018") is finder._fast_latin
    assert finder._walker("\u0660\u0662\u0660 7946 0018") is finder._fast
    assert finder._walker("\uff10\uff12\uff10") is finder._fast


def test_a_second_numbers_start_is_found_where_libphonenumber_finds_one():
    """``occurs_in`` (one search per character of the class a pattern begins with) tells
    whether libphonenumber's pattern of a second number's start ("/ x") occurs in a text as its
    own search does; a pattern of another shape is searched as it is."""
    from phonenumbers.phonenumbermatcher import _SECOND_NUMBER_START_PATTERN as second

    from dataguard.detect.phone import occurs_in
    rnd, found = random.Random(47), 0
    test = occurs_in(second)
    for _ in range(3000):
        text = "".join(rnd.choice(["/", "\\", " ", "x", "X", "1", "a", "/ ", " x"]) for _ in range(rnd.randint(0, 12)))
        assert test(text) == (second.search(text) is not None), text
        found += test(text)
    assert 300 < found < 2700
    for pattern in (re.compile(r"[^/]x"), re.compile(r"[ab]c|d"), re.compile(r"[\d/]+x")):
        for text in ("ax", "/x", "d", "bc", "12/x", "x"):
            assert occurs_in(pattern)(text) == (pattern.search(text) is not None), (pattern, text)


def test_the_international_prefix_is_tried_once_per_group_only_when_that_is_exact():
    """An international prefix without lookaround or anchor that opens a digit string opens every
    longer one: ``_refused`` then tries it on the longest string from each group only, and
    refuses exactly what trying it on every string refuses."""
    from dataguard.detect.phone import _LOOKS_AROUND, PhoneFinder, PhoneGate
    once, every = PhoneGate(GATE_REGIONS), PhoneGate(GATE_REGIONS)
    assert once._refusal[2] is True
    every._refusal = every._refusal[:2] + (False,)
    rnd = random.Random(13)
    texts = list(_random_texts(600, seed=17)) + [
        " ".join(rnd.choice([decoy(rnd), phone_number(rnd), f"00 {rnd.randint(1, 999)} {rnd.randint(10 ** 4, 10 ** 8)}",
                             f"0 11-{rnd.randint(100, 999)}", f"1 000,00 {rnd.randint(10, 99)}"])
                 for _ in range(30)) for _ in range(40)]
    walker = PhoneFinder(GATE_REGIONS)
    refused = kept = 0
    for text in texts:
        for _, _, cand in walker._steps(text):
            if cand:
                r = once._refused(cand)
                assert r == every._refused(cand), cand
                refused, kept = refused + r, kept + (not r)
    assert refused > 100 and kept > 100
    assert not _LOOKS_AROUND.search("(?:00)|(?:011)|00[1-9]")
    assert all(_LOOKS_AROUND.search(p) for p in ("0(?=1)", "00(?!9)", "00$", r"\b00", r"00\Z", "(?i)00"))


def test_a_full_width_plus_opens_an_international_number():
    """libphonenumber reads '＋' (and the full-width brackets before it) as '+': so does the gate,
    and such a number is found, written as a phone number is."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder, written_as_a_phone_number
    for regions, text in ((["US"], "tel ＋44 20 7946 0958 ok"), (["FR"], "tel （＋44） 20 7946 0958 ok"),
                          (["VI", "FR"], "＋１３４０６４２１２３４ 08840123 45")):
        want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        found = PhoneFinder(regions).find(text)
        assert want and {(m.start, m.end) for _, m in found} == want, text
    [(_, m)] = PhoneFinder(["US"]).find("tel ＋44 20 7946 0958 ok")
    assert written_as_a_phone_number(m.raw_string, m.number)


def test_gate_examples():
    from dataguard.detect.phone import PhoneGate
    gate = PhoneGate(["US", "GB", "FR", "CH", "KE"])
    assert gate.regions_for("4111 1111 1111 1111") == []      # a card number: no reading is valid
    assert "US" in gate.regions_for("(212) 555-0143")
    assert gate.regions_for("020 7946 0958") == ["GB"]
    assert gate.regions_for("+254 722 123 456") == ["US"]     # international: the first region parses it
    assert gate.regions_for("+211 964 304 290") == []         # no valid South Sudan number
    assert gate.regions_for("9999999999999999999") == []
    assert "GB" in gate.regions_for("0044 7400 129663 x12 ")  # an extension is set aside


def test_a_number_written_without_a_required_national_prefix_is_refused():
    """Dates and codes that read as a national number lacking the prefix its country requires
    never reach the parser; written with the prefix (or the country code) they do."""
    from dataguard.detect.phone import PhoneGate
    gate = PhoneGate(["US", "GB", "FR", "CH", "KE"])
    for date in ("2017-12-25", "2004-06-11", "20.12.1985", "569 991 3035"):
        assert gate.regions_for(date) == [], date
    assert gate.regions_for("020 171225") == ["KE"]          # Nairobi, with its national prefix
    assert "KE" in gate.regions_for("254 20 2016027")         # the country code in front: no prefix needed
    assert "FR" in gate.regions_for("01 42 68 53 00")


def test_the_national_prefix_rule_reads_the_digits_of_an_extension_as_the_matcher_does():
    """The matcher looks for the national prefix in every digit it parsed, an extension's
    too: "800125055 ext. 44" is a Belarusian number though "800125055" alone is not."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(["BY"])
    for text in ("Call 800125055 ext. 44 today", "ref 800123456 x12) n", "fax:8011234567 #3) f",
                 "tel 8001234567;ext=5, n", "tel 800125055 today"):
        want = {(m.start, m.end) for m in PhoneNumberMatcher(text, "BY", leniency=1)}
        assert {(m.start, m.end) for _, m in finder.find(text)} == want, text
    assert {(m.start, m.end) for _, m in finder.find("Call 800125055 ext. 44 today")} == {(5, 22)}


@pytest.mark.parametrize("seed", [4, 5])
def test_the_gate_matches_the_matcher_on_date_dense_text(seed):
    """Text full of dates, times and codes (the readings the national-prefix rule refuses) and
    numbers with and without their prefix: the same matches as the unrestricted matcher."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    rnd = random.Random(seed)
    parts = []
    for _ in range(1500):
        parts.append(rnd.choice([decoy(rnd), phone_number(rnd), f"{rnd.randint(1950, 2026)}{rnd.randint(1, 12):02d}"
                                 f"{rnd.randint(1, 28):02d}", f"0{rnd.randint(10 ** 8, 10 ** 9)}",
                                 f"{rnd.randint(1, 28)}.{rnd.randint(1, 12)}.{rnd.randint(1950, 2026)}"]))
        parts.append(rnd.choice([",", " ", "\n", ";", " | "]))
    text = "".join(parts)
    finder = PhoneFinder(GATE_REGIONS)
    want = {(m.start, m.end) for r in GATE_REGIONS for m in PhoneNumberMatcher(text, r, leniency=1)}
    assert {(m.start, m.end) for _, m in finder.find(text)} == want
    assert len(want) > 100


def test_with_an_unjudged_region_the_others_are_still_gated():
    """Brazil and Argentina rewrite digits while parsing (a prefix transform rule): every candidate
    with the digits a reading there needs goes to their matcher. The other configured regions keep
    the early refusal: the gate admits
    what it admits without it, and the finder finds the numbers the unrestricted matchers find
    (an international number once, in the first region that reads it: Presidio keeps one per span)."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder, PhoneGate
    regions = ["US", "BR", "GB", "AR", "KE"]
    fast, whole = PhoneGate(regions), PhoneGate(regions)
    assert fast._refusal is not None and fast._unjudged == ["BR", "AR"]
    whole._refusal = None
    rnd = random.Random(23)
    texts = list(_random_texts(400, seed=29)) + KNOWN + [
        " ".join(rnd.choice([decoy(rnd), phone_number(rnd), f"0{rnd.randint(10 ** 5, 10 ** 10)}",
                             f"(0{rnd.randint(11, 99)}) 15-{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}",
                             f"0xx{rnd.randint(11, 99)} 9{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}"])
                 for _ in range(40)) for _ in range(40)]
    finder, refused = PhoneFinder(regions), 0
    for text in texts:
        for _, _, cand in finder._walk(text):
            if cand:
                refused += fast._refused(cand)
                assert fast.regions_for(cand) == whole.regions_for(cand), cand
        want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        assert {(m.start, m.end) for _, m in finder.find(text)} == want, text
    assert refused > 200


def test_regions_that_rewrite_digits_pass_every_run_with_digits_enough():
    """A region whose national prefix rule rewrites digits (Argentina: "0351 15-412 3456" is read
    as 9 351 412 3456) passes every run with at least the digits a reading needs: the shortest
    number of its country code (10) less the digits the rule adds (the '9'), or a run its
    international prefix opens."""
    from phonenumbers import PhoneNumberMatcher

    from types import SimpleNamespace

    from phonenumbers import PhoneMetadata

    from dataguard.detect.phone import PhoneFinder, PhoneGate, added_by_prefix_rule
    gate = PhoneGate(["AR"])
    md = PhoneMetadata.metadata_for_region
    assert gate.least_digits == {"AR": 9} and added_by_prefix_rule(md("AR")) == 1 and added_by_prefix_rule(md("AG")) == 3
    assert added_by_prefix_rule(md("US")) == 0 and added_by_prefix_rule(md("BR")) == 0
    # not bounded so: groups that may nest, a group in a lookahead (past what the prefix consumed)
    for pattern, rule in (("((\\d)\\d)", "\\1\\2"), ("0(?=(\\d{3}))", "\\1")):
        assert added_by_prefix_rule(SimpleNamespace(national_prefix_for_parsing=pattern,
                                                    national_prefix_transform_rule=rule)) is None
    # San Marino's rule adds 4 digits, and again after its country code (378): 8 - 5
    assert PhoneGate(["SM"]).least_digits == {"SM": 3}
    assert gate.regions_for("12") == [] and PhoneFinder(["AR"]).admitted("12") == frozenset()
    assert gate.regions_for("12345678") == [] and gate.regions_for("123456789") == ["AR"]
    assert gate.regions_for("0351 15-412 3456") == ["AR"]
    assert gate.regions_for("00 44 1234") == ["AR"]          # its international prefix opens it
    for text in ("0351 15-412 3456", "351 412 3456", "00 44 20 7946 0958"):
        assert list(PhoneNumberMatcher(text, "AR", leniency=1))


@pytest.mark.parametrize("regions", [["BR"], ["AR", "JP"], ["AG", "GG", "MG", "SM"], ["US", "NF", "CC", "GA"]])
def test_regions_that_rewrite_digits_find_what_their_matcher_finds(regions):
    """Regions with a national prefix transform rule, gated by their fewest digits only: the
    finder finds the numbers the unrestricted matcher finds, in text dense with short and long
    numbers of their own formats and others."""
    from phonenumbers import PhoneNumberMatcher, example_number, format_number

    from dataguard.detect.phone import PhoneFinder
    rnd = random.Random(len(regions))
    own = [format_number(example_number(r), PhoneNumberFormat.NATIONAL) for r in regions]
    d = lambda n: "".join(rnd.choice("0123456789") for _ in range(n))      # noqa: E731
    texts = list(_random_texts(150, seed=31)) + [
        " ".join(rnd.choice([decoy(rnd), phone_number(rnd), rnd.choice(own), rnd.choice(own)[:-3] + d(3), d(rnd.randint(4, 12)),
                             f"0{d(2)} 15-{d(3)}-{d(4)}", f"{d(3)}-{d(4)}", f"00 {d(2)} {d(rnd.randint(3, 9))}"])
                 for _ in range(40)) for _ in range(30)]
    finder = PhoneFinder(regions)
    found = 0
    for text in texts:
        want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        assert {(m.start, m.end) for _, m in finder.find(text)} == want, text
        found += len(want)
    assert found > 50


# ------------------------------------------------------------------ triggers and windows
def value(rnd: random.Random) -> str:
    """A value of some recognizer, or something that looks like one."""
    d = lambda n: "".join(rnd.choice("0123456789") for _ in range(n))      # noqa: E731
    return rnd.choice([
        phone_number(rnd), decoy(rnd), f"{d(3)}-{d(2)}-{d(4)}", f"{d(3)} {d(2)} {d(4)}", d(9), f"{d(5)}-{d(4)}",
        f"{d(3)} {d(3)} {d(4)}", f"{d(4)} {d(4)} {d(4)}", f"9{d(2)}-7{d(1)}-{d(4)}", d(rnd.randint(8, 17)),
        f"DE{d(2)} {d(4)} {d(4)} {d(4)} {d(4)} {d(2)}", f"GB{d(2)}WEST{d(14)}", f"fr{d(2)}{d(23)}",
        f"{rnd.choice(['jane.doe', 'a_b', 'x'])}@{rnd.choice(['unhcr.org', 'mail.co.uk', 'example.com'])}",
        f"https://{rnd.choice(['www.', ''])}site{d(2)}.org/p?q={d(3)}", f"10.{d(1)}.{d(2)}.{d(1)}", "fe80::1ff:fe23:4567:890a",
        f"AB{d(6)}C", f"C{d(8)}", f"AB{d(7)}", f"{d(3)} {d(3)} {d(3)}", f"password={d(4)}Xy!", f"ABCPD{d(4)}K",
        f"{rnd.choice('ABFMPR')}9{d(7)}",      # a DEA number's second form (letter, 9, seven digits)
        secret(rnd),
    ])


def secret(rnd: random.Random) -> str:
    """A credential as configuration files, logs and scripts write them, or a near miss: long
    values (a JWT of a few KB, a quoted pass phrase with spaces) reach far past their key."""
    import base64
    import json

    def b64(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    def w(n: int) -> str:
        return "".join(rnd.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(n))
    claims = {"sub": w(8), "roles": [w(12) for _ in range(rnd.randint(1, 120))]}
    jwt = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(claims)}.{w(43)}"
    key = rnd.choice(["api_key", "ApiKey", "client_secret", "SESSION_ID", "sessionid", "refresh_token", "token",
                      "ENCRYPTION_KEY", "db_password", "spring.datasource.password", "PGPASSWORD", "mot_de_passe",
                      "evicted key", "next session", "secretary", "key"])
    sep = rnd.choice(["=", ": ", " = ", '":"', " := ", "=>", ": \t", " ", "\u00a0: ", " =\n  ", "\u2003=\u202f",
                      ":" + " " * rnd.choice([31, 33, 300]), "=\n" + "\n" * rnd.choice([5, 40])])
    if rnd.random() < 0.1:      # look-alikes a case-insensitive pattern would fold: Kelvin sign, dotted capital I
        key = key.replace("k", "\u212a").replace("K", "\u212a").replace("i", "\u0130")
    phrase = " ".join(w(rnd.randint(3, 9)) for _ in range(rnd.randint(1, 14)))
    return rnd.choice([
        jwt, f"Authorization: Bearer {jwt}", f"Bearer {w(rnd.randint(20, 400))}", f"{key}{sep}{w(rnd.randint(8, 300))}",
        f'{key}{sep}"{phrase}"', f"ghp_{w(36)}", f"github_pat_{w(rnd.randint(60, 90))}", f"xoxb-{w(rnd.randint(10, 60))}",
        f"sk_live_{w(30)}", f"postgresql://app:{w(rnd.randint(3, 40))}@db{rnd.randint(0, 99)}.example.net:5432/hr",
        f"{key}{sep}{w(3)}", f"AKIA{w(16).upper()}", f"Asia{w(16)}", f"aws_secret_access_key{sep}{w(40)}",
        f"AWS private key for {w(6)}{sep}{w(40)}", f"mysql -u root -p{w(10)}", f"ConvertTo-SecureString{sep}'{w(12)}'",
        f"IDENTIFIED BY{' ' * rnd.choice([1, 40])}'{w(10)}'", f"password_{w(rnd.choice([10, 70, 300]))}={w(12)}",
        f"<db_password>{w(12)}</db_password>",
    ])


def dense_text(seed: int, n: int) -> str:
    rnd = random.Random(seed)
    words = ["the", "card", "ssn", "NHS", "IBAN", "tax file number", "passport", "account", "ITIN", "aadhaar",
             "medical", "bank", "call", "ref", "order", "Version", "on", "and", "(", ")", ",", ";", "\n", "_"]
    parts = []
    for _ in range(n):
        parts.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(0, 4))))
        parts.append(rnd.choice([" ", "", ":", " no. ", "-", "_", "é"]))
        parts.append(value(rnd))
        parts.append(rnd.choice([" ", ", ", "\n", ".", "_", "é", "\t"]))
    return "".join(parts)


@pytest.mark.parametrize("hyperscan", [False, True])
@pytest.mark.parametrize("seed,turkish", [(11, False), (12, False), (13, True)])
def test_windows_around_triggers_find_what_the_whole_text_gives(seed, turkish, hyperscan, monkeypatch):
    """Every recognizer run where its trigger says (windows) gives what it gives on the whole text
    (also when lower-casing would make some characters two: 'İ'), with the triggers found by
    Python's regexes (a scan's first characters, when the cache folder holds no Hyperscan
    database) and by Hyperscan (which reads a character beyond Latin-1 as '?')."""
    from dataguard.detect import Detector, triggers
    from dataguard.detect.windows import run_windowed
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    if hyperscan and triggers._hs is None:
        pytest.skip("hyperscan wheel not installed on this platform")
    det = Detector(ner=False)
    if hyperscan:
        det._triggers._accelerate()
    assert det._triggers.accelerated == hyperscan
    text = dense_text(seed, 3000)
    if turkish:
        # (after a space: glued to "039." Presidio's URL pattern reads ".İL" as Israel's ".il" under
        # case folding, which the ASCII URL trigger does not)
        text = re.sub(r"(?<= )the", "\u0130LET\u0130\u015e\u0130M", text)
    hits = det._triggers.find(text)
    compared = 0
    for t in det._recognizers:
        whole = {(r.entity_type, r.start, r.end, r.score) for r in t.recognizer.analyze(text, t.entities, None)}
        windowed = {(r.entity_type, r.start, r.end, r.score) for r in run_windowed(t, text, hits)}
        if t.needs_context:     # (US bank numbers: only those near a context word count, and are looked for)
            near = {w for w in whole if re.search(r"(?i)\b(?:%s)" % "|".join(map(re.escape, t.words)),
                                                  text[max(0, w[1] - 60):w[1]])}
            assert near <= windowed <= whole, t.name
            continue
        assert windowed == whole, t.name
        compared += bool(whole)
    assert compared >= 10



@pytest.mark.parametrize("headed", [False, True])
def test_the_recognizers_left_out_of_a_chunk_would_find_nothing_there(headed, monkeypatch):
    """``RunPlan.runnable`` leaves out a recognizer only where ``run_windowed`` gives nothing: on
    short and long texts, with and without the triggers of each recognizer (dense text, a
    file's name, words alone), read without and with a header holding context words; the
    recognizers it keeps are in the detector's order."""
    from dataguard.detect import Detector
    from dataguard.detect.context import in_external
    from dataguard.detect.windows import run_windowed
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    det = Detector(ner=False, countries=("US", "GB", "FR", "DE", "IN"))
    header = ["routing number", "account", "passport", "phone"] if headed else []
    texts = [dense_text(21, 800), dense_text(22, 40), "report-2024-03.txt", "Passport no. and the ABA routing",
             "nothing to see here at all", "DE89 3704 0044 0532 0130 00 and 4111 1111 1111 1111", ""]
    left_out = 0
    for text in texts:
        hits = det._triggers.find(text)
        kept = det._plan.runnable(hits, bool(header))
        assert kept == [t for t in det._recognizers if t in kept]
        for t in det._recognizers:
            if t in kept:
                continue
            left_out += 1
            ungated = t.needs_context and bool(header) and in_external(t.context, header)
            assert run_windowed(t, text, hits, ungated) == [], (t.name, text[:30])
    assert left_out > 100


@pytest.mark.parametrize("hyperscan", [False, True])
def test_recognizers_whose_matches_are_their_triggers_find_on_narrow_windows_what_the_whole_text_gives(hyperscan, monkeypatch):
    """The recognizers whose every match is a match of their trigger (``Traits.tight``: SSN, NHS,
    passport, ITIN, Aadhaar, TFN) run on narrow windows and find what the whole text gives: also
    next to letters and digits beyond ASCII (Hyperscan's word boundaries do not know them; a
    text holding such digits has its triggers found by Python's regexes, whose hits never
    overlap: "127.943 487 256" is one hit, "127.943 487", and a TFN after it)."""
    from dataguard.detect import Detector, triggers
    from dataguard.detect.entities import TIGHT_PAD, traits
    from dataguard.detect.windows import run_windowed
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    if hyperscan and triggers._hs is None:
        pytest.skip("hyperscan wheel not installed on this platform")
    det = Detector(ner=False, countries=("US", "GB", "IN", "AU"))
    if hyperscan:
        det._triggers._accelerate()
    rnd = random.Random(17)
    text = "".join(rnd.choice(["", " ", "é", "\u0663", "a", "-", ".", ":", "\n"]) +
                   "".join(rnd.choice("0123456789 -.:") for _ in range(rnd.randint(8, 16))) for _ in range(20000))
    hits = det._triggers.find(text)
    tight = [t for t in det._recognizers if t.entity_trigger and traits(t.entity_trigger).tight]
    assert {t.entity_trigger for t in tight} == {"US_SSN", "UK_NHS", "US_PASSPORT", "US_ITIN", "IN_AADHAAR", "AU_TFN"}
    for t in tight:
        assert t.pad == TIGHT_PAD
        whole = {(r.entity_type, r.start, r.end, r.score) for r in t.recognizer.analyze(text, t.entities, None)}
        assert {(r.entity_type, r.start, r.end, r.score) for r in run_windowed(t, text, hits)} == whole, t.name
        assert len(whole) >= 10, t.name


def test_a_word_gated_recognizer_runs_on_windows_in_turkish_text():
    """Lower-cased, 'İ' is two characters ('i' and a combining dot): the trigger words are found
    in a lower-cased copy that keeps every offset, so a recognizer gated by words still runs only
    around them, and finds its match where it is, after hundreds of 'İ'."""
    from dataguard.detect import Detector
    from dataguard.types import Chunk, Unit
    det = Detector(ner=False, entities=["HEALTH_TERM"])
    (health,) = [t for t in det._recognizers if t.name == "dataguard-health"]
    seen = []
    analyze = health.recognizer.analyze

    def spy(text, *a, **k):
        seen.append(len(text))
        return analyze(text, *a, **k)
    health.recognizer.analyze = spy
    text = "İSTANBUL OFİSİ İLETİŞİM BİLGİLERİ\n" * 300 + "The patient was diagnosed with tuberculosis in May.\n" \
        + "İZMİR ŞUBESİ\n" * 300
    unit = Unit(target="/t", uri="/t/a.txt", path="a.txt")
    ((_, matches),) = det.analyze([Chunk(unit=unit, text=text)])
    assert ("HEALTH_TERM", "tuberculosis") in {(m.entity_type, text[m.start:m.end]) for m in matches}
    assert seen and max(seen) < 1000      # windows around "diagnosed"/"tuberculosis", not the 14,000 characters


# (entity, recognizer, noise that opens none of its windows, lines planted in it, the values found there)
_QUIET_NOISE = {
    # a deployment log's host and process names ("app-prod-3", "unix-process") and its links; a
    # command line's "-p" after a space (of any script: pasted from a wiki, a no-break space),
    # and a URL holding a password before its host
    "password": ("SECRET_PASSWORD", "dataguard-password",
                 "deploy app-prod-3 unix-process cim-provisioning dc-plus restarted\n"
                 "GET https://www.example.org/a?b=1 http://10.1.2.3:8080/health ftp://mirror.example.net/x\n",
                 ["run: mysql -u root -pW7vq9Lmx2K hr\n", "dsn=postgresql://app:Zq8vN3xwTe@db.example.net/hr\n",
                  "run: mysql -u root\u00a0-pK4mz8Qw2Lp hr\n", "run: mysql -u root\u3000-pT6nb3Xv9Rs hr\n"],
                 ["W7vq9Lmx2K", "Zq8vN3xwTe", "K4mz8Qw2Lp", "T6nb3Xv9Rs"]),
    # an auth log's "pam_unix(sshd:session):" (no quote or space of any script between "session"
    # and its colon); a session id keyed in the same log
    "token": ("SECRET_TOKEN", "dataguard-token",
              "Mar  3 10:01:02 web1 sshd[811]: pam_unix(sshd:session): session opened for user deploy(uid=0)\n",
              ["Mar  3 10:01:03 web1 app: login ok session_id = 'q9ZpX4vRt7LmW2sKe8Hd'\n"], ["q9ZpX4vRt7LmW2sKe8Hd"]),
}


@pytest.mark.parametrize("hyperscan", [False, True])
@pytest.mark.parametrize("case", sorted(_QUIET_NOISE))
def test_lines_a_secrets_pattern_cannot_match_open_no_window(case, hyperscan, monkeypatch):
    """Log lines full of what a secret recognizer's trigger once took for its cue open no window
    of it; the secrets planted between them are found."""
    from dataguard.detect import Detector, triggers
    from dataguard.types import Chunk, Unit
    entity, name, noise, planted, expected = _QUIET_NOISE[case]
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    if hyperscan and triggers._hs is None:
        pytest.skip("hyperscan wheel not installed on this platform")
    det = Detector(ner=False, entities=[entity])
    if hyperscan:
        det._triggers._accelerate()
    (rec,) = [t for t in det._recognizers if t.name == name]
    noise *= 200
    assert not any(det._triggers.find(noise).get(n) for n in (rec.name, rec.name + "/exact"))
    text = noise + noise.join(planted) + noise
    ((_, matches),) = det.analyze([Chunk(unit=Unit(target="/t", uri="/t/a.log", path="a.log"), text=text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == entity] == expected


def _pack_texts(rnd: random.Random, examples: list, n: int) -> list:
    """Texts made of the examples, pieces of them and noise: where the patterns match, nearly match or not."""
    noise = "0123456789 -/.:_ABCDEFGHKLMNPRSTXYZabcehkmnprstz\n\t\u00e9C"
    out = list(examples)
    for _ in range(n):
        parts = []
        for _ in range(rnd.randint(1, 4)):
            e = rnd.choice(examples)
            i, j = sorted(rnd.randint(0, len(e)) for _ in range(2))
            piece = e[i:j] if rnd.random() < 0.5 else e
            if rnd.random() < 0.5 and piece:
                k = rnd.randrange(len(piece))
                piece = piece[:k] + rnd.choice(noise) + piece[k + 1:]
            parts.append(piece)
            parts.append("".join(rnd.choice(noise) for _ in range(rnd.randint(0, 6))))
        out.append("".join(parts))
    return out


def test_a_packs_joined_patterns_find_something_exactly_where_one_of_them_does():
    """A rule-pack recognizer with several patterns runs them only where their joined pattern finds
    something: for every shipped pack, the joined search and the separate ones agree on every text."""
    from dataguard.detect import known_entities
    from dataguard.detect.registry import _custom
    from dataguard.rules import load_packs
    rnd = random.Random(5)
    specs = [r for p in load_packs(None, known_entities()) for r in p.recognizers]
    examples = []
    import yaml

    from dataguard.rules.model import PackModel
    from tests.conftest import ROOT
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        model = PackModel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for r in model.recognizers:
            examples += [e.text for e in r.examples.match] + list(r.examples.nomatch)
    texts = _pack_texts(rnd, examples, 3000)
    joined = 0
    for spec in specs:
        if len(spec.patterns) < 2 or spec.deny_list:
            continue
        [rec] = [t.recognizer for t in _custom(spec, "en")]
        assert rec._any is not None, f"{spec.entity}: its patterns are searched one by one"
        joined += 1
        alone = [r.rx for r in rec._regexes]
        hits = 0
        for t in texts:
            found = any(p.may_match(t) for p in alone)
            assert rec._any.may_match(t) == found, (spec.entity, t)
            hits += found
        # both sides were tried (the recognizer's own examples are among the texts: at least one matches;
        # how many of the random mixes do depends on how many examples the packs have)
        assert 1 <= hits <= len(texts) - 5, (spec.entity, hits)
    assert joined >= 4


@pytest.mark.parametrize("second", [r"(\d)-\1", r"(?i)abc", r"(?|(a)|(b))x", r"(\w)(?1)x", r"(a)?(?(1)a|b)",
                                    r"a(*SKIP)(*F)|b", r"(?P<w>q)\g<w>", r"(?P<w>q)(?P=w)", r"(?R)?x"])
def test_patterns_that_mean_something_else_joined_are_searched_alone(second):
    """Group references, inline global flags, branch resets, recursion, conditionals, verbs."""
    from dataguard.detect.bounded import BoundedPattern
    first = BoundedPattern(r"(?P<v>CASE-\d+)", 0, 1.0)
    assert BoundedPattern.any_of([first, BoundedPattern(second, 0, 1.0)]) is None
    assert BoundedPattern.any_of([first, BoundedPattern(r"(?i:x)\d{2}(?-i:C)", 0, 1.0)]) is not None


def test_a_joined_pattern_is_compiled_when_first_searched_and_one_that_fails_says_maybe():
    """Built with the detector, compiled only in the worker that searches with it (start-up);
    a joined pattern that does not compile makes each pattern be searched, it raises nothing."""
    from dataguard.detect.bounded import BoundedPattern
    joined = BoundedPattern.any_of([BoundedPattern(r"(?P<v>AB-\d{4})", 0, 1.0), BoundedPattern(r"CD-\d{4}", 0, 1.0)])
    assert joined._rx is None
    assert joined.may_match("x CD-1234") and not joined.may_match("x CD-12 cd-1234")
    assert joined._rx is not None
    broken = BoundedPattern("(?:a|(b)", 0, 1.0)
    assert broken.may_match("nothing here") and broken.may_match("b")


@pytest.mark.parametrize("second, joined", [(r"(?P<v>CD-\d{4})", True), (r"(?P<v>CD-(\d)\d\d\d)(?!\1)", False)])
def test_a_packs_patterns_find_their_matches_joined_or_alone(second, joined):
    """Two patterns naming the same group are joined (the regex module allows it); one with a group
    reference is not: either way every pattern's matches are found."""
    from dataguard.detect import Detector
    from dataguard.types import Chunk, PatternSpec, RecognizerSpec, Unit
    spec = RecognizerSpec(entity="CODE", pack="p", patterns=(PatternSpec("a", r"(?P<v>AB-\d{4})", 0.9),
                                                            PatternSpec("b", second, 0.9)))
    det = Detector(entities={"CODE"}, custom=(spec,), ner=False)
    [rec] = [t.recognizer for t in det._recognizers if "CODE" in t.entities]
    assert (rec._any is not None) == joined
    text = "see ab-1234 and cd-5678 here, not ab-12 or cd-123"
    [(_, matches)] = det.analyze([Chunk(unit=Unit(target="x", uri="x", path="x"), text=text)])
    assert sorted((m.start, m.end) for m in matches) == [(4, 11), (16, 23)]


def test_no_valid_number_anywhere_is_shorter_than_the_finders_bound():
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

    from dataguard.detect.phone import FEWEST_INTERNATIONAL, shortest_number
    world = []
    for cc, names in COUNTRY_CODE_TO_REGION_CODE.items():
        for name in names:
            md = PhoneMetadata.metadata_for_nongeo_region(cc) if name == "001" else PhoneMetadata.metadata_for_region(name)
            n = shortest_number(md) if md is not None else None
            if n is not None:
                world.append(len(str(cc)) + n)
    assert min(world) >= FEWEST_INTERNATIONAL


@pytest.mark.parametrize("regions", [GATE_REGIONS, ("US", "AR"), ("BR",)])
def test_the_walk_leaves_out_only_candidates_too_short_to_be_admitted(regions):
    """``_long_steps`` leaves out the candidates of fewer than ``_fewest_characters`` characters
    (the fewest digits, or the digits after a '+' and the '+'): ``admitted`` admits none of
    them, with a plus sign of either width, brackets or separators."""
    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(regions)
    rnd = random.Random(59)
    pieces = ["+", "\uff0b", "(", " ", "-", "0", "1", "7", "9", "00", "\u0661"]
    for _ in range(3000):
        cand = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 6)))[:finder._fewest_characters - 1]
        assert finder.admitted(cand) == frozenset(), cand


# ------------------------------------------------------------------ NER on regions
FIRST = ["Amina", "Jean", "Grace", "Mohammed", "Sofia", "Peter", "Fatima", "Lucy", "David", "Ibrahim", "Nadia", "Omar"]
LAST = ["Okafor", "Mbala", "Achieng", "Lindqvist", "Okello", "Diallo", "Garang", "Wanjiru", "Hassan", "Mensah"]
PROSE = ["The working group reviewed the logistics plan for the rainy season and agreed on the revised schedule.",
         "The Nairobi Regional Office approved the Emergency Response Plan for the Upper Nile region.",
         "Fuel prices rose again in Juba and Bor, and the convoy to Malakal was postponed.",
         "Order INV-2024-000123 of 12/03/2024 was reconciled for USD 1,240.50."]


@pytest.mark.model
def test_ner_on_regions_finds_the_names_spacy_finds_in_the_whole_text(detector):
    """NER runs on +-40 characters around name candidates: on long dense lines it still finds
    every person the model finds when it reads the whole text."""
    from dataguard.types import Chunk, Unit
    rnd = random.Random(3)
    sentences = []
    for _ in range(60):
        sentences.append(rnd.choice(PROSE))
        sentences.append(rnd.choice(["Please contact {} on +41 22 917 1234.", "{} called about the payment.",
                                     "Mr. {} asked for the report.", "The budget holder, {}, signed it."])
                         .format(f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"))
    text = " ".join(sentences)                       # one long line, as in an export
    whole = {(e.start_char, e.end_char) for e in detector._runner("en").nlp(text).ents if e.label_ == "PERSON"}
    names = {(s, e) for s, e in whole if len(text[s:e].split()) == 2}
    [(_, matches)] = list(detector.analyze([Chunk(unit=Unit(target="/t", uri="/t/f.txt", path="f.txt"), text=text)]))
    found = {(m.start, m.end) for m in matches if m.entity_type == "PERSON"}
    assert len(names) > 20
    assert names <= found


@pytest.mark.model
def test_the_english_pipeline_drops_a_shared_encoder_nothing_listens_to():
    """The English NER embeds its own encoder: without the shared tok2vec it finds the same
    entities (the pipeline dataguard loads has none); the French NER listens to it (kept).
    Its layers' matrix products run on numpy's BLAS, not on spaCy's default blis: the same
    entities too (the pipeline compared with is spaCy's default)."""
    import spacy

    from dataguard.detect.models import MODELS, load_nlp
    ours = load_nlp("en")
    assert ours.pipe_names == ["ner"] and "tok2vec" in load_nlp("fr").pipe_names
    ops = ours.get_pipe("ner").model.ops
    assert type(ops).__name__ == "NumpyOps" and ops.use_blis is False
    full = spacy.load(MODELS["en"], exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"])
    assert "tok2vec" in full.pipe_names
    rnd = random.Random(8)
    texts = [" ".join(rnd.choice(PROSE) for _ in range(3)) + f" {rnd.choice(FIRST)} {rnd.choice(LAST)} signed it."
             for _ in range(80)]
    ents = [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in full.pipe(texts)]
    assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in ours.pipe(texts)] == ents
    assert sum(map(len, ents)) > 80


@pytest.mark.model
def test_ner_runs_on_one_blas_thread_and_gives_the_process_its_threads_back(detector, monkeypatch):
    """spaCy's products run on one BLAS thread while NER runs (a scan's workers are one core
    each), and the process's own number of threads is back after it (a library user's numpy)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from dataguard.detect import ner
    from dataguard.types import Chunk, Unit

    def blas_threads() -> set:
        return {p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"}
    seen, pipe = [], ner.pipe

    def watched(nlp, texts):
        seen.append(blas_threads())
        return pipe(nlp, texts)
    monkeypatch.setattr(ner, "pipe", watched)
    unit = Unit(target="/t", uri="/t/n.txt", path="n.txt")
    with threadpool_limits(limits=2, user_api="blas"):
        list(detector.analyze([Chunk(unit=unit, text="The form was signed by Margaret Okonkwo-Bello on Monday.")]))
        assert blas_threads() == {2}
    assert seen and all(s == {1} for s in seen)


@pytest.mark.model
def test_a_surname_in_capitals_before_the_given_name_is_a_name_in_prose(detector):
    """Registers and logs write the surname first in capitals ("OWUSU Kwame", "MURIUKI, Evans"):
    such a name reaches the model and is reported whole (the model often tags it without its
    first capital word, or the given name alone); acronyms before a capitalised word (an
    agency, a desk) are not persons."""
    from dataguard.types import Chunk, Unit
    texts = {
        "2025-03-02 10:14 laptop (asset PO-4569592150) reported by SANDOVAL MENDOZA Tomás; last seen in the lobby.":
            ["SANDOVAL MENDOZA Tomás"],
        "Incident 442: vehicle stopped, driver OWUSU Kwame questioned at the checkpoint.": ["OWUSU Kwame"],
        "Approved by HASSAN AL-MASRI Samir on 12 May.": ["HASSAN AL-MASRI Samir"],
        '{"card": {"holder": "OKELLO Baraka"}, "cardholder": "BONDARENKO Radoslav Anastasia"}':
            ["OKELLO Baraka", "BONDARENKO Radoslav Anastasia"],
        "UNHCR Kenya reported that WFP Somalia and the ICT Service Desk will call back.": [],
        "NOTE Please read the SOP Annex and the HR Department memo before travel.": [],
        # acronyms, log levels and posts before a name are not part of it; an agency's office is no person
        "CC Sarah Connor on the travel request; approved: CEO Mark Johnson.": ["Sarah Connor", "Mark Johnson"],
        "2025-01-02 ERROR John Smith failed login": ["John Smith"],
        "Funds were sent by OCHA Kenya to the partner, said UNHCR Somalia.": [],
        # the surname in capitals and a comma before the given name the model tags
        "The DSA advance for MURIUKI, Evans (33813107) was approved by finance.": ["MURIUKI, Evans"],
        "The UNHCR, Evans and the team were there.": []}
    unit = Unit(target="/t", uri="/t/a.log", path="a.log")
    for chunk, matches in detector.analyze([Chunk(unit=unit, text=t) for t in texts]):
        assert [chunk.text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == texts[chunk.text]


@pytest.mark.model
def test_names_with_letters_beyond_latin_1_reach_ner(detector):
    """Name candidates and the name-shape check take Latin Extended letters (Czech, Polish,
    Turkish names): the persons the model finds there are reported."""
    from dataguard.types import Chunk, Unit
    texts = {"was approved by Šárka Šimková. Contact PO 180 136 4656 for details.": "Šárka Šimková",
             "Refund of 14970,38 EUR to card 3697-872930-4993, holder Ksawery Pędzik. Contact us.": "Ksawery Pędzik",
             "Please contact İmren Yüksel at jesse.jackson@safaricom.co.ke or on the phone.": "İmren Yüksel"}
    unit = Unit(target="/t", uri="/t/a.txt", path="a.txt")
    for chunk, matches in detector.analyze([Chunk(unit=unit, text=t) for t in texts]):
        assert [chunk.text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == [texts[chunk.text]]


def test_the_walk_searched_from_where_a_match_can_begin_takes_the_matchers_candidates():
    """The finder searches the matcher's pattern only from characters a match can begin with
    (brackets, plus signs, digits of any script): its steps are the pattern's successive matches."""
    from phonenumbers.phonenumbermatcher import _PATTERN

    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(("US", "GB"))
    assert finder._fast is not _PATTERN
    rnd = random.Random(5)
    pieces = ["+", "\uff0b", "(", "[", "\uff08", "\uff3b", ")", "-", " ", ".", "/", "x", "ext. ", "a", "\n",
              "\u0663\u0664", "\uff11\uff12", "12", "3", "4567", "890 12", "é"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        if finder._second.search(text):
            continue
        want, index = [], 0
        for m in _PATTERN.finditer(text):
            want.append((index, m.start(), m.group()))
            index = m.end()
        assert finder._steps(text) == want, text


@pytest.mark.parametrize("text", [
    "born 12/03/1978 call 020 7946 0018 today",
    "03/11/1978 555 1234, 9/7/21 +44 20 7946 0018",
    "ref 1/2/2023/0207946001 and 11/30/99 (212) 555-0123",
])
def test_a_candidate_with_a_date_in_slashes_is_given_up_as_the_matcher_does(text):
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    regions = ("US", "GB", "FR", "CH", "KE")
    finder = PhoneFinder(regions)
    want = {(m.start, m.end) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
    assert {(m.start, m.end) for _, m in finder.find(text)} == want
    # the gate alone would ask FR and KE to parse this one; the matcher gives it up for its date
    assert finder.gate.regions_for("1/2/2023/0207946001") and finder.admitted("1/2/2023/0207946001") == frozenset()


@pytest.mark.parametrize("regions", [("GB",), ("US", "GB", "FR"), ("CH", "KE", "US")])
def test_a_number_seen_again_is_found_as_the_matcher_finds_it_without_a_second_parse(regions, monkeypatch):
    """The same numbers again and again, between plain separators and in places where the
    matcher rejects them (a letter or '%' next to them, a time after them, a slash date): the
    finder finds what the matchers find; a text of numbers between plain separators only is
    parsed once per number and region."""
    from phonenumbers import PhoneNumberMatcher

    from dataguard.detect.phone import PhoneFinder
    numbers = ["+41 44 668 18 00", "020 7946 0958", "(201) 555-0123", "01 42 68 53 00", "0712 345678",
               "+1 212-555-0187", "07700 900461", "+254 712 345678"]
    rnd = random.Random(7)

    def text_of(contexts):
        return "".join(rnd.choice(contexts).format(rnd.choice(numbers)) for _ in range(150))
    mixed = text_of(["Call {} today. ", "{}\n", "x{} ", "{}y ", "{}:15 ", "{}% ", "tel: {}, ", "\t{}\t", "({}) ",
                     "ref{}/2024 "])
    plain = text_of(["Call {} today. ", "{}\n", "tel: {}, ", "\t{}\t", "{}; "])
    calls = []
    real = PhoneNumberMatcher._extract_match

    def counted(self, candidate, offset):
        calls.append(candidate)
        return real(self, candidate, offset)
    for text in (mixed, plain):
        want = {(m.start, m.end, m.raw_string) for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        monkeypatch.setattr(PhoneNumberMatcher, "_extract_match", counted)
        calls.clear()
        finder = PhoneFinder(regions)
        found = finder.find(text)
        monkeypatch.setattr(PhoneNumberMatcher, "_extract_match", real)
        assert {(m.start, m.end, m.raw_string) for _, m in found} == want
        assert len(want) > 30
        # a number found again has its own object, equal to the matcher's
        assert len({id(m.number) for _, m in found}) == len(found)
        numbers_at = {(r, m.start): m.number for r in regions for m in PhoneNumberMatcher(text, r, leniency=1)}
        assert all(m.number == numbers_at[r, m.start] for r, m in found)
    assert len(calls) <= len(numbers) * len(regions), calls


def test_a_presidio_pattern_past_its_time_limit_on_a_window_is_skipped_as_presidio_skips_it(monkeypatch, caplog):
    """A pattern that runs past Presidio's time limit loses that window's matches and the scan goes
    on (Presidio's own loop catches the timeout the same way); the log names the pattern, not the text."""
    import logging

    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer import pattern_recognizer as presidio_patterns

    from dataguard.detect.windows import _on_windows
    # (a second: the backtracking pattern never ends on 40 a's, the plain one takes microseconds, so
    # a busy machine's pauses cannot make it time out too)
    monkeypatch.setattr(presidio_patterns, "REGEX_TIMEOUT_SECONDS", 1.0)
    rec = PatternRecognizer(supported_entity="X_STUCK", name="stuck", patterns=[
        Pattern("backtracks", r"(a|aa)+$", 0.9), Pattern("plain", r"\bXK-\d{4}\b", 0.9)])
    secret = "s3cr3t-" + "a" * 40 + "!"
    text = f"ref XK-1234 then {secret} and XK-5678"
    with caplog.at_level(logging.WARNING, logger="dataguard.detect"):
        found = _on_windows(rec, text, [(0, 12), (12, len(text))])
    assert sorted((r.start, r.end) for r in found) == [(4, 11), (len(text) - 7, len(text))]
    assert "backtracks" in caplog.text and secret not in caplog.text


def test_numbers_standing_apart_in_columns_are_read_one_by_one(recognizers):
    """A contact sheet's or a fixed-width report's columns: two numbers three spaces apart are one
    candidate for libphonenumber's matcher, which finds neither; the recognizer reads each
    piece between runs of two spaces or more where the matcher found nothing. Where the matcher
    found a number (written with two spaces inside, or the second of two through an inner
    match), its reading stands; amounts, dates and references between such gaps give none."""
    fast, reference = recognizers
    text = ("  L2 Juma Ngowi........................ +250 793 126 631   00243 854 305455\n"
            "  L3 Hibo Hassan..................... 0786-217-564   0796-407-836\n"
            "  L3 Jane Wanjiku Mwangi............. (+254) 717 157088   0796-407-837\n"
            "  Switchboard +44  20 7946 0958\n"
            "  Invoice 2024  0001   PO 4411   total 12 500   ref 2026-03-01   room 2079  46\n")
    numbers = ["+250 793 126 631", "00243 854 305455", "0786-217-564", "0796-407-836", "(+254) 717 157088",
               "0796-407-837", "+44  20 7946 0958"]
    want = {(text.index(n), text.index(n) + len(n)) for n in numbers}
    matcher = {(r.start, r.end) for r in reference.analyze(text, ["PHONE_NUMBER"])}
    assert matcher < want and (text.index(numbers[0]), text.index(numbers[0]) + len(numbers[0])) not in matcher
    assert {(r.start, r.end) for r in fast.analyze(text, ["PHONE_NUMBER"])} == want


def test_the_pieces_apart_are_read_in_every_candidate_that_holds_a_gap():
    """``find`` hands ``_apart`` only the candidates that can hold a gap (two spaces, or characters
    beyond ASCII: no-break and ideographic spaces): it finds what ``_apart`` finds in every step
    of the walk, numbers between gaps of each kind among them."""
    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(["US", "GB", "FR", "CH", "KE"])
    rnd = random.Random(67)
    gaps = ["  ", "   ", "\u00a0\u00a0", " \u00a0", "\u3000\u3000", "\u3000 ", " ", "\u00a0", " - "]
    extra = 0
    for _ in range(400):
        text = rnd.choice(gaps).join(rnd.choice([phone_number(rnd), decoy(rnd), "0786-217-564", "+250 793 126 631"])
                                     for _ in range(rnd.randint(2, 5)))
        found = finder.find(text)
        steps = [s for s in finder._long_steps(text) if not (" " in s[2] and finder._time_stamp(text, s[1], s[2]))]
        want = [(r, m.start, m.end) for r, m in finder._apart(text, steps, found)]
        assert [(r, m.start, m.end) for r, m in finder.find(text, apart=True)] == want, text
        extra += len(want) - len(found)
    assert extra > 50


def test_form_fields_and_keyed_values_are_found_where_the_plain_search_finds_them():
    """The search of forms' fields and logs' quoted values, tried only on the lines that can
    hold one and where a match can begin, finds what the patterns' own search over the whole
    text finds: on random texts made of labels, separators, colons, quotes and line breaks. A
    form field's head has its field's start, label and value's start, and its whole field read
    from the head is the field (lines opening with a bracket, a quote or a dot, which are not
    tried, among them)."""
    from dataguard.detect import columns as C
    rnd = random.Random(3)
    pieces = ["a", "B", " ", "  ", ":", " : ", "....", "\n", "**", "__", "Name", "Chair", "Jo", "Do", "\t", "x",
              "1.", "- ", "='", "\"", "'", "=", "NOTE:", "\u3000", "\u00a0", "Évens", "2024-03-19 22:14", "é",
              "\n[", "\n{", "\n(", "\n.", ".....", "\n#", "²"]
    fields = keyed = quoted = 0
    for _ in range(6000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 50)))
        full = list(C._FORM_FIELD.finditer(text))
        heads = list(C._form_heads(text))
        assert [(h.start(), h.start("label"), h.end("label"), h.start("value")) for h in heads] == \
            [(m.start(), m.start("label"), m.end("label"), m.start("value")) for m in full], text
        want = [m.span() for m in full]
        assert [C._form_field(h).span() for h in heads] == want, text
        fields += len(want)
        want = [m.span() for m in C._KEYED_VALUE.finditer(text)]
        assert [m.span() for m in C._on_lines_with(C._KEY_BEFORE_QUOTE, C._KEYED_VALUE, text)] == want, text
        keyed += len(want)
        want = [m.span() for m in C._QUOTED_PAIR.finditer(text)]
        assert [m.span() for m in C._on_lines_with(C._QUOTED_MARK, C._QUOTED_PAIR, text)] == want, text
        quoted += len(want)
    assert fields > 1000 and keyed > 100 and quoted > 100


def ip_like(rnd: random.Random) -> str:
    """An IPv6 address in any of its forms (compressed anywhere, an IPv4 tail, a zone, a prefix
    length, upper case), an IPv4 one, a MAC address, a time, or a near miss."""
    import ipaddress
    groups = [f"{rnd.randint(0, 0xffff):x}" for _ in range(8)]
    six = ipaddress.IPv6Address(":".join(groups))
    text = rnd.choice([six.compressed, six.exploded, ":".join(groups), f"::ffff:{rnd.randint(1, 254)}.0.2.{rnd.randint(1, 254)}",
                       f"64:ff9b::{rnd.randint(1, 254)}.0.2.33", ":".join(groups[:6]) + ":192.0.2.1",
                       ":".join(groups[:rnd.randint(1, 6)]) + "::" + ":".join(groups[:rnd.randint(0, 5)]),
                       "::", "::1", "fe80::1%eth0", f"{six.compressed}/64", ":".join(groups[:5]),
                       ":".join(f"{rnd.randint(0, 255):02x}" for _ in range(6)), f"{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00",
                       f"10.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}", ":".join(groups[:7])])
    return text.upper() if rnd.random() < 0.2 else text


def test_the_needs_are_told_as_their_regexes_tell_them():
    """A need of an IPv6 pattern answered by C calls first ("::" as a string, colons counted)
    answers what its regex answers, in any window of text made of hex digits, colons and dots."""
    from dataguard.detect.entities import PATTERN_NEEDS, need_regex
    from dataguard.detect.windows import _needs
    rnd = random.Random(5)
    checked = 0
    for name, needs in PATTERN_NEEDS.items():
        fast = _needs(name)
        for pattern, groups in needs.items():
            rx = re.compile(need_regex(groups))
            for _ in range(4000):
                text = "".join("".join(rnd.choice("0123456789abcdefABCDEF" * 3 + "xz[") for _ in range(rnd.randint(1, 5)))
                               + rnd.choice([":"] * 12 + ["::", ".", " "]) for _ in range(rnd.randint(0, 14)))
                s = rnd.randint(0, len(text))
                e = rnd.randint(s, len(text))
                held = rx.search(text, s, e) is not None
                assert (fast[pattern](text, s, e) not in (None, False)) == held, (pattern, text, s, e)
                checked += held and "::" not in text[s:e]        # (held by the groups alone)
    assert checked > 10


def test_the_needs_of_presidio_patterns_are_held_by_every_match():
    """A pattern searched only in the windows that hold its need (``entities.PATTERN_NEEDS``) finds
    nothing the other windows would have given: every match of it, on text full of addresses of
    every form and their look-alikes, holds its need."""
    from presidio_analyzer import predefined_recognizers as pr

    from dataguard.detect.entities import PATTERN_NEEDS, need_regex
    rnd = random.Random(21)
    text = " ".join(rnd.choice(["", "host", "[", "(", "src=", "ip:"]) + ip_like(rnd) + rnd.choice(["", "]", ")", ",", "."])
                    for _ in range(4000))
    checked = 0
    for name, needs in PATTERN_NEEDS.items():
        rec = getattr(pr, name)()
        for pattern in rec.patterns:
            if pattern.name not in needs:
                continue
            need = re.compile(need_regex(needs[pattern.name]))
            found = [m.group() for m in re.finditer(pattern.regex, text, rec.global_regex_flags)]
            assert found, pattern.name
            assert all(need.search(v) for v in found), (pattern.name, [v for v in found if not need.search(v)][:5])
            checked += len(found)
    assert checked > 1000


def test_trivial_digits_are_those_counting_up_or_down_by_one():
    """``filters._trivial_digits`` (a slice of the digits counting up or down, compared whole)
    says what reading each step between digits says: one digit repeated, or every step +1 or -1
    round and round, six digits or more; beyond ASCII and past 100 digits too."""
    from dataguard.detect.filters import _trivial_digits

    def by_steps(value: str) -> bool:
        d = "".join(ch for ch in value if ch.isdecimal())
        steps = {(int(b) - int(a)) % 10 for a, b in zip(d, d[1:])}
        return len(d) >= 6 and (len(set(d)) <= 1 or len(steps) == 1 and steps.pop() in (1, 9))

    rnd = random.Random(5)
    values = ["123456", "12345", "8901234", "987654321", "2109876", "777777", "123457", "٠١٢٣٤٥", "٩٨٧٦٥٤",
              "+1 234-567-890", "0" * 150, ("0123456789" * 15)[3:], ("9876543210" * 15)[:-1] + "1"]
    for _ in range(20000):
        first, step, n = rnd.randint(0, 9), rnd.choice([1, 9, 1, 9, 2, 0]), rnd.randint(0, 130)
        digits = "".join(str((first + step * i) % 10) for i in range(n))
        if rnd.random() < 0.2 and digits:
            k = rnd.randrange(len(digits))
            digits = digits[:k] + rnd.choice("0123456789") + digits[k + 1:]
        values.append(rnd.choice(["", " ", "-"]).join(digits))
    assert [_trivial_digits(v) for v in values] == [by_steps(v) for v in values]
    assert _trivial_digits("8901234") and _trivial_digits("٠١٢٣٤٥") and not _trivial_digits("123457")


def test_libphonenumbers_patterns_are_compiled_once(monkeypatch):
    """Finders keep libphonenumber's metadata patterns once compiled: read again by another
    finder, the numbers of every region (more patterns than re's own cache of 512 holds)
    compile none."""
    import phonenumbers
    import re._compiler as compiler
    from dataguard.detect.phone import PhoneFinder
    finder = PhoneFinder(["US", "GB", "FR", "KE", "CH"])
    kinds = [getattr(phonenumbers.PhoneNumberType, k) for k in dir(phonenumbers.PhoneNumberType) if k.isupper()]
    numbers = [phonenumbers.example_number_for_type(r, k) for r in sorted(phonenumbers.SUPPORTED_REGIONS) for k in kinds]
    text = "\n".join(f"Tel. {phonenumbers.format_number(n, f)} (office)" for n in numbers if n is not None
                     for f in (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164))
    first = finder.find(text)
    assert len(first) > 2000 and len({m.number.country_code for _, m in first}) > 150
    again = PhoneFinder(["US", "GB", "FR", "KE", "CH"])        # (its own caches of verdicts and matches empty)
    compiled = []
    real = compiler.compile
    monkeypatch.setattr(compiler, "compile", lambda *a, **k: compiled.append(a[0]) or real(*a, **k))
    assert [m.start for _, m in again.find(text)] == [m.start for _, m in first]
    assert compiled == []


@pytest.mark.parametrize("seed", range(3))
def test_the_context_probe_answers_as_the_whole_context_check(seed, monkeypatch):
    """``context_found`` first asks whether a context word's first piece is anywhere in the look-back
    (most values have none before them); its answer with that probe is its answer without, on
    look-backs of words, keys, phrases, signs, elisions, Greek final sigma and Turkish dotted I."""
    from types import SimpleNamespace

    from dataguard.detect import context

    words = frozenset({"phone", "tel.", "n°", "social security", "staff no", "d'identité", "nhs-no", "οδος",
                       "ıd", "passport number", "iban", "kimlik"})
    pieces = ["Phone", "TEL.", "tel", "N°", "n °", "social_security", "Social-Security", "SOCIAL  SECURITY", "staff no",
              "staff notes", "d'identité", "NHS-No", "nhsNo", "ΟΔΟΣ", "ΟΔΟΣ.Α", "οδος", "İD", "ID", "passport-number",
              "Passportnumber", "IBAN:", "KİMLİK", "kimlikno", "order", "12345", "2024-01-02", "\n", ".", "is", "the", ":"]
    rnd = random.Random(seed)
    cases = []
    for _ in range(3000):
        text = " ".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12))) + rnd.choice([" ", ": ", "\n", "-"])
        cases.append((text, rnd.choice([[], [], ["tel"], ["kimlik_no"]])))
    r = SimpleNamespace
    with_probe = [context.context_found(words, r(start=len(t) + 0, end=len(t) + 5), t + "98765", ext) for t, ext in cases]
    monkeypatch.setattr(context, "_probe", lambda _words: None)
    without = [context.context_found(words, r(start=len(t), end=len(t) + 5), t + "98765", ext) for t, ext in cases]
    assert with_probe == without
    assert {0, context._NEAR, context._LABEL} <= set(with_probe)     # every answer was given


@pytest.mark.parametrize("seed", range(2))
def test_a_column_names_verdict_reads_only_the_runs_of_known_words_and_says_the_same(seed, monkeypatch):
    """The vocabulary looks up only the runs of a name's words that are all its own words (a run
    holding another word is none of its names): the verdict is the one every run gives, on names
    of its words, of other words (a hex dump's line, a log line before a colon) and of both."""
    from dataguard.detect import columns
    vocab = columns.Vocabulary(columns.vocabulary_for().signals)
    known = sorted(vocab._known)
    rnd = random.Random(seed)
    other = ["0x1f", "4e", "ff", "total", "misc", "the", "of", "2024", "zz", "dept", "ab12"]
    names = []
    for _ in range(3000):
        words = [rnd.choice(known) if rnd.random() < 0.6 else rnd.choice(other) for _ in range(rnd.randint(1, 9))]
        sep = rnd.choice([" ", "_", "/", ".", "-"])
        names.append(sep.join(w.capitalize() if rnd.random() < 0.3 else w for w in words))
    fast = [vocab._judge_name(n) for n in names]
    monkeypatch.setattr(columns.Vocabulary, "_known_runs", lambda self, words: columns._runs(words))
    assert fast == [vocab._judge_name(n) for n in names]
    assert sum(bool(v.positive) for v in fast) > 300 and sum(bool(v.lowered) for v in fast) > 10
def test_a_delimited_texts_layout_and_cells_are_those_of_one_plain_reading():
    """A delimited text's rows, read once (the first rows read to choose the delimiter are not
    read again: the rest follows them), are those of one reading from the start, each as
    ``_row`` reads it (``_rows`` gives them in one list, with their sizes); and its cells
    handed to the judge in the text's order are those the judge would sort: on random texts of
    fields, quotes, spaces, delimiters and line breaks, some of more rows than the guess reads,
    some kept from and to a point."""
    from dataguard.detect import columns as C
    from dataguard.detect import tabular as T
    from dataguard.types import Chunk, Unit
    rnd = random.Random(5)
    pieces = ["a", "Bo", " ", "", '"', '"x,y"', '"a\nb"', "'", "1", "\r", "é", ";", "|", "\t"]
    unit = Unit(target="/t", uri="/t/a.csv", path="a.csv")
    long = ordered = 0
    for _ in range(600):
        d = rnd.choice(",;\t|")
        width = rnd.randint(1, 5)
        rows = [d.join("".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3)))
                       for _ in range(width + (rnd.random() < 0.1) * rnd.choice([-1, 1])))
                for _ in range(rnd.choice([2, 10, 59, 60, 61, 150]))]
        text = "\n".join(rows) + rnd.choice(["", "\n"])
        ks = rnd.choice([0, 0, rnd.randint(0, len(text))])
        ke = rnd.choice([None, None, rnd.randint(ks, len(text))])
        context = tuple(rows[0].split(d)) if rnd.random() < 0.5 else ()
        chunk = Chunk(unit=unit, text=text, hint="structured", keep_start=ks, keep_end=ke, context=context)
        layout = T.Layout(chunk)
        # the reference: the rows read from the start in one go, with the delimiter the guess chose
        start, stop = ks, len(text) if ke is None else ke
        if start > 0 and text[start - 1] != "\n":
            start = text.find("\n", start, stop) + 1 or stop
        best, delim = (0, 0), ""
        for x in T._DELIMS:
            if x in text[start:start + 8000]:
                guess = T._rows(text, start, stop, x, T.GUESS_ROWS)
                w, agree = T._usual_width(guess)
                if w >= 2 and agree * 2 > len(guess[1]) and (agree, w) > best:
                    best, delim = (agree, w), x
        whole = T._rows(text, start, stop, delim)
        rows, at = [], 0
        for size in whole[1]:           # (the rows one by one, as _row reads each)
            row, end = T._row(text, whole[0][at][0], delim, T._FIELD_RX[delim])
            assert row == whole[0][at:at + size], text
            rows.append(row)
            at += size
        assert at == len(whole[0])
        w, _ = T._usual_width(whole)
        assert layout.fields == [f for r in rows if len(r) == w for f in r] if w else not layout.fields, text
        long += len(rows) > T.GUESS_ROWS
        columns, headers, cells = C._table_columns(chunk, None)
        assert (columns, headers) == C.table_columns(chunk)
        if cells is not None:
            assert cells == C._in_order(columns), text
            assert [(s, e, i) for (s, e), i in zip(*cells)] == \
                sorted((s, e, i) for i, c in enumerate(columns) for s, e in c.cells), text
            ordered += len(cells[0]) > 0
    assert long > 100 and ordered > 300


def test_a_sheets_cells_come_in_the_text_order_the_judge_would_sort_them_in():
    """A sheet's cells handed to the judge in the text's order (its fields sorted, each ending
    before the next one's anchor) are those the judge would sort: on random sheets of cells
    with spaces and quotes around, empty ones, gaps between their columns and a header or not."""
    from dataguard.detect import columns as C
    from dataguard.types import Anchor, Chunk, Pointer, Unit
    rnd = random.Random(7)
    pieces = ["a", "Bo", " ", "", '"', "'", "1", "\r", "é", "x y"]
    unit = Unit(target="/t", uri="/t/a.xlsx", path="a.xlsx")
    ordered = 0
    for _ in range(600):
        text, anchors, names = "", [], ["Name", "Phone", "", "Email"]
        for row in range(1, rnd.randint(2, 40)):
            letters = sorted(rnd.sample("ABCDEF", rnd.randint(1, 6)))
            for k, letter in enumerate(letters):
                anchors.append(Anchor(len(text), Pointer(sheet="S", cell=f"{letter}{row}")))
                text += "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3)))
                text += "\t" if k + 1 < len(letters) else "\n"
        context = tuple(rnd.sample(names, rnd.randint(0, 4)))
        chunk = Chunk(unit=unit, text=text, anchors=tuple(anchors), context=context, hint="structured")
        columns, _, cells = C._table_columns(chunk, None)
        assert cells == C._in_order(columns), text
        ordered += len(cells[0]) > 0
    assert ordered > 500


def test_a_columns_categories_and_overlaps_are_told_as_the_plain_reading_tells_them():
    """``categorical`` reads each value once and stops when a column holds more values than a
    share of its cells; ``_Spans.overlap`` searches its spans sorted: both answer as the plain
    reading does (every cell's value in a set; every span looked at), on random columns of few
    and of many values, some with no value ("N/A", "-"), and on random spans."""
    from types import SimpleNamespace

    from dataguard.detect import columns as C
    rnd = random.Random(7)
    kinds = {True: 0, False: 0}
    for _ in range(3000):
        pool = [f"v{i}" for i in range(rnd.choice([1, 3, 6, 40, 400]))] + ["N/A", " - ", "[redacted]", ""]
        cells = [rnd.choice(pool) for _ in range(rnd.choice([5, 19, 20, 21, 40, 100, 300]))]
        text = "|".join(cells)
        spans, at = [], 0
        for c in cells:
            spans.append((at, at + len(c)))
            at += len(c) + 1
        values = [v for v in cells if not C.no_value(v)]
        plain = len(spans) >= C.MIN_CATEGORICAL and len(set(values)) <= C.CATEGORICAL_SHARE * len(values)
        assert C.categorical(text, spans) == plain, cells
        kinds[plain] += 1
    assert min(kinds.values()) > 500
    overlapping = 0
    for _ in range(3000):
        made = [SimpleNamespace(start=s, end=s + rnd.randint(0, 9)) for s in
                (rnd.randint(0, 60) for _ in range(rnd.randint(0, 8)))]
        spans = C._Spans(made)
        assert bool(spans) == bool(made)
        for r in (SimpleNamespace(start=s, end=s + rnd.randint(0, 9)) for s in range(0, 70, 3)):
            plain = any(o.start < r.end and r.start < o.end for o in made)
            assert spans.overlap(r) == plain
            overlapping += plain
    assert overlapping > 3000


def _reference_windows(spans: list, text: str, pad: int, edge) -> list:
    """``windows.windows`` as first written (a window a tuple, rebuilt at each hit reaching it;
    its end widened by a function): the specification of the faster one."""
    def widen_end(e: int) -> int:
        if edge is None:
            m = re.compile(r"\s").search(text, e)
            return len(text) if m is None else m.start()
        hi = min(len(text), e + edge)
        m = re.compile(r"\s").search(text, e, hi)
        return hi if m is None else m.start()
    n, out = len(text), []
    for hs, he in spans:
        s, e = max(0, hs - pad), min(n, he + pad)
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], widen_end(e))
            continue
        lo = 0 if edge is None else max(0, s - edge)
        if out:
            lo = max(lo, out[-1][1])
        if s > lo and not text[s - 1].isspace():
            s -= len(text[lo:s].rsplit(None, 1)[-1])
        e = widen_end(e)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@pytest.mark.parametrize("seed", range(40))
def test_windows_are_those_of_the_reference(seed):
    """The windows around hits (dense or sparse, overlapping, at the text's ends, in text with
    long runs without whitespace, any pad and edge) are those of the reference."""
    from dataguard.detect.windows import windows
    rnd = random.Random(seed)
    alphabet = rnd.choice(["ab \n", "abcdefgh ", "x", "a\u00a0b\u2003c\td", "1234567890-. "])
    text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 3000)))
    for _ in range(20):
        spans = []
        for _ in range(rnd.randint(0, 60)):
            s = rnd.randint(0, max(0, len(text) - 1))
            spans.append((s, min(len(text), s + rnd.randint(1, 30))))
        spans.sort()
        pad, edge = rnd.choice([0, 1, 16, 60, 120, 364]), rnd.choice([None, 0, 1, 40, 200])
        assert windows(spans, text, pad, edge) == _reference_windows(spans, text, pad, edge), (seed, pad, edge)


@pytest.mark.parametrize("missing", ["phonelib", "phonenumbers.phonenumberutil._choose_formatting_pattern_for_number",
                                     "phonenumbers.enable_pattern_cache", "a part of the matcher"])
def test_a_phonenumbers_release_without_the_parts_the_finder_reads_falls_back_to_presidio(missing, monkeypatch, caplog):
    """setup.cfg allows any phonenumbers 9.x, whose private names may change: when one the finder
    reads is missing (at once or only when a number is read), the detector finds phone numbers
    with Presidio's own recognizer, and says so without a value."""
    import importlib
    import sys

    from dataguard.detect.phone import fast_phone_recognizer
    if missing == "phonelib":
        monkeypatch.setitem(sys.modules, "dataguard.detect.phonelib", None)      # (its import raises ImportError)
    elif missing == "a part of the matcher":        # (renamed: the matcher itself still works, Presidio's too)
        phonelib = importlib.import_module("dataguard.detect.phonelib")
        monkeypatch.setattr(phonelib, "_MATCHER_PARTS", phonelib._MATCHER_PARTS + ("_renamed_in_a_later_release",))
    else:
        owner, _, name = missing.rpartition(".")
        monkeypatch.delattr(importlib.import_module(owner), name)
        # (imported again without it; the module and the package's name for it put back after)
        monkeypatch.delitem(sys.modules, "dataguard.detect.phonelib", raising=False)
        monkeypatch.delattr(importlib.import_module("dataguard.detect"), "phonelib", raising=False)
    with caplog.at_level("WARNING", logger="dataguard.detect"):
        t = fast_phone_recognizer("en", ("US", "GB"))
    assert type(t.recognizer).__name__ == "PhoneRecognizer" and type(t.recognizer).__module__.startswith("presidio")
    text = "Call 020 7946 0958 or (415) 555-2671 about ticket 12345."
    found = sorted((text[r.start:r.end], r.entity_type) for r in t.recognizer.analyze(text, ["PHONE_NUMBER"]))
    assert found == [("(415) 555-2671", "PHONE_NUMBER"), ("020 7946 0958", "PHONE_NUMBER")]
    assert "Presidio's recognizer" in caplog.text and "7946" not in caplog.text

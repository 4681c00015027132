"""dataguard.detect.phonelib gives libphonenumber's own answers: the parse of a number written
the national way, validity, the matcher's verification and extraction, the choice of a format
and the national and international formats, compared on many generated inputs (example numbers of every region and number type,
written in each format, with a digit changed, dropped or added, with extensions, '+' and
international prefixes; random digit strings with separators), so that a new libphonenumber or
a change here cannot make them differ silently."""
from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType
from phonenumbers.phonenumbermatcher import _verify
from phonenumbers.phonenumberutil import _choose_formatting_pattern_for_number

from dataguard.detect import phonelib

REGIONS = ["US", "GB", "FR", "CH", "KE", "DE", "IN", "BR", "AR", "IT", "MX", "RU", "KZ", "CN", "JP", "AU", "CA",
           "AG", "JM", "GG", "JE", "IM", "NG", "ZA", "SN", "PK", "ID", "PL", "NL", "ES", "SE", "VA", "001"]
SEPARATORS = ["", " ", "-", ".", "  ", " / ", "/", ") ", "-(", ", ", ". "]
EXTENSIONS = [" ext. 12", " x 5", " #99", "#", " ext 1234567", ",,12", ";ext=33", " x", " int 7"]


def _examples() -> list:
    """Example numbers of every region (and non-geographic entity) and number type."""
    out = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for t in range(12):
            n = phonenumbers.example_number_for_type(region, t)
            if n is not None:
                out.append((region, n))
    for cc in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        n = phonenumbers.example_number_for_non_geo_entity(cc)
        if n is not None:
            out.append(("001", n))
    return out


def _written(rng: random.Random, region: str, n) -> list:
    """A number written in each format, regrouped, with a digit changed, dropped or added, an
    extension, an international prefix."""
    nsn = phonenumbers.national_significant_number(n)
    cc = str(n.country_code)
    out = [phonenumbers.format_number(n, f) for f in range(4)]
    out += [nsn, "0" + nsn, cc + nsn, "00" + cc + nsn, "011 " + cc + " " + nsn, "+" + cc + nsn, "+0" + nsn]
    for _ in range(4):
        digits = list(nsn)
        k = rng.randrange(len(digits))
        op = rng.randrange(3)
        if op == 0:
            digits[k] = str(rng.randrange(10))
        elif op == 1 and len(digits) > 2:
            del digits[k]
        else:
            digits.insert(k, str(rng.randrange(10)))
        out.append(rng.choice(["", "0", "+" + cc + " ", "(0)", "00" + cc]) + _grouped(rng, "".join(digits)))
    out.append(out[rng.randrange(4)] + rng.choice(EXTENSIONS))
    return out


def _grouped(rng: random.Random, digits: str) -> str:
    """Digits cut into random groups by random separators."""
    out, i = [], 0
    while i < len(digits):
        k = rng.randint(1, 5)
        out.append(digits[i:i + k])
        i += k
    sep = rng.choice(SEPARATORS)
    text = sep.join(out)
    return f"({text[:3]}){text[3:]}" if rng.random() < 0.1 else text


def _random_strings(rng: random.Random, count: int) -> list:
    """Random digit strings of 3 to 17 digits, grouped, some with a '+', an extension or brackets."""
    out = []
    for _ in range(count):
        s = _grouped(rng, "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 17))))
        r = rng.random()
        if r < 0.15:
            s = "+" + s
        elif r < 0.25:
            s = "00" + s
        elif r < 0.3:
            s += rng.choice(EXTENSIONS)
        out.append(s)
    return out


@pytest.fixture(scope="module")
def inputs() -> list:
    """(region, written number) pairs: every example written several ways, read in its own
    region and in the US; random strings read in each region of ``REGIONS``."""
    rng = random.Random(4242)
    pairs = []
    for region, n in _examples():
        for s in _written(rng, region, n):
            pairs += [(region if region != "001" else "US", s), ("US", s)]
    for s in _random_strings(rng, 6000):
        pairs.append((rng.choice(REGIONS[:-1]), s))
    edges = ["1", "12", "(1)", "0", "00", "0 0", "1-", "(0)1", "011", "0011", "12345678901234567890",
             "1234567890123456789012", "000 000 000", "0.1", "1/2", "9-", "(12)", "44", "0044", "10"]
    pairs += [(region, s) for region in REGIONS[:-1] for s in edges]
    return pairs


@pytest.fixture(scope="module")
def parsed(inputs) -> list:
    """(region, text, number) of the inputs that parse (the matcher's way: raw input kept)."""
    out = []
    for region, s in inputs:
        try:
            out.append((region, s, phonenumbers.parse(s, region, keep_raw_input=True)))
        except phonenumbers.NumberParseException:
            pass
    return out


def test_the_inputs_are_many_and_of_every_kind(parsed):
    valid = sum(phonenumbers.is_valid_number(n) for _, _, n in parsed)
    assert len(parsed) > 20_000 and 5_000 < valid < len(parsed) - 5_000
    assert sum(bool(n.extension) for _, _, n in parsed) > 200
    assert len({n.country_code for _, _, n in parsed}) > 200


def _parsed_by(parse, region: str, text: str):
    """What a parse gives: the number's fields, or the kind of its error."""
    try:
        n = parse(text, region)
    except phonenumbers.NumberParseException as e:
        return "error", e.error_type
    return repr(n), n


def test_a_number_written_the_national_way_is_parsed_as_libphonenumber_parses_it(inputs):
    shortcut = errors = 0
    for region, s in inputs:
        if region not in phonenumbers.SUPPORTED_REGIONS or not phonelib._PLAIN.fullmatch(s):
            continue
        want = _parsed_by(lambda t, r: phonenumbers.parse(t, r, keep_raw_input=True), region, s)
        assert _parsed_by(phonelib._parse, region, s) == want, (region, s)
        try:
            shortcut += phonelib.parse_national(s, region) is not None
        except phonenumbers.NumberParseException:
            errors += 1
    assert shortcut > 5000 and errors > 100


def test_validity_is_libphonenumbers(parsed):
    differ = [(r, s) for r, s, n in parsed if phonelib.is_valid_number(n) != phonenumbers.is_valid_number(n)]
    assert not differ[:5]


def test_verification_is_the_matchers(parsed):
    matcher = PhoneNumberMatcher("", "US", leniency=1)
    differ = [(r, s) for r, s, n in parsed if phonelib.verified(n, s) != bool(_verify(1, n, s, matcher))]
    assert not differ[:5]


def test_the_format_chosen_is_libphonenumbers(parsed):
    for _, _, n in parsed:
        md = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
            n.country_code, phonenumbers.region_code_for_country_code(n.country_code))
        if md is None:
            continue
        nsn = phonenumbers.national_significant_number(n)
        for formats in (md.number_format, md.intl_number_format):
            fmt, _, m = phonelib.choose_format(formats, nsn)
            assert fmt is _choose_formatting_pattern_for_number(formats, nsn)
            assert fmt is None or m.group() == nsn


def test_national_and_international_formats_are_libphonenumbers(parsed):
    for _, s, n in parsed:
        assert phonelib.formatted(n, True) == phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL), s
        assert phonelib.formatted(n, False) == phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL), s


def test_every_format_of_the_metadata_is_cut_without_re_sub():
    """The fast path is taken everywhere: each format of the metadata is groups of digits and
    its templates plain references and literals (else ``_format_nsn`` falls back to re.sub,
    correct but slow: a new metadata should be looked at)."""
    count = 0
    for region in [*phonenumbers.SUPPORTED_REGIONS]:
        md = phonenumbers.PhoneMetadata.metadata_for_region(region)
        for formats in (md.number_format, md.intl_number_format):
            for entry in phonelib._entries(formats):
                count += 1
                assert phonelib.digit_groups(entry[4].pattern) is not None, (region, entry[4].pattern)
                assert entry[5][1] is not None and entry[6][1] is not None, (region, entry[4].format)
    assert count > 500


def _match(m):
    return None if m is None else (m.start, m.end, m.raw_string, m.number)


@pytest.mark.parametrize("around", [("", ""), ("Tel. ", " now"), ("x", ""), ("", "%"), ("(", ")"), ("a ", "b")])
def test_the_matchers_extraction_is_libphonenumbers(inputs, around):
    """The whole extraction, inner matches and the characters around a candidate included."""
    before, after = around
    rng = random.Random(len(before) * 7 + len(after))
    for region, s in rng.sample(inputs, 3000):
        text = before + s + after
        want = PhoneNumberMatcher(text, region, leniency=1)._extract_match(s, len(before))
        got = phonelib.Matcher(text, region, leniency=1)._extract_match(s, len(before))
        assert _match(got) == _match(want), (region, s)
        if got is not None:
            assert phonelib.formatted(got.number, True) == \
                phonenumbers.format_number(want.number, PhoneNumberFormat.NATIONAL)


def test_other_leniencies_are_libphonenumbers(inputs):
    rng = random.Random(7)
    for region, s in rng.sample(inputs, 600):
        for leniency in (0, 2, 3):
            want = PhoneNumberMatcher(s, region, leniency=leniency)._extract_match(s, 0)
            got = phonelib.Matcher(s, region, leniency=leniency)._extract_match(s, 0)
            assert _match(got) == _match(want), (region, s, leniency)


def test_a_number_of_each_type_is_read_by_type(parsed):
    """The inputs hold valid numbers of the rarer types too (each is a branch of the validity test)."""
    want = {PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.PAGER,
            PhoneNumberType.UAN, PhoneNumberType.VOICEMAIL, PhoneNumberType.MOBILE,
            PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.SHARED_COST, PhoneNumberType.PERSONAL_NUMBER}
    for _, _, n in parsed[::3]:
        want.discard(phonenumbers.number_type(n))
        if not want:
            break
    assert not want

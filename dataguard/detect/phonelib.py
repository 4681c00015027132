"""libphonenumber's answers to what the phone finder asks, each number, in fewer Python steps.

Every candidate the finder's gate admits (about 18,000 in 17.7 MB of dense text, most of
them numbers) is parsed and verified by libphonenumber's matcher at leniency VALID, and
every number found is formatted twice (``written_as_a_phone_number``). Its parse reads a
number written the national way through steps that can find nothing there and normalises its
digits twice, a Python loop per character; its validity test (``is_valid_number``) tries up to
eleven number types of a region, each through four Python calls, twice for a country code
shared by several regions (+1's 25: once to find the number's region, once to validate it
there); a format is chosen by trying each format's leading digits and pattern, and filled by a
``re.sub`` template expanded in Python. The numbers are all different, so nothing can be
cached by value; what is kept here is per region, length and format: the compiled patterns
(libphonenumber's own, from its cache) a number of that length can meet, the lengths a format
takes, its template as a ``str.format`` string. The answers are libphonenumber's (the same
metadata, patterns, rules and helpers): ``tests/test_phonelib.py`` compares them on numbers of
every region and number type, valid and not, written in many ways, and on random digit strings.
Imported when the finder first extracts (it loads libphonenumber).
"""
from __future__ import annotations

import re

from phonenumbers import (COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS, PhoneMetadata, PhoneNumber,
                          PhoneNumberFormat, PhoneNumberMatch, PhoneNumberMatcher)
from phonenumbers.phonenumber import CountryCodeSource
from phonenumbers.phonenumbermatcher import _LEAD_PATTERN, _MATCHING_BRACKETS, _PUB_PAGES, _contains_only_valid_x_chars
from phonenumbers.phonenumberutil import (_FIRST_GROUP_PATTERN, _MAX_INPUT_STRING_LENGTH, _MAX_LENGTH_FOR_NSN,
                                          _MIN_LENGTH_FOR_NSN, NumberParseException, ValidationResult,
                                          _choose_formatting_pattern_for_number,
                                          _extract_possible_number, _formatting_rule_has_first_group_only,
                                          _is_viable_phone_number, _maybe_append_formatted_extension,
                                          _maybe_strip_national_prefix_carrier_code, _parse_prefix_as_idd,
                                          _set_italian_leading_zeros_for_phone_number, _test_number_length,
                                          format_number, national_significant_number, normalize_digits_only, parse)
from phonenumbers.re_util import re_compile

# the private attributes of libphonenumber's matcher the finder uses (checked at once by ``check``)
_MATCHER_PARTS = ("_extract_match", "_parse_and_verify", "_is_latin_letter", "_is_invalid_punctuation_symbol")
_VALID = 1                  # Leniency.VALID
# a number written the national way with ASCII digits and plain separators, no letter (no extension, no
# vanity number), no '+', no ';' (RFC 3966), no 'x' (a second number): most candidates
_PLAIN = re.compile(r"[0-9 ().\-/]*[0-9][0-9 ().\-/]*")
_NON_DIGIT = re.compile(r"[^0-9]")
_NATIONAL, _INTERNATIONAL = PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL
_DIGIT_GROUP = re.compile(r"\(\\d(?:\{(\d+)(?:,(\d+))?\})?\)")     # "(\d{3})", "(\d{2,4})", "(\d)"
_TEMPLATE = re.compile(r"\\([1-9])(?![0-9])|([^\\]+)")      # a template's group references and literals
_SHORT_READINGS = (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY, ValidationResult.INVALID_LENGTH)
# the number types _number_type_helper finds a valid number by (mobile apart: it counts only
# where its pattern is not the fixed lines'); the answer being any of them, the most frequent first
_TYPES = ("fixed_line", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail")


def prefix_required(fmt) -> bool:
    """Whether a number format requires the national prefix in a number written the national
    way (the matcher refuses such a number without it: ``national_prefix_present``)."""
    rule = fmt.national_prefix_formatting_rule
    return bool(rule) and not fmt.national_prefix_optional_when_formatting \
        and not _formatting_rule_has_first_group_only(rule)


def _matching_desc(desc, n: int):
    """The fullmatch of a number description's pattern for national numbers of ``n`` digits,
    None when it takes none of them (``_is_number_matching_desc``: no description, no pattern,
    a length it does not allow; an empty list of lengths allows any)."""
    if desc is None or not desc.national_number_pattern:
        return None
    if desc.possible_length and n not in desc.possible_length:
        return None
    return re_compile(desc.national_number_pattern).fullmatch


_type_tests: dict = {}       # (id of a region's metadata, length) -> (metadata, general's test, the types' tests)


def valid_in(md, nsn: str) -> bool:
    """``_number_type_helper(nsn, md) != UNKNOWN``: the general pattern and some number type's
    (a match of a pattern at the start that is no full match counts as none, as there)."""
    key = (id(md), len(nsn))
    tests = _type_tests.get(key)
    if tests is None:
        n = len(nsn)
        types = [getattr(md, t) for t in _TYPES] + ([] if md.same_mobile_and_fixed_line_pattern else [md.mobile])
        tests = _type_tests[key] = (md, _matching_desc(md.general_desc, n),
                                    tuple(t for t in (_matching_desc(d, n) for d in types) if t is not None))
    general = tests[1]
    if general is None or general(nsn) is None:
        return False
    for fits in tests[2]:
        if fits(nsn) is not None:
            return True
    return False


def is_valid_number(numobj) -> bool:
    """libphonenumber's ``is_valid_number``: valid in the region ``region_code_for_number`` gives
    it (of a country code's regions, the first whose leading digits open the number or, without
    leading digits, in which it is valid)."""
    cc = numobj.country_code
    regions = COUNTRY_CODE_TO_REGION_CODE.get(cc)
    if regions is None:
        return False
    nsn = national_significant_number(numobj)
    if len(regions) == 1:
        region = regions[0]
        md = PhoneMetadata.metadata_for_nongeo_region(cc) if region == "001" else \
            PhoneMetadata.metadata_for_region(region.upper(), None)
        return md is not None and (region == "001" or md.country_code == cc) and valid_in(md, nsn)
    for region in regions:
        md = PhoneMetadata.metadata_for_region(region.upper(), None)
        if md is None:
            continue
        if md.leading_digits is not None:
            if re_compile(md.leading_digits).match(nsn):
                return md.country_code == cc and valid_in(md, nsn)
        elif valid_in(md, nsn):
            return md.country_code == cc
    return False


def parse_national(number: str, region: str):
    """libphonenumber's ``parse(number, region, keep_raw_input=True)`` of a number written the
    national way (``_PLAIN``) in a supported region, or None where it would read a country code
    in front (an international prefix, the region's own code: the caller parses). Its steps
    for such a number, without those that can find nothing in it (an RFC 3966 context, an
    extension, letters to read as digits, a '+'), its digits read once."""
    national = _extract_possible_number(number)
    if not _is_viable_phone_number(national):
        raise NumberParseException(NumberParseException.NOT_A_NUMBER, "not a phone number")
    md = PhoneMetadata.metadata_for_region(region, None)
    digits = _NON_DIGIT.sub("", national)
    idd = md.international_prefix if md.international_prefix is not None else "NonMatch"
    if _parse_prefix_as_idd(re_compile(idd), digits)[0] \
            or digits.startswith(str(md.country_code)):
        return None
    numobj = PhoneNumber(country_code=md.country_code, raw_input=number,
                         country_code_source=CountryCodeSource.FROM_DEFAULT_COUNTRY)
    if len(digits) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    carrier, rest, _ = _maybe_strip_national_prefix_carrier_code(digits, md)
    if _test_number_length(rest, md) not in _SHORT_READINGS:
        digits = rest
        if carrier:
            numobj.preferred_domestic_carrier_code = carrier
    if len(digits) < _MIN_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_SHORT_NSN, "too short")
    if len(digits) > _MAX_LENGTH_FOR_NSN:
        raise NumberParseException(NumberParseException.TOO_LONG, "too long")
    _set_italian_leading_zeros_for_phone_number(digits, numobj)
    numobj.national_number = int(digits)
    return numobj


def _parse(candidate: str, region: str):
    """``parse(candidate, region, keep_raw_input=True)``, through ``parse_national`` where it can."""
    numobj = None
    if region in SUPPORTED_REGIONS and len(candidate) <= _MAX_INPUT_STRING_LENGTH and _PLAIN.fullmatch(candidate):
        numobj = parse_national(candidate, region)
    return parse(candidate, region, keep_raw_input=True) if numobj is None else numobj


def digit_groups(pattern: str):
    """(fewest, most) digits of a format's pattern made of groups of digits alone ("(\\d{3})(\\d{2,4})";
    all formats of the metadata), None for another: a national number of other lengths is not
    tried. Its first match in a national number it takes whole is the whole: each group takes
    as many digits as the ones after it leave, and fewer only where they need more."""
    groups = _DIGIT_GROUP.findall(pattern)
    if "".join(f"(\\d{{{a},{b}}})" if b else f"(\\d{{{a}}})" if a else "(\\d)" for a, b in groups) != pattern \
            or not groups:
        return None
    return sum(int(a or 1) for a, _ in groups), sum(int(b or a or 1) for a, b in groups)


def _template(fmt, national: bool, plain: bool) -> tuple:
    """(the template ``_format_nsn_using_pattern`` substitutes, national: with the national prefix
    formatting rule; the same as a ``str.format`` string of the pattern's groups, or None for a
    template of other escapes or a format not ``plain``)."""
    rule = fmt.format
    if national and fmt.national_prefix_formatting_rule:
        rule = _FIRST_GROUP_PATTERN.sub(fmt.national_prefix_formatting_rule, rule, count=1)
    pieces = _TEMPLATE.findall(rule)
    if not plain or "".join(f"\\{g}" if g else lit for g, lit in pieces) != rule \
            or any(g and int(g) > re_compile(fmt.pattern).groups for g, _ in pieces):
        return rule, None
    return rule, "".join(f"{{{int(g) - 1}}}" if g else lit.replace("{", "{{").replace("}", "}}") for g, lit in pieces)


_formats: dict = {}     # id of a list of formats -> (the list, one entry per format: see _entries)


def _entries(formats) -> list:
    """Per format: (fewest, most digits its pattern takes, its last leading-digits pattern's
    match or None, its pattern's fullmatch, the format, its national and its international
    ``_template``)."""
    entry = _formats.get(id(formats))
    if entry is None:
        table = []
        for f in formats:
            widths = digit_groups(f.pattern)
            plain = widths is not None and widths[0] > 0       # (no empty string for re.sub to fill again)
            table.append((*(widths or (0, 1 << 30)),
                          re_compile(f.leading_digits_pattern[-1]).match if f.leading_digits_pattern else None,
                          re_compile(f.pattern).fullmatch, f, _template(f, True, plain), _template(f, False, plain)))
        entry = _formats[id(formats)] = (formats, table)
    return entry[1]


def choose_format(formats, nsn: str) -> tuple:
    """``_choose_formatting_pattern_for_number``, with the format's ``_entries`` entry and its
    pattern's full match of the national number ((None, None, None): none): the first format
    whose last leading-digits pattern opens the national number (any, without one) and whose
    pattern takes it whole."""
    n = len(nsn)
    for entry in _entries(formats):
        if entry[0] <= n <= entry[1] and (entry[2] is None or entry[2](nsn)):
            m = entry[3](nsn)
            if m:
                return entry[4], entry, m
    return None, None, None


def _prefix_present_if_required(numobj) -> bool:
    """The matcher's ``_is_national_prefix_present_if_required``: a number written the national
    way whose format requires the national prefix has it."""
    if numobj.country_code_source != CountryCodeSource.FROM_DEFAULT_COUNTRY:
        return True
    regions = COUNTRY_CODE_TO_REGION_CODE.get(numobj.country_code)
    md = PhoneMetadata.metadata_for_region(regions[0] if regions else "ZZ", None)
    if md is None:
        return True
    fmt = choose_format(md.number_format, national_significant_number(numobj))[0]
    if fmt is None or not prefix_required(fmt):
        return True
    return _maybe_strip_national_prefix_carrier_code(normalize_digits_only(numobj.raw_input), md)[2]


def verified(numobj, candidate: str) -> bool:
    """The matcher's ``_verify`` at leniency VALID."""
    return is_valid_number(numobj) and _contains_only_valid_x_chars(numobj, candidate) \
        and _prefix_present_if_required(numobj)


class Matcher(PhoneNumberMatcher):
    """libphonenumber's matcher whose test of a parsed candidate at leniency VALID is
    ``verified`` (its extraction, inner matches and tries are its own)."""

    def _parse_and_verify(self, candidate, offset):
        """The matcher's own, but for ``verified``: the same checks of the candidate and of the
        characters around it, in the same order, and the same match."""
        if self.leniency != _VALID:
            return super()._parse_and_verify(candidate, offset)
        try:
            if not _MATCHING_BRACKETS.fullmatch(candidate) or _PUB_PAGES.search(candidate):
                return None
            text = self.text
            if offset > 0 and not _LEAD_PATTERN.match(candidate):
                before = text[offset - 1]
                if self._is_invalid_punctuation_symbol(before) or self._is_latin_letter(before):
                    return None
            end = offset + len(candidate)
            if end < len(text):
                after = text[end]
                if self._is_invalid_punctuation_symbol(after) or self._is_latin_letter(after):
                    return None
            numobj = _parse(candidate, self.preferred_region)
            if verified(numobj, candidate):
                numobj.country_code_source = CountryCodeSource.UNSPECIFIED
                numobj.raw_input = None
                numobj.preferred_domestic_carrier_code = None
                return PhoneNumberMatch(offset, candidate, numobj)
        except NumberParseException:
            pass
        return None


def _format_nsn(nsn: str, md, national: bool) -> str:
    """libphonenumber's ``_format_nsn`` (no carrier code): the national number in its format
    (its template filled with the groups of the pattern's full match: for a pattern of groups of
    digits, the match ``re.sub`` substitutes, alone: it takes the number whole and no empty
    string after it)."""
    formats = md.number_format if national or not md.intl_number_format else md.intl_number_format
    fmt, entry, m = choose_format(formats, nsn)
    if fmt is None:
        return nsn
    rule, template = entry[5] if national else entry[6]
    return re_compile(fmt.pattern).sub(rule, nsn) if template is None else template.format(*m.groups())


def formatted(numobj, national: bool) -> str:
    """libphonenumber's ``format_number`` in the national format, or the international one."""
    cc = numobj.country_code
    if numobj.national_number == 0:
        return format_number(numobj, _NATIONAL if national else _INTERNATIONAL)
    regions = COUNTRY_CODE_TO_REGION_CODE.get(cc)
    nsn = national_significant_number(numobj)
    if regions is None:
        return nsn
    md = PhoneMetadata.metadata_for_nongeo_region(cc) if regions[0] == "001" else \
        PhoneMetadata.metadata_for_region(regions[0], None)
    out = _format_nsn(nsn, md, national)
    if numobj.extension:
        out = _maybe_append_formatted_extension(numobj, md, _NATIONAL if national else _INTERNATIONAL, out)
    return out if national else f"+{cc} {out}"


def check() -> None:
    """Raise AttributeError when this phonenumbers release lacks a private part of its matcher the
    finder uses (the imports above raise ImportError for the others): the detector then uses
    Presidio's recognizer (``phone.fast_phone_recognizer``)."""
    import phonenumbers
    missing = [n for n in _MATCHER_PARTS if not hasattr(PhoneNumberMatcher, n)]
    if not hasattr(PhoneNumberMatcher("", "US"), "_max_tries") or not hasattr(phonenumbers, "enable_pattern_cache"):
        missing.append("_max_tries/enable_pattern_cache")
    if missing:
        raise AttributeError(f"phonenumbers lacks {', '.join(missing)}")

"""libphonenumber's answers to what the phone finder asks, each number, in fewer Python steps.

Every candidate the finder's gate admits (about 18,000 in 17.7 MB of dense text, most of
them numbers) is parsed and verified by libphonenumber's matcher at leniency VALID. Its
validity test (``is_valid_number``) tries up to eleven number types of a region, each
through four Python calls, and for a country code shared by several regions (+1's 25) does
it twice: once to find the number's region, once to validate it there. The numbers are all
different, so nothing can be cached by value; what is kept here is per region and length: the
compiled patterns (libphonenumber's own, from its cache) a number of that length can meet.
The answers are libphonenumber's (the same metadata, patterns and rules):
``tests/test_phonelib.py`` compares them on numbers of every region and number type, valid
and not, written in many ways, and on random digit strings. Imported when the finder first
extracts (it loads libphonenumber).
"""
from __future__ import annotations

import re

from phonenumbers import (COUNTRY_CODE_TO_REGION_CODE, SUPPORTED_REGIONS, PhoneMetadata, PhoneNumber,
                          PhoneNumberMatch, PhoneNumberMatcher)
from phonenumbers.phonenumber import CountryCodeSource
from phonenumbers.phonenumbermatcher import (_LEAD_PATTERN, _MATCHING_BRACKETS, _PUB_PAGES,
                                             _contains_only_valid_x_chars, _is_national_prefix_present_if_required)
from phonenumbers.phonenumberutil import (_MAX_INPUT_STRING_LENGTH, _MAX_LENGTH_FOR_NSN, _MIN_LENGTH_FOR_NSN, NumberParseException,
                                          ValidationResult, _extract_possible_number, _is_viable_phone_number,
                                          _maybe_strip_national_prefix_carrier_code, _parse_prefix_as_idd,
                                          _set_italian_leading_zeros_for_phone_number, _test_number_length,
                                          national_significant_number, parse)
from phonenumbers.re_util import re_compile

_VALID = 1                  # Leniency.VALID
# a number written the national way with ASCII digits and plain separators, no letter (no extension, no
# vanity number), no '+', no ';' (RFC 3966), no 'x' (a second number): most candidates
_PLAIN = re.compile(r"[0-9 ().\-/]*[0-9][0-9 ().\-/]*")
_NON_DIGIT = re.compile(r"[^0-9]")
_SHORT_READINGS = (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY, ValidationResult.INVALID_LENGTH)
# the number types _number_type_helper finds a valid number by (mobile apart: it counts only
# where its pattern is not the fixed lines'); the answer being any of them, the most frequent first
_TYPES = ("fixed_line", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
          "voicemail")


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


def _valid_in(md, nsn: str) -> bool:
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
        return md is not None and (region == "001" or md.country_code == cc) and _valid_in(md, nsn)
    for region in regions:
        md = PhoneMetadata.metadata_for_region(region.upper(), None)
        if md is None:
            continue
        if md.leading_digits is not None:
            if re_compile(md.leading_digits).match(nsn):
                return md.country_code == cc and _valid_in(md, nsn)
        elif _valid_in(md, nsn):
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
    if _parse_prefix_as_idd(re_compile(md.international_prefix or "NonMatch"), digits)[0] \
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


def verified(numobj, candidate: str) -> bool:
    """The matcher's ``_verify`` at leniency VALID."""
    return is_valid_number(numobj) and _contains_only_valid_x_chars(numobj, candidate) \
        and _is_national_prefix_present_if_required(numobj)


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

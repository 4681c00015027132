"""One table of entity traits: what detection, hashing and masking need to know per entity.

Per entity: found by NER or by patterns (and by which predefined Presidio recognizer
class, if any), the cheap trigger regex its recognizer runs around and the window
padding, whether it is an identifier (a match glued to a longer token is a decoy), the
minimum score of a weak pattern, how a value is masked and normalised for hashing, and
whether it is a keyword entity (the value is a marking or a listed word, not a personal
value). Entities not in the table (rule packs' custom ones) get defaults by their prefix.
This module imports nothing from dataguard: hashing reads it too.
"""
from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Optional


class Mask(enum.Enum):
    REDACT = "redact"          # kind and length only (secrets, keyword entities, dates of birth)
    ZONE = "zone"              # machine-readable zone: number of lines
    CARD = "card"              # first 4 and last 4 characters
    IBAN = "iban"              # first 2 and last 4
    EMAIL = "email"            # first letter of the local part, the top-level domain
    INITIALS = "initials"      # first letter of each word
    IP = "ip"                  # first group
    TAIL = "tail"              # last few characters


class Norm(enum.Enum):
    DIGITS = "digits"                  # digits only
    COMPACT_UPPER = "compact_upper"    # no spaces or dashes, upper case
    PHONE = "phone"                    # digits, with the leading '+' kept
    LOWER = "lower"
    AS_IS = "as_is"                    # stripped only
    CASEFOLD = "casefold"              # case-folded, whitespace collapsed


WINDOW_PAD = 120          # characters either side of a trigger hit
SHORT_PAD = 60            # a short, self-delimiting value (an IPv6 address has at most 45 characters)
WINDOW_EDGE = 40          # at most this many more characters to widen a window to whitespace
TIGHT_PAD = 16            # the longest match of a ``Traits.tight`` entity's Presidio recognizer, or more


@dataclass(frozen=True)
class Traits:
    name: str
    ner: bool = False
    presidio: Optional[str] = None      # predefined Presidio recognizer class (pattern entities)
    trigger: Optional[str] = None       # cheap regex: the recognizer runs on windows around its hits
    pad: int = WINDOW_PAD
    edge: Optional[int] = WINDOW_EDGE   # None: a window widens to whitespace however far (unbounded values)
    # every match of its Presidio recognizer is a match of the trigger, of at most TIGHT_PAD
    # characters: that recognizer's windows are +-TIGHT_PAD around the hits (a match a hit found
    # with Python's regexes overlaps, and which is no hit of its own, stays inside), not +-pad
    tight: bool = False
    identifier: bool = False            # part of a longer token (UUID, order number, hash) -> decoy
    min_score: float = 0.0              # weak patterns: reported only with a context word nearby
    mask: Mask = Mask.TAIL
    norm: Norm = Norm.CASEFOLD
    keyword: bool = False               # a marking or listed word, not a personal value
    secret: bool = False                # a credential: never shown, hashed as written
    protected: bool = False             # an overlapping match of another kind does not drop it
    country: Optional[str] = None       # ISO code: recognised only where the site names this country


def _ner(name: str, mask: Mask = Mask.INITIALS) -> Traits:
    return Traits(name, ner=True, mask=mask)


def _secret(name: str, norm: Norm = Norm.AS_IS) -> Traits:
    return Traits(name, mask=Mask.REDACT, norm=norm, secret=True, protected=True)


def _marking(name: str) -> Traits:
    return Traits(name, mask=Mask.REDACT, keyword=True, protected=True)


def _id(name: str, presidio: Optional[str] = None, trigger: Optional[str] = None, pad: int = WINDOW_PAD,
        norm: Norm = Norm.CASEFOLD, mask: Mask = Mask.TAIL, min_score: float = 0.0,
        country: Optional[str] = None, tight: bool = False) -> Traits:
    if country is None and "_" in name and name.split("_", 1)[0] in _COUNTRY_PREFIX:
        country = _COUNTRY_PREFIX[name.split("_", 1)[0]]
    return Traits(name, presidio=presidio, trigger=trigger, pad=pad, identifier=True, norm=norm, mask=mask,
                  min_score=min_score, country=country, tight=tight)


# the countries of Presidio's country-specific entities, by their name's prefix
_COUNTRY_PREFIX = {"US": "US", "UK": "GB", "AU": "AU", "IN": "IN", "SG": "SG", "ES": "ES", "IT": "IT", "PL": "PL",
                   "FI": "FI"}


_D, _CU = Norm.DIGITS, Norm.COMPACT_UPPER
_IPV6 = r"::|(?:[0-9A-Fa-f]{1,4}:){4}"     # in every IPv6 address: compressed, or eight groups
# A trigger is a necessary condition of every pattern of its recognizer (tests/test_fast_paths.py
# checks it): the word boundaries of Presidio's patterns are in it, so digits inside a longer
# number (an order number, a phone number, an IBAN) open no window.
# The order of the predefined Presidio recognizers is the order they run in (first one wins a tie).
TABLE = {t.name: t for t in (
    # detect.cards: every brand range; its trigger a whole run of digit groups holding 12 digits
    # or more, each run a window of its own (cards.CARD_RUN's matches)
    _id("CREDIT_CARD", trigger=r"\d(?:[ -]?\d){11,}", norm=_D, mask=Mask.CARD),
    # (where an IBAN can open: its country in capitals after no capital or digit, or in small letters
    # after no letter or digit, as the IBAN recognizer's patterns read it; the character before is
    # part of the hit. Not in a hash's or a tracking number's run: "53e0ac1047994903", "1Z565AA1131318")
    _id("IBAN_CODE", "IbanRecognizer", r"(?:^|[^A-Z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2}|"
        r"(?:^|[^A-Za-z0-9])[a-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]{4}){2}", norm=_CU, mask=Mask.IBAN),
    _id("US_SSN", "UsSsnRecognizer", r"\b\d{3}[- .]?\d{2}[- .]?\d{4}\b", SHORT_PAD, norm=_D, tight=True),
    _id("UK_NHS", "NhsRecognizer", r"\b\d{3}[- ]?\d{3}[- ]?\d{4}\b", SHORT_PAD, norm=_D, tight=True),
    _id("UK_NINO", "UkNinoRecognizer", r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]", norm=_CU),
    _id("US_PASSPORT", "UsPassportRecognizer", r"\b[A-Za-z]?\d{8,9}\b", norm=_CU, tight=True),
    _id("US_DRIVER_LICENSE", "UsLicenseRecognizer", norm=_CU, min_score=0.4),
    _id("US_BANK_NUMBER", "UsBankRecognizer", r"\b\d{8,17}\b", norm=_D, min_score=0.4),
    _id("US_ITIN", "UsItinRecognizer", r"\b9\d{2}[- ]?[5-9]\d[- ]?\d{4}\b", SHORT_PAD, norm=_D, tight=True),
    Traits("EMAIL_ADDRESS", presidio="EmailRecognizer", trigger=r"@", mask=Mask.EMAIL, norm=Norm.LOWER),
    # four numbers not followed by a digit (not a version 1.22.3.4567), or IPv6 (not hh:mm:ss)
    _id("IP_ADDRESS", "IpRecognizer", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?:[^0-9]|$)|" + _IPV6,
        SHORT_PAD, norm=Norm.LOWER, mask=Mask.IP),
    Traits("URL", presidio="UrlRecognizer", trigger=r"://|www\.|\.[A-Za-z]{2}", edge=None,   # (a TLD, any case)
           norm=Norm.LOWER),
    Traits("DATE_TIME", ner=True, presidio="DateRecognizer"),
    _id("CRYPTO", "CryptoRecognizer", r"\b(?:bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}\b"),
    _id("MEDICAL_LICENSE", "MedicalLicenseRecognizer", r"[A-Za-z][A-Za-z9]\d{7}", min_score=0.4, country="US"),   # DEA
    _id("MAC_ADDRESS", "MacAddressRecognizer"),
    _id("IN_AADHAAR", "InAadhaarRecognizer", r"\b\d{4}[- :]?\d{4}[- :]?\d{4}\b", SHORT_PAD, tight=True),
    _id("AU_TFN", "AuTfnRecognizer", r"\b\d{3}\D?\d{3}\D?\d{3}\b", SHORT_PAD, norm=_D, tight=True),
    _id("AU_MEDICARE", "AuMedicareRecognizer", norm=_D),
    _id("SG_NRIC_FIN", "SgFinRecognizer", norm=_D),
    _id("ES_NIF", "EsNifRecognizer"),
    _id("IT_FISCAL_CODE", "ItFiscalCodeRecognizer"),
    _id("PL_PESEL", "PlPeselRecognizer"),
    _id("UK_PASSPORT", "UkPassportRecognizer"),
    _id("IN_PASSPORT", "InPassportRecognizer"),
    _id("FI_PERSONAL_IDENTITY_CODE", "FiPersonalIdentityCodeRecognizer"),
    # dataguard's own recognizers (detect.recognizers) and the phone recognizer
    _id("PHONE_NUMBER", norm=Norm.PHONE),         # its recognizer walks the text as libphonenumber does
    _id("IN_PAN", trigger=r"[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]", norm=_CU),
    Traits("MRZ", mask=Mask.ZONE),
    _secret("SECRET_PRIVATE_KEY"), _secret("SECRET_AWS_KEY", norm=_CU), _secret("SECRET_PASSWORD"),
    _secret("SECRET_TOKEN"),
    _marking("CLASSIFICATION_MARKING"), _marking("CLASSIFICATION_STRICTLY_CONFIDENTIAL"),
    Traits("HEALTH_TERM", mask=Mask.REDACT, keyword=True),
    # found by column semantics (detect.columns): a sensitive column name over plausible values
    Traits("DATE_OF_BIRTH", mask=Mask.REDACT, norm=Norm.AS_IS),
    Traits("ETHNICITY_RELIGION", mask=Mask.REDACT, norm=Norm.AS_IS),
    _secret("PASSWORD_HASH"),
    _id("NATIONAL_ID", norm=_CU), _id("PASSPORT_NUMBER", norm=_CU),
    # spaCy NER
    _ner("PERSON"), _ner("LOCATION"), _ner("NRP"), _ner("ORGANIZATION"),
    # identifiers other recognizers may report (custom packs, other Presidio versions)
    _id("AU_ABN"), _id("AU_ACN"), _id("IN_VEHICLE_REGISTRATION"), _id("IN_VOTER"),
)}
_NOT_BUILT_IN = {"AU_ABN", "AU_ACN", "IN_VEHICLE_REGISTRATION", "IN_VOTER"}

# what some patterns of a predefined recognizer hold beyond its trigger, by recognizer and
# pattern name: a window without it is not searched with that pattern (the IPv6 patterns are
# long; most IP windows are a dotted quad's). tests/test_fast_paths.py checks every match holds it.
# An IPv6 address is compressed ("::") or has its eight groups (six before an IPv4 tail); a MAC
# address has five colons. A need is the number of groups of hex digits, each before a colon,
# that stand for "::" (0: "::" alone); ``need_regex`` writes it as a regex.
PATTERN_NEEDS = {"IpRecognizer": {"IPv4_mapped": 0, "IPv4_embedded": 6, "IPv6": 7, "IPv6_unspecified": 0}}


def need_regex(groups: int) -> str:
    """A need (``PATTERN_NEEDS``) as a regex: "::", or ``groups`` hex groups each before a colon."""
    return "::" + (f"|(?:[0-9A-Fa-f]{{1,4}}:){{{groups}}}" if groups else "")

NER_ENTITIES = frozenset(t.name for t in TABLE.values() if t.ner)
BUILT_IN = frozenset(TABLE) - _NOT_BUILT_IN


def known_entities() -> frozenset:
    """Every entity the built-in recognizers and NER can report."""
    return BUILT_IN


TRIGGERS = {t.name: t.trigger for t in TABLE.values() if t.trigger}


@functools.lru_cache(maxsize=1024)
def traits(entity: str) -> Traits:
    """The entity's traits; an entity not in the table gets defaults by its prefix."""
    t = TABLE.get(entity)
    if t is not None:
        return t
    if entity.startswith("SECRET_"):
        return _secret(entity)
    if entity.startswith("CLASSIFICATION_"):
        return _marking(entity)
    return Traits(entity)

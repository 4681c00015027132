"""Check digits and formats of identifiers, by name.

A rule pack's recognizer names one of these in ``validator:``; a candidate the validator
rejects is not reported. National numbers use python-stdnum (``stdnum:<cc>.<module>``,
e.g. ``stdnum:tr.tckimlik``): its modules implement the published check-digit and
format rules of each country. Nothing here imports Presidio or spaCy.
"""
from __future__ import annotations

import functools
import importlib
import re
from typing import Callable, Optional

_STDNUM = re.compile(r"^stdnum:([a-z]{2}_?)\.([a-z0-9_]+)$")
_SEPARATORS = re.compile(r"[\s\-./]")


def mrz_check_digit(field: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1; digits as such, A-Z as 10-35, '<' as 0."""
    total = 0
    for i, c in enumerate(field):
        v = int(c) if c.isdecimal() else (ord(c) - 55 if "A" <= c <= "Z" else 0)
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def _mrz_ok(field: str, digit: str) -> bool:
    return mrz_check_digit(field) == digit


def mrz_valid(value: str) -> bool:
    """The check digits of a TD3 (passport, laissez-passer), TD2 or TD1 (identity card)
    machine-readable zone (ICAO 9303 parts 4-6)."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if len(lines) == 2 and len(lines[1]) in (44, 36):          # TD3, TD2
        l2 = lines[1]
        last = len(l2) - 1
        return (_mrz_ok(l2[0:9], l2[9]) and _mrz_ok(l2[13:19], l2[19]) and _mrz_ok(l2[21:27], l2[27])
                and _mrz_ok(l2[0:10] + l2[13:20] + l2[21:last], l2[last]))
    if len(lines) == 3 and len(lines[0]) == 30:                # TD1
        l1, l2 = lines[0], lines[1]
        return (_mrz_ok(l1[5:14], l1[14]) and _mrz_ok(l2[0:6], l2[6]) and _mrz_ok(l2[8:14], l2[14])
                and _mrz_ok(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]))
    return False


def _iban(value: str) -> bool:
    from stdnum import iban
    return iban.is_valid(value)


def _bic(value: str) -> bool:
    from stdnum import bic
    return bic.is_valid(value)


def _luhn(value: str) -> bool:
    from stdnum import luhn
    digits = _SEPARATORS.sub("", value)
    return digits.isdigit() and luhn.is_valid(digits)


def _international_phone(value: str) -> bool:
    """A valid number of its country (libphonenumber) read as international: the digits of
    the value after a "+" ("256777763766": Uganda's country code, then a mobile number; a "+"
    written in front, "+256 777 763766", is read the same)."""
    import phonenumbers
    digits = _SEPARATORS.sub("", value.strip()).removeprefix("+")
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse("+" + digits, None))
    except phonenumbers.NumberParseException:
        return False


VALIDATORS: dict = {"iban": _iban, "bic": _bic, "luhn": _luhn, "mrz": mrz_valid,
                    "international_phone": _international_phone}


@functools.lru_cache(maxsize=None)
def _stdnum_module(cc: str, name: str):
    return importlib.import_module(f"stdnum.{cc}.{name}")


def validator(name: str) -> Optional[Callable[[str], bool]]:
    """The validator called ``name``: one of ``VALIDATORS`` or ``stdnum:<cc>.<module>``
    (a python-stdnum module with ``is_valid``); None for an unknown name."""
    if name in VALIDATORS:
        return VALIDATORS[name]
    m = _STDNUM.match(name)
    if m is None:
        return None
    try:
        module = _stdnum_module(*m.groups())
    except ImportError:
        return None
    check = getattr(module, "is_valid", None)
    return check if callable(check) else None

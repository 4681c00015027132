"""Value hashes (keyed, normalised) and masked previews."""
from __future__ import annotations

import hashlib
import json
import hmac

import pytest

from dataguard.hashing import Hasher, mask

KEY = b"0123456789abcdef-test-key"


def _reference(entity: str, canonical: str) -> str:
    return hmac.new(KEY, f"{entity}\x00{canonical}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("entity,value,canonical", [
    ("CREDIT_CARD", " 4111-1111 1111 1111 ", "4111111111111111"),
    ("IBAN_CODE", "gb82 west-1234 5698 7654 32", "GB82WEST12345698765432"),
    ("PHONE_NUMBER", "+41 (44) 000 00 00", "+41440000000"),
    ("EMAIL_ADDRESS", "Amina.Yusuf@Example.ORG", "amina.yusuf@example.org"),
    ("SECRET_AWS_KEY", "AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
    ("PERSON", "  Hélène   DUBOIS ", "hélène dubois"),
    # found on a JSON string's escapes (json.dumps' default): the same value as written plainly
    ("PERSON", "H\\u00e9l\\u00e8ne Dubois", "hélène dubois"),
    ("PERSON", "\\u0623\\u062d\\u0645\\u062f Ali", "أحمد ali"),
    ("PERSON", "C:\\users\\Amina", "c:\\users\\amina"),       # (no valid escape: as written)
])
def test_hash_is_hmac_sha256_of_normalised_value(entity, value, canonical):
    h = Hasher(KEY)
    assert h.hash(entity, value) == _reference(entity, canonical)
    assert h.hash(entity, value) == h.hash(entity, value)          # the keyed state is reused, not consumed
    assert Hasher(b"another key 0123456").hash(entity, value) != h.hash(entity, value)
    assert "0123" not in repr(h)


@pytest.mark.parametrize("entity,value,masked", [
    ("CREDIT_CARD", "4111 1111 1111 1111", "4111 **** **** 1111"),
    ("IBAN_CODE", "GB82 WEST 1234 5698 7654 32", "GB** **** **** **** **54 32"),
    ("US_SSN", "536-22-8843", "***-**-8843"),
    ("PHONE_NUMBER", "+254 712 345", "+*** **2 345"),
    ("US_SSN", "1234", "***4"),                    # short: shows at most a quarter of it
    ("US_SSN", "12345", "***45"),
    ("AU_TFN", "12", "**"),
    ("EMAIL_ADDRESS", "amina.yusuf@un-juba.org", "a**********@*******.org"),
    ("PERSON", "Amina Yusuf", "A**** Y****"),
    ("PERSON", "\\u0623\\u062d\\u0645\\u062f Ali", "أ*** A**"),      # (decoded: no backslash shown)
    ("IP_ADDRESS", "10.20.30.40", "10.**.**.**"),
    ("SECRET_PASSWORD", "hunter2", "<secret_password redacted, 7 chars>"),
])
def test_mask(entity, value, masked):
    assert mask(entity, value) == masked


@pytest.mark.parametrize("entity, word", [("HEALTH_TERM", "HIV-positive"), ("HEALTH_TERM", "tuberculosis"),
                                          ("CLASSIFICATION_MARKING", "CONFIDENTIAL"), ("DATE_OF_BIRTH", "1980-04-12"),
                                          ("PASSWORD_HASH", "$2b$12$abc")])
def test_keyword_entities_show_type_and_length_never_the_word(entity, word):
    assert mask(entity, word) == f"<{entity.lower()} redacted, {len(word)} chars>"


def test_a_packs_keyword_entity_is_masked_like_the_built_in_ones():
    assert mask("PROTECTION_TERM", "forced marriage", keyword=True) == "<protection_term redacted, 15 chars>"
    assert "iage" in mask("PROTECTION_TERM", "forced marriage")       # a pattern entity keeps its tail


def test_a_packs_entity_with_a_deny_list_is_a_keyword_entity_with_patterns_too():
    from dataguard.hashing import keyword_entities
    from dataguard.types import PatternSpec, RecognizerSpec
    custom = (RecognizerSpec(entity="DONOR", deny_list=("Acme Foundation",), patterns=(PatternSpec("r", r"DN-\d+", 0.5),)),
              RecognizerSpec(entity="CASE", patterns=(PatternSpec("c", r"C-\d+", 0.5),)),
              RecognizerSpec(entity="TERM", deny_list=("mesh",)))
    assert keyword_entities({"custom": custom}) == {"DONOR", "TERM"}


def test_keyword_hashes_still_count_distinct_words():
    h = Hasher(b"k" * 32)
    assert h.hash("HEALTH_TERM", "Tuberculosis") == h.hash("HEALTH_TERM", "tuberculosis")
    assert h.hash("HEALTH_TERM", "tuberculosis") != h.hash("HEALTH_TERM", "pregnant")


def test_a_packs_keyword_entity_is_masked_in_the_report(tmp_path, run_cli):
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "case.txt").write_text("Case 12: survivor of forced marriage, referred on Monday.\n")
    pack = tmp_path / "pack.yaml"
    pack.write_text("pack: p\nrecognizers:\n  - {entity: PROTECTION_TERM, deny_list: [forced marriage]}\n"
                    "rules:\n  - {id: P-1, title: t, severity: high, measure: CM-SENSITIVE,"
                    " match: {entities: [PROTECTION_TERM]}}\n")
    res = run_cli("scan", tmp_path / "share", "--rules", pack, "--no-ner", "--workers", "1", "--format", "json")
    (ev,) = res.report["findings"][0]["evidence"]
    assert ev["masked"] == "<protection_term redacted, 15 chars>" and (ev["line"], ev["col"], ev["end_col"]) == (1, 22, 37)
    assert "marriage" not in json.dumps(res.report)

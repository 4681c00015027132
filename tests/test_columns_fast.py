"""The column judge's fast paths give what the plain reading gives."""
import random

from dataguard.detect.columns import _below_headers


def test_results_below_headers_are_those_in_no_header_row():
    class R:
        def __init__(self, start):
            self.start = start
    rng = random.Random(3)
    for _ in range(500):
        results = [R(rng.randrange(0, 50)) for _ in range(rng.randrange(0, 8))]
        headers = [(s, s + rng.randrange(0, 10)) for s in (rng.randrange(0, 40) for _ in range(rng.randrange(1, 3)))]
        assert _below_headers(results, headers) == [r for r in results
                                                    if not any(s <= r.start < e for s, e in headers)]


def test_a_lower_case_ascii_token_has_the_same_words_with_or_without_case_splitting():
    """``Vocabulary._words`` reads an ASCII token without a capital once (``split_case=False``),
    not again for its case changes: what it takes is so only if both readings give the same words;
    and a token with a capital is still split at its case change."""
    from dataguard.detect.context import name_words
    rng = random.Random(5)
    pieces = ["date", "of", "birth", "id", "nom", "phone", "no", "2", "x", "whatsapp", "hoh", "nm", "nationalid",
              "e", "mail", "a1", "b12c", "ü", "ß", "dob", "mob", "tel", "passport", "ssn", "iban", "first", "name"]
    tokens = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 5))) for _ in range(3000)]
    for token in (t for t in tokens if t.isascii()):
        assert name_words(token) == name_words(token, split_case=False), token
    assert name_words("dateOfBirth") != name_words("dateOfBirth", split_case=False)


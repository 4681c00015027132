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


def test_a_names_words_are_those_read_token_by_token_with_case_changes():
    import re
    import unicodedata

    from dataguard.detect.columns import vocabulary_for
    from dataguard.detect.context import name_words
    vocab = vocabulary_for()

    def words(part: str) -> tuple:          # (``Vocabulary._words`` reading each token twice)
        out: list = []
        part = "".join(c for c in unicodedata.normalize("NFKD", part[:200]) if not unicodedata.combining(c))
        for token in re.split(r"[\W_]+", part):
            whole = name_words(token, split_case=False)
            if len(whole) == 1 and (whole in vocab._phrases or whole in vocab._exact):
                out.extend(whole)
            elif token:
                out.extend(name_words(token))
        return tuple(out)
    rng = random.Random(5)
    pieces = ["date", "Of", "birth", "ID", "Nom", "phone", "No", "2", "x", "é", "ﬁ", "ℌ", "Ａ", "ى", "ة", "_", "-", " ",
              "whatsapp", "WhatsApp", "HoH", "NM", "nationalId", "PASSPORT", "e-mail", "A1", "b12c"]
    for _ in range(3000):
        part = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 6)))
        assert vocab._words(part) == words(part), part

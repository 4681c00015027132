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

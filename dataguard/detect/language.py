"""The language of a chunk, from a sample of its text (Compact Language Detector 2, pycld2).

CLD2 was chosen over lingua-language-detector and py3langid (``benchmarks/bench_langdetect.py``):
on field-office samples in English, French, Spanish and Arabic all three were right on every
sample, but CLD2 takes ~5 µs per sample and loads in ~5 ms with ~15 MB, against ~40-90 µs,
~1 s and 140-200 MB for the other two (which load their models into every worker).
"""
from __future__ import annotations

import re
from typing import Optional

from dataguard.vocab import TEXT_LANGUAGES

SAMPLE_CHARS = 4000        # enough for a confident answer; the cost grows with the sample
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def detect_language(text: str) -> Optional[str]:
    """"en", "fr", "es" or "ar" when CLD2 reliably finds one of them first in ``text``
    (a sample of it), else None (another language, too little text, numbers only)."""
    import pycld2
    sample = _CONTROL.sub(" ", text[:SAMPLE_CHARS]).encode("utf-8", "replace")
    try:
        reliable, _, details = pycld2.detect(sample, bestEffort=True)
    except pycld2.error:
        return None
    code = details[0][1] if details else "un"
    return code if reliable and code in TEXT_LANGUAGES else None


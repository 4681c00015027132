"""Mutated documents (flipped / truncated / inserted bytes) fed to the family extractors
themselves (not the dispatcher, which turns any exception into a Problem): they may only
raise the exceptions the dispatcher reports by kind (corrupt content, memory, I/O), never
one that only its last-resort handler would catch."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataguard.extract import CONTENT_ERRORS, FAMILIES, family_of, make_context
from dataguard.types import Chunk, Limits, Problem, Unit

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "share" / "documents"
FORMATS = sorted(p.name for p in DOCS.iterdir() if p.name != "truncated.docx")
LIMITS = Limits(item_timeout_s=10, chunk_chars=4000)


@st.composite
def mutations(draw, size: int):
    """A list of edits: ("flip", pos, byte) / ("cut", pos) / ("insert", pos, bytes)."""
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "flip", "cut", "insert"]))
        pos = draw(st.integers(0, max(size - 1, 0)))
        if kind == "flip":
            edits.append(("flip", pos, draw(st.integers(0, 255))))
        elif kind == "cut":
            edits.append(("cut", pos))
        else:
            edits.append(("insert", pos, draw(st.binary(min_size=1, max_size=16))))
    return edits


def apply(data: bytes, edits) -> bytes:
    buf = bytearray(data)
    for e in edits:
        pos = min(e[1], len(buf))
        if e[0] == "flip" and pos < len(buf):
            buf[pos] = e[2]
        elif e[0] == "cut":
            del buf[pos:]
        elif e[0] == "insert":
            buf[pos:pos] = e[2]
    return bytes(buf)


def _family(name: str) -> str:
    return family_of(lambda: open(DOCS / name, "rb"), name)


def run(name: str, data: bytes):
    """The pieces of the fixture's own family extractor on ``data`` (an exception the
    dispatcher classifies counts as one Problem)."""
    family = _family(name)
    family_errors = FAMILIES[family].errors()
    unit = Unit("/share", f"/share/{name}", name)
    out = []
    try:
        for piece in FAMILIES[family].extract(unit, lambda: io.BytesIO(data), name, make_context(LIMITS, family)):
            out.append(piece)
    except (MemoryError, OSError) + CONTENT_ERRORS + family_errors as exc:
        out.append(Problem(unit.uri, "corrupt", type(exc).__name__))
    return out


def test_every_fixture_has_an_extractor():
    assert {_family(name) for name in FORMATS} <= set(FAMILIES)


@pytest.mark.parametrize("name", FORMATS)
def test_mutated_fixture_never_raises(name):
    original = (DOCS / name).read_bytes()

    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(mutations(len(original)))
    def check(edits):
        data = apply(original, edits)
        out = run(name, data)                    # no other exception may escape
        for piece in out:
            assert isinstance(piece, (Chunk, Problem))
            if isinstance(piece, Problem):
                # messages carry no content: only fixed wording and type names
                assert "4111" not in piece.message and "GB82" not in piece.message
            else:
                assert isinstance(piece.text, str)

    check()


def test_a_member_whose_compressed_stream_is_broken_is_a_corrupt_item():
    """A byte of an ODS's deflated content.xml set to 0 (found by the fuzzing above): zlib's
    error is a content error, and the item a corrupt one, its message without content."""
    from dataguard.extract import extract
    data = apply((DOCS / "payments.ods").read_bytes(), [("flip", 381, 0)])
    assert [(p.kind, p.message) for p in run("payments.ods", data)] == [("corrupt", "error")]
    out = list(extract(Unit("/share", "/share/payments.ods", "payments.ods"), lambda: io.BytesIO(data),
                       "payments.ods", LIMITS))
    assert [(p.kind, p.message) for p in out if isinstance(p, Problem)] == [("corrupt", "cannot parse odf: error")]


@pytest.mark.parametrize("name", FORMATS)
def test_every_prefix_length_class_never_raises(name):
    """Truncations at a spread of lengths (headers, middle, just before the end)."""
    data = (DOCS / name).read_bytes()
    for cut in sorted({0, 1, 4, 30, 100, len(data) // 3, len(data) // 2, len(data) - 22, len(data) - 1}):
        if 0 <= cut <= len(data):
            out = run(name, data[:cut])
            assert all(isinstance(p, (Chunk, Problem)) for p in out)

"""Chunk.pointer_at: lines and anchors for any offset."""
from __future__ import annotations

import random

from dataguard.types import Anchor, Chunk, Pointer, Unit

UNIT = Unit(target="/t", uri="/t/f.txt", path="f.txt")


def test_line_at_every_offset_of_a_long_chunk():
    rng = random.Random(4)
    text = "".join(rng.choice(["a", "bb ", "\n", "\n\n", "x" * 300]) for _ in range(1500))
    assert len(text) > 5 * 4096
    chunk = Chunk(unit=UNIT, text=text, first_line=7)
    offsets = list(range(0, len(text) + 1, 7)) + [0, 4095, 4096, 4097, len(text) - 1, len(text), len(text) + 10]
    for off in offsets:
        assert chunk.pointer_at(off) == Pointer(line=7 + text.count("\n", 0, off)), off


def test_no_lines_without_first_line():
    chunk = Chunk(unit=UNIT, text="a\nb\nc", first_line=None)
    assert chunk.pointer_at(4) == Pointer()


def test_anchors_give_their_pointer_from_their_offset_on():
    text = "\n".join(f"cell{i}" for i in range(2000))
    anchors = tuple(Anchor(text.index(f"cell{i}\n" if i < 1999 else f"cell{i}"), Pointer(sheet="S", cell=f"A{i + 1}"))
                    for i in range(0, 2000, 3))
    chunk = Chunk(unit=UNIT, text=text, first_line=None, anchors=anchors)
    for a in anchors:
        assert chunk.pointer_at(a.offset) == a.pointer
        assert chunk.pointer_at(a.offset + 2) == a.pointer
    first = Chunk(unit=UNIT, text="ab" + text, first_line=None, anchors=tuple(Anchor(a.offset + 2, a.pointer)
                                                                              for a in anchors))
    assert first.pointer_at(1) == Pointer()       # before the first anchor


def test_anchor_pointer_gets_the_line_unless_it_has_one():
    text = "l1\nl2\nl3\nl4\n"
    chunk = Chunk(unit=UNIT, text=text, first_line=10,
                  anchors=(Anchor(3, Pointer(page=2)), Anchor(9, Pointer(page=3, line=99))))
    assert chunk.pointer_at(0) == Pointer(line=10)
    assert chunk.pointer_at(6) == Pointer(page=2, line=12)
    assert chunk.pointer_at(10) == Pointer(page=3, line=99)


def test_pointer_at_keeps_chunks_equal_and_picklable():
    import pickle
    a = Chunk(unit=UNIT, text="x\ny\n" * 3000)
    b = Chunk(unit=UNIT, text="x\ny\n" * 3000)
    assert a.pointer_at(9000) == Pointer(line=4501)
    assert a == b and hash(a.text) == hash(b.text)
    assert pickle.loads(pickle.dumps(a)) == a


def _finding(value=None):
    from dataguard.types import Evidence, Finding
    unit = Unit(target="/t", uri="/t/a.zip", path="a.zip", member="x/b.csv")
    ev = (Evidence("EMAIL_ADDRESS", 0.9, Pointer(line=3, sheet="S", part="header"), "a***@b.org", "h1", value),
          Evidence("PERSON", 0.85, Pointer(page=2), "J*** D**", "h2"))
    return Finding(fingerprint="f" * 64, rule_id="DG-1", title="T", severity="high", measure="CM-ENCRYPT", unit=unit,
                   entities={"EMAIL_ADDRESS": {"count": 1, "max_score": 0.9}}, evidence=ev, evidence_truncated=True,
                   remediation="fix", exposure="broad", owner="alice")


def test_finding_round_trips_in_both_forms():
    from dataguard.types import decode_finding, encode_finding, finding_from_dict, finding_to_dict
    f = _finding(value="a@b.org")
    assert decode_finding(encode_finding(f)) == f
    assert finding_from_dict(finding_to_dict(f, show_data=True)) == f


def test_report_form_shows_a_value_only_with_show_data():
    from dataguard.types import finding_to_dict
    d = finding_to_dict(_finding(value="a@b.org"))
    assert "value" not in d["evidence"][0] and "a@b.org" not in str(d)
    assert finding_to_dict(_finding(value="a@b.org"), show_data=True)["evidence"][0]["value"] == "a@b.org"
    assert list(d["evidence"][0]) == ["entity_type", "score", "line", "page", "sheet", "cell", "row", "part", "col",
                                      "end_col", "reason",
                                      "masked", "value_hash"]
    assert d["location"] == {"target": "/t", "uri": "/t/a.zip", "path": "a.zip", "member": "x/b.csv",
                             "table": None, "column": None, "source": "file"}

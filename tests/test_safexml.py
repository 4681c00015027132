"""``safexml.subtrees`` (ElementTree's C TreeBuilder fed by expat, complete subtrees taken out
after each block) gives what ``iter_xml``'s "elem" events give, on any document, and whatever
it cannot keep within ``Subtrees``' bounds it leaves to ``Subtrees``: errors and refusals as
``iter_xml`` raises them, after the same subtrees."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataguard.extract import safexml
from dataguard.extract.safexml import _READ, MalformedXML, UnsafeXML, iter_xml, subtrees

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _read(read, xml: bytes, depth: int) -> tuple:
    """The subtrees a reader gives (as bytes), and the error it stops with (its type, ``at``)."""
    got = []
    try:
        for el in read(xml, depth):
            got.append(ET.tostring(el))
    except (MemoryError, ValueError) as exc:
        return got, type(exc).__name__, getattr(exc, "at", None)
    return got, None, None


def _old(xml: bytes, depth: int):
    return (ev[1] for ev in iter_xml(io.BytesIO(xml), depth) if ev[0] == "elem")


def _new(xml: bytes, depth: int):
    return subtrees(lambda: io.BytesIO(xml), depth)


def _same(xml: bytes, depth: int) -> tuple:
    old = _read(_old, xml, depth)
    assert _read(_new, xml, depth) == old
    return old


def _doc(body: str, prefix: str = "w") -> bytes:
    return (f'<?xml version="1.0"?><{prefix}:document xmlns:{prefix}="{W}" xmlns:o="urn:o" a="1">'
            f'<{prefix}:body>{body}</{prefix}:body></{prefix}:document>').encode()


def _p(text: str, prefix: str = "w") -> str:
    return f'<{prefix}:p o:x="y"><{prefix}:r><{prefix}:t>{text}</{prefix}:t></{prefix}:r></{prefix}:p>'


CASES = [
    _doc("".join(_p(f"p{i}") for i in range(30_000))),                     # many blocks
    _doc("".join(_p(f"p{i}", "q") for i in range(3_000)), "q"),             # another prefix
    _doc("".join(f"<!--c{i}--><?pi x?>{_p(f'<![CDATA[<c{i}>]]>&amp;&#65;')} tail " for i in range(5_000))),
    _doc(_p("word " * 300_000) + _p("after")),                              # a subtree of 1.5 MB
    _doc("text at the body " * 200_000 + _p("late")),                       # text outside any subtree
    _doc(_p("a") + "<w:sectPr/>" * 300_000 + _p("b")),                      # many elements above them
    _doc("".join(_p(f"p{i}") for i in range(20_000)) + "<w:p><w:r></w:p>"),  # malformed after blocks
    _doc("".join(_p(f"p{i}") for i in range(20_000)))[:-30],                # truncated
    _doc("".join(_p(f"p{i}") for i in range(20_000))) + b"<junk/>",
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "b">]>' + _doc(_p("&a;"))[21:],
    _doc(_p("x") + '<w:p a="' + "v" * (safexml.MAX_MARKUP + 200_000) + '"/>'),  # a tag too large
    f'<w:document xmlns:w="{W}"><w:background>{_p("bg")}</w:background><w:body>{_p("b")}</w:body>'
    f'<w:body>{_p("two")}</w:body></w:document>'.encode(),
    ('<?xml version="1.0" encoding="UTF-16"?>' + _doc(_p("sixteen") * 9_000).decode()[21:]).encode("utf-16"),
    b"",
    b"<only/>",
]


@pytest.mark.parametrize("n", range(len(CASES)))
@pytest.mark.parametrize("depth", [2, 3, 4])
def test_subtrees_are_those_of_iter_xml(n, depth):
    _same(CASES[n], depth)


def test_the_errors_are_those_of_iter_xml_after_the_same_subtrees():
    assert _same(CASES[6], 3)[1:] == ("MalformedXML", _read(_old, CASES[6], 3)[2])
    assert len(_same(CASES[6], 3)[0]) == 20_000
    assert _same(CASES[9], 3)[1] == "UnsafeXML"
    assert _same(CASES[10], 3)[1] == "MemoryError"


@pytest.mark.parametrize("n", [3, 4])
def test_the_c_path_gives_up_before_a_subtree_or_text_outgrows_its_patience(n):
    """A subtree, or text outside any, open for more than ``_PATIENCE`` blocks: the C tree
    never holds more than (_PATIENCE + 1) blocks of it (``Subtrees`` reads the part then)."""
    fh = io.BytesIO(CASES[n])
    with pytest.raises(safexml._Slow):
        for _ in safexml._built_in_c(fh, 3):
            pass
    assert fh.tell() <= (safexml._PATIENCE + 2) * _READ


def test_a_bound_of_subtrees_holds_on_the_c_path(monkeypatch):
    """Bounds lowered below what the C path may hold: ``subtrees`` refuses as ``iter_xml`` does."""
    monkeypatch.setattr(safexml, "SUBTREE_CAP", 1_000)
    assert _same(CASES[3], 3)[1] == "MemoryError"
    monkeypatch.setattr(safexml, "SUBTREE_ELEMENTS", 3)
    got = _same(_doc(_p("a") + "<w:p><w:r/><w:r/><w:r/></w:p>"), 3)
    assert got[1] == "MemoryError"



def test_a_read_error_gives_the_subtrees_complete_before_it_first():
    """A part whose reading fails (a bad CRC, a truncated deflate stream) after a block that ends
    right after a complete paragraph: ``subtrees`` gives that paragraph, then the error, as
    ``iter_xml`` does (the C path holds an element's last child back until the next one opens)."""
    import zipfile
    empty = _doc("").decode()
    head = empty[:empty.index("</w:body>")]
    secret = _p("SECRET 078-05-1120")
    filler = _p("x" * (_READ - len(head.encode()) - len(_p("").encode()) - len(secret.encode()) - 2))
    data = (head + filler + secret + _p("after") * 3000 + "</w:body></w:document>").encode()

    class Flaky(io.BytesIO):
        reads = 0

        def read(self, n=-1):
            self.reads += 1
            if self.reads == 2:
                raise zipfile.BadZipFile("Bad CRC-32")
            return super().read(n)

    def read(gen):
        got = []
        with pytest.raises(zipfile.BadZipFile):
            for el in gen:
                got.append("".join(el.itertext())[:20])
        return got
    old = read(ev[1] for ev in iter_xml(Flaky(data), 3) if ev[0] == "elem")
    assert read(subtrees(lambda: Flaky(data), 3)) == old and old[-1].startswith("SECRET")


_NAMES = st.sampled_from(["w:p", "w:r", "w:t", "o:x", "p", "w:tbl"])
_TEXT = st.sampled_from(["", "a", " ", "&amp;", "<![CDATA[<c>]]>", "<!--c-->", "<?pi?>", "\n", "é"])


@st.composite
def _nodes(draw, depth=0):
    out = []
    for _ in range(draw(st.integers(0, 3 if depth < 4 else 0))):
        name = draw(_NAMES)
        attrs = draw(st.sampled_from(["", ' o:a="1"', ' w:b="x" c="&lt;"']))
        out.append(f"<{name}{attrs}>{draw(_TEXT)}{draw(_nodes(depth + 1))}</{name}>{draw(_TEXT)}")
    return "".join(out)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_nodes(), st.integers(2, 4), st.integers(0, 40), st.integers(1, 64))
def test_random_documents_read_as_by_iter_xml(monkeypatch, nodes, depth, cut, read):
    """Blocks of a few bytes (every subtree spans blocks, the patience runs out), whole and cut short."""
    monkeypatch.setattr(safexml, "_READ", read)
    xml = _doc(nodes)
    _same(xml, depth)
    _same(xml[:len(xml) - cut], depth)

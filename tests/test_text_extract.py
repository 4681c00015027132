"""Text extraction: encodings, streamed overlapping chunks, exact lines, bounded memory."""
from __future__ import annotations

import codecs
import io
import random
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataguard.extract import extract as extract_any
from dataguard.extract import FAMILIES, Family, make_context
from dataguard.extract.chunks import HEADER_CELLS
from dataguard.extract import text as textmod
from dataguard.types import Chunk, Limits, Problem, Unit

UNIT = Unit(target="/t", uri="/t/f.txt", path="f.txt")


def _opener(data: bytes):
    return lambda: io.BytesIO(data)


def _chunks(data: bytes, name="f.txt", **limits):
    out = list(extract_any(UNIT, _opener(data), name, Limits(**limits)))
    assert all(isinstance(c, Chunk) for c in out), out
    return out


def _joined(chunks):
    return "".join(c.text[c.keep_start:c.keep_end] for c in chunks)


SAMPLES = {
    "ascii": "Hello world\nsecond line\n",
    "fr": "Numéro de sécurité sociale : 1 85 05 78 006 084 36\nNé à Orléans, prix 12,50 € — réservé.\n",
    "de": "Größe, Straße, Übermaß – „Anführungszeichen“ … Ærø\n",
    "mixed": "Zoë’s café “naïve” façade — 5 € and £3 ©2024\n",
    "cjk": "東京都 千代田区 电话 010-1234 ☎ 😀\n",
}


@pytest.mark.parametrize("key", ["ascii", "fr", "de", "mixed", "cjk"])
@pytest.mark.parametrize("enc", ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "utf-16"])
def test_unicode_encodings_roundtrip(key, enc):
    text = SAMPLES[key]
    if enc == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif enc == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(enc)
    chunks = _chunks(data)
    assert _joined(chunks) == text
    assert "\ufeff" not in chunks[0].text


@pytest.mark.parametrize("key", ["ascii", "fr", "de", "mixed"])
def test_cp1252_and_latin1_roundtrip(key):
    text = SAMPLES[key]
    for enc in ("cp1252", "latin-1"):
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            continue
        assert _joined(_chunks(data)) == text, enc


@pytest.mark.parametrize("text", ["x é", "é", "5€", "prix: 12 €\n", "Café – 5€ déjà vu", "naïve façade"])
def test_short_cp1252_prefers_cp1252(text):
    assert _joined(_chunks(text.encode("cp1252"))) == text


def test_a_spanish_cp1252_export_is_read_as_cp1252():
    """charset-normalizer ranks a Baltic code page (cp775) first for this Windows export and names
    cp1252 only among the code pages giving the same text as its cp1250 reading: it is read as
    cp1252 ("María", "Número de documento"; cp775 gave "MarĒa", "N·mero")."""
    text = ("Nombre completo;Tipo doc.;Número de documento;Fecha de nacimiento;Celular;Correo;Municipio;Monto COP;Factura\n"
            "María Fernanda Rojas Pérez;PPT;1.090.456.789;23/05/1990;310 456 7890;mafe.rojas90@gmail.com;Cúcuta;450.000;FV-000123\n"
            "José Gregorio Pérez Linares;Cédula VE;V-18.456.789;11/02/1984;0414-1234567;jgperez@hotmail.com;Villa del Rosario;"
            "450.000;FV-000124\n"
            "Yorgelis Carolina Mendoza;Pasaporte;AO123456;30/07/2002;+58 424 765 4321;yorgelis.m@yahoo.es;Cúcuta;300.000;"
            "FV-000125\n"
            "Wilmer Antonio Suárez Díaz;Cédula CO;1.093.765.432;15/12/1975;+57 300 987 6543;;Los Patios;600.000;FV-000126\n")
    assert textmod.detect_encoding(text.encode("cp1252"), complete=True) == "cp1252"
    assert _joined(_chunks(text.encode("cp1252"))) == text


def test_utf16_without_bom():
    text = "name;email\nAlice;alice@example.org\n" * 20
    assert _joined(_chunks(text.encode("utf-16-le"))) == text
    assert _joined(_chunks(text.encode("utf-16-be"))) == text


def test_non_latin_single_byte_code_pages():
    ru = "Привет, как дела? Это тест кодировки. Паспорт серия 4509 номер 123456.\n" * 3
    assert _joined(_chunks(ru.encode("cp1251"))) == ru
    pl = "Zażółć gęślą jaźń. Příliš žluťoučký kůň úpěl ďábelské ódy.\n" * 3
    assert _joined(_chunks(pl.encode("cp1250"))) == pl


def test_detect_encoding_truncated_utf8_head():
    # A complete file ending in a lone lead byte is not UTF-8 ...
    assert textmod.detect_encoding(b"x \xe9", complete=True) == "cp1252"
    # ... but a head cut in the middle of a character still is.
    assert textmod.detect_encoding("aé".encode()[:-1], complete=False) == "utf-8"


def test_invalid_bytes_are_replaced_not_fatal():
    data = "début ok\n".encode() + b"\xff\xfe\xfa broken\n" + "fin é\n".encode()
    text = _joined(_chunks(data))
    assert "broken" in text and "fin" in text and text.count("\n") == 3


def test_empty_file_gives_nothing():
    assert list(extract_any(UNIT, _opener(b""), "e.txt", Limits())) == []


@pytest.mark.parametrize("data", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 8,
])
def test_binary_is_skipped(data):
    [p] = list(extract_any(UNIT, _opener(data), "x.bin", Limits()))
    assert isinstance(p, Problem) and (p.kind, p.skipped) == ("binary", True)


def test_opener_permission_error_is_unreadable():
    def opener():
        raise PermissionError(13, "Permission denied", "/t/f.txt")
    [p] = list(extract_any(UNIT, opener, "f.txt", Limits()))
    assert (p.kind, p.message, p.skipped) == ("unreadable", "Permission denied", False)


def test_csv_header_context_and_hint():
    data = "Name,Email , Phone,\"IBAN, main\"\nAlice,a@example.org,+41 44 000 00 00,CH93\n" * 50
    out = _chunks(data.encode(), name="people.CSV", chunk_chars=200, overlap_chars=20)
    assert len(out) > 5
    for c in out:
        assert c.hint == "structured"
        assert c.context == ("Name", "Email", "Phone", "IBAN, main")
    tsv = _chunks("a\tb\tc\n1\t2\t3\n".encode("utf-16"), name="x.tsv")
    assert tsv[0].context == ("a", "b", "c")
    semi = _chunks(b"nom;pr\xe9nom;" + b"x" * 60 + b"\n1;2;3\n", name="x.csv")
    assert semi[0].context == ("nom", "prénom", "x" * 40)
    many = _chunks((",".join(f"c{i}" for i in range(300)) + "\n").encode(), name="w.csv")
    assert many[0].context == tuple(f"c{i}" for i in range(HEADER_CELLS)) and HEADER_CELLS == 250
    blanks = _chunks(b",name,,phone,\n0,a,b,c,\n", name="b.csv")
    assert blanks[0].context == ("", "name", "", "phone", "")      # each name in its column's place
    txt = _chunks(b"a,b\n", name="a.txt")
    assert txt[0].hint is None and txt[0].context == ()


@pytest.mark.parametrize("title", ["LISTE DE DISTRIBUTION — THIÈS — MAI 2024;;;;", "Staff list, March 2024;;;;",
                                   "\ufeffExport du 2024-05-02", "# exported by Kobo\nLISTE DES BÉNÉFICIAIRES;;;;",
                                   "ÉTAT DE PAIEMENT;;;;\nRéf. : BKO-ICT-2024-355;Taux : 463 250 FCFA;;;\n;;;;"])
def test_a_csv_title_above_its_header_is_not_the_header(title):
    """An export's title line (one field written, the delimiters of empty ones after it) stands
    above the header: the columns are named by the line after it; a one-column file keeps its
    header."""
    data = f"{title}\nN°;Nom et prénom;Village;Téléphone;Kits\n1;Maguette Lo;Khombole;78.115.01.58;3\n"
    assert _chunks(data.encode(), name="liste.csv")[0].context == ("N°", "Nom et prénom", "Village", "Téléphone", "Kits")
    assert _chunks(b"name\nAmina Okafor\nJohn Smith\n", name="one.csv")[0].context == ("name",)


def test_windows_break_at_newline_near_end():
    line = "x" * 95 + "\n"          # newline at the last 10% of a 100-char window
    out = _chunks((line * 10).encode(), chunk_chars=100, overlap_chars=10)
    assert all(c.text[c.keep_start:c.keep_end] == line for c in out)
    assert [c.pointer_at(c.keep_start).line for c in out] == list(range(1, 11))


def _check_chunks(text, chunks, chunk_chars, overlap, columns=False):
    assert _joined(chunks) == text
    starts = [0]
    for c in chunks:
        keep = c.keep_end - c.keep_start
        assert 0 < keep <= chunk_chars
        assert c.keep_start <= overlap and len(c.text) - c.keep_end <= overlap
        starts.append(starts[-1] + keep)
    for c, g in zip(chunks, starts):
        # the chunk's text is exactly the original text around its keep window
        assert c.text == text[g - c.keep_start:g - c.keep_start + len(c.text)]
        assert c.keep_start == min(overlap, g)
        assert len(c.text) - c.keep_end == min(overlap, len(text) - (g + c.keep_end - c.keep_start))
        for off in range(len(c.text)):
            gl = g - c.keep_start + off
            assert c.pointer_at(off).line == text.count("\n", 0, gl) + 1
        assert c.first_line == text.count("\n", 0, g - c.keep_start) + 1
        for off in range(c.keep_start, c.keep_end) if columns else ():
            gl = g - c.keep_start + off        # 1-based column in the decoded line, for every kept offset
            assert c.columns_of(off, off + 1) == (gl - text.rfind("\n", 0, gl), gl - text.rfind("\n", 0, gl) + 1) \
                or text[gl] == "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.sampled_from(list("ab \n\r\té€😀")), min_size=1, max_size=300),
       chunk_chars=st.integers(1, 40), overlap=st.integers(0, 12), seed=st.integers(0, 2**16))
def test_windows_property(text, chunk_chars, overlap, seed):
    # arbitrary piece boundaries in the decoded stream
    rnd = random.Random(seed)
    pieces, i = [], 0
    while i < len(text):
        n = rnd.randint(1, 50)
        pieces.append(text[i:i + n])
        i += n
    chunks = [Chunk(UNIT, t, ks, ke, fl) for t, ks, ke, fl in textmod.windows(pieces, chunk_chars, overlap)]
    _check_chunks(text, chunks, chunk_chars, overlap)


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab\nçé€😀")), min_size=1, max_size=400),
       chunk_chars=st.integers(1, 30), overlap=st.integers(0, 8),
       enc=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_extract_property_through_encodings(text, chunk_chars, overlap, enc):
    old = textmod.BLOCK_BYTES, textmod.HEAD_BYTES
    textmod.BLOCK_BYTES, textmod.HEAD_BYTES = 7, 5   # tiny reads: characters split across blocks
    try:
        out = list(textmod.extract(UNIT, _opener(text.encode(enc)), "f.txt",
                                   make_context(Limits(chunk_chars=chunk_chars, overlap_chars=overlap), "text")))
    finally:
        textmod.BLOCK_BYTES, textmod.HEAD_BYTES = old
    _check_chunks(text, out, chunk_chars, overlap, columns=True)


def test_planted_token_at_every_offset_kept_exactly_once():
    token = "TOK-0123456789-ABCDE"[:20]
    assert len(token) == 20
    chunk_chars, overlap = 50, 20
    for pos in range(0, 160):
        text = ("." * pos + token + "." * 100)
        out = [Chunk(UNIT, t, ks, ke, fl) for t, ks, ke, fl in textmod.windows([text], chunk_chars, overlap)]
        hits = []
        g = 0
        for c in out:
            start_local = pos - (g - c.keep_start)
            if c.keeps(start_local) and 0 <= start_local:
                hits.append(c)
                assert c.text[start_local:start_local + 20] == token
            g += c.keep_end - c.keep_start
        assert len(hits) == 1, pos
        # and a regex run on every chunk finds it exactly once among kept starts
        kept = [c for c in out for m in [c.text.find(token)] if m != -1 and c.keeps(m)]
        assert len(kept) == 1, pos


def test_five_mb_single_line_streamed(tmp_path):
    p = tmp_path / "one_line.txt"
    body = ("abcdefghij" * 524_288)            # 5 MiB, no newline
    p.write_text("é" + body + "END-MARK")
    tracemalloc.start()
    try:
        n, last, total = 0, None, 0
        for c in textmod.extract(UNIT, lambda: open(p, "rb"), "one_line.txt", make_context(Limits(), "text")):
            n += 1
            total += c.keep_end - c.keep_start
            assert c.first_line == 1 and "\n" not in c.text
            last = c
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == len(body) + 9
    assert last.text.endswith("END-MARK") and n > 50
    assert peak < 16 * 1024 * 1024, peak


def test_fifty_mb_file_bounded_memory_and_exact_lines(tmp_path):
    p = tmp_path / "big.log"
    line = "2026-11-02T08:14:07Z INFO worker heartbeat ok queue=reports latency_ms=12 status=green\n"
    n = 50 * 1024 * 1024 // len(line)
    with open(p, "w") as fh:
        block = line * 1000
        for _ in range(n // 1000):
            fh.write(block)
        fh.write("last line marker\n")
    n_lines = (n // 1000) * 1000 + 1
    tracemalloc.start()
    try:
        chunks = 0
        total = 0
        marker_line = None
        for c in extract_any(UNIT, lambda: open(p, "rb"), "big.log", Limits()):
            assert isinstance(c, Chunk)
            chunks += 1
            total += c.keep_end - c.keep_start
            k = c.text.find("last line marker")
            if k != -1 and c.keeps(k):
                marker_line = c.pointer_at(k).line
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == p.stat().st_size
    assert marker_line == n_lines
    assert chunks > 700
    assert peak < 64 * 1024 * 1024, peak


class _FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock(monkeypatch):
    import dataguard.extract
    clock = _FakeClock()
    monkeypatch.setattr(dataguard.extract, "clock", clock)
    return clock


def _slow_extractor(clock: _FakeClock, pause: float, n: int):
    def fake(unit, opener, name, ctx):
        for i in range(n):
            clock.now += pause                 # parsing takes ``pause`` seconds per piece
            yield Chunk(unit=unit, text=f"piece {i}")
    return fake


def test_item_time_budget_counts_extraction_time(monkeypatch, fake_clock):
    """A parser that is itself slow is stopped with a timeout error..."""
    monkeypatch.setitem(FAMILIES, "text", Family(_slow_extractor(fake_clock, 0.05, 100)))
    out = list(extract_any(UNIT, _opener(b"plain text\n"), "f.txt", Limits(item_timeout_s=0.2)))
    problems = [p for p in out if isinstance(p, Problem)]
    assert [p.kind for p in problems] == ["timeout"] and 3 <= len(out) - 1 < 10
    assert len(out) - 1 == 5                   # 5 x 0.05 s is the first total above 0.2 s


def test_item_time_budget_ignores_time_spent_by_the_consumer(monkeypatch, fake_clock):
    """...but the time the scanner spends detecting between chunks does not count."""
    monkeypatch.setitem(FAMILIES, "text", Family(_slow_extractor(fake_clock, 0.0, 8)))
    out = []
    for piece in extract_any(UNIT, _opener(b"plain text\n"), "f.txt", Limits(item_timeout_s=0.2)):
        out.append(piece)
        fake_clock.now += 0.05                 # 0.4 s of "detection" in total
    assert len(out) == 8 and not any(isinstance(p, Problem) for p in out)


def test_columns_of_values_in_lines():
    text = "id,name,phone\n1,Amina Yusuf,+254 712 345 678\r\n" + "x" * 70 + " tail\n"
    out = _chunks(text.encode(), name="a.txt", chunk_chars=30, overlap_chars=20)
    where = {}
    for c in out:
        for value in ("Amina Yusuf", "+254 712 345 678", "tail"):
            i = c.text.find(value)
            if i != -1 and c.keeps(i):
                where[value] = (c.pointer_at(i).line, *c.columns_of(i, i + len(value)))
    assert where == {"Amina Yusuf": (2, 3, 14), "+254 712 345 678": (2, 15, 31), "tail": (3, 72, 76)}
    # a value running over lines ends its region at the end of its first line
    c = Chunk(UNIT, "ab\nKEY-1\r\nKEY-2\n", first_line=4)
    assert c.columns_of(3, 15) == (1, 6)
    assert Chunk(UNIT, "abc", first_line=None).columns_of(0, 1) == (None, None)


def test_a_header_is_no_title_because_its_notes_hold_another_delimiter():
    """A header of commas over notes written with semicolons is the header; a one-column file of
    quoted "SURNAME, Given" names keeps its header (a quoted comma is no delimiter)."""
    data = "name,phone,notes\nA,+41 44 668 18 00,a;b;c;d;e\nB,+41 44 668 18 01,x;y;z;w\n"
    assert _chunks(data.encode(), name="patients.csv")[0].context == ("name", "phone", "notes")
    one = 'name\n"DIALLO, Moussa"\n"SOW, Awa"\n"KEITA, Hawa"\n'
    assert _chunks(one.encode(), name="one.csv")[0].context == ("name",)

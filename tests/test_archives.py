"""Archives: member naming, nesting, encrypted members, symlinks, traversal names, bombs and limits."""
from __future__ import annotations

import bz2
import io
import lzma
import os
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from dataguard.extract import describe, extract
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "share" / "documents"
CARD = "4111 1111 1111 1111"
IBAN = "GB82 WEST 1234 5698 7654 32"


def run_path(path: Path, limits: Limits = Limits()):
    unit = Unit(str(path.parent), str(path), path.name)
    return list(extract(unit, lambda: open(path, "rb"), path.name, limits))


def run_bytes(name: str, data: bytes, limits: Limits = Limits(), seekable: bool = True):
    unit = Unit("/share", f"/share/{name}", name)

    class NoSeek(io.RawIOBase):
        def __init__(self):
            self.b = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buf):
            chunk = self.b.read(len(buf))
            buf[:len(chunk)] = chunk
            return len(chunk)

    opener = (lambda: io.BytesIO(data)) if seekable else (lambda: io.BufferedReader(NoSeek()))
    return list(extract(unit, opener, name, limits))


def hits(out, needle):
    res = []
    for c in out:
        if isinstance(c, Chunk):
            i = c.text.find(needle)
            if i >= 0 and c.keeps(i):
                res.append((c.unit.member, c.pointer_at(i)))
    return res


def probs(out):
    return [(p.uri.rsplit("/share/", 1)[-1].rsplit("documents/", 1)[-1], p.kind) for p in out
            if isinstance(p, Problem)]


def zbytes(entries, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


# ---------------------------------------------------------------- fixtures
def test_nested_zip_member_names():
    out = run_path(DOCS / "outer.zip")
    assert probs(out) == []
    [(member, ptr)] = hits(out, CARD)
    assert member == "inner.zip!/data.csv" and ptr == Pointer(line=2)
    chunk = next(c for c in out if isinstance(c, Chunk) and c.unit.member == "inner.zip!/data.csv")
    assert describe(chunk.unit).endswith("outer.zip!/inner.zip!/data.csv")
    assert chunk.hint == "structured"
    assert [c.unit.member for c in out] == ["readme.txt", "inner.zip!/data.csv"]


def test_tar_gz_members_and_symlink_skipped():
    out = run_path(DOCS / "exports.tar.gz")
    assert hits(out, f"Peter Okello,{IBAN}") == [("exports/contacts.csv", Pointer(line=2))]
    assert hits(out, "Peter Okello\t" + IBAN) == [("exports/note.docx", Pointer(line=4, part="table"))]
    links = [p for p in out if isinstance(p, Problem)]
    assert [(p.uri.rsplit("!/", 1)[-1], p.kind, p.skipped) for p in links] == [("exports/link", "symlink", True)]


def test_single_file_gz_member_is_name_without_suffix():
    out = run_path(DOCS / "log.txt.gz")
    assert hits(out, CARD) == [("log.txt", Pointer(line=1))]


def test_bz2_and_xz_single_files():
    data = f"card {CARD}\n".encode()
    assert hits(run_bytes("dump.csv.bz2", bz2.compress(data)), CARD) == [("dump.csv", Pointer(line=1))]
    assert hits(run_bytes("notes.txt.xz", lzma.compress(data)), CARD) == [("notes.txt", Pointer(line=1))]


def test_encrypted_zip_member_is_reported_and_others_scanned():
    out = run_path(DOCS / "encrypted.zip")
    assert probs(out) == [("encrypted.zip!/secret.txt", "encrypted")]
    assert [c.unit.member for c in out if isinstance(c, Chunk)] == ["plain.txt"]
    assert CARD not in "".join(c.text for c in out if isinstance(c, Chunk))


def test_non_seekable_streams():
    data = (DOCS / "outer.zip").read_bytes()
    assert [m for m, _ in hits(run_bytes("outer.zip", data, seekable=False), CARD)] == ["inner.zip!/data.csv"]
    tgz = (DOCS / "exports.tar.gz").read_bytes()
    assert [m for m, _ in hits(run_bytes("exports.tar.gz", tgz, seekable=False), IBAN)] == \
        ["exports/contacts.csv", "exports/note.docx"]


# ---------------------------------------------------------------- hostile names, corrupt members
def test_traversal_and_absolute_names_never_leave_the_temp_dir(tmp_path, monkeypatch):
    import tempfile
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    big = b"x" * (9 * 1024 * 1024)          # above the in-memory size: goes through a temp file
    data = zbytes([("../../escape.txt", f"card {CARD}\n".encode() + big),
                   ("/abs/path.txt", f"card {CARD}\n".encode()),
                   ("C:\\win\\..\\evil.txt", b"hello\n")])
    before = set(os.listdir(tmp_path))
    out = run_bytes("t.zip", data)
    assert sorted(m for m, _ in hits(out, CARD)) == ["abs/path.txt", "escape.txt"]
    assert "win/evil.txt" in [c.unit.member for c in out if isinstance(c, Chunk)]
    assert set(os.listdir(tmp_path)) == before and list(private.iterdir()) == []


def test_tar_traversal_names(tmp_path):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as t:
        payload = f"card {CARD}\n".encode()
        ti = tarfile.TarInfo("../../../tmp/owned.txt")
        ti.size = len(payload)
        t.addfile(ti, io.BytesIO(payload))
    out = run_bytes("x.tar", raw.getvalue())
    assert hits(out, CARD) == [("tmp/owned.txt", Pointer(line=1))]


def test_one_corrupt_member_does_not_stop_the_others():
    good = f"card {CARD}\n".encode()
    import hashlib
    noise = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(200))   # incompressible
    data = bytearray(zbytes([("a.txt", noise), ("b.txt", good)]))
    # damage the compressed body of the first member (CRC / inflate error)
    start = data.index(b"a.txt") + len("a.txt")
    for i in range(start + 100, start + 120):
        data[i] ^= 0xFF
    out = run_bytes("d.zip", bytes(data))
    assert hits(out, CARD) == [("b.txt", Pointer(line=1))]
    assert ("d.zip!/a.txt", "corrupt") in probs(out)


def test_truncated_zip_is_corrupt():
    data = (DOCS / "outer.zip").read_bytes()
    out = run_bytes("outer.zip", data[:len(data) // 2])
    assert probs(out) == [("outer.zip", "corrupt")]


# ---------------------------------------------------------------- limits
def test_nesting_deeper_than_the_limit():
    data, name = f"card {CARD}".encode(), "level0.txt"
    for i in range(1, 6):
        data, name = zbytes([(name, data)]), f"level{i}.zip"
    out = run_bytes(name, data, Limits(max_archive_depth=2))
    assert hits(out, CARD) == []
    [(uri, kind)] = probs(out)
    assert kind == "too_large" and uri == "level5.zip!/level4.zip!/level3.zip!/level2.zip"
    assert next(p for p in out if isinstance(p, Problem)).message == "nesting deeper than 2"
    out = run_bytes(name, data, Limits(max_archive_depth=5))
    assert [m for m, _ in hits(out, CARD)] == ["level4.zip!/level3.zip!/level2.zip!/level1.zip!/level0.txt"]


def test_member_count_limit():
    data = zbytes([(f"f{i}.txt", f"line {i}\n") for i in range(20)])
    out = run_bytes("many.zip", data, Limits(max_archive_members=5))
    assert probs(out)[0] == ("many.zip", "too_large")
    assert len([c for c in out if isinstance(c, Chunk)]) <= 5


def test_total_uncompressed_bytes_limit():
    data = zbytes([(f"f{i}.txt", os.urandom(3000).hex()) for i in range(10)])
    out = run_bytes("big.zip", data, Limits(max_archive_total_bytes=20_000))
    assert ("big.zip", "too_large") in probs(out)


def _zero_zip(path: Path, mib: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("zeros.bin", "w", force_zip64=True) as f:
            block = b"\0" * (1 << 20)
            for _ in range(mib):
                f.write(block)


def test_zip_bomb_stops_fast_with_bounded_memory_and_disk(tmp_path, monkeypatch):
    import tempfile
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    bomb = tmp_path / "bomb.zip"
    _zero_zip(bomb, 256)                       # 256 MiB of zeros, about 250 KB on disk
    assert bomb.stat().st_size < 5 * 1024 * 1024
    inner = (tmp_path / "inner").with_suffix(".zip")
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_STORED) as z:
        for i in range(16):                    # 42.zip style: a layer of copies
            z.write(bomb, f"copy{i}.zip")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as z:
        z.write(inner, "layer/inner.zip")
        z.writestr("after.txt", "never reached\n")
    tracemalloc.start()
    out1 = run_path(bomb)
    out2 = run_path(outer)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(u, k) for u, k in [(p.uri.rsplit("/", 1)[-1], p.kind) for p in out1]] == [("bomb.zip", "bomb")]
    kinds = [p.kind for p in out2 if isinstance(p, Problem)]
    assert kinds == ["bomb"]                   # the first bomb ends every enclosing archive
    assert out2[0].uri.endswith("outer.zip!/layer/inner.zip!/copy0.zip")
    assert peak < 64 * 1024 * 1024
    assert list(private.iterdir()) == []


def test_stream_bomb_detected_while_decompressing(tmp_path, monkeypatch):
    """gz / tar.gz carry no trustworthy sizes: the ratio is measured while copying."""
    import gzip
    import tempfile
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    gz = tmp_path / "zeros.bin.gz"
    with gzip.open(gz, "wb", compresslevel=9) as f:
        block = b"\0" * (1 << 20)
        for _ in range(256):
            f.write(block)
    tgz = tmp_path / "zeros.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        ti = tarfile.TarInfo("zeros.bin")
        ti.size = 1 << 28

        class Zeros(io.RawIOBase):
            left = 1 << 28

            def readable(self):
                return True

            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = b"\0" * n
                self.left -= n
                return n

        t.addfile(ti, io.BufferedReader(Zeros()))
    tracemalloc.start()
    a = run_path(gz)
    b = run_path(tgz)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [p.kind for p in a] == ["bomb"] and [p.kind for p in b] == ["bomb"]
    assert peak < 64 * 1024 * 1024
    assert list(private.iterdir()) == []


def test_bomb_inside_an_office_document():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<w:document xmlns:w="{w}"><w:body>'.encode())
            pad = b" " * (1 << 20)
            for _ in range(64):
                f.write(pad)
            f.write(b"</w:body></w:document>")
    out = run_bytes("b.docx", buf.getvalue())
    assert probs(out) == [("b.docx", "bomb")]

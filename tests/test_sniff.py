"""Sniffing: text or binary, by the first bytes of an item."""
from __future__ import annotations

import pytest

from dataguard.extract.sniff import HEAD_BYTES, looks_textual, sniff

FRENCH = "Réunion à Genève : l'élève naïf a mangé une crêpe au café près de la forêt.\n" * 200


@pytest.mark.parametrize("head", [
    b"",
    b"plain ASCII text\nwith two lines\n",
    b"tab\tform feed\x0c vertical tab\x0b escape \x1b[0m and CRLF\r\n" * 20,
    "UTF-8 accents: é à ü ß € 😀\n".encode() * 50,
    "Привет, это текст по-русски.\n".encode() * 50,
    "日本語のテキストです。\n".encode() * 50,
    FRENCH.encode("latin-1")[:HEAD_BYTES],
    FRENCH.encode("cp1252")[:HEAD_BYTES],
    FRENCH.encode("utf-16-le")[:HEAD_BYTES],        # UTF-16 without BOM
    FRENCH.encode("utf-16-be")[:HEAD_BYTES],
    FRENCH.encode("utf-16")[:HEAD_BYTES],           # with BOM
    FRENCH.encode("utf-8-sig")[:HEAD_BYTES],
], ids=["empty", "ascii", "allowed-controls", "utf8", "utf8-cyrillic", "utf8-cjk", "latin-1", "cp1252",
        "utf16le-nobom", "utf16be-nobom", "utf16-bom", "utf8-bom"])
def test_text_heads(head):
    assert looks_textual(head)
    assert sniff(head, "notes.txt") == "text"


def test_utf8_head_cut_inside_a_character_is_text():
    # The head of a long file often ends in the middle of a multi-byte character.
    for text in (FRENCH, "Привет, мир. " * 1000, "日本語のテキスト。" * 1000):
        data = text.encode()
        for cut in range(HEAD_BYTES - 3, HEAD_BYTES + 1):
            assert looks_textual(data[:cut]), (text[:10], cut)


@pytest.mark.parametrize("head", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + bytes(range(256)) * 8,
    b"\x01\x02\x03\x04\x05\x06\x07\x08" * 100,
    b"text\x00with\x00scattered\x00NUL\x00bytes that is not UTF-16" * 20,
], ids=["png", "elf", "control-bytes", "nul-not-utf16"])
def test_binary_heads(head):
    assert not looks_textual(head)
    assert sniff(head, "blob.dat") == "binary"


def test_a_stray_nul_does_not_make_text_binary():
    """A register exported with one NUL in a cell, a log with the NUL block a crash leaves:
    text (a NUL counts as the other control characters do); NULs between most letters that
    are no UTF-16 are binary."""
    rows = b"".join(b"%d,Amina Okafor,+44 20 7946 0%03d,4111111111111111\n" % (i, i) for i in range(200))
    assert looks_textual(rows[:300] + b"\x00" + rows[300:])
    log = b"Jan  3 10:00:01 host sshd[1]: Accepted password for amina from 10.0.0.7\n" * 100
    assert looks_textual(log[:2000] + b"\x00" * 60 + log[2000:])
    assert not looks_textual(log[:2000] + b"\x00" * 4096 + log[2000:])
    assert not looks_textual(b"text\x00with\x00scattered\x00NUL\x00bytes that is not UTF-16" * 20)


def test_control_characters_threshold_two_percent():
    line = b"x" * 98 + b"\n"            # 99 characters
    assert looks_textual((line[:-2] + b"\x01\n") * 50)        # 1 in 99: text
    assert not looks_textual((line[:-3] + b"\x01\x02\n") * 50)   # 2 in 99: binary
    latin = "é" * 97 + "\n"
    assert looks_textual((latin + "\x01").encode("latin-1") * 40)     # 1 in 99 characters
    assert not looks_textual((latin[:-1] + "\x01\x02").encode("latin-1") * 40)


@pytest.mark.parametrize("head,name,family", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "mail.msg", "msg"),
    (b"From: a@example.org\nSubject: hi\n\nbody\n", "note.msg", "msg"),       # a .msg name: Outlook
    (b"From someone Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n", "box.mbox", "mbox"),
    (b"From someone Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody\n", "one.eml", "mbox"),  # a "From " line
    (b"From: a@example.org\nSubject: hi\n\nbody\n", "archive.mbx", "mbox"),
    (b"From: a@example.org\nSubject: hi\n\nbody\n", "mail.eml", "eml"),
    (b"From: a@example.org\nSubject: hi\n\nbody\n", "1700000000.M1P2.host", "eml"),   # Maildir: no extension
    (b"From: HR Unit\nDate: 3.5.2024\nSubject: staff\nPhone: +254 712 345678\n\nbody\n", "memo.txt", "text"),
    (b"Return-Path: <a@example.org>\nFrom: a@example.org\nSubject: hi\n\nbody\n", "saved.txt", "eml"),
    (b"From: a@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n\r\nbody\r\n", "saved.log", "eml"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 60, "old.taz", "tar"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 60, "backup.tgz", "tar"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 60, "notes.txt.gz", "gz"),
])
def test_sniff_names_the_exact_family_the_extractor_handles(head, name, family):
    """The family is decided once, here: mail kinds and tarballs included."""
    assert sniff(head, name) == family


# ---------------------------------------------------------------- OLE2 compound files
def ole_file(stream_names) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors, one FAT and one directory
    sector) whose root holds empty streams of these names (three at most)."""
    import struct
    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = struct.pack("<II", fat_sector, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, child: int = none, right: int = none) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", none, right, child)
                + b"\0" * 36 + struct.pack("<IQ", end if kind else 0, 0))
    names = list(stream_names)
    entries = [entry("Root Entry", 5, child=1 if names else none)]
    entries += [entry(n, 2, right=i + 2 if i + 1 < len(names) else none) for i, n in enumerate(names)]
    entries += [entry("", 0)] * (4 - len(entries))
    return header + fat + b"".join(entries)


@pytest.mark.parametrize("streams, name, family", [
    (["EncryptionInfo", "EncryptedPackage"], "salaries.xlsx", "encrypted_office"),
    (["EncryptedPackage"], "contract.docx", "encrypted_office"),
    (["WordDocument", "1Table"], "letter.doc", "legacy_office"),
    (["Workbook"], "payroll.xls", "legacy_office"),
    (["Book"], "old.xls", "legacy_office"),          # Excel 5
    (["PowerPoint Document"], "deck.ppt", "legacy_office"),
    (["Something Else"], "thumbs.db", "binary"),
    ([], "empty.bin", "binary"),
])
def test_compound_files_are_told_by_their_streams(streams, name, family):
    import io
    data = ole_file(streams)
    assert sniff(data[:HEAD_BYTES], name, io.BytesIO(data)) == family
    assert sniff(data[:HEAD_BYTES], name) == "binary"          # no stream to read: as before
    broken = data[:512] + b"\xff" * 1024                        # a damaged directory: binary, no exception
    assert sniff(broken[:HEAD_BYTES], name, io.BytesIO(broken)) == "binary"


def test_protected_and_legacy_office_documents_are_reported_not_silently_skipped(tmp_path):
    """A password-protected Office document is an error (`encrypted`); an Office 97-2003 one is
    skipped as `unsupported` (not `binary`): both are coverage gaps the report names."""
    from dataguard.extract import extract
    from dataguard.types import Limits, Problem, Unit
    out = {}
    for name, streams in (("salaries.xlsx", ["EncryptionInfo", "EncryptedPackage"]), ("payroll.xls", ["Workbook"]),
                          ("thumbs.db", ["Catalog"])):
        path = tmp_path / name
        path.write_bytes(ole_file(streams))
        unit = Unit(target=str(tmp_path), uri=str(path), path=name)
        [problem] = list(extract(unit, lambda p=path: open(p, "rb"), name, Limits()))
        assert isinstance(problem, Problem)
        out[name] = (problem.kind, problem.skipped)
    assert out == {"salaries.xlsx": ("encrypted", False), "payroll.xls": ("unsupported", True),
                   "thumbs.db": ("binary", True)}


def test_a_sqlite_database_among_files_is_named_not_binary(tmp_path):
    """A KoboCollect or an application's database on a share is skipped as `unsupported` with the
    way to scan it (a target of its own: sqlite:///PATH), not as `binary` content."""
    import sqlite3

    from dataguard.extract import extract
    from dataguard.types import Limits, Problem, Unit
    path = tmp_path / "kobo_collect.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE beneficiaries (name TEXT, phone TEXT)")
    con.execute("INSERT INTO beneficiaries VALUES ('Amina Yusuf', '+254 712 345 678')")
    con.commit()
    con.close()
    before = path.read_bytes()
    unit = Unit(target=str(tmp_path), uri=str(path), path=path.name)
    [problem] = list(extract(unit, lambda: open(path, "rb"), path.name, Limits()))
    assert isinstance(problem, Problem) and (problem.kind, problem.skipped) == ("unsupported", True)
    assert "sqlite:///" in problem.message and "Amina" not in problem.message
    assert path.read_bytes() == before

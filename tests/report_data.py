"""A scan over hostile names, shared by the report tests: file and member names that are HTML,
spreadsheet formulas, terminal escape sequences, newlines, Arabic, accents, spaces, ``#`` and ``%``."""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace

from dataguard.hashing import Hasher
from dataguard.rules import load_packs
from dataguard.scanner import ScanOptions, run_scan
from dataguard.sources import SourceOptions
from dataguard.types import Site
from tests.fakes import FakeDetector

PACK = """
pack: test
version: 1
rules:
  - id: T-001
    title: Card numbers
    severity: high
    measure: CM-ENCRYPT
    match: {entities: [CREDIT_CARD], min_count: 1, min_score: 0.5}
    remediation: Encrypt the file or move it to the restricted finance share.
  - id: T-002
    title: Many e-mail addresses
    severity: medium
    measure: CM-MINIMISE
    match: {entities: [EMAIL_ADDRESS], min_count: 3}
    remediation: Delete the list or keep only what is needed.
"""
CARD = "4111 1111 1111 1111"
MAILS = "anna@un.org\nbob@un.org\ncarl@un.org\n"
RAW_VALUES = (CARD, "anna@un.org", "bob@un.org", "carl@un.org")

SCRIPT_NAME = "<script>alert(1)</script>.txt"      # a folder "<script>alert(1)<" and a file in it
FORMULA_NAME = "=HYPERLINK(\"evil.example\",\"y\").txt"
ARABIC_DIR = "été dossier"
ARABIC_NAME = "ملف سري #1 100%.txt"
ESCAPE_NAME = "esc\x1b[31mred\x1b]0;pwned\x07\nnext.txt"
MEMBER = "+SUM(1)\u202egnp.txt"          # formula start and a right-to-left override
BAD_DOC = "<img src=x onerror=alert(2)>.docx"


def hostile_tree(root):
    (root / ARABIC_DIR).mkdir(parents=True)
    (root / SCRIPT_NAME).parent.mkdir()
    (root / SCRIPT_NAME).write_text(f"card {CARD}\n")
    (root / FORMULA_NAME).write_text(MAILS)
    (root / ARABIC_DIR / ARABIC_NAME).write_text(f"line one\nthe card {CARD} here\n")
    (root / ESCAPE_NAME).write_text(f"{CARD}\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(MEMBER, f"member card {CARD}\n")
    (root / "archive.zip").write_bytes(buf.getvalue())
    (root / BAD_DOC).write_bytes(b"PK\x03\x04 not really a document")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "clean.txt").write_text("nothing here\n")
    return root


def hostile_scan(tmp_path, site: str = "Kabul <field> office", complete: bool = True, show_data: bool = False):
    root = hostile_tree(tmp_path / "share")
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK)
    opts = ScanOptions(targets=[(str(root), SourceOptions())], packs=load_packs([pack], {"CREDIT_CARD", "EMAIL_ADDRESS"}),
                       site=Site(site, "field"), show_data=show_data)
    res = run_scan(opts, Hasher(b"k" * 32), detector=FakeDetector())
    return res if complete else replace(res, complete=False)

#!/usr/bin/env python3
"""Write the document fixtures under fixtures/share/documents/ (deterministic).

Run: .venv/bin/python scripts/make_doc_fixtures.py
Timestamps inside containers are fixed so the bytes do not change between runs
(except for the encrypted zip, made with the `zip` CLI when present: it is
committed and only rewritten with --force).
"""
from __future__ import annotations

import datetime
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "share" / "documents"
CARD = "4111 1111 1111 1111"
IBAN = "GB82 WEST 1234 5698 7654 32"
FIXED = (2024, 5, 1, 12, 0, 0)
_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z")


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and sorted-as-written members."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, FIXED)
            zi.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            body = src.read(info)
            if info.filename.endswith(".xml") and (info.filename.startswith("docProps/")
                                                   or info.filename == "word/comments.xml"):
                body = _STAMP.sub(b"2024-05-01T12:00:00Z", body)
            dst.writestr(zi, body)
    return out.getvalue()


def docx_bytes() -> bytes:
    import docx
    doc = docx.Document()
    doc.sections[0].header.paragraphs[0].text = "Header contact: amina.yusuf@un-juba.org"
    doc.sections[0].footer.paragraphs[0].text = "Footer: STRICTLY CONFIDENTIAL"
    doc.add_paragraph("Quarterly payment note")
    p = doc.add_paragraph("The card ends the list below.")
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "Name"
    t.cell(0, 1).text = "IBAN"
    t.cell(1, 0).text = "Peter Okello"
    t.cell(1, 1).text = IBAN
    doc.add_paragraph("End of note")
    try:
        doc.add_comment(p.runs[0], text="Call +44 20 7946 0958 to confirm", author="Reviewer")
    except AttributeError:       # python-docx without comments: added by hand below
        pass
    doc.core_properties.author = "Helene Dubois"
    doc.core_properties.last_modified_by = "Peter Okello"
    fixed = datetime.datetime(2024, 5, 1, 12, 0, 0)
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()
    if b"word/comments.xml" not in data:
        data = _add_comment(data)
    return _normalise_zip(data)


def _add_comment(data: bytes) -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    comments = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w="{w}">'
                '<w:comment w:id="0" w:author="Reviewer"><w:p><w:r><w:t>Call +44 20 7946 0958 to confirm'
                '</w:t></w:r></w:p></w:comment></w:comments>').encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/comments.xml", comments)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Visible"
    ws.append(["name", "amount"])
    ws.append(["Rent", 1200.5])
    hidden = wb.create_sheet("Hidden")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "holder"
    hidden["C1"] = "card"
    hidden["C3"] = CARD
    hidden["D4"] = datetime.date(2024, 5, 1)
    hidden["E5"] = 4111111111111111
    hidden["F6"] = datetime.datetime(2024, 5, 1, 9, 30)
    wb.properties.created = datetime.datetime(2024, 5, 1, 12, 0, 0)
    wb.properties.modified = datetime.datetime(2024, 5, 1, 12, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return _normalise_zip(buf.getvalue())


def pptx_bytes() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches
    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[5])
    s1.shapes.title.text = "Field office update"
    s2 = prs.slides.add_slide(prs.slide_layouts[5])
    s2.shapes.title.text = "Payments"
    box = s2.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1))
    box.text_frame.text = f"Card {CARD}"
    s2.notes_slide.notes_text_frame.text = f"Speaker: IBAN {IBAN}"
    prs.core_properties.created = datetime.datetime(2024, 5, 1, 12, 0, 0)
    prs.core_properties.modified = datetime.datetime(2024, 5, 1, 12, 0, 0)
    prs.core_properties.last_printed = datetime.datetime(2024, 5, 1, 12, 0, 0)
    buf = io.BytesIO()
    prs.save(buf)
    return _normalise_zip(buf.getvalue())


def _odf_bytes(doc) -> bytes:
    with tempfile.TemporaryDirectory() as td:
        p = os.path.join(td, "x")
        doc.save(p, True)
        path = [os.path.join(td, f) for f in os.listdir(td)][0]
        data = Path(path).read_bytes()
    # meta.xml carries generation time: drop it for determinism
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "meta.xml":
                continue
            zi = zipfile.ZipInfo(info.filename, FIXED)
            zi.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            body = src.read(info)
            if info.filename == "META-INF/manifest.xml":
                body = body.replace(b'<manifest:file-entry manifest:media-type="text/xml" '
                                    b'manifest:full-path="meta.xml"/>', b"")
            dst.writestr(zi, body)
    return out.getvalue()


def odt_bytes() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P
    doc = OpenDocumentText()
    doc.text.addElement(H(outlinelevel=1, text="Case summary"))
    doc.text.addElement(P(text="Routine visit."))
    doc.text.addElement(P(text=f"Beneficiary IBAN {IBAN}"))
    return _odf_bytes(doc)


def ods_bytes() -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    t = Table(name="Payments")
    for values in (["name", "card"], ["Amina Yusuf", CARD]):
        r = TableRow()
        for v in values:
            c = TableCell(valuetype="string")
            c.addElement(P(text=v))
            r.addElement(c)
        t.addElement(r)
    r = TableRow()
    r.addElement(TableCell())
    c = TableCell(valuetype="float", value="4111111111111111")
    c.addElement(P(text="4.11E+15"))
    r.addElement(c)
    t.addElement(r)
    doc.spreadsheet.addElement(t)
    return _odf_bytes(doc)


def _pdf(draw) -> bytes:
    from reportlab.pdfgen import canvas
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    draw(c)
    c.save()
    return buf.getvalue()


def pdf_two_pages() -> bytes:
    def draw(c):
        c.drawString(100, 750, "Page one: nothing to see")
        c.showPage()
        c.drawString(100, 750, "Transfer summary")
        c.drawString(100, 730, f"IBAN {IBAN}")
        c.showPage()
    return _pdf(draw)


def pdf_image_only() -> bytes:
    def draw(c):
        c.rect(100, 100, 300, 400, fill=1)
        c.showPage()
    return _pdf(draw)


def pdf_encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_two_pages())).pages:
        w.add_page(page)
    w.encrypt(user_password="s3cret-pw", owner_password="owner-pw", algorithm="RC4-128")
    # fixed file id so the bytes are stable
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def eml_bytes(docx: bytes) -> bytes:
    m = EmailMessage()
    m["From"] = "=?utf-8?q?H=C3=A9l=C3=A8ne_Dubois?= <helene.dubois@un-juba.org>"
    m["To"] = "peter.okello@un-juba.org"
    m["Subject"] = "=?utf-8?b?UGF5bWVudCDDqXTDqQ==?="
    m["Date"] = "Wed, 01 May 2024 12:00:00 +0000"
    m["Message-ID"] = "<fixture-1@un-juba.org>"
    m.set_content(f"Bonjour,\nplease charge the card {CARD} today - the reference is très urgent.\n",
                  cte="quoted-printable")
    m.add_attachment(docx, maintype="application",
                     subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="note.docx")
    data = bytes(m)
    # the boundary is random: fix it
    boundary = m.get_boundary()
    return data.replace(boundary.encode(), b"===============fixture0001==")


def mbox_bytes() -> bytes:
    first = (b"From: amina.yusuf@un-juba.org\nTo: ops@un-juba.org\nSubject: first\n"
             b"Message-ID: <m1@un-juba.org>\n\nHello, nothing here.\n")
    second = (b"From: peter.okello@un-juba.org\nTo: ops@un-juba.org\nSubject: second\n"
              b"Message-ID: <m2@un-juba.org>\n\n" + f"Account IBAN {IBAN}\n".encode())
    return (b"From amina@un-juba.org Wed May  1 12:00:00 2024\n" + first +
            b"\nFrom peter@un-juba.org Wed May  1 12:05:00 2024\n" + second)


def rtf_bytes() -> bytes:
    return (b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs20 Memo for file\\par\n"
            b"Card on record: " + CARD.encode() + b"\\par\nR\\'e9sum\\'e9 attached\\par\n}")


def _zip(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, FIXED)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return buf.getvalue()


def nested_zip() -> bytes:
    inner = _zip([("data.csv", f"name,card\nAmina Yusuf,{CARD}\n".encode())])
    return _zip([("readme.txt", b"Archive of old exports.\n"), ("inner.zip", inner)])


def tar_gz(docx: bytes) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in (("exports/contacts.csv", f"name,iban\nPeter Okello,{IBAN}\n".encode()),
                           ("exports/note.docx", docx)):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1714564800
            ti.mode = 0o644
            t.addfile(ti, io.BytesIO(data))
        link = tarfile.TarInfo("exports/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        link.mtime = 1714564800
        t.addfile(link)
    return gzip.compress(raw.getvalue(), mtime=0)


def encrypted_zip(path: Path, force: bool) -> None:
    if path.exists() and not force:
        return
    if shutil.which("zip") is None:
        print("zip CLI missing: encrypted.zip not (re)generated", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as td:
        (Path(td) / "plain.txt").write_text("Nothing sensitive here.\n")
        (Path(td) / "secret.txt").write_text(f"card {CARD}\n")
        for f in ("plain.txt", "secret.txt"):
            os.utime(Path(td) / f, (1714564800, 1714564800))
        target = Path(td) / "encrypted.zip"
        subprocess.run(["zip", "-q", "-X", str(target), "plain.txt"], cwd=td, check=True)
        subprocess.run(["zip", "-q", "-X", "-P", "fixture-pw", str(target), "secret.txt"], cwd=td, check=True)
        shutil.copyfile(target, path)


def main() -> None:
    force = "--force" in sys.argv
    OUT.mkdir(parents=True, exist_ok=True)
    docx = docx_bytes()
    files = {
        "note.docx": docx,
        "book.xlsx": xlsx_bytes(),
        "deck.pptx": pptx_bytes(),
        "case.odt": odt_bytes(),
        "payments.ods": ods_bytes(),
        "two_pages.pdf": pdf_two_pages(),
        "scanned.pdf": pdf_image_only(),
        "mail.eml": eml_bytes(docx),
        "box.mbox": mbox_bytes(),
        "memo.rtf": rtf_bytes(),
        "outer.zip": nested_zip(),
        "exports.tar.gz": tar_gz(docx),
        "log.txt.gz": gzip.compress(f"2024-05-01 card {CARD} charged\n".encode(), mtime=0),
        "truncated.docx": docx[: len(docx) // 2],
    }
    for name, data in files.items():
        assert len(data) < 100_000, name
        (OUT / name).write_bytes(data)
    encrypted_zip(OUT / "encrypted.zip", force)
    if force or not (OUT / "encrypted.pdf").exists():      # pypdf puts a random file id in it
        (OUT / "encrypted.pdf").write_bytes(pdf_encrypted())


if __name__ == "__main__":
    main()

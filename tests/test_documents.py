"""Office documents, OpenDocument, PDF, mail and RTF: exact text and locations.

Fixtures: fixtures/share/documents/ (written by scripts/make_doc_fixtures.py).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from dataguard.extract import extract
from dataguard.types import Chunk, Limits, Pointer, Problem, Unit

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "share" / "documents"
CARD = "4111 1111 1111 1111"
IBAN = "GB82 WEST 1234 5698 7654 32"


def run_bytes(name: str, data: bytes, limits: Limits = Limits()):
    unit = Unit("/share", f"/share/{name}", name)
    return list(extract(unit, lambda: io.BytesIO(data), name, limits))


def run(name: str, limits: Limits = Limits()):
    path = DOCS / name
    unit = Unit(str(DOCS), str(path), name)
    return list(extract(unit, lambda: open(path, "rb"), name, limits))


def hits(out, needle):
    """(member, pointer) of each chunk holding ``needle`` in its keep window."""
    res = []
    for c in out:
        if isinstance(c, Chunk):
            i = c.text.find(needle)
            if i >= 0 and c.keeps(i):
                res.append((c.unit.member, c.pointer_at(i)))
    return res


def kinds(out):
    return [(p.uri.rsplit("/", 1)[-1], p.kind) for p in out if isinstance(p, Problem)]


def text_of(out):
    return "\n".join(c.text for c in out if isinstance(c, Chunk))


# ---------------------------------------------------------------- docx
def test_docx_body_table_header_footer_comment_properties():
    out = run("note.docx")
    assert kinds(out) == []
    assert hits(out, "Quarterly payment note") == [(None, Pointer(line=1))]
    assert hits(out, IBAN) == [(None, Pointer(line=4, part="table"))]
    assert hits(out, "Peter Okello\t" + IBAN) == [(None, Pointer(line=4, part="table"))]
    assert hits(out, "End of note") == [(None, Pointer(line=5))]
    assert hits(out, "amina.yusuf@un-juba.org") == [(None, Pointer(line=6, part="header"))]
    assert hits(out, "STRICTLY CONFIDENTIAL") == [(None, Pointer(line=7, part="footer"))]
    assert hits(out, "+44 20 7946 0958") == [(None, Pointer(line=8, part="comment"))]
    assert hits(out, "Author: Helene Dubois") == [(None, Pointer(line=9, part="properties"))]
    assert hits(out, "Last modified by: Peter Okello") == [(None, Pointer(line=10, part="properties"))]


def test_docx_footnotes_textboxes_and_deleted_text():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = (f'<w:document xmlns:w="{w}"><w:body>'
            '<w:p><w:r><w:t>Visible</w:t></w:r><w:r><w:tab/><w:t>tabbed</w:t></w:r></w:p>'
            '<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>In a control</w:t></w:r></w:p></w:sdtContent></w:sdt>'
            '<w:p><w:del><w:r><w:delText>Deleted secret</w:delText></w:r></w:del></w:p>'
            '</w:body></w:document>')
    notes = (f'<w:footnotes xmlns:w="{w}"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/>'
             '</w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:t>Source: Amina</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", body)
        z.writestr("word/footnotes.xml", notes)
    out = run_bytes("hand.docx", buf.getvalue())
    assert text_of(out) == "Visible\ttabbed\nIn a control\nDeleted secret\nSource: Amina"
    assert hits(out, "Source: Amina") == [(None, Pointer(line=4, part="footnote"))]


def test_docx_with_a_dtd_is_refused_as_corrupt():
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", laughs)
    out = run_bytes("lol.docx", buf.getvalue())
    assert kinds(out) == [("lol.docx", "corrupt")]
    assert "lol" not in out[0].message.replace("docx", "")
    assert out[0].message == ("cannot parse docx: its XML declares a DTD or entities (refused: entity expansion, "
                              "external entities)")


def test_truncated_docx_is_corrupt_with_no_content_in_message():
    out = run("truncated.docx")
    assert kinds(out) == [("truncated.docx", "corrupt")]
    assert out[0].message == "cannot parse docx: BadZipFile"


def test_big_docx_is_split_into_bounded_self_contained_chunks():
    import docx
    doc = docx.Document()
    for i in range(400):
        doc.add_paragraph(f"Paragraph {i:03d} " + "x" * 80)
    buf = io.BytesIO()
    doc.save(buf)
    out = run_bytes("big.docx", buf.getvalue(), Limits(chunk_chars=2000))
    chunks = [c for c in out if isinstance(c, Chunk)]
    assert len(chunks) > 10 and all(len(c.text) <= 2000 for c in chunks)
    assert hits(out, "Paragraph 250 ") == [(None, Pointer(line=251))]
    assert sum(c.text.count("Paragraph ") for c in chunks) == 400


# ---------------------------------------------------------------- xlsx
def test_xlsx_hidden_sheet_cells_dates_numbers_and_context():
    out = run("book.xlsx")
    assert kinds(out) == []
    assert hits(out, CARD) == [(None, Pointer(sheet="Hidden", cell="C3"))]
    assert hits(out, "2024-05-01\n") == [(None, Pointer(sheet="Hidden", cell="D4"))]
    assert hits(out, "4111111111111111") == [(None, Pointer(sheet="Hidden", cell="E5"))]
    assert hits(out, "2024-05-01 09:30") == [(None, Pointer(sheet="Hidden", cell="F6"))]
    assert hits(out, "1200.5") == [(None, Pointer(sheet="Visible", cell="B2"))]
    chunks = [c for c in out if isinstance(c, Chunk)]
    assert [c.text for c in chunks] == [
        "name\tamount\nRent\t1200.5",
        f"holder\tcard\n{CARD}\n2024-05-01\n4111111111111111\n2024-05-01 09:30"]
    # (each name in its column's place: the hidden sheet's B1 is empty, its card number under C1)
    assert [c.context for c in chunks] == [("name", "amount"), ("holder", "", "card")]
    assert {c.hint for c in chunks} == {"structured"} and {c.first_line for c in chunks} == {None}


def test_xlsx_many_rows_make_several_chunks_with_cell_anchors():
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rows"
    for r in range(1, 3001):
        ws.append([f"row{r}", r * 1.5, 10 ** 15 + r])
    buf = io.BytesIO()
    wb.save(buf)
    out = run_bytes("rows.xlsx", buf.getvalue(), Limits(chunk_chars=4000))
    chunks = [c for c in out if isinstance(c, Chunk)]
    assert len(chunks) > 10 and all(len(c.text) <= 4000 for c in chunks)
    assert hits(out, "row2999\t") == [(None, Pointer(sheet="Rows", cell="A2999"))]
    assert hits(out, "\t1000000000002999") == [(None, Pointer(sheet="Rows", cell="B2999"))]
    assert hits(out, "1000000000002999") == [(None, Pointer(sheet="Rows", cell="C2999"))]


# ---------------------------------------------------------------- pptx, odf, rtf
def test_pptx_slides_and_notes():
    out = run("deck.pptx")
    assert hits(out, "Field office update") == [(None, Pointer(line=1, page=1, part="slide"))]
    assert hits(out, CARD) == [(None, Pointer(line=3, page=2, part="slide"))]
    assert hits(out, IBAN) == [(None, Pointer(line=4, page=2, part="notes"))]


def test_odt_text():
    out = run("case.odt")
    assert text_of(out) == f"Case summary\nRoutine visit.\nBeneficiary IBAN {IBAN}"
    assert hits(out, IBAN) == [(None, Pointer(line=3))]


def test_ods_cells_use_stored_values():
    out = run("payments.ods")
    assert hits(out, CARD) == [(None, Pointer(sheet="Payments", cell="B2"))]
    assert hits(out, "4111111111111111") == [(None, Pointer(sheet="Payments", cell="B3"))]
    assert [c.context for c in out] == [("name", "card")]


def test_rtf_text_and_lines():
    out = run("memo.rtf")
    assert hits(out, CARD) == [(None, Pointer(line=2))]
    assert "Résumé attached" in text_of(out)


# ---------------------------------------------------------------- pdf
def test_pdf_text_per_page():
    out = run("two_pages.pdf")
    assert kinds(out) == []
    assert hits(out, IBAN) == [(None, Pointer(line=2, page=2))]
    assert hits(out, "Page one") == [(None, Pointer(line=1, page=1))]


def test_encrypted_pdf():
    out = run("encrypted.pdf")
    assert kinds(out) == [("encrypted.pdf", "encrypted")]
    assert not [c for c in out if isinstance(c, Chunk)]


def test_pdf_with_empty_user_password_is_scanned():
    from pypdf import PdfReader, PdfWriter
    w = PdfWriter()
    for page in PdfReader(DOCS / "two_pages.pdf").pages:
        w.add_page(page)
    w.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    out = run_bytes("perm.pdf", buf.getvalue())
    assert hits(out, IBAN) == [(None, Pointer(line=2, page=2))]


def test_image_only_pdf_is_no_text():
    out = run("scanned.pdf")
    assert [(p.kind, p.message) for p in out] == [("no_text", "page 1 has no text layer")]


# ---------------------------------------------------------------- mail
def test_eml_headers_rfc2047_quoted_printable_body_and_attachment():
    out = run("mail.eml")
    assert kinds(out) == []
    assert hits(out, "Hélène Dubois") == [(None, Pointer(line=1, part="header"))]
    assert hits(out, "Payment été") and hits(out, "Payment été")[0][1].part == "header"
    body = [(m, p.part) for m, p in hits(out, CARD)]
    assert body == [(None, "body")]
    assert "très urgent" in text_of(out)
    # the docx attachment is a member of the mail, with its own locations
    assert hits(out, IBAN) == [("note.docx", Pointer(line=4, part="table"))]
    assert hits(out, "amina.yusuf@un-juba.org") == [("note.docx", Pointer(line=6, part="header"))]


def _where(out, needle):
    """(line, col, part) of each place ``needle`` is found in the message's own chunks."""
    res = []
    for c in out:
        if isinstance(c, Chunk) and c.unit.member is None:
            i = c.text.find(needle)
            while i >= 0:
                if c.keeps(i):
                    ptr = c.pointer_at(i)
                    res.append((ptr.line, c.columns_of(i, i + len(needle))[0], ptr.part))
                i = c.text.find(needle, i + 1)
    return res


def _raw_places(msg: bytes, needle: str) -> list:
    """(line, col) of each place ``needle`` is written in the message file (1-based)."""
    out = []
    for n, line in enumerate(msg.decode("utf-8").split("\n"), 1):
        i = line.find(needle)
        while i >= 0:
            out.append((n, i + 1))
            i = line.find(needle, i + 1)
    return out


def test_eml_values_are_located_on_the_lines_of_the_message_file():
    """A message's values are on the lines (and columns) of the file they are written on: a
    folded header's continuation, a relay's Received header and the sender's X-Originating-IP,
    an 8bit part after a quoted-printable one whose soft line breaks take a line each, after
    an attachment (columns: in the decoded line); an encoded header on its first line.
    Message ids are not read."""
    import base64
    attachment = base64.encodebytes(b"\x00" * 300).decode()
    msg = ("Return-Path: <bounce.kano@relief-ng.org>\r\n"
           "Received: from mail.relief-ng.org (mail.relief-ng.org [102.89.44.17])\r\n"
           "\tby mx1.relief-ng.org for <ibrahim.sule@relief-ng.org>; Mon, 4 Mar 2024 09:12:01 +0000\r\n"
           "X-Originating-IP: [41.203.72.118]\r\n"
           "Message-ID: <a81x.77@relief-ng.org>\r\n"
           "From: Ngozi Adeyemi <ngozi.adeyemi@relief-ng.org>\r\n"
           "To: Ibrahim Sule <ibrahim.sule@relief-ng.org>,\r\n"
           "  Halima Bello <halima.bello@relief-ng.org>\r\n"
           "Subject: =?utf-8?q?Liste_Kan=C3=B3?= for amina.garba@relief-ng.org\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
           "\r\n"
           "This is a multi-part message in MIME format.\r\n"
           "--b1\r\n"
           "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
           "\r\n"
           "--b2\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n"
           "\r\n"
           "Dear all, the list from Kano is attached. Please call Musa Danjuma on +23=\r\n"
           "4 803 555 0142 before Friday; his back-up is yusuf.lawal@relief-ng.org =E2=80=93 thanks.\r\n"
           "Card on file: 4111 1111 1111 1111.\r\n"
           "--b2\r\n"
           "Content-Type: text/html; charset=utf-8\r\n"
           "\r\n"
           "<p>Dear all, the list from Kano is attached. Card 4111 1111 1111 1111</p>\r\n"
           "--b2--\r\n"
           "--b1\r\n"
           "Content-Type: application/octet-stream; name=\"blob.bin\"\r\n"
           "Content-Disposition: attachment; filename=\"blob.bin\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "\r\n"
           f"{attachment}"
           "--b1\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n"
           "\r\n"
           "Footer: contact Zainab Ọlálẹ́kan at zainab.olalekan@relief-ng.org\r\n"
           "--b1--\r\n").encode()
    out = run_bytes("kano.eml", msg)
    assert kinds(out) == [("blob.bin", "binary")]
    for needle, part in [("bounce.kano@relief-ng.org", "header"), ("102.89.44.17", "header"),
                         ("ibrahim.sule@relief-ng.org", "header"), ("41.203.72.118", "header"),
                         ("ngozi.adeyemi@relief-ng.org", "header"), ("halima.bello@relief-ng.org", "header"),
                         ("Musa Danjuma", "body"), ("zainab.olalekan@relief-ng.org", "body")]:
        assert _where(out, needle) == [(*at, part) for at in _raw_places(msg, needle)], needle
    assert len(_raw_places(msg, "ibrahim.sule@relief-ng.org")) == 2       # Received and To
    # the card in the plain text, not in the HTML alternative (not read)
    assert _where(out, CARD) == [(*_raw_places(msg, CARD)[0], "body")]
    # a soft line break: the line and the next are read as one (the number is whole), on the first
    assert _where(out, "+234 803 555 0142") == [(21, 71, "body")]
    assert _where(out, "yusuf.lawal@relief-ng.org") == [(21, 119, "body")]
    assert [w[0] for w in _where(out, "Card on file")] == [23]
    # an encoded header: decoded, on its own line
    assert [w[0] for w in _where(out, "Liste Kanó for amina.garba@relief-ng.org")] == [9]
    assert _where(out, "a81x.77") == []


def test_an_8bit_html_body_is_read_where_it_is_written():
    """A message whose only body is HTML written as it reads (8bit): its values on their lines and
    columns of the file, its style not read."""
    msg = ("From: Travel Desk <travel@ghro.int>\nSubject: Booking\nMIME-Version: 1.0\n"
           "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
           "<html><head><style>p { font-family: Calibri } /* Awa Ndiaye */</style></head><body>\n"
           "<table><tr><td>MENDOZA Isabel</td><td>+254 794 239 667</td></tr></table>\n"
           "<p>Your agent: <b>Jean Garnier</b>, direct line 022 978 89 67</p>\n</body></html>\n").encode()
    out = run_bytes("booking.eml", msg)
    for needle in ("MENDOZA Isabel", "+254 794 239 667", "Jean Garnier", "022 978 89 67"):
        assert _where(out, needle) == [(*at, "body") for at in _raw_places(msg, needle)], needle
    assert "Awa Ndiaye" not in text_of(out) and "Calibri" not in text_of(out)


def test_the_html_alternative_is_read_when_the_plain_one_is_a_stub():
    """A booking system's message: its plain alternative only says to look at the HTML one, which
    is then read (as written); a plain alternative that says what the HTML shows is read alone."""
    msg = ("From: Travel Desk <travel@ghro.int>\nSubject: Booking\nMIME-Version: 1.0\n"
           "Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\n"
           "Content-Type: text/plain; charset=utf-8\n\nThis message is best viewed in a browser.\n--b\n"
           "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
           "<html><body><table><tr><th>Passenger</th><th>Mobile</th></tr>\n"
           "<tr><td>MENDOZA Isabel</td><td>+254 794 239 667</td></tr>\n"
           "<tr><td>KOCH Ursula</td><td>076 051 09 91</td></tr>\n<tr><td>EMILY CLARKE</td><td>+254 20 591 7313</td></tr>\n"
           "</table></body></html>\n--b--\n").encode()
    out = run_bytes("booking.eml", msg)
    for needle in ("MENDOZA Isabel", "+254 794 239 667"):
        assert _where(out, needle) == [(*at, "body") for at in _raw_places(msg, needle)], needle
    assert "best viewed" not in text_of(out)


def test_mail_parts_are_placed_or_have_no_line():
    """A short plain part is placed on its line (its letters end at the next boundary); a base64
    part that reads longer than it is written has no line and pushes no part down; an HTML part
    whose values are written with entities has no line (they are found as it shows); a file of
    old Mac line ends has no lines and reads each value once."""
    import base64
    b64 = base64.encodebytes(("ok\n" * 200 + "call +254 700 000001\n").encode()).decode()
    msg = ("From: x@ghro.int\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
           "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + b64 +
           "--b\nContent-Type: text/plain; charset=utf-8\n\nHi Bob,\ncall me +254 712 345678\nJane\n--b\n"
           "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
           "<p>Mobile: +254&nbsp;733&nbsp;111222 or amina.okafor&#64;ghro.int</p>\n--b--\n").encode()
    out = run_bytes("parts.eml", msg)
    assert _where(out, "+254 712 345678") == [(*_raw_places(msg, "+254 712 345678")[0], "body")]
    assert _where(out, "call +254 700 000001") == [(None, None, "body")]
    assert _where(out, "+254 733 111222") == [(None, None, "body")]
    assert _where(out, "amina.okafor@ghro.int") == [(None, None, "body")]
    cr = b"From: x@ghro.int\rTo: amina.okafor@ghro.int\rSubject: cr\r\rcall +254 712 345678\r"
    text = text_of(run_bytes("cr.eml", cr))
    assert text.count("amina.okafor@ghro.int") == 1 and text.count("+254 712 345678") == 1


def test_eml_html_body_is_stripped():
    msg = (b"From: a@un-juba.org\r\nTo: b@un-juba.org\r\nSubject: html\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    import base64
    msg += base64.encodebytes(f"<html><style>p{{x:1}}</style><p>Card <b>{CARD}</b></p></html>".encode())
    out = run_bytes("h.eml", msg)
    assert [p.part for _, p in hits(out, f"Card {CARD}")] == ["body"]
    assert "<b>" not in text_of(out) and "x:1" not in text_of(out)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_eml_8bit_text_without_a_charset_is_read_as_a_text_file_is(encoding):
    """A message (or a memo sniffed as one) with raw 8-bit headers and body and no charset: its
    accented names are read, not replaced by U+FFFD (as ASCII would)."""
    msg = ("From: Frédérique Le Roux <f@un-juba.org>\nSubject: Réunion du comité\nDate: 3.5.2024\n\n"
           "Please contact Jérôme Müller-Girón at the office. Merci beaucoup, à bientôt.\n").encode(encoding)
    out = run_bytes("memo.eml", msg)
    assert kinds(out) == []
    assert "\ufffd" not in text_of(out)
    assert [p.part for _, p in hits(out, "Frédérique Le Roux")] == ["header"]
    assert [p.part for _, p in hits(out, "Réunion du comité")] == ["header"]
    assert [p.part for _, p in hits(out, "Jérôme Müller-Girón")] == ["body"]


def test_a_memo_that_opens_like_a_message_is_read_whole():
    """A .txt opening with From:/Subject: lines and no header of a sent message is a memo: every line
    of it is read (a message keeps only its address and subject headers)."""
    memo = ("From: HR Unit\nDate: 3.5.2024\nSubject: staff list\nBeneficiary phone: +254 712 345678\n\n"
            "Please contact Frédérique Le Roux.\n").encode()
    out = run_bytes("memo.txt", memo)
    assert kinds(out) == []
    assert hits(out, "+254 712 345678") == [(None, Pointer(line=4))]
    assert hits(out, "Frédérique Le Roux") == [(None, Pointer(line=6))]


def test_eml_unknown_charset_is_guessed():
    msg = "From: a@un-juba.org\nContent-Type: text/plain; charset=unknown-8bit\n\nMerci Jérôme Girón\n".encode()
    out = run_bytes("odd.eml", msg)
    assert [p.part for _, p in hits(out, "Jérôme Girón")] == ["body"]


def test_eml_declared_charset_is_kept():
    msg = ("From: a@un-juba.org\nContent-Type: text/plain; charset=iso-8859-7\n\nΓιώργος Παπαδόπουλος\n"
           ).encode("iso-8859-7")
    out = run_bytes("greek.eml", msg)
    assert [p.part for _, p in hits(out, "Γιώργος Παπαδόπουλος")] == ["body"]


def test_mail_parts_headers_read_once_are_each_messages_own():
    """A part's Content-Type is parsed once per header as written (the policy keeps the parsed
    header): messages with the same header share it, others get their own charset and type."""
    from dataguard.extract.mail import POLICY
    greek = "text/plain; charset=iso-8859-7"
    first = POLICY.header_fetch_parse("Content-Type", greek)
    assert POLICY.header_fetch_parse("Content-Type", greek) is first
    assert first.params["charset"] == "iso-8859-7" and first.content_type == "text/plain"
    other = POLICY.header_fetch_parse("Content-Type", "text/html; charset=utf-8")
    assert other.params["charset"] == "utf-8" and other.content_type == "text/html"
    subject = "x" * 10
    assert POLICY.header_fetch_parse("Subject", subject) is not POLICY.header_fetch_parse("Subject", subject)
    for charset, text in (("iso-8859-7", "Γιώργος Παπαδόπουλος"), ("iso-8859-1", "Jérôme Girón")):
        msg = f"From: a@un-juba.org\nContent-Type: text/plain; charset={charset}\n\n{text}\n".encode(charset)
        assert [p.part for _, p in hits(run_bytes("m.eml", msg), text)] == ["body"]


def test_mbox_messages_are_numbered_members():
    out = run("box.mbox")
    assert kinds(out) == []
    assert [m for m, _ in hits(out, IBAN)] == ["2.eml"]
    assert [(m, p.part) for m, p in hits(out, "amina.yusuf@un-juba.org")] == [("1.eml", "header")]


def test_embedded_workbook_in_docx_is_a_member():
    src = (DOCS / "note.docx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", (DOCS / "book.xlsx").read_bytes())
    out = run_bytes("embed.docx", buf.getvalue())
    assert hits(out, CARD) == [("word/embeddings/Microsoft_Excel_Worksheet.xlsx", Pointer(sheet="Hidden", cell="C3"))]
    assert hits(out, IBAN) == [(None, Pointer(line=4, part="table"))]


def test_odp_slides_and_notes(tmp_path):
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.presentation import Notes
    from odf.style import MasterPage, PageLayout
    from odf.text import P
    doc = OpenDocumentPresentation()
    layout = PageLayout(name="L")
    doc.automaticstyles.addElement(layout)
    master = MasterPage(name="M", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    for i, (body, note) in enumerate([("Intro", None), (f"Card {CARD}", f"IBAN {IBAN}")], 1):
        page = Page(masterpagename=master, name=f"p{i}")
        frame = Frame(width="10cm", height="2cm", x="1cm", y="1cm")
        box = TextBox()
        box.addElement(P(text=body))
        frame.addElement(box)
        page.addElement(frame)
        if note:
            notes = Notes()
            nf = Frame(width="10cm", height="2cm", x="1cm", y="1cm")
            nb = TextBox()
            nb.addElement(P(text=note))
            nf.addElement(nb)
            notes.addElement(nf)
            page.addElement(notes)
        doc.presentation.addElement(page)
    path = tmp_path / "deck.odp"
    doc.save(str(path))
    out = run_bytes("deck.odp", path.read_bytes())
    assert hits(out, CARD) == [(None, Pointer(line=2, page=2, part="slide"))]
    assert hits(out, IBAN) == [(None, Pointer(line=3, page=2, part="notes"))]


def test_ods_repeated_cells_and_rows_keep_positions(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    t = Table(name="S")
    t.addElement(TableRow(numberrowsrepeated=4))                  # 4 empty rows
    r = TableRow()
    r.addElement(TableCell(numbercolumnsrepeated=1000))           # 1000 empty columns
    c = TableCell(valuetype="string")
    c.addElement(P(text=CARD))
    r.addElement(c)
    t.addElement(r)
    doc.spreadsheet.addElement(t)
    path = tmp_path / "r.ods"
    doc.save(str(path))
    out = run_bytes("r.ods", path.read_bytes())
    assert hits(out, CARD) == [(None, Pointer(sheet="S", cell="ALM5"))]   # column 1001


def _ods_with(sheets: list, edit) -> bytes:
    """An ods of ``sheets`` [(name, [row values])], its content.xml passed through ``edit``."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets:
        t = Table(name=name)
        for value in rows:
            r, c = TableRow(), TableCell(valuetype="string")
            c.addElement(P(text=value))
            r.addElement(c)
            t.addElement(r)
        doc.spreadsheet.addElement(t)
    buf, out = io.BytesIO(), io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, edit(data) if info.filename == "content.xml" else data)
    return out.getvalue()


_ODS_SHEETS = [("Staff Amina", ["amina.yusuf@un-juba.org"] + [f"filler {i}" for i in range(3000)]),
               ("Zainab salaries", ["zainab.okello@un-juba.org", "BREAK HERE", "after the break"]),
               ("Payments", [IBAN])]


def _tb_prefix(data: bytes) -> bytes:
    """The table namespace under another prefix ('tb'), as a document may bind it."""
    for old, new in ((b"xmlns:table=", b"xmlns:tb="), (b"<table:", b"<tb:"), (b"</table:", b"</tb:"),
                     (b" table:", b" tb:")):
        data = data.replace(old, new)
    return data


@pytest.mark.parametrize("prefix", [lambda d: d, _tb_prefix], ids=["table", "tb"])
def test_a_broken_ods_sheet_is_recorded_and_the_other_sheets_are_read(prefix):
    """One malformed table in content.xml made the whole document one 'cannot parse odf' error,
    the findings of every sheet lost (even those read before it); now, as for xlsx, it is one
    ``corrupt`` problem naming the sheet by its place, and the other sheets are read."""
    data = _ods_with(_ODS_SHEETS, lambda d: prefix(d.replace(b"BREAK HERE</text:p>", b"BREAK HERE</text:q>")))
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("content.xml").file_size > 4 << 16   # (read in blocks)
    out = run_bytes("staff.ods", data)
    assert kinds(out) == [("staff.ods", "corrupt")]
    [problem] = [p for p in out if isinstance(p, Problem)]
    assert problem.message.startswith("cannot parse sheet 2 of 3: ") and "Zainab" not in problem.message
    assert hits(out, "amina.yusuf@un-juba.org") == [(None, Pointer(sheet="Staff Amina", cell="A1"))]
    assert hits(out, "zainab.okello@un-juba.org") == [(None, Pointer(sheet="Zainab salaries", cell="A1"))]
    assert hits(out, "after the break") == []
    assert hits(out, IBAN) == [(None, Pointer(sheet="Payments", cell="A1"))]


def test_an_ods_broken_in_its_last_sheet_or_before_any_sheet():
    cut = _ods_with(_ODS_SHEETS, lambda d: d[:d.index(IBAN.encode()) + 4])          # content.xml cut off
    out = run_bytes("cut.ods", cut)
    assert [p.message.split(":")[0] for p in out if isinstance(p, Problem)] == ["cannot parse sheet 3 of 3"]
    assert hits(out, "zainab.okello@un-juba.org") == [(None, Pointer(sheet="Zainab salaries", cell="A1"))]
    head = _ods_with(_ODS_SHEETS, lambda d: d.replace(b"<office:body>", b"<office:body><oops>", 1))
    out = run_bytes("head.ods", head)                    # before any table: the document's error
    assert [p.message for p in out if isinstance(p, Problem)] == ["cannot parse odf: MalformedXML"]


def test_an_ods_read_no_further_than_its_break_names_no_count_of_sheets(monkeypatch):
    """When the reading cannot go on past a broken table (its first table starts past the
    opening read, ``HEAD_BYTES``: large styles), the sheets after it are not read: the problem
    says so, and gives no count of sheets (it counted only those before: "sheet 2 of 2" of three)."""
    from dataguard.extract import odf
    monkeypatch.setattr(odf, "HEAD_BYTES", 200)
    out = run_bytes("staff.ods", _ods_with(_ODS_SHEETS, lambda d: d.replace(b"BREAK HERE</text:p>",
                                                                             b"BREAK HERE</text:q>")))
    assert [p.message for p in out if isinstance(p, Problem)] == [
        "cannot parse sheet 2: MalformedXML; reading stopped there"]
    assert hits(out, IBAN) == []            # (the sheet after the break: not read)


def test_an_ods_of_many_broken_sheets_is_read_on_past_a_bounded_number():
    """Each broken table costs a re-reading of content.xml: past MAX_BROKEN_SHEETS the rest is not read."""
    from dataguard.extract.odf import MAX_BROKEN_SHEETS
    n = MAX_BROKEN_SHEETS + 5
    sheets = [(f"S{i}", ["BREAK HERE"]) for i in range(n)] + [("Payments", [IBAN])]
    out = run_bytes("many.ods", _ods_with(sheets, lambda d: d.replace(b"BREAK HERE</text:p>", b"x</text:q>")))
    messages = [p.message for p in out if isinstance(p, Problem)]
    assert len(messages) == MAX_BROKEN_SHEETS and hits(out, IBAN) == []     # (the sheets after: not read)
    assert messages[0] == "cannot parse sheet 1: MalformedXML"          # (how many sheets: not known)
    assert messages[-1] == (f"cannot parse sheet {MAX_BROKEN_SHEETS}: MalformedXML; {MAX_BROKEN_SHEETS} broken "
                            f"sheets: reading stopped there")


def test_a_broken_sheet_is_recorded_and_the_other_sheets_are_read():
    """A worksheet whose XML breaks off is a ``corrupt`` problem of the workbook named by its
    place, not its name (names are data); the rows it gave before the break and the sheets
    after it are read, at their cells."""
    import openpyxl
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Staff Amina"
    first.append(["name", "email"])
    first.append(["Amina", "amina.yusuf@un-juba.org"])
    for i in range(30):
        first.append([f"row {i}", f"filler {i}"])
    wb.create_sheet("Payments").append(["IBAN", IBAN])
    buf = io.BytesIO()
    wb.save(buf)
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[:data.index(b"filler 20")]        # cut inside the sheet's rows
            dst.writestr(info, data)
    out = run_bytes("staff.xlsx", broken.getvalue())
    assert kinds(out) == [("staff.xlsx", "corrupt")]
    [problem] = [p for p in out if isinstance(p, Problem)]
    assert problem.message.startswith("cannot parse sheet 1 of 2: ") and "Amina" not in problem.message
    assert hits(out, "amina.yusuf@un-juba.org") == [(None, Pointer(sheet="Staff Amina", cell="B2"))]
    assert hits(out, IBAN) == [(None, Pointer(sheet="Payments", cell="B1"))]


def test_addresses_separated_by_semicolons_with_encoded_names_are_all_read():
    """Outlook separates recipients with ';', where the address parser keeps the first alone: the
    header's text is then its encoded words decoded, every recipient in it ("Tomasz Wiśniewski",
    folded over two encoded words)."""
    data = (b"From: a@b.org\r\nTo: Protection Unit <protection@unhcr.org>\r\n"
            b"Cc: Resettlement Unit <resettlement@unhcr.org>; Tomasz =?utf-8?q?Wi?=\r\n"
            b" =?utf-8?q?=C5=9Bniewski?= <t.wisniewski@iom-partner.org>\r\nSubject: x\r\n\r\nbody\r\n")
    out = run_bytes("cc.eml", data)
    assert hits(out, "t.wisniewski@iom-partner.org") == [(None, Pointer(line=3, part="header"))]
    assert hits(out, "Tomasz Wiśniewski") == [(None, Pointer(line=3, part="header"))]
    assert hits(out, "resettlement@unhcr.org") == [(None, Pointer(line=3, part="header"))]


def test_a_recipient_in_an_unknown_charset_leaves_the_others_decoded():
    """An encoded word in a charset Python does not know (or not in its own charset) is read as
    Latin-1, one that cannot be decoded stays as written: the other recipients' names are still
    decoded, not the header left as written."""
    data = (b"From: a@b.org\r\nTo: =?x-bogus-cs?q?Caf=E9?= <cafe@example-ngo.org>; "
            b"=?utf-8?q?Tomasz_Wi=C5=9Bniewski?= <t.wisniewski@iom-partner.org>; "
            b"=?utf-8?b?/w==?= <z@iom-partner.org>\r\nSubject: x\r\n\r\nbody\r\n")
    out = run_bytes("to.eml", data)
    assert hits(out, "Tomasz Wiśniewski") == [(None, Pointer(line=2, part="header"))]
    assert hits(out, "t.wisniewski@iom-partner.org") == [(None, Pointer(line=2, part="header"))]
    assert hits(out, "Café") == [(None, Pointer(line=2, part="header"))]
    assert not hits(out, "=?utf-8?q?Tomasz")
    # a raw UTF-8 name beside it, a charset with an RFC 2231 language, a charset name holding a NUL,
    # a word that is no base64
    data = (b"From: a@b.org\r\nTo: \xc5\x81ukasz Nowak <l@example-ngo.org>; =?x\x00y?q?z?= <z@example-ngo.org>; "
            b"=?utf-8*pl?q?Tomasz_Wi=C5=9Bniewski?= <t.wisniewski@iom-partner.org>; =?utf-8?b?%%%?= <q@example-ngo.org>"
            b"\r\nSubject: x\r\n\r\nbody\r\n")
    out = run_bytes("to.eml", data)
    for value in ("Łukasz Nowak", "Tomasz Wiśniewski", "=?utf-8?b?%%%?="):
        assert hits(out, value) == [(None, Pointer(line=2, part="header"))], value


def test_a_long_address_header_is_decoded_only_as_far_as_it_is_parsed(monkeypatch):
    """The decoding of a ';'-separated header is quadratic in its encoded words, as the parser is:
    it reads the header's first MAX_HEADER_CHARS, as the parser does (2 MB of them took 20 s)."""
    import email

    from dataguard.extract import mail
    seen = []
    real = mail._decoded_words
    monkeypatch.setattr(mail, "_decoded_words", lambda v: seen.append(len(v)) or real(v))
    value = "a@b.org; c@d.org " + "=?utf-8?q?a?= " * 150_000 + "e@f.org"
    msg = email.message_from_string("Subject: x\n\nbody\n", policy=mail.POLICY)
    out = mail._header_value(msg, "To", value)
    assert seen == [mail.MAX_HEADER_CHARS] and "c@d.org" in out


_W_EVERY_TAG = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W_EVERY_TAG_XML = (f'<w:body xmlns:w="{_W_EVERY_TAG}" xmlns:mc="{_MC}">'
       '<w:p><w:pPr><w:r><w:t>style</w:t></w:r></w:pPr><w:r><w:rPr><w:t>no</w:t></w:rPr><w:t>a</w:t><w:tab/><w:t>b</w:t>'
       '<w:br/><w:t>c</w:t><w:cr/><w:noBreakHyphen/><w:delText>gone</w:delText><w:instrText>HYPERLINK</w:instrText></w:r>'
       '<mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>box</w:t></w:r></w:p></w:txbxContent></mc:Choice>'
       '<mc:Fallback><w:t>fallback</w:t></mc:Fallback></mc:AlternateContent><w:smartTag><w:r><w:t>st</w:t></w:r></w:smartTag></w:p>'
       '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p><w:p/><w:sdt><w:sdtPr><w:t>p</w:t></w:sdtPr><w:sdtContent><w:p><w:r><w:t>y</w:t></w:r></w:p></w:sdtContent></w:sdt></w:tc>'
       '<w:tc/><w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>in</w:t><w:br/><w:t>ner</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>'
       '<w:sdt><w:sdtPr/><w:sdtEndPr><w:p><w:r><w:t>end</w:t></w:r></w:p></w:sdtEndPr><w:sdtContent><w:customXml><w:ins><w:del>'
       '<w:p><w:r><w:t>deep</w:t></w:r></w:p></w:del></w:ins></w:customXml></w:sdtContent></w:sdt>'
       '<w:comment><w:p><w:r><w:t>note</w:t></w:r></w:p></w:comment><w:footnote><w:p><w:r><w:t>fn</w:t></w:r></w:p></w:footnote>'
       '<w:endnote><w:p><w:r><w:t>en</w:t></w:r></w:p></w:endnote><w:txbxContent><w:p><w:r><w:t>tb</w:t></w:r></w:p></w:txbxContent>'
       '<w:other><w:p><w:r><w:t>skipped</w:t></w:r></w:p></w:other></w:body>')


def test_every_word_element_docx_reads_is_read_as_before():
    """The lines of blocks holding each element ``_wtext`` and ``_block_lines`` tell apart (what
    they read before their names were built once, not at each comparison)."""
    from dataguard.extract.ooxml import _block_lines
    from dataguard.extract.safexml import parse_xml
    root = parse_xml(io.BytesIO(_W_EVERY_TAG_XML.encode()))
    lines = [(text, ptr.part) for el in root for text, ptr in _block_lines(el, None)]
    assert lines == [("a\tb\nc\n-gone\nboxst", None), ("x p y\t\tin ner", "table"), ("in ner", "table"),
                     ("deep", None), ("note", None), ("fn", None), ("en", None), ("tb", None)]
    assert {ptr.part for el in root for _, ptr in _block_lines(el, "footnote")} == {"footnote"}

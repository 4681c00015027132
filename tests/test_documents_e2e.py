"""Documents, mail and archives end to end with the real model (fixtures/share/documents)."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report(tmp_path_factory, run_cli):
    root = tmp_path_factory.mktemp("docs") / "documents"
    shutil.copytree(FIXTURES / "share" / "documents", root, symlinks=True)
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            p.chmod(0o600)
    res = run_cli("scan", root, "--workers", "1", "--format", "json")
    assert res.exit_code == 1, res.stderr
    return res.report


def _ev(report, path, member, rule):
    f = [f for f in report["findings"] if (f["location"]["path"], f["location"]["member"], f["rule_id"]) ==
         (path, member, rule)]
    assert f, f"no {rule} finding for {path} {member}"
    return [(e["entity_type"], e["page"], e["sheet"], e["cell"]) for e in f[0]["evidence"]]


def test_values_in_members_hidden_sheets_pages_and_attachments(report):
    assert ("CREDIT_CARD", None, "Hidden", "C3") in _ev(report, "book.xlsx", None, "DG-009")
    assert ("CREDIT_CARD", None, "Payments", "B2") in _ev(report, "payments.ods", None, "DG-009")
    assert _ev(report, "two_pages.pdf", None, "DG-008") == [("IBAN_CODE", 2, None, None)]
    assert _ev(report, "deck.pptx", None, "DG-009") == [("CREDIT_CARD", 2, None, None)]
    assert _ev(report, "outer.zip", "inner.zip!/data.csv", "DG-009")
    assert _ev(report, "mail.eml", "note.docx", "DG-008")
    assert _ev(report, "box.mbox", "2.eml", "DG-008")
    assert _ev(report, "log.txt.gz", "log.txt", "DG-009")
    assert _ev(report, "exports.tar.gz", "exports/contacts.csv", "DG-008")
    assert _ev(report, "box.mbox", "1.eml", "DG-028")


def test_unscannable_items_are_errors_by_kind(report):
    errs = {(e["uri"].rsplit("/", 1)[-1], e["kind"]) for e in report["errors"]}
    assert {("encrypted.pdf", "encrypted"), ("scanned.pdf", "no_text"), ("truncated.docx", "corrupt")} <= errs
    assert any(e["kind"] == "encrypted" and "encrypted.zip!/" in e["uri"] for e in report["errors"])
    assert report["scan"]["complete"] is True

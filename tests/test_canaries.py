"""Canary values planted in every place a raw value once leaked (a date-formatted cell, a
defined name, a custom property, primary keys, a URL password, the names of files,
members, sheets, tables and columns, invalid rule-pack and configuration fields): none may
appear in any output channel (stdout, stderr, --log-file, -o) of any report format."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName

from dataguard.hashing import mask
from dataguard.vocab import FORMATS

CARD = "4275331112223333"                   # Luhn-valid
CARD_KEY = "4012888888881881"
SSN_KEY = "078-05-1120"
PASSWORD = "Pg@CanaryPw_Secret"
# name -> a value only the planted place holds (e-mails: their local part is what must not show)
NAMES = {"file": "fn.canary", "member": "mb.canary", "sheet": "sh.canary", "table": "tb.canary",
         "column": "cl.canary", "primary key": "pk.canary", "defined name": "dn.canary",
         "property": "cp.canary", "undecodable file": "ud.canary"}


def _email(local: str) -> str:
    return f"{local}@acme-mail.org"


def _workbook(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = _email(NAMES["sheet"])[:31]
    ws["A1"], ws["B1"] = "name", "card"
    ws["A2"], ws["B2"] = "x", int(CARD)
    ws["B2"].number_format = "yyyy-mm-dd"               # a card number formatted as a date
    wb.defined_names["_xlnm.Print_Area"] = DefinedName("_xlnm.Print_Area", attr_text=f'"{_email(NAMES["defined name"])}"')
    wb.custom_doc_props.append(StringProperty(name=_email(NAMES["property"]), value="x"))
    wb.save(path)


def _database(path) -> None:
    con = sqlite3.connect(path)
    table, column = _email(NAMES["table"]), _email(NAMES["column"])
    con.execute(f'CREATE TABLE "{table}" (id TEXT PRIMARY KEY, "{column}" TEXT)')
    con.execute(f'INSERT INTO "{table}" VALUES (?, ?)', (_email(NAMES["primary key"]), f"card {CARD}"))
    con.execute("CREATE TABLE pairs (ssn TEXT, card TEXT, note TEXT, PRIMARY KEY (ssn, card))")
    con.execute("INSERT INTO pairs VALUES (?, ?, ?)", (SSN_KEY, CARD_KEY, f"card {CARD}"))
    con.commit()
    con.close()


@pytest.fixture(scope="module")
def share(tmp_path_factory):
    root = tmp_path_factory.mktemp("canary")
    files = root / "files"
    files.mkdir()
    _workbook(files / "book.xlsx")
    (files / f"{_email(NAMES['file'])}.txt").write_text(f"card {CARD}\n")
    with zipfile.ZipFile(files / "a.zip", "w") as zf:
        zf.writestr(f"{_email(NAMES['member'])}.csv", f"card\n{CARD}\n")
    with open(os.path.join(os.fsencode(files), b"\xff" + _email(NAMES["undecodable file"]).encode() + b".txt"),
              "wb") as fh:
        fh.write(f"card {CARD}\n".encode())
    _database(root / "db.sqlite")
    return root


def _run(*args, cwd) -> tuple:
    """(exit code, stdout bytes, stderr bytes) of ``dataguard ARGS`` in a child process."""
    p = subprocess.run([sys.executable, "-m", "dataguard", *args], capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr


def _leaks(channels: dict, *canaries) -> list:
    return [(where, c) for where, data in channels.items() for c in canaries if c.encode() in data]


ALL_CANARIES = (CARD, CARD_KEY, SSN_KEY, "1120,", "CanaryPw", *NAMES.values())


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_canary_in_any_output_of_a_scan(share, tmp_path, fmt):
    log, out = tmp_path / "scan.log", tmp_path / f"report.{fmt}"
    targets = [str(share / "files"), f"sqlite:///{share / 'db.sqlite'}",
               f"postgresql://bob:{PASSWORD}@127.0.0.1:1/db"]
    code, stdout, stderr = _run("scan", *targets, "--no-ner", "--workers", "1", "--format", fmt, "-v",
                                "--log-file", str(log), "--max-evidence", "all", cwd=tmp_path)
    assert code == 3, stderr.decode(errors="replace")            # the PostgreSQL target is unreachable
    _run("scan", *targets, "--no-ner", "--workers", "1", "--format", fmt, "-q", "-o", str(out), cwd=tmp_path)
    channels = {"stdout": stdout, "stderr": stderr, "log": log.read_bytes(), "output": out.read_bytes()}
    assert _leaks(channels, *ALL_CANARIES) == []
    if fmt in ("json", "sarif"):
        report = json.loads(stdout.decode("utf-8"))        # valid UTF-8 whatever the names' bytes
        assert report
    if fmt == "json":
        _assert_found(json.loads(out.read_bytes().decode("utf-8")))


def _assert_found(report: dict) -> None:
    """The canaries are found, under masked names: a card in a date-formatted cell, names
    holding e-mails, and the database's rows pointed at without their raw keys."""
    cards = {(f["location"]["uri"].rsplit("/", 1)[-1], f["location"]["member"]) for f in report["findings"]
             if "CREDIT_CARD" in f["entities"]}
    assert ("book.xlsx", None) in cards
    # the member's name shows the e-mail address detection found in it, masked like its evidence
    assert ("a.zip", mask("EMAIL_ADDRESS", _email(NAMES["member"])) + ".csv") in cards
    rows = {e["row"] for f in report["findings"] for e in f["evidence"] if e.get("row")}
    assert len(rows) == 2 and all(r.startswith("key:") for r in rows)


EMAIL_PACK = """
pack: names
rules:
  - id: N-1
    title: An e-mail address
    severity: low
    measure: CM-MINIMISE
    match: {entities: [EMAIL_ADDRESS]}
"""


def test_names_are_scanned_like_content(share, tmp_path):
    pack = tmp_path / "names.yaml"
    pack.write_text(EMAIL_PACK)
    code, stdout, _ = _run("scan", str(share / "files"), f"sqlite:///{share / 'db.sqlite'}", "--rules", str(pack),
                           "--no-ner", "--workers", "1", "--format", "json", "--max-evidence", "all", cwd=tmp_path)
    assert code == 1
    named = set()
    for f in json.loads(stdout)["findings"]:
        for e in f["evidence"]:
            if e.get("part") == "name":
                loc = f["location"]
                named.add("sheet" if e.get("sheet") else "column" if loc["column"] else "table" if loc["table"]
                          else "member" if loc["member"] else "file")
    assert named == {"file", "member", "sheet", "table", "column"}


def test_no_canary_in_rule_pack_or_configuration_errors(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text("pack: p\nrules:\n  - id: R-1\n    title: t\n    severity: sev.canary@example.org\n"
                    "    measure: CM-ENCRYPT\n    match: {entities: [EMAIL_ADDRESS], min_scores: {ms.canary@x.org: 2}}\n"
                    "    scope: {extensions: [ex.canary@x.org/], include: ['gl.canary@x.org/**b']}\n"
                    "    escalate: {es.canary@x.org: high}\n"
                    "  - id: 4275331112223333\n    title: t\n    severity: high\n    measure: CM-ENCRYPT\n"
                    "    match: {entities: [EMAIL_ADDRESS]}\n    ky.canary@x.org: 1\n"
                    "recognizers:\n  - entity: X_Y\n    patterns: [{name: n, regex: 'rx.canary(', score: 0.5}]\n")
    config = tmp_path / "dataguard.yaml"
    config.write_text("phone_regions: [rg.canary@example.org]\nsite: {name: s, kind: sk.canary@x.org}\n")
    canaries = ("sev.canary", "ms.canary", "ex.canary", "gl.canary", "es.canary", "ky.canary", "rx.canary",
                "rg.canary", "sk.canary", CARD)
    for args in (("rules", "validate", str(pack)), ("scan", str(tmp_path), "--rules", str(pack)),
                 ("scan", str(tmp_path), "--config", str(config))):
        code, stdout, stderr = _run(*args, cwd=tmp_path)
        assert code == 2, (args, stderr)
        assert _leaks({"stdout": stdout, "stderr": stderr}, *canaries) == [], args

"""Tables end to end (real model, every entity): the files of fixtures/tables/ (CSV, TSV, and an
XLSX made from the TSV) give exactly the expected (file, column, entity) triples, each
evidence located by line and column (or sheet cell) and saying what led to it; code columns
full of 10-digit numbers, dates, user agents and memos with labelled numbers give nothing."""
from __future__ import annotations

import csv
import io
import shutil

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.model

TABLES = FIXTURES / "tables"
EXPECTED = {
    ("orders.csv", "customer_name", "PERSON"), ("orders.csv", "customer_phone", "PHONE_NUMBER"),
    ("orders.csv", "email", "EMAIL_ADDRESS"), ("orders.csv", "ship_address", "LOCATION"),
    ("staff.tsv", "full_name", "PERSON"), ("staff.tsv", "date_of_birth", "DATE_OF_BIRTH"),
    ("staff.tsv", "national_id", "NATIONAL_ID"), ("staff.tsv", "passport_no", "PASSPORT_NUMBER"),
    ("staff.tsv", "nhs_number", "UK_NHS"), ("staff.tsv", "password_hash", "PASSWORD_HASH"),
    ("staff.tsv", "legacy_password", "SECRET_PASSWORD"), ("staff.tsv", "api_token", "SECRET_TOKEN"),
    ("staff.tsv", "diagnosis", "HEALTH_TERM"), ("staff.tsv", "last_login_ip", "IP_ADDRESS"),
}


def _xlsx_from(tsv_path, out_path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "Staff"
    with open(tsv_path, newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            ws.append(row)
    wb.save(out_path)


@pytest.fixture(scope="module")
def tables_report(tmp_path_factory, run_cli, every_entity_pack):
    root = tmp_path_factory.mktemp("tables")
    for p in TABLES.iterdir():
        shutil.copy(p, root / p.name)
    _xlsx_from(TABLES / "staff.tsv", root / "staff.xlsx")
    res = run_cli("scan", root, "--rules", every_entity_pack, "--no-default-rules", "--workers", "1", "--format", "json", "--max-evidence", "all",
                  "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    return root, res.report


def _column_of(root, finding: dict, ev: dict) -> str:
    """The header of the column an evidence points at (line and col, or sheet cell)."""
    path = root / finding["location"]["path"]
    if ev["cell"]:
        from openpyxl import load_workbook
        ws = load_workbook(path, read_only=True)[ev["sheet"]]
        letters = "".join(c for c in ev["cell"] if c.isalpha())
        return next(c.value for c in next(ws.iter_rows(min_row=1, max_row=1)) if c.column_letter == letters)
    lines = path.read_text(encoding="utf-8").splitlines()
    delim = "\t" if path.suffix == ".tsv" else ","
    header = next(csv.reader([lines[0]], delimiter=delim))
    line = lines[ev["line"] - 1]
    before = line[:ev["col"] - 1]
    return header[len(next(csv.reader(io.StringIO(before + "x"), delimiter=delim))) - 1]


def test_every_column_gives_exactly_its_entities(tables_report):
    root, report = tables_report
    got = set()
    for f in report["findings"]:
        for ev in f["evidence"]:
            name = f["location"]["path"].replace("staff.xlsx", "staff.tsv")
            got.add((name, _column_of(root, f, ev), ev["entity_type"]))
    assert got == EXPECTED


def test_evidence_says_what_led_to_it(tables_report):
    _, report = tables_report
    reasons = {(ev["entity_type"], ev["reason"]) for f in report["findings"] for ev in f["evidence"]}
    assert ("DATE_OF_BIRTH", "column_name") in reasons and ("PASSWORD_HASH", "value_and_column_name") in reasons
    assert ("EMAIL_ADDRESS", "value_and_column_name") in reasons and ("NATIONAL_ID", "column_name") in reasons


def test_line_sources_carry_exact_columns(tables_report):
    root, report = tables_report
    for f in report["findings"]:
        path = root / f["location"]["path"]
        if path.suffix not in (".csv", ".tsv"):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for ev in f["evidence"]:
            value = lines[ev["line"] - 1][ev["col"] - 1:ev["end_col"] - 1]
            assert ev["masked"] != value and len(value) == ev["end_col"] - ev["col"] > 0


def test_health_terms_are_never_shown(tables_report):
    _, report = tables_report
    shown = [ev["masked"] for f in report["findings"] for ev in f["evidence"] if ev["entity_type"] == "HEALTH_TERM"]
    assert shown and all(m.startswith("<health_term redacted, ") for m in shown)
    text = str(report)
    assert "HIV" not in text and "Tuberculosis" not in text and "diabetes" not in text


def test_a_national_id_column_is_a_national_identification_finding(tmp_path, run_cli):
    """With the built-in packs, national ID numbers found by their column's name (NATIONAL_ID)
    are DG-005's (national identification numbers in clear: high), like SSNs and NHS numbers,
    not only the inventory's low finding; 'tazkira' (Afghanistan's identity card) names one."""
    share = tmp_path / "hr"
    share.mkdir()
    (share / "ids.csv").write_text("employee_no;last_name;first_name;national_id\n"
                                   "HQ-1;Okonkwo;Chidinma;2-85-05-75-116-084-36\n"
                                   "HQ-2;Haidari;Farid;7-41-09-13-552-917-02\n", encoding="utf-8")
    (share / "tazkira.csv").write_text("name,tazkira,province\nAhmad Wali,1400-0101-23917,Herat\n"
                                       "Gul Bibi,1399-0203-48125,Kabul\n", encoding="utf-8")
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json")
    by_file = {}
    for f in res.report["findings"]:
        if "NATIONAL_ID" in f["entities"]:
            by_file.setdefault(f["location"]["path"], set()).add((f["rule_id"], f["severity"]))
    assert ("DG-005", "high") in by_file["ids.csv"] and ("DG-005", "high") in by_file["tazkira.csv"]
    lines = sorted(ev["line"] for f in res.report["findings"] if f["rule_id"] == "DG-005"
                   and f["location"]["path"] == "ids.csv" for ev in f["evidence"])
    assert lines == [2, 3]


def test_a_vendors_tax_numbers_are_no_national_ids(tmp_path, run_cli):
    """A tax number's column in a table named for firms (a vendors register, suppliers) holds the
    firms' numbers: no NATIONAL_ID; the same column in a staff list is; a Kenyan company's KRA PIN
    (P...) is no one's identity, an individual's (A...) is."""
    share = tmp_path / "finance"
    share.mkdir()
    (share / "vendors_register.csv").write_text("vendor_name,Tax ID,city\nAcme Supplies Ltd,100-234-567,Nairobi\n"
                                                "Blue Nile Trading,100-987-654,Juba\n", encoding="utf-8")
    (share / "staff_tax.csv").write_text("full_name,Tax ID,department\nAmina Yusuf,200-345-678,Finance\n"
                                         "John Otieno,200-765-432,Logistics\n", encoding="utf-8")
    (share / "suppliers.csv").write_text("supplier,KRA PIN\nAcme Supplies Ltd,P051234567X\n"
                                         "Grace Achieng (sole trader),A004416331M\n", encoding="utf-8")
    (share / "company_employees.csv").write_text("full_name,Tax ID,department\nLeila Haddad,300-456-789,Finance\n",
                                                 encoding="utf-8")
    (share / "contractors.csv").write_text("consultant_name,TIN\nOmar Farouk,400-567-891\n", encoding="utf-8")
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--show-data", "--fail-on", "never")
    got = {(f["location"]["path"], e["entity_type"], e["value"]) for f in res.report["findings"] for e in f["evidence"]
           if e["entity_type"] in ("NATIONAL_ID", "KE_KRA_PIN")}
    assert got == {("staff_tax.csv", "NATIONAL_ID", "200-345-678"), ("staff_tax.csv", "NATIONAL_ID", "200-765-432"),
                   ("suppliers.csv", "KE_KRA_PIN", "A004416331M"), ("company_employees.csv", "NATIONAL_ID", "300-456-789"),
                   ("contractors.csv", "NATIONAL_ID", "400-567-891")}


def test_field_exports_in_more_languages_name_their_columns(tmp_path, run_cli):
    """A KoboToolbox export's respondent and enumerator (resp_name, enum_name, in a group's key),
    a Dari returnees list's tazkira (تذکره) and date of birth (تاریخ تولد), and in Ukrainian prose a
    booklet passport's series and number after 'паспорт' and a date after 'дата народження'."""
    share = tmp_path / "field"
    share.mkdir()
    (share / "kobo.json").write_text(
        '[{"group_respondent/resp_name": "Nyakuoth Gatluak Deng", "enum_name": "Lokuam Ekiru John", "hh_size": 6},\n'
        ' {"group_respondent/resp_name": "Achol Majok Garang", "enum_name": "Lokuam Ekiru John", "hh_size": 4}]\n',
        encoding="utf-8")
    (share / "returnees.csv").write_text("نام,نام پدر,تذکره,تاریخ تولد\nاحمد,محمد,1400-0101-23917,1988-04-21\n"
                                         "گل,عبدالله,1399-0203-48125,1992-11-02\n", encoding="utf-8")
    (share / "ua.txt").write_text("Заявник: Олена Шевченко, паспорт ЕН 556677, дата народження 12.04.1978.\n"
                                  "Рахунок ЕН 2024, сума 556677 грн.\n", encoding="utf-8")
    res = run_cli("scan", share, "--no-ner", "--workers", "1", "--format", "json", "--show-data", "--fail-on", "never")
    got = {(f["location"]["path"], e["entity_type"], e["value"]) for f in res.report["findings"] for e in f["evidence"]}
    assert {("kobo.json", "PERSON", n) for n in ("Nyakuoth Gatluak Deng", "Achol Majok Garang", "Lokuam Ekiru John")} <= got
    assert {("returnees.csv", "NATIONAL_ID", "1400-0101-23917"), ("returnees.csv", "DATE_OF_BIRTH", "1988-04-21")} <= got
    assert {("ua.txt", "PASSPORT_NUMBER", "ЕН 556677"), ("ua.txt", "DATE_OF_BIRTH", "12.04.1978")} <= got
    assert not {v for p, e, v in got if p == "ua.txt" and e == "PASSPORT_NUMBER"} - {"ЕН 556677"}

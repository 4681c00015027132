"""Field-office documents in French, Spanish and Arabic (fixtures/field), with the real models:
the exact file-level entities expected, recall and precision per language, no recognizer of a
country the site did not configure, and decoys (product codes, order numbers) not reported."""
from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.model

FIELD = FIXTURES / "field"
EXPECTED = {k: set(v) for k, v in json.loads((FIELD / "expected.json").read_text(encoding="utf-8")).items()
            if not k.startswith("_")}
GOAL = {"PERSON", "PHONE_NUMBER", "UNHCR_CASE_NUMBER", "PASSPORT_NUMBER", "MRZ", "IBAN_CODE"}
COUNTRIES = ["ML", "CO", "VE", "JO", "SY", "LB"]
# recognizers of countries this site did not configure
OTHER_COUNTRIES = {"US_SSN", "US_PASSPORT", "US_DRIVER_LICENSE", "US_BANK_NUMBER", "US_ITIN", "UK_NHS", "UK_NINO",
                   "UK_PASSPORT", "ES_NIF", "AU_TFN", "AU_MEDICARE", "IN_PAN", "IN_AADHAAR", "IN_PASSPORT",
                   "SG_NRIC_FIN", "IT_FISCAL_CODE", "PL_PESEL", "FI_PERSONAL_IDENTITY_CODE", "MEDICAL_LICENSE",
                   "TR_NATIONAL_ID", "ZA_NATIONAL_ID", "MX_CURP", "KE_KRA_PIN", "PK_CNIC", "BR_CPF", "CN_NATIONAL_ID"}


@pytest.fixture(scope="module")
def field_report(tmp_path_factory, run_cli):
    tmp = tmp_path_factory.mktemp("field")
    share = tmp / "share"
    shutil.copytree(FIELD, share, ignore=shutil.ignore_patterns("expected.json"))
    cfg = tmp / "dataguard.yaml"
    cfg.write_text("site: {name: Field, kind: field}\ncountries: [" + ", ".join(COUNTRIES) + "]\n")
    res = run_cli("scan", share, "--config", cfg, "--workers", "1", "--format", "json", "--output",
                  tmp / "report.json")
    assert res.exit_code == 1, res.stderr
    found: dict = {}
    for f in res.report["findings"]:
        found.setdefault(f["location"]["path"], set()).update(f["entities"])
    return found


def test_exact_file_level_entities(field_report):
    got = {path: ents & GOAL for path, ents in field_report.items() if ents & GOAL}
    assert got == EXPECTED


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_recall_and_precision_per_language(field_report, language):
    files = sorted(p.relative_to(FIELD).as_posix() for p in (FIELD / language).iterdir())
    tp = fp = fn = 0
    for path in files:
        want = EXPECTED.get(path, set())
        got = field_report.get(path, set()) & GOAL
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
    assert tp / (tp + fn) >= 0.95 and tp / (tp + fp) >= 0.95, (tp, fp, fn)


def test_no_recognizer_of_an_unconfigured_country(field_report):
    assert not {e for ents in field_report.values() for e in ents} & OTHER_COUNTRIES


def test_decoy_files_report_no_goal_entity(field_report):
    for path in ("fr/inventaire_materiel.txt", "es/inventario.txt", "ar/stock_list.txt"):
        assert not field_report.get(path, set()) & (GOAL | {"STAFF_INDEX_NUMBER", "DATE_OF_BIRTH", "SWIFT_BIC"})

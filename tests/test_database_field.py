"""A field office's databases as they are named and filled: an HR table beside lookup tables whose
names carry their schema's naming convention (``ref_villes``, ``tbl_pays``, ``lkp_organisations``),
scanned whole (SQLite, default rule packs, real model): the persons are found where they are, row
by row, and the lookups' names of cities, countries and bodies are no persons."""
from __future__ import annotations

import sqlite3

import pytest

from dataguard.detect.columns import table_verdict, vocabulary_for

CITIES = ["Dakar", "Thiès", "Bamako", "Mopti", "Niamey", "N'Djamena", "Abéché", "Khartoum", "El Fasher", "Juba",
          "Nairobi", "Kakuma", "Dadaab", "Amman", "Mafraq", "Irbid", "Cox's Bazar", "Goma", "Bunia", "Florence",
          "Victoria", "Georgetown", "Lincoln", "Jackson", "Kingston", "Hamilton"]
COUNTRIES = ["Sénégal", "Mali", "Burkina Faso", "Niger", "Tchad", "Soudan", "Kenya", "Jordanie", "Liban", "Syrie",
             "Bangladesh", "Afghanistan", "Colombie", "Venezuela", "Suisse", "Côte d'Ivoire", "Myanmar"]
# (the small model reads "Burkina Faso" as a person's name, among the countries it reads as places)
COUNTRIES_EN = ["Senegal", "Mali", "Burkina Faso", "Niger", "Chad", "Sudan", "South Sudan", "Kenya", "Jordan",
                "Lebanon", "Syria", "Bangladesh", "Afghanistan", "Colombia", "Venezuela", "France", "Switzerland",
                "Democratic Republic of the Congo", "Côte d'Ivoire", "Myanmar"]
COUNTRIES_ES = ["Senegal", "Malí", "Burkina Faso", "Níger", "Chad", "Sudán", "Sudán del Sur", "Kenia", "Jordania",
                "Líbano", "Siria", "Bangladés", "Afganistán", "Colombia", "Venezuela", "Francia", "Suiza",
                "República Democrática del Congo", "Costa de Marfil", "Birmania"]
BODIES = ["Haut Commissariat des Nations unies pour les réfugiés", "World Food Programme", "Mercy Corps",
          "Médecins Sans Frontières", "Norwegian Refugee Council", "Save the Children", "Action contre la Faim"]
STAFF = [(3, "DIALLO", "Aminata"), (5, "HADDAD", "Omar"), (8, "OKAFOR", "Grace"), (13, "NGUYEN", "Thi Lan"),
         (21, "GARCÍA", "Lucía"), (34, "MENSAH", "Kwame")]


def _field_db(path) -> str:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE ref_villes (id INTEGER PRIMARY KEY, nom TEXT, code_pays TEXT, code_postal TEXT);
        CREATE TABLE tbl_pays (id INTEGER PRIMARY KEY, code_iso3 TEXT, nom TEXT);
        CREATE TABLE lkp_organisations (id INTEGER PRIMARY KEY, sigle TEXT, nom TEXT);
        CREATE TABLE rh_employes (id INTEGER PRIMARY KEY, matricule TEXT, nom TEXT, prenom TEXT, grade TEXT);
        CREATE TABLE ref_pays (id INTEGER PRIMARY KEY, code_iso2 TEXT, libelle_en TEXT, libelle_es TEXT);
        CREATE TABLE ref_sites (id INTEGER PRIMARY KEY, code_site TEXT, ville TEXT, responsable TEXT);
    """)
    con.executemany("INSERT INTO ref_pays VALUES (?,?,?,?)", [(i + 1, en[:2].upper(), en, es) for i, (en, es) in
                                                              enumerate(zip(COUNTRIES_EN, COUNTRIES_ES))])
    con.executemany("INSERT INTO ref_sites VALUES (?,?,?,?)", [(k, f"S{k:03d}", CITIES[k % len(CITIES)], f"{prenom} {nom.title()}")
                                                              for k, nom, prenom in STAFF])
    con.executemany("INSERT INTO ref_villes VALUES (?,?,?,?)",
                    [(i + 1, c, "SN", f"{10200 + i}") for i, c in enumerate(CITIES)])
    con.executemany("INSERT INTO tbl_pays VALUES (?,?,?)", [(i + 1, c[:3].upper(), c) for i, c in enumerate(COUNTRIES)])
    con.executemany("INSERT INTO lkp_organisations VALUES (?,?,?)",
                    [(i + 1, "".join(w[0] for w in b.split()), b) for i, b in enumerate(BODIES)])
    con.executemany("INSERT INTO rh_employes VALUES (?,?,?,?,?)",
                    [(k, f"SN-{100000 + k}", nom, prenom, "G-5") for k, nom, prenom in STAFF])
    con.commit()
    con.close()
    return f"sqlite:///{path}"


@pytest.mark.parametrize("table", ["ref_villes", "main.ref_villes", "tbl_pays", "lkp_countries", "geo_cities_lookup",
                                   "ref_organisations", "pays_ref", "t_sites"])
def test_a_lookup_tables_naming_convention_hides_not_what_it_holds(table):
    assert "PERSON" in table_verdict(vocabulary_for(()), table).lowered


@pytest.mark.parametrize("table", ["hr_employees", "tbl_staff", "ref_names", "app_users", "customers", "rh_employes"])
def test_a_table_of_people_lowers_no_person(table):
    assert "PERSON" not in table_verdict(vocabulary_for(()), table).lowered


def _persons(report: dict) -> dict:
    """(table, column) -> the rows of its PERSON evidence."""
    out: dict = {}
    for f in report["findings"]:
        for ev in f["evidence"]:
            if ev["entity_type"] == "PERSON":
                out.setdefault((f["location"]["table"].split(".", 1)[1], f["location"]["column"]), set()).add(ev["row"])
    return out


@pytest.mark.model
@pytest.mark.parametrize("ner", [True, False])
def test_lookup_tables_names_are_no_persons_staff_names_are(tmp_path, run_cli, ner):
    url = _field_db(tmp_path / "field.db")
    res = run_cli("scan", url, *(() if ner else ("--no-ner",)), "--workers", "1", "--format", "json",
                  "--max-evidence", "all", "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    persons = _persons(res.report)
    rows = {str(k) for k, _, _ in STAFF}
    assert persons[("rh_employes", "nom")] == rows
    assert persons[("rh_employes", "prenom")] == rows
    # (a site's manager, in a table of sites, is a person: the model reads them so, and without
    # it a column of names written as names)
    assert persons[("ref_sites", "responsable")] == rows
    assert set(persons) == {("rh_employes", "nom"), ("rh_employes", "prenom"), ("ref_sites", "responsable")}


def test_a_code_columns_numbers_after_00_are_codes_a_phone_written_as_one_is_not(tmp_path, run_cli):
    """A voucher column of 10-digit numbers: those that open with "00" read as international
    phone numbers (00 672 14080: Norfolk Island) are codes like the others; a number written as
    a phone number is ("+41 27 850 11 88", row 7), whatever the column."""
    import random
    rnd = random.Random(7)
    vouchers = ["%010d" % rnd.randrange(10 ** 10) for _ in range(300)]
    vouchers[2], vouchers[4], vouchers[6] = "0067214080", "0041448501188", "+41 27 850 11 88"
    con = sqlite3.connect(tmp_path / "dist.db")
    con.execute("CREATE TABLE ben_distributions (id INTEGER PRIMARY KEY, voucher_no TEXT, amount NUMERIC)")
    con.executemany("INSERT INTO ben_distributions VALUES (?,?,?)", [(i + 1, v, 12.5) for i, v in enumerate(vouchers)])
    con.commit()
    con.close()
    res = run_cli("scan", f"sqlite:///{tmp_path / 'dist.db'}", "--no-ner", "--workers", "1", "--format", "json",
                  "--max-evidence", "all", "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    found = {(f["location"]["column"], ev["entity_type"], ev["row"]) for f in res.report["findings"] for ev in f["evidence"]}
    assert found == {("voucher_no", "PHONE_NUMBER", "7")}


def test_a_persons_religion_or_clan_column_is_dg_025_a_lookup_of_clans_is_not(tmp_path, run_cli):
    """A beneficiaries table's religion and clan columns: DG-025 on each, every row; a lookup
    table of clans and regions (lkp_clans) and a religion code column are none."""
    con = sqlite3.connect(tmp_path / "cases.db")
    con.executescript("""
        CREATE TABLE ben_individus (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, religion TEXT, clan TEXT,
                                    religion_code INTEGER);
        CREATE TABLE lkp_clans (id INTEGER PRIMARY KEY, clan TEXT, region TEXT);
    """)
    con.executemany("INSERT INTO ben_individus VALUES (?,?,?,?,?,?)",
                    [(1, "ABDI", "Amina", "Musulmane", "Hawiye", 1), (2, "LOKWANG", "John", "Chrétien", "Turkana", 2),
                     (3, "GATLUAK", "Nyakuoth", "Chrétienne", "Nuer", 2)])
    con.executemany("INSERT INTO lkp_clans VALUES (?,?,?)", [(1, "Hawiye", "Banadir"), (2, "Darod", "Puntland"),
                                                             (3, "Isaaq", "Woqooyi Galbeed")])
    con.commit()
    con.close()
    res = run_cli("scan", f"sqlite:///{tmp_path / 'cases.db'}", "--no-ner", "--workers", "1", "--format", "json",
                  "--max-evidence", "all", "--fail-on", "never")
    assert res.exit_code == 0, res.stderr
    found = {(f["location"]["table"].split(".", 1)[1], f["location"]["column"], ev["row"])
             for f in res.report["findings"] if f["rule_id"] == "DG-025" for ev in f["evidence"]}
    assert found == {("ben_individus", c, str(r)) for c in ("religion", "clan") for r in (1, 2, 3)}

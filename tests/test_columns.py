"""Column semantics: the rule pack's column-name vocabulary (positive and negative signals),
value kinds, password hashes, and the judgment of whole columns (database column chunks, CSV
text) with the reason each finding carries. Pattern recognizers only (no spaCy model)."""
from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from dataguard.detect import Detector
from dataguard.detect.columns import Vocabulary, is_date, name_words, password_hash, plausible, vocabulary_for
from dataguard.types import Anchor, Chunk, ColumnSignal, Pointer, Unit
from dataguard.vocab import Reason

BCRYPT = "$2b$12$KIXQJvW1nBqYdV1cDUu1ZeUo0o5CnqJ9oMGm8e1o/3kMzU6pQ2x8K"
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
PBKDF2 = "pbkdf2_sha256$600000$Dx8uSbZdTQ2n$Zb1JzJ8cJ0f3v3w6rV0o7ZQ3m7Vt3s2tq8bq9m3dQ4E="
SHA512_CRYPT = "$6$rounds=5000$saltsalt$Xo0Lq6PqBhH0d2l3fJk1z2sG9rY8t7u6v5w4x3y2z1a0b9c8d7e6f5g4h3i2j1k0l9m8n7o6p5q4r3s2t1u0v"


@pytest.fixture(scope="module")
def det():
    return Detector(ner=False)


def db_chunk(column: str, values: list, table: str = "crm") -> Chunk:
    offsets, pos = [], 0
    for v in values:
        offsets.append(pos)
        pos += len(v) + 1
    unit = Unit(target="sqlite:///x.db", uri=f"sqlite:///x.db#main.{table}", path=f"main.{table}",
                table=f"main.{table}", column=column, source="database")
    return Chunk(unit=unit, text="\n".join(values), first_line=None, context=(column.lower(), table),
                 anchors=tuple(Anchor(o, Pointer(row=str(i + 1))) for i, o in enumerate(offsets)), hint="structured")


def found(det, chunk: Chunk) -> list:
    (_, matches), = list(det.analyze([chunk]))
    return [(m.entity_type, chunk.text[m.start:m.end], m.reason) for m in matches]


# ---------------------------------------------------------------- names
@pytest.mark.parametrize("name, words", [
    ("dateOfBirth", ("date", "of", "birth")), ("Date_de_Naissance", ("date", "de", "naissance")),
    ("FECHA-NACIMIENTO", ("fecha", "nacimiento")), ("Téléphone2", ("telephone", "2")),
    ("HTTPUserAgent", ("http", "user", "agent")), ("profile.dob", ("profile", "dob")),
    # a word's last capital opens no word: "HoH" (head of household), "PoC" (person of concern)
    ("HoH_NM", ("hoh", "nm")), ("PoC phone", ("poc", "phone")), ("userID", ("user", "id")), ("emailA1", ("email", "a", "1")),
    # other scripts are words too; Arabic hamza forms, taa marbuta, alef maqsura and tatweel are folded
    ("رقم_الهاتف", ("رقم", "الهاتف")), ("الإسم الكامل", ("الاسم", "الكامل")), ("تاريخ الولادة", ("تاريخ", "الولاده")),
    ("الهـاتف", ("الهاتف",)), ("مستشفى", ("مستشفي",)), ("Straße-Nr", ("straße", "nr")), ("___", ())])
def test_name_words(name, words):
    assert name_words(name) == words


@pytest.mark.parametrize("name, entity", [
    ("date_of_birth", "DATE_OF_BIRTH"), ("DateNaissance", "DATE_OF_BIRTH"), ("fecha_de_nacimiento", "DATE_OF_BIRTH"),
    ("profile.dob", "DATE_OF_BIRTH"), ("mobile_phone", "PHONE_NUMBER"), ("telefono", "PHONE_NUMBER"),
    ("numero_de_telephone", "PHONE_NUMBER"), ("user_password", "SECRET_PASSWORD"), ("mot_de_passe", "SECRET_PASSWORD"),
    ("contraseña", "SECRET_PASSWORD"), ("Passwort", "SECRET_PASSWORD"), ("kennwort", "SECRET_PASSWORD"),
    ("api_key", "SECRET_TOKEN"), ("clientSecret", "SECRET_TOKEN"),
    ("aws_secret_access_key", "SECRET_AWS_KEY"), ("ssh_private_key", "SECRET_PRIVATE_KEY"),
    ("password_hash", "PASSWORD_HASH"), ("passport_no", "PASSPORT_NUMBER"), ("numero_de_pasaporte", "PASSPORT_NUMBER"),
    ("national_id", "NATIONAL_ID"), ("cedula", "NATIONAL_ID"), ("numero_de_securite_sociale", "NATIONAL_ID"),
    ("diagnosis", "HEALTH_TERM"), ("first_name", "PERSON"), ("Nom", "PERSON"), ("apellidos", "PERSON"),
    ("الاسم", "PERSON"), ("الإسم الكامل", "PERSON"), ("اسم_المستفيد", "PERSON"), ("رقم الهاتف", "PHONE_NUMBER"),
    ("الجوال", "PHONE_NUMBER"), ("تاريخ الميلاد", "DATE_OF_BIRTH"), ("تاريخ_الولادة", "DATE_OF_BIRTH"),
    ("رقم الهوية", "NATIONAL_ID"), ("رقم جواز السفر", "PASSPORT_NUMBER"), ("البريد الإلكتروني", "EMAIL_ADDRESS"),
    ("العنوان", "LOCATION"), ("الجنسية", "NRP"), ("Contact person", "PERSON"), ("Emergency contact", "PERSON"),
    ("Cardholder", "PERSON"), ("recipient", "PERSON"), ("Chef de ménage", "PERSON"), ("jefe_de_hogar", "PERSON"),
    ("Employee", "PERSON"), ("Employée", "PERSON"), ("Salarié", "PERSON"), ("salarié(e)", "PERSON"),
    ("Empleado/a", "PERSON"), ("Trabajadora", "PERSON"), ("Mitarbeiter", "PERSON"), ("Staff members", "PERSON"),
    ("date_naiss", "DATE_OF_BIRTH"), ("DT_NAISS", "DATE_OF_BIRTH"), ("dateNaiss", "DATE_OF_BIRTH"),
    ("bdate", "DATE_OF_BIRTH"), ("data_nascimento", "DATE_OF_BIRTH"), ("Geburtsdatum", "DATE_OF_BIRTH"),
    ("Дата рождения", "DATE_OF_BIRTH"), ("tarehe_ya_kuzaliwa", "DATE_OF_BIRTH")])
def test_positive_signals(name, entity):
    v = vocabulary_for().verdict(name)
    assert entity in v.positive
    assert entity not in v.lowered


@pytest.mark.parametrize("name", ["password_hint", "password_changed_at", "token_type", "token_expires",
                                  "birth_place", "lieu_de_naissance", "phone_model", "email_verified_at",
                                  "product_name", "file_name", "username", "passport_scan",
                                  # a member of staff's number or detail, a role a thing fills as often
                                  "Employee ID", "EmployeeNo", "employee_status", "Staff No", "Staff count",
                                  "Agent", "Staff",
                                  "نوع الهاتف", "مكان الميلاد", "عنوان الوظيفة", "اسم المنتج", "تاريخ انتهاء الجواز",
                                  "lieu_naiss", "local_nascimento", "Geburtsort", "место рождения"])
def test_cancelled_or_unrelated_names_say_nothing_positive(name):
    v = vocabulary_for().verdict(name)
    assert not set(v.positive) & {"SECRET_PASSWORD", "SECRET_TOKEN", "DATE_OF_BIRTH", "PHONE_NUMBER", "PERSON",
                                  "PASSPORT_NUMBER"}


@pytest.mark.parametrize("name", ["invoice_no", "order_id", "sku", "item_code", "tracking_number", "numero_facture",
                                  "referencia", "serial_number", "batch", "customer_id", "رقم الطلب", "رقم الفاتورة"])
def test_code_columns_lower_lookalikes(name):
    v = vocabulary_for().verdict(name)
    assert {"PHONE_NUMBER", "UK_NHS", "AU_MEDICARE", "US_BANK_NUMBER"} <= v.lowered
    assert not v.positive


def test_a_positive_signal_is_never_lowered_by_a_negative_word():
    v = vocabulary_for().verdict("phone_number")      # "number" is a code word
    assert "PHONE_NUMBER" in v.positive and "PHONE_NUMBER" not in v.lowered and "UK_NHS" in v.lowered


@pytest.mark.parametrize("name, entity", [("WhatsApp", "PHONE_NUMBER"), ("whatsappNumber", "PHONE_NUMBER"),
                                          ("dateOfBirth", "DATE_OF_BIRTH"), ("NationalID", "NATIONAL_ID")])
def test_a_name_is_read_split_at_case_changes_and_as_written(name, entity):
    """'WhatsApp' is a brand, not 'whats app' (and 'app' would cancel a phone column)."""
    assert entity in vocabulary_for().verdict(name).positive


@pytest.mark.parametrize("name", ["PhoneModel", "WhatsAppVersion", "phone_modelName", "phone_TypeId", "cell_phoneBrand",
                                  "phone.countryCode", "Mobile DeviceId", "ssn_StatusCode", "ssn_VerifiedAt",
                                  "passport_ExpiryDate", "nationalId_IssuedOn", "password_LastChanged"])
def test_reading_a_name_as_written_keeps_its_cancelling_words(name):
    """The words that cancel a meaning ('model', 'type', 'expiry') count in camel-case too."""
    v = vocabulary_for().verdict(name)
    assert not set(v.positive) & {"PHONE_NUMBER", "US_SSN", "PASSPORT_NUMBER", "NATIONAL_ID", "SECRET_PASSWORD"}


@pytest.mark.parametrize("column, table", [("Vendor contact", "purchase_orders"),
                                           ("Nom complet du chef de ménage", "menages"),
                                           ("Certifying officer", "payments")])
def test_a_column_that_says_it_holds_a_person_inside_a_longer_name_gives_its_names(det, column, table):
    """A procurement register's "Vendor contact" (a person, though the vendor is a firm), a
    French household head's full name inside a longer header, a payment's certifying officer."""
    names = ["Kwame Mensah Boateng", "Espérance Nsimire Bahati", "Zawadi Mushagalusa"]
    got = found(det, db_chunk(column, names, table))
    assert sorted(v for e, v, _ in got if e == "PERSON") == sorted(names)


@pytest.mark.parametrize("column", ["Vendor contact phone", "Supplier contact email", "Nom complet de l'organisation",
                                    "company display name", "Vendor"])
def test_a_person_word_cancelled_in_the_same_name_says_no_person(column):
    assert "PERSON" not in vocabulary_for().verdict(column).positive


def test_exact_signals_match_the_whole_name_only():
    vocab = Vocabulary([ColumnSignal(names=("name",), entity="PERSON", exact=True)])
    assert vocab.is_name_column("Name") and vocab.is_name_column("customer.name")
    assert not vocab.is_name_column("product_name")


def test_a_site_vocabulary_extends_the_built_in_one(det):
    site = Detector(ner=False, columns=(ColumnSignal(names=("fodelsedatum",), entity="DATE_OF_BIRTH", values="date"),))
    chunk = db_chunk("födelsedatum", ["1980-04-12"])
    assert found(site, chunk) == [("DATE_OF_BIRTH", "1980-04-12", Reason.COLUMN_NAME)]
    assert found(det, chunk) == []
    assert found(site, db_chunk("fecha_nacimiento", ["1980-04-12"])) == [("DATE_OF_BIRTH", "1980-04-12",
                                                                         Reason.COLUMN_NAME)]


# ---------------------------------------------------------------- values
@pytest.mark.parametrize("value", ["1980-04-12", "12/04/1975", "31.01.1990", "1980-04-12T00:00:00", "12 April 1980",
                                   "April 12, 1980", "3 mars 1985", "15-Ene-1979"])
def test_dates(value):
    assert is_date(value)


@pytest.mark.parametrize("value", ["14 марта 1985 г.", "5 мая 1958", "2 листопада 1980", "20 نوفمبر 1986",
                                   "6 كانون الأول 1959", "3 آب 2019", "1954年7月28日", "1985 年 3 月 14 日"])
def test_dates_in_russian_arabic_and_chinese(value):
    """A register's dates of birth written with a Russian, Ukrainian or Arabic month (Egyptian
    or Levantine, of one word or two) or in Chinese (year, month, day)."""
    assert is_date(value)


@pytest.mark.parametrize("value", ["2001-13-45", "1850-01-01", "2999-01-01", "12345678", "J45.9", "04/12",
                                   "12 ABC 1985", "1 Main Street 2000", "3 March of 1985", "3 كانون الرابع 1985",
                                   "1985年13月14日", "2999年1月1日", "14 марта 2999 г."])
def test_not_dates_of_birth(value):
    assert not is_date(value)


@pytest.mark.parametrize("value", [BCRYPT, ARGON2, PBKDF2, SHA512_CRYPT, "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
                                   "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
                                   "pbkdf2:sha256:600000$Ys6hHvdS$" + "a" * 64])
def test_password_hashes(value):
    assert password_hash(value)


def test_a_bare_hex_digest_is_a_hash_only_in_a_password_column():
    digest = "5f4dcc3b5aa765d61d8327deb882cf99"
    assert password_hash(digest, in_password_column=True) and not password_hash(digest)


@pytest.mark.parametrize("kind, entity, value, ok", [
    ("credential", "SECRET_PASSWORD", "hunter2!", True), ("credential", "SECRET_PASSWORD", "********", False),
    ("credential", "SECRET_PASSWORD", "N/A", False), ("credential", "SECRET_PASSWORD", "see the vault", False),
    ("credential", "SECRET_TOKEN", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", True),
    ("credential", "SECRET_TOKEN", "bearer", False), ("credential", "SECRET_PASSWORD", "changeme", False),
    ("credential", "SECRET_PASSWORD", "password", False), ("credential", "SECRET_PASSWORD", "your_password", False),
    ("credential", "SECRET_TOKEN", "your_secret_key_here_123456", False),
    ("phone", "PHONE_NUMBER", "0712 345 678", True),
    ("phone", "PHONE_NUMBER", "12/04/1975", False), ("identifier", "PASSPORT_NUMBER", "K7294051", True),
    ("identifier", "PASSPORT_NUMBER", "unknown", False), ("text", "HEALTH_TERM", "Type 2 diabetes", True),
    ("date", "DATE_OF_BIRTH", "yes", False), ("identifier", "US_SSN", "078-05-1120", False),
    ("identifier", "US_SSN", "219-09-9999", False), ("identifier", "US_SSN", "111-11-1111", False),
    ("identifier", "US_SSN", "536-22-8145", True)])
def test_value_kinds(kind, entity, value, ok):
    assert plausible(kind, entity, value) is ok


# ---------------------------------------------------------------- whole columns
def test_code_columns_full_of_ten_digit_numbers_give_nothing(det):
    codes = ["4505577104", "2950184726", "9434765919", "7700900123", "2125550143", "4111111111"]
    for column in ("invoice_no", "order_id", "sku", "item_code", "referencia"):
        assert found(det, db_chunk(column, codes)) == [], column


def test_a_company_number_column_with_a_few_chance_luhn_passes_gives_no_cards(det):
    """French company numbers (SIRET, 14 digits): one random number in ten passes the Luhn check."""
    import random
    from dataguard.checksums import _luhn as luhn_valid
    rng = random.Random(7)
    values = [str(rng.randrange(10**13, 10**14)) for _ in range(60)]
    valid = [v for v in values if luhn_valid(v) and v[:2] in ("30", "36", "38", "39")]
    values += ["30569309025904", "38520000023237"]      # Diners-shaped, Luhn-valid
    assert found(det, db_chunk("siret", values)) == [] and len(valid) < len(values) / 2


def test_a_code_column_of_valid_cards_is_still_cards(det):
    cards = ["4111111111111111", "5500005555555559", "4012888888881881", "378282246310005"]
    assert {e for e, _, _ in found(det, db_chunk("payment_ref", cards))} == {"CREDIT_CARD"}


def test_a_date_of_birth_column_gives_dates_of_birth_by_name(det):
    got = found(det, db_chunk("birth_date", ["1980-04-12", "1975-11-02", "", "not known"]))
    assert got == [("DATE_OF_BIRTH", "1980-04-12", Reason.COLUMN_NAME), ("DATE_OF_BIRTH", "1975-11-02", Reason.COLUMN_NAME)]


def test_dates_alone_are_not_personal_data_in_a_table(det):
    assert found(det, db_chunk("created_at", ["2024-05-01 10:00:00", "2023-01-31 08:15:00"])) == []


def test_password_columns_give_secrets_and_hashes_apart(det):
    got = found(det, db_chunk("password", ["hunter2!", BCRYPT, "********", ARGON2, "Tr0ub4dor&3"]))
    assert got == [("SECRET_PASSWORD", "hunter2!", Reason.COLUMN_NAME), ("PASSWORD_HASH", BCRYPT, Reason.BOTH),
                   ("PASSWORD_HASH", ARGON2, Reason.BOTH), ("SECRET_PASSWORD", "Tr0ub4dor&3", Reason.COLUMN_NAME)]


def test_a_password_columns_placeholders_are_no_secrets(det):
    """A template's or an example's values under a password's name (a config's "password: changeme",
    an export's "your_password") are no secrets, as in text; the real ones around them are."""
    got = found(det, db_chunk("smtp_password", ["changeme", "Tr0ub4dor&3", "password", "your_password",
                                                "<password>", "S3cure#Pass2024"]))
    assert got == [("SECRET_PASSWORD", "Tr0ub4dor&3", Reason.COLUMN_NAME),
                   ("SECRET_PASSWORD", "S3cure#Pass2024", Reason.COLUMN_NAME)]


def test_a_hash_column_is_never_a_clear_text_password(det):
    got = found(det, db_chunk("pw_digest", [BCRYPT, PBKDF2]))
    assert [(e, r) for e, _, r in got] == [("PASSWORD_HASH", Reason.VALUE)] * 2


def test_secret_key_and_token_columns(det):
    got = found(det, db_chunk("secret_key", ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "n/a"]))
    assert [(e, r) for e, _, r in got] == [("SECRET_TOKEN", Reason.COLUMN_NAME)]
    got = found(det, db_chunk("aws_secret_access_key", ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]))
    assert [e for e, _, _ in got] == ["SECRET_AWS_KEY"]
    assert found(det, db_chunk("token_type", ["Bearer", "Bearer"])) == []


@pytest.mark.parametrize("column", ["telefono", "Telemóvel", "Телефон", "Celular", "namba ya simu"])
def test_a_phone_column_confirms_and_completes_the_recognizer(det, column):
    got = found(det, db_chunk(column, ["+44 20 7946 0958", "020 7946 0321", "n/a"]))
    assert [e for e, _, _ in got] == ["PHONE_NUMBER", "PHONE_NUMBER"]
    assert got[0][2] == Reason.BOTH


def test_a_phone_column_takes_numbers_written_with_dots(det):
    """Under a phone's column name, a number written with dots is a phone number, however its
    groups run ("11.98996.7763" in Brazil, "0806.706.6782" in Nigeria); elsewhere a dotted run
    is a version, and an IP address is one under a phone's name too."""
    got = found(det, db_chunk("Phone", ["11.98996.7763", "0806.706.6782", "10.12.1.200", "+44 20 7946 0958"]))
    assert [(e, v) for e, v, _ in got] == [("PHONE_NUMBER", "11.98996.7763"), ("PHONE_NUMBER", "0806.706.6782"),
                                           ("PHONE_NUMBER", "+44 20 7946 0958")]
    assert not [e for e, _, _ in found(det, db_chunk("release", ["11.98996.7763", "0806.706.6782"]))
                if e == "PHONE_NUMBER"]
    # an IP phone's firmware under a phone's word: a version (a group of one digit)
    assert not [e for e, _, _ in found(det, db_chunk("Phone", ["6.4.3.5018", "12.8.1.0001", "10.0.19045.3803"]))
                if e == "PHONE_NUMBER"]


@pytest.mark.parametrize("column", ["Frais fixes", "Costos fijos", "N° activo fijo", "Ativo fixo", "Direct line manager"])
def test_a_fixed_cost_or_asset_column_is_no_phone_column(det, column):
    """"Fixe", "fijo", "fixo" are a landline's only beside a phone's word ("Tel. fixe"): a
    fixed cost's, a fixed asset's amounts or numbers are no phone numbers."""
    values = ["1 250 000", "12500000", "20190012345", "4520000"]
    assert not [e for e, _, _ in found(det, db_chunk(column, values, table="budget")) if e == "PHONE_NUMBER"]
    assert [e for e, _, _ in found(det, db_chunk("Tél. fixe", ["33 821 45 67", "+221 33 821 45 68"]))] == [
        "PHONE_NUMBER", "PHONE_NUMBER"]


def test_an_identifier_column_is_what_its_name_says(det):
    got = found(det, db_chunk("passport_no", ["K7294051", "943 476 5919"]))
    assert [e for e, _, _ in got] == ["PASSPORT_NUMBER", "PASSPORT_NUMBER"]     # not an NHS number


def test_a_label_naming_sensitive_data_is_not_a_code_label(det):
    got = found(det, db_chunk("memo", ["Checked passport no. C03005988 at the desk", "Phone no 020 7946 0321"]))
    assert {e for e, _, _ in got} >= {"PHONE_NUMBER"} and ("US_PASSPORT", "C03005988") in {(e, v) for e, v, _ in got}


def test_a_label_of_three_words_names_the_value_in_a_memo(det):
    """ "Social Security Number: 866-60-7959" in a free-text column (a JSON "remark", a CSV
    "notes" cell): its label is three words, of which the last two ("Security Number") are any
    number's; an order number in the same column stays a code."""
    memo = ["Giulia Mercier's Social Security Number: 866-60-7959; employee badge v3.11.55.",
            "Numéro de sécurité sociale 1 85 05 78 006 084 36", "Order number 536-22-8726 shipped",
            "security number 536-22-8726 checked"]
    got = {(e, v) for e, v, _ in found(det, db_chunk("remark", memo))}
    assert ("US_SSN", "866-60-7959") in got
    assert not any(v == "536-22-8726" for _, v in got)
    text = '[{"id": 1, "remark": "' + memo[0] + '"}, {"id": 2, "remark": "' + memo[2] + '"}]'
    unit = Unit(target="/t", uri="/t/people.json", path="people.json")
    (_, matches), = list(det.analyze([Chunk(unit=unit, text=text)]))
    assert {(m.entity_type, text[m.start:m.end]) for m in matches if m.entity_type == "US_SSN"} == \
        {("US_SSN", "866-60-7959")}


def test_checksum_numbers_in_a_memo_need_context(det):
    memo = ["Paid invoice 9434765919 by transfer", "Customer called about order 4505577104",
            "Patient NHS number 943 476 5919 confirmed"]
    got = found(det, db_chunk("memo", memo))
    assert [(e, v) for e, v, _ in got] == [("UK_NHS", "943 476 5919")]


def test_user_agents_hold_no_names_or_places():
    from dataguard.detect.columns import machine_text
    assert machine_text("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)")
    assert machine_text("curl/8.4.0") and not machine_text("Maria Gonzalez")


def test_csv_columns_are_judged_by_their_headers(det):
    text = ("id,invoice_no,phone,dob,notes\n"
            "1,4505577104,+44 20 7946 0958,1980-04-12,Paid invoice 2950184726\n"
            "2,2950184726,020 7946 0321,12/04/1975,NHS 943 476 5919\n")
    header = ("id", "invoice_no", "phone", "dob", "notes")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/x.csv", path="x.csv"), text=text, context=header, hint="structured")
    got = found(det, chunk)
    assert [(e, v) for e, v, _ in got] == [
        ("PHONE_NUMBER", "+44 20 7946 0958"), ("DATE_OF_BIRTH", "1980-04-12"),
        ("PHONE_NUMBER", "020 7946 0321"), ("DATE_OF_BIRTH", "12/04/1975"), ("UK_NHS", "943 476 5919")]


@pytest.mark.parametrize("score", [0.6, 1.0])
def test_a_header_word_lets_a_value_that_needs_it_through_in_its_own_column_only(score):
    """A recognizer that needs context, its word in the CSV header: the values of the column
    that word names are reported, not those of the other columns, whatever the pattern's score."""
    from dataguard.types import PatternSpec, RecognizerSpec
    spec = RecognizerSpec(entity="DOSSIER", context=("dossier",), needs_context=True, pack="t",
                          patterns=(PatternSpec("d", r"\b[A-Z]{3}-\d{5}\b", score),))
    det = Detector(ner=False, entities={"DOSSIER"}, custom=[spec])
    text = "dossier,order_ref\nKEN-12345,ORD-54321\nUGA-67890,ORD-09876\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/x.csv", path="x.csv"), text=text, context=("dossier", "order_ref"),
                  hint="structured")
    assert sorted(v for _, v, _ in found(det, chunk)) == ["KEN-12345", "UGA-67890"]


def test_a_packs_words_for_an_entity_no_built_in_recognizer_reads_go_to_the_packs():
    """``entities: {DATE_OF_BIRTH: {context}}``: no built-in recognizer reads a date of birth in
    text (only in columns), so the words go to the packs' recognizers of it."""
    from dataguard.types import PatternSpec, RecognizerSpec
    spec = RecognizerSpec(entity="DATE_OF_BIRTH", context=("born",), pack="t",
                          patterns=(PatternSpec("d", r"\b\d{2}\.\d{2}\.\d{4}\b", 0.45),))
    det = Detector(ner=False, entities={"DATE_OF_BIRTH"}, custom=[spec], context=(("DATE_OF_BIRTH", ("geboren",)),))
    (_, [m]), = list(det.analyze([Chunk(unit=Unit(target="/t", uri="/t/x.txt", path="x.txt"),
                                        text="Geboren 12.03.1984 in Graz")]))
    assert m.score > 0.45


@pytest.fixture(scope="module")
def pack_det():
    """Without NER, as a scan builds it: the packs' recognizers, column signals and context words."""
    from dataguard.detect import known_entities
    from dataguard.rules import column_signals, load_packs, needed_entities
    packs = load_packs(None, known_entities())
    return Detector(entities=needed_entities(packs), custom=tuple(r for p in packs for r in p.recognizers),
                    columns=column_signals(packs), ner=False, context=tuple(c for p in packs for c in p.entity_context))


def test_a_unit_named_where_a_person_is_expected_is_no_person(pack_det):
    """A people's key holding a desk's or a unit's name ("Direction Pays", "Helpdesk Dakar",
    "Service Informatique") is no person; a name holding such a word later is ("Emma Hall")."""
    env = ('MAIL_FROM_NAME="${APP_NAME}"\nADMIN_NAME="Service Informatique"\n'
           'SUPPORT_CONTACT_NAME="Helpdesk Dakar"\nREPORT_RECIPIENT_NAME=Direction Pays\n'
           'PAYROLL_RECIPIENT_NAME=Emma Hall\nOWNER=Finance Team\n')
    chunk = Chunk(unit=Unit(target="/t", uri="/t/app/.env", path="app/.env"), text=env)
    got = [(env[m.start:m.end]) for _, ms in pack_det.analyze([chunk]) for m in ms if m.entity_type == "PERSON"]
    assert got == ["Emma Hall"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_word_counts_for_its_own_column_only(pack_det, tmp_path, kind):
    """'Date of birth' in a register's header makes the dates below it dates of birth, not the
    dates of its 'Last updated' column (the first row's included, right under the header)."""
    import datetime

    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    rows = [("Name", "Date of birth", "Last updated", "Notes"),
            ("Grace Wanjiru", datetime.date(1984, 3, 7), datetime.datetime(2025, 1, 15, 14, 5), "ok"),
            ("Peter Otieno", datetime.date(1979, 11, 21), datetime.datetime(2025, 2, 3, 9, 30), "moved 2025-02-01")]
    if kind == "csv":
        (tmp_path / "staff.csv").write_text("\n".join(",".join(
            v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime.datetime) else str(v) for v in r) for r in rows) + "\n")
    else:
        import openpyxl
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        for cell in ("B2", "B3"):
            wb.active[cell].number_format = "dd/mm/yyyy"
        for cell in ("C2", "C3"):
            wb.active[cell].number_format = "yyyy-mm-dd hh:mm"
        wb.save(tmp_path / "staff.xlsx")
    item, = open_target(str(tmp_path), SourceOptions()).items()
    chunks = [c for c in item.chunks(Limits()) if hasattr(c, "text")]
    got = [(m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, pack_det.analyze(chunks)) for m in ms
           if m.entity_type == "DATE_OF_BIRTH"]
    assert got == [("DATE_OF_BIRTH", "1984-03-07"), ("DATE_OF_BIRTH", "1979-11-21")]


def test_a_header_word_still_counts_where_the_column_is_not_known_or_is_written_with_accents(pack_det, tmp_path):
    """Chunks after the first of a sheet whose sparse column leaves the others unnamed keep the
    header's raise (no column to tell it from); a column named with accents ('N° sécurité
    sociale') is the column its context word names."""
    import datetime

    import openpyxl

    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    wb = openpyxl.Workbook()
    wb.active.append(("Name", "Date of birth", "Notes"))
    for i in range(300):
        wb.active.append((f"Person {i}", datetime.date(1950, 1, 1) + datetime.timedelta(days=37 * i), "x" if i < 3 else None))
    for r in range(2, 302):
        wb.active[f"B{r}"].number_format = "dd/mm/yyyy"
    (tmp_path / "a").mkdir()
    wb.save(tmp_path / "a" / "register.xlsx")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "assures.csv").write_text("Nom,N° sécurité sociale,Ville\nAwa Diop,1 84 03 75 123 456 90,Lyon\n"
                                                 "Jean Roux,2 69 05 49 588 157 80,Paris\n", encoding="utf-8")

    def found(folder, limits):
        item, = open_target(str(tmp_path / folder), SourceOptions()).items()
        chunks = [c for c in item.chunks(limits) if hasattr(c, "text")]
        return [(m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, pack_det.analyze(chunks)) for m in ms]
    dobs = [v for e, v in found("a", Limits(chunk_chars=4000, overlap_chars=200)) if e == "DATE_OF_BIRTH"]
    assert len(dobs) == 300
    assert [(e, v) for e, v in found("b", Limits()) if e == "FR_NIR"] == [
        ("FR_NIR", "1 84 03 75 123 456 90"), ("FR_NIR", "2 69 05 49 588 157 80")]


def test_arabic_headers_are_read_like_english_ones(det, tmp_path):
    """A register exported with Arabic headers (read by the CSV extractor): dates under "date of
    birth" are dates of birth, numbers under "order number" are codes, not phone numbers, and
    names under "full name" are persons (no model here: the column's name says so)."""
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    (tmp_path / "register.csv").write_text(
        "الاسم الكامل,رقم الطلب,رقم الهاتف,تاريخ الميلاد,تاريخ التسجيل\n"
        "Amal Haddad,4505577104,+44 20 7946 0958,1980-04-12,2021-03-01\n"
        "Omar Khalil,2950184726,020 7946 0321,12/04/1975,2022-11-15\n", encoding="utf-8")
    item, = open_target(str(tmp_path), SourceOptions()).items()
    chunks = [c for c in item.chunks(Limits()) if hasattr(c, "text")]
    got = [(m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, det.analyze(chunks)) for m in ms]
    assert sorted(got) == sorted([
        ("PHONE_NUMBER", "+44 20 7946 0958"), ("DATE_OF_BIRTH", "1980-04-12"),
        ("PHONE_NUMBER", "020 7946 0321"), ("DATE_OF_BIRTH", "12/04/1975"),
        ("PERSON", "Amal Haddad"), ("PERSON", "Omar Khalil")])


def test_prose_files_are_left_alone(det):
    chunk = Chunk(unit=Unit(target="/t", uri="/t/x.txt", path="x.txt"), text="Our office: +44 20 7946 0958.")
    assert [e for e, _, _ in found(det, chunk)] == ["PHONE_NUMBER"]


def _judge(det, chunk, found):
    from presidio_analyzer import RecognizerResult
    results = [RecognizerResult(e, chunk.text.index(v), chunk.text.index(v) + len(v), 0.85) for e, v in found]
    return sorted((r.entity_type, chunk.text[r.start:r.end]) for r in det._columns.judge(chunk, results))


def test_a_named_column_holds_no_stray_names(det):
    """NER reads some passwords as people or organisations: the column's name says what they are."""
    chunk = db_chunk("contrasena", ["Clave7875!", "Clave4220!"])
    assert _judge(det, chunk, [("PERSON", "Clave7875"), ("ORGANIZATION", "Clave4220")]) == [
        ("SECRET_PASSWORD", "Clave4220!"), ("SECRET_PASSWORD", "Clave7875!")]


def test_categories_are_not_organisations(det):
    values = ["Blanket, fleece", "Jerrycan 20 l", "Solar lamp", "Kitchen set"] * 6
    chunk = db_chunk("description", values)
    assert _judge(det, chunk, [("ORGANIZATION", "Jerrycan"), ("NRP", "Solar")]) == []
    few = db_chunk("description", values[:4])            # too few values to call it categorical
    assert _judge(det, few, [("ORGANIZATION", "Jerrycan")]) == [("ORGANIZATION", "Jerrycan")]
    people = db_chunk("assigned_to", ["Amina Yusuf", "John Okello"] * 12)   # repeated people stay people
    assert _judge(det, people, [("PERSON", "Amina Yusuf")]) == [("PERSON", "Amina Yusuf")]


def test_a_generic_name_column_means_nothing_in_a_table_of_things(det):
    people = db_chunk("name", ["Amina Yusuf", "John Okello"], table="customers")
    things = db_chunk("name", ["Kitchen Set", "Solar Lamp"], table="products")
    assert _judge(det, people, [("PERSON", "Amina Yusuf")]) == [("PERSON", "Amina Yusuf")]
    assert _judge(det, things, [("PERSON", "Kitchen Set")]) == []
    supplier = db_chunk("supplier", ["Acme Supplies Ltd", "Globex Corporation"], table="products")
    assert _judge(det, supplier, [("PERSON", "Acme Supplies")]) == []


def test_a_generic_name_column_of_a_table_of_persons_details_is_a_persons_name(pack_det):
    """A "Donors" table names donors that are agencies as often as persons: its "name" column
    says nothing alone; beside a tax number (a person's detail) its names are persons'."""
    import dataclasses
    names = ["Dominic Naik", "Cornelia Klemm", "Sean Harris", "Pacheco, Isis", "Mariam Hassan Farouk"]
    chunk = db_chunk("name", names, table="Donors")
    assert not [e for e, _, _ in found(pack_det, chunk) if e == "PERSON"]
    with_ssn = dataclasses.replace(chunk, siblings=("donor_id", "name", "email", "tax_ssn", "gift_amount"))
    assert [v for e, v, _ in found(pack_det, with_ssn) if e == "PERSON"] == names


def test_a_column_saying_whose_name_it_holds_keeps_it_in_a_table_of_firms(det):
    """A vendors table's generic "name" is a firm's; its "account_holder" holds people, and firms
    too: a cell with a firm's words (SARL, Enterprises, Trading) is no person there."""
    values = ["Svetlana Yuliia Sokolov", "Atlas Trading SARL", "Nile Catering Enterprises", "Mateo Zúñiga Chávez"]
    read = [("PERSON", v) for v in values]
    assert _judge(det, db_chunk("account_holder", values, table="vendors"), read) == [
        ("PERSON", "Mateo Zúñiga Chávez"), ("PERSON", "Svetlana Yuliia Sokolov")]
    assert _judge(det, db_chunk("name", values, table="vendors"), read) == []
    assert len(_judge(det, db_chunk("account_holder", values, table="payments"), read)) == 4


def test_without_ner_a_column_named_for_people_gives_its_name_shaped_cells(det):
    """No model reads the cells: a column whose name says it holds people ("Employee Name",
    "beneficiary") gives each name-shaped cell, trimmed, at its place; placeholders, flags,
    teams, a bare "name" column (products as often) and another script's cells (not Latin
    words) give none of these."""
    header = ("id", "employee name", "status", "name", "email")
    rows = [("1", "Jean-Baptiste Nkurunziza", "Yes", "Kitchen Set", "payroll@corp.test"),
            ("2", '"OKAFOR, Amina"', "No", "Solar Lamp", "x@corp.test"),
            ("3", "N/A", "Yes", "Hygiene Kit", "y@corp.test"),
            ("4", "Nguyễn Thị Lan", "No", "Sleeping Mat", "z@corp.test"),
            ("5", "Service Desk", "Yes", "Water Filter", "w@corp.test"),
            ("6", " Mwangi ", "No", "Mosquito Net", "v@corp.test")]
    text = ",".join(h.title() for h in header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    chunk = Chunk(unit=Unit(target="/t", uri="/t/staff.csv", path="staff.csv"), text=text, context=header,
                  hint="structured")
    got = [(chunk.text[m.start:m.end], m.start, m.reason) for _, ms in det.analyze([chunk]) for m in ms
           if m.entity_type == "PERSON"]
    want = ["Jean-Baptiste Nkurunziza", "OKAFOR, Amina", "Nguyễn Thị Lan", "Mwangi"]
    assert got == [(v, text.index(v), Reason.COLUMN_NAME) for v in want]
    people = db_chunk("beneficiary", ["Amina Yusuf", "Pending", "John Okello", "Yes"], table="cases")
    assert [(e, v) for e, v, _ in found(det, people)] == [("PERSON", "Amina Yusuf"), ("PERSON", "John Okello")]
    assert found(det, db_chunk("name", ["Amina Yusuf", "John Okello"], table="customers")) == []


FORM_LABEL_ROWS = ["Total", "Grand Total", "Sub-Total", "Notes", "Remarks", "Comments", "Signature", "Approved",
                   "Approved By", "Checked By", "Date", "Date Signed", "N/A", "None", "TBD", "Sous-total", "Observations",
                   "Visa", "Remarques", "Lu et approuvé", "Néant", "Subtotal", "Observaciones", "Firma", "Fecha",
                   "Ninguno", "Aprobado por", "Gesamt", "Unterschrift", "Bemerkungen"]


@pytest.mark.parametrize("header", ["Full name", "Nom complet", "Nombre completo", "Beneficiary"])
def test_a_forms_labels_and_footers_in_a_column_of_names_are_no_persons(pack_det, header):
    """A payroll's or a register's labels and footers written down its column of names ("Total",
    "Notes", "Signature", "Approved by", French "Sous-total", "Visa", Spanish "Observaciones",
    "Firma", German "Unterschrift"): no person; the names between them are, a surname that is a
    label's word elsewhere than first too ("Masamune Date")."""
    names = ["Kwame Mensah", "Aminata Diallo", "Lucía Fernández", "Masamune Date", "OKAFOR, Amina"]
    cells = [c for i, label in enumerate(FORM_LABEL_ROWS) for c in ([names[i // 6]] if i % 6 == 0 else []) + [label]]
    text = f"{header},Net pay\n" + "".join(f'"{c}",{100 + i}\n' for i, c in enumerate(cells))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/pay.csv", path="pay.csv"), text=text,
                  context=(header.lower(), "net pay"), hint="structured")
    got = [(e, v) for e, v, _ in found(pack_det, chunk) if e == "PERSON"]
    assert got == [("PERSON", n) for n in names]
    pos = [m.start for _, ms in pack_det.analyze([chunk]) for m in ms if m.entity_type == "PERSON"]
    assert pos == [text.index(f'"{n}"') + 1 for n in names]


@pytest.mark.parametrize("header", ["Employee", "Salarié(e)", "Empleado/a", "Mitarbeiter", "Funcionaria"])
def test_without_ner_a_column_of_members_of_staff_gives_its_names_not_its_numbers(pack_det, header):
    """A column named for members of staff ("Employee", "Salarié", "Empleado/a") holds persons:
    without the model each name-shaped cell is one, at its place; staff numbers in it (an
    export's "E10234"), flags and labels are none, and a column of their numbers ("Employee ID")
    gives no person."""
    names = ["Tomasz Nowak", "Camille Rousseau", "María José Pérez", "OKAFOR, Amina"]
    cells = ["E10234", names[0], "Yes", names[1], "E10236", names[2], "Total", names[3], "N/A"]
    text = f"{header}\tEmployee ID\tDept\n" + "".join(f"{c}\tE{10300 + i}\tHR\n" for i, c in enumerate(cells))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/staff.tsv", path="staff.tsv"), text=text,
                  context=(header.lower(), "employee id", "dept"), hint="structured")
    got = [(text[m.start:m.end], m.start, m.reason) for _, ms in pack_det.analyze([chunk]) for m in ms
           if m.entity_type == "PERSON"]
    assert got == [(n, text.index(n), Reason.COLUMN_NAME) for n in names]
    ids = db_chunk("employee", ["E10234", "E10235", "E10236", "E10237"], table="payroll")
    assert [e for e, _, _ in found(pack_det, ids) if e == "PERSON"] == []


def test_a_database_columns_neighbours_tell_a_generic_name(pack_det):
    """A database column named "nombre" (a person's or a product's) beside "apellido" in its
    table is a given name: its cells written as names are persons without the model; beside
    "precio" it is a product's, and alone it says nothing."""
    import dataclasses
    names = ["Dina Souad", "Mariam Bilal", "Mariama Fatou", "José Luis", "Ana María"]
    chunk = db_chunk("nombre", names, table="beneficiarios_registro")
    with_surname = dataclasses.replace(chunk, siblings=("id", "nombre", "apellido", "telefono"))
    got = [v for e, v, _ in found(pack_det, with_surname) if e == "PERSON"]
    assert got == names
    for siblings in (("id", "nombre", "precio"), (), ("nombre", "nombres", "presupuesto")):
        assert not [e for e, _, _ in found(pack_det, dataclasses.replace(chunk, siblings=siblings)) if e == "PERSON"]


@pytest.mark.parametrize("ner", [False, True])
def test_a_key_value_sheet_names_each_value_by_its_field(pack_det, detector, ner):
    """A case file's sheet of two columns, "Field / الحقل" and "Value / القيمة": each value is
    read under the field its row names (a full name a person, a phone a phone); an address
    there ("Khanke, Dohuk", which reads as "Surname, Given") is no person."""
    from dataguard.detect.columns import table_columns
    rows = [("Case number", "361-22C21462"), ("Full name / الاسم الكامل", "Jihad Shakib Amiouni"),
            ("Phone 1 / رقم الهاتف", "0790 436 5339"), ("Address / العنوان", "Khanke, Dohuk"),
            ("Caseworker", "Fatima Sweidan")]
    text = "Field / الحقل;Value / القيمة\n" + "".join(f"{k};{v}\n" for k, v in rows)
    chunk = Chunk(unit=Unit(target="/t", uri="/t/case.csv", path="case.csv"), text=text,
                  context=("Field / الحقل", "Value / القيمة"), hint="structured")
    cols = {c.name: [text[s:e] for s, e in c.cells] for c in table_columns(chunk)[0]}
    assert cols["Full name / الاسم الكامل"] == ["Jihad Shakib Amiouni"] and cols["Address / العنوان"] == ["Khanke, Dohuk"]
    got = {(e, v) for e, v, _ in found(detector if ner else pack_det, chunk)}
    assert {("PERSON", "Jihad Shakib Amiouni"), ("PERSON", "Fatima Sweidan"), ("PHONE_NUMBER", "0790 436 5339")} <= got
    assert ("PERSON", "Khanke, Dohuk") not in got


@pytest.mark.parametrize("ner", [False, True])
def test_field_exports_holders_passengers_and_placeholders(pack_det, detector, ner):
    """An asset register's holder "Shared" is no one; a vehicle logbook's passengers are the
    persons of each cell ("G. Rossi; Karanja Njihia; ONZIMA Immaculate"); a role word before
    a placeholder ("المستفيد غير موجود": the beneficiary is not there) names no one."""
    det = detector if ner else pack_det
    assets = "Asset tag,Assigned to\n" + "".join(f"ERB-{i},{v}\n" for i, v in enumerate(
        ["Shared", "Samar Ahmad Al-Halabi", "Shared", "Omar Khalil", "Spare", "Lina Haddad"]))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/assets.csv", path="assets.csv"), text=assets,
                  context=("Asset tag", "Assigned to"), hint="structured")
    got = [v for e, v, _ in found(det, chunk) if e == "PERSON"]
    assert got == ["Samar Ahmad Al-Halabi", "Omar Khalil", "Lina Haddad"]
    log = ("Date\tVehicle\tPassengers\n09/03/2024\tUN-1187\tACEN Sarah\n"
           "05/05/2024\tUN-1187\tG. Rossi; Karanja Njihia; ONZIMA Immaculate\n06/05/2024\tUN-1187\tHassan Chemutai\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/logbook.tsv", path="logbook.tsv"), text=log,
                  context=("Date", "Vehicle", "Passengers"), hint="structured")
    got = {v for e, v, _ in found(det, chunk) if e == "PERSON"}
    assert got >= {"G. Rossi", "Karanja Njihia", "ONZIMA Immaculate", "Hassan Chemutai"}
    note = Chunk(unit=Unit(target="/t", uri="/t/notes.txt", path="notes.txt"),
                 text="المستفيد غير موجود، الجار عالية عربي زحيكة رقمه +962791277720.\n")
    assert "غير" not in {v for e, v, _ in found(det, note) if e == "PERSON"}

@pytest.mark.parametrize("ner", [False, True])
def test_passengers_on_lines_between_commas_and_under_a_title(pack_det, detector, ner):
    """A logbook's passengers cell names each person, whether the names stand on lines of their
    own, between commas when each is a whole name, or a title opens one ("M. Faizi"); where the
    model reads two names as one person across the "/" ("Noorullah Mohammadi / YATES Andrew",
    which the filters drop) each name is still given. "Otieno, Grace" is one person, not two."""
    rows = ['"DIJOUX Georges, Rahmatullah Hotak"', '"RAHIMI Mohammad Nabi\nN. Niazi"',
            "Noorullah Mohammadi / YATES Andrew", "M. Faizi / SULTANI Gul Ahmad / Z. Haidari",
            "Kamau Ekidor / Martin Graves / MOHAMMADI Fazal Rahman", '"Otieno, Grace"']
    log = "Date,Vehicle,Passengers,Fuel\n" + "".join(f"0{i}/04/2024,LC200-04,{r},{40 + i}\n" for i, r in enumerate(rows))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/logbook.csv", path="logbook.csv"), text=log,
                  context=("Date", "Vehicle", "Passengers", "Fuel"), hint="structured")
    got = {v for e, v, _ in found(detector if ner else pack_det, chunk) if e == "PERSON"}
    assert got >= {"DIJOUX Georges", "Rahmatullah Hotak", "RAHIMI Mohammad Nabi", "N. Niazi", "Noorullah Mohammadi",
                   "YATES Andrew", "SULTANI Gul Ahmad", "Z. Haidari", "Martin Graves", "MOHAMMADI Fazal Rahman"}
    assert "Faizi" in {v.split()[-1] for v in got}
    assert not {"Otieno", "Grace", "Noorullah Mohammadi / YATES Andrew"} & got



def test_without_ner_a_role_column_of_names_gives_them(pack_det):
    """No model reads the cells: a role's column ("Employee", "Titular", "Nome do dependente")
    gives its cells when nine in ten or more are written as persons' names, none with a firm's
    or a team's word; a role's column of other things ("Agent": software agents) gives none."""
    names = ["Majid Al-Dulaimi", "Liliana Santiago Coronado", "Marco Loureiro", "Bo Zhang", "Hala Farouk",
             "Óscar Haro Casanova", "Mercy Onyango", "Lourenço Pinho", "Anil Rao", "Isaura Requena"]
    for column in ("Employee", "Titular", "Nome do dependente"):
        got = [v for e, v, _ in found(pack_det, db_chunk(column, names, table="reimbursements")) if e == "PERSON"]
        assert got == names, column
    agents = ["Datadog Agent", "Backup Agent", "Kobo Sync", "Azure Monitor", "Payroll Batch"] * 2
    assert not [e for e, _, _ in found(pack_det, db_chunk("Agent", agents, table="hosts")) if e == "PERSON"]


def test_another_reading_of_a_value_its_column_announces_is_dropped(det, tmp_path):
    """An IPv4 address under "ip_address" that is also a valid phone number written with dots
    (212.249.62.68), a US SSN under "SSN" written as some phone number is: each is what its
    column says, not a phone number, even with a phone column's name as context in the header."""
    (tmp_path / "donations.csv").write_text(
        "donor_phone,ip_address,ssn\n"
        "+44 20 7946 0958,212.249.62.68,061-01-6055\n"
        "+33 6 24 09 82 09,62.211.237.162,238-29-1616\n", encoding="utf-8")
    assert _scan_file(det, tmp_path) == sorted([
        ("PHONE_NUMBER", "+44 20 7946 0958"), ("IP_ADDRESS", "212.249.62.68"), ("US_SSN", "061-01-6055"),
        ("PHONE_NUMBER", "+33 6 24 09 82 09"), ("IP_ADDRESS", "62.211.237.162"), ("US_SSN", "238-29-1616")])


def test_comment_lines_before_a_csv_header_are_skipped(det, tmp_path):
    """An export that opens with a comment ("# ... CONFIDENTIAL") and a blank line: its header is
    the next line, the header row is no data, and 9-digit numbers under "SSN" are SSNs (not those
    the SSA never issues: area 000, 666 or 9xx)."""
    from dataguard.detect.tabular import Layout
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    text = ("# US income tax reimbursement - national staff - CONFIDENTIAL\n\n"
            "IndexNo,SSN,Filing status\n424636,238291616,MFJ\n609063,594912650,Single\n"
            "609064,000-00-0930,MFJ\n609065,666-12-5197,MFJ\n609066,912-00-1234,Single\n")   # never issued
    (tmp_path / "tax.csv").write_text(text, encoding="utf-8")
    item, = open_target(str(tmp_path), SourceOptions()).items()
    chunk, = [c for c in item.chunks(Limits()) if hasattr(c, "text") and not c.is_name]
    assert chunk.context == ("IndexNo", "SSN", "Filing status")
    assert [chunk.text[s:e] for s, e in Layout(chunk).header_rows] == ["IndexNo,SSN,Filing status"]
    assert _scan_file(det, tmp_path) == [("CLASSIFICATION_MARKING", "CONFIDENTIAL"), ("US_SSN", "238291616"),
                                         ("US_SSN", "594912650")]


def test_places_seen_in_few_values_of_a_category_column_are_misreadings(det):
    values = ["Disability", "Single parent", "Elderly", "None"] * 6
    assert _judge(det, db_chunk("vulnerability", values), [("LOCATION", "Elderly")]) == []
    cities = db_chunk("city", ["Nairobi", "Kakuma", "Dadaab"] * 8)
    got = det._columns.judge(cities, [_located(cities, "LOCATION", i) for i in range(24)])
    assert len(got) == 24                                # a column of places keeps them


def _located(chunk, entity, i):
    from presidio_analyzer import RecognizerResult
    a = chunk.anchors[i].offset
    end = chunk.anchors[i + 1].offset - 1 if i + 1 < len(chunk.anchors) else len(chunk.text)
    return RecognizerResult(entity, a, end, 0.85)


def test_bank_numbers_in_a_memo_need_a_label(det):
    memo = ["Customer account 48213390 closed", "Refund to bank account 48213391 done"]
    got = found(Detector(ner=False, entities={"US_BANK_NUMBER"}), db_chunk("memo", memo))
    assert [(e, v) for e, v, _ in got] == [("US_BANK_NUMBER", "48213391")]


def test_version_numbers_are_not_ip_addresses(det):
    assert found(det, db_chunk("app_version", ["1.2.3.4", "10.0.0.1"])) == []
    assert [e for e, _, _ in found(det, db_chunk("client_ip", ["41.202.219.70"]))] == ["IP_ADDRESS"]


def test_json_files_are_judged_by_their_keys(det):
    text = ('[{"order_id": "4505577104", "customer": {"phone": "0712 345 678", "dob": "1980-04-12"},\n'
            '  "password": "hunter2!", "created": "2024-05-01T10:00:00", "sku": 9434765919},\n'
            ' {"order_id": "2950184726", "note": "call +44 20 7946 0958"}]\n')
    chunk = Chunk(unit=Unit(target="/t", uri="/t/export.json", path="export.json"), text=text)
    assert [(e, v) for e, v, _ in found(det, chunk)] == [
        ("PHONE_NUMBER", "0712 345 678"), ("DATE_OF_BIRTH", "1980-04-12"), ("SECRET_PASSWORD", "hunter2!"),
        ("PHONE_NUMBER", "+44 20 7946 0958")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list('ab1 ,;\t\n"{}:.-@')), max_size=300),
       header=st.lists(st.text(alphabet=st.sampled_from(list("abdoph_. ")), max_size=12), max_size=6),
       spans=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 40)), max_size=12),
       kind=st.sampled_from(["csv", "json", "db"]))
def test_the_judge_takes_any_table(det, text, header, spans, kind):
    from presidio_analyzer import RecognizerResult
    if kind == "db":
        chunk = db_chunk(header[0] if header else "x", text.split("\n"))
    else:
        unit = Unit(target="/t", uri=f"/t/x.{kind}", path=f"x.{kind}")
        chunk = Chunk(unit=unit, text=text, context=tuple(header), hint="structured" if kind == "csv" else None)
    n = len(chunk.text)
    results = [RecognizerResult(e, min(s, n), min(s + w, n), 0.9)
               for (s, w), e in zip(spans, ["PHONE_NUMBER", "PERSON", "UK_NHS", "DATE_TIME"] * 3)]
    for r in det._columns.judge(chunk, results):
        assert 0 <= r.start <= r.end <= n


def _scan_file(det, path) -> list:
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    out = []
    for item in open_target(str(path), SourceOptions()).items():
        chunks = [c for c in item.chunks(Limits()) if hasattr(c, "text")]
        out += [(m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, det.analyze(chunks)) for m in ms]
    return sorted(out)


def test_a_headerless_tables_first_row_is_data(det, tmp_path):
    """Its first row holds values, not column names: they are found like those of the next rows."""
    rows = [["4111 1111 1111 1111", "+44 20 7946 0958", "amal.haddad@mailbox.org"],
            ["5500 0000 0000 0004", "+33 6 24 09 82 09", "omar.khalil@mailbox.org"]]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "export.csv").write_text("\n".join("|".join(r) for r in rows) + "\n", encoding="utf-8")
    import openpyxl
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    (tmp_path / "b").mkdir()
    wb.save(tmp_path / "b" / "export.xlsx")
    want = sorted([("CREDIT_CARD", rows[0][0]), ("PHONE_NUMBER", rows[0][1]), ("EMAIL_ADDRESS", rows[0][2]),
                   ("CREDIT_CARD", rows[1][0]), ("PHONE_NUMBER", rows[1][1]), ("EMAIL_ADDRESS", rows[1][2])])
    assert _scan_file(det, tmp_path / "a") == want
    assert _scan_file(det, tmp_path / "b") == want


@pytest.mark.parametrize("line, names", [
    ("name,email,phone", ("name", "email", "phone")), ("Address line 2;Tel1;Q1 revenue", ("Address line 2", "Tel1", "Q1 revenue")),
    ("Amal|4111 1111 1111 1111|x", ()), ("ref,amal@mailbox.org", ()), ("x,12/04/1975", ()),
    ("Region,2022,2023", ("Region", "2022", "2023")), ("Revenue 2023/24,Q1 2024 revenue,Balance 31.12.2023",
                                                         ("Revenue 2023/24", "Q1 2024 revenue", "Balance 31.12.2023")),
    ("ISO 3166-1 alpha-2,@handle", ("ISO 3166-1 alpha-2", "@handle"))])
def test_a_first_row_is_a_header_unless_it_holds_values(line, names):
    from dataguard.extract.text import header_context
    assert header_context(line, "csv") == names


def test_json_values_are_judged_by_their_key_paths(det):
    """A generic key ("number", "numero") says what it holds by the keys above it."""
    text = ('{"staff": [{"name": "x", "phones": [{"type": "home", "number": "0712 345 678"},\n'
            '  {"type": "mobile", "number": "+254-739-636097"}],\n'
            '  "telephones": [{"numero": "+44 7458 259290"}], "orders": [{"number": "4505577104"}]}]}\n')
    chunk = Chunk(unit=Unit(target="/t", uri="/t/export.json", path="export.json"), text=text)
    from dataguard.detect.columns import json_columns
    assert [(c.name, c.parent) for c in json_columns(chunk)] == [
        ("name", "staff"), ("type", "phones"), ("number", "phones"), ("numero", "telephones"), ("number", "orders")]
    assert [(e, v, why) for e, v, why in found(det, chunk)] == [
        ("PHONE_NUMBER", "0712 345 678", "value_and_column_name"),
        ("PHONE_NUMBER", "+254-739-636097", "value_and_column_name"),
        ("PHONE_NUMBER", "+44 7458 259290", "value_and_column_name")]


_JSON_PIECES = st.sampled_from(['"a"', '"k1"', '"x y"', '"1a"', '""', ":", " : ", ": ", '"v"', '"\\""', '"a\\\\"',
                                 '"\\', "\\", "\n", '"', "12", "-3.5e2", ",", "}", "]", "{", "[", " ", "b"])


@settings(max_examples=400, deadline=None)
@given(pieces=st.lists(_JSON_PIECES, max_size=16), long=st.sampled_from([0, 1999, 2000, 2001, 2600]),
       escapes=st.sampled_from([0, 2]))
def test_json_pairs_are_those_of_the_bounded_pattern(pieces, long, escapes):
    """A JSON file's pairs are read with a pattern whose string value has no bound, and with the
    bounded one where a value is empty or longer than 2000 characters: the same matches."""
    from dataguard.detect.columns import _JSON_PAIR, _json_pairs
    # (a value of ``long`` characters or escapes: ``escapes``, then plain characters)
    text = "".join(pieces) + ('"k": "' + '\\"' * escapes + "y" * (long - escapes) + '", "z": 1}' if long else "")
    assert [(m.span(), m.groupdict(), m.lastgroup) for m in _json_pairs(text)] == \
        [(m.span(), m.groupdict(), m.lastgroup) for m in _JSON_PAIR.finditer(text)]


def _json_table_by_steps(text: str) -> tuple:
    """The JSON reading of before the C-level maps (a bisect and a dict look-up a pair, the holders
    from every bracket of the text), kept as the reference ``_json_table`` must match."""
    import bisect

    from dataguard.detect.columns import _JSON_PAIR
    plain_key = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60})"\s*:\s*[\[{]')
    keyed = {m.end() - 1: m["k"] for m in plain_key.finditer(text)}
    positions, holders, stack = [], [], []
    if keyed:
        for m in re.finditer(r"[\[\]{}]", text):
            if m.group() in "[{":
                stack.append(keyed.get(m.start()) or (stack[-1] if stack else None))
            elif stack:
                stack.pop()
            positions.append(m.start())
            holders.append(stack[-1] if stack else None)
    columns, numbers, cells, owners = [], {}, [], []
    for m in _JSON_PAIR.finditer(text):
        here = bisect.bisect_right(positions, m.start())
        parent = holders[here - 1] if here else None
        k = numbers.get((m["k"], parent))
        if k is None:
            k = numbers[(m["k"], parent)] = len(columns)
            columns.append((m["k"], parent, []))
        columns[k][2].append(m.span(m.lastgroup))
        cells.append(m.span(m.lastgroup))
        owners.append(k)
    return columns, (cells, owners)


_JSON_TABLE_PIECES = ['"a"', '"k1"', '"x y"', '"1a"', '""', ":", " : ", ": ", '"v"', '"\\""', '"a\\\\"', "\\",
                      "\n", '"', "12", "-3.5e2", ",", "}", "]", "{", "[", " ", "b", '"key": {', '"k ey" : [',
                      '"rows": [', '"9x":[', '"_id" :{', '"n": 7', '"' + "k" * 61 + '":{', "\u00a0", "\u2028"]


def test_a_json_tables_columns_are_those_read_pair_by_pair():
    """``_json_table`` reads its pairs, their holders and columns with C-level maps (and each
    bracket under a key from its key's closing quote): the same columns, cells and owners as a
    reading pair by pair with a bisect each, on texts of keys, values, brackets and escapes, and
    with a value longer than 2000 characters."""
    import random

    from dataguard.detect.columns import _json_keyed, _json_table
    plain_key = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60})"\s*:\s*[\[{]')
    rnd = random.Random(11)
    for i in range(20_000):
        text = "".join(rnd.choice(_JSON_TABLE_PIECES) for _ in range(rnd.randint(0, 40)))
        if i % 500 == 0:
            text += '"long": "' + "y" * rnd.choice([2000, 2001]) + '", "z": 1}'
        chunk = Chunk(unit=Unit(target="/t", uri="/t/x.json", path="x.json"), text=text)
        columns, order = _json_table(chunk)
        expected_columns, expected_order = _json_table_by_steps(text)
        assert [(c.name, c.parent, c.cells) for c in columns] == expected_columns, text
        assert order == expected_order, text
        assert _json_keyed(text) == {m.end() - 1: m["k"] for m in plain_key.finditer(text)}, text


def test_a_json_key_and_the_key_above_it_may_name_a_value_together(det):
    """"card" alone names nothing, "number" alone is a code; ``card.number`` is a card number
    (as ``card_number`` is), ``card.holder`` its holder; ``order.number`` stays a code."""
    text = ('{"users": [{"billing": {"card": {"number": "5424184291683869", "expiry": "08/27"}}},\n'
            ' {"billing": {"card": {"number": "378734404020594", "expiry": "01/26"}}}],\n'
            ' "orders": [{"order": {"number": "4532019627335168"}}]}\n')
    chunk = Chunk(unit=Unit(target="/t", uri="/t/users.json", path="users.json"), text=text)
    assert [(e, v) for e, v, _ in found(det, chunk)] == [
        ("CREDIT_CARD", "5424184291683869"), ("CREDIT_CARD", "378734404020594")]


@pytest.mark.parametrize("text, values", [
    ('{"tickets": [{"description": "customer called from +33 6 12 34 56 78, card 4556 7375 8689 9855"}]}',
     [("PHONE_NUMBER", "+33 6 12 34 56 78"), ("CREDIT_CARD", "4556 7375 8689 9855")]),
    ('{"registration": {"child": {"dob": "2015-03-04"}}}', [("DATE_OF_BIRTH", "2015-03-04")]),
    ('{"orders": [{"customer": {"acct": "DE89370400440532013000"}}]}', [("IBAN_CODE", "DE89370400440532013000")]),
    # a chunk that starts inside a string (minified JSON cut by the chunker)
    ('ris France", "dob": "1980-04-12", "order_id": "4505577104", "sku": "9434765919"}',
     [("DATE_OF_BIRTH", "1980-04-12")])])
def test_keys_above_a_json_value_take_nothing_away(det, text, values):
    """Only a generic key takes the meaning of the key above it: codes and cancelling words up
    there ("tickets", "orders", "registration") change nothing below."""
    chunk = Chunk(unit=Unit(target="/t", uri="/t/export.json", path="export.json"), text=text)
    assert [(e, v) for e, v, _ in found(det, chunk)] == values


def test_a_json_chunk_full_of_escaped_quotes_is_read_in_linear_time(det):
    """An escaped JSON payload left open at a chunk's edge: every value is read once."""
    from dataguard.detect.columns import json_columns
    text = '{"payload": "{\\"customer_key\\":\\"value-1234\\",' * 4000
    chunk = Chunk(unit=Unit(target="/t", uri="/t/export.json", path="export.json"), text=text)
    columns = json_columns(chunk)
    assert sum(len(c.cells) for c in columns) <= text.count('"payload"')


def test_a_number_written_as_a_phone_number_is_one_even_in_a_code_column(det):
    """'Number', 'Contact no.': a bare run of digits there is a code, '+41 27 850 11 88' is not."""
    text = "id;Number;Contact no.\n1;+41 27 850 11 88;01478609435\n2;4505577104;+44 7458 259290\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/x.csv", path="x.csv"), text=text,
                  context=("id", "Number", "Contact no."), hint="structured")
    assert sorted((e, v) for e, v, _ in found(det, chunk)) == [
        ("PHONE_NUMBER", "+41 27 850 11 88"), ("PHONE_NUMBER", "+44 7458 259290"), ("PHONE_NUMBER", "01478609435")]


@pytest.mark.parametrize("ner", [False, True])
def test_a_people_column_in_capitals_gives_its_lone_surnames(pack_det, detector, ner):
    """An asset register's "Assigned to" writing its holders' surnames in capitals, half of its
    cells or more: a lone surname there is a person ("GUNAWAN"); an asset's state is not
    ("SPARE", "STOCK", "DHCP"). In a list of names written in capitals ("Received by": "OKELLO
    Peter"), a lone surname too, not a team's word ("LOGISTICS"), a word repeated down the
    column ("GHRO") nor an acronym; in a list written otherwise, no lone word ("USAID", "BUNIA")."""
    cells = ["CASARES OZUNA", "GUNAWAN", "SPARE", "MORRISON", "ZHOU", "STOCK", "AL-HASHIMI", "DHCP", "DA CONCEIÇÃO CIRINO"]
    text = "Asset tag,Assigned to,Location\n" + "".join(f"UNHQ-55{i:04d},{c},New York\n" for i, c in enumerate(cells))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/assets.csv", path="assets.csv"), text=text,
                  context=("Asset tag", "Assigned to", "Location"), hint="structured")
    got = [v for e, v, _ in found(detector if ner else pack_det, chunk) if e == "PERSON"]
    assert got == [c for c in cells if c not in ("SPARE", "STOCK", "DHCP")]
    mixed = ["Achieng Wafula", "ALEMU", "OKELLO Peter", "AL-ZOUBI", "LOGISTICS", "NAKATO Grace", "GHRO", "GHRO",
             "WASH", "NRC", "CCCM"]
    text = "Serial,Item,Received by\n" + "".join(f"PF{i:04d},Generator,{c}\n" for i, c in enumerate(mixed))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/handover.csv", path="handover.csv"), text=text,
                  context=("Serial", "Item", "Received by"), hint="structured")
    got = [v for e, v, _ in found(detector if ner else pack_det, chunk) if e == "PERSON"]
    assert got == [c for c in mixed if c not in ("LOGISTICS", "GHRO", "WASH", "NRC", "CCCM")]
    # names written otherwise ("Achieng Wafula"): a lone word in capitals is a body's or a place's as often
    others = ["Achieng Wafula", "USAID", "Peter Otieno", "BUNIA", "Grace Wanjiru", "SOLIDARITES"]
    text = "Asset tag,Assigned to\n" + "".join(f"KE-{i},{c}\n" for i, c in enumerate(others))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/assets.csv", path="assets.csv"), text=text,
                  context=("Asset tag", "Assigned to"), hint="structured")
    got = [v for e, v, _ in found(detector if ner else pack_det, chunk) if e == "PERSON"]
    assert got == ["Achieng Wafula", "Peter Otieno", "Grace Wanjiru"]


def test_a_short_tables_role_column_gives_the_models_persons(detector):
    """A suppliers' list in a memo (four rows): its "Contacto" (a role's column, a person or a
    firm's desk) gives its names when the model reads three in four of them, not two of four (a
    technology evaluation's "Candidate", products read as persons by chance); a table whose
    "Contacto" holds phone numbers gives phones."""
    text = ("Proveedor,Contacto,Teléfono\nSummit Fuel Services S.A.S.,Orlando Rico Ramírez,+57 601 2184272\n"
            "Crescent Logistics S.A.S.,Mauricio González,+57 321 2126249\nAtlas Catering S.A.S.,Ernesto Rueda,"
            "+57 (606) 7701230\nAndes Print Ltda.,Jennifer Torralba,+57 604 4445566\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/proveedores.csv", path="proveedores.csv"), text=text,
                  context=("Proveedor", "Contacto", "Teléfono"), hint="structured")
    got = [v for e, v, _ in found(detector, chunk) if e == "PERSON"]
    assert got == ["Orlando Rico Ramírez", "Mauricio González", "Ernesto Rueda", "Jennifer Torralba"]
    # a technology evaluation's "Candidate": the model reads two products of four as persons by
    # chance, which is not enough for the others to be made persons; three of four are
    from presidio_analyzer import RecognizerResult

    from dataguard.detect.columns import ColumnJudge, table_columns
    products = ("Product,Candidate,Score\nRouting engine,Kafka Streams,7.5\nDatabase,Postgres Citus,8.0\n"
                "Search,Elastic Search,6.5\nMessaging,Apache Pulsar,7.0\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/evaluation.csv", path="evaluation.csv"), text=products,
                  context=("Product", "Candidate", "Score"), hint="structured")
    col = next(c for c in table_columns(chunk)[0] if c.name == "Candidate")
    read = {cell: [RecognizerResult("PERSON", *cell, 0.85)] for cell in col.cells}
    two = dict(list(read.items())[:2])
    assert ColumnJudge._names_among_names(chunk, col, two) == []
    three = dict(list(read.items())[:3])
    assert [products[r.start:r.end] for r in ColumnJudge._names_among_names(chunk, col, three)] == ["Apache Pulsar"]
    phones = "Sitio,Contacto\nBogotá,+57 601 2184272\nCali,+57 321 2126249\nQuibdó,+57 604 4445566\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/sitios.csv", path="sitios.csv"), text=phones,
                  context=("Sitio", "Contacto"), hint="structured")
    assert [v for e, v, _ in found(detector, chunk) if e == "PHONE_NUMBER"] == ["+57 601 2184272", "+57 321 2126249",
                                                                               "+57 604 4445566"]


def test_the_other_numbers_of_a_column_of_phone_numbers_are_phone_numbers(det):
    """A "Contact" column where the recognizer reads most cells as phone numbers (the default
    regions'): its other cells written as phone numbers are too (a Senegalese national number,
    a Ugandan one with its country code and no "+"); a date and a word are not; a column with
    fewer phone numbers is left as the recognizer reads it, and a database's column as a file's."""
    known = ["+254 722 614 380", "0722 519 733", "(415) 506-0921", "+41 27 850 11 88", "020 7946 0958",
             "+33 6 05 17 75 22", "0733 847 102"]
    other = ["77 045 20 61", "256777763766"]
    contact = known + other + ["12/03/2024", "n/a"]
    refs = [f"2024-58{i}689" for i in range(len(contact) - 3)] + known[:3]
    text = "id;Contact;Ref\n" + "".join(f"{i};{c};{r}\n" for i, (c, r) in enumerate(zip(contact, refs)))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/x.csv", path="x.csv"), text=text,
                  context=("id", "Contact", "Ref"), hint="structured")
    got = [v for e, v, _ in found(det, chunk) if e == "PHONE_NUMBER"]
    assert got == known + other + known[:3]
    got = [v for e, v, _ in found(det, db_chunk("referent", contact)) if e == "PHONE_NUMBER"]
    assert got == known + other


@pytest.mark.parametrize("column, values, entity", [
    ("bank_account", ["GB82WEST12345698765432", "DE89370400440532013000", "FR1420041010050500013M02606"], "IBAN_CODE"),
    ("Compte bancaire", ["DE89 3704 0044 0532 0130 00"], "IBAN_CODE"),
    ("tax_id", ["207-86-1863", "412-55-7790"], "US_SSN"),
    ("SocSec", ["709928267", "697843151"], "US_SSN"), ("id_number", ["907911575", "412557790"], "NATIONAL_ID"),
    # a tax ID named for the US is an SSN; without its country, any country's
    ("Tax ID (US)", ["709928267", "412557790"], "US_SSN"), ("US taxpayer ID", ["709928267"], "US_SSN"),
    ("taxpayer_id", ["709928267"], "NATIONAL_ID"), ("Non-US Tax ID", ["709928267"], "NATIONAL_ID"),
    ("US Tax ID (EIN)", ["709928267"], "NATIONAL_ID")])
def test_a_generic_identifier_column_keeps_the_specific_kind(det, column, values, entity):
    """An IBAN under 'bank account', a US SSN under 'tax id' are reported as what they are; nine bare
    digits under 'id number' are the column's identifier, whatever check digit they pass."""
    got = found(det, db_chunk(column, values))
    assert [(e, v) for e, v, _ in got] == [(entity, v) for v in values]


@pytest.mark.parametrize("lines, header", [
    (["#,first_name,ssn", "1,Kwame,123456789"], ("#", "first_name", "ssn")),         # a column named '#'
    (["#id,name,email", "1,John,j@x.org"], ("#id", "name", "email")),
    (["# exported by HR, on 2024-05-01", "", "id,name,ssn,dob", "1,a,b,c"], ("id", "name", "ssn", "dob")),
    (["id,name", "1,a"], ("id", "name"))])
def test_a_comment_before_a_header_is_told_from_a_header_opening_with_a_hash(lines, header):
    """A line opening with '#' is a comment unless it has as many fields as the line after the
    comments: then it is the header of a table whose first column is named '#'."""
    from dataguard.extract.text import _with_header
    assert _with_header(iter(["\n".join(lines) + "\n"]), "csv")[1] == header


def test_an_ssn_column_of_another_countrys_numbers_keeps_them(det):
    """The SSA's never-issued rule is for nine-digit US numbers; a social security number of
    another length (the Philippines' SSS) under "social_security_number" is still one."""
    chunk = db_chunk("social_security_number", ["34-1234567-8", "33-7654321-0", "000-00-0930"])
    assert [(e, v) for e, v, _ in found(det, chunk)] == [("US_SSN", "34-1234567-8"), ("US_SSN", "33-7654321-0")]


NIRS = ["177091737993844", "280100962101448", "256093019773530"]     # valid French NIRs (key: 97 - n mod 97)


def test_a_national_id_column_keeps_its_numbers_in_every_naming(pack_det):
    """Valid NIRs gave no finding under numero_securite_sociale (the pack's context word
    'sécurité sociale' was not matched in a column name without accents and with underscores) nor
    under NationalID (a weak match kept the column's name from speaking)."""
    got = found(pack_det, db_chunk("numero_securite_sociale", NIRS))
    assert [(e, v) for e, v, _ in got] == [("FR_NIR", v) for v in NIRS]
    got = found(pack_det, db_chunk("NationalID", NIRS + ["C-1043"]))
    assert [(e, v) for e, v, _ in got] == [("NATIONAL_ID", v) for v in NIRS + ["C-1043"]]
    # a column named for nothing keeps its weak matches weak: no finding
    decoy = [m for m in pack_det.analyze([db_chunk("batch_total", NIRS)])][0][1]
    assert all(m.score < 0.5 for m in decoy)


def test_names_in_other_scripts_under_a_column_named_for_people(pack_det):
    """The models read Latin script: Arabic, Cyrillic, Chinese, Bengali and Hindi names under
    full_name were missed; placeholders and values that are not words stay out, and a generic 'name' column
    (a product's as often) is left to the model."""
    names = ["أحمد محمود الخطيب", "Иван Петров", "王小明", "محمد علي", "ИВАН ПЕТРОВ",
             # vowel signs and joiners inside words; an Arabic name of six words with its particles
             "রুদ্র জাহান", "नरेश कुमार", "بدرالدّجى مُنير الحكم بن سعد العشيرة", "نغم عبد الكريم بنو مهدي",
             "رضا معروف", "Марʼяна Коваль"]
    decoys = ["غير معروف", "Нет", "12345", "ИВАН ПЕТРОВ ИВАНОВИЧ СИДОРОВ ПЕТРОВ", "Тест", "Аноним", "测试用户", "匿名",
              "無", "未填写", "ТЕСТ", "لا يوجد", "غير متوفر", "هذا النص طويل جدا ولا يحتوي اسما"]
    got = found(pack_det, db_chunk("full_name", names + decoys, table="staff"))
    assert [(e, v, r) for e, v, r in got] == [("PERSON", v, "column_name") for v in names]
    assert found(pack_det, db_chunk("name", names, table="staff")) == []
    # a pattern's person in a part of a cell (a given name and patronymic) gives way to the cell's whole name
    whole = ["Притула Демид Сергійович", "Забіла Ліза Лесівна", "Іваненко Петро Петрович"]
    got = found(pack_det, db_chunk("ПІБ", whole, table="vpo"))
    assert [v for e, v, _ in got if e == "PERSON"] == whole


FORM = ("TRAVEL REQUEST TR-2024-0113\n"
        "      Name of staff member:             IMANI MASSAWE\n"
        "      Approving supervisor:             Rakiya Inuwa\n"
        "      Emergency contact:                Sahra Khadar Hirsi (brother), 020 315 3850\n"
        "      Certifying officer:               F. Njoroge   2022-07-03\n"
        "Rapporté par : Habimana, Olivier, Asistente de Programas\n"
        "- Registered by: N. Ruach (USAID)\n"
        "Approved by: Finance Unit\n"
        "Supervisor: TBD\n"
        "Verified by: see attached list\n"
        "Project: Proyecto Puentes\n"
        "Destination: Kakuma Refugee Camp\n"
        "**Chair:** Dr. Mahad Samatar  **Rapporteur:** Mackenson Fils-Aimé\n"
        "Chair: Ambassador Smith\n"
        "Duration (minutes): 45   Chair: 2 spare\n"
        "2022-02-24 11:08:01 INFO [kobo.sync] received enumerator='Evens Célestin' device=collect:390471c9\n"
        "lease 192.168.1.20 host=JOR-LT-335 owner=\"Ruba al-Shammari\" team='Field Support' user='jdoe'\n"
        "Survivor name (with consent) ........ Hadja Sidibé\n"
        "Referred by ......................... Assane Ndao (Logistics Officer), Croix-Rouge malienne\n"
        "Referred to ......................... World Food Programme\n"
        "Total ..... 45 Mohamed Street\n")


def test_a_forms_field_named_for_a_person_gives_the_name_opening_its_value(det):
    """A label that names a person as a column's name would, at the start of its line or after
    two spaces, in bold or not, a colon or a dot leader (words in brackets in the label left
    out), then a name written as persons' names are, up to a bracket, two spaces, a comma after
    the name; a log's key and a quoted name; units, placeholders, projects, places, teams and
    logins after other labels are no persons."""
    unit = Unit(target="/t", uri="/t/travel_requests.txt", path="travel_requests.txt")
    (_, matches), = list(det.analyze([Chunk(unit=unit, text=FORM)]))
    got = {(m.start, m.end) for m in matches if m.entity_type == "PERSON"}
    names = ["IMANI MASSAWE", "Rakiya Inuwa", "Sahra Khadar Hirsi", "F. Njoroge", "Habimana, Olivier", "N. Ruach",
             "Mahad Samatar", "Mackenson Fils-Aimé", "Evens Célestin", "Ruba al-Shammari", "Hadja Sidibé",
             "Assane Ndao"]
    assert got == {(FORM.index(n), FORM.index(n) + len(n)) for n in names}


def test_a_column_of_text_named_for_a_health_matter_keeps_the_people_it_names(pack_det):
    """A referral's "diagnosis_notes" is a health column of free text: the persons and phone
    numbers its notes write of are found there as in any notes (a column named for an entity
    that is no text, a password's, gives no "person")."""
    notes = ["Patient referred for suspected malaria. Escorted by mother Mrs Jamal Berrada, +243 897 782 751.",
             "Chronic hypertension, follow-up every month. No escort.",
             "Fractured femur. Caregiver Mr Bienvenu Safari Masika can be reached on +256 785 509478."]
    got = found(pack_det, db_chunk("diagnosis_notes", notes, table="medical_referrals"))
    persons = {v for e, v, _ in got if e == "PERSON"}
    assert persons == {"Jamal Berrada", "Bienvenu Safari Masika"}
    assert {v for e, v, _ in got if e == "PHONE_NUMBER"} == {"+243 897 782 751", "+256 785 509478"}
    assert not [v for e, v, _ in found(pack_det, db_chunk("password", ["Mr Jamal Berrada"], table="users"))
                if e == "PERSON"]


def test_a_hex_token_under_a_tokens_name_is_a_token_and_under_a_passwords_a_hash(pack_det):
    """40 hex characters: a SHA-1 digest where a password should be, an API token under
    ``api_token`` (not a password hash there)."""
    token = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
    assert {e for e, _, _ in found(pack_det, db_chunk("api_token", [token], table="user_accounts"))} == {"SECRET_TOKEN"}
    assert {e for e, _, _ in found(pack_det, db_chunk("password", [token], table="user_accounts"))} == {"PASSWORD_HASH"}


def test_a_generic_name_column_of_persons_names_gives_them_without_the_model(pack_det):
    """Without the model, a "display_name" column of user accounts whose cells are persons'
    names nine in ten or more gives them (not a service account's "Backup Agent", nor a
    placeholder in accented Latin, "Anónimo"); a column of teams and sites gives none."""
    people = ["Adriana Gomes", "Serge Kasongo", "TUMWINE, Garang", "Aïcha Traoré", "Juan Pérez", "Mariam Bilal",
              "Dina Souad", "Kofi Mensah", "Léa Lacroix", "Omari Mugisha", "Fatou Sarr", "Nadia Haddad",
              "Grace Wanjiru", "Peter Otieno", "Chen Wei", "Amina Okafor", "Joseph Mwangi", "Rania Khalil"]
    got = found(pack_det, db_chunk("display_name", people + ["Backup Agent", "Anónimo"], table="user_accounts"))
    assert sorted(v for e, v, _ in got if e == "PERSON") == sorted(people)
    things = ["Logistics Team", "Kakuma Camp", "Finance Unit", "Goma Office", "Backup Agent"] * 3
    assert not [v for e, v, _ in found(pack_det, db_chunk("display_name", things, table="user_accounts")) if e == "PERSON"]


def test_a_password_beginning_with_a_dollar_is_no_reference(pack_det):
    """"$uperAdmin2024" is a password; "${SMTP_PASSWORD}" and "$DB_PASS" name one kept elsewhere."""
    got = found(pack_det, db_chunk("password", ["$uperAdmin2024", "${SMTP_PASSWORD}", "$DB_PASS"], table="users"))
    assert [(e, v) for e, v, _ in got] == [("SECRET_PASSWORD", "$uperAdmin2024")]


def test_an_ip_address_under_a_phone_column_stays_an_address(pack_det):
    """Under "telephone", "33.869.12.34" (pairs and triples of digits) is a phone number; an
    address written with a one-digit group, "10.12.1.200", is none."""
    got = found(pack_det, db_chunk("telephone", ["33.869.12.34", "10.12.1.200"], table="contacts"))
    assert ("PHONE_NUMBER", "33.869.12.34") in [(e, v) for e, v, _ in got]
    assert ("PHONE_NUMBER", "10.12.1.200") not in [(e, v) for e, v, _ in got]


def test_a_us_payroll_account_column_gives_bank_account_numbers(pack_det):
    """A rule reports US bank account numbers (DG-008, with IBANs): under ``acct_no`` each is one;
    the same digits under ``order_no`` are codes."""
    values = ["2327772198", "4421576931", "8013054476"]
    got = found(pack_det, db_chunk("acct_no", values, table="payroll_us"))
    assert [(e, v) for e, v, _ in got] == [("US_BANK_NUMBER", v) for v in values]
    assert not [e for e, _, _ in found(pack_det, db_chunk("order_no", values, table="orders")) if e == "US_BANK_NUMBER"]


def _scan_chunks(det, folder, limits=None) -> list:
    """(entity, value, line of the value) of every match in the one file of ``folder``."""
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    item, = open_target(str(folder), SourceOptions()).items()
    chunks = [c for c in item.chunks(limits or Limits()) if hasattr(c, "text")]
    return sorted((m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, det.analyze(chunks))
                  for m in ms if c.keeps(m.start))


def test_a_wide_export_has_its_columns_named_in_every_chunk(det, tmp_path):
    """An HR export of 71 columns (wider than the 50 names once kept): the 9-digit numbers under
    "ssn" (areas 020 and 057 included, which also read as London and Paris phone numbers) are SSNs
    and no phone numbers, those under "order_no" nothing, in the first chunk and in later ones."""
    names = [f"attr_{i:02d}" for i in range(71)]
    names[5], names[40], names[60] = "phone", "order_no", "ssn"
    ssns = [f"{a:03d}-{g:02d}-{s:04d}" for a, g, s in
            ((20, 94, 2100), (57, 50, 5140), (238, 29, 1616), (65, 27, 5174), (594, 91, 2650), (61, 24, 1785))]
    rows = []
    for i in range(300):
        row = [f"v{i}x{j}" for j in range(71)]
        row[5] = f"+44 20 7946 {i:04d}"
        row[40] = f"{4505577104 + 7919 * i}"
        row[60] = ssns[i % len(ssns)]
        rows.append(",".join(row))
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "export.csv").write_text(",".join(names) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    from dataguard.types import Limits
    got = _scan_chunks(det, tmp_path / "a", Limits(chunk_chars=8000, overlap_chars=300))
    assert [v for e, v in got if e == "US_SSN"] == sorted(ssns[i % len(ssns)] for i in range(300))
    assert sorted(v for e, v in got if e == "PHONE_NUMBER") == sorted(f"+44 20 7946 {i:04d}" for i in range(300))
    assert {e for e, _ in got} == {"US_SSN", "PHONE_NUMBER"}


@pytest.mark.parametrize("header, row", [
    (",full name,order number,phone", "{i},{name},{order},{phone}"),       # pandas' index: a column without a name
    ("full name,order number,phone,", "{name},{order},{phone},"),          # a delimiter after the last column
    ("full name;;order number;phone", "{name};{i};{order};{phone}"),       # an unnamed column between
])
def test_columns_without_a_name_leave_the_others_named(det, tmp_path, header, row):
    """A CSV header with a blank name keeps every other name on its own column: numbers under
    "order number" are codes, not phone numbers, and persons under "full name" are persons."""
    people = ["Amal Haddad", "Omar Khalil", "Grace Wanjiru", "Peter Otieno"]
    lines = [header] + [row.format(i=i, name=people[i], order=4505577104 + 1013 * i, phone=f"+44 20 7946 09{i}8")
                        for i in range(4)]
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _scan_chunks(det, tmp_path / "a") == sorted(
        [("PERSON", p) for p in people] + [("PHONE_NUMBER", f"+44 20 7946 09{i}8") for i in range(4)])


def test_an_iban_followed_by_a_word_in_capitals_is_whole(det):
    """A bank statement's IBAN before "REF" or a currency code is an IBAN (the word is no more
    of it); one that goes on with more of an account number is still no IBAN of its own."""
    text = ("Date|Libellé|Débit\n"
            "11.08.2024|SEPA CT ES1514650650555442726377 REF REF-94DBD96C|3772,85\n"
            "29.06.2024|SEPA CT TO PL52 3300 2451 3111 3647 2265 1142 F-2023-64068|13,57\n"
            "30.06.2024|VIR DE89 3704 0044 0532 0130 00 EUR 500|500,00\n"
            "01.07.2024|REJECTED PT28 6694 8857 5394 0051 8826 8 (vendor V-1187)|12,00\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/statement.csv", path="statement.csv"), text=text,
                  context=("Date", "Libellé", "Débit"), hint="structured")
    got = [(e, text.index(v), v) for e, v, _ in found(det, chunk) if e == "IBAN_CODE"]
    assert got == [(e, text.index(v), v) for e, v in (
        ("IBAN_CODE", "ES1514650650555442726377"), ("IBAN_CODE", "PL52 3300 2451 3111 3647 2265 1142"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00"))]


def test_a_column_of_text_about_transactions_keeps_its_bank_and_card_numbers(det, tmp_path):
    """A statement's "Transaction Details" is free text: an IBAN and a card number written in it
    are reported; under "Transaction ID" a Luhn-valid 16-digit number is an identifier, no card."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "statement.csv").write_text(
        "Date,Transaction ID,Transaction Details,Money Out\n"
        "06/25/2022,4556737586899855,CARD PAYMENT FNAC ************5037,138.91\n"
        "07/01/2022,4929804463622138,SEPA CT TO ES8201821760023165380479 F-2024-21637,104.11\n"
        "07/02/2022,4716108999716531,REFUND TO CARD 5425 2334 3010 9903 REF 88213,12.00\n"
        "07/03/2022,4539578763621486,CHQ DEPOSIT 43,87.70\n", encoding="utf-8")
    assert _scan_chunks(det, tmp_path / "a") == [("CREDIT_CARD", "5425 2334 3010 9903"),
                                                 ("IBAN_CODE", "ES8201821760023165380479")]


def test_masked_numbers_under_a_column_name_are_no_identifiers(det):
    """Under "ssn" and "card number" the masked values remediation leaves (their digits in X)
    are not reported, nor the last four digits of an SSN; the whole numbers beside them are."""
    rows = ["XXX-XX-3742", "238-29-1616", "xxx-xx-0279", "594-91-2650"]
    assert [(e, v) for e, v, _ in found(det, db_chunk("ssn", rows, "staff"))] == [
        ("US_SSN", "238-29-1616"), ("US_SSN", "594-91-2650")]
    assert found(det, db_chunk("ssn_last4", ["8380", "6671", "5886", "0279"], "users")) == []     # what is left of one
    cards = ["XXXX XXXX XXXX 1234", "4556 7375 8689 9855", "XXXXXXXXXXXX5037"]
    assert [(e, v) for e, v, _ in found(det, db_chunk("card_number", cards, "payments"))] == [
        ("CREDIT_CARD", "4556 7375 8689 9855")]


def test_posts_in_minutes_are_no_persons(pack_det):
    """Minutes name their chair and attendees by post as often as by name: "Legal Counsel",
    "HR Business Partner", "QA Analyst" after "Chair:", "Present:" or "Apologies:" are no
    persons (without the model); the names among them are."""
    text = ("Minutes of the Risk meeting - 02/07/2023\nLocation: Teams\n\nChair: Treasury Analyst\n"
            "Present: Legal Counsel, Site Manager, HR Business Partner, Data Engineer, Research Scientist\n"
            "Apologies: Warehouse Lead, QA Analyst\n\nPresent: Amina Okafor, Kamil Holub\nChair: Grace Mwangi\n")
    (chunk, matches), = pack_det.analyze([Chunk(unit=Unit(target="/t", uri="/t/m.txt", path="m.txt"), text=text)])
    assert sorted((text[m.start:m.end], m.start) for m in matches if m.entity_type == "PERSON") == sorted(
        (n, text.index(n)) for n in ("Amina Okafor", "Kamil Holub", "Grace Mwangi"))


def test_a_log_lines_time_stamp_is_no_phone_number(det):
    """A date then the hour of a time ("[08.11.2022 06" before ":15]", "2022.11.08 10" before
    ":02") reads as a UK or French number; it is a time stamp. The numbers on the same lines are found."""
    text = ("[08.11.2022 06:15] L2 support: call back on 07911 123456.\n[08.11.2022 09:04] SOC-bot: rotated keys\n"
            "08/11/2022 10:02:11 escalated, mobile +44 7400 654321\n2022.11.08 10:02 tel. 020 7946 0321\n")
    (_, matches), = det.analyze([Chunk(unit=Unit(target="/t", uri="/t/n.txt", path="n.txt"), text=text)])
    assert sorted((m.start, text[m.start:m.end]) for m in matches if m.entity_type == "PHONE_NUMBER") == sorted(
        (text.index(v), v) for v in ("07911 123456", "+44 7400 654321", "020 7946 0321"))


@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_sheets_columns_keep_their_names_in_later_chunks_when_one_has_none(det, tmp_path, kind):
    """A sheet whose header leaves a column unnamed (row numbers in column A): in every chunk,
    the first and the later ones, the numbers under "Order number" are codes, not phone numbers,
    and the SSNs under "SSN" are SSNs."""
    rows = [(i + 1, f"{4505577104 + 7919 * i}", f"{238 + i % 500:03d}-29-{1616 + i:04d}") for i in range(300)]
    if kind == "xlsx":
        import openpyxl
        wb = openpyxl.Workbook()
        wb.active.append([None, "Order number", "SSN"])
        for r in rows:
            wb.active.append(list(r))
        wb.save(tmp_path / "orders.xlsx")
    else:
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableCell, TableRow
        from odf.text import P
        doc = OpenDocumentSpreadsheet()
        table = Table(name="Orders")
        for r in [("", "Order number", "SSN")] + rows:
            tr = TableRow()
            for v in r:
                cell = TableCell(valuetype="string") if v != "" else TableCell()
                if v != "":
                    cell.addElement(P(text=str(v)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
        doc.save(str(tmp_path / "orders.ods"))
    from dataguard.types import Limits
    got = _scan_chunks(det, tmp_path, Limits(chunk_chars=4000, overlap_chars=200))
    assert got == sorted(("US_SSN", r[2]) for r in rows)


def test_a_column_of_bare_ten_digit_numbers_is_no_column_of_phone_numbers(det):
    """An ERP's document numbers (ten bare digits, most of them valid North American numbers by
    their digits): the ones no region takes are not made phone numbers by their neighbours."""
    docs = [f"512{200 + 7 * i}{1000 + 37 * i}" if i % 4 else f"511{300 + i}{4000 + 7 * i}" for i in range(40)]
    text = "Batch;ERP Doc;Amount\n" + "".join(f"B{i};{d};{i}.50\n" for i, d in enumerate(docs))
    chunk = Chunk(unit=Unit(target="/t", uri="/t/pay.csv", path="pay.csv"), text=text,
                  context=("Batch", "ERP Doc", "Amount"), hint="structured")
    (_, matches), = det.analyze([chunk])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PHONE_NUMBER" and m.score >= 0.5] == []


def _persons_at(det, tmp_path, name: str, text: str) -> list:
    """(start, end) of the persons found in a one-chunk file, read as a scan reads it."""
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    folder = tmp_path / name.replace(".", "_")
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    item, = open_target(str(folder), SourceOptions()).items()
    chunk, = [c for c in item.chunks(Limits()) if hasattr(c, "text") and not c.is_name]
    assert chunk.text == text
    (_, matches), = det.analyze([chunk])
    return sorted((m.start, m.end) for m in matches if m.entity_type == "PERSON")


def _at(text: str, values) -> list:
    return sorted((text.index(v), text.index(v) + len(v)) for v in values)


def test_withheld_values_do_not_make_a_names_column_one_of_categories(pack_det, tmp_path):
    """A payroll export whose names are mostly withheld ("[redacted]", "N/A"): the names left are
    persons' (its "ssn" key says whose rows they are), not a few categories repeated; the
    placeholders are nothing."""
    from dataguard.detect.columns import categorical, no_value
    names = ["Robert Nelson", "Megan S. White", "Åsa Gustafsson", "Ruben Brouwer", "Vy Huynh", "Claire Girard"]
    rows = [{"employee_id": f"E{4900 + i}", "name": names[i // 10] if i % 10 == 0 else ("[redacted]", "N/A")[i % 2],
             "ssn": "[redacted]", "department": ("Finance", "Logistics")[i % 2]} for i in range(60)]
    text = json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    assert _persons_at(pack_det, tmp_path, "payroll_run.json", text) == _at(text, names)
    assert no_value(" [REDACTED] ") and no_value("n/a") and no_value("***") and not no_value("Nadia")
    values = "Finance\nN/A\nLogistics\n" * 10
    cells = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", values)]
    assert categorical(values, cells)


def test_a_table_keyed_by_a_roles_records_lists_persons(pack_det, tmp_path):
    """Without the model, a generic "name" column is persons' when the table's first column is the
    key of a role's records ("customer_id"), or when it lists a member of staff's post
    ("Fonction") or date of hire; under another key ("product_id") it is a thing's name."""
    names = ["Uwe Meier", "Aline de Souza", "Özge Polat", "Kwon Min-seo", "Petra Huber"]
    crm = "customer_id,name,segment,email\n" + "".join(
        f"C00{65410 + i},{n},{'Gold' if i % 2 else 'Silver'},\n" for i, n in enumerate(names))
    assert _persons_at(pack_det, tmp_path, "contacts_export.csv", crm) == _at(crm, names)
    staff = "Nom,Fonction,Ligne directe\nANON-389135,Marketing Specialist,\n" + "".join(
        f"{n},{job},+49 30 {5550100 + i}\n" for i, (n, job) in enumerate(zip(names, ["Data Engineer", "Driver"] * 3)))
    assert _persons_at(pack_det, tmp_path, "directory_berlin.csv", staff) == _at(staff, names)
    products = "product_id,name,price\n" + "".join(
        f"P{i},{n},{10 + i}.50\n" for i, n in enumerate(["Royal Oak", "Marina Blue", "Victoria Grey", "Jasper Stone"]))
    assert _persons_at(pack_det, tmp_path, "catalogue.csv", products) == []


def test_a_name_held_by_a_customers_or_an_actors_key_is_a_persons(pack_det, tmp_path):
    """Without the model, a JSON "name" under "customer", "client" or an audit event's "actor" is a
    person's when written as one; a service's name there ("backup-job"), or a name under
    "product", is not."""
    events = [{"id": "o1", "customer": {"id": "cus_54bf", "name": "Daniel O'Brien"},
               "product": {"sku": "A-1", "name": "Royal Oak"}},
              {"id": "o2", "client": {"name": "Mariam El-Khatib", "email": None}},
              {"event": "login", "actor": {"type": "user", "name": "Jae-won Lee"}},
              {"event": "backup", "actor": {"type": "service", "name": "backup-job"}}]
    text = json.dumps(events, indent=1) + "\n"
    assert _persons_at(pack_det, tmp_path, "events.json", text) == _at(
        text, ["Daniel O'Brien", "Mariam El-Khatib", "Jae-won Lee"])


def test_every_element_of_a_long_json_array_is_held_by_the_arrays_key(pack_det, tmp_path):
    """The "name" of the tenth employee of ``"employees": [...]`` is held by "employees" as the
    first one's is, however many keyed objects ("bank", "emergency_contact") the elements before
    it opened and closed; without the model every employee's and contact's name is a person,
    the company's name is none."""
    from dataguard.detect.columns import json_columns
    people = [("Robert Nelson", "Linda Wright"), ("Megan S. White", "Ruben Brouwer"), ("Åsa Gustafsson", "Vy Huynh"),
              ("Claire Girard", "Amelia Miller"), ("Natalia Makarova", "Elizabeth Jackson"),
              ("Uwe Meier", "Petra Huber"), ("Aline de Souza", "Özge Polat"), ("Kwon Min-seo", "Hala Farouk"),
              ("Majid Al-Dulaimi", "Bo Zhang"), ("Marco Loureiro", "Anil Rao")]
    doc = {"company": "Kestrel Air", "employees": [
        {"employee_id": f"E49{i}", "name": name, "bank": {"bic": "BARCGB22"}, "contact": {"mobile": None},
         "emergency_contact": {"name": contact, "relation": "sibling"}} for i, (name, contact) in enumerate(people)]}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/payroll.json", path="payroll.json"), text=text)
    held = {(c.name, c.parent): len(c.cells) for c in json_columns(chunk)}
    assert held[("name", "employees")] == len(people) and held[("name", "emergency_contact")] == len(people)
    assert held[("company", None)] == 1
    assert _persons_at(pack_det, tmp_path, "payroll.json", text) == _at(text, [n for pair in people for n in pair])


def test_a_card_or_account_holders_name_column_gives_persons(pack_det, tmp_path):
    """Without the model, the cells written as names of "cardholder_name", "accountHolderName" or a
    German "Empfänger" are persons; a holder's country or a masked card beside them is not, nor a
    firm among the recipients (a legal form, "Nordlys Retail AS", or a trade, "Kestrel Air")."""
    holders = ["Xiaoming Han", "George Jackson", "Thao Trinh", "Vũ Văn Dũng", "Pieter Jansen"]
    pay = "transaction_id;cardholder_name;card_number;cardholder_country\n" + "".join(
        f"tx-{i};{n};**** **** **** {5154 + i};{c}\n" for i, (n, c) in enumerate(zip(holders, ["China", "Jersey"] * 3)))
    assert _persons_at(pack_det, tmp_path, "card_payments.csv", pay) == _at(pay, holders)
    firms = ["Nordlys Retail AS", "Ironbridge Manufacturing", "Tandem Software BV", "Kestrel Air", "Vantage Capital",
             "Redfern Legal LLP"]
    ship = "Sendung;Empfänger;Ort\n" + "".join(f"SHP{i};{n};Tokyo\n" for i, n in enumerate(holders + firms))
    assert _persons_at(pack_det, tmp_path, "sendungen.csv", ship) == _at(ship, holders)
    doc = [{"accountHolderName": n, "accountHolderCity": "Hamilton"} for n in holders]
    text = json.dumps(doc, ensure_ascii=False) + "\n"
    assert _persons_at(pack_det, tmp_path, "accounts.json", text) == _at(text, holders)


def test_names_in_capitals_or_opening_with_a_particle_in_a_names_column(pack_det, tmp_path):
    """Without the model, a names column's cells written in capitals ("DECLAN ADAMS") or opening with a
    particle ("de Lange, Annelies") are persons even where a pattern read them first (the filters
    drop such a reading that no column names); so are the names under "account_owner",
    "subscriberName" or a Spanish "Gestor", and a generic "name" in a table whose first key column is
    "customer_id"; a post in such a column ("Responsable RH", "Nurse Practitioner") is none."""
    rows = [("DECLAN ADAMS", "N. Bąk"), ("de Lange, Annelies", "Anna Palumbo"), ("MANUELA N. STEIN", "Responsable RH"),
            ("Sanne de Vries-Scholten", "B. Govender"), ("Raymond K. Wright", "Nurse Practitioner")]
    text = "\t".join(['"full_name"', '"account_owner"', '"created_at"']) + "\n" + "".join(
        f'"{a}"\t"{b}"\t"2024-10-2{i}"\n' for i, (a, b) in enumerate(rows))
    names = [a for a, _ in rows] + [b for _, b in rows if b not in ("Responsable RH", "Nurse Practitioner")]
    assert _persons_at(pack_det, tmp_path, "contacts_dump.tsv", text) == _at(text, names)
    subs = ["David R. Winterbottom", "ILARIA SILVESTRI", "Ezeh, Ifeanyi", "Kuhn, Johanna", "Diya J. Ghosh"]
    managers = ["A. Caron", "Petra Schulte", "Zhen Deng", "Iman Yassin", "Yoko Maeda"]
    customers = ["Ishaan Srinivasan", "JAKUB WALCZAK", "Carter, Denise", "Yaa Appiah", "Matthias Leitner"]
    telco = "segment,subscriberName,Gestor,name,customerId\n" + "".join(
        f'Retail,"{n}",{g},"{c}",C74013{i}\n' for i, (n, g, c) in enumerate(zip(subs, managers, customers)))
    got = _persons_at(pack_det, tmp_path, "telco_subscribers.csv", telco)
    assert got == _at(telco, subs + managers + customers)


def test_a_cued_name_is_no_code_firm_or_post(pack_det):
    """After a cue, what reads as a name but is a code's letters ("Shipment DF657660438FR", "Invoice
    RE-23852474"), a firm ("reported by Solutions Sileon Oy", "Torion Software KG <billing@...>") or a
    post ("**Présidence:** Teamleiter Vertrieb") is no person; a person there is."""
    text = ("  * Shipment DF657660438FR left Barcelona, call +44 7911 123456\n"
            "  * Invoice RE-23852474 for USD 99 sent to billing@torion.de\n"
            "Firmware 2.19.94.31 fixes the memory leak reported by Solutions Sileon Oy.\n"
            "Torion Software KG <billing@torion.de>\n"
            "**Présidence:** Teamleiter Vertrieb\n\n"
            "The refund was approved by Amaka Obi on Friday.\n"
            "Cc: Luis Prieto Ramos <luis.prieto+billing@orange.fr>\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/notes.md", path="notes.md"), text=text)
    (_, matches), = pack_det.analyze([chunk])
    assert sorted(text[m.start:m.end] for m in matches if m.entity_type == "PERSON") == [
        "Amaka Obi", "Luis Prieto Ramos"]


def test_a_card_number_after_a_bare_numbers_word_in_a_notes_column(pack_det):
    """In a notes column, "(full number 4519 4442 1213 9766)" is a card number: "number" alone names
    no kind of code; "invoice number 4505577104" and a gift voucher's serial are codes still."""
    text = ('id,NOTES\n1,"H. Yamamoto reported that the card ending in 9766 (full number 4519 4442 1213 9766) was used"\n'
            "2,Paid invoice number 4505577104 today\n3,voucher 5517 9272 0726 3685 is a gift serial\n")
    chunk = Chunk(unit=Unit(target="/t", uri="/t/registry.csv", path="registry.csv"), text=text,
                  context=("id", "NOTES"), hint="structured")
    (_, matches), = pack_det.analyze([chunk])
    assert [(m.entity_type, m.start, m.end) for m in matches] == [
        ("CREDIT_CARD", text.index("4519"), text.index("4519") + len("4519 4442 1213 9766"))]


def test_a_role_column_with_withheld_cells_still_gives_its_names(pack_det):
    """Without the model, an "Empleado" column in which some cells say "n/a" is still a column of
    names (nine in ten of the cells that hold a value); "Titulaire du compte" is a person's column."""
    names = ["AKOSUA ASAMOAH", "Ji-hoon Moon", "Yusuke Endo", "Zamora Etxeberria, Íñigo", "Laura Reyes y Benítez",
             "Majid Al-Dulaimi", "Liliana Santiago Coronado", "Marco Loureiro", "Bo Zhang", "Hala Farouk",
             "Óscar Haro Casanova", "Mercy Onyango"]
    cells = [n for i, n in enumerate(names) for n in ([n, "n/a"] if i % 3 == 0 else [n])]
    got = [v for e, v, _ in found(pack_det, db_chunk("Empleado", cells, table="nominas")) if e == "PERSON"]
    assert got == names
    holders = ["Eric Jackson", "Do-yoon Jang", "Annika Horn", "Detlef zu Jung", "Maas-de Groot, Dirk"]
    got = [v for e, v, _ in found(pack_det, db_chunk("Titulaire du compte", holders, table="virements")) if e == "PERSON"]
    assert got == holders


def test_a_name_under_a_compound_role_key_or_beside_a_named_key_is_a_persons(pack_det, tmp_path):
    """Without the model, a generic name held by a key ending with a role ("BillingContact",
    "emergency_contact", "Owner", a KYC event's "subject") is that person's, and so is a "Name" in
    records whose first key named for something is "CustomerId" (after a bare "Id"); "holder" and
    "account_manager" name persons; a team under "Owner" and a product's name are none."""
    records = [{"Id": 1923646 + i, "CustomerId": f"CUS-4852587{i}", "Name": name,
                "BillingContact": {"Name": contact, "Email": None}, "Owner": {"DisplayName": owner},
                "product": {"name": "Royal Oak"}, "holder": holder, "account_manager": manager}
               for i, (name, contact, owner, holder, manager) in enumerate([
                   ("Aziz, Ghada", "François Royer", "Diane Fisher", "URSZULA WRÓBEL", "TSANG XIAOMING"),
                   ("Brigitte Brun", "BRUN, Brigitte", "Service Desk", "DRUMMOND, Margaret", "İbrahim Kılıç"),
                   ("Ségolène-Marie Roux", "Tigist Wolde", "Sato Mei", "Noor Al-Harbi", "Larissa Tavares Monteiro")])]
    text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    want = [v for r in records for v in (r["Name"], r["BillingContact"]["Name"], r["Owner"]["DisplayName"],
                                         r["holder"], r["account_manager"]) if v != "Service Desk"]
    assert _persons_at(pack_det, tmp_path, "customers_v2.json", text) == _at(text, want)
    orders = [{"id": i, "order_id": f"SO-{i}", "customer_id": f"C{i}", "name": n} for i, n in
              enumerate(["Royal Oak", "Marina Blue", "Victoria Grey"])]
    text = json.dumps(orders) + "\n"
    assert _persons_at(pack_det, tmp_path, "orders.json", text) == []


def test_surnames_that_are_posts_or_legal_forms_elsewhere_are_names(pack_det, tmp_path):
    """Surnames written first or shared with posts and firms' forms stay persons in a names column
    and a recipients column ("Leiter, Hans", "Emma Master", "Jean Co", "JOAO DE SA"); posts
    ("Scrum Master", "Nurse Practitioner") and firms ("ACME LTDA", "Kestrel Limited", "Nordlys
    Retail AS") are none."""
    people = ["Leiter, Hans", "Senior, Rose", "HEAD Julia", "Emma Master", "Mia Lead", "Jean Co", "JOAO DE SA",
              "Amina Okafor", "Bo Zhang", "Hala Farouk"]
    others = ["Scrum Master", "Nurse Practitioner", "ACME LTDA", "Kestrel Limited", "Nordlys Retail AS"]
    text = "id;recipient\n" + "".join(f'{i};"{v}"\n' for i, v in enumerate(people + others))
    assert _persons_at(pack_det, tmp_path, "payouts.csv", text) == _at(text, people)


def test_a_names_signals_are_ranked_alike_in_every_process():
    """Two signals of a column name with phrases of one length ("calle rib": an address, a bank
    account) are ranked in the order of the name, whatever the process's string hashes (a set's
    order ranked them differently from one run to the next)."""
    import subprocess
    import sys
    code = ("from dataguard.detect.columns import vocabulary_for\n"
            "print([s.entity for s in vocabulary_for().verdict('calle rib').named])")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip() for seed in range(1, 7)}
    assert seen == {"['LOCATION', 'US_BANK_NUMBER']"}


# a Word table as the extractor writes it (a tab between cells): Russian and Chinese headers
RU_WORD_TABLE = ("Прошу оформить командировку сотрудникам:\n"
                 "ФИО\tДата рождения\tПаспорт\tСчёт-фактура\tНомер заказа\n"
                 "Сазонов Арсений Дмитриевич\t06.05.1960\t24 47 885541\tINV-2024-728329\t1324861907\n"
                 "Кошелев Никита Феликсович\t1986-09-11\tG35300362\tINV-2024-918877\t0529473924\n"
                 "Петрова Анна Сергеевна\t30 ноября 1975 г.\t21 58 364065\tINV-2024-603875\t5709941377\n")
ZH_WORD_TABLE = ("姓名\t出生日期\t身份证号码\t护照号码\t订单号\n"
                 "卢秀珍\t1987年8月26日\t440305198708263834\tE84858322\t202403150001\n"
                 "高玉\t1978-01-05\t510107197801058233\tG54412849\t202403150002\n")


@pytest.mark.parametrize("text, expected", [
    (RU_WORD_TABLE, [("DATE_OF_BIRTH", "06.05.1960"), ("PASSPORT_NUMBER", "24 47 885541"), ("DATE_OF_BIRTH", "1986-09-11"),
                     ("PASSPORT_NUMBER", "G35300362"), ("DATE_OF_BIRTH", "30 ноября 1975 г."),
                     ("PASSPORT_NUMBER", "21 58 364065")]),
    (ZH_WORD_TABLE, [("DATE_OF_BIRTH", "1987年8月26日"), ("NATIONAL_ID", "440305198708263834"),
                     ("PASSPORT_NUMBER", "E84858322"), ("DATE_OF_BIRTH", "1978-01-05"),
                     ("NATIONAL_ID", "510107197801058233"), ("PASSPORT_NUMBER", "G54412849")])])
def test_russian_and_chinese_columns_of_a_word_table(det, text, expected):
    """Every row of a Word table's "Дата рождения", "Паспорт", "出生日期", "身份证号码", "护照号码"
    columns (not only the first, which its header's context words reach); its invoice and
    order numbers are nothing."""
    chunk = Chunk(unit=Unit(target="/t", uri="/t/memo.docx", path="memo.docx"), text=text)
    got = [(e, v) for e, v, _ in found(det, chunk) if e != "PERSON"]
    assert got == expected


# ---------------------------------------------------------------- ethnicity, clan, religion (DG-025)
def test_a_persons_religion_clan_or_ethnicity_column_gives_its_values(pack_det, tmp_path):
    """A beneficiaries table's religion and clan columns: each value at its cell; not the
    nationality (NRP), a code column (religion_code), nor a lookup table of religions alone."""
    text = ("case_no,full_name,religion,clan,nationality,religion_code\n"
            "KAK-21C04512,Amina Hassan Abdi,Muslim,Hawiye,Somali,1\n"
            "KAK-21C04513,John Lokwang,Christian,Turkana,Kenyan,2\n")
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "cases.csv", text)
           if m.entity_type == "ETHNICITY_RELIGION"]
    assert got == [("ETHNICITY_RELIGION", v) for v in ("Muslim", "Hawiye", "Christian", "Turkana")]
    lookup = "id,religion\n1,Islam\n2,Christianity\n3,Hinduism\n"
    assert not [m for _, m in _scanned(pack_det, tmp_path, "ref_religions.csv", lookup)
                if m.entity_type == "ETHNICITY_RELIGION"]
    # households or cases keyed by their numbers, no names: persons' data all the same
    for name, text in (("households.csv", "household_id,religion,size\nH-0012,Muslim,6\nH-0013,Christian,4\n"),
                       ("cases2.csv", "case_no,ethnicity\nA-2201,Nuer\nA-2202,Dinka\n")):
        got = [text[m.start:m.end] for _, m in _scanned(pack_det, tmp_path, name, text)
               if m.entity_type == "ETHNICITY_RELIGION"]
        assert got == [v for v in ("Muslim", "Christian", "Nuer", "Dinka") if v in text]
    results = "name,race,time\nAmina Yusuf,Nairobi Marathon,02:31:10\nJohn Kamau,Kampala Half,01:10:00\n"
    assert not [m for _, m in _scanned(pack_det, tmp_path, "results.csv", results) if m.entity_type == "ETHNICITY_RELIGION"]
    coded = "religion_id,religion\n1,Islam\n2,Christianity\n"
    assert not [m for _, m in _scanned(pack_det, tmp_path, "religions.csv", coded) if m.entity_type == "ETHNICITY_RELIGION"]


# ---------------------------------------------------------------- rows of keys and secrets
KV_SECRETS = [("api_key", "ak_9f8e7d6c5b4a39281706f5e4d3c2b1a0", "SECRET_TOKEN"),
              ("db_password", "Tr0ub4dor&3xQ!", "SECRET_PASSWORD"),
              ("Mot de passe", "S3cure#Pass2024", "SECRET_PASSWORD"), ("Passwort", "Kx9!mQ2#vLr", "SECRET_PASSWORD"),
              ("contraseña", "Cl4ve-Secreta-77", "SECRET_PASSWORD"),
              ("client_secret", "Zq8Xw2Lp0Rt5Yv7Bn3Mk6Hj9", "SECRET_TOKEN")]
# keys of secrets with no secret beside them, and keys that merely hold the word
KV_DECOYS = [("smtp_user", "mailer"), ("password_changed_at", "2024-03-01"), ("token_count", "42"),
             ("password", "changeme"), ("db_password", "your_password"), ("api_key", "<secret>"),
             ("secret", "${API_SECRET}"), ("pwd", ""), ("passwd", "letmein"), ("api_key_id", "K7Q2M9X4P1Z8R3T6"),
             ("password_hint", "Mothers maiden name"), ("token", "Bearer")]


def _kv_text(rows, sep: str = ",") -> str:
    return "".join(f"{k}{sep}{v}\n" if sep != "," or "," not in v else f'{k},"{v}"\n' for k, v in rows)


def _kv_spans(text: str) -> list:
    """The planted secrets' (entity, start, end), each where its value stands after its key."""
    return sorted((e, text.index(v, text.index(k)), text.index(v, text.index(k)) + len(v)) for k, v, e in KV_SECRETS)


def _scanned(det, tmp_path, name: str, data) -> list:
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    folder = tmp_path / name.replace(".", "_")
    folder.mkdir()
    if isinstance(data, str):
        (folder / name).write_text(data, encoding="utf-8")
    else:
        data.save(folder / name)
    item, = open_target(str(folder), SourceOptions()).items()
    chunks = [c for c in item.chunks(Limits()) if hasattr(c, "text")]
    return [(c, m) for c, (_, ms) in zip(chunks, det.analyze(chunks)) for m in ms]


@pytest.mark.parametrize("key, entity", [
    ("api_key", "SECRET_TOKEN"), ("API-Key", "SECRET_TOKEN"), ("apiKey", "SECRET_TOKEN"), ("token", "SECRET_TOKEN"),
    ("access_key", "SECRET_TOKEN"), ("client_secret", "SECRET_TOKEN"), ("secret", "SECRET_TOKEN"),
    ("password", "SECRET_PASSWORD"), ("passwd", "SECRET_PASSWORD"), ("pwd", "SECRET_PASSWORD"),
    ("db_password", "SECRET_PASSWORD"), ("Mot de passe", "SECRET_PASSWORD"), ("contraseña", "SECRET_PASSWORD"),
    ("Passwort", "SECRET_PASSWORD"), ("Kennwort", "SECRET_PASSWORD"), ("private key", "SECRET_PRIVATE_KEY"),
    ("aws_secret_access_key", "SECRET_AWS_KEY"), ("password_hash", None), ("password_changed_at", None),
    ("token_count", None), ("api_key_id", None), ("smtp_user", None), ("Clément", None), ("keyboard", None)])
def test_the_secret_a_key_names(key, entity):
    assert vocabulary_for().secret_key(key) == entity


@pytest.mark.parametrize("header", [True, False])
def test_a_key_value_csvs_rows_of_secrets_give_each_value_as_its_keys_secret(pack_det, tmp_path, header):
    """A CSV of keys and values (under "name,value", or without a header, its first row a key
    and its secret): the value beside a key naming a secret is that secret, its span the cell
    (without the quotes around), as ``key=value`` would be in text; not a plain word, a
    placeholder, a reference, an empty cell, nor the value of a key that merely holds the word."""
    rows = [(k, v) for k, v, _ in KV_SECRETS[:2]] + KV_DECOYS[:6] + [(k, v) for k, v, _ in KV_SECRETS[2:]] + KV_DECOYS[6:]
    text = ("name,value\n" if header else "") + _kv_text(rows)
    got = sorted((m.entity_type, m.start, m.end) for _, m in _scanned(pack_det, tmp_path, "creds.csv", text))
    assert got == _kv_spans(text)


@pytest.mark.parametrize("name", ["export.tsv", "export.txt"])
def test_tab_separated_keys_and_secrets_in_a_table_and_in_prose(pack_det, tmp_path, name):
    """"key<TAB>value" lines: a TSV's rows, or a text export's (prose) lines; a sentence after a
    key and a tab is none."""
    text = _kv_text([(k, v) for k, v, _ in KV_SECRETS] + KV_DECOYS, "\t")
    if name.endswith(".txt"):
        text = "Server credentials, exported 2024-05-02\n\n" + text + "Password\tmust be changed every 90 days\n"
    got = sorted((m.entity_type, m.start, m.end) for _, m in _scanned(pack_det, tmp_path, name, text))
    assert got == _kv_spans(text)


def test_keys_and_secrets_in_a_markdown_tables_rows(pack_det, tmp_path):
    """A wiki page's table of settings ("| db_password | Tr0ub4dor&3xQ! |"): each secret at its
    cell, as after a key and a tab; not a header's names, nor a table whose first column holds no
    keys of secrets, nor the decoys."""
    rows = "".join(f"| {k} | {v} |\n" for k, v in [(k, v) for k, v, _ in KV_SECRETS] + KV_DECOYS)
    text = ("# Payroll service\n\nSettings of the production host:\n\n| Setting | Value |\n|---|---|\n" + rows +
            "\nOwners:\n\n| password | token |\n| --- | --- |\n| Ana Lima | rotated yearly |\n")
    got = sorted((m.entity_type, m.start, m.end) for _, m in _scanned(pack_det, tmp_path, "settings.md", text))
    assert got == _kv_spans(text)


def test_a_markdown_tables_column_of_passwords(pack_det, tmp_path):
    """A wiki page's table of accounts under "Password": each password at its cell; a masked one,
    a reference, a sentence and the other columns' words are none."""
    text = ("## Test accounts\n\n| User | Password | Notes |\n|------|:--------:|-------|\n"
            "| jdoe | Hx7!pQ2zR9 | kiosk |\n| asmith | ******** | ask the desk |\n| svc_backup | ${BACKUP_PW} | vault |\n"
            "| mbeki | Wq5#tY8uI3 | reset on login |\n| guest | n/a, closed | - |\n")
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "accounts.md", text)]
    assert got == [("SECRET_PASSWORD", "Hx7!pQ2zR9"), ("SECRET_PASSWORD", "Wq5#tY8uI3")]


def test_a_sheet_of_keys_and_secrets(pack_det, tmp_path):
    """An xlsx sheet, its keys in column B under a title (not the header): each secret at its cell."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(("Credentials (do not share)",))
    for k, v in [(k, v) for k, v, _ in KV_SECRETS] + KV_DECOYS:
        wb.active.append((None, k, v or None))
    got = [(m.entity_type, c.text[m.start:m.end], c.pointer_at(m.start).cell) for c, m in
           _scanned(pack_det, tmp_path, "creds.xlsx", wb)]
    assert sorted(got) == sorted((e, v, f"C{i + 2}") for i, (_, v, e) in enumerate(KV_SECRETS))


def test_a_header_naming_a_password_column_is_no_key_and_its_secret(pack_det, tmp_path):
    """A header whose first name is a secret's ("password,email,phone", "password,password2")
    names columns: the name beside it is no secret, and the column's cells are read as before."""
    text = "password,email,phone\nHx7!pQ2zR,ana@example.org,+44 20 7946 0958\n"
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "users.csv", text)]
    assert ("SECRET_PASSWORD", "Hx7!pQ2zR") in got and not [v for _, v in got if v in ("email", "phone")]
    text = "password,password2\nHx7!pQ2zR,Wq5#tY8uI\n"
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "pairs.csv", text)]
    assert ("SECRET_PASSWORD", "password2") not in got and ("SECRET_PASSWORD", "Hx7!pQ2zR") in got


def test_a_headerless_key_value_csv_over_several_chunks(pack_det, tmp_path):
    """Chunks after the first of a headerless key/value CSV name no column after its first row
    (a key and its secret): a key's cells are no passwords, each secret is found once."""
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    rows = [("password", "Tr0ub4dor&3xQ!")] + [(f"setting_{i}", f"value{i}") for i in range(300)] + \
        [("api_key", "ak_9f8e7d6c5b4a39281706f5e4d3c2b1a0")] + [(f"smtp_user_{i}", "mailer") for i in range(300)]
    text = _kv_text(rows)
    (tmp_path / "config.csv").write_text(text)
    item, = open_target(str(tmp_path), SourceOptions()).items()
    chunks = [c for c in item.chunks(Limits(chunk_chars=2000, overlap_chars=100)) if hasattr(c, "text")]
    assert len(chunks) > 3
    got = [(m.entity_type, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, pack_det.analyze(chunks)) for m in ms]
    assert got == [("SECRET_PASSWORD", "Tr0ub4dor&3xQ!"), ("SECRET_TOKEN", "ak_9f8e7d6c5b4a39281706f5e4d3c2b1a0")]


def test_a_key_value_csv_over_the_cli_reports_its_secrets_at_their_cells_and_masked(run_cli, tmp_path):
    (tmp_path / "share").mkdir()
    text = "name,value\napi_key,ak_9f8e7d6c5b4a39281706f5e4d3c2b1a0\ndb_password,Tr0ub4dor&3xQ!\nsmtp_user,mailer\n"
    (tmp_path / "share" / "creds.csv").write_text(text)
    out = tmp_path / "report.json"
    res = run_cli("scan", tmp_path / "share", "--no-ner", "--workers", "1", "--format", "json", "--output", out)
    assert res.exit_code == 1, res.stderr
    evidence = sorted((e["entity_type"], e["line"], e["col"], e["end_col"]) for f in res.report["findings"]
                      for e in f["evidence"])
    assert evidence == [("SECRET_PASSWORD", 3, 13, 27), ("SECRET_TOKEN", 2, 9, 44)]
    report = out.read_text()
    assert "Tr0ub4dor" not in report and "ak_9f8e7d6c5b4a" not in report and "mailer" not in report


def test_a_secrets_key_before_a_column_named_for_something_else_names_no_secret(pack_det, tmp_path):
    """An audit log's row led by the word "password" holds the address its column names; under
    a column named for secrets or for nothing ("value"), the key's secret is one."""
    text = "event,email,ip\npassword,jdoe2024@mailbox.org,10.2.3.4\n"
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "audit.csv", text)]
    assert not [e for e, _ in got if e.startswith("SECRET_")] and ("EMAIL_ADDRESS", "jdoe2024@mailbox.org") in got
    text = "system,secret,notes\npassword,Tr0ub4dor&3xQ!,vpn\n"
    got = [(m.entity_type, text[m.start:m.end]) for _, m in _scanned(pack_det, tmp_path, "vault.csv", text)]
    assert got == [("SECRET_PASSWORD", "Tr0ub4dor&3xQ!")]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_employee_id_column_holds_staff_index_numbers(pack_det, tmp_path, kind):
    """A payroll's 'Employee ID' (or 'Código de empleado') column holds staff index numbers, as
    'Staff ID' does; the six-digit amounts and order numbers of the other columns are none."""
    from dataguard.sources import SourceOptions, open_target
    from dataguard.types import Limits
    rows = [("Employee ID", "Employee Name", "Net Pay", "PO Number"),
            ("840886", "Grace Wanjiru", "512340", "450123"),
            ("068345", "Peter Otieno", "498800", "450124")]
    if kind == "csv":
        (tmp_path / "payroll.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    else:
        import openpyxl
        wb = openpyxl.Workbook()
        for r in rows:
            wb.active.append(r)
        wb.save(tmp_path / "payroll.xlsx")
    item, = open_target(str(tmp_path), SourceOptions()).items()
    chunks = [c for c in item.chunks(Limits()) if hasattr(c, "text")]
    got = [c.text[m.start:m.end] for c, (_, ms) in zip(chunks, pack_det.analyze(chunks)) for m in ms
           if m.entity_type == "STAFF_INDEX_NUMBER" and m.score >= 0.5]
    assert got == ["840886", "068345"]


def test_names_and_numbers_written_with_json_escapes_are_found_on_the_escapes(pack_det):
    """json.dumps writes 'Chrétien' as 'Chr\\u00e9tien' and an Arabic name all in escapes: such a
    string is read decoded, and a match is placed on the escapes it was read from (a phone after
    an escaped word keeps its own span); an escaped word that is no name stays none."""
    lines = ['{"event": "payment.sent", "subject": {"name": "Christelle Chr\\u00e9tien", "phone": "+243991459730"}}',
             '{"event": "login", "subject": {"name": "\\u0623\\u062d\\u0645\\u062f \\u0627\\u0644\\u062d\\u0633\\u0646"}}',
             '{"event": "login", "subject": {"name": "Michel Robin"}, "note": "caf\\u00e9 call +243991857129"}',
             '{"event": "sync", "status": "pending \\u2013 r\\u00e9vision", "build": "2024.1.39"}']
    text = "\n".join(lines) + "\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/events.jsonl", path="events.jsonl"), text=text)
    got = [(m.entity_type, text[m.start:m.end]) for _, ms in pack_det.analyze([chunk]) for m in ms
           if m.entity_type in ("PERSON", "PHONE_NUMBER")]
    assert got == [("PERSON", "Christelle Chr\\u00e9tien"), ("PHONE_NUMBER", "+243991459730"),
                   ("PERSON", "\\u0623\\u062d\\u0645\\u062f \\u0627\\u0644\\u062d\\u0633\\u0646"),
                   ("PERSON", "Michel Robin"), ("PHONE_NUMBER", "+243991857129")]


_PIECES = ["Name", "name", "John Smith", "12.", "2024-03-19 22:14:05", "١٢٣٤", " ", "  ", "\t", "\u00a0", "\u3000",
           ":", " : ", "\n", "\r\n", "\r", "é", "日本", ",", '"', "'", "[", "{", '"key": {', '"k ey" : [', '"a":',
           '"9x":[', '"_id" :{', "\x1c", "\u0085", "\u2028", "\u200b", '"' + "k" * 61 + '":{']


def test_json_keys_and_tab_lines_are_found_as_the_plain_patterns_find_them():
    """The JSON key pattern read possessively, and the lines holding a tab found with str.find,
    give what the plain patterns give (texts of keys, quotes, tabs, line ends of every kind)."""
    import random

    from dataguard.detect.columns import _JSON_OPEN
    from dataguard.detect.tabular import _tab_lines
    plain_key = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60})"\s*:\s*[\[{]')
    tab_line = re.compile(r"^[^\n\t]*\t[^\n]*", re.M)
    rnd = random.Random(7)
    for _ in range(20_000):
        text = "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 25)))
        assert [(m.span(), m["k"]) for m in _JSON_OPEN.finditer(text)] == \
            [(m.span(), m["k"]) for m in plain_key.finditer(text)], text
        assert list(_tab_lines(text)) == [m.span() for m in tab_line.finditer(text)], text


def test_a_chunks_tables_are_read_once_for_the_ner_planner_and_the_judge(pack_det, monkeypatch):
    """The NER planner and the column judge read the same chunk's table (``tabular.parsed``): a
    delimited text's layout and a JSON file's pairs are read once; the judge, which takes a
    headerless table's first row for data, does so on a copy (the planner's layout keeps its
    header row), and forgets the reading when done."""
    from dataguard.detect import columns, tabular
    from dataguard.detect.ner import NerRunner
    made, pairs = [], []
    layout_init, json_pairs = tabular.Layout.__init__, columns._json_pairs
    monkeypatch.setattr(tabular.Layout, "__init__", lambda self, chunk: made.append(chunk) or layout_init(self, chunk))
    monkeypatch.setattr(columns, "_json_pairs", lambda text: pairs.append(text) or json_pairs(text))
    runner = NerRunner(None, frozenset({"PERSON"}), pack_det._vocabulary)
    key = "ak_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    text = f"api_key,{key}\nclient_secret,sk_live_4eC39HqLyjWDarjtT1zdp7dc\n"
    table = Chunk(unit=Unit(target="/t", uri="/t/keys.csv", path="keys.csv"), text=text,
                  context=("api_key", key), hint="structured")
    document = Chunk(unit=Unit(target="/t", uri="/t/x.json", path="x.json"),
                     text='{"staff": [{"name": "Amina Okafor", "phone": "+254 712 345 678"}]}')
    for chunk in (table, document):
        runner.plan(chunk)
    layout = tabular.parsed(table, tabular.Layout)
    judged = [pack_det._columns.judge(chunk, []) for chunk in (table, document)]
    assert made == [table] and pairs == [document.text]
    assert layout.header_rows == [(0, len(f"api_key,{key}"))]
    assert {table.text[r.start:r.end] for r in judged[0]} >= {key, "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}   # (row 1: data)
    assert id(table) not in tabular._PARSED and id(document) not in tabular._PARSED

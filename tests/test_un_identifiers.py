"""The organisation's identifiers pack (rules/un-identifiers.yaml), the rule-pack keys it uses
(context by language, validator, countries, needs_context, examples, entities) and checksums."""
from __future__ import annotations

from pathlib import Path

import pytest

from dataguard import checksums
from dataguard.rules import RuleError, load_packs
from dataguard.vocab import CONTEXT_LANGUAGES, TEXT_LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "rules" / "un-identifiers.yaml"
KNOWN = {"PERSON", "PHONE_NUMBER", "IBAN_CODE", "CREDIT_CARD", "US_SSN", "UK_NHS", "MRZ", "HEALTH_TERM"}


def _load(tmp_path, body: str):
    p = tmp_path / "p.yaml"
    p.write_text("pack: t\nversion: 1\n" + body)
    return load_packs([p], KNOWN)


# ------------------------------------------------------------------ rule-pack keys
def test_context_by_language_is_flattened_in_order(tmp_path):
    packs = _load(tmp_path, "recognizers:\n  - entity: X_ID\n    patterns: [{name: x, regex: 'X\\d+', score: 0.2}]\n"
                            "    context: {en: [file, case], fr: [dossier, case], ar: [ملف], de: [akte]}\n"
                            "    needs_context: true\n    countries: [tr, KE]\n    validator: luhn\n")
    spec = packs[0].recognizers[0]
    assert spec.context == ("file", "case", "dossier", "ملف", "akte")
    assert spec.countries == ("TR", "KE") and spec.validator == "luhn" and spec.needs_context
    assert spec.runs_for({"KE"}) and not spec.runs_for({"US", "CH"})


def test_entity_context_for_built_in_recognizers(tmp_path):
    packs = _load(tmp_path, "entities:\n  PHONE_NUMBER:\n    context: {fr: [téléphone], es: [teléfono]}\n")
    assert packs[0].entity_context == (("PHONE_NUMBER", ("téléphone", "teléfono")),)


@pytest.mark.parametrize("body, message", [
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    validator: crc99\n",
     "validator: unknown validator (iban"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    countries: [FRA]\n",
     "not a two-letter ISO 3166 country code"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    countries: [UK]\n",
     "not an ISO 3166 country code: the United Kingdom's code is GB"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    needs_context: true\n",
     "'needs_context' needs 'context' words"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    needs_context: true\n"
     "    context: {en: [], fr: []}\n", "'needs_context' needs 'context' words"),
    ("recognizers:\n  - entity: X\n    deny_list: [Acme, ' ']\n", "an empty deny_list word"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    context: {it: [pratica]}\n",
     "context"),
    ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n"
     "    examples: {match: [{text: 'abc', value: 'zzz'}]}\n", "the example's value is not in its text"),
    ("entities:\n  NOT_AN_ENTITY:\n    context: [x]\n", "unknown entity 'NOT_AN_ENTITY'"),
])
def test_bad_new_keys_are_errors(tmp_path, body, message):
    with pytest.raises(RuleError) as ei:
        _load(tmp_path, body)
    assert message in str(ei.value)


def test_a_field_of_two_forms_gets_one_message_naming_it(tmp_path):
    """A field that takes a list or a mapping (context) or a list or a regex (trigger): one
    message, on the field itself, saying what is wrong; no message per form it may take."""
    body = ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    context: {it: [pratica]}\n"
            "  - entity: Y\n    patterns: [{name: y, regex: 'y', score: 0.5}]\n    trigger: [ok, ' ']\n")
    with pytest.raises(RuleError) as ei:
        _load(tmp_path, body)
    lines = str(ei.value).splitlines()
    assert len(lines) == 2, lines
    assert "recognizers[0].context.it" in lines[0] and "'en', 'fr', 'es', 'ar', 'de', 'pt', 'ru', 'sw' or 'zh'" in lines[0]
    assert lines[1].endswith("recognizers[1].trigger: an empty trigger word")
    body = ("recognizers:\n  - entity: X\n    patterns: [{name: x, regex: 'x', score: 0.5}]\n    context: {en: [ok, 5]}\n"
            "  - entity: Y\n    patterns: [{name: y, regex: 'y', score: 0.5}]\n    trigger: [ok, 5, [x]]\n"
            "  - entity: Z\n    patterns: [{name: z, regex: 'z', score: 0.5}]\n    context: 7\n")
    with pytest.raises(RuleError) as ei:
        _load(tmp_path, body)
    tails = [line.split(": rule -: ")[1] for line in str(ei.value).splitlines()]
    assert tails == ["recognizers[0].context.en[1]: Input should be a valid string",
                     "recognizers[1].trigger[1]: Input should be a valid string",
                     "recognizers[1].trigger[2]: Input should be a valid string",
                     "recognizers[2].context: Input should be a valid list, or a valid dictionary"]


@pytest.mark.parametrize("field", ["validator: stdnum:S3CRETVALUE.x", "countries: [S3CRETVALUE]"])
def test_a_bad_value_is_named_by_its_field_never_quoted(tmp_path, field):
    body = f"recognizers:\n  - entity: X\n    patterns: [{{name: x, regex: 'x', score: 0.5}}]\n    {field}\n"
    with pytest.raises(RuleError) as ei:
        _load(tmp_path, body)
    assert field.split(":")[0] in str(ei.value) and "S3CRETVALUE" not in str(ei.value)


# ------------------------------------------------------------------ checksums
def test_validators():
    assert checksums.validator("iban")("SD21 2901 0501 2340 01")
    assert not checksums.validator("iban")("SD21 2901 0501 2340 02")
    assert checksums.validator("bic")("DEUTDEFF") and not checksums.validator("bic")("ABCDXXFF")
    assert checksums.validator("luhn")("4111 1111 1111 1111") and not checksums.validator("luhn")("4111 1111 1111 1112")
    assert checksums.validator("stdnum:tr.tckimlik")("17291716060")
    assert not checksums.validator("stdnum:tr.tckimlik")("17291716050")
    assert checksums.validator("stdnum:xx.nothing") is None and checksums.validator("md5") is None
    phone = checksums.validator("international_phone")
    assert phone("256777763766") and phone("+256 777 763766") and phone(" +41 22 917 1234")
    assert not phone("999777763766") and not phone("+256 777") and not phone("++256777763766")


def test_mrz_check_digits_laissez_passer():
    zone = "PLUNOOKAFOR<<GRACE<ADAEZE<<<<<<<<<<<<<<<<<<<\nLP00123455NGA8504124F3001019<<<<<<<<<<<<<<<4"
    assert checksums.mrz_valid(zone)
    assert not checksums.mrz_valid(zone.replace("LP00123455", "LP00123456"))
    assert checksums.mrz_check_digit("L898902C3") == "6"       # ICAO 9303 part 4 specimen


# ------------------------------------------------------------------ the shipped pack
def test_pack_loads_with_every_recognizer_exemplified():
    from dataguard.detect import known_entities
    packs = {p.name: p for p in load_packs(None, known_entities())}
    pack = packs["un-identifiers"]
    assert pack.path.endswith("un-identifiers.yaml")
    import yaml

    from dataguard.rules.model import PackModel
    model = PackModel.model_validate(yaml.safe_load(PACK.read_text(encoding="utf-8")))
    for r in model.recognizers:
        assert r.examples.match and r.examples.nomatch, f"{r.entity}: must-match and must-not-match examples"
        if r.context:
            assert isinstance(r.context, dict) and set(TEXT_LANGUAGES) <= set(r.context) <= set(CONTEXT_LANGUAGES), \
                f"{r.entity}: context words in {', '.join(TEXT_LANGUAGES)}"
    for name, e in model.entities.items():
        if e.context:
            assert set(e.context) == set(TEXT_LANGUAGES), f"{name}: context words in every language"


# ------------------------------------------------------------------ every example, through the detector
def _examples():
    import yaml

    from dataguard.rules.model import PackModel
    out = []
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        model = PackModel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        items = [(r.entity, r.examples) for r in model.recognizers]
        items += [(name, e.examples) for name, e in model.entities.items()]
        for entity, ex in items:
            out += [pytest.param(entity, e.text, e.value, True, id=f"{entity}-match-{i}")
                    for i, e in enumerate(ex.match)]
            out += [pytest.param(entity, t, None, False, id=f"{entity}-nomatch-{i}") for i, t in enumerate(ex.nomatch)]
    return out


@pytest.fixture(scope="module")
def pack_detectors():
    from dataguard.detect import Detector, known_entities
    from tests.conftest import pack_context
    packs = load_packs(None, known_entities())
    custom = tuple(r for p in packs for r in p.recognizers)
    countries = tuple(sorted({c for r in custom for c in r.countries} | {"FR", "CO", "JO", "GB", "US", "ML"}))
    cache: dict = {}

    def get(entity):
        if entity not in cache:
            cache[entity] = Detector(ner=False, entities={entity}, countries=countries, context=pack_context(),
                                     custom=tuple(r for r in custom if r.entity == entity))
        return cache[entity]
    return get


@pytest.mark.parametrize("entity, text, value, must", _examples())
def test_pack_examples(pack_detectors, entity, text, value, must):
    from dataguard.types import Chunk, Unit
    det = pack_detectors(entity)
    chunk = Chunk(Unit("/t", "/t/example.txt", "example.txt"), text)
    found = [text[m.start:m.end] for _, ms in det.analyze([chunk]) for m in ms
             if m.entity_type == entity and m.score >= 0.5]
    if must:
        assert found and (value is None or value in found), found
    else:
        assert not found


def test_a_numbered_forms_identifier_labels_are_no_contact_lists_names(pack_detectors):
    """A numbered form's fields write an identifier's label before its value as a contact list
    writes a name before a phone number ("6. Tax Code 0612345678"): no person there, in English,
    French or Spanish; the names of a numbered contact list in the same text are found, at their
    place."""
    from dataguard.types import Chunk, Unit
    text = ("1. Passport No: 561234567 (US).\n2. Numéro AVS 756.1234.5678.97\n3. Staff ID: 0712 345 678\n"
            "4. N° de dossier 0612345678\n5. Case Number - 0612345678\n6. Tax Code 0612345678\n"
            "7. Número de Pasaporte: +57 312 456 7890\n\nContacts\n1. Jean Dupont: 0612345678\n"
            "2. Wanjiru Kamau Njeri - +254 712 345 678\n")
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/form.txt", "form.txt"), text)])
    got = [(m.start, text[m.start:m.end]) for m in matches if m.entity_type == "PERSON"]
    assert got == [(text.index("Jean Dupont"), "Jean Dupont"), (text.index("Wanjiru"), "Wanjiru Kamau Njeri")]


def test_dates_of_birth_after_german_labels_and_spanish_verbs(pack_detectors):
    """A date of birth after a German label or a Spanish verb of birth ("Geburtsdatum:", "geboren
    am", "geb.", "nació el", "nacida el") is one, at its place, numeric or written out ("3. März
    1982", "23 de mayo de 1990"); the same dates after an invoice's or a contract's words are none."""
    from dataguard.types import Chunk, Unit
    planted = ["07.08.1969", "12.03.1975", "3. März 1982", "23 de mayo de 1990", "02/11/1979", "1985-06-30"]
    text = ("Rechnungsdatum: 14.09.1998\nEl contrato se firmó el 5 de junio de 1991.\nLieferung am 01.02.1987\n\n"
            f"Personalbogen der Mitarbeiterin\nGeburtsdatum: {planted[0]}\nHerr Weber, geboren am {planted[1]} in Köln.\n"
            f"Müller, Anna (geb. {planted[2]})\nLa paciente nació el {planted[3]} en Quito.\n"
            f"Rosa Díaz, nacida el {planted[4]}, refugiada.\nGeb.-Datum {planted[5]}\n")
    (_, matches), = pack_detectors("DATE_OF_BIRTH").analyze([Chunk(Unit("/t", "/t/akte.txt", "akte.txt"), text)])
    got = [(m.start, text[m.start:m.end]) for m in matches if m.entity_type == "DATE_OF_BIRTH" and m.score >= 0.5]
    assert got == [(text.index(v), v) for v in planted]


def test_a_date_of_birth_label_is_not_the_next_values(pack_detectors):
    """A date is a date of birth only by its label: a single-word label ("DOB", "born",
    "الميلاد", "Geburtsdatum") is the date's right after it, not the next line's or the next
    field's date, another value standing between ("DOB: 1990-03-15\nJoined: 2024-03-15")."""
    from dataguard.types import Chunk, Unit
    planted = ["1990-03-15", "15.03.1990", "03/07/1988", "1979-11-02"]
    text = (f"DOB: {planted[0]}\nJoined: 2024-03-15\n"
            f"Geburtsdatum: {planted[1]}\nEintritt: 01.04.2024\n"
            f"Amina Yusuf, born {planted[2]}, registered 12/05/2019 in Gao\n"
            f"تاريخ الميلاد: {planted[3]}\nتاريخ التسجيل: 2024-03-16\n")
    (_, matches), = pack_detectors("DATE_OF_BIRTH").analyze([Chunk(Unit("/t", "/t/staff.txt", "staff.txt"), text)])
    got = [(m.start, text[m.start:m.end]) for m in matches if m.entity_type == "DATE_OF_BIRTH"]
    assert got == [(text.index(v), v) for v in planted]


@pytest.mark.parametrize("junk", ['"' * 95 + "A <a@b.cc>", "[" * 95 + "A <a@b.cc>",
                                  '["a"]["b"]["c"]["d"]["e"]["f"]["g"]["h"] <b@x.com>'])
def test_a_mailbox_name_after_lines_of_quotes_and_brackets_is_found_in_time(pack_detectors, junk):
    """Lines of quotes or brackets before an address, each a place a display name may start, are
    passed over in one look ahead each, not read against the list of excluded words from every
    quote (which took the pattern past its time budget, and the item with it, on 20 KB); the
    display name after them is found."""
    from dataguard.types import Chunk, Unit
    text = (junk + "\n") * 600 + 'Contact: "Sandra Blackwood" <s.blackwood@laposte.net>\n'
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/dump.txt", "dump.txt"), text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == ["Sandra Blackwood"]


def test_a_signature_under_a_deeply_quoted_reply_chain_is_found_in_time(pack_detectors):
    """A reply chain quoted many times over ("> > > > ...", closings among the quotes) is read
    once a line: the quotes before a closing and before the name are not given back one by one
    to try the closings at each (which took the salutation pattern past its time budget, and
    the item with it, on 80 KB); the signature under the last closing is found."""
    from dataguard.types import Chunk, Unit
    text = ("> " * 75 + "Thanks,\n") * 500 + "> Best regards,\n> Amina Okafor\n"
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/reply.eml", "reply.eml"), text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == ["Amina Okafor"]


@pytest.mark.parametrize("noise, lines, line, name", [
    ("Dear " + " " * 150 + "\n", 600, "Dear Amina Okafor,\n", "Amina Okafor"),
    ("Reported by " + "." * 150 + "\n", 600, "Reported by: Kwame Asante-Boateng (Protection)\n", "Kwame Asante-Boateng"),
    ("From " + "." * 150 + "\n", 600, "From: Amina Okafor <a.okafor@unhcr.org>\n", "Amina Okafor"),
    ("**Chair:" + " " * 150 + "\n", 600, "**Chair:** Ms. Inés Sánchez (IOM)\n", "Inés Sánchez"),
    # (one line: a dot leader of 60,000 characters, which the contact list's trigger takes whole)
    ("Contents in " + "." * 60000 + "\n", 1, "L2 Juma Ngowi........ +250 793 126 631\n", "Juma Ngowi"),
])
def test_a_name_after_lines_of_cues_and_runs_of_spaces_or_dots_is_found_in_time(pack_detectors, noise, lines, line,
                                                                                 name):
    """Cues followed by long runs of spaces or dots (a form's blank fields, a report's dot
    leaders), 600 lines of them or one long one: the spaces and dots after a cue are read once,
    not given back one by one to try the rest of the pattern at each (the salutation,
    header-label and contact-list patterns took 5 to 10 s on 60 to 95 KB, past their time
    budget, and the item with them); the name after them is found."""
    from dataguard.types import Chunk, Unit
    text = noise * lines + line
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/form.txt", "form.txt"), text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == [name]


@pytest.mark.parametrize("closing", ["KİND REGARDS,", "LIEBE GRÜẞE", "\u212aind regards,", "SALUDOS CORDİALES,",
                                     "Best regards," + " " * 60])
def test_a_signature_under_a_closing_with_letters_beyond_ascii_folding_is_found(pack_detectors, closing):
    """A closing that the pattern reads in any case, in capitals from a Turkish locale ('İ'),
    with a capital sharp s or a Kelvin sign, or with spaces after it: the trigger opens a window
    there (Hyperscan folds ASCII only), and the signature below it is found."""
    from dataguard.types import Chunk, Unit
    text = "The shipment left the warehouse on time and the paperwork was filed.\n" * 12 + closing + "\nAmina Okafor\n"
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/mail.txt", "mail.txt"), text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == ["Amina Okafor"]


@pytest.mark.parametrize("line, name", [
    ("Jean Pierre Amina Okafor" + " " * 104 + "<amina.okafor@example.org>\n", "Jean Pierre Amina Okafor"),
    ("Jean Pierre Amina Okafor" + "\t" * 300 + "<amina.okafor@example.org>\n", "Jean Pierre Amina Okafor"),
    ("[2024-03-19 22:14z] Adebayo Nwosu: patched the server\n", "Adebayo Nwosu"),
    ("[2024-03-19t22:14] Adebayo Nwosu: patched the server\n", "Adebayo Nwosu"),
])
def test_a_name_its_pattern_reads_far_from_its_cue_or_in_small_letters_is_found_whole(pack_detectors, line, name):
    """A display name far to the left of its address (a fixed-width report's columns), a chat
    line's time in small letters ('z', 't', which the pattern reads in any case): the trigger's
    window holds the whole name."""
    from dataguard.types import Chunk, Unit
    text = "The shipment left the warehouse on time and the paperwork was filed.\n" * 12 + line
    (_, matches), = pack_detectors("PERSON").analyze([Chunk(Unit("/t", "/t/list.txt", "list.txt"), text)])
    assert [text[m.start:m.end] for m in matches if m.entity_type == "PERSON"] == [name]


# ------------------------------------------------------------------ encoded mail headers
def test_encoded_words_decoded_before_detection(detector):
    from dataguard.detect import encoded_words
    from dataguard.types import Chunk, Unit
    text = ("relay01 header From: =?utf-8?b?QcOvc3NhdGEgTWHDr2dh?= <a@ngo-sahel.org>\n"
            "relay01 header To: =?utf-8?q?Ousmane_Diarra?= =?iso-8859-1?q?_=E9quipe?= <o@ngo-sahel.org>\n"
            "relay01 header Subject: =?bogus-charset?q?x?= and =?utf-8?b?not*base64?=\n")
    chunk = Chunk(Unit("/t", "/t/mail.log", "mail.log"), text)
    decoded, runs = encoded_words.decode(chunk)
    assert len(decoded.text) == len(text) and len(runs) == 2
    assert "Aïssata Maïga" in decoded.text and "Ousmane Diarra équipe" in decoded.text
    persons = [text[m.start:m.end] for _, ms in detector.analyze([chunk]) for m in ms if m.entity_type == "PERSON"]
    assert persons and persons[0] == "=?utf-8?b?QcOvc3NhdGEgTWHDr2dh?="


def test_biometric_blob_in_a_column_named_for_it(pack_detectors):
    from dataguard.types import Chunk, Unit
    blob = "Rk1SACAyMAAAAAFCAAABLAGQAMUAxQEAAAAoQ0B3ABpRAECZADVTAIBUAEtYAEDlAFFPAICjAFpYAEA6AGJTAIB2AGhYAECmAIRa" * 3
    det = pack_detectors("BIOMETRIC_DATA")

    def found(column):
        unit = Unit("db", "db/public.enrolment", "public.enrolment", table="public.enrolment", column=column,
                    source="database")
        chunk = Chunk(unit, blob + "\n", hint="structured", context=(column,))
        return [m.entity_type for _, ms in det.analyze([chunk]) for m in ms if m.score >= 0.5]
    assert found("fingerprint_template") == ["BIOMETRIC_DATA"] and found("iris_image") == ["BIOMETRIC_DATA"]
    assert found("attachment") == []


def test_particle_names_kept_by_the_name_filter():
    from dataguard.detect import Detector
    from dataguard.types import Chunk, Unit
    from tests.conftest import pack_context
    det = Detector(ner=True, language="auto", entities={"PERSON"}, context=pack_context())
    text = ("Réunion avec Ibrahim ag Alhassane à Kidal. Présents : Jean-Baptiste dos Santos, Maria da Silva.\n"
            "Meeting with Omar ben Youssef in Tunis.")
    names = {text[m.start:m.end] for _, ms in det.analyze([Chunk(Unit("/t", "/t/a.txt", "a.txt"), text)]) for m in ms}
    assert {"Ibrahim ag Alhassane", "Jean-Baptiste dos Santos"} <= names


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_civil_title_trigger_fires_on_titles_not_on_every_lone_m(use_hyperscan):
    from dataguard.detect.triggers import TriggerSet
    from dataguard.detect import known_entities
    packs = load_packs(None, known_entities())
    spec = next(r for p in packs for r in p.recognizers if any(x.name == "person-after-civil-title" for x in r.patterns))
    triggers = TriggerSet({"t": spec.trigger_regex}, {}, use_hyperscan=use_hyperscan)
    hits = lambda s: triggers.find(s, s.lower()).get("t", [])   # noqa: E731
    for titled in ("remis à M. Dupont", "Mrs Amina", "employée Awa", "EMPLOYEE Zawadi", "Monsieur Kiptoo"):
        assert hits(titled), titled
    for plain in ("I'm 5 m tall", "m = 3", "unemployed staff"):
        assert hits(plain) == [], plain


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_every_match_example_holds_its_recognizers_trigger(use_hyperscan):
    """A recognizer with a trigger runs only around its hits: each of its match examples holds
    one (the examples are short, so the pack's example test runs recognizers on the whole text
    and would not tell), found by Hyperscan and by Python's regexes alike."""
    import yaml

    from dataguard.detect.triggers import TriggerSet, lower_aligned
    from dataguard.rules.model import PackModel
    checked = 0
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        model = PackModel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for r in model.recognizers:
            if not r.trigger:
                continue
            regexes, words = ({"t": r.trigger}, {}) if isinstance(r.trigger, str) else ({}, {"t": list(r.trigger)})
            triggers = TriggerSet(regexes, words, use_hyperscan=use_hyperscan)
            for ex in r.examples.match:
                assert triggers.find(ex.text, lower_aligned(ex.text)).get("t"), (r.patterns[0].name, ex.text)
                checked += 1
    assert checked > 100


def test_word_start_triggers_open_no_window_inside_words():
    """The salutation, title and label recognizers' triggers fire where their words begin (in
    either case, letters beyond ASCII too), not inside other words: "this", "voucher",
    "commercial", "address", "program", "username" and "economy" hold no window. The
    salutation's fires where its pattern can match: a greeting as written before spaces, a word
    of a closing three words at most before the end of its line, in any case, letters beyond ASCII
    too ("KİND REGARDS", "LIEBE GRÜẞE"; "the best practices are listed…", a greeting in capitals
    hold none)."""
    from dataguard.detect import known_entities
    from dataguard.detect.triggers import TriggerSet, lower_aligned
    specs = {x.name: r for p in load_packs(None, known_entities()) for r in p.recognizers for x in r.patterns}
    cases = {
        "person-after-salutation-or-under-a-closing": (
            ["Hi Anna", "Chère Océane", "Mit freundlichem Gruß\n", "MIT FREUNDLICHEN GRÜSSEN\n", "Olá Bukola",
             "> Thanks,\r\n", "TRÈS CORDIALEMENT\n", "KİND REGARDS,\n", "LIEBE GRÜẞE\n", "SALUDOS CORDİALES,\n",
             "Beſt regards,\n", "\u212aind regards,\n", "Dear" + " " * 130],
            ["this chief voucher", "commercial character", "within", "the best practices are listed in the annex\n",
             "CHÈRE Océane", "Hi,\n", "best"]),
        "person-after-doctor": (["Dr Vikram", "le Pr. Jean", "PROFESSEURE Anne"], ["address", "program ", "drums"]),
        "person-after-title-or-label": (["PRÉNOM : Jean", "la Sra. María", "Full name: Ana", "Doña Inés"],
                                        ["username", "economy", "London", "hostname"]),
    }
    for name, (fire, quiet) in cases.items():
        spec = specs[name]
        for use_hyperscan in (True, False):
            triggers = TriggerSet({"t": spec.trigger_regex}, {}, use_hyperscan=use_hyperscan)
            for text in fire:
                assert triggers.find(text, lower_aligned(text)).get("t"), (name, text)
            for text in quiet:
                assert not triggers.find(text, lower_aligned(text)).get("t"), (name, text)


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_the_east_asian_surnames_trigger_is_its_pattern_and_its_windows_find_what_the_whole_text_gives(
        pack_detectors, use_hyperscan):
    """The trigger of a given name before an East Asian surname is the pattern without its
    look-arounds, case and all: no window at a surname inside a word ("than", "long", "admin"), and
    on windows the recognizer finds what it finds in the whole text, among hyphenated words, names
    in other cases, glued to words or cut by a window's edge in a long run of letters."""
    import random

    from dataguard.detect.windows import run_windowed, trigger_set
    det = pack_detectors("PERSON")
    t = next(t for t in det._recognizers if t.name.endswith("person-hyphenated-given-name-east-asian-surname"))
    triggers = trigger_set([t], use_hyperscan=use_hyperscan, hyperscan_after=0)
    for plain in ("rather than long lines, the admin", "standard, among, change, Seo-yeon, KA-MING WONG"):
        assert not any(triggers.find(plain).values()), plain
    rnd = random.Random(7)
    given = ["Ka-ming", "Ji-hoon", "Seo-yeon", "Wai-man", "Co-op", "Sign-in", "Abcde-fghij", "ka-ming", "KA-MING",
             "Ab-c", "Ka-mingx", "x-Ka-ming", "Wai-up"]
    surnames = ["Wong", "Kim", "Park", "Chan", "Chang", "Tanaka", "wong", "WONG", "Wongs", "Lee-Smith", "Tay"]
    glue = [" ", "  ", "-", "", "\n", "x", ".", "'", ", ", " " + "q" * rnd.randint(30, 60), "_"]
    parts = []
    for _ in range(1500):
        parts += [rnd.choice(glue), rnd.choice(given), rnd.choice([" ", " ", "  ", "-", ""]), rnd.choice(surnames)]
    text = "".join(parts)
    whole = [(r.start, r.end, r.score) for r in t.recognizer.analyze(text, t.entities)]
    windowed = [(r.start, r.end, r.score) for r in run_windowed(t, text, triggers.find(text))]
    assert windowed == whole and len(whole) > 40


def test_romanised_korean_and_cantonese_given_names_before_their_surnames(pack_detectors):
    """"Ka-ming Wong", "Ji-hoon Kim": a given name of two syllables, the second in small letters,
    before a surname of those languages, which the small models read as no person, is one (without
    the model too); a hyphenated word before a word that is such a surname is not."""
    from dataguard.types import Chunk, Unit
    det = pack_detectors("PERSON")

    def persons(text):
        (_, matches), = det.analyze([Chunk(Unit("/t", "/t/notes.txt", "notes.txt"), text)])
        return [(m.start, m.end) for m in matches if m.entity_type == "PERSON"]
    text = ("Transferred to supervisor Ka-ming Wong (ext 239). As discussed with Ji-hoon Kim and "
            "Seo-yeon Park, the refund was sent; Wai-man Cheung signed.\n")
    assert persons(text) == [(text.index(n), text.index(n) + len(n))
                             for n in ("Ka-ming Wong", "Ji-hoon Kim", "Seo-yeon Park", "Wai-man Cheung")]
    for decoy in ("The Co-op Lee branch reopened.", "Follow-up Park Road visit.", "Sign-in Kim desk.",
                  "Wei-ling Tanaka arrived.", "ka-ming wong in small letters"):
        assert persons(decoy) == [], decoy

"""Tables in NER mode (real model): columns judged on a sample of their cells - names found in
every row (beyond the sample too), columns without names (statuses, products, cities) giving
none, rare names in a free-text column still found - for CSV text, spreadsheet rows and
database column chunks, whatever the batching."""
from __future__ import annotations

import pytest

from dataguard.detect import Detector, ner
from dataguard.detect.columns import NAMES_RECOGNIZER
from dataguard.detect.ner import SAMPLE as _SAMPLE
from dataguard.detect.tabular import Layout as _Layout
from dataguard.extract.ooxml import ChunkBuilder
from dataguard.types import Chunk, Limits, Unit

pytestmark = pytest.mark.model

CSV_UNIT = Unit(target="/t", uri="/t/people.csv", path="people.csv")
DB_UNIT = Unit(target="pg://db", uri="pg://db#public.beneficiaries", path="public.beneficiaries",
               table="public.beneficiaries", column="full_name", source="database")
SHEET_UNIT = Unit(target="/t", uri="/t/people.xlsx", path="people.xlsx")

FIRST = ["Amina", "John", "Fatima", "Grace", "Peter", "Aisha", "David", "Mary", "Ahmed", "Sarah", "Joseph", "Halima",
         "Esther", "Samuel", "Zainab", "Claire", "Pierre", "Sophie", "Carlos", "Elena", "Leila", "Yusuf", "Nadia",
         "Kofi", "Abena", "Ngozi", "Wanjiru", "Tendai", "Priya", "Olga"]
LAST = ["Okafor", "Smith", "Hassan", "Mwangi", "Dubois", "Martin", "Kamau", "Johnson", "Mensah", "Owusu", "Garcia",
        "Khan", "Ahmed", "Omondi", "Banda", "Phiri", "Moyo", "Sharma", "Patel", "Chen", "Brown", "Williams",
        "Taylor", "Laurent", "Fischer", "Rossi"]
CITIES = ["Nairobi", "Geneva", "Kampala", "Dakar", "Amman", "Beirut", "Juba", "Goma", "Bamako", "Lagos", "Accra",
          "Addis Ababa", "New York", "Dhaka", "Kinshasa", "Maputo", "Harare", "Copenhagen"]
STATUSES = ["Active", "Pending", "Closed", "On Hold", "Resettled", "Transferred", "Under Review", "Approved",
            "Rejected", "Archived"]
# (the small model reads some two capitalised words as a person in any column: "Kitchen Set")
PRODUCTS = ["Blanket", "Tarpaulin", "Jerrycan", "Kitchen set", "Hygiene kit", "Solar lamp", "Mosquito net",
            "Sleeping mat", "Water filter", "Tent"]


def name_of(i: int) -> str:
    return f"{FIRST[(i * 7) % len(FIRST)]} {LAST[(i * 11) % len(LAST)]}"


def person_spans(det: Detector, chunks: list) -> list:
    """Per chunk: the set of (start, end, value) of PERSON matches."""
    out = []
    for chunk, matches in det.analyze(chunks):
        out.append({(m.start, m.end, chunk.text[m.start:m.end]) for m in matches if m.entity_type == "PERSON"})
    return out


def texts_given_to_ner(monkeypatch) -> list:
    """The list every text handed to spaCy (each cell or region) is appended to, in order."""
    seen = []
    real = ner.NerRunner._run

    def spy(self, cache, cells):
        seen.extend(p.chunk.text[s:e] for p, (s, e, _) in cells)
        return real(self, cache, cells)
    monkeypatch.setattr(ner.NerRunner, "_run", spy)
    return seen


def spans_of(text: str, values: list) -> set:
    """(start, end, value) of each value, searched in order (each after the previous one)."""
    out, pos = set(), 0
    for v in values:
        i = text.index(v, pos)
        out.add((i, i + len(v), v))
        pos = i + len(v)
    return out


@pytest.fixture(scope="module")
def patterns_en():
    """English without the model, with the packs' context words."""
    from tests.conftest import pack_context
    return Detector(ner=False, language="en", context=pack_context())


@pytest.fixture(scope="module")
def people_csv():
    """200 rows: a name column (beyond the sample), decoy columns, a notes column with a few names."""
    header = "id,name,city,status,product,notes"
    rows, expected = [header], []
    for i in range(200):
        name = name_of(i)
        if i == 150:
            name = "Claire Dubois-Martin"
        notes = ""
        if i % 9 == 0:
            notes = "Documents missing"
        if i in (30, 97, 188):
            other = name_of(i + 3)
            notes = f"Case reviewed by {other} on site"
            expected_note = other
        else:
            expected_note = None
        if i == 120:
            notes = '"Called back, no answer"'          # a quoted field holding the delimiter
        rows.append(f"{1000 + i},{name},{CITIES[i % len(CITIES)]},{STATUSES[i % len(STATUSES)]},"
                    f"{PRODUCTS[i % len(PRODUCTS)]},{notes}")
        expected.append(name)
        if expected_note:
            expected.append(expected_note)
    text = "\n".join(rows) + "\n"
    return text, spans_of(text, expected)


def test_csv_names_in_every_row_and_no_decoys(detector, people_csv):
    text, expected = people_csv
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("id", "name", "city", "status", "product", "notes"),
                  hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == expected
    assert len(expected) == 203 and 200 > _SAMPLE


def test_csv_result_does_not_depend_on_batching(detector, people_csv):
    text, expected = people_csv
    ctx = ("id", "name", "city", "status", "product", "notes")
    chunk = Chunk(unit=CSV_UNIT, text=text, context=ctx, hint="structured")
    other = Chunk(unit=CSV_UNIT, text="id,name\n1,Grace Mwangi\n", context=("id", "name"), hint="structured")
    single = Detector(batch_size=1)
    assert person_spans(detector, [other, chunk, other])[1] == expected
    assert person_spans(single, [other, chunk])[1] == expected


def test_csv_chunk_with_overlap_keeps_only_its_window(detector, people_csv):
    """A later chunk of a file: text starts mid-row (overlap), header only as context."""
    text, expected = people_csv
    cut = text.index("\n", len(text) // 3) + 1
    before = text[cut - 300:cut]
    body = text[cut:]
    chunk = Chunk(unit=CSV_UNIT, text=before + body, keep_start=len(before), keep_end=len(before) + len(body),
                  first_line=None, context=("id", "name", "city", "status", "product", "notes"), hint="structured")
    [got] = person_spans(detector, [chunk])
    shift = cut - len(before)
    assert got == {(s - shift, e - shift, v) for s, e, v in expected if s >= cut}


def test_rare_names_in_a_free_text_column(detector):
    """A comment column whose sample holds no entity at all: the names further down are still found."""
    comments = []
    for i in range(200):
        comments.append(["Pending review", "Documents missing", "Follow-up required", "Interview done"][i % 4])
    comments[123] = "Visited by Grace Mwangi"
    comments[171] = "Referred by Dr. Okafor"
    comments[190] = "Interpreter: A. Hassan"
    rows = ["ref;comment;status"] + [f"R-{i:04d};{c};{STATUSES[i % len(STATUSES)]}" for i, c in enumerate(comments)]
    text = "\n".join(rows)
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("ref", "comment", "status"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, ["Grace Mwangi", "Okafor", "A. Hassan"])


@pytest.fixture(scope="module")
def persons_detector():
    """The real English model asked for persons and the patterns' entities (as the default packs ask)."""
    from tests.conftest import pack_context
    return Detector(ner=True, language="en", context=pack_context(),
                    entities={"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "DATE_OF_BIRTH"})


def test_sentences_without_a_name_candidate_in_a_sampled_column_are_not_read(persons_detector, detector, monkeypatch):
    """A notes column's sample, the model asked for persons alone: a sentence without two
    capitalised words or a title (a shipment's codes and dates) is not given to the model, a short
    cell and a sentence holding a name are; the names are found, in the sample and further down,
    and nothing in the codes. Asked for places too, the model reads every sentence."""
    notes = []
    for i in range(120):
        notes.append(f"Order {9130000 + i * 7919} and invoice INV-2024-{i:06d} were reconciled on 2024-03-{i % 28 + 1:02d}")
    notes[5] = "Cleared"
    notes[7] = "Payment approved by Grace Mwangi on 3 May"
    notes[90] = "Called back by Dr. Okafor about the refund"
    # a name and an initial, a surname in capitals and a comma, a title in small letters: name candidates too
    notes[12] = "Timesheet for June approved by Tomasz T. yesterday"
    notes[20] = "Claim filed under MENSAH, Kwame - documents still incomplete"
    notes[95] = "seen by dr Otieno on 20/01/2024, no follow-up needed"
    rows = ["ref,notes,status"] + [f'R-{i:04d},"{n}",{STATUSES[i % len(STATUSES)]}' for i, n in enumerate(notes)]
    text = "\n".join(rows) + "\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("ref", "notes", "status"), hint="structured")
    seen = texts_given_to_ner(monkeypatch)
    [got] = person_spans(persons_detector, [chunk])
    assert got == spans_of(text, ["Grace Mwangi", "Tomasz T.", "MENSAH, Kwame", "Okafor", "Otieno"])
    assert "Cleared" in seen and notes[7] in seen
    assert not any(t.startswith("Order ") for t in seen)
    seen.clear()
    notes[30] = "the shipment was delivered to the warehouse in Mombasa on 3 May"
    text = "\n".join(["ref,notes,status"] + [f'R-{i:04d},"{n}",{STATUSES[i % len(STATUSES)]}'
                                            for i, n in enumerate(notes)]) + "\n"
    [(_, found)] = detector.analyze([Chunk(unit=CSV_UNIT, text=text, context=("ref", "notes", "status"),
                                           hint="structured")])
    assert notes[30] in seen and any(t.startswith("Order ") for t in seen)
    assert ("LOCATION", text.index("Mombasa"), text.index("Mombasa") + 7) in {
        (m.entity_type, m.start, m.end) for m in found}
    [names] = person_spans(persons_detector, [Chunk(unit=CSV_UNIT, text="name,notes\n" + "\n".join(
        f'{name_of(i)},"{n}"' for i, n in enumerate(notes[:60])) + "\n", context=("name", "notes"), hint="structured")])
    assert {v for _, _, v in names} >= {name_of(i) for i in range(60)} - {name_of(5)} and "Grace Mwangi" in {
        v for _, _, v in names}


def test_mixed_column_gets_ner_on_every_cell(detector, monkeypatch):
    """Organisations and people in one column: not a name column, so every cell goes to NER,
    exactly as without sampling."""
    values = []
    for i in range(120):
        values.append(["World Health Organization", "Red Cross", "Save the Children"][i % 3] if i % 2 else name_of(i))
    text = "contact\tcity\n" + "\n".join(f"{v}\t{CITIES[i % len(CITIES)]}" for i, v in enumerate(values)) + "\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("contact", "city"), hint="structured")
    [got] = person_spans(detector, [chunk])
    names = spans_of(text, [v for i, v in enumerate(values) if i % 2 == 0])
    assert got <= names and len(got) >= 0.9 * len(names)      # the small model misses a few
    assert any(s > text.index(values[2 * _SAMPLE]) for s, _, _ in got)
    monkeypatch.setattr(ner, "SAMPLE", 10 ** 9)
    assert person_spans(detector, [chunk]) == [got]


def test_database_name_column(detector):
    values = [name_of(i) for i in range(200)]
    values[77] = "Okafor"                 # a single surname: a name in a column named like one
    values[160] = "Kamau"
    text = "\n".join(values)
    chunk = Chunk(unit=DB_UNIT, text=text, first_line=None, context=("full_name", "full", "name", "full name",
                                                                        "beneficiaries"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, values)


def test_database_column_without_names(detector):
    unit = Unit(target=DB_UNIT.target, uri=DB_UNIT.uri, path=DB_UNIT.path, table=DB_UNIT.table, column="status",
                source="database")
    text = "\n".join(STATUSES[i % len(STATUSES)] if i % 3 else PRODUCTS[i % len(PRODUCTS)] for i in range(200))
    chunk = Chunk(unit=unit, text=text, first_line=None, context=("status", "beneficiaries"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == set()


def _sheet_chunks(rows: list) -> list:
    b = ChunkBuilder(SHEET_UNIT, Limits(), hint="structured", lines=False)
    chunks = []
    for r, row in enumerate(rows, start=1):
        pieces = [(v, _ptr(c, r)) for c, v in enumerate(row) if v]
        if r == 1:
            b.context = tuple(v for v in row if v)
        chunks.extend(b.add(pieces))
    chunks.extend(b.flush())
    return chunks


def _ptr(col: int, row: int):
    from dataguard.types import Pointer
    return Pointer(sheet="Sheet1", cell=f"{'ABCDEFGH'[col]}{row}")


def test_spreadsheet_rows(detector):
    rows = [["Name", "Town", "Status", "Item"]]
    for i in range(150):
        rows.append([name_of(i), CITIES[i % len(CITIES)] if i % 5 else "", STATUSES[i % len(STATUSES)],
                     PRODUCTS[i % len(PRODUCTS)]])
    [chunk] = _sheet_chunks(rows)
    layout = _Layout(chunk)
    assert layout.headers == {"A": "Name", "B": "Town", "C": "Status", "D": "Item"}
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(chunk.text, [name_of(i) for i in range(150)])


def test_a_sheets_labels_and_footers_under_a_people_column_are_no_persons(detector):
    """A payroll sheet's footer rows in its column of names ("Total", "Approved", "Notes",
    "Signature") and a label under a role's column ("Employee": "Notes", "Remarks") are no
    persons, whatever the model reads in them; the names are."""
    names = [name_of(i) for i in range(12)]
    labels = {4: "Notes", 8: "Remarks", 13: "Total", 14: "Approved", 15: "Signature", 16: "Approved by"}
    for header in ("Full name", "Employee"):
        cells = list(names)
        for i, label in sorted(labels.items()):
            cells.insert(i, label)
        rows = [[header, "Net pay"]] + [[c, str(1000 + 7 * i)] for i, c in enumerate(cells)]
        [chunk] = _sheet_chunks(rows)
        [got] = person_spans(detector, [chunk])
        assert got == spans_of(chunk.text, names), header


def test_layout_of_quoted_csv():
    text = 'name;notes;status\nAmina Okafor;"Called; no answer";Active\nJohn Smith;"two\nlines";Closed\nBad row\n'
    layout = _Layout(Chunk(unit=CSV_UNIT, text=text, context=("name", "notes", "status"), hint="structured"))
    assert layout.headers == {0: "name", 1: "notes", 2: "status"}
    assert layout.header_rows == [(0, len("name;notes;status"))]
    assert layout.column_of(text.index("no answer")) == 1
    assert layout.column_of(text.index("Active")) == 2
    assert layout.column_of(text.index("lines")) == 1
    assert layout.column_of(text.index("Closed")) == 2
    assert layout.column_of(text.index("Bad row")) is None


def test_person_column_without_a_name_header(detector):
    """A column the sample shows to hold names (header not a known name column): every row."""
    values = [name_of(i) if i % 10 else f"{FIRST[i % len(FIRST)]} {LAST[(i * 3) % len(LAST)]}-{LAST[i % len(LAST)]}"
              for i in range(150)]
    text = "beneficiary|district\n" + "\n".join(f"{v}|{CITIES[i % len(CITIES)]}" for i, v in enumerate(values))
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("beneficiary", "district"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, values)


# names of many languages the small model reads as no person, or as a part of one, in a cell of
# their own (a staff export's "User" column)
MISSED_NAMES = ["Matteo M. Colombo Esposito", "Lukas Fernández Castillo", "Ineke de Boer-van Dijk",
                "Samira Farouk Benali", "Annegret Janssen", "Inmaculada Mutua-Kariuki", "Wambui Bianchi Gallo",
                "Ineke D. Marino", "Régis F. Smit", "Giulia Oberholzer-Schäfer", "Maarten Wafula-Chebet"]


def test_a_column_the_model_reads_as_names_gives_every_name_in_it(detector):
    """A column with no person's name for a header, which the model reads as persons in most
    cells but not in its first cells' sample: judged over the whole column, every name-shaped
    cell is a name, a title before it is not part of it; its placeholders, a desk, a code and
    what the model reads as a place are not names."""
    names = []
    for i in range(60):
        names.append(MISSED_NAMES[i // 4] if i % 4 == 0 and i // 4 < len(MISSED_NAMES) else name_of(i))
    cells = list(names)
    cells[5] = "Mr. " + names[5]
    decoys = {11: "N/A", 23: "Service Desk", 37: "ORD-2022-49485", 45: "Addis Ababa", 51: "Google Drive"}
    for i, d in decoys.items():
        cells[i] = d
    text = "User,client_ip\n" + "\n".join(f"{c},10.0.{i}.7" for i, c in enumerate(cells))
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("user", "client_ip"), hint="structured")
    [got] = person_spans(detector, [chunk])
    expected = [n for i, n in enumerate(names) if i not in decoys]
    assert got == spans_of(text, expected)
    assert not any(d in v for _, _, v in got for d in decoys.values())


def test_names_in_capitals_in_a_column_the_model_reads_as_names_are_names(detector):
    """A staff export under "Employee" (a role, no person's name for a header) where a few rows
    are written in capitals: the model reads the column as persons, so each name in capitals is
    one too (the filters drop a model's "person" in capitals, a heading's as often); a status
    in capitals in another column is none."""
    names = [name_of(i).upper() if i % 6 == 3 else name_of(i) for i in range(80)]
    text = "Employee,Status,Salary\n" + "\n".join(
        f"{n},{STATUSES[i % len(STATUSES)].upper()},{40000 + 137 * i}" for i, n in enumerate(names))
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("employee", "status", "salary"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, names)


def test_a_column_the_model_reads_as_names_in_part_only_gives_only_the_models_names(detector):
    """A column of persons' names and firms or products written like names, half and half: the
    model reads seven cells in ten as persons (firms and products too: fewer than three in four),
    no name is added to those."""
    firms = ["Baker Hughes", "Johnson Controls", "Morgan Stanley", "Kitchen Set", "Solar Lamp", "Hygiene Kit",
             "Goldman Sachs", "Procter Gamble", "Mosquito Net", "Water Filter", "Sleeping Mat", "Arthur Andersen"]
    cells = [c for i, f in enumerate(firms * 2) for c in (name_of(i), f)]
    text = "Party,amount\n" + "\n".join(f"{c},{100 + i}" for i, c in enumerate(cells))
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("party", "amount"), hint="structured")
    [(_, matches)] = detector.analyze([chunk])
    persons = [m for m in matches if m.entity_type == "PERSON"]
    assert persons and not any(m.recognizer == NAMES_RECOGNIZER for m in persons)


def test_sampling_spares_ner(detector, people_csv, monkeypatch):
    """Most cells of a large table never reach spaCy: only the samples, cells of mixed columns
    (here the cities) and name candidates of columns without names."""
    text, _ = people_csv
    seen = texts_given_to_ner(monkeypatch)
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("id", "name", "city", "status", "product", "notes"),
                  hint="structured")
    list(detector.analyze([chunk]))
    names = {name_of(i) for i in range(200)}
    assert sum(1 for t in seen if t in names) <= _SAMPLE
    assert sum(1 for t in seen if t in ("Active", "Pending", "Closed", "Tent", "Blanket")) <= 2 * _SAMPLE


def test_ner_groups_are_bounded_in_characters_and_keep_order():
    """spaCy's working memory grows with the characters of one nlp.pipe call: groups stay
    under NER_GROUP_CHARS (a longer text goes alone), results come back in input order."""
    calls = []

    class FakeNlp:
        def pipe(self, texts, batch_size):
            calls.append(list(texts))
            return [t.upper() for t in texts]

    limit = ner.NER_GROUP_CHARS
    texts = ["a" * (limit // 3), "b" * (limit // 3), "c" * (limit // 3), "d" * (limit * 3), "e", "f" * (limit // 2)]
    out = list(ner.pipe(FakeNlp(), texts))
    assert out == [t.upper() for t in texts]
    assert [len(c) for c in calls] == [3, 1, 2]
    assert all(sum(map(len, c)) <= limit or len(c) == 1 for c in calls)


def test_json_values_go_to_ner_alone_and_are_judged_by_their_key(detector, monkeypatch):
    """A JSON export: each value reaches spaCy without its key and quotes (a quoted phrase after
    a key reads as a title to the small model), and a key named for people makes its
    name-shaped values names, as a CSV header does; other keys' values give no person."""
    import json
    records = []
    for i in range(60):
        rec = {"id": str(1000 + i), "full_name": name_of(i), "city": CITIES[i % len(CITIES)],
               "status": STATUSES[i % len(STATUSES)], "item": PRODUCTS[i % len(PRODUCTS)]}
        if i in (7, 41):
            rec["note"] = f"Case reviewed by {name_of(i + 3)} on site"
        records.append(rec)
    records[25]["full_name"] = "Okafor"             # a surname alone, in a key named for names
    text = json.dumps({"export": "contacts", "records": records}, indent=1)
    unit = Unit(target="/t", uri="/t/export.json", path="export.json")
    seen = texts_given_to_ner(monkeypatch)
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    names = [r["full_name"] for r in records]
    notes = [name_of(10), name_of(44)]
    assert {v for _, _, v in got} == set(names) | set(notes)
    assert not any('"full_name"' in t for t in seen)
    assert "Okafor" in seen and not any(t in seen for t in ("Active", "Pending", "Closed", "Tent"))


def test_a_ticket_export_names_its_assignees_and_requesters(detector):
    """Keys named for the people of a ticket ("assignee", "requester": {"name": ...}) make their
    name-shaped values persons, in capitals or with initials too; a queue ("ICT Kakuma", "Service
    Desk") or a system account ("Administrator") is none."""
    import json
    queues = ["ICT Kakuma", "Service Desk", "UNHCR Nairobi", "Administrator"]
    tickets = []
    for i in range(24):
        assignee = queues[i // 6] if i % 6 == 5 else ("A.G. " + LAST[i % len(LAST)] if i % 6 == 4 else name_of(i))
        requester = name_of(i + 40).upper() if i % 3 == 0 else name_of(i + 40)
        tickets.append({"id": f"TKT-{7000 + i}", "assignee": assignee, "requester": {"name": requester},
                        "status": STATUSES[i % len(STATUSES)]})
    text = json.dumps({"tickets": tickets}, indent=2)
    unit = Unit(target="/t", uri="/t/tickets.json", path="tickets.json")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    values = {v for _, _, v in got}
    want = {t["assignee"] for t in tickets if t["assignee"] not in queues} | {t["requester"]["name"] for t in tickets}
    assert values == want


def test_a_form_exports_keys_are_group_paths(detector):
    """KoboToolbox and ODK write a form's field under its group's path ("group_id/nom_repondant"):
    the key is read as its words, and the names under it are persons, in capitals too."""
    import json
    rows = [{"_id": 900 + i, "group_id/nom_repondant": name_of(i).upper() if i % 3 == 0 else name_of(i),
             "group_id/sexe": "femme" if i % 2 else "homme", "group_menage/besoins": STATUSES[i % len(STATUSES)]}
            for i in range(30)]
    text = json.dumps(rows, indent=1)
    unit = Unit(target="/t", uri="/t/kobo.json", path="kobo.json")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    assert {v for _, _, v in got} == {r["group_id/nom_repondant"] for r in rows}


def test_a_paths_group_cancels_no_signal_of_its_field():
    """A word that cancels a signal ("id") counts in the field's own segment, not in its group's:
    "group_id/telephone" is a phone, "telephone_id" is not."""
    from dataguard.detect.columns import vocabulary_for
    vocab = vocabulary_for(())
    assert "PHONE_NUMBER" in vocab.verdict("group_id/telephone").positive
    assert "PHONE_NUMBER" not in vocab.verdict("telephone_id").positive
    assert "PERSON" in vocab.verdict("group_id/nom_repondant").positive
    assert "PHONE_NUMBER" not in vocab.verdict("phone.model").positive


def test_a_generic_name_key_makes_no_person_of_a_team_or_a_task(detector):
    """Under a generic key ("name", "displayName") only what the model reads as a person is one:
    a team, a debugger configuration or a project is no one; a person there still is. Under a key
    of someone's role ("owner") the generic key is that person's name: a team there is still none."""
    import json
    doc = {"value": [{"name": "Finance Team"}, {"name": "Main Office"}, {"displayName": "Project Phoenix"},
                     {"displayName": "Printer Floor"}],
           "configurations": [{"name": "Launch Chrome"}, {"name": "Attach"}, {"name": "Debug Tests"}],
           "owner": {"displayName": "Amina Okafor"}, "backupOwner": {"displayName": "Service Desk"}}
    doc["staff"] = [{"full_name": "Okafor"}]
    text = json.dumps(doc, indent=1)
    unit = Unit(target="/t", uri="/t/teams.json", path="teams.json")
    chunk = Chunk(unit=unit, text=text)
    plan = detector._runner("en").plan(chunk)
    whole = {text[c.start:c.end]: c.name_column for c in plan.first}
    assert whole["Finance Team"] is False and whole["Attach"] is False
    assert whole["Okafor"] is True and whole["Amina Okafor"] is True   # (an explicit key, a role's key)
    [got] = person_spans(detector, [chunk])
    assert {"Okafor", "Amina Okafor"} <= {v for _, _, v in got}
    assert not {"Attach", "Service Desk", "Finance Team"} & {v for _, _, v in got}


def test_a_generic_name_key_under_a_place_or_a_thing_holds_no_person(detector):
    """Sites and products: their "name" is a place's or a thing's; a person under "customer" in
    the same file is still found, and so are a beneficiary in a feature's properties and a
    person in a feature's free-text note."""
    import json
    places = ["Central Park", "Kakuma Camp", "Dadaab Hospital", "Lake Victoria", "Mount Elgon", "Kibera Market",
              "Grace Road", "Hope Clinic", "Victoria Hall", "Joseph Square"]
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.8 + i / 10, -1.2]},
                 "properties": {"site": {"name": p}, "kind": "site"}} for i, p in enumerate(places)]
    features[3]["properties"]["note"] = f"Visited by {name_of(5)} last week"
    features[4]["properties"]["beneficiary"] = "Halima Yusuf"     # a role key under a generic container
    doc = {"type": "FeatureCollection", "features": features,
           "products": [{"name": p} for p in ("Solar Lamp", "Kitchen Set", "Hygiene Kit")],
           "customer": {"full_name": name_of(2), "site": {"name": "Goma Office"}}}
    text = json.dumps(doc, indent=1)
    unit = Unit(target="/t", uri="/t/export.geojson", path="export.geojson")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    values = {v for _, _, v in got}
    assert values == {name_of(2), name_of(5), "Halima Yusuf"}, values


def test_place_columns_lower_person_only_as_whole_names():
    from dataguard.detect.columns import _Column, column_verdict, vocabulary_for
    vocab = vocabulary_for(())

    def person(name, parent=None, table=None):
        return "PERSON" in column_verdict(vocab, _Column(name=name, context=(), parent=parent, table=table)).positive

    assert person("name") and person("name", parent="customer") and person("camp manager name")
    assert person("name", parent="properties") and person("beneficiary", parent="site")
    assert not person("name", parent="site") and not person("name", parent="product")
    assert not person("name", table="sites") and not person("camp name") and not person("site name")
    assert "PERSON" not in column_verdict(vocab, _Column(name="camp manager", context=())).lowered


def test_words_in_brackets_that_say_nothing_leave_a_column_name_its_meaning():
    """A bilingual header with asides ("Bénéficiaire (complet) / Beneficiary (full)") names
    people as its words without the brackets do; an aside that says something is kept
    ("Beneficiary (company)" is a firm's, "BANK ACCOUNT (IBAN)" an IBAN's)."""
    from dataguard.detect.columns import vocabulary_for
    vocab = vocabulary_for(())
    assert vocab.is_name_column("Bénéficiaire (complet) / Beneficiary (full)")
    assert vocab.is_name_column("Bénéficiaire (complet) / Beneficiary (fu")      # a header name cut at 40
    assert not vocab.is_name_column("Beneficiary (company)")
    assert "IBAN_CODE" in vocab.verdict("BANK ACCOUNT (IBAN)").positive


def test_a_name_the_model_reads_on_into_the_next_column_ends_at_the_gap(detector):
    """The model may read a name on over a fixed-width form's gap ("KOVALENKO Vladimir      CARD"):
    a name ends where two spaces or a tab stand."""
    text = ("CARDHOLDER: KOVALENKO Vladimir                CARD: 4709-7526-2139-6144     LIMIT USD 25,000\n"
            "  UNIT: Network & Infrastructure   COST CENTRE: CC86010\n")
    unit = Unit(target="/t", uri="/t/card_recon.txt", path="card_recon.txt")
    got = person_spans(detector, [Chunk(unit=unit, text=text)])[0]
    assert spans_of(text, ["KOVALENKO Vladimir"]) <= got
    assert not any("  " in v or "\t" in v for _, _, v in got)


@pytest.mark.parametrize("header", ["Head of household", "Beneficiary", "Enumerator", "display_name", "Titulaire",
                                    "Nome completo", "ПІБ (латиницею)", "Claimant", "group_id/nom_repondant",
                                    "userDisplayName", "Prescriber", "Floor warden", "Interpreter",
                                    "Bénéficiaire (complet) / Beneficiary (full)", "Contact person (host)"])
def test_a_register_in_capitals_and_surname_first(detector, header):
    """Registers write names in capitals ("IMOGEN BRAMLEY") or surname first ("SALAZAR, Fernando"),
    which the small model misses or halves: in a column named for people (a role too: the
    beneficiary, the agent) each such cell is one person, whole; the other columns' capitals
    (statuses, a placeholder, a city) are none."""
    names = [f"{LAST[(i * 5) % len(LAST)].upper()}, {FIRST[(i * 7) % len(FIRST)]}" if i % 2 else
             f"{FIRST[(i * 7) % len(FIRST)].upper()} {LAST[(i * 5) % len(LAST)].upper()}" for i in range(30)]
    rows = []                       # (the header is the chunk's context, as the CSV reader gives it)
    for i, n in enumerate(names):
        cell = f'"{n}"' if "," in n else n
        rows.append(f"{500 + i};{cell};{STATUSES[i % len(STATUSES)].upper()};{CITIES[i % len(CITIES)].upper()}")
    rows.append("530;NOT PROVIDED;PENDING;NAIROBI")
    text = "\n".join(rows) + "\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("id", header.lower(), "status", "city"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert {v for _, _, v in got} == set(names)


def test_name_shaped_reads_capitals_and_surname_first():
    from dataguard.detect.filters import name_shaped
    for cell in ("Amina Okafor", "Okafor", "de la Cruz", "IMOGEN BRAMLEY", "GAËLLE AURÉLIEN BEAUCHÊNE",
                 "SALAZAR, Fernando", "DE LA CRUZ, Maria", "O'BRIEN, Mary", "JEAN-LUC MARTIN",
                 "van der Berg, Pieter", "de la Cruz, Maria", "Da Silva, João", "bin Laden, Osama",
                 "X.L. Ramírez", "A.E. Osman", "D.O. MacDonald-Zhao", "MacDonald, Megan", "McKenzie-Otieno, Ruth",
                 "ZHANG, Na", "Na Zhu", "Si Thu Aung", "A.-S. Mercier", "J.-P. Kabila",
                 "Maria Eduarda da Rocha Dias", "DA COSTA DA CRUZ, Thiago", "José María de los Santos",
                 # two surnames before the comma (Spanish, Portuguese), particles, apostrophes, hyphens
                 "Zamora Etxeberria, Íñigo", "Smith Jones, Bob", "da Rocha Ferreira, Pedro Rodrigo",
                 "Detlef zu Jung", "Laura Reyes y Benítez", "ISABEL CABALLERO Y DIEZ", "GUSTAVO DOS SANTOS SANTOS",
                 "Bianchi-Dell'Acqua, Laura", "Carl L. O'Connor-Ward", "COX-O'CONNOR, Marcus N.", "Maas-de Groot, Dirk",
                 "d'Montalembert, François", "Masamune Date", "Larry Page"):
        assert name_shaped(cell), cell
    for cell in ("OKAFOR", "NOT PROVIDED", "NAME WITHHELD", "UNKNOWN", "ON FILE", "NURSE ON DUTY", "N/A", "NA", "Na", "na", "Y", "Y N",
                 "A.E.F.G.H. Osman", "Smith, John, Jr", ", John",
                 "Okafor,", "AB-1234", "Amina Okafor 2", "one two three four five", "Yes", "No", "True",
                 "Service Desk", "Auto Assign", "FIELD TEAM", "Acme, Inc", "Amina Okafor, Kamil Holub",
                 "Pérez Medina, María José", "Maria e", "E Commerce", "Anna van", "de la, Maria", "Berg van der, Pieter", "van der Sales Team, Bob",
                 "Abu Dhabi, UAE", "MacBook Pro", "A.- Mercier", "ICT Kakuma", "UNHCR Nairobi", "Administrator",
                 "Windows User", "Ana Beatriz de la Paz Montes Oca", "da de la",
                 # a form's labels and footers
                 "Total", "TOTAL", "Grand Total", "Notes", "Remarks", "Signature", "Approved", "Approved By", "Date",
                 "Date Signed", "Sous-total", "Observations", "Visa", "Observaciones", "Firma", "Unterschrift"):
        assert not name_shaped(cell), cell


@pytest.mark.parametrize("cell, name", [
    ("Giulia Oberholzer-Schäfer", "Giulia Oberholzer-Schäfer"), ("Ineke D. Marino", "Ineke D. Marino"),
    ("Mr. Nyambura Mulder-van Dijk", "Nyambura Mulder-van Dijk"), ("Dr Tariq de Boer", "Tariq de Boer"),
    ("Lic. Ignacio Villalobos", "Ignacio Villalobos"), ("Shri Naveen Verma", "Naveen Verma"),
    ("Jeroen de Boer-van den Berg", "Jeroen de Boer-van den Berg"), ("OKAFOR, Amina", "OKAFOR, Amina"),
    ("Maria de la Cruz Fernández García", "Maria de la Cruz Fernández García"),
    ("Madonna", None), ("Mrs Smith", None), ("Mr.", None), ("Service Desk", None), ("N/A", None),
    ("ORD-2022-49485", None), ("Head Office Nairobi", None), ("Amina Okafor 2", None),
    ("one two three four five six", None), ("de van der den Berg", None),
    ("Mercy Corps", None), ("Norwegian Refugee Council", None), ("World Vision", None), ("Victoria Falls", None),
    ("Kenya Red Cross Society", None), ("Charity Wanjiru", "Charity Wanjiru"), ("Hope Onyango", "Hope Onyango"),
    ("Amanda Cross", "Amanda Cross"), ("Vision Moyo", "Vision Moyo"), ("Relief Chikore", "Relief Chikore"),
    ("Africa Relief Society", None)])
def test_a_name_as_a_list_of_names_writes_it(cell, name):
    """The name in a cell of a list of persons' names: a title before it is no part of it, the
    particles of a long name are not counted among its words; one word alone is none; nor is a
    humanitarian body ("Mercy Corps"), while the given names and surnames among such bodies'
    words (Charity, Hope, Cross; Vision and Relief as first words) stay names."""
    from dataguard.detect.filters import listed_person
    span = listed_person(cell)
    assert (cell[span[0]:span[1]] if span else None) == name


def test_a_surname_with_particles_before_the_comma_is_one_person(detector):
    """"van der Berg, Pieter" in a column named for people is one person, whole (the model
    read it as two: "van der Berg" and "Pieter")."""
    cells = ["OKAFOR, Chidi", "van der Berg, Pieter", "de la Cruz, Maria", "Da Silva, João", "Haddad, Layla",
             "van Dijk, Anouk", "MARTIN, Jean-Luc", "bin Rashid, Khalid"]
    text = "\n".join(f'{i},"{c}",staff{i}@unmiss.org' for i, c in enumerate(cells)) + "\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("id", "full_name", "email"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert sorted(v for _, _, v in got) == sorted(cells)


def test_capitals_are_read_as_names_with_the_same_offsets():
    from dataguard.detect.ner import _readable
    assert _readable("IMOGEN BRAMLEY") == "Imogen Bramley"
    assert _readable("SALAZAR, Fernando") == "Salazar, Fernando"
    assert _readable("GAËLLE BEAUCHÊNE") == "Gaëlle Beauchêne"
    for text in ("UNHCR", "Amina Okafor", "the UN office in Geneva said today that nothing changed", "x" * 70):
        assert _readable(text) == text
    assert _readable("AİSHA KAYA") == "AİSHA KAYA"       # ("Ai̇sha": lower-casing İ would move the offsets)


def test_markdown_tables_are_read_cell_by_cell(detector):
    """A Markdown contact list: each cell reaches the model alone and a column named for people
    makes its names persons (bold or not, French header too); a role column holds none; the
    prose around the table is read as before."""
    names = [name_of(i) for i in range(12)]
    roles = ["Interpreter", "Protection Officer", "Storekeeper", "Driver"]
    for header in ("Full name", "Nom complet"):
        rows = [f"| **{n}** | {roles[i % 4]} | +254 722 {100000 + i} |" if i % 3 == 0 else
                f"| {n} | {roles[i % 4]} | +254 722 {100000 + i} |" for i, n in enumerate(names)]
        text = ("# Contacts\n\nPrepared by Mrs Grace Owusu for the field office.\n\n"
                f"| {header} | Role | Phone |\n|---|:---:|---|\n" + "\n".join(rows) + "\n\n## Notes\n\nNone.\n")
        unit = Unit(target="/t", uri="/t/contacts.md", path="contacts.md")
        [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
        assert {v for _, _, v in got} == set(names) | {"Grace Owusu"}, header
        assert all(text[s - 1] in " *" and text[e] in " *" for s, e, v in got if v in names)


def test_markdown_cells_and_what_is_no_table():
    from dataguard.detect.tabular import markdown_cells
    text = "| A | B |\n|---|---|\n| x | **y** |\n|  | z |\n\nnot | a | table\n| lone | row |\n"
    cells, tables = markdown_cells(text)
    assert [(text[s:e], c) for s, e, c in cells] == [("x", "A"), ("y", "B"), ("z", "B")]
    assert len(tables) == 1 and text[tables[0][0]:tables[0][1]].count("\n") == 4
    assert markdown_cells("a | b\n---|---\n1 | 2\n") == ([], [])       # (no outer pipes: not read as a table)


def test_a_markdown_table_of_software_has_no_persons(detector):
    """A README's table under a generic "Name" header: packages and services are no one."""
    text = ("# Dependencies\n\n| Name | Version | License |\n|------|---------|---------|\n| Requests | 2.31 | Apache |\n"
            "| Flask | 3.0 | BSD |\n| Django | 5.0 | BSD |\n| **Build** | n/a | - |\n| Grafana | 10.2 | AGPL |\n")
    unit = Unit(target="/t", uri="/t/README.md", path="README.md")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    assert not {v for _, _, v in got} & {"Requests", "Flask", "Django", "Build", "Grafana"}


def test_flags_and_teams_in_a_column_named_for_people_are_no_persons(detector):
    """Role columns that hold flags (Yes/No) or teams, and a beneficiary column of names."""
    rows = [f"{i};{name_of(i)};{'Yes' if i % 2 else 'No'};{'Service Desk' if i % 3 else 'IT Support'}" for i in range(40)]
    chunk = Chunk(unit=CSV_UNIT, text="\n".join(rows) + "\n", context=("id", "beneficiary", "caseworker", "assignee"),
                  hint="structured")
    [got] = person_spans(detector, [chunk])
    assert {v for _, _, v in got} == {name_of(i) for i in range(40)}


def test_surname_first_in_capitals_is_one_person_wherever_the_model_reads_part_of_it(detector):
    """A spreadsheet column not named for people ("Agent"): where the model reads a person in
    "SALAZAR, Fernando" (the given name), the whole cell is the person; a place stays none."""
    text = "Agent\tEmail\nSALAZAR, Fernando\tf.salazar@example.net\nWEKESA, Kipchoge\tk.w@example.net\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("agent", "email"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert {v for _, _, v in got} == {"SALAZAR, Fernando", "WEKESA, Kipchoge"}


def test_two_names_in_one_cell_stay_two_and_a_quote_does_not_run_across_tabs(detector):
    from dataguard.detect.ner import cell_pieces
    text = '1\t"Amina Okafor\tKamil Holub\tsays "hi"\n'
    short, _ = cell_pieces(text)
    assert "Kamil Holub" in [text[s:e] for s, e in short]
    rows = [f'{i},"{name_of(i)}, {name_of(i + 1)}"' for i in range(5)]
    chunk = Chunk(unit=CSV_UNIT, text="\n".join(rows) + "\n", context=("id", "full name"), hint="structured")
    [got] = person_spans(detector, [chunk])
    values = {v for _, _, v in got}
    assert not any("," in v for v in values)
    assert {name_of(i) for i in range(5)} <= values


def test_codes_and_dates_are_no_cells_for_the_model_and_names_beside_numbers_are(detector):
    """A cell whose every word holds a digit or names a month or a day (an ID, a masked card, a
    date written out) goes to the model no more (each short cell is a text of its own for it);
    a name beside a number, a name that is a month's ("May Ling") and a place do."""
    from dataguard.detect.ner import cell_pieces
    cells = ["EMP-38301", "Xxxx-Xxxx-Xxxx-4889", "June 19, 2023", "14 de diciembre de 2023", "Lun. 3 mars 2025",
             "Juma Ngowi", "Room 5, Juma Ngowi", "May Ling", "HADJA NIANE", "Plot 12, Kampala", "May"]
    text = "\n".join(cells) + "\n"
    short, _ = cell_pieces(text)
    got = [text[s:e] for s, e in short]
    assert got == ["Juma Ngowi", "Room 5", "Juma Ngowi", "May Ling", "HADJA NIANE", "Plot 12", "Kampala", "May"]
    rows = [f"{i},EMP-{38300 + i},{name_of(i)},March {i + 1}, 2024" for i in range(5)]
    chunk = Chunk(unit=CSV_UNIT, text="id,code,full name,date\n" + "\n".join(rows) + "\n",
                  context=("id", "code", "full name", "date"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert {v for _, _, v in got} == {name_of(i) for i in range(5)}


def test_json_names_in_capitals_under_an_explicit_key(detector):
    import json
    text = json.dumps({"staff": [{"full_name": "IMOGEN BRAMLEY"}, {"full_name": "SALAZAR, Fernando"}]}, indent=1)
    unit = Unit(target="/t", uri="/t/staff.json", path="staff.json")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    assert {v for _, _, v in got} == {"IMOGEN BRAMLEY", "SALAZAR, Fernando"}


def test_a_generic_name_key_of_people_gives_every_name_when_the_model_reads_most_as_persons(detector):
    import json
    records = [{"id": i, "name": name_of(i), "status": STATUSES[i % len(STATUSES)]} for i in range(12)]
    records.append({"id": 99, "name": "Okafor", "status": "Active"})     # the model alone reads no one here
    text = json.dumps({"contacts": records}, indent=1)
    unit = Unit(target="/t", uri="/t/contacts.json", path="contacts.json")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text)])
    assert {v for _, _, v in got} == {r["name"] for r in records}


def _analysed(monkeypatch) -> list:
    """The list of each batch of snippet texts spaCy really analyses (after the cache)."""
    calls = []
    real = ner.NerRunner._analyse

    def spy(self, cache, todo):
        calls.append(list(todo))
        return real(self, cache, todo)
    monkeypatch.setattr(ner.NerRunner, "_analyse", spy)
    return calls


def test_a_snippet_seen_in_an_earlier_batch_is_not_analysed_again(monkeypatch):
    """Names recur over files: a runner keeps the entities of the snippets it has analysed, and
    the results are the same as the first time."""
    det = Detector(ner=True, language="en")
    calls = _analysed(monkeypatch)
    text = "name\nAmina Okafor\nKofi Mensah\n"
    first = person_spans(det, [Chunk(unit=CSV_UNIT, text=text, context=("name",), hint="structured")])
    assert sorted(t for c in calls for t in c) == ["Amina Okafor", "Kofi Mensah"]
    calls.clear()
    other = Unit(target="/t", uri="/t/other.csv", path="other.csv")
    again = person_spans(det, [Chunk(unit=other, text=text, context=("name",), hint="structured")])
    assert again == first and {v for _, _, v in first[0]} == {"Amina Okafor", "Kofi Mensah"}
    assert calls == []


def test_the_kept_snippets_are_bounded_and_a_failed_analysis_leaves_none_half_done(monkeypatch):
    det = Detector(ner=True, language="en")
    chunk = Chunk(unit=CSV_UNIT, text="name\nAmina Okafor\n", context=("name",), hint="structured")
    person_spans(det, [chunk])
    runner = det._runner("en")
    assert runner._seen and runner._seen_chars == len("Amina Okafor")
    monkeypatch.setattr(ner, "KNOWN_CHARS", 5)      # over the bound: the next batch starts afresh
    calls = _analysed(monkeypatch)
    person_spans(det, [chunk])
    assert calls == [["Amina Okafor"]]

    def broken(self, cache, todo):
        raise RuntimeError("model failed")
    monkeypatch.setattr(ner.NerRunner, "_analyse", broken)
    fresh = Chunk(unit=CSV_UNIT, text="name\nKofi Mensah\n", context=("name",), hint="structured")
    with pytest.raises(RuntimeError):
        person_spans(det, [fresh])
    assert "Kofi Mensah" not in runner._seen
    monkeypatch.undo()
    assert {v for _, _, v in person_spans(det, [fresh])[0]} == {"Kofi Mensah"}


@pytest.mark.parametrize("header", ["Person", "Agent"])
def test_a_small_column_named_for_a_role_gives_its_name_shaped_cells_when_the_model_reads_half(detector, header):
    """Eight rows under a role's name ("Person", "Agent": no name column, an IT agent's as often):
    the model reads most of them as persons, so every name-shaped cell is one, also those it
    misses or cuts ("KUZNETSOVA, Bogdan")."""
    names = [name_of(i) for i in range(7)] + ["KUZNETSOVA, Bogdan"]
    rows = [f"{i}\t{n}\t{100 + i}.00" for i, n in enumerate(names)]
    text = "\n".join([f"ID\t{header}\tAmount"] + rows) + "\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("ID", header, "Amount"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, names)


@pytest.mark.parametrize("header, values", [
    ("Agent", ["Datadog", "Sentinel One", "CrowdStrike Falcon", "Qualys Cloud Agent", "Tanium Client",
               "Microsoft Defender"]),
    ("Employee", ["Yes", "No", "Yes", "Yes", "No", "No", "Yes", "No"]),
])
def test_a_role_column_the_model_does_not_read_as_persons_gives_no_more_than_any_column(detector, header, values):
    """IT agents and flags under a role's name: only what the model reads in a cell alone (here
    "Qualys Cloud"), as under any other name; the name-shaped cells are not made persons."""
    def persons(name):
        rows = [f"{i}\t{v}" for i, v in enumerate(values)]
        text = "\n".join([f"Host\t{name}"] + rows) + "\n"
        [got] = person_spans(detector, [Chunk(unit=CSV_UNIT, text=text, context=("Host", name), hint="structured")])
        return {(s - len(name), e - len(name), v) for s, e, v in got}     # offsets without the header's length
    assert persons(header) == persons("Value")
    assert len(persons(header)) <= 1


@pytest.mark.parametrize("header, things", [
    ("Employee", ["Former Staff", "Head Office", "Temp Agency"]),
    ("Agent", ["Virtual Assistant", "Web Portal"]),
])
def test_a_role_column_of_names_gives_no_organisation_or_thing(detector, header, things):
    """A role column the model reads as mostly persons: its name-shaped cells are persons, but
    not those holding an organisation's or a thing's word."""
    names = [name_of(i) for i in range(8)]
    values = names[:4] + things + names[4:]
    rows = [f"{i}\t{v}" for i, v in enumerate(values)]
    text = "\n".join([f"ID\t{header}"] + rows) + "\n"
    [got] = person_spans(detector, [Chunk(unit=CSV_UNIT, text=text, context=("ID", header), hint="structured")])
    assert not {v for _, _, v in got} & set(things)
    assert len({v for _, _, v in got} & set(names)) >= 6


def test_a_generic_name_key_across_a_chunks_keep_window_is_judged_on_the_cells_read(detector):
    """A JSON export cut into chunks: the values of a generic ``name`` key before the chunk's keep
    window (its overlap with the chunk before) are not read by NER in this chunk, and the
    column is judged on those that are (it failed with a KeyError)."""
    import json
    records = [{"id": i, "name": name_of(i)} for i in range(12)]
    text = json.dumps({"records": records}, indent=1)
    keep_start = text.index(name_of(6))
    unit = Unit(target="/t", uri="/t/export.json", path="export.json")
    [got] = person_spans(detector, [Chunk(unit=unit, text=text, keep_start=keep_start)])
    assert {v for _, _, v in got} <= {name_of(i) for i in range(12)}
    assert all(s >= keep_start for s, _, _ in got)


# ------------------------------------------------------------------ SQL dumps
SQL_UNIT = Unit(target="/t", uri="/t/backup/hr_dump.sql", path="backup/hr_dump.sql")
SQL_DUMP = """-- MySQL dump 10.13
CREATE TABLE `staff` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `first_name` varchar(50) DEFAULT NULL,
  `last_name` varchar(50) DEFAULT NULL,
  `phone` varchar(20) DEFAULT NULL,
  `order_no` varchar(12) DEFAULT NULL,
  `city` varchar(40),
  PRIMARY KEY (`id`),
  KEY `idx_last` (`last_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `staff` VALUES (1,'Nomvula','Dlamini','+27 82 555 0143','5085542222','Durban'),(2,'Kwame','Mensah',NULL,'2019125943','Pune'),(3,'Ngozi','Okafor','0712 345678','4505577104','Amman'),(4,'Sean','O\\'Brien',NULL,NULL,NULL);
INSERT INTO employees (id, full_name, city, hired) VALUES (1,'Layla Haddad','Amman',NOW()),(2,'Arjun Mehta','Pune','2021-03-04');
INSERT INTO products (sku, name) VALUES ('AB-1','Blue Widget'),('AB-2','Field Tent');
COPY public.beneficiaries (id, full_name, phone) FROM stdin;
1	Tomasz Kowalczyk	+48 601 234 567
2	\\N	+254 712 345678
\\.
"""


def test_a_sql_dumps_values_are_read_by_their_columns(detector):
    """INSERTs with and without a column list (then the CREATE TABLE's) and pg_dump's COPY rows:
    names under name columns are persons, cities and products are not, an order number is no
    phone number, a phone column's numbers are phones."""
    [(chunk, matches)] = list(detector.analyze([Chunk(unit=SQL_UNIT, text=SQL_DUMP)]))
    got = {(m.entity_type, SQL_DUMP[m.start:m.end]) for m in matches
           if m.entity_type in ("PERSON", "PHONE_NUMBER", "LOCATION")}
    assert got == {("PERSON", v) for v in ("Nomvula", "Dlamini", "Kwame", "Mensah", "Ngozi", "Okafor", "Sean",
                                           "Layla Haddad", "Arjun Mehta", "Tomasz Kowalczyk")} | \
        {("PHONE_NUMBER", v) for v in ("+27 82 555 0143", "0712 345678", "+48 601 234 567", "+254 712 345678")}


def test_sql_columns_read_quotes_escapes_nulls_and_calls():
    from dataguard.detect.columns import sql_columns
    cols = {(c.table, c.name): [SQL_DUMP[s:e] for s, e in c.cells] for c in sql_columns(Chunk(unit=SQL_UNIT, text=SQL_DUMP))}
    assert cols[("staff", "last_name")] == ["Dlamini", "Mensah", "Okafor", "O\\'Brien"]
    assert cols[("staff", "phone")] == ["+27 82 555 0143", "0712 345678"]
    assert cols[("employees", "hired")] == ["NOW()", "2021-03-04"]
    assert cols[("beneficiaries", "full_name")] == ["Tomasz Kowalczyk"]
    assert ("staff", "PRIMARY") not in cols and ("staff", "KEY") not in cols
    # a chunk that begins inside a statement: its tuples have no column, the next statement's have
    tail = "(7,'Zanele','Khumalo'),(8,'Sipho','Nkosi');\nINSERT INTO t (given_name) VALUES ('Thandiwe');\n"
    cols = {c.name: [tail[s:e] for s, e in c.cells] for c in sql_columns(Chunk(unit=SQL_UNIT, text=tail))}
    assert cols == {"given_name": ["Thandiwe"]}


@pytest.mark.parametrize("unit", ["INSERT INTO t VALUES (", "CREATE TABLE t (", "INSERT INTO t (a) VALUES ('x',",
                                  "COPY t (a) FROM stdin;\n"])
def test_a_hostile_sql_dump_is_read_in_one_pass(unit):
    """Statements opened and never closed, one inside the other: each character is read once
    (the steps are counted, not timed)."""
    from dataguard import sqldump
    from dataguard.detect import columns
    text = unit * (64_000 // len(unit))
    calls = []
    real = sqldump.value_end

    def counted(t, i, n):
        calls.append(i)
        return real(t, i, n)
    sqldump.value_end = counted
    try:
        columns.sql_columns(Chunk(unit=SQL_UNIT, text=text))
    finally:
        sqldump.value_end = real
    assert len(calls) <= len(text) // len(unit) + 1


@pytest.mark.parametrize("text,want", [
    ("INSERT INTO t (a) VALUES (x'", {}),                                     # cut in a string: no crash
    ("INSERT INTO t (a, b) VALUES (1, f(x'), (2, 'y')", {"a": ["1"], "b": ["f(x'), (2, 'y')"]}),   # a quote left open
    ('INSERT INTO users (id, note, phone) VALUES (1, "a, b", \'+41 44 668 18 00\');',
     {"id": ["1"], "note": ["a, b"], "phone": ["+41 44 668 18 00"]}),
    ("INSERT INTO [dbo].[Users] ([Name],[City]) VALUES (N'John Smith', N'Geneva'), (N'Mary Jones', N'Paris');",
     {"Name": ["John Smith", "Mary Jones"], "City": ["Geneva", "Paris"]}),
    ("INSERT INTO t (a, b) VALUES (1, /* x, y */ 'z'), -- it's c\n(2,'b');", {"a": ["1", "2"], "b": ["z", "b"]}),
    ("CREATE TABLE u (id int, -- the user's id\n name text, /* a, b */ city text);\n"
     "INSERT INTO u VALUE (1,'Ann Lee','Oslo');", {"id": ["1"], "name": ["Ann Lee"], "city": ["Oslo"]}),
    ("INSERT LOW_PRIORITY IGNORE INTO t (a) VALUES (_utf8mb4'Zoé Martin'), (E'x\\'y');", {"a": ["Zoé Martin", "x\\'y"]}),
    ("INSERT INTO t (a) OVERRIDING SYSTEM VALUE VALUES (-5), (0x1F), (NOW())", {"a": ["-5", "0x1F", "NOW()"]}),
])
def test_sql_values_as_dumps_write_them(text, want):
    from dataguard.detect.columns import sql_columns
    got = {c.name: [text[s:e] for s, e in c.cells] for c in sql_columns(Chunk(unit=SQL_UNIT, text=text))}
    assert got == want


def test_the_sql_reader_never_fails_a_file():
    """Random statements cut anywhere, with strings, comments and brackets left open: no error,
    every cell inside the text."""
    import random
    from dataguard.detect.columns import sql_columns
    pieces = ["INSERT INTO t (a, b) VALUES ", "CREATE TABLE t (a int, b text", "(", ")", ",", "'", '"', "N'", "x'",
              "--", "\n", "/*", "*/", "#", "\\", "NULL", "1", "'Ann Lee'", " ", "COPY t (a, b) FROM stdin;\n",
              "\t", "\\.\n", ";", "VALUES", "_binary '"]
    rnd = random.Random(11)
    for _ in range(2000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 40)))
        for col in sql_columns(Chunk(unit=SQL_UNIT, text=text)):
            assert all(0 <= s <= e <= len(text) for s, e in col.cells), text


def _dump_chunks(tmp_path, name: str, text: str) -> list:
    from dataguard.sources import SourceOptions, open_target
    (tmp_path / name).write_text(text, encoding="utf-8")
    item, = open_target(str(tmp_path), SourceOptions()).items()
    return [c for c in item.chunks(Limits(chunk_chars=4_000, overlap_chars=200)) if hasattr(c, "text") and not c.is_name]


def _dates_of_birth(chunks: list) -> list:
    det = Detector(ner=False, entities={"DATE_OF_BIRTH"})
    return sorted((c.first_line, c.text[m.start:m.end]) for c, (_, ms) in zip(chunks, det.analyze(chunks)) for m in ms
                  if m.entity_type == "DATE_OF_BIRTH")


def test_a_long_insert_or_copy_over_many_chunks_is_read_by_its_columns_in_every_chunk(tmp_path):
    """mysqldump writes a table's rows as one INSERT of thousands of tuples (no column list: its
    CREATE TABLE names them), pg_dump as COPY rows: every chunk of the statement, not only the
    first, reads its values by their columns (here the dates of a date_of_birth column, which
    only the column's name makes personal)."""
    born = [f"19{50 + i % 45}-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(600)]
    mysql = ("CREATE TABLE `staff` (\n  `id` int NOT NULL,\n  `note` text,\n  `date_of_birth` date,\n"
             "  PRIMARY KEY (`id`)\n);\nINSERT INTO `staff` VALUES " +
             ",".join(f"({i},'seen 2021-0{1 + i % 9}-1{i % 10}, ok (x), (y)',{'NULL' if i % 50 == 7 else repr(d)})"
                      for i, d in enumerate(born)) + ";\nUNLOCK TABLES;\n")
    chunks = _dump_chunks(tmp_path, "hr.sql", mysql)
    assert len(chunks) > 5 and all(c.statement == ("insert", "staff", ("id", "note", "date_of_birth"))
                                    for c in chunks[1:])
    want = [d for i, d in enumerate(born) if i % 50 != 7]
    assert sorted(v for _, v in _dates_of_birth(chunks)) == sorted(want)

    rows = "".join(f"{i}\tseen 2021-01-0{1 + i % 9}\t{d}\n" for i, d in enumerate(born))
    pg = f"COPY public.staff (id, note, date_of_birth) FROM stdin;\n{rows}\\.\n\nSELECT 1;\n"
    (tmp_path / "hr.sql").unlink()
    chunks = _dump_chunks(tmp_path, "pg.sql", pg)
    assert len(chunks) >= 4 and sorted(v for _, v in _dates_of_birth(chunks)) == sorted(born)


def test_a_chunk_of_a_dump_is_read_by_an_earlier_statement_only_where_its_tuples_go_on():
    """Where the statement before the chunk has ended, or the chunk begins inside a string whose
    words look like tuples, nothing there is read by that statement's columns; the tuples after
    such a string are."""
    from dataguard.detect.columns import sql_columns
    lead = ("insert", "staff", ("id", "date_of_birth"))
    ended = "4,'1980-01-02');\nUNLOCK TABLES;\nINSERT INTO t (given_name) VALUES ('Thandiwe');\n"
    assert {c.name: [ended[s:e] for s, e in c.cells]
            for c in sql_columns(Chunk(unit=SQL_UNIT, text=ended, statement=lead))} == {"given_name": ["Thandiwe"]}
    in_a_string = "ords (a), (b), (c) in a note'),(5,'1981-02-03'),(6,'1982-03-04');\n"
    cols = sql_columns(Chunk(unit=SQL_UNIT, text=in_a_string, statement=lead))
    assert {c.name: [in_a_string[s:e] for s, e in c.cells] for c in cols} == {
        "id": ["5", "6"], "date_of_birth": ["1981-02-03", "1982-03-04"]}
    only_a_string = "x (a, b), (c, d) and more text';\nSELECT 1;\n"
    assert sql_columns(Chunk(unit=SQL_UNIT, text=only_a_string, statement=lead)) == []
    going_on = "1-02'),(5,'1981-02-03'),(6,NULL),(7,'1982-03-04');\n"
    cols = sql_columns(Chunk(unit=SQL_UNIT, text=going_on, statement=lead))
    assert {c.name: [going_on[s:e] for s, e in c.cells] for c in cols} == {
        "id": ["5", "6", "7"], "date_of_birth": ["1981-02-03", "1982-03-04"]}


def test_an_owner_column_gives_its_persons_when_they_are_most_of_it(detector):
    """An action table's "Owner" (or "Responsible", "Focal point") holds persons or units: its
    cells written as persons' names are persons, capitals included, where they are two at
    least and half of its cells or more; a column of units gives none, nor an "Item" column."""
    actions = ("#,Action,Owner,Deadline\n1,Follow up with county,Florian Pfister,25-May-24\n"
               "2,Share draft budget,SHARON KORIR,01-Aug-24\n3,Update contact list,Lucky Wanyama,05-May-24\n"
               "4,Circulate security plan,ICT Unit,12-Jun-24\n")
    units = ("Item,Focal point,Status\nLaptop,ICT Unit,done\nGenerator,Logistics Team,open\n"
             "Budget Review,Finance Section,open\nVehicle,Amina Okafor,open\n")
    got = person_spans(detector, [Chunk(unit=CSV_UNIT, text=actions, context=("#", "action", "owner", "deadline"),
                                        hint="structured"),
                                  Chunk(unit=CSV_UNIT, text=units, context=("item", "focal point", "status"),
                                        hint="structured")])
    assert {v for _, _, v in got[0]} == {"Florian Pfister", "SHARON KORIR", "Lucky Wanyama"}
    assert not {v for _, _, v in got[1]} & {"ICT Unit", "Logistics Team", "Budget Review", "Finance Section"}


@pytest.mark.parametrize("ner", [False, True])
def test_a_vendors_focal_points_are_persons_but_not_its_firms(detector, ner, patterns_en):
    """A vendors register's "Focal point" (a table of firms): its names written as persons'
    are persons, a firm's name there is none, nor a desk or a post ("Customer Care", "General
    Manager", "Grand Comptes")."""
    det = detector if ner else patterns_en
    text = ("Vendor no.,Company,Focal point,Phone\nUNGM-600488,Summit Logistics SARL,\"CHARPENTIER, Xavier\",65 04 75 94\n"
            "UNGM-133335,Nimba Vehicle Rentals Ltd,Wairimu Macharia,0188-802-781\n"
            "V505330,Atlas Energy Ltd,Otieno Wekesa,+254 115 828832\n"
            "V505331,Kivu Printing,Kivu Printing Services,+254 115 828833\n")
    unit = Unit(target="/t", uri="/t/vendor_register.csv", path="vendor_register.csv")
    got = person_spans(det, [Chunk(unit=unit, text=text, context=("Vendor no.", "Company", "Focal point", "Phone"),
                                   hint="structured")])[0]
    assert {v for _, _, v in got} == {"CHARPENTIER, Xavier", "Wairimu Macharia", "Otieno Wekesa"}
    desks = ("Vendor,Focal point,Phone\nSahel Logistics SARL,Accounts Receivable,+221 33 820 11 22\n"
             "Dakar Office Supplies,Customer Care,+221 33 821 33 44\nTeranga Fuel,General Manager,+221 33 822 55 66\n"
             "Baobab IT Services,Moussa Diallo,+221 77 123 45 67\nSenelec,Grand Comptes,+221 33 839 30 30\n"
             "Atlantic Security,Night Supervisor,+221 33 824 99 00\nKolda Print,Awa Ndiaye,+221 77 555 12 34\n")
    got = person_spans(det, [Chunk(unit=unit, text=desks, context=("Vendor", "Focal point", "Phone"),
                                   hint="structured")])[0]
    assert {v for _, _, v in got} == {"Moussa Diallo", "Awa Ndiaye"}


MD_UNIT = Unit(target="/t", uri="/t/minutes/cluster-meeting.md", path="minutes/cluster-meeting.md")
MINUTES = ("# Protection cluster meeting\n\nThe partners agreed the actions below.\n\n"
           "| # | Action | Owner | Deadline |\n|---|--------|-------|----------|\n"
           "| 1 | Share the referral pathway | Chiamaka Okonkwo-Bello | 21 March |\n"
           "| 2 | Update the 4W matrix | ICT Unit | 28 March |\n"
           "| 3 | Follow up with the camp committee | **Mwamba Kalenga Ilunga** | 25 March |\n"
           "| 4 | Draft the SOP for case transfers | Thandiwe Nkosi | 2 April |\n"
           "| 5 | Escalate the access issue | Wycliffe Opiyo / Fadi Abu Zeid | 9 April |\n\n"
           "| N° | Action | Qui |\n|----|--------|-----|\n| 1 | Relancer le cluster | A. Santoso & J. Niyonsaba |\n"
           "| 2 | Mettre à jour la matrice 3W | Espoir Tshibangu |\n\n"
           "| Item | Responsible | Action |\n|------|-------------|--------|\n"
           "| Budget | Finance Section | Review Budget Lines |\n| Trucks | Logistics Cluster | Kenneth Road |\n"
           "| Fuel | Amina Okafor | Order Diesel |\n")


@pytest.mark.parametrize("ner", [True, False])
def test_a_markdown_owner_column_gives_its_persons_when_they_are_most_of_it(detector, ner, patterns_en):
    """Minutes' action table in Markdown: its "Owner" (or French "Qui") column's name-shaped
    cells are persons (in bold too, two in a cell too), its units are not; a "Responsible"
    column of units with one name gives none; the other columns are not judged so ("Kenneth
    Road", "Review Budget Lines")."""
    det = detector if ner else patterns_en
    got = {v for _, _, v in person_spans(det, [Chunk(unit=MD_UNIT, text=MINUTES)])[0]}
    assert {"Chiamaka Okonkwo-Bello", "Mwamba Kalenga Ilunga", "Thandiwe Nkosi", "Wycliffe Opiyo", "Fadi Abu Zeid",
            "A. Santoso", "J. Niyonsaba", "Espoir Tshibangu"} <= got
    assert not got & {"ICT Unit", "Finance Section", "Logistics Cluster"}
    if not ner:     # (the model reads each cell alone: a name among units may be its)
        assert not got & {"Amina Okafor", "Kenneth Road", "Review Budget Lines", "Order Diesel"}
    spans = {(MINUTES[s:e], s) for s, e, _ in person_spans(det, [Chunk(unit=MD_UNIT, text=MINUTES)])[0]}
    assert ("Thandiwe Nkosi", MINUTES.index("Thandiwe Nkosi")) in spans


PAYROLL = ("UNICEF - LOCAL PAYROLL REGISTER                              Page 1\n"
           "Pay period: April 2024    Run date: 2024-07-25\n"
           "-----------------------------------------------------------------------------------\n"
           "SEQ  NAME                      INDEX     BANK ACCOUNT (IBAN)              GROSS        NET\n"
           "-----------------------------------------------------------------------------------\n"
           "0001 Olawale, Folake           0395595   FR8714605526174393359110493   6,495.00   5,325.90\n"
           "0002 Dut, Achol                2212138   GB60 MIDL 9482 5853 2668 75     279.00     248.78\n"
           "-----------------------------------------------------------------------------------\n"
           "Totals      2 staff                                                  6,774.00   5,574.68\n")


def test_fixed_width_cells_are_aligned_under_their_columns():
    """Pieces apart by two spaces or more, cut again where a column starts after one space (the
    sequence number and the name); left-aligned under a name's start, right-aligned amounts
    under its end; the rows stop at the rule line; the header is no cell."""
    from dataguard.detect.tabular import fixed_width_cells
    cells, tables = fixed_width_cells(PAYROLL)
    got = [(PAYROLL[s:e], col) for s, e, col in cells]
    assert got == [("0001", "SEQ"), ("Olawale, Folake", "NAME"), ("0395595", "INDEX"),
                   ("FR8714605526174393359110493", "BANK ACCOUNT (IBAN)"), ("6,495.00", "GROSS"),
                   ("5,325.90", "NET"), ("0002", "SEQ"), ("Dut, Achol", "NAME"), ("2212138", "INDEX"),
                   ("GB60 MIDL 9482 5853 2668 75", "BANK ACCOUNT (IBAN)"), ("279.00", "GROSS"), ("248.78", "NET")]
    assert tables == [(PAYROLL.index("SEQ"), PAYROLL.index("248.78") + len("248.78"))]


def test_a_fixed_width_rows_wrapped_cell_does_not_end_the_table():
    """A cell whose text wraps onto a line of its own under its column (a PDF table's): the
    rows after it are still the table's."""
    from dataguard.detect.tabular import fixed_width_cells
    text = ("Nom          Prénom        Téléphone        Fonction\n"
            "NDIAYE       Awa           76 555 12 34     Assistante administrative\n"
            "                                            et financière\n"
            "SOW          Ibrahima      70 222 33 44     Gardien\n"
            "FALL         Mariama       78 444 55 66     Comptable\n")
    cells, _ = fixed_width_cells(text)
    got = [(text[s:e], col) for s, e, col in cells]
    assert ("FALL", "Nom") in got and ("78 444 55 66", "Téléphone") in got and len(got) == 12


def test_a_fixed_width_header_name_may_hold_a_slash():
    """A column named "RÈGLEMENT / IBAN" (words apart by a slash, an ampersand) is one name of the header."""
    from dataguard.detect.tabular import fixed_width_cells
    text = ("MATR.     NOM ET PRÉNOMS                FONCTION             RÈGLEMENT / IBAN                    NET\n"
            "NIM-0301  SALIFOU Boureima              Interpreter          FR76 3006 6868 6258 3827 7128 912   841 000\n"
            "NIM-0701  PERRIN Sébastien              R&D Officer          Espèces                             137 000\n")
    cells, _ = fixed_width_cells(text)
    assert [(text[s:e], col) for s, e, col in cells][:5] == [
        ("NIM-0301", "MATR."), ("SALIFOU Boureima", "NOM ET PRÉNOMS"), ("Interpreter", "FONCTION"),
        ("FR76 3006 6868 6258 3827 7128 912", "RÈGLEMENT / IBAN"), ("841 000", "NET")]


@pytest.mark.parametrize("text", [
    # justified prose, a signature block, a one-row table, a log with aligned fields but no header
    "The committee  reviewed  the  budget  lines\nand  agreed  the  revised  plan  for  Minova.\n",
    "Amina Okafor     Protection Officer     +254 712 345678\n",
    "NAME      PHONE        SITE\nAmina Okafor   +254 712 345678   Kakuma\n\nThat was all.\n",
    "2024-03-01 10:00:01  INFO   sync done   1200 rows\n2024-03-01 10:00:02  INFO   sync done   1300 rows\n",
])
def test_what_is_no_fixed_width_table(text):
    from dataguard.detect.tabular import fixed_width_cells
    assert fixed_width_cells(text) == ([], [])


# a Word table as the extractor writes it (a tab between cells), in a memo's prose
ATTENDANCE_DOCX = ("Registre de présence - Formation « Sécurité incendie »\n"
                   "Session du 12/11/2025, salle XXVII.\n"
                   "NOM\tPrénom\tService\tPoste\n"
                   "BANERJEE\tSuresh\tDGACM\text. 1246\n"
                   "VILANOVA LLEDÓ\tCasemiro\tDPPA\t8-7355\n"
                   "HUANG\tJianguo\tPD\t7-1561\n"
                   "Le groupe de travail a examiné les recommandations.\n"
                   "Liaison network\n"
                   "Municipality\tLiaison officer\tMobile\n"
                   "Tyre\tSaeed Nassar\t+961 71 203 692\n"
                   "Naqoura\tMariam Bitar\t71-139-989\n"
                   "Formateur : M. Isaac Bernard\n")


def test_tab_separated_tables_in_prose_are_read_by_their_header():
    """A document's table written with tabs: the lines of as many tabs under a header line,
    each field a cell of its column (spaces around left out); prose around, a line of another
    width, a header of digits or one the vocabulary knows nothing of, one row alone: no table."""
    from dataguard.detect import known_entities
    from dataguard.detect.columns import vocabulary_for
    from dataguard.detect.tabular import tab_table_cells
    from dataguard.rules import column_signals, load_packs
    cells, tables = tab_table_cells(ATTENDANCE_DOCX)
    got = [(ATTENDANCE_DOCX[s:e], col) for s, e, col in cells]
    assert got[:4] == [("BANERJEE", "NOM"), ("Suresh", "Prénom"), ("DGACM", "Service"), ("ext. 1246", "Poste")]
    assert ("Saeed Nassar", "Liaison officer") in got and ("71-139-989", "Mobile") in got and len(got) == 18
    assert [ATTENDANCE_DOCX[s:e].split("\n")[0] for s, e in tables] == ["NOM\tPrénom\tService\tPoste",
                                                                        "Municipality\tLiaison officer\tMobile"]
    assert tab_table_cells(ATTENDANCE_DOCX, lambda names: "Mobile" in names)[1] == tables[1:]
    for text in ("2024\t3\t4\n1\t2\t3\n5\t6\t7\n", "Name\tPhone\nAmina Okafor\t+254 712 345678\n",
                 "Name\tPhone\tSite\nAmina\t+254 712 345678\nJuma\t0712 345678\tKakuma\tx\n"):
        assert tab_table_cells(text) == ([], [])
    knows = vocabulary_for(column_signals(load_packs(None, known_entities()))).knows_one
    # a form's table: labels down its first column (two pairs a row too), no header
    for text in ("Full name\tMoussa Diallo\nPosition\tDriver\nSupervisor\tAminata Ndiaye\nMobile\t+221 77 123 45 67\n",
                 "Full name\tMoussa Diallo\tPosition\tDriver\nSupervisor\tAminata Ndiaye\tMobile\t+221 77 123 45 67\n"
                 "Email\tm.diallo@ong.sn\tDuty station\tDakar\n"):
        assert tab_table_cells(text, knows) == ([], [])
    two = "Nom complet\tTéléphone\nMoussa Diallo\t77 123 45 67\nAwa Ndiaye\t76 555 12 34\n"
    assert [two[s:e] for s, e, _ in tab_table_cells(two, knows)[0]] == ["Moussa Diallo", "77 123 45 67", "Awa Ndiaye",
                                                                         "76 555 12 34"]
    # an empty cell keeps its place (the extractors write it), an empty first header cell too
    text = "\tNom\tPrénom\tObservation\n1\tDIALLO\tMoussa\t\n2\tSOW\tIbrahima\tRAS\n"
    assert [(text[s:e], col) for s, e, col in tab_table_cells(text)[0]] == [
        ("1", ""), ("DIALLO", "Nom"), ("Moussa", "Prénom"), ("2", ""), ("SOW", "Nom"), ("Ibrahima", "Prénom"),
        ("RAS", "Observation")]


@pytest.mark.parametrize("ner", [False, True])
def test_a_documents_table_gives_its_columns_persons_and_phones(detector, ner, patterns_en):
    """A Word table's "NOM" beside "Prénom" is a surname in capitals, its "Prénom" a given
    name; a liaison table's phones of a region no one configured ("71-139-989", Lebanon) are
    phones by the table's "Mobile"; its departments and extensions are nothing."""
    det = detector if ner else patterns_en
    chunk = Chunk(unit=Unit(target="/t", uri="/t/registre.docx", path="registre.docx"), text=ATTENDANCE_DOCX)
    (_, matches), = list(det.analyze([chunk]))
    got = {(m.entity_type, ATTENDANCE_DOCX[m.start:m.end]) for m in matches}
    persons = {v for e, v in got if e == "PERSON"}
    assert persons >= {"BANERJEE", "Suresh", "VILANOVA LLEDÓ", "Casemiro", "HUANG", "Jianguo", "Saeed Nassar",
                       "Mariam Bitar"}
    assert not persons & {"DGACM", "DPPA", "Tyre", "Naqoura", "Service", "Poste"}
    assert {("PHONE_NUMBER", "+961 71 203 692"), ("PHONE_NUMBER", "71-139-989")} <= got
    assert not any(v in ("ext. 1246", "8-7355", "7-1561") for _, v in got)


DISTRIBUTION = ("                     E-VOUCHER DISTRIBUTION REPORT\n"
                "Site: Nayapara   Cycle: May   Printed: 2022-06-16\n"
                "==========================================================================\n"
                "No.  Card holder                   FCN           Alt. collector            Value\n"
                "==========================================================================\n"
                "1    Anita Tamang                  FCN3445453                            1,030.00\n"
                "2    KRISTÍN NYSTRÖM               FCN4027032    Rokeya Parvin           1,240.00\n"
                "3    Ruth Wanjiku Kamau            FCN1369107    Tahmina Khatun          1,240.00\n"
                "4    SHAMSIDA ARA                  FCN7738583                            2,060.00\n")


@pytest.mark.parametrize("ner", [True, False])
def test_a_fixed_width_reports_column_named_for_people_gives_its_names(detector, ner, patterns_en):
    """A distribution report printed in columns: the names under "Card holder" are persons, with
    or without the model; the header's words, the card numbers and the values are not."""
    det = detector if ner else patterns_en
    unit = Unit(target="/t", uri="/t/distribution_report.txt", path="distribution_report.txt")
    got = person_spans(det, [Chunk(unit=unit, text=DISTRIBUTION)])[0]
    holders = ["Anita Tamang", "KRISTÍN NYSTRÖM", "Ruth Wanjiku Kamau", "SHAMSIDA ARA"]
    for name in holders:
        s = DISTRIBUTION.index(name)
        assert (s, s + len(name), name) in got
    assert not {v for _, _, v in got} & {"Card holder", "Alt. collector", "Value", "Nayapara"}


def test_a_fixed_width_header_and_rows_are_bounded():
    """Every piece of a row is placed among the header's names: a header of more than
    FW_MAX_COLUMNS names is none, and a row of more than twice as many pieces as names ends
    the table (no text makes the work grow as pieces times names without bound)."""
    from dataguard.detect.tabular import FW_MAX_COLUMNS, fixed_width_cells
    wide = "   ".join(f"C{i}" for i in range(FW_MAX_COLUMNS + 1)) + "\n" + "   ".join("x" * (FW_MAX_COLUMNS + 1)) + "\n"
    assert fixed_width_cells(wide * 2) == ([], [])
    header = "AAA   BBB   CCC\n"
    rows = "11   b1   c1\n12   b2   c2\n"
    long_row = "   ".join(["9"] * 7) + "\n"
    cells, tables = fixed_width_cells(header + rows + long_row + rows)
    assert len(tables) == 1 and len(cells) == 6


@pytest.mark.parametrize("ner", [True, False])
def test_a_generic_name_beside_a_persons_details_is_a_persons(detector, ner, patterns_en):
    """A bare "NAME" is a product's or a site's as often, but not beside a date of birth or a
    passport number: without the model, a register's names are persons (surname first too),
    firms excepted (with it, the model's reading of the column decides, as for any generic
    name); beside a price and a stock, or a bank account (a vendors register's), they are not."""
    det = detector if ner else patterns_en
    register = ("SEQ  NAME                      DATE OF BIRTH   PASSPORT\n"
                "0001 Olawale, Folake           1984-03-12      A1234567\n"
                "0002 Dut, Achol                1979-11-30      B7654321\n"
                "0003 Blue Nile Trading         1990-01-01      C1111111\n")
    unit = Unit(target="/t", uri="/t/register.txt", path="register.txt")
    got = {v for _, _, v in person_spans(det, [Chunk(unit=unit, text=register)])[0]}
    assert "Blue Nile Trading" not in got and (ner or {"Olawale, Folake", "Dut, Achol"} <= got)
    vendors = "Name,Country,IBAN,SWIFT\nAcme Logistics,KE,GB29NWBK60161331926819,NWBKGB2L\nKivu Fuel,CD,-,-\n"
    got = {v for _, _, v in person_spans(det, [Chunk(unit=CSV_UNIT, text=vendors, hint="structured",
                                                      context=("name", "country", "iban", "swift"))])[0]}
    if not ner:
        assert not got & {"Acme Logistics", "Kivu Fuel"}
    stock = ("ITEM  NAME                      PRICE      STOCK\n"
             "0001  Family Tent               120.00     40\n"
             "0002  Kitchen Set               35.50      12\n"
             "0003  Solar Lamp                18.00      300\n")
    got = {v for _, _, v in person_spans(det, [Chunk(unit=Unit(target="/t", uri="/t/stock.txt", path="stock.txt"),
                                                      text=stock)])[0]}
    assert not got & {"Family Tent", "Kitchen Set", "Solar Lamp"}
    people = "id,name,date_of_birth,site\n1,Amani Wekesa Barasa,1990-04-12,Kakuma\n2,Halima Osman Farah,1985-11-03,Dadaab\n"
    got = {v for _, _, v in person_spans(det, [Chunk(unit=CSV_UNIT, text=people, hint="structured",
                                                      context=("id", "name", "date_of_birth", "site"))])[0]}
    assert {"Amani Wekesa Barasa", "Halima Osman Farah"} <= got


XML_EXPORT = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<data xmlns:jr="http://openrosa.org/javarosa" project="Caminos Seguros">\n'
              '  <record id="b25d74fe">\n'
              '    <fullName>Samba Bary</fullName>\n'
              '    <hh_head> Mariama Hadja Ba </hh_head>\n'
              '    <enumerator name="Tina Ewangaye" phone="+22791708046"/>\n'
              '    <village>Abala</village>\n'
              '    <origin>Ménaka</origin>\n'
              '  </record>\n'
              '  <vendor code="V484743"><name>Anatolia Logistics</name><contactPerson>Zeinabou Diori</contactPerson></vendor>\n'
              '</data>\n')


def test_an_xml_files_elements_and_attributes_are_read_as_columns(patterns_en):
    """An XML export's values are columns named by their elements' and attributes' local names,
    as a JSON file's are by their keys: the element "fullName", "hh_head" (spaces inside it
    left out), "contactPerson" and the attribute "name" of an element named for a person give
    their names, without the model; a village, an origin and a vendor's name do not."""
    det = patterns_en
    unit = Unit(target="/t", uri="/t/export.xml", path="export.xml")
    got = person_spans(det, [Chunk(unit=unit, text=XML_EXPORT)])[0]
    want = {(XML_EXPORT.index(n), XML_EXPORT.index(n) + len(n), n)
            for n in ("Samba Bary", "Mariama Hadja Ba", "Tina Ewangaye", "Zeinabou Diori")}
    assert got == want


HTML_REGISTER = ('<!DOCTYPE html>\n<html><head><title>Liste des bénéficiaires</title>\n'
                 '<style>td { color: red } /* Awa Ndiaye */</style></head>\n<body>\n'
                 '<h1>Distribution – Kolda</h1>\n<!-- exported by Ousmane Sy -->\n'
                 '<table class="grid">\n'
                 '<thead><tr><th>N°</th><th>Nom complet</th><th colspan="2">Téléphone</th><th>Commune</th></tr></thead>\n'
                 '<tbody>\n'
                 '<tr><td>1</td><td>MOULAYE Fatimetou</td><td>+221 76 989 73 65</td><td>—</td><td>Médina Gounass</td></tr>\n'
                 '<tr><td>2</td><td><b>Keïta Bakary</b><br>chef de ménage</td><td>—</td><td>—</td><td>Kolda</td></tr>\n'
                 '<tr>\n  <td>3</td>\n  <td>\n    Rokhaya Sene\n  </td>\n  <td>77 430 22 18</td><td></td>'
                 '<td>Bignona Santhiaba</td></tr>\n'
                 '<tr><td>4<td>Awa Ba<td>—<td>—<td>Sédhiou\n'
                 '</tbody></table>\n'
                 '<table><tr><td>Item</td><td>Qty</td></tr><tr><td>Kitchen set</td><td>12</td></tr></table>\n'
                 '</body></html>\n')


def test_html_tables_cells_and_markup():
    """An HTML file's tables: each cell's first run of text under its column's header (th cells,
    a thead, or a first row of td cells that holds no value; colspan counted; an unclosed cell or
    row ends at the next), the text of a style, script or comment being markup."""
    from dataguard.detect.tabular import html_cells
    text = HTML_REGISTER
    cells, tables, markup = html_cells(text)
    got = [(text[s:e], name, key) for s, e, name, key in cells]
    assert got == [("1", "N°", (0, 0)), ("MOULAYE Fatimetou", "Nom complet", (0, 1)),
                   ("+221 76 989 73 65", "Téléphone", (0, 2)), ("—", "Téléphone", (0, 3)),
                   ("Médina Gounass", "Commune", (0, 4)),
                   ("2", "N°", (0, 0)), ("Keïta Bakary", "Nom complet", (0, 1)), ("—", "Téléphone", (0, 2)),
                   ("—", "Téléphone", (0, 3)), ("Kolda", "Commune", (0, 4)),
                   ("3", "N°", (0, 0)), ("Rokhaya Sene", "Nom complet", (0, 1)), ("77 430 22 18", "Téléphone", (0, 2)),
                   ("Bignona Santhiaba", "Commune", (0, 4)),
                   ("4", "N°", (0, 0)), ("Awa Ba", "Nom complet", (0, 1)), ("—", "Téléphone", (0, 2)),
                   ("—", "Téléphone", (0, 3)), ("Sédhiou", "Commune", (0, 4)),
                   ("Kitchen set", "Item", (1, 0)), ("12", "Qty", (1, 1))]
    assert [text[s:s + 6] for s, _ in tables] == ["<table", "<table"]
    hidden = "".join(text[s:e] for s, e in markup)
    assert "Awa Ndiaye" in hidden and "Ousmane Sy" in hidden and "MOULAYE" not in hidden
    assert all(text[s] == "<" and text[e - 1] == ">" for s, e in markup)


def test_an_html_tables_people_column_gives_its_names_without_the_model():
    """The names in an HTML register's column named for people are persons without NER, at
    their place in the file; places in a commune column, a product and the markup's names
    (a style, a comment) are not."""
    from tests.conftest import pack_context
    det = Detector(ner=False, language="fr", context=pack_context())
    unit = Unit(target="/t", uri="/t/liste.html", path="liste.html")
    got = person_spans(det, [Chunk(unit=unit, text=HTML_REGISTER)])[0]
    assert got == spans_of(HTML_REGISTER, ["MOULAYE Fatimetou", "Keïta Bakary", "Rokhaya Sene", "Awa Ba"])


HTML_FORM = ('<html><body><form action="/apply">\n'
             '<label>Full name <input type="text" name="full_name" value="Margaret Ellison"></label>\n'
             "<input value='Thomas Whitaker' name='applicant_name' id=a2>\n"
             '<input type="search" name="q" value="Search the site"> <input name="city" value="Port Louis">\n'
             '<input type="submit" name="action" value="Send Message"> <input name="full_name" value="">\n'
             '</form></body></html>\n')


def test_a_saved_forms_fields_name_their_values():
    """A saved page's form: a field's value stands under its field's name (``full_name``,
    ``applicant_name``: persons without the model); a search box, a city and a button are none."""
    from tests.conftest import pack_context
    det = Detector(ner=False, language="en", context=pack_context())
    unit = Unit(target="/t", uri="/t/apply.html", path="apply.html")
    got = person_spans(det, [Chunk(unit=unit, text=HTML_FORM)])[0]
    assert got == spans_of(HTML_FORM, ["Margaret Ellison", "Thomas Whitaker"])


HTML_CARDS = ('<html><body><main>\n'
              '  <div class="card"><h3>Saima Akhtar</h3><span class="role">Cash Assistance Assistant</span>'
              '<ul><li>Mobile: +880 1564-505526</li></ul></div>\n'
              '  <div class="card">\n    <h3>Nazmul Rahman</h3>\n    <p class="role">Registration Clerk</p>\n'
              '    <p>01696-450190</p>\n  </div>\n'
              '<p>Contact <b>Grace Marsh</b> for the roster.</p>\n'
              '</main></body></html>\n')


def test_the_model_reads_an_html_page_without_its_tags(detector, monkeypatch):
    """Text of an HTML page goes to the model without its tags (an inline tag left out, another a
    line break) and never a tag's half; what it finds is put back at its place in the file, and a
    name ends before the next tag."""
    seen = texts_given_to_ner(monkeypatch)
    unit = Unit(target="/t", uri="/t/team.html", path="team.html")
    got = {v for _, _, v in person_spans(detector, [Chunk(unit=unit, text=HTML_CARDS)])[0]}
    assert {"Saima Akhtar", "Nazmul Rahman", "Grace Marsh"} <= got
    assert not any("<" in v or ">" in v for v in got)
    for t in seen:
        shown, where = ner._untagged(t)
        assert "<" not in shown and ">" not in shown, t
        assert where is None or all(t[i] == c for i, c in zip(where, shown) if c != "\n")


YAML_ROSTER = ('# staff roster (export)\noffice: Dakar\nstaff:\n'
               '  PEW1704:\n    name: "SANGARÉ Mamoudou"\n    title: Logistics Officer\n    duty_station: Kolda\n'
               '    salary_account: PK57HABB8704177311086086   # payroll\n'
               '    emergency_contact:\n      name: Arame Wade\n      relation: father\n      phone: "74-05-83-94"\n'
               '  PEW1705:\n    name: Brehima Kanté\n    title: Agent de saisie\n    duty_station: Médina Gounass\n'
               '    salary_account: PK29ABPA6394346853859919\n'
               '    emergency_contact:\n      name: \'Diarra Mboup\'\n      relation: sister\n'
               'campaign:\n  name: Amal Livelihoods\n  contact person: Awa Ndiaye\n'
               'floor_wardens:\n  - { building: "A", floor: 0, warden: "Folake Ogunleye", phone: "+41229421782" }\n'
               '  - {building: B, warden: Grace Kimani}\n')


def test_a_yaml_files_values_are_columns_named_by_their_keys_and_the_key_above(detector, patterns_en):
    """A YAML file's values are columns named by their keys, each with the key of the mapping
    holding it (not a key that is data: a record's id), in a flow mapping too: an emergency
    contact's, a contact person's and a warden's names are persons without the model, quoted or
    not, at their place, and so is a generic "name" under a role ("staff"); a campaign's name, titles and places
    are not; the salary accounts are IBANs (a column of valid ones)."""
    from dataguard.detect.columns import yaml_columns
    unit = Unit(target="/t", uri="/t/roster.yaml", path="roster.yaml")
    chunk = Chunk(unit=unit, text=YAML_ROSTER)
    cols = {(c.name, c.parent): [YAML_ROSTER[s:e] for s, e in c.cells] for c in yaml_columns(chunk)}
    assert cols[("name", "staff")] == ["SANGARÉ Mamoudou", "Brehima Kanté"]
    assert cols[("name", "emergency_contact")] == ["Arame Wade", "Diarra Mboup"]
    assert cols[("salary_account", "staff")] == ["PK57HABB8704177311086086", "PK29ABPA6394346853859919"]
    assert cols[("name", "campaign")] == ["Amal Livelihoods"]
    assert cols[("warden", "floor_wardens")] == ["Folake Ogunleye", "Grace Kimani"]
    assert cols[("building", "floor_wardens")] == ["A", "B"]
    det = patterns_en
    assert person_spans(det, [chunk])[0] == spans_of(YAML_ROSTER, ["SANGARÉ Mamoudou", "Arame Wade", "Brehima Kanté",
                                                                   "Diarra Mboup", "Awa Ndiaye",
                                                                   "Folake Ogunleye", "Grace Kimani"])
    assert person_spans(detector, [chunk])[0] == spans_of(YAML_ROSTER, ["SANGARÉ Mamoudou", "Arame Wade",
                                                                       "Brehima Kanté", "Diarra Mboup", "Awa Ndiaye",
                                                                       "Folake Ogunleye", "Grace Kimani"])
    ibans = {YAML_ROSTER[m.start:m.end] for _, ms in det.analyze([chunk]) for m in ms if m.entity_type == "IBAN_CODE"}
    assert ibans == {"PK57HABB8704177311086086", "PK29ABPA6394346853859919"}


INI_SITE = ('; site configuration\n[site]\nname = Kolda sub-office\ntimezone = Africa/Dakar\n\n'
            '[emergency_contact]\nname = Arame Wade   ; updated 2024-03\nphone = "+221 77 405 83 94"\n\n'
            '[backup]\nserver = 10.20.1.15\noperator.email: m.sow@ongsahel.sn\nschedule = daily 02:00 # UTC\n')


REGISTRE = ("Matricule;NOM;Prénom(s);Service;Date de naissance;Téléphone\n"
            "AHS-01014;MBIDA;Armel;FINANCE;19/03/1968;+221 77 405 83 94\n"
            "AHS-01392;MAÏGA-TOURÉ;Fousseynou;LOGISTIQUE;24/02/2000;+221 76 121 12 21\n"
            "AHS-01103;SY;Maïmouna;PROTECTION;03/11/1991;\n"
            "AHS-01104;N/A;Ousmane;SECURITE;05/06/1985;\n"
            "AHS-01105;PENDING;Adama;SANTE;05/07/1985;\n"
            "AHS-01106;NEANT;Awa;SANTE;05/07/1986;\n"
            "AHS-01107;DECEDE;Mariam;SANTE;05/07/1987;\n")


@pytest.mark.parametrize("ner", [False, True])
def test_a_registers_surname_column_gives_its_surnames_in_capitals_alone(detector, ner, patterns_en):
    """A French register splits a name into "NOM" (the surname, in capitals) and "Prénom(s)" (a
    plural's ending in brackets): each cell is a person's name, a lone surname in capitals too;
    a placeholder is none, nor a department's name in capitals in another column."""
    det = detector if ner else patterns_en
    chunk = Chunk(unit=CSV_UNIT, text=REGISTRE, context=tuple(REGISTRE.split("\n")[0].split(";")), hint="structured")
    want = ["MBIDA", "Armel", "MAÏGA-TOURÉ", "Fousseynou", "SY", "Maïmouna", "Ousmane", "Adama", "Awa", "Mariam"]
    assert person_spans(det, [chunk])[0] == spans_of(REGISTRE, want)


TRANSFERTS = ("id_menage,nom_chef_menage,site,telephone\n"
              "GOM-22-02892,Jean-Pierre Kalala,Kiwanja,00243 85 878 79 16\n"
              "GOM-22-05332,bénédicte tshisola,Kanyaruchinya,\n"
              "GOM-22-05333,Aline Furaha,Bulengo,\n"
              "GOM-22-05334,same as above,Bulengo,\n"
              "GOM-22-05335,jean-claude mumbere kasereka,Bulengo,\n"
              "GOM-22-05336,refused to answer,Bulengo,\n"
              "GOM-22-05339,chef de ménage,Bulengo,\n"
              "GOM-22-05340,en attente,Bulengo,\n"
              "GOM-22-05337,Esther Kahindo,Kiwanja,\n"
              "GOM-22-05338,Dieudonné Muhindo,Kiwanja,\n"
              "GOM-22-05341,Sifa Bahati,Kiwanja,\n"
              "GOM-22-05342,Espoir Kambale,Kiwanja,\n")


@pytest.mark.parametrize("ner", [False, True])
def test_names_typed_in_lower_case_in_a_column_of_names_are_names(detector, ner, patterns_en):
    """A cash-transfer list's head of household typed in lower case by an enumerator: a name
    where the column is named for people and half its cells or more are names as written; a
    phrase in lower case ("same as above") is none."""
    det = detector if ner else patterns_en
    chunk = Chunk(unit=CSV_UNIT, text=TRANSFERTS, context=tuple(TRANSFERTS.split("\n")[0].split(",")), hint="structured")
    want = ["Jean-Pierre Kalala", "bénédicte tshisola", "Aline Furaha", "jean-claude mumbere kasereka", "Esther Kahindo",
            "Dieudonné Muhindo", "Sifa Bahati", "Espoir Kambale"]
    assert person_spans(det, [chunk])[0] == spans_of(TRANSFERTS, want)


CONTACTS_VCF = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:CLÉMENT;Pauline;;;\r\nFN:Pauline CLÉMENT\r\nORG:AHSAC\r\n"
                "TEL;TYPE=CELL:+33 6 05 17 75 22\r\nNOTE:Personne à prévenir : Sibiri Kinda\r\nEND:VCARD\r\n"
                "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Hôpital Régional de Thiès\r\nKIND:org\r\nEND:VCARD\r\n"
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Aminata Tra\r\n oré Diallo\r\nEND:VCARD\r\n"
                "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Awa Keita\r\n"
                "NOTE:Personne à prévenir : Moussa Diallo\\nTél : 77 123 45 67\r\nEND:VCARD\r\n")
AGENDA_ICS = ("BEGIN:VCALENDAR\r\nX-WR-CALNAME:Agenda Direction Pays\r\nBEGIN:VEVENT\r\n"
              "UID:8907B23823D5F9D67FB6DD66DD654469@ahsac-ong.org\r\nSUMMARY:Point sécurité\r\n"
              "LOCATION:Hôtel Ngor Diarama\r\nORGANIZER;CN=Leila Boudiaf:mailto:leila.boudiaf@ahsac-ong.org\r\n"
              "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=\r\n"
              " HARRINGTON Kayla:mailto:harrington-kayla@moz-solidariedade.org.mz\r\n"
              "ATTENDEE;CUTYPE=ROOM;CN=Salle Kilimandjaro:mailto:c_188abc@resource.calendar.google.com\r\n"
              "ATTENDEE;CUTYPE=GROUP;CN=Equipe Protection:mailto:protection@ahsac-ong.org\r\n"
              "END:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.mark.parametrize("ner", [False, True])
def test_contacts_and_calendars_are_read_by_their_properties(detector, ner, patterns_en):
    """A vCard's full name (its name's family and given parts where it has none) and the person its note names, a
    calendar's organizer and attendees (a folded line's too, on the line it is written): persons
    (a note's name before a line break written as an escape, "\\n", too);
    the calendar's name, an event's place, a room or a group invited, an organisation's card
    (KIND:org) are none, nor an event's unique id an e-mail address; a name a fold cuts is no
    column's value (no piece of it a name)."""
    from dataguard.detect.columns import card_columns, keyed_columns
    det = detector if ner else patterns_en
    vcf = Unit(target="/t", uri="/t/contacts.vcf", path="contacts.vcf")
    ics = Unit(target="/t", uri="/t/agenda.ics", path="agenda.ics")
    assert keyed_columns(vcf) is card_columns and keyed_columns(ics) is card_columns
    cols = {c.name: [AGENDA_ICS[s:e] for s, e in c.cells] for c in card_columns(Chunk(unit=ics, text=AGENDA_ICS))}
    assert cols["attendee"] == ["HARRINGTON Kayla"] and cols["organizer"] == ["Leila Boudiaf"]
    got = person_spans(det, [Chunk(unit=vcf, text=CONTACTS_VCF), Chunk(unit=ics, text=AGENDA_ICS)])
    # (a card's full name read, its name's parts say it again: not one-word persons beside it)
    assert got[0] - spans_of(CONTACTS_VCF, ["Aminata Tra"]) == spans_of(CONTACTS_VCF, ["Pauline CLÉMENT", "Sibiri Kinda",
                                                                                        "Awa Keita", "Moussa Diallo"])
    only_parts = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Ouédraogo;Salif;;;\r\nTEL:+226 70 12 34 56\r\nEND:VCARD\r\n"
    cols = {c.name: [only_parts[s:e] for s, e in c.cells] for c in card_columns(Chunk(unit=vcf, text=only_parts))}
    assert cols["last name"] == ["Ouédraogo"] and cols["first name"] == ["Salif"]
    company = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Juba Logistics Hub\r\nORG:UNHCR Juba\r\n"
               "TEL:+211 920 001 002\r\nEND:VCARD\r\n")
    assert card_columns(Chunk(unit=vcf, text=company)) == []      # (an organisation's card: an empty N, an ORG)
    assert not {v for _, _, v in got[0]} & {"Hôpital Régional de Thiès", "oré Diallo"}
    assert not {v for c in card_columns(Chunk(unit=vcf, text=CONTACTS_VCF)) for v in c.cells
                if CONTACTS_VCF[v[0]:v[1]].startswith(("Aminata", "Hôpital"))}
    assert got[1] == spans_of(AGENDA_ICS, ["Leila Boudiaf", "HARRINGTON Kayla"])
    emails = {AGENDA_ICS[m.start:m.end] for _, ms in det.analyze([Chunk(unit=ics, text=AGENDA_ICS)]) for m in ms
              if m.entity_type == "EMAIL_ADDRESS"}
    assert emails >= {"leila.boudiaf@ahsac-ong.org", "harrington-kayla@moz-solidariedade.org.mz"}
    assert not any(e.startswith("8907B238") for e in emails)


def test_a_configuration_files_values_are_columns_named_by_their_keys_and_section(patterns_en):
    """INI, properties, TOML and environment files: "key = value" or "key: value", quoted or
    not, a comment after it left out, with its section as the parent: an emergency contact's
    name is a person and the site's name no person, without the model; a dotted key before an
    address is no part of it."""
    from dataguard.detect.columns import ini_columns, keyed_columns
    unit = Unit(target="/t", uri="/t/site.ini", path="site.ini")
    assert keyed_columns(unit) is ini_columns
    assert keyed_columns(Unit(target="/t", uri="/t/app/.env", path="app/.env")) is ini_columns
    chunk = Chunk(unit=unit, text=INI_SITE)
    cols = {(c.name, c.parent): [INI_SITE[s:e] for s, e in c.cells] for c in ini_columns(chunk)}
    assert cols == {("name", "site"): ["Kolda sub-office"], ("timezone", "site"): ["Africa/Dakar"],
                    ("name", "emergency_contact"): ["Arame Wade"], ("phone", "emergency_contact"): ["+221 77 405 83 94"],
                    ("server", "backup"): ["10.20.1.15"], ("operator.email", "backup"): ["m.sow@ongsahel.sn"],
                    ("schedule", "backup"): ["daily 02:00"]}
    det = patterns_en
    assert person_spans(det, [chunk])[0] == spans_of(INI_SITE, ["Arame Wade"])
    found = {(m.entity_type, INI_SITE[m.start:m.end]) for _, ms in det.analyze([chunk]) for m in ms}
    assert ("EMAIL_ADDRESS", "m.sow@ongsahel.sn") in found and ("IP_ADDRESS", "10.20.1.15") in found


def test_json_payloads_in_a_log_are_read_by_their_keys(detector, monkeypatch, patterns_en):
    """A log line's JSON payload is read as a JSON file's values: a cardholder's name is a person
    without the model (and the model reads it alone), a campaign's name is none."""
    log = ''.join(f'2024-07-24T13:12:{n:02d}Z DEBUG [checkout-3] PSP request payload={{"amount":"36{n}.00",'
                  f'"campaign":"Caminos Seguros","cardholder":"{name}","exp":"12/30"}}\n'
                  for n, name in enumerate(["Aino Hansen", "Juan Pablo Ortiz", "Mei Lin"]))
    unit = Unit(target="/t", uri="/t/portal.log", path="portal.log")
    det = patterns_en
    assert person_spans(det, [Chunk(unit=unit, text=log)])[0] == spans_of(log, ["Aino Hansen", "Juan Pablo Ortiz",
                                                                                 "Mei Lin"])
    seen = texts_given_to_ner(monkeypatch)
    got = {v for _, _, v in person_spans(detector, [Chunk(unit=unit, text=log)])[0]}
    assert got == {"Aino Hansen", "Juan Pablo Ortiz", "Mei Lin"}
    assert "Aino Hansen" in seen


def test_html_tables_are_bounded():
    """A cell spanning 999 columns, tables nested 100 deep, a table never closed: columns stop at
    HTML_MAX_COLUMNS, nesting at HTML_MAX_NESTING, and every cell found is text between tags."""
    from dataguard.detect.tabular import HTML_MAX_COLUMNS, HTML_MAX_NESTING, html_cells
    text = ("<table><tr><th>Name</th><th colspan=999>Phone</th><th>Site</th></tr>"
            + "<tr><td colspan=999>Amina Okafor</td><td>x</td><td>y</td></tr>" * 3)
    cells, tables, _ = html_cells(text)
    assert [(text[s:e], name, key) for s, e, name, key in cells] == [("Amina Okafor", "Name", (0, 0))] * 3
    assert all(k < HTML_MAX_COLUMNS for _, _, _, (_, k) in cells)
    nested = "<table><tr><td>" * 100 + "Rokhaya Sene" + "</td></tr></table>" * 100
    cells, tables, _ = html_cells(nested)
    assert len(tables) == HTML_MAX_NESTING
    assert [nested[s:e] for s, e, _, _ in cells] == ["Rokhaya Sene"]


def test_a_name_written_surname_first_with_a_comma_is_read_given_name_first(detector):
    """A cell "Sinclair, William" reaches the model as "William Sinclair," (the same length): the
    cell's name whole is a person; a cell of two places ("Pikine, Kolda") read so is not, nor any
    cell of a column of places ("Zones")."""
    from dataguard.detect.ner import _given_first
    assert _given_first("Sinclair, William") == ("William Sinclair,", (0, 17))
    assert _given_first("Smith, John, Jr") is None and _given_first("Hello, world") is None
    text = ("| Medevac | Evacuated | Origin | Zones |\n|---|---|---|---|\n"
            "| MEV-24-002 | Adewale, Kofi | Zaatari | Tambacounda, Thiès |\n"
            "| MEV-24-003 | Sinclair, William | Juba | Pikine, Kolda |\n"
            "| MEV-24-004 | Langat, Joyce | Goma | Ziguinchor, Kaolack |\n")
    unit = Unit(target="/t", uri="/t/medevac_log.md", path="medevac_log.md")
    got = {v for _, _, v in person_spans(detector, [Chunk(unit=unit, text=text)])[0]}
    assert {"Adewale, Kofi", "Sinclair, William", "Langat, Joyce"} <= got
    assert not got & {"Tambacounda, Thiès", "Pikine, Kolda", "Ziguinchor, Kaolack", "Thiès", "Kolda", "Pikine"}


def test_review_fixes_of_html_tables_and_column_names():
    """A cell spanning rows keeps the cells below it under their own columns; a row of a label
    cell then a value is a form's field, not a header; an aside that says what a column holds
    ("Name (site)") keeps it from naming people; a programme's or a campaign's name as a whole
    column name is no people's, a "Programme officer" column is not lowered."""
    from dataguard.detect.columns import vocabulary_for
    from dataguard.detect.tabular import html_cells
    text = ("<table><tr><th>Zone</th><th>Name</th></tr><tr><td rowspan=2>Kakuma</td><td>Amina Okafor</td></tr>"
            "<tr><td>Juma Otieno</td></tr><tr><td>Dadaab</td><td>Halima Noor</td></tr></table>"
            "<table><tr><th>Full name</th><td>Zawadi Nyambura</td></tr><tr><th>Zone</th><td>Kakuma 3</td></tr></table>")
    got = [(text[s:e], name) for s, e, name, _ in html_cells(text)[0]]
    assert got == [("Kakuma", "Zone"), ("Amina Okafor", "Name"), ("Juma Otieno", "Name"), ("Dadaab", "Zone"),
                   ("Halima Noor", "Name"), ("Zawadi Nyambura", "Full name"), ("Kakuma 3", "Zone")]
    vocab = vocabulary_for(())
    assert not vocab.is_name_column("Name (site)") and not vocab.is_name_column("Name (NGO)")
    assert vocab.is_name_column("Contact person (host)") and not vocab.is_name_column("Server (host)")
    assert vocab.lowers_whole("Campaign", "PERSON") and vocab.lowers_whole("Zones", "PERSON")
    assert not vocab.lowers_whole("Programme officer", "PERSON")
    assert "PERSON" not in vocab.verdict("Programme officer").lowered


def test_a_name_with_two_spaces_inside_and_form_labels_of_things(detector, patterns_en):
    """A name typed with two spaces is whole (a gap is three spaces or a tab); a form's
    "Driver:" or "Witness:" before a vehicle or a place gives no person (without the model no
    such label gives one; with it, not over its organisation or place)."""
    text = "The note was written by Joseph  Mwangi and filed.\nDriver: Toyota Hilux\nWitness: Main Gate\n"
    unit = Unit(target="/t", uri="/t/note.txt", path="note.txt")
    got = {v for _, _, v in person_spans(detector, [Chunk(unit=unit, text=text)])[0]}
    assert "Joseph  Mwangi" in got
    det = patterns_en
    assert not {v for _, _, v in person_spans(det, [Chunk(unit=unit, text=text)])[0]} & {"Toyota Hilux", "Main Gate"}
    # with the model, such a label gives the name it reads as no organisation, place or group
    log = "Conductor: Sebastián Mendoza (cel. 607 540 2599)   Salida 09:18\nDriver: Toyota Hilux\n"
    got = {v for _, _, v in person_spans(detector, [Chunk(unit=unit, text=log)])[0]}
    assert "Sebastián Mendoza" in got and "Toyota Hilux" not in got


def test_a_phone_number_in_dots_under_a_phone_column_is_a_phone_number():
    """Senegal's and Côte d'Ivoire's numbers are written in pairs with dots ("77.26.48.50",
    "27.21.70.01.31"): under "Téléphone" each is a phone number, not an IP address; the same
    digits in running text stay an address."""
    from tests.conftest import pack_context
    det = Detector(ner=False, language="fr", context=pack_context(), phone_regions=("SN", "CI"))
    text = "Nom;Téléphone\nAwa Ndiaye;77.26.48.50\nKoffi Yao;27.21.70.01.31\nMoussa Sow;+221 76 121 12 21\n"
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("Nom", "Téléphone"), hint="structured")
    got = {(m.entity_type, text[m.start:m.end]) for _, ms in det.analyze([chunk]) for m in ms if m.entity_type != "PERSON"}
    assert got == {("PHONE_NUMBER", "77.26.48.50"), ("PHONE_NUMBER", "27.21.70.01.31"), ("PHONE_NUMBER", "+221 76 121 12 21")}
    prose = "Le serveur 77.26.48.50 ne répond plus."
    got = {(m.entity_type, prose[m.start:m.end]) for _, ms in det.analyze([Chunk(unit=MD_UNIT, text=prose)]) for m in ms}
    assert got == {("IP_ADDRESS", "77.26.48.50")}


SEPA_XML = ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
            '<CstmrCdtTrfInitn>\n<GrpHdr><InitgPty><Nm>AHSAC Dakar</Nm></InitgPty></GrpHdr>\n'
            '<PmtInf><Dbtr><Nm>AHSAC SENEGAL</Nm></Dbtr>\n'
            '<CdtTrfTxInf><Cdtr><Nm>ESPERANÇA CHAUQUE</Nm></Cdtr></CdtTrfTxInf>\n'
            '<CdtTrfTxInf><Cdtr><Nm>Anne-Sophie Laporte</Nm></Cdtr></CdtTrfTxInf>\n'
            '<CdtTrfTxInf><Cdtr><Nm>MATSINHE Amílcar</Nm></Cdtr></CdtTrfTxInf>\n</PmtInf>\n'
            '<Fournisseur><raison_sociale>Pharmacie Touba SA</raison_sociale>'
            '<contact><link rel="self" href="https://erp.example/f/12/c/3"/><nom>Esther Kahindo</nom></contact>'
            '<contact nom="Marie-Jeanne Mayala" tel="089 878 9601"/></Fournisseur>\n'
            '</CstmrCdtTrfInitn></Document>\n')


@pytest.mark.parametrize("ner", [False, True])
def test_an_xml_elements_parent_names_it(detector, ner, patterns_en):
    """A payment file's ``<Nm>`` is a creditor's name under ``<Cdtr>`` (a person's), the
    initiating party's under ``<InitgPty>`` (none named); a supplier's ``<contact nom="...">``
    is a person's name in a suppliers' file."""
    from dataguard.detect.columns import xml_columns
    det = detector if ner else patterns_en
    unit = Unit(target="/t", uri="/t/fournisseurs/virements.xml", path="fournisseurs/virements.xml")
    chunk = Chunk(unit=unit, text=SEPA_XML)
    cols = {(c.name, c.parent): [SEPA_XML[s:e] for s, e in c.cells] for c in xml_columns(chunk)}
    assert cols[("Nm", "Cdtr")] == ["ESPERANÇA CHAUQUE", "Anne-Sophie Laporte", "MATSINHE Amílcar"]
    assert cols[("Nm", "InitgPty")] == ["AHSAC Dakar"]
    assert cols[("nom", "contact")] == ["Esther Kahindo", "Marie-Jeanne Mayala"]    # (after a self-closing tag too)
    got = {v for _, _, v in person_spans(det, [chunk])[0]}
    assert {"ESPERANÇA CHAUQUE", "Anne-Sophie Laporte", "MATSINHE Amílcar", "Marie-Jeanne Mayala"} <= got
    assert not got & {"AHSAC SENEGAL", "Pharmacie Touba SA"}


KYC_LOG = "".join(
    f'2024-05-06 07:{n:02d}:19,456 DEBUG [kyc] name match score=0.{40 + n} registered="{a}" expected="{b}"\n'
    for n, (a, b) in enumerate([
        ("HADJA NIANE", "DUVAL Nathalie"), ("ROKHAYA SARR", "HALL Ryan"), ("GRACE WANJIRU", "OTIENO Peter"),
        ("AMINA OKAFOR", "MWANGI Joseph"), ("JOHN SMITH", "GARCIA Maria"), ("FATOU SARR", "MENSAH Kofi"),
        ("CHEN WEI", "HADDAD Nadia"), ("DAVID BROWN", "KHALIL Rania"), ("SARAH JOHNSON", "TRAORE Moussa"),
        ("MICHAEL WILSON", "DIALLO Aminata"), ("EMMA THOMPSON", "NDIAYE Awa"), ("JAMES ANDERSON", "KAMAU Grace")]))


def test_a_logs_quoted_values_are_read_by_their_keys(detector):
    """A log's keys and quoted values ('registered="HADJA NIANE" expected="DUVAL Nathalie"')
    are columns: each value is read alone by the model (a name in capitals too), and a column
    the model reads as mostly persons, whose cells are written as names, gives them all."""
    from dataguard.detect.columns import embedded_columns
    unit = Unit(target="/t", uri="/t/payout.log", path="payout.log")
    chunk = Chunk(unit=unit, text=KYC_LOG)
    cols = {c.name: [KYC_LOG[s:e] for s, e in c.cells] for c in embedded_columns(chunk)}
    assert cols["registered"][:2] == ["HADJA NIANE", "ROKHAYA SARR"] and len(cols["expected"]) == 12
    got = {v for _, _, v in person_spans(detector, [chunk])[0]}
    assert {"HADJA NIANE", "DUVAL Nathalie", "JAMES ANDERSON", "KAMAU Grace"} <= got
    assert len(got) >= 20 and not {v for v in got if "score" in v or "kyc" in v}


def test_a_statements_booking_words_are_no_part_of_a_name(detector):
    """A bank statement's transaction details: the model's "ATM WITHDRAWAL Lagos" (a place after
    booking words in capitals) and "SALARY Pinecrest Realty" (a firm: its trade closes it) are no
    persons; the payee of a transfer is."""
    from dataguard.detect.filters import _plausible_person, person_span
    lines = ["ATM WITHDRAWAL Lagos", "SALARY Pinecrest Realty MR-63611", "TRANSFER TO Joaquín Herrera Vidal",
             "DIRECT DEBIT Polaris Cloud MANDATE REF-60570AE8", "ATM WITHDRAWAL Marseille",
             "CARD PAYMENT Tandem Software BV"]
    rows = ["Date|Transaction Details|Money Out|Ccy"] + [f"2{i}.09.2023|{d}|{60 + i},50|CHF" for i, d in enumerate(lines)]
    text = "\n".join(rows) + "\n"
    chunk = Chunk(unit=Unit(target="/t", uri="/t/statement_dubai.csv", path="statement_dubai.csv"), text=text,
                  context=("Date", "Transaction Details", "Money Out", "Ccy"), hint="structured")
    [got] = person_spans(detector, [chunk])
    assert got == spans_of(text, ["Joaquín Herrera Vidal"])
    for written, name in [("STANDING ORDER Sabine Richter", "Sabine Richter"), ("PAYPAL *Simone Moretti", "Simone Moretti"),
                          ("OWUSU Kwame", "OWUSU Kwame")]:
        s, e = person_span(written, 0, len(written))
        assert written[s:e] == name and _plausible_person(name, written, s)


def test_a_names_column_gives_the_whole_name_where_the_address_beside_spells_part_of_it(patterns_en):
    """Without the model, "Otieno Brian Ouma" beside brian.ouma@...: the address's recognizer reads
    "Brian Ouma", the column the whole cell: the person is the cell (one value, the same hash as
    where no address stands beside it)."""
    text = ("full_name,email\nOtieno Brian Ouma,brian.ouma@mailbox.co.ke\n"
            "Amina Wanjiru Kamau,amina.kamau@mailbox.co.ke\nGrace Achieng,grace.achieng@mailbox.co.ke\n")
    chunk = Chunk(CSV_UNIT, text, context=("full_name", "email"), hint="structured")
    (got,) = person_spans(patterns_en, [chunk])
    assert {v for _, _, v in got} == {"Otieno Brian Ouma", "Amina Wanjiru Kamau", "Grace Achieng"}
    assert (text.index("Otieno"), text.index("Otieno") + len("Otieno Brian Ouma"), "Otieno Brian Ouma") in got


def test_the_parts_of_a_name_in_two_columns_are_persons(detector):
    """Surnames and given names side by side under a prefix naming a person ("member_last",
    "member_first"), under a key naming one ("name": {"given", "family"}), or as "first" and
    "last" in a table of a person's details, are persons, each cell whole, whatever the source
    (CSV, JSON, a Markdown table, a database's columns); a team's, a route's or a product's first
    and last, and "last" alone, name none."""
    import json
    rows = [(LAST[i % len(LAST)], FIRST[(i * 7) % len(FIRST)], f"{1000 + i}") for i in range(12)]
    rows[3] = ("bin Khalid", "Abdullah", "1003")
    want = [v for a, b, _ in rows for v in (a, b)]
    text = "member_last,member_first,member_id\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    chunk = Chunk(unit=CSV_UNIT, text=text, context=("member_last", "member_first", "member_id"), hint="structured")
    assert person_spans(detector, [chunk]) == [spans_of(text, want)]
    md = "Members\n\n| member_last | member_first | member_id |\n|---|---|---|\n" + "".join(
        f"| {a} | {b} | {c} |\n" for a, b, c in rows)
    [got] = person_spans(detector, [Chunk(unit=Unit(target="/t", uri="/t/m.md", path="m.md"), text=md)])
    assert got == spans_of(md, want)
    bare = "first,last,email\n" + "".join(f"{b},{a},x{c}@un.org\n" for a, b, c in rows)
    chunk = Chunk(unit=CSV_UNIT, text=bare, context=("first", "last", "email"), hint="structured")
    assert {v for _, _, v in person_spans(detector, [chunk])[0]} == set(want)
    records = [{"id": i, "name": {"given": FIRST[i], "family": LAST[i]}, "city": CITIES[i]} for i in range(6)]
    text = json.dumps(records, indent=1)
    [got] = person_spans(detector, [Chunk(unit=Unit(target="/t", uri="/t/h.json", path="h.json"), text=text)])
    assert {v for _, _, v in got} == {v for r in records for v in r["name"].values()}
    unit = Unit(target="pg://db", uri="pg://db#public.members", path="public.members", table="public.members",
                column="member_first", source="database")
    column = "\n".join(b for _, b, _ in rows)
    [got] = person_spans(detector, [Chunk(unit=unit, text=column, first_line=None, hint="structured",
                                          context=("member_first", "members"), siblings=("member_last", "member_id"))])
    assert {v for _, _, v in got} == {b for _, b, _ in rows}
    # decoys: teams, months and stations under a pair of other things' or no person's; "last" alone
    teams = ["Arsenal", "Chelsea", "Liverpool", "Everton", "Fulham", "Brentford"] * 2
    for header, cells in ((("season", "leader_first", "leader_last"), [(f"20{10 + i}", t, teams[-i]) for i, t in
                                                                          enumerate(teams)]),
                          (("period", "first", "last"), [(f"Q{i % 4 + 1}", "January", "March") for i in range(12)]),
                          (("last", "first_seen", "last_seen"), [(STATUSES[i % 10], PRODUCTS[i % 9], PRODUCTS[i % 7])
                                                                 for i in range(12)])):
        text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in cells)
        chunk = Chunk(unit=CSV_UNIT, text=text, context=header, hint="structured")
        assert person_spans(detector, [chunk]) == [set()], header
    stations = json.dumps([{"line": i, "terminus": {"first": a, "last": b}} for i, (a, b) in enumerate(
        [("Paddington", "Reading"), ("Euston", "Crewe"), ("Victoria", "Brighton"), ("Waterloo", "Guildford")])])
    assert person_spans(detector, [Chunk(unit=Unit(target="/t", uri="/t/r.json", path="r.json"), text=stations)]) == [set()]

"""NER planning: spaCy runs only where a name can be, and each table column as its sample says.

Prose: regions around name candidates. Structured chunks: each candidate cell on its own
(a name in a CSV row or a database column is recognised far better alone than glued to
its neighbours; long cells fall back to prose regions). JSON: each string value on its own,
without its key and quotes (``"name": "Kamil Holub",`` is a WORK_OF_ART to the small model),
with the meaning of its key as for a column; the rest of the text as prose; Markdown
tables cell by cell. A column with more than ``SAMPLE`` candidate cells in a chunk is judged
on its first ``SAMPLE`` of them: no NER entity there -> no NER on the rest (but for name
candidates); nearly all names -> the rest's name-shaped cells are names without NER;
anything else -> NER on every cell, as for a small column.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator, NamedTuple

from dataguard.detect.columns import (categorical, column_verdict, embedded_json_columns, generic_name,
                                      html_columns, is_html, key_value_header, keyed_columns, paired_headers,
                                      paired_names, quoted_pair_columns, role_column, table_columns, whole_names)
from dataguard.detect.filters import (KEY_BEFORE, LOWER, NAME_COLUMN_KEY, NAME_TOKEN, NOT_SURNAMES, PERSON_KEY,
                                      PERSON_LABEL, POST_WORDS, TITLE_WORDS, TITLES,
                                      UPPER, name_shaped, person_shaped, person_span, plausible, surname_first)
from dataguard.detect.models import one_blas_thread
from dataguard.detect.tabular import Layout, html_cells, markdown_cells, parsed, prose_table_cells
from dataguard.types import Chunk

SPACY_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
                "NORP": "NRP", "ORG": "ORGANIZATION", "DATE": "DATE_TIME", "TIME": "DATE_TIME"}
# A region worth NER: two capitalised words in a row, or a title / label before one. The second word is
# a whole word (in capitals too: "Kamil HOLUB", "Jean LEFÈVRE"), not glued to digits, and not a code's
# letters: capitals before a number ("Order INV-2022-876538", "Shipment PO 498 273", "Contact BR57 1743":
# a third of the text the benchmark's dense band sent to spaCy, for no person; "Kamil HOLUB 1985-03-04"
# goes with them).
def _titles(words, case_insensitive: bool) -> str:
    """A branch reading a title whose first letter was just read: "(?<=d)(?:r|ame|...)" for "dr",
    "dame"... (the letter looked behind once), any case or as written. Only one title can be followed by
    what the rest of the pattern asks for ('.' or a space, then a capital), so their order is free."""
    rests: dict = {}
    for w in words:
        rests.setdefault(w[0], []).append(re.escape(w[1:]))
    branch = "|".join(f"(?<={re.escape(first)})(?:{'|'.join(r)})" for first, r in rests.items())
    if case_insensitive:      # (one look at the capital first: most capitals open no title)
        return f"(?<=[{''.join(sorted(rests)).upper()}])(?i:{branch})"
    return f"(?:{branch})"


# "m", "hr", "fr", "ms", "sr" and "lic" in small letters are units and abbreviations more often than titles
# ("500 m North", "12 hr Monday", "took 120 ms Latency", "sr Engineer")
_SMALL_TITLES = [w for w in TITLE_WORDS if w not in ("m", "hr", "fr", "ms", "sr", "lic")]
# Every branch but the labels' and the titles in small letters opens with a capital: written as one
# character class first, so that re's search skips every other character in C (the branches in their
# order after it, each checking the class of the character it opens with), the whole pattern read in a
# tenth of the time. The labels ("name:", "Patient =") and titles in small letters ("seen by dr
# Mukendi") open with a small letter at a word's start; the two are joined in their order for a text
# holding one (``ner_regions``).
_PERSONISH = (
    rf"[{UPPER}](?:"
    # (particles between the names: "de la Cruz", Irish "Seán Ó Briain", elided "Charles d'Aubigné")
    rf"[{LOWER}'’]+(?:-[{UPPER}]?[{LOWER}'’]+)?[ \t]+(?:(?:al|el|de|da|dos|das|del|van|von|bin|bint|ben|"
    r"ibn|abu|ould|ag|le|la|du|di|der|den|ter|Ó|Ní|Nic|Mac)[ -]|[dDlL]['’]){0,2}"
    rf"(?![A-Z]+[ \t]?[-#/:]?[ \t]?[0-9])[{UPPER}][{LOWER}{UPPER}'’]+(?![^\W_])|"
    # a surname in capitals before the given name, as registers write it ("OWUSU Kwame", "MENSAH, Kwame");
    # no letter before it
    rf"(?<![^\W\d_].)[{UPPER}]{{1,29}}(?:[ -][{UPPER}]{{2,30}}){{0,2}}(?:[ \t]+|,[ \t]*)[{UPPER}][{LOWER}'’]+"
    r"(?![^\W_])|"
    # a title in any case (no word character before it: Mr, DR., Dott.ssa, Lic.) and a capital
    rf"(?<!\w.){_titles(TITLE_WORDS, True)}\.?[ \t]+[{UPPER}]|"
    # a given name, a middle initial, a surname ("Francesca N. Hendriks", "Wolfgang H. van Dijk")
    rf"[{LOWER}'’]+[ \t]+[A-Z]\.[ \t]*(?:(?:de|da|dos|das|del|van|von|le|la|du|di|der|den|ter)[ \t]){{0,2}}"
    rf"[{UPPER}][{LOWER}{UPPER}'’]+(?![^\W_])|"
    # a name and an initial ("approved by Tomasz T. yesterday", "Signé par Marchand H. le 6/01")
    rf"[{LOWER}'’]+(?:-[{UPPER}][{LOWER}'’]+)?[ \t]+[A-Z]\.(?![^\W_]))")
# "name", "nom", "patient", "employee", "staff", "applicant", "beneficiary" at a word's start (any case,
# as (?i) reads it: 'ſ' is an 's'), then ':' or '='; a title in small letters and a capital
_LABELS = (r"[nNpPeEsSſaAbB](?<!\w.)(?i:(?<=n)ame|(?<=n)om|(?<=p)atient|(?<=e)mployee|(?<=s)taff|"
           r"(?<=a)pplicant|(?<=b)eneficiary)\s*[:=]|"
           rf"[{''.join(sorted({w[0] for w in _SMALL_TITLES}))}](?<!\w.){_titles(_SMALL_TITLES, False)}\.?[ \t]+[{UPPER}]")
_NAME_CANDIDATE = re.compile(f"{_PERSONISH}|{_LABELS}")
_PERSON_CANDIDATE, _LABEL_CANDIDATE = re.compile(_PERSONISH), re.compile(_LABELS)
_INITIAL_NAME = re.compile(rf"\b[A-Z]\.[ \t]*[{UPPER}][{LOWER}'’]+")     # "J. Smith": no name candidate
_SPACE = re.compile(r"\s")
_LAST_SPACE = re.compile(r"\s(?!.*\s)", re.S)   # the last whitespace of what it searches
_REGION_PAD = 40          # characters either side of a name candidate: some 6 words of prose, past the ±4 tokens
                          # the model's encoder sees (60 and 200 found the same persons on the benchmark; 40 cuts
                          # the text through spaCy by a fifth)
NER_GROUP_CHARS = 20_000    # characters per spaCy call: its working memory grows with them
NAME_COLUMN_RECOGNIZER = "dataguard-name-column"
NAME_SAMPLE_RECOGNIZER = "dataguard-name-column-sample"
_CELL = re.compile(r'"(?:[^"\n\t]|"")*"|[^\n\t,;|]+')      # a quoted field whole ("SALAZAR, Fernando")
_CAPWORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zà-öø-ÿĀ-ɏḀ-ỿ'’-]+")
SAMPLE = 40
_SHORT_VALUE = 60           # a key's value this short is read whole (its capitals too), a longer one as prose
QUOTED_COLUMN = 10          # a key quoting its value on this many lines of a log is a column
GENERIC_SHARE, GENERIC_MIN_CELLS = 0.5, 3     # a generic name column: persons the model must read there
SMALL_COLUMN = 5          # a column of SAMPLE cells or fewer is judged as a whole from this many cells
_PERSON_SHARE = 0.8
_UPPER_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ]{2}")
_LONG_CELL = 200
_FEW_WORDS = 4           # a cell of more words is a sentence (``NerRunner._read``; ``_mostly_names``' short cells)
KNOWN_CHARS = 1_000_000     # snippet text whose entities a runner keeps (then it starts afresh): some 20 MB


class Cell(NamedTuple):
    """A snippet given to NER on its own; ``name_column``: it is in a column named like a name."""
    start: int
    end: int
    name_column: bool


@dataclass
class ColumnSample:
    """A long column of a chunk: NER on ``sample`` first, on ``rest`` as the sample says
    (``share``: the part of the sample the model must read as persons for a column of names)."""
    names: bool
    sample: list
    rest: list                          # (start, end) spans
    share: float = _PERSON_SHARE
    strict: bool = False                # no cell with an organisation's word or read as one becomes a person


@dataclass
class NerPlan:
    """NER work for one chunk: ``first`` in the first pass, then each of ``sampled`` is judged,
    which fills ``second``. ``found`` keeps each cell's results, ``results`` all of them."""
    chunk: Chunk
    first: list = field(default_factory=list)          # Cells
    sampled: list = field(default_factory=list)        # ColumnSamples
    second: list = field(default_factory=list)         # Cells
    results: list = field(default_factory=list)
    found: dict = field(default_factory=dict)          # (start, end) -> results


def ner_regions(text: str) -> list:
    """Merged (start, end) windows around name candidates, widened to whitespace (a window cut
    inside a word gives the model half a name: "Henrike W. Hoffmann-Bran") and cut at line ends
    (but the line before a name that opens its line)."""
    spans, n = [], len(text)
    # (without a label or a title in small letters in the text, the name candidates are the capitals' branches')
    candidates = _PERSON_CANDIDATE if _LABEL_CANDIDATE.search(text) is None else _NAME_CANDIDATE
    for m in candidates.finditer(text):
        s = max(0, m.start() - _REGION_PAD)
        e = min(n, m.end() + _REGION_PAD)
        if 0 < s and not text[s - 1].isspace():
            space = _LAST_SPACE.search(text, max(0, s - _REGION_PAD), s)
            s = space.end() if space else max(0, s - _REGION_PAD)
        if e < n and not text[e].isspace():
            space = _SPACE.search(text, e, min(n, e + _REGION_PAD))
            e = space.start() if space else min(n, e + _REGION_PAD)
        nl = text.rfind("\n", s, m.start())
        if nl != -1:
            if text[nl + 1:m.start()].strip():
                s = nl + 1
            else:       # a name opening its line keeps the line before: "Best regards,\nJoost Bakr" (alone: no person)
                before = text.rfind("\n", s, nl) + 1 or s
                # (but a blank one: the model reads no person after a region's opening line break,
                # "\nBeneficiary Emmanuelle Maurice (SSN ...)")
                s = before if text[before:nl].strip() else nl + 1
        nl = text.find("\n", m.end(), e)
        if nl != -1:
            e = nl
        if spans and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], e))
        else:
            spans.append((s, e))
    return spans


def _prose_tables(text: str, vocabulary, context: tuple = ()) -> tuple:
    """The cells and spans of a prose text's Markdown, fixed-width and tab-separated tables
    (``tabular``; a fixed-width or tab-separated header must hold a name the vocabulary knows)."""
    md = markdown_cells(text) if "|" in text else ([], [])
    cells, tables, _ = prose_table_cells(text, vocabulary.knows_one, context)
    if not tables:
        return md
    return sorted(md[0] + cells), sorted(md[1] + tables)


def _value_regions(text: str, s: int, e: int) -> list:
    """The regions of a value the model reads: its prose regions, or a short value in capitals
    whole ("HADJA NIANE", which prose regions leave out)."""
    regions = ner_regions(text[s:e])
    if not regions and e - s <= _SHORT_VALUE and _name_in_capitals(text, s, e):
        regions = [(0, e - s)]
    return regions


def _name_in_capitals(text: str, s: int, e: int) -> bool:
    """A name in a register's capitals ("IMOGEN BRAMLEY")."""
    return bool(_UPPER_WORD.search(text, s, e)) and name_shaped(text[s:e])


def may_hold_a_name(text: str, s: int, e: int) -> bool:
    """A cell holding a capitalised word, or a name in a register's capitals; not a code or a
    date (``_numbered``)."""
    return (bool(_CAPWORD.search(text, s, e)) or _name_in_capitals(text, s, e)) and not _numbered(text, s, e)


_DIGIT = re.compile(r"\d")
_CELL_WORD = re.compile(r"[^\s,]+")


def _numbered(text: str, s: int, e: int) -> bool:
    """A cell whose every word holds a digit or names a month or a day, one a digit at least: a
    code or a date ("EMP-38301", "Xxxx-Xxxx-Xxxx-4889", "June 19, 2023", "14 de diciembre de
    2023"), which holds no name (a short cell is a text of its own for the model: its cost)."""
    if _DIGIT.search(text, s, e) is None:
        return False
    for m in _CELL_WORD.finditer(text, s, e):
        w = m.group()
        if _DIGIT.search(w) is None and w.lower().rstrip(".") not in _DATE_WORDS:
            return False
    return True


def _blanked_regions(text: str, spans: list) -> list:
    """``ner_regions`` of the text with the (sorted) spans blanked out (cells read on their own)."""
    pieces, pos = [], 0
    for s, e in spans:
        if s >= pos:
            pieces += [text[pos:s], " " * (e - s)]
            pos = e
    pieces.append(text[pos:])
    return ner_regions("".join(pieces))


def _outside(text: str, regions: list, spans: list) -> list:
    """The parts of the regions outside the (sorted) spans (a value read on its own, a tag):
    the model reads neither a value again in its surroundings (where it may take the quote
    after it: "Diarra Mboup'") nor half a tag."""
    starts = [s for s, _ in spans]
    out = []
    for s, e in regions:
        i = max(0, bisect.bisect_right(starts, s) - 1)
        while i < len(spans) and spans[i][0] < e:
            a, b = spans[i]
            if b > s:
                if a > s and not text[s:a].isspace():
                    out.append((s, a))
                s = max(s, b)
            i += 1
        if e > s and not text[s:e].isspace():
            out.append((s, e))
    return out


def cell_pieces(text: str, fields=None) -> tuple:
    """Cells holding a capitalised word or a name in capitals: (short candidate cells, prose
    regions of long cells). ``fields``: the table's cell spans (``tabular.Layout``: the
    delimiter of the table, a quoted field whole), else cells split on newlines, tabs, commas,
    semicolons and pipes (a double-quoted field whole)."""
    short, long_regions = [], []
    spans = ((f[0], f[1]) for f in fields) if fields else (m.span() for m in _CELL.finditer(text))
    for s, e in spans:
        while s < e and text[s] in " \"'":
            s += 1
        while e > s and text[e - 1] in " \"'\r":
            e -= 1
        if e - s > _LONG_CELL:
            long_regions.extend((s + a, s + b) for a, b in ner_regions(text[s:e]))
        elif e > s and may_hold_a_name(text, s, e):
            short.append((s, e))
    return short, long_regions


def pipe(nlp, texts: list) -> Iterator:
    """``nlp.pipe`` over ``texts`` in groups of at most NER_GROUP_CHARS characters (or one
    text): spaCy's activations grow with the tokens of a whole group, so a group bounded
    in texts only would take gigabytes on long regions (a one-line JSON export is one
    region per chunk). Groups depend on the texts only, never on the number of workers."""
    group: list = []
    size = 0
    for t in texts:
        if group and size + len(t) > NER_GROUP_CHARS:
            yield from nlp.pipe(group, batch_size=len(group))
            group, size = [], 0
        group.append(t)
        size += len(t)
    if group:
        yield from nlp.pipe(group, batch_size=len(group))


_CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may "
                      "june july august september october november december lundi mardi mercredi jeudi vendredi "
                      "samedi dimanche janvier fevrier février mars avril mai juin juillet aout août septembre "
                      "octobre novembre decembre décembre".split())
# the words of a date written out: _CALENDAR, months in Spanish, abbreviations, "de" ("14 de mayo de 2024")
_DATE_WORDS = _CALENDAR | frozenset("enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
                                    "noviembre diciembre jan feb mar apr jun jul aug sep sept oct nov dec janv févr "
                                    "fév avr juil déc mon tue tues wed thu thur thurs fri sat sun lun mer jeu ven sam "
                                    "dim de".split())


def _caps_surname_start(doc, ent):
    """Where a person starts whose surname in capitals the model left out ("reported by SANDOVAL
    MENDOZA Tomás": it tags "MENDOZA Tomás"; "holder": "OKELLO Baraka": it tags "Baraka"; "for
    MURIUKI, Evans": it tags "Evans"): at up to three capital words right before it (and a
    comma after them), when a lower-case word, a comma, a colon, a bar, a quote or the text's
    start comes before them; None otherwise."""
    i = ent.start
    # "for MURIUKI, Evans": the surname in capitals, a comma (glued to it), the given name
    comma = i >= 2 and doc[i - 1].text == "," and doc[i - 1].whitespace_ == " " and not doc[i - 2].whitespace_
    if comma:
        i -= 1                  # (the capital words end at the comma)
    j = i
    while j > 0 and i - j < 3:
        prev = doc[j - 1]
        # (a surname in capitals before a comma is often read as a firm or a place: its tag does not count)
        if not ((prev.whitespace_ == " " or comma and j == i) and _capital_word(prev.text)) \
                or prev.text in NOT_SURNAMES or prev.ent_type_ in _NOT_PERSON_ENTS and not comma:
            break
        j -= 1
    if j == i:
        return None
    before = doc[j - 1] if j > 0 else None
    if before is None or before.is_space or before.text in (",", ":", "|", '"', "'", "(", "“"):
        return doc[j].idx
    if before.is_alpha and before.is_lower and before.whitespace_ and (comma or _capital_word(doc[i].text)):
        return doc[j].idx       # (a capitalised person after capitals in prose: "of UNHCR Smith" is Smith)
    return None


_NOT_PERSON_ENTS = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT"})   # spaCy's labels


def _capital_word(text: str) -> bool:
    return len(text) >= 2 and text.isupper() and text.replace("-", "").isalpha()


def _given_name_start(doc, ent) -> int:
    """Where a person the model found starts. The small models often tag only the surname of
    a name they do not know ("contact Per Petersson", "met Pili Girón"): a one-word person
    with a capitalised name-shaped word right before it, in mid-sentence (a lower-case word
    or a comma before that), starts at that word; a person of one word is reported only after
    a title, so without it such a name would be lost."""
    i = ent.start
    caps = _caps_surname_start(doc, ent)
    if caps is not None:
        return caps
    if doc[i].text in _PARTICLES and doc[i].whitespace_ == " ":     # "van Dijk" of "Marloes van Dijk"
        start = _before_particles(doc, i)
        if start is not None:
            return start
    if " " in ent.text or i < 2 or not doc[i].text[:1].isupper():
        return ent.start_char           # (one word: "Mwangi-Odhiambo" is three tokens)
    while i >= 3 and i > ent.start - 2 and doc[i - 1].text in _PARTICLES and doc[i - 1].whitespace_ == " ":
        i -= 1                          # "Anouk van den Berg": the given name before the particles
    particles = i < ent.start
    if particles:
        start = _before_particles(doc, i)
        if start is not None:
            return start
    if i >= 3 and doc[i - 1].whitespace_ == " " and _INITIAL.fullmatch(doc[i - 1].text) and _name_word(doc[i - 2]):
        i -= 1                          # "Kipchoge S. Mwangi-Kariuki": the given name before the initial
        particles = True
    if i >= 3 and not particles and _name_word(doc[i - 1]) and _name_word(doc[i - 2]) \
            and doc[i - 3].is_alpha and doc[i - 3].is_lower and doc[i - 3].whitespace_:
        return doc[i - 2].idx           # two given names, in mid-sentence ("a nombre de Omar Castillo Ortega")
    prev, before = doc[i - 1], doc[i - 2]
    keyed = KEY_BEFORE.match(prev.text)     # one token to the model: customer="Thomas
    if keyed and not PERSON_KEY.search(keyed["key"]):
        return ent.start_char           # (msg="Restarting Kafka": a message, not a person's key)
    given = prev.text[keyed.end():] if keyed else prev.text
    if prev.whitespace_ != " " or len(given) < 2 or not given[0].isupper() or given.upper() in NOT_SURNAMES \
            or not NAME_TOKEN.match(given) or TITLES.search(given) or given.lower() in _NOT_GIVEN:
        return ent.start_char
    if keyed:
        return prev.idx + keyed.end()
    if (before.is_alpha and before.is_lower and before.whitespace_) or before.text in _BEFORE_A_NAME \
            or before.text.lower() in _GREETINGS and before.whitespace_ \
            or before.text in (":", ";") and (particles or i >= 3 and PERSON_LABEL.fullmatch(doc[i - 3].text)):
        return prev.idx                 # (a comma, an opening quote or bracket; a colon before particles or after
    return ent.start_char               # a label of a person: "Personne à contacter : Björn Schäfer-Hartmann")


def _holds_a_candidate(text: str, s: int, e: int) -> bool:
    """Whether text[s:e] holds a name candidate, or an initial and a name ("J. Smith")."""
    return _NAME_CANDIDATE.search(text, s, e) is not None or _INITIAL_NAME.search(text, s, e) is not None


def _joined_persons(doc) -> list:
    """The model's entities, two persons one right after the other joined when the first ends with a
    particle ("Zoë Van den" and "Broeck" of "Zoë Van den Broeck": a surname the model cut)."""
    out = []
    for ent in doc.ents:
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == ent.label_ in ("PERSON", "PER") and prev.end == ent.start \
                and len(prev) >= 2 and doc[prev.end - 1].lower_ in _PARTICLES and doc[prev.end - 1].whitespace_:
            out[-1] = doc[prev.start:ent.end]
            out[-1].label_ = ent.label_
            continue
        out.append(ent)
    return out


def _before_particles(doc, i: int):
    """Where a name starts whose surname the model tagged alone after particles (``i``: the
    first particle): the first part of a double surname joined by a hyphen is stepped over
    ("Matteo Kuipers-van den Berg", "Mathilde de Vries-van den Berg"), then the capitalised
    word before is the given name, at a sentence's start too and whatever the model read it
    as ("Alessandro van den Berg's", "Mercedes de Boer-van den Berg", which it reads as a firm):
    small particles between capitalised words are a name's. None: no such word."""
    i = _particles_before(doc, i)      # (the caller's walk stops three tokens from the start)
    for _ in range(2):
        if i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_ \
                and doc[i - 2].text[:1].isupper() and NAME_TOKEN.match(doc[i - 2].text) is not None:
            i = _particles_before(doc, i - 2)
    if i < 1:
        return None
    given = doc[i - 1]
    t = given.text
    if given.whitespace_ != " " or len(t) < 2 or not t[0].isupper() or t.isupper() or NAME_TOKEN.match(t) is None \
            or TITLES.search(t) or t.lower() in _NOT_GIVEN or t.lower() in _FUNCTION_WORDS or t.lower() in _PARTICLES:
        return None
    return given.idx


def _particles_before(doc, i: int) -> int:
    """``i`` moved back over up to two particles before it ("van den")."""
    for _ in range(2):
        if i >= 1 and doc[i - 1].text in _PARTICLES and doc[i - 1].whitespace_ == " ":
            i -= 1
    return i


# capitalised small words at a sentence's start, never a given name before particles ("In van den Berg's report")
_FUNCTION_WORDS = frozenset("the in on at for from with by to of and or per as if when see cc attn re "
                            "this that these those our your their his her its".split())


def _name_word(token) -> bool:
    """A capitalised word that may be a given name (not a title, a post, a place or a firm the model
    tagged, a weekday or a month)."""
    t = token.text
    return token.whitespace_ == " " and len(t) >= 2 and t[0].isupper() and NAME_TOKEN.match(t) is not None \
        and not t.isupper() and not TITLES.search(t) and t.lower() not in _NOT_GIVEN \
        and token.ent_type_ not in _NOT_PERSON_ENTS


_BEFORE_A_NAME = frozenset(',"\'(“«')
# no given name before a surname: a day, a month, a post's word ("Senior Analyst Kamau", "Country Director Okafor")
_NOT_GIVEN = _CALENDAR | POST_WORDS
_GREETINGS = frozenset("dear hello hi bonjour cher chère chere estimado estimada hola querido querida liebe lieber "
                       "caro cara gentile beste".split())
_INITIAL = re.compile(r"[A-Z]\.")
# what stands between two persons' names on a line, never inside one (not "s/o", son of; a
# line break is left to the filters, which keep the first line: a signature's name over its post)
_BETWEEN_NAMES = re.compile(r"\s+/\s+|[ \t]*;[ \t]*")
_PARTICLES = frozenset("al el de da dos das del van von bin bint ben ibn abu ould ag le la du di der den ter".split())


def _result(entity: str, start: int, end: int, score: float, recognizer: str, name_column: bool = False):
    from presidio_analyzer import RecognizerResult
    meta = {"recognizer_name": recognizer}
    if name_column:
        meta[NAME_COLUMN_KEY] = True
    return RecognizerResult(entity, start, end, score, recognition_metadata=meta)


def _reportable(text: str, r) -> bool:
    """Would ``filters.postprocess`` keep this NER result (the score is always high enough)?"""
    start, end = person_span(text, r.start, r.end) if r.entity_type == "PERSON" else (r.start, r.end)
    return plausible(r.entity_type, text[start:end], text, start, end,
                     (r.recognition_metadata or {}).get(NAME_COLUMN_KEY, False))


_CAPITAL_WORD = re.compile(r"[^\W\d_]{2,}")


_SURNAME_GIVEN = re.compile(r"(\s*)([^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*)?), ([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,2})\s*")


def _given_first(text: str):
    """A cell that is a name written surname first with a comma ("Guled, Nimco", "Barasa,
    Baraka"), as the model reads names: (the given names first and the comma after, "Nimco
    Guled,", the same length; the (start, end) of the name in the cell); None for another text."""
    if len(text) > 60 or "," not in text:
        return None
    m = _SURNAME_GIVEN.fullmatch(text)
    if m is None or not name_shaped(text.strip()):
        return None
    lead, surname, given = m.group(1), m.group(2), m.group(3)
    name_end = m.end(3)
    turned = f"{lead}{given} {surname},{text[name_end:]}"
    return (turned, (len(lead), name_end)) if len(turned) == len(text) else None


def _readable(text: str) -> str:
    """A short cell of two to four words, half of them or more in capitals ("IMOGEN BRAMLEY",
    "SALAZAR, Fernando"; not "IOM South Sudan"), as the model reads names best: those words
    capitalised, the offsets unchanged."""
    words = _CAPITAL_WORD.findall(text) if len(text) <= 60 else ()
    if not 2 <= len(words) <= 4 or 2 * sum(w.isupper() for w in words) < len(words):
        return text
    out = _CAPITAL_WORD.sub(lambda m: m.group().capitalize() if m.group().isupper() else m.group(), text)
    return out if len(out) == len(text) else text


# a name-shaped run of two to four words between double quotes, on one line, after a word that
# introduces a person ('updated for "Paloma Ortega"', 'assigned to "Kamil Holub"'; not 'the novel
# "Little Women"', not a list of quoted strings)
_QUOTED = re.compile(r'["“]([^"“”\n]{3,60})["”]')
_PERSON_CUE = re.compile(r"(?i)\b(?:for|by|to|from|with|user|username|customer|client|member|patient|employee|staff|"
                         r"beneficiary|applicant|requester|recipient|sender|caller|owner|assignee|reporter|author|"
                         r"contact|holder|signed|approved|assigned|created|updated|deleted|called|named|par|pour|à)"
                         r"[ \t]*\Z")


_DASH_BULLET = re.compile(r"(?m)^([ \t]*)-(?=[ \t]+\S)")


def _unbulleted(text: str) -> str:
    """A hyphen that opens a list item made a space, the offsets unchanged: the English model
    finds no one in "- Charlotte Beaumont took notes." and the person in the same line without
    it (bullets "*", "•", "–" and numbers do not hide names)."""
    return _DASH_BULLET.sub(r"\1 ", text) if "-" in text else text


# HTML's tags (by name: not "<jane@un.org>" after a name) and comments
_HTML_MARKUP = re.compile(r"</?(?:a|abbr|b|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|div|dl|"
                          r"dt|em|font|footer|h[1-6]|head|header|hr|html|i|img|label|li|main|mark|nav|ol|p|pre|q|s|"
                          r"section|small|span|strong|sub|sup|table|tbody|td|tfoot|th|thead|title|tr|u|ul)"
                          r"(?=[\s/>])[^<>]{0,2000}>|<!--.{0,2000}?-->", re.I | re.S)


_HTML_INLINE = frozenset("a abbr b big cite code em font i label mark q s small span strong sub sup u".split())


def _untagged(text: str) -> tuple:
    """(the text without HTML's tags and comments, the offset in ``text`` of each of its
    characters; None: no tag, the text itself): the model reads a page
    (``<h3>Rahim Kabir</h3><span class="role">Interpreter``) as the lines it shows. An inline
    tag (``<b>``, ``<a>``...) is left out, another (a heading, a paragraph, a cell, a list
    item...) is a line break."""
    if "<" not in text:
        return text, None
    pieces, where, pos = [], [], 0
    for m in _HTML_MARKUP.finditer(text):
        pieces.append(text[pos:m.start()])
        where.extend(range(pos, m.start()))
        tag = m.group()
        name = tag[1:].lstrip("/").split(None, 1)[0].rstrip(">/").lower() if tag[1:2] != "!" else ""
        if name and name not in _HTML_INLINE:
            pieces.append("\n")
            where.append(m.start())
        pos = m.end()
    if pos == 0:                # (no tag: every match ends past the text's start)
        return text, None
    pieces.append(text[pos:])
    where.extend(range(pos, len(text)))
    return "".join(pieces), where


_GAP = re.compile(r"[ \t]*\t|   +")      # (two spaces are a typing slip as often: "Joseph  Mwangi")


def _before_markup(text: str, start: int, end: int) -> int:
    """The end of an entity the model found in a text read without its HTML tags
    (``_untagged``): at the first tag inside it, spaces before it left out (the model may read a
    name on into the next line: "Nazmul Rahman</h3> <p>Registration Clerk")."""
    if "<" not in text[start:end]:
        return end
    m = _HTML_MARKUP.search(text, start, end)
    if m is None:
        return end
    end = m.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _unquoted(text: str) -> str:
    """Double quotes around two to four name-shaped words after a word that introduces a person
    made spaces, the offsets unchanged: the model reads a quoted name as a title ('profile
    updated for "Paloma Ortega"' gives a WORK_OF_ART), and without the quotes as the person it is."""
    if '"' not in text and "“" not in text:
        return text

    def plain(m):
        inner = m.group(1)
        if 2 <= len(inner.split()) and name_shaped(inner.strip()) and \
                _PERSON_CUE.search(text, max(0, m.start() - 20), m.start()):
            return f" {inner} "
        return m.group()
    return _QUOTED.sub(plain, text)


def _trimmed(text: str, s: int, e: int) -> tuple:
    """A cell's span without the spaces around it."""
    cell = text[s:e]
    return s + len(cell) - len(cell.lstrip()), s + len(cell.rstrip())


def _whole_person(text: str, s: int, e: int, found: list) -> list:
    """A cell written as one name where the model read a person in a part of it: the whole cell."""
    if not any(r.entity_type == "PERSON" for r in found):
        return found
    s, e = _trimmed(text, s, e)
    return [r for r in found if r.entity_type != "PERSON"] + [_result("PERSON", s, e, 0.85, "SpacyRecognizer")]


class NerRunner:
    """spaCy NER over a batch of chunks, as each chunk's ``NerPlan`` says."""

    def __init__(self, nlp, entities: frozenset, vocabulary):
        self.nlp = nlp
        self.entities = entities
        self._person = "PERSON" in entities
        # the model is asked for persons alone (the default packs): a sentence without a name candidate is not read
        self._persons_only = set(SPACY_LABELS.values()) & set(entities) == {"PERSON"}
        self._name_column = vocabulary.is_name_column     # columns.Vocabulary: PERSON column names
        self._vocabulary = vocabulary
        self._seen: dict = {}           # snippet text -> its entities, over batches (KNOWN_CHARS at most)
        self._seen_chars = 0

    def run(self, batch: list) -> list:
        """NER results per chunk. The same snippet text is analysed once (spaCy sees each snippet
        alone, so its result depends on the text only): names recur over rows and files,
        boilerplate over documents. The snippets seen are kept up to KNOWN_CHARS characters."""
        plans = [self.plan(c) for c in batch]
        if self._seen_chars > KNOWN_CHARS:
            self._seen, self._seen_chars = {}, 0
        cache = self._seen
        self._run(cache, [(p, cell) for p in plans for cell in p.first])
        for p in plans:
            for col in p.sampled:
                self._judge_column(p, col)
        self._run(cache, [(p, cell) for p in plans for cell in p.second])
        return [p.results for p in plans]

    def plan(self, chunk: Chunk) -> NerPlan:
        text = chunk.text
        ks = chunk.keep_start
        ke = len(text) if chunk.keep_end is None else chunk.keep_end
        # only matches starting in the keep window are kept: a region wholly outside it cannot give one
        plan = NerPlan(chunk)
        if chunk.hint != "structured":
            keyed = None if chunk.is_name else keyed_columns(chunk.unit)
            if keyed is not None:
                plan.first = self._keyed_cells(plan, keyed(chunk), ks, ke)
                return plan
            if not chunk.is_name and is_html(chunk.unit):
                found = html_cells(text)
                plan.first = self._keyed_cells(plan, html_columns(chunk, found), ks, ke, found[2])
                return plan
            tables = ([], []) if chunk.is_name else _prose_tables(text, self._vocabulary, tuple(chunk.context))
            # a log's JSON payloads, and the quoted values of a key it repeats on many lines
            # ('registered="HADJA NIANE"'): their values alone, the rest as prose
            embedded = [] if chunk.is_name or tables[1] else \
                embedded_json_columns(chunk) + [c for c in quoted_pair_columns(chunk) if len(c.cells) >= QUOTED_COLUMN]
            if tables[1]:
                plan.first = self._table_cells(plan, *tables, ks, ke)
            elif embedded:
                plan.first = self._keyed_cells(plan, embedded, ks, ke)
            else:
                plan.first = [Cell(s, e, False) for s, e in ner_regions(text) if e > ks and s < ke]
            return plan
        if chunk.unit.column is not None:      # a database column (or a key path in one): its own name
            own = chunk.column or chunk.unit.column
            own = paired_headers(self._vocabulary, [own, *chunk.siblings]).get(own, own)
            chunk_names = self._person and self._name_column(own)
        else:
            chunk_names = self._person and any(self._name_column(c) for c in chunk.context)
        if key_value_header([c for c in chunk.context if c]):    # a form's sheet: each value judged by its field
            plan.first = self._keyed_cells(plan, table_columns(chunk, self._vocabulary)[0], ks, ke)
            return plan
        layout = parsed(chunk, Layout)          # (read once with the column judge)
        short, long_regions = cell_pieces(text, layout.fields)
        plan.first = [Cell(s, e, chunk_names) for s, e in long_regions if e > ks and s < ke]
        short = [(s, e) for s, e in short if e > ks and s < ke]
        if short:
            self._plan_columns(plan, short, chunk_names, layout)
        return plan

    def _keyed_cells(self, plan: NerPlan, columns: list, ks: int, ke: int, markup: list = ()) -> list:
        """A JSON chunk's, an XML file's or a SQL dump's values, each alone and judged by its
        key, element or column (``columns``' JSON, XML and SQL columns): a short value of a key
        named for people that may hold a name, whole (a name-shaped one is a name whatever the model reads; under a
        generic key, ``"name"``, a product's or a team's as often, only when the model reads
        most of them as persons); prose regions of the other values, and of the rest (keys,
        arrays of strings, a pair cut at the chunk's edge, statements), the values blanked out;
        an HTML file's table cells so, and its text, the ``markup`` blanked out too (the model
        reads it without its tags: ``_untagged``)."""
        text = plan.chunk.text
        cells = []
        paired_names(self._vocabulary, columns)
        for col in columns:
            names = self._person and "PERSON" in column_verdict(self._vocabulary, col).positive
            whole = names and whole_names(self._vocabulary, col)
            short = []
            for s, e in col.cells:
                if names and e - s <= _LONG_CELL and may_hold_a_name(text, s, e):
                    short.append(Cell(s, e, whole))
                else:
                    cells.extend(Cell(s + a, s + b, whole) for a, b in _value_regions(text, s, e))
            self._generic_column(plan, short, names and not whole, ks, ke)
            cells.extend(short)
        spans = sorted([cell for col in columns for cell in col.cells] + list(markup))
        cells.extend(Cell(s, e, False) for s, e in _outside(text, _blanked_regions(text, spans), spans))
        return sorted(c for c in cells if c.end > ks and c.start < ke)

    @staticmethod
    def _generic_column(plan: NerPlan, cells: list, generic: bool, ks: int, ke: int) -> None:
        """A column under a generic name ("name"): its names are the model's, and when the model
        reads most of its cells (three or more) as persons, every name-shaped cell
        (``_judge_column``); teams, products and places give the model few persons."""
        cells = [c for c in cells if c.end > ks and c.start < ke]    # only cells NER reads in this chunk
        if generic and len(cells) >= GENERIC_MIN_CELLS:
            plan.sampled.append(ColumnSample(False, list(cells), [], GENERIC_SHARE))

    def _table_cells(self, plan: NerPlan, found: list, tables: list, ks: int, ke: int) -> list:
        """Prose with Markdown or fixed-width tables (``_prose_tables``' cells and table spans):
        each table cell that may hold a name alone; under a column named for people a name-shaped cell is
        a name whatever the model reads (under a generic ``Name``, which a table of software
        has too: when the model reads most of the column as persons); none under a column named
        as a whole for places or programmes; prose regions of the rest, the tables blanked out."""
        text = plan.chunk.text
        cells, generic = [], {}
        judged = paired_headers(self._vocabulary, {column for _, _, column in found})
        for s, e, column in found:
            column = judged.get(column, column)
            if column and self._vocabulary.lowers_whole(column, "PERSON"):
                continue                # a column of places or programmes ("Zones": "Pikine, Kolda")
            if e - s > _LONG_CELL:
                cells.extend(Cell(s + a, s + b, False) for a, b in ner_regions(text[s:e]))
            elif may_hold_a_name(text, s, e):
                names = self._person and bool(column) and self._name_column(column)
                sample = names and generic_name(column)
                cell = Cell(s, e, names and not sample)
                cells.append(cell)
                if sample:
                    generic.setdefault(column, []).append(cell)
        for column_cells in generic.values():
            self._generic_column(plan, column_cells, True, ks, ke)
        cells.extend(Cell(s, e, False) for s, e in _blanked_regions(text, tables))
        return sorted(c for c in cells if c.end > ks and c.start < ke)

    def _plan_columns(self, plan: NerPlan, short: list, chunk_names: bool, layout: Layout) -> None:
        columns: dict = {}
        first = plan.first
        for s, e in short:
            col = layout.column_of(s)
            if col is None:
                first.append(Cell(s, e, chunk_names))           # a row we could not place: as before
            elif layout.header_rows and layout.in_header(s):
                first.append(Cell(s, e, False))                 # a header cell names a column, not a person
            else:
                columns.setdefault(col, []).append((s, e))
        text = plan.chunk.text
        known = layout.headers is not None
        judged = paired_headers(self._vocabulary, layout.headers.values()) if known else {}
        for col, cells in columns.items():
            header = (layout.headers.get(col) or "") if known else ""
            header = judged.get(header, header)
            names = (self._person and self._name_column(header)) if known else chunk_names
            few = categorical(text, cells)      # a few values over and over (Yes/No, statuses): no names by the header
            names = names and not few
            # a column named for a role ("Agent", "Person"): an IT agent's or a flag as often; its
            # names are the model's, and every name-shaped cell when the model reads half of it as persons
            role = self._person and not names and not few and len(cells) <= SAMPLE and role_column(header)
            share = GENERIC_SHARE if role else _PERSON_SHARE
            if len(cells) <= SAMPLE:
                sample = [Cell(s, e, names) for s, e in cells]
                first.extend(self._read(plan, sample, names))
                if self._person and not names and len(cells) >= (GENERIC_MIN_CELLS if role else SMALL_COLUMN):
                    plan.sampled.append(ColumnSample(False, sample, [], share, strict=True))
                continue
            sample = [Cell(s, e, names) for s, e in cells[:SAMPLE]]
            first.extend(self._read(plan, sample, names))
            plan.sampled.append(ColumnSample(names, sample, cells[SAMPLE:], share, strict=not names))

    def _read(self, plan: NerPlan, cells: list, names: bool) -> list:
        """The cells of a column the model reads: every one under a name column's header; in another
        column, when the model is asked for persons alone, a cell of a few words (a name alone:
        "Okafor", "SALAZAR, Fernando") or holding a name candidate. A sentence without one ("Order
        4914755716502 and invoice INV-2020-669514 were reconciled on ...") gives the model no person
        but by mistake, as in prose (``ner_regions``): it is not read (a third of the text the dense
        benchmark's tables sent to the model), and counts in the column's sample as a cell where the
        model found nothing. Asked for places or organisations too, it reads every cell, as before
        ("delivered to the warehouse in Mombasa")."""
        if names or not self._persons_only:
            return cells
        text, read = plan.chunk.text, []
        for cell in cells:
            s, e, _ = cell
            if len(text[s:e].split()) <= _FEW_WORDS or _holds_a_candidate(text, s, e):
                read.append(cell)
            else:
                plan.found[(s, e)] = []
        return read

    def _run(self, cache: dict, cells: list) -> None:
        """NER on each (plan, cell); results into the plan's ``results`` and ``found``."""
        if not cells:
            return
        todo: list = []
        try:
            for p, (s, e, _) in cells:
                t = p.chunk.text[s:e]
                if t not in cache:
                    cache[t] = None
                    todo.append(t)
            if todo:
                self._analyse(cache, todo)
        except BaseException:
            for t in todo:              # kept over batches: no snippet stays without its result
                if cache.get(t) is None:
                    cache.pop(t, None)
            raise
        self._seen_chars += sum(map(len, todo))
        for p, (s, e, name_column) in cells:
            text = p.chunk.text
            found = [_result(etype, s + a, s + b, 0.85, "SpacyRecognizer") for etype, a, b in cache[text[s:e]]]
            if name_column:
                found = self._in_name_column(text, s, e, found)
            elif found and surname_first(text[s:e].strip()):
                found = _whole_person(text, s, e, found)
            p.found[(s, e)] = found
            p.results.extend(found)

    def _analyse(self, cache: dict, todo: list) -> None:
        # spaCy keeps every new word it sees in its vocabulary: unbounded on real data (IDs,
        # numbers, hashes: +0.5 GB per 500,000 distinct words). A memory zone drops them after.
        with one_blas_thread(), self.nlp.memory_zone():
            shown = [_untagged(t) for t in todo]
            turned = [_given_first(u) for u, _ in shown]
            # a cell read given name first is also read as written, right after: a list of places
            # ("Pikine, Kolda") is no name
            inputs = []
            for (u, _), g in zip(shown, turned):
                inputs += [_unquoted(_readable(_unbulleted(u)))] if g is None else [g[0], u]
            docs = iter(pipe(self.nlp, inputs))
            for t, (u, where), g in zip(todo, shown, turned):
                doc = next(docs)
                if g is not None and any(SPACY_LABELS.get(e.label_) == "LOCATION" for e in next(docs).ents):
                    cache[t] = ()
                    continue
                ents = self._entities(t, where, g, doc)
                cache[t] = tuple(dict.fromkeys(ents)) if ents else ()

    def _entities(self, t: str, where, turned, doc) -> list:
        """(entity, start, end) of what the model found in the snippet ``t`` (read without its
        tags: ``where``, the offsets of what it read; given name first: ``turned``), cut before a
        tag or a column's gap."""
        ents = []
        for ent in _joined_persons(doc):
            etype = SPACY_LABELS.get(ent.label_)
            if etype is None or etype not in self.entities or turned is not None and etype != "PERSON":
                continue
            start = _given_name_start(doc, ent) if etype == "PERSON" else ent.start_char
            end = ent.end_char
            if turned is not None:          # the name read given name first: the cell's name whole
                start, end = turned[1]
            if where is not None and end > start:   # back to the offsets of the text with its tags
                start, end = where[start], where[end - 1] + 1
                end = _before_markup(t, start, end)
            gap = _GAP.search(t, start, end)       # a column's gap: "KOVALENKO Vladimir    CARD"
            if gap is not None:
                end = gap.start()
            if etype == "PERSON":       # names the model ran together: "Noorullah Mohammadi / Andrew Yates"
                at = start
                for cut in _BETWEEN_NAMES.finditer(t, start, end):
                    if cut.start() > at:
                        ents.append((etype, at, cut.start()))
                    at = cut.end()
                start = at
            if end > start:
                ents.append((etype, start, end))
        return ents

    @staticmethod
    def _in_name_column(text: str, s: int, e: int, found: list) -> list:
        for r in found:
            if r.entity_type == "PERSON":
                r.recognition_metadata[NAME_COLUMN_KEY] = True
        cell = text[s:e]
        s, e = _trimmed(text, s, e)
        persons = [r for r in found if r.entity_type == "PERSON"]
        two = sum(len(text[r.start:r.end].split()) >= 2 for r in persons) >= 2     # two full names in one cell
        if name_shaped(cell) and not two and not any(r.start <= s and r.end >= e for r in persons):
            # a cell of a column named like "last_name": name-shaped words are a name even
            # where the small model sees none ("Okafor"), a place ("Dubois") or a part of it
            # (the given name of "SALAZAR, Fernando")
            return [_result("PERSON", s, e, 0.6, NAME_COLUMN_RECOGNIZER, name_column=True)]
        return found

    def _judge_column(self, plan: NerPlan, col: ColumnSample) -> None:
        """After NER on a column's sample: nothing reportable found (and not a name column) -> the
        rest of the column needs NER only where a person could be (name candidates); nearly all
        names in short cells -> every name-shaped cell is a name; otherwise NER on the rest too (on the
        cells ``_read`` keeps)."""
        text, found = plan.chunk.text, plan.found
        if not col.names and not any(_reportable(text, r) for s, e, _ in col.sample for r in found[(s, e)]):
            if self._person:
                # a rare name further down still gets NER: a person found outside a name column
                # needs two name-shaped words or a title, which is what a name candidate is
                plan.second.extend(Cell(s, e, False) for s, e in col.rest
                                   if _holds_a_candidate(text, s, e))
            return
        if self._person and self._mostly_names(text, found, col.sample, col.share):
            self._names_without_ner(plan, col)
            return
        plan.second.extend(self._read(plan, [Cell(s, e, col.names) for s, e in col.rest], col.names))

    @staticmethod
    def _mostly_names(text: str, found: dict, sample: list, share: float = _PERSON_SHARE) -> bool:
        person = short = 0
        for s, e, _ in sample:
            if len(text[s:e].split()) <= _FEW_WORDS and e - s <= 60:
                short += 1
            if sum(r.end - r.start for r in found[(s, e)] if r.entity_type == "PERSON") * 2 >= e - s:
                person += 1
        return person >= share * len(sample) and short >= 0.9 * len(sample)

    @staticmethod
    def _names_without_ner(plan: NerPlan, col: ColumnSample) -> None:
        """A column of names: each name-shaped cell is one person, in the sample too (where the
        model saw none, or only part of the name), so no row depends on being sampled."""
        text, found, rest = plan.chunk.text, plan.found, col.rest
        shaped = person_shaped if col.strict else name_shaped
        drop = set()
        for s, e, _ in col.sample:
            if shaped(text[s:e]) and not any(r.entity_type == "PERSON" and (r.start, r.end) == (s, e)
                                             for r in found[(s, e)]) \
                    and not (col.strict and not surname_first(text[s:e].strip())
                             and any(r.entity_type in ("ORGANIZATION", "LOCATION") for r in found[(s, e)])):
                drop.update(id(r) for r in found[(s, e)])
                rest.append((s, e))
        if drop:
            plan.results = [r for r in plan.results if id(r) not in drop]
        for s, e in rest:
            if not shaped(text[s:e]):
                plan.second.append(Cell(s, e, col.names))
                continue
            plan.results.append(_result("PERSON", s, e, 0.85, NAME_SAMPLE_RECOGNIZER, name_column=True))

"""Column semantics: in a table, the column's name is evidence, and the column is judged as a whole.

Every tabular chunk (a database column or JSON key path, CSV/TSV text, spreadsheet rows, the
values of a JSON file by key) is split into columns (``tabular.Layout``) whose names come from
the header, the schema or the keys. The
rule packs' column-name signals (``column_signals``, a vocabulary in English, French and
Spanish in ``rules/default.yaml``) say what a name means:

* a positive signal (``entity``): value matches of that entity in the column are confirmed
  (reason ``value_and_column_name``); with a value kind (``values``), every plausible value
  of the column that no recognizer matched is a finding too (reason ``column_name``), and
  look-alike identifiers of other kinds in it are dropped (a column named ``passport_no``
  holds passport numbers, not phone numbers);
* a negative signal (``lower``): ``invoice_no``, ``order_id``, ``sku`` hold codes, so the
  listed look-alike entities are dropped there unless checksum-validated in most of the
  column's values.

Whatever the name: dates alone are not personal data (DATE_TIME is dropped in tables; a
birth-date column is DATE_OF_BIRTH); identifiers whose checksum passes by chance (NHS,
Medicare, bank numbers, ...) need a context word or most of the column; names are not
looked for in machine text such as user agents; a cell that is a password hash
(bcrypt, argon2, PBKDF2, crypt, LDAP) is a PASSWORD_HASH, never a clear-text password.
"""
from __future__ import annotations

import bisect
import collections
import dataclasses
import datetime
import functools
import itertools
import logging
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from dataguard import sqldump
from dataguard.detect.entities import NER_ENTITIES, traits
from dataguard.detect.context import context_found, in_external, name_words
from dataguard.detect.filters import (CONTEXT_KEY, CONTEXT_RAISE_KEY, HASH_MARKS, LIST_LABELS, NAME_COLUMN_KEY,
                                     POST_WORDS, REASON_KEY, SECRET_KEY_KEY, listed_person, lone_surname,
                                     lower_case_name, name_shaped, org_word, org_worded, password_hash, person_shaped,
                                     placeholder_secret, post_shaped, script_name_shaped, surname_in_capitals,
                                     surname_last_in_capitals, surnames_in_capitals, titled_surname, unit_shaped)
from dataguard.detect.phone import FORMATTED_KEY
from dataguard.detect.tabular import (Layout, forget, form_fields, html_cells, markdown_cells, markdown_pairs,
                                     parsed, prose_table_cells, tab_pairs)
from dataguard.types import Chunk, ColumnSignal
from dataguard.vocab import Reason, ValueKind

log = logging.getLogger(__name__)

COLUMN_RECOGNIZER = "dataguard-column-name"
NAMES_RECOGNIZER = "dataguard-names-column"       # a column the model reads as names, most of it
NAMES_MIN_CELLS, NAMES_SHARE = 10, 0.6
PHONES_SHARE = 0.6              # of a column's cells the phone recognizer reads: the others are phones too
PHONES_RECOGNIZER = "dataguard-phones-column"
ROLE_MIN_CELLS = 3              # a role's column ("Contact", "Candidate") judged on as few cells
SHORT_ROLE_SHARE = 0.75         # of such a short column's cells the model reads as persons
ROLE_NAMES_SHARE = 0.5          # in a column named for a role ("Contact", "Employee"): half the model's persons
HASH_RECOGNIZER = "dataguard-password-hash"
WEAK = 0.5                              # a match under this (the rules' default min_score) reports nothing alone
STRONG_SHARE = 0.8                      # share of a column's values that makes a lowered entity real
MIN_CELLS = 3
MAX_CELL = 4000                         # longer cells are prose: no name-led finding in them
# identifiers with a checksum: a column mostly made of valid ones is what it looks like
CHECKSUM = frozenset({"CREDIT_CARD", "IBAN_CODE", "UK_NHS", "AU_MEDICARE", "AU_TFN", "AU_ABN", "AU_ACN",
                      "IN_AADHAAR", "ES_NIF", "IT_FISCAL_CODE", "PL_PESEL", "SG_NRIC_FIN",
                      "FI_PERSONAL_IDENTITY_CODE", "CRYPTO"})
# a column named for a generic identifier holds it in the forms of particular countries or
# schemes: a recognizer's match of one of them there is that (an IBAN under "bank account",
# a US SSN under "tax id"), not a look-alike of another kind. Only forms that a random code
# of the column does not take by chance: letters in fixed places, or (``SEPARATED_FORMS``)
# written with their separators ("207-86-1863", not "207861863", which any 9-digit ID may be)
SPECIFIC_FORMS = {
    "US_BANK_NUMBER": frozenset({"IBAN_CODE"}),
    "NATIONAL_ID": frozenset({"US_SSN", "US_ITIN", "UK_NINO", "ES_NIF", "IT_FISCAL_CODE", "FI_PERSONAL_IDENTITY_CODE",
                              "SG_NRIC_FIN", "IN_PAN"}),
    "PASSPORT_NUMBER": frozenset({"IN_PASSPORT", "MRZ"}),
}
SEPARATED_FORMS = frozenset({"US_SSN", "US_ITIN"})
# identifiers a random number passes by chance (a checksum digit, or no check at all): in a
# table they need a context word (before the value, or in the column's name) or most of the column
NEED_CONTEXT = frozenset({"UK_NHS", "AU_MEDICARE", "AU_TFN", "AU_ABN", "AU_ACN", "US_BANK_NUMBER", "US_ITIN",
                          "SG_NRIC_FIN", "IN_AADHAAR", "PL_PESEL", "FI_PERSONAL_IDENTITY_CODE", "MEDICAL_LICENSE",
                          "US_DRIVER_LICENSE", "US_PASSPORT"})
# a column of a few repeated values holds categories: the small model's "organisations" and
# "nationalities" there are products and departments (people and places in most values are kept)
CATEGORY_NER = frozenset({"ORGANIZATION", "NRP"})
MIN_CATEGORICAL, CATEGORICAL_SHARE = 20, 0.25
# ... of which those whose context words are everyday words ("account"): only a label will do
LABEL_ONLY = frozenset({"US_BANK_NUMBER"})
_IDENTIFIER_KINDS = frozenset({ValueKind.PHONE, ValueKind.IDENTIFIER, ValueKind.DATE, ValueKind.CREDENTIAL})
_WORD = re.compile(r"[\w'-]+")
# the words of any number, which name no kind of code alone ("invoice number" does)
_ANY_NUMBER = frozenset({"number", "numbers", "no", "nr", "num", "numero", "numéro", "número", "nummer"})


def _singular(words: tuple) -> tuple:
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _runs(words: tuple) -> dict:
    """The runs of up to six consecutive words, in the order of the name (a dict: the signals a
    name's runs give are then ranked the same way in every process, where a set's order is its
    strings' hashes, which change from one process to the next)."""
    n = len(words)
    return dict.fromkeys(words[i:j] for i in range(n) for j in range(i + 1, min(n, i + 6) + 1))


@dataclass(frozen=True)
class Verdict:
    """What a column's name says: ``positive`` entity -> (signal, matched phrase length),
    ``lowered`` entities, ``named``: the entity a plausible value is (longest phrase first)."""
    positive: dict = field(default_factory=dict)
    lowered: frozenset = frozenset()
    named: tuple = ()            # ColumnSignals with a value kind, most specific first

    @property
    def exclusive(self) -> bool:
        return any(s.values in _IDENTIFIER_KINDS for s in self.named)


_NOTHING = Verdict()


_ENDING = re.compile(r"(?<=[^\W\d_])\([^\W\d_]{1,6}\)")
_NAME_ASIDE = re.compile(r"\([^()]{0,60}(?:\)|$)")     # (one cut short at the end too: "Beneficiary (fu")
# the words of a column name's aside that say how its values are written, or whom they name, not what they are
_HOW_WRITTEN = frozenset("full fu ful complete complet compl completo completa as in on per the passport id "
                         "document latin letters lettres capitals caps majuscules mayusculas block print printed "
                         "uppercase english french arabic en in de du le la el if any si applicable optional "
                         "facultatif opcional required obligatoire obligatorio official officiel oficial legal "
                         "first last given family surname "
                         # (whom a people's column names: it agrees)
                         "host hote visitor staff employee member person focal point officer".split())


class Vocabulary:
    """The column-name signals of the loaded rule packs, looked up by column name."""

    def __init__(self, signals):
        self.signals = tuple(signals)
        self._phrases: dict = {}     # words -> [ColumnSignal] (runs of the name)
        self._exact: dict = {}       # words -> [ColumnSignal] (the whole name)
        for s in self.signals:
            table = self._exact if s.exact else self._phrases
            for n in s.names:
                table.setdefault(name_words(n), []).append(s)
        self._unless = {s: [name_words(u) for u in s.unless] for s in self.signals}
        # every word of a name or phrase: a run of a column name's words holding another is none
        self._known = frozenset(w for table in (self._phrases, self._exact) for key in table for w in key)
        self._cache: dict = {}
        self._no_secret: dict = {}      # a secret's key -> whether it says it holds something else
        # the longest word of each name of a secret's key: a key holds one (``secret_key``'s first look)
        words = {max(ws, key=len) for s in self.signals if _secret_signal(s) for ws in map(name_words, s.names) if ws}
        self._secret_words = re.compile("|".join(map(re.escape, sorted(words)))).search if words else None

    def __bool__(self) -> bool:
        return bool(self.signals)

    def verdict(self, name: Optional[str]) -> Verdict:
        if not name or not self.signals:
            return _NOTHING
        v = self._cache.get(name)
        if v is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            v = self._cache[name] = self._judge_name(name)
        return v

    def is_name_column(self, name: str) -> bool:
        return "PERSON" in self.verdict(name).positive

    def lowers_whole(self, name: str, entity: str) -> bool:
        """Whether the whole name is one a signal lowers ``entity`` for ("Zones", "Commune",
        "Campaign"; not "Programme officer", in which a word does)."""
        words = tuple(w for p in re.split(r"[./]", name or "") for w in self._words(p))
        return any(s.entity is None and entity in s.lower and not any(u in _runs(words) for u in self._unless[s])
                   for whole in {words, _singular(words)} for s in self._exact.get(whole, ()))

    def secret_key(self, name: str) -> Optional[str]:
        """The secret a key or a column name names ("api_key", "db_password", "Mot de passe": the
        entity of its first signal of credentials, a password's hash's none), or None; a name
        without a word of one is passed over at the cost of a search."""
        if self._secret_words is None or not self._secret_words(
                name.lower() if name.isascii() else " ".join(name_words(name))):
            return None
        s = next((s for s in self.verdict(name).named if s.values == ValueKind.CREDENTIAL), None)
        return s.entity if s is not None and _secret_signal(s) else None

    def says_no_secret(self, key: str) -> bool:
        """Whether a key holding a secret's word says, after it, that it holds something else: a
        word of a credential signal's ``unless`` ("password_algorithm", "secret_key_path",
        "password_file"); not one before it ("FILE_SERVER_PASSWORD", "last_password": passwords)."""
        said = self._no_secret.get(key)
        if said is None:
            if len(self._no_secret) > 4096:
                self._no_secret.clear()
            words = tuple(w for p in re.split(r"[./]", key) for w in self._words(p))
            last = max((i for i, w in enumerate(words) if self._secret_words and self._secret_words(w)), default=-1)
            runs = _runs(words[last + 1:])
            said = self._no_secret[key] = last >= 0 and any(
                u in runs for s in self.signals if s.values == ValueKind.CREDENTIAL for u in self._unless[s])
        return said

    def knows_one(self, names) -> bool:
        """Whether one of the names says something (a fixed-width table's header line)."""
        return any(v.positive or v.lowered for v in map(self.verdict, names))

    def _judge_name(self, name: str) -> Verdict:
        if "(" in name:         # a plural's or a gender's ending in brackets: "Prénom(s)", "Bénéficiaire(e)"
            name = _ENDING.sub("", name)
        # a path's segments: a JSON key path ("supervisor.name"), a form's group ("group_id/telephone")
        v = self._judge_words([self._words(p) for p in re.split(r"[./]", name) if p.strip()])
        if "PERSON" not in v.positive and "(" in name:
            # words in brackets that only say how it is written or whom it names: "Bénéficiaire
            # (complet) / Beneficiary (full)", "Contact person (host)"; not "Name (site)", "Name (NGO)"
            asides = _NAME_ASIDE.findall(name)
            if asides and all(set(name_words(a.strip("()"))) <= _HOW_WRITTEN for a in asides):
                bare = _NAME_ASIDE.sub(" ", name)
                if bare.strip():
                    w = self._judge_name(bare)
                    if "PERSON" in w.positive or not v.positive and not v.lowered:
                        return w
        return v

    def _words(self, part: str) -> tuple:
        """A name's words, split at case changes (``dateOfBirth``), except a token that is one
        word of the vocabulary as written (``WhatsApp``, not "whats app"; ``nationalId``)."""
        out: list = []
        part = "".join(c for c in unicodedata.normalize("NFKD", part[:200]) if not unicodedata.combining(c))
        for token in re.split(r"[\W_]+", part):
            whole = name_words(token, split_case=False)
            if len(whole) == 1 and (whole in self._phrases or whole in self._exact):
                out.extend(whole)
            elif token:
                # (an ASCII token without a capital, most, has no case change to split at: its words
                # are those read, not read again, a cell's label's new token a costly look-up each)
                out.extend(whole if token.isascii() and token == token.lower() else name_words(token))
        return tuple(out)

    def _judge_words(self, segments: list) -> Verdict:
        words = tuple(w for seg in segments for w in seg)
        if not words:
            return _NOTHING
        leaf = segments[-1] if segments else words
        # (only the runs of the vocabulary's words can be one of its names: a long name of other
        # words, a hex dump's line before its dots, a log line before a colon, costs one look-up a word)
        runs = self._known_runs(words) | self._known_runs(_singular(words))
        hits = []
        for run in runs:
            hits.extend((s, len(run)) for s in self._phrases.get(run, ()))
        for whole in {words, leaf, _singular(words), _singular(leaf)}:
            hits.extend((s, len(whole) + 10) for s in self._exact.get(whole, ()))
        if not hits:
            return _NOTHING
        # a word that cancels a signal counts in the last segment only ("group_id/telephone" is a phone)
        leaf_runs = _runs(leaf) | _runs(_singular(leaf))
        positive, lowered = {}, set()
        for s, length in hits:
            if any(u in leaf_runs for u in self._unless[s]):
                continue
            if s.entity is None:
                lowered.update(s.lower)
            elif s.entity not in positive or positive[s.entity][1] < length:
                positive[s.entity] = (s, length)
        named = tuple(s for s, _ in sorted(positive.values(), key=lambda x: -x[1]) if s.values)
        return Verdict(positive, frozenset(lowered - set(positive)), named)

    def _known_runs(self, words: tuple) -> dict:
        """The runs of ``words`` (``_runs``) made of the vocabulary's words only, in order."""
        known = self._known
        out: dict = {}
        start = 0
        for i, w in enumerate(words):
            if w not in known:
                if i > start:
                    out |= _runs(words[start:i])
                start = i + 1
        if len(words) > start:
            out |= _runs(words[start:])
        return out


def _secret_signal(s: ColumnSignal) -> bool:
    """A signal of a secret's values (a password, a token, a key), not of a password's hash."""
    return s.values == ValueKind.CREDENTIAL and s.entity != "PASSWORD_HASH" and traits(s.entity or "").secret


@functools.lru_cache(maxsize=8)
def vocabulary_for(signals: tuple = ()) -> Vocabulary:
    """The built-in pack's signals extended by ``signals`` (the loaded packs'; the built-in pack's
    own, when it is loaded, are not counted twice)."""
    from dataguard.rules.loader import default_column_signals
    return Vocabulary(tuple(dict.fromkeys(default_column_signals() + tuple(signals))))


# ---------------------------------------------------------------- values
_NULLISH = {"", "null", "none", "nil", "n/a", "na", "-", "--", "?", "unknown", "inconnu", "desconocido", "true",
            "false", "yes", "no", "oui", "non", "si", "0", "1", "redacted", "[redacted]", "<redacted>", "hidden",
            "masked", "***", "tbd", "todo", "empty", "vide", "vacio"}
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
# (a month of two words: the Levantine "كانون الثاني", "تشرين الأول"; after the year, Russian "г." or "года")
_TEXT_DATE = re.compile(r"(?:(\d{1,2})(?:st|nd|rd|th|er)?[ -]([^\W\d_]{2,10}(?: [^\W\d_]{3,7})?)\.?[ -],?\s*(\d{4})"
                        r"(?:\s?(?:г\.?|года))?|([^\W\d_]{3,10})\.? (\d{1,2}),? (\d{4}))")
_CJK_DATE = re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?")       # 1985年3月14日
_PHONE = re.compile(r"\+?[\d\s().\-/]{7,25}")
_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ./-]{2,39}")
_MASKED = re.compile(r"[Xx]{3,}")       # the digits of an identifier masked (those in '*' are no identifier)
_MONTHS = {"jan", "feb", "fev", "fév", "mar", "apr", "avr", "abr", "may", "mai", "jun", "jui", "jul", "aug", "aou",
           "aoû", "ago", "sep", "set", "oct", "nov", "dec", "déc", "dic", "ene",
           # Russian and Ukrainian (any case ending: "марта", "мая", "листопада")
           "янв", "фев", "мар", "апр", "мая", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
           "січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру"}
# Arabic months, whole: the Egyptian and Gulf names, then the Levantine and Iraqi ones
_WHOLE_MONTHS = frozenset("يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يونيه يوليو يوليه أغسطس اغسطس سبتمبر أكتوبر "
                          "اكتوبر نوفمبر ديسمبر شباط آذار اذار نيسان أيار ايار حزيران تموز آب اب أيلول ايلول".split()) | {
    "كانون الثاني", "كانون الأول", "كانون الاول", "تشرين الأول", "تشرين الاول", "تشرين الثاني"}


def _valid_date(y: int, m: int, d: int, birth: bool = True) -> bool:
    if y < 100:
        y += 1900 if y > datetime.date.today().year % 100 else 2000
    try:
        day = datetime.date(y, m, d)
    except ValueError:
        return False
    return not birth or datetime.date(1900, 1, 1) <= day <= datetime.date.today()


def is_date(value: str) -> bool:
    v = value.strip()
    m = _ISO_DATE.fullmatch(v)
    if m:
        return _valid_date(int(m[1]), int(m[2]), int(m[3]))
    m = _DMY.fullmatch(v)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        return _valid_date(y, b, a) or _valid_date(y, a, b)
    m = _TEXT_DATE.fullmatch(v)
    if m:
        day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        month = month.lower()
        return (month in _WHOLE_MONTHS or " " not in month and (month[:3] in _MONTHS or month[:4] in _MONTHS)) \
            and 1 <= int(day) <= 31 and _valid_date(int(year), 1, 1)
    m = _CJK_DATE.fullmatch(v)
    return bool(m) and _valid_date(int(m[1]), int(m[2]), int(m[3]))


# a reference to a secret kept elsewhere: "${SMTP_PASSWORD}", "$DB_PASS", "%API_KEY%", "{{ vault_pw }}", "<password>"
_SECRET_REFERENCE = re.compile(r"\$\{[^}]*\}|\$[A-Z_][A-Z0-9_]*|%[A-Za-z_]\w*%|\{\{.*\}\}|<[^<>]*>")


def _credential(entity: str, v: str) -> bool:
    if "PRIVATE KEY-----" in v:
        return True
    if any(c.isspace() for c in v) or len(v) > 512 or len(set(v)) <= 2 or is_date(v) or _SECRET_REFERENCE.fullmatch(v) \
            or placeholder_secret(v, references=False):
        return False        # ("changeme", "your_secret_key_here_123456": a template's, as in text)
    if entity == "SECRET_PASSWORD":
        return len(v) >= 4
    return len(v) >= 16 and sum(c.isdigit() for c in v) + sum(c.isupper() for c in v) >= 2


def _possible_ssn(value: str) -> bool:
    """Not a nine-digit number the US Social Security Administration never issues: area 000, 666
    or 900-999 (ITINs, never SSNs), group 00, serial 0000 ("000-00-0930" is a placeholder), one
    digit repeated, a published sample (``_SAMPLE_SSNS``);
    numbers of other lengths (another country's social security numbers) pass from six digits
    on (a UK NINO's count; "8380" under ``ssn_last4`` is what is left of one)."""
    d = "".join(c for c in value if c.isdigit())
    if len(d) != 9:
        return len(d) >= 6  # another country's social security number: the column says what it is
    return d[:3] not in ("000", "666") and d[0] != "9" and d[3:5] != "00" and d[5:] != "0000" \
        and len(set(d)) > 1 and d not in _SAMPLE_SSNS


# the numbers published as examples (Woolworth's wallet card's, the SSA's and Presidio's samples),
# which the text's recognizer refuses too
_SAMPLE_SSNS = frozenset(("078051120", "123456789", "987654320", "219099999"))


def plausible(kind: str, entity: str, value: str) -> bool:
    """Is ``value`` what a column named for ``entity`` (with value kind ``kind``) holds?"""
    v = value.strip()
    if v.lower() in _NULLISH or len(v) > MAX_CELL:
        return False
    if kind == ValueKind.DATE:
        return is_date(v)
    if kind == ValueKind.CREDENTIAL:
        return _credential(entity, v)
    if kind == ValueKind.PHONE:
        digits = sum(c.isdigit() for c in v)
        return bool(_PHONE.fullmatch(v)) and 7 <= digits <= 15 and not is_date(v) and len(set(v) - set(" -.()/+")) > 2
    if kind == ValueKind.IDENTIFIER:
        if entity == "US_SSN" and not _possible_ssn(v) or _MASKED.search(v):
            return False        # (a masked number, "XXX-XX-3742", "xxxx xxxx xxxx 1234", is what remediation leaves)
        return bool(_IDENT.fullmatch(v)) and sum(c.isdigit() for c in v) >= 4 and v.count(" ") <= 6 \
            and len(set(v) - set(" -./")) > 2
    return len(v) >= 2 and any(c.isalpha() for c in v)        # TEXT


# user agents and other product/version strings: no person, place or organisation in them
_MACHINE_TEXT = re.compile(r"[A-Za-z][\w.+-]{1,40}/\d[\w.]*(?:[ ;(]|$)")


def machine_text(cell: str) -> bool:
    return bool(_MACHINE_TEXT.match(cell.strip()))


# ---------------------------------------------------------------- columns of a chunk
@dataclass
class _Column:
    name: Optional[str]
    context: tuple                      # words of the name (and, for databases, of the table)
    cells: list = field(default_factory=list)     # (start, end) of non-empty cells
    table: Optional[str] = None         # the table's name (a database table, a file's stem)
    parent: Optional[str] = None        # JSON: the key of the object or array holding the value
    personal: bool = False              # another column of its table holds a person's details


_HASH_MARK = re.compile("[%s]" % re.escape("".join(HASH_MARKS))).search


def _add_cell(columns: dict, key, name: Optional[str], span: tuple, table: Optional[str],
              parent: Optional[str] = None) -> None:
    """Add a cell to the column of ``key`` in ``columns``, made when first met."""
    (columns.get(key) or _new_column(columns, key, name, table, parent)).cells.append(span)


def _new_column(columns: dict, key, name: Optional[str], table: Optional[str], parent: Optional[str] = None) -> _Column:
    """The column of ``key``, made and added to ``columns`` (``columns.get(key) or ...``, inline
    where a loop adds a cell per value: a call less per cell)."""
    c = columns[key] = _Column(name, name_words(name) if name else (), table=table, parent=parent)
    return c


def _columns_of_tables(cells: list, tables: list, table: Optional[str], keep=None) -> list:
    """The columns of a text's tables (``tabular``'s ``[(start, end, column name)]`` and table
    spans): one a table and name; ``keep(name)``: only those."""
    columns: dict = {}
    starts = [s for s, _ in tables]
    for s, e, name in cells:
        if keep is None or keep(name):
            _add_cell(columns, (bisect.bisect_right(starts, s) - 1, name), name, (s, e), table)
    return list(columns.values())


def table_columns(chunk: Chunk, vocab: Optional["Vocabulary"] = None) -> tuple:
    """(the columns of a tabular chunk, the spans of its header rows); for prose, those of its
    fixed-width tables (with ``vocab``, which must know one of a header's names); none for a
    chunk holding a name (a column's name is not one of its values)."""
    columns, headers, _ = _table_columns(chunk, vocab)
    return columns, headers


def _table_columns(chunk: Chunk, vocab: Optional["Vocabulary"]) -> tuple:
    """``table_columns``' (columns, header spans) and their cells in the text's order (``_in_order``),
    which a layout (a delimited text's, a sheet's) and a JSON file's reader read so
    (``_layout_columns``, ``_json_table``); None for other chunks, whose cells the judge sorts
    (their columns are read one after the other)."""
    if chunk.is_name:
        return [], [], None
    unit = chunk.unit
    if unit.source == "database" or unit.column is not None:
        name = chunk.column or unit.column
        table = (unit.table or unit.path or "").rsplit(".", 1)[-1]
        return [_Column(name, tuple(chunk.context), _anchor_cells(chunk), table)], [], None
    if chunk.hint != "structured" and not any(a.pointer.cell for a in chunk.anchors):
        keyed = keyed_columns(unit)
        if keyed is json_columns:
            columns, ordered = _json_table(chunk)
            return columns, [], ordered
        if keyed is not None:
            return keyed(chunk), [], None
        if is_html(unit):
            return html_columns(chunk), [], None
        columns, headers = fixed_width_columns(chunk, vocab)
        columns += embedded_columns(chunk)
        if vocab is not None and "|" in chunk.text:
            columns += _secret_columns(chunk.text, _stem(unit), vocab)
        if vocab is not None and ("\t" in chunk.text or "|" in chunk.text):
            columns += _secret_lines(chunk.text, columns, _stem(unit), vocab)
        return columns, headers, None
    layout = parsed(chunk, Layout)
    if vocab is not None and _secret_header(vocab, chunk.context):
        layout = layout.without_header()    # (a headerless table of keys and values: its first row is data)
    table = next((a.pointer.sheet for a in chunk.anchors[:1] if a.pointer.sheet), None) or _stem(unit)
    columns, ordered = _layout_columns(chunk.text, layout, table)
    found = _transposed(chunk.text, columns, table)
    if found is columns and vocab is not None:
        found = _secret_rows(chunk.text, layout, columns, table, vocab)
    return found, layout.header_rows, ordered if found is columns else None


def _layout_columns(text: str, layout: Layout, table: str) -> tuple:
    """(the columns of a layout's fields but the header row's, their cells without spaces and
    quotes around; these cells in the text's order, ``_in_order``'s: a delimited text's fields
    come row after row, each after the one before, and a sheet's are sorted, each ending before
    the next one's anchor)."""
    headers = layout.headers or {}
    rows = layout.header_rows
    first, last = rows[0] if len(rows) == 1 else (0, 0)       # (one header row: tested inline)
    several = len(rows) > 1
    columns: list = []
    numbers: dict = {}                  # column -> its number in ``columns``
    ordered, owners = [], []            # (the cells themselves: no tuple more a cell)
    for s, e, col in layout.fields:
        # (an empty field, half of a sparse export's, is passed over first)
        if e == s or first <= s < last or several and layout.in_header(s):
            continue
        while s < e and text[s] in " \"'":
            s += 1
        while e > s and text[e - 1] in " \"'\r":
            e -= 1
        if e <= s:
            continue
        k = numbers.get(col)
        if k is None:
            k = numbers[col] = len(columns)
            name = headers.get(col)
            columns.append(_Column(name, name_words(name) if name else (), table=table))
        cell = (s, e)
        columns[k].cells.append(cell)
        ordered.append(cell)
        owners.append(k)
    return columns, (ordered, owners)


def _in_order(columns: list) -> tuple:
    """([the columns' cells, (start, end) each, in the text's order], [the number of each one's column])."""
    cells = sorted((cell, k) for k, col in enumerate(columns) for cell in col.cells)
    return [cell for cell, _ in cells], [k for _, k in cells]


# a form's sheet of two columns, a field's name then its value ("Field | Value", "Campo |
# Valor", "Field / الحقل | Value / القيمة"): each value is a column named by its field
_KEY_WORDS = frozenset("field fields key item attribute parameter champ campo rubrique libelle element question "
                       "الحقل البند поле параметр показник kolom butir".split())
_VALUE_WORDS = frozenset("value values valeur valor valores detail details information info answer response "
                         "reponse respuesta resposta القيمة значение значення nilai keterangan".split())


def key_value_header(names) -> bool:
    """Whether a table's first two column names are a field's and a value's ("Field", "Value")."""
    names = list(names)[:2]
    return len(names) == 2 and all(names) and bool(set(name_words(names[0])) & _KEY_WORDS) \
        and bool(set(name_words(names[1])) & _VALUE_WORDS)


def _transposed(text: str, columns: list, table: Optional[str]) -> list:
    """The columns of a key/value table (``key_value_header``): each value under the field its
    row names; other tables as they are."""
    if len(columns) < 2 or not key_value_header([columns[0].name, columns[1].name]):
        return columns
    keys, values = columns[0].cells, columns[1].cells
    out: dict = {}
    starts = [s for s, _ in values]
    for k, (s, e) in enumerate(keys):
        nxt = keys[k + 1][0] if k + 1 < len(keys) else len(text)
        i = bisect.bisect_left(starts, e)
        if i < len(values) and values[i][0] < nxt:
            name = text[s:e].strip()[:80]
            _add_cell(out, name, name, values[i], table)
    return list(out.values()) + columns[2:]


KEY_CHARS = 60          # a first cell longer than this is a sentence's or a note's, no key


def _key_secret(vocab: Vocabulary, key: str) -> Optional[str]:
    """The secret a row's first cell names as its key (``Vocabulary.secret_key``), if a key's length."""
    return vocab.secret_key(key) if len(key) <= KEY_CHARS else None


def secret_value(entity: str, value: str) -> bool:
    """Whether a key's value is the secret the key names, as the text's ``key=value`` reads it:
    a column's credential (``plausible``: no spaces, date, reference or template's placeholder:
    ``changeme``, ``your_password``, ``<secret>``, ``${VAR}``) and, for a password, no plain word,
    reference or code (``recognizers.plausible_password``) nor a password's hash; for a token or
    a key, a high-entropy value (``recognizers.high_entropy_token``) or a PEM private key."""
    from dataguard.detect.recognizers import high_entropy_token, plausible_password
    if not plausible(ValueKind.CREDENTIAL, entity, value):
        return False
    if entity == "SECRET_PASSWORD":
        return plausible_password(value) and not password_hash(value)
    return "PRIVATE KEY-----" in value or high_entropy_token(value.strip())


def _secret_header(vocab: Vocabulary, names) -> bool:
    """Whether a table's header is a secret's key and the secret (a headerless table of keys and
    values: "api_key", "ak_9f8e7d6c..."): its first name names one, the name beside it is one
    and no column's name ("password", "email" or "password2": a header's)."""
    names = list(names)
    i = next((k for k, n in enumerate(names) if n), len(names))
    if i + 1 >= len(names) or not names[i + 1]:
        return False
    entity = _key_secret(vocab, names[i])
    if entity is None:
        return False
    said = vocab.verdict(names[i + 1])
    return not said.positive and not said.lowered and secret_value(entity, names[i + 1])


def _secret_rows(text: str, layout: Layout, columns: list, table: Optional[str], vocab: Vocabulary) -> list:
    """A table's rows whose first cell names a secret the next cell holds ("api_key",
    "ak_9f8e7d6c...", ``secret_value``): each such value a column of its own, named by its key
    (as a key/value table's values are, ``_transposed``); the other cells where they were. Not
    a value under a column's name that says what else it is ("email": an address)."""
    moved = {}
    headers = layout.headers or {}
    for (ks, ke), value in layout.row_pairs(text, functools.partial(_key_secret, vocab)):
        key = text[ks:ke]
        entity = vocab.secret_key(key)
        said = vocab.verdict(headers.get(layout.column_of(value[0]))).positive if headers else ()
        if entity is not None and not any(not traits(e).secret for e in said) \
                and secret_value(entity, text[value[0]:value[1]]):
            moved[value] = key
    if not moved:
        return columns
    out: dict = {}
    for col in columns:
        col.cells = [c for c in col.cells if c not in moved]
    for span, key in moved.items():
        _add_cell(out, key, key, span, table)
    return [c for c in columns if c.cells] + list(out.values())


def _secret_columns(text: str, table: Optional[str], vocab: Vocabulary) -> list:
    """The columns of a prose text's Markdown tables whose names say they hold secrets ("| User |
    Password |" on a wiki page: ``markdown_cells``); their other columns are the NER planner's
    and ``_markdown_owners``'."""
    def secret(name: str) -> bool:
        return any(traits(e).secret for e in vocab.verdict(name).positive)
    return _columns_of_tables(*markdown_cells(text), table, keep=secret)


def _secret_lines(text: str, columns: list, table: Optional[str], vocab: Vocabulary) -> list:
    """The columns of the secrets a prose text's lines give after their keys and a tab
    ("db_password<TAB>Tr0ub4dor&3xQ!", ``tabular.tab_pairs``) or in a Markdown table's row ("| api_key
    | ak_9f8e... |", ``tabular.markdown_pairs``; ``secret_value``), but in a table's cells
    (``columns``: the text's tables): one a key."""
    out: dict = {}
    first = functools.partial(_key_secret, vocab)
    for (ks, ke), (vs, ve) in tab_pairs(text, first) + markdown_pairs(text, first):
        key = text[ks:ke]
        entity = vocab.secret_key(key)
        if entity is not None and secret_value(entity, text[vs:ve]) and \
                not any(s < ve and vs < e for c in columns for s, e in c.cells):
            _add_cell(out, key, key, (vs, ve), table)
    return list(out.values())


def fixed_width_columns(chunk: Chunk, vocab: Optional["Vocabulary"] = None) -> tuple:
    """(the columns of the fixed-width and tab-separated tables of a prose chunk, their header
    lines' spans): a payroll register's ``NAME``, a distribution report's ``Card holder``, a
    Word table's ``Prénom``."""
    cells, tables, headers = prose_table_cells(chunk.text, None if vocab is None else vocab.knows_one,
                                               tuple(chunk.context))
    return _columns_of_tables(cells, tables, _stem(chunk.unit)), headers


_JSON_EXT = (".json", ".jsonl", ".ndjson", ".geojson")
# "key": "string" or "key": number, the value's span in group "v" (inside the quotes)
_JSON_PAIR = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60})"\s*:\s*(?:"(?P<v>(?:[^"\\\n]|\\.){1,2000})"|'
                        r'(?P<n>-?\d[\d.eE+-]{0,40})(?=\s*[,}\]\n]))')
# the same with a string value of any length (a class repeated reads a value some three times
# faster than the alternation of a character and an escape, counted): see ``_json_pairs``
_JSON_PAIR_ANY = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60})"\s*:\s*(?:"(?P<v>[^"\\\n]*(?:\\.[^"\\\n]*)*)"|'
                            r'(?P<n>-?\d[\d.eE+-]{0,40})(?=\s*[,}\]\n]))')
# "key": [ or "key": {, an object or array opened under a key (tried at a key's opening quote:
# ``_json_keyed``), the end of one (a key's closing quote, a colon, a bracket), and every bracket.
# (The key's characters taken possessively: none is a quote, so giving them back could not let
# the quote after them match.)
_JSON_OPEN = re.compile(r'"(?P<k>[^\W\d][\w ./-]{0,60}+)"\s*+:\s*+[\[{]')
_JSON_OPENED = re.compile(r'"\s*+:\s*+[\[{]')
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_KEY_OF, _VALUE_OF = operator.itemgetter("k"), operator.itemgetter("v")
_LAST_GROUP = operator.attrgetter("lastindex")


def _named(unit, extensions: tuple) -> bool:
    """Whether an item's name (an archive member's, else its path) ends with one of the extensions."""
    return (unit.member or unit.path or "").lower().endswith(extensions)


def is_json(unit) -> bool:
    """Whether an item is a JSON file (by its name: JSON Lines and GeoJSON too)."""
    return _named(unit, _JSON_EXT)


def _json_pairs(text: str) -> list:
    """``list(_JSON_PAIR.finditer(text))``, found with ``_JSON_PAIR_ANY``, which matches wherever
    ``_JSON_PAIR`` does, and as it does (a value's characters and escapes read the one way they
    can be): where every string value it finds has 1 to 2000 characters, its matches are
    ``_JSON_PAIR``'s (one ``finditer`` in C); where one is empty or longer (its escapes may keep
    it within 2000), ``_JSON_PAIR`` is searched from there on, each match after the one before."""
    found = list(_JSON_PAIR_ANY.finditer(text))
    values = list(map(_VALUE_OF, found))        # (None for a number)
    if "" not in values and max(map(len, filter(None, values)), default=0) <= 2000:
        return found
    found, pos, search, exact = [], 0, _JSON_PAIR_ANY.search, _JSON_PAIR.search
    while True:
        m = search(text, pos)
        if m is not None and m["v"] is not None and not 0 < len(m["v"]) <= 2000:
            m = exact(text, m.start())
        if m is None:
            return found
        found.append(m)
        pos = m.end()


def json_columns(chunk: Chunk) -> list:
    """A JSON file's values as columns named by their keys ("dob", "order_id"), each with the
    key of the nearest object or array holding it that has one (``_Column.parent``: "phones" for
    the "number" of ``"phones": [{"number": ...}, ...]``, "employees" for the "name" of every
    element of ``"employees": [{"name": ..., "bank": {...}}, ...]``), read from the brackets
    opened and closed before it (brackets inside strings may mislead it)."""
    return _json_table(chunk)[0]


def _json_table(chunk: Chunk) -> tuple:
    """(``json_columns``, their cells in the text's order as ``_in_order`` gives them: the values
    are read one after the other). The columns are made anew for each reader (the judge changes
    them), from the pairs read once (``_json_read``); a Python step a value only to file it
    under its column."""
    keys, cells, holders = parsed(chunk, _json_read)
    slots = keys if holders is None else list(zip(keys, holders))   # (a column a key and holder)
    numbers = dict.fromkeys(slots)              # each column's slot, in the order first met
    columns: list = []
    table = _stem(chunk.unit)
    for k, slot in enumerate(numbers):
        numbers[slot] = k
        key, parent = (slot, None) if holders is None else slot
        columns.append(_Column(key, name_words(key), table=table, parent=parent))
    owners = list(map(numbers.__getitem__, slots))
    adds = [c.cells.append for c in columns]
    for cell, k in zip(cells, owners):
        adds[k](cell)
    return columns, (cells, owners)


def _json_read(chunk: Chunk) -> tuple:
    """(the keys of a JSON chunk's pairs, their values' spans, the keys holding them: ``_json_holders``),
    read by C-level maps."""
    text = chunk.text
    found = _json_pairs(text)
    cells = list(map(re.Match.span, found, map(_LAST_GROUP, found)))     # (the value: "v" or "n")
    return list(map(_KEY_OF, found)), cells, _json_holders(text, found)


def _json_holders(text: str, found: list) -> Optional[list]:
    """The key of the nearest object or array holding each pair (None: none), read from the
    brackets opened and closed before it; None where no object or array is opened under a key."""
    keyed = _json_keyed(text)           # bracket position -> key
    if not keyed:
        return None
    # (the brackets from the first opened under a key: what stands before it has no holder)
    brackets = list(_JSON_BRACKET.finditer(text, min(keyed)))
    positions = list(map(re.Match.start, brackets))    # where each bracket stands
    holders: list = [None]              # the key holding what follows each bracket, after a None
    #                                   # for what stands before the first
    stack = [None] * (len(positions) + 1)   # (a None for each bracket a close may find no open one for)
    push, pop, add, get = stack.append, stack.pop, holders.append, keyed.get
    for at, bracket in zip(positions, map(re.Match.group, brackets)):
        if bracket in "[{":             # (an object or array without a key: its holder's)
            push(get(at) or stack[-1])
        else:
            pop()
        add(stack[-1])
    return list(map(holders.__getitem__, map(functools.partial(bisect.bisect_right, positions),
                                              map(re.Match.start, found))))


def _json_keyed(text: str) -> dict:
    """``{m.end() - 1: m["k"] for m in _JSON_OPEN.finditer(text)}``: the bracket of each object or
    array opened under a key, and its key. Found from the few quotes a colon and a bracket
    follow (``_JSON_OPENED``), not from every quote: a key holds none, so its opening quote is the
    one before."""
    keyed = {}
    for m in _JSON_OPENED.finditer(text):
        k = _JSON_OPEN.match(text, text.rfind('"', 0, m.start()))     # (no quote before: -1, read as 0)
        if k is not None and k.end() == m.end():
            keyed[m.end() - 1] = k["k"]
    return keyed


_XML_EXT = (".xml", ".kml", ".gpx", ".xlf", ".xliff")
# an element holding text alone ("<fullName>Samba Bary</fullName>"), its tag's local name in "t"
_XML_ELEMENT = re.compile(r"<(?:[\w.-]{1,40}:)?(?P<t>[^\W\d][\w.-]{0,59})(?:\s[^<>]{0,1000})?>"
                          r"(?P<v>[^<>]{1,2000})</(?:[\w.-]{1,40}:)?(?P=t)\s*>")
# a start tag's attributes ("<enumerator name=\"Tina Ewangaye\" phone=\"+227...\"/>"), each in "a"
_XML_START = re.compile(r"<(?:[\w.-]{1,40}:)?(?P<t>[^\W\d][\w.-]{0,59})(?P<attrs>\s[^<>]{1,2000}?)/?>")
_XML_ATTR = re.compile(r"(?:[\w.-]{1,40}:)?(?P<a>[^\W\d][\w.-]{0,59})\s*=\s*(?P<q>[\"'])(?P<v>[^\"'<>\n]{1,500})(?P=q)")


def is_xml(unit) -> bool:
    """Whether an item is an XML file (an export, a form's submissions, a payment file), by its name."""
    return _named(unit, _XML_EXT)


_XML_TAG = re.compile(r"<(?P<close>/)?(?:[\w.-]{1,40}:)?(?P<t>[^\W\d][\w.-]{0,59})(?:\s[^<>/]{0,2000}(?:/(?!>)[^<>/]{0,2000}){0,8})?(?P<empty>/)?>")
XML_MAX_DEPTH = 256


def _xml_parents(text: str) -> dict:
    """Where each start tag begins -> the local name of the element holding it (a payment's
    ``<Nm>`` under ``<Cdtr>``); a chunk's elements opened before it have none. At most
    XML_MAX_DEPTH open elements are followed."""
    out, stack = {}, []
    for m in _XML_TAG.finditer(text):
        if m["close"]:
            if m["t"] in stack:
                del stack[len(stack) - 1 - stack[::-1].index(m["t"]):]
        else:
            if stack:
                out[m.start()] = stack[-1]
            if not m["empty"] and len(stack) < XML_MAX_DEPTH:
                stack.append(m["t"])
    return out


def xml_columns(chunk: Chunk) -> list:
    """An XML file's values as columns named by their elements' and attributes' local names
    ("fullName", "hh_head"; an element with the one holding it as the parent: "Nm" of a
    creditor's ``<Cdtr><Nm>``; an attribute with its element: "name" of
    ``<enumerator name="...">``), as a JSON file's are by their keys. Namespaces and
    declarations are no values."""
    columns: dict = {}
    table, text = _stem(chunk.unit), chunk.text
    parents = _xml_parents(text)
    for m in _XML_ELEMENT.finditer(text):
        v = m.group("v")
        if v.strip():
            lead = len(v) - len(v.lstrip())
            parent = parents.get(m.start())
            _add_cell(columns, (m["t"], parent), m["t"], (m.start("v") + lead, m.start("v") + len(v.rstrip())), table,
                      parent)
    if "=" in text:
        for m in _XML_START.finditer(text):
            for a in _XML_ATTR.finditer(m.group("attrs")):
                if a["a"] != "xmlns" and not a.group().startswith("xmlns:"):
                    at = m.start("attrs") + a.start("v")
                    _add_cell(columns, (a["a"], m["t"]), a["a"], (at, at + len(a["v"])), table, m["t"])
    return sorted(columns.values(), key=lambda c: c.cells[0])


_YAML_EXT = (".yaml", ".yml")
# "key: value" (in a list item too: "- key: value"), the key's indentation in "i", the value in
# "v" (inside quotes), a comment after it left out; not a flow collection, an anchor, a block scalar
_YAML_PAIR = re.compile(r"""^(?P<i>[ \t]*(?:-[ \t]+)*)(?P<k>[^\W\d][\w .-]{0,60}?)[ \t]*:[ \t]+"""
                        r"""(?:"(?P<q>[^"\n]{1,2000})"|'(?P<s>[^'\n]{1,2000})'|(?P<v>[^\s#{\[&*!|>"'](?:[^\n#]{0,2000}[^\s#])?))"""
                        r"""[ \t]*(?:#[^\n]*)?\r?$""", re.M)
# "key:" alone on its line: a mapping or a list under it
_YAML_OPEN = re.compile(r"^(?P<i>[ \t]*(?:-[ \t]+)*)(?P<k>[^\W\d][\w .-]{0,60}?)[ \t]*:[ \t]*(?:#[^\n]*)?\r?$", re.M)


_DATA_KEY = re.compile(r"\d|@")
# a line holding a flow mapping ("- { building: A, warden: \"Folake Ogunleye\" }"), the mapping in "m"
_YAML_FLOW_LINE = re.compile(r"^(?P<i>[ \t]*(?:-[ \t]+)*)(?:[^\W\d][\w .-]{0,60}?[ \t]*:[ \t]*)?(?P<m>\{[^\n{}]{1,4000}\})",
                             re.M)
_YAML_FLOW = re.compile(r"""[{,][ \t]*(?P<k>[^\W\d][\w .-]{0,60}?)[ \t]*:[ \t]+(?:"(?P<q>[^"\n]{1,500})"|"""
                        r"""'(?P<s>[^'\n]{1,500})'|(?P<v>[^\s,{}\[\]"'](?:[^,{}\n]{0,500}[^\s,{}])?))[ \t]*(?=[,}])""")


def is_yaml(unit) -> bool:
    """Whether an item is a YAML file (a configuration, a roster, an export), by its name."""
    return _named(unit, _YAML_EXT)


def yaml_columns(chunk: Chunk) -> list:
    """A YAML file's scalar values as columns named by their keys, each with the key of the
    mapping or list holding it (the nearest ``key:`` above it, less indented: "name" under
    "emergency_contact"; not a key that is data, "PEW1704:" or an address), as a JSON file's are."""
    columns: dict = {}
    table, text = _stem(chunk.unit), chunk.text
    opens = [(m.start(), len(m["i"]), m["k"]) for m in _YAML_OPEN.finditer(text)]
    pairs = [(m.start(), len(m["i"]), m) for m in _YAML_PAIR.finditer(text)]
    if "{" in text:             # a flow mapping's pairs ("- { name: Folake Ogunleye, phone: ... }"), inside its line
        for line in _YAML_FLOW_LINE.finditer(text):
            pairs.extend((f.start(), len(line["i"]) + 1, f) for f in _YAML_FLOW.finditer(text, line.start("m"),
                                                                                       line.end("m")))
        pairs.sort(key=lambda p: p[0])
    stack: list = []          # (indentation, key) of the keys open above
    k = 0
    for at, ind, m in pairs:
        while k < len(opens) and opens[k][0] < at:
            _, o_ind, key = opens[k]
            while stack and stack[-1][0] >= o_ind:
                stack.pop()
            stack.append((o_ind, key))
            k += 1
        while stack and stack[-1][0] >= ind:
            stack.pop()
        # (a key that is data, a record's id or an address, names no column: the one above it does)
        parent = next((key for _, key in reversed(stack) if not _DATA_KEY.search(key)), None)
        group = "q" if m["q"] is not None else "s" if m["s"] is not None else "v"
        s, e = m.span(group)
        while e > s and text[e - 1] in " \t\r":
            e -= 1
        if e > s:
            _add_cell(columns, (m["k"], parent), m["k"], (s, e), table, parent)
    return list(columns.values())


_INI_EXT = (".ini", ".cfg", ".conf", ".properties", ".toml", ".env")
# "[section]" (TOML's "[[table]]" too) alone on its line
_INI_SECTION = re.compile(r"^[ \t]*\[\[?(?P<s>[^\[\]\n]{1,60})\]\]?[ \t]*(?:[#;][^\n]*)?\r?$", re.M)
# "key = value", "key: value", "export KEY=value" (a shell's environment file); the value in "q" or
# "s" (inside quotes) or "v" (bare: to the line's end, a comment after a space left out); not an
# array or inline table
_INI_PAIR = re.compile(r"""^[ \t]*(?:export[ \t]+)?(?P<k>[^\W\d][\w .-]{0,60}?)[ \t]*[=:][ \t]*"""
                       r"""(?:"(?P<q>[^"\n]{1,2000})"[ \t]*(?:[#;][^\n]*)?\r?$|'(?P<s>[^'\n]{1,2000})'[ \t]*(?:[#;][^\n]*)?\r?$|"""
                       r"""(?P<v>[^\s\[{"'#;][^\n]{0,2000}))""", re.M)
_INI_COMMENT = re.compile(r"[ \t][#;]")


def is_ini(unit) -> bool:
    """Whether an item is a configuration file of keys and values (INI, Java properties,
    TOML, an environment file), by its name."""
    return _named(unit, _INI_EXT)


def ini_columns(chunk: Chunk) -> list:
    """A configuration file's values as columns named by their keys, each with its section's
    name as the parent ("backup" under "[contacts]"), as a YAML file's are."""
    columns: dict = {}
    table, text = _stem(chunk.unit), chunk.text
    sections = [(m.start(), m["s"].strip()) for m in _INI_SECTION.finditer(text)]
    starts = [at for at, _ in sections]
    for m in _INI_PAIR.finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        parent = sections[i][1] if i >= 0 and not _DATA_KEY.search(sections[i][1]) else None
        group = "q" if m["q"] is not None else "s" if m["s"] is not None else "v"
        start, end = m.span(group)
        if group == "v":            # a comment after a space is no part of it, nor the spaces before
            cut = _INI_COMMENT.search(text, start, end)
            end = cut.start() if cut is not None else end
            while end > start and text[end - 1] in " \t\r":
                end -= 1
        key = m["k"].strip()
        if end > start:
            _add_cell(columns, (key, parent), key, (start, end), table, parent)
    return list(columns.values())


_CARD_EXT = (".vcf", ".vcard", ".ics", ".ical", ".ifb")
# a content line of a vCard or an iCalendar file, unfolded: "NAME;PARAM=...;PARAM=...:VALUE" (a group
# before the name: "item1.TEL")
_PROPERTY = re.compile(r"(?:[\w-]{1,40}\.)?(?P<k>[A-Za-z][\w-]{0,40})(?P<p>(?:;(?:[^:\"\n]|\"[^\"\n]*\"){0,400})?):(?P<v>.*)")
_CN = re.compile(r";CN=(?:\"(?P<q>[^\"]{1,200})\"|(?P<v>[^;:\"]{1,200}))", re.I)
_NOT_A_PERSON_CUTYPE = re.compile(r";CUTYPE=(?:ROOM|RESOURCE|GROUP|UNKNOWN)\b", re.I)
# what a property is called as a column (names the vocabulary knows); others by their own name
_PROPERTY_NAMES = {"FN": "full name", "TEL": "telephone", "EMAIL": "email", "ADR": "address",
                   "ORG": "organisation", "TITLE": "job title", "BDAY": "birthday", "ORGANIZER": "organizer",
                   "ATTENDEE": "attendee", "LOCATION": "location"}


def is_card(unit) -> bool:
    """Whether an item is a vCard (contacts) or an iCalendar (calendar) file, by its name."""
    return _named(unit, _CARD_EXT)


def _unfolded(text: str):
    """The logical lines of a vCard or iCalendar text (a line break then a space or a tab
    continues the line before: RFC 6350, 5545), each as (line, [(start in it, start in text)])."""
    line, pieces, size = [], [], 0
    for m in re.finditer(r"[^\n]*\n?", text):
        raw = m.group()
        if not raw:
            break
        body = raw.rstrip("\r\n")
        if raw[:1] in " \t" and pieces:
            pieces.append((size, m.start() + 1))
            line.append(body[1:])
            size += len(body) - 1
        else:
            if pieces:
                yield "".join(line), pieces
            line, pieces, size = [body], [(0, m.start())], len(body)
    if pieces:
        yield "".join(line), pieces


def _in_text(pieces: list, start: int, end: int, size: int):
    """The (start, end) in the text of a logical line's (start, end); None for a value a fold
    cuts (its pieces are no value: the text's patterns and the model read them)."""
    k = bisect.bisect_right([p for p, _ in pieces], start) - 1
    piece_end = pieces[k + 1][0] if k + 1 < len(pieces) else size
    if end > piece_end:
        return None
    at = pieces[k][1] + start - pieces[k][0]
    return at, at + end - start


_NAME_PARTS = frozenset({"last name", "first name", "middle name"})


def card_columns(chunk: Chunk) -> list:
    """A vCard's or an iCalendar file's values as columns named by their properties (``FN`` a
    full name, ``TEL`` a telephone, ``ORGANIZER`` and ``ATTENDEE`` by their ``CN`` parameter, a
    name's family and given parts of ``N`` as last and first names where the card has no full
    name), on their lines as written (not a value a fold cuts); not an organisation's, a group's
    or a place's card (``KIND``; an ``ORG`` with an empty ``N``), nor a room or a resource
    invited (``CUTYPE``)."""
    columns: dict = {}
    table, text = _stem(chunk.unit), chunk.text
    card: list = []             # (column, span) of the card or event read so far
    thing = False               # a card of an organisation, a group or a place (vCard KIND)
    nameless = False            # the card's N is there and empty ("N:;;;;")

    def flush() -> None:
        names = {name for name, _ in card}
        # a card with an organisation and an empty N is the organisation's (FN its name: a
        # phone's or Outlook's company card); a full name read, the name's parts say it again
        # (one-word persons whose hashes match no full name)
        if not thing and not ("organisation" in names and nameless):
            for name, span in card:
                if name not in _NAME_PARTS or "full name" not in names:
                    _add_cell(columns, name, name, span, table)
        card.clear()
    for line, pieces in _unfolded(text):
        m = _PROPERTY.match(line)
        if m is None:
            continue
        key = m["k"].upper()
        cells = []
        if key == "BEGIN":
            flush()
            thing, nameless = False, False
        if key == "N" and not m["v"].replace(";", "").strip():
            nameless = True
        if key == "KIND" and m["v"].strip().lower() in ("org", "group", "location"):
            thing = True
        if key in ("ORGANIZER", "ATTENDEE"):
            if _NOT_A_PERSON_CUTYPE.search(m["p"]):
                continue            # a room, a resource or a group invited
            for c in _CN.finditer(m["p"]):
                g = "q" if c["q"] is not None else "v"
                cells.append((_PROPERTY_NAMES[key], c.start(g) + m.start("p"), c.end(g) + m.start("p")))
        elif key == "N":            # family;given;additional;prefix;suffix
            at = m.start("v")
            for part, name in zip(m["v"].split(";")[:3], ("last name", "first name", "middle name")):
                cells.append((name, at, at + len(part)))
                at += len(part) + 1
        else:
            cells.append((_PROPERTY_NAMES.get(key, key.lower()), m.start("v"), m.end("v")))
        for name, s, e in cells:
            while s < e and line[s] in " \t":
                s += 1
            while e > s and line[e - 1] in " \t":
                e -= 1
            span = _in_text(pieces, s, e, len(line)) if e > s else None
            if span is not None:
                card.append((name, span))
    flush()
    return list(columns.values())


# a key and a quoted value in a log line ('registered="HADJA NIANE"', "user='k.mensah'")
_QUOTED_PAIR = re.compile(r"""(?<![\w.-])(?P<k>[A-Za-z_][\w.-]{0,40})=(?P<q>["'])(?P<v>[^"'\n]{1,200})(?P=q)""")
_QUOTED_MARK = re.compile(r"=[\"']")          # in every match of it, on one line


def embedded_json_columns(chunk: Chunk) -> list:
    """The columns of the JSON objects in a text that is not a JSON file (a log line's payload,
    ``payload={"cardholder":"Aino Hansen",...}``), by their keys, as a JSON file's."""
    text = chunk.text
    # (a quote looked for first: a search for one character is many times faster than one for
    # two, and most prose holds no double quote)
    return json_columns(chunk) if '"' in text and ('":' in text or '" :' in text) else []


def quoted_pair_columns(chunk: Chunk) -> list:
    """The columns of a text's keys and quoted values (a log's ``registered="HADJA NIANE"
    expected="DUVAL Nathalie"``), by their keys."""
    text = chunk.text
    columns: dict = {}
    table = _stem(chunk.unit)
    for m in _on_lines_with(_QUOTED_MARK, _QUOTED_PAIR, text):       # (led by a look-behind: only those lines)
        if m["v"].strip():
            _add_cell(columns, ("=", m["k"]), m["k"], m.span("v"), table)
    return list(columns.values())


def embedded_columns(chunk: Chunk) -> list:
    """The columns in a text that is not a file of keys: its JSON objects' and its quoted values'."""
    return embedded_json_columns(chunk) + quoted_pair_columns(chunk)


_HTML_EXT = (".html", ".htm", ".xhtml")


def is_html(unit) -> bool:
    """Whether an item is an HTML file (a saved page, a report or register exported as a web page), by its name."""
    return _named(unit, _HTML_EXT)


def html_columns(chunk: Chunk, found: Optional[tuple] = None) -> list:
    """The columns of an HTML file's tables (``tabular.html_cells``, or what it ``found`` in the
    chunk's text), named by their header cells ("Nom complet", "Beneficiary"; a table without
    a header: unnamed), one a table and column number. (A table's rows in a later chunk than
    its header are in unnamed columns.)"""
    columns: dict = {}
    table = _stem(chunk.unit)
    for s, e, name, key in (html_cells(chunk.text) if found is None else found)[0]:
        _add_cell(columns, key, name, (s, e), table)
    for s, e, name in form_fields(chunk.text):
        _add_cell(columns, ("input", name), name, (s, e), table)
    return list(columns.values())


def keyed_columns(unit):
    """The reader of a file whose values stand under keys or columns named in the text (JSON,
    XML, YAML, a SQL dump, a configuration file, contacts and calendars): ``reader(chunk)`` gives its columns; None for another file."""
    for is_kind, reader in ((is_json, json_columns), (is_sql, sql_columns), (is_xml, xml_columns),
                            (is_yaml, yaml_columns), (is_ini, ini_columns), (is_card, card_columns)):
        if is_kind(unit):
            return reader
    return None


def is_sql(unit) -> bool:
    """Whether an item is a SQL file (a dump: mysqldump, pg_dump, SQLite's .dump), by its name."""
    return _named(unit, (".sql",))


def sql_columns(chunk: Chunk) -> list:
    """A SQL dump's values as columns named by their table's columns: the column list of each
    INSERT (or, without one, of the table's CREATE TABLE in the same chunk) and of each COPY
    ... FROM stdin (pg_dump: tab-separated rows to a line "\\."). Tuples of a statement begun
    in an earlier chunk are read by that statement's columns (``chunk.statement``, which the
    text extractor follows: ``sqldump.Statements``)."""
    try:
        return _sql_columns(chunk.text, chunk.statement)
    except (IndexError, ValueError, RecursionError) as exc:     # a reader's fault costs the columns, not the file
        log.debug("SQL dump read as text: %s", type(exc).__name__)
        return []


def _sql_columns(text: str, lead: Optional[tuple] = None) -> list:
    created, read_to = {}, 0            # (a statement inside what was read is a value: skipped, each character read once)
    for m in sqldump.CREATE.finditer(text):
        if m.start() >= read_to:
            created[m["t"].lower()], read_to = sqldump.table_columns(text, m.end())
    columns: dict = {}

    def add(table: str, names: list, k: int, span: tuple) -> None:
        if k < len(names) and names[k]:
            _add_cell(columns, (table.lower(), names[k].lower()), names[k], span, table)
    if lead is not None:                # the text begins inside a statement of an earlier chunk
        _, table, names = lead
        for k, s, e in sqldump.continued_values(text, lead, sqldump.first_statement(text)):
            add(table, names, k, (s, e))
    read_to = 0
    for m in sqldump.INSERT.finditer(text):
        if m.start() < read_to:
            continue
        values, read_to = sqldump.tuples(text, m.end())
        names = sqldump.column_names(m["cols"]) if m["cols"] else created.get(m["t"].lower(), [])
        for k, s, e in values if names else ():
            add(m["t"], names, k, (s, e))
    read_to = 0
    for m in sqldump.COPY.finditer(text):
        if m.start() < read_to:
            continue
        names, pos = sqldump.column_names(m["cols"]), m.end()
        while pos < len(text):
            eol = text.find("\n", pos)
            eol = len(text) if eol == -1 else eol
            if text.startswith("\\.", pos):
                break
            at = pos
            for k, value in enumerate(text[pos:eol].split("\t")):
                if value and value != "\\N":
                    add(m["t"], names, k, (at, at + len(value)))
                at += len(value) + 1
            pos = eol + 1
        read_to = pos
    return list(columns.values())


def _stem(unit) -> str:
    """A file's (or member's) name without folders and extension: what a table of it is called."""
    name = (unit.member or unit.path or "").rsplit("!/", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
    return name.split(".", 1)[0]


def _anchor_cells(chunk: Chunk) -> list:
    text, anchors = chunk.text, chunk.anchors
    if len(anchors) <= 1:
        return [(0, len(text))] if text.strip() else []
    cells = []
    for i, a in enumerate(anchors):
        end = anchors[i + 1].offset - 1 if i + 1 < len(anchors) else len(text)
        if end > a.offset:
            cells.append((a.offset, end))
    return cells


# ---------------------------------------------------------------- the judge
def _result(entity: str, start: int, end: int, score: float, recognizer: str, reason: str):
    from presidio_analyzer import RecognizerResult
    return RecognizerResult(entity, start, end, score,
                            recognition_metadata={"recognizer_name": recognizer, REASON_KEY: reason})


def _shaped_cells(chunk: Chunk, col: _Column, by_cell: dict, shaped, longest: int = 80, score: float = 0.6,
                  covered_only: bool = False) -> list:
    """A column's cells (their text without spaces around, up to ``longest`` characters) that
    ``shaped`` takes, as persons named by the column, but where a person was found in the cell
    (with ``covered_only``: one covering the whole cell). A cell in capitals or opening with a
    particle is made the column's person even then: the filters drop such a person that no column
    names (a heading's, a label's, a cut phrase's as often), and "DECLAN ADAMS" or "de Lange,
    Annelies" under ``full_name`` is one."""
    text, out = chunk.text, []
    for s, e in col.cells:
        cell = text[s:e].strip()
        if not cell or not chunk.keeps(s) or e - s > longest or not shaped(cell):
            continue
        start = s + text[s:e].index(cell)
        end = start + len(cell)
        if cell.isupper() or cell[0].islower() or not any(
                r.entity_type == "PERSON" and (not covered_only or r.start <= start and r.end >= end)
                for r in by_cell.get((s, e), ())):
            out.append(_column_person(start, end, score, COLUMN_RECOGNIZER, Reason.COLUMN_NAME))
    return out


class _Spans:
    """Results' spans, asked whether one overlaps another result: by a search among them
    sorted, not one look at each (a column's confirmed values may be thousands)."""

    def __init__(self, results):
        spans = sorted((r.start, r.end) for r in results)
        self.starts = [s for s, _ in spans]
        self.reach = list(itertools.accumulate((e for _, e in spans), max))    # the furthest end so far

    def __bool__(self) -> bool:
        return bool(self.starts)

    def overlap(self, r) -> bool:
        """Whether one of the spans overlaps ``r`` (starts before its end, ends after its start)."""
        i = bisect.bisect_left(self.starts, r.end)     # (the spans starting before r's end)
        return i > 0 and self.reach[i - 1] > r.start


def _column_person(start: int, end: int, score: float, recognizer: str, reason: str):
    """A person a column's cells make (``NAME_COLUMN_KEY``: the filters judge it as a name column's)."""
    r = _result("PERSON", start, end, score, recognizer, reason)
    r.recognition_metadata[NAME_COLUMN_KEY] = True
    return r


def _set_reason(r, reason: str) -> None:
    r.recognition_metadata = r.recognition_metadata or {}
    r.recognition_metadata[REASON_KEY] = reason


def _by_chance(r) -> bool:
    """Outside a table's cells: an identifier a random number passes by chance (``NEED_CONTEXT``:
    one 10-digit number in eleven passes the NHS check digit) with no context word near it
    ("invoice 4505577104 paid"). A column's values are judged with their column instead."""
    return r.entity_type in NEED_CONTEXT and (r.recognition_metadata or {}).get(CONTEXT_KEY) is False


def _cells_with(cells: list, by_cell: dict, entity: str, formatted: bool = False) -> int:
    """How many of the cells hold a result of ``entity`` (``by_cell``: the cells results were
    kept in, most columns' few or none: not a look-up per cell for them); ``formatted``: a
    phone number written as phone numbers are (``phone.FORMATTED_KEY``)."""
    hits = {c for c, rs in by_cell.items()
            if any(r.entity_type == entity and (not formatted or (r.recognition_metadata or {}).get(FORMATTED_KEY))
                   for r in rs)}
    return sum(map(hits.__contains__, cells)) if hits else 0


_START = operator.itemgetter(0)


def _below_headers(results: list, headers: list) -> list:
    """The results that start in none of the header rows' spans."""
    if len(headers) == 1:           # (most tables: one header row)
        (s, e), = headers
        return [r for r in results if not s <= r.start < e]
    return [r for r in results if not any(s <= r.start < e for s, e in headers)]


class ColumnJudge:
    """Applies column semantics to one chunk's recognizer results (before overlaps are resolved)."""

    def __init__(self, vocabulary: Vocabulary, entities: frozenset, context_words: dict, ner: bool = True):
        self.vocab = vocabulary
        self.entities = entities
        self.ner = ner              # False: no model reads the cells of a column named for persons
        self.context_words = context_words      # entity -> frozenset of lower-case context words
        # the same words as a column's name words are (``name_words``: no accents, Arabic variants
        # folded): 'sécurité sociale' is in the column 'N° sécurité sociale'
        self._folded = {e: frozenset(" ".join(name_words(w)) for w in ws) for e, ws in context_words.items()}

    def judge(self, chunk: Chunk, results: list) -> list:
        try:
            return self._judge(chunk, results)
        finally:
            forget(chunk)           # (the judge reads a chunk's tables last: ``tabular.parsed``)

    def _judge(self, chunk: Chunk, results: list) -> list:
        if any(r.recognition_metadata and SECRET_KEY_KEY in r.recognition_metadata for r in results):
            # a secret's key that says it holds something else ("password_algorithm=SHA-256"): none
            results = [r for r in results if not r.recognition_metadata or not self.vocab.says_no_secret(
                r.recognition_metadata.get(SECRET_KEY_KEY) or "")]
        columns, headers, spans = _table_columns(chunk, self.vocab)
        keyed = keyed_columns(chunk.unit)
        # (a contact's note, a meeting's description: prose, with its form fields, between the keys)
        prose = "PERSON" in self.entities and not (chunk.is_name or chunk.hint == "structured"
                                                   or keyed is not None and keyed is not card_columns)
        if prose:
            results = results + self._form_persons(chunk, results)
        if not columns:
            out = [r for r in results if not _by_chance(r)]
            if prose and "|" in chunk.text:
                out = _persons_over_organisations(out, self._markdown_owners(chunk, results))
            return out
        if headers:      # a header names a column: it is not data ("diagnosis", "HIV status")
            results = _below_headers(results, headers)
        cells, owners = _in_order(columns) if spans is None else spans    # (a layout's come in the text's order)
        starts = list(map(_START, cells))
        placed: dict = {}                       # column index -> [(cell, result)]
        out = []
        for r in results:
            i = bisect.bisect_right(starts, r.start) - 1
            if i >= 0 and r.end <= cells[i][1]:
                placed.setdefault(owners[i], []).append((cells[i], r))
            elif not _by_chance(r):
                out.append(r)
        ends = sorted(e for _, e in headers)
        paired_names(self.vocab, columns, chunk.siblings)
        names = [c.name for c in columns if not c.parent] + list(chunk.siblings)
        if personal_table(self.vocab, names):
            for col in columns:
                col.personal = not col.parent
        for i, col in enumerate(columns):
            out.extend(self._column(chunk, col, placed.get(i, []), ends))
        if any(r.entity_type in ABOUT_PERSONS for r in out) and not self._of_persons(names, out):
            out = [r for r in out if r.entity_type not in ABOUT_PERSONS]
        return out

    def _of_persons(self, names: list, found: list) -> bool:
        """Whether a table's rows are persons' by its other columns than those of ``ABOUT_PERSONS``:
        a person's name or detail found in it, a column named for one (``personal_table``), or a
        column keyed by an individual or a household (``case_no``, ``beneficiary_id``); a list of
        religions or clans (``ref_religions``: id, religion) is none."""
        if any(r.entity_type == "PERSON" or r.entity_type in PERSONAL and r.entity_type not in ABOUT_PERSONS
               for r in found):
            return True
        others = [n for n in names if n and not ABOUT_PERSONS & set(self.vocab.verdict(n).positive)]
        return any(self.vocab.is_name_column(n) or _individual_key(n) for n in others) \
            or personal_table(self.vocab, others)

    def _column(self, chunk: Chunk, col: _Column, found: list, header_ends: list) -> list:
        verdict = column_verdict(self.vocab, col)
        text = chunk.text
        shares = _shares(found, len(col.cells))
        if found and categorical(text, col.cells):
            found = [(c, r) for c, r in found if not _stray_category(r.entity_type, verdict, shares)]
        holder = holder_verdict(self.vocab, col)
        if "LOCATION" in verdict.positive and "PERSON" not in verdict.positive:
            # an address ("Khanke, Dohuk", which the model reads as "Surname, Given"): no person
            found = [(c, r) for c, r in found if r.entity_type != "PERSON"]
        elif "PERSON" not in verdict.positive and _places_column(shares, holder):
            found = [(c, r) for c, r in found if r.entity_type != "PERSON" or (r.start, r.end) != c]
        if "PERSON" in verdict.positive and "PERSON" in holder.lowered:
            # a column named for people in a table of things or firms (a vendors table's
            # "account_holder"): a person, or the firm itself; persons only without a firm's word
            found = [(c, r) for c, r in found
                     if r.entity_type != "PERSON" or person_shaped(text[r.start:r.end])]
        elif "PERSON" in verdict.positive and role_column(col.name):
            # a column of members of staff ("Employee", "Salarié"): a unit or an agency where no one
            # is named ("Head Office", "Temp Agency") is none
            found = [(c, r) for c, r in found if r.entity_type != "PERSON" or not org_worded(text[r.start:r.end])]
        if verdict.positive and found:
            # a value the column's name announces and a recognizer confirms ("ip_address":
            # 212.249.62.68): another reading of the same characters (a phone number) is dropped
            confirmed = _Spans(r for _, r in found if r.entity_type in verdict.positive)
            if confirmed:
                found = [(c, r) for c, r in found if r.entity_type in verdict.positive or not confirmed.overlap(r)]
        kept, by_cell = [], {}
        for cell, r in found:
            if self._raise_holds(chunk, col, verdict, r, header_ends) and self._keep(chunk, col, verdict, shares, cell, r):
                kept.append(r)
                by_cell.setdefault(cell, []).append(r)
        kept = self._hashes(text, col, verdict, kept, by_cell)
        if verdict.named:
            kept.extend(self._named(chunk, col, verdict, by_cell))
        if "PERSON" in self.entities:
            kept = self._people(chunk, col, verdict, holder, kept, by_cell)
        if "PHONE_NUMBER" not in verdict.positive and "PHONE_NUMBER" not in verdict.lowered \
                and "PHONE_NUMBER" in self.entities:
            kept.extend(self._phones_among_phones(chunk, col, by_cell))
        return kept

    def _people(self, chunk: Chunk, col: _Column, verdict: Verdict, holder: Verdict, kept: list,
                by_cell: dict) -> list:
        """``kept`` and the persons a column gives by its name and its cells' shapes."""
        text = chunk.text
        firms = "PERSON" in holder.lowered      # (a vendors table's "contact_person": no firm's name)
        if "PERSON" in verdict.positive and whole_names(self.vocab, col):
            if not firms:
                kept.extend(self._script_names(chunk, col, by_cell))
            if not categorical(text, col.cells):
                if not self.ner:
                    kept.extend(self._names_by_column(chunk, col, by_cell, firms))
                if name_words(col.name or "") in SURNAME_COLUMNS:
                    kept.extend(self._lone_surnames(chunk, col, by_cell))
                elif _capitals_column(text, col):
                    # (no word of a team or a firm alone, "LOGISTICS"; no word repeated down the
                    # column: a body's acronym, a claims register's respondent "GHRO")
                    seen = collections.Counter(text[s:e].strip() for s, e in col.cells)
                    kept.extend(self._lone_surnames(chunk, col, by_cell,
                                                    lambda c: " " in c or not org_word(c) and seen[c] == 1
                                                    and _VOWEL.search(c) is not None))
                kept.extend(self._lower_case_names(chunk, col, by_cell))
        elif "PERSON" in verdict.positive and not self.ner and name_words(col.name or "") in DISPLAY_NAMES \
                and not firms:
            # a user's display name without the model: a list of persons' names when nine cells in
            # ten or more are written as persons' names are (not a bare "name": a site's as often)
            kept.extend(self._names_among_names(chunk, col, by_cell, 0.0))
        if not verdict.positive and "PERSON" not in verdict.lowered:
            if not firms and not self.ner and role_column(col.name):
                # (without the model, a role's column, "Employee", "Contact": nine cells in ten
                # written as persons' names, none with a firm's or a team's word)
                kept.extend(r for r in self._names_among_names(chunk, col, by_cell, 0.0, NAMES_MIN_CELLS)
                            if person_shaped(text[r.start:r.end]))
            elif not firms:
                kept.extend(self._names_among_names(chunk, col, by_cell))
            if owner_column(col.name):
                # (in a table of firms, a vendor's "Focal point": persons without a firm's or a
                # post's word, "General Manager", "Customer Care")
                owners = [r for r in self._owners(chunk, col, by_cell) if not firms or _firms_person(text, r)]
                kept = _persons_over_organisations(kept, owners)
        return kept

    def _form_persons(self, chunk: Chunk, results: list) -> list:
        """The persons of a form's fields in a prose chunk. A label at the start of its line or
        after two spaces that names a person as a column's name would ("Certifying officer:",
        "Emergency contact:", "Rapporté par :", "**Chair:**"; not a bare
        "Name:", a product's as often, which the pack's label pattern reads, nor a list's label,
        ``LIST_LABELS``: "Attendees:"), then the name opening its value (``_leading_name``:
        "Sahra Khadar Hirsi (brother), 020 315 3850", "Habimana, Olivier, Asistente de
        Programas"); or a key before a quoted value in a log, a people's column's name or an
        owner's, then a name (``enumerator='Evens Célestin'``, ``owner="Ruba al-Shammari"``).
        Names as persons' names are written (``listed_person``: "IMANI MASSAWE", "F. Njoroge")."""
        text, out = chunk.text, []
        fields = _form_heads(text) if ":" in text or "...." in text else ()
        keyed = _on_lines_with(_KEY_BEFORE_QUOTE, _KEYED_VALUE, text) if "'" in text or '"' in text else ()
        for m in itertools.chain(fields, keyed):
            if m.group("value").lstrip()[:1].isdigit():
                continue        # no name opens it (a log's "Oct 23 16:42:07", "Phone 2: 0722...")
            label = m.group("label").strip()
            if generic_name(label) or label.lower() in _LIST_LABEL_WORDS or not chunk.keeps(m.start("value")) \
                    or not self._person_label(label):
                continue
            if m.re is _FORM_HEAD:
                m = _form_field(m)      # (its value read whole only now: see _FORM_HEAD)
            value = m.group("value")
            span = _leading_name(value) if m.re is _FORM_FIELD else listed_person(value.strip())
            if span is None:
                continue
            if m.re is _KEYED_VALUE:            # (spaces inside the quotes are no part of it)
                lead = len(value) - len(value.lstrip())
                span = (span[0] + lead, span[1] + lead)
            words = [w.lower().strip(".,") for w in value[span[0]:span[1]].replace(",", " ").split()]
            if any(w in POST_WORDS or w in _NOT_SOMEONE for w in words) or words[-2:] == ["red", "cross"] \
                    or post_shaped(value[span[0]:span[1]]):
                continue                # a post ("Chair: The Deputy Representative"), a placeholder
            start, end = m.start("value") + span[0], m.start("value") + span[1]
            # (a person there already, or the model's organisation: "Moderator: Kenya Red Cross";
            # after a label of a thing as often, its place or group too: "Driver: Toyota Hilux")
            # (a person inside the name, shorter, is no veto: the model may cut a name where an
            # escaped line break glues a word to it, "Moussa" of "Moussa Diallo\nTél")
            vetoes = _VETOES_OF_THINGS if _label_of_things(label) else _VETOES
            if not any(r.entity_type in vetoes and r.start < end and start < r.end
                       and not (r.entity_type == "PERSON" and start <= r.start and r.end <= end
                                and r.end - r.start < end - start)
                       for r in itertools.chain(results, out)):
                out.append(_column_person(start, end, 0.6, COLUMN_RECOGNIZER, Reason.COLUMN_NAME))
        return out

    def _person_label(self, label: str) -> bool:
        """Whether a field's label names a person: a people's column name that is (nearly) the
        whole label ("Certifying officer", "Name of head of household"; not "The chair of the
        meeting said", "Spouse visa category"), an owner's ("Approved by", "Rapporté par",
        "owner": a person, a unit or a post, which the value tells) or a form's "Chair"."""
        if _label_of_things(label):
            return self.ner         # (only where the model can tell "Toyota Hilux" from a person: see _form_persons)
        label = _ASIDE.sub("", label).strip() or label       # "Survivor name (with consent)"
        words = name_words(label)
        hit = self.vocab.verdict(label).positive.get("PERSON")
        if hit is not None and (hit[1] >= 10 or hit[1] >= len(words) - 1):
            return True
        return owner_column(label) or words in _FORM_ONLY

    def _markdown_owners(self, chunk: Chunk, results: list) -> list:
        """``_owners`` of the Markdown tables of a prose chunk (an action table's "Owner" column
        in minutes); their other columns are the NER planner's (``ner``)."""
        out = []
        for col in _columns_of_tables(*markdown_cells(chunk.text), None, keep=owner_column):
            by_cell: dict = {}
            for r in results:
                for s, e in col.cells:
                    if s <= r.start and r.end <= e:
                        by_cell.setdefault((s, e), []).append(r)
            out.extend(self._owners(chunk, col, by_cell))
        return out

    @staticmethod
    def _owners(chunk: Chunk, col: _Column, by_cell: dict) -> list:
        """The persons of a column that names who does something ("Owner", "Responsible", "Focal
        point", "Assigned to": an action table's), which holds persons or units: its cells
        written as persons' names are (``listed_person``, no word of a team or a firm), when
        they are two at least and half of its cells or more ("ICT Unit", "WASH Cluster" are
        others). The model reads few names in a table's cells."""
        text, names, others, named = chunk.text, [], 0, 0
        for s, e in col.cells:
            names_here = _owner_names(text, s, e)
            if not names_here:
                others += 1
                continue
            named += 1
            for a, b, start, end in names_here:
                # (a person there already, or the model read the whole name as a place; a name in
                # capitals the model read is the column's: the filters drop a model's "person" in
                # capitals, and one over two names, "Noorullah Mohammadi / YATES Andrew")
                if chunk.keeps(s) and not any(r.entity_type in ("PERSON", "LOCATION") and a <= r.start <= start
                                              and end <= r.end <= b and not text[r.start:r.end].isupper()
                                              for r in by_cell.get((s, e), ())):
                    names.append(_column_person(start, end, 0.6, COLUMN_RECOGNIZER, Reason.COLUMN_NAME))
                elif chunk.keeps(s):
                    names.append(None)      # (found already: counted, not reported twice)
        if named < 2 or named < others:
            return []
        return [r for r in names if r is not None]

    @staticmethod
    def _names_among_names(chunk: Chunk, col: _Column, by_cell: dict, share: Optional[float] = None,
                           fewest: Optional[int] = None) -> list:
        """The names the model missed in a column whose name says nothing of persons ("User",
        "holder", none) but which is a list of names: nine cells in ten or more are written as
        persons' names are (``listed_person``) and the model reads a person in
        ``NAMES_SHARE`` of them or more (``ROLE_NAMES_SHARE`` under a role's name; ``share``: none
        without the model under a generic name, "display_name"), over the whole column (the NER planner judges a column
        on a sample of its first cells; where the model missed a few names there it leaves the
        others to the model, which misses a few of them too: one in five of a staff list with
        names of many languages). Every name-shaped cell is then a name: where the model found
        none, or a part of it the filters may refuse ("Oberholzer-Schäfer" of "Giulia
        Oberholzer-Schäfer"); not where it read the whole cell as a place ("Addis Ababa", "Google
        Drive"). A cell it read as an organisation is made a person (it reads many names of
        other languages so)."""
        if share is None and not any(r.entity_type == "PERSON" for rs in by_cell.values() for r in rs):
            return []       # (no person read in any cell: no share of them reached)
        text = chunk.text
        cells = [(s, e) for s, e in col.cells if not no_value(text[s:e])]     # ("n/a", "[withheld]": no value)
        # (a role's column of a short table too, a document's list of suppliers' contacts: then
        # three in four read as persons, a product's two words are one by chance as often)
        role = role_column(col.name)
        if len(cells) < (fewest or (ROLE_MIN_CELLS if role else NAMES_MIN_CELLS)):
            return []
        if share is None:
            share = (ROLE_NAMES_SHARE if len(cells) >= NAMES_MIN_CELLS else SHORT_ROLE_SHARE) if role else NAMES_SHARE
        if _cells_with(cells, by_cell, "PERSON") < share * len(cells):
            return []
        shaped, out = 0, []
        for s, e in cells:
            span = listed_person(text[s:e]) if e - s <= 80 else None
            if span is None:
                continue
            shaped += 1
            start, end = s + span[0], s + span[1]
            # (a person there already, as sure as the column's, or the model read the whole name as
            # a place; a name in capitals the model read is made the column's: the filters drop a
            # model's "person" in capitals, a heading's or a label's as often; a pack pattern's
            # surer guess, 0.6, does not lower the column's)
            if chunk.keeps(s) and not any((r.entity_type == "LOCATION" or r.entity_type == "PERSON" and r.score >= 0.85)
                                          and r.start <= start and r.end >= end and not text[r.start:r.end].isupper()
                                          for r in by_cell.get((s, e), ())):
                out.append(_column_person(start, end, 0.85, NAMES_RECOGNIZER, Reason.VALUE))
        return out if shaped >= 0.9 * len(cells) else []

    @staticmethod
    def _phones_among_phones(chunk: Chunk, col: _Column, by_cell: dict) -> list:
        """The other numbers of a column of phone numbers its name does not announce ("Contact",
        "Referent"): where the phone recognizer found numbers written as phone numbers are in
        ``PHONES_SHARE`` of its cells or more (``NAMES_MIN_CELLS`` at least), every other cell written as a phone number is
        one (``plausible``: 7 to 15 digits, a phone's characters, no date): a number of a
        region no one configured ("77 045 20 61" in Senegal), a country code without its "+"
        ("256777763766")."""
        text, cells = chunk.text, col.cells
        if len(cells) < NAMES_MIN_CELLS:
            return []
        # (numbers written as phone numbers: a column of bare ten-digit numbers, most of them valid
        # North American numbers, is a column of document or account numbers as often)
        if _cells_with(cells, by_cell, "PHONE_NUMBER", formatted=True) < PHONES_SHARE * len(cells):
            return []
        out = []
        for s, e in cells:
            cell = text[s:e].strip()    # (a cell anything was found in, a phone number first, is left as it is)
            if not cell or not chunk.keeps(s) or by_cell.get((s, e)) or not plausible(ValueKind.PHONE, "PHONE_NUMBER", cell):
                continue
            start = s + text[s:e].index(cell)
            out.append(_result("PHONE_NUMBER", start, start + len(cell), 0.6, PHONES_RECOGNIZER, Reason.VALUE))
        return out

    @staticmethod
    def _names_by_column(chunk: Chunk, col: _Column, by_cell: dict, firms: bool = False) -> list:
        """Without NER, the name-shaped cells of a column named for people ("full_name",
        "Beneficiary", "Employee Name"; not a bare "name", which is a product's or a place's as
        often), as the NER planner takes them where the model reads none: its name says what
        they are. Latin script here; other scripts are ``_script_names``."""
        # (a generic name beside a person's details, a name among firms', a party's that may be a
        # firm: no firm's word)
        if firms or generic_name(col.name) or party_column(col.name) or role_column(col.name):
            return _shaped_cells(chunk, col, by_cell, lambda cell: person_shaped(cell) and not post_shaped(cell))
        return _shaped_cells(chunk, col, by_cell,
                             lambda cell: name_shaped(cell) and not unit_shaped(cell) and not post_shaped(cell),
                             covered_only=True)

    @staticmethod
    def _lone_surnames(chunk: Chunk, col: _Column, by_cell: dict, also=None) -> list:
        """The surnames in capitals alone in a column named for surnames (a register's "NOM",
        "Last name") or writing its names so, which neither the model nor the name shapes
        take as names ("GUNAWAN", "VILANOVA LLEDÓ"); ``also``: a further test of a cell."""
        # (over a person the model read in capitals, which the filters drop: a heading's, a label's as often)
        text = chunk.text
        read = {cell: [r for r in rs if r.entity_type != "PERSON" or not text[r.start:r.end].isupper()]
                for cell, rs in by_cell.items()}
        return _shaped_cells(chunk, col, read, lambda c: surnames_in_capitals(c) and not unit_shaped(c)
                             and (also is None or also(c)), longest=40)

    @staticmethod
    def _lower_case_names(chunk: Chunk, col: _Column, by_cell: dict) -> list:
        """Names typed in lower case ("bénédicte tshisola") in a column named for people whose
        cells are names written as names are, half of them or more."""
        text, cells = chunk.text, col.cells
        if not any(text[s:e].islower() for s, e in cells) \
                or 2 * sum(name_shaped(text[s:e].strip()) for s, e in cells) < len(cells):
            return []
        return _shaped_cells(chunk, col, by_cell, lambda cell: len(cell.split()) >= 2 and lower_case_name(cell),
                             score=0.85, covered_only=True)

    @staticmethod
    def _script_names(chunk: Chunk, col: _Column, by_cell: dict) -> list:
        """Names in another script than Latin in a column named for people ("أحمد محمود الخطيب",
        "Иван Петров", "王小明" under ``full_name``): the English and French models read none,
        the column's name says what they are. A pattern's person in a part of the cell
        ("Демид Сергійович" of "Притула Демид Сергійович") gives way to the whole."""
        # (six words at most: the length limit only bounds the work)
        return _shaped_cells(chunk, col, by_cell, lambda cell: not cell.isascii() and script_name_shaped(cell),
                             longest=1000, covered_only=True)

    def _raise_holds(self, chunk: Chunk, col: _Column, verdict: Verdict, r, header_ends: list) -> bool:
        """Whether a result the table's header may have raised (``CONTEXT_RAISE_KEY``) keeps the
        raise: when the header's word names its column, or a context word stands near it below
        the header rows. Otherwise its score before; False when that is none."""
        base = (r.recognition_metadata or {}).get(CONTEXT_RAISE_KEY)
        if base is None or r.entity_type in verdict.positive or not col.context:
            return True                 # (a column whose name is not known: the raise stands)
        if in_external(self._folded.get(r.entity_type, frozenset()), list(col.context)):
            return True
        i = bisect.bisect_right(header_ends, r.start)       # the header rows above the value
        if context_found(self.context_words.get(r.entity_type, frozenset()), r, chunk.text, (),
                         header_ends[i - 1] if i else 0):
            return True
        r.score = base
        return bool(base)

    def _keep(self, chunk: Chunk, col: _Column, verdict: Verdict, shares: dict, cell: tuple, r) -> bool:
        entity = r.entity_type
        if entity in verdict.positive:
            _set_reason(r, Reason.BOTH)
            r.score = max(r.score, verdict.positive[entity][0].score)
            return True
        if entity == "DATE_TIME":
            return False                        # a date alone is not personal data
        lookalike = traits(entity).identifier
        if lookalike and verdict.exclusive:
            if any(entity in SPECIFIC_FORMS.get(s.entity, ()) for s in verdict.named) and \
                    (entity not in SEPARATED_FORMS or not chunk.text[r.start:r.end].isdigit()):
                _set_reason(r, Reason.BOTH)     # the column's kind, in a form of its own ("tax id": a US SSN)
                return True
            return False                        # the column's name says what its identifiers are
        if entity in NER_ENTITIES and verdict.positive and not any(sig.values == ValueKind.TEXT for sig in verdict.named):
            return False                        # ... and what its names are: no "organisation" in a password
            # (a column of text, "diagnosis_notes", names the people it writes of)
        strong = entity in CHECKSUM and shares.get(entity, 0.0) >= STRONG_SHARE and len(col.cells) >= MIN_CELLS \
            or entity == "PHONE_NUMBER" and bool((r.recognition_metadata or {}).get(FORMATTED_KEY)) \
            and not chunk.text[r.start:r.end].isdigit()     # "+41 27 850 11 88": no code ("0067214080": one)
        if entity in verdict.lowered:
            return strong
        if lookalike:
            label = self._label(chunk.text, cell, r)
            if entity in label.lowered and not label.positive:
                return strong                   # "invoice 4505577104", "order no. 2950184726" in a memo
        if entity in NEED_CONTEXT:
            return strong or self._context(chunk.text, col, cell, r)
        if entity in NER_ENTITIES and machine_text(chunk.text[cell[0]:cell[1]]):
            return False
        return True

    def _label(self, text: str, cell: tuple, r) -> Verdict:
        """The verdict of the (up to two) words right before a value in its cell: its label; of
        three when those name a kind of value ("Social Security Number: 866-60-7959", where
        "Security Number" alone is any number's label); none for a card number after a word of
        any number alone ("full number")."""
        words = _WORD.findall(text[max(cell[0], r.start - 60):r.start])[-3:]
        if not words:
            return _NOTHING
        if len(words) == 3:
            three = self.vocab.verdict(" ".join(words))
            if three.positive:
                return three
        label = self.vocab.verdict(" ".join(words[-2:]))
        if r.entity_type == "CREDIT_CARD" and label.lowered and not label.positive and \
                words[-1].lower() in _ANY_NUMBER and (len(words) < 2 or not self.vocab.verdict(words[-2]).lowered):
            return _NOTHING         # "(full number 4519 4442 1213 9766)": any number's word, no code's, before
                                    # a number in a card's range with its check digit
        return label

    def _context(self, text: str, col: _Column, cell: tuple, r) -> bool:
        """A context word for the entity in the column's name or among the words before the value,
        or a label naming it ("bank account 12345678")."""
        if r.entity_type in self._label(text, cell, r).positive:
            return True
        words = self.context_words.get(r.entity_type, frozenset())
        if any(w in words for w in col.context):
            return True
        if r.entity_type in LABEL_ONLY or not words:
            return False
        before = text[max(cell[0], r.start - 80):r.start].lower()
        near = _WORD.findall(before)[-5:]
        return any(w in words for w in near) or any(" " in w and w in before for w in words)

    def _hashes(self, text: str, col: _Column, verdict: Verdict, kept: list, by_cell: dict) -> list:
        """Cells holding a password hash: PASSWORD_HASH (not a clear-text secret)."""
        if "PASSWORD_HASH" not in self.entities:
            return kept
        # (a password's column: a bare hex digest there is its hash; in a token's or a key's, the token)
        pw_column = any(s.values == ValueKind.CREDENTIAL and s.entity in ("SECRET_PASSWORD", "PASSWORD_HASH")
                        for s in verdict.named)
        if not pw_column and not any(m in text for m in HASH_MARKS):
            return kept                         # no hash form in the text (a bare digest counts only in a password column)
        named = pw_column or "PASSWORD_HASH" in verdict.positive
        drop = set()
        for s, e in col.cells:
            # (every hash form holds a mark: most cells of a JSON file, whose text has '{', hold none)
            if not (pw_column or _HASH_MARK(text, s, e)) or not password_hash(text[s:e], pw_column):
                continue
            drop.update(id(r) for r in by_cell.get((s, e), ()) if traits(r.entity_type).secret)
            hit = _result("PASSWORD_HASH", s, e, 0.9 if named else 0.7, HASH_RECOGNIZER,
                          Reason.BOTH if named else Reason.VALUE)
            by_cell.setdefault((s, e), []).append(hit)
            kept.append(hit)
        return [r for r in kept if id(r) not in drop] if drop else kept

    def _named(self, chunk: Chunk, col: _Column, verdict: Verdict, by_cell: dict) -> list:
        """Plausible values of a column named for an entity, that no recognizer matched, or only
        weakly (under the rules' usual minimum: a French NIR at 0.4 in a ``NationalID`` column)."""
        text, out = chunk.text, []
        for s, e in col.cells:
            if any(r.score >= WEAK for r in by_cell.get((s, e), ())) or not chunk.keeps(s) or e - s > MAX_CELL:
                continue
            value = text[s:e]
            for sig in verdict.named:
                if sig.entity in self.entities and plausible(sig.values, sig.entity, value):
                    out.append(_result(sig.entity, s, e, sig.score, COLUMN_RECOGNIZER, Reason.COLUMN_NAME))
                    break
        return out


# column names that name a person only in general: a "name" is a product's, a team's or a
# place's as often as a person's
GENERIC_NAMES = frozenset({("name",), ("names",), ("nom",), ("noms",), ("nombre",), ("nombres",), ("display", "name"),
                           ("displayname",), ("اسم",), ("الاسم",)})


def generic_name(name: Optional[str]) -> bool:
    return bool(name) and name_words(name) in GENERIC_NAMES


def whole_names(vocab: Vocabulary, col: _Column) -> bool:
    """Whether a column named for people (``column_verdict``) holds a person's name in each cell,
    whole: its own name says so ("full_name", "beneficiary"), or a generic name ("name", a
    product's or a place's as often) is held by a key named for people ("requester": {"name": ...})
    or stands in a table of a person's details (``personal_table``)."""
    return not generic_name(col.name) or col.personal \
        or bool(col.parent) and ("PERSON" in vocab.verdict(col.parent).positive or holder_role(col.parent))


# what a column's name says of a person only in a table of persons: a table of religions, clans or
# ethnic groups alone (a lookup table) is no one's data
ABOUT_PERSONS = frozenset({"ETHNICITY_RELIGION"})
# the words of a column keyed by an individual or a household ("case_no", "beneficiary_id", "progres_id")
_INDIVIDUAL_WORDS = frozenset("case beneficiary beneficiaire beneficiario individual individu household menage hogar "
                              "registration refugee refugie applicant patient client member staff employee person "
                              "personne persona student progres unhcr family famille familia".split())


def _individual_key(name: str) -> bool:
    words = name_words(name)
    return len(words) >= 2 and words[-1] in _RECORD_KEY_WORDS and any(w in _INDIVIDUAL_WORDS for w in words[:-1])


# what a column holds that is a person's, not a product's, a site's or a firm's
PERSONAL = frozenset({"DATE_OF_BIRTH", "US_SSN", "NATIONAL_ID", "PASSPORT_NUMBER", "UK_NINO", "NRP",
                      "ETHNICITY_RELIGION", "STAFF_INDEX_NUMBER", "UNHCR_CASE_NUMBER"})


def personal_table(vocab: Vocabulary, names) -> bool:
    """Whether the columns of a table (by their names) hold a person's details: one of them is
    named for a date of birth, a national, passport, staff or case number, a nationality (a
    register's "NAME" beside "DATE OF BIRTH"). A phone, an e-mail address or a bank account is
    a site's or a firm's as often (a vendors register's). A given name's or a surname's column
    makes its neighbours persons' too: a French register's "NOM" beside "Prénom" is a surname,
    a Spanish one's "nombre" beside "apellido" a given name. So does a staff member's post or date of
    hire (a directory's "Nom" beside "Fonction"), and a first key column that is the key of a role's
    records (a CRM export's "name" beside "customer_id")."""
    names = [n for n in names if n]
    # (a bare "id" says nothing of whose rows they are: the first key named for something does)
    key = next((n for n in names if len(name_words(n)) > 1 and name_words(n)[-1] in _RECORD_KEY_WORDS), None)
    return key is not None and _record_key(key) \
        or any(PERSONAL & set(vocab.verdict(n).positive) or name_words(n) in GIVEN_NAME_COLUMNS
               or name_words(n) in SURNAME_COLUMNS and not generic_name(n) or _staff_detail(name_words(n))
               for n in names)


# the words after a role's that make a column its record's key ("customer_id", "Employee No")
_RECORD_KEY_WORDS = frozenset({"id", "no", "nr", "num", "number", "ref", "code", "key", "identifier", "numero"})
# column names of a member of staff's post ("Job Title", "Fonction", "Puesto")
JOB_COLUMNS = frozenset(tuple(w.split()) for w in (
    "job title", "jobtitle", "job", "job role", "position title", "job position", "designation", "occupation",
    "profession", "fonction", "poste", "intitule du poste", "titre du poste", "cargo", "puesto", "ocupacion",
    "beruf", "stellenbezeichnung", "funcao"))


def _record_key(name: str) -> bool:
    """Whether a table's first key column (its name ends with "id", "no", "ref"...) is its rows' key
    and names them for a role: the table lists persons ("customer_id", "EmployeeNo", "patient ref";
    not an orders table's "order_id" before its "customer_id")."""
    words = name_words(name)
    return len(words) == 2 and (words[0],) in ROLE_NAMES and words[1] in _RECORD_KEY_WORDS


def _staff_detail(words: tuple) -> bool:
    """A column of a member of staff's details: a post ("Job Title", "Fonction") or a date of hire
    ("Original Hire Date", "date d'embauche")."""
    return words in JOB_COLUMNS or "hire" in words or "embauche" in words


# column names of a role, which a person may fill or not: "Agent" (a call centre's, or an IT
# inventory's Datadog), "Person", "Patient" (a flag, a count)
ROLE_NAMES = frozenset({(w,) for w in (
    # English
    "agent", "agents", "person", "persons", "people", "employee", "employees", "patient", "patients", "refugee",
    "refugees", "applicant", "applicants", "volunteer", "volunteers", "worker", "workers", "contact", "contacts",
    "payer", "staff", "candidate", "candidates", "customer", "customers", "client", "clients", "user", "users",
    "member", "members", "actor", "passenger", "passengers", "guest", "guests", "student", "students",
    "subscriber", "subscribers", "tenant", "tenants",
    # French (accents folded)
    "personne", "personnes", "employe", "employes", "employee", "employees", "patiente", "patientes", "refugie",
    "refugies", "refugiee", "refugiees", "demandeur", "demandeurs", "demandeuse", "benevole", "benevoles",
    "payeur", "candidat", "candidats", "utilisateur", "utilisatrice", "utilisateurs", "membre", "membres",
    "passager", "passagere", "passagers", "eleve", "eleves", "etudiant", "etudiante", "etudiants", "locataire",
    # Spanish and Portuguese
    "persona", "personas", "empleado", "empleados", "empleada", "empleadas", "paciente", "pacientes", "refugiado",
    "refugiados", "refugiada", "refugiadas", "solicitante", "solicitantes", "voluntario", "voluntarios",
    "voluntaria", "voluntarias", "funcionario", "funcionaria", "pagador", "contacto", "contactos", "contato",
    "contatos", "candidato", "candidatos", "candidata", "candidatas", "cliente", "clientes", "usuario", "usuarios",
    "usuaria", "usuarias", "miembro", "miembros", "pasajero", "pasajera", "pasajeros", "estudiante", "estudiantes",
    "aluno", "aluna", "alunos", "inquilino", "inquilina", "trabajador", "trabajadora", "trabajadores",
    "funcionarios", "funcionarias",
    # French, German: a member of staff
    "salarie", "salariee", "salaries", "salariees", "mitarbeiter", "mitarbeiterin", "arbeitnehmer",
    "arbeitnehmerin", "beschaftigte", "beschaftigter")})


DISPLAY_NAMES = frozenset({("display", "name"), ("displayname",)})

# column names of a surname alone (a French register's "NOM" is the surname, "Prénom" beside it)
SURNAME_COLUMNS = frozenset(tuple(w.split()) for w in (
    "nom", "noms", "last name", "lastname", "surname", "surnames", "family name", "familyname", "nom de famille",
    "lname", "l name", "last nm", "lastnm",
    "apellido", "apellidos", "primer apellido", "segundo apellido", "sobrenome", "apelido", "nachname",
    "familienname"))


# column names of a given name alone
GIVEN_NAME_COLUMNS = frozenset(tuple(w.split()) for w in (
    "prenom", "prenoms", "first name", "firstname", "given name", "givenname", "given names", "forename",
    "forenames", "fname", "f name", "first nm", "firstnm", "primer nombre", "vorname", "prenome"))
# (not "nombres": a civil register's given names, and any list's plural "names")


_VOWEL = re.compile(r"[AEIOUYÀ-ÆÈ-ÏÒ-ÖØ-Ý]")     # (an acronym of consonants, "NRC", "GBV", "CCCM", is no surname)


def _firms_person(text: str, r) -> bool:
    """A person of a firm's row: a person's name, no firm's, team's or post's word in it."""
    value = text[r.start:r.end]
    return len(value.split()) >= 2 and person_shaped(value) \
        and not any(w.lower().strip(".,") in POST_WORDS for w in value.split())


def _capitals_column(text: str, col: _Column) -> bool:
    """Whether a column named for people (not for a surname) is a list of names, half of its
    cells or more, written in a register's capitals (two names at least with their surname in
    capitals: "CASARES OZUNA", "OKELLO Peter"): a lone word in capitals there ("GUNAWAN") is a
    surname too; in a list of names written otherwise it is a body's or a place's as often
    ("USAID", "BUNIA")."""
    cells = [text[s:e].strip() for s, e in col.cells]
    return len({c for c in cells if lone_surname(c)}) >= 2 \
        and sum(" " in c and (c.isupper() and name_shaped(c) or surname_in_capitals(c)
                              or surname_last_in_capitals(c)) for c in cells) >= 2 \
        and 2 * sum(lone_surname(c) or name_shaped(c) for c in cells) >= len(cells)


# the words of a column naming a party to a payment, a shipment or an account: a firm as often as a
# person ("Empfänger": "Nordlys Retail AS" or "Sebastian Meyer")
PARTY_WORDS = frozenset(
    "recipient recipients payee payees payer payers sender senders creditor debtor holder cardholder customer "
    "client consignee shipper destinataire expediteur titulaire remitente destinatario titular empfanger "
    "empfaenger zahlungsempfanger absender inhaber kontoinhaber karteninhaber kunde kundin kundenname "
    "intestatario titolare ontvanger begunstigde rekeninghouder owner subscriber policyholder insured".split())


def party_column(name: Optional[str]) -> bool:
    return bool(name) and any(w in PARTY_WORDS for w in name_words(name))


def role_column(name: Optional[str]) -> bool:
    return bool(name) and name_words(name) in ROLE_NAMES


# the last words of a key holding a person's details ("billingContact", "Owner", "subject" of a KYC event)
_HOLDER_LAST = frozenset("owner manager holder assignee requester reporter approver author creator subject".split())


def holder_role(key: Optional[str]) -> bool:
    """Whether the key of an object (JSON, YAML) holding a generic name names someone's role: a role
    word ("employees", "customer"), or a compound ending with one ("billing_contact",
    "emergencyContact", "accountOwner"): its "name" is that person's."""
    words = name_words(key) if key else ()
    return bool(words) and ((words[-1],) in ROLE_NAMES or words[-1] in _HOLDER_LAST)


_LIST_LABEL_WORDS = frozenset(LIST_LABELS.split("|"))
_ASIDE = re.compile(r"\s*\([^()\n]{0,40}\)")       # a label's words in brackets
# a form's field: a label opening its line (a bullet, a number, a quote or a contact's or an event's
# property before it: "NOTE:Personne à prévenir : ...") or after two
# spaces (minutes' "**Chair:** Dr. Mahad Samatar  **Rapporteur:** Mackenson Fils-Aimé"), in
# bold or not, a colon, a value (up to two spaces). The gap before a label follows a visible
# character: a run of spaces is tried once, not at each of its positions.
_WIDE_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000"
_SPACE = "[ \\t%s]" % _WIDE_SPACES
_FORM_HEAD_RX = (r"(?m)(?:^(?:[A-Z][A-Z-]{1,30}:(?=[^\W\d_]))?(?:%s|[>*•-])*(?:\d{1,3}[.)]%s+)?|(?<=[^\s])%s{2,})"
                 r"(?:\*\*|__)?(?P<label>[^\W\d_][^\n:*_]{0,59}?)(?:\*\*|__)?%s*(?::|\.{4,})(?:\*\*|__)?%s*"
                 r"(?P<value>[^\s:]" % ((_SPACE,) * 5))
_FORM_FIELD = re.compile(_FORM_HEAD_RX + r"(?:(?!%s{2})[^\n]){0,159})" % _SPACE)
# a field's head: the same up to its value's first character. Where it matches, the field does,
# with the same label (the rest of the value may be empty); most fields found are no person's
# (a log's time stamp, "Status:"), so the value, a look-ahead at each of up to 160 characters,
# is read whole (``_form_field``) only for a label that may name one
_FORM_HEAD = re.compile(_FORM_HEAD_RX + ")")
# a key and a quoted value in a log ("enumerator='Evens Célestin'", "caseworker=\"Juma Ngowi\"")
_KEYED_VALUE = re.compile(r"(?<![\w.-])(?P<label>[A-Za-z_][\w.-]{1,40})[ \t]*[=:][ \t]*(?P<q>[\"'])"
                          r"(?P<value>[^\"'\n]{2,80})(?P=q)")
_SPACE_RUN = re.compile(_SPACE + "{2,}")
# (led by the separator: a search skips to the next one at C speed; not JSON's '"key": "value"')
_KEY_BEFORE_QUOTE = re.compile(r"[=:](?<=[\w.\- \t][=:])[ \t]*[\"']")


def _marked_lines(mark, text: str):
    """(start, end) of each line of the text where ``mark`` is found (searched at C speed)."""
    search, at = mark.search, 0
    while True:
        k = search(text, at)
        if k is None:
            return
        at = text.find("\n", k.end())
        at = len(text) if at < 0 else at
        yield text.rfind("\n", 0, k.start()) + 1, at


def _on_lines_with(mark, pattern, text: str):
    """``pattern.finditer(text)`` for a pattern none of whose matches crosses a line or goes
    without ``mark``: searched only on the lines where ``mark`` is found (a pattern that cannot
    be led by a literal or a class is tried at each position of the text otherwise)."""
    for start, end in _marked_lines(mark, text):
        yield from pattern.finditer(text, start, end)


def _form_heads(text: str):
    """The heads (``_FORM_HEAD``) of ``_FORM_FIELD.finditer(text)``'s matches, the pattern tried
    only where a match can begin: at the start of a line holding a colon or four dots (not one
    opening with a bracket or a quote: ``_NO_HEAD_START``), and at each run of spaces after a
    visible character there, before its last colon or four dots (the other positions of a log
    or a table, most of them, are not tried). A field's value holds no run of spaces (it stops
    before one), so the runs after a head are those after its whole field."""
    match, runs, find, rfind = _FORM_HEAD.match, _SPACE_RUN.finditer, text.find, text.rfind
    # (in a text without the wide spaces, a run of spaces holds two spaces or a tab: a text
    # without either, most logs, has no run to try, and a line without either, most of a
    # text's, is passed over by ``str.find``, not searched by the pattern, which tests its
    # class at each character)
    narrow = text.isascii() or not any(c in text for c in _WIDE_SPACES)
    spaced = not narrow or "  " in text or "\t" in text
    for start, end in _field_lines(text):
        # (a line opening with four digits, a log's date, has no head at its start: a number
        # before a label is a list's, "12. Name:", of three digits at most)
        m = None if text[start] in _NO_HEAD_START or text[start:start + 4].isdecimal() else match(text, start, end)
        at = start
        if m is not None:
            yield m
            at = m.end()
        if not spaced:
            continue
        last = max(rfind(":", at, end), rfind("....", at, end))     # (a label ends before a mark)
        gaps = last > at and not (narrow and find("  ", at, last) == -1 and find("\t", at, last) == -1)
        for r in runs(text, max(at, start + 1), last) if gaps else ():
            pos = r.start()
            if pos >= at and not text[pos - 1].isspace():
                m = match(text, pos, end)
                if m is not None:
                    yield m
                    at = m.end()


# the first characters of a line no form's head opens (``_FORM_HEAD``'s start of a line: a capital,
# a space, a bullet, a digit, bold's "**" or "__", or a letter): a log's "[12:04:33]", a JSON line
_NO_HEAD_START = frozenset("[{<(\"'#/=|@!$%&;,.?`~^+:)]}\\")


def _field_lines(text: str):
    """(start, end) of each line holding a colon or four dots (``_marked_lines`` of either),
    found by ``str.find``: a regex's search for either stops at every full stop of a text."""
    find, rfind, n = text.find, text.rfind, len(text)
    at, dots = 0, find("....")
    while True:
        if -1 < dots < at:
            dots = find("....", at)
        colon = find(":", at)
        k = dots if colon == -1 or -1 < dots < colon else colon
        if k == -1:
            return
        at = find("\n", k)
        at = n if at < 0 else at
        yield rfind("\n", 0, k) + 1, at


def _form_field(head):
    """The whole field (``_FORM_FIELD``'s match) of which ``head`` is the head: matched where it was."""
    return _FORM_FIELD.match(head.string, head.start(), head.endpos)


# where a name in a field's value ends: a bracket, a slash, a dash between spaces, two spaces,
# a semicolon or a pipe, a line break written as an escape (a vCard's NOTE, a JSON string in a
# log: "Moussa Diallo\nTél : ..."), a digit or a phone's or an e-mail's word after a space
_AFTER_NAME = re.compile(r"[(/;|<\[]|\\[nrt]|\s[-–—]\s|\s{2,}|\s(?=[+\d])"
                         r"|\s(?i:tel|tél|phone|mobile|mob|cell|email|e-mail|fax|whatsapp)\b")
# a form's labels of a person that a column's name is not ("Chair": a column of chairs)
_FORM_ONLY = frozenset({("chair",), ("presidence",), ("president",), ("presidente",)})


def _label_of_things(label: str) -> bool:
    """Whether a form's label (its words in brackets left out) names things as often as persons."""
    return name_words(_ASIDE.sub("", label).strip() or label) in _NOT_A_FORMS_PERSON


_VETOES = ("PERSON", "ORGANIZATION")
_VETOES_OF_THINGS = ("PERSON", "ORGANIZATION", "LOCATION", "NRP")
# people's column names that a form's label may be of a thing too ("Driver: Toyota Hilux",
# "Interpreter: Swahili", "Warden: Block C", "Witness: Main Gate"): a column's majority decides;
# as a form's label, only with the model (whose organisation, place or group over the value vetoes)
_NOT_A_FORMS_PERSON = frozenset(tuple(w.split()) for w in (
    "driver", "chauffeur", "conductor", "interpreter", "interprete", "translator", "traducteur", "traductrice",
    "warden", "wardens", "caretaker", "witness", "guardian", "survivor", "victim", "patient", "nurse",
    "pharmacist", "informant"))
# a value that is no one's: a placeholder, a reference to elsewhere
_NOT_SOMEONE = frozenset("same as above below see voir annexe attached ci-dessus idem tomorrow today "
                         "standard".split())


def _leading_name(value: str):
    """(start, end) of the name opening a field's value, None when it opens with none: up to
    ``_AFTER_NAME``, then up to its first or second comma ("Surname, Given, role")."""
    cut = _AFTER_NAME.search(value)
    head = value[:cut.start() if cut else len(value)].rstrip(" \t.,*_")
    commas = [i for i, c in enumerate(head) if c == ","]
    # "Surname, Given, role": up to the second comma first; "Given Surname, role": the first
    stops = [commas[1], commas[0], len(head)] if len(commas) > 1 else [len(head), *commas]
    for stop in stops:
        span = listed_person(head[:stop].rstrip())
        if span is not None:
            return span
    return None


def _persons_over_organisations(results: list, persons: list) -> list:
    """``results`` with ``persons`` added, less the model's organisations and groups over them:
    the small model reads many names of other languages as organisations ("Espoir Tshibangu")."""
    if not persons:
        return results
    return [r for r in results if r.entity_type not in ("ORGANIZATION", "NRP")
            or not any(p.start < r.end and r.start < p.end for p in persons)] + persons


# column names of who does something, a person or a unit: an action table's "Owner"
OWNER_NAMES = frozenset(tuple(w.split()) for w in (
    "owner", "owners", "action owner", "responsible", "responsibility", "person responsible", "responsible person",
    "focal point", "focal person", "lead", "action by", "by whom", "who", "assigned to", "assignee",
    "responsable", "point focal", "responsables", "encargado", "encargada", "punto focal", "verantwortlich",
    "qui", "par qui", "quien", "quién", "wer",
    # who signed or checked (a person, a unit or a post): a register's or a form's
    "approved by", "checked by", "verified by", "prepared by", "submitted by", "ordonnateur", "rapporte par",
    "verifie par", "approuve par", "prepare par", "enregistre par", "soumis par", "verificado por",
    "registrado por", "aprobado por", "reportado por", "facilitator", "moderator",
    # who rode or travelled (a vehicle logbook's: several in a cell, "G. Rossi; ONZIMA Immaculate")
    "passengers", "passenger", "passenger names", "occupants", "passagers", "pasajeros", "passageiros"))
# the names of an owner's cell: between "/", "&", ";", "+", " and ", " et " (not " y " or " e ",
# which are inside Spanish and Portuguese names: "Ortega y Gasset", "Costa e Silva")
_OWNER_PART = re.compile(r"(?<![^\s/&;+])(?!(?:and|et)\s)[^\s/&;+](?:(?!\s+(?:and|et)\s)[^/&;+\n])*?"
                         r"(?=\s*(?:[/&;+\n]|\s(?:and|et)\s)|\s*$)")


def _owner_names(text: str, s: int, e: int) -> list:
    """[(part start, part end, name start, name end)] of the persons an owner's cell ``text[s:e]``
    names, several between "/", "&", ";", "+", " and ", " et " or on lines of their own
    ("Wycliffe Opiyo / Fadi Abu Zeid", "A. Santoso & J. Niyonsaba"), or between commas when
    each is a whole name ("DIJOUX Georges, Rahmatullah Hotak"; not "Otieno, Grace", one
    name); empty when some part is no person's name (``listed_person``; a title and a surname,
    ``titled_surname``, is one here: "Mr. Otieno / M. Faizi")."""
    if e - s > 160:
        return []
    out = []
    for m in _OWNER_PART.finditer(text[s:e]):
        a, b = s + m.start(), s + m.end()
        name = _owner_name(text[a:b])
        if name is not None:
            out.append((a, b, a + name[0], a + name[1]))
            continue
        pieces = [(a + p.start(), a + p.end()) for p in _COMMA_PIECE.finditer(text[a:b])]
        if len(pieces) < 2 or any(len(text[x:y].split()) < 2 for x, y in pieces):
            return []
        for x, y in pieces:
            name = _owner_name(text[x:y])
            if name is None:
                return []
            out.append((x, y, x + name[0], x + name[1]))
    return out


_COMMA_PIECE = re.compile(r"[^,\s][^,]*(?<=\S)")


def _owner_name(piece: str):
    """(start, end) of the person a piece of an owner's cell names, None: none."""
    if len(piece) > 80:
        return None
    return listed_person(piece) or ((0, len(piece)) if titled_surname(piece) else None)


def owner_column(name: Optional[str]) -> bool:
    return bool(name) and name_words(name) in OWNER_NAMES


# the words of a tax number's column ("Tax ID", "TIN", "numero fiscal", "VAT no"), and of a table of firms
_TAX_WORDS = frozenset("tax taxpayer tin fiscal ein vat nif".split())
_FIRM_TABLE_WORDS = frozenset("vendor vendors supplier suppliers fournisseur fournisseurs proveedor proveedores "
                              "fornecedor fornecedores company companies entreprise entreprises empresa empresas "
                              "merchant merchants firm firms".split())
# ... unless its name also says persons ("company_employees", "supplier_staff", "vendor_consultants")
_PERSONS_TABLE_WORDS = frozenset("employee employees staff personnel consultant consultants individual individuals "
                                 "contractor contractors worker workers person persons people member members "
                                 "salarie salaries empleado empleados funcionario funcionarios".split())


def _firms_tax_numbers(col: _Column, verdict: Verdict) -> Verdict:
    """``verdict`` without NATIONAL_ID for a tax number's column in a table named for firms
    ("vendors_register", "suppliers", "fournisseurs") and not for persons ("company_employees"):
    the firms' numbers, no one's national ID (a "Donors" sheet's, a "contractors" list's stay:
    individual donors and consultants as often). (A spreadsheet's table is its sheet's name.)"""
    table = set(_table_words(col.table or ""))
    if "NATIONAL_ID" not in verdict.positive or not _TAX_WORDS & set(name_words(col.name or "")) \
            or not _FIRM_TABLE_WORDS & table or _PERSONS_TABLE_WORDS & table:
        return verdict
    return dataclasses.replace(verdict, positive={e: s for e, s in verdict.positive.items() if e != "NATIONAL_ID"},
                               named=tuple(s for s in verdict.named if s.entity != "NATIONAL_ID"))


# the parts of a name a table may hold side by side, each under the name of its other part's
# column with one word changed ("member_first" beside "member_last"): the name it is judged by
_PAIRED_PARTS = {"first": ("last", "first name"), "last": ("first", "last name"), "given": ("family", "given name"),
                 "family": ("given", "family name"), "fname": ("lname", "first name"), "lname": ("fname", "last name")}


def name_parts(vocab: Vocabulary, named: list, names: list) -> dict:
    """The names the columns holding a name's parts are judged by: of ``named``, the (key, the
    key holding it or None, name words) of a table's columns, {key: "first name" | "last name" |
    ...} for a column named "<x> first" beside one named "<x> last" (the same x, under the same
    key), x naming a person or a person's name ("member_last,member_first": the one-word names
    in them are persons, as under "last_name,first_name"), or for "first" and "last" alone under
    a key so named ("name": {"given", "family"}) or, under none, in a table of a person's details
    or contacts (``_of_contacts`` of its column ``names``, judged only then). A team's, a
    product's, a route's first and last ("leader_first", "stop_last", "terminus": {"first",
    "last"}) are none."""
    parts = [(key, holder, words, _PAIRED_PARTS.get(words[-1])) for key, holder, words in named if words]
    if not any(part for *_, part in parts):
        return {}           # (most tables: no column ends with a name part's word)
    have = {(holder, words) for _, holder, words, _ in parts}
    out, personal = {}, None
    for key, holder, words, part in parts:
        if part is None or (holder, words[:-1] + (part[0],)) not in have:
            continue
        whose = words[:-1] or (name_words(holder) if holder else ())
        if not whose and personal is None:
            personal = _of_contacts(vocab, names)
        if _names_a_person(vocab, whose) if whose else personal:
            out[key] = part[1]
    return out


def _names_a_person(vocab: Vocabulary, words: tuple) -> bool:
    """Whether the words name a person or a person's name ("member": "member name"; "holder")."""
    name = " ".join(words)
    return words == ("name",) or vocab.is_name_column(name) or vocab.is_name_column(f"{name} name")


def paired_names(vocab: Vocabulary, columns: list, siblings=()) -> None:
    """``name_parts`` of a chunk's columns (``siblings``: the names of its table's other columns,
    a database column chunk's) as their names."""
    names = [c.name for c in columns if not c.parent] + list(siblings)
    parts = name_parts(vocab, [(i, c.parent, name_words(c.name)) for i, c in enumerate(columns) if c.name]
                       + [(None, None, name_words(n)) for n in siblings if n], names)
    for i, name in parts.items():
        if i is not None:
            columns[i].name = name


def paired_headers(vocab: Vocabulary, names) -> dict:
    """{header: the name it is judged by} of a table's column names (``name_parts``: a name part's
    column's; a header absent from it is judged by itself)."""
    names = [n for n in names if n]
    return name_parts(vocab, [(n, None, name_words(n)) for n in names], names)


def _of_contacts(vocab: Vocabulary, names: list) -> bool:
    """Whether a table's columns (by their names) hold a person's details (``personal_table``)
    or contacts (an e-mail address, a phone number: "first,last,email")."""
    return personal_table(vocab, names) or any({"EMAIL_ADDRESS", "PHONE_NUMBER"} & set(vocab.verdict(n).positive)
                                               for n in names if n)


def column_verdict(vocab: Vocabulary, col: _Column) -> Verdict:
    """What a column's name says, in its table. A JSON key that says nothing positive ("number",
    "value") takes the meaning of the key holding it when that one names an entity ("phones"),
    or when the two read as one name do ("card" and "number": a card number): the two are
    judged as one name. The key holding a generic name (``GENERIC_NAMES``) is its
    table as the file is (``"product": {"name": ...}``, ``"site": {"name": ...}``), unless the
    table holds a person's details (``personal_table``: a "Donors" sheet with a tax number
    column lists persons); other keys above add nothing (neither codes nor cancels)."""
    generic = generic_name(col.name)
    verdict = _firms_tax_numbers(col, vocab.verdict(col.name))
    if generic and col.parent and holder_role(col.parent):
        return verdict          # a contact's, an employee's name (``<contact nom="...">``): a person's, in any file
    if generic and not col.personal:        # (a "donors" table with a tax number column: the donors are persons)
        verdict = _in_table(verdict, table_verdict(vocab, col.table))
    if not col.parent:
        return verdict
    if not verdict.positive:
        joined = vocab.verdict(f"{col.parent}.{col.name}")
        if vocab.verdict(col.parent).positive:
            return joined           # (the key says whose it is: the file's name, "site.ini", says less)
        if joined.positive:
            return _in_table(joined, table_verdict(vocab, col.table)) if generic else joined
    return _in_table(verdict, vocab.verdict(col.parent)) if generic else verdict


def holder_verdict(vocab: Vocabulary, col: _Column) -> Verdict:
    """What the name of what holds a column says: the key holding it when that key names
    something or someone's role ("emergency_contact", "contact" above "name"), else its table (a database table, a file's
    name: "site.ini", "products.json")."""
    if col.parent:
        parent = vocab.verdict(col.parent)
        if parent.positive or holder_role(col.parent):
            return parent
    return table_verdict(vocab, col.table)


# the words a database's naming conventions put around what a table holds: its kind
# ("ref_villes", "tbl_countries", "lkp_currency", "dim_city", "countries_lookup", "t_pays")
_TABLE_AFFIXES = frozenset("ref refs reference referentiel referentiels tbl tbls tb tab table tables t lkp lk lu lookup "
                           "lookups dim dimension param params parametre parametres parametro parametros cat list "
                           "liste lista dict dictionary dictionnaire diccionario master mst mstr m d r v vw view mv "
                           "code codes".split())


def _table_words(table: str) -> tuple:
    """The words of a table's own name: a database table's, a file's stem after its folders
    ("hr/2024.vendors" gives "vendors")."""
    return name_words(re.split(r"[./]", table)[-1])


def table_verdict(vocab: Vocabulary, table: Optional[str]) -> Verdict:
    """What a table's name (a database table's, a file's stem) says, as ``Vocabulary.verdict``;
    when that lowers nothing for a person, what it says without its naming convention's words
    (``_TABLE_AFFIXES``) and a module's short prefix before them ("ref_villes", "rh_tbl_pays",
    "geo_cities_lookup": "villes", "pays", "cities", whose names are places')."""
    verdict = vocab.verdict(table)
    if not table or verdict.positive or "PERSON" in verdict.lowered:
        return verdict
    words = _table_words(table)
    start, end = 0, len(words)
    while end - start > 1 and words[end - 1] in _TABLE_AFFIXES:
        end -= 1
    if end > 1 and len(words[0]) <= 3 and words[0].isascii():
        start = 1           # (a module's: "rh", "geo", "hr", "app")
    while end - start > 1 and words[start] in _TABLE_AFFIXES:
        start += 1
    if (start, end) == (0, len(words)):
        return verdict
    bare = vocab.verdict(" ".join(words[start:end]))
    if bare.positive:
        return verdict
    return Verdict(verdict.positive, verdict.lowered | bare.lowered, verdict.named)


def _in_table(verdict: Verdict, table: Verdict) -> Verdict:
    """A generic column name (``GENERIC_NAMES``: ``name``, ``display name``; only those are
    passed here) means nothing in a table whose own name lowers its entity (``products.name``,
    ``devices.name``): the table says what it holds. A name that says whose it is keeps its
    meaning there (a vendors table's ``account_holder`` and ``contact_name`` are people)."""
    cancel = {e for e, (s, _) in verdict.positive.items() if s.exact and e in table.lowered}
    if not cancel:
        return verdict
    positive = {e: v for e, v in verdict.positive.items() if e not in cancel}
    return Verdict(positive, verdict.lowered | cancel, tuple(s for s in verdict.named if s.entity not in cancel))


PLACES_SHARE = 0.5         # of a column's cells the model reads as places, whole: a column of places
FEW_PERSONS = 0.1          # of a column's cells read as persons, whole: misread places in a column of places


def _places_column(shares: dict, holder: Verdict) -> bool:
    """Whether a column not named for people is one of places (countries, cities), in which a
    cell the model reads as a person, whole, is a place it misread ("Burkina Faso" among "Mali",
    "Niger"): half its cells or more are places (when places are looked for) and few persons; or,
    in a table named for places or bodies (``ref_pays``, ``organisations``), persons in less than
    half its cells (countries named like persons: "Chad", "Jordan") or places and bodies
    outnumbering them three to one. (A column of persons there, a site's manager, is read as
    persons in most of its cells.)"""
    person, place = shares.get("PERSON", 0.0), shares.get("LOCATION", 0.0)
    if not person:
        return False
    if place >= PLACES_SHARE and person < FEW_PERSONS:
        return True
    return "PERSON" in holder.lowered and (person < 0.5 or place + shares.get("ORGANIZATION", 0.0) >= 3 * person)


def _stray_category(entity: str, verdict: Verdict, shares: dict) -> bool:
    """In a column of categories: organisations and nationalities are products and groups, and
    a place the model sees in fewer than half of the values is a misreading ("Elderly").
    People are kept: a rare name typed into a status column is still a name."""
    if entity in verdict.positive:
        return False
    return entity in CATEGORY_NER or entity == "LOCATION" and shares.get(entity, 0.0) < 0.5


def categorical(text: str, cells: list) -> bool:
    """A column of a few repeated values (statuses, categories, products, departments). The
    cells that hold no value ("[redacted]", "N/A", "-": ``no_value``) are not counted: a
    column of names most of which are withheld is no column of categories."""
    if len(cells) < MIN_CATEGORICAL:
        return False
    # (each value told once, and read no further than a share of the cells: a column of names or
    # numbers, each its own, has more values than that among its first cells)
    most = CATEGORICAL_SHARE * len(cells)
    told: dict = {}             # a cell's text -> whether it holds a value
    distinct = values = 0
    for s, e in cells:
        cell = text[s:e]
        value = told.get(cell)
        if value is None:
            value = told[cell] = not no_value(cell)
            distinct += value
            if distinct > most:
                return False
        values += value
    return distinct <= CATEGORICAL_SHARE * values


# what a cell holds when it holds no value: a redaction's, a form's "none" (in brackets or not)
_NO_VALUES = frozenset(("", "n/a", "na", "n.a", "none", "null", "nil", "unknown", "redacted", "withheld", "removed",
                        "hidden", "masked", "anonymised", "anonymized", "not provided", "not available", "not known",
                        "not applicable", "not given", "tbd", "néant", "neant", "inconnu", "desconocido"))
_NO_VALUE_MARKS = " \t\r\"'[](){}<>*_-–—.#?"


def no_value(cell: str) -> bool:
    """Whether a cell holds no value: only marks ("-", "***"), or a placeholder's word
    ("[REDACTED]", "N/A", "(none)", "not provided")."""
    return cell.strip(_NO_VALUE_MARKS).casefold() in _NO_VALUES


def _shares(found: list, cells: int) -> dict:
    """entity -> share of the column's cells that are one (the match is the whole cell)."""
    if not cells:
        return {}
    seen: dict = {}
    for cell, r in found:
        if (r.start, r.end) == cell:
            seen.setdefault(r.entity_type, set()).add(cell)
    return {k: len(v) / cells for k, v in seen.items()}

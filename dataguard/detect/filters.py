"""Post-filters that keep well-known decoys out of Presidio's results, and overlap resolution."""
from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata

from dataguard.detect.entities import traits
from dataguard.detect.phone import FORMATTED_KEY, OPENING
from dataguard.types import Chunk, Match
from dataguard.vocab import TEST_VALUE, Reason

_NOT_DIGIT = re.compile(r"\D")

# result metadata key: the value is a cell of a column named like a name ("last_name")
NAME_COLUMN_KEY = "name_column"
# result metadata key: a rule pack's pattern found the name by its cue (a role word, title or label)
NAME_PATTERN_KEY = "name_pattern"
# result metadata key: what led to the result (a vocab.Reason; absent: the value)
REASON_KEY = "reason"
# result metadata key of an identifier a random number may pass (columns.NEED_CONTEXT): whether
# a context word of its recognizer is near it (or in the column name)
CONTEXT_KEY = "context_word"
# result metadata key of a result a context word raised, in a chunk whose external context (a
# table's header) holds one of its recognizer's words: the score before (0.0 when its
# recognizer needs a context word). In a table,
# a word of the header counts for its own column only ("date of birth" says nothing of the date
# in a "last updated" column): the column judge takes the raise back elsewhere.
CONTEXT_RAISE_KEY = "context_raise"
# result metadata key of a secret found after its key ("password_algorithm=..."): the key, which the
# column judge reads as it reads a column's name (a key that says it holds something else: none)
SECRET_KEY_KEY = "secret_key"
_EXAMPLE_DOMAINS = re.compile(r"(?:^|[@.])(?:example\.(?:com|org|net)|[^@]*\.(?:example|test|invalid|localhost)|"
                              r"localhost)$", re.I)
# titles of persons in English, French, German, Spanish, Italian and Dutch (no "Don" nor "Sig": also given names)
TITLE_WORDS = ("mr", "mrs", "ms", "miss", "dr", "prof", "mme", "mlle", "m", "sir", "madam", "dame", "madame", "monsieur",
               "mademoiselle", "herr", "frau", "hr", "fr", "dhr", "mevr", "sr", "sra", "srta", "señor", "señora",
               "señorita", "senor", "senora", "senorita", "doña", "sig.ra", "signor", "signora", "signorina", "dott",
               "dott.ssa", "dra", "lic", "licda", "lcdo", "lcda", "shri")
_TITLE_WORDS = "|".join(map(re.escape, TITLE_WORDS))
TITLES = re.compile(rf"(?:\b(?:{_TITLE_WORDS})\.?\s*|"
                    r"\b(?:name|nom|patient|employee|staff|applicant|beneficiary)\s*[:=]\s*)$", re.I)
# Letters of names for unanchored searches: Latin-1 and Latin Extended-A, -B and Additional (Šimková,
# Pędzik, Radosław, İmren, Nguyễn, Großmann), capitals and small letters apart (a run of one of them
# cannot start a match at every character: linear on hostile text)
_EXTENDED = [chr(c) for c in (*range(0x100, 0x250), *range(0x1E00, 0x1F00))]
UPPER = "A-ZÀ-ÖØ-Þ" + "".join(c for c in _EXTENDED if c.isupper() or c.istitle())
LOWER = "a-zß-öø-ÿ" + "".join(c for c in _EXTENDED if c.islower())
NAME_TOKEN = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ'’-]+(?:-[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ]?[a-zß-öø-ÿĀ-ɏḀ-ỿ'’]+)*$|^(?:al|el|de|da|do|dos|das|del|los|las|van|von|bin|bint|binti|ben|ibn|abu|ould|ag|le|la|du|di|der|den|ter|Al|El|De|Da|Van|Von|Bin|Ibn|Le|La|Du|Di|Ó|Ní|Nic|Ua|Uí)$|^[A-Z]\.$|^[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ]+-[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ]+$|^[A-Z]['’][A-Z][a-z]+$"
                        r"|^(?:al|el|ad|ar|as|ash|at|az|an|abd|abu|bin|ben|ibn)-[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ'’]+$"
                        # initials written together ("A.E.", French "J.-P."), a capital inside a surname
                        # ("MacDonald-Zhao", "DeLuca"; not Apple's "MacBook")
                        r"|^(?:[A-Z]\.){2,3}$|^[A-Z]\.-[A-Z]\.$"
                        r"|^(?:Mac(?!Book)|Mc|Fitz|De|Di|Da|Du|La|Le|Van)[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿĀ-ɏḀ-ỿ'’]+"
                        r"(?:-[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ]?[a-zß-öø-ÿĀ-ɏḀ-ỿ'’]+)*$")


# a form's or a table's labels and footers, written in a column of names as often as names are
# ("Total", "Notes", "Signature", "Approved by", "Observaciones", "Sous-total", "Unterschrift"): a cell
# holding one is no person (not "Page", "Stamp", "Blank", "Lu", "Suma": surnames and given names too;
# "Date" only first, ``_LABEL_FIRST``: "Date signed", not "Masamune Date")
FORM_LABEL_WORDS = frozenset(
    "total totals subtotal sub-total subtotals notes note remarks remark comments comment signature signatures "
    "signed approved approval dated balance amount average count prepared checked verified reviewed "
    "authorised authorized misc various other others tba "
    "sous-total soustotal montant remarques remarque observations observation commentaires commentaire "
    "approuvé approuve visa divers cachet aucun aucune somme récapitulatif recapitulatif "
    "notas observaciones observación observacion comentarios comentario firma firmado firmada aprobado aprobada "
    "fecha ninguno ninguna importe monto varios "
    "gesamt summe insgesamt bemerkungen bemerkung anmerkungen anmerkung unterschrift genehmigt datum keine "
    "betrag".split())
_LABEL_FIRST = frozenset(("date",))


def form_label(cell: str) -> bool:
    """Whether a cell is a form's or a table's label or footer (``FORM_LABEL_WORDS``: "Total",
    "Grand Total", "Approved by", "Observaciones"; "Date signed"), not a name."""
    words = [w.strip(".:,;()").lower() for w in cell.split()]
    return bool(words) and (words[0] in _LABEL_FIRST or any(w in FORM_LABEL_WORDS for w in words))


# words that make a cell a placeholder, a flag or a group, not a name ("NOT PROVIDED", "Yes",
# "Service Desk", "Auto Assign")
_NOT_A_NAME = frozenset("not no none nil null unknown known available applicable provided given withheld redacted "
                        "duty "
                        "anonymous anonymised anonymized confidential test sample name names tbd tbc pending vacant "
                        "anónimo anónima anonimo anonima anonyme inconnu inconnue desconocido desconocida "
                        "néant neant xxx nd ras décédé décédée decede decedee idem absent absente "
                        "file record records "
                        "yes true false oui non si sí y n ok na "
                        "team desk support service queue assign assigned unassigned auto installed missing "
                        "user users administrator admin sysadmin system guest nobody utilisateur usuario "
                        "inc ltd llc plc corp gmbh sarl "
                        "inconnu inconnue renseigne renseignee desconocido desconocida "
                        # an asset's holder when no one holds it
                        "shared spare pool loaner stock reserve reserved common compartido compartilhado partagé "
                        "partage".split()) | FORM_LABEL_WORDS



# placeholder words that are also names, written so beside another name ("Na Zhu", "ZHANG, Na", "Si Thu Aung")
_ALSO_GIVEN = frozenset(("Na", "Si"))

# placeholders in the scripts of ``script_name_shaped`` ("not known", "none", "yes", "no")
_NOT_A_NAME_SCRIPTS = frozenset("غير معروف معروفة متوفر متوفرة متاح يوجد لا نعم مجهول مجهولة بدون اسم تجربة اختبار "
                                "нет да неизвестно неизвестен неизвестна не указано указан имя тест аноним анонимно "
                                "отсутствует пусто пользователь администратор "
                                "无 無 未知 不详 不詳 不明 是 否 测试 測試 测试用户 測試用戶 匿名 未填写 未填寫 管理员 管理員 用户 用戶 "
                                "なし 未記入 テスト".split())


def script_name_shaped(cell: str) -> bool:
    """One to four words written as names are in a script other than Latin: Arabic, Hebrew, CJK,
    Indic and other scripts without capitals (their vowel signs and joiners inside words:
    "রুদ্র জাহান", "नरेश कुमार"), Cyrillic and Greek words capitalised ("Иван Петров",
    "أحمد محمود الخطيب", "王小明"; "ИВАН ПЕТРОВ" in a register's capitals); up to six with an
    Arabic name's particle ("نغم عبد الكريم بنو مهدي"); no placeholder ("غير معروف", "لا يوجد",
    "Нет", "测试用户": its first word or all its words ``_NOT_A_NAME_SCRIPTS``; "رضا معروف" is a name)."""
    tokens = cell.split()
    most = 6 if any(t in _ARABIC_NAME_PARTICLES for t in tokens[1:-1]) else 4
    if not 1 <= len(tokens) <= most or cell.isascii():
        return False
    if tokens[0].lower() in _NOT_A_NAME_SCRIPTS or all(t.lower() in _NOT_A_NAME_SCRIPTS for t in tokens):
        return False
    for t in tokens:
        if not t[0].isalpha() or not all(c.isalpha() or c in "-'’\u200c\u200d" or unicodedata.category(c) in ("Mn", "Mc")
                                         for c in t):
            return False
        bare = t.replace("ʼ", "").replace("'", "").replace("’", "")     # ("Марʼяна": no capital after the apostrophe)
        if _latin(t) or (any(c.isupper() or c.islower() for c in t) and not bare.istitle()
                         and not (t.isupper() and len(tokens) >= 2)):
            return False            # (a Latin word: name_shaped's; a cased script: capitalised, or a register's capitals)
    return True


# the particles inside Arabic names: son and daughter of, servant of, father and mother of, family of
_ARABIC_NAME_PARTICLES = frozenset("بن بنت ابن عبد أبو ابو بني بنو آل أم ام".split())


def _latin(word: str) -> bool:
    """A word in the Latin script, accents included ("Anónimo", "Traoré")."""
    return word.isascii() or all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in word)


# the particles of surnames ("van der Berg", "de la Cruz", "Da Silva", "bin Laden", "Abu Bakr")
_PARTICLES = frozenset("al el de da do dos das del della van von bin bint ben ibn abu ould ag le la du di der den "
                       "ter ten los las binti zu y e dei degli".split())


def _particled(words: list) -> bool:
    """A surname of particles and one name ("van der Berg", "De La Cruz"), written before a comma."""
    return 2 <= len(words) <= 4 and all(w.lower() in _PARTICLES for w in words[:-1]) \
        and words[-1].lower() not in _PARTICLES and NAME_TOKEN.match(words[-1]) is not None


def name_shaped(cell: str) -> bool:
    """One to four name-like words (particles between them not counted, six words at most): as
    names are written ("Amina Okafor", "de la Cruz"), or in a
    register's capitals ("AMINA OKAFOR": two words or more), the surname first before a comma
    ("OKAFOR, Amina", "Okafor, Amina": one surname word, or a surname in capitals, or of particles
    and one name: "van der Berg, Pieter"); none of
    them a placeholder's, a flag's or a group's ("NOT PROVIDED", "Yes", "Service Desk")."""
    surname, comma, given = cell.partition(",")
    if comma:
        before = surname.split()
        if not before or not given.strip() or "," in given or \
                len(before) > 1 and not surname.isupper() and not _particled(before) \
                and not _two_surnames(before, given):
            return False                # ("Amina Okafor, Kamil Holub, Li Na": names; "Acme, Inc" is refused below)
        if len(before) > 1 and not surname.isupper() and any(w.isupper() for w in given.split()):
            return False                # "Abu Dhabi, UAE": a place and its country
        tokens = before + given.split()
    else:
        tokens = cell.split()
    # (particles between them are not counted: "Maria Eduarda da Rocha Dias", "DA COSTA DA CRUZ, Thiago";
    # none in small letters ends a name, a one-letter one opens none: "Anna van", "E Commerce"; "Hai Le",
    # "Karan Das" end with surnames)
    if not 1 <= sum(t.lower() not in _PARTICLES for t in tokens) <= 4 or len(tokens) > 6 \
            or len(tokens) > 1 and (tokens[-1] in _PARTICLES
                                    or len(tokens[0]) == 1 and tokens[0].lower() in _PARTICLES) \
            or tokens[0].lower() in _LABEL_FIRST \
            or any(t.lower() in _NOT_A_NAME and not (len(tokens) >= 2 and t in _ALSO_GIVEN)
                   and not (0 < k < len(tokens) - 1 and t.lower() in _PARTICLES) for k, t in enumerate(tokens)):
        return False                # ("Y" of "CABALLERO Y DIEZ" between names is a particle, not a flag)
    # (a word in capitals that is an office's, an agency's or a marker's is no surname: "ICT Kakuma",
    # "UNHCR Nairobi", "HR Geneva"; a particle in capitals is one: "GUSTAVO DOS SANTOS", "CABALLERO Y DIEZ")
    return all(_name_word(t) or len(tokens) >= 2 and (t in _PARTICLES or _capitals(t) and t not in NOT_SURNAMES
                                                       or t.isupper() and t.lower() in _PARTICLES) for t in tokens)


# a surname's form with an apostrophe: "O'Connor", "d'Montalembert", "Dell'Acqua"
_APOSTROPHE_NAME = re.compile(r"(?:[A-Z]|[Dd]|[Dd]ell|[Dd]all)['’][A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][a-zß-öø-ÿĀ-ɏḀ-ỿ]+")


def _name_word(token: str) -> bool:
    """A word written as a name (``NAME_TOKEN``), or a compound of such words and particles joined by
    hyphens, or a surname with an apostrophe ("O'Connor-Ward", "Bianchi-Dell'Acqua", "Maas-de")."""
    if NAME_TOKEN.match(token) or _APOSTROPHE_NAME.fullmatch(token):
        return True
    parts = token.split("-")
    return len(parts) > 1 and token[:1].isupper() and all(
        p and (NAME_TOKEN.match(p) or _APOSTROPHE_NAME.fullmatch(p) or p.lower() in _PARTICLES) for p in parts)


def _two_surnames(before: list, given: str) -> bool:
    """A Spanish or Portuguese order: two surnames before the comma, one given name after
    ("Zamora Etxeberria, Íñigo"), or two when a particle marks the surnames ("da Rocha Ferreira,
    Pedro Rodrigo"; "Amina Okafor, Kamil Holub" is two persons)."""
    names = [w for w in before if w.lower() not in _PARTICLES]
    particle = len(names) < len(before)
    return len(names) == 2 and len(before) <= 4 and 1 <= len(given.split()) <= (2 if particle else 1) \
        and all(_name_word(w) or w.lower() in _PARTICLES for w in before)


_UNDECOMPOSED = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i", "þ": "th",
                               "ð": "d", "ħ": "h", "ŧ": "t"})


# stored password hashes: a form says what it is (bcrypt, argon2, PBKDF2, crypt, Django, Werkzeug, LDAP)
_HASHES = re.compile(
    r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|"                                   # bcrypt
    r"\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+|"  # argon2
    r"\$(?:1|5|6|apr1|md5|sha1|y|gy|7)\$(?:rounds=\d+\$)?(?:[./A-Za-z0-9+=,-]{1,64}\$)+[./A-Za-z0-9]{8,200}|"  # crypt family: salt$hash
    r"\$pbkdf2(?:-sha\d+)?\$\d+\$[./A-Za-z0-9+=]+\$[./A-Za-z0-9+=]+|"             # passlib PBKDF2
    r"(?:pbkdf2_sha\d+|argon2|bcrypt_sha256|bcrypt|scrypt|sha1|md5)\$[^\s]{20,300}|"  # Django
    r"(?:pbkdf2:sha\d+(?::\d+)?|scrypt:\d+:\d+:\d+)\$[^\s$]+\$[0-9a-f]{32,}|"       # Werkzeug
    r"\{(?:SSHA|SHA|SMD5|MD5|SSHA256|SSHA512)\}[A-Za-z0-9+/]{20,300}={0,2}|"                   # LDAP: base64
    r"\{(?:CRYPT|PBKDF2[-A-Z0-9]*|ARGON2)\}[^\s]{20,300}")
HASH_MARKS = ("$", "{")               # every _HASHES form holds one of them
_HEX_DIGEST = re.compile(r"(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})")
def password_hash(value: str, in_password_column: bool = False) -> bool:
    """A stored password hash (bcrypt, argon2, PBKDF2, crypt, Django/Werkzeug/LDAP forms); a bare
    hex digest counts only in a column named for passwords."""
    v = value.strip()
    return bool(_HASHES.fullmatch(v) or in_password_column and _HEX_DIGEST.fullmatch(v))


def hashes_in_text() -> str:
    """A regex of the hash forms of ``password_hash`` in running text: whole tokens, the forms
    of open length ending before a quote, bracket or separator ("'$2b$12$…');" in a SQL dump)."""
    stop = "'\"`,;)\\]}<>"
    body = _HASHES.pattern.replace(r"[^\s]", rf"[^\s{stop}]").replace(r"[^\s$]", rf"[^\s${stop}]")
    return rf"(?<![\w$./+-])(?:{body})(?![\w./$])"


# words of a post or a function, not of a person's name ("Country Director", "Deputy Representative",
# "Senior Protection Assistant")
POST_WORDS = frozenset("senior junior chief head deputy assistant associate acting principal regional country national "
                       "general executive programme program project team field analyst director manager officer "
                       "coordinator consultant specialist advisor adviser representative president secretary "
                       "minister supervisor lead engineer nurse doctor driver guard clerk intern volunteer "
                       "staff ambassador commissioner mayor governor coach keeper owner vice chair chairperson "
                       "delegate delegates rapporteur counsel partner scientist technician accountant controller "
                       "buyer agent developer architect auditor designer planner administrator".split())
# the posts a name found after its cue may not end with ("Present: Legal Counsel, Data Engineer"): those
# of ``POST_WORDS`` that are no one's surname as often ("Adam Driver", "Mary Head", "Tom Guard" are)
_POST_LAST = frozenset("analyst director manager officer coordinator consultant specialist advisor adviser "
                       "representative supervisor lead engineer counsel partner scientist technician accountant "
                       "controller agent developer architect auditor designer planner administrator assistant "
                       "associate rapporteur chairperson practitioner".split())
# the first words of a post ("Responsable RH", "Chief Financial Officer", "Teamleiter Vertrieb")
_POST_FIRST = frozenset("senior junior chief deputy acting principal head responsable responsables jefe jefa "
                        "directeur directrice teamleiter teamleiterin leiter leiterin abteilungsleiter "
                        "abteilungsleiterin".split())


# posts that end a post's name and are no one's surname ("Data Protection Officer"; not "Lead",
# "Partner", "Master", "Owner", "Agent", "Counsel": "Mia Lead", "Emma Master" are persons)
_POST_ONLY_LAST = _POST_LAST - frozenset("lead partner master owner agent counsel associate".split())


def post_shaped(cell: str) -> bool:
    """Whether a cell of two words or more names a post, not a person: it opens with a post's first
    word or ends with a post no one bears as a surname ("Responsable RH", "Nurse Practitioner",
    "Data Protection Officer"). A name written surname first is none ("Leiter, Hans", "HEAD
    Julia")."""
    written = cell.split()
    if len(written) < 2 or "," in cell or written[0].isupper() and not cell.isupper():
        return False
    words = [_folded(w).strip(".,") for w in written]
    return words[0] in _POST_FIRST or words[-1] in _POST_ONLY_LAST or tuple(words[-2:]) in _POST_PHRASES


# posts ending with a word that is a surname too ("Scrum Master", "Product Owner", "Team Lead")
_POST_PHRASES = frozenset(tuple(p.split()) for p in (
    "scrum master", "product owner", "process owner", "data owner", "risk owner", "system owner",
    "business partner", "team lead", "tech lead", "technical lead", "project lead", "legal counsel",
    "general counsel", "sales agent", "support agent", "service agent"))


# the labels of lines that list persons (a mail's recipients, minutes' attendance), a regex
# alternation: ``recognizers.ListedPersonsRecognizer`` reads them, no single name's label is one
LIST_LABELS = (r"to|cc|bcc|an|para|à|apologies|present|attendees|attendance|participants|absent|excused|"
               r"in attendance|also in attendance|also present|those present|members present|"
               r"distribution|présents|presents|excusés|absents|presentes|ausentes|asistentes|anwesend|entschuldigt")


def _folded(s: str) -> str:
    """Lower case, without accents, as addresses write names ("Łukasz Dvořák": "lukasz dvorak")."""
    if s.isascii():
        return s.lower()        # (nothing in ASCII decomposes, combines or is in _UNDECOMPOSED)
    s = "".join(c for c in unicodedata.normalize("NFKD", s.casefold()) if not unicodedata.combining(c))
    return s.translate(_UNDECOMPOSED)


# a firm's trade closing its name ("Ironbridge Manufacturing", "Orbis Telecom", "Pinecrest Realty", "Kestrel Air")
FIRM_TRADES = frozenset(
    "manufacturing software insurance payments retail foods realty telecom energy energia dental analytics "
    "maritime freight airlines airways air labs laboratories consultores consultants consultancy conseil "
    "stadtwerke pharma pharmaceuticals technologies chemicals textiles shipping capital investments health "
    "healthcare biotech networks robotics mining medical semiconductor semiconductors dynamics packaging aviation "
    "outdoor electronics automotive beverages hospitality ventures studios water solutions consulting logistics "
    "systems motors media".split())
# words of a mailbox or a cell that are no person's ("Kenya Office", "Finance Unit", "Acme Logistics",
# "Facebook Security", "Head Office", "Web Portal"; not "hall", a surname as often: "Emma Hall", while
# "Town Hall" and "City Hall" have another word here)
ORG_WORDS = frozenset(
    "office offices unit section division department dept branch bureau secretariat registry helpdesk admin "
    "administration info information contact contacts hr finance procurement logistics programme program project "
    "committee group center centre cluster mission agency foundation association company bank hospital clinic "
    "school university ministry embassy services systems solutions consulting partners newsletter noreply "
    "no-reply reply mailer direction equipe équipe servicio oficina security notifications notification calendar "
    "international music mail news media video communications resources staff assistant portal venue room "
    "town city kit set lamp web virtual cloud temp former account accounts billing payroll sales marketing "
    "careers jobs alerts updates digest bot robot enterprise enterprises trading traders supplies supply "
    # service accounts ("Backup Agent", "Kobo Sync", "Payroll Batch"), desks ("Dakar Reception")
    "agent backup sync batch daemon scheduler scanner monitor monitoring gateway relay svc reception accueil "
    "construction catering printing motors industries holdings corporation transport "
    # humanitarian and public bodies ("Mercy Corps", "Norwegian Refugee Council", "World Vision");
    # not the words that are given names or surnames too (Charity, Hope, Cross, Hunger, Care)
    "council corps rescue alliance federation crescent fund institute network initiative children "
    "partnership coalition consortium commission authority board refugee refugees humanitarian world "
    "falls "
    # a unit's or a function's ("Fleet Management", "Internal Audit", "Quality Assurance", "Site Reliability")
    "management audit control assurance engineering operations hotel authorities government maintenance "
    "planning monitoring evaluation reliability advisory build release quality store teams "
    # a firm's desk ("Grand Comptes", "Customer Care", "Cuentas Clave")
    "comptes cuentas contas clientes customers customer receivable payable "
    # a hospital's departments ("Internal Medicine", "Paediatric Surgery"; not "Ward": a surname)
    "medicine surgery paediatrics pediatrics paediatric pediatric gynaecology gynecology obstetrics cardiology "
    "radiology oncology psychiatry maternity outpatient outpatients inpatient pharmacy laboratory nursing "
    "physiotherapy dermatology neurology urology orthopaedics orthopedics ophthalmology dentistry triage".split()) | FIRM_TRADES
# a firm's legal form closing its name ("Nordlys Retail AS", "Tandem Software BV", "Redfern Legal LLP"),
# as written (not "Sá", a surname, in "Maria de Sá")
LEGAL_FORMS = frozenset("AG AS ASA A/S ApS AB BV B.V. NV N.V. KK LLP LLC Ltd Ltd. LTD Inc Inc. INC PLC plc Co Co. "
                        "Corp Corp. GmbH SA S.A. SAS SARL SpA Srl SRL SL S.L. SLU Ltda KG OHG Oy Oyj Pty Pvt Pte "
                        "Bhd Lda LDA Sp Sp. SE s.r.o. a.s. Kft Zrt d.o.o. S.p.A. S.r.l. SpA. S.A.S. S.L.U. "
                        "S.A.R.L. Pvt. Pte. Ltda. SARL. A.G. K.K.".split())
# a body's words that are given names too (Vision, Relief, Society in Zimbabwe and Kenya; "aid"
# is Aïd folded): an organisation's after the first word only ("Kenya Red Cross Society")
ORG_LATER_WORDS = frozenset("society relief vision aid".split())
_LETTERS = re.compile(r"[^\W\d_]+")


def _spelled(token: str, words: list, pieces: int = 3):
    """How a piece of an address's local part spells the name: [(word index, whole)] for one to
    ``pieces`` parts, each a whole word, a word's initial, or (last) a word's first three letters
    or more ("pmalhotra", "kamilholub", "priyam", "alex"); None when it does not."""
    if not token:
        return []
    if pieces == 0:
        return None
    for i, w in enumerate(words):
        if token.startswith(w):
            rest = _spelled(token[len(w):], words, pieces - 1)
            if rest is not None:
                return [(i, True)] + rest
    for i, w in enumerate(words):
        if len(token) >= 3 and w.startswith(token):
            return [(i, True)]
    for i, w in enumerate(words):
        if token[0] == w[:1]:
            rest = _spelled(token[1:], words, pieces - 1)
            if rest is not None:
                return [(i, False)] + rest
    return None


def person_shaped(cell: str) -> bool:
    """Name-shaped, and no word of an organisation, a team or a thing (``ORG_WORDS``: "Head
    Office", "Web Portal", "Solar Lamp"; ``ORG_LATER_WORDS`` after the first word), no firm's
    legal form at its end (``LEGAL_FORMS``: "Nordlys Retail AS")."""
    return name_shaped(cell) and not org_worded(cell)


def org_worded(cell: str) -> bool:
    """Whether a cell holds an organisation's, a team's or a thing's word (``ORG_WORDS``;
    ``ORG_LATER_WORDS`` after the first word) or ends with a firm's legal form."""
    written = cell.replace(",", " ").split()
    words = [_folded(w) for w in written]
    return any(w in ORG_WORDS for w in words) or any(w in ORG_LATER_WORDS for w in words[1:]) \
        or firm_ending(written)


# a firm's ending in any case ("ACME LTDA", "Kestrel Limited"): no one's surname (those of the wider
# ``_FIRM_LAST``, which model persons in capitals are judged by, that no surname or particle reads as)
_FIRM_ENDINGS = frozenset("ltd ltda llc inc corp plc llp lp gmbh limited holding holdings".split())


def firm_ending(words: list) -> bool:
    """Whether the words of a name end as a firm's do: an unambiguous ending ("Ltd", "LIMITED"), or a
    legal form as written ("Calnex Lda"), after two names or more when it is a surname too ("Nordlys
    Retail AS"; not "Jean Co", "JOAO DE SA")."""
    if len(words) < 2:
        return False
    last = words[-1].strip(".,").lower()
    names = [w for w in words[:-1] if w.lower() not in _PARTICLES]
    return last in _FIRM_ENDINGS or \
        words[-1] in LEGAL_FORMS and len(names) >= (2 if words[-1] in _SURNAME_FORMS else 1)


# legal forms that are surnames or particles too ("Jean Co", "JOAO DE SA"): a firm's after two names
_SURNAME_FORMS = frozenset("Co Co. SA S.A. AS AB SE".split())


def org_word(word: str) -> bool:
    """Whether a word is one of an organisation, a team or a thing (``ORG_WORDS``, any case)."""
    return _folded(word) in ORG_WORDS


def unit_shaped(cell: str) -> bool:
    """Whether a name-shaped cell opens with an office's, a desk's or a unit's word
    (``_INSTITUTION_FIRST``: "Direction Pays", "Helpdesk Dakar", "Finance Team"): a unit's name,
    even in a people's column. Not the wider ``ORG_WORDS``, some of which are surnames written
    first ("HALL Niamh"), nor such a word later ("Emma Hall")."""
    words = cell.replace(",", " ").split()
    return bool(words) and words[0].lower() in _INSTITUTION_FIRST


_LEADING_TITLE = re.compile(rf"(?i)(?:{_TITLE_WORDS})\.?\s+(?=\S)")


def listed_person(cell: str):
    """(start, end) of the name in a cell of a list of persons' names, None when the cell is
    none: ``person_shaped`` after a title ("Mr. Nyambura Mulder-van Dijk" gives "Nyambura
    Mulder-van Dijk"), the particles of a long name set aside ("Jeroen de Boer-van den Berg":
    five words, three names); two name words at least (one word alone is a login or a role as
    often)."""
    title = _LEADING_TITLE.match(cell)
    start = title.end() if title else 0
    name = cell[start:]
    words = name.replace(",", " ").split()
    core = [w for w in words if w.lower() not in _PARTICLES]
    if not 2 <= len(core) <= 4 or len(words) > 7:
        return None
    if not person_shaped(name) and (len(words) <= 4 or "," in name or not person_shaped(" ".join(core))):
        return None
    return start, len(cell)


def titled_surname(cell: str) -> bool:
    """A title and one name word ("Mr. Otieno", "Dr Haidari"; "M. Faizi", Monsieur or an
    initial): a person named, though not written as a list of full names is (``listed_person``)."""
    title = _LEADING_TITLE.match(cell)
    name = cell[title.end():] if title else ""
    return bool(title) and len(name.split()) == 1 and (person_shaped(name) or person_shaped(cell))


def mailbox_person(name: str, local: str) -> bool:
    """A name given with an e-mail address that is a person's: name-shaped, two words or more,
    none an organisation's or a team's (``ORG_WORDS``), and the address's local part spelled
    from the name's words, whole or by their initials, one whole word at least, the given name
    (the first word; after the comma of "Surname, Given") used ("p.malhotra" for "Priya
    Malhotra", "aortega" for "Alejandro Ortega", "choi.seoyeon" for "Choi, Seo-yeon"); the given
    name alone only with digits after it ("javier84" for "ESPOSITO, Javier": a personal
    mailbox; "mercy@" for "Mercy Corps" is a firm's). Not "security@" for "Facebook Security",
    not "kh1985@" for "Kamil Holub"."""
    surname, comma, given = name.partition(",")
    ordered = f"{given} {surname}" if comma and given.strip() else name
    # (hyphens and apostrophes are not written in addresses: "Seo-yeon" is "seoyeon")
    words = [_folded(w).replace("-", "").replace("'", "").replace("’", "") for w in ordered.split()]
    if not 2 <= len(words) <= 6:
        return False            # (six words at most, as ``name_shaped`` says)
    folded = _folded(local).partition("+")[0]      # (a tag after '+' is no part of the name: "ngoy+hr")
    spelled = []
    for token in _LETTERS.findall(folded):
        parts = _spelled(token, words)
        if parts is None:
            return False
        spelled += parts
    if len(spelled) == 1:
        spells = spelled[0] == (0, True) and _GIVEN_AND_DIGITS.fullmatch(folded) is not None
    else:
        spells = len(spelled) >= 2 and any(whole for _, whole in spelled) and any(i == 0 for i, _ in spelled)
    return spells and person_shaped(name)       # (spelled first: most fields of a row are not its address's)


_GIVEN_AND_DIGITS = re.compile(r"[^\W\d_]{3,}[._-]?\d{1,4}")


def surname_first(cell: str) -> bool:
    """A register's "SURNAME, Given" ("SALAZAR, Fernando", "DE LA CRUZ, Maria")."""
    surname, comma, _ = cell.partition(",")
    return bool(comma) and surname.isupper() and name_shaped(cell)


# words in capitals before or after a capitalised name that are no surname: log levels, mail and
# memo markers, greetings' addressees, titles of posts, organisations' acronyms
NOT_SURNAMES = frozenset(
    "ERROR ERR WARN WARNING INFO DEBUG TRACE FATAL CRITICAL NOTICE ALERT AUDIT OK FAIL FAILED SUCCESS "
    "ALL TEAM STAFF SIR MADAM COLLEAGUES PENDING ACTIVE INACTIVE APPROVED REJECTED DENIED REFUSED CLOSED OPEN "
    "DONE ENABLED DISABLED BLOCKED ALLOWED TIMEOUT UNKNOWN NULL NONE TRUE FALSE YES "
    "CC BCC FYI ATTN NOTE NB PS RE FW FWD TO FROM SUBJECT URGENT IMPORTANT CONFIDENTIAL DRAFT REF ID NO "
    "HR IT ICT CEO CFO CTO COO CIO DG SG ASG USG DSG HQ FO CO RC HC SRSG DSRSG PM QA DEV OPS ADMIN "
    "UN UNHCR OCHA WFP UNICEF WHO UNDP UNFPA IOM ILO UNOPS UNEP OHCHR FAO UNESCO UNAIDS UNRWA UNMISS "
    "MONUSCO MINUSMA DPKO DPPA DOS DMSPC OICT NGO INGO EU AU USA UK US "
    # an asset's or a post's state where its holder's name would stand
    "SPARE STOCK POOL LOANER UNASSIGNED VACANT SHARED WAREHOUSE STORE DISPOSED REPAIR RETIRED LOST STOLEN "
    "RESERVED TBD TBA NA DHCP "
    # sectors, clusters and bodies written where a holder's name would be
    "WASH CCCM GBV SGBV NFI NFIS MHPSS PSEA CFM CASH FSL SHELTER HEALTH NUTRITION PROTECTION EDUCATION "
    "LOGISTICS OXFAM NRC IRC DRC MSF ACF CARE ICRC IFRC UNDSS UNHAS UNDAC".split())


def surname_in_capitals(value: str) -> bool:
    """A name written with its surname first in capitals, no comma ("OWUSU Kwame", "SANDOVAL
    MENDOZA Tomás", "AL-MASRI Samir"): one to three capital words, then one to three name words."""
    tokens = value.split()
    k = 0
    while k < len(tokens) and k < 3 and _capitals(tokens[k]) and tokens[k] not in NOT_SURNAMES:
        k += 1
    rest = tokens[k:]
    return k >= 1 and 1 <= len(rest) <= 3 and all(NAME_TOKEN.match(t) and not t.isupper() for t in rest) \
        and not any(t in NOT_SURNAMES for t in rest)


def surname_last_in_capitals(value: str) -> bool:
    """A given name, then the surname in capitals ("Sander KUIPERS", "Fernando FERNÁNDEZ HERRERA",
    "Njeri N. MWANGI", "Youssef MANSOUR AL-RASHID"), as French and UN usage writes it: one to
    three name words (initials too), then one to three capital words that are no acronym of
    ``NOT_SURNAMES``."""
    tokens = value.split()
    k = 0
    while k < len(tokens) and k < 3 and NAME_TOKEN.match(tokens[k]) and not tokens[k].isupper() \
            and tokens[k] not in NOT_SURNAMES:
        k += 1
    rest = tokens[k:]
    # (a capitalised word right before the capitals, and a lone one of three letters at least:
    # "Zugriff von IP", "Login via VPN" are no names)
    return k >= 1 and not tokens[0].endswith(".") and tokens[k - 1][:1].isupper() and 1 <= len(rest) <= 3 \
        and all(len(t) > 1 and _capitals(t) and t not in NOT_SURNAMES for t in rest) \
        and (len(rest) > 1 or len(rest[0].replace("-", "")) > 2)


def _capitals(token: str) -> bool:
    """A name word written in capitals ("OKAFOR", "O'BRIEN", "BEAUCHÊNE", "DE", "COX-O'CONNOR")."""
    return token.isupper() and _name_word(token.title())


# words of a phrase typed in lower case in a column of names, not of a name ("same as above", "refused to answer";
# a placeholder's, "néant", "unknown", name_shaped refuses: ``_NOT_A_NAME``)
_PHRASE_WORDS = frozenset("a an and as at above below by for in of on or see same the to with refused refuse "
                          "declined answer yet voir ci dessus pas par pour avec sans et ou un une des refus ver "
                          "arriba igual sin con o en attente sous tutelle hors délai delai chef ménage menage mère "
                          "mere père pere".split())


def lower_case_name(cell: str) -> bool:
    """A name typed in lower case ("bénédicte tshisola", "jean-pierre kalala"): name-shaped once
    capitalised, its words letters (a hyphen or an apostrophe inside), none a phrase's."""
    words = cell.split()
    return cell.islower() and all(w.replace("-", "").replace("'", "").isalpha() and w not in _PHRASE_WORDS
                                  for w in words) \
        and name_shaped(" ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in words))


def lone_surname(cell: str) -> bool:
    """A surname alone in capitals, as a register's surname column holds it ("MBIDA",
    "MAÏGA-TOURÉ"; not a status or a marker: "PENDING", "N/A")."""
    token = cell.strip()
    return " " not in token and _capitals(token) and token not in NOT_SURNAMES and token.lower() not in _NOT_A_NAME


def surnames_in_capitals(cell: str) -> bool:
    """One to three surnames in capitals, particles between them ("VILANOVA LLEDÓ", "DA
    CONCEIÇÃO CIRINO"), as a register's surname column holds them."""
    words = cell.split()
    return 1 <= len(words) <= 4 and lone_surname(words[-1]) \
        and all(lone_surname(w) or w.lower() in _PARTICLES for w in words[:-1]) \
        and sum(w.lower() not in _PARTICLES for w in words) <= 3


def postprocess(chunk: Chunk, results, score_floor: float, entities: frozenset) -> list:
    """Presidio results -> dataguard Matches: in the keep window, plausible, above the floors,
    the best score per (entity, span), overlaps resolved; then one ``vocab.TEST_VALUE`` match
    per test value (``is_test_value``) found, to be counted and never reported."""
    text = chunk.text
    best, test_values = {}, {}
    # a number written as phone numbers are ("404-588-7296") that passes an NHS check digit by
    # chance, one time in eleven, is a phone number unless an NHS context word is near
    phones = {(r.start, r.end) for r in results
              if r.entity_type == "PHONE_NUMBER" and (r.recognition_metadata or {}).get(FORMATTED_KEY)}
    ssns = _labelled_ssns(text, results)
    for r in results:
        if not chunk.keeps(r.start):
            continue
        if phones and (r.start, r.end) in phones and (r.recognition_metadata or {}).get(CONTEXT_KEY) is False:
            continue
        if ssns and r.entity_type == "PHONE_NUMBER" and (r.start, r.end) in ssns:
            continue
        start, end = r.start, r.end
        entity = r.entity_type
        if entity == "PERSON":
            if not ((r.recognition_metadata or {}).get(NAME_COLUMN_KEY) and lower_case_name(text[start:end])):
                start, end = person_span(text, start, end)      # (a name typed in lower case in a column of names: whole)
        elif entity == "EMAIL_ADDRESS":
            start = strip_key(text, start, end)
        value = text[start:end]
        if entity == "US_SSN" and value[:1] == "9":
            entity = _ssn_area_9(value, entities)
            if entity is None:
                continue
        meta = r.recognition_metadata or {}
        rec = meta.get("recognizer_name", "")
        if meta.get(NAME_PATTERN_KEY) and entity == "PERSON":
            if not _cued_name(value) or _CODE_GOES_ON.match(text, end):
                continue        # (or a code's letters: "DF" of "Shipment DF657660438FR", "RE" of "Invoice RE-2385")
        elif not plausible(entity, value, text, start, end, meta.get(NAME_COLUMN_KEY, False),
                           bool(meta.get(FORMATTED_KEY)), meta.get(REASON_KEY) in (Reason.COLUMN_NAME, Reason.BOTH)):
            continue
        if is_test_value(entity, value, meta.get(REASON_KEY, Reason.VALUE)):
            test_values[(start, end)] = Match(TEST_VALUE, start, end, 1.0, rec)
            continue
        score = float(min(1.0, r.score))
        if score < max(score_floor, traits(entity).min_score):
            continue
        kinds = [entity]
        if entity == "CLASSIFICATION_STRICTLY_CONFIDENTIAL" and "CLASSIFICATION_MARKING" in entities:
            kinds.append("CLASSIFICATION_MARKING")
        for kind in kinds:
            key = (kind, start, end)
            if key not in best or best[key].score < score:
                best[key] = Match(kind, start, end, score, rec, meta.get(REASON_KEY, Reason.VALUE))
    return resolve_overlaps(list(best.values())) + sorted(test_values.values(), key=lambda m: m.start)



# an SSN's label right before its value ("SSN 059 07 0698", "social security no.: 536-22-8041")
_SSN_LABEL = re.compile(r"(?i)(?<![\w-])(?:ssn|social[ \t]+security(?:[ \t]+(?:number|no\.?|num\.?|#))?)"
                        r"[ \t]*[:#=.]?[ \t]*\Z")


def _labelled_ssns(text: str, results) -> set:
    """The spans of the SSNs written right after an SSN's label: a phone number read there too
    ("US caller gave SSN 059 07 0698": "caller" made it a phone number scoring above the SSN) is
    the SSN's (as a phone number that passes an NHS check is a phone number without an NHS word)."""
    return {(r.start, r.end) for r in results if r.entity_type == "US_SSN"
            and _SSN_LABEL.search(text, max(0, r.start - 32), r.start) is not None}


# what follows the letters of a code, not a name's end: digits, at once or after a hyphen
_CODE_GOES_ON = re.compile(r"-?[0-9]")


def _ssn_area_9(value: str, entities: frozenset):
    """An "SSN" of the areas 900-999, which the SSA never issues: an ITIN when its group is an
    ITIN's (50-65, 70-88, 90-92, 94-99; reported as one when ``US_ITIN`` is asked for), else
    nothing (None)."""
    digits = _NOT_DIGIT.sub("", value)
    group = int(digits[3:5]) if len(digits) == 9 else 0
    if not (50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99):
        return None
    return "US_ITIN" if "US_ITIN" in entities else "US_SSN"


def _host(entity: str, value: str) -> str:
    host = value.rsplit("@", 1)[-1] if entity == "EMAIL_ADDRESS" else re.sub(r"^[a-z]+://", "", value, flags=re.I).split("/")[0]
    return host.split(":")[0].lower().rstrip(".")


def is_test_value(entity: str, value: str, reason: str = Reason.VALUE) -> bool:
    """A value in a form reserved for documentation and tests: an address or URL at an
    example domain (RFC 2606: example.org, .test, .invalid, ...), or an AWS ...EXAMPLE key
    found by its form alone (in a column named for AWS keys it is reported)."""
    if entity in ("EMAIL_ADDRESS", "URL"):
        return bool(_EXAMPLE_DOMAINS.search(_host(entity, value)))
    return entity == "SECRET_AWS_KEY" and reason == Reason.VALUE and "EXAMPLE" in value.upper()


_LABEL_WORDS = {"IBAN", "SSN", "NHS", "NINO", "PIN", "DOB", "ID", "IP", "URL", "PAN", "ICD", "UUID", "API", "AWS",
                "SWIFT", "BIC", "TIN", "VAT", "IMEI", "MAC", "JWT", "PEM", "RSA", "SQL", "CSV", "PDF", "HTTP", "HTTPS"}
# a title, or the word of a person's role a register writes before the name ("Beneficiary Amparo
# Cuervo (SSN ...)", "Patient: Juan Pérez", "Kontoinhaber Samira Zimmermann", "a nombre de Sra. Ana
# Ruiz"), which the NER model often takes into the name
_ROLE_WORDS = (r"beneficiary|patient|applicant|client|claimant|refugee|asylum[- ]seeker|employee|staff member|"
               r"contact|witness|survivor|caregiver|interviewee|recipient|customer|tenant|student|"
               r"(?:account|card) ?holder|"
               r"bénéficiaire|patiente|demandeu(?:r|se)|employée?|réfugiée?|requérante?|titulaire|destinataire|"
               r"beneficiari[oa]|paciente|solicitante|emplead[oa]|titular|destinatari[oa]|remitente|cliente|"
               r"persona de contacto|intestatari[oa]|titolare|richiedente|mittente|referente|"
               r"(?:konto|karten)?inhaber(?:in)?|kund(?:e|in)|empfänger(?:in)?|absender(?:in)?|antragsteller(?:in)?|"
               r"ansprechpartner(?:in)?|mitarbeiter(?:in)?|patientin|rekeninghouder|"
               # kin a case note names before the person ("Mother Grace Achieng"; not "Son": a given name)
               r"mother|father|sister|brother|aunt|uncle|daughter|wife|husband|spouse|guardian|grandmother|"
               r"grandfather|mère|père|tante|oncle|fille|épouse|époux|tutrice|tuteur|madre|padre|hermana|hermano|"
               r"tía|tío|hija|hijo|esposa|esposo|abuela|abuelo")
_PERSON_TITLE = re.compile(r"(?i)(?:(?:de|du|des|of|to|for|by|with|from|par|pour|chez|avec|dear|au nom de|"
                           r"a nombre de|estimad[oa]|sehr geehrte[rs]?|liebe[rs]?|cher|chère|gentile)\s+)?"
                           rf"(?:(?:{_TITLE_WORDS})\.?|(?:{_ROLE_WORDS}):?)\s+(?=\S)")
# the label of a person before a colon ("Personne à contacter :", "Referente:", "Contactpersoon:")
PERSON_LABEL = re.compile(rf"(?i)contact(?:er|o|s)?|contatto|contactpersoon|ansprechpartner(?:in)?|referente|"
                          rf"responsable|name|nom|nombre|nome|attn|from|{_ROLE_WORDS}")
_TITLE_ONLY = re.compile(rf"(?i)(?:dear\s+)?(?:{_TITLE_WORDS})\.?")
_TITLE_REACH = 40        # how far past the model's span a title's name may lie ("Kontoinhaber Sra. Baraka Ndungu")
# the name after a title: capitalised words, words in capitals, initials and particles, on one line
_NAME_WORD = (rf"(?:[{UPPER}]['’])?[{UPPER}][{LOWER}'’]+(?:-[{UPPER}]?[{LOWER}'’]+)*(?![\w-]|['’]\w)|"
              rf"[{UPPER}]{{2,}}(?:-[{UPPER}]{{2,}})*(?![\w-]|['’]\w)|[{UPPER}]\.")
_NAME_RUN = re.compile(rf"(?:{_NAME_WORD})(?:[ ](?:{_NAME_WORD}|(?:al|el|de|da|dos|das|del|van|von|bin|ben|ibn|du|di|"
                       rf"der|den|ter|le|la)(?![\w-]|['’]\w))){{0,5}}")
# words in small letters (particles too) or an article that end what the model read, not a name
# ("Persona de", "Zugriff von", "Mwangi F. Wafula depuis le", "García Le" of "García Le virement")
_TRAILING_SMALL = re.compile(rf"(?:[ \t]+[{LOWER}][{LOWER}'’-]*)+$")
_TRAILING_ARTICLE = re.compile(r"[ \t]+(?:Le|La|Les|El|Los|Las|De|Del|Di|Du|Da|Van|Von|Der|Die|Das)$")
_RUN_NAMES = 3           # name words (not initials nor particles) read on after a title
_TRIM_REACH = 80         # the end of a span a trailing word is looked for in (a person is 60 characters at most)
_LOWER_WORD_NEXT = re.compile(rf"[ \t]+[{LOWER}]")
# words in small letters the model read into a name before its given name and surname ("nom de
# Oliver Bergmann" of "au nom de Oliver Bergmann", "de Eleanor Blackwood"; not "van der Berg")
_LOWER_LEAD = re.compile(rf"(?:[{LOWER}][{LOWER}'’]*[ \t]+){{1,3}}(?=[{UPPER}][{LOWER}'’-]+[ \t]+"
                         rf"(?:[{UPPER}]|(?:{'|'.join(sorted(_PARTICLES))})[ \t]+[{UPPER}{LOWER}]))")
# a letter's greeting the model read into the name after it ("Dear Alexandria", "Hola Ana Ruiz"; not
# "Cara", "Beste": given names and surnames too)
_GREETING = (r"(?i:dear|dearest|hello|hi|hola|bonjour|bonsoir|cher|ch[èe]re|estimad[oa]|querid[oa]|liebe[rs]?|"
             r"gentile)")
_GREETING_LEAD = re.compile(rf"{_GREETING}[ \t]+(?=[{UPPER}])")
# a greeting right before a lone given name ("Dear Alexandria,"), and the groups a letter greets
_GREETING_BEFORE = re.compile(rf"(?<!\w){_GREETING}[ \t]+$")
_GREETED_GROUPS = frozenset("all colleagues colleague team teams friends friend everyone everybody partners members "
                            "sirs madam madams tous toutes collègues amis todos todas colegas amigos equipo équipe "
                            "world folks".split())
# a possessive ends a name ("Khalil Haddad's Social Security Number")
_POSSESSIVE = re.compile(r"['’]s\b")
# articles and determiners that begin a phrase, not a name ("The Manager", "Die Abrechnung", "Los Datos")
# ("An", "Les", "Una", "Das": also given names or surnames)
_NOT_FIRST = frozenset("the a this that these those our your their his die der ein eine einen einem einer "
                       "los las il gli un unos unas une ihre ihr ihren ihrem ihrer unser unsere meine vielen "
                       "herzliche freundliche".split())
# words of a letter's courtesies and of office paperwork in German, capitalised as every noun there
# and read by the English model as names ("Beste Grüße", "Vielen Dank", "Erstattung Reisekosten"),
# a title or a number's label at a span's end ("La Sra", "Rechnung Nr"), and posts that end an
# office's name, not a person's ("Cash-Based Interventions Officer")
_NOT_IN_A_NAME = frozenset("grüße grüsse grüßen grüssen gruß gruss dank unterstützung erstattung reisekosten "
                           "rechnung rechnungen konto betreff anlage anlagen unterlagen antrag anträge termin "
                           "vorbereitung vorlage originalbelege belege überweisung bescheinigung abrechnung "
                           "auszahlung zahlung genehmigung vertrag verträge mitteilung sitzung protokoll "
                           "associate office "
                           # posts in Spanish and Portuguese ("Oficial de Terreno", "Assistente de Campo"),
                           # Indonesian and German words the English model reads as names ("Staf Lapangan")
                           "asistente assistente oficial jefe jefa chefe coordinador coordinadora coordenador "
                           "coordenadora directora diretor diretora técnico tecnico técnica tecnica gerente "
                           "encargado encargada staf pengungsi dinas kepala bereich mehrere base "
                           # a project's or an operation's name ("Project Nadhafa", "Proyecto Puentes")
                           "project projet proyecto projeto operation opération operación operacao "
                           # a document's or a parcel's number ("Invoice RE-23852474", "Shipment DF657660438FR")
                           "invoice shipment ticket order".split())
_NOT_AFTER_A_NAME = _NOT_IN_A_NAME | frozenset("iban nr sra srta officer officers assistant coordinator "
                                               "specialist cluster unit section division department committee "
                                               "secretariat team desk clerk bank bankası banco banque foundation "
                                               "fundação fundacao fundación fundacion library project trading "
                                               "petroleum cruiser pajero meraki wi-fi wifi "
                                               # bodies named with these after their first word ("Concern
                                               # Worldwide", "Solidarités International", "Cruz Roja
                                               # Colombiana", "Consejo Noruego", "Médecins Sans Frontières")
                                               "worldwide international internacional internationale roja rouge "
                                               "noruego norvégien norvegien frontières frontieres fronteras "
                                               "borders".split())
# the words of an identifier's label ("Passport No", "Numéro AVS", "Tax Code", "Staff ID", "N° de
# dossier"), which a numbered form's fields write before their values as a contact list writes names
# before phone numbers ("6. Tax Code 0612345678"): no person's (not "Card", "Pan", "Pin", "Nino", "Nir",
# "Rut": names too; "No" is a Korean surname, rarely before a phone number in a list)
_ID_LABEL_WORDS = frozenset("no no. nº n° nr num number numbers numero numéro número nummer id ids code codes "
                            "passport passeport pasaporte passaporte passaporto reisepass tax taxe fiscal "
                            "impuesto steuer steuernummer avs ahv ssn nif nss cin cni dni curp "
                            "identity identité identite identidad matricule badge index reference référence "
                            "referencia ref dossier expediente licence license licencia permis permit "
                            "registration serial iban swift bic insurance assurance".split())
# what templates and examples write where a secret goes (``placeholder_secret``)
_PLACEHOLDER_WORDS = {
    "changeme", "change_me", "change-me", "changeit", "password", "passwd", "secret", "example", "redacted",
    "your_password", "yourpassword", "your-password", "mypassword", "null", "none", "nil", "true", "false",
    "undefined", "empty", "required", "optional", "string", "xxxx", "todo", "tbd", "placeholder", "dummy",
    "sample", "test", "testing", "default", "admin", "hidden", "removed", "secret_here", "password_here",
    "<password>", "pass", "********", "not_set", "notset", "replace_me", "replaceme", "insert_password",
}
_PLACEHOLDER_RX = re.compile(
    r"""^(?:\*+|x+|X+|\.+|-+|_+|#+|\?+|<[^>]*>|\[[^\]]*\]|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|"""
    r"""%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}|@[A-Za-z_]+@)$""")


def placeholder_secret(value: str, references: bool = True) -> bool:
    """Whether a secret's value is a placeholder, not a secret: a word of templates ("changeme",
    "password", "<password>"), what a template asks for ("your_secret_key_here", "enter ..."),
    and with ``references`` marks ("********") or a reference to elsewhere ("${DB_PASS}",
    "%API_KEY%", "$db_pass": a column reads "$uperAdmin2024" as a password, text as a variable)."""
    v = value.strip()
    low = v.lower()
    return low in _PLACEHOLDER_WORDS or references and _PLACEHOLDER_RX.match(v) is not None or \
        low.startswith(("your", "my_", "enter", "insert", "replace", "example", "changeme", "dummy", "<", "${"))


# the spelling alphabet of radio call signs ("Charlie Whiskey", "Victor Tango"): no person, all of them
_SPELLING_ALPHABET = frozenset("alfa alpha bravo charlie delta echo foxtrot golf hotel india juliet juliett kilo "
                               "lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey "
                               "whisky x-ray xray yankee zulu".split())


# an IBAN's shape: country letters, check digits, groups of four (34 characters at most, with
# separators 42), in the layout of that country's IBANs: a number inside one is a piece of an
# account number, whatever its check digits say (a card number that passes Luhn by chance, a
# phone number of a Dutch account); "SW19 4111 1111 1111 1111" (a postcode) is no IBAN
# (its first letter, then what stands before it: led by a class, a search skips to the next capital
# at C speed; led by the look-behind, it tries the pattern at every position)
IBAN_SHAPE = re.compile(r"[A-Z](?<![A-Z0-9].)[A-Z][0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?(?![A-Z0-9])")
_IBAN_REACH = 48


# IBANs that countries outside SWIFT's registry issue (their central banks' formats: the
# BCEAO's eight UEMOA countries, a bank code of two letters or digits then 22 digits; the BEAC's
# six CEMAC countries and others, digits only), the whole IBAN's length by country
_UEMOA = r"[A-Z0-9]{2}[0-9]{22}"
NATIONAL_IBANS = {
    "BJ": _UEMOA, "BF": _UEMOA, "CI": _UEMOA, "ML": _UEMOA, "NE": _UEMOA, "SN": _UEMOA, "TG": _UEMOA,
    "GW": r"[A-Z0-9]{2}[0-9]{19}",
    "CM": r"[0-9]{23}", "CF": r"[0-9]{23}", "CG": r"[0-9]{23}", "GA": r"[0-9]{23}", "GQ": r"[0-9]{23}",
    "TD": r"[0-9]{23}", "KM": r"[0-9]{23}", "MG": r"[0-9]{23}",
    "DZ": r"[0-9]{22}", "IR": r"[0-9]{22}", "MA": r"[0-9]{24}", "AO": r"[0-9]{21}", "CV": r"[0-9]{21}",
    "MZ": r"[0-9]{21}",
}


@functools.lru_cache(maxsize=None)
def iban_layout(country: str):
    """The country's IBAN layout, from Presidio's table, or a national one (``NATIONAL_IBANS``:
    countries outside SWIFT's registry whose banks issue IBANs); ``None``: a country without IBAN."""
    from presidio_analyzer.predefined_recognizers.generic.iban_patterns import regex_per_country
    layout = regex_per_country.get(country)
    if not layout and country in NATIONAL_IBANS:
        layout = rf"{country}[0-9]{{2}}{NATIONAL_IBANS[country]}\Z"
    return re.compile(layout, re.DOTALL | re.MULTILINE) if layout else None


_BBAN_PART = re.compile(r"(\d+)!([nac])")


@functools.lru_cache(maxsize=None)
def registry_layout(country: str):
    """The country's IBAN layout by the IBAN registry (python-stdnum's copy: Portugal's 21 digits,
    where Presidio's table has 17); ``None``: not in the registry."""
    from stdnum import numdb
    found = numdb.get("iban").info(country)
    bban = found[0][1].get("bban") if found else None
    if not bban:
        return None
    classes = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Za-z0-9]"}
    return re.compile(country + "[0-9]{2}" + "".join(f"{classes[k]}{{{n}}}" for n, k in _BBAN_PART.findall(bban)))


def inside_iban_shape(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a strict part of a string in a country's IBAN layout (Presidio's, a
    national one or the registry's)?"""
    for m in _longer_iban_shapes(text, start, end):
        value = m.group().replace(" ", "").replace("-", "")
        if any(layout is not None and layout.fullmatch(value)
               for layout in (iban_layout(value[:2]), registry_layout(value[:2]))):
            return True
    return False


def _longer_iban_shapes(text: str, start: int, end: int):
    """The strings in an IBAN's shape (``IBAN_SHAPE``) that hold text[start:end] and more."""
    for m in IBAN_SHAPE.finditer(text, max(0, start - _IBAN_REACH), min(len(text), end + _IBAN_REACH)):
        if m.start() >= end:
            break
        if m.start() <= start and end <= m.end() and (m.start(), m.end()) != (start, end):
            yield m


def _cut_iban(text: str, start: int, end: int) -> bool:
    """Is text[start:end] a piece of a longer string in an IBAN's shape ("PT28 6694 8857 5394 0051
    8826" of "PT28 6694 8857 5394 0051 8826 8", an account number that fails its check; a
    country's table that is wrong about its length lets the piece pass)? Not when all that
    follows is words of capitals after a space: a statement's "... 1142 REF 5521", "... 3000 EUR"."""
    return any(not (m.start() == start and _WORDS_AFTER.fullmatch(text, end, m.end()))
               for m in _longer_iban_shapes(text, start, end))


# what may follow an IBAN in its shape and be words of their own ("REF", "EUR", "F-2023-64068")
_WORDS_AFTER = re.compile(r"(?: [A-Z]{1,4})+")


# a URL's scheme and user part, up to its host ("ssh://git@host") or into its password
# ("postgresql://app:S3cret@db01", "redis://:Pg$ecret@cache", whose '$' may start the address)
_URL_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,20}://[\w.~%+\-]{0,64}(?::[^\s/@\"'<>]{0,128})?$")


# colon-separated pairs of hex digits: a MAC or EUI-64 address, a key's fingerprint, which an IPv6
# pattern takes (an IPv6 address written with every group of two digits and no "::" is not seen)
_HARDWARE_ADDRESS = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,}")


def nobodys_address(value: str) -> bool:
    """A loopback, unspecified or broadcast address (127.0.0.1, 0.0.0.0, ::1, 255.255.255.255):
    the same on every machine, it says nothing of a person or a device."""
    bare = value.strip().strip("[]")
    head = bare.split(".", 1)[0]
    if head != bare and len(head) <= 3 and head.isdigit() and head.isascii() and int(head) not in (0, 127, 255):
        return False        # (a dotted address outside 0/8, 127/8 and 255/8: none of them, or not an address)
    try:
        ip = ipaddress.ip_address(bare)
    except ValueError:
        return False
    ip = getattr(ip, "ipv4_mapped", None) or ip         # ::ffff:127.0.0.1
    return ip.is_loopback or ip.is_unspecified or ip == ipaddress.IPv4Address("255.255.255.255")


# a four-part version, then only what joins two versions ("version 4.2.1.7 (previous ", "v10.4.2.1 replaced ")
_VERSION_NEAR = re.compile(r"(?i)\b(?:version|ver|release|build|firmware|v)\.?\s*[:=]?\s*(\d+\.\d+)\.\d+\.\d+"
                           r"[\s(),;:]*(?:(?:previous(?:ly)?|prev\.?|was|from|to|then|replac(?:ed|es|ing)|"
                           r"upgraded(?:\s+to)?|and|or|->|\u2192)[\s:]*)?$")


def _another_version(value: str, text: str, start: int) -> bool:
    """A dotted number right after a four-part version of the same line of releases, joined by a
    word of versions ("version 4.2.1.7 (previous 4.2.0.19)", "v10.4.2.1 replaced 10.4.1.9"):
    its first two numbers are the version's. Not an address after a release ("release
    10.1.2.3 installed; management address 10.1.200.17")."""
    lo = max(0, start - 60)
    if value.count(".") != 3 or text.count(".", lo, start) < 3:
        return False            # (no four-part version before it)
    m = _VERSION_NEAR.search(text, lo, start)
    return m is not None and m.group(1) == ".".join(value.split(".")[:2])


# a message's id (a mail log's "message-id=<", a header's "Message-ID: <", "In-Reply-To: <" and
# "References: <" with their brackets; a CV's "References: amina@..." is an address)
_MESSAGE_ID_BEFORE = re.compile(r"(?i)(?:\b(?:message-?id|msg-?id)[ \t]*[=:][ \t]*<?|"
                                r"\b(?:in-reply-to|references)[ \t]*:[ \t]*(?:<[^<>\n]{1,200}>[ \t]*)*<)[ \t]*\Z")
_VERSION_BEFORE = re.compile(r"(?i)(?:§\s*|\b(?:(?:version|ver|release|build|firmware|v|versi[oó]n|vers[aã]o|revision|"
                             r"kernel|(?:upgraded|downgraded)\s+(?:to|from)|"
                             # a document's numbered part ("Section 2.3.1.4", "Article 4.1.2.3")
                             r"section|secci[oó]n|chapter|chapitre|cap[ií]tulo|clause|paragraph|paragraphe|"
                             r"art[ií]culo|article|annex|annexe|anexo|oid)\.?\s*[:=]?\s*"
                             # (a tag's or a patch's number written after the word: "--tag 4.21.49.96";
                             # not "tag=203.0.113.8", a key's value)
                             r"|(?:tag|patch|parche|correctif|micrologiciel)[ \t]+))$")
# a product's version in a user agent ("Chrome/120.0.0.0", "Edg/120.0.2210.91"): a browser's or a
# client library's name and a slash right before it, or any name and a slash on a line that is a
# user agent ("Mozilla/5.0 (...)", "AppleWebKit/537.36")
_PRODUCT_SLASH = re.compile(r"(?i)(?<![\w./-])(?P<name>[a-z][\w.-]{0,30})/$")
_UA_PRODUCTS = frozenset((
    "chrome", "chromium", "crios", "firefox", "fxios", "safari", "version", "edg", "edga", "edgios", "edge", "opr",
    "opera", "mobile", "applewebkit", "gecko", "trident", "samsungbrowser", "yabrowser", "ucbrowser", "vivaldi",
    "electron", "mozilla", "headlesschrome", "okhttp", "dalvik", "darwin", "cfnetwork", "curl", "wget",
    "python-requests", "go-http-client", "postmanruntime", "thunderbird", "teams", "slack", "outlook", "whatsapp",
    "zoom", "skype", "msie"))
_USER_AGENT_LINE = re.compile(r"(?i)\b(?:mozilla|applewebkit|gecko|dalvik|cfnetwork)/\d")


def _version_before(text: str, start: int) -> bool:
    """A word of versions right before ``start`` (``_VERSION_BEFORE``), looked for only after what
    may end one: a letter, a space, '.', ':' or '=' (not '"', '/', ',' or '[' of a log's address)."""
    c = text[start - 1:start]
    return (c.isalpha() or c.isspace() or c in ".:=") \
        and _VERSION_BEFORE.search(text, max(0, start - 24), start) is not None


def _user_agent_version(text: str, start: int) -> bool:
    if text[start - 1:start] != "/":
        return False            # (no product and slash right before it)
    m = _PRODUCT_SLASH.search(text, max(0, start - 32), start)
    if m is None:
        return False
    if m["name"].lower() in _UA_PRODUCTS:
        return True
    line = text.rfind("\n", 0, start) + 1
    return _USER_AGENT_LINE.search(text, max(line, start - 400), start) is not None


# keys and query parameters in front of an address that the address's own characters ('=', '&',
# '?') let the e-mail pattern take in: "user=m.rossi@...", "unsubscribe?id=5&email=j.doe@...",
# a properties file's dotted key ("mail.from=noreply@...")
_KEY = r"[A-Za-z_]\w{0,30}(?:\.[A-Za-z_]\w{0,30}){0,6}="
_KEYS_BEFORE_ADDRESS = re.compile(r"(?:[\w./%%-]{0,200}\?)?(?:%s[^=&@\s]{0,200}&){0,20}%s" % (_KEY, _KEY))


def strip_key(text: str, start: int, end: int) -> int:
    """The start of an e-mail address written after a key ("user=m.rossi@fastwebnet.it" of a
    log line): the same address as anywhere else, with the same hash. A local part that is
    no key ("bounce-mw=lists.example@...") or a forwarding scheme's (BATV, SRS: more '='
    after the key) is left whole; a quote around the address is no part of it."""
    start = _after_key(text, start, end)
    if text[start:start + 1] in ("'", "`") and text[end:end + 1] == text[start]:
        start += 1                  # quoted: "email='fatou.ndiaye@ngo.org'" (a quote may open a local part)
    return start


def _after_key(text: str, start: int, end: int) -> int:
    m = _KEYS_BEFORE_ADDRESS.match(text, start, end)
    if m is None or "@" not in text[m.end():end]:
        return start
    at = text.index("@", m.end(), end)
    if m.end() == at or "=" in text[m.end():at]:
        return start            # a forwarding address ("prvs=tag=alice@...", "SRS0=HHH=TT=..."): whole
    return m.end()


def one_cell(text: str, start: int, end: int) -> tuple:
    """A name the model read across a table's cells ("Mohammed Benali<TAB>Paris", tab-separated
    as documents' tables are read) or lines ("Joost Bakr<LF>Programme Officer" of a signature):
    its cell or line with the most words, the first of them on a tie."""
    value = text[start:end]
    if "\t" not in value and "\n" not in value:
        return start, end
    pieces, at = [], start
    for piece in _CELL_OR_LINE.split(value):
        pieces.append((-len(piece.split()), at, at + len(piece)))
        at += len(piece) + 1
    _, s, e = min(pieces)
    cell = text[s:e]
    return s + len(cell) - len(cell.lstrip()), s + len(cell.rstrip())


_CELL_OR_LINE = re.compile(r"[\t\n]")


def person_span(text: str, start: int, end: int) -> tuple:
    """Where a person the model or a pattern found is: in one cell, without a title or role word,
    nor a log's key before it (``name="Matteo Lindemann``: one token to the model)."""
    start, end = one_cell(text, start, end)
    m = _GREETING_LEAD.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    m = KEY_BEFORE.match(text, start, end)
    if m and m.end() < end and PERSON_KEY.search(m["key"]):
        start = m.end()
    m = _TRANSACTION_LEAD.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    m = _POSSESSIVE.search(text, start, end)
    if m and m.start() > start:
        end = m.start()
    start, end = strip_title(text, start, end)
    m = _LOWER_LEAD.match(text, start, end)
    lead = m.group().split() if m else ()
    if lead and not (len(lead) > 1 and all(w in _PARTICLES for w in lead)):
        start = m.end()                        # (but "van der Berg Jansen", "de la Cruz Pérez": a surname first)
    lo = max(start, end - _TRIM_REACH)        # (a search from every space of a long run would be quadratic)
    m = _TRAILING_SMALL.search(text, lo, end)
    if m is None and _LOWER_WORD_NEXT.match(text, end):
        m = _TRAILING_ARTICLE.search(text, lo, end)
        if m and len(text[start:m.start()].split()) < 2:
            m = None                           # ("García Le" of "García Le virement" stays: one word would be left)
    if m and m.start() > start:
        end = m.start()
    return start, end


KEY_BEFORE = re.compile(r"""(?P<key>[\w.-]{1,40})=["']?""")      # a log's key, '=' and a quote
# a bank statement's booking words, in capitals, before the party the model read with them ("ATM
# WITHDRAWAL Lagos", "STANDING ORDER Sabine Richter", "SALARY Pinecrest Realty", "PAYPAL *Simone Moretti")
_TRANSACTION_LEAD = re.compile(
    r"(?:(?:ATM|CASH|CARD|POS|SEPA|SWIFT|ACH|BACS|FPS|WIRE|DIRECT|STANDING|SALARY|PAYROLL|REFUND|WITHDRAWAL|"
    r"PAYMENT|PURCHASE|TRANSFER|DEBIT|CREDIT|ORDER|DEPOSIT|FEE|CHARGE|INTEREST|RENT|LOAN|MORTGAGE|CHEQUE|CHECK|"
    r"PAYPAL|TRF|TFR|BGC|INWARD|OUTWARD|INCOMING|OUTGOING|GUTSCHRIFT|LASTSCHRIFT|UEBERWEISUNG|ÜBERWEISUNG|"
    r"DAUERAUFTRAG|GEHALT|LOHN|MIETE|VIREMENT|PRELEVEMENT|PRÉLÈVEMENT|RETRAIT|CARTE|PAGO|TRANSFERENCIA|RECIBO|"
    r"NOMINA|NÓMINA)(?:[ \t]+\*?|\*))+")
# a key naming a person (customer=, user_name=, account_holder=, fullName=; not msg=, status=)
PERSON_KEY = re.compile(r"(?i)name|user|customer|client|employee|holder|owner|patient|contact|author|sender|"
                        r"recipient|beneficiar|assignee|requester|approver|manager|agent|member|person|staff")


def strip_title(text: str, start: int, end: int) -> tuple:
    """'Madame Claire Dubois', 'de Mme Fatou Diallo', 'Beneficiary Amparo Cuervo' -> the name without
    its title or role words (and a word before them). When they leave one word or none, the model
    took them for the given name and cut the name after them ('Kontoinhaber Samira' of
    'Kontoinhaber Samira Zimmermann', 'Kontoinhaber Sra' of 'Kontoinhaber Sra. Baraka Ndungu'): the
    name is then the run of name words after them, on the same line."""
    line_end = text.find("\n", end, end + _TITLE_REACH)
    limit = min(len(text), end + _TITLE_REACH) if line_end < 0 else line_end
    s = start
    for _ in range(3):
        m = _PERSON_TITLE.match(text, s, limit)
        if m is None:
            break
        s = m.end()
    if s == start:
        return start, end
    if s < end and len(text[s:end].split()) >= 2:
        return s, end
    run = _NAME_RUN.match(text, s, limit)
    if run is not None and run.end() >= end:
        e, names = s, 0
        for w in re.finditer(r"\S+", run.group()):
            if w.group() in _LABEL_WORDS or w.group() in NOT_SURNAMES:
                break                          # "Samira Zimmermann IBAN DE65...": the name ends before
            if w.group() not in _PARTICLES and not w.group().endswith("."):
                names += 1
                if names > _RUN_NAMES:
                    break                      # ("Samira Zimmermann Berlin Germany": three at most)
            e = s + w.end()
        if e >= end:
            return s, e
    return (s, end) if s < end else (start, end)


def _glued(text: str, start: int, end: int, joiners: str = "-_/.") -> bool:
    """Is text[start:end] part of a longer token (joined by letters, digits or one of
    ``joiners``, a dot only between digits)?"""
    if start > 0:
        c = text[start - 1]
        if c.isalnum():
            return True
        if c in joiners and start > 1:
            p = text[start - 2]
            if p.isalnum() and (c != "." or p.isdigit()):
                return True
    if end < len(text):
        c = text[end]
        if c.isalnum():
            return True
        if c in joiners and end + 1 < len(text):
            n = text[end + 1]
            if n.isalnum() and (c != "." or n.isdigit()):
                return True
    return False


_PHONE_WORD = re.compile(r"(?i)\b(?:tel|tél|tlf|phone|telephone|téléphone|telefon|teléfono|telefono|mobile|mobil|"
                         r"cell|gsm|fax|portable|handy)\b[\s.:#()-]{0,4}$")     # right before the number


def _is_ipv4(value: str) -> bool:
    """Four numbers of 0-255 between dots, written as addresses are (no leading zero: "044.668.18.00"
    is a Swiss phone number)."""
    if value.count(".") != 3:
        return False
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


_UP, _DOWN = "0123456789" * 12, "9876543210" * 12       # digits counting up, down (round and round)


def _trivial_digits(value: str) -> bool:
    """Whether a value's digits (six or more) are one digit repeated or count up or down by
    one, round and round ("111111", "123456789", "987654321", "8901234")."""
    d = _NOT_DIGIT.sub("", value)
    if len(d) < 6:
        return False
    if d.count(d[0]) == len(d):
        return True
    if d.isascii() and len(d) <= 100:       # (a slice of the digits counting up or down from its first)
        return d == _UP[int(d[0]):][:len(d)] or d == _DOWN[9 - int(d[0]):][:len(d)]
    steps = {(int(b) - int(a)) % 10 for a, b in zip(d, d[1:])}
    return len(steps) == 1 and steps.pop() in (1, 9)


_AFTER_REQUEST = re.compile(r'HTTP/[\d.]{1,3}"[ \t]+$')
# a code's label right before the number ("Part no. 0049-3070-0000", "Serial 0044 2079 4600 12",
# "Budget line 6210-0034",
# "Reference 0041229171234", "N° de série", "Bestellnr."): a part, serial, order or reference
# number, which an international prefix (00) or a region's digits make look like a phone's
_CODE_LABEL = re.compile(r"(?i)(?<!\w)(?:part|serial|item|article|model|order|invoice|tracking|reference|ref|sku|"
                         r"lot|batch|asset|imei|iccid|série|serie|référence|réf|referencia|pedido|factura|"
                         r"commande|facture|bestell|rechnungs|artikel|seriennummer|"
                         # a budget's or an account's line and codes ("Budget line 6210-0034", "ligne budgétaire",
                         # "cost centre 4410-2231", "GL code")
                         r"budget line|budget code|ligne budgétaire|ligne budgetaire|línea presupuestaria|"
                         r"linea presupuestaria|cost cent(?:er|re)|centre de coût|centro de costo|gl|grant|wbs)"
                         r"(?:[\s.-]{0,2}(?:no|nr|n°|nº|n\.º|num|number|numéro|número|nummer|code|id|#))?"
                         r"[\s.:#=-]{0,4}$")
# a date, then the hour of a time (its minutes after a colon follow the match)
_DATE_THEN_HOUR = re.compile(r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})[ T]\d{1,2}")


def _plausible_phone(value: str, text: str, start: int, phone_format: bool, column_says: bool) -> bool:
    """A phone number's match: no date, no access log's status and size, no IPv4 address or
    dotted version (unless its column's name says phone and its groups are a phone's)."""
    digits = _NOT_DIGIT.sub("", value)
    bare = value.strip().lstrip(OPENING)      # (a match of the matcher may open with a bracket)
    if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", bare):
        return False
    if text.startswith(":", start + len(value)) and _DATE_THEN_HOUR.fullmatch(bare):
        return False          # a log's time stamp, "[07.02.2024 23" before ":30]"
    if _AFTER_REQUEST.search(text, max(0, start - 16), start):
        return False          # an access log's status and size ('"GET / HTTP/1.1" 500 73216')
    if not column_says and _CODE_LABEL.search(text, max(0, start - 40), start):
        return False          # "Part no. 0049-3070-0000": a code under its label
    paired = column_says and re.fullmatch(r"\d{2,3}(?:[. ]\d{2,3}){2,5}", bare)    # "77.26.48.50" under "Téléphone"
    if _is_ipv4(bare) and not paired and not _PHONE_WORD.search(text, max(0, start - 24), start):
        return False          # "213.200.77.21", a relay's "[209.85.218.41]": an address, though a region's
                              # groups read it as a number (not "tlf. 33.12.45.67", a Danish number)
    dotted_phone = column_says and all(len(g) >= 2 for g in bare.split("."))   # (not "6.4.3.5018": a version)
    if re.fullmatch(r"\d+(?:\.\d+){2,}", bare) and not dotted_phone and not (
            phone_format and re.match(r"\d\d", bare)
            and not _version_before(text, start)):
        return False          # dotted version or IP, not "415.506.0921", "01.94.68.31.28", nor
                              # under a phone's column name in groups of two digits or more ("11.98996.7763")
    if _CHECK_DIGIT_LAST.search(bare) and not column_says:
        return False          # "045-089030-6": an account's number and its check digit
    return 7 <= len(digits) <= 15


# a number's last group of one digit after a dash, as account numbers write their check digit
_CHECK_DIGIT_LAST = re.compile(r"\d{3,}-\d\Z")


def plausible(entity: str, value: str, text: str, start: int, end: int, name_column: bool = False,
              phone_format: bool = False, column_says: bool = False) -> bool:
    """Post-filters that keep well-known decoys out of Presidio's results (``phone_format``: a
    phone number written in its country's groups, ``phone.FORMATTED_KEY``; ``column_says``: its
    column's name says what it is, a phone number in dots under "Téléphone")."""
    if entity in ("EMAIL_ADDRESS", "URL"):
        if entity == "URL" and (end < len(text) and (text[end].isalnum() or text[end] == "@")
                                or start > 0 and text[start - 1] in "@."):
            return False          # a cut piece of a longer host name or an e-mail address
        if entity == "EMAIL_ADDRESS" and text.find("://", max(0, start - 100), start) != -1 \
                and _URL_USERINFO.search(text, max(0, start - 100), start):
            return False          # "postgresql://app:S3cret@db01.org", "ssh://git@host": a URL's user and password
        if entity == "EMAIL_ADDRESS" and text[start - 1:start] in ("<", "=", ":", " ") and \
                _MESSAGE_ID_BEFORE.search(text, max(0, start - (300 if text[start - 1] == "<" else 24)), start):
            return False          # "message-id=<4B1D...@ghro.int>": a message's id, nobody's address
        return True
    if traits(entity).identifier:
        # (an address between slashes is one: "user@org/172.23.255.141:44253", "smb://10.2.3.4/share")
        if _glued(text, start, end, "-_." if entity == "IP_ADDRESS" else "-_/.") or _trivial_digits(value):
            return False
        if entity != "IBAN_CODE" and inside_iban_shape(text, start, end):
            return False
        if entity == "IBAN_CODE" and _cut_iban(text, start, end):
            return False
    if entity == "IP_ADDRESS" and (_version_before(text, start) or nobodys_address(value)
                                   or _another_version(value, text, start) or _user_agent_version(text, start)
                                   or _HARDWARE_ADDRESS.fullmatch(value) is not None):
        return False              # "version 1.2.3.4", "Chrome/120.0.0.0" are versions; 127.0.0.1, 0.0.0.0 are no
                                  # one's; "MAC=a5:7d:b3:f8:29:50:26:7b" is a hardware address
    if entity == "UK_NHS":
        digits = _NOT_DIGIT.sub("", value)
        # NHS numbers begin with 3-7; only a Scottish CHI number begins with 0, and then with a
        # date of birth (DDMMYY): "0717219445" is a phone number in national format
        if digits[:1] == "0" and not (1 <= int(digits[:2]) <= 31 and 1 <= int(digits[2:4]) <= 12):
            return False
    if entity == "PHONE_NUMBER":
        return _plausible_phone(value, text, start, phone_format, column_says)
    if entity == "PERSON":
        return (name_column and not form_label(value)
                and (NAME_TOKEN.match(value.split()[0]) is not None or name_shaped(value)
                     or script_name_shaped(value.strip()) or lone_surname(value)
                     or lower_case_name(value.strip()))) \
            or _plausible_person(value, text, start)
    if entity in ("LOCATION", "ORGANIZATION", "NRP"):
        v = value.strip()
        if not any(c.isalpha() for c in v) or "\n" in v or "\t" in v or v.upper() in _LABEL_WORDS:
            return False
        return sum(c.isdigit() for c in v) < 3     # "Invoice INV-000482913" is no organisation
    if entity == "DATE_TIME":
        return not re.search(r"\d{9,}", value)     # epoch timestamps and long ids
    return True


_STREET_FIRST = {"rue", "avenue", "av", "boulevard", "bd", "chemin", "ch", "route", "rte", "place", "pl", "quai",
                 "allée", "impasse", "cours", "passage", "rond-point", "calle", "avenida", "carrera", "paseo",
                 "plaza", "ciudad", "rua", "praça", "via", "viale", "piazza", "strasse",
                 "straße", "mount", "lake", "port", "fort", "saint", "st", "ste", "san", "santa",
                 # a neighbourhood's, a cape's or a province's first word ("Bairro Cariaco", "Cabo Delgado")
                 "bairro", "barrio", "quartier", "cabo", "colonia", "travessa", "estrada", "distrito", "provincia",
                 "província", "kebele", "woreda", "wilaya"}
# first words of an office, an institution or a service, not of a person ("Oficina de Bogotá",
# "Bureau de Dakar", "Ministry of Health": a model trained on English takes such phrases in French
# and Spanish text for names)
_INSTITUTION_FIRST = {"office", "oficina", "bureau", "ministry", "ministerio", "ministère", "ministere",
                      "department", "departamento", "département", "departement", "embassy", "embajada",
                      "ambassade", "consulate", "consulado", "consulat", "secretariat", "secretaría",
                      "secretaria", "secrétariat", "agency", "agencia", "agence", "hospital", "hôpital",
                      "hopital", "clinic", "clínica", "clinica", "clinique", "university", "universidad",
                      "université", "universite", "servicio", "direction", "dirección", "direccion",
                      "delegación", "delegacion", "délégation", "delegation", "programa", "programme",
                      "comité", "comite", "committee", "centro", "centre", "center", "escuela", "école",
                      "ecole", "banco", "banque", "tribunal", "juzgado", "alcaldía", "alcaldia", "mairie",
                      "prefecture", "préfecture", "gobernación", "gobernacion", "instituto", "institut",
                      # a desk's or a unit's ("Helpdesk Dakar", "Service Informatique", "Cellule Suivi")
                      "helpdesk", "servicedesk", "service", "services", "support", "team", "équipe", "equipe",
                      "unit", "unité", "unite", "unidad", "cellule", "division", "section", "finance", "finances",
                      "administration", "comptabilité", "comptabilite", "reception", "réception", "accueil",
                      "security", "sécurité", "securite", "seguridad", "admin", "hr", "rh", "ict", "it",
                      "sub-office", "suboffice", "antenne", "antena", "recruitment", "recrutement", "reclutamiento",
                      "hub", "base", "field",
                      # a store's ("Lager Berlin", "Warehouse Lagos", "Entrepôt Lyon")
                      "lager", "warehouse", "depot", "dépôt", "entrepôt", "entrepot", "almacén", "almacen"}
_FIRM_LAST = {"ltd", "llc", "inc", "corp", "co", "plc", "llp", "lp", "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv",
              "nv", "oy", "ab", "as", "limited", "group", "holding", "holdings", "foundation", "trust", "bank"}
_STREET_LAST = {"street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "drive", "highway", "hwy",
                "crescent", "square", "sq", "gardens", "estate", "building", "tower", "centre", "center", "hospital",
                "school", "university", "college", "hotel", "camp", "district", "county", "province", "region", "city",
                "village", "strasse", "straße", "weg", "platz", "gasse",
                # (not Hills, Lake, Bay, River: surnames as well as places)
                "falls", "springs", "heights", "valley", "harbour", "harbor", "island", "islands", "airport"}


# capitalised words of a team, a firm, a system or a document, not of a person ("Finance Team",
# "Acme Corp", "Amazon Web Services", "System Administrator", "Annual Report")
# (after the first word: "Li Na", "Anna Bank", "Nguyen Thi Y" are names)
_NO_PERSONS_WORDS = frozenset(w for w in _FIRM_LAST if len(w) >= 3 and w not in ("bank", "trust")) | frozenset(
    "team desk services service systems system solutions department office unit corporation company server "
    "servers broker portal administrator admin report reports orders order web cloud network database "
    "application app platform account accounts finance procurement logistics security support helpdesk "
    "unknown anonymous test sample pending".split())


def _cued_name(value: str) -> bool:
    """A name a pack pattern found after its cue: one to four words, in any script, and the particles
    between them ("Kipchoge K. van den Berg-Smit"); no word of a team, a firm or a system, no office,
    no firm's trade or legal form ("Torion Software KG")."""
    v = value.strip()
    words = v.split()
    low = [w.lower().strip(".,") for w in words]
    return 2 <= len(v) <= 60 and not any(c.isdigit() or c in "@\n" for c in v) \
        and len([w for w in words if w not in _PARTICLES]) <= 4 \
        and not any(w[:1].isupper() and lw in _NO_PERSONS_WORDS for w, lw in zip(words[1:], low[1:])) \
        and low[0] not in _INSTITUTION_FIRST and low[0] not in _NOT_IN_A_NAME and not post_shaped(v) \
        and not (len(low) > 1 and low[-1] in _POST_LAST) and not firm_ending(words) \
        and not any(_folded(w) in FIRM_TRADES for w in low) \
        and not any(w in _NOT_AFTER_A_NAME or w in _NOT_A_NAME_SCRIPTS or w in _ID_LABEL_WORDS for w in low)


# the word right after a name on its line (a firm's legal form: "Consulting Zenzor S.p.A.", "Yormar Oy";
# not two capitals, a country's code as often: "Ingrid Berg SE passport", "Amina Conteh SL")
_WORD_AFTER = re.compile(r"[ \t]{1,2}([^\s,;:()]{1,8})")


def _plausible_person(value: str, text: str, start: int) -> bool:
    v = value.strip()
    if "\n" in v or "\t" in v or "@" in v or any(c.isdigit() for c in v) or len(v) < 3 or len(v) > 60:
        return False          # (a tab: across a table's cells, "Nom<TAB>Courriel" of a header row)
    words = [w.lower().strip(".,") for w in v.split()]
    if words[0] in _NOT_IN_A_NAME or any(w in _NOT_AFTER_A_NAME for w in words[1:]):
        return False          # "Vorbereitung der Mission", "Beste Grüße", "Konto IBAN", "La Sra"
    if all(w in _SPELLING_ALPHABET for w in words):
        return False          # "Charlie Whiskey 12": a call sign
    tokens = v.replace(",", " ").split()
    if firm_ending(tokens):
        return False          # "Zoram Textiles B.V.", "Tandem Software BV": a firm (a legal form in capitals is no surname)
    if surname_first(v) or surname_in_capitals(v):
        return True           # "SALAZAR, Fernando", "OWUSU Kwame": the surname first, in capitals, as registers write it
    if surname_last_in_capitals(v):     # "Sander KUIPERS": an address, an office, a firm is no such name
        words = v.lower().split()
        return words[0] not in _STREET_FIRST | _INSTITUTION_FIRST and words[-1] not in _STREET_LAST | _FIRM_LAST
    if not tokens or not all(NAME_TOKEN.match(t) or _APOSTROPHE_NAME.fullmatch(t) for t in tokens):
        return False          # (Irish particles are name words, "Seán Ó Briain", and elided ones, "Charles d'Aubigné")
    if v.isupper() or tokens[0][0].islower():
        return False          # all capitals, or a cut phrase ("de Kits de Higiene")
    if tokens[0].lower() in _NOT_FIRST or _TITLE_ONLY.fullmatch(v):
        return False          # "The Manager", "Die Abrechnung", "Dear Sra": no name in them
    first = tokens[0].lower().rstrip(".")
    if first in _STREET_FIRST or tokens[-1].lower().rstrip(".") in _STREET_LAST:
        return False          # "Rue de Lausanne", "Moi Avenue": an address, not a person
    if first in _INSTITUTION_FIRST:
        return False          # "Oficina de Bogotá", "Bureau de Dakar": an office
    last = _folded(tokens[-1]).rstrip(".")
    if len(tokens) >= 2 and (last in ORG_WORDS and last != "bank" or last in _POST_ONLY_LAST):
        return False          # "Pinecrest Realty", "Billing Support", "Warehouse Lead": a firm, a desk, a post
                              # ("Anna Bank" is a name)
    after = _WORD_AFTER.match(text, start + len(value))
    form = after.group(1) if after is not None else ""
    if form and (len(form) > 2 or "." in form or not form.isupper()) and firm_ending(tokens + [form]):
        return False          # "Consulting Zenzor" of "Consulting Zenzor S.p.A. a accepté": a firm's name
    if len(tokens) >= 2:
        return True
    return bool(TITLES.search(text[max(0, start - 30):start])) \
        or _GREETING_BEFORE.search(text, max(0, start - 12), start) is not None and first not in _GREETED_GROUPS


_SECRET_RANK = {"SECRET_PRIVATE_KEY": 0, "SECRET_AWS_KEY": 1, "SECRET_TOKEN": 2, "SECRET_PASSWORD": 3}


def _dominates(k: Match, m: Match) -> bool:
    """Does match k make match m redundant or implausible?"""
    if k is m or k.entity_type == m.entity_type and (k.start, k.end) == (m.start, m.end):
        return False
    overlap = k.start < m.end and m.start < k.end
    if not overlap:
        return False
    k_ner, m_ner = traits(k.entity_type).ner, traits(m.entity_type).ner
    if m_ner and not k_ner:
        return True        # NER spans over pattern matches: a "name" inside an e-mail, an "org" over a secret
    if k_ner and not m_ner:
        return False
    if (k.start, k.end) == (m.start, m.end) and k.entity_type in _SECRET_RANK and m.entity_type in _SECRET_RANK:
        return _SECRET_RANK[k.entity_type] < _SECRET_RANK[m.entity_type]   # one value, its most specific kind
    if traits(m.entity_type).protected and k.entity_type != m.entity_type:
        return False
    contained = k.start <= m.start and m.end <= k.end
    if (k.start, k.end) == (m.start, m.end):
        return k.score > m.score
    if contained:
        return True                     # e.g. an NHS-like number inside a phone number
    return False


def resolve_overlaps(matches: list) -> list:
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

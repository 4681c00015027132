"""Generate a corpus that looks like a real share: dense and diverse, every value drawn fresh.

    python benchmarks/corpus.py OUT_DIR [--size-mb 8] [--bands 20,100,400,1000] [--seed 1]

The corpus has one folder per density band (``d20/``, ``d100/``, ... : planted sensitive values
per MB of text) holding memos, e-mails and minutes (txt, docx), registers and exports (csv,
json, xlsx) and server logs (log). Each value is generated anew: names from many locales
(Faker), e-mail addresses on real-looking domains, phone numbers of many regions valid for
libphonenumber (international format, national format for the US and the UK), card numbers of
every brand and length with a right Luhn digit, IBANs of many countries, IPv4 and IPv6
addresses and US social security numbers. Around them are decoys that look like numbers:
dates, amounts, invoice and order numbers, tracking numbers, UUIDs, hashes, version strings,
Luhn-invalid card-like numbers, IBANs with a wrong check, addresses at documentation domains.

``planted.json`` lists every planted value as {path, entity_type, value}.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import string
import uuid

import phonenumbers
from faker import Faker

LOCALES = ["en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE", "tr_TR",
           "en_KE", "sw", "en_IN", "id_ID", "fr_CH", "de_AT", "cs_CZ", "ro_RO", "fi_FI"]
IBAN_LOCALES = ["en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_PT", "de_CH", "en_IE",
                "fi_FI", "da_DK", "no_NO", "de_AT", "tr_TR", "cs_CZ", "ro_RO", "pt_BR"]
PHONE_REGIONS = ["US", "GB", "FR", "DE", "CH", "KE", "UG", "SS", "ET", "NG", "ZA", "IN", "PK", "BD", "JO", "LB",
                 "TR", "IT", "ES", "NL", "BR", "MX", "CO", "AU", "CA", "PH", "SO", "CD"]
NATIONAL_REGIONS = ["US", "GB"]           # national format only where both dataguard and plain Presidio look
EMAIL_DOMAINS = ["gmail.com", "yahoo.fr", "outlook.com", "unhcr-field.org", "mission-ss.org", "ngo-partner.net",
                 "proton.me", "hotmail.co.uk", "web.de", "orange.fr", "safaricom.co.ke", "mtn.co.ug"]
# (brand, prefixes as (low, high) ranges of the leading digits, lengths, grouping)
CARD_BRANDS = [
    ("visa", [(4, 4)], [16, 13, 19], "4"),
    ("mastercard", [(51, 55)], [16], "4"),
    ("mastercard-2", [(2221, 2720)], [16], "4"),
    ("amex", [(34, 34), (37, 37)], [15], "465"),
    ("discover", [(6011, 6011), (644, 649), (65, 65)], [16, 19], "4"),
    ("diners", [(300, 305), (36, 36), (38, 39)], [14], "464"),
    ("jcb", [(3528, 3589)], [16], "4"),
    ("maestro", [(5018, 5018), (5020, 5020), (5038, 5038), (6304, 6304), (6759, 6759), (6761, 6763)],
     [12, 13, 15, 16, 18, 19], "4"),
    ("unionpay", [(62, 62)], [16, 19], "4"),
]
CORE = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN")
FILLER = [
    "The working group reviewed the logistics plan for the rainy season and agreed on the revised schedule.",
    "Warehouse capacity remains a concern; the team will assess options for additional storage.",
    "Participants noted the progress made on the registration campaign and the need for more interpreters.",
    "The budget revision will be submitted to the programme management committee at its next session.",
    "Security advisories for the northern routes remain in force until further notice.",
    "Training on the new case management procedures is planned for all field staff during the first quarter.",
    "The coordination meeting discussed distribution figures, transport arrangements and monitoring.",
    "Please ensure that the quarterly reports are uploaded to the shared folder before the end of the month.",
    "Fuel prices rose again in Juba and Bor, and the convoy to Malakal was postponed by the County Commissioner.",
    "The Nairobi Regional Office approved the Emergency Response Plan for the Upper Nile region.",
    "Le comité a validé le plan de distribution et demandé un rapport de suivi avant la fin du mois.",
    "El equipo revisó el presupuesto y acordó un nuevo calendario de entregas para el segundo semestre.",
    "Monitoring visits to Kakuma and Dadaab are scheduled after the Health Cluster meeting in Geneva.",
]


def _luhn_digit(body: str) -> str:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return str(-total % 10)


def _group(digits: str, scheme: str) -> list:
    """Cut a number into groups: '4' = blocks of four, '465' / '464' = those sizes."""
    if scheme == "4":
        return [digits[i:i + 4] for i in range(0, len(digits), 4)]
    out, i = [], 0
    for n in map(int, scheme):
        out.append(digits[i:i + n])
        i += n
    return out


class Values:
    """Fresh values and decoys, deterministic for a seed."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        # (in a fixed order: a set's order changes from one process to the next, and so would each one's seed)
        self.fakers = {loc: Faker(loc) for loc in dict.fromkeys([*LOCALES, *IBAN_LOCALES])}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 1000 + i)
        self._phone_examples = {}

    # ------------------------------------------------------------------ sensitive values
    def person(self) -> str:
        f = self.fakers[self.rng.choice(LOCALES)]
        return f"{f.first_name()} {f.last_name()}"

    def email(self, name: str = "") -> str:
        import unicodedata
        name = name or self.person()
        base = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        base = "".join(c if c.isalnum() else "." for c in base).strip(".")
        style = self.rng.randrange(3)
        if style == 1:
            base = base.replace(".", "")[:12] + str(self.rng.randint(1, 999))
        elif style == 2:
            base = base[:1] + "." + base.split(".")[-1]
        return f"{base or 'user'}@{self.rng.choice(EMAIL_DOMAINS)}"

    def phone(self) -> str:
        rng = self.rng
        national = rng.random() < 0.3
        region = rng.choice(NATIONAL_REGIONS if national else PHONE_REGIONS)
        kind = rng.choice([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE])
        ex = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
        nsn = str(ex.national_number)
        for _ in range(50):
            keep = max(1, len(nsn) - rng.randint(4, 6))
            cand = nsn[:keep] + "".join(rng.choice(string.digits) for _ in range(len(nsn) - keep))
            num = phonenumbers.PhoneNumber(country_code=ex.country_code, national_number=int(cand))
            if phonenumbers.is_valid_number(num):
                break
        else:
            num = ex
        fmt = phonenumbers.PhoneNumberFormat
        if national:
            return phonenumbers.format_number(num, fmt.NATIONAL)
        text = phonenumbers.format_number(num, rng.choice([fmt.INTERNATIONAL, fmt.INTERNATIONAL, fmt.E164]))
        if rng.random() < 0.15:
            text = "00" + text[1:]
        return text

    def card(self, valid: bool = True) -> str:
        rng = self.rng
        _, ranges, lengths, scheme = rng.choice(CARD_BRANDS)
        lo, hi = rng.choice(ranges)
        prefix = str(rng.randint(lo, hi))
        n = rng.choice(lengths)
        body = prefix + "".join(rng.choice(string.digits) for _ in range(n - len(prefix) - 1))
        check = _luhn_digit(body)
        if not valid:
            check = str((int(check) + rng.randint(1, 9)) % 10)
        digits = body + check
        style = rng.random()
        if style < 0.5:
            return " ".join(_group(digits, scheme))
        if style < 0.7:
            return "-".join(_group(digits, scheme))
        return digits

    def iban(self, valid: bool = True) -> str:
        value = self.fakers[self.rng.choice(IBAN_LOCALES)].iban()
        if not valid:
            value = value[:2] + f"{(int(value[2:4]) + self.rng.randint(1, 50)) % 97 + 2:02d}" + value[4:]
        if self.rng.random() < 0.6:
            return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
        return value

    def ip(self) -> str:
        rng = self.rng
        if rng.random() < 0.75:
            first = rng.choice([rng.randint(11, 126), rng.randint(128, 191), rng.randint(193, 223)])
            return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        groups = [f"{rng.getrandbits(16):x}" for _ in range(8)]
        groups[0] = rng.choice(["2001", "2a02", "2c0f", "fe80", "2405"])
        if rng.random() < 0.5:
            return ":".join(groups[:3]) + "::" + ":".join(groups[6:])
        return ":".join(groups)

    def ssn(self) -> str:
        rng = self.rng
        area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"

    # ------------------------------------------------------------------ decoys
    def date(self) -> str:
        rng = self.rng
        y, m, d = rng.randint(1950, 2026), rng.randint(1, 12), rng.randint(1, 28)
        return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{d}.{m}.{y}",
                           f"{y}-{m:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z"])

    def amount(self) -> str:
        rng = self.rng
        return rng.choice([f"USD {rng.randint(10, 999999):,}.{rng.randint(0, 99):02d}",
                           f"{rng.randint(10, 99999)},{rng.randint(0, 99):02d} EUR", f"KES {rng.randint(100, 9999999)}"])

    def code(self) -> str:
        rng = self.rng
        kind = rng.randrange(12)
        if kind == 0:
            return f"INV-{rng.randint(2019, 2026)}-{rng.randint(0, 999999):06d}"
        if kind == 1:
            return str(rng.randint(10 ** 9, 10 ** 10 - 1))                   # a bare 10-digit order number
        if kind == 2:
            return str(uuid.UUID(int=rng.getrandbits(128)))
        if kind == 3:
            return "%040x" % rng.getrandbits(160)
        if kind == 4:
            return f"{rng.randint(1, 12)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}.{rng.randint(100, 9999)}"
        if kind == 5:
            return self.card(valid=False)
        if kind == 6:
            return self.iban(valid=False)
        if kind == 7:
            return f"1Z{rng.randint(100, 999)}AA1{rng.randint(10 ** 10, 10 ** 11 - 1)}"
        if kind == 8:
            return f"{rng.choice(['support', 'jane.doe', 'info'])}@example.{rng.choice(['org', 'com', 'net'])}"
        if kind == 9:
            return str(rng.randint(10 ** 12, 10 ** 13 - 1))                  # epoch milliseconds, EAN-13
        if kind == 10:
            return f"PO {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        return f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-{rng.randint(0, 9)}"


# ------------------------------------------------------------------ records
VALUE_SENTENCES = [
    ("Please contact {PERSON} at {EMAIL_ADDRESS} or on {PHONE_NUMBER} for details.", 3),
    ("{PERSON} called from {PHONE_NUMBER} about the delayed payment of {amount}.", 2),
    ("The card {CREDIT_CARD} was charged {amount} for invoice {code}.", 1),
    ("Salary of {PERSON} to be paid to IBAN {IBAN_CODE} from {date}.", 2),
    ("Beneficiary {PERSON} (SSN {US_SSN}) registered on {date}, reference {code}.", 2),
    ("Failed logins from {IP_ADDRESS} were blocked on {date}; ticket {code}.", 1),
    ("Refund of {amount} to card {CREDIT_CARD}, holder {PERSON}.", 2),
    ("Mr. {PERSON} asked that mail go to {EMAIL_ADDRESS} from now on.", 2),
    ("Transfer {code} of {amount} to {IBAN_CODE} was approved by {PERSON}.", 2),
    ("Mobile: {PHONE_NUMBER}, office {PHONE_NUMBER}.", 2),
]
DECOY_SENTENCES = [
    "Version {code} was deployed after change request {code}.",
    "Order {code} and invoice {code} were reconciled on {date} for {amount}.",
    "Trace id {code} was attached to the incident ticket of {date}.",
    "Reference number {code} was rejected by the validator.",
    "Shipment {code} left the warehouse on {date}.",
    "Contact {code} for assistance.",
]
COLUMNS = ["id", "date", "name", "email", "phone", "account", "ssn", "ip", "amount", "note"]
_COLUMN_ENTITY = {"name": "PERSON", "email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "ssn": "US_SSN",
                  "ip": "IP_ADDRESS"}


class Doc:
    """One document being written: its planted values and its size so far."""

    def __init__(self, values: Values, density: float):
        self.v, self.density, self.planted, self.size = values, density, [], 0

    def fill(self, template: str) -> str:
        out, v = [], self.v
        for lit, field, _, _ in string.Formatter().parse(template):
            out.append(lit)
            if field is None:
                continue
            if field in CORE:
                value = self.plant(field)
            else:
                value = getattr(v, field)()
            out.append(value)
        return "".join(out)

    def plant(self, entity: str) -> str:
        v = self.v
        value = {"PERSON": v.person, "EMAIL_ADDRESS": v.email, "PHONE_NUMBER": v.phone, "CREDIT_CARD": v.card,
                 "IBAN_CODE": v.iban, "IP_ADDRESS": v.ip, "US_SSN": v.ssn}[entity]()
        self.planted.append((entity, value))
        return value

    def wants_value(self) -> bool:
        """Is the next record a value record? Keeps the planted values per MB near the density."""
        return len(self.planted) < self.density * (self.size + 200) / 1e6

    def sentence(self) -> str:
        rng = self.v.rng
        if self.wants_value():
            s = self.fill(rng.choice(VALUE_SENTENCES)[0])
        elif rng.random() < 0.35:
            s = self.fill(rng.choice(DECOY_SENTENCES))
        else:
            s = rng.choice(FILLER)
        self.size += len(s) + 1
        return s

    def row(self) -> dict:
        rng, v = self.v.rng, self.v
        row = {"id": str(rng.randint(10000, 999999)), "date": v.date(), "name": "", "email": "", "phone": "",
               "account": "", "ssn": "", "ip": "", "amount": v.amount(), "note": ""}
        if self.wants_value():
            for col in rng.sample(["name", "email", "phone", "account", "ssn", "ip"], rng.randint(1, 3)):
                entity = _COLUMN_ENTITY.get(col) or rng.choice(["IBAN_CODE", "CREDIT_CARD"])
                row[col] = self.plant(entity)
        else:
            row["note"] = self.fill(rng.choice(DECOY_SENTENCES)) if rng.random() < 0.5 else rng.choice(FILLER)
        self.size += sum(len(x) + 1 for x in row.values())
        return row

    def log_line(self) -> str:
        rng = self.v.rng
        ts = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:" \
             f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"
        if self.wants_value():
            msg = self.fill(rng.choice([
                "auth: login failed for {EMAIL_ADDRESS} from {IP_ADDRESS} port " + str(rng.randint(1024, 65535)),
                "gateway: request from {IP_ADDRESS} took " + str(rng.randint(1, 900)) + " ms, status 200",
                "sms: delivery receipt for {PHONE_NUMBER} id {code}",
                "payments: tokenised {CREDIT_CARD} for order {code}"]))
        else:
            msg = self.fill(rng.choice([
                "worker[" + str(rng.randint(100, 99999)) + "]: job {code} done in " + str(rng.randint(1, 9999)) + " ms",
                "db: checkpoint complete, wrote " + str(rng.randint(1, 99999)) + " buffers at {date}",
                "app: release {code} started, build {code}", "cache: evicted key {code}"]))
        line = f"{ts} {rng.choice(['INFO', 'INFO', 'WARN', 'DEBUG', 'ERROR'])} {msg}"
        self.size += len(line) + 1
        return line


# ------------------------------------------------------------------ formats
def _prose(doc: Doc, target: int) -> list:
    paras = []
    while doc.size < target:
        paras.append(" ".join(doc.sentence() for _ in range(doc.v.rng.randint(2, 6))))
    return paras


def _rows(doc: Doc, target: int) -> list:
    rows = []
    while doc.size < target:
        rows.append(doc.row())
    return rows


def write_txt(path: str, doc: Doc, target: int) -> None:
    v = doc.v
    head = [f"From: {v.rng.choice(['Head of Office', 'HR Unit', 'Finance Section'])}", f"Date: {v.date()}",
            "Subject: " + v.rng.choice(["staff matters", "payments", "minutes of the coordination meeting"]), ""]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(head) + "\n" + "\n\n".join(_prose(doc, target)) + "\n")


def write_csv(path: str, doc: Doc, target: int) -> None:
    import csv
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in _rows(doc, target):
            w.writerow([r[c] for c in COLUMNS])


def write_json(path: str, doc: Doc, target: int) -> None:
    rows = [{k: x for k, x in r.items() if x} for r in _rows(doc, target)]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"export": "contacts", "records": rows}, fh, indent=1, ensure_ascii=False)


def write_log(path: str, doc: Doc, target: int) -> None:
    lines = []
    while doc.size < target:
        lines.append(doc.log_line())
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def write_docx(path: str, doc: Doc, target: int) -> None:
    import docx
    d = docx.Document()
    d.add_heading("Minutes of the coordination meeting", 1)
    for p in _prose(doc, target * 3 // 4):
        d.add_paragraph(p)
    rows = _rows(doc, target)
    table = d.add_table(rows=1 + len(rows), cols=4)
    for i, c in enumerate(["name", "email", "phone", "note"]):
        table.cell(0, i).text = c
    for j, r in enumerate(rows, 1):
        for i, c in enumerate(["name", "email", "phone", "note"]):
            table.cell(j, i).text = r[c] or r["account"] if c == "note" else r[c]
    _unplant_unwritten(doc, rows, ["account", "ssn", "ip"], keep_account=True)
    d.save(path)


def write_xlsx(path: str, doc: Doc, target: int) -> None:
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "register"
    ws.append(COLUMNS)
    for r in _rows(doc, target):
        ws.append([r[c] for c in COLUMNS])
    wb.save(path)


def _unplant_unwritten(doc: Doc, rows: list, columns: list, keep_account: bool) -> None:
    """Values of columns the docx table leaves out are not in the file: not planted either.
    (An account is written in the note column where the note is empty.)"""
    gone = set()
    for r in rows:
        for c in columns:
            if r[c] and not (keep_account and c == "account" and not r["note"]):
                gone.add(r[c])
    doc.planted = [(e, x) for e, x in doc.planted if x not in gone]


FORMATS = [("txt", write_txt, 8), ("csv", write_csv, 5), ("json", write_json, 3), ("log", write_log, 4),
           ("docx", write_docx, 2), ("xlsx", write_xlsx, 2)]      # (extension, writer, weight)


def generate(out_dir: str, size_mb: float, bands=(20, 100, 400, 1000), seed: int = 1) -> list:
    """Write the corpus (size_mb split evenly over the bands); return the planted values."""
    values = Values(seed)
    rng = values.rng
    exts = [f for f in FORMATS for _ in range(f[2])]
    planted_all = []
    per_band = size_mb * 1e6 / len(bands)
    for density in bands:
        band = f"d{density}"
        os.makedirs(os.path.join(out_dir, band), exist_ok=True)
        total, i = 0, 0
        while total < per_band:
            ext, writer, _ = rng.choice(exts)
            target = int(min(per_band - total, rng.choice([4_000, 12_000, 30_000, 60_000, 150_000]))) + 500
            rel = f"{band}/{ext}{i:04d}.{ext}"
            doc = Doc(values, density)
            writer(os.path.join(out_dir, rel), doc, target)
            planted_all += [{"path": rel, "entity_type": e, "value": x, "band": density} for e, x in doc.planted]
            total += doc.size
            i += 1
    with open(os.path.join(out_dir, "planted.json"), "w") as fh:
        json.dump(planted_all, fh)
    return planted_all


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--size-mb", type=float, default=8.0)
    ap.add_argument("--bands", default="20,100,400,1000")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    p = generate(a.out_dir, a.size_mb, tuple(int(b) for b in a.bands.split(",")), a.seed)
    print(f"{len(p)} planted values in {a.out_dir}")

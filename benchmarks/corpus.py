"""Generate a realistic office-text corpus with planted values (for benchmarks and quality checks).

Each file is a memo, e-mail, minutes, HR list or log with a known set of planted
values; ``planted.json`` lists (path, entity_type, value). Half of the files
carry decoys only (version strings, UUIDs, order numbers, Luhn-invalid numbers,
example.com addresses), so precision can be measured too.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import unicodedata
import uuid

FIRST = ["Amina", "Jean", "Grace", "Mohammed", "Sofia", "Peter", "Fatima", "John", "Mary", "Ahmed", "Lucy", "David",
         "Hélène", "Ibrahim", "Nadia", "Samuel", "Esther", "Omar", "Rose", "Joseph", "Aisha", "Daniel", "Miriam", "Paul"]
LAST = ["Yusuf", "Mbala", "Achieng", "Al-Rashid", "Lindqvist", "Okello", "Diallo", "Garang", "Wanjiru", "Hassan",
        "Nyambura", "Mensah", "Dubois", "Kamara", "Haddad", "Otieno", "Mwangi", "Farah", "Adeyemi", "Deng", "Kiir"]
PLACES = ["Juba", "Nairobi", "Kampala", "Geneva", "New York", "Goma", "Bangui", "Amman", "Beirut", "Kabul"]
CARDS = ["4111 1111 1111 1111", "5500 0055 5555 5559", "4012 8888 8888 1881", "5105 1051 0510 5100",
         "4000 0566 5566 5556", "3782 822463 10005", "6011 1111 1111 1117"]
IBANS = ["GB82 WEST 1234 5698 7654 32", "DE89 3704 0044 0532 0130 00", "FR14 2004 1010 0505 0001 3M02 606",
         "CH93 0076 2011 6238 5295 7", "NL91 ABNA 0417 1643 00"]
SSNS = ["536-22-8843", "412-67-3390", "623-45-1178", "287-65-4321", "345-11-2290"]
FILLER = [
    "The working group reviewed the logistics plan for the rainy season and agreed on the revised schedule.",
    "Warehouse capacity remains a concern; the team will assess options for additional storage before the next cycle.",
    "Participants noted the progress made on the registration campaign and the need for additional interpreters.",
    "The budget revision will be submitted to the programme management committee at its next session.",
    "Security advisories for the northern routes remain in force until further notice from the security section.",
    "Training on the new case management procedures is planned for all field staff during the first quarter.",
    "The coordination meeting discussed distribution figures, transport arrangements and the monitoring framework.",
    "Please ensure that the quarterly reports are uploaded to the shared folder before the end of the month.",
]
DECOYS = [
    "Version 2.14.1 (build 3.8.0.1127) was deployed after change request CR-2024-00981.",
    "Order ORD-2024-000123 and invoice INV-2025-04417 were reconciled on the ledger.",
    "Trace id {uuid} was attached to the incident ticket.",
    "Commit {sha} fixed the export bug.",
    "Reference number {badcard} was rejected by the validator.",
    "Contact support@example.com or helpdesk@example.org for assistance.",
    "The sample account GB82 WEST 1234 5698 7654 33 failed the checksum.",
    "Shipment 1Z999AA10123456784 is expected in 3-5 working days.",
]


def _person(rng):
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _email(name, rng):
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".").replace("-", "") + "@" + rng.choice(
        ["unhcr-field.org", "un-juba.org", "mission-ss.org", "ngo-partner.net"])


def _phone(rng):
    # number ranges that are allocated (libphonenumber validates them, as real numbers are)
    return rng.choice(["+211 9{8}{1} {2}{3}{4} {5}{6}{7}", "+254 7{0}{1} {2}{3}{4} {5}{6}{7}",
                       "+256 77{0} {1}{2}{3} {4}{5}{6}"]).format(*[rng.randint(0, 9) for _ in range(8)],
                                                                rng.choice("125789"))


def _bad_card(rng):
    digits = [rng.randint(0, 9) for _ in range(16)]
    s = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d for i, d in enumerate(digits))
    if s % 10 == 0:
        digits[-1] = (digits[-1] + 1) % 10
    return " ".join("".join(map(str, digits[i:i + 4])) for i in range(0, 16, 4))


def make_doc(rng, kind, planted):
    lines = []
    def plant(entity, value):
        planted.append((entity, value))
        return value
    if kind == "memo":
        n = _person(rng)
        lines += [f"To: {plant('PERSON', n)}", f"From: Head of Office, {rng.choice(PLACES)}", "", "Subject: staff matters", ""]
        lines += rng.sample(FILLER, 3)
        lines.append(f"Please contact {plant('PERSON', _person(rng))} at {plant('EMAIL_ADDRESS', _email(_person(rng), rng))} "
                     f"or on {plant('PHONE_NUMBER', _phone(rng))} for details.")
    elif kind == "payment":
        lines += rng.sample(FILLER, 2)
        lines.append(f"The corporate card {plant('CREDIT_CARD', rng.choice(CARDS))} was charged for the fuel invoice.")
        lines.append(f"Transfer to IBAN {plant('IBAN_CODE', rng.choice(IBANS))} was approved.")
    elif kind == "hr":
        lines.append("Name,Email,Phone,SSN")
        for _ in range(rng.randint(3, 8)):
            n = _person(rng)
            lines.append(f"{plant('PERSON', n)},{plant('EMAIL_ADDRESS', _email(n, rng))},{plant('PHONE_NUMBER', _phone(rng))},"
                         f"{plant('US_SSN', rng.choice(SSNS))}")
    elif kind == "log":
        for _ in range(rng.randint(5, 15)):
            ip = f"{rng.randint(11, 199)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            lines.append(f"2026-11-0{rng.randint(1, 9)}T0{rng.randint(0, 9)}:1{rng.randint(0, 9)}:00Z INFO request from {plant('IP_ADDRESS', ip)} ok")
    else:  # decoys only
        lines += rng.sample(FILLER, 4)
        for d in rng.sample(DECOYS, 4):
            lines.append(d.format(uuid=uuid.UUID(int=rng.getrandbits(128)), sha="%040x" % rng.getrandbits(160),
                                  badcard=_bad_card(rng)))
    # pad with filler to a realistic office-document size
    target = rng.randint(2_000, 12_000)
    while sum(len(l) + 1 for l in lines) < target:
        lines.insert(rng.randint(0, len(lines)), " ".join(rng.sample(FILLER, 3)))
    return "\n".join(lines) + "\n"


KINDS = ["memo", "payment", "hr", "log", "decoy", "decoy"]     # documents in turn: a third decoy-only


def generate(out_dir: str, size_mb: float, seed: int = 1) -> list:
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    planted_all, total, i = [], 0, 0
    while total < size_mb * 1_000_000:
        kind = KINDS[i % len(KINDS)]
        planted = []
        text = make_doc(rng, kind, planted)
        rel = f"{kind}/doc{i:05d}.txt"
        os.makedirs(os.path.join(out_dir, kind), exist_ok=True)
        with open(os.path.join(out_dir, rel), "w", encoding="utf-8") as fh:
            fh.write(text)
        planted_all += [{"path": rel, "entity_type": e, "value": v} for e, v in planted]
        total += len(text.encode())
        i += 1
    with open(os.path.join(out_dir, "planted.json"), "w") as fh:
        json.dump(planted_all, fh)
    return planted_all


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out_dir")
    ap.add_argument("--size-mb", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    p = generate(a.out_dir, a.size_mb, a.seed)
    print(f"{len(p)} planted values in {a.out_dir}")

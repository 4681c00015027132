"""CPU per MB by kind of file: where the detection costs far more than on average.

    python benchmarks/bench_kinds.py [--mb 1.2] [--seed 7] [--only ledger_csv,hex_dump] [--keep DIR]

Generates one file of about ``--mb`` MB for each of 35 kinds of realistic files (CSV exports,
ledgers and invoices, JSON and JSON Lines, web, application and system logs, an mbox, HTML,
Markdown, SQL dumps, fixed-width reports, source code, YAML, lock files, measurements, GPS
tracks, vCards, XML, hex dumps, prose in seven languages), every value drawn fresh (Faker; names,
e-mail addresses, phone numbers and IP addresses from ``corpus.Values``), and measures dataguard's
detection (``--no-ner``, the default packs) on each in this process:
CPU seconds per MB, best of two, and the ratio to the median kind measured in the same run.
A kind far above the median is a cliff (digits of another script in a chunk, a numeric ledger,
a hex dump were, before the changes the README's Performance section tells of).
"""
from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid

R = random.Random(7)
F: dict = {}
EN = None
V = None
TARGET = 1_200_000
LOCALES = ["en_US", "en_GB", "fr_FR", "es_ES", "de_DE", "ar_AA", "ru_RU", "tr_TR", "zh_CN", "it_IT"]


def _set_up(seed: int, mb: float) -> None:
    """The random source, the fakers, the values and the size of each file (module-wide: the kinds read them)."""
    global R, EN, V, TARGET
    from faker import Faker
    from corpus import Values
    R = random.Random(seed)
    F.clear()
    for i, loc in enumerate(LOCALES):
        F[loc] = Faker(loc)
        F[loc].seed_instance(seed * 100 + i)
    EN = F["en_US"]
    V = Values(seed)
    TARGET = int(mb * 1_000_000)


# Names, e-mail addresses, phone numbers and IP addresses are corpus.Values' (V.person, V.email, V.phone, V.ip).
# Dates and amounts stay here: the kinds format a date per column or language (Values.date picks a format per
# value), and an amount is a bare signed number in numeric columns and SQL (Values.amount carries a currency).
def d(): return dt.date(2015, 1, 1) + dt.timedelta(days=R.randint(0, 3600))
def ts(): return dt.datetime(2023, 1, 1) + dt.timedelta(seconds=R.randint(0, 40_000_000))
def hexs(n): return "".join(R.choice("0123456789abcdef") for _ in range(n))
def amt(): return f"{R.uniform(-50000, 90000):.2f}"
def word(): return EN.word()
def sent(): return EN.sentence(nb_words=R.randint(8, 18))


def fill(path, gen, sep="\n", head=""):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    out, n = [head] if head else [], len(head)
    while n < TARGET:
        s = gen(); out.append(s); n += len(s.encode()) + len(sep)
    with open(path, "w", encoding="utf-8") as fh: fh.write(sep.join(out) + "\n")


K = {}
def kind(f): K[f.__name__] = f; return f


def rows(file, head="", sep="\n", name=None):
    """A kind (named as the function, or ``name``) that fills ``file`` with what the function returns, one
    fresh row, line or block a call."""
    def register(row):
        def write(p): fill(f"{p}/{file}", row, sep, head)
        write.__name__ = name or row.__name__
        kind(write)
        return row
    return register


@kind
def ledger_csv(p):   # the known cliff, for reference
    c = [0]
    def row():
        c[0] += 1
        return f"{c[0]},{d()},{R.randint(10**9,10**10-1)},{amt()},{R.randint(1,500)},REF{R.randint(0,999999):06d},{amt()}"
    fill(p + "/ledger.csv", row, head="id,date,account,amount,qty,ref,balance")

@rows("trades.csv", head="time,symbol,price,volume,side,order_id,change")
def trades_csv():   # market data: timestamps, prices, volumes, order ids
    t = ts(); return (f"{t.isoformat()}.{R.randint(0,999999):06d},{R.choice(['AAPL','MSFT','VOD.L','BNP.PA','7203.T'])},"
                      f"{R.uniform(10,900):.4f},{R.randint(1,100000)},{R.choice('BS')},{R.randint(10**11,10**12-1)},{R.uniform(-5,5):.6f}")

@rows("invoices.csv", head="invoice;date;customer;cust_no;net;vat_rate;vat;currency;po")
def invoices_csv():  # accounting export with IBANs-less amounts, VAT, invoice numbers
    return (f"INV-{R.randint(2019,2025)}-{R.randint(0,999999):06d};{d():%d.%m.%Y};{EN.company().replace(';',' ')};"
            f"{R.randint(10000,99999)};{R.uniform(10,90000):.2f};{R.choice([0,7,19,20])};{R.uniform(1,9000):.2f};EUR;{R.randint(100000,999999)}")

@rows("staff.csv", head="emp_id,name,email,phone,hired,reviewed,title,salary,city,postcode,street,sex,birth")
def hr_csv():
    loc = R.choice(["en_US", "en_GB", "fr_FR", "es_ES", "de_DE"]); n = V.person(); f = F[loc]
    return ",".join([str(R.randint(10000, 99999)), n, V.email(n), V.phone(), str(d()), str(d()),
                     f.job().replace(",", " "), f"{R.randint(25000,150000)}", f.city(), f.postcode(),
                     f.street_address().replace(",", " "), R.choice(["M", "F"]), f"{R.randint(1950,2003)}-{R.randint(1,12):02d}-{R.randint(1,28):02d}"])

@kind
def json_api(p):
    recs = []
    n = [0]
    def rec():
        n[0] += 1; nm = V.person()
        return {"id": str(uuid.UUID(int=R.getrandbits(128))), "seq": n[0], "user": {"name": nm, "email": V.email(nm), "phone": V.phone(),
                "address": {"street": EN.street_address(), "city": EN.city(), "zip": EN.postcode(), "geo": [round(R.uniform(-90, 90), 6), round(R.uniform(-180, 180), 6)]}},
                "created_at": ts().isoformat() + "Z", "orders": [{"sku": f"SKU-{R.randint(0,99999):05d}", "qty": R.randint(1, 9), "price": round(R.uniform(1, 500), 2)} for _ in range(R.randint(1, 4))],
                "tags": [word() for _ in range(3)], "score": round(R.random(), 4), "active": R.random() < .5}
    size = 0
    while size < TARGET:
        r = rec(); recs.append(r); size += len(json.dumps(r, indent=2))
    os.makedirs(p, exist_ok=True)
    json.dump({"data": recs, "meta": {"count": len(recs)}}, open(p + "/api.json", "w"), indent=2)

@kind
def json_numeric(p):  # telemetry: arrays of numbers and ids
    recs = []; size = 0
    while size < TARGET:
        r = {"device": hexs(16), "ts": R.randint(1_600_000_000_000, 1_700_000_000_000), "seq": R.randint(0, 10**9),
             "vals": [round(R.gauss(0, 100), 3) for _ in range(8)], "counter": R.randint(10**9, 10**10 - 1), "fw": f"{R.randint(1,9)}.{R.randint(0,20)}.{R.randint(0,99)}"}
        s = json.dumps(r); recs.append(s); size += len(s) + 1
    os.makedirs(p, exist_ok=True); open(p + "/telemetry.json", "w").write("[\n" + ",\n".join(recs) + "\n]\n")

@rows("events.jsonl")
def jsonl_events():
    nm = V.person()
    return json.dumps({"ts": ts().isoformat() + "Z", "level": R.choice(["info", "warn", "error"]), "event": R.choice(["login", "purchase", "logout", "update"]),
                       "user_id": R.randint(1, 10**7), "email": V.email(nm), "ip": V.ip(), "ua": EN.user_agent(), "session": hexs(32),
                       "amount": round(R.uniform(0, 999), 2), "request_id": str(uuid.UUID(int=R.getrandbits(128)))})

@rows("access.log")
def access_log():
    t = ts()
    q = "&".join(f"{word()}={R.choice([str(R.randint(0,10**6)), word(), hexs(8)])}" for _ in range(R.randint(0, 4)))
    return (f'{V.ip()} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{R.choice(["GET","POST"])} /{word()}/{word()}/{R.randint(1,99999)}{"?" + q if q else ""} HTTP/1.1" '
            f'{R.choice([200,200,200,301,404,500])} {R.randint(100,99999)} "https://www.{EN.domain_name()}/{word()}" "{EN.user_agent()}"')

@rows("app.log")
def app_log():
    t = ts(); r = R.random()
    if r < 0.1:
        return (f"{t:%Y-%m-%d %H:%M:%S},{R.randint(0,999):03d} ERROR [{R.choice(['worker-1','http-nio-8080-exec-7'])}] c.a.s.{word().title()}Service - Failed to process order={R.randint(10**6,10**8)}\n"
                + "\n".join(f"\tat com.acme.{word()}.{word().title()}.{word()}({word().title()}.java:{R.randint(10,999)})" for _ in range(R.randint(5, 15))))
    kv = " ".join(f"{k}={v}" for k, v in [("user_id", R.randint(1, 10**7)), ("duration_ms", R.randint(1, 9999)), ("bytes", R.randint(1, 10**7)),
                                           ("trace", hexs(16)), ("span", hexs(8)), ("status", R.choice([200, 201, 404])), ("client", V.ip())] if R.random() < .7)
    return f"{t:%Y-%m-%dT%H:%M:%S}.{R.randint(0,999):03d}Z INFO  {R.randint(1000,99999)} --- [{word()}] {sent()} {kv}"

@rows("syslog")
def syslog():
    t = ts(); h = f"srv-{R.randint(1,99):02d}"
    return R.choice([
        f"{t:%b %d %H:%M:%S} {h} sshd[{R.randint(100,65000)}]: Accepted publickey for {EN.user_name()} from {V.ip()} port {R.randint(1024,65535)} ssh2: RSA SHA256:{base64.b64encode(R.randbytes(32)).decode()[:43]}",
        f"{t:%b %d %H:%M:%S} {h} kernel: [{R.uniform(0,999999):.6f}] eth0: link up, {R.choice([100,1000])} Mbps, full duplex",
        f"{t:%b %d %H:%M:%S} {h} CRON[{R.randint(100,65000)}]: ({EN.user_name()}) CMD (/usr/bin/backup --since {R.randint(1,99)}d)",
        f"{t:%b %d %H:%M:%S} {h} postfix/smtp[{R.randint(100,65000)}]: {hexs(10).upper()}: to=<{V.email()}>, relay=mx.{EN.domain_name()}[{V.ip()}]:25, delay={R.uniform(0,9):.2f}, status=sent (250 2.0.0 OK {R.randint(10**9,10**10)})",
        f"{t:%b %d %H:%M:%S} {h} systemd[1]: Started Session {R.randint(1,99999)} of user {EN.user_name()}."])

@rows("archive.mbox")
def mbox():
    a, b = V.person(), V.person(); t = ts()
    body = "\n\n".join(EN.paragraph(nb_sentences=R.randint(3, 7)) for _ in range(R.randint(1, 4)))
    return (f"From {V.email(a)} {t:%a %b %d %H:%M:%S %Y}\nFrom: {a} <{V.email(a)}>\nTo: {b} <{V.email(b)}>\nCc: {V.email()}\nDate: {t:%a, %d %b %Y %H:%M:%S} +0000\n"
            f"Subject: {EN.catch_phrase()}\nMessage-ID: <{hexs(24)}@{EN.domain_name()}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
            f"Received: from mail.{EN.domain_name()} ([{V.ip()}]) by mx.{EN.domain_name()} with ESMTPS id {hexs(12)}\n\n"
            f"Hi {b.split()[0]},\n\n{body}\n\nBest regards,\n{a}\n{EN.job()}\n{EN.company()}\nTel: {V.phone()}\nMobile: {V.phone()}\n{EN.address()}\n")

@rows("report.html", head="<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Report</title><style>td{padding:2px}</style></head><body><table>\n<tr><th>ID</th><th>Name</th><th>Email</th><th>Phone</th><th>Date</th><th>Amount</th></tr>")
def html_table():
    nm = V.person()
    return f"<tr><td>{R.randint(1,10**6)}</td><td>{nm}</td><td><a href=\"mailto:{V.email(nm)}\">{V.email(nm)}</a></td><td>{V.phone()}</td><td>{d()}</td><td class=\"num\">{amt()}</td></tr>"

@rows("page.html", head="<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>")
def html_page():
    return R.choice([f"<div class=\"card col-md-{R.randint(1,12)}\" id=\"c{hexs(6)}\" data-id=\"{R.randint(1,10**8)}\"><h3>{EN.catch_phrase()}</h3><p>{EN.paragraph()}</p></div>",
                     f"<a href=\"https://{EN.domain_name()}/{word()}?id={R.randint(1,10**6)}&amp;ref={hexs(8)}\" class=\"btn btn-{word()}\">{word()}</a>",
                     f"<script src=\"/static/js/{word()}.{hexs(8)}.js\" integrity=\"sha384-{base64.b64encode(R.randbytes(48)).decode()}\"></script>",
                     f"<img src=\"data:image/png;base64,{base64.b64encode(R.randbytes(R.randint(200,800))).decode()}\" alt=\"{word()}\">"])

@rows("notes.md")
def markdown():
    if R.random() < .5:
        rows = "\n".join(f"| {V.person()} | {R.randint(1,999)} | {R.uniform(0,100):.1f}% | {d()} | {amt()} |" for _ in range(R.randint(5, 20)))
        return f"\n## {EN.catch_phrase()}\n\n| Name | Count | Share | Date | Total |\n|---|---:|---:|---|---:|\n{rows}\n"
    return f"\n### {EN.catch_phrase()}\n\n{EN.paragraph(nb_sentences=5)}\n\n- {sent()}\n- {sent()}\n\n```bash\ncurl -H 'X-Req: {hexs(16)}' https://{EN.domain_name()}/api/v{R.randint(1,3)}/{word()}/{R.randint(1,99999)}\n```\n"

@rows("dump.sql", head="-- MySQL dump 10.13\nDROP TABLE IF EXISTS `customers`;\nCREATE TABLE `customers` (`id` int, `name` varchar(80), `email` varchar(120), `phone` varchar(40), `created` datetime, `balance` decimal(12,2), `active` tinyint, `token` char(32));")
def sql_dump():
    vals = []
    for _ in range(R.randint(20, 60)):
        nm = V.person()
        vals.append(f"({R.randint(1,10**7)},'{nm.replace(chr(39), '')}','{V.email(nm)}','{V.phone()}','{ts():%Y-%m-%d %H:%M:%S}',{amt()},{R.randint(0,1)},'{hexs(32)}')")
    return "INSERT INTO `customers` VALUES " + ",".join(vals) + ";"

@rows("ledger.sql")
def sql_numeric():
    return "INSERT INTO `ledger` VALUES " + ",".join(
        f"({R.randint(1,10**8)},'{d()}',{R.randint(10**9,10**10-1)},{amt()},{R.randint(1,500)},{amt()})" for _ in range(R.randint(20, 60))) + ";"

@kind
def fixed_width(p):
    c = [0]
    def row():
        c[0] += 1
        return f"{c[0]:>8} {d():%d/%m/%Y} {R.randint(10**7,10**8-1):>10} {EN.company()[:28]:<28} {R.uniform(-99999,99999):>14,.2f} {R.uniform(0,999999):>14,.2f} {R.choice(['DR','CR'])}"
    fill(p + "/report.txt", row, head="  LINE   DATE       ACCOUNT    DESCRIPTION                        DEBIT         BALANCE")

@rows("module.py")
def source_code():
    fn = "_".join(EN.words(2))
    return R.choice([
        f"def {fn}(x, y={R.randint(0,999)}):\n    \"\"\"{sent()}\"\"\"\n    h = hashlib.sha256(b'{hexs(16)}').hexdigest()\n    if x > {R.uniform(0,1):.6f}:\n        return {{'id': '{uuid.UUID(int=R.getrandbits(128))}', 'v': {R.randint(0,10**9)}}}\n    return None\n",
        f"{fn.upper()} = '{base64.b64encode(R.randbytes(R.randint(30,120))).decode()}'\n",
        f"# sha1 {hexs(40)}  commit {hexs(7)} {ts():%Y-%m-%d}\nCHECKSUMS['{word()}.tar.gz'] = '{hexs(64)}'\n",
        f"    assert abs(result - {R.gauss(0,1000):.9f}) < 1e-{R.randint(3,9)}, '{sent()}'\n"])

@rows("values.yaml")
def config_yaml():
    s = word()
    return (f"{s}_{R.randint(1,9999)}:\n  image: registry.{EN.domain_name()}/{word()}:{R.randint(1,9)}.{R.randint(0,30)}.{R.randint(0,99)}@sha256:{hexs(64)}\n"
            f"  replicas: {R.randint(1,9)}\n  port: {R.randint(1024,65535)}\n  uid: {uuid.UUID(int=R.getrandbits(128))}\n  checksum: {hexs(40)}\n  cert: |\n    "
            + "\n    ".join(base64.b64encode(R.randbytes(48)).decode() for _ in range(R.randint(2, 8))) + f"\n  timeout: {R.uniform(0,60):.1f}s\n")

@rows("package-lock.json", head='{\n  "name": "app",\n  "lockfileVersion": 3,\n  "packages": {')
def lockfile():  # package-lock.json style
    n = "-".join(EN.words(R.randint(1, 2)))
    return (f'    "node_modules/{n}": {{\n      "version": "{R.randint(0,20)}.{R.randint(0,40)}.{R.randint(0,99)}",\n'
            f'      "resolved": "https://registry.npmjs.org/{n}/-/{n}-{R.randint(0,9)}.{R.randint(0,9)}.{R.randint(0,9)}.tgz",\n'
            f'      "integrity": "sha512-{base64.b64encode(R.randbytes(64)).decode()}",\n      "dev": true\n    }},')

@rows("measurements.tsv", head="t\tch1\tch2\tch3\tch4\tch5\tch6\tch7\tch8\tch9")
def science_floats():
    return "\t".join([f"{R.uniform(0,1000):.6f}"] + [f"{R.gauss(0,1):.8e}" if R.random() < .3 else f"{R.gauss(100,40):.5f}" for _ in range(9)])

@rows("counts.csv", head="gene," + ",".join(f"S{i}" for i in range(24)))
def science_ints():  # counts matrix (e.g. gene expression)
    return f"ENSG{R.randint(0,99999999999):011d}," + ",".join(str(int(R.expovariate(1 / 800))) for _ in range(24))

@rows("track.csv", head="time,lat,lon,ele,speed,sats,hdop")
def gps():
    t = ts()
    return f"{t.isoformat()}Z,{R.uniform(-90,90):.7f},{R.uniform(-180,180):.7f},{R.uniform(0,3000):.1f},{R.uniform(0,40):.2f},{R.randint(3,14)},{R.uniform(0.5,5):.1f}"

@rows("track.gpx", head='<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>')
def gpx():
    return f'<trkpt lat="{R.uniform(-90,90):.7f}" lon="{R.uniform(-180,180):.7f}"><ele>{R.uniform(0,3000):.1f}</ele><time>{ts().isoformat()}Z</time></trkpt>'

def prose(loc, extra):
    """Paragraphs of ``loc``'s faker, each ending with ``extra``'s sentence of numbers and contacts."""
    def para():
        f = F[loc]
        return f.paragraph(nb_sentences=R.randint(3, 8)) + " " + extra(f)
    return para

ML = {
    "fr_FR": lambda f: f"Le montant de {R.randint(100,99999)},{R.randint(0,99):02d} € a été versé le {d():%d/%m/%Y} (réf. {R.randint(10**6,10**9)}). Contact : {f.name()}, {f.phone_number()}.",
    "es_ES": lambda f: f"El pago de {R.randint(100,99999)},{R.randint(0,99):02d} € se realizó el {d():%d/%m/%Y}, expediente nº {R.randint(10**5,10**8)}. Tel. {f.phone_number()}.",
    "ar_AA": lambda f: f"تم دفع مبلغ {R.randint(100,99999)} دينار بتاريخ {d():%d/%m/%Y} رقم الملف {R.randint(10**5,10**8)} الهاتف {R.randint(10**9,10**10-1)}",
    "ru_RU": lambda f: f"Сумма {R.randint(100,999999)} руб. перечислена {d():%d.%m.%Y}, договор № {R.randint(10**5,10**8)}. Тел.: {f.phone_number()}. ИНН {R.randint(10**9,10**10-1)}.",
    "tr_TR": lambda f: f"{d():%d.%m.%Y} tarihinde {R.randint(100,99999)},{R.randint(0,99):02d} TL ödendi, dosya no {R.randint(10**5,10**8)}. Tel: {f.phone_number()}.",
    "zh_CN": lambda f: f"于{d():%Y年%m月%d日}支付{R.randint(100,999999)}元，合同编号{R.randint(10**7,10**10)}，联系电话{f.phone_number()}。",
}
for loc, extra in ML.items():
    rows(f"text_{loc}.txt", sep="\n\n", name="prose_" + loc[:2])(prose(loc, extra))
rows("memo.txt", sep="\n\n", name="prose_en")(prose("en_US", lambda f: f"Invoice {R.randint(10**5,10**8)} for ${R.randint(100,99999):,}.{R.randint(0,99):02d} was paid on {d():%B %d, %Y}. Call {f.name()} at {V.phone()}."))

@rows("contacts.vcf")
def ics_vcf():
    nm = V.person()
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{nm}\nN:{nm.split()[-1]};{nm.split()[0]};;;\nORG:{EN.company()}\nTEL;TYPE=WORK,VOICE:{V.phone()}\nTEL;TYPE=CELL:{V.phone()}\nEMAIL:{V.email(nm)}\nADR;TYPE=WORK:;;{EN.street_address()};{EN.city()};;{EN.postcode()};USA\nREV:{ts():%Y%m%dT%H%M%SZ}\nUID:{uuid.UUID(int=R.getrandbits(128))}\nEND:VCARD"

@rows("export.xml", head="<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<records>")
def xml_records():
    nm = V.person()
    return (f"  <record id=\"{R.randint(1,10**8)}\" updated=\"{ts().isoformat()}\">\n    <name>{nm}</name>\n    <email>{V.email(nm)}</email>\n    <account>{R.randint(10**9,10**10-1)}</account>\n"
            f"    <balance currency=\"EUR\">{amt()}</balance>\n    <ref>{hexs(20)}</ref>\n  </record>")

@rows("devices.csv", head="imei,tracking,order,serial,part,date")
def phone_ish_ids():  # CSV of IDs that look phone-like: IMEI, tracking numbers, long order ids
    return ",".join([str(R.randint(10**14, 10**15 - 1)), f"1Z{hexs(16).upper()}", str(R.randint(10**11, 10**12 - 1)), str(R.randint(10**7, 10**8 - 1)),
                     f"{R.randint(100,999)}-{R.randint(100,999)}-{R.randint(1000,9999)}", str(d())])

@kind
def hex_dump(p):
    c = [0]
    def row():
        c[0] += 16
        b = R.randbytes(16)
        return f"{c[0]:08x}  " + " ".join(f"{x:02x}" for x in b[:8]) + "  " + " ".join(f"{x:02x}" for x in b[8:]) + "  |" + "".join(chr(x) if 32 <= x < 127 else "." for x in b) + "|"
    fill(p + "/dump.txt", row)


def generate(out: str, mb: float = 1.2, seed: int = 7, only=None) -> list:
    """One folder per kind under ``out``; -> the kinds written."""
    _set_up(seed, mb)
    done = []
    for k, f in K.items():
        if only and k not in only:
            continue
        f(os.path.join(out, k))
        done.append(k)
    return done


def measure(root: str, kinds: list) -> list:
    """[(kind, MB, best CPU seconds of two, matches)] of the detection on each kind's folder."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.dirname(here))
    sys.path.insert(0, here)
    from profile_main import _packs_and_kwargs, iterate
    from dataguard.scanner.executors import cached_detector
    _, kw = _packs_and_kwargs()
    det = cached_detector(kw)
    rows = []
    for k in kinds:
        folder = os.path.join(root, k)
        pieces = [p for p in iterate(folder) if hasattr(p, "text")]
        mb = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder)) / 1e6
        list(det.analyze(pieces[:5]))           # (its patterns compiled: not this kind's cost)
        best, found = float("inf"), 0
        for _ in range(2):
            t = time.process_time()
            found = sum(len(ms) for _, ms in det.analyze(pieces))
            best = min(best, time.process_time() - t)
        rows.append((k, mb, best, found))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=1.2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", default="", help="kinds, comma-separated")
    ap.add_argument("--keep", default=None, help="write the files here and keep them")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    with tempfile.TemporaryDirectory() as tmp:
        root = a.keep or tmp
        rows = measure(root, generate(root, a.mb, a.seed, only))
    median = statistics.median(best / mb for _, mb, best, _ in rows)
    print(f"{'kind':16s} {'MB':>5s} {'CPU s':>6s} {'s/MB':>5s} {'x median':>8s} {'matches':>7s}")
    for k, mb, best, found in sorted(rows, key=lambda r: -r[2] / r[1]):
        print(f"{k:16s} {mb:5.2f} {best:6.2f} {best / mb:5.2f} {best / mb / median:8.2f} {found:7d}")
    print(f"median {median:.2f} CPU s per MB")


if __name__ == "__main__":
    main()

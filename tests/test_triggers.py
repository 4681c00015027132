"""Cheap-first detection: the trigger pass (Hyperscan and pure Python give the same
windows)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import time
import unicodedata

import pytest

from dataguard.detect import triggers as trig_mod
from dataguard.detect.entities import TRIGGERS as _TRIGGERS
from dataguard.detect.entities import known_entities
from dataguard.detect.entities import WINDOW_PAD as _WINDOW_PAD
from dataguard.detect.windows import windows as _windows
from dataguard.detect.triggers import TriggerSet

DIGIT_RUN = r"\d(?:[ \-.()/\xa0]{0,3}\d){8,}"       # 9+ digits, separators of up to three characters
WORDS = {"health": ["hiv", "diagnosis", "santé mentale", "icd"], "pw": ["pass", "pwd", "://"]}

TEXTS = [
    "Call +254 722 123 456 or 020 7946 0958; card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00.\n"
    "Server 10.20.30.40 and fe80::1ff:fe23:4567:890a; mail jane.doe@unhcr.org, see https://intranet.example.org.\n",
    "Diagnosis: HIV. Santé mentale — suivi. Patient né le 12/03/1985, tél. 06 12 34 56 78, pass=Xk9!vv2.\n" * 3,
    "Référence ٠١٢٣٤٥٦٧٨٩ et numéro 0712 345 678 (Kenya) — ICD-10 F32.1, ssn 078-05-1120.\n",
    "",
    "no digits at all, only words and a lone @ sign",
    "ÉLÈVE Ø 9999-99-9999 ½ € 12 34 56 78 90 12 " * 50,
    "hosts 10.0.0.1,192.168.1.254;8.8.8.8\nversion 1.22.3.4567 build 2.0.1.1234 end 172.16.0.1",
]


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_ip_trigger_opens_no_window_on_a_version_number(use_hyperscan):
    """Four numbers followed by a digit (a version, a dotted code) are no IPv4 address; IPv4
    addresses next to each other, and one at the end of the text, are each a hit."""
    ts = TriggerSet({"ip": _TRIGGERS["IP_ADDRESS"]}, {}, use_hyperscan=use_hyperscan)
    text = TEXTS[-1]
    spans = ts.find(text, text.lower()).get("ip", [])
    for ip in ("10.0.0.1", "192.168.1.254", "8.8.8.8", "172.16.0.1"):
        at = text.index(ip)
        assert any(s <= at and at + len(ip) <= e for s, e in spans), ip
    for version in ("1.22.3.4567", "2.0.1.1234"):
        at = text.index(version)
        assert not any(s < at + len(version) and at < e for s, e in spans), version


def _python_only(ts: TriggerSet) -> TriggerSet:
    return TriggerSet(dict(_TRIGGERS), WORDS, use_hyperscan=False)


def _windows_of(found: dict, text: str) -> dict:
    return {name: _windows(spans, text, _WINDOW_PAD) for name, spans in found.items()}


def _unicode_regexes(ts: TriggerSet) -> dict:
    """Each regex trigger of the set as Python's Unicode-aware regex."""
    return {name: re.compile(p) for name, p in ts._sources[0].items()}


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
@pytest.mark.parametrize("text", TEXTS)
def test_hyperscan_and_python_give_the_same_windows(text):
    fast = TriggerSet(dict(_TRIGGERS), WORDS)
    assert fast.accelerated
    slow = _python_only(fast)
    low = text.lower()
    f, s = fast.find(text, low), slow.find(text, low)
    assert set(f) == set(s)
    assert _windows_of(f, text) == _windows_of(s, text)
    # and every Python hit lies inside a Hyperscan hit span
    for name, spans in s.items():
        for a, b in spans:
            assert any(x <= a and b <= y for x, y in f[name]), (name, a, b)


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_hyperscan_and_python_agree_on_every_recognizers_trigger():
    """The triggers the recognizers declare (words, exact words, case-insensitive regexes)
    give the same windows both ways."""
    from dataguard.detect import DetectorConfig, registry
    from dataguard.detect.windows import trigger_set
    from dataguard.rules import load_packs
    packs = load_packs(None, known_entities())
    custom = tuple(r for p in packs for r in p.recognizers)
    everywhere = tuple(sorted({c for r in custom for c in r.countries} | {"US", "KE"}))
    recs = registry.build(known_entities() | {r.entity for r in custom},
                          DetectorConfig(countries=everywhere, custom=custom))
    fast, slow = trigger_set(recs, hyperscan_after=0), trigger_set(recs, use_hyperscan=False)
    assert fast.accelerated and not slow.accelerated
    # Hyperscan takes every regex trigger: one it refuses (a look-around, too large a pattern)
    # runs as a Python regex over every chunk, a tenth of the detection time on dense text
    assert not fast._py_only_rx, sorted(fast._py_only_rx)
    texts = TEXTS + ["aws AKIA key, Maria's AIDA; SECRET_ACCESS; HIV, STI but still; P<UTO<<ANNA; ConFidential",
                     "رقم جواز السفر N01234567، passeport n° 12AB34567, pasaporte AAB123456; SWIFT رمز سويفت KCBLKENX"]
    for text in texts:
        f, s = fast.find(text), slow.find(text)
        assert set(f) == set(s)
        assert _windows_of(f, text) == _windows_of(s, text)


def test_python_triggers_find_exact_spans():
    ts = TriggerSet({"PHONE_NUMBER": DIGIT_RUN, "EMAIL_ADDRESS": "@"}, WORDS, use_hyperscan=False)
    text = "Tel 020 - 7946 0958, mail a@b.org; HIV and pwd"
    found = ts.find(text)
    assert found["PHONE_NUMBER"] == [(4, 19)]                    # separators up to three characters
    assert found["EMAIL_ADDRESS"] == [(text.index("@"), text.index("@") + 1)]
    assert found["health"] == [(text.index("HIV"), text.index("HIV") + 3)]
    assert found["pw"] == [(text.index("pwd"), text.index("pwd") + 3)]
    assert "nothing" not in ts.find("nothing to see")


def test_unicode_digits_fall_back_to_python_regexes():
    ts = TriggerSet({"PHONE_NUMBER": DIGIT_RUN}, {})
    text = "رقم ٠٧١٢٣٤٥٦٧٨ هنا"
    assert ts.find(text)["PHONE_NUMBER"] == [(4, 14)]


def test_a_latin1_text_holds_no_digit_beyond_ascii_and_lower_cases_to_latin1():
    """What ``TriggerSet.find`` skips in a text of Latin-1: the search for digits beyond ASCII,
    and for the words only Python looks for (each has a character beyond Latin-1)."""
    latin1 = "".join(map(chr, range(256)))
    assert trig_mod._NON_ASCII_DIGIT.search(latin1) is None
    assert len(trig_mod.lower_aligned(latin1).encode("latin-1")) == 256


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_words_beyond_latin1_are_found_in_a_text_beyond_latin1_only(use_hyperscan):
    ts = TriggerSet({}, {"phone": ["phone", "هاتف"]}, use_hyperscan=use_hyperscan)
    assert ts.find("Téléphone: 0712 345 678, هاتف") == {"phone": [(4, 9), (25, 29)]}
    assert ts.find("Téléphone: 0712 345 678") == {"phone": [(4, 9)]}


@pytest.mark.parametrize("listed", [True, False])
def test_the_table_of_digits_beyond_ascii_takes_every_such_digit_to_its_value(monkeypatch, listed):
    """The table made from the runs of ten digits (their zeros listed for Python 3.11's Unicode, or
    found by reading every tenth code point) is the one made by reading every code point."""
    if not listed:
        monkeypatch.setattr(trig_mod, "_DIGIT_ZEROS_UNICODE", "")
    every = {c: 48 + unicodedata.decimal(chr(c)) for c in range(0x80, sys.maxunicode + 1)
             if trig_mod._NON_ASCII_DIGIT.match(chr(c))}
    assert trig_mod._ascii_digits.__wrapped__() == every


@pytest.mark.parametrize("use_hyperscan", [True, False])
@pytest.mark.parametrize("zero", [0x660, 0x6F0, 0x966, 0xFF10])
def test_digits_beyond_ascii_are_read_as_their_ascii_digits(use_hyperscan, zero):
    """A digit beyond ASCII (Arabic-Indic, Persian, Devanagari, full-width) is read as its ASCII
    digit, with Hyperscan (a text holding one is no longer read by Python's regexes alone) and
    without: the windows are those of the text written in ASCII digits, but for a regex with a
    negated class of ASCII digits, which reads the text as it is (Python's Unicode-aware regex)."""
    native = str.maketrans({str(d): chr(zero + d) for d in range(10)})
    regexes = {"run": DIGIT_RUN, "ten": r"\b[0-9]{10}\b", "ip": _TRIGGERS["IP_ADDRESS"]}
    ts = TriggerSet(regexes, WORDS, use_hyperscan=use_hyperscan, hyperscan_after=0)
    ascii_text = "Tel: 0712 345 678, compte 0123456789; HIV note; host 10.0.0.1, code 2.21.4.9981 fin"
    text = ascii_text.translate(native)
    found, plain = ts.find(text), ts.find(ascii_text)
    assert {n: _windows(s, text, _WINDOW_PAD) for n, s in found.items() if n != "ip"} == \
        {n: _windows(s, ascii_text, _WINDOW_PAD) for n, s in plain.items() if n != "ip"}
    assert found["ten"] and found["health"]
    ip = re.compile(_TRIGGERS["IP_ADDRESS"])
    assert found["ip"] == [m.span() for m in ip.finditer(text)]      # "9981" ends with a non-ASCII digit: [^0-9]


def test_trigger_set_without_words_or_regexes():
    ts = TriggerSet({}, {"empty": []})
    assert ts.find("anything 123") == {}


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_a_trigger_hyperscan_refuses_stays_with_python_and_the_others_keep_their_names():
    """The triggers are compiled into Hyperscan at once; when it refuses one (a back-reference),
    that one alone is searched in Python, and every hit still carries its own trigger's name
    (text and lower-case databases number their triggers as one list)."""
    ts = TriggerSet({"digits": DIGIT_RUN, "twice": r"(ab)\1", "ip": _TRIGGERS["IP_ADDRESS"]},
                    {"health": ["hiv", "diagnosis"], "greek": ["αλφα"]})
    assert ts.accelerated and set(ts._py_only_rx) == {"twice"} and "greek" not in ts._hs_names
    text = "abab at 10.0.0.1, call 0712 345 678 9; HIV diagnosis, ΑΛΦΑ"
    found = ts.find(text)
    want = {"twice": ["abab"], "ip": ["10.0.0.1"], "digits": ["0712 345 678 9"], "health": ["HIV", "diagnosis"],
            "greek": ["ΑΛΦΑ"]}
    assert set(found) == set(want)
    for name, values in want.items():
        assert len(found[name]) == len(values)
        for (s, e), v in zip(found[name], values):
            assert v in text[s:e] and len(text[s:e]) <= len(v) + 1, (name, text[s:e])


@pytest.fixture
def db_cache(tmp_path, monkeypatch):
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(folder))
    return folder


def _db_files(folder) -> list:
    return sorted(p for p in folder.iterdir() if p.name.startswith("hyperscan-")) if folder.exists() else []


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_hyperscan_is_built_once_a_process_has_scanned_enough_and_finds_the_same_hits(db_cache):
    """Building the Hyperscan databases costs more than a small scan gains from them: with
    no database in the cache, a trigger set finds with Python's regexes until it has scanned
    ``hyperscan_after`` characters, then builds them, with the same hits both ways."""
    ts = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=1000)
    slow = TriggerSet(dict(_TRIGGERS), WORDS, use_hyperscan=False)
    text = TEXTS[0] + TEXTS[2]
    assert len(text) < 1000 and not ts.accelerated
    before = ts.find(text)
    assert not ts.accelerated
    while not ts.accelerated:
        assert _windows_of(ts.find(text), text) == _windows_of(before, text)
    assert before == slow.find(text)
    assert _windows_of(ts.find(text), text) == _windows_of(before, text)
    assert _windows_of(ts.find(TEXTS[5]), TEXTS[5]) == _windows_of(slow.find(TEXTS[5]), TEXTS[5])
    assert not slow.accelerated


def test_a_detector_starts_without_hyperscan_databases(db_cache):
    """A scan of a small folder does not pay for building them (about 0.3 s of its start-up)
    when the cache folder does not hold them."""
    from dataguard.detect import Detector
    det = Detector(ner=False)
    assert not det._triggers.accelerated
    assert det._triggers._hs_due == (trig_mod.HYPERSCAN_AFTER if trig_mod._hs is not None else None)
    # its Python regexes are compiled before a scanning process forks its workers (which share them)
    assert {"_py_ascii", "_py_ascii_low", "_py_words"} <= set(vars(det._triggers))


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_a_set_with_its_databases_from_the_cache_compiles_only_the_python_regexes_it_reads(db_cache):
    """With the databases loaded at once (a scan's usual start-up), the Python readings they
    replace are never compiled (some 0.03 s of it); those of a text with digits beyond ASCII are
    compiled when one first comes, with the same hits as a set that made them at once."""
    regexes = {**_TRIGGERS, "twice": r"(ab)\1"}
    TriggerSet(regexes, WORDS, hyperscan_after=0)           # (the databases, saved in the cache folder)
    ts = TriggerSet(regexes, WORDS, hyperscan_after=None)
    assert ts.accelerated
    assert not {"_py_ascii", "_py_ascii_low", "_py_words", "_not_digit_classes"} & set(vars(ts))
    assert set(ts._py_only_rx) == {"twice"} and isinstance(ts._py_only_rx["twice"], re.Pattern)
    slow = TriggerSet(regexes, WORDS, use_hyperscan=False)
    for text in TEXTS + ["abab ٩٩٨١ 10.0.0.1 ٠٧١٢ ٣٤٥ ٦٧٨ ٩"]:
        assert _windows_of(ts.find(text), text) == _windows_of(slow.find(text), text), text
    assert "_not_digit_classes" in vars(ts) and "_py_ascii" not in vars(ts)


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_hyperscan_databases_built_once_are_loaded_from_the_cache_with_the_same_hits(db_cache, monkeypatch):
    """Databases a process built are saved in the cache folder (private files); a later trigger
    set of the same triggers loads them at once instead of building them or scanning with
    Python's regexes first, and finds the same hits."""
    built = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=0)
    files = _db_files(db_cache)
    assert len(files) == 2          # the regexes' database and the word lists'
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_cache.stat().st_mode) == 0o700
    compiles = []
    real = trig_mod._database
    monkeypatch.setattr(trig_mod, "_database", lambda *a, **k: compiles.append(a) or real(*a, **k))
    later = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=10**9)
    assert later.accelerated and later._hs_due is None and not compiles
    slow = TriggerSet(dict(_TRIGGERS), WORDS, use_hyperscan=False)
    for text in TEXTS:
        assert later.find(text) == built.find(text), text
        assert _windows_of(later.find(text), text) == _windows_of(slow.find(text), text), text
    # one more trigger: other databases (the words' too: their ids follow the regexes'), built
    other = TriggerSet({**_TRIGGERS, "case": r"CASE-\d{4}"}, WORDS, hyperscan_after=0)
    assert compiles and other.find("see CASE-1234")["case"] == [(4, 13)]
    assert len(_db_files(db_cache)) == 4


# a long regex (an alternation of labels: sighted first, then located) read as it is and lower-cased
LABELS = "|".join(("from", "to", "requested by", "reported by", "assignee", "assigned to", "owner", "approver",
                   "approved by", "prepared by", "submitted by", "reviewed by", "chair", "chaired by", "minute taker",
                   "minutes taken by", "rapporteur", "note taker", "focal point", "contact person", "caller"))
LONG = {"label": rf"\b(?:{LABELS})(?:\*\*)?(?:[ \t]*:|[ \t]*\.{{3,}})", "label-any-case": rf"(?i)\b(?:{LABELS})[ \t]*:"}
LABELLED = ["Requested by: Amina. reviewed by ... Lin\nFROM : x", "no label at all, 0712 345 678", "",
            "to:to:to : contact person:   caller.....: Owner:"]


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
@pytest.mark.parametrize("refuse_sightings", [False, True])
def test_a_long_regex_is_sighted_then_located_with_the_same_hits(db_cache, monkeypatch, refuse_sightings):
    """A long regex is sighted by the main database (without where its matches start) and
    located by a database of its own in a text where it was sighted: the hits Hyperscan gives
    it with every start reported, from databases built or loaded from the cache folder; the
    locator reads every text when Hyperscan refuses a sighting copy."""
    assert all(len(p) > trig_mod._SIGHTED_LENGTH for p in LONG.values())
    triggers = {**_TRIGGERS, **LONG}
    with monkeypatch.context() as m:
        m.setattr(trig_mod, "_SIGHTED_LENGTH", 10**6)
        m.setenv("DATAGUARD_CACHE_DIR", "")
        located = TriggerSet(dict(triggers), WORDS, hyperscan_after=0)
    if refuse_sightings:
        real = trig_mod._database
        monkeypatch.setattr(trig_mod, "_database", lambda encoded, base=0: None if any(
            n.startswith(trig_mod._SIGHT) for n in encoded) else real(encoded, base))
    built = TriggerSet(dict(triggers), WORDS, hyperscan_after=0)
    assert built._hs_text.locator is not None and built._hs_low.locator is not None
    assert built._hs_text.always == built._hs_low.always == refuse_sightings
    loaded = TriggerSet(dict(triggers), WORDS, hyperscan_after=10**9)
    assert loaded.accelerated and len(_db_files(db_cache)) == 4
    for text in LABELLED + TEXTS:
        assert built.find(text) == loaded.find(text) == located.find(text), text
    assert set(built.find(LABELLED[0])) >= {"label", "label-any-case"}


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
@pytest.mark.parametrize("damage", ["truncated", "flipped", "foreign", "reordered", "other key", "shared file",
                                    "shared folder", "link"])
def test_a_damaged_or_untrusted_database_file_is_not_used(db_cache, tmp_path, damage):
    """A database file that is not whole (its digest), names other triggers or these in another
    order (its ids would go to the wrong triggers), was made for other expressions (the key it
    records), or that someone else could write (group-writable file or folder, a symbolic link)
    is not loaded: the triggers are found with Python's regexes until the databases are built
    again."""
    TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=0)
    files = _db_files(db_cache)
    target = max(files, key=lambda f: f.stat().st_size)
    data = target.read_bytes()

    def rewrite(key=None, names=None):
        """The file with another recorded key or names list, its digest made right again."""
        magic, _, rest = data.partition(b"\n")
        _, _, body = rest.partition(b"\n")
        recorded, _, body = body.partition(b"\n")
        header, _, blob = body.partition(b"\n")
        body = (key or recorded) + b"\n" + (names or header) + b"\n" + blob
        target.write_bytes(magic + b"\n" + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
    if damage == "truncated":
        target.write_bytes(data[:len(data) // 2])
    elif damage == "flipped":
        target.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    elif damage == "foreign":       # whole, but naming triggers this set does not have
        rewrite(names=b'["someone else"]')
    elif damage == "reordered":     # the same triggers, in another order
        names = json.loads(data.split(b"\n")[3])
        rewrite(names=json.dumps(names[1:] + names[:1]).encode())
    elif damage == "other key":     # a database of other expressions under this one's name
        rewrite(key=hashlib.sha256(b"other").hexdigest().encode())
    elif damage == "shared file":
        target.chmod(0o620)
    elif damage == "shared folder":
        db_cache.chmod(0o770)
    else:
        moved = tmp_path / "elsewhere"
        target.rename(moved)
        target.symlink_to(moved)
    ts = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=10**9)
    assert not ts.accelerated
    slow = TriggerSet(dict(_TRIGGERS), WORDS, use_hyperscan=False)
    assert ts.find(TEXTS[0]) == slow.find(TEXTS[0])
    ts._accelerate()                # (built again: what it finds is Hyperscan's)
    assert _windows_of(ts.find(TEXTS[0]), TEXTS[0]) == _windows_of(slow.find(TEXTS[0]), TEXTS[0])


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_the_database_cache_keeps_the_newest_files_only(db_cache, monkeypatch):
    monkeypatch.setattr(trig_mod, "_DB_CACHE_KEEP", 3)
    for k in range(4):
        TriggerSet({f"t{k}": rf"T{k}-\d+"}, {}, hyperscan_after=0)
    names = [f.name for f in _db_files(db_cache)]
    assert len(names) == 3
    first = trig_mod._cache_name(trig_mod._encoded({"t0": r"T0-\d+"}, False), 0)
    assert first not in names


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_temporary_database_files_left_by_a_stopped_process_are_removed(db_cache):
    """A worker stopped while writing a database leaves its temporary file: removed once it is
    an hour old, when the next database is saved (a fresh one may be another process's)."""
    db_cache.mkdir(mode=0o700)
    old, fresh = db_cache / ".hyperscan-abc.tmp1", db_cache / ".hyperscan-def.tmp2"
    for f in (old, fresh):
        f.write_bytes(b"x" * 100)
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    TriggerSet({"t": r"T-\d+"}, {}, hyperscan_after=0)
    assert not old.exists() and fresh.exists() and len(_db_files(db_cache)) == 1


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_a_database_file_is_kept_only_when_it_can_be_read_whole(tmp_path, monkeypatch):
    """The size limit counts the whole file, its header too: a file over it would be read cut
    and refused, then built and written again by every process."""
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(tmp_path / "first"))
    TriggerSet({"t": r"T-\d+"}, {}, hyperscan_after=0)
    (made,) = _db_files(tmp_path / "first")
    size = made.stat().st_size
    for limit, kept in ((size - 1, False), (size, True)):
        folder = tmp_path / str(limit)
        monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(folder))
        monkeypatch.setattr(trig_mod, "_DB_CACHE_MAX", limit)
        TriggerSet({"t": r"T-\d+"}, {}, hyperscan_after=0)
        assert len(_db_files(folder)) == int(kept)
    compiles = []
    real = trig_mod._database
    monkeypatch.setattr(trig_mod, "_database", lambda *a, **k: compiles.append(a) or real(*a, **k))
    later = TriggerSet({"t": r"T-\d+"}, {}, hyperscan_after=10**9)
    assert later.accelerated and not compiles          # (the file kept at the limit is loaded)


def test_no_database_is_cached_when_the_cache_is_off(monkeypatch, tmp_path):
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    monkeypatch.chdir(tmp_path)
    ts = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=0)
    assert ts.accelerated == (trig_mod._hs is not None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_the_default_packs_databases_have_the_same_cache_file_in_every_process(tmp_path):
    """Word lists come from sets, whose order changes from one process to the next (hash
    seeds): the triggers given to Hyperscan, and so its cache files, must not."""
    import subprocess
    import sys
    probe = "from dataguard.detect import Detector\nDetector(ner=False)._triggers._accelerate()\n"
    names = set()
    for seed in ("1", "2", "3"):
        cache = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "DATAGUARD_CACHE_DIR": str(cache)}
        subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
        names.add(tuple(sorted(p.name for p in cache.iterdir() if p.name.startswith(trig_mod._DB_CACHE_PREFIX))))
    assert len(names) == 1 and len(next(iter(names))) >= 2, names


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_a_trigger_naming_a_character_beyond_latin1_is_found_by_hyperscan_too(db_cache):
    """Hyperscan reads a character beyond Latin-1 as '?': a trigger naming a symbol beyond
    Latin-1 ('•', '–') is given to it with '?' there, and finds every window Python's regex finds
    (and more: any such character there). Where '?' would find fewer (a negated class, the end of
    a range, a letter: '?' has no case and is no word character, an escape) the trigger stays
    with Python."""
    bullets = r"(?m)^[ \t]*[-*•–][ \t]+[A-Z]"
    negated = r"[^•]ab"
    # each would find less: a range ending beyond Latin-1, letters ('?' is no word character, has no case)
    others = {"range": r"[!-ſ]{3}", "cyrillic": r"(?i)\bпаспорт\b", "greek": r"(?i)μg", "escaped": r"\•x"}
    ts = TriggerSet({"bullet": bullets, "negated": negated, **others}, {}, hyperscan_after=0)
    slow = TriggerSet({"bullet": bullets, "negated": negated, **others}, {}, use_hyperscan=False)
    assert "bullet" not in ts._py_only_rx and set(ts._py_only_rx) == {"negated", *others}
    text = "Contacts\n• Amina Okafor 0722 418 930\n  – Tendai Moyo\n- Na Lin\nno bullet\n→ Callum Thompson\nxab\n"
    fast_spans, slow_spans = ts.find(text)["bullet"], slow.find(text)["bullet"]
    starts = [text.index(s) for s in ("• Amina", "  – Tendai", "- Na")]
    assert [s for s, _ in slow_spans] == starts
    assert all(any(fs <= s < fe for fs, fe in fast_spans) for s in starts)
    assert any(fs <= text.index("→") < fe for fs, fe in fast_spans)      # (read as '?' too)
    assert ts.find(text)["negated"] == slow.find(text)["negated"]


@pytest.mark.skipif(trig_mod._hs is None, reason="hyperscan wheel not installed on this platform")
def test_a_worker_loads_databases_cached_after_its_trigger_set_was_made(db_cache):
    """A trigger set made before its databases reached the cache (a scanning process that
    built its detector first, whose workers are forked from it) loads them when a process
    first finds with it, instead of scanning with Python's regexes."""
    early = TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=10**9)
    assert not early.accelerated
    TriggerSet(dict(_TRIGGERS), WORDS, hyperscan_after=0)        # another process builds and saves them
    early._looked_in_cache = -1                                  # (as in a worker forked since)
    found = early.find(TEXTS[0])
    assert early.accelerated
    slow = TriggerSet(dict(_TRIGGERS), WORDS, use_hyperscan=False)
    assert _windows_of(found, TEXTS[0]) == _windows_of(slow.find(TEXTS[0]), TEXTS[0])


@pytest.mark.parametrize("pattern, refuses", [
    (r"\d{1,3}\.\d{1,3}(?:[^0-9]|$)", True), (r"(?:^|[^!->@-~])-[pP]", True), (r"[^A-Za-z0-9()]", True),
    (r"(?![0-9])", True), (r"[^5]", True), (r"(?!a7)", True), (r"(", True),
    (r"\b\d{9}\b", False), (r"[0-9]{10}", False), (r"(?<!\d)\d{4}", False), (r"[^\d]x", False), (r"\D", False),
    (r"(?!abc)\w+", False), (r"(?<![a-z])x", False), (r"(?:[^a-z]|b)+", False)])
def test_the_regexes_that_read_a_digit_beyond_ascii_as_it_is_are_those_that_may_refuse_its_ascii_digit(pattern, refuses):
    """A trigger that may refuse an ASCII digit where it takes another script's (a negated class or a
    negative lookaround naming ASCII digits) reads a text holding such digits as it is."""
    from dataguard.detect.triggers import _refuses_ascii_digits
    assert _refuses_ascii_digits(pattern) is refuses


@pytest.mark.parametrize("use_hyperscan", [True, False])
@pytest.mark.parametrize("text", ["PRÉSENTS : Jean Dupont, Marie Curie\nréf ٤٢", "MİNUTES: Ahmed Ali\nref ４２",
                                  "Inès Mbappé........ +33 6 12 34 56 78\nref ४२", "clİent='Ahmet Yılmaz'\nref ٤٢",
                                  "name\nà ...., x\nref ٤٢"])
def test_a_text_with_digits_beyond_ascii_keeps_the_unicode_readings_of_its_letters(use_hyperscan, text):
    """Each digit read as its ASCII digit, a trigger still finds what its Unicode regex finds over
    the text as written (case beyond ASCII, a word character or a boundary next to a letter
    beyond ASCII), as when such a text was read by Python's Unicode regexes alone."""
    from dataguard.detect import DetectorConfig, registry
    from dataguard.detect.windows import trigger_set
    from dataguard.rules import load_packs
    packs = load_packs(None, known_entities())
    custom = tuple(r for p in packs for r in p.recognizers)
    recs = registry.build(known_entities() | {r.entity for r in custom}, DetectorConfig(custom=custom))
    ts = trigger_set(recs, use_hyperscan=use_hyperscan, hyperscan_after=0)
    found = ts.find(text)
    for name, rx in _unicode_regexes(ts).items():
        for m in rx.finditer(text):
            assert any(s <= m.start() and m.end() <= e for s, e in found.get(name, [])), (name, m.span())


def _letter_texts():
    """Texts without digits beyond ASCII where the ASCII reading of letters (Hyperscan's, the
    ASCII classes') differs from the Unicode one: trigger words with letters beyond ASCII in any
    case, Turkish dotted capitals, names ending in a letter beyond ASCII before a dot leader, keys
    with 'İ', a word boundary next to a letter beyond ASCII."""
    words = ["présents", "excusés", "expéditeur", "prénom", "prénoms", "employé", "allée", "chère", "sincères",
             "señora", "doña", "dña", "días", "straße", "grüßen", "à", "minutes", "client", "miss", "signed by", "kind regards",
             "patient", "attendees", "participants", "mademoiselle", "responsable", "destinataire"]
    names = ["Ayşe Güneş", "Inès Mbappé", "Zoë Ørsted", "Łukasz Wałęsa", "Ahmet Yılmaz", "José Muñoz",
             "Jürgen Weiß", "Nguyễn Văn Anh"]
    texts = []
    for w in words:
        for form in (w, w.upper(), w.capitalize(), w.replace("i", "İ").upper(), w.upper().replace("I", "İ"),
                     w.upper().replace("I", "ı"), w.replace("s", "ſ"), w.upper().replace("K", "\u212a")):
            texts += [f"{form} : Jean Dupont, Marie Curie", f"{form}: Ahmed Ali, Sara Ben", f"\n{form} ...., x",
                      f"{form}....... Ayşe Güneş", f"M. {form} Güneş", f"{form}='Ahmet Yılmaz'"]
    for n in names:
        texts += [f"{n}....... 0532 123 45 67", f"{n}........ +33 6 12 34 56 78", f"- {n}\n{n.upper()}.....x"]
    for key in ("clİent", "CLİENT", "customerİd", "name_İd", "nameş", "holder_ñame", "CLİENT_NAME"):
        texts += [f"{key}='Ahmet Yılmaz'", f"{key} = \"Inès Mbappé\""]
    return texts


@pytest.mark.parametrize("use_hyperscan", [True, False])
def test_a_text_without_digits_beyond_ascii_keeps_the_unicode_readings_of_its_letters(use_hyperscan):
    """Hyperscan and the ASCII classes read \\w, \\b and case in ASCII only: each trigger of the default
    packs still finds (a window holding) all its Unicode regex finds over the text ('PRÉSENTS :',
    'MİNUTES:', 'Ayşe Güneş.......', "clİent='", '\\nà ....')."""
    from dataguard.detect import DetectorConfig, registry
    from dataguard.detect.windows import trigger_set
    from dataguard.rules import load_packs
    if use_hyperscan and trig_mod._hs is None:
        pytest.skip("no Hyperscan")
    packs = load_packs(None, known_entities())
    custom = tuple(r for p in packs for r in p.recognizers)
    recs = registry.build(known_entities() | {r.entity for r in custom}, DetectorConfig(custom=custom))
    ts = trigger_set(recs, use_hyperscan=use_hyperscan, hyperscan_after=0)
    assert ts.accelerated is use_hyperscan
    for text in _letter_texts():
        found = ts.find(text)
        for name, rx in _unicode_regexes(ts).items():
            for m in rx.finditer(text):
                assert any(s <= m.start() and m.end() <= e for s, e in found.get(name, [])), (text, name, m.span())


def test_a_find_while_the_databases_are_built_reads_every_trigger_with_python(monkeypatch):
    """The databases are published once every Python reading they leave is compiled: a find()
    of another thread of a Dask worker while one thread builds them (simulated between the two
    kinds' databases) reads the triggers with the Python readings and finds what the built set
    finds, a regex Hyperscan refuses ("(ab)\\1": a back-reference) included."""
    if trig_mod._hs is None:
        pytest.skip("hyperscan wheel not installed on this platform")
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    regexes = {"US_SSN": _TRIGGERS["US_SSN"], "twice": r"(ab)\1\d+"}
    text = "ssn 078-05-1120 and abab12"
    real, during = trig_mod.TriggerSet._compile_kind, []

    def building(self, *args, **kwargs):
        if len(during) < 2:
            during.append(self.find(text))
        return real(self, *args, **kwargs)
    monkeypatch.setattr(trig_mod.TriggerSet, "_compile_kind", building)
    ts = trig_mod.TriggerSet(regexes, {"w": ["ssn"]}, hyperscan_after=10)
    ts.find("x" * 20)            # (past hyperscan_after: the databases are built now)
    assert ts.accelerated and len(during) == 2
    assert during[0] == during[1] == ts.find(text) and set(during[1]) == {"US_SSN", "twice", "w"}


def test_a_trigger_with_an_inline_unicode_flag_is_read_with_its_unicode_classes(monkeypatch):
    """A pack's trigger holding "(?u)" cannot be compiled with re.ASCII (a ValueError): it is read
    with Python's Unicode classes, and the set is built and finds it."""
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    ts = trig_mod.TriggerSet({"ref": r"(?u)\bREF-\d{4}\b"}, {}, use_hyperscan=False)
    assert ts.find("see REF-2024 and REF-١٢٣٤ here") == {"ref": [(4, 12), (17, 25)]}

"""Large regexes kept compiled in the cache folder (dataguard.detect.compiled): what is loaded
is the pattern itself, and a file that is not exactly what was kept is never used."""
from __future__ import annotations

import os
import re

import pytest
import regex

from dataguard.detect import compiled

SOURCES = [
    r"(?P<area>\d{3})-(?P<rest>\d+)|x(?i:abc)",
    r"(?i)straße|ǅ|Ærø",
    r"(?m)^[ \t]*(?:Mr|Dr)\.? (?P<v>\w+)$",
    r"(?<![\w-])(?:0?[1-9]|[12]\d|3[01])[/.-](?:0?[1-9]|1[0-2])[/.-](?:19|20)\d{2}(?![\w/-])",
    r"a{2,5}b?c|(?s:.)\Z",
    r"\b[!#$%&'*+\-/=?^_`{|}~\w](?:[!#$%&'*+\-/=?^_`{|}~\w.]*[!#$%&'*+\-/=?^_`{|}~\w])?@",   # (regex: no fixed offset)
]
TEXT = "tel 123-4567 xABC\n  Dr. Smith\nSTRASSE Ærø 31/12/2024 aaab\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "WORTH_S", 0.0)        # keep every regex, however quick
    return tmp_path / "cache"


def _not_compiled(*args, **kwargs):
    raise AssertionError("compiled again: the kept file was not loaded")


def _files(folder) -> list:
    return sorted(p for p in folder.iterdir() if p.name.startswith(compiled.PREFIX)) if folder.exists() else []


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_a_kept_re_pattern_loads_as_the_pattern_re_compiles(folder, source, flags, monkeypatch):
    first = compiled.re_compile(source, flags)
    assert len(_files(folder)) == 1
    with monkeypatch.context() as m:
        m.setattr(compiled._ReForm, "compile", _not_compiled)
        loaded = compiled.re_compile(source, flags)
    expected = re.compile(source, flags)
    # (re's patterns compare equal only with the same source, flags and code)
    assert loaded == expected and first == expected
    assert loaded is not expected and loaded.groupindex == expected.groupindex and loaded.groups == expected.groups
    assert [m.span() for m in loaded.finditer(TEXT)] == [m.span() for m in expected.finditer(TEXT)]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("flags", [0, regex.IGNORECASE | regex.MULTILINE])
def test_a_kept_regex_pattern_loads_as_the_pattern_regex_compiles(folder, source, flags, monkeypatch):
    compiled.regex_compile(source, flags)
    assert len(_files(folder)) == 1
    with monkeypatch.context() as m:
        m.setattr(regex, "compile", _not_compiled)
        loaded = compiled.regex_compile(source, flags)
    expected = regex.compile(source, flags=flags)
    assert loaded._pickled_data == expected._pickled_data          # the same compiled form
    assert [m.span() for m in loaded.finditer(TEXT)] == [m.span() for m in expected.finditer(TEXT)]
    assert loaded.groupindex == expected.groupindex


def test_named_groups_keep_the_order_of_the_pattern(folder):
    source = r"(?P<zulu>\d+)-(?P<alpha>\w+)-(?P<mike>x)?"
    for compile_, fresh in ((compiled.re_compile, re.compile), (compiled.regex_compile, regex.compile)):
        compile_(source)
        loaded = compile_(source)
        assert list(loaded.groupindex) == list(fresh(source).groupindex) == ["zulu", "alpha", "mike"]
        assert list(loaded.match("12-ab-x").groupdict()) == ["zulu", "alpha", "mike"]


def test_a_bytes_pattern_is_compiled_not_kept(folder):
    assert compiled.re_compile(rb"\d{3}") == re.compile(rb"\d{3}")
    assert compiled.regex_compile(rb"\d{3}").search(b"ab 123").span() == (3, 6)
    assert _files(folder) == []
    # (nor does its text's key stand for it: "b'abc'" is a pattern of its own)
    compiled.re_compile(b"abc")
    assert compiled.re_compile("b'abc'").search("abc") is None


def _plant(folder, source: str, payload: bytes, compile_) -> None:
    """A file for ``source`` holding ``payload``, with a digest that matches it."""
    import hashlib
    compile_(source)
    (path,) = _files(folder)
    rest = path.name[len(compiled.PREFIX):].encode() + b"\n" + payload
    path.write_bytes(compiled._MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest)


@pytest.mark.parametrize("payload", [
    b'[8224, "", [], 0, null, 0, 0]',                       # no code (the regex module crashes on it)
    b'[8224, "GgEB", [], 0, null, 0, 2147483647]',           # more groups than the code can hold
    b'[8224, "GgEB", [["x", 3]], 0, null, 0, 1]',            # a group name numbering no group
    b'[8224, "GgEB", [], -2, null, 0, 0]',                   # an offset below -1 (none)
    b'[8224, "GgEB", [], 0, [1114112], 0, 0]',               # a required character beyond Unicode
])
def test_a_regex_payload_out_of_bounds_reads_as_no_file(folder, payload):
    source = r"(?P<x>[A-Z]{2}\d{2})(?: ?\d{4}){3}"
    _plant(folder, source, payload, compiled.regex_compile)
    assert compiled.regex_compile(source)._pickled_data == regex.compile(source)._pickled_data


@pytest.mark.parametrize("payload", [
    b"[32, [], 1, []]",                          # no code
    b"[32, [17, 1, 1], 268435456, []]",          # more groups than the code can hold (a 2 GB list)
    b'[32, [17, 1, 1], 1, [["x", 1]]]',          # a group name numbering no group
    b"[32, [17, 1, 4294967296], 1, []]",         # an opcode beyond what _sre reads
    b"[-1, [17, 1, 1], 1, []]",                  # negative flags
])
def test_a_re_payload_out_of_bounds_reads_as_no_file(folder, payload):
    _plant(folder, r"\d+", payload, compiled.re_compile)
    assert compiled.re_compile(r"\d+") == re.compile(r"\d+")


def test_a_file_is_read_only_for_its_own_key(folder):
    compiled.re_compile(r"\d{3}")
    compiled.re_compile(r"\w{3}")
    one, other = _files(folder)
    os.replace(other, folder / "moved")
    os.replace(one, other)          # the file of the one pattern, under the name of the other
    assert compiled.re_compile(r"\d{3}") == re.compile(r"\d{3}")
    # not loaded from the foreign file: compiled again, and kept again under its own name
    assert compiled.re_compile(r"\w{3}") == re.compile(r"\w{3}")


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic", "payload"])
def test_a_damaged_file_reads_as_no_file(folder, damage):
    source = r"(?P<x>[A-Z]{2}\d{2})(?: ?\d{4}){3}"
    compiled.regex_compile(source)
    (path,) = _files(folder)
    data = path.read_bytes()
    if damage == "flip":
        data = data[:-5] + bytes([data[-5] ^ 1]) + data[-4:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "magic":
        data = b"x" + data[1:]
    else:       # a payload of another shape, with a digest that matches it
        import hashlib
        key = path.name[len(compiled.PREFIX):]
        rest = key.encode() + b"\n" + b'[1, "AAAA", [["x", "one"]], 0, null, 0, 1]'
        data = compiled._MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
    path.write_bytes(data)
    loaded = compiled.regex_compile(source)
    assert loaded._pickled_data == regex.compile(source)._pickled_data


def test_code_that_re_refuses_reads_as_no_file(folder):
    import hashlib
    source = r"\d+"
    compiled.re_compile(source)
    (path,) = _files(folder)
    key = path.name[len(compiled.PREFIX):]
    rest = key.encode() + b"\n" + b"[32, [17, 1, 99999, 1], 1, []]"       # not code _sre accepts
    path.write_bytes(compiled._MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest)
    assert compiled.re_compile(source) == re.compile(source)


def test_a_quick_regex_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "WORTH_S", 3600.0)
    compiled.re_compile(r"[a-z]+@[a-z]+")
    compiled.regex_compile(r"[a-z]+@[a-z]+")
    assert _files(tmp_path / "cache") == []


def test_nothing_is_kept_without_a_trusted_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled, "WORTH_S", 0.0)
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    assert compiled.re_compile(r"\d{4}") == re.compile(r"\d{4}")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(shared))
    assert compiled.regex_compile(r"\d{4}").search("ab 1234").span() == (3, 7)
    assert _files(shared) == []


def test_a_pattern_that_does_not_compile_fails_as_it_would(folder):
    with pytest.raises(re.error):
        compiled.re_compile(r"(unclosed")
    with pytest.raises(regex.error):
        compiled.regex_compile(r"(unclosed")
    assert _files(folder) == []


def test_a_file_holds_no_copy_of_the_source_text(folder):
    # (the compiled code spells out the literals, encoded: the source as written is not there)
    source = r"(?:Jane Q\. Testperson|ACME-SECRET-7731)"
    compiled.regex_compile(source)
    compiled.re_compile(source)
    for path in _files(folder):
        data = path.read_bytes()
        assert b"Testperson" not in data and b"ACME-SECRET" not in data
        assert path.stat().st_mode & 0o777 == 0o600

"""Large regexes kept compiled in the cache folder (dataguard.detect.compiled): what is loaded
is the pattern itself, and a file that is not exactly what was kept is never used."""
from __future__ import annotations

import json
import re

import pytest
import regex

from dataguard import cachefiles
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


def test_named_groups_keep_the_order_of_the_pattern(folder, monkeypatch):
    source = r"(?P<zulu>\d+)-(?P<alpha>\w+)-(?P<mike>x)?"
    for compile_, fresh, target in ((compiled.re_compile, re.compile, (compiled._ReForm, "compile")),
                                    (compiled.regex_compile, regex.compile, (regex, "compile"))):
        compile_(source)
        with monkeypatch.context() as m:
            m.setattr(*target, _not_compiled)
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


REGEX_SOURCE = r"(?P<x>[A-Z]{2}\d{2})(?: ?\d{4}){3}"


def _engine_refuses(*args, **kwargs):
    raise AssertionError("the payload reached the engine")


def _regex_payload() -> list:
    return compiled._RegexForm(REGEX_SOURCE).dump(regex.compile(REGEX_SOURCE))


@pytest.mark.parametrize("field, value", [
    (0, -1),                        # negative flags
    (1, ""),                        # no code (the regex module crashes on it)
    (2, [["x", 2]]),                # a group name numbering no group
    (3, -2),                        # an offset below -1 (none at a fixed place)
    (4, [0x110000]),                # a required character beyond Unicode
    (6, 10 ** 6),                   # more groups than the code can hold (crashes the regex module)
])
def test_a_regex_payload_out_of_bounds_never_reaches_the_engine(monkeypatch, field, value):
    payload = _regex_payload()
    bad = list(payload)
    bad[field] = value
    from regex import _regex
    form = compiled._RegexForm(REGEX_SOURCE)
    with monkeypatch.context() as m:
        m.setattr(_regex, "compile", _engine_refuses)
        with pytest.raises(AssertionError):
            form.load(payload)          # (the payload as dumped does reach it)
        assert form.load(bad) is None


@pytest.mark.parametrize("change", ["no code", "big opcode", "groups", "name", "flags"])
def test_a_re_payload_out_of_bounds_never_reaches_the_engine(monkeypatch, change):
    import _sre
    source = r"(?P<area>\d{3})-\d+"
    form = compiled._ReForm(source, 0)
    payload = form.dump(re.compile(source))
    flags, code, groups, names = payload
    bad = {"no code": [flags, [], groups, names], "big opcode": [flags, code[:-1] + [2 ** 32], groups, names],
           "groups": [flags, code, len(code) + 1, names], "name": [flags, code, groups, [["area", groups]]],
           "flags": [-1, code, groups, names]}[change]
    with monkeypatch.context() as m:
        m.setattr(_sre, "compile", _engine_refuses)
        with pytest.raises(AssertionError):
            form.load(payload)
        assert form.load(bad) is None


def test_a_planted_payload_with_a_matching_digest_reads_as_no_file(folder):
    compiled.regex_compile(REGEX_SOURCE)
    (path,) = _files(folder)
    payload = _regex_payload()
    payload[6] = 10 ** 6
    key = path.name[len(compiled.PREFIX):]
    path.write_bytes(cachefiles.seal(compiled._MAGIC, key, json.dumps(payload).encode()))
    assert compiled.regex_compile(REGEX_SOURCE)._pickled_data == regex.compile(REGEX_SOURCE)._pickled_data


def test_an_re_form_that_does_not_give_the_pattern_is_not_kept(folder, monkeypatch):
    # (a compiler whose steps gave other code than re.compile's: the form is checked before it is kept)
    monkeypatch.setattr(compiled._ReForm, "load", lambda self, payload: re.compile("something else"))
    compiled.re_compile(r"\d{4}-\d{2}")
    assert _files(folder) == []


def test_a_quick_regex_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "WORTH_S", 3600.0)
    compiled.re_compile(r"[a-z]+@[a-z]+")
    compiled.regex_compile(r"[a-z]+@[a-z]+")
    assert _files(tmp_path / "cache") == []


def test_nothing_is_dumped_or_kept_without_a_trusted_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled, "WORTH_S", 0.0)
    monkeypatch.setenv("DATAGUARD_CACHE_DIR", "")
    with monkeypatch.context() as m:        # (no folder: the compiled form is not even made)
        m.setattr(compiled._ReForm, "dump", _engine_refuses)
        m.setattr(compiled._RegexForm, "dump", _engine_refuses)
        assert compiled.re_compile(r"\d{5}") == re.compile(r"\d{5}")
        assert compiled.regex_compile(r"\d{5}").search("ab 12345").span() == (3, 8)
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

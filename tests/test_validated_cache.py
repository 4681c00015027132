"""The cache of rule-pack regexes that passed validation (dataguard/rules/validated.py): a
pattern that passed is not checked again, in this process or the next; a bad one is checked
and named every time; the file holds digests only, mode 0600; a broken file or folder changes
nothing but the time."""
from __future__ import annotations

import os
import stat

import pytest

from dataguard.rules import model, validated


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(validated.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(validated, "_known", None)
    monkeypatch.setattr(validated, "_new", {})
    calls = []
    real = model.expanded_size

    def counted(v):
        calls.append(v)
        return real(v)
    monkeypatch.setattr(model, "expanded_size", counted)
    return tmp_path / "cache" / validated.FILE_NAME, calls


def _next_process(monkeypatch):
    monkeypatch.setattr(validated, "_known", None)
    monkeypatch.setattr(validated, "_new", {})


def test_a_pattern_that_passed_is_not_checked_again_in_this_process_or_the_next(cache, monkeypatch):
    path, calls = cache
    pattern = r"(?P<v>CASE-\d{6})"
    assert model.checked_regex(pattern, scan_compiler=True) == pattern
    assert model.checked_regex(pattern, scan_compiler=True) == pattern
    assert len(calls) == 1
    assert model.checked_regex(pattern, scan_compiler=False) == pattern     # (a trigger: another check)
    assert len(calls) == 2
    validated.save()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text(encoding="ascii")
    assert "CASE" not in text and len(text.split()) == 2
    _next_process(monkeypatch)
    model.checked_regex(pattern, scan_compiler=True)
    model.checked_regex(pattern, scan_compiler=False)
    assert len(calls) == 2
    model.checked_regex(pattern + "x", scan_compiler=True)
    assert len(calls) == 3


@pytest.mark.parametrize("pattern, message", [("(?P<v>abc", "bad regex"), ("((a{1000}){1000}){1000}", "too large")])
def test_a_bad_pattern_is_checked_and_named_every_time(cache, monkeypatch, pattern, message):
    _, calls = cache
    for _ in range(2):
        with pytest.raises(ValueError, match=message):
            model.checked_regex(pattern, scan_compiler=True)
        validated.save()
        _next_process(monkeypatch)
    assert len(calls) == 2


def test_a_broken_cache_file_or_folder_changes_nothing_but_the_time(cache, monkeypatch, tmp_path):
    path, calls = cache
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe not a digest\n" + b"a" * 64 + b"\n")
    model.checked_regex(r"\d{4}", scan_compiler=True)
    assert len(calls) == 1
    validated.save()
    lines = path.read_text(encoding="ascii").split()
    assert lines == [validated.digest(r"\d{4}", True, model.PACK_FLAGS)]
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv(validated.CACHE_ENV, str(blocked / "cache"))
    _next_process(monkeypatch)
    model.checked_regex(r"\d{5}", scan_compiler=True)
    validated.save()                    # (cannot be written: no error)
    assert blocked.read_text() == "x"


def test_an_empty_cache_folder_setting_means_no_cache(cache, monkeypatch, tmp_path):
    _, calls = cache
    monkeypatch.setenv(validated.CACHE_ENV, "")
    for _ in range(2):
        model.checked_regex(r"\d{7}", scan_compiler=True)
        validated.save()
        _next_process(monkeypatch)
    assert len(calls) == 2 and not (tmp_path / "cache").exists()


def test_loading_the_packs_saves_what_passed(cache, monkeypatch):
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs
    from dataguard.rules.loader import _parse_bytes
    path, calls = cache
    _parse_bytes.cache_clear()
    load_packs(None, known_entities())
    assert path.exists() and len(path.read_text().split()) == len(set(calls)) > 10
    _parse_bytes.cache_clear()
    _next_process(monkeypatch)
    before = len(calls)
    load_packs(None, known_entities())
    assert len(calls) == before

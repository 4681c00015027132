"""The cache of rule-pack patterns that compiled before (dataguard/rules/validated.py): such a
pattern is not compiled again at load, in this process or the next; the size and nesting
checks run every time and trigger patterns are not among its digests; a bad pattern is checked and named every
time; the file holds digests only, mode 0600; a cache someone else could write (a shared
folder, a link, a FIFO) is no cache; a broken one changes nothing but the time."""
from __future__ import annotations

import os
import stat

import pytest
import regex

from dataguard.rules import model, validated


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(validated.CACHE_ENV, str(folder))
    _next_process(monkeypatch)
    compiled = []
    real = regex.compile

    def counted(pattern, *args, **kwargs):
        compiled.append(pattern)
        return real(pattern, *args, **kwargs)
    monkeypatch.setattr(regex, "compile", counted)
    return folder, compiled


def _next_process(monkeypatch):
    monkeypatch.setattr(validated, "_known", None)
    monkeypatch.setattr(validated, "_new", {})


def _plant(folder, *patterns, mode=0o600):
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / validated.FILE_NAME
    path.write_text("".join(validated.digest(p, model.PACK_FLAGS) + "\n" for p in patterns), encoding="ascii")
    os.chmod(path, mode)
    return path


def test_a_pattern_that_compiled_is_not_compiled_again_in_this_process_or_the_next(cache, monkeypatch):
    folder, compiled = cache
    pattern = r"(?P<v>CASE-\d{6})"
    assert model.checked_regex(pattern, scan_compiler=True) == pattern
    assert model.checked_regex(pattern, scan_compiler=True) == pattern
    assert compiled.count(pattern) == 1
    model.checked_regex(r"CASE-\d", scan_compiler=False)      # a trigger: never cached
    assert len(validated._new) == 1
    validated.save()
    path = folder / validated.FILE_NAME
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text(encoding="ascii")
    assert "CASE" not in text and text.split() == [validated.digest(pattern, model.PACK_FLAGS)]
    _next_process(monkeypatch)
    model.checked_regex(pattern, scan_compiler=True)
    assert compiled.count(pattern) == 1
    model.checked_regex(pattern + "x", scan_compiler=True)
    assert compiled.count(pattern + "x") == 1


@pytest.mark.parametrize("pattern, message", [("(?P<v>abc", "bad regex"), ("((a{1000}){1000}){1000}", "too large")])
def test_a_bad_pattern_is_checked_and_named_every_time(cache, monkeypatch, pattern, message):
    for _ in range(2):
        with pytest.raises(ValueError, match=message):
            model.checked_regex(pattern, scan_compiler=True)
        validated.save()
        _next_process(monkeypatch)
    assert not validated._new


def test_a_digest_planted_in_the_cache_skips_no_size_or_nesting_check(cache):
    folder, _ = cache
    _plant(folder, "((a{1000}){1000}){1000}", "(a+)+b")
    with pytest.raises(ValueError, match="too large"):
        model.checked_regex("((a{1000}){1000}){1000}", scan_compiler=True)
    with pytest.raises(ValueError, match="must not repeat"):
        model.checked_regex("(a+)+b", scan_compiler=False)


@pytest.mark.parametrize("how", ["shared folder", "shared file", "linked folder", "fifo", "junk"])
def test_a_cache_someone_else_could_write_or_a_broken_one_is_no_cache(cache, monkeypatch, tmp_path, how):
    folder, compiled = cache
    pattern = r"(?P<v>REF-\d{5})"
    if how == "linked folder":
        real = tmp_path / "elsewhere"
        _plant(real, pattern)
        os.symlink(real, folder)
    elif how == "fifo":
        folder.mkdir(mode=0o700)
        os.mkfifo(folder / validated.FILE_NAME, 0o600)
    elif how == "junk":
        path = _plant(folder)
        path.write_bytes(b"\xff\xfe not a digest\n" + b"a" * 64 + b"\n")
    else:
        _plant(folder, pattern, mode=0o666 if how == "shared file" else 0o600)
        if how == "shared folder":
            os.chmod(folder, 0o777)
    target = (tmp_path / "elsewhere" if how == "linked folder" else folder) / validated.FILE_NAME
    before = target.read_bytes() if how != "fifo" else None
    model.checked_regex(pattern, scan_compiler=True)
    assert compiled.count(pattern) == 1            # (compiled: the cache was not believed)
    validated.save()
    if how in ("linked folder", "shared folder"):   # (nor written)
        assert target.read_bytes() == before


def test_a_folder_that_cannot_be_written_or_an_empty_setting_is_no_cache(cache, monkeypatch, tmp_path):
    _, compiled = cache
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    for setting in (str(blocked / "cache"), ""):
        monkeypatch.setenv(validated.CACHE_ENV, setting)
        for _ in range(2):
            _next_process(monkeypatch)
            model.checked_regex(r"\d{7}", scan_compiler=True)
            validated.save()                # (no error)
    assert compiled.count(r"\d{7}") == 4 and blocked.read_text() == "x"


def test_loading_the_packs_saves_what_compiled(cache, monkeypatch):
    from dataguard.detect import known_entities
    from dataguard.rules import load_packs
    from dataguard.rules.loader import _parse_bytes
    folder, compiled = cache
    _parse_bytes.cache_clear()
    load_packs(None, known_entities())
    saved = (folder / validated.FILE_NAME).read_text().split()
    assert len(saved) == len(set(compiled)) > 10
    _parse_bytes.cache_clear()
    _next_process(monkeypatch)
    before = len(compiled)
    load_packs(None, known_entities())
    assert len(compiled) == before

"""The one glob dialect (dataguard/globs.py): rule form and path-selection form."""
from __future__ import annotations

import pytest

from dataguard.globs import GlobError, compile_globs, glob_match, selection_globs, selection_pattern


@pytest.mark.parametrize("pattern, path, ok", [
    ("*.sql", "dump.sql", True), ("*.sql", "db/dump.sql", False), ("**/*.sql", "db/dump.sql", True),
    ("**/*.sql", "dump.sql", True), ("a/**", "a/b/c", True), ("a/**", "b/a/c", False), ("**", "x/y", True),
    ("a/*/c", "a/b/c", True), ("a/*/c", "a/b/x/c", False), ("?.txt", "a.txt", True), ("?.txt", "ab.txt", False),
    ("[!a]*.txt", "b.txt", True), ("[!a]*.txt", "a.txt", False), ("*.SQL", "DUMP.sql", True),
    ("./a\\b.txt", "a/b.txt", True)])
def test_rule_form(pattern, path, ok):
    assert glob_match(pattern, path) is ok


@pytest.mark.parametrize("bad", ["", "a**b/c", "a/[x"])
def test_bad_globs_are_errors(bad):
    with pytest.raises(GlobError):
        compile_globs([bad])


@pytest.mark.parametrize("pattern, rule_form", [("*.log", "**/*.log"), ("/*.log", "**/*.log"), ("a/*.log", "a/*.log"),
                                                ("**", "**"), ("**/x", "**/x"), ("tmp/", "**/tmp")])
def test_selection_pattern(pattern, rule_form):
    assert selection_pattern(pattern).rstrip("/") == rule_form


def test_selection_matches_a_name_at_any_depth():
    rx = selection_globs(["*.iso", "build/**"])
    assert rx.match("a/b/x.iso") and rx.match("x.iso") and rx.match("build/o/p")
    assert not rx.match("src/build/o") and not rx.match("x.isox")
    assert selection_globs([]) is None

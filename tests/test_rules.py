"""Rule packs: loading/validation errors, globs, and evaluate() on hand-built summaries."""
from __future__ import annotations

from pathlib import Path

import pytest

from dataguard.rules import (RuleError, RulePack, default_pack_paths, evaluate, glob_match, load_packs,
                             needed_entities)
from dataguard.detect.entities import BUILT_IN
from dataguard.globs import GlobError, glob_to_regex
from dataguard.types import EntityAgg, Evidence, ItemMeta, Pointer, Site, Unit, UnitSummary

ROOT = Path(__file__).resolve().parent.parent
KNOWN = set(BUILT_IN)        # every entity the built-in recognizers, NER and column semantics report
NOW = 2_000_000_000.0
DAY = 86400.0


# ------------------------------------------------------------------ helpers
def write(tmp_path, text, name="pack.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def pack(tmp_path, rules_yaml, recognizers="", name="pack.yaml"):
    text = "pack: t\nversion: 1\n" + recognizers + "rules:\n" + rules_yaml
    return load_packs([write(tmp_path, text, name)], KNOWN)


def rule(id="T-1", entities="[CREDIT_CARD]", extra_match="", scope="", more=""):
    s = (f"  - id: {id}\n    title: test rule\n    severity: high\n    measure: CM-ENCRYPT\n"
         f"    match:\n      entities: {entities}\n{extra_match}")
    if scope:
        s += "    scope:\n" + scope
    return s + more


def agg(scores=None, n_evidence=0, etype="X", hashes=None, start_line=1, score=1.0):
    a = EntityAgg()
    a.scores = dict(scores or {})
    a.evidence = [Evidence(entity_type=etype, score=score, pointer=Pointer(line=start_line + i),
                           masked="***", value_hash=f"h{etype}{i}") for i in range(n_evidence)]
    a.hashes = set(hashes if hashes is not None else (f"h{etype}{i}" for i in range(sum((scores or {}).values()))))
    return a


def summary(entities, path="hr/staff.csv", member=None, source="file", meta=None, table=None, column=None):
    unit = Unit(target="/srv/share", uri=f"/srv/share/{path}", path=path, member=member, source=source,
                table=table, column=column)
    return UnitSummary(unit=unit, meta=meta or ItemMeta(), entities=entities)


def ev(packs, s, site=None, max_evidence=10):
    return evaluate(packs, s, site or Site(), max_evidence=max_evidence, now=NOW)


CARD = lambda n=1, **kw: agg({1.0: n}, n_evidence=n, etype="CREDIT_CARD", **kw)  # noqa: E731


# ------------------------------------------------------------------ default pack
def test_default_pack_paths():
    paths = default_pack_paths()
    assert [p.name for p in paths] == ["default.yaml", "un-identifiers.yaml"] and all(p.is_file() for p in paths)


def test_default_pack_found_via_importlib_resources(tmp_path, monkeypatch):
    """default_pack_paths() asks importlib.resources for ``dataguard.packs`` (the top-level
    rules/ folder, mapped by setup.cfg package_dir). A development checkout may not
    expose that mapping, so the test installs a package spec pointing elsewhere."""
    import importlib.util
    import sys
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "zz.yaml").write_text("pack: zz\n")
    (tmp_path / "aa.yml").write_text("pack: aa\n")
    (tmp_path / "notes.txt").write_text("x")
    spec = importlib.util.spec_from_file_location("dataguard.packs", tmp_path / "__init__.py",
                                                  submodule_search_locations=[str(tmp_path)])
    monkeypatch.setitem(sys.modules, "dataguard.packs", importlib.util.module_from_spec(spec))
    assert [p.name for p in default_pack_paths()] == ["aa.yml", "zz.yaml"]


def test_default_pack_loads_and_validates():
    packs = load_packs(None, KNOWN)
    assert [p.name for p in packs] == ["dataguard-default", "un-identifiers"]
    p = packs[0]
    assert isinstance(p, RulePack) and p.name == "dataguard-default"
    assert len(p.sha256) == 64
    ids = [r.id for r in p.rules]
    for needed in ("DG-009", "DG-010", "DG-004", "DG-021", "DG-031", "DG-016", "DG-028", "DG-014"):
        assert needed in ids
    card = next(r for r in p.rules if r.id == "DG-009")
    assert (card.severity, card.measure, card.entities) == ("high", "CM-ENCRYPT", ("CREDIT_CARD",))
    sec = next(r for r in p.rules if r.id == "DG-010")
    assert sec.severity == "critical" and sec.measure == "CM-SECRETS"
    ne = needed_entities(packs)
    assert ne is not None and "URL" not in ne and "DATE_TIME" not in ne
    assert {"UNHCR_CASE_NUMBER", "PROTECTION_TERM"} <= ne
    assert {r.entity for r in p.recognizers} == {"PROTECTION_TERM"}
    assert "UNHCR_CASE_NUMBER" in {r.entity for r in packs[1].recognizers}


def test_default_pack_unknown_entity_without_detector_entity():
    with pytest.raises(RuleError) as ei:
        load_packs(None, KNOWN - {"CREDIT_CARD"})
    assert "DG-009" in str(ei.value) and "CREDIT_CARD" in str(ei.value)


def test_fixture_folders_exist_for_every_default_rule():
    base = ROOT / "fixtures" / "rules"
    for r in load_packs(None, KNOWN)[0].rules:
        assert any((base / r.id / "match").iterdir()), r.id
        assert any((base / r.id / "nomatch").iterdir()), r.id


META_KEYS = {"exposure", "mtime_days_ago", "site", "source"}


def test_fixture_meta_files_use_the_documented_keys():
    import yaml
    for meta in sorted((ROOT / "fixtures" / "rules").glob("*/meta.yaml")):
        data = yaml.safe_load(meta.read_text()) or {}
        for side in ("match", "nomatch"):
            sub = data.pop(side, None) or {}
            data.update({f"{side}.{k}": v for k, v in sub.items()})
        for key, value in data.items():
            base = key.split(".")[-1]
            assert base in META_KEYS, (meta, key)
            if base == "exposure":
                assert value in ("broad", "restricted")
            if base == "source":
                assert value in ("file", "database")
            if base == "site":
                assert set(value) <= {"name", "kind"} and value.get("kind") in (None, "hq", "field")
            if base == "mtime_days_ago":
                assert isinstance(value, (int, float))


# ------------------------------------------------------------------ load errors
def test_unknown_key(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="DG-009", extra_match="      colour: red\n"))
    msg = str(ei.value)
    assert "pack.yaml" in msg and "rule DG-009" in msg and "match.colour" in msg and "unknown key" in msg


def test_unknown_top_level_key(tmp_path):
    p = write(tmp_path, "pack: t\nversion: 1\nrulez: []\n")
    with pytest.raises(RuleError) as ei:
        load_packs([p], KNOWN)
    assert "rule -: rulez: unknown key" in str(ei.value)


@pytest.mark.parametrize("field, source, why", [
    # Python's re reads a POSIX class as a nested set (a warning); the regex module, which the scan uses, refuses it
    ("patterns", "ID-[[:foo:]]\\d{4}", "bad regex"),
    # the regex module writes counted repeats out: gigabytes to compile, before any time limit
    ("patterns", "(?:(?:a{1000}){1000}){1000}", "regex too large"),
    ("patterns", "(?>(?:a{1000}){1000}){1000}", "regex too large"),          # an atomic group
    ("patterns", "(a)?(?(1)(?:(?:a{100}){100}){100}|b)", "regex too large"),   # a conditional
    ("patterns", "(?:" + "|".join(["a{1000}"] * 20) + "){100}", "regex too large"),   # every branch written out
    # a trigger runs without a time limit: no nested quantifier
    ("trigger", "(a+)+b", "a trigger must not repeat a group"),
    ("trigger", "(?>(?:a+)+b)", "a trigger must not repeat a group"),
    ("trigger", "(?:x{1000}){1000}", "regex too large")])
def test_a_pattern_the_scan_could_not_compile_or_bound_is_refused_at_load(tmp_path, field, source, why):
    quoted = source.replace("\\\\", "\\")
    if field == "patterns":
        rec = f"recognizers:\n  - entity: CASE_NUMBER\n    patterns:\n      - {{name: c, regex: '{source}', score: 0.5}}\n"
    else:
        rec = (f"recognizers:\n  - entity: CASE_NUMBER\n    trigger: '{source}'\n    patterns:\n"
               "      - {name: c, regex: 'C-\\d{4}', score: 0.5}\n")
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(entities="[CASE_NUMBER]"), recognizers=rec)
    msg = str(ei.value)
    assert "pack.yaml" in msg and why in msg and ("trigger" in msg or "patterns[0].regex" in msg)
    assert quoted not in msg


def test_the_size_of_nested_repeats_is_read_in_one_pass(monkeypatch):
    """Each repeat's body is sized once: twelve nested '(?:...)*' are a few dozen steps, not 2**12
    (forty nested ones took hours to validate)."""
    from dataguard.rules import risky
    calls = []
    size = risky._size
    monkeypatch.setattr(risky, "_size", lambda tokens: calls.append(1) or size(tokens))
    assert risky.expanded_size("(?:" * 12 + "a*" + ")*" * 12) == 1
    assert len(calls) <= 2 * 12 + 4


def test_the_size_bound_read_off_the_text_never_says_small_for_a_large_pattern():
    """``too_large`` skips the parse only when the text's bound says the size is small: on the
    built-in packs' patterns, on nested and sibling counted repeats around the limit, and on
    random regexes of repeats, groups, classes and alternations, it agrees with the parse."""
    import random

    import yaml

    from dataguard.rules import default_pack_paths, risky
    patterns = [p["regex"] for path in default_pack_paths()
                for rec in yaml.safe_load(path.read_text(encoding="utf-8")).get("recognizers", [])
                for p in rec.get("patterns", [])]
    patterns += ["((a{1000}){1000}){1000}", "(?:a{10}){1000}", "(?:a{10}){10001}", "a{100001}", "a{,100001}",
                 "(?:ab{317}){316}", "(?:ab{317}){315}", "a{2}" * 17, r"\{3\}x", "(?:[a-z]{50,}){2001}", "x{1,}{3}"]
    rng = random.Random(7)
    atoms = ["a", r"\d", "[A-Z]", "(?:b|cd)", "."]

    def gen(depth):
        parts = []
        for _ in range(rng.randint(1, 3)):
            item = gen(depth - 1) if depth and rng.random() < 0.5 else rng.choice(atoms)
            item = f"(?:{item})" if len(item) > 1 and not item.startswith("(") else item
            parts.append(item + rng.choice(["", "*", "+", "?", f"{{{rng.randint(1, 60)}}}",
                                            f"{{{rng.randint(0, 9)},{rng.randint(10, 400)}}}"]))
        return "|".join(parts) if rng.random() < 0.2 else "".join(parts)
    patterns += [gen(4) for _ in range(400)]
    assert len(patterns) > 450
    for p in patterns:
        assert risky.too_large(p) == (risky.expanded_size(p) > risky.MAX_EXPANDED), p
    assert sum(risky.too_large(p) for p in patterns) >= 5      # (the limit is met, both ways)
    # verbose mode: the regex module reads counts with spaces and comments inside the braces
    assert risky.too_large("(?x)(?:(?:a{ 1000 }){ 1000 }){ 1000 }") and risky.too_large("(?x:(?:a{1 000}){ 200 })")
    assert risky.expanded_size("(?x)a{1 0}") == 10 and not risky.too_large("x\\{" + "9" * 5000 + "}")



def test_the_nested_bound_is_never_below_the_parsed_size(monkeypatch):
    """``risky._nested_bound`` reads the groups' nesting off the text alone (no parse): on random
    regexes of groups of every kind, classes holding brackets, escaped brackets and braces,
    counts of every form and alternations, it is never below the parsed size (or says None, or
    a number past the limit, and the parse decides), and it is exact enough that a pattern of many sibling counts is
    not parsed."""
    import random
    import re

    from dataguard.rules import risky
    rng = random.Random(11)
    atoms = ["a", r"\d", "[A-Z]", "[]a(]", "[^)]", r"\(", r"\)", r"\{3\}", r"\\", ".", "[(){}]", r"\x41", "{}",
             "{}{}", "x{,}"]
    opens = ["(", "(?:", "(?P<g{}>", "(?=", "(?!", "(?<=x", "(?>", "(?i:"]
    counts = ["", "*", "+", "?", "{{{}}}", "{{{},}}", "{{,{}}}", "{{{},{}}}", "{{{}}}+", "{{{},{}}}?", "{{}}"]
    names = iter(range(10**6))

    def gen(depth):
        parts = []
        for _ in range(rng.randint(1, 4)):
            if depth and rng.random() < 0.5:
                item = rng.choice(opens).format(next(names)) + gen(depth - 1) + ")"
            else:
                item = rng.choice(atoms)
            parts.append(item + rng.choice(counts).format(*(rng.randint(0, 60) for _ in range(2))))
        return "|".join(parts) if rng.random() < 0.2 else "".join(parts)
    checked = 0
    for _ in range(3000):
        p = gen(4)
        try:
            re.compile(p)
        except re.error:
            continue
        bound = risky._nested_bound(p)
        # (it stops counting past the limit: then only 'large' is meant)
        assert bound is None or bound > risky.MAX_EXPANDED or bound >= risky.expanded_size(p), p
        checked += bound is not None and bound <= risky.MAX_EXPANDED
    assert checked > 500
    sibling = "".join(f"[A-Z]{{{n}}}[0-9]{{2,{n}}}" for n in range(40, 60))
    assert risky._nested_bound(sibling) < risky.MAX_EXPANDED < len(sibling) * 40 * 41
    # "{}" is two characters, not a repeat: a hundred of them in a group repeated a thousand times
    assert risky.too_large("(" + "a{}" * 100 + "){1000}") and risky._nested_bound("(" + "a{}" * 100 + "){1000}") > 10**5
    parsed = []
    monkeypatch.setattr(risky, "_expanded", lambda regex: parsed.append(regex) or 0)
    assert not risky.too_large(sibling) and parsed == []
    assert risky._nested_bound("(?x)a{ 1000 }") is None and risky._nested_bound("a(?#(){1000}") is None


def test_bad_regex(tmp_path):
    rec = ("recognizers:\n  - entity: CASE_NUMBER\n    patterns:\n"
           "      - {name: c, regex: '\\b(\\d{3}', score: 0.5}\n")
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(entities="[CASE_NUMBER]"), recognizers=rec)
    msg = str(ei.value)
    assert "pack.yaml" in msg and "recognizers[0].patterns[0].regex" in msg and "bad regex" in msg
    assert "missing ) unterminated subpattern" in msg          # what is wrong, not only its first word


@pytest.mark.parametrize("regex, told, secret", [("ID[secret-a]", "bad character range", "t-a"),
                                                 ("(?<=a+)b", "look-behind requires fixed-width pattern", "a+")])
def test_a_bad_regex_is_told_without_its_text(tmp_path, regex, told, secret):
    rec = ("recognizers:\n  - entity: CASE_NUMBER\n    patterns:\n"
           f"      - {{name: c, regex: '{regex}', score: 0.5}}\n")
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(entities="[CASE_NUMBER]"), recognizers=rec)
    assert f"bad regex: {told}" in str(ei.value) and secret not in str(ei.value)


def test_duplicate_id_across_packs(tmp_path):
    (tmp_path / "d").mkdir()
    write(tmp_path / "d", "pack: a\nrules:\n" + rule(id="X-1"), "a.yaml")
    write(tmp_path / "d", "pack: b\nrules:\n" + rule(id="X-1"), "b.yaml")
    with pytest.raises(RuleError) as ei:
        load_packs([tmp_path / "d"], KNOWN)
    msg = str(ei.value)
    assert "b.yaml: rule X-1: id: duplicate rule id" in msg and "a.yaml" in msg


def test_unknown_severity(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="S-1").replace("severity: high", "severity: urgent"))
    msg = str(ei.value)
    assert "rule S-1: severity: unknown severity (expected critical|" in msg and "urgent" not in msg


def test_unknown_entity(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="DG-009", entities="[CREDIT_CRAD]"))
    msg = str(ei.value)
    assert "pack.yaml: rule DG-009: match.entities[0]: unknown entity 'CREDIT_CRAD'" in msg
    assert "CREDIT_CARD" in msg   # did-you-mean


def test_entity_declared_by_other_pack_is_known(tmp_path):
    a = write(tmp_path, "pack: a\nrecognizers:\n  - entity: CASE_NUMBER\n    patterns:\n"
                        "      - {name: c, regex: 'C\\d+', score: 0.5}\n", "a.yaml")
    b = write(tmp_path, "pack: b\nrules:\n" + rule(entities="[CASE_NUMBER]"), "b.yaml")
    packs = load_packs([a, b], KNOWN)
    assert needed_entities(packs) == {"CASE_NUMBER"}


def test_yaml_syntax_error_has_line(tmp_path):
    p = write(tmp_path, "pack: t\nrules:\n  - id: A\n    title: [unclosed\n    severity: high\n")
    with pytest.raises(RuleError) as ei:
        load_packs([p], KNOWN)
    msg = str(ei.value)
    assert "pack.yaml" in msg and "line " in msg and "YAML syntax error" in msg


def test_duplicate_yaml_key(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="D-1") + "    severity: low\n")
    assert "line 10, column 5: YAML syntax error: duplicate key" in str(ei.value)


def test_bad_measure_wrong_type_bad_glob_several_problems(tmp_path):
    text = (rule(id="M-1").replace("CM-ENCRYPT", "encrypt")
            + rule(id="M-2", extra_match="      min_count: ten\n")
            + rule(id="M-3", scope="      include: ['a/**b/*.txt']\n"))
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, text)
    e = ei.value
    msg = str(e)
    assert "rule M-1: measure: bad measure (expected CM-UPPERCASE" in msg and "encrypt" not in msg
    assert "rule M-2: match.min_count" in msg
    assert "rule M-3: scope.include[0]" in msg and "**" in msg
    assert len(e.problems) == 3 and msg.count("\n") == 2


def test_wrong_type_string_for_int_is_rejected(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="W-1", extra_match="      min_count: '3'\n"))
    assert "rule W-1: match.min_count" in str(ei.value)


def test_unknown_scope_value(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="U-1", scope="      exposure: [public]\n      sources: [ftp]\n"))
    msg = str(ei.value)
    assert "rule U-1: scope.exposure[0]" in msg and "rule U-1: scope.sources[0]" in msg


def test_folder_loads_sorted_yaml_and_yml(tmp_path):
    write(tmp_path, "pack: b\nrules:\n" + rule(id="B-1"), "b.yml")
    write(tmp_path, "pack: a\nrules:\n" + rule(id="A-1"), "a.yaml")
    write(tmp_path, "not yaml", "readme.txt")
    assert [p.name for p in load_packs([tmp_path], KNOWN)] == ["a", "b"]


# ------------------------------------------------------------------ globs
@pytest.mark.parametrize("pat,path,ok", [
    ("**", "a/b/c.txt", True),
    ("**/*.sql", "dump.sql", True),
    ("**/*.sql", "a/b/dump.sql", True),
    ("*.sql", "a/dump.sql", False),
    ("*.sql", "dump.sql", True),
    ("a/**", "a/b/c", True),
    ("a/**", "ab/c", False),
    ("a/**/b.txt", "a/b.txt", True),
    ("a/**/b.txt", "a/x/y/b.txt", True),
    ("a/**/b.txt", "xa/b.txt", False),
    ("**/wwwroot/**", "srv/wwwroot/site/list.html", True),
    ("**/wwwroot/**", "srv/wwwrootx/list.html", False),
    ("hr/?.txt", "hr/a.txt", True),
    ("hr/?.txt", "hr/ab.txt", False),
    ("hr/[ab]*.txt", "hr/b1.txt", True),
    ("hr/[!ab]*.txt", "hr/b1.txt", False),
    ("HR/*.CSV", "hr/staff.csv", True),          # case-insensitive
    ("hr/*", "hr/x/y", False),                    # * does not cross /
    ("/hr/*", "hr/x", True),
    ("a.b", "axb", False),                        # dots are literal
])
def test_glob(pat, path, ok):
    assert glob_match(pat, path) is ok


@pytest.mark.parametrize("bad", ["a**", "x/**y/z", "[abc", ""])
def test_bad_globs(bad):
    with pytest.raises(GlobError):
        glob_to_regex(bad)


# ------------------------------------------------------------------ evaluate: basics
def test_basic_match_and_finding_fields(tmp_path):
    packs = pack(tmp_path, rule(id="DG-009", more="    remediation: fix it\n"))
    meta = ItemMeta(exposure="restricted", owner="alice")
    f, = ev(packs, summary({"CREDIT_CARD": CARD(2)}, meta=meta))
    assert (f.rule_id, f.severity, f.measure, f.title, f.remediation) == ("DG-009", "high", "CM-ENCRYPT",
                                                                          "test rule", "fix it")
    assert f.entities == {"CREDIT_CARD": {"count": 2, "max_score": 1.0}}
    assert len(f.evidence) == 2 and not f.evidence_truncated
    assert f.exposure == "restricted" and f.owner == "alice"
    assert ev(packs, summary({"EMAIL_ADDRESS": agg({1.0: 3})})) == []
    assert ev(packs, summary({})) == []


def test_min_score_and_min_count(tmp_path):
    packs = pack(tmp_path, rule(extra_match="      min_count: 3\n      min_score: 0.6\n"))
    assert ev(packs, summary({"CREDIT_CARD": agg({0.9: 2, 0.4: 5})})) == []
    f, = ev(packs, summary({"CREDIT_CARD": agg({0.9: 2, 0.6: 1, 0.4: 5})}))
    assert f.entities["CREDIT_CARD"] == {"count": 3, "max_score": 0.9}


def test_counts_summed_over_entities(tmp_path):
    packs = pack(tmp_path, rule(entities="[EMAIL_ADDRESS, PHONE_NUMBER]", extra_match="      min_count: 4\n"))
    s = summary({"EMAIL_ADDRESS": agg({1.0: 2}), "PHONE_NUMBER": agg({0.75: 2}), "PERSON": agg({0.85: 9})})
    f, = ev(packs, s)
    assert set(f.entities) == {"EMAIL_ADDRESS", "PHONE_NUMBER"}


def test_wildcard(tmp_path):
    packs = pack(tmp_path, rule(entities='["*"]'))
    assert needed_entities(packs) is None
    f, = ev(packs, summary({"URL": agg({0.6: 1}), "PERSON": agg({0.3: 4})}))
    assert set(f.entities) == {"URL"}


def test_per_entity_min_scores(tmp_path):
    packs = pack(tmp_path, rule(entities="[PERSON, EMAIL_ADDRESS]",
                                extra_match="      min_scores: {PERSON: 0.9}\n"))
    assert ev(packs, summary({"PERSON": agg({0.85: 5})})) == []
    f, = ev(packs, summary({"PERSON": agg({0.95: 1, 0.85: 5})}))
    assert f.entities["PERSON"]["count"] == 1


# ------------------------------------------------------------------ all / none / min_distinct
def test_all_cooccurrence(tmp_path):
    packs = pack(tmp_path, rule(entities="[HEALTH_TERM]", extra_match="      all: [PERSON]\n"))
    assert ev(packs, summary({"HEALTH_TERM": agg({1.0: 3})})) == []
    assert ev(packs, summary({"PERSON": agg({1.0: 3})})) == []
    assert ev(packs, summary({"HEALTH_TERM": agg({1.0: 3}), "PERSON": agg({0.3: 3})})) == []
    f, = ev(packs, summary({"HEALTH_TERM": agg({1.0: 3}), "PERSON": agg({0.85: 2})}))
    assert f.entities == {"HEALTH_TERM": {"count": 3, "max_score": 1.0}, "PERSON": {"count": 2, "max_score": 0.85}}
    assert needed_entities(packs) == {"HEALTH_TERM", "PERSON"}


def test_a_database_columns_cooccurrence_may_be_in_another_column_of_its_table(tmp_path):
    """A database column's ``all`` co-occurrence counts in the other columns of its table (a
    notes column of health terms beside a names column): the finding is the notes column's, its
    evidence its own; the borrowed entity says ``same_table``. A file's stays its own; another
    column's below the rule's score counts for nothing."""
    packs = pack(tmp_path, rule(entities="[HEALTH_TERM]", extra_match="      all: [PERSON]\n"))
    health = {"HEALTH_TERM": agg({0.6: 3}, n_evidence=3, etype="HEALTH_TERM")}
    names = {"PERSON": agg({0.8: 5, 0.3: 2}, n_evidence=5, etype="PERSON")}
    cols = [summary(dict(health), path="hr.staff", source="database", table="hr.staff", column="notes"),
            summary(dict(names), path="hr.staff", source="database", table="hr.staff", column="full_name"),
            summary({"PERSON": agg({0.8: 4})}, path="hr.staff", source="database", table="hr.staff", column="manager")]
    f, = evaluate(packs, cols[0], Site(), max_evidence=10, now=NOW, table=cols)
    assert f.unit.column == "notes"
    assert f.entities == {"HEALTH_TERM": {"count": 3, "max_score": 0.6},
                          "PERSON": {"count": 9, "max_score": 0.8, "same_table": True}}
    assert [e.entity_type for e in f.evidence] == ["HEALTH_TERM"] * 3
    assert evaluate(packs, cols[0], Site(), max_evidence=10, now=NOW) == []          # (no table given)
    low = summary({"PERSON": agg({0.3: 9})}, path="hr.staff", source="database", table="hr.staff", column="x")
    assert evaluate(packs, cols[0], Site(), max_evidence=10, now=NOW, table=[cols[0], low]) == []
    as_file = [summary(dict(health)), summary(dict(names), path="hr/other.csv")]
    assert evaluate(packs, as_file[0], Site(), max_evidence=10, now=NOW, table=as_file) == []


def test_none_absence(tmp_path):
    packs = pack(tmp_path, rule(entities="[PERSON]", extra_match="      none: [CLASSIFICATION_MARKING]\n"))
    assert len(ev(packs, summary({"PERSON": agg({1.0: 3})}))) == 1
    assert ev(packs, summary({"PERSON": agg({1.0: 3}), "CLASSIFICATION_MARKING": agg({1.0: 1})})) == []
    # a marking below min_score does not count as present
    assert len(ev(packs, summary({"PERSON": agg({1.0: 3}), "CLASSIFICATION_MARKING": agg({0.1: 1})}))) == 1
    assert "CLASSIFICATION_MARKING" in needed_entities(packs)


def test_min_distinct(tmp_path):
    packs = pack(tmp_path, rule(entities="[EMAIL_ADDRESS, PHONE_NUMBER]",
                                extra_match="      min_count: 4\n      min_distinct: 3\n"))
    same = summary({"EMAIL_ADDRESS": agg({1.0: 4}, hashes={"a"}), "PHONE_NUMBER": agg({1.0: 4}, hashes={"a"})})
    assert ev(packs, same) == []
    two = summary({"EMAIL_ADDRESS": agg({1.0: 4}, hashes={"a"}), "PHONE_NUMBER": agg({1.0: 4}, hashes={"b"})})
    assert ev(packs, two) == []
    three = summary({"EMAIL_ADDRESS": agg({1.0: 4}, hashes={"a", "c"}), "PHONE_NUMBER": agg({1.0: 4}, hashes={"b"})})
    assert len(ev(packs, three)) == 1


# ------------------------------------------------------------------ scope
def test_scope_sources(tmp_path):
    packs = pack(tmp_path, rule(scope="      sources: [database]\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert ev(packs, summary(ents)) == []
    assert len(ev(packs, summary(ents, path="public.pay", source="database", table="public.pay",
                                 column="card"))) == 1


def test_scope_include_exclude(tmp_path):
    packs = pack(tmp_path, rule(scope="      include: ['finance/**', '**/*.sql']\n"
                                      "      exclude: ['**/archive/**']\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, path="finance/2024/pay.xlsx"))) == 1
    assert len(ev(packs, summary(ents, path="it/db/dump.sql"))) == 1
    assert ev(packs, summary(ents, path="hr/staff.csv")) == []
    assert ev(packs, summary(ents, path="finance/archive/pay.xlsx")) == []
    # windows separators
    assert len(ev(packs, summary(ents, path="finance\\2024\\pay.xlsx"))) == 1


def test_scope_globs_on_archive_members(tmp_path):
    packs = pack(tmp_path, rule(scope="      include: ['**/*.sql']\n      exclude: ['**/*.zip!/tmp/**']\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, path="backup/site.zip", member="db/dump.sql"))) == 1
    assert ev(packs, summary(ents, path="backup/site.zip", member="db/readme.txt")) == []
    assert ev(packs, summary(ents, path="backup/site.zip", member="tmp/dump.sql")) == []


def test_scope_globs_on_database_columns(tmp_path):
    packs = pack(tmp_path, rule(scope="      include: ['hr.*.iban', 'finance.payments']\n"))
    ents = {"CREDIT_CARD": CARD()}
    db = dict(source="database")
    assert len(ev(packs, summary(ents, path="hr.staff", table="hr.staff", column="iban", **db))) == 1
    assert len(ev(packs, summary(ents, path="finance.payments", table="finance.payments", column="x", **db))) == 1
    assert ev(packs, summary(ents, path="hr.staff", table="hr.staff", column="name", **db)) == []


def test_scope_exposure(tmp_path):
    packs = pack(tmp_path, rule(scope="      exposure: [broad]\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, meta=ItemMeta(exposure="broad")))) == 1
    assert ev(packs, summary(ents, meta=ItemMeta(exposure="restricted"))) == []
    assert ev(packs, summary(ents, meta=ItemMeta())) == []     # unknown exposure never matches


def test_scope_min_age_days(tmp_path):
    packs = pack(tmp_path, rule(scope="      min_age_days: 2555\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, meta=ItemMeta(mtime=NOW - 2556 * DAY)))) == 1
    assert ev(packs, summary(ents, meta=ItemMeta(mtime=NOW - 2554 * DAY))) == []
    assert ev(packs, summary(ents, meta=ItemMeta())) == []


def test_scope_extensions(tmp_path):
    packs = pack(tmp_path, rule(scope="      extensions: [sql, .BAK, sql.gz]\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, path="db/x.SQL"))) == 1
    assert len(ev(packs, summary(ents, path="db/x.bak"))) == 1
    assert len(ev(packs, summary(ents, path="db/x.sql.gz"))) == 1
    assert ev(packs, summary(ents, path="db/x.csv")) == []
    assert ev(packs, summary(ents, path="db/xsql")) == []
    # archive member: the member's name counts, not the archive's
    assert len(ev(packs, summary(ents, path="b.zip", member="a/x.sql"))) == 1
    assert ev(packs, summary(ents, path="x.sql.zip", member="notes.txt",
                             meta=ItemMeta(extension="zip"))) == []
    # meta.extension is used when the path has no usable name
    assert len(ev(packs, summary(ents, path="", meta=ItemMeta(extension="bak")))) == 1


def test_scope_min_size(tmp_path):
    packs = pack(tmp_path, rule(scope="      min_size: 1000\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents, meta=ItemMeta(size=1000)))) == 1
    assert ev(packs, summary(ents, meta=ItemMeta(size=999))) == []
    assert ev(packs, summary(ents, meta=ItemMeta())) == []


def test_scope_sites(tmp_path):
    packs = pack(tmp_path, rule(scope="      sites: [field, Geneva]\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert len(ev(packs, summary(ents), site=Site(name="Juba", kind="field"))) == 1
    assert len(ev(packs, summary(ents), site=Site(name="geneva", kind="hq"))) == 1
    assert ev(packs, summary(ents), site=Site(name="New York", kind="hq")) == []
    assert ev(packs, summary(ents), site=Site()) == []


# ------------------------------------------------------------------ escalation
def test_escalate_shorthand(tmp_path):
    packs = pack(tmp_path, rule(more="    escalate: {exposure_broad: critical}\n"))
    ents = {"CREDIT_CARD": CARD()}
    assert ev(packs, summary(ents, meta=ItemMeta(exposure="broad")))[0].severity == "critical"
    assert ev(packs, summary(ents, meta=ItemMeta(exposure="restricted")))[0].severity == "high"
    assert ev(packs, summary(ents))[0].severity == "high"


def test_escalate_steps_never_lower(tmp_path):
    more = ("    escalate:\n      - {severity: critical, min_count: 100}\n"
            "      - {severity: low, exposure: [restricted]}\n"
            "      - {severity: critical, sites: [field], min_distinct: 3}\n")
    packs = pack(tmp_path, rule(more=more))
    sev = lambda s, site=None: ev(packs, s, site=site)[0].severity  # noqa: E731
    assert sev(summary({"CREDIT_CARD": CARD(5)}, meta=ItemMeta(exposure="restricted"))) == "high"
    assert sev(summary({"CREDIT_CARD": agg({1.0: 100})})) == "critical"
    assert sev(summary({"CREDIT_CARD": CARD(5)}), site=Site(kind="field")) == "critical"
    assert sev(summary({"CREDIT_CARD": CARD(2)}), site=Site(kind="field")) == "high"


def test_escalate_needs_condition_and_known_shorthand(tmp_path):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(id="E-1", more="    escalate: [{severity: critical}]\n")
             + rule(id="E-2", more="    escalate: {exposure_public: critical}\n"))
    msg = str(ei.value)
    assert "rule E-1: escalate[0]" in msg and "rule E-2: escalate" in msg


def test_every_problem_of_every_pack_in_one_run(tmp_path):
    """Schema errors (severity, escalate, a broken recognizer) do not hide the later checks
    (entities, globs, duplicate ids) of the other rules, nor of the broken rules' valid parts."""
    rec = ("recognizers:\n  - entity: CASE_NUMBER\n    patterns:\n"
           "      - {name: c, regex: '\\b(\\d{3}', score: 0.5}\n")
    a = write(tmp_path, "pack: a\n" + rec + "rules:\n"
              + rule(id="P-1").replace("severity: high", "severity: urgent")
              + rule(id="P-2", more="    escalate: [{severity: critical}]\n")
              + rule(id="P-3", entities="[CREDIT_CRAD]")
              + rule(id="P-4", scope="      include: ['[z-a]/gl.canary']\n")
              + rule(id="P-5", entities="[CASE_NUMBER]")
              + rule(id="P-6", entities="[EMAIL_ADRESS]").replace("CM-ENCRYPT", "encrypt")
              + rule(id="P-7", entities="[CREDIT_CARDS]", extra_match="      min_score: 1.5\n"
                     "      all: [PERSN]\n      min_scores: {IBAN: 0.5}\n"), "a.yaml")
    b = write(tmp_path, "pack: b\nrules:\n" + rule(id="P-1") + rule(id="Q-1", entities="[PERSN]"), "b.yaml")
    with pytest.raises(RuleError) as ei:
        load_packs([a, b], KNOWN)
    msg = str(ei.value)
    assert "a.yaml: rule P-1: severity: unknown severity" in msg
    assert "a.yaml: rule P-2: escalate[0]" in msg
    assert "a.yaml: rule -: recognizers[0].patterns[0].regex: bad regex" in msg
    assert "a.yaml: rule P-3: match.entities[0]: unknown entity 'CREDIT_CRAD'" in msg
    assert "a.yaml: rule P-4: scope.include[0]: bad glob" in msg and "gl.canary" not in msg
    assert "a.yaml: rule P-6: measure: bad measure" in msg
    assert "a.yaml: rule P-6: match.entities[0]: unknown entity 'EMAIL_ADRESS'" in msg
    # (a match failing the schema: its names are checked as written)
    assert "a.yaml: rule P-7: match.min_score" in msg
    assert "a.yaml: rule P-7: match.entities[0]: unknown entity 'CREDIT_CARDS' (did you mean 'CREDIT_CARD'?)" in msg
    assert "a.yaml: rule P-7: match.all[0]: unknown entity 'PERSN'" in msg
    assert "a.yaml: rule P-7: match.min_scores.'IBAN': unknown entity 'IBAN'" in msg
    assert "b.yaml: rule P-1: id: duplicate rule id (also in " in msg
    assert "b.yaml: rule Q-1: match.entities[0]: unknown entity 'PERSN'" in msg
    assert "CASE_NUMBER" not in msg.replace("recognizers[0]", "")     # declared by the broken recognizer
    assert len(ei.value.problems) == 13


# ------------------------------------------------------------------ fingerprint / evidence
def test_fingerprint_stable_and_line_independent(tmp_path):
    packs = pack(tmp_path, rule(id="DG-009"))
    a = ev(packs, summary({"CREDIT_CARD": CARD(1, start_line=3)}))[0]
    b = ev(packs, summary({"CREDIT_CARD": CARD(2, start_line=40)}))[0]
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 64
    assert all(c in "0123456789abcdef" for c in a.fingerprint)
    c = ev(packs, summary({"CREDIT_CARD": CARD()}, path="other.csv"))[0]
    d = ev(packs, summary({"CREDIT_CARD": CARD()}, member="x.txt"))[0]
    assert len({a.fingerprint, c.fingerprint, d.fingerprint}) == 3
    packs2 = load_packs([write(tmp_path, "pack: u\nrules:\n" + rule(id="DG-010"), "u.yaml")], KNOWN)
    assert ev(packs2, summary({"CREDIT_CARD": CARD()}))[0].fingerprint != a.fingerprint


def test_evidence_cap_and_truncation(tmp_path):
    packs = pack(tmp_path, rule())
    s = summary({"CREDIT_CARD": CARD(5)})
    f = ev(packs, s, max_evidence=3)[0]
    assert len(f.evidence) == 3 and f.evidence_truncated
    f = ev(packs, s, max_evidence=None)[0]
    assert len(f.evidence) == 5 and not f.evidence_truncated
    f = ev(packs, s, max_evidence=5)[0]
    assert len(f.evidence) == 5 and not f.evidence_truncated
    # the scanner kept fewer evidence entries than the count: truncated
    f = ev(packs, summary({"CREDIT_CARD": agg({1.0: 7}, n_evidence=2, etype="CREDIT_CARD")}), max_evidence=None)[0]
    assert len(f.evidence) == 2 and f.evidence_truncated
    f = ev(packs, s, max_evidence=0)[0]
    assert f.evidence == () and f.evidence_truncated


def test_evidence_interleaved_filtered_and_sorted(tmp_path):
    packs = pack(tmp_path, rule(entities="[EMAIL_ADDRESS, PHONE_NUMBER]", extra_match="      min_score: 0.5\n"))
    emails = agg({1.0: 6}, n_evidence=6, etype="EMAIL_ADDRESS", start_line=1)
    phones = agg({0.7: 2}, n_evidence=2, etype="PHONE_NUMBER", start_line=100, score=0.7)
    low = Evidence(entity_type="PHONE_NUMBER", score=0.2, pointer=Pointer(line=50), masked="*", value_hash="z")
    phones.evidence.insert(0, low)
    phones.scores[0.2] = 1
    f = ev(packs, summary({"EMAIL_ADDRESS": emails, "PHONE_NUMBER": phones}), max_evidence=4)[0]
    types = [e.entity_type for e in f.evidence]
    assert types.count("PHONE_NUMBER") == 2 and types.count("EMAIL_ADDRESS") == 2   # fair share
    assert all(e.score >= 0.5 for e in f.evidence)
    lines = [e.pointer.line for e in f.evidence]
    assert lines == sorted(lines)
    assert f.evidence_truncated


def test_evaluate_accepts_rules_and_packs(tmp_path):
    packs = pack(tmp_path, rule())
    s = summary({"CREDIT_CARD": CARD()})
    assert len(ev(packs[0], s)) == 1
    assert len(ev(list(packs[0].rules), s)) == 1


@pytest.mark.parametrize("regex,nested", [(r"(\w+\s?)*$", True), (r"(a+)+", True), (r"(?:x{1,20})+", True),
                                          (r"(a|b)*", False), (r"\d{3}-\d{2}-\d{4}", False), (r"CASE-\d+", False)])
def test_nested_quantifiers_are_recognised(regex, nested):
    from dataguard.rules import nested_quantifier
    assert nested_quantifier(regex) is nested


def test_rules_validate_warns_about_nested_quantifiers(tmp_path, run_cli):
    p = write(tmp_path, "pack: t\nrecognizers:\n  - entity: SLOW_THING\n    patterns:\n"
                        "      - {name: slow, regex: '(\\w+\\s?)*$', score: 0.5}\n"
                        "      - {name: fine, regex: 'CASE-\\d+', score: 0.5}\n")
    r = run_cli("rules", "validate", str(p))
    assert r.exit_code == 0
    assert "recognizer SLOW_THING: pattern 'slow': nested quantifier" in r.stderr and "'fine'" not in r.stderr


def test_rules_validate_checks_ids_against_the_built_in_packs(tmp_path, run_cli):
    """A scan loads the built-in packs first: an id of theirs in another pack is a duplicate."""
    p = write(tmp_path, "pack: t\nrules:\n" + rule(id="DG-009"), "bad4.yaml")
    r = run_cli("rules", "validate", str(p))
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{p}: rule DG-009: id: duplicate rule id (also in " in r.stderr and "default.yaml" in r.stderr
    scan = run_cli("scan", tmp_path, "--no-ner", "--rules", p)
    assert scan.exit_code == 2 and "rule DG-009: id: duplicate rule id" in scan.stderr
    alone = run_cli("rules", "validate", "--no-default-rules", str(p))
    assert alone.exit_code == 0 and alone.stdout == f"{p}: pack t v1: 1 rules, 0 recognizers: OK\n"
    builtin = run_cli("rules", "validate", str(ROOT / "rules" / "default.yaml"), str(p.parent))
    assert builtin.exit_code == 2 and builtin.stderr.count("duplicate rule id") == 1


# ------------------------------------------------------------------ column-name signals
SIGNALS = """column_signals:
  - {entity: DATE_OF_BIRTH, values: date, names: [geburtsdatum, dob]}
  - {lower: [PHONE_NUMBER, UK_NHS], names: [artikelnummer], unless: [telefon]}
  - {entity: PERSON, exact: true, names: [nachname], score: 0.9}
"""


def test_column_signals_load(tmp_path):
    from dataguard.rules import column_signals
    (p,) = pack(tmp_path, rule(), recognizers=SIGNALS)
    dob, code, name = p.column_signals
    assert (dob.entity, dob.values, dob.names, dob.pack) == ("DATE_OF_BIRTH", "date", ("geburtsdatum", "dob"), "t")
    assert (code.entity, code.lower, code.unless) == (None, ("PHONE_NUMBER", "UK_NHS"), ("telefon",))
    assert name.exact and name.score == 0.9
    assert column_signals([p]) == p.column_signals
    assert column_signals(pack(tmp_path, rule(), name="plain.yaml")) == ()       # none declared: the built-in ones


@pytest.mark.parametrize("signal, message", [
    ("{entity: DATE_OF_BIRTH, lower: [PHONE_NUMBER], names: [x]}", "either 'entity'"),
    ("{names: [x]}", "either 'entity'"),
    ("{lower: [PHONE_NUMBER], values: date, names: [x]}", "'values' goes with 'entity'"),
    ("{entity: DATE_OF_BIRTH, values: shoe_size, names: [x]}", "column_signals[0].values"),
    ("{entity: DATE_OF_BIRTH, names: []}", "column_signals[0].names"),
    ("{entity: DATE_OF_BRTH, names: [x]}", "column_signals[0].entity: unknown entity 'DATE_OF_BRTH'"),
    ("{lower: [PHONE_NUMBR], names: [x]}", "column_signals[0].lower[0]: unknown entity 'PHONE_NUMBR'"),
    ("{entity: PERSON, names: [x], colour: red}", "unknown key 'colour'"),
])
def test_bad_column_signals_are_errors(tmp_path, signal, message):
    with pytest.raises(RuleError) as ei:
        pack(tmp_path, rule(), recognizers=f"column_signals:\n  - {signal}\n")
    assert message in str(ei.value)


def test_default_pack_signals_name_known_entities():
    from dataguard.rules import default_column_signals
    signals = default_column_signals()
    assert {s.entity for s in signals if s.entity} >= {"PERSON", "DATE_OF_BIRTH", "SECRET_PASSWORD", "PASSWORD_HASH",
                                                       "PHONE_NUMBER", "NATIONAL_ID", "HEALTH_TERM"}
    assert all(set(s.lower) <= KNOWN and (s.entity is None or s.entity in KNOWN) for s in signals)

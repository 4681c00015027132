"""The shared vocabularies, defaults and the duration parser."""
from __future__ import annotations

import json

import pytest

from dataguard import defaults
from dataguard.durations import parse_duration
from dataguard.report import FORMATS as WRITERS
from dataguard.report import schema_path
from dataguard.vocab import (FAIL_ON_CHOICES, FORMATS, SEVERITIES, Exposure, OutputFormat, ProblemKind, Severity,
                             SiteKind, SkipReason, SourceKind, TargetStatusName, report_extension, severity_rank,
                             values)


def test_enums_serialise_as_their_words():
    assert json.dumps({"s": Severity.HIGH, "e": Exposure.BROAD}) == '{"s": "high", "e": "broad"}'
    assert f"{ProblemKind.TOO_LARGE}" == "too_large" and SkipReason.SYMLINK == "symlink"


def test_severity_order_and_rank():
    assert SEVERITIES == ("info", "low", "medium", "high", "critical")
    assert [severity_rank(s) for s in SEVERITIES] == [0, 1, 2, 3, 4]
    assert FAIL_ON_CHOICES == ("critical", "high", "medium", "low", "info", "never")
    with pytest.raises(ValueError):
        severity_rank("urgent")


def test_every_format_has_a_writer_and_an_extension():
    assert set(FORMATS) == set(WRITERS)
    assert report_extension(OutputFormat.TABLE) == "txt" and report_extension("jsonl") == "jsonl"


def test_defaults_are_the_documented_ones():
    assert defaults.SAMPLE_ROWS == 10_000 and defaults.MAX_EVIDENCE == 10 and defaults.FAIL_ON == "low"


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400),
                                           (" 2H ", 7200), ("1.5", 1.5), (120, 120), (0.5, 0.5)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["soon", "", "h", "1d", "-5", 0, -1, "0", True])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_the_report_schema_uses_the_same_words():
    schema = json.loads(open(schema_path(), encoding="utf-8").read())
    scan, finding = schema["properties"]["scan"]["properties"], schema["$defs"]["finding"]["properties"]
    assert set(schema["$defs"]["severity"]["enum"]) == set(SEVERITIES)
    assert schema["properties"]["errors"]["items"]["properties"]["kind"]["enum"] == list(values(ProblemKind))
    assert schema["properties"]["skipped"]["items"]["properties"]["reason"]["enum"] == list(values(SkipReason))
    assert finding["exposure"]["enum"] == [*values(Exposure), None]
    assert finding["location"]["properties"]["source"]["enum"] == list(values(SourceKind))
    assert scan["site_kind"]["enum"] == [*values(SiteKind), None]
    assert scan["targets"]["items"]["properties"]["status"]["enum"] == list(values(TargetStatusName))

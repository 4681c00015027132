"""The words dataguard's inputs and outputs share, one enum each.

Every enum is a ``StrEnum``: a member *is* its string value, so JSON, CSV and
comparisons with plain strings see exactly the words listed here.
"""
from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """Severity of a finding, listed from lowest to highest (the order is the rank)."""
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITIES = tuple(s.value for s in Severity)       # lowest first
FAIL_NEVER = "never"                                 # --fail-on never: findings never make the exit code 1
FAIL_ON_CHOICES = tuple(reversed(SEVERITIES)) + (FAIL_NEVER,)


def severity_rank(name: str) -> int:
    """0 for info ... 4 for critical; ValueError for an unknown name."""
    return SEVERITIES.index(name)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    SARIF = "sarif"
    CSV = "csv"
    HTML = "html"


FORMATS = tuple(f.value for f in OutputFormat)
# file name extension of a report written into the configured output folder
REPORT_EXTENSIONS = {OutputFormat.TABLE: "txt"}


def report_extension(fmt: str) -> str:
    return REPORT_EXTENSIONS.get(fmt, fmt)


class ProblemKind(StrEnum):
    """Why an item was tried and failed (report ``errors[].kind``)."""
    UNREADABLE = "unreadable"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    BOMB = "bomb"
    NO_TEXT = "no_text"
    UNREACHABLE = "unreachable"


# the message of an item whose worker process died on it (a ``corrupt`` error): the item, or
# whatever killed the process (the OOM killer, an operator), may be to blame, so it is tried again
WORKER_DIED = "the process scanning it died"
# errors of an item nothing was read of (not counted as scanned)
UNREAD_KINDS = frozenset({ProblemKind.UNREADABLE, ProblemKind.ENCRYPTED, ProblemKind.UNREACHABLE})
# errors that may not happen again to the same unchanged item: a state file does not keep them
RETRIED_KINDS = frozenset({ProblemKind.TIMEOUT, ProblemKind.UNREACHABLE, ProblemKind.UNREADABLE})


class SkipReason(StrEnum):
    """Why an item was deliberately not scanned (report ``skipped[].reason``)."""
    BINARY = "binary"
    EXCLUDED = "excluded"
    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    SYMLINK = "symlink"


class Exposure(StrEnum):
    """Who can read an item: ``broad`` (everyone / large groups) or ``restricted``; None is unknown."""
    BROAD = "broad"
    RESTRICTED = "restricted"


class SourceKind(StrEnum):
    """What a location unit is part of."""
    FILE = "file"
    DATABASE = "database"


class SiteKind(StrEnum):
    HQ = "hq"
    FIELD = "field"


class TargetStatusName(StrEnum):
    """``scan.targets[].status`` in the report."""
    OK = "ok"
    ERROR = "error"
    PARTIAL = "partial"


class Reason(StrEnum):
    """What led to a match (report ``evidence[].reason``)."""
    VALUE = "value"                         # the value alone (a recognizer)
    COLUMN_NAME = "column_name"             # the name of its column, over a plausible value
    BOTH = "value_and_column_name"          # a recognized value in a column named for it


class ValueKind(StrEnum):
    """What a value must look like for a column-name signal to make it a finding
    (rule packs' ``column_signals[].values``; the checks are in ``detect/columns.py``)."""
    DATE = "date"                 # a calendar date (of birth: not in the future, not before 1900)
    CREDENTIAL = "credential"     # a password, token or key (placeholders and flags are not)
    PHONE = "phone"               # 7 to 15 digits written like a phone number
    IDENTIFIER = "identifier"     # a short code with at least four digits
    TEXT = "text"                 # any words (a diagnosis column)


LANGUAGES = ("auto", "en", "fr")    # --language: NER model per chunk ("auto") or one for all
# languages told apart per chunk, and the languages of rule packs' context words
TEXT_LANGUAGES = ("en", "fr", "es", "ar")
# a rule pack's context words may be listed under these too (German, Portuguese, Russian, Swahili,
# Chinese: labels in registers and forms written there; context words count whatever the chunk's language)
CONTEXT_LANGUAGES = TEXT_LANGUAGES + ("de", "pt", "ru", "sw", "zh")

# the entity type of a match that is a value reserved for documentation and tests
# (example.org addresses, AWS's ...EXAMPLE keys): counted in the stats, never reported
TEST_VALUE = "_TEST_VALUE"


def values(enum) -> tuple:
    """The string values of an enum, in declaration order (for CLI choices and messages)."""
    return tuple(m.value for m in enum)

"""What a database cell contributes to detection: column types classified, values
turned into texts (dates in ISO form, network addresses and arrays as written, JSON
walked to its leaves, each with its key path such as ``profile.dob``, textual blobs
decoded, integers kept only when long enough to be identifiers), identifiers split into
context words. Blobs that are documents (PDF, office files, archives) are not text here:
``blob_bytes`` hands them to the document extractors."""
from __future__ import annotations

import datetime
import ipaddress
import json
import re
from decimal import Decimal
from typing import Iterator, Optional

import sqlalchemy as sa

from dataguard.extract.sniff import HEAD_BYTES, looks_textual, sniff

MIN_ID_DIGITS = 6             # integers shorter than this cannot be identifiers we look for


def words(name: str) -> list:
    """Context words of an identifier: the name itself plus its parts (snake/camel case)."""
    name = str(name)
    parts = re.split(r"[_\W]+", re.sub(r"([a-z])([A-Z])", r"\1_\2", name))
    out = [name.lower()]
    out += [p.lower() for p in parts if p and not p.isdigit() and p.lower() != name.lower()]
    if len(parts) > 1:
        out.append(" ".join(p.lower() for p in parts if p))
    seen, res = set(), []
    for w in out:
        if w and w not in seen:
            seen.add(w)
            res.append(w)
    return res


def classify(coltype) -> tuple:
    """(mode, reason): mode is text | json | blob | number | array | auto | skip."""
    t = coltype
    name = type(t).__name__.upper()
    try:
        from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
    except Exception:  # noqa: BLE001
        PG_ARRAY = ()
    if isinstance(t, sa.Boolean):
        return "skip", "boolean"
    if isinstance(t, (sa.Time, sa.Interval)) or name == "YEAR":
        return "skip", "time of day / interval"
    if isinstance(t, (sa.Date, sa.DateTime)) or name in ("TIMESTAMP", "DATETIME", "DATE"):
        return "date", ""        # read: a date-of-birth column is personal data (column semantics decide)
    if isinstance(t, sa.Uuid) or name == "UUID":
        return "skip", "uuid"
    if isinstance(t, sa.Enum):
        return "skip", "enum"
    if isinstance(t, sa.JSON) or name in ("JSON", "JSONB"):
        return "json", ""
    if isinstance(t, sa.ARRAY) or (PG_ARRAY and isinstance(t, PG_ARRAY)):
        return "array", ""
    if isinstance(t, sa.Float) or name in ("REAL", "DOUBLE", "DOUBLE_PRECISION", "FLOAT"):
        return "skip", "float"
    if isinstance(t, sa.SmallInteger) or name in ("TINYINT", "SMALLINT", "MEDIUMINT", "BIT"):
        return "skip", "small integer"
    if isinstance(t, sa.Integer):
        return "number", ""
    if isinstance(t, sa.Numeric):
        scale = getattr(t, "scale", None)
        precision = getattr(t, "precision", None)
        if scale:
            return "skip", "decimal with fraction"
        if precision is not None and precision < MIN_ID_DIGITS:
            return "skip", "numeric too short for an identifier"
        return "number", ""
    if isinstance(t, (sa.LargeBinary, getattr(sa.types, "_Binary", sa.LargeBinary))) or name in ("BYTEA", "BLOB", "LONGBLOB", "MEDIUMBLOB",
                                                               "TINYBLOB", "VARBINARY", "BINARY"):
        return "blob", ""
    if isinstance(t, (sa.String, sa.Text)):
        return "text", ""
    return "auto", ""


def _digits(v) -> Optional[str]:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        s = str(abs(v))
    elif isinstance(v, Decimal):
        if not v.is_finite() or v != v.to_integral_value():
            return None
        s = str(abs(int(v)))
    else:
        return None
    return s if len(s) >= MIN_ID_DIGITS else None


MAX_PATHS = 64               # distinct JSON key paths kept apart per column (more: under the column)


def _blob_data(v) -> Optional[bytes]:
    if isinstance(v, memoryview):
        v = v.tobytes()
    return bytes(v) if isinstance(v, (bytes, bytearray)) and v else None


def _blob_text(v) -> Optional[str]:
    """A textual blob, decoded (None: not text, see ``blob_bytes``)."""
    data = _blob_data(v)
    if data is None or not looks_textual(data[:8192]):
        return None
    for enc in ("utf-8", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8",):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(data[:1_000_000]).best()
        if best is not None:
            return str(best)
    except Exception:  # noqa: BLE001
        pass
    return data.decode("latin-1")


def blob_bytes(v) -> Optional[bytes]:
    """The bytes of a binary cell that holds a document for the extractors (PDF, office file,
    archive, mail, RTF); None for text (``cell_texts``) and for images and other binaries."""
    data = _blob_data(v)
    if data is None:
        return None
    return None if sniff(data[:HEAD_BYTES], "") in ("text", "binary") else data


def _number(v) -> Optional[str]:
    if isinstance(v, float):
        return _digits(int(v)) if v.is_integer() else None
    return _digits(v) if isinstance(v, (int, Decimal)) else None


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_ -]{0,39}")


def _key(k) -> str:
    """A JSON key as it appears in a key path: a name, or ``*`` for a key that is data (an
    e-mail address, a number, a long text): key paths are shown in reports."""
    k = str(k)
    return k if _KEY.fullmatch(k) and sum(c.isdigit() for c in k) < 4 else "*"


def _json_leaves(obj, path: str = "", depth: int = 0) -> Iterator[tuple]:
    """(key path, text) of the string and identifier-like number leaves of a parsed JSON
    document; list items share their list's path (``contacts.phone``)."""
    if depth > 64:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            k = _key(k)
            yield from _json_leaves(v, f"{path}.{k}" if path else k, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _json_leaves(v, path, depth + 1)
    elif isinstance(obj, str):
        if obj.strip():
            yield path or None, obj
    elif not isinstance(obj, bool):
        d = _number(obj)
        if d:
            yield path or None, d


def _dated(v) -> list:
    if isinstance(v, datetime.datetime):
        return [(None, v.replace(tzinfo=None).isoformat())]          # "T": no digit run like a phone number
    if isinstance(v, datetime.date):
        return [(None, v.isoformat())]
    return [(None, str(v))] if str(v).strip() else []


def _json_text(s: str) -> Optional[list]:
    """The leaves of a text that is a JSON document (None: it is not one)."""
    if s[:1] in "{[" and s.rstrip()[-1:] in "}]" and len(s) < 5_000_000:
        try:
            return list(_json_leaves(json.loads(s)))
        except ValueError:
            return None
    return None


def _text_leaves(s: str) -> list:
    leaves = _json_text(s)
    if leaves is not None:
        return leaves
    return [(None, s)] if s.strip() else []


def cell_texts(mode: str, v) -> list:
    """The (key path or None, text) pairs one cell contributes (possibly none); a key path
    names a JSON leaf inside the column (``profile.dob``). Documents in blobs: ``blob_bytes``."""
    if v is None:
        return []
    if isinstance(v, (bytes, bytearray, memoryview)):
        t = _blob_text(v)
        return _text_leaves(t) if t and t.strip() else []
    if mode == "date":
        return _dated(v)
    if mode == "number":
        d = _digits(v)
        if d is None and isinstance(v, str) and v.strip().isdigit() and len(v.strip()) >= MIN_ID_DIGITS:
            d = v.strip()
        return [(None, d)] if d else []
    if isinstance(v, (dict, list, tuple)):
        return list(_json_leaves(v))
    if isinstance(v, str):
        # JSON kept as text (MariaDB's JSON is LONGTEXT, SQLite has no JSON type): walk its leaves
        return _text_leaves(v) if mode != "blob" else ([(None, v)] if v.strip() else [])
    if isinstance(v, (datetime.date, datetime.datetime)):
        return _dated(v)
    if isinstance(v, (int, Decimal, float)) and not isinstance(v, bool):
        d = _number(v)
        return [(None, d)] if d else []
    if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface,
                      ipaddress.IPv6Interface, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return [(None, str(v))]
    return []


def is_prose(texts: list) -> bool:
    if not texts:
        return False
    total = sum(len(t) for t in texts)
    if total / len(texts) > 40:
        return True
    # free text: most values have several words made of letters (a phone number's groups are not words);
    # judged on a few values spread over the batch (cheap)
    step = max(1, len(texts) // 24)
    probe = texts[::step]
    wordy = sum(1 for t in probe if sum(1 for w in t.split(None, 8)[:8] if not w.isdigit() and any(c.isalpha() for c in w)) >= 4)
    return wordy * 2 > len(probe)

"""What a database cell contributes to detection: column types classified, values
turned into texts (JSON walked to its leaves, blobs decoded when textual, integers
kept only when long enough to be identifiers), identifiers split into context words."""
from __future__ import annotations

import ipaddress
import json
import re
from decimal import Decimal
from typing import Iterator, Optional

import sqlalchemy as sa

from dataguard.extract.sniff import looks_textual

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
    if isinstance(t, (sa.Date, sa.DateTime, sa.Time, sa.Interval)) or name in ("YEAR", "TIMESTAMP", "DATETIME"):
        return "skip", "date/time"
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


def _blob_text(v) -> Optional[str]:
    if isinstance(v, memoryview):
        v = v.tobytes()
    if not isinstance(v, (bytes, bytearray)) or not v:
        return None
    data = bytes(v)
    if not looks_textual(data[:8192]):
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


def _json_leaves(obj, keys: list, depth: int = 0) -> Iterator[str]:
    """String (and identifier-like number) leaves of a parsed JSON document; keys go to ``keys``."""
    if depth > 64:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            if len(keys) < 64:
                keys.append(str(k))
            yield from _json_leaves(v, keys, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _json_leaves(v, keys, depth + 1)
    elif isinstance(obj, str):
        if obj.strip():
            yield obj
    elif isinstance(obj, (int, Decimal)) and not isinstance(obj, bool):
        d = _digits(obj)
        if d:
            yield d
    elif isinstance(obj, float) and obj.is_integer():
        d = _digits(int(obj))
        if d:
            yield d


def cell_texts(mode: str, v, keys: list) -> list:
    """The texts one cell contributes (possibly none); JSON keys met go to ``keys``."""
    if v is None:
        return []
    if mode == "text":
        if isinstance(v, (bytes, bytearray, memoryview)):
            t = _blob_text(v)
            return [t] if t and t.strip() else []
        s = v if isinstance(v, str) else str(v)
        if s[:1] in "{[" and s.rstrip()[-1:] in "}]" and len(s) < 5_000_000:
            try:    # JSON kept in a text column (MariaDB's JSON is LONGTEXT): walk its leaves
                return list(_json_leaves(json.loads(s), keys))
            except ValueError:
                pass
        return [s] if s.strip() else []
    if mode == "number":
        d = _digits(v)
        if d is None and isinstance(v, str) and v.strip().isdigit() and len(v.strip()) >= MIN_ID_DIGITS:
            d = v.strip()
        return [d] if d else []
    if mode == "blob":
        t = _blob_text(v)
        return [t] if t and t.strip() else []
    if mode in ("json", "array"):
        if isinstance(v, (bytes, bytearray, memoryview)):
            v = _blob_text(v) or ""
        if isinstance(v, str):
            try:
                v = json.loads(v)
            except ValueError:
                return [v] if v.strip() else []
        return list(_json_leaves(v, keys))
    # auto: decide by the Python type of the value
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, (bytes, bytearray, memoryview)):
        return cell_texts("blob", v, keys)
    if isinstance(v, (dict, list, tuple)):
        return list(_json_leaves(v, keys))
    if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
        d = _digits(v)
        return [d] if d else []
    if isinstance(v, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Interface,
                      ipaddress.IPv6Interface, ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return [str(v)]
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

"""JSON strings' \\u escapes ("Chr\\u00e9tien", an Arabic name written "\\u0623\\u062d...": json.dumps'
default) read as the characters they write, each character with the span of what writes it."""
from __future__ import annotations

import json
import re

_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\.")


def unescaped(raw: str, at: int) -> tuple:
    """(the JSON string ``raw`` decoded, for each decoded character the (start, end) of what
    writes it in the text, ``raw`` starting at ``at``); None when it is no valid JSON string."""
    out, where, pos = [], [], 0
    for m in _ESCAPE.finditer(raw):
        out.append(raw[pos:m.start()])
        where += [(at + i, at + i + 1) for i in range(pos, m.start())]
        try:
            plain = json.loads(f'"{m.group()}"')
        except ValueError:
            return None
        out.append(plain)
        where += [(at + m.start(), at + m.end())] * len(plain)
        pos = m.end()
    out.append(raw[pos:])
    where += [(at + i, at + i + 1) for i in range(pos, len(raw))]
    return "".join(out), where


def json_unescaped(value: str) -> str:
    """A value found on a JSON string's \\u escapes, decoded ("Chr\\u00e9tien" -> "Chrétien"): it
    hashes and masks as the same value written plainly; the value itself when it holds none or
    is no valid JSON string's piece."""
    if "\\u" not in value:
        return value
    got = unescaped(value, 0)
    return value if got is None else got[0]

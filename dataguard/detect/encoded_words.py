"""MIME encoded words (RFC 2047: ``=?utf-8?b?QcOvc3NhdGEgTWHDr2dh?=``) decoded before detection.

Mail headers copied into logs, exports and text files keep their encoded form, which hides
the names in them. A run of encoded words is replaced by its decoded text padded with spaces
to the same length (decoding never lengthens it), so every offset of the chunk stays valid;
a match inside a decoded run is reported on the whole run as written.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import replace

from dataguard.detect.json_escapes import unescaped
from dataguard.types import Chunk, Match

_WORD = r"=\?[A-Za-z0-9_.:-]{1,40}(?:\*[A-Za-z-]{1,16})?\?[BbQq]\?[!->@-~]{0,600}?\?="
_RUN = re.compile(rf"{_WORD}(?:[ \t]*\r?\n?[ \t]+{_WORD}){{0,20}}")


def _decoded(run: str) -> str:
    from email.errors import HeaderParseError
    from email.header import decode_header, make_header
    try:
        return str(make_header(decode_header(run)))
    except (ValueError, LookupError, UnicodeError, TypeError, HeaderParseError):   # unknown charset, bad base64
        return run


def decode(chunk: Chunk) -> tuple:
    """(chunk with its encoded-word runs decoded, [(start, end) of each decoded run])."""
    text = chunk.text
    if "=?" not in text:
        return chunk, []
    parts, runs, pos = [], [], 0
    for m in _RUN.finditer(text):
        plain = _decoded(m.group())
        if plain == m.group() or len(plain) > len(m.group()):
            continue
        parts += [text[pos:m.start()], plain, " " * (len(m.group()) - len(plain))]
        runs.append(m.span())
        pos = m.end()
    if not runs:
        return chunk, []
    parts.append(text[pos:])
    return replace(chunk, text="".join(parts)), runs


def widen(matches: list, runs: list, text: str) -> list:
    """Matches inside a decoded run cover the whole run (the value as ``text`` holds it)."""
    if not runs:
        return matches
    best: dict = {}
    for m in matches:
        run = next(((s, e) for s, e in runs if s <= m.start < e), None)
        if run is not None:
            end = run[1] if m.end <= run[1] or not text[run[1]:m.end].strip() else m.end
            m = replace(m, start=run[0], end=end)
        key = (m.entity_type, m.start, m.end)
        if key not in best or best[key].score < m.score:
            best[key] = m
    return sorted(best.values(), key=lambda m: (m.start, m.end, m.entity_type))


# A JSON string holding \u escapes ("Chr\u00e9tien", an Arabic name written "\u0623\u062d\u0645\u062f":
# json.dumps' default, in API dumps and log payloads) is read decoded, padded with spaces to its
# length; a match in it is placed back on the escapes it was read from.
_JSON_STRING = re.compile(r'"(?P<s>(?:[^"\\\n]|\\.){1,2000})"')


def unescape_json(chunk: Chunk) -> tuple:
    """(chunk with the \\u escapes of its JSON strings decoded, {decoded string's start: where}
    (``json_escapes.unescaped``) for ``place``)."""
    text = chunk.text
    if "\\u" not in text:
        return chunk, {}
    parts, maps, pos = [], {}, 0
    for m in _JSON_STRING.finditer(text):
        raw = m["s"]
        if "\\u" not in raw:
            continue
        got = unescaped(raw, m.start("s"))
        if got is None:
            continue
        plain, where = got
        parts += [text[pos:m.start("s")], plain, " " * (len(raw) - len(plain))]
        maps[m.start("s")] = (m.end("s"), where)
        pos = m.end("s")
    if not maps:
        return chunk, {}
    parts.append(text[pos:])
    return replace(chunk, text="".join(parts)), maps


def place(matches: list, maps: dict) -> list:
    """Matches in a decoded JSON string on the escapes they were read from (``unescape_json``)."""
    if not maps:
        return matches
    starts = sorted(maps)
    out = []
    for m in matches:
        i = bisect.bisect_right(starts, m.start) - 1
        if i >= 0 and m.start < maps[starts[i]][0]:
            s0 = starts[i]
            where = maps[s0][1]
            a, b = m.start - s0, min(m.end, maps[s0][0]) - s0
            if a < len(where):
                m = replace(m, start=where[a][0], end=where[min(b, len(where)) - 1][1])
        out.append(m)
    return sorted(out, key=lambda m: (m.start, m.end, m.entity_type))

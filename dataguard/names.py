"""Names are data: the names of files, archive members, sheets, tables and columns.

A name is text whatever its bytes: ``as_text`` turns what a file system gave as
surrogate escapes (bytes that are not UTF-8) into ``\\xNN`` (and, in such a name
only, a backslash into ``\\\\``), so every name is a valid str that JSON, SQLite and
hashing accept, and the bytes can still be recovered from it.

A name is scanned like content (the extractors and sources hand it to detection as a
chunk whose pointer has ``part="name"``), and it is shown masked where it holds a
value, unless ``--show-data``:

* what detection found in the names of an item (a person's name found by NER, a
  passport number, a rule pack's keyword... in the name of a file, an archive member,
  a sheet, a table or a column) is masked wherever that item's names are shown: the
  aggregator keeps each such value with its masked preview (``UnitSummary.name_values``)
  and ``NameMasker`` replaces every occurrence of the item's values, in every name and
  message of the item, by their preview (overlapping values: by ``*``);
* then ``mask_values`` replaces e-mail addresses, IBANs and runs of nine or more digits
  (card, social-security, phone and account numbers; a run never crosses a ``/`` or ``\\``)
  by the masked preview evidence uses, wherever detection found them or not.

The names of the folders above a file are not scanned as names: only the patterns of
``mask_values`` mask them.  What a scan reports and logs passes its names through its
item's ``NameMasker``, or ``shown_name``, and every sink that is read as lines of text
(the terminal, the log) through ``printable``.
"""
from __future__ import annotations

import re
from typing import Mapping, Optional

# (imported with this module, in the scanning process's main thread: a first import inside a
# thread that drains a lost Dask cluster's batches once failed with ModuleNotFoundError)
import ahocorasick

_EMAIL = r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}"
_IBAN = r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
# (never across a path separator: a folder's digits are not joined to its file's, and a path keeps its target)
_DIGITS = r"(?<![0-9])[0-9](?:[ .\-]?[0-9]){8,30}(?![0-9])"
_VALUE = re.compile(f"(?P<email>{_EMAIL})|(?P<iban>{_IBAN})|(?P<digits>{_DIGITS})")
_ENTITY = {"email": "EMAIL_ADDRESS", "iban": "IBAN_CODE"}


def printable(text) -> str:
    """``text`` with every non-printable character (controls, newlines, format characters such
    as bidi overrides) replaced by its backslash escape."""
    s = "" if text is None else str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)


def as_text(name: str) -> str:
    """``name`` as a valid str (surrogate escapes shown as ``\\xNN``, losslessly)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


_ESCAPED = re.compile(r"\\\\|\\x([89a-f][0-9a-f])|\\u(d[89a-f][0-9a-f]{2})")


def os_name(text: str) -> str:
    """The name ``as_text`` gave ``text`` for (its surrogate escapes back)."""
    def back(m: re.Match) -> str:
        if m.group(1):
            return chr(0xDC00 + int(m.group(1), 16))
        if m.group(2):
            return chr(int(m.group(2), 16))
        return "\\"
    return _ESCAPED.sub(back, text) if "\\" in text else text


def _masked(m: re.Match) -> str:
    from dataguard.hashing import mask      # (types imports this module: no import at its top)
    value = m.group(0)
    if m.lastgroup == "digits":
        digits = sum(ch.isdigit() for ch in value)
        return mask("CREDIT_CARD" if 13 <= digits <= 19 else "US_BANK_NUMBER", value)
    return mask(_ENTITY[m.lastgroup], value)


# a URI's scheme and authority ("postgresql://reader@db01.example.org:5432"): its server is no
# value found in data, and the user part with it is no e-mail address
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?:(?P<user>[^/?#]*)@)?[^/?#@]*")


def file_part(text: str, empty: str) -> str:
    """A text (a site's name) as one part of a file name: letters, digits, '.', '_' and '-' kept,
    anything else (a '/', a space) '_', no leading dot ('../x' is '___x'), at most 100 characters
    (a file name has 255 at most: a long site name failed the report write after the whole scan);
    ``empty`` for none."""
    part = re.sub(r"[^A-Za-z0-9._-]", "_", (text or "")[:100])
    return re.sub(r"^\.+", lambda m: "_" * len(m.group()), part) or empty


def mask_values(name: str) -> str:
    """``name`` with the values it holds masked (e-mails, IBANs, long digit runs); a URI's server
    is kept (its user part is masked on its own: an e-mail address as a user name)."""
    if not name:
        return name
    m = _AUTHORITY.match(name)
    if m is None:
        return _VALUE.sub(_masked, name)
    user = m.group("user")
    head = name[:m.end()] if user is None else \
        name[:m.start("user")] + _VALUE.sub(_masked, user) + name[m.end("user"):m.end()]
    return head + _VALUE.sub(_masked, name[m.end():])


def shown_name(name, show_data: bool = False):
    """A name as a report or log shows it: masked unless ``--show-data`` (None stays None)."""
    if name is None or show_data:
        return name
    return mask_values(name)


NAME_VALUE_MIN = 2          # a value found in a name shorter than this is not masked (one letter)
TOO_MANY = ""               # a key of ``{value: preview}``: more values were found than were kept


def unscanned(name: Optional[str]) -> dict:
    """``{value: preview}`` for an item's own name that detection never looked at (its worker
    was killed on it, the scan stopped first): the whole name but its extension, every letter
    and digit by ``*``, so that whatever it holds is masked wherever the item is named."""
    if not name or len(name.strip()) < NAME_VALUE_MIN:
        return {}
    stem, dot, ext = name.rpartition(".")
    if not (stem and ext.isalnum() and len(ext) <= 5):
        stem, dot, ext = name, "", ""
    return {name: "".join("*" if c.isalnum() else c for c in stem) + dot + ext}


class NameMasker:
    """Masks in a text the values detection found in names (``{value: masked preview}``),
    then ``mask_values``. Every occurrence of each value is masked, the longest value first
    where they nest; occurrences of different values that overlap are masked together, by
    ``*`` in place of each of their characters. Where more values were found than were kept
    (``TOO_MANY`` among the values), no name can be shown safely: every letter and digit of
    every text is masked by ``*``."""

    def __init__(self, values: Optional[Mapping[str, str]] = None):
        self._automaton = None
        self._all = TOO_MANY in (values or {})
        values = {v: m for v, m in (values or {}).items() if len(v.strip()) >= NAME_VALUE_MIN}
        if values:
            self._automaton = ahocorasick.Automaton()
            for value, preview in values.items():
                self._automaton.add_word(value, (len(value), preview))
            self._automaton.make_automaton()

    def __call__(self, text: Optional[str]) -> Optional[str]:
        if not text:
            return text
        if self._all:
            return "".join("*" if c.isalnum() else c for c in text)
        if self._automaton is not None:
            text = self._masked(text)
        return mask_values(text)

    def _masked(self, text: str) -> str:
        spans = sorted(((end + 1 - n, end + 1, preview) for end, (n, preview) in self._automaton.iter(text)),
                       key=lambda s: (s[0], -s[1]))
        merged: list = []       # [start, end, preview or None (overlapping values)]
        for start, end, preview in spans:
            if merged and start < merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1][1:] = [end, None]
                continue
            merged.append([start, end, preview])
        out, at = [], 0
        for start, end, preview in merged:
            out.append(text[at:start])
            out.append(preview if preview is not None else "".join(c if c.isspace() else "*" for c in text[start:end]))
            at = end
        out.append(text[at:])
        return "".join(out)


_ROW_NUMBER = re.compile(r"\d{1,8}")


def without_raw_data(doc: dict) -> dict:
    """A report as every reader but the JSON formats may show it: its names (locations, evidence
    sheets and parts, errors, skipped items, targets) masked as a scan without ``--show-data``
    masks them, as far as the report tells how: by the values its evidence found in names
    (their masked previews), then ``mask_values``. A ``--show-data`` report (evidence with raw
    ``value``s) also has its values dropped, and a row key that is not a row number shown as
    ``key:`` and stars (its HMAC needs the scan's key). What the report does not tell stays as
    written: values found in names beyond ``--max-evidence``, the names of items never analysed
    (which a scan masks whole). A report without ``--show-data`` comes out the same: its names
    are masked already, and masking them again changes nothing."""
    findings = doc.get("findings") or []
    evidence_of = [e for f in findings for e in f.get("evidence") or [] if isinstance(e, dict)]
    raw = any("value" in e for e in evidence_of)
    values = {e["value"]: e.get("masked") or "*" for e in evidence_of
              if isinstance(e.get("value"), str) and e.get("part") == "name"}
    mask = NameMasker(values)

    def names(d: Optional[dict], keys) -> Optional[dict]:
        if not isinstance(d, dict):
            return d
        return {**d, **{k: mask(d[k]) for k in keys if isinstance(d.get(k), str)}}

    def evidence(e: dict) -> dict:
        e = names({k: v for k, v in e.items() if k != "value"}, ("sheet", "part"))
        row = e.get("row")
        if raw and isinstance(row, str) and not _ROW_NUMBER.fullmatch(row):
            e["row"] = "key:" + "*" * 16
        return e

    out = dict(doc)
    out["findings"] = [{**f, "location": names(f.get("location"), ("target", "uri", "path", "member", "table", "column")),
                        "evidence": [evidence(e) for e in f.get("evidence") or []]} for f in findings]
    for listed in ("errors", "skipped"):
        if isinstance(doc.get(listed), list):
            out[listed] = [names(p, ("uri", "message")) for p in doc[listed]]
    scan = doc.get("scan")
    if isinstance(scan, dict) and isinstance(scan.get("targets"), list):
        out["scan"] = {**scan, "targets": [names(t, ("uri", "error")) for t in scan["targets"]]}
    return out

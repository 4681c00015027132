"""Validation errors as dataguard states them (configuration file, rule packs).

An error names the file, the field and what is wrong, never the offending value: a
configuration or rule pack may hold secrets, or values copied from the data. Only a
name of an identifier's shape (a key, a rule id, an entity) is quoted.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

_VALUE_ERROR = "Value error, "
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
# (a bracket alone: "missing ), unterminated subpattern"; of hyphenated words, re's own only: "t-a"
# of "bad character range t-a" is the pattern's text)
_PLAIN_WORD = re.compile(r"[a-z]+,?|(?:look-behind|look-ahead|fixed-width),?|[()\[\]{}],?")


def shown_name(value, withheld: str = "(withheld)") -> str:
    """``value`` quoted when it has the shape of an identifier (a key, an id), else
    ``withheld``: what is not a name may be data."""
    return repr(value) if isinstance(value, str) and _NAME.fullmatch(value) else withheld


# what a YAML message quotes that is YAML's own, not the file's data: a punctuation mark ("did not
# find expected ',' or ']'"), a token's name ("expected '<document start>'")
_SYNTAX = re.compile(r"""(['"`])(?:[^\w\s'"`\\]|<[a-z ]{1,30}>)\1""")


def without_quotes(text: str) -> str:
    """A library's message (YAML's ``found character '\\t'...``) with what it quotes removed,
    but for punctuation and YAML's token names (``_SYNTAX``)."""
    return _QUOTED.sub(lambda m: m.group() if _SYNTAX.fullmatch(m.group()) else "'…'", text)


def leading_words(text: str) -> str:
    """The plain words a message starts with (``bad escape \\q`` -> ``bad escape``)."""
    words = []
    for word in text.split():
        if not _PLAIN_WORD.fullmatch(word):
            break
        words.append(word.rstrip(","))
    return " ".join(words) or "invalid"


def field_path(loc, empty: str = "-") -> str:
    """A pydantic error location as a field path: ``("targets", 1, "uri")`` -> ``targets[1].uri``;
    a mapping key that is not a name (it may be data) is shown as ``(key)``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + (str(part) if _NAME.fullmatch(str(part)) else "(key)")
    return out or empty


# the part of a pydantic error's location that names a branch of a union ("str", "int",
# "constrained-str", "list[str]", "function-after[_words(), list[str]]"), not a field
_BRANCH = re.compile(r"[a-z][a-z-]*\[.*\]|(?:constrained-)?(?:str|int|float|bool|bytes)|list|dict|none")


def union_errors(errors: list) -> list:
    """Pydantic's errors with each union told as its field: the branch names are left out of the
    locations; a branch's own type mismatch ("Input should be a valid list") is left out when
    another branch of the field says what is wrong (an empty word, a language: anything but a
    mismatch at the branch itself), and the mismatches of a field no branch of which fits are
    told as one message."""
    def split(e):
        """(the field's location, the rest after the branch name) or None: no union."""
        loc = e["loc"]
        for i, part in enumerate(loc):
            if isinstance(part, str) and _BRANCH.fullmatch(part) and not (e["type"] == "extra_forbidden"
                                                                          and i == len(loc) - 1):
                rest = tuple(p for p in loc[i + 1:] if not (isinstance(p, str) and _BRANCH.fullmatch(p)))
                return tuple(loc[:i]), rest
        return None

    def mismatch(e, rest) -> bool:
        """A branch that does not take the value at all: another type, text that is no number,
        not one of the words it takes ('all')."""
        return not rest and (e["type"].endswith(("_type", "_parsing")) or e["type"] == "literal_error")

    splits = [(e, split(e)) for e in errors]
    told = {parts[0] for e, parts in splits if parts is not None and not mismatch(e, parts[1])}
    out, merged = [], {}
    for e, parts in splits:
        if parts is None:
            out.append(e)
            continue
        field, rest = parts
        e = {**e, "loc": field + rest}
        if not mismatch(e, rest):
            out.append(e)
        elif field not in told:             # a type no branch takes: one message for the field
            e["msg"] = e["msg"].split(", unable to parse")[0]     # (the words of pydantic's parsers)
            if field in merged:
                merged[field]["msg"] += ", or " + e["msg"].removeprefix("Input should be ")
            else:
                merged[field] = e
                out.append(e)
    return out


def plain_message(msg: str) -> str:
    """The message of a validator's ValueError without pydantic's prefix."""
    return msg[len(_VALUE_ERROR):] if msg.startswith(_VALUE_ERROR) else msg


def describe_error(err: dict) -> str:
    """What a pydantic error says is wrong, in dataguard's words (never the value)."""
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key missing"
    return plain_message(err.get("msg", "invalid value"))


def problem_lines(shown: str, exc, most: Optional[int] = 20) -> list:
    """One ``shown: field: problem`` line per problem of a pydantic ValidationError (at most
    ``most``, then how many more; None: all): every field to fix at once, never a value."""
    lines = [f"{shown}: {field_path(e['loc'], '(top level)')}: {describe_error(e)}"
             for e in union_errors(exc.errors(include_input=False))]
    if most is not None and len(lines) > most:
        lines[most:] = [f"{shown}: and {len(lines) - most} more problems"]
    return lines



@functools.lru_cache(maxsize=None)
def yaml_loader():
    """The YAML loader of configuration files, rule packs and baselines: the safe loader
    (libyaml's where PyYAML has it: several times faster on the built-in packs) that refuses a
    key given twice in one mapping (the second ``targets:`` of a configuration replaced the
    first, silently) and reads an unquoted date (``2027-06-30``) as a string. The schemas check
    dates, and name the field of an impossible one (``2027-02-30``: the loader's own date raised
    a bare ValueError, a traceback)."""
    import yaml
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    timestamp = "tag:yaml.org,2002:timestamp"

    class PlainLoader(base):
        yaml_implicit_resolvers = {first: [(tag, rx) for tag, rx in resolvers if tag != timestamp]
                                   for first, resolvers in base.yaml_implicit_resolvers.items()}

    def unique_keys(loader, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue            # '<<: *anchor': the merged keys may be given again (they override)
            key = loader.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, "duplicate key", key_node.start_mark)
                seen.add(key)
            except TypeError:       # a list or mapping as a key
                raise yaml.constructor.ConstructorError(None, None, "a key that is a list or a mapping",
                                                        key_node.start_mark) from None
        return loader.construct_mapping(node, deep=deep)
    PlainLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, unique_keys)
    return PlainLoader


def load_yaml(text):
    """A YAML document (str or bytes) as plain data (``yaml_loader``)."""
    import yaml
    return yaml.load(text, Loader=yaml_loader())


# ISO 3166-1 codes a site may mistake for another's: the European Union's own abbreviations
_NOT_ISO = {"UK": "the United Kingdom's code is GB", "EL": "Greece's code is GR"}
# ISO 3166-1 codes of territories without a telephone numbering plan of their own, which
# libphonenumber's regions (every other code) leave out
_UNNUMBERED = frozenset({"AQ", "BV", "HM", "TF", "UM", "GS", "PN"})


def iso_country(code) -> str:
    """A site's or recognizer's country, upper-cased: an ISO 3166-1 alpha-2 code (libphonenumber's
    regions and the uninhabited territories without one), else ValueError ("UK" would switch
    the United Kingdom's recognizers off without a word)."""
    from phonenumbers import SUPPORTED_REGIONS
    c = str(code).strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", c):
        raise ValueError("not a two-letter ISO 3166 country code")
    if c in _NOT_ISO:
        raise ValueError(f"not an ISO 3166 country code: {_NOT_ISO[c]}")
    if c not in SUPPORTED_REGIONS and c not in _UNNUMBERED:
        raise ValueError("not an ISO 3166 country code")
    return c

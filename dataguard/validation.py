"""Pydantic validation errors as dataguard states them (configuration file, rule packs)."""
from __future__ import annotations

_VALUE_ERROR = "Value error, "


def field_path(loc, empty: str = "-") -> str:
    """A pydantic error location as a field path: ``("targets", 1, "uri")`` -> ``targets[1].uri``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or empty


def plain_message(msg: str) -> str:
    """The message of a validator's ValueError without pydantic's prefix."""
    return msg[len(_VALUE_ERROR):] if msg.startswith(_VALUE_ERROR) else msg

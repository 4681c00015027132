"""Keyed value hashes and masked previews: a finding never holds a raw value.

The HMAC key comes from (in order) an explicit key file, ``DATAGUARD_HMAC_KEY``,
or a key generated once and kept with mode 0600 in the user's state directory.
An unkeyed hash of a 9-digit identifier could be brute-forced; a keyed one
cannot without the key.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Optional

from dataguard.detect.json_escapes import json_unescaped
from dataguard.detect.entities import Mask, Norm, traits

ENV_KEY = "DATAGUARD_HMAC_KEY"
ENV_KEY_FILE = "DATAGUARD_HMAC_KEY_FILE"



class HmacKeyError(Exception):
    """The HMAC key could not be read or created."""


def default_key_path() -> Path:
    from platformdirs import user_state_dir
    return Path(user_state_dir("dataguard", appauthor=False)) / "hmac.key"


def create_key_file(path) -> bytes:
    """Write a new random key (64 hex characters) to ``path`` with mode 0600, its folder
    created with mode 0700. FileExistsError if the file exists (a key is never replaced)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key + b"\n")
    return key


def _read_key_file(key_file: str) -> bytes:
    try:
        data = Path(key_file).read_bytes().strip()
    except FileNotFoundError:
        raise HmacKeyError(f"HMAC key file {key_file} does not exist: create it with "
                           f"'dataguard keys hmac create {key_file}' (and copy it to every site "
                           f"whose reports are merged)") from None
    except OSError as exc:
        raise HmacKeyError(f"cannot read HMAC key file {key_file}: {exc.strerror}") from None
    if len(data) < 16:
        raise HmacKeyError(f"HMAC key file {key_file} is too short (need at least 16 bytes)")
    return data


def load_key(key_file: Optional[str] = None) -> bytes:
    """Return the HMAC key, creating the per-user default key on first use."""
    if key_file is None:
        key_file = os.environ.get(ENV_KEY_FILE) or None
    if key_file:
        return _read_key_file(key_file)
    env = os.environ.get(ENV_KEY)
    if env:
        if len(env) < 16:
            raise HmacKeyError(f"{ENV_KEY} is too short (need at least 16 characters)")
        return env.encode()
    path = default_key_path()
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise HmacKeyError(f"cannot read HMAC key {path}: {exc.strerror}") from None
    try:
        return create_key_file(path)
    except FileExistsError:  # another run created it meanwhile
        return path.read_bytes().strip()
    except OSError as exc:
        raise HmacKeyError(f"cannot create HMAC key {path}: {exc.strerror}") from None


_NON_DIGIT = re.compile(r"\D")
_SPACE_OR_DASH = re.compile(r"[\s\-]")


def normalise(entity: str, value: str) -> str:
    """Canonical form so that '4111 1111 1111 1111' and '4111-1111-1111-1111' hash alike
    (the entity's ``Norm`` in the traits table); a value found on a JSON string's \\u escapes
    as the same value written plainly."""
    v = json_unescaped(value).strip()
    norm = traits(entity).norm
    if norm is Norm.DIGITS:
        return _NON_DIGIT.sub("", v)
    if norm is Norm.COMPACT_UPPER:
        return _SPACE_OR_DASH.sub("", v).upper()
    if norm is Norm.PHONE:
        digits = _NON_DIGIT.sub("", v)
        return ("+" + digits) if v.startswith("+") else digits
    if norm is Norm.LOWER:
        return v.lower()
    if norm is Norm.AS_IS:
        return v
    return " ".join(v.casefold().split())


_KEY_ID_LABEL = b"dataguard key id v1"


def key_id(key: bytes) -> str:
    """A public fingerprint of the HMAC key: HMAC-SHA256(key, fixed label), first 128 bits in hex.
    Two reports with the same key id hash values under the same key; the id reveals nothing
    about the key (finding the key from it is as hard as forging HMAC-SHA256)."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:32]


class Hasher:
    def __init__(self, key: bytes):
        # HMAC-SHA256 keyed once; each value hashes a copy (cheaper than keying again).
        self._key = key
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        self.key_id = key_id(key)

    def __reduce__(self):
        # to a local worker process started without fork (over its private pipe)
        return (Hasher, (self._key,))

    def hash(self, entity: str, value: str) -> str:
        msg = f"{entity}\x00{normalise(entity, value)}".encode("utf-8", "surrogatepass")
        h = self._keyed.copy()
        h.update(msg)
        return h.hexdigest()

    def __repr__(self) -> str:  # never show the key
        return "Hasher(<key>)"


def _mask_keep(value: str, keep_head: int, keep_tail: int) -> str:
    """Replace letters and digits by '*' except the first/last few; separators stay."""
    alnum_idx = [i for i, c in enumerate(value) if c.isalnum()]
    n = len(alnum_idx)
    if n <= keep_head + keep_tail + 2:
        keep_head, keep_tail = 0, min(keep_tail, max(0, n // 4))
    chars = list(value)
    for i in alnum_idx[keep_head:n - keep_tail]:
        chars[i] = "*"
    return "".join(chars)


def keyword_entities(detector_kwargs: dict) -> frozenset:
    """Entities of the rule packs' keyword recognizers (a deny list), from the detector's
    settings: their matches are listed words, masked like every keyword entity (with patterns
    too: a match does not tell whether it is a listed word)."""
    return frozenset(s.entity for s in detector_kwargs.get("custom", ()) if s.deny_list)


def mask(entity: str, value: str, keyword: bool = False) -> str:
    """A preview that lets a person recognise the kind of value, never recover it (the
    entity's ``Mask`` in the traits table). Keyword entities (health and protection terms,
    markings, a rule pack's listed words; ``keyword`` for those the table does not know)
    show their type and length, never the word: the word itself is the sensitive fact."""
    value = json_unescaped(value)
    v = " ".join(value.split())
    style = Mask.REDACT if keyword else traits(entity).mask
    if style is Mask.REDACT:
        return f"<{entity.lower()} redacted, {len(value)} chars>"
    if style is Mask.ZONE:
        return f"<machine-readable zone, {len(value.split())} lines>"
    if len(v) > 80:
        v = v[:80]
    if style is Mask.CARD:
        return _mask_keep(v, 4, 4)
    if style is Mask.IBAN:
        return _mask_keep(v, 2, 4)
    if style is Mask.EMAIL and "@" in v:
        local, _, domain = v.partition("@")
        dom_parts = domain.split(".")
        return (local[:1] + "*" * max(1, len(local) - 1) + "@"
                + ".".join(["*" * len(p) for p in dom_parts[:-1]] + dom_parts[-1:]))
    if style is Mask.INITIALS:
        return " ".join(w[:1] + "*" * (len(w) - 1) for w in v.split())
    if style is Mask.IP:
        parts = re.split(r"([.:])", v)
        return "".join(p if p in ".:" or i == 0 else "*" * len(p) for i, p in enumerate(parts))
    return _mask_keep(v, 0, 4 if len(v) >= 10 else 2)

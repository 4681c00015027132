"""Signed reports: Ed25519 site keys, detached signature files, verification against the
public keys Headquarters trusts for each site.

A signature is a small JSON file written next to the report (``REPORT.sig``)::

    {"format": "dataguard-signature-v1", "algorithm": "ed25519",
     "key_id": "<first 128 bits of SHA-256 of the raw public key, hex>",
     "sha256": "<SHA-256 of the report's bytes, hex>", "signature": "<base64>"}

The signed message is ``b"dataguard-signature-v1\\n" + sha256`` (so the report is read once,
streamed). The report names its site; the trusted-keys file says which public keys may
sign for which site, so a report signed with another site's key is refused.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Optional

from dataguard.names import file_part

FORMAT = "dataguard-signature-v1"
SIG_SUFFIX = ".sig"
_MAX_SIG_BYTES = 4096


class SigningError(Exception):
    """A key or signature problem; ``kind`` names it: missing, malformed, changed, wrong_key,
    untrusted, key."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _crypto():
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
    return InvalidSignature, serialization, Ed25519PrivateKey, Ed25519PublicKey


def public_key_id(public_key) -> str:
    _, ser, _, _ = _crypto()
    raw = public_key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def create_keypair(site: str, folder: str) -> tuple:
    """Write ``<site>.key`` (private, PKCS#8 PEM, mode 0600) and ``<site>.pub`` (public PEM)
    into ``folder``; never overwrites. Returns (private path, public path, key id), the paths
    absolute: one relative to the current folder would be read by a trusted-keys file relative
    to that file's folder."""
    _, ser, Priv, _ = _crypto()
    key = Priv.generate()
    name = file_part(site, "site")           # ("Juba.Field": with_suffix would cut ".Field")
    folder = os.path.abspath(str(folder))
    priv_path, pub_path = Path(folder) / f"{name}.key", Path(folder) / f"{name}.pub"
    for p in (priv_path, pub_path):
        if p.exists():
            raise SigningError("key", f"{p} already exists: not overwritten")
    Path(folder).mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub_path.write_bytes(key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo))
    return str(priv_path), str(pub_path), public_key_id(key.public_key())


def _load_key(path: str, private: bool):
    """An Ed25519 key from a PEM file (``private``: a signing key, else a public key)."""
    _, ser, Priv, Pub = _crypto()
    what, kind = ("signing key", "private key") if private else ("public key", "public key")
    try:
        data = Path(path).read_bytes()
        key = ser.load_pem_private_key(data, password=None) if private else ser.load_pem_public_key(data)
    except OSError as exc:
        raise SigningError("key", f"cannot read {what} {path}: {exc.strerror}") from None
    except (ValueError, TypeError):
        raise SigningError("key", f"{what} {path} is not a PEM {kind}") from None
    if not isinstance(key, Priv if private else Pub):
        raise SigningError("key", f"{what} {path} is not an Ed25519 key")
    return key


def load_private_key(path: str):
    return _load_key(path, private=True)


def load_public_key(path: str):
    return _load_key(path, private=False)


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _message(sha256: str) -> bytes:
    return f"{FORMAT}\n{sha256}".encode()


def sign_report(report_path: str, private_key) -> str:
    """Write ``report_path + .sig`` for the report as it is on disk; returns its path."""
    from dataguard.report import write_atomic
    digest = file_sha256(report_path)
    sig = private_key.sign(_message(digest))
    doc = {"format": FORMAT, "algorithm": "ed25519", "key_id": public_key_id(private_key.public_key()),
           "sha256": digest, "signature": base64.b64encode(sig).decode()}
    sig_path = report_path + SIG_SUFFIX
    write_atomic(sig_path, json.dumps(doc, indent=2) + "\n")
    return sig_path


def load_trusted_keys(path: str) -> dict:
    """The trusted-keys file (YAML): ``site name: [public key file, ...]`` (paths relative to
    the file). Returns {site: {key id: public key}}. Every name and path is read as written (YAML's
    base loader): a site named NO or ON is no boolean, 2027-02-30 no date."""
    import yaml
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except OSError as exc:
        raise SigningError("key", f"cannot read trusted keys {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SigningError("key", f"trusted keys {path}: not UTF-8 text") from None
    except yaml.YAMLError:
        raise SigningError("key", f"trusted keys {path}: not valid YAML") from None
    if not isinstance(data, dict) or not all(isinstance(v, (list, str)) for v in data.values()):
        raise SigningError("key", f"trusted keys {path}: expected a mapping of site name to public key files")
    base = Path(path).resolve().parent
    trusted: dict = {}
    for site, files in data.items():
        for f in ([files] if isinstance(files, str) else files):
            key = load_public_key(str(base / str(f)))
            trusted.setdefault(str(site), {})[public_key_id(key)] = key
    return trusted


def _read_signature(report_path: str) -> dict:
    sig_path = report_path + SIG_SUFFIX
    try:
        with open(sig_path, "rb") as fh:
            raw = fh.read(_MAX_SIG_BYTES + 1)
    except FileNotFoundError:
        raise SigningError("missing", f"unsigned: no signature file {sig_path}") from None
    except OSError as exc:
        raise SigningError("missing", f"cannot read signature {sig_path}: {exc.strerror}") from None
    try:
        doc = json.loads(raw[:_MAX_SIG_BYTES])
        ok = (doc.get("format") == FORMAT and doc.get("algorithm") == "ed25519"
              and all(isinstance(doc.get(k), str) for k in ("key_id", "sha256", "signature")))
        signature = base64.b64decode(doc["signature"], validate=True) if ok else b""
    except (ValueError, AttributeError, KeyError):
        ok = False
    if not ok or len(raw) > _MAX_SIG_BYTES:
        raise SigningError("malformed", f"signature file {sig_path} is not a {FORMAT} signature")
    doc["signature"] = signature
    return doc


def check_signature(report_path: str, trusted: dict, digest: Optional[str] = None) -> str:
    """What can be checked on the report's bytes, before they are parsed: ``REPORT.sig`` is well
    formed, its key is trusted (for some site), the bytes hash to the signed SHA-256 and the
    signature verifies. ``digest``: the report's SHA-256 when the caller already has it.
    Returns the signing key id; raises SigningError naming what is wrong."""
    InvalidSignature, _, _, _ = _crypto()
    doc = _read_signature(report_path)
    key = next((keys[doc["key_id"]] for keys in trusted.values() if doc["key_id"] in keys), None)
    if key is None:
        raise SigningError("wrong_key", f"signed with key {doc['key_id']}, which is not a trusted key "
                                        "of any site (wrong key)")
    actual = digest or file_sha256(report_path)
    if actual != doc["sha256"]:
        raise SigningError("changed", "report changed after signing: its SHA-256 differs from the signed one")
    try:
        key.verify(doc["signature"], _message(actual))
    except InvalidSignature:
        raise SigningError("wrong_key", f"signature does not verify with key {doc['key_id']} "
                                        "(forged signature or wrong key)") from None
    return doc["key_id"]


def check_signer(key_id: str, site: Optional[str], trusted: dict) -> None:
    """The rest, once the report is read: ``key_id`` (from ``check_signature``) is trusted for
    ``site``, the site the report names."""
    keys = trusted.get(site or "")
    if not keys:
        raise SigningError("untrusted", f"no trusted public key for site {site!r}")
    if key_id not in keys:
        raise SigningError("wrong_key", f"signed with key {key_id}, which is not a trusted key "
                                        f"of site {site!r} (wrong key)")

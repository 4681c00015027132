"""Cluster security: mutual TLS for the Dask scheduler, its workers and dataguard (the client).

A Dask scheduler runs whatever a client sends it: an open scheduler is remote code
execution. ``make_certs(folder)`` writes a private certificate authority and one
certificate per role, signed by it (``ca.pem``; ``scheduler.pem``/``scheduler-key.pem``,
``worker.pem``/``worker-key.pem``, ``client.pem``/``client-key.pem``; keys mode 0600);
every party presents its certificate and accepts only certificates of that CA. The CA's
own key (``ca-key.pem``) is needed only to issue more certificates: keep it offline.

``check_address`` is the policy: a scheduler that is not on this machine (loopback) is
refused without TLS unless the caller explicitly accepts an insecure one.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

ROLES = ("scheduler", "worker", "client")
VALID_DAYS = 825


class ClusterSecurityError(Exception):
    """A scheduler address or certificate set that must not be used."""


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, data: bytes, mode: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)


def _cert(subject: str, key, issuer_name, issuer_key, *, ca: bool, hosts=()):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name or name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False),
                                        critical=True)
    else:
        sans = [x509.IPAddress(ipaddress.ip_address(h)) if _is_ip(h) else x509.DNSName(h) for h in hosts]
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def make_certs(folder, hosts=()) -> list:
    """Write a CA and scheduler, worker and client certificates into ``folder`` (created,
    mode 0700). ``hosts``: names and addresses of the scheduler, added to the certificates'
    subject alternative names besides localhost. Returns the files written."""
    from cryptography.hazmat.primitives import serialization
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = serialization.Encoding.PEM
    ca_key = _key()
    ca = _cert("dataguard cluster CA", ca_key, None, None, ca=True)
    written = []

    def save(name: str, cert, key) -> None:
        _write(out / f"{name}.pem", cert.public_bytes(pem), 0o644)
        _write(out / f"{name}-key.pem", key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()), 0o600)
        written.extend([out / f"{name}.pem", out / f"{name}-key.pem"])
    save("ca", ca, ca_key)
    names = ["localhost", "127.0.0.1", "::1", *[h for h in hosts if h]]
    for role in ROLES:
        key = _key()
        save(role, _cert(f"dataguard {role}", key, ca.subject, ca_key, ca=False, hosts=names), key)
    return written


def security(folder, role: str = "client"):
    """Dask ``Security`` (mutual TLS, encryption required) from the files of ``make_certs``
    (or the operator's PKI under the same names). ``role``: client, or "cluster" for a
    LocalCluster (scheduler, worker and client certificates)."""
    from distributed import Security
    base = Path(folder)
    roles = ROLES if role == "cluster" else (role,)
    files = {"tls_ca_file": base / "ca.pem"}
    for r in roles:
        files[f"tls_{r}_cert"] = base / f"{r}.pem"
        files[f"tls_{r}_key"] = base / f"{r}-key.pem"
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise ClusterSecurityError(f"TLS files missing in {base}: {', '.join(missing)} "
                                   "(create them with: dataguard cluster certs DIR)")
    return Security(require_encryption=True, **{k: str(v) for k, v in files.items()})


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(address: str, tls_folder: Optional[str], insecure: bool) -> str:
    """The scheduler address to connect to (``tls://`` when certificates are given), or
    ClusterSecurityError if it must not be used: a non-loopback scheduler without TLS
    is refused unless ``insecure``."""
    if "://" not in address:
        address = ("tls://" if tls_folder else "tcp://") + address
    parts = urlsplit(address)
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("tcp", "tls"):
        raise ClusterSecurityError(f"unsupported scheduler protocol {scheme}:// (use tls:// or tcp://)")
    if scheme == "tls" and not tls_folder:
        raise ClusterSecurityError("a tls:// scheduler needs the cluster certificates (--cluster-tls DIR)")
    if scheme == "tcp" and tls_folder:
        raise ClusterSecurityError("certificates given but the scheduler address is tcp://: use tls://")
    if scheme == "tcp" and not _is_loopback(host) and not insecure:
        raise ClusterSecurityError(
            f"refusing the scheduler {address} without TLS: anyone who can reach an open Dask scheduler can run "
            "code on its workers. Use TLS (dataguard cluster certs DIR; --cluster-tls DIR), or pass "
            "--insecure-scheduler if this network is trusted")
    return address

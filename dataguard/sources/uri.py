"""Target URIs: the one parser of ``scheme://user:password@host:port/path?query``
used to connect, to display and to redact (so what is shown is what is used).

The user part ends at the LAST '@' of the authority, so a password holding an
unencoded '@' (``postgresql://bob:Pg@Pw@host/db``) is never taken for a host;
when the authority looks like ``user:pass`` cut by an unencoded '/', the
password runs up to the next '@'. A database server's URI has no '@' past its
password: there the user part ends at the last '@' of the URI ('/', '?', '#'
in a password).
"""
from __future__ import annotations

import re
from typing import NamedTuple, Optional
from urllib.parse import unquote

# query parameters that carry secrets: never shown, never kept in a display URI
SECRET_QUERY_KEYS = frozenset({"password", "passwd", "pwd", "pass", "secret", "token", "access_token",
                               "sslpassword", "api_key", "apikey"})

# database servers' schemes (before any '+driver'): their paths and parameters hold no '@'
_SERVER_SCHEMES = frozenset({"postgresql", "postgres", "mysql", "mariadb"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", re.S)


def scheme_of(uri: str) -> str:
    m = _SCHEME.match(uri)
    return m.group(1).lower() if m else ""


class UriParts(NamedTuple):
    scheme: str                  # as written, e.g. "postgresql+psycopg"
    user: Optional[str]          # percent-encoded, as written
    password: Optional[str]      # percent-encoded, as written
    hostport: str                # "host", "host:5432", "[::1]:5432"
    tail: str                    # "/path?query#fragment" (or "")

    @property
    def host(self) -> Optional[str]:
        hp = self.hostport
        if hp.startswith("["):
            return hp[1:hp.index("]")] if "]" in hp else hp[1:]
        return unquote(hp.rsplit(":", 1)[0] if ":" in hp else hp) or None

    @property
    def port(self) -> Optional[int]:
        hp = self.hostport.rsplit("]", 1)[-1]
        port = hp.rsplit(":", 1)[1] if ":" in hp else ""
        return int(port) if port.isdigit() else None

    @property
    def path(self) -> str:
        return re.split(r"[?#]", self.tail, 1)[0]

    @property
    def query(self) -> list:
        """[(key, value)] of the query string, percent-decoded, in order."""
        q = self.tail.partition("?")[2].partition("#")[0]
        pairs = [kv.partition("=") for kv in re.split(r"[&;]", q) if kv]
        return [(unquote(k), unquote(v)) for k, _, v in pairs]


def split_uri(uri: str) -> Optional[UriParts]:
    """The parts of ``scheme://authority/tail`` (None when ``uri`` has no scheme)."""
    m = _SCHEME.match(uri)
    if not m:
        return None
    scheme, rest = m.groups()
    cut = min([k for k in (rest.find(ch) for ch in "/?#") if k != -1], default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    if scheme.lower().split("+")[0] in _SERVER_SCHEMES and "@" in tail:
        # a database server's URI: no database name or parameter holds an '@', a password may
        # ('p@ss/w0rd', 'Pw#1@x'): the user part ends at the last '@' of the whole URI
        at = rest.rfind("@")
        userinfo, rest = rest[:at], rest[at + 1:]
        cut = min([k for k in (rest.find(ch) for ch in "/?#") if k != -1], default=len(rest))
        hostport, tail = rest[:cut], rest[cut:]
    elif "@" in authority:
        at = authority.rfind("@")
        userinfo, hostport = authority[:at], authority[at + 1:]
    elif ":" in authority and "@" in tail and not authority.split(":", 1)[1].isdigit():
        # 'user:pa/ss@host/...': a password with an unencoded '/'
        at = rest.find("@")
        userinfo, rest = rest[:at], rest[at + 1:]
        cut = min([k for k in (rest.find(ch) for ch in "/?#") if k != -1], default=len(rest))
        hostport, tail = rest[:cut], rest[cut:]
    else:
        return UriParts(scheme, None, None, authority, tail)
    user, sep, password = userinfo.partition(":")
    return UriParts(scheme, user, password if sep else None, hostport, tail)


def redact_uri(uri: str) -> str:
    """``uri`` without a password: ``postgresql://u:secret@h/db`` -> ``postgresql://u@h/db``,
    ``smb://u:p@h/s`` -> ``smb://u@h/s``.  The user is kept; password-like query
    parameters (``?password=...``) are dropped."""
    parts = split_uri(uri)
    if parts is None:
        return uri
    user = f"{parts.user}@" if parts.user is not None else ""
    return f"{parts.scheme}://{user}{parts.hostport}{_without_secrets(parts.tail)}"


def _without_secrets(tail: str) -> str:
    if "?" not in tail:
        return tail
    path, _, query = tail.partition("?")
    frag = ""
    if "#" in query:
        query, _, frag = query.partition("#")
        frag = "#" + frag
    kept = [kv for kv in re.split(r"[&;]", query)
            if kv and kv.split("=", 1)[0].strip().lower() not in SECRET_QUERY_KEYS]
    return path + ("?" + "&".join(kept) if kept else "") + frag

"""Target URIs: the one parser of ``scheme://user:password@host:port/path?query``
used to connect, to display and to redact (so what is shown is what is used).

The user part ends at the LAST '@' of the authority, so a password holding an
unencoded '@' (``postgresql://bob:Pg@Pw@host/db``) is never taken for a host;
when the authority looks like ``user:pass`` cut by an unencoded '/', the
password runs up to the next '@'. In a database server's URI the user part ends
at the first '@' after which the rest reads as host, port, path and parameters
('/', '?', '#' and '@' in a password; an '@' in a parameter).
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
        return int(port) if port.isdecimal() else None

    @property
    def path(self) -> str:
        return re.split(r"[?#]", self.tail, 1)[0]

    @property
    def query(self) -> list:
        """[(key, value)] of the query string, percent-decoded, in order."""
        q = self.tail.partition("?")[2].partition("#")[0]
        pairs = [kv.partition("=") for kv in re.split(r"[&;]", q) if kv]
        return [(unquote(k), unquote(v)) for k, _, v in pairs]


# what follows a database server URI's user part: host (or [IPv6]), port, a path without '@',
# then any query or fragment (a parameter may hold an '@': "application_name=ops@corp")
_SERVER_REST = re.compile(r"(?:\[[^\]]*\]|[^@/?#:\[\]]*)(?::\d*)?(?:/[^@?#]*)?(?:[?#].*)?\Z", re.S)


def _server_user_end(rest: str) -> Optional[int]:
    """Where the user part of a database server's URI ends (its '@'), when a password holds an
    '@' and then a '/', '?' or '#' ("u:p@ss/w0rd@host/db"): the first '@' after which the URI
    reads as host, port, path and parameters, and before which the user part reads as one (a
    '/', '?' or '#' in it only after 'user:'); None: the usual reading."""
    if _SERVER_REST.match(rest):
        return None                 # no user part: '127.0.0.1/db?user=alice@corp'
    for at in (i for i, ch in enumerate(rest) if ch == "@"):
        user = rest[:at]
        cut = min([k for k in (user.find(ch) for ch in "/?#") if k != -1], default=None)
        if cut is not None and ":" not in user[:cut]:
            return None             # '/db?user=alice@corp': a parameter's '@', no user part
        if _SERVER_REST.match(rest, at + 1):
            return at
    return None


def split_uri(uri: str) -> Optional[UriParts]:
    """The parts of ``scheme://authority/tail`` (None when ``uri`` has no scheme)."""
    m = _SCHEME.match(uri)
    if not m:
        return None
    scheme, rest = m.groups()
    cut = min([k for k in (rest.find(ch) for ch in "/?#") if k != -1], default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    at = _server_user_end(rest) if scheme.lower().split("+")[0] in _SERVER_SCHEMES and "@" in tail else None
    if at is not None:
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

"""SMB 2/3 shares: ``smb://[user@]host[:port]/share[/path]`` through smbprotocol's smbclient.

* Credentials: username from the URI, else ``options.smb_username``, else env
  ``DATAGUARD_SMB_USERNAME``; password from ``options.smb_password``, else env
  ``DATAGUARD_SMB_PASSWORD`` (a password written in the URI is accepted but never shown).
  The password never appears in ``display_uri``, unit URIs, logs or exception messages.
* Each source has its own connection pool (so a wrong password is never hidden by a
  session another source already opened). Signing is left to smbprotocol's defaults;
  ``options.smb_require_encryption`` forces SMB3 encryption.
* Walk: sorted, depth first, hidden files included, reparse points (symlinks, junctions)
  skipped with reason ``symlink``. Files are opened read-only with full share access
  (never locking other users out, never changing data or timestamps).
* Exposure (``smb_access``): each file's security descriptor (owner + DACL) is read with
  READ_CONTROL, the share's permissions once with the share-information RPC, and a guest
  session is tried once; the file is "broad" when a guest can connect or when both the
  share and the file let a broad group read, with the reason in ``exposure_reason``.
* Connection loss: every remote operation is retried (1 s, 2 s, 4 s back-off) with a
  fresh session; if the server stays away, the current item and every item still
  known are reported as ``unreachable`` errors and ``info["incomplete"]`` is set.
"""
from __future__ import annotations

import io
import logging
import os
import socket
import sys
import threading
import time
import uuid
from typing import Iterator, Optional, Union
from urllib.parse import unquote, urlsplit

from dataguard.sources.base import BadTarget, FileItem, Source, SourceOptions, TargetError, dir_excluded, path_selected
from dataguard.sources.uri import redact_uri
from dataguard.sources.smb_access import ACE_ALLOWED, ACE_DENIED, BROAD_SIDS, Access, combine, dacl_access, \
    share_access
from dataguard.names import mask_values
from dataguard.types import ItemMeta, Problem, Unit


def smbclient_package():
    """smbprotocol's ``smbclient`` package. A console script (``dataguard``, ``dask worker``) runs
    with its bin/ folder first on sys.path, and impacket installs a script named smbclient.py
    there, which ``import smbclient`` would find first: that folder is dropped and the package
    imported again."""
    import smbclient
    if hasattr(smbclient, "register_session"):
        return smbclient
    where = getattr(smbclient, "__file__", None)
    if where:
        shadow = os.path.dirname(os.path.abspath(where))
        sys.modules.pop("smbclient", None)
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != shadow]
        import smbclient
    if not hasattr(smbclient, "register_session"):
        raise ImportError("another module named smbclient hides smbprotocol's smbclient package")
    return smbclient

log = logging.getLogger(__name__)

DEFAULT_PORT = 445

# access mask bits
_FILE_READ_DATA = 0x00000001
_FILE_READ_ATTRIBUTES = 0x00000080
_READ_CONTROL = 0x00020000

_FILE_ATTRIBUTE_DIRECTORY = 0x10
_FILE_ATTRIBUTE_REPARSE_POINT = 0x400

# security information flags for QUERY_INFO (SMB2_0_INFO_SECURITY)
_OWNER_SECURITY_INFORMATION = 0x1
_DACL_SECURITY_INFORMATION = 0x4

WELL_KNOWN_NAMES = {
    **BROAD_SIDS,
    "S-1-5-18": "SYSTEM",
    "S-1-5-32-544": "BUILTIN\\Administrators",
    "S-1-3-0": "CREATOR OWNER",
}


def owner_name(sid: Optional[str]) -> Optional[str]:
    if not sid:
        return None
    name = WELL_KNOWN_NAMES.get(sid)
    if name:
        return name
    return sid


def _is_connection_error(exc: BaseException) -> bool:
    """Errors that mean the connection or session is gone (retry with a new session)."""
    from smbprotocol.exceptions import SMBConnectionClosed, SMBOSError, SMBResponseException
    if isinstance(exc, (SMBConnectionClosed, ConnectionError, TimeoutError, socket.timeout, EOFError,
                        BrokenPipeError)):
        return True
    if isinstance(exc, ValueError) and "Failed to connect" in str(exc):
        return True
    status = getattr(exc, "ntstatus", None) if isinstance(exc, SMBOSError) else \
        getattr(exc, "status", None) if isinstance(exc, SMBResponseException) else None
    # USER_SESSION_DELETED, NETWORK_SESSION_EXPIRED, NETWORK_NAME_DELETED, CONNECTION_DISCONNECTED, ...
    if status in (0xC0000203, 0xC000035C, 0xC00000C9, 0xC000020C, 0xC000020D, 0xC0000241, 0xC00000B5):
        return True
    text = str(exc).lower()
    return "connection" in text and ("closed" in text or "reset" in text or "timed out" in text)


def _folder(unc: str) -> str:
    """The folder of an entry, as a log line names it: the entry's own name is not scanned yet."""
    return mask_values(unc.rsplit("\\", 1)[0])

class _Lost(Exception):
    """The server stayed unreachable after all retries."""


def _os_reason(exc: BaseException) -> str:
    """A short reason naming no content and no credential."""
    status = getattr(exc, "ntstatus", None)
    names = {0xC0000022: "access denied", 0xC0000034: "not found", 0xC000003A: "path not found",
             0xC0000043: "sharing violation", 0xC00000CC: "no such share", 0xC0000225: "not found", 0xC000006D: "authentication failed",
             0xC00000BA: "is a folder", 0xC0000056: "delete pending"}
    if status in names:
        return names[status]
    if isinstance(exc, OSError) and exc.strerror and not getattr(exc, "ntstatus", None):
        return exc.strerror
    return type(exc).__name__


class _ResilientReader(io.RawIOBase):
    """A read-only, seekable stream over one remote file that survives a dropped
    connection: on a connection error it reconnects (with back-off), reopens the file
    and continues at the same offset."""

    def __init__(self, source: "SmbSource", path: str):
        super().__init__()
        self._src = source
        self._path = path
        self._pos = 0
        self._fh = None
        self._src._call(self._ensure_open)

    def _ensure_open(self):
        if self._fh is None:
            smbclient = smbclient_package()
            self._fh = smbclient.open_file(self._path, mode="rb", buffering=0, share_access="rwd",
                                           desired_access=_FILE_READ_DATA | _FILE_READ_ATTRIBUTES,
                                           **self._src._kwargs())
        return self._fh

    def _guarded(self, fn):
        """Run fn(fh) with reconnect-and-reopen on connection errors."""
        def op():
            fh = self._ensure_open()
            try:
                return fn(fh)
            except Exception as exc:
                if _is_connection_error(exc):
                    self._discard()
                raise
        return self._src._call(op)

    def _discard(self):
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                fh.close()
            except Exception:
                pass

    def readable(self):
        return True

    def seekable(self):
        return True

    def readinto(self, b):
        def fn(fh):
            fh.seek(self._pos)
            return fh.readinto(b)
        n = self._guarded(fn)
        self._pos += n or 0
        return n

    def seek(self, offset, whence=io.SEEK_SET):
        if whence == io.SEEK_SET:
            new = offset
        elif whence == io.SEEK_CUR:
            new = self._pos + offset
        elif whence == io.SEEK_END:
            new = self._guarded(lambda fh: fh.seek(0, io.SEEK_END)) + offset
        else:
            raise ValueError("invalid whence")
        if new < 0:
            raise OSError(22, "negative seek position")
        self._pos = new
        return new

    def tell(self):
        return self._pos

    def close(self):
        if not self.closed:
            self._discard()
        super().close()


class _SmbItem:
    """A FileItem whose read failures caused by a lost server become ``unreachable``."""

    def __init__(self, item: FileItem, source: "SmbSource"):
        self._item = item
        self._src = source
        self.unit = item.unit
        self.meta = item.meta
        self.name = item.name
        self.opener = item.opener

    def chunks(self, limits):
        for out in self._item.chunks(limits):
            if isinstance(out, Problem) and not out.skipped and self._src.lost:
                out = Problem(out.uri, "unreachable", "connection to the server lost", skipped=False)
                self._src.info["incomplete"] = True
            yield out


def parse_smb_uri(uri: str) -> tuple:
    """(urlsplit parts, port or None, path segments: share first) of an SMB target; BadTarget
    when it is not ``smb://[user@]host[:port]/share[/path]``."""
    parts = urlsplit(uri)
    if parts.scheme.lower() != "smb" or not parts.hostname:
        raise BadTarget(f"bad SMB target {redact_uri(uri)}: use smb://[user@]host[:port]/share[/path]")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise BadTarget(f"bad SMB target {redact_uri(uri)}: invalid port")
    segs = [s for s in unquote(parts.path).replace("\\", "/").split("/") if s]
    if not segs:
        raise BadTarget(f"bad SMB target {redact_uri(uri)}: no share name (smb://host/share)")
    return parts, port, segs


class SmbSource(Source):
    kind = "file"

    def __init__(self, uri: str, options: SourceOptions):
        super().__init__()
        self.options = options
        parts, port, segs = parse_smb_uri(uri)
        self.host = parts.hostname
        self.port = port or DEFAULT_PORT
        self.share = segs[0]
        self.base = "/".join(segs[1:])            # folder (or file) inside the share
        self.username = (unquote(parts.username) if parts.username else None) or options.smb_username \
            or os.environ.get("DATAGUARD_SMB_USERNAME") or None
        self._password = options.smb_password or (unquote(parts.password) if parts.password else None) \
            or os.environ.get("DATAGUARD_SMB_PASSWORD") or None
        self._encrypt = True if options.smb_require_encryption else None
        self._timeout = float(options.smb_connect_timeout_s)
        self._retry_delays = tuple(options.smb_retry_delays)
        self._want_exposure = bool(options.smb_exposure)
        self._probe_guest = bool(options.smb_probe_guest)

        hostport = self.host if parts.port is None else f"{self.host}:{self.port}"
        if ":" in self.host:                       # IPv6 literal
            hostport = f"[{self.host}]" if parts.port is None else f"[{self.host}]:{self.port}"
        user = f"{self.username}@" if self.username else ""
        self.display_uri = f"smb://{user}{hostport}/{'/'.join(segs)}"
        self._uri_prefix = f"smb://{hostport}/{self.share}"
        self._unc_host = self.host
        self._cache: dict = {}
        self._lock = threading.Lock()
        self._generation = 0
        self.lost = False
        self.guest_access: Optional[bool] = None
        self.share_access = Access(None, None)
        self.info = {}

        self._connect_or_fail()
        self._root_is_file = self._probe_root()
        if self._probe_guest:
            self.guest_access = self._guest_probe()
        self.info["guest_access"] = self.guest_access
        if self._want_exposure and not self._encrypt:     # impacket's session cannot be made to encrypt
            self.share_access = share_access(self.host, self.port, self.share, self.username, self._password,
                                             self._timeout)
        self.info["share_exposure"] = self.share_access.exposure

    # ------------------------------------------------------------- connection
    def _kwargs(self) -> dict:
        return dict(username=self.username, password=self._password, port=self.port,
                    encrypt=self._encrypt, connection_timeout=self._timeout, connection_cache=self._cache)

    def _unc(self, rel: str = "") -> str:
        parts = [p for p in (self.base + "/" + rel if self.base else rel).split("/") if p]
        return "\\\\" + self._unc_host + "\\" + self.share + "".join("\\" + p for p in parts)

    def _register(self):
        smbclient = smbclient_package()
        smbclient.register_session(self.host, username=self.username, password=self._password, port=self.port,
                                   encrypt=self._encrypt, connection_timeout=self._timeout,
                                   connection_cache=self._cache)

    def _drop_connections(self):
        cache, self._cache = self._cache, {}
        for conn in list(cache.values()):
            try:
                conn.disconnect(True)
            except Exception:
                pass

    def _where(self) -> str:
        return self.display_uri

    def _connect_or_fail(self):
        from smbprotocol.exceptions import (AccessDenied, BadNetworkName, LogonFailure, SMBAuthenticationError,
                                            SMBException, SMBOSError, WrongPassword)
        smbclient = smbclient_package()
        where = self._where()
        try:
            self._register()
            smbclient.stat(self._unc(), **self._kwargs())   # tree connect + the start path
        except (SMBAuthenticationError, LogonFailure, WrongPassword):
            self._drop_connections()
            raise TargetError(self._auth_failed()) from None
        except BadNetworkName:
            self._drop_connections()
            raise TargetError(f"cannot connect to {where}: no such share") from None
        except AccessDenied:
            self._drop_connections()
            raise TargetError(f"cannot connect to {where}: access denied") from None
        except SMBOSError as exc:
            self._drop_connections()
            raise TargetError(f"cannot read {where}: {_os_reason(exc)}") from None
        except (ValueError, OSError, SMBException) as exc:
            self._drop_connections()
            if isinstance(exc, SMBException) and "authenticat" in str(exc).lower():
                raise TargetError(self._auth_failed()) from None
            if isinstance(exc, SMBException) and "encrypt" in str(exc).lower():
                raise TargetError(f"cannot connect to {where}: encryption required but not available") from None
            reason = "server unreachable"
            cause = exc.__cause__ or exc
            if isinstance(cause, ConnectionRefusedError):
                reason = "connection refused"
            elif isinstance(cause, (socket.timeout, TimeoutError)):
                reason = "connection timed out"
            elif isinstance(cause, socket.gaierror):
                reason = "unknown host"
            raise TargetError(f"cannot connect to {where}: {reason}") from None

    def _auth_failed(self) -> str:
        """What to tell when the server refused the credentials (never the server's words)."""
        where = self._where()
        if not self.username:
            return (f"cannot connect to {where}: authentication failed: no user given (smb://USER@host/share, "
                    f"'username' of the target in the configuration, or DATAGUARD_SMB_USERNAME)")
        if not self._password:
            return (f"cannot connect to {where}: authentication failed: no password given for {self.username} "
                    f"(set DATAGUARD_SMB_PASSWORD, or name a variable in the target's 'password_env' "
                    f"in the configuration)")
        return f"cannot connect to {where}: authentication failed (wrong user or password for {self.username})"

    def _reconnect(self, generation: int):
        with self._lock:
            if generation != self._generation:       # another thread already reconnected
                return
            self._generation += 1
            self._drop_connections()
            self._register()

    def _call(self, op):
        """Run ``op()``; on a connection error reconnect and retry with back-off.
        Raises _Lost when the server stays away (the source is then marked lost)."""
        if self.lost:
            raise _Lost()
        last = None
        for attempt in range(len(self._retry_delays) + 1):
            gen = self._generation
            try:
                if attempt:
                    self._reconnect(gen)
                return op()
            except Exception as exc:
                if not _is_connection_error(exc):
                    raise
                last = exc
                if attempt < len(self._retry_delays):
                    log.warning("connection to %s lost (%s); retrying in %gs", self.display_uri,
                                type(exc).__name__, self._retry_delays[attempt])
                    time.sleep(self._retry_delays[attempt])
        self.lost = True
        self.info["incomplete"] = True
        log.error("connection to %s lost: %s", self.display_uri, type(last).__name__)
        raise _Lost()

    def _probe_root(self) -> bool:
        smbclient = smbclient_package()
        import stat as st
        if not self.base:
            return False
        s = smbclient.stat(self._unc(), **self._kwargs())
        return not st.S_ISDIR(s.st_mode)

    def _guest_probe(self) -> Optional[bool]:
        """Can a guest (unknown user, no password) connect to the share?"""
        from smbprotocol.connection import Connection
        from smbprotocol.session import Session
        from smbprotocol.tree import TreeConnect
        conn = None
        try:
            conn = Connection(uuid.uuid4(), self.host, self.port, require_signing=False)
            conn.connect(timeout=self._timeout)
            sess = Session(conn, username="dataguard-guest-probe", password="", auth_protocol="ntlm",
                           require_encryption=False)
            sess.connect()
            tree = TreeConnect(sess, rf"\\{self.host}\{self.share}")
            tree.connect(require_secure_negotiate=False)
            return True
        except Exception:
            return False
        finally:
            if conn is not None:
                try:
                    conn.disconnect(True)
                except Exception:
                    pass

    # ------------------------------------------------------------- security
    def _security(self, unc: str):
        """(owner SID, Access) from the file's security descriptor; (None, unknown Access) when unreadable."""
        smbclient_package()
        from smbclient._io import SMBFileTransaction, SMBRawIO
        from smbprotocol.open import SMB2QueryInfoRequest, SMB2QueryInfoResponse
        from smbprotocol.security_descriptor import SMB2CreateSDBuffer

        def op():
            raw = SMBRawIO(unc, mode="r", share_access="rwd", desired_access=_READ_CONTROL | _FILE_READ_ATTRIBUTES,
                           **self._kwargs())
            req = SMB2QueryInfoRequest()
            req["info_type"] = 3            # SMB2_0_INFO_SECURITY
            req["file_info_class"] = 0
            req["file_id"] = raw.fd.file_id
            req["output_buffer_length"] = 65536
            req["additional_information"] = _OWNER_SECURITY_INFORMATION | _DACL_SECURITY_INFORMATION

            def receive(request):
                resp = raw.fd.connection.receive(request)
                q = SMB2QueryInfoResponse()
                q.unpack(resp["data"].get_value())
                return q["buffer"].get_value()

            with SMBFileTransaction(raw) as tr:
                tr += (req, receive)
            return tr.results[0]

        try:
            buf = self._call(op)
        except _Lost:
            raise
        except Exception as exc:
            log.debug("no security descriptor for an entry of %s: %s", _folder(unc), type(exc).__name__)
            return None, Access(None, None)
        try:
            sd = SMB2CreateSDBuffer()
            sd.unpack(buf)
            owner = sd.get_owner()
            owner = str(owner) if owner is not None else None
            control = sd["control"].get_value()
            dacl = sd.get_dacl() if control & 0x0004 else None    # SE_DACL_PRESENT unset: NULL DACL
            aces = None
            if dacl is not None:
                aces = [(ace["ace_type"].get_value(), ace["ace_flags"].get_value(), str(ace["sid"]),
                         ace["mask"].get_value()) for ace in dacl["aces"].get_value()
                        if ace["ace_type"].get_value() in (ACE_ALLOWED, ACE_DENIED)]
            return owner, dacl_access(aces, "file's permission list")
        except Exception as exc:
            log.debug("unparsable security descriptor for an entry of %s: %s", _folder(unc), type(exc).__name__)
            return None, Access(None, None)

    # ------------------------------------------------------------- walking
    def _item_uri(self, rel: str) -> str:
        full = "/".join(p for p in (self.base, rel) if p)
        return f"{self._uri_prefix}/{full}" if full else self._uri_prefix

    def _opener(self, unc: str):
        def _open():
            try:
                return io.BufferedReader(_ResilientReader(self, unc), buffer_size=65536)
            except _Lost:
                raise OSError(112, "connection to the server lost") from None
            except OSError as exc:
                raise OSError(getattr(exc, "errno", None) or 5, _os_reason(exc)) from None
        return _open

    def _make_item(self, rel: str, name: str, size, mtime, file_id, uri: Optional[str] = None) -> _SmbItem:
        unc = self._unc(rel)
        owner, access = None, Access(None, None)
        if self._want_exposure:
            owner, access = self._security(unc)
        access = combine(access, self.share_access, self.guest_access)
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.lstrip(".") else None
        meta = ItemMeta(size=size, mtime=mtime, identity=None if file_id is None else str(file_id),
                        owner=owner_name(owner), exposure=access.exposure, exposure_reason=access.reason,
                        extension=ext)
        unit = Unit(target=self.display_uri, uri=uri or self._item_uri(rel), path=rel or name)
        return _SmbItem(FileItem(unit=unit, meta=meta, opener=self._opener(unc), name=name), self)

    def _list(self, rel_dir: str) -> list:
        smbclient = smbclient_package()

        def op():
            out = []
            for e in smbclient.scandir(self._unc(rel_dir), **self._kwargs()):
                i = e.smb_info
                out.append((e.name, i.file_attributes, i.end_of_file, i.last_write_time.timestamp(), i.file_id))
            return out
        return sorted(self._call(op))

    def items(self) -> Iterator[Union[_SmbItem, Problem]]:
        smbclient = smbclient_package()
        if self._root_is_file:
            name = self.base.rsplit("/", 1)[-1]
            try:
                s = self._call(lambda: smbclient.stat(self._unc(), **self._kwargs()))
                yield self._make_item_root(name, s)
            except _Lost:
                yield Problem(self._item_uri(""), "unreachable", "connection to the server lost")
            return
        # stack of (rel_dir, pending entries); "known" items are all pending entries
        stack: list = []
        try:
            entries = self._list("")
        except _Lost:
            yield Problem(self._item_uri(""), "unreachable", "connection to the server lost")
            self.info["incomplete"] = True
            return
        stack.append(("", entries))
        opts = self.options
        while stack:
            rel_dir, pending = stack[-1]
            if not pending:
                stack.pop()
                continue
            if self.lost:
                yield from self._report_remaining(stack)
                return
            name, attrs, size, mtime, file_id = pending.pop(0)
            rel = f"{rel_dir}/{name}" if rel_dir else name
            uri = self._item_uri(rel)
            if attrs & _FILE_ATTRIBUTE_REPARSE_POINT:
                yield Problem(uri, "symlink", "reparse point (link) not followed", skipped=True)
                continue
            if attrs & _FILE_ATTRIBUTE_DIRECTORY:
                if dir_excluded(rel, opts.exclude):
                    continue
                try:
                    children = self._list(rel)
                except _Lost:
                    yield Problem(uri, "unreachable", "connection to the server lost")
                    yield from self._report_remaining(stack)
                    return
                except Exception as exc:
                    yield Problem(uri, "unreadable", _os_reason(exc))
                    continue
                stack.append((rel, children))
                continue
            if not path_selected(rel, opts.include, opts.exclude):
                yield Problem(uri, "excluded", "excluded by --include/--exclude", skipped=True)
                continue
            try:
                item = self._make_item(rel, name, size, mtime, file_id)
            except _Lost:
                yield Problem(uri, "unreachable", "connection to the server lost")
                yield from self._report_remaining(stack)
                return
            yield item
        if self.lost:
            self.info["incomplete"] = True

    def reopen(self, unit: Unit, meta: ItemMeta, name: str) -> _SmbItem:
        unc = self._unc("" if self._root_is_file else unit.path)
        return _SmbItem(FileItem(unit=unit, meta=meta, opener=self._opener(unc), name=name), self)

    def _make_item_root(self, name, s):
        # a target that is one file: path is its name (as for local files)
        return self._make_item("", name, s.st_size, s.st_mtime, s.st_ino, uri=self._item_uri(""))

    def _report_remaining(self, stack) -> Iterator[Problem]:
        """The server is gone: every item still known becomes an ``unreachable`` error."""
        self.info["incomplete"] = True
        for rel_dir, pending in reversed(stack):
            while pending:
                name, attrs, *_ = pending.pop(0)
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if attrs & _FILE_ATTRIBUTE_REPARSE_POINT:
                    continue
                what = "folder not listed" if attrs & _FILE_ATTRIBUTE_DIRECTORY else "not scanned"
                yield Problem(self._item_uri(rel), "unreachable", f"connection to the server lost; {what}")
        stack.clear()

    def close(self) -> None:
        self._drop_connections()

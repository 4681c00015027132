"""Decide which extractor family handles a byte stream: content first, name second."""
from __future__ import annotations

import codecs
import re
import struct
import zipfile
from typing import BinaryIO, Optional

from dataguard.extract.base import stream_size
from dataguard.extract.safezip import directory_guard
from dataguard.types import Limits

HEAD_BYTES = 8192
MIMETYPE_BYTES = 100          # of an OpenDocument's mimetype member


def mimetype(zf: zipfile.ZipFile) -> str:
    """The first bytes of an OpenDocument package's ``mimetype`` member ("" without one)."""
    try:
        with zf.open("mimetype") as fh:
            return fh.read(MIMETYPE_BYTES).decode("ascii", "replace")
    except KeyError:
        return ""


def _zip_family(stream: BinaryIO, ext: str, limits: Limits) -> str:
    """docx/xlsx/pptx/odf or a plain zip archive, by the names inside the zip; by the
    extension alone when the central directory is larger than a scan builds (the family's
    extractor then refuses it)."""
    try:
        if directory_guard(stream, stream_size(stream), limits, "") is not None:
            raise ValueError("central directory too large")
        with zipfile.ZipFile(stream) as zf:
            names = set(zf.namelist()[:5000])
            if "mimetype" in names:
                try:
                    mt = mimetype(zf)
                except Exception:
                    mt = ""
                if mt.startswith("application/vnd.oasis.opendocument"):
                    return "odf"
            if "word/document.xml" in names:
                return "docx"
            if any(n.startswith("xl/") for n in names) and "[Content_Types].xml" in names:
                return "xlsx"
            if any(n.startswith("ppt/") for n in names) and "[Content_Types].xml" in names:
                return "pptx"
    except Exception:
        # Corrupt zip container: the extractor of the family the name says reports it as corrupt.
        fam = _EXT_FAMILY.get(ext)
        if fam in ("docx", "xlsx", "pptx", "odf"):
            return fam
    finally:
        try:
            stream.seek(0)
        except Exception:
            pass
    return "zip"


_EXT_FAMILY = {
    "docx": "docx", "docm": "docx", "dotx": "docx",
    "xlsx": "xlsx", "xlsm": "xlsx",
    "pptx": "pptx", "pptm": "pptx",
    "odt": "odf", "ods": "odf", "odp": "odf",
    "pdf": "pdf", "eml": "eml", "mbox": "mbox", "msg": "msg", "rtf": "rtf",
    "zip": "zip", "tar": "tar", "tgz": "tar", "gz": "gz", "bz2": "bz2", "xz": "xz",
}


def sniff(head: bytes, name: str, stream: Optional[BinaryIO] = None, limits: Limits = Limits()) -> str:
    """Return a family name: text, binary, sqlite, pdf, zip, docx, xlsx, pptx, odf, tar, gz, bz2, xz,
    eml, mbox, msg, rtf, encrypted_office, legacy_office.  ``stream`` (seekable) lets zip
    containers and OLE2 compound files be told apart (within ``limits``' bounds on a zip's
    directory, a compound file's first directory entries)."""
    family = _sniff(head, name, stream, limits)
    return _mail_family(head, name) if family in ("eml", "mbox", "msg") else family


def _mail_family(head: bytes, name: str) -> str:
    """Which kind of mail: an OLE file or a .msg name is Outlook, a "From " line or an
    mbox name a mailbox, anything else one message."""
    lower = name.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0") or lower.endswith(".msg"):
        return "msg"
    if head.startswith(b"From ") or lower.endswith((".mbox", ".mbx")):
        return "mbox"
    return "eml"


def _sniff(head: bytes, name: str, stream: Optional[BinaryIO], limits: Limits) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if stream is not None and getattr(stream, "seekable", lambda: False)():
            return _zip_family(stream, ext, limits)
        return _EXT_FAMILY.get(ext, "zip") if _EXT_FAMILY.get(ext) in ("docx", "xlsx", "pptx", "odf") else "zip"
    if head.startswith(b"\x1f\x8b"):
        return "tar" if name.lower().endswith((".tar.gz", ".tgz", ".taz")) else "gz"
    if head.startswith(b"BZh"):
        return "tar" if name.lower().endswith((".tar.bz2", ".tbz2", ".tbz")) else "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "tar" if name.lower().endswith((".tar.xz", ".txz")) else "xz"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "msg" if ext == "msg" else _compound_file(stream)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"From ") and ext in ("mbox", "", "mbx") or ext == "mbox":
        return "mbox"
    if ext == "eml" or _looks_like_mail(head) and (ext not in _TEXT_EXTS or _sent(head)):
        return "eml"
    return "text" if looks_textual(head) else "binary"


# What an OLE2 compound file holds, by the names in its directory: a password-protected Office
# document (Word, Excel and PowerPoint put the encrypted package of an OOXML file there), or a
# document in the binary formats of Office 97-2003, which dataguard does not read
_ENCRYPTED_OFFICE = frozenset({"EncryptedPackage"})
_LEGACY_OFFICE = frozenset({"WordDocument", "Workbook", "Book", "PowerPoint Document"})
_DIRECTORY_BYTES = 32_768       # the first directory entries read (256): where these names stand


def _compound_file(stream: Optional[BinaryIO]) -> str:
    """``encrypted_office``, ``legacy_office`` or ``binary`` for an OLE2 compound file (an Outlook
    message is told by its name). Reads the header and at most ``_DIRECTORY_BYTES`` of the
    directory from its first sector on (a directory that does not begin there, or is damaged,
    says nothing: ``binary``); a hostile directory costs nothing more."""
    if stream is None:
        return "binary"
    try:
        stream.seek(0)
        header = stream.read(512)
        shift, = struct.unpack_from("<H", header, 0x1E)
        first, = struct.unpack_from("<I", header, 0x30)
        if shift not in (9, 12) or first >= 0xFFFFFFFA:
            return "binary"
        stream.seek((first + 1) << shift)
        directory = stream.read(_DIRECTORY_BYTES)
    except (OSError, struct.error, ValueError, OverflowError):
        return "binary"
    names = set()
    for at in range(0, len(directory) - 127, 128):
        size, kind = struct.unpack_from("<HB", directory, at + 64)
        if kind in (1, 2) and 2 <= size <= 64 and size % 2 == 0:      # a storage or a stream
            names.add(directory[at:at + size - 2].decode("utf-16-le", "replace"))
    if names & _ENCRYPTED_OFFICE:
        return "encrypted_office"
    return "legacy_office" if names & _LEGACY_OFFICE else "binary"


# A file of these types that merely opens with "From:"/"Subject:" lines is a memo: read as text,
# every line of it (a message keeps only its address and subject headers)
_TEXT_EXTS = ("txt", "text", "log", "md", "csv", "tsv")
_SENT = re.compile(rb"(?im)^(?:received|return-path|message-id|mime-version|delivered-to|content-type|"
                   rb"content-transfer-encoding|dkim-signature):")


def _sent(head: bytes) -> bool:
    """Whether the header block holds a header only a message that went through mail has."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return _SENT.search(block[:16384]) is not None


def _looks_like_mail(head: bytes) -> bool:
    top = head[:2048].lower()
    return (top.startswith((b"from:", b"received:", b"return-path:", b"message-id:", b"mime-version:",
                            b"date:", b"delivered-to:", b"x-"))
            and b"\nsubject:" in top or top.startswith(b"subject:")) and b"\n\n" in head.replace(b"\r\n", b"\n")


# Control characters that do not occur in text (tab, line breaks, form feed and ESC do).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0e, 0x1b), *range(0x1c, 0x20)])


def looks_textual(head: bytes) -> bool:
    """True when the first bytes decode as text in a plausible encoding: a BOM, UTF-16
    without BOM, or text (UTF-8 when the head is valid UTF-8 - a character cut at its
    end allowed - else charset-normalizer's guess) of which under 2% are control
    characters other than tab, line breaks, form feed and ESC."""
    if not head:
        return True
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return True
    if b"\x00" in head:
        # UTF-16 without BOM: every other byte zero.
        zeros_even = head[0::2].count(0)
        zeros_odd = head[1::2].count(0)
        half = len(head) / 2
        if max(zeros_even, zeros_odd) > 0.4 * half and min(zeros_even, zeros_odd) < 0.05 * half:
            return True
        # else a NUL is a control character like the others: a stray one in an export's cell, or
        # the NUL block a crash leaves in a log, does not make a text file binary
    text = _utf8_text(head) or _guessed_text(head)
    if not text:
        return False
    return _control_chars(text) / len(text) < 0.02


def _control_chars(text: str) -> int:
    """How many characters of ``text`` are in ``_CONTROL_BYTES``, counted on its UTF-8
    form (there each is one byte, and no other character has such a byte)."""
    data = text.encode("utf-8", "surrogatepass")
    return len(data) - len(data.translate(None, _CONTROL_BYTES))


def _utf8_text(head: bytes) -> str:
    """``head`` decoded as UTF-8 ("" when it is not UTF-8); a head is usually cut out of
    a longer file, so an incomplete character at its end is left out."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return ""


def _guessed_text(head: bytes) -> str:
    """``head`` decoded in charset-normalizer's best guess ("" when it sees no text)."""
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(head).best()
        return "" if best is None else str(best)
    except Exception:  # noqa: BLE001 - detection is best effort
        return head.decode("latin-1")

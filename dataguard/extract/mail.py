"""Mail: .eml (RFC 822/MIME), mbox, Outlook .msg.

The headers that name people, addresses and hosts (``HEADERS``: From, To, Cc, Subject,
Return-Path, Received, X-Originating-IP...; not Message-ID and the signatures) are
``part="header"``; text and HTML bodies (transfer encodings decoded, tags, scripts and styles
stripped) ``part="body"`` - of a multipart/alternative only the plain text is read when there
is one (unless it says less than half of what the HTML shows: then the HTML), so a value is not
counted twice.

Lines are the message file's own (``_Layout``): a header on its line(s) as written (one with
RFC 2047 words: decoded, on its first line; each by its first ``MAX_HEADER_CHARS``
characters), a body from the line its part's content starts on, line for line when it is
written as it reads (7bit, 8bit, quoted-printable: a soft line break's continuation is a line
of its own; a 7bit or 8bit HTML body as its source, tags and all, scripts and styles blanked,
unless it writes character entities other than punctuation's). A body no line of the file
holds as it reads (base64, a quoted-printable HTML one, one with such entities) has no line. A
file without a line feed has no lines.

Attachments (and attached messages, as ``<n>.eml``) are members:
``unit.child(filename)`` through the dispatcher's ``ctx.recurse`` (one level deeper);
an attachment without a file name is ``attachment-<n>``. They are decoded and stored
(``base.Spool``) and the message released before the first is read, so messages
attached inside messages hold one level in memory, not all.

mbox: split on "From " separator lines while streaming (no temporary copy, no
write access to the file), each message a member ``<n>.eml`` (1-based, in file
order); a broken message never stops the next ones.
"""
from __future__ import annotations

import bisect
import email
import email.parser
import email.policy
import io
import posixpath
import re
from html.parser import HTMLParser
from typing import Iterator, Optional

from dataguard.extract.base import ExtractContext, Piece, Spool, TempDir, bounded_lines, describe, read_whole
from dataguard.extract.chunks import ChunkBuilder
from dataguard.types import Pointer, Problem, Unit

# the headers read: people, their addresses, hosts and the addresses they connect from
HEADERS = ("From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Sender", "Return-Path", "Received", "Delivered-To",
           "X-Original-To", "X-Forwarded-To", "X-Originating-IP", "X-Sender-IP", "X-Client-IP", "X-Forwarded-For",
           "Resent-From", "Resent-To", "Resent-Cc", "Resent-Sender", "Disposition-Notification-To",
           "Return-Receipt-To", "X-Sender")
_READ = frozenset(h.lower() for h in HEADERS)
HEADER_BLOCK_BYTES = 1 << 20    # of a message's header block located line by line (beyond: headers in no order)
FEED_BYTES = 1 << 20
MAX_HEADER_CHARS = 64 * 1024     # of one header parsed (the parser needs memory quadratic in its length)


class _Policy(email.policy.EmailPolicy):
    """``email.policy.default``, except that a header is parsed by its first
    ``MAX_HEADER_CHARS`` characters (a 300 KB Subject of encoded words took 600 MB)."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        if len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS]
        if len(value) > _REREAD_CHARS or name.lower() not in _REREAD:
            return super().header_fetch_parse(name, value)
        # a part's Content-Type is asked for again and again (its type, main type, charset,
        # boundary: ten parses a message); the same header as written gives the same header
        # object (immutable: a str with read-only attributes), parsed once
        key = (name, value)
        header = _PARSED.get(key)
        if header is None:
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            header = _PARSED[key] = super().header_fetch_parse(name, value)
        return header


_REREAD = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
# (a longer one is parsed each time. A parsed header is far larger than its text: its parse
# tree holds a token object for each word, sign and space, each holding what it parsed; a
# 2 KB Content-Type of 300 parameters is 1.3 MB parsed, one of 128 characters up to 100 KB:
# 128 of those at most, about 13 MB. The same header is asked for again within its message.)
_REREAD_CHARS = 128
_PARSED_MAX = 128
_PARSED: dict = {}      # (name, value) -> the header object (``_Policy.header_fetch_parse``)


POLICY = _Policy()


class _Text(HTMLParser):
    _BLOCK = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n" if tag != "td" and tag != "th" else "\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    lines = [" ".join(line.split()) for line in "".join(p.parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _clean_filename(name: str) -> str:
    base = posixpath.basename(name.replace("\\", "/")).strip()
    return base if base not in ("", ".", "..") else ""


def _undeclared(data: bytes) -> str:
    """8-bit text of a message that declares no charset for it (raw bytes in a header, a body
    without ``charset=``): read as a text file is (UTF-8 when valid, else the best guess), not
    as ASCII with every other byte replaced."""
    from dataguard.extract.text import detect_encoding
    return data.decode(detect_encoding(data, complete=True), "replace")


def _body_text(part, source: bool = False) -> str:
    """A text part's text: an HTML one's as it shows (tags, scripts and styles out), or with
    ``source`` its HTML as written, scripts and styles blanked (``_blank_code``)."""
    charset = part.get_param("charset")
    payload = part.get_payload(decode=True) if not charset or str(charset).lower() in ("us-ascii", "ascii") else None
    if isinstance(payload, bytes):      # no charset (or ASCII) declared: read as a text file is
        body = _undeclared(payload)
    else:
        try:
            body = part.get_content()
            if isinstance(body, bytes):
                body = _undeclared(body)
        except Exception:  # noqa: BLE001 - unknown charset ("unknown-8bit"), broken encoding: guessed
            payload = part.get_payload(decode=True) or b""
            body = _undeclared(payload) if isinstance(payload, bytes) else str(payload)
    if part.get_content_type() == "text/html":
        body = _blank_code(body) if source else html_to_text(body)
    return body


_CODE_OPEN = re.compile(r"(?i)<(script|style)\b|<!--")
_CODE_CLOSE = {"script": re.compile(r"(?i)</script\s*>"), "style": re.compile(r"(?i)</style\s*>")}
_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank_code(html: str) -> str:
    """An HTML text with its scripts and styles made spaces (their lines kept; one never closed
    to the end); a comment is skipped whole (a script in it is no script). Each character is
    looked at once."""
    pieces, pos, n = [], 0, len(html)
    while pos < n:
        m = _CODE_OPEN.search(html, pos)
        if m is None:
            break
        if m.group(1) is None:          # a comment: kept as written, to its end
            close = html.find("-->", m.end())
            end = n if close == -1 else close + 3
            pieces.append(html[pos:end])
        else:
            close = _CODE_CLOSE[m.group(1).lower()].search(html, m.end())
            end = n if close is None else close.end()
            pieces += [html[pos:m.start()], _NOT_NEWLINE.sub(" ", html[m.start():end])]
        pos = end
    return "".join(pieces) + html[pos:] if pieces else html


def _walk(part, bodies: list, attachments: list) -> None:
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        subs = part.get_payload()
        if not isinstance(subs, list):
            return
        if ctype == "multipart/alternative" and any(s.get_content_type() == "text/plain" for s in subs):
            drop = "text/plain" if _plain_is_a_stub(subs) else "text/html"
            subs = [s for s in subs if s.get_content_type() != drop]
        for sub in subs:
            _walk(sub, bodies, attachments)
        return
    try:
        filename = part.get_filename()
    except Exception:  # noqa: BLE001
        filename = None
    disposition = part.get_content_disposition()
    if ctype == "message/rfc822":
        attachments.append((None, part, True))
    elif filename or disposition == "attachment" or not ctype.startswith("text/"):
        if filename or disposition == "attachment" or not part.get_content_maintype() == "multipart":
            attachments.append((filename, part, False))
    elif ctype in ("text/plain", "text/html") or ctype.startswith("text/"):
        bodies.append(part)


def _plain_is_a_stub(alternatives: list) -> bool:
    """Whether a message's plain-text alternative says less than half of what its HTML one shows
    (a booking system's "view this message in a browser"): then the HTML one is read, not it."""
    def words(kind: str) -> int:
        return sum(len(_body_text(s).split()) for s in alternatives if s.get_content_type() == kind)
    html = words("text/html")
    return html > 0 and 2 * words("text/plain") < html


def _attachment_bytes(part, is_message: bool) -> bytes:
    if is_message:
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        return inner.as_bytes() if hasattr(inner, "as_bytes") else b""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _member(unit, data: bytes, name: str, ctx: ExtractContext):
    yield from ctx.recurse(unit.child(name), lambda: io.BytesIO(data), name)


def message_chunks(unit: Unit, msg, ctx: ExtractContext, layout: "Optional[_Layout]" = None) -> Iterator[Piece]:
    """The message's headers and bodies as chunks, on the lines of the message file when its
    ``layout`` is known; then its attachments as members."""
    b = ChunkBuilder(unit, ctx.limits)
    placed = _Placed(b)
    seen: dict = {}
    for name, value in msg.raw_items():
        key = name.lower()
        if key not in _READ:
            continue
        k = seen[key] = seen.get(key, -1) + 1
        where = layout.header(key, k) if layout is not None else None
        if where is not None and "=?" not in where[1]:
            text = where[1]            # as written, on its lines
        else:
            text = _header_value(msg, name, value)
            text = f"{name}: {text}" if text.strip() else ""
        if text.strip():
            yield from placed.at(None if where is None else where[0], text, Pointer(part="header"))
    bodies, attachments = [], []
    _walk(msg, bodies, attachments)
    unplaced = []                   # bodies no line of the file holds as they read (base64...)
    for part in bodies:
        text = _body_text(part)
        if not text.strip():
            continue
        if layout is None:          # (lines of the extracted text)
            yield from placed.at(None, text, Pointer(part="body"))
            continue
        line = layout.body(part)
        written = _as_written(part, text) if line is not None else None
        if written is None:
            unplaced.append(text)
        else:
            yield from placed.at(line, written, Pointer(part="body"))
    yield from b.flush()
    if unplaced:
        nowhere = ChunkBuilder(unit, ctx.limits, lines=False)
        for text in unplaced:
            yield from nowhere.text(text, Pointer(part="body"))
        yield from nowhere.flush()
    tmp = TempDir()
    try:
        stored = _store_attachments(unit, attachments, tmp)
        msg = bodies = attachments = part = None    # the message is released before its attachments are read
        for name, spool in stored:
            if isinstance(spool, Problem):
                yield spool
                continue
            try:
                yield from ctx.recurse(unit.child(name), spool.opener(), name)
            finally:
                spool.discard()
    finally:
        tmp.cleanup()


class _Placed:
    """Text added to a chunk builder at given lines: blank lines up to each (never back)."""

    def __init__(self, builder: ChunkBuilder):
        self.builder = builder
        self.next = 1           # the line the next text starts on when added without a gap

    def at(self, line: Optional[int], text: str, pointer: Pointer) -> Iterator[Piece]:
        gap = max(0, line - self.next) if line is not None else 0
        text = "\n" * gap + text
        self.next += text.count("\n") + 1
        yield from self.builder.text(text, pointer)


_SOFT_BREAK = re.compile(r"=[ \t]*\r?$")


def _as_written(part, text: str) -> Optional[str]:
    """A body's text on the lines its part's content is written on: as it is for 7bit and 8bit
    (the same lines; an HTML part's source, tags and all, its scripts and styles blanked, when
    it writes no character entity but punctuation's: "+254&nbsp;712..." is read as it shows);
    a quoted-printable plain one with a blank line after each line for each soft line break it was written with
    (its words on the line they begin on). None when no line of the file holds it as it reads
    (base64, quoted-printable HTML, lines that do not agree)."""
    cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
    if part.get_content_type() == "text/html":
        if cte not in ("7bit", "8bit", "binary"):
            return None
        source = _body_text(part, source=True)
        # (an entity that may stand inside a value: "+254&nbsp;712...", "Jos&eacute;"; not "Q&amp;A")
        return None if any(m.group(1) not in _PUNCTUATION_ENTITIES for m in _ENTITY.finditer(source)) else source
    if part.get_content_type() != "text/plain":
        return None
    if cte in ("7bit", "8bit", "binary"):
        return text
    raw = part.get_payload()
    if cte != "quoted-printable" or not isinstance(raw, str):
        return None
    lines = text.split("\n")
    spans, n = [], 0
    for line in raw.split("\n"):
        n += 1
        if not _SOFT_BREAK.search(line):
            spans.append(n)
            n = 0
    if n:
        spans.append(n)
    if len(spans) != len(lines):
        return None
    return "\n".join(line + "\n" * (k - 1) for line, k in zip(lines, spans))


_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_PUNCTUATION_ENTITIES = frozenset("amp lt gt quot apos ndash mdash hellip copy reg trade laquo raquo bull middot "
                                  "rsquo lsquo rdquo ldquo euro pound".split())


def _header_value(msg, name: str, value) -> str:
    """A header's decoded value (a malformed one in its raw form; raw 8-bit bytes read as a text file's)."""
    if isinstance(value, str) and not value.isascii() and any("\udc80" <= c <= "\udcff" for c in value):
        value = _undeclared(value.encode("ascii", "surrogateescape"))     # raw 8-bit bytes
    try:
        parsed = str(msg.policy.header_fetch_parse(name, value))
    except Exception:  # noqa: BLE001 - a malformed header: its raw form
        return str(value)
    if isinstance(value, str):
        value = value[:MAX_HEADER_CHARS]       # (as the parser reads it: decoding is quadratic too)
        if value.count("@") > parsed.count("@"):
            # addresses separated by ';' (Outlook's way): the address parser keeps the first alone
            # ("Unit <u@x.org>; Tomasz =?utf-8?q?Wi?= =?utf-8?q?=C5=9Bniewski?= <t.w@y.org>")
            return _decoded_words(value)
    return parsed


# an RFC 2047 encoded word: its charset (an RFC 2231 language after '*' left out), Q or B, its text
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")


def _decoded_words(value: str) -> str:
    """A header's text with its line breaks removed (its folding undone) and each encoded word
    decoded on its own (RFC 2047; the space between two of them dropped), the rest as written: a word
    in a charset Python does not know, or whose bytes its charset cannot read, is read as Latin-1
    (every byte a character), and a word that cannot be decoded at all stays as written, so that
    one odd word (a hostile one too) leaves the other recipients' names decoded."""
    value = re.sub(r"\r?\n", "", value)
    out, pos, after_word = [], 0, False
    for m in _ENCODED_WORD.finditer(value):
        between = value[pos:m.start()]
        if not (after_word and between.strip(" \t") == ""):
            out.append(between)
        out.append(_decoded_word(m))
        pos, after_word = m.end(), True
    out.append(value[pos:])
    return "".join(out)


def _decoded_word(m: re.Match) -> str:
    """An encoded word's text (see ``_decoded_words``)."""
    import base64
    import binascii
    charset, encoding, text = m.groups()
    try:
        raw = text.encode("ascii")
        if encoding in "Qq":
            data = binascii.a2b_qp(raw, header=True)
        else:
            data = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=True)
    except (UnicodeError, binascii.Error, ValueError):
        return m.group()
    try:
        return data.decode(charset)
    except (LookupError, UnicodeError, ValueError):
        return data.decode("latin-1")


_HEADER_START = re.compile(rb"([!-9;-~]{1,76})[ \t]*:")
_TEXT_PART = re.compile(rb"(?im)^content-type:[ \t]*text/")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_KEY_CHARS = 48
_BUCKET = 8             # the letters and digits a part is first looked up by
_TRIES = 20             # places of the same first letters tried for a part
MAX_PARTS = 10_000      # text parts located in a message file
PART_HEADER_BYTES = 64 * 1024   # of a part's header block looked through for its end


def _key(text: str) -> str:
    """What a body's content is recognised by in the message file: its first ASCII letters and digits."""
    out = []
    for c in text:
        if c.isascii() and c.isalnum():
            out.append(c)
            if len(out) == _KEY_CHARS:
                break
    return "".join(out)


class _Layout:
    """Where a message's headers and text bodies are written in its file, read from its bytes
    before they are parsed (so that only the parsed message is kept): the first line and the
    text of each header of the header block (``header``), and the line each text part's content
    begins on, with its first letters and digits (``body``: a part is matched to its place by
    them, in the file's order). Each byte is looked at a bounded number of times: a part's
    header block is looked for within PART_HEADER_BYTES, MAX_PARTS parts at most."""

    def __init__(self, data: bytes):
        end = _BLANK_LINE.search(data, 0, HEADER_BLOCK_BYTES)
        top = end.end() if end is not None else None
        self._headers: dict = {}
        block = data[:top] if top is not None else data[:HEADER_BLOCK_BYTES]
        line, current = 1, None
        for raw in block.split(b"\n"):
            if raw[:1] in (b" ", b"\t") and current is not None:
                current[1].append(raw)
            else:
                m = _HEADER_START.match(raw)
                current = None
                if m is not None:
                    current = (line, [raw])
                    self._headers.setdefault(m.group(1).decode("ascii").lower(), []).append(current)
            line += 1
        self._lines: list = []           # the line each text part's content begins on, in the file's order
        self._index: dict = {}           # the first letters and digits of a part's content -> [(number, key)]
        if top is not None:
            self._add(data.count(b"\n", 0, top) + 1, _content_key(data, top))
        pos, at, lines = top or 0, 0, 1
        checked = 0             # no blank line begins between the last match and here
        while len(self._lines) < MAX_PARTS:
            m = _TEXT_PART.search(data, pos)
            if m is None:
                break
            limit = m.end() + PART_HEADER_BYTES
            blank = _BLANK_LINE.search(data, max(m.end(), checked), limit)
            if blank is None:
                checked, pos = max(checked, limit - 4), m.end()
                continue
            lines += data.count(b"\n", at, blank.end())
            at = pos = blank.end()
            self._add(lines, _content_key(data, at))
        self._used = -1

    def _add(self, line: int, key: str) -> None:
        self._index.setdefault(key[:_BUCKET], []).append((len(self._lines), key))
        self._lines.append(line)

    def header(self, name: str, k: int):
        """(first line, text as written) of the ``k``-th header called ``name`` (lower case); None: not known."""
        found = self._headers.get(name)
        if not found or k >= len(found):
            return None
        line, raws = found[k]
        raw = b"\n".join(r.rstrip(b"\r") for r in raws)[:MAX_HEADER_CHARS]
        text = raw.decode("ascii") if raw.isascii() else _undeclared(raw)
        return line, text

    def body(self, part):
        """The line a text part's content begins on (the first place after the last one found
        whose letters and digits begin as the part's do); None: not found."""
        raw = part.get_payload()
        if not isinstance(raw, str):
            return None
        key = _key(raw[:4 * _KEY_CHARS])
        places = self._index.get(key[:_BUCKET], ())
        i = bisect.bisect_right(places, (self._used, "\uffff"))
        for n, there in places[i:i + _TRIES]:
            if key.startswith(there) or there.startswith(key):
                self._used = n
                return self._lines[n]
        return None


def _content_key(data: bytes, at: int) -> str:
    """The key of the content that begins at ``at`` in a message file: up to the next boundary
    line when it comes soon (a short part's letters are its own, not the next part's)."""
    window = data[at:at + 4 * _KEY_CHARS]
    cut = window.find(b"\n--")
    return _key((window if cut == -1 else window[:cut]).decode("latin-1"))


def _store_attachments(unit: Unit, attachments: list, tmp: TempDir) -> list:
    """``(member name, Spool or Problem)`` of each attachment, decoded and stored (in
    memory if small, else in ``tmp``)."""
    used, stored = set(), []
    for n, (filename, part, is_message) in enumerate(attachments, 1):
        name = _clean_filename(filename or "") or (f"{n}.eml" if is_message else f"attachment-{n}")
        while name in used:
            name = f"{n}-{name}"
        used.add(name)
        try:
            data = _attachment_bytes(part, is_message)
        except Exception as exc:  # noqa: BLE001 - one bad attachment never hides the others
            stored.append((name, Problem(describe(unit.child(name)), "corrupt",
                                         f"cannot decode attachment: {type(exc).__name__}")))
            continue
        if data:
            spool = Spool(tmp, n)
            spool.write(data)
            stored.append((name, spool))
    return stored


def _parsed(box: list):
    """The message whose bytes ``box`` holds, taken out of it (so that only the parsed
    message stays in memory, and only as long as its reader holds it)."""
    parser = email.parser.BytesFeedParser(policy=POLICY)
    data = box.pop()
    for at in range(0, len(data), FEED_BYTES):      # fed in blocks: whole, a long line is copied more
        parser.feed(data[at:at + FEED_BYTES])
    del data
    return parser.close()


def _eml(unit, opener, ctx: ExtractContext):
    data = read_whole(unit, opener, ctx.limits, "message")
    if isinstance(data, Problem):
        yield data
        return
    # (lines of the file only when it has some: a file of old Mac line ends is one "line")
    layout = _Layout(data) if b"\n" in data[:HEADER_BLOCK_BYTES] else None
    box = [data]
    del data
    yield from message_chunks(unit, _parsed(box), ctx, layout)


def _is_separator(line: bytes, prev_blank: bool, first: bool) -> bool:
    return line.startswith(b"From ") and (prev_blank or first)


def _mbox(unit, opener, ctx: ExtractContext):
    n = 0
    cap = ctx.limits.parse_cap

    def emit(buf: bytearray):
        nonlocal n
        n += 1
        data = bytes(buf)
        return _member(unit, data, f"{n}.eml", ctx)

    with opener() as fh:
        buf = bytearray()
        started = False
        prev_blank = True
        too_big = False
        for line, starts in bounded_lines(fh):
            if starts and _is_separator(line, prev_blank, not started):
                if started:
                    if too_big:
                        n += 1
                        yield Problem(describe(unit.child(f"{n}.eml")), "too_large",
                                      f"message larger than {cap} bytes", skipped=True)
                    else:
                        yield from emit(buf)
                buf = bytearray()
                started = True
                too_big = False
                prev_blank = False
                continue
            if not started:
                # text before the first separator: treat the file as one message
                started = True
            if starts and (line.startswith(b">From ") or line.startswith(b">>From ")):
                line = line[1:]
            if not too_big:
                buf += line
                if len(buf) > cap:
                    too_big = True
                    buf = bytearray()
            prev_blank = starts and line.strip() == b""
        if started:
            if too_big:
                n += 1
                yield Problem(describe(unit.child(f"{n}.eml")), "too_large",
                              f"message larger than {cap} bytes", skipped=True)
            elif buf.strip():
                yield from emit(buf)


def _msg(unit, opener, ctx: ExtractContext):
    import extract_msg
    limits = ctx.limits
    data = read_whole(unit, opener, limits, "Outlook message")
    if isinstance(data, Problem):
        yield data
        return
    m = extract_msg.openMsg(data, delayAttachments=False)
    try:
        b = ChunkBuilder(unit, limits)
        for label, attr in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Subject", "subject")):
            try:
                value = getattr(m, attr, None)
            except Exception:  # noqa: BLE001
                value = None
            if value:
                yield from b.text(f"{label}: {value}", Pointer(part="header"))
        body = None
        try:
            body = m.body
            if not body and getattr(m, "htmlBody", None):
                html = m.htmlBody
                body = html_to_text(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
        except Exception:  # noqa: BLE001
            body = None
        if body:
            yield from b.text(body.replace("\r\n", "\n"), Pointer(part="body"))
        yield from b.flush()
        yield from _msg_attachments(unit, m, ctx)
    finally:
        m.close()


def _msg_attachments(unit: Unit, m, ctx: ExtractContext) -> Iterator[Piece]:
    """An Outlook message's attachments as members; an attached message as its text."""
    for n, att in enumerate(getattr(m, "attachments", []) or [], 1):
        try:
            name = _clean_filename(att.longFilename or att.shortFilename or "") or f"attachment-{n}"
            payload = att.data
        except Exception as exc:  # noqa: BLE001
            yield Problem(describe(unit.child(f"attachment-{n}")), "corrupt",
                          f"cannot read attachment: {type(exc).__name__}")
            continue
        if isinstance(payload, bytes) and payload:
            yield from _member(unit, payload, name, ctx)
        elif payload is not None and hasattr(payload, "body"):
            # an embedded Outlook message: its text as a member
            sub = unit.child(name if name.endswith(".msg") else f"{n}.msg")
            sb = ChunkBuilder(sub, ctx.limits)
            for label, attr in (("From", "sender"), ("To", "to"), ("Subject", "subject")):
                value = getattr(payload, attr, None)
                if value:
                    yield from sb.text(f"{label}: {value}", Pointer(part="header"))
            if payload.body:
                yield from sb.text(payload.body.replace("\r\n", "\n"), Pointer(part="body"))
            yield from sb.flush()


_BY_FAMILY = {"msg": _msg, "mbox": _mbox, "eml": _eml}


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    """``ctx.family``: eml, mbox or msg (as sniffed)."""
    yield from _BY_FAMILY[ctx.family](unit, opener, ctx)

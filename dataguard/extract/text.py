"""Plain text of any encoding, streamed in bounded chunks with overlap.

Encoding: chosen once from the first ``HEAD_BYTES`` bytes - a BOM (UTF-8,
UTF-16 LE/BE, UTF-32), else UTF-16 without BOM when every other byte is zero,
else UTF-8 when the head is valid UTF-8, else charset-normalizer's guess -
except that cp1252 wins whenever charset-normalizer rates it (about) as well as
its best pick (it cannot tell Western code pages apart on short texts, and
cp1252 is a superset of what users call "Latin-1"); cp1252 is also the last
resort.

Decoding is incremental (``codecs.getincrementaldecoder(enc)(errors="replace")``)
over ``BLOCK_BYTES`` blocks, so neither a multi-GB file nor a 5 MB single line
is ever held whole: memory is bounded by one block plus one chunk.

Chunks: each keep window holds ``limits.chunk_chars`` characters (cut at a
newline when one lies in the last 10% of the window, so lines stay whole when
they can), with up to ``limits.overlap_chars`` characters of the neighbouring
text before and after it: ``chunk.text = before + window + after``,
``keep_start = len(before)``, ``keep_end = keep_start + len(window)``.
Concatenating the keep windows gives the decoded text exactly; a value no
longer than the overlap that starts in a window lies wholly in that chunk's
text, and it is kept by exactly one chunk.

Lines: ``first_line`` is the 1-based line number of ``text[0]``; only "\\n"
counts as a line break (CRLF files count right; old-Mac lone "\\r" files are
one long line).  A BOM never appears in the text.  ``first_col`` is the 1-based
column (in characters of the decoded line) of ``text[0]``.

CSV/TSV (by extension): ``hint="structured"`` and the header row's column
names (at most ``chunks.HEADER_CELLS``, each cut to 40 characters) in every chunk's
``context``, one per column: a column without a name (a pandas index, a trailing
delimiter) has "" (the names then stay in their columns' places).
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import Iterable, Iterator, Optional

from dataguard.extract.chunks import header_in_place, placeholder_names
from dataguard.extract.base import ExtractContext, Piece
from dataguard.sqldump import Statements
from dataguard.types import Chunk, Unit

BLOCK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
_STRUCTURED_EXT = {"csv", "tsv", "tab"}
_WESTERN = {"cp1252", "latin-1", "iso8859-15", "windows-1252", "iso8859-1"}
_HEADER_MAX_CHARS = 64 * 1024


def _norm(enc: str) -> str:
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return ""


def detect_encoding(head: bytes, complete: bool = False) -> str:
    """Python codec name for ``head`` (the file's first bytes; ``complete`` when that
    is the whole file, so a truncated UTF-8 sequence at its end is an error)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if b"\x00" in sample and len(sample) >= 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) / 2
        if odd > 0.3 * half and even < 0.05 * half:
            return "utf-16-le"
        if even > 0.3 * half and odd < 0.05 * half:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        results = list(from_bytes(head))
    except Exception:  # noqa: BLE001 - detection is best effort
        results = []
    if not results:
        return "cp1252"
    best = results[0]
    best_enc = _norm(best.encoding)
    if not best_enc or best_enc in _WESTERN or best_enc in ("ascii", "utf-8") or not _ascii_compatible(best_enc):
        return "cp1252"   # (not valid UTF-8: checked above; EBCDIC & co. are never right here)
    # charset-normalizer is unsure between single-byte code pages: prefer cp1252, also where it
    # names it only among the code pages giving the very same text as its guess (a Spanish CSV's
    # guess was cp1250, cp1252 among its equals; cp775's reading of it had "MarĒa", "Pķrez")
    for m in results:
        same = {_norm(e) for e in [m.encoding, *(getattr(m, "could_be_from_charset", None) or ())]}
        if same & _WESTERN and m.chaos <= best.chaos + 0.15:
            return "cp1252"
    if not _latin_script(head, best_enc) and _few_high_bytes(head):
        # A few accented letters inside ASCII text, read by the guess as another
        # script: short samples fool the detector; Western text is far more likely.
        return "cp1252"
    return best_enc


def _ascii_compatible(enc: str) -> bool:
    probe = bytes(range(0x20, 0x7F))
    try:
        return probe.decode(enc) == probe.decode("ascii")
    except (UnicodeDecodeError, LookupError):
        return False


def _few_high_bytes(head: bytes) -> bool:
    """Too little non-ASCII material to trust a non-Latin guess: fewer than 16 high
    bytes, or high bytes scattered among mostly ASCII letters."""
    sample = head[:16384]
    high = sum(1 for b in sample if b >= 0x80)
    letters = sum(1 for b in sample if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
    return high < 16 or high < 0.2 * (letters + high)


def _latin_script(head: bytes, enc: str) -> bool:
    import unicodedata
    try:
        text = head[:16384].decode(enc, errors="replace")
    except LookupError:
        return False
    alpha = [c for c in text if ord(c) >= 0x80 and c.isalpha()]
    if not alpha:
        return True
    latin = sum(1 for c in alpha if unicodedata.name(c, "").startswith("LATIN"))
    return latin >= 0.5 * len(alpha)


def header_context(first_line: str, ext: str) -> tuple:
    """Column names of a CSV/TSV header line, each in its column's place (``chunks.header_in_place``)."""
    line = first_line.strip("\r\n\ufeff")
    if not line:
        return ()
    if ext in ("tsv", "tab"):
        delim = "\t"
    else:
        delim, count = _delimiter(line)
        if count == 0:
            delim = ","
    try:
        names = next(csv.reader(io.StringIO(line), delimiter=delim))
    except Exception:  # noqa: BLE001 - a header we cannot parse gives no context
        return ()
    return header_in_place(names)     # () for a headerless file: its first row is data


def windows(decoded: Iterable[str], chunk_chars: int, overlap: int):
    """Yield (text, keep_start, keep_end, first_line) over a stream of decoded strings.

    Bounded memory: holds at most one input piece plus chunk_chars + 2*overlap.
    """
    chunk_chars = max(1, int(chunk_chars))
    overlap = max(0, int(overlap))
    need = chunk_chars + overlap
    it = iter(decoded)
    buf = ""          # unconsumed text starts at buf[pos]
    pos = 0
    prev_tail = ""    # last `overlap` characters before buf[pos]
    line = 1          # line number of buf[pos]
    eof = False
    while True:
        if not eof and len(buf) - pos < need:
            parts = [buf[pos:]]
            have = len(parts[0])
            while have < need:
                try:
                    piece = next(it)
                except StopIteration:
                    eof = True
                    break
                parts.append(piece)
                have += len(piece)
            buf, pos = "".join(parts), 0
        avail = len(buf) - pos
        if avail <= 0:
            return
        if eof and avail <= chunk_chars:
            end = len(buf)
        else:
            end = pos + chunk_chars
            nl = buf.rfind("\n", pos + int(chunk_chars * 0.9), end)
            if nl != -1:
                end = nl + 1
        window = buf[pos:end]
        after = buf[end:end + overlap]
        yield (prev_tail + window + after, len(prev_tail), len(prev_tail) + len(window),
               line - prev_tail.count("\n"))
        line += window.count("\n")
        if overlap:
            prev_tail = (prev_tail + window)[-overlap:]
        pos = end


def _decoded_blocks(fh, encoding: str, first: bytes) -> Iterator[str]:
    dec = codecs.getincrementaldecoder(encoding)(errors="replace")
    data = first
    while data:
        s = dec.decode(data)
        if s:
            yield s
        data = fh.read(BLOCK_BYTES)
    tail = dec.decode(b"", final=True)
    if tail:
        yield tail


def _ext_of(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.lstrip(".") else ""


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    limits = ctx.limits
    ext = _ext_of(name)
    with opener() as fh:
        head = fh.read(HEAD_BYTES)
        if not head:
            return
        # A short read means the whole (small) file; for streams read() may return
        # less than asked, so top the head up before deciding.
        while len(head) < HEAD_BYTES:
            more = fh.read(HEAD_BYTES - len(head))
            if not more:
                break
            head += more
        encoding = detect_encoding(head, complete=len(head) < HEAD_BYTES)
        hint: Optional[str] = "structured" if ext in _STRUCTURED_EXT else None
        context: tuple = ()
        blocks: Iterable[str] = _decoded_blocks(fh, encoding, head)
        if hint == "structured":
            blocks, context = _with_header(blocks, ext)
        # a SQL dump: the statement each window may begin inside (a long INSERT fills many)
        statements, at = (Statements() if ext == "sql" else None), 0
        for text, ks, ke, first_line, first_col in with_columns(windows(blocks, limits.chunk_chars,
                                                                          limits.overlap_chars)):
            yield Chunk(unit=unit, text=text, keep_start=ks, keep_end=ke, first_line=first_line,
                        context=context, hint=hint, first_col=first_col,
                        statement=statements.lead(text, at - ks) if statements is not None else None)
            at += ke - ks


def with_columns(wins: Iterable[tuple]) -> Iterator[tuple]:
    """``windows``' tuples with the 1-based column of ``text[0]`` in its line added: exact
    whenever text[0] is on the line of the keep window's start (else no kept offset needs it)."""
    col = 1       # column of the next keep window's first character
    for text, ks, ke, first_line in wins:
        first_col = col - ks if text.rfind("\n", 0, ks) == -1 else 1
        yield text, ks, ke, first_line, first_col
        nl = text.rfind("\n", ks, ke)
        col = ke - nl if nl != -1 else col + ke - ks


_PREAMBLE_LINES = 10       # comment ("# ...") and blank lines looked past for a CSV's header


def _with_header(blocks: Iterator[str], ext: str):
    """Read ahead until the header line is complete (bounded), return (blocks, context). The
    header is the first line that is neither blank nor a comment ("# exported by ..."), within
    the first ``_PREAMBLE_LINES`` lines."""
    seen: list = []
    have = 0
    limit = _HEADER_MAX_CHARS * (_PREAMBLE_LINES + 1)
    line = ""
    for piece in blocks:
        seen.append(piece)
        have += len(piece)
        line = _header_line("".join(seen)[:limit])
        if line is not None or have >= limit:
            break
    head = "".join(seen)
    if line is None:
        line = _header_line(head[:limit], complete=True) or ""
    context = header_context(line[:_HEADER_MAX_CHARS], ext)

    def chained():
        if head:
            yield head
        yield from blocks
    return chained(), context


def _header_line(head: str, complete: bool = False):
    """The header line of a CSV's beginning: the first line neither blank nor a comment, or a
    line opening with '#' before it that has as many fields ("#,name,ssn", "#id,name": a column
    named '#'). None while that cannot be told yet (with ``complete``, the text read is all
    there is)."""
    lines = head.split("\n")
    whole = lines if complete else lines[:-1]           # the complete lines
    first = next((k for k, line in enumerate(whole[:_PREAMBLE_LINES])
                  if line.strip(" \t\r\ufeff") and not line.lstrip(" \ufeff").startswith("#")), None)
    if first is None:
        return lines[0] if (complete or len(whole) >= _PREAMBLE_LINES) else None
    fields = _fields(whole[first])
    for line in whole[:first]:
        if line.lstrip(" \ufeff").startswith("#") and fields > 1 and _fields(line) == fields:
            return line
    # a title above the header ("LISTE DE DISTRIBUTION — THIÈS;;;;;;", "Staff list, March 2024"),
    # and a reference line or two under it ("Réf. : BKO-355<TAB>Taux : 463 250"): the header is
    # the first line after the title that has half as many fields written as the widest line
    if not complete and len(whole) < min(_PREAMBLE_LINES, first + _AFTER_TITLE):
        return None         # (the lines after it are not read yet)
    later = [line for line in whole[first + 1:first + _AFTER_TITLE] if line.strip(" \t\r")]
    delim = _delimiter(whole[first])[0]
    if later and delim and placeholder_names(f.strip(" \t\r\"'\ufeff") for f in whole[first].split(delim)):
        return later[0]     # ("Column1;Column2;...": a tool's names, the header under them)
    if later and _written(whole[first], delim) <= 1:
        delim = _delimiter(max(later, key=lambda line: _delimiter(line)[1]))[0]
        if _written(whole[first], delim) <= 1:
            widest = max(_written(line, delim) for line in later)
            header = next((line for line in later if _written(line, delim) >= max(2, widest / 2)), None)
            if header is not None:
                return header
    return whole[first]


_AFTER_TITLE = 6            # lines looked at after a title for the header


def _written(line: str, delim: str) -> int:
    """How many fields of a line hold something (a quoted field is one: '"DIALLO, Moussa"')."""
    try:
        fields = next(csv.reader([line], delimiter=delim), [])
    except csv.Error:
        fields = line.split(delim)
    return sum(1 for f in fields if f.strip(" \t\r\"'\ufeff"))


def _fields(line: str) -> int:
    """How many fields a delimited line holds, by its most frequent delimiter (quotes ignored)."""
    return 1 + _delimiter(line)[1]


def _delimiter(line: str) -> tuple:
    """(the delimiter a CSV line uses most of ',', ';', tab and '|', how many times)."""
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=lambda d: counts[d])
    return delim, counts[delim]

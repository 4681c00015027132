"""Plain text of any encoding, streamed in bounded chunks with overlap.

The encoding is chosen from the first bytes: a BOM (UTF-8, UTF-16), else valid
UTF-8, else charset-normalizer's best guess, else cp1252. The file is then
decoded incrementally, block by block, so neither a multi-GB file nor a 5 MB
single line is ever held whole. Each chunk carries ``overlap_chars`` of context
on both sides of its keep window; lines are counted on "\\n".
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import Iterator, Optional, Union

from dataguard.types import Chunk, Limits, Problem, Unit

BLOCK_BYTES = 1 << 20
HEAD_BYTES = 64 * 1024
_STRUCTURED_EXT = {"csv", "tsv", "tab"}


def detect_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head[:4096]:
        sample = head[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > even * 4:
            return "utf-16-le"
        if even > odd * 4:
            return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
        best = from_bytes(head).best()
        if best is not None and best.encoding and best.encoding not in ("ascii", "utf_8"):
            enc = codecs.lookup(best.encoding).name
            # Single-byte Western texts: cp1252 is a superset of what users call "Latin-1".
            return "cp1252" if enc in ("latin-1", "iso8859-1", "iso8859-15") else enc
    except Exception:  # noqa: BLE001 - detection is best effort
        pass
    return "cp1252"


def _header_context(first_line: str, ext: str) -> tuple:
    delim = "\t" if ext in ("tsv", "tab") else None
    try:
        if delim is None:
            delim = csv.Sniffer().sniff(first_line[:4096], delimiters=",;|\t").delimiter
        names = next(csv.reader(io.StringIO(first_line), delimiter=delim))
    except Exception:  # noqa: BLE001
        return ()
    names = [n.strip()[:40] for n in names if n.strip()]
    return tuple(names[:50])


def _windows(decoded: Iterator[str], chunk_chars: int, overlap: int):
    """Yield (text, keep_start, keep_end, first_line) over a stream of decoded strings."""
    buf = ""
    prev_tail = ""
    line = 1            # line number at the start of the keep window
    eof = False
    it = iter(decoded)
    while True:
        while not eof and len(buf) < chunk_chars + overlap:
            try:
                buf += next(it)
            except StopIteration:
                eof = True
        if not buf:
            return
        if len(buf) <= chunk_chars and eof:
            window = buf
        else:
            window = buf[:chunk_chars]
            nl = window.rfind("\n", int(chunk_chars * 0.9))
            if nl != -1:
                window = window[:nl + 1]
        right = buf[len(window):len(window) + overlap]
        text = prev_tail + window + right
        yield text, len(prev_tail), len(prev_tail) + len(window), line - prev_tail.count("\n")
        line += window.count("\n")
        prev_tail = (prev_tail + window)[-overlap:] if overlap else ""
        buf = buf[len(window):]


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


def extract(unit: Unit, opener, name: str, limits: Limits, depth: int = 0) -> Iterator[Union[Chunk, Problem]]:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    with opener() as fh:
        head = fh.read(HEAD_BYTES)
        if not head:
            return
        encoding = detect_encoding(head)
        hint: Optional[str] = "structured" if ext in _STRUCTURED_EXT else None
        context: tuple = ()
        blocks = _decoded_blocks(fh, encoding, head)
        if hint == "structured":
            first_block = next(blocks, "")
            context = _header_context(first_block.split("\n", 1)[0], ext)
            blocks = _chain(first_block, blocks)
        for text, ks, ke, first_line in _windows(blocks, limits.chunk_chars, limits.overlap_chars):
            yield Chunk(unit=unit, text=text, keep_start=ks, keep_end=ke, first_line=first_line,
                        context=context, hint=hint)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest

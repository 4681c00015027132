"""Archives: zip, tar (plain / gz / bz2 / xz, streamed), single-file gz / bz2 / xz.

Members are copied one at a time, with a byte counter, into memory (small) or
a private ``TemporaryDirectory`` (always removed) under a generated file name
- member names are never used as paths, so ``../x`` or ``/etc/x`` cannot write
anywhere.  Each member then goes back through the dispatcher (``ctx.recurse``)
with ``unit.child(member)``, one level deeper.

Member names: the name inside the archive, "\\\\" turned into "/", leading "/"
and "." / ".." components dropped.  A single-file gz/bz2/xz has one member:
the file's own name without the suffix ("notes.txt.gz" -> "notes.txt").

Limits: nesting deeper than ``max_archive_depth`` -> too_large; more than
``max_archive_members`` members (every tar member counts, directories and links
included; a zip's count is read from its end record before any entry is built)
-> too_large and the archive stops (a tar's first members are scanned); more
than ``max_archive_total_bytes`` decompressed per archive -> too_large and stop;
an xz stream whose decoder needs more than ``LZMA_MEMORY`` (its declared dictionary) ->
corrupt; a tar member whose header and its extensions (GNU long names, pax records, sparse
maps) take more than ``MAX_TAR_HEADER`` bytes -> too_large and stop (tarfile would
hold them whole in memory);
a member (declared or while copying) expanding more than
``max_compression_ratio`` times and beyond 10 MB -> bomb, and the whole archive
stops (a bomb found in a nested member stops its parents too, so 42.zip ends
at its first leaf).  Encrypted zip members -> encrypted; tar symlinks are skipped.
"""
from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import posixpath
import stat
import tarfile
import zipfile
import zlib
from typing import BinaryIO, Iterator, Optional

from dataguard.extract.base import ExtractContext, Piece, Spool, TempDir, describe
from dataguard.extract.safezip import BOMB_MIN_BYTES, LZMA_MEMORY, open_zip
from dataguard.types import Limits, Problem, Unit

MAX_TAR_HEADER = 1024 * 1024        # bytes of one tar member's header and extensions
MAX_MEMBER_NAME = 4096              # characters of a member's name kept (the rest cut)
_BLOCK = 1 << 20


class _Stop(Exception):
    """Raised inside a copy: the archive must stop with this problem."""

    def __init__(self, kind: str, message: str):
        super().__init__(kind)
        self.kind = kind
        self.message = message


def clean_name(name: str) -> str:
    """A member's name as reported: no drive, root, "." or ".." parts, at most
    ``MAX_MEMBER_NAME`` characters (a tar name may run to a megabyte, and every error and
    finding about the member carries it)."""
    parts = [p for p in name[:4 * MAX_MEMBER_NAME].replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":
        parts = parts[1:]
    return "/".join(parts)[:MAX_MEMBER_NAME] or "member"


class _Counting(io.RawIOBase):
    """Counts the compressed bytes read from the underlying stream."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.count = 0

    def readable(self):
        return True

    def readinto(self, b):
        data = self.fh.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


class Budget:
    def __init__(self, limits: Limits):
        self.limits = limits
        self.total = 0


def copy_member(src: BinaryIO, spool: Spool, budget: Budget, compressed, declared: Optional[int] = None):
    """Copy with counters; ``compressed()`` gives the compressed bytes behind it so far."""
    limits = budget.limits
    copied = 0
    while True:
        block = src.read(_BLOCK)
        if not block:
            break
        copied += len(block)
        budget.total += len(block)
        if budget.total > limits.max_archive_total_bytes:
            raise _Stop("too_large", f"expands to more than {limits.max_archive_total_bytes} bytes")
        comp = max(compressed(), 1)
        if copied > BOMB_MIN_BYTES and copied > limits.max_compression_ratio * comp:
            raise _Stop("bomb", f"member expands more than {limits.max_compression_ratio:g}x")
        spool.write(block)


def _members_out(gen) -> Iterator[Piece]:
    """Pass a member's output on; a bomb inside stops the containing archive too."""
    for out in gen:
        yield out
        if isinstance(out, Problem) and out.kind == "bomb":
            raise _Stop("", "")


# ---------------------------------------------------------------- compressed streams


class _XzReader(io.RawIOBase):
    """An xz stream (or several, concatenated) decoded with at most ``LZMA_MEMORY`` of
    dictionary: ``lzma.LZMAFile`` takes the size a stream declares (up to 4 GB), whose
    pages fill as the output grows."""

    def __init__(self, fh: BinaryIO):
        self.fh = fh
        self.dec = lzma.LZMADecompressor(memlimit=LZMA_MEMORY)

    def readable(self):
        return True

    def readinto(self, b):
        while True:
            if self.dec.eof:
                rest = self.dec.unused_data.lstrip(b"\0") or self.fh.read(_BLOCK).lstrip(b"\0")
                if not rest:
                    return 0
                self.dec = lzma.LZMADecompressor(memlimit=LZMA_MEMORY)
                data = rest
            else:
                data = self.fh.read(_BLOCK) if self.dec.needs_input else b""
                if not data and self.dec.needs_input:
                    raise EOFError("xz stream ends before its end marker")
            out = self.dec.decompress(data, max_length=len(b))
            if out:
                b[:len(out)] = out
                return len(out)


def decompressed(fh: io.BufferedReader):
    """A context manager over ``fh`` decompressed as its first bytes say (gzip, bzip2, xz),
    else over ``fh`` itself."""
    head = fh.peek(6)[:6]
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=fh, mode="rb")
    if head.startswith(b"BZh"):
        return bz2.BZ2File(fh, mode="rb")
    if head.startswith(b"\xfd7zXZ\x00"):
        return io.BufferedReader(_XzReader(fh), buffer_size=_BLOCK)
    return contextlib.nullcontext(fh)


# ---------------------------------------------------------------- zip
def _zip(unit: Unit, opener, ctx: ExtractContext, tmp: TempDir) -> Iterator[Piece]:
    limits = ctx.limits
    with open_zip(opener, limits, describe(unit)) as z:
        if z.problem is not None:
            yield z.problem
            return
        budget = Budget(limits)
        for index, info in enumerate(z.zf.infolist()):
            if not info.is_dir():
                yield from _zip_member(unit, z.zf, info, index, ctx, budget, tmp)


def _zip_member(unit: Unit, zf: zipfile.ZipFile, info: zipfile.ZipInfo, index: int, ctx: ExtractContext,
                budget: Budget, tmp: TempDir) -> Iterator[Piece]:
    mname = clean_name(info.filename)
    child = unit.child(mname)
    mode = (info.external_attr >> 16) & 0xFFFF
    if info.create_system == 3 and stat.S_ISLNK(mode):
        yield Problem(describe(child), "symlink", "symbolic link", skipped=True)
        return
    if info.flag_bits & 0x1:
        yield Problem(describe(child), "encrypted", "encrypted archive member")
        return
    too_deep = ctx.too_deep(child)
    if too_deep is not None:
        yield too_deep
        return
    spool = Spool(tmp, index)
    try:
        try:
            with zf.open(info) as src:
                ratio_base = info.compress_size
                copy_member(src, spool, budget, lambda: ratio_base, info.file_size)
        except _Stop:
            raise
        except NotImplementedError:
            yield Problem(describe(child), "unsupported", "compression method not supported", skipped=True)
            return
        except Exception as exc:  # noqa: BLE001 - one bad member never stops the others
            yield Problem(describe(child), "corrupt", f"cannot read member: {type(exc).__name__}")
            return
        yield from _members_out(ctx.recurse(child, spool.opener(), mname))
    finally:
        spool.discard()


# ---------------------------------------------------------------- tar
class _HeaderReader:
    """The tar stream as a member's header processing sees it: at most ``MAX_TAR_HEADER``
    bytes, beyond which the archive stops (a long name, pax record or sparse map that
    tarfile would read whole into memory)."""

    def __init__(self, fileobj):
        self._fileobj = fileobj
        self._left = MAX_TAR_HEADER

    def read(self, size=-1):
        if size is None or size < 0 or size > self._left:
            raise _Stop("too_large", f"tar member header larger than {MAX_TAR_HEADER} bytes")
        data = self._fileobj.read(size)
        self._left -= len(data)
        return data

    def __getattr__(self, name):
        return getattr(self._fileobj, name)


class _BoundedTarInfo(tarfile.TarInfo):
    """A TarInfo whose header processing (tarfile's documented extension point) reads
    through a _HeaderReader."""

    def _proc_member(self, tf):
        real = tf.fileobj
        if isinstance(real, _HeaderReader):         # an extension's next header: same budget
            return super()._proc_member(tf)
        tf.fileobj = _HeaderReader(real)
        try:
            return super()._proc_member(tf)
        finally:
            tf.fileobj = real


def _tar(unit: Unit, opener, ctx: ExtractContext, tmp: TempDir) -> Iterator[Piece]:
    limits = ctx.limits
    with opener() as raw:
        counting = _Counting(raw)
        buffered = io.BufferedReader(counting, buffer_size=1 << 16)
        budget = Budget(limits)
        count = 0
        with decompressed(buffered) as stream, \
                tarfile.open(fileobj=stream, mode="r|", tarinfo=_BoundedTarInfo) as tf:
            for index, member in enumerate(tf):
                tf.members.clear()          # a streamed tar keeps no list of what it has passed
                count += 1
                if count > limits.max_archive_members:
                    yield Problem(describe(unit), "too_large", f"more than {limits.max_archive_members} members")
                    return
                if member.issym() or member.islnk():
                    yield Problem(describe(unit.child(clean_name(member.name))), "symlink", "link member",
                                  skipped=True)
                    continue
                if not member.isfile():
                    continue
                mname = clean_name(member.name)
                child = unit.child(mname)
                too_deep = ctx.too_deep(child)
                if too_deep is not None:
                    yield too_deep
                    continue
                if member.size > limits.max_archive_total_bytes:
                    raise _Stop("too_large", f"expands to more than {limits.max_archive_total_bytes} bytes")
                spool = Spool(tmp, index)
                try:
                    src = tf.extractfile(member)
                    if src is None:
                        continue
                    copy_member(src, spool, budget, lambda: counting.count)
                    yield from _members_out(ctx.recurse(child, spool.opener(), mname))
                finally:
                    spool.discard()


# ---------------------------------------------------------------- single-file compressed
_SUFFIXES = {"gz": (".gz", ".gzip", ".z"), "bz2": (".bz2", ".bz"), "xz": (".xz", ".lzma")}


def single_member_name(name: str, family: str) -> str:
    base = posixpath.basename(name.replace("\\", "/"))
    low = base.lower()
    for suf in _SUFFIXES.get(family, ()):
        if low.endswith(suf) and len(base) > len(suf):
            return base[:-len(suf)]
    return base + ".out" if base else "data"


def _single(unit: Unit, opener, name: str, ctx: ExtractContext, tmp: TempDir) -> Iterator[Piece]:
    family = ctx.family
    mname = single_member_name(name, family)
    child = unit.child(mname)
    too_deep = ctx.too_deep(child)
    if too_deep is not None:
        yield too_deep
        return
    spool = Spool(tmp, 0)
    try:
        with opener() as raw:
            counting = _Counting(raw)
            buffered = io.BufferedReader(counting, buffer_size=1 << 16)
            with decompressed(buffered) as src:
                copy_member(src, spool, Budget(ctx.limits), lambda: counting.count)
        yield from _members_out(ctx.recurse(child, spool.opener(), mname))
    finally:
        spool.discard()


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    """``ctx.family``: zip, tar (plain or compressed), gz, bz2 or xz (as sniffed)."""
    tmp = TempDir()
    try:
        if ctx.family == "zip":
            gen = _zip(unit, opener, ctx, tmp)
        elif ctx.family == "tar":
            gen = _tar(unit, opener, ctx, tmp)
        else:
            gen = _single(unit, opener, name, ctx, tmp)
        try:
            yield from gen
        except _Stop as stop:
            if stop.kind:
                yield Problem(describe(unit), stop.kind, stop.message)
            # else: a bomb below: its Problem has been passed on; stop this archive.
        except (gzip.BadGzipFile, lzma.LZMAError, zlib.error, tarfile.TarError) as exc:
            # decompression failures are corrupt content, not an unreadable file
            yield Problem(describe(unit), "corrupt", f"cannot parse {ctx.family}: {type(exc).__name__}")
    finally:
        tmp.cleanup()

"""Zip containers (archives, Office and OpenDocument files) opened safely: the member
count and the size of the central directory are read from its end record before
``zipfile`` builds anything (one ``ZipInfo`` per entry), then declared sizes and
compression ratios are checked before anything is decompressed (an LZMA member, whose
decoder may hold as much as it outputs, is refused beyond ``LZMA_MEMORY``)."""
from __future__ import annotations

import struct
import zipfile
from contextlib import contextmanager
from typing import NamedTuple, Optional

from dataguard.extract.base import Opener, seekable, stream_size
from dataguard.types import Limits, Problem

BOMB_MIN_BYTES = 10 * 1024 * 1024      # below this, a high ratio is just a repetitive file
CENTRAL_DIR_CAP = 32 * 1024 * 1024     # central directory bytes parsed at most (~700k minimal entries)
LZMA_MEMORY = 128 * 1024 * 1024        # an LZMA decoder's memory: its dictionary fills as the output grows
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_TAIL = 22 + 0xFFFF                     # end record plus the longest archive comment


def central_directory(fh, size: int) -> Optional[tuple]:
    """(entry count, central directory bytes) as the end records declare them, or None when
    there is no end record (not a zip: ``zipfile`` says so)."""
    tail_len = min(size, _TAIL)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    _, _, _, _, count, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
    locator_at = size - tail_len + at - 20
    if locator_at >= 0:
        fh.seek(locator_at)
        locator = fh.read(20)
        if locator[:4] == _EOCD64_LOCATOR:
            (offset,) = struct.unpack("<Q", locator[8:16])
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == _EOCD64 and len(record) == 56:
                count, cd_size = max(count, struct.unpack("<Q", record[32:40])[0]), \
                    max(cd_size, struct.unpack("<Q", record[40:48])[0])
    return count, cd_size


def directory_guard(fh, size: Optional[int], limits: Limits, where: str) -> Optional[Problem]:
    """A Problem when the end record declares more members (or a larger central directory)
    than a scan builds: checked before ``zipfile`` reads a single entry."""
    declared = central_directory(fh, size) if size else None
    fh.seek(0)
    if declared is None:
        return None
    count, cd_size = declared
    if count > limits.max_archive_members:
        return Problem(where, "too_large", f"more than {limits.max_archive_members} members")
    if cd_size > CENTRAL_DIR_CAP:
        return Problem(where, "too_large", f"central directory larger than {CENTRAL_DIR_CAP} bytes")
    return None


def zip_guard(zf: zipfile.ZipFile, archive_size: Optional[int], limits: Limits, where: str) -> Optional[Problem]:
    """A Problem when the declared content of a zip container is a bomb or too big."""
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        return Problem(where, "too_large", f"more than {limits.max_archive_members} members")
    total = 0
    for info in infos:
        total += info.file_size
        if info.compress_type == zipfile.ZIP_LZMA and info.file_size > LZMA_MEMORY:
            return Problem(where, "too_large", f"LZMA member larger than {LZMA_MEMORY} bytes")
        if info.file_size > BOMB_MIN_BYTES and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            return Problem(where, "bomb", f"member expands {info.file_size // max(info.compress_size, 1)}x "
                                          f"(limit {limits.max_compression_ratio:g}x)")
    if archive_size and total > BOMB_MIN_BYTES and total > limits.max_compression_ratio * archive_size:
        return Problem(where, "bomb", f"archive expands {total // max(archive_size, 1)}x "
                                      f"(limit {limits.max_compression_ratio:g}x)")
    if total > limits.max_archive_total_bytes:
        return Problem(where, "too_large", f"expands to more than {limits.max_archive_total_bytes} bytes")
    return None


class OpenZip(NamedTuple):
    fh: object                  # the seekable stream under the zip
    zf: Optional[zipfile.ZipFile]   # None when the central directory is refused
    problem: Optional[Problem]  # what zip_guard found (None: safe to read)


@contextmanager
def open_zip(opener: Opener, limits: Limits, where: str):
    """An OpenZip over the item (spooled when its stream is not seekable)."""
    with seekable(opener, limits) as fh:
        size = stream_size(fh)
        problem = directory_guard(fh, size, limits, where)
        if problem is not None:
            yield OpenZip(fh, None, problem)
            return
        with zipfile.ZipFile(fh) as zf:
            yield OpenZip(fh, zf, zip_guard(zf, size, limits, where))

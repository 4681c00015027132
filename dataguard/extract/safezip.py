"""Zip containers (archives, Office and OpenDocument files) opened safely: declared
sizes and compression ratios are checked before anything is decompressed."""
from __future__ import annotations

import zipfile
from contextlib import contextmanager
from typing import NamedTuple, Optional

from dataguard.extract.base import Opener, seekable, stream_size
from dataguard.types import Limits, Problem

BOMB_MIN_BYTES = 10 * 1024 * 1024      # below this, a high ratio is just a repetitive file


def zip_guard(zf: zipfile.ZipFile, archive_size: Optional[int], limits: Limits, where: str) -> Optional[Problem]:
    """A Problem when the declared content of a zip container is a bomb or too big."""
    infos = zf.infolist()
    if len(infos) > limits.max_archive_members:
        return Problem(where, "too_large", f"more than {limits.max_archive_members} members")
    total = 0
    for info in infos:
        total += info.file_size
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
    zf: zipfile.ZipFile
    problem: Optional[Problem]  # what zip_guard found (None: safe to read)


@contextmanager
def open_zip(opener: Opener, limits: Limits, where: str):
    """An OpenZip over the item (spooled when its stream is not seekable)."""
    with seekable(opener, limits) as fh:
        size = stream_size(fh)
        with zipfile.ZipFile(fh) as zf:
            yield OpenZip(fh, zf, zip_guard(zf, size, limits, where))

"""Parts of an Office Open XML package (docx, xlsx, pptx) read straight from the zip:
a part's subtrees streamed by ``safexml``, and a part's relationships resolved to the
parts they point at. A relationships part lists at most ``MAX_RELATIONSHIPS`` entries
(beyond: MemoryError, which the dispatcher reports as too_large)."""
from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
import zipfile
from typing import Iterator, Optional

from dataguard.extract.safexml import Subtrees, stream, subtrees

PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_RELATIONSHIPS = 100_000


def part_info(zf: zipfile.ZipFile, name: str) -> Optional[zipfile.ZipInfo]:
    """A part's entry in the zip, None when the package lacks it."""
    try:
        return zf.getinfo(name)
    except KeyError:
        return None


def parsed(zf: zipfile.ZipFile, name: str, handlers) -> Iterator:
    """What ``handlers`` make of a part, streamed by ``safexml.stream`` (nothing when the part
    is missing)."""
    info = part_info(zf, name)
    if info is None:
        return
    with zf.open(info) as fh:
        yield from stream(fh, handlers)


def events(zf: zipfile.ZipFile, name: str, depth: int) -> Iterator[tuple]:
    """``safexml.iter_xml``'s events over a part (none when the part is missing)."""
    return parsed(zf, name, Subtrees(depth))


def children(zf: zipfile.ZipFile, name: str, depth: int) -> Iterator[ET.Element]:
    """The subtrees at ``depth`` (2 or more) of a part, as ``safexml.subtrees`` reads them (none
    when the part is missing)."""
    info = part_info(zf, name)
    if info is not None:
        yield from subtrees(lambda: zf.open(info), depth)


def rels_part(part: str) -> str:
    """The relationships part of ``part`` (``ppt/slides/slide1.xml`` ->
    ``ppt/slides/_rels/slide1.xml.rels``)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(source_dir: str, target: str) -> str:
    """The package part a relationship's target names, relative to its source's folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(source_dir, target))


def relationships(zf: zipfile.ZipFile, part: str) -> dict:
    """``{Id: (type, part)}`` of ``part``'s relationships (external targets left out)."""
    out: dict = {}
    source_dir = posixpath.dirname(part)
    for rel in children(zf, rels_part(part), 2):
        if rel.tag != PKG_REL + "Relationship" or rel.get("TargetMode") == "External":
            continue
        if len(out) >= MAX_RELATIONSHIPS:
            raise MemoryError("relationships part larger than allowed")
        out[rel.get("Id")] = (rel.get("Type") or "", resolve(source_dir, rel.get("Target") or ""))
    return out

"""Turn the bytes of one item into text chunks with locations.

``extract()`` sniffs the content, hands the stream to the family's module and
guards it: no exception escapes this layer (it becomes a Problem of kind
``corrupt``) and an item that runs past its time budget becomes ``timeout``.
Family modules expose ``extract(unit, opener, name, limits, depth)`` yielding
Chunk or Problem; containers (archives, mail) call back into ``extract()`` for
their members with ``unit.child(member_name)`` and ``depth + 1``.
"""
from __future__ import annotations

import importlib
import logging
import time
import zipfile
from typing import BinaryIO, Callable, Iterator, Union

from dataguard.extract.sniff import HEAD_BYTES, sniff
from dataguard.types import Chunk, Limits, Problem, Unit

log = logging.getLogger(__name__)

Opener = Callable[[], BinaryIO]

# family -> module name inside dataguard.extract (module must define extract()).
FAMILIES = {
    "text": "text",
    "pdf": "pdf",
    "docx": "ooxml", "xlsx": "ooxml", "pptx": "ooxml",
    "odf": "odf",
    "eml": "mail", "mbox": "mail", "msg": "mail",
    "rtf": "rtf",
    "zip": "archive", "tar": "archive", "gz": "archive", "bz2": "archive", "xz": "archive",
}


class ItemTimeout(Exception):
    pass


def describe(unit: Unit) -> str:
    """Display string for a unit in errors: uri plus member path."""
    return unit.uri if not unit.member else f"{unit.uri}!/{unit.member}"


def family_of(opener: Opener, name: str) -> str:
    with opener() as fh:
        head = fh.read(HEAD_BYTES)
        seekable = getattr(fh, "seekable", lambda: False)()
        return sniff(head, name, fh if seekable else None)


def extract(unit: Unit, opener: Opener, name: str, limits: Limits, depth: int = 0) -> Iterator[Union[Chunk, Problem]]:
    """Yield the chunks of one item (or member); never raises for bad content.

    Time budget: ``limits.item_timeout_s`` of extraction time (reading and parsing, summed
    over the chunks; not the time the consumer spends on detection between chunks), so a
    parser stuck on a pathological file is stopped while a 2 GB log that streams steadily
    is read to its end."""
    where = describe(unit)
    try:
        family = family_of(opener, name)
    except OSError as exc:
        yield Problem(where, "unreadable", _safe_os_message(exc))
        return
    if family == "binary":
        yield Problem(where, "binary", "binary content", skipped=True)
        return
    modname = FAMILIES.get(family)
    try:
        module = importlib.import_module(f"dataguard.extract.{modname}")
    except ImportError:
        yield Problem(where, "unsupported", f"no extractor for {family}", skipped=True)
        return
    gen = module.extract(unit, opener, name, limits, depth)
    spent = 0.0
    try:
        while True:
            started = time.monotonic()
            try:
                out = next(gen)
            except StopIteration:
                return
            spent += time.monotonic() - started
            yield out
            if spent > limits.item_timeout_s:
                yield Problem(where, "timeout", f"item exceeded its time budget of {limits.item_timeout_s:g}s")
                gen.close()
                return
    except MemoryError:
        yield Problem(where, "too_large", "item needs more memory than allowed")
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            AssertionError, RecursionError, UnicodeError, LookupError, OverflowError, ArithmeticError) as exc:
        yield Problem(where, "corrupt", f"cannot parse {family}: {type(exc).__name__}")
    except OSError as exc:
        yield Problem(where, "unreadable", _safe_os_message(exc))
    except Exception as exc:  # noqa: BLE001 - the extractor layer must never let one item kill a scan
        log.debug("extractor %s failed on %s", family, where, exc_info=False)
        yield Problem(where, "corrupt", f"cannot parse {family}: {type(exc).__name__}")


def _safe_os_message(exc: OSError) -> str:
    # strerror only: never the library's message, which may echo content.
    return exc.strerror or type(exc).__name__

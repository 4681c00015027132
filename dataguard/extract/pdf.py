"""PDF via pypdf: one chunk per page (Pointer(page=n); lines counted within the page), its
text laid out as printed (pypdf's layout mode: a table's cells stay on their row, aligned under
their column, which the table readers of detection read; no blank lines for vertical space),
unless the page is too intricate for it or it reads less of the page than the plain extraction.

Encrypted files are opened with the empty password when that works, else one
Problem "encrypted".  Pages with content (images, drawings) but no extractable
text are listed in one Problem "no_text"; pages that fail to parse in one
Problem "corrupt" - the other pages are still scanned.
"""
from __future__ import annotations

import functools
import logging
from typing import Iterator

from dataguard.extract.base import ExtractContext, Piece, describe, seekable
from dataguard.extract.chunks import ChunkBuilder
from dataguard.types import Pointer, Problem, Unit

logging.getLogger("pypdf").setLevel(logging.ERROR)

# spaces the layout mode writes between two pieces of a line at most (pypdf's own bound is
# 10,000: a hostile page's pieces far apart would each expand so); a printed line is narrower
LAYOUT_GAP = 400


@functools.cache
def _bound_layout_gaps() -> None:
    try:
        from pypdf._text_extraction._layout_mode import _fixed_width_page as layout
    except ImportError:         # (another pypdf: its own bound stands)
        return
    layout.WHITESPACE_LIMIT = min(getattr(layout, "WHITESPACE_LIMIT", LAYOUT_GAP), LAYOUT_GAP)


# text-showing operators on a page above which its layout is not rendered: pypdf's layout mode
# builds a text object's line by repeated concatenation, quadratic in its pieces (a 5 KB page of
# 96,000 far-apart pieces took the whole item budget); the plain extraction is linear
LAYOUT_MAX_PIECES = 4000


def _pieces(page) -> int:
    """How many strings a page's content shows, at most: its string operands (``(...)``,
    ``<...>``: one ``TJ`` array may hold thousands) and text-showing operators."""
    contents = page.get_contents()
    if contents is None:
        return 0
    data = contents.get_data()
    return data.count(b"(") + data.count(b"<") + data.count(b"'") + data.count(b'"')


def _page_text(page) -> str:
    """A page's text as printed (``LAYOUT_GAP``, ``LAYOUT_MAX_PIECES``), else its plain
    extraction: where the layout mode fails, or reads fewer words than the plain one does (it
    leaves rotated text out: a landscape page drawn turned, a note up the margin)."""
    plain = page.extract_text() or ""
    if not plain.strip() or _pieces(page) > LAYOUT_MAX_PIECES:
        return plain
    _bound_layout_gaps()
    try:
        laid = page.extract_text(extraction_mode="layout", layout_mode_space_vertically=False) or ""
    except Exception:  # noqa: BLE001 - the plain extraction read it
        return plain
    return laid if len(laid.split()) >= len(plain.split()) else plain


def _pages(nums: list) -> str:
    shown = ", ".join(str(n) for n in nums[:20])
    return shown + (f" and {len(nums) - 20} more" if len(nums) > 20 else "")


def _has_content(page) -> bool:
    try:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else None
        if res is not None and res.get("/XObject"):
            return True
        contents = page.get_contents()
        return contents is not None and len(contents.get_data().strip()) > 0
    except Exception:  # noqa: BLE001
        return True


def extract(unit: Unit, opener, name: str, ctx: ExtractContext) -> Iterator[Piece]:
    from pypdf import PdfReader
    where = describe(unit)
    limits = ctx.limits
    with seekable(opener, limits) as fh:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - unsupported algorithm etc.
                ok = 0
            if not ok:
                yield Problem(where, "encrypted", "PDF is password protected")
                return
        no_text, broken = [], []
        for n, page in enumerate(reader.pages, 1):
            try:
                text = _page_text(page)
            except Exception:  # noqa: BLE001 - one bad page never hides the others
                broken.append(n)
                continue
            if not text.strip():
                if _has_content(page):
                    no_text.append(n)
                continue
            b = ChunkBuilder(unit, limits)
            yield from b.text(text, Pointer(page=n))
            yield from b.flush()
        if no_text:
            word = "page" if len(no_text) == 1 else "pages"
            verb = "has" if len(no_text) == 1 else "have"
            yield Problem(where, "no_text", f"{word} {_pages(no_text)} {verb} no text layer")
        if broken:
            yield Problem(where, "corrupt", f"cannot parse page(s) {_pages(broken)}")

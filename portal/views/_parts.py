"""Helpers for pages that show or edit long texts in parts, and for paged lists.

On phones a long text is shown and edited one part at a time (``?part=N``, parts cut by
:func:`portal.rendering.text_parts`); a form for one part carries a fingerprint of the text and
its cuts, so a form opened on another version (or under another rendering, which cuts
differently) is refused instead of putting its text in the wrong place.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from flask import abort, request

from ..keitai.paging import paginate
from ..services import months

T = TypeVar("T")

#: Page numbers beyond this are read as this (the pager then shows the last page).
MAX_PAGE = 100_000
#: Asks for the last part (or page): the pager clamps it.
LAST = MAX_PAGE


def or_404(value: T | None) -> T:
    """Return what a service loaded for the viewer (it applies the visibility rule), or the 404
    of a missing page when it found nothing the viewer may see."""
    if value is None:
        abort(404)
    return value


def number(name: str = "page") -> int:
    """Return the requested ``?page=`` (or ``?part=``) number, within 1..MAX_PAGE."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def month() -> tuple[int, int] | None:
    """Return the requested ``?month=YYYY-MM``, ``None`` when none is asked for (or in another
    shape); a month that cannot be shown (``2008-13``, ``9999-12``) is a 404."""
    try:
        return months.parse(request.args.get("month"))
    except months.NoSuchMonthError:
        abort(404)


def revision(parts: list[str]) -> str:
    """Return a short fingerprint of a text and where it was cut into ``parts``."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(repr([len(part) for part in parts]).encode("ascii"))
    digest.update("".join(parts).encode("utf-8"))
    return digest.hexdigest()


def splice(parts: list[str], index: int, text: str) -> str:
    """Return the text with part ``index`` replaced by ``text``.

    The part's leading and trailing white space (the line breaks between parts) is kept as it
    was, whatever the browser did to the ends of the text area.
    """
    old = parts[index]
    lead = old[: len(old) - len(old.lstrip())]
    trail = old[len(old.rstrip()) :]
    return "".join([*parts[:index], lead + text.strip() + trail, *parts[index + 1 :]])


def paged(fetch, per_page: int):
    """Fetch the requested page of a list (``fetch(offset=, limit=) -> (rows, total)``); a
    page past the end shows the last one.

    :return: the rows and the :class:`~portal.keitai.paging.Page`.
    """
    wanted = number()
    rows, total = fetch(offset=(wanted - 1) * per_page, limit=per_page)
    paging = paginate(total, wanted, per_page)
    if paging.page != wanted:
        rows, total = fetch(offset=paging.offset, limit=per_page)
    return rows, paging

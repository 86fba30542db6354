"""Helpers for pages that show or edit long texts in parts, and for paged lists: the one
reader of ``?page=`` and ``?part=`` (:func:`number`), loaders' 404 (:func:`or_404`).

On phones a long text is shown and edited one part at a time (``?part=N``, parts cut by
:func:`portal.rendering.text_parts`); a form for one part carries a fingerprint of the text and
its cuts, so a form opened on another version (or under another rendering, which cuts
differently) is refused instead of putting its text in the wrong place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import abort, request
from flask_babel import gettext as _

from ..forms import refusal
from ..keitai.paging import Page, paginate
from ..rendering import render
from ..services import NotAllowedError, ServiceError, months
from ..services.listing import Listing, fetched

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


def edit_in_parts(
    form_class: type,
    parts: list[str],
    stored: dict[str, Any],
    text: str,
    save: Callable[[Any, str, Page], Any],
    template: str,
    *,
    changed: str | None = None,
    invalid_status: int = 400,
    shown: Callable[[], dict[str, Any]] = dict,
    **context: Any,
):
    """The edit page of something whose text (form field ``text``) is edited one part at a
    time, and its POST.

    GET fills the form from ``stored`` (the other fields) and part ``?part=`` of ``parts``; a
    POST that validates and was opened on this version of the text (its ``revision``) calls
    ``save(form, text, part)`` with the whole text, the part spliced in, and answers what it
    returns. A form opened on another version is refused (409, the stored part again, the
    ``changed`` message); a service's refusal is shown beside its field (400), and
    :class:`NotAllowedError` is the 403 page. ``template`` is rendered with ``form``, ``part``,
    ``error``, ``context`` and what ``shown()`` returns (asked only when the page is shown).
    """
    current = revision(parts)

    def page(form, part: Page, error: str | None = None, status: int = 200):
        form.part.data = part.page
        return render(
            template, form=form, part=part, error=error, status=status, **context, **shown()
        )

    def stored_form(part: Page):
        data = {**stored, text: parts[part.page - 1], "part": part.page, "revision": current}
        return form_class(formdata=None, data=data)

    if request.method == "GET":
        part = paginate(len(parts), number("part"), 1)
        return page(stored_form(part), part)
    form = form_class()
    part = paginate(len(parts), form.part.data, 1)
    if not form.validate_on_submit():
        return page(form, part, status=invalid_status)
    if form.revision.data != current:
        # Changed since the form was opened: the parts no longer line up. Start again.
        error = changed or _("This was changed in the meantime. Please make your change again.")
        return page(stored_form(part), part, error=error, status=409)
    try:
        return save(form, splice(parts, part.page - 1, form[text].data), part)
    except NotAllowedError:
        raise  # the 403 page (views/errors.py)
    except ServiceError as exc:
        return page(form, part, error=refusal(form, exc), status=400)


def paged(fetch: Callable[..., tuple[Iterable[T], int]], per_page: int) -> Listing[T]:
    """Return the requested page (:func:`number`) of a list a view puts together from a
    service's query (``fetch(offset=, limit=) -> (rows, total)``: search sections, operators'
    lists); a page past the end shows the last one. Lists of one service come from the service
    as a :class:`~portal.services.listing.Listing` already."""
    return fetched(number(), per_page, fetch)

"""One page of a list, as services return it: the items and the :class:`~portal.keitai.paging.Page`
(number, total, pages, has_next...), counted and fetched by the service, so no view re-queries a
total by hand.

:func:`listing` counts, then fetches the page; :func:`fetched` takes a query that returns the
rows with their total (one statement, ``services._sql.rows_and_total``), and fetches again only
for a page past the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from ..keitai.paging import Page, paginate

T = TypeVar("T")


class _Counted(Protocol):
    total: int


C = TypeVar("C", bound=_Counted)


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The items of one page and where the page stands in the list.

    :param items: the items on this page.
    :param paging: the :class:`~portal.keitai.paging.Page` (the pager macros take it).
    """

    items: list[T]
    paging: Page


def listing(
    total: int, number: object, per_page: int, fetch: Callable[..., Iterable[T]]
) -> Listing[T]:
    """Return page ``number`` (a page past the end gives the last) of a list of ``total`` items,
    fetched by ``fetch(offset=, limit=)`` (a service's list function, its other arguments
    given: ``partial(favorites_of, member)``)."""
    paging = paginate(total, number, per_page)
    return Listing(list(fetch(offset=paging.offset, limit=paging.limit)), paging)


def fetched(
    number: int, per_page: int, fetch: Callable[..., tuple[Iterable[T], int]]
) -> Listing[T]:
    """Return page ``number`` (from 1) of a list fetched with its total by
    ``fetch(offset=, limit=) -> (rows, total)``; a page past the end is fetched again as the
    last."""
    rows, total = fetch(offset=(number - 1) * per_page, limit=per_page)
    paging = paginate(total, number, per_page)
    if paging.page != number:
        rows, total = fetch(offset=paging.offset, limit=per_page)
    return Listing(list(rows), paging)


def page_of_result(number: int, per_page: int, fetch: Callable[[int, int], C]) -> tuple[C, Page]:
    """Return page ``number`` (from 1) of a list whose query gives more than rows
    (``fetch(offset, limit)`` returns an object with its ``total``, such as a month index
    beside the rows) and its :class:`~portal.keitai.paging.Page`; a page past the end is fetched
    again as the last."""
    found = fetch((number - 1) * per_page, per_page)
    paging = paginate(found.total, number, per_page)
    if paging.page != number:
        found = fetch(paging.offset, per_page)
    return found, paging

"""Search (/search?q=&type=): members, communities, diaries and reviews, as the viewer may see
them.

The page is made of sections, one per kind of result, each with its template
``search/_<kind>.html``. ``?type=all`` (the default) shows every section: diaries a page at a
time (``?page=N``), the others their first few results (``sizes().search_section``; on phones
only their count) with a link to all of them; ``?type=members`` (or ``communities``,
``diaries``, ``reviews``) shows that section alone, a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, request
from flask_login import current_user, login_required

from .. import page_cache
from ..i18n.formats import number
from ..keitai.paging import Page
from ..models import Diary
from ..models.community import CommunityCategory
from ..rendering import render, sizes
from ..services import photos, search
from ._parts import paged

bp = Blueprint("search", __name__)

#: The ``?type=`` values: every section, or one of them.
TYPES = ("all", "members", "communities", "diaries", "reviews")


@dataclass
class DiaryHit:
    """One diary in the results, and a piece of its body around the words."""

    diary: Diary
    snippet: str


@dataclass
class Section:
    """One kind of results: the hits shown, and the pager (``None``: only the first few are
    shown, with a link to the section) and how many there are in all: ``total`` at most
    :data:`~portal.services.search.COUNT_CAP` (counting stops there), ``count`` the number as
    shown (``1,000+`` past it)."""

    hits: list
    paging: Page | None
    total: int
    count: str = ""

    def __post_init__(self) -> None:
        self.total, more = search.shown_total(self.total)
        self.count = number(self.total) + ("+" if more else "")


def _categories(query: str) -> tuple[str, ...]:
    """Return the categories whose name (in the reader's language) contains the query."""
    wanted = query.casefold()
    return tuple(
        code
        for code, label in CommunityCategory.labels().items()
        if wanted in str(label).casefold() or wanted == code
    )


def _fetchers(query: str):
    """Return, per kind, ``fetch(offset, limit) -> (hits, total)`` for this viewer and query."""
    me, size = current_user.id, sizes()

    def diaries(offset, limit):
        found, total = search.search_diaries(me, query, offset, limit)
        return [
            DiaryHit(d, search.snippet(d.body, query, size.search_snippet)) for d in found
        ], total

    def members(offset, limit):
        found, total = search.search_members(me, query, offset, limit)
        for hit in found:
            if hit.hobbies:
                hit.hobbies = search.snippet(hit.hobbies, query, size.search_snippet)
        return found, total

    def communities(offset, limit):
        return search.search_communities(query, _categories(query), offset, limit)

    def reviews(offset, limit):
        return search.search_reviews(me, query, offset, limit)

    return {"members": members, "communities": communities, "diaries": diaries, "reviews": reviews}


def _sections(query: str, kind: str) -> dict[str, Section | None]:
    """Return the sections the page shows (``None`` for the others)."""
    size = sizes()
    shown = dict.fromkeys(TYPES[1:])
    if not query:
        return shown
    for name, fetch in _fetchers(query).items():
        per_page = size.search_page if name == "diaries" else size.search_results_page
        if kind == name or (kind == "all" and name == "diaries"):
            page = paged(fetch, per_page)
            shown[name] = Section(page.items, page.paging, page.paging.total)
        elif kind == "all":
            hits, total = fetch(0, size.search_section)
            shown[name] = Section(hits, None, total)
    return shown


@bp.route("/search")
@page_cache.cached("search")
@login_required
def index():
    """Show the search form and, for a query, what matches it (``?type=`` picks the kind;
    from the page cache while nothing changed)."""
    query = search.normalise_query(request.args.get("q"))
    kind = request.args.get("type", "all")
    kind = kind if kind in TYPES else "all"
    sections = _sections(query, kind)
    found = sections["communities"]
    return render(
        "search/index.html",
        query=query,
        search_type=kind,
        category_labels=CommunityCategory.labels(),
        community_images=photos.community_images(c.id for c in found.hits) if found else {},
        **sections,
    )

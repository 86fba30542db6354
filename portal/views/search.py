"""Search (/search?q=): diaries the viewer may read that contain the words.

The page is made of sections, one per kind of result (diaries now; members and communities
can be added as sections of their own, each with its template ``search/_<kind>.html``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, g, request, url_for
from flask_login import current_user, login_required

from ..keitai.ext import encode_for
from ..keitai.paging import Page, paginate
from ..models import Diary
from ..rendering import render, sizes
from ..services import search

bp = Blueprint("search", __name__)

#: Page numbers beyond this are read as this (the pager then shows the last page).
MAX_PAGE = 100_000


@dataclass
class DiaryHit:
    """One diary in the results, and a piece of its body around the words."""

    diary: Diary
    snippet: str


@dataclass
class DiarySection:
    """The diary results: one page of hits and the pager."""

    hits: list[DiaryHit]
    paging: Page


def _diary_section(query: str) -> DiarySection | None:
    if not query:
        return None
    size = sizes()
    wanted = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    found, total = search.search_diaries(
        current_user.id, query, (wanted - 1) * size.search_page, size.search_page
    )
    paging = paginate(total, wanted, size.search_page)
    if paging.page != wanted:  # past the end: show the last page
        found, total = search.search_diaries(
            current_user.id, query, paging.offset, size.search_page
        )
    hits = [DiaryHit(d, search.snippet(d.body, query, size.search_snippet)) for d in found]
    return DiarySection(hits, paging)


@bp.route("/search")
@login_required
def index():
    """Show the search form and, for a query, the matching diaries, newest first."""
    query = search.normalise_query(request.args.get("q"))
    action = urlsplit(url_for("search.index"))
    return render(
        "search/index.html",
        query=query,
        # A GET form replaces its action's query: carry its parameters (the session id of
        # cookie-less phones) as hidden fields.
        form_action=action.path,
        form_hidden=parse_qsl(action.query),
        # Links repeat the query in the encoding the device sends it back in.
        query_arg=encode_for(query, g.device),
        diaries=_diary_section(query),
    )

"""One view logic, two renderings: pick the template tree for the request and encode the page.

Templates live in two trees behind one Jinja environment with a :class:`jinja2.PrefixLoader`:
``mobile/<name>`` from ``templates_mobile/`` and ``pc/<name>`` from ``templates_pc/``. A view
names the logical template once (``render("auth/login.html", form=form)``); the prefix is the
only thing that differs, so Jinja's cache never mixes the trees up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, g, render_template
from jinja2 import FileSystemLoader, PrefixLoader

from .filters import member_text
from .i18n import locale_code
from .i18n.ruby import learner_text
from .keitai import Keitai
from .keitai.ext import encode_for
from .keitai.paging import split_text

HERE = Path(__file__).parent
TREES = {"mobile": HERE / "templates_mobile", "pc": HERE / "templates_pc"}


def template_loader() -> PrefixLoader:
    """Return the loader serving ``mobile/...`` and ``pc/...`` template names."""
    return PrefixLoader({prefix: FileSystemLoader(path) for prefix, path in TREES.items()})


def tree() -> str:
    """Return the template tree of the current request."""
    return "mobile" if g.get("mobile_view") else "pc"


@dataclass(frozen=True)
class Sizes:
    """How much one page shows, per rendering: the one place device-dependent amounts live.

    The mobile amounts keep a page within the 5 KB of the oldest i-mode phones (base chrome
    and a session id in every link included), with the longest nicknames and texts allowed.
    """

    home_friends: int
    #: My communities (with their images) in my column on home; 0: no column (phones link to
    #: the lists), and then no profile summary either.
    home_communities: int
    #: Diaries (friends' newest, and those with new comments) shown on home.
    home_diaries: int
    list_page: int
    #: Friends per page of a friend list (each a ``nickname(count)`` link).
    friends_page: int
    #: Friends shown on a profile before the link to the whole list.
    profile_friends: int
    #: Introductions (紹介文) shown on a profile before the link to all of them.
    profile_introductions: int
    #: Introductions per page of a member's introduction list.
    introductions_page: int
    #: Footprints per page of the footprint list.
    footprints_page: int
    #: Incoming friend requests (with their messages) per page.
    requests_page: int
    #: Sent friend requests per page.
    sent_requests_page: int
    #: Blocked members per page (each with its unblock button).
    blocked_page: int
    #: Favourites (お気に入り) per page of my list, their newest diaries shown above it, and
    #: on home (0: only a link to the list).
    favorites_page: int
    favorite_diaries: int
    home_favorite_diaries: int
    #: Albums per page of an album list, photos per page of an album, friends' new albums
    #: shown on home.
    albums_page: int
    album_photos_page: int
    home_albums: int
    #: Messages per page of a message folder (inbox, sent, drafts, trash).
    messages_page: int
    #: Reviews per page of a member's review list.
    reviews_page: int
    #: Friends' newest reviews shown on home.
    home_reviews: int
    #: Diaries per page of search results, and the characters of body shown with each.
    search_page: int
    search_snippet: int
    #: The most bytes one part of a long member text may take on a page (``?part=N``);
    #: ``None``: the whole text on one page.
    text_part_bytes: int | None
    #: Diaries per page of a member's diary list (each a title link with date and comments).
    diaries_page: int
    #: Comments per page under a diary (each up to ``COMMENT_PHONE_BYTES`` of text).
    comments_page: int
    #: Comments per page of "my comments" (each with its diary's title).
    my_comments_page: int
    #: Years of the month index shown month by month on a diary list; the other years are
    #: one link each. ``None``: every month of every year.
    diary_index_years: int | None
    #: Topics of my communities with new posts, shown on home.
    home_topics: int
    #: Communities per section of the community index (mine, popular, new, friends').
    community_sections: int
    #: Communities per page of a community list or search.
    communities_page: int
    #: Newest topics and coming events shown on a community's page.
    community_topics: int
    community_events: int
    #: Topics, events, members and participants per page of their lists.
    topics_page: int
    events_page: int
    community_members_page: int
    participants_page: int
    #: Requests to join (with their messages) per page.
    join_requests_page: int
    #: Comments per page of a topic's comment list (each up to ``COMMENT_PHONE_BYTES``), and
    #: the latest comments shown under a topic's last part (0: only a link to the list).
    topic_comments_page: int
    topic_recent_comments: int
    #: Calendar items per page of a week (the phone calendar lists one week at a time).
    calendar_items: int
    #: Operators' notices shown on home (titles on phones, with their text on PCs).
    home_notices: int
    #: Members, communities and reviews shown in each section of the search overview
    #: (``/search?type=all``; 0: only the count, linking to the section), and per page of one
    #: section (``?type=members``...).
    search_section: int
    search_results_page: int
    #: Rows per page of the admin lists (members, reports, notices, the operator log), and
    #: the characters of a reported text an operator sees with the report.
    admin_page: int
    admin_excerpt: int


SIZES = {
    "mobile": Sizes(
        home_friends=6,
        home_communities=0,
        home_diaries=5,
        list_page=10,
        friends_page=15,
        profile_friends=2,
        profile_introductions=0,
        introductions_page=1,
        footprints_page=15,
        requests_page=2,
        sent_requests_page=5,
        blocked_page=5,
        favorites_page=10,
        favorite_diaries=3,
        home_favorite_diaries=1,
        albums_page=8,
        album_photos_page=4,
        home_albums=1,
        messages_page=7,
        reviews_page=8,
        home_reviews=3,
        search_page=5,
        search_snippet=30,
        text_part_bytes=1200,
        diaries_page=5,
        comments_page=2,
        my_comments_page=3,
        diary_index_years=1,
        home_topics=3,
        community_sections=3,
        communities_page=10,
        community_topics=3,
        community_events=2,
        topics_page=10,
        events_page=8,
        community_members_page=12,
        participants_page=15,
        join_requests_page=2,
        topic_comments_page=2,
        topic_recent_comments=0,
        calendar_items=10,
        home_notices=2,
        search_section=0,
        search_results_page=8,
        admin_page=6,
        admin_excerpt=200,
    ),
    "pc": Sizes(
        home_friends=9,
        home_communities=9,
        home_diaries=10,
        list_page=30,
        friends_page=30,
        profile_friends=9,
        profile_introductions=10,
        introductions_page=20,
        footprints_page=30,
        requests_page=20,
        sent_requests_page=30,
        blocked_page=30,
        favorites_page=30,
        favorite_diaries=10,
        home_favorite_diaries=5,
        albums_page=20,
        album_photos_page=24,
        home_albums=4,
        messages_page=30,
        reviews_page=20,
        home_reviews=5,
        search_page=20,
        search_snippet=120,
        text_part_bytes=None,
        diaries_page=20,
        comments_page=30,
        my_comments_page=20,
        diary_index_years=None,
        home_topics=8,
        community_sections=8,
        communities_page=30,
        community_topics=10,
        community_events=5,
        topics_page=30,
        events_page=20,
        community_members_page=50,
        participants_page=50,
        join_requests_page=20,
        topic_comments_page=50,
        topic_recent_comments=10,
        calendar_items=500,
        home_notices=5,
        search_section=5,
        search_results_page=20,
        admin_page=30,
        admin_excerpt=2000,
    ),
}


def sizes() -> Sizes:
    """Return the page sizes of the current rendering."""
    return SIZES[tree()]


def text_parts(text: str, reading: Any = None) -> list[str]:
    """Split a long member text into the parts this rendering shows one per page.

    Each part, as the page shows it (escaped, URLs linked, line breaks, encoded for the
    device), takes at most :attr:`Sizes.text_part_bytes`; cuts fall at paragraph or sentence
    ends and never inside a URL (:func:`portal.keitai.paging.split_text`).

    :param reading: the text's stored readings: with furigana on, parts are measured with
        them (the same reading gives the same parts on the page and in its edit form).
    :return: the parts, ``[text]`` when it fits or the rendering has no limit.
    """
    limit = sizes().text_part_bytes
    if limit is None or not text:
        return [text]
    device = g.device

    def measure(piece: str) -> int:
        html = str(learner_text(piece, reading) if reading is not None else member_text(piece))
        return len(encode_for(html, device, locale_code()))

    return split_text(text, limit, measure)


def render(name: str, status: int = 200, **context: Any) -> Response:
    """Render the logical template ``name`` for the current device.

    :param name: a template name relative to both trees, e.g. ``"home/index.html"``.
    :param status: the HTTP status of the page.
    :param context: the template context (the same for both trees).
    :return: the encoded response.
    """
    html = render_template(f"{tree()}/{name}", **context)
    return Keitai.page_response(html, status, locale_code())

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

from .keitai import Keitai
from .keitai.ext import encode_for
from .keitai.paging import split_text
from .navigation import member_text

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
    #: The most bytes one part of a long member text may take on a page (``?part=N``);
    #: ``None``: the whole text on one page.
    text_part_bytes: int | None


SIZES = {
    "mobile": Sizes(
        home_friends=6,
        home_diaries=5,
        list_page=10,
        friends_page=15,
        profile_friends=3,
        profile_introductions=0,
        introductions_page=1,
        footprints_page=15,
        requests_page=2,
        sent_requests_page=5,
        blocked_page=5,
        text_part_bytes=1200,
    ),
    "pc": Sizes(
        home_friends=9,
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
        text_part_bytes=None,
    ),
}


def sizes() -> Sizes:
    """Return the page sizes of the current rendering."""
    return SIZES[tree()]


def text_parts(text: str) -> list[str]:
    """Split a long member text into the parts this rendering shows one per page.

    Each part, as the page shows it (escaped, URLs linked, line breaks, encoded for the
    device), takes at most :attr:`Sizes.text_part_bytes`; cuts fall at paragraph or sentence
    ends and never inside a URL (:func:`portal.keitai.paging.split_text`).

    :return: the parts, ``[text]`` when it fits or the rendering has no limit.
    """
    limit = sizes().text_part_bytes
    if limit is None or not text:
        return [text]
    device = g.device

    def measure(piece: str) -> int:
        html = str(member_text(piece))
        return len(encode_for(html, device))

    return split_text(text, limit, measure)


def render(name: str, status: int = 200, **context: Any) -> Response:
    """Render the logical template ``name`` for the current device.

    :param name: a template name relative to both trees, e.g. ``"home/index.html"``.
    :param status: the HTTP status of the page.
    :param context: the template context (the same for both trees).
    :return: the encoded response.
    """
    html = render_template(f"{tree()}/{name}", **context)
    return Keitai.page_response(html, status)

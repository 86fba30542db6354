"""The PC pages' area tabs: which areas there are, where each leads, and which one a page is in.

Templates loop over :func:`area_tabs` and mark the current tab; the decision of which area an
endpoint belongs to lives here, not in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

#: Blueprints whose pages belong to an area (endpoints not listed here: see :func:`_area_of`).
AREA_OF_BLUEPRINT = {
    "home": "home",
    "diaries": "diary",
    "photos": "diary",
    "blog": "diary",
    "footprints": "footprints",
    "messages": "messages",
    "communities": "communities",
    "community_admin": "communities",
    "topics": "communities",
    "events": "communities",
    "event_comments": "communities",
    "calendar": "calendar",
    "search": "search",
    "reviews": "search",
}


@dataclass(frozen=True)
class Tab:
    """One area tab of the PC header."""

    key: str
    label: str
    url: str
    current: bool


#: Endpoints whose ``id`` is the member whose page it is.
_MEMBER_PAGES = {"members.profile": "profile", "diaries.list_of": "diary"}


def page_of(member_id: int) -> None:
    """Say whose page this is (a view of a diary calls it with the author): another
    member's diary is in the friends area, not in "My diary"."""
    g.page_owner_id = member_id


def _area_of(endpoint: str | None, view_args: dict) -> str | None:
    if not endpoint:
        return None
    if endpoint in _MEMBER_PAGES:
        mine = view_args.get("id") == current_user.id
        return _MEMBER_PAGES[endpoint] if mine else "friends"
    if endpoint.startswith("members."):
        return "friends"
    area = AREA_OF_BLUEPRINT.get(endpoint.split(".")[0])
    owner = g.get("page_owner_id")
    if area == "diary" and owner is not None and owner != current_user.id:
        return "friends"
    return area


def area_tabs() -> list[Tab]:
    """Return the area tabs of a member's PC pages, the current one marked."""
    me = current_user.id
    tabs = [
        ("home", _l("Home"), url_for("home.index")),
        ("profile", _l("Profile"), url_for("members.profile", id=me)),
        ("diary", _l("My diary"), url_for("diaries.list_of", id=me)),
        ("friends", _l("My friends"), url_for("members.my_friends")),
        ("footprints", _l("Footprints"), url_for("footprints.index")),
        ("messages", _l("Messages"), url_for("messages.index")),
        ("communities", _l("Communities"), url_for("communities.index")),
        ("calendar", _l("Calendar"), url_for("calendar.index")),
        ("search", _l("Search"), url_for("search.index")),
    ]
    current = _area_of(request.endpoint, request.view_args or {})
    return [Tab(key, str(label), url, key == current) for key, label, url in tabs]


def init_app(app) -> None:
    """Make ``area_tabs`` available to templates."""
    app.jinja_env.globals.update(area_tabs=area_tabs)

"""The PC pages' area tabs: which areas there are, where each leads, and which one a page is in.

Templates loop over :func:`area_tabs` and mark the current tab; the decision of which area an
endpoint belongs to lives here, not in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
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


def _area_of(endpoint: str | None, view_args: dict) -> str | None:
    if not endpoint:
        return None
    if endpoint == "members.profile":
        return "profile" if view_args.get("id") == current_user.id else "friends"
    if endpoint.startswith("members."):
        return "friends"
    return AREA_OF_BLUEPRINT.get(endpoint.split(".")[0])


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

"""Helpers shared by the community views: page numbers, lookups, refusals, long texts edited
part by part on phones."""

from __future__ import annotations

import hashlib

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from ..models import Community
from ..rendering import render
from ..services import communities

#: Page numbers beyond this are read as this (the pager then shows the last page).
MAX_PAGE = 100_000
#: Asks for the last part (or page): the pager clamps it.
LAST = MAX_PAGE


def number(name: str = "page") -> int:
    """Return the requested ``?page=`` (or ``?part=``) number, within 1..MAX_PAGE."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def community_or_404(community_id: int) -> Community:
    """Return the community, or the 404 of a missing one."""
    community = communities.get(community_id)
    if community is None:
        abort(404)
    return community


def readable_or_404(community_id: int) -> Community:
    """Return the community if the viewer may read its topics and events; else a 404 (the
    community page itself explains that only members read them)."""
    community = community_or_404(community_id)
    if not communities.can_read(community, current_user.id):
        abort(404)
    return community


def refused(exc: communities.NotAllowedError):
    """Answer an action the member's role does not allow: 403, and nothing is saved."""
    return render("errors/error.html", title=_("Not allowed"), message=exc.message, status=403)


def revision(text: str) -> str:
    """Return a short fingerprint of a text: the version its parts were cut from."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def splice(parts: list[str], index: int, text: str) -> str:
    """Return the text with part ``index`` replaced by ``text``, keeping the white space
    between parts as it was (browsers trim the ends of a text area)."""
    old = parts[index]
    lead = old[: len(old) - len(old.lstrip())]
    trail = old[len(old.rstrip()) :]
    return "".join([*parts[:index], lead + text.strip() + trail, *parts[index + 1 :]])


def paged(fetch, per_page: int):
    """Fetch the requested page of a list (``fetch(offset=, limit=) -> (rows, total)``); a
    page past the end shows the last one.

    :return: the rows and the :class:`~portal.keitai.paging.Page`.
    """
    from ..keitai.paging import paginate

    wanted = number()
    rows, total = fetch(offset=(wanted - 1) * per_page, limit=per_page)
    paging = paginate(total, wanted, per_page)
    if paging.page != wanted:
        rows, total = fetch(offset=paging.offset, limit=per_page)
    return rows, paging


def get_form(endpoint: str, **values) -> dict:
    """Return ``form_action`` and ``form_hidden`` for a GET form: submitting replaces the
    action's query, so its parameters (the session id of cookie-less phones) travel as
    hidden fields."""
    from urllib.parse import parse_qsl, urlsplit

    from flask import url_for

    action = urlsplit(url_for(endpoint, **values))
    return {"form_action": action.path, "form_hidden": parse_qsl(action.query)}

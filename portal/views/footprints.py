"""足あと: who visited me, newest first. Opening the list marks the footprints as seen."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from ..keitai.paging import paginate
from ..rendering import render, sizes
from ..services import footprints
from ._parts import number

bp = Blueprint("footprints", __name__)


@bp.route("/footprints")
@login_required
def index():
    """List my footprints, a page at a time; a member who opted out gets an explanation."""
    per_page = sizes().footprints_page
    wanted = number()
    found = footprints.footprints_of(current_user, offset=(wanted - 1) * per_page, limit=per_page)
    if found is None:
        return render("footprints/index.html", found=None, paging=None, seen_before=None)
    paging = paginate(found.total, wanted, per_page)
    if paging.page != wanted:  # past the end (or before the start): show the nearest page
        found = footprints.footprints_of(current_user, offset=paging.offset, limit=per_page)
    seen_before = current_user.footprints_seen_at
    footprints.mark_seen(current_user)
    return render("footprints/index.html", found=found, paging=paging, seen_before=seen_before)

"""足あと: who visited me, newest first. Opening the list marks the footprints as seen."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from ..rendering import render, sizes
from ..services import footprints
from ._parts import number

bp = Blueprint("footprints", __name__)


@bp.route("/footprints")
@login_required
def index():
    """List my footprints, a page at a time; a member who opted out gets an explanation."""
    page = footprints.page_of(current_user, number(), sizes().footprints_page)
    if page is None:
        return render("footprints/index.html", found=None, paging=None, seen_before=None)
    found, paging = page
    seen_before = current_user.footprints_seen_at
    footprints.mark_seen(current_user)
    return render("footprints/index.html", found=found, paging=paging, seen_before=seen_before)

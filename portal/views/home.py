"""The top page (login for visitors, home for members) and the home page."""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user, login_required

from .. import page_cache
from ..forms.auth import LoginForm
from ..keitai.paging import paginate
from ..models import Notice
from ..rendering import render, sizes, text_parts
from ..services import home as home_service
from ..services import notices
from ._loads import ALONE, loads
from ._parts import number

bp = Blueprint("home", __name__)


@bp.route("/")
@page_cache.cached("top")
def top():
    """Show the login form to visitors and the home page to members."""
    if current_user.is_authenticated:
        return _render_home()
    return render("home/top.html", form=LoginForm())


@bp.route("/home")
@page_cache.cached("home")
@login_required
def index():
    """Show the member's home page."""
    return _render_home()


def _render_home():
    page = home_service.home_for(current_user, sizes())
    g.unread_messages = page.unread_messages  # the menu's count (views.messages), not again
    return render("home/index.html", page=page, welcome=bool(request.args.get("welcome")))


@bp.route("/notices/<int:id>")
@login_required
@loads("found", notices.get_active, viewer=ALONE)
def notice(found: Notice):
    """Read an operators' notice while it is active (its text in parts on phones)."""
    parts = text_parts(found.body)
    part = paginate(len(parts), number("part"), 1)
    return render("notices/show.html", notice=found, body=parts[part.page - 1], part=part)

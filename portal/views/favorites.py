"""お気に入り (favourites): my list, with my favourites' newest diaries, and the buttons on a
profile that add or remove a member. The favourite is never told (services.favorites)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import Member
from ..rendering import render, sizes
from ..services import ServiceError, favorites, profiles
from ._parts import number

bp = Blueprint("favorites", __name__)


def _visible_member(member_id: int) -> Member:
    """Return a member the viewer may see; 404 if missing or blocking the viewer."""
    member = profiles.member_or_none(member_id)
    if member is None or profiles.view_profile(member, current_user.id).blocked:
        abort(404)
    return member


@bp.route("/favorites")
@login_required
def index():
    """List my favourites (latest added first) and their newest diaries I may read."""
    me, size = current_user, sizes()
    page = favorites.page_of(me, number(), size.favorites_page)
    return render(
        "favorites/index.html",
        favorites=page.items,
        paging=page.paging,
        diaries=favorites.newest_diaries(me, size.favorite_diaries)
        if page.paging.page == 1
        else [],
    )


@bp.route("/users/<int:id>/favorite", methods=["POST"])
@login_required
def add(id: int):
    """Add a member to my favourites (no approval; they are not told)."""
    member = _visible_member(id)
    try:
        favorites.add(current_user, member)
    except ServiceError as exc:
        flash(str(exc.message))
    else:
        flash(_("%(name)s was added to your favourites.", name=member.nickname))
    return redirect(url_for("members.profile", id=member.id))


@bp.route("/users/<int:id>/unfavorite", methods=["POST"])
@login_required
def remove(id: int):
    """Remove a member from my favourites; back to my list when asked from it."""
    member = _visible_member(id)
    favorites.remove(current_user, member.id)
    flash(_("%(name)s was removed from your favourites.", name=member.nickname))
    if request.form.get("back") == "favorites":
        return redirect(url_for("favorites.index"))
    return redirect(url_for("members.profile", id=member.id))

"""The blog import setting: an external blog whose new entries become my diaries."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.blog import BlogFeedForm
from ..rendering import render
from ..services import ServiceError, blog_import

bp = Blueprint("blog", __name__)


@bp.route("/settings/blog", methods=["GET", "POST"])
@login_required
def settings():
    """Show, set or remove (a POST with ``remove``) the feed of my external blog."""
    feed = blog_import.feed_of(current_user)
    if request.method == "POST" and "remove" in request.form:
        if blog_import.remove_feed(current_user):
            flash(_("Your blog is no longer imported. Diaries imported so far stay."))
        return redirect(url_for("blog.settings"))
    form = BlogFeedForm(
        data={
            "url": feed.url if feed else "",
            "visibility": feed.visibility if feed else current_user.diary_visibility,
        }
    )
    if form.validate_on_submit():
        try:
            blog_import.set_feed(current_user, form.url.data, form.visibility.data)
        except ServiceError as exc:
            refusal(form, exc, default="url")
        else:
            flash(_("Your blog was saved. Its new entries will be imported as diaries."))
            return redirect(url_for("blog.settings"))
    status = 400 if request.method == "POST" else 200
    return render("settings/blog.html", form=form, feed=feed, status=status)

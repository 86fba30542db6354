"""The jump page: leave the site without taking the session id along."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request

from ..filters import share_url
from ..i18n import locale_code
from ..keitai.links import is_external_url
from ..rendering import render

bp = Blueprint("links", __name__)


@bp.route("/jump")
def jump():
    """Show where a link in member content leads, and link there (in the language of
    ``?lang=``, which the links to it carry for phones without cookies)."""
    url = request.args.get("url", "")
    if not is_external_url(url):
        abort(400)
    if request.args.get(current_app.config["SESSION_URL_PARAM"]):
        # Reached with the session id (e.g. back from the language switch): drop it first,
        # so the page that links off-site never has it in its own URL. An absolute Location,
        # which the keitai layer leaves alone (it adds the id to internal paths).
        return redirect(share_url("links.jump", url=url, lang=locale_code()))
    response = render("links/jump.html", url=url)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

"""The jump page: leave the site without taking the session id along."""

from __future__ import annotations

from flask import Blueprint, abort, request

from ..keitai.links import is_external_url
from ..rendering import render

bp = Blueprint("links", __name__)


@bp.route("/jump")
def jump():
    """Show where a link in member content leads, and link there."""
    url = request.args.get("url", "")
    if not is_external_url(url):
        abort(400)
    response = render("links/jump.html", url=url)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response

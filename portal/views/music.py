"""Music (mixi ミュージック): the ListenBrainz-compatible API scrobblers talk to, the settings
page with the member's token and who sees their music, and friends' weekly chart."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, limiter
from ..filters import share_url
from ..forms.music import MusicSettingsForm, TokenForm
from ..keitai.ext import device_of
from ..rendering import render
from ..services import music, profiles
from ..services.visibility import relation
from ._parts import or_404

bp = Blueprint("music", __name__)
#: Tracks on a member's recently played page.
RECENT_PAGE = 10
#: The API: JSON in, JSON out, authorised by the member's token, never by a session cookie.
#: CSRF does not apply: a forged cross-site request can neither read nor set the
#: ``Authorization`` header (browsers send it only when the page's own script asks, which
#: another site cannot do without a CORS grant we never give), and no cookie authorises it.
api = Blueprint("listenbrainz", __name__, url_prefix="/1")
csrf.exempt(api)


def _api_limit() -> str:
    return current_app.config["LISTEN_RATE_LIMIT"]


def _api_key() -> str:
    """Count requests per token (its hash is the key), else per client address."""
    header = request.headers.get("Authorization", "")
    if header:
        return "listen:" + music._digest(header)
    return "listen-ip:" + (request.remote_addr or "")


def _error(code: int, message: str):
    response = jsonify({"code": code, "error": message})
    response.status_code = code
    return response


@api.errorhandler(HTTPException)
def _api_http_error(error: HTTPException):
    """Errors of the API are JSON, as ListenBrainz gives them (429 too many, 405...)."""
    code = error.code or 500
    if code == 429:
        return _error(429, "You have exceeded your rate limit. See the X-RateLimit-* headers.")
    return _error(code, error.description or error.name)


@api.errorhandler(music.ListenError)
def _api_refused(error: music.ListenError):
    return _error(error.code, str(error.message))


@api.after_request
def _rate_limit_headers(response):
    """ListenBrainz's rate-limit headers, which its clients read to slow down."""
    current = limiter.current_limit
    if current is not None:
        response.headers["X-RateLimit-Limit"] = str(current.limit.amount)
        response.headers["X-RateLimit-Remaining"] = str(max(current.remaining, 0))
        reset_in = max(current.reset_at - int(time.time()), 0)
        response.headers["X-RateLimit-Reset-In"] = str(reset_in)
        response.headers["X-RateLimit-Reset"] = str(current.reset_at)
    return response


@api.route("/submit-listens", methods=["POST"])
@limiter.limit(_api_limit, key_func=_api_key)
def submit_listens():
    """Take listens (``single``, ``playing_now``, ``import``) as ListenBrainz does."""
    token = music.token_from_header(request.headers.get("Authorization"))
    member = music.member_for_token(token)
    if member is None:
        raise music.ListenError("Invalid authorization token.", 401)
    music.submit(member, request.get_data(cache=False))
    return jsonify({"status": "ok"})


@api.route("/validate-token", methods=["GET"])
@limiter.limit(_api_limit, key_func=_api_key)
def validate_token():
    """Say whether a token is valid, and whose (``Authorization: Token`` or ``?token=``)."""
    header = request.headers.get("Authorization")
    token = request.args.get("token") or (music.token_from_header(header) if header else None)
    if not token:
        raise music.ListenError("You need to provide an Authorization token.", 400)
    member = music.member_for_token(token)
    if member is None:
        return jsonify({"code": 200, "message": "Token invalid.", "valid": False})
    return jsonify(
        {
            "code": 200,
            "message": "Token valid.",
            "valid": True,
            "user_name": f"member{member.id}",
        }
    )


@bp.route("/settings/music", methods=["GET", "POST"])
@login_required
def settings():
    """My ListenBrainz token (made or renewed here, shown once) and who sees my music."""
    form = MusicSettingsForm(data={"visibility": current_user.music_visibility})
    token_form = TokenForm()
    new_token = None
    saved = False
    status = 200
    if request.method == "POST":
        if request.form.get("action") == "renew":
            if token_form.validate_on_submit():
                new_token = music.renew_token(current_user)
            else:
                status = 400
        elif form.validate_on_submit() and music.set_visibility(current_user, form.visibility.data):
            saved = True
        else:
            status = 400
    return render(
        "music/settings.html",
        form=form,
        token_form=token_form,
        has_token=music.has_token(current_user),
        new_token=new_token,
        saved=saved,
        api_url=share_url("home.top").rstrip("/"),
        status=status,
    )


@bp.route("/music/friends")
@login_required
def chart():
    """My friends' most played artists and tracks of the last seven days."""
    limit = 5 if device_of(request).is_keitai else 10
    return render(
        "music/chart.html",
        chart=music.weekly_chart(current_user, limit),
        title=_("Friends' weekly music chart"),
    )


@bp.route("/users/<int:id>/music")
@login_required
def recent(id: int):
    """A member's recently played tracks (最近聴いた曲), as their music visibility allows."""
    member = or_404(profiles.member_or_none(id))
    found = or_404(music.recent_for(member, relation(current_user.id, member.id), RECENT_PAGE))
    return render("music/recent.html", member=member, music=found)

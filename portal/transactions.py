"""One commit per request, in one place.

Services flush; nothing else commits. After the view, a successful response (status below 400)
commits the request's work and any error response rolls it back, so a refused form or a failed
check never leaves half its work behind. E-mail notices queued during the request go out only
after the commit; footprints are written after it, in a short transaction of their own. The
session is saved after this, in its own transaction.
"""

from flask import Flask, Response

from .extensions import db
from .services import footprints, notifications


def _finish(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()
        notifications.flush()
        footprints.flush()
    else:
        db.session.rollback()
        notifications.discard()
        footprints.discard()
    return response


def abandon() -> None:
    """Roll back the request's work (an error page is being served instead); its notices and
    footprints are dropped first, even when the rollback fails because the database is gone."""
    notifications.discard()
    footprints.discard()
    db.session.rollback()


def init_app(app: Flask) -> None:
    """Register the commit hook (after_request hooks run last-registered first: keep it early)."""
    app.after_request(_finish)

"""One commit per request, in one place.

Services flush; nothing else commits. After the view, a successful response (status below 400)
commits the request's work and any error response rolls it back, so a refused form or a failed
check never leaves half its work behind. E-mail notices queued during the request go out only
after the commit. The session is saved after this, in its own transaction.
"""

from flask import Flask, Response

from .extensions import db
from .services import notifications


def _finish(response: Response) -> Response:
    if response.status_code < 400:
        db.session.commit()
        notifications.flush()
    else:
        db.session.rollback()
        notifications.discard()
    return response


def abandon() -> None:
    """Roll back the request's work (an error page is being served instead); its notices are
    dropped first, even when the rollback fails because the database is gone."""
    notifications.discard()
    db.session.rollback()


def init_app(app: Flask) -> None:
    """Register the commit hook (after_request hooks run last-registered first: keep it early)."""
    app.after_request(_finish)

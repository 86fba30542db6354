"""Error pages in the user's language and device format."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .. import transactions
from ..hosts import UnknownHost
from ..keitai import BadInputEncoding
from ..keitai.ext import ensure_rendering
from ..rendering import render
from ..services import NotAllowedError, ServiceError
from ..services.health import OUTAGES

logger = logging.getLogger(__name__)


def _explain(error: HTTPException) -> tuple[str, str]:
    """Return the title and the advice for an error, in the user's language."""
    if isinstance(error, BadInputEncoding):
        return _("The characters you sent could not be read"), _(
            "Nothing was saved. Please go back, check the text and send it again."
        )
    if isinstance(error, UnknownHost):
        return _("Bad request"), _("This site is not served at this address.")
    if isinstance(error, CSRFError):
        return _("This form has expired"), _(
            "Nothing was saved. Please open the page again and send the form from there."
        )
    messages = {
        400: (_("Bad request"), _("The request could not be understood. Nothing was saved.")),
        403: (_("Not allowed"), _("You cannot see this page.")),
        404: (_("Page not found"), _("This page does not exist or was deleted.")),
        405: (_("Not allowed"), _("This page cannot be used this way.")),
        413: (_("Too large"), _("What you sent is too large. Nothing was saved.")),
        429: (_("Too many attempts"), _("Please wait a few minutes and try again.")),
        503: (
            _("Temporarily unavailable"),
            _("Part of the site cannot be reached just now. Please try again in a few minutes."),
        ),
    }
    return messages.get(error.code or 500) or (
        _("Something went wrong"),
        _("Sorry, an error occurred on our side. Please try again later."),
    )


def _page(error: HTTPException):
    title, message = _explain(error)
    return render("errors/error.html", title=title, message=message, status=error.code or 500)


def _http_error(error: HTTPException):
    transactions.abandon()
    ensure_rendering()
    return _page(error)


def _not_allowed(error: NotAllowedError):
    """A rule of the member's role refused the action (raised by a service): the 403 page with
    the service's reason; nothing is saved."""
    transactions.abandon()
    ensure_rendering()
    return render("errors/error.html", title=_("Not allowed"), message=error.message, status=403)


def _refused(error: ServiceError):
    """A service refused input that no form showed again: the 400 page with its reason."""
    transactions.abandon()
    ensure_rendering()
    return render("errors/error.html", title=_("Bad request"), message=error.message, status=400)


def _server_error(error: Exception):
    original = getattr(error, "original_exception", None)
    if isinstance(original, OUTAGES):  # raised outside a view (saving the session)
        return _outage(original)
    transactions.abandon()
    logger.exception("unhandled error", exc_info=error)
    ensure_rendering()
    return _page(InternalServerError())


def _outage(error: BaseException):
    """The database or Redis does not answer: a 503 page (try again), not a 500."""
    logger.warning("unavailable: %s: %s", type(error).__name__, error)
    try:
        transactions.abandon()
    except Exception:  # noqa: BLE001 (the rollback needs the server that is gone)
        logger.debug("rollback failed during an outage", exc_info=True)
    ensure_rendering()
    try:
        return _page(ServiceUnavailable())
    except OUTAGES:
        # The server went away mid-request: the member's row, expired by the rollback, can no
        # longer be read (their language, say). Show the page as to a visitor.
        logger.debug("the outage page is shown as to a visitor", exc_info=True)
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        return _page(ServiceUnavailable())


def _session_store_down() -> None:
    """A stored session could not be read (its store is down): 503 rather than a logged-out
    page; visitors without a session are served as usual."""
    error = getattr(session, "store_error", None)
    if error is not None:
        logger.warning("session store unavailable: %s: %s", type(error).__name__, error)
        raise ServiceUnavailable()


def register(app: Flask) -> None:
    """Render every HTTP error and unexpected exception as a page of ours."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(NotAllowedError, _not_allowed)
    app.register_error_handler(ServiceError, _refused)
    for outage in OUTAGES:
        app.register_error_handler(outage, _outage)  # type: ignore[arg-type]
    # Before the CSRF check: a form posted while the session store is down gets "try again
    # later", not "the form expired".
    hooks = app.before_request_funcs.setdefault(None, [])
    csrf = [i for i, f in enumerate(hooks) if f.__qualname__.startswith("CSRFProtect.")]
    hooks.insert(csrf[0] if csrf else len(hooks), _session_store_down)

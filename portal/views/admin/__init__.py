"""The operators' pages (``/admin``): members, reports, notices, site settings and the log.

Every page is for operators only: a visitor is sent to the login page and any other member
gets the 403 page, before the view runs; the services check again
(:func:`portal.services.admin.require_operator`), so nothing changes for anyone else however
the request was made. Every change is written to the operator log (``/admin/log``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_login import current_user

from ...forms.admin import BUTTON_LABELS
from ...rendering import render, sizes
from ...services import NotAllowedError, ServiceError, admin, reports
from .._parts import paged

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _operators_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    admin.require_operator(current_user)
    return None


@bp.route("")
def index():
    """The operators' menu, with the number of reports waiting."""
    return render("admin/index.html", open_reports=reports.open_count(current_user))


def listing(template: str, fetch: Callable[[int, int], Any], **context: Any):
    """Render an operators' list page: a page of ``fetch(offset, limit)``'s rows and its
    ``paging``."""
    page = paged(fetch, sizes().admin_page)
    return render(template, rows=page.items, paging=page.paging, **context)


def buttons(*actions: str) -> list[tuple[str, str]]:
    """The buttons a page offers (``buttons`` in _macros/buttons.html): for each action, the
    route it posts to (``admin.<action>``) and its label."""
    return [(f"admin.{action}", str(BUTTON_LABELS[action])) for action in actions]


def act(subject: Any, action: Callable[[Any, Any], object], done: str, page, endpoint: str):
    """Do an operator's ``action`` to ``subject`` (a member, a report): refused, ``page`` shows
    again with the reason (400); done, ``done`` is flashed on the subject's page again."""
    try:
        action(current_user, subject)
    except NotAllowedError:
        raise  # the 403 page (views/errors.py)
    except ServiceError as exc:
        return page(subject, error=exc.message, status=400)
    flash(done)
    return redirect(url_for(endpoint, id=subject.id))


from . import content, members  # noqa: E402, F401 (their routes join the blueprint)

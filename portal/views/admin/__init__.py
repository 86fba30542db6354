"""The operators' pages (``/admin``): members, reports, notices, site settings and the log.

Every page is for operators only: a visitor is sent to the login page and any other member
gets the 403 page, before the view runs; the services check again
(:func:`portal.services.admin.require_operator`), so nothing changes for anyone else however
the request was made. Every change is written to the operator log (``/admin/log``).
"""

from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from ...rendering import render
from ...services import admin, reports

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


from . import content, members  # noqa: E402, F401 (their routes join the blueprint)

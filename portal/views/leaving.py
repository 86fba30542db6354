"""Leaving (退会): ``/settings/leave`` explains what goes and what stays, offers the member's
data as a zip, and closes the account after the password (services.leaving); operators close
an account from its admin page (logged)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.settings import LeaveForm
from ..rendering import render
from ..services import ServiceError, leaving
from .auth import sign_out

bp = Blueprint("leaving", __name__)


@bp.route("/settings/leave", methods=["GET", "POST"])
@login_required
def leave():
    """Ask for the password, then close my account: my sessions end and I am logged out."""
    form = LeaveForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            leaving.close_own(current_user, form.password.data)
        except ServiceError as exc:
            error, status = refusal(form, exc), 400
        else:
            sign_out()
            flash(_("Your account was closed. Thank you for using Keitai Portal."))
            return redirect(url_for("home.top"))
    return render("settings/leave.html", form=form, error=error, status=status)


@bp.route("/settings/leave/export")
@login_required
def export():
    """Download my diaries, comments, messages and photos as a zip (nothing changes)."""
    response = Response(leaving.export_zip(current_user), mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="keitai-portal-data.zip"'
    response.headers["Cache-Control"] = "private, no-store"
    return response

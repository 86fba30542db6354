"""Password reset by e-mail: ``/password/forgot`` sends a link, ``/password/reset/<token>``
sets the new password (the rules are in :mod:`portal.services.password_reset`)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

from ..extensions import limiter
from ..forms.auth import ForgotPasswordForm, ResetPasswordForm
from ..keitai.ext import device_of
from ..rendering import render
from ..services import ServiceError, lockouts
from ..services import password_reset as service

bp = Blueprint("passwords", __name__)


def _per_address() -> str:
    return current_app.config["RESET_LINK_RATE_LIMIT"]


def _per_client() -> str:
    return current_app.config["RESET_LINK_RATE_LIMIT_PER_CLIENT"]


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_per_address, key_func=lockouts.reset_address_key, methods=["POST"])
@limiter.limit(
    _per_client, key_func=lambda: lockouts.reset_client_key(device_of(request)), methods=["POST"]
)
def forgot():
    """Ask for a reset link; the answer is the same whether the address is a member's or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.request_reset(form.email.data)
        return render("auth/forgot.html", form=form, sent=True)
    return render("auth/forgot.html", form=form, sent=False)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password through the link from the mail."""
    if service.usable(token) is None:
        return render("auth/reset.html", form=None, token=token, status=404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            service.reset(token, form.password.data)
        except ServiceError:
            return render("auth/reset.html", form=None, token=token, status=404)
        flash(_("Your password was changed. Please log in with the new one."))
        return redirect(url_for("auth.login"))
    return render("auth/reset.html", form=form, token=token)

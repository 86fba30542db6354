"""Invitations: a member makes signup links to hand to friends."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.auth import InviteForm
from ..rendering import render, sizes
from ..services import ServiceError, accounts

bp = Blueprint("invites", __name__)


@bp.route("/invite", methods=["GET", "POST"])
@login_required
def index():
    """List my invitation links and make a new one."""
    form = InviteForm()
    error = None
    if form.validate_on_submit():
        try:
            invitation = accounts.create_invitation(current_user, form.note.data)
        except ServiceError as exc:
            error = refusal(form, exc)
        else:
            flash(_("Invitation link created. Send it to your friend."))
            return redirect(url_for("invites.index", made=invitation.id))
    accepted, accepted_total = accounts.accepted_invitations(current_user, sizes().list_page)
    return render(
        "invites/index.html",
        form=form,
        error=error,
        open_invitations=accounts.open_invitations(current_user),
        accepted=accepted,
        accepted_total=accepted_total,
    )

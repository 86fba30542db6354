"""Reporting abuse (通報): ``/report?type=<kind>&id=<id>`` from any member-content page.

The form is a page of its own (phones follow a plain link to it). What the member cannot see
answers the same 404 as what does not exist; the decision is the service's
(:mod:`portal.services.reports`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.admin import REPORT_KIND_LABELS, ReportForm
from ..rendering import render
from ..services import ServiceError, reports

bp = Blueprint("reports", __name__)

#: Where each kind of reported thing is read (``row``: the reported row as it is now).
_PAGES = {
    "profile": lambda target_id, row: url_for("members.profile", id=target_id),
    "diary": lambda target_id, row: url_for("diaries.show", id=target_id),
    "diary_comment": lambda target_id, row: url_for("diaries.show", id=row.diary_id),
    "topic": lambda target_id, row: url_for("topics.show", id=target_id),
    "topic_comment": lambda target_id, row: url_for("topics.comments", id=row.topic_id),
    "event_comment": lambda target_id, row: url_for("event_comments.comments", id=row.event_id),
    "review": lambda target_id, row: url_for("reviews.show", id=target_id),
    "message": lambda target_id, row: url_for("messages.show", id=target_id),
}


def content_url(kind: str, target_id: int, row) -> str | None:
    """Return the page of a reported thing (``None`` once it is gone)."""
    if row is None and kind != "profile":
        return None
    return _PAGES[kind](target_id, row)


@bp.route("/report", methods=["GET", "POST"])
@login_required
def new():
    """Show the report form for ``?type=<kind>&id=<id>``; send the report to the operators."""
    kind = request.args.get("type", "")
    target_id = request.args.get("id", type=int)
    try:
        target = reports.target_for(kind, target_id, current_user)
    except reports.TargetNotFoundError:
        abort(404)
    except ServiceError as exc:
        return render("errors/error.html", title=_("Not allowed"), message=exc.message, status=403)
    form = ReportForm()
    back = content_url(target.kind, target.id, target.row)
    if form.validate_on_submit():
        try:
            reports.file(
                current_user, kind, target_id, reason=form.reason.data, text=form.text.data
            )
        except ServiceError as exc:
            refusal(form, exc, default="text")
        else:
            flash(_("Thank you. The operators will look at your report."))
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render(
        "reports/new.html",
        status=status,
        form=form,
        kind=target.kind,
        target_id=target.id,
        kind_label=REPORT_KIND_LABELS[target.kind],
        back=back,
    )

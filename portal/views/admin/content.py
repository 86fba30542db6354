"""Operators: the reports queue (hide, restore, close) and the notices shown on home."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...forms import refusal
from ...forms.admin import REPORT_KIND_LABELS, REPORT_REASON_LABELS, NoticeForm
from ...models import Notice, Report
from ...models.admin import CLOSED, OPEN
from ...rendering import render, sizes
from ...services import NotAllowedError, ServiceError, notices, reports
from .._loads import MEMBER, loads
from .._parts import paged
from ..reports import content_url
from . import act, bp, buttons, listing

# -- reports -----------------------------------------------------------------------------------


@bp.route("/reports", endpoint="reports")
def reports_queue():
    """The open reports, oldest first (``?status=closed``: the closed ones, newest first)."""
    status = CLOSED if request.args.get("status") == CLOSED else OPEN

    def fetch(offset, limit):
        return reports.queue(current_user, status, offset=offset, limit=limit)

    return listing(
        "admin/reports.html",
        fetch,
        queue=status,
        open_total=reports.open_count(current_user),
        kind_labels=REPORT_KIND_LABELS,
        reason_labels=REPORT_REASON_LABELS,
    )


#: The report of the URL, for an operator (``reports.get`` refuses anyone else).
_loads_report = loads("found", reports.get, viewer=MEMBER)


@bp.route("/reports/<int:id>")
@_loads_report
def report(found: Report):
    """One report: what was reported (as it said then), by whom, and what to do about it."""
    return _report_page(found)


def _report_page(found: Report, error: str | None = None, status: int = 200):
    row = reports.content_of(current_user, found)
    excerpt = found.excerpt or ""
    limit = sizes().admin_excerpt
    hidden = reports.is_hidden(current_user, found)
    exists = row is not None or found.kind == "profile"
    actions = []
    if exists and found.kind in reports.HIDEABLE:
        actions.append("restore" if hidden else "hide")
    if found.status == OPEN:
        actions.append("dismiss")
    return render(
        "admin/report.html",
        report=found,
        excerpt=excerpt[:limit] + ("…" if len(excerpt) > limit else ""),
        hidden=hidden,
        exists=exists,
        actions=buttons(*actions),
        content_link=content_url(found.kind, found.target_id, row),
        kind_labels=REPORT_KIND_LABELS,
        reason_labels=REPORT_REASON_LABELS,
        error=error,
        status=status,
    )


def _decide(found: Report, action, done: str):
    return act(found, action, done, _report_page, "admin.report")


@bp.route("/reports/<int:id>/hide", methods=["POST"])
@_loads_report
def hide(found: Report):
    """Hide what the report is about from everyone but its author and operators."""
    return _decide(found, reports.hide, _("It is hidden now."))


@bp.route("/reports/<int:id>/restore", methods=["POST"])
@_loads_report
def restore(found: Report):
    """Show hidden content again."""
    return _decide(found, reports.restore, _("It is shown again."))


@bp.route("/reports/<int:id>/dismiss", methods=["POST"])
@_loads_report
def dismiss(found: Report):
    """Close a report without acting on it."""
    return _decide(found, reports.dismiss, _("The report was closed."))


# -- notices -----------------------------------------------------------------------------------


@bp.route("/notices", endpoint="notices")
def notices_list():
    """Every notice, newest first, with the days each shows."""

    def fetch(offset, limit):
        return notices.all_notices(current_user, offset=offset, limit=limit)

    page = paged(fetch, sizes().admin_page)
    return render(
        "admin/notices.html",
        rows=page.items,
        paging=page.paging,
        active_ids=_active_ids(),
        days={n.id: (notices.first_day(n), notices.last_day(n)) for n in page.items},
    )


def _active_ids() -> set[int]:
    return {n.id for n in notices.active(limit=None)}


def _days(form: NoticeForm) -> dict:
    return {"first": form.starts_on.value, "last": form.ends_on.value}


def _notice_form(form: NoticeForm, notice: Notice | None, error=None):
    status = 400 if request.method == "POST" else 200
    return render("admin/notice_form.html", form=form, notice=notice, error=error, status=status)


def _save(form: NoticeForm, notice: Notice | None, save):
    """Save the posted notice with ``save(operator, title=, body=, first=, last=)``, or show
    the form again (with the service's reason beside its field)."""
    if form.validate_on_submit():
        fields = {"title": form.title.data, "body": form.body.data, **_days(form)}
        try:
            save(current_user, **fields)
        except NotAllowedError:
            raise  # the 403 page (views/errors.py)
        except ServiceError as exc:
            return _notice_form(form, notice, error=refusal(form, exc))
        flash(_("The notice was saved."))
        return redirect(url_for("admin.notices"))
    return _notice_form(form, notice)


@bp.route("/notices/new", methods=["GET", "POST"])
def new_notice():
    """Write a notice."""
    return _save(NoticeForm(), None, notices.create)


@bp.route("/notices/<int:id>/edit", methods=["GET", "POST"])
@loads("notice", notices.get, viewer=MEMBER)
def edit_notice(notice: Notice):
    """Change a notice's text or days."""
    first, last = notices.first_day(notice), notices.last_day(notice)
    form = NoticeForm(
        data={
            "title": notice.title,
            "body": notice.body,
            "starts_on": first.isoformat() if first else "",
            "ends_on": last.isoformat() if last else "",
        }
    )
    return _save(
        form, notice, lambda operator, **fields: notices.update(operator, notice, **fields)
    )


@bp.route("/notices/<int:id>/delete", methods=["GET", "POST"])
@loads("notice", notices.get, viewer=MEMBER)
def delete_notice(notice: Notice):
    """Ask, then delete a notice."""
    if request.method == "GET":
        return render("admin/notice_delete.html", notice=notice)
    notices.delete(current_user, notice)
    flash(_("The notice was deleted."))
    return redirect(url_for("admin.notices"))

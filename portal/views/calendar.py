"""カレンダー: a month of my events, my communities' events, friends' birthdays and my own
schedule entries (``?month=YYYY-MM``, Japanese months). PCs show the month as a grid; phones
list one week at a time (``?week=N``, paged with ``?page=N`` when a week is full)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.community import ScheduleForm, parse_date
from ..keitai.paging import paginate
from ..models import ScheduleEntry
from ..models._time import to_tokyo, tokyo_today
from ..rendering import render, sizes
from ..services import ServiceError
from ..services import calendar as calendar_service
from ._loads import MEMBER, loads
from ._parts import month as month_arg
from ._parts import number

bp = Blueprint("calendar", __name__)


def _month_arg(today: date) -> tuple[int, int]:
    """Return ``?month=YYYY-MM`` as ``(year, month)``: this month for none or another shape, a
    404 for a month that cannot be shown."""
    return month_arg() or (today.year, today.month)


@bp.route("/calendar")
@login_required
def index():
    """Show a month: the whole grid (PC), or one week of it as a list (phones)."""
    today = tokyo_today()
    year, month = _month_arg(today)
    view = calendar_service.month_view(current_user, year, month)
    weeks = len(view.weeks)
    default_week = view.week_of(today)
    week = min(max(request.args.get("week", default_week, type=int) or 1, 1), weeks)
    items = view.in_week(week)
    in_month = [day for day in view.weeks[week - 1] if day.month == month]
    paging = paginate(len(items), number(), sizes().calendar_items)
    return render(
        "calendar/index.html",
        view=view,
        today=today,
        week=week,
        weeks=weeks,
        add_date=today if today in in_month else in_month[0],
        week_items=items[paging.offset : paging.offset + paging.limit],
        paging=paging,
    )


@bp.route("/calendar/new", methods=["GET", "POST"])
@login_required
def new_entry():
    """Add an entry of my own (``?date=YYYY-MM-DD`` fills in the day)."""
    form = ScheduleForm()
    if request.method == "GET":
        try:
            day = parse_date(request.args.get("date")) or tokyo_today()
        except ValueError:
            day = tokyo_today()
        form.date.data = day.isoformat()
    if form.validate_on_submit():
        day = form.date.value
        try:
            calendar_service.add_entry(
                current_user, title=form.title.data, day=day, at=form.time.value
            )
        except ServiceError as exc:
            return render("calendar/new.html", form=form, error=refusal(form, exc), status=400)
        flash(_("The entry was added to your calendar."))
        return redirect(url_for("calendar.index", month=f"{day.year:04d}-{day.month:02d}"))
    status = 400 if request.method == "POST" else 200
    return render("calendar/new.html", form=form, error=None, status=status)


@bp.route("/calendar/entries/<int:id>", methods=["GET", "POST"])
@login_required
@loads("found", calendar_service.entry_of, viewer=MEMBER)
def entry(found: ScheduleEntry):
    """Show one of my entries and, on POST, delete it (nobody else's: a 404)."""
    if request.method == "GET":
        return render("calendar/entry.html", entry=found, local=to_tokyo(found.starts_at))
    local = to_tokyo(found.starts_at)
    calendar_service.delete_entry(current_user, found.id)
    flash(_("The entry was deleted."))
    return redirect(url_for("calendar.index", month=f"{local.year:04d}-{local.month:02d}"))

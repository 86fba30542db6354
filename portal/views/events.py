"""イベント: a community's events, announcing, editing and deleting them, joining and leaving,
and the participant list. Dates and times are entered and shown in Japan.

An event the viewer may not read (members-only community, or its author blocked them) answers
the same 404 as one that does not exist. Its comments have their own routes
(:mod:`portal.views.event_comments`); the event's page shows the latest ones.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms import refusal
from ..forms.community import EventForm
from ..keitai.paging import paginate
from ..models import Community, Event
from ..models._time import from_tokyo, to_tokyo
from ..rendering import render, sizes, text_parts
from ..services import NotAllowedError, ServiceError, communities, events
from ._deletion import ask_deletion
from ._loads import ALONE, loads
from ._parts import number
from .event_comments import recent as recent_comments

bp = Blueprint("events", __name__)


@bp.route("/communities/<int:id>/events")
@login_required
@loads("community", communities.readable)
def list_of(community: Community):
    """List a community's coming events, soonest first (``?past=1``: past ones, latest
    first)."""
    coming = not request.args.get("past")
    size = sizes().events_page
    page = events.page_of(community, current_user.id, number(), size, coming=coming)
    return render(
        "events/list.html",
        community=community,
        rows=page.items,
        paging=page.paging,
        coming=coming,
        can_start=communities.can_start_topics(community, current_user.id),
    )


def _values(form: EventForm) -> dict:
    """Return the event's fields from a validated form (the date and time read in Japan)."""
    day, at = form.date.value, form.time.value
    # both fields are required and validated
    assert day is not None
    assert at is not None
    return {
        "title": form.title.data,
        "body": form.body.data,
        "starts_at": from_tokyo(day, at),
        "place": form.place.data,
        "deadline": form.deadline.value,
        "capacity": form.capacity_value(),
    }


@bp.route("/communities/<int:id>/events/new", methods=["GET", "POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def new(community: Community):
    """Announce an event (who may: as for topics)."""
    communities.require_start(community, current_user)
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = events.create(current_user, community, **_values(form))
        except NotAllowedError:
            raise  # the 403 page (views/errors.py)
        except ServiceError as exc:
            return _form_page(community, form, None, refusal(form, exc), 400)
        flash(_("Your event was posted."))
        return redirect(url_for("events.show", id=event.id))
    return _form_page(community, form, None, None, 400 if request.method == "POST" else 200)


def _form_page(community: Community, form: EventForm, event, error, status: int):
    return render(
        "events/form.html",
        community=community,
        event=event,
        form=form,
        error=error,
        status=status,
    )


@bp.route("/events/<int:id>")
@login_required
@loads("event", events.get_visible)
def show(event: Event):
    """Show an event: when, where, until when, how many, joining or leaving it, and (with the
    last part of its details) the latest comments."""
    return _event_page(event)


def _event_page(event: Event, error=None, status: int = 200):
    me = current_user
    parts = text_parts(event.body)
    part = paginate(len(parts), number("part"), 1)
    return render(
        "events/show.html",
        status=status,
        event=event,
        community=event.community,
        starts=to_tokyo(event.starts_at),
        body_text=parts[part.page - 1],
        part=part,
        joined=events.is_participant(event, me.id),
        is_member=communities.role_of(event.community, me.id) is not None,
        is_open=events.is_open(event),
        can_change=events.can_change(me.id, event),
        error=error,
        thread=recent_comments(event, part.page == part.pages),
    )


@bp.route("/events/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("event", events.get_visible)
def edit(event: Event):
    """Edit an event (its author, the admin and sub-admins)."""
    events.require_change(current_user, event)
    starts = to_tokyo(event.starts_at)
    form = EventForm(
        data={
            "title": event.title,
            "date": starts.date().isoformat(),
            "time": starts.strftime("%H:%M"),
            "place": event.place,
            "deadline": event.deadline.isoformat() if event.deadline else "",
            "capacity": str(event.capacity) if event.capacity is not None else "",
            "body": event.body,
        }
    )
    if form.validate_on_submit():
        try:
            events.update(current_user, event, **_values(form))
        except NotAllowedError:
            raise  # the 403 page (views/errors.py)
        except ServiceError as exc:
            return _form_page(event.community, form, event, refusal(form, exc), 400)
        flash(_("The event was saved."))
        return redirect(url_for("events.show", id=event.id))
    status = 400 if request.method == "POST" else 200
    return _form_page(event.community, form, event, None, status)


@bp.route("/events/<int:id>/delete", methods=["GET", "POST"])
@login_required
@loads("event", events.get_visible)
def delete(event: Event):
    """Ask, then delete an event with its participants and comments (its author, the admin
    and sub-admins)."""
    community_id = event.community_id
    events.require_change(current_user, event)
    if request.method == "GET":
        return ask_deletion(
            event,
            "events.delete",
            label=_("Delete this event"),
            question=_(
                "Delete this event with its participant list and comments? This cannot be undone."
            ),
            back="events.show",
        )
    events.delete(current_user, event)
    flash(_("The event was deleted."))
    return redirect(url_for("events.list_of", id=community_id))


@bp.route("/events/<int:id>/join", methods=["POST"])
@login_required
@loads("event", events.get_visible)
def join(event: Event):
    """Take part in an event, while there is room and the deadline has not passed."""
    return _take_part(event, events.join, _("You joined this event."))


@bp.route("/events/<int:id>/leave", methods=["POST"])
@login_required
@loads("event", events.get_visible)
def leave(event: Event):
    """Give up my place in an event."""
    return _take_part(event, events.leave, _("You no longer take part in this event."))


def _take_part(event: Event, action, done: str):
    """Join or leave (``action``); back on the event's page, which shows a refusal."""
    try:
        action(current_user, event)
    except ServiceError as exc:
        return _event_page(event, error=exc.message, status=400)
    flash(done)
    return redirect(url_for("events.show", id=event.id))


@bp.route("/events/<int:id>/participants")
@login_required
@loads("event", events.get_visible)
def participants(event: Event):
    """List who takes part, first to join first."""
    page = events.participants_page(event, current_user.id, number(), sizes().participants_page)
    return render("events/participants.html", event=event, rows=page.items, paging=page.paging)

"""イベントのコメント: a community event's numbered comments, a page at a time with the form,
posting and deleting them; and the latest ones the event's page shows (as a topic's does).

An event the viewer may not read answers the same 404 as one that does not exist; members of
the community comment. Page sizes are the topic comments' (:class:`portal.rendering.Sizes`):
the pages are built alike.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.event_comments import EventCommentForm
from ..keitai.paging import paginate
from ..models import Event
from ..rendering import render, sizes
from ..services import ServiceError, communities, event_comments, events
from ._community import LAST, number

bp = Blueprint("event_comments", __name__)


def _readable(event_id: int) -> Event:
    event = events.get_visible(event_id, current_user.id)
    if event is None:
        abort(404)
    return event


def recent(event: Event, *, last_part: bool) -> dict:
    """Return the comment part of an event's page: the latest comments (with the last part of
    the body, where the rendering shows any), how many there are, which the viewer may delete,
    and an empty form."""
    me = current_user
    rows = []
    if last_part and sizes().topic_recent_comments:
        rows = event_comments.latest(event, me.id, limit=sizes().topic_recent_comments)
    return {
        "comments": rows,
        "comment_total": event_comments.count(event, me.id),
        "deletable": {c.id for c in rows if event_comments.can_delete(me.id, c, event)},
        "comment_form": EventCommentForm(formdata=None),
    }


@bp.route("/events/<int:id>/comments")
@login_required
def comments(id: int):
    """List an event's comments in number order, a page at a time, with the comment form."""
    return _comments_page(_readable(id))


def _comments_page(
    event: Event,
    *,
    page_number: int | None = None,
    form: EventCommentForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    me = current_user
    paging = paginate(
        event_comments.count(event, me.id), page_number or number(), sizes().topic_comments_page
    )
    rows = event_comments.page(event, me.id, offset=paging.offset, limit=paging.limit)
    return render(
        "events/comments.html",
        status=status,
        event=event,
        community=event.community,
        comments=rows,
        paging=paging,
        deletable={c.id for c in rows if event_comments.can_delete(me.id, c, event)},
        is_member=communities.role_of(event.community, me.id) is not None,
        comment_form=form or EventCommentForm(formdata=None),
        error=error,
    )


@bp.route("/events/<int:id>/comments", methods=["POST"])
@login_required
def comment(id: int):
    """Comment on an event; then show the last page of comments, where the new one is."""
    event = _readable(id)
    form = EventCommentForm()
    if not form.validate_on_submit():
        return _comments_page(event, page_number=LAST, form=form, status=400)
    try:
        added = event_comments.add(current_user, event, form.body.data)
    except ServiceError as exc:
        return _comments_page(event, page_number=LAST, form=form, error=exc.message, status=400)
    flash(_("Your comment was posted."))
    total = event_comments.count(event, current_user.id)
    last = paginate(total, LAST, sizes().topic_comments_page)
    return redirect(
        url_for("event_comments.comments", id=event.id, page=last.page, _anchor=f"c{added.number}")
    )


@bp.route("/events/<int:id>/comments/<int:n>/delete", methods=["GET", "POST"])
@login_required
def delete_comment(id: int, n: int):
    """Ask (GET, for phones), then delete a comment: its author, the event's author, the admin
    and sub-admins may."""
    event = _readable(id)
    found = event_comments.by_number(event, n, current_user.id)
    if found is None:
        abort(404)
    if request.method == "GET":
        event_comments.require_delete(current_user, event, found)
        return render("events/delete_comment.html", event=event, comment=found)
    event_comments.delete(current_user, event, found)
    flash(_("The comment was deleted."))
    return redirect(url_for("event_comments.comments", id=event.id, page=LAST))

"""Comments on community events (イベント): numbered, paged, as topics have them.

Only members of the event's community comment (as on topics); reading follows the event
(:func:`portal.services.events.get_visible`). A comment may be deleted by its author, the
event's author (who runs the event), and the community's admin and sub-admins. Numbers come from
one ``UPDATE events SET last_comment_number = last_comment_number + 1`` (as for topics and
diaries), so two comments at once get 1 and 2, and numbers are never reused.

``Event.comment_count`` counts the comments that are not hidden; lists and pages count what
the viewer may see (hidden comments for their author and operators, nothing by members who
blocked the viewer), as :mod:`portal.services.visibility` decides.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Event, EventComment, Member
from ..models._time import utcnow
from . import ServiceError, events
from .communities import MANAGING, NotAllowedError, role_of
from .topics import COMMENT_MAX
from .visibility import content_visible, is_blocked, not_blocked_clause, visible_content

__all__ = [
    "COMMENT_MAX",
    "add",
    "by_number",
    "can_delete",
    "count",
    "delete",
    "get_visible",
    "latest",
    "page",
    "require_delete",
    "set_hidden",
]


def add(
    member: Member, event: Event, body: str, created_at: datetime | None = None
) -> EventComment:
    """Comment on an event (members of its community).

    :raise ServiceError: for a non-member, or an empty or too long text.
    """
    body = body.strip()
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    if len(body) > COMMENT_MAX:
        raise ServiceError(_l("The text is too long."), "body")
    if role_of(event.community, member.id) is None:
        raise ServiceError(_l("Only members of the community can comment."))
    db.session.execute(
        sql_update(Event)
        .where(Event.id == event.id)
        .values(
            last_comment_number=Event.last_comment_number + 1,
            comment_count=Event.comment_count + 1,
        )
        .execution_options(synchronize_session=False)
    )
    number = db.session.scalar(select(Event.last_comment_number).where(Event.id == event.id))
    comment = EventComment(
        event_id=event.id,
        author_id=member.id,
        number=number,
        body=body,
        created_at=created_at or utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    db.session.expire(event, ["last_comment_number", "comment_count"])
    return comment


def by_number(event: Event, number: int, viewer_id: int | None) -> EventComment | None:
    """Return the event's comment with this number, if it still exists and the viewer may see
    it (a hidden comment, or one by a member who blocked them, is missing: a 404)."""
    stmt = select(EventComment).where(*_where(event, viewer_id), EventComment.number == number)
    return db.session.scalar(stmt)


def get_visible(comment_id: int, viewer_id: int | None) -> EventComment | None:
    """Return the comment if the viewer may read it: its event is readable to them, the
    operators did not hide it (for others than its author) and its author did not block them."""
    comment = db.session.get(EventComment, comment_id)
    if comment is None or events.get_visible(comment.event_id, viewer_id) is None:
        return None
    if not content_visible(comment, viewer_id):
        return None
    if viewer_id is not None and is_blocked(comment.author_id, viewer_id):
        return None
    return comment


def can_delete(member_id: int | None, comment: EventComment, event: Event) -> bool:
    """Return whether the member may delete the comment: its author, the event's author, or a
    manager of the community."""
    if member_id is None:
        return False
    if member_id in (comment.author_id, event.author_id):
        return True
    return role_of(event.community, member_id) in MANAGING


def require_delete(member: Member, event: Event, comment: EventComment) -> None:
    """:raise NotAllowedError: unless the member may delete the comment."""
    if not can_delete(member.id, comment, event):
        raise NotAllowedError(
            _l("Only the author, the event's author, the admin and sub-admins can delete this.")
        )


def delete(member: Member, event: Event, comment: EventComment) -> None:
    """Delete a comment (see :func:`can_delete`). Numbers are not reused.

    :raise NotAllowedError: for anyone else.
    """
    require_delete(member, event, comment)
    db.session.delete(comment)
    if not comment.hidden:  # a hidden comment is not counted any more
        db.session.execute(
            sql_update(Event)
            .where(Event.id == event.id)
            .values(comment_count=Event.comment_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.expire(event, ["comment_count"])


def set_hidden(comment: EventComment, hidden: bool) -> None:
    """Hide a comment (operators, after a report) or show it again; the event's
    ``comment_count`` counts the comments that are not hidden."""
    if comment.hidden == hidden:
        return
    comment.hidden = hidden
    db.session.execute(
        sql_update(Event)
        .where(Event.id == comment.event_id)
        .values(comment_count=Event.comment_count + (-1 if hidden else 1))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def _where(event: Event, viewer_id: int | None):
    return (
        EventComment.event_id == event.id,
        not_blocked_clause(viewer_id, EventComment.author_id),
        visible_content(EventComment, viewer_id),
    )


def count(event: Event, viewer_id: int | None) -> int:
    """Return how many of the event's comments the viewer may see."""
    stmt = select(func.count()).select_from(EventComment).where(*_where(event, viewer_id))
    return db.session.scalar(stmt) or 0


def page(event: Event, viewer_id: int | None, *, offset: int, limit: int) -> list[EventComment]:
    """Return a page of the comments the viewer may see, in number order."""
    stmt = (
        select(EventComment)
        .where(*_where(event, viewer_id))
        .options(joinedload(EventComment.author))
        .order_by(EventComment.number)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def latest(event: Event, viewer_id: int | None, *, limit: int) -> list[EventComment]:
    """Return the last ``limit`` comments the viewer may see, in number order."""
    stmt = (
        select(EventComment)
        .where(*_where(event, viewer_id))
        .options(joinedload(EventComment.author))
        .order_by(EventComment.number.desc())
        .limit(limit)
    )
    return list(reversed(db.session.scalars(stmt).all()))

"""Comments on community events (イベント): numbered, paged, as topics have them.

Only members of the event's community comment (as on topics); reading follows the event
(:func:`portal.services.events.get_visible`). A comment may be deleted by its author, the
event's author (who runs the event), and the community's admin and sub-admins. Numbering,
counting and paging are those of topics (:mod:`.numbered_comments`).

``Event.comment_count`` counts the comments that are not hidden; lists and pages count what
the viewer may see (hidden comments for their author and operators, nothing by members who
blocked the viewer), as :mod:`portal.services.visibility` decides.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Event, EventComment, Member
from . import events
from .communities import MANAGING, NotAllowedError, role_of
from .numbered_comments import COMMENT_MAX, Thread
from .visibility import content_visible, is_blocked

THREAD = Thread(Event, EventComment, "event_id")

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
    return THREAD.add(member, event, body, created_at)


def by_number(event: Event, number: int, viewer_id: int | None) -> EventComment | None:
    """Return the event's comment with this number, if it still exists and the viewer may see
    it (a hidden comment, or one by a member who blocked them, is missing: a 404)."""
    return THREAD.by_number(event, number, viewer_id)


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
    THREAD.delete(event, comment)


def set_hidden(comment: EventComment, hidden: bool) -> None:
    """Hide a comment (operators, after a report) or show it again; the event's
    ``comment_count`` counts the comments that are not hidden."""
    THREAD.set_hidden(comment, hidden)


def count(event: Event, viewer_id: int | None) -> int:
    """Return how many of the event's comments the viewer may see."""
    return THREAD.count(event, viewer_id)


def page(event: Event, viewer_id: int | None, *, offset: int, limit: int) -> list[EventComment]:
    """Return a page of the comments the viewer may see, in number order."""
    return THREAD.page(event, viewer_id, offset=offset, limit=limit)


def latest(event: Event, viewer_id: int | None, *, limit: int) -> list[EventComment]:
    """Return the last ``limit`` comments the viewer may see, in number order."""
    return THREAD.latest(event, viewer_id, limit=limit)

"""Per-member counters that pages show on every request, kept on the member's row rather than
counted per page: unread messages (the menus' ``[*]`` and home), friend requests waiting
(home, the profile) and friends (home: a member's own friend total; another's list hides the
friends who blocked its viewer, so it is counted).

Each is changed in the transaction that changes what it counts, by ``n = n + delta`` in SQL,
so concurrent changes add up on SQLite and PostgreSQL alike; the change that moves a counter is
itself conditional (a message is marked read ``WHERE read_at IS NULL``) or refused when it
finds no row, so two requests never both count the same change. :func:`recount` sets them from
the rows (the migration's backfill, the demo world's bulk load).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from ..extensions import db
from ..models import FriendRequest, Friendship, Member, Message
from ..models.message import INBOX

#: The counters, as columns of ``members``.
UNREAD_MESSAGES = "unread_messages"
PENDING_REQUESTS = "pending_requests"
FRIEND_TOTAL = "friend_total"


def add(member_id: int, counter: str, delta: int) -> None:
    """Add ``delta`` to one member's counter (in the current transaction)."""
    if not delta:
        return
    column = getattr(Member, counter)
    db.session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values({column: column + delta})
        .execution_options(synchronize_session=False)
    )
    key = db.inspect(Member).identity_key_from_primary_key([member_id])
    loaded = db.session.identity_map.get(key)
    if loaded is not None:  # the row changed under it: read again when next asked
        db.session.expire(loaded, [counter])


def unread_clause():
    """The messages :data:`UNREAD_MESSAGES` counts: in the recipient's inbox, not yet read."""
    return (Message.recipient_state == INBOX) & Message.read_at.is_(None)


def recount(member_ids: Iterable[int] | None = None) -> None:
    """Set the counters of ``member_ids`` (default: every member) from the rows they count."""
    unread = (
        select(func.count())
        .select_from(Message)
        .where(Message.recipient_id == Member.id, unread_clause())
        .scalar_subquery()
    )
    pending = (
        select(func.count())
        .select_from(FriendRequest)
        .where(FriendRequest.recipient_id == Member.id)
        .scalar_subquery()
    )
    friends = (
        select(func.count())
        .select_from(Friendship)
        .where(Friendship.member_id == Member.id)
        .scalar_subquery()
    )
    stmt = update(Member).values(
        {UNREAD_MESSAGES: unread, PENDING_REQUESTS: pending, FRIEND_TOTAL: friends}
    )
    if member_ids is not None:
        stmt = stmt.where(Member.id.in_(list(member_ids)))
    db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.expire_all()

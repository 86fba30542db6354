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
    """Set the counters of ``member_ids`` (default: every member) from the rows they count.

    One grouped count per counter, written to the members it finds (``UPDATE ... FROM``),
    after zeroing the others that are not zero: on a bulk-loaded world of 100,000 members a
    correlated count per member row ran for over 17 minutes on PostgreSQL."""
    ids = None if member_ids is None else list(member_ids)
    for column, counted in (
        (UNREAD_MESSAGES, select(Message.recipient_id.label("member_id")).where(unread_clause())),
        (PENDING_REQUESTS, select(FriendRequest.recipient_id.label("member_id"))),
        (FRIEND_TOTAL, select(Friendship.member_id.label("member_id"))),
    ):
        grouped = counted.add_columns(func.count().label("n")).group_by("member_id").subquery()
        zero = update(Member).where(getattr(Member, column) != 0).values({column: 0})
        found = update(Member).where(Member.id == grouped.c.member_id).values({column: grouped.c.n})
        if ids is not None:
            zero, found = zero.where(Member.id.in_(ids)), found.where(Member.id.in_(ids))
        for stmt in (zero, found):
            db.session.execute(stmt.execution_options(synchronize_session=False))
    db.session.expire_all()

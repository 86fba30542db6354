"""Per-member counters that pages show on every request, kept on the member's row rather than
counted per page: unread messages (the menus' ``[*]`` and home), friend requests waiting
(home, the profile), friends (home: a member's own friend total; another's list hides the
friends who blocked its viewer, so it is counted) and new footprints (home: kept by
:mod:`.footprints`, see :func:`new_footprint_clause`).

Each is changed in the transaction that changes what it counts, by ``n = n + delta`` in SQL,
so concurrent changes add up on SQLite and PostgreSQL alike; the change that moves a counter is
itself conditional (a message is marked read ``WHERE read_at IS NULL``) or refused when it
finds no row, so two requests never both count the same change. :func:`recount` sets them from
the rows (the migration's backfill, the demo world's bulk load).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Block, Footprint, FriendRequest, Friendship, Member, Message
from ..models.message import INBOX

#: The counters, as columns of ``members``.
UNREAD_MESSAGES = "unread_messages"
PENDING_REQUESTS = "pending_requests"
FRIEND_TOTAL = "friend_total"
NEW_FOOTPRINTS = "new_footprints"


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
    changed(member_id, counter)


def changed(member_id: int, *columns: str) -> None:
    """Say that an UPDATE changed these columns of a member's row behind the session's back:
    a loaded member reads them again when next asked."""
    key = db.inspect(Member).identity_key_from_primary_key([member_id])
    loaded = db.session.identity_map.get(key)
    if loaded is not None:
        db.session.expire(loaded, list(columns))


def unread_clause():
    """The messages :data:`UNREAD_MESSAGES` counts: in the recipient's inbox, not yet read."""
    return (Message.recipient_state == INBOX) & Message.read_at.is_(None)


def new_footprint_clause(seen_at=Member.footprints_seen_at):
    """The footprints :data:`NEW_FOOTPRINTS` counts: left since the visited member last opened
    the list (``seen_at``: the visited member's ``footprints_seen_at``), by a member neither of
    them blocked. Unlike the list, the counter knows no window of days: the home counts instead
    when the oldest of them may have aged out (``footprints.known_new_count``)."""
    return and_(or_(seen_at.is_(None), Footprint.visited_at > seen_at), unblocked_footprint())


def unblocked_footprint():
    """A SQL condition: neither side of the footprint blocked the other."""
    return and_(
        ~exists().where(
            Block.blocker_id == Footprint.visited_id, Block.blocked_id == Footprint.visitor_id
        ),
        ~exists().where(
            Block.blocker_id == Footprint.visitor_id, Block.blocked_id == Footprint.visited_id
        ),
    )


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
    _recount_new_footprints(ids)
    db.session.expire_all()


def _recount_new_footprints(ids: list[int] | None) -> None:
    """Set :data:`NEW_FOOTPRINTS` and the time no later than the oldest of them (here: the
    oldest) from one grouped count, as :func:`recount` does."""
    visited = aliased(Member)
    grouped = (
        select(
            Footprint.visited_id.label("member_id"),
            func.count().label("n"),
            func.min(Footprint.visited_at).label("since"),
        )
        .join(visited, visited.id == Footprint.visited_id)
        .where(new_footprint_clause(visited.footprints_seen_at))
        .group_by(Footprint.visited_id)
        .subquery()
    )
    zero = (
        update(Member)
        .where(or_(Member.new_footprints != 0, Member.new_footprints_since.is_not(None)))
        .values(new_footprints=0, new_footprints_since=None)
    )
    found = (
        update(Member)
        .where(Member.id == grouped.c.member_id)
        .values(new_footprints=grouped.c.n, new_footprints_since=grouped.c.since)
    )
    if ids is not None:
        zero, found = zero.where(Member.id.in_(ids)), found.where(Member.id.in_(ids))
    for stmt in (zero, found):
        db.session.execute(stmt.execution_options(synchronize_session=False))

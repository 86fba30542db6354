"""足あと: who visited a member's profile or diary, one row per visitor per day.

Recording is two statements and no read: an upsert that leaves the row alone when the same
visitor came less than :data:`REPEAT_WINDOW` ago, and the visited member's ``new_footprints``
counter (:mod:`.counters`) moved in the same transaction when the footprint became new. Pages
that read the visited member anyway ask :func:`recent_clause` in that same query, and skip the
upsert for a repeat: a popular profile visited constantly then takes no write lock at all.

During a request the upsert runs after the request's commit, in a transaction of its own
(:func:`flush`, called by :mod:`portal.transactions`): on SQLite the write lock is then held
for one statement, not for the rendering of the page, so readers-turned-writers do not queue
behind each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from flask import current_app, g, has_request_context
from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..keitai.paging import Page
from ..models import Block, Footprint, Member
from ..models._time import TOKYO, utcnow
from . import counters
from ._sql import dialect_insert
from .limits import limits_for
from .listing import page_of_result
from .visibility import blockers_of, is_blocked

#: A visit this soon after the last one by the same visitor leaves no new trace.
REPEAT_WINDOW = timedelta(minutes=5)


def tokyo_day(moment: datetime) -> date:
    """Return the Japanese calendar day of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(TOKYO).date()


def record_visit(
    visitor: Member | Visitor | None,
    visited_id: int,
    now: datetime | None = None,
    *,
    unblocked: bool = False,
    recent: bool = False,
) -> bool:
    """Leave ``visitor``'s footprint on ``visited_id``; return whether one may have been written.

    None for visitors who are not logged in, for oneself, for members who stopped leaving
    footprints, and for members the visited one blocked (silently). In a request the write
    waits for the request's commit (:func:`flush`); outside one it is made at once.

    :param unblocked: the caller already knows the visited member did not block the visitor
        (they read something of theirs under the visibility policy): no lookup is made.
    :param recent: the caller found (:func:`recent_clause`) a footprint of this visitor newer
        than :data:`REPEAT_WINDOW`, which the upsert would leave alone: nothing is written.
    """
    if visitor is None or visitor.id == visited_id or not visitor.leaves_footprints:
        return False
    if recent:
        return False
    if not unblocked and is_blocked(visited_id, visitor.id):
        return False
    now = now or utcnow()
    if has_request_context():
        g.setdefault("footprints", []).append((visited_id, visitor.id, now))
    else:
        _write(visited_id, visitor.id, now)
    return True


@dataclass(frozen=True)
class Visitor:
    """Who leaves a footprint, as a page kept in the page cache remembers them: a copy is
    served without loading the member's row."""

    id: int
    leaves_footprints: bool

    @classmethod
    def of(cls, member: Member) -> Visitor:
        return cls(member.id, member.leaves_footprints)


def revisit(
    visitor: Visitor,
    visited_id: int,
    now: datetime | None = None,
    *,
    last_visit: Callable[[Callable[[], datetime | None]], datetime | None] | None = None,
) -> bool:
    """Leave ``visitor``'s footprint on a page served from the page cache (its view did not
    run): the time of today's footprint is read, and the upsert runs only when it is not
    recent. The copy was made for this viewer under the current content version, so the
    visited member has not blocked them since, and ``visitor`` is as it was then. Return
    whether one may have been written.

    :param last_visit: given the read, returns its answer (the page cache keeps it while no
        row changes, a footprint written included: the next copies then read nothing).
    """
    if visitor.id == visited_id or not visitor.leaves_footprints:
        return False
    now = now or utcnow()

    def read() -> datetime | None:
        return db.session.scalar(
            select(Footprint.visited_at).where(
                Footprint.visited_id == visited_id,
                Footprint.visitor_id == visitor.id,
                Footprint.day == tokyo_day(now),
            )
        )

    visited_at = last_visit(read) if last_visit is not None else read()
    recent = (
        visited_at is not None
        and tokyo_day(visited_at) == tokyo_day(now)
        and visited_at >= now - REPEAT_WINDOW
    )
    return record_visit(visitor, visited_id, now, unblocked=True, recent=recent)


def _write(visited_id: int, visitor_id: int, now: datetime) -> None:
    """Leave the footprint and keep the visited member's counter, in the current transaction.

    The first statement inserts today's row, or refreshes it when the visited member had seen
    it already (it becomes new again); it answers a row only then, and the counter goes up
    (unless the visited member opened the list since ``now`` or either side blocked).
    Otherwise today's row was new already (the counter has it) or is recent: the second
    statement refreshes it unless recent. Each is conditional on the row as it is when written
    (the upsert waits for a concurrent one), so two requests never both count one footprint.
    """
    upsert, refresh, count = _statements(db.session.get_bind().dialect.name)
    params = {
        "visited": visited_id,
        "visitor": visitor_id,
        "on_day": tokyo_day(now),
        "now": now,
        "stale": now - REPEAT_WINDOW,
    }
    if db.session.execute(upsert, params).first() is None:
        db.session.execute(refresh, params)
        return
    db.session.execute(count, params)
    counters.changed(visited_id, counters.NEW_FOOTPRINTS, "new_footprints_since")


@cache
def _statements(dialect: str) -> tuple:
    """The three statements of :func:`_write`, made once per dialect (``dialect`` keys the
    cache: :func:`dialect_insert` reads the session's): building an upsert costs more CPU than
    running it."""
    visited, visitor = bindparam("visited", type_=Integer), bindparam("visitor", type_=Integer)
    day, now = bindparam("on_day", type_=Date), bindparam("now", type_=DateTime)
    stale = Footprint.visited_at < bindparam("stale", type_=DateTime)
    seen = select(Member.footprints_seen_at).where(Member.id == visited).scalar_subquery()
    stmt = dialect_insert(Footprint).values(
        visited_id=visited, visitor_id=visitor, day=day, visited_at=now
    )
    upsert = stmt.on_conflict_do_update(
        index_elements=["visited_id", "visitor_id", "day"],
        set_={"visited_at": now},
        where=and_(stale, Footprint.visited_at <= seen),
    ).returning(Footprint.visited_at)
    refresh = (
        update(Footprint)
        .where(
            Footprint.visited_id == visited,
            Footprint.visitor_id == visitor,
            Footprint.day == day,
            stale,
        )
        .values(visited_at=now)
        .execution_options(synchronize_session=False)
    )
    count = (
        update(Member)
        .where(
            Member.id == visited,
            or_(Member.footprints_seen_at.is_(None), Member.footprints_seen_at < now),
            ~exists().where(Block.blocker_id == visited, Block.blocked_id == visitor),
            ~exists().where(Block.blocker_id == visitor, Block.blocked_id == visited),
        )
        .values(
            new_footprints=Member.new_footprints + 1,
            new_footprints_since=func.coalesce(Member.new_footprints_since, now),
        )
        .execution_options(synchronize_session=False)
    )
    return upsert, refresh, count


def recent_clause(visited_col, visitor_id: int | None, now: datetime | None = None):
    """Return a SQL condition for a page's own query: ``visitor_id`` left a footprint on the
    member in ``visited_col`` less than :data:`REPEAT_WINDOW` ago (so a new visit writes
    nothing; pass the answer to :func:`record_visit` as ``recent``)."""
    if visitor_id is None:
        return false()
    now = now or utcnow()
    return exists().where(
        Footprint.visited_id == visited_col,
        Footprint.visitor_id == visitor_id,
        Footprint.day == tokyo_day(now),
        Footprint.visited_at >= now - REPEAT_WINDOW,
    )


def flush() -> int:
    """Write the request's footprints, after its commit, in a transaction of their own; return
    how many were sent. A footprint that cannot be written (the database is busy beyond its
    timeout, the visited member was deleted meanwhile) is logged and dropped: the page the
    member asked for was already made."""
    pending = g.pop("footprints", [])
    if not pending:
        return 0
    try:
        for visited_id, visitor_id, now in pending:
            _write(visited_id, visitor_id, now)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.warning("footprints not written: %r", pending, exc_info=True)
        return 0
    return len(pending)


def pending() -> bool:
    """Return whether this request holds footprints to send after its commit."""
    return bool(g.get("footprints"))


def discard() -> None:
    """Forget the request's footprints (its work was rolled back: an error page)."""
    g.pop("footprints", None)


@dataclass
class FootprintPage:
    """One page of a member's footprint list."""

    rows: list[Footprint]
    total: int
    days: int


def _window(owner: Member, now: datetime):
    since = now - timedelta(days=limits_for(owner).footprint_days)
    return and_(
        Footprint.visited_id == owner.id,
        Footprint.visited_at >= since,
        Footprint.visitor_id.not_in(select(Block.blocked_id).where(Block.blocker_id == owner.id)),
        # and not those who blocked the owner since: their name would lead to a telling 404
        Footprint.visitor_id.not_in(blockers_of(owner.id)),
    )


def footprints_of(
    owner: Member, *, offset: int, limit: int, now: datetime | None = None
) -> FootprintPage | None:
    """Return a page of ``owner``'s footprints, newest first; ``None`` if the owner opted out."""
    if not owner.leaves_footprints:
        return None
    return _footprints(owner, offset=offset, limit=limit, now=now)


def _footprints(
    owner: Member, *, offset: int, limit: int, now: datetime | None = None
) -> FootprintPage:
    now = now or utcnow()
    where = _window(owner, now)
    total = db.session.scalar(select(func.count()).select_from(Footprint).where(where)) or 0
    stmt = (
        select(Footprint)
        .where(where)
        .options(joinedload(Footprint.visitor))
        .order_by(Footprint.visited_at.desc())
        .offset(offset)
        .limit(limit)
    )
    return FootprintPage(list(db.session.scalars(stmt)), total, limits_for(owner).footprint_days)


def page_of(owner: Member, number: int, per_page: int) -> tuple[FootprintPage, Page] | None:
    """Return page ``number`` of ``owner``'s footprints (a page past the end gives the last)
    and where it stands; ``None`` if the owner opted out."""
    if not owner.leaves_footprints:
        return None
    return page_of_result(
        number, per_page, lambda offset, limit: _footprints(owner, offset=offset, limit=limit)
    )


def mark_seen(owner: Member, now: datetime | None = None) -> None:
    """Remember that ``owner`` looked at the list (the home page's "new" count restarts).

    One UPDATE, at once: the counter keeps only the footprints written after ``now`` by
    requests that committed meanwhile (none, nearly always: an indexed range read)."""
    now = now or utcnow()
    later = and_(
        Footprint.visited_id == owner.id,
        Footprint.visited_at > now,
        counters.unblocked_footprint(),
    )
    n = select(func.count()).select_from(Footprint).where(later).scalar_subquery()
    since = select(func.min(Footprint.visited_at)).where(later).scalar_subquery()
    values = {"footprints_seen_at": now, "new_footprints": n, "new_footprints_since": since}
    db.session.execute(
        update(Member)
        .where(Member.id == owner.id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    counters.changed(owner.id, *values)


def known_new_count(owner: Member, now: datetime | None = None) -> int | None:
    """Return how many footprints arrived since ``owner`` last looked, when the member's row
    says it (0 if opted out; else the counter, unless the oldest of them may be older than the
    list's window of days); ``None`` when it must be counted (:func:`new_count_query`)."""
    if not owner.leaves_footprints:
        return 0
    since = owner.new_footprints_since
    if since is not None and since < (now or utcnow()) - timedelta(
        days=limits_for(owner).footprint_days
    ):
        return None
    return owner.new_footprints


def new_count(owner: Member, now: datetime | None = None) -> int:
    """Return how many footprints arrived since ``owner`` last looked (0 if opted out)."""
    known = known_new_count(owner, now)
    if known is not None:
        return known
    return db.session.scalar(new_count_query(owner, now)) or 0


def new_count_query(owner: Member, now: datetime | None = None):
    """The ``select(count)`` of the footprints of :func:`new_count`, within the list's window
    (for a member who opted in: else it is 0)."""
    where = _window(owner, now or utcnow())
    if owner.footprints_seen_at is not None:
        where = and_(where, Footprint.visited_at > owner.footprints_seen_at)
    return select(func.count()).select_from(Footprint).where(where)


def set_leaves_footprints(member: Member, enabled: bool) -> None:
    """Choose whether ``member`` leaves footprints.

    Footprints go both ways: a member who stops leaving them also stops seeing their own list
    (:func:`footprints_of` returns ``None``); their recorded visitors are kept and show again
    when the member turns footprints back on.
    """
    member.leaves_footprints = enabled


def _between(a: int, b: int):
    """The counted footprints of ``b`` on ``a``, as a correlated count and oldest time for
    ``a``'s row in an UPDATE of members."""
    where = and_(
        Footprint.visited_id == a,
        Footprint.visitor_id == b,
        or_(Member.footprints_seen_at.is_(None), Footprint.visited_at > Member.footprints_seen_at),
    )
    n = select(func.count()).select_from(Footprint).where(where).scalar_subquery()
    oldest = select(func.min(Footprint.visited_at)).where(where).scalar_subquery()
    return n, oldest


def uncount_between(member_id: int, other_id: int) -> None:
    """Take the footprints the two left on each other off their counters: a block between
    them is about to start (none was there). In the block's transaction."""
    for a, b in ((member_id, other_id), (other_id, member_id)):
        n, _ = _between(a, b)
        left = Member.new_footprints - n
        _update(
            a,
            new_footprints=left,
            new_footprints_since=case((left <= 0, None), else_=Member.new_footprints_since),
        )


def count_between(member_id: int, other_id: int) -> None:
    """Put the footprints the two left on each other back on their counters: the last block
    between them ended. In the unblock's transaction."""
    for a, b in ((member_id, other_id), (other_id, member_id)):
        n, oldest = _between(a, b)
        since = Member.new_footprints_since
        _update(
            a,
            new_footprints=Member.new_footprints + n,
            new_footprints_since=case(
                (oldest.is_(None), since), (since.is_(None) | (oldest < since), oldest), else_=since
            ),
        )


def _update(member_id: int, **values) -> None:
    db.session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    counters.changed(member_id, *values)


def uncount_visitor(visitor_id: int) -> None:
    """Take a leaving member's footprints off the counters of the members they visited (one
    grouped UPDATE), before those footprints are deleted in the same transaction."""
    visited = aliased(Member)
    grouped = (
        select(Footprint.visited_id.label("member_id"), func.count().label("n"))
        .join(visited, visited.id == Footprint.visited_id)
        .where(
            Footprint.visitor_id == visitor_id,
            Footprint.visited_id != visitor_id,
            counters.new_footprint_clause(visited.footprints_seen_at),
        )
        .group_by(Footprint.visited_id)
        .subquery()
    )
    left = Member.new_footprints - grouped.c.n
    db.session.execute(
        update(Member)
        .where(Member.id == grouped.c.member_id)
        .values(
            new_footprints=left,
            new_footprints_since=case((left <= 0, None), else_=Member.new_footprints_since),
        )
        .execution_options(synchronize_session=False)
    )
    for loaded in list(db.session.identity_map.values()):
        if isinstance(loaded, Member):
            db.session.expire(loaded, [counters.NEW_FOOTPRINTS, "new_footprints_since"])

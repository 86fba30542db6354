"""足あと: who visited a member's profile or diary, one row per visitor per day.

Recording is one statement and no read: an upsert that leaves the row alone when the same
visitor came less than :data:`REPEAT_WINDOW` ago, so a popular profile visited constantly costs
one index probe per visit and no write for repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Block, Footprint, Member
from ..models._time import TOKYO, utcnow
from ._sql import dialect_insert
from .limits import limits_for
from .visibility import blockers_of, is_blocked

#: A visit this soon after the last one by the same visitor leaves no new trace.
REPEAT_WINDOW = timedelta(minutes=5)


def tokyo_day(moment: datetime) -> date:
    """Return the Japanese calendar day of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(TOKYO).date()


def record_visit(visitor: Member | None, visited_id: int, now: datetime | None = None) -> bool:
    """Leave ``visitor``'s footprint on ``visited_id``; return whether one may have been written.

    None for visitors who are not logged in, for oneself, for members who stopped leaving
    footprints, and for members the visited one blocked (silently).
    """
    if visitor is None or visitor.id == visited_id or not visitor.leaves_footprints:
        return False
    if is_blocked(visited_id, visitor.id):
        return False
    now = now or utcnow()
    stmt = dialect_insert(Footprint).values(
        visited_id=visited_id, visitor_id=visitor.id, day=tokyo_day(now), visited_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["visited_id", "visitor_id", "day"],
        set_={"visited_at": stmt.excluded.visited_at},
        where=Footprint.visited_at < now - REPEAT_WINDOW,
    )
    db.session.execute(stmt)
    return True


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


def mark_seen(owner: Member, now: datetime | None = None) -> None:
    """Remember that ``owner`` looked at the list (the home page's "new" count restarts)."""
    owner.footprints_seen_at = now or utcnow()


def new_count(owner: Member, now: datetime | None = None) -> int:
    """Return how many footprints arrived since ``owner`` last looked (0 if opted out)."""
    if not owner.leaves_footprints:
        return 0
    where = _window(owner, now or utcnow())
    if owner.footprints_seen_at is not None:
        where = and_(where, Footprint.visited_at > owner.footprints_seen_at)
    return db.session.scalar(select(func.count()).select_from(Footprint).where(where)) or 0


def set_leaves_footprints(member: Member, enabled: bool) -> None:
    """Choose whether ``member`` leaves footprints.

    Footprints go both ways: a member who stops leaving them also stops seeing their own list
    (:func:`footprints_of` returns ``None``); their recorded visitors are kept and show again
    when the member turns footprints back on.
    """
    member.leaves_footprints = enabled

"""お気に入り (favourites): a one-way follow of a member, without approval, as in Mixi.

Favouriting is invisible to the favourite: nothing is sent, and no page, list or count of
theirs shows who favourited them. A member who blocked the viewer drops out of the viewer's
favourites (as from every member list), and their diaries with them; favouriting someone who
blocked me, or whom I blocked, is refused in the same words as a missing member would be.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Diary, Favorite, Member
from ..models._time import utcnow
from . import ServiceError
from .diaries import visible_diaries
from .listing import Listing, listing
from .visibility import is_blocked, not_blocked_clause

#: Favourites a member may keep (Mixi allowed a few hundred).
MAX_FAVORITES = 500


def add(member: Member, other: Member) -> None:
    """Make ``other`` one of ``member``'s favourites (again: nothing changes).

    :raise ServiceError: for oneself, a member blocking either way, or too many favourites.
    """
    if member.id == other.id:
        raise ServiceError(_l("You cannot add yourself to your favourites."))
    if is_blocked(other.id, member.id) or is_blocked(member.id, other.id):
        raise ServiceError(_l("This member cannot be added to your favourites."))
    if is_favorite(member.id, other.id):
        return
    if count(member) >= MAX_FAVORITES:
        raise ServiceError(_l("You have the most favourites allowed. Remove one first."))
    db.session.add(Favorite(member_id=member.id, favorite_id=other.id))
    db.session.flush()


def remove(member: Member, other_id: int) -> None:
    """Remove a member from ``member``'s favourites (nothing happens when they are not one)."""
    db.session.execute(
        delete(Favorite).where(Favorite.member_id == member.id, Favorite.favorite_id == other_id)
    )


def is_favorite(member_id: int, other_id: int) -> bool:
    """Return whether ``other_id`` is one of ``member_id``'s favourites."""
    return db.session.get(Favorite, (member_id, other_id)) is not None


def _listed(member: Member):
    return (
        Favorite.member_id == member.id,
        not_blocked_clause(member.id, Favorite.favorite_id),
    )


def favorites_of(member: Member, *, offset: int = 0, limit: int | None = None) -> list[Member]:
    """Return ``member``'s favourites, the latest added first (a page of them)."""
    stmt = (
        select(Member)
        .join(Favorite, Favorite.favorite_id == Member.id)
        .where(*_listed(member))
        .order_by(Favorite.created_at.desc(), Member.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def count(member: Member) -> int:
    """Return how many favourites ``member`` has (as :func:`favorites_of` lists them)."""
    stmt = select(func.count()).select_from(Favorite).where(*_listed(member))
    return db.session.scalar(stmt) or 0


def page_of(member: Member, number: object, per_page: int) -> Listing[Member]:
    """Return page ``number`` of ``member``'s favourites, the latest added first."""
    return listing(count(member), number, per_page, partial(favorites_of, member))


def newest_diaries(member: Member, limit: int, *, offset: int = 0, days: int = 30) -> list[Diary]:
    """Return the newest diaries of ``member``'s favourites that ``member`` may read (their
    visibility, blocks and hiding as everywhere), newest first."""
    stmt = newest_diaries_query(member, limit, offset=offset, days=days)
    return list(db.session.scalars(stmt.options(joinedload(Diary.author))))


def newest_diaries_query(member: Member, limit: int, *, offset: int = 0, days: int = 30):
    """The ``select(Diary)`` of :func:`newest_diaries`, newest first (home's feed)."""
    favorite_ids = select(Favorite.favorite_id).where(Favorite.member_id == member.id)
    return (
        visible_diaries(member.id)
        .where(Diary.author_id.in_(favorite_ids), Diary.created_at >= utcnow() - timedelta(days))
        .order_by(Diary.created_at.desc(), Diary.id.desc())
        .offset(offset)
        .limit(limit)
    )

"""Friends (マイミク): the friend graph and friend lists with their counts."""

from __future__ import annotations

from functools import partial

from sqlalchemy import extract, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Friendship, Member, Profile
from ..models.profile import FIELD_DEFAULTS
from . import counters
from .listing import Listing, listing
from .visibility import not_blocked_clause, visible_clause

#: The friendships of each listed friend, for their counts (made once: aliases are costly).
_THEIRS = aliased(Friendship, name="their_friendships")


def befriend(a: Member, b: Member) -> None:
    """Make ``a`` and ``b`` friends (both directed rows, both friend totals); a no-op if they
    already are. Two requests making the same friendship at once: the second one's rows break
    the key, and its transaction (counters with it) is rolled back."""
    if a.id == b.id or are_friends(a.id, b.id):
        return
    db.session.add_all(
        [Friendship(member_id=a.id, friend_id=b.id), Friendship(member_id=b.id, friend_id=a.id)]
    )
    db.session.flush()
    for member in (a, b):
        counters.add(member.id, counters.FRIEND_TOTAL, 1)


def are_friends(a_id: int, b_id: int) -> bool:
    """Return whether the two members are friends."""
    return db.session.get(Friendship, (a_id, b_id)) is not None


def _friends_where(member_id: int, viewer_id: int | None):
    """A member's friendships, without the friends who blocked the viewer (issue 12, item 10:
    a blocked member never meets the blocker in a list, whose link would be a telling 404)."""
    return (
        Friendship.member_id == member_id,
        not_blocked_clause(viewer_id, Friendship.friend_id),
    )


def friend_count(member_id: int, viewer_id: int | None = None) -> int:
    """Return how many friends a member has (as ``viewer_id`` sees the list)."""
    stmt = select(func.count()).select_from(Friendship).where(*_friends_where(member_id, viewer_id))
    return db.session.scalar(stmt) or 0


def friends_with_counts(
    member_id: int, *, viewer_id: int | None = None, limit: int | None = None, offset: int = 0
) -> list[tuple[Member, int]]:
    """Return a member's friends as ``viewer_id`` may see them (not those who blocked the
    viewer), newest friendships first, each with its own friend count.

    One query: each count is a correlated subquery over the primary-key index, computed only
    for the rows returned.
    """
    theirs = _THEIRS
    count = (
        select(func.count())
        .select_from(theirs)
        .where(theirs.member_id == Member.id)
        .correlate(Member)
        .scalar_subquery()
    )
    stmt = (
        select(Member, count)
        .join(Friendship, Friendship.friend_id == Member.id)
        .where(*_friends_where(member_id, viewer_id))
        .order_by(Friendship.created_at.desc(), Member.id.desc())
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(member, n) for member, n in db.session.execute(stmt)]


def friends_page(
    member_id: int, viewer_id: int | None, number: object, per_page: int
) -> Listing[tuple[Member, int]]:
    """Return page ``number`` of :func:`friends_with_counts`."""
    fetch = partial(friends_with_counts, member_id, viewer_id=viewer_id)
    return listing(friend_count(member_id, viewer_id), number, per_page, fetch)


def birth_month_day():
    """A member's birthday as ``(month, day)``, to compare with the days of any year."""
    return tuple_(extract("month", Member.birth_date), extract("day", Member.birth_date))


def showing_birthday(member: Member, *born) -> list[Member]:
    """Return ``member``'s friends who show ``member`` their birthday and were born as any of
    ``born`` says (conditions on ``Member.birth_date``)."""
    visibility = func.coalesce(Profile.birthday_visibility, FIELD_DEFAULTS["birthday"])
    stmt = (
        select(Member)
        .join(Friendship, Friendship.friend_id == Member.id)
        .outerjoin(Profile, Profile.member_id == Member.id)
        .where(
            Friendship.member_id == member.id,
            or_(*born),
            visible_clause(member.id, Member.id, visibility),
        )
    )
    return list(db.session.scalars(stmt))

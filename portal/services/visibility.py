"""The one visibility policy: what a viewer may see of a member's things.

Every page, list, count, feed and search decides visibility here, in one of two forms:

* :func:`relation` + :func:`allows` for one owner (a profile, a diary page);
* :func:`visible_clause` for SQL over many owners (lists, counts, searches), so nothing is
  fetched and filtered in Python, and counts agree with lists.

Content the operators hid after a report (a ``hidden`` flag on diaries, comments, topics,
reviews and profiles' self-introductions) is for its author and operators only:
:func:`visible_content` (SQL) and :func:`content_visible` (one row) add that to every query.

Relations, from closest: ``self``, ``friend``, ``fof`` (friend of a friend), ``member``,
``visitor`` (not logged in) and ``blocked`` (the owner blocked the viewer: sees nothing, and is
not told). Visibility levels: ``public`` (everyone), ``fof``, ``friends``, ``private`` (only me).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..models import Block, Friendship, Member, Profile
from ..models.profile import FOF, FRIENDS, PRIVATE, PUBLIC

SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR, BLOCKED = (
    "self",
    "friend",
    "fof",
    "member",
    "visitor",
    "blocked",
)
RELATIONS = (SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR, BLOCKED)

#: Which relations each visibility level admits.
ADMITS = {
    PUBLIC: frozenset({SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR}),
    FOF: frozenset({SELF, FRIEND, FRIEND_OF_FRIEND}),
    FRIENDS: frozenset({SELF, FRIEND}),
    PRIVATE: frozenset({SELF}),
}


#: Two views of the friendships table for "friend of a friend" joins, made once (building an
#: alias costs more than the query it serves).
_MINE = aliased(Friendship, name="mine")
_THEIRS = aliased(Friendship, name="theirs")


def allows(visibility: str, relation_: str) -> bool:
    """Return whether a thing with ``visibility`` may be seen by a viewer in ``relation_``."""
    return relation_ in ADMITS.get(visibility, ADMITS[PRIVATE])


def is_blocked(owner_id: int, viewer_id: int) -> bool:
    """Return whether ``owner_id`` blocked ``viewer_id``."""
    return db.session.get(Block, (owner_id, viewer_id)) is not None


def relation(viewer_id: int | None, owner_id: int) -> str:
    """Return how the viewer stands to the owner (at most three indexed lookups).

    :param viewer_id: the viewing member, or ``None`` for a visitor.
    """
    if viewer_id is None:
        return VISITOR
    if viewer_id == owner_id:
        return SELF
    if is_blocked(owner_id, viewer_id):
        return BLOCKED
    if db.session.get(Friendship, (viewer_id, owner_id)) is not None:
        return FRIEND
    mine, theirs = _MINE, _THEIRS
    via = (
        select(mine.member_id)
        .join(theirs, theirs.member_id == mine.friend_id)
        .where(mine.member_id == viewer_id, theirs.friend_id == owner_id)
    )
    if db.session.scalar(select(exists(via))):
        return FRIEND_OF_FRIEND
    return MEMBER


def can_see(viewer_id: int | None, owner_id: int, visibility: str) -> bool:
    """Return whether the viewer may see one thing of the owner's with ``visibility``."""
    return allows(visibility, relation(viewer_id, owner_id))


def friend_ids(viewer_id: int):
    """Return a subquery of the viewer's friends' ids."""
    return select(Friendship.friend_id).where(Friendship.member_id == viewer_id)


def fof_ids(viewer_id: int):
    """Return a subquery of the ids of the viewer's friends' friends (friends included)."""
    mine, theirs = _MINE, _THEIRS
    return (
        select(theirs.friend_id)
        .join(mine, mine.friend_id == theirs.member_id)
        .where(mine.member_id == viewer_id)
    )


def blockers_of(viewer_id: int):
    """Return a subquery of the members who blocked the viewer."""
    return select(Block.blocker_id).where(Block.blocked_id == viewer_id)


def visible_clause(viewer_id: int | None, owner_col, visibility_col) -> ColumnElement[bool]:
    """Return a SQL condition: the viewer may see the row owned by ``owner_col``.

    :param viewer_id: the viewing member, or ``None`` for a visitor.
    :param owner_col: the column holding the owner's member id.
    :param visibility_col: the column holding the row's visibility level, or a constant.
    """
    if viewer_id is None:
        return visibility_col == PUBLIC
    return and_(
        owner_col.not_in(blockers_of(viewer_id)),
        or_(
            owner_col == viewer_id,
            visibility_col == PUBLIC,
            and_(visibility_col.in_((FRIENDS, FOF)), owner_col.in_(friend_ids(viewer_id))),
            and_(visibility_col == FOF, owner_col.in_(fof_ids(viewer_id))),
        ),
    )


def not_blocked_clause(viewer_id: int | None, owner_col) -> ColumnElement[bool]:
    """Return a SQL condition hiding rows of owners who blocked the viewer (member lists)."""
    if viewer_id is None:
        return true()
    return owner_col.not_in(blockers_of(viewer_id))


def is_operator(viewer_id: int | None) -> bool:
    """Return whether the viewer is an operator (the logged-in member is already loaded)."""
    if viewer_id is None:
        return False
    member = db.session.get(Member, viewer_id)
    return bool(member is not None and member.is_operator)


def _author_of(model):
    """Return the column holding the member who wrote rows of ``model``."""
    return model.member_id if model is Profile else model.author_id


def visible_content(model, viewer_id: int | None) -> ColumnElement[bool]:
    """Return a SQL condition: the row of ``model`` (a model with a ``hidden`` flag) is not
    hidden by the operators, or the viewer wrote it, or the viewer is an operator.

    The one place hidden content is decided for lists, counts, feeds and searches; it goes
    beside :func:`visible_clause`, which it does not replace.
    """
    if is_operator(viewer_id):
        return true()
    not_hidden = model.hidden == false()
    if viewer_id is None:
        return not_hidden
    return or_(not_hidden, _author_of(model) == viewer_id)


def content_visible(row, viewer_id: int | None) -> bool:
    """Return whether one row (a diary, comment, topic, review or profile) may be shown to the
    viewer as far as hiding goes: :func:`visible_content` for a loaded row."""
    if not row.hidden or is_operator(viewer_id):
        return True
    author_id = row.member_id if isinstance(row, Profile) else row.author_id
    return viewer_id is not None and author_id == viewer_id


__all__ = [
    "ADMITS",
    "BLOCKED",
    "FRIEND",
    "FRIEND_OF_FRIEND",
    "MEMBER",
    "RELATIONS",
    "SELF",
    "VISITOR",
    "allows",
    "can_see",
    "content_visible",
    "fof_ids",
    "friend_ids",
    "is_blocked",
    "is_operator",
    "relation",
    "visible_clause",
    "visible_content",
]


def members_listed(
    model: Any, whose: ColumnElement[bool], viewer_id: int | None, order: tuple, offset: int, limit
) -> tuple[list[Any], int]:
    """Return a page of the rows of ``model`` (each a member of something, ``whose`` says
    what: a community's members, an event's participants) with their members, in ``order``,
    members who blocked the viewer left out; and how many there are of them."""
    where = (whose, not_blocked_clause(viewer_id, model.member_id))
    total = db.session.scalar(select(func.count()).select_from(model).where(*where))
    stmt = (
        select(model)
        .where(*where)
        .options(joinedload(model.member))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt)), total or 0

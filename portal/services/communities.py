"""Communities (コミュニティ): creating and editing, roles and what each may do, discovery.

Roles: one admin (管理人), sub-admins (副管理人) and members. The admin and sub-admins manage
(edit the name and description, answer join requests, remove members, delete others' topics,
comments and events); only the admin changes the settings, appoints or dismisses sub-admins
and hands the community over. Joining and the member list are in
:mod:`portal.services.community_members`.

Communities themselves are open to every member; what a community holds (topics, comments,
events) follows its ``topics_public`` setting, and member-owned rows pass the visibility
policy (:mod:`portal.services.visibility`): a member who blocked the viewer is missing for them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..keitai.hankaku import width_variants
from ..models import Community, CommunityMember, Event, Member, Topic
from ..models._time import utcnow
from ..models.community import (
    ADMIN,
    CATEGORIES,
    JOIN_POLICIES,
    MEMBERS,
    SUBADMIN,
    TOPIC_CREATORS,
)
from . import NotAllowedError, ServiceError, text_limits
from ._sql import rows_and_total
from .listing import Listing, fetched
from .visibility import friend_ids, is_blocked

NAME_MAX = 40
#: The most bytes a name may take as shown on a phone (lists are sized for it:
#: ``portal.rendering.SIZES``).
NAME_PHONE_BYTES = 120
DESCRIPTION_MAX = 2000
#: The roles that manage a community.
MANAGING = frozenset({ADMIN, SUBADMIN})


def insert_new(model, **values) -> bool:
    """Insert a row unless one with the same key exists; return whether it was inserted.

    One statement (``INSERT ... ON CONFLICT DO NOTHING``), so two requests racing to add the
    same row (a double-tapped join) get one row and no error.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    else:  # pragma: no cover (SQLite and PostgreSQL are the supported databases)
        try:
            with db.session.begin_nested():
                db.session.execute(insert(model.__table__).values(**values))
        except IntegrityError:
            return False
        return True
    table = model.__table__
    # RETURNING says whether the row went in (drivers differ in the row counts they report).
    stmt = (
        dialect_insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    return db.session.execute(stmt).first() is not None


# -- one community ---------------------------------------------------------------------------


def get(community_id: int) -> Community | None:
    """Return the community, or ``None`` (a 404)."""
    return db.session.get(Community, community_id)


def readable(community_id: int, viewer_id: int | None) -> Community | None:
    """Return the community if the viewer may read its topics and events (:func:`can_read`),
    else ``None`` (a 404: the community's page itself explains that only members read them)."""
    community = get(community_id)
    if community is None or not can_read(community, viewer_id):
        return None
    return community


def membership(community: Community, member_id: int | None) -> CommunityMember | None:
    """Return the member's row in the community, if they joined.

    In a request the answer is kept for the rest of it (the ORM session holds rows weakly and
    does not remember a missing one, so a page asking for a role per comment would ask the
    database each time); joining and leaving forget it (:func:`forget_membership`).
    """
    if member_id is None:
        return None
    key = (community.id, member_id)
    known = _memberships()
    if key not in known:
        known[key] = db.session.get(CommunityMember, key)
    return known[key]


def _memberships() -> dict[tuple[int, int], CommunityMember | None]:
    if not has_request_context():
        return {}
    if "memberships" not in g:
        g.memberships = {}
    return g.memberships


def remember_membership(community_id: int, member_id: int, row: CommunityMember | None) -> None:
    """Keep a membership a service already read (in a join) for the request's role checks."""
    _memberships()[(community_id, member_id)] = row


def forget_membership(community_id: int, member_id: int) -> None:
    """Forget what the request knew of a membership (it was just added or removed)."""
    _memberships().pop((community_id, member_id), None)


def role_of(community: Community, member_id: int | None) -> str | None:
    """Return ``admin``, ``subadmin``, ``member``, or ``None`` for someone who has not joined."""
    row = membership(community, member_id)
    return row.role if row else None


def admin_shown_to(community: Community, viewer_id: int | None) -> Member | None:
    """Return the admin as the community page names them; ``None`` when they blocked the
    viewer (the page then names no admin rather than link to a telling 404)."""
    admin = admin_of(community)
    return None if viewer_id is not None and is_blocked(admin.id, viewer_id) else admin


def admin_of(community: Community) -> Member:
    """Return the community's admin."""
    stmt = (
        select(Member)
        .join(CommunityMember, CommunityMember.member_id == Member.id)
        .where(CommunityMember.community_id == community.id, CommunityMember.role == ADMIN)
    )
    return db.session.scalars(stmt).one()  # a community always has its admin


def require_manager(community: Community, member: Member) -> str:
    """Return the member's role if they manage the community (admin or sub-admin).

    :raise NotAllowedError: otherwise.
    """
    role = role_of(community, member.id)
    if role not in MANAGING:
        raise NotAllowedError(_l("Only the admin and sub-admins can do this."))
    return role


def require_admin(community: Community, member: Member) -> None:
    """:raise NotAllowedError: unless the member is the community's admin."""
    if role_of(community, member.id) != ADMIN:
        raise NotAllowedError(_l("Only the admin can do this."))


def can_read(community: Community, viewer_id: int | None) -> bool:
    """Return whether the viewer may read the community's topics and events."""
    return community.topics_public or role_of(community, viewer_id) is not None


def can_start_topics(community: Community, member_id: int | None) -> bool:
    """Return whether the member may start topics and events in the community."""
    role = role_of(community, member_id)
    if community.topic_creators == MEMBERS:
        return role is not None
    return role in MANAGING


def require_start(community: Community, member: Member) -> None:
    """:raise NotAllowedError: unless the member may start topics and events in the community."""
    if not can_start_topics(community, member.id):
        raise NotAllowedError(_l("You cannot start topics or events in this community."))


def can_change(member_id: int | None, post: Topic | Event) -> bool:
    """Return whether the member may edit or delete a topic or an event (its author, or a
    manager of its community)."""
    if member_id is None:
        return False
    return post.author_id == member_id or role_of(post.community, member_id) in MANAGING


def require_change(member: Member, post: Topic | Event) -> None:
    """:raise NotAllowedError: unless the member may edit or delete the topic or event."""
    if not can_change(member.id, post):
        raise NotAllowedError(_l("Only the author, the admin and sub-admins can change this."))


def _check(name: str, description: str, category: str) -> tuple[str, str]:
    name, description = text_limits.title_and_body(
        name,
        description,
        title_max=NAME_MAX,
        body_max=DESCRIPTION_MAX,
        fields=("name", "description"),
        missing=(_l("Please give the community a name."), _l("Please describe the community.")),
    )
    text_limits.require_fits(name, NAME_PHONE_BYTES, "name")
    if category not in CATEGORIES:
        raise ServiceError(_l("Please choose from the list."), "category")
    return name, description


def create(member: Member, *, name: str, description: str, category: str) -> Community:
    """Create a community; its creator is its admin and first member.

    :raise ServiceError: for an empty or too long name or description, or an unknown category.
    """
    name, description = _check(name, description, category)
    now = utcnow()
    community = Community(
        name=name,
        description=description,
        category=category,
        member_count=1,
        created_at=now,
        updated_at=now,
    )
    db.session.add(community)
    db.session.flush()
    db.session.add(
        CommunityMember(community_id=community.id, member_id=member.id, role=ADMIN, joined_at=now)
    )
    db.session.flush()
    forget_membership(community.id, member.id)
    return community


def update(
    member: Member, community: Community, *, name: str, description: str, category: str
) -> None:
    """Edit the name, description and category (the admin and sub-admins).

    :raise NotAllowedError: for anyone else.
    :raise ServiceError: when the text is not acceptable.
    """
    require_manager(community, member)
    community.name, community.description = _check(name, description, category)
    community.category = category
    community.updated_at = utcnow()
    db.session.flush()


def update_settings(
    member: Member,
    community: Community,
    *,
    join_policy: str,
    topics_public: bool,
    topic_creators: str,
) -> None:
    """Change how members join, whether non-members read the topics and events, and who may
    start them (the admin only).

    :raise NotAllowedError: for anyone but the admin.
    :raise ServiceError: for a value not on the lists.
    """
    require_admin(community, member)
    if join_policy not in JOIN_POLICIES or topic_creators not in TOPIC_CREATORS:
        raise ServiceError(_l("Please choose from the list."))
    community.join_policy = join_policy
    community.topics_public = bool(topics_public)
    community.topic_creators = topic_creators
    community.updated_at = utcnow()
    db.session.flush()


# -- discovery -------------------------------------------------------------------------------


def _page(stmt, order, offset: int, limit: int | None) -> tuple[list, int]:
    return rows_and_total(stmt.order_by(*order), offset, limit)


def search(
    query: str,
    category: str | None,
    *,
    offset: int = 0,
    limit: int | None = None,
    also_in: tuple[str, ...] = (),
) -> tuple[list[Community], int]:
    """Return communities whose name contains ``query`` (any characters: ``%`` and ``_``
    match themselves), optionally of one category, the most members first, and how many.

    :param also_in: categories whose communities match the query too (the site search: a
        query that names a category, e.g. 音楽).
    """
    stmt = select(Community)
    query = query.strip()
    if query:
        match = or_(
            *(
                Community.name.icontains(variant, autoescape=True)
                for variant in width_variants(query)
            )
        )
        if also_in:
            match = or_(match, Community.category.in_(also_in))
        stmt = stmt.where(match)
    if category:
        stmt = stmt.where(Community.category == category)
    return _page(stmt, (Community.member_count.desc(), Community.id.desc()), offset, limit)


def popular(*, offset: int = 0, limit: int | None = None) -> tuple[list[Community], int]:
    """Return communities with the most members first, and how many there are."""
    stmt = select(Community)
    return _page(stmt, (Community.member_count.desc(), Community.id.desc()), offset, limit)


def newest(*, offset: int = 0, limit: int | None = None) -> tuple[list[Community], int]:
    """Return the newest communities first, and how many there are."""
    stmt = select(Community)
    return _page(stmt, (Community.created_at.desc(), Community.id.desc()), offset, limit)


def joined_by(
    member_id: int, *, offset: int = 0, limit: int | None = None, columns: tuple = ()
) -> tuple[list, int]:
    """Return the communities a member joined, newest joined first, and how many.

    :param columns: SQL expressions over ``Community`` read beside each one (in the same
        query): the rows are then ``(community, *values)`` tuples.
    """
    stmt = (
        select(Community, *columns)
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(CommunityMember.member_id == member_id)
    )
    return _page(stmt, (CommunityMember.joined_at.desc(), Community.id.desc()), offset, limit)


def of_friends(
    member: Member, *, offset: int = 0, limit: int | None = None
) -> tuple[list[tuple[Community, int]], int]:
    """Return the communities the member's friends joined (those the member has not joined),
    each with how many friends are in it, the most friends first; and how many."""
    friends_in = func.count(CommunityMember.member_id).label("friends")
    mine = select(CommunityMember.community_id).where(CommunityMember.member_id == member.id)
    stmt = (
        select(Community, friends_in)
        .join(CommunityMember, CommunityMember.community_id == Community.id)
        .where(
            CommunityMember.member_id.in_(friend_ids(member.id)),
            Community.id.not_in(mine),
        )
        .group_by(Community.id)
    )
    order = (friends_in.desc(), Community.member_count.desc(), Community.id)
    return _page(stmt, order, offset, limit)


#: The full lists of the community index (``?list=``); ``search`` is by name and category.
LISTS = ("popular", "new", "friends", "mine")


def list_page(
    kind: str, member: Member, number: int, per_page: int, *, query: str = "", category: str = ""
) -> Listing:
    """Return page ``number`` of one list of the community index: ``search`` (``query`` in the
    name, of ``category``), ``popular``, ``new``, ``friends`` (each with how many of the
    member's friends are in it) or ``mine``."""
    fetch: dict[str, Callable[..., tuple[list, int]]] = {
        "search": partial(search, query, category or None),
        "popular": popular,
        "new": newest,
        "friends": partial(of_friends, member),
        "mine": partial(joined_by, member.id),
    }
    return fetched(number, per_page, fetch[kind])

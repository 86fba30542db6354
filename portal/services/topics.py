"""Topics (トピック): a community's bulletin boards, with numbered comments.

Who may start a topic follows the community's setting (every member, or the admin and
sub-admins); its author, the admin and sub-admins may edit or delete it. Only members comment.
Their comments are :mod:`.topic_comments`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from ..extensions import db
from ..models import Block, Community, CommunityMember, Member, Topic
from ..models._time import utcnow
from . import ServiceError as ServiceError  # what topic changes raise (as callers catch it)
from . import text_limits
from ._sql import first_rows_with_total
from .communities import can_change as can_change  # its author, the admin, sub-admins
from .communities import (
    can_read,
    remember_membership,
    require_start,
)
from .communities import require_change as require_change
from .listing import Listing, fetched
from .visibility import content_visible, is_blocked, not_blocked_clause, visible_content

TITLE_MAX = 50
#: The most bytes a title may take as shown on a phone (topic lists are sized for it).
TITLE_PHONE_BYTES = 150
BODY_MAX = 10_000


def _check(title: str, body: str) -> tuple[str, str]:
    title, body = text_limits.title_and_body(title, body, title_max=TITLE_MAX, body_max=BODY_MAX)
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    return title, body


def create(
    member: Member,
    community: Community,
    *,
    title: str,
    body: str,
    created_at: datetime | None = None,
) -> Topic:
    """Start a topic.

    :raise NotAllowedError: for a member the community's setting does not let start topics.
    :raise ServiceError: for an empty or too long title or body.
    """
    require_start(community, member)
    title, body = _check(title, body)
    now = created_at or utcnow()
    topic = Topic(
        community_id=community.id,
        author_id=member.id,
        title=title,
        body=body,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    db.session.add(topic)
    db.session.flush()
    return topic


def update(member: Member, topic: Topic, *, title: str, body: str) -> None:
    """Edit a topic (its author, the admin and sub-admins).

    :raise NotAllowedError: for anyone else.
    :raise ServiceError: for an empty or too long title or body.
    """
    require_change(member, topic)
    topic.title, topic.body = _check(title, body)
    topic.updated_at = utcnow()
    db.session.flush()


def delete(member: Member, topic: Topic) -> None:
    """Delete a topic with its comments (its author, the admin and sub-admins).

    :raise NotAllowedError: for anyone else.
    """
    require_change(member, topic)
    db.session.delete(topic)
    db.session.flush()


def get_visible(topic_id: int, viewer_id: int | None) -> Topic | None:
    """Return the topic if the viewer may read it: the community shows its topics to them,
    its author did not block them and the operators did not hide it (for others than its
    author). Else ``None`` (a 404)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None or not can_read(topic.community, viewer_id):
        return None
    if not content_visible(topic, viewer_id):
        return None
    if viewer_id is not None and is_blocked(topic.author_id, viewer_id):
        return None
    return topic


def _blocks_viewer(viewer_id: int) -> tuple:
    return Block.blocker_id == Topic.author_id, Block.blocked_id == viewer_id


def open_visible(topic_id: int, viewer_id: int) -> Topic | None:
    """:func:`get_visible` for the topic's page, in one query: the topic, its community, the
    viewer's membership and whether its author blocked the viewer."""
    mine = aliased(CommunityMember)
    stmt = (
        select(Topic, mine, exists().where(*_blocks_viewer(viewer_id)))
        .join(Topic.community)
        .outerjoin(mine, and_(mine.community_id == Topic.community_id, mine.member_id == viewer_id))
        .where(Topic.id == topic_id)
        .options(contains_eager(Topic.community), joinedload(Topic.author))
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    topic, membership, blocked = row
    community = topic.community
    remember_membership(community.id, viewer_id, membership)
    if blocked or not can_read(community, viewer_id) or not content_visible(topic, viewer_id):
        return None
    return topic


def of_community(
    community: Community, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> tuple[list[Topic], int]:
    """Return a page of the community's topics the viewer may see, latest activity first,
    and how many. Callers check :func:`portal.services.communities.can_read` first."""
    where = (
        Topic.community_id == community.id,
        not_blocked_clause(viewer_id, Topic.author_id),
        visible_content(Topic, viewer_id),
    )
    stmt = select(Topic).where(*where).order_by(Topic.last_activity_at.desc(), Topic.id.desc())
    if offset == 0 and limit is not None:  # the community page's first few: one query
        return first_rows_with_total(stmt, limit)
    total = db.session.scalar(select(func.count()).select_from(Topic).where(*where))
    return list(db.session.scalars(stmt.offset(offset).limit(limit))), total or 0


def page_of(
    community: Community, viewer_id: int | None, number: int, per_page: int
) -> Listing[Topic]:
    """Return page ``number`` of the community's topics the viewer may see
    (:func:`of_community`)."""
    return fetched(number, per_page, partial(of_community, community, viewer_id))


def updates_for(member: Member, limit: int, *, days: int = 30) -> list[Topic]:
    """Return topics of the member's communities with new posts (topics or comments) in the
    last ``days``, latest first (home)."""
    stmt = updates_query(member, limit, days=days).options(joinedload(Topic.community))
    return list(db.session.scalars(stmt))


def updates_query(member: Member, limit: int, *, days: int = 30):
    """The ``select(Topic)`` of :func:`updates_for`, latest first (home's feed)."""
    mine = select(CommunityMember.community_id).where(CommunityMember.member_id == member.id)
    return (
        select(Topic)
        .where(
            Topic.community_id.in_(mine),
            Topic.last_activity_at >= utcnow() - timedelta(days=days),
            not_blocked_clause(member.id, Topic.author_id),
            visible_content(Topic, member.id),
        )
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        .limit(limit)
    )

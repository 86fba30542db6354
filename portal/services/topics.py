"""Topics (トピック): a community's bulletin boards, with numbered comments.

Who may start a topic follows the community's setting (every member, or the admin and
sub-admins); its author, the admin and sub-admins may edit or delete it. Only members comment.
Comment numbers come from one ``UPDATE topics SET last_comment_number = last_comment_number
+ 1`` (as for diaries), so two comments at once get 1 and 2, and numbers are never reused.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Community, CommunityMember, Member, Topic, TopicComment
from ..models._time import utcnow
from . import ServiceError
from .communities import MANAGING, NotAllowedError, can_read, require_start, role_of
from .visibility import content_visible, is_blocked, not_blocked_clause, visible_content

TITLE_MAX = 50
BODY_MAX = 10_000
COMMENT_MAX = 500


def _check(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title:
        raise ServiceError(_l("Please write a title."), "title")
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    if len(title) > TITLE_MAX or len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), "body")
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


def can_change(member_id: int | None, topic: Topic) -> bool:
    """Return whether the member may edit or delete the topic (its author, or a manager)."""
    if member_id is None:
        return False
    return topic.author_id == member_id or role_of(topic.community, member_id) in MANAGING


def require_change(member: Member, topic: Topic) -> None:
    """:raise NotAllowedError: unless the member may edit or delete the topic."""
    if not can_change(member.id, topic):
        raise NotAllowedError(_l("Only the author, the admin and sub-admins can change this."))


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
    total = db.session.scalar(select(func.count()).select_from(Topic).where(*where))
    stmt = (
        select(Topic)
        .where(*where)
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt)), total or 0


def updates_for(member: Member, limit: int, *, days: int = 30) -> list[Topic]:
    """Return topics of the member's communities with new posts (topics or comments) in the
    last ``days``, latest first (home)."""
    mine = select(CommunityMember.community_id).where(CommunityMember.member_id == member.id)
    stmt = (
        select(Topic)
        .where(
            Topic.community_id.in_(mine),
            Topic.last_activity_at >= utcnow() - timedelta(days=days),
            not_blocked_clause(member.id, Topic.author_id),
            visible_content(Topic, member.id),
        )
        .options(joinedload(Topic.community))
        .order_by(Topic.last_activity_at.desc(), Topic.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


# -- comments ------------------------------------------------------------------------------


def add_comment(
    member: Member, topic: Topic, body: str, created_at: datetime | None = None
) -> TopicComment:
    """Comment on a topic (members of its community).

    :raise ServiceError: for a non-member, or an empty or too long text.
    """
    body = body.strip()
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    if len(body) > COMMENT_MAX:
        raise ServiceError(_l("The text is too long."), "body")
    if role_of(topic.community, member.id) is None:
        raise ServiceError(_l("Only members of the community can comment."))
    now = created_at or utcnow()
    db.session.execute(
        sql_update(Topic)
        .where(Topic.id == topic.id)
        .values(
            last_comment_number=Topic.last_comment_number + 1,
            comment_count=Topic.comment_count + 1,
            last_activity_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    number = db.session.scalar(select(Topic.last_comment_number).where(Topic.id == topic.id))
    comment = TopicComment(
        topic_id=topic.id, author_id=member.id, number=number, body=body, created_at=now
    )
    db.session.add(comment)
    db.session.flush()
    db.session.refresh(topic)
    return comment


def comment_by_number(topic: Topic, number: int, viewer_id: int | None) -> TopicComment | None:
    """Return the topic's comment with this number if it still exists and the viewer may see
    it (not hidden from them, its author did not block them); else ``None`` (a 404)."""
    stmt = select(TopicComment).where(
        *_comments_where(topic, viewer_id), TopicComment.number == number
    )
    return db.session.scalar(stmt)


def can_delete_comment(member_id: int | None, comment: TopicComment, topic: Topic) -> bool:
    """Return whether the member may delete the comment (its author, or a manager)."""
    if member_id is None:
        return False
    return comment.author_id == member_id or role_of(topic.community, member_id) in MANAGING


def require_delete_comment(member: Member, topic: Topic, comment: TopicComment) -> None:
    """:raise NotAllowedError: unless the member may delete the comment."""
    if not can_delete_comment(member.id, comment, topic):
        raise NotAllowedError(_l("Only the author, the admin and sub-admins can change this."))


def delete_comment(member: Member, topic: Topic, comment: TopicComment) -> None:
    """Delete a comment (its author, the admin and sub-admins). Numbers are not reused.

    :raise NotAllowedError: for anyone else.
    """
    require_delete_comment(member, topic, comment)
    db.session.delete(comment)
    if not comment.hidden:  # a hidden comment is not counted any more
        db.session.execute(
            sql_update(Topic)
            .where(Topic.id == topic.id)
            .values(comment_count=Topic.comment_count - 1)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    db.session.refresh(topic)


def set_comment_hidden(comment: TopicComment, hidden: bool) -> None:
    """Hide a comment (operators, after a report) or show it again; the topic's
    ``comment_count``, shown in lists to everyone, counts the comments that are not hidden."""
    if comment.hidden == hidden:
        return
    comment.hidden = hidden
    db.session.execute(
        sql_update(Topic)
        .where(Topic.id == comment.topic_id)
        .values(comment_count=Topic.comment_count + (-1 if hidden else 1))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def _comments_where(topic: Topic, viewer_id: int | None):
    return (
        TopicComment.topic_id == topic.id,
        not_blocked_clause(viewer_id, TopicComment.author_id),
        visible_content(TopicComment, viewer_id),
    )


def comment_count(topic: Topic, viewer_id: int | None) -> int:
    """Return how many of the topic's comments the viewer may see."""
    stmt = select(func.count()).select_from(TopicComment).where(*_comments_where(topic, viewer_id))
    return db.session.scalar(stmt) or 0


def comments_page(
    topic: Topic, viewer_id: int | None, *, offset: int, limit: int
) -> list[TopicComment]:
    """Return a page of the comments the viewer may see, in number order."""
    stmt = (
        select(TopicComment)
        .where(*_comments_where(topic, viewer_id))
        .options(joinedload(TopicComment.author))
        .order_by(TopicComment.number)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def latest_comments(topic: Topic, viewer_id: int | None, *, limit: int) -> list[TopicComment]:
    """Return the last ``limit`` comments the viewer may see, in number order."""
    stmt = (
        select(TopicComment)
        .where(*_comments_where(topic, viewer_id))
        .options(joinedload(TopicComment.author))
        .order_by(TopicComment.number.desc())
        .limit(limit)
    )
    return list(reversed(db.session.scalars(stmt).all()))

"""Topic comments: a numbered thread (:mod:`.numbered_comments`) under each topic.

Members of the topic's community comment, and each comment moves the topic's activity up
(topic lists are in that order); a comment may be deleted by its author, the admin and
sub-admins. Readers are the topic's (:func:`portal.services.topics.get_visible`).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..models import Topic, TopicComment
from . import topics
from .communities import MANAGING, role_of
from .numbered_comments import Limits, Policy, Thread

#: A comment's limits: a page of the longest (``Sizes.topic_comments_page``) fits a phone.
LIMITS = Limits(chars=500, phone_bytes=1000)
COMMENT_MAX = LIMITS.chars


class CommunityPolicy(Policy):
    """Members of the parent's community comment; its admin and sub-admins delete any
    comment."""

    limits = LIMITS
    delete_refused = _l("Only the author, the admin and sub-admins can change this.")

    def refusal(self, member_id: int, parent):
        if role_of(parent.community, member_id) is None:
            return _l("Only members of the community can comment.")
        return None

    def may_delete(self, member_id: int, parent, comment) -> bool:
        return role_of(parent.community, member_id) in MANAGING


class TopicPolicy(CommunityPolicy):
    """:class:`CommunityPolicy`; a comment moves the topic up the community's list."""

    kind = "topic_comment"

    def readable(self, parent_id: int, viewer_id: int | None) -> Topic | None:
        return topics.get_visible(parent_id, viewer_id)

    def moved(self, now: datetime) -> dict:
        return {"last_activity_at": now}


THREAD = Thread(Topic, TopicComment, "topic_id", TopicPolicy())

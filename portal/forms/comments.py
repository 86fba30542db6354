"""The comment forms (field ``body``, PORTAL.md) of every numbered thread: diaries, topics and
events. Their limits are the services' (:class:`portal.services.numbered_comments.Limits`),
shown by the form first."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from ..services import diary_comments, topic_comments
from ..services.numbered_comments import Limits
from ._fields import limited


def _body(limits: Limits) -> TextAreaField:
    return limited(TextAreaField, _l("Comment"), limits.chars, limits.phone_bytes)


class CommentForm(FlaskForm):
    """A comment on a diary."""

    body = _body(diary_comments.LIMITS)


class CommunityCommentForm(FlaskForm):
    """A comment on a topic or an event (the same limits)."""

    body = _body(topic_comments.LIMITS)

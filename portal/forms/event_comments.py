"""The form of a comment on a community event (field ``body``), as topics have theirs
(:class:`portal.forms.community.TopicCommentForm`): the same limits, so a page of comments
is sized alike on phones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from ..services import event_comments
from ._fields import MaxLength
from .community import COMMENT_PHONE_BYTES
from .social import REQUIRED, FitsPhones


class EventCommentForm(FlaskForm):
    """A comment on an event (field ``body``)."""

    body = TextAreaField(
        _l("Comment"),
        validators=[
            REQUIRED,
            MaxLength(event_comments.COMMENT_MAX),
            FitsPhones(COMMENT_PHONE_BYTES),
        ],
    )

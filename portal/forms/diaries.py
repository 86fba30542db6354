"""Forms of the diary (日記): writing and editing an entry (its comment form is
:class:`portal.forms.comments.CommentForm`).

Field names are part of the public contract (PORTAL.md): ``title``, ``body``, ``visibility``
(``public``, ``fof``, ``friends``, ``private``).
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    StringField,
    TextAreaField,
)

from ..models.profile import PUBLIC
from ..services.diaries import BODY_MAX, TITLE_MAX, TITLE_PHONE_BYTES
from ._fields import limited, select
from .photos import WithPhotos
from .social import VISIBILITY_LABELS


def _visibility_field():
    return select(_l("Who can read it"), VISIBILITY_LABELS, PUBLIC)


class _DiaryFields(FlaskForm):
    """What every diary form has: ``title``, ``body``, ``visibility``."""

    title = limited(StringField, _l("Title"), TITLE_MAX, TITLE_PHONE_BYTES)
    body = limited(TextAreaField, _l("Body"), BODY_MAX)
    visibility = _visibility_field()


class DiaryForm(WithPhotos, _DiaryFields):
    """A new diary entry with up to three photos (``photos``, multipart) from PCs and the
    phones that can send files; other phones post url-encoded forms without them."""


class DiaryEditForm(_DiaryFields):
    """Editing an entry. On phones a long body is edited one part at a time: ``part`` names it
    and ``revision`` the version of the body the parts were cut from."""

    comments_closed = BooleanField(_l("Close comments"))
    part = HiddenField()
    revision = HiddenField()


class DiaryDefaultsForm(FlaskForm):
    """The visibility new diaries start with (also for diaries posted by e-mail)."""

    visibility = _visibility_field()

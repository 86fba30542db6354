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
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice

from ..models.profile import PUBLIC
from ..services.diaries import BODY_MAX, TITLE_MAX, TITLE_PHONE_BYTES
from ._fields import FitsPhones, MaxLength
from .photos import WithPhotos
from .social import REQUIRED, VISIBILITY_LABELS


def _visibility_field():
    choices = [SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()]
    return SelectField(_l("Who can read it"), choices=choices, default=PUBLIC)


class _DiaryFields(FlaskForm):
    """What every diary form has: ``title``, ``body``, ``visibility``."""

    title = StringField(
        _l("Title"),
        validators=[
            REQUIRED,
            MaxLength(TITLE_MAX),
            FitsPhones(TITLE_PHONE_BYTES, rich=False),
        ],
    )
    body = TextAreaField(_l("Body"), validators=[REQUIRED, MaxLength(BODY_MAX)])
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

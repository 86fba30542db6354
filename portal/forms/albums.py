"""Forms of photo albums (フォトアルバム): an album's fields, adding photos, a photo's caption.

Field names: ``title``, ``description``, ``visibility`` (as diaries: ``public``, ``fof``,
``friends``, ``private``), ``photos`` (files) and ``caption``.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..models.profile import PUBLIC
from ..services.albums import (
    CAPTION_MAX,
    CAPTION_PHONE_BYTES,
    DESCRIPTION_MAX,
    DESCRIPTION_PHONE_BYTES,
    TITLE_MAX,
    TITLE_PHONE_BYTES,
)
from ._fields import FitsPhones, MaxLength
from .photos import WithPhotos
from .social import REQUIRED, VISIBILITY_LABELS


class AlbumForm(FlaskForm):
    """A new album, or editing one."""

    title = StringField(
        _l("Title"),
        validators=[REQUIRED, MaxLength(TITLE_MAX), FitsPhones(TITLE_PHONE_BYTES, rich=False)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[MaxLength(DESCRIPTION_MAX), FitsPhones(DESCRIPTION_PHONE_BYTES)],
    )
    visibility = SelectField(
        _l("Who can see it"),
        choices=[SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()],
        default=PUBLIC,
    )


def _caption_field():
    return StringField(
        _l("Caption"),
        validators=[MaxLength(CAPTION_MAX), FitsPhones(CAPTION_PHONE_BYTES, rich=False)],
    )


class AlbumPhotoForm(WithPhotos, FlaskForm):
    """Photos added to an album, with one caption for them (optional)."""

    caption = _caption_field()


class CaptionForm(FlaskForm):
    """An album photo's caption."""

    caption = _caption_field()

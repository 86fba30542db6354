"""Forms of photo albums (フォトアルバム): an album's fields, adding photos, a photo's caption.

Field names: ``title``, ``description``, ``visibility`` (as diaries: ``public``, ``fof``,
``friends``, ``private``), ``photos`` (files) and ``caption``.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..models.profile import PUBLIC
from ..services.albums import (
    CAPTION_MAX,
    CAPTION_PHONE_BYTES,
    DESCRIPTION_MAX,
    DESCRIPTION_PHONE_BYTES,
    TITLE_MAX,
    TITLE_PHONE_BYTES,
)
from ._fields import limited, select
from .photos import WithPhotos
from .social import VISIBILITY_LABELS


class AlbumForm(FlaskForm):
    """A new album, or editing one."""

    title = limited(StringField, _l("Title"), TITLE_MAX, TITLE_PHONE_BYTES)
    description = limited(
        TextAreaField, _l("Description"), DESCRIPTION_MAX, DESCRIPTION_PHONE_BYTES, required=False
    )
    visibility = select(_l("Who can see it"), VISIBILITY_LABELS, PUBLIC)


def _caption_field():
    return limited(StringField, _l("Caption"), CAPTION_MAX, CAPTION_PHONE_BYTES, required=False)


class AlbumPhotoForm(WithPhotos, FlaskForm):
    """Photos added to an album, with one caption for them (optional)."""

    caption = _caption_field()


class CaptionForm(FlaskForm):
    """An album photo's caption."""

    caption = _caption_field()

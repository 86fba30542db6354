"""Forms of photo albums (フォトアルバム): an album's fields, adding photos, a photo's caption.

Field names: ``title``, ``description``, ``visibility`` (as diaries: ``public``, ``fof``,
``friends``, ``private``), ``photos`` (files) and ``caption``.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..models.profile import PUBLIC
from ..services.albums import CAPTION_MAX, DESCRIPTION_MAX, TITLE_MAX
from ._fields import MaxLength
from .diaries import TITLE_PHONE_BYTES, FitsEveryPhone
from .photos import WithPhotos
from .social import REQUIRED, VISIBILITY_LABELS

#: The most bytes a description and a caption may take on a phone page (an album's page shows
#: its description and a page of captions within 5 KB: ``Sizes.album_photos_page``).
DESCRIPTION_PHONE_BYTES = 1000
CAPTION_PHONE_BYTES = 200


class AlbumForm(FlaskForm):
    """A new album, or editing one."""

    title = StringField(
        _l("Title"),
        validators=[REQUIRED, MaxLength(TITLE_MAX), FitsEveryPhone(TITLE_PHONE_BYTES)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[MaxLength(DESCRIPTION_MAX), FitsEveryPhone(DESCRIPTION_PHONE_BYTES)],
    )
    visibility = SelectField(
        _l("Who can see it"),
        choices=[SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()],
        default=PUBLIC,
    )


def _caption_field():
    return StringField(
        _l("Caption"),
        validators=[MaxLength(CAPTION_MAX), FitsEveryPhone(CAPTION_PHONE_BYTES)],
    )


class AlbumPhotoForm(WithPhotos, FlaskForm):
    """Photos added to an album, with one caption for them (optional)."""

    caption = _caption_field()


class CaptionForm(FlaskForm):
    """An album photo's caption."""

    caption = _caption_field()

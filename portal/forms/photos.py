"""Forms that carry photos: the file field (``photos``), and the form of the photo pages.

PCs, smartphones and the phones that can send files from a form
(:func:`portal.keitai.uploads.can_upload`) show the field; other phones simply post without it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField
from wtforms.fields.choices import SelectChoice


class WithPhotos:
    """Mixin: a ``photos`` file field (several files) and the bytes chosen."""

    photos = MultipleFileField(_l("Photos (up to 3)"))

    def uploads(self) -> list[bytes]:
        """Return the bytes of the files chosen (a browser sends an empty part for none)."""
        return [f.read() for f in self.photos.data or () if f and f.filename]


class PhotoUploadForm(WithPhotos, FlaskForm):
    """Adding photos to a diary or topic, or a community's image."""


class ProfilePhotoVisibilityForm(FlaskForm):
    """Who sees my profile photos (field ``photo_visibility``)."""

    photo_visibility = SelectField(_l("Who sees my photos"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from .social import VISIBILITY_LABELS

        self.photo_visibility.choices = [
            SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()
        ]

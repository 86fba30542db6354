"""Forms of the diary (日記): writing and editing an entry, and comments.

Field names are part of the public contract (PORTAL.md): ``title``, ``body``, ``visibility``
(``public``, ``fof``, ``friends``, ``private``) and the comment's ``body``.
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
from wtforms.validators import ValidationError

from ..filters import member_text
from ..keitai import detect
from ..keitai.ext import encode_for
from ..models.profile import PUBLIC
from ..services.diaries import BODY_MAX, TITLE_MAX
from ._fields import MaxLength
from .photos import WithPhotos
from .social import REQUIRED, VISIBILITY_LABELS, FitsPhones

#: The most bytes a title may take as shown on a phone page: 100 Japanese characters fit, a
#: title made of characters that grow when escaped (``&`` -> ``&amp;``) or of emoji a carrier
#: shows as text does not. Diary lists and the diary page are sized for it
#: (``portal.rendering.SIZES``).
TITLE_PHONE_BYTES = 200
#: How long a comment may be, in characters and as shown on a phone: the last part of a long
#: body, a page of the longest comments (``Sizes.comments_page``) and the comment form share
#: one 5 KB page.
COMMENT_MAX = 200
COMMENT_PHONE_BYTES = 400


#: Phones whose pages are Shift_JIS, each with its own emoji: docomo and au send their own
#: symbols (two bytes each, or the name in brackets for one they lack), J-PHONE a webcode.
_PHONES = tuple(
    detect({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": "192.0.2.1"})
    for agent in (
        "DoCoMo/1.0/D501i",
        "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
        "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0",
    )
)


class FitsEveryPhone(FitsPhones):
    """:class:`FitsPhones`, measured as each kind of phone receives the text: escaped, with
    its links and line breaks, and its emoji as that carrier shows them (a symbol the carrier
    lacks becomes its name in brackets, up to 22 bytes)."""

    def __call__(self, form, field) -> None:
        shown = str(member_text(field.data or ""))
        if max(len(encode_for(shown, phone)) for phone in _PHONES) > self.max_bytes:
            raise ValidationError(_l("This text is too long to show on phones. Please shorten it."))


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
            FitsEveryPhone(TITLE_PHONE_BYTES),
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


class CommentForm(FlaskForm):
    """A comment on a diary (field ``body``)."""

    body = TextAreaField(
        _l("Comment"),
        validators=[
            REQUIRED,
            MaxLength(COMMENT_MAX),
            FitsEveryPhone(COMMENT_PHONE_BYTES),
        ],
    )

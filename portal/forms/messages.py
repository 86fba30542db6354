"""The message form (メッセージ): fields ``to`` (a member id), ``subject`` and ``body``.

Required fields are checked by the service, since a draft may be saved half-written.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..services.messages import BODY_MAX, BODY_PHONE_BYTES, SUBJECT_MAX
from ._fields import FitsPhones, MaxLength

#: The name of the submit button that saves a draft instead of sending.
SAVE_DRAFT = "draft"


class MessageForm(FlaskForm):
    """A message: to whom, subject and text. Sent unless the ``draft`` button was pressed."""

    to = StringField(_l("To (member ID)"), validators=[MaxLength(20)])
    subject = StringField(_l("Subject"), validators=[MaxLength(SUBJECT_MAX)])
    body = TextAreaField(
        _l("Message"),
        validators=[MaxLength(BODY_MAX), FitsPhones(BODY_PHONE_BYTES)],
    )

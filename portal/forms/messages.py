"""The message form (メッセージ): fields ``to`` (a member id), ``subject`` and ``body``.

Required fields are checked by the service, since a draft may be saved half-written.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from ..services.messages import BODY_MAX, SUBJECT_MAX
from .social import TOO_LONG, FitsPhones

#: The name of the submit button that saves a draft instead of sending.
SAVE_DRAFT = "draft"


class MessageForm(FlaskForm):
    """A message: to whom, subject and text. Sent unless the ``draft`` button was pressed."""

    to = StringField(_l("To (member ID)"), validators=[Length(max=20, message=TOO_LONG)])
    subject = StringField(_l("Subject"), validators=[Length(max=SUBJECT_MAX, message=TOO_LONG)])
    body = TextAreaField(
        _l("Message"),
        validators=[Length(max=BODY_MAX, message=TOO_LONG), FitsPhones(2 * BODY_MAX)],
    )

"""The message form (メッセージ): fields ``to`` (a member id), ``subject`` and ``body``.

Required fields are checked by the service, since a draft may be saved half-written.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..services.messages import BODY_MAX, BODY_PHONE_BYTES, SUBJECT_MAX
from ._fields import limited

#: The name of the submit button that saves a draft instead of sending.
SAVE_DRAFT = "draft"


class MessageForm(FlaskForm):
    """A message: to whom, subject and text. Sent unless the ``draft`` button was pressed."""

    to = limited(StringField, _l("To (member ID)"), 20, required=False)
    subject = limited(StringField, _l("Subject"), SUBJECT_MAX, required=False)
    body = limited(TextAreaField, _l("Message"), BODY_MAX, BODY_PHONE_BYTES, required=False)

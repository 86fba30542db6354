"""Forms on the settings page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, Length

from ._fields import EMAIL, PASSWORD_LENGTH, REQUIRED


class PasswordChangeForm(FlaskForm):
    """Current password, then the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[REQUIRED])
    new_password = PasswordField(_l("New password"), validators=[REQUIRED, PASSWORD_LENGTH])
    confirm = PasswordField(
        _l("New password again"),
        validators=[REQUIRED, EqualTo("new_password", message=_l("The passwords do not match."))],
    )


class EmailChangeForm(FlaskForm):
    """A new e-mail address, confirmed with the password."""

    email = StringField(_l("New e-mail"), validators=[REQUIRED, Length(max=254), EMAIL])
    password = PasswordField(_l("Current password"), validators=[REQUIRED])


class MailPostForm(FlaskForm):
    """Make my posting address, or a new one (the old one stops working). Only the CSRF token:
    the button says it all."""


class LeaveForm(FlaskForm):
    """Leaving (退会), confirmed with the password."""

    password = PasswordField(_l("Current password"), validators=[REQUIRED])

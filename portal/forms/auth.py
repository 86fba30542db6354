"""Forms for logging in, signing up and inviting."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import EqualTo, Length, NumberRange

from ._fields import EMAIL, PASSWORD_LENGTH, REQUIRED


class LoginForm(FlaskForm):
    """E-mail and password (field names ``email``, ``password``)."""

    email = StringField(_l("E-mail"), validators=[REQUIRED, Length(max=254)])
    password = PasswordField(_l("Password"), validators=[REQUIRED, Length(max=128)])


class ForgotPasswordForm(FlaskForm):
    """The address to send a reset link to (field name ``email``)."""

    email = StringField(_l("E-mail"), validators=[REQUIRED, Length(max=254)])


class ResetPasswordForm(FlaskForm):
    """A new password, typed twice."""

    password = PasswordField(_l("New password"), validators=[REQUIRED, PASSWORD_LENGTH])
    confirm = PasswordField(
        _l("New password again"),
        validators=[REQUIRED, EqualTo("password", message=_l("The passwords do not match."))],
    )


class SignupForm(FlaskForm):
    """A new member's account; the birth date comes as three numbers so phones can type it."""

    invite = HiddenField()
    #: The signup link an empty mail was answered with (its address is the proved one).
    entry = HiddenField()
    nickname = StringField(_l("Nickname"), validators=[REQUIRED, Length(max=20)])
    email = StringField(_l("E-mail"), validators=[REQUIRED, Length(max=254), EMAIL])
    password = PasswordField(_l("Password"), validators=[REQUIRED, PASSWORD_LENGTH])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[
            REQUIRED,
            NumberRange(min=1900, max=2100, message=_l("Please check your date of birth.")),
        ],
    )
    birth_month = IntegerField(
        _l("Month"),
        validators=[
            REQUIRED,
            NumberRange(min=1, max=12, message=_l("Please check your date of birth.")),
        ],
    )
    birth_day = IntegerField(
        _l("Day"),
        validators=[
            REQUIRED,
            NumberRange(min=1, max=31, message=_l("Please check your date of birth.")),
        ],
    )


class InviteForm(FlaskForm):
    """A note to remember who an invitation is for."""

    note = StringField(_l("Who is it for? (only you see this)"), validators=[Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (logout and other one-button actions)."""

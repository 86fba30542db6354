"""Validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, Regexp

#: A pragmatic address check (one @, a dot in the domain, no spaces); delivery proves the rest.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Please enter a valid e-mail address."))
PASSWORD_LENGTH = Length(min=8, max=128, message=_l("Use %(min)d to %(max)d characters."))

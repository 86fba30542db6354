"""Validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms.validators import Length, Regexp

#: A pragmatic address check (one @, a dot in the domain, no spaces); delivery proves the rest.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Please enter a valid e-mail address."))
PASSWORD_LENGTH = Length(
    min=8,
    max=128,
    message=_ln(
        "Use %(min)s to %(num)s character.", "Use %(min)s to %(num)s characters.", 128, min=8
    ),
)


class MaxLength(Length):
    """At most ``max`` characters; the error says the limit in the reader's plural form."""

    def __init__(self, max: int) -> None:
        super().__init__(
            max=max,
            message=_ln(
                "Please write at most %(num)s character.",
                "Please write at most %(num)s characters.",
                max,
            ),
        )

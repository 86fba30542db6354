"""Validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms.validators import Length, Regexp, ValidationError

from ..services import text_limits

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


class FitsPhones:
    """Refuse text the service would refuse as too long for a phone page: measured as each
    kind of phone receives it (escaped; ``rich`` text with its links and line breaks; emoji as
    each carrier shows them), by :func:`portal.services.text_limits.fits`.

    :param max_bytes: the service's limit (its ``*_PHONE_BYTES``).
    """

    def __init__(self, max_bytes: int, *, rich: bool = True) -> None:
        self.max_bytes = max_bytes
        self.rich = rich

    def __call__(self, form, field) -> None:
        if not text_limits.fits(field.data or "", self.max_bytes, rich=self.rich):
            raise ValidationError(text_limits.TOO_LONG_FOR_PHONES)

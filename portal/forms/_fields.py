"""Validators shared by the forms."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from ..services import text_limits

REQUIRED = DataRequired(message=_l("This field is required."))
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


def limited(
    field_class: type[StringField],
    label: str,
    max_chars: int,
    phone_bytes: int | None = None,
    *,
    required: bool = True,
) -> StringField:
    """A text field with the service's limits, checked in this order: filled in (when
    ``required``), at most ``max_chars`` characters and, given ``phone_bytes``, fitting a phone
    page (:class:`FitsPhones`: a text area as rich text, a line as plain text)."""
    validators: list = [REQUIRED] if required else []
    validators.append(MaxLength(max_chars))
    if phone_bytes is not None:
        validators.append(FitsPhones(phone_bytes, rich=issubclass(field_class, TextAreaField)))
    return field_class(label, validators=validators)


def choices(labels: dict) -> list[SelectChoice]:
    """The choices of a select, from stored values and their labels, in that order."""
    return [SelectChoice(value, text) for value, text in labels.items()]


def select(label: str, labels: dict, default: str) -> Field:
    """A select of ``labels`` (stored value: label), ``default`` chosen at first."""
    return SelectField(label, choices=choices(labels), default=default)

"""Forms of the social core: friend requests, introductions (紹介文) and the profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from ..filters import member_text
from ..models.profile import FOF, FRIENDS, PRIVATE, PUBLIC
from ._fields import MaxLength

REQUIRED = DataRequired(message=_l("This field is required."))


class FitsPhones:
    """Refuse member text that would not fit a 5 KB phone page as shown (escaped, with its
    links and line breaks, in Shift_JIS), however its characters are made up.

    The character limit is the rule members read; this catches text that is short in
    characters but long as HTML (many ``&``, ``<``, line breaks or URLs).

    :param max_bytes: the most bytes the shown text may take.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def __call__(self, form, field) -> None:
        shown = str(member_text(field.data or ""))
        if len(shown.encode("cp932", "replace")) > self.max_bytes:
            raise ValidationError(_l("This text is too long to show on phones. Please shorten it."))


#: How each visibility level reads in a select (Mixi's wording in Japanese).
VISIBILITY_LABELS = {
    # i18n: who may see a profile field; Mixi: 全体に公開
    PUBLIC: _l("Everyone"),
    # i18n: who may see a profile field; Mixi: 友人の友人まで公開
    FOF: _l("Friends of friends"),
    # i18n: who may see a profile field; Mixi: 友人まで公開
    FRIENDS: _l("Friends"),
    # i18n: who may see a profile field; Mixi: 非公開
    PRIVATE: _l("Only me"),
}
#: How each gender reads; the empty choice means "not given".
GENDER_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}

#: Profile fields with a visibility select on the profile form, in the order shown.
VISIBILITY_FIELDS = (
    "real_name",
    "gender",
    "age",
    "birthday",
    "area",
    "hobbies",
    "introduction",
)


class FriendRequestForm(FlaskForm):
    """A マイミク request with an optional message (field ``message``)."""

    message = TextAreaField(
        _l("Message (optional)"),
        validators=[MaxLength(200), FitsPhones(400)],
    )


class IntroductionForm(FlaskForm):
    """A friend's introduction (紹介文) of a member (field ``body``)."""

    body = TextAreaField(
        _l("Introduction"),
        validators=[REQUIRED, MaxLength(1000), FitsPhones(2000)],
    )


class SelfIntroductionForm(FlaskForm):
    """The member's own self-introduction (field ``introduction``)."""

    introduction = TextAreaField(
        _l("Self-introduction"),
        validators=[MaxLength(1500), FitsPhones(3000)],
    )


def _visibility(label):
    choices = [SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()]
    return SelectField(label, choices=choices, default=PUBLIC)


class ProfileForm(SelfIntroductionForm):
    """The profile: each field, its visibility (``<field>_visibility``) and footprints.

    ``introduction`` is optional here: the PC page edits it in this form, phones on a page of
    its own (:class:`SelfIntroductionForm`); it is saved only when the form sent it.
    """

    nickname = StringField(_l("Nickname"), validators=[REQUIRED, MaxLength(20)])
    real_name = StringField(_l("Real name"), validators=[MaxLength(80)])
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("Not given")),
            *(SelectChoice(value, text) for value, text in GENDER_LABELS.items()),
        ],
        default="",
    )
    area = StringField(_l("Area"), validators=[MaxLength(40)])
    hobbies = StringField(_l("Hobbies"), validators=[MaxLength(200)])
    real_name_visibility = _visibility(_l("Who sees my real name"))
    gender_visibility = _visibility(_l("Who sees my gender"))
    age_visibility = _visibility(_l("Who sees my age"))
    birthday_visibility = _visibility(_l("Who sees my birthday"))
    area_visibility = _visibility(_l("Who sees my area"))
    hobbies_visibility = _visibility(_l("Who sees my hobbies"))
    introduction_visibility = _visibility(_l("Who sees my self-introduction"))
    leaves_footprints = BooleanField(_l("Leave footprints when I visit others"))

    def visibilities(self) -> dict[str, str]:
        """Return the chosen visibility of each profile field."""
        return {name: self[f"{name}_visibility"].data for name in VISIBILITY_FIELDS}

"""Forms of the social core: friend requests, introductions (紹介文) and the profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from ..models.profile import FOF, FRIENDS, PRIVATE, PUBLIC
from ..services import profiles, social
from ._fields import FitsPhones, MaxLength

REQUIRED = DataRequired(message=_l("This field is required."))


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
        validators=[
            MaxLength(social.REQUEST_MESSAGE_MAX),
            FitsPhones(social.REQUEST_MESSAGE_PHONE_BYTES),
        ],
    )


class IntroductionForm(FlaskForm):
    """A friend's introduction (紹介文) of a member (field ``body``)."""

    body = TextAreaField(
        _l("Introduction"),
        validators=[
            REQUIRED,
            MaxLength(social.INTRODUCTION_MAX),
            FitsPhones(social.INTRODUCTION_PHONE_BYTES),
        ],
    )


class SelfIntroductionForm(FlaskForm):
    """The member's own self-introduction (field ``introduction``)."""

    introduction = TextAreaField(
        _l("Self-introduction"),
        validators=[
            MaxLength(profiles.INTRODUCTION_MAX),
            FitsPhones(profiles.INTRODUCTION_PHONE_BYTES),
        ],
    )


def _visibility(label):
    choices = [SelectChoice(value, text) for value, text in VISIBILITY_LABELS.items()]
    return SelectField(label, choices=choices, default=PUBLIC)


class ProfileForm(SelfIntroductionForm):
    """The profile: each field, its visibility (``<field>_visibility``) and footprints.

    ``introduction`` is optional here: the PC page edits it in this form, phones on a page of
    its own (:class:`SelfIntroductionForm`); it is saved only when the form sent it.
    """

    nickname = StringField(_l("Nickname"), validators=[REQUIRED, MaxLength(profiles.NICKNAME_MAX)])
    real_name = StringField(_l("Real name"), validators=[MaxLength(profiles.REAL_NAME_MAX)])
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("Not given")),
            *(SelectChoice(value, text) for value, text in GENDER_LABELS.items()),
        ],
        default="",
    )
    area = StringField(_l("Area"), validators=[MaxLength(profiles.AREA_MAX)])
    hobbies = StringField(_l("Hobbies"), validators=[MaxLength(profiles.HOBBIES_MAX)])
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

"""Forms of the social core: friend requests, introductions (紹介文) and the profile."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..models.profile import FOF, FRIENDS, PRIVATE, PUBLIC
from ..services import profiles, social
from ._fields import limited, select

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

    message = limited(
        TextAreaField,
        _l("Message (optional)"),
        social.REQUEST_MESSAGE_MAX,
        social.REQUEST_MESSAGE_PHONE_BYTES,
        required=False,
    )


class IntroductionForm(FlaskForm):
    """A friend's introduction (紹介文) of a member (field ``body``)."""

    body = limited(
        TextAreaField, _l("Introduction"), social.INTRODUCTION_MAX, social.INTRODUCTION_PHONE_BYTES
    )


class SelfIntroductionForm(FlaskForm):
    """The member's own self-introduction (field ``introduction``)."""

    introduction = limited(
        TextAreaField,
        _l("Self-introduction"),
        profiles.INTRODUCTION_MAX,
        profiles.INTRODUCTION_PHONE_BYTES,
        required=False,
    )


def _visibility(label):
    return select(label, VISIBILITY_LABELS, PUBLIC)


class ProfileForm(SelfIntroductionForm):
    """The profile: each field, its visibility (``<field>_visibility``) and footprints.

    ``introduction`` is optional here: the PC page edits it in this form, phones on a page of
    its own (:class:`SelfIntroductionForm`); it is saved only when the form sent it.
    """

    nickname = limited(StringField, _l("Nickname"), profiles.NICKNAME_MAX)
    real_name = limited(StringField, _l("Real name"), profiles.REAL_NAME_MAX, required=False)
    gender = SelectField(
        _l("Gender"),
        choices=[
            SelectChoice("", _l("Not given")),
            *(SelectChoice(value, text) for value, text in GENDER_LABELS.items()),
        ],
        default="",
    )
    area = limited(StringField, _l("Area"), profiles.AREA_MAX, required=False)
    hobbies = limited(StringField, _l("Hobbies"), profiles.HOBBIES_MAX, required=False)
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

"""Forms of communities: the community and its settings, joining, topics and comments,
events, and schedule entries.

Field names in the public contract (PORTAL.md): community ``name``, ``description``; topic
``title``, ``body``; comment ``body``. Dates and times are typed as digits, which phones enter
on the keypad: ``2008-05-31``, ``2008/5/31`` or ``20080531``; ``19:30``, ``1930``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ..models.community import (
    ADMIN,
    APPROVAL,
    MANAGERS,
    MEMBER,
    MEMBERS,
    OPEN,
    SUBADMIN,
    CommunityCategory,
)
from ..services import calendar, communities, community_members, events, topics
from ._fields import FitsPhones, MaxLength
from .photos import WithPhotos
from .social import REQUIRED

ROLE_LABELS = {
    # i18n: a community's admin (管理人)
    ADMIN: _l("Admin"),
    # i18n: a community's sub-admin (副管理人)
    SUBADMIN: _l("Sub-admin"),
    MEMBER: _l("Member"),
}
JOIN_POLICY_LABELS = {
    # i18n: a community anyone may join at once
    OPEN: _l("Anyone can join"),
    # i18n: a community whose admin approves each member
    APPROVAL: _l("The admin approves each member"),
}
TOPICS_VISIBILITY_LABELS = {
    "everyone": _l("Everyone can read the topics and events"),
    "members": _l("Only members can read the topics and events"),
}
TOPIC_CREATOR_LABELS = {
    MEMBERS: _l("Every member can start topics and events"),
    MANAGERS: _l("Only the admin and sub-admins can start topics and events"),
}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, text) for value, text in labels.items()]


class CommunityForm(FlaskForm):
    """A community: ``name``, ``description``, ``category``. On phones a long description is
    edited one part at a time (``part``, ``revision``: see :class:`TopicForm`)."""

    name = StringField(
        _l("Community name"),
        validators=[
            REQUIRED,
            MaxLength(communities.NAME_MAX),
            FitsPhones(communities.NAME_PHONE_BYTES, rich=False),
        ],
    )
    category = SelectField(
        _l("Category"), choices=_choices(CommunityCategory.labels()), default="other"
    )
    description = TextAreaField(
        _l("Description"),
        validators=[REQUIRED, MaxLength(communities.DESCRIPTION_MAX)],
    )
    part = HiddenField()
    revision = HiddenField()


class NewCommunityForm(WithPhotos, CommunityForm):
    """A new community, with its image (the first file) from devices that can send files."""


class CommunitySettingsForm(FlaskForm):
    """How members join, who reads the topics and events, and who may start them."""

    join_policy = SelectField(
        _lp("community setting: how members join", "Joining"),
        choices=_choices(JOIN_POLICY_LABELS),
        default=OPEN,
    )
    topics_visibility = SelectField(
        _l("Topics and events"), choices=_choices(TOPICS_VISIBILITY_LABELS), default="everyone"
    )
    topic_creators = SelectField(
        _l("Starting topics"), choices=_choices(TOPIC_CREATOR_LABELS), default=MEMBERS
    )


class JoinForm(FlaskForm):
    """Joining, with a message for the admin when they approve members (``message``)."""

    message = TextAreaField(
        _l("Message to the admin (optional)"),
        validators=[
            MaxLength(community_members.MESSAGE_MAX),
            FitsPhones(community_members.MESSAGE_PHONE_BYTES),
        ],
    )


class TopicForm(FlaskForm):
    """A topic (``title``, ``body``). On phones a long body is edited one part at a time:
    ``part`` names it and ``revision`` the version of the body the parts were cut from."""

    title = StringField(
        _l("Title"),
        validators=[
            REQUIRED,
            MaxLength(topics.TITLE_MAX),
            FitsPhones(topics.TITLE_PHONE_BYTES, rich=False),
        ],
    )
    body = TextAreaField(_l("Body"), validators=[REQUIRED, MaxLength(topics.BODY_MAX)])
    part = HiddenField()
    revision = HiddenField()


class NewTopicForm(WithPhotos, TopicForm):
    """A new topic, with up to three photos from devices that can send files."""


_DATE = re.compile(r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})\D(\d{1,2})\D?$")
_TIME_DIGITS = re.compile(r"^(\d{1,2})(\d{2})$")


def parse_date(value: str | None) -> date | None:
    """Read a typed date (``2008-05-31``, ``2008/5/31``, ``2008年5月31日``, ``20080531``,
    full-width digits too); ``None`` for an empty value.

    :raise ValueError: for anything else.
    """
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        return None
    found = _DATE_DIGITS.match(value) or _DATE.match(value)
    if not found:
        raise ValueError(value)
    return date(int(found[1]), int(found[2]), int(found[3]))


def parse_time(value: str | None) -> time | None:
    """Read a typed time of day (``19:30``, ``19時30分``, ``1930``, ``930``); ``None`` for an
    empty value.

    :raise ValueError: for anything else.
    """
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        return None
    found = _TIME_DIGITS.match(value) or _TIME.match(value)
    if not found:
        if value.isdigit() and len(value) <= 2:
            return time(int(value), 0)
        raise ValueError(value)
    return time(int(found[1]), int(found[2]))


class DateField(StringField):
    """A date typed as text (see :func:`parse_date`); ``date_value`` holds what it read."""

    date_value: date | None = None

    def pre_validate(self, form) -> None:
        try:
            self.date_value = parse_date(self.data)
        except ValueError as exc:
            raise ValidationError(_l("Please enter a date like 2008-05-31.")) from exc


class TimeField(StringField):
    """A time of day typed as text (see :func:`parse_time`); ``time_value`` holds what it read."""

    time_value: time | None = None

    def pre_validate(self, form) -> None:
        try:
            self.time_value = parse_time(self.data)
        except ValueError as exc:
            raise ValidationError(_l("Please enter a time like 19:30.")) from exc


def _capacity(form, field) -> None:
    value = unicodedata.normalize("NFKC", field.data or "").strip()
    if value and not value.isdigit():
        raise ValidationError(_l("Please enter a number."))


class EventForm(FlaskForm):
    """An event: ``title``, ``date`` and ``time`` (Japan), ``place``, ``deadline`` (a date,
    optional), ``capacity`` (optional) and ``body``."""

    title = StringField(
        _l("Title"),
        validators=[
            REQUIRED,
            MaxLength(events.TITLE_MAX),
            FitsPhones(events.TITLE_PHONE_BYTES, rich=False),
        ],
    )
    date = DateField(_l("Date (e.g. 2008-05-31)"), validators=[REQUIRED])
    time = TimeField(_l("Time (e.g. 19:30)"), validators=[REQUIRED])
    place = StringField(
        _l("Place"),
        validators=[
            REQUIRED,
            MaxLength(events.PLACE_MAX),
            FitsPhones(events.PLACE_PHONE_BYTES, rich=False),
        ],
    )
    deadline = DateField(_l("Deadline to join (optional)"))
    capacity = StringField(_l("Capacity (optional)"), validators=[_capacity])
    body = TextAreaField(
        _l("Details"),
        validators=[
            REQUIRED,
            MaxLength(events.BODY_MAX),
            FitsPhones(events.BODY_PHONE_BYTES),
        ],
    )

    def capacity_value(self) -> int | None:
        """Return the capacity as a number, ``None`` when left empty."""
        value = unicodedata.normalize("NFKC", self.capacity.data or "").strip()
        return int(value) if value else None


class ScheduleForm(FlaskForm):
    """A schedule entry of my own: ``title``, ``date`` and an optional ``time``."""

    title = StringField(
        _l("Title"),
        validators=[
            REQUIRED,
            MaxLength(calendar.TITLE_MAX),
            FitsPhones(calendar.TITLE_PHONE_BYTES, rich=False),
        ],
    )
    date = DateField(_l("Date (e.g. 2008-05-31)"), validators=[REQUIRED])
    time = TimeField(_l("Time (optional, e.g. 19:30)"))

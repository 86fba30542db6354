"""Forms of communities: the community and its settings, joining, topics and comments,
events, and schedule entries.

Field names in the public contract (PORTAL.md): community ``name``, ``description``; topic
``title``, ``body``; comment ``body``. Dates and times are typed as digits, which phones enter
on the keypad: ``2008-05-31``, ``2008/5/31`` or ``20080531``; ``19:30``, ``1930``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, time
from typing import Generic, TypeVar

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
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
from ._fields import REQUIRED, limited, select
from .photos import WithPhotos

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


class CommunityForm(FlaskForm):
    """A community: ``name``, ``description``, ``category``. On phones a long description is
    edited one part at a time (``part``, ``revision``: see :class:`TopicForm`)."""

    name = limited(
        StringField, _l("Community name"), communities.NAME_MAX, communities.NAME_PHONE_BYTES
    )
    category = select(_l("Category"), CommunityCategory.labels(), "other")
    description = limited(TextAreaField, _l("Description"), communities.DESCRIPTION_MAX)
    part = HiddenField()
    revision = HiddenField()


class NewCommunityForm(WithPhotos, CommunityForm):
    """A new community, with its image (the first file) from devices that can send files."""


class CommunitySettingsForm(FlaskForm):
    """How members join, who reads the topics and events, and who may start them."""

    join_policy = select(
        _lp("community setting: how members join", "Joining"), JOIN_POLICY_LABELS, OPEN
    )
    topics_visibility = select(_l("Topics and events"), TOPICS_VISIBILITY_LABELS, "everyone")
    topic_creators = select(_l("Starting topics"), TOPIC_CREATOR_LABELS, MEMBERS)


class JoinForm(FlaskForm):
    """Joining, with a message for the admin when they approve members (``message``)."""

    message = limited(
        TextAreaField,
        _l("Message to the admin (optional)"),
        community_members.MESSAGE_MAX,
        community_members.MESSAGE_PHONE_BYTES,
        required=False,
    )


class TopicForm(FlaskForm):
    """A topic (``title``, ``body``). On phones a long body is edited one part at a time:
    ``part`` names it and ``revision`` the version of the body the parts were cut from."""

    title = limited(StringField, _l("Title"), topics.TITLE_MAX, topics.TITLE_PHONE_BYTES)
    body = limited(TextAreaField, _l("Body"), topics.BODY_MAX)
    part = HiddenField()
    revision = HiddenField()


class NewTopicForm(WithPhotos, TopicForm):
    """A new topic, with up to three photos from devices that can send files."""


_DATE = re.compile(r"^(\d{4})\D?(\d{1,2})\D?(\d{1,2})\D?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})\D(\d{1,2})\D?$")
_TIME_DIGITS = re.compile(r"^(\d{1,2})(\d{2})$")
_HOUR = re.compile(r"^(\d{1,2})()$")


def _typed(value: str | None) -> str:
    """Return typed digits as ASCII (full-width digits and colons folded), without spaces."""
    return unicodedata.normalize("NFKC", value or "").strip()


def _read(value: str | None, *patterns: re.Pattern[str]) -> re.Match[str] | None:
    """Return the first of ``patterns`` that matches the typed text; ``None`` for an empty one.

    :raise ValueError: when none matches.
    """
    value = _typed(value)
    if not value:
        return None
    for pattern in patterns:
        found = pattern.match(value)
        if found:
            return found
    raise ValueError(value)


def parse_date(value: str | None) -> date | None:
    """Read a typed date (``2008-05-31``, ``2008/5/31``, ``2008年5月31日``, ``20080531``,
    full-width digits too); ``None`` for an empty value.

    :raise ValueError: for anything else.
    """
    found = _read(value, _DATE_DIGITS, _DATE)
    return None if found is None else date(int(found[1]), int(found[2]), int(found[3]))


def parse_time(value: str | None) -> time | None:
    """Read a typed time of day (``19:30``, ``19時30分``, ``1930``, ``930``, ``19``); ``None``
    for an empty value.

    :raise ValueError: for anything else.
    """
    found = _read(value, _TIME_DIGITS, _TIME, _HOUR)
    return None if found is None else time(int(found[1]), int(found[2] or 0))


V = TypeVar("V")


class _TypedField(StringField, Generic[V]):
    """Text typed on a keypad, read by ``parse`` (a date, a time); ``value`` holds what it
    read, ``None`` for an empty field."""

    value: V | None = None
    #: reads the text; ``ValueError`` for text it cannot read
    parse: Callable[[str | None], V | None]
    #: what the field says when ``parse`` cannot read the text
    example: str

    def pre_validate(self, form) -> None:
        try:
            self.value = self.parse(self.data)
        except ValueError as exc:
            raise ValidationError(self.example) from exc


class DateField(_TypedField[date]):
    """A date typed as text (see :func:`parse_date`)."""

    parse = staticmethod(parse_date)
    example = _l("Please enter a date like 2008-05-31.")


class TimeField(_TypedField[time]):
    """A time of day typed as text (see :func:`parse_time`)."""

    parse = staticmethod(parse_time)
    example = _l("Please enter a time like 19:30.")


def _capacity(form, field) -> None:
    value = _typed(field.data)
    if value and not value.isdigit():
        raise ValidationError(_l("Please enter a number."))


class EventForm(FlaskForm):
    """An event: ``title``, ``date`` and ``time`` (Japan), ``place``, ``deadline`` (a date,
    optional), ``capacity`` (optional) and ``body``."""

    title = limited(StringField, _l("Title"), events.TITLE_MAX, events.TITLE_PHONE_BYTES)
    date = DateField(_l("Date (e.g. 2008-05-31)"), validators=[REQUIRED])
    time = TimeField(_l("Time (e.g. 19:30)"), validators=[REQUIRED])
    place = limited(StringField, _l("Place"), events.PLACE_MAX, events.PLACE_PHONE_BYTES)
    deadline = DateField(_l("Deadline to join (optional)"))
    capacity = StringField(_l("Capacity (optional)"), validators=[_capacity])
    body = limited(TextAreaField, _l("Details"), events.BODY_MAX, events.BODY_PHONE_BYTES)

    def capacity_value(self) -> int | None:
        """Return the capacity as a number, ``None`` when left empty."""
        value = _typed(self.capacity.data)
        return int(value) if value else None


class ScheduleForm(FlaskForm):
    """A schedule entry of my own: ``title``, ``date`` and an optional ``time``."""

    title = limited(StringField, _l("Title"), calendar.TITLE_MAX, calendar.TITLE_PHONE_BYTES)
    date = DateField(_l("Date (e.g. 2008-05-31)"), validators=[REQUIRED])
    time = TimeField(_l("Time (optional, e.g. 19:30)"))

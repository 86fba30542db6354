"""The calendar (カレンダー): a month of my events, my communities' events, friends' birthdays
and my own schedule entries, each on its day in Japan.

Months are Japanese months: an event at 23:30 on 31 May in Tokyo (14:30 UTC) is in May, one at
00:30 on 1 June (15:30 UTC on 31 May) in June. Birthdays follow the birthday's visibility (as on
the profile and home); a 29 February birthday falls on 1 March in other years.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, extract, or_, select

from ..extensions import db
from ..models import (
    Community,
    CommunityMember,
    Event,
    EventParticipant,
    Member,
    ScheduleEntry,
)
from ..models._time import from_tokyo, to_tokyo, utcnow
from . import ServiceError, text_limits
from .friends import birth_month_day, showing_birthday
from .visibility import not_blocked_clause

TITLE_MAX = 40
#: The most bytes a title may take as shown on a phone (a month's page is sized for it).
TITLE_PHONE_BYTES = 150
#: Kinds of calendar items.
EVENT, BIRTHDAY, SCHEDULE = "event", "birthday", "schedule"


@dataclass
class Item:
    """One thing on a day: an event (``joined`` if I take part), a friend's birthday, or one
    of my schedule entries. ``target_id`` is the event's, the friend's or the entry's id."""

    day: date
    at: time | None
    kind: str
    title: str
    target_id: int
    joined: bool = False

    @property
    def sort_key(self) -> tuple:
        return (self.day, self.at is not None, self.at or time(0), self.kind, self.target_id)


@dataclass
class Month:
    """A month of the calendar: its items in order, and its weeks (Sunday first, with the
    neighbouring months' days that complete the first and last week)."""

    year: int
    month: int
    items: list[Item] = field(default_factory=list)
    weeks: list[list[date]] = field(default_factory=list)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def previous(self) -> str:
        """``YYYY-MM`` of the month before."""
        return _month_arg(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def next(self) -> str:
        """``YYYY-MM`` of the month after."""
        return _month_arg(self.year + (self.month == 12), self.month % 12 + 1)

    @property
    def arg(self) -> str:
        return _month_arg(self.year, self.month)

    def on(self, day: date) -> list[Item]:
        """Return the items of one day."""
        return [item for item in self.items if item.day == day]

    def in_week(self, number: int) -> list[Item]:
        """Return the items of week ``number`` (from 1) that fall in this month."""
        days = set(self.weeks[number - 1])
        return [item for item in self.items if item.day in days]

    def week_of(self, day: date) -> int:
        """Return the number of the week holding ``day`` (1 when it is not in this month)."""
        for number, week in enumerate(self.weeks, start=1):
            if day in week and day.month == self.month:
                return number
        return 1


def _month_arg(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_view(member: Member, year: int, month: int) -> Month:
    """Return the member's calendar for a Japanese month."""
    start = from_tokyo(date(year, month, 1))
    end = from_tokyo(date(year + (month == 12), month % 12 + 1, 1))
    weeks = _calendar.Calendar(firstweekday=6).monthdatescalendar(year, month)
    view = Month(year, month, weeks=weeks)
    items = [
        *_events(member, start, end),
        *_birthdays(member, year, month),
        *_entries(member, start, end),
    ]
    view.items = sorted(items, key=lambda item: item.sort_key)
    return view


def _events(member: Member, start: datetime, end: datetime) -> list[Item]:
    mine = select(CommunityMember.community_id).where(CommunityMember.member_id == member.id)
    joined = select(EventParticipant.event_id).where(EventParticipant.member_id == member.id)
    stmt = (
        select(Event, Event.id.in_(joined))
        .join(Community, Community.id == Event.community_id)
        .where(
            Event.starts_at >= start,
            Event.starts_at < end,
            or_(Event.community_id.in_(mine), Event.id.in_(joined)),
            or_(Community.topics_public, Event.community_id.in_(mine)),
            not_blocked_clause(member.id, Event.author_id),
        )
    )
    found = []
    for event, is_joined in db.session.execute(stmt):
        local = to_tokyo(event.starts_at)
        found.append(
            Item(local.date(), local.time(), EVENT, event.title, event.id, bool(is_joined))
        )
    return found


def _birthdays(member: Member, year: int, month: int) -> list[Item]:
    wanted = [extract("month", Member.birth_date) == month]
    if month == 3 and not _calendar.isleap(year):
        wanted.append(birth_month_day() == (2, 29))
    found = []
    for friend in showing_birthday(member, *wanted):
        birth = friend.birth_date
        if (birth.month, birth.day) == (2, 29) and not _calendar.isleap(year):
            if month != 3:
                continue
            day = date(year, 3, 1)
        else:
            day = date(year, birth.month, birth.day)
        found.append(Item(day, None, BIRTHDAY, friend.nickname, friend.id))
    return found


def _entries(member: Member, start: datetime, end: datetime) -> list[Item]:
    stmt = select(ScheduleEntry).where(
        ScheduleEntry.member_id == member.id,
        ScheduleEntry.starts_at >= start,
        ScheduleEntry.starts_at < end,
    )
    found = []
    for entry in db.session.scalars(stmt):
        local = to_tokyo(entry.starts_at)
        at = local.time() if entry.has_time else None
        found.append(Item(local.date(), at, SCHEDULE, entry.title, entry.id))
    return found


# -- schedule entries --------------------------------------------------------------------------


def add_entry(member: Member, *, title: str, day: date, at: time | None = None) -> ScheduleEntry:
    """Add an entry to my calendar on a Japanese day, at a time of day or not.

    :raise ServiceError: for an empty or too long title.
    """
    title = title.strip()
    if not title:
        raise ServiceError(_l("Please write a title."), "title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The text is too long."), "title")
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    entry = ScheduleEntry(
        member_id=member.id,
        title=title,
        starts_at=from_tokyo(day, at or time(0, 0)),
        has_time=at is not None,
        created_at=utcnow(),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def entry_of(member: Member, entry_id: int) -> ScheduleEntry | None:
    """Return one of the member's own entries (nobody else's: ``None``, a 404)."""
    entry = db.session.get(ScheduleEntry, entry_id)
    return entry if entry is not None and entry.member_id == member.id else None


def delete_entry(member: Member, entry_id: int) -> None:
    """Delete one of the member's own entries (anyone else's is left alone)."""
    db.session.execute(
        delete(ScheduleEntry).where(
            ScheduleEntry.id == entry_id, ScheduleEntry.member_id == member.id
        )
    )

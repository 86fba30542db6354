"""Birthday notices: a mail to a member's friends a week before the birthday (as OpenPNE sent).

Only friends who may see the birthday (its profile visibility) and want these notices get one.
Each mail's idempotency key names the member, the friend and the day, so the daily task may run
twice (or be retried) and still mails each friend once.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, extract, func, or_, select

from ..extensions import db
from ..i18n.formats import month_day
from ..models import Friendship, Member, OutboxMail, Profile
from ..models._time import tokyo_today
from ..models.profile import FIELD_DEFAULTS
from . import notifications
from .notifications import N_
from .visibility import visible_clause

#: Days ahead of the birthday the notice goes.
DAYS_AHEAD = 7


def celebrated_on(day: date):
    """Return a SQL condition: the member's birthday falls on ``day`` (29 February on 1 March
    in other years, as the calendar shows it)."""
    month, dom = extract("month", Member.birth_date), extract("day", Member.birth_date)
    wanted = [and_(month == day.month, dom == day.day)]
    if (day.month, day.day) == (3, 1) and not calendar.isleap(day.year):
        wanted.append(and_(month == 2, dom == 29))
    return or_(*wanted)


def write_notices(today: date | None = None) -> list[int]:
    """Write the outbox rows for birthdays a week from ``today`` (in Japan) and commit; return
    the new rows' ids (rows written by an earlier run are not written again)."""
    day = (today or tokyo_today()) + timedelta(days=DAYS_AHEAD)
    friend = db.aliased(Member)
    pairs = db.session.execute(
        select(Member, friend)
        .join(Friendship, Friendship.member_id == Member.id)
        .join(friend, friend.id == Friendship.friend_id)
        .where(celebrated_on(day), friend.notify_birthdays, ~friend.login_stopped)
        .order_by(Member.id, friend.id)
    ).all()
    new = []
    for member, reader in pairs:
        if not notifications.wants(reader, "birthday") or not _sees_birthday(reader, member):
            continue
        key = f"birthday:{member.id}:{reader.id}:{day.isoformat()}"
        if db.session.scalar(select(OutboxMail.id).where(OutboxMail.key == key)) is not None:
            continue
        row = notifications.write(
            reader,
            "birthday",
            key=key,
            subject=N_("%(name)s's birthday is in a week"),
            lines=(N_("%(name)s has a birthday on %(date)s. Send a message?"),),
            link=("members.profile", {"id": member.id}),
            name=member.nickname,
            date=_day_for(reader, day),
        )
        new.append(row.id)
    db.session.commit()
    return new


def _day_for(reader: Member, day: date) -> str:
    with force_locale(reader.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        return month_day(day)


def _sees_birthday(reader: Member, member: Member) -> bool:
    visibility = func.coalesce(Profile.birthday_visibility, FIELD_DEFAULTS["birthday"])
    stmt = (
        select(Member.id)
        .outerjoin(Profile, Profile.member_id == Member.id)
        .where(Member.id == member.id, visible_clause(reader.id, Member.id, visibility))
    )
    return db.session.scalar(stmt) is not None


def send_notices(today: date | None = None) -> int:
    """Write this day's birthday notices and hand them to the queue; return how many."""
    return notifications.enqueue(write_notices(today))

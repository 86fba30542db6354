"""Community events (イベント): date and time, place, deadline, capacity, and who takes part.

Times are naive UTC (entered and shown in Asia/Tokyo); the deadline is a Japanese calendar
day (members may join until its end).

Capacity holds under concurrent joins: a participant row is unique per member and event, and
the counter ``Event.joined`` only rises through one conditional statement,
``UPDATE events SET joined = joined + 1 WHERE id = :id AND joined < capacity``, whose row count
says whether there was room. On PostgreSQL the second of two racing updates waits for the
first and re-checks the condition; on SQLite writers take turns.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import delete as sql_delete
from sqlalchemy import func, or_, select
from sqlalchemy import update as sql_update

from ..extensions import db
from ..models import Community, Event, EventParticipant, Member
from ..models._time import to_tokyo, utcnow
from . import ServiceError, text_limits
from ._sql import execute_dml, first_rows_with_total
from .communities import can_change as can_change  # its author, the admin, sub-admins
from .communities import can_read, insert_new, require_start, role_of
from .communities import require_change as require_change
from .listing import Listing, fetched
from .visibility import is_blocked, members_listed, not_blocked_clause

TITLE_MAX = 50
PLACE_MAX = 50
BODY_MAX = 1000
#: The most bytes a title or place may take as shown on a phone (lists are sized for it).
TITLE_PHONE_BYTES = PLACE_PHONE_BYTES = 150
#: The details are edited in one piece, so they fit one phone page with the form.
BODY_PHONE_BYTES = 2000
CAPACITY_MAX = 10_000


def _check(title: str, body: str, place: str, capacity: int | None) -> tuple[str, str, str]:
    title, body, place = title.strip(), body.strip(), place.strip()
    if not title:
        raise ServiceError(_l("Please write a title."), "title")
    if not place:
        raise ServiceError(_l("Please say where it takes place."), "place")
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    if len(title) > TITLE_MAX or len(place) > PLACE_MAX or len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), "body")
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    text_limits.require_fits(place, PLACE_PHONE_BYTES, "place")
    text_limits.require_fits(body, BODY_PHONE_BYTES, "body", rich=True)
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise ServiceError(
            _l("The capacity is a number from 1 to %(limit)s.", limit=CAPACITY_MAX), "capacity"
        )
    return title, body, place


def _check_dates(starts_at: datetime, deadline, now: datetime) -> None:
    if starts_at <= now:
        raise ServiceError(_l("The event must start in the future."), "date")
    if deadline is not None and deadline > to_tokyo(starts_at).date():
        raise ServiceError(_l("The deadline must not be after the event."), "deadline")


def create(
    member: Member,
    community: Community,
    *,
    title: str,
    body: str,
    starts_at: datetime,
    place: str,
    deadline=None,
    capacity: int | None = None,
    now: datetime | None = None,
) -> Event:
    """Announce an event in a community (who may: as for topics).

    :param starts_at: naive UTC.
    :param deadline: the last Japanese day to join, or ``None`` (until it starts).
    :param capacity: the most participants, or ``None`` for no limit.
    :raise NotAllowedError: for a member who may not start events there.
    :raise ServiceError: for missing or too long text, a past date or a bad capacity.
    """
    require_start(community, member)
    title, body, place = _check(title, body, place, capacity)
    now = now or utcnow()
    _check_dates(starts_at, deadline, now)
    event = Event(
        community_id=community.id,
        author_id=member.id,
        title=title,
        body=body,
        starts_at=starts_at,
        place=place,
        deadline=deadline,
        capacity=capacity,
        joined=0,
        created_at=now,
        updated_at=now,
    )
    db.session.add(event)
    db.session.flush()
    return event


def update(
    member: Member,
    event: Event,
    *,
    title: str,
    body: str,
    starts_at: datetime,
    place: str,
    deadline=None,
    capacity: int | None = None,
) -> None:
    """Edit an event (its author, the admin and sub-admins). The capacity cannot go below
    the members who already joined; that check and the change are one statement.

    :raise NotAllowedError: for anyone else.
    :raise ServiceError: for text, dates or a capacity that are not acceptable.
    """
    require_change(member, event)
    title, body, place = _check(title, body, place, capacity)
    _check_dates(starts_at, deadline, utcnow())
    stmt = (
        sql_update(Event)
        .where(Event.id == event.id)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    if capacity is not None:
        stmt = stmt.where(Event.joined <= capacity)
    if execute_dml(stmt).rowcount != 1:
        raise ServiceError(
            _ln(
                "The capacity cannot be less than the %(num)s member who joined.",
                "The capacity cannot be less than the %(num)s members who joined.",
                event.joined,
            ),
            "capacity",
        )
    db.session.expire(event, ["capacity", "joined"])
    event.title, event.body, event.place = title, body, place
    event.starts_at, event.deadline = starts_at, deadline
    event.updated_at = utcnow()
    db.session.flush()


def delete(member: Member, event: Event) -> None:
    """Delete an event with its participant list and comments (its author, the admin and
    sub-admins).

    :raise NotAllowedError: for anyone else.
    """
    require_change(member, event)
    db.session.delete(event)
    db.session.flush()


def get_visible(event_id: int, viewer_id: int | None) -> Event | None:
    """Return the event if the viewer may read it: the community shows its events to them and
    its author did not block them. Else ``None`` (a 404)."""
    event = db.session.get(Event, event_id)
    if event is None or not can_read(event.community, viewer_id):
        return None
    if viewer_id is not None and is_blocked(event.author_id, viewer_id):
        return None
    return event


# -- taking part ----------------------------------------------------------------------------


def is_open(event: Event, now: datetime | None = None) -> bool:
    """Return whether members may still join: not started, deadline not passed."""
    now = now or utcnow()
    if event.starts_at <= now:
        return False
    return event.deadline is None or to_tokyo(now).date() <= event.deadline


def is_participant(event: Event, member_id: int | None) -> bool:
    """Return whether the member joined the event."""
    if member_id is None:
        return False
    return db.session.get(EventParticipant, (event.id, member_id)) is not None


def join(member: Member, event: Event, now: datetime | None = None) -> None:
    """Take part in an event of a community the member joined, while there is room.

    :raise ServiceError: for a non-member, a second join, a passed deadline, a past event, or
        a full one (then nothing is left behind).
    """
    if role_of(event.community, member.id) is None:
        raise ServiceError(_l("Only members of the community can join its events."))
    if not is_open(event, now):
        raise ServiceError(_l("This event no longer takes participants."))
    if not insert_new(EventParticipant, event_id=event.id, member_id=member.id, joined_at=utcnow()):
        raise ServiceError(_l("You already joined this event."))
    room = execute_dml(
        sql_update(Event)
        .where(
            Event.id == event.id,
            or_(Event.capacity.is_(None), Event.joined < Event.capacity),
        )
        .values(joined=Event.joined + 1)
        .execution_options(synchronize_session=False)
    )
    if room.rowcount != 1:
        _remove_participant(event.id, member.id)
        raise ServiceError(_l("Sorry, this event is full."))
    db.session.expire(event, ["joined"])


def _remove_participant(event_id: int, member_id: int) -> bool:
    gone = execute_dml(
        sql_delete(EventParticipant).where(
            EventParticipant.event_id == event_id, EventParticipant.member_id == member_id
        )
    ).rowcount
    return gone == 1


def leave(member: Member, event: Event, now: datetime | None = None) -> None:
    """Cancel one's place in an event that has not started.

    :raise ServiceError: for someone who did not join, or an event that started.
    """
    if event.starts_at <= (now or utcnow()):
        raise ServiceError(_l("This event has started; it cannot be left any more."))
    if not _remove_participant(event.id, member.id):
        raise ServiceError(_l("You have not joined this event."))
    _one_less(event.id)
    db.session.expire(event, ["joined"])


def _one_less(event_id: int) -> None:
    db.session.execute(
        sql_update(Event)
        .where(Event.id == event_id)
        .values(joined=Event.joined - 1)
        .execution_options(synchronize_session=False)
    )


def withdraw_from_upcoming(community: Community, member_id: int) -> None:
    """Give up a member's places in the community's coming events (they left it)."""
    stmt = (
        select(EventParticipant.event_id)
        .join(Event, Event.id == EventParticipant.event_id)
        .where(
            Event.community_id == community.id,
            Event.starts_at > utcnow(),
            EventParticipant.member_id == member_id,
        )
    )
    for event_id in list(db.session.scalars(stmt)):
        if _remove_participant(event_id, member_id):
            _one_less(event_id)


# -- lists -----------------------------------------------------------------------------------


def participants(
    event: Event, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> tuple[list[EventParticipant], int]:
    """Return a page of the participants the viewer may see (first to join first), and how
    many there are of them."""
    whose = EventParticipant.event_id == event.id
    order = (EventParticipant.joined_at, EventParticipant.member_id)
    return members_listed(EventParticipant, whose, viewer_id, order, offset, limit)


def participants_page(
    event: Event, viewer_id: int | None, number: int, per_page: int
) -> Listing[EventParticipant]:
    """Return page ``number`` of the participants the viewer may see (:func:`participants`)."""
    return fetched(number, per_page, partial(participants, event, viewer_id))


def of_community(
    community: Community,
    viewer_id: int | None,
    *,
    coming: bool = True,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[Event], int]:
    """Return a page of the community's coming events (soonest first) or past ones (latest
    first) that the viewer may see, and how many.

    Callers check :func:`portal.services.communities.can_read` first.
    """
    now = utcnow()
    where = [
        Event.community_id == community.id,
        not_blocked_clause(viewer_id, Event.author_id),
        Event.starts_at >= now if coming else Event.starts_at < now,
    ]
    order = (Event.starts_at, Event.id) if coming else (Event.starts_at.desc(), Event.id.desc())
    stmt = select(Event).where(*where).order_by(*order)
    if offset == 0 and limit is not None:  # the community page's first few: one query
        return first_rows_with_total(stmt, limit)
    total = db.session.scalar(select(func.count()).select_from(Event).where(*where))
    return list(db.session.scalars(stmt.offset(offset).limit(limit))), total or 0


def page_of(
    community: Community, viewer_id: int | None, number: int, per_page: int, *, coming: bool
) -> Listing[Event]:
    """Return page ``number`` of the community's coming or past events the viewer may see
    (:func:`of_community`)."""
    return fetched(number, per_page, partial(of_community, community, viewer_id, coming=coming))

"""Operators' notices (お知らせ): written on the admin pages, shown on every member's home
while they are active (from their first day, until the end of their last, in Japan)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Member, Notice
from ..models._time import from_tokyo, to_tokyo, utcnow
from . import ServiceError, admin, text_limits

TITLE_MAX = 100
BODY_MAX = 5000
#: The most bytes a title and a body may take as shown on a phone.
TITLE_PHONE_BYTES = 300
BODY_PHONE_BYTES = 3000


def _active(now: datetime):
    return (
        or_(Notice.starts_at.is_(None), Notice.starts_at <= now),
        or_(Notice.ends_at.is_(None), Notice.ends_at > now),
    )


def active(limit: int | None, now: datetime | None = None) -> list[Notice]:
    """Return the notices active now, newest first (every member's home)."""
    return list(db.session.scalars(active_query(limit, now)))


def active_query(limit: int | None, now: datetime | None = None):
    """The ``select(Notice)`` of :func:`active`, newest first (home's feed)."""
    return (
        select(Notice)
        .where(*_active(now or utcnow()))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )


def get_active(notice_id: int, now: datetime | None = None) -> Notice | None:
    """Return a notice members may read now (``None``: not active, or missing: a 404)."""
    stmt = select(Notice).where(Notice.id == notice_id, *_active(now or utcnow()))
    return db.session.scalar(stmt)


# -- the operators' side -----------------------------------------------------------------------


def all_notices(operator: Member, *, offset: int, limit: int) -> tuple[list[Notice], int]:
    """Return a page of every notice, active or not, newest first, and how many there are."""
    admin.require_operator(operator)
    total = db.session.scalar(select(func.count()).select_from(Notice)) or 0
    stmt = (
        select(Notice).order_by(Notice.created_at.desc(), Notice.id.desc()).offset(offset)
    ).limit(limit)
    return list(db.session.scalars(stmt)), total


def get(operator: Member, notice_id: int) -> Notice | None:
    """Return any notice for an operator (``None``: a 404)."""
    admin.require_operator(operator)
    return db.session.get(Notice, notice_id)


def first_day(notice: Notice) -> date | None:
    """Return the first day (in Japan) a notice shows, for the edit form."""
    return to_tokyo(notice.starts_at).date() if notice.starts_at else None


def last_day(notice: Notice) -> date | None:
    """Return the last day (in Japan) a notice shows, for the edit form."""
    return (to_tokyo(notice.ends_at) - timedelta(days=1)).date() if notice.ends_at else None


def _check(
    title: str, body: str, first: date | None, last: date | None
) -> tuple[str, str, datetime | None, datetime | None]:
    title, body = text_limits.title_and_body(
        title or "", body or "", title_max=TITLE_MAX, body_max=BODY_MAX
    )
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    text_limits.require_fits(body, BODY_PHONE_BYTES, "body", rich=True)
    if first and last and last < first:
        raise ServiceError(_l("The last day comes before the first day."), "ends_on")
    starts = from_tokyo(first) if first else None
    ends = from_tokyo(last + timedelta(days=1)) if last else None
    return title, body, starts, ends


def create(
    operator: Member, *, title: str, body: str, first: date | None, last: date | None
) -> Notice:
    """Write a notice, shown from ``first`` until the end of ``last`` (days in Japan; either
    may be ``None``: from now, for good).

    :raise ServiceError: for an empty or too long text, or a last day before the first.
    """
    admin.require_operator(operator)
    title, body, starts, ends = _check(title, body, first, last)
    now = utcnow()
    notice = Notice(
        title=title,
        body=body,
        starts_at=starts,
        ends_at=ends,
        created_by_id=operator.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(notice)
    db.session.flush()
    admin.log(operator, "create_notice", "notice", notice.id, title)
    return notice


def update(
    operator: Member,
    notice: Notice,
    *,
    title: str,
    body: str,
    first: date | None,
    last: date | None,
) -> None:
    """Change a notice's text or days.

    :raise ServiceError: as :func:`create`.
    """
    admin.require_operator(operator)
    notice.title, notice.body, notice.starts_at, notice.ends_at = _check(title, body, first, last)
    notice.updated_at = utcnow()
    db.session.flush()
    admin.log(operator, "edit_notice", "notice", notice.id, notice.title)


def delete(operator: Member, notice: Notice) -> None:
    """Delete a notice."""
    admin.require_operator(operator)
    admin.log(operator, "delete_notice", "notice", notice.id, notice.title)
    db.session.delete(notice)
    db.session.flush()

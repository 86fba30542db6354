"""Diaries (日記): writing, reading under the visibility policy, months and neighbours."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from ..extensions import db
from ..keitai.paging import Page
from ..models import Diary, DiaryWatch, Member
from ..models._time import TOKYO, utcnow
from ..models.profile import VISIBILITIES
from . import ServiceError, text_limits
from .footprints import recent_clause
from .listing import page_of_result
from .visibility import visible_clause, visible_content

TITLE_MAX = 100
#: The most bytes a title may take as shown on a phone page: 100 Japanese characters fit, a
#: title made of characters that grow when escaped (``&`` -> ``&amp;``) or of emoji a carrier
#: shows as text does not. Diary lists and the diary page are sized for it
#: (``portal.rendering.SIZES``).
TITLE_PHONE_BYTES = 200
BODY_MAX = 60_000


def _check(title: str, body: str, visibility: str) -> tuple[str, str]:
    title, body = text_limits.title_and_body(title, body, title_max=TITLE_MAX, body_max=BODY_MAX)
    text_limits.require_fits(title, TITLE_PHONE_BYTES, "title")
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Please choose from the list."), "visibility")
    return title, body


def create(
    author: Member, *, title: str, body: str, visibility: str, created_at: datetime | None = None
) -> Diary:
    """Write a diary entry; its author follows its comments.

    :raise ServiceError: for an empty or too long title or body, or an unknown visibility.
    """
    title, body = _check(title, body, visibility)
    now = created_at or utcnow()
    diary = Diary(
        author_id=author.id,
        title=title,
        body=body,
        visibility=visibility,
        created_at=now,
        updated_at=now,
    )
    db.session.add(diary)
    db.session.flush()
    db.session.add(DiaryWatch(member_id=author.id, diary_id=diary.id, seen_number=0))
    return diary


def update(
    member: Member, diary: Diary, *, title: str, body: str, visibility: str, comments_closed: bool
) -> None:
    """Edit an entry (its author only).

    :raise ServiceError: when ``member`` is not the author, or the text is not acceptable.
    """
    _own(member, diary)
    diary.title, diary.body = _check(title, body, visibility)
    diary.visibility = visibility
    diary.comments_closed = comments_closed
    diary.updated_at = utcnow()


def delete(member: Member, diary: Diary) -> None:
    """Delete an entry with its comments and photos (its author only)."""
    _own(member, diary)
    db.session.delete(diary)
    db.session.flush()


def _own(member: Member, diary: Diary) -> None:
    if diary.author_id != member.id:
        raise ServiceError(_l("Only the author can change this diary."))


def visible_diaries(viewer_id: int | None):
    """Return a ``select(Diary)`` limited to what the viewer may read (its visibility, and
    not hidden by the operators unless the viewer wrote it or is one)."""
    return select(Diary).where(
        visible_clause(viewer_id, Diary.author_id, Diary.visibility),
        visible_content(Diary, viewer_id),
    )


def public_feed(member_id: int, limit: int) -> tuple[Member, list[Diary]] | None:
    """Return a member and their newest diaries a visitor may read (the Atom feed), or
    ``None`` for an unknown member."""
    member = db.session.get(Member, member_id)
    if member is None:
        return None
    rows = db.session.scalars(
        visible_diaries(None)
        .where(Diary.author_id == member.id)
        .order_by(Diary.created_at.desc(), Diary.id.desc())
        .limit(limit)
    )
    return member, list(rows)


def get_visible(diary_id: int, viewer_id: int | None) -> Diary | None:
    """Return the diary if it exists and the viewer may read it (else ``None``: a 404)."""
    return db.session.scalar(visible_diaries(viewer_id).where(Diary.id == diary_id))


@dataclass
class Reading:
    """A diary opened by a viewer: the entry (its author loaded), the viewer's watch of its
    comments and whether the viewer left a footprint on its author moments ago."""

    diary: Diary
    watch: DiaryWatch | None
    footprint_recent: bool


def open_visible(diary_id: int, viewer_id: int | None) -> Reading | None:
    """Return the diary if the viewer may read it, with what its page needs of the viewer, in
    one query (else ``None``: a 404)."""
    stmt = (
        visible_diaries(viewer_id)
        .where(Diary.id == diary_id)
        .outerjoin(
            DiaryWatch,
            and_(DiaryWatch.diary_id == Diary.id, DiaryWatch.member_id == viewer_id),
        )
        .add_columns(DiaryWatch, recent_clause(Diary.author_id, viewer_id))
        .options(joinedload(Diary.author))
    )
    row = db.session.execute(stmt).first()
    return None if row is None else Reading(row[0], row[1], bool(row[2]))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """Return the naive-UTC start and end of a month in Japanese time."""
    start = datetime(year, month, 1, tzinfo=TOKYO)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=TOKYO)
    return (start.astimezone(UTC).replace(tzinfo=None), end.astimezone(UTC).replace(tzinfo=None))


@dataclass
class DiaryList:
    """One page of a member's diary list, and the month index beside it."""

    diaries: list[Diary]
    total: int
    months: list[tuple[int, int, int]]


def list_of(
    owner: Member, viewer_id: int | None, *, month: tuple[int, int] | None, offset: int, limit: int
) -> DiaryList:
    """Return the owner's diaries the viewer may read, newest first, optionally of one month."""
    stmt = visible_diaries(viewer_id).where(Diary.author_id == owner.id)
    if month is not None:
        start, end = month_bounds(*month)
        stmt = stmt.where(Diary.created_at >= start, Diary.created_at < end)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Diary.created_at.desc(), Diary.id.desc()).offset(offset).limit(limit)
    )
    return DiaryList(list(rows), total, month_index(owner, viewer_id))


def list_page(
    owner: Member, viewer_id: int | None, month: tuple[int, int] | None, number: int, per_page: int
) -> tuple[DiaryList, Page]:
    """Return page ``number`` of :func:`list_of` (a page past the end gives the last) and
    where it stands."""
    return page_of_result(
        number,
        per_page,
        lambda offset, limit: list_of(owner, viewer_id, month=month, offset=offset, limit=limit),
    )


def month_index(owner: Member, viewer_id: int | None) -> list[tuple[int, int, int]]:
    """Return ``(year, month, count)`` of the owner's readable diaries, newest month first."""
    stmt = select(Diary.created_at).where(
        Diary.author_id == owner.id,
        visible_clause(viewer_id, Diary.author_id, Diary.visibility),
        visible_content(Diary, viewer_id),
    )
    counts: Counter[tuple[int, int]] = Counter()
    for (created,) in db.session.execute(stmt):
        local = created.replace(tzinfo=UTC).astimezone(TOKYO)
        counts[(local.year, local.month)] += 1
    return [(y, m, n) for (y, m), n in sorted(counts.items(), reverse=True)]


def neighbours(diary: Diary, viewer_id: int | None) -> tuple[int | None, int | None]:
    """Return the ids of the author's previous (older) and next (newer) entries the viewer may
    read (one query)."""

    def nearest(older: bool):
        other = aliased(Diary)
        if older:
            side = or_(
                other.created_at < diary.created_at,
                and_(other.created_at == diary.created_at, other.id < diary.id),
            )
            order = (other.created_at.desc(), other.id.desc())
        else:
            side = or_(
                other.created_at > diary.created_at,
                and_(other.created_at == diary.created_at, other.id > diary.id),
            )
            order = (other.created_at.asc(), other.id.asc())
        return (
            select(other.id)
            .where(
                other.author_id == diary.author_id,
                side,
                visible_clause(viewer_id, other.author_id, other.visibility),
                visible_content(other, viewer_id),
            )
            .order_by(*order)
            .limit(1)
            .scalar_subquery()
        )

    older, newer = db.session.execute(select(nearest(True), nearest(False))).one()
    return older, newer


def friends_newest(member: Member, limit: int, *, days: int = 30) -> list[Diary]:
    """Return the newest diaries of ``member``'s friends that ``member`` may read (home)."""
    return list(db.session.scalars(friends_newest_query(member, limit, days=days)))


def friends_newest_query(member: Member, limit: int, *, days: int = 30):
    """The ``select(Diary)`` of :func:`friends_newest`, newest first (home's feed runs it with
    its other sections in one statement)."""
    from .visibility import friend_ids

    since = utcnow() - timedelta(days=days)
    return (
        visible_diaries(member.id)
        .where(Diary.author_id.in_(friend_ids(member.id)), Diary.created_at >= since)
        .order_by(Diary.created_at.desc(), Diary.id.desc())
        .limit(limit)
    )


def set_default_visibility(member: Member, visibility: str) -> None:
    """Save the visibility new diaries start with."""
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Please choose from the list."), "visibility")
    member.diary_visibility = visibility

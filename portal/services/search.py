"""Search: diaries by words in their title or body, as the viewer may read them; members by
nickname, area and hobbies; communities by name and category; reviews by title and text.

Japanese is written without spaces between words, so the search matches any substring rather
than words. Queries of :data:`INDEXED_MIN` characters or more use a trigram index (made by the
migration, see :mod:`portal.models.search_index`):

* SQLite: the FTS5 table ``diary_fts`` (``tokenize='trigram'``), queried with ``MATCH`` and the
  query quoted as one phrase, so FTS syntax in it is plain text;
* PostgreSQL: ``ILIKE '%query%'``, which the ``pg_trgm`` GIN indexes accelerate.

Shorter queries (東京, 日記: common in Japanese) cannot use trigrams and fall back to
``LIKE``/``ILIKE`` with ``%`` and ``_`` escaped, on every database. Visibility always goes
through :func:`~portal.services.visibility.visible_clause` (via
:func:`~portal.services.diaries.visible_diaries`), in the same SQL as the match, so counts agree
with lists.

Phones type katakana half-width (ｶﾌｪ) where PCs type it full-width (カフェ), and Latin letters
and digits come in both widths too: every search matches the query as typed, all full-width
and all half-width (:func:`portal.keitai.hankaku.width_variants`), so each finds what the
other wrote.

Members, communities and reviews are matched with ``LIKE``/``ILIKE`` and ``%``/``_`` escaped.
A member's area or hobbies match only for a viewer allowed to see that field (the field's own
visibility, through :func:`~portal.services.visibility.visible_clause`), and a result shows a
field only to such a viewer, so a search never reveals what the profile would not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, column, func, literal_column, or_, select, table
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..keitai.hankaku import width_variants
from ..models import Community, Diary, Member, Profile, Review
from ..models.profile import FIELD_DEFAULTS
from ..models.search_index import FTS_TABLE
from . import communities
from ._sql import rows_and_total
from .diaries import visible_diaries
from .reviews import visible_reviews
from .visibility import not_blocked_clause, visible_clause

#: The shortest query the trigram index can answer.
INDEXED_MIN = 3
#: Longer queries are cut to this many characters.
QUERY_MAX = 100

_fts = table(FTS_TABLE, column("rowid"))
_SPACES = re.compile(r"\s+")


def normalise_query(query: str | None) -> str:
    """Return the query as searched: spaces (ideographic ones too) collapsed, at most
    :data:`QUERY_MAX` characters; ``""`` means no search."""
    return _SPACES.sub(" ", query or "").strip()[:QUERY_MAX]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(col, query: str) -> ColumnElement[bool]:
    """Return a case-insensitive substring match of ``query`` as plain text, in any width."""
    return or_(*(col.ilike(f"%{_escape_like(q)}%", escape="\\") for q in width_variants(query)))


def _like(query: str) -> ColumnElement[bool]:
    return or_(_contains_as_typed(Diary.title, query), _contains_as_typed(Diary.body, query))


def _contains_as_typed(col, query: str) -> ColumnElement[bool]:
    return col.ilike(f"%{_escape_like(query)}%", escape="\\")


def _fts_phrase(query: str) -> str:
    """Quote the query as one FTS5 phrase (a trigram phrase matches it as a substring)."""
    return '"' + query.replace('"', '""') + '"'


def _matches(query: str) -> ColumnElement[bool]:
    return or_(*(_matches_as_typed(q) for q in width_variants(query)))


def _matches_as_typed(query: str) -> ColumnElement[bool]:
    dialect = db.session.get_bind().dialect.name
    if len(query) >= INDEXED_MIN and dialect == "sqlite":
        hits = select(_fts.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(_fts_phrase(query)))
        return Diary.id.in_(hits)
    # PostgreSQL: pg_trgm answers ILIKE through its GIN indexes from 3 characters on.
    return _like(query)


def search_diaries(
    viewer_id: int | None, query: str, offset: int, limit: int
) -> tuple[list[Diary], int]:
    """Return one page of the diaries the viewer may read that contain ``query``, newest first,
    and how many there are in all.

    :param viewer_id: the searching member, or ``None`` for a visitor (public diaries only).
    :param query: the text to find in titles and bodies (see :func:`normalise_query`).
    :return: ``(diaries, total)``, their authors loaded; ``([], 0)`` for an empty query.
    """
    query = normalise_query(query)
    if not query:
        return [], 0
    stmt = (
        visible_diaries(viewer_id)
        .where(_matches(query))
        .options(joinedload(Diary.author))
        .order_by(Diary.created_at.desc(), Diary.id.desc())
    )
    return rows_and_total(stmt, offset, limit)


@dataclass
class MemberHit:
    """A member found, with the area and hobbies the viewer may see (else ``None``)."""

    member: Member
    area: str | None
    hobbies: str | None


def _field_visible(viewer_id: int | None, field: str) -> ColumnElement[bool]:
    visibility = func.coalesce(getattr(Profile, f"{field}_visibility"), FIELD_DEFAULTS[field])
    return visible_clause(viewer_id, Member.id, visibility)


def search_members(
    viewer_id: int | None, query: str, offset: int, limit: int
) -> tuple[list[MemberHit], int]:
    """Return one page of the members whose nickname, area or hobbies contain ``query``, and
    how many there are; members who blocked the viewer are missing.

    The area and the hobbies match, and are returned, only where the viewer may see them.
    """
    query = normalise_query(query)
    if not query:
        return [], 0
    area_ok, hobbies_ok = _field_visible(viewer_id, "area"), _field_visible(viewer_id, "hobbies")
    where = (
        not_blocked_clause(viewer_id, Member.id),
        Member.left_at.is_(None),  # 退会: gone from every list
        or_(
            _contains(Member.nickname, query),
            and_(area_ok, _contains(Profile.area, query)),
            and_(hobbies_ok, _contains(Profile.hobbies, query)),
        ),
    )
    stmt = (
        select(
            Member,
            case((area_ok, Profile.area), else_=None),
            case((hobbies_ok, Profile.hobbies), else_=None),
        )
        .outerjoin(Profile, Profile.member_id == Member.id)
        .where(*where)
        .order_by(Member.created_at.desc(), Member.id.desc())
    )
    rows, total = rows_and_total(stmt, offset, limit)
    return [MemberHit(m, area, hobbies) for m, area, hobbies in rows], total


def search_communities(
    query: str, categories: tuple[str, ...], offset: int, limit: int
) -> tuple[list[Community], int]:
    """Return one page of the communities whose name contains ``query`` or whose category is
    one of ``categories`` (those whose name the query matches), the most members first."""
    query = normalise_query(query)
    if not query:
        return [], 0
    return communities.search(query, None, offset=offset, limit=limit, also_in=categories)


def search_reviews(
    viewer_id: int | None, query: str, offset: int, limit: int
) -> tuple[list[Review], int]:
    """Return one page of the reviews the viewer may read whose title or text contains
    ``query``, newest first, and how many there are."""
    query = normalise_query(query)
    if not query:
        return [], 0
    stmt = visible_reviews(viewer_id).where(
        or_(_contains(Review.title, query), _contains(Review.body, query))
    )
    stmt = stmt.options(joinedload(Review.author)).order_by(
        Review.created_at.desc(), Review.id.desc()
    )
    return rows_and_total(stmt, offset, limit)


def snippet(text: str, query: str, width: int) -> str:
    """Return about ``width`` characters of ``text`` around the first place ``query`` occurs
    (case-insensitively), on one line, with ``…`` where text was left out.

    :param text: a diary body.
    :param query: the search query.
    :param width: the most characters to show (ellipses not counted).
    """
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    lowered = flat.lower()
    places = [lowered.find(q.lower()) for q in width_variants(normalise_query(query))]
    at = min((p for p in places if p >= 0), default=-1) if query else -1
    start = 0 if at < 0 else max(0, min(at - width // 3, len(flat) - width))
    piece = flat[start : start + width]
    return ("…" if start > 0 else "") + piece + ("…" if start + width < len(flat) else "")

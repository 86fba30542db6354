"""Search: diaries by words in their title or body, as the viewer may read them; members by
nickname, area and hobbies; communities by name and category; reviews by title and text.

Japanese is written without spaces between words, so the search matches any substring rather
than words. Queries of :data:`INDEXED_MIN` characters or more (in every width, see below) use a
trigram index (made by the migrations, see :mod:`portal.models.search_index`):

* SQLite: the FTS5 tables ``diary_fts``, ``review_fts`` and ``member_fts``
  (``tokenize='trigram'``), queried with ``MATCH`` and each form of the query quoted as one
  phrase, so FTS syntax in it is plain text; the FTS table drives the query, newest rowid
  first, so a page of results stops reading at its last row;
* PostgreSQL: ``ILIKE '%query%'``, which the ``pg_trgm`` GIN indexes accelerate.

A search's cost follows its page, not the site's size (issue 11.3):

* results come newest first by id (the order in which they were written here);
* totals are counted up to :data:`COUNT_CAP` and no further: past it the page shows
  ``1,000+`` (:func:`shown_total`), as a busy site's search does;
* shorter queries (東京, 日記: common in Japanese) cannot use trigrams: they are matched with
  ``LIKE``/``ILIKE`` (``%`` and ``_`` escaped) among the newest :data:`SHORT_WINDOW` rows of
  their kind only, so a rare two-character word never reads the whole table.

Visibility always goes through :func:`~portal.services.visibility.visible_clause` (via
:func:`~portal.services.diaries.visible_diaries`), in the same SQL as the match, so counts agree
with lists.

Phones type katakana half-width (ｶﾌｪ) where PCs type it full-width (カフェ), and Latin letters
and digits come in both widths too: every search matches the query as typed, all full-width
and all half-width (:func:`portal.keitai.hankaku.width_variants`), so each finds what the
other wrote.

A member's area or hobbies match only for a viewer allowed to see that field (the field's own
visibility, through :func:`~portal.services.visibility.visible_clause`), and a result shows a
field only to such a viewer, so a search never reveals what the profile would not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import table as sql_table
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..keitai.hankaku import width_variants
from ..models import Community, Diary, Member, Profile, Review
from ..models.profile import FIELD_DEFAULTS
from ..models.search_index import FTS_TABLE, MEMBER_FTS_TABLE, REVIEW_FTS_TABLE
from . import communities
from .diaries import visible_diaries
from .reviews import visible_reviews
from .visibility import not_blocked_clause, visible_clause

#: The shortest query the trigram index can answer.
INDEXED_MIN = 3
#: Longer queries are cut to this many characters.
QUERY_MAX = 100
#: Totals are counted up to this many; past it a page says "1,000+".
COUNT_CAP = 1000
#: Queries shorter than :data:`INDEXED_MIN` look among this many newest rows of each kind.
SHORT_WINDOW = 5_000

_SPACES = re.compile(r"\s+")


def normalise_query(query: str | None) -> str:
    """Return the query as searched: spaces (ideographic ones too) collapsed, at most
    :data:`QUERY_MAX` characters; ``""`` means no search."""
    return _SPACES.sub(" ", query or "").strip()[:QUERY_MAX]


def shown_total(total: int) -> tuple[int, bool]:
    """Return a search total as a page shows it: at most :data:`COUNT_CAP`, and whether there
    are more than that."""
    return min(total, COUNT_CAP), total > COUNT_CAP


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(col, query: str) -> ColumnElement[bool]:
    """Return a case-insensitive substring match of ``query`` as plain text, in any width."""
    return or_(*(col.ilike(f"%{_escape_like(q)}%", escape="\\") for q in width_variants(query)))


def _fts_phrases(query: str) -> str:
    """Return an FTS5 query matching any width of ``query``, each quoted as one phrase (a
    trigram phrase matches it as a substring; FTS syntax in it is plain text)."""
    return " OR ".join('"' + q.replace('"', '""') + '"' for q in width_variants(query))


def _indexed(query: str) -> bool:
    """Return whether the trigram index can answer ``query`` in all its widths."""
    return min(len(q) for q in width_variants(query)) >= INDEXED_MIN


def _uses_fts(query: str) -> bool:
    return _indexed(query) and db.session.get_bind().dialect.name == "sqlite"


def _from_fts(stmt: Select[Any], fts_name: str, id_col, query: str) -> Select[Any]:
    """Return ``stmt`` joined to the FTS5 table ``fts_name`` on ``id_col``, limited to its
    matches of ``query``, newest rowid first (FTS5 reads its matches in that order and stops
    with the page)."""
    fts = sql_table(fts_name, column("rowid"))
    return (
        stmt.join(fts, fts.c.rowid == id_col)
        .where(literal_column(fts_name).op("MATCH")(_fts_phrases(query)))
        .order_by(fts.c.rowid.desc())
    )


def _filtered(
    stmt: Select[Any], conditions: ColumnElement[bool], id_col, query: str
) -> Select[Any]:
    """Return ``stmt`` with ``conditions``, newest id first and, for a query too short for the
    trigram index, among the newest :data:`SHORT_WINDOW` ids of its table only.

    On SQLite a short query's conditions are wrapped in ``coalesce(..., false)``, which no
    index can answer, so the planner walks the id window backwards (stopping with the page)
    instead of gathering every row the visibility rule's ``OR`` admits through its indexes.
    """
    if not _indexed(query):
        newest = select(func.max(id_col)).scalar_subquery()
        if db.session.get_bind().dialect.name == "sqlite":
            conditions = func.coalesce(conditions, false())
        stmt = stmt.where(id_col > newest - SHORT_WINDOW)
    return stmt.where(conditions).order_by(id_col.desc())


def rows_and_capped_total(stmt: Select[Any], offset: int, limit: int) -> tuple[list[Any], int]:
    """Return rows ``offset`` to ``offset + limit`` of ``stmt`` (ordered) and how many rows it
    has, counted up to :data:`COUNT_CAP` + 1 only: one query (the capped count is a subquery
    run once beside the page) unless the range is past the end, which costs a count more. A
    select of one entity gives the entities, else row tuples; ``limit < 1``: the count alone."""
    capped = (
        select(func.count())
        .select_from(stmt.order_by(None).limit(COUNT_CAP + 1).subquery())
        .scalar_subquery()
    )
    if limit < 1:  # only the count is shown (phones' search sections)
        return [], db.session.scalar(select(capped)) or 0
    rows = db.session.execute(stmt.add_columns(capped).offset(offset).limit(limit)).all()
    if rows:
        shaped = [row[0] if len(row) == 2 else tuple(row[:-1]) for row in rows]
        return shaped, rows[0][-1]
    return [], 0 if offset == 0 else db.session.scalar(select(capped)) or 0


def search_diaries(
    viewer_id: int | None, query: str, offset: int, limit: int
) -> tuple[list[Diary], int]:
    """Return one page of the diaries the viewer may read that contain ``query``, newest first,
    and how many there are (counted up to :data:`COUNT_CAP` + 1).

    :param viewer_id: the searching member, or ``None`` for a visitor (public diaries only).
    :param query: the text to find in titles and bodies (see :func:`normalise_query`).
    :return: ``(diaries, total)``, their authors loaded; ``([], 0)`` for an empty query.
    """
    return _search_titled(Diary, visible_diaries(viewer_id), FTS_TABLE, query, offset, limit)


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
    """Return one page of the members whose nickname, area or hobbies contain ``query``, the
    newest members first, and how many there are (up to :data:`COUNT_CAP` + 1); members who
    blocked the viewer are missing.

    The area and the hobbies match, and are returned, only where the viewer may see them (the
    index finds a member whose any field matches; the fields are checked again here).
    """
    query = normalise_query(query)
    if not query:
        return [], 0
    area_ok, hobbies_ok = _field_visible(viewer_id, "area"), _field_visible(viewer_id, "hobbies")
    where = and_(
        not_blocked_clause(viewer_id, Member.id),
        Member.left_at.is_(None),  # 退会: gone from every list
        or_(
            _contains(Member.nickname, query),
            and_(area_ok, _contains(Profile.area, query)),
            and_(hobbies_ok, _contains(Profile.hobbies, query)),
        ),
    )
    stmt = select(
        Member,
        case((area_ok, Profile.area), else_=None),
        case((hobbies_ok, Profile.hobbies), else_=None),
    ).outerjoin(Profile, Profile.member_id == Member.id)
    if _uses_fts(query):
        stmt = _from_fts(stmt.where(where), MEMBER_FTS_TABLE, Member.id, query)
    else:
        stmt = _filtered(stmt, where, Member.id, query)
    rows, total = rows_and_capped_total(stmt, offset, limit)
    return [MemberHit(m, area, hobbies) for m, area, hobbies in rows], total


def search_reviews(
    viewer_id: int | None, query: str, offset: int, limit: int
) -> tuple[list[Review], int]:
    """Return one page of the reviews the viewer may read whose title or text contains
    ``query``, newest first, and how many there are (up to :data:`COUNT_CAP` + 1)."""
    return _search_titled(
        Review, visible_reviews(viewer_id), REVIEW_FTS_TABLE, query, offset, limit
    )


def _search_titled(model, visible_stmt, fts_table: str, query: str, offset: int, limit: int):
    """Search the ``title`` and ``body`` of diaries or reviews the viewer may read (the rows of
    ``visible_stmt``), newest first, through the trigram index ``fts_table`` when the query has
    three characters or more."""
    query = normalise_query(query)
    if not query:
        return [], 0
    stmt = select(model).options(joinedload(model.author))
    visible = visible_stmt.whereclause
    if _uses_fts(query):
        stmt = _from_fts(stmt.where(visible), fts_table, model.id, query)
    else:
        match = or_(_contains(model.title, query), _contains(model.body, query))
        stmt = _filtered(stmt, and_(visible, match), model.id, query)
    return rows_and_capped_total(stmt, offset, limit)


def search_communities(
    query: str, categories: tuple[str, ...], offset: int, limit: int
) -> tuple[list[Community], int]:
    """Return one page of the communities whose name contains ``query`` or whose category is
    one of ``categories`` (those whose name the query matches), the most members first."""
    query = normalise_query(query)
    if not query:
        return [], 0
    return communities.search(query, None, offset=offset, limit=limit, also_in=categories)


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

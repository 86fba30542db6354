"""Reviews (レビュー): written, edited and deleted by their author, read by members.

A member sees every review except those of members who blocked them (the same silence as
everywhere: those reviews are missing, and their pages answer 404).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..keitai.links import is_external_url
from ..models import Member, Review
from ..models._time import utcnow
from ..models.review import CATEGORIES, RATINGS
from . import ServiceError, text_limits
from .listing import Listing, listing
from .visibility import friend_ids, not_blocked_clause, visible_content

TITLE_MAX = 50
BODY_MAX = 1000
#: The most bytes a review's text may take as shown on a phone (a review fits one page).
BODY_PHONE_BYTES = 2 * BODY_MAX
URL_MAX = 255
#: A link: http(s) and printable ASCII only (a Japanese address is sent percent-encoded).
_URL = re.compile(r"https?://[!-~]+", re.IGNORECASE)


@dataclass
class ReviewFields:
    """What a review says, as checked by :func:`check`."""

    title: str
    category: str
    rating: int
    url: str | None
    body: str


def check(*, title: str, category: str, rating: object, url: str | None, body: str) -> ReviewFields:
    """Return the review's fields cleaned, or say what is wrong.

    :raise ServiceError: for an empty or too long title or text, an unknown category, a rating
        outside 1-5, or a link that is not an http(s) address.
    """
    title, body = text_limits.title_and_body(
        title or "", body or "", title_max=TITLE_MAX, body_max=BODY_MAX
    )
    url = (url or "").strip()
    text_limits.require_fits(body, BODY_PHONE_BYTES, "body", rich=True)
    if category not in CATEGORIES:
        raise ServiceError(_l("Please choose from the list."), "category")
    try:
        stars = int(str(rating))
    except ValueError:
        stars = 0
    if stars not in RATINGS:
        raise ServiceError(_l("Please choose from the list."), "rating")
    if url and (len(url) > URL_MAX or not _URL.fullmatch(url) or not is_external_url(url)):
        raise ServiceError(
            _l("Please enter a web address starting with http:// or https://."), "url"
        )
    return ReviewFields(title, category, stars, url or None, body)


def create(author: Member, *, created_at: datetime | None = None, **fields) -> Review:
    """Write a review (``title``, ``category``, ``rating``, ``url``, ``body``).

    :raise ServiceError: as :func:`check`.
    """
    checked = check(**fields)
    now = created_at or utcnow()
    review = Review(author_id=author.id, created_at=now, updated_at=now, **vars(checked))
    db.session.add(review)
    db.session.flush()
    return review


def update(member: Member, review: Review, **fields) -> None:
    """Edit a review (its author only).

    :raise ServiceError: when ``member`` is not the author, or as :func:`check`.
    """
    _own(member, review)
    for name, value in vars(check(**fields)).items():
        setattr(review, name, value)
    review.updated_at = utcnow()


def delete(member: Member, review: Review) -> None:
    """Delete a review (its author only)."""
    _own(member, review)
    db.session.delete(review)
    db.session.flush()


def _own(member: Member, review: Review) -> None:
    if review.author_id != member.id:
        raise ServiceError(_l("Only the author can change this review."))


def own_review(member: Member, review_id: int) -> Review | None:
    """Return ``member``'s own review with this id (to edit), else ``None``."""
    review = db.session.get(Review, review_id)
    return review if review is not None and review.author_id == member.id else None


def visible_reviews(viewer_id: int | None):
    """Return a ``select(Review)`` without the reviews of members who blocked the viewer,
    nor those the operators hid (unless the viewer wrote them or is one)."""
    return select(Review).where(
        not_blocked_clause(viewer_id, Review.author_id), visible_content(Review, viewer_id)
    )


def get_visible(review_id: int, viewer_id: int | None) -> Review | None:
    """Return the review if it exists and the viewer may read it (else ``None``: a 404)."""
    return db.session.scalar(visible_reviews(viewer_id).where(Review.id == review_id))


def count_of(author: Member, viewer_id: int | None) -> int:
    """Return how many of ``author``'s reviews the viewer may read."""
    stmt = visible_reviews(viewer_id).where(Review.author_id == author.id)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def list_of(
    author: Member, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> list[Review]:
    """Return a page of ``author``'s reviews the viewer may read, newest first."""
    stmt = (
        visible_reviews(viewer_id)
        .where(Review.author_id == author.id)
        .order_by(Review.created_at.desc(), Review.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def page_of(
    author: Member, viewer_id: int | None, number: object, per_page: int
) -> Listing[Review]:
    """Return page ``number`` of ``author``'s reviews the viewer may read, newest first."""
    return listing(
        count_of(author, viewer_id), number, per_page, partial(list_of, author, viewer_id)
    )


def friends_newest(member: Member, limit: int) -> list[Review]:
    """Return the newest reviews of ``member``'s friends (home)."""
    stmt = friends_newest_query(member, limit).options(joinedload(Review.author))
    return list(db.session.scalars(stmt))


def friends_newest_query(member: Member, limit: int):
    """The ``select(Review)`` of :func:`friends_newest`, newest first (home's feed)."""
    return (
        visible_reviews(member.id)
        .where(Review.author_id.in_(friend_ids(member.id)))
        .order_by(Review.created_at.desc(), Review.id.desc())
        .limit(limit)
    )

"""Reviews (レビュー): a member's short recommendation of a book, CD, film or game."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._labels import LabelledChoice
from ._time import utcnow
from .member import Member


class ReviewCategory(LabelledChoice):
    """What a review is about, in the order the category select lists them."""

    BOOK = "book", _l("Book")
    MUSIC = "music", _l("CD / music")
    FILM = "film", _l("DVD / film")
    GAME = "game", _l("Game")
    OTHER = "other", _l("Other")


#: The stored texts of the categories, in order.
CATEGORIES = ReviewCategory.values()
#: Ratings run from 1 to 5 stars.
RATINGS = (1, 2, 3, 4, 5)


class Review(Model):
    """A review by ``author``: a title, a category, a rating, the text, an optional link."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_author_created", "author_id", "created_at"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(8))
    #: An off-site page about the thing (shown through the jump page), or ``None``.
    url: Mapped[str | None] = mapped_column(String(300))
    rating: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Hidden by the operators (after a report): only its author and operators see it
    #: (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    author: Mapped[Member] = relationship()

"""Diaries (日記), their comments, and who has read how far."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member
from .profile import PUBLIC


class Diary(Model):
    """A diary entry. ``visibility`` is one of ``public``, ``fof``, ``friends``, ``private``."""

    __tablename__ = "diaries"
    __table_args__ = (
        Index("ix_diaries_author_created", "author_id", "created_at"),
        Index("ix_diaries_visibility_created", "visibility", "created_at"),
        UniqueConstraint("author_id", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(8), default=PUBLIC)
    comments_closed: Mapped[bool] = mapped_column(default=False)
    #: The highest comment number so far (comments are numbered 1, 2, 3... per diary).
    last_comment_number: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: For entries imported from an external blog: the feed entry's id (duplicates skipped).
    source_id: Mapped[str | None] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    #: Hidden by the operators (after a report): only its author and operators see it
    #: (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    author: Mapped[Member] = relationship()


class DiaryComment(Model):
    """A numbered comment on a diary."""

    __tablename__ = "diary_comments"
    __table_args__ = (
        UniqueConstraint("diary_id", "number"),
        Index("ix_diary_comments_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    diary_id: Mapped[int] = mapped_column(ForeignKey("diaries.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Hidden by the operators (after a report): only its author and operators see it
    #: (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    author: Mapped[Member] = relationship()
    diary: Mapped[Diary] = relationship()


class DiaryWatch(Model):
    """A member following a diary's comments: its author, and everyone who commented on it.

    ``seen_number`` is the last comment number the member has seen; a diary whose
    ``last_comment_number`` is higher has new comments for them (shown on home).
    """

    __tablename__ = "diary_watches"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    diary_id: Mapped[int] = mapped_column(
        ForeignKey("diaries.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    seen_number: Mapped[int] = mapped_column(default=0)


class BlogFeed(Model):
    """An external blog's RSS/Atom feed whose new entries become the member's diaries."""

    __tablename__ = "blog_feeds"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    visibility: Mapped[str] = mapped_column(String(8), default=PUBLIC)
    last_fetched_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    imported_count: Mapped[int] = mapped_column(default=0)

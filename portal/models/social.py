"""The social graph besides friendships: requests, introductions, blocks, favourites,
footprints."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member


class FriendRequest(Model):
    """A pending マイミク request with its message; approving or declining removes it."""

    __tablename__ = "friend_requests"
    __table_args__ = (UniqueConstraint("sender_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sender: Mapped[Member] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Member] = relationship(foreign_keys=[recipient_id])


class Introduction(Model):
    """A 紹介文: what a friend wrote about a member, shown on that member's profile."""

    __tablename__ = "introductions"

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    author_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Member] = relationship(foreign_keys=[author_id])


class Block(Model):
    """``blocker_id`` blocked ``blocked_id``: silently, the blocked member sees none of it."""

    __tablename__ = "blocks"

    blocker_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    blocked_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Favorite(Model):
    """お気に入り: ``member_id`` follows ``favorite_id`` one way, without asking; the favourite
    is never told (nothing of it shows on their pages)."""

    __tablename__ = "favorites"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    favorite_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    favorite: Mapped[Member] = relationship(foreign_keys=[favorite_id])


class Footprint(Model):
    """足あと: one row per visitor per visited member per day (Asia/Tokyo), latest time kept."""

    __tablename__ = "footprints"
    __table_args__ = (Index("ix_footprints_visited_recent", "visited_id", "visited_at"),)

    visited_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    visitor_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    visited_at: Mapped[datetime]

    visitor: Mapped[Member] = relationship(foreign_keys=[visitor_id])

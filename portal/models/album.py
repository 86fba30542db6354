"""Photo albums (フォトアルバム): a member's titled set of photos with one visibility."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member


class Album(Model):
    """An album: title, description, a visibility (the four levels, as diaries), a cover and
    photos (:class:`~portal.models.Photo` rows with ``album_id``, each with its caption).

    ``cover_photo_id`` names one of its photos (no foreign key: albums and photos would point
    at each other); when that photo is gone, the first photo is the cover.
    ``mail_token`` makes the album's posting address (``a.<token>@MAIL_POST_DOMAIN``).
    """

    __tablename__ = "albums"
    __table_args__ = (Index("ix_albums_owner_created", "owner_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default="public")
    cover_photo_id: Mapped[int | None]
    mail_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[Member] = relationship()

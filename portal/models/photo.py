"""Photos: uploaded images and the resized copies each rendering needs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class Photo(Model):
    """An image a member uploaded, attached to one thing: a diary, a community topic, a
    community (its image), a member's profile (up to three; ``position`` 1 is the main one), or
    an album (with a caption; ``position`` orders them).

    Who may see it follows what it is attached to (a diary's visibility, a topic's community
    rule, the profile's ``photo_visibility``, an album's visibility), everywhere, including its
    own URL (``portal.services.photos.visible_photo``).
    """

    __tablename__ = "photos"
    #: SQLite never reuses a deleted photo's id (a cached photo URL never shows another one).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    diary_id: Mapped[int | None] = mapped_column(
        ForeignKey("diaries.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    #: Set on a community's own image (one per community).
    community_id: Mapped[int | None] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), index=True
    )
    #: Set on a member's profile photos (three at most; position 1 is the main photo).
    profile_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    #: Set on a photo of an album (:class:`~portal.models.Album`), with its caption.
    album_id: Mapped[int | None] = mapped_column(
        ForeignKey("albums.id", ondelete="CASCADE"), index=True
    )
    caption: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=1)
    width: Mapped[int]
    height: Mapped[int]
    #: Bytes stored for this photo, all variants included (counts against the plan's storage).
    stored_bytes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PhotoVariant(Model):
    """One stored encoding of a photo: the sanitized original, the PC size, phone sizes."""

    __tablename__ = "photo_variants"

    photo_id: Mapped[int] = mapped_column(
        ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True
    )
    #: e.g. ``original``, ``pc``, ``thumb``, or a phone key such as ``gif-120-2560``.
    variant: Mapped[str] = mapped_column(String(40), primary_key=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)

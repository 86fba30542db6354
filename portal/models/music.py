"""Music (mixi ミュージック): listens scrobbled through the ListenBrainz API, the members' API
tokens, and what each member is playing now."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class ListenToken(Model):
    """A member's token for the ListenBrainz API (``Authorization: Token <token>``). Only the
    SHA-256 of it is stored; making a new one replaces it."""

    __tablename__ = "listen_tokens"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Listen(Model):
    """One track a member listened to (a ``single`` or ``import`` listen). A listen sent twice
    (same time and track) is kept once, as ListenBrainz does."""

    __tablename__ = "listens"
    __table_args__ = (
        UniqueConstraint("member_id", "listened_at", "track_name"),
        Index("ix_listens_listened_at", "listened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    listened_at: Mapped[datetime]
    artist_name: Mapped[str] = mapped_column(String(200))
    track_name: Mapped[str] = mapped_column(String(200))
    release_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NowPlaying(Model):
    """The track a member's player said is playing (``playing_now``), until ``expires_at``."""

    __tablename__ = "now_playing"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    artist_name: Mapped[str] = mapped_column(String(200))
    track_name: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]

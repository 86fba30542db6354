"""Invitations: single-use signup links that members hand to friends."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member


class Invitation(Model):
    """One invitation link. ``token`` is the secret in the link; it works once until expiry."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    inviter_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    #: A note for the inviter ("for Ken from the office"); never shown to anyone else.
    note: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]

    inviter: Mapped[Member] = relationship(foreign_keys=[inviter_id])
    used_by: Mapped[Member | None] = relationship(foreign_keys=[used_by_id])

    def is_usable(self, now: datetime) -> bool:
        """Return whether the link can still be used to sign up at ``now``.

        ``used_at`` marks it used for good (the member it made may leave later)."""
        return self.used_at is None and self.used_by_id is None and self.expires_at > now

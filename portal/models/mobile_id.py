"""Carrier subscriber IDs registered for easy login (かんたんログイン)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class MobileId(Model):
    """A phone a member registered: its carrier and a keyed hash of the subscriber ID.

    The ID itself is never stored; ``digest`` is an HMAC under the app's secret, so a leaked
    table cannot be replayed as headers.
    """

    __tablename__ = "mobile_ids"
    __table_args__ = (UniqueConstraint("carrier", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

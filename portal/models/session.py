"""Server-side sessions: the row behind a session id, whether it came by cookie or by URL."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class StoredSession(Model):
    """A session's data. The primary key is a SHA-256 of the id, so a leaked table opens nothing."""

    __tablename__ = "sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    #: SHA-256 of the User-Agent and gateway carrier a URL-carried session is bound to, else
    #: ``None`` (cookie sessions).
    binding_hash: Mapped[str | None] = mapped_column(String(64))
    #: HMAC of the subscriber ID a URL-carried session is bound to, when the phone sent one.
    subscriber_hash: Mapped[str | None] = mapped_column(String(64))
    #: The member logged in with this session (no foreign key: a session saved after its member
    #: was deleted must not fail the request), so all their sessions can be ended at once.
    member_id: Mapped[int | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)

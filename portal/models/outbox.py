"""The mail outbox: notices waiting to be sent by the task queue.

A row is written in the same transaction as the action that causes the notice, so a rolled-back
request leaves none, and a queue (or Redis) that is down loses none: the row waits until a
consumer delivers it. ``key`` makes each mail unique (an idempotency key): a task that runs twice
claims the row once and sends it once.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class OutboxMail(Model):
    """One notice to one member: the English msgids and parameters, translated when sent."""

    __tablename__ = "outbox_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    lines: Mapped[list] = mapped_column(JSON)
    params: Mapped[dict] = mapped_column(JSON)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Tries so far; a consumer holds the row until ``claimed_until`` while it sends.
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    #: Set when the last retry failed too (the mail is given up, and logged).
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.key!r}>"

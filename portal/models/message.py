"""Messages (メッセージ) between two members, each side with its own folder state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member

#: The sender's side: still being written, sent, in the sender's trash, gone for the sender.
DRAFT, SENT, TRASHED, DELETED = "draft", "sent", "trashed", "deleted"
#: The recipient's side (``None`` while the message is a draft): in the inbox, in the
#: recipient's trash, or gone for the recipient (``TRASHED`` and ``DELETED`` as above).
INBOX = "inbox"


class Message(Model):
    """A message from ``sender`` to ``recipient``.

    Sender and recipient each keep it in their own folders: ``sender_state`` is one of
    ``draft``, ``sent``, ``trashed``, ``deleted``; ``recipient_state`` is ``None`` for a draft,
    then ``inbox``, ``trashed`` or ``deleted``. The row goes when both sides deleted it (a
    draft, when its writer deletes it). ``created_at`` is when it was sent (for a draft: last
    saved).
    """

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_recipient_folder", "recipient_id", "recipient_state", "created_at"),
        Index("ix_messages_sender_folder", "sender_id", "sender_state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    #: ``None`` only for a draft whose recipient is not chosen yet.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the recipient first opened it (``None``: unread).
    read_at: Mapped[datetime | None]
    #: The message this one answers (kept only while that one exists).
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    sender_state: Mapped[str] = mapped_column(String(8), default=DRAFT)
    sender_trashed_at: Mapped[datetime | None]
    recipient_state: Mapped[str | None] = mapped_column(String(8))
    recipient_trashed_at: Mapped[datetime | None]

    sender: Mapped[Member] = relationship(foreign_keys=[sender_id])
    recipient: Mapped[Member | None] = relationship(foreign_keys=[recipient_id])

    @property
    def is_draft(self) -> bool:
        """Whether the message has not been sent yet."""
        return self.sender_state == DRAFT

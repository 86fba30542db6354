"""Secret addresses for posting diaries by e-mail (メール投稿)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class MailPostAddress(Model):
    """A member's posting address: ``<prefix><token>@<MAIL_POST_DOMAIN>``.

    The token is the secret (anyone who knows the address can post as the member), random and
    lower-case; renewing it replaces the row's token, so the old address stops working.
    """

    __tablename__ = "mail_post_addresses"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailReceipt(Model):
    """A mail already posted to a profile-photo or album address, by its ``Message-ID``.

    MTAs deliver a mail again when they did not hear it was taken (a lost reply, a retry after
    a time-out), with the same ``Message-ID``; the receipt makes the second delivery a no-op.
    ``target`` names where it went (``photo``, ``album:<id>``), so one mail sent to two of the
    member's addresses is posted to each. Diaries carry the Message-ID themselves
    (``Diary.source_id``).
    """

    __tablename__ = "mail_receipts"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: SHA-256 (hex) of the Message-ID as the mail carried it, spaces removed.
    message_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

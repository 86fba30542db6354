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

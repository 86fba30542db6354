"""Links answered to an empty mail (空メール): a signup link for a keitai address, or a
one-time login link for a member."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow

#: The kinds of link: signing up with the address, or logging in as its member.
SIGNUP, LOGIN = "signup", "login"


class MailLink(Model):
    """A link mailed in answer to an empty mail. Only the SHA-256 of its secret is stored; it
    works once, until ``expires_at``. ``address`` is the envelope sender the answer went to (the
    address a signup takes, and what the answers per address are counted by)."""

    __tablename__ = "mail_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254), index=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

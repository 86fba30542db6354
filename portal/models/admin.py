"""What operators work with: site settings, their action log, abuse reports and notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ._time import utcnow
from .member import Member

#: What members can report, by the ``type`` of ``/report?type=<kind>&id=<id>``.
REPORT_KINDS = (
    "profile",
    "diary",
    "diary_comment",
    "topic",
    "topic_comment",
    "event_comment",
    "review",
    "message",
)
#: Why a member reports something (labels in ``portal.forms.admin``).
REPORT_REASONS = ("spam", "harassment", "obscene", "privacy", "other")
#: A report waits in the queue while ``open``; an operator's decision closes it.
OPEN, CLOSED = "open", "closed"


class SiteSetting(Model):
    """A setting operators change on the admin pages; it overrides the configuration's
    default of the same name (``portal.services.site_settings``)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class OperatorLog(Model):
    """One operator action: who did what to which thing, and when."""

    __tablename__ = "operator_log"
    __table_args__ = (Index("ix_operator_log_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40))
    #: ``member``, ``notice``, ``setting``, ``report`` or a report kind (``diary``...).
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    operator: Mapped[Member | None] = relationship()


class Report(Model):
    """A member's report of something another member wrote (``kind`` and ``target_id``).

    ``excerpt`` keeps what the reported thing said when it was reported, so operators can
    judge a message or an entry they could not otherwise read, or one changed since.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_created", "status", "created_at"),
        Index("ix_reports_target", "kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int]
    #: The member who wrote the reported thing.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(String(1000))
    excerpt: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default=OPEN, server_default=OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))

    reporter: Mapped[Member | None] = relationship(foreign_keys=[reporter_id])
    author: Mapped[Member | None] = relationship(foreign_keys=[author_id])


class Notice(Model):
    """An operators' notice (お知らせ), shown on every member's home while it is active:
    from ``starts_at`` (or always) until before ``ends_at`` (or for good), naive UTC."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_starts", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

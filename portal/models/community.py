"""Communities (コミュニティ): members and roles, join requests, topics (トピック) with numbered
comments, events (イベント) with participants, and members' own calendar entries."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..extensions import Model
from ._labels import LabelledChoice
from ._time import utcnow
from .member import Member


class CommunityCategory(LabelledChoice):
    """A community's category (Mixi's categories, in Japanese in the catalogue), in the order
    the category select lists them."""

    MUSIC = "music", _l("Music")
    MOVIES = "movies", _l("Movies")
    TV = "tv", _l("TV programmes")
    BOOKS = "books", _l("Books and manga")
    GAMES = "games", _l("Games")
    SPORTS = "sports", _l("Sports")
    FOOD = "food", _l("Food and drink")
    TRAVEL = "travel", _l("Travel")
    AREA = "area", _l("Places and areas")
    SCHOOL = "school", _l("Schools")
    WORK = "work", _l("Companies and groups")
    HOBBIES = "hobbies", _l("Hobbies")
    ANIMALS = "animals", _l("Pets and animals")
    FASHION = "fashion", _l("Fashion and beauty")
    COMPUTERS = "computers", _l("Computers and the internet")
    OTHER = "other", _l("Other")


#: The stored texts of the categories, in order.
CATEGORIES = CommunityCategory.values()

#: Join policies: anyone may join, or the admin (or a sub-admin) approves each request.
OPEN, APPROVAL = "open", "approval"
JOIN_POLICIES = (OPEN, APPROVAL)
#: Roles in a community, highest first. There is exactly one admin (管理人).
ADMIN, SUBADMIN, MEMBER = "admin", "subadmin", "member"
ROLES = (ADMIN, SUBADMIN, MEMBER)
#: Who may start topics and events: every member, or the admin and sub-admins only.
MEMBERS, MANAGERS = "members", "managers"
TOPIC_CREATORS = (MEMBERS, MANAGERS)


class Community(Model):
    """A community. Its admin is the :class:`CommunityMember` row with the ``admin`` role."""

    __tablename__ = "communities"
    __table_args__ = (
        Index("ix_communities_category_members", "category", "member_count"),
        Index("ix_communities_member_count", "member_count"),
        Index("ix_communities_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    join_policy: Mapped[str] = mapped_column(String(8), default=OPEN, server_default=OPEN)
    #: Whether members who have not joined may read the topics and events.
    topics_public: Mapped[bool] = mapped_column(default=True, server_default=true())
    topic_creators: Mapped[str] = mapped_column(String(8), default=MEMBERS, server_default=MEMBERS)
    #: How many members joined (kept by the join and leave updates, for "popular" lists).
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommunityMember(Model):
    """A member of a community, with their role."""

    __tablename__ = "community_members"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(8), default=MEMBER)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()


class JoinRequest(Model):
    """A request to join a community that admits members by approval."""

    __tablename__ = "community_join_requests"

    community_id: Mapped[int] = mapped_column(
        ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class Topic(Model):
    """A bulletin-board topic (トピック) in a community."""

    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_community_activity", "community_id", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    #: The highest comment number so far (comments are numbered 1, 2, 3... per topic).
    last_comment_number: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the topic was written or last commented on (topic lists are newest activity first).
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Hidden by the operators (after a report): only its author and operators see it
    #: (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    author: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()


class _NumberedComment:
    """What a numbered comment has, on a topic or an event (``portal.services.numbered_comments``):
    its number in its thread, its author and text, and the operators' hiding."""

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Hidden by the operators (after a report): only its author and operators see it
    #: (``portal.services.visibility.visible_content``).
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())

    @declared_attr
    def author(cls) -> Mapped[Member]:  # noqa: N805 (a declared_attr takes the class)
        return relationship()


class TopicComment(_NumberedComment, Model):
    """A numbered comment on a topic."""

    __tablename__ = "topic_comments"
    __table_args__ = (UniqueConstraint("topic_id", "number"),)

    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))


class Event(Model):
    """An event (イベント): when (naive UTC, shown in Asia/Tokyo), where, until when members may
    join and how many.

    ``joined`` counts the participants; joining raises it with one conditional update that
    never passes ``capacity``, so the capacity holds however many join at once.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_community_starts", "community_id", "starts_at"),
        Index("ix_events_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(100))
    #: The last day (in Japan) members may join; ``None``: until the event starts.
    deadline: Mapped[date | None]
    #: The most participants; ``None``: no limit.
    capacity: Mapped[int | None]
    joined: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The highest comment number so far (comments are numbered 1, 2, 3... per event).
    last_comment_number: Mapped[int] = mapped_column(default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Member] = relationship()
    community: Mapped[Community] = relationship()


class EventParticipant(Model):
    """A member taking part in an event (one row per member and event)."""

    __tablename__ = "event_participants"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member] = relationship()


class EventComment(_NumberedComment, Model):
    """A numbered comment on an event (questions, "I'll bring the drinks")."""

    __tablename__ = "event_comments"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))


class ScheduleEntry(Model):
    """A member's own calendar entry (予定), seen only by them.

    ``starts_at`` is naive UTC like every stored time; an entry without a time of day
    (``has_time`` false) starts at midnight in Japan of its day.
    """

    __tablename__ = "schedule_entries"
    __table_args__ = (Index("ix_schedule_entries_member_starts", "member_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime]
    has_time: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

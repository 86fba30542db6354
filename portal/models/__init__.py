"""Database models, one module per domain. Import them all so metadata is complete."""

from .admin import Notice, OperatorLog, Report, SiteSetting
from .album import Album
from .community import (
    Community,
    CommunityMember,
    Event,
    EventComment,
    EventParticipant,
    JoinRequest,
    ScheduleEntry,
    Topic,
    TopicComment,
)
from .diary import BlogFeed, Diary, DiaryComment, DiaryWatch
from .friendship import Friendship
from .invitation import Invitation
from .mail_link import MailLink
from .mail_post import MailPostAddress, MailReceipt
from .member import Member
from .message import Message
from .mobile_id import MobileId
from .music import Listen, ListenToken, NowPlaying
from .outbox import OutboxMail
from .password_reset import PasswordReset
from .photo import Photo, PhotoVariant
from .profile import Profile
from .reading import TextReading
from .review import Review
from .session import StoredSession
from .social import Block, Favorite, Footprint, FriendRequest, Introduction

__all__ = [
    "Album",
    "BlogFeed",
    "Block",
    "Community",
    "CommunityMember",
    "Diary",
    "DiaryComment",
    "DiaryWatch",
    "Event",
    "EventComment",
    "EventParticipant",
    "Favorite",
    "Footprint",
    "FriendRequest",
    "Friendship",
    "Introduction",
    "Invitation",
    "JoinRequest",
    "MailLink",
    "MailPostAddress",
    "MailReceipt",
    "Member",
    "Listen",
    "ListenToken",
    "Message",
    "MobileId",
    "PasswordReset",
    "Notice",
    "NowPlaying",
    "OperatorLog",
    "OutboxMail",
    "Photo",
    "PhotoVariant",
    "Profile",
    "Report",
    "Review",
    "ScheduleEntry",
    "TextReading",
    "SiteSetting",
    "StoredSession",
    "Topic",
    "TopicComment",
]

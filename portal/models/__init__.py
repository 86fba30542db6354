"""Database models, one module per domain. Import them all so metadata is complete."""

from .diary import BlogFeed, Diary, DiaryComment, DiaryWatch
from .friendship import Friendship
from .invitation import Invitation
from .member import Member
from .mobile_id import MobileId
from .photo import Photo, PhotoVariant
from .profile import Profile
from .session import StoredSession
from .social import Block, Footprint, FriendRequest, Introduction

__all__ = [
    "BlogFeed",
    "Block",
    "Diary",
    "DiaryComment",
    "DiaryWatch",
    "Footprint",
    "FriendRequest",
    "Friendship",
    "Introduction",
    "Invitation",
    "Member",
    "MobileId",
    "Photo",
    "PhotoVariant",
    "Profile",
    "StoredSession",
]

"""Database models, one module per domain. Import them all so metadata is complete."""

from .friendship import Friendship
from .invitation import Invitation
from .member import Member
from .mobile_id import MobileId
from .profile import Profile
from .session import StoredSession
from .social import Block, Footprint, FriendRequest, Introduction

__all__ = [
    "Block",
    "Footprint",
    "FriendRequest",
    "Friendship",
    "Introduction",
    "Invitation",
    "Member",
    "MobileId",
    "Profile",
    "StoredSession",
]

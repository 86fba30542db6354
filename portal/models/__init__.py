"""Database models, one module per domain. Import them all so metadata is complete."""

from .friendship import Friendship
from .invitation import Invitation
from .member import Member
from .mobile_id import MobileId
from .session import StoredSession

__all__ = ["Friendship", "Invitation", "Member", "MobileId", "StoredSession"]

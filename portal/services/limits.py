"""Plan limits, in one place: what the premium plan (granted by operators) lifts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..models import Member


@dataclass(frozen=True)
class Limits:
    """The limits that apply to one member."""

    #: How many days of footprints the member can see.
    footprint_days: int
    #: Photo storage in bytes (used by the photo features).
    photo_bytes: int
    #: How long messages in the trash are kept, in days (used by messages).
    trash_days: int
    #: Photo albums a member may keep, and photos in one album (フォトアルバム).
    albums: int = 10
    photos_per_album: int = 50


STANDARD = Limits(footprint_days=30, photo_bytes=100 * 1024 * 1024, trash_days=30)
PREMIUM = Limits(
    footprint_days=90,
    photo_bytes=1024 * 1024 * 1024,
    trash_days=180,
    albums=100,
    photos_per_album=200,
)


def limits_for(member: Member) -> Limits:
    """Return the limits of ``member``'s plan."""
    return PREMIUM if member.is_premium else STANDARD


def plans():
    """Return each plan's limits with a subquery of its members' ids (for set-based jobs,
    e.g. purging each member's trash after their plan's ``trash_days``)."""
    return (
        (STANDARD, select(Member.id).where(Member.is_premium.is_(False))),
        (PREMIUM, select(Member.id).where(Member.is_premium.is_(True))),
    )

"""The home page's content, gathered in one place so both renderings show the same."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Member
from .friends import friend_count, friends_with_counts


@dataclass
class HomePage:
    """What a member's home shows. Sections arrive with their features (diaries, messages...)."""

    member: Member
    friend_total: int
    friends: list[tuple[Member, int]] = field(default_factory=list)


def home_for(member: Member, sizes) -> HomePage:
    """Gather the home page of ``member``.

    :param sizes: the rendering's page sizes (:class:`portal.rendering.Sizes`).
    """
    return HomePage(
        member=member,
        friend_total=friend_count(member.id),
        friends=friends_with_counts(member.id, limit=sizes.home_friends),
    )

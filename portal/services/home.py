"""The home page's content, gathered in one place so both renderings show the same.

Sections arrive with their features: diaries, community updates, comments, messages and
operator notices plug in here as fields of :class:`HomePage`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import extract, func, or_, select, tuple_

from ..extensions import db
from ..models import Friendship, Member, Profile
from ..models._time import tokyo_today
from ..models.profile import FIELD_DEFAULTS
from . import (
    albums,
    comments,
    communities,
    diaries,
    favorites,
    footprints,
    messages,
    notices,
    photos,
    reviews,
    social,
    topics,
)
from .friends import friend_count, friends_with_counts
from .profiles import ProfileView, view_profile
from .visibility import visible_clause


@dataclass
class Birthday:
    """A friend's birthday in the coming week."""

    member: Member
    day: date


#: Characters of my self-introduction shown in my column.
SUMMARY_CHARS = 60


@dataclass
class MyColumn:
    """My column on a PC home: my profile in short, my communities with their images."""

    profile: ProfileView
    #: The start of my self-introduction (``SUMMARY_CHARS``, "…" when cut), or "".
    introduction: str
    #: ``(community, image photo id or None)``, newest joined first.
    communities: list[tuple] = field(default_factory=list)
    community_total: int = 0


@dataclass
class HomePage:
    """What a member's home shows."""

    member: Member
    friend_total: int
    friends: list[tuple[Member, int]] = field(default_factory=list)
    pending_requests: int = 0
    new_footprints: int = 0
    birthdays: list[Birthday] = field(default_factory=list)
    #: Friends' newest diaries the member may read (each knows its ``comment_count``).
    friend_diaries: list = field(default_factory=list)
    #: My favourites' newest diaries I may read (お気に入り).
    favorite_diaries: list = field(default_factory=list)
    #: Friends' new photo albums I may see (each knows its ``owner``).
    friend_albums: list = field(default_factory=list)
    #: Diaries with comments the member has not seen: ``(diary, new_count)``.
    unread_comments: list = field(default_factory=list)
    #: Unread messages in the inbox.
    unread_messages: int = 0
    #: Friends' newest reviews (each knows its ``author``).
    friend_reviews: list = field(default_factory=list)
    #: Topics of my communities with new topics or comments, latest first (each knows its
    #: ``community``).
    community_topics: list = field(default_factory=list)
    #: The operators' notices active now, newest first.
    notices: list = field(default_factory=list)
    #: My column (PCs only: ``sizes.home_communities``), else ``None``.
    column: MyColumn | None = None


def home_for(member: Member, sizes) -> HomePage:
    """Gather the home page of ``member``.

    :param sizes: the rendering's page sizes (:class:`portal.rendering.Sizes`).
    """
    return HomePage(
        member=member,
        friend_total=friend_count(member.id),
        friends=friends_with_counts(member.id, limit=sizes.home_friends),
        pending_requests=social.pending_count(member),
        new_footprints=footprints.new_count(member),
        birthdays=birthdays_this_week(member),
        friend_diaries=diaries.friends_newest(member, sizes.home_diaries),
        favorite_diaries=favorites.newest_diaries(member, sizes.home_favorite_diaries),
        friend_albums=albums.friends_newest(member, sizes.home_albums),
        unread_comments=comments.unread(member, sizes.home_diaries),
        unread_messages=messages.unread_count(member),
        friend_reviews=reviews.friends_newest(member, sizes.home_reviews),
        community_topics=topics.updates_for(member, sizes.home_topics),
        notices=notices.active(sizes.home_notices),
        column=my_column(member, sizes.home_communities) if sizes.home_communities else None,
    )


def my_column(member: Member, community_limit: int) -> MyColumn:
    """Gather my column: my profile as I see it, my newest communities with their images."""
    profile = view_profile(member, member.id)
    intro = " ".join((profile.introduction or "").split())
    if len(intro) > SUMMARY_CHARS:
        intro = intro[: SUMMARY_CHARS - 1] + "…"
    joined, total = communities.joined_by(member.id, limit=community_limit)
    images = photos.community_images(c.id for c in joined)
    return MyColumn(
        profile=profile,
        introduction=intro,
        communities=[(c, images.get(c.id)) for c in joined],
        community_total=total,
    )


def birthdays_this_week(member: Member, today: date | None = None) -> list[Birthday]:
    """Return friends whose birthday falls in the next seven days and who show it to friends."""
    today = today or tokyo_today()
    days = [today + timedelta(days=n) for n in range(7)]
    month_day = tuple_(extract("month", Member.birth_date), extract("day", Member.birth_date))
    visibility = func.coalesce(Profile.birthday_visibility, FIELD_DEFAULTS["birthday"])
    stmt = (
        select(Member)
        .join(Friendship, Friendship.friend_id == Member.id)
        .outerjoin(Profile, Profile.member_id == Member.id)
        .where(
            Friendship.member_id == member.id,
            or_(*(month_day == (d.month, d.day) for d in days)),
            visible_clause(member.id, Member.id, visibility),
        )
    )
    found = []
    for friend in db.session.scalars(stmt):
        upcoming = next(
            d for d in days if (d.month, d.day) == (friend.birth_date.month, friend.birth_date.day)
        )
        found.append(Birthday(friend, upcoming))
    return sorted(found, key=lambda b: (b.day, b.member.id))

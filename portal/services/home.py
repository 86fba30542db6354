"""The home page's content, gathered in one place so both renderings show the same.

Sections arrive with their features: diaries, community updates, comments, messages and
operator notices plug in here as fields of :class:`HomePage`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import literal, select

from ..extensions import db
from ..models import Album, Diary, Member, Profile, Review, Topic
from ..models._time import tokyo_today
from . import (
    albums,
    communities,
    diaries,
    diary_comments,
    favorites,
    footprints,
    home_feed,
    messages,
    notices,
    photos,
    reviews,
    social,
    topics,
)
from .friends import birth_month_day, friends_with_counts, showing_birthday
from .home_feed import Section
from .profiles import ProfileView, build_view
from .visibility import SELF


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
    """Gather the home page of ``member``: the session and the member, my facts (my friends,
    new footprints, my profile on PCs), my friends, their birthdays, every feed section (one
    statement: :mod:`.home_feed`) and on PCs my communities.

    :param sizes: the rendering's page sizes (:class:`portal.rendering.Sizes`).
    """
    column = bool(sizes.home_communities)
    profile, new_footprints = _my_facts(member, with_profile=column)
    feed = home_feed.read(_sections(member, sizes))
    return HomePage(
        member=member,
        friend_total=member.friend_total,
        friends=friends_with_counts(member.id, limit=sizes.home_friends),
        pending_requests=social.pending_count(member),
        new_footprints=new_footprints,
        birthdays=birthdays_this_week(member),
        unread_messages=messages.unread_count(member),
        column=(my_column(member, profile, sizes.home_communities) if column else None),
        **feed,
    )


def _sections(me: Member, n) -> list[Section]:
    """The feed sections of home (``n``: the page sizes), each its service's query with its
    visibility rules."""
    favorite = favorites.newest_diaries_query(me, n.home_favorite_diaries)
    unread = diary_comments.unread_query(me, n.home_diaries)
    updates = topics.updates_query(me, n.home_topics)
    return [
        Section("friend_diaries", diaries.friends_newest_query(me, n.home_diaries), Diary.author),
        Section("favorite_diaries", favorite, Diary.author),
        Section("friend_albums", albums.friends_newest_query(me, n.home_albums), Album.owner),
        Section("unread_comments", unread, Diary.author, sort=Diary.updated_at),
        Section("friend_reviews", reviews.friends_newest_query(me, n.home_reviews), Review.author),
        Section("community_topics", updates, Topic.community, sort=Topic.last_activity_at),
        Section("notices", notices.active_query(n.home_notices)),
    ]


def _my_facts(member: Member, *, with_profile: bool) -> tuple[Profile | None, int]:
    """Return my profile row (``None`` when none was saved, or not ``with_profile``) and how
    many new footprints I have: one query at most (none on a phone when my row's counter says
    it, ``footprints.known_new_count``)."""
    known = footprints.known_new_count(member)
    if known is None:
        new = footprints.new_count_query(member).scalar_subquery()
    else:
        new = literal(known)
    if with_profile:
        stmt = (
            select(Profile, new)
            .select_from(Member)
            .outerjoin(Profile, Profile.member_id == Member.id)
            .where(Member.id == member.id)
        )
        profile, count = db.session.execute(stmt).one()
        return profile, count
    return None, known if known is not None else db.session.scalar(select(new)) or 0


def my_column(member: Member, profile: Profile | None, community_limit: int) -> MyColumn:
    """Gather my column: my profile as I see it (from my profile row, read already), my newest
    communities with their images (one query)."""
    view = build_view(member, profile, SELF, member.friend_total, member.id)
    intro = " ".join((view.introduction or "").split())
    if len(intro) > SUMMARY_CHARS:
        intro = intro[: SUMMARY_CHARS - 1] + "…"
    joined, total = communities.joined_by(
        member.id, limit=community_limit, columns=(photos.community_image_column(),)
    )
    return MyColumn(
        profile=view,
        introduction=intro,
        communities=[(c, image) for c, image in joined],
        community_total=total,
    )


def birthdays_this_week(member: Member, today: date | None = None) -> list[Birthday]:
    """Return friends whose birthday falls in the next seven days and who show it to friends."""
    today = today or tokyo_today()
    days = [today + timedelta(days=n) for n in range(7)]
    month_day = birth_month_day()
    found = []
    for friend in showing_birthday(member, *(month_day == (d.month, d.day) for d in days)):
        upcoming = next(
            d for d in days if (d.month, d.day) == (friend.birth_date.month, friend.birth_date.day)
        )
        found.append(Birthday(friend, upcoming))
    return sorted(found, key=lambda b: (b.day, b.member.id))

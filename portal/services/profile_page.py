"""A member's profile page as one viewer sees it: every fact the page needs about the two of
them (the relation, blocks both ways, friend requests both ways, counts, the viewer's own
introduction, a recent footprint, the main photo, a favourite) read in one query, then decided
by the visibility policy.

The facts are correlated subqueries over primary-key and unique indexes, so the query costs
a handful of index probes however large the site grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import (
    Block,
    Favorite,
    FriendRequest,
    Friendship,
    Introduction,
    Member,
    Photo,
    Profile,
)
from ..models.profile import FIELD_DEFAULTS
from .footprints import recent_clause
from .profiles import ProfileView, build_view
from .visibility import (
    BLOCKED,
    FRIEND,
    FRIEND_OF_FRIEND,
    MEMBER,
    SELF,
    allows,
    not_blocked_clause,
)

_MINE = aliased(Friendship, name="mine")
_THEIRS = aliased(Friendship, name="theirs")
_MY_INTRODUCTION = aliased(Introduction, name="my_introduction")


#: The friendship between the viewer and the member, as the profile page shows it.
OWN, FRIENDS, REQUEST_SENT, REQUEST_RECEIVED, NOT_FRIENDS = (
    "own",
    "friends",
    "request_sent",
    "request_received",
    "not_friends",
)


@dataclass(frozen=True)
class Relationship:
    """The viewer and the member, as the profile page's actions need it: the friendship's
    state and what the viewer may do (:attr:`actions`), decided here once for both trees."""

    friendship: str
    #: The viewer blocked the member.
    i_blocked: bool = False
    #: The member is one of the viewer's favourites.
    is_favorite: bool = False
    #: The viewer wrote an introduction (紹介文) of the member.
    introduced: bool = False

    @property
    def actions(self) -> frozenset[str]:
        """What the viewer may do here: ``edit_profile`` (their own page); ``introduce`` and
        ``unfriend`` (a friend); ``answer`` (their request waits); ``ask`` (a friend request);
        ``message``, ``favorite`` and ``block`` (anyone not blocked); ``unblock``; ``report``
        (anyone else's profile)."""
        if self.friendship == OWN:
            return frozenset({"edit_profile"})
        done = {"report", "unblock" if self.i_blocked else "block"}
        if self.friendship == FRIENDS:
            done |= {"introduce", "unfriend"}
        elif self.friendship == REQUEST_RECEIVED:
            done.add("answer")
        elif self.friendship == NOT_FRIENDS and not self.i_blocked:
            done.add("ask")
        if not self.i_blocked:
            done |= {"message", "favorite"}
        return frozenset(done)


@dataclass
class ProfilePage:
    """What the profile page of ``member`` shows the viewer (``view`` is the policy's)."""

    member: Member
    view: ProfileView
    #: The viewer blocked this member.
    i_blocked: bool = False
    request_sent: bool = False
    request_received: bool = False
    introduction_total: int = 0
    my_introduction: Introduction | None = None
    #: The viewer left a footprint here moments ago (a new visit writes none).
    footprint_recent: bool = False
    #: The member's main photo, if the viewer may see it (the page's avatar).
    main_photo_id: int | None = None
    #: The member is one of the viewer's favourites (お気に入り; never shown to the member).
    is_favorite: bool = False

    @property
    def blocked(self) -> bool:
        """The member blocked the viewer: the page is a 404, as for a missing member."""
        return self.view.blocked

    @property
    def relationship(self) -> Relationship:
        """The viewer and the member, for the page's actions."""
        if self.view.relation == SELF:
            friendship = OWN
        elif self.view.relation == FRIEND:
            friendship = FRIENDS
        elif self.request_sent:
            friendship = REQUEST_SENT
        elif self.request_received:
            friendship = REQUEST_RECEIVED
        else:
            friendship = NOT_FRIENDS
        return Relationship(
            friendship,
            i_blocked=self.i_blocked,
            is_favorite=self.is_favorite,
            introduced=self.my_introduction is not None,
        )


def _facts(viewer_id: int):
    """The columns of facts about the viewer and the member in the outer query."""
    owner = Member.id
    mine, theirs = _MINE, _THEIRS
    return (
        exists().where(Block.blocker_id == owner, Block.blocked_id == viewer_id),
        exists().where(Block.blocker_id == viewer_id, Block.blocked_id == owner),
        exists().where(Friendship.member_id == viewer_id, Friendship.friend_id == owner),
        exists(
            select(mine.member_id)
            .join(theirs, theirs.member_id == mine.friend_id)
            .where(mine.member_id == viewer_id, theirs.friend_id == owner)
        ),
        select(func.count())
        .select_from(Friendship)
        .where(Friendship.member_id == owner, not_blocked_clause(viewer_id, Friendship.friend_id))
        .scalar_subquery(),
        exists().where(FriendRequest.sender_id == viewer_id, FriendRequest.recipient_id == owner),
        exists().where(FriendRequest.sender_id == owner, FriendRequest.recipient_id == viewer_id),
        select(func.count())
        .select_from(Introduction)
        .where(
            Introduction.subject_id == owner,
            not_blocked_clause(viewer_id, Introduction.author_id),
        )
        .scalar_subquery(),
        recent_clause(owner, viewer_id),
        select(Photo.id)
        .where(Photo.profile_member_id == owner, Photo.position == 1)
        .limit(1)
        .scalar_subquery(),
        exists().where(Favorite.member_id == viewer_id, Favorite.favorite_id == owner),
    )


def _relation(viewer_id: int, owner_id: int, blocked: bool, friend: bool, fof: bool) -> str:
    """The relation of :func:`portal.services.visibility.relation`, from the facts read."""
    if viewer_id == owner_id:
        return SELF
    if blocked:
        return BLOCKED
    if friend:
        return FRIEND
    return FRIEND_OF_FRIEND if fof else MEMBER


def open_visible(member_id: int, viewer_id: int) -> ProfilePage | None:
    """Return the profile page of member ``member_id`` for the viewer (:func:`open_profile`),
    or ``None`` (a 404) when there is no such member or they blocked the viewer."""
    page = open_profile(member_id, viewer_id)
    return None if page is None or page.blocked else page


def open_profile(member_id: int, viewer_id: int) -> ProfilePage | None:
    """Return the profile page of member ``member_id`` for the viewer (a logged-in member), or
    ``None`` when there is no such member. A member who blocked the viewer gives a page whose
    :attr:`ProfilePage.blocked` is true and which holds nothing else."""
    mine = _MY_INTRODUCTION
    stmt = (
        select(Member, Profile, mine, *_facts(viewer_id))
        .outerjoin(Profile, Profile.member_id == Member.id)
        .outerjoin(mine, and_(mine.subject_id == Member.id, mine.author_id == viewer_id))
        .where(Member.id == member_id, Member.left_at.is_(None))  # 退会: as if missing
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    member, profile, my_intro, blocked, i_blocked, friend, fof, friends, sent, received = row[:10]
    introductions, recent, photo_id, favorite = row[10:]
    rel = _relation(viewer_id, member.id, blocked, friend, fof)
    view = build_view(member, profile, rel, friends or 0, viewer_id)
    if rel == BLOCKED:
        return ProfilePage(member, view)
    is_self = rel == SELF
    photo_visibility = profile.photo_visibility if profile else FIELD_DEFAULTS["photo"]
    return ProfilePage(
        member,
        view,
        i_blocked=bool(i_blocked) and not is_self,
        request_sent=bool(sent) and not is_self,
        request_received=bool(received) and not is_self,
        introduction_total=introductions or 0,
        my_introduction=None if is_self else my_intro,
        footprint_recent=bool(recent),
        main_photo_id=photo_id if allows(photo_visibility, rel) else None,
        is_favorite=bool(favorite) and not is_self,
    )


__all__ = ["ProfilePage", "Relationship", "open_profile"]

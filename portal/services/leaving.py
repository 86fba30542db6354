"""Leaving (退会): closing an account, by its member (with the password) or by an operator
(logged), and the member's data as a zip to download before.

What goes and what stays, as Mixi did it:

* gone: the member's diaries (with the comments on them), photos and albums, messages sent and
  received, footprints both ways, friendships, requests, introductions, blocks and favourites
  both ways, reviews, profile, posting addresses, easy-login IDs, places in communities and
  events, and every session;
* kept: their comments, topics and event comments in others' threads, shown under the name
  退会したユーザー (the member row stays, without its address, password or personal data, so
  threads keep their numbering); a community they ran passes to a sub-admin or the longest
  member (or goes, when nobody else is in it);
* the e-mail address is free to sign up again at once.

A member who left is missing everywhere a member is looked up (:func:`.profiles.member_or_none`)
and cannot log in (``Member.is_active``).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select

from ..extensions import db
from ..models import (
    Album,
    Block,
    BlogFeed,
    Community,
    CommunityMember,
    Diary,
    DiaryComment,
    DiaryWatch,
    EventParticipant,
    Favorite,
    Footprint,
    FriendRequest,
    Friendship,
    Introduction,
    JoinRequest,
    Listen,
    ListenToken,
    MailLink,
    MailPostAddress,
    MailReceipt,
    Member,
    Message,
    MobileId,
    NowPlaying,
    PasswordReset,
    Photo,
    PhotoVariant,
    Profile,
    Review,
    ScheduleEntry,
)
from ..models._time import utcnow
from ..models.community import ADMIN, SUBADMIN
from . import ServiceError, admin, counters, footprints
from .passwords import verify_password
from .sessions import end_sessions

#: The name a member who left is shown under (as on Mixi; it is member text, not UI).
LEFT_NICKNAME = "退会したユーザー"


def close_own(member: Member, password: str) -> None:
    """Close the member's own account after they confirmed with their password.

    :raise ServiceError: for a wrong password (nothing changes).
    """
    if not verify_password(member.password_hash, password or ""):
        raise ServiceError(_l("The password is not correct."), "password")
    _close(member)


def close_by_operator(operator: Member, subject: Member) -> None:
    """Close another member's account (operators only; logged with the old address).

    :raise ServiceError: for the operator's own account or one already closed.
    """
    admin.require_operator(operator)
    if subject.id == operator.id:
        raise ServiceError(_l("You cannot close your own account here."))
    if subject.left_at is not None:
        raise ServiceError(_l("This account is already closed."))
    address = subject.email
    _close(subject)
    admin.log(operator, "close_account", "member", subject.id, address)


def _uncount(mid: int) -> None:
    """Take the leaver's unread messages, waiting requests, friendships and new footprints off
    the others' counters: the rows this transaction deletes, as it deletes them (one read
    meanwhile is not counted twice)."""
    for model, where, counter, whose in (
        (
            Message,
            and_(Message.sender_id == mid, Message.recipient_id != mid, counters.unread_clause()),
            counters.UNREAD_MESSAGES,
            Message.recipient_id,
        ),
        (
            FriendRequest,
            FriendRequest.sender_id == mid,
            counters.PENDING_REQUESTS,
            FriendRequest.recipient_id,
        ),
        (Friendship, Friendship.friend_id == mid, counters.FRIEND_TOTAL, Friendship.member_id),
    ):
        gone = db.session.execute(
            delete(model).where(where).returning(whose).execution_options(synchronize_session=False)
        )
        recipients = [r for r in gone.scalars().all() if r is not None]
        for recipient_id, n in Counter(recipients).items():
            counters.add(recipient_id, counter, -n)
    footprints.uncount_visitor(mid)  # deleted with the rest below


def _close(member: Member) -> None:
    # Sessions first: the store may write on its own connection, before this transaction's.
    end_sessions(member)
    mid = member.id
    _hand_over_communities(member)
    # Photos first (their variants with them), then what holds them.
    photo_ids = select(Photo.id).where(
        or_(
            Photo.owner_id == mid,
            Photo.diary_id.in_(select(Diary.id).where(Diary.author_id == mid)),
            Photo.album_id.in_(select(Album.id).where(Album.owner_id == mid)),
        )
    )
    db.session.execute(delete(PhotoVariant).where(PhotoVariant.photo_id.in_(photo_ids)))
    db.session.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    my_diaries = select(Diary.id).where(Diary.author_id == mid)
    db.session.execute(delete(DiaryWatch).where(DiaryWatch.diary_id.in_(my_diaries)))
    db.session.execute(delete(DiaryComment).where(DiaryComment.diary_id.in_(my_diaries)))
    _uncount(mid)
    for model, where in (
        (Diary, Diary.author_id == mid),
        (Album, Album.owner_id == mid),
        (Message, or_(Message.sender_id == mid, Message.recipient_id == mid)),
        (Footprint, or_(Footprint.visitor_id == mid, Footprint.visited_id == mid)),
        (Friendship, or_(Friendship.member_id == mid, Friendship.friend_id == mid)),
        (FriendRequest, or_(FriendRequest.sender_id == mid, FriendRequest.recipient_id == mid)),
        (Introduction, or_(Introduction.subject_id == mid, Introduction.author_id == mid)),
        (Block, or_(Block.blocker_id == mid, Block.blocked_id == mid)),
        (Favorite, or_(Favorite.member_id == mid, Favorite.favorite_id == mid)),
        (Review, Review.author_id == mid),
        (Profile, Profile.member_id == mid),
        (MailPostAddress, MailPostAddress.member_id == mid),
        (MailReceipt, MailReceipt.member_id == mid),
        (MobileId, MobileId.member_id == mid),
        (DiaryWatch, DiaryWatch.member_id == mid),
        (BlogFeed, BlogFeed.member_id == mid),
        (JoinRequest, JoinRequest.member_id == mid),
        (EventParticipant, EventParticipant.member_id == mid),
        (ScheduleEntry, ScheduleEntry.member_id == mid),
        (PasswordReset, PasswordReset.member_id == mid),
        (MailLink, MailLink.member_id == mid),
        (Listen, Listen.member_id == mid),
        (ListenToken, ListenToken.member_id == mid),
        (NowPlaying, NowPlaying.member_id == mid),
    ):
        db.session.execute(delete(model).where(where))
    member.email = f"left-{mid}@left.invalid"
    member.password_hash = "!"  # noqa: S105 (matches no password)
    member.nickname = LEFT_NICKNAME
    member.real_name = None
    member.left_at = utcnow()
    db.session.flush()


def _hand_over_communities(member: Member) -> None:
    """Leave every community; one the member ran passes to a sub-admin, else its longest
    member, or is deleted when nobody else is in it."""
    from .community_members import _count

    rows = db.session.scalars(
        select(CommunityMember).where(CommunityMember.member_id == member.id)
    ).all()
    for row in rows:
        community = db.session.get_one(Community, row.community_id)
        if row.role == ADMIN:
            heir = db.session.scalar(
                select(CommunityMember)
                .where(
                    CommunityMember.community_id == community.id,
                    CommunityMember.member_id != member.id,
                )
                .order_by((CommunityMember.role == SUBADMIN).desc(), CommunityMember.joined_at)
                .limit(1)
            )
            if heir is None:
                db.session.delete(community)
                db.session.flush()
                continue
            heir.role = ADMIN
        db.session.delete(row)
        db.session.flush()
        _count(community, -1)


# -- the member's data, as a zip --------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def export_zip(member: Member) -> bytes:
    """Return a zip of the member's diaries (with their comments), comments they wrote in
    others' diaries, messages sent and received, and photos (the stored originals)."""
    mid = member.id
    diaries = []
    for diary in db.session.scalars(
        select(Diary).where(Diary.author_id == mid).order_by(Diary.created_at)
    ):
        comments = db.session.scalars(
            select(DiaryComment)
            .where(DiaryComment.diary_id == diary.id)
            .order_by(DiaryComment.created_at, DiaryComment.id)
        )
        diaries.append(
            {
                "id": diary.id,
                "title": diary.title,
                "body": diary.body,
                "visibility": diary.visibility,
                "created_at": _when(diary.created_at),
                "comments": [
                    {"author": c.author.nickname, "body": c.body, "created_at": _when(c.created_at)}
                    for c in comments
                ],
            }
        )
    my_comments = [
        {"diary_id": c.diary_id, "body": c.body, "created_at": _when(c.created_at)}
        for c in db.session.scalars(
            select(DiaryComment)
            .join(Diary, Diary.id == DiaryComment.diary_id)
            .where(DiaryComment.author_id == mid, Diary.author_id != mid)
            .order_by(DiaryComment.created_at)
        )
    ]
    messages = [
        {
            "from": m.sender.nickname,
            "to": m.recipient.nickname if m.recipient else None,
            "subject": m.subject,
            "body": m.body,
            "created_at": _when(m.created_at),
        }
        for m in db.session.scalars(
            select(Message)
            .where(or_(Message.sender_id == mid, Message.recipient_id == mid))
            .order_by(Message.created_at, Message.id)
        )
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in (
            ("diaries.json", diaries),
            ("comments.json", my_comments),
            ("messages.json", messages),
        ):
            archive.writestr(name, json.dumps(rows, ensure_ascii=False, indent=1))
        originals = db.session.execute(
            select(PhotoVariant.photo_id, PhotoVariant.mimetype, PhotoVariant.data)
            .join(Photo, Photo.id == PhotoVariant.photo_id)
            .where(Photo.owner_id == mid, PhotoVariant.variant == "original")
            .order_by(PhotoVariant.photo_id)
        )
        for photo_id, mimetype, data in originals:
            ext = {"image/png": "png", "image/gif": "gif", "image/webp": "webp"}.get(
                mimetype, "jpg"
            )
            archive.writestr(f"photos/{photo_id}.{ext}", data)
    return out.getvalue()

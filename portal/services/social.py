"""マイミク requests, removing friends, introductions (紹介文) and blocking."""

from __future__ import annotations

from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Block, FriendRequest, Friendship, Introduction, Member
from ..models._ids import is_row_id
from ..models._time import utcnow
from . import ServiceError, counters, footprints, notifications, text_limits
from ._sql import execute_dml
from .friends import are_friends, befriend
from .listing import Listing, listing
from .notifications import N_
from .visibility import is_blocked, not_blocked_clause

#: A friend request's message, in characters and in bytes as shown on a phone.
REQUEST_MESSAGE_MAX = 200
REQUEST_MESSAGE_PHONE_BYTES = 400
#: A friend's introduction (紹介文), in characters and in bytes as shown on a phone.
INTRODUCTION_MAX = 1000
INTRODUCTION_PHONE_BYTES = 2000


def request_friendship(
    sender: Member, recipient: Member, message: str | None
) -> FriendRequest | None:
    """Ask ``recipient`` to become friends.

    A request to someone who blocked the sender is swallowed silently (it returns ``None`` and
    the sender sees the same confirmation); a request answering one already received makes the
    two friends at once.

    :raise ServiceError: for oneself, an existing friend or a repeated request.
    """
    if sender.id == recipient.id:
        raise ServiceError(_l("You cannot send a request to yourself."))
    message = (message or "").strip()
    text_limits.require(
        message, REQUEST_MESSAGE_MAX, REQUEST_MESSAGE_PHONE_BYTES, "message", rich=True
    )
    if are_friends(sender.id, recipient.id):
        raise ServiceError(_l("You are already friends."))
    if is_blocked(recipient.id, sender.id) or is_blocked(sender.id, recipient.id):
        return None
    existing = db.session.scalar(
        select(FriendRequest).where(
            FriendRequest.sender_id == sender.id, FriendRequest.recipient_id == recipient.id
        )
    )
    if existing is not None:
        raise ServiceError(_l("You already sent a request. Please wait for the answer."))
    answer = db.session.scalar(
        select(FriendRequest).where(
            FriendRequest.sender_id == recipient.id, FriendRequest.recipient_id == sender.id
        )
    )
    if answer is not None:
        approve(recipient=sender, request=answer)
        return None
    request = FriendRequest(sender_id=sender.id, recipient_id=recipient.id, message=message or None)
    db.session.add(request)
    db.session.flush()
    counters.add(recipient.id, counters.PENDING_REQUESTS, 1)
    notifications.queue(
        recipient,
        "request",
        subject=N_("%(name)s asked to be your friend"),
        lines=(N_("%(name)s sent you a friend request on Keitai Portal."),),
        link=("members.requests", {}),
        name=sender.nickname,
    )
    return request


def incoming_request(recipient: Member, request_id: int) -> FriendRequest:
    """Return a request addressed to ``recipient``.

    :raise ServiceError: when there is no such request for this member.
    """
    request = db.session.get(FriendRequest, request_id)
    if request is None or request.recipient_id != recipient.id:
        raise ServiceError(_l("This request does not exist any more."))
    return request


def approve(*, recipient: Member, request: FriendRequest) -> None:
    """Approve a request: the two become friends and the request goes."""
    if request.recipient_id != recipient.id:
        raise ServiceError(_l("This request does not exist any more."))
    befriend(request.sender, recipient)
    _answered(request)


def _answered(request: FriendRequest) -> None:
    """The request goes (a request answered twice at once: the second finds no row, fails)."""
    db.session.delete(request)
    db.session.flush()
    counters.add(request.recipient_id, counters.PENDING_REQUESTS, -1)


def decline(*, recipient: Member, request: FriendRequest) -> None:
    """Decline a request; the sender is not told."""
    if request.recipient_id != recipient.id:
        raise ServiceError(_l("This request does not exist any more."))
    _answered(request)


def pending_requests(
    member: Member, *, offset: int = 0, limit: int | None = None
) -> list[FriendRequest]:
    """Return the requests waiting for ``member``'s answer, oldest first (a page of them)."""
    stmt = (
        select(FriendRequest)
        .where(FriendRequest.recipient_id == member.id)
        .options(joinedload(FriendRequest.sender))
        .order_by(FriendRequest.created_at, FriendRequest.id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def pending_count(member: Member) -> int:
    """Return how many requests wait for ``member``'s answer (its counter: no query)."""
    return member.pending_requests


def sent_requests(
    member: Member, *, offset: int = 0, limit: int | None = None
) -> list[FriendRequest]:
    """Return the requests ``member`` sent that are still unanswered, newest first (a page)."""
    stmt = (
        select(FriendRequest)
        .where(FriendRequest.sender_id == member.id)
        .options(joinedload(FriendRequest.recipient))
        .order_by(FriendRequest.created_at.desc(), FriendRequest.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def sent_count(member: Member) -> int:
    """Return how many of ``member``'s requests are still unanswered."""
    stmt = (
        select(func.count()).select_from(FriendRequest).where(FriendRequest.sender_id == member.id)
    )
    return db.session.scalar(stmt) or 0


def requests_page(member: Member, number: int, per_page: int) -> Listing[FriendRequest]:
    """Return page ``number`` of the requests waiting for ``member``'s answer, oldest first."""
    return listing(pending_count(member), number, per_page, partial(pending_requests, member))


def sent_page(member: Member, number: int, per_page: int) -> Listing[FriendRequest]:
    """Return page ``number`` of ``member``'s unanswered requests, newest first."""
    return listing(sent_count(member), number, per_page, partial(sent_requests, member))


def has_sent_request(sender_id: int, recipient_id: int) -> bool:
    """Return whether a request from ``sender_id`` to ``recipient_id`` is waiting."""
    stmt = select(FriendRequest.id).where(
        FriendRequest.sender_id == sender_id, FriendRequest.recipient_id == recipient_id
    )
    return db.session.scalar(stmt) is not None


def _either_way(one, other, a: int, b: int):
    """Rows linking members ``a`` and ``b`` either way (``one`` is ``a`` and ``other`` ``b``,
    or the reverse)."""
    return or_((one == a) & (other == b), (one == b) & (other == a))


def unfriend(member: Member, other: Member) -> None:
    """End a friendship (both directions, both friend totals: the rows this call deleted, so
    two requests ending it at once count it once); their introductions of each other go too."""
    gone = db.session.execute(
        delete(Friendship)
        .where(_either_way(Friendship.member_id, Friendship.friend_id, member.id, other.id))
        .returning(Friendship.member_id)
    )
    for member_id in gone.scalars().all():
        counters.add(member_id, counters.FRIEND_TOTAL, -1)
    db.session.execute(
        delete(Introduction).where(
            _either_way(Introduction.subject_id, Introduction.author_id, member.id, other.id)
        )
    )


def block(member: Member, other: Member) -> None:
    """Block ``other``: the friendship and any requests between the two end; silent."""
    if member.id == other.id or is_blocked(member.id, other.id):
        return
    unfriend(member, other)
    gone = db.session.execute(
        delete(FriendRequest)
        .where(
            _either_way(FriendRequest.sender_id, FriendRequest.recipient_id, member.id, other.id)
        )
        .returning(FriendRequest.recipient_id)
        .execution_options(synchronize_session=False)
    )
    for recipient_id in gone.scalars().all():  # the rows this statement removed, no others
        counters.add(recipient_id, counters.PENDING_REQUESTS, -1)
    if not is_blocked(other.id, member.id):  # their footprints on each other stop counting
        footprints.uncount_between(member.id, other.id)
    db.session.add(Block(blocker_id=member.id, blocked_id=other.id))
    db.session.flush()


def unblock(member: Member, other: Member) -> None:
    """Lift a block (their footprints on each other count again, unless the other blocked
    this member too)."""
    gone = execute_dml(
        delete(Block).where(Block.blocker_id == member.id, Block.blocked_id == other.id)
    )
    if gone.rowcount and not is_blocked(other.id, member.id):
        footprints.count_between(member.id, other.id)


def blocked_members(member: Member, *, offset: int = 0, limit: int | None = None) -> list[Member]:
    """Return the members ``member`` blocked, newest first (a page of them)."""
    stmt = (
        select(Member)
        .join(Block, Block.blocked_id == Member.id)
        .where(Block.blocker_id == member.id)
        .order_by(Block.created_at.desc(), Member.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def blocked_count(member: Member) -> int:
    """Return how many members ``member`` blocked."""
    stmt = select(func.count()).select_from(Block).where(Block.blocker_id == member.id)
    return db.session.scalar(stmt) or 0


def blocked_page(member: Member, number: object, per_page: int) -> Listing[Member]:
    """Return page ``number`` of the members ``member`` blocked, newest first."""
    return listing(blocked_count(member), number, per_page, partial(blocked_members, member))


def write_introduction(author: Member, subject: Member, body: str) -> Introduction:
    """Write or rewrite ``author``'s introduction of ``subject`` (friends only).

    :raise ServiceError: when the two are not friends or the text is empty.
    """
    if not are_friends(author.id, subject.id):
        raise ServiceError(_l("Only friends can write an introduction."))
    body = body.strip()
    if not body:
        raise ServiceError(_l("Please write something."), "body")
    text_limits.require(body, INTRODUCTION_MAX, INTRODUCTION_PHONE_BYTES, "body", rich=True)
    intro = db.session.get(Introduction, (subject.id, author.id))
    if intro is None:
        intro = Introduction(subject_id=subject.id, author_id=author.id, body=body)
        db.session.add(intro)
    else:
        intro.body, intro.updated_at = body, utcnow()
    db.session.flush()
    return intro


def delete_introduction(member: Member, subject_id: int, author_id: int) -> None:
    """Delete an introduction: its author or its subject may."""
    if member.id not in (subject_id, author_id) or not is_row_id(author_id):
        raise ServiceError(_l("You cannot delete this introduction."))
    db.session.execute(
        delete(Introduction).where(
            Introduction.subject_id == subject_id, Introduction.author_id == author_id
        )
    )


def _introductions_where(subject: Member, viewer_id: int | None):
    return (
        Introduction.subject_id == subject.id,
        not_blocked_clause(viewer_id, Introduction.author_id),
    )


def introductions_of(
    subject: Member, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> list[Introduction]:
    """Return the introductions of ``subject`` the viewer may read, newest first (a page)."""
    stmt = (
        select(Introduction)
        .where(*_introductions_where(subject, viewer_id))
        .options(joinedload(Introduction.author))
        .order_by(Introduction.updated_at.desc(), Introduction.author_id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def introduction_count(subject: Member, viewer_id: int | None) -> int:
    """Return how many introductions of ``subject`` the viewer may read."""
    stmt = (
        select(func.count())
        .select_from(Introduction)
        .where(*_introductions_where(subject, viewer_id))
    )
    return db.session.scalar(stmt) or 0


def introductions_page(
    subject: Member, viewer_id: int | None, number: object, per_page: int
) -> Listing[Introduction]:
    """Return page ``number`` of the introductions of ``subject`` the viewer may read."""
    return listing(
        introduction_count(subject, viewer_id),
        number,
        per_page,
        partial(introductions_of, subject, viewer_id),
    )


def introduction_by(author: Member, subject: Member) -> Introduction | None:
    """Return what ``author`` wrote about ``subject``, if anything."""
    return db.session.get(Introduction, (subject.id, author.id))

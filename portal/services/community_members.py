"""Community membership: joining (open, or by approval), leaving, join requests, removing
members, sub-admins, handing the community over, and the member list.

``Community.member_count`` moves only with single ``UPDATE ... SET member_count = member_count
± 1`` statements next to the row that changed, so it stays exact under concurrent joins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Community, CommunityMember, JoinRequest, Member
from ..models._time import utcnow
from ..models.community import ADMIN, APPROVAL, MEMBER, SUBADMIN
from . import ServiceError, text_limits
from ._sql import execute_dml
from .communities import (
    NotAllowedError,
    admin_of,
    forget_membership,
    insert_new,
    require_admin,
    require_manager,
    role_of,
)
from .listing import Listing, fetched, listing
from .visibility import is_blocked, members_listed, not_blocked_clause

MESSAGE_MAX = 200
#: The most bytes a join request's message may take as shown on the admin's phone.
MESSAGE_PHONE_BYTES = 400
#: What :func:`join` did.
JOINED, REQUESTED = "joined", "requested"


def _count(community: Community, delta: int) -> None:
    db.session.execute(
        update(Community)
        .where(Community.id == community.id)
        .values(member_count=Community.member_count + delta)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(community, ["member_count"])


def _add(community: Community, member_id: int, role: str = MEMBER) -> bool:
    added = insert_new(
        CommunityMember,
        community_id=community.id,
        member_id=member_id,
        role=role,
        joined_at=utcnow(),
    )
    forget_membership(community.id, member_id)
    if added:
        _count(community, +1)
    return added


def _drop(community: Community, member_id: int) -> None:
    from . import events

    gone = execute_dml(
        delete(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.member_id == member_id
        )
    ).rowcount
    forget_membership(community.id, member_id)
    if gone:
        _count(community, -1)
        events.withdraw_from_upcoming(community, member_id)


def join(member: Member, community: Community, message: str | None = None) -> str:
    """Join an open community at once, or ask to join one that admits by approval.

    :return: :data:`JOINED` or :data:`REQUESTED`.
    :raise ServiceError: for a member already in, or already waiting for an answer.
    :raise NotAllowedError: when the admin blocked the member.
    """
    if role_of(community, member.id) is not None:
        raise ServiceError(_l("You are already a member of this community."))
    if is_blocked(admin_of(community).id, member.id):
        raise NotAllowedError(_l("You cannot join this community."))
    if community.join_policy != APPROVAL:
        _add(community, member.id)
        return JOINED
    message = (message or "").strip()[:MESSAGE_MAX] or None
    text_limits.require_fits(message or "", MESSAGE_PHONE_BYTES, "message", rich=True)
    if not insert_new(
        JoinRequest,
        community_id=community.id,
        member_id=member.id,
        message=message,
        created_at=utcnow(),
    ):
        raise ServiceError(_l("You already asked to join. Please wait for the answer."))
    return REQUESTED


def has_requested(community: Community, member_id: int) -> bool:
    """Return whether the member's request to join is waiting."""
    return db.session.get(JoinRequest, (community.id, member_id)) is not None


def cancel_request(member: Member, community: Community) -> None:
    """Withdraw one's own request to join."""
    db.session.execute(
        delete(JoinRequest).where(
            JoinRequest.community_id == community.id, JoinRequest.member_id == member.id
        )
    )


@dataclass(frozen=True)
class Leaving:
    """What leaving a community means for one member: the rule :func:`leave` keeps, asked by
    the page before the member confirms."""

    #: The member may leave now (an admin only when alone in it: they hand it over first).
    can_leave: bool
    #: Leaving deletes the community (its admin and only member).
    deletes_community: bool


def leaving(member: Member, community: Community) -> Leaving | None:
    """Return what leaving means for ``member``, ``None`` for someone not in the community."""
    role = role_of(community, member.id)
    if role is None:
        return None
    alone = community.member_count <= 1
    return Leaving(can_leave=role != ADMIN or alone, deletes_community=role == ADMIN and alone)


def leave(member: Member, community: Community) -> bool:
    """Leave a community (one's places in its coming events go too).

    The admin hands the community over first; an admin alone in it deletes it by leaving.

    :return: whether the community was deleted.
    :raise ServiceError: for someone not in it, or an admin with members left.
    """
    answer = leaving(member, community)
    if answer is None:
        raise ServiceError(_l("You are not a member of this community."))
    if not answer.can_leave:
        raise ServiceError(_l("Please hand the community over to another member first."))
    if answer.deletes_community:
        db.session.delete(community)
        db.session.flush()
        return True
    _drop(community, member.id)
    return False


T = TypeVar("T")


def _row(model: type[T], community: Community, member_id: int, missing: str) -> T:
    """Return the member's row of ``model`` (a membership, a request) in the community.

    :raise ServiceError: saying ``missing`` when there is none.
    """
    found = db.session.get(model, (community.id, member_id))
    if found is None:
        raise ServiceError(missing)
    return found


def _request(community: Community, member_id: int) -> JoinRequest:
    return _row(JoinRequest, community, member_id, _l("This request does not exist any more."))


def approve(manager: Member, community: Community, member_id: int) -> None:
    """Admit a member who asked to join (the admin and sub-admins).

    :raise NotAllowedError: for anyone else.
    """
    require_manager(community, manager)
    db.session.delete(_request(community, member_id))
    _add(community, member_id)
    db.session.flush()


def decline(manager: Member, community: Community, member_id: int) -> None:
    """Decline a request to join; the member is not told (the admin and sub-admins).

    :raise NotAllowedError: for anyone else.
    """
    require_manager(community, manager)
    db.session.delete(_request(community, member_id))
    db.session.flush()


def _target(community: Community, member_id: int) -> CommunityMember:
    return _row(CommunityMember, community, member_id, _l("This member is not in the community."))


def remove(manager: Member, community: Community, member_id: int) -> None:
    """Remove a member: the admin and sub-admins remove members, only the admin sub-admins;
    nobody removes the admin.

    :raise NotAllowedError: for anyone else, or a target above the manager.
    """
    role = require_manager(community, manager)
    target = _target(community, member_id)
    if target.member_id == manager.id:
        raise ServiceError(_l("To leave the community, use Leave."))
    if target.role == ADMIN or (target.role == SUBADMIN and role != ADMIN):
        raise NotAllowedError(_l("Only the admin can do this."))
    _drop(community, member_id)


def appoint(admin: Member, community: Community, member_id: int) -> None:
    """Make a member a sub-admin (the admin only).

    :raise NotAllowedError: for anyone but the admin.
    """
    refusal = _l("This member already manages the community.")
    _change_role(admin, community, member_id, MEMBER, SUBADMIN, refusal)


def dismiss(admin: Member, community: Community, member_id: int) -> None:
    """Make a sub-admin an ordinary member again (the admin only).

    :raise NotAllowedError: for anyone but the admin.
    """
    _change_role(
        admin, community, member_id, SUBADMIN, MEMBER, _l("This member is not a sub-admin.")
    )


def transfer(admin: Member, community: Community, member_id: int) -> None:
    """Hand the community over: the member becomes its admin and the admin a sub-admin.

    :raise NotAllowedError: for anyone but the admin.
    """
    target = _admins_target(admin, community, member_id)
    if target.member_id == admin.id:
        raise ServiceError(_l("You are the admin already."))
    db.session.get_one(CommunityMember, (community.id, admin.id)).role = SUBADMIN
    target.role = ADMIN
    community.updated_at = utcnow()
    db.session.flush()


def _admins_target(admin: Member, community: Community, member_id: int) -> CommunityMember:
    """Return the member whom the admin acts on.

    :raise NotAllowedError: for anyone but the admin.
    """
    require_admin(community, admin)
    return _target(community, member_id)


def _change_role(admin, community, member_id: int, was: str, becomes: str, refusal) -> None:
    """Give a member of role ``was`` the role ``becomes``; any other member is ``refusal``."""
    target = _admins_target(admin, community, member_id)
    if target.role != was:
        raise ServiceError(refusal)
    target.role = becomes
    db.session.flush()


# -- lists -----------------------------------------------------------------------------------

_ROLE_ORDER = case({ADMIN: 0, SUBADMIN: 1}, value=CommunityMember.role, else_=2)


def members_of(
    community: Community, viewer_id: int | None, *, offset: int = 0, limit: int | None = None
) -> tuple[list[CommunityMember], int]:
    """Return a page of the community's members as the viewer may see them (members who
    blocked the viewer are left out): the admin, the sub-admins, then by joining; and how many.
    """
    whose = CommunityMember.community_id == community.id
    order = (_ROLE_ORDER, CommunityMember.joined_at, CommunityMember.member_id)
    return members_listed(CommunityMember, whose, viewer_id, order, offset, limit)


def members_page(
    community: Community, viewer_id: int | None, number: int, per_page: int
) -> Listing[CommunityMember]:
    """Return page ``number`` of the community's members as the viewer may see them
    (:func:`members_of`)."""
    return fetched(number, per_page, partial(members_of, community, viewer_id))


def managers_of(community: Community) -> list[CommunityMember]:
    """Return the admin and the sub-admins."""
    stmt = (
        select(CommunityMember)
        .where(CommunityMember.community_id == community.id, CommunityMember.role != MEMBER)
        .options(joinedload(CommunityMember.member))
        .order_by(_ROLE_ORDER, CommunityMember.joined_at)
    )
    return list(db.session.scalars(stmt))


def pending_requests(
    community: Community, viewer_id: int, *, offset: int = 0, limit: int | None = None
) -> list[JoinRequest]:
    """Return the requests to join waiting for an answer, oldest first (a page of them).

    Requests from members who blocked the viewer (a sub-admin, say) are left out, as in every
    list: another manager answers them.
    """
    stmt = (
        select(JoinRequest)
        .where(
            JoinRequest.community_id == community.id,
            not_blocked_clause(viewer_id, JoinRequest.member_id),
        )
        .options(joinedload(JoinRequest.member))
        .order_by(JoinRequest.created_at, JoinRequest.member_id)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def pending_count(community: Community, viewer_id: int) -> int:
    """Return how many requests to join wait for the viewer's answer (see pending_requests)."""
    stmt = (
        select(func.count())
        .select_from(JoinRequest)
        .where(
            JoinRequest.community_id == community.id,
            not_blocked_clause(viewer_id, JoinRequest.member_id),
        )
    )
    return db.session.scalar(stmt) or 0


def requests_page(
    community: Community, viewer_id: int, number: int, per_page: int
) -> Listing[JoinRequest]:
    """Return page ``number`` of the requests to join waiting for the viewer's answer
    (:func:`pending_requests`)."""
    return listing(
        pending_count(community, viewer_id),
        number,
        per_page,
        partial(pending_requests, community, viewer_id),
    )

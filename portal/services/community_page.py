"""A community's page as one member sees it: the community, the viewer's role, its admin (or
none, when the admin blocked the viewer), its image and the join requests, read in one query.
The topics and events on it come from :mod:`.topics` and :mod:`.events` (one query each)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Block, Community, CommunityMember, JoinRequest, Member, Photo
from ..models.community import ADMIN, APPROVAL, MEMBERS
from .communities import MANAGING, remember_membership
from .visibility import not_blocked_clause

_MINE = aliased(CommunityMember, name="mine")
_ADMIN_ROW = aliased(CommunityMember, name="admin_row")
_ADMIN = aliased(Member, name="admin")


@dataclass
class CommunityPage:
    """What the page of ``community`` shows the viewer."""

    community: Community
    #: The viewer's role (``None``: not a member).
    role: str | None
    #: The admin as the page names them; ``None`` when they blocked the viewer.
    admin: Member | None
    #: The community's image (a photo id), if it has one.
    image: int | None
    #: Requests to join waiting for the viewer's answer (for those who manage it only; not
    #: those of members who blocked the viewer, as
    #: :func:`.community_members.pending_count`).
    pending: int
    #: The viewer asked to join and waits for the answer.
    requested: bool

    @property
    def readable(self) -> bool:
        """The viewer may read its topics and events (:func:`.communities.can_read`)."""
        return self.community.topics_public or self.role is not None

    @property
    def manages(self) -> bool:
        return self.role in MANAGING

    @property
    def can_start(self) -> bool:
        """The viewer may start topics and events (:func:`.communities.can_start_topics`)."""
        if self.community.topic_creators == MEMBERS:
            return self.role is not None
        return self.manages

    @property
    def actions(self) -> frozenset[str]:
        """What the viewer may do on the page, decided here for both trees: ``leave`` (a
        member), ``withdraw_request`` (their request waits), ``join`` (an open community) or
        ``request_to_join`` (the admin approves members), ``manage`` (the admin and
        sub-admins: requests, editing, the image), ``settings`` (the admin), ``start`` (topics
        and events: :attr:`can_start`)."""
        if self.role is not None:
            done = {"leave"}
        elif self.requested:
            done = {"withdraw_request"}
        else:
            done = {"request_to_join" if self.community.join_policy == APPROVAL else "join"}
        if self.manages:
            done.add("manage")
        if self.role == ADMIN:
            done.add("settings")
        if self.can_start:
            done.add("start")
        return frozenset(done)


def open_page(community_id: int, viewer_id: int) -> CommunityPage | None:
    """Return the community's page for the viewer (a logged-in member), or ``None`` when there
    is no such community."""
    mine, admin_row, admin = _MINE, _ADMIN_ROW, _ADMIN
    stmt = (
        select(
            Community,
            mine,
            admin,
            exists().where(Block.blocker_id == admin.id, Block.blocked_id == viewer_id),
            select(Photo.id)
            .where(Photo.community_id == Community.id)
            .order_by(Photo.id)
            .limit(1)
            .scalar_subquery(),
            select(func.count())
            .select_from(JoinRequest)
            .where(
                JoinRequest.community_id == Community.id,
                not_blocked_clause(viewer_id, JoinRequest.member_id),
            )
            .scalar_subquery(),
            exists().where(
                JoinRequest.community_id == Community.id, JoinRequest.member_id == viewer_id
            ),
        )
        .outerjoin(mine, and_(mine.community_id == Community.id, mine.member_id == viewer_id))
        .outerjoin(admin_row, and_(admin_row.community_id == Community.id, admin_row.role == ADMIN))
        .outerjoin(admin, admin.id == admin_row.member_id)
        .where(Community.id == community_id)
    )
    row = db.session.execute(stmt).first()
    if row is None:
        return None
    community, membership, admin_member, admin_blocks, image, pending, requested = row
    remember_membership(community.id, viewer_id, membership)
    role = membership.role if membership else None
    return CommunityPage(
        community=community,
        role=role,
        admin=None if admin_blocks else admin_member,
        image=image,
        pending=(pending or 0) if role in MANAGING else 0,
        requested=role is None and bool(requested),
    )


__all__ = ["CommunityPage", "open_page"]

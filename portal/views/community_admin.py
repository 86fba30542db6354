"""Managing a community's members: answering requests to join, removing members, appointing
and dismissing sub-admins, and handing the community over.

Who may do what is the services' decision (:mod:`portal.services.community_members`); a
refusal answers 403 and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..forms.community import ROLE_LABELS
from ..models import Community, Member
from ..models.community import MEMBER
from ..rendering import render, sizes
from ..services import NotAllowedError, ServiceError, communities, community_members, profiles
from ._parts import number, or_404

bp = Blueprint("community_admin", __name__)


def _managed(community_id: int) -> tuple[Community, str | None]:
    community = or_404(communities.get(community_id))
    return community, communities.role_of(community, current_user.id)


@bp.route("/communities/<int:id>/requests")
@login_required
def requests(id: int):
    """List the requests to join, with their messages (the admin and sub-admins)."""
    community, _role = _managed(id)
    communities.require_manager(community, current_user)
    return _requests_page(community)


def _requests_page(community: Community, error=None, status: int = 200):
    size = sizes().join_requests_page
    page = community_members.requests_page(community, current_user.id, number(), size)
    return render(
        "communities/requests.html",
        community=community,
        rows=page.items,
        paging=page.paging,
        error=error,
        status=status,
    )


@bp.route("/communities/<int:id>/requests/<int:member_id>/approve", methods=["POST"])
@login_required
def approve(id: int, member_id: int):
    """Admit a member who asked to join."""
    done = _("The member was admitted.")
    return _act(id, member_id, community_members.approve, done, back="requests")


@bp.route("/communities/<int:id>/requests/<int:member_id>/decline", methods=["POST"])
@login_required
def decline(id: int, member_id: int):
    """Decline a request to join; the member is not told."""
    done = _("The request was declined.")
    return _act(id, member_id, community_members.decline, done, back="requests")


# -- one member --------------------------------------------------------------------------------


@bp.route("/communities/<int:id>/members/<int:member_id>")
@login_required
def member(id: int, member_id: int):
    """What a manager may do about one member: remove them; for the admin also appoint or
    dismiss a sub-admin and hand the community over."""
    community, role = _managed(id)
    communities.require_manager(community, current_user)
    return _member_page(community, role, member_id)


def _member_page(community: Community, role, member_id: int, error=None, status: int = 200):
    """A member's page for the community's managers: the buttons (``buttons`` in
    _macros/buttons.html) and the hand-over link each manager may use on this member. The
    admin changes a member's role and hands over; the admin removes any member but the admin,
    a sub-admin only plain members; nobody acts on themselves or on the admin."""
    row = or_404(communities.membership(community, member_id))
    managed = member_id != current_user.id and row.role != communities.ADMIN
    is_admin = role == communities.ADMIN
    role_buttons = []
    if managed and is_admin:
        if row.role == MEMBER:
            role_buttons = [("community_admin.appoint", _("Make sub-admin"))]
        else:
            role_buttons = [("community_admin.dismiss", _("Dismiss as sub-admin"))]
    remove_buttons = []
    if managed and (is_admin or row.role == MEMBER):
        remove_buttons = [("community_admin.remove", _("Remove from the community"))]
    return render(
        "communities/member.html",
        community=community,
        row=row,
        role_buttons=role_buttons,
        can_transfer=managed and is_admin,
        remove_buttons=remove_buttons,
        role_labels=ROLE_LABELS,
        error=error,
        status=status,
    )


def _subject(member_id: int) -> Member:
    subject = or_404(profiles.member_or_none(member_id))
    return subject


def _act(id: int, member_id: int, action, done: str, back: str = "member"):
    """Do what a manager asked about a member (``action``) and go ``back`` to the requests,
    the member or the member list; a refusal shows on the requests or the member's page (a
    member no longer there: an error page)."""
    community, role = _managed(id)
    try:
        action(current_user, community, member_id)
    except NotAllowedError:
        raise  # the 403 page (views/errors.py)
    except ServiceError as exc:
        if back == "requests":
            return _requests_page(community, error=exc.message, status=400)
        if communities.membership(community, member_id) is None:
            return render(
                "errors/error.html", title=_("Bad request"), message=exc.message, status=400
            )
        return _member_page(community, role, member_id, error=exc.message, status=400)
    flash(done)
    if back == "requests":
        return redirect(url_for("community_admin.requests", id=community.id))
    if back == "members":
        return redirect(url_for("communities.members", id=community.id))
    return redirect(url_for("community_admin.member", id=community.id, member_id=member_id))


@bp.route("/communities/<int:id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove(id: int, member_id: int):
    """Remove a member from the community."""
    name = _subject(member_id).nickname
    done = _("%(name)s was removed from the community.", name=name)
    return _act(id, member_id, community_members.remove, done, back="members")


@bp.route("/communities/<int:id>/members/<int:member_id>/appoint", methods=["POST"])
@login_required
def appoint(id: int, member_id: int):
    """Make a member a sub-admin (the admin only)."""
    done = _("%(name)s is now a sub-admin.", name=_subject(member_id).nickname)
    return _act(id, member_id, community_members.appoint, done)


@bp.route("/communities/<int:id>/members/<int:member_id>/dismiss", methods=["POST"])
@login_required
def dismiss(id: int, member_id: int):
    """Make a sub-admin an ordinary member (the admin only)."""
    done = _("%(name)s is no longer a sub-admin.", name=_subject(member_id).nickname)
    return _act(id, member_id, community_members.dismiss, done)


@bp.route("/communities/<int:id>/members/<int:member_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(id: int, member_id: int):
    """Ask, then hand the community over to a member (the admin only)."""
    if request.method == "GET":
        community, _role = _managed(id)
        communities.require_admin(community, current_user)
        row = or_404(communities.membership(community, member_id))
        return render("communities/transfer.html", community=community, row=row)
    done = _("%(name)s is now the admin of the community.", name=_subject(member_id).nickname)
    return _act(id, member_id, community_members.transfer, done)

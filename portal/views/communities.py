"""コミュニティ: finding, creating and reading communities, joining and leaving, the member list,
and the admin's edit and settings pages (managing members: :mod:`.community_admin`)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import page_cache
from ..forms import refusal
from ..forms.community import (
    JOIN_POLICY_LABELS,
    ROLE_LABELS,
    CommunityForm,
    CommunitySettingsForm,
    JoinForm,
    NewCommunityForm,
)
from ..keitai.paging import paginate
from ..models import Community
from ..models.community import CATEGORIES, CommunityCategory
from ..rendering import render, sizes, text_parts
from ..services import (
    NotAllowedError,
    ServiceError,
    communities,
    community_members,
    community_page,
    events,
    photos,
    topics,
)
from ._loads import ALONE, loads
from ._parts import edit_in_parts, number, or_404

bp = Blueprint("communities", __name__)


# -- finding -----------------------------------------------------------------------------------


@bp.route("/communities")
@login_required
def index():
    """Search by name and category (``?q=``, ``?category=``), a full list (``?list=popular``,
    ``new``, ``friends``, ``mine``), or the index: mine, popular, new and friends'."""
    me, size = current_user, sizes()
    query = request.args.get("q", "").strip()[: communities.NAME_MAX]
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    kind = "search" if query or category else request.args.get("list", "")
    common = {
        "query": query,
        "category": category,
        "category_labels": CommunityCategory.labels(),
    }
    if query or category or kind in communities.LISTS:
        page = communities.list_page(
            kind, me, number(), size.communities_page, query=query, category=category
        )
        return render(
            "communities/list.html",
            kind=kind,
            rows=page.items,
            paging=page.paging,
            images=photos.community_images(_ids(page.items)),
            **common,
        )
    n = size.community_sections
    sections = {
        "mine": communities.joined_by(me.id, limit=n),
        "popular": communities.popular(limit=n),
        "newest": communities.newest(limit=n),
        "friends": communities.of_friends(me, limit=n),
    }
    shown = [c for rows, _total in sections.values() for c in _ids(rows)]
    return render(
        "communities/index.html", images=photos.community_images(set(shown)), **sections, **common
    )


def _ids(rows) -> list[int]:
    """The ids of a list's communities (friends' communities come as ``(community, count)``)."""
    return [(row[0] if isinstance(row, tuple) else row).id for row in rows]


# -- creating and editing --------------------------------------------------------------------


@bp.route("/communities/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a community (with its image, from devices that can send files); its creator
    becomes its admin. A bad image saves nothing."""
    form = NewCommunityForm()
    if form.validate_on_submit():
        try:
            community = communities.create(
                current_user,
                name=form.name.data,
                description=form.description.data,
                category=form.category.data,
            )
            uploads = form.uploads()
            if uploads:
                photos.set_community_image(current_user, community, uploads[0])
        except ServiceError as exc:
            return render("communities/new.html", form=form, error=refusal(form, exc), status=400)
        flash(_("Your community was created."))
        return redirect(url_for("communities.show", id=community.id))
    return render("communities/new.html", form=form, error=None)


@bp.route("/communities/<int:id>/edit", methods=["GET", "POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def edit(community: Community):
    """Edit the name, category and description (the admin and sub-admins); a long
    description one part at a time on phones."""
    communities.require_manager(community, current_user)

    def save(form, description, part):
        communities.update(
            current_user,
            community,
            name=form.name.data,
            description=description,
            category=form.category.data,
        )
        flash(_("The community was saved."))
        return redirect(url_for("communities.show", id=community.id, part=part.page))

    return edit_in_parts(
        CommunityForm,
        text_parts(community.description),
        {"name": community.name, "category": community.category},
        "description",
        save,
        "communities/edit.html",
        community=community,
    )


@bp.route("/communities/<int:id>/settings", methods=["GET", "POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def settings(community: Community):
    """Change how members join, who reads the topics and events, and who starts them (the
    admin only)."""
    communities.require_admin(community, current_user)
    form = CommunitySettingsForm(
        data={
            "join_policy": community.join_policy,
            "topics_visibility": "everyone" if community.topics_public else "members",
            "topic_creators": community.topic_creators,
        }
    )
    if form.validate_on_submit():
        communities.update_settings(
            current_user,
            community,
            join_policy=form.join_policy.data,
            topics_public=form.topics_visibility.data == "everyone",
            topic_creators=form.topic_creators.data,
        )
        flash(_("The settings were saved."))
        return redirect(url_for("communities.show", id=community.id))
    status = 400 if request.method == "POST" else 200
    return render("communities/settings.html", community=community, form=form, status=status)


# -- reading -------------------------------------------------------------------------------


@bp.route("/communities/<int:id>")
@page_cache.cached("community")
@login_required
@loads("page", community_page.open_page)
def show(page: community_page.CommunityPage):
    """Show a community: its description (one part of a long one), and with the first part
    its newest topics and coming events when the viewer may read them (from the page cache
    while nothing changed)."""
    return _community_page(page)


def _show(community_id: int, **shown):
    """The community's page again, after a refusal (``join_form``, ``error``, ``status``)."""
    return _community_page(or_404(community_page.open_page(community_id, current_user.id)), **shown)


def _community_page(page, *, join_form=None, error=None, status: int = 200):
    me, size = current_user, sizes()
    community = page.community
    parts = text_parts(community.description)
    part = paginate(len(parts), number("part"), 1)
    first = part.page == 1
    topic_rows: list = []
    event_rows: list = []
    topic_total = event_total = 0
    if page.readable and first:
        topic_rows, topic_total = topics.of_community(community, me.id, limit=size.community_topics)
        event_rows, event_total = events.of_community(community, me.id, limit=size.community_events)
    return render(
        "communities/show.html",
        status=status,
        community=community,
        image=page.image if first else None,
        role=page.role,
        readable=page.readable,
        description=parts[part.page - 1],
        part=part,
        first=first,
        admin=page.admin,
        topics=topic_rows,
        topic_total=topic_total,
        events=event_rows,
        event_total=event_total,
        actions=page.actions,
        pending=page.pending,
        join_form=join_form or JoinForm(formdata=None),
        category_labels=CommunityCategory.labels(),
        role_labels=ROLE_LABELS,
        join_policy_labels=JOIN_POLICY_LABELS,
        error=error,
    )


@bp.route("/communities/<int:id>/members")
@login_required
@loads("community", communities.get, viewer=ALONE)
def members(community: Community):
    """List a community's members (the admin and sub-admins first)."""
    size = sizes().community_members_page
    page = community_members.members_page(community, current_user.id, number(), size)
    role = communities.role_of(community, current_user.id)
    return render(
        "communities/members.html",
        community=community,
        rows=page.items,
        paging=page.paging,
        manages=role in communities.MANAGING,
        role_labels=ROLE_LABELS,
    )


# -- joining and leaving -------------------------------------------------------------------


@bp.route("/communities/<int:id>/join", methods=["POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def join(community: Community):
    """Join an open community, or ask the admin of one that approves its members."""
    form = JoinForm()
    if not form.validate_on_submit():
        return _show(community.id, join_form=form, status=400)
    try:
        done = community_members.join(current_user, community, form.message.data)
    except NotAllowedError:
        raise  # the 403 page (views/errors.py)
    except ServiceError as exc:
        return _show(community.id, error=exc.message, status=400)
    if done == community_members.JOINED:
        flash(_("You joined %(name)s.", name=community.name))
    else:
        flash(_("Your request was sent. You can join when the admin approves it."))
    return redirect(url_for("communities.show", id=community.id))


@bp.route("/communities/<int:id>/join/cancel", methods=["POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def cancel_request(community: Community):
    """Withdraw my request to join."""
    community_members.cancel_request(current_user, community)
    flash(_("Your request was withdrawn."))
    return redirect(url_for("communities.show", id=community.id))


@bp.route("/communities/<int:id>/leave", methods=["GET", "POST"])
@login_required
@loads("community", communities.get, viewer=ALONE)
def leave(community: Community):
    """Ask, then leave a community (an admin alone in it deletes it)."""
    leaving = community_members.leaving(current_user, community)
    if leaving is None:
        return redirect(url_for("communities.show", id=community.id))
    if request.method == "GET":
        return render("communities/leave.html", community=community, leaving=leaving)
    name = community.name
    try:
        deleted = community_members.leave(current_user, community)
    except ServiceError as exc:
        return _show(community.id, error=exc.message, status=400)
    if deleted:
        flash(_("%(name)s was deleted.", name=name))
        return redirect(url_for("communities.index"))
    flash(_("You left %(name)s.", name=name))
    return redirect(url_for("communities.show", id=community.id))

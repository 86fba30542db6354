"""Members and friends (マイミク): profiles, friend lists, requests, introductions, blocking.

A member who blocked the viewer is missing for them: every page about that member answers the
same 404 as a member who does not exist (blocking is silent).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import avatars, page_cache
from ..forms import refusal
from ..forms.social import GENDER_LABELS, VISIBILITY_LABELS, FriendRequestForm, IntroductionForm
from ..i18n import month_day, ui
from ..keitai.ext import device_of
from ..keitai.paging import paginate
from ..models import Member
from ..rendering import render, sizes, text_parts
from ..services import ServiceError, footprints, friends, music, profile_page, profiles, social
from ._loads import ALONE, loads
from ._parts import number
from ._revisits import revisit

bp = Blueprint("members", __name__)


# -- the profile -------------------------------------------------------------------------------


@bp.route("/users/<int:id>")
@page_cache.cached("profile", on_hit=revisit)
@login_required
@loads("page", profile_page.open_visible)
def profile(page: profile_page.ProfilePage):
    """Show a member's profile as the viewer may see it, and leave a footprint (from the page
    cache while nothing changed)."""
    page_cache.note(visitor=footprints.Visitor.of(current_user), visited=page.member.id)
    # The page is not a 404, so the member did not block us.
    footprints.record_visit(
        current_user, page.member.id, unblocked=True, recent=page.footprint_recent
    )
    return _profile_page(page)


@dataclass(frozen=True)
class _Fact:
    """One line of the profile's facts as both trees show it: its label, its value, and on the
    member's own page who sees it (``None`` elsewhere)."""

    label: str
    value: str
    seen_by: str | None


def _facts(view: profiles.ProfileView, is_self: bool) -> list[_Fact]:
    """The profile's facts the viewer may see, in the page's order, in the viewer's words."""
    shown = [
        ("real_name", _("Real name"), view.real_name),
        ("gender", _("Gender"), view.gender and ui(str(GENDER_LABELS[view.gender]))),
        (
            "age",
            _("Age"),
            None
            if view.age is None
            else ui(ngettext("%(num)s year old", "%(num)s years old", view.age)),
        ),
        ("birthday", _("Birthday"), view.birthday and month_day(view.birthday)),
        ("area", _("Area"), view.area),
        ("hobbies", _("Hobbies"), view.hobbies),
    ]
    return [
        _Fact(ui(label), value, _seen_by(view, name) if is_self else None)
        for name, label, value in shown
        if value
    ]


def _seen_by(view: profiles.ProfileView, name: str) -> str:
    return ui(str(VISIBILITY_LABELS[view.visibilities[name]]))


def _profile_page(page: profile_page.ProfilePage, request_form=None, error=None):
    me, member, view = current_user, page.member, page.view
    avatars.known(member.id, page.main_photo_id)
    is_self = member.id == me.id
    parts = text_parts(view.introduction or "")
    part = paginate(len(parts), number("part"), 1)
    size = sizes()
    return render(
        "members/profile.html",
        view=view,
        member=member,
        is_self=is_self,
        intro_text=parts[part.page - 1],
        intro_part=part,
        facts=_facts(view, is_self),
        introduction_seen_by=_seen_by(view, "introduction") if is_self else None,
        friends=friends.friends_with_counts(member.id, viewer_id=me.id, limit=size.profile_friends)
        if view.friend_total
        else [],
        introductions=social.introductions_of(member, me.id, limit=size.profile_introductions)
        if page.introduction_total
        else [],
        introduction_total=page.introduction_total,
        relationship=page.relationship,
        main_photo=avatars.avatar_photo(member),  # the phones' macro reuses it
        music=music.recent_for(member, view.relation, 1 if device_of(request).is_keitai else 5),
        request_form=request_form or FriendRequestForm(formdata=None),
        error=error,
    )


# -- friend lists --------------------------------------------------------------------------


@bp.route("/users/<int:id>/friends")
@login_required
@loads("member", profiles.viewable_member)
def friends_of(member: Member):
    """List a member's friends, each with their own friend count."""
    return _friends_page(member)


@bp.route("/friends")
@login_required
def my_friends():
    """List my friends (the same page as ``/users/<me>/friends``)."""
    return _friends_page(current_user)


def _friends_page(member: Member):
    is_self = member.id == current_user.id
    viewer_id = current_user.id
    page = friends.friends_page(member.id, viewer_id, number(), sizes().friends_page)
    return render(
        "members/friends.html",
        member=member,
        is_self=is_self,
        friends=page.items,
        paging=page.paging,
        pending=social.pending_count(current_user) if is_self else 0,
    )


# -- friend requests -------------------------------------------------------------------------


@bp.route("/friends/requests")
@login_required
def requests():
    """List the requests waiting for my answer (with their messages) and those I sent."""
    return _requests_page()


def _requests_page(error=None):
    me, size = current_user, sizes()
    incoming = social.requests_page(me, number(), size.requests_page)
    sent = social.sent_page(me, number("sent"), size.sent_requests_page)
    return render(
        "members/requests.html",
        incoming=incoming.items,
        incoming_paging=incoming.paging,
        sent=sent.items,
        sent_paging=sent.paging,
        error=error,
    )


@bp.route("/users/<int:id>/friend-request", methods=["POST"])
@login_required
@loads("page", profile_page.open_visible)
def request_friend(page: profile_page.ProfilePage):
    """Send a マイミク request (or accept theirs, if they already asked me)."""
    member = page.member
    form = FriendRequestForm()
    if form.validate_on_submit():
        try:
            social.request_friendship(current_user, member, form.message.data)
        except ServiceError as exc:
            return _profile_page(page, request_form=form, error=refusal(form, exc))
        if friends.are_friends(current_user.id, member.id):
            flash(_("You and %(name)s are now friends.", name=member.nickname))
        else:
            flash(_("Your friend request was sent."))
        return redirect(url_for("members.profile", id=member.id))
    return _profile_page(page, request_form=form)


@bp.route("/friends/requests/<int:rid>/approve", methods=["POST"])
@login_required
def approve(rid: int):
    """Approve a request: we become friends."""
    try:
        friend_request = social.incoming_request(current_user, rid)
        sender = friend_request.sender
        social.approve(recipient=current_user, request=friend_request)
    except ServiceError as exc:
        return _requests_page(error=exc.message)
    flash(_("You and %(name)s are now friends.", name=sender.nickname))
    return redirect(url_for("members.requests"))


@bp.route("/friends/requests/<int:rid>/decline", methods=["POST"])
@login_required
def decline(rid: int):
    """Decline a request; the sender is not told."""
    try:
        social.decline(recipient=current_user, request=social.incoming_request(current_user, rid))
    except ServiceError as exc:
        return _requests_page(error=exc.message)
    flash(_("The request was declined."))
    return redirect(url_for("members.requests"))


# -- removing and blocking (a confirmation page, then the POST) ------------------------------


@bp.route("/users/<int:id>/unfriend", methods=["GET", "POST"])
@login_required
@loads("member", profiles.viewable_member)
def unfriend(member: Member):
    """Ask, then end a friendship."""
    if not friends.are_friends(current_user.id, member.id):
        return redirect(url_for("members.profile", id=member.id))
    if request.method == "GET":
        return render("members/confirm.html", member=member, action="unfriend")
    social.unfriend(current_user, member)
    flash(_("%(name)s is no longer your friend.", name=member.nickname))
    return redirect(url_for("members.profile", id=member.id))


@bp.route("/users/<int:id>/block", methods=["GET", "POST"])
@login_required
# A member for actions that must not tell whether they blocked us.
@loads("member", profiles.member_or_none, viewer=ALONE)
def block(member: Member):
    """Ask, then block a member: they will see nothing of mine and are not told."""
    if member.id == current_user.id:
        abort(404)
    if request.method == "GET":
        return render("members/confirm.html", member=member, action="block")
    social.block(current_user, member)
    flash(_("You blocked %(name)s.", name=member.nickname))
    return redirect(url_for("members.profile", id=member.id))


@bp.route("/users/<int:id>/unblock", methods=["POST"])
@login_required
# A member for actions that must not tell whether they blocked us.
@loads("member", profiles.member_or_none, viewer=ALONE)
def unblock(member: Member):
    """Lift my block of a member."""
    social.unblock(current_user, member)
    flash(_("You unblocked %(name)s.", name=member.nickname))
    if request.form.get("back") == "blocked":
        return redirect(url_for("settings.blocked"))
    return redirect(url_for("members.profile", id=member.id))


# -- introductions (紹介文) ------------------------------------------------------------------


@bp.route("/users/<int:id>/introductions")
@login_required
@loads("member", profiles.viewable_member)
def introductions(member: Member):
    """List the introductions friends wrote about a member."""
    page = social.introductions_page(member, current_user.id, number(), sizes().introductions_page)
    return render(
        "members/introductions.html",
        member=member,
        introductions=page.items,
        paging=page.paging,
    )


@bp.route("/users/<int:id>/introduction", methods=["GET", "POST"])
@login_required
@loads("member", profiles.viewable_member)
def introduction(member: Member):
    """Write or rewrite my introduction of a friend."""
    mine = social.introduction_by(current_user, member)
    form = IntroductionForm(data={"body": mine.body if mine else ""})
    error = None
    if form.validate_on_submit():
        try:
            social.write_introduction(current_user, member, form.body.data)
        except ServiceError as exc:
            error = refusal(form, exc)
        else:
            flash(_("Your introduction was saved."))
            return redirect(url_for("members.profile", id=member.id))
    return render(
        "members/introduction_form.html",
        member=member,
        form=form,
        existing=mine is not None,
        can_write=friends.are_friends(current_user.id, member.id),
        error=error,
    )


@bp.route("/users/<int:id>/introduction/delete", methods=["POST"])
@login_required
@loads("page", profile_page.open_visible)
def delete_introduction(page: profile_page.ProfilePage):
    """Delete an introduction of the member: mine (default) or, on my profile, a friend's
    (``author`` in the form)."""
    member = page.member
    author_id = request.form.get("author", type=int) or current_user.id
    try:
        social.delete_introduction(current_user, member.id, author_id)
    except ServiceError as exc:
        return _profile_page(page, error=exc.message)
    flash(_("The introduction was deleted."))
    return redirect(url_for("members.profile", id=member.id))

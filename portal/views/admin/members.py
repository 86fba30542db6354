"""Operators: the member list and search, one member (stop or resume login, grant or revoke
premium), the site settings and the operator log."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...forms.admin import ACTION_LABELS, SIGNUP_POLICY_LABELS, TARGET_LABELS, SiteSettingsForm
from ...models import Member
from ...rendering import render
from ...services import NotAllowedError, ServiceError, admin, leaving
from . import act, bp, buttons, listing

# -- members -----------------------------------------------------------------------------------


@bp.route("/members")
def members():
    """List members, newest first, or those whose nickname or e-mail contains ``?q=``."""
    query = " ".join(request.args.get("q", "").split())[: admin.QUERY_MAX]

    def fetch(offset, limit):
        return admin.find_members(current_user, query, offset=offset, limit=limit)

    return listing("admin/members.html", fetch, query=query)


def _subject(member_id: int) -> Member:
    subject = admin.member(current_user, member_id)
    if subject is None:
        abort(404)
    return subject


@bp.route("/members/<int:id>")
def member(id: int):
    """One member's account, plan and counts, with what an operator may do about them."""
    return _member_page(_subject(id))


def _member_page(subject: Member, error: str | None = None, status: int = 200):
    info = admin.summary(current_user, subject)
    return render(
        "admin/member.html",
        info=info,
        is_self=subject.id == current_user.id,
        login_actions=buttons(*filter(None, [info.login_action])),
        plan_actions=buttons(info.plan_action),
        error=error,
        status=status,
    )


def _act(id: int, action, done: str):
    return act(_subject(id), action, done, _member_page, "admin.member")


@bp.route("/members/<int:id>/stop", methods=["POST"])
def stop_login(id: int):
    """Stop a member's logins (their sessions end too)."""
    return _act(
        id,
        lambda op, m: admin.set_login_stopped(op, m, True),
        _("The member can no longer log in."),
    )


@bp.route("/members/<int:id>/resume", methods=["POST"])
def resume_login(id: int):
    """Let a member log in again."""
    return _act(
        id, lambda op, m: admin.set_login_stopped(op, m, False), _("The member can log in again.")
    )


@bp.route("/members/<int:id>/close", methods=["GET", "POST"])
def close_account(id: int):
    """Ask (GET), then close a member's account as if they had left (logged)."""
    subject = _subject(id)
    if request.method == "GET":
        if subject.left_at is not None or subject.id == current_user.id:
            return redirect(url_for("admin.member", id=subject.id))
        return render("admin/close.html", m=subject)
    return _act(id, leaving.close_by_operator, _("The account was closed."))


@bp.route("/members/<int:id>/premium", methods=["POST"])
def grant_premium(id: int):
    """Give a member the premium plan."""
    return _act(id, lambda op, m: admin.set_premium(op, m, True), _("Premium was granted."))


@bp.route("/members/<int:id>/premium/revoke", methods=["POST"])
def revoke_premium(id: int):
    """Put a member back on the standard plan."""
    return _act(id, lambda op, m: admin.set_premium(op, m, False), _("Premium was revoked."))


# -- site settings -----------------------------------------------------------------------------


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The signup policy (by invitation or open) and the open invitations each member may have."""
    current = admin.settings(current_user)
    form = SiteSettingsForm(
        data={
            "signup_policy": current["SIGNUP_POLICY"],
            "invitations_per_member": str(current["INVITATIONS_PER_MEMBER"]),
        }
    )
    error = None
    if form.validate_on_submit():
        try:
            admin.save_settings(
                current_user,
                {
                    "SIGNUP_POLICY": form.signup_policy.data,
                    "INVITATIONS_PER_MEMBER": form.invitations_per_member.data,
                },
            )
        except NotAllowedError:
            raise  # the 403 page (views/errors.py)
        except ServiceError as exc:
            error = exc.message
        else:
            flash(_("The settings were saved."))
            return redirect(url_for("admin.settings"))
    status = 400 if request.method == "POST" else 200
    return render(
        "admin/settings.html",
        form=form,
        error=error,
        status=status,
        policy_labels=SIGNUP_POLICY_LABELS,
    )


# -- the log -----------------------------------------------------------------------------------


@bp.route("/log")
def log():
    """Every operator action, newest first."""

    def fetch(offset, limit):
        return admin.log_page(current_user, offset=offset, limit=limit)

    return listing(
        "admin/log.html", fetch, action_labels=ACTION_LABELS, target_labels=TARGET_LABELS
    )

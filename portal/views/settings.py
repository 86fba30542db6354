"""Settings (language, password, e-mail, profile, blocked members, posting by e-mail) and the
language switch."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import i18n
from ..filters import safe_next
from ..forms import refusal
from ..forms.diaries import DiaryDefaultsForm
from ..forms.settings import EmailChangeForm, MailPostForm, PasswordChangeForm
from ..forms.social import VISIBILITY_FIELDS, VISIBILITY_LABELS, ProfileForm, SelfIntroductionForm
from ..rendering import render, sizes
from ..services import (
    ServiceError,
    accounts,
    diaries,
    footprints,
    limits,
    notifications,
    profiles,
    social,
)
from ..services import easy_login as easy_login_service
from ..services import mail_post as mail_post_service
from ..services.photos import PHOTOS_PER_DIARY
from ._parts import number

bp = Blueprint("settings", __name__)


@bp.route("/lang/<code>")
def language(code: str):
    """Switch the UI language for this visit and go back.

    A GET changes nothing stored (an image on another site may request it): only the session.
    A member saves the language from Settings, or with the form that offers to keep it.
    """
    if not i18n.choose_for_visit(code):
        abort(404)
    if code not in i18n.offered_languages():
        flash(_("This phone cannot show that language, so pages are in English."))
    return redirect(safe_next(request.args.get("next")) or url_for("home.top"))


@bp.route("/settings/language", methods=["POST"])
@login_required
def save_language():
    """Save the member's UI language (for every device) and go back."""
    if not accounts.set_locale(current_user, request.form.get("locale", "")):
        abort(400)
    i18n.take_visit_choice()  # the account holds it now
    flash(_("Your language was saved."))
    return redirect(safe_next(request.form.get("next")) or url_for("settings.index"))


@bp.route("/settings")
@login_required
def index():
    """Show the settings page."""
    return _page()


@bp.route("/settings/password", methods=["POST"])
@login_required
def password():
    """Change the password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            ended = accounts.change_password(
                current_user,
                form.current_password.data,
                form.new_password.data,
                keep_sid=session.sid,
            )
        except ServiceError as exc:
            refusal(form, exc, default="current_password")
        else:
            session.rotate()
            flash(_("Your password was changed."))
            if ended:
                flash(
                    ngettext(
                        "You were logged out on %(num)d other device.",
                        "You were logged out on %(num)d other devices.",
                        ended,
                    )
                )
            return redirect(url_for("settings.index"))
    return _page(password_form=form, status=400 if request.method == "POST" else 200)


@bp.route("/settings/email", methods=["POST"])
@login_required
def email():
    """Change the e-mail address."""
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_email(current_user, form.password.data, form.email.data)
        except ServiceError as exc:
            refusal(form, exc, default="email")
        else:
            flash(_("Your e-mail address was changed."))
            return redirect(url_for("settings.index"))
    return _page(email_form=form, status=400)


@bp.route("/settings/display", methods=["POST"])
@login_required
def display():
    """Turn half-width UI kana on phones on or off."""
    accounts.set_hankaku(current_user, request.form.get("hankaku") == "on")
    flash(_("Your display setting was saved."))
    return redirect(url_for("settings.index"))


@bp.route("/settings/notifications", methods=["POST"])
@login_required
def notices():
    """Choose which e-mail notices to get."""
    notifications.set_preferences(
        current_user,
        messages=request.form.get("notify_messages") == "on",
        requests=request.form.get("notify_requests") == "on",
        comments=request.form.get("notify_comments") == "on",
        # phones' form (5 KB) leaves birthday notices out: None keeps the member's choice
        birthdays=(
            request.form.get("notify_birthdays") == "on"
            if "birthdays_shown" in request.form
            else None
        ),
    )
    flash(_("Your e-mail settings were saved."))
    return redirect(url_for("settings.index"))


@bp.route("/settings/easy-login", methods=["POST"])
@login_required
def easy_login():
    """Register the phone in hand for easy login."""
    try:
        easy_login_service.register(current_user, g.device)
    except ServiceError as exc:
        return _page(easy_error=exc.message, status=400)
    flash(_("This phone is registered for easy login."))
    return redirect(url_for("settings.index"))


@bp.route("/settings/easy-login/remove", methods=["POST"])
@login_required
def easy_login_remove():
    """Forget every phone registered for easy login."""
    easy_login_service.unregister(current_user)
    flash(_("Easy login was turned off."))
    return redirect(url_for("settings.index"))


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def profile():
    """Edit my profile, who sees each field, and whether I leave footprints."""
    current = profiles.profile_of(current_user)
    form = ProfileForm(
        data={
            "nickname": current_user.nickname,
            "real_name": current_user.real_name,
            "gender": current.gender or "",
            "area": current.area,
            "hobbies": current.hobbies,
            "introduction": current.introduction,
            "leaves_footprints": current_user.leaves_footprints,
            **{f"{name}_visibility": current.visibility_of(name) for name in VISIBILITY_FIELDS},
        }
    )
    error = None
    if form.validate_on_submit():
        # Phones edit the self-introduction on a page of its own: keep it unless it was sent.
        sent_introduction = bool(form.introduction.raw_data)
        try:
            profiles.update_profile(
                current_user,
                nickname=form.nickname.data,
                real_name=form.real_name.data,
                gender=form.gender.data,
                area=form.area.data,
                hobbies=form.hobbies.data,
                introduction=form.introduction.data if sent_introduction else current.introduction,
                visibilities=form.visibilities(),
            )
        except ServiceError as exc:
            error = refusal(form, exc)
        else:
            footprints.set_leaves_footprints(current_user, form.leaves_footprints.data)
            flash(_("Your profile was saved."))
            return redirect(url_for("members.profile", id=current_user.id))
    return render("settings/profile.html", form=form, error=error)


@bp.route("/settings/profile/introduction", methods=["GET", "POST"])
@login_required
def profile_introduction():
    """Edit my self-introduction (a page of its own, so phones have room for it)."""
    form = SelfIntroductionForm(
        data={"introduction": profiles.profile_of(current_user).introduction}
    )
    if form.validate_on_submit():
        try:
            profiles.update_self_introduction(current_user, form.introduction.data)
        except ServiceError as exc:
            refusal(form, exc, default="introduction")
        else:
            flash(_("Your profile was saved."))
            return redirect(url_for("members.profile", id=current_user.id))
    return render("settings/introduction.html", form=form)


@bp.route("/settings/blocked")
@login_required
def blocked():
    """List the members I blocked, to unblock them."""
    page = social.blocked_page(current_user, number(), sizes().blocked_page)
    return render("settings/blocked.html", members=page.items, paging=page.paging)


@bp.route("/settings/diary", methods=["GET", "POST"])
@login_required
def diary_defaults():
    """Choose who can read my new diaries by default (the new-diary form, mail posts)."""
    form = DiaryDefaultsForm(data={"visibility": current_user.diary_visibility})
    if form.validate_on_submit():
        diaries.set_default_visibility(current_user, form.visibility.data)
        flash(_("Your diary setting was saved."))
        return redirect(url_for("settings.diary_defaults"))
    status = 400 if request.method == "POST" else 200
    return render("settings/diary.html", form=form, status=status)


@bp.route("/settings/mail-post", methods=["GET", "POST"])
@login_required
def mail_post():
    """Show my address for posting diaries by e-mail and how to use it; a POST makes it, or a
    new one (the old one then stops working)."""
    address = mail_post_service.address_of(current_user)
    form = MailPostForm()
    error = None
    if form.validate_on_submit():
        try:
            mail_post_service.renew(current_user)
        except ServiceError as exc:
            error = exc.message
        else:
            if address:
                flash(_("You have a new posting address. The old one no longer works."))
            else:
                flash(_("Your posting address is ready."))
            return redirect(url_for("settings.mail_post"))
    return render(
        "settings/mail_post.html",
        form=form,
        address=address,
        enabled=mail_post_service.domain() is not None,
        visibility=VISIBILITY_LABELS[current_user.diary_visibility],
        max_photos=PHOTOS_PER_DIARY,
        error=error,
        status=400 if request.method == "POST" else 200,
    )


def _page(password_form=None, email_form=None, easy_error=None, status=200):
    return render(
        "settings/index.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        email_form=email_form or EmailChangeForm(formdata=None),
        easy_carriers=easy_login_service.registered_carriers(current_user),
        easy_error=easy_error,
        plan=limits.limits_for(current_user),
        status=status,
    )

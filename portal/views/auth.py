"""Logging in and out, and signing up."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import i18n
from ..extensions import limiter
from ..filters import here, safe_next
from ..forms.auth import EmptyForm, LoginForm, SignupForm
from ..keitai.ext import device_of, server_session
from ..models._time import tokyo_today
from ..rendering import render
from ..services import ServiceError, accounts, empty_mail, lockouts, sessions
from ..services import easy_login as easy_login_service

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


def _failed(response) -> bool:
    return response.status_code != 302


def sign_in(member) -> None:
    """Start a member's session under a new session id and a new CSRF token (neither what was
    seen before login, nor a token planted by someone else, works after it); the language the
    visitor chose with the switch becomes the member's saved one."""
    chosen = i18n.take_visit_choice()
    if chosen:
        accounts.set_locale(member, chosen)
    server_session().rotate()
    _new_csrf_token()
    login_user(member)


def _new_csrf_token() -> None:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def sign_out() -> None:
    """End the member's session here; the session id is replaced and the language kept for
    this browser."""
    locale = i18n.wanted_locale()
    logout_user()
    session.clear()
    server_session().rotate()
    i18n.keep_for_browser(locale)


def login_first():
    """Send a visitor who must log in to the login page, coming back here afterwards; the
    ``next`` path never carries a session id (an expired one would loop back to the login)."""
    return redirect(url_for("auth.login", next=here()))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _login_limit,
    key_func=lambda: lockouts.password_key(device_of(request)),
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(_address_limit, key_func=lockouts.address_key, methods=["POST"], deduct_when=_failed)
def login():
    """Show the login form; log the member in."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    failed = False
    next_path = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        member = accounts.authenticate(form.email.data, form.password.data)
        if member is not None:
            sign_in(member)
            return redirect(next_path or url_for("home.index"))
        failed = True
    return render(
        "auth/login.html",
        form=form,
        failed=failed,
        easy_failed=False,
        next_path=next_path,
        login_address=empty_mail.login_address(),
    )


@bp.route("/login/easy", methods=["POST"])
@limiter.limit(
    _login_limit,
    key_func=lambda: lockouts.easy_login_key(device_of(request)),
    deduct_when=_failed,
)
def easy_login():
    """Log in with the phone's registered subscriber ID (かんたんログイン)."""
    member = easy_login_service.member_for(g.device)
    if member is None:
        return render(
            "auth/login.html",
            form=LoginForm(formdata=None),
            failed=False,
            easy_failed=True,
            next_path=None,
            login_address=empty_mail.login_address(),
        )
    sign_in(member)
    return redirect(url_for("home.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Log out; the session id is replaced and the language choice kept."""
    sign_out()
    return redirect(url_for("home.top"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Log out on every device and browser (a phone left somewhere, a shared PC)."""
    sessions.end_sessions(current_user)
    sign_out()
    flash(_("You were logged out on every device."))
    return redirect(url_for("home.top"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """Sign up: by invitation, mobile-verified (a signup link from an empty mail, or the phone's
    subscriber ID) or open, as the signup policy says."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if request.method == "GET":
        form.invite.data = request.args.get("invite", "")
        form.entry.data = request.args.get("entry", "")
    way = accounts.signup_way(form.invite.data or None, form.entry.data or None, g.device)
    if way is None:
        return render(
            "auth/signup_closed.html",
            invalid=bool(form.invite.data or form.entry.data),
            entry_address=empty_mail.entry_address(),
            status=403,
        )
    if way.entry_address is not None:
        form.email.data = way.entry_address
    error = None
    if form.validate_on_submit():
        try:
            birth = date(form.birth_year.data, form.birth_month.data, form.birth_day.data)
        except ValueError:
            form.birth_day.errors.append(_("Please check your date of birth."))
        else:
            try:
                member = accounts.sign_up(
                    email=form.email.data,
                    password=form.password.data,
                    nickname=form.nickname.data,
                    birth_date=birth,
                    invitation_token=form.invite.data or None,
                    today=tokyo_today(),
                    entry_token=form.entry.data or None,
                    device=g.device,
                )
            except ServiceError as exc:
                error = exc
            else:
                accounts.set_locale(member, i18n.visitor_language() or "")
                sign_in(member)
                return redirect(url_for("home.index", welcome=1))
    return render(
        "auth/signup.html",
        form=form,
        invitation=way.invitation,
        entry_address=way.entry_address,
        by_phone=way.by_phone,
        error=error,
    )


@bp.route("/login/mail/<token>", methods=["GET", "POST"])
def mail_login(token: str):
    """Log in through the one-time link answered to an empty mail (空メール): the page asks
    for one press (a GET changes nothing); the press uses the link up and logs in, with the
    session in the URL on phones without cookies."""
    member = empty_mail.login_member(token)
    if member is None:
        return render("auth/mail_login.html", form=None, member=None, token=token, status=404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            member = empty_mail.use_login(token)
        except ServiceError:
            return render("auth/mail_login.html", form=None, member=None, token=token, status=404)
        if current_user.is_authenticated:
            sign_out()
        sign_in(member)
        return redirect(url_for("home.index"))
    return render("auth/mail_login.html", form=form, member=member, token=token)

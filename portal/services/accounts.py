"""Accounts: signing up (18+; by invitation, mobile-verified or open, as the signup policy
says), logging in, settings."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n.learner import FURIGANA_LEVELS
from ..keitai import Device
from ..models import Invitation, Member
from ..models._time import utcnow
from ..models.member import age_on
from . import ServiceError, site_settings
from ._sql import claim
from .friends import befriend
from .passwords import hash_password, needs_rehash, verify_password
from .sessions import end_sessions


def normalise_email(address: str) -> str:
    """Return the canonical form of an e-mail address: NFKC (phones type full-width), lower case."""
    return unicodedata.normalize("NFKC", address).strip().lower()


def member_by_email(address: str) -> Member | None:
    """Return the member registered with ``address``, if any."""
    return db.session.scalar(select(Member).where(Member.email == normalise_email(address)))


def authenticate(address: str, password: str) -> Member | None:
    """Return the member whose e-mail and password these are, or ``None``.

    A member whose login an operator stopped is refused like a wrong password. A hash made with
    weaker parameters than configured is upgraded on the way.
    """
    member = member_by_email(address)
    if not verify_password(member.password_hash if member else None, password):
        return None
    assert member is not None  # a password verifies only against a stored hash
    if member.login_stopped:
        return None
    if needs_rehash(member.password_hash):
        member.password_hash = hash_password(password)
    member.last_login_at = utcnow()
    return member


def signup_policy() -> str:
    """Return ``"invite"``, ``"mobile"`` or ``"open"``: the operators' setting, else
    ``SIGNUP_POLICY``."""
    return site_settings.value("SIGNUP_POLICY")


@dataclass(frozen=True)
class SignupWay:
    """How a visitor may sign up: with an invitation, with the address an empty mail proved
    (``entry_address``), as a phone whose carrier sent its subscriber ID (``by_phone``: that
    ID is registered for easy login), or (all empty) because signup is open."""

    invitation: Invitation | None = None
    entry_address: str | None = None
    by_phone: bool = False


def _new_phone(device: Device | None) -> bool:
    """Whether the phone sent a subscriber ID we may trust that no member registered."""
    from . import easy_login

    if device is None or easy_login.usable_id(device) is None:
        return False
    return not easy_login.is_registered(device)


def signup_way(
    invitation_token: str | None, entry_token: str | None, device: Device | None
) -> SignupWay | None:
    """Return how this visitor may sign up, or ``None`` when they may not (no way the policy
    accepts, or an invitation or signup link that no longer works).

    ``invite``: an invitation only. ``mobile``: an invitation, or mobile-verified: a signup link
    answered to an empty mail from a keitai mail domain (:mod:`.empty_mail`), or a trustworthy
    carrier subscriber ID not yet registered. ``open``: anyone (a signup link still fixes the
    address).
    """
    from . import empty_mail

    policy = signup_policy()
    invitation = usable_invitation(invitation_token)
    if invitation_token and invitation is None and policy != site_settings.OPEN:
        return None
    entry = empty_mail.signup_address(entry_token) if entry_token else None
    if entry_token and entry is None:
        return None
    if invitation is not None:
        return SignupWay(invitation=invitation, entry_address=entry)
    if entry is not None and empty_mail.may_sign_up_by_mail(entry):
        return SignupWay(entry_address=entry)
    if policy == site_settings.OPEN:
        return SignupWay()
    if policy == site_settings.MOBILE and _new_phone(device):
        return SignupWay(by_phone=True)
    return None


def usable_invitation(token: str | None) -> Invitation | None:
    """Return the invitation behind ``token`` if it can still be used."""
    if not token:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None or not invitation.is_usable(utcnow()):
        return None
    return invitation


def sign_up(
    *,
    email: str,
    password: str,
    nickname: str,
    birth_date: date,
    invitation_token: str | None,
    today: date,
    entry_token: str | None = None,
    device: Device | None = None,
) -> Member:
    """Create a member; the inviter and the new member become friends.

    Race-safe: the invitation is claimed by a conditional UPDATE (only while unused and
    unexpired), so of concurrent signups with one link exactly one gets an account; two signups
    with one address meet the unique index, and the loser gets the form error. On that error the
    request's work so far is rolled back (signing up is the first thing a signup request writes).

    With a signup link from an empty mail (``entry_token``) the address is the one it proved,
    whatever was typed, and the link is used up; a phone signing up by its subscriber ID gets
    it registered for easy login.

    :raise ServiceError: without a way the signup policy accepts (:func:`signup_way`), under
        the minimum age, or when the e-mail address is taken.
    """
    from . import easy_login, empty_mail

    way = signup_way(invitation_token, entry_token, device)
    invitation = way.invitation if way else None
    if way is None or (invitation is None and invitation_token):
        raise ServiceError(_l("This invitation link is not valid any more."), "invite")
    if way.entry_address is not None:
        email = way.entry_address
    if age_on(birth_date, today) < current_app.config["MINIMUM_AGE"]:
        raise ServiceError(
            _ln(
                "You must be %(num)s or older to join.",
                "You must be %(num)s or older to join.",
                current_app.config["MINIMUM_AGE"],
            ),
            "birth_year",
        )
    if birth_date.year < 1900:
        raise ServiceError(_l("Please check your date of birth."), "birth_year")
    address = normalise_email(email)
    taken = ServiceError(_l("This e-mail address is already registered."), "email")
    if member_by_email(address) is not None:
        raise taken
    password_hash = hash_password(password)  # slow: before any row is locked
    if invitation is not None and not _claim(invitation):
        raise ServiceError(_l("This invitation link is not valid any more."), "invite")
    member = Member(
        email=address,
        password_hash=password_hash,
        nickname=nickname.strip(),
        birth_date=birth_date,
        invited_by_id=invitation.inviter_id if invitation else None,
    )
    db.session.add(member)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # the claim too: the invitation stays usable
        if member_by_email(address) is not None:
            raise taken from None
        raise
    if way.entry_address is not None:
        empty_mail.claim_signup(entry_token)
    if way.by_phone and device is not None:
        easy_login.register(member, device)
    if invitation is not None:
        invitation.used_by_id = member.id
        befriend(invitation.inviter, member)
    return member


def _claim(invitation: Invitation) -> bool:
    """Mark ``invitation`` used, if nobody did meanwhile; return whether this request got it."""
    now = utcnow()
    if not claim(Invitation, invitation.id, now, Invitation.used_by_id.is_(None)):
        return False
    invitation.used_at = now
    return True


def open_invitations(member: Member) -> list[Invitation]:
    """Return the member's invitations that can still be used, newest first."""
    stmt = (
        select(Invitation)
        .where(
            Invitation.inviter_id == member.id,
            Invitation.used_at.is_(None),
            Invitation.used_by_id.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.id.desc())
    )
    return list(db.session.scalars(stmt))


def accepted_invitations(member: Member, limit: int) -> tuple[list[Invitation], int]:
    """Return the newest of ``member``'s invitations that somebody used, and how many there are."""
    where = (Invitation.inviter_id == member.id, Invitation.used_by_id.is_not(None))
    stmt = select(Invitation).where(*where).order_by(Invitation.used_at.desc()).limit(limit)
    total = db.session.scalar(select(func.count(Invitation.id)).where(*where)) or 0
    return list(db.session.scalars(stmt)), total


def create_invitation(member: Member, note: str | None) -> Invitation:
    """Create an invitation link for ``member`` to hand out.

    :raise ServiceError: when the member already has as many open invitations as allowed.
    """
    limit = site_settings.value("INVITATIONS_PER_MEMBER")
    now = utcnow()
    open_count = db.session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.inviter_id == member.id,
            Invitation.used_at.is_(None),
            Invitation.used_by_id.is_(None),
            Invitation.expires_at > now,
        )
    )
    if open_count >= limit:
        raise ServiceError(
            _ln(
                "You can have at most %(num)s open invitation.",
                "You can have at most %(num)s open invitations.",
                limit,
            )
        )
    invitation = Invitation(
        token=secrets.token_urlsafe(16),
        inviter_id=member.id,
        note=(note or "").strip() or None,
        created_at=now,
        expires_at=now + current_app.config["INVITATION_LIFETIME"],
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def change_password(member: Member, current: str, new: str, *, keep_sid: str | None) -> int:
    """Set a new password after checking the current one, and end the member's other sessions
    (whoever else knew the old password is logged out everywhere).

    :param keep_sid: the session id of the request changing it (it stays logged in).
    :return: how many other sessions ended.
    :raise ServiceError: when ``current`` is wrong.
    """
    if not verify_password(member.password_hash, current):
        raise ServiceError(_l("The current password is wrong."), "current_password")
    member.password_hash = hash_password(new)
    return end_sessions(member, keep_sid=keep_sid)


def change_email(member: Member, password: str, new_email: str) -> None:
    """Change the member's e-mail address after checking the password.

    :raise ServiceError: when the password is wrong or the address is taken.
    """
    if not verify_password(member.password_hash, password):
        raise ServiceError(_l("The current password is wrong."), "password")
    address = normalise_email(new_email)
    other = member_by_email(address)
    if other is not None and other.id != member.id:
        raise ServiceError(_l("This e-mail address is already registered."), "email")
    member.email = address


def set_locale(member: Member, code: str) -> bool:
    """Save the member's UI language; return whether ``code`` is a language we offer."""
    if code not in current_app.config["LANGUAGES"]:
        return False
    member.locale = code
    return True


def set_hankaku(member: Member, enabled: bool) -> None:
    """Save whether the member's phone shows UI katakana half-width."""
    member.hankaku = enabled


def set_furigana(member: Member, level: str | None) -> bool:
    """Save the member's furigana setting (``None`` off, ``all``, or a known old JLPT level);
    return whether it is one of them."""
    if level is not None and level not in FURIGANA_LEVELS:
        return False
    member.furigana = level
    return True

"""Signup and login by empty mail (空メール), for phones on which typing an address is slow.

A keitai member sends an empty mail to ``entry@`` or ``login@`` the posting domain
(``MAIL_POST_DOMAIN``); the MTA pipes it to ``flask mail-post`` with the envelope recipient and
the envelope sender. The answer (:func:`answer`) goes to the envelope sender:

* for the address of a member who may log in: a one-time login link (``/login/mail/<token>``),
  whatever the two addresses were (a member asking to sign up wants to log in);
* for anyone else, when the signup policy lets the address sign up: a signup link
  (``/signup?entry=<token>``) carrying the address, which the signup then takes as proved:
  under ``mobile`` only for an address at a keitai mail domain
  (:func:`portal.keitai.mail.is_keitai_address`), under ``open`` any address.

What is trusted: nothing in the mail's headers (``From`` is whatever the sender typed). The
address is the envelope sender our MTA received the mail with, and it is trusted only as far as
a link sent to it reaches its owner: somebody who forges it makes the link go to the real
owner's mailbox, never to themselves. So a forged sender gains nothing, and the answers per
address are limited (``EMPTY_MAIL_ANSWERS_PER_HOUR``; more are dropped without a bounce) so a
forger cannot flood someone's phone. Mails without a sender (bounces), from mailer daemons or
marked automatic (RFC 3834 ``Auto-Submitted``) get no answer, so two robots cannot loop.

Links are 256-bit secrets of which only a SHA-256 is stored (:class:`~portal.models.MailLink`);
each works once, a login link for ``EMPTY_MAIL_LOGIN_LIFETIME`` (15 minutes), a signup link for
``EMPTY_MAIL_SIGNUP_LIFETIME``. The answer is written in ISO-2022-JP like the notices, with a
link on ``PUBLIC_URL`` that carries no session id.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message as EmailMessage
from email.utils import getaddresses

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_mail import Message
from sqlalchemy import func, select

from ..extensions import db
from ..filters import share_url
from ..keitai.mail import is_keitai_address
from ..models import MailLink, Member
from ..models._time import utcnow
from ..models.mail_link import LOGIN, SIGNUP
from . import ServiceError, site_settings
from ._sql import claim
from .accounts import member_by_email, normalise_email

#: The local parts of the two addresses (``entry@<MAIL_POST_DOMAIN>``, ``login@...``).
ENTRY, LOGIN_ADDRESS = "entry", "login"
#: Bytes of randomness in a link's secret (43 URL-safe characters).
TOKEN_BYTES = 32
#: Senders that are robots: they get no answer.
_ROBOTS = ("mailer-daemon", "postmaster", "noreply", "no-reply")


class NoSignupError(ServiceError):
    """Signup by empty mail is closed to this address (the policy): the mail bounces."""


@dataclass
class Answer:
    """What :func:`answer` did: the mail to send (``None``: nothing, the mail is dropped) and
    a line for the MTA's log."""

    mail: Message | None
    note: str


def _domain() -> str | None:
    value = (current_app.config.get("MAIL_POST_DOMAIN") or "").strip().lower()
    return value or None


def entry_address() -> str | None:
    """Return ``entry@<MAIL_POST_DOMAIN>`` to show on the signup page, else ``None`` (no mail,
    or signup by invitation only)."""
    host = _domain()
    if not host or not current_app.config["MAIL_ENABLED"]:
        return None
    if site_settings.value("SIGNUP_POLICY") == site_settings.INVITE:
        return None
    return f"{ENTRY}@{host}"


def login_address() -> str | None:
    """Return ``login@<MAIL_POST_DOMAIN>`` (to show on the login page), else ``None``."""
    host = _domain()
    return f"{LOGIN_ADDRESS}@{host}" if host and current_app.config["MAIL_ENABLED"] else None


def is_for_us(recipients: list[str]) -> bool:
    """Return whether one of ``recipients`` is ``entry@`` or ``login@`` the posting domain."""
    host = _domain()
    if host is None:
        return False
    for address in recipients:
        local, at, domain = address.strip().strip("<>").rpartition("@")
        if at and domain.lower().rstrip(".") == host and local.lower() in (ENTRY, LOGIN_ADDRESS):
            return True
    return False


def recipients_of(msg: EmailMessage, recipient: str | None) -> list[str]:
    """The envelope recipient when the MTA gave one, else the To and Delivered-To headers."""
    if recipient:
        return [recipient]
    values = [str(v) for k, v in msg.raw_items() if k.lower() in ("delivered-to", "to")]
    return [addr for _name, addr in getaddresses(values) if addr]


def envelope_sender(msg: EmailMessage, sender: str | None) -> str | None:
    """The address to answer: the envelope sender the MTA passed (``--sender``), else the
    ``Return-Path`` our MTA put first at delivery; never ``From``. ``None`` for a bounce."""
    if sender is None:
        values = [str(v) for k, v in msg.raw_items() if k.lower() == "return-path"]
        sender = values[0] if values else ""
    address = sender.strip().strip("<>").strip()
    local, at, domain = address.rpartition("@")
    if not (at and local and "." in domain) or any(c in address for c in " ,;\r\n\t\"'"):
        return None
    return normalise_email(address)


def _is_robot(msg: EmailMessage, address: str) -> bool:
    auto = str(msg.get("auto-submitted", "no")).strip().lower()
    precedence = str(msg.get("precedence", "")).strip().lower()
    local = address.partition("@")[0]
    return auto != "no" or precedence in ("bulk", "junk", "list") or local in _ROBOTS


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _answers_in_last_hour(address: str) -> int:
    since = utcnow() - timedelta(hours=1)
    stmt = select(func.count(MailLink.id)).where(
        MailLink.address == address, MailLink.created_at > since
    )
    return db.session.scalar(stmt) or 0


def may_sign_up_by_mail(address: str) -> bool:
    """Return whether the signup policy lets ``address``, proved by an empty mail, sign up."""
    policy = site_settings.value("SIGNUP_POLICY")
    if policy == site_settings.OPEN:
        return True
    return policy == site_settings.MOBILE and is_keitai_address(address)


def answer(msg: EmailMessage, sender: str | None) -> Answer:
    """Make the link for the empty mail ``msg`` (sent to ``entry@``/``login@``) and the mail
    that answers it. Flushes only; the caller sends the mail, then commits.

    :raise NoSignupError: when the sender is not a member and may not sign up by mail.
    """
    address = envelope_sender(msg, sender)
    if address is None:
        return Answer(None, "no envelope sender (a bounce?): no answer")
    if _is_robot(msg, address):
        return Answer(None, "an automatic mail: no answer")
    member = member_by_email(address)
    if member is None and not may_sign_up_by_mail(address):
        raise NoSignupError(_l("Signup by empty mail is open to keitai mail addresses only."))
    if _answers_in_last_hour(address) >= current_app.config["EMPTY_MAIL_ANSWERS_PER_HOUR"]:
        return Answer(None, "too many answers to this address this hour: dropped")
    if member is not None and member.login_stopped:
        return Answer(None, "this member's login is stopped: no answer")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    kind = LOGIN if member is not None else SIGNUP
    lifetime = current_app.config[
        "EMPTY_MAIL_LOGIN_LIFETIME" if kind == LOGIN else "EMPTY_MAIL_SIGNUP_LIFETIME"
    ]
    db.session.add(
        MailLink(
            kind=kind,
            address=address,
            member_id=member.id if member else None,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    db.session.flush()
    locale = (member.locale if member else None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        if member is not None:
            mail = _mail(
                address,
                gettext("Your login link"),
                gettext(
                    "To log in as %(name)s, open this link and press the button.",
                    name=member.nickname,
                ),
                gettext("It works once, for 15 minutes. If you did not ask for it, ignore it."),
                share_url("auth.mail_login", token=token),
            )
        else:
            mail = _mail(
                address,
                gettext("Signing up"),
                gettext("Thank you for your mail. Open this link to sign up with this address."),
                gettext("It works once, for 24 hours. If you did not ask for it, ignore it."),
                share_url("auth.signup", entry=token),
            )
    return Answer(mail, f"{kind} link sent")


def _mail(to: str, subject: str, line: str, note: str, link: str) -> Message:
    body = f"{line}\n\n{link}\n\n{note}\n"
    text = subject + body
    try:
        text.encode("iso-2022-jp")
        charset = "iso-2022-jp"
    except UnicodeEncodeError:
        charset = "utf-8"
    message = Message(subject=subject, recipients=[to], body=body, charset=charset)
    message.extra_headers = {"Auto-Submitted": "auto-replied"}
    return message


# -- using the links ---------------------------------------------------------------------------


def _usable(token: str | None, kind: str) -> MailLink | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(MailLink).where(
            MailLink.token_hash == _digest(token),
            MailLink.kind == kind,
            MailLink.used_at.is_(None),
            MailLink.expires_at > utcnow(),
        )
    )


def _claim(link: MailLink) -> bool:
    now = utcnow()
    if not claim(MailLink, link.id, now):
        return False
    link.used_at = now
    return True


def login_member(token: str | None) -> Member | None:
    """Return the member an unused, unexpired login link is for (without using it)."""
    link = _usable(token, LOGIN)
    if link is None or link.member_id is None:
        return None
    member = db.session.get(Member, link.member_id)
    return member if member is not None and member.is_active else None


def use_login(token: str | None) -> Member:
    """Use a login link (once: a conditional update claims it) and return its member.

    :raise ServiceError: for an unknown, used or expired link, or a member who may not log in.
    """
    expired = ServiceError(_l("This link has expired or was already used."))
    link = _usable(token, LOGIN)
    if link is None or login_member(token) is None or not _claim(link):
        raise expired
    member = db.session.get_one(Member, link.member_id)
    member.last_login_at = utcnow()
    return member


def signup_address(token: str | None) -> str | None:
    """Return the address an unused, unexpired signup link proved, else ``None``."""
    link = _usable(token, SIGNUP)
    return link.address if link is not None else None


def claim_signup(token: str | None) -> str:
    """Use a signup link (once) and return its address; called by the signup itself.

    :raise ServiceError: for an unknown, used or expired link.
    """
    link = _usable(token, SIGNUP)
    if link is None or not _claim(link):
        raise ServiceError(_l("This link has expired or was already used."), "invite")
    return link.address

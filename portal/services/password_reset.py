"""Password reset by e-mail: a one-use link that works for an hour (``/password/forgot``).

The page asking for a link answers the same whether the address belongs to a member or not, so
it tells no one who is a member. Only a hash of the link's secret is stored. Using a link sets
the new password, ends every session of the member (whoever knew the old password is logged out
everywhere) and makes the member's other links stop working.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..extensions import db
from ..models import Member, PasswordReset
from ..models._time import utcnow
from . import ServiceError
from ._sql import claim, execute_dml
from .accounts import member_by_email
from .notifications import N_, queue
from .passwords import hash_password
from .sessions import end_sessions

#: Bytes of randomness in a link's secret (43 URL-safe characters).
TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def request_reset(address: str) -> None:
    """Mail a reset link to the member with this address, if there is one who may log in.

    Nothing tells the caller whether a mail went: the page says the same either way.
    """
    member = member_by_email(address)
    if member is None or member.login_stopped:
        return
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        PasswordReset(
            member_id=member.id,
            token_hash=_digest(token),
            expires_at=utcnow() + current_app.config["RESET_LINK_LIFETIME"],
        )
    )
    db.session.flush()
    queue(
        member,
        "reset",
        subject=N_("Resetting your password"),
        lines=(
            N_("To choose a new password for %(name)s, open this link."),
            N_("It works once, for one hour. If you did not ask for it, ignore this mail."),
        ),
        link=("passwords.reset", {"token": token}),
        name=member.nickname,
    )


def usable(token: str) -> PasswordReset | None:
    """Return the unused, unexpired reset behind ``token`` (else ``None``)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(PasswordReset).where(
            PasswordReset.token_hash == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
        )
    )


def reset(token: str, new_password: str) -> Member:
    """Set the member's new password through the link and end all their sessions.

    The link is claimed with a conditional update, so two uses at once set one password. The
    sessions end first (the session store writes in its own transaction, and SQLite allows one
    writer): if the claim then fails, the member only has to log in again.

    :raise ServiceError: for an unknown, used or expired link.
    """
    now = utcnow()
    found = usable(token)
    if found is None:
        raise ServiceError(_l("This link has expired or was already used."))
    member = db.session.get_one(Member, found.member_id)
    end_sessions(member)
    if not claim(PasswordReset, found.id, now):
        raise ServiceError(_l("This link has expired or was already used."))
    member.password_hash = hash_password(new_password)
    execute_dml(
        update(PasswordReset)
        .where(PasswordReset.member_id == member.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return member

"""Operators (運営): who may use the admin pages, what they do to members, and the log.

Every function here takes the acting operator first and refuses anyone else
(:class:`OperatorOnlyError`, a 403 page that changes nothing), whatever the views checked
before. Every change an operator makes is written to the operator log (:func:`log`) in the
same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Diary, Member, OperatorLog, Report
from ..models.admin import OPEN
from . import NotAllowedError, ServiceError, limits, site_settings
from .friends import friend_count
from .limits import Limits, limits_for

#: A search for members (nickname or e-mail) is cut to this many characters.
QUERY_MAX = 100


class OperatorOnlyError(NotAllowedError):
    """Only operators may do this; the page answers 403 and nothing changes."""


def require_operator(member: Member | None) -> Member:
    """Return ``member`` if they are a logged-in operator.

    :raise OperatorOnlyError: for anyone else (visitors included).
    """
    if member is None or not getattr(member, "is_authenticated", False):
        raise OperatorOnlyError(_l("Only operators can do this."))
    if not member.is_operator or member.login_stopped:
        raise OperatorOnlyError(_l("Only operators can do this."))
    return member


def log(
    operator: Member,
    action: str,
    target_type: str,
    target_id: int | None = None,
    detail: str | None = None,
) -> OperatorLog:
    """Record that ``operator`` did ``action`` to a thing (``target_type`` and ``target_id``)."""
    require_operator(operator)
    entry = OperatorLog(
        operator_id=operator.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=(detail or "")[:500] or None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def log_page(operator: Member, *, offset: int, limit: int) -> tuple[list[OperatorLog], int]:
    """Return a page of the operator log, newest first, and how many entries there are."""
    require_operator(operator)
    total = db.session.scalar(select(func.count()).select_from(OperatorLog)) or 0
    stmt = (
        select(OperatorLog)
        .options(joinedload(OperatorLog.operator))
        .order_by(OperatorLog.created_at.desc(), OperatorLog.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt)), total


# -- members -----------------------------------------------------------------------------------


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_members(
    operator: Member, query: str, *, offset: int, limit: int
) -> tuple[list[Member], int]:
    """Return a page of members whose nickname or e-mail contains ``query`` (any characters:
    ``%`` and ``_`` match themselves), or whose id it is; all members, newest first, for an
    empty query. Operators see every member: blocks do not apply to them here.
    """
    require_operator(operator)
    query = " ".join((query or "").split())[:QUERY_MAX]
    stmt = select(Member)
    if query:
        pattern = f"%{_escape_like(query)}%"
        match = or_(
            Member.nickname.ilike(pattern, escape="\\"),
            Member.email.ilike(pattern.lower(), escape="\\"),
        )
        if query.isdigit() and len(query) <= 9:
            match = or_(match, Member.id == int(query))
        stmt = stmt.where(match)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Member.created_at.desc(), Member.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), total


def member(operator: Member, member_id: int) -> Member | None:
    """Return any member for an operator (``None``: a 404)."""
    require_operator(operator)
    return db.session.get(Member, member_id)


@dataclass
class MemberSummary:
    """What the admin page of one member shows besides the account itself."""

    member: Member
    friends: int
    diaries: int
    reports_about: int
    open_reports_about: int
    limits: Limits
    #: What the operator may change, by the action's name: the login (not their own) and the plan.
    login_action: str | None
    plan_action: str


def summary(operator: Member, subject: Member) -> MemberSummary:
    """Return the counts, plan limits and actions the admin page of ``subject`` shows."""
    require_operator(operator)
    diaries = db.session.scalar(
        select(func.count()).select_from(Diary).where(Diary.author_id == subject.id)
    )
    about = select(func.count()).select_from(Report).where(Report.author_id == subject.id)
    plan = limits_for(subject)
    return MemberSummary(
        member=subject,
        friends=friend_count(subject.id),
        diaries=diaries or 0,
        reports_about=db.session.scalar(about) or 0,
        open_reports_about=db.session.scalar(about.where(Report.status == OPEN)) or 0,
        limits=plan,
        login_action=None
        if subject.id == operator.id
        else ("resume_login" if subject.login_stopped else "stop_login"),
        plan_action="revoke_premium" if plan is limits.PREMIUM else "grant_premium",
    )


def set_login_stopped(operator: Member, subject: Member, stopped: bool) -> bool:
    """Stop (or allow again) ``subject``'s logins; return whether anything changed.

    A stopped member cannot log in (password or easy login), and their open sessions end at
    their next request (the session loader refuses them); their data stays.

    :raise ServiceError: for the operator's own account (they would lock themselves out).
    """
    require_operator(operator)
    if subject.id == operator.id:
        raise ServiceError(_l("You cannot stop your own login."))
    if subject.login_stopped == stopped:
        return False
    subject.login_stopped = stopped
    log(operator, "stop_login" if stopped else "resume_login", "member", subject.id, subject.email)
    return True


def set_premium(operator: Member, subject: Member, premium: bool) -> bool:
    """Grant or revoke ``subject``'s premium plan (its limits: ``portal.services.limits``);
    return whether anything changed."""
    require_operator(operator)
    if subject.is_premium == premium:
        return False
    subject.is_premium = premium
    action = "grant_premium" if premium else "revoke_premium"
    log(operator, action, "member", subject.id, subject.email)
    return True


# -- site settings -----------------------------------------------------------------------------


def settings(operator: Member) -> dict[str, object]:
    """Return the current value of every site setting, by name."""
    require_operator(operator)
    return {name: site_settings.value(name) for name in site_settings.SETTINGS}


def save_settings(operator: Member, values: dict[str, object]) -> list[str]:
    """Save the settings in ``values`` (by name); return the names whose value changed.

    :raise ServiceError: for an unknown setting or a value it does not allow (nothing saved).
    """
    require_operator(operator)
    unknown = set(values) - set(site_settings.SETTINGS)
    if unknown:
        raise ServiceError(_l("Please check this value."))
    changed = []
    for name, text in values.items():
        old, new = site_settings.save(name, text)
        if old != new:
            log(operator, "change_setting", "setting", None, f"{name}: {old} -> {new}")
            changed.append(name)
    return changed

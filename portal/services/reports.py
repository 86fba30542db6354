"""Abuse reports (通報): members report what others wrote; operators hide it or restore it.

A member reports only what they can see themselves (anything else is missing: a 404), never
their own writing, and once while their report waits. The report keeps an excerpt of what was
reported, so operators can judge a message, or a diary they could not read otherwise.

Hiding sets the row's ``hidden`` flag; what that means for every page, list, count, feed and
search is decided by :func:`portal.services.visibility.visible_content`. Messages are between
two members and are not hidden: operators act on their sender (stop their login).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Diary,
    DiaryComment,
    EventComment,
    Member,
    Message,
    Profile,
    Report,
    Review,
    Topic,
    TopicComment,
)
from ..models._ids import is_row_id
from ..models._time import utcnow
from ..models.admin import CLOSED, OPEN, REPORT_KINDS, REPORT_REASONS
from . import (
    ServiceError,
    admin,
    diaries,
    diary_comments,
    event_comments,
    messages,
    profiles,
    reviews,
    text_limits,
    topic_comments,
    topics,
)
from .visibility import is_blocked

TEXT_MAX = 1000
#: The most bytes a report's text may take as shown on the operators' phone pages.
TEXT_PHONE_BYTES = 2000
#: How much of the reported text a report keeps.
EXCERPT_MAX = 2000
#: Kinds whose rows have a ``hidden`` flag.
HIDEABLE = frozenset(REPORT_KINDS) - {"message"}


class TargetNotFoundError(ServiceError):
    """What the member wants to report does not exist or is not theirs to see (a 404)."""


@dataclass
class Target:
    """A reportable thing: what it is, who wrote it, and the text a report keeps."""

    kind: str
    id: int
    author_id: int
    excerpt: str
    row: object


def _excerpt(*texts: str | None) -> str:
    return "\n".join(t for t in texts if t)[:EXCERPT_MAX]


def _profile(member_id: int, viewer: Member) -> Target | None:
    member = profiles.member_or_none(member_id)
    if member is None:
        return None
    view = profiles.view_profile(member, viewer.id)
    if view.blocked:
        return None
    row = db.session.get(Profile, member.id)
    return Target(
        "profile", member.id, member.id, _excerpt(member.nickname, view.introduction), row
    )


def _diary(diary_id: int, viewer: Member) -> Target | None:
    diary = diaries.get_visible(diary_id, viewer.id)
    if diary is None:
        return None
    return Target("diary", diary.id, diary.author_id, _excerpt(diary.title, diary.body), diary)


#: The numbered comment threads, by the kind of their comments' reports.
THREADS = {
    thread.policy.kind: thread
    for thread in (diary_comments.THREAD, topic_comments.THREAD, event_comments.THREAD)
}


def _comment(kind: str):
    thread = THREADS[kind]

    def find(comment_id: int, viewer: Member) -> Target | None:
        comment = thread.get_visible(comment_id, viewer.id)
        # Not even where the thread shows them (under a diary): a blocker's comment.
        if comment is None or is_blocked(comment.author_id, viewer.id):
            return None
        return Target(kind, comment.id, comment.author_id, _excerpt(comment.body), comment)

    return find


def _topic(topic_id: int, viewer: Member) -> Target | None:
    topic = topics.get_visible(topic_id, viewer.id)
    if topic is None:
        return None
    return Target("topic", topic.id, topic.author_id, _excerpt(topic.title, topic.body), topic)


def _review(review_id: int, viewer: Member) -> Target | None:
    review = reviews.get_visible(review_id, viewer.id)
    if review is None:
        return None
    return Target(
        "review", review.id, review.author_id, _excerpt(review.title, review.body), review
    )


def _message(message_id: int, viewer: Member) -> Target | None:
    message = messages.get_for(viewer, message_id)
    if message is None or message.recipient_id != viewer.id or message.is_draft:
        return None
    text = _excerpt(message.subject, message.body)
    return Target("message", message.id, message.sender_id, text, message)


_FINDERS = {
    "profile": _profile,
    "diary": _diary,
    "diary_comment": _comment("diary_comment"),
    "topic": _topic,
    "topic_comment": _comment("topic_comment"),
    "event_comment": _comment("event_comment"),
    "review": _review,
    "message": _message,
}


def target_for(kind: str | None, target_id: int | None, viewer: Member) -> Target:
    """Return what ``viewer`` wants to report, if they can see it and it is not theirs.

    :raise TargetNotFoundError: for an unknown kind or id, or a thing the viewer cannot see.
    :raise ServiceError: for the viewer's own writing.
    """
    finder = _FINDERS.get(kind or "")
    found = finder(target_id, viewer) if finder and is_row_id(target_id) else None
    if found is None:
        raise TargetNotFoundError(_l("This page does not exist or was deleted."))
    if found.author_id == viewer.id:
        raise ServiceError(_l("You cannot report what you wrote yourself."))
    return found


def file(
    reporter: Member, kind: str | None, target_id: int | None, *, reason: str, text: str | None
) -> Report:
    """Report a thing to the operators; a second report by the same member while the first
    waits changes nothing (the first is returned).

    :raise TargetNotFoundError: as :func:`target_for`.
    :raise ServiceError: for one's own writing, an unknown reason or a too long text.
    """
    target = target_for(kind, target_id, reporter)
    if reason not in REPORT_REASONS:
        raise ServiceError(_l("Please choose from the list."), "reason")
    text = (text or "").strip()
    if len(text) > TEXT_MAX:
        raise ServiceError(_l("The text is too long."), "text")
    text_limits.require_fits(text, TEXT_PHONE_BYTES, "text", rich=True)
    waiting = db.session.scalar(
        select(Report).where(
            Report.reporter_id == reporter.id,
            Report.kind == target.kind,
            Report.target_id == target.id,
            Report.status == OPEN,
        )
    )
    if waiting is not None:
        return waiting
    report = Report(
        reporter_id=reporter.id,
        kind=target.kind,
        target_id=target.id,
        author_id=target.author_id,
        reason=reason,
        text=text or None,
        excerpt=target.excerpt or None,
    )
    db.session.add(report)
    db.session.flush()
    return report


# -- the operators' queue ----------------------------------------------------------------------


def queue(operator: Member, status: str, *, offset: int, limit: int) -> tuple[list[Report], int]:
    """Return a page of the open (oldest first) or closed (newest first) reports."""
    admin.require_operator(operator)
    status = status if status in (OPEN, CLOSED) else OPEN
    where = Report.status == status
    total = db.session.scalar(select(func.count()).select_from(Report).where(where)) or 0
    order = (
        (Report.created_at, Report.id)
        if status == OPEN
        else (
            Report.closed_at.desc(),
            Report.id.desc(),
        )
    )
    stmt = (
        select(Report)
        .where(where)
        .options(joinedload(Report.reporter), joinedload(Report.author))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return list(db.session.scalars(stmt)), total


def open_count(operator: Member) -> int:
    """Return how many reports wait for an operator."""
    admin.require_operator(operator)
    stmt = select(func.count()).select_from(Report).where(Report.status == OPEN)
    return db.session.scalar(stmt) or 0


def get(operator: Member, report_id: int) -> Report | None:
    """Return a report for an operator (``None``: a 404)."""
    admin.require_operator(operator)
    return db.session.get(Report, report_id)


_MODELS = {
    "diary": Diary,
    "diary_comment": DiaryComment,
    "topic": Topic,
    "topic_comment": TopicComment,
    "event_comment": EventComment,
    "review": Review,
    "message": Message,
}


def content_of(operator: Member, report: Report):
    """Return the reported row as it is now (``None`` once deleted): for a profile, the
    member's profile row (``None`` when they never filled one in)."""
    admin.require_operator(operator)
    if report.kind == "profile":
        return db.session.get(Profile, report.target_id)
    return db.session.get(_MODELS[report.kind], report.target_id)


def _close(operator: Member, report: Report) -> None:
    report.status, report.closed_at, report.closed_by_id = CLOSED, utcnow(), operator.id


def _set_hidden(operator: Member, report: Report, hidden: bool) -> None:
    if report.kind not in HIDEABLE:
        raise ServiceError(_l("Messages cannot be hidden. Stop the sender's login instead."))
    row = content_of(operator, report)
    if report.kind == "profile" and row is None:
        subject = db.session.get(Member, report.target_id)
        if subject is None:
            raise ServiceError(_l("This was deleted in the meantime."))
        row = profiles.profile_of(subject)
        db.session.add(row)
    if row is None:
        raise ServiceError(_l("This was deleted in the meantime."))
    if report.kind in THREADS:  # keeps the parent's count of comments not hidden
        THREADS[report.kind].set_hidden(row, hidden)
    else:
        row.hidden = hidden
    db.session.flush()


def hide(operator: Member, report: Report) -> None:
    """Hide the reported thing from everyone but its author and operators; every open report
    of the same thing is closed with it.

    :raise ServiceError: for a message, or a thing deleted since it was reported.
    """
    admin.require_operator(operator)
    _set_hidden(operator, report, True)
    db.session.execute(
        update(Report)
        .where(Report.kind == report.kind, Report.target_id == report.target_id)
        .where(Report.status == OPEN)
        .values(status=CLOSED, closed_at=utcnow(), closed_by_id=operator.id)
        .execution_options(synchronize_session=False)
    )
    _close(operator, report)
    admin.log(operator, "hide", report.kind, report.target_id, f"report {report.id}")


def restore(operator: Member, report: Report) -> None:
    """Show a hidden thing again (the report stays closed).

    :raise ServiceError: for a message, or a thing deleted since it was reported.
    """
    admin.require_operator(operator)
    _set_hidden(operator, report, False)
    admin.log(operator, "restore", report.kind, report.target_id, f"report {report.id}")


def dismiss(operator: Member, report: Report) -> None:
    """Close a report without acting on what it reports."""
    admin.require_operator(operator)
    if report.status == CLOSED:
        return
    _close(operator, report)
    db.session.flush()
    admin.log(operator, "dismiss", "report", report.id, f"{report.kind} {report.target_id}")


def is_hidden(operator: Member, report: Report) -> bool | None:
    """Return whether the reported thing is hidden now (``None``: it cannot be, or is gone)."""
    if report.kind not in HIDEABLE:
        return None
    row = content_of(operator, report)
    return None if row is None else bool(row.hidden)

"""E-mail notifications (new message, friend request, comment, a friend's birthday), each one a
member can turn off.

A notice is a row of the outbox (:class:`~portal.models.OutboxMail`) written in the same
transaction as the action that causes it, so a refused or rolled-back action mails no one.
After the commit (:func:`flush`, from ``portal.transactions``) each row is handed to the task
queue (``portal.tasks.mail``), whose consumer sends it (:func:`deliver`) with retries and
backoff; a queue that cannot be reached loses nothing, as :func:`requeue_stalled` hands the row
over again later. Each row has an idempotency key and is claimed before it is sent, so a task
that runs twice mails no one twice.

Mail is built with Flask-Mail in the recipient's language (``force_locale``). Subjects and
bodies go out as ISO-2022-JP, the encoding every Japanese phone and PC mailer reads (au mail
needs it, KEITAI.md A2), and as UTF-8 when the text holds characters ISO-2022-JP lacks (emoji).
A failing SMTP server is logged, never shown to the member.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, has_request_context
from flask_babel import force_locale, gettext
from flask_mail import Message
from sqlalchemy import or_, select, update

from ..extensions import db, mail
from ..filters import share_url
from ..models import Member, OutboxMail
from ..models._time import utcnow
from ._sql import execute_dml

logger = logging.getLogger(__name__)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for a no-op marker)
    """Mark ``message`` for extraction; it is translated later, in the recipient's language."""
    return message


#: Kinds of notice, and the member setting that turns each off.
KINDS = {
    "message": "notify_messages",
    "request": "notify_requests",
    "comment": "notify_comments",
    "birthday": "notify_birthdays",
}
#: Mails that answer the member's own request (a password reset): they cannot be turned off.
ALWAYS = frozenset({"reset"})


def wants(member: Member, kind: str) -> bool:
    """Return whether ``member`` wants notices of ``kind`` (and mail is on)."""
    if not current_app.config["MAIL_ENABLED"]:
        return False
    return kind in ALWAYS or bool(getattr(member, KINDS[kind]))


def write(
    recipient: Member,
    kind: str,
    *,
    subject: str,
    lines: tuple[str, ...],
    link: tuple[str, dict],
    key: str | None = None,
    **params: str,
) -> OutboxMail:
    """Add a notice to the outbox in the current transaction (flushed, not committed).

    :param subject: an English msgid (translated in the recipient's language when sent).
    :param lines: English msgids of the body's lines, formatted with ``params``.
    :param link: ``(endpoint, values)`` of the page the notice points to; it becomes an
        absolute URL on ``PUBLIC_URL`` without any session id.
    :param key: the mail's idempotency key (default: a new random one).
    """
    endpoint, values = link
    row = OutboxMail(
        key=key or f"{kind}:{uuid.uuid4().hex}",
        recipient_id=recipient.id,
        kind=kind,
        subject=subject,
        lines=list(lines),
        params=params,
        link=share_url(endpoint, **values),
    )
    db.session.add(row)
    db.session.flush()
    return row


def queue(recipient: Member, kind: str, **notice: Any) -> None:
    """Write a notice for the request's transaction, unless the member turned this kind off;
    it is handed to the task queue after the commit (:func:`flush`).

    Outside a request (the demo seeder, CLI imports) nothing is written: notices are for what
    members do on the site. The notice (``subject``, ``lines``, ``link`` and its parameters) as
    for :func:`write`.
    """
    if not has_request_context() or not wants(recipient, kind):
        return
    row = write(recipient, kind, **notice)
    g.setdefault("outbox", []).append(row.id)


def pending() -> bool:
    """Return whether this request holds notices to send after its commit."""
    return bool(g.get("outbox"))


def discard() -> None:
    """Forget the request's notices (its work, their rows with it, was rolled back)."""
    g.pop("outbox", None)


def flush() -> int:
    """Hand the request's notices to the task queue; return how many. Called after the commit."""
    return enqueue(g.pop("outbox", []))


def enqueue(ids: Iterable[int]) -> int:
    """Hand outbox rows to the task queue; return how many it took.

    A queue that cannot be reached is logged: the rows wait in the outbox for
    :func:`requeue_stalled`.
    """
    from ..tasks.mail import deliver_mail

    handed = 0
    for outbox_id in ids:
        try:
            deliver_mail(outbox_id)
        except Exception:  # noqa: BLE001 (a queue outage must not fail the page)
            logger.warning("mail %s waits in the outbox: the queue is unreachable", outbox_id)
            continue
        handed += 1
    return handed


def pending_ids(now: datetime | None = None, created_before: datetime | None = None) -> list[int]:
    """Return the outbox rows no consumer holds that are neither sent nor given up (written
    before ``created_before``, when given), oldest first."""
    now = now or utcnow()
    stmt = select(OutboxMail.id).where(
        OutboxMail.sent_at.is_(None),
        OutboxMail.failed_at.is_(None),
        or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
    )
    if created_before is not None:
        stmt = stmt.where(OutboxMail.created_at <= created_before)
    return list(db.session.scalars(stmt.order_by(OutboxMail.id)))


def requeue_stalled(now: datetime | None = None, older_than: timedelta | None = None) -> int:
    """Hand over again the rows waiting longer than ``older_than`` (default: the mail lease),
    as after a queue outage or a consumer killed mid-send whose claim ran out; return how many.
    The claim in :func:`deliver` keeps a row that is handed over twice from going twice."""
    now = now or utcnow()
    if older_than is None:
        older_than = _lease()
    return enqueue(pending_ids(now, created_before=now - older_than))


def _lease() -> timedelta:
    """How long a sender holds a row (``QUEUE_MAIL_LEASE``: a timedelta, or seconds)."""
    lease = current_app.config["QUEUE_MAIL_LEASE"]
    return lease if isinstance(lease, timedelta) else timedelta(seconds=float(lease))


def _claim(outbox_id: int, now: datetime) -> bool:
    """Hold a row for one sender until the lease runs out; ``False``: sent, given up, or held."""
    lease = _lease()
    claimed = execute_dml(
        update(OutboxMail)
        .where(
            OutboxMail.id == outbox_id,
            OutboxMail.sent_at.is_(None),
            OutboxMail.failed_at.is_(None),
            or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now),
        )
        .values(claimed_until=now + lease, attempts=OutboxMail.attempts + 1)
    ).rowcount
    db.session.commit()
    return claimed == 1


def deliver(
    outbox_id: int, *, last_try: bool = True, send: Callable[[Message], None] | None = None
) -> bool:
    """Send one outbox row (a task of the queue, in an app context); return whether it went.

    The row is claimed first (committed), so a second run of the same task, or of another
    consumer, finds it held or sent and sends nothing. A send that fails releases the claim and
    raises, so the queue retries later; on the ``last_try`` the mail is given up and logged.
    """
    if not _claim(outbox_id, utcnow()):
        return False
    row = db.session.get_one(OutboxMail, outbox_id)
    member = db.session.get_one(Member, row.recipient_id)
    try:
        (send or mail.send)(_message(member, row))
    except Exception as e:
        row.claimed_until = None
        row.last_error = f"{type(e).__name__}: {e}"[:500]
        if last_try:
            row.failed_at = utcnow()
            logger.error(
                "notification %s to member %s finally failed after %s tries: %s",
                row.key,
                member.id,
                row.attempts,
                row.last_error,
            )
        db.session.commit()
        if last_try:
            return False
        raise
    row.sent_at = utcnow()
    if row.kind in ALWAYS:
        row.link = ""  # a password-reset link is a secret: not kept once it went
    db.session.commit()
    return True


def _message(member: Member, notice: OutboxMail) -> Message:
    with force_locale(member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = gettext(notice.subject, **notice.params)
        body = "\n".join(gettext(line, **notice.params) for line in notice.lines)
        footer = gettext("You can turn these e-mails off in Settings.")
    body = f"{body}\n\n{notice.link}\n"
    if notice.kind in KINDS:
        body += f"\n-- \n{footer}\n"
    charset = "iso-2022-jp" if _fits_jis(subject + body) else "utf-8"
    return Message(subject=subject, recipients=[member.email], body=body, charset=charset)


def _fits_jis(text: str) -> bool:
    try:
        text.encode("iso-2022-jp")
    except UnicodeEncodeError:
        return False
    return True


def set_preferences(
    member: Member, *, messages: bool, requests: bool, comments: bool, birthdays: bool | None
) -> None:
    """Save which e-mail notices ``member`` wants (``birthdays`` ``None``: unchanged)."""
    member.notify_messages, member.notify_requests, member.notify_comments = (
        messages,
        requests,
        comments,
    )
    if birthdays is not None:
        member.notify_birthdays = birthdays

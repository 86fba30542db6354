"""Messages (メッセージ): sending, drafts, replies, the folders, the trash and its retention.

Only the two members a message is between ever see it: every lookup goes through
:func:`get_for`, which answers ``None`` for anyone else, as for a missing message (a 404).
Each side has its own folder state (``portal.models.message``): trashing, restoring or
deleting a message changes only the member's own side, and the row goes when both sides
deleted it. A member blocked by the recipient cannot send to them and is told only what a
sender to a missing member is told.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Member, Message
from ..models._ids import is_row_id
from ..models._time import utcnow
from ..models.message import DELETED, DRAFT, INBOX, SENT, TRASHED
from . import ServiceError, counters, notifications, text_limits
from ._sql import execute_dml, rows_and_total
from .limits import limits_for, plans
from .listing import Listing, fetched
from .notifications import N_
from .visibility import is_blocked

SUBJECT_MAX = 50
BODY_MAX = 1000
#: The most bytes a body may take as shown on a phone (a message fits one page).
BODY_PHONE_BYTES = 2 * BODY_MAX
#: The most characters of the original a reply quotes (whole lines, then ``> ...``).
QUOTE_MAX = 500

#: The folders of ``/messages?folder=``, the inbox first.
FOLDERS = ("inbox", "sent", "drafts", "trash")

#: Told to a sender whose recipient is missing or blocked them: the same words for both.
NO_SUCH_RECIPIENT = _l("This member does not exist or cannot receive your message.")


def parse_member_id(value: object) -> int | None:
    """Read a member id typed into the ``to`` field (full-width digits too); else ``None``."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text.isdigit() or len(text) > 12:
        return None
    return int(text)


def recipient_for(sender: Member, to: object) -> Member | None:
    """Return the member ``to`` names if they exist and did not block ``sender``, else
    ``None`` (the compose page shows the nickname only then)."""
    member_id = parse_member_id(to)
    member = db.session.get(Member, member_id) if is_row_id(member_id) else None
    if member is None or is_blocked(member.id, sender.id):
        return None
    return member


def _check_recipient(sender: Member, to: object) -> Member:
    recipient = recipient_for(sender, to)
    if recipient is None or recipient.left_at is not None:  # 退会: as if missing
        raise ServiceError(NO_SUCH_RECIPIENT, "to")
    if recipient.id == sender.id:
        raise ServiceError(_l("You cannot send a message to yourself."), "to")
    if is_blocked(sender.id, recipient.id):
        raise ServiceError(_l("You blocked this member. Unblock them to send a message."), "to")
    return recipient


def _check_text(subject: str, body: str, *, draft: bool) -> tuple[str, str]:
    subject, body = (subject or "").strip(), (body or "").strip()
    if not draft and not subject:
        raise ServiceError(_l("Please write a subject."), "subject")
    if not body and (not draft or not subject):
        raise ServiceError(_l("Please write something."), "body")
    if len(subject) > SUBJECT_MAX:
        raise ServiceError(_l("The subject is too long."), "subject")
    if len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), "body")
    text_limits.require_fits(body, BODY_PHONE_BYTES, "body", rich=True)
    return subject, body


def _check_draft(sender: Member, draft: Message | None) -> Message:
    if draft is None:
        return Message(sender_id=sender.id, sender_state=DRAFT)
    if draft.sender_id != sender.id or not draft.is_draft:
        raise ServiceError(_l("This draft does not exist any more."))
    return draft


def send(
    sender: Member,
    *,
    to: object,
    subject: str,
    body: str,
    reply_to: Message | None = None,
    draft: Message | None = None,
    now: datetime | None = None,
) -> Message:
    """Send a message (a new one, or ``draft``, which is sent with these values).

    :param to: the recipient's member id, as typed.
    :param reply_to: the message this one answers (one the sender received).
    :raise ServiceError: for a missing recipient or one who blocked the sender (the same
        words), oneself, a member the sender blocked, or a missing or too long text.
    """
    recipient = _check_recipient(sender, to)
    subject, body = _check_text(subject, body, draft=False)
    message = _check_draft(sender, draft)
    if message.id is not None:  # a draft: sent once, even by two requests at the same time
        if not _move(message, (Message.sender_state == DRAFT,), {"sender_state": SENT}):
            raise ServiceError(_l("This draft does not exist any more."))
    message.sender_state, message.recipient_state = SENT, INBOX
    _write(message, sender, recipient, subject, body, reply_to, now)
    counters.add(recipient.id, counters.UNREAD_MESSAGES, 1)
    notifications.queue(
        recipient,
        "message",
        subject=N_("New message from %(name)s"),
        lines=(N_("%(name)s sent you a message: “%(title)s”."),),
        link=("messages.show", {"id": message.id}),
        name=sender.nickname,
        title=subject,
    )
    return message


def save_draft(
    sender: Member,
    *,
    to: object,
    subject: str,
    body: str,
    reply_to: Message | None = None,
    draft: Message | None = None,
    now: datetime | None = None,
) -> Message:
    """Save a new draft, or ``draft`` again. The recipient may still be missing.

    Drafts are rows of their own: they outlive the session they were written in.

    :raise ServiceError: for an empty draft, a too long text, or a recipient who could not
        receive it (as :func:`send` says).
    """
    recipient = _check_recipient(sender, to) if str(to or "").strip() else None
    subject, body = _check_text(subject, body, draft=True)
    message = _check_draft(sender, draft)
    _write(message, sender, recipient, subject, body, reply_to, now)
    return message


def _write(
    message: Message,
    sender: Member,
    recipient: Member | None,
    subject: str,
    body: str,
    reply_to: Message | None,
    now: datetime | None,
) -> None:
    """Write a message's (or draft's) recipient, text and time; a reply is linked to the
    message it answers only when that one was sent to ``sender``."""
    message.recipient_id = recipient.id if recipient else None
    message.subject, message.body, message.created_at = subject, body, now or utcnow()
    if reply_to is not None and reply_to.recipient_id == sender.id:
        message.reply_to_id = reply_to.id
    db.session.add(message)
    db.session.flush()


def draft_of(member: Member, message_id: int) -> Message | None:
    """Return ``member``'s draft with this id, or ``None``."""
    message = db.session.get(Message, message_id)
    if message is None or message.sender_id != member.id or not message.is_draft:
        return None
    return message


# -- replies ---------------------------------------------------------------------------------


@dataclass
class Reply:
    """What a reply form starts with: the recipient, ``Re:`` subject and the quotation."""

    original: Message
    to: int
    subject: str
    body: str


def reply_to(member: Member, message_id: int) -> Reply | None:
    """Return the start of ``member``'s reply to a message they received, or ``None``."""
    original = get_for(member, message_id)
    if original is None or original.recipient_id != member.id:
        return None
    return Reply(
        original, original.sender_id, reply_subject(original.subject), quote(original.body)
    )


def reply_subject(subject: str) -> str:
    """Return ``Re: subject`` (once: a subject that starts with ``Re:`` stays as it is)."""
    subject = subject.strip()
    if not re.match(r"re\s*[:：]", subject, re.IGNORECASE):
        subject = f"Re: {subject}"
    return subject[:SUBJECT_MAX]


def quote(body: str, limit: int = QUOTE_MAX) -> str:
    """Return ``body`` quoted with ``> `` before each line, after two empty lines (the reply
    goes on top): at most about ``limit`` characters, cut with ``...``."""
    lines, used = [], 0
    for line in body.splitlines():
        quoted = f"> {line}".rstrip()
        room = limit - used
        if len(quoted) > room:
            lines.append((quoted[:room].rstrip() if room > 2 else ">") + "...")
            break
        lines.append(quoted)
        used += len(quoted) + 1
    return "\n\n" + "\n".join(lines)


# -- reading and folders ---------------------------------------------------------------------


def get_for(member: Member, message_id: int) -> Message | None:
    """Return the message if ``member`` sent it or received it and has not deleted it.

    Everyone else gets ``None``, exactly as for a message that does not exist.
    """
    message = db.session.get(Message, message_id) if is_row_id(message_id) else None
    if message is None:
        return None
    if message.sender_id == member.id and message.sender_state != DELETED:
        return message
    if message.recipient_id == member.id and message.recipient_state in (INBOX, TRASHED):
        return message
    return None


def read(member: Member, message_id: int, now: datetime | None = None) -> Message | None:
    """Return the message for ``member`` (as :func:`get_for`); the recipient's first reading
    marks it read."""
    message = get_for(member, message_id)
    if message is not None and message.recipient_id == member.id and message.read_at is None:
        now = now or utcnow()
        unread = (Message.read_at.is_(None), Message.recipient_state == INBOX)
        if _move(message, unread, {"read_at": now}):
            counters.add(member.id, counters.UNREAD_MESSAGES, -1)
        else:  # read in the trash (or by another request just now)
            _move(message, (Message.read_at.is_(None),), {"read_at": now})
    return message


def _move(message: Message, where: tuple, values: dict) -> bool:
    """Change the message's row only while ``where`` holds in the database (so two requests
    never both make the same change); return whether it did. The loaded message follows."""
    done = execute_dml(
        update(Message)
        .where(Message.id == message.id, *where)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if not done.rowcount:
        return False
    for name, value in values.items():
        set_committed_value(message, name, value)
    return True


def is_sender(member: Member, message: Message) -> bool:
    """Return whether ``member`` is the message's sender (else its recipient)."""
    return message.sender_id == member.id


def state_for(member: Member, message: Message) -> str | None:
    """Return ``member``'s side of the message: draft, sent, inbox, trashed or deleted."""
    return message.sender_state if is_sender(member, message) else message.recipient_state


def _folder_where(member: Member, folder: str):
    if folder == "sent":
        return and_(Message.sender_id == member.id, Message.sender_state == SENT)
    if folder == "drafts":
        return and_(Message.sender_id == member.id, Message.sender_state == DRAFT)
    if folder == "trash":
        return or_(
            and_(Message.sender_id == member.id, Message.sender_state == TRASHED),
            and_(Message.recipient_id == member.id, Message.recipient_state == TRASHED),
        )
    return and_(Message.recipient_id == member.id, Message.recipient_state == INBOX)


def folder_page(member: Member, folder: str, number: int, per_page: int) -> Listing[Message]:
    """Return page ``number`` of one of ``member``'s folders, newest first (one query within
    range: :func:`.listing.fetched`)."""
    return fetched(number, per_page, partial(_folder_rows, member, folder))


def _folder_rows(
    member: Member, folder: str, *, offset: int = 0, limit: int | None = None
) -> tuple[list[Message], int]:
    """Return a page of one of ``member``'s folders and how many messages it holds."""
    stmt = (
        select(Message)
        .where(_folder_where(member, folder))
        .options(joinedload(Message.sender), joinedload(Message.recipient))
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    return rows_and_total(stmt, offset, limit)


def unread_count(member: Member) -> int:
    """Return how many messages in ``member``'s inbox are unread (its counter: no query)."""
    return member.unread_messages


# -- the trash -------------------------------------------------------------------------------


def trash_days(member: Member) -> int:
    """Return how many days ``member``'s trash keeps messages (their plan's limit)."""
    return limits_for(member).trash_days


def trash(member: Member, message: Message, now: datetime | None = None) -> None:
    """Move a message to ``member``'s trash (their side only); a draft is deleted instead.

    :raise ServiceError: when the message is not in the member's inbox or sent messages.
    """
    now = now or utcnow()
    if is_sender(member, message) and message.sender_state == DRAFT:
        delete_for_good(member, message)
    elif is_sender(member, message) and message.sender_state == SENT:
        message.sender_state, message.sender_trashed_at = TRASHED, now
    elif message.recipient_id == member.id and message.recipient_state == INBOX:
        moved = {"recipient_state": TRASHED, "recipient_trashed_at": now}
        if _move(message, (Message.recipient_state == INBOX, Message.read_at.is_(None)), moved):
            counters.add(member.id, counters.UNREAD_MESSAGES, -1)
        else:
            _move(message, (Message.recipient_state == INBOX,), moved)
    else:
        raise ServiceError(_l("This message cannot be moved to the trash."))
    db.session.flush()


def restore(member: Member, message: Message) -> None:
    """Take a message out of ``member``'s trash, back to their inbox or sent messages.

    :raise ServiceError: when it is not in the member's trash.
    """
    if is_sender(member, message) and message.sender_state == TRASHED:
        message.sender_state, message.sender_trashed_at = SENT, None
    elif message.recipient_id == member.id and message.recipient_state == TRASHED:
        moved = {"recipient_state": INBOX, "recipient_trashed_at": None}
        if _move(message, (Message.recipient_state == TRASHED, Message.read_at.is_(None)), moved):
            counters.add(member.id, counters.UNREAD_MESSAGES, 1)
        else:
            _move(message, (Message.recipient_state == TRASHED,), moved)
    else:
        raise ServiceError(_l("This message is not in the trash."))
    db.session.flush()


def delete_for_good(member: Member, message: Message) -> None:
    """Delete a message from ``member``'s trash for good (or a draft); the other side keeps
    theirs, and the row goes once both sides deleted it.

    :raise ServiceError: when the message is neither in the member's trash nor a draft.
    """
    if is_sender(member, message) and message.sender_state == DRAFT:
        db.session.delete(message)
    elif is_sender(member, message) and message.sender_state == TRASHED:
        message.sender_state = DELETED
    elif message.recipient_id == member.id and message.recipient_state == TRASHED:
        message.recipient_state = DELETED
    else:
        raise ServiceError(_l("Please move the message to the trash first."))
    if message.sender_state == DELETED and message.recipient_state == DELETED:
        db.session.delete(message)
    db.session.flush()


def purge_trash(now: datetime | None = None) -> int:
    """Delete for good what has lain in a trash longer than its owner's plan keeps it
    (``trash_days`` in :mod:`portal.services.limits`); remove rows both sides deleted.

    Idempotent and set-based (safe for cron: ``flask purge-messages``).

    :return: how many trashed messages (one side each) were deleted.
    """
    now = now or utcnow()
    purged = 0
    for plan, members in plans():
        cutoff = now - timedelta(days=plan.trash_days)
        for side in ("sender", "recipient"):
            state = getattr(Message, f"{side}_state")
            result = execute_dml(
                update(Message)
                .where(
                    state == TRASHED,
                    getattr(Message, f"{side}_trashed_at") < cutoff,
                    getattr(Message, f"{side}_id").in_(members),
                )
                .values({state: DELETED})
                .execution_options(synchronize_session=False)
            )
            purged += result.rowcount or 0
    db.session.execute(
        delete(Message)
        .where(Message.sender_state == DELETED, Message.recipient_state == DELETED)
        .execution_options(synchronize_session=False)
    )
    return purged

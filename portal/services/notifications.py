"""E-mail notifications (new message, friend request, comment), each one a member can turn off.

Mail is built with Flask-Mail in the recipient's language (``force_locale``) and sent only
after the request's work is committed (:func:`flush` runs from ``portal.transactions``), so a
refused or rolled-back action never mails anyone. Subjects and bodies go out as ISO-2022-JP,
the encoding every Japanese phone and PC mailer reads (au mail needs it, KEITAI.md A2), and as
UTF-8 when the text holds characters ISO-2022-JP lacks (emoji). A failing SMTP server is logged,
never shown to the member.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_babel import force_locale, gettext
from flask_mail import Message

from ..extensions import mail
from ..filters import share_url
from ..models import Member

logger = logging.getLogger(__name__)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for a no-op marker)
    """Mark ``message`` for extraction; it is translated later, in the recipient's language."""
    return message


#: Kinds of notice, and the member setting that turns each off.
KINDS = {"message": "notify_messages", "request": "notify_requests", "comment": "notify_comments"}
#: Mails that answer the member's own request (a password reset): they cannot be turned off.
ALWAYS = frozenset({"reset"})


@dataclass
class _Notice:
    recipient_id: int
    kind: str
    subject: str
    lines: tuple[str, ...]
    params: dict
    link: str


def queue(
    recipient: Member,
    kind: str,
    *,
    subject: str,
    lines: tuple[str, ...],
    link: tuple[str, dict],
    **params: str,
) -> None:
    """Queue a notice for after the commit, unless the member turned this kind off.

    Outside a request (the demo seeder, CLI imports) nothing is queued: notices are for what
    members do on the site.

    :param subject: an English msgid (translated in the recipient's language when sent).
    :param lines: English msgids of the body's lines, formatted with ``params``.
    :param link: ``(endpoint, values)`` of the page the notice points to; it becomes an
        absolute URL without any session id.
    """
    if not has_request_context() or not current_app.config["MAIL_ENABLED"]:
        return
    if kind not in ALWAYS and not getattr(recipient, KINDS[kind]):
        return
    endpoint, values = link
    url = share_url(endpoint, **values)
    g.setdefault("outbox", []).append(_Notice(recipient.id, kind, subject, lines, params, url))


def discard() -> None:
    """Forget queued notices (the request's work was rolled back)."""
    g.pop("outbox", None)


def flush() -> int:
    """Send the queued notices; return how many went. Called after a successful commit."""
    from ..extensions import db

    sent = 0
    for notice in g.pop("outbox", []):
        member = db.session.get(Member, notice.recipient_id)
        if member is None:
            continue
        try:
            mail.send(_message(member, notice))
            sent += 1
        except Exception:  # noqa: BLE001 (a mail server's failure must not fail the page)
            logger.exception("notification to member %s failed", member.id)
    return sent


def _message(member: Member, notice: _Notice) -> Message:
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


def set_preferences(member: Member, *, messages: bool, requests: bool, comments: bool) -> None:
    """Save which e-mail notices ``member`` wants."""
    member.notify_messages, member.notify_requests, member.notify_comments = (
        messages,
        requests,
        comments,
    )

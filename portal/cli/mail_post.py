"""``flask mail-post``: the MTA hands a mail to a posting address to the portal (a member's
diary address ``d.<token>@``, or an album's ``a.<token>@``), or an empty mail (空メール) to
``entry@`` / ``login@``, which is answered with a signup or a one-time login link
(:mod:`portal.services.empty_mail`).

Postfix, for the posting domain (``MAIL_POST_DOMAIN``), ``transport_maps`` ->
``post.example.jp mailpost:`` and in ``master.cf``::

    mailpost unix - n n - - pipe flags=Rq user=portal directory=/srv/keitai-portal
      argv=/srv/keitai-portal/.venv/bin/flask --app wsgi mail-post --recipient ${recipient}
      --sender ${sender}

``--sender`` is the envelope sender (SMTP ``MAIL FROM``) our MTA received the mail with: the
address an empty mail is answered to (never the ``From`` header, which the sender writes).

The exit status follows ``sysexits.h``, which MTAs understand: the sender gets a bounce with
the reason (printed on stderr) for a refused mail, and a mail the database could not take is
kept in the queue and tried again.
"""

from __future__ import annotations

import logging
import smtplib
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db, mail
from ..models import Photo
from ..services import ServiceError, album_mail, empty_mail
from ..services import mail_post as service

logger = logging.getLogger(__name__)

EX_OK = 0
#: The mail cannot become a diary (unreadable, no text, a bad photo...): bounce.
EX_DATAERR = 65
#: No member has this posting address: bounce ("user unknown").
EX_NOUSER = 67
#: An error of ours: bounce, and the traceback is logged.
EX_SOFTWARE = 70
#: The database is unavailable: the MTA keeps the mail and tries again.
EX_TEMPFAIL = 75


def answer_empty_mail(raw: bytes, recipient: str | None, sender: str | None) -> tuple[int, str]:
    """Answer an empty mail to ``entry@``/``login@``: make the link, send the answer, commit;
    an answer that could not be sent is rolled back and left to the MTA to try again."""
    if not current_app.config["MAIL_ENABLED"]:
        return EX_NOUSER, "signup and login by mail are not available on this site"
    try:
        msg = service.parse(raw)
        reply = empty_mail.answer(msg, sender)
        if reply.mail is not None:
            mail.send(reply.mail)
        db.session.commit()
    except Exception as exc:
        return _refused(exc, answering=True)
    return EX_OK, reply.note


def _refused(exc: Exception, *, answering: bool = False) -> tuple[int, str]:
    """Roll back a mail that was not taken; return the exit status for the MTA and why.

    :param answering: an answer was being sent (a failure to send it is temporary).
    """
    db.session.rollback()
    if isinstance(exc, service.UnknownAddressError | empty_mail.NoSignupError):
        return EX_NOUSER, str(exc.message)
    if isinstance(exc, ServiceError):
        return EX_DATAERR, str(exc.message)
    if isinstance(exc, SQLAlchemyError):
        logger.exception("mail-post: database error")
        return EX_TEMPFAIL, "database unavailable, try again later"
    if answering and isinstance(exc, OSError | smtplib.SMTPException):
        logger.exception("mail-post: the answer could not be sent")
        return EX_TEMPFAIL, "the answer could not be sent, try again later"
    logger.exception("mail-post: failed")
    return EX_SOFTWARE, "internal error"


def _is_empty_mail(raw: bytes, recipient: str | None) -> bool:
    if recipient:
        return empty_mail.is_for_us([recipient])
    try:
        return empty_mail.is_for_us(empty_mail.recipients_of(service.parse(raw), None))
    except ServiceError:
        return False


def deliver(raw: bytes, recipient: str | None, sender: str | None = None) -> tuple[int, str]:
    """Post one mail and commit, or roll back; return ``(exit status, message)``."""
    if _is_empty_mail(raw, recipient):
        return answer_empty_mail(raw, recipient, sender)
    try:
        added = album_mail.post_message(raw, recipient)
        if added is not None:
            db.session.commit()
            if not added:
                return EX_OK, "delivered before: nothing added"
            return EX_OK, f"{len(added)} photos added to album {added[0].album_id}"
        posted = service.post_message(raw, recipient)
        db.session.commit()
    except Exception as exc:
        return _refused(exc)
    if posted is None:
        return EX_OK, "delivered before: profile photo unchanged"
    if isinstance(posted, Photo):
        return EX_OK, f"profile photo {posted.id} set"
    return EX_OK, f"diary {posted.id} posted"


@click.command("mail-post")
@click.option("--recipient", metavar="ADDR", help="The envelope recipient (from the MTA).")
@click.option(
    "--sender", metavar="ADDR", help="The envelope sender (from the MTA), to answer empty mails."
)
@click.argument("file", type=click.File("rb"), default="-")
@with_appcontext
def mail_post(recipient: str | None, sender: str | None, file) -> None:
    """Post the mail in FILE (default: standard input) as a diary of the member whose posting
    address it was sent to, add its photos to the album whose address it was sent to, or set
    its photo as the member's profile photo (their ``p.`` address); answer an empty mail to
    ``entry@``/``login@`` with a signup or login link, sent to the envelope sender.

    Exit status: 0 posted, 65 refused (reason on stderr), 67 unknown address, 75 database
    unavailable (the MTA retries).
    """
    raw = file.read(service.max_message_bytes() + 1)  # more is refused as too large
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        status, message = deliver(raw, recipient, sender)
    click.echo(message, err=status != EX_OK)
    sys.exit(status)

"""Posting diaries by e-mail (メール投稿), for phones that cannot upload files from a form.

A member gets a secret address ``d.<token>@<MAIL_POST_DOMAIN>`` (:func:`renew`). A mail sent
there becomes a diary (:func:`post_message`): the subject is its title, the text its body, up to
three attached photos its photos, and it gets the member's default visibility. The MTA pipes
each mail to ``flask mail-post --recipient <address>``.

The same token with ``p.`` (:func:`photo_address_of`) sets the member's profile photo: the first
picture of a mail sent there becomes the main photo (:mod:`.profile_photos`; with three already,
it takes the main one's place). Renewing the token changes both addresses.

Anyone who knows the address can post as the member (the sender is not checked: phones' From
addresses are not authenticated either), so it is random, shown only to the member, and renewed
on request, which stops the old one.

Reading the mail (charsets, carrier emoji) is the keitai layer's :mod:`portal.keitai.mail`. The
diary is made through :func:`.diaries.create` and :func:`.photos.attach`, so the rules of the
web form hold; this module flushes only, and a refusal leaves the caller to roll back the
diary with its photos (the CLI does). A mail delivered twice (same ``Message-ID``, as MTAs do
on a retry) is posted once: a diary by its ``source_id``, a profile photo or album photos by a
:class:`~portal.models.MailReceipt` (:func:`first_delivery`).
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..keitai.input_decoding import remove_controls
from ..keitai.mail import carrier_of_address, decode_header_text, decode_text
from ..models import Diary, MailPostAddress, MailReceipt, Member, Photo
from . import ServiceError, profile_photos
from . import diaries as diary_service
from . import photos as photo_service
from .blog_import import html_to_text
from .text_limits import clip, clip_to_fit

#: The local part of a posting address starts with this (``d`` for diary).
PREFIX = "d."
#: ... and of a profile-photo address with this (``p`` for photo).
PHOTO_PREFIX = "p."
#: Characters of a token (base32, lower case: 100 random bits).
TOKEN_LENGTH = 20
#: The longest title made from the start of the text when the subject is empty.
TITLE_FROM_BODY = 30
#: File name endings of pictures sent as ``application/octet-stream``.
_PICTURE_NAMES = (".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"\s+")
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)


class UnknownAddressError(ServiceError):
    """No member posts through this address (never was, renewed since, or posting is off)."""


class BadMessageError(ServiceError):
    """The mail cannot become a diary: unreadable, too large, or without text."""


# -- the member's address --------------------------------------------------------------------


def domain() -> str | None:
    """Return the posting domain (``MAIL_POST_DOMAIN``); ``None`` when posting by mail is off."""
    value = (current_app.config.get("MAIL_POST_DOMAIN") or "").strip().lower()
    return value or None


def address_of(member: Member, prefix: str = PREFIX) -> str | None:
    """Return the member's posting address, or ``None`` (none made yet, or the feature off)."""
    row = db.session.get(MailPostAddress, member.id)
    host = domain()
    if row is None or host is None:
        return None
    return f"{prefix}{row.token}@{host}"


def photo_address_of(member: Member) -> str | None:
    """Return the member's profile-photo address (``p.<token>@...``), or ``None``."""
    return address_of(member, PHOTO_PREFIX)


def _new_token() -> str:
    raw = base64.b32encode(secrets.token_bytes(15)).decode("ascii")
    return raw[:TOKEN_LENGTH].lower()


def renew(member: Member) -> str:
    """Give the member a new posting address (the first, or one replacing the old, which then
    stops working) and return it.

    :raise ServiceError: when posting by mail is off.
    """
    if domain() is None:
        raise ServiceError(_l("Posting by e-mail is not available on this site."))
    token = _new_token()
    while db.session.scalar(select(MailPostAddress).where(MailPostAddress.token == token)):
        token = _new_token()  # pragma: no cover (100 random bits)
    row = db.session.get(MailPostAddress, member.id)
    if row is None:
        db.session.add(MailPostAddress(member_id=member.id, token=token))
    else:
        row.token = token
    db.session.flush()
    host = domain()
    assert host is not None  # checked above
    return f"{PREFIX}{token}@{host}"


# -- reading a mail ----------------------------------------------------------------------------


def _token_of(address: str, host: str) -> tuple[str, str] | None:
    """Return the prefix and token of a posting address of ours, else ``None``."""
    local, at, addr_domain = address.strip().strip("<>").rpartition("@")
    if not at or addr_domain.lower().rstrip(".") != host:
        return None
    local = local.lower()
    prefix = next((p for p in (PREFIX, PHOTO_PREFIX) if local.startswith(p)), None)
    if prefix is None:
        return None
    token = local[len(prefix) :]
    return (prefix, token) if len(token) == TOKEN_LENGTH and token.isalnum() else None


def _recipients(msg: Message, recipient: str | None) -> list[str]:
    """The addresses to look the token up in: the envelope recipient alone when the MTA gave
    one (headers may name anyone); else Delivered-To, To and Cc."""
    if recipient:
        return [recipient]
    values = []
    for name in ("delivered-to", "to", "cc"):
        values.extend(_raw_all(msg, name))
    return [addr for _name, addr in getaddresses(values) if addr]


def _find_address(msg: Message, recipient: str | None, host: str) -> tuple[MailPostAddress, str]:
    for address in _recipients(msg, recipient):
        found = _token_of(address, host)
        if found is None:
            continue
        prefix, token = found
        row = db.session.scalar(select(MailPostAddress).where(MailPostAddress.token == token))
        if row is not None:
            return row, prefix
    raise UnknownAddressError(_l("There is no posting address like this."))


def _raw_all(msg: Message, name: str) -> list[str]:
    """Return a header's values as the mail carried them (encoded words and 8-bit bytes kept,
    the latter as surrogate escapes), for :func:`~portal.keitai.mail.decode_header_text`."""
    return [str(value) for key, value in msg.raw_items() if key.lower() == name]


def _raw(msg: Message, name: str) -> str:
    values = _raw_all(msg, name)
    return values[0] if values else ""


def _charset(part: Message) -> str | None:
    charset = part.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    return str(charset) if charset else None


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


@dataclass
class _Content:
    """What a mail holds for a diary."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    pictures: list[bytes] = field(default_factory=list)
    body_charset: str | None = None


def _is_picture(part: Message) -> bool:
    if part.get_content_maintype() == "image":
        return True
    name = (part.get_filename() or "").lower()
    return part.get_content_type() == "application/octet-stream" and name.endswith(_PICTURE_NAMES)


def _leaves(part: Message):
    """Yield the parts of a mail that are not multipart containers; a mail attached to it
    (``message/rfc822``, a forwarded one) is a file like any other, not looked into."""
    if part.get_content_maintype() == "message":
        return
    if part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield part


def _content(msg: Message, carrier: str) -> _Content:
    """Collect the text parts (decoded) and the pictures of a mail.

    Text parts that are attachments are ignored, like other non-picture files. Pictures that
    an HTML part shows by ``cid:`` (the decorations of a デコメール) are not photos.
    """
    content = _Content()
    parts = list(_leaves(msg))
    shown: set[str] = set()
    pictures: list[Message] = []
    for part in parts:
        kind = part.get_content_type()
        attached = part.get_content_disposition() == "attachment"
        if kind in ("text/plain", "text/html") and not attached:
            charset = _charset(part)
            text = decode_text(_payload(part), charset, carrier)
            if kind == "text/plain":
                content.plain.append(text)
                content.body_charset = content.body_charset or charset
            else:
                content.html.append(text)
                shown.update(cid.lower() for cid in _CID.findall(text))
        elif _is_picture(part):
            pictures.append(part)
    for part in pictures:
        cid = (part.get("content-id") or "").strip().strip("<>").lower()
        if not (cid and cid in shown):
            content.pictures.append(_payload(part))
    return content


def _plain(text: str) -> str:
    text = remove_controls(text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _title_and_body(msg: Message, content: _Content, carrier: str) -> tuple[str, str]:
    """Return the diary's title (the subject; else the start of the text) and its body."""
    if content.plain:
        body = _plain("\n\n".join(content.plain))
    else:
        body = html_to_text("\n".join(content.html))
    subject = decode_header_text(_raw(msg, "subject"), carrier, content.body_charset)
    title = _SPACES.sub(" ", remove_controls(subject)).strip()
    if not title and not body:
        raise BadMessageError(_l("Please write the title as the subject, and some text."))
    if not title:
        first_line = next(line for line in body.splitlines() if line.strip())
        title = clip(_SPACES.sub(" ", first_line).strip(), TITLE_FROM_BODY)
    body = body or title
    return clip_to_fit(title, diary_service.TITLE_MAX, diary_service.TITLE_PHONE_BYTES), body


def _message_id(msg: Message) -> str | None:
    """The mail's Message-ID as it carried it (spaces removed), or ``None`` when it has none
    (or one that is not ASCII, which no MTA writes)."""
    message_id = _SPACES.sub("", _raw(msg, "message-id"))
    return message_id if message_id and message_id.isascii() else None


def first_delivery(member: Member, target: str, msg: Message) -> bool:
    """Return whether this is the first time the mail comes to the member's ``target``
    (``photo``, ``album:<id>``), and note it (flushed: a refusal rolled back forgets it).

    A mail without a Message-ID cannot be told from another and is always taken. Two
    deliveries at the same moment both pass the look-up; the second then fails on the key,
    a database error, and the MTA tries it again later, when it is known.
    """
    message_id = _message_id(msg)
    if message_id is None:
        return True
    digest = hashlib.sha256(message_id.encode("ascii")).hexdigest()
    key = (member.id, target, digest)
    if db.session.get(MailReceipt, key) is not None:
        return False
    db.session.add(MailReceipt(member_id=member.id, target=target, message_digest=digest))
    db.session.flush()
    return True


def _source_id(msg: Message) -> str | None:
    """The diary's ``source_id``: the mail's Message-ID, so a redelivered mail posts once."""
    message_id = _message_id(msg)
    if message_id is None:
        return None
    source = f"mail:{message_id}"
    if len(source) > 500:
        source = "mail:sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return source


def max_message_bytes() -> int:
    """Return the largest mail accepted: three photos of the largest size, base64-encoded,
    and room for the text."""
    photo = current_app.config["PHOTO_MAX_BYTES"]
    return photo * photo_service.PHOTOS_PER_DIARY * 4 // 3 + 2 * 1024 * 1024


def parse(raw: bytes) -> EmailMessage:
    """Parse a mail (RFC 5322 bytes, as the MTA delivers it).

    :raise BadMessageError: if it is too large or not a mail at all.
    """
    if len(raw) > max_message_bytes():
        raise BadMessageError(_l("The mail is too large."))
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; anything it raises means "not a mail"
        raise BadMessageError(_l("This mail could not be read.")) from exc
    if not msg.keys():
        raise BadMessageError(_l("This mail could not be read."))
    return msg


def post_message(raw: bytes, recipient: str | None) -> Diary | Photo | None:
    """Make a diary of a mail sent to a posting address (or, sent to the profile-photo
    address, make its first picture the member's main photo: the :class:`Photo` returned;
    ``None`` when that mail was delivered before and is ignored).

    The member is found by the token in ``recipient`` (the envelope recipient the MTA gives),
    else in the Delivered-To, To and Cc headers. Subject -> title (cut to the longest title;
    an empty one is made from the start of the text), the ``text/plain`` part -> body (else the
    ``text/html`` part as plain text), attached pictures -> photos (other files are ignored).
    The sender's domain tells which carrier's emoji the mail holds. Flushes only.

    :raise UnknownAddressError: for an address of no member (or posting off, or the member's
        login stopped by the operators).
    :raise BadMessageError: for a mail that is not readable, too large, or without text.
    :raise ServiceError: as :func:`.diaries.create` and :func:`.photos.attach` (too long a
        text, a file that is not a picture, a photo too large, more than three, storage full),
        with the message in the member's language; the diary is then flushed but must be
        rolled back.
    """
    host = domain()
    if host is None:
        raise UnknownAddressError(_l("Posting by e-mail is not available on this site."))
    msg = parse(raw)
    address, prefix = _find_address(msg, recipient, host)
    member = db.session.get(Member, address.member_id)
    if member is None or not member.is_active:
        raise UnknownAddressError(_l("There is no posting address like this."))
    locale = member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        try:
            if prefix == PHOTO_PREFIX:
                return _set_photo(member, msg)
            return _post(member, msg)
        except ServiceError as exc:
            exc.message = str(exc.message)  # in the member's language, for the bounce
            exc.args = (exc.message,)
            raise


def _set_photo(member: Member, msg: EmailMessage) -> Photo | None:
    """Make the mail's first picture the member's main profile photo (in the main one's place
    when there are three already). The subject and text are not used. A mail delivered again
    (its Message-ID seen) changes nothing: ``None``."""
    if not first_delivery(member, "photo", msg):
        return None
    try:
        pictures = _content(msg, carrier_of_address(_raw(msg, "from"))).pictures
    except Exception as exc:  # a malformed part the email package could not take apart
        raise BadMessageError(_l("This mail could not be read.")) from exc
    if not pictures:
        raise BadMessageError(_l("Please attach a photo."))
    current = profile_photos.photos_of(member)
    if len(current) >= profile_photos.MOST:
        return profile_photos.replace(member, current[0].id, pictures[0])
    (photo,) = profile_photos.add(member, pictures[:1])
    profile_photos.make_main(member, photo.id)
    return photo


def _post(member: Member, msg: EmailMessage) -> Diary:
    source = _source_id(msg)
    if source is not None:
        known = db.session.scalar(
            select(Diary).where(Diary.author_id == member.id, Diary.source_id == source)
        )
        if known is not None:
            return known
    carrier = carrier_of_address(_raw(msg, "from"))
    try:
        content = _content(msg, carrier)
        title, body = _title_and_body(msg, content, carrier)
    except ServiceError:
        raise
    except Exception as exc:  # a malformed part the email package could not take apart
        raise BadMessageError(_l("This mail could not be read.")) from exc
    diary = diary_service.create(member, title=title, body=body, visibility=member.diary_visibility)
    diary.source_id = source
    if content.pictures:
        photo_service.attach(member, diary, content.pictures)
    db.session.flush()
    return diary

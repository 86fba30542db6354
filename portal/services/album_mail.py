"""Adding photos to an album by e-mail, for phones that cannot upload from a form.

Each album can have a secret address ``a.<token>@<MAIL_POST_DOMAIN>`` (:func:`renew`), shown to
its owner only. A mail sent there adds its attached pictures to the album, the subject being
their caption, once however often it is delivered (its Message-ID). The mail is read as diary
posts are (:mod:`.mail_post`: the MTA pipes it to ``flask mail-post``, which tries an album
address first). Flushes only; a refusal leaves the caller to roll back.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..keitai.input_decoding import remove_controls
from ..keitai.mail import carrier_of_address, decode_header_text
from ..models import Album, Member, Photo
from . import ServiceError, albums, mail_post
from .text_limits import clip_to_fit

#: The local part of an album's posting address starts with this (``a`` for album).
PREFIX = "a."


def enabled() -> bool:
    """Return whether posting by mail is on (``MAIL_POST_DOMAIN``)."""
    return mail_post.domain() is not None


def address_of(album: Album) -> str | None:
    """Return the album's posting address, or ``None`` (none made yet, or posting off)."""
    host = mail_post.domain()
    if album.mail_token is None or host is None:
        return None
    return f"{PREFIX}{album.mail_token}@{host}"


def renew(album: Album) -> str:
    """Give the album a new posting address (the old one stops working); return it.

    :raise ServiceError: when posting by mail is off.
    """
    host = mail_post.domain()
    if host is None:
        raise ServiceError(_l("Posting by e-mail is not available on this site."))
    token = mail_post._new_token()
    while db.session.scalar(select(Album.id).where(Album.mail_token == token)):
        token = mail_post._new_token()  # pragma: no cover (100 random bits)
    album.mail_token = token
    db.session.flush()
    return f"{PREFIX}{token}@{host}"


def _token_of(address: str, host: str) -> str | None:
    local, at, addr_domain = address.strip().strip("<>").rpartition("@")
    if not at or addr_domain.lower().rstrip(".") != host:
        return None
    local = local.lower()
    if not local.startswith(PREFIX):
        return None
    token = local[len(PREFIX) :]
    return token if len(token) == mail_post.TOKEN_LENGTH and token.isalnum() else None


def album_for(msg: EmailMessage, recipient: str | None) -> Album | None:
    """Return the album whose posting address the mail was sent to, or ``None`` when it was
    not sent to an album address at all.

    :raise mail_post.UnknownAddressError: for an album address of no album (renewed since).
    """
    host = mail_post.domain()
    if host is None:
        return None
    tokens = [
        token
        for token in (_token_of(a, host) for a in mail_post._recipients(msg, recipient))
        if token is not None
    ]
    if not tokens:
        return None
    album = db.session.scalar(select(Album).where(Album.mail_token.in_(tokens)))
    if album is None:
        raise mail_post.UnknownAddressError(_l("There is no posting address like this."))
    return album


def post_message(raw: bytes, recipient: str | None) -> list[Photo] | None:
    """Add the pictures of a mail sent to an album's address to that album.

    :return: the photos added (none for a mail delivered before, its Message-ID known), or
        ``None`` if the mail was not sent to an album address (it may then be a diary post:
        :func:`.mail_post.post_message`).
    :raise mail_post.UnknownAddressError: for an unknown album address or an owner who
        cannot log in.
    :raise ServiceError: for a mail without pictures, a bad picture, too many, storage full,
        with the message in the owner's language.
    """
    msg = mail_post.parse(raw)
    album = album_for(msg, recipient)
    if album is None:
        return None
    owner = db.session.get(Member, album.owner_id)
    if owner is None or not owner.is_active:
        raise mail_post.UnknownAddressError(_l("There is no posting address like this."))
    locale = owner.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        try:
            return _add(owner, album, msg)
        except ServiceError as exc:
            exc.message = str(exc.message)  # in the owner's language, for the bounce
            exc.args = (exc.message,)
            raise


def _add(owner: Member, album: Album, msg: EmailMessage) -> list[Photo]:
    carrier = carrier_of_address(mail_post._raw(msg, "from"))
    try:
        content = mail_post._content(msg, carrier)
        subject = decode_header_text(mail_post._raw(msg, "subject"), carrier, content.body_charset)
    except Exception as exc:  # a malformed part the email package could not take apart
        raise mail_post.BadMessageError(_l("This mail could not be read.")) from exc
    if not content.pictures:
        raise mail_post.BadMessageError(_l("Please attach a photo to the mail."))
    if not mail_post.first_delivery(owner, f"album:{album.id}", msg):
        return []  # delivered before (same Message-ID): added then
    caption = clip_to_fit(
        " ".join(remove_controls(subject).split()), albums.CAPTION_MAX, albums.CAPTION_PHONE_BYTES
    )
    return albums.add_photos(owner, album, content.pictures, caption)

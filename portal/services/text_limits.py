"""The limits of member text that pages are sized by, in one place for every way in.

Forms, mail posts and blog imports all write through the services, so the services check
what a phone page can show (:func:`portal.keitai.fitting.fits_phones`): text too long on a
phone is refused (:func:`require_fits`, a :class:`ServiceError` naming the field), or, where
nobody can be asked to shorten it (a mail's subject, an imported title), shortened to fit
(:func:`clip_to_fit`).
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from markupsafe import escape

from ..filters import member_text, nl2br
from ..keitai.fitting import fits_phones
from . import ServiceError

TOO_LONG_FOR_PHONES = _l("This text is too long to show on phones. Please shorten it.")


def shown(text: str, *, rich: bool = False) -> str:
    """Return ``text`` as a page shows it: escaped; ``rich`` text (a body, a comment) also
    with its line breaks, and its links through the jump page while a request is served."""
    if not rich:
        return str(escape(text))
    return str(member_text(text) if has_request_context() else nl2br(text))


def fits(text: str, max_bytes: int, *, rich: bool = False) -> bool:
    """Tell whether ``text`` as shown takes at most ``max_bytes`` on every kind of phone."""
    return fits_phones(shown(text, rich=rich), max_bytes)


def too_long(max_chars: int) -> str:
    """The message for text over ``max_chars`` characters (the forms' words for it)."""
    return _ln(
        "Please write at most %(num)s character.",
        "Please write at most %(num)s characters.",
        max_chars,
    )


def require(
    text: str, max_chars: int, max_bytes: int | None, field: str, *, rich: bool = False
) -> None:
    """Refuse ``text`` longer than ``max_chars`` characters or, with ``max_bytes``, too long
    to show on a phone (:func:`require_fits`).

    :raise ServiceError: naming ``field``.
    """
    if len(text) > max_chars:
        raise ServiceError(too_long(max_chars), field)
    if max_bytes is not None:
        require_fits(text, max_bytes, field, rich=rich)


def require_fits(text: str, max_bytes: int, field: str, *, rich: bool = False) -> None:
    """Refuse ``text`` that would not fit ``max_bytes`` on a phone.

    :raise ServiceError: naming ``field``, for a form to show the message beside it.
    """
    if not fits(text, max_bytes, rich=rich):
        raise ServiceError(TOO_LONG_FOR_PHONES, field)


def clip(text: str, max_chars: int) -> str:
    """Return ``text`` cut to ``max_chars`` characters, ending in "…" when it was cut."""
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def clip_to_fit(text: str, max_chars: int, max_bytes: int) -> str:
    """Return ``text`` cut to at most ``max_chars`` characters that fit ``max_bytes`` on a
    phone, ending in "…" when it was cut (the longest such start, found by halving)."""
    clipped = clip(text, max_chars)
    if fits(clipped, max_bytes):
        return clipped
    low, high = 0, len(clipped) - 1  # the longest start that fits is at most ``high`` long
    while low < high:
        mid = (low + high + 1) // 2
        if fits(text[:mid].rstrip() + "…", max_bytes):
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def title_and_body(
    title: str,
    body: str,
    *,
    title_max: int,
    body_max: int,
    fields: tuple[str, str] = ("title", "body"),
    missing: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """Return a title and its text stripped (a diary, a topic, a review, a notice; a
    community's name and description).

    :param fields: the form fields the two are typed in, which a refusal names.
    :param missing: what to say when the title or the text is empty.
    :raise ServiceError: for an empty title or text, or one longer than its limit in
        characters (the text named: the one that is usually too long).
    """
    no_title, no_body = missing or (_l("Please write a title."), _l("Please write something."))
    title, body = title.strip(), body.strip()
    if not title:
        raise ServiceError(no_title, fields[0])
    if not body:
        raise ServiceError(no_body, fields[1])
    if len(title) > title_max or len(body) > body_max:
        raise ServiceError(_l("The text is too long."), fields[1])
    return title, body

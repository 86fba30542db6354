"""Strict decoding of form and query input from the bytes a keitai sends (:mod:`.encoding`
holds the way out).

Input (:func:`decode_input`, :func:`transcode_urlencoded`) is strict: bytes
that are not valid in the device's encoding raise :exc:`InputEncodingError`
instead of being half-decoded. This also defeats the Shift_JIS trick where a
dangling lead byte swallows the quote that follows it.

Every decoded name and value also loses its C0 control characters other
than tab and line feed, and DEL (:func:`remove_controls`): CR LF and a lone
CR become LF. NUL would fail on PostgreSQL, and ESC would reach a SoftBank
handset as the start of a webcode emoji.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import quote_plus, unquote_to_bytes

from .encoding import canonical_codec

__all__ = [
    "InputEncodingError",
    "decode_input",
    "remove_controls",
    "transcode_urlencoded",
]

#: Single bytes the ``cp932`` codec decodes although Shift_JIS has no such
#: character: 0x80 -> U+0080, 0xA0 -> U+F8F0, 0xFD-0xFF -> U+F8F1-U+F8F3.
_CP932_STRAY_BYTES = re.compile("[\x80\uf8f0-\uf8f3]")

#: Control characters removed from input: C0 other than tab and LF, and DEL;
#: CR LF and a lone CR are line breaks and become LF.
_CONTROLS = re.compile("\r\n?|[\x00-\x08\x0b-\x1f\x7f]")

#: Bytes that make a raw urlencoded name or value need decoding: an escape,
#: or a control character that :func:`remove_controls` changes.
_NEEDS_DECODING = re.compile(rb"[%\x00-\x08\x0b-\x1f\x7f]")


class InputEncodingError(ValueError):
    """Input bytes that are not valid in the device's encoding.

    :param encoding: The codec name the input was decoded with.
    :param reason: What is wrong with the bytes.
    """

    def __init__(self, encoding: str, reason: str) -> None:
        super().__init__(f"input is not valid {encoding}: {reason}")
        self.encoding = encoding
        self.reason = reason


def decode_input(raw: bytes, encoding: str) -> str:
    """Decode form or query input strictly.

    After CP932 decoding, FULLWIDTH TILDE (which CP932 gives for 0x8160) is
    turned into WAVE DASH, the JIS character for that code, as jpmobile does;
    :func:`encode_page` maps it back, so "1〜3" round-trips. The other CP932
    decodings (FULLWIDTH HYPHEN-MINUS, FULLWIDTH YEN SIGN, HORIZONTAL BAR,
    PARALLEL TO...) are kept: a Windows IME types the same characters, so
    phone and PC text compare equal.

    :param raw: The bytes received.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :return: The decoded text.
    :raise InputEncodingError: If the bytes are not valid in ``encoding``,
        including a lead byte without its trail byte, and for CP932 the
        single bytes 0x80, 0xA0 and 0xFD-0xFF that Shift_JIS does not define.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = canonical_codec(encoding)

    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        raise InputEncodingError(codec, f"{error.reason} at byte {error.start}") from error

    if codec == "cp932":
        if _CP932_STRAY_BYTES.search(text):
            raise InputEncodingError(codec, "byte outside Shift_JIS")

        text = text.replace("\uff5e", "\u301c")

    return text


def _control_replacement(match: re.Match[str]) -> str:
    return "\n" if match.group().startswith("\r") else ""


def remove_controls(text: str) -> str:
    """Return input text without control characters, line breaks as LF.

    C0 controls other than tab and line feed (NUL, ESC, BEL...) and DEL are
    removed; CR LF and a lone CR become LF, as browsers send textarea line
    breaks as CR LF.

    >>> remove_controls("a\x00b\x1b$Gj\x0fc\r\nd\re\tf")
    'ab$Gjc\nd\ne\tf'
    """
    return _CONTROLS.sub(_control_replacement, text)


def _is_plain(part: bytes) -> bool:
    """Tell whether a raw urlencoded part is ASCII that decoding would not change."""
    return part.isascii() and not _NEEDS_DECODING.search(part)


def _requote(part: bytes, codec: str, post: Callable[[str], str] | None = None) -> bytes:
    """Re-encode one urlencoded name or value as UTF-8.

    Plain ASCII without escapes or controls is returned unchanged, so tokens
    keep their exact bytes; so is UTF-8 input that ``post`` and
    :func:`remove_controls` leave as it is.

    :param part: A name or value, still percent-encoded.
    :param codec: The canonical codec name.
    :param post: Hook applied to the decoded text, such as the emoji
        conversion to the stored form.
    :raise InputEncodingError: If the decoded bytes are invalid.
    """
    if _is_plain(part):
        return part

    text = decode_input(unquote_to_bytes(part.replace(b"+", b" ")), codec)
    converted = remove_controls(post(text) if post is not None else text)

    if codec == "utf-8" and converted == text:
        return part

    return quote_plus(converted, safe="").encode("ascii")


def _transcode_field(field: bytes, codec: str, post: Callable[[str], str] | None = None) -> bytes:
    """Re-encode one ``name=value`` pair, keeping a missing ``=`` missing."""
    name, separator, value = field.partition(b"=")
    return _requote(name, codec, post) + separator + _requote(value, codec, post)


def transcode_urlencoded(
    data: bytes, encoding: str, *, post: Callable[[str], str] | None = None
) -> bytes:
    """Re-encode an ``application/x-www-form-urlencoded`` string as UTF-8.

    Every name and value is decoded from the device's encoding with
    :func:`decode_input` and percent-encoded again in UTF-8. Order, empty
    fields, empty values and missing ``=`` are kept; ``+`` stays a space and
    a decoded plus sign is written as ``%2B``. UTF-8 input is only validated
    and returned unchanged, unless ``post`` changes a name or value.

    :param data: A query string or request body.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :param post: Hook applied to each decoded name and value, such as the
        emoji conversion to the stored form (:func:`.emoji.to_stored`). A raw
        ESC byte (SoftBank webcode) makes even plain ASCII go through it.
        Control characters left after it are removed (:func:`remove_controls`).
    :return: The same form, percent-encoded in UTF-8.
    :raise InputEncodingError: If any name or value is invalid in ``encoding``.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = canonical_codec(encoding)

    if _is_plain(data):
        return data

    fields = data.split(b"&")

    if codec == "utf-8":
        if post is None:
            # "&" and "=" are ASCII and never inside a UTF-8 sequence, so the
            # whole string is valid exactly when every name and value is.
            text = decode_input(unquote_to_bytes(data), codec)
            if not _CONTROLS.search(text):
                return data

        converted = [_transcode_field(field, codec, post) for field in fields]
        return data if converted == fields else b"&".join(converted)

    return b"&".join(_transcode_field(field, codec, post) for field in fields)

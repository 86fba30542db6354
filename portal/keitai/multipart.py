"""Re-encode ``multipart/form-data`` bodies from a phone's encoding to UTF-8.

Werkzeug decodes multipart field values as UTF-8 with ``"replace"``, so a form posted from a
Shift_JIS page (docomo, au, J-PHONE; au phones can attach files) would reach views as mojibake.
:func:`transcode_multipart` rewrites the body before Flask parses it, with Werkzeug's own
sans-io :class:`~werkzeug.sansio.multipart.MultipartDecoder` and
:class:`~werkzeug.sansio.multipart.MultipartEncoder`:

* field values are decoded strictly, by the same rules as urlencoded input
  (:func:`~.encoding.decode_input`), passed through the ``post`` hook (carrier emoji to the
  stored form), stripped of control characters (:func:`~.encoding.remove_controls`, CR LF
  becomes LF) and written in UTF-8;
* file contents keep their exact bytes;
* field names (strictly) and filenames (invalid bytes become U+FFFD: a badly named photo should
  not lose the whole post) in ``Content-Disposition``, which phones send as raw Shift_JIS, are
  written in UTF-8.

The boundary stays the same, and a body in which nothing changes (ASCII only, or UTF-8 that
``post`` leaves alone) is returned as it came, byte for byte.
"""

from __future__ import annotations

import re
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (
    HEADER_CONTINUATION_RE,
    Data,
    Epilogue,
    Field,
    File,
    MultipartDecoder,
    MultipartEncoder,
    Preamble,
)

from .encoding import canonical_codec
from .input_decoding import InputEncodingError, decode_input, remove_controls

__all__ = ["MalformedMultipartError", "boundary_of", "transcode_multipart"]

_Post = t.Callable[[str], str]

#: Lone surrogates: bytes that were not valid in the device's encoding (``surrogateescape``).
_SURROGATES = re.compile("[\ud800-\udfff]")

#: How a quoted name or filename is written back: Werkzeug's ``parse_options_header`` undoes
#: backslash escapes, then ``%22``, which is how the HTML standard writes ``"`` (and ``%0D``,
#: ``%0A`` for CR and LF, which must not start a new header line).
_QUOTED = str.maketrans({"\\": "\\\\", '"': "%22", "\r": "%0D", "\n": "%0A"})


class MalformedMultipartError(InputEncodingError):
    """A multipart body that cannot be parsed (no boundary, no closing boundary, no name...).

    A subclass of :exc:`~.encoding.InputEncodingError`, so the middleware refuses it like any
    invalid input rather than passing half a form on.
    """

    def __init__(self, encoding: str, reason: str) -> None:
        super().__init__(encoding, f"malformed multipart body: {reason}")


class _Decoder(MultipartDecoder):
    """Werkzeug's decoder, reading part headers in the device's encoding.

    Werkzeug decodes header lines as strict UTF-8, so a Shift_JIS field name or filename would
    fail the whole body. Here invalid bytes survive ``surrogateescape`` as lone surrogates, to be
    refused (names) or replaced (filenames) later; and since whole double-byte characters are
    decoded before the parameters are parsed, the trail byte 0x5C of 表 or ソ is not taken for
    a backslash escaping the closing quote.
    """

    def __init__(self, boundary: bytes, codec: str, max_parts: int | None) -> None:
        super().__init__(boundary, max_parts=max_parts)
        self.codec = codec

    def _parse_headers(self, data: bytes | bytearray) -> Headers:
        # Werkzeug 3.1's own method, but for the codec. CR, LF, space, tab and ":" are never
        # the trail byte of a Shift_JIS character, so splitting before decoding is safe.
        data = HEADER_CONTINUATION_RE.sub(b" ", data)
        headers = []
        for line in data.splitlines():
            line = line.strip(b" \t")
            if line:
                name, _, value = line.decode(self.codec, "surrogateescape").partition(":")
                headers.append((name.strip(" \t"), value.strip(" \t")))
        return Headers(headers)


def boundary_of(content_type: str, encoding: str) -> bytes:
    """Return the boundary of a ``multipart/form-data`` ``Content-Type`` header.

    :param content_type: The header value (a latin-1 string, as in a WSGI environ).
    :param encoding: The device's encoding, named in the error.
    :raise MalformedMultipartError: If there is no boundary, or it is not ASCII.
    """
    boundary = parse_options_header(content_type)[1].get("boundary", "")
    if not boundary or not boundary.isascii():
        raise MalformedMultipartError(encoding, "no usable boundary")
    return boundary.encode("ascii")


def _parse(
    body: bytes, boundary: bytes, codec: str, max_parts: int | None
) -> tuple[bytes, list[tuple[Field | File, bytes]], bytes]:
    """Split a body into its preamble, its parts with their contents, and its epilogue.

    :raise MalformedMultipartError: If Werkzeug cannot parse the body.
    :raise werkzeug.exceptions.RequestEntityTooLarge: If it has more than ``max_parts`` parts.
    """
    decoder = _Decoder(boundary, codec, max_parts)
    decoder.receive_data(body)
    decoder.receive_data(None)
    preamble = b""
    parts: list[tuple[Field | File, bytes]] = []
    chunks: list[bytes] = []
    try:
        while True:
            event = decoder.next_event()
            if isinstance(event, Preamble):
                preamble = event.data
            elif isinstance(event, Field | File):
                if event.name is None:
                    raise MalformedMultipartError(codec, "a part without a name")
                parts.append((event, b""))
                chunks = []
            elif isinstance(event, Data):
                chunks.append(event.data)
                if not event.more_data:
                    parts[-1] = (parts[-1][0], b"".join(chunks))
            elif isinstance(event, Epilogue):
                return preamble, parts, event.data
    except MalformedMultipartError:
        raise
    except ValueError as error:
        # Werkzeug's decoder says what it could not parse with a ValueError.
        raise MalformedMultipartError(codec, str(error)) from error


def _name(text: str, codec: str) -> str:
    """Decode a field name from its header, strictly.

    :raise InputEncodingError: If it holds bytes invalid in ``codec``.
    """
    try:
        return decode_input(text.encode(codec, "surrogateescape"), codec)
    except UnicodeEncodeError:
        # Only an RFC 2231 value (name*=utf-8''...) that Werkzeug already decoded to characters
        # CP932 lacks gets here; surrogates in it would be bytes invalid in ``codec``.
        if _SURROGATES.search(text):
            raise InputEncodingError(codec, "invalid bytes in a field name") from None
        return text


def _filename(text: str, codec: str) -> str:
    """Decode a filename from its header; characters that are not valid become U+FFFD."""
    try:
        return _name(text, codec)
    except InputEncodingError:
        return "".join(_filename_char(char, codec) for char in text)


def _filename_char(char: str, codec: str) -> str:
    try:
        return decode_input(char.encode(codec, "surrogateescape"), codec)
    except UnicodeEncodeError:
        return char  # from an RFC 2231 value, already Unicode
    except InputEncodingError:
        return "\ufffd"


def _differs(old: str, new: str, codec: str) -> bool:
    """Tell whether header text ``old``, decoded from ``codec``, changes when written as ``new``."""
    return new != old or (codec != "utf-8" and not old.isascii())


def _transcode_part(
    part: Field | File, data: bytes, codec: str, post: _Post | None
) -> tuple[Field | File, bytes, bool]:
    """Return the part to encode (quoted name, UTF-8 headers), its content and whether it changed.

    :raise InputEncodingError: If the field name or a field value is invalid in ``codec``.
    """
    name = _name(part.name, codec)
    if post is not None:
        name = post(name)
    name = remove_controls(name)
    changed = _differs(part.name, name, codec)

    headers = Headers()
    for key, value in part.headers.items():
        clean_key, clean_value = _SURROGATES.sub("\ufffd", key), _SURROGATES.sub("\ufffd", value)
        changed |= _differs(key + value, clean_key + clean_value, codec)
        if key.lower() == "content-disposition":
            continue  # written by the encoder from the name and filename
        if isinstance(part, Field) and key.lower() == "content-type":
            changed = True  # its charset, if any, would no longer be true
            continue
        headers.add(clean_key, clean_value)

    if isinstance(part, File):
        filename = remove_controls(_filename(part.filename, codec))
        changed |= _differs(part.filename, filename, codec)
        quoted = File(
            name=name.translate(_QUOTED), filename=filename.translate(_QUOTED), headers=headers
        )
        return quoted, data, changed

    value = decode_input(data, codec)
    if post is not None:
        value = post(value)
    value = remove_controls(value)
    encoded = value.encode("utf-8")
    return Field(name=name.translate(_QUOTED), headers=headers), encoded, changed or encoded != data


def transcode_multipart(
    body: bytes,
    boundary: bytes,
    encoding: str,
    *,
    post: _Post | None = None,
    max_parts: int | None = None,
) -> bytes:
    """Re-encode a ``multipart/form-data`` body from the device's encoding as UTF-8.

    Field values are decoded with :func:`~.encoding.decode_input` (a dangling lead byte, or a
    byte Shift_JIS does not define, is an error), passed through ``post`` and written in UTF-8;
    field names are decoded strictly too, filenames with U+FFFD for invalid bytes; file contents
    are kept byte for byte. For UTF-8 input this validates the fields and applies ``post`` (au
    and SoftBank 3G send carrier emoji as private-use characters), as
    :func:`~.encoding.transcode_urlencoded` does.

    :param body: The whole request body.
    :param boundary: The boundary from the ``Content-Type`` header (:func:`boundary_of`); the
        result uses the same one.
    :param encoding: The device's codec name, ``"cp932"`` or ``"utf-8"``.
    :param post: Hook applied to each decoded field name, value and filename, such as the emoji
        conversion to the stored form (:func:`.emoji.to_stored`).
    :param max_parts: Refuse bodies with more parts than this (Flask's ``MAX_FORM_PARTS``), so a
        flood of tiny parts costs no more here than in Werkzeug's parser.
    :return: ``body`` itself when nothing changes; otherwise the body written again with
        Werkzeug's encoder: CRLF line breaks, each part's ``Content-Disposition`` reduced to its
        name and filename, field parts without ``Content-Type``.
    :raise InputEncodingError: If a field name or value is invalid in ``encoding``.
    :raise MalformedMultipartError: If the body cannot be parsed (a subclass of the above).
    :raise werkzeug.exceptions.RequestEntityTooLarge: If it has more than ``max_parts`` parts.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = canonical_codec(encoding)
    preamble, parts, epilogue = _parse(body, boundary, codec, max_parts)
    encoder = MultipartEncoder(boundary)
    out = [encoder.send_event(Preamble(data=preamble))]
    changed = False

    for part, data in parts:
        quoted, content, part_changed = _transcode_part(part, data, codec, post)
        changed |= part_changed
        # One Data event per part: Werkzeug's encoder writes the blank line after the headers
        # only before a non-empty first Data event.
        out += [encoder.send_event(quoted), encoder.send_event(Data(data=content, more_data=False))]

    if not changed:
        return body

    out.append(encoder.send_event(Epilogue(data=epilogue)))
    return b"".join(out)

"""WSGI middleware that detects the device and decodes its form input.

Views and forms only ever see UTF-8: a Shift_JIS query string, urlencoded
body or multipart body is re-encoded before Flask parses it, and input that
is not valid in the device's encoding is dropped as a whole and reported in
``environ["keitai.input_error"]``. Carrier emoji in names and values are
turned into the stored form on the way (:func:`.emoji.to_stored`).
"""

from __future__ import annotations

import functools
import io
import typing as t

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from . import emoji
from .input_decoding import InputEncodingError, transcode_urlencoded
from .multipart import boundary_of, transcode_multipart

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["InputDecodingMiddleware"]

_URLENCODED = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"

#: A hook applied to each decoded name and value.
_Post = t.Callable[[str], str]


def _mimetype(environ: WSGIEnvironment) -> str:
    """Return the request's media type without parameters, lowercased."""
    return str(environ.get("CONTENT_TYPE", "")).partition(";")[0].strip().lower()


def _read(stream: t.IO[bytes], size: int) -> bytes:
    """Read up to ``size`` bytes, stopping early only at the end of the stream."""
    chunks = []

    while size > 0:
        chunk = stream.read(size)

        if not chunk:
            break

        chunks.append(chunk)
        size -= len(chunk)

    return b"".join(chunks)


def _set_body(environ: WSGIEnvironment, body: bytes) -> None:
    """Replace the request body and its ``Content-Length``."""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


class _BodyTooLargeError(Exception):
    """A streamed body was longer than the middleware will buffer."""


class InputDecodingMiddleware:
    """Detect the device once per request and re-encode its input as UTF-8.

    The device is stored in ``environ["keitai.device"]``. The query string
    and an ``application/x-www-form-urlencoded`` body are transcoded from
    ``device.encoding`` with :func:`~.encoding.transcode_urlencoded`. If any
    of it is invalid, ``environ["keitai.input_error"]`` is set to the
    :exc:`~.encoding.InputEncodingError` and the query string and body are
    emptied, so nothing half-decoded reaches a view; the application is
    expected to answer 400.

    Each decoded name and value also goes through :func:`.emoji.to_stored`
    for the device's ``carrier`` (an attribute of the device; without it no
    emoji are converted): docomo and au Shift_JIS emoji, SoftBank PUA and
    webcode, au "auto" code points and Google PUA all become the stored form.
    Plain ASCII input still passes untouched.

    A ``multipart/form-data`` body goes through
    :func:`~.multipart.transcode_multipart`: field names and values are
    decoded by the same rules, filenames leniently, file contents are kept
    byte for byte; a body that cannot be parsed is refused like invalid
    input. A body in which nothing changes (ASCII, or UTF-8 without carrier
    emoji) is passed on as it came.

    :param app: The WSGI application to call.
    :param detect: Return the device for a WSGI environ; called once per
        request. The result needs an ``encoding`` attribute holding a codec
        name, ``"cp932"`` or ``"utf-8"``.
    :param keep: query parameters kept, when plain ASCII, after input was
        refused (the session id, so the error page still knows the member).
    :param max_body: Largest urlencoded or multipart body, in bytes, that is
        buffered and transcoded. A larger declared ``Content-Length`` is left
        untouched for the application's own 413 handling; a larger streamed
        (chunked) body is answered with 413 here, because it has been read.
        A transcoded body may be longer than it came (a kanji takes two
        bytes in Shift_JIS, three in UTF-8), and Flask checks its own limit
        against that.
    :param max_parts: Most parts a multipart body may have (Flask's
        ``MAX_FORM_PARTS``); more are answered with 413 here.
    """

    def __init__(
        self,
        app: WSGIApplication,
        detect: t.Callable[[WSGIEnvironment], t.Any],
        *,
        max_body: int = 1024 * 1024,
        max_parts: int = 1000,
        keep: t.Collection[str] = (),
    ) -> None:
        self.app = app
        self.detect = detect
        self.max_body = max_body
        self.max_parts = max_parts
        self.keep = frozenset(keep)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """Detect the device, transcode the input and call the application."""
        device = self.detect(environ)
        environ["keitai.device"] = device
        encoding = device.encoding
        carrier = getattr(device, "carrier", None)
        post = (
            functools.partial(emoji.to_stored, carrier=carrier, encoding=encoding)
            if carrier is not None
            else None
        )

        original_query = environ.get("QUERY_STRING", "")
        try:
            self._transcode_query(environ, encoding, post)
            self._transcode_body(environ, encoding, post)
        except InputEncodingError as error:
            environ["keitai.input_error"] = error
            environ["QUERY_STRING"] = self._kept(original_query)
            _set_body(environ, b"")
        except _BodyTooLargeError:
            return RequestEntityTooLarge()(environ, start_response)
        except RequestEntityTooLarge as error:
            return error(environ, start_response)

        return self.app(environ, start_response)

    def _kept(self, query: str) -> str:
        """Return the kept parameters of a refused query string (ASCII values only)."""
        kept = []
        for pair in query.split("&"):
            name, _, value = pair.partition("=")
            if name in self.keep and value.isascii() and "%" not in value:
                kept.append(pair)
        return "&".join(kept)

    def _transcode_query(
        self, environ: WSGIEnvironment, encoding: str, post: _Post | None = None
    ) -> None:
        """Re-encode ``QUERY_STRING``, a latin-1 string per PEP 3333.

        :raise InputEncodingError: If the query string is invalid.
        """
        query = environ.get("QUERY_STRING", "")

        if query:
            raw = transcode_urlencoded(query.encode("latin-1"), encoding, post=post)
            environ["QUERY_STRING"] = raw.decode("latin-1")

    def _transcode_body(
        self, environ: WSGIEnvironment, encoding: str, post: _Post | None = None
    ) -> None:
        """Re-encode an urlencoded or multipart body.

        :raise InputEncodingError: If the body is invalid or, for multipart,
            cannot be parsed.
        :raise _BodyTooLargeError: If a streamed body exceeds ``max_body``.
        :raise RequestEntityTooLarge: If a multipart body has too many parts.
        """
        mimetype = _mimetype(environ)

        if mimetype not in (_URLENCODED, _MULTIPART):
            return

        body = self._read_body(environ)

        if not body:  # left in wsgi.input, or empty: nothing to decode
            return

        if mimetype == _URLENCODED:
            _set_body(environ, transcode_urlencoded(body, encoding, post=post))
        else:
            boundary = boundary_of(environ.get("CONTENT_TYPE", ""), encoding)
            transcoded = transcode_multipart(
                body, boundary, encoding, post=post, max_parts=self.max_parts
            )
            _set_body(environ, transcoded)

    def _read_body(self, environ: WSGIEnvironment) -> bytes | None:
        """Read the whole body the way Werkzeug would see it.

        :return: The body, or ``None`` when it must stay in ``wsgi.input``:
            its declared length exceeds ``max_body``, or it has no length
            and the server does not terminate the stream (Werkzeug reads
            nothing then).
        :raise _BodyTooLargeError: If a streamed body exceeds ``max_body``.
        """
        length = get_content_length(environ)
        stream = environ["wsgi.input"]

        if length is not None:
            return None if length > self.max_body else _read(stream, length)

        if "wsgi.input_terminated" not in environ:
            return None

        body = _read(stream, self.max_body + 1)

        if len(body) > self.max_body:
            raise _BodyTooLargeError

        return body

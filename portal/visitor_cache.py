"""Visitors' shared pages answered in front of Flask: a microcache of whole responses (issue 11).

A visitor's top page is one page for every visitor on the same device, language and URL
(:func:`portal.page_cache._visitor_page`); one visitor's response differs from the next's only
by their anonymous id (in the ``Set-Cookie`` on a PC, in every link on a phone that keeps no
cookies), their form's CSRF token and the ``X-Request-Id``. Yet every copy still ran all of
Flask's per-request work (contexts, the hooks, the session, the headers), most of a hit's time.

:class:`VisitorCache` wraps Flask's own WSGI app, inside the keitai layer's middleware (the
device is detected, the input decoded) and the proxy fix, as a reverse proxy's microcache
would. Once per key it lets the full app answer, and when the app says the answer is a
visitor's shared page (``page_cache.VISITOR_PAGE``) it keeps the complete response (status,
every header, the body) with that visitor's own values marked. The next visitors on the same
key get a copy with only their own values made, by the app's own functions: the anonymous
session from the session interface's ``open_session`` (its id, and the form secret derived from
it), the CSRF token from that secret as Flask-WTF signs it, the request id by
:func:`portal.request_log.request_id`; and the request's log line is written.

The key is everything of the request such a page depends on: the method, the scheme, the host
(the host check, and so an unknown host's 400 is never kept), path and query, the device as
the keitai layer detected it (the user agent, the carrier whose gateway range the address is
in, subscriber IDs: the rendering, charset, emoji and session rules), ``Accept-Language``,
then the content version and the minute (as the page cache's own key). A request never takes
the path when it is not a GET, carries any cookie or a ``sid`` in its query (a session may be
stored behind either: the app loads it), has a body, or brought input the keitai layer
refused; nor when the page cache is off (``PAGE_CACHE_SECONDS`` 0) or ``VISITOR_CACHE`` is
false. A response is kept only when its session stayed one of nothing stored, no cookie came,
and the response rebuilt from the entry with this visitor's values is byte for byte the one
the app sent.

Entries live in the process (at most :data:`MAX_ENTRIES`, for the current version and minute,
and ``PAGE_CACHE_SECONDS`` at most, as the page cache's): each process makes its own once a
minute, from the page cache's shared entry.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import typing as t
from dataclasses import dataclass

from itsdangerous import Signer, URLSafeTimedSerializer
from itsdangerous.encoding import want_bytes
from werkzeug.datastructures import ImmutableMultiDict

from . import page_cache, request_log
from .keitai.session import ServerSession

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

logger = logging.getLogger(__name__)

#: Most responses kept at once (keys of the current content version and minute).
MAX_ENTRIES = 256

#: Stand-ins for a visitor's own values in a kept response (random per process).
_SID = "sid-" + secrets.token_hex(16)
_TOKEN = "token-" + secrets.token_hex(16)
_SID_BYTES = _SID.encode("ascii")
_TOKEN_BYTES = _TOKEN.encode("ascii")

# How a kept header's value is made for a visitor.
_AS_IS, _WITH_SID, _REQUEST_ID, _LENGTH = range(4)

_Headers = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class _Entry:
    """A visitor's response with their own values marked."""

    version: str
    minute: int
    #: When it stops being served (``PAGE_CACHE_SECONDS`` after it was made, as a page cache
    #: entry: a process whose cache is its own sees other processes' changes that late).
    until: float
    status: str
    headers: tuple[tuple[str, str, int], ...]
    body: bytes
    #: Whether the page carries a form (its CSRF token): made per visitor.
    token: bool
    #: The session's ``in_url`` and ``probing``: how its id travels.
    carried: tuple[bool, bool]
    #: The request's path and the status code, as the log line has them.
    path: str
    code: int

    def rebuild(self, sid: str, token: str | None, request_id: str) -> tuple[str, _Headers, bytes]:
        """Return the status, headers and body of this response for one visitor."""
        body = self.body.replace(_SID_BYTES, sid.encode("ascii"))
        if token is not None:
            body = body.replace(_TOKEN_BYTES, token.encode("ascii"))
        headers = []
        for name, value, kind in self.headers:
            if kind == _WITH_SID:
                value = value.replace(_SID, sid)
            elif kind == _REQUEST_ID:
                value = request_id
            elif kind == _LENGTH:
                value = str(len(body))
            headers.append((name, value))
        return self.status, headers, body


class _Csrf:
    """Flask-WTF's CSRF token as ``generate_csrf`` makes it (``URLSafeTimedSerializer(secret,
    salt="wtf-csrf-token").dumps(value)``), with the serializer's signer made once: ``dumps``
    makes a signer, and derives its key, for every token."""

    def __init__(self, secret: str | bytes) -> None:
        self.secret = secret
        self.serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        signer = self.serializer.make_signer()
        key = signer.derive_key()
        signer.derive_key = lambda secret_key=None: (  # type: ignore[method-assign]
            key if secret_key is None else Signer.derive_key(signer, secret_key)
        )
        self.signer = signer

    def token(self, value: str) -> str:
        """Return the signed token of the session's CSRF secret ``value``."""
        payload = want_bytes(self.serializer.dump_payload(value))
        return self.signer.sign(payload).decode("utf-8")


_NOTHING: ImmutableMultiDict[str, str] = ImmutableMultiDict()


class _NewVisitor:
    """What the session interface reads of a request with no cookie and no query string (the
    only ones it stands for): its environ, method, cookies and arguments, without building
    Flask's request object, which costs more than the copy of the page."""

    __slots__ = ("environ",)
    method = "GET"
    cookies = _NOTHING
    args = _NOTHING

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ


class VisitorCache:
    """WSGI middleware in front of Flask's own app: visitors' shared pages without Flask.

    :param app: the Flask application (its configuration, session interface and cache).
    :param wsgi_app: the WSGI app it wraps (Flask's ``wsgi_app``).
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.flask = app
        self.app = wsgi_app
        self.entries: dict[tuple[object, ...], _Entry] = {}
        #: Responses served from an entry (tests and benchmarks read it).
        self.hits = 0
        self._csrf: _Csrf | None = None
        self._keeping = threading.Lock()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        started = time.perf_counter()
        key = self._key(environ)
        if key is None:
            return self.app(environ, start_response)
        try:
            version = page_cache.stored_version(self.flask)
        except Exception:  # the cache is down: the app answers (and says so)
            return self.app(environ, start_response)
        now = time.time()
        minute = int(now // 60)
        entry = self.entries.get(key)
        if (
            entry is not None
            and entry.version == version
            and entry.minute == minute
            and now < entry.until
        ):
            try:
                served = self._serve(entry, environ, start_response, started)
            except Exception:  # whatever went wrong, the app answers as it would have
                logger.exception("visitor cache: could not serve a copy")
                served = None
            if served is not None:
                return served
        if version is None:
            return self.app(environ, start_response)
        return self._make(key, version, minute, environ, start_response)

    def _key(self, environ: WSGIEnvironment) -> tuple[object, ...] | None:
        """Return what the page depends on, or ``None`` when the request must reach the app."""
        config = self.flask.config
        if not config.get("PAGE_CACHE_SECONDS") or not config.get("VISITOR_CACHE", True):
            return None
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
            return None
        if "keitai.input_error" in environ or environ.get("CONTENT_TYPE"):
            return None
        if environ.get("CONTENT_LENGTH", "0") not in ("", "0"):
            return None
        device = environ.get("keitai.device")
        query = environ.get("QUERY_STRING", "")
        if device is None or config["SESSION_URL_PARAM"] in query:
            return None
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            query,
            device,
            environ.get("HTTP_ACCEPT_LANGUAGE"),
        )

    def _serve(
        self,
        entry: _Entry,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        started: float,
    ) -> list[bytes] | None:
        """Answer a visitor from ``entry``; ``None`` if their session is not a new visitor's."""
        app = self.flask
        if environ.get("QUERY_STRING"):
            request: t.Any = app.request_class(environ)
        else:
            request = _NewVisitor(environ)
        session = app.session_interface.open_session(app, request)
        if (
            not isinstance(session, ServerSession)
            or not session.anonymous
            or session.adopted
            or (session.in_url, session.probing) != entry.carried
        ):
            return None
        token = None
        if entry.token:
            field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
            token = self._csrf_token(session[field])
        request_id = request_log.request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        status, headers, body = entry.rebuild(session.sid, token, request_id)
        self.hits += 1
        if request_log.logger.isEnabledFor(logging.INFO):
            ms = round((time.perf_counter() - started) * 1000, 1)
            carrier = environ["keitai.device"].carrier
            line = request_log.record(request_id, "GET", entry.path, entry.code, carrier, ms, 0)
            request_log.write(line)
        start_response(status, headers)
        return [body]

    def _csrf_token(self, value: str) -> str:
        """Flask-WTF's token for the session's CSRF secret ``value`` (``generate_csrf``'s)."""
        config = self.flask.config
        secret = t.cast("str | bytes", config.get("WTF_CSRF_SECRET_KEY", self.flask.secret_key))
        csrf = self._csrf
        if csrf is None or csrf.secret != secret:
            csrf = self._csrf = _Csrf(secret)
        return csrf.token(value)

    def _make(
        self,
        key: tuple[object, ...],
        version: str,
        minute: int,
        environ: WSGIEnvironment,
        start_response: StartResponse,
    ) -> t.Iterable[bytes]:
        """Let the app answer; keep its answer when it is a visitor's shared page."""
        sent: list[tuple[str, _Headers]] = []

        def capture(status: str, headers: _Headers, exc_info: t.Any = None) -> t.Any:
            sent.append((status, list(headers)))
            return start_response(status, headers, exc_info)

        answer = self.app(environ, capture)
        found = environ.pop(page_cache.VISITOR_PAGE, None)
        if found is None or len(sent) != 1:
            return answer
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        session, token = found
        status, headers = sent[0]
        if (
            isinstance(session, ServerSession)
            and session.anonymous
            and not session.adopted
            and minute == int(time.time() // 60)
        ):
            path = self.flask.request_class(environ).path
            until = time.time() + self.flask.config["PAGE_CACHE_SECONDS"]
            entry = _entry(version, minute, until, status, headers, body, session, token, path)
            if entry is not None:
                self._keep(key, entry)
        return [body]

    def _keep(self, key: tuple[object, ...], entry: _Entry) -> None:
        """Keep ``entry``; when full, drop the entries of other versions and minutes first
        (under a lock: other threads keep theirs meanwhile; readers need none)."""
        with self._keeping:
            entries = self.entries
            if len(entries) >= MAX_ENTRIES:
                current = (entry.version, entry.minute)
                for old in [k for k, e in entries.items() if (e.version, e.minute) != current]:
                    entries.pop(old, None)
                if len(entries) >= MAX_ENTRIES:
                    entries.clear()
            entries[key] = entry


def _entry(
    version: str,
    minute: int,
    until: float,
    status: str,
    headers: _Headers,
    body: bytes,
    session: ServerSession,
    token: str | None,
    path: str,
) -> _Entry | None:
    """Return the entry of this visitor's response, or ``None`` if rebuilding it from the entry
    would not give the very response sent (a value of theirs somewhere unforeseen)."""
    sid = session.sid
    request_id = ""
    marked = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == "x-request-id":
            request_id = value
            marked.append((name, "", _REQUEST_ID))
        elif lowered == "content-length":
            marked.append((name, "", _LENGTH))
        elif sid in value:
            marked.append((name, value.replace(sid, _SID), _WITH_SID))
        else:
            marked.append((name, value, _AS_IS))
    template = body.replace(sid.encode("ascii"), _SID_BYTES)
    if token is not None:
        template = template.replace(token.encode("ascii"), _TOKEN_BYTES)
    entry = _Entry(
        version,
        minute,
        until,
        status,
        tuple(marked),
        template,
        token is not None,
        (session.in_url, session.probing),
        path,
        int(status[:3]),
    )
    if entry.rebuild(sid, token, request_id) != (status, headers, body):
        return None
    return entry


def init_app(app: Flask) -> None:
    """Put the layer around Flask's own WSGI app (call it before other middleware wraps it)."""
    app.config.setdefault("VISITOR_CACHE", True)
    layer = VisitorCache(app, app.wsgi_app)
    # Flask's documented place for WSGI middleware.
    app.wsgi_app = layer  # type: ignore[method-assign]
    app.extensions["visitor_cache"] = layer

"""The Flask extension that wires the keitai layer into an application.

Per request it:

1. detects the device once (in :class:`~.wsgi.InputDecodingMiddleware`, which also decodes form
   and query input, multipart forms included, from the device's encoding, emoji into their
   stored form) and puts it on ``g.device``;
2. refuses input that was not valid in that encoding with a 400 (nothing reaches a view);
3. decides the rendering (``g.mobile_view``): keitai, today's keypad phones (ガラホ, KaiOS) and
   the carriers' full browsers get the mobile tree, smartphones and PCs the PC tree, and
   ``?view=pc|mobile`` overrides it for the rest of the session;
4. adds the session id to every URL built with ``url_for`` when the session travels in URLs
   (the device keeps no cookies, or refuses them: :mod:`.session`), and refuses a ``sid`` that
   cannot be one of ours (over 64 characters, odd characters) with a 400;
5. turns rendered HTML into bytes for the device (:meth:`Keitai.page_response`, emoji in the
   device's own form), declares the
   charset, measures the page against the device's byte budget, makes ``Location`` absolute
   (on ``base_url()``: give the app's own, never the Host header's) and sends
   ``Vary: User-Agent``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, current_app, g, has_request_context, request, session
from werkzeug.exceptions import BadRequest
from werkzeug.local import LocalProxy

from . import emoji
from .carriers import SUBSCRIBER_HEADERS
from .device import Device, detect
from .encoding import encode_page
from .links import offsite_links
from .markup import MarkupProfile, profile_for
from .response_headers import add_vary, first
from .session import ServerSession
from .session_ids import valid_id
from .uploads import can_upload
from .wsgi import InputDecodingMiddleware

logger = logging.getLogger(__name__)

VIEW_KEY = "view"


class PageOverBudgetError(RuntimeError):
    """A keitai page broke a rule: over the byte budget, or leaking the session id off-site.

    Raised when the app is strict (tests); logged otherwise.
    """


class BadInputEncoding(BadRequest):
    """The request's query or form was not valid in the device's encoding; nothing was used."""


class BadSessionId(BadRequest):
    """The URL's session id cannot be one of ours (too long, odd characters): never echoed."""


def _device() -> Device:
    device: Device = g.device
    return device


#: The current request's :class:`Device`.
current_device: Device = LocalProxy(_device)  # type: ignore[assignment]


def device_of(req: Any) -> Device:
    """Return the device of a request (detected once, by the WSGI middleware)."""
    device: Device | None = req.environ.get("keitai.device")
    if device is None:
        device = req.environ["keitai.device"] = detect(req.environ)
    return device


class Keitai:
    """Flask extension for the keitai layer.

    :param app: the application, or ``None`` to call :meth:`init_app` later.
    :param base_url: returns the scheme and host (``https://example.jp``) that absolute
        ``Location`` headers start with; by default the request's own.
    """

    def __init__(self, app: Flask | None = None, base_url: Callable[[], str] | None = None) -> None:
        self.base_url = base_url or (lambda: request.host_url.rstrip("/"))
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Wrap the WSGI app and register the request hooks."""
        app.config.setdefault("SESSION_URL_PARAM", "sid")
        #: Keitai that keep cookies but send none get the id in URLs too (:mod:`.session`).
        app.config.setdefault("SESSION_URL_FALLBACK", True)
        app.config.setdefault("PAGE_BUDGET_STRICT", False)
        #: Endpoints whose URLs ask docomo for the i-mode ID (``guid=ON``, KEITAI.md A5, B7).
        app.config.setdefault("KEITAI_GUID_ENDPOINTS", frozenset())
        # Flask's documented place for WSGI middleware.
        app.wsgi_app = InputDecodingMiddleware(  # type: ignore[method-assign]
            app.wsgi_app,
            detect,
            max_body=app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024,
            max_parts=app.config.get("MAX_FORM_PARTS") or 1000,
            keep=(app.config["SESSION_URL_PARAM"],),
        )
        app.before_request(self._before_request)
        app.url_defaults(self._add_session_id)
        app.after_request(self._after_request)
        app.jinja_env.globals["markup"] = current_markup
        app.jinja_env.globals["sends_subscriber_id"] = sends_subscriber_id
        app.jinja_env.globals["can_upload"] = device_can_upload
        app.jinja_env.globals["get_form_action"] = get_form_action
        app.extensions["keitai"] = self

    @staticmethod
    def _before_request() -> None:
        g.device = device_of(request)
        g.mobile_view = _choose_view(g.device)
        sid = request.args.get(current_app.config["SESSION_URL_PARAM"])
        if sid and not valid_id(sid):
            raise BadSessionId()
        error = request.environ.get("keitai.input_error")
        if error is not None:
            raise BadInputEncoding()

    @staticmethod
    def _add_session_id(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" or not has_request_context():
            return
        device = device_of(request)
        if sid_in_urls():
            values.setdefault(current_app.config["SESSION_URL_PARAM"], _session_id())
        if device.carrier == "docomo" and endpoint in current_app.config["KEITAI_GUID_ENDPOINTS"]:
            values.setdefault("guid", "ON")

    def _after_request(self, response: Response) -> Response:
        headers = response.headers
        add_vary(response, "User-Agent")
        if first(headers, "Referrer-Policy") is None:
            headers.add("Referrer-Policy", "same-origin")
        location = first(headers, "Location")
        if location and location.startswith("/") and not location.startswith("//"):
            device = device_of(request)
            if sid_in_urls():
                location = _with_session_id(location)
            if location not in g.get("_keitai_encoded_urls", ()):  # not from url_for: UTF-8
                location = reencode_query(location, device.encoding, carrier=device.carrier)
            response.headers["Location"] = self.base_url() + location
        return response

    @staticmethod
    def page_response(html: str, status: int = 200, lang: str = "ja") -> Response:
        """Encode a rendered page for the current device and check its byte budget.

        :param html: the rendered page.
        :param status: the HTTP status.
        :param lang: the page's language, for the text of emoji the device cannot show.
        :return: a response with the bytes and a ``Content-Type`` naming the charset.
        :raise PageOverBudgetError: when a keitai page is over budget and the app is strict.
        """
        device: Device = g.device
        body = encode_for(html, device, lang)
        response = Response(body, status=status)
        response.headers["Content-Type"] = f"text/html; charset={device.charset}"
        limit = device.max_page_bytes
        if g.mobile_view and limit is not None and len(body) > limit:
            _complain(f"{request.path} is {len(body)} bytes, over the {limit}-byte budget")
        if _session_in_url():
            leaks = offsite_links(html, request.host)
            if leaks:
                _complain(f"{request.path} carries a session id and links off-site: {leaks}")
        return response


def encode_for(html: str, device: Device, lang: str = "ja") -> bytes:
    """Return ``html`` as the bytes ``device`` receives: its emoji (the symbols it lacks as
    text in ``lang``, the reader's language), its encoding.

    Stored emoji become the carrier's own (or text); on PCs and smartphones only the Google PUA
    of carrier-only symbols changes, after one search of the page. Measure sizes with this.
    """
    to_device = functools.partial(
        emoji.for_carrier, carrier=device.emoji_carrier, encoding=device.encoding, lang=lang
    )
    return encode_page(html, device.encoding, carrier=device.carrier, pre=to_device)


def _complain(message: str) -> None:
    """Raise (tests, ``PAGE_BUDGET_STRICT``) or log (production) a broken keitai rule."""
    if current_app.config["PAGE_BUDGET_STRICT"]:
        raise PageOverBudgetError(message)
    logger.warning("keitai page rule: %s (%s)", message, request.user_agent.string)


def sid_in_urls() -> bool:
    """Return whether URLs built for this request carry the session id: the device keeps no
    cookies, or it is a phone that may refuse them (see :mod:`.session`)."""
    in_urls = getattr(session, "id_in_urls", None)
    if in_urls is None:  # another session interface
        return not device_of(request).cookies
    return bool(in_urls)


def server_session() -> ServerSession:
    """Return the current session as the :class:`~.session.ServerSession` it is (its id,
    :meth:`~.session.ServerSession.rotate`)."""
    if not isinstance(session, ServerSession):
        raise RuntimeError("the app's session interface is not PortalSessionInterface")
    return session


def _session_id() -> str:
    return server_session().sid


def _session_in_url() -> bool:
    """Return whether this request's URL carries the session id."""
    return bool(request.args.get(current_app.config["SESSION_URL_PARAM"]))


def reencode_query(url: str, encoding: str, *, carrier: str | None = None) -> str:
    """Return ``url`` with its UTF-8 query percent-encoded in ``encoding`` instead.

    Links on a Shift_JIS page come back with their query decoded as Shift_JIS (the middleware
    decodes all input from the device's encoding), so a value such as ``q=東京`` must be written
    in CP932 there, once: the query must be UTF-8 (as ``url_for`` writes it from text values),
    never bytes already in the device's encoding, which may also read as UTF-8 (ﾎｱ in CP932 is
    the UTF-8 of α). A value is written as the page would show it (:func:`.encoding.encode_page`
    for ``carrier``: its emoji as the carrier's, a character CP932 lacks as 〓), which is what the
    phone sends back; it never falls back to UTF-8. ASCII-only URLs are returned as they are.
    """
    if encoding == "utf-8" or "%" not in url:
        return url
    parts = urlsplit(url)
    if not parts.query:
        return url
    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, errors="strict")
    except (UnicodeError, ValueError):
        return url
    to_device = functools.partial(emoji.for_carrier, carrier=carrier, encoding=encoding)

    def quoted(text: str) -> str:
        return quote_plus(encode_page(text, encoding, carrier=carrier, pre=to_device), safe="")

    query = "&".join(f"{quoted(name)}={quoted(value)}" for name, value in pairs)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class KeitaiFlask(Flask):
    """A Flask app whose ``url_for`` writes queries in the device's encoding.

    Flask's own hook: :func:`flask.url_for` calls ``current_app.url_for``, which an app class
    may override. Links on a Shift_JIS page carry Shift_JIS queries (:func:`reencode_query`);
    a redirect to such a URL is not encoded again (``_after_request``). Use it with
    :class:`Keitai`; on a plain :class:`~flask.Flask` app queries stay UTF-8.
    """

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        url = super().url_for(
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )
        if has_request_context():
            device = device_of(request)
            if device.encoding != "utf-8":
                url = reencode_query(url, device.encoding, carrier=device.carrier)
                # A redirect to it must not be encoded again (_after_request).
                g.setdefault("_keitai_encoded_urls", set()).add(url)
        return url


def get_form_action(endpoint: str, **values: Any) -> tuple[str, list[tuple[str, str]]]:
    """Return the ``action`` of a GET form for ``endpoint`` and the hidden fields it needs.

    Submitting a GET form replaces its action's query, so the query ``url_for`` wrote (the
    session id of cookie-less phones, ``guid=ON``) travels as hidden fields instead. The
    templates' ``get_form`` macro writes both.
    """
    action = urlsplit(current_app.url_for(endpoint, **values))
    return action.path, parse_qsl(action.query)


def _with_session_id(path: str) -> str:
    """Return an internal path carrying the current session id (cookie-less phones).

    ``url_for`` adds the id by itself; this catches redirects to paths that came from elsewhere
    (a ``?next=`` parameter), as jpmobile's trans-sid redirect does. An id already in the path
    that is not the current one (an expired session's, say) is replaced, never followed.
    """
    param = current_app.config["SESSION_URL_PARAM"]
    parts = urlsplit(path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    sid = _session_id()
    if [value for key, value in query if key == param] == [sid]:
        return path
    query = [(key, value) for key, value in query if key != param]
    query.append((param, sid))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def current_markup() -> MarkupProfile:
    """Return the markup profile of the current device (a template global: ``markup()``)."""
    device: Device = g.device
    return profile_for(device.carrier, device.is_keitai)


def sends_subscriber_id() -> bool:
    """Return whether the current device's carrier has a subscriber ID (easy login possible)."""
    return g.device.carrier in SUBSCRIBER_HEADERS


def device_can_upload() -> bool:
    """Tell whether the current device can send a file from a form (see :mod:`.uploads`).

    A template global: ``{% if can_upload() %}<input type="file" ...>{% endif %}``.
    """
    return can_upload(g.device)


def ensure_rendering() -> None:
    """Set ``g.device`` and ``g.mobile_view`` for a request whose hooks did not run (an error
    raised by an earlier hook: a foreign Host header), by the same rule as every other page:
    the device's preference, ``?view=pc|mobile`` and the view the session remembers."""
    if "device" not in g:
        g.device = device_of(request)
    if "mobile_view" not in g:
        g.mobile_view = _choose_view(g.device)


def _choose_view(device: Device) -> bool:
    """Return whether this request gets the mobile rendering."""
    wanted = request.args.get(VIEW_KEY)
    if wanted in ("pc", "mobile"):
        if session.get(VIEW_KEY) != wanted:
            session[VIEW_KEY] = wanted
        return wanted == "mobile"
    chosen = session.get(VIEW_KEY)
    if chosen in ("pc", "mobile"):
        return bool(chosen == "mobile")
    return device.prefers_mobile

"""Template filters and URL helpers: member text (escaped, linked, line breaks), internal
redirects that never leave the site, and links to hand to others (never carrying the session id)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest

from .hosts import external_url
from .keitai.ext import device_of
from .keitai.links import linkify

#: Query parameters that carry (or stand for) a session, never kept in a ``next`` path: ours
#: (``SESSION_URL_PARAM``, the cookie's name) and the usual names of other frameworks.
SESSION_LIKE_PARAMS = frozenset(
    {"sid", "session", "session_id", "sessionid", "sess", "phpsessid", "jsessionid", "csrf_token"}
)


def _session_like(key: str) -> bool:
    config = current_app.config
    key = key.lower()
    return (
        key in SESSION_LIKE_PARAMS
        or key == config["SESSION_URL_PARAM"].lower()
        or key == config["SESSION_COOKIE_NAME"].lower()
    )


def without_session(path: str) -> str:
    """Return an internal path without any session id in its query (nor a ``;jsessionid=``),
    so a ``next`` never brings back an old session (the keitai login loop) or plants one."""
    parts = urlsplit(path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not _session_like(k)]
    route = parts.path.split(";", 1)[0]
    if len(kept) == len(query) and route == parts.path:
        return path
    return urlunsplit(("", "", route, urlencode(kept), parts.fragment))


#: Characters no path we redirect to may hold.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


def safe_next(value: str | None) -> str | None:
    """Return ``value`` if it is a path on this site (``/...``, not ``//host``), without any
    session id; else ``None``.

    :raise BadRequest: if it holds a control character (CR or LF would split the
        ``Location`` header): a 400 page, before the member types a password.
    """
    if value and _CONTROL.search(value):
        raise BadRequest()
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return without_session(value)


#: The longest query a ``?next=`` link carries back (encoded); a longer one is left off, so a
#: page asked for with a long or junk query string stays within a phone's page budget (each
#: language link repeats it).
NEXT_QUERY_MAX = 160


def here() -> str:
    """Return the current path and query without the session id (for ``?next=`` links).

    A query longer than :data:`NEXT_QUERY_MAX` is left off: the link leads back to the page.
    """
    args = [
        (k, v) for k, v in request.args.items(multi=True) if k != "view" and not _session_like(k)
    ]
    query = urlencode(args)
    return request.path + ("?" + query if query and len(query) <= NEXT_QUERY_MAX else "")


def share_url(endpoint: str, **values) -> str:
    """Return an absolute URL to hand to someone else, on the site's configured address
    (``PUBLIC_URL``, never the Host header): it never carries our session id."""
    return external_url(endpoint, **{current_app.config["SESSION_URL_PARAM"]: None}, **values)


def jump_url(url: str) -> str:
    """Return the jump-page URL that leads to ``url`` (never carrying the session id).

    For phones without cookies, which reach ``/jump`` without their session, the URL carries
    the reader's language instead (``lang``).
    """
    values: dict[str, Any] = {current_app.config["SESSION_URL_PARAM"]: None}
    if not device_of(request).cookies:
        values["lang"] = str(get_locale() or "ja").split("_")[0]
    return url_for("links.jump", url=url, **values)


def linkify_content(text: str) -> Markup:
    """Escape member text and link its URLs through the jump page (template filter)."""
    return linkify(text, jump_url)


_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028]")


def nl2br(text) -> Markup:
    """Escape member text (unless it is already markup, e.g. from ``linkify``) and turn its
    line breaks into ``<br />`` (template filter: ``text|linkify|nl2br``)."""
    lines = _LINE_BREAK.split(str(escape(text)))
    return Markup("<br />").join(Markup(line) for line in lines)  # noqa: S704 (escaped above)


def member_text(text: str) -> Markup:
    """Return member text as shown on a page: escaped, URLs through /jump, line breaks kept."""
    return nl2br(linkify_content(text))


def init_app(app) -> None:
    """Make ``here``, ``share_url``, ``jump_url`` and the ``linkify``/``nl2br`` filters
    available."""
    app.jinja_env.globals.update(here=here, share_url=share_url, jump_url=jump_url)
    app.jinja_env.filters["linkify"] = linkify_content
    app.jinja_env.filters["nl2br"] = nl2br
    app.jinja_env.filters["member_text"] = member_text

"""Whole member pages from Flask-Caching, keyed by the version of everything stored.

What a member's home shows depends on a great deal: friends' diaries, comments, photos,
friendships, blocks, privacy levels, messages, settings. Rather than trust each change to name
the pages it touches, every commit that changed any row moves one *content version* (a random
token, so an evicted or restarted cache can never bring an old entry back), and a page is
cached under that version. A cached page is therefore never older than the last change a viewer
could see; a read-only page view (the common case: a member reloading home) is served from
the cache.

The key also holds everything else a page depends on: the member, the session (the page's
links carry its id on phones, its forms its CSRF token), the device as detected (rendering,
charset, emoji, screen), what the language is chosen from, the URL and the minute (relative
times, notices that start or end, the Tokyo date). Entries live ``PAGE_CACHE_SECONDS`` at most.

A copy is found without loading the member: the key names what the page's language and kana
width are chosen from (the session, the URL, ``Accept-Language``, the device, and the member's
row, which the content version stands for) rather than the choice, so :func:`cached` serves it
before ``login_required`` runs. An entry under this version and this session was made for a
member who was logged in: a member logged out, stopped or deleted since is a change (a new
version) or a session that no longer loads (another key). The session itself is usually the
cache's copy (``portal.session_store.CachedSessionStore``), so a hit runs no SQL at all; a copy
is never served after its session was written or ended.

A visitor's page (the top page with its login form) is one entry for every visitor on the same
device, language and URL: it is made under a placeholder anonymous id, and each visitor's copy
gets their own id and CSRF token put in (:func:`_visitor_page`).

The cache is SimpleCache (in process) by default and Redis when ``CACHE_TYPE`` is
``RedisCache`` (the cluster sets ``PORTAL_CACHE_TYPE`` and ``PORTAL_CACHE_REDIS_URL``): with
several processes writing, only a shared cache sees every process's version changes. Writes
made outside the ORM session (the session store's own rows) are no content and move nothing.
A process whose cache is its own (SimpleCache) does not see another process's commits (the
queue consumer's blog imports): those show within ``PAGE_CACHE_SECONDS``.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf

from . import transactions
from .keitai.anonymous import ID_LENGTH, derived_values
from .keitai.session import PortalSessionInterface, ServerSession

cache = Cache()
logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"


#: The WSGI environ key under which :func:`_visitor_page` names the visitor's session and
#: token of the page it answered.
VISITOR_PAGE = "portal.visitor_page"


def stored_version(app: Flask) -> str | None:
    """Return the content version the cache holds (``None``: none yet), without an app
    context (the WSGI layer in front of the app reads it)."""
    version: str | None = app.extensions["cache"][cache].get(VERSION_KEY)
    return version


def content_version() -> str:
    """Return the current content version (making one if the cache has none)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = bump()
    return version


def bump() -> str:
    """Start a new content version: every page cached before is stale."""
    version = secrets.token_urlsafe(12)
    cache.set(VERSION_KEY, version, timeout=0)
    return version


def _after_write_commit() -> None:
    if has_app_context() and _enabled():
        try:
            bump()
        except Exception:  # the cache is down: nothing can be read from it either
            logger.exception("page cache: could not start a new content version")


def _enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE_SECONDS"))


def _key(name: str, version: str, placeholder: list[str] | None = None) -> str:
    """The entry's key: ``placeholder`` stands for the session and the URL of a visitor's
    page (shared by visitors), else they are this session's own.

    The session's values go in as the ``repr`` of its items in key order (text, numbers,
    flags: one text for one content), which costs a fraction of ``json.dumps``."""
    context = g._get_current_object()
    req = request._get_current_object()  # type: ignore[attr-defined]
    if not placeholder:
        current = session._get_current_object()  # type: ignore[attr-defined]
        viewer = [getattr(current, "sid", ""), repr(sorted(current.items())), req.full_path]
    else:
        viewer = placeholder
    parts = [
        name,
        version,
        *viewer,
        repr(getattr(context, "device", None)),
        str(getattr(context, "mobile_view", None)),
        req.environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        str(int(time.time() // 60)),
    ]
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"page:{digest}"


def kept(name: str, read: Callable[[], Any]) -> Any:
    """Return ``read()``'s answer, read once per content version: a fact read from the rows
    (the time of a footprint) stays true until a row changes. ``name`` says what was read, and
    of whom; entries live ``PAGE_CACHE_SECONDS`` at most."""
    if not _enabled():
        return read()
    try:
        key = "kept:" + hashlib.sha256(f"{content_version()}\0{name}".encode()).hexdigest()
        found = cache.get(key)
    except Exception:  # the cache is down: read it
        logger.exception("page cache: not reachable")
        return read()
    if found is None:
        found = (read(),)
        try:
            cache.set(key, found, timeout=current_app.config["PAGE_CACHE_SECONDS"])
        except Exception:
            logger.exception("page cache: not reachable")
    return found[0]


def note(**values: Any) -> None:
    """Keep ``values`` with the page being made: a copy served from the cache hands them to
    its ``on_hit`` (what a view must still do when it is not run: a footprint)."""
    g.setdefault(_NOTES, {}).update(values)


_NOTES = "page_cache_notes"


def cached(
    name: str, on_hit: Callable[[dict[str, Any]], object] | None = None
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Serve the decorated view's page through :func:`cached_page` as ``name``.

    Put it under ``@bp.route`` and above ``@login_required``: a copy is served without
    loading the member (see the module's notes); a miss runs the view, its login check first.
    """

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            return cached_page(name, lambda: view(*args, **kwargs), on_hit)

        return wrapper

    return decorate


def cached_page(
    name: str,
    make: Callable[[], Response],
    on_hit: Callable[[dict[str, Any]], object] | None = None,
) -> Response:
    """Return the page ``name`` for this request from the cache, or ``make()`` it and keep it.

    Only a plain 200 page is kept, and nothing is used while the session has flash messages
    waiting (the page shows them once). A visitor's page (a session of nothing stored) is
    shared by every visitor on the same device, language and URL: see :func:`_visitor_page`.

    :param on_hit: called with the page's :func:`note` values when a copy is served.
    """
    if not _enabled() or "_flashes" in session or request.method != "GET":
        return make()
    visitor = _visitor()
    if visitor is not None:
        return _visitor_page(name, make, visitor)
    try:
        version = content_version()
        hit = cache.get(_key(name, version))
    except Exception:  # the cache is down: serve the page without it
        logger.exception("page cache: not reachable")
        return make()
    if hit is not None and len(hit) == 3:
        body, content_type, notes = hit
        if on_hit is not None:
            on_hit(notes)
        return Response(body, status=200, content_type=content_type)
    g.pop(_NOTES, None)
    response = make()
    if response.status_code == 200 and not response.direct_passthrough:
        value = (response.get_data(), response.headers["Content-Type"], g.pop(_NOTES, {}))
        # Keyed as the session is now (the page may have given it its CSRF token), under the
        # version read before the page was made: a change meanwhile makes the entry stale.
        try:
            key = _key(name, version)
            cache.set(key, value, timeout=current_app.config["PAGE_CACHE_SECONDS"])
        except Exception:
            logger.exception("page cache: not reachable")
    return response


#: Stands for the visitor's anonymous id while a shared visitor page is made (random per
#: process, as long as a real one): it is replaced by the visitor's own id in every copy.
_PLACEHOLDER_SID = secrets.token_urlsafe(ID_LENGTH)[:ID_LENGTH]


def _visitor() -> ServerSession | None:
    """Return this request's session if it stores nothing (a visitor's anonymous id), else
    ``None``."""
    current = session._get_current_object()  # type: ignore[attr-defined]
    return current if isinstance(current, ServerSession) and current.anonymous else None


def _visitor_page(name: str, make: Callable[[], Response], visitor: ServerSession) -> Response:
    """A visitor's page, made once for all visitors on the same device, language and URL.

    A visitor's page differs from another's only by their anonymous id (in its URLs on
    phones that keep no cookies) and their form's CSRF token (signed from a secret derived
    from the id). So the page is made under a placeholder id, kept, and each visitor gets a copy
    with the placeholder id and the placeholder's token replaced by their own (both are ASCII
    and URL-safe, so the bytes of any charset hold them as they are). A visitor's token is made
    only when the page has a form, so a cookie goes out exactly as it would without the cache.
    """
    sid = visitor.sid
    parts = [
        request.full_path.replace(sid, _PLACEHOLDER_SID),
        str(visitor.in_url),
        str(visitor.probing),
    ]
    try:
        version = content_version()
        key = _key(name, version, placeholder=parts)
        hit = cache.get(key)
    except Exception:  # the cache is down: serve the page without it
        logger.exception("page cache: not reachable")
        return make()
    if hit is None:
        hit = _make_visitor_page(make, visitor)
        if hit is None:
            return make()
        try:
            cache.set(key, hit, timeout=current_app.config["PAGE_CACHE_SECONDS"])
        except Exception:
            logger.exception("page cache: not reachable")
    body, content_type, token = hit
    body = body.replace(_PLACEHOLDER_SID.encode("ascii"), sid.encode("ascii"))
    own_token = None
    if token is not None:
        own_token = generate_csrf()
        body = body.replace(token.encode("ascii"), own_token.encode("ascii"))
    # For the WSGI layer in front (portal.visitor_cache): this response is a visitor's page,
    # with this session's id and this token its only values of this visitor's own.
    request.environ[VISITOR_PAGE] = (visitor, own_token)
    return Response(body, status=200, content_type=content_type)


def _make_visitor_page(
    make: Callable[[], Response], visitor: ServerSession
) -> tuple[bytes, str, str | None] | None:
    """Make the page under the placeholder id; return its body, type and placeholder token,
    or ``None`` when it is not a plain 200 page (or it changed the session)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    interface = current_app.session_interface
    keys = interface.derived_keys if isinstance(interface, PortalSessionInterface) else ()
    stand_in = derived_values(current_app.config["SECRET_KEY"], _PLACEHOLDER_SID, keys)
    try:
        with visitor.standing_in(_PLACEHOLDER_SID, stand_in):
            response = make()
            token = g.pop(field, None) if visitor.derived_read else None
    finally:
        g.pop(field, None)
    if response.status_code != 200 or response.direct_passthrough or visitor.modified:
        return None
    return response.get_data(), response.headers["Content-Type"], token


def init_app(app: Flask) -> None:
    """Bind the cache and listen for commits that change content."""
    app.config.setdefault("CACHE_TYPE", "SimpleCache")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 300)
    app.config.setdefault("PAGE_CACHE_SECONDS", 60)
    cache.init_app(app)
    transactions.on_write_commit(_after_write_commit)

"""Server-side sessions whose id travels by cookie, or in every URL for cookie-less phones.

Most docomo handsets before 2009 (i-mode browser 1.0) and old J-PHONE types keep no cookies
(KEITAI.md A4, B2), so, like jpmobile's ``trans_sid``, the session id is added to every internal
URL and form built with :func:`flask.url_for` and read back from the query string. Rules that keep
this safe:

* an id from a URL is honoured only for devices that cannot keep cookies (or phones that refuse
  them, below), and only while the session is bound to the same phone: the User-Agent, the
  carrier whose gateway range the request came from, and the subscriber ID when one is sent
  (au and SoftBank send theirs on every request, so there it must be the same or absent both
  times; docomo sends the i-mode ID only to ``guid=ON`` URLs, so there it must only never
  differ); an id from a cookie only from a cookie;
* an unknown or expired id is never adopted: the request gets a fresh id (no fixation);
* URL-carried sessions expire after an idle hour (``SESSION_IDLE_KEITAI``);
* :meth:`ServerSession.rotate` issues a new id at once (call it at login and logout);
* idle expiry is extended at most every ``SESSION_TOUCH_INTERVAL``, so reading does not write;
* a session ended elsewhere (:meth:`SessionStore.delete_owner`, "log out everywhere") stays
  ended: a request that loaded it before only updates a session that still exists.

**Phones that refuse cookies.** au and SoftBank handsets (and docomo's i-mode browser 2.0) keep
cookies, but a member can turn them off, and some au models lose them (KEITAI.md B2). When a
keitai that should keep cookies arrives without one, its session is *probing*: the response sets
the cookie and also carries the id in every URL (``SESSION_URL_FALLBACK``). If the next request
brings the cookie back, cookies work and the id in URLs stops counting; if it brings only the id
in the URL (the login form posted without the cookie its page set), the session goes on in URLs,
bound to the phone like any URL-carried session, and no cookie is set again.

The storage is pluggable (:class:`~.session_stores.SessionStore`): the SQL store lives with the
app's models and :class:`~.session_stores.RedisSessionStore` serves scale-out deployments. Both
index sessions by their owner (the member id stored under ``owner_key``) so that all of a
member's sessions can be ended at once.

Ids and their hashes are in :mod:`.session_ids`.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from .anonymous import anonymous_id_holds, derived_values, new_anonymous_id
from .device import Device
from .session_ids import (
    hash_binding,
    hash_id,
    hash_subscriber,
    new_id,
    subscriber_matches,
    valid_id,
)
from .session_stores import SessionRecord, SessionStore

if TYPE_CHECKING:
    from flask import Flask, Request, Response


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """The session of one request.

    :param data: the stored data.
    :param sid: the session id (generated for new sessions, used only if the session is saved).
    :param in_url: whether the id travels in URLs rather than in a cookie.
    :param new: whether no stored session stood behind the request.
    :param subscriber: the subscriber-ID hash the stored session is bound to.
    """

    def __init__(
        self,
        data: dict[str, Any] | None,
        sid: str,
        *,
        in_url: bool,
        new: bool,
        touched_at: datetime | None = None,
        subscriber: str | None = None,
    ) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(data, on_update)
        self.sid = sid
        self.in_url = in_url
        self.new = new
        self.modified = False
        self.touched_at = touched_at
        self.subscriber = subscriber
        #: A keitai that keeps cookies sent none: the id goes in URLs too, until one comes back.
        self.probing = False
        self.stale_keys: list[str] = []
        #: Why the stored session could not be read (its store is down); never saved then.
        self.store_error: Exception | None = None
        #: Values an anonymous session derives from its id rather than stores (a form's CSRF
        #: secret): read like stored ones, but they do not make the session non-empty.
        self.derived: dict[str, str] = {}
        #: Whether a derived value was read (a form's token): a PC then needs the id's cookie.
        self.derived_read = False
        #: Whether the (anonymous) id came from the client rather than from this request.
        self.adopted = False

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self.derived

    def __getitem__(self, key: str) -> Any:
        if not super().__contains__(key) and key in self.derived:
            self.derived_read = True
            return self.derived[key]
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def stored_data(self) -> dict[str, Any]:
        """Return what to store: the data, and the derived values it goes on with."""
        return {**self.derived, **self}

    @property
    def anonymous(self) -> bool:
        """Whether nothing is stored behind this session: a visitor's anonymous id, its form
        secrets derived from the id, and nothing else (yet)."""
        return self.new and not self.modified and not dict(self) and self.store_error is None

    @contextmanager
    def standing_in(self, sid: str, derived: dict[str, str]) -> Iterator[None]:
        """Act as the anonymous session ``sid`` with ``derived`` values for a while (a page
        shared by visitors is made under a placeholder id), then be this session again.
        Inside, :attr:`derived_read` tells whether the stand-in's values were read."""
        own = self.sid, self.derived, self.derived_read
        self.sid, self.derived, self.derived_read = sid, derived, False
        try:
            yield
        finally:
            self.sid, self.derived, self.derived_read = own

    @property
    def id_in_urls(self) -> bool:
        """Whether URLs built for this request carry the session id."""
        return self.in_url or self.probing

    def rotate(self) -> None:
        """Issue a new id now; the old one stops working when the response is saved."""
        if not self.new:
            self.stale_keys.append(hash_id(self.sid))
        self.sid = new_id()
        self.new = True
        self.modified = True
        self.derived = {}


def _secret(app: Flask) -> str | bytes:
    """Return the app's secret key (configured at start-up: none is an error)."""
    if app.secret_key is None:
        raise RuntimeError("SECRET_KEY is not configured")
    return app.secret_key


class PortalSessionInterface(SessionInterface):
    """Flask session interface over a :class:`SessionStore`, cookie- or URL-carried.

    :param store: where sessions live.
    :param device_of: returns the request's :class:`~.device.Device`.
    :param owner_key: the session key naming its owner (Flask-Login's ``_user_id``).
    :param derived_keys: keys an anonymous session holds without storage, derived from its
        anonymous id (:mod:`.anonymous`): the CSRF secret of Flask-WTF.
    """

    def __init__(
        self,
        store: SessionStore,
        device_of: Any,
        owner_key: str = "_user_id",
        derived_keys: tuple[str, ...] = (),
    ) -> None:
        self.store = store
        self.device_of = device_of
        self.owner_key = owner_key
        self.derived_keys = derived_keys

    def carries_in_url(self, request: Request) -> bool:
        """Return whether this request's session id travels in URLs because the device keeps
        no cookies (phones that refuse them are found out per session: ``id_in_urls``)."""
        return not self.device_of(request).cookies

    def _load(self, sid: str | None, now: datetime) -> SessionRecord | None:
        if not valid_id(sid):
            return None
        record = self.store.load(hash_id(sid))  # may raise: the store is unreachable
        if record is None or record.expires_at <= now:
            return None
        return record

    def _bound_here(self, app: Flask, record: SessionRecord, device: Device) -> bool:
        """Return whether a URL-carried session was made for the phone sending this request."""
        if record.binding is None or not hmac.compare_digest(record.binding, hash_binding(device)):
            return False
        sent = hash_subscriber(_secret(app), device)
        return subscriber_matches(record.subscriber, sent, device.carrier)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        try:
            return self._open(app, request)
        except Exception as e:  # noqa: BLE001 (whatever the store raised: it cannot be read)
            # The store (Redis, the database) is unreachable: an empty session that is never
            # saved, marked, so the app answers 503 rather than treat the member as logged out.
            device = self.device_of(request)
            session = ServerSession(None, new_id(), in_url=not device.cookies, new=True)
            session.store_error = e
            return session

    def _open(self, app: Flask, request: Request) -> ServerSession:
        device = self.device_of(request)
        now = _utcnow()
        fallback = device.cookies and device.is_keitai and app.config["SESSION_URL_FALLBACK"]
        if device.cookies:
            sid = request.cookies.get(self.get_cookie_name(app))
            record = self._load(sid, now)
            if record is not None and sid is not None:
                session = ServerSession(
                    record.data, sid, in_url=False, new=False, touched_at=record.touched_at
                )
                # A probing session whose cookie came back: cookies work, so stop honouring
                # its id from URLs (saved once without the binding).
                session.modified = record.binding is not None
                return session
            if valid_id(sid) and self._anonymous_holds(app, sid, device, now, in_url=False):
                return self._anonymous(app, sid, in_url=False, adopted=True)
            fallback = fallback and not sid  # a stale cookie came: this phone keeps cookies
        if not device.cookies or fallback:
            sid = request.args.get(app.config["SESSION_URL_PARAM"])
            record = self._load(sid, now)
            if record is not None and sid is not None and self._bound_here(app, record, device):
                return ServerSession(
                    record.data,
                    sid,
                    in_url=True,
                    new=False,
                    touched_at=record.touched_at,
                    subscriber=record.subscriber,
                )
            # A visitor's anonymous id from a URL goes on while it holds for this phone; a
            # phone that should keep cookies (probing) has it honoured only for the POST of
            # the form it came with (the login of a phone refusing cookies).
            adopt = not device.cookies or request.method == "POST"
            if (
                adopt
                and valid_id(sid)
                and self._anonymous_holds(app, sid, device, now, in_url=True)
            ):
                return self._anonymous(app, sid, in_url=True, adopted=True)
        sid = new_anonymous_id(_secret(app), hash_binding(device), now)
        session = self._anonymous(app, sid, in_url=not device.cookies, adopted=False)
        session.probing = bool(fallback)
        return session

    def _anonymous_holds(
        self, app: Flask, sid: str, device: Device, now: datetime, *, in_url: bool
    ) -> bool:
        limit = app.config["SESSION_IDLE_KEITAI" if in_url else "SESSION_IDLE_PC"]
        return anonymous_id_holds(_secret(app), sid, hash_binding(device), now, limit)

    def _anonymous(self, app: Flask, sid: str, *, in_url: bool, adopted: bool) -> ServerSession:
        """Return a session of nothing stored under the anonymous id ``sid``."""
        session = ServerSession(None, sid, in_url=in_url, new=True)
        session.derived = derived_values(_secret(app), sid, self.derived_keys)
        session.adopted = adopted
        return session

    def idle_limit(self, app: Flask, session: ServerSession) -> timedelta:
        """Return how long the session may stay unused."""
        key = "SESSION_IDLE_KEITAI" if session.id_in_urls else "SESSION_IDLE_PC"
        limit: timedelta = app.config[key]
        return limit

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession) or session.store_error is not None:
            return
        try:
            self._save(app, session, response)
        except Exception as e:
            session.store_error = e  # the error page that follows is not saved either
            raise

    def _save(self, app: Flask, session: ServerSession, response: Response) -> None:
        for key in session.stale_keys:
            self.store.delete(key)
        now = _utcnow()
        key = hash_id(session.sid)
        expires = now + self.idle_limit(app, session)
        if session.modified and not session:
            if not session.new:
                self.store.delete(key)
            if not session.in_url and not session.new:
                self._delete_cookie(app, response)
            return
        if session.modified:
            self.store.save(key, self._record(app, session, now, expires), create=session.new)
            if not session.in_url:
                self._set_cookie(app, session, response)
        elif session.new and session.derived_read and not session.adopted:
            # An anonymous session showed a form: its id goes with it (nothing is stored).
            if not session.in_url:
                self._set_cookie(app, session, response)
        elif not session.new and session.touched_at is not None:
            if now - session.touched_at >= app.config["SESSION_TOUCH_INTERVAL"]:
                self.store.touch(key, now, expires)

    def _record(
        self, app: Flask, session: ServerSession, now: datetime, expires: datetime
    ) -> SessionRecord:
        binding = subscriber = None
        if session.id_in_urls:
            from flask import request

            device = self.device_of(request)
            binding = hash_binding(device)
            subscriber = hash_subscriber(_secret(app), device) or session.subscriber
        owner = session.get(self.owner_key)
        return SessionRecord(
            session.stored_data(),
            binding,
            now,
            expires,
            subscriber=subscriber,
            owner=None if owner is None else str(owner),
        )

    def _set_cookie(self, app: Flask, session: ServerSession, response: Response) -> None:
        response.set_cookie(
            self.get_cookie_name(app),
            session.sid,
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            httponly=self.get_cookie_httponly(app),
            samesite=self.get_cookie_samesite(app),
        )

    def _delete_cookie(self, app: Flask, response: Response) -> None:
        response.delete_cookie(
            self.get_cookie_name(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )

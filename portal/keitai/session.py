"""Server-side sessions whose id travels by cookie, or in every URL for cookie-less phones.

Most docomo handsets before 2009 (i-mode browser 1.0) and old J-PHONE types keep no cookies
(KEITAI.md A4, B2), so, like jpmobile's ``trans_sid``, the session id is added to every internal
URL and form built with :func:`flask.url_for` and read back from the query string. Rules that keep
this safe:

* an id from a URL is honoured only for devices that cannot keep cookies, and only while the
  session is bound to the same User-Agent; an id from a cookie only from a cookie;
* an unknown or expired id is never adopted: the request gets a fresh id (no fixation);
* URL-carried sessions expire after an idle hour (``SESSION_IDLE_KEITAI``);
* :meth:`ServerSession.rotate` issues a new id at once (call it at login and logout);
* idle expiry is extended at most every ``SESSION_TOUCH_INTERVAL``, so reading does not write.

The storage is pluggable (:class:`SessionStore`): the SQL store lives with the app's models and
:class:`RedisSessionStore` serves scale-out deployments.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

if TYPE_CHECKING:
    from flask import Flask, Request, Response


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def hash_id(sid: str) -> str:
    """Return the storage key for a session id (its SHA-256), so stored keys open nothing."""
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


def hash_agent(user_agent: str) -> str:
    """Return the fingerprint a URL-carried session is bound to."""
    return hashlib.sha256(user_agent.encode("utf-8", "surrogateescape")).hexdigest()


def new_id() -> str:
    """Return a fresh session id: 160 random bits in 27 URL-safe characters (short URLs)."""
    return secrets.token_urlsafe(20)


@dataclass
class SessionRecord:
    """What a store keeps for one session."""

    data: dict[str, Any]
    agent_hash: str | None
    touched_at: datetime
    expires_at: datetime


class SessionStore(Protocol):
    """Where sessions live. Keys are :func:`hash_id` values; every call is its own transaction."""

    def load(self, key: str) -> SessionRecord | None: ...

    def save(self, key: str, record: SessionRecord) -> None: ...

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None: ...

    def delete(self, key: str) -> None: ...


class RedisSessionStore:
    """Keep sessions in Redis, expiring with the session's own idle time.

    :param client: a ``redis.Redis`` instance.
    :param prefix: the key prefix.
    """

    def __init__(self, client: Any, prefix: str = "portal:session:") -> None:
        self.client = client
        self.prefix = prefix

    def load(self, key: str) -> SessionRecord | None:
        raw = self.client.get(self.prefix + key)
        if raw is None:
            return None
        doc = json.loads(raw)
        return SessionRecord(
            data=doc["data"],
            agent_hash=doc["agent"],
            touched_at=datetime.fromisoformat(doc["touched"]),
            expires_at=datetime.fromisoformat(doc["expires"]),
        )

    def save(self, key: str, record: SessionRecord) -> None:
        doc = {
            "data": record.data,
            "agent": record.agent_hash,
            "touched": record.touched_at.isoformat(),
            "expires": record.expires_at.isoformat(),
        }
        ttl = max(1, int((record.expires_at - _utcnow()).total_seconds()))
        self.client.set(self.prefix + key, json.dumps(doc), ex=ttl)

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None:
        record = self.load(key)
        if record is not None:
            record.touched_at, record.expires_at = touched_at, expires_at
            self.save(key, record)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)


class ServerSession(CallbackDict, SessionMixin):
    """The session of one request.

    :param data: the stored data.
    :param sid: the session id (generated for new sessions, used only if the session is saved).
    :param in_url: whether the id travels in URLs rather than in a cookie.
    :param new: whether no stored session stood behind the request.
    """

    def __init__(
        self,
        data: dict[str, Any] | None,
        sid: str,
        *,
        in_url: bool,
        new: bool,
        touched_at: datetime | None = None,
    ) -> None:
        def on_update(self: ServerSession) -> None:
            self.modified = True

        super().__init__(data, on_update)
        self.sid = sid
        self.in_url = in_url
        self.new = new
        self.modified = False
        self.touched_at = touched_at
        self.stale_keys: list[str] = []

    def rotate(self) -> None:
        """Issue a new id now; the old one stops working when the response is saved."""
        if not self.new:
            self.stale_keys.append(hash_id(self.sid))
        self.sid = new_id()
        self.new = True
        self.modified = True


class PortalSessionInterface(SessionInterface):
    """Flask session interface over a :class:`SessionStore`, cookie- or URL-carried.

    :param store: where sessions live.
    :param device_of: returns the request's device (an object with a ``cookies`` attribute).
    """

    def __init__(self, store: SessionStore, device_of: Any) -> None:
        self.store = store
        self.device_of = device_of

    def carries_in_url(self, request: Request) -> bool:
        """Return whether this request's session id travels in URLs."""
        return not self.device_of(request).cookies

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        in_url = self.carries_in_url(request)
        if in_url:
            sid = request.args.get(app.config["SESSION_URL_PARAM"])
        else:
            sid = request.cookies.get(self.get_cookie_name(app))
        now = _utcnow()
        agent = hash_agent(request.user_agent.string) if in_url else None
        if sid and len(sid) <= 64 and sid.isascii():
            record = self.store.load(hash_id(sid))
            if record and record.expires_at > now and record.agent_hash == agent:
                return ServerSession(
                    record.data, sid, in_url=in_url, new=False, touched_at=record.touched_at
                )
        return ServerSession(None, new_id(), in_url=in_url, new=True)

    def idle_limit(self, app: Flask, session: ServerSession) -> timedelta:
        """Return how long the session may stay unused."""
        key = "SESSION_IDLE_KEITAI" if session.in_url else "SESSION_IDLE_PC"
        return app.config[key]

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
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
            agent = None
            if session.in_url:
                from flask import request

                agent = hash_agent(request.user_agent.string)
            self.store.save(key, SessionRecord(dict(session), agent, now, expires))
            if not session.in_url:
                self._set_cookie(app, session, response)
        elif not session.new and session.touched_at is not None:
            if now - session.touched_at >= app.config["SESSION_TOUCH_INTERVAL"]:
                self.store.touch(key, now, expires)

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

"""The SQL session store: sessions in the ``sessions`` table, written in their own transaction,
and :class:`CachedSessionStore`, which reads them through a cache (the page cache's Redis, or
a SimpleCache of their own in the process).

The store talks to the engine directly rather than through the request's ORM session, so saving
a session never commits (or rolls back) the request's own work; the request's commit happens
before Flask saves the session (see :mod:`portal.transactions`).

**Reading through the cache.** A page-cache hit (:mod:`portal.page_cache`) runs no SQL but the
session's load, so :class:`CachedSessionStore` keeps each loaded row in the cache, as Django's
``cached_db`` backend does, with one difference that makes it safe between threads and
processes: a write never puts its row in the cache (a save racing another save, or a save
racing "log out everywhere", could leave the older row there); it moves the session's *token*
instead, and only a copy made under the current token is served:

* a load reads the copy and the token (one ``get_many``); a copy under the current token is the
  row as it is now. Otherwise it reads the token (or adds one), then the row, and keeps the row
  under that token;
* every write (save, touch, delete, and each session :meth:`~SqlSessionStore.delete_owner_keys`
  deleted, ``RETURNING`` their keys) commits first and then moves the token of each key it
  touched. A load that read the row before the write read the token before it too, so its copy
  is under an old token, and never served;
* a token is random, never a counter: an evicted or expired token (or a restarted cache) comes
  back as a new one, so eviction can only make a miss;
* the expiry purge (the queue's consumer, ``flask purge-sessions``: other processes) deletes
  only rows whose ``expires_at`` has passed; a copy is the row as it is, with the same
  ``expires_at``, which :class:`~portal.keitai.session.PortalSessionInterface` checks on every
  load, cached or not. Nothing else outside the web processes writes sessions.

With ``CACHE_TYPE`` ``SimpleCache`` the copies and tokens live in the process: right for one
web process (``flask serve``, ``make run``), whose only other writer is that purge. Several
web processes on SQL sessions need the shared cache (``RedisCache``) or
``SESSION_CACHE_SECONDS = 0``; the cluster and ``deploy/`` keep sessions in Redis, which this
does not wrap. A cache that cannot be read is skipped (the row is read); a write whose token
cannot be moved fails, as a store that cannot be written does (the page is a 503 or 500), and
a copy lives ``SESSION_CACHE_SECONDS`` at most.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update

from .extensions import db
from .keitai.session_stores import SessionRecord
from .models import StoredSession

_table = cast(Table, StoredSession.__table__)
#: Built once: every request loads its session with it.
_LOAD = select(
    _table.c.data,
    _table.c.binding_hash,
    _table.c.subscriber_hash,
    _table.c.member_id,
    _table.c.touched_at,
    _table.c.expires_at,
).where(_table.c.id_hash == bindparam("key"))


def _member_id(owner: str | None) -> int | None:
    return int(owner) if owner is not None and owner.isdigit() else None


class SqlSessionStore:
    """Keep sessions in the application's database (indexed by member for ending them all)."""

    def load(self, key: str) -> SessionRecord | None:
        with db.engine.connect() as conn:
            row = conn.execute(_LOAD, {"key": key}).first()
        if row is None:
            return None
        return SessionRecord(
            json.loads(row.data),
            row.binding_hash,
            row.touched_at,
            row.expires_at,
            subscriber=row.subscriber_hash,
            owner=None if row.member_id is None else str(row.member_id),
        )

    def save(self, key: str, record: SessionRecord, *, create: bool = True) -> None:
        values = {
            "data": json.dumps(record.data, separators=(",", ":")),
            "binding_hash": record.binding,
            "subscriber_hash": record.subscriber,
            "member_id": _member_id(record.owner),
            "touched_at": record.touched_at,
            "expires_at": record.expires_at,
        }
        with db.engine.begin() as conn:
            done = conn.execute(update(_table).where(_table.c.id_hash == key).values(values))
            if done.rowcount == 0 and create:
                conn.execute(
                    insert(_table).values(id_hash=key, created_at=record.touched_at, **values)
                )

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None:
        stmt = (
            update(_table)
            .where(_table.c.id_hash == key)
            .values(touched_at=touched_at, expires_at=expires_at)
        )
        with db.engine.begin() as conn:
            conn.execute(stmt)

    def delete(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(_table).where(_table.c.id_hash == key))

    def delete_owner(self, owner: str, *, keep: str | None = None) -> int:
        return len(self.delete_owner_keys(owner, keep=keep))

    def delete_owner_keys(self, owner: str, *, keep: str | None = None) -> list[str]:
        """Delete every session of ``owner`` but the one under ``keep``; return their keys
        (``DELETE ... RETURNING``: exactly the rows that went, for :class:`CachedSessionStore`)."""
        member_id = _member_id(owner)
        if member_id is None:
            return []
        stmt = delete(_table).where(_table.c.member_id == member_id)
        if keep is not None:
            stmt = stmt.where(_table.c.id_hash != keep)
        with db.engine.begin() as conn:
            return list(conn.execute(stmt.returning(_table.c.id_hash)).scalars())

    def purge_expired(self, now: datetime) -> int:
        """Delete sessions that expired before ``now``; return how many went."""
        with db.engine.begin() as conn:
            return conn.execute(delete(_table).where(_table.c.expires_at < now)).rowcount


logger = logging.getLogger(__name__)

#: Key prefixes in the cache: a session's copy, and its token.
COPY, TOKEN = "session:", "session-token:"


def _new_token() -> str:
    return secrets.token_urlsafe(9)


def _fields(record: SessionRecord) -> tuple[Any, ...]:
    """The record as a copy keeps it: a plain tuple unpickles in half a dataclass's time."""
    return (
        record.data,
        record.binding,
        record.touched_at,
        record.expires_at,
        record.subscriber,
        record.owner,
    )


class CachedSessionStore:
    """:class:`SqlSessionStore` read through ``cache`` (see the module's notes).

    :param store: the SQL store.
    :param cache: a Flask-Caching (or cachelib) cache: ``get_many``, ``add``, ``set``,
        ``set_many``, ``delete_many``.
    :param timeout: seconds a copy is kept (tokens are kept twice as long).
    """

    def __init__(self, store: SqlSessionStore, cache: Any, timeout: int) -> None:
        self.store = store
        self.cache = cache
        self.timeout = timeout

    def load(self, key: str) -> SessionRecord | None:
        try:
            copy, token = self.cache.get_many(COPY + key, TOKEN + key)
            if copy is not None and token is not None and copy[0] == token:
                return SessionRecord(*copy[1])
            if token is None:
                token = _new_token()
                if not self.cache.add(TOKEN + key, token, timeout=2 * self.timeout):
                    token = None  # another request made one meanwhile: read, keep nothing
        except Exception:  # the cache is down: the row as it is
            logger.exception("session cache: not reachable")
            return self.store.load(key)
        found = self.store.load(key)
        if found is not None and token is not None:
            try:
                self.cache.set(COPY + key, (token, _fields(found)), timeout=self.timeout)
            except Exception:
                logger.exception("session cache: not reachable")
        return found

    def _moved(self, keys: list[str]) -> None:
        """After a write to ``keys``: no copy made before it is served again (raises when the
        cache cannot be written: the write must not look done)."""
        if keys:
            self.cache.set_many({TOKEN + k: _new_token() for k in keys}, timeout=2 * self.timeout)
            self.cache.delete_many(*(COPY + k for k in keys))

    def save(self, key: str, record: SessionRecord, *, create: bool = True) -> None:
        try:
            self.store.save(key, record, create=create)
        finally:
            self._moved([key])

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None:
        try:
            self.store.touch(key, touched_at, expires_at)
        finally:
            self._moved([key])

    def delete(self, key: str) -> None:
        try:
            self.store.delete(key)
        finally:
            self._moved([key])

    def delete_owner(self, owner: str, *, keep: str | None = None) -> int:
        return len(self.delete_owner_keys(owner, keep=keep))

    def delete_owner_keys(self, owner: str, *, keep: str | None = None) -> list[str]:
        keys = self.store.delete_owner_keys(owner, keep=keep)
        self._moved(keys)
        return keys

    def purge_expired(self, now: datetime) -> int:
        """Delete expired sessions (their copies are expired too: never served)."""
        return self.store.purge_expired(now)

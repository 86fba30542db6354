"""Where server-side sessions live: the record a store keeps, the store protocol, and Redis.

The SQL store lives with the app's models (:mod:`portal.session_store`); both index sessions by
their owner so that all of a member's sessions can be ended at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class SessionRecord:
    """What a store keeps for one session.

    :param binding: :func:`hash_binding` of the phone a URL-carried (or probing) session is
        bound to; ``None`` for cookie sessions.
    :param subscriber: :func:`hash_subscriber` of the phone's subscriber ID, when one was sent.
    :param owner: who the session belongs to (the member id), for
        :meth:`~SessionStore.delete_owner`.
    """

    data: dict[str, Any]
    binding: str | None
    touched_at: datetime
    expires_at: datetime
    subscriber: str | None = None
    owner: str | None = None


class SessionStore(Protocol):
    """Where sessions live. Keys are :func:`hash_id` values; every call is its own transaction."""

    def load(self, key: str) -> SessionRecord | None: ...

    def save(self, key: str, record: SessionRecord, *, create: bool = True) -> None:
        """Store ``record``; with ``create=False`` only a session that still exists is updated
        (one ended meanwhile stays ended)."""

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_owner(self, owner: str, *, keep: str | None = None) -> int:
        """Delete every session of ``owner`` but the one under ``keep``; return how many went."""


class RedisSessionStore:
    """Keep sessions in Redis, expiring with the session's own idle time.

    Each owner has a set of their session keys (``<prefix>owner:<owner>``) that lives as long as
    their longest session; entries of sessions that expired are dropped when the set is read.

    :param client: a ``redis.Redis`` instance.
    :param prefix: the key prefix.
    """

    def __init__(self, client: Any, prefix: str = "portal:session:") -> None:
        self.client = client
        self.prefix = prefix

    def _owner_index(self, owner: str) -> str:
        return f"{self.prefix}owner:{owner}"

    def load(self, key: str) -> SessionRecord | None:
        raw = self.client.get(self.prefix + key)
        if raw is None:
            return None
        doc = json.loads(raw)
        return SessionRecord(
            data=doc["data"],
            binding=doc.get("binding"),
            touched_at=datetime.fromisoformat(doc["touched"]),
            expires_at=datetime.fromisoformat(doc["expires"]),
            subscriber=doc.get("subscriber"),
            owner=doc.get("owner"),
        )

    def save(self, key: str, record: SessionRecord, *, create: bool = True) -> None:
        doc = {
            "data": record.data,
            "binding": record.binding,
            "subscriber": record.subscriber,
            "owner": record.owner,
            "touched": record.touched_at.isoformat(),
            "expires": record.expires_at.isoformat(),
        }
        ttl = max(1, int((record.expires_at - _utcnow()).total_seconds()))
        stored = self.client.set(self.prefix + key, json.dumps(doc), ex=ttl, xx=not create)
        if stored and record.owner is not None:
            index = self._owner_index(record.owner)
            pipe = self.client.pipeline()
            pipe.sadd(index, key)
            pipe.ttl(index)
            _, left = pipe.execute()
            if left < ttl:
                self.client.expire(index, ttl)

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None:
        record = self.load(key)
        if record is not None:
            record.touched_at, record.expires_at = touched_at, expires_at
            self.save(key, record, create=False)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def delete_owner(self, owner: str, *, keep: str | None = None) -> int:
        index = self._owner_index(owner)
        ended = 0
        for raw in self.client.smembers(index):
            key = raw.decode("ascii")
            if key == keep:
                continue
            record = self.load(key)
            if record is not None and record.owner == owner:
                ended += self.client.delete(self.prefix + key)
            self.client.srem(index, key)
        return ended

"""The site's health (``/healthz``): can this process reach its database, its Redis servers and
its task queue? Each gets a status (``ok``, ``down`` or ``unused``) and a short detail; a load
balancer takes a process out of service while anything is ``down``.

:data:`OUTAGES` are the exceptions of a store that cannot be reached; the error pages turn them
into a 503 page (try again shortly) instead of a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..extensions import db

OK, DOWN, UNUSED = "ok", "down", "unused"

#: A database or Redis server that does not answer (refused, reset, restarting, timed out).
OUTAGES: tuple[type[BaseException], ...] = (
    OperationalError,
    PoolTimeout,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

#: Seconds a check waits for Redis before calling it down.
REDIS_TIMEOUT = 1.0


@dataclass
class Check:
    """One dependency's status."""

    status: str
    detail: str = ""


def redis_urls() -> list[str]:
    """Return the distinct Redis URLs this process uses (sessions, rate limits, queue, cache)."""
    config = current_app.config
    candidates = [
        config["SESSION_REDIS_URL"] if config["SESSION_STORE"] == "redis" else None,
        config.get("RATELIMIT_STORAGE_URI"),
        config.get("QUEUE_URL"),
        config.get("CACHE_REDIS_URL") if config.get("CACHE_TYPE") == "RedisCache" else None,
    ]
    urls = []
    for url in candidates:
        if url and urlsplit(url).scheme in ("redis", "rediss") and url not in urls:
            urls.append(url)
    return urls


def _database() -> Check:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except DBAPIError as e:
        return Check(DOWN, type(e.orig).__name__ if e.orig else type(e).__name__)
    return Check(OK, db.engine.dialect.name)


def _redis() -> Check:
    urls = redis_urls()
    if not urls:
        return Check(UNUSED)
    for url in urls:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
        try:
            client.ping()
        except redis.exceptions.RedisError as e:
            return Check(DOWN, f"{_safe(url)}: {type(e).__name__}")
        finally:
            client.close()
    return Check(OK, ", ".join(_safe(u) for u in urls))


def _queue() -> Check:
    huey = current_app.extensions["huey"]
    if huey.immediate:
        return Check(OK, "immediate")
    try:
        waiting = huey.pending_count()
    except Exception as e:  # noqa: BLE001 (any storage's failure means the queue is down)
        return Check(DOWN, type(e).__name__)
    return Check(OK, f"{waiting} waiting")


def _safe(url: str) -> str:
    """``redis://:secret@host:6379/4`` -> ``host:6379/4`` (no password in a public answer)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


def check() -> dict[str, Check]:
    """Check every dependency now (the database and Redis with short timeouts)."""
    return {"database": _database(), "redis": _redis(), "queue": _queue()}


def healthy(checks: dict[str, Check]) -> bool:
    """Return whether nothing is down."""
    return all(c.status != DOWN for c in checks.values())

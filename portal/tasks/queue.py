"""The huey instance and how tasks find their app.

One queue per process, configured by :func:`init_app` from ``QUEUE_URL``. Tasks are plain
functions of the services run inside an app context of the app that configured the queue (in
the consumer) or of the caller's app (``memory://``: run at once, in tests).
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

NAME = "keitai-portal"

huey = Huey(NAME, storage_class=MemoryStorage, utc=True, results=False)
_apps: list[Flask] = []


def storage_for(url: str, instance_path: str):
    """Return the huey storage for ``url`` (``redis://``, ``sqlite:///path``, ``memory://``)."""
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return RedisStorage(NAME, url=url, read_timeout=1)
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        return SqliteStorage(NAME, filename=str(Path(instance_path) / path))
    if scheme == "memory":
        return MemoryStorage(NAME)
    raise ValueError(f"QUEUE_URL must be redis://, sqlite:/// or memory://, not {url!r}")


def init_app(app: Flask) -> None:
    """Point the queue at ``QUEUE_URL`` (default: ``instance/queue.sqlite``)."""
    url = app.config["QUEUE_URL"] or "sqlite:///queue.sqlite"
    if url.startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Set the storage directly: huey's ``immediate`` setter would build it from its own class.
    huey.storage = storage_for(url, app.instance_path)
    huey._immediate = url.startswith("memory:")
    app.extensions["huey"] = huey
    _apps[:] = [app]


def _app() -> Flask:
    return current_app._get_current_object() if has_app_context() else _apps[0]


def _in_app_context(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with _app().app_context():  # a fresh context: its own database session
            return fn(*args, **kwargs)

    return run


def app_task(**settings):
    """Like ``huey.task`` (same settings); the task runs in an app context."""
    return lambda fn: huey.task(**settings)(_in_app_context(fn))


def app_periodic(schedule, **settings):
    """Like ``huey.periodic_task``; the task runs in an app context."""
    return lambda fn: huey.periodic_task(schedule, **settings)(_in_app_context(fn))


def on_startup(fn):
    """Run ``fn`` in an app context when a consumer (each of its workers) starts."""
    return huey.on_startup(fn.__name__)(_in_app_context(fn))

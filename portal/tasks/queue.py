"""The huey instance and how tasks find their app.

One huey instance holds the task registry; its storage is each app's (``QUEUE_URL``, set up by
:func:`init_app`): within an app context huey uses that app's queue, elsewhere (the consumer's
worker threads) the queue of the app that set it up last. Tasks run inside an app context of
the caller's app (``memory://``: run at once, in tests) or of the consumer's app.
"""

from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

NAME = "keitai-portal"


class _AppHuey(Huey):
    """Huey whose storage and immediate mode are the current app's."""

    _fallback: tuple = (None, False)

    def _of_app(self) -> tuple:
        if has_app_context() and "huey_storage" in current_app.extensions:
            extensions = current_app.extensions
            return extensions["huey_storage"], extensions["huey_immediate"]
        return self._fallback

    @property
    def storage(self):
        return self._of_app()[0]

    @storage.setter
    def storage(self, value) -> None:
        self._fallback = (value, self._fallback[1])

    @property
    def _immediate(self) -> bool:
        return self._of_app()[1]

    @_immediate.setter
    def _immediate(self, value: bool) -> None:
        self._fallback = (self._fallback[0], value)


huey = _AppHuey(NAME, storage_class=MemoryStorage, utc=True, results=False)
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
    storage, immediate = storage_for(url, app.instance_path), url.startswith("memory:")
    app.extensions.update(huey=huey, huey_storage=storage, huey_immediate=immediate)
    huey._fallback = (storage, immediate)
    _apps[:] = [app]


def _app() -> Flask:
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    return _apps[0]


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

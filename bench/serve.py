"""A server process of the benchmark: ``python -m bench.serve module:app PORT``.

Serves the app on loopback with the portal's waitress settings (:mod:`portal.serving`), the
bare app too, so the two differ only in the app. Counts the SQL statements of each request
in process (an SQLAlchemy ``before_cursor_execute`` listener); ``GET /__bench__/queries``
answers how many the previous request ran (the bench asks once per page, before the load).
"""

from __future__ import annotations

import importlib
import json
import sys
import threading

import waitress
from flask import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal import serving
from portal.config import DefaultConfig

HOST = "127.0.0.1"
QUERIES_PATH = "/__bench__/queries"


class QueryCounter:
    """WSGI middleware: count the SQL statements run while each request is handled."""

    def __init__(self, app):
        self.app = app
        self.local = threading.local()
        self.last = 0
        event.listen(Engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.local.count = getattr(self.local, "count", 0) + 1

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == QUERIES_PATH:
            body = json.dumps({"queries": self.last}).encode()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        self.local.count = 0
        try:
            # Flask runs its teardown (commit, session save) before returning the body.
            return self.app(environ, start_response)
        finally:
            self.last = self.local.count


def waitress_options(app) -> dict:
    """The portal's waitress settings: its own configuration's, or the defaults' for an app
    that has none (the bare Flask hello)."""
    config = getattr(app, "config", {})
    if "WAITRESS_THREADS" not in config:
        config = Config(".")
        config.from_object(DefaultConfig)
        config.from_prefixed_env("PORTAL")  # PORTAL_WAITRESS_THREADS=... as for the portal
    return serving.options(config)


def main(argv: list[str]) -> None:
    target, port = argv[0], int(argv[1])
    module, _, name = target.partition(":")
    app = getattr(importlib.import_module(module), name)
    waitress.serve(QueryCounter(app), host=HOST, port=port, **waitress_options(app))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Serving the portal with waitress: the server settings, and :func:`serve`.

waitress runs one thread that accepts connections and reads requests (asyncore) and a pool of
worker threads that run the app. Its defaults suit a quiet intranet, not a public site:
``connection_limit=100`` means 101 silent TCP connections (a port scanner, phones that lost
their signal mid-request) stop it accepting anyone for up to ``channel_timeout=120`` seconds.
The settings are ``WAITRESS_*`` in :class:`portal.config.DefaultConfig` (and so
``PORTAL_WAITRESS_*`` in the environment); :func:`options` turns them into waitress keywords.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import waitress
from flask import Flask
from waitress.server import create_server as _waitress_server

#: The waitress adjustments taken from the configuration, as ``WAITRESS_<NAME>``.
OPTIONS = (
    "threads",
    "connection_limit",
    "channel_timeout",
    "cleanup_interval",
    "backlog",
    "asyncore_use_poll",
    "max_request_body_size",
)


def options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return waitress's keyword arguments from ``WAITRESS_*`` settings in ``config``.

    waitress removes ``X-Forwarded-*`` headers before the app sees them unless told otherwise
    (``clear_untrusted_proxy_headers``). Behind our proxy (``PROXY_HOPS`` > 0) the app's
    ProxyFix reads them, so waitress keeps them there: else every visitor would have the
    proxy's address, and a login limit, a carrier's gateway range or a session's binding would
    treat them all as one client. With no proxy they are removed (the app ignores them too).
    """
    found = {name: config[f"WAITRESS_{name.upper()}"] for name in OPTIONS}
    found["clear_untrusted_proxy_headers"] = int(config.get("PROXY_HOPS") or 0) <= 0
    return found


def create_server(app: Flask, host: str, port: int, **overrides: Any):
    """Return a waitress server for ``app`` on ``host:port`` (``port`` 0: any free one; the
    server's ``effective_port`` says which), not yet running: call its ``run()``."""
    return _waitress_server(app, host=host, port=port, **{**options(app.config), **overrides})


def serve(app: Flask, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` with the configured settings, until interrupted."""
    logging.getLogger("waitress").setLevel(logging.INFO)  # "Serving on ...", overflow warnings
    waitress.serve(app, host=host, port=port, **options(app.config))

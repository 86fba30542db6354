"""Driving the loopback cluster (``cluster.Cluster``) over real HTTP, like a handset."""

from __future__ import annotations

import http.client
import os
import shutil
import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from werkzeug.wrappers import Response

from cluster import DEFAULT_DATABASE, nginx_binary
from tests.browser import PC, Browser, Page


class HttpBrowser(Browser):
    """:class:`~tests.browser.Browser` over HTTP to a loopback port (``port`` may change
    between requests: nginx, or one waitress process directly). It keeps no cookies."""

    def __init__(self, port: int, user_agent: str = PC, *, headers: dict | None = None) -> None:
        self.port = port
        self.user_agent = user_agent
        self.headers = dict(headers or {})
        self.remote_addr = "127.0.0.1"
        self.encoding = None
        self.base_url = f"http://127.0.0.1:{port}/"
        self.page: Page | None = None
        self.history: list[Page] = []

    def _send(self, method, url, body=None, content_type=None) -> Page:
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": self.user_agent, "Host": f"127.0.0.1:{self.port}"}
        headers.update(self.headers)
        if body is not None:
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            response = Response(reply.read(), status=reply.status, headers=reply.getheaders())
        finally:
            connection.close()
        page = Page(response, path)
        self.history.append(page)
        self.page = page
        return page


def require_cluster_tools() -> str:
    """Return the database URL, or skip (fail under ``REQUIRE_CLUSTER``) when nginx,
    redis-server or PostgreSQL is missing."""
    url = os.environ.get("CLUSTER_DATABASE_URL", DEFAULT_DATABASE)
    missing = []
    if nginx_binary() is None:
        missing.append("nginx")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    try:
        server = url.rsplit("/", 1)[0] + "/postgres"
        engine = create_engine(server)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 (any failure to connect means no PostgreSQL)
        missing.append("PostgreSQL")
    if missing:
        reason = f"the cluster needs {', '.join(missing)} (installed by .ci/run)"
        if os.environ.get("REQUIRE_CLUSTER"):
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def fresh_database(url: str) -> str:
    """Return ``url`` with the cluster test's own database name, dropped first, so the test
    migrates and seeds from this checkout's migrations (``make cluster``'s kp_cluster may hold
    another checkout's revision)."""
    server, _name = url.rsplit("/", 1)
    engine = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text('DROP DATABASE IF EXISTS "kp_cluster_test" WITH (FORCE)'))
    finally:
        engine.dispose()
    return server + "/kp_cluster_test"


def member_id(database_url: str, email: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT id FROM members WHERE email = :e"), {"e": email})
    finally:
        engine.dispose()


def wait_until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True

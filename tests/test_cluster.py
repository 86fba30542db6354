"""The scale-out site as one: nginx in front of two waitress processes, PostgreSQL, Redis and a
huey consumer (``make cluster``), driven over HTTP by a cookie-less docomo handset.

Skipped with a reason when nginx, redis-server or PostgreSQL is missing, unless
``REQUIRE_CLUSTER`` is set (``.ci/run`` sets it and installs them).
"""

from __future__ import annotations

import os
import shutil
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from cluster import DEFAULT_DATABASE, Cluster, nginx_binary
from tests.browser import DOCOMO_MOVA, HttpBrowser, sid_of, wait_until
from tests.fixtures.mail import Sink, free_port

PASSWORD = "keitai-demo"  # the demo world's


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


@pytest.fixture(scope="module")
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    handler.release()
    controller.stop()


@pytest.fixture(scope="module")
def site(sink):
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the cluster has its own database: it runs once, in the SQLite pass")
    database_url = fresh_database(require_cluster_tools())
    base = int(os.environ.get("CLUSTER_PORT", "8400"))
    with Cluster(base, database_url=database_url, mail_port=sink.port) as cluster:
        yield cluster


def _login(site, email="taro@example.jp", port=None) -> tuple[HttpBrowser, str]:
    phone = HttpBrowser(port or site.nginx_port, DOCOMO_MOVA)
    phone.get("/login")
    home = phone.submit("/login", {"email": email, "password": PASSWORD})
    assert home.status == 200, home.text
    sid = sid_of(home.url)
    assert sid, home.url
    return phone, sid


def test_a_cookieless_docomo_logs_in_through_nginx_and_its_sid_works_on_both_processes(site):
    phone, sid = _login(site)
    assert "Set-Cookie" not in phone.page.headers
    for port in (site.nginx_port, *site.upstream_ports, site.nginx_port):
        phone.port = port
        home = phone.get(f"/home?sid={sid}")
        assert home.status == 200
        assert home.charset.lower() == "shift_jis"
        assert home.url.startswith("/home")  # not sent to the login page
        assert "たろう" in home.text
        assert 'name="password"' not in home.text
        assert len(home.body) <= 5120


def test_a_login_rate_limit_counted_on_one_process_applies_on_the_other(site):
    a, b = site.upstream_ports
    phone = HttpBrowser(a, DOCOMO_MOVA)
    for attempt in range(5):
        phone.port = (a, b)[attempt % 2]
        phone.get("/login")
        page = phone.submit("/login", {"email": "jiro@example.jp", "password": "wrong"})
        assert page.status == 200, f"attempt {attempt + 1}: {page.status}"
    for port in (b, a, site.nginx_port):
        phone.port = port
        phone.get("/login")
        page = phone.submit("/login", {"email": "jiro@example.jp", "password": "wrong"})
        assert page.status == 429, port


def test_a_write_on_one_process_is_what_the_other_serves_next(site):
    a, b = site.upstream_ports
    phone, sid = _login(site, port=a)
    first, second = f"cache-{uuid4().hex[:8]}", f"edited-{uuid4().hex[:8]}"
    phone.get(f"/diaries/new?sid={sid}")
    shown = phone.submit("/diaries/new", {"title": first, "body": "本文", "visibility": "public"})
    assert shown.status == 200
    diary = shown.url.split("?")[0]
    phone.port = b
    assert first in phone.get(f"{diary}?sid={sid}").text  # B has seen (and may cache) it
    phone.port = a
    phone.get(f"{diary}/edit?sid={sid}")
    edited = phone.submit(
        f"{diary}/edit", {"title": second, "body": "本文", "visibility": "public"}
    )
    assert edited.status == 200
    assert edited.url.split("?")[0] == diary  # saved: back on the diary
    phone.port = b
    page = phone.get(f"{diary}?sid={sid}")
    assert second in page.text
    assert first not in page.text


def test_a_notice_queued_on_one_process_is_mailed_by_the_consumer(site, sink):
    a, _ = site.upstream_ports
    hanako = member_id(site.database_url, "hanako@example.jp")
    phone, sid = _login(site, port=a)
    subject = f"queue-{uuid4().hex[:8]}"
    phone.get(f"/messages/new?to={hanako}&sid={sid}")
    sent = phone.submit("/messages/new", {"subject": subject, "body": "元気?"})
    assert sent.status == 200
    assert wait_until(lambda: sink.to("hanako@example.jp")), site.log("consumer")[-3000:]
    mail = sink.to("hanako@example.jp")[-1]
    assert mail.get_content_charset() == "iso-2022-jp"
    body = mail.get_payload(decode=True).decode("iso-2022-jp")
    assert f"http://127.0.0.1:{site.nginx_port}/" in body  # PUBLIC_URL, not an upstream's
    assert "sid=" not in body


def test_with_redis_stopped_pages_that_can_work_and_the_rest_say_503_then_recover(site):
    """Last in this module: it stops the cluster's own Redis (not a shared one)."""
    phone, sid = _login(site)
    site.stop("redis")
    try:
        page = phone.get(f"/home?sid={sid}")
        assert page.status == 503  # the session is in Redis: a clear page, not a 500
        assert page.charset.lower() == "shift_jis"
        assert "ただいま" in page.text
        assert len(page.body) <= 5120
        visitor = HttpBrowser(site.nginx_port, DOCOMO_MOVA).get("/")
        assert visitor.status == 200  # a visitor's top page needs no Redis
        assert HttpBrowser(site.upstream_ports[0]).get("/healthz").status == 503
    finally:
        site.start_redis()
    assert wait_until(lambda: HttpBrowser(site.nginx_port).get("/healthz").status == 200)
    # Sessions were in the stopped server. Pooled connections to it fail once each, then the
    # processes reconnect by themselves (no restart): logging in works again.
    assert wait_until(lambda: _logs_in(site), seconds=30)


def _logs_in(site) -> bool:
    phone = HttpBrowser(site.nginx_port, DOCOMO_MOVA)
    phone.get("/login")
    home = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    return home.status == 200 and home.url.startswith("/home")

"""``/healthz`` answers each dependency's status; every request leaves one JSON log line."""

from __future__ import annotations

import json
import logging
import os

import pytest

from tests.browser import DOCOMO_MOVA, PC, Browser

#: Nothing listens here (the discard port on loopback): a Redis that is down.
DOWN_REDIS = "redis://127.0.0.1:9/0"


def test_healthz_reports_every_dependency(app, browser):
    page = browser(PC).get("/healthz")
    assert page.status == 200
    assert page.headers["Content-Type"] == "application/json"
    body = json.loads(page.body)
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {"status": "unused", "detail": ""}
    assert body["checks"]["queue"]["status"] == "ok"


def test_healthz_is_503_when_redis_is_down_and_names_no_password(app, browser, make_app):
    other = make_app(SESSION_STORE="redis", SESSION_REDIS_URL="redis://:secret@127.0.0.1:9/0")
    page = Browser(other, PC).get("/healthz")
    assert page.status == 503
    body = json.loads(page.body)
    assert body["status"] == "down"
    assert body["checks"]["redis"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"
    assert b"secret" not in page.body


def test_healthz_with_redis_up(app, make_app):
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis is not reachable at {url}")
    other = make_app(SESSION_STORE="redis", SESSION_REDIS_URL=url)
    body = json.loads(Browser(other, PC).get("/healthz").body)
    assert body["checks"]["redis"]["status"] == "ok"


def test_every_request_logs_one_json_line_without_the_query_string(
    app, browser, login, make_member, caplog
):
    make_member("taro")
    client = browser(DOCOMO_MOVA)
    login(client, "taro")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        page = client.click("設定")  # a page of the member's, its URL carrying the sid
    [record] = [r for r in caplog.records if r.name == "portal.requests"]
    line = json.loads(record.getMessage())
    assert line["path"] == "/settings"
    assert line["status"] == 200
    assert line["carrier"] == "docomo"
    assert line["queries"] >= 1
    assert line["ms"] > 0
    assert line["request_id"] == page.headers["X-Request-Id"]
    assert "sid" not in record.getMessage()


def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(app, db):
    kept = Browser(app, PC, headers={"X-Request-Id": "abc-123"}).get("/healthz")
    assert kept.headers["X-Request-Id"] == "abc-123"
    forged = Browser(app, PC, headers={"X-Request-Id": 'x" injected'}).get("/healthz")
    assert forged.headers["X-Request-Id"] != 'x" injected'
    assert len(forged.headers["X-Request-Id"]) == 32


def test_the_log_line_is_the_json_of_its_record_whatever_the_path(app, browser, caplog):
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        browser(PC).get('/nowhere/"quoted"\\/東京')
    [record] = [r for r in caplog.records if r.name == "portal.requests"]
    text = record.getMessage()
    line = json.loads(text)
    assert text == json.dumps(line, ensure_ascii=False)
    assert list(line) == ["request_id", "method", "path", "status", "carrier", "ms", "queries"]
    assert line["path"] == '/nowhere/"quoted"\\/東京'
    assert line["status"] == 404
    assert line["carrier"] == "pc"

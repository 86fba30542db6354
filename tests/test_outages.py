"""A store that does not answer: a 503 page in the visitor's language and device format where
the page needs it, the usual page where it does not. The apps here do not propagate exceptions
to the test client (``PROPAGATE_EXCEPTIONS=False``), as in production."""

from __future__ import annotations

import json

import pytest

from portal.keitai.session_ids import new_id
from tests.browser import DOCOMO_MOVA, PC, Browser

#: Nothing listens on the discard port of loopback: a server that is down.
REDIS_DOWN = "redis://127.0.0.1:9/0"
POSTGRES_DOWN = "postgresql+psycopg://postgres@127.0.0.1:9/portal"


def test_with_redis_sessions_down_a_member_gets_a_503_page_on_the_phone(app, make_app):
    site = make_app(SESSION_STORE="redis", SESSION_REDIS_URL=REDIS_DOWN, PROPAGATE_EXCEPTIONS=False)
    phone = Browser(site, DOCOMO_MOVA, cookies=False)
    page = phone.get(f"/home?sid={new_id()}")
    assert page.status == 503
    assert page.charset.lower() == "shift_jis"
    assert "ただいま" in page.text
    assert len(page.body) <= 5120


def test_with_redis_sessions_down_pages_that_need_no_session_still_work(app, make_app, make_member):
    taro = make_member("taro")
    site = make_app(SESSION_STORE="redis", SESSION_REDIS_URL=REDIS_DOWN, PROPAGATE_EXCEPTIONS=False)
    feed = Browser(site, PC).get(f"/feeds/users/{taro}/diaries.atom")
    assert feed.status == 200
    assert b"<feed" in feed.body
    # A visitor's login form needs no stored session (its token is signed): it is served...
    phone = Browser(site, DOCOMO_MOVA, cookies=False)
    login = phone.get("/login")
    assert login.status == 200
    # ...and logging in, which needs one, says "try again later".
    page = phone.submit("/login", {"email": "taro@example.jp", "password": "x"})
    assert page.status == 503
    assert "ただいま" in page.text


@pytest.mark.committed  # the outage is a connection the engine cannot make
def test_with_the_database_down_a_member_gets_a_503_page_and_healthz_says_why(app, make_app):
    site = make_app(SQLALCHEMY_DATABASE_URI=POSTGRES_DOWN, PROPAGATE_EXCEPTIONS=False)
    pc = Browser(site, PC, cookies=False, headers={"Cookie": f"portal_session={new_id()}"})
    page = pc.get("/home")
    assert page.status == 503
    assert "ただいま" in page.text
    assert "<!DOCTYPE html>" in page.text
    health = Browser(site, PC).get("/healthz")
    assert health.status == 503
    assert json.loads(health.body)["checks"]["database"]["status"] == "down"

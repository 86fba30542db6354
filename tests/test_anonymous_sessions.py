"""Visitors who only read store no session (issue 12.9, 11.4): their form tokens are signed
instead, and forged, foreign or old ones are still refused with the device's 400 page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.keitai import session as sessions
from portal.models import StoredSession
from tests.browser import DOCOMO_FOMA, DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import PASSWORD
from tests.test_csrf_and_input import assert_expired_page, make_invitation_token

AGENTS = pytest.mark.parametrize("agent", [DOCOMO_MOVA, PC], ids=["docomo", "pc"])
VISITOR_PAGES = ["/", "/login", "/signup?invite={token}", "/password/forgot", "/home", "/users/1"]
TARO = {"email": "taro@example.jp", "password": PASSWORD}


def stored_sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredSession))


def visitor(browser, agent):
    return browser(agent, cookies=agent == PC)


@AGENTS
def test_anonymous_visits_store_no_session(app, browser, make_member, agent):
    taro = make_member("taro", nickname="たろう")
    token = make_invitation_token(app, taro)
    client = visitor(browser, agent)
    pages = 0
    for _ in range(36):
        for path in VISITOR_PAGES:
            page = client.get(path.format(token=token))
            assert page.status == 200
            pages += 1
    assert pages >= 200
    # Fresh visitors (no cookie sent back) too.
    for _ in range(20):
        assert visitor(browser, agent).get("/login").status == 200
    assert stored_sessions(app) == 0
    # The pages still carry a form token, and a login stores exactly its own session.
    client.get("/login")
    home = client.submit("/login", TARO)
    assert urlsplit(home.url).path == "/home"
    assert "たろう" in home.text
    assert stored_sessions(app) == 1


@AGENTS
def test_a_visitor_logs_in_from_the_top_page(app, browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = visitor(browser, agent)
    client.get("/")
    client.get(client.page.link("ログイン") if "ログイン" in client.page.text else "/login")
    home = client.submit("/login", TARO)
    assert "たろう" in home.text
    if agent == DOCOMO_MOVA:
        assert "Set-Cookie" not in home.headers
        assert "たろう" in client.get(home.link("[0]")).text
    else:
        assert "たろう" in client.get("/home").text


def test_a_pc_visitor_keeps_one_anonymous_cookie(app, browser):
    pc = browser(PC)
    first = pc.get("/login")
    cookies = first.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    assert "portal_session=" in cookies[0]
    # The cookie came back: the same anonymous id goes on, no cookie set again.
    assert not pc.get("/login").headers.getlist("Set-Cookie")
    assert stored_sessions(app) == 0


@AGENTS
def test_a_token_made_up_without_the_page_is_refused(app, browser, make_member, agent):
    make_member("taro")
    client = visitor(browser, agent)
    client.get("/login")
    page = client.submit(
        "/login", {**TARO, "csrf_token": "IjAxMjM0NTY3ODkwMTIzNDU2Nzg5Ig.aaaa.bbbb"}
    )
    assert_expired_page(page, agent)
    assert stored_sessions(app) == 0


def test_a_cookieless_phone_cannot_use_another_phones_form(app, browser, make_member):
    make_member("taro")
    other = browser(DOCOMO_FOMA, cookies=False)
    form = other.get("/login").form("/login")
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    # The other phone's form, sid and token as they were: bound to that phone, so refused here.
    phone.page.forms[:] = [form]  # only that form
    page = phone.submit("/login", TARO)
    assert_expired_page(page, DOCOMO_MOVA)
    assert stored_sessions(app) == 0


def test_a_cookieless_phone_cannot_use_the_token_of_another_id(app, browser, make_member):
    make_member("taro")
    phone = browser(DOCOMO_MOVA, cookies=False)
    first = phone.get("/login").form("/login")
    second = phone.get("/login").form("/login")
    assert sid_of(first.action) != sid_of(second.action)
    phone.page.form("/login").fields["csrf_token"] = first.fields["csrf_token"]
    page = phone.submit("/login", TARO)
    assert_expired_page(page, DOCOMO_MOVA)


def test_a_forged_anonymous_id_is_refused(app, browser, make_member):
    make_member("taro")
    phone = browser(DOCOMO_MOVA, cookies=False)
    form = phone.get("/login").form("/login")
    sid = sid_of(form.action)
    forged = ("A" if sid[0] != "A" else "B") + sid[1:]
    phone.page.form("/login").action = form.action.replace(sid, forged)
    page = phone.submit("/login", TARO)
    assert_expired_page(page, DOCOMO_MOVA)
    assert forged not in page.text


@AGENTS
def test_an_old_form_is_refused(app, browser, make_member, agent, monkeypatch):
    make_member("taro")
    client = visitor(browser, agent)
    client.get("/login")
    later = sessions._utcnow() + app.config["SESSION_IDLE_PC"] + timedelta(minutes=1)
    monkeypatch.setattr(sessions, "_utcnow", lambda: later)
    page = client.submit("/login", TARO)
    assert_expired_page(page, agent)
    assert stored_sessions(app) == 0


def test_a_phones_form_is_good_for_its_idle_hour_only(app, browser, make_member, monkeypatch):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    soon = sessions._utcnow() + app.config["SESSION_IDLE_KEITAI"] - timedelta(minutes=1)
    monkeypatch.setattr(sessions, "_utcnow", lambda: soon)
    assert "たろう" in phone.submit("/login", TARO).text
    phone.get("/login")  # a new visitor page of the same phone, logged in: start again
    fresh = browser(DOCOMO_MOVA, cookies=False)
    fresh.get("/login")
    late = soon + app.config["SESSION_IDLE_KEITAI"] + timedelta(minutes=2)
    monkeypatch.setattr(sessions, "_utcnow", lambda: late)
    assert_expired_page(fresh.submit("/login", TARO), DOCOMO_MOVA)


def test_a_visitors_id_goes_on_for_its_phone_only(app, browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(phone.get("/login").form("/login").action)
    assert sid_of(phone.get(f"/?sid={sid}").form("/login").action) == sid
    again = phone.get(f"/login?sid={sid}")
    assert sid_of(again.form("/login").action) == sid
    other = browser(DOCOMO_FOMA, cookies=False).get(f"/login?sid={sid}")
    assert sid_of(other.form("/login").action) != sid
    assert stored_sessions(app) == 0

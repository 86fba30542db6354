"""The social core's story, end to end, as users do it: invite, sign up, befriend, approve."""

import re

import pytest
from sqlalchemy import select

from portal import demo
from portal.extensions import db
from portal.models import Member
from tests.browser import DOCOMO_MOVA, PC, Browser, sid_of


@pytest.fixture
def demo_world(app, db):
    with app.app_context():
        demo.seed()
        db.session.commit()


def _login(browser, name):
    browser.get("/login")
    return browser.submit("/login", {"email": f"{name}@example.jp", "password": "keitai-demo"})


def _follow(browser, path_prefix):
    """Follow the first link on the page whose path starts with ``path_prefix`` (keeps sid)."""
    for href, _ in browser.page.links:
        if href.split("?")[0] == path_prefix:
            return browser.get(href)
    raise AssertionError(f"no link to {path_prefix} on {browser.page.url}")


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo-no-cookies"])
def test_invited_member_befriends_hanako(app, demo_world, agent):
    cookies = agent == PC
    taro = Browser(app, agent, cookies=cookies)
    _login(taro, "taro")
    _follow(taro, "/invite")
    invite = taro.submit("/invite", {"note": "ken"})
    link = re.search(r'value="(http://localhost/signup\?invite=[^"]+)"', invite.text).group(1)
    assert "sid=" not in link, "an invitation link never carries the session"

    newcomer = Browser(app, agent, cookies=cookies)
    signup = newcomer.get(link.split("localhost", 1)[1])
    assert signup.status == 200
    home = newcomer.submit(
        "/signup",
        {
            "nickname": "けん",
            "email": "ken@example.jp",
            "password": "new-member-8",
            "birth_year": "1990",
            "birth_month": "4",
            "birth_day": "1",
        },
    )
    assert home.status == 200
    assert "たろう" in home.text, "the inviter is a friend at once"
    if not cookies:
        assert sid_of(home.url)

    with app.app_context():
        hanako_id = db.session.scalar(select(Member.id).where(Member.email == "hanako@example.jp"))
    profile = newcomer.get(_with_sid(f"/users/{hanako_id}", newcomer))
    assert "はなこ" in profile.text
    newcomer.submit(f"/users/{hanako_id}/friend-request", {"message": "たろうの友達です"})

    hanako = Browser(app, agent, cookies=cookies)
    _login(hanako, "hanako")
    requests = _follow(hanako, "/friends/requests")
    assert "けん" in requests.text
    assert "たろうの友達です" in requests.text
    action = next(f.action for f in requests.forms if "/approve" in f.action)
    hanako.submit(action.split("?")[0])
    hanakos_friends = _follow(hanako, "/friends")
    assert "けん" in hanakos_friends.text

    newcomer.get(_with_sid("/home", newcomer))
    kens_friends = _follow(newcomer, "/friends")
    assert "はなこ" in kens_friends.text
    assert "たろう" in kens_friends.text
    for page in (requests, hanakos_friends, kens_friends):
        if not cookies:
            assert len(page.body) <= 5120
            assert page.charset == "Shift_JIS"


def _with_sid(path, browser):
    sid = sid_of(browser.page.url)
    return f"{path}?sid={sid}" if sid else path

"""One invitation, many accounts (audit 12.3): signups sent at the same moment, each in its own
thread and transaction with real commits, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Friendship, Invitation, Member
from tests.browser import PC
from tests.fixtures.factories import PASSWORD
from tests.test_auth import make_invitation, member_count

#: The racing signups are threads, each with a connection: the data is committed.
pytestmark = pytest.mark.committed

RACERS = 6
USED = "この招待リンクは無効です。"
TAKEN = "このメールアドレスは既に登録されています。"


@pytest.fixture(autouse=True)
def _hashing_takes_time(monkeypatch):
    """Hash passwords as slowly as argon2 does in production (the tests' parameters are cheap),
    so the signups overlap as they do on a real server."""
    from portal.services import accounts

    real = accounts.hash_password

    def slow(password: str) -> str:
        time.sleep(0.2)
        return real(password)

    monkeypatch.setattr(accounts, "hash_password", slow)


def _form(email: str) -> dict[str, str]:
    return {
        "nickname": "けんた",
        "email": email,
        "password": PASSWORD,
        "birth_year": "1990",
        "birth_month": "4",
        "birth_day": "1",
    }


def _race(browser, link: str, emails: list[str]):
    """Open the signup form in each browser, then send them all at once."""
    clients = [browser(PC) for _ in emails]
    for client in clients:
        assert client.get(link).status == 200
    start = threading.Barrier(len(clients))

    def send(client, email):
        start.wait(timeout=30)
        return client.submit("/signup", _form(email), follow=False)

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(send, clients, emails))


def test_concurrent_signups_with_one_invitation_make_one_account(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    pages = _race(browser, link, [f"kenta{n}@example.jp" for n in range(RACERS)])
    statuses = sorted(page.status for page in pages)
    assert 500 not in statuses, [p.text[-300:] for p in pages if p.status == 500]
    winners = [page for page in pages if page.status == 302]
    assert len(winners) == 1, statuses
    for page in pages:
        if page.status != 302:
            assert USED in page.text
    assert member_count(app) == 2
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
        joined = db.session.get(Member, invitation.used_by_id)
        assert joined is not None
        assert joined.invited_by_id is not None
        # The one new member has the inviter as their one friend.
        friends = db.session.scalar(
            select(func.count()).select_from(Friendship).where(Friendship.member_id == joined.id)
        )
        assert friends == 1


@pytest.mark.parametrize("policy", ["open", "invite"])
def test_concurrent_signups_with_one_address_make_one_account_and_form_errors(
    app, browser, make_member, login, monkeypatch, policy
):
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", policy)
    if policy == "open":
        links = ["/signup"] * RACERS
    else:
        make_member("taro", nickname="たろう")
        taro = browser(PC)
        login(taro, "taro")
        monkeypatch.setitem(app.config, "INVITATIONS_PER_MEMBER", RACERS)
        links = [make_invitation(taro) for _ in range(RACERS)]
    before = member_count(app)
    clients = [browser(PC) for _ in links]
    for client, link in zip(clients, links, strict=True):
        assert client.get(link).status == 200
    start = threading.Barrier(RACERS)

    def send(client):
        start.wait(timeout=30)
        return client.submit("/signup", _form("same@example.jp"), follow=False)

    with ThreadPoolExecutor(RACERS) as pool:
        pages = list(pool.map(send, clients))
    statuses = sorted(page.status for page in pages)
    assert 500 not in statuses, [p.text[-300:] for p in pages if p.status == 500]
    assert statuses.count(302) == 1, statuses
    for page in pages:
        if page.status != 302:
            assert TAKEN in page.text
    assert member_count(app) == before + 1
    if policy == "invite":
        with app.app_context():
            used = db.session.scalar(
                select(func.count(Invitation.id)).where(Invitation.used_at.is_not(None))
            )
        assert used == 1, "the losers' invitations stay usable"


def test_an_invitation_stays_used_after_the_member_it_made_leaves(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    (page,) = _race(browser, link, ["kenta@example.jp"])
    assert page.status == 302
    with app.app_context():
        db.session.delete(db.session.scalars(select(Member).filter_by(nickname="けんた")).one())
        db.session.commit()
    assert browser(PC).get(link).status == 403

"""Leaving (退会, issue 14.3): with the password, on a PC and a cookie-less D501i; what is
deleted and what stays (comments in others' threads as 退会したユーザー), sessions ended, the
address free to sign up again, an operator closing an account (logged), and the zip of one's
data before leaving."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Album,
    Diary,
    DiaryComment,
    Footprint,
    Friendship,
    Member,
    Message,
    OperatorLog,
    Photo,
)
from portal.services import albums, diaries, diary_comments, leaving, messages
from portal.services.accounts import member_by_email
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.pages import assert_fits_d501i, client_for, go, has_link, href, path_of
from tests.test_diary_pages import jpeg

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
PASSWORD = "correct horse 8"


@pytest.fixture
def world(app, make_member):
    """はなこ and たろう are friends; たろう wrote a diary, an album and a message to はなこ, and
    commented on hers; she visited his profile."""
    hanako = make_member("hanako", nickname="はなこ")
    taro = make_member("taro", nickname="たろう", friends=(hanako,))
    with app.app_context():
        t, h = db.session.get(Member, taro), db.session.get(Member, hanako)
        mine = diaries.create(t, title="たろうの日記", body="本文", visibility="public")
        hers = diaries.create(h, title="はなこの日記", body="本文", visibility="public")
        diary_comments.THREAD.add(t, hers, "たろうのコメント")
        diary_comments.THREAD.add(h, mine, "はなこのコメント")
        album = albums.create(t, title="たろうのアルバム", description="", visibility="public")
        albums.add_photos(t, album, [jpeg()])
        messages.send(t, to=h.id, subject="件名", body="たろうからのメッセージ")
        db.session.add(
            Footprint(visited_id=taro, visitor_id=hanako, day=_today(), visited_at=_now())
        )
        db.session.commit()
        ids = {"taro": taro, "hanako": hanako, "mine": mine.id, "hers": hers.id, "album": album.id}
    return ids


def _today():
    from portal.models._time import tokyo_today

    return tokyo_today()


def _now():
    from portal.models._time import utcnow

    return utcnow()


@AGENTS
def test_leaving_needs_the_password_then_closes_the_account(app, browser, login, world, agent):
    client = client_for(browser, agent)
    login(client, "taro")
    settings = go(client, "/settings" if agent == PC else "/settings/profile")
    page = client.get(href(settings, "/settings/leave"))
    assert page.status == 200
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    wrong = client.submit("/settings/leave", {"password": "not it"})
    assert wrong.status == 400
    with app.app_context():
        assert db.session.get(Member, world["taro"]).left_at is None
    done = client.submit("/settings/leave", {"password": PASSWORD})
    assert done.status == 200
    assert path_of(done) == "/"
    assert "たろう" not in done.text
    with app.app_context():
        member = db.session.get(Member, world["taro"])
        assert member.left_at is not None
        assert member.nickname == leaving.LEFT_NICKNAME
    # The session is over, and the password no longer opens anything.
    sid = sid_of(page.url)
    assert path_of(go(client, "/home")) == "/login"
    if sid:
        assert path_of(client.get(f"/home?sid={sid}")) == "/login"
    client.get("/login")
    again = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert path_of(again) != "/home"


def test_leaving_deletes_the_members_things_and_keeps_comments_elsewhere(
    app, browser, login, world
):
    other = browser(PC)
    login(other, "hanako")  # a session of someone else stays
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/settings/leave")
    pc.submit("/settings/leave", {"password": PASSWORD})
    taro = world["taro"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Diary.author_id == taro)) == 0
        assert db.session.get(Album, world["album"]) is None
        assert db.session.scalar(select(func.count()).where(Photo.owner_id == taro)) == 0
        assert (
            db.session.scalar(
                select(func.count()).where(
                    (Message.sender_id == taro) | (Message.recipient_id == taro)
                )
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count()).where(
                    (Footprint.visited_id == taro) | (Footprint.visitor_id == taro)
                )
            )
            == 0
        )
        assert (
            db.session.scalar(
                select(func.count()).where(
                    (Friendship.member_id == taro) | (Friendship.friend_id == taro)
                )
            )
            == 0
        )
        kept = db.session.scalars(
            select(DiaryComment.body).where(DiaryComment.diary_id == world["hers"])
        ).all()
        assert kept == ["たろうのコメント"]
    # はなこ sees the comment under 退会したユーザー, and nothing else of his.
    page = other.get(f"/diaries/{world['hers']}")
    assert "たろうのコメント" in page.text
    assert leaving.LEFT_NICKNAME in page.text
    assert "たろう(" not in other.get("/home").text
    assert other.get(f"/users/{taro}").status == 404
    assert other.get(f"/diaries/{world['mine']}").status == 404
    assert "たろうからのメッセージ" not in other.get("/messages").text
    with app.app_context():
        with pytest.raises(messages.ServiceError):
            messages.send(db.session.get(Member, world["hanako"]), to=taro, subject="s", body="b")
        db.session.rollback()
    found = other.get("/search?type=members&q=%E9%80%80%E4%BC%9A")  # 退会
    assert not has_link(found, f"/users/{taro}")


def test_the_address_can_sign_up_again(app, world):
    with app.app_context():
        taro = db.session.get(Member, world["taro"])
        leaving.close_own(taro, PASSWORD)
        db.session.commit()
        assert member_by_email("taro@example.jp") is None


def test_an_operator_closes_an_account_and_it_is_logged(app, browser, login, world, make_member):
    make_member("admin", nickname="運営", is_operator=True)
    other = browser(PC)
    login(other, "taro")
    pc = browser(PC)
    login(pc, "admin")
    member_page = pc.get(f"/admin/members/{world['taro']}")
    confirm = pc.get(href(member_page, f"/admin/members/{world['taro']}/close"))
    assert confirm.status == 200
    page = pc.submit(f"/admin/members/{world['taro']}/close")
    assert page.status == 200
    with app.app_context():
        assert db.session.get(Member, world["taro"]).left_at is not None
        entry = db.session.scalar(select(OperatorLog).where(OperatorLog.action == "close_account"))
        assert entry.target_id == world["taro"]
        assert entry.detail == "taro@example.jp"
    assert path_of(other.get("/home")) == "/login", "his open session ended"


def test_members_cannot_close_others_accounts(app, browser, login, world):
    pc = browser(PC)
    login(pc, "hanako")
    assert pc.get(f"/admin/members/{world['taro']}/close").status in (403, 404)
    with app.app_context():
        assert db.session.get(Member, world["taro"]).left_at is None


def test_leaving_needs_the_csrf_token(app, browser, login, world):
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/settings/leave")
    page = pc.submit("/settings/leave", {"password": PASSWORD}, drop=("csrf_token",))
    assert page.status == 400
    with app.app_context():
        assert db.session.get(Member, world["taro"]).left_at is None


def test_the_export_holds_diaries_comments_messages_and_photos(app, browser, login, world):
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get("/settings/leave")
    assert has_link(page, "/settings/leave/export")
    response = pc.get("/settings/leave/export")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    names = set(archive.namelist())
    assert {"diaries.json", "comments.json", "messages.json"} <= names
    assert any(n.startswith("photos/") for n in names)
    diaries_json = json.loads(archive.read("diaries.json"))
    assert [d["title"] for d in diaries_json] == ["たろうの日記"]
    assert diaries_json[0]["comments"][0]["body"] == "はなこのコメント"
    assert json.loads(archive.read("comments.json"))[0]["body"] == "たろうのコメント"
    assert json.loads(archive.read("messages.json"))[0]["body"] == "たろうからのメッセージ"
    # Nobody else's export holds his diary.
    other = browser(PC)
    login(other, "hanako")
    theirs = zipfile.ZipFile(io.BytesIO(other.get("/settings/leave/export").body))
    assert "たろうの日記" not in theirs.read("diaries.json").decode()

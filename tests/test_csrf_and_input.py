"""Forged forms and unreadable input: refused with a clear page, and nothing is stored."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.keitai.hankaku import to_hankaku
from portal.models import Invitation, Member
from portal.services import accounts
from tests.browser import AU, DOCOMO_MOVA, PC, SOFTBANK, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import client_for, current_sid

EXPIRED = "フォームの有効期限が切れました"
UNREADABLE = "送信された文字を読み取れませんでした"
NOTHING_SAVED = "何も保存されていません"


def member_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def invitations(app) -> list[Invitation]:
    with app.app_context():
        rows = list(db.session.scalars(select(Invitation)))
        db.session.expunge_all()
        return rows


def make_invitation_token(app, inviter_id: int) -> str:
    with app.app_context():
        invitation = accounts.create_invitation(db.session.get(Member, inviter_id), None)
        token = invitation.token
        db.session.commit()
        return token


def ui(page, text: str) -> str:
    """UI text as ``page`` shows it: Shift_JIS phones get half-width katakana in the mobile tree."""
    mobile = "main" not in page.tags
    return to_hankaku(text) if mobile and page.charset.lower() == "shift_jis" else text


def visit(client, path: str):
    """Go to ``path`` the way the device can: through a link on the page (keeps a URL session)."""
    if client.page is not None:
        for href, _ in client.page.links:
            if urlsplit(href).path == path:
                return client.get(href)
        sid = current_sid(client.page)
        if sid:
            return client.get(f"{path}?{urlencode({'sid': sid})}")
    return client.get(path)


def can_log_in(browser, email: str, password: str) -> bool:
    client = browser(PC)
    client.get("/login")
    page = client.submit("/login", {"email": email, "password": password})
    return urlsplit(page.url).path == "/home"


def assert_expired_page(page, agent):
    assert page.status == 400
    if agent == DOCOMO_MOVA:
        assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
        assert ui(page, EXPIRED).encode("cp932") in page.body
        assert "main" not in page.tags
        assert len(page.body) <= 5120
    else:
        assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
        assert EXPIRED.encode("utf-8") in page.body
        assert page.text.startswith("<!DOCTYPE html>")
    assert NOTHING_SAVED in page.text
    assert page.html_lang == "ja"


# --- CSRF -----------------------------------------------------------------------------------

AGENTS = pytest.mark.parametrize("agent", [DOCOMO_MOVA, PC], ids=["docomo", "pc"])


@AGENTS
def test_login_without_csrf_token_is_refused(app, browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    client.get("/login")
    page = client.submit(
        "/login", {"email": "taro@example.jp", "password": PASSWORD}, drop=("csrf_token",)
    )
    assert_expired_page(page, agent)
    assert "たろう" not in page.text
    assert urlsplit(visit(client, "/home").url).path == "/login"


@AGENTS
def test_signup_without_csrf_token_is_refused(app, browser, make_member, agent):
    taro = make_member("taro", nickname="たろう")
    token = make_invitation_token(app, taro)
    client = client_for(browser, agent)
    client.get(f"/signup?invite={token}")
    page = client.submit(
        "/signup",
        {
            "nickname": "けんた",
            "email": "kenta@example.jp",
            "password": PASSWORD,
            "birth_year": "1990",
            "birth_month": "4",
            "birth_day": "1",
        },
        drop=("csrf_token",),
    )
    assert_expired_page(page, agent)
    assert member_count(app) == 1
    assert [i.used_by_id for i in invitations(app)] == [None]
    assert not can_log_in(browser, "kenta@example.jp", PASSWORD)


@AGENTS
def test_invite_without_csrf_token_is_refused(app, browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    login(client, "taro")
    visit(client, "/invite")
    page = client.submit("/invite", {"note": "けんたへ"}, drop=("csrf_token",))
    assert_expired_page(page, agent)
    assert invitations(app) == []


@AGENTS
def test_password_change_without_csrf_token_is_refused(app, browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    login(client, "taro")
    visit(client, "/settings")
    page = client.submit(
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": "chosen by the forger",
            "confirm": "chosen by the forger",
        },
        drop=("csrf_token",),
    )
    assert_expired_page(page, agent)
    assert can_log_in(browser, "taro@example.jp", PASSWORD)
    assert not can_log_in(browser, "taro@example.jp", "chosen by the forger")


@AGENTS
def test_email_change_without_csrf_token_is_refused(app, browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    login(client, "taro")
    visit(client, "/settings")
    page = client.submit(
        "/settings/email",
        {"email": "forger@example.jp", "password": PASSWORD},
        drop=("csrf_token",),
    )
    assert_expired_page(page, agent)
    assert can_log_in(browser, "taro@example.jp", PASSWORD)


@AGENTS
def test_logout_without_csrf_token_is_refused(app, browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    login(client, "taro")
    visit(client, "/settings")
    page = client.submit("/logout", drop=("csrf_token",))
    assert_expired_page(page, agent)
    assert "たろう" + ui(page, "さんのホーム") in visit(client, "/home").text


def test_a_token_from_another_session_is_refused(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    make_member("eve", nickname="いぶ")
    forger = browser(PC)
    login(forger, "eve")
    forger.get("/settings")
    stolen = forger.page.form("/settings/password").fields["csrf_token"]
    victim = browser(PC)
    login(victim, "taro")
    victim.get("/settings")
    page = victim.submit(
        "/settings/password",
        {
            "csrf_token": stolen,
            "current_password": PASSWORD,
            "new_password": "chosen by the forger",
            "confirm": "chosen by the forger",
        },
    )
    assert page.status == 400
    assert EXPIRED in page.text
    assert can_log_in(browser, "taro@example.jp", PASSWORD)


def test_error_page_is_in_english_for_an_english_browser(browser, make_member):
    make_member("taro")
    client = browser(PC, headers={"Accept-Language": "en-US,en;q=0.9"})
    client.get("/login")
    page = client.submit(
        "/login", {"email": "taro@example.jp", "password": PASSWORD}, drop=("csrf_token",)
    )
    assert page.status == 400
    assert page.html_lang == "en"
    assert "This form has expired" in page.text
    assert "Nothing was saved" in page.text
    assert EXPIRED not in page.text


# --- what phones type -----------------------------------------------------------------------


def signup_fields(client, **typed) -> dict[str, str]:
    return {
        "email": "kenta@example.jp",
        "password": PASSWORD,
        "birth_year": "1990",
        "birth_month": "4",
        "birth_day": "1",
        **typed,
    }


def test_docomo_signup_with_a_japanese_nickname_is_stored_as_typed(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    token = make_invitation_token(app, taro)
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get(f"/signup?invite={token}")
    # The phone sends the nickname in Shift_JIS: "～" is 0x8160 on the wire.
    home = phone.submit("/signup", signup_fields(phone, nickname="けんた～"))
    assert home.status == 200, home.text
    assert ("けんた～" + ui(home, "さんのホーム")).encode("cp932") in home.body
    assert b"\x81\x60" in home.body

    # On a PC the same nickname reads as a wave dash, in UTF-8.
    pc = browser(PC)
    pc.get("/login")
    page = pc.submit("/login", {"email": "kenta@example.jp", "password": PASSWORD})
    assert "けんた〜さんのホーム" in page.text
    # And the inviter sees the newcomer among their friends.
    taro_pc = browser(PC)
    taro_pc.get("/login")
    page = taro_pc.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert "けんた〜(1)" in page.text


@pytest.mark.parametrize("agent", [DOCOMO_MOVA, AU], ids=["docomo", "au"])
def test_wave_dash_goes_out_as_0x8160_to_shift_jis_phones(browser, make_member, login, agent):
    make_member("taro", nickname="たろう〜")
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    page = login(client, "taro")
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "たろう".encode("cp932") + b"\x81\x60" in page.body


def test_wave_dash_goes_out_as_utf8_to_softbank_3g(browser, make_member, login):
    make_member("taro", nickname="たろう〜")
    page = login(browser(SOFTBANK), "taro")
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "たろう〜".encode() in page.body


def raw_signup_body(phone, nickname: bytes) -> bytes:
    form = phone.page.form("/signup")
    fields = {**form.fields, **signup_fields(phone)}
    fields.pop("nickname", None)
    return urlencode(fields).encode("ascii") + b"&nickname=" + nickname


@pytest.mark.parametrize(
    "nickname",
    [b"%82%22", b"%82", b"abc%81", b"\x82\x22"],
    ids=["escaped-lead-then-quote", "escaped-dangling", "at-end", "raw"],
)
def test_invalid_shift_jis_from_docomo_is_refused_and_nothing_stored(
    app, browser, make_member, nickname
):
    taro = make_member("taro", nickname="たろう")
    token = make_invitation_token(app, taro)
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get(f"/signup?invite={token}")
    page = phone.submit("/signup", raw=raw_signup_body(phone, nickname))
    assert page.status == 400
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert UNREADABLE.encode("cp932") in page.body
    assert NOTHING_SAVED in page.text
    assert "main" not in page.tags
    assert len(page.body) <= 5120
    assert member_count(app) == 1
    assert [i.used_by_id for i in invitations(app)] == [None]


def test_invalid_shift_jis_in_the_query_string_is_refused(browser):
    page = browser(DOCOMO_MOVA, cookies=False).get("/login?next=%82%22")
    assert page.status == 400
    assert UNREADABLE in page.text
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"


def test_invalid_utf8_from_a_pc_is_refused_and_nothing_stored(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    token = make_invitation_token(app, taro)
    pc = browser(PC)
    pc.get(f"/signup?invite={token}")
    page = pc.submit("/signup", raw=raw_signup_body(pc, b"%FF%FE%E3%81"))
    assert page.status == 400
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert UNREADABLE in page.text
    assert page.text.startswith("<!DOCTYPE html>")
    assert member_count(app) == 1


def test_invalid_input_while_logged_in_changes_nothing(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    visit(phone, "/invite")
    form = phone.page.form("/invite")
    body = urlencode(form.fields).encode("ascii") + b"&note=%83"
    page = phone.submit("/invite", raw=body)
    assert page.status == 400
    assert UNREADABLE in page.text
    assert invitations(app) == []
    # The session survived: the phone is still logged in on the next page.
    assert "たろう" + ui(page, "さんのホーム") in phone.get(f"/home?sid={sid_of(form.action)}").text


def test_the_unreadable_input_page_keeps_a_phone_logged_in(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    visit(phone, "/invite")
    form = phone.page.form("/invite")
    page = phone.submit("/invite", raw=urlencode(form.fields).encode("ascii") + b"&note=%83")
    assert page.status == 400
    # The member's menu is on the page, and its Home link still opens taro's home.
    home = phone.get(page.link("[0]"))
    assert "たろう" + ui(home, "さんのホーム") in home.text


def test_unreadable_input_page_is_in_english_for_an_english_member(
    app, browser, make_member, login
):
    make_member("taro", nickname="たろう", locale="en")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    visit(phone, "/invite")
    form = phone.page.form("/invite")
    page = phone.submit("/invite", raw=urlencode(form.fields).encode("ascii") + b"&note=%82%22")
    assert page.status == 400
    assert page.html_lang == "en"
    assert "The characters you sent could not be read" in page.text

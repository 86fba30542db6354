"""Accounts as members meet them: logging in and out, signing up by invitation, settings."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from portal.extensions import db
from portal.keitai.hankaku import to_hankaku
from portal.models import Invitation, Member
from portal.models._time import tokyo_today
from tests.browser import AU, DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import current_sid

WRONG_LOGIN = "メールアドレスまたはパスワードが違います。"
INVITE_LINK = re.compile(r'value="(https?://[^"]*/signup\?[^"]*)"')


def member_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def invitation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Invitation.id)))


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def ui(page, text: str) -> str:
    """UI text as ``page`` shows it: Shift_JIS phones get half-width katakana in the mobile tree."""
    mobile = "main" not in page.tags
    return to_hankaku(text) if mobile and page.charset.lower() == "shift_jis" else text


def visit(client, path: str):
    """Go to ``path`` as the device can: by a link on the page, keeping a URL-carried session."""
    if client.page is not None:
        for href, _ in client.page.links:
            if urlsplit(href).path == path:
                return client.get(href)
        sid = current_sid(client.page)
        if sid:
            return client.get(f"{path}?sid={sid}")
    return client.get(path)


def is_logged_out(client) -> bool:
    """Whether opening /home (with the session the browser has) sends it to the login page."""
    return urlsplit(visit(client, "/home").url).path == "/login"


def invite_links(page) -> list[str]:
    return INVITE_LINK.findall(page.text)


def make_invitation(client, note: str = "") -> str:
    """As the logged-in member of ``client``, make an invitation link through /invite."""
    client.get("/invite")
    before = set(invite_links(client.page))
    page = client.submit("/invite", {"note": note})
    assert page.status == 200, page.text
    new = [link for link in invite_links(page) if link not in before]
    assert len(new) == 1, page.text
    return new[0].replace("&amp;", "&")


def signup(
    client,
    link: str,
    *,
    nickname: str,
    email: str,
    password: str = PASSWORD,
    birth: date = date(1990, 4, 1),
):
    """Open a signup link and fill in the form as a person would."""
    page = client.get(link)
    assert page.status == 200, page.text
    return client.submit(
        "/signup",
        {
            "nickname": nickname,
            "email": email,
            "password": password,
            "birth_year": str(birth.year),
            "birth_month": str(birth.month),
            "birth_day": str(birth.day),
        },
    )


def logout(client):
    """Press the log-out button (in the PC header, on the phone's settings page)."""
    if not any("/logout" in form.action for form in client.page.forms):
        visit(client, "/settings")
    return client.submit("/logout")


# --- logging in -----------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_login_with_the_right_password_opens_home(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert page.status == 200
    assert urlsplit(page.url).path == "/home"
    assert "たろう" + ui(page, "さんのホーム") in page.text


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_wrong_password_shows_the_error_and_stays_logged_out(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": "wrong password"})
    assert page.status == 200
    assert ui(page, WRONG_LOGIN) in page.text
    assert "たろう" not in page.text
    assert is_logged_out(client)


def test_unknown_address_gets_the_same_error_as_a_wrong_password(browser, make_member):
    make_member("taro")
    client = browser(PC)
    client.get("/login")
    page = client.submit("/login", {"email": "nobody@example.jp", "password": PASSWORD})
    assert WRONG_LOGIN in page.text
    assert is_logged_out(client)


def test_a_password_hashed_with_other_parameters_is_hashed_again_at_login(
    app, browser, make_member
):
    taro = make_member("taro", nickname="たろう")
    old = PasswordHasher(time_cost=3, memory_cost=64, parallelism=4).hash(PASSWORD)
    with app.app_context():
        db.session.get_one(Member, taro).password_hash = old
        db.session.commit()
    client = browser(PC)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert "たろうさんのホーム" in page.text
    with app.app_context():
        stored = db.session.get_one(Member, taro).password_hash
    configured = (
        f"m={app.config['PASSWORD_HASH_MEMORY_COST']},t={app.config['PASSWORD_HASH_TIME_COST']},"
        f"p={app.config['PASSWORD_HASH_PARALLELISM']}"
    )
    assert stored != old
    assert configured in stored


def test_member_whose_login_was_stopped_is_refused(browser, make_member):
    make_member("taro", nickname="たろう", login_stopped=True)
    client = browser(PC)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert WRONG_LOGIN in page.text
    assert "たろうさんのホーム" not in page.text
    assert is_logged_out(client)


def test_stopping_a_members_login_ends_the_session_they_already_have(
    app, browser, make_member, login
):
    taro = make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    with app.app_context():
        db.session.get(Member, taro).login_stopped = True
        db.session.commit()
    assert is_logged_out(client)


def test_full_width_address_typed_on_a_phone_logs_in(browser, make_member):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    page = phone.submit("/login", {"email": "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "password": PASSWORD})
    assert "たろう" + ui(page, "さんのホーム") in page.text


def test_login_from_a_phone_returns_to_the_page_asked_for(browser, make_member):
    """A cookie-less phone sent to the login page from /invite lands on /invite, still logged in."""
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/invite")
    assert urlsplit(page.url).path == "/login"
    page = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert urlsplit(page.url).path == "/invite", page.url
    assert sid_of(page.url), "the redirect after login must carry the session id"
    assert "友人を招待する" in page.text


# --- rate limiting --------------------------------------------------------------------------


def test_too_many_failed_logins_get_a_429_page_in_shift_jis_japanese(
    app, browser, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    for _ in range(3):
        page = phone.submit("/login", {"email": "taro@example.jp", "password": "wrong password"})
        assert page.status == 200
        assert ui(page, WRONG_LOGIN) in page.text
    page = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert page.status == 429
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "試行回数が多すぎます".encode("cp932") in page.body
    assert "main" not in page.tags, "a phone gets the mobile page"
    assert len(page.body) <= 5120
    # Even the right password is refused now.
    assert is_logged_out(phone)


def test_the_rate_limit_counts_per_address_not_per_gateway(app, browser, make_member, monkeypatch):
    """Phones share their carrier's gateway address: one member's failures lock out no one else."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    attacker = browser(AU, remote_addr="210.230.128.224")
    attacker.get("/login")
    for _ in range(3):
        page = attacker.submit("/login", {"email": "taro@example.jp", "password": "guess"})
    assert page.status == 429
    neighbour = browser(AU, remote_addr="210.230.128.224")
    neighbour.get("/login")
    page = neighbour.submit("/login", {"email": "hanako@example.jp", "password": PASSWORD})
    assert "はなこ" + ui(page, "さんのホーム") in page.text


def test_successful_logins_do_not_use_up_the_limit(app, browser, make_member, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    make_member("taro", nickname="たろう")
    client = browser(PC)
    for _ in range(3):
        client.get("/login")
        page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
        assert "たろうさんのホーム" in page.text
        logout(client)


# --- logging out ----------------------------------------------------------------------------


def test_logout_by_get_does_nothing(browser, make_member, login):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    page = client.get("/logout")
    assert page.status == 405
    assert "たろうさんのホーム" in client.get("/home").text


def test_logout_without_the_csrf_token_is_refused(browser, make_member, login):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    page = client.submit("/logout", drop=("csrf_token",))
    assert page.status == 400
    assert "たろうさんのホーム" in client.get("/home").text


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_logout_with_the_form_logs_out(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    page = logout(client)
    assert page.status == 200
    assert "たろう" not in page.text
    assert is_logged_out(client)


# --- signing up -----------------------------------------------------------------------------


def test_signup_by_invitation_makes_inviter_and_invitee_friends(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro, "けんたへ")

    guest = browser(PC)
    assert "たろうさんからの招待" in guest.get(link).text
    home = signup(guest, link, nickname="けんた", email="kenta@example.jp")
    assert home.status == 200
    assert urlsplit(home.url).path == "/home"
    assert "けんたさんのホーム" in home.text
    assert "たろう(1)" in home.text
    assert "はなこ" not in home.text

    taro_home = taro.get("/home")
    assert "けんた(1)" in taro_home.text
    assert "マイミク(1人)" in taro_home.text
    assert "けんた" in taro.get("/invite").text  # under "joined through you"

    # The new member can log in again later with what they chose.
    logout(guest)
    again = browser(DOCOMO_MOVA, cookies=False)
    again.get("/login")
    page = again.submit("/login", {"email": "kenta@example.jp", "password": PASSWORD})
    assert "けんた" + ui(page, "さんのホーム") in page.text
    assert "たろう(1)" in page.text


def test_an_invitation_works_once(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    token = parse_qs(urlsplit(link).query)["invite"][0]
    assert signup(browser(PC), link, nickname="けんた", email="kenta@example.jp").status == 200

    second = browser(PC)
    page = second.get(link)
    assert page.status == 403
    assert "この招待リンクは無効です。" in page.text
    assert not any("/signup" in form.action for form in page.forms)

    # Posting the used token with a fresh form from another, valid invitation does not work either.
    other = make_invitation(taro)
    second.get(other)
    page = second.submit(
        "/signup",
        {
            "invite": token,
            "nickname": "にせもの",
            "email": "fake@example.jp",
            "password": PASSWORD,
            "birth_year": "1990",
            "birth_month": "1",
            "birth_day": "1",
        },
    )
    assert page.status == 403
    assert member_count(app) == 2
    assert "にせもの" not in taro.get("/home").text


def test_signup_under_18_is_refused_and_nothing_is_stored(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    almost_18 = years_before(tokyo_today(), 18) + timedelta(days=1)
    guest = browser(PC)
    page = signup(guest, link, nickname="こども", email="kid@example.jp", birth=almost_18)
    assert "18歳以上の方のみ登録できます。" in page.text
    assert member_count(app) == 1
    assert "こども" not in taro.get("/home").text
    assert is_logged_out(guest)
    # The invitation was not used up by the refused attempt.
    assert guest.get(link).status == 200


def test_signup_on_the_18th_birthday_is_accepted(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    page = signup(
        browser(PC),
        link,
        nickname="はたち",
        email="adult@example.jp",
        birth=years_before(tokyo_today(), 18),
    )
    assert "はたちさんのホーム" in page.text


def test_signup_with_a_registered_address_is_refused(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    link = make_invitation(taro)
    guest = browser(PC)
    page = signup(guest, link, nickname="にせたろう", email="TARO@example.jp")
    assert "このメールアドレスは既に登録されています。" in page.text
    assert member_count(app) == 1
    assert is_logged_out(guest)
    # taro's own password still opens taro's account.
    other = browser(PC)
    other.get("/login")
    assert (
        "たろうさんのホーム"
        in other.submit("/login", {"email": "taro@example.jp", "password": PASSWORD}).text
    )


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_signup_without_invitation_is_closed_by_default(app, browser, agent):
    client = browser(agent, cookies=agent == PC)
    page = client.get("/signup")
    assert page.status == 403
    assert ui(page, "参加にはメンバーからの招待が必要です") in page.text
    assert not any("/signup" in form.action for form in page.forms)
    assert client.get("/signup?invite=made-up-token").status == 403
    assert member_count(app) == 0


def test_a_forged_signup_post_without_invitation_is_refused(app, browser, monkeypatch):
    # Get a signup form while signup is open, then close it and send the form.
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "open")
    client = browser(PC)
    client.get("/signup")
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "invite")
    page = client.submit(
        "/signup",
        {
            "nickname": "けんた",
            "email": "kenta@example.jp",
            "password": PASSWORD,
            "birth_year": "1990",
            "birth_month": "1",
            "birth_day": "1",
        },
    )
    assert page.status == 403
    assert member_count(app) == 0


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_open_signup_needs_no_invitation(app, browser, monkeypatch, agent):
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "open")
    client = browser(agent, cookies=agent == PC)
    page = signup(client, "/signup", nickname="けんた", email="kenta@example.jp")
    assert page.status == 200
    assert "けんた" + ui(page, "さんのホーム") in page.text
    assert ui(page, "マイミク(0人)") in page.text
    assert member_count(app) == 1


# --- invitations ----------------------------------------------------------------------------


def test_invitation_link_made_on_a_cookieless_phone_carries_no_session(
    app, browser, make_member, login
):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    sid = sid_of(home.url)
    assert sid
    phone.get(home.link(ui(home, "招待")))
    page = phone.submit("/invite", {"note": "けんたへ"})
    links = invite_links(page)
    assert len(links) == 1
    link = links[0].replace("&amp;", "&")
    assert urlsplit(link).scheme == "http"
    assert "sid=" not in link
    assert sid not in page.text.split("/signup", 1)[1].split('"')[0]
    # Whoever receives the link sees the invitation, not taro's session.
    friend = browser(PC)
    page = friend.get(link)
    assert page.status == 200
    assert "たろうさんからの招待" in page.text
    assert "たろうさんのホーム" not in page.text


def test_open_invitations_are_limited_per_member(app, browser, make_member, login, monkeypatch):
    monkeypatch.setitem(app.config, "INVITATIONS_PER_MEMBER", 2)
    make_member("taro", nickname="たろう")
    taro = browser(PC)
    login(taro, "taro")
    first = make_invitation(taro, "一人目")
    make_invitation(taro, "二人目")
    page = taro.submit("/invite", {"note": "三人目"})
    assert "未使用の招待は2件までです。" in page.text
    assert len(invite_links(page)) == 2
    assert invitation_count(app) == 2
    # Once an invitation is used, a new one may be made.
    signup(browser(PC), first, nickname="けんた", email="kenta@example.jp")
    assert make_invitation(taro, "三人目")


def test_invite_page_needs_login(browser):
    page = browser(PC).get("/invite")
    assert urlsplit(page.url).path == "/login"


# --- settings -------------------------------------------------------------------------------


def change_password(client, current: str, new: str, confirm: str | None = None):
    visit(client, "/settings")
    return client.submit(
        "/settings/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm": confirm or new,
        },
    )


def can_log_in(browser, email: str, password: str) -> bool:
    client = browser(PC)
    client.get("/login")
    page = client.submit("/login", {"email": email, "password": password})
    return urlsplit(page.url).path == "/home"


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_password_change(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    page = change_password(client, PASSWORD, "a brand new secret")
    assert page.status == 200
    assert ui(page, "パスワードを変更しました。") in page.text
    assert not can_log_in(browser, "taro@example.jp", PASSWORD)
    assert can_log_in(browser, "taro@example.jp", "a brand new secret")


def test_password_change_with_a_wrong_current_password_is_refused(browser, make_member, login):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    page = change_password(client, "not my password", "a brand new secret")
    assert page.status == 400
    assert "現在のパスワードが違います。" in page.text
    assert can_log_in(browser, "taro@example.jp", PASSWORD)
    assert not can_log_in(browser, "taro@example.jp", "a brand new secret")


def test_password_change_with_mismatched_confirmation_is_refused(browser, make_member, login):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    page = change_password(client, PASSWORD, "a brand new secret", "another new secret")
    assert "パスワードが一致しません。" in page.text
    assert can_log_in(browser, "taro@example.jp", PASSWORD)


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_email_change(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    visit(client, "/settings")
    page = client.submit("/settings/email", {"email": "Taro.New@Example.jp", "password": PASSWORD})
    assert page.status == 200
    assert ui(page, "メールアドレスを変更しました。") in page.text
    assert ui(page, "現在: ") + "taro.new@example.jp" in page.text
    assert can_log_in(browser, "taro.new@example.jp", PASSWORD)
    assert not can_log_in(browser, "taro@example.jp", PASSWORD)


def test_email_change_refused_with_wrong_password_or_a_taken_address(browser, make_member, login):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    client = browser(PC)
    login(client, "taro")
    client.get("/settings")
    page = client.submit("/settings/email", {"email": "new@example.jp", "password": "wrong one"})
    assert page.status == 400
    assert "現在のパスワードが違います。" in page.text
    page = client.submit("/settings/email", {"email": "hanako@example.jp", "password": PASSWORD})
    assert page.status == 400
    assert "このメールアドレスは既に登録されています。" in page.text
    assert "現在: taro@example.jp" in client.get("/settings").text
    assert can_log_in(browser, "hanako@example.jp", PASSWORD)
    assert not can_log_in(browser, "new@example.jp", PASSWORD)


def test_home_lists_friends_with_their_friend_counts(browser, make_member, login):
    a = make_member("a", nickname="あ")
    b = make_member("b", nickname="い")
    hanako = make_member("hanako", nickname="はなこ", friends=(a, b))
    make_member("taro", nickname="たろう", friends=(hanako,))
    for agent in (PC, DOCOMO_MOVA):
        client = browser(agent, cookies=agent == PC)
        page = login(client, "taro")
        assert "はなこ(3)" in page.text
        assert ui(page, "マイミク(1人)") in page.text

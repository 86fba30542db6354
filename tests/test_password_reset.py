"""Password reset by e-mail (/password/forgot): the same answer for every address, a one-use
link that works for an hour, mailed in ISO-2022-JP, and a reset that ends every session."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.models import PasswordReset
from portal.models._time import utcnow
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import PASSWORD
from tests.test_notifications import _subject

NEW_PASSWORD = "atarashii-pass"
SENT = "このアドレスが会員のものなら"


def _ask(browser, address, user_agent=PC, **kwargs):
    client = browser(user_agent, **kwargs)
    page = client.get("/login").link("を忘れた方")
    client.get(page)
    return client.submit("/password/forgot", {"email": address})


def _link(message) -> str:
    body = message.get_payload(decode=True).decode("iso-2022-jp")
    return re.search(r"http://\S+/password/reset/\S+", body).group(0)


def test_the_page_says_the_same_for_members_and_strangers(browser, make_member, sink):
    make_member("taro", nickname="たろう")
    known = _ask(browser, "taro@example.jp")
    unknown = _ask(browser, "nobody@example.jp")
    assert known.status == unknown.status == 200
    assert SENT in known
    assert SENT in unknown
    assert len(sink) == 1
    assert sink[0]["To"] == "taro@example.jp"


def test_the_mail_reads_on_a_phone_and_carries_no_session(browser, make_member, sink):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp", DOCOMO_MOVA, cookies=False)
    message = sink[0]
    assert _subject(message) == "パスワードの再設定"
    assert message.get_content_charset() == "iso-2022-jp"
    link = _link(message)
    assert "sid=" not in link
    body = message.get_payload(decode=True).decode("iso-2022-jp")
    assert "たろうさんの新しいパスワード" in body
    assert "設定で" not in body  # no "turn these mails off" footer: this one was asked for


def test_a_cookieless_phone_resets_and_logs_in_with_the_new_password(
    browser,
    login,
    make_member,
    sink,
):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp", DOCOMO_MOVA, cookies=False)
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get(_link(sink[0]))
    assert page.status == 200
    assert page.charset.lower() == "shift_jis"
    page = phone.submit("password/reset/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "/login" in page.url
    assert "新しいﾊﾟｽﾜｰﾄﾞでﾛｸﾞｲﾝしてください" in page  # the phone's half-width UI kana
    pc = browser(PC)
    pc.get("/login")
    wrong = pc.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert "メールアドレスまたはパスワードが違います" in wrong
    login(browser(PC), "taro", NEW_PASSWORD)


def test_a_link_works_once(browser, make_member, sink):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp")
    link = _link(sink[0])
    first = browser(PC)
    first.get(link)
    first.submit("password/reset/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    again = browser(PC).get(link)
    assert again.status == 404
    assert "期限切れか" in again


def test_an_older_link_stops_working_after_a_reset(browser, make_member, sink):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp")
    _ask(browser, "taro@example.jp")
    older, newer = _link(sink[0]), _link(sink[1])
    client = browser(PC)
    client.get(newer)
    client.submit("password/reset/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert browser(PC).get(older).status == 404


def test_a_link_expires_after_an_hour(app, browser, make_member, sink):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp")
    with app.app_context():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    page = browser(PC).get(_link(sink[0]))
    assert page.status == 404


def test_a_reset_ends_every_session(browser, login, make_member, sink):
    make_member("taro", nickname="たろう")
    elsewhere = browser(PC)
    login(elsewhere, "taro")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    home_on_phone = phone.page.url
    _ask(browser, "taro@example.jp")
    client = browser(PC)
    client.get(_link(sink[0]))
    client.submit("password/reset/", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert "/login" in elsewhere.get("/home").url
    assert "/login" in phone.get(home_on_phone).url


def test_mismatched_passwords_save_nothing(browser, login, make_member, sink):
    make_member("taro", nickname="たろう")
    _ask(browser, "taro@example.jp")
    client = browser(PC)
    client.get(_link(sink[0]))
    page = client.submit("password/reset/", {"password": NEW_PASSWORD, "confirm": "other-pass1"})
    assert "パスワードが一致しません" in page
    login(browser(PC), "taro")  # the old password still works


def test_asking_is_rate_limited_per_address(app, browser, make_member, monkeypatch, sink):
    monkeypatch.setitem(app.config, "RESET_LINK_RATE_LIMIT", "2 per hour")
    make_member("taro", nickname="たろう")
    statuses = [
        _ask(browser, "taro@example.jp", remote_addr=f"203.0.113.{n}").status for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert len(sink) == 2


@pytest.mark.parametrize("token", ["x", "A" * 43, "%00", "A" * 500])
def test_odd_links_get_a_not_found_page(browser, token):
    page = browser(DOCOMO_MOVA, cookies=False).get(f"/password/reset/{token}")
    assert page.status == 404
    assert "期限切れか" in page


def test_a_forged_request_is_refused(browser, make_member, sink):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    client.get("/password/forgot")
    page = client.submit("/password/forgot", {"email": "taro@example.jp"}, drop=("csrf_token",))
    assert page.status == 400
    assert sink == []

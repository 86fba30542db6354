"""Sessions: cookies on PCs, the session id in every URL for cookie-less phones."""

from urllib.parse import urlsplit

import pytest

from tests.browser import AU, DOCOMO_FOMA, DOCOMO_MOVA, PC, sid_of
from tests.pages import idle_hour_passes


def test_cookieless_docomo_logs_in_and_keeps_its_session_through_urls(
    app, browser, make_member, login
):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    assert "たろう" in home.text
    sid = sid_of(home.url)
    assert sid, "the redirect after login must carry the session id"
    assert "Set-Cookie" not in home.headers
    internal = [
        href for href, _ in home.links if href.startswith("/") and not href.startswith("/lang")
    ]
    assert internal
    assert all(sid_of(href) == sid for href in internal)
    assert all(sid_of(form.action) == sid for form in home.forms)
    # Following a link keeps the member logged in without any cookie.
    assert "たろう" in phone.get(home.link("[0]")).text


def test_session_id_rotates_at_login(browser, make_member):
    make_member("taro")
    phone = browser(DOCOMO_MOVA, cookies=False)
    top = phone.get("/login")
    before = sid_of(top.form("/login").action)
    home = phone.submit("/login", {"email": "taro@example.jp", "password": "correct horse 8"})
    after = sid_of(home.url)
    assert before
    assert after
    assert before != after
    # The id seen before login opens nothing now.
    assert "taro" not in phone.get(f"/home?sid={before}").text


def test_url_session_is_bound_to_the_user_agent(app, browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "taro").url)
    thief = browser(DOCOMO_FOMA, cookies=False)
    page = thief.get(f"/home?sid={sid}")
    assert "たろう" not in page.text
    assert urlsplit(page.url).path == "/login"


def test_url_session_expires_after_an_idle_hour(app, browser, make_member, login, monkeypatch):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "taro").url)
    assert "たろう" in phone.get(f"/home?sid={sid}").text  # loaded (and cached) in its hour
    idle_hour_passes(app, monkeypatch)
    assert "たろう" not in phone.get(f"/home?sid={sid}").text


def test_pc_ignores_a_session_id_in_the_url(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "taro").url)
    pc = browser(PC)
    page = pc.get(f"/home?sid={sid}")
    assert "たろう" not in page.text


def test_pc_session_is_a_cookie_and_urls_carry_no_id(browser, make_member, login):
    make_member("taro", nickname="たろう")
    pc = browser(PC)
    home = login(pc, "taro")
    assert all(sid_of(href) is None for href, _ in home.links)
    assert any("portal_session=" in c for c in pc.history[-2].headers.getlist("Set-Cookie"))


def test_an_unknown_session_id_is_never_adopted(browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/?sid=attacker-chosen-id-123")
    assert all(sid_of(form.action) != "attacker-chosen-id-123" for form in page.forms)


def test_logout_ends_the_session(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    sid = sid_of(home.url)
    phone.get(home.link("Settings") if "Settings" in home.text else home.link("設定"))
    phone.submit("/logout")
    assert "たろう" not in phone.get(f"/home?sid={sid}").text


@pytest.mark.parametrize("agent", [AU, PC])
def test_cookie_devices_keep_their_session_by_cookie(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent)
    login(client, "taro")
    assert "たろう" in client.get("/home").text


def test_redirect_to_a_next_path_keeps_the_cookieless_session(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    english = phone.click("English")
    assert sid_of(english.url) == sid_of(home.url)
    assert "taro" in english.text or "たろう" in english.text
    assert english.html_lang == "en"


def test_links_with_japanese_queries_come_back_intact_on_shift_jis(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    english = phone.get(f"/lang/en?next=%2Fhome%3Fq%3D%93%8C%8B%9E&sid={sid_of(phone.page.url)}")
    assert english.status == 200
    assert "q=%93%8C%8B%9E" in english.url  # 東京 in CP932, as the phone will send it back

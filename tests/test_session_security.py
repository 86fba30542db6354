"""Sessions an attacker cannot reuse: a new CSRF token at login, a changed password or "log out
everywhere" ends the member's other sessions, and a session in URLs works only for the phone
it was made for (its User-Agent, its carrier's gateway, its subscriber ID)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import StoredSession
from tests.browser import AU, DOCOMO_MOVA, PC, SOFTBANK, Browser, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import href, idle_hour_passes
from tests.test_auth import ui

DOCOMO_GATEWAY = "210.153.84.1"
OTHER_DOCOMO_GATEWAY = "210.153.84.200"
AU_GATEWAY = "210.230.128.225"
FORM_EXPIRED = "フォームの有効期限が切れました"
NEW_PASSWORD_FORM = {
    "current_password": PASSWORD,
    "new_password": "a new secret 9",
    "confirm": "a new secret 9",
}


def logged_in(client, nickname: str = "たろう") -> bool:
    """Whether /home, opened with the session the browser has, is the member's home."""
    sid = _sid_of_page(client.page) if client.page is not None else None
    page = client.get("/home" + (f"?sid={sid}" if sid else ""))
    return urlsplit(page.url).path == "/home" and nickname in page.text


def _sid_of_page(page) -> str | None:
    for url in [page.url, *(h for h, _ in page.links), *(f.action for f in page.forms)]:
        if sid_of(url):
            return sid_of(url)
    return None


def settings(client):
    return client.get(href(client.page, "/settings"))


# --- 12.9: the CSRF token changes at login ---------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_the_csrf_token_seen_before_login_is_refused_after_it(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    before = client.get("/login").form("/login").fields["csrf_token"]
    home = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert "たろう" in home.text
    settings(client)
    # A forger who planted or read the pre-login token cannot use it on the member's forms.
    page = client.submit("/logout", {"csrf_token": before})
    assert page.status == 400
    assert ui(page, FORM_EXPIRED) in page.text
    assert logged_in(client)
    # The token the logged-in pages carry works.
    settings(client)
    assert client.page.form("/logout").fields["csrf_token"] != before
    client.submit("/logout")
    assert not logged_in(client)


def stored_sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StoredSession))


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_a_stored_visitor_session_gets_a_new_csrf_token_at_login(app, browser, make_member, agent):
    """A visitor who chose a language has a stored session holding the CSRF secret; logging
    in replaces that secret too, not only the id."""
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    client.get("/lang/en?next=/login")  # the choice is kept in a stored session
    assert stored_sessions(app) == 1
    before = client.page.form("/login").fields["csrf_token"]
    home = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert "たろう" in home.text
    settings(client)
    page = client.submit("/logout", {"csrf_token": before})
    assert page.status == 400
    assert logged_in(client)
    settings(client)
    assert client.page.form("/logout").fields["csrf_token"] != before


# --- 12.9: a new password, or "log out everywhere", ends the other sessions -----------------


def _three_sessions(browser, login):
    here = browser(PC)
    login(here, "taro")
    other_pc = browser(PC)
    login(other_pc, "taro")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    return here, other_pc, phone


def test_changing_the_password_logs_the_member_out_everywhere_else(browser, make_member, login):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    here, other_pc, phone = _three_sessions(browser, login)
    neighbour = browser(PC)
    login(neighbour, "hanako")
    settings(here)
    page = here.submit(
        "/settings/password",
        NEW_PASSWORD_FORM,
    )
    assert page.status == 200
    assert "パスワードを変更しました。" in page.text
    assert "ほかの2台の端末でログアウトしました。" in page.text
    assert logged_in(here)
    assert not logged_in(other_pc)
    assert not logged_in(phone)
    assert logged_in(neighbour, "はなこ")


def test_changing_the_password_gives_this_session_a_new_id(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    before = sid_of(login(phone, "taro").url)
    settings(phone)
    page = phone.submit(
        "/settings/password",
        NEW_PASSWORD_FORM,
    )
    after = _sid_of_page(page)
    assert after
    assert after != before
    assert "たろう" in phone.get(f"/home?sid={after}").text
    assert "たろう" not in phone.get(f"/home?sid={before}").text


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_log_out_everywhere_ends_every_session_of_the_member(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    here, other_pc, phone = _three_sessions(browser, login)
    neighbour = browser(PC)
    login(neighbour, "hanako")
    client = phone if agent == DOCOMO_MOVA else here
    settings(client)
    page = client.submit("/logout/everywhere")
    assert page.status == 200
    assert ui(page, "すべての端末でログアウトしました。") in page.text
    assert "たろう" not in page.text
    for session in (here, other_pc, phone):
        assert not logged_in(session)
    assert logged_in(neighbour, "はなこ")


def test_log_out_everywhere_needs_the_csrf_token_and_a_post(browser, make_member, login):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    login(client, "taro")
    assert client.get("/logout/everywhere").status == 405
    settings(client)
    assert client.submit("/logout/everywhere", drop=("csrf_token",)).status == 400
    assert logged_in(client)


def test_a_password_change_ends_sessions_kept_in_redis_too(app, make_app, make_member):
    from tests.test_session_stores import REDIS_URL, _redis_client

    _redis_client()
    make_member("taro", nickname="たろう")
    redis_app = make_app(SESSION_STORE="redis", SESSION_REDIS_URL=REDIS_URL)
    here, phone = Browser(redis_app, PC), Browser(redis_app, DOCOMO_MOVA, cookies=False)
    for client in (here, phone):
        client.get("/login")
        client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert logged_in(phone)
    settings(here)
    here.submit(
        "/settings/password",
        NEW_PASSWORD_FORM,
    )
    assert logged_in(here)
    assert not logged_in(phone)


# --- 12.9: a session in URLs is bound to the phone -------------------------------------------


def _docomo_login(browser, login, remote_addr=DOCOMO_GATEWAY, headers=None):
    phone = browser(DOCOMO_MOVA, cookies=False, remote_addr=remote_addr, headers=headers)
    return phone, sid_of(login(phone, "taro").url)


@pytest.mark.parametrize(
    "thief_addr",
    ["127.0.0.1", AU_GATEWAY, "203.0.113.9"],
    ids=["a-pc-address", "another-carriers-gateway", "anywhere-else"],
)
def test_a_copied_sid_and_user_agent_do_not_open_the_session_off_the_carriers_gateway(
    browser, make_member, login, thief_addr
):
    make_member("taro", nickname="たろう")
    phone, sid = _docomo_login(browser, login)
    thief = browser(DOCOMO_MOVA, cookies=False, remote_addr=thief_addr)
    page = thief.get(f"/home?sid={sid}")
    assert "たろう" not in page.text
    assert urlsplit(page.url).path == "/login"
    # The phone itself goes on, through any of its carrier's gateway addresses.
    roaming = browser(DOCOMO_MOVA, cookies=False, remote_addr=OTHER_DOCOMO_GATEWAY)
    assert "たろう" in roaming.get(f"/home?sid={sid}").text


def test_a_docomo_session_is_bound_to_the_i_mode_id_once_sent(browser, make_member, login):
    make_member("taro", nickname="たろう")
    phone, sid = _docomo_login(browser, login, headers={"X-DCMGUID": "ABC1234"})
    other = browser(
        DOCOMO_MOVA, cookies=False, remote_addr=DOCOMO_GATEWAY, headers={"X-DCMGUID": "ZZZ9999"}
    )
    assert "たろう" not in other.get(f"/home?sid={sid}&guid=ON").text
    # docomo sends the ID only to guid=ON URLs: pages without it still work for the phone.
    same = browser(DOCOMO_MOVA, cookies=False, remote_addr=DOCOMO_GATEWAY)
    assert "たろう" in same.get(f"/home?sid={sid}").text


# --- 12.6: a next path never carries a session id --------------------------------------------


def test_after_the_idle_hour_a_cookieless_phone_logs_in_and_lands_on_its_page(
    app, browser, make_member, login, monkeypatch
):
    from tests.test_diary_pages import make_diary

    taro = make_member("taro", nickname="たろう")
    diary = make_diary(app, taro, title="夏の旅行", visibility="friends")
    phone = browser(DOCOMO_MOVA, cookies=False)
    stale = sid_of(login(phone, "taro").url)
    idle_hour_passes(app, monkeypatch)
    page = phone.get(f"/diaries/{diary}?sid={stale}")
    assert urlsplit(page.url).path == "/login"
    form = page.form("/login")
    assert stale not in page.url
    assert stale not in form.action
    page = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert page.status == 200
    assert urlsplit(page.url).path == f"/diaries/{diary}"
    assert "夏の旅行" in page.text
    fresh = sid_of(page.url)
    assert fresh
    assert fresh != stale
    # ...and it stays there: the next click is still logged in.
    assert "たろう" in phone.get(href(page, "/home")).text


@pytest.mark.parametrize(
    "planted",
    [
        "/home?sid=PLANTEDsid0123456789abcdefg",
        "/home?x=1&SID=PLANTED&portal_session=P",
        "/home;jsessionid=P",
    ],
)
def test_a_next_path_with_a_session_id_in_it_loses_the_id(browser, make_member, planted):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    from urllib.parse import quote

    page = phone.get(f"/login?next={quote(planted, safe='')}")
    assert "PLANTED" not in page.form("/login").action
    assert "P" not in urlsplit(page.form("/login").action).path.split(";")[1:]
    home = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert urlsplit(home.url).path == "/home"
    assert "PLANTED" not in home.url
    assert "jsessionid" not in home.url
    assert "たろう" in home.text


# --- 14.7: au and SoftBank phones that refuse cookies go on with the session in URLs ---------


@pytest.mark.parametrize("agent", [AU, SOFTBANK], ids=["au", "softbank"])
def test_a_phone_refusing_cookies_logs_in_with_the_session_in_urls(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    phone = browser(agent, cookies=False)
    page = phone.get("/login")
    assert sid_of(page.form("/login").action), "until a cookie comes back, forms carry the id"
    home = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert home.status == 200, home.text
    assert urlsplit(home.url).path == "/home"
    assert "たろう" in home.text
    sid = sid_of(home.url)
    assert sid
    assert "Set-Cookie" not in home.headers
    internal = [h for h, _ in home.links if h.startswith("/") and not h.startswith("/lang")]
    assert internal
    assert all(sid_of(h) == sid for h in internal)
    assert all(sid_of(f.action) == sid for f in home.forms)
    page = phone.get(href(home, "/settings"))
    assert "Set-Cookie" not in page.headers
    page = phone.submit("/logout")
    assert "たろう" not in phone.get(f"/home?sid={sid}").text


def test_a_phone_keeping_cookies_drops_the_id_from_urls_once_its_cookie_comes_back(
    browser, make_member, login
):
    make_member("taro", nickname="たろう")
    phone = browser(AU)
    first = phone.get("/login")
    probe = sid_of(first.form("/login").action)
    assert probe
    home = login(phone, "taro")
    assert all(sid_of(h) is None for h, _ in home.links)
    assert all(sid_of(f.action) is None for f in home.forms)
    assert "たろう" in phone.get("/home").text
    # The id the first page showed opens nothing from a URL (it was rotated at login).
    copier = browser(AU, cookies=False)
    assert "たろう" not in copier.get(f"/home?sid={probe}").text


def test_an_anonymous_probe_id_stops_working_in_urls_once_the_cookie_came_back(app, browser):
    phone = browser(AU)
    probe = sid_of(phone.get("/login").form("/login").action)
    assert probe
    assert sid_of(phone.get("/login").form("/login").action) is None
    copier = browser(AU, cookies=False)
    page = copier.get(f"/login?sid={probe}")
    assert sid_of(page.form("/login").action) != probe


def test_a_pc_refusing_cookies_still_gets_the_form_expired_page(browser, make_member):
    make_member("taro", nickname="たろう")
    pc = browser(PC, cookies=False)
    page = pc.get("/login")
    assert sid_of(page.form("/login").action) is None
    page = pc.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert page.status == 400
    assert FORM_EXPIRED in page.text


SUBNO = "05001234567890_ab.ezweb.ne.jp"


def _au_refusing_cookies(browser, subno=SUBNO):
    headers = {"X-UP-SUBNO": subno} if subno else {}
    return browser(AU, cookies=False, remote_addr=AU_GATEWAY, headers=headers)


@pytest.mark.parametrize("thief_subno", ["05009999999999_zz.ezweb.ne.jp", None])
def test_an_au_session_in_urls_is_bound_to_the_subscriber_number(browser, make_member, thief_subno):
    make_member("taro", nickname="たろう")
    phone = _au_refusing_cookies(browser)
    phone.get("/login")
    sid = sid_of(phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD}).url)
    assert "たろう" in phone.get(f"/home?sid={sid}").text
    # Same model, same gateway, the sid copied: another subscriber (or none: au sends it on
    # every request) does not get in.
    thief = _au_refusing_cookies(browser, thief_subno)
    page = thief.get(f"/home?sid={sid}")
    assert "たろう" not in page.text
    assert urlsplit(page.url).path == "/login"


# --- 12.13: headers and cookies ----------------------------------------------------------------


def test_every_response_says_nosniff_and_keeps_urls_from_other_sites(browser, make_member):
    make_member("taro", nickname="たろう")
    pc = browser(PC)
    for path in ("/", "/login", "/no-such-page", "/static/none.css", "/jump?url=http://x.example/"):
        page = pc.get(path)
        assert page.headers["X-Content-Type-Options"] == "nosniff", path
        assert page.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), path
    # A cookie-less phone's page, whose URL holds its session id, never sends it off-site.
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert sid_of(home.url)
    assert home.headers["Referrer-Policy"] == "same-origin"


def test_pc_pages_carry_a_policy_against_framing_and_scripts(browser):
    page = browser(PC).get("/login")
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    # A smartphone on the mobile pages cannot be framed either; a keitai gets no header bytes.
    from tests.browser import IPHONE

    mobile = browser(IPHONE).get("/login?view=mobile")
    assert mobile.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert "Content-Security-Policy" not in browser(DOCOMO_MOVA, cookies=False).get("/").headers


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA, AU])
def test_member_pages_are_never_stored_by_a_cache(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    home = login(client, "taro")
    assert home.headers["Cache-Control"] == "private, no-store"
    page = client.get(href(home, "/settings"))
    assert page.headers["Cache-Control"] == "private, no-store"
    redirect = client.submit("/logout", follow=False)
    assert redirect.status == 302
    if agent == DOCOMO_MOVA:  # its Location carries the new session id
        assert redirect.headers["Cache-Control"] == "private, no-store"


def test_an_anonymous_pc_page_may_be_cached(browser):
    assert "no-store" not in (browser(PC).get("/").headers.get("Cache-Control") or "")


def test_a_cookieless_phones_anonymous_page_with_its_sid_is_not_cached(browser):
    page = browser(DOCOMO_MOVA, cookies=False).get("/login")
    assert sid_of(page.form("/login").action)
    assert page.headers["Cache-Control"] == "private, no-store"


def test_cookies_are_secure_and_http_only_when_the_site_is_https(make_app):
    https_app = make_app(PUBLIC_URL="https://localhost", SERVER_NAME="localhost")
    client = Browser(https_app, PC)
    page = client.get("/login")
    (cookie,) = page.headers.getlist("Set-Cookie")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    plain = Browser(make_app(), PC).get("/login")
    (cookie,) = plain.headers.getlist("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "Secure" not in cookie


def test_hsts_is_asked_for_over_https_only(make_app):
    https_app = make_app(PUBLIC_URL="https://localhost")
    client = https_app.test_client()
    secure = client.get("/login", base_url="https://localhost/")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/login").headers


@pytest.mark.parametrize("length", [65, 64 * 1024])
def test_a_session_id_over_64_characters_is_refused_not_echoed(browser, length):
    huge = "A" * length
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get(f"/home?sid={huge}", follow=False)
    assert page.status == 400
    assert "Location" not in page.headers
    assert huge not in page.text
    assert len(page.body) <= 5120
    assert "リクエスト".encode("cp932") in page.body or ui(page, "リクエスト") in page.text


def test_a_session_id_inside_next_is_not_echoed_into_the_location(browser):
    huge = "A" * (64 * 1024)
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get(f"/lang/en?next=%2Fhome%3Fsid%3D{huge}", follow=False)
    assert page.status == 302
    assert len(page.headers["Location"]) < 200
    assert huge not in page.headers["Location"]


def test_a_session_id_of_odd_characters_is_refused(browser):
    page = browser(DOCOMO_MOVA, cookies=False).get("/home?sid=abc%0D%0ASet-Cookie:x", follow=False)
    assert page.status == 400

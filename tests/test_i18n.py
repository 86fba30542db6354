"""Japanese first, English complete: choosing the language, keeping it, and dates."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.extensions import db
from portal.i18n import catalogues, day, when
from portal.keitai.hankaku import to_hankaku
from portal.models import Invitation, Member
from portal.services import accounts
from tests.browser import AU, DOCOMO_MOVA, IPHONE, PC, SOFTBANK, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import current_sid


def ui(page, text: str) -> str:
    """UI text as ``page`` shows it: Shift_JIS phones get half-width katakana in the mobile tree."""
    mobile = "main" not in page.tags
    return to_hankaku(text) if mobile and page.charset.lower() == "shift_jis" else text


def switch_link(page, code: str) -> str:
    """The language-switch link to ``code`` on the page."""
    for href, _ in page.links:
        if urlsplit(href).path == f"/lang/{code}":
            return href
    raise AssertionError(f"no /lang/{code} link on {page.url}")


def log_in(client, name: str):
    client.get("/login")
    return client.submit("/login", {"email": f"{name}@example.jp", "password": PASSWORD})


def logout(client):
    if not any("/logout" in form.action for form in client.page.forms):
        href = next(h for h, _ in client.page.links if urlsplit(h).path == "/settings")
        client.get(href)
    return client.submit("/logout")


# --- choosing the language ------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA, AU, SOFTBANK, IPHONE])
def test_japanese_is_the_default(browser, agent):
    page = browser(agent, cookies=agent != DOCOMO_MOVA).get("/")
    assert page.status == 200
    assert page.html_lang == "ja"
    assert ui(page, "ログイン") in page.text
    assert "Log in" not in page.text


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5", "en"),
        ("ja,en;q=0.8", "ja"),
        ("de-DE", "ja"),
    ],
)
def test_accept_language_picks_the_language_of_a_visitor(browser, accept, lang):
    page = browser(PC, headers={"Accept-Language": accept}).get("/login")
    assert page.html_lang == lang
    assert ("Log in" in page.text) == (lang == "en")
    assert ("ログイン" in page.text) == (lang == "ja")


def test_visitor_on_a_pc_switches_to_english_and_back(browser):
    client = browser(PC)
    page = client.get("/login")
    page = client.get(switch_link(page, "en"))
    assert urlsplit(page.url).path == "/login", "the switch returns to the page it was pressed on"
    assert page.html_lang == "en"
    assert "Log in" in page.text
    # The choice holds on the next pages of the visit, over the browser's default.
    page = client.get("/signup")
    assert page.html_lang == "en"
    assert "Joining is by invitation" in page.text
    page = client.get(switch_link(page, "ja"))
    assert page.html_lang == "ja"
    assert "ログイン" in client.get("/").text


def test_visitor_on_a_cookieless_docomo_switches_to_english(browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/login")
    link = switch_link(page, "en")
    assert sid_of(link)
    assert sid_of(link) == current_sid(page)
    page = phone.get(link)
    assert page.status == 200
    assert page.html_lang == "en", page.url
    assert "Log in" in page.text
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    # The choice travels with the URL session to the next page.
    page = phone.get(page.link("[0]"))
    assert page.html_lang == "en"


def test_member_on_a_cookieless_docomo_switches_language_and_stays_logged_in(browser, make_member):
    make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = log_in(phone, "taro")
    page = phone.get(switch_link(home, "en"))
    assert page.html_lang == "en", page.url
    assert "たろう's home" in page.text


VISITOR_PAGES = ["/", "/login", "/signup?invite={token}", "/no-such-page"]
MEMBER_PAGES = ["/", "/home", "/invite", "/settings", "/no-such-page"]


def _make_token(app, member_id: int) -> str:
    with app.app_context():
        token = accounts.create_invitation(db.session.get(Member, member_id), None).token
        db.session.commit()
        return token


@pytest.mark.parametrize("agent", [DOCOMO_MOVA, PC], ids=["docomo", "pc"])
@pytest.mark.parametrize("who", ["visitor", "member"])
def test_the_language_switch_is_on_every_page(app, browser, make_member, agent, who):
    taro = make_member("taro", nickname="たろう")
    token = _make_token(app, taro)
    client = browser(agent, cookies=agent == PC)
    if who == "member":
        log_in(client, "taro")
        paths = MEMBER_PAGES
    else:
        client.get("/")
        paths = VISITOR_PAGES
    sid = current_sid(client.page)
    for path in paths:
        url = path.format(token=token)
        if sid:
            url += ("&" if "?" in url else "?") + f"sid={sid}"
        page = client.get(url)
        assert page.status in (200, 404), (url, page.status)
        assert page.html_lang == "ja"
        link = switch_link(page, "en")
        query = parse_qs(urlsplit(link).query)
        assert query["next"][0].startswith(urlsplit(url).path), (url, link)
        if agent == DOCOMO_MOVA:
            assert sid_of(link) == sid, (url, link)
        else:
            assert sid_of(link) is None


def test_a_members_choice_is_saved_and_follows_them_to_another_device(browser, make_member):
    make_member("taro", nickname="たろう")
    pc = browser(PC)
    home = log_in(pc, "taro")
    page = pc.get(switch_link(home, "en"))
    assert page.html_lang == "en"
    assert "たろう's home" in page.text
    # The switch is a GET and saves nothing (issue 12.11); the page offers to keep it (a POST).
    page = pc.submit("/settings/language")
    assert page.html_lang == "en"
    assert "Your language was saved." in page.text
    assert "たろう's home" in page.text, "the form returns to the page it was on"
    page = logout(pc)
    assert page.html_lang == "en", "logging out keeps the language of the browser"

    phone = browser(DOCOMO_MOVA, cookies=False)
    home = log_in(phone, "taro")
    assert home.html_lang == "en"
    assert "たろう's home" in home.text

    # A new PC whose browser prefers Japanese still gets the member's English.
    other = browser(PC, headers={"Accept-Language": "ja"})
    assert log_in(other, "taro").html_lang == "en"


def test_a_members_saved_language_beats_the_browser(browser, make_member):
    make_member("taro", nickname="たろう", locale="ja")
    client = browser(PC, headers={"Accept-Language": "en"})
    assert client.get("/login").html_lang == "en"
    home = log_in(client, "taro")
    assert home.html_lang == "ja"
    assert "たろうさんのホーム" in home.text


def test_a_visitors_choice_survives_login_when_the_member_chose_nothing(browser, make_member):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    client.get(switch_link(client.get("/login"), "en"))
    home = log_in(client, "taro")
    assert home.html_lang == "en"


def test_settings_page_switches_language_for_the_member(browser, make_member):
    make_member("taro", nickname="たろう")
    client = browser(PC)
    log_in(client, "taro")
    page = client.get("/settings")
    page = client.submit("/settings/language", {"locale": "en"})
    assert urlsplit(page.url).path == "/settings"
    assert page.html_lang == "en"
    assert "Change password" in page.text


def test_unknown_language_code_is_404(browser):
    page = browser(PC).get("/lang/fr")
    assert page.status == 404
    assert page.html_lang == "ja"


@pytest.mark.parametrize("target", ["//evil.example/", "http://evil.example/", "/\\evil.example"])
def test_language_switch_never_leaves_the_site(browser, target):
    client = browser(PC)
    page = client.get(f"/lang/en?next={target}", follow=False)
    assert page.status == 302
    assert urlsplit(page.headers["Location"]).hostname == "localhost"


# --- dates ----------------------------------------------------------------------------------

NOON_UTC = datetime(2008, 5, 1, 12, 5)


def test_when_shows_tokyo_time_in_japanese(app):
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        assert when(NOON_UTC) == "2008年5月1日(木) 21:05"
        assert when(None) == ""
        assert day(date(1980, 5, 1)) == "1980年5月1日(木)"


def test_when_is_japanese_for_a_browser_without_preference(app):
    with app.test_request_context("/"):
        assert when(NOON_UTC) == "2008年5月1日(木) 21:05"


def test_when_crosses_midnight_into_the_next_tokyo_day(app):
    with app.test_request_context("/", headers={"Accept-Language": "ja"}):
        assert when(datetime(2008, 4, 30, 15, 30)) == "2008年5月1日(木) 0:30"


def test_when_in_english(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        text = when(NOON_UTC)
    for part in ("Thu", "May", "2008", "21:05"):
        assert part in text, text
    assert "年" not in text


def test_invitation_expiry_date_on_the_page_is_in_tokyo_time(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    with app.app_context():
        invitation = Invitation(
            token="t" * 22,
            inviter_id=taro,
            created_at=datetime(2030, 1, 1, 0, 0),
            expires_at=datetime(2030, 1, 1, 15, 30),
        )
        db.session.add(invitation)
        db.session.commit()
    client = browser(PC)
    log_in(client, "taro")
    assert "2030年1月2日(水) 0:30" in client.get("/invite").text


# --- catalogues -----------------------------------------------------------------------------


def test_catalogues_are_complete_and_current():
    assert catalogues.check() == []

"""Host header poisoning (audit 12.2): links in mail, feeds and invitations come from the
configured address, and a request for a host that is not ours gets a 400 page, nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.filters import share_url
from portal.models import FriendRequest
from tests.browser import DOCOMO_MOVA, PC, Browser, sid_of
from tests.fixtures.factories import PASSWORD

PUBLIC = "https://sns.example.jp"


@pytest.fixture
def other_name(app, monkeypatch):
    """The site has a public address and a second name (as behind a proxy, or the demo's two)."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    monkeypatch.setitem(app.config, "SERVER_HOSTS", ("alias.example",))
    return "alias.example"


def _log_in(client, name: str):
    client.get("/login")
    return client.submit("/login", {"email": f"{name}@example.jp", "password": PASSWORD})


def _friend_request(client, target: int):
    client.get(f"/users/{target}")
    return client.submit(f"/users/{target}/friend-request", {"message": "よろしく"})


def test_a_notice_sent_through_another_name_of_the_site_links_to_the_public_url(
    app,
    browser,
    make_member,
    sink,  # noqa: F811 (the fixture imported above)
    other_name,
):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう")
    jiro = browser(PC, host=other_name)
    _log_in(jiro, "jiro")
    _friend_request(jiro, hanako)
    (message,) = sink
    body = message.get_payload(decode=True).decode("iso-2022-jp")
    assert f"{PUBLIC}/friends/requests" in body
    assert other_name not in body


@pytest.mark.parametrize("notice", ["message", "comment"])
def test_a_message_or_comment_sent_through_another_name_links_to_the_public_url(
    app,
    browser,
    make_member,
    sink,  # noqa: F811
    other_name,
    notice,
):
    from tests.test_diary_pages import make_diary

    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう", friends=(hanako,))
    diary = make_diary(app, hanako, title="夏の旅行", visibility="public")
    jiro = browser(PC, host=other_name)
    _log_in(jiro, "jiro")
    if notice == "message":
        jiro.get(f"/messages/new?to={hanako}")
        page = jiro.submit("/messages/new", {"subject": "こんにちは", "body": "元気?"})
        link = f"{PUBLIC}/messages/"
    else:
        jiro.get(f"/diaries/{diary}")
        page = jiro.submit(f"/diaries/{diary}/comments", {"body": "いいですね"})
        link = f"{PUBLIC}/diaries/{diary}"
    assert page.status == 200
    (message,) = sink
    body = message.get_payload(decode=True).decode("iso-2022-jp")
    assert link in body
    assert other_name not in body
    assert "localhost" not in body


def _friend_requests(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(FriendRequest))


def test_a_forged_host_header_gets_a_400_page_and_changes_nothing(
    app,
    browser,
    make_member,
    sink,  # noqa: F811
):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = _log_in(phone, "jiro")
    phone.get(f"/users/{hanako}?sid={sid_of(home.url)}")
    # The attacker sends the request of a logged-in phone with Host: evil.example.
    phone.base_url = "http://evil.example/"
    page = phone.submit(f"/users/{hanako}/friend-request", {"message": "よろしく"}, follow=False)
    assert page.status == 400
    assert "Location" not in page.headers
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "このアドレスでは".encode("cp932") in page.body
    assert "evil.example" not in page.text
    assert len(page.body) <= 5120
    assert sink == []
    assert _friend_requests(app) == 0


def test_a_pc_asking_for_a_foreign_host_gets_the_400_page_in_its_language(browser):
    pc = browser(PC, host="evil.example", headers={"Accept-Language": "en"})
    page = pc.get("/login")
    assert page.status == 400
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "This site is not served at this address." in page.text
    assert page.html_lang == "en"
    assert not any("/login" in form.action for form in page.forms)


def test_feeds_and_invitation_links_use_the_public_url(
    app, browser, make_member, login, other_name
):
    taro = make_member("taro", nickname="たろう")
    client = browser(PC, host=other_name)
    _log_in(client, "taro")
    client.get("/invite")
    page = client.submit("/invite", {"note": ""})
    assert f'value="{PUBLIC}/signup?invite=' in page.text
    assert f"http://{other_name}/signup" not in page.text
    feed = client.get(f"/feeds/users/{taro}/diaries.atom")
    assert f'href="{PUBLIC}/users/{taro}/diaries"' in feed.response.get_data(as_text=True)
    assert other_name not in feed.response.get_data(as_text=True)


def test_a_redirect_stays_on_the_name_the_member_used(browser, make_member, other_name):
    """The demo answers to 127.0.0.1 and localhost: a member keeps the host of their cookie."""
    make_member("taro", nickname="たろう")
    client = browser(PC, host=other_name)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD}, follow=False)
    assert page.headers["Location"] == f"http://{other_name}/home"
    public = browser(PC, host="sns.example.jp")
    public.get("/login")
    page = public.submit("/login", {"email": "taro@example.jp", "password": PASSWORD}, follow=False)
    assert page.headers["Location"] == f"{PUBLIC}/home", "the public URL's https scheme wins"


def test_the_demo_serves_its_two_names_on_its_port_only(app, make_app):
    demo = make_app(SERVER_HOSTS=("127.0.0.1:8080", "localhost:8080"))
    for host, status in [
        ("127.0.0.1:8080", 200),
        ("localhost:8080", 200),
        ("127.0.0.1:9999", 400),
        ("localhost", 400),
        ("evil.example:8080", 400),
    ]:
        page = Browser(demo, PC, host=host).get("/login", follow=False)
        assert page.status == status, host


def test_links_built_outside_a_request_use_the_public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    with app.app_context():
        url = share_url("members.profile", id=7)
    assert url == f"{PUBLIC}/users/7"


@pytest.mark.parametrize("bad", ["ftp://sns.example.jp", "https://sns.example.jp/portal", "sns"])
def test_a_public_url_that_is_not_an_origin_is_refused_at_start(bad):
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "PUBLIC_URL": bad,
            }
        )


def test_a_phone_asking_for_a_foreign_host_with_view_pc_gets_the_pc_400_page(browser):
    """The error page takes the rendering every page takes: ?view=pc on a phone is the PC tree,
    even when the request is refused before the keitai hooks ran (the Host check is first)."""
    phone = browser(DOCOMO_MOVA, host="evil.example", cookies=False)
    assert '<meta name="viewport"' not in phone.get("/login").text  # the phone's own tree
    page = phone.get("/login?view=pc")
    assert page.status == 400
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "<!DOCTYPE html>" in page.text

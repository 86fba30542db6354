"""Odd input gets a 400 or 404 page in the member's language and format, never a 500
(issue 12, item 8): CR/LF in ``?next=``, months that cannot be shown, ids beyond 32 bits (which
PostgreSQL refuses to compare with an ``integer`` column)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Message
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import PASSWORD
from tests.pages import client_for, go, ui_text

AGENTS = [PC, DOCOMO_MOVA]
IDS = ["pc", "docomo"]
D501I_BUDGET = 5120

BAD_NEXT = ["/home%0D%0AX", "/home%0ASet-Cookie:%20a=b", "/home?a=%0D%0A", "/%0D"]


def assert_error_page(app, page, agent, status: int, title: str) -> None:
    """The error page a device expects: its status, charset, tree and budget, in Japanese."""
    assert page.status == status, page.text
    assert ui_text(app, agent, title) in page.text
    if agent == DOCOMO_MOVA:
        assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
        assert "main" not in page.tags
        assert len(page.body) <= D501I_BUDGET
    else:
        assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
        assert "main" in page.tags


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
@pytest.mark.parametrize("next_path", BAD_NEXT)
def test_cr_lf_in_next_is_a_400_page_and_nobody_is_logged_in(
    app, browser, make_member, agent, next_path
):
    make_member("taro")
    client = client_for(browser, agent)
    page = client.get(f"/login?next={next_path}")
    assert_error_page(app, page, agent, 400, "Bad request")

    # The login form posted to such an address logs nobody in either.
    client.get("/login")
    form = client.page.form("/login")
    form.action = f"/login?next={next_path}" + (
        "&" + form.action.partition("?")[2] if "?" in form.action else ""
    )
    refused = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert_error_page(app, refused, agent, 400, "Bad request")
    home = go(client, "/home")
    assert home.url.startswith("/login") or "/login" in home.url


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
def test_cr_lf_in_the_language_switchs_next_is_a_400_page(app, browser, agent):
    page = client_for(browser, agent).get("/lang/en?next=/home%0D%0ALocation:%20x")
    assert page.status == 400
    assert "\r" not in page.headers.get("Location", "")


def test_cr_lf_in_next_gets_the_page_in_english_for_an_english_browser(app, browser):
    pc = browser(PC, headers={"Accept-Language": "en"})
    page = pc.get("/login?next=/home%0D%0AX")
    assert page.status == 400
    assert "Bad request" in page.text


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
@pytest.mark.parametrize("month", ["9999-12", "2008-13", "0000-01", "1899-12"])
def test_a_month_that_cannot_be_shown_is_a_404_page(app, browser, make_member, login, agent, month):
    taro = make_member("taro")
    client = client_for(browser, agent)
    login(client, "taro")
    for path in (f"/users/{taro}/diaries?month={month}", f"/calendar?month={month}"):
        assert_error_page(app, go(client, path), agent, 404, "Page not found")


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
def test_the_last_and_first_months_that_can_be_shown(app, browser, make_member, login, agent):
    taro = make_member("taro")
    client = client_for(browser, agent)
    login(client, "taro")
    for month in ("9998-12", "1900-01"):
        assert go(client, f"/users/{taro}/diaries?month={month}").status == 200
        assert go(client, f"/calendar?month={month}").status == 200


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
@pytest.mark.parametrize("big", ["2147483648", "99999999999", "99999999999999999999999"])
def test_ids_beyond_32_bits_are_404_pages(app, browser, make_member, login, agent, big):
    taro = make_member("taro")
    client = client_for(browser, agent)
    login(client, "taro")
    for path in (
        f"/messages/new?reply={big}",
        f"/diaries/{big}",
        f"/users/{big}",
        f"/communities/{taro}/members/{big}",
        f"/report?type=diary&id={big}",
    ):
        assert_error_page(app, go(client, path), agent, 404, "Page not found")


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
def test_a_message_to_an_id_beyond_32_bits_names_nobody_and_sends_nothing(
    app, browser, make_member, login, agent
):
    make_member("taro")
    client = client_for(browser, agent)
    login(client, "taro")
    compose = go(client, "/messages/new?to=2147483648")
    assert compose.status == 200
    sent = client.submit("/messages/new", {"subject": "件名", "body": "本文"})
    assert sent.status == 200
    assert ui_text(app, agent, "This member does not exist or cannot receive your message.") in (
        sent.text
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Message.id))) == 0


def test_deleting_an_introduction_by_an_author_beyond_32_bits_is_refused(
    app, browser, make_member, login
):
    taro = make_member("taro")
    pc = browser(PC)
    login(pc, "taro")
    profile = pc.get(f"/users/{taro}")
    token = next(f.fields["csrf_token"] for f in profile.forms if "csrf_token" in f.fields)
    page = pc.client.post(
        f"/users/{taro}/introduction/delete",
        data={"csrf_token": token, "author": "2147483648"},
        headers={"User-Agent": PC},
        base_url="http://localhost/",
    )
    assert page.status_code < 500

"""Control characters in input (issue 12, item 5): removed on the way in, for every device.

NUL, ESC and the other C0 controls but tab and line feed, and DEL, never reach a view, the
database or another member's page; CR LF and a lone CR become LF. On PostgreSQL a NUL in a text
field, a search or the login e-mail used to be a 500.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Diary
from tests.browser import AU, DOCOMO_MOVA, PC, SOFTBANK, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import client_for

#: A J-PHONE: it reads ESC $ G j SI in a page as a SoftBank webcode emoji.
J_PHONE = "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0"

AGENTS = [PC, DOCOMO_MOVA, AU, SOFTBANK]
IDS = ["pc", "docomo", "au", "softbank"]


def with_sid(page, path: str) -> str:
    sid = sid_of(page.url)
    return f"{path}?{urlencode({'sid': sid})}" if sid else path


def post_raw(client, page, action: str, fields: dict[str, str], raw: bytes) -> object:
    """Submit ``action``'s form with the typed ``fields`` and ``raw`` urlencoded bytes after."""
    form = page.form(action)
    raw_names = {pair.partition(b"=")[0].decode() for pair in raw.split(b"&")}
    typed = {k: v for k, v in {**form.fields, **fields}.items() if k not in raw_names}
    body = urlencode(typed).encode("ascii") + b"&" + raw
    return client.submit(action, raw=body)


def stored_diaries(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(d.title, d.body) for d in db.session.scalars(select(Diary).order_by(Diary.id))]


@pytest.mark.parametrize("agent", AGENTS, ids=IDS)
def test_controls_in_a_diary_are_removed_and_line_breaks_become_lf(
    app, browser, make_member, login, agent
):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    home = login(client, "taro")
    page = client.get(with_sid(home, "/diaries/new"))
    raw = b"title=a%00b%1B%24Gj%0Fc%07%7F&body=line1%0D%0Aline2%0Dline3%0Aline4%09tab%00"
    shown = post_raw(client, page, "/diaries/new", {"visibility": "public"}, raw)
    assert shown.status == 200, shown.text
    # A SoftBank handset's own webcode is its emoji (stored as ☀); from anyone else ESC goes.
    title = "ab☀c" if agent == SOFTBANK else "ab$Gjc"
    assert stored_diaries(app) == [(title, "line1\nline2\nline3\nline4\ttab")]


#: An au WIN handset that sends files, its multipart body in Shift_JIS.
AU_UPLOADS = "KDDI-CA3F UP.Browser/6.2_7.2.7.1.K.4.306 (GUI) MMP/2.0"


@pytest.mark.parametrize("agent", [PC, AU_UPLOADS, SOFTBANK], ids=["pc", "au", "softbank"])
def test_controls_in_a_multipart_diary_are_removed(app, browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent)
    home = login(client, "taro")
    client.get(with_sid(home, "/diaries/new"))
    shown = client.submit_files(
        "/diaries/new",
        {"title": "t\x00i\x1btle", "body": "a\r\nb\rc\x00", "visibility": "public"},
    )
    assert shown.status == 200, shown.text
    assert stored_diaries(app) == [("title", "a\nb\nc")]


def test_a_docomo_title_with_a_webcode_reaches_a_j_phone_without_the_escape(
    app, browser, make_member, login
):
    make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    phone = client_for(browser, DOCOMO_MOVA)
    home = login(phone, "taro")
    page = phone.get(with_sid(home, "/diaries/new"))
    post_raw(
        phone, page, "/diaries/new", {"visibility": "public", "body": "x"}, b"title=%1B%24Gj%0F"
    )
    (diary_id,) = [row for row in _ids(app)]
    j_phone = browser(J_PHONE)
    login(j_phone, "jiro")
    shown = j_phone.get(with_sid(j_phone.page, f"/diaries/{diary_id}"))
    assert shown.status == 200
    assert b"$Gj" in shown.body
    assert b"\x1b" not in shown.body


def _ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(Diary.id)))


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_nul_in_a_search_is_a_normal_page(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    home = login(client, "taro")
    page = client.get(with_sid(home, "/search") + ("&" if sid_of(home.url) else "?") + "q=%00ta%00")
    assert page.status == 200


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_nul_in_the_login_email_is_no_500(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = client_for(browser, agent)
    page = client.get("/login")
    form = page.form("/login")
    typed = {k: v for k, v in form.fields.items() if k != "email"}
    body = urlencode({**typed, "password": PASSWORD}).encode() + b"&email=taro%00%40example.jp"
    shown = client.submit("/login", raw=body)
    assert shown.status == 200
    assert shown.url.startswith("/home")

"""QR codes (segno) on the login page and PC pages of shareable content: each holds the page's
address on the configured public URL (never the Host header) and never a session id."""

from __future__ import annotations

import html
import re

import pytest
import segno

from portal.qr_codes import BORDER, SCALE
from tests.browser import PC, Browser
from tests.test_diary_pages import logged_in, make_diary

PUBLIC = "https://sns.example.jp"
QR = re.compile(r'<img class="qr" src="([^"]+)" width="(\d+)" height="\d+" alt="([^"]+)">')


@pytest.fixture
def public(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    monkeypatch.setitem(app.config, "SERVER_HOSTS", ("alias.example",))


def qr_on(page) -> str:
    """The URL the page's QR code holds, checked against segno's own encoding of it."""
    src, side, alt = QR.search(page.text).groups()
    url = html.unescape(alt)
    code = segno.make(url, error="m", micro=False)
    assert html.unescape(src) == code.svg_data_uri(scale=SCALE, border=BORDER, dark="#333")
    assert int(side) == code.symbol_size(scale=SCALE, border=BORDER)[0]
    return url


def test_the_login_page_has_a_qr_code_of_the_public_address(app, public):
    visitor = Browser(app, PC, host="alias.example")
    assert qr_on(visitor.get("/login")) == f"{PUBLIC}/login"


def test_shareable_pages_carry_their_public_url_without_a_session(app, public, make_member):
    taro = make_member("taro", nickname="たろう")
    diary = make_diary(app, taro)
    pc = logged_in(app, PC, "taro")
    assert qr_on(pc.get(f"/users/{taro}")) == f"{PUBLIC}/users/{taro}"
    assert qr_on(pc.get(f"/diaries/{diary}")) == f"{PUBLIC}/diaries/{diary}"
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    for path in (f"/users/{taro}", f"/diaries/{diary}"):
        url = qr_on(pc.get(path))
        assert "sid=" not in url
        assert session_cookie not in url


def test_member_pages_that_are_not_shared_have_none(app, make_member):
    make_member("taro")
    pc = logged_in(app, PC, "taro")
    for path in ("/settings", "/messages", "/footprints"):
        assert not QR.search(pc.get(path).text), path

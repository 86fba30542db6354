"""Search links on Shift_JIS phones carry the query once, in the phone's encoding (issue 12,
item 12): ``?q=ﾎｱ`` links keep ﾎｱ (its CP932 bytes CE B1 are also the UTF-8 of α), and a
value CP932 lacks (☀) is written the way the phone shows it (docomo's own sun), never UTF-8."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import redirect, url_for

from portal.keitai.ext import reencode_query
from tests.browser import AU, DOCOMO_MOVA
from tests.pages import client_for, go


def query_bytes(href: str) -> bytes:
    """The raw bytes of ``q`` in a link."""
    value = parse_qs(urlsplit(href).query, encoding="latin-1")["q"][0]
    return value.encode("latin-1")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/search?q=%EF%BE%8E%EF%BD%B1", "/search?q=%CE%B1"),  # ﾎｱ, not α (%83%BF)
        ("/search?q=%E6%9D%B1%E4%BA%AC", "/search?q=%93%8C%8B%9E"),  # 東京
        ("/search?q=%F0%A0%AE%B7", "/search?q=%81%AC"),  # 𠮷: the geta mark, not UTF-8
        ("/search?q=a+b&type=members", "/search?q=a+b&type=members"),
    ],
)
def test_reencode_query_writes_utf8_queries_once_in_cp932(url, expected) -> None:
    assert reencode_query(url, "cp932") == expected


def test_reencode_query_writes_emoji_as_the_carrier_shows_them() -> None:
    assert reencode_query("/search?q=%E2%98%80", "cp932", carrier="docomo") == "/search?q=%F8%9F"


def test_url_for_on_a_d501i_never_falls_back_to_utf8(app) -> None:
    with app.test_request_context("/", headers={"User-Agent": DOCOMO_MOVA}):
        url = url_for("search.index", q="東京☀")
    assert query_bytes(url) == "東京".encode("cp932") + b"\xf8\x9f"


def test_a_redirect_to_a_url_for_is_not_encoded_twice(app) -> None:
    with app.test_request_context("/", headers={"User-Agent": DOCOMO_MOVA}):
        response = app.process_response(redirect(url_for("search.index", q="ﾎｱ")))
    assert query_bytes(response.headers["Location"]) == b"\xce\xb1"


@pytest.mark.parametrize("agent", [DOCOMO_MOVA, AU], ids=["docomo", "au"])
def test_search_links_keep_a_half_width_query(app, browser, make_member, login, agent):
    make_member("taro", nickname="ホア太郎")
    make_member("hanako", nickname="はなこ")
    client = client_for(browser, agent)
    login(client, "taro")
    page = go(client, "/search?q=%CE%B1&type=members")  # ﾎｱ typed on the phone
    assert page.status == 200
    assert "ホア太郎".encode("cp932") in page.body
    (back,) = [href for href, _ in page.links if urlsplit(href).path == "/search"]
    assert query_bytes(back) == b"\xce\xb1"
    again = client.get(back)
    assert 'name="q" value="ﾎｱ"' in again.text
    assert "α" not in again.text

"""Crawl every keitai page of the demo world as each fixed account on a 5 KB docomo phone.

The test app is strict: a page over the device's byte budget, or one that carries the session
id in its URL and links off-site, raises instead of being served. Photo links lead to images,
which must leave half the budget to the page around them. The crawl follows every
internal link (GET) it finds, cookie-less, so the session must travel in every URL.
"""

from collections import deque
from urllib.parse import urlsplit

import pytest

from portal import demo
from portal.extensions import db
from tests.browser import DOCOMO_MOVA, Browser, sid_of

BUDGET = 5120
MAX_PAGES = 400


@pytest.fixture
def demo_world(app):
    with app.app_context():
        demo.seed()
        db.session.commit()


def _crawl(app, email):
    phone = Browser(app, DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": email, "password": demo.DEMO_PASSWORD})
    assert home.status == 200
    assert sid_of(home.url)
    seen, queue, pages = set(), deque([home.url]), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        key = _key(url)
        if key in seen:
            continue
        seen.add(key)
        page = phone.get(url)
        pages.append(page)
        for href, _ in page.links:
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href)
    return pages


def _key(url):
    """A URL without the session id (the same page must not be crawled twice)."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if not p.startswith("sid="))
    return parts.path, query


@pytest.mark.parametrize("account", ["taro", "hanako", "jiro", "admin"])
def test_every_keitai_page_fits_5kb(app, demo_world, account):
    pages = _crawl(app, f"{account}@{demo.DEMO_DOMAIN}")
    assert len(pages) >= 5, [p.url for p in pages]
    for page in pages:
        assert page.status == 200, (page.url, page.status)
        if page.headers["Content-Type"].startswith("image/"):  # a photo link (/photos/<id>)
            assert len(page.body) <= BUDGET // 2, (page.url, len(page.body))
            continue
        assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS", page.url
        assert len(page.body) <= BUDGET, (page.url, len(page.body))
        assert b"<script" not in page.body.lower(), page.url
        assert page.html_lang in ("ja", "en")

"""Crawl every keitai page of the demo world as each fixed account on a 5 KB docomo phone, and
every kind of page on an au and a SoftBank phone, whose XHTML must be well-formed XML.

The test app is strict: a page over the device's byte budget, or one that carries the session
id in its URL and links off-site, raises instead of being served. Photo links lead to images,
which must leave half the budget to the page around them. The crawl follows every
internal link (GET) it finds, cookie-less, so the session must travel in every URL.

au and SoftBank browsers read XHTML with an XML parser: a page that is not well-formed, or uses
an entity XML does not predefine (``&darr;``: the handsets have no DTD to look it up in), shows
an error instead of the page. Those crawls read each kind of page (ids folded) once.
"""

import re
import xml.etree.ElementTree as ET
from collections import deque
from urllib.parse import urlsplit

import pytest

from portal import demo
from tests.browser import AU, DOCOMO_MOVA, SOFTBANK, Browser, sid_of
from tests.pages import page_kind

BUDGET = 5120
MAX_PAGES = 400


@pytest.fixture
def demo_world(app, db):
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


# --- au and SoftBank: well-formed XHTML ----------------------------------------------------

XHTML = "{http://www.w3.org/1999/xhtml}html"
#: Entity references other than XML's own five (character references are fine).
_NAMED_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos);|#)[A-Za-z][A-Za-z0-9]*;")


def xml_problem(text: str) -> str | None:
    """Return why ``text`` is not a well-formed XHTML document, or None."""
    entity = _NAMED_ENTITY.search(text)
    if entity:
        return f"entity {entity.group()} is not defined in XML"
    try:
        root = ET.fromstring(text)  # noqa: S314 (our own pages)
    except ET.ParseError as error:
        return f"not well-formed: {error}"
    if root.tag != XHTML:
        return f"root element {root.tag}, not XHTML's html"
    return None


def _crawl_kinds(phone, start):
    """Read each kind of page reachable by GET links from ``start`` once; return the pages."""
    seen, queue, pages = set(), deque(start), []
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        kind = page_kind(url)
        if kind in seen or urlsplit(url).path in ("/logout",):
            continue
        seen.add(kind)
        page = phone.get(url)
        pages.append(page)
        for href, _ in page.links:
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href)
    return pages


@pytest.mark.parametrize("agent", [AU, SOFTBANK], ids=["au", "softbank"])
def test_every_au_and_softbank_page_is_well_formed_xml(app, demo_world, agent):
    visitor = Browser(app, agent)
    pages = _crawl_kinds(visitor, ["/", "/login", "/no-such-page"])
    for account in ("taro", "admin"):
        phone = Browser(app, agent)
        phone.get("/login")
        home = phone.submit(
            "/login", {"email": f"{account}@{demo.DEMO_DOMAIN}", "password": demo.DEMO_PASSWORD}
        )
        assert home.status == 200
        pages += _crawl_kinds(phone, [home.url])
    html = [p for p in pages if p.headers["Content-Type"].startswith("text/html")]
    print(agent.split("/")[0], "pages:", len(html))
    assert len(html) >= 60, len(html)
    problems = {p.url: xml_problem(p.text) for p in html if xml_problem(p.text)}
    assert problems == {}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('<html xmlns="http://www.w3.org/1999/xhtml"><p>1 &amp; 2 &#8595;</p></html>', None),
        ('<html xmlns="http://www.w3.org/1999/xhtml"><a>[8]&darr;</a></html>', "entity &darr;"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"><br></html>', "not well-formed"),
        ("<html><br /></html>", "root element"),
    ],
)
def test_the_xml_check_finds_what_a_handset_cannot_parse(text, problem):
    found = xml_problem(text)
    assert (found is None) if problem is None else found.startswith(problem), found

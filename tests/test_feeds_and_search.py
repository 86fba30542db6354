"""Diary feeds (Atom out), external blog import (RSS/Atom in) and diary search."""

from __future__ import annotations

import functools
import io
import threading
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from sqlalchemy import event, select, text

from portal.extensions import db
from portal.models import BlogFeed, Diary, Member
from portal.services import ServiceError, blog_import, diaries, feed_fetch
from portal.services.search import search_diaries, snippet
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import make_circle

ATOM = "{http://www.w3.org/2005/Atom}"


def write(app, author_id: int, title: str, body: str, visibility: str = "public", when=None):
    """Write a diary through the service; return its id."""
    with app.app_context():
        diary = diaries.create(
            db.session.get(Member, author_id),
            title=title,
            body=body,
            visibility=visibility,
            created_at=when,
        )
        db.session.commit()
        return diary.id


# -- the Atom feed ---------------------------------------------------------------------------


def test_atom_feed_carries_only_public_diaries_for_anyone(app, make_member):
    owner = make_member("owner", nickname="たろう<&>")
    public = write(app, owner, '公開 <b>&amp;</b> "日記"', "本文です。\n二行目 & <script>")
    for level in ("fof", "friends", "private"):
        write(app, owner, f"秘密の{level}", f"見せない{level}", level)
    client = app.test_client()

    response = client.get(f"/feeds/users/{owner}/diaries.atom")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.data)  # noqa: S314 (our own output) well-formed, Atom
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    parsed = feedparser.parse(io.BytesIO(response.data))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert "たろう<&>" in parsed.feed.title
    assert [e.title for e in parsed.entries] == ['公開 <b>&amp;</b> "日記"']
    entry = parsed.entries[0]
    assert entry.link == f"http://localhost/diaries/{public}"
    assert entry.id == f"http://localhost/diaries/{public}"
    assert entry.content[0].value == "本文です。\n二行目 & <script>"
    assert "秘密" not in response.data.decode()
    assert "見せない" not in response.data.decode()
    # A phone gets the same UTF-8 XML: a feed is not a page.
    phone = app.test_client().get(
        f"/feeds/users/{owner}/diaries.atom", headers={"User-Agent": DOCOMO_MOVA}
    )
    assert phone.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert phone.data == response.data


def test_atom_feed_has_the_newest_twenty_and_no_session(app, make_member, browser, login):
    owner = make_member("owner")
    for n in range(22):
        write(app, owner, f"日記{n:02d}", "本文", when=datetime(2008, 5, 1, n % 24, n))
    pc = browser(PC)
    login(pc, "owner")  # logged in or not, the feed is the same
    response = pc.client.get(f"/feeds/users/{owner}/diaries.atom", base_url="http://localhost/")
    parsed = feedparser.parse(io.BytesIO(response.data))
    assert [e.title for e in parsed.entries] == [f"日記{n:02d}" for n in range(21, 1, -1)]
    assert parsed.entries[0].published == "2008-05-01T21:21:00Z"
    assert "sid=" not in response.data.decode()


def test_atom_feed_of_an_unknown_member_is_404(app, make_member):
    assert app.test_client().get("/feeds/users/999999/diaries.atom").status_code == 404


# -- the blog import -------------------------------------------------------------------------

GOOD_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>外のブログ</title><id>tag:blog.example.jp,2008:feed</id>
  <updated>2008-05-02T09:00:00+09:00</updated>
  <entry>
    <id>tag:blog.example.jp,2008:1</id>
    <title>東京タワー &amp; 夜景</title>
    <link href="https://blog.example.jp/entry/1"/>
    <published>2008-05-01T21:05:00+09:00</published>
    <updated>2008-05-01T21:05:00+09:00</updated>
    <content type="html">&lt;p&gt;一行目&lt;br&gt;二行目&lt;/p&gt;
      &lt;p&gt;段落&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;
      &lt;ul&gt;&lt;li&gt;&lt;b&gt;太字&lt;/b&gt; &amp;amp; 記号&lt;/li&gt;&lt;/ul&gt;</content>
  </entry>
  <entry>
    <id>tag:blog.example.jp,2008:2</id>
    <title>二つ目</title>
    <link href="https://blog.example.jp/entry/2"/>
    <updated>2008-05-02T09:00:00+09:00</updated>
    <summary>要約だけ</summary>
  </entry>
</feed>
"""

GOOD_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>RSS</title><link>https://rss.example.jp/</link>
<item><title>RSSの記事</title><link>https://rss.example.jp/a</link>
<description>&lt;div&gt;大阪城&lt;/div&gt;&lt;div&gt;たこ焼き&lt;/div&gt;</description>
<pubDate>Thu, 01 May 2008 12:00:00 +0900</pubDate></item>
<item><title>リンクも id もない</title><description>捨てる</description></item>
</channel></rss>
"""


def _imported(app, member_id: int) -> list[Diary]:
    with app.app_context():
        rows = db.session.scalars(
            select(Diary).where(Diary.author_id == member_id).order_by(Diary.id)
        )
        result = list(rows)
        db.session.expunge_all()
        return result


def _set_feed(app, member_id: int, url: str, visibility: str = "public") -> None:
    with app.app_context():
        blog_import.set_feed(db.session.get(Member, member_id), url, visibility)
        db.session.commit()


def _import(app, member_id: int, documents: dict[str, bytes | str]):
    def fetch(url: str):
        document = documents[url]
        return document.encode() if isinstance(document, str) else document

    with app.app_context():
        feed = db.session.get(BlogFeed, member_id)
        result = blog_import.import_feed(feed, fetch=fetch)
        db.session.commit()
        return result


def test_importing_twice_creates_no_duplicates(app, make_member):
    member = make_member("blogger")
    url = "https://blog.example.jp/feed.atom"
    _set_feed(app, member, url, "friends")

    first = _import(app, member, {url: GOOD_ATOM})
    second = _import(app, member, {url: GOOD_ATOM})

    assert (first.new, first.skipped, first.error) == (2, 0, None)
    assert (second.new, second.skipped, second.error) == (0, 2, None)
    rows = _imported(app, member)
    assert [d.title for d in rows] == ["東京タワー & 夜景", "二つ目"]
    tower, summary_only = rows
    assert tower.source_id == "tag:blog.example.jp,2008:1"
    assert tower.source_url == "https://blog.example.jp/entry/1"
    assert tower.created_at == datetime(2008, 5, 1, 12, 5)  # UTC
    assert tower.visibility == "friends"
    assert summary_only.body == "要約だけ"
    with app.app_context():
        feed = db.session.get(BlogFeed, member)
        assert feed.imported_count == 2
        assert feed.last_error is None
        assert feed.last_fetched_at is not None


def test_entry_html_becomes_plain_text(app, make_member):
    member = make_member("blogger")
    url = "https://blog.example.jp/feed.atom"
    _set_feed(app, member, url)
    _import(app, member, {url: GOOD_ATOM})
    body = _imported(app, member)[0].body
    assert body == "一行目\n二行目\n段落\n太字 & 記号"
    assert "<" not in body
    assert "alert" not in body


def test_html_to_text_strips_every_tag_itself():
    text = blog_import.html_to_text(
        "<p>a<script>alert(1)</script>&lt;b&gt;</p>\n\n<div>b<br/>c</div>"
        "<p></p><p></p><p></p><p>d&nbsp;e</p><style>p{}</style><img src=x onerror=alert(1)>"
    )
    assert text == "a<b>\nb\nc\n\nd\xa0e"


def test_rss_items_without_id_fall_back_to_link_or_are_skipped(app, make_member):
    member = make_member("blogger")
    url = "http://rss.example.jp/rss"
    _set_feed(app, member, url)
    result = _import(app, member, {url: GOOD_RSS})
    assert (result.new, result.skipped) == (1, 1)
    (diary,) = _imported(app, member)
    assert diary.source_id == "https://rss.example.jp/a"
    assert diary.body == "大阪城\nたこ焼き"


def test_broken_feeds_are_recorded_never_raised(app, make_member):
    member = make_member("blogger")
    url = "https://blog.example.jp/feed"
    _set_feed(app, member, url)

    garbage = _import(app, member, {url: b"<html><body>not a feed"})
    assert garbage.error
    assert "not an RSS or Atom feed" in garbage.error

    def down(url):
        raise feed_fetch.FetchError("HTTP 503 Service Unavailable")

    with app.app_context():
        result = blog_import.import_feed(db.session.get(BlogFeed, member), fetch=down)
        assert result.error == "HTTP 503 Service Unavailable"
        assert db.session.get(BlogFeed, member).last_error == result.error
    assert _imported(app, member) == []


@pytest.mark.parametrize("url", ["ftp://example.jp/feed", "javascript:alert(1)", "/feed", ""])
def test_feed_address_must_be_http(ctx, make_member, url):
    member = db.session.get(Member, make_member("blogger"))
    with pytest.raises(ServiceError):
        blog_import.set_feed(member, url, "public")


def test_private_addresses_are_refused_by_default(ctx, make_member):
    member = db.session.get(Member, make_member("blogger"))
    feed = blog_import.set_feed(member, "http://127.0.0.1:9/feed", "public")
    result = blog_import.import_feed(feed)
    assert result.error
    assert "not allowed" in result.error


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def blog_server(tmp_path, app, monkeypatch):
    """Serve tmp_path over HTTP on 127.0.0.1 (the import may reach loopback in this test)."""
    monkeypatch.setitem(app.config, "BLOG_IMPORT_ALLOW_PRIVATE", True)
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_cli_imports_good_feeds_despite_broken_ones(app, make_member, runner, blog_server):
    root, base = blog_server
    (root / "good.atom").write_text(GOOD_ATOM, encoding="utf-8")
    (root / "garbage.xml").write_bytes(b"\x00\xff garbage \x89PNG")
    broken = make_member("broken")
    garbage = make_member("garbage")
    good = make_member("good")
    _set_feed(app, broken, f"{base}/missing.atom")
    _set_feed(app, garbage, f"{base}/garbage.xml")
    _set_feed(app, good, f"{base}/good.atom")

    result = runner.invoke(args=["import-feeds"])

    assert result.exit_code == 0, result.output
    assert "3 feeds: 2 new diaries" in result.output
    assert "2 feeds failed" in result.output
    assert f"member {broken}:" in result.output
    assert "404" in result.output
    assert [d.title for d in _imported(app, good)] == ["東京タワー & 夜景", "二つ目"]
    with app.app_context():
        assert "404" in db.session.get(BlogFeed, broken).last_error
        assert "not an RSS or Atom feed" in db.session.get(BlogFeed, garbage).last_error
        assert db.session.get(BlogFeed, good).last_error is None

    again = runner.invoke(args=["import-feeds"])
    assert again.exit_code == 0, again.output
    assert "0 new diaries, 2 entries skipped" in again.output
    assert len(_imported(app, good)) == 2


def test_blog_settings_page_sets_and_removes_the_feed(app, make_member, browser, login):
    member = make_member("blogger")
    pc = browser(PC)
    login(pc, "blogger")
    settings = pc.get("/settings")
    links = [href for href, _ in settings.links if urlsplit(href).path == "/settings/blog"]
    assert links, "the settings page links to the blog import"
    assert pc.get(links[0]).status == 200

    refused = pc.submit("/settings/blog", {"url": "ftp://blog.example.jp/", "visibility": "fof"})
    assert refused.status == 400
    with app.app_context():
        assert db.session.get(BlogFeed, member) is None

    pc.get("/settings/blog")
    saved = pc.submit(
        "/settings/blog", {"url": "https://blog.example.jp/feed", "visibility": "fof"}
    )
    assert saved.status == 200
    assert urlsplit(saved.url).path == "/settings/blog"
    assert "https://blog.example.jp/feed" in saved.text
    with app.app_context():
        feed = db.session.get(BlogFeed, member)
        assert (feed.url, feed.visibility) == ("https://blog.example.jp/feed", "fof")

    removed = pc.submit("/settings/blog", {"remove": "1"})
    assert removed.status == 200
    with app.app_context():
        assert db.session.get(BlogFeed, member) is None


def test_blog_settings_on_a_cookieless_docomo(app, make_member, browser, login):
    member = make_member("blogger")
    _set_feed(app, member, "https://blog.example.jp/" + "a" * 150)
    with app.app_context():
        db.session.get(BlogFeed, member).last_error = "E" * 500
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "blogger")
    page = phone.get(f"/settings/blog?sid={sid_of(home.url)}")  # strict app: fits 5 KB
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    form = page.form("/settings/blog")
    assert form.fields["url"].startswith("https://blog.example.jp/")
    assert sid_of(form.action)


# -- search ----------------------------------------------------------------------------------


@pytest.fixture
def world(app, make_member):
    """owner writes at every level; friend, fof, stranger and a member owner blocked read."""
    circle = make_circle(app, make_member, owner_nickname="オーナー")
    ids = {
        level: write(
            app,
            circle["owner"],
            f"{level}の日記",
            f"今日は東京タワーに行きました。{level}のために書いた。",
            level,
            when=datetime(2008, 5, n + 1),
        )
        for n, level in enumerate(("public", "fof", "friends", "private"))
    }
    return {**circle, "diaries": ids}


READABLE = {
    "owner": ["private", "friends", "fof", "public"],
    "friend": ["friends", "fof", "public"],
    "fof": ["fof", "public"],
    "stranger": ["public"],
    "blocked": [],
}


@pytest.mark.parametrize("query", ["東京タワー", "東京", "タワーに行", "京"])
@pytest.mark.parametrize("viewer", list(READABLE))
def test_search_finds_words_inside_japanese_text_as_the_viewer_may_read(ctx, world, viewer, query):
    found, total = search_diaries(world[viewer], query, 0, 10)
    expected = [world["diaries"][level] for level in READABLE[viewer]]
    assert [d.id for d in found] == expected  # newest first
    assert total == len(expected)


def test_search_as_a_visitor_sees_public_diaries_only(ctx, world):
    found, total = search_diaries(None, "東京タワー", 0, 10)
    assert [d.id for d in found] == [world["diaries"]["public"]]
    assert total == 1


def test_search_matches_titles_and_pages(ctx, world, app):
    for n in range(3):
        write(app, world["stranger"], f"大阪の話{n}", "たこ焼き", when=datetime(2009, 1, n + 1))
    found, total = search_diaries(world["stranger"], "大阪の", 1, 1)
    assert total == 3
    assert [d.title for d in found] == ["大阪の話1"]
    found, total = search_diaries(world["stranger"], "大阪", 0, 10)
    assert [d.title for d in found] == ["大阪の話2", "大阪の話1", "大阪の話0"]


def test_search_index_follows_edits_and_deletions(ctx, world):
    owner = db.session.get(Member, world["owner"])
    diary = db.session.get(Diary, world["diaries"]["public"])
    diaries.update(
        owner,
        diary,
        title="改題",
        body="富士山に登った",
        visibility="public",
        comments_closed=False,
    )
    db.session.commit()
    assert search_diaries(None, "東京タワー", 0, 10) == ([], 0)
    assert [d.id for d in search_diaries(None, "富士山に", 0, 10)[0]] == [diary.id]
    diaries.delete(owner, diary)
    db.session.commit()
    assert search_diaries(None, "富士山に", 0, 10) == ([], 0)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("%", ["100%達成"]),
        ("_", ["a_b"]),
        ("0%達", ["100%達成"]),
        ('"東京" OR *', []),
        ("NEAR(a b)", []),
        ("ＡＢＣ", ["ABCの歌"]),  # full-width letters find half-width ones
        ("abc", ["ABCの歌"]),
        ("  ", []),
    ],
)
def test_search_treats_the_query_as_plain_text(ctx, app, make_member, query, titles):
    author = make_member("author")
    for title in ("100%達成", "a_b", "ABCの歌", "普通の日記"):
        write(app, author, title, "本文")
    found, total = search_diaries(author, query, 0, 10)
    assert sorted(d.title for d in found) == sorted(titles)
    assert total == len(titles)


def test_snippet_shows_the_text_around_the_match():
    body = "あ" * 50 + "東京タワー" + "い" * 50
    piece = snippet(body, "東京タワー", 20)
    assert "東京タワー" in piece
    assert piece.startswith("…")
    assert piece.endswith("…")
    assert snippet("短い\n本文", "x", 20) == "短い 本文"


def test_search_page_needs_login(app):
    response = app.test_client().get("/search?q=東京")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_search_page_lists_what_the_viewer_may_read(app, world, browser, login):
    pc = browser(PC)
    login(pc, "stranger")
    page = pc.get("/search?" + urlencode({"q": "東京タワー"}))
    assert page.status == 200
    assert "publicの日記" in page.text
    for hidden in ("fof", "friends", "private"):
        assert f"{hidden}の日記" not in page.text
    assert page.link("publicの日記") == f"/diaries/{world['diaries']['public']}"
    assert "オーナー" in page.text
    assert pc.get("/search").status == 200  # the form alone


def test_search_pages_on_a_cookieless_docomo_keep_the_query(app, make_member, browser, login):
    author = make_member("author", nickname="長" * 40)
    for n in range(7):
        write(app, author, "東" * 99 + str(n), "東京" * 500, when=datetime(2008, 5, n + 1))
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "author").url)
    form_page = phone.get(f"/search?sid={sid}")
    form = form_page.form("/search")
    assert form.fields == {"sid": sid, "q": ""}  # the session travels in the GET form
    first = phone.get("/search?" + urlencode({"q": "東京", "sid": sid}, encoding="cp932"))
    assert first.status == 200  # strict app: within the 5 KB budget
    assert "1/2" in first.text
    assert first.text.count("東" * 99) == 5
    second = phone.click("[6]")
    assert second.status == 200
    assert "2/2" in second.text
    assert second.text.count("東" * 99) == 2
    assert 'value="東京"' in second.text
    assert sid_of(second.url) == sid


@pytest.mark.parametrize(("query", "indexed"), [("東京タワー", True), ("東京", False)])
def test_long_queries_use_the_trigram_index_short_ones_like(ctx, world, query, indexed):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        found, _total = search_diaries(world["stranger"], query, 0, 10)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [d.id for d in found] == [world["diaries"]["public"]]
    sql = " ".join(statements).upper()
    if engine.dialect.name == "sqlite":
        assert ("DIARY_FTS MATCH" in sql) == indexed
        assert ("LIKE" in sql) != indexed
    else:  # PostgreSQL: ILIKE, which the pg_trgm GIN indexes answer from 3 characters
        assert "ILIKE" in sql


def test_deleting_a_member_removes_their_diaries_from_the_index(ctx, world):
    owner = db.session.get(Member, world["owner"])
    db.session.delete(owner)
    db.session.commit()
    assert search_diaries(world["stranger"], "東京タワー", 0, 10) == ([], 0)
    if db.engine.dialect.name == "sqlite":
        rows = db.session.execute(text("SELECT count(*) FROM diary_fts_docsize")).scalar()
        assert rows == 0

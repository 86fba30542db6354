"""A member's home comes from the cache while nothing changed, and never shows what changed
or what its viewer may not see (issue 11.4)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Member
from portal.services import diaries, social
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import PASSWORD
from tests.queries import statements

AGENTS = pytest.mark.parametrize("agent", [DOCOMO_MOVA, PC], ids=["docomo", "pc"])


def home_url(client, agent) -> str:
    return client.page.url if agent == DOCOMO_MOVA else "/home"


def write_diary(app, author: int, title: str, visibility: str = "friends") -> None:
    with app.app_context():
        member = db.session.get(Member, author)
        diaries.create(member, title=title, body="本文", visibility=visibility)
        db.session.commit()


@pytest.fixture
def pair(app, make_member):
    taro = make_member("taro", nickname="たろう")
    hana = make_member("hana", nickname="はな", friends=(taro,))
    return taro, hana


@AGENTS
def test_a_reloaded_home_is_the_same_page_from_the_cache(app, browser, login, pair, agent):
    client = browser(agent, cookies=agent == PC)
    first = login(client, "taro")
    url = home_url(client, agent)
    with statements(app) as seen:
        again = client.get(url)
    assert again.body == first.body
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert again.headers["Cache-Control"] == "private, no-store"
    # Nothing is read: not the member, not the page, and the session is the cache's copy (a
    # PC's home after the login saved the session, showing the login's notice: its row is read
    # once more, and kept).
    assert len(seen) == (1 if agent == PC else 0), "\n".join(s[:90] for s in seen)
    with statements(app) as seen:
        assert client.get(url).body == first.body
    assert not seen, "\n".join(s[:90] for s in seen)


@AGENTS
def test_a_friends_new_diary_shows_at_once(app, browser, login, pair, agent):
    taro, hana = pair
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    url = home_url(client, agent)
    assert "春の日記" not in client.get(url).text
    write_diary(app, hana, "春の日記")
    assert "春の日記" in client.get(url).text


@AGENTS
def test_a_block_hides_the_blockers_diary_from_the_cached_home(app, browser, login, pair, agent):
    taro, hana = pair
    write_diary(app, hana, "春の日記", visibility="public")
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    url = home_url(client, agent)
    assert "春の日記" in client.get(url).text
    with app.app_context():
        social.block(db.session.get(Member, hana), db.session.get(Member, taro))
        db.session.commit()
    page = client.get(url)
    assert "春の日記" not in page.text
    assert "はな" not in page.text


def test_another_member_never_gets_my_cached_home(app, browser, login, pair, make_member):
    make_member("jiro", nickname="じろう")
    write_diary(app, pair[1], "友だちだけの日記")
    taro = browser(PC)
    assert "友だちだけの日記" in login(taro, "taro").text
    taro.get("/home")
    jiro = browser(PC)
    page = login(jiro, "jiro")
    assert "じろう" in page.text
    assert "友だちだけの日記" not in page.text
    assert "友だちだけの日記" not in jiro.get("/home").text


def test_each_device_and_session_gets_its_own_page(app, browser, login, pair):
    pc = browser(PC)
    login(pc, "taro")
    pc_home = pc.get("/home")
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone_home = login(phone, "taro")
    assert phone_home.charset == "Shift_JIS"
    assert pc_home.charset == "UTF-8"
    other_pc = browser(PC)
    login(other_pc, "taro")
    other = other_pc.get("/home")
    # Each session's forms carry its own CSRF token.
    assert (
        other.form("/logout").fields["csrf_token"] != pc_home.form("/logout").fields["csrf_token"]
    )


def test_a_language_switch_changes_the_cached_home(app, browser, login, pair):
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    assert home.html_lang == "ja"
    english = phone.click("English")
    assert english.html_lang == "en"
    assert phone.get(english.url).html_lang == "en"


def test_the_cache_can_be_turned_off(make_app, make_member):
    app = make_app(PAGE_CACHE_SECONDS=0)
    assert not app.config["PAGE_CACHE_SECONDS"]


@AGENTS
def test_a_new_message_and_its_reading_show_at_once_in_the_cached_inbox(
    app, browser, login, pair, agent
):
    from portal.services import messages

    taro, hana = pair
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    inbox = client.get(client.page.link("[*]") if agent == DOCOMO_MOVA else "/messages")
    assert "春のお便り" not in inbox.text
    with app.app_context():
        sender = db.session.get(Member, hana)
        sent = messages.send(sender, to=taro, subject="春のお便り", body="こんにちは")
        db.session.commit()
        sent_id = sent.id
    with statements(app) as seen:
        page = client.get(inbox.url)
    assert "春のお便り" in page.text
    assert len(seen) > 1  # made again: something changed
    with statements(app) as seen:
        again = client.get(inbox.url)
    assert again.body == page.body
    assert not seen  # nothing changed: from the cache (the session's copy too)
    client.get(next(h for h, _ in page.links if f"/messages/{sent_id}" in h))
    read = client.get(inbox.url)
    assert read.body != page.body  # no longer unread


def test_visitors_share_the_top_page_each_with_their_own_token(app, browser, make_member):
    make_member("taro", nickname="たろう")
    first, second = browser(PC), browser(PC)
    one, two = first.get("/"), second.get("/")  # the second is a copy of the first's page
    token_one = one.form("/login").fields["csrf_token"]
    token_two = two.form("/login").fields["csrf_token"]
    assert token_one != token_two
    assert one.body.replace(token_one.encode(), b"") == two.body.replace(token_two.encode(), b"")
    # Each visitor's own token logs in from the copy; another visitor's is refused.
    fields = {"email": "taro@example.jp", "password": PASSWORD}
    refused = first.client.post(
        "/login", data={**fields, "csrf_token": token_two}, headers={"User-Agent": PC}
    )
    assert refused.status_code == 400
    home = second.submit("/login", fields)
    assert home.status == 200
    assert "たろう" in home.text


def test_a_phone_visitor_gets_its_own_id_in_the_cached_top_pages_links(app, browser, make_member):
    make_member("taro", nickname="たろう")
    first, second = browser(DOCOMO_MOVA, cookies=False), browser(DOCOMO_MOVA, cookies=False)
    one, two = first.get("/"), second.get("/")
    sid_one = sid_of(one.form("/login").action)
    sid_two = sid_of(two.form("/login").action)
    assert sid_one
    assert sid_two
    assert sid_one != sid_two
    assert sid_one not in two.body.decode("cp932")
    home = second.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert home.status == 200
    assert "たろう" in home.text


def _diary_of(app, author: int, title: str) -> int:
    with app.app_context():
        member = db.session.get(Member, author)
        diary = diaries.create(member, title=title, body="本文", visibility="friends")
        db.session.commit()
        return diary.id


def _footprints_on(app, visited: int) -> int:
    from sqlalchemy import func, select

    from portal.models import Footprint

    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Footprint).where(Footprint.visited_id == visited)
        )


@AGENTS
def test_a_diary_from_the_cache_still_leaves_a_footprint(app, browser, login, pair, agent):
    from sqlalchemy import text

    taro, hana = pair
    client, url = _hanas_diary_kept(app, browser, login, pair, agent)
    assert _footprints_on(app, hana) == 1
    with app.app_context(), db.engine.begin() as conn:  # gone behind the page cache's back
        conn.execute(text("DELETE FROM footprints"))
    with statements(app) as seen:
        again = client.get(url)
    assert "はなの日記" in again.text
    assert not any(sql.startswith("SELECT diaries") for sql in seen)  # from the cache
    assert _footprints_on(app, hana) == 1  # written again: the copy's visit counts


def _change_member(app, member_id: int, **values) -> None:
    with app.app_context():
        member = db.session.get(Member, member_id)
        for name, value in values.items():
            setattr(member, name, value)
        db.session.commit()


@AGENTS
def test_a_stopped_login_ends_the_cached_home_at_once(app, browser, login, pair, agent):
    # A copy is found before the member is loaded: the stop is a change, so none is served.
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    url = home_url(client, agent)
    assert "たろう" in client.get(url).text
    _change_member(app, pair[0], login_stopped=True)
    page = client.get(url, follow=False)
    assert page.status == 302
    assert "/login" in page.headers["Location"]


@AGENTS
def test_a_saved_language_and_kana_width_change_the_cached_home(app, browser, login, pair, agent):
    # The key names what the language is chosen from, not the choice: the member's own
    # setting is a change of the content version.
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    url = home_url(client, agent)
    assert client.get(url).html_lang == "ja"
    _change_member(app, pair[0], locale="en")
    assert client.get(url).html_lang == "en"
    _change_member(app, pair[0], locale="ja")
    if agent == DOCOMO_MOVA:  # UI katakana half-width on Shift_JIS phones, unless turned off
        assert "ﾏｲﾐｸ" in client.get(url).text
        _change_member(app, pair[0], hankaku=False)
        assert "マイミク" in client.get(url).text


@AGENTS
def test_repeated_copies_of_a_diary_read_its_footprint_once(app, browser, login, pair, agent):
    # The footprint's time is kept per content version: the second copy reads nothing (the
    # session is the cache's copy), and a visit after the repeat window writes a new footprint
    # all the same.
    from datetime import timedelta

    from portal.services import footprints

    taro, hana = pair
    client, url = _hanas_diary_kept(app, browser, login, pair, agent)
    counts = []
    for _ in range(2):
        with statements(app) as seen:
            assert "はなの日記" in client.get(url).text
        counts.append(len(seen))
    assert counts == [1, 0]  # the footprint's time (the session is the cache's copy); then none
    with app.app_context():  # after the repeat window, the kept time asks for a new one
        visitor = footprints.Visitor(taro, True)
        kept = _footprint_time(app, hana, taro)
        later = kept + timedelta(minutes=6)
        assert not footprints.revisit(visitor, hana, kept, last_visit=lambda read: kept)
        assert footprints.revisit(visitor, hana, later, last_visit=lambda read: kept)


def _footprint_time(app, visited: int, visitor: int):
    from portal.models import Footprint

    with app.app_context():
        return db.session.scalar(
            db.select(Footprint.visited_at).where(
                Footprint.visited_id == visited, Footprint.visitor_id == visitor
            )
        )


def _hanas_diary_kept(app, browser, login, pair, agent):
    """Log taro in and read hana's diary twice: the first visit leaves his footprint (a
    change), the second makes the page again and keeps it. Return the client and the URL."""
    diary = _diary_of(app, pair[1], "はなの日記")
    client = browser(agent, cookies=agent == PC)
    login(client, "taro")
    url = client.page.url.replace("/home", f"/diaries/{diary}") if agent == DOCOMO_MOVA else None
    url = url or f"/diaries/{diary}"
    assert "はなの日記" in client.get(url).text
    client.get(url)
    return client, url

"""Query budgets of the pages `make bench` measures (issue 11.3: at most 8 SQL statements per
page), exact per page and rendering, on the demo world, on SQLite and PostgreSQL alike.

Each page is loaded twice by taro. The first visit is uncached: something changed elsewhere
just before (the page cache's content version moved), so the page is made afresh. The first
visit of a profile or diary leaves a footprint (one upsert after the commit, and the visited
member's new-footprints counter in the same transaction), a repeat within minutes writes
nothing. Lists are loaded in one query with their authors; facts about the viewer are read
beside the row they concern.

The session is read from the cache (``portal.session_store.CachedSessionStore``): its row was
read on an earlier page and nothing has written it since. Home (PC): the member, my facts (my
profile; friend total and new footprints are my row's counters), my friends, their birthdays,
every feed section in one statement (friends' and favourites' diaries, albums, unread comments,
reviews, community updates, notices: ``portal.services.home_feed``) and my communities with
their images. A phone shows no column: no profile, no communities, so no query for my facts at
all. Messages: the member, a page of the folder with its total (one query).

A repeat visit with nothing changed is served from the page cache with no query at all (the
member is not loaded: the copy's key is built from the session, itself the cache's copy), but on
a diary one read of taro's footprint on its author (still recent: nothing written).
The profile's repeat is made again, since the first visit's footprint was a change; on the
phone it reads the session's row too (the first visit saved its CSRF token: a write). The menus'
unread count is the member's counter (``portal.services.counters``): no query.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bench.scenarios import SEARCH_WORD
from portal import page_cache
from portal.extensions import db
from portal.models import CommunityMember, Diary, Member, Topic
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.queries import statements
from tests.test_demo import DEMO_PASSWORD, seed

BUDGET = 8

#: page: (statements on the first visit, on a repeat visit), in this order. The diary is
#: hanako's, whose profile taro just visited: its footprint is already there. On the phone the
#: profile is the first page with a form since the login: its CSRF token is saved in the
#: session (one UPDATE) on the first visit.
PC_EXPECTED = {
    "home": (6, 0),
    "messages": (2, 0),
    "profile": (6, 4),
    "diary": (5, 1),
    "community": (4, 0),
    "topic": (4, 0),
    "search": (6, 0),  # with the community thumbnails, one query for all of them
}
EXPECTED = {
    PC: PC_EXPECTED,
    DOCOMO_MOVA: {**PC_EXPECTED, "home": (4, 0), "profile": (7, 5), "search": (5, 0)},
}
#: A visitor's top page (the login form), twice: made once for every visitor on the device and
#: served from the cache since. A PC sends its anonymous cookie back the second time: its
#: session is looked up (nothing is stored for it).
VISITOR_EXPECTED = {PC: (0, 1), DOCOMO_MOVA: (0, 0)}


@pytest.fixture
def demo_pages(app, runner):
    """The pages bench/scenarios.py measures: hanako's profile, her newest public diary, taro's
    first community and its newest topic."""
    seed(runner)
    with app.app_context():
        ids = dict(db.session.execute(select(Member.email, Member.id)).all())
        taro, hanako = ids["taro@example.jp"], ids["hanako@example.jp"]
        diary = db.session.scalar(
            select(Diary.id)
            .where(Diary.author_id == hanako, Diary.visibility == "public", ~Diary.hidden)
            .order_by(Diary.created_at.desc())
        )
        community = db.session.scalar(
            select(CommunityMember.community_id)
            .where(CommunityMember.member_id == taro)
            .order_by(CommunityMember.community_id)
        )
        topic = db.session.scalar(
            select(Topic.id)
            .where(Topic.community_id == community, ~Topic.hidden)
            .order_by(Topic.last_activity_at.desc())
        )
        db.session.remove()
    return {
        "profile": f"/users/{hanako}",
        "diary": f"/diaries/{diary}",
        "community": f"/communities/{community}",
        "topic": f"/topics/{topic}",
    }


def _path(pages: dict[str, str], name: str, agent: str, sid: str | None) -> str:
    if name in ("home", "messages"):
        path = f"/{name}"
    elif name == "search":
        encoding = "cp932" if agent == DOCOMO_MOVA else "utf-8"
        path = "/search?" + urlencode({"q": SEARCH_WORD}, encoding=encoding)
    else:
        path = pages[name]
    if sid:
        path += ("&" if "?" in path else "?") + urlencode({"sid": sid})
    return path


#: What each page shows taro, in either rendering (hanako's name on her profile).
SHOWS = {"profile": "はなこ"}


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_member_pages_run_an_exact_number_of_queries_within_the_budget(
    app, browser, demo_pages, agent, monkeypatch
):
    # The page cache's key holds the minute: a repeat that fell in the next minute would be
    # made afresh, so the page cache's clock is held (the repeat must be the copy).
    held = time.time()
    monkeypatch.setattr(page_cache, "time", SimpleNamespace(time=lambda: held))
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    client.get("/login")
    home = client.submit("/login", {"email": "taro@example.jp", "password": DEMO_PASSWORD})
    client.get(_path(demo_pages, "home", agent, sid_of(home.url)))  # the login's flash is gone
    charset = "Shift_JIS" if agent == DOCOMO_MOVA else "UTF-8"
    counted, footprints = {}, []
    for name in EXPECTED[agent]:
        path = _path(demo_pages, name, agent, sid_of(home.url))
        visits = []
        for visit in range(2):
            if visit == 0:
                _changed_elsewhere(app)
            with statements(app) as seen:
                page = client.get(path)
            assert page.status == 200, (name, page.status)
            assert page.charset.lower() == charset.lower(), (name, page.charset)
            assert SHOWS.get(name, "") in page, name
            visits.append(len(seen))
            footprints.append(any("INSERT INTO footprints" in sql for sql in seen))
        counted[name] = tuple(visits)
        if name == "profile":  # the first visit leaves taro's footprint, the repeat none
            assert footprints[-2:] == [True, False]
    assert counted == EXPECTED[agent]
    assert max(n for visits in counted.values() for n in visits) <= BUDGET


def _changed_elsewhere(app) -> None:
    """Move the page cache's content version, as another member's change does: the next page
    is made afresh (an uncached visit)."""
    with app.app_context():
        page_cache.bump()


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_the_visitors_top_page_runs_an_exact_number_of_queries(app, browser, runner, agent):
    seed(runner)
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    _changed_elsewhere(app)
    visits = []
    for _ in range(2):
        with statements(app) as seen:
            page = client.get("/")
        assert page.status == 200
        assert 'name="password"' in page
        visits.append(len(seen))
    assert tuple(visits) == VISITOR_EXPECTED[agent]

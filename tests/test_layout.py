"""The PC layout: my column on home (my picture, nickname and summary, nine friends with their
friend counts, my communities with their images), the area tabs with the current one marked,
and a smartphone menu that needs no script. Phones (the mobile tree) get none of it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal import demo
from portal.extensions import db
from portal.models import Community, CommunityMember, Diary, Member, Photo
from portal.services.friends import friend_count
from tests.browser import DOCOMO_MOVA, IPHONE, PC, Browser
from tests.crawl import log_in


@pytest.fixture
def demo_world(app, db):
    with app.app_context():
        demo.seed()
        db.session.commit()
        taro = db.session.scalar(select(Member).where(Member.email == f"taro@{demo.DEMO_DOMAIN}"))
        joined = select(CommunityMember.community_id).where(CommunityMember.member_id == taro.id)
        with_image = db.session.scalars(
            select(Photo.community_id).where(Photo.community_id.in_(joined))
        ).all()
        return {"taro": taro.id, "friends": friend_count(taro.id), "with_image": with_image}


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def test_home_has_my_column_with_friends_and_communities(app, demo_world):
    home = log_in(Browser(app, PC), "taro")
    side = _section(home.text, '<aside class="side">', "</aside>")
    assert f'<a href="/users/{demo_world["taro"]}">たろう</a> ({demo_world["friends"]})' in side
    assert "東京" in side, "my profile summary (area)"
    grids = re.findall(r'<ul class="grid3">(.*?)</ul>', side, re.S)
    friends, communities = grids
    cells = re.findall(r'<li><a href="/users/(\d+)"><img [^>]*>.*?\((\d+)\)</span>', friends)
    assert len(cells) == 9, "a 3x3 grid of friends"
    with app.app_context():
        for member_id, count in cells:
            assert friend_count(int(member_id)) == int(count)
    shown = re.findall(r'<a href="/communities/(\d+)"><img src="([^"]+)"', communities)
    assert 0 < len(shown) <= 9
    assert demo_world["with_image"], "the demo gives some of my communities an image"
    for community_id, src in shown:
        if int(community_id) in demo_world["with_image"]:
            assert re.fullmatch(r"/photos/\d+\?size=thumb", src.replace("&amp;", "&"))
        else:
            assert src.startswith("/photos/none"), "the neutral picture"
    with app.app_context():
        names = [db.session.get(Community, int(i)).name for i, _ in shown]
    assert all(name in communities for name in names)


@pytest.mark.parametrize(
    ("path", "tab"), [("/home", "/home"), ("/calendar", "/calendar"), ("/friends", "/friends")]
)
def test_the_current_area_tab_is_marked(app, demo_world, path, tab):
    client = Browser(app, PC)
    log_in(client, "taro")
    page = client.get(path)
    tabs = _section(page.text, '<nav class="tabs"', "</nav>")
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', tabs) == [tab]


def test_another_members_diary_is_in_the_friends_area_and_mine_in_my_diary(app, demo_world):
    with app.app_context():
        hanako = db.session.scalar(
            select(Member.id).where(Member.email == f"hanako@{demo.DEMO_DOMAIN}")
        )
        theirs, mine = (
            db.session.scalar(select(Diary.id).where(Diary.author_id == author).order_by(Diary.id))
            for author in (hanako, demo_world["taro"])
        )
    client = Browser(app, PC)
    log_in(client, "taro")
    for path, tab in (
        (f"/diaries/{theirs}", "/friends"),
        (f"/users/{hanako}/diaries", "/friends"),
        (f"/diaries/{mine}", f"/users/{demo_world['taro']}/diaries"),
        (f"/users/{demo_world['taro']}/diaries", f"/users/{demo_world['taro']}/diaries"),
    ):
        tabs = _section(client.get(path).text, '<nav class="tabs"', "</nav>")
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', tabs) == [tab], path


def test_smartphones_get_a_menu_without_script(app, demo_world):
    phone = Browser(app, IPHONE)
    home = log_in(phone, "taro")
    menu = _section(home.text, '<details class="menu">', "</details>")
    assert "<summary>" in menu
    assert "/messages" in menu
    assert "/logout" in menu, "log out is in the menu too"
    assert "<script" not in home.text.lower()


def test_keitai_home_has_no_column(app, demo_world):
    phone = Browser(app, DOCOMO_MOVA, cookies=False)
    home = log_in(phone, "taro")
    assert 'class="side"' not in home.text
    assert "<img" not in home.text

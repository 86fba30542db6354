"""Every list the issue names (13.1) shows members by their avatar on PCs and smartphones: the
home friend grid, profiles, friend lists, footprints, comments, messages, search results and
community member lists; community lists and search show each community's thumbnail. Phones
(the mobile tree) show a small picture on the profile only, and link everywhere else."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from portal import demo
from portal.models import Community, CommunityMember, Diary, DiaryComment, Member, Message, Photo
from tests.browser import DOCOMO_MOVA, IPHONE, PC, Browser, sid_of
from tests.crawl import log_in

AVATAR = re.compile(r'<img[^>]*src="/users/(\d+)/avatar\?s=\d+"')
IMG = re.compile(r"<img\b[^>]*>")


@pytest.fixture
def demo_pages(app, db):
    with app.app_context():
        demo.seed()
        db.session.commit()

        def member(name):
            return db.session.scalar(
                select(Member.id).where(Member.email == f"{name}@{demo.DEMO_DOMAIN}")
            )

        taro, hanako = member("taro"), member("hanako")
        diary = db.session.scalar(
            select(Diary.id)
            .join(DiaryComment, DiaryComment.diary_id == Diary.id)
            .where(Diary.author_id == hanako, Diary.visibility == "public")
            .order_by(Diary.id)
        )
        message = db.session.scalar(
            select(Message.id).where(Message.recipient_id == taro).order_by(Message.id)
        )
        community = db.session.scalar(
            select(CommunityMember.community_id)
            .where(CommunityMember.member_id == taro)
            .order_by(CommunityMember.community_id)
        )
        imaged = set(
            db.session.scalars(select(Photo.community_id).where(Photo.community_id.is_not(None)))
        )
        assert len(imaged) == db.session.scalar(select(db.func.count(Community.id))), (
            "the demo gives every community an image"
        )
    return {
        "home": "/home",
        "profile": f"/users/{hanako}",
        "friends": "/friends",
        "her friends": f"/users/{hanako}/friends",
        "footprints": "/footprints",
        "comments": f"/diaries/{diary}",
        "messages": "/messages",
        "a message": f"/messages/{message}",
        "member search": "/search?type=members&q=" + quote("は"),
        "community members": f"/communities/{community}/members",
    }


@pytest.mark.parametrize("agent", [PC, IPHONE], ids=["pc", "smartphone"])
def test_every_member_list_shows_avatars(app, demo_pages, agent):
    client = Browser(app, agent)
    log_in(client, "taro")
    for name, path in demo_pages.items():
        page = client.get(path)
        assert page.status == 200, (name, page.status)
        shown = set(AVATAR.findall(page.text))
        assert shown, f"{name} ({path}) shows no avatar"
        assert len(shown) >= (3 if name in ("home", "friends", "footprints", "messages") else 1), (
            name,
            shown,
        )


@pytest.mark.parametrize("agent", [PC, IPHONE], ids=["pc", "smartphone"])
def test_community_lists_and_search_show_thumbnails(app, demo_pages, agent):
    client = Browser(app, agent)
    log_in(client, "taro")
    for path in (
        "/communities",
        "/communities?list=popular",
        "/search?type=communities&q=" + quote("部"),
    ):
        page = client.get(path)
        assert page.status == 200, path
        rows = re.findall(r"<li>(.*?)</li>", page.text, re.S)
        listed = [r for r in rows if re.search(r'href="/communities/\d+"', r)]
        assert listed, path
        for row in listed:
            assert re.search(r'<img[^>]*src="/photos/\d+\?size=thumb"', row), (path, row[:200])


def test_phones_show_a_thumbnail_on_the_profile_only(app, demo_pages):
    client = Browser(app, DOCOMO_MOVA, cookies=False)
    home = log_in(client, "taro")
    sid = sid_of(home.url)
    for name, path in demo_pages.items():
        page = client.get(path + ("&" if "?" in path else "?") + f"sid={sid}")
        assert page.status == 200, (name, page.status)
        images = IMG.findall(page.text)
        if name == "profile":
            assert len(images) == 1, images
            assert "size=thumb" in images[0]
        else:
            assert images == [], (name, images)

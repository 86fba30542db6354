"""Avatars everywhere on PC and smartphone lists: every member has one stable avatar URL
(``/users/<id>/avatar?s=40|76|180``) that the lists use without looking anything up; it answers
the main photo the viewer may see, else the neutral picture (hidden, blocked, none, visitor:
the same bytes), with an ETag so a browser revalidates (``no-cache``) and never shows from its
cache a photo hidden since."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import Block, Member, Photo, PhotoVariant
from portal.services import diaries, diary_comments, profile_photos
from tests.browser import PC, Browser
from tests.test_demo import seed
from tests.test_diary_pages import logged_in
from tests.test_photo_pages import is_image
from tests.test_profile_photos import (
    add_photos,
    avatar_photo_shown,
    avatar_src,
    set_visibility,
)

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def test_lists_show_each_member_by_their_avatar_url(app, make_member):
    taro = make_member("taro", nickname="たろう")
    hanako = make_member("hanako", nickname="はなこ", friends=(taro,))
    (photo,) = add_photos(app, hanako)
    with app.app_context():
        diary = diaries.create(
            db.session.get(Member, taro), title="晴れ", body="散歩した。", visibility="public"
        )
        diary_comments.THREAD.add(db.session.get(Member, hanako), diary, "いいね")
        db.session.commit()
        diary_id = diary.id
    pc = logged_in(app, PC, "taro")
    for path in ("/friends", f"/users/{taro}", f"/diaries/{diary_id}", "/home"):
        page = pc.get(path)
        assert page.status == 200, path
        src = avatar_src(page, "はなこ")
        assert src.startswith(f"/users/{hanako}/avatar?s="), (path, src)
        assert avatar_photo_shown(pc, src) == photo, path
    phone = logged_in(app, IPHONE, "taro")
    assert avatar_photo_shown(phone, avatar_src(phone.get("/friends"), "はなこ")) == photo


def test_a_hidden_or_blocked_photo_answers_the_neutral_picture_on_the_same_url(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ", friends=(taro,))
    jiro = make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    url = f"/users/{taro}/avatar?s=76"
    stranger = logged_in(app, PC, "jiro")
    assert avatar_photo_shown(stranger, url) == photo, "public: every member sees it"
    assert avatar_photo_shown(Browser(app, PC), url) is None, "a visitor sees no member's photo"

    set_visibility(app, taro, "friends")
    assert avatar_photo_shown(stranger, url) is None
    assert avatar_photo_shown(logged_in(app, PC, "hanako"), url) == photo

    set_visibility(app, taro, "public")
    with app.app_context():
        db.session.add(Block(blocker_id=taro, blocked_id=jiro))
        db.session.commit()
    assert avatar_photo_shown(stranger, url) is None
    hidden, none = stranger.get(url), stranger.get("/users/999999/avatar?s=76")
    assert hidden.body == none.body
    assert hidden.headers["ETag"] == none.headers["ETag"]


def test_a_browser_revalidates_and_a_photo_hidden_since_is_not_kept(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    jiro = logged_in(app, PC, "jiro")
    url = f"/users/{taro}/avatar?s=180"
    first = jiro.get(url)
    assert is_image(first)
    etag = first.headers["ETag"]
    assert "Cookie" in first.headers["Vary"]

    again = jiro.client.get(url, headers={"User-Agent": PC, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""

    set_visibility(app, taro, "private")
    after = jiro.client.get(url, headers={"User-Agent": PC, "If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.get_data() == jiro.get("/photos/none?size=sq180").body


def _queries(client: Browser, path: str, caplog) -> int:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.requests"):
        page = client.get(path)
    assert page.status == 200
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.requests"]
    return lines[-1]["queries"]


def test_list_pages_look_up_no_photo_per_member(app, make_member, caplog):
    taro = make_member("taro", nickname="たろう")
    pc = logged_in(app, PC, "taro")
    make_member("f0", nickname="友0", friends=(taro,))
    add_photos(app, db_id(app, "f0"))
    few = {path: _queries(pc, path, caplog) for path in ("/friends", "/home", f"/users/{taro}")}
    for n in range(1, 8):
        friend = make_member(f"f{n}", nickname=f"友{n}", friends=(taro,))
        add_photos(app, friend)
    for path, count in few.items():
        # The first load after the new photos makes the page again (home is cached until then).
        assert _queries(pc, path, caplog) == count, path
        page = pc.get(path)
        assert page.text.count("/avatar?s=") >= 8, path


def db_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.email == f"{name}@example.jp"))


# -- the demo world --------------------------------------------------------------------------


def _main_photos(app) -> dict[str, int]:
    """{e-mail local part: main photo id} of the members with a profile photo."""
    with app.app_context():
        rows = db.session.execute(
            select(Member.email, Photo.id)
            .join(Photo, Photo.profile_member_id == Member.id)
            .where(Photo.position == 1)
        ).all()
    return {email.split("@")[0]: photo_id for email, photo_id in rows}


def demo_member(app, name: str) -> Browser:
    client = Browser(app, PC)
    client.get("/login")
    home = client.submit("/login", {"email": f"{name}@example.jp", "password": DEMO_PASSWORD})
    assert home.url.endswith("/home"), home.text
    return client


def test_the_demo_members_have_drawn_profile_photos_and_jiro_none(app, runner):
    seed(runner)
    found = _main_photos(app)
    assert {"taro", "hanako"} <= found.keys()
    assert "jiro" not in found, "the neutral picture shows on the demo too"
    generated = [k for k in found if k.startswith("member")]
    assert 15 <= len(generated) <= 25
    pc = demo_member(app, "hanako")
    taro = db_id(app, "taro")
    assert avatar_photo_shown(pc, f"/users/{taro}/avatar?s=180") == found["taro"]
    with app.app_context():
        hanako = db.session.get(Member, db_id(app, "hanako"))
        assert len(profile_photos.photos_of(hanako)) == 2
        variants = db.session.scalars(
            select(PhotoVariant.variant).where(PhotoVariant.photo_id == found["taro"])
        ).all()
    assert {"original", "pc", "thumb", "sq76", "sq180"} <= set(variants)


@pytest.mark.committed  # the bulk loader's PRAGMAs need no open transaction
def test_the_large_world_gives_one_member_in_twenty_a_photo_in_bulk(app, runner):
    before = 200
    seed(runner, "--users", str(before))
    found = _main_photos(app)
    generated = [k for k in found if k.startswith("member") and int(k[6:]) > 30]
    assert len(generated) == pytest.approx((before - 34) / 20, abs=2)
    with app.app_context():
        main_counts = db.session.execute(
            select(Photo.profile_member_id, func.count())
            .where(Photo.position == 1, Photo.profile_member_id.is_not(None))
            .group_by(Photo.profile_member_id)
        ).all()
    assert all(n == 1 for _, n in main_counts), "one main photo each"
    member = db_id(app, generated[0])
    pc = demo_member(app, "taro")
    assert avatar_photo_shown(pc, f"/users/{member}/avatar?s=76") == found[generated[0]]

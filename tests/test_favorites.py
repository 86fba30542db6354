"""お気に入り (favourites, issue 14.4): a one-way follow without approval, on a PC and on a
cookie-less DoCoMo D501i. My list and home show my favourites' newest diaries that I may read;
the favourite is never told and sees nothing of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Block, Favorite, Member
from portal.services import favorites
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.pages import (
    assert_fits_d501i,
    client_for,
    forge,
    go,
    has_form,
    has_link,
    href,
    path_of,
)
from tests.test_diary_pages import make_diary

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


def favorites_of(app, member_id: int) -> list[int]:
    with app.app_context():
        stmt = select(Favorite.favorite_id).where(Favorite.member_id == member_id)
        return list(db.session.scalars(stmt))


def add_favorite(app, member_id: int, other_id: int) -> None:
    with app.app_context():
        favorites.add(db.session.get(Member, member_id), db.session.get(Member, other_id))
        db.session.commit()


@AGENTS
def test_a_member_favourites_a_stranger_from_the_profile_without_approval(
    app, browser, login, trio, agent
):
    client = client_for(browser, agent)
    login(client, "jiro")
    profile = go(client, f"/users/{trio['hanako']}")
    assert has_form(profile, f"/users/{trio['hanako']}/favorite")
    page = client.submit(f"/users/{trio['hanako']}/favorite")
    assert page.status == 200
    assert path_of(page) == f"/users/{trio['hanako']}"
    assert favorites_of(app, trio["jiro"]) == [trio["hanako"]]
    assert has_form(page, f"/users/{trio['hanako']}/unfavorite")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        assert all(sid_of(f.action) for f in page.forms)
    listing = go(client, "/favorites")
    assert listing.status == 200
    assert has_link(listing, f"/users/{trio['hanako']}")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(listing)
    # Removing it, from the profile.
    go(client, f"/users/{trio['hanako']}")
    client.submit(f"/users/{trio['hanako']}/unfavorite")
    assert favorites_of(app, trio["jiro"]) == []
    assert not has_link(go(client, "/favorites"), f"/users/{trio['hanako']}")


def test_removing_from_the_list_on_a_pc_comes_back_to_the_list(app, browser, login, trio):
    add_favorite(app, trio["taro"], trio["jiro"])
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/favorites")
    page = pc.submit(f"/users/{trio['jiro']}/unfavorite")
    assert path_of(page) == "/favorites"
    assert favorites_of(app, trio["taro"]) == []


@AGENTS
def test_favouriting_is_invisible_to_the_favourite(app, browser, login, trio, agent):
    add_favorite(app, trio["jiro"], trio["hanako"])
    client = client_for(browser, agent)
    home = login(client, "hanako")
    pages = [home] + [
        go(client, path)
        for path in ("/home", f"/users/{trio['hanako']}", "/footprints", "/favorites")
    ]
    for page in pages:
        assert page.status == 200
        assert "じろう" not in page.text, page.url
        assert not has_link(page, f"/users/{trio['jiro']}"), page.url
    # Nothing was mailed or queued to her either.
    with app.app_context():
        from portal.models import OutboxMail

        assert db.session.scalar(select(OutboxMail.id)) is None


@AGENTS
def test_home_and_the_list_show_the_favourites_diaries_the_member_may_read(
    app, browser, login, trio, agent
):
    # じろう favourites はなこ, a stranger to him, and たろう favourites his friend はなこ too.
    make_diary(app, trio["hanako"], title="みんなへの日記", visibility="public")
    make_diary(app, trio["hanako"], title="友だちだけの日記", visibility="friends")
    make_diary(app, trio["hanako"], title="自分だけの日記", visibility="private")
    add_favorite(app, trio["jiro"], trio["hanako"])
    add_favorite(app, trio["taro"], trio["hanako"])
    stranger = client_for(browser, agent)
    home = login(stranger, "jiro")
    listing = go(stranger, "/favorites")
    for page in (home, listing):
        assert "みんなへの日記" in page.text, page.url
        assert "友だちだけの日記" not in page.text, page.url
        assert "自分だけの日記" not in page.text, page.url
        if agent == DOCOMO_MOVA:
            assert_fits_d501i(page)
    friend = client_for(browser, agent)
    home = login(friend, "taro")
    assert "友だちだけの日記" in go(friend, "/favorites").text
    assert "自分だけの日記" not in go(friend, "/favorites").text


@AGENTS
def test_a_favourite_who_blocks_me_leaves_my_list_and_home(app, browser, login, trio, agent):
    make_diary(app, trio["hanako"], title="みんなへの日記", visibility="public")
    add_favorite(app, trio["jiro"], trio["hanako"])
    with app.app_context():
        db.session.add(Block(blocker_id=trio["hanako"], blocked_id=trio["jiro"]))
        db.session.commit()
    client = client_for(browser, agent)
    home = login(client, "jiro")
    listing = go(client, "/favorites")
    for page in (home, listing):
        assert "はなこ" not in page.text, page.url
        assert "みんなへの日記" not in page.text, page.url
    # Nor can she be favourited again: her profile and the form's action are 404.
    assert go(client, f"/users/{trio['hanako']}").status == 404
    other = go(client, f"/users/{trio['taro']}")
    forge(other, f"/users/{trio['hanako']}/favorite")
    assert client.submit(f"/users/{trio['hanako']}/favorite").status == 404


def test_one_cannot_favourite_oneself_or_a_missing_member(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    mine = pc.get(f"/users/{trio['taro']}")
    assert not has_form(mine, f"/users/{trio['taro']}/favorite")
    forge(mine, f"/users/{trio['taro']}/favorite")
    page = pc.submit(f"/users/{trio['taro']}/favorite")
    assert page.status == 200
    assert favorites_of(app, trio["taro"]) == []
    forge(page, "/users/999999/favorite")
    assert pc.submit("/users/999999/favorite").status == 404


@AGENTS
def test_favouriting_needs_the_csrf_token_and_a_post(app, browser, login, trio, agent):
    client = client_for(browser, agent)
    login(client, "jiro")
    go(client, f"/users/{trio['hanako']}")
    page = client.submit(f"/users/{trio['hanako']}/favorite", drop=("csrf_token",))
    assert page.status == 400
    assert go(client, f"/users/{trio['hanako']}/favorite").status == 405
    assert favorites_of(app, trio["jiro"]) == []


def test_visitors_are_sent_to_the_login(browser, trio):
    page = browser(PC).get("/favorites")
    assert path_of(page) == "/login"


def test_a_long_list_pages_on_a_d501i_and_every_page_fits(app, browser, login, make_member):
    me = make_member("taro", nickname="長" * 20)
    for n in range(25):
        other = make_member(f"m{n}", nickname=f"{n:02d}" + "友" * 18)
        add_favorite(app, me, other)
        make_diary(app, other, title="題" * 100, visibility="public")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    assert_fits_d501i(home)
    page = go(phone, "/favorites")
    seen = set()
    while True:
        assert_fits_d501i(page)
        seen |= {u for u, _t in page.links if path_of_url(u).startswith("/users/")}
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
    assert len({path_of_url(u) for u in seen}) == 25


def path_of_url(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def test_the_busy_home_with_favourites_still_fits_a_d501i(app, browser, login, make_member):
    """Friends' and favourites' diaries and friends' new albums, with the longest titles and
    nicknames, together."""
    me = make_member("taro", nickname="長" * 20)
    for n in range(8):
        friend = make_member(f"f{n}", nickname=f"{n:02d}" + "友" * 18)
        with app.app_context():
            from portal.services.friends import befriend

            befriend(db.session.get(Member, me), db.session.get(Member, friend))
            db.session.commit()
        make_diary(app, friend, title="友" * 100, visibility="public")
        with app.app_context():
            from portal.services import albums

            friend_row = db.session.get(Member, friend)
            albums.create(friend_row, title="写" * 100, description="", visibility="public")
            db.session.commit()
        other = make_member(f"o{n}", nickname=f"{n:02d}" + "好" * 18)
        add_favorite(app, me, other)
        make_diary(app, other, title="好" * 100, visibility="public")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    assert_fits_d501i(home)
    assert "好" * 100 in home.text
    assert "写" * 100 in home.text
    assert has_link(home, "/favorites")
    href(home, "/favorites")

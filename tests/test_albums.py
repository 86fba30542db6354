"""Photo albums (フォトアルバム, issue 14.1) on a PC, a cookie-less DoCoMo D501i (5 KB pages, no
file upload) and an au WIN handset that sends files: making an album, adding photos with
captions (forms and mail), its cover, paging, the photo page at ``/photos/<id>``, who sees what
(the four visibility levels, blocks), the plan's limits, and friends' new albums on home."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Album, Block, Member, Photo
from portal.services import album_mail, albums
from portal.services.limits import STANDARD
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i, client_for, forge, go, has_form, has_link, href, path_of
from tests.test_diary_pages import jpeg
from tests.test_mail_post import DOMAIN, build_mail, encoded_word, send
from tests.test_photo_pages import AU_UPLOADS, is_image

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


def make_album(app, owner_id: int, *, photos: int = 0, caption: str = "", **fields) -> int:
    fields.setdefault("title", "夏休みの写真")
    fields.setdefault("description", "海に行きました。")
    fields.setdefault("visibility", "public")
    with app.app_context():
        owner = db.session.get(Member, owner_id)
        album = albums.create(owner, **fields)
        if photos:
            albums.add_photos(owner, album, [jpeg(200 + i, 150) for i in range(photos)], caption)
        db.session.commit()
        return album.id


def album_photos(app, album_id: int) -> list[int]:
    with app.app_context():
        stmt = select(Photo.id).where(Photo.album_id == album_id).order_by(Photo.position)
        return list(db.session.scalars(stmt))


# -- making an album and adding photos -------------------------------------------------------


@AGENTS
def test_a_member_makes_an_album_from_the_album_list(app, browser, login, trio, agent):
    client = client_for(browser, agent)
    login(client, "taro")
    listing = go(client, "/albums")
    form = client.get(href(listing, "/albums/new"))
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(form)
    page = client.submit(
        "/albums/new",
        {"title": "京都旅行", "description": "紅葉がきれいでした。", "visibility": "friends"},
    )
    assert page.status == 200
    assert re.fullmatch(r"/albums/\d+", path_of(page))
    assert "京都旅行" in page.text
    assert "紅葉がきれいでした。" in page.text
    with app.app_context():
        album = db.session.scalar(select(Album).where(Album.owner_id == trio["taro"]))
        assert (album.title, album.visibility) == ("京都旅行", "friends")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        assert not any(f.file_inputs for f in page.forms), "a D501i cannot send files"
    assert has_link(go(client, "/albums"), path_of(page))


def test_an_empty_title_is_refused_with_the_reason(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/albums/new")
    page = pc.submit("/albums/new", {"title": "", "description": "", "visibility": "public"})
    assert page.status == 200
    assert 'class="error"' in page.text
    with app.app_context():
        assert db.session.scalar(select(Album.id)) is None


def test_photos_are_added_on_a_pc_with_a_caption_and_no_exif(app, browser, login, trio):
    album = make_album(app, trio["taro"])
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/albums/{album}")
    page = pc.submit_files(
        f"/albums/{album}/photos",
        {"caption": "浜辺で"},
        [("photos", "a.jpg", jpeg(800, 600, gps=True)), ("photos", "b.jpg", jpeg(640, 480))],
    )
    assert page.status == 200
    ids = album_photos(app, album)
    assert len(ids) == 2
    assert "浜辺で" in page.text
    original = pc.get(f"/photos/{ids[0]}?size=original")
    assert is_image(original)
    assert b"Exif" not in original.body
    assert b"GPS" not in original.body


def test_an_au_win_handset_adds_a_photo_from_the_album_page(app, browser, login, trio):
    album = make_album(app, trio["taro"])
    phone = browser(AU_UPLOADS)
    login(phone, "taro")
    page = go(phone, f"/albums/{album}")
    assert page.form(f"/albums/{album}/photos").file_inputs == ["photos"]
    page = phone.submit_files(
        f"/albums/{album}/photos", {"caption": "ﾋﾞｰﾁ"}, [("photos", "p.jpg", jpeg())]
    )
    assert page.status == 200
    (photo_id,) = album_photos(app, album)
    with app.app_context():
        assert db.session.get(Photo, photo_id).caption == "ﾋﾞｰﾁ"


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_kept(app, browser, login, trio):
    album = make_album(app, trio["taro"], photos=1)
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/albums/{album}")
    page = pc.submit_files(
        f"/albums/{album}/photos", {}, [("photos", "x.jpg", jpeg()), ("photos", "n.jpg", b"no")]
    )
    assert page.status == 400
    assert 'class="error"' in page.text
    assert len(album_photos(app, album)) == 1


def test_the_plan_limits_albums_and_photos_per_album(app, trio, monkeypatch):
    monkeypatch.setattr(
        "portal.services.albums.limits_for",
        lambda member: type(STANDARD)(
            footprint_days=30,
            photo_bytes=STANDARD.photo_bytes,
            trash_days=30,
            albums=1,
            photos_per_album=2,
        ),
    )
    album = make_album(app, trio["taro"], photos=2)
    with app.app_context():
        taro = db.session.get(Member, trio["taro"])
        with pytest.raises(albums.ServiceError):
            albums.create(taro, title="二つ目", description="", visibility="public")
        with pytest.raises(albums.ServiceError):
            albums.add_photos(taro, db.session.get(Album, album), [jpeg()])
        db.session.rollback()
    assert len(album_photos(app, album)) == 2


def test_the_premium_plan_allows_more_albums():
    from portal.services.limits import PREMIUM

    assert PREMIUM.albums > STANDARD.albums
    assert PREMIUM.photos_per_album > STANDARD.photos_per_album


# -- the album page and the photo page ---------------------------------------------------------


def test_a_d501i_pages_through_a_long_album_and_each_page_fits(app, browser, login, trio):
    album = make_album(
        app, trio["taro"], title="題" * 100, description="説" * 500, photos=11, caption="&" * 40
    )
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    page = go(phone, f"/albums/{album}")
    seen = set()
    while True:
        assert_fits_d501i(page)
        seen |= {
            urlsplit(u).path
            for u, _t in page.links
            if re.fullmatch(r"/photos/\d+", urlsplit(u).path)
        }
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
    assert seen == {f"/photos/{p}" for p in album_photos(app, album)}


@AGENTS
def test_the_photo_page_shows_the_picture_caption_and_neighbours(app, browser, login, trio, agent):
    album = make_album(app, trio["taro"], photos=3, caption="夕焼け")
    first, second, third = album_photos(app, album)
    client = client_for(browser, agent)
    login(client, "hanako")
    page = go(client, f"/photos/{second}")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "夕焼け" in page.text
    assert "2/3" in page.text
    assert has_link(page, f"/photos/{first}")
    assert has_link(page, f"/photos/{third}")
    assert has_link(page, f"/albums/{album}")
    assert f"/photos/{second}?size=pc" in page.text.replace("&amp;", "&")
    assert is_image(go(client, f"/photos/{second}?size=pc"))
    assert not has_form(page, f"/photos/{second}/caption"), "only the owner edits"
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        assert "4" in page.accesskeys
        assert "6" in page.accesskeys


@AGENTS
def test_the_owner_captions_and_makes_a_cover_from_the_photo_page(app, browser, login, trio, agent):
    album = make_album(app, trio["taro"], photos=2)
    first, second = album_photos(app, album)
    client = client_for(browser, agent)
    login(client, "taro")
    go(client, f"/photos/{second}")
    page = client.submit(f"/photos/{second}/caption", {"caption": "ふたつめ"})
    assert "ふたつめ" in page.text
    page = client.submit(f"/photos/{second}/cover")
    assert not has_form(page, f"/photos/{second}/cover")
    with app.app_context():
        assert db.session.get(Album, album).cover_photo_id == second
    pc = browser(PC)
    login(pc, "taro")
    assert f"/photos/{second}?size=thumb" in pc.get("/albums").text.replace("&amp;", "&")


def test_deleting_a_photo_renumbers_and_the_cover_falls_back(app, browser, login, trio):
    album = make_album(app, trio["taro"], photos=3)
    first, second, third = album_photos(app, album)
    with app.app_context():
        db.session.get(Album, album).cover_photo_id = first
        db.session.commit()
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/photos/{first}/delete")
    page = pc.submit(f"/photos/{first}/delete")
    assert path_of(page) == f"/albums/{album}"
    assert album_photos(app, album) == [second, third]
    assert pc.get(f"/photos/{first}").status == 404
    assert "1/2" in pc.get(f"/photos/{second}").text
    assert f"/photos/{second}?size=thumb" in pc.get("/albums").text.replace("&amp;", "&")


def test_deleting_an_album_deletes_its_photos(app, browser, login, trio):
    album = make_album(app, trio["taro"], photos=2)
    ids = album_photos(app, album)
    pc = browser(PC)
    login(pc, "taro")
    confirm = pc.get(href(pc.get(f"/albums/{album}"), f"/albums/{album}/delete"))
    assert confirm.status == 200
    page = pc.submit(f"/albums/{album}/delete")
    assert path_of(page) == "/albums"
    with app.app_context():
        assert db.session.get(Album, album) is None
        assert not db.session.scalars(select(Photo).where(Photo.id.in_(ids))).all()
    for photo in ids:
        assert pc.get(f"/photos/{photo}").status == 404


def test_the_owner_edits_title_description_and_visibility(app, browser, login, trio):
    album = make_album(app, trio["taro"])
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/albums/{album}/edit")
    pc.submit(
        f"/albums/{album}/edit",
        {"title": "新しい題", "description": "", "visibility": "private"},
    )
    with app.app_context():
        found = db.session.get(Album, album)
        assert (found.title, found.visibility) == ("新しい題", "private")


# -- who sees what -----------------------------------------------------------------------------


VISIBLE_TO = {
    # visibility: (friend はなこ, stranger じろう)
    "public": (True, True),
    "fof": (True, False),
    "friends": (True, False),
    "private": (False, False),
}


@pytest.mark.parametrize("visibility", list(VISIBLE_TO))
@AGENTS
def test_album_photos_and_their_urls_follow_the_albums_visibility(
    app, browser, login, trio, visibility, agent
):
    album = make_album(app, trio["taro"], photos=1, visibility=visibility, title="秘密の題")
    (photo,) = album_photos(app, album)
    for name, allowed in zip(("hanako", "jiro"), VISIBLE_TO[visibility], strict=True):
        client = client_for(browser, agent)
        login(client, name)
        pages = {
            "album": go(client, f"/albums/{album}"),
            "photo": go(client, f"/photos/{photo}"),
            "image": go(client, f"/photos/{photo}?size=pc"),
        }
        listing = go(client, f"/users/{trio['taro']}/albums")
        if allowed:
            assert all(p.status == 200 for p in pages.values()), (name, visibility)
            assert "秘密の題" in listing.text
        else:
            assert all(p.status == 404 for p in pages.values()), (name, visibility)
            assert "秘密の題" not in listing.text
        home = go(client, "/home")
        assert ("秘密の題" in home.text) == (allowed and name == "hanako"), (name, visibility)
    owner = client_for(browser, agent)
    login(owner, "taro")
    assert go(owner, f"/photos/{photo}").status == 200


def test_a_member_who_blocked_me_hides_their_albums(app, browser, login, trio):
    album = make_album(app, trio["jiro"], photos=1)
    (photo,) = album_photos(app, album)
    with app.app_context():
        db.session.add(Block(blocker_id=trio["jiro"], blocked_id=trio["taro"]))
        db.session.commit()
    pc = browser(PC)
    login(pc, "taro")
    assert pc.get(f"/albums/{album}").status == 404
    assert pc.get(f"/photos/{photo}").status == 404
    assert pc.get(f"/photos/{photo}?size=thumb").status == 404
    assert pc.get(f"/users/{trio['jiro']}/albums").status == 404


def test_others_cannot_change_an_album_or_its_photos(app, browser, login, trio):
    album = make_album(app, trio["taro"], photos=1)
    (photo,) = album_photos(app, album)
    pc = browser(PC)
    login(pc, "hanako")
    page = pc.get(f"/albums/{album}")
    assert not has_form(page, f"/albums/{album}/photos")
    assert not has_link(page, f"/albums/{album}/edit")
    assert pc.get(f"/albums/{album}/edit").status == 403
    assert pc.get(f"/albums/{album}/delete").status == 403
    for action in (
        f"/albums/{album}/photos",
        f"/albums/{album}/edit",
        f"/albums/{album}/delete",
        f"/albums/{album}/mail-address",
        f"/photos/{photo}/caption",
        f"/photos/{photo}/cover",
        f"/photos/{photo}/delete",
    ):
        page = pc.get(f"/albums/{album}")
        forge(page, action)
        assert pc.submit(action).status == 403, action
    assert album_photos(app, album) == [photo]
    with app.app_context():
        assert db.session.get(Album, album).title == "夏休みの写真"


def test_album_forms_need_the_csrf_token(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/albums/new")
    page = pc.submit("/albums/new", {"title": "題", "visibility": "public"}, drop=("csrf_token",))
    assert page.status == 400
    with app.app_context():
        assert db.session.scalar(select(Album.id)) is None


def test_a_missing_album_or_photo_is_404(browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    for path in ("/albums/999999", "/photos/999999", "/users/999999/albums", "/albums/9" * 3):
        assert pc.get(path).status == 404, path


# -- home ----------------------------------------------------------------------------------


@AGENTS
def test_friends_new_albums_show_on_home(app, browser, login, trio, agent):
    album = make_album(app, trio["hanako"], title="はなこのアルバム", visibility="friends")
    client = client_for(browser, agent)
    home = login(client, "taro")
    assert has_link(home, f"/albums/{album}")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(home)
    stranger = client_for(browser, agent)
    assert not has_link(login(stranger, "jiro"), f"/albums/{album}")


# -- by mail -----------------------------------------------------------------------------------


@pytest.fixture
def posting(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_POST_DOMAIN", DOMAIN)
    return app


def test_the_owner_gets_an_albums_posting_address_and_mails_photos_to_it(
    posting, runner, browser, login, trio
):
    app = posting
    album = make_album(app, trio["taro"])
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    page = go(phone, f"/albums/{album}")
    page = phone.submit(f"/albums/{album}/mail-address")
    assert_fits_d501i(page)
    (address,) = re.findall(r"a\.[a-z2-7]{20}@post\.example\.jp", page.text)[:1]
    raw = build_mail(
        sender="taro.1980@docomo.ne.jp",
        to=address,
        subject=encoded_word("海の写真".encode("cp932"), "Shift_JIS"),
        text=b"",
        attachments=[
            ("image/jpeg", "1.jpg", jpeg(640, 480, gps=True)),
            ("image/jpeg", "2.jpg", jpeg()),
        ],
    )
    result = send(runner, raw, address)
    assert result.exit_code == 0, result.output
    ids = album_photos(app, album)
    assert len(ids) == 2
    with app.app_context():
        assert [db.session.get(Photo, i).caption for i in ids] == ["海の写真", "海の写真"]
    # Nobody else sees the address.
    pc = browser(PC)
    login(pc, "hanako")
    assert address not in pc.get(f"/albums/{album}").text
    # A renewed address stops the old one.
    with app.app_context():
        album_mail.renew(db.session.get(Album, album))
        db.session.commit()
    assert send(runner, raw, address).exit_code == 67


def test_an_album_mail_delivered_twice_adds_its_photos_once(posting, runner, trio):
    app = posting
    album = make_album(app, trio["taro"])
    other_album = make_album(app, trio["taro"])
    with app.app_context():
        address = album_mail.renew(db.session.get(Album, album))
        other_address = album_mail.renew(db.session.get(Album, other_album))
        db.session.commit()
    raw = build_mail(
        to=f"{address}, {other_address}",
        subject=b"sea",
        attachments=[("image/jpeg", "1.jpg", jpeg()), ("image/jpeg", "2.jpg", jpeg())],
        message_id="20080701120000.9@docomo.ne.jp",
    )
    assert send(runner, raw, address).exit_code == 0
    assert len(album_photos(app, album)) == 2
    again = send(runner, raw, address)  # the MTA's retry: the same Message-ID
    assert again.exit_code == 0, again.output
    assert len(album_photos(app, album)) == 2
    # The same mail to the member's other album (its own delivery) is added there.
    assert send(runner, raw, other_address).exit_code == 0
    assert len(album_photos(app, other_album)) == 2
    assert len(album_photos(app, album)) == 2


def test_a_mail_without_a_photo_to_an_album_is_refused(posting, runner, trio):
    app = posting
    album = make_album(app, trio["taro"])
    with app.app_context():
        address = album_mail.renew(db.session.get(Album, album))
        db.session.commit()
    raw = build_mail(to=address, subject=b"hello", text=b"no photo")
    assert send(runner, raw, address).exit_code == 65
    assert album_photos(app, album) == []


def test_diary_addresses_still_post_diaries(posting, runner, trio):
    from tests.test_mail_post import address_for

    app = posting
    address = address_for(app, trio["taro"])
    raw = build_mail(to=address, subject=b"diary", text=b"body")
    assert send(runner, raw, address).exit_code == 0

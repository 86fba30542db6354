"""Profile photos (/settings/photos): up to three, one the main photo, added, replaced,
deleted and chosen from a PC and from a phone that can send files; their visibility (the
profile's ``photo_visibility``) on the profile page and on the photo's own URL, with the
neutral "no photo" picture for whoever may not see them."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from portal.extensions import db
from portal.models import Block, Member, Photo
from portal.services import profile_photos
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i, forge, go, has_form, href, path_of
from tests.test_diary_pages import jpeg, logged_in
from tests.test_photo_pages import AU_OLD, AU_UPLOADS, is_image
from tests.test_social_pages import busy_world  # noqa: F401 (a fixture)

IMG = re.compile(r"<img [^>]*>")


def profile_photo_ids(app, member_id: int) -> list[int]:
    """The member's profile photos, main first."""
    with app.app_context():
        stmt = select(Photo.id).where(Photo.profile_member_id == member_id).order_by(Photo.position)
        return list(db.session.scalars(stmt))


def add_photos(app, member_id: int, n: int = 1) -> list[int]:
    with app.app_context():
        member = db.session.get(Member, member_id)
        added = profile_photos.add(member, [jpeg(200 + 10 * i, 150) for i in range(n)])
        db.session.commit()
        return [p.id for p in added]


def set_visibility(app, member_id: int, visibility: str) -> None:
    with app.app_context():
        profile_photos.set_visibility(db.session.get(Member, member_id), visibility)
        db.session.commit()


def avatar_img(page, nickname: str) -> str:
    """The ``<img>`` of the member's avatar on a page (found by its alt text)."""
    for tag in IMG.findall(page.text):
        if f'alt="{nickname}"' in tag:
            return tag
    raise AssertionError(f"no avatar of {nickname} on {page.url}")


def avatar_src(page, nickname: str) -> str:
    """The URL of the member's avatar on a page: always the member's own avatar URL."""
    src = re.search(r'src="([^"]+)"', avatar_img(page, nickname)).group(1).replace("&amp;", "&")
    assert re.fullmatch(r"/users/\d+/avatar\?s=(40|76|180)", src), src
    return src


def avatar_photo_shown(browser, src: str) -> int | None:
    """Fetch an avatar URL as ``browser``: the id of the photo it answers, None for the
    neutral picture (whose bytes are the no-photo picture's)."""
    answer = browser.get(src)
    assert is_image(answer)
    assert answer.headers["Cache-Control"] == "private, no-cache"
    etag = answer.headers["ETag"].strip('"')
    if etag.startswith("none-"):
        side = src.rsplit("=", 1)[1]
        assert answer.body == browser.get(f"/photos/none?size=sq{max(76, int(side))}").body
        return None
    return int(etag.split("-")[0][1:])


def shows_photo(page, nickname: str, photo_id: int, browser=None) -> bool:
    """Whether the avatar of the member on the page (as fetched by the page's browser)
    answers that photo; otherwise it must answer the neutral picture."""
    shown = avatar_photo_shown(browser, avatar_src(page, nickname))
    assert shown in (photo_id, None), shown
    return shown == photo_id


# -- a PC ---------------------------------------------------------------------------------------


def test_a_member_adds_photos_and_the_first_is_the_main_one_on_the_profile(app, make_member):
    make_member("taro", nickname="たろう")
    pc = logged_in(app, PC, "taro")
    settings = pc.get("/settings")
    page = pc.get(href(settings, "/settings/photos"))
    assert page.status == 200
    assert page.form("/settings/photos").file_inputs == ["photos"]
    done = pc.submit_files(
        "/settings/photos",
        files=[("photos", "a.jpg", jpeg(400, 300)), ("photos", "b.jpg", jpeg(300, 400))],
    )
    assert path_of(done) == "/settings/photos"
    taro = db_id(app, "taro")
    first, second = profile_photo_ids(app, taro)
    profile = pc.get(f"/users/{taro}")
    tag = avatar_img(profile, "たろう")
    assert f'src="/users/{taro}/avatar?s=180"' in tag
    assert 'width="180" height="180"' in tag
    assert avatar_photo_shown(pc, f"/users/{taro}/avatar?s=180") == first
    square = pc.get(f"/users/{taro}/avatar?s=180")
    assert square.body == pc.get(f"/photos/{first}?size=sq180").body
    with Image.open(io.BytesIO(square.body)) as im:
        assert im.size == (180, 180)


def db_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.email == f"{name}@example.jp"))


def test_choosing_replacing_and_deleting_keep_one_main_photo(app, make_member):
    taro = make_member("taro", nickname="たろう")
    first, second, third = add_photos(app, taro, 3)
    pc = logged_in(app, PC, "taro")
    page = pc.get("/settings/photos")
    assert not has_form(page, "/settings/photos"), "three is the most: no add form"
    pc.submit(f"/settings/photos/{third}/main")
    assert profile_photo_ids(app, taro) == [third, second, first]
    assert shows_photo(pc.get(f"/users/{taro}"), "たろう", third, pc)

    pc.get("/settings/photos")
    replaced = pc.submit_files(
        f"/settings/photos/{third}/replace", files=[("photos", "new.jpg", jpeg(500, 500))]
    )
    assert path_of(replaced) == "/settings/photos"
    new, *rest = profile_photo_ids(app, taro)
    assert rest == [second, first]
    assert new not in (first, second, third)
    assert pc.get(f"/photos/{third}").status == 404, "the replaced photo's URL stops answering"

    pc.get(f"/photos/{new}/delete")
    after = pc.submit(f"/photos/{new}/delete")
    assert path_of(after) == "/settings/photos"
    assert profile_photo_ids(app, taro) == [second, first], "the next one is the main photo"
    assert shows_photo(pc.get(f"/users/{taro}"), "たろう", second, pc)


def test_a_fourth_photo_and_a_bad_file_are_refused_and_change_nothing(app, make_member):
    taro = make_member("taro", nickname="たろう")
    before = add_photos(app, taro, 2)
    pc = logged_in(app, PC, "taro")
    pc.get("/settings/photos")
    page = pc.submit_files(
        "/settings/photos", files=[("photos", "x.jpg", jpeg()), ("photos", "y.jpg", jpeg())]
    )
    assert page.status == 400
    assert "3" in page.text
    pc.get("/settings/photos")
    bad = pc.submit_files("/settings/photos", files=[("photos", "x.jpg", b"<svg></svg>")])
    assert bad.status == 400
    assert profile_photo_ids(app, taro) == before


def test_another_members_photo_cannot_be_chosen_replaced_or_deleted(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    pc = logged_in(app, PC, "jiro")
    page = pc.get("/settings/photos")
    assert page.status == 200
    forge(page, f"/settings/photos/{photo}/main")
    assert pc.submit(f"/settings/photos/{photo}/main").status == 404
    page = pc.get("/settings/photos")
    forge(page, f"/settings/photos/{photo}/replace")
    page.forms[0].enctype = "multipart/form-data"
    replaced = pc.submit_files(
        f"/settings/photos/{photo}/replace", files=[("photos", "n.jpg", jpeg())]
    )
    assert replaced.status == 404
    assert pc.get(f"/photos/{photo}/delete").status == 403
    assert profile_photo_ids(app, taro) == [photo]


def test_the_stored_copies_carry_no_exif(app, make_member):
    taro = make_member("taro", nickname="たろう")
    with app.app_context():
        member = db.session.get(Member, taro)
        (photo,) = profile_photos.add(member, [jpeg(gps=True)])
        db.session.commit()
        photo_id = photo.id
    pc = logged_in(app, PC, "taro")
    for size in ("original", "pc", "thumb", "sq76", "sq180"):
        body = pc.get(f"/photos/{photo_id}?size={size}").body
        assert b"Exif" not in body, size
        assert b"Canon" not in body, size


# -- who sees them ------------------------------------------------------------------------------


def test_friends_only_photos_show_no_photo_to_others_and_their_url_is_a_404(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ", friends=(taro,))
    make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    set_visibility(app, taro, "friends")

    friend = logged_in(app, PC, "hanako")
    assert shows_photo(friend.get(f"/users/{taro}"), "たろう", photo, friend)
    assert is_image(friend.get(f"/photos/{photo}"))

    stranger = logged_in(app, PC, "jiro")
    assert not shows_photo(stranger.get(f"/users/{taro}"), "たろう", photo, stranger)
    for size in ("pc", "thumb", "original", "sq76", "sq180"):
        assert stranger.get(f"/photos/{photo}?size={size}").status == 404
    no_photo = stranger.get("/photos/none?size=sq180")
    assert is_image(no_photo)

    me = logged_in(app, PC, "taro")
    assert shows_photo(me.get(f"/users/{taro}"), "たろう", photo, me)


def test_a_blocked_member_gets_a_404_for_a_public_photo(app, make_member):
    taro = make_member("taro", nickname="たろう")
    jiro = make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    with app.app_context():
        db.session.add(Block(blocker_id=taro, blocked_id=jiro))
        db.session.commit()
    blocked = logged_in(app, PC, "jiro")
    assert blocked.get(f"/photos/{photo}").status == 404
    assert blocked.get(f"/photos/{photo}?size=sq76").status == 404


def test_the_member_chooses_who_sees_the_photos_from_the_photo_page(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    (photo,) = add_photos(app, taro)
    pc = logged_in(app, PC, "taro")
    page = pc.get("/settings/photos")
    assert '<option value="public" selected>' in page.text
    pc.submit("/settings/photos/visibility", {"photo_visibility": "private"})
    assert '<option value="private" selected>' in pc.get("/settings/photos").text
    assert logged_in(app, PC, "jiro").get(f"/photos/{photo}").status == 404
    pc.get("/settings/photos")
    assert pc.submit("/settings/photos/visibility", {"photo_visibility": "all"}).status == 400


def test_a_member_without_photos_shows_the_no_photo_picture(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    jiro = logged_in(app, PC, "jiro")
    page = jiro.get(f"/users/{taro}")
    assert avatar_photo_shown(jiro, avatar_src(page, "たろう")) is None


# -- phones ---------------------------------------------------------------------------------------


def test_a_d501i_sees_a_small_thumbnail_on_the_profile_and_no_file_field(app, make_member):
    taro = make_member("taro", nickname="たろう")
    (photo,) = add_photos(app, taro)
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    profile = go(phone, f"/users/{taro}")
    assert_fits_d501i(profile)
    thumb = href_img(profile, f"/photos/{photo}")
    assert "size=thumb" in thumb
    image = phone.get(thumb)
    assert image.status == 200
    assert image.headers["Content-Type"] == "image/gif"
    with Image.open(io.BytesIO(image.body)) as im:
        assert max(im.size) <= 48
    page = go(phone, "/settings/photos")
    assert_fits_d501i(page)
    assert all(not form.file_inputs for form in page.forms)
    assert has_form(page, "/settings/photos/visibility")


def href_img(page, path: str) -> str:
    for src in re.findall(r'<img src="([^"]+)"', page.text):
        if src.split("?")[0] == path:
            return src.replace("&amp;", "&")
    raise AssertionError(f"no image {path} on {page.url}")


def test_an_au_phone_that_sends_files_adds_a_photo_and_an_old_one_cannot(app, make_member):
    taro = make_member("taro", nickname="たろう")
    old = logged_in(app, AU_OLD, "taro")
    page = old.get("/settings/photos")
    assert all(not form.file_inputs for form in page.forms)
    phone = logged_in(app, AU_UPLOADS, "taro")
    page = phone.get("/settings/photos")
    assert page.form("/settings/photos").file_inputs == ["photos"]
    done = phone.submit_files("/settings/photos", files=[("photos", "k.jpg", jpeg())])
    assert path_of(done) == "/settings/photos"
    assert len(profile_photo_ids(app, taro)) == 1


def test_the_busiest_profile_with_its_thumbnail_fits_a_d501i(
    app,
    browser,
    login,
    busy_world,  # noqa: F811 (the fixture imported above)
):
    """The longest profile of the page tests, now with a photo the viewer may see."""
    taro = busy_world["taro"]
    (photo,) = add_photos(app, taro)
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "jiro")
    page = go(phone, f"/users/{taro}")
    assert_fits_d501i(page)
    assert f"/photos/{photo}" in href_img(page, f"/photos/{photo}")

"""Profile photos by e-mail: the member's ``p.<token>`` address (the diary posting address's
token) makes the first picture of a mail the main profile photo, EXIF gone; a mail without a
picture, a bad picture or an unknown address is refused as the diary address refuses them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Diary, Member, Photo, PhotoVariant
from portal.services import mail_post
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i, go
from tests.test_diary_pages import logged_in
from tests.test_mail_post import (
    DOMAIN,
    address_for,
    assert_clean_image,
    build_mail,
    jpeg,
    send,
)
from tests.test_profile_photos import add_photos, avatar_photo_shown, profile_photo_ids


@pytest.fixture
def posting(app, monkeypatch):
    """Turn posting by mail on for the test app."""
    monkeypatch.setitem(app.config, "MAIL_POST_DOMAIN", DOMAIN)
    return app


def photo_address(app, member_id: int) -> str:
    diary_address = address_for(app, member_id)
    with app.app_context():
        address = mail_post.photo_address_of(db.session.get(Member, member_id))
    assert address == "p." + diary_address[2:]
    return address


def test_a_mailed_photo_becomes_the_main_profile_photo_without_exif(posting, runner, make_member):
    app = posting
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    (old,) = add_photos(app, taro)
    address = photo_address(app, taro)
    assert re.fullmatch(rf"p\.[a-z2-7]{{20}}@{re.escape(DOMAIN)}", address)
    raw = build_mail(
        sender="taro.1980@docomo.ne.jp",
        to=address,
        subject="写真".encode("cp932"),
        attachments=[("image/jpeg", "me.jpg", jpeg(640, 480, gps=True))],
    )
    result = send(runner, raw, address)
    assert result.exit_code == 0, result.output
    assert "profile photo" in result.output
    new, *rest = profile_photo_ids(app, taro)
    assert rest == [old], "the mailed photo is the main one; the old one stays second"
    with app.app_context():
        assert db.session.scalar(select(Diary.id).where(Diary.author_id == taro)) is None
        for variant in db.session.scalars(select(PhotoVariant).where(PhotoVariant.photo_id == new)):
            assert_clean_image(variant.data)
    assert avatar_photo_shown(logged_in(app, PC, "jiro"), f"/users/{taro}/avatar?s=76") == new


def test_with_three_photos_the_mailed_one_takes_the_main_ones_place(posting, runner, make_member):
    app = posting
    taro = make_member("taro")
    first, second, third = add_photos(app, taro, 3)
    address = photo_address(app, taro)
    raw = build_mail(to=address, attachments=[("image/jpeg", "a.jpg", jpeg())])
    assert send(runner, raw, address).exit_code == 0
    new, *rest = profile_photo_ids(app, taro)
    assert rest == [second, third]
    assert new not in (first, second, third)


def test_a_photo_mail_delivered_twice_sets_the_photo_once(posting, runner, make_member):
    """An MTA delivers a mail again (same Message-ID) when it missed the reply: the second
    delivery is taken (exit 0, no bounce) and changes nothing; another mail still counts."""
    app = posting
    taro = make_member("taro")
    first, second, third = add_photos(app, taro, 3)
    address = photo_address(app, taro)
    raw = build_mail(
        to=address,
        attachments=[("image/jpeg", "a.jpg", jpeg())],
        message_id="20080701120000.7@docomo.ne.jp",
    )
    assert send(runner, raw, address).exit_code == 0
    after_first = profile_photo_ids(app, taro)
    assert after_first[1:] == [second, third]
    again = send(runner, raw, address)
    assert again.exit_code == 0, again.output
    assert "delivered before" in again.output
    assert profile_photo_ids(app, taro) == after_first, "the retry replaced the main photo"
    other = build_mail(
        to=address,
        attachments=[("image/jpeg", "b.jpg", jpeg())],
        message_id="20080701120500.8@docomo.ne.jp",
    )
    assert send(runner, other, address).exit_code == 0
    newest = profile_photo_ids(app, taro)
    assert newest[0] not in after_first
    assert newest[1:] == [second, third]


def test_refusals_change_nothing(posting, runner, make_member):
    app = posting
    taro = make_member("taro")
    address = photo_address(app, taro)
    no_picture = build_mail(to=address, subject=b"hello", text=b"no photo")
    assert send(runner, no_picture, address).exit_code == 65
    not_an_image = build_mail(to=address, attachments=[("image/jpeg", "x.jpg", b"not a jpeg")])
    assert send(runner, not_an_image, address).exit_code == 65
    unknown = "p." + "a" * 20 + "@" + DOMAIN
    assert (
        send(
            runner, build_mail(to=unknown, attachments=[("image/jpeg", "a.jpg", jpeg())]), unknown
        ).exit_code
        == 67
    )
    with app.app_context():
        assert db.session.scalar(select(Photo.id)) is None


def test_renewing_the_address_stops_the_old_photo_address(posting, runner, make_member):
    app = posting
    taro = make_member("taro")
    old = photo_address(app, taro)
    photo_address(app, taro)  # renewed
    raw = build_mail(to=old, attachments=[("image/jpeg", "a.jpg", jpeg())])
    assert send(runner, raw, old).exit_code == 67


def test_the_photo_page_shows_the_address_on_a_pc_and_a_d501i(posting, make_member):
    app = posting
    taro = make_member("taro")
    pc = logged_in(app, PC, "taro")
    assert "/settings/mail" in " ".join(h for h, _ in pc.get("/settings/photos").links)
    address = photo_address(app, taro)
    assert f'href="mailto:{address}"' in pc.get("/settings/photos").text
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    page = go(phone, "/settings/photos")
    assert_fits_d501i(page)
    assert address in page.text
    make_member("jiro")
    assert address not in logged_in(app, PC, "jiro").get("/settings/photos").text

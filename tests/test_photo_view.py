"""A photo's own page on PCs (issue 13.4): the photo, its caption (what it belongs to), its
owner, previous and next, and the way back, instead of the bare picture; only for those who
may see the photo (the same 404 as for none); phones get a small page within the budget."""

from __future__ import annotations

import re

from tests.browser import DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i, go, ui_text
from tests.test_diary_pages import attach_photo, jpeg, logged_in, make_diary
from tests.test_profile_photos import add_photos, set_visibility


def links(page) -> dict[str, str]:
    """The page's links by text."""
    return {label.strip(): href for href, label in page.links}


def test_a_diary_photo_opens_its_page_with_previous_next_and_the_way_back(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ", friends=(taro,))
    diary = make_diary(app, taro, title="海へ行った")
    first, second, third = (attach_photo(app, taro, diary, jpeg(900, 600)) for _ in range(3))
    pc = logged_in(app, PC, "hanako")
    shown = pc.get(f"/diaries/{diary}")
    assert f'href="/photos/{second}/view"' in shown.text, "a diary photo links to its page"

    page = pc.get(f"/photos/{second}/view")
    assert page.status == 200
    assert "<h1>海へ行った</h1>" in page.text
    photo_count = ("Photo %(index)s of %(num)s", "Photo %(index)s of %(num)s")
    assert ui_text(app, PC, photo_count, index=2, num=3) in page.text
    assert f'src="/photos/{second}?size=pc" width="640" height="427"' in page.text
    assert f'src="/users/{taro}/avatar?s=40"' in page.text
    assert "たろう" in page.text
    found = links(page)
    assert found[f"« {ui_text(app, PC, 'Previous photo')}"] == f"/photos/{first}/view"
    assert found[f"{ui_text(app, PC, 'Next photo')} »"] == f"/photos/{third}/view"
    assert found[ui_text(app, PC, "Back to the diary")] == f"/diaries/{diary}"
    assert ui_text(app, PC, "Delete") not in found, "only the author may delete it"

    last = pc.get(f"/photos/{third}/view")
    assert ui_text(app, PC, "Next photo") not in last.text
    assert links(last)[f"« {ui_text(app, PC, 'Previous photo')}"] == f"/photos/{second}/view"
    assert links(logged_in(app, PC, "taro").get(f"/photos/{first}/view"))[
        ui_text(app, PC, "Delete")
    ] == (f"/photos/{first}/delete")


def test_a_photo_the_viewer_may_not_see_is_a_404_like_none(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    diary = make_diary(app, taro, visibility="friends")
    photo = attach_photo(app, taro, diary)
    (profile_photo,) = add_photos(app, taro)
    set_visibility(app, taro, "friends")
    stranger = logged_in(app, PC, "jiro")
    assert stranger.get(f"/photos/{photo}/view").status == 404
    assert stranger.get(f"/photos/{profile_photo}/view").status == 404
    assert stranger.get("/photos/99999/view").status == 404
    assert "/photos/" not in re.sub(r"/photos/none", "", stranger.get(f"/users/{taro}").text)


def test_profile_photos_page_through_from_the_main_one(app, make_member):
    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    main, other = add_photos(app, taro, 2)
    pc = logged_in(app, PC, "jiro")
    profile = pc.get(f"/users/{taro}")
    assert f'<a href="/photos/{main}/view">' in profile.text
    page = pc.get(f"/photos/{main}/view")
    assert "<h1>たろう</h1>" in page.text
    found = links(page)
    assert found[f"{ui_text(app, PC, 'Next photo')} »"] == f"/photos/{other}/view"
    assert found[ui_text(app, PC, "Back to the profile")] == f"/users/{taro}"


def test_a_d501i_gets_a_small_photo_page(app, make_member):
    taro = make_member("taro", nickname="たろう")
    diary = make_diary(app, taro, title="写真")
    first, second = (attach_photo(app, taro, diary) for _ in range(2))
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    page = go(phone, f"/photos/{first}/view")
    assert page.status == 200
    assert_fits_d501i(page)
    assert any(href.startswith(f"/photos/{second}/view") for href, _ in page.links)
    assert any(href.startswith(f"/photos/{first}?") for href, _ in page.links)


def test_an_album_photo_is_shown_on_its_album_page_and_hidden_ones_stay_404(app, make_member):
    from tests.test_albums import album_photos, make_album

    taro = make_member("taro", nickname="たろう")
    make_member("jiro", nickname="じろう")
    (photo,) = album_photos(app, make_album(app, taro, photos=1))
    (hidden,) = album_photos(app, make_album(app, taro, photos=1, visibility="private"))
    pc = logged_in(app, PC, "jiro")
    moved = pc.get(f"/photos/{photo}/view", follow=False)
    assert moved.status == 302
    assert moved.headers["Location"].endswith(f"/photos/{photo}")
    assert pc.get(f"/photos/{hidden}/view", follow=False).status == 404

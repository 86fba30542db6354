"""Photos beyond the new-diary form: the photo pages of a diary, a topic and a community (add,
replace, delete; who may), photos on topics and a community's image, and uploads from the
phones that can send files (an au WIN handset posting Shift_JIS multipart) next to those that
cannot (a DoCoMo D501i, which still sees and deletes its photos).
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Diary, Member, Photo, Topic
from portal.services import photos
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import add_member, make_community, make_topic
from tests.pages import D501I_BUDGET, go, has_form, has_link, href, path_of
from tests.test_diary_pages import jpeg, logged_in, make_diary

#: An au WIN handset whose browser (7.2.7.1.K.4) sends files from forms (EZweb guide, 2012).
AU_UPLOADS = "KDDI-CA3F UP.Browser/6.2_7.2.7.1.K.4.306 (GUI) MMP/2.0"
#: An older au handset (no file upload).
AU_OLD = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"


def photo_ids(app, **where) -> list[int]:
    with app.app_context():
        stmt = select(Photo.id).order_by(Photo.position)
        for column, value in where.items():
            stmt = stmt.where(getattr(Photo, column) == value)
        return list(db.session.scalars(stmt))


def positions(app, **where) -> list[int]:
    with app.app_context():
        stmt = select(Photo.position).order_by(Photo.position)
        for column, value in where.items():
            stmt = stmt.where(getattr(Photo, column) == value)
        return list(db.session.scalars(stmt))


def add_diary_photos(app, author_id: int, diary_id: int, n: int) -> list[int]:
    with app.app_context():
        added = photos.attach(
            db.session.get(Member, author_id),
            db.session.get(Diary, diary_id),
            [jpeg(200 + i, 150) for i in range(n)],
        )
        db.session.commit()
        return [p.id for p in added]


def is_image(page) -> bool:
    return page.status == 200 and page.headers["Content-Type"].startswith("image/")


# -- the diary's photo page --------------------------------------------------------------------


def test_the_author_adds_and_deletes_photos_from_the_edit_page_on_a_pc(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    diary = make_diary(app, owner)
    pc = logged_in(app, PC, "owner")
    edit = pc.get(f"/diaries/{diary}/edit")
    page = pc.get(href(edit, f"/diaries/{diary}/photos"))
    assert page.status == 200
    assert page.form(f"/diaries/{diary}/photos").file_inputs == ["photos"]

    done = pc.submit_files(f"/diaries/{diary}/photos", files=[("photos", "a.jpg", jpeg())])
    assert done.status == 200
    assert path_of(done) == f"/diaries/{diary}/photos"
    done = pc.submit_files(
        f"/diaries/{diary}/photos",
        files=[("photos", "b.jpg", jpeg(300, 200)), ("photos", "c.jpg", jpeg(200, 300))],
    )
    first, second, third = photo_ids(app, diary_id=diary)
    assert positions(app, diary_id=diary) == [1, 2, 3]
    shown = pc.get(f"/diaries/{diary}")
    assert f"/photos/{first}?size=pc" in shown.text
    assert f"/photos/{third}?size=pc" in shown.text
    # Full: the form is gone (three is the most).
    assert not has_form(pc.get(f"/diaries/{diary}/photos"), f"/diaries/{diary}/photos")

    confirm = pc.get(f"/photos/{second}/delete")
    assert confirm.status == 200
    after = pc.submit(f"/photos/{second}/delete")
    assert path_of(after) == f"/diaries/{diary}/photos"
    assert photo_ids(app, diary_id=diary) == [first, third]
    assert positions(app, diary_id=diary) == [1, 2]  # the gap closed
    assert pc.get(f"/photos/{second}").status == 404
    assert is_image(pc.get(f"/photos/{third}"))


def test_a_fourth_photo_is_refused_with_the_reason_and_nothing_changes(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    diary = make_diary(app, owner)
    before = add_diary_photos(app, owner, diary, 2)
    pc = logged_in(app, PC, "owner")
    pc.get(f"/diaries/{diary}/photos")
    page = pc.submit_files(
        f"/diaries/{diary}/photos",
        files=[("photos", "x.jpg", jpeg()), ("photos", "y.jpg", jpeg(300, 200))],
    )
    assert page.status == 400
    assert photo_ids(app, diary_id=diary) == before


def test_a_file_that_is_not_a_picture_is_a_clear_400_and_keeps_the_photos(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    diary = make_diary(app, owner)
    before = add_diary_photos(app, owner, diary, 1)
    pc = logged_in(app, PC, "owner")
    pc.get(f"/diaries/{diary}/photos")
    page = pc.submit_files(
        f"/diaries/{diary}/photos", files=[("photos", "evil.jpg", b"<script>alert(1)</script>")]
    )
    assert page.status == 400
    assert "<script>alert(1)" not in page.text
    assert photo_ids(app, diary_id=diary) == before


def test_posting_without_a_file_or_without_the_token_adds_nothing(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    diary = make_diary(app, owner)
    pc = logged_in(app, PC, "owner")
    pc.get(f"/diaries/{diary}/photos")
    assert pc.submit_files(f"/diaries/{diary}/photos").status == 400
    pc.get(f"/diaries/{diary}/photos")
    pc.page.form(f"/diaries/{diary}/photos").fields.pop("csrf_token")
    forged = pc.submit_files(f"/diaries/{diary}/photos", files=[("photos", "a.jpg", jpeg())])
    assert forged.status == 400
    assert photo_ids(app, diary_id=diary) == []


def test_only_the_author_may_change_a_diarys_photos(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    friend = make_member("friend", nickname="ふれんど", friends=(owner,))
    assert friend
    public = make_diary(app, owner, visibility="public")
    private = make_diary(app, owner, visibility="private", title="ひみつ")
    (public_photo,) = add_diary_photos(app, owner, public, 1)
    (private_photo,) = add_diary_photos(app, owner, private, 1)
    pc = logged_in(app, PC, "friend")
    assert pc.get(f"/diaries/{public}/photos").status == 403
    assert pc.get(f"/photos/{public_photo}/delete").status == 403
    pc.get(f"/diaries/{public}")
    token = next(f.fields["csrf_token"] for f in pc.page.forms if "csrf_token" in f.fields)
    pc.page.forms.insert(
        0, type(pc.page.forms[0])(f"/photos/{public_photo}/delete", "post", {"csrf_token": token})
    )
    assert pc.submit(f"/photos/{public_photo}/delete").status == 403
    # Unseen diaries and their photos answer as if they did not exist.
    assert pc.get(f"/diaries/{private}/photos").status == 404
    assert pc.get(f"/photos/{private_photo}/delete").status == 404
    assert photo_ids(app) == [public_photo, private_photo]


# -- phones ----------------------------------------------------------------------------------


def test_a_docomo_without_uploads_sees_and_deletes_its_photos_within_the_budget(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    diary = make_diary(app, owner)
    first, second = add_diary_photos(app, owner, diary, 2)
    phone = logged_in(app, DOCOMO_MOVA, "owner")
    edit = go(phone, f"/diaries/{diary}/edit")
    page = phone.get(href(edit, f"/diaries/{diary}/photos"))
    assert page.status == 200
    assert len(page.body) <= D501I_BUDGET
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert not any(form.file_inputs for form in page.forms), "a D501i has no file input"
    assert b"multipart" not in page.body
    assert has_link(page, f"/photos/{first}")
    assert has_link(page, f"/photos/{second}/delete")
    # The phone-sized copy, then the delete confirmation, all with the session in the URL.
    image = phone.get(href(page, f"/photos/{first}"))
    assert is_image(image)
    assert image.headers["Content-Type"] in ("image/gif", "image/jpeg")
    phone.get(href(page, f"/photos/{second}/delete"))
    assert len(phone.page.body) <= D501I_BUDGET
    phone.submit(f"/photos/{second}/delete")
    assert phone.page.status == 200
    assert path_of(phone.page) == f"/diaries/{diary}/photos"
    assert photo_ids(app, diary_id=diary) == [first]


def test_the_new_diary_form_offers_files_only_to_devices_that_can_send_them(app, make_member):
    make_member("owner", nickname="おーなー")
    for agent, can in ((PC, True), (AU_UPLOADS, True), (AU_OLD, False), (DOCOMO_MOVA, False)):
        client = logged_in(app, agent, "owner")
        form = go(client, "/diaries/new").form("/diaries/new")
        assert bool(form.file_inputs) is can, agent
        assert (form.enctype == "multipart/form-data") is can, agent


def test_an_au_handset_posts_a_diary_with_a_photo_in_shift_jis_multipart(app, make_member):
    make_member("owner", nickname="おーなー")
    phone = logged_in(app, AU_UPLOADS, "owner")
    go(phone, "/diaries/new")
    assert phone.page.charset.lower() == "shift_jis"
    page = phone.submit_files(
        "/diaries/new",
        {
            "title": "携帯から写真～",
            "body": "旅行に行きました。ソース表示①",
            "visibility": "public",
        },
        [("photos", "写真.jpg", jpeg(gps=True))],
    )
    assert page.status == 200, page.text
    with app.app_context():
        diary = db.session.scalars(select(Diary)).one()
        assert diary.title == "携帯から写真〜"  # FULLWIDTH TILDE from Shift_JIS is a wave dash
        assert diary.body == "旅行に行きました。ソース表示①"
        (photo,) = db.session.scalars(select(Photo).where(Photo.diary_id == diary.id))
        diary_id, photo_id = diary.id, photo.id
    pc = logged_in(app, PC, "owner")
    shown = pc.get(f"/diaries/{diary_id}")
    assert "携帯から写真〜" in shown.text
    assert "ソース表示①" in shown.text
    original = pc.get(f"/photos/{photo_id}?size=original")
    assert is_image(original)
    with Image.open(io.BytesIO(original.body)) as im:
        assert not im.getexif(), "EXIF (GPS) is stripped"


# -- topics ----------------------------------------------------------------------------------


@pytest.fixture
def club(app, make_member):
    """A members-only community: admin あどみん, sub-admin さぶ, member めんばー; よそもの
    is outside."""
    people = {
        "admin": make_member("admin1", nickname="あどみん"),
        "sub": make_member("sub", nickname="さぶ"),
        "member": make_member("member", nickname="めんばー"),
        "author": make_member("author", nickname="かきて"),
        "outsider": make_member("outsider", nickname="よそもの"),
    }
    community = make_community(app, people["admin"], topics_public=False)
    add_member(app, community, people["sub"], "subadmin")
    add_member(app, community, people["member"])
    add_member(app, community, people["author"])
    return {"community": community, **people}


def test_a_topic_starts_with_photos_which_follow_the_community_rule(app, club):
    community = club["community"]
    pc = logged_in(app, PC, "author")
    pc.get(f"/communities/{community}/topics/new")
    page = pc.submit_files(
        f"/communities/{community}/topics/new",
        {"title": "写真つきトピック", "body": "見てください"},
        [("photos", "a.jpg", jpeg()), ("photos", "b.jpg", jpeg(240, 320))],
    )
    assert page.status == 200
    topic_id = int(path_of(page).rsplit("/", 1)[1])
    first, second = photo_ids(app, topic_id=topic_id)
    assert f"/photos/{first}?size=pc" in page.text
    assert f"/photos/{second}?size=pc" in page.text
    member = logged_in(app, PC, "member")
    assert is_image(member.get(f"/photos/{first}"))
    # The community shows its topics only to members: the photo too.
    outsider = logged_in(app, PC, "outsider")
    assert outsider.get(f"/topics/{topic_id}").status == 404
    assert outsider.get(f"/photos/{first}").status == 404
    # The docomo reads the photo links on the topic's first part.
    phone = logged_in(app, DOCOMO_MOVA, "member")
    shown = go(phone, f"/topics/{topic_id}")
    assert has_link(shown, f"/photos/{first}")
    assert len(shown.body) <= D501I_BUDGET


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("author", True), ("admin1", True), ("sub", True), ("member", False), ("outsider", False)],
)
def test_who_may_change_a_topics_photos(app, club, who, allowed):
    topic = make_topic(app, club["community"], club["author"])
    with app.app_context():
        (photo,) = photos.attach_to_topic(
            db.session.get(Member, club["author"]), db.session.get(Topic, topic), [jpeg()]
        )
        db.session.commit()
        photo_id = photo.id
    pc = logged_in(app, PC, who)
    page = pc.get(f"/topics/{topic}/photos")
    if who == "outsider":
        assert page.status == 404
        assert pc.get(f"/photos/{photo_id}/delete").status == 404
        return
    assert page.status == (200 if allowed else 403)
    if allowed:
        pc.get(f"/photos/{photo_id}/delete")
        pc.submit(f"/photos/{photo_id}/delete")
        assert photo_ids(app, topic_id=topic) == []
    else:
        assert pc.get(f"/photos/{photo_id}/delete").status == 403
        assert photo_ids(app, topic_id=topic) == [photo_id]


# -- a community's image ---------------------------------------------------------------------


def test_a_community_is_created_with_an_image_which_its_managers_replace(app, make_member):
    make_member("maker", nickname="つくる")
    other = make_member("other", nickname="ほか")
    assert other
    pc = logged_in(app, PC, "maker")
    pc.get("/communities/new")
    page = pc.submit_files(
        "/communities/new",
        {"name": "猫の写真部", "description": "猫の写真を貼りましょう", "category": "animals"},
        [("photos", "cat.jpg", jpeg(400, 300, gps=True))],
    )
    assert page.status == 200
    community = int(path_of(page).rsplit("/", 1)[1])
    (image,) = photo_ids(app, community_id=community)
    assert f"/photos/{image}?size=thumb" in page.text
    # Anyone may see a community's image (the community page is open to every member).
    visitor = logged_in(app, PC, "other")
    assert is_image(visitor.get(f"/photos/{image}"))
    assert visitor.get(f"/communities/{community}/image").status == 403
    phone = logged_in(app, DOCOMO_MOVA, "other")
    assert has_link(go(phone, f"/communities/{community}"), f"/photos/{image}")

    # Replacing: one image, the old URL is gone.
    edit = pc.get(f"/communities/{community}/edit")
    pc.get(href(edit, f"/communities/{community}/image"))
    pc.submit_files(f"/communities/{community}/image", files=[("photos", "b.jpg", jpeg(300, 300))])
    (new_image,) = photo_ids(app, community_id=community)
    assert new_image != image
    assert pc.get(f"/photos/{image}").status == 404
    assert f"/photos/{new_image}?size=thumb" in pc.get(f"/communities/{community}").text
    with app.app_context():
        used = photos.used_bytes(db.session.get(Member, pc_member_id(app, "maker")))
        stored = db.session.scalar(select(func.sum(Photo.stored_bytes)))
    assert used == stored, "the replaced image no longer counts against storage"


def pc_member_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Member.id).where(Member.email == f"{name}@example.jp"))


def test_a_bad_image_creates_no_community(app, make_member):
    make_member("maker", nickname="つくる")
    pc = logged_in(app, PC, "maker")
    pc.get("/communities/new")
    page = pc.submit_files(
        "/communities/new",
        {"name": "失敗部", "description": "説明", "category": "other"},
        [("photos", "x.jpg", b"GIF89a not really")],
    )
    assert page.status == 400
    with app.app_context():
        from portal.models import Community

        assert db.session.scalar(select(func.count()).select_from(Community)) == 0
    assert urlsplit(page.url).path == "/communities/new"


def test_photo_urls_of_a_deleted_topic_are_gone(app, club):
    topic = make_topic(app, club["community"], club["author"])
    with app.app_context():
        (photo,) = photos.attach_to_topic(
            db.session.get(Member, club["author"]), db.session.get(Topic, topic), [jpeg()]
        )
        db.session.commit()
        photo_id = photo.id
    pc = logged_in(app, PC, "author")
    pc.get(f"/topics/{topic}/delete")
    pc.submit(f"/topics/{topic}/delete")
    assert pc.get(f"/photos/{photo_id}").status == 404
    assert photo_ids(app) == []

"""The social core as members use it: profiles, friends, requests, introductions, blocking,
footprints and the profile settings, on a PC and on a cookie-less DoCoMo D501i (5 KB pages).

Pages are found through their links (``href`` paths), so the tests hold whatever the UI
language says; what they check on the page is language-neutral (nicknames, member text).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Block, Footprint, FriendRequest, Introduction, Member, Profile
from portal.models._time import tokyo_today, utcnow
from portal.services import counters, social
from portal.services.friends import are_friends, befriend
from tests.browser import DOCOMO_MOVA, PC, Form, sid_of
from tests.pages import (
    assert_fits_d501i,
    client_for,
    go,
    has_form,
    has_link,
    href,
    path_of,
    ui_text,
    without,
)

# -- helpers ---------------------------------------------------------------------------------


def set_profile(app, member_id: int, **fields) -> None:
    """Give a member profile fields and visibilities (``area=``, ``area_visibility=``...)."""
    with app.app_context():
        profile = db.session.get(Profile, member_id) or Profile(member_id=member_id)
        for name, value in fields.items():
            if name == "real_name":
                db.session.get(Member, member_id).real_name = value
            else:
                setattr(profile, name, value)
        db.session.add(profile)
        db.session.commit()


def footprints_on(app, member_id: int) -> list[int]:
    with app.app_context():
        stmt = select(Footprint.visitor_id).where(Footprint.visited_id == member_id)
        return list(db.session.scalars(stmt))


def forge(page, action: str) -> None:
    """Add a form posting to ``action`` with the page's valid CSRF token (a crafted request)."""
    token = next(f.fields["csrf_token"] for f in page.forms if "csrf_token" in f.fields)
    page.forms.insert(0, Form(action, "post", {"csrf_token": token}))


#: What a browser sends for the profile form's selects when the member leaves them alone.
PROFILE_DEFAULTS = {
    "gender": "",
    **{
        f"{name}_visibility": value
        for name, value in {
            "real_name": "private",
            "gender": "public",
            "age": "public",
            "birthday": "friends",
            "area": "public",
            "hobbies": "public",
            "introduction": "public",
        }.items()
    },
}


def assert_pc(page) -> None:
    assert page.status == 200, (page.url, page.status)
    assert "main" in page.tags
    assert page.text.startswith("<!DOCTYPE html>")


# -- profiles --------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_profile_shows_only_the_fields_the_viewer_may_see(app, browser, login, trio, agent):
    set_profile(
        app,
        trio["hanako"],
        real_name="山田花子",
        real_name_visibility="friends",
        area="横浜市",
        area_visibility="public",
        hobbies="ケーキ作り",
        hobbies_visibility="friends",
        introduction="はじめまして、はなこです。",
        introduction_visibility="fof",
    )
    friend = client_for(browser, agent)
    login(friend, "taro")
    page = go(friend, f"/users/{trio['hanako']}")
    assert page.status == 200
    for shown in ("はなこ", "山田花子", "横浜市", "ケーキ作り", "はじめまして"):
        assert shown in page.text, shown

    stranger = client_for(browser, agent)
    login(stranger, "jiro")
    page = go(stranger, f"/users/{trio['hanako']}")
    assert page.status == 200
    assert "はなこ" in page.text
    assert "横浜市" in page.text
    for hidden in ("山田花子", "ケーキ作り", "はじめまして"):
        assert hidden not in page.text, hidden


def test_the_owner_sees_every_field_with_its_visibility_and_a_link_to_edit(
    app, browser, login, trio
):
    set_profile(app, trio["hanako"], real_name="山田花子", real_name_visibility="private")
    pc = browser(PC)
    login(pc, "hanako")
    page = pc.get(f"/users/{trio['hanako']}")
    assert "山田花子" in page.text
    assert has_link(page, "/settings/profile")
    assert has_link(page, "/footprints")
    assert not has_form(page, f"/users/{trio['hanako']}/friend-request")


def test_member_text_is_escaped_and_its_links_go_through_the_jump_page(app, browser, login, trio):
    set_profile(
        app,
        trio["hanako"],
        introduction="<b>太字</b>\n詳しくは https://example.com/cake を見てね",
    )
    for agent in (PC, DOCOMO_MOVA):
        client = client_for(browser, agent)
        login(client, "taro")
        page = go(client, f"/users/{trio['hanako']}")
        assert "<b>太字</b>" not in page.text
        assert "&lt;b&gt;太字&lt;/b&gt;" in page.text
        assert "<br />" in page.text.split("太字", 1)[1].split("詳しくは", 1)[0]
        jump = href(page, "/jump")
        assert parse_qs(urlsplit(jump).query)["url"] == ["https://example.com/cake"]
        assert sid_of(jump) is None


def test_a_long_self_introduction_comes_in_parts_on_a_d501i(app, browser, login, trio):
    sentences = [f"{n}番目の文です。ケーキが好きです。" for n in range(200)]
    set_profile(app, trio["hanako"], introduction="\n".join(sentences))
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    page = go(phone, f"/users/{trio['hanako']}")
    assert_fits_d501i(page)
    assert "0番目の文です" in page.text
    assert "199番目の文です" not in page.text
    seen = 1
    while "6" in page.accesskeys:
        page = phone.get(page.accesskeys["6"])
        assert_fits_d501i(page)
        assert parse_qs(urlsplit(page.url).query)["part"] == [str(seen + 1)]
        seen += 1
    assert seen > 2
    assert "199番目の文です" in page.text
    # On a PC the whole text is on one page.
    pc = browser(PC)
    login(pc, "taro")
    whole = pc.get(f"/users/{trio['hanako']}")
    assert "0番目の文です" in whole.text
    assert "199番目の文です" in whole.text


def test_a_missing_member_is_404(browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    assert pc.get("/users/999999").status == 404
    assert pc.get("/users/999999/friends").status == 404


@pytest.mark.parametrize("page", ["-3", "0", "abc", "99999999999999999999999", "２"])
def test_odd_page_numbers_show_a_page(browser, login, trio, page):
    pc = browser(PC)
    login(pc, "hanako")
    for path in ("/footprints", "/friends", "/friends/requests", f"/users/{trio['taro']}"):
        assert pc.get(f"{path}?page={page}&part={page}&sent={page}").status == 200, path


def test_the_jump_page_is_never_shown_with_the_session_id(browser, login, trio):
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "hanako").url)
    page = phone.get(f"/jump?url=https%3A%2F%2Fexample.com%2F&sid={sid}", follow=False)
    assert page.status == 302
    location = page.headers["Location"]
    assert urlsplit(location).path == "/jump"
    assert sid_of(location) is None


def test_pages_need_login(browser, trio):
    pc = browser(PC)
    for path in (
        f"/users/{trio['hanako']}",
        "/friends",
        "/friends/requests",
        "/footprints",
        "/settings/profile",
    ):
        assert path_of(pc.get(path)) == "/login", path


# -- friend requests -------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_request_and_approve(app, browser, login, trio, agent):
    asker = client_for(browser, agent)
    home = login(asker, "jiro")
    if agent == DOCOMO_MOVA:
        assert sid_of(home.url)
    profile = go(asker, f"/users/{trio['hanako']}")
    action = f"/users/{trio['hanako']}/friend-request"
    assert has_form(profile, action)
    page = asker.submit(action, {"message": "同じ大学のじろうです。よろしく！"})
    assert path_of(page) == f"/users/{trio['hanako']}"
    assert not has_form(page, action), "the request was sent: no second form"
    with app.app_context():
        assert social.has_sent_request(trio["jiro"], trio["hanako"])

    answerer = client_for(browser, agent)
    home = login(answerer, "hanako")
    assert has_link(home, "/friends/requests"), "home shows the waiting request"
    requests = answerer.get(href(home, "/friends/requests"))
    assert "じろう" in requests.text
    assert "同じ大学のじろうです。よろしく！" in requests.text
    with app.app_context():
        rid = db.session.scalar(select(FriendRequest.id))
    page = answerer.submit(f"/friends/requests/{rid}/approve")
    assert path_of(page) == "/friends/requests"
    assert "同じ大学" not in page.text
    with app.app_context():
        assert are_friends(trio["jiro"], trio["hanako"])
    friends = answerer.get(href(page, "/friends"))
    assert "じろう(1)" in friends.text
    # jiro now sees the friend's actions instead of the request form.
    profile = asker.get(asker.page.url)
    assert has_link(profile, f"/users/{trio['hanako']}/introduction")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(profile)
        assert all(sid_of(url) for url, _t in profile.links if url.startswith("/users"))


def test_decline_removes_the_request_silently(app, browser, login, trio):
    with app.app_context():
        social.request_friendship(
            db.session.get(Member, trio["jiro"]), db.session.get(Member, trio["hanako"]), "hi"
        )
        db.session.commit()
        rid = db.session.scalar(select(FriendRequest.id))
    pc = browser(PC)
    login(pc, "hanako")
    pc.get("/friends/requests")
    page = pc.submit(f"/friends/requests/{rid}/decline")
    assert path_of(page) == "/friends/requests"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FriendRequest)) == 0
        assert not are_friends(trio["jiro"], trio["hanako"])


def test_approving_someone_elses_request_is_refused(app, browser, login, trio, make_member):
    saburo = make_member("saburo", nickname="さぶろう")
    with app.app_context():
        social.request_friendship(
            db.session.get(Member, trio["jiro"]), db.session.get(Member, saburo), None
        )
        db.session.commit()
        rid = db.session.scalar(select(FriendRequest.id))
    pc = browser(PC)
    login(pc, "hanako")
    forge(pc.get("/friends/requests"), f"/friends/requests/{rid}/approve")
    page = pc.submit(f"/friends/requests/{rid}/approve")
    assert page.status == 200
    with app.app_context():
        assert not are_friends(trio["jiro"], saburo)
        assert db.session.get(FriendRequest, rid) is not None


def test_a_request_to_a_friend_shows_the_error_on_the_profile(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "jiro")
    pc.get(f"/users/{trio['hanako']}")
    with app.app_context():
        befriend(db.session.get(Member, trio["jiro"]), db.session.get(Member, trio["hanako"]))
        db.session.commit()
    page = pc.submit(f"/users/{trio['hanako']}/friend-request", {"message": ""})
    assert page.status == 200
    assert path_of(page) == f"/users/{trio['hanako']}/friend-request"
    assert 'class="error"' in page.text


def test_the_sent_request_and_the_received_one_show_on_the_profiles(app, browser, login, trio):
    with app.app_context():
        social.request_friendship(
            db.session.get(Member, trio["jiro"]), db.session.get(Member, trio["hanako"]), None
        )
        db.session.commit()
    hanako = browser(PC)
    login(hanako, "hanako")
    page = hanako.get(f"/users/{trio['jiro']}")
    assert has_link(page, "/friends/requests")
    assert not has_form(page, f"/users/{trio['jiro']}/friend-request")
    jiro = browser(PC)
    login(jiro, "jiro")
    sent = jiro.get("/friends/requests")
    assert "はなこ" in sent.text
    assert not has_form(
        jiro.get(f"/users/{trio['hanako']}"), f"/users/{trio['hanako']}/friend-request"
    )


def test_unfriend_asks_first(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    profile = pc.get(f"/users/{trio['hanako']}")
    confirm = pc.get(href(profile, f"/users/{trio['hanako']}/unfriend"))
    assert confirm.status == 200
    with app.app_context():
        assert are_friends(trio["taro"], trio["hanako"]), "the GET changed nothing"
    page = pc.submit(f"/users/{trio['hanako']}/unfriend")
    assert path_of(page) == f"/users/{trio['hanako']}"
    with app.app_context():
        assert not are_friends(trio["taro"], trio["hanako"])


def test_unfriend_by_get_changes_nothing_and_a_forged_post_is_refused(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/users/{trio['hanako']}/unfriend")
    page = pc.submit(f"/users/{trio['hanako']}/unfriend", drop=("csrf_token",))
    assert page.status == 400
    with app.app_context():
        assert are_friends(trio["taro"], trio["hanako"])


# -- friend lists ----------------------------------------------------------------------------


def test_my_friends_is_the_same_list_as_mine_under_users(browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    mine = pc.get("/friends")
    same = pc.get(f"/users/{trio['taro']}/friends")
    assert "はなこ(1)" in mine.text
    assert "はなこ(1)" in same.text
    assert has_link(mine, "/friends/requests")
    other = pc.get(f"/users/{trio['hanako']}/friends")
    assert "たろう(1)" in other.text
    assert not has_link(other, "/friends/requests")


def test_friend_lists_are_paged_with_4_and_6_on_a_d501i(app, browser, login, make_member):
    taro = make_member("taro", nickname="たろう")
    with app.app_context():
        me = db.session.get(Member, taro)
        for n in range(40):
            other = Member(
                email=f"f{n}@example.jp",
                password_hash="x",
                nickname=f"{n:02d}" + "友" * 18,
                birth_date=me.birth_date,
            )
            db.session.add(other)
            db.session.flush()
            befriend(me, other)
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    page = go(phone, "/friends")
    seen = set()
    pages = 1
    while True:
        assert_fits_d501i(page)
        seen.update(
            text[:2] for url, text in page.links if urlsplit(url).path.startswith("/users/")
        )
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
        assert "4" in page.accesskeys
        pages += 1
    assert pages > 1
    assert {f"{n:02d}" for n in range(40)} <= seen


# -- introductions ---------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_friend_writes_an_introduction_and_the_subject_deletes_it(
    app, browser, login, trio, agent
):
    writer = client_for(browser, agent)
    login(writer, "taro")
    profile = go(writer, f"/users/{trio['hanako']}")
    form_page = writer.get(href(profile, f"/users/{trio['hanako']}/introduction"))
    assert form_page.status == 200
    page = writer.submit(
        f"/users/{trio['hanako']}/introduction", {"body": "はなこは料理上手で優しい人です。"}
    )
    assert path_of(page) == f"/users/{trio['hanako']}"
    with app.app_context():
        assert db.session.get(Introduction, (trio["hanako"], trio["taro"])) is not None

    # Anyone who can see hanako reads it (on a phone, behind the link to the list).
    reader = client_for(browser, agent)
    login(reader, "jiro")
    page = go(reader, f"/users/{trio['hanako']}")
    if "はなこは料理上手" not in page.text:
        page = reader.get(href(page, f"/users/{trio['hanako']}/introductions"))
    assert "はなこは料理上手" in page.text
    assert "たろう" in page.text
    assert not has_form(page, f"/users/{trio['hanako']}/introduction/delete")

    subject = client_for(browser, agent)
    login(subject, "hanako")
    page = go(subject, f"/users/{trio['hanako']}/introductions")
    assert "はなこは料理上手" in page.text
    page = subject.submit(f"/users/{trio['hanako']}/introduction/delete")
    assert path_of(page) == f"/users/{trio['hanako']}"
    with app.app_context():
        assert db.session.get(Introduction, (trio["hanako"], trio["taro"])) is None


def test_a_stranger_cannot_write_an_introduction(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "jiro")
    page = pc.get(f"/users/{trio['hanako']}/introduction")
    assert page.status == 200
    assert not has_form(page, f"/users/{trio['hanako']}/introduction")
    # A crafted post is refused by the service.
    forge(page, f"/users/{trio['hanako']}/introduction")
    page = pc.submit(f"/users/{trio['hanako']}/introduction", {"body": "勝手な紹介文"})
    assert page.status == 200
    assert 'class="error"' in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Introduction)) == 0


# -- blocking --------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_blocked_member_gets_the_404_of_a_missing_one_and_leaves_no_footprint(
    app, browser, login, trio, agent
):
    blocker = client_for(browser, agent)
    login(blocker, "hanako")
    profile = go(blocker, f"/users/{trio['jiro']}")
    confirm = blocker.get(href(profile, f"/users/{trio['jiro']}/block"))
    assert confirm.status == 200
    blocker.submit(f"/users/{trio['jiro']}/block")
    with app.app_context():
        assert social.blocked_members(db.session.get(Member, trio["hanako"]))

    blocked = client_for(browser, agent)
    login(blocked, "jiro")
    page = go(blocked, f"/users/{trio['hanako']}")
    missing = go(blocked, "/users/999999")
    assert page.status == 404
    assert missing.status == 404

    paths = (f"/users/{trio['hanako']}", "/users/999999")
    assert without(page.text, *paths) == without(missing.text, *paths)
    for path in ("friends", "introductions", "introduction"):
        assert go(blocked, f"/users/{trio['hanako']}/{path}").status == 404
    assert footprints_on(app, trio["hanako"]) == []


def test_unblock_from_the_blocked_list_and_from_the_profile(app, browser, login, trio):
    def block():
        with app.app_context():
            social.block(
                db.session.get(Member, trio["hanako"]), db.session.get(Member, trio["jiro"])
            )
            db.session.commit()

    block()
    pc = browser(PC)
    login(pc, "hanako")
    listing = pc.get(href(pc.get("/settings"), "/settings/blocked"))
    assert "じろう" in listing.text
    page = pc.submit(f"/users/{trio['jiro']}/unblock")
    assert path_of(page) == "/settings/blocked"
    assert not has_form(page, f"/users/{trio['jiro']}/unblock")
    jiro = browser(PC)
    login(jiro, "jiro")
    assert jiro.get(f"/users/{trio['hanako']}").status == 200

    block()
    profile = pc.get(f"/users/{trio['jiro']}")
    assert not has_link(profile, f"/users/{trio['jiro']}/block")
    page = pc.submit(f"/users/{trio['jiro']}/unblock")
    assert path_of(page) == f"/users/{trio['jiro']}"
    assert has_link(page, f"/users/{trio['jiro']}/block")
    assert jiro.get(f"/users/{trio['hanako']}").status == 200


# -- footprints ------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_visit_leaves_a_footprint_the_visited_member_sees(app, browser, login, trio, agent):
    visitor = client_for(browser, agent)
    login(visitor, "jiro")
    go(visitor, f"/users/{trio['hanako']}")
    assert footprints_on(app, trio["hanako"]) == [trio["jiro"]]

    owner = client_for(browser, agent)
    home = login(owner, "hanako")
    one_new = ui_text(app, agent, ("%(num)s new", "%(num)s new"), num=1)
    assert one_new in home.text
    page = owner.get(href(home, "/footprints"))
    assert page.status == 200
    assert "じろう" in page.text
    assert has_link(page, f"/users/{trio['jiro']}")
    # Opening the list marked it seen: the home page has no new count any more.
    assert one_new not in go(owner, "/home").text


def test_visiting_my_own_profile_leaves_no_footprint(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "hanako")
    pc.get(f"/users/{trio['hanako']}")
    assert footprints_on(app, trio["hanako"]) == []
    assert pc.get("/footprints").status == 200


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_opting_out_of_footprints_hides_my_list_and_leaves_none(app, browser, login, trio, agent):
    with app.app_context():
        db.session.add(
            Footprint(
                visited_id=trio["hanako"],
                visitor_id=trio["taro"],
                day=utcnow().date(),
                visited_at=utcnow(),
            )
        )
        db.session.commit()
    client = client_for(browser, agent)
    login(client, "hanako")
    form_page = go(client, "/settings/profile")
    assert form_page.status == 200
    assert "leaves_footprints" in form_page.text
    page = client.submit("/settings/profile", PROFILE_DEFAULTS)  # the checkbox unticked
    assert path_of(page) == f"/users/{trio['hanako']}"
    with app.app_context():
        assert not db.session.get(Member, trio["hanako"]).leaves_footprints
    listing = go(client, "/footprints")
    assert listing.status == 200
    assert "たろう" not in listing.text
    assert has_link(listing, "/settings/profile")
    # She leaves none either.
    go(client, f"/users/{trio['jiro']}")
    assert footprints_on(app, trio["jiro"]) == []
    # Turning footprints back on shows the list again.
    go(client, "/settings/profile")
    client.submit("/settings/profile", {**PROFILE_DEFAULTS, "leaves_footprints": "y"})
    assert "たろう" in go(client, "/footprints").text


# -- the profile form --------------------------------------------------------------------------


def test_the_profile_form_saves_fields_and_visibilities(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "hanako")
    settings = pc.get("/settings")
    form_page = pc.get(href(settings, "/settings/profile"))
    for value in ("public", "fof", "friends", "private"):
        assert f'value="{value}"' in form_page.text
    page = pc.submit(
        "/settings/profile",
        {
            **PROFILE_DEFAULTS,
            "nickname": "はなちゃん",
            "real_name": "山田花子",
            "real_name_visibility": "friends",
            "gender": "female",
            "gender_visibility": "private",
            "area": "横浜市",
            "hobbies": "お菓子作り",
            "hobbies_visibility": "fof",
            "introduction": "よろしくお願いします",
            "leaves_footprints": "y",
        },
    )
    assert path_of(page) == f"/users/{trio['hanako']}"
    assert "はなちゃん" in page.text
    with app.app_context():
        member = db.session.get(Member, trio["hanako"])
        profile = db.session.get(Profile, trio["hanako"])
        assert member.nickname == "はなちゃん"
        assert member.real_name == "山田花子"
        assert (profile.gender, profile.gender_visibility) == ("female", "private")
        assert profile.real_name_visibility == "friends"
        assert profile.hobbies_visibility == "fof"
        assert profile.introduction == "よろしくお願いします"
        assert member.leaves_footprints


def test_the_phone_profile_form_keeps_the_self_introduction_and_edits_it_apart(
    app, browser, login, trio
):
    set_profile(app, trio["hanako"], introduction="消えてはいけない自己紹介")
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "hanako")
    form_page = go(phone, "/settings/profile")
    assert_fits_d501i(form_page)
    assert "introduction" not in form_page.form("/settings/profile").fields
    phone.submit(
        "/settings/profile", {**PROFILE_DEFAULTS, "area": "横浜市", "leaves_footprints": "y"}
    )
    with app.app_context():
        profile = db.session.get(Profile, trio["hanako"])
        assert profile.area == "横浜市"
        assert profile.introduction == "消えてはいけない自己紹介"
    form_page = go(phone, "/settings/profile")
    intro_page = phone.get(href(form_page, "/settings/profile/introduction"))
    assert_fits_d501i(intro_page)
    assert "消えてはいけない自己紹介" in intro_page.text
    phone.submit("/settings/profile/introduction", {"introduction": "新しい自己紹介"})
    with app.app_context():
        assert db.session.get(Profile, trio["hanako"]).introduction == "新しい自己紹介"


def test_an_empty_nickname_is_refused(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "hanako")
    pc.get("/settings/profile")
    page = pc.submit("/settings/profile", {**PROFILE_DEFAULTS, "nickname": ""})
    assert page.status == 200
    assert 'class="error"' in page.text
    with app.app_context():
        assert db.session.get(Member, trio["hanako"]).nickname == "はなこ"


# -- home ------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_home_links_friends_requests_footprints_and_birthdays(app, browser, login, trio, agent):
    soon = tokyo_today() + timedelta(days=1)
    if (soon.month, soon.day) == (2, 29):
        soon += timedelta(days=1)
    with app.app_context():
        hanako = db.session.get(Member, trio["hanako"])
        hanako.birth_date = hanako.birth_date.replace(month=soon.month, day=soon.day)
        social.request_friendship(
            db.session.get(Member, trio["jiro"]), db.session.get(Member, trio["taro"]), None
        )
        db.session.commit()
    client = client_for(browser, agent)
    home = login(client, "taro")
    assert has_link(home, f"/users/{trio['hanako']}")
    assert f"{soon.month}月{soon.day}日" in home.text, "the birthday, in the Japanese form"
    assert has_link(home, "/friends/requests")
    assert has_link(home, "/footprints")
    assert has_link(home, "/friends")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(home)
        assert "2" in home.accesskeys


def test_home_has_no_request_link_without_requests(browser, login, trio):
    pc = browser(PC)
    home = login(pc, "taro")
    assert not has_link(home, "/friends/requests")


# -- every new page: 5 KB on a D501i with the longest content, and on a PC ---------------------

LONG_NAME = "長" * 20


@pytest.fixture
def busy_world(app, make_member):
    """A member with the longest content everywhere the new pages show it."""
    taro = make_member("taro", nickname=LONG_NAME)
    with app.app_context():
        me = db.session.get(Member, taro)
        me.real_name = "名" * 80
        db.session.add(
            Profile(
                member_id=taro,
                gender="male",
                area="地" * 40,
                hobbies="趣" * 200,
                introduction="自己紹介の文です。" * 166,
            )
        )
        now = utcnow()
        others = []
        for n in range(45):
            other = Member(
                email=f"o{n}@example.jp",
                password_hash="x",
                nickname=f"{n:02d}" + "友" * 18,
                birth_date=me.birth_date,
            )
            db.session.add(other)
            db.session.flush()
            others.append(other)
        for n, other in enumerate(others):
            if n < 20:
                befriend(me, other)
                db.session.add(Introduction(subject_id=taro, author_id=other.id, body="紹介" * 500))
            elif n < 32:
                db.session.add(
                    FriendRequest(sender_id=other.id, recipient_id=taro, message="申" * 200)
                )
            elif n < 40:
                db.session.add(
                    FriendRequest(sender_id=taro, recipient_id=other.id, message="送" * 200)
                )
            else:
                db.session.add(Block(blocker_id=taro, blocked_id=other.id))
            for days in range(3):
                db.session.add(
                    Footprint(
                        visited_id=taro,
                        visitor_id=other.id,
                        day=(now - timedelta(days=days)).date(),
                        visited_at=now - timedelta(days=days, minutes=n),
                    )
                )
        db.session.add(Introduction(subject_id=others[0].id, author_id=taro, body="紹介" * 500))
        counters.recount()  # the requests were added around the services
        db.session.commit()
        friend = others[0].id
    stranger = make_member("jiro", nickname="名" * 20)
    return {"taro": taro, "friend": friend, "stranger": stranger}


def _new_pages(ids):
    me, friend = ids["taro"], ids["friend"]
    return [
        "/home",
        f"/users/{me}",
        f"/users/{me}?part=2",
        f"/users/{friend}",
        f"/users/{me}/friends",
        "/friends",
        "/friends?page=2",
        "/friends/requests",
        "/friends/requests?page=3&sent=2",
        f"/users/{me}/introductions",
        f"/users/{me}/introductions?page=4",
        f"/users/{friend}/introduction",
        f"/users/{me}/introduction",
        f"/users/{friend}/unfriend",
        f"/users/{friend}/block",
        "/footprints",
        "/footprints?page=3",
        "/settings",
        "/settings/profile",
        "/settings/profile/introduction",
        "/settings/blocked",
    ]


def test_every_new_page_fits_a_d501i_with_the_longest_content(app, browser, busy_world):
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": "taro@example.jp", "password": "correct horse 8"})
    assert path_of(home) == "/home"
    for path in _new_pages(busy_world):
        page = go(phone, path)  # PAGE_BUDGET_STRICT raises before an oversized page leaves
        assert_fits_d501i(page)
        internal = [
            url
            for url, _t in page.links
            if url.startswith("/") and not url.startswith("/lang") and not url.startswith("/jump")
        ]
        assert all(sid_of(url) for url in internal), path
        assert all(sid_of(form.action) for form in page.forms), path


def test_a_busy_profile_seen_by_a_stranger_fits_a_d501i(app, browser, login, busy_world):
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "jiro")
    page = go(phone, f"/users/{busy_world['taro']}")
    assert_fits_d501i(page)
    assert has_form(page, f"/users/{busy_world['taro']}/friend-request")
    # The request form sent back with an error (a message too long) still fits.
    page = phone.submit(f"/users/{busy_world['taro']}/friend-request", {"message": "&" * 200})
    assert "color:#c00" in page.text
    assert_fits_d501i(page)


def test_every_new_page_renders_on_a_pc(app, browser, busy_world):
    pc = browser(PC)
    pc.get("/login")
    pc.submit("/login", {"email": "taro@example.jp", "password": "correct horse 8"})
    for path in _new_pages(busy_world):
        assert_pc(pc.get(path))


def test_the_busy_footprint_list_pages_through_every_visitor(app, browser, busy_world):
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    phone.submit("/login", {"email": "taro@example.jp", "password": "correct horse 8"})
    page = go(phone, "/footprints")
    rows = 0
    while True:
        assert_fits_d501i(page)
        rows += sum(1 for url, _t in page.links if urlsplit(url).path.startswith("/users/"))
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
    assert rows == 40 * 3, "every visitor but the 5 taro blocked, on each of 3 days"

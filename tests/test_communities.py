"""Communities as members use them, on a PC and on a cookie-less DoCoMo D501i (5 KB pages):
creating, joining (open and by approval), topics with numbered comments, who reads them,
leaving, and the home page.

Pages are reached through their links and forms (``href`` paths), so the tests hold whatever
the UI language says; what they check on the page is language-neutral (names, member text).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Community, JoinRequest, Member, Topic, TopicComment
from portal.services import topic_comments, topics
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import add_member, make_community, make_topic, role_in
from tests.pages import assert_fits_d501i, client_for, go, has_form, has_link, href, path_of, search

# -- the story -----------------------------------------------------------------------------


def test_created_on_a_pc_joined_and_posted_to_from_a_cookieless_docomo(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "hanako")
    form_page = pc.get("/communities/new")
    assert form_page.status == 200
    created = pc.submit(
        "/communities/new",
        {"name": "横浜カフェ部", "description": "横浜のカフェ好き集まれ☕", "category": "food"},
    )
    assert created.status == 200
    community_id = int(path_of(created).rsplit("/", 1)[1])
    assert "横浜カフェ部" in created.text
    assert role_in(app, community_id, trio["hanako"]) == "admin"

    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    index = go(phone, "/communities")
    assert_fits_d501i(index)
    found = search(phone, q="カフェ", category="")
    assert_fits_d501i(found)
    assert sid_of(found.url), "the GET search form carries the session"
    page = phone.get(href(found, f"/communities/{community_id}"))
    assert_fits_d501i(page)
    joined = phone.submit(f"/communities/{community_id}/join")
    assert_fits_d501i(joined)
    assert role_in(app, community_id, trio["taro"]) == "member"

    new_topic = phone.get(href(joined, f"/communities/{community_id}/topics/new"))
    assert_fits_d501i(new_topic)
    shown = phone.submit(
        f"/communities/{community_id}/topics/new",
        {"title": "元町のおすすめ", "body": "元町でおすすめのカフェを教えてください♪"},
    )
    assert_fits_d501i(shown)
    assert "元町でおすすめのカフェを教えてください" in shown.text
    topic_id = int(path_of(shown).rsplit("/", 1)[1])

    # Comments are numbered in order, from either rendering.
    comments = phone.get(href(shown, f"/topics/{topic_id}/comments"))
    assert_fits_d501i(comments)
    posted = phone.submit(f"/topics/{topic_id}/comments", {"body": "私も知りたいです"})
    assert_fits_d501i(posted)
    assert "私も知りたいです" in posted.text
    pc_topic = pc.get(f"/topics/{topic_id}")
    assert "元町のおすすめ" in pc_topic.text
    assert "私も知りたいです" in pc_topic.text
    pc.submit(f"/topics/{topic_id}/comments", {"body": "ビスキュイがおすすめ"})
    with app.app_context():
        numbers = db.session.execute(
            select(TopicComment.number, TopicComment.body)
            .where(TopicComment.topic_id == topic_id)
            .order_by(TopicComment.number)
        ).all()
        assert [tuple(row) for row in numbers] == [
            (1, "私も知りたいです"),
            (2, "ビスキュイがおすすめ"),
        ]

    # The new topic shows on the home of members of the community.
    home = go(phone, "/home")
    assert_fits_d501i(home)
    assert "元町のおすすめ" in home.text
    jiro = browser(PC)
    login(jiro, "jiro")
    assert "元町のおすすめ" not in jiro.get("/home").text


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_non_members_read_topics_only_when_the_community_allows(app, browser, login, trio, agent):
    community_id = make_community(app, trio["hanako"])
    topic_id = make_topic(app, community_id, trio["hanako"], title="秘密のトピック")
    stranger = client_for(browser, agent)
    login(stranger, "jiro")

    page = go(stranger, f"/communities/{community_id}")
    assert page.status == 200
    assert "秘密のトピック" in page.text
    assert go(stranger, f"/topics/{topic_id}").status == 200
    assert not has_form(page, f"/topics/{topic_id}/comments")
    # Reading is not commenting: non-members cannot comment.
    topic_page = go(stranger, f"/topics/{topic_id}")
    assert not has_form(topic_page, f"/topics/{topic_id}/comments")

    admin = browser(PC)
    login(admin, "hanako")
    admin.get(f"/communities/{community_id}/settings")
    saved = admin.submit(
        f"/communities/{community_id}/settings",
        {"join_policy": "open", "topics_visibility": "members", "topic_creators": "members"},
    )
    assert saved.status == 200

    page = go(stranger, f"/communities/{community_id}")
    assert page.status == 200
    assert "横浜カフェ部" in page.text
    assert "秘密のトピック" not in page.text
    assert go(stranger, f"/topics/{topic_id}").status == 404
    assert go(stranger, f"/communities/{community_id}/topics").status == 404
    assert go(stranger, f"/communities/{community_id}/events").status == 404

    add_member(app, community_id, trio["jiro"])
    assert "秘密のトピック" in go(stranger, f"/communities/{community_id}").text
    assert go(stranger, f"/topics/{topic_id}").status == 200


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_an_approval_community_admits_only_after_approval(app, browser, login, trio, agent):
    community_id = make_community(app, trio["hanako"], join_policy="approval", topics_public=False)
    topic_id = make_topic(app, community_id, trio["hanako"], title="メンバー限定")
    applicant = client_for(browser, agent)
    login(applicant, "taro")
    page = go(applicant, f"/communities/{community_id}")
    asked = applicant.submit(f"/communities/{community_id}/join", {"message": "入れてください"})
    assert asked.status == 200
    assert role_in(app, community_id, trio["taro"]) is None
    assert go(applicant, f"/topics/{topic_id}").status == 404
    assert "メンバー限定" not in go(applicant, f"/communities/{community_id}").text
    # A second request is refused; the first one stays.
    page = go(applicant, f"/communities/{community_id}")
    assert not has_form(page, f"/communities/{community_id}/join")

    admin = client_for(browser, agent)
    login(admin, "hanako")
    show = go(admin, f"/communities/{community_id}")
    requests = admin.get(href(show, f"/communities/{community_id}/requests"))
    assert requests.status == 200
    assert "たろう" in requests.text
    assert "入れてください" in requests.text
    admin.submit(f"/communities/{community_id}/requests/{trio['taro']}/approve")
    assert role_in(app, community_id, trio["taro"]) == "member"
    assert go(applicant, f"/topics/{topic_id}").status == 200
    with app.app_context():
        assert db.session.get(Community, community_id).member_count == 2
        assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 0

    # A declined request leaves the member out, and is not told.
    other = client_for(browser, agent)
    login(other, "jiro")
    go(other, f"/communities/{community_id}")
    other.submit(f"/communities/{community_id}/join", {"message": ""})
    admin_requests = go(admin, f"/communities/{community_id}/requests")
    assert "じろう" in admin_requests.text
    admin.submit(f"/communities/{community_id}/requests/{trio['jiro']}/decline")
    assert role_in(app, community_id, trio["jiro"]) is None
    with app.app_context():
        assert db.session.get(Community, community_id).member_count == 2


def test_leaving_and_the_admin_hands_over_first(app, browser, login, trio):
    community_id = make_community(app, trio["hanako"])
    add_member(app, community_id, trio["taro"])
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    confirm = go(phone, f"/communities/{community_id}/leave")
    assert_fits_d501i(confirm)
    phone.submit(f"/communities/{community_id}/leave")
    assert role_in(app, community_id, trio["taro"]) is None

    add_member(app, community_id, trio["taro"])
    admin = browser(PC)
    login(admin, "hanako")
    admin.get(f"/communities/{community_id}/leave")
    assert not has_form(admin.page, f"/communities/{community_id}/leave")
    admin.get(f"/communities/{community_id}/members/{trio['taro']}/transfer")
    admin.submit(f"/communities/{community_id}/members/{trio['taro']}/transfer")
    assert role_in(app, community_id, trio["taro"]) == "admin"
    assert role_in(app, community_id, trio["hanako"]) == "subadmin"
    admin.get(f"/communities/{community_id}/leave")
    admin.submit(f"/communities/{community_id}/leave")
    assert role_in(app, community_id, trio["hanako"]) is None
    with app.app_context():
        assert db.session.get(Community, community_id).member_count == 1


def test_an_admin_alone_deletes_the_community_by_leaving(app, browser, login, trio):
    community_id = make_community(app, trio["hanako"])
    make_topic(app, community_id, trio["hanako"])
    pc = browser(PC)
    login(pc, "hanako")
    pc.get(f"/communities/{community_id}/leave")
    pc.submit(f"/communities/{community_id}/leave")
    with app.app_context():
        assert db.session.get(Community, community_id) is None
        assert db.session.scalar(select(func.count()).select_from(Topic)) == 0


# -- topics ------------------------------------------------------------------------------------


def test_comment_numbers_survive_deletion_and_members_only_comment(app, ctx, make_member):
    admin = make_member("admin_c", nickname="管理人")
    outsider = make_member("outsider", nickname="部外者")
    community_id = make_community(app, admin)
    topic_id = make_topic(app, community_id, admin)
    me = db.session.get(Member, admin)
    topic = db.session.get(Topic, topic_id)
    first = topic_comments.THREAD.add(me, topic, "一つ目")
    topic_comments.THREAD.add(me, topic, "二つ目")
    topic_comments.THREAD.delete(me, topic, first)
    third = topic_comments.THREAD.add(me, topic, "三つ目")
    assert third.number == 3
    assert topic.comment_count == 2
    with pytest.raises(topics.ServiceError):
        topic_comments.THREAD.add(db.session.get(Member, outsider), topic, "入れて")
    db.session.rollback()


def test_topics_of_members_who_blocked_me_are_missing(app, browser, login, trio):
    community_id = make_community(app, trio["hanako"])
    add_member(app, community_id, trio["jiro"])
    topic_id = make_topic(app, community_id, trio["jiro"], title="じろうのトピック")
    with app.app_context():
        from portal.services import social

        social.block(db.session.get(Member, trio["jiro"]), db.session.get(Member, trio["taro"]))
        db.session.commit()
    taro = browser(PC)
    login(taro, "taro")
    assert "じろうのトピック" not in taro.get(f"/communities/{community_id}").text
    assert taro.get(f"/topics/{topic_id}").status == 404
    members = taro.get(f"/communities/{community_id}/members")
    assert "じろう" not in members.text
    assert "はなこ" in members.text


def test_a_long_topic_reads_in_parts_and_edits_part_by_part_on_phones(app, browser, login, trio):
    community_id = make_community(app, trio["hanako"])
    body = "\n\n".join(f"{n}段落目。" + "カフェの話をします。" * 20 for n in range(1, 15))
    topic_id = make_topic(app, community_id, trio["hanako"], title="長いトピック", body=body)
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "hanako")
    page = go(phone, f"/topics/{topic_id}")
    assert_fits_d501i(page)
    assert "1段落目" in page.text
    assert "14段落目" not in page.text
    last = go(phone, f"/topics/{topic_id}?part=99")
    assert_fits_d501i(last)
    assert "14段落目" in last.text
    edit = go(phone, f"/topics/{topic_id}/edit?part=2")
    assert_fits_d501i(edit)
    form = edit.form(f"/topics/{topic_id}/edit")
    assert form.fields["part"] == "2"
    phone.submit(f"/topics/{topic_id}/edit", {"title": "長いトピック", "body": "書き直した二番目"})
    with app.app_context():
        saved = db.session.get(Topic, topic_id).body
    assert "書き直した二番目" in saved
    assert saved.startswith("1段落目")
    assert "14段落目" in saved


def test_only_permitted_members_start_topics(app, browser, login, trio):
    community_id = make_community(app, trio["hanako"], topic_creators="managers")
    add_member(app, community_id, trio["taro"])
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/communities/{community_id}")
    assert not has_link(page, f"/communities/{community_id}/topics/new")
    assert pc.get(f"/communities/{community_id}/topics/new").status == 403
    admin = browser(PC)
    login(admin, "hanako")
    page = admin.get(f"/communities/{community_id}")
    assert has_link(page, f"/communities/{community_id}/topics/new")

"""Hidden content (after a report, an operator's decision) disappears for everyone but its
author and operators, everywhere: its page (404), lists, counts, feeds, search and home; its
author sees it with a notice; restoring brings it back. PC and a cookie-less D501i.
"""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import Community, Diary, Member, Profile, Report, Review, Topic, TopicComment
from portal.services import diaries, diary_comments, reports, topics
from tests.browser import PC
from tests.pages import client_for, go
from tests.report_helpers import (
    AGENTS,
    HIDDEN_NOTICE,
    decide,
    make_world,
    report_as,
    report_count,
    search_page,
    ui_text,
)


@pytest.fixture
def world(app, make_member):
    """The report world (``tests.report_helpers.make_world``)."""
    return make_world(app, make_member)


@AGENTS
def test_a_hidden_diary_disappears_for_everyone_but_its_author_and_operators(
    app, browser, login, world, agent
):
    report = report_as(app, world["jiro"], "diary", world["diary"])
    decide(app, browser, login, report, "hide", agent)
    with app.app_context():
        assert db.session.get(Diary, world["diary"]).hidden
    assert report_count(app, status="closed") == 1

    for reader in ("hanako", "jiro", "kenta"):
        client = client_for(browser, agent)
        home = login(client, reader)
        assert "東京タワーの宣伝" not in home.text, reader
        assert go(client, f"/diaries/{world['diary']}").status == 404
        assert "東京タワーの宣伝" not in go(client, f"/users/{world['sakura']}/diaries").text
        assert "東京タワーの宣伝" not in search_page(client, "東京タワー").text
        assert "東京タワーの宣伝" not in go(client, "/comments/mine").text
        assert go(client, f"/report?type=diary&id={world['diary']}").status == 404
    feed = browser(PC).get(f"/feeds/users/{world['sakura']}/diaries.atom")
    assert "東京タワーの宣伝" not in feed.body.decode()

    notice = ui_text(app, agent, HIDDEN_NOTICE)
    for who in ("sakura", "admin"):
        client = client_for(browser, agent)
        login(client, who)
        page = go(client, f"/diaries/{world['diary']}")
        assert page.status == 200
        assert "東京タワーの宣伝" in page.text
        assert notice in page.text, who
        assert "東京タワーの宣伝" in go(client, f"/users/{world['sakura']}/diaries").text

    decide(app, browser, login, report, "restore", agent)
    hanako = client_for(browser, agent)
    home = login(hanako, "hanako")
    assert "東京タワーの宣伝" in home.text
    page = go(hanako, f"/diaries/{world['diary']}")
    assert page.status == 200
    assert notice not in page.text
    assert "東京タワーの宣伝" in search_page(hanako, "東京タワー").text
    feed = browser(PC).get(f"/feeds/users/{world['sakura']}/diaries.atom")
    assert "東京タワーの宣伝" in feed.body.decode()


def test_a_hidden_diary_is_gone_from_the_services_too(app, ctx, world):
    with app.app_context():
        operator = db.session.get(Member, world["admin"])
        reports.hide(
            operator,
            db.session.get(Report, report_as(app, world["jiro"], "diary", world["diary"])),
        )
        db.session.commit()
    sakura = db.session.get(Member, world["sakura"])
    for viewer in (world["hanako"], world["jiro"], None):
        assert diaries.get_visible(world["diary"], viewer) is None
        assert diaries.list_of(sakura, viewer, month=None, offset=0, limit=10).total == 0
        assert diaries.month_index(sakura, viewer) == []
    assert diaries.friends_newest(db.session.get(Member, world["hanako"]), 10) == []
    assert diaries.get_visible(world["diary"], world["sakura"]) is not None
    assert diaries.get_visible(world["diary"], world["admin"]) is not None


# -- comments ----------------------------------------------------------------------------------


@AGENTS
def test_a_hidden_diary_comment_leaves_the_page_and_the_counts(app, browser, login, world, agent):
    report = report_as(app, world["jiro"], "diary_comment", world["comment"])
    decide(app, browser, login, report, "hide", agent)
    with app.app_context():
        assert db.session.get(Diary, world["diary"]).comment_count == 0
    for reader in ("jiro", "sakura"):  # sakura wrote the diary, not the comment
        client = client_for(browser, agent)
        login(client, reader)
        page = go(client, f"/diaries/{world['diary']}")
        assert "けんたのコメント" not in page.text, reader
        assert ui_text(app, agent, ("Comments (%(num)s)", "Comments (%(num)s)"), num=0) in page.text
    kenta = client_for(browser, agent)
    login(kenta, "kenta")
    page = go(kenta, f"/diaries/{world['diary']}")
    assert "けんたのコメント" in page.text
    assert ui_text(app, agent, "Hidden by the operators") in page.text
    assert "けんたのコメント" in go(kenta, "/comments/mine").text

    decide(app, browser, login, report, "restore", agent)
    with app.app_context():
        assert db.session.get(Diary, world["diary"]).comment_count == 1
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    assert "けんたのコメント" in go(jiro, f"/diaries/{world['diary']}").text


def test_deleting_a_hidden_comment_does_not_count_it_twice(app, ctx, world):
    operator = db.session.get(Member, world["admin"])
    report = db.session.get(
        Report, report_as(app, world["jiro"], "diary_comment", world["comment"])
    )
    reports.hide(operator, report)
    db.session.commit()
    comment = diary_comments.THREAD.get_visible(world["comment"], world["kenta"])
    diary_comments.THREAD.delete(db.session.get(Member, world["kenta"]), comment.diary, comment)
    db.session.commit()
    assert db.session.get(Diary, world["diary"]).comment_count == 0


# -- topics, topic comments, reviews, profiles ---------------------------------------------


@AGENTS
def test_a_hidden_topic_and_topic_comment_disappear(app, browser, login, world, agent):
    hide_topic = report_as(app, world["jiro"], "topic_comment", world["topic_comment"])
    decide(app, browser, login, hide_topic, "hide", agent)
    hanako = client_for(browser, agent)
    login(hanako, "hanako")
    page = go(hanako, f"/topics/{world['topic']}/comments")
    assert "トピックへの怪しいコメント" not in page.text
    with app.app_context():
        assert db.session.get(Topic, world["topic"]).comment_count == 0
    kenta = client_for(browser, agent)
    login(kenta, "kenta")
    assert "トピックへの怪しいコメント" in go(kenta, f"/topics/{world['topic']}/comments").text
    # The community's admin does not read it through its delete page either.
    admin = client_for(browser, agent)
    login(admin, "sakura")
    assert go(admin, f"/topics/{world['topic']}/comments/1/delete").status == 404
    assert go(kenta, f"/topics/{world['topic']}/comments/1/delete").status == 200

    report = report_as(app, world["jiro"], "topic", world["topic"])
    decide(app, browser, login, report, "hide", agent)
    home = go(hanako, "/home")
    assert "怪しいトピック" not in home.text
    assert go(hanako, f"/topics/{world['topic']}").status == 404
    assert "怪しいトピック" not in go(hanako, f"/communities/{world['community']}/topics").text
    assert "怪しいトピック" not in go(hanako, f"/communities/{world['community']}").text
    sakura = client_for(browser, agent)
    login(sakura, "sakura")
    page = go(sakura, f"/topics/{world['topic']}")
    assert page.status == 200
    assert ui_text(app, agent, HIDDEN_NOTICE) in page.text

    decide(app, browser, login, report, "restore", agent)
    assert go(hanako, f"/topics/{world['topic']}").status == 200


@AGENTS
def test_a_hidden_review_disappears_from_lists_home_and_search(app, browser, login, world, agent):
    report = report_as(app, world["jiro"], "review", world["review"])
    decide(app, browser, login, report, "hide", agent)
    hanako = client_for(browser, agent)
    home = login(hanako, "hanako")
    assert "怪しいレビュー" not in home.text
    assert go(hanako, f"/reviews/{world['review']}").status == 404
    assert "怪しいレビュー" not in go(hanako, f"/users/{world['sakura']}/reviews").text
    assert "怪しいレビュー" not in search_page(hanako, "怪しい").text
    sakura = client_for(browser, agent)
    login(sakura, "sakura")
    page = go(sakura, f"/reviews/{world['review']}")
    assert ui_text(app, agent, HIDDEN_NOTICE) in page.text
    decide(app, browser, login, report, "restore", agent)
    assert "怪しいレビュー" in go(hanako, "/home").text
    with app.app_context():
        assert not db.session.get(Review, world["review"]).hidden


@AGENTS
def test_a_hidden_self_introduction_is_shown_only_to_its_member(app, browser, login, world, agent):
    report = report_as(app, world["jiro"], "profile", world["sakura"])
    decide(app, browser, login, report, "hide", agent)
    notice = ui_text(app, agent, HIDDEN_NOTICE)
    for reader in ("hanako", "jiro"):
        client = client_for(browser, agent)
        login(client, reader)
        page = go(client, f"/users/{world['sakura']}")
        assert page.status == 200
        assert "さくら" in page.text
        assert "さくらの自己紹介です" not in page.text
    for who in ("sakura", "admin"):
        client = client_for(browser, agent)
        login(client, who)
        page = go(client, f"/users/{world['sakura']}")
        assert "さくらの自己紹介です" in page.text
        assert notice in page.text
    decide(app, browser, login, report, "restore", agent)
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    assert "さくらの自己紹介です" in go(jiro, f"/users/{world['sakura']}").text


def test_a_profile_without_a_row_can_still_be_hidden(app, browser, login, world, make_member):
    quiet = make_member("quiet", nickname="しずか")
    report = report_as(app, world["jiro"], "profile", quiet)
    decide(app, browser, login, report, "hide")
    with app.app_context():
        assert db.session.get(Profile, quiet).hidden


def test_hiding_survives_in_the_community_and_topic_lists_counts(app, ctx, world):
    operator = db.session.get(Member, world["admin"])
    reports.hide(
        operator, db.session.get(Report, report_as(app, world["jiro"], "topic", world["topic"]))
    )
    db.session.commit()
    community = db.session.get(Community, world["community"])
    assert topics.of_community(community, world["hanako"]) == ([], 0)
    assert topics.of_community(community, world["sakura"])[1] == 1
    assert topics.updates_for(db.session.get(Member, world["kenta"]), 10) == []
    comment = db.session.get(TopicComment, world["topic_comment"])
    assert comment is not None

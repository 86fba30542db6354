"""Hidden content (after a report, an operator's decision) disappears for everyone but its
author and operators, everywhere: its page (404), lists, counts, feeds, search and home; its
author sees it with a notice; restoring brings it back. PC and a cookie-less D501i.
"""

from __future__ import annotations

from portal.extensions import db
from portal.models import Community, Diary, Member, Profile, Report, Review, Topic, TopicComment
from portal.services import diaries, diary_comments, reports, topics
from tests.browser import PC
from tests.fixtures.factories import report_as, report_count
from tests.pages import AGENTS, HIDDEN_NOTICE, client_for, decide, go, search_page, ui_text


@AGENTS
def test_a_hidden_diary_disappears_for_everyone_but_its_author_and_operators(
    app, browser, login, reported, agent
):
    report = report_as(app, reported["jiro"], "diary", reported["diary"])
    decide(browser, login, report, "hide", agent)
    with app.app_context():
        assert db.session.get(Diary, reported["diary"]).hidden
    assert report_count(app, status="closed") == 1

    for reader in ("hanako", "jiro", "kenta"):
        client = client_for(browser, agent)
        home = login(client, reader)
        assert "東京タワーの宣伝" not in home.text, reader
        assert go(client, f"/diaries/{reported['diary']}").status == 404
        assert "東京タワーの宣伝" not in go(client, f"/users/{reported['sakura']}/diaries").text
        assert "東京タワーの宣伝" not in search_page(client, "東京タワー").text
        assert "東京タワーの宣伝" not in go(client, "/comments/mine").text
        assert go(client, f"/report?type=diary&id={reported['diary']}").status == 404
    feed = browser(PC).get(f"/feeds/users/{reported['sakura']}/diaries.atom")
    assert "東京タワーの宣伝" not in feed.body.decode()

    notice = ui_text(app, agent, HIDDEN_NOTICE)
    for who in ("sakura", "admin"):
        client = client_for(browser, agent)
        login(client, who)
        page = go(client, f"/diaries/{reported['diary']}")
        assert page.status == 200
        assert "東京タワーの宣伝" in page.text
        assert notice in page.text, who
        assert "東京タワーの宣伝" in go(client, f"/users/{reported['sakura']}/diaries").text

    decide(browser, login, report, "restore", agent)
    hanako = client_for(browser, agent)
    home = login(hanako, "hanako")
    assert "東京タワーの宣伝" in home.text
    page = go(hanako, f"/diaries/{reported['diary']}")
    assert page.status == 200
    assert notice not in page.text
    assert "東京タワーの宣伝" in search_page(hanako, "東京タワー").text
    feed = browser(PC).get(f"/feeds/users/{reported['sakura']}/diaries.atom")
    assert "東京タワーの宣伝" in feed.body.decode()


def test_a_hidden_diary_is_gone_from_the_services_too(app, ctx, reported):
    with app.app_context():
        operator = db.session.get(Member, reported["admin"])
        reports.hide(
            operator,
            db.session.get(Report, report_as(app, reported["jiro"], "diary", reported["diary"])),
        )
        db.session.commit()
    sakura = db.session.get(Member, reported["sakura"])
    for viewer in (reported["hanako"], reported["jiro"], None):
        assert diaries.get_visible(reported["diary"], viewer) is None
        assert diaries.list_of(sakura, viewer, month=None, offset=0, limit=10).total == 0
        assert diaries.month_index(sakura, viewer) == []
    assert diaries.friends_newest(db.session.get(Member, reported["hanako"]), 10) == []
    assert diaries.get_visible(reported["diary"], reported["sakura"]) is not None
    assert diaries.get_visible(reported["diary"], reported["admin"]) is not None


# -- comments ----------------------------------------------------------------------------------


@AGENTS
def test_a_hidden_diary_comment_leaves_the_page_and_the_counts(
    app, browser, login, reported, agent
):
    report = report_as(app, reported["jiro"], "diary_comment", reported["comment"])
    decide(browser, login, report, "hide", agent)
    with app.app_context():
        assert db.session.get(Diary, reported["diary"]).comment_count == 0
    for reader in ("jiro", "sakura"):  # sakura wrote the diary, not the comment
        client = client_for(browser, agent)
        login(client, reader)
        page = go(client, f"/diaries/{reported['diary']}")
        assert "けんたのコメント" not in page.text, reader
        assert ui_text(app, agent, ("Comments (%(num)s)", "Comments (%(num)s)"), num=0) in page.text
    kenta = client_for(browser, agent)
    login(kenta, "kenta")
    page = go(kenta, f"/diaries/{reported['diary']}")
    assert "けんたのコメント" in page.text
    assert ui_text(app, agent, "Hidden by the operators") in page.text
    assert "けんたのコメント" in go(kenta, "/comments/mine").text

    decide(browser, login, report, "restore", agent)
    with app.app_context():
        assert db.session.get(Diary, reported["diary"]).comment_count == 1
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    assert "けんたのコメント" in go(jiro, f"/diaries/{reported['diary']}").text


def test_deleting_a_hidden_comment_does_not_count_it_twice(app, ctx, reported):
    operator = db.session.get(Member, reported["admin"])
    report = db.session.get(
        Report, report_as(app, reported["jiro"], "diary_comment", reported["comment"])
    )
    reports.hide(operator, report)
    db.session.commit()
    comment = diary_comments.THREAD.get_visible(reported["comment"], reported["kenta"])
    diary_comments.THREAD.delete(db.session.get(Member, reported["kenta"]), comment.diary, comment)
    db.session.commit()
    assert db.session.get(Diary, reported["diary"]).comment_count == 0


# -- topics, topic comments, reviews, profiles ---------------------------------------------


@AGENTS
def test_a_hidden_topic_and_topic_comment_disappear(app, browser, login, reported, agent):
    hide_topic = report_as(app, reported["jiro"], "topic_comment", reported["topic_comment"])
    decide(browser, login, hide_topic, "hide", agent)
    hanako = client_for(browser, agent)
    login(hanako, "hanako")
    page = go(hanako, f"/topics/{reported['topic']}/comments")
    assert "トピックへの怪しいコメント" not in page.text
    with app.app_context():
        assert db.session.get(Topic, reported["topic"]).comment_count == 0
    kenta = client_for(browser, agent)
    login(kenta, "kenta")
    assert "トピックへの怪しいコメント" in go(kenta, f"/topics/{reported['topic']}/comments").text
    # The community's admin does not read it through its delete page either.
    admin = client_for(browser, agent)
    login(admin, "sakura")
    assert go(admin, f"/topics/{reported['topic']}/comments/1/delete").status == 404
    assert go(kenta, f"/topics/{reported['topic']}/comments/1/delete").status == 200

    report = report_as(app, reported["jiro"], "topic", reported["topic"])
    decide(browser, login, report, "hide", agent)
    home = go(hanako, "/home")
    assert "怪しいトピック" not in home.text
    assert go(hanako, f"/topics/{reported['topic']}").status == 404
    assert "怪しいトピック" not in go(hanako, f"/communities/{reported['community']}/topics").text
    assert "怪しいトピック" not in go(hanako, f"/communities/{reported['community']}").text
    sakura = client_for(browser, agent)
    login(sakura, "sakura")
    page = go(sakura, f"/topics/{reported['topic']}")
    assert page.status == 200
    assert ui_text(app, agent, HIDDEN_NOTICE) in page.text

    decide(browser, login, report, "restore", agent)
    assert go(hanako, f"/topics/{reported['topic']}").status == 200


@AGENTS
def test_a_hidden_review_disappears_from_lists_home_and_search(
    app, browser, login, reported, agent
):
    report = report_as(app, reported["jiro"], "review", reported["review"])
    decide(browser, login, report, "hide", agent)
    hanako = client_for(browser, agent)
    home = login(hanako, "hanako")
    assert "怪しいレビュー" not in home.text
    assert go(hanako, f"/reviews/{reported['review']}").status == 404
    assert "怪しいレビュー" not in go(hanako, f"/users/{reported['sakura']}/reviews").text
    assert "怪しいレビュー" not in search_page(hanako, "怪しい").text
    sakura = client_for(browser, agent)
    login(sakura, "sakura")
    page = go(sakura, f"/reviews/{reported['review']}")
    assert ui_text(app, agent, HIDDEN_NOTICE) in page.text
    decide(browser, login, report, "restore", agent)
    assert "怪しいレビュー" in go(hanako, "/home").text
    with app.app_context():
        assert not db.session.get(Review, reported["review"]).hidden


@AGENTS
def test_a_hidden_self_introduction_is_shown_only_to_its_member(
    app, browser, login, reported, agent
):
    report = report_as(app, reported["jiro"], "profile", reported["sakura"])
    decide(browser, login, report, "hide", agent)
    notice = ui_text(app, agent, HIDDEN_NOTICE)
    for reader in ("hanako", "jiro"):
        client = client_for(browser, agent)
        login(client, reader)
        page = go(client, f"/users/{reported['sakura']}")
        assert page.status == 200
        assert "さくら" in page.text
        assert "さくらの自己紹介です" not in page.text
    for who in ("sakura", "admin"):
        client = client_for(browser, agent)
        login(client, who)
        page = go(client, f"/users/{reported['sakura']}")
        assert "さくらの自己紹介です" in page.text
        assert notice in page.text
    decide(browser, login, report, "restore", agent)
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    assert "さくらの自己紹介です" in go(jiro, f"/users/{reported['sakura']}").text


def test_a_profile_without_a_row_can_still_be_hidden(app, browser, login, reported, make_member):
    quiet = make_member("quiet", nickname="しずか")
    report = report_as(app, reported["jiro"], "profile", quiet)
    decide(browser, login, report, "hide")
    with app.app_context():
        assert db.session.get(Profile, quiet).hidden


def test_hiding_survives_in_the_community_and_topic_lists_counts(app, ctx, reported):
    operator = db.session.get(Member, reported["admin"])
    reports.hide(
        operator,
        db.session.get(Report, report_as(app, reported["jiro"], "topic", reported["topic"])),
    )
    db.session.commit()
    community = db.session.get(Community, reported["community"])
    assert topics.of_community(community, reported["hanako"]) == ([], 0)
    assert topics.of_community(community, reported["sakura"])[1] == 1
    assert topics.updates_for(db.session.get(Member, reported["kenta"]), 10) == []
    comment = db.session.get(TopicComment, reported["topic_comment"])
    assert comment is not None

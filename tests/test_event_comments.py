"""Comments on community events, as topics have them: members comment from a PC and from a
cookie-less DoCoMo D501i (Shift_JIS, the session in every URL), numbers never reused, pages of
comments, who reads and who deletes, reports and hiding, forged forms.

Pages are reached through their links and forms, and the checks are language-neutral (member
text, links, status codes), so they hold whether or not the new UI strings are translated yet.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal import demo
from portal.extensions import db
from portal.models import CommunityMember, Event, EventComment, Member, Report
from portal.rendering import SIZES
from portal.services import ServiceError, communities, events, reports, social
from portal.services import event_comments as event_comment_service
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import add_member, make_community, make_event, report_as
from tests.pages import (
    AGENTS,
    assert_fits_d501i,
    client_for,
    decide,
    forge,
    go,
    has_form,
    has_link,
    href,
    path_of,
    ui_text,
)

NICKNAMES = {
    "boss": "部長",
    "sub": "副部長",
    "host": "幹事",
    "writer": "書き手",
    "member": "メンバー",
    "outsider": "部外者",
}

#: The events' comment thread (its API is every comment thread's).
event_comments = event_comment_service.THREAD


#: A page with a form (and so a CSRF token) for any logged-in member: crafted requests take it.
FORM_PAGE = "/settings"


def _comment(app, event_id: int, author_id: int, body: str) -> int:
    with app.app_context():
        added = event_comments.add(
            db.session.get(Member, author_id), db.session.get(Event, event_id), body
        )
        db.session.commit()
        return added.id


def _rows(app, event_id: int) -> list[tuple[int, str]]:
    with app.app_context():
        stmt = (
            select(EventComment.number, EventComment.body)
            .where(EventComment.event_id == event_id)
            .order_by(EventComment.number)
        )
        return [tuple(row) for row in db.session.execute(stmt)]


def _comment_count(app, event_id: int) -> int:
    with app.app_context():
        return db.session.get(Event, event_id).comment_count


def _town(app, make_member, **settings) -> dict[str, int]:
    """部長 (the admin), 副部長 (a sub-admin), 幹事 (a member who announced the event), 書き手 (a
    member who commented on it), メンバー (a member), 部外者 (not a member) and 運営 (an operator,
    not a member)."""
    ids = {name: make_member(name, nickname=nick) for name, nick in NICKNAMES.items()}
    ids["admin"] = make_member("admin", nickname="運営", is_operator=True)
    community = make_community(app, ids["boss"], name="お花見部", **settings)
    add_member(app, community, ids["sub"], role="subadmin")
    for name in ("host", "writer", "member"):
        add_member(app, community, ids[name])
    event = make_event(app, community, ids["host"])
    comment = _comment(app, event, ids["writer"], "書き手のコメントです")
    return {**ids, "community": community, "event": event, "comment": comment}


@pytest.fixture
def town(app, make_member):
    return _town(app, make_member)


def _page_link(page, path: str, number: int) -> str:
    """The pager's link on ``page`` to page ``number`` of ``path``."""
    for url, _text in page.links:
        parts = urlsplit(url)
        if parts.path == path and parse_qs(parts.query).get("page") == [str(number)]:
            return url
    raise AssertionError(f"no link to page {number} of {path} on {page.url}")


def _logged_in(browser, login, name: str, agent: str):
    client = client_for(browser, agent)
    login(client, name)
    return client


# -- commenting ----------------------------------------------------------------------------


def test_members_comment_from_a_pc_and_a_cookieless_docomo(app, browser, login, town):
    e = town["event"]
    pc = _logged_in(browser, login, "member", PC)
    shown = pc.get(f"/events/{e}")
    assert "書き手のコメントです" in shown.text, "the event's page shows the latest comments"
    posted = pc.submit(f"/events/{e}/comments", {"body": "参加します！"})
    assert posted.status == 200
    assert path_of(posted) == f"/events/{e}/comments"
    assert "参加します！" in posted.text

    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "host")
    page = go(phone, f"/events/{e}")
    assert_fits_d501i(page)
    assert "書き手のコメントです" not in page.text, "phones link to the comments' own pages"
    assert urlsplit(page.accesskeys["7"]).path == f"/events/{e}/comments"
    comments = phone.get(href(page, f"/events/{e}/comments"))
    assert_fits_d501i(comments)
    assert sid_of(comments.url), "the session travels in the URL"
    posted = phone.submit(f"/events/{e}/comments", {"body": "駅で待ってます♪雨天決行です"})
    assert_fits_d501i(posted)
    assert sid_of(posted.url)
    assert path_of(posted) == f"/events/{e}/comments"
    assert "駅で待ってます♪雨天決行です" in posted.text

    assert _rows(app, e) == [
        (1, "書き手のコメントです"),
        (2, "参加します！"),
        (3, "駅で待ってます♪雨天決行です"),
    ]
    assert _comment_count(app, e) == 3
    assert "駅で待ってます♪雨天決行です" in pc.get(f"/events/{e}").text
    # The community's event list counts them: a column on PCs, "(3)" after the title on phones.
    with app.app_context():
        community = db.session.get(Event, e).community_id
    assert "<td>3</td>" in pc.get(f"/communities/{community}/events").text
    assert "お花見</a>(3)" in go(phone, f"/communities/{community}/events").text


def test_numbers_are_never_reused_and_only_members_comment(app, ctx, town):
    event = db.session.get(Event, town["event"])
    writer = db.session.get(Member, town["writer"])
    second = event_comments.add(writer, event, "二つ目")
    event_comments.delete(writer, event, second)
    third = event_comments.add(db.session.get(Member, town["member"]), event, "三つ目")
    assert third.number == 3
    assert event.comment_count == 2
    assert event.last_comment_number == 3
    for body in ("", "   ", "あ" * (event_comments.policy.limits.chars + 1)):
        with pytest.raises(ServiceError):
            event_comments.add(writer, event, body)
    with pytest.raises(ServiceError):
        event_comments.add(db.session.get(Member, town["outsider"]), event, "入れて")
    with pytest.raises(ServiceError):
        event_comments.add(db.session.get(Member, town["admin"]), event, "運営です")
    db.session.rollback()


def test_comments_come_in_pages(app, browser, login, town):
    e = town["event"]
    for n in range(2, 13):
        _comment(app, e, town["member"], f"第{n}号のコメント")
    per_phone_page = SIZES["mobile"].topic_comments_page
    pages = -(-12 // per_phone_page)

    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "member")
    first = go(phone, f"/events/{e}/comments")
    assert_fits_d501i(first)
    assert "書き手のコメントです" in first.text
    assert f"第{per_phone_page + 1}号" not in first.text
    second = phone.get(_page_link(first, f"/events/{e}/comments", 2))
    assert_fits_d501i(second)
    assert f"第{per_phone_page + 1}号のコメント" in second.text
    assert "書き手のコメントです" not in second.text
    beyond = go(phone, f"/events/{e}/comments?page=999")
    assert_fits_d501i(beyond)
    assert "第12号のコメント" in beyond.text, "a page past the end shows the last one"
    assert f"{pages}/{pages}" in beyond.text

    pc = _logged_in(browser, login, "member", PC)
    everything = pc.get(f"/events/{e}/comments")
    assert all(f"第{n}号のコメント" in everything.text for n in range(2, 13))
    latest = pc.get(f"/events/{e}")
    shown = SIZES["pc"].topic_recent_comments
    assert "第12号のコメント" in latest.text
    assert f"第{12 - shown}号のコメント" not in latest.text, "only the latest on the event's page"
    assert f"第{12 - shown + 1}号のコメント" in latest.text
    assert has_link(latest, f"/events/{e}/comments")


def test_a_long_event_shows_its_comments_with_its_last_part(app, browser, login, town):
    body = "\n\n".join(f"{n}段落目。" + "集合場所の説明です。" * 15 for n in range(1, 8))
    e = make_event(app, town["community"], town["host"], body=body)
    _comment(app, e, town["writer"], "長いイベントへのコメント")
    pc = _logged_in(browser, login, "member", PC)
    assert "長いイベントへのコメント" in pc.get(f"/events/{e}").text
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "member")
    for part in (1, 99):
        page = go(phone, f"/events/{e}?part={part}")
        assert_fits_d501i(page)
        assert has_link(page, f"/events/{e}/comments")


# -- who reads and who posts -----------------------------------------------------------------


@AGENTS
def test_a_members_only_community_hides_event_comments_from_non_members(
    app, browser, login, make_member, agent
):
    town = _town(app, make_member, topics_public=False)
    e = town["event"]
    outsider = _logged_in(browser, login, "outsider", agent)
    for path in (
        f"/events/{e}",
        f"/events/{e}/comments",
        f"/events/{e}/comments?page=2",
        f"/events/{e}/comments/1/delete",
        f"/report?type=event_comment&id={town['comment']}",
    ):
        assert go(outsider, path).status == 404, path
    go(outsider, FORM_PAGE)
    forge(outsider.page, f"/events/{e}/comments")
    assert outsider.submit(f"/events/{e}/comments", {"body": "のぞき見"}).status == 404
    go(outsider, FORM_PAGE)
    forge(outsider.page, f"/events/{e}/comments/1/delete")
    assert outsider.submit(f"/events/{e}/comments/1/delete").status == 404
    assert _rows(app, e) == [(1, "書き手のコメントです")]

    member = _logged_in(browser, login, "member", agent)
    page = go(member, f"/events/{e}/comments")
    assert page.status == 200
    assert "書き手のコメントです" in page.text


@AGENTS
def test_non_members_read_an_open_communitys_event_comments_but_do_not_post(
    app, browser, login, town, agent
):
    e = town["event"]
    outsider = _logged_in(browser, login, "outsider", agent)
    page = go(outsider, f"/events/{e}/comments")
    assert page.status == 200
    assert "書き手のコメントです" in page.text
    assert not has_form(page, f"/events/{e}/comments")
    assert not has_form(go(outsider, f"/events/{e}"), f"/events/{e}/comments")
    go(outsider, FORM_PAGE)
    forge(outsider.page, f"/events/{e}/comments")
    refused = outsider.submit(f"/events/{e}/comments", {"body": "部外者の書き込み"})
    assert refused.status == 400, "as on topics: the service refuses a non-member"
    assert _rows(app, e) == [(1, "書き手のコメントです")]


def test_comments_by_members_who_blocked_me_are_missing(app, browser, login, town):
    with app.app_context():
        social.block(db.session.get(Member, town["writer"]), db.session.get(Member, town["member"]))
        db.session.commit()
    e = town["event"]
    pc = _logged_in(browser, login, "member", PC)
    assert "書き手のコメントです" not in pc.get(f"/events/{e}/comments").text
    assert "書き手のコメントです" not in pc.get(f"/events/{e}").text
    assert pc.get(f"/report?type=event_comment&id={town['comment']}").status == 404
    with app.app_context():
        event = db.session.get(Event, e)
        assert event_comments.count(event, town["member"]) == 0
        assert event_comments.count(event, town["boss"]) == 1


def test_deleting_an_event_deletes_its_comments(app, ctx, town):
    event = db.session.get(Event, town["event"])
    events.delete(db.session.get(Member, town["host"]), event)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EventComment)) == 0


# -- who deletes -----------------------------------------------------------------------------

ROLES = ("writer", "host", "boss", "sub", "member", "outsider", "visitor")
#: The comment's author, the event's author, the admin and sub-admins.
MAY_DELETE = {"writer", "host", "boss", "sub"}


def _as(browser, login, role: str, agent: str):
    """A browser logged in as ``role`` (or a visitor), on a page with a CSRF token."""
    client = client_for(browser, agent)
    if role == "visitor":
        client.get("/login")
        return client
    login(client, role)
    go(client, FORM_PAGE)
    return client


@AGENTS
@pytest.mark.parametrize("role", ROLES)
def test_who_may_delete_a_comment(app, browser, login, town, role, agent):
    e = town["event"]
    path = f"/events/{e}/comments/1/delete"
    client = _as(browser, login, role, agent)
    forge(client.page, path)
    page = client.submit(path)
    if role in MAY_DELETE:
        assert page.status == 200, (role, page.status, page.text[:300])
        assert path_of(page) == f"/events/{e}/comments"
        assert _rows(app, e) == []
        assert _comment_count(app, e) == 0
    else:
        assert _rows(app, e) == [(1, "書き手のコメントです")], role
        if role == "visitor":
            assert page.status == 400 or path_of(page) == "/login"
        else:
            assert page.status in (403, 404), (role, page.status)


@AGENTS
@pytest.mark.parametrize("role", ROLES)
def test_the_delete_link_and_page_are_for_those_who_may(app, browser, login, town, role, agent):
    e = town["event"]
    path = f"/events/{e}/comments/1/delete"
    client = _as(browser, login, role, agent)
    confirm = go(client, path)
    if role == "visitor":
        assert path_of(confirm) == "/login"
        return
    comments = go(client, f"/events/{e}/comments")
    offered = has_link(comments, path) or has_form(comments, path)
    if role in MAY_DELETE:
        assert confirm.status == 200, (role, confirm.status)
        assert has_form(confirm, path)
        assert offered, role
        if agent == DOCOMO_MOVA:
            assert_fits_d501i(confirm)
            assert has_link(comments, path), "phones confirm on a page of its own"
    else:
        assert confirm.status == 403, (role, confirm.status)
        assert not offered, role
    assert _rows(app, e) == [(1, "書き手のコメントです")]


# -- reports and hiding ----------------------------------------------------------------------


@AGENTS
def test_an_event_comment_has_a_report_link_to_a_form(app, browser, login, town, agent):
    e, cid = town["event"], town["comment"]
    member = _logged_in(browser, login, "member", agent)
    page = go(member, f"/events/{e}/comments")
    link = href(page, "/report", type="event_comment", id=str(cid))
    form_page = member.get(link)
    assert form_page.status == 200
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(form_page)
    back = member.submit("/report", {"reason": "harassment", "text": "ひどいです"})
    assert back.status == 200
    assert path_of(back) == f"/events/{e}/comments"
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert (report.kind, report.target_id, report.author_id, report.reporter_id) == (
            "event_comment",
            cid,
            town["writer"],
            town["member"],
        )
        assert report.excerpt == "書き手のコメントです"

    writer = _logged_in(browser, login, "writer", agent)
    own = go(writer, f"/events/{e}/comments")
    assert not has_link(own, "/report"), "no report link on one's own comment"
    assert go(writer, f"/report?type=event_comment&id={cid}").status == 403


@AGENTS
def test_a_hidden_comment_is_seen_only_by_its_author_and_operators(
    app, browser, login, town, agent
):
    e, cid = town["event"], town["comment"]
    report = report_as(app, town["member"], "event_comment", cid)
    decide(browser, login, report, "hide", agent)
    with app.app_context():
        assert db.session.get(EventComment, cid).hidden
    assert _comment_count(app, e) == 0

    for reader in ("member", "boss", "host", "outsider"):
        client = _logged_in(browser, login, reader, agent)
        page = go(client, f"/events/{e}/comments")
        assert page.status == 200
        assert "書き手のコメントです" not in page.text, reader
        assert "書き手のコメントです" not in go(client, f"/events/{e}").text, reader
        assert go(client, f"/events/{e}/comments/1/delete").status == 404, reader
        assert go(client, f"/report?type=event_comment&id={cid}").status == 404, reader

    notice = ui_text(app, agent, "Hidden by the operators")
    for who in ("writer", "admin"):
        client = _logged_in(browser, login, who, agent)
        page = go(client, f"/events/{e}/comments")
        if agent == DOCOMO_MOVA:
            assert_fits_d501i(page)
        assert "書き手のコメントです" in page.text, who
        assert notice in page.text, who

    operator = _logged_in(browser, login, "admin", PC)
    assert has_link(operator.get(f"/admin/reports/{report}"), f"/events/{e}/comments")

    decide(browser, login, report, "restore", agent)
    assert _comment_count(app, e) == 1
    member = _logged_in(browser, login, "member", agent)
    page = go(member, f"/events/{e}/comments")
    assert "書き手のコメントです" in page.text
    assert notice not in page.text


def test_deleting_a_hidden_comment_keeps_the_count(app, ctx, town):
    operator = db.session.get(Member, town["admin"])
    report_id = report_as(app, town["member"], "event_comment", town["comment"])
    reports.hide(operator, db.session.get(Report, report_id))
    db.session.commit()
    event = db.session.get(Event, town["event"])
    assert event.comment_count == 0
    writer = db.session.get(Member, town["writer"])
    event_comments.delete(writer, event, db.session.get(EventComment, town["comment"]))
    db.session.commit()
    assert db.session.get(Event, town["event"]).comment_count == 0
    assert event_comments.count(event, town["writer"]) == 0


# -- forged and broken forms -----------------------------------------------------------------


@AGENTS
def test_comments_without_a_valid_csrf_token_are_refused(app, browser, login, town, agent):
    e = town["event"]
    member = _logged_in(browser, login, "member", agent)
    go(member, f"/events/{e}/comments")
    missing = member.submit(f"/events/{e}/comments", {"body": "トークンなし"}, drop=("csrf_token",))
    assert missing.status == 400
    go(member, f"/events/{e}/comments")
    wrong = member.submit(f"/events/{e}/comments", {"body": "偽トークン", "csrf_token": "forged"})
    assert wrong.status == 400
    go(member, f"/events/{e}/comments")
    empty = member.submit(f"/events/{e}/comments", {"body": "  "})
    assert empty.status == 400
    assert _rows(app, e) == [(1, "書き手のコメントです")]

    writer = _logged_in(browser, login, "writer", agent)
    go(writer, f"/events/{e}/comments/1/delete")
    page = writer.submit(f"/events/{e}/comments/1/delete", drop=("csrf_token",))
    assert page.status == 400
    assert _rows(app, e) == [(1, "書き手のコメントです")]


def test_the_event_page_counts_only_what_the_viewer_may_see(app, ctx, town):
    event = db.session.get(Event, town["event"])
    assert communities.role_of(event.community, town["member"]) == "member"
    assert event_comments.count(event, town["member"]) == 1
    assert [c.number for c in event_comments.latest(event, town["member"], limit=5)] == [1]
    assert event_comments.page(event, None, offset=0, limit=5)[0].body == "書き手のコメントです"


# -- the demo world ----------------------------------------------------------------------------


def test_the_demo_events_comments_fit_a_d501i(app, browser):
    """The demo world's events have comments, and their pages fit たろう's D501i (the demo crawl
    stops at its page limit before it reaches them)."""
    with app.app_context():
        demo.seed()
        db.session.commit()
        taro = db.session.scalar(select(Member.id).where(Member.email.like("taro@%")))
        mine = select(CommunityMember.community_id).where(CommunityMember.member_id == taro)
        stmt = (
            select(Event.id)
            .where(Event.community_id.in_(mine), Event.comment_count > 0)
            .order_by(Event.id)
        )
        event_ids = list(db.session.scalars(stmt))
    assert event_ids
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit(
        "/login", {"email": f"taro@{demo.DEMO_DOMAIN}", "password": demo.DEMO_PASSWORD}
    )
    assert home.status == 200
    for e in event_ids:
        page = go(phone, f"/events/{e}")
        assert_fits_d501i(page)
        for path in (f"/events/{e}/comments", f"/events/{e}/comments?page=99"):
            comments = go(phone, path)
            assert_fits_d501i(comments)
            assert comments.text.count('name="c') >= 1, path

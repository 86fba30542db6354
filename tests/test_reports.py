"""Abuse reports: a report link on every member-content page leads to a form; what a member
cannot see, or wrote, cannot be reported; the operators' queue and report pages (PC and a
cookie-less DoCoMo D501i). What hiding does is in ``test_hidden_content.py``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Diary, Member, Report
from portal.services import diaries, messages
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import report_as, report_count
from tests.pages import (
    AGENTS,
    assert_fits_d501i,
    client_for,
    go,
    has_form,
    has_link,
    href,
    path_of,
    report_links,
)

# -- reporting -------------------------------------------------------------------------------

#: Where each kind is reported from, and who reads it there.
PAGES = {
    "profile": ("/users/{sakura}", "jiro"),
    "diary": ("/diaries/{diary}", "jiro"),
    "diary_comment": ("/diaries/{diary}", "jiro"),
    "topic": ("/topics/{topic}", "jiro"),
    "topic_comment": ("/topics/{topic}/comments", "jiro"),
    "review": ("/reviews/{review}", "jiro"),
    "message": ("/messages/{message}", "jiro"),
}
TARGETS = {
    "profile": "sakura",
    "diary": "diary",
    "diary_comment": "comment",
    "topic": "topic",
    "topic_comment": "topic_comment",
    "review": "review",
    "message": "message",
}


@AGENTS
@pytest.mark.parametrize("kind", list(PAGES))
def test_every_member_content_page_has_a_report_link_to_a_form(
    app, browser, login, reported, kind, agent
):
    path, reader = PAGES[kind]
    target = str(reported[TARGETS[kind]])
    client = client_for(browser, agent)
    login(client, reader)
    page = go(client, path.format(**reported))
    assert page.status == 200
    link = href(page, "/report", type=kind, id=target)
    form_page = client.get(link)
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(form_page)
    assert has_form(form_page, "/report")
    back = client.submit("/report", {"reason": "harassment", "text": "ひどいです"})
    assert back.status == 200
    assert path_of(back) == urlsplit(path.format(**reported)).path
    with app.app_context():
        report = db.session.scalar(select(Report))
        assert (report.kind, report.target_id, report.reason, report.status) == (
            kind,
            int(target),
            "harassment",
            "open",
        )
        assert report.reporter_id == reported[reader]
        assert report.text == "ひどいです"
        assert report.excerpt
    # Reporting the same thing again while it waits adds nothing.
    client.get(link)
    client.submit("/report", {"reason": "spam"})
    assert report_count(app) == 1


def test_no_report_link_on_ones_own_writing(app, browser, login, reported):
    pc = browser(PC)
    login(pc, "sakura")
    own = {"profile": "sakura", "diary": "diary", "topic": "topic", "review": "review"}
    for kind, path in (
        ("profile", "/users/{sakura}"),
        ("diary", "/diaries/{diary}"),
        ("topic", "/topics/{topic}"),
        ("review", "/reviews/{review}"),
    ):
        page = pc.get(path.format(**reported))
        links = [
            parse_qs(urlsplit(u).query) for u, _ in page.links if urlsplit(u).path == "/report"
        ]
        assert {"type": [kind], "id": [str(reported[own[kind]])]} not in links, path
    # Her own diary's page offers to report kenta's comment on it.
    page = pc.get(f"/diaries/{reported['diary']}")
    assert href(page, "/report", type="diary_comment", id=str(reported["comment"]))
    kenta = browser(PC)
    login(kenta, "kenta")
    page = kenta.get(f"/diaries/{reported['diary']}")
    links = report_links(page)
    assert {"type": ["diary"], "id": [str(reported["diary"])]} in links
    assert all(q["type"] != ["diary_comment"] for q in links)  # kenta wrote the comment


@pytest.mark.parametrize(
    "query",
    [
        "type=diary&id={private}",  # a diary the reporter cannot read
        "type=diary&id=999999",
        "type=nonsense&id={diary}",
        "type=diary",
        "type=message&id={sent}",  # a message the reporter sent, not received
    ],
)
def test_what_the_member_cannot_see_cannot_be_reported(app, browser, login, reported, query):
    with app.app_context():
        sakura, jiro = (db.session.get(Member, reported[k]) for k in ("sakura", "jiro"))
        private = diaries.create(sakura, title="秘密", body="秘密", visibility="friends").id
        sent = messages.send(jiro, to=sakura.id, subject="こんにちは", body="どうも").id
        db.session.commit()
    pc = browser(PC)
    login(pc, "jiro")
    path = "/report?" + query.format(private=private, sent=sent, **reported)
    assert pc.get(path).status == 404
    assert report_count(app) == 0


def test_ones_own_writing_cannot_be_reported(app, browser, login, reported):
    pc = browser(PC)
    login(pc, "sakura")
    assert pc.get(f"/report?type=diary&id={reported['diary']}").status == 403
    assert report_count(app) == 0


def test_reporting_needs_login(app, browser, reported):
    page = browser(PC).get(f"/report?type=diary&id={reported['diary']}")
    assert path_of(page) == "/login"


# -- messages and the queue ------------------------------------------------------------------


def test_a_reported_message_is_shown_to_operators_and_cannot_be_hidden(
    app, browser, login, reported
):
    report = report_as(app, reported["jiro"], "message", reported["message"])
    operator = browser(PC)
    login(operator, "admin")
    page = operator.get(f"/admin/reports/{report}")
    assert "買って" in page.text  # the excerpt: operators cannot open the message itself
    assert not has_form(page, f"/admin/reports/{report}/hide")
    assert has_link(page, f"/admin/members/{reported['sakura']}")
    operator.get("/settings")
    from tests.pages import forge

    forge(operator.page, f"/admin/reports/{report}/hide")
    assert operator.submit(f"/admin/reports/{report}/hide").status == 400
    assert report_count(app, status="open") == 1
    assert operator.get(f"/messages/{reported['message']}").status == 404


def test_the_queue_lists_open_reports_oldest_first_and_closed_ones_apart(
    app, browser, login, reported
):
    first = report_as(app, reported["jiro"], "diary", reported["diary"])
    second = report_as(app, reported["hanako"], "review", reported["review"])
    operator = browser(PC)
    login(operator, "admin")
    page = operator.get("/admin/reports")
    assert page.text.index(f"/admin/reports/{first}") < page.text.index(f"/admin/reports/{second}")
    operator.get(f"/admin/reports/{first}")
    operator.submit(f"/admin/reports/{first}/dismiss")
    with app.app_context():
        assert not db.session.get(Diary, reported["diary"]).hidden
    page = operator.get("/admin/reports")
    assert not has_link(page, f"/admin/reports/{first}")
    closed = operator.get("/admin/reports?status=closed")
    assert has_link(closed, f"/admin/reports/{first}")


def test_a_long_reported_text_fits_the_report_page_on_a_d501i(app, browser, login, reported):
    with app.app_context():
        sakura = db.session.get(Member, reported["sakura"])
        diary = diaries.create(sakura, title="長" * 100, body="&<" * 5000, visibility="public")
        db.session.commit()
        diary_id = diary.id
    report = report_as(app, reported["jiro"], "diary", diary_id)
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "admin")
    page = go(phone, f"/admin/reports/{report}")
    assert_fits_d501i(page)
    assert has_form(page, f"/admin/reports/{report}/hide")


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "abc"])
def test_odd_ids_in_a_report_link_are_404(app, browser, login, reported, value):
    pc = browser(PC)
    login(pc, "jiro")
    assert pc.get(f"/report?type=diary&id={value}").status == 404

"""The world of the report tests: さくら's writing of every kind, readers and an operator;
reporting and deciding as services and through the admin pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Member, Profile, Report, Topic
from portal.services import (
    diaries,
    diary_comments,
    messages,
    reports,
    reviews,
    topic_comments,
)
from tests.browser import DOCOMO_MOVA, PC
from tests.community_helpers import add_member, make_community, make_topic
from tests.pages import assert_fits_d501i, client_for, go, href
from tests.pages import ui_text as ui_text  # re-exported for the report tests

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
HIDDEN_NOTICE = "Hidden by the operators: only its author and the operators see it."


def make_world(app, make_member) -> dict[str, int]:
    """さくら writes a public diary (with a comment by けんた), a review, a topic with a comment
    and a self-introduction; はなこ is her friend, じろう a stranger, 運営 an operator."""
    ids = {
        "sakura": make_member("sakura", nickname="さくら"),
        "kenta": make_member("kenta", nickname="けんた"),
        "jiro": make_member("jiro", nickname="じろう"),
        "admin": make_member("admin", nickname="運営", is_operator=True),
    }
    ids["hanako"] = make_member("hanako", nickname="はなこ", friends=(ids["sakura"],))
    with app.app_context():
        sakura, kenta = (db.session.get(Member, ids[k]) for k in ("sakura", "kenta"))
        diary = diaries.create(
            sakura, title="東京タワーの宣伝", body="東京タワーに来てね", visibility="public"
        )
        comment = diary_comments.THREAD.add(kenta, diary, "けんたのコメント")
        review = reviews.create(
            sakura, title="怪しいレビュー", category="other", rating=5, url=None, body="買って"
        )
        db.session.add(Profile(member_id=sakura.id, introduction="さくらの自己紹介です"))
        db.session.commit()
        ids.update(diary=diary.id, comment=comment.id, review=review.id)
    community = make_community(app, ids["sakura"], name="東京散歩部")
    for name in ("kenta", "hanako"):
        add_member(app, community, ids[name])
    ids["community"] = community
    ids["topic"] = make_topic(app, community, ids["sakura"], title="怪しいトピック", body="本文")
    with app.app_context():
        topic = db.session.get(Topic, ids["topic"])
        ids["topic_comment"] = topic_comments.THREAD.add(
            db.session.get(Member, ids["kenta"]), topic, "トピックへの怪しいコメント"
        ).id
        message = messages.send(
            db.session.get(Member, ids["sakura"]), to=ids["jiro"], subject="宣伝", body="買って"
        )
        db.session.commit()
        ids["message"] = message.id
    return ids


def report_links(page) -> list[dict]:
    """The queries of the report links on ``page``."""
    return [parse_qs(urlsplit(u).query) for u, _ in page.links if urlsplit(u).path == "/report"]


def report_count(app, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(Report).filter_by(**where)
        return db.session.scalar(stmt)


def report_as(app, reporter_id: int, kind: str, target_id: int) -> int:
    with app.app_context():
        reporter = db.session.get(Member, reporter_id)
        report = reports.file(reporter, kind, target_id, reason="spam", text=None)
        db.session.commit()
        return report.id


def decide(app, browser, login, report_id: int, action: str, agent: str = PC):
    """An operator opens the report in the queue and presses hide, restore or close."""
    operator = client_for(browser, agent)
    login(operator, "admin")
    queue = go(
        operator, "/admin/reports" if action != "restore" else "/admin/reports?status=closed"
    )
    page = operator.get(href(queue, f"/admin/reports/{report_id}"))
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    page = operator.submit(f"/admin/reports/{report_id}/{action}")
    assert page.status == 200, page.text[:300]
    return page


def search_page(client, query: str):
    return go(client, "/search?" + urlencode({"q": query}, encoding=client.page.charset))

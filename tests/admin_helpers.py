"""The world of the admin tests: an operator, members to act on, reports and a notice; a
snapshot of everything an admin action could change; and every action as a crafted request."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import (
    Diary,
    Member,
    Notice,
    OperatorLog,
    Report,
    Review,
    SiteSetting,
)
from portal.services import diaries, notices, reports, reviews
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import client_for, forge, go

ROLES = ("operator", "member", "premium", "visitor")
#: Every admin action (``admin_actions``); dismiss before hide: hiding closes the report.
ACTIONS = (
    "stop_login",
    "resume_login",
    "grant_premium",
    "revoke_premium",
    "dismiss",
    "hide",
    "restore",
    "new_notice",
    "edit_notice",
    "delete_notice",
    "settings",
)
AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


def make_site(app, make_member) -> dict[str, int]:
    """An operator, ordinary members (one premium), a member to act on, a stopped one, a
    diary with an open report, a review hidden after a report, and a notice."""
    ids = {
        "operator": make_member("operator", nickname="運営", is_operator=True),
        "member": make_member("member", nickname="メンバー"),
        "premium": make_member("premium", nickname="プレミアム", is_premium=True),
        "target": make_member("target", nickname="ターゲット"),
        "stopped": make_member("stopped", nickname="停止中", login_stopped=True),
        "author": make_member("author", nickname="作者"),
    }
    with app.app_context():
        author = db.session.get(Member, ids["author"])
        member = db.session.get(Member, ids["member"])
        operator = db.session.get(Member, ids["operator"])
        diary = diaries.create(author, title="宣伝日記", body="買ってね", visibility="public")
        review = reviews.create(
            author, title="宣伝レビュー", category="other", rating=5, url=None, body="宣伝"
        )
        report = reports.file(member, "diary", diary.id, reason="spam", text="宣伝です")
        review_report = reports.file(member, "review", review.id, reason="spam", text=None)
        reports.hide(operator, review_report)
        notice = notices.create(operator, title="お知らせ", body="本文", first=None, last=None)
        db.session.query(OperatorLog).delete()
        db.session.commit()
        ids.update(
            diary=diary.id,
            review=review.id,
            report=report.id,
            review_report=review_report.id,
            notice=notice.id,
        )
    return ids


def snapshot(app) -> dict:
    """Everything an admin action could change."""
    with app.app_context():
        db.session.expire_all()

        def rows(model, *cols):
            return sorted(
                tuple(getattr(r, c) for c in cols) for r in db.session.scalars(select(model))
            )

        return {
            "members": rows(Member, "id", "login_stopped", "is_premium"),
            "diaries": rows(Diary, "id", "hidden"),
            "reviews": rows(Review, "id", "hidden"),
            "reports": rows(Report, "id", "status"),
            "notices": rows(Notice, "id", "title", "body"),
            "settings": rows(SiteSetting, "key", "value"),
        }


def log_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OperatorLog))


def admin_actions(s):
    """name: (path, form data, check of the allowed change)."""
    return {
        "stop_login": (
            f"/admin/members/{s['target']}/stop",
            {},
            lambda a: (s["target"], True, False) in a["members"],
        ),
        "resume_login": (
            f"/admin/members/{s['stopped']}/resume",
            {},
            lambda a: (s["stopped"], False, False) in a["members"],
        ),
        "grant_premium": (
            f"/admin/members/{s['target']}/premium",
            {},
            lambda a: (s["target"], False, True) in a["members"],
        ),
        "revoke_premium": (
            f"/admin/members/{s['premium']}/premium/revoke",
            {},
            lambda a: (s["premium"], False, False) in a["members"],
        ),
        "hide": (
            f"/admin/reports/{s['report']}/hide",
            {},
            lambda a: a["diaries"] == [(s["diary"], True)],
        ),
        "restore": (
            f"/admin/reports/{s['review_report']}/restore",
            {},
            lambda a: a["reviews"] == [(s["review"], False)],
        ),
        "dismiss": (
            f"/admin/reports/{s['report']}/dismiss",
            {},
            lambda a: (s["report"], "closed") in a["reports"],
        ),
        "new_notice": (
            "/admin/notices/new",
            {"title": "新しいお知らせ", "body": "本文です", "starts_on": "", "ends_on": ""},
            lambda a: len(a["notices"]) == 2,
        ),
        "edit_notice": (
            f"/admin/notices/{s['notice']}/edit",
            {"title": "書き換え", "body": "新しい本文", "starts_on": "", "ends_on": ""},
            lambda a: a["notices"] == [(s["notice"], "書き換え", "新しい本文")],
        ),
        "delete_notice": (
            f"/admin/notices/{s['notice']}/delete",
            {},
            lambda a: a["notices"] == [],
        ),
        "settings": (
            "/admin/settings",
            {"signup_policy": "open", "invitations_per_member": "3"},
            lambda a: a["settings"] == [("INVITATIONS_PER_MEMBER", "3"), ("SIGNUP_POLICY", "open")],
        ),
    }


def logged_in(browser, login, role: str, agent: str):
    """A browser logged in as ``role`` (or a visitor), on a page with a CSRF token."""
    client = client_for(browser, agent)
    if role == "visitor":
        client.get("/login")
        return client
    login(client, role)
    go(client, "/settings")
    return client


def forge_post(client, path: str, data: dict):
    forge(client.page, path)
    client.page.forms[0].fields.update(data)
    return client.submit(path)

"""The default visibility of new diaries: set on the diary settings page (PC and a cookie-less
DoCoMo D501i), used by the new-diary form; forged or nonsense posts change nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Member
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import D501I_BUDGET, go, href
from tests.test_diary_pages import logged_in


def default_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(
            select(Member.diary_visibility).where(Member.email == f"{name}@example.jp")
        )


def _selected(text: str, name: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', text, re.S)[1]
    return re.search(r'<option value="([^"]+)" selected', select_html)[1]


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_the_default_is_set_in_settings_and_starts_the_new_diary_form(app, make_member, agent):
    make_member("owner", nickname="おーなー")
    client = logged_in(app, agent, "owner")
    assert default_of(app, "owner") == "public"
    settings = go(client, "/settings")
    page = client.get(href(settings, "/settings/diary"))
    assert page.status == 200
    if agent == DOCOMO_MOVA:
        assert len(page.body) <= D501I_BUDGET
        assert len(settings.body) <= D501I_BUDGET
    saved = client.submit("/settings/diary", {"visibility": "friends"})
    assert saved.status == 200
    assert default_of(app, "owner") == "friends"
    assert _selected(go(client, "/diaries/new").text, "visibility") == "friends"


def test_forged_or_nonsense_posts_change_nothing(app, make_member):
    make_member("owner", nickname="おーなー")
    pc = logged_in(app, PC, "owner")
    pc.get("/settings/diary")
    assert (
        pc.submit("/settings/diary", {"visibility": "private"}, drop=("csrf_token",)).status == 400
    )
    pc.get("/settings/diary")
    assert pc.submit("/settings/diary", {"visibility": "everyone!"}).status == 400
    assert default_of(app, "owner") == "public"

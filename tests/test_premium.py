"""Premium (granted by operators): longer footprint history, more photo storage, a longer trash.

The plan changes behaviour only through ``portal.services.limits``: the tests change the limits
there and watch the pages follow, and check that no other code reads the premium flag.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Footprint, Member, Message
from portal.models._time import utcnow
from portal.services import diaries, footprints, limits, messages, photos
from portal.services.footprints import tokyo_day
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i, client_for, go, ui_text

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
PORTAL = Path(__file__).resolve().parent.parent / "portal"


@pytest.fixture
def visited(app, make_member):
    """はなこ was visited by じろう 45 days ago, by けんた 70 days ago and by さぶろう
    yesterday."""
    ids = {
        "hanako": make_member("hanako", nickname="はなこ"),
        "jiro": make_member("jiro", nickname="じろう"),
        "kenta": make_member("kenta", nickname="けんた"),
        "saburo": make_member("saburo", nickname="さぶろう"),
        "admin": make_member("admin", nickname="運営", is_operator=True),
    }
    now = utcnow()
    with app.app_context():
        for visitor, days in (("jiro", 45), ("kenta", 70), ("saburo", 1)):
            moment = now - timedelta(days=days)
            db.session.add(
                Footprint(
                    visited_id=ids["hanako"],
                    visitor_id=ids[visitor],
                    day=tokyo_day(moment),
                    visited_at=moment,
                )
            )
        db.session.commit()
    return ids


def set_premium(app, member_id: int, premium: bool) -> None:
    with app.app_context():
        db.session.get(Member, member_id).is_premium = premium
        db.session.commit()


@AGENTS
def test_a_premium_member_sees_footprints_older_than_30_days_and_a_standard_one_does_not(
    app, browser, login, visited, agent
):
    client = client_for(browser, agent)
    login(client, "hanako")
    page = go(client, "/footprints")
    assert "さぶろう" in page.text
    assert "じろう" not in page.text
    assert "けんた" not in page.text
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)

    set_premium(app, visited["hanako"], True)
    page = go(client, "/footprints")
    assert "さぶろう" in page.text
    assert "じろう" in page.text  # 45 days: within premium's 90
    assert "けんた" in page.text  # 70 days
    days = limits.PREMIUM.footprint_days
    visitors = (
        "Visitors in the last %(num)s day: %(visitors)s",
        "Visitors in the last %(num)s days: %(visitors)s",
    )
    assert ui_text(app, agent, visitors, num=days, visitors=3) in page.text


@AGENTS
def test_premium_granted_on_the_admin_page_shows_on_the_members_settings(
    app, browser, login, visited, agent
):
    member = client_for(browser, agent)
    login(member, "hanako")
    premium = ui_text(app, agent, "Premium")
    page = go(member, "/settings")
    assert ui_text(app, agent, "Standard") in page.text
    operator = client_for(browser, agent)
    login(operator, "admin")
    go(operator, f"/admin/members/{visited['hanako']}")
    operator.submit(f"/admin/members/{visited['hanako']}/premium")
    page = go(member, "/settings")
    assert premium in page.text
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    assert "じろう" in go(member, "/footprints").text
    go(operator, f"/admin/members/{visited['hanako']}")
    operator.submit(f"/admin/members/{visited['hanako']}/premium/revoke")
    assert "じろう" not in go(member, "/footprints").text


def test_the_footprint_window_comes_from_limits_only(app, browser, login, visited, monkeypatch):
    set_premium(app, visited["hanako"], True)
    monkeypatch.setattr(limits, "PREMIUM", limits.Limits(50, 10**9, 180))
    pc = browser(PC)
    login(pc, "hanako")
    page = pc.get("/footprints")
    assert "じろう" in page.text  # 45 days
    assert "けんた" not in page.text  # 70 days: beyond the patched 50
    monkeypatch.setattr(limits, "STANDARD", limits.Limits(60, 10**8, 30))
    set_premium(app, visited["hanako"], False)
    page = pc.get("/footprints")
    assert "じろう" in page.text
    assert "けんた" not in page.text


def test_photo_storage_comes_from_limits_only(app, ctx, make_member, monkeypatch):
    from tests.test_diary_pages import jpeg  # a small real JPEG

    member = db.session.get(Member, make_member("hanako"))
    diary = diaries.create(member, title="写真", body="本文", visibility="public")
    monkeypatch.setattr(limits, "STANDARD", limits.Limits(30, 1000, 30))
    with pytest.raises(photos.ServiceError):
        photos.attach(member, diary, [jpeg()])
    member.is_premium = True
    assert photos.attach(member, diary, [jpeg()])
    db.session.rollback()


def test_the_trash_purge_follows_each_plans_limits(app, ctx, make_member, monkeypatch):
    hanako = db.session.get(Member, make_member("hanako"))
    jiro = db.session.get(Member, make_member("jiro", is_premium=True))
    now = utcnow()
    ids = []
    for owner, other in ((hanako, jiro), (jiro, hanako)):
        message = messages.send(other, to=owner.id, subject="件名", body="本文", now=now)
        messages.trash(owner, message, now=now - timedelta(days=40))
        ids.append(message.id)
    db.session.commit()
    assert messages.purge_trash(now) == 1  # standard: 30 days; premium: 180
    monkeypatch.setattr(limits, "PREMIUM", limits.Limits(90, 10**9, 35))
    assert messages.purge_trash(now) == 1
    db.session.commit()
    states = {i: s for i, s in db.session.execute(select(Message.id, Message.recipient_state))}
    assert states == {ids[0]: "deleted", ids[1]: "deleted"}


def test_no_code_but_the_limits_reads_the_premium_flag():
    readers = set()
    for path in PORTAL.rglob("*.py"):
        if re.search(r"\bis_premium\b", path.read_text(encoding="utf-8")):
            readers.add(path.relative_to(PORTAL).as_posix())
    # The model declares it; limits reads it; the operators' service sets it.
    assert readers == {"models/member.py", "services/limits.py", "services/admin.py"}
    admin_source = (PORTAL / "services/admin.py").read_text(encoding="utf-8")
    uses = re.findall(r".*\bis_premium\b.*", admin_source)
    assert all("premium" in line and ("==" in line or "= premium" in line) for line in uses)


def test_footprints_service_reads_the_window_from_limits(ctx, visited):
    hanako = db.session.get(Member, visited["hanako"])
    assert footprints.footprints_of(hanako, offset=0, limit=10).days == (
        limits.STANDARD.footprint_days
    )

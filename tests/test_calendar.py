"""The calendar: Japanese months (an event at 23:30 on 31 May in Tokyo is in May, one at 00:30
on 1 June is in June), friends' birthdays as their visibility allows, my schedule entries, the
PC month grid and the phone's week list within 5 KB."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import CommunityMember, Event, EventParticipant, Member, Profile, ScheduleEntry
from portal.models._time import from_tokyo
from portal.services import calendar, communities
from tests.browser import DOCOMO_MOVA, PC, sid_of

MAY_31_2330 = datetime(2008, 5, 31, 14, 30)  # 23:30 in Tokyo, stored as UTC
JUNE_1_0030 = datetime(2008, 5, 31, 15, 30)  # 00:30 on 1 June in Tokyo


def _set_birth(app, member_id: int, birth: date, visibility: str | None = None) -> None:
    with app.app_context():
        db.session.get(Member, member_id).birth_date = birth
        if visibility is not None:
            db.session.add(Profile(member_id=member_id, birthday_visibility=visibility))
        db.session.commit()


@pytest.fixture
def people(app, make_member):
    hanako = make_member("hanako", nickname="はなこ")
    taro = make_member("taro", nickname="たろう", friends=(hanako,))
    jiro = make_member("jiro", nickname="じろう")
    with app.app_context():
        community = communities.create(
            db.session.get(Member, hanako), name="夜桜の会", description="説明", category="other"
        )
        db.session.add(CommunityMember(community_id=community.id, member_id=taro))
        other = communities.create(
            db.session.get(Member, jiro), name="じろうの会", description="説明", category="other"
        )
        for title, starts in (("月末の夜会", MAY_31_2330), ("六月の朝会", JUNE_1_0030)):
            db.session.add(
                Event(
                    community_id=community.id,
                    author_id=hanako,
                    title=title,
                    body="詳細",
                    starts_at=starts,
                    place="上野",
                )
            )
        db.session.add(
            Event(
                community_id=other.id,
                author_id=jiro,
                title="よその会の催し",
                body="詳細",
                starts_at=MAY_31_2330,
                place="大阪",
            )
        )
        db.session.commit()
        ids = {"hanako": hanako, "taro": taro, "jiro": jiro, "community": community.id}
    return ids


def _titles(view) -> dict[date, list[str]]:
    found: dict[date, list[str]] = {}
    for item in view.items:
        found.setdefault(item.day, []).append(item.title)
    return found


def test_events_fall_in_their_japanese_month(app, ctx, people):
    taro = db.session.get(Member, people["taro"])
    may = _titles(calendar.month_view(taro, 2008, 5))
    june = _titles(calendar.month_view(taro, 2008, 6))
    assert may.get(date(2008, 5, 31)) == ["月末の夜会"]
    assert "六月の朝会" not in sum(may.values(), [])
    assert june.get(date(2008, 6, 1)) == ["六月の朝会"]
    assert "月末の夜会" not in sum(june.values(), [])
    assert "よその会の催し" not in sum(may.values(), []), "not a community of mine"


def test_joined_events_are_marked_and_other_communities_events_shown_when_joined(app, ctx, people):
    jiro = db.session.get(Member, people["jiro"])
    other_event = db.session.scalar(select(Event).where(Event.title == "よその会の催し"))
    view = calendar.month_view(jiro, 2008, 5)
    assert [(i.title, i.joined) for i in view.items] == [("よその会の催し", False)]
    db.session.add(EventParticipant(event_id=other_event.id, member_id=jiro.id))
    db.session.flush()
    view = calendar.month_view(jiro, 2008, 5)
    assert [(i.title, i.joined) for i in view.items] == [("よその会の催し", True)]
    db.session.rollback()


def test_friends_birthdays_follow_their_visibility(app, people, make_member):
    _set_birth(app, people["hanako"], date(1985, 5, 31))  # no profile: the default, friends
    _set_birth(app, people["jiro"], date(1988, 5, 3))  # not a friend of taro's
    secret = make_member("secret", nickname="ひみつ", friends=(people["taro"],))
    _set_birth(app, secret, date(1980, 5, 10), visibility="private")
    leap = make_member("leap", nickname="うるう", friends=(people["taro"],))
    _set_birth(app, leap, date(1984, 2, 29), visibility="public")
    with app.app_context():
        taro = db.session.get(Member, people["taro"])
        may = calendar.month_view(taro, 2008, 5)
        birthdays = [(i.day, i.title) for i in may.items if i.kind == calendar.BIRTHDAY]
        assert birthdays == [(date(2008, 5, 31), "はなこ")]
        feb_2008 = calendar.month_view(taro, 2008, 2)
        assert [(i.day, i.title) for i in feb_2008.items] == [(date(2008, 2, 29), "うるう")]
        assert calendar.month_view(taro, 2009, 2).items == []
        march_2009 = calendar.month_view(taro, 2009, 3)
        assert [(i.day, i.title) for i in march_2009.items] == [(date(2009, 3, 1), "うるう")]
        hanako = db.session.get(Member, people["hanako"])
        hidden = [i for i in calendar.month_view(hanako, 2008, 5).items if i.kind == "birthday"]
        assert hidden == [], "taro's birthday is not in May"


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_the_month_page_shows_events_and_birthdays_on_their_days(
    app, browser, login, people, agent
):
    _set_birth(app, people["hanako"], date(1985, 5, 31))
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    login(client, "taro")
    sid = sid_of(client.page.url)
    suffix = f"&sid={sid}" if sid else ""
    if agent == PC:
        may = client.get("/calendar?month=2008-05")
        assert may.status == 200
        assert "月末の夜会" in may.text
        assert "23:30" in may.text
        assert "六月の朝会" not in may.text
        assert "はなこ" in may.text
        cell = may.text.split(">31</a>", 1)[1].split("</td>", 1)[0]
        assert "月末の夜会" in cell
        assert "はなこ" in cell
        june = client.get("/calendar?month=2008-06")
        assert "六月の朝会" in june.text
        assert "0:30" in june.text
        assert "月末の夜会" not in june.text
    else:
        first = client.get(f"/calendar?month=2008-05&week=1{suffix}")
        assert first.status == 200
        assert len(first.body) <= 5120
        assert "月末の夜会" not in first.text
        last = client.get(f"/calendar?month=2008-05&week=5{suffix}")
        assert last.status == 200
        assert len(last.body) <= 5120
        assert "2008年5月31日" in last.text
        assert "月末の夜会" in last.text
        assert "はなこ" in last.text
        assert "六月の朝会" not in last.text
        june = client.get(f"/calendar?month=2008-06&week=1{suffix}")
        assert "六月の朝会" in june.text
        assert "月末の夜会" not in june.text


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_schedule_entries_are_mine_alone(app, browser, login, people, agent):
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    login(client, "taro")
    sid = sid_of(client.page.url)
    suffix = f"&sid={sid}" if sid else ""
    form = client.get(f"/calendar/new?date=2008-05-31{suffix}")
    assert form.status == 200
    assert form.form("/calendar/new").fields["date"] == "2008-05-31"
    added = client.submit(
        "/calendar/new", {"title": "歯医者", "date": "2008-05-31", "time": "2345"}
    )
    assert added.status == 200
    client.get(f"/calendar/new?date=2008-06-01{suffix}")
    client.submit("/calendar/new", {"title": "買い物", "date": "2008年6月1日", "time": ""})
    with app.app_context():
        entries = {
            e.title: (e.starts_at, e.has_time) for e in db.session.scalars(select(ScheduleEntry))
        }
    assert entries == {
        "歯医者": (datetime(2008, 5, 31, 14, 45), True),
        "買い物": (from_tokyo(date(2008, 6, 1)), False),
    }
    with app.app_context():
        view = calendar.month_view(db.session.get(Member, people["taro"]), 2008, 5)
        assert [(i.day, i.at, i.title) for i in view.items if i.kind == "schedule"] == [
            (date(2008, 5, 31), time(23, 45), "歯医者")
        ]
        entry_id = db.session.scalar(
            select(ScheduleEntry.id).where(ScheduleEntry.title == "歯医者")
        )

    other = browser(agent, cookies=agent != DOCOMO_MOVA)
    login(other, "hanako")
    other_sid = sid_of(other.page.url)
    other_suffix = f"?sid={other_sid}" if other_sid else ""
    assert other.get(f"/calendar/entries/{entry_id}{other_suffix}").status == 404
    other_month = "/calendar?month=2008-05&week=5" + (f"&sid={other_sid}" if other_sid else "")
    hanakos_may = other.get(other_month)
    assert hanakos_may.status == 200
    assert "月末の夜会" in hanakos_may.text
    assert "歯医者" not in hanakos_may.text

    page = client.get(f"/calendar/entries/{entry_id}" + (f"?sid={sid}" if sid else ""))
    assert page.status == 200
    assert "歯医者" in page.text
    client.submit(f"/calendar/entries/{entry_id}")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ScheduleEntry)) == 1


def test_a_full_week_on_a_phone_is_paged_within_5kb(app, browser, login, people):
    with app.app_context():
        for n in range(25):
            db.session.add(
                ScheduleEntry(
                    member_id=people["taro"],
                    title="&" * 8 + "予定" * 12 + f"#{n:02d}",
                    starts_at=from_tokyo(date(2008, 5, 26 + n % 5), time(9, n)),
                    has_time=True,
                )
            )
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    sid = sid_of(phone.page.url)
    seen: list[str] = []
    for page_number in range(1, 4):
        page = phone.get(f"/calendar?month=2008-05&week=5&page={page_number}&sid={sid}")
        assert page.status == 200
        assert len(page.body) <= 5120, len(page.body)
        seen += re.findall(r"#(\d\d)", page.text)
    assert sorted(seen) == [f"{n:02d}" for n in range(25)]  # each entry once


def test_month_arguments_are_forgiving(app, browser, login, people):
    pc = browser(PC)
    login(pc, "taro")
    for arg in ("2008-5", "nonsense", ""):
        assert pc.get(f"/calendar?month={arg}").status == 200
    # A month that cannot be shown is no page (tests/test_odd_input.py).
    for arg in ("2008-13", "0000-01"):
        assert pc.get(f"/calendar?month={arg}").status == 404
    assert pc.get("/calendar?month=2008-05&week=99").status == 200


def test_next_and_previous_months_wrap_the_year(app, ctx, people):
    view = calendar.month_view(db.session.get(Member, people["taro"]), 2008, 12)
    assert (view.previous, view.next) == ("2008-11", "2009-01")
    view = calendar.month_view(db.session.get(Member, people["taro"]), 2009, 1)
    assert (view.previous, view.next) == ("2008-12", "2009-02")
    assert len(view.weeks) == 5
    assert view.weeks[0][0] == date(2008, 12, 28)
    assert timedelta(days=6) == view.weeks[0][-1] - view.weeks[0][0]

"""Events: capacity under concurrent joins (threads, each with its own app context and session,
against the real database: the SQLite file or PostgreSQL), deadlines, leaving, and the pages.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Community, CommunityMember, Event, EventParticipant, Member
from portal.models._time import tokyo_today, utcnow
from portal.services import ServiceError, communities, events
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.fixtures.factories import make_event


def _community_with(app, admin_id: int, member_ids) -> int:
    with app.app_context():
        community = communities.create(
            db.session.get(Member, admin_id),
            name="イベント部",
            description="説明",
            category="other",
        )
        for member_id in member_ids:
            db.session.add(CommunityMember(community_id=community.id, member_id=member_id))
        community.member_count = 1 + len(member_ids)
        db.session.commit()
        return community.id


def _race(app, event_id: int, member_ids: list[int]) -> list[str]:
    """Let every member join at once, each in a thread with its own app context."""
    barrier = threading.Barrier(len(member_ids))
    results: list[str] = []
    lock = threading.Lock()

    def attempt(member_id: int) -> None:
        with app.app_context():
            try:
                member = db.session.get(Member, member_id)
                event = db.session.get(Event, event_id)
                event.community  # noqa: B018 (loaded before the race)
                barrier.wait(timeout=30)
                events.join(member, event)
                db.session.commit()
                outcome = "joined"
            except ServiceError:
                db.session.rollback()
                outcome = "refused"
            except Exception as exc:  # noqa: BLE001 (reported below)
                db.session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(m,)) for m in member_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _counts(app, event_id: int) -> tuple[int, int]:
    with app.app_context():
        rows = db.session.scalar(
            select(func.count())
            .select_from(EventParticipant)
            .where(EventParticipant.event_id == event_id)
        )
        return rows, db.session.get(Event, event_id).joined


@pytest.mark.committed  # the racing threads each have a connection
def test_capacity_holds_under_concurrent_joins(app, make_member):
    host = make_member("host")
    # At most the pool's 15 connections: every thread holds one while it waits for the others.
    joiners = [make_member(f"joiner{n}") for n in range(12)]
    community_id = _community_with(app, host, joiners)
    event_id = make_event(app, community_id, host, capacity=5)
    results = _race(app, event_id, joiners)
    assert sorted(results) == ["joined"] * 5 + ["refused"] * 7, sorted(set(results))
    assert _counts(app, event_id) == (5, 5)


@pytest.mark.committed  # the racing threads each have a connection
def test_one_member_joining_twice_at_once_takes_one_place(app, make_member):
    host = make_member("host")
    joiner = make_member("joiner")
    community_id = _community_with(app, host, [joiner])
    event_id = make_event(app, community_id, host, capacity=3)
    results = _race(app, event_id, [joiner] * 6)
    assert sorted(results) == ["joined"] + ["refused"] * 5, results
    assert _counts(app, event_id) == (1, 1)


def test_leaving_frees_a_place_and_deadlines_and_starts_close_joining(app, ctx, make_member):
    host, a, b = make_member("host"), make_member("a"), make_member("b")
    outsider = make_member("outsider")
    community_id = _community_with(app, host, [a, b])
    event_id = make_event(app, community_id, host, capacity=1)
    event = db.session.get(Event, event_id)
    member_a, member_b = db.session.get(Member, a), db.session.get(Member, b)
    events.join(member_a, event)
    with pytest.raises(ServiceError):
        events.join(member_b, event)
    with pytest.raises(ServiceError):
        events.join(member_a, event)
    events.leave(member_a, event)
    events.join(member_b, event)
    assert event.joined == 1
    with pytest.raises(ServiceError):
        events.join(db.session.get(Member, outsider), event)
    event.capacity = None
    event.deadline = tokyo_today() - timedelta(days=1)
    with pytest.raises(ServiceError):
        events.join(member_a, event)
    event.deadline = tokyo_today()
    events.join(member_a, event)
    event.starts_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(ServiceError):
        events.leave(member_a, event)
    db.session.rollback()


def test_the_capacity_cannot_go_below_the_participants(app, ctx, make_member):
    host, a, b = make_member("host"), make_member("a"), make_member("b")
    community_id = _community_with(app, host, [a, b])
    event = db.session.get(Event, make_event(app, community_id, host, capacity=5))
    for member_id in (a, b):
        events.join(db.session.get(Member, member_id), event)
    fields = {
        "title": event.title,
        "body": event.body,
        "starts_at": event.starts_at,
        "place": event.place,
    }
    with pytest.raises(ServiceError):
        events.update(db.session.get(Member, host), event, capacity=1, **fields)
    events.update(db.session.get(Member, host), event, capacity=2, **fields)
    assert event.capacity == 2
    db.session.rollback()


def test_leaving_a_community_gives_up_its_coming_events(app, ctx, make_member):
    host, a = make_member("host"), make_member("a")
    community_id = _community_with(app, host, [a])
    event = db.session.get(Event, make_event(app, community_id, host))
    member = db.session.get(Member, a)
    events.join(member, event)
    from portal.services import community_members

    community_members.leave(member, db.session.get(Community, community_id))
    db.session.expire_all()
    assert db.session.get(Event, event.id).joined == 0
    assert not events.is_participant(event, a)
    db.session.rollback()


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_announce_join_and_see_the_participants(app, browser, login, make_member, agent):
    host = make_member("host", nickname="幹事")
    guest = make_member("guest", nickname="ゲスト")
    community_id = _community_with(app, host, [guest])
    organiser = browser(agent, cookies=agent != DOCOMO_MOVA)
    login(organiser, "host")
    sid = sid_of(organiser.page.url)
    suffix = f"?sid={sid}" if sid else ""
    form = organiser.get(f"/communities/{community_id}/events/new{suffix}")
    assert form.status == 200
    next_year = tokyo_today().year + 1
    shown = organiser.submit(
        f"/communities/{community_id}/events/new",
        {
            "title": "新年会",
            "date": f"{next_year}0110",  # typed on a keypad
            "time": "1930",
            "place": "居酒屋さくら",
            "deadline": f"{next_year}/1/5",
            "capacity": "２０",  # full-width digits
            "body": "みんなで飲みましょう",
        },
    )
    assert shown.status == 200, shown.text
    with app.app_context():
        event = db.session.scalar(select(Event))
        assert event.starts_at == datetime(next_year, 1, 10, 10, 30)  # 19:30 in Tokyo
        assert event.deadline == date(next_year, 1, 5)
        assert event.capacity == 20
        event_id = event.id
    assert f"{next_year}年1月10日" in shown.text
    assert "19:30" in shown.text

    joiner = browser(agent, cookies=agent != DOCOMO_MOVA)
    login(joiner, "guest")
    sid = sid_of(joiner.page.url)
    suffix = f"?sid={sid}" if sid else ""
    community = joiner.get(f"/communities/{community_id}{suffix}")
    assert "新年会" in community.text
    joiner.get(f"/events/{event_id}{suffix}")
    joined = joiner.submit(f"/events/{event_id}/join")
    assert joined.status == 200
    participants = joiner.get(f"/events/{event_id}/participants{suffix}")
    assert "ゲスト" in participants.text
    joiner.get(f"/events/{event_id}{suffix}")
    left = joiner.submit(f"/events/{event_id}/leave")
    assert left.status == 200
    assert _counts(app, event_id) == (0, 0)


def test_a_bad_date_is_refused_and_nothing_is_saved(app, browser, login, make_member):
    host = make_member("host")
    community_id = _community_with(app, host, [])
    pc = browser(PC)
    login(pc, "host")
    pc.get(f"/communities/{community_id}/events/new")
    page = pc.submit(
        f"/communities/{community_id}/events/new",
        {"title": "x", "date": "2008-13-45", "time": "25:00", "place": "p", "body": "b"},
    )
    assert page.status == 400
    page = pc.submit(
        f"/communities/{community_id}/events/new",
        {"title": "x", "date": "2001-01-01", "time": "10:00", "place": "p", "body": "b"},
    )
    assert page.status == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0

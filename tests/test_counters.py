"""Per-member counters (issue 11.4): unread messages, friend requests waiting, friends and new
footprints are kept on the member's row by the changes they count, in the same transaction,
and always equal what a count of the rows says (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Block, Footprint, FriendRequest, Friendship, Member, Message
from portal.services import counters, footprints, friends, leaving, messages, social
from tests.fixtures.factories import PASSWORD


def _member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def _counted(member_id: int) -> tuple[int, int]:
    """(unread messages, requests waiting) counted from the rows."""
    unread = db.session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.recipient_id == member_id, counters.unread_clause())
    )
    waiting = db.session.scalar(
        select(func.count())
        .select_from(FriendRequest)
        .where(FriendRequest.recipient_id == member_id)
    )
    return unread, waiting


def _kept(member_id: int) -> tuple[int, int]:
    db.session.expire_all()
    member = _member(member_id)
    return member.unread_messages, member.pending_requests


def _check(member_id: int, expected: tuple[int, int]) -> None:
    assert _kept(member_id) == expected
    assert _counted(member_id) == expected


def test_the_unread_count_follows_sending_reading_trash_and_restore(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        first = messages.send(_member(hana), to=taro, subject="一", body="本文")
        second = messages.send(_member(hana), to=taro, subject="二", body="本文")
        db.session.commit()
        _check(taro, (2, 0))
        messages.read(_member(taro), first.id)
        messages.read(_member(taro), first.id)  # read again: no change
        db.session.commit()
        _check(taro, (1, 0))
        messages.trash(_member(taro), db.session.get(Message, second.id))
        db.session.commit()
        _check(taro, (0, 0))
        messages.restore(_member(taro), db.session.get(Message, second.id))
        db.session.commit()
        _check(taro, (1, 0))
        messages.trash(_member(taro), db.session.get(Message, first.id))  # read already
        db.session.commit()
        _check(taro, (1, 0))
        assert _check(hana, (0, 0)) is None  # the sender's own counter never moves


def test_a_message_read_by_two_requests_at_once_counts_once(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        sent = messages.send(_member(hana), to=taro, subject="一", body="本文")
        db.session.commit()
        sent_id = sent.id
    # The first request loaded the message unread; the second read it and committed meanwhile.
    with app.app_context():
        stale = db.session.get(Message, sent_id)
        me = _member(taro)
        assert stale.read_at is None
        with app.app_context():  # a second request, its own session
            messages.read(_member(taro), sent_id)
            db.session.commit()
        messages.read(me, sent_id)
        db.session.commit()
        _check(taro, (0, 0))


def test_the_request_count_follows_asking_answering_and_blocking(app, make_member):
    taro = make_member("taro")
    hana, jiro, saburo = make_member("hana"), make_member("jiro"), make_member("saburo")
    with app.app_context():
        for sender in (hana, jiro, saburo):
            social.request_friendship(_member(sender), _member(taro), "よろしく")
        db.session.commit()
        _check(taro, (0, 3))
        waiting = {r.sender_id: r for r in social.pending_requests(_member(taro))}
        social.approve(recipient=_member(taro), request=waiting[hana])
        social.decline(recipient=_member(taro), request=waiting[jiro])
        db.session.commit()
        _check(taro, (0, 1))
        social.block(_member(taro), _member(saburo))
        db.session.commit()
        _check(taro, (0, 0))
        # A request answering one received makes friends at once: none waits on either side.
        social.request_friendship(_member(taro), _member(jiro), None)
        social.request_friendship(_member(jiro), _member(taro), None)
        db.session.commit()
        _check(taro, (0, 0))
        _check(jiro, (0, 0))


def test_a_member_who_leaves_is_taken_off_the_others_counters(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        messages.send(_member(hana), to=taro, subject="一", body="本文")
        read = messages.send(_member(hana), to=taro, subject="二", body="本文")
        messages.send(_member(taro), to=hana, subject="三", body="本文")
        social.request_friendship(_member(hana), _member(taro), None)
        db.session.commit()
        messages.read(_member(taro), read.id)
        db.session.commit()
        _check(taro, (1, 1))
        leaving.close_own(_member(hana), PASSWORD)
        db.session.commit()
        _check(taro, (0, 0))


def test_recount_sets_the_counters_from_the_rows(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        db.session.add(
            Message(
                sender_id=hana,
                recipient_id=taro,
                subject="一",
                body="本文",
                sender_state="sent",
                recipient_state="inbox",
            )
        )
        db.session.add(FriendRequest(sender_id=hana, recipient_id=taro))
        db.session.commit()
        assert _kept(taro) == (0, 0)  # added around the services
        counters.recount()
        db.session.commit()
        _check(taro, (1, 1))


def test_home_shows_the_counters(app, browser, login, make_member):
    hana, taro = make_member("hana"), make_member("taro", nickname="たろう")
    with app.app_context():
        messages.send(_member(hana), to=taro, subject="一", body="本文")
        social.request_friendship(_member(hana), _member(taro), None)
        db.session.commit()
    from tests.browser import PC

    pc = browser(PC)
    home = login(pc, "taro")
    assert "(1)" in home.text


def _friends(member_id: int) -> tuple[int, int]:
    """(the member's friend total as kept, as counted from the rows)."""
    db.session.expire_all()
    counted = db.session.scalar(
        select(func.count()).select_from(Friendship).where(Friendship.member_id == member_id)
    )
    return _member(member_id).friend_total, counted


def test_the_friend_total_follows_befriending_unfriending_blocking_and_leaving(app, make_member):
    taro = make_member("taro")
    hana, jiro, saburo = make_member("hana"), make_member("jiro"), make_member("saburo")
    with app.app_context():
        for other in (hana, jiro, saburo):
            social.request_friendship(_member(other), _member(taro), None)
        for waiting in social.pending_requests(_member(taro)):
            social.approve(recipient=_member(taro), request=waiting)
        db.session.commit()
        assert _friends(taro) == (3, 3)
        assert _friends(hana) == (1, 1)
        friends.befriend(_member(taro), _member(hana))  # friends already: no change
        social.unfriend(_member(taro), _member(jiro))
        social.unfriend(_member(taro), _member(jiro))  # ended already: no change
        db.session.commit()
        assert (_friends(taro), _friends(jiro)) == ((2, 2), (0, 0))
        social.block(_member(saburo), _member(taro))
        db.session.commit()
        assert (_friends(taro), _friends(saburo)) == ((1, 1), (0, 0))
        leaving.close_own(_member(hana), PASSWORD)
        db.session.commit()
        assert _friends(taro) == (0, 0)


def test_recount_sets_the_friend_total_from_the_rows(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        db.session.add_all(
            [Friendship(member_id=hana, friend_id=taro), Friendship(member_id=taro, friend_id=hana)]
        )
        db.session.commit()
        assert _friends(taro) == (0, 1)  # added around the services
        counters.recount()
        db.session.commit()
        assert (_friends(taro), _friends(hana)) == ((1, 1), (1, 1))


def test_home_shows_the_friend_total(app, browser, login, make_member):
    hana, taro = make_member("hana"), make_member("taro", nickname="たろう")
    with app.app_context():
        friends.befriend(_member(hana), _member(taro))
        db.session.commit()
    from tests.browser import PC

    home = login(browser(PC), "taro")
    assert "マイミク(1人)" in home.text


# New footprints: kept by the footprints' writes (portal.services.footprints), blocks and
# leavers; the home shows the counter, and always what the count of before showed.

NOON = datetime(2026, 5, 1, 3, 0)  # 12:00 in Tokyo


def _visit(visitor_id: int, visited_id: int, when: datetime, **kwargs) -> None:
    footprints.record_visit(_member(visitor_id), visited_id, when, **kwargs)
    db.session.commit()


def _new(member_id: int, now: datetime) -> tuple[int, int]:
    """(the new footprints the home shows, as the count of before said): the test fails the
    moment the counter drifts from the rows."""
    db.session.expire_all()
    member = _member(member_id)
    counted = db.session.scalar(footprints.new_count_query(member, now))
    assert footprints.known_new_count(member, now) is not None  # from the row, no count
    return footprints.new_count(member, now), counted


def test_new_footprints_follow_visits_revisits_and_seeing_the_list(app, make_member):
    hana, taro, jiro = make_member("hana"), make_member("taro"), make_member("jiro")
    with app.app_context():
        _visit(taro, hana, NOON)
        _visit(jiro, hana, NOON)
        assert _new(hana, NOON) == (2, 2)
        _visit(taro, hana, NOON + timedelta(minutes=2))  # within the repeat window: nothing
        _visit(taro, hana, NOON + timedelta(minutes=30))  # refreshed, new already
        _visit(hana, hana, NOON + timedelta(minutes=30))  # oneself: none
        assert _new(hana, NOON + timedelta(minutes=30)) == (2, 2)
        footprints.mark_seen(_member(hana), NOON + timedelta(hours=1))
        db.session.commit()
        assert _new(hana, NOON + timedelta(hours=1)) == (0, 0)
        _visit(taro, hana, NOON + timedelta(hours=1, minutes=2))  # today's row, seen: new again
        _visit(taro, hana, NOON + timedelta(hours=1, minutes=4))  # and a repeat of that
        assert _new(hana, NOON + timedelta(hours=2)) == (1, 1)
        _visit(jiro, hana, NOON + timedelta(days=1))  # another day, another row
        _visit(taro, hana, NOON + timedelta(days=1))
        assert _new(hana, NOON + timedelta(days=1)) == (3, 3)
        assert _new(taro, NOON + timedelta(days=1)) == (0, 0)  # the visitor's never moves


def test_a_visit_seen_before_it_is_written_is_not_new(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        footprints.mark_seen(_member(hana), NOON + timedelta(minutes=1))
        db.session.commit()
        _visit(taro, hana, NOON)  # a request that began before hana opened her list
        assert _new(hana, NOON + timedelta(minutes=1)) == (0, 0)


def test_new_footprints_of_blocked_members_do_not_count_either_way(app, make_member):
    hana, taro, jiro = make_member("hana"), make_member("taro"), make_member("jiro")
    with app.app_context():
        _visit(taro, hana, NOON)
        _visit(jiro, hana, NOON)
        _visit(hana, taro, NOON)
        social.block(_member(hana), _member(taro))
        db.session.commit()
        assert (_new(hana, NOON), _new(taro, NOON)) == ((1, 1), (0, 0))
        _visit(taro, hana, NOON + timedelta(hours=1))  # blocked: none left
        _visit(taro, hana, NOON + timedelta(hours=1), unblocked=True)  # even if one were asked
        assert _new(hana, NOON + timedelta(hours=1)) == (1, 1)
        social.block(_member(hana), _member(taro))  # blocked already: no change
        social.block(_member(taro), _member(hana))  # both ways now
        social.unblock(_member(hana), _member(taro))  # taro's block still stands
        db.session.commit()
        assert (_new(hana, NOON), _new(taro, NOON)) == ((1, 1), (0, 0))
        social.unblock(_member(taro), _member(hana))  # no block left: they count again
        db.session.commit()
        assert (_new(hana, NOON + timedelta(hours=1)), _new(taro, NOON)) == ((2, 2), (1, 1))
        social.block(_member(jiro), _member(hana))  # the visitor blocks the visited member
        db.session.commit()
        assert _new(hana, NOON + timedelta(hours=1)) == (1, 1)
        _visit(jiro, hana, NOON + timedelta(hours=2), unblocked=True)
        assert _new(hana, NOON + timedelta(hours=2)) == (1, 1)


def test_a_member_who_leaves_is_taken_off_the_new_footprints(app, make_member):
    hana, taro, jiro = make_member("hana"), make_member("taro"), make_member("jiro")
    with app.app_context():
        _visit(taro, hana, NOON)
        _visit(jiro, hana, NOON)
        _visit(taro, jiro, NOON)
        footprints.mark_seen(_member(jiro), NOON + timedelta(minutes=1))  # seen: not counted
        db.session.commit()
        leaving.close_own(_member(taro), PASSWORD)
        db.session.commit()
        assert (_new(hana, NOON), _new(jiro, NOON)) == ((1, 1), (0, 0))


def test_new_footprints_older_than_the_list_are_counted_as_before(app, make_member):
    hana, taro, jiro = make_member("hana"), make_member("taro"), make_member("jiro")
    with app.app_context():
        _visit(taro, hana, NOON)
        _visit(jiro, hana, NOON + timedelta(days=20))
        later = NOON + timedelta(days=31)  # taro's footprint is past the 30 days of the list
        member = _member(hana)
        assert member.new_footprints == 2
        assert footprints.known_new_count(member, later) is None
        assert footprints.new_count(member, later) == 1
        member.is_premium = True  # 90 days
        db.session.commit()
        assert _new(hana, later) == (2, 2)
        footprints.mark_seen(_member(hana), later)
        db.session.commit()
        assert _new(hana, later) == (0, 0)


def test_recount_sets_the_new_footprints_from_the_rows(app, make_member):
    hana, taro, jiro = make_member("hana"), make_member("taro"), make_member("jiro")
    with app.app_context():
        _member(hana).footprints_seen_at = NOON
        db.session.add_all(
            [
                Footprint(visited_id=hana, visitor_id=taro, day=NOON.date(), visited_at=NOON),
                Footprint(
                    visited_id=hana,
                    visitor_id=jiro,
                    day=NOON.date(),
                    visited_at=NOON + timedelta(hours=1),
                ),
                Footprint(visited_id=taro, visitor_id=jiro, day=NOON.date(), visited_at=NOON),
                Block(blocker_id=jiro, blocked_id=taro),
            ]
        )
        db.session.commit()
        assert _member(hana).new_footprints == 0  # added around the services
        counters.recount()
        db.session.commit()
        assert (_new(hana, NOON), _new(taro, NOON), _new(jiro, NOON)) == ((1, 1), (0, 0), (0, 0))
        assert _member(hana).new_footprints_since == NOON + timedelta(hours=1)


@pytest.mark.committed  # the racing threads each have a connection
def test_one_footprint_left_by_several_requests_at_once_counts_once(app, make_member):
    hana, taro = make_member("hana"), make_member("taro")
    with app.app_context():
        footprints.mark_seen(_member(hana), NOON - timedelta(hours=1))
        _visit(taro, hana, NOON - timedelta(minutes=30))  # today's row, seen below
        footprints.mark_seen(_member(hana), NOON - timedelta(minutes=20))
        db.session.commit()
    barrier, errors = threading.Barrier(4), []

    def visit(seconds: int) -> None:
        with app.app_context():
            try:
                _member(taro)  # loaded (a connection held) before the race
                barrier.wait(timeout=30)
                _visit(taro, hana, NOON + timedelta(seconds=seconds), unblocked=True)
            except Exception as exc:  # noqa: BLE001 (reported below)
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert _new(hana, NOON + timedelta(minutes=1)) == (1, 1)


@pytest.mark.parametrize("agent", ["PC", "DOCOMO_MOVA"])
def test_home_shows_the_new_footprints(app, browser, login, make_member, agent):
    hana, taro = make_member("hana"), make_member("taro", nickname="たろう")
    with app.app_context():
        for visitor in (hana, make_member("jiro")):
            footprints.record_visit(_member(visitor), taro)
        db.session.commit()
    from tests import browser as devices

    home = login(browser(getattr(devices, agent), cookies=agent == "PC"), "taro")
    assert "新着2件" in home.text

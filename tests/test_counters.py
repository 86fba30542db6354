"""Per-member counters (issue 11.4): unread messages and friend requests waiting are kept on
the member's row by the changes they count, in the same transaction, and always equal what a
count of the rows says (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import FriendRequest, Friendship, Member, Message
from portal.services import counters, friends, leaving, messages, social
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

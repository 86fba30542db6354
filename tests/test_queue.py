"""The task queue in immediate mode: notices go through the outbox after the commit, failed
sends are retried and finally logged, birthdays mail friends a week before, once."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from flask import Response
from sqlalchemy import func, select

from portal import transactions
from portal.extensions import db
from portal.models import Member, OutboxMail, Profile
from portal.models._time import tokyo_today, utcnow
from portal.services import birthdays, notifications
from portal.tasks import huey, mail, periodic
from tests.browser import PC


def _subject(message):
    return str(make_header(decode_header(message["Subject"])))


def _outbox(app):
    with app.app_context():
        return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def _notice(app, member_id, **extra):
    with app.test_request_context():
        notifications.queue(
            db.session.get(Member, member_id),
            "comment",
            subject="New comment on your diary",
            lines=("%(name)s commented on your diary “%(title)s”.",),
            link=("diaries.show", {"id": 1}),
            name="じろう",
            title="今日",
        )
        transactions._finish(Response(status=extra.get("status", 200)))


def test_a_rolled_back_request_leaves_nothing_in_the_outbox(app, make_member, sink):
    hanako = make_member("hanako")
    _notice(app, hanako, status=400)
    assert _outbox(app) == []
    assert sink == []


def test_a_committed_notice_is_sent_once_and_marked(app, make_member, sink):
    hanako = make_member("hanako")
    _notice(app, hanako)
    [row] = _outbox(app)
    assert row.sent_at is not None
    assert row.attempts == 1
    assert [m["To"] for m in sink] == ["hanako@example.jp"]
    with app.app_context():
        assert notifications.deliver(row.id) is False  # the task again: nothing sent
    assert len(sink) == 1


def test_a_failed_send_waits_for_a_retry_and_the_page_still_works(
    app, browser, login, make_member, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_ENABLED", True)
    monkeypatch.setattr(app.extensions["mail"], "suppress", False)
    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう")
    client = browser(PC)
    login(client, "jiro")
    client.get(f"/users/{hanako}")
    page = client.submit(f"/users/{hanako}/friend-request", {"message": "よろしく"})
    assert page.status == 200  # the autouse fixture refuses every SMTP connection
    [row] = _outbox(app)
    assert row.sent_at is None
    assert row.failed_at is None
    assert row.attempts == 1
    assert "AssertionError" in row.last_error
    with app.app_context():
        assert huey.scheduled_count() == 1  # the retry, in a minute
        [retry] = huey.scheduled()
        assert retry.retries == mail.RETRIES - 1
        assert retry.retry_delay == mail.RETRY_DELAY * mail.BACKOFF  # the next wait doubles
        huey.flush()


def test_the_last_failure_is_logged_and_the_mail_given_up(app, make_member, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_ENABLED", True)
    hanako = make_member("hanako")
    with app.app_context():
        row = notifications.write(
            db.session.get(Member, hanako),
            "comment",
            subject="New comment on your diary",
            lines=(),
            link=("home.index", {}),
        )
        db.session.commit()

        def refuse(message):
            raise ConnectionRefusedError("smtp down")

        with caplog.at_level(logging.ERROR, logger="portal.services.notifications"):
            assert notifications.deliver(row.id, last_try=True, send=refuse) is False
        db.session.refresh(row)
        assert row.failed_at is not None
        assert "finally failed" in caplog.text
        assert row.key in caplog.text
        assert notifications.pending_ids() == []  # never handed over again


def test_an_unreachable_queue_keeps_the_mail_in_the_outbox(app, make_member, sink, monkeypatch):
    hanako = make_member("hanako")
    queue_up = huey.enqueue
    state = {"down": True}

    def enqueue(task):
        if state["down"]:
            raise ConnectionError("queue down")
        return queue_up(task)

    monkeypatch.setattr(huey, "enqueue", enqueue)
    _notice(app, hanako)  # the page's commit stands; the mail waits
    assert sink == []
    [row] = _outbox(app)
    assert row.sent_at is None
    state["down"] = False
    with app.app_context():
        assert notifications.requeue_stalled() == 0  # younger than the lease: maybe in flight
        assert notifications.requeue_stalled(now=utcnow() + timedelta(minutes=6)) == 1
    assert [m["To"] for m in sink] == ["hanako@example.jp"]


def _birthday_world(app, make_member, **profile):
    """hanako's birthday is in a week; taro and jiro are her friends, ken is not."""
    day = tokyo_today() + timedelta(days=birthdays.DAYS_AHEAD)
    hanako = make_member("hanako", nickname="はなこ", birth_date=date(1980, day.month, day.day))
    taro = make_member("taro", nickname="たろう", friends=(hanako,))
    jiro = make_member("jiro", nickname="じろう", friends=(hanako,), locale="en")
    make_member("ken")
    with app.app_context():
        if profile:
            db.session.add(Profile(member_id=hanako, **profile))
            db.session.commit()
    return hanako, taro, jiro, day


def test_friends_get_a_birthday_notice_a_week_before_in_their_language(app, make_member, sink):
    hanako, *_ = _birthday_world(app, make_member)
    with app.app_context():
        assert birthdays.send_notices() == 2
    by_address = {m["To"]: m for m in sink}
    assert set(by_address) == {"taro@example.jp", "jiro@example.jp"}
    ja = by_address["taro@example.jp"]
    assert _subject(ja) == "はなこさんの誕生日まであと1週間です"
    assert ja.get_content_charset() == "iso-2022-jp"
    body = ja.get_payload(decode=True).decode("iso-2022-jp")
    assert f"/users/{hanako}" in body
    assert "月" in body
    assert "sid=" not in body
    assert _subject(by_address["jiro@example.jp"]) == "はなこ's birthday is in a week"


def test_a_second_run_mails_no_one_twice(app, make_member, sink):
    _birthday_world(app, make_member)
    with app.app_context():
        birthdays.send_notices()
        assert birthdays.send_notices() == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 2
    assert len(sink) == 2


def test_a_birthday_shown_to_no_one_mails_no_one(app, make_member, sink):
    _birthday_world(app, make_member, birthday_visibility="private")
    with app.app_context():
        assert birthdays.send_notices() == 0
    assert sink == []


def test_a_member_can_turn_birthday_notices_off(app, browser, login, make_member, sink):
    _birthday_world(app, make_member)
    client = browser(PC)
    login(client, "taro")
    page = client.get("/settings")
    assert page.status == 200
    assert 'name="notify_birthdays"' in page.text
    assert 'name="notify_birthdays" value="on" checked' in page.text
    saved = client.submit("/settings/notifications", drop=("notify_birthdays",))
    assert saved.status == 200
    assert 'name="notify_birthdays" value="on" checked' not in saved.text
    with app.app_context():
        birthdays.send_notices()
    assert [m["To"] for m in sink] == ["jiro@example.jp"]


def test_a_29_february_birthday_is_noticed_a_week_before_1_march_in_other_years(
    app, make_member, sink
):
    hanako = make_member("hanako", nickname="はなこ", birth_date=date(1988, 2, 29))
    make_member("taro", friends=(hanako,))
    with app.app_context():
        assert birthdays.send_notices(today=date(2027, 2, 22)) == 1  # 2027-03-01 a week on
        assert birthdays.send_notices(today=date(2027, 2, 21)) == 0


@pytest.mark.parametrize(
    ("task", "fires", "idle"),
    [
        (periodic.import_feeds, datetime(2026, 12, 3, 5, 7), datetime(2026, 12, 3, 5, 8)),
        (periodic.purge_sessions, datetime(2026, 12, 3, 18, 20), datetime(2026, 12, 3, 19, 20)),
        (periodic.purge_messages, datetime(2026, 12, 4, 18, 40), datetime(2026, 12, 4, 18, 20)),
        (periodic.birthday_notices, datetime(2026, 12, 4, 0, 0), datetime(2026, 12, 4, 1, 0)),
        (mail.requeue_stalled_mail, datetime(2026, 12, 4, 0, 5), datetime(2026, 12, 4, 0, 6)),
    ],
)
def test_the_schedule_replaces_cron(task, fires, idle):
    """Feeds hourly, purges daily at night in Japan, birthdays daily (UTC times)."""
    assert task.s().validate_datetime(fires)
    assert not task.s().validate_datetime(idle)


def test_periodic_tasks_run_the_services_in_an_app_context(app, make_member):
    make_member("hanako")
    with app.app_context():  # the consumer's app; here the test's
        assert periodic.purge_sessions.call_local() == 0
        assert periodic.purge_messages.call_local() == 0
        assert periodic.import_feeds.call_local().startswith("0 feeds")
        assert periodic.birthday_notices.call_local() == 0

"""E-mail notices reach a local SMTP sink, in the member's language, and can be turned off."""

from email.header import decode_header, make_header

import pytest
from flask import Response

from portal import transactions
from portal.extensions import db
from portal.models import Member
from portal.services import notifications
from tests.browser import PC


def _subject(message):
    return str(make_header(decode_header(message["Subject"])))


def _request(browser, login, asker, target_id):
    client = browser(PC)
    login(client, asker)
    client.get(f"/users/{target_id}")
    return client.submit(f"/users/{target_id}/friend-request", {"message": "よろしく"})


def test_a_friend_request_mails_the_recipient_in_japanese(app, browser, login, make_member, sink):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう")
    _request(browser, login, "jiro", hanako)
    assert len(sink) == 1
    message = sink[0]
    assert message["To"] == "hanako@example.jp"
    assert _subject(message) == "じろうさんからマイミク申請が届きました"
    assert message.get_content_charset() == "iso-2022-jp"
    body = message.get_payload(decode=True).decode("iso-2022-jp")
    assert "じろう" in body
    assert "/friends/requests" in body
    assert "sid=" not in body


def test_english_members_get_english_mail(app, browser, login, make_member, sink):
    hanako = make_member("hanako", nickname="はなこ", locale="en")
    make_member("jiro", nickname="じろう")
    _request(browser, login, "jiro", hanako)
    assert _subject(sink[0]) == "じろう asked to be your friend"


def test_a_member_can_turn_the_notice_off(app, browser, login, make_member, sink):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("jiro", nickname="じろう")
    with app.app_context():
        db.session.get(Member, hanako).notify_requests = False
        db.session.commit()
    _request(browser, login, "jiro", hanako)
    assert sink == []


@pytest.mark.parametrize(("status", "mails"), [(200, 1), (302, 1), (400, 0), (403, 0)])
def test_notices_go_only_after_a_successful_commit(app, make_member, sink, status, mails):
    hanako = make_member("hanako", nickname="はなこ")
    with app.test_request_context():
        notifications.queue(
            db.session.get(Member, hanako),
            "comment",
            subject="New comment on your diary",
            lines=("%(name)s commented on your diary “%(title)s”.",),
            link=("diaries.show", {"id": 1}),
            name="じろう",
            title="今日",
        )
        transactions._finish(Response(status=status))
    assert len(sink) == mails

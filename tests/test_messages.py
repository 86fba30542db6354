"""Messages (メッセージ) as members use them, on PCs and phones: sending (an au phone to a PC),
privacy (only the two members ever see a message), blocking, drafts that outlive a session,
replies with a quotation, the trash and its retention, unread counts, and 5 KB pages.

Pages are found through their links and forms (paths), so the tests hold whatever the UI
language says; what they read on pages is member text or the UI text as the page shows it.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import event, func, select

from portal.extensions import db
from portal.keitai.hankaku import to_hankaku
from portal.models import Member, Message
from portal.models._time import utcnow
from portal.services import ServiceError, messages, social
from tests.browser import AU, DOCOMO_MOVA, PC, sid_of
from tests.pages import (
    assert_fits_d501i,
    client_for,
    forge,
    go,
    has_form,
    has_link,
    href,
    idle_hour_passes,
    path_of,
    without,
)

# -- helpers ---------------------------------------------------------------------------------


def in_japanese(agent: str, text: str) -> str:
    """Return UI text as a Japanese page shows it (half-width kana on the D501i)."""
    return to_hankaku(text) if agent == DOCOMO_MOVA else text


def ui_text(app, agent: str, msgid: str, **values) -> str:
    with app.test_request_context(), force_locale("ja"):
        text = gettext(msgid, **values)
    return in_japanese(agent, text)


def ui_plural(app, agent: str, singular: str, plural: str, n: int) -> str:
    with app.test_request_context(), force_locale("ja"):
        text = ngettext(singular, plural, n)
    return in_japanese(agent, text)


def member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def send(app, sender: int, recipient: int, subject: str = "件名", body: str = "本文") -> int:
    with app.app_context():
        message = messages.send(member(sender), to=recipient, subject=subject, body=body)
        db.session.commit()
        return message.id


def message_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Message))


# -- sending and reading -------------------------------------------------------------------


def test_a_message_typed_on_an_au_phone_reads_exactly_in_a_pc_inbox(app, browser, login, trio):
    phone = browser(AU)
    login(phone, "taro")
    profile = phone.get(f"/users/{trio['hanako']}")
    assert profile.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    compose = phone.get(href(profile, "/messages/new", to=str(trio["hanako"])))
    assert compose.status == 200
    assert "はなこ" in compose.text
    assert compose.form("/messages/new").fields["to"] == str(trio["hanako"])
    # The phone types in Shift_JIS: its "～" is 0x8160 on the wire, which means WAVE DASH.
    page = phone.submit(
        "/messages/new",
        {
            "subject": "週末の予定～",
            "body": "土曜日の10時～12時、空いていますか？\nｶﾌｪで会いましょう",
        },
    )
    assert page.status == 200
    assert path_of(page) == "/messages"
    with app.app_context():
        sent = db.session.scalars(select(Message)).one()
        sent_id = sent.id
        assert (sent.sender_id, sent.recipient_id) == (trio["taro"], trio["hanako"])
        assert sent.subject == "週末の予定〜"
        assert sent.body == "土曜日の10時〜12時、空いていますか？\nｶﾌｪで会いましょう"
        assert sent.read_at is None

    pc = browser(PC)
    home = login(pc, "hanako")
    assert has_link(home, "/messages")
    inbox = pc.get(href(home, "/messages"))
    assert inbox.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "週末の予定〜" in inbox.text
    assert "たろう" in inbox.text
    page = pc.get(href(inbox, f"/messages/{sent_id}"))
    assert page.status == 200
    assert "土曜日の10時〜12時、空いていますか？<br />ｶﾌｪで会いましょう" in page.text
    with app.app_context():
        assert db.session.get(Message, sent_id).read_at is not None
    # The sender finds it among the sent messages, already read.
    sent_list = phone.get("/messages?folder=sent")
    assert "週末の予定".encode("cp932") + b"\x81\x60" in sent_list.body


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_only_the_two_members_can_read_a_message_everyone_else_gets_404(
    app, browser, login, trio, agent
):
    message_id = send(app, trio["taro"], trio["hanako"], "ひみつ", "二人だけの話です")
    third = client_for(browser, agent)
    login(third, "jiro")
    page = go(third, f"/messages/{message_id}")
    missing = go(third, "/messages/999999")
    assert page.status == 404
    assert missing.status == 404

    paths = (f"/messages/{message_id}", "/messages/999999")
    assert without(page.text, *paths) == without(missing.text, *paths)
    assert "ひみつ" not in page.text
    for path in (
        f"/messages/{message_id}?part=2",
        f"/messages/{message_id}/edit",
        f"/messages/new?reply={message_id}",
    ):
        assert go(third, path).status == 404, path
    for action in ("trash", "restore", "delete"):
        forge(go(third, "/messages/new"), f"/messages/{message_id}/{action}")
        assert third.submit(f"/messages/{message_id}/{action}").status == 404
    for folder in ("inbox", "sent", "drafts", "trash"):
        assert "ひみつ" not in go(third, f"/messages?folder={folder}").text
    with app.app_context():
        message = db.session.get(Message, message_id)
        assert message.read_at is None
        assert (message.sender_state, message.recipient_state) == ("sent", "inbox")
    # Both of the two can read it.
    for name in ("taro", "hanako"):
        client = client_for(browser, agent)
        login(client, name)
        assert "二人だけの話です" in go(client, f"/messages/{message_id}").text


def test_a_member_blocked_by_the_recipient_cannot_send_and_is_not_told_why(
    app, browser, login, trio
):
    with app.app_context():
        social.block(member(trio["hanako"]), member(trio["jiro"]))
        db.session.commit()
    pc = browser(PC)
    login(pc, "jiro")
    compose = pc.get(f"/messages/new?to={trio['hanako']}")
    assert "はなこ" not in compose.text, "the blocker's nickname is not shown"
    refused = pc.submit(
        "/messages/new", {"to": str(trio["hanako"]), "subject": "件名", "body": "a"}
    )
    assert refused.status == 200
    assert 'class="error"' in refused.text
    pc.get("/messages/new")
    missing = pc.submit("/messages/new", {"to": "999999", "subject": "件名", "body": "a"})
    error = refused.text.split('class="error">', 1)[1].split("<", 1)[0]
    assert error == missing.text.split('class="error">', 1)[1].split("<", 1)[0]
    # A draft to her is refused the same way, and nothing was stored.
    pc.get("/messages/new")
    draft = pc.submit(
        "/messages/new", {"to": str(trio["hanako"]), "subject": "件名", "body": "a", "draft": "1"}
    )
    assert error in draft.text
    assert message_count(app) == 0
    with app.app_context():
        with pytest.raises(ServiceError) as refusal:
            messages.send(member(trio["jiro"]), to=trio["hanako"], subject="s", body="b")
        assert refusal.value.message is messages.NO_SUCH_RECIPIENT
        # The one who blocked is told why, and nobody writes to themselves.
        with pytest.raises(ServiceError):
            messages.send(member(trio["hanako"]), to=trio["jiro"], subject="s", body="b")
        with pytest.raises(ServiceError):
            messages.send(member(trio["taro"]), to=trio["taro"], subject="s", body="b")
    # The blocked member has no "send a message" link on the blocker's profile either.
    hanako = browser(PC)
    login(hanako, "hanako")
    assert not has_link(hanako.get(f"/users/{trio['jiro']}"), "/messages/new")


def test_a_message_needs_a_subject_and_a_text(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    pc.get(f"/messages/new?to={trio['hanako']}")
    page = pc.submit("/messages/new", {"subject": "", "body": "本文だけ"})
    assert page.status == 200
    assert 'class="error"' in page.text
    assert "本文だけ" in page.text, "what was typed is kept"
    page = pc.submit("/messages/new", {"subject": "件名だけ", "body": " "})
    assert 'class="error"' in page.text
    assert message_count(app) == 0


# -- drafts ----------------------------------------------------------------------------------


def test_a_draft_survives_a_session_expiry_and_is_sent_later(
    app, browser, login, trio, monkeypatch
):
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    profile = go(phone, f"/users/{trio['hanako']}")
    phone.get(href(profile, "/messages/new"))
    page = phone.submit(
        "/messages/new",
        {"subject": "写真の件", "body": "週末に撮った写真を送ります", "draft": "1"},
    )
    assert_fits_d501i(page)
    assert "写真の件" in page.text
    sid = sid_of(page.url)
    with app.app_context():
        draft = db.session.scalars(select(Message)).one()
        draft_id = draft.id
        assert (draft.sender_state, draft.recipient_state) == ("draft", None)
        assert draft.recipient_id == trio["hanako"]
    idle_hour_passes(app, monkeypatch)
    assert path_of(phone.get(f"/messages?folder=drafts&sid={sid}")) == "/login"

    login(phone, "taro")
    drafts = go(phone, "/messages?folder=drafts")
    assert_fits_d501i(drafts)
    assert "写真の件" in drafts.text
    edit = phone.get(href(drafts, f"/messages/{draft_id}/edit"))
    assert_fits_d501i(edit)
    assert "週末に撮った写真を送ります" in edit.text
    assert edit.form(f"/messages/{draft_id}/edit").fields["to"] == str(trio["hanako"])
    page = phone.submit(
        f"/messages/{draft_id}/edit", {"subject": "写真の件", "body": "写真を送ります！"}
    )
    assert path_of(page) == "/messages"
    with app.app_context():
        sent = db.session.get(Message, draft_id)
        assert (sent.sender_state, sent.recipient_state) == ("sent", "inbox")
        assert sent.body == "写真を送ります！"
    assert "写真の件" not in go(phone, "/messages?folder=drafts").text
    assert "写真の件" in go(phone, "/messages?folder=sent").text


def test_a_draft_without_a_recipient_and_deleting_a_draft(app, browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    compose = pc.get(href(pc.get("/messages"), "/messages/new"))
    assert compose.form("/messages/new").fields["to"] == ""
    pc.submit("/messages/new", {"subject": "あとで書く", "body": "", "draft": "1"})
    with app.app_context():
        draft_id = db.session.scalar(select(Message.id))
    edit = pc.get(f"/messages/{draft_id}")
    assert path_of(edit) == f"/messages/{draft_id}/edit", "a draft opens to edit"
    # Sending it still needs a recipient.
    page = pc.submit(f"/messages/{draft_id}/edit", {"to": "", "body": "本文"})
    assert 'class="error"' in page.text
    pc.get(f"/messages/{draft_id}/edit")
    page = pc.submit(f"/messages/{draft_id}/delete")
    assert path_of(page) == "/messages"
    assert parse_qs(urlsplit(page.url).query)["folder"] == ["drafts"]
    assert message_count(app) == 0
    # hanako never saw it.
    assert pc.get(f"/messages/{draft_id}/edit").status == 404


# -- replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_reply_quotes_the_original(app, browser, login, trio, agent):
    original = send(
        app, trio["hanako"], trio["taro"], "飲み会", "来週の金曜日はどう？\n駅前の店です"
    )
    client = client_for(browser, agent)
    login(client, "taro")
    page = go(client, f"/messages/{original}")
    reply = client.get(href(page, "/messages/new", reply=str(original)))
    assert reply.status == 200
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(reply)
    form = reply.form("/messages/new")
    assert form.fields["subject"] == "Re: 飲み会"
    assert form.fields["to"] == str(trio["hanako"])
    assert "&gt; 来週の金曜日はどう？\n&gt; 駅前の店です" in reply.text
    page = client.submit(
        "/messages/new",
        {"body": "行きます！\n\n> 来週の金曜日はどう？\n> 駅前の店です"},
    )
    assert path_of(page) == "/messages"
    with app.app_context():
        answer = db.session.scalar(select(Message).where(Message.reply_to_id == original))
        assert answer is not None
        assert (answer.sender_id, answer.recipient_id) == (trio["taro"], trio["hanako"])
        assert answer.subject == "Re: 飲み会"
        assert answer.body.startswith("行きます！")
    # A reply to a reply stays "Re: 飲み会"; only the recipient may reply.
    with app.app_context():
        assert messages.reply_subject("Re: 飲み会") == "Re: 飲み会"
        assert messages.reply_to(member(trio["hanako"]), original) is None
    assert go(client, f"/messages/new?reply={answer.id}").status == 404


def test_the_quotation_is_bounded(ctx):
    body = "\n".join("引用" * 20 for _ in range(30))
    quoted = messages.quote(body)
    assert quoted.startswith("\n\n> 引用")
    assert quoted.endswith("...")
    assert len(quoted) <= messages.QUOTE_MAX + 5
    one_long_line = messages.quote("長" * 2000)
    assert one_long_line.startswith("\n\n> 長長")
    assert len(one_long_line) <= messages.QUOTE_MAX + 5


# -- the trash -------------------------------------------------------------------------------


def test_trash_restore_and_delete_for_good_each_side_on_its_own(app, browser, login, trio):
    message_id = send(app, trio["hanako"], trio["taro"], "ゴミ箱テスト", "消える運命")
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/messages/{message_id}")
    assert not has_form(page, f"/messages/{message_id}/delete"), "delete only from the trash"
    page = pc.submit(f"/messages/{message_id}/trash")
    assert path_of(page) == "/messages"
    assert "ゴミ箱テスト" not in page.text
    trash = pc.get(href(page, "/messages", folder="trash"))
    assert "ゴミ箱テスト" in trash.text
    # The sender's copy stays where it was.
    hanako = browser(PC)
    login(hanako, "hanako")
    assert "ゴミ箱テスト" in hanako.get("/messages?folder=sent").text

    page = pc.get(href(trash, f"/messages/{message_id}"))
    page = pc.submit(f"/messages/{message_id}/restore")
    assert path_of(page) == f"/messages/{message_id}"
    assert "ゴミ箱テスト" in pc.get("/messages").text
    assert "ゴミ箱テスト" not in pc.get("/messages?folder=trash").text

    pc.get(f"/messages/{message_id}")
    pc.submit(f"/messages/{message_id}/trash")
    pc.get(f"/messages/{message_id}")
    page = pc.submit(f"/messages/{message_id}/delete")
    assert parse_qs(urlsplit(page.url).query)["folder"] == ["trash"]
    assert "ゴミ箱テスト" not in page.text
    assert pc.get(f"/messages/{message_id}").status == 404
    assert message_count(app) == 1, "hanako still has her sent copy"
    assert "消える運命" in hanako.get(f"/messages/{message_id}").text

    hanako.get(f"/messages/{message_id}")
    hanako.submit(f"/messages/{message_id}/trash")
    hanako.get(f"/messages/{message_id}")
    hanako.submit(f"/messages/{message_id}/delete")
    assert message_count(app) == 0, "gone from the database once both sides deleted it"


def test_the_trash_keeps_messages_for_the_plan_s_days(app, trio, runner):
    with app.app_context():
        db.session.get(Member, trio["hanako"]).is_premium = True
        now = utcnow()
        old_for_taro = messages.send(member(trio["hanako"]), to=trio["taro"], subject="a", body="1")
        old_for_hanako = messages.send(
            member(trio["taro"]), to=trio["hanako"], subject="b", body="2"
        )
        recent = messages.send(member(trio["jiro"]), to=trio["taro"], subject="c", body="3")
        messages.trash(member(trio["taro"]), old_for_taro, now=now - timedelta(days=31))
        messages.trash(member(trio["hanako"]), old_for_hanako, now=now - timedelta(days=31))
        messages.trash(member(trio["taro"]), recent, now=now - timedelta(days=29))
        messages.trash(member(trio["hanako"]), old_for_taro, now=now - timedelta(days=181))
        ids = old_for_taro.id, old_for_hanako.id, recent.id
        db.session.commit()

        # taro's standard plan keeps 30 days; hanako's premium plan 180.
        assert messages.purge_trash(now) == 2
        db.session.commit()
        assert db.session.get(Message, ids[0]) is None, "both sides purged: the row is gone"
        assert db.session.get(Message, ids[1]).recipient_state == "trashed"
        assert db.session.get(Message, ids[2]).recipient_state == "trashed"
        assert messages.purge_trash(now) == 0, "idempotent"
        db.session.commit()
    result = runner.invoke(args=["purge-messages"])
    assert result.exit_code == 0, result.output
    assert "0 messages" in result.output


# -- unread counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_unread_count_on_home_and_in_the_menu(app, browser, login, trio, agent):
    first = send(app, trio["hanako"], trio["taro"], "一通目")
    send(app, trio["jiro"], trio["taro"], "二通目")
    send(app, trio["taro"], trio["hanako"], "自分から")
    client = client_for(browser, agent)
    home = login(client, "taro")
    assert ui_plural(app, agent, "%(num)s new message", "%(num)s new messages", 2) in home.text
    messages_label = ui_text(app, agent, "Messages")
    assert f"{messages_label}(2)" in home.text, "the menu's count"
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(home)
        assert urlsplit(home.accesskeys["*"]).path == "/messages"
        assert f"[*]{messages_label}(2)" in home.text
    go(client, f"/messages/{first}")
    page = go(client, "/settings")
    assert f"{messages_label}(1)" in page.text, "every page's menu"
    home = go(client, "/home")
    assert ui_plural(app, agent, "%(num)s new message", "%(num)s new messages", 1) in home.text


def test_the_menu_count_is_the_members_counter_not_a_query(app, browser, login, trio):
    send(app, trio["hanako"], trio["taro"])
    pc = browser(PC)
    login(pc, "taro")
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM messages" in statement and "read_at IS NULL" in statement:
            counted.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        send(app, trio["hanako"], trio["taro"])  # a new message: home is made again
        home = pc.get("/home")
        settings = pc.get("/settings")
        assert counted == []
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with app.app_context():
        assert db.session.get(Member, trio["taro"]).unread_messages == 2
    assert "(2)" in home.text
    assert "(2)" in settings.text


# -- 5 KB pages ------------------------------------------------------------------------------

LONG_NAME = "長" * 20
LONG_SUBJECT = "件" * messages.SUBJECT_MAX


def test_folders_are_paged_on_a_d501i_within_5120_bytes(app, browser, login, make_member):
    taro = make_member("taro", nickname=LONG_NAME)
    sender = make_member("sender", nickname="送" * 20)
    with app.app_context():
        now = utcnow()
        for n in range(30):
            messages.send(
                member(sender),
                to=taro,
                subject=f"{n:02d}" + LONG_SUBJECT[2:],
                body="本文" * 500,
                now=now - timedelta(minutes=n),
            )
            sent = messages.send(
                member(taro), to=sender, subject=f"{n:02d}" + LONG_SUBJECT[2:], body="返事"
            )
            messages.trash(member(taro), sent)
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    for folder in ("inbox", "trash"):
        page = go(phone, f"/messages?folder={folder}")
        seen, pages = set(), 1
        while True:
            assert_fits_d501i(page)
            seen.update(
                text[:2] for url, text in page.links if urlsplit(url).path.startswith("/messages/")
            )
            if "6" not in page.accesskeys:
                break
            page = phone.get(page.accesskeys["6"])
            assert "4" in page.accesskeys
            pages += 1
        assert pages > 1
        assert {f"{n:02d}" for n in range(30)} <= seen, folder
    # A long message comes in parts; the reply form with its quotation fits too.
    with app.app_context():
        longest = db.session.scalar(
            select(Message.id).where(Message.recipient_id == taro).order_by(Message.id)
        )
    page = go(phone, f"/messages/{longest}")
    parts = 1
    while True:
        assert_fits_d501i(page)
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
        parts += 1
    assert parts > 1
    assert_fits_d501i(phone.get(href(page, "/messages/new", reply=str(longest))))
    assert_fits_d501i(go(phone, f"/messages/new?to={sender}"))


def test_odd_folder_and_page_values_show_the_inbox(browser, login, trio):
    pc = browser(PC)
    login(pc, "taro")
    for query in ("folder=spam", "folder=", "page=-1", "page=abc&folder=trash", "page=２"):
        assert pc.get(f"/messages?{query}").status == 200, query
    assert pc.get("/messages/new?reply=abc").status == 404


def test_message_pages_need_login(browser, trio):
    pc = browser(PC)
    for path in ("/messages", "/messages/new", "/messages/1", "/messages/1/edit"):
        assert path_of(pc.get(path)) == "/login", path

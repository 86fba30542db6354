"""Signup and login by empty mail (空メール), and the ``mobile`` signup policy (issue 14.5).

A phone sends an empty mail to entry@ or login@ the posting domain; the MTA pipes it to
``flask mail-post --recipient ... --sender ...``. The answer goes to the envelope sender (never
to the From header) in ISO-2022-JP, with a link on PUBLIC_URL that carries no session id. The
links are followed here by a cookie-less D501i, a PC and a smartphone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import MailLink, Member, MobileId
from portal.models._time import utcnow
from tests.browser import DOCOMO_FOMA, DOCOMO_MOVA, IPHONE, PC, sid_of

DOMAIN = "post.example.jp"
DOCOMO_GATEWAY = "210.153.84.1"
KEITAI = "taro@docomo.ne.jp"
BIRTH = {"birth_year": "1980", "birth_month": "5", "birth_day": "1"}


@pytest.fixture
def posting(app, monkeypatch, sink):
    """Posting by mail on, mail sent to the sink; the sink's messages."""
    monkeypatch.setitem(app.config, "MAIL_POST_DOMAIN", DOMAIN)
    monkeypatch.setitem(app.config, "SERVER_HOSTS", ("localhost",))
    return sink


def empty_mail(*, sender: str = KEITAI, from_header: str | None = None, extra: str = "") -> bytes:
    lines = [
        f"Return-Path: <{sender}>",
        f"From: {from_header or sender}",
        "To: entry@" + DOMAIN,
        "Subject: ",
        "Date: Tue, 1 Jul 2008 12:00:00 +0900",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=Shift_JIS",
    ]
    if extra:
        lines.append(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def send(runner, raw: bytes, to: str = "entry", sender: str | None = KEITAI):
    args = ["mail-post", "--recipient", f"{to}@{DOMAIN}"]
    if sender is not None:
        args += ["--sender", sender]
    return runner.invoke(args=args, input=raw)


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset())


def link(message) -> str:
    return re.search(r"http://\S+", body(message)).group(0)


def _member(app, address: str) -> Member | None:
    with app.app_context():
        return db.session.scalar(select(Member).where(Member.email == address))


# -- signing up ----------------------------------------------------------------------------


def test_a_docomo_phone_signs_up_through_the_answer_to_its_empty_mail(
    app, runner, posting, browser
):
    result = send(runner, empty_mail())
    assert result.exit_code == 0, result.output
    (answer,) = posting
    assert answer["To"] == KEITAI
    assert answer.get_content_charset() == "iso-2022-jp"
    assert answer["Auto-Submitted"] == "auto-replied"
    assert subject(answer) == "会員登録"
    url = link(answer)
    assert url.startswith("http://localhost/signup?entry=")
    assert "sid=" not in url
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get(url)
    assert page.status == 200
    assert page.charset.lower() == "shift_jis"
    assert KEITAI in page.text
    form = page.form("/signup")
    assert form.fields["email"] == KEITAI
    home = phone.submit(
        "/signup",
        {"nickname": "たろう", "password": "keitai-pass-1", **BIRTH, "email": "other@example.jp"},
    )
    assert home.status == 200, home.text
    assert urlsplit(home.url).path == "/home"
    assert sid_of(home.url)
    assert "たろう" in home.text
    assert _member(app, KEITAI) is not None  # the proved address, not the one typed
    assert _member(app, "other@example.jp") is None
    again = browser(PC).get(url)
    assert again.status == 403
    assert "招待" in again.text


def test_a_signup_link_stops_working_after_a_day(app, runner, posting, browser):
    send(runner, empty_mail())
    with app.app_context():
        db.session.execute(update(MailLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert browser(PC).get(link(posting[0])).status == 403


def test_a_pc_address_gets_no_signup_link_under_the_mobile_policy(app, runner, posting):
    result = send(runner, empty_mail(sender="taro@example.com"), sender="taro@example.com")
    assert result.exit_code == 67
    assert "ケータイのメールアドレス" in result.output
    assert posting == []
    with app.app_context():
        assert db.session.scalar(select(MailLink)) is None


def test_an_open_site_answers_any_address_and_an_invite_only_one_none(
    app, runner, posting, monkeypatch
):
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "open")
    assert send(runner, empty_mail(sender="pc@example.com"), sender="pc@example.com").exit_code == 0
    assert posting[0]["To"] == "pc@example.com"
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "invite")
    assert send(runner, empty_mail()).exit_code == 67
    assert len(posting) == 1


def test_a_signup_link_is_refused_once_the_site_is_invitation_only(
    app, runner, posting, browser, monkeypatch
):
    send(runner, empty_mail())
    monkeypatch.setitem(app.config, "SIGNUP_POLICY", "invite")
    page = browser(PC).get(link(posting[0]))
    assert page.status == 403


def test_the_closed_signup_page_tells_phones_the_entry_address(posting, browser):
    page = browser(DOCOMO_MOVA, cookies=False).get("/signup")
    assert page.status == 403
    assert f'href="mailto:entry@{DOMAIN}"' in page.text
    pc = browser(PC).get("/signup")
    assert f"entry@{DOMAIN}" in pc.text


def test_a_phone_whose_carrier_sends_its_id_signs_up_and_then_logs_in_with_one_press(
    app, posting, browser
):
    def phone(remote_addr=DOCOMO_GATEWAY):
        return browser(
            DOCOMO_FOMA, cookies=False, remote_addr=remote_addr, headers={"X-DCMGUID": "ABC1234"}
        )

    assert phone(remote_addr="203.0.113.9").get("/signup").status == 403  # not the gateway
    first = phone()
    page = first.get("/signup")
    assert page.status == 200
    assert "契約者ID" in page.text
    home = first.submit(
        "/signup",
        {"nickname": "はなこ", "email": "hanako@example.com", "password": "keitai-pass-1", **BIRTH},
    )
    assert urlsplit(home.url).path == "/home", home.text
    with app.app_context():
        assert db.session.scalar(select(MobileId.carrier)) == "docomo"
    assert phone().get("/signup").status == 403  # one account per phone
    second = phone()
    page = second.get("/login")
    home = second.submit("/login/easy", {})
    assert urlsplit(home.url).path == "/home"
    assert "はなこ" in home.text


# -- logging in ------------------------------------------------------------------------------


def test_a_member_logs_in_on_a_cookieless_phone_with_the_one_time_link(
    app, runner, posting, browser
):
    with app.app_context():
        db.session.add(
            Member(
                email=KEITAI,
                password_hash="!",
                nickname="たろう",
                birth_date=utcnow().date() - timedelta(days=365 * 30),
            )
        )
        db.session.commit()
    assert send(runner, empty_mail(), to="login").exit_code == 0
    (answer,) = posting
    assert answer["To"] == KEITAI
    assert subject(answer) == "ログイン用のリンク"
    assert "たろう" in body(answer)
    url = link(answer)
    assert "/login/mail/" in url
    assert "sid=" not in url
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get(url)
    assert page.status == 200
    assert len(page.body) <= 5120
    assert phone.get(url).status == 200  # opening the page uses nothing up
    home = phone.submit("login/mail/")
    assert urlsplit(home.url).path == "/home"
    sid = sid_of(home.url)
    assert sid
    assert "Set-Cookie" not in home.headers
    assert "たろう" in home.text
    assert phone.get(f"/settings?sid={sid}").status == 200
    used = browser(PC).get(url)
    assert used.status == 404
    assert "期限" in used.text


def test_entry_from_a_members_address_answers_a_login_link(app, runner, posting, make_member):
    make_member("taro", nickname="たろう")
    result = send(runner, empty_mail(sender="taro@example.jp"), sender="taro@example.jp")
    assert result.exit_code == 0
    assert "/login/mail/" in link(posting[0])


def test_a_login_link_expires_after_fifteen_minutes(app, runner, posting, browser, make_member):
    make_member("taro", nickname="たろう", locale="en")
    send(runner, empty_mail(sender="taro@example.jp"), to="login", sender="taro@example.jp")
    answer = posting[0]
    assert subject(answer) == "Your login link"
    assert "15 minutes" in body(answer)
    with app.app_context():
        link_row = db.session.scalar(select(MailLink))
        assert link_row.expires_at - link_row.created_at == timedelta(minutes=15)
        assert link(answer).rsplit("/", 1)[1] not in link_row.token_hash  # stored hashed
        db.session.execute(update(MailLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    page = browser(IPHONE).get(link(answer))
    assert page.status == 404


def test_the_button_needs_its_csrf_token(app, runner, posting, browser, make_member):
    make_member("taro", nickname="たろう")
    send(runner, empty_mail(sender="taro@example.jp"), to="login", sender="taro@example.jp")
    pc = browser(PC)
    pc.get(link(posting[0]))
    refused = pc.submit("login/mail/", drop=("csrf_token",))
    assert refused.status == 400
    assert pc.get(link(posting[0])).status == 200  # nothing was used up
    home = pc.submit("login/mail/")
    assert urlsplit(home.url).path == "/home"


def test_the_login_page_offers_login_by_empty_mail(posting, browser):
    page = browser(DOCOMO_MOVA, cookies=False).get("/login")
    assert f'href="mailto:login@{DOMAIN}"' in page.text
    assert len(page.body) <= 5120


# -- forged senders and robots -------------------------------------------------------------


def test_a_forged_from_header_gets_the_link_sent_to_the_real_sender_only(
    app, runner, posting, make_member
):
    make_member("taro", nickname="たろう")  # taro@example.jp, a member
    raw = empty_mail(sender="mallory@docomo.ne.jp", from_header="taro@example.jp")
    assert send(runner, raw, to="login", sender="mallory@docomo.ne.jp").exit_code == 0
    (answer,) = posting
    assert answer["To"] == "mallory@docomo.ne.jp"
    assert "/signup?entry=" in link(answer)  # a signup for mallory's own address, no login
    with app.app_context():
        row = db.session.scalar(select(MailLink))
        assert (row.kind, row.address, row.member_id) == ("signup", "mallory@docomo.ne.jp", None)


def test_a_forged_envelope_sender_mails_the_victim_not_the_forger(
    app, runner, posting, make_member
):
    make_member("taro", nickname="たろう")
    raw = empty_mail(sender="taro@example.jp", from_header="mallory@docomo.ne.jp")
    send(runner, raw, to="login", sender="taro@example.jp")
    assert [m["To"] for m in posting] == ["taro@example.jp"]


def test_without_an_envelope_sender_the_return_path_our_mta_wrote_first_counts(
    app, runner, posting
):
    raw = b"Return-Path: <" + KEITAI.encode() + b">\r\n" + empty_mail(sender="mallory@example.com")
    assert send(runner, raw, sender=None).exit_code == 0
    assert [m["To"] for m in posting] == [KEITAI]


def test_a_flood_of_forged_mails_reaches_the_victim_three_times_an_hour(app, runner, posting):
    for _ in range(6):
        assert send(runner, empty_mail()).exit_code == 0  # dropped quietly: no bounce either
    assert len(posting) == 3


@pytest.mark.parametrize(
    ("sender", "extra"),
    [
        ("", ""),
        ("MAILER-DAEMON@docomo.ne.jp", ""),
        (KEITAI, "Auto-Submitted: auto-replied"),
        (KEITAI, "Precedence: bulk"),
    ],
    ids=["bounce", "daemon", "auto-submitted", "bulk"],
)
def test_bounces_and_robots_get_no_answer(app, runner, posting, sender, extra):
    result = send(runner, empty_mail(sender=sender or "x", extra=extra), sender=sender)
    assert result.exit_code == 0
    assert posting == []


def test_without_mail_the_addresses_do_not_exist(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_POST_DOMAIN", DOMAIN)
    assert send(runner, empty_mail()).exit_code == 67


# -- the addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "keitai"),
    [
        ("a@docomo.ne.jp", True),
        ("a@ezweb.ne.jp", True),
        ("a@au.com", True),
        ("a@softbank.ne.jp", True),
        ("a@i.softbank.jp", True),
        ("a@t.vodafone.ne.jp", True),
        ("a@pdx.ne.jp", True),
        ("a@dk.pdx.ne.jp", True),
        ("a@willcom.com", True),
        ("a@y-mobile.ne.jp", True),
        ("a@evil-docomo.ne.jp", False),
        ("a@docomo.ne.jp.example.com", False),
        ("a@gmail.com", False),
        ("docomo.ne.jp", False),
    ],
)
def test_keitai_mail_domains(address, keitai):
    from portal.keitai.mail import is_keitai_address

    assert is_keitai_address(address) is keitai

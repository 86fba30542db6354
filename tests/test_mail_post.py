"""Posting diaries by e-mail (メール投稿): the mails phones send, the CLI the MTA pipes them to,
and the settings page with the secret address.

Mails are written here byte by byte the way each kind of sender writes them: docomo and
SoftBank in Shift_JIS (8 bit, emoji as their Shift_JIS codes), au in ISO-2022-JP (7 bit, emoji
as JIS codes 0x7521-0x7B6D), PCs in ISO-2022-JP or UTF-8. The posted diaries are read through
the site, as a web post would be.
"""

from __future__ import annotations

import base64
import html
import io
import random
import re
from pathlib import Path
from urllib.parse import parse_qs, quote_from_bytes, urlencode, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.extensions import db
from portal.keitai import _emoji_tables as tables
from portal.keitai.mail import carrier_of_address, decode_header_text, decode_text
from portal.models import Diary, MailPostAddress, Member, Photo
from portal.services import mail_post
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.pages import D501I_BUDGET, assert_fits_d501i, go, logged_in

DOMAIN = "post.example.jp"
GPS_IFD = 0x8825
SUN_SJIS = b"\xf8\x9f"  # docomo 晴れ (Shift_JIS, web and mail)
SUN_AU_JIS = b"\x75\x41"  # au 晴れ in mail (email_jis 7541; its web Shift_JIS is F660)
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def posting(app, monkeypatch):
    """Turn posting by mail on for the test app."""
    monkeypatch.setitem(app.config, "MAIL_POST_DOMAIN", DOMAIN)
    return app


# -- building mails ----------------------------------------------------------------------------


def jpeg(width: int = 320, height: int = 240, *, gps: bool = False, noise: bool = False) -> bytes:
    """A JPEG photo; with ``gps`` it carries EXIF with a camera and a GPS position; with
    ``noise`` it is random pixels (a large file)."""
    if noise:
        pixels = random.Random(width).randbytes(width * height * 3)
        im = Image.frombytes("RGB", (width, height), pixels)
    else:
        im = Image.new("RGB", (width, height), (90, 160, 230))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "DoCoMo"
        exif[0x0110] = "SH902i"
        exif[GPS_IFD] = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)}
        im.save(out, "JPEG", quality=85, exif=exif)
    else:
        im.save(out, "JPEG", quality=85)
    return out.getvalue()


def encoded_word(data: bytes, charset: str) -> bytes:
    return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?=".encode("ascii")


def jis(*pieces: str | bytes) -> bytes:
    """ISO-2022-JP text; a bytes piece is a raw JIS code pair (an au emoji) in JIS mode."""
    out = b""
    for piece in pieces:
        if isinstance(piece, bytes):
            out += b"\x1b$B" + piece + b"\x1b(B"
        else:
            out += piece.encode("iso2022_jp")
    return out


def build_mail(
    *,
    sender: str = "taro@docomo.ne.jp",
    to: str | None = None,
    subject: bytes = b"",
    text: bytes | None = b"",
    charset: str = "Shift_JIS",
    transfer: str = "8bit",
    text_type: str = "plain",
    attachments: list[tuple[str, str, bytes]] = (),
    message_id: str | None = None,
    extra: bytes = b"",
) -> bytes:
    """A mail: headers, a text part, and attachments ``(content type, file name, bytes)``."""
    head = [
        b"Return-Path: <" + sender.encode() + b">",
        b"From: " + sender.encode(),
        b"To: " + (to or "someone@example.jp").encode(),
        b"Subject: " + subject,
        b"Date: Tue, 1 Jul 2008 12:00:00 +0900",
        b"MIME-Version: 1.0",
    ]
    if message_id:
        head.append(f"Message-ID: <{message_id}>".encode())
    text_head = (
        f"Content-Type: text/{text_type}; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {transfer}\r\n\r\n"
    ).encode("ascii")
    if not attachments:
        return b"\r\n".join(head) + b"\r\n" + extra + text_head + (text or b"") + b"\r\n"
    boundary = b"--keitai-boundary-0001"
    parts = []
    if text is not None:
        parts.append(text_head + text + b"\r\n")
    for content_type, name, data in attachments:
        parts.append(
            f'Content-Type: {content_type}; name="{name}"\r\n'
            "Content-Transfer-Encoding: base64\r\n"
            f'Content-Disposition: attachment; filename="{name}"\r\n\r\n'.encode("ascii")
            + base64.encodebytes(data).replace(b"\n", b"\r\n")
        )
    body = b"".join(boundary + b"\r\n" + part for part in parts) + boundary + b"--\r\n"
    head.append(b'Content-Type: multipart/mixed; boundary="' + boundary[2:] + b'"')
    return b"\r\n".join(head) + b"\r\n" + extra + b"\r\n" + body


def address_for(app, member_id: int) -> str:
    """Give the member a posting address (as the settings page does) and return it."""
    with app.app_context():
        address = mail_post.renew(db.session.get(Member, member_id))
        db.session.commit()
        return address


def send(runner, raw: bytes, recipient: str | None):
    args = ["mail-post"] + (["--recipient", recipient] if recipient else [])
    return runner.invoke(args=args, input=raw)


def diaries_of(app, member_id: int) -> list[Diary]:
    with app.app_context():
        rows = db.session.scalars(
            select(Diary).where(Diary.author_id == member_id).order_by(Diary.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def photo_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Photo))


def shown_body(page) -> str:
    found = re.search(r'<div id="diary-body">(.*?)</div>', page.text, re.S)
    assert found, page.text
    text = re.sub(r"<br\s*/?>", "\n", found.group(1))
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def assert_clean_image(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"GPS" not in data
    im = Image.open(io.BytesIO(data))
    assert not im.getexif()
    assert not im.getexif().get_ifd(GPS_IFD)


# -- docomo: Shift_JIS, emoji, a photo with GPS ------------------------------------------------


def test_a_docomo_mail_with_emoji_and_a_gps_photo_becomes_a_diary(posting, runner, make_member):
    app = posting
    hanako = make_member("hanako", nickname="はなこ")
    taro = make_member("taro", nickname="たろう", friends=(hanako,), diary_visibility="friends")
    make_member("jiro", nickname="じろう")
    address = address_for(app, taro)
    assert re.fullmatch(r"d\.[a-z2-7]{20}@post\.example\.jp", address)

    title = "晴れの日".encode("cp932") + SUN_SJIS
    body = "今日は良い天気".encode("cp932") + SUN_SJIS + "でした。\r\n1〜3枚".encode("cp932")
    original = jpeg(800, 600, gps=True)
    assert b"Exif" in original
    raw = build_mail(
        sender="taro.1980@docomo.ne.jp",
        to=address,
        subject=encoded_word(title, "Shift_JIS"),
        text=body,
        attachments=[("image/jpeg", "photo.jpg", original)],
        message_id="20080701120000.1@docomo.ne.jp",
    )
    result = send(runner, raw, address)
    assert result.exit_code == 0, result.output

    (mailed,) = diaries_of(app, taro)
    assert mailed.title == "晴れの日☀"
    assert mailed.body == "今日は良い天気☀でした。\n1〜3枚"
    assert mailed.visibility == "friends", "the member's default visibility"

    # The same text typed into the web form on a docomo is stored the same way.
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    form = go(phone, "/diaries/new").form("/diaries/new")
    web = (
        urlencode({"csrf_token": form.fields["csrf_token"]}).encode()
        + b"&title="
        + quote_from_bytes(title).encode("ascii")
        + b"&body="
        + quote_from_bytes(body.replace(b"\r\n", b"\n")).encode("ascii")
        + b"&visibility=friends"
    )
    assert phone.submit("/diaries/new", raw=web).status == 200
    _mailed, typed = diaries_of(app, taro)
    assert (typed.title, typed.body) == (mailed.title, mailed.body)

    # A friend reads it on a PC, photo included, without the EXIF the phone wrote.
    pc = logged_in(app, PC, "hanako")
    page = pc.get(f"/diaries/{mailed.id}")
    assert page.status == 200
    assert "晴れの日☀" in page.text
    assert shown_body(page) == "今日は良い天気☀でした。\n1〜3枚"
    sources = re.findall(r'<img src="(/photos/\d+)\?size=pc"', page.text)
    assert len(sources) == 1
    for size in ("original", "pc", "thumb"):
        image = pc.get(f"{sources[0]}?size={size}")
        assert image.status == 200
        assert image.headers["Content-Type"] == "image/jpeg"
        assert_clean_image(image.body)
    assert Image.open(io.BytesIO(pc.get(f"{sources[0]}?size=original").body)).size == (800, 600)

    # Not a friend: not readable (the visibility holds).
    other = logged_in(app, PC, "jiro")
    assert other.get(f"/diaries/{mailed.id}").status == 404


def test_the_same_mail_delivered_twice_is_posted_once(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(to=address, subject=b"hello", text=b"world", message_id="once@docomo.ne.jp")
    assert send(runner, raw, address).exit_code == 0
    assert send(runner, raw, address).exit_code == 0
    assert len(diaries_of(posting, taro)) == 1


# -- au and PCs: ISO-2022-JP --------------------------------------------------------------------


def test_an_au_mail_in_iso_2022_jp_with_emoji_becomes_a_diary(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(
        sender="taro@ezweb.ne.jp",
        subject=encoded_word(jis("晴れ", SUN_AU_JIS), "ISO-2022-JP"),
        text=jis("今日は", SUN_AU_JIS, "でした。\r\n写真なし"),
        charset="ISO-2022-JP",
        transfer="7bit",
    )
    result = send(runner, raw, address)
    assert result.exit_code == 0, result.output
    (diary,) = diaries_of(posting, taro)
    assert diary.title == "晴れ☀"
    assert diary.body == "今日は☀でした。\n写真なし"


def test_a_pc_mail_in_iso_2022_jp_becomes_a_diary(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(
        sender="Taro Yamada <taro@example.com>",
        to=f"Diary <{address}>",
        subject=b"Re: " + encoded_word(jis("旅行", b"\x2d\x21"), "ISO-2022-JP"),
        text="京都へ行きました。\r\n\r\n\r\n\r\n3〜4日".encode("iso2022_jp"),
        charset="ISO-2022-JP",
        transfer="7bit",
    )
    # ① (JIS 0x2D21, NEC special characters) as Windows mailers send it; without
    # --recipient the token is found in the To header.
    result = send(runner, raw, None)
    assert result.exit_code == 0, result.output
    (diary,) = diaries_of(posting, taro)
    assert diary.title == "Re: 旅行①"
    assert diary.body == "京都へ行きました。\n\n3〜4日"


def test_html_only_utf8_mail_and_a_mail_without_subject(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    html_mail = build_mail(
        sender="taro@example.com",
        subject=encoded_word("夏休み☀".encode(), "UTF-8"),
        text="<p>海へ<br>行った</p><script>x()</script>".encode(),
        charset="UTF-8",
        text_type="html",
    )
    assert send(runner, html_mail, address).exit_code == 0
    untitled = build_mail(subject=b"", text="一行目です\r\n二行目".encode("cp932"))
    assert send(runner, untitled, address).exit_code == 0
    long_subject = build_mail(
        subject=encoded_word(("長" * 150).encode("cp932"), "Shift_JIS"), text=b"body"
    )
    assert send(runner, long_subject, address).exit_code == 0
    first, second, third = diaries_of(posting, taro)
    assert (first.title, first.body) == ("夏休み☀", "海へ\n行った")
    assert (second.title, second.body) == ("一行目です", "一行目です\n二行目")
    assert len(third.title) == 100
    assert third.title.endswith("…")


def test_non_image_attachments_are_ignored(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(
        subject=b"memo",
        text=b"see the card",
        attachments=[
            ("text/x-vcard", "taro.vcf", b"BEGIN:VCARD\r\nEND:VCARD\r\n"),
            ("application/pdf", "a.pdf", b"%PDF-1.4"),
        ],
    )
    assert send(runner, raw, address).exit_code == 0
    assert len(diaries_of(posting, taro)) == 1
    assert photo_count(posting) == 0


def test_a_decomail_posts_its_attached_photo_not_its_decorations(posting, runner, make_member):
    """A デコメール: HTML with inline decorations (cid:), a text alternative, a photo attached,
    and a forwarded mail (its text is not the diary's)."""
    taro = make_member("taro")
    address = address_for(posting, taro)
    deco = base64.encodebytes(jpeg(16, 16)).replace(b"\n", b"\r\n")
    photo = base64.encodebytes(jpeg()).replace(b"\n", b"\r\n")
    raw = (
        b"From: taro@docomo.ne.jp\r\nSubject: deco\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        b'--m\r\nContent-Type: multipart/related; boundary="r"\r\n\r\n'
        b'--r\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n'
        b"--a\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n"
        + "デコメです".encode("cp932")
        + b"\r\n--a\r\nContent-Type: text/html; charset=Shift_JIS\r\n\r\n"
        + '<img src="cid:deco1@docomo">デコメです'.encode("cp932")
        + b"\r\n--a--\r\n"
        b"--r\r\nContent-Type: image/gif\r\nContent-ID: <deco1@docomo>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + deco + b"--r--\r\n"
        b"--m\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="p.jpg"\r\n\r\n'
        + photo
        + b"--m\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: x@example.jp\r\nSubject: old\r\n\r\nforwarded text\r\n"
        b"--m--\r\n"
    )
    result = send(runner, raw, address)
    assert result.exit_code == 0, result.output
    (diary,) = diaries_of(posting, taro)
    assert (diary.title, diary.body) == ("deco", "デコメです")
    assert photo_count(posting) == 1


# -- refused mails: nothing stored ---------------------------------------------------------------


def test_an_unknown_address_is_refused_with_ex_nouser(posting, runner, make_member):
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(subject=b"hello", text=b"world")
    wrong = "d." + "a" * 20 + "@" + DOMAIN
    assert wrong != address
    for recipient in (wrong, address.replace(DOMAIN, "example.com"), "taro@" + DOMAIN):
        result = send(runner, raw, recipient)
        assert result.exit_code == 67, (recipient, result.output)
        assert result.stderr.strip()
    # No --recipient and no address of ours in the headers.
    assert send(runner, raw, None).exit_code == 67
    assert diaries_of(posting, taro) == []


def test_a_renewed_address_replaces_the_old_one(posting, runner, make_member):
    taro = make_member("taro")
    old = address_for(posting, taro)
    new = address_for(posting, taro)
    assert new != old
    raw = build_mail(subject=b"hello", text=b"world")
    assert send(runner, raw, old).exit_code == 67
    assert diaries_of(posting, taro) == []
    assert send(runner, raw, new.upper()).exit_code == 0, "addresses are case-insensitive"
    assert len(diaries_of(posting, taro)) == 1


def test_posting_is_off_without_a_domain(app, runner, make_member):
    taro = make_member("taro")
    with app.app_context():
        db.session.add(MailPostAddress(member_id=taro, token="a" * 20))
        db.session.commit()
    raw = build_mail(subject=b"hello", text=b"world")
    assert send(runner, raw, f"d.{'a' * 20}@{DOMAIN}").exit_code == 67
    assert diaries_of(app, taro) == []


@pytest.mark.parametrize(
    ("case", "attachments"),
    [
        ("four photos", [("image/jpeg", f"{n}.jpg", jpeg()) for n in range(4)]),
        ("not a picture", [("image/jpeg", "a.jpg", jpeg()), ("image/jpeg", "b.jpg", b"x" * 99)]),
        ("too large", [("image/jpeg", "big.jpg", jpeg(400, 300, gps=True, noise=True))]),
    ],
)
def test_bad_photos_are_refused_with_ex_dataerr_and_store_nothing(
    posting, runner, make_member, monkeypatch, case, attachments
):
    monkeypatch.setitem(posting.config, "PHOTO_MAX_BYTES", 60_000)
    assert len(jpeg(400, 300, noise=True)) > 60_000
    taro = make_member("taro")
    address = address_for(posting, taro)
    raw = build_mail(subject=b"photos", text=b"three at most", attachments=attachments)
    result = send(runner, raw, address)
    assert result.exit_code == 65, result.output
    assert result.stderr.strip(), "the reason, for the bounce"
    assert diaries_of(posting, taro) == []
    assert photo_count(posting) == 0


@pytest.mark.parametrize(
    ("case", "raw"),
    [
        ("empty", b""),
        ("no headers", b"\x00\x01garbage\xff"),
        ("no text", build_mail(subject=b"", text=b"")),
        ("too long text", build_mail(subject=b"long", text=b"a" * 60_001)),
    ],
)
def test_unusable_mails_are_refused_with_ex_dataerr(posting, runner, make_member, case, raw):
    taro = make_member("taro")
    address = address_for(posting, taro)
    result = send(runner, raw, address)
    assert result.exit_code == 65, result.output
    assert diaries_of(posting, taro) == []


def test_a_database_failure_is_a_temporary_failure(posting, runner, make_member, monkeypatch):
    taro = make_member("taro")
    address = address_for(posting, taro)

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(mail_post, "_find_address", down)
    result = send(runner, build_mail(subject=b"a", text=b"b"), address)
    assert result.exit_code == 75, result.output


# -- the keitai layer: reading mail ---------------------------------------------------------------


def test_carriers_by_sender_domain():
    assert carrier_of_address("Taro <taro@docomo.ne.jp>") == "docomo"
    assert carrier_of_address("taro@ezweb.ne.jp") == "au"
    assert carrier_of_address("taro@biz.ezweb.ne.jp") == "au"
    assert carrier_of_address("taro@au.com") == "au"
    assert carrier_of_address("taro@softbank.ne.jp") == "softbank"
    assert carrier_of_address("taro@t.vodafone.ne.jp") == "softbank"
    assert carrier_of_address("taro@disney.ne.jp") == "softbank"
    assert carrier_of_address("taro@example.com") == "pc"
    assert carrier_of_address("docomo.ne.jp@example.com") == "pc"
    assert carrier_of_address("") == "pc"


def test_mail_text_decoding():
    # SoftBank: Shift_JIS mail carries its "sjis_auto" codes (F98B: its sun, U+E04A).
    assert decode_text(b"a\xf9\x8b", "Shift_JIS", "softbank") == "a☀"
    assert decode_text("a\ue04a".encode(), "UTF-8", "softbank") == "a☀"
    # docomo in UTF-8 (its PUA), au in Shift_JIS with its mail codes (EB60 = web F660).
    assert decode_text("\ue63e".encode(), "utf-8", "docomo") == "☀"
    assert decode_text(b"\xeb\x60", "shift_jis", "au") == "☀"
    # What cannot be read becomes the geta mark, never an error.
    assert decode_text(jis("a", SUN_AU_JIS, "b"), "iso-2022-jp", "pc") == "a〓b"
    assert decode_text(jis("a", b"\x7b\x7e"), "iso-2022-jp", "au") == "a〓"
    assert decode_text(b"\x81", "shift_jis", "docomo") == "〓"
    assert decode_text(b"\xff\xfe", "utf-8", "pc") == "〓〓"
    # Undeclared ISO-2022-JP and half-width kana (ESC ( I).
    assert decode_text("カナｶﾅ".encode("iso2022_jp_ext"), None, "pc") == "カナｶﾅ"
    # Headers: raw 8-bit Shift_JIS (as the email package keeps it), encoded words in a row.
    raw = ("件名".encode("cp932") + SUN_SJIS).decode("ascii", "surrogateescape")
    assert decode_header_text(raw, "docomo", "Shift_JIS") == "件名☀"
    folded = (
        encoded_word("前半".encode("cp932"), "Shift_JIS")
        + b"\r\n "
        + encoded_word("後半".encode("cp932"), "Shift_JIS")
    ).decode("ascii")
    assert decode_header_text(folded, "docomo") == "前半後半"
    assert decode_header_text("=?unknown-8bit?B?!!!?=", "pc") is not None


def _kddi_rows():
    rows, row = [], None
    for line in (SHARED / "carrier-emoji-kddi-table.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("- "):
            row = {}
            rows.append(row)
            line = line[2:]
        key, _, value = line.strip().partition(":")
        if row is not None and value:
            row[key] = value.strip()
    return rows


@pytest.mark.skipif(not SHARED.exists(), reason="shared emoji data not present")
def test_every_au_mail_emoji_reads_as_its_web_emoji():
    rows = _kddi_rows()
    assert len(rows) == 641
    for row in rows:
        web = bytes.fromhex(row["sjis"]).decode("cp932")
        expected = tables.AU_SJIS_TO_STORED[web]
        mail_jis = bytes.fromhex(row["email_jis"])
        assert decode_text(jis("<", mail_jis, ">"), "ISO-2022-JP", "au") == f"<{expected}>", row
        mail_sjis = bytes.fromhex(row["email_sjis"])
        assert decode_text(mail_sjis, "Shift_JIS", "au") == expected, row


# -- the settings page -----------------------------------------------------------------------


def _mail_post_link(page) -> str:
    for href, _text in page.links:
        if urlsplit(href).path == "/settings/mail-post":
            return href
    raise AssertionError(f"no link to the mail-post settings on {page.url}")


def _shown_address(page) -> str | None:
    found = re.findall(r'href="mailto:(d\.[a-z2-7]{20}@post\.example\.jp)"', page.text)
    assert len(found) <= 1
    return found[0] if found else None


def test_the_settings_page_on_a_pc_makes_and_renews_the_address(posting, make_member):
    taro = make_member("taro")
    pc = logged_in(posting, PC, "taro")
    page = pc.get(_mail_post_link(pc.get("/settings")))
    assert page.status == 200
    assert _shown_address(page) is None
    page = pc.submit("/settings/mail-post")
    assert urlsplit(page.url).path == "/settings/mail-post"
    first = _shown_address(page)
    with posting.app_context():
        assert first == mail_post.address_of(db.session.get(Member, taro))
    assert f">{first}</a>" in page.text
    # Renewing needs the CSRF token.
    refused = pc.submit("/settings/mail-post", drop=("csrf_token",))
    assert refused.status == 400
    assert _shown_address(pc.get("/settings/mail-post")) == first
    second = _shown_address(pc.submit("/settings/mail-post"))
    assert second
    assert second != first


def test_the_settings_page_on_a_cookieless_docomo(posting, make_member):
    taro = make_member("taro")
    phone = logged_in(posting, DOCOMO_MOVA, "taro")
    settings = go(phone, "/settings")
    assert settings.status == 200
    assert len(settings.body) <= D501I_BUDGET
    page = phone.get(_mail_post_link(settings))
    assert sid_of(page.url)
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert len(page.body) <= D501I_BUDGET
    assert _shown_address(page) is None
    refused = phone.submit("/settings/mail-post", drop=("csrf_token",))
    assert refused.status == 400
    page = go(phone, "/settings/mail-post")
    page = phone.submit("/settings/mail-post")
    assert page.status == 200
    assert urlsplit(page.url).path == "/settings/mail-post"
    assert len(page.body) <= D501I_BUDGET, len(page.body)
    address = _shown_address(page)
    with posting.app_context():
        assert address == mail_post.address_of(db.session.get(Member, taro))
    assert "mailto:" + address + '"' in page.text
    assert not any("sid=" in href for href, _ in page.links if href.startswith("mailto:"))
    assert parse_qs(urlsplit(page.form("/settings/mail-post").action).query).get("sid")


def test_the_settings_page_when_posting_by_mail_is_off(app, make_member):
    taro = make_member("taro")
    with app.app_context():
        db.session.add(MailPostAddress(member_id=taro, token="b" * 20))
        db.session.commit()
    for agent in (PC, DOCOMO_MOVA):
        client = logged_in(app, agent, "taro")
        page = go(client, "/settings/mail-post")
        assert page.status == 200
        assert "mailto:" not in page.text
        assert not any(urlsplit(f.action).path == "/settings/mail-post" for f in page.forms)


#: A hundred emoji that a D501i shows as their names in brackets (22 bytes each): short in
#: characters, 2,200 bytes as the phone receives them.
LONG_EMOJI_TITLE = "🎢" * 100


def test_diaries_posted_by_mail_with_emoji_titles_keep_a_d501i_list_in_budget(
    posting, runner, make_member
):
    app = posting
    taro = make_member("taro", nickname="たろう")
    address = address_for(app, taro)
    for n in range(5):
        raw = build_mail(
            sender="taro@example.com",
            to=address,
            subject=encoded_word(LONG_EMOJI_TITLE.encode(), "UTF-8"),
            text="本文".encode(),
            charset="UTF-8",
            message_id=f"emoji-{n}@example.com",
        )
        result = send(runner, raw, address)
        assert result.exit_code == 0, result.output
    titles = [diary.title for diary in diaries_of(app, taro)]
    assert len(titles) == 5
    # Shortened to fit phones (ending in an ellipsis), as a too-long subject is.
    assert all(title.startswith("🎢🎢") and title.endswith("…") for title in titles)
    assert all(len(title) < 100 for title in titles)
    client = logged_in(app, DOCOMO_MOVA, "taro")
    page = go(client, f"/users/{taro}/diaries")
    assert_fits_d501i(page)
    # Every title is listed, each emoji as the name a D501i shows.
    assert page.text.count("［ジェットコースター］") == sum(t.count("🎢") for t in titles)

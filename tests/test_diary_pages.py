"""日記 pages as members use them, on a PC and on a cookie-less DoCoMo D501i (5 KB pages):
writing (with photos on PCs), reading a long diary in parts, the visibility of diaries, their
lists, counts and photos against every relation, Shift_JIS input with emoji, comments,
editing and deleting.

Pages are found through their links and forms (paths), so the tests hold whatever the UI
language says; what they check on a page is language-neutral (titles, nicknames, member text)
or the UI text as the page shows it in Japanese (``ui_text``).
"""

from __future__ import annotations

import html
import io
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote_from_bytes, urlencode, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.extensions import db
from portal.keitai.emoji import to_stored
from portal.models import Diary, DiaryComment, Member, Photo
from portal.services import diaries, diary_comments, photos, social
from portal.services.footprints import tokyo_day
from tests.browser import AU, DOCOMO_MOVA, PC, Browser, sid_of
from tests.pages import D501I_BUDGET, assert_fits_d501i, go, href, logged_in, ui_text

GPS_IFD = 0x8825
TOKYO_GPS = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)}

ALLOWED = {  # written out by hand, not computed by the code under test
    "public": {"self", "friend", "fof", "member"},
    "fof": {"self", "friend", "fof"},
    "friends": {"self", "friend"},
    "private": {"self"},
}
RELATIONS = ("self", "friend", "fof", "member", "blocked")
AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


# -- helpers ---------------------------------------------------------------------------------


def client_for(app, agent: str) -> Browser:
    return Browser(app, agent, cookies=agent != DOCOMO_MOVA)


def forge(client: Browser, page, action: str) -> None:
    """Add a form posting to ``action`` (with the session id a phone's links carry) with a
    valid CSRF token of the client's session: a crafted request."""
    token = go(client, "/diaries/new").form("/diaries/new").fields["csrf_token"]
    sid = sid_of(page.url)
    from tests.browser import Form

    action = f"{action}?sid={sid}" if sid else action
    page.forms.insert(0, Form(action, "post", {"csrf_token": token}))
    client.page = page


def typed_on_docomo(form, values: dict[str, str]) -> bytes:
    """Return the body a docomo sends for ``form`` with ``values`` typed in: Shift_JIS, its
    own emoji bytes (the test browser cannot encode emoji in cp932)."""
    from portal.keitai.emoji import for_carrier

    fields = {**form.fields, **values}
    return "&".join(
        f"{quote_from_bytes(k.encode())}="
        + quote_from_bytes(for_carrier(v, "docomo", "cp932").encode("cp932"))
        for k, v in fields.items()
    ).encode("ascii")


def has_link(page, path: str) -> bool:
    return any(urlsplit(url).path == path for url, _text in page.links)


def has_form(page, path: str) -> bool:
    return any(urlsplit(form.action).path == path for form in page.forms)


def path_of(page) -> str:
    return urlsplit(page.url).path


def shown_body(page, carrier: str = "pc") -> str:
    """Return the member text inside ``<div id="diary-body">`` as plain text (line breaks back,
    links as their text, carrier emoji as stored)."""
    found = re.search(r'<div id="diary-body">(.*?)</div>', page.text, re.S)
    assert found, page.text
    text = re.sub(r"<br\s*/?>", "\n", found.group(1))
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return to_stored(text, carrier) if carrier != "pc" else text


def jpeg(width: int = 320, height: int = 240, *, gps: bool = False) -> bytes:
    """A JPEG photo; with ``gps`` it carries EXIF with a camera, a serial and a GPS position."""
    im = Image.new("RGB", (width, height), (90, 160, 230))
    for x in range(0, width, 8):
        im.putpixel((x, height // 2), (250, 200, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "Canon"
        exif[0x0110] = "IXY DIGITAL 900 IS"
        exif[0xA431] = "0123456789"
        exif[GPS_IFD] = TOKYO_GPS
        im.save(out, "JPEG", quality=85, exif=exif)
    else:
        im.save(out, "JPEG", quality=85)
    return out.getvalue()


def post_diary_with_photos(client: Browser, fields: dict, files: list[tuple[bytes, str]]):
    """Send the PC's new-diary form as multipart, with files (the test browser sends only
    url-encoded forms); returns the response page, redirects followed."""
    form_page = client.get("/diaries/new")
    form = form_page.form("/diaries/new")
    data = {**form.fields, **fields}
    data["photos"] = [(io.BytesIO(content), name) for content, name in files]
    response = client.client.post(
        "/diaries/new",
        data=data,
        content_type="multipart/form-data",
        headers={"User-Agent": client.user_agent},
        environ_overrides={"REMOTE_ADDR": client.remote_addr},
        base_url=client.base_url,
    )
    from tests.browser import Page

    page = Page(response, "/diaries/new")
    client.page = page
    return client._follow(page)


def make_diary(app, author_id: int, **fields) -> int:
    fields.setdefault("title", "今日の日記")
    fields.setdefault("body", "本文です。")
    fields.setdefault("visibility", "public")
    with app.app_context():
        diary = diaries.create(db.session.get(Member, author_id), **fields)
        db.session.commit()
        return diary.id


def attach_photo(app, author_id: int, diary_id: int, data: bytes | None = None) -> int:
    with app.app_context():
        diary = db.session.get(Diary, diary_id)
        (photo,) = photos.attach(db.session.get(Member, author_id), diary, [data or jpeg()])
        db.session.commit()
        return photo.id


def add_comment(app, member_id: int, diary_id: int, body: str) -> int:
    with app.app_context():
        comment = diary_comments.THREAD.add(
            db.session.get(Member, member_id), db.session.get(Diary, diary_id), body
        )
        db.session.commit()
        return comment.id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def people(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    friend = make_member("friend", nickname="ふれんど", friends=(owner,))
    fof = make_member("fof", nickname="ふおふ", friends=(friend,))
    member = make_member("member", nickname="めんばー")
    blocked = make_member("blocked", nickname="ぶろっく")
    with app.app_context():
        social.block(db.session.get(Member, owner), db.session.get(Member, blocked))
        db.session.commit()
    return {"self": owner, "friend": friend, "fof": fof, "member": member, "blocked": blocked}


def login_name(relation: str) -> str:
    return {"self": "owner"}.get(relation, relation)


# -- visibility: the page, the list, the counts and the photo, for every relation ------------


@AGENTS
@pytest.mark.parametrize("visibility", ["public", "fof", "friends", "private"])
def test_every_visibility_against_every_relation(app, people, agent, visibility):
    owner = people["self"]
    created = datetime(2008, 5, 1, 12, 0)
    diary = make_diary(
        app, owner, title="秘密の日記タイトル", visibility=visibility, created_at=created
    )
    photo = attach_photo(app, owner, diary)
    heading = ui_text(app, agent, "%(name)s's diary", name="おーなー")
    for rel in RELATIONS:
        viewer = logged_in(app, agent, login_name(rel))
        allowed = rel in ALLOWED[visibility]
        page = go(viewer, f"/diaries/{diary}")
        listing = go(viewer, f"/users/{owner}/diaries")
        month = go(viewer, f"/users/{owner}/diaries?month=2008-05")
        image = go(viewer, f"/photos/{photo}")
        if rel == "blocked":
            for refused in (page, listing, month, image):
                assert refused.status == 404, (rel, refused.url)
                assert "秘密の日記タイトル" not in refused.text
            continue
        assert page.status == (200 if allowed else 404), (visibility, rel, agent)
        assert ("秘密の日記タイトル" in page.text) is allowed
        assert ("本文です" in page.text) is allowed
        for listed in (listing, month):
            assert listed.status == 200
            assert ("秘密の日記タイトル" in listed.text) is allowed, (visibility, rel)
            assert has_link(listed, f"/diaries/{diary}") is allowed
            total = re.search(re.escape(heading) + r"[^(<]*\((\d+)\)", listed.text)
            assert total, listed.text
            assert total.group(1) == ("1" if allowed else "0"), (visibility, rel, agent)
            assert ("2008年5月(1)" in listed.text) is allowed
            if agent == DOCOMO_MOVA:
                assert_fits_d501i(listed)
        assert image.status == (200 if allowed else 404), (visibility, rel, agent)
        if allowed:
            assert image.headers["Content-Type"] == (
                "image/gif" if agent == DOCOMO_MOVA else "image/jpeg"
            )
            assert has_link(page, f"/photos/{photo}") or f'src="/photos/{photo}?' in page.text
            if agent == DOCOMO_MOVA:
                assert_fits_d501i(page)
    visitor = client_for(app, agent)
    for path in (f"/diaries/{diary}", f"/users/{owner}/diaries", f"/photos/{photo}"):
        refused = visitor.get(path)
        assert path_of(refused) == "/login", path
        assert "秘密の日記タイトル" not in refused.text


# -- the 5 KB budget with the longest content allowed ---------------------------------------

WORST_NICK = "&" * 20  # 20 characters, 100 bytes escaped


def _worst_title() -> str:
    """The longest title the form accepts as shown on a phone."""
    from portal.forms.diaries import TITLE_PHONE_BYTES

    return "&" * (TITLE_PHONE_BYTES // 5)


def _worst_comment(n: int) -> str:
    from portal.services.diary_comments import BODY_PHONE_BYTES

    return f"{n}" + "&" * ((BODY_PHONE_BYTES - 2) // 5)


def test_a_diary_with_the_longest_content_fits_the_d501i(app, make_member):
    owner = make_member("owner", nickname=WORST_NICK)
    friend = make_member("friend", nickname=WORST_NICK, friends=(owner,))
    title = _worst_title()
    # Every paragraph fills a part of its own (1,200 bytes as shown), the last one included.
    body = "\n\n".join(f"https://example.jp/x/{n:02d} " + "あ" * 550 for n in range(8))
    base = datetime(2006, 1, 15, 3, 0)
    ids = [
        make_diary(app, owner, title=title, body=body, created_at=base + timedelta(days=31 * k))
        for k in range(36)
    ]
    middle = ids[20]
    for _ in range(3):
        attach_photo(app, owner, middle)
    for n in range(7):
        add_comment(app, friend if n % 2 else owner, middle, _worst_comment(n))
    for who in ("owner", "friend"):
        phone = logged_in(app, DOCOMO_MOVA, who)
        first = go(phone, f"/diaries/{middle}")
        assert_fits_d501i(first)
        page = first
        parts = 1
        while "6" in page.accesskeys:
            page = phone.get(page.accesskeys["6"])
            assert_fits_d501i(page)
            parts += 1
        assert parts == 8
        last = page
        assert has_form(last, f"/diaries/{middle}/comments")
        for number in (2, 3, 4):  # every page of comments (two a page, 7 comments)
            last = phone.get(href(last, f"/diaries/{middle}", page=str(number)))
            assert_fits_d501i(last)
        assert "page=5" not in last.text
        for path in (
            f"/users/{owner}/diaries",
            f"/users/{owner}/diaries?month=2007-03",
            f"/users/{owner}/diaries?page=2",
            "/comments/mine",
            "/diaries/new",
        ):
            assert_fits_d501i(go(phone, path))
    phone = logged_in(app, DOCOMO_MOVA, "owner")
    go(phone, f"/diaries/{middle}?part=99")
    posted = phone.submit(f"/diaries/{middle}/comments", {"body": _worst_comment(8)})
    assert_fits_d501i(posted)  # the last part, the last page of comments and a flash message
    assert 'name="c8"' in posted.text
    assert _worst_comment(8).replace("&", "&amp;") in posted.text
    edit = go(phone, f"/diaries/{middle}/edit")
    assert_fits_d501i(edit)
    while "6" in edit.accesskeys:
        edit = phone.get(edit.accesskeys["6"])
        assert_fits_d501i(edit)
    with app.app_context():
        comment_id = db.session.scalar(select(DiaryComment.id).where(DiaryComment.number == 2))
    assert_fits_d501i(go(phone, f"/comments/{comment_id}/delete"))


# -- a long diary written on a PC, read on a D501i --------------------------------------------

WEATHER = ("☀", "☁", "☔", "⛄")


def _long_body() -> str:
    paragraphs = []
    for n in range(120):
        line = (
            f"第{n + 1}段落。今日は{WEATHER[n % 4]}でした。"
            "駅前の喫茶店でコーヒーを飲みながら、友達と週末の予定について話しました。"
        )
        if n % 7 == 0:
            line += f"\n詳しくは https://example.jp/diary/{n}?ref=keitai&x=1 を見てください。"
        if n % 11 == 0:
            line += "\n写真も撮りました📷 夜は月がきれいでした🌙"
        paragraphs.append(line)
    return "\n\n".join(paragraphs)


def test_a_long_diary_from_a_pc_reads_completely_on_a_d501i_in_parts(app, make_member):
    make_member("taro", nickname="たろう")
    pc = logged_in(app, PC, "taro")
    pc.get("/diaries/new")
    body = _long_body()
    shown = pc.submit("/diaries/new", {"title": "長い日記☀", "body": body, "visibility": "public"})
    assert shown.status == 200
    assert re.fullmatch(r"/diaries/\d+", path_of(shown))
    assert shown_body(shown) == body, "a PC shows the whole body on one page"
    assert "part=2" not in shown.text

    phone = logged_in(app, DOCOMO_MOVA, "taro")
    page = go(phone, path_of(shown))
    texts, jumps = [], []
    while True:
        assert_fits_d501i(page)
        texts.append(shown_body(page, "docomo"))
        jumps += [(u, t) for u, t in page.links if urlsplit(u).path == "/jump"]
        if "6" not in page.accesskeys:
            break
        following = page.accesskeys["6"]
        assert parse_qs(urlsplit(following).query)["part"] == [str(len(texts) + 1)]
        page = phone.get(following)
    assert len(texts) > 5
    assert "".join(texts) == body
    # No URL was cut: each is one whole link through /jump, without the session id.
    urls = re.findall(r"https://\S+", body)
    assert sorted(t for _u, t in jumps) == sorted(urls)
    assert all(parse_qs(urlsplit(u).query)["url"] == [t] and not sid_of(u) for u, t in jumps)
    # The last part goes back with 4 and has the comment form.
    assert "4" in page.accesskeys
    assert has_form(page, f"{path_of(shown)}/comments")


# -- Shift_JIS input with emoji from a docomo, read on a PC and on an au ----------------------


def test_a_diary_posted_from_a_docomo_in_shift_jis_reads_on_a_pc_and_an_au(app, make_member):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    form_page = go(phone, "/diaries/new")
    form = form_page.form("/diaries/new")
    title = "晴れの日".encode("cp932") + b"\xf8\x9f"
    body = "今日は良い天気".encode("cp932") + b"\xf8\x9f" + "でした。".encode("cp932")
    raw = (
        urlencode({k: v for k, v in form.fields.items() if k == "csrf_token"}).encode()
        + b"&title="
        + quote_from_bytes(title).encode("ascii")
        + b"&body="
        + quote_from_bytes(body).encode("ascii")
        + b"&visibility=public"
    )
    shown = phone.submit("/diaries/new", raw=raw)
    assert_fits_d501i(shown)
    diary_path = path_of(shown)
    assert b"\xf8\x9f" in shown.body, "docomo gets its own sun back"
    with app.app_context():
        diary = db.session.scalars(select(Diary)).one()
        assert diary.title == "晴れの日☀"
        assert diary.body == "今日は良い天気☀でした。"

    pc = logged_in(app, PC, "hanako")
    page = pc.get(diary_path)
    assert "晴れの日☀" in page.text
    assert shown_body(page) == "今日は良い天気☀でした。"

    au = logged_in(app, AU, "hanako")
    page = au.get(diary_path)
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "晴れの日".encode("cp932") + b"\xf6\x60" in page.body
    assert "今日は良い天気".encode("cp932") + b"\xf6\x60" in page.body
    assert shown_body(page, "au") == "今日は良い天気☀でした。"


# -- photos --------------------------------------------------------------------------------


def _assert_clean_image(data: bytes) -> None:
    assert b"Exif" not in data
    assert b"GPS" not in data
    im = Image.open(io.BytesIO(data))
    assert not im.getexif()
    assert not im.getexif().get_ifd(GPS_IFD)


def test_photos_uploaded_on_a_pc_are_served_without_exif(app, make_member):
    make_member("taro", nickname="たろう")
    make_member("hanako", nickname="はなこ")
    pc = logged_in(app, PC, "taro")
    original = jpeg(800, 600, gps=True)
    assert b"Exif" in original
    page = post_diary_with_photos(
        pc,
        {"title": "写真の日記", "body": "旅行の写真です。", "visibility": "public"},
        [(original, "gps.jpg"), (jpeg(), "second.jpg")],
    )
    assert page.status == 200, page.text
    assert re.fullmatch(r"/diaries/\d+", path_of(page))
    sources = re.findall(r'<img src="(/photos/\d+\?size=pc)"', page.text)
    assert len(sources) == 2
    for src in sources:
        for size in ("thumb", "pc", "original"):
            image = pc.get(src.replace("size=pc", f"size={size}"))
            assert image.status == 200
            assert image.headers["Content-Type"] == "image/jpeg"
            assert image.headers["Cache-Control"] == "private, max-age=3600"
            assert image.headers["X-Content-Type-Options"] == "nosniff"
            _assert_clean_image(image.body)
    sized = {
        size: Image.open(io.BytesIO(pc.get(sources[0].replace("size=pc", f"size={size}")).body))
        for size in ("thumb", "pc", "original")
    }
    assert sized["thumb"].size == (160, 120)
    assert sized["pc"].size == (640, 480)
    assert sized["original"].size == (800, 600)

    # A D501i sees links, not images, and gets a copy for its screen.
    phone = logged_in(app, DOCOMO_MOVA, "hanako")
    diary_page = go(phone, path_of(page))
    assert_fits_d501i(diary_page)
    assert "img" not in diary_page.tags
    photo_links = [u for u, _t in diary_page.links if urlsplit(u).path.startswith("/photos/")]
    assert len(photo_links) == 2
    copy = phone.get(photo_links[0])
    assert copy.status == 200
    assert copy.headers["Content-Type"] == "image/gif"
    assert len(copy.body) <= D501I_BUDGET // 2
    width, height = Image.open(io.BytesIO(copy.body)).size
    assert width <= 94
    assert height <= 72
    _assert_clean_image(copy.body)


@pytest.mark.parametrize(
    ("case", "files", "config", "message"),
    [
        (
            "too large",
            [(jpeg(), "big.jpg")],
            {"PHOTO_MAX_BYTES": 1000},
            (("The photo is too large (at most %(num)s MB).",) * 2, {"num": 8}),
        ),
        (
            "garbage",
            [(b"GIF89a this is not really a picture", "fake.gif")],
            {},
            ("This file is not a photo we can read (JPEG, PNG, GIF or WebP).", {}),
        ),
        (
            "too many pixels",
            [(jpeg(), "wide.jpg")],
            {"PHOTO_MAX_PIXELS": 1000},
            ("The photo has too many pixels. Please make it smaller.", {}),
        ),
        (
            "four photos",
            [(jpeg(), f"{n}.jpg") for n in range(4)],
            {},
            (
                (
                    "A diary can have at most %(num)s photo.",
                    "A diary can have at most %(num)s photos.",
                ),
                {"num": 3},
            ),
        ),
        (
            "good then bad",
            [(jpeg(), "good.jpg"), (b"\xff\xd8\xff garbage", "bad.jpg")],
            {},
            ("This file is not a photo we can read (JPEG, PNG, GIF or WebP).", {}),
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_photo_shows_the_error_and_saves_nothing(
    app, make_member, monkeypatch, case, files, config, message
):
    for key, value in config.items():
        monkeypatch.setitem(app.config, key, value)
    make_member("taro", nickname="たろう")
    pc = logged_in(app, PC, "taro")
    page = post_diary_with_photos(
        pc, {"title": "失敗する日記", "body": "本文", "visibility": "friends"}, files
    )
    assert page.status == 400, case
    assert path_of(page) == "/diaries/new"
    msgid, values = message
    assert html.escape(ui_text(app, PC, msgid, **values), quote=False) in page.text, case
    assert 'value="失敗する日記"' in page.text, "the form keeps what was typed"
    assert count(app, Diary) == 0
    assert count(app, Photo) == 0


# -- comments --------------------------------------------------------------------------------


def _comment_numbers(page) -> list[int]:
    """The numbers of the comments shown, in order (``id="cN"`` on a PC, ``name`` on phones)."""
    return [int(n) for n in re.findall(r'(?:id|name)="c(\d+)"', page.text)]


@AGENTS
def test_comments_are_numbered_and_deleted_by_their_author_or_the_owner(app, people, agent):
    owner, friend, fof = people["self"], people["friend"], people["fof"]
    diary = make_diary(app, owner, title="コメント歓迎", visibility="fof")
    writer = logged_in(app, agent, "friend")
    page = go(writer, f"/diaries/{diary}")
    page = writer.submit(f"/diaries/{diary}/comments", {"body": "最初のコメント"})
    assert page.status == 200
    assert "最初のコメント" in page.text
    assert _comment_numbers(page) == [1]
    add_comment(app, fof, diary, "ふおふのコメント")
    add_comment(app, owner, diary, "おーなーの返事")
    page = go(writer, f"/diaries/{diary}")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        assert _comment_numbers(page) == [1, 2]  # two a page on a D501i
        page = writer.get(href(page, f"/diaries/{diary}", page="2"))
        assert _comment_numbers(page) == [3]
    else:
        assert _comment_numbers(page) == [1, 2, 3]
    with app.app_context():
        ids = dict(db.session.execute(select(DiaryComment.number, DiaryComment.id)).all())

    # Another commenter may delete only their own comment; a crafted request is refused.
    fof_client = logged_in(app, agent, "fof")
    page = go(fof_client, f"/diaries/{diary}")
    refused = go(fof_client, f"/comments/{ids[1]}/delete", follow=False)
    assert refused.status == 403
    page = go(fof_client, f"/diaries/{diary}")
    forge(fof_client, page, f"/comments/{ids[1]}/delete")
    refused = fof_client.submit(f"/comments/{ids[1]}/delete")
    assert refused.status == 403
    assert count(app, DiaryComment) == 3
    # Their own: a button on a PC, a link to a confirmation page on a phone.
    page = go(fof_client, f"/diaries/{diary}")
    assert not has_form(page, f"/comments/{ids[1]}/delete")
    assert not has_link(page, f"/comments/{ids[1]}/delete")
    if agent == DOCOMO_MOVA:
        assert not has_form(page, f"/comments/{ids[2]}/delete")
        confirm = fof_client.get(href(page, f"/comments/{ids[2]}/delete"))
        assert_fits_d501i(confirm)
        assert "ふおふのコメント" in confirm.text
    else:
        assert not has_form(page, f"/comments/{ids[3]}/delete")
    done = fof_client.submit(f"/comments/{ids[2]}/delete")
    assert done.status == 200
    assert path_of(done) == f"/diaries/{diary}"
    assert count(app, DiaryComment) == 2

    # The diary's owner may delete anyone's comment.
    owner_client = logged_in(app, agent, "owner")
    page = go(owner_client, f"/diaries/{diary}")
    if agent == DOCOMO_MOVA:
        confirm = owner_client.get(href(page, f"/comments/{ids[1]}/delete"))
        done = owner_client.submit(f"/comments/{ids[1]}/delete")
    else:
        assert has_form(page, f"/comments/{ids[1]}/delete")
        assert has_form(page, f"/comments/{ids[3]}/delete")
        done = owner_client.submit(f"/comments/{ids[1]}/delete")
    assert done.status == 200
    assert count(app, DiaryComment) == 1
    # Numbers are not reused.
    add_comment(app, friend, diary, "また来ました")
    page = go(owner_client, f"/diaries/{diary}")
    assert _comment_numbers(page) == [3, 4]


@AGENTS
def test_closed_comments_refuse_new_ones(app, people, agent):
    owner = people["self"]
    diary = make_diary(app, owner, title="コメント不可", visibility="public")
    author = logged_in(app, agent, "owner")
    edit = go(author, f"/diaries/{diary}/edit")
    saved = author.submit(
        f"/diaries/{diary}/edit",
        {
            "title": "コメント不可",
            "body": "本文です。",
            "visibility": "public",
            "comments_closed": "y",
        },
    )
    assert saved.status == 200
    assert edit.status == 200
    reader = logged_in(app, agent, "member")
    page = go(reader, f"/diaries/{diary}")
    assert not has_form(page, f"/diaries/{diary}/comments")
    assert ui_text(app, agent, "Comments are closed for this diary.") in page.text
    # A crafted post is refused with the reason, and nothing is saved.
    forge(reader, page, f"/diaries/{diary}/comments")
    refused = reader.submit(f"/diaries/{diary}/comments", {"body": "書けるかな"})
    assert refused.status == 400
    assert ui_text(app, agent, "Comments are closed for this diary.") in refused.text
    assert count(app, DiaryComment) == 0


@AGENTS
def test_my_comments_lists_what_i_wrote_where_i_can_still_read_it(app, people, agent):
    owner, friend = people["self"], people["friend"]
    open_diary = make_diary(app, owner, title="みんなの日記", visibility="public")
    closing = make_diary(app, owner, title="あとで非公開", visibility="public")
    other = make_diary(app, friend, title="ふれんどの日記", visibility="friends")
    add_comment(app, friend, open_diary, "一つ目のコメント")
    add_comment(app, friend, closing, "二つ目のコメント")
    add_comment(app, friend, other, "自分の日記にも")
    add_comment(app, owner, open_diary, "おーなーのコメント")
    client = logged_in(app, agent, "friend")
    page = go(client, "/comments/mine")
    assert page.status == 200
    for text in ("一つ目のコメント", "二つ目のコメント", "自分の日記にも"):
        assert text in page.text
    assert "おーなーのコメント" not in page.text
    assert page.text.index("自分の日記にも") < page.text.index("一つ目のコメント"), "newest first"
    assert has_link(page, f"/diaries/{open_diary}")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    with app.app_context():
        db.session.get(Diary, closing).visibility = "private"
        db.session.commit()
    page = go(client, "/comments/mine")
    assert "二つ目のコメント" not in page.text
    assert "あとで非公開" not in page.text
    assert "一つ目のコメント" in page.text


# -- editing and deleting ---------------------------------------------------------------------


@AGENTS
def test_only_the_author_edits_and_deletes(app, people, agent):
    owner = people["self"]
    diary = make_diary(app, owner, title="編集前", body="前の本文", visibility="friends")
    friend = logged_in(app, agent, "friend")
    assert go(friend, f"/diaries/{diary}").status == 200
    page = friend.page
    assert not has_link(page, f"/diaries/{diary}/edit")
    assert go(friend, f"/diaries/{diary}/edit").status == 403
    member = logged_in(app, agent, "member")
    assert go(member, f"/diaries/{diary}/edit").status == 404

    author = logged_in(app, agent, "owner")
    page = go(author, f"/diaries/{diary}")
    edit = author.get(href(page, f"/diaries/{diary}/edit"))
    assert edit.status == 200
    assert 'value="編集前"' in edit.text
    assert "前の本文" in edit.text
    assert has_form(edit, f"/diaries/{diary}/delete")
    saved = author.submit(
        f"/diaries/{diary}/edit",
        {"title": "編集後", "body": "新しい本文", "visibility": "private"},
    )
    assert path_of(saved) == f"/diaries/{diary}"
    assert "新しい本文" in saved.text
    with app.app_context():
        row = db.session.get(Diary, diary)
        assert (row.title, row.body, row.visibility) == ("編集後", "新しい本文", "private")
    assert go(friend, f"/diaries/{diary}").status == 404

    # Forged edit and delete requests from someone who can read it are refused.
    with app.app_context():
        db.session.get(Diary, diary).visibility = "public"
        db.session.commit()
    page = go(friend, f"/diaries/{diary}")
    forge(friend, page, f"/diaries/{diary}/delete")
    assert friend.submit(f"/diaries/{diary}/delete").status == 403
    assert count(app, Diary) == 1

    edit = go(author, f"/diaries/{diary}/edit")
    gone = author.submit(f"/diaries/{diary}/delete")
    assert gone.status == 200
    assert path_of(gone) == f"/users/{owner}/diaries"
    assert count(app, Diary) == 0
    assert go(author, f"/diaries/{diary}").status == 404


def test_a_phone_edits_a_long_diary_one_part_at_a_time(app, make_member):
    taro = make_member("taro", nickname="たろう")
    body = _long_body()
    diary = make_diary(app, taro, title="長い日記", body=body)
    phone = logged_in(app, DOCOMO_MOVA, "taro")
    page = go(phone, f"/diaries/{diary}?part=2")
    edit = phone.get(href(page, f"/diaries/{diary}/edit"))
    assert_fits_d501i(edit)
    form = edit.form(f"/diaries/{diary}/edit")
    assert form.fields["part"] == "2"
    part_two = re.search(r"<textarea[^>]*>(.*?)</textarea>", edit.text, re.S).group(1)
    part_two = to_stored(html.unescape(part_two), "docomo")  # its own emoji, as typed
    assert part_two.strip()
    assert part_two.strip() in body
    changed = part_two.strip().replace("第", "ＤＡＩ", 1)
    # A phone sends CRLF line breaks and may drop the white space at the ends.
    saved = phone.submit(
        f"/diaries/{diary}/edit",
        raw=typed_on_docomo(
            form,
            {"title": "長い日記", "body": changed.replace("\n", "\r\n"), "visibility": "public"},
        ),
    )
    assert_fits_d501i(saved)
    assert parse_qs(urlsplit(saved.url).query)["part"] == ["2"]
    with app.app_context():
        stored = db.session.get(Diary, diary).body
    start = body.index(part_two.strip())
    # CR LF arrives as LF (keitai.input_decoding.remove_controls).
    expected = body[:start] + changed + body[start + len(part_two.strip()) :]
    assert stored == expected
    assert stored == body.replace(part_two.strip(), changed, 1)

    # A form opened before another change no longer lines up: it is refused, nothing saved.
    stale = go(phone, f"/diaries/{diary}/edit?part=3")
    with app.app_context():
        db.session.get(Diary, diary).body = "短くなりました。\n\n" + stored
        db.session.commit()
    refused = phone.submit(
        f"/diaries/{diary}/edit", {"title": "長い日記", "body": "上書き", "visibility": "public"}
    )
    assert refused.status == 409
    assert refused.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert len(refused.body) <= D501I_BUDGET
    assert stale.status == 200
    # So is a part's form sent after the session switched to the PC pages (one part there):
    # it must not replace the whole body with one part.
    go(phone, f"/diaries/{diary}/edit?part=3")
    go(phone, "/home?view=pc")
    phone.page = stale
    stale.forms[0].fields["revision"] = refused.form(f"/diaries/{diary}/edit").fields["revision"]
    refused = phone.submit(
        f"/diaries/{diary}/edit", {"title": "長い日記", "body": "上書き", "visibility": "public"}
    )
    assert refused.status == 409
    assert "<main>" in refused.text, "the PC pages now"
    with app.app_context():
        assert "上書き" not in db.session.get(Diary, diary).body


# -- footprints, unread comments, default visibility -------------------------------------------


def test_reading_a_diary_leaves_a_footprint_and_marks_comments_seen(app, people):
    owner, friend = people["self"], people["friend"]
    diary = make_diary(app, owner, visibility="friends")
    add_comment(app, friend, diary, "見ましたよ")
    with app.app_context():
        assert diary_comments.unread(db.session.get(Member, owner), 5)
    reader = logged_in(app, PC, "friend")
    assert go(reader, f"/diaries/{diary}").status == 200
    from portal.models import Footprint

    with app.app_context():
        rows = db.session.scalars(select(Footprint)).all()
        assert [(r.visited_id, r.visitor_id) for r in rows] == [(owner, friend)]
        assert rows[0].day == tokyo_day(rows[0].visited_at)
    author = logged_in(app, PC, "owner")
    go(author, f"/diaries/{diary}")
    with app.app_context():
        assert diary_comments.unread(db.session.get(Member, owner), 5) == []
        assert len(db.session.scalars(select(Footprint)).all()) == 1, "no footprint on oneself"
    # A member who may not read the diary leaves no footprint.
    stranger = logged_in(app, PC, "member")
    assert go(stranger, f"/diaries/{diary}").status == 404
    with app.app_context():
        assert len(db.session.scalars(select(Footprint)).all()) == 1


@AGENTS
def test_a_new_diary_starts_with_the_members_default_visibility(app, make_member, agent):
    taro = make_member("taro", nickname="たろう", diary_visibility="friends")
    client = logged_in(app, agent, "taro")
    page = go(client, "/diaries/new")
    assert re.search(r'<option value="friends" selected', page.text)
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        assert 'type="file"' not in page.text, "phones post url-encoded forms"
    else:
        assert 'type="file"' in page.text
    shown = client.submit(
        "/diaries/new", {"title": "初日記", "body": "はじめまして", "visibility": "friends"}
    )
    assert shown.status == 200
    with app.app_context():
        row = db.session.scalars(select(Diary)).one()
        assert (row.author_id, row.visibility) == (taro, "friends")


@AGENTS
def test_an_empty_diary_is_refused_with_the_reason(app, make_member, agent):
    make_member("taro", nickname="たろう")
    client = logged_in(app, agent, "taro")
    go(client, "/diaries/new")
    page = client.submit("/diaries/new", {"title": "", "body": "本文", "visibility": "public"})
    assert path_of(page) == "/diaries/new"
    assert ui_text(app, agent, "This field is required.") in page.text
    assert count(app, Diary) == 0


# -- the diary list: months and pages -----------------------------------------------------------


@AGENTS
def test_the_diary_list_pages_and_filters_by_month(app, make_member, agent):
    taro = make_member("taro", nickname="たろう")
    start = datetime(2007, 11, 10, 3, 0)
    for n in range(14):  # Nov 2007 .. Dec 2008, one a month, the newest last
        year, month = 2007 + (10 + n) // 12, (10 + n) % 12 + 1
        make_diary(
            app,
            taro,
            title=f"日記{year}年{month}月",
            created_at=start.replace(year=year, month=month),
        )
    make_diary(app, taro, title="日記2008年12月その2", created_at=datetime(2008, 12, 20, 3, 0))
    client = logged_in(app, agent, "taro")
    page = go(client, f"/users/{taro}/diaries")
    per_page = 5 if agent == DOCOMO_MOVA else 20
    titles = re.findall(r">(日記\d+年\d+月(?:その2)?)</a>", page.text)
    assert titles[0] == "日記2008年12月その2", "newest first"
    assert len(titles) == min(per_page, 15)
    assert "2008年12月(2)" in page.text
    assert "2008年1月(1)" in page.text
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
        # One year month by month; the other years are one link each.
        assert "2007年11月(1)" not in page.text
        older_year = client.get(href(page, f"/users/{taro}/diaries", month="2007-12"))
        assert "2007年11月(1)" in older_year.text
        assert "2008年1月(1)" not in older_year.text
        page = go(client, f"/users/{taro}/diaries")
        second = client.get(page.accesskeys["6"])
        assert parse_qs(urlsplit(second.url).query)["page"] == ["2"]
        assert re.findall(r">(日記\d+年\d+月(?:その2)?)</a>", second.text)[0] == "日記2008年8月"
    else:
        assert "2007年11月(1)" in page.text
    month = client.get(href(page, f"/users/{taro}/diaries", month="2008-12"))
    assert re.findall(r">(日記\d+年\d+月(?:その2)?)</a>", month.text) == [
        "日記2008年12月その2",
        "日記2008年12月",
    ]
    # Nonsense months and pages past the end show something sensible; a month that cannot be
    # shown is no page.
    assert go(client, f"/users/{taro}/diaries?month=2008-1x").status == 200
    assert go(client, f"/users/{taro}/diaries?month=2008-13").status == 404
    last = go(client, f"/users/{taro}/diaries?page=99")
    assert "日記2007年11月" in last.text
    assert go(client, "/users/9999/diaries").status == 404


def test_the_diary_service_refuses_a_title_too_long_for_phones(app, make_member):
    """The limit is the service's: mail posts and blog imports write through it too."""
    taro = make_member("taro")
    with app.app_context():
        author = db.session.get(Member, taro)
        with pytest.raises(diaries.ServiceError) as refused:
            diaries.create(author, title="🎢" * 100, body="本文", visibility="public")
        assert refused.value.field == "title"
        fits = diaries.create(author, title="晴" * 100, body="本文", visibility="public")
        assert fits.title == "晴" * 100
        with pytest.raises(diaries.ServiceError):
            diaries.update(
                author,
                fits,
                title="🎢" * 100,
                body="本文",
                visibility="public",
                comments_closed=False,
            )

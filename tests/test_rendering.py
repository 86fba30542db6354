"""One set of views, two renderings: every page on every kind of device, as it goes on the wire."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from portal import create_app
from portal.extensions import db
from portal.keitai import detect
from portal.keitai.hankaku import to_hankaku
from portal.models import Invitation, Member
from portal.models._time import utcnow
from portal.services import accounts
from portal.services.friends import befriend
from tests.browser import AU, DOCOMO_MOVA, IPHONE, PC, SOFTBANK, Browser, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import current_sid

PORTAL = Path(__file__).resolve().parent.parent / "portal"

DEVICES = {
    "docomo-D501i": (DOCOMO_MOVA, "Shift_JIS", True),
    "au": (AU, "Shift_JIS", True),
    "softbank-3g": (SOFTBANK, "UTF-8", True),
    "iphone": (IPHONE, "UTF-8", False),
    "pc": (PC, "UTF-8", False),
}


def budget(agent: str) -> int | None:
    return detect({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": "127.0.0.1"}).max_page_bytes


def is_pc_tree(page) -> bool:
    return "main" in page.tags


def with_sid(url: str, sid: str | None) -> str:
    if not sid:
        return url
    return url + ("&" if "?" in url else "?") + f"sid={sid}"


def log_in(client, name: str):
    client.get("/login")
    page = client.submit("/login", {"email": f"{name}@example.jp", "password": PASSWORD})
    assert urlsplit(page.url).path == "/home", page.text
    return page


def make_token(app, member_id: int) -> str:
    with app.app_context():
        token = accounts.create_invitation(db.session.get(Member, member_id), None).token
        db.session.commit()
        return token


def assert_wire_format(page, agent: str, charset: str, keitai: bool) -> None:
    """The rules every response of ours keeps, per device."""
    assert page.headers["Content-Type"] == f"text/html; charset={charset}", page.url
    assert "User-Agent" in page.headers.get("Vary", ""), page.url
    if keitai:
        assert not is_pc_tree(page), f"{page.url}: a keitai gets the mobile tree"
        assert "<script" not in page.text.lower(), page.url
        limit = budget(agent)
        assert limit is not None
        assert len(page.body) <= limit, f"{page.url}: {len(page.body)} > {limit} bytes"
        if agent == DOCOMO_MOVA:
            assert len(page.body) <= 5120
    else:
        assert is_pc_tree(page), page.url
        assert page.text.startswith("<!DOCTYPE html>"), page.url


# --- the two trees --------------------------------------------------------------------------


def _templates(tree: str) -> set[str]:
    root = PORTAL / tree
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_both_template_trees_have_the_same_templates():
    mobile, pc = _templates("templates_mobile"), _templates("templates_pc")
    assert mobile, "no mobile templates found"
    assert mobile - pc == set(), "mobile templates without a PC twin"
    assert pc - mobile == set(), "PC templates without a mobile twin"


# --- every page on every device -------------------------------------------------------------

VISITOR_PAGES = [
    ("/", 200, None),
    ("/login", 200, None),
    ("/signup?invite={token}", 200, None),
    ("/signup", 403, None),
    ("/invite", 302, "/login"),
    ("/home", 302, "/login"),
    ("/settings", 302, "/login"),
    ("/no-such-page", 404, None),
]
MEMBER_PAGES = [
    ("/", 200, None),
    ("/home", 200, None),
    ("/invite", 200, None),
    ("/settings", 200, None),
    ("/login", 302, "/home"),
    ("/signup?invite={token}", 302, "/home"),
    ("/no-such-page", 404, None),
    ("/logout", 405, None),
]


@pytest.mark.parametrize("device", list(DEVICES))
@pytest.mark.parametrize("who", ["visitor", "member"])
def test_every_page_on_every_device(app, browser, make_member, device, who):
    agent, charset, keitai = DEVICES[device]
    hanako = make_member("hanako", nickname="はなこ")
    taro = make_member("taro", nickname="たろう", friends=(hanako,))
    token = make_token(app, taro)
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    if who == "member":
        log_in(client, "taro")
        pages = MEMBER_PAGES
    else:
        client.get("/")
        pages = VISITOR_PAGES
    sid = current_sid(client.page) if agent == DOCOMO_MOVA else None
    for path, status, target in pages:
        url = with_sid(path.format(token=token), sid)
        page = client.get(url, follow=False)
        assert page.status == status, (url, page.status)
        assert "User-Agent" in page.headers.get("Vary", ""), url
        if status == 302:
            location = page.headers["Location"]
            assert location.startswith("http://localhost/"), location
            assert urlsplit(location).path == target, location
            if agent == DOCOMO_MOVA:
                assert sid_of(location) == sid, location
            page = client.get(location)
            assert page.status == 200
        assert_wire_format(page, agent, charset, keitai)
        # Members keep their menu on every page (their session held); visitors have none.
        has_menu = any(urlsplit(href).path == "/settings" for href, _ in page.links)
        assert has_menu == (who == "member"), url


def test_member_home_shows_the_same_on_both_trees(app, browser, make_member):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("taro", nickname="たろう", friends=(hanako,))
    for agent in (DOCOMO_MOVA, PC):
        home = log_in(browser(agent, cookies=agent == PC), "taro")
        assert "はなこ(1)" in home.text
        assert "たろう" in home.text


def _busy_member(app, make_member, *, friends: int, invitees: int, open_notes: int) -> str:
    """A member with long-named friends, invitees and open invitations; returns the e-mail."""
    email = "taro." + "a" * 60 + "@example.jp"
    taro = make_member("taro", nickname="長" * 20)
    with app.app_context():
        me = db.session.get(Member, taro)
        me.email = email
        now = utcnow()
        for n in range(max(friends, invitees)):
            other = Member(
                email=f"f{n}@example.jp",
                password_hash="x",
                nickname="友" * 20,
                birth_date=me.birth_date,
            )
            db.session.add(other)
            db.session.flush()
            if n < friends:
                befriend(me, other)
            if n < invitees:
                db.session.add(
                    Invitation(
                        token=f"used-{n:03d}-" + "x" * 12,
                        inviter_id=taro,
                        created_at=now,
                        expires_at=now + timedelta(days=14),
                        used_by_id=other.id,
                        used_at=now,
                    )
                )
        for n in range(open_notes):
            db.session.add(
                Invitation(
                    token=f"open-{n:03d}-" + "y" * 12,
                    inviter_id=taro,
                    note="招" * 100,
                    created_at=now,
                    expires_at=now + timedelta(days=14),
                )
            )
        db.session.commit()
    return email


def _member_pages_on_d501i(browser, email: str) -> dict[str, int]:
    phone = browser(DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": email, "password": PASSWORD})
    assert urlsplit(home.url).path == "/home", home.text
    sid = current_sid(home)
    sizes = {}
    for path in ("/home", "/invite", "/settings"):
        page = phone.get(with_sid(path, sid))
        assert page.status == 200, (path, page.status)
        sizes[path] = len(page.body)
    return sizes


def test_a_busy_members_pages_fit_the_oldest_docomo(app, browser, make_member):
    """Long nickname and address, many long-named friends, every open invitation allowed with
    the longest note: each page still fits the 5 KB of a D501i."""
    email = _busy_member(
        app, make_member, friends=40, invitees=0, open_notes=app.config["INVITATIONS_PER_MEMBER"]
    )
    sizes = _member_pages_on_d501i(browser, email)
    assert all(size <= 5120 for size in sizes.values()), sizes


def test_the_invite_page_of_a_member_who_invited_many_fits_the_oldest_docomo(
    app, browser, make_member
):
    """Everyone who joined through a member is listed on /invite; on a D501i the list must be
    paginated, not make the page larger than the phone takes."""
    email = _busy_member(app, make_member, friends=0, invitees=100, open_notes=0)
    sizes = _member_pages_on_d501i(browser, email)
    assert all(size <= 5120 for size in sizes.values()), sizes


# --- ?view= ---------------------------------------------------------------------------------


def test_view_pc_on_a_docomo_is_remembered_for_the_session(browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/login?view=pc")
    assert page.status == 200
    assert is_pc_tree(page)
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"  # the phone's charset
    sid = current_sid(page)
    assert sid
    # The next page, reached through a link of the page (carrying the session), stays PC.
    nxt = phone.get(with_sid("/", sid))
    assert is_pc_tree(nxt)
    # Back to the phone rendering.
    page = phone.get(with_sid("/?view=mobile", sid))
    assert not is_pc_tree(page)
    assert not is_pc_tree(phone.get(with_sid("/login", sid)))


def test_view_pc_on_a_docomo_follows_links(browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/?view=pc")
    assert is_pc_tree(page)
    link = next(href for href, _ in page.links if urlsplit(href).path == "/login")
    assert sid_of(link)
    assert is_pc_tree(phone.get(link))


def test_view_mobile_on_a_pc(browser):
    pc = browser(PC)
    page = pc.get("/login?view=mobile")
    assert page.status == 200
    assert not is_pc_tree(page)
    assert "accesskey" in page.text
    assert page.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert not is_pc_tree(pc.get("/"))
    assert is_pc_tree(pc.get("/?view=pc"))
    assert is_pc_tree(pc.get("/login"))


def test_view_choice_belongs_to_one_browser_only(browser):
    first = browser(PC)
    first.get("/?view=mobile")
    assert is_pc_tree(browser(PC).get("/"))


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [DOCOMO_MOVA, PC], ids=["docomo", "pc"])
def test_redirects_after_forms_are_absolute(browser, make_member, agent):
    make_member("taro", nickname="たろう")
    client = browser(agent, cookies=agent == PC)
    client.get("/login")
    page = client.submit("/login", {"email": "taro@example.jp", "password": PASSWORD}, follow=False)
    assert page.status == 302
    location = page.headers["Location"]
    assert location.startswith("http://localhost/home"), location
    assert "User-Agent" in page.headers.get("Vary", "")


# --- the 500 page ---------------------------------------------------------------------------


@pytest.fixture
def failing_app(app):
    """A second app on the same database whose /boom route raises, with errors not propagated."""
    keep = (
        "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI",
        "STRICT_TEMPLATES",
        "PAGE_BUDGET_STRICT",
        "RATELIMIT_STORAGE_URI",
        "SERVER_NAME",
        "PASSWORD_HASH_TIME_COST",
        "PASSWORD_HASH_MEMORY_COST",
        "PASSWORD_HASH_PARALLELISM",
    )
    second = create_app(
        {
            **{key: app.config[key] for key in keep},
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @second.route("/boom")
    def boom():
        raise RuntimeError("something broke")

    yield second
    with second.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("device", list(DEVICES))
def test_an_unexpected_error_gets_a_500_page_in_the_devices_format(failing_app, device):
    agent, charset, keitai = DEVICES[device]
    client = Browser(failing_app, agent, cookies=agent != DOCOMO_MOVA)
    page = client.get("/boom")
    assert page.status == 500
    assert_wire_format(page, agent, charset, keitai)
    title = "エラーが発生しました"
    assert (to_hankaku(title) if keitai and charset == "Shift_JIS" else title) in page.text
    assert "something broke" not in page.text
    assert "Traceback" not in page.text


def test_the_500_page_is_in_english_for_an_english_browser(failing_app):
    client = Browser(failing_app, PC, headers={"Accept-Language": "en"})
    page = client.get("/boom")
    assert page.status == 500
    assert page.html_lang == "en"
    assert "Something went wrong" in page.text


@pytest.mark.parametrize(
    "path", ["/users/99999999999", "/diaries/2147483648", "/topics/99999999999999"]
)
def test_ids_beyond_the_id_columns_are_404(browser, make_member, login, path):
    make_member("taro")
    pc = browser()
    login(pc, "taro")
    assert pc.get(path).status == 404

"""The demo world in real browsers: Debian's Chromium driven by Playwright, and w3m as a phone.

A real waitress serves a seeded database on a free loopback port for the whole module; one
Chromium runs for the session (Playwright's own browser download is not used: the system
binary is). Each flow is a member's: log in, read home, set a profile photo, write a diary
with a photo, comment, send a message, join a community, switch to English. Key pages are
opened at 1280, 390 and 320 px and must not scroll sideways; at phone widths every tap target
(link, button, input, select, summary) is at least 44 px tall. Screenshots go to
``build/screenshots/``.

w3m plays a docomo phone with cookies off: it logs in and reaches home through the portal's
own links (the session id travels in every URL).

Without Chromium or w3m these tests skip with a message, unless ``REQUIRE_BROWSER`` is set
(``.ci/run`` sets it and installs ``chromium``, ``fonts-noto-cjk`` and ``w3m``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urljoin

import pytest
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import select
from waitress.server import create_server

from portal import create_app, demo
from portal.extensions import db
from portal.models import Community, CommunityMember, Diary, Member
from tests.browser import DOCOMO_MOVA, IPHONE
from tests.fixtures.app import FAST_HASH

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
WIDTHS = {"pc": 1280, "phone": 390, "small": 320}
TAP = 44


def _need(tool: str, path: str | None) -> str:
    if path and Path(path).exists():
        return path
    message = f"{tool} is not installed: real-browser tests skipped"
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{tool} is required (REQUIRE_BROWSER)")
    pytest.skip(message)


# --- the server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A waitress serving the demo world on a free loopback port: its base URL and facts."""
    db_file = tmp_path_factory.mktemp("live") / "live.sqlite"
    app = create_app(
        {
            "SECRET_KEY": "live-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "STRICT_TEMPLATES": True,
            "PAGE_BUDGET_STRICT": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            **FAST_HASH,
        }
    )
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
        facts = _facts()
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    base = f"http://127.0.0.1:{server.effective_port}"
    app.config["PUBLIC_URL"] = base
    app.config["SERVER_HOSTS"] = [f"127.0.0.1:{server.effective_port}"]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield {"base": base, **facts}
    server.close()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


def _facts() -> dict:
    """Ids the flows need: はなこ, one of her diaries, and an open community たろう is not in."""
    taro = db.session.scalar(select(Member).where(Member.email == f"taro@{demo.DEMO_DOMAIN}"))
    hanako = db.session.scalar(select(Member).where(Member.email == f"hanako@{demo.DEMO_DOMAIN}"))
    diary = db.session.scalar(
        select(Diary)
        .where(Diary.author_id == hanako.id, Diary.visibility == "public")
        .order_by(Diary.id)
    )
    joined = select(CommunityMember.community_id).where(CommunityMember.member_id == taro.id)
    community = db.session.scalar(
        select(Community)
        .where(Community.join_policy == "open", Community.id.not_in(joined))
        .order_by(Community.id)
    )
    mine = db.session.scalar(select(Community.id).where(Community.id.in_(joined)))
    return {
        "taro": taro.id,
        "hanako": hanako.id,
        "hanako_diary": diary.id,
        "community": community.id,
        "my_community": mine,
    }


# --- Chromium -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium (the system's) for the module."""
    executable = _need("Chromium", CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
    )
    yield browser
    browser.close()
    playwright.stop()


def _page(chromium, site, width: int):
    phone = width < 1000
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        user_agent=IPHONE if phone else None,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
        locale="ja-JP",
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = site["base"]
    return page


def _log_in(page, account: str = "taro"):
    page.goto(page.base + "/login")
    page.fill("input[name=email]", f"{account}@{demo.DEMO_DOMAIN}")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")  # submits its own form, no script
    page.wait_for_load_state()


#: Visible tap targets shorter than the minimum: "tag text height".
SHORT_TARGETS = """(min) => [...document.querySelectorAll('a, button, input, select, summary')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
                 && getComputedStyle(e).visibility !== 'hidden'; })
  .filter(e => e.getBoundingClientRect().height < min)
  .map(e => `${e.tagName} ${(e.textContent || e.value || e.name || '').trim().slice(0, 24)}
             ${Math.round(e.getBoundingClientRect().height)}`)"""


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _check_layout(page, name: str, width: int) -> None:
    """No sideways scrolling; on phones no short tap target; a screenshot."""
    _screenshot(page, f"{name}-{width}")
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} at {width}px scrolls sideways: {scroll} > {inner}"
    if width < 1000:
        short = page.evaluate(SHORT_TARGETS, TAP)
        assert short == [], f"{name} at {width}px: tap targets under {TAP}px: {short[:10]}"


def _key_pages(site) -> dict[str, str]:
    return {
        "home": "/home",
        "profile": f"/users/{site['hanako']}",
        "diary": f"/diaries/{site['hanako_diary']}",
        "community": f"/communities/{site['my_community']}",
        "calendar": "/calendar",
        "messages": "/messages",
        "friends": "/friends",
    }


@pytest.mark.parametrize("width", list(WIDTHS.values()))
def test_key_pages_fit_the_screen(chromium, site, width):
    page = _page(chromium, site, width)
    _log_in(page)
    assert page.locator("h1").first.inner_text().startswith("たろう")
    for name, path in _key_pages(site).items():
        response = page.goto(page.base + path)
        assert response.status == 200, (path, response.status)
        _check_layout(page, name, width)
    page.context.close()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (255, 140, 0)).save(out, "JPEG")
    return out.getvalue()


def test_a_members_day_in_chromium(chromium, site, tmp_path):
    page = _page(chromium, site, WIDTHS["pc"])
    _log_in(page)
    assert "/home" in page.url or page.url.rstrip("/") == page.base
    home = page.locator("main")
    assert "はなこ" in home.inner_text(), "the friend grid shows はなこ"
    assert page.locator("aside.side ul.grid3 img").count() >= 10, "friends and communities"

    # A profile photo, which becomes the picture in my column.
    photo = tmp_path / "orange.jpg"
    photo.write_bytes(_jpeg())
    page.goto(page.base + "/settings/photos")
    before = page.locator("ul.profile-photos > li").count()
    add = page.locator("form[action$='/settings/photos']:has(input[type=file])")
    add.locator("input[type=file]").first.set_input_files(str(photo))
    add.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("ul.profile-photos > li").count() == before + 1
    if before:  # the demo gave me a photo: make the new one (the last) the main one
        page.locator("ul.profile-photos > li").last.locator("button").first.click()
        page.wait_for_load_state()
    page.goto(page.base + "/home")
    mine = page.locator(".me img").get_attribute("src")
    assert mine == f"/users/{site['taro']}/avatar?s=180", mine
    shown = page.request.get(page.base + mine)
    assert shown.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(shown.body())) as im:
        r, g, b = im.convert("RGB").getpixel((90, 90))
    assert r > 200, "my column shows the orange photo"
    assert 100 < g < 190
    assert b < 60

    # A diary with a photo.
    page.goto(page.base + "/diaries/new")
    page.fill("input[name=title]", "ブラウザからの日記")
    page.fill("textarea[name=body]", "Chromium で書きました。写真つき。")
    page.set_input_files("input[type=file]", str(photo))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "ブラウザからの日記"
    src = page.locator("main img").first.get_attribute("src")
    assert page.request.get(page.base + src).headers["content-type"] == "image/jpeg"

    # A comment on はなこ's diary.
    page.goto(page.base + f"/diaries/{site['hanako_diary']}")
    page.fill("textarea[name=body]", "いい日記ですね！")
    page.locator("form:has(textarea[name=body]) button[type=submit]").click()
    page.wait_for_load_state()
    assert "いい日記ですね！" in page.locator("main").inner_text()

    # A message to はなこ.
    page.goto(page.base + f"/messages/new?to={site['hanako']}")
    page.fill("input[name=subject]", "こんにちは")
    page.fill("textarea[name=body]", "週末あいてる？")
    page.locator("main button[type=submit]:not([name=draft])").last.click()
    page.wait_for_load_state()
    assert "メッセージを送信しました" in page.locator("p.flash").inner_text()

    # Join a community.
    page.goto(page.base + f"/communities/{site['community']}")
    members = page.locator("main dd a[href$='/members']").inner_text()
    page.locator(f"form[action$='/communities/{site['community']}/join'] button").click()
    page.wait_for_load_state()
    assert page.locator(f"a[href$='/communities/{site['community']}/leave']").count() == 1
    assert page.locator("main dd a[href$='/members']").inner_text() != members

    # Switch to English.
    page.locator("nav.languages a[hreflang=en]").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(page.base + "/home")
    assert page.locator("nav.tabs").inner_text().split()[0] == "Home"
    _check_layout(page, "home-en", WIDTHS["pc"])
    page.context.close()

    # はなこ, in her own browser, finds たろう's message and comment.
    hanako = _page(chromium, site, WIDTHS["phone"])
    _log_in(hanako, "hanako")
    hanako.goto(hanako.base + "/messages")
    assert "こんにちは" in hanako.locator("main").inner_text()
    hanako.goto(hanako.base + f"/diaries/{site['hanako_diary']}")
    assert "いい日記ですね！" in hanako.locator("main").inner_text()
    hanako.context.close()


def test_a_docomo_page_in_chromium(chromium, site):
    """A D501i's home as the phone would draw it (240 px wide, Shift_JIS, no cookies): the
    README's keitai screenshot."""
    context = chromium.new_context(
        viewport={"width": 240, "height": 320},
        user_agent=DOCOMO_MOVA,
        locale="ja-JP",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.base = site["base"]
    _log_in(page)
    assert "sid=" in page.url, "the session travels in the URL"
    assert "たろうさんのﾎｰﾑ" in page.locator("body").inner_text(), "half-width kana on a D501i"
    _screenshot(page, "keitai-home-240")
    context.close()


# --- w3m as a docomo phone ----------------------------------------------------------------


def _w3m(*args: str) -> bytes:
    """Run w3m as a docomo D501i that keeps no cookies; return what it printed."""
    w3m = _need("w3m", shutil.which("w3m"))
    command = [w3m, "-no-cookie", "-o", f"user_agent={DOCOMO_MOVA}", "-o", "accept_language=ja"]
    result = subprocess.run([*command, *args], capture_output=True, timeout=60, check=True)
    return result.stdout


def _screen(url: str, *post: str) -> str:
    """What w3m shows of ``url`` (with its numbered links), as NFC text."""
    out = _w3m("-dump", "-o", "display_link_number=1", "-O", "UTF-8", *post, url)
    # w3m shows half-width kana (ﾛｸﾞｲﾝ) as full-width with a spacing sound mark (ロク゛イン).
    text = out.decode("utf-8").replace("\u309b", "\u3099").replace("\u309c", "\u309a")
    return unicodedata.normalize("NFC", text)


def _link(screen: str, text: str) -> str:
    """The URL of the first numbered link on ``screen`` whose text contains ``text`` (after
    the link's number comes its access key, shown as ``[5]``)."""
    urls = dict(re.findall(r"^\[(\d+)\] (\S+)$", screen, re.M))
    for number, label in re.findall(r"\[(\d+)\](?:\[[^\]\n]*\])?([^\[\n]*)", screen):
        if text in label and number in urls:
            return urls[number]
    raise AssertionError(f"no link {text!r} on:\n{screen}")


def test_w3m_logs_in_as_a_cookieless_docomo_phone(site, tmp_path):
    """On the top page w3m posts the login form as a phone would (the session id in the form's
    URL, the CSRF token from the page), reaches home, and goes on by the portal's own links."""
    top = _screen(site["base"] + "/")
    assert "パスワード" in top
    source = _w3m("-dump_source", site["base"] + "/").decode("cp932")
    form = re.search(r'<form[^>]*action="((?:http://[^/"]+)?/login\?[^"]*)"', source).group(1)
    action = urljoin(site["base"], form.replace("&amp;", "&"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', source).group(1)
    assert "sid=" in action, "a cookie-less phone gets its session in the form's URL"
    post = tmp_path / "login.txt"
    post.write_text(
        f"csrf_token={token}&email=taro%40{demo.DEMO_DOMAIN}&password={demo.DEMO_PASSWORD}",
        encoding="ascii",
    )
    home = _screen(action, "-post", str(post))
    assert "たろうさんのホーム" in home, home
    assert "マイミクの最新日記" in home
    friends = _screen(_link(home, "マイミク一覧"))
    assert "はなこ" in friends, friends
    back = _link(friends, "ホーム")
    assert "sid=" in back
    assert "たろう" in _screen(back)

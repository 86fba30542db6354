"""The demo world in real browsers: Debian's Chromium driven by Playwright, and w3m as a phone.

A real waitress serves a seeded database on a free loopback port for the whole module; one
Chromium runs for the session (Playwright's own browser download is not used: the system
binary is). Each flow is a member's: log in, read home, set a profile photo, write a diary
with a photo, comment, send a message, join a community, switch to English. Key pages are
opened at 1280, 390 and 320 px and must not scroll sideways; at phone widths every tap target
(link, button, input, select, summary) is at least 44 px tall and no time (nor, in the
calendar, any word) is drawn broken over two lines. Screenshots go to
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
#: Furigana as a phone shows them: 漢字(かんじ).
KANJI_READING = re.compile(r"[\u4e00-\u9fff]+\([\u3041-\u309f]+\)")


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


#: The screenshots the README shows: the test's name for it -> its file in docs/screenshots/,
#: written (as palette PNGs, small) when PORTAL_SCREENSHOTS_DOCS is set.
README_SHOTS = {
    **{f"{key}-1280": f"pc-{key}" for key in ("home", "profile", "diary", "community", "calendar")},
    **{
        f"{key}-390": f"phone-{key}"
        for key in ("home", "profile", "diary", "community", "calendar")
    },
    "keitai-home-240": "keitai-home",
    "learner-diary-1280": "learner-pc",
    "learner-diary-390": "learner-phone",
    "learner-keitai-240": "learner-keitai",
}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


#: Tokens drawn over two lines: a time ("19:0 / 0") anywhere in main, and in the calendar any
#: word (Latin, digits, or a run of kana and kanji: "歯医 / 者").
BROKEN_TOKENS = r"""() => {
  const out = [], main = document.querySelector('main');
  const any = /\d{1,2}:\d{2}/g;
  const calendar = /\d{1,2}:\d{2}|[A-Za-z0-9]+|[\u3040-\u30ff\u4e00-\u9fff]+/g;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    const pattern = node.parentElement.closest('table.calendar') ? calendar : any;
    for (const m of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                           .map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  return out;
}"""


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("PORTAL_SCREENSHOTS_DOCS") and name in README_SHOTS:
        DOCS.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as shot:
            small = shot.convert("RGB").quantize(colors=96, dither=Image.Dither.NONE)
            small.save(DOCS / f"{README_SHOTS[name]}.png", optimize=True)


def _check_layout(page, name: str, width: int) -> None:
    """No sideways scrolling; on phones no short tap target; a screenshot."""
    _screenshot(page, f"{name}-{width}")
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{name} at {width}px scrolls sideways: {scroll} > {inner}"
    if width < 1000:
        short = page.evaluate(SHORT_TARGETS, TAP)
        assert short == [], f"{name} at {width}px: tap targets under {TAP}px: {short[:10]}"
        broken = page.evaluate(BROKEN_TOKENS)
        assert broken == [], f"{name} at {width}px: tokens broken over two lines: {broken[:10]}"


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


# --- learner mode (before the day below changes たろう's photo) ----------------------------


def test_learner_mode_on_a_pc_and_a_smartphone(chromium, site):
    """The footer's switch (a form, no script) turns furigana on: はなこ's diary shows ruby over
    its kanji and its words with their meanings, and still fits 1280 px; the setting is the
    account's, so たろう's smartphone shows them too (390 px), and its switch turns them off."""
    diary = f"/diaries/{site['hanako_diary']}"
    for width, switch in ((WIDTHS["pc"], "on"), (WIDTHS["phone"], "off")):
        page = _page(chromium, site, width)
        _log_in(page)
        page.goto(page.base + diary)
        if switch == "on":
            assert page.locator("main ruby").count() == 0, "furigana are off by default"
            page.locator("footer form button").click()
            page.wait_for_load_state()
            assert page.url.endswith(diary), "the switch comes back to the page"
        rubies = page.locator("#diary-body ruby")
        assert rubies.count() > 0, "the diary's kanji have furigana"
        reading = page.locator("#diary-body ruby rt").first.inner_text()
        assert re.fullmatch("[\u3041-\u309f]+", reading), reading
        assert page.locator("details.glossary").count() == 1, "the words in this post"
        assert page.locator("details.glossary a[href='/about/dictionaries']").count() == 1
        _check_layout(page, "learner-diary", width)
        if switch == "off":
            page.locator("footer form button").click()
            page.wait_for_load_state()
            assert page.locator("main ruby").count() == 0
        page.context.close()


def test_learner_mode_on_a_d501i(chromium, site):
    """On a D501i (no cookies) Settings → Reading turns furigana on; はなこ's diary shows
    漢字(かんじ) in Shift_JIS within 5 KB, drawn by Chromium at 240 px and read by w3m (the same
    session id in its URL) as the phone's text."""
    context = chromium.new_context(
        viewport={"width": 240, "height": 320},
        user_agent=DOCOMO_MOVA,
        locale="ja-JP",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.base = site["base"]
    _log_in(page, "hanako")
    sid = re.search(r"sid=([^&]+)", page.url).group(1)

    def choose(level: str) -> None:
        page.goto(page.base + f"/settings/reading?sid={sid}")
        page.locator(f"input[name=furigana][value='{level}']").check()
        page.locator("form:has(input[name=furigana]) input[type=submit]").click()
        page.wait_for_load_state()

    choose("all")
    diary = page.base + f"/diaries/{site['hanako_diary']}?sid={sid}"
    response = page.goto(diary)
    assert "Shift_JIS" in response.headers["content-type"]
    assert len(response.body()) <= 5120
    text = page.locator("body").inner_text()
    assert KANJI_READING.search(text), text
    _screenshot(page, "learner-keitai-240")
    screen = _screen(diary)
    assert KANJI_READING.search(screen), screen
    shown = re.sub(r"sid=[\w-]+", "sid=…", screen)  # the README's copy names no session
    (SCREENSHOTS / "learner-keitai-240.txt").write_text(shown, encoding="utf-8")
    if os.environ.get("PORTAL_SCREENSHOTS_DOCS"):
        (DOCS / "learner-keitai.txt").write_text(shown, encoding="utf-8")
    choose("")
    page.goto(diary)
    assert not KANJI_READING.search(page.locator("body").inner_text()), "furigana off again"
    context.close()


# --- a member's day -----------------------------------------------------------------------


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

"""Today's phones (4G flip phones, KaiOS) and the carriers' full browsers, as a member sees
them: the mobile pages in UTF-8, a session in a cookie (no id in any URL), number-key
accesskeys, the PC pages only on request; emoji the browser can show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser import sid_of
from tests.test_diary_pages import make_diary

AGENTS = {
    e["device"]: e["ua"]
    for e in json.loads(
        (Path(__file__).parent / "keitai" / "data" / "today_user_agents.json").read_text("utf-8")
    )
}
NOKIA = AGENTS["Nokia 8110 4G, KaiOS 2.5"]
TORQUE = AGENTS["au TORQUE X01 (KYF33), a 4G flip phone; the build id is elided in the source"]
DOCOMO_FULL = AGENTS["docomo F-02B, full browser"]


@pytest.mark.parametrize("agent", [NOKIA, TORQUE, DOCOMO_FULL], ids=["kaios", "garaho", "full"])
def test_mobile_pages_in_utf8_with_a_cookie_and_number_keys(browser, make_member, login, agent):
    make_member("taro", nickname="たろう")
    phone = browser(agent)
    top = phone.get("/")
    assert top.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert top.text.startswith("<!DOCTYPE html>")
    assert "main" not in top.tags  # the mobile tree
    home = login(phone, "taro")
    assert sid_of(home.url) is None
    assert not any(sid_of(href) for href, _ in home.links)
    assert {"0", "8", "*"} <= set(home.accesskeys)
    assert home.accesskeys["8"] == "#bottom"
    assert "たろう" in home
    assert len(home.body) <= 30 * 1024
    pc = phone.get("/home?view=pc")
    assert "main" in pc.tags  # the member's choice, for the rest of the session
    assert "main" in phone.get("/home").tags


def test_full_browsers_show_emoji_as_text_keypad_phones_as_unicode(
    app, browser, make_member, login
):
    taro = make_member("taro", nickname="たろう")
    diary = make_diary(app, taro, title="晴れ☀の日")
    full = browser(DOCOMO_FULL)
    login(full, "taro")
    assert "晴れ［晴れ］の日" in full.get(f"/diaries/{diary}")
    kaios = browser(NOKIA)
    login(kaios, "taro")
    assert "晴れ☀の日" in kaios.get(f"/diaries/{diary}")


@pytest.mark.parametrize(
    ("lang", "sun", "point"),
    [
        ("ja", "晴れ［晴れ］の日", "［ドコモポイント］"),
        ("en", "晴れ[sun]の日", "[DoCoMo point]"),
        ("zh", "晴れ［太阳］の日", "[DoCoMo point]"),
        ("ko", "晴れ[태양]の日", "[DoCoMo point]"),
    ],
)
def test_emoji_a_browser_lacks_are_named_in_the_readers_language(
    app, browser, make_member, login, lang, sun, point
):
    taro = make_member("taro", nickname="たろう", locale=lang)
    diary = make_diary(app, taro, title="晴れ☀の日", body="ポイント\U000fee13")
    full = browser(DOCOMO_FULL)
    login(full, "taro")
    page = full.get(f"/diaries/{diary}")
    assert sun in page
    pc = browser()
    login(pc, "taro")
    page = pc.get(f"/diaries/{diary}")
    assert "晴れ☀の日" in page
    assert "ポイント" + point in page

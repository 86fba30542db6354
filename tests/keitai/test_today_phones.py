"""Today's phones and the carriers' full browsers, over real user agents with their sources.

``data/today_user_agents.json`` holds each string with where it was found (``source``), the
device it names, and the answers :func:`~portal.keitai.detect` must give: ``carrier``,
``model`` and, for docomo's full browser and au's PC-site viewer, ``full_browser``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portal.keitai import emoji
from portal.keitai.carriers import EMOJI_AS_TEXT, PAGE_BUDGETS
from portal.keitai.device import detect
from portal.keitai.uploads import can_upload

ENTRIES: list[dict[str, Any]] = json.loads(
    (Path(__file__).with_name("data") / "today_user_agents.json").read_text(encoding="utf-8")
)
DOCOMO_GATEWAY = "210.153.84.1"
AU_GATEWAY = "210.230.128.225"


def cases(keep=lambda entry: True):
    return [pytest.param(e, id=e["ua"][:40]) for e in ENTRIES if keep(e)]


def test_every_entry_names_its_source() -> None:
    assert len(ENTRIES) >= 8
    for entry in ENTRIES:
        assert entry["source"], entry
        assert entry["device"], entry


@pytest.mark.parametrize("entry", cases())
def test_carrier_and_model(entry: dict[str, Any]) -> None:
    device = detect({"HTTP_USER_AGENT": entry["ua"]})
    assert (device.carrier, device.model) == (entry["carrier"], entry["model"])
    assert device.full_browser is entry.get("full_browser", False)


@pytest.mark.parametrize("entry", cases(lambda e: e["carrier"] != "smartphone"))
def test_served_mobile_pages_in_utf8_with_cookies(entry: dict[str, Any]) -> None:
    device = detect({"HTTP_USER_AGENT": entry["ua"], "wsgi.url_scheme": "https"})
    assert device.prefers_mobile
    assert not device.is_keitai  # no i-mode/EZweb browser: no cHTML, no Shift_JIS
    assert (device.encoding, device.charset, device.cookies) == ("utf-8", "UTF-8", True)
    assert device.max_page_bytes == PAGE_BUDGETS["full_browser"] == 30 * 1024


def test_an_au_smartphone_is_no_flip_phone() -> None:
    (entry,) = (e for e in ENTRIES if e["carrier"] == "smartphone")
    device = detect({"HTTP_USER_AGENT": entry["ua"]})
    assert not device.prefers_mobile
    assert device.max_page_bytes is None


def test_screens() -> None:
    by_carrier = {e["carrier"]: detect({"HTTP_USER_AGENT": e["ua"]}) for e in ENTRIES}
    assert by_carrier["kaios"].screen_width == 240  # QVGA
    assert by_carrier["garaho"].screen_width == 480


def _full(carrier: str) -> dict[str, Any]:
    return next(e for e in ENTRIES if e.get("full_browser") and e["carrier"] == carrier)


def test_full_browsers_keep_their_carriers_subscriber_id() -> None:
    docomo = {"HTTP_USER_AGENT": _full("docomo")["ua"], "HTTP_X_DCMGUID": "abc1234"}
    assert detect({**docomo, "REMOTE_ADDR": DOCOMO_GATEWAY}).subscriber_id == "abc1234"
    assert detect({**docomo, "REMOTE_ADDR": "203.0.113.9"}).subscriber_id is None
    au = {"HTTP_USER_AGENT": _full("au")["ua"], "HTTP_X_UP_SUBNO": "05001234567_ab.ezweb.ne.jp"}
    assert detect({**au, "REMOTE_ADDR": AU_GATEWAY}).subscriber_id.startswith("05001234567")
    assert detect({**au, "REMOTE_ADDR": DOCOMO_GATEWAY}).subscriber_id is None


def test_today_phones_send_no_subscriber_id() -> None:
    entry = next(e for e in ENTRIES if e["carrier"] == "garaho")
    environ = {"HTTP_USER_AGENT": entry["ua"], "HTTP_X_UP_SUBNO": "x", "REMOTE_ADDR": AU_GATEWAY}
    assert detect(environ).subscriber_id is None


def test_full_browsers_show_emoji_as_text_and_send_their_carriers() -> None:
    device = detect({"HTTP_USER_AGENT": _full("docomo")["ua"]})
    assert device.emoji_carrier == EMOJI_AS_TEXT
    assert emoji.for_carrier("晴れ☀", device.emoji_carrier, device.encoding) == "晴れ［晴れ］"
    # What the handset types arrives in its carrier's code points, on a UTF-8 page.
    assert emoji.to_stored("\ue63e", device.carrier, device.encoding) == "☀"
    au = detect({"HTTP_USER_AGENT": _full("au")["ua"]})
    assert emoji.to_stored("\uef60", au.carrier, au.encoding) == "☀"


def test_keypad_phones_show_unicode_emoji() -> None:
    for carrier in ("kaios", "garaho"):
        entry = next(e for e in ENTRIES if e["carrier"] == carrier)
        device = detect({"HTTP_USER_AGENT": entry["ua"]})
        assert emoji.for_carrier("☀", device.emoji_carrier, device.encoding) == "☀"


def test_uploads() -> None:
    verdicts = {
        (e["carrier"], e.get("full_browser", False)): can_upload(
            detect({"HTTP_USER_AGENT": e["ua"]})
        )
        for e in ENTRIES
    }
    assert verdicts[("garaho", False)] is True  # Android's browser
    assert verdicts[("kaios", False)] is False  # nothing we hold documents it
    assert verdicts[("docomo", True)] is verdicts[("au", True)] is False

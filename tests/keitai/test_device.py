"""Table-driven tests of :func:`portal.keitai.detect` over every user agent in ``data/``.

``data/user_agents.json`` holds the user agents (with headers and addresses) of the public keitai
libraries' test suites (see ``data/SOURCES.md``). Each entry's ``carrier`` and non-null ``model``
are our required answers; ``expect`` holds the source library's own assertions, checked here
where they describe something :class:`~portal.keitai.device.Device` models.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest

from portal.keitai import gateways
from portal.keitai.carriers import PAGE_BUDGETS
from portal.keitai.device import Device, detect

DATA_DIR = Path(__file__).with_name("data")
ENTRIES: list[dict[str, Any]] = json.loads(
    (DATA_DIR / "user_agents.json").read_text(encoding="utf-8")
)
KEITAI = frozenset({"docomo", "au", "softbank", "willcom"})
KB = 1024

DOCOMO_GATEWAY = "210.153.84.1"
AU_GATEWAY = "210.230.128.225"
SOFTBANK_GATEWAY = "210.146.7.199"


def environ_for(entry: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """Build a WSGI environ from an entry's ``ua``, ``remote_addr`` and ``extra_headers``."""
    environ: dict[str, Any] = {"HTTP_USER_AGENT": entry["ua"], "wsgi.url_scheme": "http"}
    if entry.get("remote_addr"):
        environ["REMOTE_ADDR"] = entry["remote_addr"]
    for name, value in (entry.get("extra_headers") or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    environ.update(overrides)
    return environ


def cases(keep=lambda entry: True) -> list[Any]:
    """Return pytest params for the entries ``keep`` accepts, with ids "index-short UA"."""
    return [
        pytest.param(entry, id=f"{index:04d}-{re.sub(r'[^A-Za-z0-9.]+', '_', entry['ua'][:28])}")
        for index, entry in enumerate(ENTRIES)
        if keep(entry)
    ]


def entry_with(ua_prefix: str, header: str) -> dict[str, Any]:
    """Return the first entry whose UA starts with ``ua_prefix`` and that sends ``header``."""
    return next(
        entry
        for entry in ENTRIES
        if entry["ua"].startswith(ua_prefix) and header in (entry.get("extra_headers") or {})
    )


def test_data_is_the_full_shared_table() -> None:
    assert len(ENTRIES) == 1105
    assert all(entry["source"] for entry in ENTRIES)


# -- carrier, model, encoding -----------------------------------------------------------------


def check_carrier(entry: dict[str, Any], device: Device) -> None:
    assert device.carrier == entry["carrier"]
    assert device.is_keitai is (entry["carrier"] in KEITAI)
    assert device.is_smartphone is (entry["carrier"] == "smartphone")
    assert device.user_agent == entry["ua"]


def check_model(entry: dict[str, Any], device: Device) -> None:
    if entry["model"] is not None:
        assert device.model == entry["model"]


def expected_encoding(entry: dict[str, Any]) -> str:
    """Shift_JIS (cp932) for docomo, au and 2G J-PHONE handsets; UTF-8 for the rest (A2)."""
    if entry["carrier"] in ("docomo", "au"):
        return "cp932"
    if entry["carrier"] == "softbank" and re.match(r"(?i)J-PHONE/|J-EMULATOR", entry["ua"]):
        return "cp932"
    return "utf-8"


CHARSET_KEYS = ("form_accept_charset", "input_charset", "response_content_type", "encoding")


def check_encoding(entry: dict[str, Any], device: Device) -> None:
    assert device.encoding == expected_encoding(entry)
    assert device.charset == ("Shift_JIS" if device.encoding == "cp932" else "UTF-8")
    for key in CHARSET_KEYS:
        if key in entry["expect"]:
            assert device.charset.lower() in entry["expect"][key].lower()


# -- cookies ----------------------------------------------------------------------------------

# Every library verdict in the table agrees with our rules, so there is no exception set.
# (jpmobile would give cookies to the mova-style "DoCoMo/1.1/P711m/c10" and "DoCoMo/3.0/N503",
# which carry no supports_cookie expectation; we do not: see test_mova_never_keeps_cookies.)


def check_cookies(entry: dict[str, Any], device: Device) -> None:
    if "supports_cookie" in entry["expect"]:
        assert device.cookies is entry["expect"]["supports_cookie"]


@pytest.mark.parametrize("ua", ["DoCoMo/1.1/P711m/c10", "DoCoMo/3.0/N503"])
def test_mova_never_keeps_cookies(ua: str) -> None:
    assert detect({"HTTP_USER_AGENT": ua}).cookies is False


def test_docomo_browser2_keeps_cookies() -> None:
    assert detect({"HTTP_USER_AGENT": "DoCoMo/3.0 N01A(c500;TB;W24H16)"}).cookies is True


def test_au_has_no_cookies_over_https() -> None:
    environ = {"HTTP_USER_AGENT": "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"}
    assert detect({**environ, "wsgi.url_scheme": "http"}).cookies is True
    assert detect({**environ, "wsgi.url_scheme": "https"}).cookies is False


# -- page budget ------------------------------------------------------------------------------

_MOVA_CACHE = re.compile(r"DoCoMo/\d\.\d/[^/\s]+/c(\d+)(?=/|\s|$)")
_FOMA_OPTIONS = re.compile(r"DoCoMo/\d\.\d [^(\s]+\(([^)]*)")


def docomo_cache_kb(ua: str) -> int:
    """Return the KB of a docomo UA's cNN token, 5 when it names none (KEITAI.md B1)."""
    mova = _MOVA_CACHE.match(ua)
    if mova:
        return int(mova.group(1))
    foma = _FOMA_OPTIONS.match(ua)
    tokens = foma.group(1).split(";") if foma else []
    sizes = [int(token[1:]) for token in tokens if re.fullmatch(r"c\d+", token)]
    return sizes[0] if sizes else 5


def expected_docomo_budget(ua: str) -> int:
    """cNN KB, capped at the documented 30 KB of text per page (KEITAI.md B1)."""
    return min(docomo_cache_kb(ua), 30) * KB


CACHE_KEYS = ("cache_size_kb", "cache_size", "c")


def check_page_budget(entry: dict[str, Any], device: Device) -> None:
    budget = device.max_page_bytes
    if entry["carrier"] not in KEITAI:
        assert budget is None
        return
    assert isinstance(budget, int)
    assert 5 * KB <= budget <= 500 * KB
    if entry["carrier"] == "docomo":
        assert budget == expected_docomo_budget(entry["ua"])
    for key in CACHE_KEYS:
        if key in entry["expect"]:  # the libraries' own cache-size readings
            kb = entry["expect"][key] or 5
            assert budget == (min(kb, 30) if entry["carrier"] == "docomo" else kb) * KB


def test_oldest_docomo() -> None:
    device = detect({"HTTP_USER_AGENT": "DoCoMo/1.0/D501i"})
    assert (device.carrier, device.model, device.encoding) == ("docomo", "D501i", "cp932")
    assert device.cookies is False
    assert device.max_page_bytes == 5120


def test_au_budget_from_max_pdu() -> None:
    entry = entry_with("KDDI-SA35", "X-UP-DEVCAP-MAX-PDU")
    assert detect(environ_for(entry)).max_page_bytes == 131072
    ua = {"HTTP_USER_AGENT": entry["ua"]}
    assert detect(ua).max_page_bytes == PAGE_BUDGETS["au"] == 9 * KB
    assert detect({**ua, "HTTP_X_UP_DEVCAP_MAX_PDU": "spam"}).max_page_bytes == 9 * KB
    assert detect({**ua, "HTTP_X_UP_DEVCAP_MAX_PDU": "99999999"}).max_page_bytes == 500 * KB
    assert detect({**ua, "HTTP_X_UP_DEVCAP_MAX_PDU": "1000"}).max_page_bytes == 5 * KB


def test_au_wap1_ignores_max_pdu() -> None:
    environ = {
        "HTTP_USER_AGENT": "UP.Browser/3.04-KCTA UP.Link/3.4.5.9",
        "HTTP_X_UP_DEVCAP_MAX_PDU": "131072",
    }
    assert detect(environ).max_page_bytes == 5 * KB


# -- screen width -----------------------------------------------------------------------------

DISPLAY_HEADERS = ("X-UP-DEVCAP-SCREENPIXELS", "X-JPHONE-DISPLAY", "X-S-DISPLAY-INFO")


def width_from_headers(entry: dict[str, Any]) -> bool:
    """Whether the source library read the entry's display width from a header.

    docomo widths in the table come from per-model tables (jpmobile-terminfo, uamobile's
    display map) that we do not ship; docomo gets the KEITAI.md B6 defaults instead.
    """
    display = entry["expect"].get("display")
    headers = entry.get("extra_headers") or {}
    return (
        isinstance(display, dict)
        and display.get("width") is not None
        and any(name in headers for name in DISPLAY_HEADERS)
    )


def check_screen_width(entry: dict[str, Any], device: Device) -> None:
    width = device.screen_width
    if entry["carrier"] not in KEITAI:
        assert width is None
    elif width_from_headers(entry):
        assert width == entry["expect"]["display"]["width"]
    else:
        assert isinstance(width, int)
        assert 90 <= width <= 480


def test_softbank_content_area_header() -> None:
    environ = {
        "HTTP_USER_AGENT": "SoftBank/1.0/920SH/SHJ001 Browser/NetFront/3.4 Profile/MIDP-2.0",
        "HTTP_X_S_DISPLAY_INFO": "468*540/29*16/TB",
        "HTTP_X_JPHONE_DISPLAY": "480*854",
    }
    assert detect(environ).screen_width == 468


# -- crawlers ---------------------------------------------------------------------------------

# uamobile's is_crawler() judges by source address (its crawler CIDR list), we by UA tokens
# only; these verdicts therefore differ, by design.
IP_ONLY_CRAWLER_VERDICTS = {
    # No crawler token in the UA; uamobile knows 60.43.36.253 as froute's crawler.
    ("DoCoMo/2.0 M702iS(c100;TB;W24H13;ser333333033303333;icc8981100000333333333F)", True),
    # Crawler tokens from addresses outside the crawlers' lists: still flagged by us.
    (
        "DoCoMo/1.0/N505i/c20/TB/W20H10 (compatible; Googlebot-Mobile/2.1; "
        "+http://www.google.com/bot.html)",
        False,
    ),
    (
        "DoCoMo/2.0 P900i(c100;TB;W24H11)(compatible; ichiro/mobile goo; "
        "+http://help.goo.ne.jp/door/crawler.html)",
        False,
    ),
}


def crawler_verdict(entry: dict[str, Any]) -> bool | None:
    expect = entry["expect"]
    return expect.get("crawler", expect.get("is_crawler"))


def check_crawler(entry: dict[str, Any], device: Device) -> None:
    verdict = crawler_verdict(entry)
    if verdict is None:
        return
    if (entry["ua"], verdict) in IP_ONLY_CRAWLER_VERDICTS:
        assert device.is_crawler is not verdict
    else:
        assert device.is_crawler is verdict
    assert device.carrier == entry["carrier"]  # a mobile crawler keeps its keitai carrier


def test_ip_only_crawler_verdicts_are_in_the_table() -> None:
    table = {(entry["ua"], entry["expect"].get("is_crawler")) for entry in ENTRIES}
    assert IP_ONLY_CRAWLER_VERDICTS <= table


# -- gateways ---------------------------------------------------------------------------------


def proxied(entry: dict[str, Any]) -> bool:
    return "X-Forwarded-For" in (entry.get("extra_headers") or {})


def check_valid_ip(entry: dict[str, Any], device: Device) -> None:
    if "valid_ip" in entry["expect"] and not proxied(entry):
        in_range = gateways.carrier_for_ip(entry.get("remote_addr")) == entry["carrier"]
        assert in_range is entry["expect"]["valid_ip"]


# uamobile's proxy cases (X-Forwarded-For behind a trusted 127.0.0.1) need a trusted_proxies
# option that detect() does not have yet; REMOTE_ADDR alone decides, so they are left out.
def check_is_bogus(entry: dict[str, Any], device: Device) -> None:
    if "is_bogus" in entry["expect"] and not proxied(entry):
        in_range = gateways.carrier_for_ip(entry.get("remote_addr")) == entry["carrier"]
        assert in_range is not entry["expect"]["is_bogus"]


@pytest.mark.parametrize(
    ("address", "carrier"),
    [
        (DOCOMO_GATEWAY, "docomo"),
        ("210.153.84.0", "docomo"),
        ("210.153.84.255", "docomo"),
        ("210.153.85.0", None),
        (AU_GATEWAY, "au"),
        ("210.230.128.224", "au"),
        (SOFTBANK_GATEWAY, "softbank"),
        ("123.108.237.0", "softbank"),
        ("61.198.142.1", "willcom"),
        ("::ffff:210.153.84.1", "docomo"),
        ("127.0.0.1", None),
        ("2001:db8::1", None),
        ("unknown", None),
        ("", None),
        (None, None),
    ],
)
def test_carrier_for_ip(address: str | None, carrier: str | None) -> None:
    assert gateways.carrier_for_ip(address) == carrier


def test_every_listed_network_maps_to_its_carrier() -> None:
    for carrier, networks in gateways.carrier_networks().items():
        for network in networks:
            assert gateways.carrier_for_ip(str(network.network_address)) == carrier
            assert gateways.carrier_for_ip(str(network.broadcast_address)) == carrier


def test_range_file_matches_the_generator() -> None:
    repo = Path(__file__).resolve().parents[2]
    source = repo.parent / "shared" / "data" / "carrier_ip_ranges.json"
    if not source.exists():
        pytest.skip("shared carrier data not present")
    spec = importlib.util.spec_from_file_location(
        "carrier_ranges", repo / "tools/carrier_ranges.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads(gateways.DATA_PATH.read_text(encoding="utf-8"))
    assert module.build(source)["carriers"] == shipped["carriers"]


# -- subscriber IDs ---------------------------------------------------------------------------


def subscriber_case(ua_prefix: str, header: str) -> tuple[dict[str, Any], str]:
    entry = entry_with(ua_prefix, header)
    return entry, entry["extra_headers"][header]


def test_docomo_guid_from_docomo_gateway() -> None:
    entry, guid = subscriber_case("DoCoMo/2.0 SH905i", "X-DCMGUID")
    assert detect(environ_for(entry, REMOTE_ADDR=DOCOMO_GATEWAY)).subscriber_id == guid


def test_docomo_guid_from_elsewhere_is_refused() -> None:
    entry, _ = subscriber_case("DoCoMo/2.0 SH905i", "X-DCMGUID")
    assert detect(environ_for(entry, REMOTE_ADDR="127.0.0.1")).subscriber_id is None
    assert detect(environ_for(entry)).subscriber_id is None  # no REMOTE_ADDR at all


def test_docomo_guid_from_au_gateway_is_refused() -> None:
    entry, _ = subscriber_case("DoCoMo/2.0 SH905i", "X-DCMGUID")
    assert detect(environ_for(entry, REMOTE_ADDR=AU_GATEWAY)).subscriber_id is None


def test_au_subno_from_au_gateway() -> None:
    entry, subno = subscriber_case("KDDI-CA32", "X-UP-SUBNO")
    assert detect(environ_for(entry, REMOTE_ADDR=AU_GATEWAY)).subscriber_id == subno


def test_softbank_uid_from_softbank_gateway() -> None:
    entry, uid = subscriber_case("SoftBank/1.0/910T", "X-JPHONE-UID")
    assert detect(environ_for(entry, REMOTE_ADDR=SOFTBANK_GATEWAY)).subscriber_id == uid


def test_other_carriers_header_is_ignored() -> None:
    # The docomo gateway passes an au header through untouched: it proves nothing.
    environ = {
        "HTTP_USER_AGENT": "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
        "HTTP_X_DCMGUID": "abcdef0",
        "HTTP_X_UP_SUBNO": "00000000000000_mj.ezweb.ne.jp",
        "REMOTE_ADDR": DOCOMO_GATEWAY,
    }
    assert detect(environ).subscriber_id is None


def test_pc_never_has_a_subscriber_id() -> None:
    environ = {"HTTP_USER_AGENT": "Mozilla/5.0", "HTTP_X_DCMGUID": "abcdef0"}
    assert detect({**environ, "REMOTE_ADDR": DOCOMO_GATEWAY}).subscriber_id is None


@pytest.mark.parametrize("value", ["", "   ", "NULLGWDOCOMO", "nullgwdocomo", "abc def", "a\r\nb"])
def test_placeholder_subscriber_ids_are_refused(value: str) -> None:
    environ = {
        "HTTP_USER_AGENT": "DoCoMo/2.0 SH905i(c100;TB;W24H16)",
        "HTTP_X_DCMGUID": value,
        "REMOTE_ADDR": DOCOMO_GATEWAY,
    }
    assert detect(environ).subscriber_id is None


SUBSCRIBER_HEADERS = {"docomo": "X-DCMGUID", "au": "X-UP-SUBNO", "softbank": "X-JPHONE-UID"}
GATEWAYS = {"docomo": DOCOMO_GATEWAY, "au": AU_GATEWAY, "softbank": SOFTBANK_GATEWAY}


def sends_subscriber_id(entry: dict[str, Any]) -> bool:
    header = SUBSCRIBER_HEADERS.get(entry["carrier"])
    return header is not None and header in (entry.get("extra_headers") or {})


def check_subscriber_id_needs_the_gateway(entry: dict[str, Any], device: Device) -> None:
    if not sends_subscriber_id(entry):
        return
    value = entry["extra_headers"][SUBSCRIBER_HEADERS[entry["carrier"]]]
    gateway = GATEWAYS[entry["carrier"]]
    assert detect(environ_for(entry, REMOTE_ADDR="192.0.2.1")).subscriber_id is None
    assert detect(environ_for(entry, REMOTE_ADDR=gateway)).subscriber_id == (value or None)


# -- one test per row ---------------------------------------------------------------------------

#: What the table says about each user agent; a row's test runs every check that applies to it.
ROW_CHECKS = (
    check_carrier,
    check_model,
    check_encoding,
    check_cookies,
    check_page_budget,
    check_screen_width,
    check_crawler,
    check_valid_ip,
    check_is_bogus,
    check_subscriber_id_needs_the_gateway,
)


@pytest.mark.parametrize("entry", cases())
def test_user_agent_row(entry: dict[str, Any]) -> None:
    """Every fact of one row: carrier, model, encoding, cookies, page budget, screen width,
    crawler verdict, gateway address and subscriber id (each check says which, on failure)."""
    device = detect(environ_for(entry))
    for check in ROW_CHECKS:
        try:
            check(entry, device)
        except AssertionError as error:
            raise AssertionError(f"{check.__name__}: {error}") from error


# -- robustness and the Device type -----------------------------------------------------------


@pytest.mark.parametrize(
    "user_agent",
    [
        None,
        "",
        "   ",
        bytes(range(256)),
        bytes(range(256)).decode("latin-1"),
        "\x00\xff\ufffd DoCoMo/",
        "DoCoMo/",
        "KDDI-",
        "UP.Browser/",
        "J-PHONE/",
        "Mozilla/3.0(WILLCOM;",
        "x" * 100_000,
        12345,
    ],
)
def test_odd_user_agents_never_raise(user_agent: Any) -> None:
    device = detect({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": "not an address"})
    assert isinstance(device, Device)
    assert device.carrier in {"pc", "docomo", "au", "softbank", "willcom"}


@pytest.mark.parametrize("user_agent", ["", "   ", bytes(range(256)), None])
def test_empty_or_garbage_user_agent_is_pc(user_agent: Any) -> None:
    device = detect({"HTTP_USER_AGENT": user_agent})
    assert device.carrier == "pc"
    assert device == Device.pc(device.user_agent)


def test_missing_user_agent_is_pc() -> None:
    assert detect({}) == Device.pc()


def test_client_hints_make_a_smartphone() -> None:
    pc = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"
    assert detect({"HTTP_USER_AGENT": pc}).carrier == "pc"
    hints = {"HTTP_SEC_CH_UA_PLATFORM": '"Android"', "HTTP_SEC_CH_UA_MOBILE": "?1"}
    assert detect({"HTTP_USER_AGENT": pc, **hints}).carrier == "smartphone"
    # Keitai UAs are matched first, as in jpmobile.
    keitai = {"HTTP_USER_AGENT": "DoCoMo/2.0 SH902i(c100;TB;W24H16)", **hints}
    assert detect(keitai).carrier == "docomo"


def test_device_defaults_and_properties() -> None:
    device = Device.pc()
    assert device.carrier == "pc"
    assert device.is_keitai is False
    assert device.cookies is True
    assert device.encoding == "utf-8"
    assert device.charset == "UTF-8"
    assert device.max_page_bytes is None
    assert device.screen_width is None
    assert not hasattr(device, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        device.carrier = "docomo"  # type: ignore[misc]

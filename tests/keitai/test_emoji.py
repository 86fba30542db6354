"""Emoji: every carrier table entry in and out, cross-carrier output, the wiring.

The per-entry tests run over the rows of the carriers' tables as the generated module records
them (``*_ENTRIES``); the tests marked "data" re-derive the expectations from the shared source
files themselves and are skipped when ``../shared/data`` is absent.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote_from_bytes

import pytest
from flask import Flask, request
from werkzeug.test import Client

from portal.keitai import Keitai
from portal.keitai import _emoji_tables as tables
from portal.keitai.device import detect
from portal.keitai.emoji import fallback, for_carrier, to_stored
from portal.keitai.encoding import GETA, encode_page
from portal.keitai.input_decoding import transcode_urlencoded
from portal.keitai.wsgi import InputDecodingMiddleware

from .test_encoding import Recorder

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="shared emoji data not present")

URLENCODED = "application/x-www-form-urlencoded"
UA = {
    "docomo": "DoCoMo/2.0 SH902i(c100;TB;W24H12)",
    "au": "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
    "softbank": "SoftBank/1.0/910T/TJ001/SN123456789012345 Browser/NetFront/3.3",
    "jphone": "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0",
    "willcom": "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0",
    "smartphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15",
    "pc": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/128.0",
}

#: Every kind of output page: (carrier, page encoding).
TARGETS = [
    ("docomo", "cp932"),
    ("au", "cp932"),
    ("softbank", "utf-8"),
    ("softbank", "cp932"),  # J-PHONE
    ("willcom", "utf-8"),
    ("smartphone", "utf-8"),
    ("pc", "utf-8"),
]

WEBCODE = re.compile("\x1b\\$[EFGOPQ][\x21-\x7e]+\x0f")

DOCOMO_PUA = {chr(int(row[2], 16)) for row in tables.DOCOMO_ENTRIES}
AU_CP932 = {bytes.fromhex(row[1]).decode("cp932") for row in tables.AU_ENTRIES}
SOFTBANK_PUA = {chr(int(row[3], 16)) for row in tables.SOFTBANK_ENTRIES}
SOFTBANK_WEBCODES = {bytes.fromhex(row[1]).decode("ascii") for row in tables.SOFTBANK_ENTRIES}

#: Each target's own symbols, as the text :func:`for_carrier` gives.
NATIVE = {
    ("docomo", "cp932"): DOCOMO_PUA,
    ("au", "cp932"): AU_CP932,
    ("softbank", "utf-8"): SOFTBANK_PUA,
    ("softbank", "cp932"): SOFTBANK_WEBCODES,
}


def _id(carrier: str, number: str) -> str:
    return f"{carrier}-{number.replace('拡', 'ext')}"


def _is_google(text: str) -> bool:
    return len(text) == 1 and 0xFE000 <= ord(text) <= 0xFEFFF


def _is_private(char: str) -> bool:
    return 0xE000 <= ord(char) <= 0xF8FF or ord(char) >= 0xF0000


def posted(carrier: str, encoding: str, raw: bytes) -> str:
    """Return what a view sees of the form value ``raw`` sent by the device."""
    body = b"t=" + quote_from_bytes(raw).encode("ascii")
    post = functools.partial(to_stored, carrier=carrier, encoding=encoding)
    out = transcode_urlencoded(body, encoding, post=post)
    return parse_qs(out.decode("ascii"))["t"][0]


def page(carrier: str, encoding: str, text: str) -> bytes:
    """Return the bytes of a page holding the stored ``text``, as sent to the device."""
    pre = functools.partial(for_carrier, carrier=carrier, encoding=encoding)
    return encode_page(text, encoding, carrier=carrier, pre=pre)


def check_output(stored: str, carrier: str, encoding: str) -> None:
    """Assert the device gets its own symbol or the fallback, never 〓, "?" or foreign PUA."""
    out = for_carrier(stored, carrier, encoding)
    text_fallback = tables.TEXT_FALLBACK[stored]
    native = NATIVE.get((carrier, encoding))

    if carrier in ("pc", "smartphone"):
        assert out == (text_fallback if _is_google(stored) else stored)
    elif native is None:
        assert out == text_fallback
    elif out != text_fallback:
        parts = WEBCODE.findall(out) if encoding == "cp932" and carrier == "softbank" else out
        assert "".join(parts) == out
        assert set(parts) <= native, f"{out!r} is not {carrier}'s own"

    shown = page(carrier, encoding, stored).decode(encoding)
    assert GETA not in shown
    assert shown.count("?") == out.count("?")
    foreign = {char for char in shown if _is_private(char)} - (native or set())
    assert not foreign, f"foreign private-use characters {foreign}"


# -- docomo -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", tables.DOCOMO_ENTRIES, ids=[_id("docomo", row[0]) for row in tables.DOCOMO_ENTRIES]
)
def test_docomo_entry(entry: tuple) -> None:
    _, sjis, unicode, _ = entry
    raw = bytes.fromhex(sjis)
    stored = posted("docomo", "cp932", raw)

    assert stored in tables.TEXT_FALLBACK
    assert not any(0xE000 <= ord(char) <= 0xF8FF for char in stored)
    assert page("docomo", "cp932", stored) == raw
    assert to_stored(chr(int(unicode, 16)), "docomo", "utf-8") == stored
    for carrier, encoding in TARGETS:
        check_output(stored, carrier, encoding)


# -- au -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry", tables.AU_ENTRIES, ids=[_id("au", row[0]) for row in tables.AU_ENTRIES]
)
def test_au_entry(entry: tuple) -> None:
    _, sjis, unicode, unicode_auto, _ = entry
    raw = bytes.fromhex(sjis)
    stored = posted("au", "cp932", raw)

    assert stored in tables.TEXT_FALLBACK
    assert not any(0xE000 <= ord(char) <= 0xF8FF for char in stored)
    assert page("au", "cp932", stored) == raw
    # On a UTF-8 page au sends its official PUA or its "auto" code point; the latter is
    # recognised whatever the device.
    assert posted("au", "utf-8", chr(int(unicode, 16)).encode()) == stored
    auto = chr(int(unicode_auto, 16)).encode()
    assert posted("au", "utf-8", auto) == stored
    assert posted("pc", "utf-8", auto) == stored
    assert page("au", "utf-8", stored) == chr(int(unicode, 16)).encode()
    for carrier, encoding in TARGETS:
        check_output(stored, carrier, encoding)


# -- SoftBank -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    tables.SOFTBANK_ENTRIES,
    ids=[_id("softbank", row[0]) for row in tables.SOFTBANK_ENTRIES],
)
def test_softbank_entry(entry: tuple) -> None:
    _, webcode, sjis_auto, unicode, _ = entry
    pua = chr(int(unicode, 16)).encode()
    raw_webcode = bytes.fromhex(webcode)
    stored = posted("softbank", "utf-8", pua)

    assert stored in tables.TEXT_FALLBACK
    assert not any(0xE000 <= ord(char) <= 0xF8FF for char in stored)
    assert page("softbank", "utf-8", stored) == pua
    # J-PHONE: webcode in and out of a Shift_JIS page.
    assert posted("softbank", "cp932", raw_webcode) == stored
    assert page("softbank", "cp932", stored) == raw_webcode
    if sjis_auto is not None:
        char = bytes.fromhex(sjis_auto).decode("cp932")
        if 0xE000 <= ord(char) <= 0xF8FF:
            assert posted("softbank", "cp932", bytes.fromhex(sjis_auto)) == stored
        else:
            # FA/FB bytes are IBM extension kanji in cp932: text, left alone.
            assert to_stored(char, "softbank", "cp932") == char
    for carrier, encoding in TARGETS:
        check_output(stored, carrier, encoding)


# -- every stored symbol ------------------------------------------------------------------------


@pytest.mark.parametrize("stored", list(tables.TEXT_FALLBACK), ids=ascii)
def test_every_stored_symbol_goes_out_native_or_as_text(stored: str) -> None:
    assert not re.search("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]", stored)
    for carrier, encoding in TARGETS:
        check_output(stored, carrier, encoding)


def test_fallbacks_are_safe_text() -> None:
    for stored, text in tables.TEXT_FALLBACK.items():
        assert text, stored
        assert not set(text) & set("\"&'<=>"), text
        shown = encode_page(text, "cp932", carrier="docomo").decode("cp932")
        assert GETA not in shown
        assert shown == text.replace("〜", "～"), "docomo must show the fallback as it is"


def test_symbols_map_one_to_one() -> None:
    """Inbound keys of one code set never share a stored symbol (the round trips rely on it)."""
    for mapping in (
        tables.DOCOMO_TO_STORED,
        tables.AU_SJIS_TO_STORED,
        tables.AU_UNICODE_TO_STORED,
        tables.AU_AUTO_TO_STORED,
        tables.SOFTBANK_TO_STORED,
        tables.SOFTBANK_WEBCODE_TO_STORED,
        tables.SOFTBANK_SJIS_AUTO_TO_STORED,
        tables.GOOGLE_TO_STORED,
    ):
        assert len(set(mapping.values())) == len(mapping)


# -- the specific vectors (jpmobile's emoticon_spec, KEITAI.md E2) --------------------------------


def test_docomo_sun_everywhere() -> None:
    stored = posted("docomo", "cp932", b"\xf8\x9f")
    assert stored == "\u2600"
    assert page("docomo", "cp932", stored) == b"\xf8\x9f"
    assert page("au", "cp932", stored) == b"\xf6\x60"
    assert page("softbank", "utf-8", stored) == "\ue04a".encode()
    assert page("softbank", "cp932", stored) == b"\x1b$Gj\x0f"
    assert page("pc", "utf-8", stored) == "☀".encode()
    assert posted("au", "cp932", b"\xf6\x60") == "☀"
    assert posted("softbank", "utf-8", "\ue04a".encode()) == "☀"


def test_docomo_point_is_text_elsewhere() -> None:
    stored = posted("docomo", "cp932", "\ue6d5".encode("cp932"))
    assert stored == "\U000fee13"  # its Google PUA code point: no Unicode equivalent
    assert page("docomo", "cp932", stored) == "\ue6d5".encode("cp932")
    for carrier, encoding in (("au", "cp932"), ("softbank", "utf-8"), ("pc", "utf-8")):
        assert for_carrier(stored, carrier, encoding) == "［ドコモポイント］"
    assert fallback(stored) == "［ドコモポイント］"


def test_fog_fallback_is_full_width() -> None:
    assert for_carrier("\U0001f301", "softbank", "utf-8") == "［霧］"
    assert for_carrier("\U0001f301", "docomo") == "\ue644"


@pytest.mark.parametrize("keycap", ["1\u20e3", "1\ufe0f\u20e3"])
def test_keycap_one_to_docomo(keycap: str) -> None:
    assert page("docomo", "cp932", keycap) == b"\xf9\x87"
    assert posted("docomo", "cp932", b"\xf9\x87") == "1\u20e3"


def test_sequences_match_longest_first() -> None:
    japan = "\U0001f1ef\U0001f1f5"
    assert for_carrier(japan, "softbank", "utf-8") == "\ue50b"
    assert for_carrier(japan + "\U0001f1e7", "softbank", "utf-8") == "\ue50b［B］"
    assert for_carrier("☀\ufe0f☁\ufe0e", "docomo") == "\ue63e\ue63f"
    assert for_carrier("\U0001f44d\U0001f3fd", "au") == for_carrier("\U0001f44d", "au")
    # Digits and "#" alone are text.
    assert for_carrier("#1 2\ufe0f", "docomo") == "#1 2\ufe0f"


def test_approximate_mapping_only_outbound() -> None:
    # SUNRISE OVER MOUNTAINS: docomo ">E63E" (its sun), so docomo's sun comes back as ☀.
    assert for_carrier("\U0001f304", "docomo") == "\ue63e"
    assert to_stored("\ue63e", "docomo") == "☀"
    # SUN BEHIND CLOUD: docomo ">E63E+E63F", two symbols.
    assert for_carrier("\u26c5", "docomo") == "\ue63e\ue63f"


def test_webcode_run_with_several_symbols() -> None:
    text = posted("softbank", "cp932", b'a\x1b$G!"#\x0fb\x1b$E!\x0f')
    assert text == "a\U0001f466\U0001f467\U0001f48bb" + to_stored("\ue101", "softbank")
    # An unknown code in a run names no symbol.
    assert to_stored("\x1b$Gz{\x0f", "softbank", "cp932") == "\U0001f4a9" + GETA


def test_inbound_depends_on_the_page_encoding() -> None:
    # SoftBank official U+E525 vs sjis_auto F741 (cp932 U+E525) name different symbols.
    official = to_stored("\ue525", "softbank", "utf-8")
    auto = to_stored("\ue525", "softbank", "cp932")
    assert official != auto
    assert auto == to_stored("\ue101", "softbank", "utf-8")  # F741 is E101 (メール受信)
    assert official == to_stored("\x1b$QE\x0f", "softbank")


def test_google_pua_from_android_becomes_unicode() -> None:
    assert to_stored("\U000fe000", "smartphone") == "☀"
    assert to_stored("\U000fee13", "pc") == "\U000fee13"
    assert for_carrier("\U000fe000", "pc") == "☀"
    assert for_carrier("\U000fe000", "docomo") == "\ue63e"


def test_willcom_gets_text() -> None:
    assert for_carrier("☀", "willcom") == fallback("☀") == "［晴れ］"


def test_plain_text_is_passed_through_untouched() -> None:
    text = "ソフトウェアの表示能力 1234 #5 ○●★☆♪→" * 500
    for carrier, encoding in TARGETS:
        assert for_carrier(text, carrier, encoding) is text
        assert to_stored(text, carrier, encoding) is text


def test_plain_text_is_fast() -> None:
    text = "ソフトウェアの表示能力について、十分に予定を申し上げます。1〜3万円。" * 400
    start = time.perf_counter()
    for _ in range(20):
        for carrier, encoding in TARGETS:
            for_carrier(text, carrier, encoding)
            to_stored(text, carrier, encoding)
    # About 0.3 ms per call and page; a class scan per character would be 100 times slower.
    assert time.perf_counter() - start < 2.0


def test_unknown_private_use_is_left_alone() -> None:
    assert to_stored("\ue000", "docomo") == "\ue000"
    assert to_stored("\ue000", "pc") == "\ue000"


# -- wiring ---------------------------------------------------------------------------------------


def _through_middleware(user_agent: str, body: bytes) -> str:
    inner = Recorder()
    client = Client(InputDecodingMiddleware(inner, detect))
    client.post("/", data=body, content_type=URLENCODED, headers={"User-Agent": user_agent})
    assert "keitai.input_error" not in inner.environ
    return inner.request.form["t"]


@pytest.mark.parametrize(
    ("device", "body"),
    [
        ("docomo", b"t=%F8%9F"),
        ("docomo", b"t=\xf8\x9f"),
        ("au", b"t=%F6%60"),
        ("softbank", b"t=%EE%81%8A"),  # U+E04A in UTF-8
        ("jphone", b"t=%1B%24Gj%0F"),
        ("jphone", b"t=\x1b$Gj\x0f"),
        ("smartphone", b"t=%E2%98%80"),
        ("smartphone", b"t=%F3%BE%80%80"),  # Google U+FE000
        ("pc", b"t=%EE%BD%A0"),  # au "auto" U+EF60
    ],
)
def test_middleware_stores_the_sun(device: str, body: bytes) -> None:
    assert _through_middleware(UA[device], body) == "☀"


def test_middleware_keeps_plain_utf8_bytes() -> None:
    inner = Recorder()
    client = Client(InputDecodingMiddleware(inner, detect))
    body = b"t=%E3%81%82+%2B&csrf_token=abc"
    client.post("/", data=body, content_type=URLENCODED, headers={"User-Agent": UA["pc"]})
    assert inner.body == body


def test_middleware_query_string() -> None:
    inner = Recorder()
    client = Client(InputDecodingMiddleware(inner, detect))
    client.get("/", query_string="q=%F8%9F%F8%A5", headers={"User-Agent": UA["docomo"]})
    assert inner.request.args["q"] == "☀\U0001f301"


@pytest.fixture
def echo_app() -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", PAGE_BUDGET_STRICT=True)
    Keitai(app)

    @app.post("/echo")
    def echo() -> object:
        return Keitai.page_response(f"<p>{request.form['t']}</p>")

    return app


@pytest.mark.parametrize(
    ("device", "body", "expect"),
    [
        ("docomo", b"t=%F8%9F", b"<p>\xf8\x9f</p>"),
        ("au", b"t=%F6%60", b"<p>\xf6\x60</p>"),
        ("softbank", b"t=%E2%98%80", "<p>\ue04a</p>".encode()),
        ("jphone", b"t=%1B%24Gj%0F", b"<p>\x1b$Gj\x0f</p>"),
        ("willcom", b"t=%E2%98%80", "<p>［晴れ］</p>".encode()),
        ("pc", b"t=%E2%98%80", "<p>☀</p>".encode()),
        ("pc", b"t=%F3%BE%B8%93", "<p>［ドコモポイント］</p>".encode()),  # Google U+FEE13
    ],
)
def test_end_to_end(echo_app: Flask, device: str, body: bytes, expect: bytes) -> None:
    """Input through the middleware, output through page_response, for each kind of device."""
    response = echo_app.test_client().post(
        "/echo", data=body, content_type=URLENCODED, headers={"User-Agent": UA[device]}
    )
    assert response.status_code == 200
    assert response.data == expect


# -- the generated module and the shared data ----------------------------------------------------


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_emoji_tables", REPO / "tools/gen_emoji_tables.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@needs_data
def test_generated_module_is_up_to_date() -> None:
    generator = _load_generator()
    shipped = (REPO / "portal/keitai/_emoji_tables.py").read_text(encoding="utf-8")
    assert generator.render(generator.build(DATA)) == shipped


@needs_data
def test_entries_are_the_whole_carrier_tables() -> None:
    generator = _load_generator()
    for name, rows in (
        ("docomo", tables.DOCOMO_ENTRIES),
        ("kddi", tables.AU_ENTRIES),
        ("softbank", tables.SOFTBANK_ENTRIES),
    ):
        source = generator.read_yaml_table(DATA / f"carrier-emoji-{name}-table.yaml")
        assert [row[0] for row in rows] == [item["number"] for item in source]
    assert (len(tables.DOCOMO_ENTRIES), len(tables.AU_ENTRIES), len(tables.SOFTBANK_ENTRIES)) == (
        252,
        641,
        474,
    )


@needs_data
def test_outputs_follow_emoji4unicode() -> None:
    """Re-derive each carrier's output from the XML: native when mapped (exactly or with '>')
    to codes the carrier's table lists, the fallback otherwise; exact codes map back in."""
    generator = _load_generator()
    listed = {
        name: {item["unicode"] for item in generator.read_yaml_table(DATA / file)}
        for name, file in generator.YAML_FILES.items()
    }
    targets = {
        "docomo": ("docomo", "cp932"),
        "kddi": ("au", "utf-8"),
        "softbank": ("softbank", "utf-8"),
    }
    checked = 0
    root = ET.parse(DATA / "emoji4unicode.xml").getroot()  # noqa: S314 (our own data file)
    for element in root.iter("e"):
        google = element.get("google")
        if google is None or google.startswith(">"):
            continue
        unicode = element.get("unicode")
        stored = (
            "".join(chr(int(part, 16)) for part in unicode.lstrip("+").split("+"))
            if unicode
            else chr(int(google, 16))
        )
        for name, (carrier, encoding) in targets.items():
            value = element.get(name)
            codes = value.lstrip(">").split("+") if value else []
            if codes and all(code in listed[name] for code in codes):
                expect = "".join(chr(int(code, 16)) for code in codes)
                if not value.startswith(">"):
                    assert to_stored(expect, carrier, encoding) == stored
            else:
                expect = fallback(stored)
            assert for_carrier(stored, carrier, encoding) == expect, (element.get("id"), name)
            checked += 1
    assert checked == 805 * 3  # BLACK SQUARE BUTTON has only a borrowed Google code


# -- fallback text in the reader's language ----------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "sun", "docomo_point"),
    [
        ("ja", "［晴れ］", "［ドコモポイント］"),
        ("en", "[sun]", "[DoCoMo point]"),
        ("zh", "［太阳］", "[DoCoMo point]"),
        ("ko", "[태양]", "[DoCoMo point]"),
        ("fr", "[sun]", "[DoCoMo point]"),  # a language without fallbacks: English
    ],
)
def test_fallback_in_the_readers_language(lang: str, sun: str, docomo_point: str) -> None:
    assert fallback("☀", lang) == sun
    assert fallback("\U000fee13", lang) == docomo_point  # carrier-only: no CLDR name
    # A device without the symbol: WILLCOM's UTF-8 pages, a PC for a carrier-only symbol.
    assert for_carrier("晴れ☀", "willcom", "utf-8", lang) == "晴れ" + sun
    assert for_carrier("\U000fee13", "pc", "utf-8", lang) == docomo_point


def test_every_fallback_is_safe_in_escaped_html_and_on_shift_jis_phones() -> None:
    for lang in ("ja", "en", "zh", "ko"):
        for stored in tables.TEXT_FALLBACK:
            text = fallback(stored, lang)
            assert text, (lang, stored)
            assert not set(text) & set("<>&\"'"), (lang, stored, text)
    for stored in tables.TEXT_FALLBACK:  # what docomo and au phones show in English
        fallback(stored, "en").encode("cp932")


def test_carrier_emoji_are_not_replaced_by_the_language() -> None:
    assert for_carrier("☀", "docomo", "cp932", "en") == "\ue63e"
    assert for_carrier("☀", "pc", "utf-8", "en") == "☀"

"""Bytes on the wire: CP932 output, strict input decoding, the input middleware."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app
from werkzeug.wrappers import Request, Response

from portal.keitai.encoding import encode_page
from portal.keitai.input_decoding import (
    InputEncodingError,
    decode_input,
    remove_controls,
    transcode_urlencoded,
)
from portal.keitai.wsgi import InputDecodingMiddleware

GETA_SJIS = b"\x81\xac"
URLENCODED = "application/x-www-form-urlencoded"

#: アブラカダブラ in Shift_JIS, percent-encoded (jpmobile's params_filter_spec).
ABRA_SJIS = b"test=test&abra=%83A%83u%83%89%83J%83_%83u%83%89"

#: Text with 0x5C as a second byte (ソ 835C, 表 955C, 能 945C, 十 8F5C, 予 975C).
JAPANESE = (
    "ソフトウェアの表示能力について、十分に予定を申し上げます。"
    "価格は1〜3万円、気温は5度。「構わない」と噂のソース表。\n"
) * 50


def _forbidden_row(code: bytes) -> bool:
    """Tell whether a two-byte CP932 code is in a row docomo forbids."""
    lead, trail = code
    row = (lead - 0x81 if lead <= 0x9F else lead - 0xC1) * 2 + 1 + (trail >= 0x9F)
    return row == 13 or 89 <= row <= 92 or 115 <= row <= 119


def _forbidden_chars() -> list[str]:
    """Return every character CP932 encodes in the rows docomo forbids."""
    chars = []

    for lead in (0x87, 0xED, 0xEE, 0xFA, 0xFB, 0xFC):
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFD)]:
            try:
                char = bytes((lead, trail)).decode("cp932")
            except UnicodeDecodeError:
                continue

            if _forbidden_row(bytes((lead, trail))) and _forbidden_row(char.encode("cp932")):
                chars.append(char)

    return chars


@pytest.mark.parametrize(
    ("char", "expect"),
    [
        ("\u301c", b"\x81\x60"),  # WAVE DASH
        ("\uff5e", b"\x81\x60"),  # FULLWIDTH TILDE
        ("\u2212", b"\x81\x7c"),  # MINUS SIGN
        ("\u2014", b"\x81\x5c"),  # EM DASH
        ("\u2015", b"\x81\x5c"),  # HORIZONTAL BAR
        ("\u203e", b"\x81\x50"),  # OVERLINE
        ("\u00a5", b"\x81\x8f"),  # YEN SIGN
        ("\u2016", b"\x81\x61"),  # DOUBLE VERTICAL LINE
        ("\u00a2", b"\x81\x91"),  # CENT SIGN
        ("\u00a3", b"\x81\x92"),  # POUND SIGN
        ("\u00ac", b"\x81\xca"),  # NOT SIGN
        ("\u00a6", b"\xee\xfa"),  # BROKEN BAR
        ("\u00a0", b" "),  # NO-BREAK SPACE
        ("\u00b7", b"\x81\x45"),  # MIDDLE DOT
        ("\u00a9", b"(C)"),  # COPYRIGHT SIGN
    ],
)
def test_cp932_mappings(char: str, expect: bytes) -> None:
    assert encode_page(char, "cp932") == expect


def test_docomo_circled_digit_is_not_nec_special() -> None:
    assert encode_page("①", "cp932", carrier="docomo") == b"1"
    assert encode_page("①", "cp932", carrier="au") == b"\x87\x40"


def test_docomo_kabushiki_spelled_out() -> None:
    assert encode_page("㈱", "cp932", carrier="docomo") == "(株)".encode("cp932")
    assert encode_page("㈱", "cp932", carrier="au") == b"\x87\x8a"  # not 0x878D (㍾)


def test_docomo_old_kanji_get_standard_form() -> None:
    assert encode_page("髙橋", "cp932", carrier="docomo") == "高橋".encode("cp932")
    assert encode_page("髙橋", "cp932", carrier="au") == "髙橋".encode("cp932")


def test_docomo_broken_bar_is_geta() -> None:
    # BROKEN BAR's only CP932 code is an NEC-selected IBM extension.
    assert encode_page("\u00a6", "cp932", carrier="docomo") == GETA_SJIS


def test_docomo_never_gets_extension_characters() -> None:
    chars = _forbidden_chars()
    assert len(chars) > 300
    out = encode_page("".join(chars), "cp932", carrier="docomo").decode("cp932")

    for char in out:
        code = char.encode("cp932")
        assert len(code) == 1 or not _forbidden_row(code), char


@pytest.mark.parametrize("carrier", [None, "docomo", "au"])
@pytest.mark.parametrize("char", ["\U00020bb7", "\U0001f600", "\u20ac", "\u00bd"])
def test_unencodable_is_geta(carrier: str | None, char: str) -> None:
    out = encode_page(f"a{char}b", "cp932", carrier=carrier)
    assert out == b"a" + GETA_SJIS + b"b"
    assert b"&#" not in out


def test_emoji_sequence_one_geta_per_visible_char() -> None:
    # The variation selector and zero-width joiner are invisible: dropped.
    assert encode_page("\U0001f44d\ufe0f", "cp932") == GETA_SJIS
    assert encode_page("\U0001f468\u200d\U0001f469", "cp932") == GETA_SJIS * 2


def test_accents_are_dropped_not_geta() -> None:
    assert encode_page("Café Zoë", "cp932") == b"Cafe Zoe"
    assert encode_page("Cafe\u0301", "cp932") == b"Cafe"


def test_nfkc_fallback_for_unencodable() -> None:
    assert encode_page("\u2011\u00b2", "cp932") == "\u20102".encode("cp932")


@pytest.mark.parametrize("carrier", [None, "docomo"])
def test_fallback_never_introduces_markup(carrier: str | None) -> None:
    # U+FE64/U+FE65 normalise to < and >, U+FF02/U+FF07 (IBM extensions) to " and '.
    text = "\ufe64script\ufe65\ufe60\ufe66 value=\uff02x\uff02 \uff07y\uff07"
    out = encode_page(text, "cp932", carrier=carrier)

    for byte in b"<>&=\"'":
        assert out.count(byte) == text.count(chr(byte))


def test_pre_hook_runs_before_mapping() -> None:
    out = encode_page("[sun]", "cp932", pre=lambda text: text.replace("[sun]", "\ue63e〜"))
    assert out == b"\xf8\x9f\x81\x60"


def test_utf8_is_plain_encoding() -> None:
    text = "〜−😀①"
    assert encode_page(text, "utf-8", carrier="docomo") == text.encode("utf-8")


def test_utf8_lone_surrogate_is_geta() -> None:
    assert encode_page("a\ud800b", "utf-8") == "a〓b".encode()


def test_unsupported_encoding() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        encode_page("a", "euc-jp")


def test_round_trip_0x5c_second_bytes() -> None:
    raw = encode_page(JAPANESE, "cp932")
    assert b"\x83\x5c" in raw  # ソ
    assert raw == JAPANESE.encode("shift_jis")
    decoded = decode_input(raw, "cp932")
    assert decoded == JAPANESE
    assert "\\" not in decoded


@pytest.mark.parametrize(
    "raw",
    [
        b"\x82",  # dangling lead byte at the end
        b"abc\x82",
        b"\x82\x22",  # lead byte before a double quote: must not swallow it
        b"\x82'",
        b"\x82<",
        b"\x82\x0a",
        b"\x81\x7f",  # invalid trail byte
        b"\x85\x40",  # unassigned row
        b"\x80",  # single bytes CP932 decodes but Shift_JIS lacks
        b"\xa0",
        b"\xfd",
        b"\xff",
    ],
)
def test_decode_rejects_invalid_sjis(raw: bytes) -> None:
    with pytest.raises(InputEncodingError) as info:
        decode_input(raw, "cp932")

    assert isinstance(info.value, ValueError)
    assert info.value.encoding == "cp932"


@pytest.mark.parametrize("raw", [b"\xff", b"\xe3\x81", b"\xc0\xaf", b"\xed\xa0\x80"])
def test_decode_rejects_invalid_utf8(raw: bytes) -> None:
    with pytest.raises(InputEncodingError) as info:
        decode_input(raw, "utf-8")

    assert info.value.encoding == "utf-8"


def test_decode_fullwidth_tilde_is_wave_dash() -> None:
    assert decode_input(b"1\x81\x603", "cp932") == "1\u301c3"


def test_decode_keeps_other_cp932_characters() -> None:
    raw = "－￥―∥￠￣".encode("cp932")
    assert decode_input(raw, "cp932") == "\uff0d\uffe5\u2015\u2225\uffe0\uffe3"


def test_decode_keeps_docomo_emoji_for_the_emoji_layer() -> None:
    assert decode_input(b"\xf8\x9f", "cp932") == "\ue63e"


def test_transcode_sjis_query() -> None:
    out = transcode_urlencoded(ABRA_SJIS, "cp932")
    assert out.isascii()
    assert parse_qs(out.decode("ascii")) == {"test": ["test"], "abra": ["アブラカダブラ"]}
    assert out.startswith(b"test=test&abra=%E3%82%A2")


def test_transcode_raw_sjis_bytes() -> None:
    assert parse_qs(transcode_urlencoded(b"q=\x83A\x83\x5c", "cp932").decode()) == {"q": ["アソ"]}


def test_transcode_plus_and_escaped_plus() -> None:
    out = transcode_urlencoded(b"q=%83A+%83u%2B1", "cp932")
    assert b"%2B" in out
    assert parse_qs(out.decode()) == {"q": ["ア ブ+1"]}


def test_transcode_keeps_tokens_exactly() -> None:
    token = b"csrf_token=IjE2ZjQ1YjM4NzFkZGQ2MTQ1Kw.Zz-_Q~x.abc-_"
    out = transcode_urlencoded(token + b"&q=%83A&sid=AbC+1", "cp932")
    assert out.split(b"&") == [token, b"q=%E3%82%A2", b"sid=AbC+1"]


def test_transcode_requoted_value_keeps_its_meaning() -> None:
    data = b"q=%83A&t=a%2Bb+c==%25"
    out = transcode_urlencoded(data, "cp932")
    assert parse_qs(out.decode()) == {"q": ["ア"], "t": ["a+b c==%"]}


def test_transcode_keeps_structure() -> None:
    out = transcode_urlencoded(b"a=&=b&&c&d=%83A&a=1", "cp932")
    assert out == b"a=&=b&&c&d=%E3%82%A2&a=1"


def test_transcode_ascii_is_returned_as_is() -> None:
    data = b"page=2&sort=new"
    assert transcode_urlencoded(data, "cp932") is data


@pytest.mark.parametrize("data", [b"q=%82%22", b"q=%82", b"a=%82&b=%A0", b"q=\x82", b"%82=x"])
def test_transcode_rejects_invalid_sjis(data: bytes) -> None:
    with pytest.raises(InputEncodingError):
        transcode_urlencoded(data, "cp932")


def test_transcode_utf8_is_validated_and_unchanged() -> None:
    data = b"q=%E3%81%82+%2B&r=\xe3\x81\x84"
    assert transcode_urlencoded(data, "utf-8") is data

    with pytest.raises(InputEncodingError):
        transcode_urlencoded(b"q=%FF", "utf-8")


@dataclass(frozen=True)
class FakeDevice:
    encoding: str
    carrier: str


DOCOMO = FakeDevice("cp932", "docomo")
PC = FakeDevice("utf-8", "pc")


class Recorder:
    """A WSGI app that records what it was called with."""

    def __init__(self) -> None:
        self.environ: dict = {}
        self.body = b""

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.environ = environ
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(self.body)
        return Response("ok")(environ, start_response)

    @property
    def request(self) -> Request:
        return Request(self.environ)


def _wrap(device: FakeDevice, **kwargs: int) -> tuple[Client, Recorder, list]:
    calls: list = []
    inner = Recorder()

    def detect(environ: dict) -> FakeDevice:
        calls.append(environ)
        return device

    return Client(InputDecodingMiddleware(inner, detect, **kwargs)), inner, calls


def test_middleware_transcodes_sjis_body() -> None:
    client, inner, _ = _wrap(DOCOMO)
    body = b"name=" + "表示ソ〜".encode("cp932") + b"&csrf_token=abc.-_"
    client.post("/", data=body, content_type=URLENCODED)

    assert inner.request.form.to_dict() == {"name": "表示ソ\u301c", "csrf_token": "abc.-_"}
    assert int(inner.environ["CONTENT_LENGTH"]) == len(inner.body)
    assert inner.body.isascii()
    assert "keitai.input_error" not in inner.environ


def test_middleware_transcodes_sjis_query() -> None:
    client, inner, _ = _wrap(DOCOMO)
    client.get("/search", query_string=ABRA_SJIS.decode("latin-1"))
    assert inner.request.args["abra"] == "アブラカダブラ"


def test_middleware_rejects_invalid_input() -> None:
    client, inner, _ = _wrap(DOCOMO)
    client.post("/?q=ok", data=b"name=%82%22&x=1", content_type=URLENCODED)

    error = inner.environ["keitai.input_error"]
    assert isinstance(error, InputEncodingError)
    assert inner.environ["QUERY_STRING"] == ""
    assert inner.environ["CONTENT_LENGTH"] == "0"
    assert inner.body == b""
    assert not inner.request.form
    assert not inner.request.args


def test_middleware_invalid_query_empties_body_too() -> None:
    client, inner, _ = _wrap(DOCOMO)
    client.post("/", query_string="q=%82", data=b"x=1", content_type=URLENCODED)
    assert "keitai.input_error" in inner.environ
    assert inner.body == b""


def test_middleware_validates_utf8() -> None:
    client, inner, _ = _wrap(PC)
    client.get("/", query_string="q=%FF")
    assert inner.environ["keitai.input_error"].encoding == "utf-8"

    client.get("/", query_string="q=%E3%81%82")
    assert "keitai.input_error" not in inner.environ
    assert inner.request.args["q"] == "あ"


def test_middleware_detects_once_and_stores_device() -> None:
    client, inner, calls = _wrap(DOCOMO)
    client.post("/?a=%83A", data=b"b=%83u", content_type=URLENCODED)

    assert len(calls) == 1
    assert inner.environ["keitai.device"] is DOCOMO


def test_middleware_passes_ascii_multipart_through() -> None:
    # Multipart transcoding itself is tested in test_multipart.py.
    client, inner, _ = _wrap(DOCOMO)
    builder = EnvironBuilder(method="POST", data={"name": "x", "file": (io.BytesIO(b"\x82"), "a")})
    environ = builder.get_environ()
    raw = environ["wsgi.input"].read()
    environ["wsgi.input"] = io.BytesIO(raw)
    run_wsgi_app(client.application, environ)

    assert inner.body == raw
    assert "keitai.input_error" not in inner.environ


def test_middleware_leaves_json_alone() -> None:
    client, inner, _ = _wrap(DOCOMO)
    client.post("/", data=b'{"a": "\x82"}', content_type="application/json")
    assert inner.body == b'{"a": "\x82"}'
    assert "keitai.input_error" not in inner.environ


def test_middleware_leaves_oversized_body_to_the_app() -> None:
    client, inner, _ = _wrap(DOCOMO, max_body=10)
    body = b"q=" + b"%83A" * 10
    client.post("/", data=body, content_type=URLENCODED)

    assert inner.body == body
    assert inner.environ["CONTENT_LENGTH"] == str(len(body))


def _chunked_environ(body: bytes) -> dict:
    environ = EnvironBuilder(method="POST", data=body, content_type=URLENCODED).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    return environ


def test_middleware_transcodes_streamed_body() -> None:
    client, inner, _ = _wrap(DOCOMO, max_body=100)
    run_wsgi_app(client.application, _chunked_environ(b"q=%83A"))
    assert inner.request.form["q"] == "ア"


def test_middleware_refuses_oversized_streamed_body() -> None:
    client, inner, _ = _wrap(DOCOMO, max_body=10)
    _, status, _ = run_wsgi_app(client.application, _chunked_environ(b"q=" + b"%83A" * 10))
    assert status.startswith("413")
    assert not inner.environ


# -- control characters (issue 12, item 5) ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [
        (b"q=a%00b", "utf-8", b"q=ab"),
        (b"q=a%00b", "cp932", b"q=ab"),
        (b"q=a\x00b&x=1", "utf-8", b"q=ab&x=1"),  # raw bytes, no escape
        (b"t=%1B%24Gj%0F", "cp932", b"t=%24Gj"),  # ESC of a webcode from a docomo
        (b"b=1%0D%0A2%0D3%0A4%095", "utf-8", b"b=1%0A2%0A3%0A4%095"),
        (b"b=1\r\n2", "utf-8", b"b=1%0A2"),
        (b"%00name=v%7F", "utf-8", b"name=v"),
    ],
)
def test_controls_are_removed_and_cr_lf_becomes_lf(data, encoding, expected) -> None:
    assert transcode_urlencoded(data, encoding) == expected


def test_tab_and_line_feed_pass_untouched() -> None:
    assert transcode_urlencoded(b"b=1%0A2%093", "utf-8") == b"b=1%0A2%093"
    assert remove_controls("a\tb\nc") == "a\tb\nc"


def test_every_removed_control() -> None:
    removed = [chr(c) for c in [*range(0x20), 0x7F] if chr(c) not in "\t\n\r"]
    assert remove_controls("x" + "".join(removed) + "y") == "xy"
    assert remove_controls("a\r\r\nb") == "a\n\nb"

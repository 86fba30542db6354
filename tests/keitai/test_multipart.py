"""Multipart bodies from Shift_JIS phones: fields re-encoded as UTF-8, files byte for byte."""

from __future__ import annotations

import functools
import io

import pytest
from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser

from portal.keitai import Keitai, emoji
from portal.keitai.input_decoding import InputEncodingError
from portal.keitai.multipart import MalformedMultipartError, boundary_of, transcode_multipart
from tests.browser import AU, DOCOMO_FOMA, PC, SOFTBANK

BOUNDARY = b"---------------------------7d93b2d10a0e"
CONTENT_TYPE = "multipart/form-data; boundary=" + BOUNDARY.decode()

#: Bytes a photo may hold: Shift_JIS lead bytes (0x82, 0x95 before 0x5C), CRLF, a lead byte
#: before CRLF, the bytes Shift_JIS lacks, NUL, and every other byte value.
PHOTO = b"\xff\xd8\x82\r\n\x95\\\x81\r\n\x82\x22\xa0\xfd\x00" + bytes(range(256)) + b"\r\n"

#: 表 and ソ end in 0x5C, a backslash in ASCII; 〜 is 0x8160.
TITLE = "表示テスト〜ソ"


def _part(name: bytes, value: bytes, filename: bytes | None = None, ctype: bytes = b"") -> bytes:
    """One part as a phone writes it: raw Shift_JIS in the header, no escaping."""
    disposition = b'Content-Disposition: form-data; name="' + name + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    headers = disposition + b"\r\n" + (b"Content-Type: " + ctype + b"\r\n" if ctype else b"")
    return b"--" + BOUNDARY + b"\r\n" + headers + b"\r\n" + value + b"\r\n"


def _body(*parts: bytes, preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    return preamble + b"".join(parts) + b"--" + BOUNDARY + b"--\r\n" + epilogue


def _phone_body(title: bytes = TITLE.encode("cp932")) -> bytes:
    """A diary post with a photo from an au phone: title, body with emoji, the photo."""
    return _body(
        _part(b"title", title),
        _part(b"body", "晴れ".encode("cp932") + b"\xf6\x60" + b"\xf6\x93"),
        _part(b"photo", PHOTO, "写真ソ.jpg".encode("cp932"), b"image/jpeg"),
    )


def _werkzeug_parse(body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """Parse a body as Flask will: field values as UTF-8, files as bytes."""
    form, files = MultiPartParser().parse(io.BytesIO(body), BOUNDARY, len(body))
    read = {}
    for key, storage in files.items(multi=True):
        read[key] = (storage.filename, storage.read(), storage.content_type)
        storage.close()
    return form.to_dict(), read


def _post(carrier: str, encoding: str = "cp932"):
    return functools.partial(emoji.to_stored, carrier=carrier, encoding=encoding)


# -- the transcoder ----------------------------------------------------------------------------


def test_cp932_fields_become_utf8_with_stored_emoji() -> None:
    out = transcode_multipart(_phone_body(), BOUNDARY, "cp932", post=_post("au"))
    form, files = _werkzeug_parse(out)

    assert form == {"title": "表示テスト\u301cソ", "body": "晴れ☀⚾"}
    assert "晴れ☀⚾".encode() in out
    assert files["photo"] == ("写真ソ.jpg", PHOTO, "image/jpeg")


def test_docomo_emoji_in_a_field() -> None:
    body = _body(_part(b"t", b"\xf8\x9f\xf8\xa0" + "です".encode("cp932")))
    out = transcode_multipart(body, BOUNDARY, "cp932", post=_post("docomo"))
    assert _werkzeug_parse(out)[0] == {"t": "☀☁です"}


def test_file_bytes_are_kept_exactly() -> None:
    out = transcode_multipart(_phone_body(), BOUNDARY, "cp932", post=_post("au"))
    headers_end = b"Content-Type: image/jpeg\r\n\r\n"
    start = out.index(headers_end) + len(headers_end)
    assert out[start : start + len(PHOTO) + 2] == PHOTO + b"\r\n"
    assert out[start + len(PHOTO) + 2 :].startswith(b"--" + BOUNDARY + b"--")


def test_boundary_and_layout_are_kept() -> None:
    out = transcode_multipart(_phone_body(), BOUNDARY, "cp932")
    assert out.count(b"--" + BOUNDARY + b"\r\n") == 3
    assert out.endswith(b"--" + BOUNDARY + b"--\r\n")
    assert b'Content-Disposition: form-data; name="photo"; filename="' in out


def test_cp932_filename_and_field_name_become_utf8() -> None:
    body = _body(
        _part("題名".encode("cp932"), b"x"),
        _part(b"photo", b"\x82\xa0", "表ソ〜.gif".encode("cp932"), b"image/gif"),
    )
    out = transcode_multipart(body, BOUNDARY, "cp932")
    form, files = _werkzeug_parse(out)

    assert form == {"題名": "x"}
    assert files["photo"] == ("表ソ\u301c.gif", b"\x82\xa0", "image/gif")
    assert 'filename="表ソ\u301c.gif"'.encode() in out


def test_invalid_cp932_filename_is_replaced_not_refused() -> None:
    body = _body(_part(b"title", b"ok"), _part(b"photo", b"GIF89a", b"a\x82.gif\xa0"))
    out = transcode_multipart(body, BOUNDARY, "cp932")
    assert _werkzeug_parse(out)[1]["photo"][:2] == ("a\ufffd.gif\ufffd", b"GIF89a")


@pytest.mark.parametrize(
    "value",
    [
        b"\x82",  # a lead byte at the end
        b'\x82"><script>',  # a lead byte swallowing the quote (KEITAI.md B8)
        b"abc\xa0",  # a byte Shift_JIS does not define
        b"\xfd\xfe",
    ],
)
def test_invalid_cp932_field_value_is_refused(value: bytes) -> None:
    body = _body(_part(b"title", value), _part(b"photo", b"x", b"a.jpg"))
    with pytest.raises(InputEncodingError) as caught:
        transcode_multipart(body, BOUNDARY, "cp932")
    assert caught.value.encoding == "cp932"
    assert not isinstance(caught.value, MalformedMultipartError)


def test_invalid_cp932_field_name_is_refused() -> None:
    with pytest.raises(InputEncodingError):
        transcode_multipart(_body(_part(b"ti\x82", b"x")), BOUNDARY, "cp932")


def test_preamble_and_epilogue() -> None:
    body = _body(
        _part(b"title", "日記".encode("cp932")),
        preamble=b"This is a preamble.\r\n",
        epilogue=b"This is an epilogue.\r\n",
    )
    out = transcode_multipart(body, BOUNDARY, "cp932")

    assert out.startswith(b"This is a preamble.\r\n--" + BOUNDARY + b"\r\n")
    assert out.endswith(b"--" + BOUNDARY + b"--\r\nThis is an epilogue.\r\n")
    assert _werkzeug_parse(out)[0] == {"title": "日記"}


def test_empty_values_and_empty_form() -> None:
    body = _body(_part(b"title", b""), _part(b"body", "あ".encode("cp932")))
    assert _werkzeug_parse(transcode_multipart(body, BOUNDARY, "cp932"))[0] == {
        "title": "",
        "body": "あ",
    }
    empty = b"--" + BOUNDARY + b"--\r\n"
    assert transcode_multipart(empty, BOUNDARY, "cp932") == empty


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"no boundary at all",
        _part(b"title", b"x"),  # no closing boundary
        _body(_part(b"title", b"x"))[:-12],  # cut inside the closing boundary
        b"--" + BOUNDARY + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + BOUNDARY + b"--\r\n",
        b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + BOUNDARY + b"--",
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="a"',  # headers never end
    ],
)
def test_malformed_body_fails_cleanly(body: bytes) -> None:
    with pytest.raises(MalformedMultipartError) as caught:
        transcode_multipart(body, BOUNDARY, "cp932")
    assert isinstance(caught.value, InputEncodingError)
    assert "malformed multipart" in str(caught.value)


def test_ascii_body_is_returned_as_is() -> None:
    body = _body(_part(b"title", b"hello"), _part(b"photo", PHOTO, b"a.jpg", b"image/jpeg"))
    assert transcode_multipart(body, BOUNDARY, "cp932", post=_post("au")) is body


def test_utf8_body_untouched_unless_post_changes_it() -> None:
    plain = _body(_part("題名".encode(), "日記".encode()), _part(b"p", PHOTO, "写真.jpg".encode()))
    post = _post("softbank", "utf-8")
    assert transcode_multipart(plain, BOUNDARY, "utf-8", post=post) is plain

    # SoftBank 3G sends its emoji as private-use characters (U+E04A is its sun) in UTF-8.
    with_emoji = _body(_part(b"title", "晴れ\ue04a".encode()), _part(b"p", PHOTO, b"a.jpg"))
    out = transcode_multipart(with_emoji, BOUNDARY, "utf-8", post=post)
    form, files = _werkzeug_parse(out)
    assert form == {"title": "晴れ☀"}
    assert files["p"][1] == PHOTO


def test_invalid_utf8_field_is_refused() -> None:
    body = _body(_part(b"title", "表".encode("cp932")))
    with pytest.raises(InputEncodingError):
        transcode_multipart(body, BOUNDARY, "utf-8", post=_post("pc"))


def test_too_many_parts() -> None:
    body = _body(*[_part(b"a", b"1")] * 5)
    with pytest.raises(RequestEntityTooLarge):
        transcode_multipart(body, BOUNDARY, "cp932", max_parts=4)
    assert transcode_multipart(body, BOUNDARY, "cp932", max_parts=5) is body


def test_boundary_of() -> None:
    assert boundary_of('multipart/form-data; boundary="a b"', "cp932") == b"a b"
    assert boundary_of(CONTENT_TYPE, "cp932") == BOUNDARY
    for bad in ("multipart/form-data", "multipart/form-data; boundary=", "x; boundary=\xe9"):
        with pytest.raises(MalformedMultipartError):
            boundary_of(bad, "cp932")


# -- through a Flask app with the keitai extension ---------------------------------------------


@pytest.fixture
def upload_app() -> Flask:
    return _upload_app()


def _upload_app(**config: object) -> Flask:
    """A tiny app with the real extension, echoing what the view gets."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", MAX_FORM_PARTS=10, **config)
    Keitai(app)

    @app.post("/diary")
    def diary():
        photo = request.files.get("photo")
        return {
            "form": request.form.to_dict(),
            "photo": photo.read().hex() if photo else None,
            "filename": photo.filename if photo else None,
        }

    @app.errorhandler(400)
    def refused(error):
        app.extensions["refused"] = request.environ.get("keitai.input_error")
        return {"form": request.form.to_dict(), "files": list(request.files)}, 400

    return app


def _send(app: Flask, user_agent: str, body: bytes, content_type: str = CONTENT_TYPE):
    return app.test_client().post(
        "/diary", data=body, content_type=content_type, headers={"User-Agent": user_agent}
    )


def test_au_upload_reaches_the_view_in_utf8(upload_app: Flask) -> None:
    response = _send(upload_app, AU, _phone_body())

    assert response.status_code == 200
    assert response.json["form"] == {"title": "表示テスト\u301cソ", "body": "晴れ☀⚾"}
    assert bytes.fromhex(response.json["photo"]) == PHOTO
    assert response.json["filename"] == "写真ソ.jpg"


def test_docomo_emoji_upload(upload_app: Flask) -> None:
    body = _body(_part(b"title", b"\xf8\x9f"), _part(b"photo", b"\x82", b"a.jpg"))
    response = _send(upload_app, DOCOMO_FOMA, body)
    assert response.json["form"] == {"title": "☀"}
    assert response.json["photo"] == "82"


def test_invalid_upload_is_a_400(upload_app: Flask) -> None:
    response = _send(upload_app, AU, _phone_body(title=b'\x82"><b>'))

    assert response.status_code == 400
    assert isinstance(upload_app.extensions["refused"], InputEncodingError)
    assert response.json == {"form": {}, "files": []}


def test_malformed_upload_is_a_400(upload_app: Flask) -> None:
    response = _send(upload_app, AU, _phone_body()[:-20])
    assert response.status_code == 400
    assert isinstance(upload_app.extensions["refused"], MalformedMultipartError)

    response = _send(upload_app, AU, _phone_body(), content_type="multipart/form-data")
    assert response.status_code == 400
    assert isinstance(upload_app.extensions["refused"], MalformedMultipartError)


def test_empty_multipart_body_is_an_empty_form(upload_app: Flask) -> None:
    response = _send(upload_app, AU, b"")
    assert response.status_code == 200
    assert response.json["form"] == {}


def test_body_over_the_limit_is_a_413_without_transcoding() -> None:
    body = _phone_body()
    app = _upload_app(MAX_CONTENT_LENGTH=len(body) - 1)
    assert _send(app, AU, body).status_code == 413

    # Transcoded, the body grows (kanji take three bytes in UTF-8, two in Shift_JIS), and Flask
    # checks its limit against that.
    app = _upload_app(MAX_CONTENT_LENGTH=len(body) * 2)
    assert _send(app, AU, body).json["form"]["title"] == "表示テスト\u301cソ"


def test_too_many_parts_is_a_413(upload_app: Flask) -> None:
    response = _send(upload_app, AU, _body(*[_part(b"a", b"1")] * 11))
    assert response.status_code == 413


def test_pc_and_softbank_uploads(upload_app: Flask) -> None:
    body = _body(_part(b"title", "日記".encode()), _part(b"photo", PHOTO, "写真.jpg".encode()))
    response = _send(upload_app, PC, body)
    assert response.json["form"] == {"title": "日記"}
    assert bytes.fromhex(response.json["photo"]) == PHOTO
    assert response.json["filename"] == "写真.jpg"

    body = _body(_part(b"title", "\ue04a".encode()), _part(b"photo", PHOTO, b"a.jpg"))
    response = _send(upload_app, SOFTBANK, body)
    assert response.json["form"] == {"title": "☀"}
    assert bytes.fromhex(response.json["photo"]) == PHOTO


def test_controls_in_fields_and_filenames_are_removed_file_bytes_kept() -> None:
    body = _body(
        _part(b"title", "表\x00示\x1b$Gj\x0f".encode("cp932")),
        _part(b"body", b"a\r\nb\rc"),
        _part(b"photo", PHOTO, b"ph\x07oto.jpg", b"image/jpeg"),
    )
    form, files = _werkzeug_parse(transcode_multipart(body, BOUNDARY, "cp932"))
    assert form == {"title": "表示$Gj", "body": "a\nb\nc"}
    assert files["photo"][:2] == ("photo.jpg", PHOTO)

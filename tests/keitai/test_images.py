"""Uploads and per-device copies: limits, metadata stripping, formats per carrier, budgets."""

from __future__ import annotations

import io
import logging
import random
import struct
import zlib

import pytest
from PIL import Image, ImageCms, ImageFile, PngImagePlugin, features

from portal.keitai import images
from portal.keitai.device import Device, detect
from portal.keitai.image_uploads import ImageError, ImageLimits, load_upload
from portal.keitai.images import (
    MIN_SIDE,
    for_device,
    image_budget,
    image_format,
    sanitized_original,
)

DOCOMO_MOVA_501I = "DoCoMo/1.0/D501i"
DOCOMO_MOVA_503I = "DoCoMo/1.0/P503i/c10/TB/W20H10"
DOCOMO_FOMA = "DoCoMo/2.0 SH902i(c100;TB;W24H16)"
AU_WAP2 = "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0"
AU_WAP1 = "UP.Browser/3.04-KCTA UP.Link/3.4.5.9"
SOFTBANK_3G = "SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3 Profile/MIDP-2.0"
JPHONE = "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0"
WILLCOM = "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0"
PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"

GPS_IFD = 0x8825  # 34853, GPSInfo
ORIENTATION = 0x0112
TOKYO_GPS = {1: "N", 2: (35.0, 39.0, 29.0), 3: "E", 4: (139.0, 44.0, 28.0)}
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def device(user_agent: str) -> Device:
    return detect({"HTTP_USER_AGENT": user_agent})


def photo(size: tuple[int, int] = (1200, 900), seed: int = 0) -> Image.Image:
    """A detailed, deterministic RGB picture: a fractal with grain, hard to compress."""
    fractal = Image.effect_mandelbrot(size, (-2.0, -1.2, 1.0, 1.2), 100).convert("RGB")
    grain = random.Random(seed).randbytes(size[0] * size[1] * 3)
    return Image.blend(fractal, Image.frombytes("RGB", size, grain), 0.35)


def two_halves(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Left half red, right half blue: shows where a rotation moved things."""
    im = Image.new("RGB", size, "blue")
    im.paste("red", (0, 0, size[0] // 2, size[1]))
    return im


def with_alpha(size: tuple[int, int] = (300, 200)) -> Image.Image:
    """A picture whose left half is fully transparent."""
    im = photo(size).convert("RGBA")
    im.paste((0, 0, 0, 0), (0, 0, size[0] // 2, size[1]))
    return im


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "IXY DIGITAL 900 IS"  # Model
    exif[0xA431] = "0123456789"  # BodySerialNumber
    exif[GPS_IFD] = TOKYO_GPS
    if orientation is not None:
        exif[ORIENTATION] = orientation
    return exif


def srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg_with_metadata(im: Image.Image | None = None, orientation: int | None = None) -> bytes:
    """A JPEG carrying EXIF (camera, serial, GPS), an ICC profile, a comment and XMP."""
    data = encode(
        im or photo((640, 480)),
        "JPEG",
        exif=exif_with_gps(orientation),
        icc_profile=srgb_icc(),
        comment=b"shot at home",
        xmp=XMP,
    )
    assert b"Exif" in data
    assert b"GPS" not in data
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD) == TOKYO_GPS
    return data


def png_chunk_types(data: bytes) -> set[bytes]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    types, offset = set(), 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        types.add(data[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def huge_bilevel_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width x height, all black: tiny on disk, huge in memory.

    Built chunk by chunk, since Pillow would need width x height bytes to create it.
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def reopen(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def assert_no_metadata(data: bytes) -> None:
    """No EXIF (hence no GPS), XMP, ICC profile or comment in an encoded image."""
    assert b"Exif" not in data
    assert b"adobe:ns:meta" not in data
    assert b"http://ns.adobe.com/xap" not in data
    im = reopen(data)
    assert not im.getexif()
    assert not im.getexif().get_ifd(GPS_IFD)
    for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
        assert key not in im.info
    if data.startswith(b"\x89PNG"):
        assert png_chunk_types(data).isdisjoint({b"eXIf", b"iCCP", b"tEXt", b"iTXt", b"zTXt"})


# -- load_upload ----------------------------------------------------------------------------


def test_load_upload_returns_plain_decoded_rgb() -> None:
    im = load_upload(jpeg_with_metadata())

    assert im.mode == "RGB"
    assert im.size == (640, 480)
    assert im.info == {}
    assert not im.getexif()


def test_load_upload_applies_exif_orientation() -> None:
    # Orientation 6: the stored picture is shown turned 90 degrees clockwise.
    im = load_upload(jpeg_with_metadata(two_halves(), orientation=6))

    assert im.size == (20, 40)
    red, blue = im.getpixel((10, 5)), im.getpixel((10, 35))
    assert red[0] > 200
    assert red[2] < 60
    assert blue[2] > 200
    assert blue[0] < 60
    assert ORIENTATION not in im.getexif()


def test_load_upload_keeps_transparency_as_rgba() -> None:
    im = load_upload(encode(with_alpha(), "PNG"))

    assert im.mode == "RGBA"
    assert im.getpixel((0, 0))[3] == 0
    assert im.getpixel((299, 199))[3] == 255


def test_load_upload_opaque_alpha_becomes_rgb() -> None:
    assert load_upload(encode(photo((60, 40)).convert("RGBA"), "PNG")).mode == "RGB"


@pytest.mark.parametrize(
    ("fmt", "mode"), [("GIF", "P"), ("PNG", "L"), ("PNG", "I;16"), ("JPEG", "CMYK")]
)
def test_load_upload_normalizes_modes(fmt: str, mode: str) -> None:
    im = load_upload(encode(photo((60, 40)).convert(mode), fmt))

    assert im.mode == "RGB"
    assert im.size == (60, 40)


def test_load_upload_takes_the_first_frame_of_an_animation() -> None:
    frames = [Image.new("RGB", (30, 20), colour) for colour in ("red", "green", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    im = load_upload(data)

    assert im.size == (30, 20)
    assert im.getpixel((0, 0))[0] > 200


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_load_upload_accepts_webp() -> None:
    assert load_upload(encode(photo((64, 48)), "WEBP")).size == (64, 48)


def test_load_upload_rejects_too_many_bytes_before_reading_them() -> None:
    data = encode(photo((64, 48)), "PNG")

    with pytest.raises(ImageError) as caught:
        load_upload(data, ImageLimits(max_upload_bytes=len(data) - 1))

    assert caught.value.reason == "too_large_bytes"
    assert load_upload(data, ImageLimits(max_upload_bytes=len(data))).size == (64, 48)


def test_load_upload_rejects_huge_dimensions_from_a_small_file() -> None:
    data = huge_bilevel_png(20_000, 20_000)  # 400 megapixels
    assert len(data) < 200_000
    limit_before = Image.MAX_IMAGE_PIXELS

    with pytest.raises(ImageError) as caught:
        load_upload(data)

    assert caught.value.reason == "too_many_pixels"
    assert Image.MAX_IMAGE_PIXELS == limit_before


def test_load_upload_checks_pixels_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    # 9 megapixels: under Pillow's own bomb limit, over ours. Decoding would fail the test.
    data = huge_bilevel_png(3000, 3000)

    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageError) as caught:
        load_upload(data, ImageLimits(max_pixels=1_000_000))

    assert caught.value.reason == "too_many_pixels"


def test_load_upload_rejects_a_side_over_max_side() -> None:
    data = huge_bilevel_png(9000, 10)

    with pytest.raises(ImageError) as caught:
        load_upload(data)

    assert caught.value.reason == "too_many_pixels"


def test_load_upload_converts_pillows_bomb_warning() -> None:
    # Between Pillow's warning and error thresholds; warnings are errors under this suite.
    width = 10_000
    height = Image.MAX_IMAGE_PIXELS // width + 1

    with pytest.raises(ImageError) as caught:
        load_upload(huge_bilevel_png(width, height), ImageLimits(max_pixels=10**12, max_side=10**6))

    assert caught.value.reason == "too_many_pixels"


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(5000),
        b"",
        b"<html><body>hello</body></html>",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    ],
    ids=["random", "empty", "html", "broken-png-header"],
)
def test_load_upload_rejects_non_images(data: bytes) -> None:
    with pytest.raises(ImageError) as caught:
        load_upload(data)

    assert caught.value.reason == "not_an_image"
    assert isinstance(caught.value, ValueError)


def test_load_upload_rejects_damaged_pixel_data() -> None:
    data = encode(photo((400, 300)), "JPEG")

    with pytest.raises(ImageError) as caught:
        load_upload(data[: len(data) // 2])

    assert caught.value.reason == "not_an_image"


@pytest.mark.parametrize(
    "data",
    [
        encode(photo((40, 30)), "BMP"),
        encode(photo((40, 30)), "TIFF"),
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    ],
    ids=["bmp", "tiff", "heic", "svg"],
)
def test_load_upload_names_unsupported_formats(data: bytes) -> None:
    with pytest.raises(ImageError) as caught:
        load_upload(data)

    assert caught.value.reason == "unsupported_format"


# -- sanitized_original ---------------------------------------------------------------------


def test_sanitized_original_has_no_metadata() -> None:
    data, mimetype = sanitized_original(load_upload(jpeg_with_metadata()))

    assert mimetype == "image/jpeg"
    assert_no_metadata(data)
    assert reopen(data).format == "JPEG"


def test_sanitized_original_strips_png_text_and_exif() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret")
    info.add_itxt("Description", "ひみつ")
    upload = encode(with_alpha(), "PNG", pnginfo=info, exif=exif_with_gps(), icc_profile=srgb_icc())
    assert {b"tEXt", b"iTXt", b"eXIf", b"iCCP"} <= png_chunk_types(upload)

    data, mimetype = sanitized_original(load_upload(upload))

    assert mimetype == "image/png"
    assert_no_metadata(data)
    assert reopen(data).mode == "RGBA"
    assert reopen(data).getpixel((0, 0))[3] == 0


def test_sanitized_original_bounds_the_longest_side() -> None:
    data, _ = sanitized_original(photo((3000, 2000)))
    assert reopen(data).size == (1600, 1067)

    data, _ = sanitized_original(photo((500, 2400)), max_side=800)
    assert reopen(data).size == (167, 800)


def test_sanitized_original_never_upscales() -> None:
    data, _ = sanitized_original(photo((120, 80)))
    assert reopen(data).size == (120, 80)


def test_sanitized_original_orients_an_unloaded_image() -> None:
    # An image opened directly, not through load_upload, still has its EXIF orientation.
    opened = Image.open(io.BytesIO(jpeg_with_metadata(two_halves(), orientation=6)))

    data, _ = sanitized_original(opened)

    assert reopen(data).size == (20, 40)
    assert_no_metadata(data)


# -- for_device -----------------------------------------------------------------------------

FORMATS_OPAQUE = [
    # (user agent, mimetype, widest, highest)
    (DOCOMO_MOVA_501I, "image/gif", 94, 72),
    (DOCOMO_MOVA_503I, "image/gif", 120, None),
    (DOCOMO_FOMA, "image/jpeg", 240, None),
    (AU_WAP2, "image/jpeg", 240, None),
    (AU_WAP1, "image/png", 120, None),
    (SOFTBANK_3G, "image/jpeg", 240, None),
    (JPHONE, "image/png", 120, None),
    (WILLCOM, "image/jpeg", 240, None),
    (PC, "image/jpeg", 640, None),
]

FORMATS_TRANSPARENT = {
    DOCOMO_MOVA_501I: "image/gif",
    DOCOMO_MOVA_503I: "image/gif",
    DOCOMO_FOMA: "image/gif",
    AU_WAP2: "image/png",
    AU_WAP1: "image/png",
    SOFTBANK_3G: "image/png",
    JPHONE: "image/png",
    WILLCOM: "image/png",
    PC: "image/png",
}

PILLOW_FORMATS = {"image/gif": "GIF", "image/jpeg": "JPEG", "image/png": "PNG"}


@pytest.fixture(scope="module")
def uploaded_photo() -> Image.Image:
    return load_upload(jpeg_with_metadata(photo((1600, 1200))))


@pytest.mark.parametrize(("user_agent", "mimetype", "widest", "highest"), FORMATS_OPAQUE)
def test_for_device_format_size_and_budget(
    uploaded_photo: Image.Image,
    user_agent: str,
    mimetype: str,
    widest: int,
    highest: int | None,
) -> None:
    target = device(user_agent)

    data, got_mimetype = for_device(uploaded_photo, target)

    assert got_mimetype == mimetype
    im = reopen(data)
    assert im.format == PILLOW_FORMATS[mimetype]
    assert im.width <= widest
    assert highest is None or im.height <= highest
    assert_no_metadata(data)
    budget = image_budget(target)
    assert budget is None or len(data) <= budget
    if mimetype == "image/png" and target.is_keitai:
        assert im.mode == "P"  # J-PHONE and old au: palette PNG, 256 colours at most


@pytest.mark.parametrize("user_agent", list(FORMATS_TRANSPARENT))
def test_for_device_keeps_transparency(user_agent: str) -> None:
    data, mimetype = for_device(with_alpha(), device(user_agent))

    assert mimetype == FORMATS_TRANSPARENT[user_agent]
    im = reopen(data).convert("RGBA")
    assert im.getpixel((0, 0))[3] == 0
    assert im.getpixel((im.width - 1, im.height - 1))[3] == 255
    assert_no_metadata(data)


def test_for_device_uses_width_for_pcs(uploaded_photo: Image.Image) -> None:
    data, _ = for_device(uploaded_photo, device(PC), width=320)
    assert reopen(data).width == 320

    data, _ = for_device(uploaded_photo, Device.pc(), width=1000)
    assert reopen(data).width == 1000


def test_for_device_smartphone_gets_pc_treatment(uploaded_photo: Image.Image) -> None:
    iphone = device("Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) Mobile/15E148")
    assert iphone.is_smartphone

    data, mimetype = for_device(uploaded_photo, iphone)

    assert mimetype == "image/jpeg"
    assert reopen(data).width == 640


def test_for_device_never_upscales() -> None:
    data, _ = for_device(photo((100, 60)), device(DOCOMO_FOMA))
    assert reopen(data).size == (100, 60)


def test_for_device_unknown_keitai_width_is_240(uploaded_photo: Image.Image) -> None:
    phone = Device(carrier="au", is_keitai=True, encoding="cp932", max_page_bytes=None)

    data, _ = for_device(uploaded_photo, phone)

    assert reopen(data).width == 240


def test_for_device_follows_the_screen_width_header(uploaded_photo: Image.Image) -> None:
    au = detect({"HTTP_USER_AGENT": AU_WAP2, "HTTP_X_UP_DEVCAP_SCREENPIXELS": "176,182"})

    data, _ = for_device(uploaded_photo, au)

    assert reopen(data).width == 176


def test_for_device_strips_metadata_of_an_unloaded_image() -> None:
    opened = Image.open(io.BytesIO(jpeg_with_metadata(two_halves((400, 200)), orientation=6)))

    for user_agent in (DOCOMO_MOVA_503I, DOCOMO_FOMA, JPHONE, PC):
        data, _ = for_device(opened, device(user_agent))
        assert_no_metadata(data)
        im = reopen(data)
        assert im.height > im.width  # turned upright before resizing


def test_image_budget_is_half_the_page() -> None:
    assert image_budget(device(DOCOMO_MOVA_501I)) == 2560
    assert image_budget(device(DOCOMO_FOMA)) == 15 * 1024
    assert image_budget(device(AU_WAP2)) == 4608
    assert image_budget(device(PC)) is None


@pytest.mark.parametrize(
    ("user_agent", "budget"),
    [(DOCOMO_FOMA, 3000), (DOCOMO_MOVA_503I, 1500), (JPHONE, 1500), (PC, 8000)],
)
def test_for_device_meets_a_tight_budget(
    uploaded_photo: Image.Image, user_agent: str, budget: int
) -> None:
    target = device(user_agent)
    unconstrained, _ = for_device(uploaded_photo, target, budget=10**9)
    assert len(unconstrained) > budget

    data, mimetype = for_device(uploaded_photo, target, budget=budget)

    assert len(data) <= budget
    assert mimetype == for_device(uploaded_photo, target)[1]
    assert reopen(data).width >= MIN_SIDE


def test_for_device_returns_the_smallest_when_the_budget_is_impossible(
    uploaded_photo: Image.Image,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Alembic's fileConfig (migrations/env.py) disables loggers that exist when it runs.
    monkeypatch.setattr(images.logger, "disabled", False)
    target = device(DOCOMO_FOMA)
    unconstrained, _ = for_device(uploaded_photo, target, budget=10**9)

    with caplog.at_level(logging.WARNING, logger="portal.keitai.images"):
        data, mimetype = for_device(uploaded_photo, target, budget=10)

    assert 10 < len(data) < len(unconstrained) // 4
    assert mimetype == "image/jpeg"
    assert min(reopen(data).size) <= MIN_SIDE
    assert "over its 10-byte budget" in caplog.text


def test_image_format_without_user_agent() -> None:
    # Devices built by hand: docomo with a narrow screen counts as mova, a wide one as FOMA.
    narrow = Device(carrier="docomo", is_keitai=True, encoding="cp932", screen_width=120)
    wide = Device(carrier="docomo", is_keitai=True, encoding="cp932", screen_width=240)
    jphone = Device(carrier="softbank", is_keitai=True, encoding="cp932", screen_width=120)
    softbank_3g = Device(carrier="softbank", is_keitai=True, screen_width=240)

    assert image_format(narrow) == "GIF"
    assert image_format(wide) == "JPEG"
    assert image_format(wide, transparent=True) == "GIF"
    assert image_format(jphone) == "PNG"
    assert image_format(softbank_3g) == "JPEG"
    assert image_format(Device.pc(), transparent=True) == "PNG"

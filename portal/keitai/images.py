"""Check uploaded pictures and make copies that a phone, smartphone or PC can show.

:func:`load_upload` turns untrusted upload bytes into an oriented, fully decoded RGB or RGBA
image, refusing oversized files and decompression bombs before any pixel is decoded.
:func:`sanitized_original` is the copy kept as the "original": bounded in size, without any
metadata. :func:`for_device` makes the copy a given :class:`~portal.keitai.device.Device` is
sent: no wider than its screen, in a format its browser decodes, and small enough to share the
page budget with the markup.

Every output image is built from pixels alone, so no EXIF block (GPS position, camera serial),
XMP packet, ICC profile, comment or text chunk of the upload can reach the output.

The format chosen per handset follows KEITAI.md B4 and B6; :func:`image_format` documents each
decision next to its rule.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image, ImageOps, UnidentifiedImageError

from .device import Device
from .image_rules import (  # noqa: F401 (part of this module's interface)
    DOCOMO_501I_BOX,
    KEITAI_DEFAULT_WIDTH,
    PAGE_SHARE,
    image_bounds,
    image_budget,
    image_format,
)

logger = logging.getLogger(__name__)

MIB = 1024 * 1024

#: The upload formats accepted, as Pillow names them. Only these decoders ever see upload bytes.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")

MIMETYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif"}


#: Outputs are never shrunk below this many pixels on their shorter side to meet a budget.
MIN_SIDE = 16

#: Each round that does not meet the budget at the lowest quality scales the image by this.
SHRINK_FACTOR = 0.8

JPEG_QUALITY = 80
ORIGINAL_JPEG_QUALITY = 85
_JPEG_QUALITIES = (JPEG_QUALITY, 70, 60, 50, 40, 30, 20, 12)
_PALETTE_COLOURS = (256, 128, 64, 32, 16, 8, 4)

#: Transparent palette entries are white, for any handset that shows them instead of the page.
_TRANSPARENT_RGB = (255, 255, 255)

_ORIENTATION_TAG = 0x0112


@dataclass(frozen=True)
class ImageLimits:
    """Bounds on what :func:`load_upload` accepts.

    :param max_upload_bytes: the largest upload, in bytes.
    :param max_pixels: the most pixels (width x height) an image may have; checked on the header,
        before decoding, so a small file declaring a huge image cannot exhaust memory.
    :param max_side: the longest width or height allowed.
    """

    max_upload_bytes: int = 8 * MIB
    max_pixels: int = 40_000_000
    max_side: int = 8000


class ImageError(ValueError):
    """An upload that is not accepted as a picture.

    :param reason: a stable code for messages upstream: ``"too_large_bytes"``,
        ``"too_many_pixels"``, ``"not_an_image"`` or ``"unsupported_format"``.
    :param message: what is wrong, in English, for logs.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class EncodedImage(NamedTuple):
    """Encoded image bytes and their media type; unpacks as ``data, mimetype``."""

    data: bytes
    mimetype: str


# -- loading uploads ------------------------------------------------------------------------


def load_upload(data: bytes, limits: ImageLimits | None = None) -> Image.Image:
    """Open an uploaded picture safely.

    The byte size is checked first; then Pillow reads only the header (:func:`PIL.Image.open` is
    lazy) and the declared size is checked against ``limits`` before any pixel is decoded.
    Pillow's own decompression-bomb guard, which keeps its process-wide
    ``Image.MAX_IMAGE_PIXELS`` untouched here, still applies as an outer bound: when it raises,
    the error becomes an :class:`ImageError` too.

    The picture is then decoded (the first frame of an animation), turned upright from its EXIF
    orientation, converted to sRGB when it embeds another ICC profile, and returned as an
    ``RGB`` image, or ``RGBA`` when it has transparent pixels, with no metadata attached.

    :param data: the uploaded bytes.
    :param limits: the bounds to enforce; :class:`ImageLimits` defaults when ``None``.
    :return: the decoded image.
    :raise ImageError: with ``reason`` ``"too_large_bytes"``, ``"too_many_pixels"``,
        ``"not_an_image"`` (also for damaged files) or ``"unsupported_format"`` (a picture in a
        format other than JPEG, PNG, GIF or WebP, such as HEIC or BMP).
    """
    limits = limits or ImageLimits()
    if len(data) > limits.max_upload_bytes:
        raise ImageError(
            "too_large_bytes",
            f"upload is {len(data)} bytes, more than {limits.max_upload_bytes}",
        )
    im = _open(data)
    _check_dimensions(im.size, limits)
    _decode(im)
    _check_dimensions(im.size, limits)
    return _normalized(_to_srgb(_upright(im)))


def _open(data: bytes) -> Image.Image:
    """Read the header of an upload with the accepted decoders only."""
    try:
        im = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise _unidentified(data) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # The warning arrives as an exception only where warnings are errors (pytest -W error).
        raise ImageError("too_many_pixels", str(error)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError("not_an_image", f"unreadable image header: {error}") from None
    if im.format not in ACCEPTED_FORMATS:
        raise ImageError("unsupported_format", f"{im.format} images are not accepted")
    return im


def _check_dimensions(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError("not_an_image", f"image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels or max(width, height) > limits.max_side:
        raise ImageError(
            "too_many_pixels",
            f"image is {width}x{height}, more than {limits.max_pixels} pixels "
            f"or {limits.max_side} on a side",
        )


def _decode(im: Image.Image) -> None:
    """Decode the pixels, turning decoder failures into :class:`ImageError`."""
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError("too_many_pixels", str(error)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ImageError("not_an_image", f"damaged image data: {error}") from None


#: Leading bytes of picture formats we do not accept, to say so rather than "not an image".
_OTHER_SIGNATURES = (
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
    (b"RIFF", "WEBP"),  # reached only when Pillow lacks WebP support
    (b"%PDF", "PDF"),
)
_ISO_BRANDS = {b"heic": "HEIC", b"heix": "HEIC", b"mif1": "HEIF", b"msf1": "HEIF"}
_ISO_BRANDS |= {b"avif": "AVIF", b"avis": "AVIF"}
_SVG = re.compile(rb"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<svg\b", re.DOTALL)


def _unidentified(data: bytes) -> ImageError:
    """Name the format of bytes no accepted decoder recognised, if it is a known picture one."""
    name = _sniff(data)
    if name is None:
        return ImageError("not_an_image", "the upload is not a picture")
    return ImageError("unsupported_format", f"{name} images are not accepted")


def _sniff(data: bytes) -> str | None:
    head = data[:512]
    for signature, name in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return name
    if head[4:8] == b"ftyp":
        return _ISO_BRANDS.get(head[8:12])
    if _SVG.match(head):
        return "SVG"
    return None


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a picture with unreadable EXIF is kept as stored."""
    try:
        return ImageOps.exif_transpose(im)
    except Exception:  # Malformed EXIF takes many forms; it must not reject the photo.
        logger.debug("ignoring unreadable EXIF orientation", exc_info=True)
        return im


def _to_srgb(im: Image.Image) -> Image.Image:
    """Convert an image with an embedded ICC profile to sRGB, so the profile can be dropped.

    Best effort: without LittleCMS or with a broken profile the pixels are kept as they are.
    """
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return im
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
        )
    except Exception:  # ImportError, PyCMSError, OSError...: keep the unconverted pixels.
        logger.debug("ignoring ICC profile that cannot be applied", exc_info=True)
        return im
    return converted if converted is not None else im


# -- shared helpers -------------------------------------------------------------------------


def has_transparency(im: Image.Image) -> bool:
    """Tell whether any pixel of ``im`` is not fully opaque.

    :param im: any Pillow image.
    """
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        return _lowest(im.getchannel("A")) < 255
    if "transparency" in im.info:
        return _lowest(im.convert("RGBA").getchannel("A")) < 255
    return False


def _lowest(band: Image.Image) -> float:
    """The smallest value of a one-band image."""
    low = band.getextrema()[0]
    assert not isinstance(low, tuple)  # one band: a (min, max) pair of numbers
    return low


def _normalized(im: Image.Image) -> Image.Image:
    """Return ``im`` as RGB, or RGBA when it has transparent pixels, with no metadata."""
    mode = "RGBA" if has_transparency(im) else "RGB"
    if im.mode != mode:
        if im.mode == "RGBA" or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
        im = im.convert(mode)
    return _bare(im)


def _bare(im: Image.Image) -> Image.Image:
    """Return a copy of ``im`` with no metadata (EXIF, XMP, ICC, comments, text chunks)."""
    bare = im.copy()
    bare.info = {}
    return bare


def _prepared(im: Image.Image) -> Image.Image:
    """Make a caller's image upright and plain RGB/RGBA (a no-op for :func:`load_upload` output)."""
    if im.getexif().get(_ORIENTATION_TAG, 1) != 1:
        im = _upright(im)
    return _normalized(im)


def _flattened(im: Image.Image) -> Image.Image:
    """Return ``im`` as RGB, transparent pixels laid on white."""
    if im.mode != "RGBA":
        return im.convert("RGB")
    background = Image.new("RGBA", im.size, (*_TRANSPARENT_RGB, 255))
    return Image.alpha_composite(background, im).convert("RGB")


def _fit_within(im: Image.Image, max_width: int, max_height: int | None = None) -> Image.Image:
    """Scale ``im`` down to fit the box, keeping its aspect ratio; never scale up."""
    width, height = im.size
    scale = min(1.0, max_width / width, (max_height or height) / height)
    if scale >= 1.0:
        return im
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


# -- encoders -------------------------------------------------------------------------------

Encoder = Callable[[Image.Image], bytes]


def _save(im: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    _bare(im).save(buffer, fmt, **params)
    return buffer.getvalue()


def _jpeg(quality: int) -> Encoder:
    """Baseline JPEG: old handsets may not decode progressive JPEG (the shirakiku conversion
    system passes JPEGs through unchanged only when they are baseline)."""

    def encode(im: Image.Image) -> bytes:
        return _save(_flattened(im), "JPEG", quality=quality, optimize=True, progressive=False)

    return encode


def _png_truecolour(im: Image.Image) -> bytes:
    return _save(im, "PNG", optimize=True)


def _palette(fmt: str, colours: int) -> Encoder:
    """GIF or PNG with at most ``colours`` palette entries, one kept for transparency."""

    def encode(im: Image.Image) -> bytes:
        if im.mode != "RGBA":
            return _save(_quantized(im.convert("RGB"), colours), fmt, optimize=True)
        indexed = _quantized(_flattened(im), colours - 1)
        index = len(indexed.getpalette() or ()) // 3
        indexed.putpalette([*(indexed.getpalette() or ()), *_TRANSPARENT_RGB])
        hidden = im.getchannel("A").point(lambda alpha: 255 if alpha < 128 else 0)
        indexed.paste(index, mask=hidden)
        return _save(indexed, fmt, optimize=True, transparency=index)

    return encode


def _quantized(rgb: Image.Image, colours: int) -> Image.Image:
    return rgb.quantize(
        colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG
    )


def _ladder(fmt: str, transparent: bool) -> tuple[Encoder, ...]:
    """Return the encoders of a format, from the best looking to the smallest."""
    if fmt == "JPEG":
        return tuple(map(_jpeg, _JPEG_QUALITIES))
    palette = tuple(_palette(fmt, colours) for colours in _PALETTE_COLOURS)
    if fmt == "PNG" and transparent:
        return (_png_truecolour, *palette)
    return palette


# -- originals ------------------------------------------------------------------------------


def sanitized_original(im: Image.Image, max_side: int = 1600) -> EncodedImage:
    """Encode the copy of a picture that is stored and shown as its original.

    It has no metadata at all: no EXIF (so no GPS position), XMP, ICC profile or comment; an
    embedded profile was already applied by :func:`load_upload`, so colours read as sRGB.

    :param im: the picture, usually from :func:`load_upload`.
    :param max_side: the longest side of the output, in pixels; smaller pictures keep their size.
    :return: baseline JPEG for opaque pictures (photos), PNG for pictures with transparency.
    """
    im = _fit_within(_prepared(im), max_side, max_side)
    if im.mode == "RGBA":
        return EncodedImage(_png_truecolour(im), MIMETYPES["PNG"])
    return EncodedImage(_jpeg(ORIGINAL_JPEG_QUALITY)(im), MIMETYPES["JPEG"])


# -- per device -----------------------------------------------------------------------------


def for_device(
    im: Image.Image, device: Device, *, width: int = 640, budget: int | None = None
) -> EncodedImage:
    """Encode the copy of a picture to send one device.

    The picture is scaled down (never up) to :func:`image_bounds`, encoded in the format of
    :func:`image_format`, without metadata, and kept within the byte budget: JPEG quality, then
    palette colours, are lowered until it fits, and the picture is shrunk further when even the
    lowest setting is too large. If nothing fits (the picture cannot get smaller than
    :data:`MIN_SIDE` pixels), the smallest encoding tried is returned and a warning is logged;
    callers can tell by comparing its length with the budget.

    :param im: the picture, usually from :func:`load_upload`.
    :param device: the device to encode for.
    :param width: the width for smartphones and PCs, in pixels.
    :param budget: the most bytes allowed; :func:`image_budget` of the device when ``None``.
    :return: the bytes and their media type.
    """
    im = _prepared(im)
    transparent = im.mode == "RGBA"
    fmt = image_format(device, transparent=transparent)
    max_width, max_height = image_bounds(device, width)
    budget = budget if budget is not None else image_budget(device)
    data = _fit_budget(_fit_within(im, max_width, max_height), _ladder(fmt, transparent), budget)
    if budget is not None and len(data) > budget:
        logger.warning(
            "image for %s/%s is %d bytes, over its %d-byte budget",
            device.carrier,
            device.model,
            len(data),
            budget,
        )
    return EncodedImage(data, MIMETYPES[fmt])


def _fit_budget(im: Image.Image, ladder: Sequence[Encoder], budget: int | None) -> bytes:
    """Encode with the best step of ``ladder`` that fits ``budget``, shrinking ``im`` if needed.

    At each size the smallest step is tried first: if it is too large the size is reduced at
    once, otherwise a binary search finds the best fitting step, so a size costs
    O(log len(ladder)) encodings.
    """
    if budget is None:
        return ladder[0](im)
    smallest: bytes | None = None
    while True:
        last = ladder[-1](im)
        if smallest is None or len(last) < len(smallest):
            smallest = last
        if len(last) <= budget:
            return _best_fitting(im, ladder, budget, last)
        smaller = _shrunk(im)
        if smaller is None:
            return smallest
        im = smaller


def _best_fitting(im: Image.Image, ladder: Sequence[Encoder], budget: int, last: bytes) -> bytes:
    """Binary-search the first step of ``ladder`` within ``budget``; the last step fits."""
    low, high = 0, len(ladder) - 1
    best = last
    while low < high:
        middle = (low + high) // 2
        data = ladder[middle](im)
        if len(data) <= budget:
            high, best = middle, data
        else:
            low = middle + 1
    return best


def _shrunk(im: Image.Image) -> Image.Image | None:
    """Return ``im`` scaled by :data:`SHRINK_FACTOR`, or ``None`` at :data:`MIN_SIDE`."""
    width, height = im.size
    if min(width, height) <= MIN_SIDE:
        return None
    scale = max(SHRINK_FACTOR, MIN_SIDE / min(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS)

"""Uploaded pictures read safely: :func:`load_upload` turns untrusted upload bytes into an
oriented, fully decoded RGB or RGBA image, refusing oversized files and decompression bombs
before any pixel is decoded, with no metadata attached. :mod:`.images` makes the copies shown.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MIB = 1024 * 1024

#: The upload formats accepted, as Pillow names them. Only these decoders ever see upload bytes.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")

ORIENTATION_TAG = 0x0112


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
    return normalized(_to_srgb(upright(im)))


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


def upright(im: Image.Image) -> Image.Image:
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


def normalized(im: Image.Image) -> Image.Image:
    """Return ``im`` as RGB, or RGBA when it has transparent pixels, with no metadata."""
    mode = "RGBA" if has_transparency(im) else "RGB"
    if im.mode != mode:
        if im.mode == "RGBA" or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
        im = im.convert(mode)
    return bare(im)


def bare(im: Image.Image) -> Image.Image:
    """Return a copy of ``im`` with no metadata (EXIF, XMP, ICC, comments, text chunks)."""
    bare = im.copy()
    bare.info = {}
    return bare


def prepared(im: Image.Image) -> Image.Image:
    """Make a caller's image upright and plain RGB/RGBA (a no-op for :func:`load_upload` output)."""
    if im.getexif().get(ORIENTATION_TAG, 1) != 1:
        im = upright(im)
    return normalized(im)

"""Make the copies of a picture that a phone, smartphone or PC can show.

:func:`sanitized_original` is the copy kept as the "original": bounded in size, without any
metadata. :func:`for_device` makes the copy a given :class:`~portal.keitai.device.Device` is
sent: no wider than its screen, in a format its browser decodes, and small enough to share the
page budget with the markup. Uploads are read by :func:`.image_uploads.load_upload`.

Every output image is built from pixels alone, so no EXIF block (GPS position, camera serial),
XMP packet, ICC profile, comment or text chunk of the upload can reach the output.

The format chosen per handset follows KEITAI.md B4 and B6; :func:`image_format` documents each
decision next to its rule.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple

from PIL import Image

from .device import Device
from .image_rules import (  # noqa: F401 (part of this module's interface)
    DOCOMO_501I_BOX,
    KEITAI_DEFAULT_WIDTH,
    PAGE_SHARE,
    image_bounds,
    image_budget,
    image_format,
)
from .image_uploads import bare, prepared

logger = logging.getLogger(__name__)

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


class EncodedImage(NamedTuple):
    """Encoded image bytes and their media type; unpacks as ``data, mimetype``."""

    data: bytes
    mimetype: str


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
    bare(im).save(buffer, fmt, **params)
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
    im = _fit_within(prepared(im), max_side, max_side)
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
    im = prepared(im)
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

"""Which image a handset gets: its format, its largest size, and its share of the page budget.

The decisions, each with the fact behind it, are in :func:`image_format`; :mod:`.images` does the
encoding.
"""

from __future__ import annotations

import re

from .carriers import AU, DOCOMO, SOFTBANK
from .device import Device

#: Width used for a keitai whose :attr:`~Device.screen_width` is unknown: the QVGA browser width
#: of nearly all 3G handsets, and the widest image mbdb.jp advises for all three carriers (B6).
KEITAI_DEFAULT_WIDTH = 240

#: docomo 501i handsets show images up to about 94x72 pixels (KEITAI.md B4, B6: rousi.com).
DOCOMO_501I_BOX = (94, 72)


#: The widths a keitai's copy of a picture is made at: its screen width rounded down to one of
#: these (the smallest for a narrower screen, the largest for a wider one). Screen widths come
#: from request headers (``X-UP-DEVCAP-SCREENPIXELS``, ``X-S-DISPLAY-INFO``), so any number may
#: arrive; a stored copy per number would let anyone fill the disk (issue 12, item 4). 120 and
#: 240 are the defaults of old and 3G handsets, 176 and 230-ish the common au and SoftBank ones.
WIDTH_BUCKETS = (96, 120, 144, 176, 208, 240, 320, 480)

#: The byte budgets a keitai's copy is made for, by the same rule: half of the 5 KB floor, of
#: au's 9 KB, docomo's 20 and 30 KB texts, and larger caches.
BUDGET_BUCKETS = (2560, 4608, 10240, 15360, 32768, 65536, 131072)


def _bucket(value: int, buckets: tuple[int, ...]) -> int:
    """Return the largest bucket not above ``value``; the smallest for a smaller value."""
    return max((bucket for bucket in buckets if bucket <= value), default=buckets[0])


#: The share of :attr:`~Device.max_page_bytes` one image may take: images count against the
#: same page cache as the markup (KEITAI.md B1, B4), which keeps the other half.
PAGE_SHARE = 0.5


_DOCOMO_MOVA_UA = re.compile(r"DoCoMo/\d+\.\d+/")


def _is_docomo_mova(device: Device) -> bool:
    """Tell a mova (2G, ``DoCoMo/1.0/MODEL``) handset from a FOMA one (``DoCoMo/2.0 MODEL(``).

    Without a user agent, a narrow or unknown screen is taken as mova (the safer guess).
    """
    if device.user_agent:
        return _DOCOMO_MOVA_UA.match(device.user_agent) is not None
    return (device.screen_width or 0) < KEITAI_DEFAULT_WIDTH


def _is_au_wap1(device: Device) -> bool:
    """Tell an au WAP1 handset (``UP.Browser/3.x-ID``, HDML, TU-KA) from a WAP2 one (``KDDI-``)."""
    return device.user_agent.startswith("UP.Browser/")


def _is_jphone(device: Device) -> bool:
    """Tell a 2G J-PHONE handset: the only SoftBank devices served Shift_JIS (device.py)."""
    return device.encoding == "cp932"


def image_format(device: Device, *, transparent: bool = False) -> str:
    """Choose the image format to send a device: ``"JPEG"``, ``"PNG"`` or ``"GIF"``.

    Decisions per handset, with the fact behind each:

    * docomo mova (``DoCoMo/1.0/...``): GIF. KEITAI.md B4: GIF is the only format every i-mode
      handset shows (501i: GIF only); JPEG came with *some* 503i/211i models, which the UA does
      not tell apart.
    * docomo FOMA (``DoCoMo/2.0 MODEL(...)``): JPEG; GIF when transparent. B4: docomo XHTML
      handsets show JPEG and GIF; PNG is not listed.
    * au WAP2 (``KDDI-...``), SoftBank 3G (``SoftBank/``, ``Vodafone/``): JPEG; PNG when
      transparent. B4: au and SoftBank show JPEG, PNG and GIF.
    * au WAP1 (``UP.Browser/3.x``): PNG (palette). KEITAI.md does not cover them; memorva.jp
      (gif_png_jpg) says old au handsets show only GIF or PNG, and the shirakiku conversion
      system re-encodes i-mode GIFs for EZweb handsets older than the "KDDI" generation.
    * J-PHONE 2G (``J-PHONE/x.y``): PNG (palette, 256 colours at most). KEITAI.md does not cover
      them, and B4's "GIF is universally safe" does not hold here: early J-PHONE handsets
      (J-D03, 2000) showed only PNG of up to 256 colours and no JPEG (kcn-bun report), and
      memorva.jp lists SoftBank as JPEG/PNG without GIF. The image URL should end in ``.png``:
      J-PHONE handsets pick the decoder from the URL's extension (shirakiku manual).
    * WILLCOM: JPEG; PNG when transparent. KEITAI.md has no format facts for WILLCOM; its
      browsers (Opera, NetFront, IE Mobile on W-ZERO3) are full browsers that decode both.
    * smartphone, PC: JPEG; PNG when transparent.

    :param device: the device the image is for.
    :param transparent: whether the image has transparent pixels to keep.
    """
    if device.carrier == DOCOMO:
        if _is_docomo_mova(device):
            return "GIF"
        return "GIF" if transparent else "JPEG"
    if (device.carrier == AU and _is_au_wap1(device)) or (
        device.carrier == SOFTBANK and _is_jphone(device)
    ):
        return "PNG"
    return "PNG" if transparent else "JPEG"


def image_bounds(device: Device, width: int = 640) -> tuple[int, int | None]:
    """Return the largest ``(width, height)`` of an image for a device; ``None`` is no bound.

    Keitai get their screen width (:data:`KEITAI_DEFAULT_WIDTH` when unknown, B6) rounded down
    to one of :data:`WIDTH_BUCKETS`; docomo 501i handsets get the 94x72 box of B4; smartphones
    and PCs get ``width``.

    :param device: the device the image is for.
    :param width: the width for smartphones and PCs.
    """
    if not device.is_keitai:
        return width, None
    if device.carrier == DOCOMO and (device.model or "").endswith("501i"):
        return DOCOMO_501I_BOX
    return _bucket(device.screen_width or KEITAI_DEFAULT_WIDTH, WIDTH_BUCKETS), None


def image_budget(device: Device) -> int | None:
    """Return the most bytes one image may take on a device's page, or ``None`` for no limit.

    It is :data:`PAGE_SHARE` of :attr:`~Device.max_page_bytes` (the image and the markup share
    the handset's page cache, KEITAI.md B1, B4), rounded down to one of :data:`BUDGET_BUCKETS`
    (au handsets state their page size in a header, any number). Compare it with the length of
    :func:`for_device`'s output to tell whether the budget could be met.

    :param device: the device the image is for.
    """
    if device.max_page_bytes is None:
        return None
    return _bucket(int(device.max_page_bytes * PAGE_SHARE), BUDGET_BUCKETS)

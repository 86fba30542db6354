"""QR codes (segno) on PC pages of shareable content and on the login page: Mixi printed one so
a member could open the same page on a phone by pointing its camera at the screen.

The code holds :func:`portal.filters.share_url` of the page: the configured public address
(``PUBLIC_URL``, never the Host header) without any session id, so scanning it never hands a
session to the phone. It is an inline SVG ``data:`` image (the PC pages' policy allows
``img-src data:``): no request of its own, nothing to cache per viewer.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from .filters import share_url

#: Pixels per module and the quiet zone (modules) around the code.
SCALE, BORDER = 3, 2


class QRCode(NamedTuple):
    """An encoded URL: the image's data URI and its side in pixels."""

    url: str
    data_uri: str
    side: int


@functools.lru_cache(maxsize=512)
def qr_for(url: str) -> QRCode:
    """Return the QR code of a URL (error correction M, as phone readers of 2008 read)."""
    import segno  # noqa: PLC0415 (only pages with a QR code need it)

    code = segno.make(url, error="m", micro=False)
    side = int(code.symbol_size(scale=SCALE, border=BORDER)[0])
    return QRCode(url, code.svg_data_uri(scale=SCALE, border=BORDER, dark="#333"), side)


def qr_code(endpoint: str, **values) -> QRCode:
    """Return the QR code of an endpoint's share URL (a template global: ``_macros/qr.html``
    makes the ``<img>``)."""
    return qr_for(share_url(endpoint, **values))


def init_app(app) -> None:
    app.jinja_env.globals["qr_code"] = qr_code

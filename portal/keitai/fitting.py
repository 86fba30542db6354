"""Whether text fits a phone page: its bytes as each kind of Shift_JIS phone receives it.

A character limit is the rule members read; this is the one pages are sized by. Text short in
characters can be long on a phone: ``&`` is escaped to five bytes, and an emoji a carrier lacks
is shown as its name in brackets (up to 22 bytes on a docomo D501i). Measure the text as the
page shows it (escaped; with its links and line breaks where it has them):

>>> from markupsafe import escape
>>> fits_phones(str(escape("晴" * 100)), 200)
True
>>> phone_bytes("🎢"), fits_phones("🎢" * 100, 200)
(22, False)
"""

from __future__ import annotations

from .device import Device, detect
from .ext import encode_for

#: Phones whose pages are Shift_JIS, each with its own emoji: docomo and au send their own
#: symbols (two bytes each, or the name in brackets for one they lack), J-PHONE a webcode.
PHONES: tuple[Device, ...] = tuple(
    detect({"HTTP_USER_AGENT": agent, "REMOTE_ADDR": "192.0.2.1"})
    for agent in (
        "DoCoMo/1.0/D501i",
        "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0",
        "J-PHONE/4.0/J-SH51/SNJSHA3029293 SH/0001aa Profile/MIDP-1.0 Configuration/CLDC-1.0",
    )
)


def phone_bytes(html: str) -> int:
    """Return the most bytes ``html`` takes on any of :data:`PHONES` (in Japanese)."""
    return max(len(encode_for(html, phone)) for phone in PHONES)


def fits_phones(html: str, max_bytes: int) -> bool:
    """Tell whether ``html`` takes at most ``max_bytes`` on every one of :data:`PHONES`."""
    return phone_bytes(html) <= max_bytes

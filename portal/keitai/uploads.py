"""Which devices can send a file from a form (``<input type="file">``), and how large.

Most feature phones cannot: a form offered to them with a file field shows nothing they can
use, so templates ask ``{% if can_upload() %}`` (the Flask extension's template global) first.
The facts, and where they come from:

* PCs and smartphones: yes, no device limit (the site's ``MAX_CONTENT_LENGTH`` applies).
* au: browser version "7.2.7.1.K.4" (some summer 2009 handsets) and later support RFC 1867
  file upload from HTML forms, files up to 500 KB. Source: KDDI, EZweb 仕様書 "Web ページ記述ガイド
  Version 1.0" (2012-03-30) p. 51, as summarised at
  http://0pm.0am.jp/memo3/index.cgi?entry=20130308_125141. The version follows an underscore
  in the user agent: ``KDDI-CA3C UP.Browser/6.2_7.2.7.1.K.4.304 (GUI) MMP/2.0``; older
  handsets (``UP.Browser/6.2.0.7.3.129``) have no such part.
* SoftBank: 3GC2 handsets and later support it, 3GC handsets only partly (same page, citing
  SoftBank's Mobile Creation web documents). So ``SoftBank/...`` user agents can, and
  ``Vodafone/...`` (3GC era) and J-PHONE (2G) cannot. No size is documented.
* docomo, WILLCOM and anything else: no; no source we hold documents file upload for them.
"""

from __future__ import annotations

import re

from .carriers import AU, GARAHO, PC, SMARTPHONE, SOFTBANK
from .device import Device

__all__ = ["AU_UPLOAD_LIMIT", "can_upload", "upload_limit"]

#: au's documented largest upload, "500Kbyte" (KB as 1,024 bytes, as elsewhere in the package).
AU_UPLOAD_LIMIT = 500 * 1024

#: The first au browser version with form file upload: base 7.2.7.1, then "K.4".
_AU_FIRST_BASE = (7, 2, 7, 1)
_AU_FIRST_K = 4

#: The browser version after the underscore: ``UP.Browser/6.2_7.2.7.1.K.4.304`` (four base
#: numbers, a letter and its number, then a build number).
_AU_BROWSER = re.compile(
    r"UP\.Browser/[\d.]+_(?P<base>\d+\.\d+\.\d+\.\d+)(?:\.(?P<letter>[A-Za-z])\.(?P<number>\d+))?",
    re.ASCII,
)


def _au_can_upload(user_agent: str) -> bool:
    """Tell whether an au user agent names browser 7.2.7.1.K.4 or later.

    A later base version (7.2.7.2, 7.3...) counts whatever follows it; on base 7.2.7.1 the
    number after "K" must be 4 or more, compared as a number (K.10 is later than K.4).
    """
    match = _AU_BROWSER.search(user_agent)
    if match is None:
        return False
    base = tuple(int(part) for part in match["base"].split("."))
    if base > _AU_FIRST_BASE:
        return True
    return (
        base == _AU_FIRST_BASE
        and (match["letter"] or "").upper() == "K"
        and int(match["number"]) >= _AU_FIRST_K
    )


def can_upload(device: Device) -> bool:
    """Tell whether ``device`` can send a file from an HTML form (see the module documentation).

    :param device: the detected device; au and SoftBank are decided by its ``user_agent``.
    """
    if device.carrier in (PC, SMARTPHONE, GARAHO):  # ガラホ: Android's browser
        return True
    if device.full_browser:  # nothing we hold documents uploads from them
        return False
    if device.carrier == AU:
        return _au_can_upload(device.user_agent)
    if device.carrier == SOFTBANK:
        # 3GC2 and later handsets say "SoftBank/"; Vodafone-era 3GC ones only partly work.
        return device.user_agent.lstrip().startswith("SoftBank/")
    return False


def upload_limit(device: Device) -> int | None:
    """Return the largest file, in bytes, that ``device`` can send, where it is documented.

    :return: 500 KB for au handsets that can upload; ``None`` when no device limit is
        documented (PCs, smartphones, SoftBank) and for devices that cannot upload at all, so
        ask :func:`can_upload` first.
    """
    if device.carrier == AU and can_upload(device):
        return AU_UPLOAD_LIMIT
    return None

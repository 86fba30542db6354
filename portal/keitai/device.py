"""Detect the device behind a request: carrier, model, wire encoding, cookies and page budget.

:func:`detect` is a pure function of the WSGI environ. It reads the user agent once through a
cached parser (:mod:`.user_agents`: the UA alone decides the carrier and most properties), then
applies what only the other headers can tell: au's advertised page size and screen, SoftBank's
model name and screen, https (au keeps no cookies there), and subscriber IDs, which count only
when the request came out of the same carrier's gateway. The figures (page budgets, widths,
subscriber headers) are in :mod:`.carriers`.

The rules follow the public keitai libraries (jpmobile, HTTP::MobileAgent, uamobile) as summed up
in KEITAI.md section A1; where they disagree the choice is noted next to the rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import gateways
from .carriers import (
    AU,
    EMOJI_AS_TEXT,
    KEITAI_CARRIERS,
    KEYPAD_PHONES,
    PC,
    SMARTPHONE,
    SOFTBANK,
    SUBSCRIBER_HEADERS,
    bounded_page_bytes,
)
from .user_agents import Profile, parse_user_agent

#: Only this much of a user agent is parsed; every token we look for is near its start.
MAX_UA_CHARS = 1024


@dataclass(frozen=True, slots=True)
class Device:
    """What the portal needs to know about the device that sent a request.

    :param carrier: ``"docomo"``, ``"au"``, ``"softbank"``, ``"willcom"``, ``"smartphone"`` or
        ``"pc"``.
    :param is_keitai: whether it is a carrier feature phone (the four carriers above).
    :param model: the handset model or device id (``"SH902i"``, ``"CA32"``, ``"910T"``), else
        ``None``.
    :param encoding: the Python codec used on the wire, ``"cp932"`` or ``"utf-8"``.
    :param cookies: whether the device keeps cookies; if not, the session travels in URLs.
    :param max_page_bytes: the largest page the device takes, in encoded bytes; ``None`` for no
        limit.
    :param screen_width: the browser width in pixels, or ``None`` when not a keitai.
    :param subscriber_id: the carrier's subscriber ID, only when the request came from that
        carrier's gateway.
    :param is_crawler: whether the user agent names a known crawler.
    :param user_agent: the ``User-Agent`` header as received.
    :param gateway: the carrier whose gateway range ``REMOTE_ADDR`` lies in, whatever the user
        agent says; ``None`` off the carrier networks.
    :param full_browser: a carrier handset's second browser, made for PC sites (docomo's full
        browser, au's PC-site viewer): its carrier counts for subscriber IDs and emoji input,
        but it is no keitai browser (UTF-8, cookies, HTML5 pages).
    """

    carrier: str = PC
    is_keitai: bool = False
    model: str | None = None
    encoding: str = "utf-8"
    cookies: bool = True
    max_page_bytes: int | None = None
    screen_width: int | None = None
    subscriber_id: str | None = None
    is_crawler: bool = False
    user_agent: str = ""
    gateway: str | None = None
    full_browser: bool = False

    @property
    def charset(self) -> str:
        """The HTTP charset label for :attr:`encoding` (``Shift_JIS`` or ``UTF-8``)."""
        return "Shift_JIS" if self.encoding == "cp932" else "UTF-8"

    @property
    def is_smartphone(self) -> bool:
        """Whether this is a smartphone or tablet (served the PC pages)."""
        return self.carrier == SMARTPHONE

    @property
    def prefers_mobile(self) -> bool:
        """Whether the device gets the mobile pages unless the member asks for the PC view:
        keitai, today's keypad phones and the carriers' full browsers (small screens, keys)."""
        return self.is_keitai or self.full_browser or self.carrier in KEYPAD_PHONES

    @property
    def emoji_carrier(self) -> str:
        """Whose emoji the device's pages carry (:func:`~.emoji.for_carrier`): the carrier's
        own, or :data:`EMOJI_AS_TEXT` for full browsers, which show no carrier emoji."""
        return EMOJI_AS_TEXT if self.full_browser else self.carrier

    @classmethod
    def pc(cls, user_agent: str = "") -> Device:
        """Return a plain PC device, e.g. for tests and for requests without a user agent."""
        return cls(user_agent=user_agent)


def detect(environ: Mapping[str, Any]) -> Device:
    """Detect the device that sent a request.

    Never raises: a missing, empty or garbled user agent gives a PC.

    :param environ: the WSGI environ (``HTTP_*`` headers, ``REMOTE_ADDR``, ``wsgi.url_scheme``).
    :return: the :class:`Device`.
    """
    user_agent = _header(environ, "HTTP_USER_AGENT")
    profile = parse_user_agent(user_agent.strip()[:MAX_UA_CHARS])
    if profile.carrier == PC and _client_hints_mobile(environ):
        profile = profile._replace(carrier=SMARTPHONE)
    carrier = profile.carrier
    gateway = gateways.carrier_for_ip(_client_address(environ))
    return Device(
        carrier=carrier,
        is_keitai=carrier in KEITAI_CARRIERS and not profile.full_browser,
        model=_model(profile, environ),
        encoding=profile.encoding,
        cookies=_cookies(profile, environ),
        max_page_bytes=_page_bytes(profile, environ),
        screen_width=_screen_width(profile, environ),
        subscriber_id=_subscriber_id(carrier, gateway, environ),
        is_crawler=profile.is_crawler,
        user_agent=user_agent,
        gateway=gateway,
        full_browser=profile.full_browser,
    )


# -- header-dependent parts (computed per request) ------------------------------------------


def _header(environ: Mapping[str, Any], key: str) -> str:
    """Return an environ header as text ('' when absent); bytes are read as Latin-1 (PEP 3333)."""
    value = environ.get(key)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _client_address(environ: Mapping[str, Any]) -> str | None:
    """Return the address the request came from.

    Only ``REMOTE_ADDR`` for now. Behind a reverse proxy this is where a ``trusted_proxies``
    option will take the first ``X-Forwarded-For`` entry, and only when ``REMOTE_ADDR`` is one of
    those proxies (as uamobile's ``Context(proxy_ips=...)`` does, KEITAI.md A5).
    """
    address = _header(environ, "REMOTE_ADDR").strip()
    return address or None


_MSNAME = re.compile(r"[\w.,+-]{1,40}", re.ASCII)


def _model(profile: Profile, environ: Mapping[str, Any]) -> str | None:
    if profile.carrier == SOFTBANK:
        msname = _header(environ, "HTTP_X_JPHONE_MSNAME").strip()
        if _MSNAME.fullmatch(msname):
            return msname
    return profile.model


def _cookies(profile: Profile, environ: Mapping[str, Any]) -> bool:
    """Return whether the device keeps cookies for this request.

    au keeps http cookies on the EZ server and https ones on the handset, so the two diverge;
    jpmobile therefore treats au over https as cookie-less (KEITAI.md A4, B2).
    """
    if (
        profile.carrier == AU
        and not profile.full_browser
        and environ.get("wsgi.url_scheme") == "https"
    ):
        return False
    return profile.cookies


_DIGITS = re.compile(r"\d{1,9}", re.ASCII)


def _page_bytes(profile: Profile, environ: Mapping[str, Any]) -> int | None:
    """Return the page budget; au WAP2 handsets state theirs in ``X-UP-DEVCAP-MAX-PDU`` (B1)."""
    if profile.carrier == AU and not profile.wap1 and not profile.full_browser:
        pdu = _header(environ, "HTTP_X_UP_DEVCAP_MAX_PDU").strip()
        if _DIGITS.fullmatch(pdu) and int(pdu) > 0:
            return bounded_page_bytes(int(pdu))
    return profile.page_bytes


_AU_PIXELS = re.compile(r"(\d{1,4}),(\d{1,4})", re.ASCII)
_SOFTBANK_PIXELS = re.compile(r"(\d{1,4})\*(\d{1,4})(?:/.*)?", re.ASCII | re.DOTALL)


def _screen_width(profile: Profile, environ: Mapping[str, Any]) -> int | None:
    """Return the browser width from the carrier's display header, else the UA's default.

    au sends ``X-UP-DEVCAP-SCREENPIXELS: 240,346``; SoftBank 3GC handsets since 2007 send the
    content area in ``X-S-DISPLAY-INFO: 468*540/29*16/TB``, others ``X-JPHONE-DISPLAY: 240*320``
    (KEITAI.md A6, B6). Malformed values are ignored.
    """
    if profile.full_browser:
        width = None
    elif profile.carrier == AU:
        width = _width(_AU_PIXELS, _header(environ, "HTTP_X_UP_DEVCAP_SCREENPIXELS"))
    elif profile.carrier == SOFTBANK:
        width = _width(_SOFTBANK_PIXELS, _header(environ, "HTTP_X_S_DISPLAY_INFO")) or _width(
            _SOFTBANK_PIXELS, _header(environ, "HTTP_X_JPHONE_DISPLAY")
        )
    else:
        width = None
    return width or profile.screen_width


def _width(pattern: re.Pattern[str], value: str) -> int | None:
    match = pattern.fullmatch(value.strip())
    if match is None or int(match.group(1)) == 0 or int(match.group(2)) == 0:
        return None
    return int(match.group(1))


_SUBSCRIBER_ID = re.compile(r"[0-9A-Za-z._-]{1,64}", re.ASCII)


def _subscriber_id(carrier: str, gateway: str | None, environ: Mapping[str, Any]) -> str | None:
    """Return the subscriber ID, if the request came through ``carrier``'s own gateway.

    Only the header of the device's own carrier is read, and only when ``REMOTE_ADDR`` lies in
    that same carrier's gateway ranges: gateways overwrite their own ID header but pass other
    carriers' through, and anyone can send any header from a PC (KEITAI.md A5, B7). Empty values
    and the ``NULLGW...`` placeholders sent when the ID is withheld give ``None``.
    """
    header = SUBSCRIBER_HEADERS.get(carrier)
    if header is None:
        return None
    value = _header(environ, header).strip()
    if not _SUBSCRIBER_ID.fullmatch(value) or value.upper().startswith("NULLGW"):
        return None
    if gateway != carrier:
        return None
    return value


_CH_MOBILE_PLATFORMS = frozenset({"ios", "android"})


def _client_hints_mobile(environ: Mapping[str, Any]) -> bool:
    """Return whether User-Agent Client Hints say smartphone or tablet.

    jpmobile's smartphone classes check ``Sec-CH-UA-Platform`` (iOS, Android) and
    ``Sec-CH-UA-Mobile`` before the UA, after the keitai carriers (KEITAI.md A1).
    """
    platform = _header(environ, "HTTP_SEC_CH_UA_PLATFORM").strip().strip('"').lower()
    mobile = _header(environ, "HTTP_SEC_CH_UA_MOBILE").strip()
    return platform in _CH_MOBILE_PLATFORMS or mobile == "?1"

"""Detect the device behind a request: carrier, model, wire encoding, cookies and page budget.

:func:`detect` is a pure function of the WSGI environ. It reads the user agent once through a
cached parser (the UA alone decides the carrier and most properties), then applies what only the
other headers can tell: au's advertised page size and screen, SoftBank's model name and screen,
https (au keeps no cookies there), and subscriber IDs, which count only when the request came out
of the same carrier's gateway.

The rules follow the public keitai libraries (jpmobile, HTTP::MobileAgent, uamobile) as summed up
in KEITAI.md section A1; where they disagree the choice is noted next to the rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from . import gateways

DOCOMO = "docomo"
AU = "au"
SOFTBANK = "softbank"
WILLCOM = "willcom"
#: 4G flip phones with Android inside (ガラホ: AQUOS ケータイ, DIGNO ケータイ, GRATINA, TORQUE...).
GARAHO = "garaho"
#: KaiOS phones (Nokia 8110 4G, Alcatel Go Flip): Firefox OS's heir, with number keys.
KAIOS = "kaios"
SMARTPHONE = "smartphone"
PC = "pc"

#: Carriers whose devices are feature phones (keitai).
KEITAI_CARRIERS = frozenset({DOCOMO, AU, SOFTBANK, WILLCOM})
#: Today's phones with number keys: a modern browser (HTML5, UTF-8, cookies) on a small screen.
KEYPAD_PHONES = frozenset({GARAHO, KAIOS})
#: What :func:`~.emoji.for_carrier` is told for browsers that show no carrier emoji.
EMOJI_AS_TEXT = "text"

KB = 1024

#: Page budgets: the most bytes one encoded page (markup included) may have, per generation.
#: Every figure comes from KEITAI.md; none exceeds what it documents.
PAGE_BUDGETS: Mapping[str, int] = MappingProxyType(
    {
        # B1: a docomo UA without a cache token means 5 KB (501i/502i era; HTTP::MobileAgent
        # asserts DoCoMo/1.0/D501i => 5). The floor for unknown and oldest phones of any carrier.
        "minimum": 5 * KB,
        # B1: the largest documented cache (c500, i-mode browser 2.0). Nothing goes above it.
        "maximum": 500 * KB,
        # B1: docomo's XHTML UA page: c100 is 100 KB per screen with images, but text including
        # tags within 30 KB. docomo budgets are min(cNN, this); no other text limit is documented.
        "docomo_text": 30 * KB,
        # B1 (tenderfeel summary): au 9 KB excluding images; used when X-UP-DEVCAP-MAX-PDU is
        # absent or not a number.
        "au": 9 * KB,
        # B1 floor: UP.Browser/3.x (WAP1/HDML, TU-KA), the oldest au generation.
        "au_wap1": 5 * KB,
        # B1: SoftBank 3G caches 300 KB in total, but also has a root-document limit that
        # KEITAI.md does not quantify (x-Servlet); the one documented text limit, 30 KB, applies.
        "softbank_3g": 30 * KB,
        # J-PHONE W (5.x), P (4.x) and C (2.x, 3.x) types: KEITAI.md documents no size => floor.
        "jphone_w": 5 * KB,
        "jphone_p": 5 * KB,
        "jphone_c": 5 * KB,
        # B1: WILLCOM names its cache in the UA (C100, C128, c50), used as is within the bounds
        # above; a UA without one (W-ZERO3) gets the floor.
        "willcom": 5 * KB,
        # Browsers that also open PC sites: ガラホ (Android's Chrome), KaiOS (Gecko), docomo's
        # full browser and au's PC-site viewer document no page limit. They get the mobile pages
        # and this ceiling, the largest text budget any carrier documented (B1, docomo): a few
        # screens of D-pad scrolling, and what the keitai pages were sized against.
        "full_browser": 30 * KB,
    }
)

#: Default browser widths in pixels when no header states one (KEITAI.md B6): 240 for 3G
#: handsets (FOMA, au WIN/WAP2, SoftBank 3G, WILLCOM QVGA); 120 for older ones (J-PHONE
#: 116x112 and 120x117, SO213iWR 120x112, 8-10 full-width characters on old i-mode).
SCREEN_WIDTHS: Mapping[str, int] = MappingProxyType({"3g": 240, "old": 120})

#: Only this much of a user agent is parsed; every token we look for is near its start.
MAX_UA_CHARS = 1024

#: Subscriber-ID header of each carrier (KEITAI.md A1, B7).
SUBSCRIBER_HEADERS: Mapping[str, str] = MappingProxyType(
    {DOCOMO: "HTTP_X_DCMGUID", AU: "HTTP_X_UP_SUBNO", SOFTBANK: "HTTP_X_JPHONE_UID"}
)

#: Carriers whose gateways send the subscriber ID on every request (or, when the member withholds
#: it, on none); docomo sends the i-mode ID only to URLs with ``guid=ON`` (KEITAI.md B7).
SUBSCRIBER_ID_ON_EVERY_REQUEST = frozenset({AU, SOFTBANK})


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


class _Profile(NamedTuple):
    """What the user agent alone says; headers may refine some of it."""

    carrier: str
    model: str | None = None
    encoding: str = "utf-8"
    cookies: bool = True
    page_bytes: int | None = None
    screen_width: int | None = None
    is_crawler: bool = False
    #: au WAP1 (HDML) handsets ignore the WAP2 devcap headers.
    wap1: bool = False
    full_browser: bool = False


def detect(environ: Mapping[str, Any]) -> Device:
    """Detect the device that sent a request.

    Never raises: a missing, empty or garbled user agent gives a PC.

    :param environ: the WSGI environ (``HTTP_*`` headers, ``REMOTE_ADDR``, ``wsgi.url_scheme``).
    :return: the :class:`Device`.
    """
    user_agent = _header(environ, "HTTP_USER_AGENT")
    profile = _parse_user_agent(user_agent.strip()[:MAX_UA_CHARS])
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


def _model(profile: _Profile, environ: Mapping[str, Any]) -> str | None:
    if profile.carrier == SOFTBANK:
        msname = _header(environ, "HTTP_X_JPHONE_MSNAME").strip()
        if _MSNAME.fullmatch(msname):
            return msname
    return profile.model


def _cookies(profile: _Profile, environ: Mapping[str, Any]) -> bool:
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


def _page_bytes(profile: _Profile, environ: Mapping[str, Any]) -> int | None:
    """Return the page budget; au WAP2 handsets state theirs in ``X-UP-DEVCAP-MAX-PDU`` (B1)."""
    if profile.carrier == AU and not profile.wap1 and not profile.full_browser:
        pdu = _header(environ, "HTTP_X_UP_DEVCAP_MAX_PDU").strip()
        if _DIGITS.fullmatch(pdu) and int(pdu) > 0:
            return _bounded(int(pdu))
    return profile.page_bytes


_AU_PIXELS = re.compile(r"(\d{1,4}),(\d{1,4})", re.ASCII)
_SOFTBANK_PIXELS = re.compile(r"(\d{1,4})\*(\d{1,4})(?:/.*)?", re.ASCII | re.DOTALL)


def _screen_width(profile: _Profile, environ: Mapping[str, Any]) -> int | None:
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


def _bounded(page_bytes: int) -> int:
    return max(PAGE_BUDGETS["minimum"], min(page_bytes, PAGE_BUDGETS["maximum"]))


# -- user agent parsing (cached; depends on the UA string only) -------------------------------

_CRAWLER = re.compile(
    r"Googlebot|Google (?:CHTML|WAP) Proxy|Mediapartners-Google|AdsBot-Google|bingbot|msnbot"
    r"|BingPreview|Slurp|YahooSeeker|Y!J-|ichiro/|moba-crawler|symphonybot|LD_mobile_bot"
    r"|Baiduspider|BaiduMobaider|Yeti/|Ask Jeeves|Teoma|MSIECrawler|DuckDuckBot|Applebot"
    r"|YandexBot|facebookexternalhit|Twitterbot"
    # Generic "...bot/2.1", "...Crawler;", "...spider)" (case-sensitive, so "CUBOT" is no bot).
    r"|(?-i:[a-z_](?:[Bb]ot|[Cc]rawler|[Ss]pider))(?=[/;)]|$)",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=2048)
def _parse_user_agent(user_agent: str) -> _Profile:
    """Classify a user agent, in jpmobile's order: keitai carriers first, then smartphones.

    :param user_agent: the stripped, length-capped ``User-Agent`` value.
    """
    is_crawler = _CRAWLER.search(user_agent) is not None
    for pattern, parse in _CARRIER_RULES:
        match = pattern.match(user_agent)
        if match is not None:
            return parse(user_agent, match)._replace(is_crawler=is_crawler)
    for browser, parse_browser in _BROWSER_RULES:
        found = browser.search(user_agent)
        if found is not None:
            return parse_browser(user_agent, found)._replace(is_crawler=is_crawler)
    return _Profile(
        carrier=SMARTPHONE if _SMARTPHONE.search(user_agent) else PC,
        model=_smartphone_model(user_agent),
        is_crawler=is_crawler,
    )


_SMARTPHONE = re.compile(r"iPhone|iPad|iPod|Android|Windows Phone|BlackBerry")
_APPLE_MODEL = re.compile(r"\((iPhone|iPad|iPod)\b")


def _smartphone_model(user_agent: str) -> str | None:
    """Apple devices name their family ("iPhone", "iPad"), as jpmobile's tests expect."""
    match = _APPLE_MODEL.search(user_agent)
    return match.group(1) if match else None


_MODEL = re.compile(r"[\w.,+-]{1,40}", re.ASCII)


def _clean_model(model: str | None) -> str | None:
    return model if model and _MODEL.fullmatch(model) else None


# docomo: "DoCoMo/1.0/P503i/c10/TB/W20H10" (mova) or "DoCoMo/2.0 N2001(c10;TB;W24H12)" (FOMA).
_DOCOMO = re.compile(r"DoCoMo/")
_DOCOMO_MOVA = re.compile(r"DoCoMo/(?P<version>\d+\.\d+)/(?P<model>[^/\s(]+)(?P<fields>\S*)")
_DOCOMO_FOMA = re.compile(
    r"DoCoMo/(?P<version>\d+\.\d+) (?P<model>[^\s(;]+)(?:\((?P<options>[^)]*))?"
)
_CACHE_TOKEN = re.compile(r"c(\d{1,4})", re.ASCII)
#: HTTP::MobileAgent's two model fixes: a music-player variant prefix and an odd SH505i UA.
_DOCOMO_MODEL_PREFIX = "MST_v_"
_DOCOMO_MODEL_ALIASES = MappingProxyType({"SH505i2": "SH505i"})


def _parse_docomo(user_agent: str, _: re.Match[str]) -> _Profile:
    """Parse an i-mode UA.

    Cookies need i-mode browser 2.0: cache c500, or a FOMA-style ``DoCoMo/x MODEL(...)`` UA
    whose version is neither 1.0 nor 2.0 (jpmobile ``imode_browser_version``; uamobile agrees,
    KEITAI.md A4, B2). Unlike jpmobile, a mova-style ``DoCoMo/x/MODEL`` UA never gets cookies
    whatever its version ("DoCoMo/1.1/P711m/c10", "DoCoMo/3.0/N503"): browser 2.0 only ever
    shipped on 2009 FOMA handsets, and a cookie-less guess still works (the id goes in URLs).
    """
    version, model, cache_kb, foma = _docomo_fields(user_agent)
    browser2 = (cache_kb is not None and cache_kb >= 500) or (
        foma and version not in ("1.0", "2.0")
    )
    cache_bytes = cache_kb * KB if cache_kb else PAGE_BUDGETS["minimum"]
    return _Profile(
        carrier=DOCOMO,
        model=_clean_model(model),
        encoding="cp932",
        cookies=browser2,
        page_bytes=_bounded(min(cache_bytes, PAGE_BUDGETS["docomo_text"])),
        screen_width=SCREEN_WIDTHS["3g" if foma else "old"],
    )


def _docomo_fields(user_agent: str) -> tuple[str | None, str | None, int | None, bool]:
    """Return ``(version, model, cache_kb, is_foma_format)`` of an i-mode UA."""
    mova = _DOCOMO_MOVA.match(user_agent)
    if mova is not None:
        # The cache is the field right after the model: "/c10"; absent on 501i/502i.
        fields = mova.group("fields").split("/")
        cache = _CACHE_TOKEN.fullmatch(fields[1]) if len(fields) > 1 else None
        return mova["version"], _docomo_model(mova["model"]), _kb(cache), False
    foma = _DOCOMO_FOMA.match(user_agent)
    if foma is not None:
        options = (foma["options"] or "").split(";")
        cache = next(filter(None, map(_CACHE_TOKEN.fullmatch, options)), None)
        return foma["version"], _docomo_model(foma["model"]), _kb(cache), True
    return None, None, None, False


def _docomo_model(model: str) -> str:
    model = model.removeprefix(_DOCOMO_MODEL_PREFIX)
    return _DOCOMO_MODEL_ALIASES.get(model, model)


def _kb(match: re.Match[str] | None) -> int | None:
    return int(match.group(1)) if match is not None else None


# au: "KDDI-CA32 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0" (WAP2) or
# "UP.Browser/3.04-KCTA UP.Link/3.4.5.9" (WAP1/HDML). Anchored at the start: Vodafone 3G UAs
# contain "Browser/UP.Browser" too (KEITAI.md A1).
_AU = re.compile(
    r"KDDI-(?P<id>[^\s/]+)(?=\s|$)|UP\.Browser/[^\s-]*-(?P<wap1_id>\S+)|KDDI-|UP\.Browser/"
)


def _parse_au(user_agent: str, match: re.Match[str]) -> _Profile:
    """Parse an EZweb UA; the model is the au device id ("CA32", "KCTA")."""
    wap1 = user_agent.startswith("UP.Browser/")
    return _Profile(
        carrier=AU,
        model=_clean_model(match["id"] or match["wap1_id"]),
        encoding="cp932",
        page_bytes=PAGE_BUDGETS["au_wap1" if wap1 else "au"],
        screen_width=SCREEN_WIDTHS["old" if wap1 else "3g"],
        wap1=wap1,
    )


# SoftBank family. 3G: "SoftBank/1.0/910T/...", "Vodafone/1.0/V903T/...", the emulators
# "Semulator"/"Vemulator", Vodafone V702MO/V702sMO ("MOT-V980/...") and, as in HTTP::MobileAgent,
# "Nokia6820/2.0 ..." (the Googlebot-Mobile UA for SoftBank pages). 2G: "J-PHONE/4.0/J-SH51/..."
# (case-insensitive, as HTTP::MobileAgent; jpmobile dropped J-PHONE in 2010) and "J-EMULATOR".
_SOFTBANK = re.compile(
    r"(?P<three_g>SoftBank|Semulator|Vodafone|Vemulator|MOT-|Nokia[^/\s]+/\d\.\d)"
    r"|(?i:J-PHONE/(?P<jphone>\d+)\.\d|J-EMULATOR)"
)
_SOFTBANK_NAMES = frozenset({"SoftBank", "Vodafone", "Semulator", "Vemulator"})


def _parse_softbank(user_agent: str, match: re.Match[str]) -> _Profile:
    """Parse a SoftBank, Vodafone or J-PHONE UA.

    3G handsets speak UTF-8 and keep cookies. 2G J-PHONE handsets speak Shift_JIS; of them only
    the W type (J-PHONE/5.x) keeps cookies, C (2.x, 3.x) and P (4.x) types do not (uamobile
    ``supports_cookie``, KEITAI.md B2).
    """
    model = _softbank_model(user_agent.split(" ", 1)[0])
    if match["three_g"]:
        return _Profile(
            carrier=SOFTBANK,
            model=model,
            page_bytes=PAGE_BUDGETS["softbank_3g"],
            screen_width=SCREEN_WIDTHS["3g"],
        )
    jphone_type = {"5": "jphone_w", "4": "jphone_p"}.get(match["jphone"] or "", "jphone_c")
    return _Profile(
        carrier=SOFTBANK,
        model=model,
        encoding="cp932",
        cookies=jphone_type == "jphone_w",
        page_bytes=PAGE_BUDGETS[jphone_type],
        screen_width=SCREEN_WIDTHS["old"],
    )


def _softbank_model(main: str) -> str | None:
    """Return the model from the UA's first token ("SoftBank/1.0/910T/TJ001" gives "910T")."""
    parts = main.split("/")
    if parts[0] in _SOFTBANK_NAMES or parts[0].upper() == "J-PHONE":
        return _clean_model(parts[2].split("[", 1)[0]) if len(parts) > 2 else None
    if parts[0].startswith("MOT-"):
        return _clean_model(parts[0].removeprefix("MOT-"))
    if parts[0].startswith("Nokia"):
        return _clean_model(parts[0])
    return None


# WILLCOM: "Mozilla/3.0(WILLCOM;KYOCERA/WX310K/2;1.2.2.16.000000/0.1/C100) Opera 7.0", with
# DDIPOCKET for the older AirH" phones; and, as uamobile does, SHARP's W-ZERO3 (Windows Mobile,
# "...Windows CE; SHARP/WS007SH; PPC; 480x640)"), sold only by WILLCOM.
_WILLCOM = re.compile(
    r"Mozilla/3\.0\((?:WILLCOM|DDIPOCKET);(?P<body>[^)]*)"
    r"|Mozilla/4\.0 \(compatible; MSIE [\d.]+; Windows CE; SHARP/(?P<zero3>WS\d+SH)\b"
)
_PDA_WIDTH = re.compile(r"; (\d{3,4})x\d{3,4}\)")
_WILLCOM_CACHE = re.compile(r"[Cc](\d{1,4})", re.ASCII)


def _parse_willcom(user_agent: str, match: re.Match[str]) -> _Profile:
    """Parse a WILLCOM UA; the cache field (C100, c50) is the page budget (KEITAI.md B1)."""
    if match["zero3"]:
        width = _PDA_WIDTH.search(user_agent)
        return _willcom_profile(match["zero3"], None, int(width.group(1)) if width else None)
    fields = match["body"].split("/")
    model = fields[1] if len(fields) > 1 else None
    cache = _WILLCOM_CACHE.fullmatch(fields[-1]) if len(fields) > 2 else None
    return _willcom_profile(model, _kb(cache), None)


def _willcom_profile(model: str | None, cache_kb: int | None, width: int | None) -> _Profile:
    page_bytes = cache_kb * KB if cache_kb else PAGE_BUDGETS["willcom"]
    return _Profile(
        carrier=WILLCOM,
        model=_clean_model(model),
        page_bytes=_bounded(page_bytes),
        screen_width=width or SCREEN_WIDTHS["3g"],
    )


#: jpmobile's order (KEITAI.md A1): docomo, au, SoftBank/Vodafone (J-PHONE included), WILLCOM.
_CARRIER_RULES = (
    (_DOCOMO, _parse_docomo),
    (_AU, _parse_au),
    (_SOFTBANK, _parse_softbank),
    (_WILLCOM, _parse_willcom),
)


# -- today's phones and the carriers' full browsers (browsers that also open PC sites) -------
#
# Their user agents name a desktop-style browser, so they are looked for after the keitai
# carriers (whose UAs start with the carrier) and before smartphones (ガラホ say "Android").
# Real strings with their sources: tests/keitai/data/today_user_agents.json.

# docomo's full browser (905i onwards): "Mozilla/5.0 (F02B;FOMA;like Gecko)",
# "Mozilla/4.08 (N905imyu_W;FOMA;c500;TB)", "Mozilla/5.0 (SO905i; FOMA; like Gecko)".
_DOCOMO_FULL = re.compile(r"^Mozilla/[\d.]+ \((?P<model>[^;()\s]+); ?FOMA;")
# au's PC-site viewer (Opera on au handsets): "Mozilla/4.0 (compatible; MSIE 6.0; KDDI-CA3B)
# Opera 8.60 [ja]", "Mozilla/5.0 Opera/9.5 (KDDI-SH3F; BREW; Opera Mobi; U; ja) Presto/2.2.1".
_AU_PC_VIEWER = re.compile(r"^(?=.*\bOpera\b)Mozilla/[\d.]+ .*?\bKDDI-(?P<model>[A-Za-z0-9]+)[;)]")
# KaiOS: "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5",
# "Mozilla/5.0 (Mobile; ALCATEL4044T; rv:37.0) Gecko/37.0 Firefox/37.0 KaiOS/1.0".
_KAIOS = re.compile(r"\((?P<fields>[^)]*)\).*\bKAIOS/\d", re.IGNORECASE)
# ガラホ: Android UAs whose model is a flip phone. au codes its models maker + kind + number,
# the kind F meaning フィーチャーフォン (KYF33 TORQUE X01, SHF31 AQUOS K, KYF31 GRATINA 4G;
# V is a smartphone: KYV39); docomo and SoftBank model numbers do not say, so theirs are listed:
# AQUOS ケータイ SH-06G, SH-01J, SH-02K, SH-02L; P-smart ケータイ P-01J; arrows ケータイ F-03L;
# SoftBank AQUOS ケータイ 501SH, 601SH, 602SH, 806SH; DIGNO ケータイ 501KC, 502KC, 701KC, 903KC.
_GARAHO_MODELS = (
    r"(?:KY|SH|KC|CA)F\d\d|KYX31"
    r"|SH-06G|SH-01J|SH-02K|SH-02L|P-01J|F-03L"
    r"|50[12]SH|60[12]SH|806SH|50[12]KC|701KC|903KC"
)
_GARAHO = re.compile(
    rf"\bAndroid [\d.]+;(?: [a-z]{{2}}-[a-z]{{2}};)? (?P<model>{_GARAHO_MODELS})(?=[ ;)])"
)

#: The screen a keypad phone's browser lays pages out on: KaiOS phones are QVGA (240x320),
#: ガラホ qHD-class panels shown at about 480 px.
_KEYPAD_WIDTHS = MappingProxyType({KAIOS: 240, GARAHO: 480})


def _full_browser(carrier: str) -> Callable[[str, re.Match[str]], _Profile]:
    """Make the parser of one carrier's full browser."""

    def parse(user_agent: str, match: re.Match[str]) -> _Profile:
        return _Profile(
            carrier=carrier,
            model=_clean_model(match["model"]),
            page_bytes=PAGE_BUDGETS["full_browser"],
            screen_width=SCREEN_WIDTHS["3g"],
            full_browser=True,
        )

    return parse


def _parse_kaios(user_agent: str, match: re.Match[str]) -> _Profile:
    """The model is the first field that is neither "Mobile" nor "rv:..." (first part of a
    "LYF/F300B/..." build string: its second)."""
    fields = [f.strip() for f in match["fields"].split(";")]
    names = [
        f for f in fields if f and f != "Mobile" and not f.startswith("rv:") and f != "Android"
    ]
    model = None
    if names:
        parts = names[0].split("/")
        model = _clean_model((parts[1] if len(parts) > 1 else parts[0]).replace(" ", "_"))
    return _keypad(KAIOS, model)


def _parse_garaho(user_agent: str, match: re.Match[str]) -> _Profile:
    return _keypad(GARAHO, _clean_model(match["model"]))


def _keypad(carrier: str, model: str | None) -> _Profile:
    return _Profile(
        carrier=carrier,
        model=model,
        page_bytes=PAGE_BUDGETS["full_browser"],
        screen_width=_KEYPAD_WIDTHS[carrier],
    )


#: Searched (not anchored), in this order, after :data:`_CARRIER_RULES`.
_BROWSER_RULES = (
    (_DOCOMO_FULL, _full_browser(DOCOMO)),
    (_AU_PC_VIEWER, _full_browser(AU)),
    (_KAIOS, _parse_kaios),
    (_GARAHO, _parse_garaho),
)

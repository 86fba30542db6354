"""What a user agent alone tells: carrier, model, encoding, cookies, page budget and screen.

:func:`parse_user_agent` is cached (it depends on the UA string only); :func:`.device.detect`
then refines its :class:`Profile` with what only the other headers can tell. The rules follow
jpmobile, HTTP::MobileAgent and uamobile (KEITAI.md A1); where they disagree the choice is noted
next to the rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import NamedTuple

from .carriers import (
    AU,
    DOCOMO,
    GARAHO,
    KAIOS,
    KB,
    PAGE_BUDGETS,
    PC,
    SCREEN_WIDTHS,
    SMARTPHONE,
    SOFTBANK,
    WILLCOM,
    bounded_page_bytes,
)


class Profile(NamedTuple):
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
def parse_user_agent(user_agent: str) -> Profile:
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
    return Profile(
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


def _parse_docomo(user_agent: str, _: re.Match[str]) -> Profile:
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
    return Profile(
        carrier=DOCOMO,
        model=_clean_model(model),
        encoding="cp932",
        cookies=browser2,
        page_bytes=bounded_page_bytes(min(cache_bytes, PAGE_BUDGETS["docomo_text"])),
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


def _parse_au(user_agent: str, match: re.Match[str]) -> Profile:
    """Parse an EZweb UA; the model is the au device id ("CA32", "KCTA")."""
    wap1 = user_agent.startswith("UP.Browser/")
    return Profile(
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


def _parse_softbank(user_agent: str, match: re.Match[str]) -> Profile:
    """Parse a SoftBank, Vodafone or J-PHONE UA.

    3G handsets speak UTF-8 and keep cookies. 2G J-PHONE handsets speak Shift_JIS; of them only
    the W type (J-PHONE/5.x) keeps cookies, C (2.x, 3.x) and P (4.x) types do not (uamobile
    ``supports_cookie``, KEITAI.md B2).
    """
    model = _softbank_model(user_agent.split(" ", 1)[0])
    if match["three_g"]:
        return Profile(
            carrier=SOFTBANK,
            model=model,
            page_bytes=PAGE_BUDGETS["softbank_3g"],
            screen_width=SCREEN_WIDTHS["3g"],
        )
    jphone_type = {"5": "jphone_w", "4": "jphone_p"}.get(match["jphone"] or "", "jphone_c")
    return Profile(
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


def _parse_willcom(user_agent: str, match: re.Match[str]) -> Profile:
    """Parse a WILLCOM UA; the cache field (C100, c50) is the page budget (KEITAI.md B1)."""
    if match["zero3"]:
        width = _PDA_WIDTH.search(user_agent)
        return _willcom_profile(match["zero3"], None, int(width.group(1)) if width else None)
    fields = match["body"].split("/")
    model = fields[1] if len(fields) > 1 else None
    cache = _WILLCOM_CACHE.fullmatch(fields[-1]) if len(fields) > 2 else None
    return _willcom_profile(model, _kb(cache), None)


def _willcom_profile(model: str | None, cache_kb: int | None, width: int | None) -> Profile:
    page_bytes = cache_kb * KB if cache_kb else PAGE_BUDGETS["willcom"]
    return Profile(
        carrier=WILLCOM,
        model=_clean_model(model),
        page_bytes=bounded_page_bytes(page_bytes),
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


def _full_browser(carrier: str) -> Callable[[str, re.Match[str]], Profile]:
    """Make the parser of one carrier's full browser."""

    def parse(user_agent: str, match: re.Match[str]) -> Profile:
        return Profile(
            carrier=carrier,
            model=_clean_model(match["model"]),
            page_bytes=PAGE_BUDGETS["full_browser"],
            screen_width=SCREEN_WIDTHS["3g"],
            full_browser=True,
        )

    return parse


def _parse_kaios(user_agent: str, match: re.Match[str]) -> Profile:
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


def _parse_garaho(user_agent: str, match: re.Match[str]) -> Profile:
    return _keypad(GARAHO, _clean_model(match["model"]))


def _keypad(carrier: str, model: str | None) -> Profile:
    return Profile(
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

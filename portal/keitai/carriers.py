"""The carriers and device kinds :mod:`.device` tells apart, their page budgets, screen widths
and subscriber-ID headers: the figures of KEITAI.md that the device layer is built on."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

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

#: Subscriber-ID header of each carrier (KEITAI.md A1, B7).
SUBSCRIBER_HEADERS: Mapping[str, str] = MappingProxyType(
    {DOCOMO: "HTTP_X_DCMGUID", AU: "HTTP_X_UP_SUBNO", SOFTBANK: "HTTP_X_JPHONE_UID"}
)

#: Carriers whose gateways send the subscriber ID on every request (or, when the member withholds
#: it, on none); docomo sends the i-mode ID only to URLs with ``guid=ON`` (KEITAI.md B7).
SUBSCRIBER_ID_ON_EVERY_REQUEST = frozenset({AU, SOFTBANK})


def bounded_page_bytes(page_bytes: int) -> int:
    """Return ``page_bytes`` within the documented floor and ceiling of :data:`PAGE_BUDGETS`."""
    return max(PAGE_BUDGETS["minimum"], min(page_bytes, PAGE_BUDGETS["maximum"]))

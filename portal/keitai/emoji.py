"""Emoji (絵文字) between the carriers' private code points and the stored text.

**Stored form.** Text in the database holds standard Unicode emoji, as emoji4unicode maps each
carrier symbol (U+2600 ☀, sequences such as the keycap ``"1\\u20e3"`` or the flag
``"\\U0001f1ef\\U0001f1f5"``). A carrier symbol that Unicode lacks (docomo's ドコモポイント, au's
EZ logos, SoftBank's J-PHONE logos...) is stored as its Google PUA code point (U+FE000-U+FEEA0):
lossless, and unlike the carriers' own PUA code points, which overlap (au U+E468-U+EB88,
SoftBank U+E001-U+E53E), it names one symbol whatever the carrier.

**Inbound** (:func:`to_stored`, applied to form and query values by the input middleware):

* docomo: its emoji are the Shift_JIS user-defined area, which ``cp932`` already decodes to
  docomo's official PUA (F89F -> U+E63E); the same code points arrive in UTF-8.
* au: Shift_JIS F340-F7FC, which ``cp932`` decodes to U+E234-U+E5DF: the tables are keyed by
  that decoding. From a UTF-8 page au sends its "auto" code points (U+EC40-U+F0FC, Shift_JIS
  - 0x700), which overlap nothing and are recognised whatever the device; its official PUA
  (U+E468-U+EB88) is accepted when au input is UTF-8.
* SoftBank: 3G handsets send the official PUA U+E001-U+E53E in UTF-8; J-PHONE handsets send
  webcode escapes ``ESC $ G ! SI`` (several codes of one page may share one escape:
  ``ESC $ G ! " # SI``), which are plain ASCII to ``cp932``; 3G handsets on a Shift_JIS page
  send "sjis_auto" bytes, keyed by their ``cp932`` decoding for F741-F9FC only (FA and FB
  bytes decode to IBM extension kanji, which are text).
* smartphones, PCs, WILLCOM: Unicode is already the stored form. Google PUA code points (old
  Android) become the standard form when there is one.

Which table applies depends on the carrier *and* the page encoding, because the ``cp932``
decoding of one carrier's bytes and another code set of the same carrier overlap (au Shift_JIS
decodes to U+E234-U+E5DF, inside au's official U+E468-U+EB88; SoftBank sjis_auto F741-F753
decodes to U+E525-U+E537, inside SoftBank's official range).

**Outbound** (:func:`for_carrier`, the ``pre`` hook of :func:`~.encoding.encode_page`): docomo
gets its PUA, which ``cp932`` encodes to its bytes; au gets the ``cp932`` character of its
Shift_JIS bytes, so the same codec writes exactly those bytes; SoftBank 3G gets its official PUA
and J-PHONE (a SoftBank device on a ``cp932`` page) webcode escapes; WILLCOM, which cannot show
emoji on UTF-8 pages, gets text. Smartphones and PCs get Unicode as stored; only the Google PUA
of carrier-only symbols is replaced. Where emoji4unicode gives a carrier only an approximate
symbol (``>`` in the data) that symbol is sent; where the carrier has none, the text fallback
(``［霧］``, ``［ドコモポイント］``) is. A variation selector (U+FE0E, U+FE0F) or skin-tone
modifier after an emoji is consumed with it on feature phones.

Private-use characters the tables do not name are left alone both ways (docomo PUA stored
before this module existed still reaches docomo handsets). The tables are generated
(:mod:`._emoji_tables`, by ``tools/gen_emoji_tables.py``); see ``EMOJI_SOURCES.md`` for their
sources and licences. Text without emoji is returned as is after one regular-expression search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping

import emoji as cldr

from . import _emoji_tables as tables
from .carriers import AU, DOCOMO, EMOJI_AS_TEXT, SOFTBANK, WILLCOM
from .encoding import GETA

__all__ = ["fallback", "for_carrier", "to_stored"]

#: The page encoding of a carrier when the caller names none (as device.py assigns them).
_DEFAULT_ENCODING = {DOCOMO: "cp932", AU: "cp932"}

#: Presentation selectors and skin-tone modifiers that may follow an emoji.
_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff"
_STRIP_MODIFIERS = re.compile(f"[{_MODIFIERS}]")

#: SoftBank webcode: ESC $, a page letter, one or more codes 0x21-0x7E, SI.
_WEBCODE_PAGES = "".join(sorted({key[0] for key in tables.SOFTBANK_WEBCODE_TO_STORED}))
_WEBCODE = f"\\x1b\\$([{_WEBCODE_PAGES}])([\\x21-\\x7e]+)\\x0f"

_Converter = Callable[[str], str]


def _codec(encoding: str | None, carrier: str | None) -> str:
    """Return ``"cp932"`` or ``"utf-8"`` for a page encoding (by default the carrier's)."""
    if encoding is None:
        return _DEFAULT_ENCODING.get(carrier or "", "utf-8")
    name = encoding.lower().replace("_", "-")
    return "cp932" if name in ("cp932", "shift-jis", "sjis", "windows-31j", "ms932") else "utf-8"


def _char_class(chars: Iterable[str]) -> str:
    """Return a fast regular-expression class matching at least ``chars``.

    Python's ``re`` tests BMP characters of a class with one bitmap lookup but compares each
    character above U+FFFF in turn, which made a search over a plain page 100 times slower. So
    BMP characters are listed exactly and the others widened to the 256-code-point blocks that
    hold them; a converter leaves a match that maps to nothing as it is.
    """
    chars = set(chars)
    bmp = sorted(char for char in chars if ord(char) <= 0xFFFF)
    ranges: list[list[int]] = []
    for block in sorted({ord(char) >> 8 for char in chars if ord(char) > 0xFFFF}):
        if ranges and ranges[-1][1] == block - 1:
            ranges[-1][1] = block
        else:
            ranges.append([block, block])
    astral = "".join(f"{chr(first << 8)}-{chr(last << 8 | 0xFF)}" for first, last in ranges)
    return "[" + "".join(map(re.escape, bmp)) + astral + "]"


def _webcode_to_stored(page: str, codes: str) -> str:
    """Convert one webcode run to stored text; a code the table lacks becomes the geta mark."""
    table = tables.SOFTBANK_WEBCODE_TO_STORED
    return "".join(table.get(page + code, GETA) for code in codes)


def _converter(
    mapping: Mapping[str, str], *, webcode: bool = False, sequences: bool = False
) -> _Converter:
    """Make a function that replaces each key of ``mapping`` in a text by its value.

    :param mapping: symbols (single characters, or sequences if ``sequences``) to replacements.
    :param webcode: also convert SoftBank webcode runs to stored text.
    :param sequences: match sequence keys first, longest first, allowing U+FE0F after each part
        (``"1\\ufe0f\\u20e3"`` is today's keycap one), and consume presentation selectors and
        skin-tone modifiers after any key.
    """
    singles = _char_class(key for key in mapping if len(key) == 1)
    if sequences:
        keys = sorted((key for key in mapping if len(key) > 1), key=len, reverse=True)
        parts = ["\ufe0f?".join(map(re.escape, key)) for key in keys]
        pattern = re.compile("(?:" + "|".join([*parts, singles]) + f")[{_MODIFIERS}]*")
        # Every key holds a non-ASCII character (a keycap its U+20E3), so a text without any
        # is passed after one class search, although keycaps start with a digit.
        hint = re.compile(_char_class(c for key in mapping for c in key if not c.isascii()))
    elif webcode:
        pattern = hint = re.compile(f"{_WEBCODE}|{singles}")
    else:
        pattern = hint = re.compile(singles)

    def replace(match: re.Match[str]) -> str:
        if webcode and match[1] is not None:
            return _webcode_to_stored(match[1], match[2])
        key = _STRIP_MODIFIERS.sub("", match[0]) if sequences else match[0]
        return mapping.get(key, match[0])

    def convert(text: str) -> str:
        if hint.search(text) is None:
            return text
        return pattern.sub(replace, text)

    return convert


# -- inbound ----------------------------------------------------------------------------------


@functools.cache
def _inbound(carrier: str | None, codec: str) -> _Converter:
    """Build the inbound converter for one carrier and page encoding."""
    # au "auto" code points and Google PUA overlap nothing else: accepted from anyone.
    mapping = {**tables.AU_AUTO_TO_STORED, **tables.GOOGLE_TO_STORED}
    if carrier == DOCOMO:
        mapping.update(tables.DOCOMO_TO_STORED)
    elif carrier == AU:
        cp932 = codec == "cp932"
        mapping.update(tables.AU_SJIS_TO_STORED if cp932 else tables.AU_UNICODE_TO_STORED)
    elif carrier == SOFTBANK:
        cp932 = codec == "cp932"
        mapping.update(tables.SOFTBANK_SJIS_AUTO_TO_STORED if cp932 else tables.SOFTBANK_TO_STORED)
    return _converter(mapping, webcode=carrier == SOFTBANK)


def to_stored(text: str, carrier: str | None, encoding: str | None = None) -> str:
    """Turn the emoji of decoded input into the stored form.

    :param text: a form or query value, already decoded with the device's encoding.
    :param carrier: the device's carrier (``"docomo"``, ``"au"``, ``"softbank"``, ``"willcom"``,
        ``"smartphone"``, ``"pc"``).
    :param encoding: the encoding the input was sent in, ``"cp932"`` or ``"utf-8"``; by default
        Shift_JIS for docomo and au, UTF-8 otherwise. It chooses between the overlapping code
        sets of au and of SoftBank (see the module documentation).
    :return: the text with every known carrier emoji in the stored form; other characters,
        unknown private-use ones included, are left as they are.
    """
    return _inbound(carrier, _codec(encoding, carrier))(text)


# -- outbound ---------------------------------------------------------------------------------


#: The languages fallback text is given in; others get English.
FALLBACK_LANGUAGES = ("ja", "en", "zh", "ko")
#: Brackets around a fallback name: full-width in Japanese and Chinese text, ASCII otherwise.
_BRACKETS = {"ja": ("［", "］"), "zh": ("［", "］"), "en": ("[", "]"), "ko": ("[", "]")}
#: Markup characters a name may not hold as ASCII: fallbacks go into escaped HTML.
_MARKUP_SAFE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "”", "'": "’", "_": " "})


def _cldr_name(stored: str, lang: str) -> str | None:
    """Return the Unicode CLDR short name of a standard emoji in ``lang`` (``sun``, ``太阳``),
    as the ``emoji`` package carries them, trying the fully qualified form (``1️⃣``) too."""
    for key in (stored, stored[0] + "\ufe0f" + stored[1:]):
        name = (cldr.EMOJI_DATA.get(key) or {}).get(lang)
        if name:
            return str(name).strip(":").translate(_MARKUP_SAFE)
    return None


@functools.cache
def _fallbacks(lang: str) -> Mapping[str, str]:
    """Return the text of every known symbol for a reader of ``lang``.

    Japanese: the carriers' own names (``［晴れ］``, emoji4unicode's table). Other languages:
    the CLDR name in that language, else in English (``[sun]``); a carrier-only symbol, which
    Unicode lacks, gets its English name from the carriers' tables (``[DoCoMo point]``).
    """
    if lang == "ja":
        return tables.TEXT_FALLBACK
    if lang != "en":
        cldr.config.load_language(lang)
    opening, closing = _BRACKETS[lang]
    texts = {}
    for stored, japanese in tables.TEXT_FALLBACK.items():
        name = _cldr_name(stored, lang) or _cldr_name(stored, "en")
        if name:
            texts[stored] = f"{opening}{name}{closing}"
        else:
            texts[stored] = tables.ENGLISH_FALLBACK.get(stored, japanese)
    return texts


def _language(lang: str | None) -> str:
    code = (lang or "ja").split("_")[0].split("-")[0].lower()
    return code if code in FALLBACK_LANGUAGES else "en"


def fallback(stored: str, lang: str = "ja") -> str:
    """Return the text shown for a stored symbol on a device without it: ``［霧］`` in
    Japanese, ``[fog]`` in English, ``［雾］`` in Chinese, ``[안개]`` in Korean.

    :param lang: the reader's language (one of :data:`FALLBACK_LANGUAGES`, else English).
    :raise KeyError: if ``stored`` is not a known symbol.
    """
    return _fallbacks(_language(lang))[stored]


def _is_google(stored: str) -> bool:
    """Tell whether a stored symbol is a Google PUA code point (a carrier-only symbol)."""
    return len(stored) == 1 and 0xFE000 <= ord(stored) <= 0xFEFFF


def _native(carrier: str | None, codec: str) -> Mapping[str, str] | None:
    """Return the carrier's form of each stored symbol it has; ``None`` for Unicode devices."""
    if carrier == DOCOMO:
        return tables.STORED_TO_DOCOMO
    if carrier == AU:
        return tables.STORED_TO_AU if codec == "cp932" else tables.STORED_TO_AU_UNICODE
    if carrier == SOFTBANK:
        return tables.STORED_TO_SOFTBANK_WEBCODE if codec == "cp932" else tables.STORED_TO_SOFTBANK
    if carrier in (WILLCOM, EMOJI_AS_TEXT):
        return {}
    return None


@functools.cache
def _outbound(carrier: str | None, codec: str, lang: str) -> _Converter:
    """Build the outbound converter for one carrier, page encoding and reader's language."""
    native = _native(carrier, codec)
    texts = _fallbacks(lang)
    if native is None:
        # Smartphones and PCs: Unicode stays; Google PUA becomes Unicode or the fallback.
        mapping = {key: text for key, text in texts.items() if _is_google(key)}
        mapping.update(tables.GOOGLE_TO_STORED)
        return _converter(mapping)

    mapping = {key: native.get(key, text) for key, text in texts.items()}
    # Google PUA that slipped into stored text (older data) goes out like its standard form.
    mapping.update((google, mapping[key]) for google, key in tables.GOOGLE_TO_STORED.items())
    return _converter(mapping, sequences=True)


def for_carrier(
    text: str, carrier: str | None, encoding: str | None = None, lang: str = "ja"
) -> str:
    """Turn the stored emoji of a page into what the device shows.

    :param text: the rendered page, or any text, in the stored form.
    :param carrier: the device's carrier, as for :func:`to_stored`.
    :param encoding: the page's encoding, ``"cp932"`` or ``"utf-8"``; by default Shift_JIS for
        docomo and au, UTF-8 otherwise. A SoftBank device on a ``cp932`` page is a J-PHONE and
        gets webcode; au on a UTF-8 page gets its official PUA.
    :param lang: the reader's language, for the text of symbols the device lacks
        (:func:`fallback`).
    :return: text for :func:`~.encoding.encode_page` with the same encoding.
    """
    return _outbound(carrier, _codec(encoding, carrier), _language(lang))(text)

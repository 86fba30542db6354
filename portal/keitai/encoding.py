"""Convert pages and form input between Unicode and the bytes a keitai uses.

docomo and au handsets speak Shift_JIS, which on the web means Microsoft's
CP932 (Python codec ``cp932``); every other device gets UTF-8.

Output (:func:`encode_page`) never fails: characters CP932 lacks are mapped
to their CP932 look-alikes, and whatever is left becomes the geta mark 〓
(U+3013). A numeric character reference is never emitted, because i-mode
reads ``&#NNNNN;`` as a Shift_JIS code, not a Unicode code point.

Input, strictly decoded, is in :mod:`.input_decoding`.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "GETA",
    "canonical_codec",
    "encode_page",
    "shows",
]

#: The geta mark 〓, shown in place of a character the device cannot display.
GETA = "\u3013"

#: Characters CP932 lacks, or that handsets show wrongly, mapped to what a
#: Japanese phone shows for them. Python's ``cp932`` codec already best-fits
#: some of them (U+301C, U+2016, U+2212, U+00A2, U+00A3, U+00AC); they are
#: listed anyway so the output does not depend on that codec detail.
_CP932_MAP = {
    "\u301c": "\uff5e",  # WAVE DASH -> FULLWIDTH TILDE (0x8160)
    "\u2016": "\u2225",  # DOUBLE VERTICAL LINE -> PARALLEL TO (0x8161)
    "\u2212": "\uff0d",  # MINUS SIGN -> FULLWIDTH HYPHEN-MINUS (0x817C)
    "\u00a2": "\uffe0",  # CENT SIGN -> FULLWIDTH CENT SIGN (0x8191)
    "\u00a3": "\uffe1",  # POUND SIGN -> FULLWIDTH POUND SIGN (0x8192)
    "\u00ac": "\uffe2",  # NOT SIGN -> FULLWIDTH NOT SIGN (0x81CA)
    "\u2014": "\u2015",  # EM DASH -> HORIZONTAL BAR (0x815C)
    "\u203e": "\uffe3",  # OVERLINE -> FULLWIDTH MACRON (0x8150)
    "\u00af": "\uffe3",  # MACRON -> FULLWIDTH MACRON (0x8150)
    "\u00a5": "\uffe5",  # YEN SIGN -> FULLWIDTH YEN SIGN (0x818F)
    "\u00a6": "\uffe4",  # BROKEN BAR -> FULLWIDTH BROKEN BAR (0xEEFA)
    "\u00a0": " ",  # NO-BREAK SPACE -> SPACE
    "\u2013": "-",  # EN DASH -> HYPHEN-MINUS
    "\u00b7": "\u30fb",  # MIDDLE DOT -> KATAKANA MIDDLE DOT (0x8145)
    "\u2022": "\u30fb",  # BULLET -> KATAKANA MIDDLE DOT (0x8145)
    "\u00a9": "(C)",  # COPYRIGHT SIGN
    "\u00ae": "(R)",  # REGISTERED SIGN
}

#: Old-style kanji and symbols of the rows docomo forbids, mapped to the
#: standard JIS X 0208 form when NFKC does not already do it (髙橋 -> 高橋).
_DOCOMO_VARIANTS = {
    "髙": "高",
    "﨑": "崎",
    "德": "徳",
    "濵": "濱",
    "栁": "柳",
    "瀨": "瀬",
    "黑": "黒",
    "橫": "横",
    "郞": "郎",
    "靑": "青",
    "增": "増",
    "淸": "清",
    "綠": "緑",
    "緖": "緒",
    "寬": "寛",
    "敎": "教",
    "賴": "頼",
    "桒": "桑",
    "鄕": "郷",
    "昻": "昂",
    "\u301d": "\u201c",  # REVERSED DOUBLE PRIME QUOTATION MARK -> “
    "\u301f": "\u201d",  # LOW DOUBLE PRIME QUOTATION MARK -> ”
    "\u2211": "\u03a3",  # N-ARY SUMMATION -> GREEK CAPITAL SIGMA
}

#: Characters a fallback may not introduce: they would turn escaped text
#: into markup (U+FE64 SMALL LESS-THAN SIGN normalises to "<", U+FF02
#: FULLWIDTH QUOTATION MARK to '"').
_MARKUP_CHARS = frozenset("\"&'<=>`")

_GETA_ERRORS = "keitai-geta"
_GETA_DOCOMO_ERRORS = "keitai-geta-docomo"


def canonical_codec(encoding: str) -> str:
    """Return the canonical name of a supported codec.

    :param encoding: A codec name or alias, such as ``"cp932"`` or ``"UTF-8"``.
    :return: ``"cp932"`` or ``"utf-8"``.
    :raise ValueError: For any other encoding.
    """
    if encoding in ("cp932", "utf-8"):
        return encoding

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        name = None

    if name not in ("cp932", "utf-8"):
        raise ValueError(f"unsupported keitai encoding: {encoding!r}")

    return name


def _sjis_row(code: bytes) -> int:
    """Return the JIS row (ku, 1-120) of a two-byte Shift_JIS code."""
    lead, trail = code[0], code[1]
    first = (lead - 0x81 if lead <= 0x9F else lead - 0xC1) * 2 + 1
    return first + (trail >= 0x9F)


def _is_docomo_forbidden_code(code: bytes) -> bool:
    """Tell whether CP932 bytes are an extension character docomo forbids.

    docomo's guideline excludes row 13 (NEC special characters such as ①
    and ㈱), rows 89-92 (NEC-selected IBM extensions) and rows 115-119 (IBM
    extensions), which some i-mode models cannot display.
    """
    if len(code) != 2:
        return False

    row = _sjis_row(code)
    return row == 13 or 89 <= row <= 92 or 115 <= row <= 119


def _docomo_forbidden_chars() -> frozenset[str]:
    """Collect the characters whose CP932 encoding docomo forbids.

    A character with a second, standard code (∵ is both 0x81E6 and 0x879A)
    is not included, because the codec encodes it to the standard one.
    """
    trails = [*range(0x40, 0x7F), *range(0x80, 0xFD)]
    chars = set()

    for lead in (0x87, 0xED, 0xEE, 0xFA, 0xFB, 0xFC):
        for trail in trails:
            code = bytes((lead, trail))

            if not _is_docomo_forbidden_code(code):
                continue

            try:
                char = code.decode("cp932")
            except UnicodeDecodeError:
                continue

            if _is_docomo_forbidden_code(char.encode("cp932")):
                chars.add(char)

    return frozenset(chars)


def _mapper(mapping: dict[str, str]) -> Callable[[str], str]:
    """Create a function that replaces each key of ``mapping`` in a text.

    A regular expression substitution scans in C and calls back only for
    the rare matches; on a 14,000-character page it is several times
    faster than :meth:`str.translate` with the same table.

    :param mapping: Single characters mapped to their replacements.
    """
    pattern = re.compile("[" + "".join(map(re.escape, sorted(mapping))) + "]")

    def replace(match: re.Match[str]) -> str:
        return mapping[match[0]]

    return functools.partial(pattern.sub, replace)


_DOCOMO_FORBIDDEN = _docomo_forbidden_chars()
_map_cp932 = _mapper(_CP932_MAP)


def _is_safe_replacement(text: str, docomo: bool) -> bool:
    """Tell whether a fallback string can be sent to the device as is.

    :param text: The candidate replacement.
    :param docomo: Also refuse the extension characters docomo forbids.
    """
    if not text or not _MARKUP_CHARS.isdisjoint(text):
        return False

    if docomo and not _DOCOMO_FORBIDDEN.isdisjoint(text):
        return False

    try:
        text.encode("cp932")
    except UnicodeEncodeError:
        return False

    return True


def _strip_marks(char: str) -> str:
    """Return the base letters of a character without its accents (é -> e)."""
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4096)
def _fallback(char: str, docomo: bool) -> str:
    """Return what to show in place of a character the device cannot show.

    Invisible format characters (zero-width joiner, soft hyphen, bidi
    controls) and lone combining marks are dropped; otherwise the NFKC form
    (① -> 1, ㈱ -> (株)) or the letter without accents is used when the
    device can show it and it adds no markup; otherwise the geta mark.

    :param char: A single character.
    :param docomo: Avoid the extension characters docomo forbids.
    :return: The replacement, possibly empty.
    """
    if docomo and char in _DOCOMO_VARIANTS:
        return _DOCOMO_VARIANTS[char]

    if unicodedata.category(char) in ("Cf", "Mn", "Me"):
        return ""

    for form in (unicodedata.normalize("NFKC", char), _strip_marks(char)):
        candidate = _map_cp932(form)

        if candidate != char and _is_safe_replacement(candidate, docomo):
            return candidate

    return GETA


def _make_error_handler(
    docomo: bool,
) -> Callable[[UnicodeError], tuple[str | bytes, int]]:
    """Create a codec error handler that replaces with :func:`_fallback`.

    :param docomo: Avoid the extension characters docomo forbids.
    """

    def handle(error: UnicodeError) -> tuple[str | bytes, int]:
        if not isinstance(error, UnicodeEncodeError):
            raise error

        chunk = error.object[error.start : error.end]
        replacement = "".join(_fallback(char, docomo) for char in chunk)

        if error.encoding == "utf-8":
            # The UTF-8 encoder only takes ASCII text or bytes back.
            return replacement.encode("utf-8"), error.end

        return replacement, error.end

    return handle


codecs.register_error(_GETA_ERRORS, _make_error_handler(docomo=False))
codecs.register_error(_GETA_DOCOMO_ERRORS, _make_error_handler(docomo=True))


def _docomo_map() -> dict[str, str]:
    """Build the character map for docomo pages.

    It is the CP932 map, plus every extension character docomo forbids
    mapped to its fallback, so the common path stays one substitution and
    one encode.
    """
    mapping = {
        char: target if _DOCOMO_FORBIDDEN.isdisjoint(target) else _fallback(target, True)
        for char, target in _CP932_MAP.items()
    }
    mapping.update((char, _fallback(char, True)) for char in _DOCOMO_FORBIDDEN)
    return mapping


_map_docomo = _mapper(_docomo_map())


def encode_page(
    text: str,
    encoding: str,
    *,
    carrier: str | None = None,
    pre: Callable[[str], str] | None = None,
) -> bytes:
    """Encode a rendered page for the device.

    For CP932, characters with a CP932 look-alike are mapped first (WAVE
    DASH, MINUS SIGN, EM DASH, YEN SIGN...), then the text is encoded in one
    pass; the rare characters CP932 still lacks are replaced by the
    ``keitai-geta`` error handler (NFKC form, letter without accents, or 〓).
    For docomo, the NEC and IBM extension characters are also replaced.

    :param text: The page, already escaped HTML or plain text.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :param carrier: The device's carrier; ``"docomo"`` avoids the extension
        characters its guideline forbids.
    :param pre: Hook applied to the text before anything else, such as the
        per-carrier emoji conversion. Its result goes through the same
        mappings, so it may return carrier PUA code points (docomo emoji
        U+E63E-U+E757 encode to their F89F-F9FC bytes).
    :return: The bytes to send.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = canonical_codec(encoding)

    if pre is not None:
        text = pre(text)

    if codec == "utf-8":
        # Only lone surrogates can fail; they become the geta mark.
        return text.encode("utf-8", _GETA_ERRORS)

    if carrier == "docomo":
        return _map_docomo(text).encode("cp932", _GETA_DOCOMO_ERRORS)

    return _map_cp932(text).encode("cp932", _GETA_ERRORS)


def shows(text: str, encoding: str, *, carrier: str | None = None) -> bool:
    """Tell whether a device in ``encoding`` shows ``text`` whole: no character of it would
    become the geta mark 〓 on the way out (look-alikes such as WAVE DASH -> FULLWIDTH TILDE
    count as shown).

    Hangul and most simplified hanzi are outside CP932, so ``shows("한국어", "cp932")`` is
    false; everything shows in UTF-8.

    :param text: Text as :func:`encode_page` would receive it.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :param carrier: The device's carrier (``"docomo"`` also refuses its forbidden extensions).
    """
    if canonical_codec(encoding) == "utf-8":
        return True
    wanted = text.replace(GETA, "")
    return GETA not in encode_page(wanted, encoding, carrier=carrier).decode("cp932")

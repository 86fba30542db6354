"""Convert pages and form input between Unicode and the bytes a keitai uses.

docomo and au handsets speak Shift_JIS, which on the web means Microsoft's
CP932 (Python codec ``cp932``); every other device gets UTF-8.

Output (:func:`encode_page`) never fails: characters CP932 lacks are mapped
to their CP932 look-alikes, and whatever is left becomes the geta mark 〓
(U+3013). A numeric character reference is never emitted, because i-mode
reads ``&#NNNNN;`` as a Shift_JIS code, not a Unicode code point.

Input (:func:`decode_input`, :func:`transcode_urlencoded`) is strict: bytes
that are not valid in the device's encoding raise :exc:`InputEncodingError`
instead of being half-decoded. This also defeats the Shift_JIS trick where a
dangling lead byte swallows the quote that follows it.

Every decoded name and value also loses its C0 control characters other
than tab and line feed, and DEL (:func:`remove_controls`): CR LF and a lone
CR become LF. NUL would fail on PostgreSQL, and ESC would reach a SoftBank
handset as the start of a webcode emoji.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote_plus, unquote_to_bytes

__all__ = [
    "GETA",
    "InputEncodingError",
    "decode_input",
    "encode_page",
    "remove_controls",
    "shows",
    "transcode_urlencoded",
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

#: Single bytes the ``cp932`` codec decodes although Shift_JIS has no such
#: character: 0x80 -> U+0080, 0xA0 -> U+F8F0, 0xFD-0xFF -> U+F8F1-U+F8F3.
_CP932_STRAY_BYTES = re.compile("[\x80\uf8f0-\uf8f3]")

#: Control characters removed from input: C0 other than tab and LF, and DEL;
#: CR LF and a lone CR are line breaks and become LF.
_CONTROLS = re.compile("\r\n?|[\x00-\x08\x0b-\x1f\x7f]")

#: Bytes that make a raw urlencoded name or value need decoding: an escape,
#: or a control character that :func:`remove_controls` changes.
_NEEDS_DECODING = re.compile(rb"[%\x00-\x08\x0b-\x1f\x7f]")

_GETA_ERRORS = "keitai-geta"
_GETA_DOCOMO_ERRORS = "keitai-geta-docomo"


class InputEncodingError(ValueError):
    """Input bytes that are not valid in the device's encoding.

    :param encoding: The codec name the input was decoded with.
    :param reason: What is wrong with the bytes.
    """

    def __init__(self, encoding: str, reason: str) -> None:
        super().__init__(f"input is not valid {encoding}: {reason}")
        self.encoding = encoding
        self.reason = reason


def _codec(encoding: str) -> str:
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
    codec = _codec(encoding)

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
    if _codec(encoding) == "utf-8":
        return True
    wanted = text.replace(GETA, "")
    return GETA not in encode_page(wanted, encoding, carrier=carrier).decode("cp932")


def decode_input(raw: bytes, encoding: str) -> str:
    """Decode form or query input strictly.

    After CP932 decoding, FULLWIDTH TILDE (which CP932 gives for 0x8160) is
    turned into WAVE DASH, the JIS character for that code, as jpmobile does;
    :func:`encode_page` maps it back, so "1〜3" round-trips. The other CP932
    decodings (FULLWIDTH HYPHEN-MINUS, FULLWIDTH YEN SIGN, HORIZONTAL BAR,
    PARALLEL TO...) are kept: a Windows IME types the same characters, so
    phone and PC text compare equal.

    :param raw: The bytes received.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :return: The decoded text.
    :raise InputEncodingError: If the bytes are not valid in ``encoding``,
        including a lead byte without its trail byte, and for CP932 the
        single bytes 0x80, 0xA0 and 0xFD-0xFF that Shift_JIS does not define.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = _codec(encoding)

    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        raise InputEncodingError(codec, f"{error.reason} at byte {error.start}") from error

    if codec == "cp932":
        if _CP932_STRAY_BYTES.search(text):
            raise InputEncodingError(codec, "byte outside Shift_JIS")

        text = text.replace("\uff5e", "\u301c")

    return text


def _control_replacement(match: re.Match[str]) -> str:
    return "\n" if match.group().startswith("\r") else ""


def remove_controls(text: str) -> str:
    """Return input text without control characters, line breaks as LF.

    C0 controls other than tab and line feed (NUL, ESC, BEL...) and DEL are
    removed; CR LF and a lone CR become LF, as browsers send textarea line
    breaks as CR LF.

    >>> remove_controls("a\x00b\x1b$Gj\x0fc\r\nd\re\tf")
    'ab$Gjc\nd\ne\tf'
    """
    return _CONTROLS.sub(_control_replacement, text)


def _is_plain(part: bytes) -> bool:
    """Tell whether a raw urlencoded part is ASCII that decoding would not change."""
    return part.isascii() and not _NEEDS_DECODING.search(part)


def _requote(part: bytes, codec: str, post: Callable[[str], str] | None = None) -> bytes:
    """Re-encode one urlencoded name or value as UTF-8.

    Plain ASCII without escapes or controls is returned unchanged, so tokens
    keep their exact bytes; so is UTF-8 input that ``post`` and
    :func:`remove_controls` leave as it is.

    :param part: A name or value, still percent-encoded.
    :param codec: The canonical codec name.
    :param post: Hook applied to the decoded text, such as the emoji
        conversion to the stored form.
    :raise InputEncodingError: If the decoded bytes are invalid.
    """
    if _is_plain(part):
        return part

    text = decode_input(unquote_to_bytes(part.replace(b"+", b" ")), codec)
    converted = remove_controls(post(text) if post is not None else text)

    if codec == "utf-8" and converted == text:
        return part

    return quote_plus(converted, safe="").encode("ascii")


def _transcode_field(field: bytes, codec: str, post: Callable[[str], str] | None = None) -> bytes:
    """Re-encode one ``name=value`` pair, keeping a missing ``=`` missing."""
    name, separator, value = field.partition(b"=")
    return _requote(name, codec, post) + separator + _requote(value, codec, post)


def transcode_urlencoded(
    data: bytes, encoding: str, *, post: Callable[[str], str] | None = None
) -> bytes:
    """Re-encode an ``application/x-www-form-urlencoded`` string as UTF-8.

    Every name and value is decoded from the device's encoding with
    :func:`decode_input` and percent-encoded again in UTF-8. Order, empty
    fields, empty values and missing ``=`` are kept; ``+`` stays a space and
    a decoded plus sign is written as ``%2B``. UTF-8 input is only validated
    and returned unchanged, unless ``post`` changes a name or value.

    :param data: A query string or request body.
    :param encoding: The codec name of the device, ``"cp932"`` or ``"utf-8"``.
    :param post: Hook applied to each decoded name and value, such as the
        emoji conversion to the stored form (:func:`.emoji.to_stored`). A raw
        ESC byte (SoftBank webcode) makes even plain ASCII go through it.
        Control characters left after it are removed (:func:`remove_controls`).
    :return: The same form, percent-encoded in UTF-8.
    :raise InputEncodingError: If any name or value is invalid in ``encoding``.
    :raise ValueError: If ``encoding`` is neither CP932 nor UTF-8.
    """
    codec = _codec(encoding)

    if _is_plain(data):
        return data

    fields = data.split(b"&")

    if codec == "utf-8":
        if post is None:
            # "&" and "=" are ASCII and never inside a UTF-8 sequence, so the
            # whole string is valid exactly when every name and value is.
            text = decode_input(unquote_to_bytes(data), codec)
            if not _CONTROLS.search(text):
                return data

        converted = [_transcode_field(field, codec, post) for field in fields]
        return data if converted == fields else b"&".join(converted)

    return b"&".join(_transcode_field(field, codec, post) for field in fields)

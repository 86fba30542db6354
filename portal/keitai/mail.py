"""Mail from phones: which carrier sent it, and its text in the stored form, emoji included.

Phones write mail differently from web pages (KEITAI.md A2, E1, E2):

* **docomo** and **SoftBank** send Shift_JIS. docomo's emoji are the same Shift_JIS codes as on
  its web pages (``cp932`` decodes them to its PUA); SoftBank's are its "sjis_auto" codes, as a
  3G handset posts them on a Shift_JIS page. Both go through :func:`.emoji.to_stored` with
  ``"cp932"``.
* **au** sends ISO-2022-JP, its emoji as JIS codes 0x7521-0x7B6D, which are not JIS X 0208 and
  which Python's ``iso2022_jp`` codec refuses. ISO-2022-JP is turned into Shift_JIS here
  (JIS X 0208 to Shift_JIS is arithmetic); for an au sender the emoji rows become au's web
  Shift_JIS codes on the way: the mail JIS code gives the mail Shift_JIS code (EBxx-EExx) by the
  same arithmetic, and that is the web code less 0xB00 (JIS rows 0x75-0x78) or 0x600 (rows
  0x79-0x7B), as every row of the kddi table says. The result is decoded like au web input.
  au mail sent in Shift_JIS with those mail codes (EBxx-EExx) is mapped the same way.
* **PCs** send ISO-2022-JP (often with Microsoft's extensions, NEC special characters such as
  ①), UTF-8 or anything else: Shift_JIS decoding through ``cp932`` reads the extensions too.

Decoding never fails: a byte sequence the charset does not define, a code of no known emoji,
or a character set ISO-2022-JP mail may switch to but Shift_JIS lacks (JIS X 0212...) becomes the
geta mark 〓, as carriers show what they cannot. FULLWIDTH TILDE from ``cp932`` becomes WAVE
DASH, as for web input (:func:`.encoding.decode_input`).

Which carrier sent a mail is told by the sender's domain (:func:`carrier_of_address`); the
sender is not authenticated, so it only chooses how to read emoji.
"""

from __future__ import annotations

import binascii
import codecs
import functools
import re
from email.errors import HeaderParseError
from email.header import decode_header
from email.utils import parseaddr

from . import _emoji_tables as tables
from .carriers import AU, DOCOMO, PC, SOFTBANK
from .emoji import to_stored
from .encoding import GETA

__all__ = ["carrier_of_address", "decode_header_text", "decode_text"]

#: Mail domains of each carrier's handsets; subdomains count (``t.vodafone.ne.jp``).
CARRIER_DOMAINS = {
    "docomo.ne.jp": DOCOMO,
    "ezweb.ne.jp": AU,
    "au.com": AU,
    "softbank.ne.jp": SOFTBANK,
    "vodafone.ne.jp": SOFTBANK,
    "disney.ne.jp": SOFTBANK,
}

#: The mail domains of keitai handsets (with their subdomains): an address there belongs to a
#: carrier's subscriber, who got the carrier's mailbox with the phone contract. A signup from
#: one counts as mobile-verified (``portal.services.empty_mail``). docomo, au (EZweb, its
#: au.com successor, and IDO's old ido.ne.jp), SoftBank (its handsets, i.softbank.jp of the
#: iPhone, the Vodafone and J-PHONE subdomains, Disney Mobile), WILLCOM / Y!mobile (pdx.ne.jp
#: and its di./dj./dk./wm. subdomains, willcom.com, y-mobile.ne.jp) and EMOBILE (emnet.ne.jp).
MOBILE_MAIL_DOMAINS = (
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "ido.ne.jp",
    "softbank.ne.jp",
    "i.softbank.jp",
    "vodafone.ne.jp",
    "disney.ne.jp",
    "pdx.ne.jp",
    "willcom.com",
    "y-mobile.ne.jp",
    "emnet.ne.jp",
)

_ERRORS = "keitai-mail-geta"
_GETA_SJIS = GETA.encode("cp932")  # 0x81AC

#: Single bytes ``cp932`` decodes although Shift_JIS has no such character.
_CP932_STRAY = re.compile("[\x80\uf8f0-\uf8f3]")

_SJIS_NAMES = frozenset(
    {"shift_jis", "shift-jis", "sjis", "x-sjis", "s-jis", "csshiftjis", "ms_kanji", "mskanji",
     "windows-31j", "cp932", "ms932", "x-ms-cp932", "shift_jisx0213", "shift_jis_2004"}
)  # fmt: skip
_JIS_NAMES = frozenset({"csiso2022jp", "cp50220", "cp50221", "cp50222", "iso-2022-jp-ms"})

#: One ISO 2022 escape sequence (ESC, intermediate bytes, a final byte), or SO / SI.
_ISO2022_SHIFT = re.compile(rb"(\x1b[\x20-\x2f]*[\x30-\x7e]|[\x0e\x0f])")
_ASCII, _KANA, _JIS0208, _OTHER_WIDE = "ascii", "kana", "jis0208", "wide"
_DESIGNATIONS = {
    b"\x1b(B": _ASCII,
    b"\x1b(J": _ASCII,  # JIS X 0201 Roman: ASCII but for yen and overline
    b"\x1b(H": _ASCII,
    b"\x1b(I": _KANA,
    b"\x1b$@": _JIS0208,
    b"\x1b$B": _JIS0208,
    b"\x1b$(B": _JIS0208,
    b"\x1b$(O": _JIS0208,  # JIS X 0213 plane 1: a superset, read as JIS X 0208
    b"\x1b$(Q": _JIS0208,
}
#: In a double-byte set: pairs of 0x21-0x7E, a stray single one, or anything else (line ends).
_WIDE_PIECES = re.compile(rb"([\x21-\x7e]{2})|([\x21-\x7e])|([^\x21-\x7e]+)")
#: A double-byte Shift_JIS character (lead and trail byte).
_SJIS_PAIR = re.compile(rb"[\x81-\x9f\xe0-\xfc][\x40-\x7e\x80-\xfc]")
_AU_MAIL_LEADS = range(0xEB, 0xEF)


def _geta(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: one 〓 for what cannot be read (a whole Shift_JIS pair whose
    code the charset lacks, not a 〓 and a stray ASCII character)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    data, start = error.object, error.start
    if error.encoding == "cp932" and _SJIS_PAIR.match(data, start):
        return GETA, start + 2
    return GETA, error.end


codecs.register_error(_ERRORS, _geta)


def carrier_of_address(address: str | None) -> str:
    """Return the carrier whose handsets send mail from ``address``, else ``"pc"``.

    :param address: an address (``"taro@docomo.ne.jp"``) or a header value
        (``"Taro <taro@ezweb.ne.jp>"``).
    """
    _name, addr = parseaddr(address or "")
    domain = addr.rpartition("@")[2].strip().lower().rstrip(".")
    for known, carrier in CARRIER_DOMAINS.items():
        if domain == known or domain.endswith("." + known):
            return carrier
    return PC


def is_keitai_address(address: str | None) -> bool:
    """Return whether ``address`` (a bare address) is at a keitai mail domain or one of its
    subdomains (``taro@docomo.ne.jp``, ``hanako@dk.pdx.ne.jp``; never ``x@evil-docomo.ne.jp``)."""
    local, at, domain = (address or "").strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    if not (at and local and domain):
        return False
    return any(domain == known or domain.endswith("." + known) for known in MOBILE_MAIL_DOMAINS)


# -- charsets ---------------------------------------------------------------------------------


def _kind(charset: str | None, data: bytes) -> tuple[str, str]:
    """Return ``(kind, codec)``: ``"sjis"``, ``"jis"`` or ``"other"`` with a Python codec."""
    name = (charset or "").strip().strip("\"'").lower()
    if name in _SJIS_NAMES:
        return "sjis", "cp932"
    if name in _JIS_NAMES or name.replace("_", "-").startswith("iso-2022-jp"):
        return "jis", "cp932"
    codec = None
    if name:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            codec = None
    if codec in ("cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213"):
        return "sjis", "cp932"
    if codec is not None and codec.startswith("iso2022_jp"):
        return "jis", "cp932"
    if b"\x1b$" in data or b"\x1b(" in data:
        return "jis", "cp932"  # undeclared (or mislabelled) ISO-2022-JP
    if codec not in (None, "ascii") and not codec.startswith("iso2022"):
        return "other", codec
    # No charset, US-ASCII or an unknown one: UTF-8 if the bytes are UTF-8, else Shift_JIS.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "sjis", "cp932"
    return "other", "utf-8"


def _jis_to_sjis_code(first: int, second: int) -> bytes:
    """Return the Shift_JIS bytes of a JIS X 0208 code (both bytes 0x21-0x7E)."""
    lead = ((first + 1) >> 1) + (0x70 if first <= 0x5E else 0xB0)
    if first & 1:
        trail = second + (0x1F if second < 0x60 else 0x20)
    else:
        trail = second + 0x7E
    return bytes((lead, trail))


@functools.cache
def _au_mail_to_web() -> dict[bytes, bytes]:
    """Map au's mail Shift_JIS emoji codes (EB40-EEFC) to its web codes (F340-F7FC).

    Only codes of known emoji are keys; the key set is derived from the web table.
    """
    mapping = {}
    for row in tables.AU_ENTRIES:
        web = bytes.fromhex(row[1])
        if web.decode("cp932") not in tables.AU_SJIS_TO_STORED:
            continue
        code = int.from_bytes(web, "big")
        mail = code - (0xB00 if web[0] >= 0xF6 else 0x600)
        mapping[mail.to_bytes(2, "big")] = web
    return mapping


def _wide(piece: bytes, mode: str, au: bool) -> bytes:
    """Turn a run of a double-byte ISO-2022-JP set into Shift_JIS."""
    out = bytearray()
    for pair, single, other in _WIDE_PIECES.findall(piece):
        if other:
            out += other
        elif single or mode != _JIS0208:
            out += _GETA_SJIS
        elif au and 0x75 <= pair[0] <= 0x7B:
            mail = _jis_to_sjis_code(pair[0], pair[1])
            out += _au_mail_to_web().get(mail, _GETA_SJIS)
        else:
            out += _jis_to_sjis_code(pair[0], pair[1])
    return bytes(out)


def _jis_to_sjis(data: bytes, *, au: bool) -> bytes:
    """Turn ISO-2022-JP bytes into Shift_JIS (au emoji codes into au web codes if ``au``)."""
    out = bytearray()
    mode = _ASCII
    for index, piece in enumerate(_ISO2022_SHIFT.split(data)):
        if index % 2:
            if piece == b"\x0e":
                mode = _KANA
            elif piece == b"\x0f":
                mode = _ASCII
            elif piece in _DESIGNATIONS:
                mode = _DESIGNATIONS[piece]
            elif piece == b"\x1b&@":
                pass  # announces a JIS X 0208 revision; the designation follows
            elif piece.startswith(b"\x1b$"):
                mode = _OTHER_WIDE  # JIS X 0212, GB 2312, KS C 5601: not in Shift_JIS
            continue
        if mode in (_JIS0208, _OTHER_WIDE):
            out += _wide(piece, mode, au)
        elif mode == _KANA:
            out += bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in piece)
        else:
            out += piece
    return bytes(out)


def _au_sjis_mail_codes(data: bytes) -> bytes:
    """Turn au's mail Shift_JIS emoji codes into its web codes (other characters unchanged)."""
    table = _au_mail_to_web()

    def replace(match: re.Match[bytes]) -> bytes:
        code = match[0]
        return table.get(code, code) if code[0] in _AU_MAIL_LEADS else code

    return _SJIS_PAIR.sub(replace, data)


def decode_text(data: bytes, charset: str | None, carrier: str | None) -> str:
    """Decode mail text (a body part, or an encoded word of a header) to the stored form.

    :param data: the bytes, transfer encoding (base64, quoted-printable) already undone.
    :param charset: the declared charset (``None`` when none: ISO-2022-JP is recognised by its
        escapes, UTF-8 by its validity, else Shift_JIS is assumed).
    :param carrier: the sender's carrier (:func:`carrier_of_address`): how emoji are read.
    :return: the text with carrier emoji in the stored form (standard Unicode); bytes it cannot
        read become 〓. Line ends are left as they are.
    """
    kind, codec = _kind(charset, data)
    if kind == "jis":
        data, kind = _jis_to_sjis(data, au=carrier == AU), "sjis"
    elif kind == "sjis" and carrier == AU:
        data = _au_sjis_mail_codes(data)
    if kind == "sjis":
        text = data.decode("cp932", _ERRORS)
        text = _CP932_STRAY.sub(GETA, text).replace("\uff5e", "\u301c")
        return to_stored(text, carrier, "cp932")
    try:
        text = data.decode(codec, _ERRORS)
    except LookupError:  # pragma: no cover (codec names come from codecs.lookup)
        text = data.decode("utf-8", _ERRORS)
    return to_stored(text, carrier, "utf-8")


_FOLD = re.compile(r"\r?\n(?=[ \t])")
_SURROGATES = re.compile("[\udc80-\udcff]")


def decode_header_text(raw: str, carrier: str | None, charset: str | None = None) -> str:
    """Decode a header value (a subject) as the message carried it, to the stored form.

    RFC 2047 encoded words are decoded with their own charset (by :func:`decode_text`, so au's
    ISO-2022-JP emoji survive). Raw 8-bit bytes, which some phones put in headers (kept by the
    ``email`` package as surrogate escapes), are read in ``charset`` (the body's), and raw
    ISO-2022-JP escapes are recognised.

    :param raw: the header value as parsed, unfolded or not (``Message.raw_items``).
    :param carrier: the sender's carrier.
    :param charset: the charset to assume for raw 8-bit bytes.
    """
    raw = _FOLD.sub("", raw)
    if _SURROGATES.search(raw):
        return decode_text(raw.encode("ascii", "surrogateescape"), charset, carrier)
    try:
        parts = decode_header(raw)
    except (HeaderParseError, binascii.Error, ValueError):
        parts = [(raw, None)]
    text = []
    for chunk, part_charset in parts:
        if isinstance(chunk, str):
            if not chunk.isascii():  # already text (a caller's own string)
                text.append(to_stored(chunk, carrier, "utf-8"))
                continue
            chunk = chunk.encode("ascii")
        text.append(decode_text(chunk, part_charset, carrier))
    return "".join(text)

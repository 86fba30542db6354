"""Regenerate ``portal/keitai/_emoji_tables.py`` from the shared emoji data.

Sources, in ``../shared/data`` (the directory can be given as the first argument):

* ``emoji4unicode.xml``: Google's emoji4unicode project (Apache License 2.0, see
  ``LICENSE-emoji4unicode.txt``). One ``<e>`` per symbol: its standard ``unicode`` code point(s)
  (a leading ``+`` means "new in Unicode 6.0", an inner ``+`` joins a sequence), its ``docomo``,
  ``kddi`` and ``softbank`` PUA code point (a leading ``>`` marks an approximate mapping), its
  ``google`` PUA code point (U+FE000-U+FEEA0) and a ``text_fallback``.
* ``carrier-emoji-{docomo,kddi,softbank}-table.yaml``: the carriers' web emoji tables from
  Encode::JP::Mobile (Tatsuhiko Miyagawa et al., same terms as Perl): number, name, Shift_JIS
  bytes, the carrier's Unicode PUA code point, au's "auto" code point and SoftBank's webcode and
  ``sjis_auto`` bytes.

The stored form of a symbol is its standard Unicode text; a symbol without one is stored as its
Google PUA code point, which no carrier shares. Each carrier table keeps only the codes that the
carrier's own web table lists (what a handset shows on a web page); a carrier code that
emoji4unicode maps exactly is an inbound key, and an approximate (``>``) one is used only
outbound. The Shift_JIS forms are keyed by what Python's ``cp932`` codec decodes the bytes to, so
a page encoded with ``cp932`` carries exactly the carrier's bytes; every one is checked.

Run ``python tools/gen_emoji_tables.py [DATA_DIR [DEST]]`` from the repository root. The output
depends only on the inputs (no date), so a second run gives the same file.
"""

from __future__ import annotations

import sys
import unicodedata
import xml.etree.ElementTree as ET  # noqa: N817 (the data file is ours, not untrusted input)
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "data"
DEFAULT_DEST = ROOT / "portal" / "keitai" / "_emoji_tables.py"

E4U_FILE = "emoji4unicode.xml"
YAML_FILES = {
    "docomo": "carrier-emoji-docomo-table.yaml",
    "kddi": "carrier-emoji-kddi-table.yaml",
    "softbank": "carrier-emoji-softbank-table.yaml",
}

#: SoftBank webcode: ESC $ <page> <code> SI.
WEBCODE_START = "\x1b$"
WEBCODE_END = "\x0f"

#: What a fallback may not contain as ASCII: it goes into escaped HTML, attributes included.
#: Quotes become typographic ones: the full-width ＂ and ＇ are IBM extensions docomo forbids.
FULLWIDTH = str.maketrans(
    {"[": "［", "]": "］", "<": "＜", ">": "＞", "&": "＆", '"': "”", "'": "’"}
)

#: cp932 decodes the user-defined area F040-F9FC to U+E000-U+E757; above it (FA40-FC4B) are
#: IBM extension kanji, which are text, not emoji.
CP932_USER_AREA = range(0xE000, 0xE758)


class DataError(ValueError):
    """The source data contradicts an assumption the tables rely on."""


# -- reading ------------------------------------------------------------------------------------


def read_yaml_table(path: Path) -> list[dict[str, str | None]]:
    """Read one Encode::JP::Mobile table.

    The files are a YAML list of flat mappings with plain scalars only (``- key: value`` and
    ``  key: value`` lines, ``~`` for null), so a full YAML parser is not needed. Every value is
    kept as a string: names such as ``1`` or ``on`` stay text.

    :raise DataError: on any line of another shape.
    """
    items: list[dict[str, str | None]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line in ("---", ""):
            continue
        if line.startswith("- "):
            items.append({})
        elif not line.startswith("  ") or not items:
            raise DataError(f"{path.name}:{number}: unexpected line {line!r}")
        key, separator, value = line[2:].partition(": ")
        if not separator or not key.replace("_", "").isalnum() or value[:1] in ("'", '"', "|"):
            raise DataError(f"{path.name}:{number}: unsupported YAML {line!r}")
        items[-1][key] = None if value == "~" else value
    return items


@dataclass(frozen=True)
class Symbol:
    """One emoji4unicode ``<e>`` element that has a Google code point."""

    id: str
    name: str
    stored: str
    unicode: str | None
    google: str
    #: carrier -> (code points, approximate)
    carriers: Mapping[str, tuple[tuple[int, ...], bool]]
    text_fallback: str | None
    text_repr: str | None


def _codes(value: str) -> tuple[int, ...]:
    return tuple(int(part, 16) for part in value.split("+"))


def read_e4u(path: Path) -> tuple[list[Symbol], dict[str, str]]:
    """Read emoji4unicode.xml.

    :return: the symbols with a Google code point, and ``{unicode: text_fallback}`` of those
        without one (the 26 regional indicator letters).
    """
    symbols = []
    letters = {}
    for element in ET.parse(path).getroot().iter("e"):
        attrs = element.attrib
        unicode = attrs.get("unicode")
        text = "".join(map(chr, _codes(unicode.lstrip("+")))) if unicode else None
        google = attrs.get("google")
        if google is None:
            if text is None or not attrs.get("text_fallback"):
                raise DataError(f"e4u {attrs['id']}: neither Google code point nor fallback")
            letters[text] = attrs["text_fallback"]
            continue
        if google.startswith(">"):
            # One symbol (BLACK SQUARE BUTTON, ">FEB64") only borrows another's Google code.
            google = None
        if text is None and google is None:
            raise DataError(f"e4u {attrs['id']}: no stored form")
        carriers = {}
        for carrier in YAML_FILES:
            value = attrs.get(carrier)
            if value:
                carriers[carrier] = (_codes(value.lstrip(">")), value.startswith(">"))
        symbols.append(
            Symbol(
                id=attrs["id"],
                name=attrs["name"],
                stored=text if text is not None else chr(int(str(google), 16)),
                unicode=text,
                google=chr(int(google, 16)) if google else "",
                carriers=carriers,
                text_fallback=attrs.get("text_fallback"),
                text_repr=attrs.get("text_repr"),
            )
        )
    _check_unique(symbols)
    return symbols, letters


def _check_unique(symbols: list[Symbol]) -> None:
    """Refuse data where a stored form, Google code or exact carrier code names two symbols."""
    seen: dict[tuple[str, object], str] = {}
    for symbol in symbols:
        keys: list[tuple[str, object]] = [("stored", symbol.stored)]
        if symbol.google:
            keys.append(("google", symbol.google))
        keys += [(c, codes) for c, (codes, approx) in symbol.carriers.items() if not approx]
        for key in keys:
            if key in seen:
                raise DataError(f"e4u {symbol.id} and {seen[key]} share {key}")
            seen[key] = symbol.id


# -- building -----------------------------------------------------------------------------------


def cp932_char(sjis_hex: str) -> str:
    """Return what ``cp932`` decodes carrier Shift_JIS bytes to, checking it encodes back.

    :raise DataError: if the bytes do not round-trip exactly through ``cp932``.
    """
    raw = bytes.fromhex(sjis_hex)
    char = raw.decode("cp932")
    if len(char) != 1 or char.encode("cp932") != raw:
        raise DataError(f"Shift_JIS {sjis_hex} does not round-trip through cp932")
    return char


def webcode(webcode_hex: str) -> str:
    """Return the two characters (page, code) of a SoftBank webcode ``1b 24 47 21 0f``."""
    text = bytes.fromhex(webcode_hex).decode("ascii")
    if not (text.startswith(WEBCODE_START) and text.endswith(WEBCODE_END) and len(text) == 5):
        raise DataError(f"unexpected webcode {webcode_hex}")
    return text[2:4]


def _carrier_name(
    symbol: Symbol, names: Mapping[str, Mapping[int, str]], *, approximate: bool
) -> str | None:
    """Return the Japanese name of the first carrier symbol mapped (exactly or not) to it."""
    for carrier in YAML_FILES:
        codes, approx = symbol.carriers.get(carrier, ((), not approximate))
        if approx == approximate and len(codes) == 1 and codes[0] in names[carrier]:
            return names[carrier][codes[0]]
    return None


def text_fallback(symbol: Symbol, names: Mapping[str, Mapping[int, str]]) -> str:
    """Return the text shown where a device lacks the symbol.

    emoji4unicode's ``text_fallback`` if it has one; else a space for the space symbols (au's
    blank emoji); else the Japanese name from a carrier table that maps it exactly, then
    approximately; else the symbol's ``text_repr`` or name, in brackets. Brackets and markup
    characters are made full-width: ``[霧]`` gives ``［霧］``.

    :raise DataError: if the result cannot be encoded in cp932.
    """
    if symbol.text_fallback:
        text = symbol.text_fallback
    elif symbol.unicode and unicodedata.category(symbol.unicode[0]) == "Zs":
        text = " "
    else:
        name = (
            _carrier_name(symbol, names, approximate=False)
            or _carrier_name(symbol, names, approximate=True)
            or symbol.text_repr
            or symbol.name.title()
        )
        text = f"[{name}]"
    text = text.translate(FULLWIDTH)
    try:
        text.encode("cp932")
    except UnicodeEncodeError as error:
        raise DataError(f"e4u {symbol.id}: fallback {text!r} is not in cp932") from error
    return text


#: Markup characters an English fallback may not hold as ASCII (brackets stay ASCII there).
ASCII_SAFE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "”", "'": "’"})


def english_fallback(
    symbol: Symbol,
    names_en: Mapping[str, Mapping[int, str]],
    softbank_en: Mapping[str, Mapping[int, str]],
) -> str:
    """Return the English text of a carrier-only symbol (one Unicode lacks, so no CLDR name):
    the English name in docomo's or au's table (``[Docomo point]``; SoftBank's English names do
    not match its symbols), else emoji4unicode's ``text_fallback`` when it is not Japanese
    (``B-)``), else emoji4unicode's name in lower case.
    """
    name = _carrier_name(symbol, names_en, approximate=False)
    if not name and symbol.name.startswith("EMOJI COMPATIBILITY SYMBOL"):
        name = _carrier_name(symbol, softbank_en, approximate=False)  # its logos: names fit
    if name:
        return f"[{name}]".translate(ASCII_SAFE)
    text = symbol.text_fallback
    if text and not any(0x3040 <= ord(char) <= 0x9FFF for char in text):  # no kana or kanji
        return text.translate(ASCII_SAFE)
    return f"[{symbol.name.lower()}]".translate(ASCII_SAFE)


@dataclass
class Tables:
    """Everything the generated module holds, as ordered ``(name, doc, mapping)`` entries."""

    dicts: list[tuple[str, str, dict[str, str]]]
    entries: list[tuple[str, str, list[tuple[object, ...]]]]
    comments: dict[str, str]
    stats: dict[str, int]


def build(src: Path) -> Tables:
    """Build every table from the data directory ``src``.

    :raise DataError: if the data breaks an assumption (see the checks in this module).
    """
    symbols, letters = read_e4u(src / E4U_FILE)
    rows = {carrier: read_yaml_table(src / name) for carrier, name in YAML_FILES.items()}
    listed = {c: {int(row["unicode"], 16): row for row in rows[c]} for c in YAML_FILES}
    names = {c: {code: row["name"] or "" for code, row in listed[c].items()} for c in YAML_FILES}
    names_en = {
        c: {code: row.get("name_en") or "" for code, row in listed[c].items()}
        if c != "softbank"
        else {}
        for c in YAML_FILES
    }
    softbank_en = {
        c: {code: row.get("name_en") or "" for code, row in listed[c].items()}
        if c == "softbank"
        else {}
        for c in YAML_FILES
    }
    by_code = {
        (carrier, codes[0]): symbol
        for symbol in symbols
        for carrier, (codes, approx) in symbol.carriers.items()
        if not approx and len(codes) == 1
    }
    comments = {symbol.stored: f"{symbol.id} {symbol.name}" for symbol in symbols}

    for carrier, table in listed.items():
        missing = [f"{code:04X}" for code in table if (carrier, code) not in by_code]
        if missing:
            raise DataError(f"{carrier} codes without an exact emoji4unicode mapping: {missing}")

    def inbound(carrier: str, key_of: dict[int, str] | None = None) -> dict[str, str]:
        """Carrier key -> stored; ``key_of`` maps listed codes to keys, else the PUA char."""
        result = {}
        for (c, code), symbol in by_code.items():
            if c != carrier:
                continue
            if key_of is None:
                result[chr(code)] = symbol.stored
            elif code in key_of:
                result[key_of[code]] = symbol.stored
        return result

    def outbound(carrier: str, form: Mapping[int, str]) -> dict[str, str]:
        """Stored -> the carrier's form, exact or approximate, of codes its table lists."""
        result = {}
        for symbol in symbols:
            codes, _ = symbol.carriers.get(carrier, ((), False))
            if codes and all(code in form for code in codes):
                result[symbol.stored] = "".join(form[code] for code in codes)
        return result

    docomo_pua = {code: chr(code) for code in listed["docomo"]}
    for code, row in listed["docomo"].items():
        if cp932_char(row["sjis"]) != chr(code):
            raise DataError(f"docomo {row['sjis']} is not cp932's U+{code:04X}")

    au_sjis = {code: cp932_char(row["sjis"]) for code, row in listed["kddi"].items()}
    au_pua = {code: chr(code) for code in listed["kddi"]}
    au_auto = {code: chr(int(row["unicode_auto"], 16)) for code, row in listed["kddi"].items()}

    sb_pua = {code: chr(code) for code in listed["softbank"]}
    sb_webcode = {code: webcode(row["sjis"]) for code, row in listed["softbank"].items()}
    sb_sjis_auto = {}
    for code, row in listed["softbank"].items():
        sjis = row["sjis_auto"]
        if sjis is None:
            continue
        char = bytes.fromhex(sjis).decode("cp932")
        # Only the user-defined area is safe: FA/FB bytes decode to IBM extension kanji (text a
        # user may type), and many of them do not even encode back to the same bytes.
        if ord(char) in CP932_USER_AREA:
            sb_sjis_auto[code] = cp932_char(sjis)

    google_to_stored = {
        symbol.google: symbol.unicode for symbol in symbols if symbol.google and symbol.unicode
    }
    fallbacks = {symbol.stored: text_fallback(symbol, names) for symbol in symbols}
    for letter, text in sorted(letters.items()):
        fallbacks[letter] = text.translate(FULLWIDTH)
        comments[letter] = "regional indicator letter"

    to_sb_webcode = {
        stored: "".join(WEBCODE_START + pair + WEBCODE_END for pair in _pairs(value))
        for stored, value in outbound("softbank", sb_webcode).items()
    }

    dicts = [
        (
            "DOCOMO_TO_STORED",
            "docomo PUA (= cp932 of its Shift_JIS bytes) -> stored.",
            inbound("docomo"),
        ),
        (
            "STORED_TO_DOCOMO",
            "stored -> docomo PUA (cp932 encodes it to the docomo bytes).",
            outbound("docomo", docomo_pua),
        ),
        (
            "AU_SJIS_TO_STORED",
            "cp932 decoding of au Shift_JIS bytes -> stored.",
            inbound("kddi", au_sjis),
        ),
        (
            "AU_UNICODE_TO_STORED",
            "au official PUA (U+E468-U+EB8E), UTF-8 input only -> stored.",
            inbound("kddi"),
        ),
        (
            "AU_AUTO_TO_STORED",
            "au 'auto' code point (U+EC40-U+F0FC) -> stored.",
            inbound("kddi", au_auto),
        ),
        (
            "STORED_TO_AU",
            "stored -> cp932 character whose encoding is the au Shift_JIS bytes.",
            outbound("kddi", au_sjis),
        ),
        (
            "STORED_TO_AU_UNICODE",
            "stored -> au official PUA (au on a UTF-8 page).",
            outbound("kddi", au_pua),
        ),
        (
            "SOFTBANK_TO_STORED",
            "SoftBank official PUA (U+E001-U+E53E), UTF-8 input -> stored.",
            inbound("softbank"),
        ),
        (
            "SOFTBANK_WEBCODE_TO_STORED",
            'webcode page+code ("G!" of ESC $ G ! SI) -> stored.',
            inbound("softbank", sb_webcode),
        ),
        (
            "SOFTBANK_SJIS_AUTO_TO_STORED",
            "cp932 decoding of SoftBank 3G 'sjis_auto' bytes (F741-F9FC only) -> stored.",
            inbound("softbank", sb_sjis_auto),
        ),
        (
            "STORED_TO_SOFTBANK",
            "stored -> SoftBank official PUA (3G, UTF-8 pages).",
            outbound("softbank", sb_pua),
        ),
        (
            "STORED_TO_SOFTBANK_WEBCODE",
            "stored -> webcode escape(s) (J-PHONE 2G, cp932 pages).",
            to_sb_webcode,
        ),
        (
            "GOOGLE_TO_STORED",
            "Google PUA of a symbol with a standard form -> that form.",
            google_to_stored,
        ),
        ("TEXT_FALLBACK", "stored -> text for a device without the symbol.", fallbacks),
        (
            "ENGLISH_FALLBACK",
            "carrier-only symbol (stored as Google PUA) -> English text for a device without it.",
            {
                s.stored: english_fallback(s, names_en, softbank_en)
                for s in symbols
                if s.unicode is None
            },
        ),
    ]

    entries = [
        (
            "DOCOMO_ENTRIES",
            "(number, sjis, unicode, name) of every docomo table row.",
            [(r["number"], r["sjis"], r["unicode"], r["name"]) for r in rows["docomo"]],
        ),
        (
            "AU_ENTRIES",
            "(number, sjis, unicode, unicode_auto, name) of every au table row.",
            [
                (r["number"], r["sjis"], r["unicode"], r["unicode_auto"], r["name"])
                for r in rows["kddi"]
            ],
        ),
        (
            "SOFTBANK_ENTRIES",
            "(number, webcode bytes, sjis_auto or None, unicode, name) of every SoftBank row.",
            [
                (r["number"], r["sjis"], r["sjis_auto"], r["unicode"], r["name"])
                for r in rows["softbank"]
            ],
        ),
    ]
    stats = {name: len(mapping) for name, _, mapping in dicts}
    stats["symbols"] = len(symbols)
    return Tables(dicts=dicts, entries=entries, comments=comments, stats=stats)


def _pairs(text: str) -> Iterator[str]:
    for index in range(0, len(text), 2):
        yield text[index : index + 2]


# -- writing ------------------------------------------------------------------------------------

HEADER = '''\
# Generated by tools/gen_emoji_tables.py -- do not edit; regenerate with
#     python tools/gen_emoji_tables.py [DATA_DIR]
#
# Sources (see EMOJI_SOURCES.md):
#   emoji4unicode.xml -- Google emoji4unicode project, Apache License 2.0
#       (LICENSE-emoji4unicode.txt in this directory)
#   carrier-emoji-{docomo,kddi,softbank}-table.yaml -- Encode::JP::Mobile by Tatsuhiko Miyagawa
#       et al., same terms as Perl itself (Artistic License or GPL)
#
# Stored form: standard Unicode (sequences allowed); a symbol with none is stored as its Google
# PUA code point (U+FE000-U+FEEA0). Keys and values use escapes so the file shows no PUA glyphs.
"""Emoji mapping tables generated from emoji4unicode and Encode::JP::Mobile (do not edit)."""
'''


def _literal(text: str, *, readable: bool = False) -> str:
    """Return a double-quoted string literal for ``text``.

    :param readable: keep printable characters (Japanese fallback text, names) as they are;
        otherwise every non-ASCII character is escaped, so no PUA or emoji glyph is in the file.
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in '\\"':
            out.append("\\" + char)
        elif " " <= char <= "~" or (readable and category[0] not in "CMZ"):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def render(tables: Tables) -> str:
    """Return the Python source of the generated module."""
    lines = [HEADER]
    for name, doc, mapping in tables.dicts:
        lines.append(f"#: {doc}")
        lines.append(f"{name}: dict[str, str] = {{")
        for key in sorted(mapping, key=lambda k: [ord(c) for c in k]):
            value = mapping[key]
            value_literal = _literal(value, readable=name.endswith("_FALLBACK"))
            comment = tables.comments.get(key) or tables.comments.get(value, "")
            lines.append(f"    {_literal(key)}: {value_literal},  # {comment}".rstrip())
        lines.append("}")
        lines.append("")
    for name, doc, rows in tables.entries:
        lines.append(f"#: {doc}")
        lines.append(f"{name}: tuple[tuple, ...] = (")
        for row in rows:
            items = ", ".join(
                "None" if item is None else _literal(item, readable=True) for item in row
            )
            lines.append(f"    ({items}),")
        lines.append(")")
        lines.append("")
    return "\n".join(lines)


def main(argv: Iterable[str] = ()) -> int:
    """Generate the module: ``gen_emoji_tables.py [DATA_DIR [DEST]]``."""
    args = list(argv)
    src = Path(args[0]) if args else DEFAULT_SRC
    dest = Path(args[1]) if len(args) > 1 else DEFAULT_DEST
    tables = build(src)
    dest.write_text(render(tables), encoding="utf-8")
    summary = ", ".join(f"{name} {count}" for name, count in tables.stats.items())
    print(f"wrote {dest}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The i18n toolchain, in-process with Babel's API (tested, no shell strings).

Source strings are English; ``ja`` is the default locale, ``zh`` (简体中文) and ``ko`` (한국어)
are written by hand like ``ja``. The ``en`` catalogue is complete by construction: ``update``
fills every empty English entry with its source text.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("ja", "en", "zh", "ko")


def _babel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(output: Path = POT) -> None:
    """Extract every marked string of the app and both template trees into ``output``."""
    _babel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "N_",
        "-k",
        "_lp:1c,2",
        "-k",
        "lazy_pgettext:1c,2",
        "-k",
        "lazy_ngettext:1,2",
        "-k",
        "_ln:1,2",
        "-c",
        "i18n:",
        "--omit-header",
        "--no-location",
        "--sort-output",
        # pybabel skips "_*" directories by default; the templates' _macros hold UI text too.
        "--ignore-dirs",
        ".* __pycache__",
        "-o",
        str(output),
        str(ROOT),
    )


def _po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def update() -> None:
    """Merge the template into each catalogue (creating it if missing); fill ``en`` from source."""
    for locale in LOCALES:
        po = _po_path(locale)
        if po.exists():
            _babel(
                "update",
                "-i",
                str(POT),
                "-d",
                str(TRANSLATIONS),
                "-l",
                locale,
                "--no-fuzzy-matching",
                "--omit-header",
                "--ignore-obsolete",
            )
        else:
            _babel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale)
    en = _po_path("en")
    with en.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if isinstance(message.id, tuple):
            if not all(message.string or ()):
                message.string = message.id
        elif message.id and not message.string:
            message.string = message.id
    with en.open("wb") as fh:
        write_po(fh, catalog, omit_header=True, sort_output=True, no_location=True)


#: The catalogues whose strings get furigana (written beside the .mo as ``readings.json``).
FURIGANA_LOCALES = ("ja",)


def compile_catalogues() -> None:
    """Write ``messages.mo`` beside each ``messages.po``, and the readings of the Japanese UI
    strings beside ``ja``'s (computed here, once, so a page never runs MeCab)."""
    for locale in LOCALES:
        po = _po_path(locale)
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)
        if locale in FURIGANA_LOCALES:
            readings = ui_readings(catalog)
            po.with_name(UI_READINGS).write_text(
                json.dumps(readings, ensure_ascii=False, sort_keys=True), encoding="utf-8"
            )


#: The file of the UI strings' readings, beside ``messages.mo``.
UI_READINGS = "readings.json"


def ui_readings(catalog) -> dict[str, list[list]]:
    """Return ``{translated string: [[start, end, reading, level], ...]}`` for each string
    of ``catalog`` with kanji (plural forms included)."""
    from . import analysis

    found: dict[str, list[list]] = {}
    for message in catalog:
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in texts:
            if text and text not in found and analysis.KANJI.search(text):
                ruby = analysis.analyze(text).ruby
                if ruby:
                    found[text] = [[r.start, r.end, r.reading, r.level] for r in ruby]
    return found


def check() -> list[str]:
    """Return the problems with the catalogues (empty when all is well).

    A problem is: the committed ``.pot`` differs from a fresh extraction, or an entry of one of
    :data:`LOCALES` is missing, untranslated or fuzzy.
    """
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        extract(fresh)
        fresh_ids = _ids(fresh)
    if not POT.exists() or _ids(POT) != fresh_ids:
        problems.append("translations/messages.pot is stale: run `flask translate update`")
    for locale in LOCALES:
        with _po_path(locale).open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        present = set()
        for message in catalog:
            if not message.id:
                continue
            present.add(_key(message.id, message.context))
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy: {message.id!r}")
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                problems.append(f"{locale}: untranslated: {message.id!r}")
        for missing in sorted(fresh_ids - present, key=str):
            problems.append(f"{locale}: missing: {missing!r}")
    return problems


def _key(msgid, context):
    return (msgid if isinstance(msgid, str) else tuple(msgid), context)


def _ids(pot: Path) -> set:
    with pot.open("rb") as fh:
        return {_key(m.id, m.context) for m in read_po(io.BytesIO(fh.read())) if m.id}

"""Furigana and glosses on a page, from readings stored when the text was saved.

PC pages get ``<ruby>新<rp>(</rp><rt>あたら</rt><rp>)</rp></ruby>しい`` (the English meaning
of the word in the ruby's ``title``: shown on hover, and read by screen readers); phones,
whose browsers have no ruby, get ``新(あたら)しい``. Only readings over kanji the reader's
level asks for are shown (:func:`portal.i18n.learner.shows_reading`). A text without stored
readings (saved before they existed, or changed since) is shown as it is.

Nothing here analyses text: it only lays out what :mod:`portal.services.readings` stored.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

from flask import current_app, g
from markupsafe import Markup, escape

from ..filters import member_text
from .formats import locale_code
from .learner import furigana_level, shows_reading

Run = str | tuple[str, str, str]


def runs(text: str, reading: Any, setting: str | None = None) -> list[Run]:
    """Split ``text`` (the reading's text, or a part of it) into plain strings and
    ``(kanji, reading, gloss)`` for each reading shown."""
    if reading is None or not text:
        return [text]
    offset = 0 if text == reading.text else reading.text.find(text)
    if offset < 0:
        return [text]
    end, pos = offset + len(text), offset
    out: list[Run] = []
    for start, stop, read, level, word in reading.ruby:
        if start < pos or stop > end or not shows_reading(level, setting):
            continue
        if start > pos:
            out.append(reading.text[pos:start])
        meaning = reading.words[word][2] if 0 <= word < len(reading.words) else ""
        out.append((reading.text[start:stop], read, meaning))
        pos = stop
    if pos < end:
        out.append(reading.text[pos:end])
    return out


def ruby_markup(base: str, read: str, meaning: str, *, mobile: bool) -> Markup:
    """Return one reading as the rendering shows it."""
    if mobile:
        return escape(base) + Markup("(") + escape(read) + Markup(")")
    title = Markup(' title="%s"') % meaning if meaning else Markup("")
    return Markup("<ruby%s>%s<rp>(</rp><rt>%s</rt><rp>)</rp></ruby>") % (title, base, read)


def learner_text(text: str, reading: Any = None, *, multiline: bool = True) -> Markup:
    """Return member text with furigana when the reader has them on (template filter:
    ``{{ diary.body|learner_text(readings.get("diary", diary.id, "body")) }}``).

    :param multiline: a body (URLs linked, line breaks kept), else a title (escaped only).
    """
    plain = member_text if multiline else escape
    setting = furigana_level()
    if reading is None or setting is None:
        return plain(text or "")
    mobile = bool(g.get("mobile_view"))
    parts = [
        plain(run) if isinstance(run, str) else ruby_markup(*run, mobile=mobile)
        for run in runs(text, reading, setting)
    ]
    return Markup("").join(parts)


def learner_title(text: str, reading: Any = None) -> Markup:
    """A title or one-line text with furigana (template filter)."""
    return learner_text(text, reading, multiline=False)


class _UiReading(NamedTuple):
    text: str
    ruby: tuple
    words: tuple


@functools.lru_cache(maxsize=8)
def _ui_readings(path: str) -> dict[str, list[list]]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def ui_ruby(text: str) -> Any:
    """Return a Japanese UI string with furigana on PC pages when the reader has them on
    (template filter: ``{{ _("日記")|ui_ruby }}``, for text outside attributes only).

    The readings come from ``readings.json``, written when the catalogues compile; a string
    not in it (one with placeholders filled in) is returned as it is.
    """
    if furigana_level() is None or g.get("mobile_view") or locale_code() != "ja":
        return text
    directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
    spans = _ui_readings(str(Path(directory) / "ja" / "LC_MESSAGES" / "readings.json"))
    plain = str(text)
    found = spans.get(plain)
    if not found:
        return text
    reading = _UiReading(plain, tuple((*span, -1) for span in found), ())
    return learner_title(plain, reading)


#: The dictionaries' and tools' names, as the attribution shows them inside translated text.
DICTIONARY_NAMES = {
    "jmdict": "JMdict",
    "kanjidic": "KANJIDIC2",
    "group": "Electronic Dictionary Research and Development Group (EDRDG)",
    "licence": "Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)",
    "glossary": "JMdict (EDRDG, CC BY-SA 4.0)",
    "mecab": "MeCab (fugashi)",
    "unidic": "UniDic (unidic-lite)",
    "consortium": "UniDic Consortium",
    "bsd": "BSD",
    "cutlet": "cutlet",
    "mit": "MIT",
}


def dictionary_names() -> dict[str, Markup]:
    """Return the names for ``%(name)s`` placeholders, each marked as Latin-script English
    (``<span lang="en">``), whatever the page's language."""
    return {
        key: Markup('<span lang="en">%s</span>') % name for key, name in DICTIONARY_NAMES.items()
    }


def init_app(app) -> None:
    """Register the ``learner_text`` and ``learner_title`` filters and the names."""
    app.jinja_env.filters["learner_text"] = learner_text
    app.jinja_env.filters["learner_title"] = learner_title
    app.jinja_env.filters["ui_ruby"] = ui_ruby
    app.jinja_env.globals["dictionary_names"] = dictionary_names

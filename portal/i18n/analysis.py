"""Japanese text analysis for the learner aids: readings, kanji levels, glosses and romaji.

- words and readings: fugashi (MeCab) with unidic-lite's dictionary (it ships in the package:
  nothing is downloaded at run time);
- each kanji's old JLPT level (4 the easiest to 1; 0 for kanji outside the lists): KANJIDIC2,
  in jamdict-data's database;
- English glosses: JMdict through jamdict (EDRDG, CC BY-SA 4.0: /about/dictionaries);
- romaji: cutlet (Hepburn), long vowels with macrons (たろう: Tarō).

This runs when text is saved and when catalogues compile, never while a page renders. The
tagger and the dictionaries load once per process on first use; one lock serialises them
(neither MeCab's tagger nor jamdict's SQLite connection is shared between threads safely).
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass

import jaconv

#: Kanji (CJK ideographs, the repeat mark 々 and the small ヶ of place names).
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_GROUPS = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+|[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+"
)
#: Parts of speech whose words go into a glossary (UniDic's pos1).
GLOSSED = frozenset({"名詞", "動詞", "形容詞", "副詞", "形状詞"})
#: The most words one text's glossary lists.
MAX_WORDS = 200
_lock = threading.RLock()


@dataclass(frozen=True)
class Ruby:
    """A reading over ``text[start:end]`` (kanji only: okurigana stay outside)."""

    start: int
    end: int
    reading: str
    #: The hardest old JLPT level among its kanji (1 hardest .. 4 easiest; 0: in no list).
    level: int
    #: The index of its word in :attr:`Analysis.words`, or -1.
    word: int = -1


@dataclass(frozen=True)
class Word:
    """A glossary entry: dictionary form, its reading, and English meanings."""

    lemma: str
    reading: str
    gloss: str


@dataclass(frozen=True)
class Analysis:
    """What a text's readings and glossary are."""

    ruby: tuple[Ruby, ...]
    words: tuple[Word, ...]

    def to_json(self) -> dict:
        """Return the form stored in ``text_readings.data``."""
        return {
            "r": [[r.start, r.end, r.reading, r.level, r.word] for r in self.ruby],
            "w": [[w.lemma, w.reading, w.gloss] for w in self.words],
        }


@functools.cache
def _tagger():
    import fugashi

    return fugashi.Tagger()


@functools.cache
def _jamdict():
    from jamdict import Jamdict

    return Jamdict()


@functools.cache
def kanji_levels() -> dict[str, int]:
    """Return each kanji's old JLPT level from KANJIDIC2 (read once per process)."""
    path = _jamdict().db_file
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT literal, jlpt FROM character WHERE jlpt IS NOT NULL")
        return {literal: int(level) for literal, level in rows if str(level).isdigit()}
    finally:
        connection.close()


def level_of(text: str) -> int:
    """Return the hardest old JLPT level of the kanji in ``text`` (0 when one is in no list)."""
    levels = kanji_levels()
    return min((levels.get(ch, 0) for ch in text if KANJI.match(ch)), default=0)


def _hira(text: str) -> str:
    return jaconv.kata2hira(text)


def split_okurigana(surface: str, reading: str) -> list[tuple[int, int, str]]:
    """Return ``(start, end, reading)`` for each kanji run of a word, okurigana left out.

    ``新しい``/``あたらしい`` gives ``[(0, 1, "あたら")]``; when the kana of the word do not
    line up with its reading, the whole word carries the whole reading.
    """
    groups = [m.group() for m in _GROUPS.finditer(surface)]
    pattern = "".join(
        "(.+?)" if KANJI.match(g) else "(" + re.escape(_hira(g)) + ")" for g in groups
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [(0, len(surface), reading)] if KANJI.search(surface) else []
    spans, offset = [], 0
    for group, read in zip(groups, match.groups(), strict=True):
        if KANJI.match(group):
            spans.append((offset, offset + len(group), read))
        offset += len(group)
    return spans


@functools.lru_cache(maxsize=20_000)
def gloss(lemma: str) -> tuple[str, str] | None:
    """Return ``(reading, English meanings)`` of a dictionary form from JMdict, or ``None``."""
    with _lock:
        found = _jamdict().lookup(lemma, strict_lookup=True, lookup_chars=False, lookup_ne=False)
    for entry in found.entries:
        meanings = [g.text for sense in entry.senses[:2] for g in sense.gloss[:3]][:4]
        if meanings and entry.kana_forms:
            return entry.kana_forms[0].text, "; ".join(meanings)
    return None


def _feature(node, name: str) -> str | None:
    value = getattr(node.feature, name, None)
    return value if value and value != "*" else None


@functools.lru_cache(maxsize=2048)
def analyze(text: str) -> Analysis:
    """Return the readings and glossary of a text (cached per process: texts repeat)."""
    if not KANJI.search(text):
        return Analysis((), ())
    with _lock:
        nodes = [
            (n.surface, _feature(n, "kana"), _feature(n, "orthBase"), _feature(n, "pos1"))
            for n in _tagger()(text)
        ]
    ruby: list[Ruby] = []
    words: list[Word] = []
    index: dict[str, int] = {}
    position = 0
    for surface, kana, base, pos in nodes:
        start = text.find(surface, position)
        if start < 0:
            continue
        position = start + len(surface)
        if not KANJI.search(surface) or not kana:
            continue
        word = -1
        if pos in GLOSSED and base and KANJI.search(base):
            if base not in index and len(words) < MAX_WORDS and (found := gloss(base)):
                index[base] = len(words)
                words.append(Word(base, found[0], found[1]))
            word = index.get(base, -1)
        for s, e, read in split_okurigana(surface, _hira(kana)):
            ruby.append(Ruby(start + s, start + e, read, level_of(surface[s:e]), word))
    return Analysis(tuple(ruby), tuple(words))


@functools.cache
def _cutlet():
    import cutlet

    return cutlet.Cutlet()


_LONG = (("ou", "ō"), ("oo", "ō"), ("uu", "ū"), ("Ou", "Ō"), ("Oo", "Ō"), ("Uu", "Ū"))
_NOT_NAME = re.compile(r"[^\w\s'-]+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f々]")


def romaji(nickname: str) -> str | None:
    """Return a nickname in Hepburn romaji with macrons (たろう: Tarō), symbols such as ＠
    left out; ``None`` when it has no Japanese to romanise."""
    text = unicodedata.normalize("NFKC", nickname)
    if not _JAPANESE.search(text):
        return None
    with _lock:
        roman = _cutlet().romaji(text)
    for plain, long in _LONG:
        roman = roman.replace(plain, long)
    roman = _NOT_NAME.sub(" ", roman.replace("?", " "))
    roman = " ".join(roman.split())
    return roman[:120] or None

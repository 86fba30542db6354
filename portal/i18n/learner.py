"""Learner mode: the reader's furigana setting, and the one flag every learner aid asks.

A member's setting is ``members.furigana`` (Settings → Reading); a visitor's is kept in the
session like the language (``/furigana/on`` and ``/furigana/off``, POSTs). The setting is
``None`` (off), ``all`` (a reading over every kanji) or a known old JLPT level, ``4`` (the
easiest, about 100 kanji) to ``1``: readings only over kanji harder than it.

``learner_mode()`` is true whenever furigana are on (glosses, full-width UI kana on phones);
``g.learner_mode`` overrides it for a request, and the session's ``learner`` key turns it on
without furigana.
"""

from __future__ import annotations

from flask import g, has_request_context, session
from flask_login import current_user

from .formats import locale_code

#: The session key a visitor's learner mode is kept under.
LEARNER_KEY = "learner"
#: The session key of a visitor's furigana setting.
FURIGANA_KEY = "furigana"
#: The furigana settings besides off: every kanji, or kanji above a known old JLPT level.
FURIGANA_LEVELS = ("all", "4", "3", "2", "1")


def furigana_level() -> str | None:
    """Return this request's furigana setting (``None``: off)."""
    if not has_request_context():
        return None
    if "furigana_level" not in g:
        if current_user and current_user.is_authenticated:
            level = current_user.furigana
        else:
            level = session.get(FURIGANA_KEY)
        g.furigana_level = level if level in FURIGANA_LEVELS else None
    return g.furigana_level


def shows_reading(level: int, setting: str | None = None) -> bool:
    """Return whether a reading over kanji of old JLPT ``level`` (0: in no list) is shown."""
    setting = setting if setting is not None else furigana_level()
    if setting is None:
        return False
    if setting == "all":
        return True
    return level < int(setting)


def learner_mode() -> bool:
    """Return whether learner mode is on for this request."""
    if not has_request_context():
        return False
    if "learner_mode" in g:
        return bool(g.learner_mode)
    return bool(session.get(LEARNER_KEY)) or furigana_level() is not None


def nickname(member) -> str:
    """Return a member's nickname as a page shows it: in the English UI with its romaji
    beside it (``たろう (Tarō)``), written when the nickname was saved (template filter)."""
    name = member.nickname
    roman = getattr(member, "nickname_romaji", None)
    if roman and roman.casefold() != name.casefold() and locale_code() == "en":
        return f"{name} ({roman})"
    return name

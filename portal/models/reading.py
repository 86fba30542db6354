"""Readings of member text (furigana and glosses), computed when the text is saved.

A page never runs MeCab: it looks the rows up by key (``kind``, ``ref_id``, ``field``) and
uses one only while ``source_hash`` still matches the text it shows (an edit that did not
pass the save hook, or a reused id, falls back to the plain text).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ._time import utcnow


class TextReading(Model):
    """The furigana and glossary of one field of one saved text.

    ``data`` is ``{"r": [[start, end, reading, level, word], ...], "w": [[lemma, reading,
    gloss], ...]}``: ruby spans over the text (``level`` the hardest old JLPT level of their
    kanji, 0 for none; ``word`` an index into ``w`` or -1) and the words for the glossary.
    """

    __tablename__ = "text_readings"

    #: ``diary``, ``diary_comment``, ``topic``, ``topic_comment``.
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: ``title`` or ``body``.
    field: Mapped[str] = mapped_column(String(8), primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

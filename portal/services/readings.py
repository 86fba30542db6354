"""Readings of member text: written when the text is saved, looked up by key on a page.

When a diary, a diary comment, a topic or a topic comment is inserted or its title or body
changes, the session's flush writes the text's furigana and glossary
(:func:`portal.i18n.analysis.analyze`) to ``text_readings``, in the same transaction: every
way of saving (forms, mail posts, blog import, the demo) gets them, and a rolled back save
leaves none. A nickname's romaji is written the same way. ``flask readings backfill`` (and
the huey task :func:`portal.tasks.readings.backfill`) fills in texts saved before.

A page asks :func:`for_page` for the rows of what it shows: one keyed query, and none at all
when the reader has furigana off. A row is used only while its hash matches the text.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, event, insert, or_, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..i18n import analysis
from ..models import Diary, DiaryComment, Member, TextReading, Topic, TopicComment
from ..models._time import utcnow

log = logging.getLogger(__name__)

#: The texts that get readings: kind -> (model, fields).
KINDS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "diary": (Diary, ("title", "body")),
    "diary_comment": (DiaryComment, ("body",)),
    "topic": (Topic, ("title", "body")),
    "topic_comment": (TopicComment, ("body",)),
}
_KIND_OF = {model: kind for kind, (model, _fields) in KINDS.items()}


def text_hash(text: str) -> str:
    """Return the hash a reading row keeps of its text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Reading:
    """The stored readings of one text, ready for :mod:`portal.i18n.ruby`."""

    text: str
    ruby: tuple[tuple[int, int, str, int, int], ...]
    words: tuple[tuple[str, str, str], ...]

    @classmethod
    def of(cls, text: str, data: dict) -> Reading:
        ruby = tuple(tuple(r) for r in data.get("r", ()))
        words = tuple(tuple(w) for w in data.get("w", ()))
        return cls(text, ruby, words)


class Readings:
    """The readings of the texts on one page: ``readings.get("diary", 3, "body")``."""

    def __init__(self, rows: dict[tuple[str, int, str], Reading] | None = None) -> None:
        self._rows = rows or {}

    def get(self, kind: str, ref_id: int, field: str = "body") -> Reading | None:
        """Return the reading of one field of one text, or ``None`` (plain text then)."""
        return self._rows.get((kind, ref_id, field))

    def __bool__(self) -> bool:
        return bool(self._rows)

    def merged(self, other: Readings) -> Readings:
        """Return these readings with ``other``'s."""
        return Readings({**self._rows, **other._rows}) if other else self

    def words(self, kind: str, ref_id: int) -> list[tuple[str, str, str]]:
        """Return the glossary of a text (its title's words, then its body's), each once."""
        seen: dict[str, tuple[str, str, str]] = {}
        for field in ("title", "body"):
            reading = self.get(kind, ref_id, field)
            for word in reading.words if reading else ():
                seen.setdefault(word[0], word)
        return list(seen.values())


NONE = Readings()


def for_page(wanted: bool, items: Iterable[tuple[str, object]]) -> Readings:
    """Return the readings of ``items`` (``(kind, model instance)``) in one keyed query.

    :param wanted: whether the reader has furigana or glosses on (else no query at all).
    """
    objects = {(kind, obj.id): obj for kind, obj in items if obj is not None}  # type: ignore[attr-defined]
    if not wanted or not objects:
        return NONE
    by_kind: dict[str, list[int]] = {}
    for kind, ref_id in objects:
        by_kind.setdefault(kind, []).append(ref_id)
    rows = db.session.scalars(
        select(TextReading).where(
            or_(
                *(
                    and_(TextReading.kind == kind, TextReading.ref_id.in_(ids))
                    for kind, ids in by_kind.items()
                )
            )
        )
    )
    found = {}
    for row in rows:
        text = getattr(objects[(row.kind, row.ref_id)], row.field, None)
        if isinstance(text, str) and row.source_hash == text_hash(text):
            found[(row.kind, row.ref_id, row.field)] = Reading.of(text, row.data)
    return Readings(found)


def _rows_for(kind: str, obj, fields: Iterable[str]) -> list[dict]:
    rows = []
    for field in fields:
        text = getattr(obj, field) or ""
        try:
            data = analysis.analyze(text).to_json()
        except Exception:  # a reading is an aid: never lose a save over it
            log.exception("no readings for %s %s %s", kind, obj.id, field)
            continue
        rows.append(
            {
                "kind": kind,
                "ref_id": obj.id,
                "field": field,
                "source_hash": text_hash(text),
                "data": data,
                "computed_at": utcnow(),
            }
        )
    return rows


def store(connection, kind: str, obj, fields: Iterable[str]) -> None:
    """Write the readings of ``fields`` of ``obj`` (replacing what was there)."""
    fields = tuple(fields)
    rows = _rows_for(kind, obj, fields)
    connection.execute(
        delete(TextReading).where(
            TextReading.kind == kind,
            TextReading.ref_id == obj.id,
            TextReading.field.in_(fields),
        )
    )
    if rows:
        connection.execute(insert(TextReading), rows)


def _changed_fields(obj, fields: tuple[str, ...], new: bool) -> tuple[str, ...]:
    if new:
        return fields
    state = db.inspect(obj)
    return tuple(f for f in fields if state.attrs[f].history.has_changes())


def _after_flush(session: Session, _context) -> None:
    for obj in [*session.new, *session.dirty]:
        kind = _KIND_OF.get(type(obj))
        if kind is None:
            continue
        changed = _changed_fields(obj, KINDS[kind][1], obj in session.new)
        if changed:
            store(session.connection(), kind, obj, changed)


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, Member):
            state = db.inspect(obj)
            if obj in session.new or state.attrs.nickname.history.has_changes():
                try:
                    obj.nickname_romaji = analysis.romaji(obj.nickname or "")
                except Exception:
                    log.exception("no romaji for member %s", obj.id)


def backfill(limit: int | None = None) -> int:
    """Write the readings (and romaji) missing or stale for saved texts; return how many.

    For texts saved before readings existed, or whose rows an edit outside the ORM left stale.
    """
    done = 0
    for kind, (model, fields) in KINDS.items():
        stored = {
            (r.ref_id, r.field): r.source_hash
            for r in db.session.scalars(select(TextReading).where(TextReading.kind == kind))
        }
        for obj in db.session.scalars(select(model).order_by(model.id)):
            stale = [
                f for f in fields if stored.get((obj.id, f)) != text_hash(getattr(obj, f) or "")
            ]
            if stale:
                # Through the ORM session, so the commit counts as a change (page cache).
                store(db.session, kind, obj, stale)
                done += 1
                if limit is not None and done >= limit:
                    return done
    for member in db.session.scalars(select(Member).where(Member.nickname_romaji.is_(None))):
        romaji = analysis.romaji(member.nickname or "")
        if romaji:
            member.nickname_romaji = romaji
            done += 1
    return done


def init_app(_app) -> None:
    """Write readings when texts are saved (every session of the process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_flush", _before_flush)

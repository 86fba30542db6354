"""The SQL session store: sessions in the ``sessions`` table, written in their own transaction.

The store talks to the engine directly rather than through the request's ORM session, so saving
a session never commits (or rolls back) the request's own work; the request's commit happens
before Flask saves the session (see :mod:`portal.transactions`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, insert, select, update

from .extensions import db
from .keitai.session_stores import SessionRecord
from .models import StoredSession

_table = cast(Table, StoredSession.__table__)
#: Built once: every request loads its session with it.
_LOAD = select(
    _table.c.data,
    _table.c.binding_hash,
    _table.c.subscriber_hash,
    _table.c.member_id,
    _table.c.touched_at,
    _table.c.expires_at,
).where(_table.c.id_hash == bindparam("key"))


def _member_id(owner: str | None) -> int | None:
    return int(owner) if owner is not None and owner.isdigit() else None


class SqlSessionStore:
    """Keep sessions in the application's database (indexed by member for ending them all)."""

    def load(self, key: str) -> SessionRecord | None:
        with db.engine.connect() as conn:
            row = conn.execute(_LOAD, {"key": key}).first()
        if row is None:
            return None
        return SessionRecord(
            json.loads(row.data),
            row.binding_hash,
            row.touched_at,
            row.expires_at,
            subscriber=row.subscriber_hash,
            owner=None if row.member_id is None else str(row.member_id),
        )

    def save(self, key: str, record: SessionRecord, *, create: bool = True) -> None:
        values = {
            "data": json.dumps(record.data, separators=(",", ":")),
            "binding_hash": record.binding,
            "subscriber_hash": record.subscriber,
            "member_id": _member_id(record.owner),
            "touched_at": record.touched_at,
            "expires_at": record.expires_at,
        }
        with db.engine.begin() as conn:
            done = conn.execute(update(_table).where(_table.c.id_hash == key).values(values))
            if done.rowcount == 0 and create:
                conn.execute(
                    insert(_table).values(id_hash=key, created_at=record.touched_at, **values)
                )

    def touch(self, key: str, touched_at: datetime, expires_at: datetime) -> None:
        stmt = (
            update(_table)
            .where(_table.c.id_hash == key)
            .values(touched_at=touched_at, expires_at=expires_at)
        )
        with db.engine.begin() as conn:
            conn.execute(stmt)

    def delete(self, key: str) -> None:
        with db.engine.begin() as conn:
            conn.execute(delete(_table).where(_table.c.id_hash == key))

    def delete_owner(self, owner: str, *, keep: str | None = None) -> int:
        member_id = _member_id(owner)
        if member_id is None:
            return 0
        stmt = delete(_table).where(_table.c.member_id == member_id)
        if keep is not None:
            stmt = stmt.where(_table.c.id_hash != keep)
        with db.engine.begin() as conn:
            return conn.execute(stmt).rowcount

    def purge_expired(self, now: datetime) -> int:
        """Delete sessions that expired before ``now``; return how many went."""
        with db.engine.begin() as conn:
            return conn.execute(delete(_table).where(_table.c.expires_at < now)).rowcount

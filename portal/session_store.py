"""The SQL session store: sessions in the ``sessions`` table, written in their own transaction.

The store talks to the engine directly rather than through the request's ORM session, so saving
a session never commits (or rolls back) the request's own work; the request's commit happens
before Flask saves the session (see :mod:`portal.transactions`).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from .extensions import db
from .keitai.session import SessionRecord
from .models import StoredSession

_table = StoredSession.__table__


class SqlSessionStore:
    """Keep sessions in the application's database."""

    def load(self, key: str) -> SessionRecord | None:
        stmt = select(
            _table.c.data, _table.c.agent_hash, _table.c.touched_at, _table.c.expires_at
        ).where(_table.c.id_hash == key)
        with db.engine.connect() as conn:
            row = conn.execute(stmt).first()
        if row is None:
            return None
        return SessionRecord(json.loads(row.data), row.agent_hash, row.touched_at, row.expires_at)

    def save(self, key: str, record: SessionRecord) -> None:
        values = {
            "data": json.dumps(record.data, separators=(",", ":")),
            "agent_hash": record.agent_hash,
            "touched_at": record.touched_at,
            "expires_at": record.expires_at,
        }
        with db.engine.begin() as conn:
            done = conn.execute(update(_table).where(_table.c.id_hash == key).values(values))
            if done.rowcount == 0:
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

    def purge_expired(self, now: datetime) -> int:
        """Delete sessions that expired before ``now``; return how many went."""
        with db.engine.begin() as conn:
            return conn.execute(delete(_table).where(_table.c.expires_at < now)).rowcount

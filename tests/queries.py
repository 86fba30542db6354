"""Count the SQL statements a request runs, as ``make bench`` does (bench/serve.py): every
statement sent to the database, from the session lookup to the session save. The savepoints the
``db`` fixture makes in place of production's transactions are not counted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db
from tests.fixtures.database import HARNESS_SAVEPOINTS


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """Collect the SQL text of every statement run while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if "SAVEPOINT" in statement and statement.split()[-1] in conn.info.get(
            HARNESS_SAVEPOINTS, ()
        ):
            return
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)

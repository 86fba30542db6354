"""Count the SQL statements a request runs, as ``make bench`` does (bench/serve.py): every
statement sent to the database, from the session lookup to the session save."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """Collect the SQL text of every statement run while the block runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)

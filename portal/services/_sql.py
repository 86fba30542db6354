"""Typed helpers over the request's SQL session."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable

from ..extensions import db


def execute_dml(statement: Executable) -> CursorResult[Any]:
    """Run an INSERT, UPDATE or DELETE in the request's session; its result has ``rowcount``."""
    return cast("CursorResult[Any]", db.session.execute(statement))


def claim(model: type[Any], row_id: int, now: Any, *also: Any) -> bool:
    """Mark a one-time row (an invitation, a mail link, a password reset) used at ``now`` if
    it is still unused and unexpired and ``also`` holds, in one UPDATE: of two requests at
    once only one gets it. Return whether this one did (the loaded row is left as it was)."""
    result = execute_dml(
        update(model)
        .where(model.id == row_id, model.used_at.is_(None), *also, model.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def dialect_insert(model: type[Any]) -> Any:
    """Return an INSERT of the session's dialect (PostgreSQL or SQLite), which has
    ``on_conflict_do_nothing`` and ``on_conflict_do_update``."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def insert_or_ignore(model: type[Any], **values: Any) -> bool:
    """Insert a row unless one with the same key exists (``ON CONFLICT DO NOTHING``): for
    rows that concurrent requests may both make.

    :return: whether this call inserted it.
    """
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing()
    return execute_dml(statement).rowcount == 1


def rows_and_total(stmt: Select[Any], offset: int, limit: int | None) -> tuple[list[Any], int]:
    """Return rows ``offset`` to ``offset + limit`` of ``stmt`` (ordered) and how many rows it
    has in all: one query (a window count beside each row) unless the range is past the end,
    which costs a count more. A select of one entity gives the entities, else row tuples."""

    def shape(row):
        return row[0] if len(row) == 2 else tuple(row[:-1])

    if limit is None:
        rows = db.session.execute(stmt.add_columns(func.count().over()).offset(offset)).all()
        return [shape(row) for row in rows], (rows[0][-1] if rows else _count(stmt))
    if limit < 1:  # only the count is shown (phones' search sections)
        return [], _count(stmt)
    rows = db.session.execute(
        stmt.add_columns(func.count().over()).offset(offset).limit(limit)
    ).all()
    if rows:
        return [shape(row) for row in rows], rows[0][-1]
    return [], 0 if offset == 0 else _count(stmt)


def _count(stmt: Select[Any]) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def page_with_total(stmt: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    """Return one page of the rows of ``stmt`` (a select of one entity, ordered) and how many
    rows it has in all, as :func:`portal.keitai.paging.paginate` will page them: a page past
    the end gives the last page (one query within range, three past the end)."""
    number = max(page, 1)
    rows, total = rows_and_total(stmt, (number - 1) * per_page, per_page)
    if rows or not total:
        return rows, total
    return rows_and_total(stmt, (-(-total // per_page) - 1) * per_page, per_page)[0], total


def first_rows_with_total(stmt: Select[Any], limit: int) -> tuple[list[Any], int]:
    """Return the first ``limit`` rows of ``stmt`` (ordered) and how many rows it has in all,
    in one query."""
    return rows_and_total(stmt, 0, limit)

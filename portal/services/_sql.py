"""Typed helpers over the request's SQL session."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable

from ..extensions import db


def execute_dml(statement: Executable) -> CursorResult[Any]:
    """Run an INSERT, UPDATE or DELETE in the request's session; its result has ``rowcount``."""
    return cast("CursorResult[Any]", db.session.execute(statement))


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

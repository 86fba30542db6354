"""Typed helpers over the request's SQL session."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.sql.expression import Executable

from ..extensions import db


def execute_dml(statement: Executable) -> CursorResult[Any]:
    """Run an INSERT, UPDATE or DELETE in the request's session; its result has ``rowcount``."""
    return cast("CursorResult[Any]", db.session.execute(statement))

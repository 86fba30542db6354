"""Row ids: every id column is a 32-bit integer (PostgreSQL ``integer``, ``serial``).

A number outside that range names no row, and PostgreSQL refuses to compare a column with it
(``integer out of range``), so it is never looked up: ``<int:...>`` URL parts beyond it are a
404 (``portal._RowIdConverter``) and ids read from a query or a form go through
:func:`is_row_id` first.
"""

from __future__ import annotations

from typing import TypeGuard

#: The largest id a row can have.
ROW_ID_MAX = 2**31 - 1


def is_row_id(value: object) -> TypeGuard[int]:
    """Tell whether ``value`` is an int that can be the id of a row (1..ROW_ID_MAX)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ROW_ID_MAX

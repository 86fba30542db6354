"""Months asked for as ``?month=YYYY-MM`` (a member's diary archive, the calendar).

A month is shown from its first day to the first day of the next one, in Japanese time, so
the last month that can be shown is 9998-12 (the day after 9999-12 is no date Python has).
"""

from __future__ import annotations

import re

#: The first and the last year whose months are shown.
FIRST_YEAR = 1900
LAST_YEAR = 9998

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class NoSuchMonthError(ValueError):
    """A ``YYYY-MM`` that names no month that can be shown (``2008-13``, ``9999-12``): a 404."""


def parse(text: str | None) -> tuple[int, int] | None:
    """Return ``YYYY-MM`` as ``(year, month)``; ``None`` for no value or another shape.

    :raise NoSuchMonthError: for a ``YYYY-MM`` outside January FIRST_YEAR to December LAST_YEAR.
    """
    found = _MONTH.match(text or "")
    if not found:
        return None
    year, month = int(found[1]), int(found[2])
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        raise NoSuchMonthError(text)
    return year, month

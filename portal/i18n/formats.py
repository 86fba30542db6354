"""Dates and numbers in each UI language's own form, in Japan time.

Times are stored as naive UTC and shown in Asia/Tokyo. Each language has one pattern per kind of
value (Babel/CLDR pattern syntax; ``E`` is the short weekday: 木, Thu, 周四, 목):

======== ======================= ======================= ============== ===========
language date and time           date                    month and day  month
======== ======================= ======================= ============== ===========
ja       2008年5月1日(木) 21:05  2008年5月1日(木)        5月1日         2008年5月
en       Thu 1 May 2008, 21:05   Thu 1 May 2008          1 May          May 2008
zh       2008年5月1日 周四 21:05 2008年5月1日 周四       5月1日         2008年5月
ko       2008년 5월 1일 (목) 21:05 2008년 5월 1일 (목)   5월 1일        2008년 5월
======== ======================= ======================= ============== ===========
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_number, get_locale

#: Date and time of an event in the past or future (``when``).
DATETIME_PATTERNS = {
    "ja": "y年M月d日(E) H:mm",
    "en": "EEE d MMM y, H:mm",
    "zh": "y年M月d日 E H:mm",
    "ko": "y년 M월 d일 (E) H:mm",
}
#: A calendar day (``day``).
DATE_PATTERNS = {
    "ja": "y年M月d日(E)",
    "en": "EEE d MMM y",
    "zh": "y年M月d日 E",
    "ko": "y년 M월 d일 (E)",
}
#: A day in any year: birthdays (``month_day``).
MONTH_DAY_PATTERNS = {"ja": "M月d日", "en": "d MMM", "zh": "M月d日", "ko": "M월 d일"}
#: A month: calendar and diary-archive headings (``year_month``).
YEAR_MONTH_PATTERNS = {"ja": "y年M月", "en": "MMMM y", "zh": "y年M月", "ko": "y년 M월"}


def locale_code() -> str:
    """Return the current UI language code (``ja``, ``en``, ``zh``, ``ko``)."""
    return str(get_locale() or "ja").split("_")[0]


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get(locale_code(), patterns["ja"])


def when(value: datetime | None) -> str:
    """Format a stored (naive UTC) datetime in Asia/Tokyo, e.g. ``2008年5月1日(木) 21:05``."""
    if value is None:
        return ""
    return format_datetime(value, _pattern(DATETIME_PATTERNS))


def iso(value: datetime | None) -> str:
    """Format a stored (naive UTC) datetime for machines (``<time datetime>``), e.g.
    ``2008-05-01T12:05Z``."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%dT%H:%MZ")


def day(value: date | None) -> str:
    """Format a calendar date, e.g. ``1980年5月1日(木)``."""
    if value is None:
        return ""
    return format_date(value, _pattern(DATE_PATTERNS))


def month_day(value: date | None) -> str:
    """Format a day without its year (a birthday), e.g. ``5月1日`` / ``1 May``."""
    if value is None:
        return ""
    return format_date(value, _pattern(MONTH_DAY_PATTERNS))


def year_month(year: int, month: int) -> str:
    """Format a month, e.g. ``2008年5月`` / ``May 2008``."""
    return format_date(date(year, month, 1), _pattern(YEAR_MONTH_PATTERNS))


def number(value: int | float | None) -> str:
    """Format a number with the language's grouping (``12,345``)."""
    if value is None:
        return ""
    return format_number(value)

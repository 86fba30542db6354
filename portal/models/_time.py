"""Time helpers: the database stores naive UTC; display converts to Asia/Tokyo."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def tokyo_today() -> date:
    """Return today's date in Japan (ages and birthdays follow the Japanese calendar day)."""
    return datetime.now(TOKYO).date()


def from_tokyo(day: date, at: time = time(0, 0)) -> datetime:
    """Return the naive UTC datetime of a Japanese date and wall-clock time (forms' input)."""
    local = datetime.combine(day, at, tzinfo=TOKYO)
    return local.astimezone(UTC).replace(tzinfo=None)


def to_tokyo(value: datetime) -> datetime:
    """Return a stored naive UTC datetime as an aware datetime in Japan (for calendars)."""
    return value.replace(tzinfo=UTC).astimezone(TOKYO)

"""Time helpers: the database stores naive UTC; display converts to Asia/Tokyo."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime, the form every column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def tokyo_today() -> date:
    """Return today's date in Japan (ages and birthdays follow the Japanese calendar day)."""
    return datetime.now(TOKYO).date()

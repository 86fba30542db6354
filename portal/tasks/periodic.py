"""The schedule that replaces cron (times in UTC; Japan is UTC+9): feeds hourly, purges and
birthday notices daily. Each task is idempotent, so a retry or a second consumer is harmless."""

from __future__ import annotations

from huey import crontab

from ..extensions import db
from ..models._time import utcnow
from ..services import birthdays, blog_import
from .queue import app_periodic


@app_periodic(crontab(minute="7"))
def import_feeds() -> str:
    """Import new entries of members' blog feeds (each feed commits on its own)."""
    return str(blog_import.import_all())


@app_periodic(crontab(minute="20", hour="18"))  # 03:20 in Japan
def purge_sessions() -> int:
    """Delete expired sessions."""
    from ..session_store import SqlSessionStore

    return SqlSessionStore().purge_expired(utcnow())


@app_periodic(crontab(minute="40", hour="18"))  # 03:40 in Japan
def purge_messages() -> int:
    """Delete messages that lay in a trash longer than the owner's plan keeps them."""
    from ..services.messages import purge_trash

    purged = purge_trash(utcnow())
    db.session.commit()
    return purged


@app_periodic(crontab(minute="0", hour="0"))  # 09:00 in Japan
def birthday_notices() -> int:
    """Mail friends of members whose birthday is a week away."""
    return birthdays.send_notices()

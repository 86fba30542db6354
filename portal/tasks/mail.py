"""Sending the mail outbox (``portal.services.notifications``)."""

from __future__ import annotations

from huey import crontab

from ..services import notifications
from .queue import app_periodic, app_task, on_startup

#: Tries after the first, and the first wait (doubled each time: 1, 2, 4, 8, 16 minutes).
RETRIES, RETRY_DELAY, BACKOFF = 5, 60, 2


@app_task(retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=BACKOFF, context=True)
def deliver_mail(outbox_id: int, task=None) -> bool:
    """Send one outbox row; a failure is retried with backoff, the last one logged."""
    return notifications.deliver(outbox_id, last_try=task is None or task.retries == 0)


@app_periodic(crontab(minute="*/5"))
def requeue_stalled_mail() -> int:
    """Hand over mail that waited through a queue outage or lost its consumer."""
    return notifications.requeue_stalled()


@on_startup
def requeue_on_startup() -> None:
    """A consumer that starts picks up what a stopped one left (claims prevent doubles)."""
    notifications.requeue_stalled()

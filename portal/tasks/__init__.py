"""Background work on a huey task queue: notification mail, feed import, purges, birthday
notices. ``flask queue consume`` runs the consumer (workers and the periodic schedule that
replaces cron); ``make run`` starts one beside waitress.

* :mod:`.queue`: the huey instance, its storage from ``QUEUE_URL`` (SQLite under ``instance/``
  by default, Redis for several machines, ``memory://`` to run tasks at once in tests), and
  :func:`~.queue.app_task`, which runs a task in an app context.
* :mod:`.mail`: delivering the outbox, with retries and backoff.
* :mod:`.readings`: backfilling the readings of texts saved before they existed.
* :mod:`.periodic`: the schedule (feeds hourly; purges and birthday notices daily).
"""

from . import mail, periodic, readings  # noqa: F401 (registers the tasks)
from .queue import huey, init_app

__all__ = ["huey", "init_app"]

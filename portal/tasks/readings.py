"""Backfilling readings: texts saved before readings existed get them in the background.

Saving a text writes its readings at once (:mod:`portal.services.readings`); this task fills
in the rest, a batch at a time, re-queuing itself while there is more to do.
"""

from __future__ import annotations

from ..extensions import db
from ..services import readings
from .queue import app_task

BATCH = 200


@app_task(retries=2, retry_delay=60)
def backfill_readings() -> int:
    """Write up to ``BATCH`` texts' missing or stale readings; queue the next batch if full."""
    done = readings.backfill(limit=BATCH)
    db.session.commit()
    if done >= BATCH:
        backfill_readings()
    return done

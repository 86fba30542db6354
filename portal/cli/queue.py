"""``flask queue``: the task queue's consumer and what waits in it."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from ..services import notifications


@click.group("queue")
def queue() -> None:
    """The task queue (huey): mail, feed import, purges, birthday notices."""


@queue.command("consume")
@click.option("--workers", type=int, default=None, help="Worker threads (QUEUE_WORKERS).")
@with_appcontext
def consume(workers: int | None) -> None:
    """Run the consumer: queued tasks and the periodic schedule (replaces cron)."""
    huey = current_app.extensions["huey"]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    workers = workers or int(current_app.config["QUEUE_WORKERS"])
    huey.create_consumer(workers=workers, worker_type="thread", check_worker_health=True).run()


@queue.command("status")
@with_appcontext
def status() -> None:
    """Print how many tasks wait in the queue and how many mails in the outbox."""
    huey = current_app.extensions["huey"]
    click.echo(f"tasks waiting: {huey.pending_count()}, scheduled: {huey.scheduled_count()}")
    click.echo(f"mails waiting in the outbox: {len(notifications.pending_ids())}")

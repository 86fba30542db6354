"""``flask`` commands: thin wrappers around importable functions."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .. import demo
from ..demo import bulk as demo_bulk
from ..extensions import db
from ..i18n import catalogues
from ..keitai import gateways, range_file
from ..models._time import utcnow
from ..services import blog_import
from .mail_post import mail_post
from .queue import queue
from .serve import serve


@click.command("seed-demo")
@click.option("--users", type=int, default=None, help="Build a large world of this many members.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has members.")
@click.option("--seed", type=int, default=2008, show_default=True, help="Random seed.")
@with_appcontext
def seed_demo(users: int | None, if_empty: bool, seed: int) -> None:
    """Create the demo world (fixed accounts taro, hanako, jiro, admin; password keitai-demo)."""
    if if_empty and demo.has_members():
        click.echo("The database already has members; nothing seeded.")
        return
    with click.progressbar(length=demo.planned_size(users), label="Seeding") as bar:
        summary = demo.seed(users=users, seed=seed, progress=bar.update)
    db.session.commit()
    if users is not None:
        demo_bulk.analyze()  # freshly loaded tables have no statistics: plans would be poor
    click.echo(summary)


@click.command("purge-sessions")
@with_appcontext
def purge_sessions() -> None:
    """Delete expired sessions (safe for cron)."""
    from ..session_store import SqlSessionStore

    click.echo(f"{SqlSessionStore().purge_expired(utcnow())} expired sessions deleted.")


@click.command("import-feeds")
@with_appcontext
def import_feeds() -> None:
    """Import new entries of members' blog feeds as diaries (safe for cron: idempotent).

    Each feed is committed on its own; failures are listed and recorded on the feed, and the
    command still exits 0.
    """
    with click.progressbar(length=blog_import.feed_count(), label="Importing feeds") as bar:
        summary = blog_import.import_all(progress=bar.update)
    for member_id, url, error in summary.failures:
        click.echo(f"member {member_id}: {url}: {error}", err=True)
    click.echo(summary)


@click.command("purge-messages")
@with_appcontext
def purge_messages() -> None:
    """Delete messages that lay in a trash longer than the owner's plan keeps them (safe for
    cron)."""
    from ..services.messages import purge_trash

    purged = purge_trash(utcnow())
    db.session.commit()
    click.echo(f"{purged} messages deleted from the trash.")


@click.group("readings")
def readings_group() -> None:
    """Readings of member text (furigana, glosses) and romaji nicknames."""


@readings_group.command("backfill")
@click.option("--queue", "queued", is_flag=True, help="Leave the work to the queue consumer.")
@with_appcontext
def readings_backfill(queued: bool) -> None:
    """Write the readings missing or stale for saved texts (safe to repeat)."""
    from ..services import readings
    from ..tasks.readings import backfill_readings

    if queued:
        backfill_readings()
        click.echo("Queued.")
        return
    done = readings.backfill()
    db.session.commit()
    click.echo(f"{done} texts and nicknames given readings.")


@click.group("translate")
def translate() -> None:
    """Translation catalogues: extract, update, compile, check."""


@translate.command("extract")
def translate_extract() -> None:
    """Extract messages into translations/messages.pot."""
    catalogues.extract()


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge into the ja and en catalogues (en is filled from the source)."""
    catalogues.extract()
    catalogues.update()


@translate.command("compile")
def translate_compile() -> None:
    """Compile the .po catalogues into .mo files."""
    catalogues.compile_catalogues()


@translate.command("check")
def translate_check() -> None:
    """Fail on a stale .pot, or an untranslated or fuzzy entry in any UI language."""
    problems = catalogues.check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Catalogues are complete and current.")


@click.group("carrier-ranges")
def carrier_ranges() -> None:
    """Carrier gateway IP ranges (easy login trusts subscriber IDs only from these)."""


@carrier_ranges.command("update")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def carrier_ranges_update(source: str) -> None:
    """Build the ranges from SOURCE (the shared JSON format) into the instance folder."""
    document = range_file.build(source)
    dest = Path(current_app.instance_path) / gateways.INSTANCE_FILE
    click.echo(range_file.write(document, dest))
    gateways.use_file(dest)


@carrier_ranges.command("show")
@with_appcontext
def carrier_ranges_show() -> None:
    """Print the range file in use and its networks per carrier."""
    click.echo(f"file: {gateways.data_path()}")
    for carrier, networks in gateways.carrier_networks().items():
        click.echo(f"{carrier}: {len(networks)} networks")


def register(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    for command in (seed_demo, purge_sessions, import_feeds, translate, carrier_ranges):
        app.cli.add_command(command)
    app.cli.add_command(purge_messages)
    app.cli.add_command(mail_post)
    app.cli.add_command(serve)
    app.cli.add_command(queue)
    app.cli.add_command(readings_group)

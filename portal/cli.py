"""``flask`` commands: thin wrappers around importable functions."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from . import demo, translations
from .extensions import db
from .models._time import utcnow


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
    click.echo(summary)


@click.command("purge-sessions")
@with_appcontext
def purge_sessions() -> None:
    """Delete expired sessions (safe for cron)."""
    from .session_store import SqlSessionStore

    click.echo(f"{SqlSessionStore().purge_expired(utcnow())} expired sessions deleted.")


@click.group("translate")
def translate() -> None:
    """Translation catalogues: extract, update, compile, check."""


@translate.command("extract")
def translate_extract() -> None:
    """Extract messages into translations/messages.pot."""
    translations.extract()


@translate.command("update")
def translate_update() -> None:
    """Extract, then merge into the ja and en catalogues (en is filled from the source)."""
    translations.extract()
    translations.update()


@translate.command("compile")
def translate_compile() -> None:
    """Compile the .po catalogues into .mo files."""
    translations.compile_catalogues()


@translate.command("check")
def translate_check() -> None:
    """Fail on a stale .pot, or an untranslated or fuzzy ja/en entry."""
    problems = translations.check()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Catalogues are complete and current.")


def register(app: Flask) -> None:
    """Register the commands on ``app.cli``."""
    for command in (seed_demo, purge_sessions, translate):
        app.cli.add_command(command)

"""keitai-portal: a Mixi-style social network for Japanese feature phones and PC browsers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import StrictUndefined
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from . import (
    avatars,
    filters,
    headers,
    hooks,
    hosts,
    i18n,
    navigation,
    qr_codes,
    request_log,
    visitor_cache,
)
from .config import DefaultConfig
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from .keitai import Keitai, gateways
from .keitai.ext import device_of
from .keitai.session import PortalSessionInterface
from .keitai.session_stores import RedisSessionStore, SessionStore
from .models._ids import ROW_ID_MAX
from .rendering import template_loader

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Create the application.

    :param config: settings applied last, over the defaults, the instance file and ``PORTAL_*``
        environment variables (tests use this).
    :param instance_path: the instance folder (default: ``PORTAL_INSTANCE_PATH`` or
        ``instance/`` beside the package).
    """
    app = hooks.PortalFlask(
        __name__,
        instance_relative_config=True,
        instance_path=instance_path or os.environ.get("PORTAL_INSTANCE_PATH") or None,
    )
    configure(app, config)
    register_extensions(app)
    register_proxies(app)
    register_gateway_ranges(app)
    register_sessions(app)
    register_blueprints(app)
    register_cli(app)
    hooks.fold(app)  # last: every extension and blueprint has registered its hooks
    return app


def configure(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Layer the configuration: defaults, instance file, environment, then ``overrides``."""
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("portal.cfg", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if overrides:
        app.config.update(overrides)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        path = Path(app.instance_path) / "portal.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    app.jinja_options = {
        **app.jinja_options,
        "loader": template_loader(),
        "trim_blocks": True,
        "lstrip_blocks": True,
        "extensions": ["jinja2.ext.i18n"],
    }
    if app.config["STRICT_TEMPLATES"]:
        app.jinja_options["undefined"] = StrictUndefined


def _instance_secret(app: Flask) -> str:
    """Return the secret key kept in the instance folder, creating it on first run."""
    os.makedirs(app.instance_path, exist_ok=True)
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    """Bind the extensions; the keitai layer first, so every later hook knows the device (the
    host check goes before even that: a foreign Host gets nothing but a 400 page). Visitors'
    shared pages are answered in front of Flask, inside the keitai layer's middleware."""
    visitor_cache.init_app(app)
    Keitai(app, base_url=hosts.base_url)
    hosts.init_app(app)
    request_log.init_app(app)
    headers.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    filters.init_app(app)
    avatars.init_app(app)
    qr_codes.init_app(app)
    navigation.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_member)
    from .views.auth import login_first

    login_manager.unauthorized_handler(login_first)

    from . import page_cache, tasks, transactions
    from .services import readings

    page_cache.init_app(app)
    tasks.init_app(app)
    transactions.init_app(app)
    readings.init_app(app)


def _load_member(member_id: str):
    """Return the session's member; one whose login an operator stopped is logged out."""
    from .models import Member

    try:
        member = db.session.get(Member, int(member_id))
    except ValueError:
        return None
    return None if member is None or member.login_stopped else member


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, and use WAL so sessions write while pages read.

    ``synchronous=NORMAL`` is the setting SQLite recommends with WAL: a commit no longer waits
    for the disk to flush the log (the flush comes at checkpoints), so a write holds the one
    writer's lock for less time. The database stays consistent after any crash; a power
    failure may lose the last moments' commits, which a crash of the app alone cannot."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def register_gateway_ranges(app: Flask) -> None:
    """Use the operator's newer carrier ranges when ``flask carrier-ranges update`` wrote some."""
    path = Path(app.instance_path) / gateways.INSTANCE_FILE
    if path.exists():
        gateways.use_file(path)


def register_proxies(app: Flask) -> None:
    """Trust ``X-Forwarded-*`` only from the configured number of proxies (outermost layer)."""
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented place for WSGI middleware.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def register_sessions(app: Flask) -> None:
    """Use server-side sessions (SQL by default, Redis when configured)."""
    if app.config["SESSION_STORE"] == "redis":
        import redis

        store: SessionStore = RedisSessionStore(
            redis.Redis.from_url(app.config["SESSION_REDIS_URL"])
        )
    else:
        from . import page_cache
        from .session_store import CachedSessionStore, SqlSessionStore

        store = SqlSessionStore()
        seconds = int(app.config["SESSION_CACHE_SECONDS"] or 0)
        kind = app.config.get("CACHE_TYPE") or "SimpleCache"
        if seconds > 0 and kind not in ("NullCache", "null"):
            # Read through the cache: a page-cache hit runs no SQL. In the process, copies get
            # a SimpleCache of their own, so they never crowd pages out of the page cache's
            # (CACHE_THRESHOLD entries); any other cache is the page cache's, shared.
            cache: Any = page_cache.cache
            if kind in ("SimpleCache", "simple"):
                from cachelib import SimpleCache

                cache = SimpleCache(threshold=int(app.config["SESSION_CACHE_THRESHOLD"]))
            store = CachedSessionStore(store, cache, seconds)
    # A visitor's form token is derived from their anonymous id: no session row until one is
    # needed (a login, a flash message, a language choice).
    csrf_key = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    app.session_interface = PortalSessionInterface(store, device_of, derived_keys=(csrf_key,))


class _RowIdConverter(IntegerConverter):
    """``<int:id>`` within the 32-bit range of the id columns: a larger number is a 404, not a
    database error (PostgreSQL refuses integers that do not fit)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ROW_ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    """Register the views and error pages."""
    app.url_map.converters["int"] = _RowIdConverter
    from . import views

    views.register(app)


def register_cli(app: Flask) -> None:
    """Add the ``flask`` commands (seed-demo, translate, ...)."""
    from . import cli

    cli.register(app)

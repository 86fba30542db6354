"""Blueprints, one per area. Views parse the request, call a service and ``render``."""

from flask import Flask

from . import auth, errors, footprints, home, invites, links, members, settings


def register(app: Flask) -> None:
    """Register every blueprint and the error pages."""
    for module in (auth, home, invites, links, members, footprints, settings):
        app.register_blueprint(module.bp)
    errors.register(app)

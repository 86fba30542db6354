"""Blueprints, one per area. Views parse the request, call a service and ``render``."""

from flask import Flask

from . import (
    admin,
    albums,
    auth,
    blog,
    calendar,
    communities,
    community_admin,
    diaries,
    errors,
    event_comments,
    events,
    favorites,
    feeds,
    footprints,
    health,
    home,
    invites,
    learner,
    leaving,
    links,
    members,
    messages,
    music,
    passwords,
    photos,
    profile_photos,
    reports,
    reviews,
    search,
    settings,
    topics,
)


def register(app: Flask) -> None:
    """Register every blueprint and the error pages."""
    for module in (auth, passwords, home, invites, links, members, footprints, settings):
        app.register_blueprint(module.bp)
    app.register_blueprint(favorites.bp)
    app.register_blueprint(leaving.bp)
    app.register_blueprint(diaries.bp)
    app.register_blueprint(photos.bp)
    app.register_blueprint(albums.bp)
    app.register_blueprint(profile_photos.bp)
    for module in (feeds, blog, search):
        app.register_blueprint(module.bp)
    for module in (messages, reviews, music):
        app.register_blueprint(module.bp)
    app.register_blueprint(music.api)
    for module in (communities, community_admin, topics, events, event_comments, calendar):
        app.register_blueprint(module.bp)
    for module in (reports, admin, health, learner):
        app.register_blueprint(module.bp)
    # Browsers ask for /favicon.ico whatever the page says: the same file as the static one.
    app.add_url_rule(
        "/favicon.ico",
        endpoint="static",
        view_func=app.view_functions["static"],
        defaults={"filename": "favicon.ico"},
    )
    errors.register(app)

"""イベントのコメント: a community event's numbered comments, a page at a time with the form,
posting and deleting them (the routes topics have, :func:`._comments.comment_routes`); and
the latest ones the event's page shows.

An event the viewer may not read answers the same 404 as one that does not exist; members of
the community comment. Page sizes are the topic comments' (:class:`portal.rendering.Sizes`):
the pages are built alike.
"""

from __future__ import annotations

from flask import Blueprint

from ..services import event_comments
from ._comments import comment_routes

bp = Blueprint("event_comments", __name__)

#: The comment part of an event's page (the latest comments with the last part of its body).
recent = comment_routes(
    bp,
    event_comments.THREAD,
    path="/events/<int:id>",
    show_endpoint="events.show",
)

"""One log line per request, as JSON on the ``portal.requests`` logger: the request id, method,
path (never the query string: it may carry a session id), status, carrier, milliseconds and
database queries.

The request id comes from the proxy (``X-Request-Id``, set by nginx) when it is well formed,
else it is made here; it is sent back in the response's ``X-Request-Id``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

logger = logging.getLogger("portal.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _start() -> None:
    g.request_started = time.perf_counter()
    g.query_count = 0
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    # Only the request's own app context has a count (a task run at once has its own ``g``).
    if has_request_context() and "query_count" in g:
        g.query_count += 1


def line(response: Response) -> dict:
    """Return the log record of the current request."""
    device = g.get("device") or request.environ.get("keitai.device")
    started = g.get("request_started")
    return {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "carrier": device.carrier if device else None,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "queries": g.get("query_count", 0),
    }


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-Id"] = request_id
    if logger.isEnabledFor(logging.INFO):  # the line is made only when someone reads it
        logger.info(json.dumps(line(response), ensure_ascii=False))
    return response


def init_app(app: Flask) -> None:
    """Time and log every request (first hook in, last hook out)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    if app.config["REQUEST_LOG"] and not app.testing and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # one line, whatever the root logger does

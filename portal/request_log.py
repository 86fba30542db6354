"""One log line per request, as JSON on the ``portal.requests`` logger: the request id, method,
path (never the query string: it may carry a session id), status, carrier, milliseconds and
database queries.

The request id comes from the proxy (``X-Request-Id``, set by nginx) when it is well formed,
else it is made here (16 random bytes in hex, as nginx's ``$request_id``); it is sent back in
the response's ``X-Request-Id``.

The line is cheap, since every request pays for it: its JSON is written field by field (the
same text ``json.dumps`` of the record gives, without building a dict), and when the line goes
to the handler this module installed (stderr, nothing else listening) it is written straight
to the file descriptor in one ``write``, with no log record, formatter or handler lock (a line
is far shorter than ``PIPE_BUF``, so lines from several threads never mix). Anything else
(another handler, a filter, a test's ``caplog``) gets it through the logger as usual.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from json.encoder import encode_basestring

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

logger = logging.getLogger("portal.requests")
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _StderrLines(logging.StreamHandler):
    """The handler installed on ``portal.requests``: stderr, one message per line. It also
    writes a request's line by itself (:meth:`write_line`) when it is the logger's only way
    out."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(message)s"))
        try:
            self.fd: int | None = sys.stderr.fileno()
        except (AttributeError, OSError, ValueError):  # a stream without a descriptor
            self.fd = None

    def write_line(self, text: str) -> bool:
        """Write ``text`` and a newline in one system call; return ``False`` (nothing written)
        when this handler cannot (no descriptor, or the message would be filtered)."""
        if self.fd is None or self.filters or self.level > logging.INFO:
            return False
        os.write(self.fd, (text + "\n").encode("utf-8", "backslashreplace"))
        return True


#: The handler :func:`init_app` installed, when it did.
_handler: _StderrLines | None = None


def request_id(incoming: str) -> str:
    """Return the id of a request whose ``X-Request-Id`` header is ``incoming``: the proxy's
    when well formed, else a new one."""
    return incoming if REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()


def _start() -> None:
    g.request_started = time.perf_counter()
    g.query_count = 0
    g.request_id = request_id(request.environ.get("HTTP_X_REQUEST_ID", ""))


@event.listens_for(Engine, "before_cursor_execute")
def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    # Only the request's own app context has a count (a task run at once has its own ``g``).
    if has_request_context() and "query_count" in g:
        g.query_count += 1


def _json(value: object) -> str:
    """``value`` (text, a number, ``None``) as ``json.dumps(..., ensure_ascii=False)`` writes it."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def line(response: Response) -> str:
    """Return the log line of the current request: the JSON of its record, keys in order
    (``request_id``, ``method``, ``path``, ``status``, ``carrier``, ``ms``, ``queries``)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    context = g._get_current_object()
    device = getattr(context, "device", None) or req.environ.get("keitai.device")
    started = getattr(context, "request_started", None)
    ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    return record(
        getattr(context, "request_id", None),
        req.method,
        req.path,
        response.status_code,
        device.carrier if device else None,
        ms,
        getattr(context, "query_count", 0),
    )


def record(
    request_id: str | None,
    method: str,
    path: str,
    status: int,
    carrier: str | None,
    ms: float | None,
    queries: int,
) -> str:
    """Return a request's log line from its values (:func:`line` reads them from the request;
    ``portal.visitor_cache`` knows them without Flask)."""
    return (
        f'{{"request_id": {_json(request_id)}, '
        f'"method": {_json(method)}, "path": {_json(path)}, '
        f'"status": {status}, '
        f'"carrier": {_json(carrier)}, '
        f'"ms": {_json(ms)}, "queries": {_json(queries)}}}'
    )


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-Id"] = request_id
    if logger.isEnabledFor(logging.INFO):  # the line is made only when someone reads it
        write(line(response))
    return response


def write(text: str) -> None:
    """Log one request's line (call it only when the logger is enabled for INFO)."""
    if not (_alone() and _handler is not None and _handler.write_line(text)):
        logger.info(text)


def _alone() -> bool:
    """Whether the handler of :func:`init_app` is the only one the line would reach."""
    return (
        _handler is not None
        and logger.handlers == [_handler]
        and not logger.filters
        and not logger.propagate
        and not logger.disabled
    )


def init_app(app: Flask) -> None:
    """Time and log every request (first hook in, last hook out)."""
    global _handler
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    if app.config["REQUEST_LOG"] and not app.testing and not logger.handlers:
        _handler = _StderrLines()
        logger.addHandler(_handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # one line, whatever the root logger does

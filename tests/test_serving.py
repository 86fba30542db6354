"""The real server (waitress with portal.serving's settings) keeps serving visitors while many
connections sit silent (issue 12.1: 101 idle sockets locked every visitor out for a minute)."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading

from portal import serving

IDLE_CONNECTIONS = 150
#: The visitor's client gives up after this many seconds: the page must come before.
VISITOR_TIMEOUT = 2.0


@contextlib.contextmanager
def running(app, **overrides):
    """Serve ``app`` on a free loopback port in a thread; yield the port; stop it after."""
    server = serving.create_server(app, "127.0.0.1", 0, **overrides)
    port = server.effective_port
    app.config["SERVER_HOSTS"] = (f"127.0.0.1:{port}",)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        # Close every connection from inside the server's own loop, which then ends.
        server.trigger.pull_trigger(lambda: [c.close() for c in list(server._map.values())])
        thread.join(10)
        server.task_dispatcher.shutdown()


def visit(port: int) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=VISITOR_TIMEOUT)
    conn.request("GET", "/", headers={"User-Agent": "Mozilla/5.0"})
    response = conn.getresponse()
    response.body = response.read()
    conn.close()
    return response


def test_a_visitor_gets_the_top_page_while_150_connections_sit_silent(make_app):
    app = make_app()
    with running(app) as port, contextlib.ExitStack() as idle:
        for _ in range(IDLE_CONNECTIONS):
            idle.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
        response = visit(port)  # raises TimeoutError when the server does not answer in time
        assert response.status == 200
        assert "けいたいポータル" in response.body.decode("utf-8")


def test_the_settings_reach_waitress(make_app):
    app = make_app(WAITRESS_THREADS=3, WAITRESS_CONNECTION_LIMIT=500)
    server = serving.create_server(app, "127.0.0.1", 0)
    try:
        assert server.adj.threads == 3
        assert server.adj.connection_limit == 500
        assert server.adj.channel_timeout == app.config["WAITRESS_CHANNEL_TIMEOUT"]
    finally:
        server.close()
        server.task_dispatcher.shutdown()

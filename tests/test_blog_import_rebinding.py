"""Blog import connects to the address it checked (issue 12, item 14).

A feed host whose DNS answers a public address when checked and loopback when connected (DNS
rebinding) must never reach this machine: the import resolves once per connection, checks that
answer and connects to it, with the host's name in the Host header (and for HTTPS in SNI and the
certificate check).
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.extensions import db
from portal.models import Member
from portal.services import blog_import, feed_fetch

PUBLIC = "93.184.216.34"


class _Recorder(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).hosts.append(self.headers["Host"])
        body = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>'
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server():
    _Recorder.hosts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.hosts
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def rebinding_dns(monkeypatch):
    """``blog.example`` resolves to a public address the first time, to loopback after."""
    real = socket.getaddrinfo
    calls: list[str] = []

    def resolve(host, port, *args, **kwargs):
        if host != "blog.example":
            return real(host, port, *args, **kwargs)
        calls.append(host)
        address = PUBLIC if len(calls) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 80))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return calls


@pytest.fixture
def connections(monkeypatch):
    """Record the addresses connected to; the public one refuses (no network in tests)."""
    real_connect = socket.socket.connect
    seen: list[str] = []

    def connect(sock, address):
        seen.append(address[0])
        if address[0] == PUBLIC:
            raise ConnectionRefusedError("refused in tests")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


def test_a_rebinding_host_never_reaches_loopback(
    ctx, make_member, local_server, rebinding_dns, connections
):
    port, hosts = local_server
    member = db.session.get(Member, make_member("blogger"))
    feed = blog_import.set_feed(member, f"http://blog.example:{port}/feed", "public")
    result = blog_import.import_feed(feed)
    assert result.error
    assert "network error" in result.error
    assert hosts == [], "the local server was reached"
    assert connections == [PUBLIC], "connected to the checked address only"


def test_a_host_resolving_to_loopback_is_refused(ctx, make_member, local_server, monkeypatch):
    port, hosts = local_server

    def resolve(host, port_, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    member = db.session.get(Member, make_member("blogger"))
    feed = blog_import.set_feed(member, f"http://blog.example:{port}/feed", "public")
    result = blog_import.import_feed(feed)
    assert result.error == "address not allowed: blog.example"
    assert hosts == []


def test_the_connection_carries_the_hosts_name(app, ctx, local_server, monkeypatch):
    """Allowed to reach loopback (as a test may), the request names the host, not the address."""
    port, hosts = local_server
    monkeypatch.setitem(app.config, "BLOG_IMPORT_ALLOW_PRIVATE", True)
    real = socket.getaddrinfo

    def resolve(host, port_, *args, **kwargs):
        if host == "blog.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]
        return real(host, port_, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    body, _headers = feed_fetch.fetch_url(f"http://blog.example:{port}/feed")
    assert b"<feed" in body
    assert hosts == [f"blog.example:{port}"]


def test_https_uses_the_hosts_name_for_sni_and_the_certificate(monkeypatch):
    """The TLS layer gets the host's name, while the socket goes to the checked address."""
    wrapped: list[str] = []

    class Context(ssl.SSLContext):
        def wrap_socket(self, sock, server_hostname=None, **kwargs):
            wrapped.append(server_hostname)
            return sock

    monkeypatch.setattr(feed_fetch, "checked_address", lambda host, port: "127.0.0.1")
    opened: list[tuple] = []
    monkeypatch.setattr(
        socket, "create_connection", lambda address, *a, **k: opened.append(address) or object()
    )
    connection = feed_fetch._PinnedHTTPSConnection(
        "blog.example", 443, context=Context(ssl.PROTOCOL_TLS_CLIENT)
    )
    connection.connect()
    assert opened == [("127.0.0.1", 443)]
    assert wrapped == ["blog.example"]

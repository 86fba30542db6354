"""Fetching a blog's feed safely: bounded (timeout, size cap), http/https only, and only to
public addresses (unless ``BLOG_IMPORT_ALLOW_PRIVATE``), each connection pinned to the address
that was checked (no DNS rebinding). Used by :mod:`.blog_import`.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from flask import current_app

#: Seconds to wait for the blog's server.
TIMEOUT = 15
#: The largest feed document read, in bytes.
MAX_BYTES = 2 * 1024 * 1024
USER_AGENT = "keitai-portal/0.1 (blog import; RSS/Atom)"


class FetchError(Exception):
    """The feed could not be fetched; the message goes into ``BlogFeed.last_error``."""


def _allow_private() -> bool:
    return bool(current_app.config.get("BLOG_IMPORT_ALLOW_PRIVATE", False))


def _check_scheme(url: str) -> None:
    """Refuse URLs that are not http(s) or name no host."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) address: {url[:100]}")


class _RefusedAddressError(OSError):
    """The host resolves to an address the import may not reach (raised inside ``connect``)."""


def checked_address(host: str, port: int) -> str:
    """Resolve ``host`` once and return the address to connect to.

    Every address it resolves to must be public (unless ``BLOG_IMPORT_ALLOW_PRIVATE``): the
    connection then goes to the address checked here, never to a second answer of the DNS
    (rebinding, issue 12 item 14).

    :raise OSError: if it does not resolve, or to an address not allowed.
    """
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OSError(f"host not found: {host}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise OSError(f"host not found: {host}")
    if not _allow_private():
        for address in addresses:
            if not ipaddress.ip_address(address.split("%")[0]).is_global:
                raise _RefusedAddressError(f"address not allowed: {host}")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address :func:`checked_address` checked; the request's Host
    header still names the host (``http.client`` writes it from ``self.host``)."""

    def connect(self) -> None:
        address = checked_address(self.host, self.port)
        self.sock = socket.create_connection((address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS: TLS with the host's name for SNI and the certificate check."""

    def connect(self) -> None:
        address = checked_address(self.host, self.port)
        sock = socket.create_connection((address, self.port), self.timeout)
        context: ssl.SSLContext = self._context  # type: ignore[attr-defined]
        self.sock = context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PinnedHTTPConnection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self) -> None:
        super().__init__(context=ssl.create_default_context())

    def https_open(self, req):
        return self.do_open(_PinnedHTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) addresses (each connection checks its own address)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_scheme(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    """An opener without proxies whose connections go to checked addresses only."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(),
        _PinnedHTTPSHandler(),
        _CheckedRedirects(),
    )


def fetch_url(url: str) -> tuple[bytes, dict[str, str]]:
    """Fetch a feed document (at most :data:`MAX_BYTES`, within :data:`TIMEOUT` seconds).

    :return: the body and the response headers (feedparser reads the charset from them).
    :raise FetchError: for a refused address, an HTTP error status, a network failure or an
        oversized document.
    """
    _check_scheme(url)
    opener = _opener()
    request = urllib.request.Request(  # noqa: S310 (scheme checked: http/https only)
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.1",
        },
    )
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
            headers = {key.lower(): value for key, value in response.headers.items()}
    except urllib.error.HTTPError as exc:
        raise FetchError(f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, _RefusedAddressError):
            raise FetchError(str(exc.reason)) from exc
        raise FetchError(f"network error: {exc.reason}") from exc
    except (OSError, ValueError) as exc:  # timeouts, resets, malformed responses
        raise FetchError(f"network error: {exc}") from exc
    if len(body) > MAX_BYTES:
        raise FetchError(f"feed larger than {MAX_BYTES} bytes")
    return body, headers

"""The site's own addresses: which Host headers are served, and the URL that links to the site
from outside (notification mails, Atom feeds, invitation and share links).

Nothing external is built from the request's Host header (a forged one would put
``http://evil.example/`` into another member's mail). Settings:

* ``PUBLIC_URL``: the site's address as members reach it (``https://sns.example.jp``), scheme and
  host only. When unset it comes from ``SERVER_NAME`` (with ``PREFERRED_URL_SCHEME``), else the
  first of ``SERVER_HOSTS``, else ``http://localhost``.
* ``SERVER_HOSTS``: further ``host[:port]`` values that are ours (other names of the site).

A request for any other host gets a 400 page (in the visitor's language and device format). With
none of the three set the site serves only ``localhost`` and ``127.0.0.1`` (development).
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, url_for
from werkzeug.exceptions import BadRequest

#: Served when nothing is configured: a development machine.
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "localhost:5000", "127.0.0.1:5000")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class UnknownHost(BadRequest):
    """The request named a host that is not one of the site's."""


def _normalise(host: str, scheme: str = "http") -> str:
    """``Example.JP:443`` over https -> ``example.jp``: lower case, the scheme's port dropped."""
    host = host.strip().lower()
    name, sep, port = host.rpartition(":")
    if sep and port == _DEFAULT_PORTS.get(scheme):
        return name
    return host


def public_url() -> str:
    """Return the site's external address, ``scheme://host[:port]`` without a trailing slash."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    scheme = config.get("PREFERRED_URL_SCHEME") or "http"
    if config.get("SERVER_NAME"):
        return f"{scheme}://{config['SERVER_NAME']}"
    hosts = config.get("SERVER_HOSTS") or ()
    if hosts:
        return f"{scheme}://{hosts[0]}"
    return "http://localhost"


def configured_hosts() -> frozenset[str]:
    """Return the hosts the operator declared: ``PUBLIC_URL``'s, ``SERVER_NAME``, ``SERVER_HOSTS``.

    Easy login works only on these (a DNS-rebinding attack arrives with a foreign Host header).
    """
    config = current_app.config
    return _declared_hosts(
        config.get("PUBLIC_URL") or "",
        config.get("SERVER_NAME") or "",
        config.get("PREFERRED_URL_SCHEME") or "http",
        tuple(config.get("SERVER_HOSTS") or ()),
    )


@functools.lru_cache(maxsize=16)
def _declared_hosts(
    public: str, server_name: str, scheme: str, others: tuple[str, ...]
) -> frozenset[str]:
    """The hosts of these settings (worked out once per configuration, not per request)."""
    hosts = set()
    if public:
        parts = urlsplit(public)
        hosts.add(_normalise(parts.netloc, parts.scheme))
    if server_name:
        hosts.add(_normalise(server_name, scheme))
    for host in others:
        hosts.add(_normalise(host))
    return frozenset(hosts)


def served_hosts() -> frozenset[str]:
    """Return the hosts requests may name: the configured ones, or the development ones."""
    return configured_hosts() or frozenset(DEVELOPMENT_HOSTS)


def request_host_is_ours() -> bool:
    """Return whether the request's Host header names one of the served hosts."""
    return _normalise(request.host, request.scheme) in served_hosts()


def request_host_is_configured() -> bool:
    """Return whether the request's Host header names one of the :func:`configured_hosts`."""
    return _normalise(request.host, request.scheme) in configured_hosts()


def base_url() -> str:
    """Return the scheme and host that absolute ``Location`` headers start with: the request's
    own when it is one of ours (a member on ``localhost`` stays there, with their cookie),
    ``PUBLIC_URL`` otherwise. The public URL's scheme wins for its host (behind a TLS proxy)."""
    public = public_url()
    if has_request_context() and request_host_is_ours():
        host = _normalise(request.host, request.scheme)
        if host == _normalise(urlsplit(public).netloc, urlsplit(public).scheme):
            return public
        return f"{request.scheme}://{request.host}"
    return public


def external_url(endpoint: str, **values) -> str:
    """Return an absolute URL on ``PUBLIC_URL`` for ``endpoint`` (never the Host header)."""
    if has_request_context():
        return public_url() + url_for(endpoint, **values)
    parts = urlsplit(public_url())
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def _check_host() -> None:
    if not request_host_is_ours():
        raise UnknownHost()


def init_app(app: Flask) -> None:
    """Refuse requests for hosts that are not ours (before any other request hook)."""
    public = app.config.get("PUBLIC_URL")
    if public:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise ValueError(f"PUBLIC_URL must be http(s)://host[:port], not {public!r}")
    app.before_request_funcs.setdefault(None, []).insert(0, _check_host)

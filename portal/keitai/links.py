"""Links off the site: member content links through ``/jump`` so no session id leaks.

A cookie-less phone carries its session id in the URL of every page; a browser that follows a
direct link off such a page may tell the other site that URL in its ``Referer``. So URLs in
member content become links to the jump page, which is reached without the session id, shows
where the member is going, and links there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from markupsafe import Markup, escape

#: An http(s) URL in running text: ends before whitespace, quotes, angle brackets, and
#: full-width characters (Japanese text often runs straight on after a URL).
URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_TRAILING = ".,:;!?)'"


def is_external_url(url: str) -> bool:
    """Return whether ``url`` is an absolute http(s) URL we may send a member to."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 2048


def linkify(text: str, jump: Callable[[str], str]) -> Markup:
    """Escape ``text`` and turn its URLs into links through the jump page.

    :param text: member content (plain text).
    :param jump: returns the jump-page URL for a destination (without any session id).
    :return: safe HTML.
    """
    out: list[str] = []
    last = 0
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if not is_external_url(url):
            continue
        start, end = match.start(), match.start() + len(url)
        out.append(escape(text[last:start]))
        out.append(Markup('<a href="{}">{}</a>').format(jump(url), url))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


_HREF_RE = re.compile(r"""(?:href|action|src)\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)


def offsite_links(html: str, host: str) -> list[str]:
    """Return the absolute URLs in ``html`` (links, forms, images) that point to another host.

    Used to prove that a page carrying a session id in its URL links nowhere off the site.
    """
    found = []
    for url in _HREF_RE.findall(html):
        netloc = urlsplit(url).netloc
        if netloc.lower() != host.lower():
            found.append(url)
    return found

"""Crawl the site through its own GET links, a few pages of each kind.

Shared by the crawls that look at every kind of page: the language crawl, the validity check.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from portal import demo
from tests.pages import page_kind


def internal(href: str) -> bool:
    """Whether ``href`` is a page of this site worth following (not the switch, not log out)."""
    if not href.startswith("/") or href.startswith("//"):
        return False
    path = urlsplit(href).path
    return not (path.startswith("/lang/") or path == "/logout")


def crawl(
    client,
    start: Iterable[str],
    *,
    per_kind: int = 2,
    max_pages: int = 400,
    follow: Callable[[str], bool] = internal,
) -> Iterator:
    """Yield the pages reached from ``start`` by GET links, ``per_kind`` of each kind.

    :param client: a :class:`tests.browser.Browser`.
    :param follow: which hrefs of a page to queue.
    """
    counts: dict[tuple, int] = {}
    seen: set[str] = set()
    queue = deque(start)
    pages = 0
    while queue and pages < max_pages:
        url = queue.popleft()
        key = re.sub(r"[?&]sid=[^&]*", "", url)
        kind = page_kind(url)
        if key in seen or counts.get(kind, 0) >= per_kind:
            continue
        seen.add(key)
        counts[kind] = counts.get(kind, 0) + 1
        page = client.get(url)
        pages += 1
        yield page
        queue.extend(href for href, _ in page.links if follow(href))


def log_in(client, account: str):
    """Log in as a demo account through the login form; return the home page."""
    client.get("/login")
    return client.submit(
        "/login", {"email": f"{account}@{demo.DEMO_DOMAIN}", "password": demo.DEMO_PASSWORD}
    )

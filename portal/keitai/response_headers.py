"""Reading and adding response headers without Werkzeug's costlier paths.

Every response passes the header hooks, so they avoid what costs there: ``name in headers``,
``headers.get`` and ``setdefault`` raise and catch a ``KeyError`` (an HTTP exception object)
for every header that is missing, the common case; ``response.vary`` parses the header into a
``HeaderSet`` and writes it back. These helpers give the same headers, in the same order, by
scanning the few there are.
"""

from __future__ import annotations

import re

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

#: A ``Vary`` value as Werkzeug writes one: tokens joined by ``", "``.
_TOKENS = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:, [!#$%&'*+.^_`|~0-9A-Za-z-]+)*")


def names(headers: Headers) -> set[str]:
    """Return the lower-cased names of ``headers``."""
    return {name.lower() for name, _ in headers}


def first(headers: Headers, name: str) -> str | None:
    """Return the first value of ``name`` (as ``headers.get(name)``), or ``None``."""
    wanted = name.lower()
    for key, value in headers:
        if key.lower() == wanted:
            return value
    return None


def vary_value(headers: Headers, *tokens: str) -> str | None:
    """Return the ``Vary`` value that ``response.vary.update(tokens)`` would write, or ``None``
    when it would leave the header as it is. Only for the common cases (no ``Vary`` yet, or
    one of plain tokens); :func:`add_vary` falls back to Werkzeug for the others.

    :raise ValueError: for a ``Vary`` header this does not read.
    """
    values = [value for key, value in headers if key.lower() == "vary"]
    if not values:
        current: list[str] = []
    elif len(values) == 1 and _TOKENS.fullmatch(values[0]):
        current = values[0].split(", ")
    else:
        raise ValueError("a Vary header left to Werkzeug")
    seen = {token.lower() for token in current}
    added = []
    for token in tokens:
        if token.lower() not in seen:
            seen.add(token.lower())
            added.append(token)
    return ", ".join(current + added) if added else None


def add_vary(response: Response, *tokens: str) -> None:
    """Add ``tokens`` to the response's ``Vary`` header, as ``response.vary.update`` does."""
    try:
        value = vary_value(response.headers, *tokens)
    except ValueError:
        response.vary.update(tokens)
        return
    if value is not None:
        response.headers.set("Vary", value)

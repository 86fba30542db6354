"""The header helpers give what Werkzeug's own calls give, header for header, in order."""

from __future__ import annotations

import pytest
from werkzeug.wrappers import Response

from portal.keitai.response_headers import add_vary, first, names

EXISTING = [
    [],
    [("Vary", "Cookie")],
    [("Vary", "Accept-Language, Cookie")],
    [("Vary", "accept-language,cookie")],
    [("Vary", "User-Agent")],
    [("Vary", "*")],
    [("Vary", "")],
    [("Vary", "Cookie"), ("X-Other", "1"), ("vary", "Accept")],
    [("Vary", '"quoted", Cookie')],
]


def _response(existing: list[tuple[str, str]]) -> Response:
    response = Response("page", content_type="text/html; charset=UTF-8")
    for name, value in existing:
        response.headers.add(name, value)
    return response


@pytest.mark.parametrize("existing", EXISTING)
@pytest.mark.parametrize("tokens", [("User-Agent",), ("Accept-Language", "Cookie"), ("cookie",)])
def test_add_vary_writes_what_werkzeug_writes(existing, tokens):
    ours, theirs = _response(existing), _response(existing)
    add_vary(ours, *tokens)
    theirs.vary.update(tokens)
    assert list(ours.headers) == list(theirs.headers)


def test_first_and_names_read_headers_as_get_does():
    response = _response([("Location", "/a"), ("location", "/b")])
    assert first(response.headers, "LOCATION") == response.headers.get("Location") == "/a"
    assert first(response.headers, "Referrer-Policy") is None
    assert names(response.headers) == {"content-type", "content-length", "location"}

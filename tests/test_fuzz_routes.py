"""A fuzz suite over every route (issue 12, item 15), with Hypothesis.

Every rule of ``app.url_map`` is requested with odd ids, random and malformed query strings and,
for routes that take POST, form bodies: random fields in UTF-8 or Shift_JIS, invalid UTF-8, a
dangling Shift_JIS lead byte, NUL and other controls, a huge field, thousands of fields,
multipart bodies with a file. As a logged-in PC and as a logged-in cookie-less docomo (its
session id in the URL). The portal never answers 500, and nothing already saved changes (no
form carries a valid CSRF token, and GETs change nothing but footprints, cached photo copies,
readings and read marks): every table is compared but those. The example count is bounded
(``FUZZ_EXAMPLES``, 120 per device by default) so the suite runs in about a minute per
database in ``make test``.
"""

from __future__ import annotations

import hashlib
import os
import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.extensions import db
from portal.models import Member
from portal.services import communities, diaries, diary_comments, messages, topic_comments, topics
from tests.browser import DOCOMO_MOVA, PC, sid_of

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
BOUNDARY = "fuzzBoundary42"

#: Query and form names the views read, and some they do not.
NAMES = [
    "q", "page", "part", "next", "month", "week", "to", "reply", "id", "type", "view", "size",
    "category", "list", "folder", "lang", "url", "title", "body", "subject", "email",
    "password", "visibility", "csrf_token", "draft", "locale", "author", "guid", "x",
]  # fmt: skip

#: Odd values: ids beyond 32 and 64 bits, months that cannot be shown, CR/LF, controls, bytes.
ODD = [
    "0", "-1", "2147483647", "2147483648", "99999999999", "9" * 40, "1e9", "0x10", "",
    "9999-12", "0000-01", "2008-13", "/home\r\nX: y", "//evil.example", "\\\\evil", "\x00",
    "\x1b$Gj\x0f", "ﾎｱ", "東京☀", "<script>", "%", "../../etc/passwd", " " * 3, "\ufffe",
]  # fmt: skip

#: The odd values the deterministic sweep gives every name of every GET route.
SWEEP = [
    "", "-1", "2147483648", "9" * 40, "9999-12", "2008-13", "/home\r\nX: y", "//evil.example",
    "\x00", "<script>", "\ufffe",
]  # fmt: skip

#: Percent-encoded byte strings: invalid UTF-8, a dangling Shift_JIS lead byte, 0x80 and 0xFF.
RAW = [b"\xff\xfe", b"\x82", b"\x82\x22", b"\x80", b"\xe3\x81", b"\xf8\x9f", b"%zz", b"\xa0"]


def _value() -> st.SearchStrategy[bytes]:
    """One name or value, already percent-encoded (ASCII bytes) the way a client may send it."""
    return st.one_of(
        st.sampled_from(ODD).map(lambda text: quote(text, safe="").encode()),
        st.text(max_size=30).map(lambda text: quote(text, safe="").encode()),
        st.text(max_size=20).map(
            lambda text: quote(text.encode("cp932", "ignore"), safe="").encode()
        ),
        st.sampled_from(RAW).map(lambda raw: quote_from_bytes(raw, safe="%").encode()),
        st.binary(max_size=12).map(lambda raw: quote_from_bytes(raw, safe="").encode()),
        st.integers(min_value=-(2**70), max_value=2**70).map(lambda n: str(n).encode()),
    )


def _pairs(max_size: int) -> st.SearchStrategy[bytes]:
    pair = st.tuples(st.one_of(st.sampled_from(NAMES).map(str.encode), _value()), _value())
    return st.lists(pair, max_size=max_size).map(
        lambda pairs: b"&".join(name + b"=" + value for name, value in pairs)
    )


def _multipart() -> st.SearchStrategy[tuple[bytes, str]]:
    field = st.tuples(st.sampled_from(NAMES), st.binary(max_size=40))

    def build(fields: list[tuple[str, bytes]], photo: bytes) -> tuple[bytes, str]:
        parts = [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
            for name, value in fields
        ]
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; '
            f'filename="\x82.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode("latin-1")
            + photo
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        return body, f"multipart/form-data; boundary={BOUNDARY}"

    return st.builds(build, st.lists(field, max_size=6), st.binary(max_size=64)) | st.just(
        (b"--" + BOUNDARY.encode() + b"\r\nnot a part", f"multipart/form-data; boundary={BOUNDARY}")
    )


def _body() -> st.SearchStrategy[tuple[bytes, str]]:
    form = "application/x-www-form-urlencoded"
    return st.one_of(
        _pairs(8).map(lambda body: (body, form)),
        st.binary(max_size=64).map(lambda body: (body, form)),
        st.just((b"HUGE", form)),  # a 300 KB field (built in the test: a short repr)
        st.just((b"MANY", form)),  # 3000 fields
        _multipart(),
    )


#: Bodies too large to show in a falsifying example.
_LARGE = {
    b"HUGE": b"body=" + b"a" * 300_000,
    b"MANY": b"&".join(b"f%d=v" % n for n in range(3000)),
}


def _routes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every rule but static files: (rule, method, its converters in order)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        converters = tuple(type(c).__name__ for _, c in rule._converters.items())
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((rule.rule, method, converters))
    return sorted(found)


_PART = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _path(rule: str, ids: list[bytes]) -> str:
    values = iter(ids)
    return _PART.sub(lambda m: next(values).decode("ascii"), rule)


#: Columns a GET may set by design: reading a message marks it read (and takes it off the
#: reader's unread counter), seeing one's 足あと marks them seen (and restarts the new
#: footprints' counter, which a visit moves), reading a followed diary marks its comments seen.
_READ_MARKS = frozenset(
    {
        "read_at",
        "unread_messages",
        "footprints_seen_at",
        "new_footprints",
        "new_footprints_since",
        "seen_number",
    }
)

#: Tables a request may write by design without anything saved changing: sessions (the login),
#: 足あと (visits), phone copies of photos, readings computed for furigana.
_WRITTEN_BY_READING = frozenset({"sessions", "footprints", "photo_variants", "text_readings"})


def _snapshot(app) -> dict[str, str]:
    """A digest per table of every row members or operators saved, in every table but
    :data:`_WRITTEN_BY_READING` (a fuzzed request that adds, changes or deletes any is found,
    and the failure names the table)."""
    digests = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name in _WRITTEN_BY_READING:
                continue
            columns = [c for c in table.columns if c.key not in _READ_MARKS]
            order = list(table.primary_key.columns) or columns
            digest = hashlib.sha256()
            for row in db.session.execute(select(*columns).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
            digests[table.name] = digest.hexdigest()
        db.session.remove()
    return digests


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@pytest.fixture
def world(app, make_member):
    taro = make_member("taro", nickname="たろう")
    hanako = make_member("hanako", nickname="はなこ", friends=())
    with app.app_context():
        me, her = db.session.get(Member, taro), db.session.get(Member, hanako)
        diary = diaries.create(me, title="日記", body="本文", visibility="public")
        community = communities.create(me, name="部", description="説明", category="other")
        messages.send(her, to=str(taro), subject="件名", body="本文")
        diary_comments.THREAD.add(her, diary, "コメント")
        topic = topics.create(me, community, title="トピック", body="本文")
        topic_comments.THREAD.add(me, topic, "書き込み")
        db.session.commit()
        return [str(n) for n in (taro, hanako, diary.id, community.id)]


def _logged_in(browser, login, agent):
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    home = login(client, "taro")
    return client, sid_of(home.url)


def _fuzz(app, browser, login, world, agent):
    client, sid = _logged_in(browser, login, agent)
    routes = _routes(app)
    before = _snapshot(app)
    ids = st.one_of(
        st.sampled_from(world + ["0", "2147483648", "99999999999999999999"]),
        st.integers(min_value=0, max_value=2**80).map(str),
    ).map(str.encode)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        route=st.sampled_from(routes),
        ids=st.lists(ids, min_size=3, max_size=3),
        query=_pairs(6),
        body=_body(),
    )
    def check(route, ids, query, body):
        rule, method, _converters = route
        path = _path(rule, ids)
        if sid:
            query = (query + b"&" if query else b"") + b"sid=" + sid.encode()
        kwargs = {
            "headers": {"User-Agent": agent},
            "base_url": "http://localhost/",
            "query_string": query.decode("latin-1"),
        }
        if method == "POST":
            data, kwargs["content_type"] = body
            kwargs["data"] = _LARGE.get(data, data)
        response = client.client.open(path, method=method, **kwargs)
        assert response.status_code < 500, (method, path, query[:200], response.status_code)

    check()
    assert _changed(before, _snapshot(app)) == [], "a fuzzed request changed saved data"


def test_fuzz_every_route_as_a_pc(app, browser, login, world):
    _fuzz(app, browser, login, world, PC)


def test_fuzz_every_route_as_a_cookie_less_docomo(app, browser, login, world):
    _fuzz(app, browser, login, world, DOCOMO_MOVA)


def _sweep(app, browser, login, world, agent):
    """Every GET route with real ids (``1`` is each table's first row), each odd value given to
    every name at once: a deterministic pass, so a reverted check on a named parameter (a month
    that cannot be shown, an id beyond 32 bits) is found on every run, not by chance."""
    client, sid = _logged_in(browser, login, agent)
    before = _snapshot(app)
    failures = []
    for rule, method, _converters in _routes(app):
        if method != "GET":
            continue
        path = _path(rule, [b"1"] * 3)
        for value in SWEEP:
            encoded = quote(value, safe="")
            query = "&".join(f"{name}={encoded}" for name in NAMES if name != "csrf_token")
            if sid:
                query += f"&sid={sid}"
            response = client.client.get(
                path,
                query_string=query,
                headers={"User-Agent": agent},
                base_url="http://localhost/",
            )
            if response.status_code >= 500:
                failures.append((path, value, response.status_code))
    assert not failures, failures[:20]
    assert _changed(before, _snapshot(app)) == [], "a GET with odd values changed saved data"


def test_every_get_route_with_each_odd_value_as_a_pc(app, browser, login, world):
    _sweep(app, browser, login, world, PC)


def test_every_get_route_with_each_odd_value_as_a_cookie_less_docomo(app, browser, login, world):
    _sweep(app, browser, login, world, DOCOMO_MOVA)

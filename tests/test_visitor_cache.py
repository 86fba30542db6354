"""A visitor's top page answered in front of Flask (portal.visitor_cache) is exactly the full
app's response for that visitor: status, every header in order and the body, but for the
visitor's own id, form token and request id; requests that are not a new visitor's reach the
app (issue 11)."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import urlsplit

import pytest

from tests.browser import AU, DOCOMO_MOVA, PC, SOFTBANK, sid_of
from tests.fixtures.factories import PASSWORD
from tests.pages import ui_text

KAIOS = "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5 YouTube/1.0"
#: Addresses in docomo's and au's gateway ranges (portal/keitai/data/carrier_ip_ranges.json).
DOCOMO_GATEWAY = "210.153.84.1"
AU_GATEWAY = "27.80.181.241"

_COOKIE = re.compile(r"portal_session=([^;]+)")
_SID = re.compile(rb"sid=([A-Za-z0-9_-]{32})")
_TOKEN = re.compile(rb'name="csrf_token" value="([^"]+)"')


def _layer(app):
    return app.extensions["visitor_cache"]


def _send(app, path="/", *, agent=PC, method="GET", remote="127.0.0.1", host="localhost", **hd):
    headers = {"User-Agent": agent, **{k.replace("_", "-"): v for k, v in hd.items()}}
    client = app.test_client(use_cookies=False)
    response = client.open(
        path,
        method=method,
        headers=headers,
        environ_overrides={"REMOTE_ADDR": remote},
        base_url=f"http://{host}/",
    )
    answer = response.status, list(response.headers.items()), response.get_data()
    response.close()
    return answer


def _own_values(answer) -> tuple[str | None, str | None, str | None]:
    """The visitor's id, form token and request id in a response."""
    _, headers, body = answer
    sid = token = None
    for name, value in headers:
        if name == "Set-Cookie" and _COOKIE.search(value):
            sid = _COOKIE.search(value)[1]
    if sid is None and _SID.search(body):
        sid = _SID.search(body)[1].decode()
    if _TOKEN.search(body):
        token = _TOKEN.search(body)[1].decode()
    request_id = dict(headers).get("X-Request-Id")
    return sid, token, request_id


def _marked(answer):
    """The response with the visitor's own values replaced by names."""
    status, headers, body = answer
    sid, token, request_id = _own_values(answer)
    marks = [(v, n) for v, n in ((sid, "<sid>"), (token, "<token>")) if v]
    for value, name in marks:
        body = body.replace(value.encode(), name.encode())
    marked = []
    for key, value in headers:
        if key == "X-Request-Id" and value == request_id:
            value = "<request-id>"
        for own, name in marks:
            value = value.replace(own, name)
        marked.append((key, value))
    return status, marked, body


def _both(app, monkeypatch, *, taken: bool, prepare=lambda: {}, **request):
    """Return (layer's answer, full app's answer) for the same request; assert whether the
    layer answered it itself."""
    layer = _layer(app)
    for _attempt in range(2):  # a minute may turn between the request that keeps and the copy
        minute = int(time.time() // 60)
        _send(app, **request, **prepare())  # the content version, if none yet
        _send(app, **request, **prepare())  # kept
        hits = layer.hits
        fast = _send(app, **request, **prepare())
        if layer.hits > hits or not taken or minute == int(time.time() // 60):
            break
    assert (layer.hits > hits) == taken
    monkeypatch.setitem(app.config, "VISITOR_CACHE", False)
    hits = layer.hits
    full = _send(app, **request, **prepare())
    assert layer.hits == hits
    monkeypatch.setitem(app.config, "VISITOR_CACHE", True)
    assert _marked(fast) == _marked(full)
    return fast, full


CASES = {
    "pc": {"agent": PC},
    "pc-english": {"agent": PC, "Accept_Language": "en-US,en;q=0.8"},
    "pc-japanese": {"agent": PC, "Accept_Language": "ja,en;q=0.5"},
    "d501i": {"agent": DOCOMO_MOVA},
    "d501i-english": {"agent": DOCOMO_MOVA, "Accept_Language": "en"},
    "d501i-gateway": {"agent": DOCOMO_MOVA, "remote": DOCOMO_GATEWAY},
    "kaios": {"agent": KAIOS},
    "au": {"agent": AU},
    "softbank": {"agent": SOFTBANK},
    "proxy-request-id": {"agent": PC, "X_Request_Id": "from-nginx-42"},
    "query": {"agent": DOCOMO_MOVA, "path": "/?from=mail"},
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_new_visitor_gets_the_full_apps_page_from_the_layer(app, db, monkeypatch, case):
    fast, full = _both(app, monkeypatch, taken=True, **case)
    assert fast[0] == "200 OK"
    fast_sid, fast_token, fast_id = _own_values(fast)
    full_sid, full_token, full_id = _own_values(full)
    assert fast_sid
    assert fast_token
    assert fast_id
    assert (fast_sid, fast_token) != (full_sid, full_token)  # each visitor their own
    if "X_Request_Id" in case:
        assert fast_id == full_id == case["X_Request_Id"]
    else:
        assert fast_id != full_id


def test_the_gateway_range_counts_in_the_key(app, db, monkeypatch):
    from portal.keitai.gateways import carrier_for_ip

    assert carrier_for_ip(AU_GATEWAY) == "au"
    headers = {"X_UP_SUBNO": "07012345678_ab.ezweb.ne.jp"}
    inside, _ = _both(app, monkeypatch, taken=True, agent=AU, remote=AU_GATEWAY, **headers)
    outside, _ = _both(app, monkeypatch, taken=True, agent=AU, **headers)
    devices = {key[7] for key in _layer(app).entries if key[7].user_agent == AU}
    assert {device.gateway for device in devices} == {"au", None}


NOT_TAKEN = {
    "view-pc": {"agent": DOCOMO_MOVA, "path": "/?view=pc"},
    "view-mobile": {"agent": PC, "path": "/?view=mobile"},
    "language-switch": {"agent": PC, "path": "/?lang=en"},
    "unknown-host": {"agent": PC, "host": "evil.example"},
    "unknown-host-phone": {"agent": DOCOMO_MOVA, "host": "evil.example"},
    "head": {"agent": PC, "method": "HEAD"},
    "head-phone": {"agent": DOCOMO_MOVA, "method": "HEAD"},
    "foreign-sid": {"agent": DOCOMO_MOVA, "path": "/?sid=" + "A" * 32},
    "bad-encoding": {"agent": DOCOMO_MOVA, "path": "/?q=%82"},
}


@pytest.mark.parametrize("case", NOT_TAKEN.values(), ids=NOT_TAKEN.keys())
def test_other_requests_reach_the_app(app, db, monkeypatch, case):
    fast, full = _both(app, monkeypatch, taken=False, **case)
    if case.get("host"):
        assert fast[0] == "400 BAD REQUEST"
    if case.get("method") == "HEAD":
        assert fast[2] == b""


def test_a_visitor_with_an_anonymous_cookie_reaches_the_app(app, db, monkeypatch):
    first = _send(app, agent=PC)
    sid, _, _ = _own_values(first)
    fast, full = _both(app, monkeypatch, taken=False, agent=PC, Cookie=f"portal_session={sid}")
    assert "Set-Cookie" not in dict(fast[1])  # the same id goes on: no new cookie


def _member_cookie(app, browser, make_member) -> str:
    make_member("taro", nickname="たろう")
    pc = browser(PC)
    pc.get("/login")
    page = pc.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
    assert page.status == 200
    cookie = pc.client.get_cookie("portal_session")
    return f"portal_session={cookie.value}"


def test_a_member_never_takes_the_layer(app, db, monkeypatch, browser, make_member):
    cookie = _member_cookie(app, browser, make_member)
    fast, full = _both(app, monkeypatch, taken=False, agent=PC, Cookie=cookie)
    assert "たろう".encode() in fast[2]
    assert dict(fast[1])["Cache-Control"] == "private, no-store"


def test_a_page_with_a_flash_message_reaches_the_app(app, db, monkeypatch, browser, make_member):
    make_member("taro", nickname="たろう")

    def flashed() -> dict:
        pc = browser(PC)
        pc.get("/login")
        pc.submit("/login", {"email": "taro@example.jp", "password": PASSWORD})
        pc.get("/settings")
        gone = pc.submit("/logout/everywhere", follow=False)
        assert gone.status == 302
        return {"Cookie": f"portal_session={pc.client.get_cookie('portal_session').value}"}

    fast, full = _both(app, monkeypatch, taken=False, prepare=flashed, agent=PC)
    assert ui_text(app, PC, "You were logged out on every device.") in fast[2].decode()


def test_the_copys_token_logs_in(app, db, browser, make_member):
    make_member("taro", nickname="たろう")
    layer = _layer(app)
    _send(app, agent=PC), _send(app, agent=PC)
    hits = layer.hits
    page = _send(app, agent=PC)
    assert layer.hits == hits + 1
    sid, token, _ = _own_values(page)
    client = app.test_client(use_cookies=False)
    done = client.post(
        "/login",
        data={"email": "taro@example.jp", "password": PASSWORD, "csrf_token": token},
        headers={"User-Agent": PC, "Cookie": f"portal_session={sid}"},
    )
    assert done.status_code == 302, done.get_data().decode("cp932", "replace")


def test_the_phone_copys_id_and_token_log_in(app, db, browser, make_member):
    make_member("taro", nickname="たろう")
    layer = _layer(app)
    _send(app, agent=DOCOMO_MOVA), _send(app, agent=DOCOMO_MOVA)
    hits = layer.hits
    page = _send(app, agent=DOCOMO_MOVA)
    assert layer.hits == hits + 1
    sid, token, _ = _own_values(page)
    action = re.search(rb'action="(/login\?[^"]*)"', page[2])[1].decode("ascii")
    action = action.replace("&amp;", "&")
    assert sid_of(action) == sid
    parts = urlsplit(action)
    client = app.test_client(use_cookies=False)
    done = client.post(
        parts.path,
        query_string=parts.query,
        data={"email": "taro@example.jp", "password": PASSWORD, "csrf_token": token},
        headers={"User-Agent": DOCOMO_MOVA},
    )
    assert done.status_code == 302, done.get_data().decode("cp932", "replace")


def test_the_request_log_line_is_the_apps(app, db, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    _both(app, monkeypatch, taken=True, agent=DOCOMO_MOVA)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.requests"]
    fast, full = lines[-2], lines[-1]
    for line in (fast, full):
        line.pop("request_id"), line.pop("ms")
    assert (
        fast
        == full
        == {
            "method": "GET",
            "path": "/",
            "status": 200,
            "carrier": "docomo",
            "queries": 0,
        }
    )


def test_off_with_the_page_cache(make_app, db):
    other = make_app(PAGE_CACHE_SECONDS=0)
    for _ in range(3):
        assert _send(other, agent=PC)[0] == "200 OK"
    assert _layer(other).hits == 0
    assert not _layer(other).entries


def test_the_layers_token_is_flask_wtfs(app):
    from itsdangerous import URLSafeTimedSerializer

    from portal.visitor_cache import _Csrf

    csrf = _Csrf(app.secret_key)
    serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for _ in range(3):  # the same second
        ours, theirs = csrf.token("ab" * 20), serializer.dumps("ab" * 20)
        if ours == theirs:
            break
    assert ours == theirs


def test_an_entry_lives_page_cache_seconds_at_most(app, db, monkeypatch):
    from dataclasses import replace

    layer = _layer(app)
    monkeypatch.setattr(layer, "entries", {})
    _send(app, agent=PC), _send(app, agent=PC)
    (key,) = layer.entries
    assert layer.entries[key].until <= time.time() + app.config["PAGE_CACHE_SECONDS"]
    layer.entries[key] = replace(layer.entries[key], until=time.time() - 1)  # its time is up
    hits = layer.hits
    _send(app, agent=PC)
    assert layer.hits == hits  # made again
    _send(app, agent=PC)
    assert layer.hits == hits + 1


def test_entries_are_bounded(app, db, monkeypatch):
    from portal import visitor_cache

    layer = _layer(app)
    monkeypatch.setattr(layer, "entries", {})
    monkeypatch.setattr(visitor_cache, "MAX_ENTRIES", 2)
    _send(app, agent=PC)  # the content version, if none yet
    for language in ("ja", "en", "zh", "ko"):
        _send(app, agent=PC, Accept_Language=language)
        assert len(layer.entries) <= 2
    assert [key[8] for key in layer.entries][-1] == "ko"

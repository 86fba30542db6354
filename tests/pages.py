"""Page helpers shared by the page tests: find links and forms by path, carry the session id
of a cookie-less phone, play a forger, check the 5 KB budget of a DoCoMo D501i, and the
requests of the community search, the report queue and every admin action."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
from flask_babel import force_locale, get_translations

from portal.keitai.hankaku import to_hankaku
from tests.browser import DOCOMO_MOVA, PC, Browser, Form, sid_of
from tests.fixtures.factories import PASSWORD

D501I_BUDGET = 5120
#: Run a test on a PC browser and on a cookie-less DoCoMo D501i.
AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


def idle_hour_passes(app, monkeypatch) -> None:
    """Move the sessions' clock past the idle hour of URL-carried sessions (and a second): a
    phone's session loaded now has expired, whether its row is read or its cached copy."""
    from datetime import timedelta

    from portal.keitai import session as sessions

    later = sessions._utcnow() + app.config["SESSION_IDLE_KEITAI"] + timedelta(seconds=1)
    monkeypatch.setattr(sessions, "_utcnow", lambda: later)


def href(page, path: str, /, **query: str) -> str:
    """Return the first link on ``page`` to ``path`` (with these query values, if given)."""
    for url, _text in page.links:
        parts = urlsplit(url)
        args = parse_qs(parts.query)
        if parts.path == path and all(args.get(k) == [v] for k, v in query.items()):
            return url
    raise AssertionError(f"no link to {path} {query} on {page.url}: {page.links}")


def has_link(page, path: str) -> bool:
    return any(urlsplit(url).path == path for url, _text in page.links)


def has_form(page, path: str) -> bool:
    return any(urlsplit(form.action).path == path for form in page.forms)


def page_kind(url: str) -> tuple:
    """A kind of page: the path with ids folded, and the query's keys (short non-numeric values
    kept), without the session id."""
    parts = urlsplit(url)
    path = re.sub(r"/\d+", "/N", parts.path)
    query = tuple(
        sorted(
            (k, "N" if re.search(r"\d", v) or len(v) > 16 else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k != "sid"
        )
    )
    return path, query


def path_of(page) -> str:
    return urlsplit(page.url).path


def without(text: str, *paths: str) -> str:
    """The page's text with ``paths`` and its CSRF token values left out: two pages signed a
    moment apart may carry tokens of different seconds, and should still compare equal."""
    text = re.sub(r'(name="csrf_token" value=")[^"]*"', r'\1"', text)
    for path in paths:
        text = text.replace(path, "")
    return text


def client_for(browser, agent: str):
    return browser(agent, cookies=agent != DOCOMO_MOVA)


def go(client, path: str, *, follow: bool = True):
    """GET a path of the site, carrying the session id the way the last page's links do."""
    sid = sid_of(client.page.url) if client.page else None
    if sid:
        path += ("&" if "?" in path else "?") + f"sid={sid}"
    return client.get(path, follow=follow)


def current_sid(page) -> str | None:
    """The session id a cookie-less phone's page carries (in its URL, links or forms)."""
    for url in [page.url, *(href for href, _ in page.links), *(f.action for f in page.forms)]:
        if sid_of(url):
            return sid_of(url)
    return None


def logged_in(app, agent: str, name: str, password: str = PASSWORD) -> Browser:
    """A browser of ``agent`` (cookie-less on a DoCoMo mova) logged in through the form."""
    client = Browser(app, agent, cookies=agent != DOCOMO_MOVA)
    client.get("/login")
    home = client.submit("/login", {"email": f"{name}@example.jp", "password": password})
    assert home.status == 200, home.text
    return client


def forge(page, action: str) -> None:
    """Add a form posting to ``action`` with the page's valid CSRF token and session (a crafted
    request)."""
    token = next(f.fields["csrf_token"] for f in page.forms if "csrf_token" in f.fields)
    sid = sid_of(page.url)
    url = f"{action}?sid={sid}" if sid else action
    page.forms.insert(0, Form(url, "post", {"csrf_token": token}))


def assert_fits_d501i(page) -> None:
    assert page.status == 200, (page.url, page.status)
    assert page.headers["Content-Type"] == "text/html; charset=Shift_JIS"
    assert "main" not in page.tags, "a keitai gets the mobile tree"
    assert len(page.body) <= D501I_BUDGET, f"{page.url}: {len(page.body)} bytes"


def ui_text(app, agent: str, msgid: str | tuple[str, str], **values) -> str:
    """Return a UI string as a page shows it in Japanese (half-width kana on the D501i, in the
    UI text only, not in the values), whether or not the catalogue translates it yet.

    :param msgid: a message, or ``(singular, plural)`` with the count in ``values["num"]``.
    """
    with app.test_request_context(), force_locale("ja"):
        translations = get_translations()
        if isinstance(msgid, tuple):
            text = translations.ungettext(*msgid, values["num"])
        else:
            text = translations.ugettext(msgid)
    if agent == DOCOMO_MOVA:
        text = to_hankaku(text)
    return text % values if values else text


def search(client, **data: str):
    """Fill and send the community search (a GET form), as a browser does: the form's hidden
    fields and the typed values, encoded in the page's charset, replace the action's query."""
    form = client.page.form("/communities")
    assert form.method == "get"
    codec = {"shift_jis": "cp932"}.get(client.page.charset.lower(), client.page.charset)
    query = urlencode({**form.fields, **data}, encoding=codec)
    return client.get(urlsplit(form.action).path + "?" + query)


def search_page(client, query: str):
    """The site search's results for ``query`` (encoded in the page's charset)."""
    return go(client, "/search?" + urlencode({"q": query}, encoding=client.page.charset))


# -- reports and admin actions -----------------------------------------------------------------

HIDDEN_NOTICE = "Hidden by the operators: only its author and the operators see it."


def report_links(page) -> list[dict]:
    """The queries of the report links on ``page``."""
    return [parse_qs(urlsplit(u).query) for u, _ in page.links if urlsplit(u).path == "/report"]


def decide(browser, login, report_id: int, action: str, agent: str = PC):
    """An operator (``admin``) opens the report in the queue and presses hide, restore or
    close."""
    operator = client_for(browser, agent)
    login(operator, "admin")
    queue = go(
        operator, "/admin/reports" if action != "restore" else "/admin/reports?status=closed"
    )
    page = operator.get(href(queue, f"/admin/reports/{report_id}"))
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    page = operator.submit(f"/admin/reports/{report_id}/{action}")
    assert page.status == 200, page.text[:300]
    return page


ADMIN_ROLES = ("operator", "member", "premium", "visitor")
#: Every admin action (:func:`admin_actions`); dismiss before hide: hiding closes the report.
ADMIN_ACTIONS = (
    "stop_login",
    "resume_login",
    "grant_premium",
    "revoke_premium",
    "dismiss",
    "hide",
    "restore",
    "new_notice",
    "edit_notice",
    "delete_notice",
    "settings",
)


def admin_actions(s):
    """Every admin action on the ``admin_site`` world ``s``: name: (path, form data, check of
    the allowed change on a ``tests.fixtures.factories.snapshot``)."""
    return {
        "stop_login": (
            f"/admin/members/{s['target']}/stop",
            {},
            lambda a: (s["target"], True, False) in a["members"],
        ),
        "resume_login": (
            f"/admin/members/{s['stopped']}/resume",
            {},
            lambda a: (s["stopped"], False, False) in a["members"],
        ),
        "grant_premium": (
            f"/admin/members/{s['target']}/premium",
            {},
            lambda a: (s["target"], False, True) in a["members"],
        ),
        "revoke_premium": (
            f"/admin/members/{s['premium']}/premium/revoke",
            {},
            lambda a: (s["premium"], False, False) in a["members"],
        ),
        "hide": (
            f"/admin/reports/{s['report']}/hide",
            {},
            lambda a: a["diaries"] == [(s["diary"], True)],
        ),
        "restore": (
            f"/admin/reports/{s['review_report']}/restore",
            {},
            lambda a: a["reviews"] == [(s["review"], False)],
        ),
        "dismiss": (
            f"/admin/reports/{s['report']}/dismiss",
            {},
            lambda a: (s["report"], "closed") in a["reports"],
        ),
        "new_notice": (
            "/admin/notices/new",
            {"title": "新しいお知らせ", "body": "本文です", "starts_on": "", "ends_on": ""},
            lambda a: len(a["notices"]) == 2,
        ),
        "edit_notice": (
            f"/admin/notices/{s['notice']}/edit",
            {"title": "書き換え", "body": "新しい本文", "starts_on": "", "ends_on": ""},
            lambda a: a["notices"] == [(s["notice"], "書き換え", "新しい本文")],
        ),
        "delete_notice": (
            f"/admin/notices/{s['notice']}/delete",
            {},
            lambda a: a["notices"] == [],
        ),
        "settings": (
            "/admin/settings",
            {"signup_policy": "open", "invitations_per_member": "3"},
            lambda a: a["settings"] == [("INVITATIONS_PER_MEMBER", "3"), ("SIGNUP_POLICY", "open")],
        ),
    }


def as_role(browser, login, role: str, agent: str):
    """A browser logged in as ``role`` (or a visitor), on a page with a CSRF token."""
    client = client_for(browser, agent)
    if role == "visitor":
        client.get("/login")
        return client
    login(client, role)
    go(client, "/settings")
    return client


def forge_post(client, path: str, data: dict):
    """Post ``data`` to ``path`` from a crafted form on the client's page."""
    forge(client.page, path)
    client.page.forms[0].fields.update(data)
    return client.submit(path)

"""The measured scenarios, logging in the demo member, and the check made before the load."""

from __future__ import annotations

import json
import re
from html import unescape
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from portal.keitai.device import detect
from portal.keitai.hankaku import to_hankaku

from .load import Response, Scenario, fetch
from .serve import QUERIES_PATH

PC_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
#: A cookie-less i-mode phone: Shift_JIS pages, the session in a ``sid`` URL parameter.
DOCOMO_AGENT = "DoCoMo/1.0/D501i"
#: The seeded demo member (``flask seed-demo``), whose password is public.
EMAIL = "taro@example.jp"
PASSWORD = "keitai-demo"  # noqa: S105
NICKNAME = "たろう"
#: The site name, on every Japanese page.
SITE = "けいたいポータル"
COOKIE_NAME = "portal_session"
#: Seconds the check before the load waits for a page.
CHECK_TIMEOUT = 120.0

_FORM = re.compile(r'<form method="post" action="(/login(?:\?[^"]*)?)"')
_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


class LoginError(RuntimeError):
    """Logging the demo member in did not go as the portal promises."""


#: What the search scenario looks for (a word in the demo and the large worlds' diaries).
SEARCH_WORD = "カフェ"


def targets(database_url: str) -> dict[str, str]:
    """Return the measured member pages' paths in the world at ``database_url``: hanako's
    profile, her newest public diary, taro's first community and its newest topic."""
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.models import CommunityMember, Diary, Member, Topic

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        ids = dict(db.session.execute(select(Member.email, Member.id)).all())
        taro, hanako = ids[EMAIL], ids["hanako@example.jp"]
        diary = db.session.scalar(
            select(Diary.id)
            .where(Diary.author_id == hanako, Diary.visibility == "public", ~Diary.hidden)
            .order_by(Diary.created_at.desc())
        )
        community = db.session.scalar(
            select(CommunityMember.community_id)
            .where(CommunityMember.member_id == taro)
            .order_by(CommunityMember.community_id)
        )
        topic = db.session.scalar(
            select(Topic.id)
            .where(Topic.community_id == community, ~Topic.hidden)
            .order_by(Topic.last_activity_at.desc())
        )
        db.engine.dispose()
    return {
        "profile": f"/users/{hanako}",
        "diary": f"/diaries/{diary}",
        "community": f"/communities/{community}",
        "topic": f"/topics/{topic}",
    }


def build(hello_port: int, portal_port: int, paths: dict[str, str]) -> list[Scenario]:
    """Log taro in twice (PC and docomo) and return the scenarios; the bare app comes first.

    :param paths: from :func:`targets`.
    """
    pc = {"User-Agent": PC_AGENT}
    docomo = {"User-Agent": DOCOMO_AGENT}
    pc_member = {**pc, "Cookie": login_pc(portal_port)}
    sid = login_docomo(portal_port)
    member_pages = [
        ("/home", "/home", NICKNAME),
        ("/users/<id>", paths["profile"], "はなこ"),
        ("/diaries/<id>", paths["diary"], ""),
        ("/communities/<id>", paths["community"], ""),
        ("/topics/<id>", paths["topic"], ""),
        ("/messages", "/messages", ""),
        ("/search", None, ""),
    ]
    scenarios = [
        Scenario("bare flask /", hello_port, "/", pc, expect="hello"),
        Scenario("pc visitor /", portal_port, "/", pc, expect=SITE),
        # Shift_JIS phones get UI katakana half-width (portal.keitai.hankaku).
        Scenario(
            "docomo visitor /", portal_port, "/", docomo, keitai=True, expect=to_hankaku(SITE)
        ),
    ]
    for label, path, expect in member_pages:
        # A docomo phone sends its query in Shift_JIS; a PC in UTF-8.
        pc_path = path or f"/search?{urlencode({'q': SEARCH_WORD})}"
        docomo_path = path or f"/search?{urlencode({'q': SEARCH_WORD}, encoding='cp932')}"
        separator = "&" if "?" in docomo_path else "?"
        scenarios += [
            Scenario(f"pc member {label}", portal_port, pc_path, pc_member, expect=expect),
            Scenario(
                f"docomo member {label}",
                portal_port,
                f"{docomo_path}{separator}{urlencode({'sid': sid})}",
                docomo,
                keitai=True,
                expect=expect,
            ),
        ]
    return scenarios


def login_pc(port: int) -> str:
    """Log taro in as a PC browser; return the ``Cookie`` header that carries the session."""
    headers = {"User-Agent": PC_AGENT}
    page = fetch(port, "/login", headers, timeout=CHECK_TIMEOUT)
    headers["Cookie"] = _session_cookie(page) or ""
    done = _submit_login(port, page, headers)
    cookie = _session_cookie(done) or headers["Cookie"]
    if done.status != 302 or urlsplit(done.headers.get("Location", "")).path != "/home":
        raise LoginError(f"PC login answered {done.status} {done.headers.get('Location')}")
    if not cookie:
        raise LoginError(f"PC login set no {COOKIE_NAME} cookie")
    return cookie


def login_docomo(port: int) -> str:
    """Log taro in as a cookie-less docomo phone; return the session id from the redirect."""
    headers = {"User-Agent": DOCOMO_AGENT}
    done = _submit_login(port, fetch(port, "/login", headers, timeout=CHECK_TIMEOUT), headers)
    location = urlsplit(done.headers.get("Location", ""))
    sid = parse_qs(location.query).get("sid", [""])[0]
    if done.status != 302 or location.path != "/home" or not sid:
        raise LoginError(f"docomo login answered {done.status} {done.headers.get('Location')}")
    if done.headers.get_all("Set-Cookie"):
        raise LoginError("docomo login set a cookie on a cookie-less phone")
    return sid


def _submit_login(port: int, page: Response, headers: dict[str, str]) -> Response:
    """Post taro's email and password through the login form of ``page``."""
    text = page.body.decode("latin-1")  # the action and token are ASCII in any charset
    action, token = _FORM.search(text), _TOKEN.search(text)
    if page.status != 200 or not action or not token:
        raise LoginError(f"GET /login answered {page.status} without the login form")
    form = urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token[1]})
    headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    return fetch(
        port, unescape(action[1]), headers, method="POST", body=form, timeout=CHECK_TIMEOUT
    )


def _session_cookie(response: Response) -> str | None:
    """Return ``portal_session=...`` from the response's ``Set-Cookie`` headers, if any."""
    for header in response.headers.get_all("Set-Cookie") or ():
        morsel = SimpleCookie(header).get(COOKIE_NAME)
        if morsel is not None:
            return f"{COOKIE_NAME}={morsel.value}"
    return None


def check(scenario: Scenario) -> dict[str, Any]:
    """Request the scenario's page once and check it, before the load.

    Every page must be 200 and contain :attr:`Scenario.expect`; a keitai page must also be
    labelled ``Shift_JIS``, decode as cp932 and fit the phone's byte budget.

    :return: ``content_type``, ``body_bytes``, ``queries`` (the SQL statements it ran),
        ``cp932_ok`` and ``budget_bytes`` (keitai pages only) and ``problems`` (a list of
        messages, empty when all is well).
    """
    # A first request may be slow (cold caches on a large world): it is checked, not timed.
    page = fetch(scenario.port, scenario.path, scenario.headers, timeout=CHECK_TIMEOUT)
    counted = fetch(scenario.port, QUERIES_PATH)  # the SQL statements of that request
    content_type = page.headers.get("Content-Type", "")
    facts: dict[str, Any] = {
        "content_type": content_type,
        "body_bytes": len(page.body),
        "queries": json.loads(counted.body)["queries"],
    }
    problems = []
    if page.status != 200:
        problems.append(f"answered {page.status}, not 200")
    encoding = page.headers.get_content_charset() or "utf-8"
    if scenario.keitai:
        encoding = "cp932"
        budget = detect({"HTTP_USER_AGENT": scenario.headers["User-Agent"]}).max_page_bytes
        facts["budget_bytes"] = budget
        if "charset=shift_jis" not in content_type.lower().replace(" ", ""):
            problems.append(f"Content-Type is {content_type!r}, not Shift_JIS")
        if budget is not None and len(page.body) > budget:
            problems.append(f"{len(page.body)} bytes, over the {budget}-byte budget")
    try:
        text, decoded = page.body.decode(encoding), True
    except (UnicodeDecodeError, LookupError) as e:
        text, decoded = "", False
        problems.append(f"does not decode as {encoding}: {e}")
    if scenario.keitai:
        facts["cp932_ok"] = decoded
    if scenario.expect not in text:
        problems.append(f"does not contain {scenario.expect!r}")
    facts["problems"] = problems
    return facts

"""Every community page fits a 5 KB DoCoMo D501i with the longest content the forms accept.

The world is filled to the limits: names, titles and nicknames that grow most when escaped
(``&`` -> ``&amp;``), full pages of comments, members, requests, events and calendar items.
The test app raises on a page over budget; each page is fetched as the admin, a member and a
non-member, and every link found on the way is followed.
"""

from __future__ import annotations

from collections import deque
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    CommunityMember,
    Event,
    EventComment,
    EventParticipant,
    JoinRequest,
    Member,
    ScheduleEntry,
    TopicComment,
)
from portal.models._time import from_tokyo, tokyo_today, utcnow
from portal.services import calendar, communities, event_comments, events, topics
from portal.services.events import BODY_PHONE_BYTES as EVENT_PHONE_BYTES
from portal.services.topic_comments import LIMITS
from tests.browser import DOCOMO_MOVA, Browser, sid_of

BUDGET = 5120
#: The longest nickname the profile form accepts, made of characters that grow when escaped.
NICK = "&<" * 10

#: How long a topic or event comment may be as shown on a phone.
COMMENT_PHONE_BYTES = LIMITS.phone_bytes


def _longest(limit_bytes: int, chars: int) -> str:
    """A text that takes (about) ``limit_bytes`` as shown on a phone, within ``chars``."""
    text = "&" * min(chars, limit_bytes // 5)
    return text + "あ" * min(chars - len(text), (limit_bytes - 5 * len(text)) // 2)


@pytest.fixture
def full_world(app, make_member):
    admin = make_member("admin_b", nickname=NICK)
    member = make_member("member_b", nickname=NICK)
    outsider = make_member("outsider_b", nickname=NICK)
    others = [make_member(f"m{n}", nickname=NICK) for n in range(40)]
    requesters = [make_member(f"r{n}", nickname=NICK) for n in range(4)]
    with app.app_context():
        me = db.session.get(Member, admin)
        name = _longest(120, communities.NAME_MAX)
        body = "長い説明です。" * 280  # the longest description, in parts
        community = communities.create(me, name=name, description=body[:2000], category="food")
        community.join_policy = "approval"
        for n, other in enumerate([member, *others]):
            role = "subadmin" if n % 7 == 3 else "member"
            db.session.add(CommunityMember(community_id=community.id, member_id=other, role=role))
        community.member_count = 42
        for requester in [outsider, *requesters]:
            db.session.add(
                JoinRequest(community_id=community.id, member_id=requester, message="あ" * 200)
            )
        title = _longest(150, topics.TITLE_MAX)
        topic = [
            topics.create(me, community, title=title, body="本文。" * 3000) for _ in range(12)
        ][-1]
        comment_body = "あ" * (COMMENT_PHONE_BYTES // 2)
        for n in range(5):
            db.session.add(
                TopicComment(topic_id=topic.id, author_id=admin, number=n + 1, body=comment_body)
            )
        topic.comment_count = topic.last_comment_number = 5
        start = datetime.combine(tokyo_today() + timedelta(days=2), datetime.min.time())
        for n in range(12):
            event = Event(
                community_id=community.id,
                author_id=admin,
                title=title,
                body="あ" * (EVENT_PHONE_BYTES // 2),
                starts_at=start + timedelta(hours=n),
                place=_longest(150, events.PLACE_MAX),
                deadline=tokyo_today() + timedelta(days=1),
                capacity=9999,
                joined=len(others),
            )
            db.session.add(event)
            db.session.flush()
        for other in [admin, member, *others]:
            db.session.add(EventParticipant(event_id=event.id, member_id=other))
        for n in range(15):
            db.session.add(
                ScheduleEntry(
                    member_id=admin,
                    title=_longest(150, calendar.TITLE_MAX),
                    starts_at=utcnow() + timedelta(hours=n),
                    has_time=True,
                )
            )
        db.session.commit()
        ids = {"community": community.id, "topic": topic.id, "event": event.id}
    return ids


def _crawl(app, name, start_paths, limit=150):
    phone = Browser(app, DOCOMO_MOVA, cookies=False)
    phone.get("/login")
    home = phone.submit("/login", {"email": f"{name}@example.jp", "password": "correct horse 8"})
    assert home.status == 200
    sid = sid_of(home.url)
    queue = deque(f"{p}{'&' if '?' in p else '?'}sid={sid}" for p in start_paths)
    seen, pages = set(), []
    while queue and len(pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        key = (parts.path, "&".join(q for q in parts.query.split("&") if not q.startswith("sid=")))
        if key in seen or parts.path in ("/logout",) or parts.path.startswith("/lang/"):
            continue
        seen.add(key)
        page = phone.get(url)
        pages.append(page)
        for href, _text in page.links:
            if href.startswith("/") and not href.startswith("//"):
                queue.append(href)
    return pages


@pytest.mark.parametrize("account", ["admin_b", "member_b", "outsider_b"])
def test_every_community_page_fits_5kb_with_the_longest_content(app, full_world, account):
    c, t, e = full_world["community"], full_world["topic"], full_world["event"]
    starts = [
        f"/communities/{c}",
        f"/communities/{c}/members",
        f"/communities/{c}/requests",
        f"/communities/{c}/topics",
        f"/communities/{c}/events",
        f"/topics/{t}",
        f"/topics/{t}?part=99",
        f"/topics/{t}/comments",
        f"/topics/{t}/edit",
        f"/events/{e}",
        f"/events/{e}/edit",
        f"/events/{e}/participants",
        "/calendar",
        "/calendar/new",
        "/communities",
        "/communities/new",
        f"/communities/{c}/edit",
        f"/communities/{c}/settings",
        f"/communities/{c}/topics/new",
        f"/communities/{c}/events/new",
    ]
    pages = _crawl(app, account, starts)
    assert len(pages) > 20
    for page in pages:
        assert page.status in (200, 403, 404), (page.url, page.status)
        assert len(page.body) <= BUDGET, (page.url, len(page.body))


@pytest.mark.parametrize("account", ["admin_b", "member_b", "outsider_b"])
def test_an_event_with_the_longest_comments_fits_5kb(app, full_world, account):
    """Full pages of the longest comments on the longest event, by the longest nicknames, with
    every link a comment can carry (delete, report) and the hidden mark: the admin is an
    operator here, so hidden comments show to them too."""
    e = full_world["event"]
    with app.app_context():
        ids = dict(db.session.execute(select(Member.email, Member.id)).all())
        admin, member = ids["admin_b@example.jp"], ids["member_b@example.jp"]
        db.session.get(Member, admin).is_operator = True
        body = _longest(COMMENT_PHONE_BYTES, event_comments.COMMENT_MAX)
        authors = [member, ids["m0@example.jp"], admin]
        for n in range(7):
            db.session.add(
                EventComment(
                    event_id=e,
                    author_id=authors[n % 3],
                    number=n + 1,
                    body=body,
                    hidden=n % 2 == 0,
                )
            )
        event = db.session.get(Event, e)
        event.last_comment_number, event.comment_count = 7, 3
        db.session.commit()
    starts = [
        f"/events/{e}",
        f"/events/{e}?part=99",
        f"/events/{e}/comments",
        f"/events/{e}/comments?page=2",
        f"/events/{e}/comments?page=99",
        f"/events/{e}/comments/2/delete",
        f"/events/{e}/comments/3/delete",
    ]
    pages = _crawl(app, account, starts, limit=60)
    comment_pages = [p for p in pages if urlsplit(p.url).path == f"/events/{e}/comments"]
    assert comment_pages
    assert all(p.status == 200 for p in comment_pages)
    for page in pages:
        assert page.status in (200, 403, 404), (page.url, page.status)
        assert len(page.body) <= BUDGET, (page.url, len(page.body))


def test_date_helpers_round_trip(app):
    assert from_tokyo(date(2008, 6, 1)) == datetime(2008, 5, 31, 15, 0)

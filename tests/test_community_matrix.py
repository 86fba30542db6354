"""Authorisation matrix: every admin-only action of a community against every role, on both
renderings. A refused action changes nothing; an allowed one does what it says.

Roles: the admin, a sub-admin, a member, a non-member, a member the admin blocked (not in the
community), and a visitor (not logged in). Requests are made as a crafted form would make
them (a valid CSRF token, the action's URL), whether or not the page offers the form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Community,
    CommunityMember,
    Event,
    EventParticipant,
    JoinRequest,
    Member,
    Topic,
    TopicComment,
)
from portal.models._time import utcnow
from portal.services import communities, social, topic_comments, topics
from portal.views._parts import revision
from tests.browser import DOCOMO_MOVA, PC, Form, sid_of

ROLES = ("admin", "subadmin", "member", "nonmember", "blocked", "visitor")
MANAGERS = {"admin", "subadmin"}
ADMIN = {"admin"}


@pytest.fixture
def town(app, make_member):
    """A community with every role, a waiting request, a topic with a comment and an event by
    an ordinary member, a second sub-admin, and a member to act on."""
    ids = {
        name: make_member(name, nickname=name)
        for name in (
            "admin",
            "subadmin",
            "member",
            "nonmember",
            "blocked",
            "author",
            "target",
            "subadmin2",
            "applicant",
        )
    }
    with app.app_context():
        admin = db.session.get(Member, ids["admin"])
        community = communities.create(
            admin, name="管理テスト", description="説明文です。", category="other"
        )
        community.join_policy = "approval"
        for name, role in (
            ("subadmin", "subadmin"),
            ("member", "member"),
            ("author", "member"),
            ("target", "member"),
            ("subadmin2", "subadmin"),
        ):
            db.session.add(
                CommunityMember(community_id=community.id, member_id=ids[name], role=role)
            )
        community.member_count = 6
        db.session.add(JoinRequest(community_id=community.id, member_id=ids["applicant"]))
        social.block(admin, db.session.get(Member, ids["blocked"]))
        db.session.flush()
        author = db.session.get(Member, ids["author"])
        topic = topics.create(author, community, title="作者のトピック", body="本文です。")
        topic_comments.THREAD.add(author, topic, "作者のコメント")
        event = Event(
            community_id=community.id,
            author_id=ids["author"],
            title="作者のイベント",
            body="詳細です。",
            starts_at=utcnow().replace(microsecond=0) + __import__("datetime").timedelta(days=7),
            place="渋谷",
            joined=0,
        )
        db.session.add(event)
        db.session.commit()
        ids.update(community=community.id, topic=topic.id, event=event.id)
    return ids


def snapshot(app) -> dict:
    """Everything an admin action could change."""
    with app.app_context():
        db.session.expire_all()

        def rows(model, *cols):
            return sorted(
                tuple(getattr(r, c) for c in cols) for r in db.session.scalars(select(model))
            )

        return {
            "communities": rows(
                Community,
                "id",
                "name",
                "description",
                "category",
                "join_policy",
                "topics_public",
                "topic_creators",
                "member_count",
            ),
            "members": rows(CommunityMember, "community_id", "member_id", "role"),
            "requests": rows(JoinRequest, "community_id", "member_id"),
            "topics": rows(Topic, "id", "title", "body", "comment_count"),
            "comments": rows(TopicComment, "id", "number", "body"),
            "events": rows(Event, "id", "title", "place", "capacity", "joined"),
            "participants": rows(EventParticipant, "event_id", "member_id"),
        }


def _community_revision(app, community_id):
    with app.app_context():
        return revision([db.session.get(Community, community_id).description])


def _topic_revision(app, topic_id):
    with app.app_context():
        return revision([db.session.get(Topic, topic_id).body])


def _actions(app, t):
    """(name, path, form data, allowed roles, check of the allowed change)."""
    c = t["community"]

    def role(member):
        def check(before, after):
            found = {(m, r) for cid, m, r in after["members"] if cid == c}
            return member(found)

        return check

    return {
        "edit": (
            f"/communities/{c}/edit",
            {
                "name": "新しい名前",
                "category": "music",
                "description": "新しい説明。",
                "part": "1",
                "revision": _community_revision(app, c),
            },
            MANAGERS,
            lambda before, after: after["communities"][0][1] == "新しい名前",
        ),
        "settings": (
            f"/communities/{c}/settings",
            {"join_policy": "open", "topics_visibility": "members", "topic_creators": "managers"},
            ADMIN,
            lambda before, after: after["communities"][0][4:7] == ("open", False, "managers"),
        ),
        "approve": (
            f"/communities/{c}/requests/{t['applicant']}/approve",
            {},
            MANAGERS,
            role(lambda found: (t["applicant"], "member") in found),
        ),
        "decline": (
            f"/communities/{c}/requests/{t['applicant']}/decline",
            {},
            MANAGERS,
            lambda before, after: after["requests"] == [] and after["members"] == before["members"],
        ),
        "remove": (
            f"/communities/{c}/members/{t['target']}/remove",
            {},
            MANAGERS,
            role(lambda found: all(m != t["target"] for m, _ in found)),
        ),
        "appoint": (
            f"/communities/{c}/members/{t['target']}/appoint",
            {},
            ADMIN,
            role(lambda found: (t["target"], "subadmin") in found),
        ),
        "dismiss": (
            f"/communities/{c}/members/{t['subadmin2']}/dismiss",
            {},
            ADMIN,
            role(lambda found: (t["subadmin2"], "member") in found),
        ),
        "transfer": (
            f"/communities/{c}/members/{t['target']}/transfer",
            {},
            ADMIN,
            role(lambda found: {(t["target"], "admin"), (t["admin"], "subadmin")} <= found),
        ),
        "delete_topic": (
            f"/topics/{t['topic']}/delete",
            {},
            MANAGERS,
            lambda before, after: after["topics"] == [] and after["comments"] == [],
        ),
        "edit_topic": (
            f"/topics/{t['topic']}/edit",
            {
                "title": "書き換え",
                "body": "書き換えた本文",
                "part": "1",
                "revision": _topic_revision(app, t["topic"]),
            },
            MANAGERS,
            lambda before, after: after["topics"][0][1:3] == ("書き換え", "書き換えた本文"),
        ),
        "delete_comment": (
            f"/topics/{t['topic']}/comments/1/delete",
            {},
            MANAGERS,
            lambda before, after: after["comments"] == [],
        ),
        "delete_event": (
            f"/events/{t['event']}/delete",
            {},
            MANAGERS,
            lambda before, after: after["events"] == [],
        ),
        "edit_event": (
            f"/events/{t['event']}/edit",
            {
                "title": "変更イベント",
                "date": "2099-01-02",
                "time": "19:30",
                "place": "新宿",
                "deadline": "",
                "capacity": "10",
                "body": "詳細。",
            },
            MANAGERS,
            lambda before, after: after["events"][0][1:5] == ("変更イベント", "新宿", 10, 0),
        ),
    }


def _as(browser, role: str, agent: str):
    """A browser logged in as ``role`` (or a visitor), on a page with a CSRF token."""
    client = browser(agent, cookies=agent != DOCOMO_MOVA)
    if role == "visitor":
        client.get("/login")
        return client
    client.get("/login")
    home = client.submit("/login", {"email": f"{role}@example.jp", "password": "correct horse 8"})
    assert home.status == 200
    sid = sid_of(home.url)
    client.get("/communities/new" + (f"?sid={sid}" if sid else ""))
    return client


def _forge(client, path: str, data: dict):
    """Post ``data`` to ``path`` as a crafted form with the page's CSRF token."""
    page = client.page
    token = next(f.fields["csrf_token"] for f in page.forms if "csrf_token" in f.fields)
    sid = sid_of(page.url)
    action = path + (f"?sid={sid}" if sid else "")
    page.forms.insert(0, Form(action, "post", {"csrf_token": token, **data}))
    return client.submit(path)


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "action",
    [
        "edit",
        "settings",
        "approve",
        "decline",
        "remove",
        "appoint",
        "dismiss",
        "transfer",
        "delete_topic",
        "edit_topic",
        "delete_comment",
        "delete_event",
        "edit_event",
    ],
)
def test_admin_actions_against_every_role(app, browser, town, action, role, agent):
    path, data, allowed, changed = _actions(app, town)[action]
    client = _as(browser, role, agent)
    before = snapshot(app)
    page = _forge(client, path, data)
    after = snapshot(app)
    if role in allowed:
        assert page.status == 200, (action, role, page.status, page.text[:500])
        assert after != before, (action, role)
        assert changed(before, after), (action, role, after)
    else:
        assert after == before, (action, role)
        if role == "visitor":
            assert page.status == 400 or urlsplit(page.url).path == "/login", (action, page.url)
        else:
            assert page.status in (403, 404), (action, role, page.status)


#: Pages that offer the admin-only actions: who may open them.
PAGES = {
    "edit": ("/communities/{c}/edit", MANAGERS),
    "settings": ("/communities/{c}/settings", ADMIN),
    "requests": ("/communities/{c}/requests", MANAGERS),
    "member": ("/communities/{c}/members/{target}", MANAGERS),
    "transfer": ("/communities/{c}/members/{target}/transfer", ADMIN),
    "edit_topic": ("/topics/{topic}/edit", MANAGERS),
    "delete_topic": ("/topics/{topic}/delete", MANAGERS),
    "delete_comment": ("/topics/{topic}/comments/1/delete", MANAGERS),
    "edit_event": ("/events/{event}/edit", MANAGERS),
    "delete_event": ("/events/{event}/delete", MANAGERS),
}


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
@pytest.mark.parametrize("role", ROLES)
def test_admin_pages_open_only_for_their_roles(app, browser, town, role, agent):
    client = _as(browser, role, agent)
    sid = sid_of(client.page.url)
    values = {"c": town["community"], **town}
    for name, (pattern, allowed) in PAGES.items():
        path = pattern.format(**values)
        page = client.get(path + (f"?sid={sid}" if sid else ""))
        if role == "visitor":
            assert urlsplit(page.url).path == "/login", (name, page.url)
        elif role in allowed:
            assert page.status == 200, (name, role, page.status)
        else:
            assert page.status in (403, 404), (name, role, page.status)

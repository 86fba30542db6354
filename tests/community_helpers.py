"""Helpers for the community tests: pages by their links, the GET search form, and a world
made directly in the database."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from portal.extensions import db
from portal.models import Community, CommunityMember, Event, Member
from portal.models._time import utcnow
from portal.services import communities, topics


def search(client, **data: str):
    """Fill and send the community search (a GET form), as a browser does: the form's hidden
    fields and the typed values, encoded in the page's charset, replace the action's query."""
    form = client.page.form("/communities")
    assert form.method == "get"
    codec = {"shift_jis": "cp932"}.get(client.page.charset.lower(), client.page.charset)
    query = urlencode({**form.fields, **data}, encoding=codec)
    return client.get(urlsplit(form.action).path + "?" + query)


def make_community(app, admin_id: int, name: str = "横浜カフェ部", **settings) -> int:
    with app.app_context():
        admin = db.session.get(Member, admin_id)
        community = communities.create(
            admin, name=name, description="横浜のカフェを語りましょう。", category="food"
        )
        for key, value in settings.items():
            setattr(community, key, value)
        db.session.commit()
        return community.id


def add_member(app, community_id: int, member_id: int, role: str = "member") -> None:
    with app.app_context():
        community = db.session.get(Community, community_id)
        db.session.add(CommunityMember(community_id=community_id, member_id=member_id, role=role))
        community.member_count += 1
        db.session.commit()


def make_topic(app, community_id: int, author_id: int, title="おすすめのお店", body="教えて！"):
    with app.app_context():
        topic = topics.create(
            db.session.get(Member, author_id),
            db.session.get(Community, community_id),
            title=title,
            body=body,
        )
        db.session.commit()
        return topic.id


def make_event(app, community_id: int, author_id: int, **fields) -> int:
    """An event three days ahead (お花見 at 上野公園), stored directly; ``fields`` override."""
    with app.app_context():
        values = {
            "title": "お花見",
            "body": "上野公園でお花見をします。",
            "starts_at": utcnow().replace(microsecond=0) + timedelta(days=3),
            "place": "上野公園",
            "joined": 0,
            **fields,
        }
        event = Event(community_id=community_id, author_id=author_id, **values)
        db.session.add(event)
        db.session.commit()
        return event.id


def role_in(app, community_id: int, member_id: int) -> str | None:
    with app.app_context():
        row = db.session.get(CommunityMember, (community_id, member_id))
        return row.role if row else None


def make_world(make_member) -> dict[str, int]:
    """はなこ and たろう are friends; じろう is a friend of neither."""
    hanako = make_member("hanako", nickname="はなこ")
    taro = make_member("taro", nickname="たろう", friends=(hanako,))
    jiro = make_member("jiro", nickname="じろう")
    return {"hanako": hanako, "taro": taro, "jiro": jiro}

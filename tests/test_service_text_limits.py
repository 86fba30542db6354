"""The services own every text limit, so a caller that is not a form (a mail post, a blog
import, a script) cannot store text that breaks a phone page: text short in characters but
long on a phone (emoji a carrier shows as their names) is refused, naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import Community, Member
from portal.models._time import utcnow
from portal.services import (
    ServiceError,
    albums,
    calendar,
    communities,
    events,
    messages,
    notices,
    profiles,
    reviews,
    social,
    topics,
)

#: One emoji a D501i shows as its name in brackets (22 bytes): a few are short in characters
#: and long on a phone.
EMOJI = "🎢"


def _emoji(max_bytes: int) -> str:
    return EMOJI * (max_bytes // 22 + 1)


def _community(admin: Member) -> Community:
    return communities.create(admin, name="横浜カフェ部", description="カフェ", category="food")


def _event(member, field, text):
    values = {"title": "お花見", "body": "上野公園で。", "place": "上野公園", field: text}
    events.create(
        member,
        _community(member),
        starts_at=utcnow() + timedelta(days=3),
        deadline=None,
        capacity=None,
        **values,
    )


CALLS = {
    "community name": (
        "name",
        lambda me, _other: communities.create(
            me, name=_emoji(communities.NAME_PHONE_BYTES), description="説明", category="food"
        ),
    ),
    "topic title": (
        "title",
        lambda me, _other: topics.create(
            me, _community(me), title=_emoji(topics.TITLE_PHONE_BYTES), body="本文"
        ),
    ),
    "event title": ("title", lambda me, _o: _event(me, "title", _emoji(events.TITLE_PHONE_BYTES))),
    "event place": ("place", lambda me, _o: _event(me, "place", _emoji(events.PLACE_PHONE_BYTES))),
    "album title": (
        "title",
        lambda me, _other: albums.create(
            me, title=_emoji(albums.TITLE_PHONE_BYTES), description="", visibility="public"
        ),
    ),
    "schedule title": (
        "title",
        lambda me, _other: calendar.add_entry(
            me, title=_emoji(calendar.TITLE_PHONE_BYTES), day=date(2030, 1, 1), at=None
        ),
    ),
    "review text": (
        "body",
        lambda me, _other: reviews.create(
            me,
            title="本",
            category="book",
            rating=5,
            url="",
            body=_emoji(reviews.BODY_PHONE_BYTES),
        ),
    ),
    "message body": (
        "body",
        lambda me, other: messages.send(
            me, to=str(other.id), subject="件名", body=_emoji(messages.BODY_PHONE_BYTES)
        ),
    ),
    "friend request message": (
        "message",
        lambda me, other: social.request_friendship(
            me, other, _emoji(social.REQUEST_MESSAGE_PHONE_BYTES)
        ),
    ),
    "self-introduction": (
        "introduction",
        lambda me, _other: profiles.update_self_introduction(
            me, _emoji(profiles.INTRODUCTION_PHONE_BYTES)
        ),
    ),
    "notice title": (
        "title",
        lambda me, _other: notices.create(
            me, title=_emoji(notices.TITLE_PHONE_BYTES), body="本文", first=None, last=None
        ),
    ),
}


@pytest.mark.parametrize("kind", CALLS)
def test_a_service_refuses_text_too_long_for_phones_naming_its_field(app, make_member, kind):
    field, call = CALLS[kind]
    me_id, other_id = make_member("taro"), make_member("hanako")
    with app.test_request_context():
        me, other = db.session.get(Member, me_id), db.session.get(Member, other_id)
        me.is_operator = True  # notices are the operators'
        with pytest.raises(ServiceError) as refused:
            call(me, other)
        db.session.rollback()
    assert refused.value.field == field
    assert "too long to show on phones" in str(refused.value.message)


def test_a_profile_field_over_its_length_is_refused_by_the_service(app, make_member):
    taro = make_member("taro")
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            profiles.update_profile(
                db.session.get(Member, taro),
                nickname="たろう",
                real_name=None,
                gender=None,
                area="あ" * (profiles.AREA_MAX + 1),
                hobbies=None,
                introduction=None,
                visibilities={},
            )
        db.session.rollback()
    assert refused.value.field == "area"

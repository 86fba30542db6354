"""The one visibility policy, proved over every relation and every level, in Python and in SQL."""

import itertools

import pytest
from sqlalchemy import literal, select

from portal.extensions import db
from portal.models import Member
from portal.models.profile import FIELD_DEFAULTS, VISIBILITIES
from portal.services import profiles
from portal.services.visibility import (
    BLOCKED,
    FRIEND,
    FRIEND_OF_FRIEND,
    MEMBER,
    SELF,
    VISITOR,
    allows,
    relation,
    visible_clause,
)

#: What each relation may see, written out by hand (not computed from the policy under test).
EXPECTED = {
    "public": {SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR},
    "fof": {SELF, FRIEND, FRIEND_OF_FRIEND},
    "friends": {SELF, FRIEND},
    "private": {SELF},
}


@pytest.fixture
def world(circle):
    """Each relation's member in the owner's circle (``circle``); a visitor is none."""
    return {
        SELF: circle["owner"],
        FRIEND: circle["friend"],
        FRIEND_OF_FRIEND: circle["fof"],
        MEMBER: circle["stranger"],
        VISITOR: None,
        BLOCKED: circle["blocked"],
        "owner": circle["owner"],
    }


def test_relation_of_every_viewer(ctx, world):
    for rel in (SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR, BLOCKED):
        assert relation(world[rel], world["owner"]) == rel


def test_blocking_ended_the_friendship(ctx, world):
    from portal.services.friends import are_friends

    assert not are_friends(world["owner"], world[BLOCKED])


@pytest.mark.parametrize(
    ("visibility", "rel"),
    list(
        itertools.product(VISIBILITIES, (SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR, BLOCKED))
    ),
)
def test_python_and_sql_agree_with_the_table(ctx, world, visibility, rel):
    expected = rel in EXPECTED[visibility]
    viewer, owner = world[rel], world["owner"]
    assert allows(visibility, relation(viewer, owner)) is expected
    stmt = select(Member.id).where(
        Member.id == owner, visible_clause(viewer, Member.id, literal(visibility))
    )
    assert (db.session.scalar(stmt) is not None) is expected


@pytest.mark.parametrize("field", sorted(FIELD_DEFAULTS))
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_profile_field_against_every_relation(ctx, world, field, visibility):
    owner = db.session.get(Member, world["owner"])
    settings = dict.fromkeys(FIELD_DEFAULTS, "public")
    settings[field] = visibility
    profiles.update_profile(
        owner,
        nickname="おーなー",
        real_name="山田太郎",
        gender="female",
        area="東京都",
        hobbies="写真",
        introduction="自己紹介です",
        visibilities=settings,
    )
    db.session.commit()
    attribute = {"photo": None}.get(field, field)
    for rel in (SELF, FRIEND, FRIEND_OF_FRIEND, MEMBER, VISITOR, BLOCKED):
        view = profiles.view_profile(owner, world[rel])
        if attribute is None:
            continue
        shown = getattr(view, attribute) is not None
        assert shown is (rel in EXPECTED[visibility]), (field, visibility, rel)

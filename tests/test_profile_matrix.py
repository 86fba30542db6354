"""Authorisation matrix on the pages: every profile field and the footprint list, against every
relation, on both renderings. Nothing may leak: a field shows exactly when the policy allows."""

from datetime import date

import pytest

from portal.extensions import db
from portal.models import Member, Profile
from portal.models._time import tokyo_today
from portal.models.profile import VISIBILITIES
from portal.services import footprints, social
from tests.browser import DOCOMO_MOVA, PC, Browser, sid_of

ALLOWED = {  # written out by hand, not computed by the code under test
    "public": {"self", "friend", "fof", "member"},
    "fof": {"self", "friend", "fof"},
    "friends": {"self", "friend"},
    "private": {"self"},
}
RELATIONS = ("self", "friend", "fof", "member", "blocked")
BIRTH = date(1979, 2, 13)


def _markers(today):
    """What each field looks like on the page, in Japanese (kanji and digits survive hankaku)."""
    age = today.year - BIRTH.year - ((today.month, today.day) < (BIRTH.month, BIRTH.day))
    return {
        "real_name": "山田花子",
        "gender": "女性",
        "age": f"{age}歳",
        "birthday": "2月13日",
        "area": "横浜市中区",
        "hobbies": "和菓子作り",
        "introduction": "自己紹介の本文です",
    }


@pytest.fixture
def people(app, make_member):
    owner = make_member("owner", nickname="おーなー")
    friend = make_member("friend", nickname="ふれんど", friends=(owner,))
    fof = make_member("fof", nickname="ふおふ", friends=(friend,))
    member = make_member("member", nickname="めんばー")
    blocked = make_member("blocked", nickname="ぶろっく")
    with app.app_context():
        owner_row = db.session.get(Member, owner)
        owner_row.birth_date = BIRTH
        owner_row.real_name = "山田花子"
        social.block(owner_row, db.session.get(Member, blocked))
        db.session.add(
            Profile(
                member_id=owner,
                gender="female",
                area="横浜市中区",
                hobbies="和菓子作り",
                introduction="自己紹介の本文です",
            )
        )
        db.session.commit()
    return {"self": owner, "friend": friend, "fof": fof, "member": member, "blocked": blocked}


def _set_all(app, owner, visibility):
    with app.app_context():
        profile = db.session.get(Profile, owner)
        for field in ("real_name", "gender", "age", "birthday", "area", "hobbies", "introduction"):
            setattr(profile, f"{field}_visibility", visibility)
        db.session.commit()


def _viewer(app, agent, name):
    viewer = Browser(app, agent, cookies=agent == PC)
    viewer.get("/login")
    home = viewer.submit("/login", {"email": f"{name}@example.jp", "password": "correct horse 8"})
    assert home.status == 200
    return viewer


def _get(viewer, path):
    sid = sid_of(viewer.page.url)
    return viewer.get(f"{path}?sid={sid}" if sid else path)


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_every_field_against_every_relation(app, people, agent, visibility):
    _set_all(app, people["self"], visibility)
    markers = _markers(tokyo_today())
    for rel in RELATIONS:
        page = _get(
            _viewer(app, agent, {"self": "owner"}.get(rel, rel)), f"/users/{people['self']}"
        )
        if rel == "blocked":
            assert page.status == 404
            assert "おーなー" not in page.text
            continue
        assert page.status == 200
        for field, marker in markers.items():
            shown = marker in page.text
            assert shown is (rel in ALLOWED[visibility]), (visibility, rel, field, agent)


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_only_the_owner_sees_the_footprint_list(app, people, agent):
    with app.app_context():
        footprints.record_visit(db.session.get(Member, people["member"]), people["self"])
        db.session.commit()
    for rel in RELATIONS:
        viewer = _viewer(app, agent, {"self": "owner"}.get(rel, rel))
        page = _get(viewer, "/footprints")
        assert page.status == 200
        assert ("めんばー" in page.text) is (rel == "self"), rel

"""Finding communities: search by name (Japanese, ``%`` and ``_`` literal) and category,
popular, new and friends' communities, and the demo world's communities."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Community, CommunityMember, Member, Topic
from portal.services import communities
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import add_member, make_community
from tests.pages import assert_fits_d501i, client_for, go, search

# -- discovery -------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_search_by_name_and_category_with_literal_percent_and_underscore(
    app, browser, login, trio, agent
):
    cafe = make_community(app, trio["hanako"], name="横浜カフェ部")
    make_community(app, trio["hanako"], name="100%_果汁の会")
    with app.app_context():
        db.session.get(Community, cafe).category = "food"
        db.session.commit()
    client = client_for(browser, agent)
    login(client, "taro")
    go(client, "/communities")
    page = search(client, q="カフェ", category="")
    assert "横浜カフェ部" in page.text
    assert "果汁" not in page.text
    page = search(client, q="%_", category="")
    assert "果汁" in page.text
    assert "横浜カフェ部" not in page.text
    page = search(client, q="_", category="")
    assert "果汁" in page.text
    assert "横浜カフェ部" not in page.text
    page = search(client, q="", category="music")
    assert "果汁" not in page.text
    assert "横浜カフェ部" not in page.text
    page = search(client, q="", category="food")
    assert "果汁" in page.text
    assert "横浜カフェ部" in page.text


def test_popular_new_and_friends_communities(app, browser, login, trio, make_member):
    small = make_community(app, trio["jiro"], name="小さな会")
    big = make_community(app, trio["jiro"], name="大きな会")
    friends_one = make_community(app, trio["jiro"], name="はなこの会")
    for n in range(3):
        add_member(app, big, make_member(f"fan{n}"))
    add_member(app, friends_one, trio["hanako"])
    with app.app_context():
        popular, _ = communities.popular(limit=3)
        assert [c.id for c in popular][0] == big
        newest, _ = communities.newest(limit=3)
        assert {c.id for c in newest} == {small, big, friends_one}
        taro = db.session.get(Member, trio["taro"])
        mine_friends, total = communities.of_friends(taro)
        assert [(c.id, n) for c, n in mine_friends] == [(friends_one, 1)]
        assert total == 1
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    index = go(phone, "/communities")
    assert_fits_d501i(index)
    assert "はなこの会" in index.text
    for kind in ("popular", "new", "friends", "mine"):
        assert_fits_d501i(go(phone, f"/communities?list={kind}"))


# -- the demo world --------------------------------------------------------------------------


def test_the_demo_world_has_ten_communities_of_each_kind(app, db):
    from portal import demo

    with app.app_context():
        demo.seed()
        db.session.commit()
        ids = {
            m.email.split("@")[0]: m.id
            for m in db.session.scalars(
                select(Member).where(
                    Member.email.in_(["taro@example.jp", "hanako@example.jp", "jiro@example.jp"])
                )
            )
        }
        kinds = db.session.execute(
            select(Community.join_policy, Community.topics_public, func.count()).group_by(
                Community.join_policy, Community.topics_public
            )
        ).all()
        by_kind = {(policy, public): n for policy, public, n in kinds}
        assert by_kind[("open", True)] == 10
        assert by_kind[("approval", True)] == 10
        assert sum(n for (policy, public), n in by_kind.items() if not public) == 10

        def joined(name):
            stmt = select(CommunityMember.community_id).where(
                CommunityMember.member_id == ids[name]
            )
            return set(db.session.scalars(stmt))

        taro, hanako, jiro = joined("taro"), joined("hanako"), joined("jiro")
        assert len(taro) >= 5
        assert len(hanako) >= 5
        assert taro & hanako
        assert not jiro & (taro | hanako), "jiro is in none of their communities"
        for community in db.session.scalars(select(Community)):
            members = db.session.scalar(
                select(func.count())
                .select_from(CommunityMember)
                .where(CommunityMember.community_id == community.id)
            )
            assert community.member_count == members
            assert db.session.scalar(
                select(func.count()).select_from(Topic).where(Topic.community_id == community.id)
            )

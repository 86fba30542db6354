"""A block applies to every list (issue 12, item 10).

はなこ blocks じろう. Everywhere じろう looks, はなこ is missing, as on her own pages (a 404):
friends' friend lists and the friend section of their profiles, the admin line of her
community and its member list, his 足あと (she visited before blocking), and every search. たろう,
whom she did not block, still sees her in each of these places: the lists did not merely lose
her.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from portal.extensions import db
from portal.models import Community, Member
from portal.models.community import SUBADMIN
from portal.services import community_members, footprints, social
from portal.services.friends import befriend
from tests.browser import DOCOMO_MOVA, PC
from tests.fixtures.factories import add_member, make_community
from tests.pages import client_for, go, has_link


@pytest.fixture
def world(app, make_member):
    taro = make_member("taro", nickname="たろう")
    hanako = make_member("hanako", nickname="はなこ")
    jiro = make_member("jiro", nickname="じろう")
    saburo = make_member("saburo", nickname="さぶろう")
    community = make_community(app, hanako, "はなこの部屋", join_policy="open")
    add_member(app, community, jiro)
    add_member(app, community, taro)
    with app.app_context():
        get = lambda member_id: db.session.get(Member, member_id)  # noqa: E731
        for a, b in ((saburo, jiro), (saburo, taro), (saburo, hanako)):
            befriend(get(a), get(b))
        footprints.record_visit(get(hanako), jiro)
        footprints.record_visit(get(hanako), taro)
        social.block(get(hanako), get(jiro))
        db.session.commit()
    return {
        "taro": taro,
        "hanako": hanako,
        "jiro": jiro,
        "saburo": saburo,
        "community": community,
    }


def lists(world, agent: str) -> dict[str, str]:
    q = quote("はなこ", encoding="cp932" if agent == DOCOMO_MOVA else "utf-8")
    return {
        "friend list": f"/users/{world['saburo']}/friends",
        "profile": f"/users/{world['saburo']}",
        "community": f"/communities/{world['community']}",
        "community members": f"/communities/{world['community']}/members",
        "footprints": "/footprints",
        "member search": f"/search?q={q}&type=members",
        "search": f"/search?q={q}",
    }


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_the_blocked_member_meets_the_blocker_in_no_list(app, browser, login, world, agent):
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    assert go(jiro, f"/users/{world['hanako']}").status == 404
    for name, path in lists(world, agent).items():
        page = go(jiro, path)
        assert page.status == 200, (name, page.status)
        assert not has_link(page, f"/users/{world['hanako']}"), name
        if "search" not in name:  # a search page shows the query
            assert "はなこ" not in page.text.replace("はなこの部屋", ""), name


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_member_she_did_not_block_finds_her_in_each_list(app, browser, login, world, agent):
    taro = client_for(browser, agent)
    login(taro, "taro")
    for name, path in lists(world, agent).items():
        page = go(taro, path)
        assert page.status == 200, (name, page.status)
        if name == "search":
            continue  # the unified search lists diaries and communities; she wrote none
        assert has_link(page, f"/users/{world['hanako']}"), name


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_a_sub_admin_she_blocked_does_not_see_her_request_to_join(
    app, browser, login, world, agent
):
    """さぶろう's community admits by approval; じろう is a sub-admin. はなこ (who blocked じろう)
    asks to join: じろう's request list and count leave her out; the admin さぶろう sees her."""
    community = make_community(app, world["saburo"], "さぶろうの部屋", join_policy="approval")
    add_member(app, community, world["jiro"], role=SUBADMIN)
    with app.app_context():
        hanako = db.session.get(Member, world["hanako"])
        community_members.join(hanako, db.session.get(Community, community), "入れてください")
        db.session.commit()
    jiro = client_for(browser, agent)
    login(jiro, "jiro")
    requests = go(jiro, f"/communities/{community}/requests")
    assert requests.status == 200
    assert not has_link(requests, f"/users/{world['hanako']}")
    assert "はなこ" not in requests.text
    assert "入れてください" not in requests.text
    assert "(0)" in go(jiro, f"/communities/{community}").text
    saburo = client_for(browser, agent)
    login(saburo, "saburo")
    requests = go(saburo, f"/communities/{community}/requests")
    assert has_link(requests, f"/users/{world['hanako']}")
    assert "(1)" in go(saburo, f"/communities/{community}").text

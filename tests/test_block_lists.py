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
from portal.models import Member
from portal.services import footprints, social
from portal.services.friends import befriend
from tests.browser import DOCOMO_MOVA, PC
from tests.community_helpers import add_member, make_community
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

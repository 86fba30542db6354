"""The site search (/search?q=&type=): members by nickname, area and hobbies (each field only
for viewers allowed to see it), communities by name and category, diaries and reviews;
Japanese text without spaces; each section paged, within 5 KB on a D501i."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Member, Profile, Review
from portal.services import communities, reviews, search, social
from tests.browser import DOCOMO_MOVA, PC, sid_of
from tests.pages import assert_fits_d501i, client_for, go, has_link, href

AGENTS = pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])


def set_profile(app, member_id: int, **fields) -> None:
    with app.app_context():
        profile = db.session.get(Profile, member_id) or Profile(member_id=member_id)
        for name, value in fields.items():
            setattr(profile, name, value)
        db.session.add(profile)
        db.session.commit()


@pytest.fixture
def town(app, make_member):
    """たろう searches. はなこ is his friend, さぶろう her friend (taro's friend of a friend),
    じろう a stranger, ブロッカー blocked taro; 横浜太郎 matches by nickname only."""
    ids = {"taro": make_member("taro", nickname="たろう")}
    ids["hanako"] = make_member("hanako", nickname="はなこ", friends=(ids["taro"],))
    ids["saburo"] = make_member("saburo", nickname="さぶろう", friends=(ids["hanako"],))
    ids["jiro"] = make_member("jiro", nickname="じろう")
    ids["blocker"] = make_member("blocker", nickname="ブロッカー")
    ids["yokohama"] = make_member("yokohama", nickname="横浜太郎")
    set_profile(
        app,
        ids["hanako"],
        area="横浜市",
        area_visibility="friends",
        hobbies="ケーキ作りと散歩",
        hobbies_visibility="public",
    )
    set_profile(app, ids["saburo"], area="横浜市中区", area_visibility="fof")
    set_profile(
        app,
        ids["jiro"],
        area="港北区横浜",
        area_visibility="friends",
        hobbies="ケーキの食べ歩き",
        hobbies_visibility="private",
    )
    set_profile(app, ids["blocker"], area="横浜", area_visibility="public")
    set_profile(app, ids["yokohama"], area="秘密の町", area_visibility="private")
    with app.app_context():
        social.block(*(db.session.get(Member, ids[k]) for k in ("blocker", "taro")))
        db.session.commit()
    return ids


def charset(agent: str) -> str:
    """The encoding a device sends its queries in."""
    return "cp932" if agent == DOCOMO_MOVA else "utf-8"


def found_ids(hits) -> list[int]:
    return sorted(hit.member.id for hit in hits)


def test_members_match_area_and_hobbies_only_where_the_viewer_may_see_them(ctx, town):
    hits, total = search.search_members(town["taro"], "横浜", 0, 20)
    assert found_ids(hits) == sorted([town["hanako"], town["saburo"], town["yokohama"]])
    assert total == 3
    shown = {hit.member.id: hit.area for hit in hits}
    assert shown[town["hanako"]] == "横浜市"
    assert shown[town["yokohama"]] is None  # matched by nickname; the area is private
    hits, total = search.search_members(town["taro"], "ケーキ", 0, 20)
    assert found_ids(hits) == [town["hanako"]]
    # じろう sees hanako's hobbies (public) but not her area (friends only).
    hits, _ = search.search_members(town["jiro"], "横浜", 0, 20)
    assert found_ids(hits) == sorted([town["blocker"], town["jiro"], town["yokohama"]])
    hits, _ = search.search_members(town["jiro"], "ケーキ", 0, 20)
    assert found_ids(hits) == sorted([town["hanako"], town["jiro"]])
    assert {h.member.id: h.area for h in hits}[town["hanako"]] is None


def test_a_member_sees_their_own_private_fields_match(ctx, town):
    hits, _ = search.search_members(town["yokohama"], "秘密", 0, 20)
    assert found_ids(hits) == [town["yokohama"]]
    assert search.search_members(town["taro"], "秘密", 0, 20) == ([], 0)


@pytest.mark.parametrize("query", ["%", "_", "横浜%", "  "])
def test_member_queries_are_plain_text(ctx, town, query):
    assert search.search_members(town["taro"], query, 0, 20) == ([], 0)


@AGENTS
def test_the_members_section_never_shows_a_field_the_viewer_may_not_see(
    app, browser, login, town, agent
):
    client = client_for(browser, agent)
    login(client, "taro")
    page = go(
        client, "/search?" + urlencode({"q": "横浜", "type": "members"}, encoding=charset(agent))
    )
    assert page.status == 200
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    for name in ("hanako", "saburo", "yokohama"):
        assert has_link(page, f"/users/{town[name]}"), name
    for name in ("jiro", "blocker"):
        assert not has_link(page, f"/users/{town[name]}"), name
    assert "横浜市中区" in page.text
    assert "秘密の町" not in page.text
    assert "港北区横浜" not in page.text
    stranger = client_for(browser, agent)
    login(stranger, "jiro")
    query = urlencode({"q": "ケーキ", "type": "members"}, encoding=charset(agent))
    page = go(stranger, "/search?" + query)
    assert has_link(page, f"/users/{town['hanako']}")
    assert "ケーキ作り" in page.text  # her hobbies are public
    assert "横浜市" not in page.text  # her area is for friends


# -- communities and reviews -----------------------------------------------------------------


def test_communities_match_their_name_or_category(app, ctx, town):
    taro = db.session.get(Member, town["taro"])
    cafe = communities.create(taro, name="横浜カフェ部", description="説明", category="food")
    band = communities.create(taro, name="バンド仲間", description="説明", category="music")
    percent = communities.create(taro, name="100%本気", description="説明", category="other")
    db.session.commit()
    with app.test_request_context():
        from portal.views.search import _categories

        assert _categories("音楽") == ("music",)
    assert search.search_communities("カフェ", (), 0, 10) == ([cafe], 1)
    assert search.search_communities("音楽", ("music",), 0, 10) == ([band], 1)
    assert search.search_communities("%", (), 0, 10) == ([percent], 1)


def test_reviews_match_title_or_text_as_the_viewer_may_read_them(app, ctx, town):
    hanako, blocker = (db.session.get(Member, town[k]) for k in ("hanako", "blocker"))
    kept = reviews.create(
        hanako, title="中華街の肉まん", category="other", rating=5, url=None, body="熱々"
    )
    guide = reviews.create(
        blocker, title="中華街ガイド", category="book", rating=3, url=None, body="詳しい"
    )
    hidden = reviews.create(
        hanako, title="中華街の別の店", category="other", rating=1, url=None, body="宣伝"
    )
    hidden.hidden = True
    db.session.commit()
    found, total = search.search_reviews(town["taro"], "中華街", 0, 10)
    assert [r.id for r in found] == [kept.id]
    assert total == 1
    assert [r.id for r in search.search_reviews(town["hanako"], "中華街", 0, 10)[0]] == [
        hidden.id,  # her own, hidden by the operators: she still finds it
        guide.id,
        kept.id,
    ]
    assert search.search_reviews(town["taro"], "熱々", 0, 10)[1] == 1


# -- the page --------------------------------------------------------------------------------


@AGENTS
def test_the_overview_shows_every_section_and_links_to_each(app, browser, login, town, agent):
    with app.app_context():
        hanako = db.session.get(Member, town["hanako"])
        communities.create(hanako, name="横浜散歩の会", description="説明", category="area")
        reviews.create(
            hanako, title="横浜の本", category="book", rating=4, url=None, body="おすすめ"
        )
        from portal.services import diaries

        diaries.create(hanako, title="横浜日記", body="みなとみらい", visibility="public")
        db.session.commit()
    client = client_for(browser, agent)
    login(client, "taro")
    page = go(client, "/search?" + urlencode({"q": "横浜"}, encoding=charset(agent)))
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(page)
    assert "横浜日記" in page.text  # diaries are listed in the overview on every device
    for kind in ("members", "communities", "reviews"):
        if agent == DOCOMO_MOVA:  # phones show the count and a link to the section
            section = client.get(href(page, "/search", type=kind))
        else:  # PCs show the first results, and a link when there are more
            assert not any(parse_qs(urlsplit(url).query).get("type") for url, _ in page.links)
            query = urlencode({"q": "横浜", "type": kind})
            section = go(client, "/search?" + query)
        assert section.status == 200
        assert parse_qs(urlsplit(section.url).query)["type"] == [kind]
        if agent == DOCOMO_MOVA:
            assert_fits_d501i(section)
            assert sid_of(section.url)
        form = section.form("/search")
        assert form.fields["type"] == kind  # searching again stays in the section
    if agent == PC:  # PCs list the first results of each section in the overview
        for text in ("はなこ", "横浜散歩の会", "横浜の本"):
            assert text in page.text


@pytest.mark.parametrize("kind", ["members", "communities", "reviews"])
def test_each_section_pages_within_5kb_on_a_d501i(app, browser, login, make_member, kind):
    taro = make_member("taro", nickname="たろう")
    with app.app_context():
        owner = db.session.get(Member, taro)
        for n in range(20):
            if kind == "members":
                member_id = make_member(f"m{n}", nickname=f"横浜{n:02d}" + "長" * 18)
                set_profile(
                    app, member_id, area="横" * 40, hobbies="趣" * 200, hobbies_visibility="public"
                )
            elif kind == "communities":
                communities.create(
                    owner, name=f"横浜{n:02d}" + "長" * 36, description="説明", category="area"
                )
            else:
                reviews.create(
                    owner,
                    title=f"横浜{n:02d}" + "長" * 46,
                    category="book",
                    rating=5,
                    url=None,
                    body="本文",
                )
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    query = urlencode({"q": "横浜", "type": kind}, encoding="cp932")
    page = go(phone, "/search?" + query)
    assert_fits_d501i(page)
    seen = set()
    while True:
        seen |= {text for _url, text in page.links if text.startswith("横浜")}
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
        assert_fits_d501i(page)
        assert parse_qs(urlsplit(page.url).query)["type"] == [kind]
    assert len(seen) == 20


def test_an_unknown_type_shows_the_overview(app, browser, login, town):
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get("/search?" + urlencode({"q": "横浜", "type": "everything"}))
    assert page.status == 200
    assert has_link(page, f"/users/{town['hanako']}")


def test_the_search_form_is_unchanged_without_a_query(app, browser, login, town):
    phone = browser(DOCOMO_MOVA, cookies=False)
    sid = sid_of(login(phone, "taro").url)
    page = phone.get(f"/search?sid={sid}")
    assert page.form("/search").fields == {"sid": sid, "q": ""}
    with app.app_context():
        assert db.session.scalar(select(Review)) is None


def test_a_pc_overview_links_to_the_rest_of_a_long_section(app, browser, login, town):
    with app.app_context():
        hanako = db.session.get(Member, town["hanako"])
        for n in range(7):
            communities.create(hanako, name=f"横浜の会{n}", description="説明", category="area")
        db.session.commit()
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get("/search?" + urlencode({"q": "横浜の会"}))
    assert page.text.count("/communities/") == 5
    section = pc.get(href(page, "/search", type="communities"))
    assert section.text.count("/communities/") == 7


# -- half-width and full-width ---------------------------------------------------------------


def test_half_width_kana_typed_on_a_phone_finds_full_width_text_and_back(app, browser, login, town):
    """A D501i types ｶﾌｪ (half-width, one byte each in Shift_JIS); a PC wrote カフェ. Each finds
    the other, in diaries, communities, members and reviews, and on the phone's page."""
    from portal.services import diaries

    with app.app_context():
        hanako = db.session.get(Member, town["hanako"])
        pc_diary = diaries.create(
            hanako, title="横浜のカフェ巡り", body="港の見える店", visibility="public"
        )
        phone_diary = diaries.create(hanako, title="ｹｰｷ食べた", body="ﾁｮｺﾚｰﾄ", visibility="public")
        cafe = communities.create(hanako, name="カフェ好き", description="説明", category="food")
        db.session.commit()
        pc_id, phone_id, cafe_id = pc_diary.id, phone_diary.id, cafe.id
        found, total = search.search_diaries(town["taro"], "ｶﾌｪ", 0, 20)
        assert [d.id for d in found] == [pc_id]
        assert total == 1
        found, _ = search.search_diaries(town["taro"], "チョコレート", 0, 20)
        assert [d.id for d in found] == [phone_id]
        found, _ = search.search_diaries(town["taro"], "ケーキ", 0, 20)  # 2 characters: LIKE
        assert [d.id for d in found] == [phone_id]
        assert [c.id for c in search.search_communities("ｶﾌｪ", (), 0, 20)[0]] == [cafe_id]
        hits, _ = search.search_members(town["taro"], "ﾌﾞﾛｯｶｰ", 0, 20)
        assert found_ids(hits) == []  # the blocker blocked taro: width changes nothing there
        hits, _ = search.search_members(town["jiro"], "ﾌﾞﾛｯｶｰ", 0, 20)
        assert found_ids(hits) == [town["blocker"]]
    phone = client_for(browser, DOCOMO_MOVA)
    login(phone, "taro")
    page = go(phone, "/search?" + urlencode({"q": "ｶﾌｪ"}, encoding="cp932"))
    assert_fits_d501i(page)
    assert has_link(page, f"/diaries/{pc_id}")
    page = go(phone, "/search?" + urlencode({"q": "ｶﾌｪ", "type": "communities"}, encoding="cp932"))
    assert has_link(page, f"/communities/{cafe_id}")

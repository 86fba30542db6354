"""Search whose cost follows its page, not the site's size (issue 11.3): members and reviews
through their trigram index too (SQLite FTS5, PostgreSQL pg_trgm), kept in step with edits;
totals counted up to a cap (``1,000+``); queries too short for trigrams looked for among the
newest rows only. Visibility and blocks hold on every path."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.models import Member, Profile
from portal.services import diaries, profiles, reviews, search, social
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import client_for, go


def write(author_id: int, title: str, body: str = "本文", visibility: str = "public", when=None):
    diary = diaries.create(
        db.session.get(Member, author_id),
        title=title,
        body=body,
        visibility=visibility,
        created_at=when,
    )
    db.session.commit()
    return diary.id


def set_profile(member_id: int, **fields) -> None:
    profile = db.session.get(Profile, member_id) or Profile(member_id=member_id)
    for name, value in fields.items():
        setattr(profile, name, value)
    db.session.add(profile)
    db.session.commit()


def statements_of(call):
    """Run ``call()``; return its result and the SQL it sent, upper-cased."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return result, " ".join(sent).upper()


@pytest.fixture
def people(ctx, make_member):
    """taro searches; hanako is his friend, saburo her friend, jiro a stranger; blocker blocked
    taro. Each lives in 横浜市, shown to some."""
    ids = {"taro": make_member("taro", nickname="たろう")}
    ids["hanako"] = make_member("hanako", nickname="はなこ", friends=(ids["taro"],))
    ids["saburo"] = make_member("saburo", nickname="さぶろう", friends=(ids["hanako"],))
    ids["jiro"] = make_member("jiro", nickname="じろう")
    ids["blocker"] = make_member("blocker", nickname="ブロッカー")
    set_profile(ids["hanako"], area="横浜市西区", area_visibility="friends")
    set_profile(ids["saburo"], area="横浜市中区", area_visibility="fof")
    set_profile(ids["jiro"], area="横浜市港北区", area_visibility="private")
    set_profile(ids["blocker"], area="横浜市南区", area_visibility="public")
    social.block(db.session.get(Member, ids["blocker"]), db.session.get(Member, ids["taro"]))
    db.session.commit()
    return ids


def member_ids(hits) -> list[int]:
    return sorted(hit.member.id for hit in hits)


@pytest.mark.parametrize(
    ("viewer", "found"),
    [
        ("taro", ["hanako", "saburo"]),  # friend, friend of a friend; blocker blocked him
        ("hanako", ["blocker", "hanako", "saburo"]),  # the public area, herself, her friend
        ("jiro", ["blocker", "jiro"]),  # the public area, his own private one
    ],
)
def test_indexed_member_search_shows_only_fields_the_viewer_may_see(people, viewer, found):
    (hits, total), sql = statements_of(
        lambda: search.search_members(people[viewer], "横浜市", 0, 20)
    )
    assert member_ids(hits) == sorted(people[k] for k in found)
    assert total == len(found)
    if db.engine.dialect.name == "sqlite":
        assert "MEMBER_FTS MATCH" in sql
    else:
        assert "ILIKE" in sql


def test_the_member_index_follows_nicknames_profiles_and_leaving(people):
    hanako = db.session.get(Member, people["hanako"])
    profiles.update_profile(
        hanako,
        nickname="花子さくら",
        real_name=None,
        gender=None,
        area="名古屋市",
        hobbies="ピアノ演奏",
        introduction=None,
        visibilities={"area": "public", "hobbies": "public"},
    )
    db.session.commit()
    taro = people["taro"]
    assert search.search_members(taro, "はなこ", 0, 20) == ([], 0)
    assert search.search_members(taro, "横浜市西", 0, 20) == ([], 0)
    for query in ("花子さくら", "名古屋", "ピアノ演"):
        assert member_ids(search.search_members(taro, query, 0, 20)[0]) == [hanako.id], query
    db.session.delete(db.session.get(Profile, hanako.id))
    db.session.commit()
    assert search.search_members(taro, "ピアノ演", 0, 20) == ([], 0)
    assert member_ids(search.search_members(taro, "花子さく", 0, 20)[0]) == [hanako.id]
    db.session.delete(hanako)
    db.session.commit()
    assert search.search_members(taro, "花子さく", 0, 20) == ([], 0)


def test_the_review_index_follows_edits_and_deletions_and_both_widths(people):
    hanako = db.session.get(Member, people["hanako"])
    review = reviews.create(
        hanako, title="駅前のカフェ", category="other", rating=4, url=None, body="静かでよい"
    )
    db.session.commit()
    (found, total), sql = statements_of(
        lambda: search.search_reviews(people["taro"], "ｶﾌｪ", 0, 10)  # typed on a phone
    )
    assert ([r.id for r in found], total) == ([review.id], 1)
    if db.engine.dialect.name == "sqlite":
        assert "REVIEW_FTS MATCH" in sql
    review.title, review.body = "駅前の本屋", "品揃えがよい"
    db.session.commit()
    assert search.search_reviews(people["taro"], "カフェ", 0, 10) == ([], 0)
    assert [r.id for r in search.search_reviews(people["taro"], "品揃え", 0, 10)[0]] == [review.id]
    db.session.delete(review)
    db.session.commit()
    assert search.search_reviews(people["taro"], "品揃え", 0, 10) == ([], 0)


def test_totals_stop_at_the_cap_and_count_only_what_the_viewer_may_read(people, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(5):
        write(
            people["hanako"], f"カフェ日記{n}", visibility="friends", when=datetime(2008, 5, n + 1)
        )
    write(people["hanako"], "秘密のカフェ日記", visibility="private")
    found, total = search.search_diaries(people["taro"], "カフェ日", 0, 2)
    assert [d.title for d in found] == ["カフェ日記4", "カフェ日記3"]
    assert total == 4  # more than the cap: counting stopped
    assert search.shown_total(total) == (3, True)
    assert search.search_diaries(people["jiro"], "カフェ日", 0, 2) == ([], 0)  # friends only
    assert search.search_diaries(people["hanako"], "カフェ日", 0, 10)[1] == 4
    assert search.shown_total(2) == (2, False)


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_the_page_says_more_past_the_cap(app, browser, login, people, monkeypatch, agent):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for n in range(5):
        write(people["hanako"], f"カフェ日記{n}", when=datetime(2008, 5, n + 1))
    client = client_for(browser, agent)
    login(client, "taro")
    encoding = "cp932" if agent == DOCOMO_MOVA else "utf-8"
    page = go(client, "/search?" + urlencode({"q": "カフェ日記"}, encoding=encoding))
    assert page.status == 200
    assert "(3+)" in page.text
    few = go(client, "/search?" + urlencode({"q": "カフェ日記4"}, encoding=encoding))
    assert "(1)" in few.text
    assert "+)" not in few.text


def test_short_queries_look_among_the_newest_rows_only(people, monkeypatch):
    """Two characters cannot use a trigram index: they are matched among the newest
    SHORT_WINDOW rows, where a longer query searches everything."""
    monkeypatch.setattr(search, "SHORT_WINDOW", 3)
    hanako, taro = people["hanako"], people["taro"]
    written = [write(hanako, f"東京{n}", when=datetime(2008, 5, n + 1)) for n in range(5)]
    (found, total), sql = statements_of(lambda: search.search_diaries(taro, "東京", 0, 10))
    assert [d.id for d in found] == written[:1:-1]  # the newest three, newest first
    assert total == 3
    if db.engine.dialect.name == "sqlite":
        assert "DIARY_FTS" not in sql
    found, total = search.search_diaries(taro, "東京1", 0, 10)  # indexed: the whole table
    assert [d.id for d in found] == [written[1]]
    write(hanako, "私的な東京", visibility="private")
    assert search.search_diaries(taro, "東京", 0, 10)[1] == 2  # the private one is not his
    assert search.search_diaries(hanako, "東京", 0, 10)[1] == 3
    # Members too: the newest three are saburo, jiro and blocker; たろう is older than that.
    hits, _ = search.search_members(taro, "ろう", 0, 10)
    assert member_ids(hits) == sorted([people["saburo"], people["jiro"]])

"""Reviews (レビュー): writing on a phone, reading on a PC, links through /jump, star ratings,
friends' reviews on home, blocked authors' reviews hidden, and only the author edits.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Member, Review
from portal.models._time import utcnow
from portal.services import ServiceError, reviews, social
from tests.browser import DOCOMO_MOVA, PC
from tests.pages import (
    assert_fits_d501i,
    client_for,
    forge,
    go,
    has_form,
    has_link,
    href,
    path_of,
)

REVIEW = {
    "title": "ノルウェイの森",
    "category": "book",
    "rating": "4",
    "url": "https://example.com/books/norwegian-wood?from=keitai&ref=1",
    "body": "何度読んでも新しい発見があります。\n秋の夜長におすすめです。",
}


def member(member_id: int) -> Member:
    return db.session.get(Member, member_id)


def write(app, author: int, **fields) -> int:
    with app.app_context():
        values = {**REVIEW, **fields}
        review = reviews.create(member(author), **values)
        db.session.commit()
        return review.id


def review_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Review))


def test_a_review_written_on_a_phone_reads_on_a_pc_with_its_link_through_jump(
    app, browser, login, trio
):
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "hanako")
    profile = go(phone, f"/users/{trio['hanako']}")
    mine = phone.get(href(profile, f"/users/{trio['hanako']}/reviews"))
    assert_fits_d501i(mine)
    form_page = phone.get(href(mine, "/reviews/new"))
    assert_fits_d501i(form_page)
    page = phone.submit("/reviews/new", REVIEW)
    assert_fits_d501i(page)
    with app.app_context():
        review = db.session.scalars(select(Review)).one()
        review_id = review.id
        assert (review.author_id, review.rating, review.category) == (trio["hanako"], 4, "book")
        assert review.url == REVIEW["url"]
    assert path_of(page) == f"/reviews/{review_id}"
    # ★★★★☆ in Shift_JIS: ★ is 0x819A, ☆ 0x8199.
    assert b"\x81\x9a" * 4 + b"\x81\x99" in page.body
    for client in (phone, browser(PC)):
        if client is not phone:
            login(client, "taro")
        page = go(client, f"/reviews/{review_id}")
        assert page.status == 200
        assert "★★★★☆" in page.text
        assert "何度読んでも新しい発見があります。<br />秋の夜長におすすめです。" in page.text
        jump = href(page, "/jump")
        assert parse_qs(urlsplit(jump).query)["url"] == [REVIEW["url"]]
        assert "sid=" not in jump
        assert not any(url.startswith("http") for url, _text in page.links), "no direct link"


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA], ids=["pc", "docomo"])
def test_friends_reviews_show_on_home(app, browser, login, trio, agent):
    friend_review = write(app, trio["hanako"], title="友達のおすすめ", rating="3")
    write(app, trio["jiro"], title="知らない人のおすすめ")
    client = client_for(browser, agent)
    home = login(client, "taro")
    if agent == DOCOMO_MOVA:
        assert_fits_d501i(home)
    assert "友達のおすすめ" in home.text
    assert "★★★☆☆" in home.text
    assert "知らない人のおすすめ" not in home.text
    assert has_link(home, f"/reviews/{friend_review}")


def test_a_blocked_author_s_reviews_are_hidden(app, browser, login, trio):
    review_id = write(app, trio["hanako"], title="はなこのレビュー")
    with app.app_context():
        social.block(member(trio["hanako"]), member(trio["jiro"]))
        db.session.commit()
    for agent in (PC, DOCOMO_MOVA):
        blocked = client_for(browser, agent)
        login(blocked, "jiro")
        page = go(blocked, f"/reviews/{review_id}")
        assert page.status == 404
        assert "はなこのレビュー" not in page.text
        assert go(blocked, f"/users/{trio['hanako']}/reviews").status == 404
    with app.app_context():
        assert reviews.get_visible(review_id, trio["jiro"]) is None
        assert reviews.count_of(member(trio["hanako"]), trio["jiro"]) == 0
        assert reviews.list_of(member(trio["hanako"]), trio["jiro"]) == []
        # Everyone else still reads it.
        assert reviews.get_visible(review_id, trio["taro"]) is not None
        assert reviews.count_of(member(trio["hanako"]), trio["taro"]) == 1


def test_a_friend_who_blocks_me_leaves_my_home(app, browser, login, trio):
    write(app, trio["hanako"], title="はなこのレビュー")
    pc = browser(PC)
    assert "はなこのレビュー" in login(pc, "taro").text
    with app.app_context():
        social.block(member(trio["hanako"]), member(trio["taro"]))
        db.session.commit()
        assert reviews.friends_newest(member(trio["taro"]), 10) == []
    assert "はなこのレビュー" not in pc.get("/home").text


def test_only_the_author_edits_and_deletes(app, browser, login, trio):
    review_id = write(app, trio["hanako"])
    taro = browser(PC)
    login(taro, "taro")
    page = taro.get(f"/reviews/{review_id}")
    assert not has_link(page, f"/reviews/{review_id}/edit")
    assert taro.get(f"/reviews/{review_id}/edit").status == 404
    forge(taro.get("/reviews/new"), f"/reviews/{review_id}/delete")
    assert taro.submit(f"/reviews/{review_id}/delete").status == 404
    with app.app_context():
        with pytest.raises(ServiceError):
            reviews.delete(member(trio["taro"]), db.session.get(Review, review_id))
    assert review_count(app) == 1

    hanako = browser(PC)
    login(hanako, "hanako")
    page = hanako.get(href(hanako.get(f"/reviews/{review_id}"), f"/reviews/{review_id}/edit"))
    assert page.form(f"/reviews/{review_id}/edit").fields["title"] == REVIEW["title"]
    page = hanako.submit(
        f"/reviews/{review_id}/edit", {**REVIEW, "rating": "2", "url": "", "body": "読み直したら…"}
    )
    assert path_of(page) == f"/reviews/{review_id}"
    assert "★★☆☆☆" in page.text
    assert not has_link(page, "/jump")
    hanako.get(f"/reviews/{review_id}/edit")
    page = hanako.submit(f"/reviews/{review_id}/delete")
    assert path_of(page) == f"/users/{trio['hanako']}/reviews"
    assert review_count(app) == 0
    assert hanako.get(f"/reviews/{review_id}").status == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "http://例え.jp/"),
        ("url", "https://example.com/" + "a" * 300),
        ("rating", "9"),
        ("category", "car"),
        ("title", ""),
        ("body", " "),
    ],
)
def test_a_review_with_a_bad_field_is_refused(app, browser, login, trio, field, value):
    pc = browser(PC)
    login(pc, "taro")
    pc.get("/reviews/new")
    page = pc.submit("/reviews/new", {**REVIEW, field: value})
    assert page.status == 200
    assert path_of(page) == "/reviews/new"
    assert 'class="error"' in page.text
    assert review_count(app) == 0


def test_the_service_checks_what_the_form_does_not(ctx, make_member):
    author = make_member("taro")
    me = db.session.get(Member, author)
    for bad in ({"rating": 0}, {"rating": "x"}, {"category": "car"}, {"url": "ftp://a.jp/"}):
        with pytest.raises(ServiceError):
            reviews.create(me, **{**REVIEW, **bad})
    review = reviews.create(me, **{**REVIEW, "url": "  "})
    assert review.url is None


def test_a_member_s_reviews_are_paged_on_a_d501i_within_5120_bytes(app, browser, login, trio):
    with app.app_context():
        now = utcnow()
        for n in range(20):
            reviews.create(
                member(trio["hanako"]),
                **{**REVIEW, "title": f"{n:02d}" + "題" * 48, "body": "本文" * 500},
                created_at=now - timedelta(minutes=n),
            )
        db.session.commit()
    phone = browser(DOCOMO_MOVA, cookies=False)
    login(phone, "taro")
    assert_fits_d501i(go(phone, "/home"))
    page = go(phone, f"/users/{trio['hanako']}/reviews")
    seen, pages = set(), 1
    while True:
        assert_fits_d501i(page)
        seen.update(
            text[:2] for url, text in page.links if urlsplit(url).path.startswith("/reviews/")
        )
        if "6" not in page.accesskeys:
            break
        page = phone.get(page.accesskeys["6"])
        pages += 1
    assert pages > 1
    assert {f"{n:02d}" for n in range(20)} <= seen
    first = next(url for url, _text in page.links if urlsplit(url).path.startswith("/reviews/"))
    review = phone.get(first)
    parts = 1
    while "6" in review.accesskeys:
        assert_fits_d501i(review)
        review = phone.get(review.accesskeys["6"])
        parts += 1
    assert_fits_d501i(review)
    assert parts > 1
    assert not has_form(review, "/reviews/new")


def test_review_pages_need_login(browser, trio):
    pc = browser(PC)
    for path in (f"/users/{trio['taro']}/reviews", "/reviews/new", "/reviews/1"):
        assert path_of(pc.get(path)) == "/login", path

"""Learner mode as a learner sees it: furigana over member text (ruby on PCs, 漢字(かんじ) on
phones), only above the chosen kanji level, the words of a post with their English meanings,
the switch (a POST with the CSRF token), and plain text when a text has no stored reading.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.i18n import analysis
from portal.models import Diary, Member, TextReading
from portal.services import diaries, readings
from tests.browser import AU, DOCOMO_MOVA, PC
from tests.pages import assert_fits_d501i
from tests.test_budget_crawl import xml_problem

#: 新 is an old JLPT level 4 kanji (the easiest), 扱 level 1; 鬱 is in no list.
BODY = "新しい日記を書きました。\n取り扱いに注意。憂鬱！ https://example.jp/a"
RUBY_NEW = '<ruby title="new; novel; fresh">新<rp>(</rp><rt>あたら</rt><rp>)</rp></ruby>しい'


def _diary(app, author_id: int, body: str = BODY, title: str = "東京の日記") -> int:
    with app.app_context():
        diary = diaries.create(
            db.session.get(Member, author_id), title=title, body=body, visibility="public"
        )
        db.session.commit()
        return diary.id


def _set_furigana(app, member_id: int, level: str | None) -> None:
    with app.app_context():
        db.session.get(Member, member_id).furigana = level
        db.session.commit()


@pytest.fixture
def taro(make_member):
    return make_member("taro", nickname="たろう")


def _reading_page(client, path: str = "/settings/reading"):
    page = client.get(path)
    assert page.status == 200
    return page


# -- what is stored ------------------------------------------------------------------------


def test_readings_keep_okurigana_out_of_the_ruby():
    assert analysis.split_okurigana("新しい", "あたらしい") == [(0, 1, "あたら")]
    assert analysis.split_okurigana("取り扱い", "とりあつかい") == [(0, 1, "と"), (2, 3, "あつか")]
    assert analysis.split_okurigana("日記", "にっき") == [(0, 2, "にっき")]


def test_saving_a_diary_stores_its_readings_and_an_edit_replaces_them(app, taro):
    diary_id = _diary(app, taro)
    with app.app_context():
        rows = {r.field: r for r in db.session.scalars(select(TextReading))}
        assert set(rows) == {"title", "body"}
        spans = {BODY[s:e]: read for s, e, read, _level, _word in rows["body"].data["r"]}
        assert spans["新"] == "あたら"
        assert spans["日記"] == "にっき"
        assert spans["扱"] == "あつか"
        assert ["日記", "にっき", "diary; journal"] in rows["body"].data["w"]
        diary = db.session.get(Diary, diary_id)
        diaries.update(
            diary.author,
            diary,
            title="東京の日記",
            body="今日は雨。",
            visibility="public",
            comments_closed=False,
        )
        db.session.commit()
        body = db.session.get(TextReading, ("diary", diary_id, "body"))
        assert body.source_hash == readings.text_hash("今日は雨。")
        assert [r[2] for r in body.data["r"]] == ["きょう", "あめ"]


# -- what a learner sees on a PC ----------------------------------------------------------


def test_ruby_only_with_furigana_on_in_every_language(app, browser, login, taro):
    diary_id = _diary(app, taro)
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/diaries/{diary_id}")
    assert "<ruby" not in page.text
    assert "新しい日記" in page.text
    assert "Words in this post" not in page.text
    footer = page.form("/furigana/on")
    page = pc.submit("/furigana/on", {"next": f"/diaries/{diary_id}"})
    assert page.status == 200
    assert footer
    assert RUBY_NEW in page.text, "okurigana outside the ruby, the meaning on hover"
    assert "<h1><ruby" in page.text, "the title too"
    assert 'href="/jump?url=https' in page.text, "URLs are still linked"
    assert "/about/dictionaries" in page.text, "every glossary links the attribution"
    assert "diary; journal" in page.text
    for code in ("en", "zh", "ko"):
        page = pc.get(f"/lang/{code}?next=/diaries/{diary_id}")
        assert RUBY_NEW in page.text, code
    page = pc.submit("/furigana/off", {"next": f"/diaries/{diary_id}"})
    assert "<ruby" not in page.text


def test_level_shows_readings_only_over_harder_kanji(app, browser, login, taro):
    diary_id = _diary(app, taro)
    pc = browser(PC)
    login(pc, "taro")
    _reading_page(pc)
    pc.submit("/settings/reading", {"furigana": "4"})
    text = pc.get(f"/diaries/{diary_id}").text
    assert "<rt>あたら</rt>" not in text, "新 is level 4: known"
    assert "<rt>あつか</rt>" in text
    assert "<rt>ゆううつ</rt>" in text
    _set_furigana(app, taro, "1")
    text = pc.get(f"/diaries/{diary_id}").text
    assert "<rt>あつか</rt>" not in text, "扱 is level 1: known"
    assert "<rt>ゆううつ</rt>" in text, "鬱 is in no list"


def test_reading_settings_refuse_an_unknown_level(app, browser, login, taro):
    pc = browser(PC)
    login(pc, "taro")
    _reading_page(pc)
    page = pc.submit("/settings/reading", {"furigana": "9"})
    assert page.status == 400
    with app.app_context():
        assert db.session.get(Member, taro).furigana is None


def test_the_switch_is_a_post_with_the_csrf_token(app, browser, login, taro):
    pc = browser(PC)
    login(pc, "taro")
    assert pc.get("/furigana/on").status == 405, "a GET changes nothing"
    pc.get("/settings")
    page = pc.submit("/furigana/on", drop=("csrf_token",))
    assert page.status == 400
    with app.app_context():
        assert db.session.get(Member, taro).furigana is None
    pc.get("/settings")
    pc.submit("/furigana/on")
    with app.app_context():
        assert db.session.get(Member, taro).furigana == "all"


def test_a_visitor_keeps_furigana_in_the_session(app, browser):
    pc = browser(PC)
    page = pc.get("/about/dictionaries")
    assert "CC BY-SA 4.0" in page.text
    assert "EDRDG" in page.text
    assert "UniDic" in page.text
    page = pc.submit("/furigana/on", {"next": "/about/dictionaries"})
    assert page.form("/furigana/off"), "the footer now offers to hide them"
    assert pc.get("/settings/reading").text.count('value="all" checked') == 1


def test_text_without_a_stored_reading_is_shown_plain(app, browser, login, taro):
    changed = _diary(app, taro)
    plain = _diary(app, taro, body="ひらがなだけ。", title="かな")
    with app.app_context():  # changed outside the ORM: the stored reading no longer matches
        db.session.execute(update(Diary).where(Diary.id == changed).values(body="新しい本。"))
        db.session.commit()
    _set_furigana(app, taro, "all")
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/diaries/{changed}")
    assert page.status == 200
    assert "新しい本。" in page.text
    assert "<rt>" not in page.text.split('id="diary-body"')[1].split("</div>")[0]
    page = pc.get(f"/diaries/{plain}")
    assert page.status == 200
    assert "ひらがなだけ。" in page.text
    with app.app_context():
        assert readings.backfill() >= 1
        db.session.commit()
    assert "<rt>ほん</rt>" in pc.get(f"/diaries/{changed}").text


def test_backfill_writes_missing_readings(app, taro):
    diary_id = _diary(app, taro)
    with app.app_context():
        db.session.execute(delete(TextReading))
        db.session.commit()
        assert readings.backfill() == 1
        db.session.commit()
        assert db.session.get(TextReading, ("diary", diary_id, "body")) is not None
        assert readings.backfill() == 0


# -- on phones -----------------------------------------------------------------------------


def test_a_d501i_shows_readings_in_parentheses_within_5_kb(app, browser, login, taro):
    long_body = "\n".join(["今日は新しい友達と東京の公園で写真を撮りました。"] * 120)
    diary_id = _diary(app, taro, body=long_body)
    _set_furigana(app, taro, "all")
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = login(phone, "taro")
    sid = page.url.split("sid=")[1].split("&")[0]
    page = phone.get(f"/diaries/{diary_id}?sid={sid}")
    assert "新(あたら)しい" in page.text
    assert "<ruby" not in page.text
    assert "ﾛｸﾞｱｳﾄ" not in page.text, "learner mode: full-width UI kana"
    parts = 1
    while True:
        assert_fits_d501i(page)
        nxt = [url for url, _t in page.links if f"part={parts + 1}" in url]
        if not nxt:
            break
        parts += 1
        page = phone.get(nxt[0])
    assert parts > 2
    assert_fits_d501i(phone.get(f"/settings/reading?sid={sid}"))
    assert_fits_d501i(phone.get(f"/settings?sid={sid}"))
    assert_fits_d501i(phone.get(f"/about/dictionaries?sid={sid}"))


def test_au_pages_with_readings_are_well_formed_xhtml(app, browser, login, taro):
    diary_id = _diary(app, taro)
    _set_furigana(app, taro, "all")
    au = browser(AU)
    login(au, "taro")
    page = au.get(f"/diaries/{diary_id}")
    assert "新(あたら)しい" in page.text
    for shown in (page, au.get("/settings/reading"), au.get("/about/dictionaries")):
        assert shown.status == 200
        assert xml_problem(shown.text) is None, shown.url


def test_the_backfill_command_and_task(app, runner, taro):
    diary_id = _diary(app, taro)
    with app.app_context():
        db.session.execute(delete(TextReading))
        db.session.commit()
    result = runner.invoke(args=["readings", "backfill"])
    assert result.exit_code == 0, result.output
    assert "1 texts" in result.output
    with app.app_context():
        db.session.execute(delete(TextReading))
        db.session.commit()
    result = runner.invoke(args=["readings", "backfill", "--queue"])  # memory:// runs it at once
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(TextReading, ("diary", diary_id, "title")) is not None


# -- topics ----------------------------------------------------------------------------------


def test_topics_and_their_comments_get_furigana(app, browser, login, taro):
    from portal.models import Topic
    from portal.services import topic_comments
    from tests.fixtures.factories import make_community, make_topic

    community = make_community(app, taro)
    topic_id = make_topic(app, community, taro, title="新しい話題", body=BODY)
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        topic_comments.THREAD.add(topic.author, topic, "漢字の読み方")
        db.session.commit()
    _set_furigana(app, taro, "all")
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/topics/{topic_id}")
    assert "<h1><ruby" in page.text
    assert RUBY_NEW in page.text
    assert "<rt>かんじ</rt>" in page.text, "the latest comments"
    assert "<rt>かんじ</rt>" in pc.get(f"/topics/{topic_id}/comments").text
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    sid = home.url.split("sid=")[1].split("&")[0]
    page = phone.get(f"/topics/{topic_id}?sid={sid}")
    assert "新(あたら)しい" in page.text
    assert_fits_d501i(page)


# -- romaji ----------------------------------------------------------------------------------


def test_nicknames_have_romaji_in_the_english_ui(app, browser, login, make_member, taro):
    hanako = make_member("hanako", nickname="＠はなこ☆", friends=(taro,))
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get(f"/users/{hanako}")
    assert "＠はなこ☆" in page.text
    assert "(Hanako)" not in page.text, "not in the Japanese UI"
    page = pc.get(f"/lang/en?next=/users/{hanako}")
    assert "＠はなこ☆ (Hanako)" in page.text, "symbols left out of the romaji"
    with app.app_context():
        db.session.get(Member, hanako).nickname = "ゆうこ"
        db.session.commit()
        assert db.session.get(Member, hanako).nickname_romaji == "Yūko"
        assert db.session.get(Member, taro).nickname_romaji == "Tarō"
    assert "ゆうこ (Yūko)" in pc.get(f"/users/{hanako}").text
    latin = make_member("kenji", nickname="Kenji", friends=(taro,))
    assert "Kenji (" not in pc.get(f"/users/{latin}").text


def test_phones_list_the_words_on_a_page_of_their_own(app, browser, login, make_member, taro):
    diary_id = _diary(app, taro)
    stranger = make_member("jiro", nickname="じろう")
    with app.app_context():
        secret = diaries.create(
            db.session.get(Member, stranger), title="秘密", body="秘密の日記", visibility="private"
        ).id
        db.session.commit()
    _set_furigana(app, taro, "3")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    sid = home.url.split("sid=")[1].split("&")[0]
    page = phone.get(f"/diaries/{diary_id}?sid={sid}")
    words = next(url for url, _t in page.links if url.startswith(f"/words/diary/{diary_id}"))
    page = phone.get(words)
    assert_fits_d501i(page)
    assert '日記(にっき):<span lang="en">diary; journal</span>' in page.text
    assert "/about/dictionaries" in page.text
    assert phone.get(f"/words/diary/{secret}?sid={sid}").status == 404, "not readable: a 404"
    assert phone.get(f"/words/photo/{diary_id}?sid={sid}").status == 404


def test_japanese_ui_strings_get_furigana_from_the_compiled_catalogue(app, browser, login, taro):
    pc = browser(PC)
    login(pc, "taro")
    page = pc.get("/settings")
    assert "<ruby" not in page.text
    _set_furigana(app, taro, "all")
    page = pc.get("/settings")
    assert "<rp>(</rp><rt>せってい</rt><rp>)</rp></ruby>" in page.text, "the page's heading"
    assert "日記<rp>(</rp><rt>にっき</rt>" in page.text, "the area tabs"
    title = page.text.split("<title>")[1].split("</title>")[0]
    assert "<" not in title, "no markup where HTML takes none"
    page = pc.get("/lang/en?next=/settings")
    assert "<ruby" not in page.text, "English UI strings have no kanji"
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = login(phone, "taro")
    assert "(せってい)" not in home.text, "phones keep their UI within 5 KB"


def test_a_cached_home_follows_the_furigana_switch(app, browser, login, taro):
    pc = browser(PC)
    home = login(pc, "taro")
    assert home.form("/furigana/on")
    pc.get(home.url)  # cached now
    page = pc.submit("/furigana/on", {"next": "/home"})
    assert page.form("/furigana/off"), "the page cache keys on the setting (the commit moves it)"
    assert "<rt>" in page.text, "the Japanese UI's area tabs"
    page = pc.submit("/furigana/off", {"next": "/home"})
    assert page.form("/furigana/on")
    assert "<rt>" not in page.text

"""Four UI languages (ja, en, zh, ko): what each device is offered, keeping a choice without a GET
that changes stored data, /jump without the session, the feed's language, locale formats,
plural forms, message contexts and full-width kana for learners."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree as ET

import pytest
from babel.messages.pofile import read_po
from flask import render_template_string

from portal.extensions import db
from portal.i18n import catalogues, day, month_day, number, when, year_month
from portal.keitai.encoding import shows
from portal.keitai.hankaku import to_hankaku
from portal.keitai.session_ids import hash_id
from portal.models import Member
from tests.browser import AU, DOCOMO_FOMA, DOCOMO_MOVA, IPHONE, PC, SOFTBANK, sid_of
from tests.fixtures.factories import PASSWORD, add_member, make_community, make_event
from tests.test_diary_pages import make_diary

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM = "{http://www.w3.org/2005/Atom}"


def log_in(client, name: str):
    client.get("/login")
    return client.submit("/login", {"email": f"{name}@example.jp", "password": PASSWORD})


def switch_targets(page) -> dict[str, str]:
    """The language switch on ``page``: ``{code: href}`` for each ``/lang/<code>`` link."""
    found = {}
    for href, _ in page.links:
        path = urlsplit(href).path
        if path.startswith("/lang/"):
            found[path.removeprefix("/lang/")] = href
    return found


def saved_locale(app, member_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Member, member_id).locale


# --- what each device is offered ------------------------------------------------------------


@pytest.mark.parametrize("agent", [PC, IPHONE, SOFTBANK])
def test_unicode_devices_are_offered_all_four_languages(browser, agent):
    page = browser(agent).get("/login")
    assert set(switch_targets(page)) == {"en", "zh", "ko"}
    for code, tag, name in [
        ("en", "en", "English"),
        ("zh", "zh-Hans", "简体中文"),
        ("ko", "ko", "한국어"),
    ]:
        link = re.search(rf'<a href="[^"]*/lang/{code}\?[^"]*"([^>]*)>{name}</a>', page.text)
        assert link, (code, page.text)
        assert f'lang="{tag}"' in link.group(1)
        if agent != SOFTBANK or "hreflang" in link.group(1):
            assert f'hreflang="{tag}"' in link.group(1)


@pytest.mark.parametrize("agent", [DOCOMO_MOVA, DOCOMO_FOMA, AU])
def test_shift_jis_phones_are_offered_japanese_and_english_only(browser, agent):
    phone = browser(agent, cookies=agent != DOCOMO_MOVA)
    page = phone.get("/login")
    assert page.charset == "Shift_JIS"
    assert set(switch_targets(page)) == {"en"}, "Shift_JIS has no Hangul and few simplified hanzi"
    # The switch link says which language it leads to, as the markup allows.
    link = re.search(r'<a href="[^"]*/lang/en\?[^"]*"([^>]*)>English</a>', page.text).group(1)
    assert 'lang="en"' in link
    if agent == AU:  # XHTML Mobile: xml:lang and hreflang
        assert 'xml:lang="en"' in link
        assert 'hreflang="en"' in link
    english = phone.get(switch_targets(page)["en"])
    assert english.html_lang == "en"
    assert set(switch_targets(english)) == {"ja"}
    assert re.search(r'<a href="[^"]*/lang/ja\?[^"]*" lang="ja"[^>]*>日本語</a>', english.text)


@pytest.mark.parametrize("code", ["zh", "ko"])
def test_a_shift_jis_phone_asking_for_zh_or_ko_gets_english_and_is_told_why(browser, code):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/login")
    sid = sid_of(page.links[0][0]) or sid_of(page.forms[0].action)
    page = phone.get(f"/lang/{code}?next=/login&sid={sid}")
    assert page.status == 200
    assert page.html_lang == "en"
    assert "This phone cannot show that language, so pages are in English." in page.text
    assert "\u3013" not in page.text, "no geta marks for characters the phone lacks"
    # The choice stays in the session; the next page is English too.
    assert phone.get(page.links[0][0]).html_lang == "en"


@pytest.mark.parametrize(("code", "text"), [("zh", "首页"), ("ko", "홈")])
def test_a_member_who_saved_zh_or_ko_reads_it_on_unicode_devices_and_english_on_shift_jis(
    app, browser, make_member, code, text
):
    make_member("taro", nickname="たろう", locale=code)
    for agent, lang in [
        (PC, code),
        (SOFTBANK, code),
        (IPHONE, code),
        (DOCOMO_MOVA, "en"),
        (AU, "en"),
    ]:
        client = browser(agent, cookies=agent != DOCOMO_MOVA)
        home = log_in(client, "taro")
        assert home.status == 200, agent
        expected = {"zh": "zh-Hans"}.get(lang, lang)
        assert home.html_lang == expected, agent
        if lang == code:
            assert text in home.text
        # The settings page offers only what the device can show.
        settings = client.get(next(h for h, _ in home.links if urlsplit(h).path == "/settings"))
        radios = set(re.findall(r'name="locale" value="(\w+)"', settings.text))
        assert radios == ({"ja", "en", "zh", "ko"} if lang == code else {"ja", "en"}), agent


def test_ja_and_en_fit_shift_jis_and_zh_and_ko_do_not():
    """The rule behind the offer: a language is offered where its whole catalogue shows."""
    for locale, fits in [("ja", True), ("en", True), ("zh", False), ("ko", False)]:
        path = catalogues.TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            strings = [
                s
                for m in read_po(fh, locale=locale)
                if m.id
                for s in (m.string if isinstance(m.string, tuple) else (m.string,))
            ]
        assert all(shows(s, "cp932") for s in strings) is fits, locale


# --- no GET changes stored data (issue 12.11) -----------------------------------------------


@pytest.mark.parametrize("agent", [PC, DOCOMO_MOVA])
def test_the_switch_as_a_get_never_changes_the_saved_language(app, browser, make_member, agent):
    taro = make_member("taro", nickname="たろう", locale="ja")
    client = browser(agent, cookies=agent == PC)
    home = log_in(client, "taro")
    page = client.get(switch_targets(home)["en"])
    assert page.html_lang == "en", "the visit is in English"
    assert saved_locale(app, taro) == "ja", "a GET (an <img> on another site) saved nothing"
    # An image on another site, with the member's cookie: still nothing saved.
    client.client.get("/lang/ko", headers={"User-Agent": agent, "Referer": "http://evil.example/"})
    assert saved_locale(app, taro) == "ja"


def test_the_pc_offers_to_keep_a_switched_language_with_a_post(app, browser, make_member):
    taro = make_member("taro", nickname="たろう", locale="ja")
    pc = browser(PC)
    home = log_in(pc, "taro")
    assert not any("/settings/language" in f.action for f in home.forms)
    page = pc.get(switch_targets(home)["ko"])
    assert "이번 방문 동안만 이 언어로 표시합니다." in page.text
    form = page.form("/settings/language")
    assert form.fields["locale"] == "ko"
    assert form.fields["csrf_token"]
    forged = pc.submit("/settings/language", drop=("csrf_token",))
    assert forged.status == 400
    assert saved_locale(app, taro) == "ja"
    page = pc.get(switch_targets(home)["ko"])
    saved = pc.submit("/settings/language")
    assert saved.html_lang == "ko"
    assert "언어를 저장했습니다." in saved.text
    assert saved_locale(app, taro) == "ko"
    assert not any("/settings/language" in f.action for f in saved.forms), "nothing left to keep"


def test_the_settings_page_saves_the_language_on_a_cookieless_docomo(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = log_in(phone, "taro")
    settings = phone.get(next(h for h, _ in home.links if urlsplit(h).path == "/settings"))
    assert sid_of(settings.form("/settings/language").action)
    page = phone.submit("/settings/language", {"locale": "en"})
    assert page.html_lang == "en"
    assert saved_locale(app, taro) == "en"
    refused = phone.submit("/settings/language", {"locale": "fr"}, follow=False)
    assert refused.status == 400
    assert saved_locale(app, taro) == "en"


# --- a visitor's choice is saved at login and signup (issue 16.5) ---------------------------


def test_a_visitors_choice_is_saved_at_login_and_follows_to_other_devices(
    app, browser, make_member
):
    taro = make_member("taro", nickname="たろう", locale="ja")
    pc = browser(PC)
    pc.get(switch_targets(pc.get("/login"))["en"])
    home = log_in(pc, "taro")
    assert home.html_lang == "en"
    assert saved_locale(app, taro) == "en", "the choice made just before logging in is saved"
    phone = browser(DOCOMO_MOVA, cookies=False)
    assert log_in(phone, "taro").html_lang == "en"


def test_a_language_kept_after_logout_is_not_saved_to_the_next_account(app, browser, make_member):
    make_member("taro", nickname="たろう", locale="ko")
    hanako = make_member("hanako", nickname="はなこ")
    shared = browser(PC)
    log_in(shared, "taro")
    page = shared.submit("/logout")
    assert page.html_lang == "ko", "the browser keeps showing the language it had"
    home = log_in(shared, "hanako")
    assert home.html_lang == "ko", "hanako chose nothing: the browser's language goes on"
    assert saved_locale(app, hanako) is None, "but it was taro's, not hanako's choice"


def test_signup_saves_the_visitors_language(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    with app.app_context():
        from portal.services import accounts

        token = accounts.create_invitation(db.session.get(Member, taro), None).token
        db.session.commit()
    pc = browser(PC)
    page = pc.get(f"/signup?invite={token}")
    page = pc.get(switch_targets(page)["zh"])
    assert page.html_lang == "zh-Hans"
    home = pc.submit(
        "/signup",
        {
            "nickname": "ゆき",
            "email": "yuki@example.jp",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "birth_year": "1990",
            "birth_month": "4",
            "birth_day": "2",
        },
    )
    assert home.status == 200, home.text
    with app.app_context():
        member = db.session.query(Member).filter_by(email="yuki@example.jp").one()
        assert member.locale == "zh"
    assert log_in(browser(IPHONE), "yuki").html_lang == "zh-Hans"


# --- /jump carries the language without the session -----------------------------------------


def test_jump_links_carry_the_language_on_cookieless_phones(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    diary_id = make_diary(app, taro, title="リンク", body="見てね http://example.com/page")
    phone = browser(DOCOMO_MOVA, cookies=False)
    home = log_in(phone, "taro")
    phone.get(switch_targets(home)["en"])
    page = phone.get(f"/diaries/{diary_id}?sid={sid_of(phone.page.url)}")
    assert page.html_lang == "en"
    jump = next(h for h, _ in page.links if urlsplit(h).path == "/jump")
    query = parse_qs(urlsplit(jump).query)
    assert query["lang"] == ["en"]
    assert "sid" not in query, "the jump page never has the session id"
    landed = phone.get(jump)
    assert landed.status == 200
    assert landed.html_lang == "en", "no session on /jump, yet English"
    assert "This link leads to another site:" in landed.text
    # Its switch stays on /jump (no session to bounce through) and does not bounce back.
    back = switch_targets(landed)
    assert back == {}, "the jump page's switch is /jump?lang=, not /lang/"
    to_ja = next(h for h, t in landed.links if t == "日本語")
    assert urlsplit(to_ja).path == "/jump"
    assert parse_qs(urlsplit(to_ja).query) == {"url": ["http://example.com/page"], "lang": ["ja"]}
    japanese = phone.get(to_ja)
    assert japanese.html_lang == "ja"
    assert to_hankaku("このリンクは外部サイトへ移動します") in japanese.text


def test_jump_on_a_pc_keeps_the_session_language(browser):
    pc = browser(PC)
    pc.get("/lang/ko?next=/login")
    page = pc.get("/jump?" + urlencode({"url": "http://example.com/"}))
    assert page.html_lang == "ko"


# --- the Atom feed speaks the reader's language ---------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang", "title"),
    [
        ("ja", "ja", "たろうさんの日記"),
        ("en", "en", "たろう's diary"),
        ("ko", "ko", "たろう 님의 일기"),
    ],
)
def test_the_feed_is_in_the_readers_language_and_its_entries_in_none(
    app, make_member, accept, lang, title
):
    owner = make_member("taro", nickname="たろう", locale="zh")
    make_diary(app, owner)
    response = app.test_client().get(
        f"/feeds/users/{owner}/diaries.atom", headers={"Accept-Language": accept}
    )
    root = ET.parse(io.BytesIO(response.data)).getroot()  # noqa: S314 (our own output)
    assert root.get(XML_LANG) == lang, "the reader's, not the owner's (zh)"
    assert root.find(f"{ATOM}title").text == title
    (entry,) = root.findall(f"{ATOM}entry")
    assert entry.get(XML_LANG) == "", "what a member wrote is in no declared language"
    assert "Accept-Language" in response.headers["Vary"]


# --- dates and numbers in each language's own form ------------------------------------------

NOON_UTC = datetime(2008, 5, 1, 12, 5)


@pytest.mark.parametrize(
    ("accept", "stamp", "calendar_day", "birthday", "month"),
    [
        ("ja", "2008年5月1日(木) 21:05", "1980年4月2日(水)", "4月2日", "2026年12月"),
        ("en", "Thu 1 May 2008, 21:05", "Wed 2 Apr 1980", "2 Apr", "December 2026"),
        ("zh", "2008年5月1日 周四 21:05", "1980年4月2日 周三", "4月2日", "2026年12月"),
        ("ko", "2008년 5월 1일 (목) 21:05", "1980년 4월 2일 (수)", "4월 2일", "2026년 12월"),
    ],
)
def test_dates_in_each_languages_own_form(app, accept, stamp, calendar_day, birthday, month):
    with app.test_request_context("/", headers={"Accept-Language": accept}):
        assert when(NOON_UTC) == stamp
        assert day(date(1980, 4, 2)) == calendar_day
        assert month_day(date(1980, 4, 2)) == birthday
        assert year_month(2026, 12) == month


@pytest.mark.parametrize(
    ("lang", "heading", "wrong"),
    [
        ("en", "December 2026", "2026/12"),
        ("ko", "2026년 12월", "2026/12"),
        ("ja", "2026年12月", "2026/12"),
    ],
)
def test_calendar_month_heading_and_birthdays_use_the_locale(
    app, browser, make_member, lang, heading, wrong
):
    hanako = make_member("hanako", nickname="はなこ")
    make_member("taro", nickname="たろう", friends=(hanako,), locale=lang)
    with app.app_context():
        db.session.get(Member, hanako).birth_date = date(1990, 4, 2)
        db.session.commit()
    pc = browser(PC)
    log_in(pc, "taro")
    page = pc.get("/calendar?month=2026-12")
    assert heading in page.text
    assert wrong not in page.text
    profile = pc.get(f"/users/{hanako}")
    assert {"en": "2 Apr", "ko": "4월 2일", "ja": "4月2日"}[lang] in profile.text, (
        "a friend's birthday"
    )
    assert "4/2" not in profile.text


# --- counts in plural forms, one msgid per meaning ------------------------------------------

#: Placeholders that are not a quantity: names, texts, dates, and ordinals (the 2nd photo).
NOT_COUNTS = {
    "name", "title", "email", "query", "when", "error", "phones", "who", "date", "first",
    "last", "index", "week", "weeks", "part", "parts", "limit", "footprints", "photos",
    "trash", "joined", "visitors", "min", "address",
    # the dictionaries' and tools' names in the attribution (portal.i18n.ruby.DICTIONARY_NAMES)
    "source", "jmdict", "kanjidic", "group", "licence", "mecab", "unidic", "consortium", "bsd",
    "cutlet", "mit",
}  # fmt: skip


def test_every_message_with_a_count_is_a_plural_message():
    with catalogues.POT.open("rb") as fh:
        catalog = read_po(fh)
    singular_counts = []
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        names = set(re.findall(r"%\((\w+)\)", message.id))
        if names - NOT_COUNTS:
            singular_counts.append(message.id)
    assert singular_counts == [], "use ngettext (%(num)s) for these"


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    for locale in catalogues.LOCALES:
        path = catalogues.TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                wanted = set(re.findall(r"%\((\w+)\)", ids[-1]))
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    assert set(re.findall(r"%\((\w+)\)", text)) == wanted, (locale, ids[0], text)


def test_a_community_with_one_member_says_1_member(app, browser, make_member):
    taro = make_member("taro", nickname="たろう", locale="en")
    one = make_community(app, taro, name="ひとりの会")
    two = make_community(app, taro, name="ふたりの会")
    add_member(app, two, make_member("hanako", nickname="はなこ"))
    pc = browser(PC)
    log_in(pc, "taro")
    assert "1 member" in pc.get(f"/communities/{one}").text
    assert "1 members" not in pc.page.text
    assert "2 members" in pc.get(f"/communities/{two}").text


def test_the_calendar_badge_for_an_event_i_attend_is_not_how_to_join(app, browser, make_member):
    taro = make_member("taro", nickname="たろう")
    community = make_community(app, taro)
    event = make_event(app, community, taro)
    pc = browser(PC)
    log_in(pc, "taro")
    pc.get(f"/events/{event}")
    pc.submit(f"/events/{event}/join")
    with app.app_context():
        from portal.models import Event

        starts = db.session.get(Event, event).starts_at
    page = pc.get(f"/calendar?month={starts:%Y-%m}")
    assert "お花見" in page.text
    assert '<small class="new">参加</small>' in page.text
    assert "参加方法" not in page.text
    # The community page keeps the other meaning: how members join.
    assert "参加方法" in pc.get(f"/communities/{community}").text


# --- full-width UI kana in learner mode -----------------------------------------------------


def _set_session(app, sid: str, **values) -> None:
    store = app.session_interface.store
    with app.app_context():
        record = store.load(hash_id(sid))
        record.data.update(values)
        store.save(hash_id(sid), record)


def test_learner_mode_gives_full_width_ui_kana_on_a_shift_jis_phone(app, browser):
    phone = browser(DOCOMO_MOVA, cookies=False)
    page = phone.get("/lang/ja?next=/login")  # a stored session, carried in the URL
    assert "ﾛｸﾞｲﾝ" in page.text, "half-width by default on a Shift_JIS phone"
    sid = sid_of(page.forms[0].action)
    _set_session(app, sid, learner=True)
    page = phone.get(f"/login?sid={sid}")
    assert "ログイン" in page.text
    assert "ﾛｸﾞｲﾝ" not in page.text


@pytest.mark.parametrize(
    ("accept", "members"),
    [
        ("ja", "メンバー12,345人"),
        ("en", "12,345 members"),
        ("zh", "12,345名成员"),
        ("ko", "멤버 12,345명"),
    ],
)
def test_counts_are_grouped_in_each_language(app, accept, members):
    with app.test_request_context("/", headers={"Accept-Language": accept}):
        assert number(12345) == "12,345"
        text = '{{ ngettext("%(num)s member", "%(num)s members", n) }}'
        assert render_template_string(text, n=12345) == members

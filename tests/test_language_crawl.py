"""Crawl every kind of page in ja, en, zh and ko, on a PC and on a cookie-less docomo, and find
no UI text in another language.

Member content would hide a leak (the demo world is Japanese), so before crawling it is
rewritten into a script no UI language uses: every non-ASCII letter of a text column that holds
any becomes a Greek letter, ASCII letters become digits, and Japanese punctuation a space; URLs
and e-mail addresses stay as they are and are left out of the check. What remains on a page is
UI text, and each language's UI text must be in its own script:

* en: no kana, hanzi/kanji, Hangul or CJK punctuation;
* ja: no Hangul, no simplified hanzi (everything encodes in Shift_JIS), no English words;
* zh: no kana or Hangul, no Japanese kanji forms (everything encodes in GB2312), no English;
* ko: no kana or Han characters, no English words.

Text marked with another language (``lang`` on the switch's links) is that language's, and
skipped. Shift_JIS phones cannot show zh or ko: asked for them they get English, checked as en.
Every kind of page means every path pattern (ids and numbers folded) reached by GET links from
the visitor pages and the homes of たろう and the operator, two instances each.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import String, Text, select, update

from portal import demo
from portal.i18n import LANGUAGE_NAMES
from portal.models import Member
from portal.services import accounts
from tests.browser import DOCOMO_MOVA, PC, Browser, sid_of
from tests.crawl import crawl, internal, log_in

PER_PATTERN = 2
MAX_PAGES = 400

GREEK = "αβγδεζηθικλμνξοπρστυφχψω"
_URL = re.compile(r"https?://[^\s<>\"']+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

#: Latin words a UI in any language may carry: formats, standards, units, "[8]".
ALLOWED_WORDS = {
    "ID", "PC", "URL", "RSS", "Atom", "CD", "DVD", "TV", "JPEG", "PNG", "GIF", "WebP", "EXIF",
    "MB", "KB", "http", "https", "Shift_JIS", "JLPT",
    "API", "ListenBrainz",  # the music protocol: a standard term and its proper name
}  # fmt: skip

KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff65-\uff9f]")
HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
CJK_MARKS = re.compile("[\u3000-\u303f\uff00-\uff64\uffe0-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


# --- member content into another script ---------------------------------------------------


def _neutral(text: str) -> str:
    """Return ``text`` in the crawl's content script (URLs and addresses kept)."""
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(_neutral_chars(text[last : match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_neutral_chars(text[last:]))
    return "".join(out)


def _neutral_chars(text: str) -> str:
    chars = []
    for char in text:
        if char.isascii():
            chars.append(str(ord(char) % 10) if char.isalpha() else char)
            continue
        category = unicodedata.category(char)
        if category[0] in "LN" or category == "Co":
            chars.append(GREEK[ord(char) % len(GREEK)])
        elif category[0] in "PZ" or CJK_MARKS.match(char):
            chars.append(" ")
        else:
            chars.append(char)  # emoji and other symbols
    return "".join(chars)


@pytest.fixture
def neutral_world(app, db):
    """The demo world, its member content rewritten (see the module docstring)."""
    with app.app_context():
        demo.seed()
        db.session.commit()
        for table in db.metadata.sorted_tables:
            if table.name == "sessions":
                continue
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            keys = list(table.primary_key.columns)
            for column in columns:
                rows = db.session.execute(select(*keys, column)).all()
                if all(row[-1] is None or row[-1].isascii() for row in rows):
                    continue  # codes, tokens, addresses, hashes
                for row in rows:
                    if row[-1] is None:
                        continue
                    where = [key == value for key, value in zip(keys, row[:-1], strict=True)]
                    db.session.execute(
                        update(table).where(*where).values({column.name: _neutral(row[-1])})
                    )
        db.session.commit()
        taro = db.session.scalar(select(Member).where(Member.email == f"taro@{demo.DEMO_DOMAIN}"))
        token = accounts.create_invitation(taro, None).token
        db.session.commit()
    return {"invite": token}


# --- reading a page's UI text -------------------------------------------------------------

_SKIP = {"script", "style", "textarea"}
_TEXT_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")


class _UiText(HTMLParser):
    """Collect a page's text and UI attributes, leaving out text marked with another language."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.parts: list[str] = []
        self._marked: list[tuple[str, bool]] = []  # (tag, foreign) of elements with lang
        self._skip = 0

    def _foreign(self) -> bool:
        return any(foreign for _, foreign in self._marked)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in _SKIP:
            self._skip += 1
        lang = a.get("lang") or a.get("xml:lang")
        if lang and tag != "html":
            self._marked.append((tag, lang.split("-")[0] != self.lang))
        if self._foreign():
            return
        values = [a.get(name) for name in _TEXT_ATTRIBUTES]
        if tag == "input" and a.get("type") in ("submit", "button", "reset"):
            values.append(a.get("value"))
        self.parts.extend(v for v in values if v)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if self._marked and self._marked[-1][0] == tag:
            self._marked.pop()
        if tag in _SKIP:
            self._skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        if self._marked and self._marked[-1][0] == tag:
            self._marked.pop()

    def handle_data(self, data):
        if not self._skip and not self._foreign():
            self.parts.append(data)


def ui_text(page, lang: str) -> str:
    """The UI text of ``page``: member content (Greek, URLs, addresses) taken out."""
    parser = _UiText(lang)
    parser.feed(page.text)
    text = "\n".join(parser.parts)
    text = _URL.sub(" ", text)
    for name in LANGUAGE_NAMES.values():  # a language's own name, where no markup can say so
        text = text.replace(name, " ")
    return re.sub(f"[{GREEK}]+", " ", text)


def wrong_language(text: str, lang: str) -> list[str]:
    """Return what in ``text`` is not ``lang`` UI text."""
    found = []
    words = {w for w in LATIN_WORD.findall(text) if w not in ALLOWED_WORDS}
    if lang == "en":
        for pattern in (KANA, HAN, HANGUL, CJK_MARKS):
            found += pattern.findall(text)
        return found
    found += sorted(words)
    if lang in ("zh", "ko"):
        found += KANA.findall(text)
    if lang in ("ja", "zh"):
        found += HANGUL.findall(text)
    if lang == "ko":
        found += HAN.findall(text)
    codec = {"ja": "cp932", "zh": "gb2312"}.get(lang)
    if codec:  # kanji forms of the other language (記 in zh, 记 in ja)
        found += [c for c in HAN.findall(text) if not _encodes(c, codec)]
    found += [c for c in text if c == "\u3013"]  # a geta mark: a character the device lacked
    return found


def _encodes(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


# --- the crawl ------------------------------------------------------------------------------


def _follow(lang: str):
    def follow(href: str) -> bool:
        if not internal(href):
            return False
        # the switch of a page served without the session
        return dict(parse_qsl(urlsplit(href).query)).get("lang", lang) == lang

    return follow


def _crawl(client, start: list[str], lang: str) -> tuple[int, dict[str, list[str]]]:
    """Follow GET links from ``start``; return how many pages were read and the wrong text."""
    problems: dict[str, list[str]] = {}
    pages = 0
    expected_tag = {"zh": "zh-Hans"}.get(lang, lang)
    for page in crawl(
        client, start, per_kind=PER_PATTERN, max_pages=MAX_PAGES, follow=_follow(lang)
    ):
        pages += 1
        if not page.headers["Content-Type"].startswith("text/html"):
            continue  # photos, feeds
        assert page.status in (200, 403, 404), (page.url, page.status)
        assert page.html_lang == expected_tag, (page.url, page.html_lang)
        wrong = wrong_language(ui_text(page, lang), lang)
        if wrong:
            problems[urlsplit(page.url).path] = sorted(set(wrong))[:12]
    return pages, problems


def _choose(client, lang: str, page):
    """Press the switch (or, for a language the phone is not offered, ask for it by URL)."""
    sid = sid_of(page.url) or next((sid_of(f.action) for f in page.forms if sid_of(f.action)), None)
    url = f"/lang/{lang}?next={urlsplit(page.url).path}"
    return client.get(url + (f"&sid={sid}" if sid else ""))


DEVICES = {
    "pc": (PC, ["ja", "en", "zh", "ko"]),
    # Shift_JIS: zh and ko are shown in English (docs/i18n.md); crawled as en.
    "docomo": (DOCOMO_MOVA, ["ja", "en", "zh", "ko"]),
}


@pytest.mark.parametrize("lang", ["ja", "en", "zh", "ko"])
@pytest.mark.parametrize("device", list(DEVICES))
def test_every_page_speaks_one_language(app, neutral_world, device, lang):
    agent, _ = DEVICES[device]
    shown = lang if device == "pc" or lang in ("ja", "en") else "en"
    total, problems = 0, {}
    # A visitor: the top page, login, signup by invitation, a missing page, the jump page.
    visitor = Browser(app, agent, cookies=device == "pc")
    page = _choose(visitor, lang, visitor.get("/login"))
    sid = sid_of(page.url) or next((sid_of(f.action) for f in page.forms if sid_of(f.action)), "")
    suffix = f"&sid={sid}" if sid else ""
    start = [
        "/?x=1" + suffix,
        "/login?x=1" + suffix,
        f"/signup?invite={neutral_world['invite']}" + suffix,
        "/no-such-page?x=1" + suffix,
    ]
    if device == "pc":
        start.append("/jump?url=http%3A%2F%2Fexample.com%2F")
    else:
        start.append(f"/jump?url=http%3A%2F%2Fexample.com%2F&lang={shown}")
    count, found = _crawl(visitor, start, shown)
    total += count
    problems.update(found)
    for account in ("taro", "admin"):
        client = Browser(app, agent, cookies=device == "pc")
        home = log_in(client, account)
        assert home.status == 200
        page = _choose(client, lang, home)
        count, found = _crawl(client, [page.url], shown)
        total += count
        problems.update(found)
    print(device, lang, "pages:", total)
    assert total >= 60, total
    assert problems == {}, f"UI text in another language than {shown}: {problems}"


# --- the checker itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "wrong"),
    [
        ("ログイン", "ja", []),
        ("Log in", "ja", ["Log", "in"]),
        ("PC・URL", "ja", []),
        ("设置", "ja", ["设"]),
        ("로그인", "ja", ["로", "그", "인"]),
        ("Log in", "en", []),
        ("ﾛｸﾞｲﾝ", "en", ["ﾛ", "ｸ", "ﾞ", "ｲ", "ﾝ"]),
        ("登录", "en", ["登", "录"]),
        ("登录", "zh", []),
        ("設定", "zh", ["設"]),
        ("ホーム", "zh", ["ホ", "ー", "ム"]),
        ("홈", "ko", []),
        ("日記", "ko", ["日", "記"]),
        ("Home", "ko", ["Home"]),
    ],
)
def test_the_checker_finds_text_in_another_language(text, lang, wrong):
    assert sorted(wrong_language(text, lang)) == sorted(wrong)


def test_the_checker_skips_member_content_and_marked_languages():
    class Page:
        text = (
            '<html lang="ja"><title>ホーム</title><a href="/lang/en" lang="en">English</a>'
            '<a href="/users/1">αβγ</a> http://example.com/a <input type="submit" value="Send">'
            "<textarea>typed by a member</textarea></html>"
        )

    text = ui_text(Page(), "ja")
    assert "English" not in text
    assert "αβγ" not in text
    assert "example" not in text
    assert "typed" not in text
    assert wrong_language(text, "ja") == ["Send"], "a button's value is UI text"

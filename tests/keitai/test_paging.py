"""Fitting content to a page budget: text parts, list pages, items per page."""

from __future__ import annotations

import html
import math
import random
import re
import unicodedata
from collections.abc import Callable

import pytest

from portal.keitai.encoding import encode_page
from portal.keitai.paging import Page, fit_count, paginate, split_text

Measure = Callable[[str], int]

ZWJ = "\u200d"
VS16 = "\ufe0f"
KEYCAP = "\u20e3"
URL = re.compile(r"https?://[!-~]+")

EMOJI = ["☀️", "👨‍👩‍👧", "1\u20e3", "#\ufe0f\u20e3", "🇯🇵", "🇺🇸", "👍🏽", "❤️", "🏳️‍🌈"]
SENTENCES = [
    "今日は朝から雨が降っていて、駅まで歩くのが大変でした。",
    "友だちと新宿でラーメンを食べた！",
    "明日の予定はまだ決めていない？",
    "ケータイで撮った写真を整理しました☀️",
    "家族👨‍👩‍👧で出かけました。",
    "メニューは1\u20e3を押してね",
    "日本🇯🇵代表を応援！",
    "詳しくはhttps://example.jp/diary/2009/05/entry?id=123&sort=new を見てね。",
    "http://m.example.com/c/abc_def-ghi/~user/index.html?a=1&b=2#top",
    "Hello world. Pi is 3.14, see example.com for more!",
    "ｶﾞｷﾞｸﾞ、半角カナも混ざる。",
    "〜波ダッシュ〜とー長音ー、髙橋さんと①番で会った。",
    "Cafe\u0301 と cafe\u0301s で、アクセント記号を組み合わせた。",
]


def cp932_measure(part: str) -> int:
    return len(encode_page(html.escape(part), "cp932"))


def docomo_measure(part: str) -> int:
    return len(encode_page(html.escape(part), "cp932", carrier="docomo"))


def utf8_measure(part: str) -> int:
    return len(encode_page(html.escape(part), "utf-8"))


class CountingMeasure:
    """A measure that counts its calls."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure
        self.calls = 0

    def __call__(self, part: str) -> int:
        self.calls += 1
        return self.measure(part)


def diary(paragraphs: int = 120, seed: int = 0) -> str:
    """A long diary: paragraphs of sentences with emoji and URLs, CRLF line ends, some huge."""
    rnd = random.Random(seed)
    blocks = []
    for number in range(paragraphs):
        count = 150 if number % 12 == 5 else rnd.randint(1, 12)
        lines = []
        for _ in range(count):
            sentence = rnd.choice(SENTENCES)
            if rnd.random() < 0.2:
                sentence += rnd.choice(EMOJI)
            if rnd.random() < 0.15:
                sentence += "\r\n"
            lines.append(sentence)
        blocks.append("".join(lines))
    return "\r\n\r\n".join(blocks)


def starts_mid_cluster(part: str, previous: str) -> bool:
    """Tell whether a cut between ``previous`` and ``part`` fell inside a grapheme cluster.

    An independent, simpler reading of UAX #29 than the module's: a break always follows a
    control (GB4) except inside CRLF; marks, ZWJ, VS16, keycaps and skin tones never start a
    cluster; a pictograph after "pictograph + ZWJ" continues one; regional indicators pair up.
    """
    first, last = part[0], previous[-1]
    if last == "\r":
        return first == "\n"
    if unicodedata.category(last) in ("Cc", "Zl", "Zp"):
        return False
    if unicodedata.category(first) in ("Mn", "Me", "Mc") or first in (ZWJ, VS16, KEYCAP):
        return True
    if "\U0001f3fb" <= first <= "\U0001f3ff":  # skin-tone modifier
        return True
    if last == ZWJ and len(previous) > 1 and _is_emoji(previous[-2]) and _is_emoji(first):
        return True
    if _is_regional(first):
        run = len(previous) - len(previous.rstrip("".join(map(chr, range(0x1F1E6, 0x1F200)))))
        return run % 2 == 1
    return False


def _is_emoji(char: str) -> bool:
    return char == VS16 or ord(char) >= 0x1F000 or "\u2600" <= char <= "\u27bf"


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def cut_offsets(parts: list[str]) -> set[int]:
    offsets, position = set(), 0
    for part in parts[:-1]:
        position += len(part)
        offsets.add(position)
    return offsets


def check_parts(text: str, parts: list[str], limit: int, measure: Measure) -> None:
    """The invariants of every split: lossless, within the limit, no cut inside a cluster or
    inside a URL that fits."""
    assert "".join(parts) == text
    assert all(parts)
    for part in parts:
        assert measure(part) <= limit, part
    for previous, part in zip(parts, parts[1:], strict=False):
        assert not starts_mid_cluster(part, previous), (previous[-5:], part[:5])
    cuts = cut_offsets(parts)
    for match in URL.finditer(text):
        if measure(match.group()) <= limit:
            assert not cuts.intersection(range(match.start() + 1, match.end())), match.group()


# -- split_text -----------------------------------------------------------------------------


def test_long_diary_at_4000_bytes() -> None:
    text = diary()
    assert len(text) > 60_000
    assert cp932_measure(text) > 20 * 4000
    measure = CountingMeasure(cp932_measure)

    parts = split_text(text, 4000, measure)

    check_parts(text, parts, 4000, cp932_measure)
    assert len(parts) < cp932_measure(text) / 4000 * 1.5
    assert sum(map(cp932_measure, parts)) / len(parts) > 0.75 * 4000
    # One call per distinct cluster plus about one per part; never per position.
    assert measure.calls < 600
    assert measure.calls < len(text) / 100


def test_diary_parts_end_at_paragraphs_or_lines_when_they_can() -> None:
    text = diary(seed=3)

    parts = split_text(text, 4000, cp932_measure)

    ends = [part for part in parts[:-1] if part.endswith("\r\n")]
    assert len(ends) >= 0.9 * (len(parts) - 1)


def test_paragraph_breaks_come_first() -> None:
    paragraphs = [
        "あいうえお。かきくけこ、さしすせそ\r\nたちつてと。" * 20 + str(n) for n in range(10)
    ]
    text = "\r\n\r\n".join(paragraphs)

    parts = split_text(text, 2 * cp932_measure(paragraphs[0]) + 20, cp932_measure)

    assert len(parts) == 5
    assert all(part.endswith(f"{n}\r\n\r\n") for n, part in zip((1, 3, 5, 7), parts, strict=False))


def test_line_breaks_come_before_sentence_ends() -> None:
    text = "一行目の文。二つ目の文。\n" * 200

    parts = split_text(text, 500, cp932_measure)

    check_parts(text, parts, 500, cp932_measure)
    assert all(part.endswith("\n") for part in parts)


def test_sentence_ends_come_before_commas() -> None:
    text = "これは文です、読点もあります。" * 100 + "Latin too. And more!" * 20

    parts = split_text(text, 300, cp932_measure)

    check_parts(text, parts, 300, cp932_measure)
    assert all(part.endswith(("。", ". ", "!", ".")) for part in parts[:-1])


def test_latin_sentence_end_needs_no_letter_after_it() -> None:
    text = "Version 3.14 of example.com is out. " * 50

    parts = split_text(text, 200, cp932_measure)

    assert all(part.endswith("out. ") for part in parts[:-1])


def test_commas_and_spaces_come_before_any_character() -> None:
    text = "あいうえお、かきくけこ、" * 100

    parts = split_text(text, 300, cp932_measure)

    assert all(part.endswith("、") for part in parts[:-1])
    text = "word " * 300
    assert all(part.endswith(" ") for part in split_text(text, 100, cp932_measure)[:-1])


def test_without_any_break_cuts_between_clusters() -> None:
    text = "あ" * 1000 + "が" * 500 + "👨‍👩‍👧" * 100 + "🇯🇵" * 100 + "1\u20e3" * 100

    for measure in (cp932_measure, utf8_measure):
        parts = split_text(text, 200, measure)
        check_parts(text, parts, 200, measure)


def test_crlf_is_never_split() -> None:
    text = ("x" * 9 + "\r\n") * 100

    for limit in range(5, 40):
        parts = split_text(text, limit, cp932_measure)
        check_parts(text, parts, limit, cp932_measure)
        assert not any(part.startswith("\n") for part in parts)


def test_url_that_fits_moves_whole_to_the_next_part() -> None:
    url = "https://example.jp/" + "a" * 80 + "?q=1"
    text = "本文" * 40 + url + "の続き。"

    parts = split_text(text, 150, cp932_measure)

    assert any(url in part for part in parts)
    check_parts(text, parts, 150, cp932_measure)


def test_url_longer_than_the_limit_is_cut_as_a_last_resort() -> None:
    url = "https://example.jp/" + "b" * 500
    text = "前の文。" + url + " 後の文。"

    parts = split_text(text, 100, cp932_measure)

    assert "".join(parts) == text
    assert all(cp932_measure(part) <= 100 for part in parts)
    assert parts[0] == "前の文。"  # cut before the URL, then inside it


def test_cluster_longer_than_the_limit_is_cut_as_a_last_resort() -> None:
    zalgo = "e" + "\u0301" * 300
    text = "before " + zalgo + " after"

    parts = split_text(text, 100, utf8_measure)

    assert "".join(parts) == text
    assert all(utf8_measure(part) <= 100 for part in parts)


def test_character_longer_than_the_limit_is_an_error() -> None:
    with pytest.raises(ValueError, match="alone measures"):
        split_text("あいう", 1, cp932_measure)


def test_text_that_fits_is_one_part() -> None:
    measure = CountingMeasure(cp932_measure)

    assert split_text("短い日記。", 4000, measure) == ["短い日記。"]
    assert split_text("", 4000, measure) == [""]
    assert measure.calls == 2


def test_measure_with_page_overhead() -> None:
    def page(part: str) -> int:
        return len(f"<html><body>{html.escape(part)}</body></html>".encode("cp932", "replace"))

    text = diary(paragraphs=10)
    parts = split_text(text, 1000, page)

    check_parts(text, parts, 1000, page)
    with pytest.raises(ValueError, match="empty part"):
        split_text(text, 10, page)


def test_measure_that_is_not_additive_is_verified() -> None:
    # Every 50 characters cost a byte more than their sum, as a line-wrapping markup could.
    def wrapped(part: str) -> int:
        return cp932_measure(part) + len(part) // 50

    text = diary(paragraphs=20, seed=5)
    parts = split_text(text, 1000, wrapped)

    check_parts(text, parts, 1000, wrapped)


def test_docomo_replacements_are_measured() -> None:
    # ① and 髙 are replaced for docomo ("1", "高"), so the sizes differ from plain CP932.
    text = "①髙橋さん、" * 500

    parts = split_text(text, 300, docomo_measure)

    check_parts(text, parts, 300, docomo_measure)


def random_text(rnd: random.Random, length: int) -> str:
    atoms = [
        *"あいうえおかきくけこアイウエオ漢字日記写真ｱｲｳｴｵabcXYZ0123456789",
        "。", "、", "！", "？", ". ", ", ", " ", "\u3000", "\r\n", "\n", "\n\n", "\r\n\r\n",
        "&", "<", ">", '"', "〜", "—", "①", "髙",
        *EMOJI, "e\u0301", "か\u3099", "ｶﾞ", "🇯", "\u200d", "\ufe0f",
        "https://example.jp/x?a=1&b=2", "http://m.example.com/" + "p" * 30,
    ]  # fmt: skip
    return "".join(rnd.choice(atoms) for _ in range(length))


@pytest.mark.parametrize("limit", [200, 1000, 4000])
@pytest.mark.parametrize("measure", [cp932_measure, docomo_measure, utf8_measure])
def test_random_texts(limit: int, measure: Measure) -> None:
    rnd = random.Random(limit)
    for _ in range(12):
        text = random_text(rnd, rnd.randint(0, 3000))
        check_parts(text, split_text(text, limit, measure), limit, measure)


def test_random_texts_at_tiny_limits() -> None:
    rnd = random.Random(7)
    for limit in (40, 64, 100):
        for _ in range(20):
            text = random_text(rnd, rnd.randint(0, 400))
            parts = split_text(text, limit, utf8_measure)
            assert "".join(parts) == text
            assert all(utf8_measure(part) <= limit for part in parts)


# -- paginate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "requested", "page", "pages", "offset"),
    [
        (45, 1, 1, 5, 0),
        (45, 2, 2, 5, 10),
        (45, 5, 5, 5, 40),
        (45, 6, 5, 5, 40),
        (45, 10**30, 5, 5, 40),
        (45, 0, 1, 5, 0),
        (45, -3, 1, 5, 0),
        (45, "3", 3, 5, 20),
        (45, " 4 ", 4, 5, 30),
        (45, "３", 3, 5, 20),
        (45, "+2", 2, 5, 10),
        (45, "-2", 1, 5, 0),
        (45, "007", 5, 5, 40),
        (45, "9" * 5000, 5, 5, 40),
        (45, "abc", 1, 5, 0),
        (45, "2a", 1, 5, 0),
        (45, "2.5", 1, 5, 0),
        (45, "", 1, 5, 0),
        (45, None, 1, 5, 0),
        (45, True, 1, 5, 0),
        (45, 2.0, 1, 5, 0),
        (40, 4, 4, 4, 30),
        (40, 5, 4, 4, 30),
        (0, 1, 1, 1, 0),
        (0, 3, 1, 1, 0),
        (1, 1, 1, 1, 0),
    ],
)
def test_paginate(total: int, requested: object, page: int, pages: int, offset: int) -> None:
    result = paginate(total, requested, 10)

    assert result.page == page
    assert result.pages == pages
    assert result.offset == offset
    assert result.limit == 10
    assert result.has_prev == (page > 1)
    assert result.has_next == (page < pages)
    assert result.prev_num == (page - 1 if page > 1 else None)
    assert result.next_num == (page + 1 if page < pages else None)


def test_paginate_count_on_the_last_page() -> None:
    assert paginate(45, 5, 10).count == 5
    assert paginate(45, 4, 10).count == 10
    assert paginate(0, 1, 10).count == 0
    assert paginate(45, 2, 10) == Page(page=2, per_page=10, total=45, pages=5)


def test_paginate_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="per_page"):
        paginate(10, 1, 0)
    with pytest.raises(ValueError, match="total"):
        paginate(-1, 1, 10)


# -- fit_count ------------------------------------------------------------------------------


def linear_fit(render: Callable[[int], int], limit: int, most: int) -> int:
    fitting = [n for n in range(1, most + 1) if render(n) <= limit]
    return max(fitting, default=0)


def test_fit_count_matches_a_linear_search() -> None:
    rnd = random.Random(11)
    for _ in range(300):
        sizes = [rnd.randint(0, 400) for _ in range(rnd.randint(0, 60))]
        overhead = rnd.randint(0, 2000)
        prefix = [overhead]
        for size in sizes:
            prefix.append(prefix[-1] + size)
        limit = rnd.randint(0, prefix[-1] + 500)
        calls: list[int] = []

        def render(n: int, prefix: list[int] = prefix, calls: list[int] = calls) -> int:
            calls.append(n)
            return prefix[n]

        most = len(sizes)
        expected = linear_fit(prefix.__getitem__, limit, most)
        assert fit_count(render, limit, most) == expected
        assert len(calls) <= 1 + math.ceil(math.log2(most + 1))
        assert 0 not in calls


def test_fit_count_on_real_pages() -> None:
    items = [f"<li>{html.escape(s)}</li>" for s in SENTENCES * 10]

    def render(n: int) -> int:
        return len(
            encode_page("<html><body><ul>" + "".join(items[:n]) + "</ul></body></html>", "cp932")
        )

    count = fit_count(render, 5 * 1024, len(items))

    assert render(count) <= 5 * 1024 < render(count + 1)


def test_fit_count_edges() -> None:
    renders: list[int] = []

    def render(n: int) -> int:
        renders.append(n)
        return 100 * n

    assert fit_count(render, 10**6, 20) == 20
    assert renders == [20]  # everything fits: one render
    assert fit_count(render, 99, 20) == 0  # not even one item fits
    assert fit_count(render, 100, 20) == 1
    assert fit_count(render, 1000, 0) == 0
    assert fit_count(render, 1000, -5) == 0

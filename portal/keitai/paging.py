"""Fit content to a keitai page budget: long texts in parts, lists in pages.

A keitai page has a byte budget (:attr:`~portal.keitai.device.Device.max_page_bytes`, measured on
the encoded page, KEITAI.md B1). A long diary or topic body is cut into parts shown one per page
(``?part=N``) with :func:`split_text`; lists are paged (``?page=N``) with :func:`paginate`, and
:func:`fit_count` finds how many items fit one page.

Byte sizes come from the caller as functions, since only it knows the markup, the escaping and
the encoding, e.g. ``lambda s: len(encode_page(html.escape(s), "cp932"))``.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

#: A part is filled to at least this share of the budget before a better kind of cut (a
#: paragraph end rather than a sentence end) is preferred over a fuller part.
MIN_FILL = 0.5

#: Cut kinds, best first: after a paragraph break, a line break, a sentence end, a clause
#: separator or a space. Any other grapheme boundary outside a URL is the next choice.
_CUT_PATTERNS = (
    # Paragraph: two or more line breaks, possibly with blank-looking lines between.
    re.compile(r"(?:[ \t\u3000]*(?:\r\n|[\n\r\x85\u2028])){2,}|\u2029"),
    re.compile(r"\r\n|[\n\r\x85\u2028]"),
    # Sentence ends, with closing brackets/quotes and spaces after them. A Latin full stop
    # counts only when no letter or digit follows it ("3.14", "example.com").
    re.compile(
        r"(?:[。｡．！？!?‼⁇⁈⁉]+|\.(?![0-9A-Za-z]))"
        r"[」』）)\]］】〕〉》〙〗'\"’”]*[ \t\u3000]*"
    ),
    re.compile(r"[、，,､][ \t\u3000]*|[ \t\u3000]+"),
)

#: A URL: the scheme and every printable ASCII character after it. It stops at the first space
#: or Japanese character ("詳しくはhttps://example.jp/a?b=1を見て").
_URL = re.compile(r"https?://[!-~]+", re.IGNORECASE)


def split_text(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    """Split a text into consecutive parts that each measure at most ``limit``.

    Parts are filled greedily. Each cut is made at the best place within the budget, in this
    order: after a paragraph break, after a line break, after a sentence end (。！？!?.), after
    a clause separator (、，,) or spaces, then between any two grapheme clusters. A better kind
    of cut is only chosen over a fuller part while the part stays at least :data:`MIN_FILL` of
    the budget.

    A cut never falls inside a grapheme cluster (CRLF, combining marks, variation selectors,
    keycaps, emoji ZWJ sequences, flag pairs) or inside a URL, so links survive. Only when a URL
    or a cluster alone measures more than ``limit`` is it cut, at cluster or then character
    boundaries.

    ``measure`` is called once per distinct cluster, to estimate sizes by addition, and once per
    part to verify it; a part that measures over ``limit`` despite the estimate is cut shorter.

    :param text: the text; ``"".join(parts) == text`` always holds.
    :param limit: the most each part may measure.
    :param measure: the size of a part as sent, e.g. its escaped, encoded byte length. Parts are
        measured alone, so the size of any surrounding page belongs in ``limit``.
    :return: the parts; ``[text]`` when it fits, including an empty text.
    :raise ValueError: if a single character measures more than ``limit``.
    """
    if measure(text) <= limit:
        return [text]
    return _Splitter(text, limit, measure).split()


class _Splitter:
    """The state of one :func:`split_text` call: clusters, size estimates and cut points."""

    def __init__(self, text: str, limit: int, measure: Callable[[str], int]) -> None:
        self.text = text
        self.limit = limit
        self.measure = measure
        self.base = measure("")
        if self.base > limit:
            raise ValueError(f"an empty part measures {self.base}, more than {limit}")
        self.unit_cache: dict[str, int] = {}
        #: Character offsets of the cluster boundaries, 0 and len(text) included.
        self.bounds = _cluster_bounds(text)
        #: prefix[i]: the estimated size of clusters 0..i-1 (without the base).
        self.prefix = self._prefix_sizes()
        index = {offset: i for i, offset in enumerate(self.bounds)}
        #: Cluster indices where a cut is allowed (not inside a URL), then per cut kind.
        self.safe = [index[o] for o in _safe_offsets(text, self.bounds)]
        safe = set(self.safe)
        #: Matches ending inside a cluster ("、" before a ZWJ) give no cut point.
        self.kinds = [
            sorted({index.get(o, -1) for o in _pattern_offsets(p, text)} & safe)
            for p in _CUT_PATTERNS
        ]

    def unit(self, piece: str) -> int:
        """Return the estimated size ``piece`` adds to a part (cached)."""
        size = self.unit_cache.get(piece)
        if size is None:
            size = self.unit_cache[piece] = max(0, self.measure(piece) - self.base)
        return size

    def _prefix_sizes(self) -> list[int]:
        text, bounds = self.text, self.bounds
        prefix = [0]
        for start, end in zip(bounds, bounds[1:], strict=False):
            prefix.append(prefix[-1] + self.unit(text[start:end]))
        return prefix

    def split(self) -> list[str]:
        parts: list[str] = []
        start = 0
        clusters = len(self.bounds) - 1
        while start < clusters:
            end = self._next_cut(start)
            if end is None:
                parts.extend(self._split_cluster(start))
                start += 1
            else:
                parts.append(self.text[self.bounds[start] : self.bounds[end]])
                start = end
        return parts

    def _next_cut(self, start: int) -> int | None:
        """Return the cluster index ending the part that starts at ``start``, verified.

        ``None`` means even the cluster at ``start`` alone does not fit.
        """
        room = self.limit - self.base
        while True:
            reach = bisect.bisect_right(self.prefix, self.prefix[start] + room) - 1
            if reach <= start:
                return None
            end = self._choose(start, reach, room)
            part = self.text[self.bounds[start] : self.bounds[end]]
            size = self.measure(part)
            if size <= self.limit:
                return end
            # The estimate was short by (size - limit): ask for that much less and retry.
            room = self.prefix[end] - self.prefix[start] - (size - self.limit)

    def _choose(self, start: int, reach: int, room: int) -> int:
        """Pick the best cut in ``(start, reach]``; ``reach`` fits the estimated budget."""
        if reach == len(self.bounds) - 1:
            return reach
        full_enough = self.prefix[start] + MIN_FILL * room
        for cuts in (*self.kinds, self.safe):
            cut = _last_in(cuts, start, reach)
            if cut is not None and self.prefix[cut] >= full_enough:
                return cut
        for cuts in (*self.kinds, self.safe):
            cut = _last_in(cuts, start, reach)
            if cut is not None:
                return cut
        # Inside a URL too long for one part: cut between its characters (its clusters).
        return reach

    def _split_cluster(self, index: int) -> list[str]:
        """Cut one cluster that does not fit alone between its characters."""
        cluster = self.text[self.bounds[index] : self.bounds[index + 1]]
        parts: list[str] = []
        while cluster:
            end = self._fitting_chars(cluster)
            parts.append(cluster[:end])
            cluster = cluster[end:]
        return parts

    def _fitting_chars(self, chars: str) -> int:
        """Return how many leading characters of ``chars`` fit in a part (at least one)."""
        total, end = self.base, 0
        while end < len(chars) and total + self.unit(chars[end]) <= self.limit:
            total += self.unit(chars[end])
            end += 1
        while end > 0 and self.measure(chars[:end]) > self.limit:
            end -= 1
        if end == 0:
            raise ValueError(f"character {chars[0]!r} alone measures more than {self.limit}")
        return end


def _last_in(cuts: list[int], start: int, reach: int) -> int | None:
    """Return the largest element of sorted ``cuts`` in ``(start, reach]``, if any."""
    position = bisect.bisect_right(cuts, reach) - 1
    if position >= 0 and cuts[position] > start:
        return cuts[position]
    return None


def _pattern_offsets(pattern: re.Pattern[str], text: str) -> set[int]:
    """Return the offsets right after each match of ``pattern`` (cut after it)."""
    return {match.end() for match in pattern.finditer(text)}


def _safe_offsets(text: str, bounds: list[int]) -> list[int]:
    """Return the inner cluster boundaries that are not inside a URL."""
    inside: set[int] = set()
    for match in _URL.finditer(text):
        inside.update(range(match.start() + 1, match.end()))
    return [offset for offset in bounds[1:-1] if offset not in inside]


# -- grapheme clusters (UAX #29, the parts that occur in Japanese text and emoji) ------------

_ZWJ = "\u200d"
_CONTROL_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cf"})
_EXTEND_CATEGORIES = frozenset({"Mn", "Me", "Mc"})

# Character classes for the cluster rules, as bit flags; 0 is an ordinary character.
_CONTROL = 1
_EXTEND = 2
_PICTOGRAPHIC = 4
_REGIONAL = 8
_HANGUL_L = 16
_HANGUL_V = 32
_HANGUL_T = 64
_HANGUL_LV = 128
_HANGUL_LVT = 256

#: What a Hangul jamo or syllable may be followed by within one syllable (GB6-GB8).
_HANGUL_NEXT = {
    _HANGUL_L: _HANGUL_L | _HANGUL_V | _HANGUL_LV | _HANGUL_LVT,
    _HANGUL_LV: _HANGUL_V | _HANGUL_T,
    _HANGUL_V: _HANGUL_V | _HANGUL_T,
    _HANGUL_LVT: _HANGUL_T,
    _HANGUL_T: _HANGUL_T,
}


@functools.lru_cache(maxsize=8192)
def _char_class(char: str) -> int:
    """Return the cluster-rule flags of one character (cached: texts reuse few characters).

    ``_EXTEND`` covers what never starts a cluster (Extend, SpacingMark, ZWJ): marks (Mn, Me
    such as the keycap U+20E3, Mc), variation selectors (Mn), ZWNJ and ZWJ, the emoji skin-tone
    modifiers, the tag characters of flag sequences and the half-width voiced sound marks.
    ``_PICTOGRAPHIC`` approximates Extended_Pictographic by the emoji and symbol blocks.
    """
    code = ord(char)
    category = unicodedata.category(char)
    if 0x1F1E6 <= code <= 0x1F1FF:
        return _REGIONAL
    if (
        category in _EXTEND_CATEGORIES
        or char in "\u200c\u200d\uff9e\uff9f"
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    ):
        return _EXTEND
    if category in _CONTROL_CATEGORIES:
        return _CONTROL
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or category == "So":
        return _PICTOGRAPHIC
    return _hangul_class(code)


def _hangul_class(code: int) -> int:
    """Return the Hangul syllable type flag of a code point (L, V, T, LV, LVT), else 0."""
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return _HANGUL_L
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return _HANGUL_V
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return _HANGUL_T
    if 0xAC00 <= code <= 0xD7A3:
        return _HANGUL_LV if (code - 0xAC00) % 28 == 0 else _HANGUL_LVT
    return 0


def _joins(previous: str, char: str, pictographic: bool, regional_run: int) -> bool:
    """Tell whether no cluster boundary lies between ``previous`` and ``char``.

    :param pictographic: the current cluster is a pictograph followed only by extenders and
        ZWJs (the left side of GB11).
    :param regional_run: how many regional indicators end the text so far.
    """
    if previous == "\r" and char == "\n":
        return True  # GB3
    previous_class, char_class = _char_class(previous), _char_class(char)
    if (previous_class | char_class) & _CONTROL:
        return False  # GB4, GB5
    if char_class & _EXTEND:
        return True  # GB9, GB9a
    if char_class & _PICTOGRAPHIC:
        return previous == _ZWJ and pictographic  # GB11
    if char_class & _REGIONAL:
        return regional_run % 2 == 1  # GB12, GB13
    return bool(_HANGUL_NEXT.get(previous_class, 0) & char_class)  # GB6-GB8


def _cluster_bounds(text: str) -> list[int]:
    """Return the offsets of the grapheme cluster boundaries of ``text``, 0 and end included.

    Implements the rules of UAX #29 that occur in Japanese text with emoji: CRLF, controls,
    extending marks, emoji ZWJ sequences, regional-indicator pairs and Hangul syllables.
    Prepend characters (rare Indic and Arabic signs) are not handled; they only allow an extra
    boundary.
    """
    if not text:
        return [0]
    bounds = [0]
    previous_class = _char_class(text[0])
    pictographic = bool(previous_class & _PICTOGRAPHIC)
    regional_run = 1 if previous_class & _REGIONAL else 0
    for offset in range(1, len(text)):
        char_class = _char_class(text[offset])
        if not (char_class or previous_class):
            bounds.append(offset)  # Two ordinary characters: the common case.
            pictographic = False
        elif not _joins(text[offset - 1], text[offset], pictographic, regional_run):
            bounds.append(offset)
            pictographic = bool(char_class & _PICTOGRAPHIC)
        elif not char_class & _EXTEND:
            pictographic = pictographic and bool(char_class & _PICTOGRAPHIC)
        regional_run = regional_run + 1 if char_class & _REGIONAL else 0
        previous_class = char_class
    bounds.append(len(text))
    return bounds


# -- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a paged list.

    :param page: the page number, from 1, within ``1..pages``.
    :param per_page: the most items on a page.
    :param total: the number of items in the whole list.
    :param pages: the number of pages, at least 1 (an empty list has one empty page).
    """

    page: int
    per_page: int
    total: int
    pages: int

    @property
    def offset(self) -> int:
        """The number of items before this page (``OFFSET`` of a query)."""
        return (self.page - 1) * self.per_page

    @property
    def limit(self) -> int:
        """The most items on this page (``LIMIT`` of a query)."""
        return self.per_page

    @property
    def count(self) -> int:
        """The number of items actually on this page."""
        return max(0, min(self.per_page, self.total - self.offset))

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        """The previous page number, or ``None`` on the first page."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        """The next page number, or ``None`` on the last page."""
        return self.page + 1 if self.has_next else None


_PAGE_NUMBER = re.compile(r"[+-]?\d+")

#: Page numbers longer than this many digits are past any end; not converted (int() of huge
#: strings is slow and capped by Python).
_MAX_PAGE_DIGITS = 18


def paginate(total: int, page: object, per_page: int) -> Page:
    """Return the page to show of a list of ``total`` items.

    ``page`` usually comes straight from the query string, so it is forgiving: a number, or a
    string of digits (full-width digits typed on a phone included) with optional spaces. A
    missing or non-numeric value, and 0 or less, give page 1; a page past the end gives the
    last page.

    :param total: the number of items.
    :param page: the requested page number, from 1.
    :param per_page: the most items on a page.
    :return: the :class:`Page`.
    :raise ValueError: if ``total`` is negative or ``per_page`` is less than 1.
    """
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, got {per_page}")
    pages = max(1, -(-total // per_page))
    number = min(max(_page_number(page), 1), pages)
    return Page(page=number, per_page=per_page, total=total, pages=pages)


def _page_number(value: object) -> int:
    """Read a requested page number; anything unreadable is 1."""
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return 1
    value = value.strip()
    if not _PAGE_NUMBER.fullmatch(value):
        return 1
    sign = -1 if value[0] == "-" else 1
    digits = value.lstrip("+-").lstrip("0０") or "0"
    if len(digits) > _MAX_PAGE_DIGITS:
        return sign * int(10**_MAX_PAGE_DIGITS)
    return sign * int(digits)


def fit_count(render: Callable[[int], int], limit: int, most: int) -> int:
    """Return how many items fit one page: the largest ``n <= most`` with ``render(n) <= limit``.

    ``render(n)`` must not shrink as ``n`` grows (more items, more bytes). It is called
    O(log ``most``) times: once with ``most``, then in a binary search.

    :param render: the encoded byte size of the page showing its first ``n`` items.
    :param limit: the page budget, in bytes.
    :param most: the most items to show, such as the items available or a per-page cap.
    :return: the count, 0 when even one item does not fit (or ``most`` is below 1).
    """
    if most < 1:
        return 0
    if render(most) <= limit:
        return most
    low, high = 0, most - 1  # render(low) fits by convention; render(high + 1) does not.
    while low < high:
        middle = (low + high + 1) // 2
        if render(middle) <= limit:
            low = middle
        else:
            high = middle - 1
    return low
